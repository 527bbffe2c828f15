"""Repair, bridge, cut, then refuse: glitches of a capture on the canonical skeleton.

Works at the source rate on the canonical global rotations (F, J, 3, 3) and the hips
position (F, 3) of one clip, in this order (docs/data.md, "Repair, bridge, cut"):

1. `rotation-flip`: a joint whose rotation jumps by a large turn (a 180 degree twist
   about the bone, a sign or Euler flip) and jumps back later, the frames on either
   side agreeing, is turned back over the flipped frames by the jump's own rotation.
   Two ways are tried, the first that removes jumps wins: the joint alone (its
   children keep their orientation: a twist of the femur with the knee bent past
   its limit) or the joint with everything below it (an Euler flip of its angles).
2. `burst-bridged`: a joint's rotation or the hips position jumps and comes back in
   line (a spike) or jumps over a few frames and goes on smoothly (a burst), within
   BRIDGE_MAX_S: the frames in between are interpolated (slerp of the
   local rotation, linear for the hips).
3. `cut`: the clip is cut at every jump left; pieces of at least CUT_MIN_S are kept.
4. What is left is refused with the jump's rule (`rotation-jump`, `root-jump`).

A jump is a local rotation turning faster than ROTATION_JUMP_DEG_S, or the hips
moving faster than ROOT_JUMP_MS, between two source frames.
"""
import numpy as np

from . import rot, skeleton

ROTATION_JUMP_DEG_S = 3000.0   # a joint turning faster than this between two frames: a data glitch
ROOT_JUMP_MS = 12.0            # hips faster than this between two frames: a glitch of the root
FLIP_MIN_DEG = 150.0           # a jump this large that comes back is a flip (a half turn; turned back, not bridged)
FLIP_TAIL_FRACTION = 0.25      # a flip that does not come back is turned back only over this much of the end
BRIDGE_MAX_S = 0.1             # bad frames for at most this long are interpolated
RETURN_FRACTION = 0.5          # ... when the motion comes back at least this far (else it moved on: cut)
CUT_MIN_S = 2.0                # pieces of a cut clip shorter than this are dropped
MAX_REPAIRS = 200              # per clip: past this the clip is no capture with a few glitches


def _subtree(j):
    out = [j]
    for c, p in enumerate(skeleton.PARENTS):
        if p in out:
            out.append(c)
    return out


def local_steps(g, fps):
    """Turn rate (deg/s) of every local rotation between consecutive frames, (F-1, J)."""
    loc = skeleton.local_from_global(g)
    return np.degrees(rot.matrix_angle(loc[:-1], loc[1:])) * fps


def root_steps(root, fps):
    return np.linalg.norm(np.diff(root, axis=0), axis=1) * fps


def _jump_count(g, fps):
    return int((local_steps(g, fps) > ROTATION_JUMP_DEG_S).sum())


def _flip_candidates(g, j, t, e):
    """(angle in degrees, [(mode, fix(h, a, b))]) for joint j turned between frames t and e."""
    d = g[e, j].T @ g[t, j]                    # joint frame: G(e) @ d = G(t)
    sub = _subtree(j)

    def joint_only(h, a, b):
        h[a:b, j] = h[a:b, j] @ d

    def with_subtree(h, a, b):
        w = h[a:b, j] @ d @ np.swapaxes(h[a:b, j], -1, -2)    # world turn of the subtree per frame
        h[a:b][:, sub] = w[:, None] @ h[a:b][:, sub]
    return np.degrees(rot.matrix_angle(np.eye(3), d)), (("joint", joint_only), ("subtree", with_subtree))


