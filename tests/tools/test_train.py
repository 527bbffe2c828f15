"""Training: a few optimiser steps on real clips lower the loss; the whole `kinest train`
path on a tiny data build of real clips (checkpoints, validation, history, export at the
end); a run stopped by SIGTERM and resumed ends with the same weights as one that was not
stopped; `kinest predict` writes clips that `kinest eval` scores."""
import json
import os
import re
import shutil
import signal
import tempfile
import unittest

import numpy as np
import torch

from tests.tools import common
from kinestpy import clipio, dataset, evaluate, export, predict, train
from kinestpy.model import architectures, losses, stream

SMOKE = os.path.join(common.TOOLS, "kinestpy", "configs", "smoke.json")
DEFAULT = os.path.join(common.TOOLS, "kinestpy", "configs", "default.json")
COMPARE = {n[:-5]: os.path.join(common.TOOLS, "kinestpy", "configs", "compare", n)
           for n in sorted(os.listdir(os.path.join(common.TOOLS, "kinestpy", "configs", "compare")))}


def tiny_build(root):
    """A data build of four real clips: two train, one validation, and the golden test clip."""
    layout = [("train", common.BOW), ("train", common.HDM_SQUAT), ("validation", common.CMU_WALK),
              ("test", common.WALK)]
    index = {"kinest_index": 1, "data": common.DATA, "rate_hz": 60.0, "clips": {}}
    for split, src in layout:
        folder = os.path.dirname(src)
        clip = common.built(src)
        rel = "%s/%s/%s.kclip" % (split, folder, clip.meta["clip"])
        os.makedirs(os.path.join(root, os.path.dirname(rel)), exist_ok=True)
        clipio.write(os.path.join(root, rel), clip)
        index["clips"][rel] = {"path": rel, "source": folder, "split": split, "frames": clip.frames}
    with open(os.path.join(root, "index.json"), "w") as f:
        json.dump(index, f)
    return index


def config(path, **over):
    with open(SMOKE) as f:
        cfg = json.load(f)
    cfg.update(over)
    with open(path, "w") as f:
        json.dump(cfg, f)
    return path


