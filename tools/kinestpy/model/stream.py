"""The causal streaming KineST (docs/model.md).

    x  = W_in ((f - input_mean) / input_std) + b_in            per tick, f = features.clip_features
    N x temporal block:  x += SSD(LN(x))                        Mamba-2, forward in time
                         x += SiLU(causal dwconv_K(LN(x)))      local mixing (replaces the 96x96 time mix)
                         x += W_down(SiLU(W_gate LN(x)) * W_up LN(x))   gated MLP (replaces attention)
    M x spatial block:   tok = (W_tok LN(x) + b_tok).view(21, J) [+ stream]   21 joint tokens per tick
                         fwd = SSD_f over the tokens in scan order, bwd = SSD_b in reverse joint order;
                         both scan the frame-major sequence (tick 0 joints, tick 1 joints, ...)
                         so their states and conv taps carry from tick to tick; time is never flipped
                         s = fwd + bwd, back in joint index order;  x += W_back flatten(s) + b_back
                         stream = tok + s   (the joint-token stream, with tie_tokens)
                         then the same local mixing and gated MLP as above
    y  = W_out LN(x) + b_out  -> (21, 6): local rotations as 6D, the root in the aligned frame
         [+ W_read LN_J(stream_j) for each joint j: one J -> 6 readout shared by all joints]

With tie_tokens the stream and the shared readout make token j stand for
joint j; without them the scan order is only a relabelling of the token
weights (docs/model.md, "Tied joint tokens").

`forward(x, state)` runs a whole (batch, T, F) sequence in parallel (the
chunked SSD); `step(x, state)` runs one tick with the recurrences. Both take
and return the same state (a dict name -> tensor, see `state_shapes`), so
forward over [0:T1] then [T1:T] equals forward over [0:T] equals T steps.

Every weight is a named parameter or buffer (`export_tensors`); depthwise
convolutions are stored as (channels, taps) matrices, taps oldest first.
"""
import dataclasses
import json
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import features, geometry
from .ssd import Mamba2, causal_conv, causal_conv_step

N_JOINTS = geometry.J
OUT_PER_JOINT = 6
N_CONTACTS = 2          # left foot, right foot (kinestpy.contact)
LN_EPS = 1e-5

# Unified kinematic scan order adapted to the canonical skeleton, following
# KineST's UKS (right arm -> head -> left arm -> spine -> pelvis -> left leg
# -> right leg): each arm from the hand inwards to the collar, head then neck,
# the spine from the chest down to the hips, each leg from the thigh out to
# the toes. The reverse branch scans the same list backwards.
KINEMATIC_ORDER = (12, 11, 10, 9,        # right hand, forearm, upper arm, collar
                   4, 3,                 # head, neck
                   8, 7, 6, 5,           # left hand, forearm, upper arm, collar
                   2, 1, 0,              # chest, spine, hips
                   13, 14, 15, 16,       # left thigh, shin, foot, toes
                   17, 18, 19, 20)       # right thigh, shin, foot, toes
INDEX_ORDER = tuple(range(N_JOINTS))
SCAN_ORDERS = {"kinematic": KINEMATIC_ORDER, "index": INDEX_ORDER}


@dataclasses.dataclass
class StreamConfig:
    in_features: int = features.N_FEATURES
    d_model: int = 128          # width of the per-tick vector
    n_temporal: int = 2         # temporal blocks
    n_spatial: int = 2          # spatial (joint-scan) blocks
    joint_dim: int = 24         # J: width of a joint token
    d_state: int = 16           # N of every SSD
    expand: int = 2             # d_inner = expand * width
    headdim: int = 32           # P of the temporal SSDs
    joint_headdim: int = 16     # P of the spatial (joint) SSDs
    d_conv: int = 4             # taps of the SSDs' causal conv
    mix_taps: int = 4           # taps of the causal local mixing conv
    mlp_ratio: float = 1.5      # gated MLP hidden = mlp_ratio * d_model
    chunk: int = 64             # SSD chunk length of the parallel form (temporal)
    joint_chunk: int = 42       # SSD chunk of the spatial scans (tokens; 42 = 2 ticks)
    scan_order: str = "kinematic"   # 'kinematic' | 'index' (ablation)
    tie_tokens: bool = True     # joint-token stream across spatial blocks + shared joint readout
    contact_head: bool = False  # per-foot contact logits (left, right) from the output norm

    @property
    def mlp_hidden(self):
        return int(round(self.mlp_ratio * self.d_model))

    def to_json(self):
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, s):
        return cls(**json.loads(s))


