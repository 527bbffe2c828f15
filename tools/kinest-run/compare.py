#!/usr/bin/python3
"""The C engine against the PyTorch reference on the same clips and weights.

Runs `kinest-run --body reference --skeleton clip` (libkinest through
include/kinest.h: signal -> features -> model step -> body) and
`tools/kinest predict` (PyTorch, whole clips through `forward`) over the
clips of a data build's split, scores both with `tools/kinest eval`, and
prints both tables and the ratios engine / PyTorch. Exits 1 when a metric's
ratio is off 1 by more than --tolerance (default 1 %). docs/engine.md,
"Engine against PyTorch", has the commands and the figures.

  tools/kinest-run/compare.py --kinest-run build/ci/tools/kinest-run \\
      --weights tests/data/golden/random/kinest.safetensors --data build/data \\
      --work build/compare [--backend cpu] [--split test] [--only PATTERN ...] [--max-clips N]

With --only / --max-clips a subset build (its own index.json, links to the
clips) is made under --work, so that both sides see exactly those clips.
"""
import argparse
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KINEST = os.path.join(REPO, "tools", "kinest")
METRICS = ["MPJRE", "MPJPE", "MPJVE", "Jitter", "H-PE", "U-PE", "L-PE", "Root-PE"]


def run(cmd, log):
    t0 = time.time()
    with open(log, "w") as f:
        r = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        sys.stdout.write(open(log).read()[-4000:])
        raise SystemExit("compare: %s failed (exit %d); log %s" % (" ".join(cmd), r.returncode, log))
    return time.time() - t0


def subset_build(data, split, patterns, max_clips, out):
    """A data build holding only the chosen clips of `split` (symlinks)."""
    with open(os.path.join(data, "index.json")) as f:
        index = json.load(f)
    rels = sorted(r for r, e in index["clips"].items() if e["split"] == split)
    if patterns:
        rels = [r for r in rels if any(fnmatch.fnmatch(os.path.basename(r)[:-len(".kclip")], p)
                                       for p in patterns)]
    if max_clips and len(rels) > max_clips:
        step = len(rels) / max_clips               # spread over the groups
        rels = [rels[int(i * step)] for i in range(max_clips)]
    if not rels:
        raise SystemExit("compare: no clip of split %s matches" % split)
    if os.path.exists(out):
        shutil.rmtree(out)
    for r in rels:
        dst = os.path.join(out, r)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        os.symlink(os.path.abspath(os.path.join(data, r)), dst)
    sub = dict(index)
    sub["clips"] = {r: index["clips"][r] for r in rels}
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump(sub, f)
    return out, len(rels)


def table(title, res):
    """Groups and the frame-weighted total of a `kinest eval --json` result."""
    units = res["units"]
    lines = [title, "%-34s %7s %6s " % ("group", "frames", "clips")
             + " ".join("%9s" % m for m in METRICS),
             "%-34s %7s %6s " % ("", "", "") + " ".join("%9s" % units[m].replace("10^2 ", "e2")
                                                       for m in METRICS)]
    rows = list(res["groups"].items()) if len(res["groups"]) > 1 else []
    rows.append(("ALL", res["all"]))
    for name, r in rows:
        lines.append("%-34s %7d %6d " % (name[-34:], r["frames"], r["clips"])
                     + " ".join("%9.4f" % r[m] if r[m] is not None else "%9s" % "-" for m in METRICS))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kinest-run", required=True, help="the kinest-run executable")
    ap.add_argument("--weights", required=True, help="kinest.safetensors (both sides)")
    ap.add_argument("--data", required=True, help="data build folder (index.json)")
    ap.add_argument("--work", required=True, help="folder for the predictions and logs")
    ap.add_argument("--split", default="test")
    ap.add_argument("--backend", default="cpu", help="kinest-run backend (cpu, vulkan, auto)")
    ap.add_argument("--only", action="append", help="clip name pattern (repeatable)")
    ap.add_argument("--max-clips", type=int, default=0, help="at most N clips, spread over the split")
    ap.add_argument("--tolerance", type=float, default=0.01, help="largest |ratio - 1| (default 0.01)")
    ap.add_argument("--feet", action="store_true",
                    help="both with the feet that stand (kinest-run --body feet, kinest predict --feet); "
                         "also compares foot skate, contact height error and contact agreement")
    a = ap.parse_args()
    if a.feet:
        METRICS.extend(["Skate", "CH-err", "Contact-acc"])

    os.makedirs(a.work, exist_ok=True)
    data = a.data
    if a.only or a.max_clips:
        data, n = subset_build(a.data, a.split, a.only, a.max_clips, os.path.join(a.work, "data"))
        print("compare: %d clips of %s/%s" % (n, a.data, a.split))
    truth = os.path.join(data, a.split)
    eng, ref = os.path.join(a.work, "engine"), os.path.join(a.work, "pytorch")
    for d in (eng, ref):
        if os.path.exists(d):
            shutil.rmtree(d)

    body = "feet" if a.feet else "reference"
    t_eng = run([a.kinest_run, "--weights", a.weights, "--backend", a.backend, "--body", body,
                 "--skeleton", "clip", truth, "--out", os.path.join(eng, a.split)],
                os.path.join(a.work, "kinest-run.log"))
    t_ref = run([KINEST, "predict", a.weights, "--data", data, "--split", a.split, "--out", ref]
                + (["--feet"] if a.feet else []),
                os.path.join(a.work, "predict.log"))
    results = {}
    for name, pred in (("engine", eng), ("pytorch", ref)):
        out = os.path.join(a.work, name + ".json")
        run([KINEST, "eval", "--truth", truth, "--pred", os.path.join(pred, a.split), "--json", out],
            os.path.join(a.work, "eval-%s.log" % name))
        with open(out) as f:
            results[name] = json.load(f)

    print(open(os.path.join(a.work, "kinest-run.log")).read().strip().splitlines()[-1])
    print()
    print(table("kinest-run (C engine, %s backend, %s body, clip skeleton): %.1f s"
                % (a.backend, body, t_eng), results["engine"]))
    print()
    print(table("kinest predict (PyTorch): %.1f s" % t_ref, results["pytorch"]))
    print()
    e, r = results["engine"]["all"], results["pytorch"]["all"]
    worst, bad = 0.0, []
    cells = []
    for m in METRICS:
        if e[m] is None or r[m] is None:
            cells.append("%9s" % "-")
            continue
        ratio = e[m] / r[m] if r[m] else (1.0 if e[m] == 0 else float("inf"))
        cells.append("%9.5f" % ratio)
        worst = max(worst, abs(ratio - 1.0))
        if not abs(ratio - 1.0) <= a.tolerance:
            bad.append("%s %.5f" % (m, ratio))
    print("%-34s %7s %6s " % ("ratio engine / PyTorch (ALL)", "", "") + " ".join(cells))
    print("largest |ratio - 1|: %.2e (tolerance %.2g)" % (worst, a.tolerance))
    if bad:
        print("compare: FAILED: " + ", ".join(bad))
        return 1
    print("compare: the engine agrees with PyTorch within %.2g %%" % (100 * a.tolerance))
    return 0


if __name__ == "__main__":
    sys.exit(main())
