"""ASF/AMC reader (Acclaim skeleton + motion; plain or gzip'd files read in place).

`load(amc_path)` reads an `.amc` (or `.amc.gz`) motion and the `.asf` skeleton it
belongs to, and returns an `AsfMotion`: the same interface as `bvh.Bvh` (joint
names, parents, offsets, channels, End Sites, motion matrix, `fk()`), so the
importer maps it onto the canonical skeleton through a table like any BVH.

ASF conventions (Acclaim 1.10, as VICON BodyBuilder writes them; see docs/data.md):

* `:units` `length L`: every length and root translation is in units of 1/L of
  the base unit (the mapping table's `unit_m` says what the base unit is:
  inches for VICON/CMU/HDM05, so 1 unit = 0.0254/0.45 m = 5.644 cm);
  `angle deg|rad`: the unit of `axis`, `orientation` and the AMC values.
* A bone is a segment: `direction` (unit vector, world axes of the rest pose)
  times `length`; it starts where its parent ends (bones under the root start
  at the root). Its joint is at its start, so in the BVH-like structure a bone
  is a joint whose offset is its parent bone's vector; a leaf bone's own
  vector becomes its End Site.
* `axis ax ay az ORDER`: the bone's local frame C in the rest pose, the
  rotations about the fixed world axes in ORDER (`XYZ`: first X, then Y, then
  Z, so C = Rz Ry Rx).
* `dof rx ry rz` (any subset, any order): the order of the values in each AMC
  line and of the rotations, about the fixed axes of the bone's local frame,
  first listed first (so `rx ry rz` gives M = Rz Ry Rx).
* `:root` `order TX TY TZ RX RY RZ`: the root's AMC values in this order, the
  rotations again first listed first; `axis` + `orientation` its pre-set frame,
  `position` its pre-set offset (added to the AMC translation).
* A joint's local rotation relative to its parent, in the world-aligned rest
  frames used here, is C M C^-1; the global rotation is the product of these
  from the root, and a bone's end = its start + global rotation @ direction x
  length. With every AMC value 0 the skeleton is in the ASF rest pose with every
  joint frame aligned with the world axes.

The AMC gives no frame rate: `frame_time` stays None and the importer takes the
rate from the mapping table (`fps`).
"""
import gzip
import os
import re

import numpy as np

from . import bvh, rot


class AsfError(ValueError):
    pass


def _open_text(path):
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    # comment lines may hold Latin-1 file paths (HDM05: "f\xfcr Bonn"); the data is ASCII
    return raw.decode("latin-1")


def _order_matrix(deg_by_axis, order, to_rad):
    """Rotation from angles about fixed axes applied in `order` (e.g. "XYZ": X first).

    deg_by_axis: (..., len(order)) values listed in `order`, in the file's angle unit
    (to_rad: its factor to radians). Returns (..., 3, 3)
    = R_last @ ... @ R_first.
    """
    vals = np.asarray(deg_by_axis, dtype=np.float64)
    if to_rad != np.pi / 180.0:
        vals = np.degrees(vals * to_rad)
    m = None
    for i, ax in enumerate(order):
        r = rot.axis_matrix(ax, vals[..., i])
        m = r if m is None else r @ m
    if m is None:
        return np.broadcast_to(np.eye(3), vals.shape[:-1] + (3, 3)).copy()
    return m


class Asf:
    """A parsed ASF skeleton."""

    def __init__(self):
        self.name = None
        self.length_unit = 1.0     # `:units length`
        self.angle = "deg"         # `:units angle`
        self.root_order = []       # e.g. ["TX", "TY", "TZ", "RX", "RY", "RZ"]
        self.root_axis = "XYZ"
        self.root_position = np.zeros(3)
        self.root_orientation = np.zeros(3)
        self.bones = {}            # name -> dict(direction, length, axis, axis_order, dof)
        self.bone_order = []       # names in file order
        self.children = {}         # name (or "root") -> list of child names

    @property
    def to_rad(self):
        """Factor from the file's angle unit to radians (deg: pi/180)."""
        return np.pi / 180.0 if self.angle == "deg" else 1.0

    def vector(self, bone):
        b = self.bones[bone]
        return b["direction"] * b["length"]

    def frame(self, bone):
        """C: the bone's local frame in the rest pose (3x3, columns = local axes in world)."""
        if bone == "root":
            return _order_matrix(self.root_orientation, self.root_axis, self.to_rad)
        b = self.bones[bone]
        return _order_matrix(b["axis"], b["axis_order"], self.to_rad)

    def joint_order(self):
        """Root first, then every bone depth-first (parents before children)."""
        out, stack = ["root"], list(reversed(self.children.get("root", [])))
        while stack:
            n = stack.pop()
            out.append(n)
            stack.extend(reversed(self.children.get(n, [])))
        return out


