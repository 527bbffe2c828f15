"""What the body does after a tracking loss and while the height calibration
settles (layer/README.md, "Tracking loss, calibration and recentring").

`kinest faults` runs kinest-run over held-out clips with ground truth:

* tracking loss: the head not valid (flags 0) for 0.5, 1, 5 and 30 s from
  LOSS_AT_S s into the clip (played back and forth to last long enough), bodies read AHEAD_MS past each frame (as at a
  predicted display time). For the frames of the first 200 ms after the head
  is back: the largest joint jump beyond the true body's, each joint's move
  minus the true joint's move over the same frames, the first body after the
  loss against the last one before it when the body was shown all along
  (while the head is held the body is no measure of anything), then frame
  to frame; a body that went inactive is measured from its first frame
  shown again (a body appearing is no jump);
* calibration settling: the clip from its start with the automatic height
  calibration (--skeleton auto): the largest such jump from one frame to the
  next over the first CALIBRATION_S seconds (the first estimate comes after
  0.25 s of a standing head), and the lowest foot or toe joint against the
  floor (y = 0); beside it the same measure on the clip's own skeleton (no
  calibration at all), the model's own frame-to-frame jumps.
"""
import glob
import json
import os
import subprocess
import tempfile

import numpy as np

from kinestpy import clipio, evaluate

LOSSES_S = (0.5, 1.0, 5.0, 30.0)
LOSS_AT_S = 3.0
AFTER_S = 0.2
AHEAD_MS = 16.7
CALIBRATION_S = 5.0
FEET = (15, 16, 19, 20)  # left foot, left toes, right foot, right toes


class FaultsError(RuntimeError):
    pass


def _excess(pred, truth, a, b):
    """Largest joint move from frame a to b beyond the true joint's (metres)."""
    moved = np.linalg.norm(pred[b] - pred[a], axis=-1)
    true = np.linalg.norm(truth[b] - truth[a], axis=-1)
    return float(np.max(moved - true))


def recovery_jump(clip, loss_at_s, loss_s, after_s=AFTER_S):
    """The largest excess jump in the first after_s after the head is back, or None."""
    t = (clip.time_ns - clip.time_ns[0]) / 1e9
    act = evaluate.active_frames(clip)
    back = int(np.searchsorted(t, loss_at_s + loss_s))
    if back >= clip.frames or t[-1] < loss_at_s + loss_s + after_s:
        return None
    # The first body after the loss against the last one before it (the
    # true body moved meanwhile); then frame to frame.
    worst = None
    prev = int(np.searchsorted(t, loss_at_s)) - 1
    if prev < 0 or not act[prev]:
        return None
    for f in range(back, clip.frames):
        if t[f] > t[back] + after_s:
            break
        if not act[f]:
            continue
        # A body shown after frames without one is no move from the last
        # one shown: the application saw the body go and come back.
        if prev is not None and not act[prev + 1:f].all():
            prev = None
        if prev is not None:
            e = _excess(clip.pred_pos, clip.truth_pos, prev, f)
            worst = e if worst is None else max(worst, e)
        prev = f
    return worst


def settling(clip, seconds=CALIBRATION_S):
    """(largest excess jump frame to frame, lowest foot) over the first seconds."""
    t = (clip.time_ns - clip.time_ns[0]) / 1e9
    act = evaluate.active_frames(clip)
    worst, prev = 0.0, None
    lowest = float("inf")
    for f in range(clip.frames):
        if t[f] > seconds:
            break
        if not act[f]:
            prev = None
            continue
        if prev is not None:
            worst = max(worst, _excess(clip.pred_pos, clip.truth_pos, prev, f))
        lowest = min(lowest, float(np.min(clip.pred_pos[f, FEET, 1])))
        prev = f
    return worst, lowest


def _run(kinest_run, weights, backend, clip_path, out, extra):
    cmd = [kinest_run, "--backend", backend, "--quiet"]
    if backend != "ik":
        cmd += ["--weights", weights]
    cmd += extra + [clip_path, "--out", out]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise FaultsError("%s failed:\n%s" % (" ".join(cmd), r.stderr))
    return clipio.read(out)


def duration_s(clip):
    return (clip.time_ns[-1] - clip.time_ns[0]) / 1e9


