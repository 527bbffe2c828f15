#!/usr/bin/python3
"""The probe's joints against kinest-run's on the same clip and weights.

usage: compare_pred.py TRUTH RUN PROBE [--max-mpjpe-diff CM] [--max-mean-distance CM]

TRUTH is the replayed clip; RUN is `kinest-run`'s output for it (the engine
offline, every tick finished before it is read); PROBE is `kinest-probe
--out --truth TRUTH`'s (the same engine behind the OpenXR layer, read live
through xrLocateBodyJointsFB). Prints both scores from `tools/kinest eval`
and the mean distance between the two predictions; exits 1 when the MPJPEs
differ by more than --max-mpjpe-diff (default 1 cm) or the predictions by
more than --max-mean-distance (default 2 cm) on average.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tools"))

from kinestpy import clipio  # noqa: E402
import numpy as np  # noqa: E402


def score(truth, pred):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "eval.json")
        subprocess.run([os.path.join(REPO, "tools", "kinest"), "eval", "--truth", truth, "--pred", pred,
                        "--json", out], check=True, stdout=subprocess.DEVNULL)
        with open(out) as f:
            return next(iter(json.load(f)["clips"].values()))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("truth")
    p.add_argument("run")
    p.add_argument("probe")
    p.add_argument("--max-mpjpe-diff", type=float, default=1.0)
    p.add_argument("--max-mean-distance", type=float, default=2.0)
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
    d = np.linalg.norm(r.pred_pos - q.pred_pos, axis=-1).mean(axis=-1) * 100
    same = float((d < 1e-3).mean() * 100)
    print("probe vs kinest-run: mean joint distance %.3f cm (median %.3f, max %.3f); %.1f %% of "
          "frames identical" % (d.mean(), np.median(d), d.max(), same))
    diff = abs(probe["MPJPE"] - run["MPJPE"])
    ok = diff <= a.max_mpjpe_diff and d.mean() <= a.max_mean_distance
    print("MPJPE difference %.3f cm (at most %.2f); %s" % (diff, a.max_mpjpe_diff, "ok" if ok else "TOO FAR"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
