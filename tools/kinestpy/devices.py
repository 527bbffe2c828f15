"""Device signals synthesised from the canonical skeleton, as a headset and two
controllers report them (docs/data.md, "Device signals").

* head: the OpenXR VIEW pose at the eye centre: head joint position plus
  EYE_OFFSET in the head joint's frame; orientation = the head joint's
  (canonical frames look down -Z with +Y up, like an OpenXR view).
* left / right grip: the OpenXR grip pose: hand joint (wrist) position plus
  GRIP_OFFSET[side] in the hand joint's frame; orientation = hand joint
  orientation times GRIP_ROTATION[side] (see the axes below).

All devices are reported valid and tracked (flags 0xF) unless `augment`
drops or freezes them.
"""
import numpy as np

from . import clipio, rot, skeleton

# Eye centre relative to the head joint, in the head joint's canonical frame (metres):
# 8 cm up, 8 cm forward, from the CMU skeleton's eye joints (head -> eyes (+-3.9, 8.0, 8.0) cm).
EYE_OFFSET = np.array([0.0, 0.08, -0.08])

# Grip centroid relative to the wrist, in the hand joint's frame: 7 cm along the fingers
# (hand frame -X for the left hand, +X for the right one in the T-pose) and 2 cm to the
# palm side (-Y: palms face down in the T-pose).
GRIP_OFFSET = {"left": np.array([-0.07, -0.02, 0.0]), "right": np.array([0.07, -0.02, 0.0])}

# Grip axes in the hand frame (columns = grip X, Y, Z). T-pose hand: palm down, fingers
# along the arm, thumb forward (-Z). Grip -Z runs from the little finger to the thumb
# (= hand -Z), grip +X is normal to the palm: away from the palm for the left hand
# (= hand -Y, palm faces down), into the palm for the right hand (= hand +Y); +Y by the
# right-hand rule. Left: a -90 deg turn about Z, right: +90 deg.
GRIP_ROTATION = {
    "left": np.array([[0.0, 1.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]),
    "right": np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]),
}
DEVICE_JOINTS = (skeleton.HEAD, skeleton.LEFT_HAND, skeleton.RIGHT_HAND)


def device_poses(joint_quat, joint_pos, eye_offset=EYE_OFFSET, grip_offset=GRIP_OFFSET,
                 grip_rotation=GRIP_ROTATION):
    """joint_quat (F, 21, 4) global orientations, joint_pos (F, 21, 3) -> (pos (F, 3, 3), quat (F, 3, 4))."""
    q = np.asarray(joint_quat, dtype=np.float64)
    p = np.asarray(joint_pos, dtype=np.float64)
    f = q.shape[0]
    out_p = np.empty((f, 3, 3))
    out_q = np.empty((f, 3, 4))
    qh = q[:, skeleton.HEAD]
    out_p[:, 0] = p[:, skeleton.HEAD] + rot.quat_rotate(qh, np.broadcast_to(eye_offset, (f, 3)))
    out_q[:, 0] = qh
    for k, (side, j) in enumerate((("left", skeleton.LEFT_HAND), ("right", skeleton.RIGHT_HAND)), 1):
        qj = q[:, j]
        out_p[:, k] = p[:, j] + rot.quat_rotate(qj, np.broadcast_to(grip_offset[side], (f, 3)))
        g = rot.matrix_to_quat(grip_rotation[side])
        out_q[:, k] = rot.quat_mul(qj, np.broadcast_to(g, (f, 4)))
    out_q /= np.linalg.norm(out_q, axis=-1, keepdims=True)
    return out_p, out_q


def synthesize(joint_quat, joint_pos):
    """(flags (F, 3) uint32 = 0xF, pos (F, 3, 3), quat (F, 3, 4)) for clean, always-tracked devices."""
    pos, quat = device_poses(joint_quat, joint_pos)
    flags = np.full((len(pos), 3), clipio.FLAGS_TRACKED, dtype=np.uint32)
    return flags, pos, quat


def describe():
    """The device definition stored in each clip's metadata."""
    return {
        "head": {"joint": "head", "offset_m": EYE_OFFSET.tolist(), "what": "OpenXR VIEW pose at the eye centre"},
        "left_grip": {"joint": "left_hand", "offset_m": GRIP_OFFSET["left"].tolist(),
                      "rotation_xyzw": rot.matrix_to_quat(GRIP_ROTATION["left"]).tolist(),
                      "what": "OpenXR grip pose"},
        "right_grip": {"joint": "right_hand", "offset_m": GRIP_OFFSET["right"].tolist(),
                       "rotation_xyzw": rot.matrix_to_quat(GRIP_ROTATION["right"]).tolist(),
                       "what": "OpenXR grip pose"},
    }


