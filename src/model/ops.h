/* CPU kernels of the model step: float32, contiguous, restrict-qualified
 * loops without reductions in the inner loop, so that the compiler
 * vectorises them without -ffast-math. Internal to the CPU backend. */
#ifndef KN_MODEL_OPS_H
#define KN_MODEL_OPS_H

#include <stddef.h>

#define KN_LN_EPS  1e-5f
#define KN_RMS_EPS 1e-5f

/* y[out] = bias + W x, with W stored TRANSPOSED as wt[in][out] (so the
 * inner loop runs along the outputs); bias may be NULL. */
void kn_linear(const float *restrict wt, const float *restrict bias, const float *restrict x,
               float *restrict y, size_t in, size_t out);

/* nn.LayerNorm: biased variance, eps 1e-5, statistics in double. */
void kn_layer_norm(const float *restrict x, const float *restrict weight,
                   const float *restrict bias, float *restrict y, size_t n);

/* x = SiLU(x) = x * sigmoid(x). */
void kn_silu(float *x, size_t n);

/* torch.nn.functional.softplus: v if v > 20 else log1p(exp(v)). */
float kn_softplus(float v);

/* One step of a causal depthwise convolution whose state holds the last k
 * inputs tap-major (state[t][c], newest t = k-1) and whose weights are
 * transposed the same way (wt[t][c]): shift, append `in`, then
 * out[c] = sum_t wt[t][c] state[t][c] + bias[c]. */
void kn_conv_step(float *restrict state, const float *restrict wt, const float *restrict bias,
                  const float *restrict in, float *restrict out, size_t channels, size_t k);

#endif