def repair_flips(g, fps):
    """Turn back flipped stretches of single joints. Returns (g, notes).

    A flip: a run of jumps of joint j (frames t..e+1, one jump or a few in a row) that turns
    it by at least FLIP_MIN_DEG. The flipped stretch runs from e+1 to the next jump of j (the
    jump back) or, when that is missing and the stretch is at most FLIP_TAIL_FRACTION of the
    clip, to its end. It is taken when turning it back leaves fewer jumps (or, for a tail, no
    more) and brings frame e+1 back within RETURN_FRACTION of the run's turn from frame t; the
    frames inside the run are then a spike for `bridge_bursts`.
    """
    g = np.array(g, dtype=np.float64)
    f = g.shape[0]
    notes = []
    tries = 0
    changed = True
    while changed and tries < MAX_REPAIRS:
        changed = False
        steps = local_steps(g, fps)
        jumps = steps > ROTATION_JUMP_DEG_S
        base = int(jumps.sum())
        loc = skeleton.local_from_global(g)
        for t, j in zip(*np.nonzero(jumps)):
            if t > 0 and jumps[t - 1, j]:
                continue                        # inside a run: tried from its first jump
            e = t + 1
            while e < f - 1 and jumps[e, j]:
                e += 1
            tries += 1
            deg, modes = _flip_candidates(g, j, t, e)
            if deg < FLIP_MIN_DEG:
                continue
            run_turn = np.degrees(rot.matrix_angle(loc[t, j], loc[e, j]))
            later = np.flatnonzero(jumps[e:, j]) + e
            ends = [u + 1 for u in later if not jumps[u - 1, j]]
            if f - e <= FLIP_TAIL_FRACTION * f:
                ends.append(f)
            for mode, fix in modes:
                for b in ends:
                    h = g.copy()
                    fix(h, e, b)
                    hl = skeleton.local_from_global(h[[t, e]])
                    if np.degrees(rot.matrix_angle(hl[0, j], hl[1, j])) > RETURN_FRACTION * run_turn:
                        continue
                    n = _jump_count(h, fps)
                    if n < base or (b == f and n <= base):
                        g = h
                        notes.append(("rotation-flip", "%s flipped by %.0f deg over frames %d-%d (%d frames%s): "
                                      "turned back (%s)" % (skeleton.NAMES[j], deg, e, b - 1, b - e,
                                                            ", to the end" if b == f else "",
                                                            "the joint" if mode == "joint" else "with its subtree")))
                        changed = True
                        break
                if changed:
                    break
            if changed or tries >= MAX_REPAIRS:
                break
    return g, notes


def _bridge_windows(dist, jumps, limit, nmax):
    """Windows (a, b) whose inner frames a+1..b-1 are to be interpolated, one per burst.

    A burst is a run of jumps t..u less than nmax frames apart. Its window grows by one frame on each side
    (at most nmax inner frames) until the interpolation from frame a to frame b turns less
    than `limit` per frame. A single jump is a burst only when it is a spike (the window's
    ends at most RETURN_FRACTION of the jump apart) or barely a jump (at most twice `limit`):
    a larger jump that does not come back is a motion that moved on, left to `pieces` (cut).
    """
    f = len(jumps) + 1
    out, t = [], 0
    while t < f - 1:
        if not jumps[t]:
            t += 1
            continue
        u = t
        while True:                             # jumps less than nmax frames apart: one burst
            nxt = np.flatnonzero(jumps[u + 1:u + nmax])
            if not len(nxt):
                break
            u += 1 + int(nxt[-1])
        big = dist(t, t + 1)
        for k in range(nmax):
            a, b = t - k, u + 1 + k
            if a < 0 or b > f - 1 or b - a - 1 > nmax:
                break
            if b - a < 2:
                continue
            d = dist(a, b)
            if d <= limit * (b - a) and (u > t or big <= 2 * limit or d <= RETURN_FRACTION * big):
                out.append((a, b))
                break
        t = u + 1
    return out


