"""Pose metrics of ../shared/reference/kinest.md, section 3, on the canonical skeleton.

All functions take global joint positions (F, 21, 3) in metres and/or global
orientations (F, 21, 4) quaternions (x, y, z, w), at `fps` frames per second.
`clip_sums` returns, per metric, the sum of the per-sample values and the number
of samples, so that clips can be aggregated frame-weighted (sum of sums /
sum of counts); `finish` turns sums into means in the reported units.
Exact formulas: docs/metrics.md.
"""
import numpy as np

from . import contact, rot, skeleton

UPPER = [skeleton.INDEX[n] for n in (
    "spine", "chest", "neck", "head",
    "left_collar", "left_upper_arm", "left_forearm", "left_hand",
    "right_collar", "right_upper_arm", "right_forearm", "right_hand")]
LOWER = [skeleton.INDEX[n] for n in (
    "hips", "left_thigh", "right_thigh", "left_shin", "right_shin",
    "left_foot", "right_foot", "left_toes", "right_toes")]
assert sorted(UPPER + LOWER) == list(range(skeleton.J))

# name -> (unit label, factor from SI to the reported unit)
METRICS = {
    "MPJRE": ("deg", 180.0 / np.pi),
    "MPJPE": ("cm", 100.0),
    "MPJVE": ("cm/s", 100.0),
    "Jitter": ("10^2 m/s^3", 0.01),
    "H-PE": ("cm", 100.0),
    "U-PE": ("cm", 100.0),
    "L-PE": ("cm", 100.0),
    "Root-PE": ("cm", 100.0),
    "GT-Jitter": ("10^2 m/s^3", 0.01),
}
POSE = list(METRICS)
# Feet (docs/metrics.md, "Feet"): each for the prediction and, as GT-*, for the truth.
SKATE_SHARE_ABOVE = 0.20        # m/s
PENETRATION_SHARE_BELOW = 0.02  # m
FOOT_METRICS = {
    "Contact": ("%", 100.0),        # share of foot-frames in contact by the rule (prediction: its joints)
    "Contact-acc": ("%", 100.0),    # share of foot-frames where the prediction's contact equals the truth's
    "Skate": ("cm/s", 100.0),       # mean horizontal speed of the lowest foot point during true contact
    "Skate>20": ("%", 100.0),       # share of those foot-frames above 20 cm/s
    "Pen": ("cm", 100.0),           # mean depth of the lowest foot point below the contact level
    "Pen>2": ("%", 100.0),          # share of frames more than 2 cm below it
    "CH-err": ("cm", 100.0),        # mean |lowest point - contact level| during true contact
    "Stance": ("cm", 100.0),        # mean horizontal distance between the ankles
    "Stance-err": ("cm", 100.0),    # mean |predicted - true| of that distance
}
for _k in ("Contact", "Skate", "Skate>20", "Pen", "Pen>2", "CH-err", "Stance"):
    FOOT_METRICS["GT-" + _k] = FOOT_METRICS[_k]
FOOT = ["Contact", "GT-Contact", "Contact-acc", "Skate", "GT-Skate", "Skate>20", "GT-Skate>20", "Pen", "GT-Pen",
        "Pen>2", "GT-Pen>2", "CH-err", "GT-CH-err", "Stance", "GT-Stance", "Stance-err"]
METRICS.update((k, FOOT_METRICS[k]) for k in FOOT)
ORDER = POSE + FOOT


def local_quats(glob_quat):
    """Local rotations (parent^-1 * child) from global orientations; the root keeps its global one."""
    g = np.asarray(glob_quat, dtype=np.float64)
    g = g / np.linalg.norm(g, axis=-1, keepdims=True)
    par = [p if p >= 0 else 0 for p in skeleton.PARENTS]
    loc = rot.quat_mul(rot.quat_conj(g[:, par]), g)
    loc[:, 0] = g[:, 0]
    return loc


def rotation_errors(pred_quat, true_quat):
    """(F, 21) geodesic angle (radians) between predicted and true local rotations."""
    return rot.quat_angle(local_quats(pred_quat), local_quats(true_quat))


def position_errors(pred_pos, true_pos):
    """(F, 21) Euclidean distance (metres)."""
    return np.linalg.norm(np.asarray(pred_pos, np.float64) - np.asarray(true_pos, np.float64), axis=-1)


