"""The rigs' proportions per data folder of a data build (`kinest data rigs`).

Each motion capture studio places the canonical joints differently on the body: where its hips
joint sits against the hip joints, how long its chain from the hips to the head joint is. The
layer's default skeleton (src/skeleton/skeleton_default.c) is one such mean, and a body hung
from the head through it lands its hips where that mean's rigs put them. This module shows the
differences as shares of each clip's standing head height, and prints the default skeleton's C
table from the clips of chosen folders.
"""
import collections
import json
import os

import numpy as np

from . import clipio, skeleton

TRUNK = [skeleton.INDEX[n] for n in ("spine", "chest", "neck", "head")]
LEG = [skeleton.INDEX[n] for n in ("left_shin", "left_foot")]     # the knee's and the ankle's offsets
# Left/right joint pairs, mirrored onto each other by the symmetric mean.
PAIRS = [(skeleton.INDEX["left_" + n], skeleton.INDEX["right_" + n])
         for n in ("collar", "upper_arm", "forearm", "hand", "thigh", "shin", "foot", "toes")]
SPINE = [skeleton.INDEX[n] for n in ("spine", "chest", "neck", "head")]


def folder_of(entry):
    """The data folder a clip came from ("bandai", "cmu", "hdm05", ...)."""
    return entry["source"].split("/")[0]


def clip_skeletons(build_dir, split="train"):
    """{folder: [(offsets (21, 3), standing head height)]} of a build's clips of `split`
    (None: every split), one entry per clip."""
    with open(os.path.join(build_dir, "index.json"), encoding="utf-8") as f:
        idx = json.load(f)
    out = collections.defaultdict(list)
    for rel, e in sorted(idx["clips"].items()):
        if split is None or e["split"] == split:
            sk = clipio.read_meta(os.path.join(build_dir, rel))["skeleton"]
            out[folder_of(e)].append((np.asarray(sk["offsets_m"], np.float64),
                                      float(sk["standing_head_height_m"])))
    return dict(out)


def proportions(offsets, head_height):
    """Shares of the standing head height: the hips-to-head chain (vertical), how far the hips
    joint is above the hip (thigh) joints, and the hip joints to the ankles (the thigh and shin
    bones, vertical)."""
    o = np.asarray(offsets, np.float64)
    return {"trunk": o[TRUNK, 1].sum() / head_height,
            "hips_over_hip_joints": -o[skeleton.INDEX["left_thigh"], 1] / head_height,
            "legs": -o[LEG, 1].sum() / head_height}


def table(groups):
    """Markdown rows: per folder the clips, the mean standing head height and the mean shares."""
    rows = ["| folder | clips | head height m | hips to head | hips above the hip joints | hip joints to ankles |",
            "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for folder in sorted(groups):
        props = [proportions(o, h) for o, h in groups[folder]]
        mean = {k: np.mean([p[k] for p in props]) for k in props[0]}
        rows.append("| %s | %d | %.3f | %.3f | %+.3f | %.3f |" % (
            folder, len(props), np.mean([h for _, h in groups[folder]]), mean["trunk"],
            mean["hips_over_hip_joints"], mean["legs"]))
    return "\n".join(rows)


def symmetric_mean(groups, folders):
    """(offsets (21, 3), standing head height, clips): the mean of the named folders' clips (one
    vote per clip), left and right each the mean of itself and the mirrored other side, the
    spine on x = 0, rounded to 0.1 mm."""
    skels = [s for f in folders for s in groups.get(f, [])]
    if not skels:
        raise ValueError("no clips of %s" % ", ".join(folders))
    o = np.mean([s[0] for s in skels], 0)
    m = np.array([-1.0, 1.0, 1.0])
    for left, right in PAIRS:
        o[left] = (o[left] + m * o[right]) / 2
        o[right] = m * o[left]
    o[SPINE, 0] = 0.0
    return np.round(o, 4) + 0.0, round(float(np.mean([s[1] for s in skels])), 4), len(skels)


def c_table(offsets, head_height):
    """The initialiser lines of src/skeleton/skeleton_default.c's table."""
    lines = [".offsets =", "    {"]
    for name, v in zip(skeleton.NAMES, offsets):
        lines.append("        {%.4ff, %.4ff, %.4ff}, /* %s */" % (v[0], v[1], v[2], name.replace("_", " ")))
    lines += ["    },", ".standing_head_height = %.4ff," % head_height]
    return "\n".join(lines)
