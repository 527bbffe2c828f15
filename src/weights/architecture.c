/* The architecture config of kinest-stream-v1: parsed from the metadata's
 * JSON, range-checked so that no size derived from it can overflow or ask
 * for absurd memory, and the sizes derived from it. */
#include "weights/kn_weights.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* stream.KINEMATIC_ORDER: right arm hand-inwards, head, neck, left arm,
 * spine down to the hips, left leg, right leg. */
static const uint8_t kinematic_order[KN_MODEL_JOINTS] = {12, 11, 10, 9,  4,  3,  8,  7,  6,  5, 2,
                                                         1,  0,  13, 14, 15, 16, 17, 18, 19, 20};

typedef struct int_field {
    const char *key;
    size_t offset;
    uint32_t min, max;
} int_field;

#define FIELD(name, lo, hi)                                                                        \
    {                                                                                              \
#name, offsetof(kn_model_config, name), lo, hi                                             \
    }
static const int_field int_fields[] = {
    FIELD(in_features, KN_MODEL_FEATURES, KN_MODEL_FEATURES),
    FIELD(d_model, 1, 2048),
    FIELD(n_temporal, 0, KN_MODEL_MAX_BLOCKS),
    FIELD(n_spatial, 0, KN_MODEL_MAX_BLOCKS),
    FIELD(joint_dim, 1, 512),
    FIELD(d_state, 1, 256),
    FIELD(expand, 1, 8),
    FIELD(headdim, 1, 16384),
    FIELD(joint_headdim, 1, 4096),
    FIELD(d_conv, 1, 16),
    FIELD(mix_taps, 1, 16),
    FIELD(chunk, 1, 1u << 20),
    FIELD(joint_chunk, 1, 1u << 20),
};
#undef FIELD

static kn_status parse_fields(json_t *root, kn_model_config *cfg, kn_error *err)
{
    const char *key;
    json_t *value;
    json_object_foreach(root, key, value)
    {
        bool known = !strcmp(key, "mlp_ratio") || !strcmp(key, "scan_order") ||
                     !strcmp(key, "tie_tokens") || !strcmp(key, "contact_head");
        for (size_t i = 0; i < sizeof int_fields / sizeof *int_fields; i++)
            known = known || !strcmp(key, int_fields[i].key);
        if (!known)
            return kn_fail(err, KN_ERROR_FORMAT,
                           "weights: config field '%.64s' is unknown to " KN_MODEL_ARCHITECTURE,
                           key);
    }
    for (size_t i = 0; i < sizeof int_fields / sizeof *int_fields; i++) {
        const int_field *f = &int_fields[i];
        json_t *v = json_object_get(root, f->key);
        if (!json_is_integer(v))
            return kn_fail(err, KN_ERROR_FORMAT, "weights: config lacks the integer '%s'", f->key);
        json_int_t n = json_integer_value(v);
        if (n < f->min || n > f->max)
            return kn_fail(err, KN_ERROR_FORMAT, "weights: config %s = %lld, expected %u..%u",
                           f->key, (long long)n, f->min, f->max);
        *(uint32_t *)((char *)cfg + f->offset) = (uint32_t)n;
    }
    json_t *ratio = json_object_get(root, "mlp_ratio");
    if (!json_is_number(ratio))
        return kn_fail(err, KN_ERROR_FORMAT, "weights: config lacks the number 'mlp_ratio'");
    cfg->mlp_ratio = json_number_value(ratio);
    /* nearbyint rounds half to even in the default mode, as Python's round. */
    double hidden = nearbyint(cfg->mlp_ratio * cfg->d_model);
    if (!(hidden >= 1 && hidden <= 16.0 * cfg->d_model))
        return kn_fail(err, KN_ERROR_FORMAT,
                       "weights: config mlp_ratio %g gives a gated MLP of %g units", cfg->mlp_ratio,
                       hidden);
    cfg->mlp_hidden = (uint32_t)hidden;
    json_t *order = json_object_get(root, "scan_order");
    if (!json_is_string(order))
        return kn_fail(err, KN_ERROR_FORMAT, "weights: config lacks the string 'scan_order'");
    if (!strcmp(json_string_value(order), "kinematic"))
        cfg->kinematic_order = true;
    else if (strcmp(json_string_value(order), "index"))
        return kn_fail(err, KN_ERROR_FORMAT,
                       "weights: config scan_order '%.32s' is neither 'kinematic' nor 'index'",
                       json_string_value(order));
    json_t *tie = json_object_get(root, "tie_tokens");
    if (!json_is_boolean(tie))
        return kn_fail(err, KN_ERROR_FORMAT, "weights: config lacks the boolean 'tie_tokens'");
    cfg->tie_tokens = json_is_true(tie);
    /* Weights from before the contact head have no such field. */
    json_t *contact = json_object_get(root, "contact_head");
    if (contact && !json_is_boolean(contact))
        return kn_fail(err, KN_ERROR_FORMAT, "weights: config contact_head is not a boolean");
    cfg->contact_head = json_is_true(contact);
    return KN_OK;
}

static kn_status check_scan_order(const kn_model_config *cfg, const char *text, kn_error *err)
{
    char expected[4 * KN_MODEL_JOINTS] = "";
    size_t at = 0;
    for (int k = 0; k < KN_MODEL_JOINTS; k++)
        at += (size_t)snprintf(expected + at, sizeof expected - at, k ? ",%u" : "%u",
                               cfg->scan_order[k]);
    if (strcmp(text, expected))
        return kn_fail(err, KN_ERROR_FORMAT,
                       "weights: metadata scan_order '%.96s' is not the %s order '%s'", text,
                       cfg->kinematic_order ? "kinematic" : "index", expected);
    return KN_OK;
}

