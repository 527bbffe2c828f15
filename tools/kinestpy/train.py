"""`kinest train CONFIG --out DIR`: train the streaming KineST (docs/model.md, "Training").

Random crops of the train split (dataset.CropSampler, augmentation switchable),
targets from features.py, optional motion label smoothing, the losses of
losses.py with the config's weights, Adam with warm-up + cosine (or step)
schedule, validation on whole clips of the validation split after every epoch
(MPJPE, Jitter, ...), checkpoints written atomically after every epoch and when
SIGTERM/SIGINT arrives, `--resume` continues from DIR/last.pt exactly where it
stopped (sample i of batch k of epoch e is drawn from a generator seeded by (seed, e, k, i),
so a resumed run draws the same batches as an uninterrupted one, whatever its number of
processes). Under torchrun it trains on several processes, GPUs or machines (distributed.py,
docs/training.md).

DIR/last.pt      the latest checkpoint (model, optimizer, scheduler, RNG states, epoch, step, best)
DIR/best.pt      the checkpoint with the lowest validation MPJPE so far
DIR/history.jsonl one JSON line per epoch (train loss terms, validation metrics, times)
DIR/config.json  the config as run
DIR/export/      kinest.safetensors + golden.safetensors of best.pt when training finishes
"""
import copy
import dataclasses
import json
import math
import os
import random
import signal
import sys
import time

import numpy as np
import torch

from . import dataset, distributed, predict, seated
from .model import architectures, losses, smoothing
from .model.stream import StreamKineST, macs_per_tick

DEFAULTS = {
    "data": "build/data",
    "sources": None,                       # data folders of the train split to use (None: all)
    "seed": 10,
    "architecture": "stream",              # "stream" (the product) or "offline" (the replica)
    "model": {},                           # StreamConfig (OfflineConfig) fields over the defaults
    "crop": {"min": 64, "max": 128},       # ticks per crop, drawn per batch
    "batch": 32,
    "epochs": 10,
    "hours": None,                         # time budget of the training loop (None: none)
    "budget_clock": "wall",                # "wall": wall time; "cpu": the training process's CPU time,
                                           # which a loaded machine does not use up (equal budgets)
    "epoch_ticks": None,                   # ticks per epoch (None: the train split's frame count)
    "optimizer": {"lr": 3e-4, "weight_decay": 1e-5, "betas": [0.9, 0.999], "grad_clip": 1.0},
    "schedule": {"kind": "cosine", "by": "steps", "warmup_steps": 100, "min_lr_ratio": 0.05,
                 "milestones": [], "gamma": 0.1},
    "loss": {},                            # LossConfig fields over the defaults
    "smoothing": {"enabled": False},       # SmoothingConfig fields
    "augment": {"enabled": True},          # augment.augment switches (dataset.augment_kwargs)
    "seated": {"share": 0.0},              # share of crops made seated by sitting.sit (before augment), and
                                           # sitting.sit's ranges over its defaults ("lean_deg": [0, 20])
    "init": None,                          # a checkpoint a new run starts from (fine-tuning): its model,
                                           # normalisation and skeleton; optimiser and schedule start afresh
    "validation": {"split": "validation", "every_nth_clip": 1},
    "data_shards": 1,                      # clip shards of a distributed run (distributed.py; 1: all clips everywhere)
    "amp": "bf16",                         # autocast of the forward on CUDA ("bf16" or "off"); never on the CPU
    "workers": 1,                          # batch-making processes (0: in the training process)
    "threads": None,                       # torch threads (None: the cores / processes on this machine)
    "log_every": 10,                       # steps between progress lines in a log file
    "checkpoint_minutes": 10,              # DIR/last.pt also every this many minutes (wall time) of training
    "export_at_end": True,
}


class TrainError(Exception):
    pass


def merge(base, over):
    out = copy.deepcopy(base)
    for k, v in (over or {}).items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def load_config(path):
    try:
        with open(path, encoding="utf-8") as f:
            user = json.load(f)
    except OSError as e:
        raise TrainError("%s: %s" % (path, e.strerror))
    except ValueError as e:
        raise TrainError("%s: not JSON (%s)" % (path, e))
    unknown = sorted(set(user) - set(DEFAULTS) - {"comment", "name"})
    if unknown:
        raise TrainError("%s: unknown keys %s" % (path, unknown))
    return merge(DEFAULTS, user)


