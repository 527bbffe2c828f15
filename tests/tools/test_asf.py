"""ASF/AMC import (HDM05): reader conventions checked by hand, the rest pose, bone lengths, rules."""
import gzip
import math
import os
import re
import tempfile
import unittest

import numpy as np

from tests.tools import common
from kinestpy import asf, build, importer, rot, skeleton, split

UNIT = 0.0254 / 0.45   # metres per ASF unit at `:units length 0.45` (inches / 0.45)

# A hand-written skeleton: root -> upper (2 units along +Y, local frame turned 90 deg
# about Z, 3 dofs) -> lower (1 unit along +X, dofs listed "rz rx": Z turns first).
TINY_ASF = """:version 1.10
:name tiny
:units
  mass 1.0
  length 0.45
  angle deg
:root
   order TX TY TZ RX RY RZ
   axis XYZ
   position 0 0 0
   orientation 0 0 0
:bonedata
  begin
     id 1
     name upper
     direction 0 1 0
     length 2
     axis 0 0 90 XYZ
    dof rx ry rz
    limits (-180 180)
           (-180 180)
           (-180 180)
  end
  begin
     id 2
     name lower
     direction 1 0 0
     length 1
     axis 0 0 0 XYZ
    dof rz rx
  end
:hierarchy
  begin
    root upper
    upper lower
  end
"""

TINY_AMC = """# hand-written
:FULLY-SPECIFIED
:DEGREES
1
root 1 2 3 0 0 0
upper 0 0 0
lower 0 0
2
root 1 2 3 0 0 0
upper 0 30 0
lower 90 0
3
root 1 2 3 0 0 0
upper 0 30 0
lower 90 90
4
root 1 2 3 0 90 0
upper 0 0 0
lower 0 0
"""


def _raw_asf(path):
    """Independent reading of an ASF: bone -> (direction x length, parent), by regular expressions."""
    with gzip.open(path, "rt", encoding="latin-1") as f:
        text = f.read()
    bones = {}
    for blk in re.findall(r"begin(.*?)end", text.split(":bonedata")[1].split(":hierarchy")[0], re.S):
        name = re.search(r"name\s+(\S+)", blk).group(1)
        d = np.array([float(x) for x in re.search(r"direction\s+(\S+)\s+(\S+)\s+(\S+)", blk).groups()])
        ln = float(re.search(r"length\s+(\S+)", blk).group(1))
        bones[name] = d * ln
    parent = {}
    for line in text.split(":hierarchy")[1].splitlines():
        t = line.split()
        if len(t) > 1 and t[0] != "begin":
            for c in t[1:]:
                parent[c] = t[0]
    return bones, parent


def _rest_start(bones, parent, name):
    """Rest-pose start of a bone (root at the origin), ASF units: sum of the vectors above it."""
    p, out = parent[name], np.zeros(3)
    while p != "root":
        out += bones[p]
        p = parent[p]
    return out


