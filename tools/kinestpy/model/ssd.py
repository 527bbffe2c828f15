"""Mamba-2 block (SSD, ngroups 1) in plain PyTorch, in two forms with the same maths.

* `Mamba2.forward(u, conv_state, ssm_state)`: the whole sequence at once, the
  state-space scan done by the chunked "state space duality" algorithm
  (segment sums inside a chunk, a recurrence between chunks), for training.
* `Mamba2.step(u, conv_state, ssm_state)`: one token, the recurrence of
  reference/kinest.md section 2 (= mamba_ssm `Mamba2.step` with ngroups 1),
  for streaming inference and for the C engine to copy.

Per token u (d_model), with d_inner = expand * d_model, H = d_inner / headdim
heads of P = headdim channels, N = d_state:

    [z | x | B | C | dt] = W_in u                      (no bias)
    xBC = SiLU(causal depthwise conv_K([x | B | C]) + b_conv)
    dt_h = softplus(dt_h + dt_bias_h);   A_h = -exp(A_log_h)
    h[h,p,n] = exp(dt_h A_h) h[h,p,n] + dt_h x[h,p] B[n]
    y[h,p]   = sum_n C[n] h[h,p,n] + D_h x[h,p]
    y = y * SiLU(z);  y = y * rsqrt(mean(y^2) + 1e-5) * w_norm
    out = W_out y                                      (no bias)

States: conv_state (batch, d_inner + 2N, K) holds the last K conv inputs, the
newest last (a step shifts it left, appends the new input, then takes the dot
product with the K taps, so weight[:, K-1] multiplies the current input);
ssm_state (batch, H, P, N). Both start at zero.

Parameter names (export keeps them): in_proj.weight (d_in_proj, d_model),
conv_weight (conv_dim, K), conv_bias (conv_dim), dt_bias (H), A_log (H),
D (H), norm_weight (d_inner), out_proj.weight (d_model, d_inner).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

RMS_EPS = 1e-5


def causal_conv(seq, state, weight, bias):
    """Causal depthwise convolution over a sequence, parallel form.

    seq (batch, L, C); state (batch, C, K): the last K inputs before seq, the
    newest last; weight (C, K), weight[:, K-1] multiplies the current input;
    bias (C). Returns out (batch, L, C) and the new state (the last K inputs)."""
    k = weight.shape[1]
    full = torch.cat([state, seq.transpose(1, 2)], dim=2)             # batch, C, K + L
    out = F.conv1d(full[:, :, 1:], weight[:, None, :], bias, groups=weight.shape[0])
    return out.transpose(1, 2), full[:, :, -k:]


def causal_conv_step(x, state, weight, bias):
    """The same for one input x (batch, C): shift left, append, dot with the taps."""
    state = torch.cat([state[:, :, 1:], x[:, :, None]], dim=2)
    return (state * weight).sum(-1) + bias, state


# Batched products of many small matrices (the chunks) are slow through
# torch.bmm on the CPU (one BLAS call per matrix); a grouped 1x1 convolution
# (oneDNN) computes the same products about twice as fast, forward and
# backward. Used for float32 on the CPU only; results are identical.
GROUPED_CONV_BMM = True


def bmm(a, b):
    """a (..., M, K) @ b (..., K, N) over identical leading axes."""
    lead, (m, k), n = a.shape[:-2], a.shape[-2:], b.shape[-1]
    if not (GROUPED_CONV_BMM and a.dtype == torch.float32 and a.device.type == "cpu"):
        return torch.matmul(a, b)
    g = a[..., 0, 0].numel()
    inp = a.reshape(g, m, k).transpose(1, 2).reshape(1, g * k, m)
    w = b.reshape(g, k, n).transpose(1, 2).reshape(g * n, k, 1)
    return F.conv1d(inp, w, groups=g).view(lead + (n, m)).transpose(-1, -2)


def segsum(x):
    """Segment sums: out[..., i, j] = sum_{k=j+1..i} x[..., k] for i >= j, -inf above.

    The construction of ssd_minimal in the Mamba-2 paper: the differences are
    summed directly instead of subtracting two long cumulative sums."""
    t = x.shape[-1]
    x = x[..., None].expand(*x.shape, t)                      # [..., i(k), j]
    lower = torch.tril(torch.ones(t, t, dtype=torch.bool, device=x.device), -1)
    x = x.masked_fill(~lower, 0.0)
    s = torch.cumsum(x, dim=-2)
    keep = torch.tril(torch.ones(t, t, dtype=torch.bool, device=x.device), 0)
    return s.masked_fill(~keep, float("-inf"))


def segsum_from_cumsum(acum):
    """The same segment sums from a cumulative sum, acum[i] - acum[j], taken in
    float64 so that the difference of two long sums loses nothing a float32
    segment sum would keep; returned in acum's dtype (cheaper than `segsum`)."""
    t = acum.shape[-1]
    a64 = acum.to(torch.float64)
    s = a64[..., :, None] - a64[..., None, :]
    keep = torch.tril(torch.ones(t, t, dtype=torch.bool, device=acum.device), 0)
    return s.masked_fill(~keep, float("-inf")).to(acum.dtype)


