"""Seated training clips synthesised from standing ones (docs/model.md, "Seated play").

The shared data holds a few seconds of real sitting (kinestpy.seated); a model that never saw a
seated body serves a short person standing on bent knees. `sit(clip, seed)` turns any built clip
into a seated one:

* the upper body keeps its motion: every local rotation above the hips, and the hips' global
  rotation (turning on the seat, leaning, bowing);
* the pelvis sits on a seat: the hips are fixed at the first frame's place on the floor plan, at
  a drawn height (0.45-0.62 of the standing hip height: the real chair sits of the cmu folder
  put them at 0.47-0.56), so the head moves only as the upper body bends and turns, below it
  and ahead of the seat;
* the legs are solved, not copied: each foot stands flat on the floor (its ankle at the rest
  skeleton's ankle height over the sole) at a fixed place in the hips' heading frame, forward of
  the hip by about the thigh length (drawn: tucked back 8 cm to stretched out 15 cm) and out to
  the side by 0-10 cm; thigh and shin are the two-bone solution with the knee forward and the
  knee's hinge axis level (thighs forward, shins down);
* the pelvis may roll back on the seat and the trunk lean forward (`tilt_deg`, `lean_deg`,
  each drawn per clip; default none), as people sit: the hips' global rotation pitched back about
  the seat's right axis by the tilt, the spine's local rotation turned so that the spine and all
  above it end pitched forward by the lean from where the source had them (`kinest eval --seated`,
  Tilt-true: the real chair sits of the cmu folder roll the pelvis 17 degrees back, the cmu test's
  standing truth holds it 10 forward);
* the seat may face away from where the upper body faces (`twist_deg`, a magnitude drawn per
  clip, its side drawn too; default none), as a seated person looks round while the pelvis stays
  on the seat: the hips' global rotation turned about the vertical, the spine's local rotation
  turned back so that the spine and all above it keep the source's orientation; the seat and the
  legs face the hips' new heading (`kinest eval --seated`, Turn-true: in the real seated takes
  the head looks 64 degrees from the hips on average);
* the devices are synthesised again from the new joints (devices.py), and the clip's skeleton is
  unchanged.

Same seed, same clip. The result is a built clip; `augment.augment` can randomise it further.
"""
import numpy as np

from . import augment, rot, skeleton

DEFAULTS = {"hips": (0.45, 0.62), "shin_forward": (-0.08, 0.15), "spread": (0.0, 0.10), "tilt_deg": (0.0, 0.0),
            "lean_deg": (0.0, 0.0), "twist_deg": (0.0, 0.0)}
I = skeleton.INDEX
LEGS = {side: [I[side + "_" + n] for n in ("thigh", "shin", "foot", "toes")] for side in ("left", "right")}


def _yaw_frames(yaw):
    """(F, 3, 3) rotations about +Y by `yaw` (radians, (F,))."""
    return rot.axis_matrix("Y", np.degrees(yaw))


def pitch_forward(yaw, deg):
    """(F, 3, 3) world rotations pitching forward by `deg` about each frame's heading right axis
    (+X turned by the heading `yaw`, (F, 3, 3); forward is -Z turned, so forward is a negative
    turn about +X); negative: back."""
    return yaw @ rot.axis_matrix("X", -deg) @ np.swapaxes(yaw, -1, -2)


def two_bone(hip, ankle, a, b, bend):
    """Knee (F, 3) of a two-bone chain from hip to ankle (F, 3) with bone lengths a, b, bent
    toward `bend` (F, 3); the ankle is moved toward the hip where it is out of reach. Returns
    (knee, ankle reached)."""
    d_vec = ankle - hip
    d = np.linalg.norm(d_vec, axis=-1, keepdims=True)
    n = d_vec / np.maximum(d, 1e-9)
    d = np.clip(d, abs(a - b) + 1e-4, a + b - 1e-4)
    m = bend - np.sum(bend * n, axis=-1, keepdims=True) * n
    m /= np.maximum(np.linalg.norm(m, axis=-1, keepdims=True), 1e-9)
    cos_a = np.clip((a * a + d * d - b * b) / (2 * a * d), -1.0, 1.0)
    knee = hip + a * (cos_a * n + np.sqrt(1 - cos_a ** 2) * m)
    return knee, hip + d * n


