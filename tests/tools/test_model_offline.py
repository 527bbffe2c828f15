"""The offline KineST replica: every frame sees its whole window (future frames
included), windows tile a clip the way the release evaluates it, and clips
shorter than a window are padded with their first frame."""
import unittest

import torch

from tests.tools import common  # noqa: F401  (puts tools/ on sys.path)
from kinestpy import predict
from kinestpy.model import offline


def small(**kw):
    base = dict(window=16, d_model=32, n_temporal=1, n_spatial=1, joint_dim=8, d_state=4, headdim=16,
                joint_headdim=8, nhead=2, d_ff=64, dropout=0.0, chunk=8, joint_chunk=16)
    base.update(kw)
    return offline.OfflineConfig(**base)


class TestWindows(unittest.TestCase):
    def test_every_frame_once(self):
        for length in (1, 15, 16, 17, 31, 32, 33, 100):
            spans = offline.windows(length, 16)
            got = [f for s, keep in spans for f in range(max(keep, s), s + 16) if f >= 0]
            self.assertEqual(got, list(range(length)), (length, spans))
            self.assertTrue(all(s + 16 <= length or length < 16 for s, _ in spans), spans)
        self.assertEqual(offline.windows(40, 16), [(0, 0), (16, 16), (24, 32)])
        self.assertEqual(offline.windows(10, 16), [(-6, 0)])


class TestModel(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        self.model = offline.OfflineKineST(small()).eval()

    def test_shapes_and_window_length(self):
        y, state = self.model(torch.randn(3, 16, 58))
        self.assertEqual(tuple(y.shape), (3, 16, 21, 6))
        self.assertIsNone(state)
        with self.assertRaises(ValueError):
            self.model(torch.randn(1, 15, 58))

    def test_frames_see_the_future(self):
        """Changing the window's last frame changes its first frame's output: not causal."""
        x = torch.randn(1, 16, 58)
        x2 = x.clone()
        x2[0, -1] += 1.0
        with torch.no_grad():
            a, _ = self.model(x)
            b, _ = self.model(x2)
        self.assertGreater((a[0, 0] - b[0, 0]).abs().max().item(), 1e-4)

    def test_run_clips_uses_release_windows(self):
        xs = [torch.randn(n, 58) for n in (40, 10)]
        out = predict.run_clips(self.model, xs)
        with torch.no_grad():
            w0, _ = self.model(xs[0][None, 0:16])
            w2, _ = self.model(xs[0][None, 24:40])
            short, _ = self.model(torch.cat([xs[1][:1].expand(6, 58), xs[1]])[None])
        self.assertEqual(tuple(out[0].shape), (40, 21, 6))
        self.assertTrue(torch.allclose(out[0][:16], w0[0], atol=1e-6))
        self.assertTrue(torch.allclose(out[0][32:], w2[0, 8:], atol=1e-6))
        self.assertTrue(torch.allclose(out[1], short[0, 6:], atol=1e-6))


if __name__ == "__main__":
    unittest.main()
