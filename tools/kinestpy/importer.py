"""Source clip -> canonical skeleton, OpenXR coordinates, floor at y = 0.

Driven by the mapping tables in mappings/*.json (see mappings/README.md):
the code knows no source by name. `import_clip` returns an `Imported` with
canonical local rotations (quaternions), the hips position, the clip's
canonical skeleton (rest offsets) and the notes of every rule that fired, or
raises `Skip` naming the rule that refused the clip.
"""
import glob
import json
import os

import numpy as np

from . import asf, bvh, rot, skeleton

MAPPINGS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mappings")

# Rule thresholds (documented in docs/data.md, "Quirks and the rules that catch them").
FK_RESIDUAL_NOTE_M = 0.03      # note clips where merged source joints move a canonical joint this much
REALIGN_MIN_M = 0.001          # a single-child joint whose child lands this far off its source joint is re-aimed
BROKEN_ROOT_M = -0.30          # a foot more than this far under the floor: root height broken
UNEVEN_FLOOR_SPREAD_M = 0.15   # stance contact heights spread more than this: no single floor
FLOOR_TOLERANCE_M = 0.07       # |floor estimate| beyond this: shift the clip to put the floor at 0
FOOT_LEVELS_M = 0.05           # the two feet rest this far apart in height: floor from the lower foot
ROTATION_JUMP_DEG_S = 3000.0   # a joint turning faster than this between two frames: a data glitch
STANCE_SPEED_MS = 0.25         # lowest foot point slower than this = in contact with the floor
ROOT_JUMP_MS = 12.0            # hips faster than this between two frames: a broken root
MIN_SECONDS = 0.5
TPOSE_MAX_DEG = 15.0           # frame 0 this close to the zero pose at every joint: a reference T-pose
TPOSE_BLEND_S = 0.25           # ... and its blend into the motion lies within this time
TPOSE_STEP_DEG = 8.0           # a frame-to-frame change above max(this, 4 x median) is part of that blend
FROZEN_MIN_S = 0.05            # interior runs of identical frames at least this long are reported


class Skip(Exception):
    """The clip is refused; args[0] is the rule id, args[1] the reason."""

    def __init__(self, rule, reason):
        super().__init__(rule, reason)
        self.rule, self.reason = rule, reason

    def __str__(self):
        return "%s: %s" % (self.rule, self.reason)


class Imported:
    def __init__(self, **kw):
        self.__dict__.update(kw)


READERS = {"bvh": bvh.load, "amc": asf.load}   # file extension (without .gz) -> reader
FORMATS = {"bvh": ("bvh",), "asf": ("amc",), "smpl": ("npz",)}   # table `format` -> the file extensions it reads


# ---------------------------------------------------------------- tables

def _signed_axis(s):
    s = s.strip().lower()
    sign = -1.0 if s[0] == "-" else 1.0
    ax = s.lstrip("+-")
    if ax not in ("x", "y", "z"):
        raise ValueError("bad axis %r" % s)
    v = np.zeros(3)
    v["xyz".index(ax)] = sign
    return v


def axes_matrix(axes):
    """Columns = the given signed axes; must be a proper rotation."""
    m = np.stack([_signed_axis(a) for a in axes], axis=1)
    if abs(np.linalg.det(m) - 1.0) > 1e-9:
        raise ValueError("axes %r are not a right-handed rotation" % (axes,))
    return m


def load_tables(directory=MAPPINGS_DIR):
    tables = []
    for path in sorted(glob.glob(os.path.join(directory, "*.json"))):
        with open(path, encoding="utf-8") as f:
            t = json.load(f)
        t["_path"] = path
        missing = [n for n in skeleton.NAMES if n not in t["joints"]]
        if missing:
            raise ValueError("%s: no mapping for canonical joints %s" % (path, missing))
        if t.get("format") not in FORMATS:
            raise ValueError("%s: unknown format %r (known: %s)" % (path, t.get("format"), ", ".join(FORMATS)))
        # world_axes lists the OpenXR axes in source coordinates (columns); _C maps source -> OpenXR
        t["_C"] = axes_matrix(t["world_axes"]).T
        tables.append(t)
    return tables


def table_reads(table, ext):
    """Whether a table's `format` covers files with extension `ext` (bvh, amc)."""
    return ext in FORMATS.get(table["format"], ())