class MixMLP(nn.Module):
    """x += SiLU(causal dwconv(LN(x))); x += W_down(SiLU(W_gate LN(x)) * W_up LN(x))."""

    def __init__(self, d, taps, hidden):
        super().__init__()
        self.mix_norm = nn.LayerNorm(d, eps=LN_EPS)
        bound = 1.0 / taps ** 0.5
        self.mix_weight = nn.Parameter(torch.empty(d, taps).uniform_(-bound, bound))
        self.mix_bias = nn.Parameter(torch.zeros(d))
        self.mlp_norm = nn.LayerNorm(d, eps=LN_EPS)
        self.gate = nn.Linear(d, hidden)
        self.up = nn.Linear(d, hidden)
        self.down = nn.Linear(hidden, d)
        self.taps = taps

    def _mlp(self, x):
        h = self.mlp_norm(x)
        return x + self.down(F.silu(self.gate(h)) * self.up(h))

    def forward(self, x, conv_state):
        m, conv_state = causal_conv(self.mix_norm(x), conv_state, self.mix_weight, self.mix_bias)
        return self._mlp(x + F.silu(m)), conv_state

    def step(self, x, conv_state):
        m, conv_state = causal_conv_step(self.mix_norm(x), conv_state, self.mix_weight, self.mix_bias)
        return self._mlp(x + F.silu(m)), conv_state

    def macs(self):
        d, h = self.mix_norm.normalized_shape[0], self.gate.out_features
        return 2 * (2 * d) + d * self.taps + 2 * d * h + h + h * d


