"""`kinest view` writes a PNG strip and a small animated GIF of a real clip."""
import os
import subprocess
import tempfile
import unittest

from tests.tools import common
from kinestpy import clipio


class TestView(unittest.TestCase):
    def test_png_and_gif(self):
        c = common.built(common.WALK)
        n = 90
        short = clipio.Clip(c.time_ns[:n], c.dev_flags[:n], c.dev_pos[:n], c.dev_quat[:n],
                            c.truth_pos[:n], c.truth_quat[:n], meta=c.meta)
        pred = clipio.Clip(short.time_ns, short.dev_flags, short.dev_pos, short.dev_quat,
                           short.truth_pos, short.truth_quat, short.truth_pos + 0.05, short.truth_quat)
        with tempfile.TemporaryDirectory() as d:
            clipio.write(os.path.join(d, "c.kclip"), short)
            clipio.write(os.path.join(d, "p.kclip"), pred)
            png = os.path.join(d, "out.png")
            r = subprocess.run(["/usr/bin/python3", os.path.join(common.ROOT, "tools", "kinest"), "view",
                                os.path.join(d, "c.kclip"), "--pred", os.path.join(d, "p.kclip"),
                                "--out", png, "--panels", "3"], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(png, "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
            gif = os.path.join(d, "out.gif")
            with open(gif, "rb") as f:
                data = f.read()
            self.assertTrue(data.startswith(b"GIF89a"))
            self.assertLess(len(data), 2 * 1024 * 1024)
            self.assertGreaterEqual(data.count(b"\x21\xf9\x04"), 10)   # graphic control blocks: >= 10 frames
            r = subprocess.run(["/usr/bin/python3", os.path.join(common.ROOT, "tools", "kinest"), "view",
                                os.path.join(d, "c.kclip"), "--out", os.path.join(d, "x.jpg")],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 2)
            # a span of the clip (around a repaired glitch); one outside the clip is refused
            r = subprocess.run(["/usr/bin/python3", os.path.join(common.ROOT, "tools", "kinest"), "view",
                                os.path.join(d, "c.kclip"), "--out", png, "--span", "0.5", "1.0", "--no-gif"],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            r = subprocess.run(["/usr/bin/python3", os.path.join(common.ROOT, "tools", "kinest"), "view",
                                os.path.join(d, "c.kclip"), "--out", png, "--span", "5", "6", "--no-gif"],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 2)
            self.assertIn("no frames between", r.stderr)


if __name__ == "__main__":
    unittest.main()
