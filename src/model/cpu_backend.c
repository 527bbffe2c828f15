/* The CPU backend: lays the weights out for the kernels and allocates the
 * state and scratch once, so a step never touches the heap. The layout is
 * built by one function run twice: a counting pass that sizes the three
 * arenas, then a filling pass. */
#include "model/cpu_model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <xmmintrin.h>
#endif

typedef struct arena {
    float *base; /* NULL while counting */
    size_t used;
} arena;

/* 16 floats = 64 bytes: every array starts on a cache line. */
static float *take(arena *a, size_t n)
{
    float *p = a->base ? a->base + a->used : NULL;
    a->used += (n + 15) & ~(size_t)15;
    return p;
}

typedef struct builder {
    arena weights, state, work;
} builder;

static float *copy(builder *b, const float *src, size_t n)
{
    float *p = take(&b->weights, n);
    if (p)
        memcpy(p, src, n * sizeof *p);
    return p;
}

/* src (rows, cols) row-major -> (cols, rows). */
static float *transpose(builder *b, const float *src, size_t rows, size_t cols)
{
    float *p = take(&b->weights, rows * cols);
    for (size_t r = 0; p && r < rows; r++)
        for (size_t c = 0; c < cols; c++)
            p[c * rows + r] = src[r * cols + c];
    return p;
}

static cpu_norm norm(builder *b, const kn_norm_weights *w, size_t n)
{
    return (cpu_norm){copy(b, w->weight, n), copy(b, w->bias, n), n};
}

static cpu_linear linear(builder *b, const kn_linear_weights *w, size_t out, size_t in)
{
    return (cpu_linear){transpose(b, w->weight, out, in), w->bias ? copy(b, w->bias, out) : NULL,
                        in, out};
}

static void ssd(builder *b, cpu_ssd *s, const kn_ssd_weights *w)
{
    const kn_ssd_dims d = w->dims;
    s->d = d;
    s->in_proj_t = transpose(b, w->in_proj, d.d_in_proj, d.d_model);
    s->conv_wt = transpose(b, w->conv_weight, d.conv_dim, d.d_conv);
    s->conv_bias = copy(b, w->conv_bias, d.conv_dim);
    s->dt_bias = copy(b, w->dt_bias, d.nheads);
    s->A = take(&b->weights, d.nheads);
    for (size_t h = 0; s->A && h < d.nheads; h++)
        s->A[h] = -expf(w->A_log[h]);
    s->D = copy(b, w->D, d.nheads);
    s->norm_w = copy(b, w->norm_weight, d.d_inner);
    s->out_proj_t = transpose(b, w->out_proj, d.d_model, d.d_inner);
    s->conv = take(&b->state, (size_t)d.d_conv * d.conv_dim);
    s->ssm = take(&b->state, (size_t)d.nheads * d.headdim * d.d_state);
}

static void mix(builder *b, cpu_mix *m, const kn_mix_weights *w, const kn_model_config *c)
{
    m->mix_norm = norm(b, &w->mix_norm, c->d_model);
    m->mix_wt = transpose(b, w->mix_weight, c->d_model, c->mix_taps);
    m->mix_bias = copy(b, w->mix_bias, c->d_model);
    m->taps = c->mix_taps;
    m->mlp_norm = norm(b, &w->mlp_norm, c->d_model);
    m->gate = linear(b, &w->gate, c->mlp_hidden, c->d_model);
    m->up = linear(b, &w->up, c->mlp_hidden, c->d_model);
    m->down = linear(b, &w->down, c->d_model, c->mlp_hidden);
    m->conv = take(&b->state, (size_t)c->mix_taps * c->d_model);
}

static size_t max3(size_t a, size_t b, size_t c)
{
    size_t m = a > b ? a : b;
    return m > c ? m : c;
}

