"""Training-time augmentation of built clips (docs/data.md, "Augmentation").

Every augmentation works on the motion (local joint rotations, the hips
trajectory and the clip's skeleton offsets) and goes back to joints through
forward kinematics, so bone lengths stay constant over the clip; the device
poses are then synthesised again from the augmented joints with devices.py,
so they stay attached to the body. Each one is switchable and seeded:

* mirror          left-right mirror across the body's sagittal plane (negate X in
                  the heading frame of the first frame), left and right joints
                  swapped, their skeleton offsets mirrored, orientations turned
                  into the mirrored joint frames; devices follow (grips swap)
* scale           body size and proportions: one overall factor and one factor per
                  segment (the same on both sides), standing head height kept
                  inside the adult range; the hips trajectory scales with the leg
                  length and the feet keep their floor contact
* speed           playback speed: time resampled by a factor (faster clips are
                  low-pass filtered first, resample.py)
* heading         a random yaw about +Y through the first frame's hips
* floor           a small constant floor-height offset (the user's floor
                  calibration is off by that much)
* device_noise    devices.augment: offset jitter, controller rotation noise,
                  dropped and frozen tracking (without its body scaling)

`augment(clip, seed, **switches)` applies the switched-on ones in the order
speed, scale, mirror, heading, floor, then the devices, then device noise. Each
augmentation draws from its own random stream derived from the seed, so
switching one off does not change what the others draw. Same seed, same result.
"""
import numpy as np

from . import clipio, devices, resample, rot, skeleton

SWAP = [skeleton.INDEX[n.replace("left_", "right_")] if n.startswith("left_")
        else skeleton.INDEX[n.replace("right_", "left_")] if n.startswith("right_") else j
        for j, n in enumerate(skeleton.NAMES)]
MIRROR = np.diag([-1.0, 1.0, 1.0])

# Segments scaled together (joint whose offset from its parent is the segment), per side.
SEGMENTS = {
    "torso": ["spine", "chest", "neck"],
    "head": ["head"],
    "shoulders": ["left_collar", "right_collar", "left_upper_arm", "right_upper_arm"],
    "upper_arm": ["left_forearm", "right_forearm"],
    "forearm": ["left_hand", "right_hand"],
    "pelvis": ["left_thigh", "right_thigh"],
    "thigh": ["left_shin", "right_shin"],
    "shin": ["left_foot", "right_foot"],
    "foot": ["left_toes", "right_toes"],
}
ADULT_HEAD_HEIGHT_M = (1.30, 1.85)   # head joint of a standing adult about 1.45 .. 2.0 m tall
DEFAULTS = {
    "mirror": 0.5,                   # probability
    "scale": {"overall": (0.9, 1.1), "segment": (0.93, 1.07)},
    "speed": (0.8, 1.25),            # factor range, drawn log-uniformly
    "heading": True,                 # yaw uniform in [-180, 180) degrees
    "floor": 0.02,                   # offset uniform in [-floor, +floor] metres
    "device_noise": {},              # keyword arguments of devices.augment (its defaults)
}
STREAMS = ("mirror", "scale", "speed", "heading", "floor", "device_noise")


class Motion:
    """local_quat (F, 21, 4), root (F, 3), offsets (21, 3), rate_hz."""

    def __init__(self, local_quat, root, offsets, rate_hz=60.0):
        self.local_quat = np.asarray(local_quat, dtype=np.float64)
        self.root = np.asarray(root, dtype=np.float64)
        self.offsets = np.asarray(offsets, dtype=np.float64)
        self.rate_hz = float(rate_hz)

    @property
    def frames(self):
        return len(self.root)

    def joints(self):
        """(global positions (F, 21, 3), global orientations as quaternions (F, 21, 4))."""
        pos, g = skeleton.fk(rot.quat_to_matrix(self.local_quat), self.root, self.offsets, local=True)
        return pos, rot.quat_continuous(rot.matrix_to_quat(g), axis=0)


def motion_of(clip):
    """The motion of a built clip (truth section, skeleton offsets from its metadata)."""
    if not clip.has_truth:
        raise ValueError("augmentation needs a clip with ground truth")
    try:
        offsets = np.asarray(clip.meta["skeleton"]["offsets_m"], dtype=np.float64)
    except (KeyError, TypeError):
        raise ValueError("the clip's metadata has no skeleton.offsets_m")
    g = rot.quat_to_matrix(clip.truth_quat.astype(np.float64))
    loc = skeleton.local_from_global(g)
    return Motion(rot.quat_continuous(rot.matrix_to_quat(loc), axis=0),
                  clip.truth_pos[:, 0].astype(np.float64), offsets, clip.rate_hz)


