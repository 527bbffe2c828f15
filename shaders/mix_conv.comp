#version 450
// The causal local mixing, one workgroup: x += SiLU(conv(LN(x))), where the
// depthwise conv keeps its last `taps` inputs tap-major in st[state +
// k * d + c], newest last: shift, append, dot with wt[w + k * d + c], + bias.
// x is updated in place, so the whole of it must be read first: one group.
#define WG  KN_VK_WG
#define VEC KN_VK_MAX_IN
#include "common.glsl"

layout(push_constant) uniform Push { KN_VK_PC_MIX_CONV(KN_GLSL_FIELD) } pc;

void main()
{
    for (uint c = gl_LocalInvocationID.x; c < pc.d; c += WG)
        vec[c] = act[pc.x + c];
    barrier();
    layer_norm_vec(pc.d, pc.ln_w, pc.ln_b);
    for (uint c = gl_LocalInvocationID.x; c < pc.d; c += WG) {
        float acc = 0.0;
        for (uint k = 0; k + 1 < pc.taps; k++) {
            float v = st[pc.state + (k + 1) * pc.d + c];
            st[pc.state + k * pc.d + c] = v;
            acc += wt[pc.w + k * pc.d + c] * v;
        }
        uint last = (pc.taps - 1) * pc.d + c;
        st[pc.state + last] = vec[c];
        acc += wt[pc.w + last] * vec[c];
        act[pc.x + c] += silu(acc + wt[pc.b + c]);
    }
}
