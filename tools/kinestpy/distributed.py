"""`kinest train` on several processes, GPUs and machines (docs/training.md).

Started by `torchrun` (which sets RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR/PORT), every
process runs the same training loop: the model in DistributedDataParallel (NCCL between
GPUs, gloo between CPU processes), each process making its share of every global batch
(train.Batches: samples i = rank, rank + world, ...), gradients averaged across processes,
so a step is the same step whatever the number of processes. Process 0 alone validates
(the others receive its figures), writes checkpoints, history and the export. Without
torchrun (WORLD_SIZE unset or 1) none of this is set up and training runs as one process.

Clip shards: with config `data_shards` G (a multiple of the process count), the train
clips are dealt into G shards (clip j of the sorted list into shard j mod G) and sample i
of a global batch is cropped from shard i mod G; a process then reads only the shards its
samples use, 1/world of the clips. G stays fixed when a run resumes with another process
count (any divisor of G), so the batches do not change.
"""
import contextlib
import datetime
import os

import numpy as np
import torch
import torch.distributed as tdist

TIMEOUT = datetime.timedelta(hours=2)     # the others wait this long while process 0 validates


class DistError(Exception):
    pass


class Dist:
    def __init__(self, rank=0, world=1, local_rank=0, device=None, backend=None):
        self.rank, self.world, self.local_rank, self.backend = rank, world, local_rank, backend
        self.device = device or torch.device("cuda" if torch.cuda.is_available() else "cpu")

    @property
    def main(self):
        return self.rank == 0

    @property
    def active(self):
        return self.world > 1

    def wrap(self, model):
        """The module the training step calls: model itself, or its DistributedDataParallel wrapper."""
        if not self.active:
            return model
        ids = [self.local_rank] if self.device.type == "cuda" else None
        return torch.nn.parallel.DistributedDataParallel(model, device_ids=ids)

    def autocast(self, mode):
        """bf16 autocast of the model's forward on CUDA (config amp "bf16"); off on the CPU."""
        if self.device.type == "cuda" and mode == "bf16":
            return torch.autocast(device_type="cuda", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def mean(self, values):
        """Mean over the processes of a list of floats (loss terms of each one's share)."""
        if not self.active:
            return [float(v) for v in values]
        t = torch.tensor([float(v) for v in values], dtype=torch.float64, device=self.device)
        tdist.all_reduce(t)
        return (t / self.world).tolist()

    def any(self, flags):
        """Per flag: whether any process raised it (stop on a signal or the time budget together)."""
        if not self.active:
            return [bool(f) for f in flags]
        t = torch.tensor([1.0 if f else 0.0 for f in flags], device=self.device)
        tdist.all_reduce(t)
        return [bool(v > 0) for v in t.tolist()]

    def sum_arrays(self, arrays):
        """Element-wise sums over the processes of float64 numpy arrays (statistics of sharded clips)."""
        if not self.active:
            return arrays
        flat = np.concatenate([np.ravel(a) for a in arrays])
        t = torch.from_numpy(flat).to(self.device)
        tdist.all_reduce(t)
        flat, out, k = t.cpu().numpy(), [], 0
        for a in arrays:
            n = np.size(a)
            out.append(flat[k:k + n].reshape(np.shape(a)))
            k += n
        return out

    def check_same(self, model):
        """Raise DistError unless every process holds the same parameters (a sum of them all):
        anything that made the processes step differently (a per-process learning rate, say)
        would otherwise go unnoticed, as only process 0's copy is saved."""
        if not self.active:
            return
        with torch.no_grad():
            s = sum(p.double().sum() for p in model.parameters()).to(self.device)
        t = torch.stack([s, -s])
        tdist.all_reduce(t, op=tdist.ReduceOp.MAX)
        if float(t[0]) != -float(t[1]):
            raise DistError("the processes' parameters differ (sums %.17g .. %.17g)" % (-float(t[1]), float(t[0])))

    def from_main(self, fn):
        """fn() on process 0, its (picklable) result on every process."""
        if not self.active:
            return fn()
        box = [fn() if self.main else None]
        tdist.broadcast_object_list(box, src=0, device=self.device if self.backend == "nccl" else None)
        return box[0]

    def close(self):
        if self.active and tdist.is_initialized():
            tdist.destroy_process_group()


_CURRENT = Dist()


def current():
    return _CURRENT


def is_main():
    return _CURRENT.main


def setup():
    """The Dist of this process: from torchrun's environment, else a single process."""
    global _CURRENT
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        _CURRENT = Dist()
        return _CURRENT
    if not tdist.is_available():
        raise DistError("this PyTorch has no torch.distributed")
    rank, local = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
    if torch.cuda.is_available():
        torch.cuda.set_device(local)
        device, backend = torch.device("cuda", local), "nccl"
    else:
        device, backend = torch.device("cpu"), "gloo"
    backend = os.environ.get("KINEST_DIST_BACKEND", backend)
    tdist.init_process_group(backend, timeout=TIMEOUT)
    _CURRENT = Dist(rank, world, local, device, backend)
    return _CURRENT


def default_threads():
    """Torch threads per process: the cores shared by the processes on this machine."""
    return max(1, (os.cpu_count() or 1) // int(os.environ.get("LOCAL_WORLD_SIZE", "1")))


def check_layout(batch, shards, world):
    if batch % world:
        raise DistError("batch %d is not a multiple of the %d processes" % (batch, world))
    if shards < 1 or (shards > 1 and shards % world):
        raise DistError("data_shards %d must be 1 or a multiple of the %d processes" % (shards, world))


def owned_shards(shards, rank, world):
    """Shards whose samples this process makes (all of them with one shard)."""
    return [0] if shards == 1 else [g for g in range(shards) if g % world == rank]


def shard_of(rels, shards):
    """{shard: [clip paths]}: clip j of the sorted list into shard j mod `shards`."""
    out = {g: [] for g in range(shards)}
    for j, r in enumerate(sorted(rels)):
        out[j % shards].append(r)
    return out