def heading(glob_hips):
    """Yaw (radians) of the hips' forward (-Z) direction about +Y; 0 = facing -Z."""
    fwd = -np.asarray(glob_hips)[..., :, 2]
    return np.arctan2(-fwd[..., 0], -fwd[..., 2])


def yaw_matrix(yaw):
    c, s = np.cos(yaw), np.sin(yaw)
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


# ---------------------------------------------------------------- the augmentations

def mirror_motion(m):
    """Mirror across the vertical plane through the first frame's hips along its heading.

    Positions p -> S p with S = Y M Y^T (M negates X, Y = the heading yaw), global
    orientations G -> S G M of the other side's joint, offsets o_j -> M o_swap(j).
    In quaternions (x, y, z, w) with a heading of 0: (x, -y, -z, w) of the other side.
    """
    _, gall = skeleton.fk(rot.quat_to_matrix(m.local_quat), m.root, m.offsets, local=True)
    y = yaw_matrix(heading(gall[0, 0]))
    s = y @ MIRROR @ y.T
    c = m.root[0] * np.array([1.0, 0.0, 1.0])
    gm = s @ gall[:, SWAP] @ MIRROR
    loc = skeleton.local_from_global(gm)
    root = (m.root - c) @ s.T + c
    offsets = m.offsets[SWAP] @ MIRROR.T
    return Motion(rot.quat_continuous(rot.matrix_to_quat(loc), axis=0), root, offsets, m.rate_hz)


def segment_factors(rng, overall=(0.9, 1.1), segment=(0.93, 1.07), standing_height=None):
    """Per-joint offset factors (21,): one overall factor times one per segment (both sides alike).

    With standing_height (head joint height of the clip's skeleton) the overall
    factor is drawn so the result stays within ADULT_HEAD_HEIGHT_M.
    """
    lo, hi = overall
    if standing_height:
        lo_a, hi_a = (b / standing_height for b in ADULT_HEAD_HEIGHT_M)
        lo, hi = max(lo, lo_a), min(hi, hi_a)
        if lo > hi:       # the range cannot be reached within `overall`: the nearest adult size
            lo = hi = float(np.clip(1.0, lo_a, hi_a))
    f = np.full(skeleton.J, float(rng.uniform(lo, hi)))
    for seg in sorted(SEGMENTS):
        k = float(rng.uniform(*segment))
        for n in SEGMENTS[seg]:
            f[skeleton.INDEX[n]] *= k
    f[0] = 1.0
    return f


def standing_head_height(offsets):
    rest = skeleton.rest_positions(offsets)
    return float(rest[skeleton.HEAD, 1] - rest[skeleton.FEET, 1].min())


def _leg_length(offsets):
    rest = skeleton.rest_positions(offsets)
    return float(-rest[skeleton.FEET, 1].min())


def scale_body(m, factors):
    """Offsets scaled per joint; the hips trajectory scales with the rest hip height (so strides
    lengthen with the legs) and is then moved vertically so the feet keep their floor contact
    (the 5th percentile of the lowest foot point stays where it was)."""
    factors = np.asarray(factors, dtype=np.float64)
    offsets = m.offsets * factors[:, None]
    k = _leg_length(offsets) / _leg_length(m.offsets)
    root = m.root * k
    out = Motion(m.local_quat, root, offsets, m.rate_hz)
    before = Motion(m.local_quat, m.root, m.offsets, m.rate_hz).joints()[0][:, skeleton.FEET, 1].min(axis=1)
    after = out.joints()[0][:, skeleton.FEET, 1].min(axis=1)
    out.root = root + [0.0, float(np.percentile(before, 5) - np.percentile(after, 5)), 0.0]
    return out


def warp_speed(m, factor):
    """Play the motion `factor` times as fast (> 1: shorter), resampled at the same rate."""
    q, r = resample.resample(m.local_quat, m.root, m.rate_hz * factor, m.rate_hz)
    return Motion(q, r, m.offsets, m.rate_hz)


