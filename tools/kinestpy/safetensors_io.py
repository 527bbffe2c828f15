"""Reader and writer of the safetensors format, without the `safetensors` package.

File layout (https://github.com/huggingface/safetensors, "Format"):

    8 bytes   N, unsigned little-endian 64-bit: the size of the JSON header
    N bytes   JSON header, UTF-8: {name: {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]},
              ..., "__metadata__": {string: string}}; padded with spaces to a multiple of 8
    rest      the tensors' raw little-endian, C-order (row-major) bytes; offsets are relative to
              the first byte after the header; the tensors cover this buffer with no gap

`write` keeps the caller's order of the tensors (offsets increase in that
order); `read` checks everything the format requires and returns numpy arrays.
"""
import json
import os
import struct
from collections import OrderedDict

import numpy as np

DTYPES = OrderedDict([
    ("F64", np.dtype("<f8")), ("F32", np.dtype("<f4")), ("F16", np.dtype("<f2")),
    ("I64", np.dtype("<i8")), ("I32", np.dtype("<i4")), ("I16", np.dtype("<i2")), ("I8", np.dtype("i1")),
    ("U64", np.dtype("<u8")), ("U32", np.dtype("<u4")), ("U16", np.dtype("<u2")), ("U8", np.dtype("u1")),
    ("BOOL", np.dtype("?")),
])
MAX_HEADER = 100 * 1024 * 1024


class SafetensorsError(ValueError):
    pass


def _code(arr):
    for code, dt in DTYPES.items():
        if arr.dtype == dt or arr.dtype == dt.newbyteorder("="):
            return code
    raise SafetensorsError("dtype %s has no safetensors code" % arr.dtype)


def _as_array(t):
    if hasattr(t, "detach"):          # torch tensor
        t = t.detach().cpu().contiguous().numpy()
    return np.ascontiguousarray(t)


def to_bytes(tensors, metadata=None):
    """tensors: mapping name -> numpy array or torch tensor (order kept); metadata: {str: str}."""
    header = OrderedDict()
    if metadata:
        bad = [k for k, v in metadata.items() if not isinstance(k, str) or not isinstance(v, str)]
        if bad:
            raise SafetensorsError("metadata values must be strings: %s" % bad[:5])
        header["__metadata__"] = OrderedDict(metadata)
    chunks, off = [], 0
    for name, t in tensors.items():
        if name == "__metadata__":
            raise SafetensorsError("'__metadata__' is not a tensor name")
        a = _as_array(t)
        code = _code(a)
        raw = a.astype(DTYPES[code], copy=False).tobytes(order="C")
        header[name] = OrderedDict([("dtype", code), ("shape", list(a.shape)), ("data_offsets", [off, off + len(raw)])])
        chunks.append(raw)
        off += len(raw)
    h = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    h += b" " * ((-len(h)) % 8)
    return struct.pack("<Q", len(h)) + h + b"".join(chunks)


def write(path, tensors, metadata=None):
    """Write atomically (a temporary file beside it, then rename)."""
    data = to_bytes(tensors, metadata)
    tmp = "%s.tmp%d" % (path, os.getpid())
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return len(data)


def read_header(data, name="<safetensors>"):
    """(header dict without __metadata__, metadata dict, data start offset) of a file's bytes."""
    if len(data) < 8:
        raise SafetensorsError("%s: %d bytes, shorter than the 8-byte header size" % (name, len(data)))
    n = struct.unpack("<Q", data[:8])[0]
    if n > MAX_HEADER or 8 + n > len(data):
        raise SafetensorsError("%s: header size %d does not fit the file (%d bytes)" % (name, n, len(data)))
    try:
        header = json.loads(bytes(data[8:8 + n]).decode("utf-8"), object_pairs_hook=OrderedDict)
    except (UnicodeDecodeError, ValueError) as e:
        raise SafetensorsError("%s: header is not UTF-8 JSON (%s)" % (name, e))
    if not isinstance(header, dict):
        raise SafetensorsError("%s: header is not a JSON object" % name)
    meta = header.pop("__metadata__", {}) or {}
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in meta.items()):
        raise SafetensorsError("%s: __metadata__ must map strings to strings" % name)
    return header, meta, 8 + n


def read(path_or_bytes, name=None):
    """(OrderedDict name -> numpy array in file order, metadata dict)."""
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        data, name = path_or_bytes, name or "<bytes>"
    else:
        with open(path_or_bytes, "rb") as f:
            data = f.read()
        name = name or str(path_or_bytes)
    header, meta, start = read_header(data, name)
    body = len(data) - start
    spans = []
    out = OrderedDict()
    for k, e in header.items():
        try:
            dt = DTYPES[e["dtype"]]
            shape = tuple(int(s) for s in e["shape"])
            b, end = (int(v) for v in e["data_offsets"])
        except (KeyError, TypeError, ValueError):
            raise SafetensorsError("%s: tensor %r: bad header entry %r" % (name, k, e))
        if not (0 <= b <= end <= body) or end - b != int(np.prod(shape, dtype=np.int64)) * dt.itemsize:
            raise SafetensorsError("%s: tensor %r: offsets %s do not match shape %s x %s (buffer %d bytes)"
                                   % (name, k, [b, end], list(shape), e["dtype"], body))
        spans.append((b, end, k))
        out[k] = np.frombuffer(data, dt, count=int(np.prod(shape, dtype=np.int64)), offset=start + b).reshape(shape)
    pos = 0
    for b, end, k in sorted(spans):
        if b != pos:
            raise SafetensorsError("%s: tensor %r starts at %d, expected %d (gap or overlap)" % (name, k, b, pos))
        pos = end
    if pos != body:
        raise SafetensorsError("%s: %d bytes after the last tensor" % (name, body - pos))
    return OrderedDict((k, out[k]) for _, _, k in sorted(spans)), dict(meta)
