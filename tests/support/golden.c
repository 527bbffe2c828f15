#include "support/golden.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

uint8_t *golden_read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    *size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(*size ? *size : 1);
    ck_assert_uint_eq(fread(buf, 1, *size, f), *size);
    fclose(f);
    return buf;
}

void golden_open(golden *g, const char *dir)
{
    char path[512];
    kn_error err = {0};
    snprintf(path, sizeof path, "%s/kinest.safetensors", dir);
    ck_assert_msg(kn_weights_load_file(path, &g->weights, &err) == KN_OK, "%s", err.message);
    snprintf(path, sizeof path, "%s/golden.safetensors", dir);
    size_t size;
    g->bytes = golden_read_all(path, &size);
    unsigned types =
        KN_DTYPE_BIT(KN_DTYPE_F32) | KN_DTYPE_BIT(KN_DTYPE_I64) | KN_DTYPE_BIT(KN_DTYPE_U32);
    ck_assert_msg(kn_safetensors_parse(g->bytes, size, types, &g->st, &err) == KN_OK, "%s",
                  err.message);
    const char *ticks = kn_safetensors_metadata(&g->st, "ticks");
    ck_assert_ptr_nonnull(ticks);
    g->ticks = (uint32_t)atoi(ticks);
    ck_assert_uint_gt(g->ticks, 11);
}

void golden_close(golden *g)
{
    kn_weights_free(g->weights);
    kn_safetensors_free(&g->st);
    free(g->bytes);
}

/* An F32 tensor of the golden file with `count` values, copied out. */
float *golden_tensor(const golden *g, const char *name, size_t count)
{
    const kn_tensor_view *t = kn_safetensors_find(&g->st, name);
    ck_assert_msg(t != NULL, "golden file lacks %s", name);
    ck_assert_int_eq(t->dtype, KN_DTYPE_F32);
    ck_assert_uint_eq(t->count, count);
    float *v = malloc(count * sizeof *v);
    for (size_t i = 0; i < count; i++)
        v[i] = kn_tensor_get(t, i);
    return v;
}

double max_abs_diff(const float *a, const float *b, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - (double)b[i]);
        if (!(d <= m))
            m = d; /* NaN wins */
    }
    return m;
}

float *golden_outputs(const golden *g, const char *prefix, uint32_t *per_tick)
{
    const uint32_t n = kn_model_outputs(&g->weights->config);
    char name[64];
    snprintf(name, sizeof name, "%soutput", prefix);
    float *rot = golden_tensor(g, name, (size_t)g->ticks * KN_MODEL_OUTPUTS);
    float *contact = NULL;
    if (g->weights->config.contact_head) {
        snprintf(name, sizeof name, "%scontact", prefix);
        contact = golden_tensor(g, name, (size_t)g->ticks * KN_MODEL_CONTACTS);
    }
    float *out = malloc((size_t)g->ticks * n * sizeof *out);
    for (uint32_t t = 0; t < g->ticks; t++)
        for (uint32_t i = 0; i < n; i++)
            out[(size_t)t * n + i] =
                i < KN_MODEL_OUTPUTS
                    ? rot[(size_t)t * KN_MODEL_OUTPUTS + i]
                    : contact[(size_t)t * KN_MODEL_CONTACTS + i - KN_MODEL_OUTPUTS];
    free(rot);
    free(contact);
    *per_tick = n;
    return out;
}
