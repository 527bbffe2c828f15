"""`kinest export`: a checkpoint (or a random initialisation) -> weights + golden vectors for the engine.

DIR/kinest.safetensors   every weight of StreamKineST.export_tensors() (float32), named as in
                         docs/model.md ("Weights by name"), with the metadata of docs/model.md ("Export")
DIR/golden.safetensors   a real test clip run through the model tick by tick: device poses, features,
                         recurrent states after named ticks, outputs (float64 reference and float32),
                         global joints; and a variant of the clip with tracking gaps

Layouts: docs/model.md, "Export".
"""
import hashlib
import json
import os
import time
from collections import OrderedDict

import numpy as np
import torch

from . import clipio, dataset, devices
from . import safetensors_io as st
from .model import features, stream

FORMAT_VERSION = "1"
GOLDEN_VERSION = "1"
GOLDEN_CLIP = "test/bandai/dataset-2/dataset-2_walk_normal_010.kclip"
GOLDEN_TICKS = 90
STATE_TICKS = (0, 1, 10)          # plus T - 1
GAPS = ("gaps.*: the same ticks with both grips lost (flags 0, pose zero/identity) at ticks 0-2, the left grip "
        "lost at 20-29, the right grip frozen (flags 0x3, pose of tick 39) at 40-49, the head lost (flags 0) "
        "at 60-64 and the head looking straight down (quaternion (-0.7071068, 0, 0, 0.7071068), valid) at 70-72")


class ExportError(Exception):
    pass


# ---------------------------------------------------------------- models

def load_checkpoint(path):
    """(model float32 in eval mode, checkpoint dict) from a training checkpoint of train.py."""
    try:
        ck = torch.load(path, map_location="cpu")
    except (OSError, RuntimeError, EOFError) as e:
        raise ExportError("%s: cannot load the checkpoint (%s)" % (path, e))
    if not isinstance(ck, dict) or "model" not in ck or "config" not in ck:
        raise ExportError("%s: not a kinest training checkpoint (no 'model' and 'config')" % path)
    from .model import architectures
    cfg_cls, model_cls = architectures()[ck.get("architecture", "stream")]
    model = model_cls(cfg_cls(**ck["config"]))
    model.load_state_dict(ck["model"])
    return model.float().eval(), ck


def random_model(seed, cfg=None, stats=None):
    """A freshly initialised model (torch.manual_seed(seed) before construction); with stats
    (dataset.scan) its input normalisation is the data's, as training would set it."""
    torch.manual_seed(int(seed))
    model = stream.StreamKineST(cfg or stream.StreamConfig())
    if stats is not None:
        set_normalisation(model, stats)
    return model.float().eval()


def set_normalisation(model, stats):
    with torch.no_grad():
        model.input_mean.copy_(torch.as_tensor(stats["mean"], dtype=model.input_mean.dtype))
        model.input_std.copy_(torch.as_tensor(stats["std"], dtype=model.input_std.dtype))


# ---------------------------------------------------------------- weights file

def output_smoothing_of(meta, path="weights"):
    """The weights' output smoothing s (metadata output_smoothing; absent: 0), checked as the engine does."""
    v = meta.get("output_smoothing")
    if v is None:
        return 0.0
    try:
        s = float(v)
    except ValueError:
        s = float("nan")
    if not 0.0 <= s < 1.0:
        raise ExportError("%s: output_smoothing %r is not a number in [0, 1)" % (path, v))
    return s