class TestConfigs(unittest.TestCase):
    def test_configs_load(self):
        for p in (SMOKE, DEFAULT) + tuple(COMPARE.values()):
            cfg = train.load_config(p)
            architectures()[cfg["architecture"]][0](**cfg["model"])
            losses.LossConfig(**cfg["loss"])
            self.assertIsNotNone(dataset.augment_kwargs(cfg["augment"]))
        d = train.load_config(DEFAULT)
        self.assertEqual(stream.StreamConfig(**d["model"]), stream.StreamConfig())   # the default model
        with tempfile.TemporaryDirectory() as tmp:
            bad = os.path.join(tmp, "bad.json")
            with open(bad, "w") as f:
                json.dump({"epochz": 3}, f)
            with self.assertRaises(train.TrainError):
                train.load_config(bad)

    def test_comparison_runs_differ_in_one_thing(self):
        """The equal-budget runs of docs/model.md change only what they compare."""
        base = train.load_config(COMPARE["stream"])
        self.assertEqual(base["hours"], None)
        expect = {"offline": {"architecture", "crop"}, "no-smoothing": {"smoothing"}, "no-angvel": {"loss"},
                  "index-order": {"model"}, "stream": set()}
        sitting = {"sit-none", "sit-share"}
        self.assertEqual(set(COMPARE), set(expect) | sitting | {"cmu-seated-nolean"})
        differ = lambda a, b: {k for k in a if k not in ("name", "comment") and a[k] != b[k]}   # noqa: E731
        for name in expect:
            self.assertEqual(differ(train.load_config(COMPARE[name]), base), expect[name], name)
        # issue 18's pair: configs/cmu.json at a shorter budget, with and without synthetic sitting
        none, share = (train.load_config(COMPARE[n]) for n in sorted(sitting))
        cmu = train.load_config(os.path.join(common.TOOLS, "kinestpy", "configs", "cmu.json"))
        self.assertEqual(differ(share, cmu), {"hours"})
        self.assertEqual(differ(none, share), {"seated"})
        self.assertEqual((none["seated"]["share"], share["seated"]["share"]), (0.0, cmu["seated"]["share"]))
        # the fine-tuning's ablation: configs/cmu-seated.json without the seated posture, from the shipped cmu run
        tuned = train.load_config(os.path.join(common.TOOLS, "kinestpy", "configs", "cmu-seated.json"))
        nolean = train.load_config(COMPARE["cmu-seated-nolean"])
        self.assertEqual(differ(nolean, tuned), {"seated"})
        posture = ("tilt_deg", "lean_deg")
        self.assertEqual({k: v for k, v in tuned["seated"].items() if k not in posture}, nolean["seated"])
        self.assertTrue(all(k in tuned["seated"] for k in posture))
        self.assertEqual(tuned["init"], "models/training/cmu/best.pt")
        self.assertTrue(os.path.isfile(os.path.join(common.ROOT, tuned["init"])))
        # the turned seat: the posture run after its first hour, on with twist_deg added
        twist = train.load_config(os.path.join(common.TOOLS, "kinestpy", "configs", "cmu-seated-twist.json"))
        self.assertEqual(differ(twist, tuned), {"init", "seed", "seated"})
        self.assertEqual({k: v for k, v in twist["seated"].items() if k != "twist_deg"}, tuned["seated"])
        self.assertEqual(dataset.sit_kwargs({"twist_deg": twist["seated"]["twist_deg"]}), {"twist_deg": (0.0, 60.0)})
        self.assertEqual(twist["init"], "models/training/cmu-seated/last.pt")
        self.assertTrue(os.path.isfile(os.path.join(common.ROOT, twist["init"])))

    def test_schedule(self):
        cfg = train.load_config(DEFAULT)
        cfg["schedule"] = {"kind": "cosine", "by": "steps", "warmup_steps": 10, "min_lr_ratio": 0.1}
        f = [train.lr_factor(cfg, s, 110) for s in range(111)]
        self.assertAlmostEqual(f[0], 0.1)
        self.assertAlmostEqual(f[9], 1.0)
        self.assertAlmostEqual(f[110], 0.1)
        self.assertTrue(all(a >= b for a, b in zip(f[9:], f[10:])))
        cfg["schedule"]["by"] = "time"
        self.assertAlmostEqual(train.lr_factor(cfg, 50, 110, 0.5), 0.55)
        self.assertAlmostEqual(train.lr_factor(cfg, 50, 110, 2.0), 0.1)


class TestSteps(unittest.TestCase):
    def test_loss_goes_down(self):
        """A few Adam steps on one batch of real crops (tiny model) lower the training loss."""
        torch.manual_seed(0)
        clips = [common.built(common.WALK), common.built(common.HDM_SQUAT)]
        sampler = dataset.CropSampler(clips, 40, 40, {"enabled": True, "device_noise": None}, seed=3)
        b = sampler.batch(4)
        self.assertEqual(tuple(b["x"].shape), (4, 40, 58))
        self.assertEqual(tuple(b["y"].shape), (4, 40, 21, 6))
        cfg = train.load_config(SMOKE)
        model = stream.StreamKineST(stream.StreamConfig(**cfg["model"]))
        opt = torch.optim.Adam(model.parameters(), lr=3e-3)
        lc = losses.LossConfig()
        hist = []
        for _ in range(25):
            pred, _ = model(b["x"])
            loss, terms = losses.total_loss(pred, b["y"], b["offsets"], lc, b["frame"])
            opt.zero_grad()
            loss.backward()
            opt.step()
            hist.append(float(loss))
        self.assertTrue(all(np.isfinite(hist)))
        self.assertLess(np.mean(hist[-3:]), 0.7 * hist[0], hist)

    def test_batches_are_reproducible(self):
        clips = [common.built(common.WALK)]
        s = dataset.CropSampler(clips, 30, 50, {"enabled": True}, seed=0)
        ds = train.Batches({0: s}, 2, seed=5, epoch=1, smooth_cfg=None)
        a, b, c = ds[3], ds[4], ds[3]
        self.assertTrue(torch.equal(a["x"], c["x"]) and torch.equal(a["y"], c["y"]))
        self.assertFalse(a["x"].shape == b["x"].shape and torch.equal(a["x"], b["x"]))


