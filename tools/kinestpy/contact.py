"""Foot contact of a clip's joints (docs/metrics.md, "Feet"; docs/model.md, "Contact head").

A foot's points are its ankle (`*_foot`) and toe (`*_toes`) joints. Joints sit
a few centimetres above the sole, by a different amount in every studio, so
the floor the joints stand on is the clip's **contact level**: the median
height of the lowest foot point over the frames where it moves horizontally
slower than STANCE_SPEED (the importer's floor analysis). A foot is in contact
where its lowest point is within CONTACT_HEIGHT of that level and moves
horizontally slower than STANCE_SPEED.
"""
import numpy as np

from . import skeleton

CONTACT_HEIGHT = 0.04       # m above the contact level
STANCE_SPEED = 0.25         # m/s, horizontal
FOOT_POINTS = ((skeleton.INDEX["left_foot"], skeleton.INDEX["left_toes"]),
               (skeleton.INDEX["right_foot"], skeleton.INDEX["right_toes"]))


def horizontal_speed(p, fps):
    """(F, ...) horizontal speed (m/s) of points p (F, ..., 3): central differences, one-sided at the ends."""
    p = np.asarray(p, np.float64)
    if len(p) < 2:
        return np.zeros(p.shape[:-1])
    v = np.gradient(p[..., [0, 2]], axis=0) * fps
    return np.linalg.norm(v, axis=-1)


def lowest_points(pos, fps):
    """Per foot (left, right): height (F, 2) of its lowest point and that point's horizontal
    speed (F, 2), from global joint positions pos (F, 21, 3)."""
    pos = np.asarray(pos, np.float64)
    h = np.empty((len(pos), 2))
    s = np.empty((len(pos), 2))
    for f, pts in enumerate(FOOT_POINTS):
        y = pos[:, pts, 1]
        k = np.argmin(y, axis=1)
        rows = np.arange(len(pos))
        h[:, f] = y[rows, k]
        s[:, f] = horizontal_speed(pos[:, pts], fps)[rows, k]
    return h, s


def contact_level(pos, fps):
    """The clip's contact level (m): median height of the lowest foot point while it rests.
    Falls back to the 10th percentile of the lowest point's height when no foot rests."""
    h, s = lowest_points(pos, fps)
    rest = h[s < STANCE_SPEED]
    return float(np.median(rest)) if rest.size else float(np.percentile(h, 10)) if h.size else 0.0


def labels(pos, fps, level=None):
    """(F, 2) bool: left and right foot in contact. `level` defaults to the clip's own."""
    h, s = lowest_points(pos, fps)
    if level is None:
        level = contact_level(pos, fps)
    return (h - level < CONTACT_HEIGHT) & (s < STANCE_SPEED)
