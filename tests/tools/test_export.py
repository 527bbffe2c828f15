"""Export: the safetensors writer/reader, the weights file (names and shapes of the model),
and the golden vectors (committed ones reproduce with `step`; a fresh export of a small
model round-trips)."""
import json
import os
import struct
import tempfile
import unittest

import numpy as np
import torch

from tests.tools import common
from kinestpy import export, predict
from kinestpy import safetensors_io as st
from kinestpy.model import features, stream

GOLDEN_DIR = os.path.join(common.ROOT, "tests", "data", "golden", "random")


def small_cfg():
    return stream.StreamConfig(d_model=32, n_temporal=1, n_spatial=2, joint_dim=8, d_state=4, headdim=16,
                               joint_headdim=8, mix_taps=3, mlp_ratio=2.0, chunk=8, joint_chunk=16)


def randomise(model, seed=0, scale=0.1):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn(p.shape, generator=g) * scale)
        model.input_mean.copy_(torch.randn(model.input_mean.shape, generator=g) * 0.1)
        model.input_std.copy_(torch.rand(model.input_std.shape, generator=g) + 0.5)
    return model


class TestSafetensors(unittest.TestCase):
    def test_round_trip_and_layout(self):
        t = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.array([1, 2 ** 40], np.int64),
             "c": np.array([[7, 0xF]], np.uint32), "d": torch.tensor([0.5], dtype=torch.float64),
             "e": np.zeros((0, 3), np.float32)}
        data = st.to_bytes(t, {"k": "v", "json": json.dumps({"x": [1, 2]})})
        n = struct.unpack("<Q", data[:8])[0]
        self.assertEqual(n % 8, 0)
        header = json.loads(data[8:8 + n])
        self.assertEqual(header["__metadata__"], {"k": "v", "json": '{"x": [1, 2]}'})
        self.assertEqual(header["a"], {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]})
        self.assertEqual(header["c"]["dtype"], "U32")
        self.assertEqual(header["d"]["dtype"], "F64")
        # little-endian raw bytes right after the header
        self.assertEqual(data[8 + n:8 + n + 8], np.array([0, 1], "<f4").tobytes())
        back, meta = st.read(data)
        self.assertEqual(list(back), ["a", "b", "c", "d", "e"])
        self.assertEqual(meta["k"], "v")
        np.testing.assert_array_equal(back["a"], t["a"])
        self.assertEqual(int(back["b"][1]), 2 ** 40)
        self.assertEqual(back["c"].dtype, np.dtype("<u4"))
        self.assertEqual(back["e"].shape, (0, 3))

    def test_reader_refuses_broken_files(self):
        data = st.to_bytes({"a": np.ones(4, np.float32)})
        with self.assertRaises(st.SafetensorsError):
            st.read(data[:-1])                                 # buffer too short for the offsets
        with self.assertRaises(st.SafetensorsError):
            st.read(data + b"\0\0\0\0")                        # bytes after the last tensor
        with self.assertRaises(st.SafetensorsError):
            st.read(struct.pack("<Q", 10 ** 9) + data[8:])     # header size past the end
        with self.assertRaises(st.SafetensorsError):
            st.to_bytes({"a": np.ones(1, np.float32)}, {"n": 1})   # metadata values are strings


