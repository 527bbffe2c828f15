"""The seated-start test group (kinestpy.seated): which real takes sit, where, and the scores."""
import json
import os
import tempfile
import unittest

import numpy as np

from tests.tools import common
from kinestpy import clipio, seated, skeleton


def _take(take):
    return seated.import_take(common.DATA, "cmu", take)


class SeatedFrames(unittest.TestCase):
    def test_chair_sits_are_found_with_the_hips_on_the_seat(self):
        clip, pos = _take("143_18")       # "Sit Down And Get Up": sits twice
        ex = seated.examine(clip, pos)
        self.assertEqual(len(ex["runs"]), 2)
        for (a, b), hips in zip(ex["runs"], ex["hips_m"]):
            self.assertGreater(b - a, clip.rate_hz)
            self.assertTrue(0.40 <= hips <= 0.55, hips)
            # standing before the first run: the seated frames are the seated part only
        self.assertGreater(ex["runs"][0][0], 0)
        self.assertGreater(pos[0, 0, 1], 0.8)

    def test_floor_kneel_walk_and_squat_are_not_seats(self):
        clip, pos = _take("114_16")       # "Sit down and stretch": on the floor
        ex = seated.examine(clip, pos)
        self.assertEqual(ex["runs"], [])
        self.assertIn("floor", seated.verdict(ex))
        clip, pos = _take("23_03")        # B kneels
        self.assertEqual(seated.examine(clip, pos)["runs"], [])
        for rel in (common.WALK, common.HDM_SQUAT):
            c = common.built(rel)
            self.assertEqual(seated.examine(c, c.truth_pos)["runs"], [], rel)

    def test_runs(self):
        m = np.zeros(200, bool)
        m[10:80] = True
        m[85:150] = True                  # a 5-frame gap: bridged at 60 Hz
        m[170:190] = True                 # under 1 s: dropped
        self.assertEqual(seated.runs(m, 60.0), [(10, 150)])


class Group(unittest.TestCase):
    def test_group_starts_seated_and_scores(self):
        with tempfile.TemporaryDirectory() as out:
            idx = seated.build_group(common.DATA, out, log=lambda *a: None)
            self.assertIn("143_18", idx["takes"])
            self.assertIn("floor", idx["takes"]["114_16"]["verdict"])
            self.assertGreaterEqual(len(idx["clips"]), 5)
            for rel in idx["clips"]:
                c = clipio.read(os.path.join(out, rel))
                sk = c.meta["skeleton"]
                mask = seated.seated_frames(c.truth_pos, sk["offsets_m"], sk["standing_head_height_m"])
                self.assertTrue(mask[0], rel)                 # starts seated
                self.assertEqual(c.time_ns[0], 0)
                # the devices are the body's: the head device near the head joint
                self.assertLess(np.abs(c.dev_pos[:, 0] - c.truth_pos[:, skeleton.HEAD]).max(), 0.15)
            group = os.path.join(out, seated.GROUP)
            same = seated.score(group, group)
            self.assertEqual(same["MPJPE"], 0.0)
            self.assertLess(same["Pen"], 0.1)                 # the capture's own (a toe at -1 mm)
            self.assertEqual(same["Foot-H"], 0.0)
            # a body sunk so that its lowest foot point is at least 5 cm under the floor
            rel = sorted(idx["clips"])[0]
            c = clipio.read(os.path.join(out, rel))
            shift = 0.05 + float(c.truth_pos[:, skeleton.FEET, 1].min(axis=1).max())
            c.pred_pos = c.truth_pos - np.array([0, shift, 0], np.float32)
            c.pred_quat = c.truth_quat
            p = os.path.join(out, "sunk.kclip")
            clipio.write(p, c)
            sunk = seated.score(os.path.join(out, rel), p)
            self.assertGreaterEqual(sunk["Pen"], 4.99)
            self.assertEqual(sunk["Pen>1cm"], 100.0)
            self.assertAlmostEqual(sunk["Foot-H"], shift * 100, delta=0.01)
            self.assertAlmostEqual(sunk["Hips"], shift * 100, delta=0.01)


class Synthetic(unittest.TestCase):
    def test_seated_copies_of_the_test_clips(self):
        clip = common.built(common.WALK)
        with tempfile.TemporaryDirectory() as d:
            build = os.path.join(d, "build")
            rels = ["test/bandai/dataset-2/a.kclip", "test/bandai/dataset-2/b.kclip", "train/bandai/c.kclip"]
            for rel in rels:
                os.makedirs(os.path.dirname(os.path.join(build, rel)), exist_ok=True)
                clipio.write(os.path.join(build, rel), clip)
            with open(os.path.join(build, "index.json"), "w") as f:
                json.dump({"clips": {r: {"split": r.split("/")[0]} for r in rels}}, f)
            n = seated.build_synthetic(build, d, every=2, log=lambda *a: None)
            self.assertEqual(n, 1)                          # a (every 2nd of a, b); never train
            out = clipio.read(os.path.join(d, seated.SYNTH_GROUP, "bandai/dataset-2/a.kclip"))
            sk = out.meta["skeleton"]
            self.assertTrue(seated.seated_frames(out.truth_pos, sk["offsets_m"], sk["standing_head_height_m"]).all())


if __name__ == "__main__":
    unittest.main()