def bridge_bursts(g, root, fps):
    """Interpolate short bursts of bad frames (`_bridge_windows`). Returns (g, root, notes)."""
    g = np.array(g, dtype=np.float64)
    root = np.array(root, dtype=np.float64)
    nmax = max(1, int(round(BRIDGE_MAX_S * fps)))
    notes = []
    loc = skeleton.local_from_global(g)
    lq = rot.quat_continuous(rot.matrix_to_quat(loc), axis=0)
    steps = np.degrees(rot.matrix_angle(loc[:-1], loc[1:])) * fps
    touched = False
    for j in range(skeleton.J):
        for a, b in _bridge_windows(lambda x, y: np.degrees(rot.quat_angle(lq[x, j], lq[y, j])),
                                    steps[:, j] > ROTATION_JUMP_DEG_S, ROTATION_JUMP_DEG_S / fps, nmax):
            lq[a + 1:b, j] = rot.quat_slerp(lq[a, j], lq[b, j], (np.arange(a + 1, b) - a) / (b - a))
            notes.append(("burst-bridged", "%s jumps up to %.0f deg/s: frames %d-%d interpolated"
                          % (skeleton.NAMES[j], steps[a:b, j].max(), a + 1, b - 1)))
            touched = True
    rs = root_steps(root, fps)
    for a, b in _bridge_windows(lambda x, y: np.linalg.norm(root[y] - root[x]), rs > ROOT_JUMP_MS,
                                ROOT_JUMP_MS / fps, nmax):
        w = ((np.arange(a + 1, b) - a) / (b - a))[:, None]
        root[a + 1:b] = (1 - w) * root[a] + w * root[b]
        notes.append(("burst-bridged", "the hips jump up to %.1f m/s: frames %d-%d interpolated"
                      % (rs[a:b].max(), a + 1, b - 1)))
    if touched:
        _, g = skeleton.fk(rot.quat_to_matrix(lq), root, np.zeros((skeleton.J, 3)), local=True)
    return g, root, notes


def pieces(g, root, fps):
    """Frame ranges [a, b) between the jumps left, and the jumps (rule, frame, reason)."""
    f = g.shape[0]
    steps = local_steps(g, fps)
    rs = root_steps(root, fps)
    jumps = []
    for t in range(f - 1):
        if rs[t] > ROOT_JUMP_MS:
            jumps.append(("root-jump", t, "the hips move %.1f m/s between frames %d and %d" % (rs[t], t, t + 1)))
        elif steps[t].max() > ROTATION_JUMP_DEG_S:
            j = int(steps[t].argmax())
            jumps.append(("rotation-jump", t, "%s turns %.0f deg between frames %d and %d (%.0f deg/s)"
                          % (skeleton.NAMES[j], steps[t, j] / fps, t, t + 1, steps[t, j])))
    bounds = [0] + [t + 1 for _, t, _ in jumps] + [f]
    return [(a, b) for a, b in zip(bounds[:-1], bounds[1:]) if b > a], jumps


class Repaired:
    def __init__(self, **kw):
        self.__dict__.update(kw)


def repair(g, root, fps):
    """Flip repair, bridging and cutting of one clip. `pieces` empty = refuse (`refuse` = (rule, reason))."""
    g, notes = repair_flips(g, fps)
    g, root, bridged = bridge_bursts(g, root, fps)
    notes += bridged
    ranges, jumps = pieces(g, root, fps)
    refuse = None
    if jumps:
        kept = [(a, b) for a, b in ranges if (b - a - 1) / fps >= CUT_MIN_S]
        if kept:
            notes.append(("cut", "%d jump(s) left (first: %s): cut into %d piece(s), kept %s (at least %.0f s)"
                          % (len(jumps), jumps[0][2], len(ranges),
                             ", ".join("frames %d-%d" % (a, b - 1) for a, b in kept), CUT_MIN_S)))
        else:
            refuse = (jumps[0][0], "%s; %d jump(s) left after repair, no piece of %.0f s between them"
                      % (jumps[0][2], len(jumps), CUT_MIN_S))
        ranges = kept
    return Repaired(g=g, root=root, pieces=ranges, notes=notes, refuse=refuse)