static void build(builder *b, cpu_model *m, const kn_weights *w)
{
    const kn_model_config *c = &w->config;
    const size_t tokens = (size_t)KN_MODEL_JOINTS * c->joint_dim;
    m->cfg = *c;
    m->in_proj = linear(b, &w->in_proj, c->d_model, c->in_features);
    for (uint32_t i = 0; i < c->n_temporal; i++) {
        m->temporal[i].norm = norm(b, &w->temporal[i].norm, c->d_model);
        ssd(b, &m->temporal[i].ssd, &w->temporal[i].ssd);
        mix(b, &m->temporal[i].mix, &w->temporal[i].mix, c);
    }
    for (uint32_t i = 0; i < c->n_spatial; i++) {
        cpu_spatial *s = &m->spatial[i];
        s->norm = norm(b, &w->spatial[i].norm, c->d_model);
        s->to_tokens = linear(b, &w->spatial[i].to_tokens, tokens, c->d_model);
        ssd(b, &s->ssd[0], &w->spatial[i].ssd_fwd);
        ssd(b, &s->ssd[1], &w->spatial[i].ssd_bwd);
        s->from_tokens = linear(b, &w->spatial[i].from_tokens, c->d_model, tokens);
        mix(b, &s->mix, &w->spatial[i].mix, c);
    }
    m->out_norm = norm(b, &w->out_norm, c->d_model);
    m->out_proj = linear(b, &w->out_proj, KN_MODEL_OUTPUTS, c->d_model);
    if (c->tied) {
        m->joint_norm = norm(b, &w->joint_norm, c->joint_dim);
        kn_linear_weights readout = {w->joint_readout, NULL};
        m->joint_readout = linear(b, &readout, KN_MODEL_OUT_PER_JOINT, c->joint_dim);
    }
    if (c->contact_head)
        m->contact_proj = linear(b, &w->contact_proj, KN_MODEL_CONTACTS, c->d_model);
    for (int k = 0; k < KN_MODEL_JOINTS; k++) {
        m->order[0][k] = c->scan_order[k];
        m->order[1][k] = c->scan_order[KN_MODEL_JOINTS - 1 - k];
    }

    kn_ssd_dims t = kn_model_temporal_ssd(c), s = kn_model_spatial_ssd(c);
    cpu_scratch *x = &m->scratch;
    x->x = take(&b->work, c->d_model);
    x->ln = take(&b->work, c->d_model);
    x->delta = take(&b->work, c->d_model);
    x->hidden = take(&b->work, c->mlp_hidden);
    x->hidden2 = take(&b->work, c->mlp_hidden);
    x->zx = take(&b->work, max3(t.d_in_proj, (size_t)KN_MODEL_JOINTS * s.d_in_proj, 1));
    x->y = take(&b->work, max3(t.d_inner, (size_t)KN_MODEL_JOINTS * s.d_inner, 1));
    x->xbc = take(&b->work, max3(t.conv_dim, s.conv_dim, 1));
    x->tok = take(&b->work, tokens);
    x->s = take(&b->work, tokens);
    x->jt = take(&b->work, tokens);
    x->tmp = take(&b->work, max3(c->d_model, c->joint_dim, KN_MODEL_OUT_PER_JOINT));
}

static void cpu_destroy(kn_backend *backend)
{
    cpu_model *m = backend->context;
    if (m) {
        free(m->weights);
        free(m->state);
        free(m->work);
        free(m);
    }
    free(backend);
}

static void cpu_reset(kn_backend *backend)
{
    cpu_model *m = backend->context;
    memset(m->state, 0, m->state_floats * sizeof *m->state);
}

/* SSM states decay by exp(dt A) every step; once training makes dt A
 * large they sink into denormals, which cost x86 ~100 cycles per
 * operation. Flush them to zero during the step (the difference is below
 * 1e-38) and give the caller's thread its own mode back. */
static kn_status cpu_step(kn_backend *backend, const float *input, float *output, kn_error *err)
{
    (void)err;
#if defined(__SSE2__)
    const unsigned int csr = _mm_getcsr();
    _mm_setcsr(csr | 0x8040u); /* FTZ | DAZ */
#endif
    kn_cpu_model_step(backend->context, input, output);
#if defined(__SSE2__)
    _mm_setcsr(csr);
#endif
    return KN_OK;
}