class TestAsfReader(unittest.TestCase):
    def test_hand_computed_forward_kinematics(self):
        m = asf.from_text(TINY_ASF, TINY_AMC)
        self.assertEqual(m.names, ["root", "upper", "lower"])
        self.assertAlmostEqual(m.length_unit, 0.45)
        _, g_p = m.fk()
        end = g_p[:, 2] + np.einsum("fij,j->fi", m.fk()[0][:, 2], m.end_sites[2])
        s3 = math.sqrt(3.0)
        # frame 1: rest pose: the lower bone starts 2 up and ends 1 along +X
        np.testing.assert_allclose(g_p[0, 2], [1, 4, 3], atol=1e-12)
        np.testing.assert_allclose(end[0], [2, 4, 3], atol=1e-12)
        # frame 2: upper turns 30 deg about its local Y = world -X (axis 0 0 90: C = Rz(90)), i.e.
        # Rx(-30): (0, 2, 0) -> (0, sqrt 3, -1); lower turns 90 deg about Z: (1, 0, 0) -> (0, 1, 0),
        # then by the upper's Rx(-30) -> (0, sqrt 3 / 2, -1/2)
        np.testing.assert_allclose(g_p[1, 2], [1, 2 + s3, 2], atol=1e-12)
        np.testing.assert_allclose(end[1], [1, 2 + s3 + s3 / 2, 1.5], atol=1e-12)
        # frame 3: "dof rz rx" = Z first, then X about the fixed axis: (1,0,0) -> (0,1,0) -> (0,0,1);
        # then Rx(-30): (0, 1/2, sqrt 3 / 2)
        np.testing.assert_allclose(end[2], [1, 2 + s3 + 0.5, 2 + s3 / 2], atol=1e-12)
        # frame 4: root RY 90: (0, 2, 0) stays, (1, 0, 0) -> (0, 0, -1)
        np.testing.assert_allclose(end[3], [1, 4, 2], atol=1e-12)

    def test_root_order_and_radians(self):
        a = TINY_ASF.replace("order TX TY TZ RX RY RZ", "order RZ TX RX TY RY TZ").replace("angle deg", "angle rad")
        amc = ":FULLY-SPECIFIED\n:RADIANS\n1\nroot %r 1 0 2 0 3\nupper 0 0 0\nlower 0 0\n" % (math.pi / 2)
        m = asf.from_text(a, amc)
        g_r, g_p = m.fk()
        np.testing.assert_allclose(g_p[0, 0], [1, 2, 3], atol=1e-12)
        np.testing.assert_allclose(g_r[0, 0], rot.axis_matrix("Z", 90.0), atol=1e-12)
        with self.assertRaises(asf.AsfError):     # AMC in degrees for a skeleton in radians
            asf.from_text(a, TINY_AMC)

    def test_malformed_input_refused(self):
        with self.assertRaises(asf.AsfError):
            asf.from_text(TINY_ASF, TINY_AMC.replace("lower 90 90", "lower 90"))          # wrong count
        with self.assertRaises(asf.AsfError):
            asf.from_text(TINY_ASF, TINY_AMC.replace("lower 0 0\n2", "2"))                # not fully specified
        with self.assertRaises(asf.AsfError):
            asf.from_text(TINY_ASF.replace("upper lower", "upper elbow"), TINY_AMC)       # unknown bone

    def test_amc_zeros_are_the_asf_rest_pose(self):
        path = common.data_file("hdm05/HDM_bd.asf.gz")
        a = asf.load_asf(path)
        nch = len(a.root_order) + sum(len(a.bones[b]["dof"]) for b in a.bone_order)
        m = asf.AsfMotion(a, np.zeros((1, nch)), asf.parse_amc(":FULLY-SPECIFIED\n", a)[1])
        g_r, g_p = m.fk()
        np.testing.assert_allclose(g_r[0], np.broadcast_to(np.eye(3), g_r[0].shape), atol=1e-12)
        bones, parent = _raw_asf(path)
        self.assertEqual(len(bones), 30)
        for name in bones:
            np.testing.assert_allclose(g_p[0, m.index(name)], _rest_start(bones, parent, name), atol=1e-5,
                                       err_msg=name)

    def test_skeleton_found_by_name(self):
        self.assertTrue(asf.find_skeleton(common.data_file(common.HDM_SQUAT)).endswith("HDM_bd.asf.gz"))
        self.assertTrue(asf.find_skeleton(common.data_file(common.HDM_TEST)).endswith("HDM_mm.asf.gz"))


