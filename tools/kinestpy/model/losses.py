"""Training losses of the streaming model (docs/model.md, "Losses").

Predictions and targets are 6D local rotations (batch, T, 21, 6), the root's
in the aligned frame of its tick (features.local_targets). Every term is a
mean, so the weights in LossConfig set their balance:

    rot     L1 of the 6D values, all joints                      (KineST's rotation term)
    root    L1 of the root's 6D (an extra weight on it)          (KineST: 0.02)
    pos     mean distance of FK joint positions, metres          (MPJPE; body hung from the head joint)
    angvel  L1 of log(R_{t-1}^T R_t), pred vs truth, rad/tick    (KineST's geometric angular velocity, delta = 1)
    vel     mean distance of FK joint velocities, m/s            (velocity consistency, MPJVE)
    acc     mean distance of FK joint accelerations, m/s^2       (acceleration consistency)
    contact binary cross-entropy of the contact head's logits against the truth's foot contact
            (kinestpy.contact), both feet; only for a model with a contact head

Positions: forward kinematics with the clip's own rest offsets from the
root at the origin, then minus the head joint, i.e. the body as the
evaluation places it (hung from the head). With `frame` (the yaw rotation
Y_t of each tick, features.heading) the root orientation is first turned
back to the world's heading, so velocities and accelerations are the world's
and not those of a turning frame.
"""
import dataclasses

import torch

from . import geometry as geo

HEAD = geo.NAMES.index("head")


@dataclasses.dataclass
class LossConfig:
    w_rot: float = 1.0
    w_root: float = 0.02
    w_pos: float = 1.0
    w_angvel: float = 1.0
    w_vel: float = 0.02       # 1 m/s of velocity error weighs like 2 cm of position error
    w_acc: float = 0.0005     # 1 m/s^2 weighs like 0.5 mm
    w_contact: float = 0.1    # cross-entropy ~0.1-0.3 when learnt: about a few cm of position error
    rate_hz: float = 60.0


def rotation_loss(pred6d, true6d):
    return (pred6d - true6d).abs().mean()


def root_loss(pred6d, true6d):
    return (pred6d[..., 0, :] - true6d[..., 0, :]).abs().mean()


def relative_rotations(r):
    """V_t = R_{t-1}^T R_t along the time axis (-4) of (..., T, J, 3, 3)."""
    return r[..., :-1, :, :, :].transpose(-1, -2) @ r[..., 1:, :, :, :]


def angvel_loss(pred_r, true_r):
    """Mean |log V_t - log V^_t| (L1 over the three components), rotation matrices in."""
    return (geo.so3_log(relative_rotations(pred_r)) - geo.so3_log(relative_rotations(true_r))).abs().mean()


def body_positions(local_r, offsets, frame=None):
    """Joint positions relative to the head joint (..., T, 21, 3).

    local_r (..., T, 21, 3, 3); offsets (..., 21, 3) per clip; frame (..., T, 3, 3) or None."""
    if frame is not None:
        local_r = torch.cat([(frame @ local_r[..., 0, :, :])[..., None, :, :], local_r[..., 1:, :, :]], -3)
    _, pos = geo.fk(local_r, offsets[..., None, :, :])
    return pos - pos[..., HEAD:HEAD + 1, :]


def _dist(a, b):
    return (a - b).norm(dim=-1).mean()


def contact_loss(logits, labels):
    """Mean binary cross-entropy of contact logits (..., 2) against 0/1 labels (..., 2)."""
    return torch.nn.functional.binary_cross_entropy_with_logits(logits, labels.to(logits.dtype))


def total_loss(pred6d, true6d, offsets, cfg=None, frame=None, contact=None, contact_true=None):
    """pred6d, true6d (batch, T, 21, 6); offsets (batch, 21, 3); frame (batch, T, 3, 3) or None;
    contact: the contact head's logits (batch, T, 2) and contact_true the labels, or None.

    Returns (weighted sum, dict name -> unweighted term)."""
    cfg = cfg or LossConfig()
    pr, tr = geo.sixd_to_matrix(pred6d), geo.sixd_to_matrix(true6d)
    terms = {"rot": rotation_loss(pred6d, true6d), "root": root_loss(pred6d, true6d)}
    need_pos = cfg.w_pos or cfg.w_vel or cfg.w_acc
    if cfg.w_angvel and pred6d.shape[-3] > 1:
        terms["angvel"] = angvel_loss(pr, tr)
    if need_pos:
        pp, tp = body_positions(pr, offsets, frame), body_positions(tr, offsets, frame)
        terms["pos"] = _dist(pp, tp)
        if pred6d.shape[-3] > 1:
            vp, vt = (pp[..., 1:, :, :] - pp[..., :-1, :, :]) * cfg.rate_hz, (tp[..., 1:, :, :] - tp[..., :-1, :, :]) * cfg.rate_hz
            terms["vel"] = _dist(vp, vt)
            if pred6d.shape[-3] > 2:
                terms["acc"] = _dist((vp[..., 1:, :, :] - vp[..., :-1, :, :]) * cfg.rate_hz,
                                     (vt[..., 1:, :, :] - vt[..., :-1, :, :]) * cfg.rate_hz)
    if contact is not None and contact_true is not None:
        terms["contact"] = contact_loss(contact, contact_true)
    total = sum(getattr(cfg, "w_" + k) * v for k, v in terms.items())
    return total, terms
