/* Loading: container -> architecture -> the expected tensors, each matched
 * by name and shape, copied into one aligned arena and checked finite. */
#include "weights/layout.h"
#include "weights/safetensors.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void format_shape(char *buf, size_t size, uint32_t ndim, const uint64_t *shape)
{
    size_t at = (size_t)snprintf(buf, size, "[");
    for (uint32_t i = 0; i < ndim && at < size; i++)
        at += (size_t)snprintf(buf + at, size - at, i ? ", %llu" : "%llu",
                               (unsigned long long)shape[i]);
    if (at < size)
        snprintf(buf + at, size - at, "]");
}

static bool same_shape(const kn_tensor_spec *s, const kn_tensor_view *t)
{
    if (s->ndim != t->ndim)
        return false;
    for (uint32_t i = 0; i < s->ndim; i++)
        if (s->shape[i] != t->shape[i])
            return false;
    return true;
}

static kn_status match_tensors(const kn_safetensors *st, const kn_tensor_spec *specs, size_t n,
                               kn_error *err)
{
    for (size_t i = 0; i < n; i++) {
        const kn_tensor_view *t = kn_safetensors_find(st, specs[i].name);
        if (!t)
            return kn_fail(err, KN_ERROR_FORMAT, "weights: tensor '%s' is missing", specs[i].name);
        if (!same_shape(&specs[i], t)) {
            char found[96], expected[96];
            uint64_t shape[2] = {specs[i].shape[0], specs[i].shape[1]};
            format_shape(found, sizeof found, t->ndim, t->shape);
            format_shape(expected, sizeof expected, specs[i].ndim, shape);
            return kn_fail(err, KN_ERROR_FORMAT,
                           "weights: tensor '%s' has shape %s, the config implies %s",
                           specs[i].name, found, expected);
        }
    }
    /* Names are unique (duplicate keys are refused), so equal counts mean
     * no extra tensor. */
    for (size_t k = 0; st->tensor_count != n && k < st->tensor_count; k++) {
        bool known = false;
        for (size_t i = 0; i < n && !known; i++)
            known = strcmp(st->tensors[k].name, specs[i].name) == 0;
        if (!known)
            return kn_fail(err, KN_ERROR_FORMAT,
                           "weights: tensor '%s' is not part of " KN_MODEL_ARCHITECTURE
                           " with this config",
                           st->tensors[k].name);
    }
    return KN_OK;
}

static kn_status copy_values(kn_weights *w, const kn_safetensors *st, const kn_tensor_spec *specs,
                             size_t n, kn_error *err)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += (specs[i].count + 15) & ~(size_t)15; /* each tensor 64-byte aligned */
    w->arena = aligned_alloc(64, (total ? total : 16) * sizeof(float));
    w->tensors = calloc(n ? n : 1, sizeof *w->tensors);
    if (!w->arena || !w->tensors)
        return kn_fail(err, KN_ERROR_OUT_OF_MEMORY, "weights: out of memory for %zu values", total);
    w->arena_floats = total;
    memset(w->arena, 0, total * sizeof(float));
    float *at = w->arena;
    for (size_t i = 0; i < n; i++) {
        const kn_tensor_view *t = kn_safetensors_find(st, specs[i].name);
        for (size_t k = 0; k < specs[i].count; k++) {
            at[k] = kn_tensor_get(t, k);
            if (!isfinite(at[k]))
                return kn_fail(err, KN_ERROR_NON_FINITE,
                               "weights: tensor '%s' holds %s at element %zu", specs[i].name,
                               isnan(at[k]) ? "NaN" : "an infinity", k);
        }
        *specs[i].slot = at;
        kn_weight_tensor *wt = &w->tensors[i];
        memcpy(wt->name, specs[i].name, sizeof wt->name);
        wt->ndim = specs[i].ndim;
        memcpy(wt->shape, specs[i].shape, sizeof wt->shape);
        wt->count = specs[i].count;
        wt->data = at;
        at += (specs[i].count + 15) & ~(size_t)15;
    }
    w->tensor_count = n;
    for (uint32_t k = 0; k < w->config.in_features; k++)
        if (!(w->input_std[k] > 0))
            return kn_fail(err, KN_ERROR_FORMAT,
                           "weights: input_std[%u] is %g; it must be positive (a constant "
                           "feature needs a clamped std)",
                           k, (double)w->input_std[k]);
    return KN_OK;
}

/* "output_smoothing": a decimal string in [0, 1), absent = 0. Parsed as a
 * JSON number: unlike strtod, independent of the host's locale (the layer
 * runs inside applications that may set one), and no nan, inf or hex. */
static kn_status parse_smoothing(const kn_safetensors *st, float *out, kn_error *err)
{
    const char *text = kn_safetensors_metadata(st, "output_smoothing");
    *out = 0.0f;
    if (!text)
        return KN_OK;
    json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
    /* Checked as a float: 0.99999999999 would round to 1. */
    float s = json_is_number(v) ? (float)json_number_value(v) : NAN;
    json_decref(v);
    if (!(s >= 0.0f && s < 1.0f))
        return kn_fail(err, KN_ERROR_FORMAT,
                       "weights: metadata output_smoothing '%.32s' is not a number in [0, 1)",
                       text);
    *out = s;
    return KN_OK;
}

