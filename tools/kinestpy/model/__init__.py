"""The causal streaming KineST model and its offline reference (docs/model.md).

ssd (Mamba-2 block, parallel and recurrent), stream (the model and its
config), offline (the offline KineST replica, 96-frame windows), features
(device poses -> per-tick input; prediction -> joints), geometry (torch
rotation maths and forward kinematics), losses, smoothing (motion label
smoothing with skeleton-based Perlin noise).
"""


def architectures():
    """Training config's "architecture" -> (config class, model class)."""
    from . import offline, stream
    return {"stream": (stream.StreamConfig, stream.StreamKineST),
            "offline": (offline.OfflineConfig, offline.OfflineKineST)}
