"""The offline KineST replica: the reference the streaming model is measured against.

The layer structure of the released KineST (reference/kinest.md section 1,
`BiSAN_bitree_V2`) on this project's inputs and outputs (features.py, 21
canonical joints as 6D), at the streaming model's widths so that both train in
the same budget on this machine (docs/model.md, "The offline replica"):

    x = W_in ((f - input_mean) / input_std) + b_in              per frame of a 96-frame window
    2 x TFM:  a  = SSD_f(LN x) + flip_t(SSD_b(flip_t(LN x)))    bidirectional in time
              x1 = x + a
              x2 = x1 + SiLU(T (LN x1))                          LMA: dense 96x96 mix over time
              c  = TransformerEncoderLayer(LN(W_c x2))           over time, no mask
              x  = x2 + W_g SiLU(FAN(c))                         GMA; FAN = two linear layers
    2 x SKFM: tokens = W_tok LN x -> (96, 21, J); SSD_f over them in the kinematic scan
              order, SSD_b in the reverse order, both frame-major, time not flipped
              x = x + FAN2(flatten(fwd + bwd)); then the same LMA and GMA
    y = W_out x -> (21, 6)

Every frame sees the whole window, up to 95 frames ahead. `forward` takes
(batch, 96, F) windows; `predict.run_clips` cuts clips into windows as the
release evaluates them (`windows`).
"""
import dataclasses
import json

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import features, geometry
from .ssd import Mamba2
from .stream import LN_EPS, N_JOINTS, OUT_PER_JOINT, SCAN_ORDERS, register_scan_orders


@dataclasses.dataclass
class OfflineConfig:
    in_features: int = features.N_FEATURES
    window: int = 96            # frames per window (hard-wired in the release)
    d_model: int = 128          # the release: 256
    n_temporal: int = 2         # TFM blocks (the release: 2)
    n_spatial: int = 2          # SKFM blocks (the release: 2)
    joint_dim: int = 24         # the release: 64
    d_state: int = 16
    expand: int = 2
    headdim: int = 32           # the release: 64
    joint_headdim: int = 16
    d_conv: int = 4
    nhead: int = 4              # the release: 8
    d_ff: int = 512             # the release: 2048
    dropout: float = 0.1        # nn.TransformerEncoderLayer's default, as released
    chunk: int = 32             # SSD chunk over time (96 = 3 x 32)
    joint_chunk: int = 42
    scan_order: str = "kinematic"

    def to_json(self):
        return json.dumps(dataclasses.asdict(self), sort_keys=True)


class LocalGlobal(nn.Module):
    """LMA then GMA: x += SiLU(T LN x) with T a dense mix over the window's frames;
    x += W_g SiLU(FAN(Transformer(LN(W_c x))))."""

    def __init__(self, cfg):
        super().__init__()
        d = cfg.d_model
        self.lma_norm = nn.LayerNorm(d, eps=LN_EPS)
        self.time_mix = nn.Linear(cfg.window, cfg.window)       # Conv1d(96, 96, k=1) over frames
        self.gma_in = nn.Linear(d, d)
        self.gma_norm = nn.LayerNorm(d, eps=LN_EPS)
        self.attn = nn.TransformerEncoderLayer(d, cfg.nhead, cfg.d_ff, cfg.dropout, batch_first=True)
        self.fan = nn.Sequential(nn.Linear(d, 2 * d), nn.Linear(2 * d, d))
        self.gma_out = nn.Linear(d, d)

    def forward(self, x):
        m = self.time_mix(self.lma_norm(x).transpose(1, 2)).transpose(1, 2)
        x = x + F.silu(m)
        c = self.attn(self.gma_norm(self.gma_in(x)))
        return x + self.gma_out(F.silu(self.fan(c)))


