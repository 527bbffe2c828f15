"""`kinest train` under torchrun: 2 gloo processes on this machine train a tiny config and
end where one process with the same global batch ends (tolerance TOL); the loss falls; the
run resumes with another number of processes; the checkpoint exports like any other."""
import json
import os
import socket
import subprocess
import sys
import unittest

import numpy as np
import torch

from tests.tools import common
from tests.tools.test_train import TinyBuildCase, config
from kinestpy import dataset, distributed, export, train
from kinestpy import safetensors_io as st

KINEST = os.path.join(common.TOOLS, "kinest")
# Largest weight difference accepted between the 2-process and the 1-process run after 12
# Adam steps: the two sum the same per-sample gradients in another order (float32), nothing else.
TOL = 1e-4


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def torchrun(nproc, cfg, out, *extra):
    """tools/kinest train under torch.distributed.run with `nproc` gloo processes on 127.0.0.1.
    `--redirects 2 --tee 2`: Debian's torch 1.13 on Python 3.11 cannot parse the default "0"
    of these two options (docs/training.md); 2 = stderr to a log file and to the console."""
    env = dict(os.environ, GLOO_SOCKET_IFNAME="lo", OMP_NUM_THREADS="1")
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nnodes", "1", "--nproc_per_node", str(nproc),
           "--master_addr", "127.0.0.1", "--master_port", str(free_port()), "--redirects", "2", "--tee", "2",
           KINEST, "train", cfg, "--out", out]
    return subprocess.run(cmd + list(extra), env=env, capture_output=True, text=True, timeout=600)


def history(out):
    with open(os.path.join(out, "history.jsonl")) as f:
        return [json.loads(line) for line in f]


def max_diff(a, b):
    return max(float((a[k].double() - b[k].double()).abs().max()) for k in a)


class TestBatchesShare(unittest.TestCase):
    def test_process_shares_make_the_global_batch(self):
        clips = [common.built(common.WALK), common.built(common.BOW)]
        samplers = {g: dataset.CropSampler([c], 30, 50, {"enabled": True}, seed=0) for g, c in enumerate(clips)}
        whole = train.Batches(samplers, 4, seed=5, epoch=1, smooth_cfg=None, shards=2)[3]
        for rank in (0, 1):
            mine = {rank: samplers[rank]}          # a process reads only its own shard
            part = train.Batches(mine, 4, seed=5, epoch=1, smooth_cfg=None, rank=rank, world=2, shards=2)[3]
            for k in ("x", "y", "offsets"):
                self.assertTrue(torch.equal(part[k], whole[k][rank::2]), k)

    def test_layout_checks(self):
        distributed.check_layout(8, 4, 2)
        with self.assertRaises(distributed.DistError):
            distributed.check_layout(5, 1, 2)
        with self.assertRaises(distributed.DistError):
            distributed.check_layout(8, 3, 2)
        self.assertEqual(distributed.shard_of(["c", "a", "b"], 2), {0: ["a", "c"], 1: ["b"]})
        self.assertEqual(distributed.owned_shards(4, 1, 2), [1, 3])


def _check_same_worker(rank, port, seeds, results):
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), GLOO_SOCKET_IFNAME="lo")
    torch.distributed.init_process_group("gloo", rank=rank, world_size=2)
    torch.manual_seed(seeds[rank])
    d = distributed.Dist(rank, 2, rank, torch.device("cpu"), "gloo")
    try:
        d.check_same(torch.nn.Linear(4, 3))
        results.put((rank, "same"))
    except distributed.DistError:
        results.put((rank, "differ"))
    finally:
        torch.distributed.destroy_process_group()


GLOO = torch.distributed.is_available() and torch.distributed.is_gloo_available()


@unittest.skipUnless(GLOO, "this PyTorch has no gloo backend")
class TestCheckSame(unittest.TestCase):
    def run_pair(self, seeds):
        ctx = torch.multiprocessing.get_context("spawn")
        q = ctx.SimpleQueue()
        torch.multiprocessing.start_processes(_check_same_worker, args=(free_port(), seeds, q), nprocs=2,
                                              start_method="spawn")
        return sorted(q.get() for _ in range(2))

    def test_processes_that_drifted_apart_are_caught(self):
        self.assertEqual(self.run_pair((1, 1)), [(0, "same"), (1, "same")])
        self.assertEqual(self.run_pair((1, 2)), [(0, "differ"), (1, "differ")])