/* State k of kn_model_state_specs: per temporal block ssd.conv, ssd.ssm,
 * mix.conv; per spatial block ssd_fwd.conv, ssd_fwd.ssm, ssd_bwd.conv,
 * ssd_bwd.ssm, mix.conv. Internal layout as [inner][rows][cols]. */
static const float *locate_state(const cpu_model *m, size_t k, size_t *inner, size_t *rows,
                                 size_t *cols)
{
    const cpu_mix *mx;
    const cpu_ssd *s = NULL;
    size_t which;
    if (k < 3 * (size_t)m->cfg.n_temporal) {
        which = k % 3 == 2 ? 4 : k % 3;
        s = &m->temporal[k / 3].ssd;
        mx = &m->temporal[k / 3].mix;
    } else {
        k -= 3 * (size_t)m->cfg.n_temporal;
        which = k % 5;
        if (which < 4)
            s = &m->spatial[k / 5].ssd[which / 2];
        mx = &m->spatial[k / 5].mix;
    }
    *inner = 1;
    if (which == 4) {
        *rows = mx->taps, *cols = m->cfg.d_model;
        return mx->conv;
    }
    if (which % 2 == 0) {
        *rows = s->d.d_conv, *cols = s->d.conv_dim;
        return s->conv;
    }
    *inner = s->d.nheads, *rows = s->d.d_state, *cols = s->d.headdim;
    return s->ssm;
}

/* Back to PyTorch's layouts: conv [K][C] -> (C, K), ssm [H][N][P] -> (H, P, N). */
static kn_status cpu_read_state(kn_backend *backend, const char *name, float *out, size_t count,
                                kn_error *err)
{
    const cpu_model *m = backend->context;
    kn_state_spec specs[KN_MODEL_MAX_STATES];
    size_t n = kn_model_state_specs(&m->cfg, specs, KN_MODEL_MAX_STATES);
    for (size_t k = 0; k < n; k++) {
        if (strcmp(specs[k].name, name))
            continue;
        size_t inner, rows, cols;
        const float *src = locate_state(m, k, &inner, &rows, &cols);
        if (count != specs[k].count)
            return kn_fail(err, KN_ERROR_INVALID_ARGUMENT,
                           "cpu: state '%s' has %zu values, not %zu", name, specs[k].count, count);
        for (size_t h = 0; h < inner; h++)
            for (size_t r = 0; r < rows; r++)
                for (size_t c = 0; c < cols; c++)
                    out[(h * cols + c) * rows + r] = src[(h * rows + r) * cols + c];
        return KN_OK;
    }
    return kn_fail(err, KN_ERROR_INVALID_ARGUMENT, "cpu: no state named '%.64s'", name);
}

static const kn_backend_iface cpu_iface = {
    .name = "cpu",
    .destroy = cpu_destroy,
    .reset = cpu_reset,
    .step = cpu_step,
    .read_state = cpu_read_state,
};

kn_status kn_backend_cpu_create(const kn_weights *weights, kn_backend **backend, kn_error *err)
{
    *backend = NULL;
    kn_backend *b = calloc(1, sizeof *b);
    cpu_model *m = calloc(1, sizeof *m);
    if (!b || !m) {
        free(b);
        free(m);
        return kn_fail(err, KN_ERROR_OUT_OF_MEMORY, "cpu: out of memory");
    }
    b->iface = &cpu_iface;
    b->context = m;
    builder count = {0};
    build(&count, m, weights);
    m->weights = aligned_alloc(64, count.weights.used * sizeof(float));
    m->state = aligned_alloc(64, (count.state.used ? count.state.used : 16) * sizeof(float));
    m->work = aligned_alloc(64, count.work.used * sizeof(float));
    if (!m->weights || !m->state || !m->work) {
        cpu_destroy(b);
        return kn_fail(err, KN_ERROR_OUT_OF_MEMORY, "cpu: out of memory for the model");
    }
    memset(m->work, 0, count.work.used * sizeof(float));
    builder fill = {{m->weights, 0}, {m->state, 0}, {m->work, 0}};
    build(&fill, m, weights);
    m->state_floats = count.state.used;
    cpu_reset(b);
    *backend = b;
    return KN_OK;
}