def _dc(cls, fields, what):
    names = {f.name for f in dataclasses.fields(cls)}
    bad = sorted(set(fields) - names)
    if bad:
        raise TrainError("unknown %s fields %s (known: %s)" % (what, bad, sorted(names)))
    return cls(**fields)


def lr_factor(cfg, step, total_steps, time_progress=None):
    """Learning-rate factor at `step`: linear warm-up, then cosine (by steps, or by the
    fraction of the time budget used when schedule.by is "time"), multistep or constant."""
    s = cfg["schedule"]
    warm = int(s.get("warmup_steps", 0))
    if warm and step < warm:
        return (step + 1) / warm
    if s["kind"] == "cosine":
        if s.get("by", "steps") == "time":
            t = min(1.0, max(0.0, time_progress or 0.0))
        else:
            t = min(1.0, (step - warm) / max(1, total_steps - warm))
        lo = float(s.get("min_lr_ratio", 0.0))
        return lo + (1 - lo) * 0.5 * (1 + math.cos(math.pi * t))
    if s["kind"] == "multistep":
        return float(s.get("gamma", 0.1)) ** sum(step >= m for m in s.get("milestones", []))
    if s["kind"] == "constant":
        return 1.0
    raise TrainError("schedule.kind must be cosine, multistep or constant, not %r" % s["kind"])


def atomic_save(obj, path):
    if not distributed.is_main():       # one checkpoint per run: process 0 writes it
        return
    tmp = "%s.tmp%d" % (path, os.getpid())
    torch.save(obj, tmp)
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)


