"""tools/kinest height: the calibrated height against the clip's true one."""
import os
import tempfile
import unittest

import numpy as np

from tests.tools import common  # noqa: F401 (puts tools/ on the path)
from kinestpy import calibration, clipio


def clip(meta):
    f = 2
    return clipio.Clip(np.arange(f, dtype=np.int64) * 16666667, np.full((f, 3), 0xF, np.uint32),
                       np.zeros((f, 3, 3)), np.tile([0.0, 0.0, 0.0, 1.0], (f, 3, 1)), meta=meta)


class HeightTest(unittest.TestCase):
    def test_relative_error_per_group(self):
        # A head joint standing at 1.6 m: eye 1.68 m, height 1.68 / 0.936 in the engine's terms.
        truth = (1.6 + 0.08) / 0.936
        metas = {"a/x.kclip": {"skeleton": {"standing_head_height_m": 1.6},
                               "prediction": {"calibration": {"state": "valid", "height_m": truth * 0.98}}},
                 "a/y.kclip": {"skeleton": {"standing_head_height_m": 1.6},
                               "prediction": {"calibration": {"state": "valid", "height_m": truth * 1.02}}},
                 "a/z.kclip": {"skeleton": {"standing_head_height_m": 1.6},
                               "prediction": {"calibration": {"state": "calibrating", "height_m": 1.613}}},
                 "b/w.kclip": {"prediction": {"calibration": {"state": "valid", "height_m": 1.7}}}}
        with tempfile.TemporaryDirectory() as d:
            for rel, meta in metas.items():
                os.makedirs(os.path.join(d, os.path.dirname(rel)), exist_ok=True)
                clipio.write(os.path.join(d, rel), clip(meta))
            rows = calibration.summary(calibration.errors(d))
        self.assertEqual(list(rows), ["a"])  # no true skeleton in b; z not calibrated
        self.assertEqual(rows["a"]["clips"], 2)
        self.assertAlmostEqual(rows["a"]["mean"], 0.0, places=4)
        self.assertAlmostEqual(rows["a"]["std"], 2.0, places=4)


if __name__ == "__main__":
    unittest.main()