class TinyBuildCase(unittest.TestCase):
    """Tests that train on a tiny_build in a temporary folder (cls.tmp, cls.data)."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="kinest-train-test-")
        cls.data = os.path.join(cls.tmp, "data")
        tiny_build(cls.data)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)


class TestTrainCommand(TinyBuildCase):

    def run_train(self, name, cfg_over=None, log=None, **kw):
        cfg = config(os.path.join(self.tmp, name + ".json"), data=self.data, **(cfg_over or {}))
        out = os.path.join(self.tmp, name)
        lines = []

        def logger(s):
            lines.append(s)
            if log:
                log(s)
        rc = train.main(cfg, out, log=logger, **kw)
        return rc, out, lines

    def test_train_stop_resume_export_predict(self):
        # uninterrupted: 2 epochs
        rc, out_a, lines = self.run_train("a", {"export_at_end": False})
        self.assertEqual(rc, 0, lines)
        with open(os.path.join(out_a, "history.jsonl")) as f:
            hist = [json.loads(line) for line in f]
        self.assertEqual([h["epoch"] for h in hist], [1, 2])
        self.assertTrue(all(np.isfinite(h["val"]["MPJPE"]) for h in hist))
        self.assertTrue(os.path.isfile(os.path.join(out_a, "best.pt")))
        ck_a = torch.load(os.path.join(out_a, "last.pt"))
        self.assertEqual((ck_a["epoch"], ck_a["step"]), (2, 2 * ck_a["steps_per_epoch"]))

        # stopped by SIGTERM at the 2nd step, then resumed: the same weights as uninterrupted
        def kill_at_step_2(s):
            if "epoch 1/2 step 2/" in s:
                os.kill(os.getpid(), signal.SIGTERM)
        rc, out_b, lines = self.run_train("b", {"export_at_end": True}, log=kill_at_step_2)
        self.assertEqual(rc, 128 + signal.SIGTERM, lines)
        ck = torch.load(os.path.join(out_b, "last.pt"))
        self.assertEqual((ck["epoch"], ck["step_in_epoch"], ck["step"]), (0, 2, 2))
        self.assertFalse(os.path.exists(os.path.join(out_b, "history.jsonl")))
        # a checkpoint from before a config key existed resumes with the key's default
        del ck["train_config"]["architecture"]
        torch.save(ck, os.path.join(out_b, "last.pt"))
        rc, out_b, lines = self.run_train("b", {"export_at_end": True}, resume=True)
        self.assertEqual(rc, 0, lines)
        ck_b = torch.load(os.path.join(out_b, "last.pt"))
        self.assertEqual(ck_b["step"], ck_a["step"])
        for k, v in ck_a["model"].items():
            self.assertTrue(torch.equal(v, ck_b["model"][k]), k)
        # a finished run refuses a fresh start in the same folder
        with self.assertRaises(train.TrainError):
            self.run_train("b")

        # export at the end: weights + golden of best.pt
        self.assertTrue(os.path.isfile(os.path.join(out_b, "export", "kinest.safetensors")))
        self.assertTrue(os.path.isfile(os.path.join(out_b, "export", "golden.safetensors")))

        # predict -> eval --report reads it
        pred = os.path.join(self.tmp, "pred")
        res = predict.run(os.path.join(out_b, "best.pt"), self.data, pred, log=lambda s: None)
        self.assertEqual(res["clips"], 1)
        rep = evaluate.report(self.data, pred)
        g = rep["groups"]["bandai-2"]
        self.assertEqual(g["clips"], 1)
        self.assertTrue(0 < g["MPJPE"] < 100, g)
        # the same prediction from the exported weights
        pred2 = os.path.join(self.tmp, "pred2")
        predict.run(os.path.join(out_b, "export", "kinest.safetensors"), self.data, pred2, log=lambda s: None)
        with open(os.path.join(self.data, "index.json")) as f:
            rel = next(r for r in json.load(f)["clips"] if r.startswith("test/"))
        a, b = clipio.read(os.path.join(pred, rel)), clipio.read(os.path.join(pred2, rel))
        self.assertLess(np.abs(a.pred_pos - b.pred_pos).max(), 1e-5)

    def test_offline_replica(self):
        """The replica trains through the same command (windows of exactly its length), is
        evaluated over the release's windows, and is refused by the engine export."""
        model = {"window": 16, "d_model": 32, "n_temporal": 1, "n_spatial": 1, "joint_dim": 8, "d_state": 4,
                 "headdim": 16, "joint_headdim": 8, "nhead": 2, "d_ff": 64, "chunk": 8, "joint_chunk": 16}
        with self.assertRaisesRegex(train.TrainError, "exactly 16"):
            self.run_train("off", {"architecture": "offline", "model": model, "crop": {"min": 16, "max": 24}})
        rc, out, lines = self.run_train("off2", {"architecture": "offline", "model": model,
                                                 "crop": {"min": 16, "max": 16}})
        self.assertEqual(rc, 0, lines)
        self.assertFalse(os.path.exists(os.path.join(out, "export")))
        pred = os.path.join(self.tmp, "pred-off")
        predict.run(os.path.join(out, "best.pt"), self.data, pred, log=lambda s: None)
        g = evaluate.report(self.data, pred)["groups"]["bandai-2"]
        self.assertTrue(0 < g["MPJPE"] < 100, g)
        with self.assertRaisesRegex(export.ExportError, "offline"):
            export.run(os.path.join(self.tmp, "exp-off"), checkpoint=os.path.join(out, "best.pt"),
                       data_dir=self.data, log=lambda s: None)

    def test_seed_override(self):
        rc, out, lines = self.run_train("s", {"export_at_end": False, "epochs": 1}, seed=77)
        self.assertEqual(rc, 0, lines)
        with open(os.path.join(out, "config.json")) as f:
            self.assertEqual(json.load(f)["seed"], 77)
        self.assertEqual(torch.load(os.path.join(out, "last.pt"))["seed"], 77)
        with self.assertRaisesRegex(train.TrainError, "new run"):
            self.run_train("s", resume=True, seed=78)

    def test_threads_override_on_resume(self):
        """--threads replaces the checkpoint's thread count when a run resumes (e.g. the second
        core once the other training of a pair has ended)."""
        rc, out, lines = self.run_train("th", {"export_at_end": False, "epochs": 1, "threads": 1})
        self.assertEqual(rc, 0, lines)
        self.assertTrue(any("; 1 threads," in l for l in lines), lines)
        before = torch.get_num_threads()
        try:
            rc, out, lines = self.run_train("th", {"export_at_end": False}, resume=True, epochs=2, threads=2)
        finally:
            torch.set_num_threads(before)
        self.assertEqual(rc, 0, lines)
        self.assertTrue(any("; 2 threads," in l for l in lines), lines)
        self.assertEqual(torch.load(os.path.join(out, "last.pt"))["train_config"]["threads"], 2)

    def test_fine_tune_starts_from_its_init(self):
        """config init: a new run starts from a checkpoint's model, normalisation and skeleton
        (whatever its own "model" says); at a learning rate of 0 it ends where it started."""
        rc, base, lines = self.run_train("base", {"export_at_end": False, "epochs": 1})
        self.assertEqual(rc, 0, lines)
        init = torch.load(os.path.join(base, "last.pt"))
        over = {"export_at_end": False, "epochs": 1, "init": os.path.join(base, "last.pt"),
                "model": {"d_model": 8}, "seated": {"share": 0.5, "lean_deg": [0, 10]}}
        rc, out, lines = self.run_train("ft0", dict(over, optimizer={"lr": 0.0}))
        self.assertEqual(rc, 0, lines)
        self.assertTrue(any(l.startswith("fine-tuning %s" % over["init"]) for l in lines), lines)
        ft = torch.load(os.path.join(out, "last.pt"))
        self.assertEqual(ft["config"], init["config"])
        self.assertEqual(ft["skeleton"], init["skeleton"])
        self.assertEqual(ft["step"], ft["steps_per_epoch"])
        self.assertEqual(ft["data"]["fine_tuned_from"], {"checkpoint": over["init"], "data": init["data"]})
        # the weights owe the terms of the earlier run's data too
        tuned = dataset.fine_tuned({"train_sources": ["cmu"]}, {"train_sources": ["bandai/dataset-1"]}, "x.pt")
        self.assertEqual((tuned["train_sources"], tuned["use"]), (["bandai/dataset-1", "cmu"], dataset.NON_COMMERCIAL))
        for k, v in init["model"].items():
            self.assertTrue(torch.equal(ft["model"][k], v), k)
        rc, out, lines = self.run_train("ft1", over)
        self.assertEqual(rc, 0, lines)
        moved = torch.load(os.path.join(out, "last.pt"))["model"]
        self.assertTrue(any(not torch.equal(moved[k], v) for k, v in init["model"].items()))
        with self.assertRaisesRegex(train.TrainError, "init"):
            self.run_train("ft2", dict(over, init=os.path.join(self.tmp, "missing.pt")))
        with self.assertRaisesRegex(train.TrainError, "lean_deg"):
            self.run_train("ft3", dict(over, seated={"share": 0.5, "lean_deg": [10, 0]}))

    def test_time_budget(self):
        rc, out, lines = self.run_train("t", {"export_at_end": False, "epochs": 50,
                                              "schedule": {"kind": "cosine", "by": "time", "warmup_steps": 1}},
                                        hours=0.5 / 3600)
        self.assertEqual(rc, 0, lines)
        ck = torch.load(os.path.join(out, "last.pt"))
        self.assertLess(ck["epoch"], 50)
        self.assertTrue(any("time budget" in l for l in lines), lines)
        self.assertTrue(os.path.isfile(os.path.join(out, "best.pt")))
        # the end line counts the budget-ended epoch as the progress lines do (best epoch among them)
        end = [l for l in lines if l.startswith("training finished")]
        shown = int(re.search(r": (\d+) epochs", end[0]).group(1))
        self.assertEqual(shown, ck["epoch"] + (1 if ck["step_in_epoch"] else 0), end)
        self.assertLessEqual(ck["best_val"]["epoch"], shown)

    def test_cpu_time_budget_and_periodic_checkpoints(self):
        """budget_clock cpu: the process's CPU time is the budget (a loaded machine does not use it
        up); checkpoint_minutes writes last.pt within an epoch too."""
        rc, out, lines = self.run_train("c", {"export_at_end": False, "epochs": 50, "budget_clock": "cpu",
                                              "checkpoint_minutes": 0.001, "epoch_ticks": 100000,
                                              "schedule": {"kind": "cosine", "by": "time", "warmup_steps": 1}},
                                        hours=1.0 / 3600)
        self.assertEqual(rc, 0, lines)
        ck = torch.load(os.path.join(out, "last.pt"))
        self.assertEqual(ck["epoch"], 0)                  # stopped by the budget within the first epoch
        self.assertGreaterEqual(ck["train_seconds"], 1.0)
        self.assertTrue(any(l.startswith("checkpoint ") and "step" in l for l in lines), lines)
        with self.assertRaisesRegex(train.TrainError, "budget_clock"):
            self.run_train("c2", {"budget_clock": "moon"})


class TestPredictBatching(unittest.TestCase):
    def test_padded_batches_equal_single_clips(self):
        torch.manual_seed(0)
        cfg = train.load_config(SMOKE)
        model = stream.StreamKineST(stream.StreamConfig(**cfg["model"])).eval()
        xs = [torch.randn(n, 58) for n in (17, 40, 33, 5)]
        together = predict.run_clips(model, xs, batch_ticks=200)
        alone = [predict.run_clips(model, [x])[0] for x in xs]
        for a, b in zip(together, alone):
            self.assertEqual(a.shape, b.shape)
            self.assertLess((a - b).abs().max().item(), 1e-5)


if __name__ == "__main__":
    unittest.main()
