"""Training losses: zero on identical inputs, growing with the error, the
geometric angular-velocity term against a hand-computed value."""
import math
import unittest

import torch

from tests.tools import common  # noqa: F401  (puts tools/ on sys.path)
from kinestpy import skeleton
from kinestpy.model import geometry as geo
from kinestpy.model import losses


def random_motion(b=2, t=10, seed=0):
    """Smooth random local rotations (b, t, 21, 3, 3) and per-clip offsets (b, 21, 3)."""
    g = torch.Generator().manual_seed(seed)
    w0 = torch.randn(b, 1, 21, 3, generator=g, dtype=torch.float64) * 0.4
    w1 = torch.randn(b, 1, 21, 3, generator=g, dtype=torch.float64) * 0.05
    ts = torch.arange(t, dtype=torch.float64)[None, :, None, None]
    r = geo.so3_exp(w0 + w1 * ts)
    off = torch.as_tensor(_offsets(), dtype=torch.float64).expand(b, 21, 3)
    off = off * (1 + 0.1 * torch.rand(b, 1, 1, generator=g, dtype=torch.float64))
    return r, off


def _offsets():
    """A plausible canonical skeleton (metres): parent-relative rest offsets."""
    o = torch.zeros(21, 3, dtype=torch.float64)
    up = {1: 0.1, 2: 0.15, 3: 0.2, 4: 0.1}
    for j, v in up.items():
        o[j] = torch.tensor([0.0, v, 0.0])
    for side, s in (("left", -1.0), ("right", 1.0)):
        i = skeleton.INDEX
        o[i[side + "_collar"]] = torch.tensor([s * 0.05, 0.15, 0.0])
        o[i[side + "_upper_arm"]] = torch.tensor([s * 0.12, 0.0, 0.0])
        o[i[side + "_forearm"]] = torch.tensor([s * 0.28, 0.0, 0.0])
        o[i[side + "_hand"]] = torch.tensor([s * 0.25, 0.0, 0.0])
        o[i[side + "_thigh"]] = torch.tensor([s * 0.09, -0.05, 0.0])
        o[i[side + "_shin"]] = torch.tensor([0.0, -0.42, 0.0])
        o[i[side + "_foot"]] = torch.tensor([0.0, -0.4, 0.0])
        o[i[side + "_toes"]] = torch.tensor([0.0, -0.07, -0.12])
    return o


class TestLosses(unittest.TestCase):
    def test_zero_on_identical_inputs_with_finite_gradient(self):
        r, off = random_motion()
        y = geo.matrix_to_6d(r).requires_grad_()
        total, terms = losses.total_loss(y, geo.matrix_to_6d(r), off)
        self.assertEqual(set(terms), {"rot", "root", "pos", "angvel", "vel", "acc"})
        for k, v in terms.items():
            self.assertLess(v.item(), 1e-12, k)
        total.backward()
        self.assertTrue(torch.isfinite(y.grad).all())

    def test_grows_with_error(self):
        r, off = random_motion()
        truth = geo.matrix_to_6d(r)
        g = torch.Generator().manual_seed(3)
        noise = torch.randn(r.shape[:-2] + (3,), generator=g, dtype=torch.float64)
        prev = None
        for scale in (0.01, 0.03, 0.1, 0.3):
            pred = geo.matrix_to_6d(r @ geo.so3_exp(noise * scale))
            _, terms = losses.total_loss(pred, truth, off)
            if prev is not None:
                for k in terms:
                    self.assertGreater(terms[k].item(), prev[k], k)
            prev = {k: v.item() for k, v in terms.items()}

    def test_angular_velocity_constant_rate(self):
        # truth: every joint turns about Z at w rad per tick; prediction: frozen.
        # log V_t = (0, 0, w) for the truth and 0 for the prediction, so the
        # mean L1 over the three components is w / 3.
        w, t = 0.05, 12
        angles = torch.arange(t, dtype=torch.float64) * w
        aa = torch.zeros(1, t, 21, 3, dtype=torch.float64)
        aa[..., 2] = angles[None, :, None]
        truth = geo.so3_exp(aa)
        frozen = truth[:, :1].expand_as(truth)
        self.assertAlmostEqual(losses.angvel_loss(frozen, truth).item(), w / 3, places=12)
        # twice the rate in the prediction: |2w - w| / 3
        fast = geo.so3_exp(aa * 2)
        self.assertAlmostEqual(losses.angvel_loss(fast, truth).item(), w / 3, places=12)
        # a constant rotation applied on the parent side (R'_t = O R_t) leaves every V_t unchanged
        o = geo.so3_exp(torch.tensor([0.3, -0.2, 0.1], dtype=torch.float64))
        self.assertLess(losses.angvel_loss(o @ truth, truth).item(), 1e-12)

    def test_positions_of_rest_pose(self):
        off = _offsets()
        eye = torch.eye(3, dtype=torch.float64).expand(1, 1, 21, 3, 3)
        pos = losses.body_positions(eye, off[None])
        rest = torch.as_tensor(skeleton.rest_positions(off.numpy()))
        head = skeleton.HEAD
        self.assertLess((pos[0, 0] - (rest - rest[head])).abs().max().item(), 1e-12)

    def test_frame_turns_the_root(self):
        r, off = random_motion(b=1, t=4)
        yaw = geo.yaw_matrix(torch.full((1, 4), math.cos(0.7), dtype=torch.float64),
                             torch.full((1, 4), math.sin(0.7), dtype=torch.float64))
        a = losses.body_positions(r, off)
        b = losses.body_positions(r, off, frame=yaw)
        self.assertLess((yaw[..., None, :, :] @ a[..., None] - b[..., None]).abs().max().item(), 1e-12)

    def test_velocity_term_units(self):
        # a prediction shifted by a constant position error has no velocity error;
        # one whose error grows linearly by 1 mm per tick has 0.06 m/s of it
        r, off = random_motion(b=1, t=6)
        truth = geo.matrix_to_6d(r)
        _, terms = losses.total_loss(truth, truth, off)
        self.assertLess(terms["vel"].item(), 1e-12)
        cfg = losses.LossConfig()
        tp = losses.body_positions(r, off)
        pp = tp + torch.arange(6, dtype=torch.float64)[None, :, None, None] * torch.tensor([0.001, 0, 0], dtype=torch.float64)
        vp = (pp[:, 1:] - pp[:, :-1]) * cfg.rate_hz
        vt = (tp[:, 1:] - tp[:, :-1]) * cfg.rate_hz
        self.assertAlmostEqual(losses._dist(vp, vt).item(), 0.06, places=9)


if __name__ == "__main__":
    unittest.main()