@unittest.skipUnless(GLOO, "this PyTorch has no gloo backend")
class TestTwoProcesses(TinyBuildCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        over = {"data": cls.data, "data_shards": 2, "batch": 4, "epochs": 2, "epoch_ticks": 768,
                "export_at_end": False}
        cls.cfg = config(os.path.join(cls.tmp, "tiny.json"), **over)

    def test_two_gloo_processes_equal_one(self):
        one = os.path.join(self.tmp, "one")
        self.assertEqual(train.main(self.cfg, one, log=lambda s: None), 0)
        two = os.path.join(self.tmp, "two")
        r = torchrun(2, self.cfg, two)
        self.assertEqual(r.returncode, 0, r.stderr[-3000:])
        self.assertIn("distributed: 2 processes (gloo", r.stderr)
        h1, h2 = history(one), history(two)
        self.assertEqual([h["step"] for h in h1], [h["step"] for h in h2])
        self.assertGreater(h1[0]["step"], 4)
        # the loss falls, in both
        for h in (h1, h2):
            self.assertLess(h[1]["train"]["loss"], h[0]["train"]["loss"], h)
        for a, b in zip(h1, h2):
            self.assertAlmostEqual(a["train"]["loss"], b["train"]["loss"], delta=1e-4)
            self.assertAlmostEqual(a["val"]["MPJPE"], b["val"]["MPJPE"], delta=0.01)
        c1, c2 = torch.load(os.path.join(one, "last.pt")), torch.load(os.path.join(two, "last.pt"))
        self.assertEqual(set(c1["model"]), set(c2["model"]))          # no DDP "module." prefix
        self.assertLess(max_diff(c1["model"], c2["model"]), TOL)
        self.assertEqual(sorted(os.listdir(two)), sorted(os.listdir(one)))   # one writer: no stray files
        # the exports of both: the same tensors within TOL
        e1, e2 = os.path.join(self.tmp, "e1"), os.path.join(self.tmp, "e2")
        for ck, e in ((one, e1), (two, e2)):
            export.run(e, checkpoint=os.path.join(ck, "last.pt"), data_dir=self.data, with_golden=False,
                       log=lambda s: None)
        (t1, m1), (t2, m2) = (st.read(os.path.join(e, "kinest.safetensors")) for e in (e1, e2))
        self.assertEqual(m1.get("architecture"), m2.get("architecture"))
        self.assertEqual(set(t1), set(t2))
        self.assertLess(max(float(np.abs(np.asarray(t1[k], np.float64) - np.asarray(t2[k], np.float64)).max())
                            for k in t1), TOL)

        # resumable with another number of processes: 2 processes stop on a time budget (a
        # checkpoint), 1 process resumes and finishes the run
        three = os.path.join(self.tmp, "three")
        r = torchrun(2, self.cfg, three, "--hours", "0.0001")
        self.assertEqual(r.returncode, 0, r.stderr[-3000:])
        self.assertLess(torch.load(os.path.join(three, "last.pt"))["step"], c1["step"])
        self.assertEqual(train.main(self.cfg, three, resume=True, hours=1.0, log=lambda s: None), 0)
        c3 = torch.load(os.path.join(three, "last.pt"))
        self.assertEqual(c3["step"], c1["step"])
        self.assertLess(max_diff(c1["model"], c3["model"]), TOL)

    def test_time_schedule_keeps_processes_in_step(self):
        """A learning rate that follows wall time is taken from the processes' common clock
        (each process's own would step them apart, which check_same refuses)."""
        cfg = config(os.path.join(self.tmp, "by-time.json"), data=self.data, data_shards=2, batch=4, epochs=1,
                     epoch_ticks=768, export_at_end=False, hours=0.004,
                     schedule={"kind": "cosine", "by": "time", "warmup_steps": 2, "min_lr_ratio": 0.1})
        r = torchrun(2, cfg, os.path.join(self.tmp, "by-time"))
        self.assertEqual(r.returncode, 0, r.stderr[-3000:])
        self.assertIn("training finished", r.stderr)


if __name__ == "__main__":
    unittest.main()
