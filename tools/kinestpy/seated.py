"""Seated play (docs/model.md, "Seated play"): which takes of the shared data sit, where in them
the person sits, and the seated-start test group cut from those parts.

A take is a candidate by its description (CMU's `INDEX.tsv`: sit, seat, chair, ...); the joints
decide. A frame is **seated on a seat** when the hips are at seat level (0.30-0.70 of the standing
hip height: on a chair the hip joint is 0.40-0.55 m up, on the floor under 0.25 m), both thighs
lie within 35 degrees of horizontal (kneeling and squatting hold them steep), the torso is up
(head at least 0.6 of its standing height above the hips) and a foot is on the floor (its lowest
point under 0.15 m). Runs of such frames shorter than 1 s are dropped, gaps under 0.25 s bridged.

The group holds the runs of the takes that both the description and the joints call sitting;
`--all-takes` checks the hips of every take and lists (does not add) those only the joints call
so. Each run becomes a clip that **starts seated**: its first frame is the first seated frame, so an
engine that calibrates from the head meets a seated head first, as a user who starts a session on
a chair. Devices are the built clip's (synthesised from the same joints); times start at 0.

Training holds the group's takes out (`held_out`, by the same `group_takes`): six of the seven are
in cmu's fixed train split.
"""
import csv
import json
import os
import re

import numpy as np

from . import augment, build, clipio, importer, resample, rot, skeleton

KEYWORDS = re.compile(r"\b(sit|sits|sitting|sat|seat|seated|chair|stool|bench|couch|sofa)\b", re.I)
HIPS_SEAT = (0.30, 0.70)          # of the standing hip height
THIGH_MAX_DEG = 35.0              # from horizontal
TORSO_MIN = 0.6                   # head above hips, of its standing value
FOOT_ON_FLOOR_M = 0.15
MIN_RUN_S = 1.0
BRIDGE_S = 0.25
GROUP = "seated"                  # OUT/seated/<data folder>/<take>_<k>.kclip
I = skeleton.INDEX


