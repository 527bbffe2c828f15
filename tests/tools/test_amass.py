"""AMASS import: a small synthetic SMPL-H/SMPL-X body model and motion files, written in the
test with AMASS's keys and shapes, against forward kinematics computed here by hand."""
import os
import tempfile
import unittest

import numpy as np

from tests.tools import common  # noqa: F401  (puts tools/ on sys.path)
from kinestpy import amass, build, clipio, importer, protocols, rot, skeleton, smpl

# rest joints of the synthetic body (model frame: Y up, facing +Z, the body's left at +X)
REST = np.array([
    [0, 0, 0], [0.09, -0.08, 0], [-0.09, -0.08, 0], [0, 0.11, -0.01], [0.10, -0.47, 0.01], [-0.10, -0.47, 0.01],
    [0, 0.25, 0], [0.09, -0.88, -0.03], [-0.09, -0.88, -0.03], [0, 0.31, 0.01], [0.11, -0.94, 0.09],
    [-0.11, -0.94, 0.09], [0, 0.52, -0.02], [0.07, 0.43, -0.01], [-0.07, 0.43, -0.01], [0, 0.60, 0.03],
    [0.18, 0.46, -0.02], [-0.18, 0.46, -0.02], [0.44, 0.44, -0.04], [-0.44, 0.44, -0.04], [0.69, 0.45, -0.04],
    [-0.69, 0.45, -0.04]])
PARENTS = [-1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19]
# canonical joint -> SMPL body joint it sits on (docs/data.md, "AMASS")
CANON_TO_SMPL = {"hips": 0, "spine": 3, "chest": 9, "neck": 12, "head": 15, "left_collar": 13,
                 "left_upper_arm": 16, "left_forearm": 18, "left_hand": 20, "right_collar": 14,
                 "right_upper_arm": 17, "right_forearm": 19, "right_hand": 21, "left_thigh": 1, "left_shin": 4,
                 "left_foot": 7, "left_toes": 10, "right_thigh": 2, "right_shin": 5, "right_foot": 8,
                 "right_toes": 11}
SPINE2 = 6


