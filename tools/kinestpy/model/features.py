"""Per-tick model input from the three device poses, and the way back to joints.

The layout is fixed by docs/model.md ("Feature layout"); the C engine
reproduces it. Everything is computed in float64 and rounded to float32 at
the end. Inputs are whole clips of ticks (T, ...): positions (T, 3, 3) in
metres, quaternions (T, 3, 4) xyzw and validity (T, 3) for the devices in the
order head, left grip, right grip, as in a .kclip file. Validity is either a
boolean array or the clip's XrSpaceLocationFlags (valid = both the
orientation-valid 0x1 and position-valid 0x2 bits set).

The heading-aligned, floor-anchored frame of tick t: origin at the head's
floor point (head x, 0, head z), rotated about +Y by the head's yaw psi_t,
where psi is the angle of the head's forward axis (-Z of the head) projected
on the floor: cos psi = R22 / h, sin psi = R02 / h, h = hypot(R02, R22).
A quantity v in world coordinates becomes Y_t^T (v - (hx, 0, hz)) with
Y_t = [[cos, 0, sin], [0, 1, 0], [-sin, 0, cos]].
"""
import numpy as np
import torch

from .. import devices
from . import geometry as geo

RATE_HZ = 60.0
DEVICES = ("head", "left_grip", "right_grip")
PER_DEVICE = 19          # rot6d 6 | position 3 | velocity 3 | rotation difference 6 | valid 1
ROT6D, POS, VEL, DROT, VALID = 0, 6, 9, 12, 18
YAW_RATE = 3 * PER_DEVICE   # 57
N_FEATURES = YAW_RATE + 1   # 58
YAW_EPS = 1e-6           # h below this: the head looks straight up/down, keep the previous yaw
FLAGS_VALID = 0x1 | 0x2


def feature_names():
    """One name per input value, in layout order (for the weights' metadata and debugging)."""
    names = []
    for d in DEVICES:
        names += ["%s.rot6d[%d]" % (d, i) for i in range(6)]
        names += ["%s.pos.%s" % (d, a) for a in "xyz"]
        names += ["%s.vel.%s" % (d, a) for a in "xyz"]
        names += ["%s.drot6d[%d]" % (d, i) for i in range(6)]
        names += ["%s.valid" % d]
    names.append("head.yaw_rate")
    return names


def device_valid(valid):
    v = np.asarray(valid)
    if v.dtype == bool:
        return v
    return (v.astype(np.int64) & FLAGS_VALID) == FLAGS_VALID


def _ffill_index(ok):
    """For each tick the index of the latest tick <= it where ok holds (-1 if none)."""
    idx = np.where(ok, np.arange(len(ok)), -1)
    return np.maximum.accumulate(idx) if len(ok) else idx


def heading(head_pos, head_quat, head_valid):
    """The aligned frame of every tick: (cos psi, sin psi, floor point (x, z), psi_ok).

    The head's yaw and floor point are those of the latest tick whose head
    pose was valid (and, for the yaw, not vertical); before any, yaw 0 and the
    world origin. psi_ok (T,) marks the ticks whose own yaw was usable."""
    head_pos = geo.as_tensor(head_pos)
    r = geo.quat_to_matrix(geo.as_tensor(head_quat))
    hv = np.asarray(head_valid, dtype=bool)
    h = torch.hypot(r[:, 0, 2], r[:, 2, 2])
    yaw_ok = hv & (h.numpy() >= YAW_EPS)
    hs = torch.where(h >= YAW_EPS, h, torch.ones_like(h))
    c, s = r[:, 2, 2] / hs, r[:, 0, 2] / hs
    iy = torch.as_tensor(_ffill_index(yaw_ok))
    ip = torch.as_tensor(_ffill_index(hv))
    c = torch.where(iy >= 0, c[iy.clamp(min=0)], torch.ones_like(c))
    s = torch.where(iy >= 0, s[iy.clamp(min=0)], torch.zeros_like(s))
    floor = head_pos[:, [0, 2]][ip.clamp(min=0)]
    floor = torch.where((ip >= 0)[:, None], floor, torch.zeros_like(floor))
    return c, s, floor, torch.as_tensor(yaw_ok)


