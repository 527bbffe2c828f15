import math
import unittest

import numpy as np

from tests.tools import common  # noqa: F401  (puts tools/ on sys.path)
from kinestpy import bvh, rot

TINY = """HIERARCHY
ROOT Root
{
  OFFSET 0 0 0
  CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation
  JOINT Arm
  {
    OFFSET 10 0 0
    CHANNELS 3 Zrotation Xrotation Yrotation
    End Site
    {
      OFFSET 5 0 0
    }
  }
  JOINT Leg
  {
    OFFSET 0 -20 0
    CHANNELS 3 Zrotation Xrotation Yrotation
  }
}
MOTION
Frames: 2
Frame Time: 0.0333333
1 2 3 0 0 0 0 0 0 0 0 0
1 2 3 90 0 0 0 90 0 0 0 0
"""


class TestBvhParser(unittest.TestCase):
    def setUp(self):
        self.b = bvh.parse(TINY)

    def test_hierarchy(self):
        b = self.b
        self.assertEqual(b.names, ["Root", "Arm", "Leg"])
        self.assertEqual(b.parents, [-1, 0, 0])
        np.testing.assert_array_equal(b.offsets[1], [10, 0, 0])
        np.testing.assert_array_equal(b.offsets[2], [0, -20, 0])
        self.assertEqual(b.channels[0][:3], ["Xposition", "Yposition", "Zposition"])
        self.assertEqual(b.channels[1], ["Zrotation", "Xrotation", "Yrotation"])
        self.assertEqual(list(b.end_sites), [1])
        np.testing.assert_array_equal(b.end_sites[1], [5, 0, 0])
        self.assertEqual(b.frames, 2)
        self.assertAlmostEqual(b.frame_time, 0.0333333)
        self.assertEqual(b.motion.shape, (2, 12))

    def test_fk_by_hand(self):
        r, p = self.b.fk()
        # frame 0: no rotation, root at (1, 2, 3)
        np.testing.assert_allclose(p[0], [[1, 2, 3], [11, 2, 3], [1, -18, 3]], atol=1e-12)
        # frame 1: root turned +90 deg about Z: its +X becomes +Y, its -Y becomes +X
        np.testing.assert_allclose(p[1], [[1, 2, 3], [1, 12, 3], [21, 2, 3]], atol=1e-9)
        # Arm's global rotation is Rz(90) @ Rx(90): local Y -> (Rx) Z -> (Rz) Z; local X -> X -> Y
        np.testing.assert_allclose(r[1, 1] @ [0, 1, 0], [0, 0, 1], atol=1e-12)
        np.testing.assert_allclose(r[1, 1] @ [1, 0, 0], [0, 1, 0], atol=1e-12)

    def test_channel_order_is_intrinsic(self):
        m = rot.euler_to_matrix([30.0, 45.0, 60.0], "ZXY")
        expect = rot.axis_matrix("Z", 30) @ rot.axis_matrix("X", 45) @ rot.axis_matrix("Y", 60)
        np.testing.assert_allclose(m, expect, atol=1e-12)
        c, s = math.cos(math.radians(30)), math.sin(math.radians(30))
        np.testing.assert_allclose(rot.axis_matrix("Z", 30), [[c, -s, 0], [s, c, 0], [0, 0, 1]], atol=1e-12)

    def test_refuses_bad_files(self):
        with self.assertRaisesRegex(bvh.BvhError, "no MOTION"):
            bvh.parse(TINY.replace("MOTION", "MOTON"))
        with self.assertRaisesRegex(bvh.BvhError, "expected 2 frames x 12 channels"):
            bvh.parse(TINY.rstrip() + " 7\n")
        with self.assertRaisesRegex(bvh.BvhError, "unbalanced"):
            bvh.parse(TINY.replace("  }\n  JOINT Leg", "  JOINT Leg", 1))
        with self.assertRaisesRegex(bvh.BvhError, "Frame Time"):
            bvh.parse(TINY.replace("Frame Time: 0.0333333", "Frame Time: 0"))

    def test_real_file_gzip(self):
        b = bvh.load(common.data_file(common.BOW))
        self.assertEqual(len(b.names), 22)
        self.assertEqual(b.channels[b.index("Hips")],
                         ["Xposition", "Yposition", "Zposition", "Zrotation", "Xrotation", "Yrotation"])
        self.assertEqual(b.motion.shape[1], 22 * 6)


if __name__ == "__main__":
    unittest.main()
