"""Feet that stand: the engine's body stage 5 (src/body/feet.c, limbs.c) in Python, so that
`kinest predict --feet` and `kinest-run --body feet` compute the same body (docs/engine.md, "Feet").

A foot in contact (the model's contact logit > 0; weights without a contact head plant no
foot) stays where it was put down, its leg re-solved by two-bone IK (knee keeping its side, foot its orientation);
a planted foot whose prediction drifts more than MAX_SLIP away is let go; a let-go foot's
correction fades over RELEASE_TICKS along a smoothstep; then no foot joint goes below the sole height
(a leg that would is bent, what it cannot take up lifts the body).
The engine's bound on a knee's bend while a new skeleton settles (src/body/hinges.c) has no
counterpart here: predict runs on one skeleton throughout, where the engine's solves are free.
"""
import numpy as np

from . import skeleton

MAX_SLIP = 0.30
RELEASE_TICKS = 12
SETTLE = 0.3
FLOOR_SLACK = 1e-4
THIGHS = (skeleton.INDEX["left_thigh"], skeleton.INDEX["right_thigh"])


def _normalize(v):
    return v / np.linalg.norm(v)


def _ortho(v):
    """cglm's glm_vec3_ortho: a vector perpendicular to v."""
    f = np.modf(abs(v[0]) + 0.5)[0]
    return np.array([-v[1], v[0] - f * v[2], f * v[1]])


def _frame(along, axis):
    x = _normalize(along)
    y = axis - x * np.dot(x, axis)
    if np.linalg.norm(y) < 1e-6:
        y = _ortho(x)
    y = _normalize(y)
    return np.stack([x, y, np.cross(x, y)], axis=1)          # columns


def two_bone(upper, lower, bend, root, target, pole):
    """kn_two_bone_solve: (global rotation of the root joint, of the middle joint, middle, end)."""
    l1, l2 = np.linalg.norm(upper), np.linalg.norm(lower)
    rest_axis = np.cross(bend, upper)
    if np.linalg.norm(rest_axis) < 1e-9:
        rest_axis = _ortho(upper)
    rest_axis = _normalize(rest_axis)
    to_target = target - root
    d = np.linalg.norm(to_target)
    if not (d > 1e-6) or not np.isfinite(d):
        direction, d = _normalize(upper), 0.0
    else:
        direction = to_target / d
    dc = min(max(d, abs(l1 - l2)), l1 + l2)
    perp = pole - direction * np.dot(direction, pole)
    if np.linalg.norm(perp) < 1e-5 * max(1.0, np.linalg.norm(pole)):
        perp = bend - direction * np.dot(direction, bend)
        if np.linalg.norm(perp) < 1e-6:
            perp = _ortho(direction)
    perp = _normalize(perp)
    a = (l1 * l1 - l2 * l2 + dc * dc) / (2.0 * dc) if dc > 0 else 0.0
    h = np.sqrt(max(0.0, l1 * l1 - a * a))
    middle = root + direction * a + perp * h
    end = root + direction * dc
    axis = _normalize(np.cross(perp, direction))
    r_upper = _frame(middle - root, axis) @ _frame(upper, rest_axis).T
    v = end - middle
    r_lower = r_upper if np.linalg.norm(v) < 1e-9 else _frame(v, axis) @ _frame(lower, rest_axis).T
    if l2 <= 0:
        end = middle
    return r_upper, r_lower, middle, end


def place_foot(offsets, side, target, rot, pos):
    """kn_body_place_foot on global rotations rot (21, 3, 3) and positions pos (21, 3), in place."""
    thigh = THIGHS[side]
    shin, foot, toes = thigh + 1, thigh + 2, thigh + 3
    bend = np.array([0.0, 0.0, -1.0])                     # knees bend forward
    forward = rot[thigh] @ bend
    line, off = pos[foot] - pos[thigh], pos[shin] - pos[thigh]
    pole = off.copy()
    len2 = np.dot(line, line)
    if len2 > 1e-12:
        pole -= line * (np.dot(off, line) / len2)
    if np.linalg.norm(pole) < 1e-4:
        pole = forward
    rot[thigh], rot[shin], pos[shin], pos[foot] = two_bone(offsets[shin], offsets[foot], bend, pos[thigh],
                                                           np.asarray(target, np.float64), pole)
    pos[toes] = pos[foot] + rot[foot] @ offsets[toes]