def weights_metadata(model, skeleton_info, training_data, training, output_smoothing=0.0):
    """The string -> string metadata of kinest.safetensors (docs/model.md, "Export")."""
    m = model.metadata()
    feat = {"count": features.N_FEATURES, "names": features.feature_names(), "rate_hz": features.RATE_HZ,
            "normalisation": "x = (f - input_mean) / input_std, per value, before in_proj",
            "mean": [float(v) for v in model.input_mean.double()],
            "std": [float(v) for v in model.input_std.double()],
            "device_order": list(features.DEVICES), "per_device": features.PER_DEVICE,
            "valid_flags": features.FLAGS_VALID}
    meta = OrderedDict([
        ("format", "kinest-weights"),
        ("format_version", FORMAT_VERSION),
        ("architecture", m["architecture"]),
        ("config", m["config"]),
        ("scan_order", m["scan_order"]),
        ("feature_layout", m["feature_layout"]),
        ("features", json.dumps(feat)),
        ("output", m["output"]),
        *((("contact", m["contact"]),) if "contact" in m else ()),
        ("output_smoothing", repr(float(output_smoothing))),
        ("state", json.dumps(OrderedDict((k, list(v)) for k, v in model.state_shapes().items()))),
        ("skeleton", json.dumps(skeleton_info)),
        ("training_data", json.dumps(training_data)),
        ("training", json.dumps(training)),
        ("licence", training_data.get("licence", "") if training_data else ""),
        ("use", training_data.get("use", "") if training_data else ""),
        ("created_by", "tools/kinest export"),
        ("created", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())),
    ])
    return meta


def weight_tensors(model):
    return OrderedDict((k, v.detach().float().contiguous()) for k, v in model.export_tensors().items())


def write_weights(path, model, skeleton_info, training_data, training, output_smoothing=0.0):
    return st.write(path, weight_tensors(model),
                    weights_metadata(model, skeleton_info, training_data, training, output_smoothing))


def model_from_weights(path):
    """StreamKineST rebuilt from a kinest.safetensors file (float32)."""
    tensors, meta = st.read(path)
    if meta.get("format") != "kinest-weights" or meta.get("architecture") != "kinest-stream-v1":
        raise ExportError("%s: not kinest-stream-v1 weights (format %r, architecture %r)"
                          % (path, meta.get("format"), meta.get("architecture")))
    model = stream.StreamKineST(stream.StreamConfig.from_json(meta["config"]))
    want = model.export_tensors()
    if list(want) != list(tensors):
        raise ExportError("%s: tensor names differ from the model's" % path)
    model.load_state_dict(OrderedDict((k, torch.from_numpy(np.array(v))) for k, v in tensors.items()))
    return model.eval(), meta


# ---------------------------------------------------------------- golden vectors

def run_steps(model, x, keep_ticks=()):
    """Tick-by-tick outputs (T, 21, 6) of `step` over x (T, F), {tick: state after it} and the
    contact logits (T, 2) (None without a contact head)."""
    state = None
    ys, cs, kept = [], [], {}
    with torch.no_grad():
        for t in range(x.shape[0]):
            y, c, state = model.step(x[t:t + 1], state, with_contact=True)
            ys.append(y[0])
            if c is not None:
                cs.append(c[0])
            if t in keep_ticks:
                kept[t] = OrderedDict((k, v[0].clone()) for k, v in state.items())
    return torch.stack(ys), kept, (torch.stack(cs) if cs else None)


def with_gaps(clip):
    """The clip with tracking gaps that exercise every feature rule (docs/model.md, "Export"):
    left grip lost (flags 0, pose zero / identity) ticks 20-29; right grip frozen (flags 0x3,
    last pose repeated) ticks 40-49; head lost (flags 0) ticks 60-64; head looking straight
    down (valid, no usable yaw) ticks 70-72; both grips lost at tick 0-2."""
    flags, pos, quat = clip.dev_flags.copy(), clip.dev_pos.copy(), clip.dev_quat.copy()

    def lose(a, b, d):
        flags[a:b, d] = 0
        pos[a:b, d] = 0.0
        quat[a:b, d] = (0.0, 0.0, 0.0, 1.0)

    lose(0, 3, 1)
    lose(0, 3, 2)
    lose(20, 30, 1)
    if len(flags) > 40:
        flags[40:50, 2] = 0x3
        pos[40:50, 2], quat[40:50, 2] = pos[39, 2], quat[39, 2]
    lose(60, 65, 0)
    h = np.float32(np.sqrt(0.5))
    quat[70:73, 0] = (-h, 0.0, 0.0, h)          # -90 deg about X: forward (-Z) turned to -Y (down)
    return clipio.Clip(clip.time_ns, flags, pos, quat, clip.truth_pos, clip.truth_quat,
                       rate_hz=clip.rate_hz, meta=clip.meta)


