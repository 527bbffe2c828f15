"""Writer and reader of .kclip files, version 1 (docs/formats.md, "Clip files").

`Clip` holds whole arrays; `write` and `read` convert with one structured numpy
dtype, so a clip of any length is read or written in one go. `read` refuses,
with a `ClipError` naming the frame and field, everything the format says a
reader refuses.
"""
import json
import math

import numpy as np

MAGIC = b"KNSTCLIP"
VERSION = 1
HEADER_BYTES = 64
MAX_FRAMES = 50_000_000
MAX_META = 1 << 20
JOINTS = 21
HAS_TRUTH, HAS_PRED = 1, 2
DEVICE_NAMES = ("head", "left grip", "right grip")
FLAG_BITS = 0xF            # orientation valid | position valid | orientation tracked | position tracked
FLAGS_TRACKED = 0xF

_HEADER = np.dtype([("magic", "S8"), ("version", "<u4"), ("header_bytes", "<u4"),
                    ("frame_count", "<u4"), ("joint_count", "<u4"), ("flags", "<u4"),
                    ("meta_bytes", "<u4"), ("rate_hz", "<f4"), ("reserved", "u1", (28,))])
assert _HEADER.itemsize == HEADER_BYTES
# 32 bytes per device, as "3 x 32" in the frame size rule: flags, position, orientation.
# (The field table of docs/formats.md also lists a "u32 reserved", which would make 36 bytes and
# contradict the stated sizes; the C reader in src/clip/ reads 32-byte devices too.)
_DEVICE = np.dtype([("flags", "<u4"), ("pos", "<f4", (3,)), ("quat", "<f4", (4,))])
_JOINT = np.dtype([("pos", "<f4", (3,)), ("quat", "<f4", (4,))])
assert _DEVICE.itemsize == 32 and _JOINT.itemsize == 28


class ClipError(ValueError):
    pass


def frame_dtype(has_truth, has_pred, joint_count=JOINTS):
    fields = [("time", "<i8"), ("dev", _DEVICE, (3,))]
    if has_truth:
        fields.append(("truth", _JOINT, (joint_count,)))
    if has_pred:
        fields.append(("pred", _JOINT, (joint_count,)))
    return np.dtype(fields)


def align8(n):
    return (n + 7) & ~7


class Clip:
    """A clip in memory. Arrays (F = frames):

    time_ns (F,) int64; dev_flags (F, 3) uint32; dev_pos (F, 3, 3) and dev_quat
    (F, 3, 4) float32 in the order head, left grip, right grip; truth_pos / pred_pos
    (F, 21, 3) and truth_quat / pred_quat (F, 21, 4), or None; meta: a dict.
    """

    def __init__(self, time_ns, dev_flags, dev_pos, dev_quat, truth_pos=None, truth_quat=None,
                 pred_pos=None, pred_quat=None, rate_hz=60.0, meta=None):
        self.time_ns = np.asarray(time_ns, dtype=np.int64)
        self.dev_flags = np.asarray(dev_flags, dtype=np.uint32)
        self.dev_pos = np.asarray(dev_pos, dtype=np.float32)
        self.dev_quat = np.asarray(dev_quat, dtype=np.float32)
        self.truth_pos = None if truth_pos is None else np.asarray(truth_pos, dtype=np.float32)
        self.truth_quat = None if truth_quat is None else np.asarray(truth_quat, dtype=np.float32)
        self.pred_pos = None if pred_pos is None else np.asarray(pred_pos, dtype=np.float32)
        self.pred_quat = None if pred_quat is None else np.asarray(pred_quat, dtype=np.float32)
        self.rate_hz = float(rate_hz)
        self.meta = dict(meta or {})

    @property
    def frames(self):
        return len(self.time_ns)

    @property
    def has_truth(self):
        return self.truth_pos is not None

    @property
    def has_pred(self):
        return self.pred_pos is not None


