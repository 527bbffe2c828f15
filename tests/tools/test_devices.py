"""Synthesised head and grip poses sit where docs/data.md says, relative to the joints."""
import unittest

import numpy as np

from tests.tools import common
from kinestpy import clipio, devices, rot, skeleton


class TestDevicePoses(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.clip = common.built(common.WALK)

    def _joint(self, j):
        c = self.clip
        return (c.truth_pos[:, j].astype(np.float64),
                rot.quat_to_matrix(c.truth_quat[:, j].astype(np.float64)))

    def test_head_at_eye_centre(self):
        p, r = self._joint(skeleton.HEAD)
        # docs/data.md: 8 cm up and 8 cm forward (-Z) of the head joint, in the head joint's frame
        want = p + r @ np.array([0.0, 0.08, -0.08])
        np.testing.assert_allclose(self.clip.dev_pos[:, 0], want, atol=1e-5)
        dq = rot.quat_to_matrix(self.clip.dev_quat[:, 0].astype(np.float64))
        self.assertLess(np.degrees(rot.matrix_angle(dq, r)).max(), 0.01)
        self.assertTrue(np.all(self.clip.dev_flags == 0xF))

    def test_grips(self):
        for k, j, side, along in ((1, skeleton.LEFT_HAND, "left", -1.0), (2, skeleton.RIGHT_HAND, "right", 1.0)):
            p, r = self._joint(j)
            # docs/data.md: 7 cm along the fingers, 2 cm to the palm side
            want = p + r @ np.array([0.07 * along, -0.02, 0.0])
            np.testing.assert_allclose(self.clip.dev_pos[:, k], want, atol=1e-5)
            g = rot.quat_to_matrix(self.clip.dev_quat[:, k].astype(np.float64))
            rel = np.swapaxes(r, 1, 2) @ g          # grip axes in the hand frame
            # grip -Z = hand -Z (little finger -> thumb), grip +X = hand -Y (left) / +Y (right)
            np.testing.assert_allclose(rel[:, :, 2], np.broadcast_to([0, 0, 1], rel[:, :, 2].shape), atol=1e-5)
            np.testing.assert_allclose(rel[:, :, 0], np.broadcast_to([0, along, 0], rel[:, :, 0].shape), atol=1e-5)
            np.testing.assert_allclose(np.linalg.det(g), 1.0, atol=1e-5)

    def test_grip_axes_follow_openxr_on_a_standing_actor(self):
        """Arms hanging, palms to the thighs: grip +X points to the user's right for both
        hands (away from the left palm, into the right palm) and grip -Z points forward."""
        clip = common.built(common.BOW)
        hips = rot.quat_to_matrix(clip.truth_quat[0, 0].astype(np.float64))
        right, fwd = hips[:, 0], -hips[:, 2]
        for k in (1, 2):
            g = rot.quat_to_matrix(clip.dev_quat[0, k].astype(np.float64))
            self.assertGreater(g[:, 0] @ right, 0.7)
            self.assertGreater(-g[:, 2] @ fwd, 0.7)

    def test_tpose_by_hand(self):
        q = np.tile([0.0, 0.0, 0.0, 1.0], (1, skeleton.J, 1))
        pos = np.zeros((1, skeleton.J, 3))
        pos[0, skeleton.HEAD] = [0, 1.5, 0]
        pos[0, skeleton.LEFT_HAND] = [-0.8, 1.4, 0]
        pos[0, skeleton.RIGHT_HAND] = [0.8, 1.4, 0]
        dp, dq = devices.device_poses(q, pos)
        np.testing.assert_allclose(dp[0], [[0, 1.58, -0.08], [-0.87, 1.38, 0], [0.87, 1.38, 0]], atol=1e-12)
        s = np.sqrt(0.5)
        np.testing.assert_allclose(dq[0, 0], [0, 0, 0, 1], atol=1e-12)
        np.testing.assert_allclose(dq[0, 1], [0, 0, -s, s], atol=1e-12)   # -90 deg about Z
        np.testing.assert_allclose(dq[0, 2], [0, 0, s, s], atol=1e-12)    # +90 deg about Z


class TestAugment(unittest.TestCase):
    def test_randomisation_is_seeded_and_flags_follow_the_format(self):
        clip = common.built(common.WALK)
        a = devices.augment(clip, seed=7, drop_per_second=0.5, freeze_per_second=0.5)
        b = devices.augment(clip, seed=7, drop_per_second=0.5, freeze_per_second=0.5)
        c = devices.augment(clip, seed=8, drop_per_second=0.5, freeze_per_second=0.5)
        np.testing.assert_array_equal(a.dev_pos, b.dev_pos)
        self.assertFalse(np.array_equal(a.dev_pos, c.dev_pos))
        fl = a.dev_flags
        self.assertTrue(set(np.unique(fl)) <= {0x0, 0x3, 0xF})
        self.assertTrue(np.all(fl[:, 0] == 0xF))           # head kept tracked by default
        dropped = fl == 0
        self.assertTrue(dropped.any() and (fl == 0x3).any())
        np.testing.assert_array_equal(a.dev_quat[dropped], np.tile([0, 0, 0, 1], (dropped.sum(), 1)))
        np.testing.assert_array_equal(a.dev_pos[dropped], 0)
        # frozen samples repeat a pose
        f, k = np.argwhere(fl == 0x3)[-1]
        np.testing.assert_array_equal(a.dev_pos[f, k], a.dev_pos[f - 1, k])
        scale = a.meta["devices_randomised"]["scale"]
        self.assertTrue(0.9 <= scale <= 1.1)
        np.testing.assert_allclose(a.truth_pos, clip.truth_pos * scale, rtol=1e-6, atol=1e-6)
        clipio.from_bytes(clipio.to_bytes(a))   # still a valid clip

    def test_build_default_is_clean(self):
        clip = common.built(common.WALK)
        self.assertTrue(np.all(clip.dev_flags == clipio.FLAGS_TRACKED))
        self.assertNotIn("devices_randomised", clip.meta)


if __name__ == "__main__":
    unittest.main()
