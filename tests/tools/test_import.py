"""Import of real clips: canonical skeleton, OpenXR frame, floor, quirk rules, resampling."""
import unittest

import numpy as np

from tests.tools import common
from kinestpy import importer, resample, rot, skeleton


def yaw_free(glob_m, hips_m):
    """Orientations with the hips' heading removed (rotation about +Y)."""
    fwd = -hips_m[:, 2]
    yaw = np.arctan2(-fwd[0], -fwd[2])
    c, s = np.cos(-yaw), np.sin(-yaw)
    ry = np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])
    return ry @ glob_m


class TestCanonicalSkeleton(unittest.TestCase):
    def test_bone_lengths_constant_over_clip(self):
        for rel in (common.WALK, common.CMU_WALK):
            clip = common.built(rel)
            bl = skeleton.bone_lengths(clip.truth_pos.astype(np.float64))[:, 1:]
            spread = bl.max(axis=0) - bl.min(axis=0)
            self.assertLess(spread.max(), 2e-5, rel)   # float32 storage, metres
            offs = np.asarray(clip.meta["skeleton"]["offsets_m"])
            np.testing.assert_allclose(bl[0], np.linalg.norm(offs, axis=1)[1:], atol=2e-5)

    def test_rest_bones_point_the_canonical_way(self):
        for rel in (common.WALK, common.CMU_WALK, "cmu-sample/16_01.bvh.gz", common.CMU24_WALK, common.HDM_SQUAT,
                    common.HDM_TEST):
            offs = common.imported(rel).offsets
            for name, d in skeleton.REST_DIRECTIONS.items():
                o = offs[skeleton.INDEX[name]]
                ang = np.degrees(np.arccos(np.dot(o, d) / np.linalg.norm(o)))
                self.assertLess(ang, 25.0, "%s %s rest bone %s is %.0f deg off %s" % (rel, name, o, ang, d))

    def test_standing_head_height_of_bandai_actors(self):
        # head joint (skull base) of an adult: roughly 1.30 m (1.45 m tall) .. 1.85 m (2.0 m tall)
        for rel in (common.WALK, common.BOW):
            h = common.imported(rel).standing_height
            self.assertGreater(h, 1.30, rel)
            self.assertLess(h, 1.85, rel)
        # and the real head of the actor standing at the start of the bow is close to it
        clip = common.built(common.BOW)
        head_y = float(clip.truth_pos[0, skeleton.HEAD, 1])
        self.assertLess(abs(head_y - common.imported(common.BOW).standing_height), 0.06)

    def test_standing_frame_is_near_rest(self):
        """Rest frames are converted: a person standing upright has torso and legs near identity."""
        for rel in (common.BOW, "cmu-sample/13_11.bvh.gz"):   # both start standing
            clip = common.built(rel)
            g = rot.quat_to_matrix(clip.truth_quat[:1].astype(np.float64))[0]
            g = yaw_free(g, g[0])
            for name in ("hips", "spine", "chest", "neck", "head", "left_thigh", "right_thigh",
                         "left_shin", "right_shin"):
                ang = np.degrees(rot.matrix_angle(np.eye(3), g[skeleton.INDEX[name]]))
                self.assertLess(ang, 30.0, "%s: %s is %.0f deg from the rest frame" % (rel, name, ang))
            # arms hang down: the upper arm turned ~60..100 deg from the T-pose
            for name in ("left_upper_arm", "right_upper_arm"):
                bone = g[skeleton.INDEX[name]] @ common.imported(rel).offsets[skeleton.INDEX[name] + 1]
                self.assertLess(bone[1] / np.linalg.norm(bone), -0.7, "%s: %s does not hang" % (rel, name))

    def test_openxr_axes_and_floor(self):
        clip = common.built(common.WALK)
        p = clip.truth_pos.astype(np.float64)
        self.assertGreater(p[:, skeleton.HEAD, 1].min(), 1.2)          # +Y up, metres
        feet = p[:, skeleton.FEET, 1].min(axis=1)
        self.assertLess(abs(np.percentile(feet, 10) - 0.042), 0.02)    # toes on the floor at y = 0
        self.assertGreater(feet.min(), -0.02)
        # the actor walks where the body faces: -Z of the hips along the mean velocity
        v = p[-1, 0] - p[0, 0]
        fwd = -rot.quat_to_matrix(clip.truth_quat[:, 0].astype(np.float64))[:, :, 2].mean(axis=0)
        self.assertGreater(np.dot(v[[0, 2]], fwd[[0, 2]]) / np.linalg.norm(v[[0, 2]]) / np.linalg.norm(fwd[[0, 2]]), 0.8)


