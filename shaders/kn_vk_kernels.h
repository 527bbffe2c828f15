/* What the Vulkan backend's C code and its GLSL kernels must agree on,
 * written once in the subset of the preprocessor both languages share:
 * workgroup sizes, the shared-memory capacities the host checks a config
 * against, flag bits, and each kernel's push constants (uint fields only,
 * so the C struct and the GLSL block have the same layout). */
#ifndef KN_VK_KERNELS_H
#define KN_VK_KERNELS_H

/* Threads per workgroup: linear and mlp_up give one output row to a thread;
 * the others loop over their rows. Powers of two (tree reductions). */
#define KN_VK_WG_ROWS 64
#define KN_VK_WG      128

/* Shared-memory capacities in floats. Each kernel's shared arrays stay
 * under 16 KiB, the least maxComputeSharedMemorySize Vulkan guarantees. */
#define KN_VK_MAX_IN       2048 /* linear, mlp_up, mix_conv: input width */
#define KN_VK_MAX_CONV_DIM 2048 /* ssd_scan: d_inner + 2N */
#define KN_VK_MAX_HEADS    64   /* ssd_scan: H */
#define KN_VK_MAX_INNER    1024 /* ssd_out: d_inner of each direction */

/* linear flags */
#define KN_VK_BIAS       1u /* add the bias b */
#define KN_VK_NORM       2u /* LayerNorm the input first (ln_w, ln_b) */
#define KN_VK_ACCUMULATE 4u /* y += result, else y = result */
/* ssd_out flags */
#define KN_VK_STREAM 8u /* also stream[t] += result (the joint-token stream) */
/* ssd_scan: order == KN_VK_NO_ORDER scans the tokens 0, 1, ... */
#define KN_VK_NO_ORDER 0xffffffffu

/* Push constants. Offsets count floats into the weights (wt), state (st)
 * or activation (act) buffer, as the kernel's comment says. */
/* clang-format off */
#define KN_VK_PC_LINEAR(F)                                                                         \
    F(w) F(b) F(ln_w) F(ln_b)                                  /* wt */                            \
    F(x) F(y)                                                  /* act */                           \
    F(n_in) F(n_out) F(x_stride) F(y_stride) F(flags)
#define KN_VK_PC_MLP_UP(F)                                                                         \
    F(w_gate) F(b_gate) F(w_up) F(b_up) F(ln_w) F(ln_b)        /* wt */                            \
    F(x) F(y)                                                  /* act */                           \
    F(n_in) F(n_out)
#define KN_VK_PC_MIX_CONV(F)                                                                       \
    F(ln_w) F(ln_b) F(w) F(b)                                  /* wt */                            \
    F(state)                                                   /* st */                            \
    F(x)                                                       /* act */                           \
    F(d) F(taps)
#define KN_VK_PC_SSD_SCAN(F)                                                                       \
    F(order) F(conv_w) F(conv_b) F(dt_bias) F(a) F(d_skip)     /* wt */                            \
    F(conv) F(ssm)                                             /* st */                            \
    F(zx) F(y)                                                 /* act */                           \
    F(n_tok) F(d_inner) F(n_state) F(n_heads) F(head_dim) F(conv_dim) F(taps) F(d_in_proj)
#define KN_VK_PC_SSD_OUT(F)                                                                        \
    F(norm0) F(out0) F(norm1) F(out1)                          /* wt */                            \
    F(zx0) F(y0) F(zx1) F(y1) F(dst) F(stream)                 /* act */                           \
    F(n_dir) F(d_inner) F(d_in_proj) F(n_out) F(flags)
#define KN_VK_PC_READOUT(F)                                                                        \
    F(ln_w) F(ln_b) F(w)                                       /* wt */                            \
    F(tok) F(dst)                                              /* act */                           \
    F(joint_dim) F(n_joints)
/* clang-format on */

#endif
