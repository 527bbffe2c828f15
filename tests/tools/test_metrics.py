"""Metrics with hand-computed values; identical clips score exactly 0."""
import json
import os
import subprocess
import tempfile
import unittest

import numpy as np

from tests.tools import common
from kinestpy import clipio, evaluate, metrics, rot, skeleton

FPS = 60.0


def values(pred_pos, pred_quat, true_pos, true_quat):
    return metrics.finish(metrics.clip_sums(pred_pos, pred_quat, true_pos, true_quat, FPS))


class TestMetrics(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        c = common.built(common.WALK)
        cls.pos = c.truth_pos[:40].astype(np.float64)
        cls.quat = c.truth_quat[:40].astype(np.float64)

    def test_identical_is_exactly_zero(self):
        v = values(self.pos, self.quat, self.pos, self.quat)
        for k in ("MPJRE", "MPJPE", "MPJVE", "H-PE", "U-PE", "L-PE", "Root-PE"):
            self.assertEqual(v[k], 0.0, k)
        self.assertEqual(v["Jitter"], v["GT-Jitter"])
        self.assertGreater(v["GT-Jitter"], 0.0)

    def test_constant_offset(self):
        v = values(self.pos + [0.03, 0.04, 0.0], self.quat, self.pos, self.quat)
        for k in ("MPJPE", "H-PE", "U-PE", "L-PE", "Root-PE"):
            self.assertAlmostEqual(v[k], 5.0, places=9, msg=k)   # |(3, 4, 0)| cm
        self.assertAlmostEqual(v["MPJVE"], 0.0, places=6)
        self.assertAlmostEqual(v["MPJRE"], 0.0, places=12)

    def test_one_foot_off(self):
        p = self.pos.copy()
        p[:, skeleton.INDEX["left_foot"]] += [0.0, 0.1, 0.0]
        v = values(p, self.quat, self.pos, self.quat)
        self.assertAlmostEqual(v["MPJPE"], 10.0 / 21, places=9)
        self.assertAlmostEqual(v["L-PE"], 10.0 / 9, places=9)
        self.assertEqual(v["U-PE"], 0.0)
        self.assertEqual(v["H-PE"], 0.0)
        self.assertEqual(v["Root-PE"], 0.0)

    def test_turned_body_changes_only_the_root_rotation(self):
        r10 = rot.matrix_to_quat(rot.axis_matrix("Y", 10.0))
        q = rot.quat_mul(np.broadcast_to(r10, self.quat.shape), self.quat)
        v = values(self.pos, q, self.pos, self.quat)
        self.assertAlmostEqual(v["MPJRE"], 10.0 / 21, places=9)   # hips 10 deg, 20 joints 0 deg
        # a 30 deg twist of the left forearm alone: that joint and its child (the hand) differ
        q = self.quat.copy()
        j = skeleton.INDEX["left_forearm"]
        q[:, j] = rot.quat_mul(q[:, j], rot.matrix_to_quat(rot.axis_matrix("X", 30.0)))
        v = values(self.pos, q, self.pos, self.quat)
        self.assertAlmostEqual(v["MPJRE"], 60.0 / 21, places=9)

    def test_drift_velocity(self):
        t = np.arange(len(self.pos))[:, None, None]
        v = values(self.pos + t * np.array([0.01, 0.0, 0.0]), self.quat, self.pos, self.quat)
        self.assertAlmostEqual(v["MPJVE"], 60.0, places=6)        # 1 cm per frame at 60 Hz
        self.assertAlmostEqual(v["MPJPE"], (len(self.pos) - 1) / 2.0, places=9)

    def test_jitter_of_a_cubic(self):
        t = np.arange(20) / FPS
        p = np.zeros((20, skeleton.J, 3))
        p[:, :, 0] = 50.0 * t[:, None] ** 3                        # jerk = 6 * 50 = 300 m/s^3
        q = np.tile([0.0, 0.0, 0.0, 1.0], (20, skeleton.J, 1))
        v = values(p, q, np.zeros_like(p), q)
        self.assertAlmostEqual(v["Jitter"], 3.0, places=6)         # 10^2 m/s^3
        self.assertEqual(v["GT-Jitter"], 0.0)

    def test_frame_weighted_aggregation(self):
        total = {}
        a = metrics.clip_sums(self.pos[:10] + [0.01, 0, 0], self.quat[:10], self.pos[:10], self.quat[:10], FPS)
        b = metrics.clip_sums(self.pos[:30] + [0.03, 0, 0], self.quat[:30], self.pos[:30], self.quat[:30], FPS)
        metrics.add(total, a)
        metrics.add(total, b)
        self.assertAlmostEqual(metrics.finish(total)["MPJPE"], (10 * 1.0 + 30 * 3.0) / 40, places=9)


class TestEvalCommand(unittest.TestCase):
    def test_directories_and_json(self):
        c = common.built(common.WALK)
        n = 50
        sl = slice(0, n)
        truth = clipio.Clip(c.time_ns[sl], c.dev_flags[sl], c.dev_pos[sl], c.dev_quat[sl],
                            c.truth_pos[sl], c.truth_quat[sl], meta={"clip": "walk"})
        with_pred = clipio.Clip(truth.time_ns, truth.dev_flags, truth.dev_pos, truth.dev_quat,
                                truth.truth_pos, truth.truth_quat,
                                truth.truth_pos + np.float32(0.05), truth.truth_quat)
        with tempfile.TemporaryDirectory() as d:
            for sub in ("T/a", "P/a"):
                os.makedirs(os.path.join(d, sub))
            clipio.write(os.path.join(d, "T/a/one.kclip"), truth)
            clipio.write(os.path.join(d, "T/two.kclip"), truth)
            clipio.write(os.path.join(d, "P/a/one.kclip"), with_pred)   # prediction section
            clipio.write(os.path.join(d, "P/two.kclip"), truth)         # plain clip = prediction
            out = os.path.join(d, "r.json")
            cmd = ["/usr/bin/python3", os.path.join(common.ROOT, "tools", "kinest"), "eval",
                   "--truth", os.path.join(d, "T"), "--pred", os.path.join(d, "P"), "--json", out]
            r = subprocess.run(cmd, capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("ALL (2 clips", r.stdout)
            with open(out) as f:
                res = json.load(f)
            one, two = res["clips"][os.path.join("a", "one.kclip")], res["clips"]["two.kclip"]
            self.assertAlmostEqual(one["MPJPE"], 5.0 * np.sqrt(3), places=3)
            self.assertEqual(one["prediction_from"], "prediction section")
            self.assertEqual(two["MPJPE"], 0.0)
            self.assertEqual(two["MPJRE"], 0.0)
            self.assertAlmostEqual(res["all"]["MPJPE"], 2.5 * np.sqrt(3), places=3)

            # --expect: the same figures pass; one moved beyond the tolerance fails with its name
            r = subprocess.run(cmd + ["--expect", out], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("every figure matches", r.stdout)
            res["groups"]["a"]["MPJPE"] += 0.02
            res["groups"]["a"]["clips"] = 3
            off = os.path.join(d, "off.json")
            with open(off, "w") as f:
                json.dump(res, f)
            r = subprocess.run(cmd + ["--expect", off], capture_output=True, text=True)
            self.assertEqual(r.returncode, 1, r.stdout)
            self.assertIn("2 figure(s) differ", r.stderr)
            self.assertIn("a MPJPE", r.stderr)
            self.assertIn("a clips: 1, expected 3", r.stderr)
            r = subprocess.run(cmd + ["--expect", off, "--tolerance", "0.05"], capture_output=True, text=True)
            self.assertIn("1 figure(s) differ", r.stderr)
            # a share of frames may be one frame of the group off, not two
            with open(out) as f:
                orig = json.load(f)
            frames = orig["groups"]["a"]["frames"]
            self.assertIsNotNone(orig["groups"]["a"]["Pen>2"])
            for n, fails in ((1, False), (2, True)):
                moved = json.loads(json.dumps(orig))
                moved["groups"]["a"]["Pen>2"] += 0.99 * n * 100.0 / frames
                self.assertEqual(evaluate.differences(orig, moved) != [], fails, n)
            os.remove(os.path.join(d, "P/two.kclip"))
            r = subprocess.run(cmd, capture_output=True, text=True)
            self.assertEqual(r.returncode, 2)
            self.assertIn("no prediction", r.stderr)

    def test_active_only_leaves_out_the_frames_without_a_body(self):
        """Frames the prediction clip marks inactive (they hold another frame's body, as
        kinest-probe and kinest-run write them) are not scored with --active-only, and no
        velocity or jitter sample spans them."""
        c = common.built(common.WALK)
        n = 60
        sl = slice(0, n)
        pred = c.truth_pos[sl] + np.float32(0.05)
        pred[:10] += np.float32(1.0)        # held while the engine starts
        pred[30:35] -= np.float32(0.7)      # and a gap later
        clip = clipio.Clip(c.time_ns[sl], c.dev_flags[sl], c.dev_pos[sl], c.dev_quat[sl],
                           c.truth_pos[sl], c.truth_quat[sl], pred, c.truth_quat[sl],
                           meta={"prediction": {"inactive": [[0, 10], [30, 35]]}})
        with tempfile.TemporaryDirectory() as d:
            path, out = os.path.join(d, "p.kclip"), os.path.join(d, "r.json")
            clipio.write(path, clip)
            cmd = ["/usr/bin/python3", os.path.join(common.ROOT, "tools", "kinest"), "eval",
                   "--truth", path, "--pred", path, "--json", out]
            r = subprocess.run(cmd, capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(out) as f:
                every = json.load(f)["clips"]["p.kclip"]
            self.assertEqual(every["frames"], n)
            self.assertGreater(every["MPJPE"], 20.0)
            r = subprocess.run(cmd + ["--active-only"], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("15 frames without one left out", r.stdout)
            with open(out) as f:
                res = json.load(f)
            one = res["clips"]["p.kclip"]
            self.assertEqual(one["frames"], n - 15)
            self.assertEqual(res["all"]["frames"], n - 15)
            self.assertAlmostEqual(one["MPJPE"], 5.0 * np.sqrt(3), places=3)
            self.assertAlmostEqual(one["MPJVE"], 0.0, places=3)
            self.assertAlmostEqual(one["Jitter"], one["GT-Jitter"], places=3)
            self.assertEqual(one["inactive"]["frames"], 15)
            self.assertEqual(one["inactive"]["ranges"], [[0, 10], [30, 35]])
            self.assertAlmostEqual(one["inactive"]["first_active_s"], (c.time_ns[10] - c.time_ns[0]) / 1e9)



class TestFootMetrics(unittest.TestCase):
    """docs/metrics.md, "Feet", on a standing body: toes 4.5 cm and ankles 10 cm up (the contact
    level is 4.5 cm), ankles 20 cm apart, both feet in contact throughout."""

    def setUp(self):
        from tests.tools.test_contact import standing
        self.truth = standing(60)
        self.quat = np.tile([0.0, 0.0, 0.0, 1.0], (60, 21, 1))

    def foot(self, pred):
        return values(pred, self.quat, self.truth, self.quat)

    def test_truth_against_itself(self):
        v = self.foot(self.truth)
        for k in ("Contact", "GT-Contact", "Contact-acc"):
            self.assertAlmostEqual(v[k], 100.0, msg=k)
        for k in ("Skate", "GT-Skate", "Skate>20", "Pen", "Pen>2", "CH-err", "GT-CH-err", "Stance-err"):
            self.assertAlmostEqual(v[k], 0.0, msg=k)
        self.assertAlmostEqual(v["Stance"], 20.0)
        self.assertAlmostEqual(v["GT-Stance"], 20.0)

    def test_a_sliding_foot_skates(self):
        pred = self.truth.copy()
        pred[:, [skeleton.INDEX["left_foot"], skeleton.INDEX["left_toes"]], 2] -= 0.3 / FPS * np.arange(60)[:, None]
        v = self.foot(pred)
        self.assertAlmostEqual(v["Skate"], 15.0, places=6)        # (30 + 0) / 2 cm/s over both feet
        self.assertAlmostEqual(v["Skate>20"], 50.0)
        self.assertAlmostEqual(v["GT-Skate"], 0.0)
        self.assertAlmostEqual(v["Contact"], 50.0)                # the left foot moves too fast
        self.assertAlmostEqual(v["Contact-acc"], 50.0)

    def test_a_sunken_body_penetrates(self):
        v = self.foot(self.truth - [0.0, 0.03, 0.0])
        self.assertAlmostEqual(v["Pen"], 3.0, places=9)
        self.assertAlmostEqual(v["Pen>2"], 100.0)
        self.assertAlmostEqual(v["CH-err"], 3.0, places=9)
        self.assertEqual((v["GT-Pen"], v["GT-Pen>2"]), (0.0, 0.0))
        self.assertAlmostEqual(v["Contact-acc"], 100.0)           # 3 cm under the level still counts

    def test_a_lifted_body_loses_contact(self):
        v = self.foot(self.truth + [0.0, 0.05, 0.0])
        self.assertEqual((v["Contact"], v["Contact-acc"], v["Pen"]), (0.0, 0.0, 0.0))
        self.assertAlmostEqual(v["CH-err"], 5.0, places=9)
        self.assertAlmostEqual(v["GT-Contact"], 100.0)

    def test_a_narrow_stance(self):
        pred = self.truth.copy()
        pred[:, [skeleton.INDEX["right_foot"], skeleton.INDEX["right_toes"]], 0] = 0.0
        v = self.foot(pred)
        self.assertAlmostEqual(v["Stance"], 10.0)
        self.assertAlmostEqual(v["GT-Stance"], 20.0)
        self.assertAlmostEqual(v["Stance-err"], 10.0)


if __name__ == "__main__":
    unittest.main()
