/* Tests for src/clip: round trips, and that every kind of damaged file gives
 * a clear error without crashing or reading out of bounds (run under ASan). */
#include "clip/clip_format.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define FRAMES 5
#define META   "{\"name\": \"test clip\", \"source\": \"unit\"}"

static kn_device_sample devices[FRAMES][KN_CLIP_DEVICE_COUNT];
static kn_pose truth[FRAMES][KN_CLIP_JOINT_COUNT];
static kn_pose pred[FRAMES][KN_CLIP_JOINT_COUNT];
static int64_t times[FRAMES];
static char path[64];

static kn_clip sample_clip(uint32_t flags)
{
    for (int f = 0; f < FRAMES; f++) {
        times[f] = 1000000000LL + f * 16666667LL;
        for (int d = 0; d < KN_CLIP_DEVICE_COUNT; d++) {
            float a = 0.1f * (float)(f + d);
            devices[f][d] =
                (kn_device_sample){.flags = (f == 3 && d == 1) ? 0u : KN_FLAGS_ALL,
                                   .pose = {{0, sinf(a), 0, cosf(a)},
                                            {0.1f * (float)d, 1.6f - 0.01f * (float)f, -0.2f}}};
        }
        for (uint32_t j = 0; j < KN_CLIP_JOINT_COUNT; j++) {
            truth[f][j] = (kn_pose){{0, 0, sinf(0.01f * (float)j), cosf(0.01f * (float)j)},
                                    {0.01f * (float)j, 0.05f * (float)j, (float)f}};
            pred[f][j] = truth[f][j];
            pred[f][j].position[1] += 0.001f * (float)(j + f);
        }
    }
    kn_clip c = {.frame_count = FRAMES,
                 .joint_count = flags ? KN_CLIP_JOINT_COUNT : 0,
                 .flags = flags,
                 .rate_hz = 60.0f,
                 .metadata = (char *)META,
                 .time_ns = times,
                 .devices = &devices[0][0],
                 .truth = (flags & KN_CLIP_HAS_TRUTH) ? &truth[0][0] : NULL,
                 .pred = (flags & KN_CLIP_HAS_PRED) ? &pred[0][0] : NULL};
    return c;
}