class TestCommittedGolden(unittest.TestCase):
    """tests/data/golden/random: what the C engine tests against, checked against the model."""

    @classmethod
    def setUpClass(cls):
        cls.wpath = os.path.join(GOLDEN_DIR, "kinest.safetensors")
        cls.gpath = os.path.join(GOLDEN_DIR, "golden.safetensors")
        cls.weights, cls.wmeta = st.read(cls.wpath)
        cls.golden, cls.gmeta = st.read(cls.gpath)
        cls.model, _ = export.model_from_weights(cls.wpath)

    def test_weights_names_shapes_metadata(self):
        cfg = stream.StreamConfig.from_json(self.wmeta["config"])
        self.assertEqual(cfg, stream.StreamConfig(contact_head=True))
        want = stream.StreamKineST(cfg).export_tensors()
        self.assertEqual(list(self.weights), list(want))
        for k, v in want.items():
            self.assertEqual(self.weights[k].shape, tuple(v.shape), k)
            self.assertEqual(self.weights[k].dtype, np.dtype("<f4"), k)
        self.assertEqual(sum(v.size for k, v in self.weights.items() if not k.startswith("input_")),
                         stream.n_params(cfg))
        m = self.wmeta
        self.assertEqual((m["format"], m["architecture"]), ("kinest-weights", "kinest-stream-v1"))
        feat = json.loads(m["features"])
        self.assertEqual(feat["names"], features.feature_names())
        np.testing.assert_array_equal(np.float32(feat["mean"]), self.weights["input_mean"])
        np.testing.assert_array_equal(np.float32(feat["std"]), self.weights["input_std"])
        self.assertGreater(np.abs(self.weights["input_mean"]).max(), 0.5)     # the data's, not zeros
        sk = json.loads(m["skeleton"])
        self.assertEqual(len(sk["joints"]), 21)
        self.assertEqual(sk["parents"][:5], [-1, 0, 1, 2, 3])
        off = np.array(sk["rest_offsets_m"])
        self.assertTrue(0.3 < -off[14, 1] < 0.5, off[14])                     # shin bone ~0.4 m down
        data = json.loads(m["training_data"])
        self.assertIn("CC BY-NC 4.0 (Bandai Namco Research Motion dataset)", data["licence"])
        self.assertEqual(len(data["data_build_sha256"]), 64)
        self.assertEqual(json.loads(m["state"]), {k: list(v) for k, v in self.model.state_shapes().items()})
        self.assertEqual(self.gmeta["weights_sha256"], export.sha256_file(self.wpath))
        contact = json.loads(m["contact"])
        self.assertEqual((contact["outputs"], contact["tensor"]), (["left_foot", "right_foot"], "contact_proj"))

    def test_step_reproduces_contact(self):
        g = self.golden
        for p in ("", "gaps."):
            _, _, c = export.run_steps(self.model, torch.from_numpy(np.array(g[p + "features"])))
            self.assertEqual(tuple(c.shape), (int(self.gmeta["ticks"]), 2))
            self.assertLess(np.abs(c.numpy() - g[p + "contact_f32"]).max(), 1e-6, p)
            self.assertLess(np.abs(c.numpy() - g[p + "contact"]).max(), 2e-6, p)
        self.assertGreater(np.abs(np.diff(g["contact"], axis=0)).max(), 1e-3)

    def test_features_reproduce(self):
        for p in ("", "gaps."):
            g = self.golden
            x = features.clip_features(g[p + "dev_pos"], g[p + "dev_quat"], g[p + "dev_flags"])
            self.assertLess(np.abs(x.numpy() - g[p + "features"]).max(), 1e-6, p)
        gf = self.golden["gaps.features"]
        self.assertTrue((gf[20:30, 19:38] == 0).all())               # lost left grip: all 19 values 0
        self.assertTrue((gf[60:65, 57] == 0).all() and (gf[70:74, 57] == 0).all())     # no yaw rate

    def test_step_reproduces_outputs_and_states(self):
        g = self.golden
        ticks = [int(t) for t in self.gmeta["state_ticks"].split(",")]
        for p in ("", "gaps."):
            y, states, _ = export.run_steps(self.model, torch.from_numpy(np.array(g[p + "features"])), ticks)
            self.assertLess(np.abs(y.numpy() - g[p + "output_f32"]).max(), 1e-6, p)
            self.assertLess(np.abs(y.numpy() - g[p + "output"]).max(), 2e-6, p)
            if not p:
                for t in ticks:
                    for k, v in states[t].items():
                        self.assertLess(np.abs(v.numpy() - g["state.%d.%s" % (t, k)]).max(), 1e-5, (t, k))
        # the outputs are not constant: the golden run tests something
        self.assertGreater(np.abs(np.diff(g["output"], axis=0)).max(), 1e-3)

    def test_joints_reproduce(self):
        g = self.golden
        _, pos = features.joints_from_prediction(torch.from_numpy(np.array(g["output"])).double(),
                                                 g["dev_pos"][:, 0], g["dev_quat"][:, 0], g["offsets"],
                                                 head_valid=g["dev_flags"][:, 0])
        self.assertLess(np.abs(pos.numpy() - g["joints.pos"]).max(), 1e-5)


