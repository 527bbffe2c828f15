/* Tests for src/features: the 58-value input vector against the golden
 * vectors of tools/kinest export (docs/model.md, "Export": device poses ->
 * `features`, and the `gaps.` case with lost, frozen and vertical devices),
 * invariance under a turn about +Y and a horizontal move, and the rebase
 * after a teleport. */
#include "features/kn_features.h"
#include "weights/safetensors.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOLERANCE 1e-5
/* Moved float32 positions lose ~5e-7 m each; velocities (x 60) ~6e-5 m/s. */
#define MOVED_TOLERANCE 2e-4
#define GOLDEN          KINEST_TEST_DATA_DIR "/golden/random/golden.safetensors"

typedef struct golden {
    uint8_t *bytes;
    kn_safetensors st;
    uint32_t ticks;
} golden;

/* One clip of device poses and the reference features. */
typedef struct clip {
    uint32_t ticks;
    uint32_t *flags; /* [T][3] */
    kn_pose *pose;   /* [T][3] */
    float *features; /* [T][58] */
} clip;

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

static void golden_open(golden *g)
{
    size_t size;
    kn_error err = {0};
    g->bytes = read_all(GOLDEN, &size);
    unsigned types =
        KN_DTYPE_BIT(KN_DTYPE_F32) | KN_DTYPE_BIT(KN_DTYPE_I64) | KN_DTYPE_BIT(KN_DTYPE_U32);
    ck_assert_msg(kn_safetensors_parse(g->bytes, size, types, &g->st, &err) == KN_OK, "%s",
                  err.message);
    g->ticks = (uint32_t)atoi(kn_safetensors_metadata(&g->st, "ticks"));
    ck_assert_uint_gt(g->ticks, 80);
}

static void golden_close(golden *g)
{
    kn_safetensors_free(&g->st);
    free(g->bytes);
}

static const kn_tensor_view *tensor(const golden *g, const char *prefix, const char *name,
                                    kn_dtype dtype, size_t count)
{
    char full[96];
    snprintf(full, sizeof full, "%s%s", prefix, name);
    const kn_tensor_view *t = kn_safetensors_find(&g->st, full);
    ck_assert_msg(t != NULL, "golden file lacks %s", full);
    ck_assert_int_eq(t->dtype, dtype);
    ck_assert_uint_eq(t->count, count);
    return t;
}

