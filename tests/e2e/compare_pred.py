#!/usr/bin/python3
"""The probe's joints against kinest-run's on the same clip and weights.

usage: compare_pred.py TRUTH RUN PROBE [--max-mpjpe-diff CM] [--max-mean-distance CM]

TRUTH is the replayed clip; RUN is `kinest-run`'s output for it (the engine
offline, every tick finished before it is read); PROBE is `kinest-probe
--out --truth TRUTH`'s (the same engine behind the OpenXR layer, read live
through xrLocateBodyJointsFB). Prints both scores from `tools/kinest eval
--active-only` and the mean distance between the two predictions, over the
frames in which both served a body (the others hold another frame's body:
the probe's first frames, while the engine starts off the application's
thread, last longer on a loaded machine); exits 1 when the MPJPEs differ by
more than --max-mpjpe-diff (default 1 cm), the predictions by more than
--max-mean-distance (default 2 cm) on average, or the probe had a body in
fewer than --min-active-pct (default 50 %) of the frames.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tools"))

from kinestpy import clipio, evaluate  # noqa: E402
import numpy as np  # noqa: E402


def score(truth, pred):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "eval.json")
        subprocess.run([os.path.join(REPO, "tools", "kinest"), "eval", "--truth", truth, "--pred", pred,
                        "--active-only", "--json", out], check=True, stdout=subprocess.DEVNULL)
        with open(out) as f:
            return next(iter(json.load(f)["clips"].values()))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("truth")
    p.add_argument("run")
    p.add_argument("probe")
    p.add_argument("--max-mpjpe-diff", type=float, default=1.0)
    p.add_argument("--max-mean-distance", type=float, default=2.0)
    p.add_argument("--min-active-pct", type=float, default=50.0)
    a = p.parse_args()
    run, probe = score(a.truth, a.run), score(a.truth, a.probe)
    keys = ["MPJRE", "MPJPE", "MPJVE", "Jitter", "H-PE", "U-PE", "L-PE", "Root-PE"]
    print("%-12s" % "" + "".join("%10s" % k for k in keys))
    for name, s in (("kinest-run", run), ("probe", probe)):
        print("%-12s" % name + "".join("%10.3f" % s[k] for k in keys))
    r, q = clipio.read(a.run), clipio.read(a.probe)
    if r.frames != q.frames:
        print("the two clips have %d and %d frames" % (r.frames, q.frames))
        return 1
    both = evaluate.active_frames(r) & evaluate.active_frames(q)
    active = 100.0 * probe["frames"] / q.frames
    print("frames with a body: kinest-run %d, probe %d of %d (%.1f %%; its first body at %.2f s), "
          "both %d" % (run["frames"], probe["frames"], q.frames, active, probe["inactive"]["first_active_s"] or 0,
                       both.sum()))
    if not both.any():
        print("no frame in which both served a body")
        return 1
    d = np.linalg.norm(r.pred_pos[both] - q.pred_pos[both], axis=-1).mean(axis=-1) * 100
    same = float((d < 1e-3).mean() * 100)
    print("probe vs kinest-run: mean joint distance %.3f cm (median %.3f, max %.3f); %.1f %% of "
          "frames identical" % (d.mean(), np.median(d), d.max(), same))
    diff = abs(probe["MPJPE"] - run["MPJPE"])
    ok = diff <= a.max_mpjpe_diff and d.mean() <= a.max_mean_distance and active >= a.min_active_pct
    print("MPJPE difference %.3f cm (at most %.2f), body in %.1f %% of the probe's frames (at least %.0f); %s"
          % (diff, a.max_mpjpe_diff, active, a.min_active_pct, "ok" if ok else "TOO FAR"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
