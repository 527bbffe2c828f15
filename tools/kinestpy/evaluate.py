"""`kinest eval`: score predicted clips against ground-truth clips.

--truth and --pred are each a .kclip file or a directory of them (searched
recursively, matched by path relative to the directory). The truth comes from
each truth clip's truth section (HAS_TRUTH). The prediction comes from the
prediction clip's prediction section (HAS_PRED) when it has one, otherwise from
its truth section (a plain clip whose joints are the prediction, e.g. another
importer or a baseline that writes ordinary clips). Truth and prediction must
have the same frame times.

With active_only, only the frames for which the prediction clip says a body
was served are scored: its metadata's `prediction.inactive` ranges (written by
kinest-probe and kinest-run; those frames hold another frame's body) are left
out, and each run of frames between them is scored as a clip of its own.
"""
import json
import os

import numpy as np

from . import clipio, metrics


class EvalError(Exception):
    pass


def _collect(path):
    if os.path.isfile(path):
        return {os.path.basename(path): path}, True
    if os.path.isdir(path):
        out = {}
        for d, _, files in os.walk(path):
            for f in files:
                if f.endswith(".kclip"):
                    full = os.path.join(d, f)
                    out[os.path.relpath(full, path)] = full
        return out, False
    raise EvalError("%s: no such file or directory" % path)


def pairs(truth, pred):
    t, t_single = _collect(truth)
    p, p_single = _collect(pred)
    if t_single and p_single:
        return [(os.path.basename(truth), t[os.path.basename(truth)], p[os.path.basename(pred)])]
    if t_single != p_single:
        raise EvalError("--truth and --pred must both be files or both be directories")
    if not t:
        raise EvalError("%s: no .kclip files" % truth)
    missing = sorted(set(t) - set(p))
    if missing:
        raise EvalError("%d truth clip(s) have no prediction under %s, e.g. %s"
                        % (len(missing), pred, ", ".join(missing[:5])))
    return [(rel, t[rel], p[rel]) for rel in sorted(t)]


def prediction_of(clip):
    if clip.has_pred:
        return clip.pred_pos, clip.pred_quat, "prediction section"
    if clip.has_truth:
        return clip.truth_pos, clip.truth_quat, "truth section"
    raise EvalError("holds no joints (neither HAS_PRED nor HAS_TRUTH)")


def active_frames(clip):
    """(F,) bool: the frames outside the clip's `prediction.inactive` [first, end) ranges."""
    act = np.ones(clip.frames, dtype=bool)
    pred = clip.meta.get("prediction")
    for first, end in pred.get("inactive", []) if isinstance(pred, dict) else []:
        act[first:end] = False
    return act