class TemporalBlock(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.norm = nn.LayerNorm(cfg.d_model, eps=LN_EPS)
        self.ssd = Mamba2(cfg.d_model, cfg.d_state, cfg.expand, cfg.headdim, cfg.d_conv, cfg.chunk)
        self.mix = MixMLP(cfg.d_model, cfg.mix_taps, cfg.mlp_hidden)

    def state_shapes(self, prefix):
        s = self.ssd
        return [(prefix + "ssd.conv", (s.conv_dim, s.d_conv)),
                (prefix + "ssd.ssm", (s.nheads, s.headdim, s.d_state)),
                (prefix + "mix.conv", (self.mix.mix_weight.shape[0], self.mix.taps))]

    def forward(self, x, st, prefix):
        a, st[prefix + "ssd.conv"], st[prefix + "ssd.ssm"] = self.ssd(
            self.norm(x), st[prefix + "ssd.conv"], st[prefix + "ssd.ssm"])
        x, st[prefix + "mix.conv"] = self.mix(x + a, st[prefix + "mix.conv"])
        return x

    def step(self, x, st, prefix):
        a, st[prefix + "ssd.conv"], st[prefix + "ssd.ssm"] = self.ssd.step(
            self.norm(x), st[prefix + "ssd.conv"], st[prefix + "ssd.ssm"])
        x, st[prefix + "mix.conv"] = self.mix.step(x + a, st[prefix + "mix.conv"])
        return x

    def macs(self):
        return 2 * self.ssd.d_model + self.ssd.macs_per_token() + self.mix.macs()


def register_scan_orders(module, order):
    """The joint scans' index buffers on a spatial block: `order` / `order_rev` (the forward
    and reverse scans' joint at each position) and `inv` / `inv_rev` (the inverse
    permutations: the scan position of joint j, to put the outputs back in joint order)."""
    order = list(order)
    rev = order[::-1]
    for name, idx in (("order", order), ("order_rev", rev),
                      ("inv", [order.index(j) for j in range(N_JOINTS)]),
                      ("inv_rev", [rev.index(j) for j in range(N_JOINTS)])):
        module.register_buffer(name, torch.tensor(idx), persistent=False)


class SpatialBlock(nn.Module):
    def __init__(self, cfg, order):
        super().__init__()
        jd = cfg.joint_dim
        self.norm = nn.LayerNorm(cfg.d_model, eps=LN_EPS)
        self.to_tokens = nn.Linear(cfg.d_model, N_JOINTS * jd)
        self.ssd_fwd = Mamba2(jd, cfg.d_state, cfg.expand, cfg.joint_headdim, cfg.d_conv, cfg.joint_chunk)
        self.ssd_bwd = Mamba2(jd, cfg.d_state, cfg.expand, cfg.joint_headdim, cfg.d_conv, cfg.joint_chunk)
        self.from_tokens = nn.Linear(N_JOINTS * jd, cfg.d_model)
        self.mix = MixMLP(cfg.d_model, cfg.mix_taps, cfg.mlp_hidden)
        self.jd = jd
        register_scan_orders(self, order)

    def state_shapes(self, prefix):
        out = []
        for name in ("ssd_fwd", "ssd_bwd"):
            s = getattr(self, name)
            out += [(prefix + name + ".conv", (s.conv_dim, s.d_conv)),
                    (prefix + name + ".ssm", (s.nheads, s.headdim, s.d_state))]
        out.append((prefix + "mix.conv", (self.mix.mix_weight.shape[0], self.mix.taps)))
        return out

    def _tokens(self, x, jt):
        """21 joint tokens (..., 21, J) in joint index order, plus the joint stream if tied."""
        tok = self.to_tokens(self.norm(x)).view(x.shape[:-1] + (N_JOINTS, self.jd))
        return tok if jt is None else tok + jt

    def forward(self, x, st, prefix, jt=None):
        """x (batch, T, d_model); jt: the joint-token stream (batch, T, 21, J) or None.
        Returns the new x and the new joint stream (tokens + scan outputs)."""
        bs, t, _ = x.shape
        tok = self._tokens(x, jt)
        s = 0
        for name, order, inv in (("ssd_fwd", self.order, self.inv), ("ssd_bwd", self.order_rev, self.inv_rev)):
            seq = tok[:, :, order].reshape(bs, t * N_JOINTS, self.jd)      # frame-major
            y, st[prefix + name + ".conv"], st[prefix + name + ".ssm"] = getattr(self, name)(
                seq, st[prefix + name + ".conv"], st[prefix + name + ".ssm"])
            s = s + y.view(bs, t, N_JOINTS, self.jd)[:, :, inv]
        x = x + self.from_tokens(s.reshape(bs, t, N_JOINTS * self.jd))
        x, st[prefix + "mix.conv"] = self.mix(x, st[prefix + "mix.conv"])
        return x, tok + s

    def step(self, x, st, prefix, jt=None):
        """One tick: x (batch, d_model), jt (batch, 21, J) or None."""
        bs = x.shape[0]
        tok = self._tokens(x, jt)
        s = 0
        for name, order, inv in (("ssd_fwd", self.order, self.inv), ("ssd_bwd", self.order_rev, self.inv_rev)):
            m = getattr(self, name)
            c, h = st[prefix + name + ".conv"], st[prefix + name + ".ssm"]
            ys = []
            for k in range(N_JOINTS):                       # one token at a time, in scan order
                y, c, h = m.step(tok[:, order[k]], c, h)
                ys.append(y)
            st[prefix + name + ".conv"], st[prefix + name + ".ssm"] = c, h
            s = s + torch.stack(ys, 1)[:, inv]
        x = x + self.from_tokens(s.reshape(bs, N_JOINTS * self.jd))
        x, st[prefix + "mix.conv"] = self.mix.step(x, st[prefix + "mix.conv"])
        return x, tok + s

    def macs(self):
        d, n = self.norm.normalized_shape[0], N_JOINTS * self.jd
        return (2 * d + d * n + N_JOINTS * (self.ssd_fwd.macs_per_token() + self.ssd_bwd.macs_per_token())
                + 3 * n + n * d + self.mix.macs())      # 3 n: stream + tok, fwd + bwd, tok + s


class StreamKineST(nn.Module):
    def __init__(self, cfg=None):
        super().__init__()
        cfg = cfg or StreamConfig()
        if cfg.scan_order not in SCAN_ORDERS:
            raise ValueError("scan_order must be one of %s" % sorted(SCAN_ORDERS))
        self.cfg = cfg
        self.register_buffer("input_mean", torch.zeros(cfg.in_features))
        self.register_buffer("input_std", torch.ones(cfg.in_features))
        self.in_proj = nn.Linear(cfg.in_features, cfg.d_model)
        self.temporal = nn.ModuleList(TemporalBlock(cfg) for _ in range(cfg.n_temporal))
        order = SCAN_ORDERS[cfg.scan_order]
        self.spatial = nn.ModuleList(SpatialBlock(cfg, order) for _ in range(cfg.n_spatial))
        self.out_norm = nn.LayerNorm(cfg.d_model, eps=LN_EPS)
        self.out_proj = nn.Linear(cfg.d_model, N_JOINTS * OUT_PER_JOINT)
        self.tied = cfg.tie_tokens and cfg.n_spatial > 0
        if self.tied:
            # the joint readout: one small head shared by all joints reads joint j's
            # 6D correction from token j of the joint stream, so token j means joint j
            self.joint_norm = nn.LayerNorm(cfg.joint_dim, eps=LN_EPS)
            self.joint_readout = nn.Linear(cfg.joint_dim, OUT_PER_JOINT, bias=False)
        if cfg.contact_head:
            # whether each foot is in contact, as logits, from the same normalised vector as the pose
            self.contact_proj = nn.Linear(cfg.d_model, N_CONTACTS)
        with torch.no_grad():       # start near the rest pose: small weights, identity 6D bias
            self.out_proj.weight.mul_(0.1)
            self.out_proj.bias.copy_(torch.tensor(geometry.IDENTITY_6D).repeat(N_JOINTS))
            if self.tied:
                self.joint_readout.weight.mul_(0.1)

    # -- state -------------------------------------------------------------
    def _blocks(self, which=("temporal", "spatial")):
        return [("%s.%d." % (kind, i), b) for kind in which if kind in ("temporal", "spatial")
                for i, b in enumerate(getattr(self, kind))]

    def state_shapes(self):
        """OrderedDict name -> per-batch-item shape of every recurrent state tensor."""
        out = OrderedDict()
        for prefix, b in self._blocks():
            out.update(b.state_shapes(prefix))
        return out

    def init_state(self, batch, dtype=None, device=None):
        w = self.in_proj.weight
        return OrderedDict((k, torch.zeros((batch,) + s, dtype=dtype or w.dtype, device=device or w.device))
                           for k, s in self.state_shapes().items())

    @staticmethod
    def detach_state(state):
        return OrderedDict((k, v.detach()) for k, v in state.items())

    # -- the two entry points ------------------------------------------------
    def _run(self, x, state, step, with_contact):
        st = self.init_state(x.shape[0], x.dtype, x.device) if state is None else OrderedDict(state)
        h = self.in_proj((x - self.input_mean) / self.input_std)
        for prefix, b in self._blocks(("temporal",)):
            h = b.step(h, st, prefix) if step else b(h, st, prefix)
        jt = None
        for prefix, b in self._blocks(("spatial",)):
            h, jt = b.step(h, st, prefix, jt if self.tied else None) if step else b(
                h, st, prefix, jt if self.tied else None)
        hn = self.out_norm(h)
        y = self.out_proj(hn).view(x.shape[:-1] + (N_JOINTS, OUT_PER_JOINT))
        if self.tied:
            y = y + self.joint_readout(self.joint_norm(jt))
        if not with_contact:
            return y, st
        c = self.contact_proj(hn) if self.cfg.contact_head else None
        return y, c, st

    def forward(self, x, state=None, with_contact=False):
        """x (batch, T, in_features) -> (y (batch, T, 21, 6), new state); with_contact:
        (y, contact logits (batch, T, 2) or None without a contact head, new state)."""
        return self._run(x, state, False, with_contact)

    def step(self, x, state=None, with_contact=False):
        """x (batch, in_features), one tick -> (y (batch, 21, 6), new state); with_contact as forward."""
        return self._run(x, state, True, with_contact)

    # -- export and cost ----------------------------------------------------
    def export_tensors(self):
        """OrderedDict name -> tensor of every weight the engine needs (parameters and
        the input normalisation), in module order; shapes are the tensors' own."""
        return OrderedDict((k, v.detach()) for k, v in self.state_dict().items())

    def metadata(self):
        out = {"architecture": "kinest-stream-v1", "config": self.cfg.to_json(),
               "scan_order": ",".join(str(j) for j in SCAN_ORDERS[self.cfg.scan_order]),
               "feature_layout": ",".join(features.feature_names()),
               "output": "21x6 local rotations as 6D (first two columns), root in the aligned frame"}
        if self.cfg.contact_head:
            out["contact"] = json.dumps({
                "outputs": ["left_foot", "right_foot"], "tensor": "contact_proj", "input": "out_norm",
                "kind": "logit", "in_contact": "logit > 0 (probability sigmoid(logit) > 0.5)",
                "labels": "kinestpy.contact: lowest foot point within 0.04 m of the clip's contact level "
                          "and horizontal speed < 0.25 m/s"}, sort_keys=True)
        return out


def n_params(cfg):
    """Parameter count, analytically (equals sum of numel over model.parameters())."""
    def ln(d):
        return 2 * d

    def lin(i, o, bias=True):
        return i * o + (o if bias else 0)

    def ssd(d, hd):
        m = Mamba2.__new__(Mamba2)        # reuse the formula without building weights
        di = cfg.expand * d
        m.d_model, m.d_inner, m.d_state, m.nheads, m.d_conv = d, di, cfg.d_state, di // hd, cfg.d_conv
        m.conv_dim = di + 2 * cfg.d_state
        m.d_in_proj = 2 * di + 2 * cfg.d_state + m.nheads
        return Mamba2.n_params(m)

    d, h = cfg.d_model, cfg.mlp_hidden
    mixmlp = ln(d) + d * cfg.mix_taps + d + ln(d) + 2 * lin(d, h) + lin(h, d)
    temporal = ln(d) + ssd(d, cfg.headdim) + mixmlp
    nt = N_JOINTS * cfg.joint_dim
    spatial = ln(d) + lin(d, nt) + 2 * ssd(cfg.joint_dim, cfg.joint_headdim) + lin(nt, d) + mixmlp
    tied = cfg.tie_tokens and cfg.n_spatial > 0
    return (lin(cfg.in_features, d) + cfg.n_temporal * temporal + cfg.n_spatial * spatial
            + ln(d) + lin(d, N_JOINTS * OUT_PER_JOINT)
            + (ln(cfg.joint_dim) + lin(cfg.joint_dim, OUT_PER_JOINT, bias=False) if tied else 0)
            + (lin(d, N_CONTACTS) if cfg.contact_head else 0))


def macs_per_tick(model):
    """Multiply-accumulates of one `step`, analytically; returns (total, breakdown dict).

    Counted: every weight multiply (linear layers, conv taps), the SSD state
    update (2 per state element) and read-out (1 per element), and one per
    element for normalisation, gating and skips; activations' transcendental
    functions are not counted (docs/model.md, "Cost")."""
    cfg = model.cfg
    parts = OrderedDict()
    parts["input"] = cfg.in_features + cfg.in_features * cfg.d_model
    parts["temporal"] = sum(b.macs() for b in model.temporal)
    parts["spatial"] = sum(b.macs() for b in model.spatial)
    parts["output"] = 2 * cfg.d_model + cfg.d_model * N_JOINTS * OUT_PER_JOINT
    if model.tied:
        parts["output"] += N_JOINTS * (2 * cfg.joint_dim + cfg.joint_dim * OUT_PER_JOINT + OUT_PER_JOINT)
    if cfg.contact_head:
        parts["contact"] = cfg.d_model * N_CONTACTS
    return sum(parts.values()), parts


def bench_training(model, batch=32, ticks=64, steps=10):
    """Forward + backward + Adam throughput of a model in frames/s on random inputs
    (the figures of docs/model.md, "Cost and speed")."""
    import time

    torch.manual_seed(0)
    cfg = model.cfg
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    x = torch.randn(batch, ticks, cfg.in_features)
    target = torch.randn(batch, ticks, 21, 6)
    times = []
    for i in range(steps + 2):
        start = time.perf_counter()
        y, _ = model(x)
        loss = (y - target).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if i >= 2:  # two warm-up steps
            times.append(time.perf_counter() - start)
    times.sort()
    return batch * ticks / times[len(times) // 2]


if __name__ == "__main__":
    import argparse
    import json
    import os

    ap = argparse.ArgumentParser(description="size and cost of the streaming model")
    ap.add_argument("--set", metavar="JSON", default="{}",
                    help='config fields to override, e.g. \'{"n_spatial": 1, "joint_dim": 32}\'')
    ap.add_argument("--bench", action="store_true",
                    help="also time training steps (batch 32 x 64 ticks, median of 10)")
    a = ap.parse_args()
    cfg = StreamConfig(**json.loads(a.set))
    m = StreamKineST(cfg)
    total, parts = macs_per_tick(m)
    print("config:", m.cfg.to_json())
    print("parameters: %d (analytic %d)" % (sum(p.numel() for p in m.parameters()), n_params(m.cfg)))
    print("MACs per tick: %d  %s" % (total, dict(parts)))
    if a.bench:
        torch.set_num_threads(os.cpu_count() or 1)
        print("training: %.0f frames/s (forward + backward + Adam, %d threads)"
              % (bench_training(m), torch.get_num_threads()))