class TestExportRoundTrip(unittest.TestCase):
    def test_small_model_weights_and_golden(self):
        torch.manual_seed(3)
        model = randomise(stream.StreamKineST(small_cfg())).eval()
        clip = common.built(common.WALK)
        with tempfile.TemporaryDirectory() as d:
            wpath = os.path.join(d, "kinest.safetensors")
            export.write_weights(wpath, model, {"joints": []}, {"licence": "test"}, {"random_init": True})
            back, meta = export.model_from_weights(wpath)
            self.assertEqual(back.cfg, model.cfg)
            tensors, gmeta = export.golden(back, clip, "walk", ticks=80, weights_sha256=export.sha256_file(wpath))
            gpath = os.path.join(d, "golden.safetensors")
            st.write(gpath, tensors, gmeta)
            g, gm = st.read(gpath)
        self.assertEqual(gm["state_ticks"], "0,1,10,79")
        self.assertEqual(g["features"].shape, (80, 58))
        self.assertEqual(g["state.79.spatial.1.ssd_fwd.ssm"].shape, (2, 8, 4))
        x = torch.from_numpy(np.array(g["features"]))
        with torch.no_grad():
            y, _ = model(x[None])                         # the original model's parallel form
        self.assertLess((y[0] - torch.from_numpy(np.array(g["output"]))).abs().max().item(), 1e-5)
        self.assertGreater(np.abs(g["output"] - g["gaps.output"]).max(), 1e-3)   # the gaps change the output
        self.assertLess(float(gm["max_abs_output_f32_vs_f64"]), 1e-5)


class TestOutputSmoothing(unittest.TestCase):
    def test_recurrence(self):
        x = torch.randn(50, 21, 6)
        self.assertIs(predict.smooth_outputs(x, 0.0), x)
        y = predict.smooth_outputs(x, 0.25)
        self.assertTrue(torch.equal(y[0], x[0]))
        for t in (1, 2, 49):
            self.assertTrue(torch.allclose(y[t], 0.75 * x[t] + 0.25 * y[t - 1], atol=1e-7))
        steady = predict.smooth_outputs(torch.ones(30, 3), 0.9)
        self.assertTrue(torch.allclose(steady, torch.ones(30, 3)))   # a constant passes unchanged

    def test_weights_carry_it(self):
        torch.manual_seed(3)
        model = stream.StreamKineST(small_cfg()).eval()
        with tempfile.TemporaryDirectory() as d:
            wpath = os.path.join(d, "kinest.safetensors")
            export.write_weights(wpath, model, {"joints": []}, {"licence": "test"}, {}, output_smoothing=0.3)
            _, meta = export.model_from_weights(wpath)
            self.assertEqual(meta["output_smoothing"], "0.3")
            self.assertEqual(predict.load_model(wpath)[1]["output_smoothing"], 0.3)
            xs = [torch.randn(40, 58)]
            raw = predict.run_clips(model, xs)[0]
            smooth = predict.run_clips(model, xs, smoothing=0.3)[0]
            self.assertTrue(torch.allclose(smooth, predict.smooth_outputs(raw, 0.3)))
            self.assertGreater((smooth - raw).abs().max().item(), 1e-3)
        self.assertEqual(export.output_smoothing_of({}), 0.0)
        for bad in ("1", "-0.1", "nan", "abc"):
            with self.assertRaises(export.ExportError):
                export.output_smoothing_of({"output_smoothing": bad})


if __name__ == "__main__":
    unittest.main()
