"""Model input features: heading-aligned and floor-anchored (invariant to where
the app puts its origin and which way it faces), layout as documented, and the
way back from predicted rotations to global joints."""
import math
import unittest

import numpy as np
import torch

from tests.tools import common
from kinestpy import rot
from kinestpy.model import features as F
from kinestpy.model import geometry as geo


def yaw_quat(angle):
    return np.array([0.0, math.sin(angle / 2), 0.0, math.cos(angle / 2)])


def random_clip(t=90, seed=0):
    """Smoothly moving head and grips (positions, quaternions), all valid."""
    rng = np.random.default_rng(seed)
    ts = np.arange(t)[:, None] / 60.0
    pos = np.empty((t, 3, 3))
    quat = np.empty((t, 3, 4))
    for d in range(3):
        base = rng.normal(size=3) * [0.3, 0.2, 0.3] + [0, 1.0 + 0.5 * (d == 0), 0]
        freq = rng.uniform(0.3, 2.0, size=3)
        pos[:, d] = base + 0.3 * np.sin(2 * np.pi * freq * ts + rng.uniform(0, 6, size=3))
        w = rng.normal(size=3) * 0.8
        w0 = rng.normal(size=3) * 0.5
        aa = w0 + np.sin(ts * w)                                    # smooth axis-angle path
        quat[:, d] = rot.matrix_to_quat(geo.so3_exp(torch.as_tensor(aa)).numpy())
    return pos, quat, np.full((t, 3), 0xF, np.uint32)


def transform(pos, quat, angle, shift):
    """The whole clip turned about +Y by `angle` and moved by `shift` (x, z)."""
    q = yaw_quat(angle)
    p = rot.quat_rotate(np.broadcast_to(q, pos.shape[:-1] + (4,)), pos) + [shift[0], 0.0, shift[1]]
    return p, rot.quat_mul(np.broadcast_to(q, quat.shape), quat)


