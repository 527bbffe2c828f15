"""The streaming KineST: step-by-step equals the parallel forward, carried state
equals one long forward, counts are analytic, every weight is exported by name."""
import dataclasses
import unittest

import torch

from tests.tools import common  # noqa: F401  (puts tools/ on sys.path)
from kinestpy.model import features, stream


def small(**kw):
    base = dict(d_model=32, n_temporal=2, n_spatial=2, joint_dim=8, d_state=4, expand=2,
                headdim=16, joint_headdim=8, d_conv=4, mix_taps=3, mlp_ratio=2.0,
                chunk=8, joint_chunk=16)                 # 16 does not divide 21 (tokens per tick)
    base.update(kw)
    return stream.StreamConfig(**base)


def randomise(model, seed=0, scale=0.15):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.add_(torch.randn(p.shape, generator=g, dtype=p.dtype) * scale)
        model.input_mean.copy_(torch.randn(model.input_mean.shape, generator=g) * 0.1)
        model.input_std.copy_(torch.rand(model.input_std.shape, generator=g) + 0.5)
    return model


def run_steps(model, x, state=None):
    ys = []
    for t in range(x.shape[1]):
        y, state = model.step(x[:, t], state)
        ys.append(y)
    return torch.stack(ys, 1), state


def max_state_diff(a, b):
    assert list(a) == list(b)
    return max((a[k] - b[k]).abs().max().item() for k in a)


class TestStream(unittest.TestCase):
    def model(self, dtype=torch.float64, **kw):
        torch.manual_seed(0)
        return randomise(stream.StreamKineST(small(**kw))).to(dtype)

    def test_step_equals_forward(self):
        for kw in ({}, {"tie_tokens": False}, {"scan_order": "index"}):
            m = self.model(**kw)
            x = torch.randn(2, 13, features.N_FEATURES, dtype=torch.float64)
            with torch.no_grad():
                y, st = m(x)
                ys, sts = run_steps(m, x)
            self.assertEqual(y.shape, (2, 13, 21, 6))
            self.assertLess((y - ys).abs().max().item(), 1e-10, kw)
            self.assertLess(max_state_diff(st, sts), 1e-10, kw)
            self.assertGreater((y[:, 1:] - y[:, :-1]).abs().max().item(), 1e-3)   # output depends on input

    def test_split_forward_with_carried_state(self):
        m = self.model()
        x = torch.randn(2, 29, features.N_FEATURES, dtype=torch.float64)
        with torch.no_grad():
            y, st = m(x)
            y1, s1 = m(x[:, :10])
            y2, s2 = m(x[:, 10:], s1)
            y3, s3 = run_steps(m, x[:, 10:], s1)     # mixed: parallel, then recurrent
        self.assertLess((torch.cat([y1, y2], 1) - y).abs().max().item(), 1e-10)
        self.assertLess(max_state_diff(s2, st), 1e-10)
        self.assertLess((y3 - y[:, 10:]).abs().max().item(), 1e-10)

    def test_default_config_float32(self):
        torch.manual_seed(0)
        m = stream.StreamKineST()
        randomise(m, scale=0.02)
        x = torch.randn(1, 24, features.N_FEATURES)
        with torch.no_grad():
            y, st = m(x)
            ys, sts = run_steps(m, x)
        self.assertLess((y - ys).abs().max().item(), 1e-5)

    def test_state_carries_history(self):
        m = self.model()
        x = torch.randn(1, 12, features.N_FEATURES, dtype=torch.float64)
        with torch.no_grad():
            y_full, _ = m(x)
            y_cold, _ = m(x[:, 6:])
        self.assertGreater((y_full[:, 6:] - y_cold).abs().max().item(), 1e-4)

    def test_scan_order_is_a_relabelling_without_tied_tokens(self):
        # Without the joint stream, 'index' with permuted token weights is exactly 'kinematic':
        # the order only means something when token j is tied to joint j (tie_tokens).
        x = torch.randn(1, 9, features.N_FEATURES, dtype=torch.float64)
        for tied in (False, True):
            a = self.model(scan_order="kinematic", tie_tokens=tied)
            b = self.model(scan_order="index", tie_tokens=tied)
            b.load_state_dict(a.state_dict())
            jd, order = a.cfg.joint_dim, list(stream.KINEMATIC_ORDER)
            rows = torch.cat([torch.arange(j * jd, (j + 1) * jd) for j in order])
            with torch.no_grad():
                for blk_a, blk_b in zip(a.spatial, b.spatial):
                    blk_b.to_tokens.weight.copy_(blk_a.to_tokens.weight[rows])
                    blk_b.to_tokens.bias.copy_(blk_a.to_tokens.bias[rows])
                    blk_b.from_tokens.weight.copy_(blk_a.from_tokens.weight[:, rows])
                ya, _ = a(x)
                yb, _ = b(x)
            diff = (ya - yb).abs().max().item()
            if tied:
                self.assertGreater(diff, 1e-4)
            else:
                self.assertLess(diff, 1e-10)

    def test_scan_orders(self):
        for order in stream.SCAN_ORDERS.values():
            self.assertEqual(sorted(order), list(range(21)))
        k = stream.KINEMATIC_ORDER
        # right arm inwards, head, neck, left arm inwards, spine down to the hips, legs outwards
        self.assertEqual(k[:4], (12, 11, 10, 9))
        self.assertEqual(k[4:6], (4, 3))
        self.assertEqual(k[12], 0)
        self.assertEqual(k[-8:], (13, 14, 15, 16, 17, 18, 19, 20))

    def test_counts(self):
        for cfg in (stream.StreamConfig(), small(), small(tie_tokens=False), small(n_spatial=0)):
            m = stream.StreamKineST(cfg)
            self.assertEqual(stream.n_params(cfg), sum(p.numel() for p in m.parameters()))
        total, parts = stream.macs_per_tick(stream.StreamKineST())
        self.assertEqual(total, sum(parts.values()))
        self.assertLessEqual(total, 1_500_000)
        self.assertGreater(total, 1_000_000)

    def test_export_every_weight_by_name(self):
        m = stream.StreamKineST(small())
        t = m.export_tensors()
        params = dict(m.named_parameters())
        for name, p in params.items():
            self.assertIn(name, t)
            self.assertEqual(tuple(t[name].shape), tuple(p.shape))
        self.assertEqual(set(t) - set(params), {"input_mean", "input_std"})
        self.assertEqual(tuple(t["spatial.0.ssd_fwd.conv_weight"].shape), (8 * 2 + 2 * 4, 4))
        meta = m.metadata()
        self.assertEqual(stream.StreamConfig.from_json(meta["config"]), m.cfg)
        self.assertEqual(len(meta["feature_layout"].split(",")), features.N_FEATURES)

    def test_state_shapes(self):
        m = stream.StreamKineST(small())
        st = m.init_state(3)
        for name, shape in m.state_shapes().items():
            self.assertEqual(tuple(st[name].shape), (3,) + shape)
        _, st2 = m(torch.randn(3, 2, features.N_FEATURES))
        self.assertEqual(list(st2), list(st))

    def test_initial_output_is_near_rest(self):
        m = stream.StreamKineST()
        with torch.no_grad():
            y, _ = m(torch.randn(1, 4, features.N_FEATURES))
        ident = torch.tensor([1.0, 0, 0, 0, 1, 0])
        self.assertLess((y - ident).abs().max().item(), 1.0)

    def test_config_rejects_unknown_order(self):
        with self.assertRaises(ValueError):
            stream.StreamKineST(dataclasses.replace(small(), scan_order="random"))


if __name__ == "__main__":
    unittest.main()
