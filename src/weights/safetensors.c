/* safetensors reader. Every number in the header is checked before it is
 * used as a size or an offset, so a hostile header can neither make the
 * reader allocate much nor point it outside the file. */
#include "weights/safetensors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    size_t size;
} dtypes_table[KN_DTYPE_COUNT] = {
    [KN_DTYPE_F32] = {"F32", 4},   [KN_DTYPE_F64] = {"F64", 8}, [KN_DTYPE_F16] = {"F16", 2},
    [KN_DTYPE_BF16] = {"BF16", 2}, [KN_DTYPE_I64] = {"I64", 8}, [KN_DTYPE_I32] = {"I32", 4},
    [KN_DTYPE_I16] = {"I16", 2},   [KN_DTYPE_I8] = {"I8", 1},   [KN_DTYPE_U64] = {"U64", 8},
    [KN_DTYPE_U32] = {"U32", 4},   [KN_DTYPE_U16] = {"U16", 2}, [KN_DTYPE_U8] = {"U8", 1},
    [KN_DTYPE_BOOL] = {"BOOL", 1},
};

const char *kn_dtype_name(kn_dtype dtype)
{
    return (unsigned)dtype < KN_DTYPE_COUNT ? dtypes_table[dtype].name : "?";
}

size_t kn_dtype_size(kn_dtype dtype)
{
    return (unsigned)dtype < KN_DTYPE_COUNT ? dtypes_table[dtype].size : 0;
}

static kn_status parse_dtype(const char *name, json_t *dtype, unsigned accepted, kn_dtype *out,
                             kn_error *err)
{
    if (!json_is_string(dtype))
        return kn_fail(err, KN_ERROR_FORMAT, "weights: tensor '%s' has no dtype string", name);
    const char *text = json_string_value(dtype);
    for (int d = 0; d < KN_DTYPE_COUNT; d++) {
        if (strcmp(text, dtypes_table[d].name))
            continue;
        if (!(accepted & KN_DTYPE_BIT(d))) {
            char list[64] = "";
            for (int a = 0; a < KN_DTYPE_COUNT; a++)
                if (accepted & KN_DTYPE_BIT(a))
                    snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                             list[0] ? ", " : "", dtypes_table[a].name);
            return kn_fail(err, KN_ERROR_FORMAT,
                           "weights: tensor '%s' has dtype %s; only %s is read here", name, text,
                           list);
        }
        *out = (kn_dtype)d;
        return KN_OK;
    }
    return kn_fail(err, KN_ERROR_FORMAT, "weights: tensor '%s' has an unknown dtype '%.16s'", name,
                   text);
}

static kn_status parse_shape(const char *name, json_t *shape, kn_tensor_view *t, kn_error *err)
{
    if (!json_is_array(shape))
        return kn_fail(err, KN_ERROR_FORMAT, "weights: tensor '%s': shape is not an array", name);
    size_t ndim = json_array_size(shape);
    if (ndim > KN_SAFETENSORS_MAX_DIMS)
        return kn_fail(err, KN_ERROR_LIMIT, "weights: tensor '%s' has %zu dimensions (at most %u)",
                       name, ndim, KN_SAFETENSORS_MAX_DIMS);
    t->ndim = (uint32_t)ndim;
    t->count = 1;
    for (size_t i = 0; i < ndim; i++) {
        json_t *d = json_array_get(shape, i);
        if (!json_is_integer(d) || json_integer_value(d) < 0)
            return kn_fail(err, KN_ERROR_FORMAT,
                           "weights: tensor '%s': shape[%zu] is not a non-negative integer", name,
                           i);
        t->shape[i] = (uint64_t)json_integer_value(d);
        /* Kept below 2^64 / 8 elements, the byte size cannot wrap before the
         * check against the data section catches it. */
        if (t->shape[i] > UINT32_MAX || (t->shape[i] && t->count > UINT64_MAX / 8 / t->shape[i]))
            return kn_fail(err, KN_ERROR_LIMIT, "weights: tensor '%s': shape is absurdly large",
                           name);
        t->count *= t->shape[i];
    }
    return KN_OK;
}

typedef struct span {
    uint64_t begin, end;
    size_t index;
} span;

