"""A synthetic clip on a rig no shipped mapping knows (Mixamo-style `mixamorig:*` names), written
by the tests themselves, with the mapping file a user would write for it (docs/data.md, "Your own data").

Y up, centimetres, zero pose = T-pose facing +Z with world-aligned joint frames; the root OFFSET
carries the hip height and its position channels are relative to it (as some exporters write).
"""
import json
import os

import numpy as np

P = "mixamorig:"
# name, parent, offset (cm); End Sites after the leaves
JOINTS = [
    ("Hips", None, (0, 95, 0)),
    ("Spine", "Hips", (0, 8, 0)), ("Spine1", "Spine", (0, 10, 0)), ("Spine2", "Spine1", (0, 10, 0)),
    ("Neck", "Spine2", (0, 22, 0)), ("Head", "Neck", (0, 9, 1)),
    ("LeftShoulder", "Spine2", (4, 18, 0)), ("LeftArm", "LeftShoulder", (12, 0, 0)),
    ("LeftForeArm", "LeftArm", (28, 0, 0)), ("LeftHand", "LeftForeArm", (25, 0, 0)),
    ("RightShoulder", "Spine2", (-4, 18, 0)), ("RightArm", "RightShoulder", (-12, 0, 0)),
    ("RightForeArm", "RightArm", (-28, 0, 0)), ("RightHand", "RightForeArm", (-25, 0, 0)),
    ("LeftUpLeg", "Hips", (9, -5, 0)), ("LeftLeg", "LeftUpLeg", (0, -42, 0)),
    ("LeftFoot", "LeftLeg", (0, -40, 0)), ("LeftToeBase", "LeftFoot", (0, -6, 12)),
    ("RightUpLeg", "Hips", (-9, -5, 0)), ("RightLeg", "RightUpLeg", (0, -42, 0)),
    ("RightFoot", "RightLeg", (0, -40, 0)), ("RightToeBase", "RightFoot", (0, -6, 12)),
]
END_SITES = {"Head": (0, 18, 0), "LeftHand": (8, 0, 0), "RightHand": (-8, 0, 0),
             "LeftToeBase": (0, 0, 6), "RightToeBase": (0, 0, 6)}
NAMES = [n for n, _, _ in JOINTS]
ROT = "Zrotation Xrotation Yrotation"
COL = {n: 3 + 3 * k for k, n in enumerate(NAMES)}   # first rotation column (Z) of each joint

MAPPING = {
    "source": "mystudio-mixamo",
    "description": "a Mixamo-style BVH export: mixamorig:* names, Y up, centimetres, T-pose facing +Z",
    "format": "bvh",
    "requires": [P + "Hips", P + "LeftUpLeg", P + "RightUpLeg"],
    "unit_m": 0.01,
    "world_axes": ["-x", "+y", "-z"],
    "contact_height_m": 0.02,
    "default_rest": {"axes": ["-x", "+y", "-z"]},
    "joints": {
        "hips": {"joint": P + "Hips"}, "spine": {"joint": P + "Spine"}, "chest": {"joint": P + "Spine2"},
        "neck": {"joint": P + "Neck"}, "head": {"joint": P + "Head"},
        "left_collar": {"joint": P + "LeftShoulder"}, "left_upper_arm": {"joint": P + "LeftArm"},
        "left_forearm": {"joint": P + "LeftForeArm"}, "left_hand": {"joint": P + "LeftHand"},
        "right_collar": {"joint": P + "RightShoulder"}, "right_upper_arm": {"joint": P + "RightArm"},
        "right_forearm": {"joint": P + "RightForeArm"}, "right_hand": {"joint": P + "RightHand"},
        "left_thigh": {"joint": P + "LeftUpLeg"}, "left_shin": {"joint": P + "LeftLeg"},
        "left_foot": {"joint": P + "LeftFoot"}, "left_toes": {"joint": P + "LeftToeBase"},
        "right_thigh": {"joint": P + "RightUpLeg"}, "right_shin": {"joint": P + "RightLeg"},
        "right_foot": {"joint": P + "RightFoot"}, "right_toes": {"joint": P + "RightToeBase"},
    },
}


def walk(frames, fps):
    """Channel values (frames, channels): a walk along +Z at 1 m/s, arms hanging, legs swinging
    +-20 deg at 1 Hz; hips position channels relative to the OFFSET (0 at rest)."""
    t = np.arange(frames) / fps
    m = np.zeros((frames, 3 + 3 * len(NAMES)))
    m[:, 2] = 100.0 * t                                   # Zposition, cm
    m[:, 1] = -1.0 + 1.0 * np.cos(4 * np.pi * t)          # a little bob, the legs bend it
    swing = 20.0 * np.sin(2 * np.pi * t)
    m[:, COL["LeftUpLeg"] + 1] = swing                    # Xrotation
    m[:, COL["RightUpLeg"] + 1] = -swing
    m[:, COL["LeftArm"]] = -75.0                          # Zrotation: arms down
    m[:, COL["RightArm"]] = 75.0
    return m


def write_bvh(path, motion, fps):
    lines = ["HIERARCHY"]
    kids = {n: [c for c, p, _ in JOINTS if p == n] for n in NAMES}

    def emit(n, depth):
        pad = "  " * depth
        off = dict((a, o) for a, _, o in JOINTS)[n]
        lines.append("%s%s %s%s" % (pad, "ROOT" if depth == 0 else "JOINT", P, n))
        lines.append(pad + "{")
        lines.append("%s  OFFSET %g %g %g" % ((pad,) + tuple(off)))
        lines.append("%s  CHANNELS %s" % (pad, ("6 Xposition Yposition Zposition " + ROT) if depth == 0
                                           else "3 " + ROT))
        for c in kids[n]:
            emit(c, depth + 1)
        if n in END_SITES:
            lines.extend([pad + "  End Site", pad + "  {", "%s    OFFSET %g %g %g" % ((pad,) + END_SITES[n]),
                          pad + "  }"])
        lines.append(pad + "}")
    emit("Hips", 0)
    lines += ["MOTION", "Frames: %d" % len(motion), "Frame Time: %.8f" % (1.0 / fps)]
    lines += [" ".join("%.4f" % v for v in row) for row in motion]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def write_mapping(path):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(MAPPING, f, indent=1)
    return path


def source(tmp, clips, fps=30, split="train"):
    """A user's folder TMP/capture with the given {name: motion} clips and TMP/mystudio.json."""
    d = os.path.join(tmp, "capture")
    os.makedirs(d, exist_ok=True)
    for name, motion in clips.items():
        write_bvh(os.path.join(d, name + ".bvh"), motion, fps)
    return d, write_mapping(os.path.join(tmp, "mystudio.json"))
