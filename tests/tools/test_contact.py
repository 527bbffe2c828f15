"""Foot contact labels (kinestpy.contact) and the model's contact head and loss."""
import json
import unittest

import numpy as np
import torch

from tests.tools import common  # noqa: F401  (puts tools/ on the path)
from kinestpy import contact, skeleton
from kinestpy.model import losses, stream

L_FOOT, L_TOES = skeleton.INDEX["left_foot"], skeleton.INDEX["left_toes"]
R_FOOT, R_TOES = skeleton.INDEX["right_foot"], skeleton.INDEX["right_toes"]


def standing(frames=60, ankle=0.10, toe=0.045):
    """Both feet resting: ankles `ankle`, toes `toe` above y = 0, everything else 1 m up."""
    pos = np.zeros((frames, 21, 3))
    pos[..., 1] = 1.0
    pos[:, [L_FOOT, R_FOOT], 1] = ankle
    pos[:, [L_TOES, R_TOES], 1] = toe
    pos[:, [L_FOOT, L_TOES], 0] = -0.1
    pos[:, [R_FOOT, R_TOES], 0] = 0.1
    return pos


class TestLabels(unittest.TestCase):
    def test_resting_feet_are_in_contact_at_the_clip_contact_level(self):
        pos = standing()
        self.assertAlmostEqual(contact.contact_level(pos, 60), 0.045)
        self.assertTrue(contact.labels(pos, 60).all())

    def test_height_and_speed_thresholds(self):
        pos = standing(120)
        # the left foot lifted 3.9 cm (in contact) then 4.1 cm (not) above the level
        pos[10:20, [L_FOOT, L_TOES], 1] += 0.039
        pos[30:40, [L_FOOT, L_TOES], 1] += 0.041
        # the right foot sliding at 0.24 m/s (in contact), then 0.26 m/s (not)
        pos[50:70, [R_FOOT, R_TOES], 2] += (0.24 / 60) * np.arange(20)[:, None]
        pos[80:100, [R_FOOT, R_TOES], 2] += (0.26 / 60) * np.arange(20)[:, None]
        pos[100:, [R_FOOT, R_TOES], 2] += (0.26 / 60) * 20         # and stands where it stopped
        lab = contact.labels(pos, 60, level=0.045)
        self.assertTrue(lab[12:18, 0].all())
        self.assertFalse(lab[32:38, 0].any())
        self.assertTrue(lab[52:68, 1].all())
        self.assertFalse(lab[82:98, 1].any())
        self.assertTrue(lab[101:, :].all())

    def test_lowest_point_is_the_toe_or_the_ankle(self):
        pos = standing(10)
        pos[:, L_FOOT, 1] = 0.02            # heel down, toes up: the ankle is the lowest point
        pos[:, L_TOES, 1] = 0.2
        h, s = contact.lowest_points(pos, 60)
        np.testing.assert_allclose(h[:, 0], 0.02)
        np.testing.assert_allclose(h[:, 1], 0.045)
        np.testing.assert_allclose(s, 0.0)


class TestContactHead(unittest.TestCase):
    cfg = dict(d_model=16, n_temporal=1, n_spatial=1, joint_dim=4, d_state=4, headdim=8, joint_headdim=4,
               mix_taps=2, mlp_ratio=1.0, chunk=8, joint_chunk=16)

    def test_forward_equals_steps_and_the_pose_is_unchanged(self):
        torch.manual_seed(0)
        m = stream.StreamKineST(stream.StreamConfig(contact_head=True, **self.cfg)).double()
        x = torch.randn(2, 13, 58, dtype=torch.float64)
        y, c, _ = m(x, with_contact=True)
        y2, _ = m(x)
        self.assertEqual(tuple(c.shape), (2, 13, 2))
        torch.testing.assert_close(y, y2)
        st, cs = None, []
        for t in range(13):
            _, ct, st = m.step(x[:, t], st, with_contact=True)
            cs.append(ct)
        self.assertLess(float((torch.stack(cs, 1) - c).abs().max()), 1e-10)
        self.assertEqual(sum(p.numel() for p in m.parameters()), stream.n_params(m.cfg))
        self.assertEqual(json.loads(m.metadata()["contact"])["outputs"], ["left_foot", "right_foot"])

    def test_weights_from_before_the_head_have_none(self):
        old = json.loads(stream.StreamConfig().to_json())
        del old["contact_head"]
        self.assertFalse(stream.StreamConfig.from_json(json.dumps(old)).contact_head)
        m = stream.StreamKineST(stream.StreamConfig(**self.cfg))
        _, c, _ = m(torch.zeros(1, 3, 58), with_contact=True)
        self.assertIsNone(c)
        self.assertNotIn("contact", m.metadata())

    def test_contact_loss(self):
        logits = torch.tensor([[0.0, 2.0]])
        labels = torch.tensor([[1.0, 0.0]])
        want = (np.log(2.0) + np.log(1 + np.exp(2.0))) / 2       # -log sigmoid(0), -log(1 - sigmoid(2))
        self.assertAlmostEqual(float(losses.contact_loss(logits, labels)), want, places=6)
        y = torch.zeros(1, 4, 21, 6) + torch.tensor([1.0, 0, 0, 0, 1, 0])
        off = torch.zeros(1, 21, 3)
        total, terms = losses.total_loss(y, y, off, losses.LossConfig(w_contact=0.5), None,
                                         torch.zeros(1, 4, 2), torch.ones(1, 4, 2))
        self.assertAlmostEqual(float(terms["contact"]), np.log(2.0), places=6)
        self.assertAlmostEqual(float(total), 0.5 * np.log(2.0), places=5)


if __name__ == "__main__":
    unittest.main()