def _random_rotation(rng, sigma_deg, n):
    """n random rotations (quaternions) with axis uniform and angle ~ |N(0, sigma)|."""
    axis = rng.normal(size=(n, 3))
    axis /= np.linalg.norm(axis, axis=1, keepdims=True)
    ang = np.radians(rng.normal(0.0, sigma_deg, size=(n, 1)))
    return np.concatenate([axis * np.sin(ang / 2), np.cos(ang / 2)], axis=1)


def _segments(rng, frames, rate, per_second, min_s, max_s):
    """Random [start, end) frame ranges: a Poisson number of segments of uniform length."""
    n = rng.poisson(per_second * frames / rate)
    out = []
    for _ in range(n):
        length = max(1, int(round(rng.uniform(min_s, max_s) * rate)))
        start = int(rng.integers(0, max(1, frames - 1)))
        out.append((start, min(frames, start + length)))
    return out


def augment(clip, seed, offset_jitter_m=0.01, grip_rotation_deg=5.0, rotation_noise_deg=1.0,
            scale_range=(0.9, 1.1), drop_per_second=0.05, freeze_per_second=0.05,
            gap_seconds=(0.1, 1.0), head_gaps=False):
    """A randomised copy of a clip with ground truth, for training (never used by `data build`).

    * body-size scaling: truth positions (and the device offsets) scaled by one factor
      drawn from scale_range, about the origin (the floor stays at y = 0);
    * offset jitter: eye and grip offsets moved by N(0, offset_jitter_m) per axis, and each
      grip turned by a fixed random rotation (angle ~ N(0, grip_rotation_deg)): how this
      user wears the headset and holds the controllers, fixed for the clip;
    * controller rotation noise: per-frame random rotation, angle ~ N(0, rotation_noise_deg);
    * dropped tracking: segments (Poisson rate drop_per_second, length in gap_seconds) where
      a controller reports flags 0 and the identity pose;
    * frozen tracking: segments where a controller repeats its last pose with flags 0x3
      (valid, not tracked).
    The head is dropped/frozen too only with head_gaps=True. Same seed -> same result.
    """
    if not clip.has_truth:
        raise ValueError("augment needs a clip with ground truth")
    rng = np.random.default_rng(seed)
    f = clip.frames
    scale = float(rng.uniform(*scale_range))
    pos = clip.truth_pos.astype(np.float64) * scale
    quat = clip.truth_quat.astype(np.float64)
    eye = EYE_OFFSET * scale + rng.normal(0, offset_jitter_m, 3)
    grips = {s: GRIP_OFFSET[s] * scale + rng.normal(0, offset_jitter_m, 3) for s in ("left", "right")}
    grot = {s: rot.quat_to_matrix(_random_rotation(rng, grip_rotation_deg, 1)[0]) @ GRIP_ROTATION[s]
            for s in ("left", "right")}
    dpos, dquat = device_poses(quat, pos, eye, grips, grot)
    for k in (1, 2):
        dquat[:, k] = rot.quat_mul(dquat[:, k], _random_rotation(rng, rotation_noise_deg, f))
    flags = np.full((f, 3), clipio.FLAGS_TRACKED, dtype=np.uint32)
    for k in ((0, 1, 2) if head_gaps else (1, 2)):
        for a, b in _segments(rng, f, clip.rate_hz, freeze_per_second, *gap_seconds):
            hold = max(a - 1, 0)
            dpos[a:b, k], dquat[a:b, k] = dpos[hold, k], dquat[hold, k]
            flags[a:b, k] = 0x3
        for a, b in _segments(rng, f, clip.rate_hz, drop_per_second, *gap_seconds):
            dpos[a:b, k], dquat[a:b, k] = 0.0, (0.0, 0.0, 0.0, 1.0)
            flags[a:b, k] = 0
    meta = dict(clip.meta)
    meta["devices_randomised"] = {"seed": int(seed), "scale": scale}
    return clipio.Clip(clip.time_ns, flags, dpos, dquat, pos, quat,
                       clip.pred_pos, clip.pred_quat, clip.rate_hz, meta)
