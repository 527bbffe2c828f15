#version 450
// The tied-token readout, one workgroup: dst[j * 6 + r] +=
// W_read[r] . LN_J(tok[j]) for the 21 joints. One output per invocation;
// each recomputes its joint's LayerNorm (J values) rather than sharing it,
// which keeps the kernel free of barriers.
#define WG  KN_VK_WG
#define VEC 1
#include "common.glsl"

layout(push_constant) uniform Push { KN_VK_PC_READOUT(KN_GLSL_FIELD) } pc;

void main()
{
    uint J = pc.joint_dim;
    for (uint o = gl_LocalInvocationID.x; o < pc.n_joints * 6; o += WG) {
        uint j = o / 6, r = o - j * 6, x = pc.tok + j * J;
        float mean = 0.0, var = 0.0;
        for (uint i = 0; i < J; i++)
            mean += act[x + i];
        mean /= float(J);
        for (uint i = 0; i < J; i++)
            var += (act[x + i] - mean) * (act[x + i] - mean);
        float inv = inversesqrt(var / float(J) + LN_EPS), acc = 0.0;
        for (uint i = 0; i < J; i++)
            acc += wt[pc.w + r * J + i] * ((act[x + i] - mean) * inv * wt[pc.ln_w + i] + wt[pc.ln_b + i]);
        act[pc.dst + o] += acc;
    }
}
