"""SMPL-family body models (SMPL-H, SMPL-X) reduced to their 22 body joints.

The user's own body-model file (downloaded under its licence; nothing of it ships here)
is read by path: a `.npz` with `v_template` (V, 3), `shapedirs` (V, 3, S), `J_regressor`
(K, V) and `kintree_table` (2, K), as the AMASS-distributed SMPL+H `model.npz` and the
SMPL-X `SMPLX_*.npz` files hold them. Joints are linear in the shape: J(beta) =
J_regressor @ (v_template + shapedirs . beta), so the model is kept as its joint template
and joint shape blend (22 x 3 and 22 x 3 x S), a few kilobytes whatever the mesh size.
Pose blend shapes move vertices, never the regressed joints, so they are not needed.
"""
import os

import numpy as np

# The 22 SMPL body joints (the first 22 of SMPL, SMPL-H and SMPL-X, in this order).
BODY_JOINTS = [
    "pelvis", "left_hip", "right_hip", "spine1", "left_knee", "right_knee", "spine2",
    "left_ankle", "right_ankle", "spine3", "left_foot", "right_foot", "neck",
    "left_collar", "right_collar", "head", "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow", "left_wrist", "right_wrist",
]
N_BODY = len(BODY_JOINTS)
GENDERS = ("male", "female", "neutral")


class BodyModelError(ValueError):
    pass


class JointModel:
    """The body joints of one body-model file: rest joints of any shape, parents."""

    def __init__(self, template, shape_blend, parents, path):
        self.template, self.shape_blend, self.parents, self.path = template, shape_blend, parents, path

    def rest_joints(self, betas):
        """(22, 3) rest joint positions (metres, the model's Y-up frame) of shape `betas`;
        betas beyond the model's shape components are ignored, missing ones are zero."""
        b = np.zeros(self.shape_blend.shape[-1])
        betas = np.asarray(betas, dtype=np.float64).ravel()[:len(b)]
        b[:len(betas)] = betas
        return self.template + self.shape_blend @ b


def load(path):
    """JointModel of a body-model .npz file."""
    try:
        with np.load(path, allow_pickle=False) as z:
            missing = [k for k in ("v_template", "shapedirs", "J_regressor", "kintree_table") if k not in z.files]
            if missing:
                raise BodyModelError("%s: not a SMPL-family body model (no %s)" % (path, ", ".join(missing)))
            v = np.asarray(z["v_template"], dtype=np.float64)
            s = np.asarray(z["shapedirs"], dtype=np.float64)
            jr = np.asarray(z["J_regressor"], dtype=np.float64)[:N_BODY]
            kt = np.asarray(z["kintree_table"]).astype(np.int64)
    except (OSError, ValueError) as e:
        if isinstance(e, BodyModelError):
            raise
        raise BodyModelError("%s: cannot read the body model (%s); give the .npz version of the model "
                             "(the .pkl files need chumpy)" % (path, e))
    if v.ndim != 2 or v.shape[1] != 3 or s.shape[:2] != v.shape or jr.shape != (N_BODY, len(v)):
        raise BodyModelError("%s: shapes v_template %s, shapedirs %s, J_regressor %s do not fit together"
                             % (path, v.shape, s.shape, jr.shape))
    parents = kt[0, :N_BODY].copy()
    parents[0] = -1
    if np.any(parents[1:] < 0) or np.any(parents[1:] >= np.arange(1, N_BODY)):
        raise BodyModelError("%s: kintree_table does not list parents before children" % path)
    return JointModel(jr @ v, np.einsum("jv,vcs->jcs", jr, s), parents.tolist(), path)


def candidates(root, model_type, gender):
    """Files tried under a body-model folder for (model_type smplh | smplx, gender), best first:
    the AMASS layout (<type>/<gender>/model.npz) and the SMPL-X one (<TYPE>_<GENDER>.npz)."""
    out = []
    for g in (gender, "neutral") if gender != "neutral" else ("neutral",):
        out += [os.path.join(root, model_type, g, "model.npz"), os.path.join(root, g, "model.npz"),
                os.path.join(root, model_type, "%s_%s.npz" % (model_type.upper(), g.upper())),
                os.path.join(root, "%s_%s.npz" % (model_type.upper(), g.upper()))]
    return out


_CACHE = {}


def find(path, model_type, gender):
    """(JointModel, file) for a motion: `path` is one body-model file used for every motion,
    or a folder searched by `candidates`. Loaded once per process."""
    if os.path.isfile(path):
        f = path
    else:
        found = [c for c in candidates(path, model_type, gender) if os.path.isfile(c)]
        if not found:
            raise BodyModelError("no %s body model for gender %s under %s (looked for %s)"
                                 % (model_type, gender, path, ", ".join(candidates(path, model_type, gender)[:2])))
        f = found[0]
    if f not in _CACHE:
        _CACHE[f] = load(f)
    return _CACHE[f], f
