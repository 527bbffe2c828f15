"""A user's own capture: a rig no shipped mapping knows, imported through a mapping file the
test writes into a temporary folder (docs/data.md, "Your own data")."""
import json
import os
import subprocess
import tempfile
import unittest

import numpy as np

from tests.tools import common, rig
from kinestpy import build, clipio, importer, rot, skeleton, split


def bind_then_walk(seconds=3.0, fps=30):
    """Frame 0 an A-pose bind pose (arms 30 deg down, not the zero pose), then the walk."""
    m = rig.walk(int(seconds * fps), fps)
    bind = np.zeros_like(m[:1])
    bind[0, rig.COL["LeftArm"]], bind[0, rig.COL["RightArm"]] = -30.0, 30.0
    return np.concatenate([bind, m])


class TestUserRig(unittest.TestCase):
    def test_no_shipped_table_knows_it(self):
        with tempfile.TemporaryDirectory() as tmp:
            d, _ = rig.source(tmp, {"walk_01": bind_then_walk()})
            with self.assertRaises(importer.Skip) as e:
                importer.import_clip(os.path.join(d, "walk_01.bvh"), "capture", importer.load_tables())
            self.assertEqual(e.exception.rule, "skeleton")

    def test_import_through_own_mapping(self):
        with tempfile.TemporaryDirectory() as tmp:
            d, mapping = rig.source(tmp, {"walk_01": bind_then_walk()})
            src = build.source(d, "train", mapping)
            im = importer.import_clip(os.path.join(d, "walk_01.bvh"), src["name"], build._tables(src))
        self.assertEqual(im.table, "mystudio-mixamo")
        notes = dict(im.notes)
        # the root OFFSET carries the hip height, the channels are relative to it
        self.assertIn("root-offset-relative", notes)
        self.assertLess(abs(np.median(im.root[:, 1]) - 0.94), 0.02)
        # frame 0, the bind pose, is dropped and reported
        self.assertIn("bind-pose", notes)
        self.assertEqual(im.frames, 90)
        pos = skeleton.fk(rot.quat_to_matrix(im.local_quat), im.root, im.offsets, local=True)[0]
        self.assertLess(abs(np.percentile(pos[:, skeleton.FEET, 1].min(axis=1), 10) - 0.01), 0.02)
        # facing and walking -Z (the canonical forward), arms hanging
        self.assertLess(pos[-1, 0, 2] - pos[0, 0, 2], -2.5)
        hand = pos[:, skeleton.LEFT_HAND] - pos[:, skeleton.INDEX["left_upper_arm"]]
        self.assertTrue((hand[:, 1] < -0.45).all())
        self.assertAlmostEqual(im.standing_height, 1.54, places=2)

    def test_build_with_split_rule_cli_and_config(self):
        """`kinest data build --source FOLDER RULE MAPPING` and the same from a config file."""
        with tempfile.TemporaryDirectory() as tmp:
            clips = {"s07_walk_01": bind_then_walk(), "s05_walk_01": bind_then_walk(), "s01_walk_01": bind_then_walk()}
            d, mapping = rig.source(tmp, clips)
            out = os.path.join(tmp, "out")
            rule = "test:s07_*,validation:s05_*,train"
            r = subprocess.run([os.path.join(common.TOOLS, "kinest"), "data", "build", "--source", d, rule, mapping,
                                "--out", out, "--workers", "1"], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("capture", r.stdout)
            with open(os.path.join(out, "index.json")) as f:
                idx = json.load(f)
            self.assertEqual(sorted(idx["clips"]), ["test/capture/s07_walk_01.kclip", "train/capture/s01_walk_01.kclip",
                                                    "validation/capture/s05_walk_01.kclip"])
            clip = clipio.read(os.path.join(out, "train/capture/s01_walk_01.kclip"))
            self.assertEqual(clip.meta["skeleton"]["source_skeleton"], "mystudio-mixamo")
            self.assertEqual({r["rule"] for r in clip.meta["import"]["rules"]}, {"root-offset-relative", "bind-pose"})
            # the same from a config file, paths relative to it, a name of the user's choice
            with open(os.path.join(tmp, "sources.json"), "w") as f:
                json.dump({"sources": [{"folder": "capture", "split": rule, "mapping": "mystudio.json",
                                        "name": "studio-a"}]}, f)
            out2 = os.path.join(tmp, "out2")
            r = subprocess.run([os.path.join(common.TOOLS, "kinest"), "data", "build", "--sources",
                                os.path.join(tmp, "sources.json"), "--out", out2, "--workers", "1"],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(os.path.join(out2, "index.json")) as f:
                self.assertIn("test/studio-a/s07_walk_01.kclip", json.load(f)["clips"])

    def test_split_rules(self):
        self.assertEqual(split.split_by_rule("test", "x"), "test")
        self.assertEqual(split.split_by_rule("test:07_*,test:12_*,validation:05_*,train", "12_03"), "test")
        self.assertEqual(split.split_by_rule("test:07_*,test:12_*,validation:05_*,train", "05_01"), "validation")
        self.assertEqual(split.split_by_rule("test:07_*,test:12_*,validation:05_*,train", "01_01"), "train")
        with self.assertRaises(ValueError):
            split.split_by_rule("test:07_*", "01_01")          # no default: the clip has no split
        for bad in ("train,test:07_*", "holdout", "test:07_*,tran"):
            with self.assertRaises(ValueError):
                split.parse_rule(bad)


if __name__ == "__main__":
    unittest.main()