def index_takes(index_tsv, every=False):
    """[(take, description)] of INDEX.tsv whose description names sitting or a seat (every: all
    takes, for the check of the hips over the whole folder)."""
    with open(index_tsv, encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [(r["take"], r["description"]) for r in rows if every or KEYWORDS.search(r["description"] or "")]


def rest_levels(offsets, standing_head_height):
    """Standing hip height and head-above-hips height of a skeleton (metres)."""
    rest = skeleton.rest_positions(np.asarray(offsets, np.float64))
    head_above_hips = rest[skeleton.HEAD, 1] - rest[0, 1]
    return standing_head_height - head_above_hips, head_above_hips


def thigh_elevation_deg(pos):
    """(F, 2) angle of the left and right thigh bones (hip to knee) from horizontal, degrees."""
    out = []
    for side in ("left", "right"):
        d = pos[:, I[side + "_shin"]] - pos[:, I[side + "_thigh"]]
        s = -d[:, 1] / np.maximum(np.linalg.norm(d, axis=1), 1e-9)
        out.append(np.degrees(np.arcsin(np.clip(s, -1.0, 1.0))))
    return np.stack(out, axis=1)


def seated_frames(pos, offsets, standing_head_height):
    """(F,) bool: the frames seated on a seat (module docstring)."""
    pos = np.asarray(pos, np.float64)
    hip_rest, torso_rest = rest_levels(offsets, standing_head_height)
    hips = pos[:, 0, 1]
    return ((hips >= HIPS_SEAT[0] * hip_rest) & (hips <= HIPS_SEAT[1] * hip_rest)
            & (np.abs(thigh_elevation_deg(pos)).max(axis=1) <= THIGH_MAX_DEG)
            & (pos[:, skeleton.HEAD, 1] - hips >= TORSO_MIN * torso_rest)
            & (pos[:, skeleton.FEET, 1].min(axis=1) <= FOOT_ON_FLOOR_M))


def runs(mask, rate, min_s=MIN_RUN_S, bridge_s=BRIDGE_S):
    """[(start, end)] half-open frame ranges of True, gaps up to bridge_s closed, runs under
    min_s dropped."""
    idx = np.flatnonzero(np.asarray(mask, bool))
    if not len(idx):
        return []
    out = []
    start = prev = int(idx[0])
    for i in idx[1:]:
        if i - prev > bridge_s * rate + 1:
            out.append((start, prev + 1))
            start = int(i)
        prev = int(i)
    out.append((start, prev + 1))
    return [(a, b) for a, b in out if (b - a) >= min_s * rate]


def floor_sitting(pos, offsets, standing_head_height):
    """Share of frames with the hips under the seat band (sitting or lying on the floor)."""
    hip_rest, _ = rest_levels(offsets, standing_head_height)
    return float(np.mean(np.asarray(pos)[:, 0, 1] < HIPS_SEAT[0] * hip_rest))


def cut(clip, start, end, meta_extra):
    """Frames [start, end) of a clip as a clip of its own, times from 0."""
    sl = slice(start, end)
    meta = json.loads(json.dumps(clip.meta))
    meta.update(meta_extra)
    return clipio.Clip(clip.time_ns[sl] - clip.time_ns[start], clip.dev_flags[sl], clip.dev_pos[sl],
                       clip.dev_quat[sl], clip.truth_pos[sl], clip.truth_quat[sl],
                       rate_hz=clip.rate_hz, meta=meta)


def _table_folder(tables, folder):
    """The data folder to choose a mapping table by: `folder` if a table lists it, else the
    folder whose table reads the same skeleton (cmu -> cmu-sample: the same Daz names)."""
    if any(folder in t.get("folders", ()) for t in tables):
        return folder
    return "cmu-sample" if folder == "cmu" else folder


def import_take(data_dir, folder, take, tables=None):
    """One source take through the importer -> (60 Hz clip with truth and devices, joints)."""
    tables = tables or importer.load_tables()
    path = os.path.join(data_dir, folder, take + ".bvh.gz")
    im = importer.import_clip(path, _table_folder(tables, folder), tables)
    from . import split
    try:
        split_name = split.split_of(folder, take)
    except ValueError:
        split_name = None
    return build.make_clip(im, folder, take, split_name, {}, os.path.relpath(path, data_dir))


def examine(clip, pos):
    """What the joints say about a take: its seated runs and the share of floor sitting."""
    sk = clip.meta["skeleton"]
    mask = seated_frames(pos, sk["offsets_m"], sk["standing_head_height_m"])
    r = runs(mask, clip.rate_hz)
    return {"runs": r, "seated_s": round(sum(b - a for a, b in r) / clip.rate_hz, 2),
            "floor_share": round(floor_sitting(pos, sk["offsets_m"], sk["standing_head_height_m"]), 3),
            "hips_m": [round(float(np.median(pos[a:b, 0, 1])), 3) for a, b in r]}


def verdict(ex):
    if ex["runs"]:
        return "seated on a seat"
    if ex["floor_share"] > 0.1:
        return "sits on the floor (hips under the seat band): not a seat"
    return "no seated frames (stands, kneels or squats)"


def candidates(data_dir, folder="cmu", every=False, tables=None):
    """Each take of <folder>/INDEX.tsv whose description names sitting (every: all its takes),
    imported and examined: (take, description, named, clip, examination); clip is None and
    examination the importer's Skip where it refuses the take."""
    tables = tables or importer.load_tables()
    for take, desc in index_takes(os.path.join(data_dir, folder, "INDEX.tsv"), every):
        try:
            clip, pos = import_take(data_dir, folder, take, tables)
        except importer.Skip as e:
            yield take, desc, bool(KEYWORDS.search(desc or "")), None, e
            continue
        yield take, desc, bool(KEYWORDS.search(desc or "")), clip, examine(clip, pos)


def in_group(named, ex):
    """The group's rule: what both the description and the joints call sitting. What only the
    joints call so (squats in a dance, a held crouch) is listed for a look, not scored."""
    return named and bool(ex["runs"])


def group_takes(data_dir, folder="cmu"):
    """{take: split} of the takes the seated-start group is cut from: the one rule that
    build_group writes the group by and that training holds them out by (held_out)."""
    return {take: clip.meta["split"] for take, _, named, clip, ex in candidates(data_dir, folder)
            if clip is not None and in_group(named, ex)}


class SeatedError(Exception):
    pass


def take_of(rel):
    """The source take of a data build's clip path: its name, less the `_part<k>` of a piece the
    build cut from a take."""
    return re.sub(r"_part\d+$", "", os.path.basename(rel)[:-len(".kclip")])


def held_out(index):
    """{path: take} of the clips of a data build (its index.json) that come from the takes the
    seated-start group is cut from (group_takes over the build's source data), whatever their
    split: no training sees them, so that the group scores motion the model has not seen (six of
    its seven takes are in cmu's train split). The group is cut from data folders with an
    INDEX.tsv of descriptions; a build with `cmu` clips needs its source data to tell them."""
    by_folder = {}
    for rel, e in index["clips"].items():
        by_folder.setdefault(e["source"], []).append(rel)
    data = index.get("data")
    out = {}
    for folder, rels in sorted(by_folder.items()):
        if not (data and os.path.isfile(os.path.join(data, folder, "INDEX.tsv"))):
            if folder == "cmu":
                raise SeatedError("%s: cannot tell which cmu clips the seated-start group is cut from (they are "
                                  "held out of training): the build's source data is not there"
                                  % os.path.join(str(data), folder, "INDEX.tsv"))
            continue
        takes = group_takes(data, folder)
        out.update((rel, take_of(rel)) for rel in rels if take_of(rel) in takes)
    return out


def build_group(data_dir, out_dir, folder="cmu", every=False, log=print):
    """Writes OUT/seated/<folder>/<take>_<k>.kclip for every seated run of the sitting takes, and
    OUT/seated/index.json (every candidate, its verdict and runs). The candidates are the takes
    of <folder>/INDEX.tsv whose description names sitting; every: all its takes (a take the
    description does not name but whose joints sit is listed, not added). Returns the index."""
    index = {"rule": {"keywords": KEYWORDS.pattern, "hips_of_standing": HIPS_SEAT,
                      "thigh_max_deg": THIGH_MAX_DEG, "torso_min": TORSO_MIN,
                      "foot_on_floor_m": FOOT_ON_FLOOR_M, "min_run_s": MIN_RUN_S},
             "takes": {}, "clips": {}}
    for take, desc, named, clip, ex in candidates(data_dir, folder, every):
        if clip is None:
            index["takes"][take] = {"description": desc, "verdict": "not imported: %s (%s)" % (ex.rule, ex.reason)}
            continue
        if not named and not ex["runs"]:
            continue
        index["takes"][take] = {"description": desc, "named": named, "split": clip.meta["split"], "verdict": verdict(ex),
                                "seated_s": ex["seated_s"], "floor_share": ex["floor_share"],
                                "runs_s": [[round(a / clip.rate_hz, 2), round(b / clip.rate_hz, 2)]
                                           for a, b in ex["runs"]]}
        for k, ((a, b), hips) in enumerate(zip(ex["runs"], ex["hips_m"]) if in_group(named, ex) else ()):
            rel = os.path.join(GROUP, folder, "%s_%d.kclip" % (take, k))
            seat = {"seated_start": {"take": take, "description": desc, "source_split": clip.meta["split"],
                                     "frames": [a, b], "hips_median_m": hips}}
            dst = os.path.join(out_dir, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            clipio.write(dst, cut(clip, a, b, seat))
            index["clips"][rel] = dict(seat["seated_start"], seconds=round((b - a - 1) / resample.OUT_RATE, 3))
        log("%-8s %-60s %s%s%s" % (take, desc[:60], "" if named else "[by the hips] ", verdict(ex),
                                 " (%d run(s), %.1f s)" % (len(ex["runs"]), ex["seated_s"]) if ex["runs"] else ""))
    os.makedirs(os.path.join(out_dir, GROUP), exist_ok=True)
    with open(os.path.join(out_dir, GROUP, "index.json"), "w", encoding="utf-8") as f:
        json.dump(index, f, indent=1)
    return index


SYNTH_GROUP = "seated-synth"      # OUT/seated-synth/<data folder>/<clip>.kclip


def build_synthetic(build_dir, out_dir, split="test", every=10, seed=0, log=print):
    """Seated copies (sitting.sit) of every `every`-th clip of a data build's split, under
    OUT/seated-synth/<data folder>/: synthetic sitting to score beside the real sitting group, so
    that a model trained with synthetic sitting shows whether it helps the real one too.
    Returns the number of clips written."""
    import json as _json
    from . import sitting
    with open(os.path.join(build_dir, "index.json"), encoding="utf-8") as f:
        clips = sorted(p for p, e in _json.load(f)["clips"].items() if e["split"] == split)
    n = 0
    for k, rel in enumerate(clips[::every]):
        src = clipio.read(os.path.join(build_dir, rel))
        dst = os.path.join(out_dir, SYNTH_GROUP, os.path.relpath(rel, split))
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        clipio.write(dst, sitting.sit(src, seed + k))
        n += 1
    log("%d synthetic seated clips (every %d-th %s clip of %s) under %s"
        % (n, every, split, build_dir, os.path.join(out_dir, SYNTH_GROUP)))
    return n


# ---------------------------------------------------------------- scores of the seated targets

# The targets: MPJPE 40 % below the IK's, hips within 10 cm, feet on the floor.
HIPS_TARGET_CM = 10.0
PENETRATION_TARGET_CM = 1.0


def hips_frame(true_pos):
    """(F, 3, 3): each frame's forward, up and right axes of the true hips' heading (right from
    the left to the right thigh joint, levelled; forward = up x right, -Z when right is +X)."""
    tp = np.asarray(true_pos, np.float64)
    right = tp[:, skeleton.INDEX["right_thigh"]] - tp[:, skeleton.INDEX["left_thigh"]]
    right[:, 1] = 0.0
    right /= np.maximum(np.linalg.norm(right, axis=-1, keepdims=True), 1e-9)
    up = np.broadcast_to([0.0, 1.0, 0.0], right.shape)
    return np.stack([np.cross(up, right), up, right], axis=1)


def pelvis_tilt_deg(quat, true_pos):
    """(F,) forward pitch (degrees; negative: rolled back) of the hips' up axis of global
    orientations `quat` (F, 21, 4), in the true hips' heading frame (hips_frame)."""
    up = rot.quat_rotate(np.asarray(quat, np.float64)[:, 0], np.array([0.0, 1.0, 0.0]))
    fwd, upward, _ = np.einsum("fad,fd->af", hips_frame(true_pos), up)
    return np.degrees(np.arctan2(fwd, upward))


def heading_deg(quat, joint):
    """(F,) heading (degrees about +Y, 0 = facing -Z) of a joint of global orientations `quat`
    (F, 21, 4)."""
    return np.degrees(augment.heading(rot.quat_to_matrix(np.asarray(quat, np.float64)[:, joint])))


def yaw_apart_deg(a, b):
    """|a - b| of two headings in degrees, the short way round (0-180)."""
    return np.abs((np.asarray(a) - np.asarray(b) + 180.0) % 360.0 - 180.0)


def foot_sums(pred_pos, true_pos):
    """{name: (sum, count)}: hips error (m) and its signed parts along the true hips' forward, up
    and right (where a seated body's hips go wrong: behind the seat, above it), how deep the
    lowest predicted foot point goes under the floor y = 0 (m, 0 above it), frames where that is
    over 1 cm, and how far the lowest predicted foot point is from the true one (m, feet
    floating or sunk)."""
    pp = np.asarray(pred_pos, np.float64)
    tp = np.asarray(true_pos, np.float64)
    low_p = pp[:, skeleton.FEET, 1].min(axis=1)
    low_t = tp[:, skeleton.FEET, 1].min(axis=1)
    pen = np.maximum(0.0, -low_p)
    hips_err = pp[:, 0] - tp[:, 0]
    fwd, up, side = np.einsum("fad,fd->af", hips_frame(tp), hips_err)
    n = len(pp)
    return {"Hips": (np.linalg.norm(hips_err, axis=-1).sum(), n), "Hips-fwd": (fwd.sum(), n),
            "Hips-up": (up.sum(), n), "Hips-side": (side.sum(), n), "Pen": (pen.sum(), n),
            "Pen>1cm": (float((pen > PENETRATION_TARGET_CM / 100).sum()), n),
            "Foot-H": (np.abs(low_p - low_t).sum(), n)}


SEATED_COLUMNS = [("MPJPE", "cm", 100.0), ("L-PE", "cm", 100.0), ("U-PE", "cm", 100.0),
                  ("Hips", "cm", 100.0), ("Hips-fwd", "cm", 100.0), ("Hips-up", "cm", 100.0),
                  ("Hips-side", "cm", 100.0), ("Hips-yaw", "deg", 1.0), ("Turn-true", "deg", 1.0),
                  ("Tilt", "deg", 1.0), ("Tilt-true", "deg", 1.0),
                  ("Pen", "cm", 100.0), ("Pen>1cm", "%", 100.0), ("Foot-H", "cm", 100.0)]


def score(truth, pred):
    """Frame-weighted seated scores of prediction clips against a seated group (folders or
    files, as `kinest eval`): {"clips", "frames", column: value}."""
    from . import evaluate, metrics
    total = {}
    clips = frames = 0
    for _, tp, pp in evaluate.pairs(truth, pred):
        tc = clipio.read(tp)
        pc = clipio.read(pp)
        pos, quat, _ = evaluate.prediction_of(pc)
        if pc.frames != tc.frames:
            raise evaluate.EvalError("%s: %d frames, the truth has %d" % (pp, pc.frames, tc.frames))
        own = foot_sums(pos, tc.truth_pos)      # its Pen (under y = 0) is not kinest eval's (under the contact level)
        metrics.add(total, {k: v for k, v in metrics.clip_sums(pos, quat, tc.truth_pos, tc.truth_quat,
                                                                tc.rate_hz).items() if k not in own})
        metrics.add(total, own)
        n = tc.frames
        true_hips = heading_deg(tc.truth_quat, 0)
        metrics.add(total, {"Hips-yaw": (yaw_apart_deg(heading_deg(quat, 0), true_hips).sum(), n),
                            "Turn-true": (yaw_apart_deg(heading_deg(tc.truth_quat, skeleton.HEAD),
                                                        true_hips).sum(), n),
                            "Tilt": (pelvis_tilt_deg(quat, tc.truth_pos).sum(), n),
                            "Tilt-true": (pelvis_tilt_deg(tc.truth_quat, tc.truth_pos).sum(), n)})
        clips += 1
        frames += tc.frames
    out = {"clips": clips, "frames": frames}
    for name, _, factor in SEATED_COLUMNS:
        s, n = total.get(name, (0.0, 0))
        out[name] = float(s) / n * factor if n else None
    return out


def missed_targets(res):
    """The per-body targets a score result misses (hips, feet under the floor), as lines."""
    out = []
    if res["Hips"] is None or res["Hips"] > HIPS_TARGET_CM:
        out.append("hips %.2f cm from the truth (target: within %.0f cm)" % (res["Hips"] or float("nan"), HIPS_TARGET_CM))
    if res["Pen"] is None or res["Pen"] >= PENETRATION_TARGET_CM:
        out.append("feet %.2f cm under the floor (target: under %.0f cm)" % (res["Pen"] or float("nan"),
                                                                             PENETRATION_TARGET_CM))
    return out


def format_scores(rows):
    """rows: [(label, score result)] -> a Markdown table."""
    head = "| | clips | frames | " + " | ".join("%s %s" % (n, u) for n, u, _ in SEATED_COLUMNS) + " |"
    lines = [head, "| --- | ---: | ---: | " + " | ".join("---:" for _ in SEATED_COLUMNS) + " |"]
    for label, r in rows:
        lines.append("| %s | %d | %d | " % (label, r["clips"], r["frames"]) + " | ".join(
            "-" if r.get(n) is None else "%.2f" % r[n] for n, _, _ in SEATED_COLUMNS) + " |")
    return "\n".join(lines)
