"""Rotation maths, vectorised over leading axes.

Conventions: rotation matrices act on column vectors (v' = R v); quaternions
are stored (x, y, z, w) like OpenXR; Euler angles are in degrees and are
applied in the order they are listed, intrinsically (BVH's rule: channels
"Z X Y" give R = Rz @ Rx @ Ry).
"""
import numpy as np


def axis_matrix(axis, deg):
    """Elementary rotations about 'X', 'Y' or 'Z' for an array of angles (degrees)."""
    a = np.radians(np.asarray(deg, dtype=np.float64))
    c, s = np.cos(a), np.sin(a)
    o, z = np.ones_like(a), np.zeros_like(a)
    if axis == "X":
        m = [[o, z, z], [z, c, -s], [z, s, c]]
    elif axis == "Y":
        m = [[c, z, s], [z, o, z], [-s, z, c]]
    elif axis == "Z":
        m = [[c, -s, z], [s, c, z], [z, z, o]]
    else:
        raise ValueError("bad axis %r" % axis)
    return np.moveaxis(np.array(m), (0, 1), (-2, -1))


def euler_to_matrix(deg, order):
    """deg: (..., k) angles in the listed `order` (e.g. "ZXY"); returns (..., 3, 3)."""
    deg = np.asarray(deg, dtype=np.float64)
    r = None
    for i, ax in enumerate(order):
        m = axis_matrix(ax, deg[..., i])
        r = m if r is None else r @ m
    return r


def matrix_to_quat(m):
    """(..., 3, 3) -> (..., 4) unit quaternions (x, y, z, w), w >= 0."""
    m = np.asarray(m, dtype=np.float64)
    shp = m.shape[:-2]
    m = m.reshape(-1, 3, 3)
    t = m[:, 0, 0] + m[:, 1, 1] + m[:, 2, 2]
    q = np.empty((m.shape[0], 4))
    # Shepperd: pick the largest of w, x, y, z for numerical stability.
    cand = np.stack([t, m[:, 0, 0], m[:, 1, 1], m[:, 2, 2]], axis=1)
    k = np.argmax(cand, axis=1)
    i = k == 0
    s = np.sqrt(np.maximum(t[i] + 1.0, 1e-300)) * 2
    q[i] = np.stack([(m[i, 2, 1] - m[i, 1, 2]) / s, (m[i, 0, 2] - m[i, 2, 0]) / s,
                     (m[i, 1, 0] - m[i, 0, 1]) / s, 0.25 * s], 1)
    i = k == 1
    s = np.sqrt(np.maximum(1.0 + m[i, 0, 0] - m[i, 1, 1] - m[i, 2, 2], 1e-300)) * 2
    q[i] = np.stack([0.25 * s, (m[i, 0, 1] + m[i, 1, 0]) / s, (m[i, 0, 2] + m[i, 2, 0]) / s,
                     (m[i, 2, 1] - m[i, 1, 2]) / s], 1)
    i = k == 2
    s = np.sqrt(np.maximum(1.0 + m[i, 1, 1] - m[i, 0, 0] - m[i, 2, 2], 1e-300)) * 2
    q[i] = np.stack([(m[i, 0, 1] + m[i, 1, 0]) / s, 0.25 * s, (m[i, 1, 2] + m[i, 2, 1]) / s,
                     (m[i, 0, 2] - m[i, 2, 0]) / s], 1)
    i = k == 3
    s = np.sqrt(np.maximum(1.0 + m[i, 2, 2] - m[i, 0, 0] - m[i, 1, 1], 1e-300)) * 2
    q[i] = np.stack([(m[i, 0, 2] + m[i, 2, 0]) / s, (m[i, 1, 2] + m[i, 2, 1]) / s, 0.25 * s,
                     (m[i, 1, 0] - m[i, 0, 1]) / s], 1)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    q[q[:, 3] < 0] *= -1
    return q.reshape(shp + (4,))