def choose_table(tables, folder, joint_names, ext=None):
    """The first table for this data folder (and file extension) whose required joints are present."""
    names = set(joint_names)
    for t in tables:
        if ext is not None and not table_reads(t, ext):
            continue
        if folder in t["folders"] and all(n in names for n in t["requires"]):
            return t
    return None


# ---------------------------------------------------------------- mapping

def _path_offset(src, a, b):
    """Vector from source joint a to its descendant b in a's local frame, zero pose."""
    v = np.zeros(3)
    j = b
    while j != a:
        if j < 0:
            raise ValueError("%s is not below %s in the source skeleton" % (src.names[b], src.names[a]))
        v = v + np.asarray(src.offsets[j], float)
        j = src.parents[j]
    return v


def _canonical_children(j):
    return [c for c, p in enumerate(skeleton.PARENTS) if p == j]


def _source_point(src, spec):
    """(joint index, local extra offset) of the point a canonical joint sits on."""
    ji = src.index(spec["joint"])
    extra = np.zeros(3)
    if spec.get("end_site"):
        if ji not in src.end_sites:
            raise ValueError("%s has no End Site" % spec["joint"])
        extra = np.asarray(src.end_sites[ji], float)
    if spec.get("along"):
        # a point part of the way along the joint's own bone (to its only child or End Site)
        kids = [k for k, p in enumerate(src.parents) if p == ji]
        if len(kids) == 1 and ji not in src.end_sites:
            bone = np.asarray(src.offsets[kids[0]], float)
        elif not kids and ji in src.end_sites:
            bone = np.asarray(src.end_sites[ji], float)
        else:
            raise ValueError("%s: `along` needs a joint with exactly one child or an End Site" % spec["joint"])
        extra = extra + float(spec["along"]) * bone
    return ji, extra


def rest_frames(src, table):
    """B[j] (3x3) for every canonical joint: canonical axes in source-local coordinates."""
    out = np.empty((skeleton.J, 3, 3))
    for j, name in enumerate(skeleton.NAMES):
        spec = table["joints"][name]
        rest = spec.get("rest", table.get("default_rest"))
        if rest is None:
            raise ValueError("%s: no rest rule for %s" % (table["source"], name))
        b0 = axes_matrix(rest["axes"])
        aim = rest.get("aim")
        if aim:
            if aim["from"] == "child":
                kids = _canonical_children(j)
                if len(kids) != 1:
                    raise ValueError("%s: aim from child needs exactly one canonical child" % name)
                ji, extra = _source_point(src, spec)
                ci, cextra = _source_point(src, table["joints"][skeleton.NAMES[kids[0]]])
                o = _path_offset(src, ji, ci) + cextra - extra
            else:
                o = _signed_axis(aim["from"])
            d = b0.T @ o
            r = rot.rotation_between(d, np.asarray(aim["to"], float))
            b0 = b0 @ r.T
        out[j] = b0
    return out


def unit_m(src, table):
    """Metres per source length unit: the table's `unit_m` over the file's own length unit
    (ASF `:units length`, 1 for BVH)."""
    return table["unit_m"] / getattr(src, "length_unit", 1.0)


def canonical_offsets(src, table, frames_b):
    """Rest bone offsets (J, 3), metres, each in its parent's canonical frame."""
    offs = np.zeros((skeleton.J, 3))
    for j, p in enumerate(skeleton.PARENTS):
        if p < 0:
            continue
        ji, extra = _source_point(src, table["joints"][skeleton.NAMES[j]])
        pi, pextra = _source_point(src, table["joints"][skeleton.NAMES[p]])
        o = _path_offset(src, pi, ji) + extra - pextra
        offs[j] = unit_m(src, table) * (frames_b[p].T @ o)
    return offs


