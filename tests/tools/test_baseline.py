"""The mean-pose baseline and the generalisation report (`kinest eval --report`) on a small build of real clips."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np

from tests.tools import common
from kinestpy import baseline, clipio, evaluate, rot, skeleton

CLIPS = {   # source clip -> split folder it lands in
    "bandai/dataset-2/dataset-2_walk_normal_001.bvh.gz": "train",
    common.HDM_SQUAT: "train",
    common.WALK: "test",
    "bandai/dataset-1/dataset-1_walk_happy_001.bvh.gz": "test",
    common.HDM_TEST: "test",
    common.CMU_WALK: "test",
}


def small_build(root):
    """A data build of the real clips above: <split>/<folder>/<clip>.kclip + index.json."""
    index = {"kinest_index": 1, "clips": {}}
    for src, split in CLIPS.items():
        clip = common.built(src)
        folder = os.path.dirname(src)
        rel = os.path.join(split, folder, clip.meta["clip"] + ".kclip")
        os.makedirs(os.path.join(root, os.path.dirname(rel)), exist_ok=True)
        clipio.write(os.path.join(root, rel), clip)
        index["clips"][rel] = {"path": rel, "source": folder, "split": split, "frames": clip.frames}
    with open(os.path.join(root, "index.json"), "w") as f:
        json.dump(index, f)
    return index


class TestMeanPose(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.data = os.path.join(cls.tmp.name, "data")
        cls.pred = os.path.join(cls.tmp.name, "pred")
        cls.index = small_build(cls.data)
        cls.res = baseline.run_mean_pose(cls.data, cls.pred)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_chordal_mean_and_yaw(self):
        q = rot.matrix_to_quat(rot.euler_to_matrix([20.0, 10.0, 5.0], "YXZ"))
        rng = np.random.default_rng(1)
        samples = np.array([q * (1 if k % 2 else -1) for k in range(50)])     # either sign
        samples[:, :3] += rng.normal(0, 1e-3, (50, 3))
        samples /= np.linalg.norm(samples, axis=1, keepdims=True)
        m = baseline.chordal_mean(np.einsum("fi,fj->ij", samples, samples))
        self.assertLess(np.degrees(rot.quat_angle(m, q)), 0.1)
        # +-30 degrees about Y average to the identity
        a, b = (rot.matrix_to_quat(rot.axis_matrix("Y", d)) for d in (30.0, -30.0))
        m = baseline.chordal_mean(np.outer(a, a) + np.outer(b, b))
        np.testing.assert_allclose(m, [0, 0, 0, 1], atol=1e-12)
        # yaw of yaw(30) * pitch(40): 30 degrees about +Y
        q = rot.matrix_to_quat(rot.axis_matrix("Y", 30.0) @ rot.axis_matrix("X", 40.0))
        np.testing.assert_allclose(baseline.yaw_quat(q), rot.matrix_to_quat(rot.axis_matrix("Y", 30.0)), atol=1e-12)

    def test_own_pose_is_reproduced(self):
        """With a clip's own frame as the 'mean', the prediction of that frame is the truth:
        the head joint comes from the device pose, the hips from the head's yaw, the rest by FK."""
        clip = common.built(common.BOW)
        k = 40
        own = baseline.local_rotations(clip.truth_quat[k:k + 1].astype(np.float64), clip.dev_quat[k:k + 1, 0])[0]
        pos, gq = baseline.predict(clip, own, clip.meta["skeleton"]["offsets_m"])
        np.testing.assert_allclose(pos[k], clip.truth_pos[k], atol=5e-5)
        self.assertLess(np.degrees(rot.quat_angle(gq[k], clip.truth_quat[k])).max(), 0.01)
        # every frame: the head joint is where the device puts it, the hips turn with the head's yaw
        np.testing.assert_allclose(pos[:, skeleton.HEAD], clip.truth_pos[:, skeleton.HEAD], atol=5e-5)

    def test_prediction_clips(self):
        self.assertEqual(self.res["train_clips"], 2)
        self.assertEqual(self.res["written"], 4)
        for rel, e in self.index["clips"].items():
            path = os.path.join(self.pred, rel)
            self.assertEqual(os.path.exists(path), e["split"] == "test", rel)
            if e["split"] != "test":
                continue
            p, t = clipio.read(path), clipio.read(os.path.join(self.data, rel))
            self.assertTrue(p.has_pred and not p.has_truth)
            np.testing.assert_array_equal(p.time_ns, t.time_ns)
            np.testing.assert_array_equal(p.dev_pos, t.dev_pos)
            bl = skeleton.bone_lengths(p.pred_pos.astype(np.float64))
            np.testing.assert_allclose(bl, np.broadcast_to(bl[:1], bl.shape), atol=3e-5)   # a rigid body
            np.testing.assert_allclose(bl[0, 1:], np.linalg.norm(t.meta["skeleton"]["offsets_m"], axis=1)[1:],
                                       atol=3e-5)                                            # its own skeleton
        with open(self.res["mean_file"]) as f:
            m = json.load(f)
        self.assertEqual(len(m["local_quat_xyzw"]), 21)
        self.assertEqual(m["train_sources"], ["bandai/dataset-2", "hdm05"])

    def test_report(self):
        res = evaluate.report(self.data, self.pred)
        g = res["groups"]
        self.assertEqual([g[k]["clips"] for k in ("bandai-2", "bandai-1", "bandai", "hdm05", "cmu")], [1, 1, 2, 1, 1])
        # each row is the frame-weighted result of kinest eval over its folder(s)
        one = evaluate.run(os.path.join(self.data, "test/hdm05"), os.path.join(self.pred, "test/hdm05"))["all"]
        for c in evaluate.REPORT_COLUMNS:
            self.assertAlmostEqual(g["hdm05"][c], one[c], places=9)
        both = [evaluate.run(os.path.join(self.data, f), os.path.join(self.pred, f))["all"]
                for f in ("test/bandai/dataset-1", "test/bandai/dataset-2")]
        want = sum(r["MPJPE"] * r["frames"] for r in both) / sum(r["frames"] for r in both)
        self.assertAlmostEqual(g["bandai"]["MPJPE"], want, places=9)
        self.assertGreater(g["hdm05"]["L-PE"], g["hdm05"]["U-PE"])     # a squat under a standing mean pose
        # the truth against itself: no error, jitter = ground-truth jitter
        same = evaluate.report(self.data, self.data)["groups"]["cmu"]
        self.assertEqual(same["MPJPE"], 0.0)
        self.assertAlmostEqual(same["Jitter"], same["GT-Jitter"], places=12)
        text = evaluate.format_report(res)
        self.assertIn("HDM05 unseen actors (test)", text)

    def test_report_refuses_missing_predictions(self):
        with tempfile.TemporaryDirectory() as d:
            with self.assertRaises(evaluate.EvalError):
                evaluate.report(self.data, d)

    def test_command_line(self):
        out = os.path.join(self.tmp.name, "report.json")
        r = subprocess.run([sys.executable, os.path.join(common.TOOLS, "kinest"), "eval", "--report",
                            "--truth", self.data, "--pred", self.pred, "--json", out],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Bandai dataset-1 (test: unseen styles)", r.stdout)
        with open(out) as f:
            self.assertEqual(sorted(json.load(f)["groups"]), sorted(k for k, _, _ in evaluate.REPORT_GROUPS))
        r = subprocess.run([sys.executable, os.path.join(common.TOOLS, "kinest"), "eval", "--report",
                            "--truth", self.data, "--pred", os.path.join(self.tmp.name, "nothing")],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)


if __name__ == "__main__":
    unittest.main()
