/* Tests for src/weights: the committed export loads with the shapes of
 * docs/model.md, and every kind of damaged, mismatched or hostile file is
 * refused with a clear message and no crash or out-of-bounds read (run
 * under ASan: buffers are exact-size copies). */
#include "weights/layout.h"
#include "weights/safetensors.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXPORT_PATH KINEST_TEST_SOURCE_DIR "/data/golden/random/kinest.safetensors"

/* A small config: every kind of block, cheap enough to cut at every byte. */
#define TINY_CONFIG                                                                                \
    "{\"chunk\": 8, \"d_conv\": 2, \"d_model\": 8, \"d_state\": 2, \"expand\": 2, "                \
    "\"headdim\": 4, \"in_features\": 58, \"joint_chunk\": 8, \"joint_dim\": 4, "                  \
    "\"joint_headdim\": 4, \"mix_taps\": 2, \"mlp_ratio\": 1.5, \"n_spatial\": 1, "                \
    "\"n_temporal\": 1, \"scan_order\": \"kinematic\", \"tie_tokens\": true}"
#define KINEMATIC_ORDER "12,11,10,9,4,3,8,7,6,5,2,1,0,13,14,15,16,17,18,19,20"

static uint8_t *read_all(const char *path, size_t *size)
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

/* ---- building files ------------------------------------------------------ */

typedef struct entry {
    char name[64];
    const char *dtype;
    uint32_t ndim;
    uint64_t shape[KN_SAFETENSORS_MAX_DIMS + 1];
    int64_t begin, end;
} entry;

typedef struct file_spec {
    entry entries[KN_WEIGHTS_MAX_TENSORS + 4];
    size_t count;
    json_t *metadata;
    size_t data_bytes;
} file_spec;

/* The tensors TINY_CONFIG implies, packed in order, with its metadata. */
static void tiny_spec(file_spec *f)
{
    memset(f, 0, sizeof *f);
    kn_weights w = {0};
    kn_error err = {0};
    ck_assert_msg(
        kn_model_config_parse(KN_MODEL_ARCHITECTURE, TINY_CONFIG, NULL, &w.config, &err) == KN_OK,
        "%s", err.message);
    static kn_tensor_spec specs[KN_WEIGHTS_MAX_TENSORS];
    f->count = kn_weights_layout(&w, specs);
    int64_t at = 0;
    for (size_t i = 0; i < f->count; i++) {
        entry *e = &f->entries[i];
        memcpy(e->name, specs[i].name, sizeof e->name);
        e->dtype = "F32";
        e->ndim = specs[i].ndim;
        e->shape[0] = specs[i].shape[0];
        e->shape[1] = specs[i].shape[1];
        e->begin = at;
        e->end = at += 4 * (int64_t)specs[i].count;
    }
    f->data_bytes = (size_t)at;
    f->metadata =
        json_pack("{s:s, s:s, s:s, s:s}", "format", "kinest-weights", "architecture",
                  KN_MODEL_ARCHITECTURE, "config", TINY_CONFIG, "scan_order", KINEMATIC_ORDER);
}

static void repack(file_spec *f)
{
    int64_t at = 0;
    for (size_t i = 0; i < f->count; i++) {
        int64_t n = f->entries[i].end - f->entries[i].begin;
        f->entries[i].begin = at;
        f->entries[i].end = at += n;
    }
    f->data_bytes = (size_t)at;
}