def sole_height(offsets, standing_head_height):
    """kn_feet_sole_height: the lowest foot joint's height when the sole is on the floor."""
    rest = skeleton.rest_positions(np.asarray(offsets, np.float64))
    return float(rest[skeleton.FEET, 1].min() - (rest[skeleton.HEAD, 1] - standing_head_height))


def keep_above_floor(offsets, sole, rot, pos):
    """kn_body_keep_feet_above_floor with the sole height; returns the whole-body lift."""
    for side in (0, 1):
        foot = THIGHS[side] + 2
        low = min(pos[foot, 1], pos[foot + 1, 1]) - sole
        if low < -FLOOR_SLACK:
            target = pos[foot].copy()
            target[1] -= low
            place_foot(offsets, side, target, rot, pos)
    low = pos[skeleton.FEET, 1].min() - sole
    if not low < -FLOOR_SLACK:
        return 0.0
    pos[:, 1] -= low
    return -low


class Feet:
    """kn_feet: the state of both feet between ticks."""

    def __init__(self):
        self.planted = [False, False]
        self.anchor = np.zeros((2, 3))
        self.correction = np.zeros((2, 3))
        self.released = np.zeros((2, 3))
        self.since_release = [0, 0]

    def plant(self, offsets, sole, logits, rot, pos):
        """One tick (kn_feet_plant), in place; logits (2,) or None (no foot planted). Returns the
        planted flags."""
        for side in (0, 1):
            foot = THIGHS[side] + 2
            ankle = pos[foot].copy()
            low = (pos[foot] if pos[foot, 1] <= pos[foot + 1, 1] else pos[foot + 1]).copy()
            touching = logits is not None and logits[side] > 0
            if touching and not self.planted[side]:
                self.anchor[side] = ankle + self.correction[side]
                self.planted[side] = True
            if touching:
                self.anchor[side, 1] += SETTLE * (ankle[1] - (low[1] - sole) - self.anchor[side, 1])
            if not touching or np.hypot(*(ankle - self.anchor[side])[[0, 2]]) > MAX_SLIP:
                self.planted[side] = False
            if self.planted[side]:
                self.correction[side] = self.anchor[side] - ankle
                self.released[side] = self.correction[side]
                self.since_release[side] = 0
            elif self.since_release[side] < RELEASE_TICKS:
                self.since_release[side] += 1
                u = self.since_release[side] / RELEASE_TICKS
                self.correction[side] = self.released[side] * (1.0 - u * u * (3.0 - 2.0 * u))
            else:
                self.correction[side] = 0.0
            if np.dot(self.correction[side], self.correction[side]) < 1e-12:
                self.correction[side] = 0.0
                continue
            place_foot(offsets, side, ankle + self.correction[side], rot, pos)
        return list(self.planted)


def stand(rot, pos, offsets, standing_head_height, logits=None, head_valid=None):
    """Stage 5 over a clip: rot (T, 21, 3, 3), pos (T, 21, 3) global joints hung from the head;
    logits (T, 2) or None. Returns new (rot, pos) arrays (float64)."""
    rot, pos = np.array(rot, np.float64), np.array(pos, np.float64)
    offsets = np.asarray(offsets, np.float64)
    sole = sole_height(offsets, standing_head_height)
    feet = Feet()
    for t in range(len(pos)):
        if head_valid is not None and not head_valid[t]:
            feet = Feet()
        else:
            feet.plant(offsets, sole, None if logits is None else logits[t], rot[t], pos[t])
        keep_above_floor(offsets, sole, rot[t], pos[t])
    return rot, pos