def ssd_chunked(x, dt, a, b, c, chunk, initial_state=None):
    """The SSD scan over a whole sequence.

    x (batch, L, H, P); dt (batch, L, H) after softplus; a (H) negative;
    b, c (batch, L, N) shared by every head; initial_state (batch, H, P, N) or None.
    Returns y (batch, L, H, P) without the D skip and the final state
    (batch, H, P, N). Computed in float32 or wider (float64 stays float64);
    dt * A and its cumulative sums in float64.
    """
    bs, length, nh, hp = x.shape
    n = b.shape[-1]
    cdt = torch.promote_types(x.dtype, torch.float32)
    x, dt, b, c = (t.to(cdt) for t in (x, dt, b, c))
    pad = (-length) % chunk
    if pad:
        # Padded steps have dt = 0: no decay (exp 0 = 1) and no input, so the
        # final state is that of the last real step.
        x = F.pad(x, (0, 0, 0, 0, 0, pad))
        dt = F.pad(dt, (0, 0, 0, pad))
        b = F.pad(b, (0, 0, 0, pad))
        c = F.pad(c, (0, 0, 0, pad))
    nc = (length + pad) // chunk
    xdt = (x * dt[..., None]).view(bs, nc, chunk, nh, hp)                        # b c s h p
    da = (dt.to(torch.float64) * a.to(torch.float64)).view(bs, nc, chunk, nh).permute(0, 3, 1, 2)
    bch = b.view(bs, nc, chunk, n)                                                # b c s n
    cch = c.view(bs, nc, chunk, n)
    acum64 = torch.cumsum(da, dim=-1)                                             # b h c s
    acum = acum64.to(cdt)

    # 1. inside each chunk: y_i = sum_{j<=i} (C_i . B_j) exp(sum_{j<k<=i} dA_k) xdt_j
    decay = torch.exp(segsum_from_cumsum(acum64).to(cdt))                         # b h c s s
    cb = bmm(cch, bch.transpose(-1, -2))                                 # b c s s
    y = bmm(cb[:, None] * decay, xdt.permute(0, 3, 1, 2, 4))             # b h c s p
    y = y.permute(0, 2, 3, 1, 4)                                                  # b c s h p

    # 2. each chunk's own contribution to the state at its end; B is shared by
    #    the heads, so heads and channels form one (h p) axis of the product
    dec_end = torch.exp((acum64[..., -1:] - acum64).to(cdt)).permute(0, 2, 3, 1)  # b c s h
    xw = (xdt * dec_end[..., None]).reshape(bs, nc, chunk, nh * hp)
    states = bmm(xw.transpose(-1, -2), bch)                              # b c (h p) n
    states = states.reshape(bs, nc, nh, hp * n).transpose(1, 2)                    # b h c (p n)

    # 3. states entering each chunk (recurrence between chunks)
    if initial_state is None:
        init = torch.zeros(bs, nh, 1, hp * n, dtype=cdt, device=x.device)
    else:
        init = initial_state.to(cdt).reshape(bs, nh, 1, hp * n)
    states = torch.cat([init, states], dim=2)                                     # b h c+1 (p n)
    dec_chunk = torch.exp(segsum(F.pad(acum64[..., -1], (1, 0))).to(cdt))        # b h c+1 c+1
    states = torch.matmul(dec_chunk, states)
    final = states[:, :, -1].reshape(bs, nh, hp, n)
    states = states[:, :, :-1].transpose(1, 2).reshape(bs, nc, nh * hp, n)       # b c (h p) n

    # 4. contribution of the entering state to every output of the chunk
    yo = bmm(cch, states.transpose(-1, -2)).reshape(bs, nc, chunk, nh, hp)  # b c s h p
    y = y + yo * torch.exp(acum).permute(0, 2, 3, 1)[..., None]
    y = y.reshape(bs, nc * chunk, nh, hp)[:, :length]
    return y, final