def realign_merged(glob_r, root, offsets, src_pos):
    """Re-aim single-child bones at their child's source position (rule `fk-residual`).

    Where a canonical bone skips a rotating source joint (HDM05: upperback inside the
    spine bone, upperneck inside the neck bone), forward kinematics over the fixed canonical
    offsets puts the child off its source joint. A canonical joint with exactly one
    child whose child lands more than REALIGN_MIN_M off is turned, per frame, by the
    smallest rotation that points its bone at the child's source position; the
    error left at the child is then only the difference in distance. Joints with
    several children (hips, chest) and leaf joints (head, hands: the device
    joints, toes) keep their source orientation. Returns (global rotations,
    positions, [(joint, largest turn in degrees)]).
    """
    g = np.array(glob_r, dtype=np.float64)
    f = g.shape[0]
    pos = np.empty((f, skeleton.J, 3))
    turned = []
    for j, p in enumerate(skeleton.PARENTS):
        pos[:, j] = root if p < 0 else pos[:, p] + g[:, p] @ offsets[j]
        kids = _canonical_children(j)
        if len(kids) != 1:
            continue
        c = kids[0]
        have = g[:, j] @ offsets[c]
        want = src_pos[:, c] - pos[:, j]
        if np.max(np.linalg.norm(pos[:, j] + have - src_pos[:, c], axis=-1)) <= REALIGN_MIN_M:
            continue
        r = rot.rotations_between(have, want)
        g[:, j] = r @ g[:, j]
        deg = float(np.degrees(rot.matrix_angle(np.eye(3), r)).max())
        if deg >= 0.5:
            turned.append((skeleton.NAMES[j], deg))
    return g, pos, turned


# ---------------------------------------------------------------- rules

def _reference_tpose_frames(src, fps):
    """Number of leading frames that are a reference T-pose and its blend into the motion.

    Frame 0 is a reference T-pose when every joint is within TPOSE_MAX_DEG of the
    zero pose and the next frame-to-frame change is an artefact (faster than
    max(TPOSE_STEP_DEG, 4 x the clip's median change)); the blend ends after the
    last such change within the first TPOSE_BLEND_S seconds.
    """
    if src.frames < 4:
        return 0
    rots, _ = src.local_transforms()
    zero = np.degrees(rot.matrix_angle(np.eye(3), rots[0])).max()
    if zero > TPOSE_MAX_DEG:
        return 0
    step = np.degrees(rot.matrix_angle(rots[:-1], rots[1:])).max(axis=1)
    thr = max(TPOSE_STEP_DEG, 4.0 * float(np.median(step)))
    if step[0] <= thr:
        return 0
    head = np.nonzero(step[:max(1, int(round(TPOSE_BLEND_S * fps)))] > thr)[0]
    return int(head[-1]) + 1


def _frozen_runs(motion):
    """(start, length) of runs of frames identical to the frame before them."""
    same = np.all(motion[1:] == motion[:-1], axis=1)
    runs, i = [], 0
    while i < len(same):
        if same[i]:
            j = i
            while j < len(same) and same[j]:
                j += 1
            runs.append((i, j - i + 1))
            i = j
        else:
            i += 1
    return runs


def _position_channel_notes(src, table):
    """Joints with position channels take their translation from the channels (BVH rule).

    The joint the canonical hips map to carries the root motion: a header OFFSET that
    disagrees with its channels (Bandai's Hips) is reported and ignored. Any other joint
    must keep its channels equal to its OFFSET, or its bone would stretch.
    """
    notes, unit = [], unit_m(src, table)
    hips = table["joints"]["hips"]["joint"]
    for ji, ((a, _), ch) in enumerate(zip(src.channel_slices(), src.channels)):
        cols = {c[0].upper(): a + k for k, c in enumerate(ch) if c.lower().endswith("position")}
        if len(cols) != 3 or src.parents[ji] < 0:
            continue
        vals = src.motion[:, [cols["X"], cols["Y"], cols["Z"]]]
        off = np.asarray(src.offsets[ji], float)
        if src.names[ji] == hips:
            if np.linalg.norm(off - vals[0]) * unit > 0.01:
                notes.append(("root-offset", "%s OFFSET (%.1f, %.1f, %.1f) ignored: its position "
                              "channels carry the root motion" % ((src.names[ji],) + tuple(off))))
        else:
            dev = float(np.max(np.abs(vals - off))) * unit
            if dev > 0.001:
                notes.append(("position-channels", "%s position channels differ from its OFFSET by "
                              "up to %.1f mm (canonical bones use the OFFSET)" % (src.names[ji], dev * 1000)))
    return notes


def _lowest_point(pos, joints, rate):
    """Height of the lowest of `joints` per frame, and whether it rests (speed < STANCE_SPEED_MS)."""
    feet = pos[:, joints, :]
    k = np.argmin(feet[:, :, 1], axis=1)
    c = feet[np.arange(len(feet)), k, 1]
    if len(c) > 2:
        # speed of the lowest point, central differences of the chosen joint
        nxt = feet[np.minimum(np.arange(len(feet)) + 1, len(feet) - 1), k]
        prv = feet[np.maximum(np.arange(len(feet)) - 1, 0), k]
        speed = np.linalg.norm(nxt - prv, axis=1) * rate / 2.0
        stance = speed < STANCE_SPEED_MS
    else:
        stance = np.ones(len(c), bool)
    return c, stance


