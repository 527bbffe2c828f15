"""`kinest predict`: run a trained model over whole clips; prediction clips for `kinest eval`.

Each clip runs causally from the zero state at its first tick, through the
parallel `forward` (the same numbers as stepping tick by tick, docs/model.md).
Clips are batched by length and padded at the end: the model is causal, so the
padding never reaches a real tick. The joints come from
features.joints_from_prediction (hung from the head device through the clip's
own skeleton). Output: OUT/<split>/<data folder>/<clip>.kclip with the input's
times and devices and the prediction section (HAS_PRED), as `kinest eval` reads.
"""
import os
import time

import torch

from . import clipio, dataset, metrics, rot
from .model import features

BATCH_TICKS = 16384        # padded ticks per forward call


def load_model(path):
    """A model from a training checkpoint (.pt) or exported weights (.safetensors); the info
    dict's output_smoothing is the weights' (0 for a checkpoint)."""
    from . import export
    if path.endswith(".safetensors"):
        model, meta = export.model_from_weights(path)
        return model, {"weights": os.path.abspath(path), "training": meta.get("training"),
                       "output_smoothing": export.output_smoothing_of(meta, path)}
    model, ck = export.load_checkpoint(path)
    return model, {"checkpoint": os.path.abspath(path), "epoch": ck.get("epoch"), "step": ck.get("step"),
                   "output_smoothing": 0.0}


def smooth_outputs(y, s):
    """The engine's output smoothing (docs/engine.md): y_0 = x_0, y_t = (1 - s) x_t + s y_{t-1}
    over a clip's outputs (T, ...), in float32 as the engine computes it; s = 0 changes nothing."""
    if not s:
        return y
    x = y.float()
    out = torch.empty_like(x)
    a, b = torch.tensor(1.0 - s, dtype=torch.float32), torch.tensor(s, dtype=torch.float32)
    prev = x[0]
    out[0] = prev
    for t in range(1, x.shape[0]):
        prev = a * x[t] + b * prev
        out[t] = prev
    return out


def clip_inputs(clip):
    return features.clip_features(clip.dev_pos, clip.dev_quat, clip.dev_flags)


def run_clips(model, xs, batch_ticks=BATCH_TICKS, device=None, smoothing=0.0, contact=None):
    """Outputs (T_i, 21, 6) float32 CPU tensors of `forward` over each input (T_i, 58), causal from
    zero, then `smooth_outputs`; the offline replica runs over the release's evaluation windows
    instead (offline.windows). `contact`: a list that receives each clip's contact logits (T_i, 2),
    unsmoothed as the engine uses them (None entries for a model without a contact head)."""
    if smoothing:
        return [smooth_outputs(y, smoothing) for y in run_clips(model, xs, batch_ticks, device, contact=contact)]
    device = device or next(model.parameters()).device
    if getattr(model, "window", None):
        from .model import offline
        with torch.no_grad():
            return [offline.run_windows(model, x.to(device)).float().cpu() for x in xs]
    order = sorted(range(len(xs)), key=lambda i: xs[i].shape[0])
    out = [None] * len(xs)
    logits = [None] * len(xs)
    i = 0
    with torch.no_grad():
        while i < len(order):
            longest = xs[order[i]].shape[0]
            group = [order[i]]
            i += 1
            while i < len(order):
                longest2 = xs[order[i]].shape[0]
                if longest2 * (len(group) + 1) > batch_ticks:
                    break
                group.append(order[i])
                longest = longest2
                i += 1
            x = torch.zeros(len(group), longest, xs[group[0]].shape[1])
            for k, j in enumerate(group):
                x[k, :xs[j].shape[0]] = xs[j]
            y, c, _ = model(x.to(device), with_contact=True)
            y = y.float().cpu()
            for k, j in enumerate(group):
                out[j] = y[k, :xs[j].shape[0]]
                if c is not None:
                    logits[j] = c[k, :xs[j].shape[0]].float().cpu()
    if contact is not None:
        contact[:] = logits
    return out


def joints(clip, pred6d, feet=False, logits=None):
    """(positions (T, 21, 3), global orientations (T, 21, 4) xyzw) of a prediction, float64; with
    `feet`, the engine's feet that stand (kinestpy.feet; logits (T, 2) or None: the contact rule)."""
    sk = clip.meta["skeleton"]
    offsets = sk["offsets_m"]
    glob, pos = features.joints_from_prediction(pred6d.double(), clip.dev_pos[:, 0], clip.dev_quat[:, 0], offsets,
                                                head_valid=clip.dev_flags[:, 0])
    glob, pos = glob.numpy(), pos.numpy()
    if feet:
        from . import feet as feet_stage
        glob, pos = feet_stage.stand(glob, pos, offsets, sk["standing_head_height_m"],
                                     None if logits is None else logits.double().numpy(),
                                     features.device_valid(clip.dev_flags[:, 0]))
    return pos, rot.quat_continuous(rot.matrix_to_quat(glob), axis=0)


def score(clips, preds):
    """Frame-weighted metrics ({name: value in reported units}) of predictions against the clips' truth."""
    total = {}
    for c, p in zip(clips, preds):
        pos, quat = joints(c, p)
        metrics.add(total, metrics.clip_sums(pos, quat, c.truth_pos, c.truth_quat, c.rate_hz))
    return metrics.finish(total)


def run(model_path, data_dir, out_dir, splits=("test",), smoothing=None, feet=False, log=print):
    """Prediction clips of the splits; smoothing None: the weights' own output smoothing; feet: the
    engine's feet that stand (as kinest-run --body feet)."""
    t0 = time.time()
    model, info = load_model(model_path)
    if smoothing is not None:
        if not 0.0 <= smoothing < 1.0:
            raise ValueError("smoothing must be in [0, 1), not %g" % smoothing)
        info["output_smoothing"] = float(smoothing)
    index = dataset.load_index(data_dir)
    rels = [r for s in splits for r in dataset.clips_of(index, s)]
    if not rels:
        raise dataset.DataError("%s: no clips in split(s) %s" % (data_dir, ",".join(splits)))
    frames = 0
    chunk = 64
    for a in range(0, len(rels), chunk):          # a chunk of clips at a time keeps memory flat
        part = rels[a:a + chunk]
        clips = dataset.read_clips(data_dir, part)
        logits = [None] * len(clips)          # stays so for a model without a contact head
        preds = run_clips(model, [clip_inputs(c) for c in clips], smoothing=info["output_smoothing"], contact=logits)
        for rel, c, p, lg in zip(part, clips, preds, logits):
            pos, quat = joints(c, p, feet, lg)
            meta = {"kinest_clip": 1, "clip": c.meta.get("clip"), "source": c.meta.get("source"),
                    "split": c.meta.get("split"),
                    "prediction": dict(model=model.metadata()["architecture"], body="feet" if feet else "reference",
                                       **info)}
            dst = os.path.join(out_dir, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            clipio.write(dst, clipio.Clip(c.time_ns, c.dev_flags, c.dev_pos, c.dev_quat,
                                          pred_pos=pos, pred_quat=quat, rate_hz=c.rate_hz, meta=meta))
            frames += c.frames
        log("predicted %d/%d clips" % (min(a + chunk, len(rels)), len(rels)))
    return {"clips": len(rels), "frames": frames, "seconds": time.time() - t0,
            "output_smoothing": info["output_smoothing"]}