def runs(mask):
    """[first, end) of each run of True in mask."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def evaluate_pair(truth_path, pred_path, active_only=False, skip_s=0.0):
    """(sums, frames scored, where the prediction came from, what was left out: None, or
    {frames, ranges, first_active_s} with active_only). skip_s (not with active_only): only
    the frames from that many seconds on; sums None when none is left."""
    tc = clipio.read(truth_path)
    if not tc.has_truth:
        raise EvalError("%s: no ground truth (HAS_TRUTH not set)" % truth_path)
    pc = tc if os.path.samefile(truth_path, pred_path) else clipio.read(pred_path)
    try:
        pp, pq, where = prediction_of(pc)
    except EvalError as e:
        raise EvalError("%s: %s" % (pred_path, e))
    if pc.frames != tc.frames or (pc.time_ns != tc.time_ns).any():
        raise EvalError("%s: %d frames / times differ from the truth clip %s (%d frames)"
                        % (pred_path, pc.frames, truth_path, tc.frames))
    if not active_only:
        k = int(round(skip_s * tc.rate_hz))
        if k > 0 and k >= tc.frames:
            return None, 0, where, None
        sums = metrics.clip_sums(pp[k:], pq[k:], tc.truth_pos[k:], tc.truth_quat[k:], tc.rate_hz)
        return sums, tc.frames - k, where, None
    act = active_frames(pc)
    sums = {}
    for a, b in runs(act):
        metrics.add(sums, metrics.clip_sums(pp[a:b], pq[a:b], tc.truth_pos[a:b], tc.truth_quat[a:b], tc.rate_hz))
    first = int(np.argmax(act)) if act.any() else tc.frames
    left_out = dict(frames=int((~act).sum()), ranges=[list(r) for r in runs(~act)],
                    first_active_s=float(tc.time_ns[first] - tc.time_ns[0]) / 1e9 if act.any() else None)
    return sums, int(act.sum()), where, left_out


def group_of(rel):
    parts = rel.replace(os.sep, "/").split("/")
    return "/".join(parts[:-1]) if len(parts) > 1 else ""


def run(truth, pred, active_only=False):
    result = {"units": {k: v[0] for k, v in metrics.METRICS.items()}, "clips": {}, "groups": {}}
    total, groups = {}, {}
    for rel, tp, pp in pairs(truth, pred):
        sums, frames, where, left_out = evaluate_pair(tp, pp, active_only)
        result["clips"][rel] = dict(frames=frames, prediction_from=where, **metrics.finish(sums))
        if left_out is not None:
            result["clips"][rel]["inactive"] = left_out
        metrics.add(total, sums)
        g = group_of(rel)
        metrics.add(groups.setdefault(g, {}), sums)
        groups[g].setdefault("_frames", [0, 0])[0] += frames
        total.setdefault("_frames", [0, 0])[0] += frames
    for g, s in sorted(groups.items()):
        result["groups"][g] = dict(frames=s["_frames"][0], clips=sum(1 for r in result["clips"] if group_of(r) == g),
                                   **metrics.finish(s))
    result["all"] = dict(frames=total["_frames"][0], clips=len(result["clips"]), **metrics.finish(total))
    return result


def format_table(result):
    cols = metrics.ORDER
    head = "%-52s %7s " % ("clip", "frames") + " ".join("%11s" % c for c in cols)
    units = "%-52s %7s " % ("", "") + " ".join("%11s" % metrics.METRICS[c][0].replace("10^2 ", "e2") for c in cols)
    lines = [head, units, "-" * len(head)]

    def row(name, r):
        vals = " ".join("%11s" % ("-" if r[c] is None else "%.3f" % r[c]) for c in cols)
        name = name if len(name) <= 52 else "..." + name[-49:]
        return "%-52s %7d %s" % (name, r["frames"], vals)

    for rel, r in result["clips"].items():
        lines.append(row(rel, r))
    if len(result["groups"]) > 1:
        lines.append("-" * len(head))
        for g, r in result["groups"].items():
            lines.append(row("[%s] (%d clips)" % (g or ".", r["clips"]), r))
    lines.append("-" * len(head))
    lines.append(row("ALL (%d clips, frame-weighted)" % result["all"]["clips"], result["all"]))
    left_out = [r["inactive"]["frames"] for r in result["clips"].values() if "inactive" in r]
    if left_out:
        lines.append("scored: the frames with a body; %d frames without one left out (--active-only)"
                     % sum(left_out))
    return "\n".join(lines)


def write_json(result, path):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)


# ---------------------------------------------------------------- generalisation report

# (key, label, folders under the truth directory): the test groups of the fixed split.
# A clip counts in every group whose folder holds it.
REPORT_GROUPS = [
    ("bandai-2", "Bandai dataset-2 (test)", ["test/bandai/dataset-2"]),
    ("bandai-1", "Bandai dataset-1 (test: unseen styles)", ["test/bandai/dataset-1"]),
    ("bandai", "Bandai test (dataset-1 + dataset-2)", ["test/bandai/dataset-1", "test/bandai/dataset-2"]),
    ("hdm05", "HDM05 unseen actors (test)", ["test/hdm05"]),
    ("cmu", "cmu-sample (other studio)", ["test/cmu-sample"]),
    ("cmu-test", "cmu test (unseen subjects)", ["test/cmu"]),
    ("seated", "Seated start (real sitting takes)", ["seated"]),
]
REPORT_COLUMNS = ["MPJPE", "L-PE", "U-PE", "Jitter", "GT-Jitter"]
REPORT_FOOT_COLUMNS = ["Skate", "GT-Skate", "Skate>20", "GT-Skate>20", "Pen", "GT-Pen", "Pen>2", "GT-Pen>2",
                       "CH-err", "GT-CH-err", "Stance-err", "Contact-acc"]


def report(truth_dir, pred_dir, groups=REPORT_GROUPS, skip_s=0.0):
    """Metrics per test group of a data build (truth_dir = the build folder) against predictions
    laid out the same way under pred_dir. Every truth clip of a group needs its prediction.
    skip_s: score each clip from that many seconds on (clips no longer than it count as none)."""
    if not os.path.isdir(truth_dir):
        raise EvalError("%s: not a directory (--report needs the data build folder)" % truth_dir)
    if not os.path.isdir(pred_dir):
        raise EvalError("%s: not a directory" % pred_dir)
    wanted = {}
    for key, _, folders in groups:
        for folder in folders:
            d = os.path.join(truth_dir, folder)
            if os.path.isdir(d):
                for rel in _collect(d)[0]:
                    wanted.setdefault(os.path.join(folder, rel), []).append(key)
    if not wanted:
        raise EvalError("%s: no test clips (expected test/<data folder>/*.kclip)" % truth_dir)
    missing = sorted(r for r in wanted if not os.path.isfile(os.path.join(pred_dir, r)))
    if missing:
        raise EvalError("%d test clip(s) have no prediction under %s, e.g. %s"
                        % (len(missing), pred_dir, ", ".join(missing[:5])))
    sums = {key: {} for key, _, _ in groups}
    counts = {key: [0, 0] for key, _, _ in groups}
    for rel in sorted(wanted):
        s, frames, _, _ = evaluate_pair(os.path.join(truth_dir, rel), os.path.join(pred_dir, rel),
                                        skip_s=skip_s)
        if s is None:
            continue
        for key in wanted[rel]:
            metrics.add(sums[key], s)
            counts[key][0] += 1
            counts[key][1] += frames
    out = {"truth": truth_dir, "pred": pred_dir,
           "units": {k: v[0] for k, v in metrics.METRICS.items()}, "groups": {}}
    for key, label, folders in groups:
        out["groups"][key] = dict(label=label, folders=folders, clips=counts[key][0], frames=counts[key][1],
                                  **metrics.finish(sums[key]))
    return out


def differences(res, expected, tolerance=0.01):
    """Where a result (of `run` or `report`) departs from an expected one, e.g. the JSON behind a
    table of the docs: group clip and frame counts must be equal, every metric of the expected
    groups within `tolerance` (in the reported units). A share of frames (a "%" metric) may also
    be one frame of the group off: it counts frames past a threshold, which the C engine's float32
    and PyTorch's can cross a frame apart. Returns a list of lines, empty if none."""
    out = []
    for key, want in expected.get("groups", {}).items():
        got = res.get("groups", {}).get(key)
        if got is None:
            out.append("%s: no such group in the result" % key)
            continue
        one_frame = 100.0 / want["frames"] if want.get("frames") else 0.0
        for name, w in want.items():
            g = got.get(name)
            if name in ("clips", "frames"):
                if g != w:
                    out.append("%s %s: %s, expected %s" % (key, name, g, w))
            elif name in metrics.METRICS and w is not None:
                tol = max(tolerance, one_frame) if metrics.METRICS[name][0] == "%" else tolerance
                if g is None or not abs(g - w) <= tol:
                    out.append("%s %s: %s, expected %.4f (tolerance %g)" % (key, name, g, w, tol))
    return out


def format_report(res, columns=REPORT_COLUMNS, foot_columns=REPORT_FOOT_COLUMNS):
    """The pose table, then the feet's (prediction beside the truth's GT-* reference)."""
    lines = []
    for cols in (columns, foot_columns):
        if not cols:
            continue
        head = "%-40s %5s %7s " % ("test group", "clips", "frames") + " ".join("%11s" % c for c in cols)
        units = "%-40s %5s %7s " % ("", "", "") + " ".join(
            "%11s" % metrics.METRICS[c][0].replace("10^2 m/s^3", "e2 m/s3") for c in cols)
        lines += ([""] if lines else []) + [head, units, "-" * len(head)]
        for g in res["groups"].values():
            if not g["clips"]:
                continue                   # e.g. seated (made apart, `kinest data seated`), cmu test
            vals = " ".join("%11s" % ("-" if g.get(c) is None else "%.2f" % g[c]) for c in cols)
            lines.append("%-40s %5d %7d %s" % (g["label"], g["clips"], g["frames"], vals))
    return "\n".join(lines)
