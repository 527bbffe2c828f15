#version 450
// The sequential heart of a Mamba-2 block (docs/model.md): n_tok tokens, in
// the scan order wt[order + k] (a gather), each through the causal conv
// and the SSM recurrence, one workgroup, so token k + 1 sees token k's
// state. zx[j] (act, stride d_in_proj) = [z | xBC | dt] from in_proj;
// y[j] (act, stride d_inner) = C.h + D x, before gating (ssd_out.comp).
// State (st): conv [taps][conv_dim] newest last; ssm [H][N][P], P
// innermost so that neighbouring invocations touch neighbouring floats.
// Each invocation owns the same channels and rows at every token, so the
// state needs no barrier; only vec (the token's xBC) and dt/dA do.
#define WG  KN_VK_WG
#define VEC KN_VK_MAX_CONV_DIM
#include "common.glsl"

layout(push_constant) uniform Push { KN_VK_PC_SSD_SCAN(KN_GLSL_FIELD) } pc;

shared float dts[KN_VK_MAX_HEADS], das[KN_VK_MAX_HEADS];

void main()
{
    uint tid = gl_LocalInvocationID.x;
    uint P = pc.head_dim, N = pc.n_state, C = pc.conv_dim;
    for (uint k = 0; k < pc.n_tok; k++) {
        uint j = pc.order == KN_VK_NO_ORDER ? k : uint(wt[pc.order + k]);
        uint row = pc.zx + j * pc.d_in_proj;
        // xBC = SiLU(conv_b + sum_k conv_w[k] . shift-append(conv, xBC_in))
        for (uint c = tid; c < C; c += WG) {
            float acc = 0.0;
            for (uint t = 0; t + 1 < pc.taps; t++) {
                float v = st[pc.conv + (t + 1) * C + c];
                st[pc.conv + t * C + c] = v;
                acc += wt[pc.conv_w + t * C + c] * v;
            }
            uint last = (pc.taps - 1) * C + c;
            float v = act[row + pc.d_inner + c];
            st[pc.conv + last] = v;
            acc += wt[pc.conv_w + last] * v;
            vec[c] = silu(acc + wt[pc.conv_b + c]);
        }
        for (uint h = tid; h < pc.n_heads; h += WG) {
            float dt = softplus(act[row + pc.d_inner + C + h] + wt[pc.dt_bias + h]);
            dts[h] = dt;
            das[h] = exp(dt * wt[pc.a + h]); // a = -exp(A_log), from the host
        }
        barrier();
        // h[n][p] = dA h[n][p] + (dt x[p]) B[n];  y[p] = sum_n C[n] h[n][p] + D x[p]
        for (uint r = tid; r < pc.n_heads * P; r += WG) {
            uint h = r / P, p = r - h * P;
            float x = vec[r], dtx = dts[h] * x, da = das[h], y = 0.0;
            uint s = pc.ssm + h * N * P + p;
            for (uint n = 0; n < N; n++) {
                float hv = st[s + n * P] * da + dtx * vec[pc.d_inner + n];
                st[s + n * P] = hv;
                y += vec[pc.d_inner + N + n] * hv;
            }
            act[pc.y + j * pc.d_inner + r] = y + wt[pc.d_skip + h] * x;
        }
        barrier(); // vec and dts are the next token's
    }
}