class TestQuirkRules(unittest.TestCase):
    def test_bandai_hips_offset_ignored(self):
        im = common.imported(common.WALK)
        rules = [r for r, _ in im.notes]
        self.assertIn("root-offset", rules)
        self.assertLess(abs(im.root[:, 1].mean() - 0.93), 0.1)  # hips height from the channels

    def test_cmu_other_skeleton(self):
        im = common.imported("cmu-sample/16_01.bvh.gz")
        self.assertEqual(im.table, "cmu-asf")
        self.assertIn("skeleton-variant", [r for r, _ in im.notes])
        # Frame Time says 30 fps; the jump's free fall says 120 (the data README)
        self.assertEqual(im.fps, 120.0)
        self.assertIn("g/16 at the file's 30 fps", dict(im.notes)["free-fall-rate"])
        pos = skeleton.fk(rot.quat_to_matrix(im.local_quat), im.root, im.offsets, local=True)[0]
        self.assertLess(abs(importer.free_fall_gravity(pos, im.fps) - 9.81), 1.0)
        self.assertGreater(im.standing_height, 1.3)   # 5.644 cm units converted

    def test_cmu_24fps_folder(self):
        """`cmu`: 24 fps, root channel order Z X Y read from CHANNELS, toes on the foot End Sites."""
        im = common.imported(common.CMU24_WALK)
        self.assertEqual((im.table, im.fps), ("cmu", 24.0))
        self.assertNotIn("reference-tpose", [r for r, _ in im.notes])   # its T-pose frame is already gone
        clip = common.built(common.CMU24_WALK)
        p = clip.truth_pos.astype(np.float64)
        feet = p[:, skeleton.FEET, 1].min(axis=1)
        self.assertLess(abs(np.median(feet) - 0.05), 0.04)             # on the floor
        self.assertGreater(p[:, skeleton.HEAD, 1].min(), 1.3)
        # walking forward (there and back): hips -Z along the velocity whenever the hips move
        # (a wrong root channel order would turn the body off its path)
        v = np.gradient(p[:, 0, [0, 2]], axis=0)
        fwd = -rot.quat_to_matrix(clip.truth_quat[:, 0].astype(np.float64))[:, [0, 2], 2]
        moving = np.linalg.norm(v, axis=1) * resample.OUT_RATE > 0.5
        cos = np.sum(v * fwd, axis=1) / np.linalg.norm(v, axis=1) / np.linalg.norm(fwd, axis=1)
        self.assertGreater(np.median(cos[moving]), 0.95)
        toe = p[:, skeleton.INDEX["left_toes"]] - p[:, skeleton.INDEX["left_foot"]]
        self.assertTrue(0.10 < np.linalg.norm(toe, axis=1).mean() < 0.16)

    def test_cmu_broken_root_refused(self):
        with self.assertRaises(importer.Skip) as cm:
            common.imported("cmu-sample/07_12.bvh.gz")
        self.assertIn(cm.exception.rule, ("broken-root", "root-jump"))

    def test_cmu_floor_offset_fixed(self):
        im = common.imported("cmu-sample/08_07.bvh.gz")
        self.assertIn("floor-offset", [r for r, _ in im.notes])
        self.assertGreater(im.floor_shift, 0.07)
        clip = common.built("cmu-sample/08_07.bvh.gz")
        feet = clip.truth_pos[:, skeleton.FEET, 1].min(axis=1)
        self.assertGreater(np.median(feet), 0.0)

    def test_cmu_uneven_floor_refused(self):
        with self.assertRaises(importer.Skip) as cm:
            common.imported("cmu-sample/03_01.bvh.gz")
        self.assertEqual(cm.exception.rule, "uneven-floor")

    def test_cmu_reference_tpose_dropped(self):
        im = common.imported(common.CMU_WALK)
        self.assertIn("reference-tpose", [r for r, _ in im.notes])
        raw = __import__("kinestpy.bvh", fromlist=["bvh"]).load(common.data_file(common.CMU_WALK))
        self.assertEqual(im.frames, raw.frames - 4)


class TestResample(unittest.TestCase):
    def test_cmu_120_to_60_filters_not_drops(self):
        im = common.imported(common.CMU_WALK)
        self.assertEqual(im.fps, 120.0)
        q, r = resample.resample(im.local_quat, im.root, im.fps)
        self.assertEqual(len(q), (im.frames - 1) // 2 + 1)
        # filtered: not equal to every other source frame, but close to it
        d = np.abs(r - im.root[::2][:len(r)])
        self.assertGreater(d.max(), 1e-6)
        self.assertLess(d[20:-20].max(), 0.01)
        np.testing.assert_allclose(np.linalg.norm(q, axis=-1), 1.0, atol=1e-9)

    def test_lowpass_removes_what_60hz_cannot_hold(self):
        t = np.arange(1200) / 120.0
        slow, fast = np.sin(2 * np.pi * 2.0 * t), np.sin(2 * np.pi * 45.0 * t)
        taps = resample.fir_lowpass(24.0, 120.0)
        out = resample.filter_along_time((slow + fast)[:, None], taps)[:, 0]
        np.testing.assert_allclose(out[100:-100], slow[100:-100], atol=0.01)

    def test_bandai_30_to_60_keeps_source_samples(self):
        im = common.imported(common.WALK)
        q, r = resample.resample(im.local_quat, im.root, im.fps)
        self.assertEqual(len(q), 2 * (im.frames - 1) + 1)
        np.testing.assert_allclose(r[::2], im.root, atol=1e-12)
        dots = np.abs(np.sum(q[::2] * im.local_quat, axis=-1))
        np.testing.assert_allclose(dots, 1.0, atol=1e-12)
        # in between: on the unit sphere and between the neighbours
        np.testing.assert_allclose(np.linalg.norm(q, axis=-1), 1.0, atol=1e-9)
        a = rot.quat_angle(q[1:-1:2], im.local_quat[:-1])
        b = rot.quat_angle(q[1:-1:2], im.local_quat[1:])
        whole = rot.quat_angle(im.local_quat[:-1], im.local_quat[1:])
        self.assertLess(np.max(a + b - whole), 0.1)   # a C1 spline: near the geodesic, not on it


if __name__ == "__main__":
    unittest.main()
