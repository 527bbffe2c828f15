"""Writes the fuzzers' seed corpora (committed; rerun only when a format changes):

  corpus/weights/tiny.safetensors   a valid kinest-stream-v1 file of a tiny config
  corpus/clip/devices.kclip         a valid clip, device poses only, one device lost for a frame
  corpus/clip/truth.kclip           a valid clip with truth and predicted joints

Usage: /usr/bin/python3 tests/fuzz/make_seeds.py"""
import os
import sys

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "tools"))
from kinestpy import clipio, export  # noqa: E402
from kinestpy.model import stream  # noqa: E402

TINY = dict(d_model=8, n_temporal=1, n_spatial=1, joint_dim=4, d_state=2, expand=2, headdim=4,
            joint_headdim=4, d_conv=2, mix_taps=2, mlp_ratio=1.5, chunk=8, joint_chunk=8)


def clip(frames, truth):
    t = np.arange(frames, dtype=np.int64) * 16_666_667
    flags = np.full((frames, 3), 0xF, np.uint32)
    flags[1, 1] = 0
    pos = np.tile(np.array([[0.0, 1.6, 0.0], [-0.3, 1.0, -0.2], [0.3, 1.0, -0.2]], np.float32),
                  (frames, 1, 1))
    pos[:, :, 2] -= 0.01 * np.arange(frames, dtype=np.float32)[:, None]
    quat = np.tile(np.array([0.0, 0.0, 0.0, 1.0], np.float32), (frames, 3, 1))
    tp = tq = None
    if truth:
        tp = np.zeros((frames, 21, 3), np.float32)
        tp[:, :, 1] = np.linspace(0.0, 1.7, 21, dtype=np.float32)
        tq = np.tile(np.array([0.0, 0.0, 0.0, 1.0], np.float32), (frames, 21, 1))
    return clipio.Clip(t, flags, pos, quat, tp, tq, tp, tq, meta={"name": "fuzz seed"})


def main():
    model = export.random_model(0, stream.StreamConfig(**TINY))
    export.write_weights(os.path.join(here, "corpus", "weights", "tiny.safetensors"), model, {}, {},
                         {"random_init": True, "seed": 0})
    clipio.write(os.path.join(here, "corpus", "clip", "devices.kclip"), clip(4, False))
    clipio.write(os.path.join(here, "corpus", "clip", "truth.kclip"), clip(2, True))


if __name__ == "__main__":
    main()