def turn(m, yaw=0.0, floor=0.0):
    """Turn the whole clip by `yaw` radians about the vertical through the first frame's hips,
    and lift it by `floor` metres."""
    y = yaw_matrix(yaw)
    c = m.root[0] * np.array([1.0, 0.0, 1.0])
    root = (m.root - c) @ y.T + c + [0.0, floor, 0.0]
    q = m.local_quat.copy()
    q[:, 0] = rot.quat_mul(rot.matrix_to_quat(y)[None], q[:, 0])
    return Motion(rot.quat_continuous(q, axis=0), root, m.offsets, m.rate_hz)


# ---------------------------------------------------------------- a whole clip

def to_clip(m, meta=None):
    """A clip with truth from a motion and clean devices synthesised by devices.py."""
    pos, gq = m.joints()
    flags, dpos, dquat = devices.synthesize(gq, pos)
    dquat = rot.quat_continuous(dquat, axis=0)
    time_ns = np.round(np.arange(m.frames) * (1e9 / m.rate_hz)).astype(np.int64)
    meta = dict(meta or {})
    sk = dict(meta.get("skeleton", {}))
    sk["offsets_m"] = np.round(m.offsets, 6).tolist()
    sk["standing_head_height_m"] = round(standing_head_height(m.offsets)
                                         + _contact(meta), 4)
    meta["skeleton"] = sk
    return clipio.Clip(time_ns, flags, dpos, dquat, pos, gq, rate_hz=m.rate_hz, meta=meta)


def _contact(meta):
    """Contact height (the part of standing_head_height_m not in the offsets) of the source clip."""
    sk = meta.get("skeleton", {})
    if "standing_head_height_m" in sk and "offsets_m" in sk:
        return float(sk["standing_head_height_m"]) - standing_head_height(np.asarray(sk["offsets_m"], float))
    return 0.0


def augment(clip, seed, mirror=DEFAULTS["mirror"], scale=DEFAULTS["scale"], speed=DEFAULTS["speed"],
            heading=DEFAULTS["heading"], floor=DEFAULTS["floor"], device_noise=DEFAULTS["device_noise"]):
    """A randomised training copy of a built clip. Pass None/False/0 to switch one off.

    mirror: probability of mirroring; scale: dict(overall=(lo, hi), segment=(lo, hi));
    speed: (lo, hi) factor range (log-uniform); heading: True for a uniform random yaw;
    floor: half-range of the floor offset in metres; device_noise: keyword arguments
    for devices.augment (e.g. {} for its defaults), None for clean devices.
    """
    ss = np.random.SeedSequence(int(seed))
    rngs = dict(zip(STREAMS, (np.random.default_rng(s) for s in ss.spawn(len(STREAMS)))))
    m = motion_of(clip)
    done = {"seed": int(seed)}
    if speed:
        k = float(np.exp(rngs["speed"].uniform(np.log(speed[0]), np.log(speed[1]))))
        m = warp_speed(m, k)
        done["speed"] = round(k, 4)
    if scale:
        f = segment_factors(rngs["scale"], scale.get("overall", (1.0, 1.0)), scale.get("segment", (1.0, 1.0)),
                            standing_head_height(m.offsets) + _contact(clip.meta))
        m = scale_body(m, f)
        done["scale"] = {n: round(float(f[skeleton.INDEX[s[0]]]), 4) for n, s in SEGMENTS.items()}
    if mirror and rngs["mirror"].uniform() < float(mirror):
        m = mirror_motion(m)
        done["mirror"] = True
    yaw = float(rngs["heading"].uniform(-np.pi, np.pi)) if heading else 0.0
    dy = float(rngs["floor"].uniform(-floor, floor)) if floor else 0.0
    if yaw or dy:
        m = turn(m, yaw, dy)
        done.update(yaw_deg=round(float(np.degrees(yaw)), 2), floor_m=round(dy, 4))
    meta = dict(clip.meta)
    meta["augmented"] = done
    out = to_clip(m, meta)
    if device_noise is not None and device_noise is not False:
        kw = dict(device_noise)
        kw["scale_range"] = (1.0, 1.0)            # body size is the `scale` augmentation's job
        out = devices.augment(out, int(rngs["device_noise"].integers(2 ** 31)), **kw)
        out.meta["augmented"]["device_noise"] = True
    return out