def floor_analysis(pos, rate, contact_height):
    """Per-frame lowest foot point and its stance statistics (metres).

    `left_rest` / `right_rest`: median height of each foot's lowest point while it
    rests (None when it rests in fewer than 5% of the frames); rule `foot-levels`.
    """
    c, stance = _lowest_point(pos, skeleton.FEET, rate)
    if stance.sum() < max(3, 0.05 * len(c)):
        stance = c <= np.percentile(c, 20)
    cs = c[stance]
    out = {
        "min": float(c.min()),
        "floor": float(np.median(cs)) - contact_height,
        "spread": float(np.percentile(cs, 90) - np.percentile(cs, 10)),
        "stance_fraction": float(stance.mean()),
    }
    for side in ("left", "right"):
        h, st = _lowest_point(pos, [skeleton.INDEX[side + "_foot"], skeleton.INDEX[side + "_toes"]], rate)
        out[side + "_rest"] = float(np.median(h[st])) if st.sum() >= max(3, 0.05 * len(h)) else None
    return out


# ---------------------------------------------------------------- import

def format_of(path):
    """Reader name for a source file: its extension without .gz (bvh, amc, ...)."""
    base = os.path.basename(path)
    if base.endswith(".gz"):
        base = base[:-3]
    return base.rsplit(".", 1)[-1].lower()