class TestHdm05Import(unittest.TestCase):
    def test_rest_pose_through_the_importer(self):
        """An AMC of zeros (root lifted to stand on the floor) gives the ASF rest pose, turned to face -Z,
        with the legs hanging straight: every canonical joint sits where the ASF rest pose has its
        source joint, and the non-leg joint frames are the identity."""
        asf_path = common.data_file("hdm05/HDM_bd.asf.gz")
        a = asf.load_asf(asf_path)
        bones, parent = _raw_asf(asf_path)
        lift = -min(_rest_start(bones, parent, b)[1] for b in ("ltoes", "rtoes")) + 0.03 / UNIT
        lines = [":FULLY-SPECIFIED", ":DEGREES"]
        for f in range(1, 121):
            lines.append(str(f))
            lines.append("root %r %r 0 0 0 0" % (0.001 * f, lift))   # creeping along X: not frozen
            lines += ["%s %s" % (b, " ".join("0" for _ in a.bones[b]["dof"])) for b in a.bone_order if a.bones[b]["dof"]]
        with tempfile.TemporaryDirectory() as d:
            os.symlink(asf_path, os.path.join(d, "HDM_bd.asf.gz"))      # read in place
            amc = os.path.join(d, "HDM_bd_zero_001_120.amc")
            with open(amc, "w") as f:
                f.write("\n".join(lines) + "\n")
            im = importer.import_clip(amc, "hdm05", importer.load_tables())
        self.assertEqual(im.table, "hdm05")
        self.assertEqual(im.fps, 120.0)
        self.assertEqual(im.floor_shift, 0.0)
        loc = rot.quat_to_matrix(im.local_quat)
        pos, glob_m = skeleton.fk(loc, im.root, im.offsets, local=True)
        turn = np.diag([-1.0, 1.0, -1.0])                       # +Z-facing source -> -Z-facing canonical
        legs = [skeleton.INDEX[n] for n in ("left_thigh", "left_shin", "right_thigh", "right_shin")]
        table = [t for t in importer.load_tables() if t["source"] == "hdm05"][0]
        for j, name in enumerate(skeleton.NAMES):
            spec = table["joints"][name]
            src = _rest_start(bones, parent, spec["joint"]) if spec["joint"] != "root" else np.zeros(3)
            src = src + spec.get("along", 0.0) * bones.get(spec["joint"], np.zeros(3))
            want = UNIT * (turn @ (src + [0.001, lift, 0]))
            np.testing.assert_allclose(pos[0, j], want, atol=1e-6, err_msg=name)
            if j not in legs:
                np.testing.assert_allclose(glob_m[0, j], np.eye(3), atol=1e-9, err_msg=name)
            else:   # the ASF rest pose splays each leg 20 degrees out; its canonical frame hangs straight
                ang = np.degrees(rot.matrix_angle(np.eye(3), glob_m[0, j]))
                self.assertAlmostEqual(ang, 20.0, delta=0.01, msg=name)
        rel = pos - pos[:, :1]
        np.testing.assert_allclose(rel, np.broadcast_to(rel[:1], rel.shape), atol=1e-12)

    def test_bone_lengths_are_the_asf_lengths(self):
        bones, _ = _raw_asf(common.data_file("hdm05/HDM_bd.asf.gz"))
        clip = common.built(common.HDM_SQUAT)
        bl = skeleton.bone_lengths(clip.truth_pos.astype(np.float64))
        spread = bl.max(axis=0) - bl.min(axis=0)
        self.assertLess(spread[1:].max(), 2e-5)                  # constant over the clip (float32)
        length = {b: np.linalg.norm(v) for b, v in bones.items()}
        want = {
            "left_thigh": length["lhipjoint"], "right_thigh": length["rhipjoint"],
            "left_shin": length["lfemur"], "right_shin": length["rfemur"],
            "left_foot": length["ltibia"], "right_foot": length["rtibia"],
            "left_toes": length["lfoot"], "right_toes": length["rfoot"],
            "left_collar": length["thorax"], "right_collar": length["thorax"], "left_upper_arm": length["lclavicle"],
            "left_forearm": length["lhumerus"], "right_forearm": length["rhumerus"],
            "right_upper_arm": length["rclavicle"], "neck": length["thorax"],
            "spine": 0.1 * length["lowerback"],
            # merged bones: the straight line over the chain
            "chest": np.linalg.norm(0.9 * bones["lowerback"] + bones["upperback"]),
            "head": np.linalg.norm(bones["lowerneck"] + bones["upperneck"]),
            "left_hand": np.linalg.norm(bones["lradius"] + bones["lwrist"]),
            "right_hand": np.linalg.norm(bones["rradius"] + bones["rwrist"]),
        }
        for name, ln in want.items():
            self.assertAlmostEqual(bl[0, skeleton.INDEX[name]], ln * UNIT, delta=2e-5, msg=name)
        self.assertEqual(len(want), skeleton.J - 1)

    def test_real_clip_on_the_floor_upright_and_facing_its_way(self):
        clip = common.built(common.HDM_JOG)
        p = clip.truth_pos.astype(np.float64)
        feet = p[:, skeleton.FEET, 1].min(axis=1)
        self.assertLess(abs(np.percentile(feet, 10) - 0.03), 0.03)      # floor at y = 0
        self.assertGreater(feet.min(), -0.03)
        self.assertTrue(1.35 < np.median(p[:, skeleton.HEAD, 1]) < 1.75)  # metres, +Y up
        v = np.gradient(p[:, 0], axis=0)[:, [0, 2]]
        fwd = -rot.quat_to_matrix(clip.truth_quat[:, 0].astype(np.float64))[:, [0, 2], 2]
        cos = np.sum(v * fwd, axis=1) / np.linalg.norm(v, axis=1) / np.linalg.norm(fwd, axis=1)
        self.assertGreater(np.mean(cos), 0.9)                            # jogs where the hips face
        self.assertEqual(clip.meta["original_fps"], 120.0)
        self.assertEqual(clip.frames, (common.imported(common.HDM_JOG).frames - 1) // 2 + 1)
        self.assertLess(common.imported(common.HDM_JOG).fk_residual, 0.03)

    def test_grip_axes_on_a_standing_actor(self):
        """Arms hanging at the start of a deposit: both grips have +X to the actor's right and -Z
        forward, as on Bandai (docs/data.md, "Device signals"): the ASF hand frames convert right."""
        clip = common.built("hdm05/HDM_mm_depositFloorR_020_120.amc.gz")
        g = rot.quat_to_matrix(clip.truth_quat[0].astype(np.float64))
        offs = np.asarray(clip.meta["skeleton"]["offsets_m"])
        for n in ("left_upper_arm", "right_upper_arm", "left_forearm", "right_forearm"):
            bone = g[skeleton.INDEX[n]] @ offs[skeleton.INDEX[n] + 1]
            self.assertLess(bone[1] / np.linalg.norm(bone), -0.9, n)
        right, fwd = g[0][:, 0], -g[0][:, 2]
        for k in (1, 2):
            grip = rot.quat_to_matrix(clip.dev_quat[0, k].astype(np.float64))
            self.assertGreater(grip[:, 0] @ right, 0.5)
            self.assertGreater(-grip[:, 2] @ fwd, 0.5)

    def test_hdm05_rules(self):
        with self.assertRaises(importer.Skip) as cm:
            common.imported("hdm05/HDM_bk_hopBothLegs1hops_020_120.amc.gz")
        self.assertEqual(cm.exception.rule, "too-short")
        im = common.imported("hdm05/HDM_mm_kickLFront1Reps_023_120.amc.gz")
        self.assertIn("foot-levels", [r for r, _ in im.notes])
        self.assertEqual(im.floor_shift, 0.0)        # the floor is where the left foot rests
        im = common.imported("hdm05/HDM_tr_grabHighR_025_120.amc.gz")
        self.assertIn("frozen-frames", [r for r, _ in im.notes])
        # the right femur's Euler angles jump from (23.6, -48.1, -141.1) to (157.1, 47.6, 37.2) in one
        # frame and back 19 frames later: a 180 degree twist about the bone, the knee bent past its
        # limit to make up for it (a data glitch, whichever Euler order one assumes): turned back
        im = common.imported("hdm05/HDM_dg_squat1Reps_030_120.amc.gz")
        flips = [n for r, n in im.notes if r == "rotation-flip"]
        self.assertIn("right_thigh flipped by 180 deg over frames 78-96", flips[0])
        # the knee bends one way over the whole squat (about -X), never past its limit the other way
        q = im.local_quat[:, skeleton.INDEX["right_shin"]]
        q = q * np.sign(q[:, 3:4])
        bent = np.degrees(2 * np.arccos(np.clip(q[:, 3], -1, 1))) > 30
        self.assertTrue(bent[78:97].all())
        self.assertTrue((q[bent, 0] < 0).all())

    def test_split_and_subgroup(self):
        names = [build.clip_name(os.path.basename(p)) for p in build.list_clips(common.DATA, "hdm05")]
        self.assertEqual(len(names), 288)
        for n in names:
            sub = split.subgroup("hdm05", n)
            self.assertEqual(split.split_of("hdm05", n), "test" if sub["actor"] in ("mm", "tr") else "train")
            self.assertEqual(sub["fps_in_name"], 120)
        self.assertEqual(split.subgroup("hdm05", "HDM_bd_squat1Reps_001_120"),
                         {"actor": "bd", "motion": "squat1Reps", "take": 1, "fps_in_name": 120})


if __name__ == "__main__":
    unittest.main()