def _floats(toks, n, what):
    if len(toks) < n:
        raise AsfError("%s: expected %d numbers, found %d" % (what, n, len(toks)))
    try:
        return np.array([float(t) for t in toks[:n]])
    except ValueError:
        raise AsfError("%s: not a number in %r" % (what, " ".join(toks[:n])))


def parse_asf(text, name="<asf>"):
    """Parse ASF text; raises AsfError for anything malformed."""
    a = Asf()
    section = None
    cur = None
    lines = text.splitlines()
    for ln, line in enumerate(lines, 1):
        s = line.split("#", 1)[0].strip()
        if not s:
            continue
        toks = s.split()
        where = "%s:%d" % (name, ln)
        if toks[0].startswith(":"):
            section = toks[0].lower()
            if section == ":name" and len(toks) > 1:
                a.name = toks[1]
            continue
        key = toks[0].lower()
        if section == ":units":
            if key == "length":
                a.length_unit = float(toks[1])
                if not a.length_unit > 0:
                    raise AsfError("%s: :units length must be > 0" % where)
            elif key == "angle":
                if toks[1].lower() not in ("deg", "rad"):
                    raise AsfError("%s: unknown angle unit %r" % (where, toks[1]))
                a.angle = toks[1].lower()
        elif section == ":root":
            if key == "order":
                a.root_order = [t.upper() for t in toks[1:]]
                bad = [t for t in a.root_order if t not in ("TX", "TY", "TZ", "RX", "RY", "RZ")]
                if bad or len(set(a.root_order)) != len(a.root_order):
                    raise AsfError("%s: bad root order %r" % (where, toks[1:]))
            elif key == "axis":
                a.root_axis = toks[1].upper()
            elif key == "position":
                a.root_position = _floats(toks[1:], 3, where + " root position")
            elif key == "orientation":
                a.root_orientation = _floats(toks[1:], 3, where + " root orientation")
        elif section == ":bonedata":
            if key == "begin":
                cur = {"direction": None, "length": None, "axis": np.zeros(3), "axis_order": "XYZ", "dof": []}
            elif key == "end":
                if cur is None or not cur.get("name"):
                    raise AsfError("%s: bone without a name" % where)
                if cur["direction"] is None or cur["length"] is None:
                    raise AsfError("%s: bone %s lacks direction or length" % (where, cur["name"]))
                n = np.linalg.norm(cur["direction"])
                if n > 0:
                    cur["direction"] = cur["direction"] / n
                a.bones[cur["name"]] = cur
                a.bone_order.append(cur["name"])
                cur = None
            elif cur is None:
                if key != "limits" and not toks[0].startswith("("):
                    raise AsfError("%s: %r outside begin/end" % (where, toks[0]))
            elif key == "name":
                cur["name"] = toks[1]
            elif key == "direction":
                cur["direction"] = _floats(toks[1:], 3, where + " direction")
            elif key == "length":
                cur["length"] = float(toks[1])
            elif key == "axis":
                cur["axis"] = _floats(toks[1:], 3, where + " axis")
                cur["axis_order"] = toks[4].upper() if len(toks) > 4 else "XYZ"
                if sorted(cur["axis_order"]) != ["X", "Y", "Z"]:
                    raise AsfError("%s: bad axis order %r" % (where, cur["axis_order"]))
            elif key == "dof":
                dof = [t.lower() for t in toks[1:]]
                bad = [d for d in dof if d not in ("rx", "ry", "rz", "tx", "ty", "tz", "l")]
                if bad:
                    raise AsfError("%s: bad dof %r" % (where, bad))
                if any(d[0] in "tl" for d in dof):
                    raise AsfError("%s: bone %s has translation/length dofs (not supported)"
                                   % (where, cur.get("name")))
                cur["dof"] = dof
            # id, limits, bodymass, cofmass: not needed
        elif section == ":hierarchy":
            if key in ("begin", "end"):
                continue
            a.children.setdefault(toks[0], []).extend(toks[1:])
    if not a.bones:
        raise AsfError("%s: no bones" % name)
    if not a.root_order:
        raise AsfError("%s: no :root order" % name)
    for parent, kids in a.children.items():
        for k in kids + ([] if parent == "root" else [parent]):
            if k not in a.bones:
                raise AsfError("%s: :hierarchy names unknown bone %r" % (name, k))
    order = a.joint_order()
    if len(order) != len(set(order)):
        raise AsfError("%s: a bone appears twice in :hierarchy" % name)
    missing = [b for b in a.bone_order if b not in order]
    if missing:
        raise AsfError("%s: bones not reachable from the root: %s" % (name, ", ".join(missing)))
    return a


