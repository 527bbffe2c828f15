"""Issue 13's data comparison (tools/ship-weights, kinest compare-data): the 10 % rule, the
choice of output smoothing, the tables, and the training data's terms in the weights."""
import json
import os
import tempfile
import unittest

from tests.tools import common  # noqa: F401  (puts tools/ on the path)
from kinestpy import compare_data, dataset, seated


def group(mpjpe, clips=10, **more):
    g = {"clips": clips, "frames": 100 * clips, "MPJPE": mpjpe, "L-PE": 2 * mpjpe, "Jitter": 1.5,
         "GT-Jitter": 1.2, "Skate": 14.25, "GT-Skate": 1.5, "Skate>20": 20.0, "GT-Skate>20": 0.9, "Pen": 0.05,
         "GT-Pen": 0.04, "Pen>2": 0.0, "GT-Pen>2": 0.0, "CH-err": 3.0, "GT-CH-err": 0.11, "Stance-err": 3.4}
    g.update(more)
    return g


def report(unseen, bandai=2.0):
    """A `kinest eval --report` result with these MPJPEs on dataset-1, HDM05, cmu test, cmu-sample."""
    keys = [k for k, _ in compare_data.UNSEEN]
    return {"pred": "p", "groups": dict({"bandai": group(bandai), "seated": group(0.0, clips=0, MPJPE=None)},
                                        **{k: group(v) for k, v in zip(keys, unseen)})}


class TheRule(unittest.TestCase):
    def test_cmu_stays_unless_all_is_more_than_ten_percent_better(self):
        cmu = report([5.0, 15.0, 10.0, 10.0])                       # mean 10
        d = compare_data.decide(cmu, report([4.6, 13.5, 9.0, 9.0]))  # mean 9.025: 9.75 % better
        self.assertEqual((d["default"], d["other"]), ("cmu", "all"))
        self.assertAlmostEqual(d["ratio"], 0.9025)
        d = compare_data.decide(cmu, report([4.4, 13.5, 9.0, 9.0]))  # mean 8.975: 10.25 % better
        self.assertEqual((d["default"], d["other"]), ("all", "cmu"))
        self.assertIn("the default is all", d["text"])
        # each group counts once, whatever its size: a big gain on one group can carry it
        d = compare_data.decide(cmu, report([5.0, 10.0, 10.0, 10.0]))
        self.assertEqual(d["default"], "all")

    def test_only_the_unseen_groups_count(self):
        d = compare_data.decide(report([5.0, 15.0, 10.0, 10.0], bandai=9.0),
                                report([5.0, 15.0, 10.0, 10.0], bandai=1.0))
        self.assertEqual(d["default"], "cmu")
        self.assertEqual(sorted(d["groups"]), sorted(k for k, _ in compare_data.UNSEEN))

    def test_a_missing_group_is_an_error(self):
        other = report([5.0, 15.0, 10.0, 10.0])
        other["groups"]["hdm05"]["clips"] = 0
        with self.assertRaises(compare_data.CompareError):
            compare_data.decide(report([5.0, 15.0, 10.0, 10.0]), other)


class Smoothing(unittest.TestCase):
    def sweep(self, jitters, gt=1.2):
        return {s: {"all": {"Jitter": j, "GT-Jitter": gt}} for s, j in jitters.items()}

    def test_smallest_s_within_the_jitter_limit(self):
        self.assertEqual(compare_data.choose_smoothing(self.sweep({0.0: 1.72, 0.1: 1.58, 0.2: 1.47, 0.3: 1.36})),
                         0.2)                                        # 1.47 <= 1.25 * 1.2 = 1.5
        self.assertEqual(compare_data.choose_smoothing(self.sweep({0.0: 1.4, 0.1: 1.3})), 0.0)

    def test_the_strongest_when_none_is_within(self):
        self.assertEqual(compare_data.choose_smoothing(self.sweep({0.0: 3.0, 0.2: 2.5, 0.4: 2.0})), 0.4)