class TestFeatures(unittest.TestCase):
    def test_layout(self):
        names = F.feature_names()
        self.assertEqual(len(names), F.N_FEATURES)
        self.assertEqual(F.N_FEATURES, 58)
        self.assertEqual(names[F.PER_DEVICE + F.POS], "left_grip.pos.x")
        self.assertEqual(names[2 * F.PER_DEVICE + F.VALID], "right_grip.valid")
        self.assertEqual(names[F.YAW_RATE], "head.yaw_rate")

    def test_invariant_to_yaw_and_horizontal_translation(self):
        pos, quat, flags = random_clip()
        ref = F.clip_features(pos, quat, flags)
        rng = np.random.default_rng(1)
        for _ in range(4):
            angle = rng.uniform(-np.pi, np.pi)
            shift = rng.uniform(-20, 20, size=2)
            p2, q2 = transform(pos, quat, angle, shift)
            got = F.clip_features(p2, q2, flags)
            self.assertLess((got - ref).abs().max().item(), 1e-5)
        # a vertical move is not removed (height above the floor is kept)
        up = F.clip_features(pos + [0, 0.1, 0], quat, flags)
        self.assertAlmostEqual((up - ref)[:, F.POS + 1].mean().item(), 0.1, places=5)

    def test_aligned_head(self):
        pos, quat, flags = random_clip()
        x = F.clip_features(pos, quat, flags, dtype=torch.float64)
        self.assertLess(x[:, F.POS].abs().max().item(), 1e-12)           # head x, z = 0
        self.assertLess(x[:, F.POS + 2].abs().max().item(), 1e-12)
        np.testing.assert_allclose(x[:, F.POS + 1].numpy(), pos[:, 0, 1], atol=1e-12)
        # head forward (-Z column) has no sideways (x) component and points to -Z
        r = geo.sixd_to_matrix(x[:, F.ROT6D:F.ROT6D + 6])
        fwd = -r[:, :, 2]
        self.assertLess(fwd[:, 0].abs().max().item(), 1e-9)
        self.assertTrue((fwd[:, 2] < 0).all())

    def test_velocity_rotation_difference_and_yaw_rate(self):
        t = 30
        w = 1.2                                                           # rad/s about +Y
        ang = w * np.arange(t) / 60.0
        pos = np.zeros((t, 3, 3))
        pos[:, 0] = [0.0, 1.6, 0.0]
        pos[:, 1] = np.stack([0.5 * np.arange(t) / 60.0, np.full(t, 1.0), np.zeros(t)], 1)   # 0.5 m/s along +X
        pos[:, 2] = [0.3, 1.0, -0.2]
        quat = np.zeros((t, 3, 4))
        quat[:, 0] = np.stack([yaw_quat(a) for a in ang])
        quat[:, 1:, 3] = 1.0
        x = F.clip_features(pos, quat, np.full((t, 3), 0xF), dtype=torch.float64)
        np.testing.assert_allclose(x[1:, F.YAW_RATE].numpy(), w, rtol=1e-9)
        self.assertEqual(x[0, F.YAW_RATE].item(), 0.0)
        # left grip velocity: world (0.5, 0, 0) seen from a frame turned by ang
        b = F.PER_DEVICE
        want = np.stack([0.5 * np.cos(ang), np.zeros(t), 0.5 * np.sin(ang)], 1)
        np.testing.assert_allclose(x[1:, b + F.VEL:b + F.VEL + 3].numpy(), want[1:], atol=1e-9)
        self.assertLess(x[0, b + F.VEL:b + F.VEL + 3].abs().max().item(), 1e-15)
        # head rotation difference: a turn of w/60 about +Y
        d = geo.sixd_to_matrix(x[1:, F.DROT:F.DROT + 6])
        np.testing.assert_allclose(geo.so3_log(d).numpy(), np.tile([0, w / 60, 0], (t - 1, 1)), atol=1e-9)

    def test_invalid_device(self):
        pos, quat, flags = random_clip(t=20)
        flags = flags.copy()
        flags[5:8, 2] = 0x0          # right grip lost for three ticks
        flags[12, 1] = 0x1           # left grip: orientation only -> not valid
        x = F.clip_features(pos, quat, flags)
        b = 2 * F.PER_DEVICE
        self.assertTrue((x[5:8, b:b + F.PER_DEVICE] == 0).all())
        self.assertEqual(x[4, b + F.VALID].item(), 1.0)
        # first tick back: no velocity, identity rotation difference
        self.assertTrue((x[8, b + F.VEL:b + F.VEL + 3] == 0).all())
        self.assertEqual(x[8, b + F.DROT:b + F.DROT + 6].tolist(), list(geo.IDENTITY_6D))
        self.assertEqual(x[12, F.PER_DEVICE + F.VALID].item(), 0.0)

    def test_prediction_back_to_joints_real_clip(self):
        clip = common.built(common.WALK)
        d = F.from_clip(clip)
        self.assertEqual(tuple(d["x"].shape), (clip.frames, F.N_FEATURES))
        # the truth's own targets, turned back into joints, land on the truth
        glob, pos = F.joints_from_prediction(d["y"], clip.dev_pos[:, 0], clip.dev_quat[:, 0], d["offsets"])
        self.assertLess((pos - torch.as_tensor(clip.truth_pos, dtype=torch.float64)).abs().max().item(), 2e-4)
        want = geo.quat_to_matrix(torch.as_tensor(clip.truth_quat, dtype=torch.float64))
        self.assertLess((glob - want).abs().max().item(), 2e-4)
        # and the same targets for a turned, moved copy of the clip (yaw is taken out)
        _, q2 = transform(clip.truth_pos.reshape(-1, 3), clip.truth_quat.reshape(-1, 4), 2.0, (3.0, -7.0))
        y2 = F.local_targets(q2.reshape(clip.truth_quat.shape), transform(clip.dev_pos[:, 0], clip.dev_quat[:, 0], 2.0, (3.0, -7.0))[1])
        self.assertLess((y2.float() - d["y"]).abs().max().item(), 1e-4)

    def test_root_targets_in_aligned_frame(self):
        # body and head facing +X (yaw -90 deg): the aligned root orientation is the identity
        t = 3
        truth = np.zeros((t, 21, 4))
        truth[..., 3] = 1.0
        truth[:] = yaw_quat(-np.pi / 2)
        y = F.local_targets(truth, np.tile(yaw_quat(-np.pi / 2), (t, 1)))
        ident = torch.tensor(geo.IDENTITY_6D, dtype=torch.float64)
        self.assertLess((y - ident).abs().max().item(), 1e-12)


if __name__ == "__main__":
    unittest.main()
