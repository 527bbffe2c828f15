"""Rotation maths and forward kinematics in torch (differentiable, any float dtype).

Conventions as in docs/formats.md and kinestpy.rot: matrices act on column
vectors, quaternions are (x, y, z, w), 6D = the first two COLUMNS of R,
[R00, R10, R20, R01, R11, R21]; 6D -> R by Gram-Schmidt.
"""
import torch

from ..skeleton import J, NAMES, PARENTS  # noqa: F401  (re-exported)

IDENTITY_6D = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)


def as_tensor(a, dtype=torch.float64):
    if isinstance(a, torch.Tensor):
        return a.to(dtype)
    return torch.as_tensor(a, dtype=dtype)


def quat_to_matrix(q):
    q = q / q.norm(dim=-1, keepdim=True)
    x, y, z, w = q.unbind(-1)
    m = torch.stack([1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
                     2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
                     2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)], -1)
    return m.reshape(q.shape[:-1] + (3, 3))


def matrix_to_6d(r):
    return torch.cat([r[..., :, 0], r[..., :, 1]], dim=-1)


def sixd_to_matrix(d6, eps=1e-8):
    """Gram-Schmidt: b1 = a1/|a1|, b2 = normalise(a2 - (b1.a2) b1), b3 = b1 x b2; columns."""
    a1, a2 = d6[..., :3], d6[..., 3:]
    b1 = a1 / a1.norm(dim=-1, keepdim=True).clamp(min=eps)
    b2 = a2 - (b1 * a2).sum(-1, keepdim=True) * b1
    b2 = b2 / b2.norm(dim=-1, keepdim=True).clamp(min=eps)
    b3 = torch.cross(b1, b2, dim=-1)
    return torch.stack([b1, b2, b3], dim=-1)


def skew(v):
    x, y, z = v.unbind(-1)
    o = torch.zeros_like(x)
    return torch.stack([o, -z, y, z, o, -x, -y, x, o], -1).reshape(v.shape[:-1] + (3, 3))


def so3_exp(w):
    """Axis-angle (..., 3) -> rotation matrices (Rodrigues, Taylor series near 0)."""
    th2 = (w * w).sum(-1)[..., None, None]
    small = th2 < 1e-8
    th2s = torch.where(small, torch.ones_like(th2), th2)
    th = th2s.sqrt()
    a = torch.where(small, 1 - th2 / 6, torch.sin(th) / th)
    b = torch.where(small, 0.5 - th2 / 24, (1 - torch.cos(th)) / th2s)
    k = skew(w)
    eye = torch.eye(3, dtype=w.dtype, device=w.device).expand(k.shape)
    return eye + a * k + b * (k @ k)


def so3_log(r):
    """Rotation matrices -> axis-angle (..., 3), angle in [0, pi).

    theta = atan2(|s|, c) with s = vee(R - R^T)/2 = sin(theta) axis and
    c = (tr R - 1)/2; log = s * theta / sin(theta) (Taylor series near 0, so
    the gradient stays finite at the identity). Angles near pi are not
    handled specially (consecutive ticks never rotate that far)."""
    s = 0.5 * torch.stack([r[..., 2, 1] - r[..., 1, 2], r[..., 0, 2] - r[..., 2, 0],
                           r[..., 1, 0] - r[..., 0, 1]], -1)
    c = 0.5 * (r[..., 0, 0] + r[..., 1, 1] + r[..., 2, 2] - 1)
    sn2 = (s * s).sum(-1)
    small = sn2 < 1e-10
    sn = torch.where(small, torch.ones_like(sn2), sn2).sqrt()
    th = torch.atan2(sn, c)
    f = torch.where(small, 1 + sn2 / 6, th / sn)
    return s * f[..., None]


def yaw_matrix(cos_y, sin_y):
    """Rotation about +Y: [[c, 0, s], [0, 1, 0], [-s, 0, c]]."""
    o, l = torch.zeros_like(cos_y), torch.ones_like(cos_y)
    return torch.stack([cos_y, o, sin_y, o, l, o, -sin_y, o, cos_y], -1).reshape(cos_y.shape + (3, 3))


def fk(local_rot, offsets, root_pos=None):
    """Forward kinematics on the canonical skeleton.

    local_rot (..., J, 3, 3) local rotations (root = its global orientation);
    offsets (..., J, 3) rest bone offsets in the parent frame (broadcast
    against local_rot's leading axes); root_pos (..., 3) or None (origin).
    Returns global rotations (..., J, 3, 3) and positions (..., J, 3)."""
    glob = [None] * J
    pos = [None] * J
    lead = local_rot.shape[:-3]
    offsets = offsets.expand(lead + (J, 3))
    for j, p in enumerate(PARENTS):
        if p < 0:
            glob[j] = local_rot[..., j, :, :]
            pos[j] = (torch.zeros(lead + (3,), dtype=local_rot.dtype, device=local_rot.device)
                      if root_pos is None else root_pos.expand(lead + (3,)))
        else:
            glob[j] = glob[p] @ local_rot[..., j, :, :]
            pos[j] = pos[p] + (glob[p] @ offsets[..., j, :, None])[..., 0]
    return torch.stack(glob, -3), torch.stack(pos, -2)
