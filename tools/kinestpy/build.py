"""`kinest data build`: every clip of the data folders -> 60 Hz .kclip files + index.json.

Layout: OUT/<split>/<data folder>/<clip>.kclip (e.g. OUT/test/bandai/dataset-2/
dataset-2_walk_normal_010.kclip), OUT/index.json, OUT/import-report.json.
"""
import fnmatch
import json
import multiprocessing
import os
import sys
import time

import numpy as np

from . import clipio, devices, importer, resample, rot, skeleton, split

FOLDERS = ("bandai/dataset-1", "bandai/dataset-2", "cmu-sample", "hdm05")
CLIP_EXTS = (".bvh.gz", ".bvh", ".amc.gz", ".amc")
_TABLES = None


def _tables():
    global _TABLES
    if _TABLES is None:
        _TABLES = importer.load_tables()
    return _TABLES


def clip_name(fname):
    for e in CLIP_EXTS:
        if fname.endswith(e):
            return fname[:-len(e)]
    return None


def list_clips(data_dir, folder):
    d = os.path.join(data_dir, folder)
    if not os.path.isdir(d):
        return []
    return sorted(os.path.join(d, f) for f in os.listdir(d) if clip_name(f))


def make_clip(im, folder, name, split_name, subgroup, rel_source):
    """Imported motion -> 60 Hz clip with truth and clean devices."""
    q, root = resample.resample(im.local_quat, im.root, im.fps)
    pos, glob_m = skeleton.fk(rot.quat_to_matrix(q), root, im.offsets, local=True)
    gq = rot.quat_continuous(rot.matrix_to_quat(glob_m), axis=0)
    flags, dpos, dquat = devices.synthesize(gq, pos)
    dquat = rot.quat_continuous(dquat, axis=0)
    f = len(q)
    time_ns = np.round(np.arange(f) * (1e9 / resample.OUT_RATE)).astype(np.int64)
    meta = {
        "kinest_clip": 1,
        "clip": name,
        "source": folder,
        "split": split_name,
        "original_fps": im.fps,
        "subgroup": subgroup,
        "skeleton": {
            "source_skeleton": im.table,
            "joints": skeleton.NAMES,
            "parents": skeleton.PARENTS,
            "offsets_m": np.round(im.offsets, 6).tolist(),
            "rest_pose": "T-pose facing -Z, arms along -X (left) / +X (right), joint frames world-aligned",
            "standing_head_height_m": round(im.standing_height, 4),
        },
        "devices": devices.describe(),
        "import": {
            "source_file": rel_source,
            "source_frames": im.source_frames,
            "floor_shift_m": round(im.floor_shift, 4),
            "reaimed_deg": {j: round(d, 1) for j, d in getattr(im, "reaimed", [])},
            "rules": [{"rule": r, "note": n} for r, n in im.notes],
        },
    }
    return clipio.Clip(time_ns, flags, dpos, dquat, pos, gq, rate_hz=resample.OUT_RATE, meta=meta), pos


def _bandai_ids(path):
    js = path[:-len(".bvh.gz")] + ".json" if path.endswith(".bvh.gz") else None
    if js and os.path.exists(js):
        try:
            with open(js, encoding="utf-8") as f:
                d = json.load(f)
            return {"content_id": d.get("content"), "style_id": d.get("style")}
        except (OSError, ValueError):
            return {}
    return {}