def parse_amc(text, asf, name="<amc>"):
    """Parse AMC text for skeleton `asf`: (motion (F, channels), joint names in channel order).

    Channel order: the root's `order`, then every bone with dofs in
    asf.joint_order(), its values in its `dof` order.
    """
    head = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        s = lines[i].strip()
        if s and not s.startswith("#") and not s.startswith(":"):
            break
        if s.startswith(":"):
            head.append(s.upper())
        i += 1
    if ":RADIANS" in head and asf.angle == "deg" or ":DEGREES" in head and asf.angle == "rad":
        raise AsfError("%s: the AMC header %s contradicts the ASF's angle unit %r" % (name, head, asf.angle))
    cols, c = {}, 0
    for j in asf.joint_order():
        n = len(asf.root_order) if j == "root" else len(asf.bones[j]["dof"])
        if n:
            cols[j] = (c, n)
            c += n
    nch = c
    frames = []
    cur = None
    for ln in range(i, len(lines)):
        s = lines[ln].strip()
        if not s:
            continue
        toks = s.split()
        if len(toks) == 1 and toks[0].isdigit():
            if cur is not None:
                frames.append(cur)
            cur = [None] * nch
            seen = set()
            continue
        if cur is None:
            raise AsfError("%s:%d: data before the first frame number" % (name, ln + 1))
        bone = toks[0]
        if bone not in cols:
            raise AsfError("%s:%d: %r is not a bone with dofs in the ASF" % (name, ln + 1, bone))
        a, n = cols[bone]
        if len(toks) - 1 != n:
            raise AsfError("%s:%d: %s has %d values, its dof list %d" % (name, ln + 1, bone, len(toks) - 1, n))
        if bone in seen:
            raise AsfError("%s:%d: %s twice in one frame" % (name, ln + 1, bone))
        seen.add(bone)
        cur[a:a + n] = toks[1:]
    if cur is not None:
        frames.append(cur)
    if not frames:
        return np.zeros((0, nch)), cols
    for k, f in enumerate(frames):
        if None in f:
            missing = [b for b, (a, n) in cols.items() if f[a] is None]
            raise AsfError("%s: frame %d does not give %s (the file is :FULLY-SPECIFIED)"
                           % (name, k + 1, ", ".join(missing)))
    try:
        motion = np.array(frames, dtype=np.float64)
    except ValueError as e:
        raise AsfError("%s: bad number (%s)" % (name, e))
    if not np.all(np.isfinite(motion)):
        raise AsfError("%s: non-finite motion values" % name)
    return motion, cols