def to_bytes(clip):
    f = clip.frames
    if f > MAX_FRAMES:
        raise ClipError("%d frames exceed the limit of %d" % (f, MAX_FRAMES))
    if (clip.truth_pos is None) != (clip.truth_quat is None) or (clip.pred_pos is None) != (clip.pred_quat is None):
        raise ClipError("positions and orientations must be given together")
    meta = json.dumps(clip.meta, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    if len(meta) > MAX_META:
        raise ClipError("metadata is %d bytes, more than 1 MiB" % len(meta))
    hb = align8(HEADER_BYTES + len(meta))
    h = np.zeros((), _HEADER)
    h["magic"], h["version"], h["header_bytes"] = MAGIC, VERSION, hb
    h["frame_count"] = f
    h["joint_count"] = JOINTS if (clip.has_truth or clip.has_pred) else 0
    h["flags"] = (HAS_TRUTH if clip.has_truth else 0) | (HAS_PRED if clip.has_pred else 0)
    h["meta_bytes"], h["rate_hz"] = len(meta), clip.rate_hz
    fr = np.zeros(f, frame_dtype(clip.has_truth, clip.has_pred))
    fr["time"] = clip.time_ns
    fr["dev"]["flags"] = clip.dev_flags
    fr["dev"]["pos"] = clip.dev_pos
    fr["dev"]["quat"] = clip.dev_quat
    if clip.has_truth:
        fr["truth"]["pos"], fr["truth"]["quat"] = clip.truth_pos, clip.truth_quat
    if clip.has_pred:
        fr["pred"]["pos"], fr["pred"]["quat"] = clip.pred_pos, clip.pred_quat
    head = h.tobytes() + meta + b"\0" * (hb - HEADER_BYTES - len(meta))
    return head + fr.tobytes()


def write(path, clip):
    """Write a clip; checks it with the reader's rules first (never writes a file a reader refuses)."""
    data = to_bytes(clip)
    from_bytes(data, name=str(path))
    with open(path, "wb") as f:
        f.write(data)


def _bad(name, msg):
    raise ClipError("%s: %s" % (name, msg))


def _header(data, name):
    """The header's fields and the metadata of a clip's first bytes (at least header_bytes of
    them), checked as `from_bytes` checks them: (frame_count, joint_count, flags, header_bytes,
    rate_hz, meta)."""
    if len(data) < HEADER_BYTES:
        _bad(name, "%d bytes: shorter than the 64-byte header" % len(data))
    h = np.frombuffer(data[:HEADER_BYTES], _HEADER)[0]
    if bytes(h["magic"]) != MAGIC:
        _bad(name, "header field magic is %r, not 'KNSTCLIP'" % bytes(data[:8]))
    if h["version"] != VERSION:
        _bad(name, "header field version is %d; this reader reads version 1" % h["version"])
    if np.any(h["reserved"] != 0):
        _bad(name, "header field reserved (bytes 36..63) is not zero")
    fc, jc, flags, mb = int(h["frame_count"]), int(h["joint_count"]), int(h["flags"]), int(h["meta_bytes"])
    if flags & ~(HAS_TRUTH | HAS_PRED):
        _bad(name, "header field flags has unknown bits set (0x%x)" % flags)
    if fc > MAX_FRAMES:
        _bad(name, "header field frame_count %d exceeds %d" % (fc, MAX_FRAMES))
    if mb > MAX_META:
        _bad(name, "header field meta_bytes %d exceeds 1 MiB" % mb)
    want_j = JOINTS if flags & (HAS_TRUTH | HAS_PRED) else 0
    if jc != want_j:
        _bad(name, "header field joint_count is %d; must be %d with flags 0x%x" % (jc, want_j, flags))
    rate = float(h["rate_hz"])
    if not (math.isfinite(rate) and rate > 0):
        _bad(name, "header field rate_hz is %r; must be finite and > 0" % rate)
    hb = int(h["header_bytes"])
    if hb != align8(HEADER_BYTES + mb):
        _bad(name, "header field header_bytes is %d; must be align8(64 + meta_bytes) = %d"
             % (hb, align8(HEADER_BYTES + mb)))
    if len(data) < hb:
        _bad(name, "file is %d bytes, shorter than its %d-byte header" % (len(data), hb))
    if any(data[HEADER_BYTES + mb:hb]):
        _bad(name, "the padding after the metadata is not zero")
    raw = bytes(data[HEADER_BYTES:HEADER_BYTES + mb])
    if b"\0" in raw:
        _bad(name, "metadata holds a NUL byte")
    try:
        meta = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, ValueError) as e:
        _bad(name, "metadata is not UTF-8 JSON (%s)" % e)
    if not isinstance(meta, dict):
        _bad(name, "metadata is not a JSON object")
    return fc, jc, flags, hb, rate, meta