def write_body_model(path, n_joints, seed):
    """SMPL-family .npz: 3 vertices around each joint (the regressor averages them), 8 loose
    vertices, a random shape blend of 16 components, a kintree with extra (hand) joints."""
    rng = np.random.default_rng(seed)
    jts = np.concatenate([REST, REST[20:22].repeat((n_joints - 22) // 2, axis=0) + 0.05])
    v = np.concatenate([(jts[:, None, :] + rng.normal(0, 0.01, (n_joints, 3, 3))).reshape(-1, 3),
                        rng.normal(0, 0.3, (8, 3))])
    jr = np.zeros((n_joints, len(v)))
    for j in range(n_joints):
        jr[j, 3 * j:3 * j + 3] = 1.0 / 3.0
    kt = np.zeros((2, n_joints), np.int64)
    kt[0] = PARENTS + [20 + (k % 2) for k in range(n_joints - 22)]
    kt[0, 0] = 4294967295           # SMPL's "no parent"
    kt[1] = np.arange(n_joints)
    np.savez(path, v_template=v, shapedirs=rng.normal(0, 0.003, (len(v), 3, 16)), J_regressor=jr,
             kintree_table=kt, f=np.zeros((1, 3), np.int64), weights=np.zeros((len(v), n_joints)))


def motion_arrays(frames, fps, width, seed, spine2=True):
    """poses (axis-angle, root first), trans: a body standing in AMASS's Z-up world (root turned
    +90 deg about X), turning and swaying, every joint moving smoothly."""
    rng = np.random.default_rng(seed)
    t = np.arange(frames) / fps
    poses = np.zeros((frames, width))
    yaw = 0.4 * np.sin(2 * np.pi * 0.3 * t)
    r_root = rodrigues(np.stack([np.zeros_like(yaw), np.zeros_like(yaw), yaw], -1)) @ rodrigues(
        np.array([np.pi / 2, 0, 0]))
    poses[:, :3] = rot_to_vec(r_root)
    for j in range(1, 22):
        axis = rng.normal(size=3)
        axis /= np.linalg.norm(axis)
        amp = 0.15 if j in (1, 2, 4, 5, 7, 8, 10, 11) else 0.35
        poses[:, 3 * j:3 * j + 3] = (amp * np.sin(2 * np.pi * rng.uniform(0.5, 1.2) * t + rng.uniform(0, 6)))[:,
                                                                                                          None] * axis
    if not spine2:
        poses[:, 3 * SPINE2:3 * SPINE2 + 3] = 0.0
    poses[:, 66:] = rng.normal(0, 0.2, (frames, width - 66))      # hands, jaw, eyes: not body joints
    trans = np.stack([0.4 * t, 0.05 * np.sin(t), 0.95 + 0.02 * np.sin(3 * t)], -1)
    return poses, trans


def rodrigues(v):
    """exp of the skew matrix: I + sin(a) K + (1 - cos(a)) K^2, written out here on purpose."""
    v = np.asarray(v, float)
    a = np.linalg.norm(v, axis=-1)[..., None, None]
    k = np.zeros(v.shape[:-1] + (3, 3))
    k[..., 0, 1], k[..., 0, 2], k[..., 1, 2] = -v[..., 2], v[..., 1], -v[..., 0]
    k = k - np.swapaxes(k, -1, -2)
    kn = k / np.where(a > 0, a, 1)
    return np.eye(3) + np.sin(a) * kn + (1 - np.cos(a)) * kn @ kn


def rot_to_vec(r):
    ang = np.arccos(np.clip((np.trace(r, axis1=-2, axis2=-1) - 1) / 2, -1, 1))
    w = np.stack([r[..., 2, 1] - r[..., 1, 2], r[..., 0, 2] - r[..., 2, 0], r[..., 1, 0] - r[..., 0, 1]], -1)
    return w / (2 * np.sin(ang))[..., None] * ang[..., None]


def hand_fk(model_path, poses, trans, betas):
    """Joint positions (F, 22, 3) in AMASS's world: J = J_regressor (v_template + shapedirs beta),
    G_j = G_parent R_j, p_j = p_parent + G_parent (J_j - J_parent), pelvis at trans + J_0."""
    z = np.load(model_path)
    nb = min(len(betas), z["shapedirs"].shape[-1])
    rest = z["J_regressor"][:22] @ (z["v_template"] + z["shapedirs"][:, :, :nb] @ betas[:nb])
    r = rodrigues(poses[:, :66].reshape(-1, 22, 3))
    g = np.zeros_like(r)
    p = np.zeros((len(poses), 22, 3))
    for j, par in enumerate(PARENTS):
        if par < 0:
            g[:, j], p[:, j] = r[:, j], trans + rest[0]
        else:
            g[:, j] = g[:, par] @ r[:, j]
            p[:, j] = p[:, par] + g[:, par] @ (rest[j] - rest[par])
    return p


def to_openxr(p):
    """AMASS Z-up -> OpenXR Y-up: (x, y, z) -> (x, z, -y)."""
    return np.stack([p[..., 0], p[..., 2], -p[..., 1]], -1)


def write_motion(path, poses, trans, betas, gender, fps, rate_key):
    np.savez(path, poses=poses, trans=trans, betas=betas, gender=np.array(gender), dmpls=np.zeros((len(poses), 8)),
             **{rate_key: np.array(fps)})


class TestAmassImport(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        d = cls.tmp.name
        cls.models = os.path.join(d, "body_models")
        for kind, n, seed in (("smplh", 52, 1), ("smplx", 56, 2)):
            for g in ("male", "female"):
                os.makedirs(os.path.join(cls.models, kind, g))
                write_body_model(os.path.join(cls.models, kind, g, "model.npz"), n, seed + len(g))
        cls.betas = np.random.default_rng(5).normal(0, 1.0, 16)
        cls.amass = os.path.join(d, "amass")
        cls.files = {}
        specs = [("CMU/01/01_01_poses.npz", 156, "male", 120.0, "mocap_framerate", 11),
                 ("CMU/02/02_03_poses.npz", 156, "female", 60.0, "mocap_framerate", 12),
                 ("BioMotionLab_NTroje/rub001/0000_walk_poses.npz", 156, "male", 60.0, "mocap_framerate", 13),
                 ("MPI_HDM05/bk/HDM_bk_01-01_01_120_poses.npz", 165, "female", 60.0, "mocap_frame_rate", 14)]
        for rel, width, gender, fps, key, seed in specs:
            path = os.path.join(cls.amass, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            poses, trans = motion_arrays(int(2 * fps), fps, width, seed, spine2=False)
            write_motion(path, poses, trans, cls.betas, gender, fps, key)
            cls.files[rel] = (path, poses, trans, gender, "smplx" if width == 165 else "smplh")
        np.savez(os.path.join(cls.amass, "CMU", "01", "shape.npz"), betas=cls.betas, gender=np.array("male"))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def model_file(self, rel):
        _, _, _, gender, kind = self.files[rel]
        return os.path.join(self.models, kind, gender, "model.npz")

    def test_source_joints_are_hand_computed_fk(self):
        """Every one of the 22 body joints, every joint turning (spine2 too), SMPL-H and SMPL-X."""
        for rel, width in (("CMU/01/01_01_poses.npz", 156), ("MPI_HDM05/bk/HDM_bk_01-01_01_120_poses.npz", 165)):
            poses, trans = motion_arrays(90, 60.0, width, 21, spine2=True)
            path = os.path.join(self.tmp.name, "free.npz")
            _, _, _, gender, kind = self.files[rel]
            write_motion(path, poses, trans, self.betas, gender, 60.0, "mocap_frame_rate")
            src = amass.load(path, self.models)
            _, pos = src.fk()
            want = hand_fk(self.model_file(rel), poses, trans, self.betas)
            np.testing.assert_allclose(pos, want, atol=1e-9, err_msg=rel)
            self.assertEqual(src.names, smpl.BODY_JOINTS)

    def test_shape_changes_the_skeleton(self):
        """The betas reach the joints through the shape blend (a zero-shape body differs)."""
        path, _, _, _, _ = self.files["CMU/01/01_01_poses.npz"]
        model = smpl.load(self.model_file("CMU/01/01_01_poses.npz"))
        moved = np.linalg.norm(model.rest_joints(self.betas) - model.rest_joints(np.zeros(16)), axis=1)
        self.assertGreater(moved.max(), 0.002)
        src = amass.load(path, self.models)
        np.testing.assert_allclose(np.asarray(src.offsets[1:]), (model.rest_joints(self.betas) -
                                   model.rest_joints(self.betas)[PARENTS][:])[1:], atol=1e-12)

    def test_canonical_joints_in_openxr_coordinates(self):
        """Imported canonical skeleton: each canonical joint on its SMPL joint, Z-up turned Y-up."""
        tables = importer.load_tables()
        for rel in ("CMU/01/01_01_poses.npz", "MPI_HDM05/bk/HDM_bk_01-01_01_120_poses.npz"):
            path, poses, trans, _, _ = self.files[rel]
            im = importer.import_clip(path, amass.TABLE_FOLDER, tables,
                                      reader=lambda p: amass.load(p, self.models))
            self.assertEqual(im.table, "amass-smpl")
            pos = skeleton.fk(rot.quat_to_matrix(im.local_quat), im.root, im.offsets, local=True)[0]
            want = to_openxr(hand_fk(self.model_file(rel), poses, trans, self.betas))
            want[..., 1] += im.floor_shift
            for name, j in CANON_TO_SMPL.items():
                np.testing.assert_allclose(pos[:, skeleton.INDEX[name]], want[:, j], atol=1e-6,
                                           err_msg="%s %s" % (rel, name))
            # standing upright in Y-up: the head is above the hips, the feet near the floor
            self.assertGreater(float(np.mean(pos[:, skeleton.HEAD, 1] - pos[:, 0, 1])), 0.4)
            self.assertLess(float(np.abs(pos[:, skeleton.FEET, 1].min(axis=1)).mean()), 0.1)
            # the rest bones point the canonical way (aimed along the T-pose axes)
            for name, d in skeleton.REST_DIRECTIONS.items():
                o = im.offsets[skeleton.INDEX[name]]
                self.assertLess(np.degrees(np.arccos(np.dot(o, d) / np.linalg.norm(o))), 25.0, name)

    def test_build_writes_clips_by_protocol_2(self):
        out = os.path.join(self.tmp.name, "build-p2")
        idx = build.run(None, out, workers=1, log=lambda s: None,
                        amass={"root": self.amass, "body_model": self.models, "protocol": 2, "holdout": "HDM05"})
        self.assertEqual(len(idx["clips"]), 4, idx["skipped"])
        by_motion = {e["subgroup"]["motion"]: e for e in idx["clips"].values()}
        self.assertEqual(by_motion["bk/HDM_bk_01-01_01_120_poses.npz"]["split"], "test")
        self.assertEqual({e["split"] for e in idx["clips"].values() if e["source"] != "amass/HDM05"} - {"validation"},
                         {"train"})
        self.assertEqual({e["source"] for e in idx["clips"].values()}, {"amass/CMU", "amass/BMLrub", "amass/HDM05"})
        # a 60 fps motion is written tick for tick: truth joints = hand FK in OpenXR, devices on the body
        rel = "BioMotionLab_NTroje/rub001/0000_walk_poses.npz"
        e = by_motion["rub001/0000_walk_poses.npz"]
        clip = clipio.read(os.path.join(out, e["path"]))
        _, poses, trans, _, _ = self.files[rel]
        want = to_openxr(hand_fk(self.model_file(rel), poses, trans, self.betas))
        shift = clip.meta["import"]["floor_shift_m"]
        want[..., 1] += shift
        self.assertEqual(clip.frames, len(poses))
        for name, j in CANON_TO_SMPL.items():
            np.testing.assert_allclose(clip.truth_pos[:, skeleton.INDEX[name]], want[:, j], atol=2e-4, err_msg=name)
        head = clip.dev_pos[:, 0]
        self.assertLess(float(np.linalg.norm(head - clip.truth_pos[:, skeleton.HEAD], axis=1).max()), 0.25)

    def test_protocol_1_reads_avatarposer_lists(self):
        lists = os.path.join(self.tmp.name, "data_split")
        prefix = "/home/someone/Datasets/amass"
        content = {"CMU": (["CMU/01/01_01_poses.npz", "CMU/09/09_01_poses.npz"], ["CMU/02/02_03_poses.npz"]),
                   "BioMotionLab_NTroje": (["BioMotionLab_NTroje/rub001/0000_walk_poses.npz"], []),
                   "MPI_HDM05": ([], ["MPI_HDM05/bk/HDM_bk_01-01_01_120_poses.npz"])}
        for sub, (train, test) in content.items():
            os.makedirs(os.path.join(lists, sub))
            for phase, rels in (("train", train), ("test", test)):
                with open(os.path.join(lists, sub, phase + "_split.txt"), "w") as f:
                    f.write("".join("%s/%s\n" % (prefix, r) for r in rels))
        found = amass.motions(self.amass)
        self.assertNotIn("shape.npz", [os.path.basename(p) for _, _, p in found])
        splits, notes = protocols.assign(found, 1, lists)
        got = {rel: s for (_, rel, _), s in zip(found, splits)}
        self.assertEqual(got["02/02_03_poses.npz"], "test")
        self.assertEqual(got["bk/HDM_bk_01-01_01_120_poses.npz"], "test")
        self.assertIn(got["01/01_01_poses.npz"], ("train", "validation"))
        self.assertIn("1 listed motions are not in this AMASS folder", " ".join(notes))
        with self.assertRaises(protocols.ProtocolError):
            protocols.assign(found, 1, None)

    def test_unreadable_motion_is_skipped_by_rule(self):
        bad = os.path.join(self.tmp.name, "bad.npz")
        np.savez(bad, poses=np.zeros((10, 50)), trans=np.zeros((10, 3)), mocap_framerate=np.array(60.0))
        with self.assertRaises(importer.Skip) as cm:
            importer.import_clip(bad, amass.TABLE_FOLDER, importer.load_tables(),
                                 reader=lambda p: amass.load(p, self.models))
        self.assertEqual(cm.exception.rule, "unreadable")
        with self.assertRaises(amass.AmassError):
            amass.load(self.files["CMU/01/01_01_poses.npz"][0], os.path.join(self.tmp.name, "nowhere"))


if __name__ == "__main__":
    unittest.main()