static entry *find_entry(file_spec *f, const char *name)
{
    for (size_t i = 0; i < f->count; i++)
        if (!strcmp(f->entries[i].name, name))
            return &f->entries[i];
    ck_abort_msg("no entry %s", name);
    return NULL;
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Header text + data -> file bytes (header padded with spaces to 8). */
static uint8_t *assemble(const char *header, size_t data_bytes, size_t *size)
{
    size_t h = strlen(header), padded = (h + 7) & ~(size_t)7;
    *size = 8 + padded + data_bytes;
    uint8_t *buf = malloc(*size);
    put_u64(buf, padded);
    memcpy(buf + 8, header, h);
    memset(buf + 8 + h, ' ', padded - h);
    /* Values: small, finite, input_std-safe (all positive). */
    for (size_t i = 0; i + 4 <= data_bytes; i += 4) {
        float v = 0.5f + 0.001f * (float)(i % 997);
        memcpy(buf + 8 + padded + i, &v, 4);
    }
    return buf;
}

static uint8_t *build(const file_spec *f, size_t *size)
{
    json_t *root = json_object();
    if (f->metadata)
        json_object_set(root, "__metadata__", f->metadata);
    for (size_t i = 0; i < f->count; i++) {
        const entry *e = &f->entries[i];
        json_t *shape = json_array();
        for (uint32_t d = 0; d < e->ndim; d++)
            json_array_append_new(shape, json_integer((json_int_t)e->shape[d]));
        json_object_set_new(root, e->name,
                            json_pack("{s:s, s:o, s:[I, I]}", "dtype", e->dtype, "shape", shape,
                                      "data_offsets", (json_int_t)e->begin, (json_int_t)e->end));
    }
    char *text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    uint8_t *buf = assemble(text, f->data_bytes, size);
    free(text);
    return buf;
}

static void spec_free(file_spec *f)
{
    json_decref(f->metadata);
    f->metadata = NULL;
}

/* ---- checking ------------------------------------------------------------ */

static void assert_refused(const uint8_t *buf, size_t size, kn_status expected, const char *needle)
{
    kn_weights *w = (kn_weights *)1;
    kn_error err = {0};
    /* An exact-size copy, so ASan sees any read past the end. */
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, buf, size);
    kn_status st = kn_weights_load_memory(copy, size, &w, &err);
    free(copy);
    ck_assert_msg(st == expected, "status %s, expected %s (%s)", kn_status_name(st),
                  kn_status_name(expected), err.message);
    ck_assert_msg(strstr(err.message, needle), "message '%s' lacks '%s'", err.message, needle);
    ck_assert_ptr_null(w);
}

static void assert_spec_refused(file_spec *f, kn_status expected, const char *needle)
{
    size_t size;
    uint8_t *buf = build(f, &size);
    assert_refused(buf, size, expected, needle);
    free(buf);
    spec_free(f);
}

static void assert_header_refused(const char *header, size_t data_bytes, kn_status expected,
                                  const char *needle)
{
    size_t size;
    uint8_t *buf = assemble(header, data_bytes, &size);
    assert_refused(buf, size, expected, needle);
    free(buf);
}

/* ---- tests --------------------------------------------------------------- */

START_TEST(committed_export_loads)
{
    const kn_weight_tensor *t_contact;
    kn_weights *w = NULL;
    kn_error err = {0};
    ck_assert_msg(kn_weights_load_file(EXPORT_PATH, &w, &err) == KN_OK, "%s", err.message);
    const kn_model_config *c = &w->config;
    ck_assert_uint_eq(c->d_model, 128);
    ck_assert_uint_eq(c->n_temporal, 2);
    ck_assert_uint_eq(c->n_spatial, 2);
    ck_assert_uint_eq(c->mlp_hidden, 192);
    ck_assert(c->tied && c->kinematic_order);
    ck_assert_uint_eq(c->scan_order[0], 12);
    ck_assert_uint_eq(c->scan_order[20], 20);
    /* docs/model.md: 125 tensors, 815,716 parameters + 116 normalisation
     * values (the default config with the contact head). */
    ck_assert(c->contact_head);
    ck_assert_uint_eq(kn_model_outputs(c), KN_MODEL_MAX_OUTPUTS);
    ck_assert_uint_eq(w->tensor_count, 125);
    size_t total = 0;
    for (size_t i = 0; i < w->tensor_count; i++)
        total += w->tensors[i].count;
    ck_assert_uint_eq(total, 815716 + 116);
    t_contact = kn_weights_find(w, "contact_proj.weight");
    ck_assert_ptr_nonnull(t_contact);
    ck_assert_uint_eq(t_contact->shape[0], 2);
    ck_assert_uint_eq(t_contact->shape[1], 128);
    ck_assert_ptr_eq(t_contact->data, w->contact_proj.weight);
    const kn_weight_tensor *t = kn_weights_find(w, "temporal.1.ssd.in_proj.weight");
    ck_assert_ptr_nonnull(t);
    ck_assert_uint_eq(t->shape[0], 552);
    ck_assert_uint_eq(t->shape[1], 128);
    ck_assert_ptr_eq(t->data, w->temporal[1].ssd.in_proj);
    t = kn_weights_find(w, "spatial.0.ssd_bwd.conv_weight");
    ck_assert_uint_eq(t->shape[0], 80);
    ck_assert_uint_eq(t->shape[1], 4);
    ck_assert_ptr_eq(t->data, w->spatial[0].ssd_bwd.conv_weight);
    ck_assert_ptr_nonnull(kn_weights_find(w, "joint_readout.weight"));
    ck_assert_ptr_null(kn_weights_find(w, "no.such.tensor"));
    for (size_t i = 0; i < w->tensor_count; i++)
        ck_assert_uint_eq((uintptr_t)w->tensors[i].data % 64, 0);
    ck_assert_float_gt(w->input_std[0], 0);
    kn_weights_free(w);
}
END_TEST

