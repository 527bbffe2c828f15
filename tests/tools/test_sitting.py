"""Seated training clips synthesised from standing ones (kinestpy.sitting)."""
import unittest
from unittest import mock

import numpy as np
import torch

from tests.tools import common
from kinestpy import augment, dataset, devices, rot, seated, sitting, skeleton, train

UPPER = [skeleton.INDEX[n] for n in ("spine", "chest", "neck", "head", "left_collar", "left_upper_arm",
                                     "left_forearm", "left_hand", "right_collar", "right_upper_arm",
                                     "right_forearm", "right_hand")]


class Sit(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.src = common.built(common.WALK)
        cls.out = sitting.sit(cls.src, seed=3)

    def test_every_frame_is_seated_on_a_seat_of_the_drawn_height(self):
        p = self.out.truth_pos
        sk = self.out.meta["skeleton"]
        self.assertTrue(seated.seated_frames(p, sk["offsets_m"], sk["standing_head_height_m"]).all())
        h = self.out.meta["seated_synth"]["hips_m"]
        np.testing.assert_allclose(p[:, 0, 1], h, atol=1e-4)   # metadata rounded to 0.1 mm
        hip_rest, torso = seated.rest_levels(sk["offsets_m"], sk["standing_head_height_m"])
        self.assertTrue(0.45 * hip_rest - 1e-6 <= h <= 0.62 * hip_rest + 1e-6)
        # the head above the seat, ahead of it by less than 0.3 m
        above = p[:, skeleton.HEAD, 1] - p[:, 0, 1]
        self.assertGreater(above.min(), 0.8 * torso)
        self.assertLess(np.linalg.norm((p[:, skeleton.HEAD] - p[:, 0])[:, [0, 2]], axis=1).max(), 0.3)

    def test_feet_flat_on_the_floor_shins_down_thighs_forward(self):
        p = self.out.truth_pos.astype(np.float64)
        contact = augment._contact(self.src.meta)
        low = p[:, skeleton.FEET, 1].min(axis=1)
        # as high as the source's feet stand (its floor contact), never under the floor
        src_low = self.src.truth_pos[:, skeleton.FEET, 1].min(axis=1)
        self.assertLess(abs(np.median(low) - np.percentile(src_low, 5)), 0.03)
        self.assertGreater(low.min(), contact - 0.03)
        for side in ("left", "right"):
            thigh, shin, foot, toes = (skeleton.INDEX[side + "_" + n] for n in ("thigh", "shin", "foot", "toes"))
            hips_fwd = -rot.quat_to_matrix(self.out.truth_quat[:, 0].astype(np.float64))[:, :, 2]
            hips_fwd[:, 1] = 0
            t = p[:, shin] - p[:, thigh]
            self.assertGreater(np.min(np.sum(t * hips_fwd, axis=1) / np.linalg.norm(t, axis=1)), 0.7)
            s = p[:, foot] - p[:, shin]
            self.assertLess(np.max(s[:, 1] / np.linalg.norm(s, axis=1)), -0.85)   # within ~30 deg of down
            self.assertLess(np.abs(p[:, foot, 1] - p[:, foot, 1].mean()).max(), 1e-4)   # planted level
            # flat: the foot's orientation is a turn about the vertical only
            up = rot.quat_rotate(self.out.truth_quat[:, toes].astype(np.float64), np.array([0.0, 1.0, 0.0]))
            self.assertGreater(up[:, 1].min(), 0.999)

    def test_upper_body_keeps_its_motion_and_bones_their_lengths(self):
        a = augment.motion_of(self.src)
        b = augment.motion_of(self.out)
        for j in UPPER:
            d = rot.quat_angle(a.local_quat[:, j], b.local_quat[:, j])
            self.assertLess(d.max(), 1e-3, skeleton.NAMES[j])
        # the hips turn and lean as the source's
        self.assertLess(rot.quat_angle(self.src.truth_quat[:, 0].astype(np.float64),
                                       self.out.truth_quat[:, 0].astype(np.float64)).max(), 1e-3)
        bl = skeleton.bone_lengths(self.out.truth_pos.astype(np.float64))
        self.assertLess(np.ptp(bl, axis=0).max(), 1e-5)
        np.testing.assert_allclose(bl[0], skeleton.bone_lengths(self.src.truth_pos[:1].astype(np.float64))[0],
                                   atol=1e-5)

    def test_devices_follow_the_seated_body(self):
        flags, dpos, dquat = devices.synthesize(self.out.truth_quat.astype(np.float64),
                                                self.out.truth_pos.astype(np.float64))
        np.testing.assert_allclose(self.out.dev_pos, dpos, atol=1e-5)
        # the head device came down with the body: a seated eye height
        self.assertLess(self.out.dev_pos[:, 0, 1].max(), self.src.dev_pos[:, 0, 1].min() - 0.3)

    def test_seeded(self):
        again = sitting.sit(self.src, seed=3)
        np.testing.assert_array_equal(again.truth_pos, self.out.truth_pos)
        other = sitting.sit(self.src, seed=4)
        self.assertNotEqual(other.meta["seated_synth"]["hips_m"], self.out.meta["seated_synth"]["hips_m"])

    def test_pelvis_rolls_back_and_trunk_leans_forward_on_the_same_seat(self):
        """tilt_deg: the hips' rotation pitched back about the heading's right axis, the spine and
        all above it as the source held them; lean_deg: the spine and all above it pitched forward
        about the spine joint, the hips as the source held them. The seat and the feet stay."""
        q = lambda c, j: c.truth_quat[:, j].astype(np.float64)           # noqa: E731
        fwd = -rot.quat_to_matrix(q(self.out, 0))[:, :, 2]
        fwd[:, 1] = 0
        fwd /= np.linalg.norm(fwd, axis=1, keepdims=True)
        pitch = lambda c, j: np.sum(rot.quat_rotate(q(c, j), np.array([0.0, 1.0, 0.0])) * fwd, axis=1)  # noqa: E731
        head_ahead = lambda c: np.sum((c.truth_pos[:, skeleton.HEAD] - c.truth_pos[:, 0]) * fwd, axis=1)  # noqa: E731
        feet = [skeleton.INDEX[n + "_foot"] for n in ("left", "right")]
        spine = skeleton.INDEX["spine"]
        tilted = sitting.sit(self.src, seed=3, tilt_deg=(20.0, 20.0))
        leaned = sitting.sit(self.src, seed=3, lean_deg=(15.0, 15.0))
        self.assertEqual([self.out.meta["seated_synth"][k] for k in ("tilt_deg", "lean_deg")], [0.0, 0.0])
        self.assertEqual([tilted.meta["seated_synth"][k] for k in ("tilt_deg", "lean_deg")], [20.0, 0.0])
        for c in (tilted, leaned):
            np.testing.assert_allclose(c.truth_pos[:, 0], self.out.truth_pos[:, 0], atol=1e-6)       # the seat
            np.testing.assert_allclose(c.truth_pos[:, feet], self.out.truth_pos[:, feet], atol=1e-3)
        # tilt: the hips turn back by it, the trunk keeps the source's orientation (so shifts back)
        np.testing.assert_allclose(np.degrees(rot.quat_angle(q(self.out, 0), q(tilted, 0))), 20.0, atol=1e-3)
        self.assertTrue(np.all(pitch(tilted, 0) < pitch(self.out, 0) - 0.3))
        for j in UPPER:
            self.assertLess(rot.quat_angle(q(self.out, j), q(tilted, j)).max(), 1e-3, skeleton.NAMES[j])
        self.assertTrue(np.all(head_ahead(tilted) < head_ahead(self.out)))
        # lean: the hips as the source's, the trunk turned forward by it, the head ahead and lower
        self.assertLess(rot.quat_angle(q(self.out, 0), q(leaned, 0)).max(), 1e-3)
        for j in UPPER:
            np.testing.assert_allclose(np.degrees(rot.quat_angle(q(self.out, j), q(leaned, j))), 15.0, atol=1e-2,
                                       err_msg=skeleton.NAMES[j])
        np.testing.assert_allclose(leaned.truth_pos[:, spine], self.out.truth_pos[:, spine], atol=1e-6)
        reach = np.linalg.norm(self.out.truth_pos[:, skeleton.HEAD] - self.out.truth_pos[:, spine], axis=1)
        self.assertGreater(np.min(head_ahead(leaned) - head_ahead(self.out)), 0.5 * np.sin(np.radians(15.0)) * reach.min())
        self.assertLess(np.max(leaned.truth_pos[:, skeleton.HEAD, 1] - self.out.truth_pos[:, skeleton.HEAD, 1]), 1e-6)
        # the upper body's own motion above the spine is the source's either way
        for c in (tilted, leaned):
            for j in UPPER[1:]:
                d = rot.quat_angle(augment.motion_of(self.out).local_quat[:, j], augment.motion_of(c).local_quat[:, j])
                self.assertLess(d.max(), 1e-3, skeleton.NAMES[j])

    def test_seat_turned_from_the_upper_body(self):
        """twist_deg: the hips and the seated legs turned about the vertical by the drawn angle
        (to a drawn side), the spine and all above it as the source held them, the seat kept."""
        q = lambda c, j: c.truth_quat[:, j].astype(np.float64)           # noqa: E731
        twisted = sitting.sit(self.src, seed=3, twist_deg=(40.0, 40.0))
        turn = twisted.meta["seated_synth"]["twist_deg"]
        self.assertEqual(abs(turn), 40.0)
        self.assertEqual(twisted.meta["seated_synth"]["hips_m"], self.out.meta["seated_synth"]["hips_m"])
        np.testing.assert_allclose(twisted.truth_pos[:, 0], self.out.truth_pos[:, 0], atol=1e-6)
        np.testing.assert_allclose(seated.yaw_apart_deg(seated.heading_deg(twisted.truth_quat, 0),
                                                        seated.heading_deg(self.out.truth_quat, 0)), 40.0, atol=1e-3)
        for j in UPPER:
            self.assertLess(rot.quat_angle(q(self.out, j), q(twisted, j)).max(), 1e-3, skeleton.NAMES[j])
        # the feet stand where the turned seat faces: hips-to-feet turned by the same angle
        feet = [skeleton.INDEX[n + "_foot"] for n in ("left", "right")]
        ahead = lambda c: (c.truth_pos[:, feet].mean(axis=1) - c.truth_pos[:, 0])[:, [0, 2]]   # noqa: E731
        a, b = ahead(self.out), ahead(twisted)
        cos = np.sum(a * b, axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
        np.testing.assert_allclose(np.degrees(np.arccos(np.clip(cos, -1, 1))), 40.0, atol=0.5)
        # either side: some seed turns the other way
        sides = {np.sign(sitting.sit(self.src, seed=k, twist_deg=(10.0, 10.0)).meta["seated_synth"]["twist_deg"])
                 for k in range(8)}
        self.assertEqual(sides, {-1.0, 1.0})

    def test_two_bone_reaches_and_bends_forward(self):
        hip = np.array([[0.0, 0.5, 0.0]])
        ankle = np.array([[0.0, 0.1, -0.45]])
        knee, reached = sitting.two_bone(hip, ankle, 0.42, 0.40, np.array([[0.0, 0.5, -1.0]]))
        self.assertAlmostEqual(float(np.linalg.norm(knee - hip)), 0.42, places=6)
        self.assertAlmostEqual(float(np.linalg.norm(reached - knee)), 0.40, places=6)
        np.testing.assert_allclose(reached, ankle, atol=1e-9)
        self.assertLess(knee[0, 2], -0.2)          # the knee is forward


class TrainingSwitch(unittest.TestCase):
    def test_crop_sampler_sits_the_share_it_is_told(self):
        clip = common.built(common.WALK)
        plain = dataset.CropSampler([clip], 40, 40, None, seed=5)
        sits = dataset.CropSampler([clip], 40, 40, None, seed=5, seated_share=1.0)
        self.assertIsNone(sits.cache)
        got = sits.sample(40)
        # the same draws by hand: clip, start, the share's coin, the seed of the seated copy
        rng = np.random.default_rng(5)
        rng.choice(1, p=[1.0])
        start = int(rng.integers(0, clip.frames - 40 + 1))
        rng.uniform()
        want = dataset.training_arrays(sitting.sit(dataset.crop_clip(clip, start, 40), int(rng.integers(2 ** 31))))
        self.assertTrue(all(np.array_equal(got[k].numpy(), want[k].numpy()) for k in want))
        self.assertFalse(np.array_equal(plain.sample(40)["x"].numpy(), got["x"].numpy()))
        with self.assertRaises(dataset.DataError):
            dataset.CropSampler([clip], 40, 40, None, seated_share=1.5)
        for bad in ({"tilt": [0, 1]}, {"lean_deg": [20, 0]}, {"lean_deg": 5}):
            with self.assertRaises(dataset.DataError, msg=bad):
                dataset.CropSampler([clip], 40, 40, None, seated_share=0.5, sit_ranges=bad)
        # the ranges reach sitting.sit
        leaned = dataset.CropSampler([clip], 40, 40, None, seed=5, seated_share=1.0, sit_ranges={"tilt_deg": [9, 9]})
        with mock.patch.object(sitting, "sit", wraps=sitting.sit) as sit:
            leaned.sample(40)
        self.assertEqual(sit.call_args.kwargs, {"tilt_deg": (9.0, 9.0)})

    def test_training_batches_mix_the_share_by_seed(self):
        """train.Batches: which samples of a batch are seated, and how, follows from (seed, epoch,
        batch, sample) alone: the same batch again is the same, another seed another; about
        the share is seated, within one batch beside standing crops."""
        clips = [common.built(common.WALK), common.built(common.HDM_SQUAT)]
        seeds, real_sit = [], sitting.sit

        def sit(clip, seed):
            seeds.append(seed)
            return real_sit(clip, seed)

        def draw(seed, k):
            del seeds[:]
            sampler = dataset.CropSampler(clips, 30, 30, {"enabled": True}, seed=0, seated_share=0.25)
            with mock.patch.object(sitting, "sit", sit):
                b = train.Batches({0: sampler}, 8, seed=seed, epoch=1, smooth_cfg=None)[k]
            return b, list(seeds)
        counts = []
        for k in range(6):
            a, sa = draw(5, k)
            again, s_again = draw(5, k)
            self.assertTrue(all(torch.equal(a[n], again[n]) for n in a))
            self.assertEqual(sa, s_again)
            counts.append(len(sa))
        other, _ = draw(6, 0)
        self.assertFalse(torch.equal(draw(5, 0)[0]["x"], other["x"]))
        self.assertTrue(any(0 < c < 8 for c in counts), counts)
        self.assertTrue(0.1 <= sum(counts) / 48.0 <= 0.4, counts)


if __name__ == "__main__":
    unittest.main()