def clips_of(data, pattern, limit):
    """The `limit` longest test clips with ground truth whose name matches."""
    paths = glob.glob(os.path.join(data, "test", "**", pattern + ".kclip"), recursive=True)
    found = []
    for p in paths:
        c = clipio.read(p)
        if c.has_truth and c.frames > 2:
            found.append((-duration_s(c), p))
    return [p for _, p in sorted(found)[:limit]]


def ping_pong(clip, seconds):
    """The clip played forward, backward, forward... until it lasts `seconds`:
    no test clip is as long as the longest loss, and this keeps a real,
    continuous motion (only its direction turns at the ends)."""
    period = np.concatenate([np.arange(clip.frames), np.arange(clip.frames - 2, 0, -1)])
    step = (clip.time_ns[-1] - clip.time_ns[0]) / (clip.frames - 1)
    n = int(np.ceil(seconds * 1e9 / step)) + 1
    idx = np.resize(period, max(n, clip.frames))
    time_ns = clip.time_ns[0] + np.round(np.arange(len(idx)) * step).astype(np.int64)
    return clipio.Clip(time_ns, clip.dev_flags[idx], clip.dev_pos[idx], clip.dev_quat[idx],
                       clip.truth_pos[idx], clip.truth_quat[idx], rate_hz=clip.rate_hz, meta=clip.meta)


def run(kinest_run, data, weights, backend="cpu", pattern="*", limit=8):
    """Rows of the two tables, as dicts."""
    paths = clips_of(data, pattern, limit)
    if not paths:
        raise FaultsError("no test clip with ground truth under %s matching %s" % (data, pattern))
    rows = {"clips": [os.path.basename(p)[:-6] for p in paths], "loss": [], "calibration": None}
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "run.kclip")
        long_paths = []
        for i, p in enumerate(paths):
            long_paths.append(os.path.join(tmp, "long-%d.kclip" % i))
            clipio.write(long_paths[-1], ping_pong(clipio.read(p), LOSS_AT_S + max(LOSSES_S) + 1.0))
        for loss in LOSSES_S:
            jumps = []
            for p in long_paths:
                c = _run(kinest_run, weights, backend, p, out,
                         ["--lose-head", "%g:%g" % (LOSS_AT_S, loss), "--ahead", "%g" % AHEAD_MS])
                j = recovery_jump(c, LOSS_AT_S, loss)
                if j is not None:
                    jumps.append(j)
            rows["loss"].append({"loss_s": loss, "clips": len(jumps),
                                 "largest_m": max(jumps), "median_m": float(np.median(jumps))})
        steps, feet, fixed = [], [], []
        for p in paths:
            c = _run(kinest_run, weights, backend, p, out, ["--skeleton", "auto"])
            s, f = settling(c)
            steps.append(s)
            feet.append(f)
            # The same clip on its own skeleton (no calibration): what the
            # body does from one frame to the next without it.
            fixed.append(settling(_run(kinest_run, weights, backend, p, out, ["--skeleton", "clip"]))[0])
        rows["calibration"] = {"clips": len(steps), "largest_m": max(steps),
                               "median_m": float(np.median(steps)), "lowest_foot_m": min(feet),
                               "without_largest_m": max(fixed), "without_median_m": float(np.median(fixed))}
    return rows


def format_tables(rows, backend):
    lines = ["backend %s, %d test clips: %s" % (backend, len(rows["clips"]), ", ".join(rows["clips"])),
             "",
             "| head lost for | largest joint jump beyond the true body, first %d ms after it is back "
             "(largest / median over clips) |" % round(AFTER_S * 1000),
             "| --- | --- |"]
    for r in rows["loss"]:
        lines.append("| %g s | %.1f cm / %.1f cm |" % (r["loss_s"], 100 * r["largest_m"], 100 * r["median_m"]))
    c = rows["calibration"]
    lines += ["",
              "| first %g s of %d clips | largest jump beyond the true body from one frame to the next "
              "(largest / median) | lowest foot vs the floor |" % (CALIBRATION_S, c["clips"]),
              "| --- | --- | --- |",
              "| automatic calibration | %.1f cm / %.1f cm | %+.1f cm |" % (
                  100 * c["largest_m"], 100 * c["median_m"], 100 * c["lowest_foot_m"]),
              "| the clip's own skeleton (no calibration) | %.1f cm / %.1f cm | |" % (
                  100 * c["without_largest_m"], 100 * c["without_median_m"])]
    return "\n".join(lines)


def write_json(rows, path):
    with open(path, "w") as f:
        json.dump(rows, f, indent=1)