static kn_status load(const kn_safetensors *st, kn_weights *w, kn_error *err)
{
    kn_status s = kn_model_config_parse(kn_safetensors_metadata(st, "architecture"),
                                        kn_safetensors_metadata(st, "config"),
                                        kn_safetensors_metadata(st, "scan_order"), &w->config, err);
    if (s == KN_OK)
        s = parse_smoothing(st, &w->output_smoothing, err);
    if (s != KN_OK)
        return s;
    kn_tensor_spec *specs = malloc(KN_WEIGHTS_MAX_TENSORS * sizeof *specs);
    if (!specs)
        return kn_fail(err, KN_ERROR_OUT_OF_MEMORY, "weights: out of memory");
    size_t n = kn_weights_layout(w, specs);
    s = match_tensors(st, specs, n, err);
    if (s == KN_OK)
        s = copy_values(w, st, specs, n, err);
    free(specs);
    return s;
}

kn_status kn_weights_load_memory(const void *data, size_t size, kn_weights **weights, kn_error *err)
{
    if (!weights || (!data && size))
        return kn_fail(err, KN_ERROR_INVALID_ARGUMENT, "weights: NULL argument");
    *weights = NULL;
    kn_safetensors st;
    kn_status s = kn_safetensors_parse(data, size, KN_DTYPE_BIT(KN_DTYPE_F32), &st, err);
    if (s != KN_OK)
        return s;
    kn_weights *w = calloc(1, sizeof *w);
    s = w ? load(&st, w, err) : kn_fail(err, KN_ERROR_OUT_OF_MEMORY, "weights: out of memory");
    kn_safetensors_free(&st);
    if (s != KN_OK) {
        kn_weights_free(w);
        return s;
    }
    *weights = w;
    return KN_OK;
}

/* n bytes at buf from fd; false on an error or a short file. */
static bool read_exactly(int fd, uint8_t *buf, size_t n)
{
    while (n > 0) {
        ssize_t got = read(fd, buf, n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return false;
        buf += got;
        n -= (size_t)got;
    }
    return true;
}

/* Opened without blocking (a FIFO nobody writes would hang open()) and
 * refused unless a regular file; its header is checked before the tensors
 * are read, so a big wrong file costs a few bytes, not its size. */
static kn_status read_file(const char *path, uint8_t **out, size_t *out_size, kn_error *err)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return kn_fail(err, KN_ERROR_IO, "weights: cannot open %s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return kn_fail(err, KN_ERROR_IO, "weights: %s is not a regular file", path);
    }
    if ((unsigned long long)sb.st_size > KN_WEIGHTS_MAX_FILE_BYTES) {
        close(fd);
        return kn_fail(err, KN_ERROR_LIMIT, "weights: %s is %lld bytes, more than any model", path,
                       (long long)sb.st_size);
    }
    size_t size = (size_t)sb.st_size;
    uint8_t first8[8];
    uint64_t header_bytes = 0;
    if (size < 8 || !read_exactly(fd, first8, 8) ||
        kn_safetensors_header_bytes(first8, &header_bytes) != KN_OK || header_bytes > size - 8) {
        close(fd);
        return kn_fail(err, KN_ERROR_FORMAT, "weights: %s is no safetensors file of %zu bytes",
                       path, size);
    }
    size_t head = 8 + (size_t)header_bytes;
    uint8_t *buf = malloc(head);
    kn_status s = buf ? KN_OK : kn_fail(err, KN_ERROR_OUT_OF_MEMORY, "weights: out of memory");
    if (s == KN_OK) {
        memcpy(buf, first8, 8);
        if (!read_exactly(fd, buf + 8, head - 8))
            s = kn_fail(err, KN_ERROR_IO, "weights: cannot read %s", path);
    }
    if (s == KN_OK)
        s = kn_safetensors_check_header(buf, head, size, KN_DTYPE_BIT(KN_DTYPE_F32), err);
    if (s == KN_OK) {
        uint8_t *whole = realloc(buf, size);
        if (!whole)
            s = kn_fail(err, KN_ERROR_OUT_OF_MEMORY, "weights: out of memory for %s", path);
        else if (!read_exactly(fd, (buf = whole) + head, size - head))
            s = kn_fail(err, KN_ERROR_IO, "weights: cannot read %s", path);
    }
    close(fd);
    if (s != KN_OK) {
        free(buf);
        return s;
    }
    *out = buf;
    *out_size = size;
    return KN_OK;
}

kn_status kn_weights_load_file(const char *path, kn_weights **weights, kn_error *err)
{
    if (!path || !weights)
        return kn_fail(err, KN_ERROR_INVALID_ARGUMENT, "weights: NULL argument");
    *weights = NULL;
    uint8_t *buf = NULL;
    size_t size = 0;
    kn_status s = read_file(path, &buf, &size, err);
    if (s == KN_OK) {
        s = kn_weights_load_memory(buf, size, weights, err);
        free(buf);
    }
    if (s != KN_OK && err && s != KN_ERROR_IO && strstr(err->message, path) == NULL) {
        /* Name the file: "weights: X" -> "weights: PATH: X". */
        char inner[KN_ERROR_MESSAGE_SIZE];
        const char *tail = strncmp(err->message, "weights: ", 9) ? err->message : err->message + 9;
        snprintf(inner, sizeof inner, "%s", tail);
        kn_fail(err, s, "weights: %s: %s", path, inner);
    }
    return s;
}

void kn_weights_free(kn_weights *weights)
{
    if (!weights)
        return;
    free(weights->arena);
    free(weights->tensors);
    free(weights);
}

const kn_weight_tensor *kn_weights_find(const kn_weights *weights, const char *name)
{
    for (size_t i = 0; i < weights->tensor_count; i++)
        if (strcmp(weights->tensors[i].name, name) == 0)
            return &weights->tensors[i];
    return NULL;
}