/* The shipped default weights (what the layer installs) load. */
START_TEST(shipped_default_loads)
{
    kn_weights *w = NULL;
    kn_error err = {0};
    ck_assert_msg(kn_weights_load_file(KINEST_TEST_SOURCE_DIR
                                       "/../models/default/kinest.safetensors",
                                       &w, &err) == KN_OK,
                  "%s", err.message);
    ck_assert_uint_ge(kn_model_outputs(&w->config), KN_MODEL_OUTPUTS);
    ck_assert_uint_eq(w->tensor_count, w->config.contact_head ? 125 : 123);
    kn_weights_free(w);
}
END_TEST

/* The tiny config has no contact_head and its file no contact_proj tensors,
 * as weights from before the contact head: they load, without one. */
START_TEST(tiny_file_loads)
{
    file_spec f;
    tiny_spec(&f);
    size_t size;
    uint8_t *buf = build(&f, &size);
    kn_weights *w = NULL;
    kn_error err = {0};
    ck_assert_msg(kn_weights_load_memory(buf, size, &w, &err) == KN_OK, "%s", err.message);
    ck_assert_uint_eq(w->tensor_count, f.count);
    ck_assert_uint_eq(w->config.mlp_hidden, 12);
    ck_assert_float_eq(w->out_proj.bias[0],
                       0.5f + 0.001f * (float)(f.entries[f.count - 4].begin % 997));
    ck_assert(!w->config.contact_head);
    ck_assert_uint_eq(kn_model_outputs(&w->config), KN_MODEL_OUTPUTS);
    ck_assert_ptr_null(kn_weights_find(w, "contact_proj.weight"));
    ck_assert_ptr_null(w->contact_proj.weight);
    kn_weights_free(w);
    free(buf);
    spec_free(&f);
}
END_TEST

/* The fuzzer's seed must be valid, or the fuzzer starts from nothing. */
START_TEST(fuzz_seed_loads)
{
    kn_weights *w = NULL;
    kn_error err = {0};
    ck_assert_msg(kn_weights_load_file(KINEST_TEST_SOURCE_DIR
                                       "/fuzz/corpus/weights/tiny.safetensors",
                                       &w, &err) == KN_OK,
                  "%s", err.message);
    ck_assert_uint_eq(w->config.d_model, 8);
    kn_weights_free(w);
}
END_TEST

START_TEST(missing_and_unreadable_files)
{
    kn_weights *w = NULL;
    kn_error err = {0};
    ck_assert_int_eq(kn_weights_load_file("/nonexistent/kinest.safetensors", &w, &err),
                     KN_ERROR_IO);
    ck_assert_ptr_nonnull(strstr(err.message, "/nonexistent/kinest.safetensors"));
    ck_assert_int_eq(kn_weights_load_file("/tmp", &w, &err), KN_ERROR_IO);
    ck_assert_int_eq(kn_weights_load_file(NULL, &w, &err), KN_ERROR_INVALID_ARGUMENT);
    ck_assert_int_eq(kn_weights_load_memory(NULL, 10, &w, &err), KN_ERROR_INVALID_ARGUMENT);

    /* A damaged file's message names the file. */
    char path[] = "/tmp/kinest-test-weights-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "\x02\0\0\0\0\0\0\0[]", 10), 10);
    close(fd);
    ck_assert_int_eq(kn_weights_load_file(path, &w, &err), KN_ERROR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, path));
    ck_assert_ptr_nonnull(strstr(err.message, "not a JSON object"));
    unlink(path);
}
END_TEST

/* Bytes this process has read through read() so far (/proc/self/io). */
static unsigned long long bytes_read(void)
{
    FILE *f = fopen("/proc/self/io", "r");
    ck_assert_ptr_nonnull(f);
    char line[128];
    unsigned long long n = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "rchar: %llu", &n) == 1)
            break;
    fclose(f);
    return n;
}

/* A big wrong file is refused from its header, before its body is read
 * (issue 14: 1 GB read whole first, 5.6 s and +1 GB on the app's thread),
 * and a FIFO nobody writes is refused at once instead of hanging open(). */
