"""Training data of the streaming model from a data build folder (docs/model.md, "Training").

* `load_index`, `clips_of`: the clips of a split (index.json of `kinest data build`).
* `identity`: what a model was trained on (a hash of the build's clip list, counts,
  hours, sources, licences), stored in checkpoints and in the weights' metadata.
* `scan`: reads a split once: the clips themselves, the per-feature mean and
  standard deviation (the model's input normalisation) and the frame-weighted
  mean skeleton (the default rest offsets of the weights' metadata).
* `CropSampler`: random crops of random length, clips drawn in proportion to their
  length, optionally augmented (augment.py) before features and targets are made
  (features.from_clip), so the devices the model sees always belong to the body.
"""
import hashlib
import json
import math
import os

import numpy as np
import torch

from . import augment, clipio, contact, sitting, skeleton
from .model import features

CMU_TERMS = "CMU Graphics Lab Motion Capture Database (free for all uses, commercial included; not for resale as data)"
LICENCES = {
    "bandai": "CC BY-NC 4.0 (Bandai Namco Research Motion dataset)",
    "hdm05": "CC BY-SA 3.0 (HDM05, Mueller et al. 2007)",
    "cmu": CMU_TERMS,
    "cmu-sample": CMU_TERMS,
    "amass": "AMASS licence (non-commercial scientific research, amass.is.tue.mpg.de) and the body model's licence",
}
# What weights trained on a source may be used for (../shared/data/README.md), strictest first.
NON_COMMERCIAL, SHARE_ALIKE, ANY_USE = "non-commercial use only", "share-alike (CC BY-SA 3.0)", "any use"
USES = {"bandai": NON_COMMERCIAL, "amass": NON_COMMERCIAL, "hdm05": SHARE_ALIKE, "cmu": ANY_USE, "cmu-sample": ANY_USE}
CONSTANT_STD = 1e-4   # features that (nearly) never vary (the head's x, z: 0 by construction; flags) keep std 1
STD_FLOOR = 0.05      # the others are divided by at least this (rotation differences vary by ~0.005 per tick
                      # in the data; real and augmented controller noise is several times that)


class DataError(Exception):
    pass


def load_index(data_dir):
    path = os.path.join(data_dir, "index.json")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except OSError as e:
        raise DataError("%s: cannot read the data build's index (%s)" % (path, e.strerror))
    except ValueError as e:
        raise DataError("%s: not JSON (%s)" % (path, e))


def clips_of(index, split, sources=None):
    """Sorted relative paths of the clips of a split (optionally only some data folders)."""
    return sorted(rel for rel, e in index["clips"].items()
                  if e["split"] == split and (not sources or e["source"] in sources))


def licence_of(sources):
    out = []
    for s in sorted(sources):
        lic = LICENCES.get(s.split("/")[0], "see ../shared/data/README.md (%s)" % s)
        if lic not in out:
            out.append(lic)
    return "; ".join(out)


def use_of(sources):
    """What weights trained on these data folders may be used for: the strictest of their terms
    (a folder without known terms: none can be claimed)."""
    uses = {USES.get(s.split("/")[0]) for s in sources}
    if None in uses or not uses:
        return "unknown: see ../shared/data/README.md"
    if NON_COMMERCIAL in uses:
        return NON_COMMERCIAL + (", and " + SHARE_ALIKE if SHARE_ALIKE in uses else "")
    if SHARE_ALIKE in uses:
        return "any use under " + SHARE_ALIKE + ", with attribution"
    return "any use, commercial included (the data itself may not be resold)"


def with_terms(data_id):
    """A training-data identity with `licence` and `use` made again from its train_sources by the
    tables above (a checkpoint keeps the terms of the code that trained it)."""
    out = dict(data_id)
    if "train_sources" in out:
        out["licence"] = licence_of(out["train_sources"])
        out["use"] = use_of(out["train_sources"])
    return out


def identity(data_dir, index=None, sources=None, held_out=()):
    """Training-data identity: sha256 of the build's clip list ("split<TAB>path<TAB>frames" lines,
    sorted, joined by newlines), train/validation counts and hours (less the clips `held_out`,
    which are counted apart), sources and licences."""
    index = index or load_index(data_dir)
    lines = sorted("%s\t%s\t%d" % (e["split"], rel, e["frames"]) for rel, e in index["clips"].items())
    out = {"data_build_sha256": hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest(),
           "data_build": os.path.abspath(data_dir), "source_data": index.get("data")}
    used = set()
    for split in ("train", "validation", "held_out"):
        rels = ([r for r in held_out if index["clips"][r]["split"] in ("train", "validation")] if split == "held_out"
                else [r for r in clips_of(index, split, sources) if r not in held_out])
        frames = sum(index["clips"][r]["frames"] for r in rels)
        out[split] = {"clips": len(rels), "frames": frames, "hours": round(frames / 60.0 / 3600.0, 4)}
        if split == "train":
            used |= {index["clips"][r]["source"] for r in rels}
    out["train_sources"] = sorted(used)
    return with_terms(out)