def build_one(job):
    path, folder, data_dir, out_dir = job[:4]
    extra = job[4] if len(job) > 4 else {}     # AMASS (amass.jobs): clip name, split, subgroup, reader
    name = extra.get("name") or clip_name(os.path.basename(path))
    rel_source = os.path.relpath(path, data_dir)
    res = {"clip": name, "source": folder, "source_file": rel_source}
    try:
        split_name = extra["split"] if extra else split.split_of(folder, name)
        sub = dict(extra["subgroup"]) if extra else split.subgroup(folder, name)
        if folder.startswith("bandai/"):
            sub.update(_bandai_ids(path))
        res["split"] = split_name
        im = importer.import_clip(path, extra.get("table_folder", folder), _tables(), reader=extra.get("reader"))
        if sub.get("fps_in_name") and abs(sub["fps_in_name"] - im.fps) > 0.5:
            raise importer.Skip("frame-rate", "the file name says %d fps, the import used %g fps"
                                % (sub["fps_in_name"], im.fps))
        clip, pos = make_clip(im, folder, name, split_name, sub, rel_source)
        rel = os.path.join(split_name, folder, name + ".kclip")
        dst = os.path.join(out_dir, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        clipio.write(dst, clip)
        bl = skeleton.bone_lengths(skeleton.rest_positions(im.offsets)[None])[0]
        res.update(status="ok", entry={
            "path": rel, "source": folder, "split": split_name, "frames": clip.frames,
            "seconds": round((clip.frames - 1) / resample.OUT_RATE, 4) if clip.frames else 0.0,
            "rate_hz": resample.OUT_RATE, "original_fps": im.fps, "source_skeleton": im.table,
            "standing_head_height_m": round(im.standing_height, 4),
            "bone_lengths_m": {n: round(float(bl[j]), 4) for j, n in enumerate(skeleton.NAMES) if j},
            "subgroup": sub, "rules": sorted({r for r, _ in im.notes}),
        }, notes=im.notes)
    except importer.Skip as e:
        res.update(status="skipped", rule=e.rule, reason=e.reason)
    except Exception as e:  # a clip that breaks the importer is reported, never silently lost
        res.update(status="failed", rule="error", reason="%s: %s" % (type(e).__name__, e))
    return res


class Progress:
    def __init__(self, total, stream=None):
        stream = stream or sys.stderr
        self.total, self.done, self.t0, self.stream = total, 0, time.time(), stream
        self.tty = stream.isatty()
        self.last_pct = -1

    def step(self, label):
        self.done += 1
        el = time.time() - self.t0
        rate = self.done / el if el > 0 else 0.0
        eta = (self.total - self.done) / rate if rate else 0.0
        pct = int(100 * self.done / self.total)
        line = "[%5d/%d] %3d%%  %5.1f clips/s  elapsed %3.0fs  eta %3.0fs  %s" % (
            self.done, self.total, pct, rate, el, eta, label[:40])
        if self.tty:
            self.stream.write("\r" + line.ljust(110))
            if self.done == self.total:
                self.stream.write("\n")
        elif pct // 10 != self.last_pct // 10 or self.done == self.total:
            self.stream.write(line + "\n")
        self.last_pct = pct
        self.stream.flush()


def summary_table(entries):
    rows, by = [], {}
    for e in entries:
        for key in ((e["split"], e["source"]), (e["split"], "all"), ("all", e["source"]), ("all", "all")):
            c = by.setdefault(key, [0, 0, 0.0])
            c[0] += 1
            c[1] += e["frames"]
            c[2] += e["frames"] / resample.OUT_RATE / 3600.0
    sources = sorted({e["source"] for e in entries})
    for sp in split.SPLITS + ("all",):
        for so in sources + ["all"]:
            if (sp, so) in by:
                rows.append((sp, so) + tuple(by[(sp, so)]))
    return rows


def format_table(rows):
    out = ["%-11s %-17s %7s %10s %8s" % ("split", "source", "clips", "frames", "hours")]
    out.append("-" * len(out[0]))
    prev = None
    for sp, so, c, f, h in rows:
        if prev is not None and sp != prev:
            out.append("")
        out.append("%-11s %-17s %7d %10d %8.3f" % (sp if sp != prev else "", so, c, f, h))
        prev = sp
    return "\n".join(out)


def run(data_dir, out_dir, workers=2, folders=FOLDERS, limit=None, only=None, log=print, amass=None):
    """`amass`: keyword arguments of amass.jobs (root, body_model, protocol, ...) to import an
    AMASS folder too; data_dir None: that alone."""
    data_dir = os.path.abspath(data_dir) if data_dir else None
    tables = _tables()
    jobs, unsupported = [], []
    for folder in folders if data_dir else ():
        files = list_clips(data_dir, folder)
        if not files:
            log("%s: no clips found under %s" % (folder, os.path.join(data_dir, folder)))
            continue
        usable = [p for p in files if importer.format_of(p) in importer.READERS
                  and any(folder in t["folders"] and importer.table_reads(t, importer.format_of(p)) for t in tables)]
        if len(usable) < len(files):
            n = len(files) - len(usable)
            unsupported.append((folder, n))
            log("%s: %d clips skipped: no reader or mapping table for their format" % (folder, n))
        if not usable:
            continue
        if only:
            usable = [p for p in usable if fnmatch.fnmatch(os.path.basename(p).split(".")[0], only)]
        jobs += [(p, folder, data_dir, out_dir) for p in usable[:limit]]
    if amass:
        from . import amass as amass_source
        by_folder = {}
        for j in amass_source.jobs(out_dir=out_dir, log=log, **amass):
            by_folder.setdefault(j[1], []).append(j)
        for fjobs in by_folder.values():
            if only:
                fjobs = [j for j in fjobs if fnmatch.fnmatch(j[4]["name"], only)]
            jobs += fjobs[:limit]
    os.makedirs(out_dir, exist_ok=True)
    log("importing %d clips with %d worker(s) into %s" % (len(jobs), workers, out_dir))
    prog = Progress(len(jobs))
    results = []
    if workers > 1:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for r in pool.imap_unordered(build_one, jobs, chunksize=4):
                results.append(r)
                prog.step(r["clip"])
    else:
        for j in jobs:
            results.append(build_one(j))
            prog.step(results[-1]["clip"])
    results.sort(key=lambda r: (r["source"], r["clip"]))
    entries = [r["entry"] for r in results if r["status"] == "ok"]
    refused = [r for r in results if r["status"] != "ok"]
    rule_counts = {}
    for r in results:
        for rule, note in r.get("notes", []):
            c = rule_counts.setdefault(rule, {"clips": 0, "example": "%s: %s" % (r["clip"], note)})
            c["clips"] += 1
    index = {
        "kinest_index": 1,
        "data": data_dir or os.path.abspath(amass["root"]),
        **({"amass": {k: amass.get(k) for k in ("root", "protocol", "holdout")}} if amass else {}),
        "rate_hz": resample.OUT_RATE,
        "joints": skeleton.NAMES,
        "parents": skeleton.PARENTS,
        "clips": {e["path"]: e for e in entries},
        "skipped": [{k: r.get(k) for k in ("clip", "source", "source_file", "split", "rule", "reason")}
                    for r in refused] + [{"source": f, "clips": n, "rule": "format",
                                          "reason": "no reader or mapping table for this format"}
                                         for f, n in unsupported],
        "rules": rule_counts,
        "summary": [dict(zip(("split", "source", "clips", "frames", "hours"), row)) for row in summary_table(entries)],
    }
    with open(os.path.join(out_dir, "index.json"), "w", encoding="utf-8") as f:
        json.dump(index, f, indent=1)
    with open(os.path.join(out_dir, "import-report.json"), "w", encoding="utf-8") as f:
        json.dump([{k: r.get(k) for k in ("clip", "source", "status", "rule", "reason")}
                   | {"notes": r.get("notes", [])} for r in results], f, indent=1)
    log("")
    log(format_table(summary_table(entries)))
    log("")
    log("rules that fired (clips):")
    for rule, c in sorted(rule_counts.items()):
        log("  %-18s %5d  e.g. %s" % (rule, c["clips"], c["example"]))
    if refused:
        log("clips not imported (%d):" % len(refused))
        for r in refused:
            log("  %-18s %s/%s: %s" % (r["rule"], r["source"], r["clip"], r["reason"]))
    for folder, n in unsupported:
        log("  %-18s %s: %d clips (no reader or mapping table for their format)" % ("format", folder, n))
    log("wrote %d clips, %s" % (len(entries), os.path.join(out_dir, "index.json")))
    return index
