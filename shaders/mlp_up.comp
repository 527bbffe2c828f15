#version 450
// The gated MLP's first half: y = SiLU(W_gate LN(x) + b) * (W_up LN(x) + b),
// one hidden unit per invocation (weights transposed as in linear.comp).
#define WG  KN_VK_WG_ROWS
#define VEC KN_VK_MAX_IN
#include "common.glsl"

layout(push_constant) uniform Push { KN_VK_PC_MLP_UP(KN_GLSL_FIELD) } pc;

void main()
{
    uint o = gl_GlobalInvocationID.x;
    for (uint i = gl_LocalInvocationID.x; i < pc.n_in; i += WG)
        vec[i] = act[pc.x + i];
    barrier();
    layer_norm_vec(pc.n_in, pc.ln_w, pc.ln_b);
    if (o >= pc.n_out)
        return;
    float g = wt[pc.b_gate + o], u = wt[pc.b_up + o];
    for (uint i = 0; i < pc.n_in; i++) {
        g += wt[pc.w_gate + i * pc.n_out + o] * vec[i];
        u += wt[pc.w_up + i * pc.n_out + o] * vec[i];
    }
    act[pc.y + o] = silu(g) * u;
}