static void make_path(void)
{
    snprintf(path, sizeof path, "/tmp/kinest-test-clip-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
}

/* The bytes of a valid clip with truth and prediction. */
static uint8_t *valid_bytes(size_t *size)
{
    kn_clip c = sample_clip(KN_CLIP_HAS_TRUTH | KN_CLIP_HAS_PRED);
    kn_error err;
    make_path();
    ck_assert_msg(kn_clip_write_file(path, &c, &err) == KN_OK, "%s", err.message);
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    *size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(*size);
    ck_assert_uint_eq(fread(buf, 1, *size, f), *size);
    fclose(f);
    unlink(path);
    return buf;
}

static void assert_refused(const uint8_t *buf, size_t size, kn_status expected, const char *needle)
{
    kn_clip c;
    kn_error err = {0};
    kn_status st = kn_clip_read_memory(buf, size, &c, &err);
    ck_assert_msg(st == expected, "status %s, expected %s (%s)", kn_status_name(st),
                  kn_status_name(expected), err.message);
    ck_assert_msg(strstr(err.message, needle), "message '%s' lacks '%s'", err.message, needle);
    ck_assert_ptr_null(c.time_ns);
    ck_assert_uint_eq(c.frame_count, 0);
}

static size_t frame_offset(const uint8_t *buf, uint32_t frame)
{
    return kn_le_u32(buf + 12) + frame * kn_clip_frame_bytes(KN_CLIP_JOINT_COUNT, 3);
}

START_TEST(write_read_round_trip)
{
    static const uint32_t layouts[] = {0, KN_CLIP_HAS_TRUTH, KN_CLIP_HAS_TRUTH | KN_CLIP_HAS_PRED};
    for (size_t i = 0; i < 3; i++) {
        kn_clip in = sample_clip(layouts[i]), out;
        kn_error err;
        make_path();
        ck_assert_msg(kn_clip_write_file(path, &in, &err) == KN_OK, "%s", err.message);
        ck_assert_msg(kn_clip_read_file(path, &out, &err) == KN_OK, "%s", err.message);
        unlink(path);
        ck_assert_uint_eq(out.frame_count, FRAMES);
        ck_assert_uint_eq(out.flags, layouts[i]);
        ck_assert_uint_eq(out.joint_count, in.joint_count);
        ck_assert_float_eq(out.rate_hz, 60.0f);
        ck_assert_str_eq(out.metadata, META);
        ck_assert_mem_eq(out.time_ns, times, sizeof times);
        for (int f = 0; f < FRAMES; f++)
            for (int d = 0; d < KN_CLIP_DEVICE_COUNT; d++) {
                kn_device_sample *a = &out.devices[f * KN_CLIP_DEVICE_COUNT + d];
                ck_assert_uint_eq(a->flags, devices[f][d].flags);
                ck_assert_mem_eq(a->pose.orientation, devices[f][d].pose.orientation, 16);
                ck_assert_mem_eq(a->pose.position, devices[f][d].pose.position, 12);
            }
        for (size_t k = 0; out.truth && k < FRAMES * KN_CLIP_JOINT_COUNT; k++) {
            ck_assert_mem_eq(out.truth[k].orientation, (&truth[0][0])[k].orientation, 16);
            ck_assert_mem_eq(out.truth[k].position, (&truth[0][0])[k].position, 12);
        }
        for (size_t k = 0; out.pred && k < FRAMES * KN_CLIP_JOINT_COUNT; k++)
            ck_assert_mem_eq(out.pred[k].position, (&pred[0][0])[k].position, 12);
        ck_assert(layouts[i] & KN_CLIP_HAS_PRED ? out.pred != NULL : out.pred == NULL);
        kn_clip_free(&out);
    }
}
END_TEST

START_TEST(empty_clip_and_missing_file)
{
    kn_clip c = sample_clip(0), out;
    c.frame_count = 0;
    kn_error err;
    make_path();
    ck_assert_msg(kn_clip_write_file(path, &c, &err) == KN_OK, "%s", err.message);
    ck_assert_msg(kn_clip_read_file(path, &out, &err) == KN_OK, "%s", err.message);
    ck_assert_uint_eq(out.frame_count, 0);
    kn_clip_free(&out);
    unlink(path);
    ck_assert_int_eq(kn_clip_read_file(path, &out, &err), KN_ERROR_IO);
    ck_assert_ptr_nonnull(strstr(err.message, path));
    ck_assert_int_eq(kn_clip_read_file("/tmp", &out, &err), KN_ERROR_IO);
}
END_TEST

START_TEST(every_truncation_is_refused)
{
    size_t size;
    uint8_t *buf = valid_bytes(&size);
    for (size_t n = 0; n < size; n++) {
        /* An exact-size copy, so ASan sees any read past the end. */
        uint8_t *cut = malloc(n ? n : 1);
        memcpy(cut, buf, n);
        assert_refused(cut, n, KN_ERROR_FORMAT, n < KN_CLIP_HEADER_SIZE ? "shorter" : "");
        free(cut);
    }
    /* One byte too many is refused as well. */
    uint8_t *longer = calloc(size + 1, 1);
    memcpy(longer, buf, size);
    assert_refused(longer, size + 1, KN_ERROR_FORMAT, "size is");
    free(longer);
    free(buf);
}
END_TEST

START_TEST(wrong_magic_version_reserved)
{
    size_t size;
    uint8_t *buf = valid_bytes(&size);
    buf[0] = 'X';
    assert_refused(buf, size, KN_ERROR_FORMAT, "magic");
    buf[0] = 'K';
    kn_put_u32(buf + 8, 2);
    assert_refused(buf, size, KN_ERROR_UNSUPPORTED_VERSION, "version 2");
    kn_put_u32(buf + 8, KN_CLIP_VERSION);
    buf[40] = 1;
    assert_refused(buf, size, KN_ERROR_FORMAT, "reserved header byte 40");
    buf[40] = 0;
    kn_put_u32(buf + 24, 0x7);
    assert_refused(buf, size, KN_ERROR_FORMAT, "flag bits");
    kn_put_u32(buf + 24, 3);
    buf[frame_offset(buf, 1) + 8 + 32] = 0x10; /* left grip's flags */
    assert_refused(buf, size, KN_ERROR_FORMAT, "frame 1: left grip has unknown flag bits 0x10");
    free(buf);
}
END_TEST

START_TEST(absurd_counts)
{
    size_t size;
    uint8_t *buf = valid_bytes(&size);
    kn_put_u32(buf + 16, 0xFFFFFFFFu);
    assert_refused(buf, size, KN_ERROR_LIMIT, "frame count");
    kn_put_u32(buf + 16, KN_CLIP_MAX_FRAMES); /* within limits, but not in the file */
    assert_refused(buf, size, KN_ERROR_FORMAT, "truncated");
    kn_put_u32(buf + 16, FRAMES);
    kn_put_u32(buf + 20, 100000);
    assert_refused(buf, size, KN_ERROR_LIMIT, "joint count");
    kn_put_u32(buf + 20, KN_CLIP_JOINT_COUNT);
    kn_put_u32(buf + 28, 0xFFFFFFF0u);
    assert_refused(buf, size, KN_ERROR_LIMIT, "metadata");
    kn_put_u32(buf + 28, (uint32_t)strlen(META));
    kn_put_u32(buf + 12, 0xFFFFFFF8u);
    assert_refused(buf, size, KN_ERROR_FORMAT, "header size");
    kn_put_u32(buf + 12, kn_clip_header_bytes((uint32_t)strlen(META)));
    kn_put_f32(buf + 32, -60.0f);
    assert_refused(buf, size, KN_ERROR_FORMAT, "rate");
    kn_put_f32(buf + 32, NAN);
    assert_refused(buf, size, KN_ERROR_FORMAT, "rate");
    free(buf);
}
END_TEST

START_TEST(nan_values_are_refused)
{
    size_t size;
    uint8_t *buf = valid_bytes(&size);
    size_t at = frame_offset(buf, 2) + 8 + 32 + 4 + 8; /* left grip, position z */
    ck_assert_uint_eq(KN_CLIP_DEVICE_BYTES, 32);
    uint8_t saved[4];
    memcpy(saved, buf + at, 4);
    kn_put_f32(buf + at, NAN);
    assert_refused(buf, size, KN_ERROR_NON_FINITE, "frame 2: left grip pose is not finite");
    kn_put_f32(buf + at, INFINITY);
    assert_refused(buf, size, KN_ERROR_NON_FINITE, "frame 2: left grip");
    memcpy(buf + at, saved, 4);
    at = frame_offset(buf, 4) + KN_CLIP_FRAME_FIXED_BYTES + 7 * KN_CLIP_POSE_BYTES + 12;
    kn_put_f32(buf + at, NAN);
    assert_refused(buf, size, KN_ERROR_NON_FINITE, "frame 4: truth pose of joint 7");
    free(buf);

    /* The writer refuses what the reader would refuse. */
    kn_clip c = sample_clip(KN_CLIP_HAS_TRUTH);
    truth[1][3].orientation[2] = NAN;
    kn_error err;
    make_path();
    ck_assert_int_eq(kn_clip_write_file(path, &c, &err), KN_ERROR_NON_FINITE);
    ck_assert_ptr_nonnull(strstr(err.message, "frame 1: truth pose of joint 3"));
    ck_assert_int_ne(access(path, F_OK), 0);
}
END_TEST

START_TEST(time_must_increase)
{
    size_t size;
    uint8_t *buf = valid_bytes(&size);
    memcpy(buf + frame_offset(buf, 3), buf + frame_offset(buf, 2), 8);
    assert_refused(buf, size, KN_ERROR_FORMAT, "frame 3: time");
    free(buf);

    kn_clip c = sample_clip(0);
    times[4] = times[1];
    kn_error err;
    make_path();
    ck_assert_int_eq(kn_clip_write_file(path, &c, &err), KN_ERROR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, "frame 4"));
}
END_TEST