def fine_tuned(data_id, init_data, init_path):
    """The identity of a run's data when it starts from another run's model (train config "init"):
    its train sources joined with the earlier run's, the terms made again from them (weights owe
    the terms of all the data they learned from), and the earlier identity kept under
    `fine_tuned_from`."""
    out = dict(data_id)
    out["train_sources"] = sorted(set(out.get("train_sources", [])) | set((init_data or {}).get("train_sources", [])))
    out["fine_tuned_from"] = {"checkpoint": init_path, "data": init_data or {}}
    return with_terms(out)


def read_clips(data_dir, rels):
    return [clipio.read(os.path.join(data_dir, r)) for r in rels]


def scan(clips, reduce=None):
    """Feature statistics and mean skeleton of clips (clean devices, as built).

    Returns dict: mean, std (float64 (58,)), offsets_m (21, 3) frame-weighted mean,
    standing_head_height_m (frame-weighted mean), clips, frames."""
    n = 0
    s1 = np.zeros(features.N_FEATURES)
    s2 = np.zeros(features.N_FEATURES)
    off = np.zeros((skeleton.J, 3))
    height = 0.0
    for c in clips:
        x = features.clip_features(c.dev_pos, c.dev_quat, c.dev_flags, dtype=torch.float64).numpy()
        s1 += x.sum(0)
        s2 += (x * x).sum(0)
        sk = c.meta["skeleton"]
        off += np.asarray(sk["offsets_m"], np.float64) * c.frames
        height += float(sk.get("standing_head_height_m", 0.0)) * c.frames
        n += c.frames
    if reduce is not None:      # clips sharded over the processes of a distributed run: sums of all
        s1, s2, off, height, n, n_clips = reduce([s1, s2, off, np.float64(height), np.float64(n),
                                                  np.float64(len(clips))])
        height, n = float(height), int(n)
    else:
        n_clips = len(clips)
    if not n:
        raise DataError("no frames to take statistics from")
    mean = s1 / n
    std = np.sqrt(np.maximum(s2 / n - mean * mean, 0.0))
    small = std < CONSTANT_STD
    std = np.where(small, 1.0, np.maximum(std, STD_FLOOR))
    return {"mean": mean, "std": std, "constant_features": [features.feature_names()[i] for i in np.nonzero(small)[0]],
            "offsets_m": off / n, "standing_head_height_m": height / n, "clips": int(n_clips), "frames": n}


def skeleton_info(stats):
    """The weights' skeleton metadata: canonical joints, parents, default rest offsets."""
    from . import devices
    return {"joints": list(skeleton.NAMES), "parents": list(skeleton.PARENTS),
            "rest_offsets_m": np.round(stats["offsets_m"], 6).tolist(),
            "rest_offsets_from": "frame-weighted mean of skeleton.offsets_m over %d train clips (%d frames)"
                                 % (stats["clips"], stats["frames"]),
            "standing_head_height_m": round(float(stats["standing_head_height_m"]), 4),
            "devices": devices.describe()}


def contact_labels(clip):
    """(T, 2) float32 foot contact of a clip's truth (kinestpy.contact) against the contact level
    of its whole source clip (CropSampler stores it in the metadata as contact_level_m; else the
    clip's own), raised with the floor of an augmented copy."""
    level = clip.meta.get("contact_level_m")
    if level is None:
        level = contact.contact_level(clip.truth_pos, clip.rate_hz)
    level += float(clip.meta.get("augmented", {}).get("floor_m", 0.0))
    return torch.from_numpy(contact.labels(clip.truth_pos, clip.rate_hz, level).astype(np.float32))


def training_arrays(clip):
    """features.from_clip as float32 tensors: x (T, 58), y (T, 21, 6), frame (T, 3, 3), offsets (21, 3),
    and the truth's foot contact (T, 2)."""
    d = features.from_clip(clip)
    return {"x": d["x"].float(), "y": d["y"].float(), "frame": d["frame"].float(), "offsets": d["offsets"].float(),
            "contact": contact_labels(clip)}