def clip_features(pos, quat, valid, dtype=torch.float32):
    """(T, 3, 3) positions, (T, 3, 4) quaternions, (T, 3) validity -> (T, N_FEATURES).

    Tick 0 (and any tick whose device was invalid the tick before) has zero
    velocity and the identity rotation difference; an invalid device has all
    of its values 0 (flag included)."""
    pos, quat = geo.as_tensor(pos), geo.as_tensor(quat)
    t = pos.shape[0]
    ok = torch.as_tensor(device_valid(valid))                               # T, 3
    c, s, floor, yaw_ok = heading(pos[:, 0], quat[:, 0], ok[:, 0].numpy())
    y = geo.yaw_matrix(c, s)                                                # T, 3, 3
    yt = y.transpose(-1, -2)[:, None]                                       # T, 1, 3, 3
    r = geo.quat_to_matrix(quat)                                            # T, 3, 3, 3
    origin = torch.stack([floor[:, 0], torch.zeros_like(floor[:, 0]), floor[:, 1]], -1)
    out = torch.zeros(t, N_FEATURES, dtype=torch.float64)
    ident = torch.tensor(geo.IDENTITY_6D, dtype=torch.float64)
    prev_ok = torch.zeros_like(ok)
    prev_ok[1:] = ok[:-1] & ok[1:]
    rel = (yt @ (pos - origin[:, None])[..., None])[..., 0]                 # T, 3, 3
    vel = torch.zeros_like(pos)
    vel[1:] = (yt[1:] @ (pos[1:] - pos[:-1])[..., None])[..., 0] * RATE_HZ
    drot = ident.expand(t, 3, 6).clone()
    drot[1:] = geo.matrix_to_6d(r[:-1].transpose(-1, -2) @ r[1:])
    vel = torch.where(prev_ok[..., None], vel, torch.zeros_like(vel))
    drot = torch.where(prev_ok[..., None], drot, ident)
    for d in range(3):
        b = d * PER_DEVICE
        out[:, b + ROT6D:b + ROT6D + 6] = geo.matrix_to_6d(yt[:, 0] @ r[:, d])
        out[:, b + POS:b + POS + 3] = rel[:, d]
        out[:, b + VEL:b + VEL + 3] = vel[:, d]
        out[:, b + DROT:b + DROT + 6] = drot[:, d]
        out[:, b + VALID] = 1.0
        out[:, b:b + PER_DEVICE] *= ok[:, d, None].to(torch.float64)
    # yaw rate: the angle from psi_{t-1} to psi_t, wrapped to (-pi, pi], times 60
    rate = torch.zeros(t, dtype=torch.float64)
    if t > 1:
        both = yaw_ok[1:] & yaw_ok[:-1]
        ang = torch.atan2(s[1:] * c[:-1] - c[1:] * s[:-1], c[1:] * c[:-1] + s[1:] * s[:-1])
        rate[1:] = torch.where(both, ang * RATE_HZ, torch.zeros_like(ang))
    out[:, YAW_RATE] = rate
    return out.to(dtype)


def local_targets(truth_quat, head_quat, head_valid=None):
    """Training targets (T, 21, 6): 6D local rotations, the root's in the aligned frame.

    truth_quat (T, 21, 4) global joint orientations (a .kclip's truth);
    head_quat (T, 4) the head DEVICE orientation the model sees."""
    g = geo.quat_to_matrix(geo.as_tensor(truth_quat))
    t = g.shape[0]
    hv = np.ones(t, bool) if head_valid is None else device_valid(head_valid)
    c, s, _, _ = heading(torch.zeros(t, 3, dtype=torch.float64), head_quat, hv)
    loc = torch.empty_like(g)
    for j, p in enumerate(geo.PARENTS):
        loc[:, j] = g[:, j] if p < 0 else g[:, p].transpose(-1, -2) @ g[:, j]
    loc[:, 0] = geo.yaw_matrix(c, s).transpose(-1, -2) @ loc[:, 0]
    return geo.matrix_to_6d(loc)


def joints_from_prediction(pred6d, head_pos, head_quat, offsets, head_valid=None,
                           head_offset=devices.EYE_OFFSET):
    """The model's output back to global joints, hung from the head device.

    pred6d (T, 21, 6) local rotations (root in the aligned frame of its tick);
    head_pos (T, 3), head_quat (T, 4) the head device pose; offsets (21, 3) the
    clip's rest bone offsets; head_offset (3,) the head device's position in
    the head joint's frame (default: the eye centre of kinestpy.devices; None:
    the device sits at the head joint).
    Returns global rotations (T, 21, 3, 3) and positions (T, 21, 3), float64:
    root orientation = Y_t R_root, forward kinematics from the origin, then the
    whole body translated so that the head joint (+ head_offset) lands on the
    head device position (the latest valid one when the head is invalid)."""
    loc = geo.sixd_to_matrix(geo.as_tensor(pred6d))
    head_pos = geo.as_tensor(head_pos)
    t = loc.shape[0]
    hv = np.ones(t, bool) if head_valid is None else device_valid(head_valid)
    c, s, _, _ = heading(head_pos, head_quat, hv)
    loc = loc.clone()
    loc[:, 0] = geo.yaw_matrix(c, s) @ loc[:, 0]
    glob, p = geo.fk(loc, geo.as_tensor(offsets))
    anchor = p[:, geo.NAMES.index("head")]
    if head_offset is not None:
        anchor = anchor + (glob[:, geo.NAMES.index("head")] @ geo.as_tensor(head_offset)[:, None])[..., 0]
    ip = torch.as_tensor(_ffill_index(hv)).clamp(min=0)
    return glob, p + (head_pos[ip] - anchor)[:, None]


def from_clip(clip):
    """A .kclip Clip -> dict of training arrays (torch): 'x' features (T, 58) float32,
    'frame' yaw rotations Y_t (T, 3, 3), 'offsets' (21, 3) from the clip's
    skeleton metadata, and with truth 'y' local 6D targets (T, 21, 6) float32."""
    if abs(clip.rate_hz - RATE_HZ) > 1e-6:
        raise ValueError("clip rate %g Hz: the model runs at %g Hz ticks" % (clip.rate_hz, RATE_HZ))
    out = {"x": clip_features(clip.dev_pos, clip.dev_quat, clip.dev_flags)}
    hv = device_valid(clip.dev_flags)[:, 0]
    c, s, _, _ = heading(clip.dev_pos[:, 0], clip.dev_quat[:, 0], hv)
    out["frame"] = geo.yaw_matrix(c, s)
    out["offsets"] = geo.as_tensor(clip.meta["skeleton"]["offsets_m"])
    if clip.truth_quat is not None:
        out["y"] = local_targets(clip.truth_quat, clip.dev_quat[:, 0], clip.dev_flags[:, 0]).float()
    return out
