"""BVH parser (plain or gzip'd files read in place).

`load(path)` returns a `Bvh`: joint names, parent indices, offsets (source
units), channel lists, End Site offsets, frame time and the raw motion matrix
(frames x channels, float64). `Bvh.fk()` gives global rotations (3x3, joint
frame -> world) and positions for every frame, vectorised with numpy.
"""
import gzip
import re

import numpy as np

from . import rot


class BvhError(ValueError):
    pass


class Bvh:
    length_unit = 1.0     # source length units per table unit (ASF `:units length`; 1 for BVH)

    def __init__(self):
        self.names = []       # joint names, in file order (parents first)
        self.parents = []     # parent index, -1 for the root
        self.offsets = []     # (3,) per joint, in the parent's frame
        self.channels = []    # list of channel names per joint
        self.end_sites = {}   # joint index -> (3,) End Site offset
        self.frame_time = None
        self.motion = None    # (frames, total channels)

    @property
    def frames(self):
        return 0 if self.motion is None else self.motion.shape[0]

    def index(self, name):
        return self.names.index(name)

    def channel_slices(self):
        out, c = [], 0
        for ch in self.channels:
            out.append((c, c + len(ch)))
            c += len(ch)
        return out

    def local_transforms(self):
        """Per joint: local rotations (F, J, 3, 3) and local translations (F, J, 3)."""
        f, j = self.frames, len(self.names)
        rots = np.broadcast_to(np.eye(3), (f, j, 3, 3)).copy()
        trans = np.broadcast_to(np.asarray(self.offsets, float), (f, j, 3)).copy()
        for ji, ((a, b), chans) in enumerate(zip(self.channel_slices(), self.channels)):
            rot_order, rot_cols, pos = "", [], {}
            for k, cname in enumerate(chans):
                axis, kind = cname[0].upper(), cname[1:].lower()
                if kind == "rotation":
                    rot_order += axis
                    rot_cols.append(a + k)
                elif kind == "position":
                    pos["XYZ".index(axis)] = a + k
                else:
                    raise BvhError("joint %s: unknown channel %r" % (self.names[ji], cname))
            if rot_order:
                rots[:, ji] = rot.euler_to_matrix(self.motion[:, rot_cols], rot_order)
            for axis, col in pos.items():
                trans[:, ji, axis] = self.motion[:, col]
        return rots, trans

    def fk(self, rots=None, trans=None):
        """Global rotations (F, J, 3, 3) and positions (F, J, 3) in source units."""
        if rots is None:
            rots, trans = self.local_transforms()
        g_r = np.empty_like(rots)
        g_p = np.empty_like(trans)
        for j, p in enumerate(self.parents):
            if p < 0:
                g_r[:, j] = rots[:, j]
                g_p[:, j] = trans[:, j]
            else:
                g_r[:, j] = g_r[:, p] @ rots[:, j]
                g_p[:, j] = g_p[:, p] + np.einsum("fij,fj->fi", g_r[:, p], trans[:, j])
        return g_r, g_p


_TOKEN = re.compile(r"\S+")


def parse(text, name="<bvh>"):
    """Parse BVH text; raises BvhError for anything malformed."""
    try:
        return _parse(text, name)
    except (IndexError, ValueError) as e:
        if isinstance(e, BvhError):
            raise
        raise BvhError("%s: malformed BVH (%s)" % (name, e))


def _parse(text, name):
    m = re.search(r"^\s*MOTION\s*$", text, re.M)
    if not m:
        raise BvhError("%s: no MOTION section" % name)
    head, body = text[:m.start()], text[m.end():]
    toks = _TOKEN.findall(head)
    b = Bvh()
    stack, cur = [], -1
    if not toks or toks[0] != "HIERARCHY":
        raise BvhError("%s: does not start with HIERARCHY" % name)
    i = 1
    pending_end = False
    while i < len(toks):
        t = toks[i]
        if t in ("ROOT", "JOINT"):
            if t == "ROOT" and b.names:
                raise BvhError("%s: more than one ROOT" % name)
            b.names.append(toks[i + 1])
            b.parents.append(cur)
            b.offsets.append(np.zeros(3))
            b.channels.append([])
            cur = len(b.names) - 1
            i += 2
        elif t == "End":
            pending_end = True
            i += 2  # "End Site"
        elif t == "{":
            stack.append("end" if pending_end else cur)
            pending_end = False
            i += 1
        elif t == "}":
            if not stack:
                raise BvhError("%s: unbalanced braces" % name)
            top = stack.pop()
            if top != "end":
                cur = b.parents[top]
            i += 1
        elif t == "OFFSET":
            try:
                v = np.array([float(x) for x in toks[i + 1:i + 4]])
            except ValueError:
                raise BvhError("%s: bad OFFSET near joint %s" % (name, b.names[cur] if b.names else "?"))
            if stack and stack[-1] == "end":
                b.end_sites[cur] = v
            else:
                b.offsets[cur] = v
            i += 4
        elif t == "CHANNELS":
            n = int(toks[i + 1])
            b.channels[cur] = toks[i + 2:i + 2 + n]
            i += 2 + n
        else:
            raise BvhError("%s: unexpected token %r in HIERARCHY" % (name, t))
    if stack:
        raise BvhError("%s: unbalanced braces" % name)
    if not b.names:
        raise BvhError("%s: no joints" % name)

    fm = re.search(r"Frames:\s*(\d+)", body)
    ft = re.search(r"Frame\s+Time:\s*([-+0-9.eE]+)", body)
    if not fm or not ft:
        raise BvhError("%s: missing Frames or Frame Time" % name)
    nframes, b.frame_time = int(fm.group(1)), float(ft.group(1))
    if not b.frame_time > 0:
        raise BvhError("%s: Frame Time %r is not positive" % (name, b.frame_time))
    data = body[max(fm.end(), ft.end()):]
    nch = sum(len(c) for c in b.channels)
    vals = np.array(data.split(), dtype=np.float64) if nframes else np.zeros(0)
    if vals.size != nframes * nch:
        raise BvhError("%s: expected %d frames x %d channels = %d numbers, found %d"
                       % (name, nframes, nch, nframes * nch, vals.size))
    if not np.all(np.isfinite(vals)):
        raise BvhError("%s: non-finite motion values" % name)
    b.motion = vals.reshape(nframes, nch)
    return b


def load(path):
    """Read a .bvh or .bvh.gz file."""
    path = str(path)
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="strict") as f:
        text = f.read()
    return parse(text, name=path)
