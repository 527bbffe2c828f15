"""Shared paths for the Python tool tests (run from the repository root:
/usr/bin/python3 -m unittest discover -s tests/tools -t .)."""
import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TOOLS = os.path.join(ROOT, "tools")
if TOOLS not in sys.path:
    sys.path.insert(0, TOOLS)
DATA = os.path.abspath(os.environ.get("KINEST_DATA", os.path.join(ROOT, "..", "shared", "data")))


def data_file(rel):
    """Path of a source clip under ../shared/data; fails loudly when the data is missing."""
    path = os.path.join(DATA, rel)
    if not os.path.exists(path):
        raise AssertionError("motion data not found: %s (set KINEST_DATA to the data folder)" % path)
    return path


_cache = {}


def imported(rel):
    """Import (and cache) one real source clip."""
    from kinestpy import importer
    if rel not in _cache:
        folder = os.path.dirname(rel)
        _cache[rel] = importer.import_clip(data_file(rel), folder, importer.load_tables())
    return _cache[rel]


def built(rel):
    """A real clip as `data build` makes it (60 Hz, truth, devices)."""
    from kinestpy import build, split
    key = ("built", rel)
    if key not in _cache:
        folder = os.path.dirname(rel)
        name = build.clip_name(os.path.basename(rel))
        clip, _ = build.make_clip(imported(rel), folder, name, split.split_of(folder, name),
                                  split.subgroup(folder, name), rel)
        _cache[key] = clip
    return _cache[key]


WALK = "bandai/dataset-2/dataset-2_walk_normal_010.bvh.gz"
BOW = "bandai/dataset-1/dataset-1_bow_normal_001.bvh.gz"
CMU_WALK = "cmu-sample/08_01.bvh.gz"
CMU24_WALK = "cmu/26_01.bvh.gz"                             # the 24 fps folder, train subject 26
HDM_SQUAT = "hdm05/HDM_bd_squat1Reps_001_120.amc.gz"       # train actor bd
HDM_JOG = "hdm05/HDM_bk_jogLeftCircle4StepsRstart_003_120.amc.gz"
HDM_TEST = "hdm05/HDM_mm_squat1Reps_040_120.amc.gz"         # test actor mm
