"""The canonical 21-joint skeleton (docs/formats.md) and forward kinematics.

Rest pose: a T-pose facing -Z (OpenXR forward), +Y up, arms along -X (left)
and +X (right); in it every joint frame is aligned with the world axes, so a
joint's global orientation is the rotation from that rest frame. A clip's
skeleton is the list of rest bone offsets: offsets[j] is the position of
joint j relative to its parent, in the parent's (canonical) frame, metres.
"""
import numpy as np

from . import rot

NAMES = [
    "hips", "spine", "chest", "neck", "head",
    "left_collar", "left_upper_arm", "left_forearm", "left_hand",
    "right_collar", "right_upper_arm", "right_forearm", "right_hand",
    "left_thigh", "left_shin", "left_foot", "left_toes",
    "right_thigh", "right_shin", "right_foot", "right_toes",
]
PARENTS = [-1, 0, 1, 2, 3, 2, 5, 6, 7, 2, 9, 10, 11, 0, 13, 14, 15, 0, 17, 18, 19]
J = len(NAMES)
INDEX = {n: i for i, n in enumerate(NAMES)}

HEAD, LEFT_HAND, RIGHT_HAND = INDEX["head"], INDEX["left_hand"], INDEX["right_hand"]
FEET = [INDEX[n] for n in ("left_foot", "left_toes", "right_foot", "right_toes")]

# Bones whose rest direction is fixed by the canonical T-pose (child joint ->
# direction of the offset from its parent); used to check imported skeletons.
REST_DIRECTIONS = {
    "spine": (0, 1, 0), "chest": (0, 1, 0), "neck": (0, 1, 0), "head": (0, 1, 0),
    "left_forearm": (-1, 0, 0), "left_hand": (-1, 0, 0),
    "right_forearm": (1, 0, 0), "right_hand": (1, 0, 0),
    "left_shin": (0, -1, 0), "left_foot": (0, -1, 0),
    "right_shin": (0, -1, 0), "right_foot": (0, -1, 0),
}


def fk(glob_rot_or_local, root_pos, offsets, local=False):
    """Positions of every joint.

    With local=False (default) the first argument holds global rotation
    matrices (F, J, 3, 3): position_j = position_parent + R_parent @ offset_j.
    With local=True it holds local rotations and the global rotations are
    returned too. root_pos: (F, 3); offsets: (J, 3).
    """
    r = np.asarray(glob_rot_or_local, dtype=np.float64)
    offsets = np.asarray(offsets, dtype=np.float64)
    f = r.shape[0]
    g = np.empty_like(r) if local else r
    pos = np.empty((f, J, 3))
    for j, p in enumerate(PARENTS):
        if p < 0:
            if local:
                g[:, j] = r[:, j]
            pos[:, j] = root_pos
        else:
            if local:
                g[:, j] = g[:, p] @ r[:, j]
            pos[:, j] = pos[:, p] + g[:, p] @ offsets[j]
    return (pos, g) if local else pos


def local_from_global(glob_rot):
    """Local rotations (F, J, 3, 3): parent^T @ child; the root keeps its global rotation."""
    g = np.asarray(glob_rot, dtype=np.float64)
    loc = np.empty_like(g)
    for j, p in enumerate(PARENTS):
        loc[:, j] = g[:, j] if p < 0 else np.swapaxes(g[:, p], -1, -2) @ g[:, j]
    return loc


def bone_lengths(pos):
    """(F, J) distance of each joint to its parent (0 for the root)."""
    out = np.zeros(pos.shape[:-1])
    for j, p in enumerate(PARENTS):
        if p >= 0:
            out[..., j] = np.linalg.norm(pos[..., j, :] - pos[..., p, :], axis=-1)
    return out


def rest_positions(offsets):
    """Joint positions of the rest T-pose with the hips at the origin (J, 3)."""
    pos = fk(np.broadcast_to(np.eye(3), (1, J, 3, 3)), np.zeros((1, 3)), offsets)
    return pos[0]


def quats_from_matrices(m):
    return rot.matrix_to_quat(m)