class Mamba2(nn.Module):
    """Mamba-2 mixer (Mamba2Simple / Mamba2 with ngroups 1, no biases on the projections)."""

    def __init__(self, d_model, d_state=16, expand=2, headdim=32, d_conv=4, chunk=64,
                 dt_min=0.001, dt_max=0.1, dt_init_floor=1e-4, a_init_range=(1.0, 16.0)):
        super().__init__()
        self.d_model = d_model
        self.d_state = d_state
        self.d_inner = expand * d_model
        if self.d_inner % headdim:
            raise ValueError("d_inner %d is not a multiple of headdim %d" % (self.d_inner, headdim))
        self.headdim = headdim
        self.nheads = self.d_inner // headdim
        self.d_conv = d_conv
        self.chunk = chunk
        self.conv_dim = self.d_inner + 2 * d_state
        self.d_in_proj = 2 * self.d_inner + 2 * d_state + self.nheads

        self._sizes = (self.d_inner, self.conv_dim, self.nheads)
        self.in_proj = nn.Linear(d_model, self.d_in_proj, bias=False)
        bound = 1.0 / math.sqrt(d_conv)          # nn.Conv1d's default for a depthwise conv
        self.conv_weight = nn.Parameter(torch.empty(self.conv_dim, d_conv).uniform_(-bound, bound))
        self.conv_bias = nn.Parameter(torch.empty(self.conv_dim).uniform_(-bound, bound))
        dt = torch.exp(torch.rand(self.nheads) * (math.log(dt_max) - math.log(dt_min))
                       + math.log(dt_min)).clamp(min=dt_init_floor)
        self.dt_bias = nn.Parameter(dt + torch.log(-torch.expm1(-dt)))   # inverse softplus
        self.A_log = nn.Parameter(torch.log(torch.empty(self.nheads).uniform_(*a_init_range)))
        self.D = nn.Parameter(torch.ones(self.nheads))
        self.norm_weight = nn.Parameter(torch.ones(self.d_inner))
        self.out_proj = nn.Linear(self.d_inner, d_model, bias=False)

    # -- state -------------------------------------------------------------
    def init_state(self, batch, dtype=None, device=None):
        dtype = dtype or self.in_proj.weight.dtype
        device = device or self.in_proj.weight.device
        return (torch.zeros(batch, self.conv_dim, self.d_conv, dtype=dtype, device=device),
                torch.zeros(batch, self.nheads, self.headdim, self.d_state, dtype=dtype, device=device))

    def _split(self, zxbcdt):
        di, n = self.d_inner, self.d_state
        return (zxbcdt[..., :di], zxbcdt[..., di:2 * di + 2 * n], zxbcdt[..., 2 * di + 2 * n:])

    def _gate_norm_out(self, y, z):
        y = y * F.silu(z)
        y = y * torch.rsqrt(y.pow(2).mean(-1, keepdim=True) + RMS_EPS) * self.norm_weight
        return self.out_proj(y)

    # -- parallel form -----------------------------------------------------
    def forward(self, u, conv_state=None, ssm_state=None):
        """u (batch, L, d_model) -> (out (batch, L, d_model), conv_state, ssm_state)."""
        bs, length, _ = u.shape
        if conv_state is None:
            conv_state = self.init_state(bs, u.dtype, u.device)[0]
        z, xbc, dt = torch.split(self.in_proj(u), self._sizes, dim=-1)
        xbc, new_conv = causal_conv(xbc, conv_state, self.conv_weight, self.conv_bias)
        xbc = F.silu(xbc)
        di, n = self.d_inner, self.d_state
        x = xbc[..., :di].reshape(bs, length, self.nheads, self.headdim)
        b = xbc[..., di:di + n]
        c = xbc[..., di + n:]
        cdt = torch.promote_types(u.dtype, torch.float32)
        dt = F.softplus(dt.to(cdt) + self.dt_bias.to(cdt))
        a = -torch.exp(self.A_log.to(cdt))
        y, final = ssd_chunked(x, dt, a, b, c, self.chunk, ssm_state)
        y = y.to(u.dtype) + self.D[:, None] * x
        out = self._gate_norm_out(y.reshape(bs, length, di), z)
        return out, new_conv, final.to(u.dtype)

    # -- recurrent form ----------------------------------------------------
    def step(self, u, conv_state, ssm_state):
        """u (batch, d_model) -> (out (batch, d_model), conv_state, ssm_state)."""
        bs = u.shape[0]
        z, xbc, dt = self._split(self.in_proj(u))
        xbc, conv_state = causal_conv_step(xbc, conv_state, self.conv_weight, self.conv_bias)
        xbc = F.silu(xbc)
        di, n = self.d_inner, self.d_state
        x = xbc[:, :di].reshape(bs, self.nheads, self.headdim)
        b = xbc[:, di:di + n]
        c = xbc[:, di + n:]
        cdt = torch.promote_types(u.dtype, torch.float32)
        dt = F.softplus(dt.to(cdt) + self.dt_bias.to(cdt))
        da = torch.exp(dt * -torch.exp(self.A_log.to(cdt)))
        h = (ssm_state.to(cdt) * da[:, :, None, None]
             + (dt[:, :, None] * x.to(cdt))[..., None] * b.to(cdt)[:, None, None, :])
        y = torch.matmul(h, c.to(cdt)[:, None, :, None])[..., 0]      # b h p
        y = y.to(u.dtype) + self.D[:, None] * x
        out = self._gate_norm_out(y.reshape(bs, di), z)
        return out, conv_state, h.to(u.dtype)

    # -- cost --------------------------------------------------------------
    def macs_per_token(self):
        """Multiply-accumulates of one step (see docs/model.md, "Cost")."""
        di, n, h, k = self.d_inner, self.d_state, self.nheads, self.d_conv
        return (self.d_model * self.d_in_proj      # in_proj
                + self.conv_dim * k                 # depthwise conv
                + h * self.headdim                  # dt * x
                + 2 * di * n                        # h = dA h + (dt x) B
                + di * n                            # y = C . h
                + di                                # D skip
                + 2 * di                            # gate y * SiLU(z), normalise
                + di                                # norm weight
                + di * self.d_model)                # out_proj

    def n_params(self):
        return (self.d_model * self.d_in_proj + self.conv_dim * (self.d_conv + 1)
                + 3 * self.nheads + self.d_inner + self.d_inner * self.d_model)
