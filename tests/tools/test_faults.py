"""kinest faults: the recovery and settling measures on made-up bodies."""
import unittest

import numpy as np

from tests.tools import common  # noqa: F401 (puts tools/ on the path)
from kinestpy import clipio, faults


def still_clip(frames=120, rate=60.0):
    """A body standing still at 60 Hz: truth and prediction both at rest."""
    t = (np.arange(frames) * 1e9 / rate).astype(np.int64) + 10**9
    pos = np.zeros((frames, clipio.JOINTS, 3), np.float32)
    pos[:, :, 1] = np.linspace(0.05, 1.7, clipio.JOINTS)
    quat = np.zeros((frames, clipio.JOINTS, 4), np.float32)
    quat[..., 3] = 1
    dev_pos = np.zeros((frames, 3, 3), np.float32)
    dev_quat = np.zeros((frames, 3, 4), np.float32)
    dev_quat[..., 3] = 1
    return clipio.Clip(t, np.full((frames, 3), 0xF, np.uint32), dev_pos, dev_quat, pos, quat.copy(),
                       pos.copy(), quat.copy(), rate_hz=rate, meta={"prediction": {"inactive": []}})


class TestRecovery(unittest.TestCase):
    def test_a_pop_after_the_loss_is_measured_against_the_body_before_it(self):
        c = still_clip()
        # Lost from 0.5 s for 0.5 s: no body in 30..59, then one 2 m off for a
        # frame (measured against the next).
        c.meta["prediction"]["inactive"] = [[30, 60]]
        c.pred_pos[60:61, :, 0] += 2.0
        self.assertAlmostEqual(faults.recovery_jump(c, 0.5, 0.5), 2.0, places=5)
        c.pred_pos[60:61, :, 0] -= 2.0
        self.assertAlmostEqual(faults.recovery_jump(c, 0.5, 0.5), 0.0, places=6)

    def test_a_body_shown_all_along_is_measured_against_the_one_before_the_loss(self):
        c = still_clip()
        c.pred_pos[60:, :, 0] += 2.0  # held through the loss, then 2 m off for good
        self.assertAlmostEqual(faults.recovery_jump(c, 0.5, 0.5), 2.0, places=5)
        # The same after frames without a body: it appears there, no jump.
        c.meta["prediction"]["inactive"] = [[30, 60]]
        self.assertAlmostEqual(faults.recovery_jump(c, 0.5, 0.5), 0.0, places=6)

    def test_true_motion_is_not_a_jump(self):
        c = still_clip()
        c.truth_pos[:, :, 2] += np.arange(c.frames)[:, None] * 0.05
        c.pred_pos[:] = c.truth_pos
        self.assertLessEqual(faults.recovery_jump(c, 0.5, 0.5), 1e-6)

    def test_too_short_a_clip_gives_none(self):
        self.assertIsNone(faults.recovery_jump(still_clip(40), 0.5, 0.5))


class TestSettling(unittest.TestCase):
    def test_largest_step_and_lowest_foot(self):
        c = still_clip()
        c.pred_pos[50:, :, 1] -= 0.03  # one 3 cm drop, feet 3 cm lower
        step, lowest = faults.settling(c)
        self.assertAlmostEqual(step, 0.03, places=5)
        self.assertAlmostEqual(lowest, float(c.truth_pos[0, 15, 1]) - 0.03, places=5)


class TestPingPong(unittest.TestCase):
    def test_long_enough_continuous_and_evenly_timed(self):
        c = still_clip(30)
        c.truth_pos[:, 0, 0] = np.arange(30)
        long = faults.ping_pong(c, 3.0)
        self.assertGreaterEqual((long.time_ns[-1] - long.time_ns[0]) / 1e9, 3.0)
        self.assertLessEqual(np.max(np.abs(np.diff(long.truth_pos[:, 0, 0]))), 1.0)
        self.assertEqual(len(set(np.diff(long.time_ns) // 1000)), 1)


if __name__ == "__main__":
    unittest.main()