def _case(model, model64, clip, prefix, state_ticks):
    x32 = features.clip_features(clip.dev_pos, clip.dev_quat, clip.dev_flags)            # float32
    y64, states, c64 = run_steps(model64, x32.double(), state_ticks)
    y32, _, c32 = run_steps(model, x32)
    offsets = np.asarray(clip.meta["skeleton"]["offsets_m"], np.float64)
    glob, pos = features.joints_from_prediction(y64, clip.dev_pos[:, 0], clip.dev_quat[:, 0], offsets,
                                                head_valid=clip.dev_flags[:, 0])
    out = OrderedDict()
    out[prefix + "time_ns"] = clip.time_ns.astype(np.int64)
    out[prefix + "dev_flags"] = clip.dev_flags.astype(np.uint32)
    out[prefix + "dev_pos"] = clip.dev_pos.astype(np.float32)
    out[prefix + "dev_quat"] = clip.dev_quat.astype(np.float32)
    out[prefix + "offsets"] = offsets.astype(np.float32)
    out[prefix + "features"] = x32.numpy()
    for t in sorted(states):
        for k, v in states[t].items():
            out["%sstate.%d.%s" % (prefix, t, k)] = v.float().numpy()
    out[prefix + "output"] = y64.float().numpy()
    out[prefix + "output_f32"] = y32.numpy()
    if c64 is not None:
        out[prefix + "contact"] = c64.float().numpy()
        out[prefix + "contact_f32"] = c32.numpy()
    out[prefix + "joints.pos"] = pos.float().numpy()
    out[prefix + "joints.rot"] = glob.float().numpy()
    err = float((y32.double() - y64).abs().max())
    if c64 is not None:
        err = max(err, float((c32.double() - c64).abs().max()))
    return out, err


def golden(model, clip, clip_name, ticks=GOLDEN_TICKS, weights_sha256=None):
    """(tensors, metadata) of golden.safetensors for `model` on the first `ticks` ticks of `clip`."""
    t = min(int(ticks), clip.frames)
    if t < 12:
        raise ExportError("golden clip %s has %d frames; at least 12 are needed" % (clip_name, clip.frames))
    c = clipio.Clip(clip.time_ns[:t], clip.dev_flags[:t], clip.dev_pos[:t], clip.dev_quat[:t],
                    None if clip.truth_pos is None else clip.truth_pos[:t],
                    None if clip.truth_quat is None else clip.truth_quat[:t], rate_hz=clip.rate_hz, meta=clip.meta)
    model = model.float().eval()
    model64 = stream.StreamKineST(model.cfg)
    model64.load_state_dict(model.state_dict())
    model64 = model64.double().eval()
    state_ticks = tuple(sorted(set(STATE_TICKS + (t - 1,))))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)        # one tick at a time: tiny ops, a second thread only waits
    try:
        tensors, err = _case(model, model64, c, "", state_ticks)
        gaps, err_g = _case(model, model64, with_gaps(c), "gaps.", ())
    finally:
        torch.set_num_threads(threads)
    tensors.update(gaps)
    meta = OrderedDict([
        ("format", "kinest-golden"),
        ("format_version", GOLDEN_VERSION),
        ("clip", clip_name),
        ("ticks", str(t)),
        ("first_frame", "0"),
        ("state_ticks", ",".join(str(s) for s in state_ticks)),
        ("state_names", ",".join(model.state_shapes())),
        ("config", model.cfg.to_json()),
        ("weights_sha256", weights_sha256 or ""),
        ("eye_offset_m", json.dumps(devices.EYE_OFFSET.tolist())),
        ("max_abs_output_f32_vs_f64", "%.3g" % err),
        ("max_abs_gaps_output_f32_vs_f64", "%.3g" % err_g),
        ("gaps", GAPS),
        ("created_by", "tools/kinest export"),
    ])
    return tensors, meta


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