class Tables(unittest.TestCase):
    def test_group_table_has_every_body_and_the_truth_beside_it(self):
        t = compare_data.group_table("bandai", "Bandai test", [("IK, calibrated", report([1] * 4, bandai=5.75)),
                                                                ("cmu: network alone", report([1] * 4, bandai=2.43))])
        lines = t.splitlines()
        self.assertEqual(lines[0], "**Bandai test** (10 clips, 1000 frames)")
        self.assertEqual(lines[4], "| IK, calibrated | 5.75 | 11.50 | 1.50 | 14.2 | 20.0 | 0.05 | 0.0 | 3.00 | 3.40 |")
        self.assertEqual(lines[5].split(" | ")[1], "2.43")
        self.assertEqual(lines[6], "| truth (reference) | – | – | 1.20 | 1.5 | 0.9 | 0.04 | 0.0 | 0.11 | – |")
        self.assertEqual(len(lines[2].split("|")), len(lines[6].split("|")))

    def test_report_writes_the_rule_every_group_and_the_seated_start(self):
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, "reports"))

            def put(name, res):
                with open(os.path.join(d, "reports", name + ".json"), "w") as f:
                    json.dump(res, f)

            seat = {"clips": 8, "frames": 1316, "MPJPE": 13.68, "L-PE": 23.19, "U-PE": 6.55, "Hips": 16.53,
                    "Pen": 0.0, "Pen>1cm": 0.0, "Foot-H": 3.14}
            for p, v in (("ik", 12.0), ("cmu", 10.0), ("all", 8.5)):
                for kind in ("auto", "clip", "net"):
                    if p != "ik" or kind != "net":
                        put("%s-%s" % (p, kind), report([v] * 4))
                        put("%s-%s-seated" % (p, kind), dict(seat, Hips=v))
            text, dec = compare_data.report(d, ("cmu", "all"), budgets={"cmu": (3600.0, 14400.0),
                                                                        "all": (14400.0, 14400.0)})
        self.assertEqual(dec["default"], "all")                      # 15 % better
        self.assertIn("cmu 1.00 h of CPU of 4.00 h (**not finished: intermediate figures**)", text)
        self.assertIn("; all 4.00 h of CPU of 4.00 h.", text)
        self.assertIn("| **mean** | 10.00 | 8.50 | **0.850** |", text)
        for _, title in compare_data.GROUPS:
            self.assertIn("**%s** (10 clips" % title, text)
        self.assertIn("| **all: layer body, calibrated** | 8.50 |", text)
        self.assertIn("| cmu: layer body, true skeleton | 8 | 1316 | 13.68 | 23.19 | 6.55 | 10.00 |", text)
        self.assertEqual(text.count("| IK, calibrated |"), 6)         # five test groups and the seated start
        self.assertIn(seated.format_scores([("IK, calibrated", dict(seat, Hips=12.0))]).splitlines()[2], text)
        self.assertIn("**The targets** (the default, all:", text)
        self.assertIn("Missed: Bandai test: MPJPE below the IK's 0 %; ", text)
        self.assertIn("| HDM05 test | 29 % **missed** |", text)

    def test_targets_say_what_is_met_and_what_is_missed(self):
        ik = report([10.0, 20.0, 12.0, 10.0], bandai=5.0)
        body = report([5.0, 12.0, 4.9, 5.0], bandai=2.0)
        body["groups"]["hdm05"].update({"Skate": 3.5, "GT-Skate": 1.5, "Pen": 1.2})      # 2.3x; under 1 cm missed
        body["groups"]["cmu"].update({"Jitter": 1.56, "GT-Jitter": 1.2})                # 1.30x: met
        seat_ik = {"MPJPE": 20.0, "L-PE": 30.0, "Pen": 0.0, "Hips": 19.0}
        table, missed = compare_data.targets_table(body, ik, dict(seat_ik, **{"MPJPE": 11.0, "L-PE": 15.0, "Hips": 10.5}),
                                                   seat_ik)
        lines = table.splitlines()
        self.assertEqual(len(lines), 2 + 5 + 1)
        self.assertEqual(lines[2], "| Bandai test | 60 % | 60 % | 9.5× **missed** | 0.05 | 1.25× | 2.00 |")
        self.assertEqual(lines[5], "| cmu test | 59 % | 59 % | 9.5× **missed** | 0.05 | 1.25× | 4.90 |")
        self.assertIn("| HDM05 test | 40 % | 40 % | 2.3× **missed** | 1.20 **missed** |", lines[4])
        self.assertIn("| cmu-sample | 50 % | 50 % | 9.5× **missed** | 0.05 | 1.30× |", lines[6])
        self.assertEqual(lines[7], "| seated start | 45 % | 50 % | – | 0.00 | – | 11.00; hips 10.50 **missed** cm |")
        self.assertIn("HDM05 test: Pen 1.20", missed)
        self.assertIn("seated start: hips 10.50", missed)
        self.assertNotIn("cmu test: MPJPE 4.90", missed)
        body["groups"]["cmu-test"]["MPJPE"] = 5.0
        self.assertIn("cmu test: MPJPE 5.00", compare_data.targets_table(body, ik)[1])

    def test_curves_draws_a_picture(self):
        rec = lambda s, v, loss: {"train_seconds": s, "val": {"MPJPE": v}, "train": {"loss": loss}}  # noqa: E731
        with tempfile.TemporaryDirectory() as d:
            path = compare_data.curves({"cmu": [rec(600, 7.9, 0.3), rec(1200, 6.4, 0.2)],
                                        "all": [rec(700, 7.0, 0.3)]}, os.path.join(d, "c.png"))
            with open(path, "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")


class Terms(unittest.TestCase):
    def test_cmu_alone_allows_any_use(self):
        self.assertIn("free for all uses, commercial included", dataset.licence_of(["cmu"]))
        self.assertEqual(dataset.licence_of(["cmu"]), dataset.licence_of(["cmu-sample"]))
        self.assertTrue(dataset.use_of(["cmu"]).startswith("any use, commercial included"))

    def test_the_strictest_terms_win(self):
        every = ["bandai/dataset-1", "bandai/dataset-2", "cmu", "hdm05"]
        self.assertEqual(dataset.use_of(every), "non-commercial use only, and share-alike (CC BY-SA 3.0)")
        self.assertEqual(dataset.use_of(["cmu", "hdm05"]), "any use under share-alike (CC BY-SA 3.0), with attribution")
        self.assertTrue(dataset.use_of(["cmu", "mine"]).startswith("unknown"))
        lic = dataset.licence_of(every)
        for part in ("CC BY-NC 4.0", "CC BY-SA 3.0", "CMU Graphics Lab"):
            self.assertIn(part, lic)

    def test_terms_are_made_again_from_an_old_checkpoints_sources(self):
        old = {"train_sources": ["cmu"], "licence": "see ../shared/data/README.md (cmu)", "train": {"hours": 4.6}}
        new = dataset.with_terms(old)
        self.assertEqual((new["licence"], new["use"]), (dataset.licence_of(["cmu"]), dataset.use_of(["cmu"])))
        self.assertEqual(new["train"], old["train"])
        rows = [("models/default/kinest.safetensors", {"training_data": json.dumps(new), "licence": new["licence"],
                                                       "use": new["use"]})]
        self.assertIn("| `models/default/kinest.safetensors` | cmu (4.6 h) | any use, commercial included",
                      compare_data.weights_table(rows))


if __name__ == "__main__":
    unittest.main()
