"""Motion label smoothing with skeleton-based Perlin noise (reference/kinest.md 4(a)).

The targets are pulled a little towards a smooth, skeleton-correlated noise
pose u, a rotation per joint and tick built from axis-angle noise:

    axis-angle_j(t) = amplitude       * fBm_chain(j)(t)     one 3-channel multi-octave Perlin signal
                                                            per kinematic chain (persistence 0.5, 5 octaves)
                    + joint_amplitude * perlin_j(t)         a smaller single-octave offset per joint
    u_j(t) = exp(axis-angle_j(t))
    R'     = GramSchmidt((1 - eps) * R6d + eps * u6d)       per joint and tick

Chains of the canonical skeleton: spine + head (hips, spine, chest, neck,
head), left arm (collar .. hand), right arm, left leg (thigh .. toes), right
leg. Everything is drawn from a torch.Generator, so one seed gives one noise.
"""
import dataclasses
import math

import torch

from . import geometry as geo

CHAINS = (
    ("spine_head", (0, 1, 2, 3, 4)),
    ("left_arm", (5, 6, 7, 8)),
    ("right_arm", (9, 10, 11, 12)),
    ("left_leg", (13, 14, 15, 16)),
    ("right_leg", (17, 18, 19, 20)),
)


@dataclasses.dataclass
class SmoothingConfig:
    enabled: bool = True
    eps: float = 0.05             # blend weight of the noise pose (not published; tune)
    amplitude: float = 0.5        # rad, chain noise (fBm normalised to about +-1)
    joint_amplitude: float = 0.15  # rad, per-joint offset
    base_period_s: float = 1.0    # lattice spacing of the first octave
    joint_period_s: float = 0.5   # lattice spacing of the per-joint octave
    octaves: int = 5
    persistence: float = 0.5
    rate_hz: float = 60.0


def _fade(t):
    return t * t * t * (t * (t * 6 - 15) + 10)


def perlin1d(n, period, channels, generator, dtype=torch.float64):
    """Gradient noise (n, channels): random slopes in [-1, 1] at lattice points
    `period` samples apart, a random phase, quintic interpolation; scaled by 2
    so that it spans about [-1, 1]."""
    phase = torch.rand(channels, generator=generator, dtype=dtype)
    x = torch.arange(n, dtype=dtype)[:, None] / period + phase                # n, ch
    n_lat = int(math.floor(float(x.max()))) + 2
    grad = torch.rand(n_lat, channels, generator=generator, dtype=dtype) * 2 - 1
    i = torch.floor(x).long()
    f = x - i
    g0 = torch.gather(grad, 0, i)
    g1 = torch.gather(grad, 0, i + 1)
    a, b = g0 * f, g1 * (f - 1)
    return 2 * (a + _fade(f) * (b - a))


def fbm(n, period, channels, generator, octaves=5, persistence=0.5, dtype=torch.float64):
    """Multi-octave Perlin noise: sum_o persistence^o perlin(period / 2^o), divided by sum persistence^o."""
    out = torch.zeros(n, channels, dtype=dtype)
    norm = 0.0
    for o in range(octaves):
        amp = persistence ** o
        out += amp * perlin1d(n, period / 2 ** o, channels, generator, dtype)
        norm += amp
    return out / norm


def skeleton_noise(n, cfg, generator, dtype=torch.float64):
    """Axis-angle noise (n, 21, 3) for n ticks: chain fBm plus per-joint offsets."""
    out = torch.zeros(n, geo.J, 3, dtype=dtype)
    base_p, joint_p = cfg.base_period_s * cfg.rate_hz, cfg.joint_period_s * cfg.rate_hz
    for _, joints in CHAINS:
        base = cfg.amplitude * fbm(n, base_p, 3, generator, cfg.octaves, cfg.persistence, dtype)
        for j in joints:
            out[:, j] = base + cfg.joint_amplitude * perlin1d(n, joint_p, 3, generator, dtype)
    return out


def smooth_targets(target6d, cfg=None, generator=None):
    """Smoothed targets of the same shape (..., T, 21, 6); unchanged when disabled
    or eps = 0. Each leading index (e.g. each clip of a batch) gets its own noise."""
    cfg = cfg or SmoothingConfig()
    if not cfg.enabled or cfg.eps == 0:
        return target6d
    lead, t = target6d.shape[:-3], target6d.shape[-3]
    flat = target6d.reshape((-1, t, geo.J, 6))
    noise = torch.stack([skeleton_noise(t, cfg, generator, torch.float64) for _ in range(flat.shape[0])])
    u6d = geo.matrix_to_6d(geo.so3_exp(noise)).to(target6d.dtype)
    blended = (1 - cfg.eps) * flat + cfg.eps * u6d
    return geo.matrix_to_6d(geo.sixd_to_matrix(blended)).reshape(lead + (t, geo.J, 6))
