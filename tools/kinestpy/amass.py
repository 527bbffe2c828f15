"""AMASS motion files (.npz of SMPL-H or SMPL-X body parameters) as an importer source.

An AMASS motion holds per-frame axis-angle `poses` (F, 156) for SMPL-H or (F, 165) for
SMPL-X (the first 66 numbers: root orientation and the 21 body joints, the same joints in
both), `trans` (F, 3), `betas`, `gender` and the capture rate as `mocap_framerate` (SMPL-H
release) or `mocap_frame_rate` (SMPL-X release). `load` turns one into a source skeleton
like a BVH file's: the 22 body joints of the user's body model (rest joints from its
template, shape blend and joint regressor for the motion's betas), their rotations from
`poses` and the pelvis at `trans` + its rest position, in AMASS's Z-up world.
`mappings/amass.json` maps it onto the canonical skeleton (docs/data.md, "AMASS") and
the importer applies the same rules as to every other source.
"""
import functools
import os

import numpy as np

from . import bvh, protocols, rot, smpl

POSE_WIDTHS = {72: "smpl", 156: "smplh", 165: "smplx"}
RATE_KEYS = ("mocap_framerate", "mocap_frame_rate")
TABLE_FOLDER = "amass"          # the data folder mappings/amass.json is written for


class AmassError(ValueError):
    pass


class Motion(bvh.Bvh):
    """An AMASS motion as a source skeleton: motion rows are [root rotation vector (3),
    pelvis position (3), 21 joint rotation vectors (63)], metres and radians."""

    def __init__(self, rest_joints, parents, fps, poses, root_pos):
        super().__init__()
        self.names = list(smpl.BODY_JOINTS)
        self.parents = list(parents)
        self.offsets = [rest_joints[j] - (rest_joints[p] if p >= 0 else 0.0) for j, p in enumerate(parents)]
        self.channels = [["Xrotvec", "Yrotvec", "Zrotvec"] + (["Xposition", "Yposition", "Zposition"] if j == 0 else [])
                         for j in range(smpl.N_BODY)]
        self.frame_time = 1.0 / fps
        self.motion = np.concatenate([poses[:, :3], root_pos, poses[:, 3:3 * smpl.N_BODY]], axis=1)

    def local_transforms(self):
        f = self.frames
        aa = np.concatenate([self.motion[:, :3], self.motion[:, 6:]], axis=1).reshape(f, smpl.N_BODY, 3)
        trans = np.broadcast_to(np.asarray(self.offsets), (f, smpl.N_BODY, 3)).copy()
        trans[:, 0] = self.motion[:, 3:6]
        return rot.rotvec_to_matrix(aa), trans


def _text(a):
    v = np.asarray(a).ravel()
    v = v[0] if v.size else ""
    return (v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)).strip().lower()


def read(path):
    """The arrays of an AMASS .npz: poses, trans, betas, fps, gender, model type."""
    try:
        with np.load(path, allow_pickle=False) as z:
            keys = set(z.files)
            if "poses" not in keys or "trans" not in keys:
                raise AmassError("%s: no poses/trans (a shape-only file?)" % os.path.basename(path))
            rate = [k for k in RATE_KEYS if k in keys]
            if not rate:
                raise AmassError("%s: no frame rate (%s)" % (os.path.basename(path), " or ".join(RATE_KEYS)))
            poses = np.asarray(z["poses"], dtype=np.float64)
            trans = np.asarray(z["trans"], dtype=np.float64)
            betas = np.asarray(z["betas"], dtype=np.float64) if "betas" in keys else np.zeros(0)
            fps = float(np.asarray(z[rate[0]]).ravel()[0])
            try:
                gender = _text(z["gender"]) if "gender" in keys else "neutral"
            except ValueError:          # stored as a pickled object: not read (no pickles from files)
                gender = "neutral"
            kind = _text(z["surface_model_type"]) if "surface_model_type" in keys else None
    except (OSError, ValueError, EOFError) as e:
        if isinstance(e, AmassError):
            raise
        raise AmassError("%s: not a readable .npz (%s)" % (os.path.basename(path), e))
    if poses.ndim != 2 or poses.shape[1] not in POSE_WIDTHS:
        raise AmassError("poses of shape %s: expected (F, %s)" % (poses.shape, " | ".join(map(str, POSE_WIDTHS))))
    if trans.shape != (len(poses), 3):
        raise AmassError("trans of shape %s for %d frames" % (trans.shape, len(poses)))
    if not (fps > 0 and np.all(np.isfinite(poses)) and np.all(np.isfinite(trans))):
        raise AmassError("non-finite values or frame rate %r" % fps)
    gender = gender if gender in smpl.GENDERS else "neutral"
    kind = kind if kind in ("smpl", "smplh", "smplx") else POSE_WIDTHS[poses.shape[1]]
    return poses, trans, betas.ravel(), fps, gender, kind