def crop_clip(clip, start, length):
    s = slice(start, start + length)
    return clipio.Clip(clip.time_ns[s] - clip.time_ns[start], clip.dev_flags[s], clip.dev_pos[s], clip.dev_quat[s],
                       clip.truth_pos[s], clip.truth_quat[s], rate_hz=clip.rate_hz, meta=clip.meta)


def augment_kwargs(cfg):
    """augment.augment keyword arguments from the config's "augment" section (None/false = off)."""
    if not cfg or not cfg.get("enabled", True):
        return None
    kw = {}
    for k in augment.STREAMS:
        v = cfg.get(k, augment.DEFAULTS[k])
        if isinstance(v, list):
            v = tuple(v)
        if isinstance(v, dict) and k == "scale":
            v = {a: tuple(b) for a, b in v.items()}
        kw[k] = v
    return kw


def sit_kwargs(ranges):
    """sitting.sit's range arguments from a config's "seated" entries other than "share"
    ({name: [low, high]}); DataError on an unknown name or a range that is not low <= high."""
    out = {}
    for k, v in (ranges or {}).items():
        if k not in sitting.DEFAULTS:
            raise DataError("seated: unknown range %r (known: share, %s)" % (k, ", ".join(sorted(sitting.DEFAULTS))))
        try:
            lo, hi = (float(x) for x in v)
        except (TypeError, ValueError):
            raise DataError("seated.%s: not a [low, high] pair: %r" % (k, v))
        if not lo <= hi:
            raise DataError("seated.%s: low %g above high %g" % (k, lo, hi))
        out[k] = (lo, hi)
    return out


class CropSampler:
    """Random training crops. Each batch has one crop length L drawn uniformly from
    [min_len, max_len]; clips are drawn with probability proportional to their frames
    among those long enough; the crop start is uniform. With augmentation the raw window
    is long enough for the slowest speed factor, is augmented as a clip, and the first L
    ticks of the result are used. seated_share: the share of crops turned into seated ones
    (sitting.sit) before augmentation; sit_ranges: sitting.sit's ranges over its defaults
    (e.g. {"lean_deg": [0, 20]})."""

    def __init__(self, clips, min_len=64, max_len=128, augment_cfg=None, seed=0, precompute=True,
                 seated_share=0.0, sit_ranges=None):
        self.clips = clips
        self.frames = np.array([c.frames for c in clips])
        self.min_len, self.max_len = int(min_len), int(max_len)
        self.aug = augment_kwargs(augment_cfg)
        for c in clips:         # crops are labelled against their whole clip's contact level
            c.meta.setdefault("contact_level_m", contact.contact_level(c.truth_pos, c.rate_hz))
        self.seated_share = float(seated_share or 0.0)
        if not 0.0 <= self.seated_share <= 1.0:
            raise DataError("seated share %r is not in [0, 1]" % seated_share)
        self.sit_ranges = sit_kwargs(sit_ranges)
        self.rng = np.random.default_rng(seed)
        if self.frames.max() < self.min_len:
            raise DataError("no clip has %d frames" % self.min_len)
        plain = self.aug is None and not self.seated_share
        self.cache = [training_arrays(c) for c in clips] if (precompute and plain) else None

    def raw_length(self, length):
        if self.aug is not None and self.aug.get("speed"):
            return int(math.ceil(length * max(self.aug["speed"]))) + 2
        return length

    def sample(self, length):
        """One crop of `length` ticks: dict of tensors x, y, frame, offsets."""
        need = self.raw_length(length)
        ok = self.frames >= need
        if not ok.any():
            need = int(self.frames.max())
            ok = self.frames >= need
        while True:
            w = np.where(ok, self.frames - need + 1, 0).astype(np.float64)
            i = int(self.rng.choice(len(self.clips), p=w / w.sum()))
            start = int(self.rng.integers(0, self.frames[i] - need + 1))
            if self.cache is not None:
                a = self.cache[i]
                return {k: (v if k == "offsets" else v[start:start + length]) for k, v in a.items()}
            raw = crop_clip(self.clips[i], start, need)
            if self.seated_share and self.rng.uniform() < self.seated_share:
                raw = sitting.sit(raw, int(self.rng.integers(2 ** 31)), **self.sit_ranges)
            if self.aug is None:
                return training_arrays(crop_clip(raw, 0, length))
            out = augment.augment(raw, int(self.rng.integers(2 ** 31)), **self.aug)
            if out.frames >= length:
                return training_arrays(crop_clip(out, 0, length))

    def batch(self, size, length=None):
        length = length or int(self.rng.integers(self.min_len, self.max_len + 1))
        items = [self.sample(length) for _ in range(size)]
        return {k: torch.stack([it[k] for it in items]) for k in items[0]}
