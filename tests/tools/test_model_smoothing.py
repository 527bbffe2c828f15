"""Motion label smoothing: the skeleton Perlin noise is smooth (low-frequency),
seeded, correlated within a chain, and blends into valid rotations."""
import dataclasses
import unittest

import torch

from tests.tools import common  # noqa: F401  (puts tools/ on sys.path)
from kinestpy.model import geometry as geo
from kinestpy.model import smoothing as sm


def gen(seed):
    return torch.Generator().manual_seed(seed)


def low_share(signal, rate=60.0, cutoff=5.0):
    """Share of the (mean-removed) energy below `cutoff` Hz, per column."""
    s = signal - signal.mean(0)
    p = torch.fft.rfft(s, dim=0).abs() ** 2
    f = torch.fft.rfftfreq(s.shape[0], 1.0 / rate)
    return p[f < cutoff].sum(0) / p.sum(0)


class TestSmoothing(unittest.TestCase):
    def test_spectrum_mostly_below_5_hz(self):
        cfg = sm.SmoothingConfig()
        noise = sm.skeleton_noise(3600, cfg, gen(0)).reshape(3600, -1)      # one minute at 60 Hz
        share = low_share(noise)
        self.assertGreater(share.min().item(), 0.9)
        # white noise has about 5/30 of its energy there: the check can tell them apart
        self.assertLess(low_share(torch.randn(3600, 8, generator=gen(1), dtype=torch.float64)).max().item(), 0.3)

    def test_octaves(self):
        # persistence 0.5 over 5 octaves; a single octave is smoother than the fBm
        one = sm.fbm(3600, 60.0, 4, gen(2), octaves=1)
        five = sm.fbm(3600, 60.0, 4, gen(2), octaves=5)
        d1 = (one[1:] - one[:-1]).abs().mean() / one.std()
        d5 = (five[1:] - five[:-1]).abs().mean() / five.std()
        self.assertGreater(d5.item(), 1.3 * d1.item())
        self.assertLess(five.abs().max().item(), 1.0)
        # continuous: no jumps between neighbouring ticks
        self.assertLess((five[1:] - five[:-1]).abs().max().item(), 0.2)

    def test_deterministic_for_a_seed(self):
        cfg = sm.SmoothingConfig()
        a = sm.skeleton_noise(200, cfg, gen(7))
        b = sm.skeleton_noise(200, cfg, gen(7))
        c = sm.skeleton_noise(200, cfg, gen(8))
        self.assertTrue(torch.equal(a, b))
        self.assertGreater((a - c).abs().max().item(), 0.05)

    def test_chain_correlation(self):
        cfg = sm.SmoothingConfig()
        n = sm.skeleton_noise(6000, cfg, gen(3))

        def corr(i, j):
            a, b = n[:, i, 0] - n[:, i, 0].mean(), n[:, j, 0] - n[:, j, 0].mean()
            return ((a * b).sum() / (a.norm() * b.norm())).item()
        within = [corr(6, 7), corr(14, 15), corr(1, 3)]     # left arm, left leg, spine
        across = [corr(6, 14), corr(7, 18), corr(1, 10)]
        self.assertGreater(min(within), 0.6)
        self.assertLess(max(abs(c) for c in across), 0.5)

    def test_blend(self):
        g = gen(4)
        r = geo.so3_exp(torch.randn(2, 30, 21, 3, generator=g, dtype=torch.float64))
        y = geo.matrix_to_6d(r)
        off = dataclasses.replace(sm.SmoothingConfig(), enabled=False)
        self.assertIs(sm.smooth_targets(y, off, gen(5)), y)
        cfg = sm.SmoothingConfig(eps=0.1)
        out = sm.smooth_targets(y, cfg, gen(5))
        self.assertEqual(out.shape, y.shape)
        ro = geo.sixd_to_matrix(out)
        eye = torch.eye(3, dtype=torch.float64)
        self.assertLess((ro.transpose(-1, -2) @ ro - eye).abs().max().item(), 1e-12)   # valid rotations
        ang = geo.so3_log(r.transpose(-1, -2) @ ro).norm(dim=-1)
        self.assertGreater(ang.mean().item(), 0.005)        # moved ...
        self.assertLess(ang.max().item(), 0.6)              # ... but only a little
        # stronger eps -> larger change; the same seed -> the same smoothed labels
        ang2 = geo.so3_log(r.transpose(-1, -2) @ geo.sixd_to_matrix(
            sm.smooth_targets(y, sm.SmoothingConfig(eps=0.3), gen(5)))).norm(dim=-1)
        self.assertGreater(ang2.mean().item(), ang.mean().item())
        self.assertTrue(torch.equal(out, sm.smooth_targets(y, cfg, gen(5))))


if __name__ == "__main__":
    unittest.main()
