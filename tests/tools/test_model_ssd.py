"""Mamba-2 / SSD block: the chunked parallel form equals the one-token recurrence
(reference/kinest.md section 2), states included."""
import unittest

import torch

from tests.tools import common  # noqa: F401  (puts tools/ on sys.path)
from kinestpy.model import ssd


def randomised(m, scale=0.3, seed=0):
    """Random weights everywhere (not only the init values), A and dt in a useful range."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in m.named_parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=p.dtype) * scale)
        m.A_log.copy_(torch.rand(m.A_log.shape, generator=g, dtype=m.A_log.dtype) * 2.5)   # A in [-12, -1]
        m.dt_bias.copy_(torch.rand(m.dt_bias.shape, generator=g, dtype=m.dt_bias.dtype) * 4 - 4)
    return m


def naive_step(m, u, conv, h):
    """kinest.md section 2 written out literally, per head and channel (float64)."""
    di, n, hp, nh = m.d_inner, m.d_state, m.headdim, m.nheads
    zxbcdt = u @ m.in_proj.weight.T
    z, xbc, dt = zxbcdt[:, :di], zxbcdt[:, di:2 * di + 2 * n], zxbcdt[:, 2 * di + 2 * n:]
    conv = torch.cat([conv[:, :, 1:], xbc[:, :, None]], 2)
    xbc = conv[:, :, 0] * 0 + m.conv_bias
    for k in range(m.d_conv):
        xbc = xbc + m.conv_weight[:, k] * conv[:, :, k]
    xbc = xbc * torch.sigmoid(xbc)
    x, b, c = xbc[:, :di], xbc[:, di:di + n], xbc[:, di + n:]
    y = torch.zeros(u.shape[0], di, dtype=u.dtype)
    h = h.clone()
    for hh in range(nh):
        d = dt[:, hh] + m.dt_bias[hh]
        d = torch.where(d > 20, d, torch.log1p(torch.exp(d)))
        da = torch.exp(d * -torch.exp(m.A_log[hh]))
        for p in range(hp):
            xi = x[:, hh * hp + p]
            h[:, hh, p] = da[:, None] * h[:, hh, p] + (d * xi)[:, None] * b
            y[:, hh * hp + p] = (c * h[:, hh, p]).sum(-1) + m.D[hh] * xi
    y = y * (z * torch.sigmoid(z))
    y = y / torch.sqrt((y * y).mean(-1, keepdim=True) + 1e-5) * m.norm_weight
    return y @ m.out_proj.weight.T, conv, h


def run_steps(m, u, conv, h):
    ys = []
    for t in range(u.shape[1]):
        y, conv, h = m.step(u[:, t], conv, h)
        ys.append(y)
    return torch.stack(ys, 1), conv, h


class TestSSD(unittest.TestCase):
    def make(self, dtype=torch.float64, chunk=8, **kw):
        torch.manual_seed(1)
        args = dict(d_model=16, d_state=8, expand=2, headdim=8, d_conv=4)
        args.update(kw)
        return randomised(ssd.Mamba2(chunk=chunk, **args).to(dtype))

    def states(self, m, batch, dtype, seed=3, zero=False):
        g = torch.Generator().manual_seed(seed)
        conv, h = m.init_state(batch, dtype)
        if zero:
            return conv, h
        return torch.randn(conv.shape, generator=g, dtype=dtype), torch.randn(h.shape, generator=g, dtype=dtype)

    def test_step_is_the_documented_recurrence(self):
        m = self.make()
        g = torch.Generator().manual_seed(5)
        u = torch.randn(3, 16, generator=g, dtype=torch.float64)
        conv, h = self.states(m, 3, torch.float64)
        with torch.no_grad():
            got = m.step(u, conv, h)
            want = naive_step(m, u, conv, h)
        for a, b in zip(got, want):
            self.assertLess((a - b).abs().max().item(), 1e-12)

    def test_parallel_equals_recurrent_float64(self):
        m = self.make(chunk=8)
        g = torch.Generator().manual_seed(7)
        for length in (1, 3, 8, 21, 64):            # shorter than, equal to, not a multiple of the chunk
            for zero in (True, False):               # zero and nonzero initial conv + SSM states
                u = torch.randn(2, length, 16, generator=g, dtype=torch.float64)
                conv, h = self.states(m, 2, torch.float64, zero=zero)
                with torch.no_grad():
                    yp, cp, hp = m(u, conv, h)
                    ys, cs, hs = run_steps(m, u, conv, h)
                err = max((yp - ys).abs().max().item(), (cp - cs).abs().max().item(), (hp - hs).abs().max().item())
                self.assertLess(err, 1e-10, "length %d zero=%s" % (length, zero))
                self.assertGreater(ys.abs().max().item(), 0.1)   # not trivially zero

    def test_parallel_equals_recurrent_float32(self):
        m = self.make(dtype=torch.float32, chunk=16, d_model=24, headdim=16)
        g = torch.Generator().manual_seed(9)
        u = torch.randn(2, 45, 24, generator=g)
        conv, h = self.states(m, 2, torch.float32)
        with torch.no_grad():
            yp, cp, hp = m(u, conv, h)
            ys, cs, hs = run_steps(m, u, conv, h)
        err = max((yp - ys).abs().max().item(), (cp - cs).abs().max().item(), (hp - hs).abs().max().item())
        self.assertLess(err, 1e-5)

    def test_chunk_size_does_not_change_the_result(self):
        m = self.make(chunk=4)
        g = torch.Generator().manual_seed(11)
        u = torch.randn(2, 37, 16, generator=g, dtype=torch.float64)
        conv, h = self.states(m, 2, torch.float64)
        with torch.no_grad():
            ref = m(u, conv, h)
            for chunk in (5, 16, 64):
                m.chunk = chunk
                got = m(u, conv, h)
                for a, b in zip(ref, got):
                    self.assertLess((a - b).abs().max().item(), 1e-10)

    def test_split_sequence_with_carried_state(self):
        m = self.make(chunk=8)
        g = torch.Generator().manual_seed(13)
        u = torch.randn(2, 30, 16, generator=g, dtype=torch.float64)
        with torch.no_grad():
            y, c, h = m(u)
            y1, c1, h1 = m(u[:, :11])
            y2, c2, h2 = m(u[:, 11:], c1, h1)
        self.assertLess((torch.cat([y1, y2], 1) - y).abs().max().item(), 1e-10)
        self.assertLess((h2 - h).abs().max().item(), 1e-10)
        self.assertLess((c2 - c).abs().max().item(), 1e-12)

    def test_state_matters(self):
        # a nonzero initial state must change the output (guards against ignoring it)
        m = self.make()
        u = torch.randn(1, 5, 16, dtype=torch.float64)
        conv, h = self.states(m, 1, torch.float64)
        with torch.no_grad():
            a = m(u)[0]
            b = m(u, conv, h)[0]
        self.assertGreater((a - b).abs().max().item(), 1e-3)

    def test_gradients_finite(self):
        m = ssd.Mamba2(16, 8, 2, 8, 4, chunk=8)
        u = torch.randn(2, 19, 16, requires_grad=True)
        y, c, h = m(u)
        (y.square().mean() + h.square().mean()).backward()
        for name, p in m.named_parameters():
            self.assertTrue(torch.isfinite(p.grad).all(), name)
            self.assertGreater(p.grad.abs().max().item(), 0, name)

    def test_grouped_conv_bmm_equals_matmul(self):
        g = torch.Generator().manual_seed(17)
        a = torch.randn(3, 5, 7, 4, generator=g)
        b = torch.randn(3, 5, 4, 6, generator=g)
        self.assertTrue(ssd.GROUPED_CONV_BMM)
        self.assertLess((ssd.bmm(a, b) - torch.matmul(a, b)).abs().max().item(), 1e-5)

    def test_causal_conv_taps(self):
        # weight[:, K-1] multiplies the current input, weight[:, 0] the one K-1 ticks ago
        w = torch.zeros(1, 4, dtype=torch.float64)
        w[0, 0] = 1.0
        seq = torch.arange(1.0, 7.0, dtype=torch.float64).view(1, 6, 1)
        out, st = ssd.causal_conv(seq, torch.zeros(1, 1, 4, dtype=torch.float64), w, torch.zeros(1, dtype=torch.float64))
        self.assertEqual(out.view(-1).tolist(), [0, 0, 0, 1, 2, 3])
        self.assertEqual(st.view(-1).tolist(), [3, 4, 5, 6])

    def test_segsum(self):
        x = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64)
        s = ssd.segsum(x)
        self.assertEqual(s[3, 1].item(), 7.0)      # x2 + x3
        self.assertEqual(s[2, 2].item(), 0.0)
        self.assertEqual(s[1, 2].item(), float("-inf"))
        s2 = ssd.segsum_from_cumsum(torch.cumsum(x, 0))
        self.assertTrue(torch.equal(s, s2))

    def test_counts(self):
        m = ssd.Mamba2(24, 16, 2, 16, 4)
        self.assertEqual(m.n_params(), sum(p.numel() for p in m.parameters()))
        self.assertEqual(m.nheads, 3)


if __name__ == "__main__":
    unittest.main()