def read_meta(path):
    """A clip's metadata alone (the header and metadata read and checked, the frames not)."""
    with open(path, "rb") as f:
        data = f.read(HEADER_BYTES)
        if len(data) == HEADER_BYTES:
            hb = int(np.frombuffer(data, _HEADER)[0]["header_bytes"])
            data += f.read(max(0, min(hb, align8(HEADER_BYTES + MAX_META)) - HEADER_BYTES))
    return _header(data, str(path))[5]


def from_bytes(data, name="<clip>"):
    fc, jc, flags, hb, rate, meta = _header(data, name)
    dt = frame_dtype(flags & HAS_TRUTH, flags & HAS_PRED, jc)
    want = hb + fc * dt.itemsize
    if len(data) != want:
        _bad(name, "file is %d bytes; header says %d (%d frames x %d bytes after a %d-byte header)"
             % (len(data), want, fc, dt.itemsize, hb))
    fr = np.frombuffer(data, dt, count=fc, offset=hb)

    t = fr["time"]
    if fc > 1:
        bad = np.nonzero(np.diff(t) <= 0)[0]
        if len(bad):
            i = int(bad[0]) + 1
            _bad(name, "frame %d: time %d ns does not increase (frame %d: %d ns)" % (i, t[i], i - 1, t[i - 1]))
    dev = fr["dev"]
    _first_true(name, dev["flags"] & ~np.uint32(FLAG_BITS) != 0, "flags has bits other than 0xF set", dev=True)
    _nonfinite(name, dev["pos"], "position", dev=True)
    _nonfinite(name, dev["quat"], "orientation", dev=True)
    parts = {}
    for part, present in (("truth", flags & HAS_TRUTH), ("pred", flags & HAS_PRED)):
        if present:
            _nonfinite(name, fr[part]["pos"], "position", part=part)
            _nonfinite(name, fr[part]["quat"], "orientation", part=part)
            parts[part] = (fr[part]["pos"].copy(), fr[part]["quat"].copy())
    return Clip(t.copy(), dev["flags"].copy(), dev["pos"].copy(), dev["quat"].copy(),
                *(parts.get("truth", (None, None)) + parts.get("pred", (None, None))),
                rate_hz=rate, meta=meta)


def _no_duplicates(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise ValueError("duplicate key %r" % k)
        d[k] = v
    return d


def _where(idx, dev, part):
    frame, slot = int(idx[0]), int(idx[1])
    if dev:
        return "frame %d: %s device" % (frame, DEVICE_NAMES[slot])
    from . import skeleton
    return "frame %d: %s joint %d (%s)" % (frame, "truth" if part == "truth" else "prediction",
                                          slot, skeleton.NAMES[slot])


def _first_true(name, mask, what, dev=False, part=None):
    hits = np.argwhere(mask)
    if len(hits):
        _bad(name, "%s %s" % (_where(hits[0], dev, part), what))


def _nonfinite(name, arr, field, dev=False, part=None):
    hits = np.argwhere(~np.isfinite(arr))
    if len(hits):
        i = hits[0]
        _bad(name, "%s %s[%d] is %r, not finite" % (_where(i, dev, part), field, int(i[2]),
                                                    float(arr[tuple(i)])))


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    return from_bytes(data, name=str(path))