static uint32_t u32_at(const kn_tensor_view *t, size_t i)
{
    const uint8_t *p = t->data + 4 * i;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void clip_load(const golden *g, const char *prefix, clip *c)
{
    uint32_t n = g->ticks;
    c->ticks = n;
    c->flags = malloc(sizeof *c->flags * n * 3);
    c->pose = malloc(sizeof *c->pose * n * 3);
    c->features = malloc(sizeof *c->features * n * KN_FEATURES_COUNT);
    const kn_tensor_view *fl = tensor(g, prefix, "dev_flags", KN_DTYPE_U32, (size_t)n * 3);
    const kn_tensor_view *pos = tensor(g, prefix, "dev_pos", KN_DTYPE_F32, (size_t)n * 9);
    const kn_tensor_view *quat = tensor(g, prefix, "dev_quat", KN_DTYPE_F32, (size_t)n * 12);
    const kn_tensor_view *feat =
        tensor(g, prefix, "features", KN_DTYPE_F32, (size_t)n * KN_FEATURES_COUNT);
    for (size_t i = 0; i < (size_t)n * 3; i++) {
        c->flags[i] = u32_at(fl, i);
        for (int k = 0; k < 3; k++)
            c->pose[i].position[k] = kn_tensor_get(pos, 3 * i + k);
        for (int k = 0; k < 4; k++)
            c->pose[i].orientation[k] = kn_tensor_get(quat, 4 * i + k);
    }
    for (size_t i = 0; i < (size_t)n * KN_FEATURES_COUNT; i++)
        c->features[i] = kn_tensor_get(feat, i);
}

static void clip_free(clip *c)
{
    free(c->flags);
    free(c->pose);
    free(c->features);
}

/* The engine's order: heading from the tick's head, then the features. */
static void run_clip(const clip *c, float *out)
{
    kn_features f;
    kn_heading h;
    kn_features_reset(&f);
    kn_heading_init(&h);
    for (uint32_t t = 0; t < c->ticks; t++) {
        const uint32_t *flags = c->flags + 3 * t;
        bool head_valid = (flags[0] & 3u) == 3u;
        kn_heading_update(&h, &c->pose[3 * t], head_valid);
        kn_features_tick(&f, &h, c->pose + 3 * t, flags, out + (size_t)t * KN_FEATURES_COUNT);
    }
}

static double compare(const clip *c, const float *got, const char *what, double tol)
{
    double worst = 0;
    for (uint32_t t = 0; t < c->ticks; t++)
        for (int k = 0; k < KN_FEATURES_COUNT; k++) {
            size_t i = (size_t)t * KN_FEATURES_COUNT + k;
            double d = fabs((double)got[i] - (double)c->features[i]);
            ck_assert_msg(d <= tol, "%s: tick %u feature %d: %.9g, golden %.9g", what, t, k,
                          (double)got[i], (double)c->features[i]);
            worst = d > worst ? d : worst;
        }
    return worst;
}

static void golden_case(const char *prefix)
{
    golden g;
    clip c;
    golden_open(&g);
    clip_load(&g, prefix, &c);
    float *got = malloc(sizeof *got * c.ticks * KN_FEATURES_COUNT);
    run_clip(&c, got);
    double worst = compare(&c, got, *prefix ? "gaps" : "clip", TOLERANCE);
    printf("features%s: %u ticks, max |C - golden| %.3g\n", *prefix ? " (gaps)" : "", c.ticks,
           worst);
    free(got);
    clip_free(&c);
    golden_close(&g);
}

START_TEST(golden_features)
{
    golden_case("");
}
END_TEST

/* Lost grips at the start, a lost left grip, a frozen right grip (valid,
 * not tracked), a lost head, a head looking straight down. */
START_TEST(golden_features_with_gaps)
{
    golden g;
    golden_open(&g);
    bool has = kn_safetensors_find(&g.st, "gaps.features") != NULL;
    golden_close(&g);
    ck_assert_msg(has, "the golden file has no gaps case");
    golden_case("gaps.");
}
END_TEST

/* Moving the whole clip by a yaw + horizontal translation changes nothing. */
START_TEST(invariant_under_turn_and_move)
{
    golden g;
    clip c;
    golden_open(&g);
    clip_load(&g, "gaps.", &c);
    float *want = malloc(sizeof *want * c.ticks * KN_FEATURES_COUNT);
    run_clip(&c, want);
    kn_pose move = {.position = {3.5f, 0.0f, -7.25f}};
    glm_quat(move.orientation, 2.3f, 0.0f, 1.0f, 0.0f);
    for (uint32_t i = 0; i < c.ticks * 3; i++) {
        kn_pose p = c.pose[i];
        if ((c.flags[i] & 3u) == 3u)
            kn_pose_compose(&move, &p, &c.pose[i]);
    }
    memcpy(c.features, want, sizeof *want * c.ticks * KN_FEATURES_COUNT);
    float *got = malloc(sizeof *got * c.ticks * KN_FEATURES_COUNT);
    run_clip(&c, got);
    compare(&c, got, "turned and moved", MOVED_TOLERANCE);
    free(want);
    free(got);
    clip_free(&c);
    golden_close(&g);
}
END_TEST

/* A teleport at tick 40: the poses from then on are moved; rebasing the
 * kept state (and the heading's floor and yaw through the new head pose)
 * gives the features of the clip that never jumped. */
START_TEST(rebase_continues_the_motion)
{
    golden g;
    clip c;
    golden_open(&g);
    clip_load(&g, "", &c);
    float *want = malloc(sizeof *want * c.ticks * KN_FEATURES_COUNT);
    run_clip(&c, want);

    kn_pose jump = {.position = {-1.2f, 0.0f, 4.0f}};
    glm_quat(jump.orientation, -1.1f, 0.0f, 1.0f, 0.0f);
    kn_features f;
    kn_heading h;
    kn_features_reset(&f);
    kn_heading_init(&h);
    float got[KN_FEATURES_COUNT];
    double worst = 0;
    for (uint32_t t = 0; t < c.ticks; t++) {
        kn_pose pose[3];
        for (int d = 0; d < 3; d++) {
            pose[d] = c.pose[3 * t + d];
            if (t >= 40)
                kn_pose_compose(&jump, &c.pose[3 * t + d], &pose[d]);
        }
        if (t == 40)
            kn_features_rebase(&f, &jump);
        kn_heading_update(&h, &pose[0], true);
        kn_features_tick(&f, &h, pose, c.flags + 3 * t, got);
        for (int k = 0; k < KN_FEATURES_COUNT; k++) {
            double d = fabs((double)got[k] - (double)want[t * KN_FEATURES_COUNT + k]);
            ck_assert_msg(d <= MOVED_TOLERANCE, "tick %u feature %d differs by %g", t, k, d);
            worst = d > worst ? d : worst;
        }
    }
    free(want);
    clip_free(&c);
    golden_close(&g);
}
END_TEST

/* The first tick, and a tick after reset: zero velocity, identity
 * difference, zero yaw rate; an invalid device is all zero. */
START_TEST(first_tick_and_invalid_device)
{
    kn_features f;
    kn_heading h;
    kn_features_reset(&f);
    kn_heading_init(&h);
    kn_pose pose[3] = {
        {{0, 0.3826834f, 0, 0.9238795f}, {1, 1.6f, 2}},
        {{0, 0, 0, 1}, {0.8f, 1.0f, 1.7f}},
        {{0, 0, 0, 1}, {1.2f, 1.0f, 1.7f}},
    };
    uint32_t flags[3] = {0xF, 0x3, 0x0};
    float out[KN_FEATURES_COUNT];
    for (int round = 0; round < 2; round++) {
        kn_heading_update(&h, &pose[0], true);
        kn_features_tick(&f, &h, pose, flags, out);
        for (int d = 0; d < 2; d++) {
            const float *o = out + d * KN_FEATURES_PER_DEVICE;
            for (int i = 0; i < 3; i++)
                ck_assert_float_eq(o[KN_FEATURES_VEL + i], 0.0f);
            const float id[6] = {1, 0, 0, 0, 1, 0};
            for (int i = 0; i < 6; i++)
                ck_assert_float_eq(o[KN_FEATURES_DROT + i], id[i]);
            ck_assert_float_eq(o[KN_FEATURES_VALID], 1.0f);
        }
        /* The head sits at (0, height, 0) of its own frame, looking along -Z. */
        ck_assert_float_eq_tol(out[KN_FEATURES_POS + 0], 0.0f, 1e-6f);
        ck_assert_float_eq_tol(out[KN_FEATURES_POS + 1], 1.6f, 1e-6f);
        ck_assert_float_eq_tol(out[KN_FEATURES_POS + 2], 0.0f, 1e-6f);
        ck_assert_float_eq_tol(out[KN_FEATURES_ROT6D + 0], 1.0f, 1e-6f);
        ck_assert_float_eq_tol(out[KN_FEATURES_ROT6D + 4], 1.0f, 1e-6f);
        for (int i = 0; i < KN_FEATURES_PER_DEVICE; i++)
            ck_assert_float_eq(out[2 * KN_FEATURES_PER_DEVICE + i], 0.0f);
        ck_assert_float_eq(out[KN_FEATURES_YAW_RATE], 0.0f);
        kn_features_reset(&f);
    }
}
END_TEST

static Suite *features_suite(void)
{
    Suite *s = suite_create("features");
    TCase *tc = tcase_create("golden");
    tcase_add_test(tc, golden_features);
    tcase_add_test(tc, golden_features_with_gaps);
    tcase_add_test(tc, invariant_under_turn_and_move);
    tcase_add_test(tc, rebase_continues_the_motion);
    tcase_add_test(tc, first_tick_and_invalid_device);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(features_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
