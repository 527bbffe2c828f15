/* The Mamba-2 recurrence of docs/model.md ("Mamba-2 block"), one token. */
#include "model/cpu_model.h"
#include "model/ops.h"

#include <math.h>

void kn_cpu_ssd_scan(cpu_ssd *s, const float *zx, float *y, float *xbc)
{
    const kn_ssd_dims *d = &s->d;
    const size_t P = d->headdim, N = d->d_state;
    kn_conv_step(s->conv, s->conv_wt, s->conv_bias, zx + d->d_inner, xbc, d->conv_dim, d->d_conv);
    kn_silu(xbc, d->conv_dim);
    const float *x = xbc, *B = xbc + d->d_inner, *C = B + N;
    const float *dt_raw = zx + d->d_inner + d->conv_dim;
    for (size_t h = 0; h < d->nheads; h++) {
        const float dt = kn_softplus(dt_raw[h] + s->dt_bias[h]);
        const float dA = expf(dt * s->A[h]);
        const float *restrict xh = x + h * P;
        float *restrict yh = y + h * P;
        for (size_t p = 0; p < P; p++)
            yh[p] = 0;
        float *restrict st = s->ssm + h * N * P;
        /* h[n][p] = dA h[n][p] + (dt x[p]) B[n];  y[p] += C[n] h[n][p] */
        for (size_t n = 0; n < N; n++) {
            float *restrict hn = st + n * P;
            const float b = B[n], c = C[n];
            for (size_t p = 0; p < P; p++) {
                hn[p] = hn[p] * dA + (dt * xh[p]) * b;
                yh[p] += c * hn[p];
            }
        }
        for (size_t p = 0; p < P; p++)
            yh[p] += s->D[h] * xh[p];
    }
}

void kn_cpu_ssd_gate_out(const cpu_ssd *s, const float *z, float *y, float *out)
{
    const size_t n = s->d.d_inner;
    double sq = 0;
    for (size_t i = 0; i < n; i++) {
        y[i] *= z[i] / (1.0f + expf(-z[i]));
        sq += (double)y[i] * y[i];
    }
    const float r = (float)(1.0 / sqrt(sq / (double)n + KN_RMS_EPS));
    for (size_t i = 0; i < n; i++)
        y[i] = y[i] * r * s->norm_w[i];
    kn_linear(s->out_proj_t, NULL, y, out, n, s->d.d_model);
}