kn_status kn_model_config_parse(const char *architecture, const char *config_json,
                                const char *scan_order, kn_model_config *cfg, kn_error *err)
{
    memset(cfg, 0, sizeof *cfg);
    if (!architecture)
        return kn_fail(err, KN_ERROR_FORMAT, "weights: metadata names no architecture");
    if (strcmp(architecture, KN_MODEL_ARCHITECTURE))
        return kn_fail(err, KN_ERROR_UNSUPPORTED_VERSION,
                       "weights: architecture '%.64s', this engine runs '" KN_MODEL_ARCHITECTURE
                       "'",
                       architecture);
    if (!config_json)
        return kn_fail(err, KN_ERROR_FORMAT, "weights: metadata holds no config");
    json_error_t jerr;
    json_t *root = json_loads(config_json, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return kn_fail(err, KN_ERROR_FORMAT, "weights: config is not JSON (column %d: %s)",
                       jerr.column, jerr.text);
    kn_status st = json_is_object(root)
                       ? parse_fields(root, cfg, err)
                       : kn_fail(err, KN_ERROR_FORMAT, "weights: config is not a JSON object");
    json_decref(root);
    if (st != KN_OK)
        return st;

    if ((cfg->expand * cfg->d_model) % cfg->headdim)
        return kn_fail(err, KN_ERROR_FORMAT,
                       "weights: config headdim %u does not divide d_inner %u", cfg->headdim,
                       cfg->expand * cfg->d_model);
    if ((cfg->expand * cfg->joint_dim) % cfg->joint_headdim)
        return kn_fail(err, KN_ERROR_FORMAT,
                       "weights: config joint_headdim %u does not divide the joint d_inner %u",
                       cfg->joint_headdim, cfg->expand * cfg->joint_dim);
    cfg->tied = cfg->tie_tokens && cfg->n_spatial > 0;
    for (int k = 0; k < KN_MODEL_JOINTS; k++)
        cfg->scan_order[k] = cfg->kinematic_order ? kinematic_order[k] : (uint8_t)k;
    return scan_order ? check_scan_order(cfg, scan_order, err) : KN_OK;
}

static kn_ssd_dims ssd_dims(const kn_model_config *cfg, uint32_t width, uint32_t headdim)
{
    kn_ssd_dims d = {.d_model = width,
                     .d_inner = cfg->expand * width,
                     .d_state = cfg->d_state,
                     .headdim = headdim,
                     .d_conv = cfg->d_conv};
    d.nheads = d.d_inner / headdim;
    d.conv_dim = d.d_inner + 2 * d.d_state;
    d.d_in_proj = 2 * d.d_inner + 2 * d.d_state + d.nheads;
    return d;
}

kn_ssd_dims kn_model_temporal_ssd(const kn_model_config *cfg)
{
    return ssd_dims(cfg, cfg->d_model, cfg->headdim);
}

uint32_t kn_model_outputs(const kn_model_config *cfg)
{
    return KN_MODEL_OUTPUTS + (cfg->contact_head ? KN_MODEL_CONTACTS : 0);
}

kn_ssd_dims kn_model_spatial_ssd(const kn_model_config *cfg)
{
    return ssd_dims(cfg, cfg->joint_dim, cfg->joint_headdim);
}

static void add_state(kn_state_spec *specs, size_t max, size_t *n, const char *kind, uint32_t i,
                      const char *what, uint32_t ndim, uint32_t a, uint32_t b, uint32_t c)
{
    if (*n < max) {
        kn_state_spec *s = &specs[*n];
        snprintf(s->name, sizeof s->name, "%s.%u.%s", kind, i, what);
        s->ndim = ndim;
        s->shape[0] = a;
        s->shape[1] = b;
        s->shape[2] = ndim == 3 ? c : 0;
        s->count = (size_t)a * b * (ndim == 3 ? c : 1);
    }
    (*n)++;
}

size_t kn_model_state_specs(const kn_model_config *cfg, kn_state_spec *specs, size_t max)
{
    size_t n = 0;
    kn_ssd_dims t = kn_model_temporal_ssd(cfg), s = kn_model_spatial_ssd(cfg);
    for (uint32_t i = 0; i < cfg->n_temporal; i++) {
        add_state(specs, max, &n, "temporal", i, "ssd.conv", 2, t.conv_dim, t.d_conv, 0);
        add_state(specs, max, &n, "temporal", i, "ssd.ssm", 3, t.nheads, t.headdim, t.d_state);
        add_state(specs, max, &n, "temporal", i, "mix.conv", 2, cfg->d_model, cfg->mix_taps, 0);
    }
    for (uint32_t i = 0; i < cfg->n_spatial; i++) {
        add_state(specs, max, &n, "spatial", i, "ssd_fwd.conv", 2, s.conv_dim, s.d_conv, 0);
        add_state(specs, max, &n, "spatial", i, "ssd_fwd.ssm", 3, s.nheads, s.headdim, s.d_state);
        add_state(specs, max, &n, "spatial", i, "ssd_bwd.conv", 2, s.conv_dim, s.d_conv, 0);
        add_state(specs, max, &n, "spatial", i, "ssd_bwd.ssm", 3, s.nheads, s.headdim, s.d_state);
        add_state(specs, max, &n, "spatial", i, "mix.conv", 2, cfg->d_model, cfg->mix_taps, 0);
    }
    return n;
}