class TFM(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.norm = nn.LayerNorm(cfg.d_model, eps=LN_EPS)
        self.ssd_f = Mamba2(cfg.d_model, cfg.d_state, cfg.expand, cfg.headdim, cfg.d_conv, cfg.chunk)
        self.ssd_b = Mamba2(cfg.d_model, cfg.d_state, cfg.expand, cfg.headdim, cfg.d_conv, cfg.chunk)
        self.lg = LocalGlobal(cfg)

    def forward(self, x):
        a = self.norm(x)
        a = self.ssd_f(a)[0] + self.ssd_b(a.flip(1))[0].flip(1)
        return self.lg(x + a)


class SKFM(nn.Module):
    def __init__(self, cfg, order):
        super().__init__()
        jd, d = cfg.joint_dim, cfg.d_model
        self.norm = nn.LayerNorm(d, eps=LN_EPS)
        self.to_tokens = nn.Linear(d, N_JOINTS * jd)
        self.ssd_f = Mamba2(jd, cfg.d_state, cfg.expand, cfg.joint_headdim, cfg.d_conv, cfg.joint_chunk)
        self.ssd_b = Mamba2(jd, cfg.d_state, cfg.expand, cfg.joint_headdim, cfg.d_conv, cfg.joint_chunk)
        self.fan2 = nn.Sequential(nn.Linear(N_JOINTS * jd, 2 * d), nn.Linear(2 * d, d))
        self.lg = LocalGlobal(cfg)
        self.jd = jd
        register_scan_orders(self, order)

    def forward(self, x):
        bs, t, _ = x.shape
        tok = self.to_tokens(self.norm(x)).view(bs, t, N_JOINTS, self.jd)
        s = 0
        for ssd, order, inv in ((self.ssd_f, self.order, self.inv), (self.ssd_b, self.order_rev, self.inv_rev)):
            y = ssd(tok[:, :, order].reshape(bs, t * N_JOINTS, self.jd))[0]
            s = s + y.view(bs, t, N_JOINTS, self.jd)[:, :, inv]
        return self.lg(x + self.fan2(s.reshape(bs, t, N_JOINTS * self.jd)))


class OfflineKineST(nn.Module):
    architecture = "kinest-offline-replica-v1"

    def __init__(self, cfg=None):
        super().__init__()
        cfg = cfg or OfflineConfig()
        if cfg.scan_order not in SCAN_ORDERS:
            raise ValueError("scan_order must be one of %s" % sorted(SCAN_ORDERS))
        self.cfg = cfg
        self.window = cfg.window
        self.register_buffer("input_mean", torch.zeros(cfg.in_features))
        self.register_buffer("input_std", torch.ones(cfg.in_features))
        self.in_proj = nn.Linear(cfg.in_features, cfg.d_model)
        self.temporal = nn.ModuleList(TFM(cfg) for _ in range(cfg.n_temporal))
        self.spatial = nn.ModuleList(SKFM(cfg, SCAN_ORDERS[cfg.scan_order]) for _ in range(cfg.n_spatial))
        self.out_proj = nn.Linear(cfg.d_model, N_JOINTS * OUT_PER_JOINT)
        with torch.no_grad():       # start near the rest pose, as the streaming model does
            self.out_proj.weight.mul_(0.1)
            self.out_proj.bias.copy_(torch.tensor(geometry.IDENTITY_6D).repeat(N_JOINTS))

    def forward(self, x, state=None):
        """x (batch, window, in_features) -> (y (batch, window, 21, 6), None). `state` is
        accepted for the training loop's sake and must be None: windows are independent."""
        if state is not None:
            raise ValueError("the offline replica has no recurrent state")
        if x.shape[1] != self.window:
            raise ValueError("the offline replica takes windows of %d frames, not %d" % (self.window, x.shape[1]))
        h = self.in_proj((x - self.input_mean) / self.input_std)
        for b in self.temporal:
            h = b(h)
        for b in self.spatial:
            h = b(h)
        return self.out_proj(h).view(x.shape[:-1] + (N_JOINTS, OUT_PER_JOINT)), None

    def metadata(self):
        return {"architecture": self.architecture, "config": self.cfg.to_json()}


def windows(length, window):
    """The release's non-overlapping evaluation (reference/kinest.md section 1): the clip
    cut into consecutive windows; the last one is the clip's final `window` frames and
    keeps only the frames no earlier window had; a clip shorter than a window is padded
    at the front by repeating frame 0. Returns [(start, keep_from)]: the window covers
    frames start .. start + window - 1 (negative start: padding) and frames from
    keep_from on are taken from it."""
    if length <= window:
        return [(length - window, 0)]
    out = [(s, s) for s in range(0, length - window + 1, window)]
    covered = out[-1][0] + window
    if covered < length:
        out.append((length - window, covered))
    return out


def run_windows(model, x):
    """Outputs (T, 21, 6) of the offline model over one clip's inputs x (T, F)."""
    w = model.window
    spans = windows(x.shape[0], w)
    idx = torch.stack([torch.arange(s, s + w).clamp(min=0) for s, _ in spans])
    y, _ = model(x[idx])
    out = torch.empty((x.shape[0],) + y.shape[2:], dtype=y.dtype, device=y.device)
    for (s, keep), yw in zip(spans, y):
        out[keep:s + w] = yw[keep - s:]
    return out



if __name__ == "__main__":
    import argparse
    import os

    from . import stream

    ap = argparse.ArgumentParser(description="size and training speed of the offline replica")
    ap.add_argument("--bench", action="store_true",
                    help="also time training steps of the replica and the streaming model, one thread each, "
                         "batch 32 x 96 frames (median of 10)")
    a = ap.parse_args()
    m = OfflineKineST()
    print("config:", m.cfg.to_json())
    print("parameters: %d" % sum(p.numel() for p in m.parameters()))
    if a.bench:
        torch.set_num_threads(1)
        for name, model in (("offline replica", m), ("streaming model", stream.StreamKineST())):
            print("%s: %.0f training frames/s (forward + backward + Adam, 1 thread)"
                  % (name, stream.bench_training(model, ticks=m.window)))