def velocity_errors(pred_pos, true_pos, fps):
    """(F-1, 21) |v_pred - v_true| in m/s, v[t] = (p[t+1] - p[t]) * fps."""
    dp = np.diff(np.asarray(pred_pos, np.float64), axis=0) * fps
    dt = np.diff(np.asarray(true_pos, np.float64), axis=0) * fps
    return np.linalg.norm(dp - dt, axis=-1)


def jerk(pos, fps):
    """(F-3, 21) |p[t+3] - 3 p[t+2] + 3 p[t+1] - p[t]| * fps^3 in m/s^3."""
    p = np.asarray(pos, np.float64)
    if len(p) < 4:
        return np.zeros((0, p.shape[1]))
    return np.linalg.norm(p[3:] - 3 * p[2:-1] + 3 * p[1:-2] - p[:-3], axis=-1) * fps ** 3


def _foot_sums(pos, fps, level, true_contact, prefix):
    """Foot sums of one body (prediction or truth) against the truth's contact and level."""
    h, speed = contact.lowest_points(pos, fps)
    mine = (h - level < contact.CONTACT_HEIGHT) & (speed < contact.STANCE_SPEED)
    s = speed[true_contact]
    depth = np.maximum(0.0, level - h.min(axis=1))
    ch = np.abs(h - level)[true_contact]
    a = np.asarray(pos, np.float64)
    width = np.linalg.norm(a[:, skeleton.INDEX["left_foot"], [0, 2]] - a[:, skeleton.INDEX["right_foot"], [0, 2]],
                           axis=-1)
    return {prefix + "Contact": (mine.sum(), mine.size), prefix + "Skate": (s.sum(), s.size),
            prefix + "Skate>20": ((s > SKATE_SHARE_ABOVE).sum(), s.size),
            prefix + "Pen": (depth.sum(), depth.size),
            prefix + "Pen>2": ((depth > PENETRATION_SHARE_BELOW).sum(), depth.size),
            prefix + "CH-err": (ch.sum(), ch.size), prefix + "Stance": (width.sum(), width.size)}, mine, width


def foot_sums(pred_pos, true_pos, fps):
    """{foot metric: (sum, count)} in SI units; the contact level and contact are the truth's."""
    level = contact.contact_level(true_pos, fps)
    truth_contact = contact.labels(true_pos, fps, level)
    out, pred_contact, pw = _foot_sums(pred_pos, fps, level, truth_contact, "")
    gt, _, tw = _foot_sums(true_pos, fps, level, truth_contact, "GT-")
    out.update(gt)
    out["Contact-acc"] = ((pred_contact == truth_contact).sum(), truth_contact.size)
    out["Stance-err"] = (np.abs(pw - tw).sum(), pw.size)
    return out


def clip_sums(pred_pos, pred_quat, true_pos, true_quat, fps):
    """{metric: (sum, count)} in SI units (radians, metres, m/s, m/s^3; shares as fractions)."""
    pe = position_errors(pred_pos, true_pos)
    re = rotation_errors(pred_quat, true_quat)
    ve = velocity_errors(pred_pos, true_pos, fps)
    jp, jt = jerk(pred_pos, fps), jerk(true_pos, fps)
    head = skeleton.HEAD
    return {
        "MPJRE": (re.sum(), re.size),
        "MPJPE": (pe.sum(), pe.size),
        "MPJVE": (ve.sum(), ve.size),
        "Jitter": (jp.sum(), jp.size),
        "H-PE": (pe[:, head].sum(), pe[:, head].size),
        "U-PE": (pe[:, UPPER].sum(), pe[:, UPPER].size),
        "L-PE": (pe[:, LOWER].sum(), pe[:, LOWER].size),
        "Root-PE": (pe[:, 0].sum(), pe[:, 0].size),
        "GT-Jitter": (jt.sum(), jt.size),
        **foot_sums(pred_pos, true_pos, fps),
    }


def add(total, sums):
    for k, (s, n) in sums.items():
        a = total.setdefault(k, [0.0, 0])
        a[0] += float(s)
        a[1] += int(n)
    return total


def finish(sums):
    """{metric: value in reported units}; None where there were no samples."""
    out = {}
    for k in ORDER:
        s, n = sums.get(k, (0.0, 0))
        out[k] = float(s) / n * METRICS[k][1] if n else None
    return out
