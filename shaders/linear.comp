#version 450
// y[t] = W (LN(x[t])) + b for the tokens t = gl_WorkGroupID.y: one output
// row per invocation. W is stored transposed, wt[w + i * n_out + o], so
// neighbouring invocations read neighbouring weights. x, y in act.
#define WG  KN_VK_WG_ROWS
#define VEC KN_VK_MAX_IN
#include "common.glsl"

layout(push_constant) uniform Push { KN_VK_PC_LINEAR(KN_GLSL_FIELD) } pc;

void main()
{
    uint t = gl_WorkGroupID.y, o = gl_GlobalInvocationID.x;
    for (uint i = gl_LocalInvocationID.x; i < pc.n_in; i += WG)
        vec[i] = act[pc.x + t * pc.x_stride + i];
    barrier();
    if ((pc.flags & KN_VK_NORM) != 0)
        layer_norm_vec(pc.n_in, pc.ln_w, pc.ln_b);
    if (o >= pc.n_out)
        return;
    float acc = (pc.flags & KN_VK_BIAS) != 0 ? wt[pc.b + o] : 0.0;
    for (uint i = 0; i < pc.n_in; i++)
        acc += wt[pc.w + i * pc.n_out + o] * vec[i];
    uint at = pc.y + t * pc.y_stride + o;
    act[at] = (pc.flags & KN_VK_ACCUMULATE) != 0 ? act[at] + acc : acc;
}
