#include "model/ops.h"

#include <math.h>
#include <string.h>

/* The matrix-vector product is most of a tick. On x86-64 it also gets an
 * AVX2 clone, picked at load time by the CPU. Without reductions in the
 * vector loop and without FMA contraction (ISO C: -ffp-contract=off) every
 * lane is computed in the same order, so both clones give bit-identical
 * results. (Not under ThreadSanitizer: the clone's resolver runs before
 * its runtime is up.) */
#if defined(__x86_64__) && defined(__GNUC__) && defined(__ELF__) && !defined(__SANITIZE_THREAD__)
#define KN_MULTIVERSION __attribute__((target_clones("avx2", "default")))
#else
#define KN_MULTIVERSION
#endif

KN_MULTIVERSION
void kn_linear(const float *restrict wt, const float *restrict bias, const float *restrict x,
               float *restrict y, size_t in, size_t out)
{
    if (bias)
        memcpy(y, bias, out * sizeof *y);
    else
        memset(y, 0, out * sizeof *y);
    /* Four input rows per pass: one load and store of y per four
     * multiply-adds, the rest streams the weights. */
    size_t i = 0;
    for (; i + 4 <= in; i += 4) {
        const float x0 = x[i], x1 = x[i + 1], x2 = x[i + 2], x3 = x[i + 3];
        const float *restrict w0 = wt + i * out;
        const float *restrict w1 = w0 + out;
        const float *restrict w2 = w1 + out;
        const float *restrict w3 = w2 + out;
        for (size_t o = 0; o < out; o++)
            y[o] += x0 * w0[o] + x1 * w1[o] + x2 * w2[o] + x3 * w3[o];
    }
    for (; i < in; i++) {
        const float xi = x[i];
        const float *restrict w = wt + i * out;
        for (size_t o = 0; o < out; o++)
            y[o] += xi * w[o];
    }
}

void kn_layer_norm(const float *restrict x, const float *restrict weight,
                   const float *restrict bias, float *restrict y, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    double mean = sum / (double)n, var = 0;
    for (size_t i = 0; i < n; i++)
        var += ((double)x[i] - mean) * ((double)x[i] - mean);
    const float m = (float)mean;
    const float inv = (float)(1.0 / sqrt(var / (double)n + KN_LN_EPS));
    for (size_t i = 0; i < n; i++)
        y[i] = (x[i] - m) * inv * weight[i] + bias[i];
}

void kn_silu(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = x[i] / (1.0f + expf(-x[i]));
}

float kn_softplus(float v)
{
    return v > 20.0f ? v : log1pf(expf(v));
}

void kn_conv_step(float *restrict state, const float *restrict wt, const float *restrict bias,
                  const float *restrict in, float *restrict out, size_t channels, size_t k)
{
    memmove(state, state + channels, (k - 1) * channels * sizeof *state);
    memcpy(state + (k - 1) * channels, in, channels * sizeof *state);
    memset(out, 0, channels * sizeof *out);
    for (size_t t = 0; t < k; t++) {
        const float *restrict w = wt + t * channels;
        const float *restrict s = state + t * channels;
        for (size_t c = 0; c < channels; c++)
            out[c] += w[c] * s[c];
    }
    for (size_t c = 0; c < channels; c++)
        out[c] += bias[c];
}