START_TEST(metadata_must_be_a_json_object)
{
    kn_clip c = sample_clip(0);
    kn_error err;
    make_path();
    c.metadata = "[1, 2]";
    ck_assert_int_eq(kn_clip_write_file(path, &c, &err), KN_ERROR_FORMAT);
    c.metadata = "{\"a\": ";
    ck_assert_int_eq(kn_clip_write_file(path, &c, &err), KN_ERROR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, "not JSON"));

    size_t size;
    uint8_t *buf = valid_bytes(&size);
    buf[KN_CLIP_HEADER_SIZE] = '[';
    assert_refused(buf, size, KN_ERROR_FORMAT, "metadata");
    buf[KN_CLIP_HEADER_SIZE] = '\0';
    assert_refused(buf, size, KN_ERROR_FORMAT, "NUL");
    free(buf);
}
END_TEST

START_TEST(random_damage_never_crashes)
{
    size_t size;
    uint8_t *buf = valid_bytes(&size);
    uint8_t *work = malloc(size);
    uint32_t s = 99;
    int refused = 0;
    for (int i = 0; i < 3000; i++) {
        memcpy(work, buf, size);
        for (int k = 0; k < 1 + i % 4; k++) {
            s = s * 1664525u + 1013904223u;
            work[(s >> 8) % size] ^= (uint8_t)(1u << (s % 8));
        }
        kn_clip c;
        kn_error err = {0};
        kn_status st = kn_clip_read_memory(work, size, &c, &err);
        if (st != KN_OK) {
            refused++;
            ck_assert_int_gt((int)strlen(err.message), 0);
        }
        kn_clip_free(&c);
    }
    /* Bit flips in floats often leave a valid file; many must still be caught. */
    ck_assert_int_gt(refused, 100);
    free(work);
    free(buf);
}
END_TEST

static Suite *clip_suite(void)
{
    Suite *s = suite_create("clip");
    TCase *tc = tcase_create("round trip");
    tcase_add_test(tc, write_read_round_trip);
    tcase_add_test(tc, empty_clip_and_missing_file);
    suite_add_tcase(s, tc);
    tc = tcase_create("damaged files");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, every_truncation_is_refused);
    tcase_add_test(tc, wrong_magic_version_reserved);
    tcase_add_test(tc, absurd_counts);
    tcase_add_test(tc, nan_values_are_refused);
    tcase_add_test(tc, time_must_increase);
    tcase_add_test(tc, metadata_must_be_a_json_object);
    tcase_add_test(tc, random_damage_never_crashes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(clip_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
