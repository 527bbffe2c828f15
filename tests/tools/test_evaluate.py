"""tools/kinest eval --report --skip: each clip scored from a time on."""
import os
import tempfile
import unittest

import numpy as np

from tests.tools import common  # noqa: F401 (puts tools/ on the path)
from kinestpy import clipio, evaluate


def clip(frames, error_until=0, error_m=0.1):
    """A still body; its prediction error_m off (along x) for the first error_until frames."""
    f = frames
    truth = np.tile(np.linspace(0.0, 1.6, 21)[:, None] * [0.0, 1.0, 0.0], (f, 1, 1))
    pred = truth.copy()
    pred[:error_until, :, 0] += error_m
    quat = np.tile([0.0, 0.0, 0.0, 1.0], (f, 21, 1))
    return clipio.Clip(np.arange(f, dtype=np.int64) * 16666667, np.full((f, 3), 0xF, np.uint32),
                       np.zeros((f, 3, 3)), np.tile([0.0, 0.0, 0.0, 1.0], (f, 3, 1)),
                       truth_pos=truth, truth_quat=quat, pred_pos=pred, pred_quat=quat)


class SkipTest(unittest.TestCase):
    def test_first_seconds_left_out(self):
        with tempfile.TemporaryDirectory() as d:
            group = os.path.join(d, "test", "bandai", "dataset-2")
            os.makedirs(group)
            clipio.write(os.path.join(group, "long.kclip"), clip(180, error_until=60))
            clipio.write(os.path.join(group, "short.kclip"), clip(30, error_until=30))
            whole = evaluate.report(d, d)["groups"]["bandai-2"]
            past = evaluate.report(d, d, skip_s=1.0)["groups"]["bandai-2"]
        self.assertEqual((whole["clips"], whole["frames"]), (2, 210))
        self.assertAlmostEqual(whole["MPJPE"], 10.0 * 90 / 210, places=3)
        # From 1 s on: the long clip's last 120 frames, all exact; the short one has none left.
        self.assertEqual((past["clips"], past["frames"]), (1, 120))
        self.assertAlmostEqual(past["MPJPE"], 0.0, places=4)


if __name__ == "__main__":
    unittest.main()