def fmt_time(s):
    s = int(max(0, s))
    return "%dh%02dm" % (s // 3600, s // 60 % 60) if s >= 3600 else "%dm%02ds" % (s // 60, s % 60)


class Batches(torch.utils.data.Dataset):
    """Global batch k of epoch e: its crop length drawn from a generator seeded by (seed, e, k),
    its sample i (clip, crop, augmentation, label smoothing) from one seeded by (seed, e, k, i),
    cropped from clip shard i mod len(samplers). A process of a distributed run makes the
    samples i = rank, rank + world, ...; the global batches are the same whatever the number of
    processes and workers, and across resumes. `samplers`: {shard: CropSampler} of the shards
    this process uses."""

    def __init__(self, samplers, batch, seed, epoch, smooth_cfg, rank=0, world=1, shards=1):
        self.samplers, self.batch, self.seed, self.epoch, self.smooth = samplers, batch, seed, epoch, smooth_cfg
        self.rank, self.world, self.shards = rank, world, shards

    def __len__(self):
        return 1 << 30

    def __getitem__(self, k):
        any_sampler = next(iter(self.samplers.values()))
        length = int(np.random.default_rng(np.random.SeedSequence([self.seed, self.epoch, int(k)])).integers(
            any_sampler.min_len, any_sampler.max_len + 1))
        parts = []
        for i in range(self.rank, self.batch, self.world):
            ss = np.random.SeedSequence([self.seed, self.epoch, int(k), i])
            sampler = self.samplers[i % self.shards]
            sampler.rng = np.random.default_rng(ss)
            b = sampler.batch(1, length)
            b["y_train"] = b["y"]
            if self.smooth is not None and self.smooth.enabled and self.smooth.eps:
                g = torch.Generator().manual_seed(int(ss.generate_state(1, np.uint64)[0]) >> 1)
                b["y_train"] = smoothing.smooth_targets(b["y"], self.smooth, g)
            parts.append(b)
        return {key: torch.cat([p[key] for p in parts]) for key in parts[0]}


def _worker_init(_):
    torch.set_num_threads(1)
    for s in (signal.SIGINT, signal.SIGTERM):     # the training process decides when to stop
        signal.signal(s, signal.SIG_IGN)


def batch_iter(ds, start, stop, workers):
    if workers <= 0:
        for k in range(start, stop):
            yield ds[k]
        return
    loader = torch.utils.data.DataLoader(ds, batch_size=None, sampler=range(start, stop), num_workers=workers,
                                         prefetch_factor=4, persistent_workers=False, worker_init_fn=_worker_init)
    yield from loader


class Stop:
    """SIGTERM / SIGINT: finish the current step, write a checkpoint, exit."""

    def __init__(self):
        self.signum = None
        self.old = {}

    def __enter__(self):
        for s in (signal.SIGTERM, signal.SIGINT):
            self.old[s] = signal.signal(s, self.handle)
        return self

    def handle(self, signum, frame):
        if self.signum is not None:          # a second signal: stop now
            raise KeyboardInterrupt
        self.signum = signum
        print("\nkinest train: signal %d: stopping after this step (checkpoint follows)" % signum,
              file=sys.stderr, flush=True)

    def __exit__(self, *a):
        for s, h in self.old.items():
            signal.signal(s, h)


def validate(model, clips, xs):
    model.eval()
    t0 = time.time()
    # no more ticks per forward than a training batch: the default 16,384 took a training
    # process to 8 GB, and parallel runs on this 24 GB machine ran out of memory
    preds = predict.run_clips(model, xs, batch_ticks=4096)
    res = predict.score(clips, preds)
    res["seconds"] = round(time.time() - t0, 1)
    model.train()
    return res


def training_clips(index, cfg, log):
    """The train clips of the config's sources and the validation clips (every n-th), less the
    clips of the takes the seated-start test group is cut from (seated.held_out), whatever the
    sources: the group scores motion no training has seen. Returns (train, validation, held out)."""
    try:
        held = seated.held_out(index)
    except seated.SeatedError as e:
        raise TrainError(str(e))
    vcfg = cfg["validation"]
    train = dataset.clips_of(index, "train", cfg["sources"])
    val = dataset.clips_of(index, vcfg["split"])
    dropped = [r for r in train + val if r in held]
    log("held out for the seated-start group: %d clips, %.1f s (%s)"
        % (len(dropped), sum(index["clips"][r]["frames"] - 1 for r in dropped) / float(index.get("rate_hz", 60.0)),
           ", ".join(sorted({held[r] for r in dropped})) or "none in this build"))
    return ([r for r in train if r not in held],
            [r for r in val if r not in held][::max(1, int(vcfg.get("every_nth_clip", 1)))], held)


def main(config_path, out_dir, resume=False, hours=None, data=None, epochs=None, log=None, seed=None,
         threads=None):
    cfg = load_config(config_path)
    if seed is not None:
        if resume:
            raise TrainError("--seed starts a new run; a resumed run keeps its checkpoint's seed")
        cfg["seed"] = int(seed)
    if data:
        cfg["data"] = data
    if epochs:
        cfg["epochs"] = int(epochs)
    if hours:
        cfg["hours"] = float(hours)
    try:
        dist = distributed.setup()
    except distributed.DistError as e:
        raise TrainError(str(e))
    try:
        return _main(cfg, out_dir, resume, hours, data, epochs, log, dist, threads)
    except distributed.DistError as e:
        raise TrainError(str(e))
    finally:
        dist.close()


def load_init(path, architecture):
    """The checkpoint a fine-tuning run starts from (config "init"); TrainError if it is not one
    of this architecture."""
    try:
        ick = torch.load(path, map_location="cpu")
    except (OSError, RuntimeError, EOFError) as e:
        raise TrainError("init %s: %s" % (path, e))
    if not isinstance(ick, dict) or not {"model", "config", "skeleton"} <= set(ick):
        raise TrainError("init %s: not a training checkpoint (best.pt or last.pt)" % path)
    if ick.get("architecture", "stream") != architecture:
        raise TrainError("init %s: a %s model, this run trains %s" % (path, ick.get("architecture"), architecture))
    return ick


def _main(cfg, out_dir, resume, hours, data, epochs, log, dist, threads=None):
    log = log or (lambda s: print(s, file=sys.stderr, flush=True))
    if not dist.main:
        log = lambda s: None            # noqa: E731  (process 0 speaks for the run)
    tty = sys.stderr.isatty() and dist.main
    os.makedirs(out_dir, exist_ok=True)
    last_path, best_path = os.path.join(out_dir, "last.pt"), os.path.join(out_dir, "best.pt")
    ck = None
    if resume:
        if not os.path.isfile(last_path):
            raise TrainError("--resume: %s does not exist" % last_path)
        ck = torch.load(last_path, map_location="cpu")
        # keys added since the checkpoint was written take their defaults
        cfg = merge(merge(DEFAULTS, ck["train_config"]), {"epochs": cfg["epochs"]} if epochs else {})
        if data:
            cfg["data"] = data
        if hours:
            cfg["hours"] = float(hours)
    elif os.path.isfile(last_path):
        raise TrainError("%s exists: pass --resume to continue it, or choose another --out" % last_path)
    if threads:
        cfg["threads"] = int(threads)
    seated_cfg = dict(cfg["seated"])
    try:
        sit_ranges = dataset.sit_kwargs({k: v for k, v in seated_cfg.items() if k != "share"})
    except dataset.DataError as e:
        raise TrainError(str(e))
    init = None
    if ck is None and cfg["init"]:
        init = load_init(cfg["init"], cfg["architecture"])
    distributed.check_layout(int(cfg["batch"]), int(cfg["data_shards"]), dist.world)
    if cfg["amp"] not in ("bf16", "off"):
        raise TrainError("amp must be \"bf16\" or \"off\", not %r" % (cfg["amp"],))

    threads = cfg["threads"] or distributed.default_threads()
    torch.set_num_threads(threads)
    for t in (np.float16, np.float32, np.float64):     # numpy caches its limits before denormals flush
        np.finfo(t)
    torch.set_flush_denormal(True)
    dev = dist.device
    seed = int(cfg["seed"])
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)

    # ---- data
    t0 = time.time()
    index = dataset.load_index(cfg["data"])
    train_rels, val_rels, held = training_clips(index, cfg, log)
    if not train_rels:
        raise TrainError("%s: no train clips" % cfg["data"])
    shards = int(cfg["data_shards"])
    by_shard = distributed.shard_of(train_rels, shards)
    mine = distributed.owned_shards(shards, dist.rank, dist.world)
    shard_clips = {g: dataset.read_clips(cfg["data"], by_shard[g]) for g in mine}
    train_clips = [c for g in mine for c in shard_clips[g]]
    vcfg = cfg["validation"]
    if not val_rels:
        raise TrainError("%s: no %s clips to validate on" % (cfg["data"], vcfg["split"]))
    val_rels = val_rels if dist.main else []       # process 0 validates
    val_clips = dataset.read_clips(cfg["data"], val_rels)
    val_x = [predict.clip_inputs(c) for c in val_clips]
    data_id = dataset.identity(cfg["data"], index, cfg["sources"], held)
    if init is not None:
        data_id = dataset.fine_tuned(data_id, init.get("data"), cfg["init"])
    elif ck is not None and "fine_tuned_from" in ck.get("data", {}):
        data_id = dataset.fine_tuned(data_id, ck["data"]["fine_tuned_from"]["data"], cfg["init"])
    if ck is None and init is None:
        stats = dataset.scan(train_clips, reduce=dist.sum_arrays if shards > 1 else None)
        skel = dataset.skeleton_info(stats)
    else:       # a resumed or fine-tuned run keeps its checkpoint's normalisation and skeleton
        skel, stats = (ck or init)["skeleton"], None
    train_frames = sum(index["clips"][r]["frames"] for r in train_rels)
    log("data: %d train clips (%d frames, %.2f h), %d validation clips (%d frames) from %s in %.0f s"
        % (len(train_rels), train_frames, train_frames / 216000.0, len(val_clips),
           sum(c.frames for c in val_clips), cfg["data"], time.time() - t0))
    if dist.active:
        log("distributed: %d processes (%s, %s), global batch %d = %d per process; clip shards %d, "
            "each process reads %d of %d train clips" % (dist.world, dist.backend, dev, cfg["batch"],
                                                         cfg["batch"] // dist.world, shards, len(train_clips),
                                                         len(train_rels)))

    # ---- model, optimiser
    archs = architectures()
    if cfg["architecture"] not in archs:
        raise TrainError("architecture must be one of %s, not %r" % (sorted(archs), cfg["architecture"]))
    cfg_cls, model_cls = archs[cfg["architecture"]]
    mcfg = _dc(cfg_cls, (ck or init)["config"] if (ck or init) else cfg["model"], "model")
    lcfg = _dc(losses.LossConfig, cfg["loss"], "loss")
    scfg = _dc(smoothing.SmoothingConfig, cfg["smoothing"], "smoothing")
    torch.manual_seed(seed)
    model = model_cls(mcfg)
    window = getattr(model, "window", None)
    if window and not cfg["crop"]["min"] == cfg["crop"]["max"] == window:
        raise TrainError("the %s model takes crops of exactly %d ticks (crop min and max)"
                         % (cfg["architecture"], window))
    if stats is not None:
        from .export import set_normalisation
        set_normalisation(model, stats)
    if init is not None:
        model.load_state_dict(init["model"])
        log("fine-tuning %s: its model after %d steps (best validation MPJPE %s)"
            % (cfg["init"], init.get("step", 0), "%.2f cm" % init["best_val"]["MPJPE"] if init.get("best_val") else "-"))
    model.to(dev).train()
    fwd = dist.wrap(model)          # the training step's module (DistributedDataParallel when distributed)
    oc = cfg["optimizer"]
    opt = torch.optim.Adam(model.parameters(), lr=oc["lr"], betas=tuple(oc.get("betas", (0.9, 0.999))),
                           weight_decay=oc.get("weight_decay", 0.0))
    mean_len = 0.5 * (cfg["crop"]["min"] + cfg["crop"]["max"])
    epoch_ticks = cfg["epoch_ticks"] or train_frames
    steps_per_epoch = max(1, int(round(epoch_ticks / (cfg["batch"] * mean_len))))
    total_steps = steps_per_epoch * cfg["epochs"]
    budget = float(cfg["hours"]) * 3600.0 if cfg.get("hours") else None
    if cfg["schedule"].get("by") == "time" and budget is None:
        raise TrainError("schedule.by = time needs a time budget (config hours or --hours)")
    progress = {"t": 0.0}
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: lr_factor(cfg, s, total_steps, progress["t"]))
    state = {"epoch": 0, "step_in_epoch": 0, "step": 0, "best_val": None, "train_seconds": 0.0, "history": []}
    if ck is not None:
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        sched.load_state_dict(ck["scheduler"])
        for k in state:
            state[k] = ck.get(k, state[k])
        torch.set_rng_state(ck["rng"]["torch"])
        np.random.set_state(ck["rng"]["numpy"])
        random.setstate(ck["rng"]["python"])
        log("resumed %s: epoch %d, step %d of the epoch, %d steps, %s trained"
            % (last_path, state["epoch"] + 1, state["step_in_epoch"], state["step"], fmt_time(state["train_seconds"])))
    elif dist.main:
        with open(os.path.join(out_dir, "config.json"), "w", encoding="utf-8") as f:
            json.dump(cfg, f, indent=1)
    n_par = sum(p.numel() for p in model.parameters())
    macs = ("%d MACs per tick" % macs_per_tick(model)[0]) if isinstance(model, StreamKineST) else "offline"
    log("model: %d parameters, %s, config %s; %d threads, %s; %d steps/epoch x %d epochs = %d steps "
        "(batch %d, crops %d-%d ticks)" % (n_par, macs, mcfg.to_json(), threads, dev, steps_per_epoch, cfg["epochs"],
                                           total_steps, cfg["batch"], cfg["crop"]["min"], cfg["crop"]["max"]))
    with_contact = bool(getattr(mcfg, "contact_head", False))

    def checkpoint():
        return {"model": model.state_dict(), "architecture": cfg["architecture"], "config": dataclasses.asdict(mcfg),
                "optimizer": opt.state_dict(),
                "scheduler": sched.state_dict(),
                "rng": {"torch": torch.get_rng_state(), "numpy": np.random.get_state(), "python": random.getstate()},
                "train_config": cfg, "data": data_id, "skeleton": skel, "seed": seed,
                "steps_per_epoch": steps_per_epoch, "total_steps": total_steps, **state}

    samplers = {g: dataset.CropSampler(shard_clips[g], cfg["crop"]["min"], cfg["crop"]["max"], cfg["augment"], seed,
                                       seated_share=seated_cfg.get("share", 0.0), sit_ranges=sit_ranges)
                for g in mine}
    if cfg.get("budget_clock", "wall") not in ("wall", "cpu"):
        raise TrainError("budget_clock must be wall or cpu, not %r" % cfg["budget_clock"])
    clock = time.process_time if cfg.get("budget_clock") == "cpu" else time.time
    run_start = clock()
    base_seconds = state["train_seconds"]
    # wall time: a starved run with a CPU-time budget still loses at most this much on a kill
    next_save = time.time() + 60.0 * float(cfg["checkpoint_minutes"] or 1e9)
    stopped = None
    with Stop() as stop:
        while state["epoch"] < cfg["epochs"] and stopped is None:
            ep = state["epoch"]
            ds = Batches(samplers, cfg["batch"], seed, ep, scfg, dist.rank, dist.world, shards)
            sums, n_sum, ticks, t_ep = {}, 0, 0, time.time()
            t_log, ticks_log = time.time(), 0
            for b in batch_iter(ds, state["step_in_epoch"], steps_per_epoch, int(cfg["workers"])):
                x, y, fr, off = (b[k].to(dev) for k in ("x", "y_train", "frame", "offsets"))
                with dist.autocast(cfg["amp"]):
                    pred, *contact, _ = fwd(x, with_contact=True) if with_contact else fwd(x)
                contact = (contact[0].float(), b["contact"].to(dev)) if with_contact else (None, None)
                loss, terms = losses.total_loss(pred.float(), y, off, lcfg, fr, *contact)   # the loss in float32
                opt.zero_grad(set_to_none=True)
                loss.backward()
                if oc.get("grad_clip"):
                    torch.nn.utils.clip_grad_norm_(model.parameters(), oc["grad_clip"])
                opt.step()
                if budget:      # one value on every process (their mean clock): the same learning rate
                    progress["t"] = dist.mean([base_seconds + clock() - run_start])[0] / budget
                sched.step()
                if not torch.isfinite(loss):
                    raise TrainError("loss is %s at step %d" % (loss.item(), state["step"]))
                state["step"] += 1
                state["step_in_epoch"] += 1
                n = x.shape[0] * x.shape[1] * dist.world
                ticks += n
                ticks_log += n
                names = sorted(terms) + ["loss"]
                for k, v in zip(names, dist.mean([dict(terms, loss=loss)[k] for k in names])):
                    sums[k] = sums.get(k, 0.0) + v
                n_sum += 1
                now = time.time()
                state["train_seconds"] = base_seconds + (clock() - run_start)
                k = state["step_in_epoch"]
                if tty or k % cfg["log_every"] == 0 or k == steps_per_epoch:
                    rate = ticks / max(1e-9, now - t_ep)
                    left_ep = (steps_per_epoch - k) * cfg["batch"] * mean_len / rate
                    left = left_ep + (cfg["epochs"] - ep - 1) * steps_per_epoch * cfg["batch"] * mean_len / rate
                    if budget:
                        left = min(left, budget - state["train_seconds"])
                    line = ("epoch %d/%d step %d/%d | %.0f ticks/s | loss %.4f (%s) | lr %.2e | ETA epoch %s, all %s"
                            % (ep + 1, cfg["epochs"], k, steps_per_epoch, ticks_log / max(1e-9, now - t_log),
                               sums["loss"] / n_sum,
                               " ".join("%s %.4f" % (t, sums[t] / n_sum) for t in ("rot", "pos", "angvel", "contact")
                                        if t in sums),
                               sched.get_last_lr()[0], fmt_time(left_ep), fmt_time(left)))
                    if tty:
                        print("\r" + line[:200].ljust(200), end="", file=sys.stderr, flush=True)
                    else:
                        log(line)
                    t_log, ticks_log = now, 0
                signalled, out_of_time = dist.any([stop.signum is not None,
                                                   budget is not None and state["train_seconds"] >= budget])
                if signalled:
                    stop.signum = stop.signum or signal.SIGTERM      # another process was signalled
                    stopped = "signal %d" % stop.signum
                    break
                if out_of_time:
                    stopped = "time budget of %.2f h" % (budget / 3600.0)
                    break
                if now >= next_save and state["step_in_epoch"] < steps_per_epoch:
                    # within an epoch too: a killed run loses at most this much training
                    atomic_save(checkpoint(), last_path)
                    next_save = now + 60.0 * float(cfg["checkpoint_minutes"])
                    log("checkpoint %s at epoch %d step %d/%d (%s trained)"
                        % (last_path, ep + 1, state["step_in_epoch"], steps_per_epoch, fmt_time(state["train_seconds"])))
            if tty:
                print(file=sys.stderr)
            if stopped is not None and stop.signum is not None and state["step_in_epoch"] < steps_per_epoch:
                atomic_save(checkpoint(), last_path)
                log("stopped (%s) at epoch %d step %d/%d; checkpoint %s; continue with --resume"
                    % (stopped, ep + 1, state["step_in_epoch"], steps_per_epoch, last_path))
                break
            # ---- end of epoch: validation, history, checkpoints
            dist.check_same(model)
            val = dist.from_main(lambda: validate(model, val_clips, val_x))
            train_terms = {k: round(v / max(1, n_sum), 6) for k, v in sums.items()}
            best = state["best_val"] is None or val["MPJPE"] < state["best_val"]["MPJPE"]
            rec = {"epoch": ep + 1, "step": state["step"], "train": train_terms,
                   "val": {k: (None if v is None else round(v, 4)) for k, v in val.items()},
                   "ticks_per_s": round(ticks / max(1e-9, time.time() - t_ep)), "lr": sched.get_last_lr()[0],
                   "train_seconds": round(state["train_seconds"]), "best": best}
            state["history"].append(rec)
            if best:
                state["best_val"] = dict(rec["val"], epoch=ep + 1)
            partial = state["step_in_epoch"] < steps_per_epoch
            rec["partial_epoch"] = partial
            if not partial:
                state["epoch"] += 1
                state["step_in_epoch"] = 0
            ckd = checkpoint()
            atomic_save(ckd, last_path)
            if best:
                atomic_save(ckd, best_path)
            if dist.main:
                with open(os.path.join(out_dir, "history.jsonl"), "a", encoding="utf-8") as f:
                    f.write(json.dumps(rec) + "\n")
            log("epoch %d/%d done in %s: train loss %.4f | validation MPJPE %.2f cm, L-PE %.2f, U-PE %.2f, "
                "Jitter %.2f (GT %.2f), MPJRE %.2f deg (%.0f s)%s"
                % (ep + 1, cfg["epochs"], fmt_time(time.time() - t_ep), train_terms["loss"], val["MPJPE"],
                   val["L-PE"], val["U-PE"], val["Jitter"], val["GT-Jitter"], val["MPJRE"], val["seconds"],
                   " (best)" if best else ""))
            if stop.signum is not None and stopped is None:
                stopped = "signal %d" % stop.signum
            if stopped is not None:
                log("stopped (%s) %s epoch %d; checkpoint %s; continue with --resume (and a larger --hours)"
                    % (stopped, "during" if partial else "after", ep + 1, last_path))

    if stopped is None or stop.signum is None:
        # epochs counted from 1 as the progress lines do; a budget-ended one is partial
        part = " (the last partial)" if state["step_in_epoch"] else ""
        log("training finished%s: %d epochs%s, %d steps, %s; best validation MPJPE %.2f cm (epoch %d): %s"
            % ("" if stopped is None else " (%s)" % stopped, state["epoch"] + bool(part), part, state["step"],
               fmt_time(state["train_seconds"]), state["best_val"]["MPJPE"], state["best_val"]["epoch"], best_path))
        if cfg.get("export_at_end") and cfg["architecture"] == "stream" and dist.main:
            from . import export
            try:
                golden = export.GOLDEN_CLIP
                if not os.path.isfile(os.path.join(cfg["data"], golden)):   # a build without it (AMASS alone)
                    golden = (dataset.clips_of(index, "test") or dataset.clips_of(index, "validation"))[0]
                export.run(os.path.join(out_dir, "export"), checkpoint=best_path, data_dir=cfg["data"],
                           golden_clip=golden, log=log)
            except Exception as e:      # the training itself is done; say why the export failed
                log("export of %s failed: %s" % (best_path, e))
        return 0
    return 128 + stop.signum if stop.signum else 0