class AsfMotion(bvh.Bvh):
    """An ASF skeleton with AMC motion, seen as a BVH-like joint tree.

    Joints: "root", then one per bone (at the bone's start). offsets[j] = the parent
    bone's vector (rest pose, world axes = the joint frames at rest); the root's
    children have offset 0. End Sites: leaf bones' own vectors. Channels use BVH
    names (`Xposition`, `Xrotation`, ...) in the AMC order; `local_transforms`
    applies the ASF rules (C M C^-1).
    """

    def __init__(self, asf, motion, cols):
        super().__init__()
        self.asf = asf
        self.length_unit = asf.length_unit
        names = asf.joint_order()
        parent_of = {k: p for p, kids in asf.children.items() for k in kids}
        for n in names:
            self.names.append(n)
            if n == "root":
                self.parents.append(-1)
                self.offsets.append(np.zeros(3))
                chans = [("%sposition" if t[0] == "T" else "%srotation") % t[1] for t in asf.root_order]
            else:
                p = parent_of[n]
                self.parents.append(names.index(p))
                self.offsets.append(np.zeros(3) if p == "root" else asf.vector(p))
                chans = ["%srotation" % d[1].upper() for d in asf.bones[n]["dof"]]
            self.channels.append(chans)
            if n != "root" and not asf.children.get(n):
                self.end_sites[len(self.names) - 1] = asf.vector(n)
        self._cols = cols
        self.motion = motion
        self.frame_time = None

    def local_transforms(self):
        asf = self.asf
        f, nj = self.frames, len(self.names)
        rots = np.broadcast_to(np.eye(3), (f, nj, 3, 3)).copy()
        trans = np.broadcast_to(np.asarray(self.offsets, float), (f, nj, 3)).copy()
        for ji, n in enumerate(self.names):
            if n not in self._cols:
                continue
            a, k = self._cols[n]
            vals = self.motion[:, a:a + k]
            if n == "root":
                order = asf.root_order
                rcols = [i for i, t in enumerate(order) if t[0] == "R"]
                raxes = "".join(order[i][1] for i in rcols)
                for i, t in enumerate(order):
                    if t[0] == "T":
                        trans[:, ji, "XYZ".index(t[1])] = asf.root_position["XYZ".index(t[1])] + vals[:, i]
                m = _order_matrix(vals[:, rcols], raxes, asf.to_rad)
            else:
                dof = asf.bones[n]["dof"]
                m = _order_matrix(vals, "".join(d[1].upper() for d in dof), asf.to_rad)
            c = asf.frame(n)
            rots[:, ji] = c @ m @ c.T
        return rots, trans


def find_skeleton(amc_path):
    """The .asf beside an .amc whose name + '_' starts the AMC's name (longest match).

    HDM05: HDM_bd.asf for HDM_bd_squat1Reps_001_120.amc; CMU: 16.asf for 16_01.amc.
    """
    d, base = os.path.split(str(amc_path))
    stem = base.split(".")[0]
    best = None
    for f in os.listdir(d or "."):
        if f.endswith(".asf") or f.endswith(".asf.gz"):
            s = f.split(".")[0]
            if stem.startswith(s + "_") and (best is None or len(s) > len(best.split(".")[0])):
                best = f
    if best is None:
        raise AsfError("%s: no .asf skeleton beside it whose name starts the clip's name" % amc_path)
    return os.path.join(d, best)


_ASF_CACHE = {}


def load_asf(path):
    path = str(path)
    st = os.stat(path)
    key = (path, st.st_mtime_ns, st.st_size)
    if key not in _ASF_CACHE:
        _ASF_CACHE[key] = parse_asf(_open_text(path), name=path)
    return _ASF_CACHE[key]


def load(amc_path, asf_path=None):
    """Read an .amc/.amc.gz motion and its skeleton (found beside it unless given)."""
    asf_path = asf_path or find_skeleton(amc_path)
    a = load_asf(asf_path)
    motion, cols = parse_amc(_open_text(amc_path), a, name=str(amc_path))
    m = AsfMotion(a, motion, cols)
    m.skeleton_file = asf_path
    return m


def from_text(asf_text, amc_text):
    """An AsfMotion from ASF and AMC text (tests, hand-written skeletons)."""
    a = parse_asf(asf_text)
    motion, cols = parse_amc(amc_text, a)
    return AsfMotion(a, motion, cols)
