#version 450
// A Mamba-2 block's output for token t = gl_WorkGroupID.x, summed over
// n_dir (1, or 2 for the joint scan's forward and backward SSDs):
// g = y * SiLU(z); g *= rsqrt(mean(g^2) + eps) * norm_w (RMSNormGated, one
// group); out = W_out g (transposed, wt[out + i * n_out + o]). Then
// dst[t] = out or dst[t] += out, and with KN_VK_STREAM stream[t] += out too.
#define WG  KN_VK_WG
#define VEC (2 * KN_VK_MAX_INNER)
#include "common.glsl"

layout(push_constant) uniform Push { KN_VK_PC_SSD_OUT(KN_GLSL_FIELD) } pc;

void gate_norm(uint dir, uint zx, uint y, uint norm)
{
    uint t = gl_WorkGroupID.x, tid = gl_LocalInvocationID.x, at = dir * KN_VK_MAX_INNER;
    float sq = 0.0;
    for (uint i = tid; i < pc.d_inner; i += WG) {
        float z = act[zx + t * pc.d_in_proj + i];
        float g = act[y + t * pc.d_inner + i] * silu(z);
        vec[at + i] = g;
        sq += g * g;
    }
    float r = inversesqrt(wg_sum(sq) / float(pc.d_inner) + RMS_EPS);
    for (uint i = tid; i < pc.d_inner; i += WG)
        vec[at + i] *= r * wt[norm + i];
}

void main()
{
    uint t = gl_WorkGroupID.x;
    gate_norm(0, pc.zx0, pc.y0, pc.norm0);
    if (pc.n_dir > 1)
        gate_norm(1, pc.zx1, pc.y1, pc.norm1);
    barrier();
    for (uint o = gl_LocalInvocationID.x; o < pc.n_out; o += WG) {
        float acc = 0.0;
        for (uint i = 0; i < pc.d_inner; i++)
            acc += wt[pc.out0 + i * pc.n_out + o] * vec[i];
        if (pc.n_dir > 1) {
            float acc1 = 0.0;
            for (uint i = 0; i < pc.d_inner; i++)
                acc1 += wt[pc.out1 + i * pc.n_out + o] * vec[KN_VK_MAX_INNER + i];
            acc += acc1;
        }
        uint at = pc.dst + t * pc.n_out + o;
        float v = (pc.flags & KN_VK_ACCUMULATE) != 0 ? act[at] + acc : acc;
        act[at] = v;
        if ((pc.flags & KN_VK_STREAM) != 0)
            act[pc.stream + t * pc.n_out + o] += v;
    }
}
