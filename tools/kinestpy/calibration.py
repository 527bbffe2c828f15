"""How far automatic height calibration lands from each clip's true height.

kinest-run --skeleton auto writes the engine's calibration at the end of each
clip (metadata prediction.calibration.height_m); the clip's metadata holds
its true skeleton (skeleton.standing_head_height_m, the head joint of the
person standing). The engine's height is its standing eye height over
KN_EYE_HEIGHT_PER_BODY_HEIGHT, the eye EYE_OFFSET above the head joint, so
the true height in the same terms is (head + EYE_OFFSET y) / 0.936 and the
relative error is the eye height's (docs/engine.md, "Calibration").
"""
import numpy as np

from kinestpy import clipio, devices, evaluate

EYE_HEIGHT_PER_BODY_HEIGHT = 0.936  # src/skeleton/kn_skeleton.h


def true_height(meta):
    """The clip's true height in the engine's terms, or None without a skeleton."""
    head = (meta.get("skeleton") or {}).get("standing_head_height_m")
    if head is None:
        return None
    return (float(head) + float(devices.EYE_OFFSET[1])) / EYE_HEIGHT_PER_BODY_HEIGHT


def errors(pred):
    """{group: [(clip, relative error of the calibrated height)]} over the
    clips of a kinest-run --skeleton auto output whose calibration is valid."""
    found, _ = evaluate._collect(pred)
    out = {}
    for rel in sorted(found):
        meta = clipio.read(found[rel]).meta
        cal = (meta.get("prediction") or {}).get("calibration") or {}
        truth = true_height(meta)
        if cal.get("state") != "valid" or truth is None:
            continue
        out.setdefault(evaluate.group_of(rel), []).append((rel, float(cal["height_m"]) / truth - 1.0))
    return out


def summary(groups):
    """Per group: clips, mean, median and spread of the relative error (%)."""
    rows = {}
    for g, clips in sorted(groups.items()):
        e = 100.0 * np.array([x for _, x in clips])
        rows[g] = dict(clips=len(e), mean=float(e.mean()), median=float(np.median(e)), std=float(e.std()))
    return rows


def format_summary(rows):
    lines = ["%-32s %6s %8s %8s %8s" % ("group", "clips", "mean %", "median %", "sd %")]
    for g, r in rows.items():
        lines.append("%-32s %6d %8.2f %8.2f %8.2f" % (g or ".", r["clips"], r["mean"], r["median"], r["std"]))
    return "\n".join(lines)
