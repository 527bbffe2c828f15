/* The safetensors container: an 8-byte little-endian header length, a JSON
 * header (tensor name -> dtype, shape, data_offsets; an optional
 * "__metadata__" map of strings), then the tensors' bytes. This layer knows
 * nothing of the model: it checks that the file is a well-formed container
 * of F32 tensors that exactly tile the data section. Internal. */
#ifndef KN_SAFETENSORS_H
#define KN_SAFETENSORS_H

#include "core/kn_error.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A real header is a few kB; anything beyond this is an attack or garbage. */
#define KN_SAFETENSORS_MAX_HEADER  (16u << 20)
#define KN_SAFETENSORS_MAX_TENSORS 4096u
#define KN_SAFETENSORS_MAX_DIMS    8u
#define KN_SAFETENSORS_MAX_NAME    128u

/* The format's dtypes. A reader says which it accepts (a mask of
 * KN_DTYPE_BIT): the weights take F32 only, golden files also I64 and U32. */
typedef enum kn_dtype {
    KN_DTYPE_F32,
    KN_DTYPE_F64,
    KN_DTYPE_F16,
    KN_DTYPE_BF16,
    KN_DTYPE_I64,
    KN_DTYPE_I32,
    KN_DTYPE_I16,
    KN_DTYPE_I8,
    KN_DTYPE_U64,
    KN_DTYPE_U32,
    KN_DTYPE_U16,
    KN_DTYPE_U8,
    KN_DTYPE_BOOL,
    KN_DTYPE_COUNT
} kn_dtype;
#define KN_DTYPE_BIT(d) (1u << (d))

const char *kn_dtype_name(kn_dtype dtype);
size_t kn_dtype_size(kn_dtype dtype);

typedef struct kn_tensor_view {
    const char *name; /* owned by the header JSON */
    kn_dtype dtype;
    uint32_t ndim;
    uint64_t shape[KN_SAFETENSORS_MAX_DIMS];
    uint64_t count;      /* elements (1 for a scalar) */
    const uint8_t *data; /* count little-endian values, not necessarily aligned */
} kn_tensor_view;

typedef struct kn_safetensors {
    json_t *header;
    json_t *metadata; /* borrowed from header; NULL when absent */
    kn_tensor_view *tensors;
    size_t tensor_count;
} kn_safetensors;

/* Parses and validates the container in data[0 .. size-1], which must stay
 * alive while st is used (the views point into it). A tensor whose dtype is
 * not in `dtypes` (KN_DTYPE_BIT mask) is refused. On failure st is left
 * empty and err says what is wrong. */
kn_status kn_safetensors_parse(const uint8_t *data, size_t size, unsigned dtypes,
                               kn_safetensors *st, kn_error *err);
void kn_safetensors_free(kn_safetensors *st);

/* The header length in a container's first 8 bytes; KN_ERROR_LIMIT beyond
 * KN_SAFETENSORS_MAX_HEADER. */
kn_status kn_safetensors_header_bytes(const uint8_t first8[8], uint64_t *header_bytes);
/* Validates a container of file_size bytes from its first head_size bytes
 * (8 + the header at least), as kn_safetensors_parse would: a file can be
 * refused before its tensors are read. */
kn_status kn_safetensors_check_header(const uint8_t *head, size_t head_size, uint64_t file_size,
                                      unsigned dtypes, kn_error *err);

const kn_tensor_view *kn_safetensors_find(const kn_safetensors *st, const char *name);
/* The metadata string under key, or NULL. */
const char *kn_safetensors_metadata(const kn_safetensors *st, const char *key);

/* Value i of an F32 tensor (the bytes are little-endian, maybe unaligned). */
static inline float kn_tensor_get(const kn_tensor_view *t, uint64_t i)
{
    const uint8_t *p = t->data + 4 * i;
    uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

#endif
