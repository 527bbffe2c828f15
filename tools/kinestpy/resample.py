"""Resampling of a motion (local joint rotations + root position) to a fixed rate.

* Downsampling (e.g. CMU 120 fps -> 60 Hz): a linear-phase low-pass FIR
  (Hamming-windowed sinc, cut-off 0.8 x the output Nyquist frequency, ~0.25 s
  long, edges extended by odd reflection) is applied to the root position and to
  the sign-continuous quaternion components (renormalised), then the filtered
  signal is sampled at the output times. Frames are never just dropped.
* Every rate: values between source samples are interpolated with a uniform
  Catmull-Rom spline; for rotations the spline is built from slerps only
  (Barry-Goldman pyramid of slerps), so rotations stay on the unit sphere and a
  30 fps clip upsampled to 60 Hz has a continuous angular velocity instead of
  the kinks of piecewise slerp (see docs/data.md for the effect on jitter).
"""
import numpy as np

from . import rot

OUT_RATE = 60.0


def fir_lowpass(cutoff_hz, rate_hz, seconds=0.25):
    """Hamming-windowed sinc taps (odd length, unit DC gain)."""
    m = max(2, int(round(seconds * rate_hz / 2)))
    n = np.arange(-m, m + 1)
    fc = cutoff_hz / rate_hz
    h = 2 * fc * np.sinc(2 * fc * n) * np.hamming(2 * m + 1)
    return h / h.sum()


def filter_along_time(x, taps):
    """Zero-phase FIR along axis 0 with odd-reflection padding at both ends."""
    m = len(taps) // 2
    if x.shape[0] < 2:
        return x.copy()
    m_eff = min(m, x.shape[0] - 1)
    head = 2 * x[:1] - x[m_eff:0:-1]
    tail = 2 * x[-1:] - x[-2:-m_eff - 2:-1]
    xp = np.concatenate([head, x, tail], axis=0)
    if m_eff < m:   # very short clips: extend with the end values
        xp = np.concatenate([np.repeat(xp[:1], m - m_eff, 0), xp, np.repeat(xp[-1:], m - m_eff, 0)], 0)
    flat = xp.reshape(xp.shape[0], -1)
    out = np.empty((x.shape[0], flat.shape[1]))
    for c in range(flat.shape[1]):
        out[:, c] = np.convolve(flat[:, c], taps, mode="valid")
    return out.reshape(x.shape)


def _pad_ends_lin(x):
    return np.concatenate([2 * x[:1] - x[1:2], x, 2 * x[-1:] - x[-2:-1]], axis=0)


def _pad_ends_quat(q):
    first = rot.quat_slerp(q[1], q[0], 2.0)
    last = rot.quat_slerp(q[-2], q[-1], 2.0)
    return np.concatenate([first[None], q, last[None]], axis=0)


def catmull_rom(x, u):
    """Uniform Catmull-Rom of x (F, ...) at fractional sample positions u (K,)."""
    xp = _pad_ends_lin(x)
    i = np.clip(np.floor(u).astype(int), 0, len(x) - 2)
    t = (u - i).reshape((-1,) + (1,) * (x.ndim - 1))
    p0, p1, p2, p3 = xp[i], xp[i + 1], xp[i + 2], xp[i + 3]
    return 0.5 * (2 * p1 + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t ** 2
                  + (-p0 + 3 * p1 - 3 * p2 + p3) * t ** 3)


def spherical_catmull_rom(q, u):
    """Catmull-Rom through unit quaternions q (F, ..., 4) built from slerps, at positions u (K,)."""
    qp = _pad_ends_quat(q)
    i = np.clip(np.floor(u).astype(int), 0, len(q) - 2)
    t = (u - i).reshape((-1,) + (1,) * (q.ndim - 2))
    q0, q1, q2, q3 = qp[i], qp[i + 1], qp[i + 2], qp[i + 3]
    a1 = rot.quat_slerp(q0, q1, t + 1)
    a2 = rot.quat_slerp(q1, q2, t)
    a3 = rot.quat_slerp(q2, q3, t - 1)
    b1 = rot.quat_slerp(a1, a2, (t + 1) / 2)
    b2 = rot.quat_slerp(a2, a3, t / 2)
    return rot.quat_slerp(b1, b2, t)


def piecewise_slerp(q, u):
    i = np.clip(np.floor(u).astype(int), 0, len(q) - 2)
    t = (u - i).reshape((-1,) + (1,) * (q.ndim - 2))
    return rot.quat_slerp(q[i], q[i + 1], t)


def output_positions(frames, src_rate, out_rate=OUT_RATE):
    """Fractional source-frame positions of the output samples (start at source frame 0)."""
    duration = (frames - 1) / src_rate
    k = np.arange(int(np.floor(duration * out_rate + 1e-9)) + 1)
    return k * (src_rate / out_rate)


def resample(local_quat, root, src_rate, out_rate=OUT_RATE, method="catmull-rom"):
    """local_quat (F, J, 4), root (F, 3) at src_rate -> the same at out_rate."""
    q = rot.quat_continuous(local_quat, axis=0)
    r = np.asarray(root, dtype=np.float64)
    if src_rate > out_rate * 1.0001:
        taps = fir_lowpass(0.8 * out_rate / 2, src_rate)
        q = filter_along_time(q, taps)
        q /= np.linalg.norm(q, axis=-1, keepdims=True)
        r = filter_along_time(r, taps)
    u = output_positions(len(q), src_rate, out_rate)
    exact = np.abs(u - np.round(u)) < 1e-9
    if np.all(exact):
        idx = np.round(u).astype(int)
        return q[idx], r[idx]
    if method == "slerp":
        q_out = piecewise_slerp(q, u)
        i = np.clip(np.floor(u).astype(int), 0, len(q) - 2)
        t = (u - i)[:, None]
        r_out = r[i] * (1 - t) + r[i + 1] * t
    else:
        q_out = spherical_catmull_rom(q, u)
        r_out = catmull_rom(r, u)
    q_out[exact] = q[np.round(u[exact]).astype(int)]
    r_out[exact] = r[np.round(u[exact]).astype(int)]
    return rot.quat_continuous(q_out, axis=0), r_out