# ---------------------------------------------------------------- the command

def run(out_dir, checkpoint=None, random_init=False, seed=0, data_dir="build/data", config=None,
        golden_clip=GOLDEN_CLIP, ticks=GOLDEN_TICKS, with_golden=True, output_smoothing=0.0, log=print):
    """Export a checkpoint (or a random initialisation) to out_dir; returns the paths written.
    output_smoothing: the engine's default smoothing of the outputs (metadata; the golden
    vectors are the model's own, unsmoothed outputs)."""
    if bool(checkpoint) == bool(random_init):
        raise ExportError("give either a CHECKPOINT or --random-init")
    if not 0.0 <= output_smoothing < 1.0:
        raise ExportError("output smoothing must be in [0, 1), not %g" % output_smoothing)
    os.makedirs(out_dir, exist_ok=True)
    if random_init:
        cfg = stream.StreamConfig(**config) if config else stream.StreamConfig()
        index = dataset.load_index(data_dir)
        rels = dataset.clips_of(index, "train")
        t0 = time.time()
        stats = dataset.scan(dataset.read_clips(data_dir, rels))
        log("scanned %d train clips (%d frames) in %.0f s" % (stats["clips"], stats["frames"], time.time() - t0))
        model = random_model(seed, cfg, stats)
        sk = dataset.skeleton_info(stats)
        data_id = dataset.identity(data_dir, index)
        training = {"random_init": True, "seed": int(seed),
                    "note": "untrained: default initialisation after torch.manual_seed(seed); input normalisation "
                            "from the train split's features"}
    else:
        model, ck = load_checkpoint(checkpoint)
        if not isinstance(model, stream.StreamKineST):
            raise ExportError("%s: a %s checkpoint; only the streaming model (kinest-stream-v1) has a form the "
                              "engine runs (use kinest predict to evaluate it)" % (checkpoint, ck.get("architecture")))
        sk, data_id = ck.get("skeleton"), dataset.with_terms(ck.get("data", {}))
        if sk is None:
            raise ExportError("%s: the checkpoint holds no skeleton" % checkpoint)
        training = {k: ck[k] for k in ("epoch", "step", "best_val", "seed", "val") if k in ck}
        training["checkpoint"] = os.path.basename(checkpoint)
        if "train_config" in ck:
            training["train_config"] = ck["train_config"]
    wpath = os.path.join(out_dir, "kinest.safetensors")
    n = write_weights(wpath, model, sk, data_id, training, output_smoothing)
    log("wrote %s (%d tensors, %d parameters, %.2f MB)" % (wpath, len(model.export_tensors()),
                                                            sum(p.numel() for p in model.parameters()), n / 1e6))
    out = [wpath]
    if with_golden:
        path = golden_clip if os.path.isfile(golden_clip) else os.path.join(data_dir, golden_clip)
        clip = clipio.read(path)
        tensors, meta = golden(model, clip, golden_clip, ticks, sha256_file(wpath))
        gpath = os.path.join(out_dir, "golden.safetensors")
        n = st.write(gpath, tensors, meta)
        log("wrote %s (%d ticks of %s, %d tensors, %.2f MB; float32 step vs float64: %s)"
            % (gpath, int(meta["ticks"]), golden_clip, len(tensors), n / 1e6, meta["max_abs_output_f32_vs_f64"]))
        out.append(gpath)
    return out
