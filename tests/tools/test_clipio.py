"""The .kclip writer and reader against docs/formats.md."""
import json
import os
import struct
import tempfile
import unittest

import numpy as np

from tests.tools import common
from kinestpy import clipio


class TestRoundTrip(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.clip = common.built(common.WALK)
        cls.tmp = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_write_read_unchanged(self):
        path = os.path.join(self.tmp.name, "walk.kclip")
        clipio.write(path, self.clip)
        back = clipio.read(path)
        for f in ("time_ns", "dev_flags", "dev_pos", "dev_quat", "truth_pos", "truth_quat"):
            a, b = getattr(self.clip, f), getattr(back, f)
            self.assertEqual(a.dtype, b.dtype, f)
            np.testing.assert_array_equal(a, b, f)
        self.assertIsNone(back.pred_pos)
        self.assertEqual(back.meta, json.loads(json.dumps(self.clip.meta)))
        self.assertEqual(back.rate_hz, 60.0)
        # byte-identical when written again
        self.assertEqual(clipio.to_bytes(back), clipio.to_bytes(self.clip))

    def test_layout_by_hand(self):
        data = clipio.to_bytes(self.clip)
        magic, version, hb, fc, jc, flags, mb, rate = struct.unpack_from("<8sIIIIIIf", data, 0)
        self.assertEqual((magic, version, jc, flags, rate), (b"KNSTCLIP", 1, 21, 1, 60.0))
        self.assertEqual(hb, (64 + mb + 7) // 8 * 8)
        self.assertEqual(data[36:64], bytes(28))
        frame = 8 + 3 * 32 + 28 * 21
        self.assertEqual(len(data), hb + fc * frame)
        # frame 1: time, then the head device, then the truth hips
        t, fl = struct.unpack_from("<qI", data, hb + frame)
        self.assertEqual(t, self.clip.time_ns[1])
        self.assertEqual(t, round(1e9 / 60))
        self.assertEqual(fl, 0xF)
        head = struct.unpack_from("<7f", data, hb + frame + 12)
        np.testing.assert_array_equal(np.float32(head[:3]), self.clip.dev_pos[1, 0])
        np.testing.assert_array_equal(np.float32(head[3:]), self.clip.dev_quat[1, 0])
        hips = struct.unpack_from("<7f", data, hb + frame + 8 + 96)
        np.testing.assert_array_equal(np.float32(hips[:3]), self.clip.truth_pos[1, 0])

    def test_prediction_section(self):
        c = self.clip
        both = clipio.Clip(c.time_ns, c.dev_flags, c.dev_pos, c.dev_quat, c.truth_pos, c.truth_quat,
                           c.truth_pos + 1, c.truth_quat, meta={"x": 1})
        data = clipio.to_bytes(both)
        self.assertEqual(struct.unpack_from("<I", data, 24)[0], 3)
        back = clipio.from_bytes(data)
        np.testing.assert_array_equal(back.pred_pos, c.truth_pos + 1)
        devices_only = clipio.Clip(c.time_ns, c.dev_flags, c.dev_pos, c.dev_quat)
        data = clipio.to_bytes(devices_only)
        self.assertEqual(struct.unpack_from("<II", data, 20), (0, 0))   # joint_count 0, no flags
        self.assertFalse(clipio.from_bytes(data).has_truth)


class TestReaderRefuses(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        c = common.built(common.WALK)
        short = clipio.Clip(c.time_ns[:20], c.dev_flags[:20], c.dev_pos[:20], c.dev_quat[:20],
                            c.truth_pos[:20], c.truth_quat[:20], meta={"clip": "x"})
        cls.good = clipio.to_bytes(short)
        cls.hb = struct.unpack_from("<I", cls.good, 12)[0]
        cls.frame = 8 + 96 + 21 * 28

    def refused(self, data, pattern):
        with self.assertRaisesRegex(clipio.ClipError, pattern):
            clipio.from_bytes(bytes(data), name="t.kclip")

    def patch(self, offset, fmt, value):
        d = bytearray(self.good)
        struct.pack_into(fmt, d, offset, value)
        return d

    def test_good_is_read(self):
        self.assertEqual(clipio.from_bytes(self.good).frames, 20)

    def test_truncated(self):
        self.refused(self.good[:-1], "file is .* bytes; header says")
        self.refused(self.good[:40], "shorter than the 64-byte header")
        self.refused(self.good[:self.hb - 3], "shorter than its")
        self.refused(self.good + b"\0", "header says")

    def test_wrong_magic_and_version(self):
        self.refused(b"KNSTCLIQ" + self.good[8:], "magic")
        self.refused(self.patch(8, "<I", 2), "version is 2")

    def test_nan_names_frame_and_field(self):
        self.refused(self.patch(self.hb + 5 * self.frame + 8 + 32 + 4 + 4, "<f", float("nan")),
                     r"frame 5: left grip device position\[1\] is nan")
        self.refused(self.patch(self.hb + 7 * self.frame + 104 + 4 * 28 + 12 + 8, "<f", float("inf")),
                     r"frame 7: truth joint 4 \(head\) orientation\[2\] is inf")

    def test_times_must_increase(self):
        t3 = struct.unpack_from("<q", self.good, self.hb + 3 * self.frame)[0]
        self.refused(self.patch(self.hb + 4 * self.frame, "<q", t3), "frame 4: time .* does not increase")

    def test_reserved_and_flags(self):
        self.refused(self.patch(50, "<B", 1), "reserved")
        self.refused(self.patch(24, "<I", 5), "unknown bits")
        self.refused(self.patch(self.hb + 2 * self.frame + 8 + 64, "<I", 0x1F),
                     "frame 2: right grip device flags has bits other than 0xF")
        self.refused(self.patch(20, "<I", 0), "joint_count is 0")
        self.refused(self.patch(16, "<I", 50_000_001), "frame_count 50000001 exceeds")
        self.refused(self.patch(32, "<f", float("nan")), "rate_hz")
        self.refused(self.patch(32, "<f", 0.0), "rate_hz")

    def test_metadata_rules(self):
        mb = struct.unpack_from("<I", self.good, 28)[0]
        self.refused(self.patch(12, "<I", self.hb + 8), "header_bytes")
        self.refused(self.patch(28, "<I", 2 << 20), "meta_bytes .* exceeds 1 MiB")
        bad = bytearray(self.good)
        bad[64] = ord("[")
        self.refused(bad, "metadata is not")
        if self.hb > 64 + mb:
            self.refused(self.patch(64 + mb, "<B", 7), "padding")

    def test_writer_refuses_what_the_reader_refuses(self):
        c = clipio.from_bytes(self.good)
        c.dev_pos[3, 0, 0] = np.nan
        with tempfile.TemporaryDirectory() as d:
            with self.assertRaisesRegex(clipio.ClipError, "frame 3: head device position"):
                clipio.write(os.path.join(d, "x.kclip"), c)
            self.assertFalse(os.path.exists(os.path.join(d, "x.kclip")))


if __name__ == "__main__":
    unittest.main()
