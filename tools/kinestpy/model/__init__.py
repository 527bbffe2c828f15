"""The causal streaming KineST model (docs/model.md).

ssd (Mamba-2 block, parallel and recurrent), stream (the model and its
config), features (device poses -> per-tick input; prediction -> joints),
geometry (torch rotation maths and forward kinematics), losses, smoothing
(motion label smoothing with skeleton-based Perlin noise).
"""
