"""Training augmentation: every augmentation keeps the bones rigid (and as scaled) and the devices
attached to the body (equal to devices.py's synthesis from the augmented joints)."""
import unittest

import numpy as np

from tests.tools import common
from kinestpy import augment, clipio, devices, rot, skeleton


def bone_lengths(clip):
    return skeleton.bone_lengths(clip.truth_pos.astype(np.float64))[:, 1:]


class Base(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.clip = common.built(common.WALK)
        cls.motion = augment.motion_of(cls.clip)
        cls.lengths = bone_lengths(cls.clip)[0]

    def assert_rigid(self, clip, want):
        bl = bone_lengths(clip)
        self.assertLess((bl.max(axis=0) - bl.min(axis=0)).max(), 3e-5)      # constant (float32)
        np.testing.assert_allclose(bl[0], want, atol=3e-5)                      # and as expected
        offs = np.asarray(clip.meta["skeleton"]["offsets_m"])
        np.testing.assert_allclose(bl[0], np.linalg.norm(offs, axis=1)[1:], atol=3e-5)

    def assert_devices_attached(self, clip):
        flags, dpos, dquat = devices.synthesize(clip.truth_quat.astype(np.float64), clip.truth_pos.astype(np.float64))
        np.testing.assert_allclose(clip.dev_pos, dpos, atol=2e-5)
        self.assertLess(np.degrees(rot.quat_angle(clip.dev_quat, dquat)).max(), 0.01)
        np.testing.assert_array_equal(clip.dev_flags, flags)


class TestMirror(Base):
    def test_mirror(self):
        out = augment.to_clip(augment.mirror_motion(self.motion), self.clip.meta)
        self.assert_rigid(out, self.lengths[np.array(augment.SWAP[1:]) - 1])
        self.assert_devices_attached(out)
        # independent check: the reflection S across the first frame's sagittal plane
        g0 = rot.quat_to_matrix(self.clip.truth_quat[0, 0].astype(np.float64))
        fwd = -g0[:, 2] * [1, 0, 1]
        fwd /= np.linalg.norm(fwd)
        n = np.cross(fwd, [0, 1, 0])                      # normal of the sagittal plane
        s = np.eye(3) - 2 * np.outer(n, n)
        c = self.clip.truth_pos[0, 0].astype(np.float64) * [1, 0, 1]
        p = self.clip.truth_pos.astype(np.float64)
        np.testing.assert_allclose(out.truth_pos, (p[:, augment.SWAP] - c) @ s.T + c, atol=3e-5)
        # devices: reflected, grips swapped, each orientation S R M (M negates the device's own X)
        d = self.clip.dev_pos.astype(np.float64)
        np.testing.assert_allclose(out.dev_pos, (d[:, [0, 2, 1]] - c) @ s.T + c, atol=3e-5)
        r = rot.quat_to_matrix(self.clip.dev_quat[:, [0, 2, 1]].astype(np.float64))
        want = rot.matrix_to_quat(s @ r @ augment.MIRROR)
        self.assertLess(np.degrees(rot.quat_angle(out.dev_quat, want)).max(), 0.01)
        # the left hand is now where the right one was mirrored: it is on the body's left
        hips = rot.quat_to_matrix(out.truth_quat[:, 0].astype(np.float64))
        lr = out.truth_pos[:, skeleton.LEFT_HAND] - out.truth_pos[:, skeleton.RIGHT_HAND]
        self.assertLess(np.mean(np.einsum("fi,fi->f", lr, hips[:, :, 0])), 0)
        # twice is the identity
        back = augment.to_clip(augment.mirror_motion(augment.mirror_motion(self.motion)), self.clip.meta)
        np.testing.assert_allclose(back.truth_pos, self.clip.truth_pos, atol=3e-5)


class TestScale(Base):
    def test_scale(self):
        rng = np.random.default_rng(3)
        f = augment.segment_factors(rng, (0.9, 1.1), (0.93, 1.07), 1.4)
        self.assertEqual(f[0], 1.0)
        for a, b in (("left_shin", "right_shin"), ("left_hand", "right_hand"), ("left_collar", "right_collar")):
            self.assertEqual(f[skeleton.INDEX[a]], f[skeleton.INDEX[b]])
        out = augment.to_clip(augment.scale_body(self.motion, f), self.clip.meta)
        self.assert_rigid(out, self.lengths * f[1:])
        self.assert_devices_attached(out)
        low = lambda c: c.truth_pos[:, skeleton.FEET, 1].min(axis=1)
        self.assertAlmostEqual(np.percentile(low(out), 5), np.percentile(low(self.clip), 5), delta=1e-4)
        # the stride grows with the legs: horizontal travel scales with the leg length
        travel = lambda c: np.linalg.norm((c.truth_pos[-1, 0] - c.truth_pos[0, 0])[[0, 2]])
        k = augment._leg_length(self.motion.offsets * f[:, None]) / augment._leg_length(self.motion.offsets)
        self.assertAlmostEqual(travel(out) / travel(self.clip), k, delta=1e-4)

    def test_adult_range(self):
        rng = np.random.default_rng(0)
        for h in (1.1, 1.4, 1.7, 2.2):
            for _ in range(20):
                g = augment.segment_factors(rng, (0.9, 1.1), (1.0, 1.0), h)[1]
                self.assertTrue(1.30 - 1e-9 <= g * h <= 1.85 + 1e-9, (h, g))


class TestSpeed(Base):
    def test_speed(self):
        for k in (0.8, 1.25):
            out = augment.to_clip(augment.warp_speed(self.motion, k), self.clip.meta)
            self.assert_rigid(out, self.lengths)
            self.assert_devices_attached(out)
            self.assertEqual(out.frames, int(np.floor((self.clip.frames - 1) / k + 1e-9)) + 1)
            np.testing.assert_array_equal(out.time_ns, np.round(np.arange(out.frames) * 1e9 / 60).astype(np.int64))
        # half speed keeps every source sample at the even frames
        out = augment.to_clip(augment.warp_speed(self.motion, 0.5), self.clip.meta)
        np.testing.assert_allclose(out.truth_pos[::2], self.clip.truth_pos, atol=3e-5)


class TestHeadingAndFloor(Base):
    def test_heading_and_floor(self):
        out = augment.to_clip(augment.turn(self.motion, np.radians(90.0), 0.02), self.clip.meta)
        self.assert_rigid(out, self.lengths)
        self.assert_devices_attached(out)
        p, q = self.clip.truth_pos.astype(np.float64), out.truth_pos.astype(np.float64)
        np.testing.assert_allclose(q[..., 1], p[..., 1] + 0.02, atol=3e-5)       # lifted 2 cm
        c = p[0, 0] * [1, 0, 1]
        y = np.array([[0, 0, 1], [0, 1, 0], [-1, 0, 0]], float)                   # +90 deg about +Y
        np.testing.assert_allclose((q - c)[..., [0, 2]], ((p - c) @ y.T)[..., [0, 2]], atol=3e-5)
        h0 = augment.heading(rot.quat_to_matrix(self.clip.truth_quat[:, 0].astype(np.float64)))
        h1 = augment.heading(rot.quat_to_matrix(out.truth_quat[:, 0].astype(np.float64)))
        np.testing.assert_allclose(np.angle(np.exp(1j * (h1 - h0))), np.radians(90.0), atol=1e-4)


class TestDeviceNoise(Base):
    def test_device_noise_and_the_whole_pipeline(self):
        a = augment.augment(self.clip, 5)
        b = augment.augment(self.clip, 5)
        c = augment.augment(self.clip, 6)
        np.testing.assert_array_equal(a.dev_pos, b.dev_pos)
        np.testing.assert_array_equal(a.truth_pos, b.truth_pos)
        self.assertFalse(np.array_equal(a.truth_pos, c.truth_pos))
        bl = bone_lengths(a)
        self.assertLess((bl.max(axis=0) - bl.min(axis=0)).max(), 3e-5)
        self.assertTrue(a.meta["augmented"]["device_noise"])
        clipio.from_bytes(clipio.to_bytes(a))
        # devices stay near the synthesis from the augmented joints where tracked (noise of ~1 cm,
        # a few degrees); where dropped they hold the identity pose with flags 0
        _, dpos, dquat = devices.synthesize(a.truth_quat.astype(np.float64), a.truth_pos.astype(np.float64))
        tracked = a.dev_flags == clipio.FLAGS_TRACKED
        self.assertGreater(tracked.mean(), 0.5)
        self.assertLess(np.linalg.norm(a.dev_pos - dpos, axis=-1)[tracked].max(), 0.08)
        self.assertLess(np.degrees(rot.quat_angle(a.dev_quat, dquat))[tracked].max(), 30.0)
        # without device noise the devices are exactly the synthesis
        clean = augment.augment(self.clip, 5, device_noise=None)
        self.assert_devices_attached(clean)
        np.testing.assert_array_equal(clean.truth_pos, a.truth_pos)

    def test_switches_are_independent(self):
        full = augment.augment(self.clip, 11, device_noise=None)
        no_mirror = augment.augment(self.clip, 11, mirror=None, device_noise=None)
        self.assertEqual(full.meta["augmented"]["scale"], no_mirror.meta["augmented"]["scale"])
        self.assertEqual(full.meta["augmented"]["speed"], no_mirror.meta["augmented"]["speed"])
        off = augment.augment(self.clip, 11, mirror=None, scale=None, speed=None, heading=False, floor=0,
                              device_noise=None)
        np.testing.assert_allclose(off.truth_pos, self.clip.truth_pos, atol=3e-5)
        self.assertEqual(off.frames, self.clip.frames)


if __name__ == "__main__":
    unittest.main()