def import_clip(path, folder, tables, reader=None):
    """Import one source clip. Raises Skip for clips a rule refuses. `reader` replaces
    the file extension's reader (AMASS motions: amass.load with the user's body model)."""
    notes = []
    fmt = format_of(path)
    if reader is None and fmt not in READERS:
        raise Skip("format", "no reader for .%s files" % fmt)
    try:
        src = (reader or READERS[fmt])(path)
    except (bvh.BvhError, asf.AsfError, OSError, EOFError, UnicodeDecodeError, ValueError) as e:
        raise Skip("unreadable", str(e))
    table = choose_table(tables, folder, src.names, fmt)
    if table is None:
        raise Skip("skeleton", "no mapping table fits joints %s..." % ", ".join(src.names[:6]))
    if table.get("quirk"):
        notes.append(("skeleton-variant", table["quirk"]))
    if src.frame_time is None:          # AMC files carry no frame rate: the table gives it
        if not table.get("fps"):
            raise Skip("unreadable", "the file gives no frame rate and table %s has no `fps`" % table["source"])
        src.frame_time = 1.0 / float(table["fps"])
    fps = 1.0 / src.frame_time
    nominal = float(round(fps))
    if abs(fps - nominal) < 0.002 * nominal:
        fps = nominal
    notes += _position_channel_notes(src, table)
    n = _reference_tpose_frames(src, fps)
    if n:
        notes.append(("reference-tpose", "frame 0 is a reference T-pose blending into the motion "
                      "over %d frames: %d leading frames dropped" % (n - 1, n)))
        src.motion = src.motion[n:]
    runs = _frozen_runs(src.motion)
    if runs and runs[0][0] == 0:
        notes.append(("frozen-frames", "the first %d frames are identical (no data): dropped" % runs[0][1]))
        src.motion = src.motion[runs[0][1]:]
        runs = _frozen_runs(src.motion)
    if runs and runs[-1][0] + runs[-1][1] == src.frames:
        notes.append(("frozen-frames", "the last %d frames are identical (no data): dropped" % runs[-1][1]))
        src.motion = src.motion[:src.frames - runs[-1][1] + 1]
        runs = runs[:-1]
    long_runs = [r for r in runs if r[1] >= max(3, FROZEN_MIN_S * fps)]
    if long_runs:
        notes.append(("frozen-frames", "%d interior run(s) of identical frames, longest %d frames "
                      "at frame %d (kept)" % (len(long_runs), max(r[1] for r in long_runs),
                                              max(long_runs, key=lambda r: r[1])[0])))
    if src.frames / fps < MIN_SECONDS:
        raise Skip("too-short", "%d frames (%.2f s)" % (src.frames, src.frames / fps))

    g_r, g_p = src.fk()
    C, s = table["_C"], unit_m(src, table)
    B = rest_frames(src, table)
    offsets = canonical_offsets(src, table, B)
    f = src.frames
    glob_r = np.empty((f, skeleton.J, 3, 3))
    src_pos = np.empty((f, skeleton.J, 3))
    for j, name in enumerate(skeleton.NAMES):
        ji, extra = _source_point(src, table["joints"][name])
        glob_r[:, j] = C @ g_r[:, ji] @ B[j]
        p = g_p[:, ji] + (g_r[:, ji] @ extra if extra.any() else 0.0)
        src_pos[:, j] = s * (p @ C.T)
    root = src_pos[:, 0].copy()
    glob_r, pos, turned = realign_merged(glob_r, root, offsets, src_pos)
    err = np.max(np.linalg.norm(pos - src_pos, axis=-1), axis=0)
    resid = float(err.max())
    if resid > FK_RESIDUAL_NOTE_M:
        order = np.argsort(-err)
        notes.append(("fk-residual", "merged source joints move %s up to %.1f cm away from its source "
                      "joint (%s)%s" % (skeleton.NAMES[order[0]], resid * 100,
                                        ", ".join("%s %.1f" % (skeleton.NAMES[k], err[k] * 100)
                                                  for k in (skeleton.HEAD, skeleton.LEFT_HAND, skeleton.RIGHT_HAND)),
                                        "; re-aimed: " + ", ".join("%s up to %.0f deg" % t for t in turned)
                                        if turned else "")))

    step = np.linalg.norm(np.diff(root, axis=0), axis=1) * fps
    if len(step) and step.max() > ROOT_JUMP_MS:
        raise Skip("root-jump", "the hips move %.1f m/s between frames %d and %d"
                   % (step.max(), int(step.argmax()), int(step.argmax()) + 1))
    fl = floor_analysis(pos, fps, table.get("contact_height_m", 0.0))
    if fl["min"] < BROKEN_ROOT_M:
        raise Skip("broken-root", "feet go %.2f m under the floor (root height broken)" % fl["min"])
    if fl["spread"] > UNEVEN_FLOOR_SPREAD_M:
        raise Skip("uneven-floor", "feet rest at heights spreading %.2f m: no single floor"
                   % fl["spread"])
    lv, rv = fl["left_rest"], fl["right_rest"]
    if lv is not None and rv is not None and abs(lv - rv) > FOOT_LEVELS_M:
        fl["floor"] = min(lv, rv) - table.get("contact_height_m", 0.0)
        notes.append(("foot-levels", "the feet rest at different heights (left %.3f m, right %.3f m): "
                      "the floor is taken from the lower foot" % (lv, rv)))
    shift = 0.0
    if abs(fl["floor"]) > FLOOR_TOLERANCE_M:
        shift = -fl["floor"]
        notes.append(("floor-offset", "floor found at y = %+.3f m: clip moved by %+.3f m"
                      % (fl["floor"], shift)))
        root[:, 1] += shift
    loc = skeleton.local_from_global(glob_r)
    if f > 1:
        turn = np.degrees(rot.matrix_angle(loc[:-1], loc[1:])) * fps          # (F-1, J) deg/s
        k, j = np.unravel_index(int(np.argmax(turn)), turn.shape)
        if turn[k, j] > ROTATION_JUMP_DEG_S:
            raise Skip("rotation-jump", "%s turns %.0f deg between frames %d and %d (%.0f deg/s; %d joint-frames "
                       "above %.0f deg/s)" % (skeleton.NAMES[j], turn[k, j] / fps, k, k + 1, turn[k, j],
                                              int((turn > ROTATION_JUMP_DEG_S).sum()), ROTATION_JUMP_DEG_S))
    rest = skeleton.rest_positions(offsets)
    standing = float(rest[skeleton.HEAD, 1] - rest[skeleton.FEET, 1].min()) + table.get("contact_height_m", 0.0)
    return Imported(
        standing_height=standing, source_frames=f,
        local_quat=rot.quat_continuous(rot.matrix_to_quat(loc), axis=0),
        root=root, offsets=offsets, fps=fps, frames=f, notes=notes,
        table=table["source"], source_names=src.names, floor=fl, floor_shift=shift,
        fk_residual=resid, reaimed=turned)