START_TEST(big_wrong_files_and_fifos)
{
    kn_weights *w = NULL;
    kn_error err = {0};
    char path[] = "/tmp/kinest-test-weights-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    /* 512 MB, sparse: a 2-byte header that is no JSON object, then zeros. */
    ck_assert_int_eq(write(fd, "\x02\0\0\0\0\0\0\0[]", 10), 10);
    ck_assert_int_eq(ftruncate(fd, 512LL << 20), 0);
    close(fd);
    unsigned long long before = bytes_read();
    ck_assert_int_eq(kn_weights_load_file(path, &w, &err), KN_ERROR_FORMAT);
    unsigned long long read = bytes_read() - before;
    unlink(path);
    ck_assert_msg(read < (1u << 20), "%llu bytes read to refuse it", read);

    char dir[] = "/tmp/kinest-test-fifo-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char fifo[64];
    snprintf(fifo, sizeof fifo, "%s/kinest.safetensors", dir);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_int_eq(kn_weights_load_file(fifo, &w, &err), KN_ERROR_IO);
    ck_assert_ptr_nonnull(strstr(err.message, "not a regular file"));
    unlink(fifo);
    rmdir(dir);
}
END_TEST

START_TEST(every_truncation_of_the_tiny_file)
{
    file_spec f;
    tiny_spec(&f);
    size_t size;
    uint8_t *buf = build(&f, &size);
    for (size_t n = 0; n < size; n++)
        assert_refused(buf, n, KN_ERROR_FORMAT, n < 8 ? "shorter than" : "");
    free(buf);
    spec_free(&f);
}
END_TEST

/* Every cut inside the header of the real export, and a sample in its data. */
START_TEST(truncations_of_the_export)
{
    size_t size;
    uint8_t *buf = read_all(EXPORT_PATH, &size);
    uint64_t header = 0;
    for (int i = 7; i >= 0; i--)
        header = header << 8 | buf[i];
    for (size_t n = 0; n < 8 + header + 64; n++)
        assert_refused(buf, n, KN_ERROR_FORMAT, n < 8 + header ? "" : "outside");
    for (size_t n = 8 + header + 64; n < size; n += 65521)
        assert_refused(buf, n, KN_ERROR_FORMAT, "outside");
    assert_refused(buf, size - 1, KN_ERROR_FORMAT, "outside");
    free(buf);
}
END_TEST

