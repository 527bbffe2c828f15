"""`data build` on a small data folder: index fields, split layout, refused clips reported by name."""
import gzip
import io
import json
import os
import tempfile
import unittest
from contextlib import redirect_stderr

from tests.tools import common
from kinestpy import build, clipio, importer


class TestBuild(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        data = os.path.join(cls.tmp.name, "data")
        for rel in ("bandai/dataset-1/dataset-1_walk_happy_001.bvh.gz",
                    "bandai/dataset-1/dataset-1_walk_happy_001.json",
                    "cmu-sample/08_01.bvh.gz", "cmu-sample/07_12.bvh.gz",
                    "hdm05/HDM_bd.asf.gz", "hdm05/HDM_mm.asf.gz", "hdm05/HDM_dg.asf.gz", common.HDM_SQUAT,
                    common.HDM_TEST, "hdm05/HDM_dg_squat1Reps_030_120.amc.gz"):
            os.makedirs(os.path.join(data, os.path.dirname(rel)), exist_ok=True)
            os.symlink(common.data_file(rel), os.path.join(data, rel))   # read in place, never copied
        with open(os.path.join(data, "cmu-sample", "99_01.bvh.gz"), "wb") as f:
            f.write(gzip.compress(b"HIERARCHY\nROOT hip\n{\n  OFFSET 0 0 0\n"))
        with open(os.path.join(data, "cmu-sample", "99_02.bvh.gz"), "wb") as f:
            f.write(gzip.compress(b"HIERARCHY\n" * 1000)[:40])               # truncated gzip
        cls.out = os.path.join(cls.tmp.name, "out")
        cls.log = []
        with redirect_stderr(io.StringIO()):
            cls.index = build.run(data, cls.out, workers=1, log=cls.log.append)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_clips_and_index(self):
        self.assertEqual(sorted(self.index["clips"]), [
            "test/bandai/dataset-1/dataset-1_walk_happy_001.kclip", "test/cmu-sample/08_01.kclip",
            "test/hdm05/HDM_mm_squat1Reps_040_120.kclip", "train/hdm05/HDM_bd_squat1Reps_001_120.kclip",
            "train/hdm05/HDM_dg_squat1Reps_030_120.kclip"])
        self.assertIn("rotation-flip", self.index["clips"]["train/hdm05/HDM_dg_squat1Reps_030_120.kclip"]["rules"])
        h = self.index["clips"]["train/hdm05/HDM_bd_squat1Reps_001_120.kclip"]
        self.assertEqual(h["subgroup"], {"actor": "bd", "motion": "squat1Reps", "take": 1, "fps_in_name": 120})
        self.assertEqual((h["source_skeleton"], h["original_fps"], h["split"]), ("hdm05", 120.0, "train"))
        rows = {(r["split"], r["source"]): r["clips"] for r in self.index["summary"]}
        self.assertEqual((rows[("train", "hdm05")], rows[("test", "hdm05")], rows[("all", "all")]), (2, 1, 5))
        with open(os.path.join(self.out, "index.json")) as f:
            self.assertEqual(json.load(f)["clips"], self.index["clips"])
        e = self.index["clips"]["test/bandai/dataset-1/dataset-1_walk_happy_001.kclip"]
        for k in ("path", "source", "split", "frames", "seconds", "standing_head_height_m",
                  "bone_lengths_m", "subgroup", "original_fps"):
            self.assertIn(k, e)
        self.assertEqual(e["subgroup"]["style"], "happy")
        self.assertIn("content_id", e["subgroup"])
        self.assertEqual(e["original_fps"], 30.0)
        self.assertAlmostEqual(e["seconds"], (e["frames"] - 1) / 60.0, places=3)
        self.assertEqual(len(e["bone_lengths_m"]), 20)
        clip = clipio.read(os.path.join(self.out, e["path"]))
        self.assertEqual(clip.frames, e["frames"])
        self.assertEqual(clip.meta["split"], "test")
        self.assertEqual(len(clip.meta["skeleton"]["offsets_m"]), 21)

    def test_refused_clips_are_reported_by_name(self):
        skipped = {s["clip"]: s["rule"] for s in self.index["skipped"] if "clip" in s}
        self.assertEqual(skipped, {"07_12": "broken-root", "99_01": "unreadable", "99_02": "unreadable"})
        text = "\n".join(self.log)
        for name in ("cmu-sample/07_12", "cmu-sample/99_01", "cmu-sample/99_02"):
            self.assertIn(name, text)
        self.assertIn("hours", text)

    def test_frozen_runs(self):
        import numpy as np
        m = np.array([[0], [0], [0], [1], [2], [2], [3]], float)
        self.assertEqual(importer._frozen_runs(m), [(0, 3), (4, 2)])


if __name__ == "__main__":
    unittest.main()