def load(path, body_model):
    """Motion of one AMASS file with the body model at `body_model` (file or folder)."""
    poses, trans, betas, fps, gender, kind = read(path)
    try:
        model, _ = smpl.find(body_model, kind, gender)
    except smpl.BodyModelError as e:
        raise AmassError(str(e))
    rest = model.rest_joints(betas)
    return Motion(rest, model.parents, fps, poses, trans + rest[0])


# ---------------------------------------------------------------- the files of a download

def motions(root):
    """[(dataset folder, path inside it, full path)] of every motion under an AMASS folder
    (one subfolder per dataset: CMU/, BMLrub/ or BioMotionLab_NTroje/, ...); shape-only
    files (shape.npz) are left out."""
    out = []
    for ds in sorted(os.listdir(root)):
        top = os.path.join(root, ds)
        if not os.path.isdir(top):
            continue
        for d, dirs, files in os.walk(top):
            dirs.sort()
            for f in sorted(files):
                if f.endswith(".npz") and f != "shape.npz" and not f.endswith("_shape.npz"):
                    full = os.path.join(d, f)
                    out.append((ds, os.path.relpath(full, top).replace(os.sep, "/"), full))
    return out


def clip_name(rel):
    """Clip name of a motion (path inside its dataset): folders joined by '-', no .npz
    (`01/01_01_poses.npz` -> `01-01_01_poses`); unique within the dataset."""
    return rel[:-len(".npz")].replace("/", "-")


def jobs(root, out_dir, body_model, protocol=None, lists=None, holdout=None, log=print):
    """`data build` jobs for the motions of an AMASS folder, split by `protocol`
    (protocols.assign); each job carries its split, subgroup, clip name and reader."""
    root = os.path.abspath(root)
    if not os.path.isdir(root):
        raise AmassError("--amass %s is not a folder" % root)
    if not os.path.exists(body_model):
        raise AmassError("--body-model %s does not exist (the SMPL-H/SMPL-X model file or folder "
                         "you downloaded under its licence)" % body_model)
    found = motions(root)
    splits, notes = protocols.assign(found, protocol, lists, holdout)
    for n in notes:
        log("amass: %s" % n)
    reader = functools.partial(load, body_model=os.path.abspath(body_model))
    out = []
    for (ds, rel, full), sp in zip(found, splits):
        if sp is None:
            continue
        folder = "amass/" + protocols.canonical_dataset(ds)
        sub = {"dataset": ds, "subject": rel.split("/")[0] if "/" in rel else "", "motion": rel}
        if protocol:
            sub["protocol"] = int(protocol)
        out.append((full, folder, root, out_dir, {"name": clip_name(rel), "split": sp, "subgroup": sub,
                                                  "reader": reader, "table_folder": TABLE_FOLDER}))
    log("amass: %d of %d motion files under %s (%s)" % (len(out), len(found), root,
                                                        "protocol %s" % protocol if protocol else "subject split"))
    return out
