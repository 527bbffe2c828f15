/* docs/model.md "Weights by name", computed from the config: the single
 * place that knows which tensors kinest-stream-v1 has and their shapes. */
#include "weights/layout.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Names are built as a prefix stack ("spatial.1." + "ssd_fwd." + "D"). */
typedef struct emitter {
    kn_tensor_spec *specs;
    size_t n;
    char prefix[48];
    size_t len;
} emitter;

static size_t push(emitter *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static size_t push(emitter *e, const char *fmt, ...)
{
    size_t old = e->len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(e->prefix + old, sizeof e->prefix - old, fmt, ap);
    va_end(ap);
    /* The longest prefix, "temporal.15.mix.", fits with room to spare. */
    if (n > 0 && (size_t)n < sizeof e->prefix - old)
        e->len = old + (size_t)n;
    return old;
}

static void pop(emitter *e, size_t len)
{
    e->len = len;
    e->prefix[len] = '\0';
}

static void add(emitter *e, const float **slot, const char *name, uint32_t d0, uint32_t d1)
{
    kn_tensor_spec *s = &e->specs[e->n++];
    if (snprintf(s->name, sizeof s->name, "%s%s", e->prefix, name) >= (int)sizeof s->name)
        s->name[0] = '\0'; /* cannot happen: names are at most ~40 bytes */
    s->ndim = d1 ? 2 : 1;
    s->shape[0] = d0;
    s->shape[1] = d1;
    s->count = (size_t)d0 * (d1 ? d1 : 1);
    s->slot = slot;
}

static void add_norm(emitter *e, kn_norm_weights *n, const char *name, uint32_t d)
{
    size_t base = push(e, "%s.", name);
    add(e, &n->weight, "weight", d, 0);
    add(e, &n->bias, "bias", d, 0);
    pop(e, base);
}

static void add_linear(emitter *e, kn_linear_weights *l, const char *name, uint32_t out,
                       uint32_t in)
{
    size_t base = push(e, "%s.", name);
    add(e, &l->weight, "weight", out, in);
    add(e, &l->bias, "bias", out, 0);
    pop(e, base);
}

/* Mamba2: its own parameters first, then in_proj and out_proj (children). */
static void add_ssd(emitter *e, kn_ssd_weights *s, const char *name, kn_ssd_dims d)
{
    size_t base = push(e, "%s.", name);
    s->dims = d;
    add(e, &s->conv_weight, "conv_weight", d.conv_dim, d.d_conv);
    add(e, &s->conv_bias, "conv_bias", d.conv_dim, 0);
    add(e, &s->dt_bias, "dt_bias", d.nheads, 0);
    add(e, &s->A_log, "A_log", d.nheads, 0);
    add(e, &s->D, "D", d.nheads, 0);
    add(e, &s->norm_weight, "norm_weight", d.d_inner, 0);
    add(e, &s->in_proj, "in_proj.weight", d.d_in_proj, d.d_model);
    add(e, &s->out_proj, "out_proj.weight", d.d_model, d.d_inner);
    pop(e, base);
}

/* MixMLP: mix_weight, mix_bias, then mix_norm, mlp_norm, gate, up, down. */
static void add_mix(emitter *e, kn_mix_weights *m, const kn_model_config *c)
{
    size_t base = push(e, "mix.");
    add(e, &m->mix_weight, "mix_weight", c->d_model, c->mix_taps);
    add(e, &m->mix_bias, "mix_bias", c->d_model, 0);
    add_norm(e, &m->mix_norm, "mix_norm", c->d_model);
    add_norm(e, &m->mlp_norm, "mlp_norm", c->d_model);
    add_linear(e, &m->gate, "gate", c->mlp_hidden, c->d_model);
    add_linear(e, &m->up, "up", c->mlp_hidden, c->d_model);
    add_linear(e, &m->down, "down", c->d_model, c->mlp_hidden);
    pop(e, base);
}

size_t kn_weights_layout(kn_weights *w, kn_tensor_spec *specs)
{
    const kn_model_config *c = &w->config;
    const uint32_t tokens = KN_MODEL_JOINTS * c->joint_dim;
    emitter e = {.specs = specs};
    add(&e, &w->input_mean, "input_mean", c->in_features, 0);
    add(&e, &w->input_std, "input_std", c->in_features, 0);
    add_linear(&e, &w->in_proj, "in_proj", c->d_model, c->in_features);
    for (uint32_t i = 0; i < c->n_temporal; i++) {
        kn_temporal_weights *t = &w->temporal[i];
        size_t base = push(&e, "temporal.%u.", i);
        add_norm(&e, &t->norm, "norm", c->d_model);
        add_ssd(&e, &t->ssd, "ssd", kn_model_temporal_ssd(c));
        add_mix(&e, &t->mix, c);
        pop(&e, base);
    }
    for (uint32_t i = 0; i < c->n_spatial; i++) {
        kn_spatial_weights *s = &w->spatial[i];
        size_t base = push(&e, "spatial.%u.", i);
        add_norm(&e, &s->norm, "norm", c->d_model);
        add_linear(&e, &s->to_tokens, "to_tokens", tokens, c->d_model);
        add_ssd(&e, &s->ssd_fwd, "ssd_fwd", kn_model_spatial_ssd(c));
        add_ssd(&e, &s->ssd_bwd, "ssd_bwd", kn_model_spatial_ssd(c));
        add_linear(&e, &s->from_tokens, "from_tokens", c->d_model, tokens);
        add_mix(&e, &s->mix, c);
        pop(&e, base);
    }
    add_norm(&e, &w->out_norm, "out_norm", c->d_model);
    add_linear(&e, &w->out_proj, "out_proj", KN_MODEL_OUTPUTS, c->d_model);
    if (c->tied) {
        add_norm(&e, &w->joint_norm, "joint_norm", c->joint_dim);
        add(&e, &w->joint_readout, "joint_readout.weight", KN_MODEL_OUT_PER_JOINT, c->joint_dim);
    }
    if (c->contact_head)
        add_linear(&e, &w->contact_proj, "contact_proj", KN_MODEL_CONTACTS, c->d_model);
    return e.n;
}
