"""Repair, bridge, cut, refuse, and the free-fall rate rule, each on a synthetic clip the test writes."""
import os
import tempfile
import unittest

import numpy as np

from tests.tools import common, rig  # noqa: F401 (common puts tools/ on the path)
from kinestpy import build, importer, rot, skeleton


def imported(motion, fps, name="take_01"):
    with tempfile.TemporaryDirectory() as tmp:
        d, mapping = rig.source(tmp, {name: motion}, fps=fps)
        src = build.source(d, "train", mapping)
        return importer.import_clip(os.path.join(d, name + ".bvh"), src["name"], build._tables(src))


def rules(im):
    return [r for r, _ in im.notes]


def max_angle_deg(a, b):
    return float(np.degrees(rot.quat_angle(a, b)).max())


class TestRepair(unittest.TestCase):
    fps = 120

    def setUp(self):
        self.clean = rig.walk(3 * self.fps, self.fps)
        self.ref = imported(self.clean, self.fps)
        self.assertFalse({"rotation-flip", "burst-bridged", "cut"} & set(rules(self.ref)))

    def test_flip_turned_back(self):
        """A 180 deg twist of the thigh about its bone for 12 frames, the knee bent the other way to
        compensate (HDM05's squats): the flip is turned back, the motion is the clean one."""
        m = self.clean.copy()
        m[100:112, rig.COL["LeftUpLeg"] + 2] += 180.0          # Yrotation: twist about the bone
        m[100:112, rig.COL["LeftLeg"] + 2] -= 180.0
        im = imported(m, self.fps)
        self.assertIn("rotation-flip", rules(im))
        self.assertEqual(im.pieces, [(0, len(m))])
        self.assertLess(max_angle_deg(im.local_quat, self.ref.local_quat), 0.5)

    def test_short_burst_bridged(self):
        """Three frames of a forearm 60 deg off, and two of the hips 0.5 m off: interpolated."""
        m = self.clean.copy()
        m[150:153, rig.COL["RightForeArm"]] += 60.0
        m[200:202, 0] += 50.0
        im = imported(m, self.fps)
        notes = [n for r, n in im.notes if r == "burst-bridged"]
        self.assertEqual(len(notes), 2, im.notes)
        self.assertTrue(any("hips" in n for n in notes))
        self.assertLess(max_angle_deg(im.local_quat, self.ref.local_quat), 0.5)
        self.assertLess(np.abs(im.root - self.ref.root).max(), 0.01)

    def test_long_burst_cut_into_pieces(self):
        """A forearm that jumps 120 deg and stays there: cut; both pieces over 2 s are kept and
        written as two clips."""
        m = rig.walk(6 * self.fps, self.fps)
        m[300:, rig.COL["RightForeArm"]] += 120.0
        im = imported(m, self.fps)
        self.assertIn("cut", rules(im))
        self.assertEqual(im.pieces, [(0, 300), (300, len(m))])
        parts = importer.pieces(im)
        self.assertEqual([p.frames for p in parts], [300, len(m) - 300])
        with tempfile.TemporaryDirectory() as tmp:
            d, mapping = rig.source(tmp, {"take_01": m}, fps=self.fps)
            out = os.path.join(tmp, "out")
            idx = build.run(None, out, workers=1, log=lambda *a: None,
                            sources=[build.source(d, "train", mapping, name="mystudio")])
            self.assertEqual(sorted(idx["clips"]), ["train/mystudio/take_01_part1.kclip",
                                                    "train/mystudio/take_01_part2.kclip"])

    def test_unsaveable_refused(self):
        """The same jump in a 3 s clip leaves no piece of 2 s: refused with the jump's rule."""
        m = self.clean.copy()
        m[180:, rig.COL["RightForeArm"]] += 120.0
        with self.assertRaises(importer.Skip) as e:
            imported(m, self.fps)
        self.assertEqual(e.exception.rule, "rotation-jump")


class TestFreeFallRate(unittest.TestCase):
    @staticmethod
    def jump(fps):
        """4 s at `fps`: standing, a 0.4 s flight under g (20 cm high), standing."""
        m = rig.walk(4 * fps, fps)
        m[:, 3:] = 0.0
        m[:, rig.COL["LeftArm"]], m[:, rig.COL["RightArm"]] = -75.0, 75.0
        m[:, 2] = 0.0
        t = np.arange(len(m)) / fps - 1.5
        m[:, rig.COL["Spine"] + 1] = 2.0 * np.sin(np.pi * t)      # a slight sway: no frozen frames
        fl = (t > 0) & (t < 0.4)
        m[:, 1] = np.where(fl, 100.0 * (2.0 * t - 0.5 * 9.81 * t * t) - 1.0, -1.0)
        return m

    def test_120fps_labelled_30(self):
        im = imported(self.jump(120), 30)          # 120 fps samples, header says 30 fps
        self.assertIn("free-fall-rate", rules(im))
        self.assertEqual(im.fps, 120.0)

    def test_true_rate_left_alone(self):
        im = imported(self.jump(120), 120)
        self.assertNotIn("free-fall-rate", rules(im))
        self.assertEqual(im.fps, 120.0)
        self.assertLess(abs(importer.free_fall_gravity(
            skeleton.fk(rot.quat_to_matrix(im.local_quat), im.root, im.offsets, local=True)[0], 120) - 9.81), 1.0)


if __name__ == "__main__":
    unittest.main()
