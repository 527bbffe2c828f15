"""The seated-start test group (kinestpy.seated): which real takes sit, where, and the scores."""
import json
import os
import shutil
import tempfile
import unittest
from unittest import mock

import numpy as np
import torch

from tests.tools import common, test_train
from kinestpy import clipio, rot, seated, sitting, skeleton, train


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
            # cut from the takes that training holds out, by the same rule
            self.assertEqual({c["take"] for c in idx["clips"].values()}, set(seated.group_takes(common.DATA)))
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
            self.assertAlmostEqual(sunk["Hips-up"], -shift * 100, delta=0.01)
            self.assertAlmostEqual(sunk["Hips-fwd"], 0.0, delta=0.01)
            # hips put 10 cm behind the seat (along the true hips' heading) and 4 cm to the right
            frame = seated.hips_frame(c.truth_pos)
            c.pred_pos = c.truth_pos.copy()
            c.pred_pos[:, 0] += (-0.10 * frame[:, 0] + 0.04 * frame[:, 2]).astype(np.float32)
            clipio.write(p, c)
            back = seated.score(os.path.join(out, rel), p)
            self.assertAlmostEqual(back["Hips-fwd"], -10.0, delta=0.01)
            self.assertAlmostEqual(back["Hips-side"], 4.0, delta=0.01)
            self.assertAlmostEqual(back["Hips-up"], 0.0, delta=0.01)
            self.assertAlmostEqual(back["Hips"], (10.0 ** 2 + 4.0 ** 2) ** 0.5, delta=0.01)
            self.assertAlmostEqual(back["Tilt"], back["Tilt-true"], delta=1e-6)
            # the hips rolled 20 degrees back about the true heading's right axis: Tilt 20 below the truth's
            c.pred_pos = c.truth_pos
            right = frame[:, 2]
            half = np.radians(20.0) / 2           # +X turns up toward +Z, back
            roll = np.concatenate([np.sin(half) * right, np.full((len(right), 1), np.cos(half))], axis=1)
            c.pred_quat = c.truth_quat.copy()
            c.pred_quat[:, 0] = rot.quat_mul(roll, c.truth_quat[:, 0].astype(np.float64)).astype(np.float32)
            clipio.write(p, c)
            rolled = seated.score(os.path.join(out, rel), p)
            self.assertAlmostEqual(rolled["Tilt"], rolled["Tilt-true"] - 20.0, delta=0.5)
            self.assertLess(rolled["Tilt-true"], 0.0)        # the real chair sits roll the pelvis back
            self.assertAlmostEqual(back["Hips-yaw"], 0.0, delta=1e-6)
            # the hips turned 30 degrees about the vertical: Hips-yaw 30, the truth's Turn-true kept
            half = np.radians(30.0) / 2
            turn = np.array([0.0, np.sin(half), 0.0, np.cos(half)])
            c.pred_quat = c.truth_quat.copy()
            c.pred_quat[:, 0] = rot.quat_mul(np.broadcast_to(turn, (c.frames, 4)),
                                             c.truth_quat[:, 0].astype(np.float64)).astype(np.float32)
            clipio.write(p, c)
            turned = seated.score(os.path.join(out, rel), p)
            self.assertAlmostEqual(turned["Hips-yaw"], 30.0, delta=0.5)
            self.assertEqual(turned["Turn-true"], back["Turn-true"])
            self.assertEqual(seated.yaw_apart_deg(170.0, -170.0), 20.0)
            head_turned = seated.yaw_apart_deg(seated.heading_deg(c.truth_quat, skeleton.HEAD),
                                               seated.heading_deg(c.truth_quat, 0))
            self.assertAlmostEqual(back["Turn-true"], head_turned.mean(), delta=1e-6)


class HeldOutOfTraining(unittest.TestCase):
    """The takes the group is cut from are never trained or validated on, whatever the config."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="kinest-seated-test-")
        cls.data = os.path.join(cls.tmp, "data")
        index = test_train.tiny_build(cls.data)
        # group takes put in train and validation (the fixed split has them in train and test),
        # a piece of one (a build cuts a take at a glitch), and a cmu take that does not sit
        for rel, take in (("train/cmu/19_12.kclip", "19_12"), ("validation/cmu/18_13.kclip", "18_13"),
                          ("train/cmu/19_14_part2.kclip", "19_14"), ("train/cmu/22_01.kclip", "22_01"),
                          ("test/cmu/143_18.kclip", "143_18")):
            clip, _ = seated.import_take(common.DATA, "cmu", take)
            os.makedirs(os.path.dirname(os.path.join(cls.data, rel)), exist_ok=True)
            clipio.write(os.path.join(cls.data, rel), clip)
            index["clips"][rel] = {"path": rel, "source": "cmu", "split": rel.split("/")[0], "frames": clip.frames}
        with open(os.path.join(cls.data, "index.json"), "w") as f:
            json.dump(index, f)
        cls.index = index

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_held_out_is_the_group_rule(self):
        held = seated.held_out(self.index)
        self.assertEqual(held, {"train/cmu/19_12.kclip": "19_12", "validation/cmu/18_13.kclip": "18_13",
                                "train/cmu/19_14_part2.kclip": "19_14", "test/cmu/143_18.kclip": "143_18"})
        self.assertEqual(sorted(seated.group_takes(common.DATA)),
                         ["113_15", "143_18", "18_13", "18_14", "19_12", "19_13", "19_14"])
        moved = dict(self.index, data=os.path.join(self.tmp, "nowhere"))
        with self.assertRaisesRegex(seated.SeatedError, "INDEX.tsv"):
            seated.held_out(moved)

    def test_training_never_sees_them_not_even_as_seated_copies(self):
        """A tiny training with every crop made seated: each crop's source clip is a train clip
        outside the group's takes (sitting.sit records them); the log and the weights' data
        identity say what was held out."""
        cfg = test_train.config(os.path.join(self.tmp, "held.json"), data=self.data, export_at_end=False,
                                epochs=1, seated={"share": 1.0})
        sat, lines, real_sit = [], [], sitting.sit

        def sit(clip, seed):
            sat.append(clip.meta["clip"])
            return real_sit(clip, seed)
        with mock.patch.object(sitting, "sit", sit):
            rc = train.main(cfg, os.path.join(self.tmp, "held"), log=lines.append)
        self.assertEqual(rc, 0, lines)
        self.assertTrue(sat)
        allowed = {common.built(common.BOW).meta["clip"], common.built(common.HDM_SQUAT).meta["clip"], "22_01"}
        self.assertLessEqual(set(sat), allowed, sat)
        self.assertIn("held out for the seated-start group: 3 clips, %.1f s (18_13, 19_12, 19_14)"
                      % (sum(self.index["clips"][r]["frames"] - 1 for r in ("train/cmu/19_12.kclip",
                         "validation/cmu/18_13.kclip", "train/cmu/19_14_part2.kclip")) / 60.0), lines)
        data = torch.load(os.path.join(self.tmp, "held", "last.pt"))["data"]
        self.assertEqual((data["train"]["clips"], data["validation"]["clips"], data["held_out"]["clips"]), (3, 1, 3))


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
