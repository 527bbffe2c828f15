// Included by every kernel after it defines WG (its workgroup size) and
// VEC (the floats of its shared vector, at least 1). One descriptor set for
// all kernels: the weights (uploaded once), the recurrent state and the
// activations of a tick; push constants say where each operand lies.
#extension GL_GOOGLE_include_directive : require
#include "kn_vk_kernels.h"

layout(local_size_x = WG) in;

layout(std430, set = 0, binding = 0) readonly buffer Weights { float wt[]; };
layout(std430, set = 0, binding = 1) buffer State { float st[]; };
layout(std430, set = 0, binding = 2) buffer Activations { float act[]; };

#define KN_GLSL_FIELD(name) uint name;

shared float vec[VEC];
shared float red[WG];

const float LN_EPS = 1e-5;
const float RMS_EPS = 1e-5;

// Sum over the workgroup; every invocation must call it (uniform control).
float wg_sum(float v)
{
    uint t = gl_LocalInvocationID.x;
    red[t] = v;
    barrier();
    for (uint s = WG / 2; s > 0; s >>= 1) {
        if (t < s)
            red[t] += red[t + s];
        barrier();
    }
    float r = red[0];
    barrier();
    return r;
}

// vec[0..n) = LayerNorm(vec[0..n)) with wt[w..], wt[b..]: biased variance
// from the mean-subtracted values, as nn.LayerNorm. Ends with a barrier.
void layer_norm_vec(uint n, uint w, uint b)
{
    uint t = gl_LocalInvocationID.x;
    float p = 0.0;
    for (uint i = t; i < n; i += WG)
        p += vec[i];
    float mean = wg_sum(p) / float(n);
    p = 0.0;
    for (uint i = t; i < n; i += WG)
        p += (vec[i] - mean) * (vec[i] - mean);
    float inv = inversesqrt(wg_sum(p) / float(n) + LN_EPS);
    for (uint i = t; i < n; i += WG)
        vec[i] = (vec[i] - mean) * inv * wt[w + i] + wt[b + i];
    barrier();
}

float silu(float v)
{
    return v / (1.0 + exp(-v));
}

// torch's softplus (threshold 20); log1p(e) as log(u) * e / (u - 1), which
// keeps full precision where 1 + e rounds (Goldberg's trick).
float softplus(float v)
{
    if (v > 20.0)
        return v;
    float e = exp(v);
    float u = 1.0 + e;
    return u == 1.0 ? e : log(u) * (e / (u - 1.0));
}