START_TEST(wrong_and_absurd_header_lengths)
{
    file_spec f;
    tiny_spec(&f);
    size_t size;
    uint8_t *buf = build(&f, &size);
    uint64_t header = 0;
    for (int i = 7; i >= 0; i--)
        header = header << 8 | buf[i];
    uint64_t json_end = header; /* the JSON without its padding */
    while (buf[8 + json_end - 1] != '}')
        json_end--;
    const struct {
        uint64_t length;
        kn_status status;
        const char *needle;
    } cases[] = {
        {0, KN_ERROR_FORMAT, "header length 0"},
        {1, KN_ERROR_FORMAT, "header length 1"},
        {json_end - 1, KN_ERROR_FORMAT, "not JSON"},
        {json_end, KN_ERROR_FORMAT, json_end == header ? "" : "the tensors end at byte"},
        {header + 8, KN_ERROR_FORMAT, "not JSON"},
        {size - 8, KN_ERROR_FORMAT, "not JSON"},
        {size - 7, KN_ERROR_FORMAT, "truncated"},
        {KN_SAFETENSORS_MAX_HEADER, KN_ERROR_FORMAT, "truncated"},
        {KN_SAFETENSORS_MAX_HEADER + 1ull, KN_ERROR_LIMIT, "absurd"},
        {1ull << 40, KN_ERROR_LIMIT, "absurd"},
        {UINT64_MAX, KN_ERROR_LIMIT, "absurd"},
        {UINT64_MAX - 7, KN_ERROR_LIMIT, "absurd"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        put_u64(buf, cases[i].length);
        assert_refused(buf, size, cases[i].status, cases[i].needle);
    }
    free(buf);
    spec_free(&f);
}
END_TEST

START_TEST(offsets_must_tile_the_data)
{
    file_spec f;
    tiny_spec(&f);
    f.entries[3].begin -= 4; /* reaches into tensor 2 */
    f.entries[3].end -= 4;
    assert_spec_refused(&f, KN_ERROR_FORMAT, "overlap");

    tiny_spec(&f);
    f.entries[5].begin = f.entries[4].begin; /* two tensors on the same bytes */
    f.entries[5].end = f.entries[4].end;
    f.entries[5].shape[0] = f.entries[4].shape[0];
    f.entries[5].shape[1] = f.entries[4].shape[1];
    f.entries[5].ndim = f.entries[4].ndim;
    assert_spec_refused(&f, KN_ERROR_FORMAT, "overlap");

    tiny_spec(&f);
    for (size_t i = 7; i < f.count; i++) {
        f.entries[i].begin += 4;
        f.entries[i].end += 4;
    }
    f.data_bytes += 4;
    assert_spec_refused(&f, KN_ERROR_FORMAT, "gap after byte");

    tiny_spec(&f);
    f.data_bytes += 4; /* bytes after the last tensor */
    assert_spec_refused(&f, KN_ERROR_FORMAT, "the tensors end at byte");

    tiny_spec(&f);
    f.entries[0].end += 4; /* size no longer matches the shape */
    assert_spec_refused(&f, KN_ERROR_FORMAT, "bytes for 58 F32 values");

    tiny_spec(&f);
    f.entries[2].begin = f.entries[2].end + 4; /* reversed */
    assert_spec_refused(&f, KN_ERROR_FORMAT, "outside");

    tiny_spec(&f);
    f.entries[1].begin = -4;
    assert_spec_refused(&f, KN_ERROR_FORMAT, "outside");

    tiny_spec(&f);
    f.entries[f.count - 1].end = (int64_t)f.data_bytes + 4;
    assert_spec_refused(&f, KN_ERROR_FORMAT, "outside");
}
END_TEST

START_TEST(shapes_names_and_dtypes_must_match)
{
    file_spec f;
    tiny_spec(&f);
    entry *e = find_entry(&f, "in_proj.weight"); /* (8, 58) -> (58, 8): same bytes */
    e->shape[0] = 58;
    e->shape[1] = 8;
    assert_spec_refused(&f, KN_ERROR_FORMAT,
                        "tensor 'in_proj.weight' has shape [58, 8], the config implies [8, 58]");

    tiny_spec(&f);
    e = find_entry(&f, "temporal.0.ssd.A_log"); /* (4) -> (1, 4) */
    e->ndim = 2;
    e->shape[1] = e->shape[0];
    e->shape[0] = 1;
    assert_spec_refused(&f, KN_ERROR_FORMAT, "'temporal.0.ssd.A_log' has shape [1, 4]");

    tiny_spec(&f);
    e = find_entry(&f, "out_proj.bias");
    *e = f.entries[--f.count];
    repack(&f);
    assert_spec_refused(&f, KN_ERROR_FORMAT, "tensor 'out_proj.bias' is missing");

    tiny_spec(&f);
    e = &f.entries[f.count++];
    snprintf(e->name, sizeof e->name, "spatial.0.extra.weight");
    e->dtype = "F32";
    e->ndim = 1;
    e->shape[0] = 3;
    e->begin = (int64_t)f.data_bytes;
    e->end = e->begin + 12;
    f.data_bytes += 12;
    assert_spec_refused(&f, KN_ERROR_FORMAT,
                        "tensor 'spatial.0.extra.weight' is not part of kinest-stream-v1");

    tiny_spec(&f);
    find_entry(&f, "spatial.0.ssd_fwd.D")->dtype = "F16";
    assert_spec_refused(&f, KN_ERROR_FORMAT, "'spatial.0.ssd_fwd.D' has dtype F16; only F32");
    tiny_spec(&f);
    find_entry(&f, "spatial.0.ssd_fwd.D")->dtype = "I32";
    assert_spec_refused(&f, KN_ERROR_FORMAT, "dtype I32");
    tiny_spec(&f);
    find_entry(&f, "spatial.0.ssd_fwd.D")->dtype = "Q4_K";
    assert_spec_refused(&f, KN_ERROR_FORMAT, "unknown dtype 'Q4_K'");

    tiny_spec(&f);
    e = find_entry(&f, "input_mean");
    e->ndim = 2;
    e->shape[0] = 1ull << 32;
    e->shape[1] = 1ull << 32;
    assert_spec_refused(&f, KN_ERROR_LIMIT, "absurdly large");
    tiny_spec(&f);
    find_entry(&f, "input_mean")->ndim = 9;
    assert_spec_refused(&f, KN_ERROR_LIMIT, "9 dimensions");
}
END_TEST

START_TEST(non_finite_weights_are_refused)
{
    file_spec f;
    tiny_spec(&f);
    size_t size;
    uint8_t *buf = build(&f, &size);
    size_t data = size - f.data_bytes;
    const entry *e = find_entry(&f, "spatial.0.mix.up.weight");
    float bad[] = {NAN, INFINITY, -INFINITY};
    const char *names[] = {"NaN", "an infinity", "an infinity"};
    for (int i = 0; i < 3; i++) {
        uint8_t *copy = malloc(size);
        memcpy(copy, buf, size);
        memcpy(copy + data + e->begin + 4 * 5, &bad[i], 4);
        char needle[96];
        snprintf(needle, sizeof needle, "'spatial.0.mix.up.weight' holds %s at element 5",
                 names[i]);
        assert_refused(copy, size, KN_ERROR_NON_FINITE, needle);
        free(copy);
    }
    /* A zero or negative input_std would divide by zero. */
    e = find_entry(&f, "input_std");
    float zero = 0.0f;
    memcpy(buf + data + e->begin + 4 * 3, &zero, 4);
    assert_refused(buf, size, KN_ERROR_FORMAT, "input_std[3] is 0");
    free(buf);
    spec_free(&f);
}
END_TEST

static void refuse_metadata(const char *key, const char *value, kn_status status,
                            const char *needle)
{
    file_spec f;
    tiny_spec(&f);
    if (value)
        json_object_set_new(f.metadata, key, json_string(value));
    else
        json_object_del(f.metadata, key);
    assert_spec_refused(&f, status, needle);
}

START_TEST(architecture_and_config_are_checked)
{
    refuse_metadata("architecture", NULL, KN_ERROR_FORMAT, "names no architecture");
    refuse_metadata("architecture", "kinest-stream-v2", KN_ERROR_UNSUPPORTED_VERSION,
                    "architecture 'kinest-stream-v2'");
    refuse_metadata("config", NULL, KN_ERROR_FORMAT, "holds no config");
    refuse_metadata("config", "{\"d_model\": ", KN_ERROR_FORMAT, "config is not JSON");
    refuse_metadata("config", "[1]", KN_ERROR_FORMAT, "config is not a JSON object");
    refuse_metadata("scan_order", "0,1,2", KN_ERROR_FORMAT, "is not the kinematic order");

    /* Each field: missing, wrong type, out of range; unknown fields. */
    const struct {
        const char *from, *to, *needle;
    } edits[] = {
        {"\"d_model\": 8", "\"d_model\": 0", "d_model = 0"},
        {"\"d_model\": 8", "\"d_model\": 1e9", "lacks the integer 'd_model'"},
        {"\"d_model\": 8", "\"d_model\": 99999999999", "d_model = 99999999999"},
        {"\"in_features\": 58", "\"in_features\": 57", "in_features = 57"},
        {"\"n_spatial\": 1", "\"n_spatial\": 17", "n_spatial = 17"},
        {"\"n_temporal\": 1, ", "", "lacks the integer 'n_temporal'"},
        {"\"headdim\": 4", "\"headdim\": 3", "headdim 3 does not divide d_inner 16"},
        {"\"joint_headdim\": 4", "\"joint_headdim\": 5", "joint_headdim 5 does not divide"},
        {"\"mlp_ratio\": 1.5", "\"mlp_ratio\": \"1.5\"", "lacks the number 'mlp_ratio'"},
        {"\"mlp_ratio\": 1.5", "\"mlp_ratio\": 0.01", "gated MLP of 0 units"},
        {"\"mlp_ratio\": 1.5", "\"mlp_ratio\": 1e300", "gated MLP"},
        {"\"kinematic\"", "\"spiral\"", "scan_order 'spiral'"},
        {"\"tie_tokens\": true", "\"tie_tokens\": 1", "lacks the boolean 'tie_tokens'"},
        {"\"tie_tokens\": true", "\"tie_tokens\": true, \"contact_head\": 1",
         "contact_head is not a boolean"},
        {"\"chunk\": 8", "\"chunk\": 8, \"dropout\": 0.1", "config field 'dropout' is unknown"},
        {"\"chunk\": 8", "\"chunk\": 8, \"chunk\": 9", "not JSON"},
    };
    for (size_t i = 0; i < sizeof edits / sizeof *edits; i++) {
        char config[1024];
        const char *at = strstr(TINY_CONFIG, edits[i].from);
        ck_assert_ptr_nonnull(at);
        snprintf(config, sizeof config, "%.*s%s%s", (int)(at - TINY_CONFIG), TINY_CONFIG,
                 edits[i].to, at + strlen(edits[i].from));
        refuse_metadata("config", config, KN_ERROR_FORMAT, edits[i].needle);
    }
}
END_TEST

/* The metadata's output_smoothing: absent = 0, a number in [0, 1), else
 * refused. */
START_TEST(output_smoothing_from_metadata)
{
    const struct {
        const char *value; /* NULL: absent */
        float expected;
    } good[] = {{NULL, 0.0f}, {"0.25", 0.25f}, {"0", 0.0f}, {"0.95", 0.95f}, {"2.5e-1", 0.25f}};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        file_spec f;
        tiny_spec(&f);
        if (good[i].value)
            json_object_set_new(f.metadata, "output_smoothing", json_string(good[i].value));
        size_t size;
        uint8_t *buf = build(&f, &size);
        kn_weights *w = NULL;
        kn_error err = {0};
        ck_assert_msg(kn_weights_load_memory(buf, size, &w, &err) == KN_OK, "%s", err.message);
        ck_assert_float_eq(w->output_smoothing, good[i].expected);
        kn_weights_free(w);
        free(buf);
        spec_free(&f);
    }
    static const char *const bad[] = {"1.5", "-0.1", "nan",   "abc",     "1",       "0.99999999999",
                                      "inf", "",     "0x0.4", "0.2 0.3", "\"0.2\"", "1e400"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        refuse_metadata("output_smoothing", bad[i], KN_ERROR_FORMAT, "output_smoothing '");
}
END_TEST

/* The config alone: derived sizes, Python's round-half-even, scan orders. */
START_TEST(config_derivations)
{
    kn_model_config c;
    kn_error err = {0};
    char config[1024];
    snprintf(config, sizeof config, "%s", TINY_CONFIG);
    ck_assert_int_eq(
        kn_model_config_parse(KN_MODEL_ARCHITECTURE, config, KINEMATIC_ORDER, &c, &err), KN_OK);
    kn_ssd_dims t = kn_model_temporal_ssd(&c), s = kn_model_spatial_ssd(&c);
    ck_assert_uint_eq(t.d_inner, 16);
    ck_assert_uint_eq(t.nheads, 4);
    ck_assert_uint_eq(t.conv_dim, 20);
    ck_assert_uint_eq(t.d_in_proj, 2 * 16 + 4 + 4);
    ck_assert_uint_eq(s.d_inner, 8);
    ck_assert_uint_eq(s.nheads, 2);
    kn_state_spec specs[KN_MODEL_MAX_STATES];
    ck_assert_uint_eq(kn_model_state_specs(&c, specs, KN_MODEL_MAX_STATES), 3 + 5);
    ck_assert_str_eq(specs[1].name, "temporal.0.ssd.ssm");
    ck_assert_uint_eq(specs[1].count, 4 * 4 * 2);
    ck_assert_str_eq(specs[5].name, "spatial.0.ssd_bwd.conv");

    /* 0.5625 * 8 = 4.5 -> 4 and 0.6875 * 8 = 5.5 -> 6: halves go to even. */
    const struct {
        const char *ratio;
        uint32_t hidden;
    } rounding[] = {{"0.5625", 4}, {"0.6875", 6}, {"2", 16}, {"1.5", 12}};
    for (size_t i = 0; i < 4; i++) {
        char *at = strstr(config, "\"mlp_ratio\": ") + strlen("\"mlp_ratio\": ");
        char rest[512];
        snprintf(rest, sizeof rest, "%s", strchr(at, ','));
        snprintf(at, sizeof config - (size_t)(at - config), "%s%s", rounding[i].ratio, rest);
        ck_assert_msg(kn_model_config_parse(KN_MODEL_ARCHITECTURE, config, NULL, &c, &err) == KN_OK,
                      "%s", err.message);
        ck_assert_uint_eq(c.mlp_hidden, rounding[i].hidden);
    }
    char *kin = strstr(config, "kinematic\"");
    memcpy(kin, "index\"    ", 10); /* "index"    , ... : still JSON */
    ck_assert_msg(kn_model_config_parse(KN_MODEL_ARCHITECTURE, config,
                                        "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20", &c,
                                        &err) == KN_OK,
                  "%s", err.message);
    ck_assert(!c.kinematic_order);
    for (int k = 0; k < KN_MODEL_JOINTS; k++)
        ck_assert_uint_eq(c.scan_order[k], k);
}
END_TEST

START_TEST(hostile_headers)
{
    const struct {
        const char *header;
        size_t data;
        kn_status status;
        const char *needle;
    } cases[] = {
        {"[]", 0, KN_ERROR_FORMAT, "not a JSON object"},
        {"{\"a\": 1", 0, KN_ERROR_FORMAT, "not JSON"},
        {"{}", 0, KN_ERROR_FORMAT, "names no architecture"},
        {"{\"a\": 5}", 0, KN_ERROR_FORMAT, "'a' is not a JSON object"},
        {"{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]},"
         " \"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}",
         8, KN_ERROR_FORMAT, "duplicate"},
        {"{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4], \"x\": 1}}", 4,
         KN_ERROR_FORMAT, "unknown field 'x'"},
        {"{\"a\": {\"shape\": [1], \"data_offsets\": [0, 4]}}", 4, KN_ERROR_FORMAT, "no dtype"},
        {"{\"a\": {\"dtype\": \"F32\", \"shape\": 1, \"data_offsets\": [0, 4]}}", 4,
         KN_ERROR_FORMAT, "shape is not an array"},
        {"{\"a\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}", 4,
         KN_ERROR_FORMAT, "shape[0] is not a non-negative integer"},
        {"{\"a\": {\"dtype\": \"F32\", \"shape\": [1.5], \"data_offsets\": [0, 4]}}", 4,
         KN_ERROR_FORMAT, "shape[0]"},
        {"{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0]}}", 4, KN_ERROR_FORMAT,
         "pair of integers"},
        {"{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, "
         "99999999999999999999]}}",
         4, KN_ERROR_FORMAT, "not JSON"},
        {"{\"\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 4,
         KN_ERROR_FORMAT, "empty"},
        {"{\"__metadata__\": [1]}", 0, KN_ERROR_FORMAT, "__metadata__ is not a JSON object"},
        {"{\"__metadata__\": {\"architecture\": 1}}", 0, KN_ERROR_FORMAT, "is not a string"},
        {"{\"a\\u0000b\": {}}", 0, KN_ERROR_FORMAT, "not JSON"},
        {"{\"__metadata__\": {\"architecture\": \"kinest-stream-v1\", \"config\": \"{}\"}}", 0,
         KN_ERROR_FORMAT, "lacks the integer"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_header_refused(cases[i].header, cases[i].data, cases[i].status, cases[i].needle);

    /* Deep nesting and huge counts stay bounded. */
    char *deep = malloc(200001);
    memset(deep, '[', 100000);
    memset(deep + 100000, ']', 100000);
    deep[200000] = '\0';
    assert_header_refused(deep, 0, KN_ERROR_FORMAT, "not JSON");
    free(deep);
}
END_TEST

START_TEST(random_damage_never_crashes)
{
    file_spec f;
    tiny_spec(&f);
    size_t size;
    uint8_t *buf = build(&f, &size);
    uint8_t *work = malloc(size);
    uint32_t s = 7;
    int refused = 0;
    for (int i = 0; i < 3000; i++) {
        memcpy(work, buf, size);
        for (int k = 0; k < 1 + i % 4; k++) {
            s = s * 1664525u + 1013904223u;
            /* Mostly the header, where the structure is. */
            size_t at = (s >> 8) % (k % 2 ? size : size - f.data_bytes);
            work[at] ^= (uint8_t)(1u << (s % 8));
        }
        kn_weights *w = NULL;
        kn_error err = {0};
        if (kn_weights_load_memory(work, size, &w, &err) != KN_OK) {
            refused++;
            ck_assert_int_gt((int)strlen(err.message), 0);
            ck_assert_ptr_null(w);
        }
        kn_weights_free(w);
    }
    ck_assert_int_gt(refused, 1000);
    free(work);
    free(buf);
    spec_free(&f);
}
END_TEST

static Suite *weights_suite(void)
{
    Suite *s = suite_create("weights");
    TCase *tc = tcase_create("valid files");
    tcase_add_test(tc, committed_export_loads);
    tcase_add_test(tc, shipped_default_loads);
    tcase_add_test(tc, tiny_file_loads);
    tcase_add_test(tc, fuzz_seed_loads);
    tcase_add_test(tc, config_derivations);
    suite_add_tcase(s, tc);
    tc = tcase_create("refused files");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, missing_and_unreadable_files);
    tcase_add_test(tc, big_wrong_files_and_fifos);
    tcase_add_test(tc, every_truncation_of_the_tiny_file);
    tcase_add_test(tc, truncations_of_the_export);
    tcase_add_test(tc, wrong_and_absurd_header_lengths);
    tcase_add_test(tc, offsets_must_tile_the_data);
    tcase_add_test(tc, shapes_names_and_dtypes_must_match);
    tcase_add_test(tc, non_finite_weights_are_refused);
    tcase_add_test(tc, architecture_and_config_are_checked);
    tcase_add_test(tc, output_smoothing_from_metadata);
    tcase_add_test(tc, hostile_headers);
    tcase_add_test(tc, random_damage_never_crashes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(weights_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