static kn_status parse_tensor(const char *name, json_t *entry, uint64_t data_bytes, unsigned dtypes,
                              kn_tensor_view *t, span *s, kn_error *err)
{
    if (strlen(name) == 0 || strlen(name) >= KN_SAFETENSORS_MAX_NAME)
        return kn_fail(err, KN_ERROR_FORMAT, "weights: a tensor name is empty or longer than %u",
                       KN_SAFETENSORS_MAX_NAME - 1);
    if (!json_is_object(entry))
        return kn_fail(err, KN_ERROR_FORMAT, "weights: tensor '%s' is not a JSON object", name);
    const char *key;
    json_t *value;
    json_object_foreach(entry, key, value)
    {
        if (strcmp(key, "dtype") && strcmp(key, "shape") && strcmp(key, "data_offsets"))
            return kn_fail(err, KN_ERROR_FORMAT, "weights: tensor '%s' has an unknown field '%s'",
                           name, key);
    }
    kn_status st = parse_dtype(name, json_object_get(entry, "dtype"), dtypes, &t->dtype, err);
    if (st != KN_OK)
        return st;
    st = parse_shape(name, json_object_get(entry, "shape"), t, err);
    if (st != KN_OK)
        return st;
    json_t *off = json_object_get(entry, "data_offsets");
    if (!json_is_array(off) || json_array_size(off) != 2 ||
        !json_is_integer(json_array_get(off, 0)) || !json_is_integer(json_array_get(off, 1)))
        return kn_fail(err, KN_ERROR_FORMAT,
                       "weights: tensor '%s': data_offsets is not a pair of integers", name);
    json_int_t begin = json_integer_value(json_array_get(off, 0));
    json_int_t end = json_integer_value(json_array_get(off, 1));
    if (begin < 0 || end < begin || (uint64_t)end > data_bytes)
        return kn_fail(err, KN_ERROR_FORMAT,
                       "weights: tensor '%s': data_offsets [%lld, %lld] outside the %llu-byte "
                       "data section",
                       name, (long long)begin, (long long)end, (unsigned long long)data_bytes);
    uint64_t size = kn_dtype_size(t->dtype);
    if ((uint64_t)(end - begin) != size * t->count)
        return kn_fail(err, KN_ERROR_FORMAT,
                       "weights: tensor '%s': %lld bytes for %llu %s values (%llu expected)", name,
                       (long long)(end - begin), (unsigned long long)t->count,
                       kn_dtype_name(t->dtype), (unsigned long long)(size * t->count));
    t->name = name;
    s->begin = (uint64_t)begin;
    s->end = (uint64_t)end;
    return KN_OK;
}

static int span_order(const void *a, const void *b)
{
    const span *x = a, *y = b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return 0;
}

/* The tensors must tile the data section: sorted by offset, each starts
 * where the previous ends, the first at 0, the last at the end. */
static kn_status check_tiling(const kn_safetensors *st, span *spans, uint64_t data_bytes,
                              kn_error *err)
{
    size_t n = st->tensor_count;
    qsort(spans, n, sizeof *spans, span_order);
    uint64_t at = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = st->tensors[spans[i].index].name;
        if (spans[i].begin < at)
            return kn_fail(err, KN_ERROR_FORMAT, "weights: tensors '%s' and '%s' overlap", name,
                           st->tensors[spans[i - 1].index].name);
        if (spans[i].begin > at)
            return kn_fail(err, KN_ERROR_FORMAT,
                           "weights: tensor '%s' starts at byte %llu, leaving a gap after byte "
                           "%llu",
                           name, (unsigned long long)spans[i].begin, (unsigned long long)at);
        at = spans[i].end;
    }
    if (at != data_bytes)
        return kn_fail(err, KN_ERROR_FORMAT,
                       "weights: the tensors end at byte %llu of a %llu-byte data section",
                       (unsigned long long)at, (unsigned long long)data_bytes);
    return KN_OK;
}

static kn_status check_metadata(json_t *meta, kn_error *err)
{
    if (!json_is_object(meta))
        return kn_fail(err, KN_ERROR_FORMAT, "weights: __metadata__ is not a JSON object");
    const char *key;
    json_t *value;
    json_object_foreach(meta, key, value)
    {
        if (!json_is_string(value))
            return kn_fail(err, KN_ERROR_FORMAT, "weights: metadata '%.64s' is not a string", key);
    }
    return KN_OK;
}

/* data holds the first `avail` bytes of a `size`-byte container: all of it,
 * or (to check a header before reading the rest) its header only, when the
 * views get no data. */
