"""The fixed split of ../shared/data/README.md."""
import os
import unittest

from tests.tools import common
from kinestpy import build, split


class TestSplit(unittest.TestCase):
    def test_rules(self):
        s = split.split_of
        self.assertEqual(s("bandai/dataset-2", "dataset-2_walk_normal_010"), "test")
        self.assertEqual(s("bandai/dataset-2", "dataset-2_walk_normal_105"), "validation")
        self.assertEqual(s("bandai/dataset-2", "dataset-2_raise-up-left-hand_active_001"), "train")
        self.assertEqual(s("bandai/dataset-1", "dataset-1_walk_happy_001"), "test")
        self.assertEqual(s("bandai/dataset-1", "dataset-1_walk_tired_002"), "test")
        self.assertEqual(s("bandai/dataset-1", "dataset-1_bow_proud_001"), "validation")
        self.assertEqual(s("bandai/dataset-1", "dataset-1_bow_not-confident_001"), "train")
        self.assertEqual(s("cmu-sample", "02_01"), "test")
        self.assertEqual(s("cmu", "80_01"), "test")
        self.assertEqual(s("cmu", "143_21"), "test")
        self.assertEqual(s("cmu", "118_10"), "validation")
        self.assertEqual(s("cmu", "40_02"), "validation")
        self.assertEqual(s("cmu", "17_01"), "train")
        self.assertEqual(s("cmu", "138_01"), "test")
        with self.assertRaises(ValueError):
            s("cmu", "walk")
        self.assertEqual(s("hdm05", "HDM_mm_squat1Reps_001_120"), "test")
        self.assertEqual(s("hdm05", "HDM_tr_hopBothLegs1hops_002_120"), "test")
        self.assertEqual(s("hdm05", "HDM_bk_jogLeftCircle4StepsRstart_001_120"), "train")
        with self.assertRaises(ValueError):
            s("elsewhere", "x")

    def test_real_file_lists(self):
        d1 = [build.clip_name(os.path.basename(p)) for p in build.list_clips(common.DATA, "bandai/dataset-1")]
        self.assertEqual(len(d1), 174)
        test = [n for n in d1 if split.split_of("bandai/dataset-1", n) == "test"]
        self.assertEqual(sorted(test), sorted(n for n in d1 if "_happy_" in n or "_tired_" in n))
        d2 = [build.clip_name(os.path.basename(p)) for p in build.list_clips(common.DATA, "bandai/dataset-2")]
        self.assertEqual(len(d2), 2902)
        got = {k: sum(split.split_of("bandai/dataset-2", n) == k for n in d2) for k in split.SPLITS}
        self.assertEqual(sum(got.values()), 2902)
        self.assertTrue(0.08 < got["test"] / 2902 < 0.12 and 0.08 < got["validation"] / 2902 < 0.12)

    def test_cmu_subjects(self):
        takes = [build.clip_name(os.path.basename(p)) for p in build.list_clips(common.DATA, "cmu")]
        self.assertEqual(len(takes), 1451)
        by = {}
        for n in takes:
            by.setdefault(split.split_of("cmu", n), set()).add(int(n.split("_")[0]))
        self.assertEqual(by["test"], set(split.CMU_TEST))
        self.assertEqual(by["validation"], set(split.CMU_VALIDATION))
        self.assertFalse(by["train"] & (by["test"] | by["validation"]))


if __name__ == "__main__":
    unittest.main()
