"""`kinest baseline mean-pose`: the trivial floor every model has to beat.

The mean training pose: per joint the chordal L2 mean of the local rotations
(quaternions) over every frame of the train split, i.e. the eigenvector of the
largest eigenvalue of sum(q q^T), which ignores the sign of each quaternion. The
hips (whose "local" rotation is global) are averaged relative to the head
device's yaw, so the mean keeps the hips' usual tilt but not a heading.

Prediction for a clip, from its device signals and its own skeleton only: the
hips turn with the head device's yaw (the twist about +Y of its orientation),
every other joint keeps its mean local rotation, and forward kinematics over the
clip's skeleton offsets (metadata) hangs the body under the head device: the
head joint is where the head device pose puts it (the device is the head joint's
frame moved by devices.EYE_OFFSET, so head joint = device position - R_device
EYE_OFFSET), and the root is placed so that the predicted head joint lands there.

Output: one clip per input clip, same relative path under OUT, with the input's
times and device signals and the prediction section (HAS_PRED), no truth; and
OUT/mean-pose.json with the mean pose and what it was computed from.
"""
import json
import os

import numpy as np

from . import clipio, devices, metrics, rot, skeleton


class BaselineError(Exception):
    pass


def load_index(data_dir):
    path = os.path.join(data_dir, "index.json")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except OSError as e:
        raise BaselineError("%s: cannot read the data build's index (%s)" % (path, e.strerror))
    except ValueError as e:
        raise BaselineError("%s: not JSON (%s)" % (path, e))


def yaw_quat(q):
    """The twist about +Y of rotations q (..., 4): normalised (0, y, 0, w)."""
    q = np.asarray(q, dtype=np.float64)
    t = np.zeros_like(q)
    t[..., 1], t[..., 3] = q[..., 1], q[..., 3]
    n = np.linalg.norm(t, axis=-1, keepdims=True)
    ident = n[..., 0] < 1e-9                      # upside down: no defined heading
    t = t / np.where(n < 1e-9, 1.0, n)
    t[ident] = (0.0, 0.0, 0.0, 1.0)
    return t


def local_rotations(glob_quat, head_quat):
    """Local rotations (F, 21, 4); the hips' relative to the head device's yaw."""
    loc = metrics.local_quats(glob_quat)
    loc[:, 0] = rot.quat_mul(rot.quat_conj(yaw_quat(head_quat)), np.asarray(glob_quat, np.float64)[:, 0])
    return loc


def chordal_mean(scatter):
    """Unit quaternion maximising sum (q . m)^2 from the 4x4 scatter matrix sum q q^T; w >= 0."""
    w, v = np.linalg.eigh(scatter)
    m = v[:, -1]
    return m if m[3] >= 0 else -m


def mean_pose(data_dir, sources=None, index=None):
    """(local quaternions (21, 4), info) over the train clips of a data build."""
    index = index or load_index(data_dir)
    scatter = np.zeros((skeleton.J, 4, 4))
    clips = frames = 0
    used = set()
    for rel, e in sorted(index["clips"].items()):
        if e["split"] != "train" or (sources and e["source"] not in sources):
            continue
        c = clipio.read(os.path.join(data_dir, rel))
        if not c.has_truth:
            raise BaselineError("%s: no ground truth" % rel)
        q = local_rotations(c.truth_quat, c.dev_quat[:, 0])
        scatter += np.einsum("fji,fjk->jik", q, q)
        clips += 1
        frames += c.frames
        used.add(e["source"])
    if not clips:
        raise BaselineError("%s: no train clips%s" % (data_dir, " from %s" % ", ".join(sources) if sources else ""))
    mean = np.stack([chordal_mean(scatter[j]) for j in range(skeleton.J)])
    return mean, {"train_clips": clips, "train_frames": frames, "train_sources": sorted(used)}


def predict(clip, mean, offsets):
    """(positions (F, 21, 3), global orientations (F, 21, 4)) of the mean pose under the head device."""
    offsets = np.asarray(offsets, dtype=np.float64)
    f = clip.frames
    pos0, g0 = skeleton.fk(rot.quat_to_matrix(mean)[None], np.zeros((1, 3)), offsets, local=True)
    gq0 = rot.matrix_to_quat(g0[0])                                   # (21, 4), heading 0
    hq = clip.dev_quat[:, 0].astype(np.float64)
    head = clip.dev_pos[:, 0].astype(np.float64) - rot.quat_rotate(hq, np.broadcast_to(devices.EYE_OFFSET, (f, 3)))
    yq = yaw_quat(hq)                                                 # (F, 4)
    ym = rot.quat_to_matrix(yq)
    root = head - ym @ pos0[0, skeleton.HEAD]
    pos = np.einsum("fij,kj->fki", ym, pos0[0]) + root[:, None, :]
    gq = rot.quat_mul(yq[:, None, :], np.broadcast_to(gq0, (f, skeleton.J, 4)))
    return pos, rot.quat_continuous(gq, axis=0)


def run_mean_pose(data_dir, out_dir, splits=("test",), train_sources=None):
    index = load_index(data_dir)
    mean, info = mean_pose(data_dir, train_sources, index)
    os.makedirs(out_dir, exist_ok=True)
    mean_file = os.path.join(out_dir, "mean-pose.json")
    with open(mean_file, "w", encoding="utf-8") as f:
        json.dump(dict(info, joints=skeleton.NAMES, data=os.path.abspath(data_dir),
                       local_quat_xyzw=np.round(mean, 6).tolist(),
                       hips="relative to the head device's yaw (twist about +Y)"), f, indent=1)
    written = 0
    for rel, e in sorted(index["clips"].items()):
        if e["split"] not in splits:
            continue
        c = clipio.read(os.path.join(data_dir, rel))
        try:
            offsets = c.meta["skeleton"]["offsets_m"]
        except (KeyError, TypeError):
            raise BaselineError("%s: no skeleton.offsets_m in its metadata" % rel)
        pos, gq = predict(c, mean, offsets)
        meta = {"kinest_clip": 1, "clip": c.meta.get("clip"), "source": c.meta.get("source"),
                "split": c.meta.get("split"), "prediction": {"baseline": "mean-pose", **info}}
        dst = os.path.join(out_dir, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        clipio.write(dst, clipio.Clip(c.time_ns, c.dev_flags, c.dev_pos, c.dev_quat,
                                      pred_pos=pos, pred_quat=gq, rate_hz=c.rate_hz, meta=meta))
        written += 1
    return dict(info, written=written, mean_file=mean_file)
