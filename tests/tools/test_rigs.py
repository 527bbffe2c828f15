import json
import os
import shutil
import subprocess
import tempfile
import unittest

import numpy as np

from tests.tools import common
from kinestpy import clipio, rigs, skeleton


class RigsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        """A two-clip data build: a Bandai walk and a CMU walk, as `data build` writes them."""
        cls.tmp = tempfile.mkdtemp()
        clips = {}
        for rel, source in ((common.WALK, "bandai/dataset-2"), (common.CMU24_WALK, "cmu")):
            out = "train/%s/%s.kclip" % (source, os.path.basename(rel).split(".")[0])
            os.makedirs(os.path.dirname(os.path.join(cls.tmp, out)), exist_ok=True)
            clipio.write(os.path.join(cls.tmp, out), common.built(rel))
            clips[out] = {"path": out, "source": source, "split": "train"}
        with open(os.path.join(cls.tmp, "index.json"), "w") as f:
            json.dump({"clips": clips}, f)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_the_rigs_hang_their_hips_differently(self):
        """What docs/model.md ("Seated play") rests on: the CMU rig's hips joint is under its hip
        joints and further below the head than the Bandai rig's, which is over them."""
        groups = rigs.clip_skeletons(self.tmp)
        self.assertEqual(sorted(groups), ["bandai", "cmu"])
        bandai = rigs.proportions(*groups["bandai"][0])
        cmu = rigs.proportions(*groups["cmu"][0])
        self.assertGreater(bandai["hips_over_hip_joints"], 0.0)
        self.assertLess(cmu["hips_over_hip_joints"], 0.0)
        self.assertGreater(cmu["trunk"], bandai["trunk"] + 0.03)
        for p in (bandai, cmu):
            self.assertTrue(0.3 < p["trunk"] < 0.5 and 0.4 < p["legs"] < 0.7, p)
        self.assertEqual(rigs.clip_skeletons(self.tmp, "test"), {})

    def test_symmetric_mean_mirrors_and_rounds(self):
        groups = rigs.clip_skeletons(self.tmp)
        o, head, n = rigs.symmetric_mean(groups, ["bandai", "cmu"])
        self.assertEqual(n, 2)
        raw = np.mean([groups[f][0][0] for f in ("bandai", "cmu")], 0)
        self.assertAlmostEqual(head, np.mean([groups[f][0][1] for f in ("bandai", "cmu")]), places=4)
        for left, right in rigs.PAIRS:
            np.testing.assert_array_equal(o[right], o[left] * [-1, 1, 1])
            want = (raw[left] + raw[right] * [-1, 1, 1]) / 2
            np.testing.assert_allclose(o[left], want, atol=5e-5)
        np.testing.assert_array_equal(o[rigs.SPINE, 0], 0.0)
        np.testing.assert_array_equal(o, np.round(o, 4))
        lines = rigs.c_table(o, head).splitlines()
        self.assertEqual(len(lines), skeleton.J + 4)
        self.assertIn("/* left thigh */", lines[2 + skeleton.INDEX["left_thigh"]])
        with self.assertRaises(ValueError):
            rigs.symmetric_mean(groups, ["hdm05"])

    def test_read_meta_reads_the_header_and_refuses_a_bad_one(self):
        path = os.path.join(self.tmp, "train/cmu/26_01.kclip")
        self.assertEqual(clipio.read_meta(path), clipio.read(path).meta)
        bad = os.path.join(self.tmp, "bad.kclip")
        with open(path, "rb") as f:
            data = bytearray(f.read())
        data[0:8] = b"NOTACLIP"
        with open(bad, "wb") as f:
            f.write(data)
        with self.assertRaisesRegex(clipio.ClipError, "magic"):
            clipio.read_meta(bad)
        with open(bad, "wb") as f:
            f.write(bytes(data[:40]))
        with self.assertRaisesRegex(clipio.ClipError, "shorter than the 64-byte header"):
            clipio.read_meta(bad)

    def test_command(self):
        kinest = [os.path.join(common.TOOLS, "kinest"), "data", "rigs", "--data", self.tmp]
        r = subprocess.run(kinest + ["--c-table", "bandai,cmu"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"\| cmu \| 1 \| 1\.\d{3} \| 0\.\d{3} \| -0\.\d{3} \|")
        self.assertIn("the symmetric mean of 2 train clips of bandai,cmu", r.stdout)
        r = subprocess.run(kinest + ["--c-table", "hdm05"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)
        self.assertIn("no clips of hdm05", r.stderr)


if __name__ == "__main__":
    unittest.main()