static kn_status parse(const uint8_t *data, size_t avail, size_t size, unsigned dtypes,
                       kn_safetensors *st, kn_error *err)
{
    if (size < 8)
        return kn_fail(err, KN_ERROR_FORMAT,
                       "weights: file of %zu bytes is shorter than the 8-byte header length", size);
    uint64_t header_bytes;
    if (kn_safetensors_header_bytes(data, &header_bytes) != KN_OK)
        return kn_fail(err, KN_ERROR_LIMIT, "weights: header length %llu is absurd (at most %u)",
                       (unsigned long long)header_bytes, KN_SAFETENSORS_MAX_HEADER);
    if (header_bytes < 2 || header_bytes > size - 8)
        return kn_fail(
            err, KN_ERROR_FORMAT, "weights: header length %llu does not fit a %zu-byte file%s",
            (unsigned long long)header_bytes, size, header_bytes > size - 8 ? " (truncated)" : "");
    if (header_bytes > avail - 8)
        return kn_fail(err, KN_ERROR_INVALID_ARGUMENT, "weights: the header was not read whole");
    uint64_t data_bytes = size - 8 - header_bytes;

    json_error_t jerr;
    st->header =
        json_loadb((const char *)data + 8, (size_t)header_bytes, JSON_REJECT_DUPLICATES, &jerr);
    if (!st->header)
        return kn_fail(err, KN_ERROR_FORMAT, "weights: header is not JSON (column %d: %s)",
                       jerr.column, jerr.text);
    if (!json_is_object(st->header))
        return kn_fail(err, KN_ERROR_FORMAT, "weights: header is not a JSON object");

    size_t n = json_object_size(st->header);
    st->metadata = json_object_get(st->header, "__metadata__");
    if (st->metadata) {
        n--;
        kn_status s = check_metadata(st->metadata, err);
        if (s != KN_OK)
            return s;
    }
    if (n > KN_SAFETENSORS_MAX_TENSORS)
        return kn_fail(err, KN_ERROR_LIMIT, "weights: %zu tensors (at most %u)", n,
                       KN_SAFETENSORS_MAX_TENSORS);
    st->tensors = calloc(n ? n : 1, sizeof *st->tensors);
    span *spans = calloc(n ? n : 1, sizeof *spans);
    if (!st->tensors || !spans) {
        free(spans);
        return kn_fail(err, KN_ERROR_OUT_OF_MEMORY, "weights: out of memory for %zu tensors", n);
    }
    const char *name;
    json_t *entry;
    kn_status s = KN_OK;
    json_object_foreach(st->header, name, entry)
    {
        if (entry == st->metadata)
            continue;
        kn_tensor_view *t = &st->tensors[st->tensor_count];
        s = parse_tensor(name, entry, data_bytes, dtypes, t, &spans[st->tensor_count], err);
        if (s != KN_OK)
            break;
        spans[st->tensor_count].index = st->tensor_count;
        t->data = avail == size ? data + 8 + header_bytes + spans[st->tensor_count].begin : NULL;
        st->tensor_count++;
    }
    if (s == KN_OK)
        s = check_tiling(st, spans, data_bytes, err);
    free(spans);
    return s;
}

kn_status kn_safetensors_parse(const uint8_t *data, size_t size, unsigned dtypes,
                               kn_safetensors *st, kn_error *err)
{
    if (!st || (!data && size))
        return kn_fail(err, KN_ERROR_INVALID_ARGUMENT, "weights: NULL argument");
    memset(st, 0, sizeof *st);
    kn_status s = parse(data, size, size, dtypes, st, err);
    if (s != KN_OK)
        kn_safetensors_free(st);
    return s;
}

kn_status kn_safetensors_header_bytes(const uint8_t first8[8], uint64_t *header_bytes)
{
    *header_bytes = 0;
    for (int i = 7; i >= 0; i--)
        *header_bytes = *header_bytes << 8 | first8[i];
    return *header_bytes <= KN_SAFETENSORS_MAX_HEADER ? KN_OK : KN_ERROR_LIMIT;
}

kn_status kn_safetensors_check_header(const uint8_t *head, size_t head_size, uint64_t file_size,
                                      unsigned dtypes, kn_error *err)
{
    if (!head || head_size < 8 || head_size > file_size || file_size > SIZE_MAX)
        return kn_fail(err, KN_ERROR_INVALID_ARGUMENT, "weights: no header to check");
    kn_safetensors st;
    memset(&st, 0, sizeof st);
    kn_status s = parse(head, head_size, (size_t)file_size, dtypes, &st, err);
    kn_safetensors_free(&st);
    return s;
}

void kn_safetensors_free(kn_safetensors *st)
{
    if (!st)
        return;
    json_decref(st->header);
    free(st->tensors);
    memset(st, 0, sizeof *st);
}

const kn_tensor_view *kn_safetensors_find(const kn_safetensors *st, const char *name)
{
    for (size_t i = 0; i < st->tensor_count; i++)
        if (strcmp(st->tensors[i].name, name) == 0)
            return &st->tensors[i];
    return NULL;
}

const char *kn_safetensors_metadata(const kn_safetensors *st, const char *key)
{
    return st->metadata ? json_string_value(json_object_get(st->metadata, key)) : NULL;
}
