/* One tick of the streaming model (docs/model.md "Architecture", stream.py
 * `step`) on the CPU. */
#include "model/cpu_model.h"
#include "model/ops.h"

#include <string.h>

static void add_into(float *restrict x, const float *restrict d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] += d[i];
}

/* MixMLP.step: x += SiLU(causal_conv(LN(x)));
 * x += W_down(SiLU(W_gate LN(x) + b) * (W_up LN(x) + b)) + b. */
static void mix_step(cpu_mix *m, cpu_scratch *w, float *x, size_t d)
{
    kn_layer_norm(x, m->mix_norm.weight, m->mix_norm.bias, w->ln, d);
    kn_conv_step(m->conv, m->mix_wt, m->mix_bias, w->ln, w->delta, d, m->taps);
    kn_silu(w->delta, d);
    add_into(x, w->delta, d);

    const size_t h = m->gate.out;
    kn_layer_norm(x, m->mlp_norm.weight, m->mlp_norm.bias, w->ln, d);
    kn_linear(m->gate.wt, m->gate.bias, w->ln, w->hidden, d, h);
    kn_linear(m->up.wt, m->up.bias, w->ln, w->hidden2, d, h);
    kn_silu(w->hidden, h);
    for (size_t i = 0; i < h; i++)
        w->hidden[i] *= w->hidden2[i];
    kn_linear(m->down.wt, m->down.bias, w->hidden, w->delta, h, d);
    add_into(x, w->delta, d);
}

/* x += SSD(LN(x)), then the local mixing and the gated MLP. */
static void temporal_step(cpu_temporal *t, cpu_scratch *w, float *x, size_t d)
{
    cpu_ssd *s = &t->ssd;
    kn_layer_norm(x, t->norm.weight, t->norm.bias, w->ln, d);
    kn_linear(s->in_proj_t, NULL, w->ln, w->zx, d, s->d.d_in_proj);
    kn_cpu_ssd_scan(s, w->zx, w->y, w->xbc);
    kn_cpu_ssd_gate_out(s, w->zx, w->y, w->delta);
    add_into(x, w->delta, d);
    mix_step(&t->mix, w, x, d);
}

/* One direction of the joint scan: the 21 tokens through the SSD in
 * `order`, the result added to s in joint index order. Only the conv and
 * the SSM recurrence are sequential; in_proj and the gated output run over
 * all tokens at once. */
static void joint_scan(cpu_ssd *ssd, const uint8_t *order, cpu_scratch *w, size_t jd)
{
    const kn_ssd_dims *d = &ssd->d;
    for (size_t j = 0; j < KN_MODEL_JOINTS; j++)
        kn_linear(ssd->in_proj_t, NULL, w->tok + j * jd, w->zx + j * d->d_in_proj, jd,
                  d->d_in_proj);
    for (size_t k = 0; k < KN_MODEL_JOINTS; k++) {
        size_t j = order[k];
        kn_cpu_ssd_scan(ssd, w->zx + j * d->d_in_proj, w->y + j * d->d_inner, w->xbc);
    }
    for (size_t j = 0; j < KN_MODEL_JOINTS; j++) {
        kn_cpu_ssd_gate_out(ssd, w->zx + j * d->d_in_proj, w->y + j * d->d_inner, w->tmp);
        add_into(w->s + j * jd, w->tmp, jd);
    }
}

/* tok = W_tok LN(x) + b (+ the joint stream); s = scan_fwd + scan_bwd;
 * x += W_back s + b; mixing and MLP; the stream becomes tok + s. */
static void spatial_step(cpu_model *m, cpu_spatial *sp, float *x, bool with_stream)
{
    cpu_scratch *w = &m->scratch;
    const size_t d = m->cfg.d_model, n = (size_t)KN_MODEL_JOINTS * m->cfg.joint_dim;
    kn_layer_norm(x, sp->norm.weight, sp->norm.bias, w->ln, d);
    kn_linear(sp->to_tokens.wt, sp->to_tokens.bias, w->ln, w->tok, d, n);
    if (with_stream)
        add_into(w->tok, w->jt, n);
    memset(w->s, 0, n * sizeof *w->s);
    joint_scan(&sp->ssd[0], m->order[0], w, m->cfg.joint_dim);
    joint_scan(&sp->ssd[1], m->order[1], w, m->cfg.joint_dim);
    kn_linear(sp->from_tokens.wt, sp->from_tokens.bias, w->s, w->delta, n, d);
    add_into(x, w->delta, d);
    mix_step(&sp->mix, w, x, d);
    for (size_t i = 0; i < n; i++)
        w->jt[i] = w->tok[i] + w->s[i];
}

void kn_cpu_model_step(cpu_model *m, const float *input, float *out)
{
    cpu_scratch *w = &m->scratch;
    const size_t d = m->cfg.d_model, jd = m->cfg.joint_dim;
    kn_linear(m->in_proj.wt, m->in_proj.bias, input, w->x, m->in_proj.in, d);
    for (uint32_t i = 0; i < m->cfg.n_temporal; i++)
        temporal_step(&m->temporal[i], w, w->x, d);
    for (uint32_t i = 0; i < m->cfg.n_spatial; i++)
        spatial_step(m, &m->spatial[i], w->x, m->cfg.tied && i > 0);
    kn_layer_norm(w->x, m->out_norm.weight, m->out_norm.bias, w->ln, d);
    kn_linear(m->out_proj.wt, m->out_proj.bias, w->ln, out, d, KN_MODEL_OUTPUTS);
    if (m->cfg.contact_head)
        kn_linear(m->contact_proj.wt, m->contact_proj.bias, w->ln, out + KN_MODEL_OUTPUTS, d,
                  KN_MODEL_CONTACTS);
    if (!m->cfg.tied)
        return;
    /* The shared readout: joint j's 6D += W_read LN_J(stream_j). */
    for (size_t j = 0; j < KN_MODEL_JOINTS; j++) {
        kn_layer_norm(w->jt + j * jd, m->joint_norm.weight, m->joint_norm.bias, w->tmp, jd);
        float r[KN_MODEL_OUT_PER_JOINT];
        kn_linear(m->joint_readout.wt, NULL, w->tmp, r, jd, KN_MODEL_OUT_PER_JOINT);
        add_into(out + j * KN_MODEL_OUT_PER_JOINT, r, KN_MODEL_OUT_PER_JOINT);
    }
}