def sit(clip, seed, hips=DEFAULTS["hips"], shin_forward=DEFAULTS["shin_forward"], spread=DEFAULTS["spread"],
        tilt_deg=DEFAULTS["tilt_deg"], lean_deg=DEFAULTS["lean_deg"], twist_deg=DEFAULTS["twist_deg"]):
    """A seated copy of a built clip (module docstring). hips: range of the hip height as a share
    of the standing one; shin_forward: range (m) of the feet forward of under the knees;
    spread: range (m) of the feet out to the side of under the hips; tilt_deg: range (degrees) of
    the pelvis' roll back; lean_deg: range (degrees) of the trunk's forward lean from the spine;
    twist_deg: range (degrees) of the seat's turn from the upper body, to either side."""
    rng = np.random.default_rng(int(seed))
    m = augment.motion_of(clip)
    off = m.offsets
    rest = skeleton.rest_positions(off)
    contact = augment._contact(clip.meta)
    sole = rest[skeleton.FEET, 1].min()
    hip_height = float(rest[0, 1] - sole + contact)
    h = float(rng.uniform(*hips)) * hip_height
    fwd_extra = float(rng.uniform(*shin_forward))
    out = [float(rng.uniform(*spread)) for _ in LEGS]
    # drawn only when asked for: the earlier draws, and so earlier seeds' seats, unchanged
    tilt, lean, twist = (float(rng.uniform(*r)) if any(r) else 0.0 for r in (tilt_deg, lean_deg, twist_deg))
    if twist:
        twist *= float(rng.choice([-1.0, 1.0]))

    pos, gq = m.joints()
    g = rot.quat_to_matrix(gq)
    yaw = _yaw_frames(augment.heading(g[:, 0]))
    local = m.local_quat.copy()
    if tilt or lean or twist:
        g = g.copy()
        g_spine = pitch_forward(yaw, lean) @ g[:, 0] @ rot.quat_to_matrix(local[:, I["spine"]])
        if twist:
            g[:, 0] = rot.axis_matrix("Y", twist) @ g[:, 0]
            yaw = _yaw_frames(augment.heading(g[:, 0]))
        g[:, 0] = pitch_forward(yaw, -tilt) @ g[:, 0]
        local[:, 0] = rot.matrix_to_quat(g[:, 0])
        local[:, I["spine"]] = rot.matrix_to_quat(np.swapaxes(g[:, 0], -1, -2) @ g_spine)
    root = np.broadcast_to([pos[0, 0, 0], h, pos[0, 0, 2]], pos[:, 0].shape).copy()
    right = yaw @ np.array([1.0, 0.0, 0.0])
    fwd = yaw @ np.array([0.0, 0.0, -1.0])
    for (side, (jt, js, jf, jx)), o in zip(LEGS.items(), out):
        a, b = np.linalg.norm(off[js]), np.linalg.norm(off[jf])
        hip = root + g[:, 0] @ off[jt]
        # Where the foot stands, in the heading frame of the seat: under the knee of a level
        # thigh, moved forward and out by the drawn amounts; the ankle at its flat-foot height.
        ankle_y = rest[jf, 1] - sole + contact
        lateral = off[jt, 0] + np.sign(off[jt, 0]) * o
        drop = h + off[jt, 1] - (ankle_y + b)       # hip over knee (negative: knees up)
        ahead = np.sqrt(max(a * a - drop * drop, 0.0)) + fwd_extra
        ankle = root + right * lateral + fwd * ahead
        ankle[:, 1] = ankle_y
        knee, ankle = two_bone(hip, ankle, a, b, fwd + [0.0, 0.5, 0.0])
        # Global frames: each bone aimed at its child, the knee's hinge (rest +X) level and to
        # the right; the foot and toes flat, facing the heading (their rest frames, turned).
        g_thigh = rot.frames_from_two(off[js], knee - hip, [1.0, 0.0, 0.0], right)
        g_shin = rot.frames_from_two(off[jf], ankle - knee, [1.0, 0.0, 0.0], right)
        parent = np.swapaxes(g[:, 0], -1, -2)
        for j, gj in ((jt, g_thigh), (js, g_shin), (jf, yaw), (jx, yaw)):
            local[:, j] = rot.matrix_to_quat(parent @ gj)
            parent = np.swapaxes(gj, -1, -2)
    local = rot.quat_continuous(local, axis=0)
    meta = dict(clip.meta)
    meta["seated_synth"] = {"seed": int(seed), "hips_m": round(h, 4), "shin_forward_m": round(fwd_extra, 4),
                            "spread_m": [round(x, 4) for x in out], "tilt_deg": round(tilt, 2),
                            "lean_deg": round(lean, 2), "twist_deg": round(twist, 2)}
    return augment.to_clip(augment.Motion(local, root, off, m.rate_hz), meta)