def quat_to_matrix(q):
    q = np.asarray(q, dtype=np.float64)
    q = q / np.linalg.norm(q, axis=-1, keepdims=True)
    x, y, z, w = q[..., 0], q[..., 1], q[..., 2], q[..., 3]
    m = [[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
         [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
         [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]]
    return np.moveaxis(np.array(m), (0, 1), (-2, -1))


def quat_mul(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    ax, ay, az, aw = np.moveaxis(a, -1, 0)
    bx, by, bz, bw = np.moveaxis(b, -1, 0)
    return np.stack([aw * bx + ax * bw + ay * bz - az * by,
                     aw * by - ax * bz + ay * bw + az * bx,
                     aw * bz + ax * by - ay * bx + az * bw,
                     aw * bw - ax * bx - ay * by - az * bz], axis=-1)


def quat_conj(q):
    q = np.array(q, dtype=np.float64)
    q[..., :3] *= -1
    return q


def quat_rotate(q, v):
    """Rotate vectors v (..., 3) by unit quaternions q (..., 4)."""
    q = np.asarray(q, dtype=np.float64)
    u, w = q[..., :3], q[..., 3:4]
    t = 2.0 * np.cross(u, v)
    return v + w * t + np.cross(u, t)


def quat_continuous(q, axis=0):
    """Flip signs along `axis` so consecutive quaternions lie in the same hemisphere."""
    q = np.moveaxis(np.array(q, dtype=np.float64), axis, 0)
    if q.shape[0] > 1:
        d = np.sum(q[1:] * q[:-1], axis=-1)
        flips = np.cumprod(np.where(d < 0, -1.0, 1.0), axis=0)
        q[1:] *= flips[..., None]
    return np.moveaxis(q, 0, axis)


def quat_slerp(q0, q1, t):
    """Spherical interpolation, shortest path; t broadcasts against q[..., 0]."""
    q0, q1 = np.asarray(q0, dtype=np.float64), np.asarray(q1, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)[..., None]
    d = np.sum(q0 * q1, axis=-1, keepdims=True)
    q1 = np.where(d < 0, -q1, q1)
    d = np.abs(d)
    theta = np.arccos(np.clip(d, -1.0, 1.0))
    s = np.sin(theta)
    small = s < 1e-6
    s_safe = np.where(small, 1.0, s)
    w0 = np.where(small, 1.0 - t, np.sin((1.0 - t) * theta) / s_safe)
    w1 = np.where(small, t, np.sin(t * theta) / s_safe)
    q = w0 * q0 + w1 * q1
    return q / np.linalg.norm(q, axis=-1, keepdims=True)


def quat_angle(a, b):
    """Angle (radians, 0..pi) of the rotation from unit quaternion a to b.

    2 atan2(|vec(a* b)|, |w(a* b)|): accurate for small angles and exactly 0 for a == b.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    av, aw, bv, bw = a[..., :3], a[..., 3:], b[..., :3], b[..., 3:]
    vec = (aw * bv - bw * av) - np.cross(av, bv)        # vector part of conj(a) * b
    w = np.sum(a * b, axis=-1)                            # scalar part
    return 2.0 * np.arctan2(np.linalg.norm(vec, axis=-1), np.abs(w))


def matrix_angle(a, b):
    """Angle (radians) of a^T b for rotation matrices (..., 3, 3)."""
    r = np.swapaxes(a, -1, -2) @ b
    c = (np.trace(r, axis1=-2, axis2=-1) - 1.0) / 2.0
    return np.arccos(np.clip(c, -1.0, 1.0))


def rotation_between(u, v):
    """Smallest rotation matrix taking direction u to direction v (3-vectors)."""
    u = np.asarray(u, dtype=np.float64) / np.linalg.norm(u)
    v = np.asarray(v, dtype=np.float64) / np.linalg.norm(v)
    c = float(np.dot(u, v))
    ax = np.cross(u, v)
    s = float(np.linalg.norm(ax))
    if s < 1e-12:
        if c > 0:
            return np.eye(3)
        # 180 degrees: any axis perpendicular to u
        p = np.array([1.0, 0, 0]) if abs(u[0]) < 0.9 else np.array([0, 1.0, 0])
        ax = np.cross(u, p)
        ax /= np.linalg.norm(ax)
        return 2 * np.outer(ax, ax) - np.eye(3)
    ax /= s
    k = np.array([[0, -ax[2], ax[1]], [ax[2], 0, -ax[0]], [-ax[1], ax[0], 0]])
    ang = np.arctan2(s, c)
    return np.eye(3) + np.sin(ang) * k + (1 - np.cos(ang)) * (k @ k)


def frame_from_two(aim_src, aim_dst, up_src, up_dst):
    """Rotation R with R aim_src = aim_dst exactly and R up_src as close as
    possible to up_dst (both pairs need not be orthogonal)."""
    return frames_from_two(aim_src, aim_dst, up_src, up_dst)


def frames_from_two(aim_src, aim_dst, up_src, up_dst):
    """frame_from_two for arrays of directions (..., 3), broadcast: rotations (..., 3, 3)."""
    def basis(a, u):
        a = np.asarray(a, float)
        a = a / np.linalg.norm(a, axis=-1, keepdims=True)
        u = np.asarray(u, float)
        u = u - np.sum(u * a, axis=-1, keepdims=True) * a
        n = np.linalg.norm(u, axis=-1, keepdims=True)
        if np.any(n < 1e-9):
            raise ValueError("aim and up directions are parallel")
        u = u / n
        return np.stack(np.broadcast_arrays(a, u, np.cross(a, u)), axis=-1)
    return basis(aim_dst, up_dst) @ np.swapaxes(basis(aim_src, up_src), -1, -2)


def rotations_between(u, v):
    """Smallest rotations (..., 3, 3) taking directions u to v (..., 3), vectorised.

    Antiparallel pairs get a half turn about an axis perpendicular to u.
    """
    u = np.asarray(u, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    u = u / np.linalg.norm(u, axis=-1, keepdims=True)
    v = v / np.linalg.norm(v, axis=-1, keepdims=True)
    w = 1.0 + np.sum(u * v, axis=-1, keepdims=True)
    q = np.concatenate([np.cross(u, v), w], axis=-1)
    anti = w[..., 0] < 1e-9
    if np.any(anti):
        ua = u[anti]
        p = np.where(np.abs(ua[:, :1]) < 0.9, [[1.0, 0.0, 0.0]], [[0.0, 1.0, 0.0]])
        ax = np.cross(ua, p)
        ax /= np.linalg.norm(ax, axis=-1, keepdims=True)
        q[anti] = np.concatenate([ax, np.zeros((len(ax), 1))], axis=-1)
    return quat_to_matrix(q)


def rotvec_to_matrix(v):
    """Axis-angle vectors (..., 3), angle = length in radians -> (..., 3, 3) (Rodrigues)."""
    v = np.asarray(v, dtype=np.float64)
    ang = np.linalg.norm(v, axis=-1, keepdims=True)
    half = 0.5 * ang
    # sin(a/2)/a without dividing by zero: its limit at a = 0 is 1/2
    k = np.where(ang > 1e-12, np.sin(half) / np.where(ang > 1e-12, ang, 1.0), 0.5)
    return quat_to_matrix(np.concatenate([v * k, np.cos(half)], axis=-1))
