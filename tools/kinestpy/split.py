"""The fixed train / validation / test split (../shared/data/README.md, "Fixed split")."""
import fnmatch
import re

SPLITS = ("train", "validation", "test")
CMU_TEST = (80, 115, 124, 127, 138, 143)      # cmu: subjects held out for test
CMU_VALIDATION = (40, 118, 133)               # ... and for validation; every other subject trains


def split_of(folder, clip):
    """Split of clip (file name without extensions) in data folder `folder`."""
    if folder == "bandai/dataset-2":
        m = re.search(r"_(\d+)$", clip)
        if not m:
            raise ValueError("%s: no take number" % clip)
        n = int(m.group(1)) % 10
        return "test" if n == 0 else "validation" if n == 5 else "train"
    if folder == "bandai/dataset-1":
        style = subgroup(folder, clip)["style"]
        return "test" if style in ("happy", "tired") else "validation" if style == "proud" else "train"
    if folder == "hdm05":
        actor = subgroup(folder, clip)["actor"]
        if actor in ("mm", "tr"):
            return "test"
        if actor in ("bd", "bk", "dg"):
            return "train"
        raise ValueError("%s: unknown HDM05 actor %r" % (clip, actor))
    if folder == "cmu":
        subject = int(subgroup(folder, clip)["subject"])
        return "test" if subject in CMU_TEST else "validation" if subject in CMU_VALIDATION else "train"
    if folder == "cmu-sample":
        return "test"
    raise ValueError("no split rule for data folder %r" % folder)


def parse_rule(rule):
    """A user source's split rule -> [(split, pattern or None)].

    `train` (every clip), or comma-separated `split:pattern` items tried in order, the
    first whose shell pattern matches the clip name wins, ending with a bare split for
    the rest: `test:07_*,test:12_*,validation:05_*,train` (subjects 07 and 12 test, 05
    validation, every other clip train). Without the bare split a clip that matches no
    pattern is refused."""
    items = [x.strip() for x in rule.split(",")]
    out = []
    for k, item in enumerate(items):
        name, _, pattern = (x.strip() for x in item.partition(":"))
        if name not in SPLITS:
            raise ValueError("split rule %r: %r is not one of %s" % (rule, name, ", ".join(SPLITS)))
        if not pattern and k != len(items) - 1:
            raise ValueError("split rule %r: a bare split (the default) must come last" % rule)
        out.append((name, pattern or None))
    return out


def split_by_rule(rule, clip):
    """Split of clip (file name without extensions) by a user source's rule (parse_rule)."""
    for name, pattern in parse_rule(rule) if isinstance(rule, str) else rule:
        if pattern is None or fnmatch.fnmatchcase(clip, pattern):
            return name
    raise ValueError("%s: matches no pattern of the split rule and the rule has no default split" % clip)


def subgroup(folder, clip):
    """What the file name says about a clip: Bandai content/style/take, CMU subject/take, HDM05
    actor/motion/take (and the frame rate the name ends with)."""
    if folder.startswith("bandai/"):
        m = re.match(r"(dataset-\d)_(.+)_([^_]+)_(\d+)$", clip)
        if not m:
            raise ValueError("%s: not a Bandai clip name" % clip)
        return {"dataset": m.group(1), "content": m.group(2), "style": m.group(3), "take": int(m.group(4))}
    if folder in ("cmu", "cmu-sample"):
        m = re.match(r"(\d+)_(\d+)$", clip)
        if not m and folder == "cmu":
            raise ValueError("%s: not a CMU take name (<subject>_<take>)" % clip)
        return {"subject": m.group(1), "take": m.group(2)} if m else {}
    if folder == "hdm05":
        m = re.match(r"HDM_([a-z]+)_(.+?)(?:_(\d+))?(?:_(\d+))?$", clip)
        if not m:
            return {}
        out = {"actor": m.group(1), "motion": m.group(2)}
        if m.group(4):                    # HDM_<actor>_<motion>_<take>_<fps>
            out.update(take=int(m.group(3)), fps_in_name=int(m.group(4)))
        elif m.group(3):
            out["take"] = int(m.group(3))
        return out
    return {}
