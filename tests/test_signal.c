/* Tests for src/signal: irregular samples onto 60 Hz ticks, with values
 * worked out by hand: the tick clock, interpolation, time going backward,
 * gaps, lost tracking (hold, fade, neutral), teleports, bad input,
 * prediction, and no heap use per sample or tick. */
#include "signal/kn_signal.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>

#define MS   1000000LL
#define TICK 16666666LL /* the first tick interval: floor(10^9 / 60) */

/* Heap calls, counted while `counting` (the test links with --wrap). */
void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
static int heap_calls;
static bool counting;
void *__wrap_malloc(size_t size)
{
    heap_calls += counting;
    return __real_malloc(size);
}
void *__wrap_calloc(size_t n, size_t size)
{
    heap_calls += counting;
    return __real_calloc(n, size);
}
void *__wrap_realloc(void *p, size_t size)
{
    heap_calls += counting;
    return __real_realloc(p, size);
}

static kn_signal sig;

static void setup(void)
{
    ck_assert_int_eq(kn_signal_init(&sig, NULL, NULL), KN_OK);
}

static void assert_vec3(const float *got, float x, float y, float z, float tol)
{
    ck_assert_float_eq_tol(got[0], x, tol);
    ck_assert_float_eq_tol(got[1], y, tol);
    ck_assert_float_eq_tol(got[2], z, tol);
}

/* Head at (x, 1.6, z) turned yaw radians; grips at fixed spots beside it. */
static void devices(kn_device_sample d[3], float x, float z, float yaw)
{
    for (int k = 0; k < 3; k++) {
        d[k].flags = KN_FLAGS_ALL;
        glm_quat(d[k].pose.orientation, yaw, 0, 1, 0);
    }
    d[0].pose.position[0] = x, d[0].pose.position[1] = 1.6f, d[0].pose.position[2] = z;
    d[1].pose.position[0] = x - 0.3f, d[1].pose.position[1] = 1.0f,
    d[1].pose.position[2] = z - 0.3f;
    d[2].pose.position[0] = x + 0.3f, d[2].pose.position[1] = 1.0f,
    d[2].pose.position[2] = z - 0.3f;
}

static kn_signal_push_result push_x(int64_t t, float x)
{
    kn_device_sample d[3];
    devices(d, x, 0.0f, 0.0f);
    return kn_signal_push(&sig, t, d);
}

START_TEST(tick_clock_is_exact)
{
    ck_assert_int_eq(kn_signal_tick_time(0, 1), 16666666LL);
    ck_assert_int_eq(kn_signal_tick_time(0, 3), 50000000LL);
    ck_assert_int_eq(kn_signal_tick_time(0, 59), 983333333LL);
    ck_assert_int_eq(kn_signal_tick_time(7, 60), 1000000007LL);
    /* One hour of ticks: still exactly on the second. */
    ck_assert_int_eq(kn_signal_tick_time(0, 60LL * 3600), 3600LL * 1000000000LL);
    ck_assert_int_eq(kn_signal_tick_time(0, 60LL * 3600 + 1), 3600LL * 1000000000LL + TICK);
}
END_TEST

START_TEST(irregular_samples_interpolated_onto_ticks)
{
    /* Head moving along +X at 1 m/s and turning at 3 rad/s, sampled at
     * 0, 10, 25 and 40 ms. */
    static const int64_t times[4] = {0, 10 * MS, 25 * MS, 40 * MS};
    for (int i = 0; i < 4; i++) {
        kn_device_sample d[3];
        float ts = (float)times[i] * 1e-9f;
        devices(d, ts, 0.0f, 3.0f * ts);
        ck_assert_int_eq(kn_signal_push(&sig, 1000 * MS + times[i], d),
                         i ? KN_SIGNAL_ACCEPTED : KN_SIGNAL_RESTARTED);
    }
    kn_signal_tick t;
    /* Ticks at 0, 16.67 and 33.33 ms after the first sample; 50 ms is past
     * the newest sample and is not made yet. */
    float want_x[3] = {0.0f, 0.016666666f, 0.033333333f};
    for (int k = 0; k < 3; k++) {
        ck_assert(kn_signal_next_tick(&sig, &t));
        ck_assert_int_eq(t.index, k);
        ck_assert_int_eq(t.time_ns, 1000 * MS + kn_signal_tick_time(0, k));
        ck_assert_uint_eq(t.events, k ? 0u : KN_SIGNAL_EVENT_START);
        assert_vec3(t.device[0].pose.position, want_x[k], 1.6f, 0.0f, 1e-6f);
        versor want;
        glm_quat(want, 3.0f * want_x[k], 0, 1, 0);
        ck_assert_float_le(kn_quat_angle_between(t.device[0].pose.orientation, want), 1e-5f);
        for (int d = 0; d < 3; d++) {
            ck_assert_int_eq(t.device[d].state, KN_TRACK_LIVE);
            ck_assert_uint_eq(t.device[d].flags, KN_FLAGS_ALL);
            ck_assert_float_eq(t.device[d].weight, 1.0f);
        }
    }
    ck_assert(!kn_signal_next_tick(&sig, &t));
    ck_assert_int_eq(push_x(1000 * MS + 50 * MS, 0.05f), KN_SIGNAL_ACCEPTED);
    ck_assert(kn_signal_next_tick(&sig, &t));
    assert_vec3(t.device[0].pose.position, 0.05f, 1.6f, 0.0f, 1e-6f);
    ck_assert(!kn_signal_next_tick(&sig, &t));
    ck_assert_uint_eq(sig.stats.ticks, 4);
    ck_assert_uint_eq(sig.stats.accepted, 5);

    /* Valid but not tracked poses are used; their flags pass through. */
    kn_device_sample d[3];
    devices(d, 0.1f, 0.0f, 0.0f);
    d[1].flags = KN_FLAG_ORIENTATION_VALID | KN_FLAG_POSITION_VALID;
    ck_assert_int_eq(kn_signal_push(&sig, 1000 * MS + 70 * MS, d), KN_SIGNAL_ACCEPTED);
    ck_assert(kn_signal_next_tick(&sig, &t));
    ck_assert_int_eq(t.device[1].state, KN_TRACK_LIVE);
    ck_assert_uint_eq(t.device[1].flags, 0x3u);
}
END_TEST

START_TEST(time_going_backward)
{
    for (int i = 0; i <= 4; i++)
        push_x(i * 10 * MS, 0.01f * (float)i);
    /* Equal and earlier times are ignored and counted; nothing changes. */
    ck_assert_int_eq(push_x(40 * MS, 9.0f), KN_SIGNAL_IGNORED_BACKWARD);
    ck_assert_int_eq(push_x(35 * MS, 9.0f), KN_SIGNAL_IGNORED_BACKWARD);
    ck_assert_uint_eq(sig.stats.backward, 2);
    kn_signal_tick t;
    int n = 0;
    while (kn_signal_next_tick(&sig, &t)) {
        ck_assert_float_lt(t.device[0].pose.position[0], 0.05f);
        n++;
    }
    ck_assert_int_eq(n, 3); /* 0, 16.7, 33.3 ms */

    /* More than a second back: the clock was reset; start over from it. */
    push_x(3000 * MS, 0.0f);
    ck_assert_int_eq(push_x(1500 * MS, 2.0f), KN_SIGNAL_RESTARTED);
    ck_assert_uint_eq(sig.stats.clock_resets, 1);
    ck_assert(kn_signal_next_tick(&sig, &t));
    ck_assert_int_eq(t.index, 0);
    ck_assert_int_eq(t.time_ns, 1500 * MS);
    ck_assert_uint_eq(t.events, KN_SIGNAL_EVENT_START | KN_SIGNAL_EVENT_CLOCK_RESET);
    assert_vec3(t.device[0].pose.position, 2.0f, 1.6f, 0.0f, 1e-6f);
    ck_assert(!kn_signal_next_tick(&sig, &t));
}
END_TEST

START_TEST(short_gaps_interpolated_long_gaps_restart)
{
    for (int i = 0; i <= 10; i++)
        push_x(i * 10 * MS, 0.0f);
    /* 400 ms without samples (under the 500 ms limit), 2 m further (a run):
     * interpolated. */
    ck_assert_int_eq(push_x(500 * MS, 2.0f), KN_SIGNAL_ACCEPTED);
    kn_signal_tick t;
    int n = 0;
    while (kn_signal_next_tick(&sig, &t)) {
        if (t.time_ns > 100 * MS) /* 2 m over 400 ms from 100 ms */
            assert_vec3(t.device[0].pose.position,
                        2.0f * (float)(t.time_ns - 100 * MS) / (400.0f * MS), 1.6f, 0.0f, 1e-5f);
        n++;
    }
    ck_assert_int_eq(n, 31); /* ticks 0 .. 30 (500 ms) */
    ck_assert_uint_eq(sig.stats.gap_restarts, 0);

    /* Two more old-clock samples, then 800 ms of nothing: a restart at the
     * new sample; the old clock's ticks up to its last sample come first. */
    push_x(510 * MS, 2.0f);
    push_x(520 * MS, 2.0f);
    ck_assert_int_eq(push_x(1320 * MS, 7.0f), KN_SIGNAL_RESTARTED);
    push_x(1330 * MS, 7.0f);
    ck_assert_uint_eq(sig.stats.gap_restarts, 1);
    ck_assert(kn_signal_next_tick(&sig, &t)); /* 516.7 ms, old clock */
    ck_assert_int_eq(t.index, 31);
    ck_assert_uint_eq(t.events, 0);
    ck_assert(kn_signal_next_tick(&sig, &t));
    ck_assert_int_eq(t.index, 0);
    ck_assert_int_eq(t.time_ns, 1320 * MS);
    ck_assert_uint_eq(t.events, KN_SIGNAL_EVENT_START | KN_SIGNAL_EVENT_GAP);
    assert_vec3(t.device[0].pose.position, 7.0f, 1.6f, 0.0f, 1e-6f);
    ck_assert(!kn_signal_next_tick(&sig, &t)); /* next at 1336.7 > 1330 */
}
END_TEST

/* Pushes a sample every 10 ms up to `until`, the head moving along +X at
 * vx m/s from where it was; returns the last tick made. */
static float head_x;
static kn_signal_tick run_until(int64_t *now, int64_t until, float vx, bool left_valid,
                                bool head_valid)
{
    kn_signal_tick t = {0}, last = {0};
    for (; *now <= until; *now += 10 * MS) {
        kn_device_sample d[3];
        head_x += vx * 0.01f;
        devices(d, head_x, 0.0f, 0.0f);
        if (!left_valid) { /* what a runtime reports without tracking */
            d[1].flags = 0;
            kn_pose_identity(&d[1].pose);
        }
        if (!head_valid)
            d[0].flags = KN_FLAG_ORIENTATION_VALID; /* orientation only: not usable */
        kn_signal_push(&sig, *now, d);
        while (kn_signal_next_tick(&sig, &t))
            last = t;
    }
    return last;
}

/* The left grip's position relative to the head's. */
static void assert_left_from_head(const kn_signal_tick *t, float x, float y, float z)
{
    vec3 rel;
    glm_vec3_sub((float *)t->device[1].pose.position, (float *)t->device[0].pose.position, rel);
    assert_vec3(rel, x, y, z, 1e-5f);
}

START_TEST(lost_tracking_hold_fade_neutral)
{
    int64_t now = 0;
    head_x = 0.0f;
    kn_signal_tick t = run_until(&now, 1000 * MS, 0.0f, true, true);
    ck_assert_int_eq(t.device[1].state, KN_TRACK_LIVE);
    /* Left grip lost from 1010 ms on (last valid at 1000 ms). Held for
     * 0.5 s: its last pose, valid-not-tracked for the model. */
    t = run_until(&now, 1400 * MS, 0.0f, false, true);
    ck_assert_int_eq(t.time_ns, 1400 * MS);
    ck_assert_int_eq(t.device[1].state, KN_TRACK_HELD);
    ck_assert_uint_eq(t.device[1].flags, 0x3u);
    ck_assert_float_eq(t.device[1].weight, 1.0f);
    assert_vec3(t.device[1].pose.position, -0.3f, 1.0f, -0.3f, 1e-6f);
    /* Held relative to the head: walking on at 1 m/s carries it along. */
    t = run_until(&now, 1480 * MS, 1.0f, false, true);
    ck_assert_int_eq(t.device[1].state, KN_TRACK_HELD);
    ck_assert_float_gt(t.device[0].pose.position[0], 0.05f);
    assert_left_from_head(&t, -0.3f, -0.6f, -0.3f);
    /* Half way through the 1 s fade (lost for 1000 ms: hold 500 + 500):
     * smoothstep(0.5) = 0.5, half way from the held pose to the neutral one,
     * (-0.18, -0.72, 0.08) from the head: (-0.24, -0.66, -0.11). */
    t = run_until(&now, 2000 * MS, 0.0f, false, true);
    ck_assert_int_eq(t.time_ns, 2000 * MS);
    ck_assert_int_eq(t.device[1].state, KN_TRACK_FADING);
    ck_assert_uint_eq(t.device[1].flags, 0u);
    ck_assert_float_eq_tol(t.device[1].weight, 0.5f, 1e-6f);
    assert_left_from_head(&t, -0.24f, -0.66f, -0.11f);
    /* After the fade: neutral, weight 0. */
    t = run_until(&now, 2600 * MS, 0.0f, false, true);
    ck_assert_int_eq(t.device[1].state, KN_TRACK_NEUTRAL);
    ck_assert_float_eq(t.device[1].weight, 0.0f);
    assert_left_from_head(&t, -0.18f, -0.72f, 0.08f);
    /* Back: live at once. The other devices never noticed. */
    t = run_until(&now, 2700 * MS, 0.0f, true, true);
    ck_assert_int_eq(t.device[1].state, KN_TRACK_LIVE);
    assert_left_from_head(&t, -0.3f, -0.6f, -0.3f);
    ck_assert_int_eq(t.device[2].state, KN_TRACK_LIVE);

    /* The head lost (last valid at 2700 ms): its last pose stays; its
     * weight fades, then is 0. */
    float x = head_x;
    t = run_until(&now, 3100 * MS, 0.0f, true, false);
    ck_assert_int_eq(t.device[0].state, KN_TRACK_HELD);
    ck_assert_uint_eq(t.device[0].flags, 0x3u);
    t = run_until(&now, 3700 * MS, 0.0f, true, false);
    ck_assert_int_eq(t.device[0].state, KN_TRACK_FADING);
    ck_assert_float_eq_tol(t.device[0].weight, 0.5f, 1e-6f);
    t = run_until(&now, 4200 * MS, 0.0f, true, false);
    ck_assert_int_eq(t.device[0].state, KN_TRACK_NEUTRAL);
    ck_assert_float_eq(t.device[0].weight, 0.0f);
    assert_vec3(t.device[0].pose.position, x, 1.6f, 0.0f, 1e-6f);
}
END_TEST

START_TEST(never_seen_device)
{
    kn_device_sample d[3];
    devices(d, 0.0f, 0.0f, 0.0f);
    d[2].flags = 0;
    kn_signal_push(&sig, 0, d);
    kn_signal_tick t;
    ck_assert(kn_signal_next_tick(&sig, &t));
    ck_assert_int_eq(t.device[2].state, KN_TRACK_NONE);
    ck_assert_float_eq(t.device[2].weight, 0.0f);
    ck_assert_uint_eq(t.device[2].flags, 0u);
    assert_vec3(t.device[2].pose.position, 0.18f, 0.88f, 0.08f, 1e-6f); /* neutral */
}
END_TEST

START_TEST(non_finite_input_rejected)
{
    push_x(0, 0.0f);
    kn_device_sample d[3];
    devices(d, 0.0f, 0.0f, 0.0f);
    d[1].pose.position[0] = NAN;
    d[2].pose.orientation[0] = d[2].pose.orientation[1] = 0.0f;
    d[2].pose.orientation[2] = d[2].pose.orientation[3] = 0.0f; /* zero quaternion */
    d[0].pose.orientation[3] *= 2.0f;                           /* non-unit: normalised */
    ck_assert_int_eq(kn_signal_push(&sig, 10 * MS, d), KN_SIGNAL_ACCEPTED);
    ck_assert_uint_eq(sig.stats.non_finite, 2);
    devices(d, 0.0f, 0.0f, 0.0f);
    d[0].pose.position[1] = INFINITY;
    kn_signal_push(&sig, 20 * MS, d);
    ck_assert_uint_eq(sig.stats.non_finite, 3);
    kn_signal_tick t;
    while (kn_signal_next_tick(&sig, &t)) {
        for (int k = 0; k < 3; k++) {
            for (int i = 0; i < 3; i++)
                ck_assert(isfinite(t.device[k].pose.position[i]));
            ck_assert_float_eq_tol(glm_quat_norm(t.device[k].pose.orientation), 1.0f, 1e-5f);
        }
    }
    /* The last tick (16.7 ms) lies between the clean sample and the bad
     * ones: the bad devices are held from 0 ms, not interpolated to NaN. */
    ck_assert_int_eq(t.device[1].state, KN_TRACK_HELD);
    ck_assert_int_eq(t.device[2].state, KN_TRACK_HELD);
    ck_assert_int_eq(t.device[0].state, KN_TRACK_HELD);
    assert_vec3(t.device[1].pose.position, -0.3f, 1.0f, -0.3f, 1e-6f);
}
END_TEST

START_TEST(teleport_rebases_history)
{
    /* Walking along +X at 1 m/s, samples every 10 ms, 0 to 200 ms. */
    int64_t now = 0;
    kn_signal_tick t;
    for (; now <= 200 * MS; now += 10 * MS) {
        ck_assert_int_eq(push_x(now, (float)now * 1e-9f),
                         now ? KN_SIGNAL_ACCEPTED : KN_SIGNAL_RESTARTED);
        while (kn_signal_next_tick(&sig, &t))
            ;
    }
    ck_assert_int_eq(t.time_ns, 200 * MS);
    /* The space is recentred: at 210 ms the head appears at (0, 1.6, -5),
     * turned 90 degrees left, walking on (along -Z now: +X turned). */
    kn_device_sample d[3];
    devices(d, 0.0f, -5.0f, glm_rad(90.0f));
    ck_assert_int_eq(kn_signal_push(&sig, 210 * MS, d), KN_SIGNAL_TELEPORTED);
    ck_assert_uint_eq(sig.stats.teleports, 1);
    devices(d, 0.0f, -5.01f, glm_rad(90.0f));
    ck_assert_int_eq(kn_signal_push(&sig, 220 * MS, d), KN_SIGNAL_ACCEPTED);
    ck_assert(kn_signal_next_tick(&sig, &t));
    ck_assert_uint_eq(t.events, KN_SIGNAL_EVENT_TELEPORT);
    /* rebase takes where the head would have been, (0.21, 1.6, 0), onto
     * the new pose: R_y(90) (0.21, 1.6, 0) = (0, 1.6, -0.21), T = (0, 0, -4.79). */
    vec3 expected = {0.21f, 1.6f, 0.0f}, moved;
    kn_pose_transform_point(&t.rebase, expected, moved);
    assert_vec3(moved, 0.0f, 1.6f, -5.0f, 1e-5f);
    assert_vec3(t.rebase.position, 0.0f, 0.0f, -4.79f, 1e-5f);
    /* Tick 13 (216.7 ms) between the new samples: the walk goes on. */
    ck_assert_int_eq(t.time_ns, 216666666LL);
    assert_vec3(t.device[0].pose.position, 0.0f, 1.6f, -5.0066667f, 1e-5f);
    /* History moved too: the 200 ms tick, (0.2, 1.6, 0) then, is now
     * (0, 1.6, -4.99): 1 m/s all along, no jump. */
    kn_signal_tick p;
    ck_assert(kn_signal_predict(&sig, 200 * MS, &p));
    assert_vec3(p.device[0].pose.position, 0.0f, 1.6f, -4.99f, 1e-5f);
    /* A turn alone is none, however fast: a dancer's spin at 40 rad/s
     * (issue 14: rebased at 15 rad/s, the body departed from the model's). */
    for (int i = 0; i < 20; i++) {
        devices(d, 0.0f, -5.02f - 0.001f * (float)i, glm_rad(90.0f) + 0.6667f * (float)i);
        ck_assert_int_eq(kn_signal_push(&sig, 230 * MS + i * 16666667LL, d), KN_SIGNAL_ACCEPTED);
    }
    ck_assert_uint_eq(sig.stats.teleports, 1);

    /* Quick but human (4 m/s, then 1 m/s more in a sample) is no teleport;
     * 40 cm in 10 ms is. */
    kn_signal_reset(&sig);
    ck_assert_int_eq(push_x(0, 0.0f), KN_SIGNAL_RESTARTED);
    ck_assert_int_eq(push_x(10 * MS, 0.04f), KN_SIGNAL_ACCEPTED);
    ck_assert_int_eq(push_x(20 * MS, 0.09f), KN_SIGNAL_ACCEPTED);
    ck_assert_int_eq(push_x(30 * MS, 0.49f), KN_SIGNAL_TELEPORTED);
    ck_assert_uint_eq(sig.stats.teleports, 2);
}
END_TEST

START_TEST(prediction)
{
    /* x = t at 1 m/s, yaw 2 rad/s: ticks at 0, 16.7, 33.3, 50 ms. */
    for (int i = 0; i <= 5; i++) {
        kn_device_sample d[3];
        float ts = (float)i * 0.01f;
        devices(d, ts, 0.0f, 2.0f * ts);
        kn_signal_push(&sig, i * 10 * MS, d);
    }
    kn_signal_tick t, p;
    ck_assert(!kn_signal_predict(&sig, 0, &p)); /* no tick yet */
    while (kn_signal_next_tick(&sig, &t))
        ;
    ck_assert_int_eq(t.time_ns, 50 * MS);
    /* Between ticks: interpolated. */
    ck_assert(kn_signal_predict(&sig, 25 * MS, &p));
    assert_vec3(p.device[0].pose.position, 0.025f, 1.6f, 0.0f, 1e-5f);
    ck_assert_int_eq(p.time_ns, 25 * MS);
    /* 20 ms ahead: extrapolated along the last two ticks. */
    ck_assert(kn_signal_predict(&sig, 70 * MS, &p));
    assert_vec3(p.device[0].pose.position, 0.07f, 1.6f, 0.0f, 1e-5f);
    versor want;
    glm_quat(want, 0.14f, 0, 1, 0);
    ck_assert_float_le(kn_quat_angle_between(p.device[0].pose.orientation, want), 1e-4f);
    /* Far ahead: held at 50 ms past the last tick. */
    ck_assert(kn_signal_predict(&sig, 900 * MS, &p));
    assert_vec3(p.device[0].pose.position, 0.1f, 1.6f, 0.0f, 1e-5f);
    /* Before the kept ticks: the oldest. */
    ck_assert(kn_signal_predict(&sig, -5 * MS, &p));
    assert_vec3(p.device[0].pose.position, 0.0f, 1.6f, 0.0f, 1e-6f);

    /* A held device is not extrapolated. */
    kn_device_sample d[3];
    devices(d, 0.06f, 0.0f, 0.12f);
    d[2].flags = 0;
    kn_signal_push(&sig, 60 * MS, d);
    devices(d, 0.07f, 0.0f, 0.14f);
    d[2].flags = 0;
    kn_signal_push(&sig, 70 * MS, d);
    while (kn_signal_next_tick(&sig, &t))
        ;
    ck_assert_int_eq(t.device[2].state, KN_TRACK_HELD);
    ck_assert(kn_signal_predict(&sig, t.time_ns + 30 * MS, &p));
    assert_vec3(p.device[2].pose.position, t.device[2].pose.position[0],
                t.device[2].pose.position[1], t.device[2].pose.position[2], 1e-6f);

    /* The helper on its own: inside, ahead (bounded), behind. */
    kn_pose a = {{0, 0, 0, 1}, {0, 0, 0}}, b = {{0, 0, 0, 1}, {1, 0, 0}}, out;
    kn_pose_at_time(&a, 0, &b, 100, 50, 20, &out);
    ck_assert_float_eq_tol(out.position[0], 0.5f, 1e-6f);
    kn_pose_at_time(&a, 0, &b, 100, 110, 20, &out);
    ck_assert_float_eq_tol(out.position[0], 1.1f, 1e-6f);
    kn_pose_at_time(&a, 0, &b, 100, 500, 20, &out);
    ck_assert_float_eq_tol(out.position[0], 1.2f, 1e-6f);
    kn_pose_at_time(&a, 0, &b, 100, -50, 20, &out);
    ck_assert_float_eq_tol(out.position[0], 0.0f, 1e-6f);
}
END_TEST

START_TEST(ring_overflow_and_no_heap)
{
    /* 100 samples 1 ms apart before any tick is asked for: the ring keeps
     * the newest 64; the clock starts at the oldest kept one. */
    for (int i = 0; i < 100; i++)
        push_x(i * MS, 0.001f * (float)i);
    ck_assert_uint_eq(sig.stats.overflow, 36);
    kn_signal_tick t;
    ck_assert(kn_signal_next_tick(&sig, &t));
    ck_assert_int_eq(t.time_ns, 36 * MS);
    ck_assert_uint_eq(t.events, KN_SIGNAL_EVENT_START);
    assert_vec3(t.device[0].pose.position, 0.036f, 1.6f, 0.0f, 1e-6f);

    /* Ten minutes of 90 Hz samples with dropouts, ticks and predictions:
     * no heap at all. */
    heap_calls = 0;
    counting = true;
    int ticks = 0;
    for (int64_t i = 1; i < 90 * 600; i++) {
        kn_device_sample d[3];
        devices(d, 0.1f * sinf((float)i * 0.01f), 0.0f, 0.0f);
        if (i % 500 < 60)
            d[1].flags = 0;
        kn_signal_push(&sig, 100 * MS + i * 11111111LL, d);
        while (kn_signal_next_tick(&sig, &t))
            ticks++;
        kn_signal_predict(&sig, t.time_ns + 20 * MS, &t);
    }
    counting = false;
    ck_assert_int_eq(heap_calls, 0);
    ck_assert_int_gt(ticks, 35000);
}
END_TEST

START_TEST(bad_config_refused)
{
    kn_signal_config cfg;
    kn_signal_default_config(&cfg);
    cfg.fade_ns = 0;
    kn_error err;
    ck_assert_int_eq(kn_signal_init(&sig, &cfg, &err), KN_ERROR_INVALID_ARGUMENT);
    /* Scaling the neutral poses for a calibrated skeleton. */
    kn_signal_default_config(&cfg);
    kn_signal_config_scale(&cfg, 2.0f);
    assert_vec3(cfg.neutral[KN_DEVICE_LEFT_GRIP].position, -0.36f, -1.44f, 0.16f, 1e-6f);
}
END_TEST

static Suite *signal_suite(void)
{
    Suite *s = suite_create("signal");
    TCase *tc = tcase_create("signal");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, tick_clock_is_exact);
    tcase_add_test(tc, irregular_samples_interpolated_onto_ticks);
    tcase_add_test(tc, time_going_backward);
    tcase_add_test(tc, short_gaps_interpolated_long_gaps_restart);
    tcase_add_test(tc, lost_tracking_hold_fade_neutral);
    tcase_add_test(tc, never_seen_device);
    tcase_add_test(tc, non_finite_input_rejected);
    tcase_add_test(tc, teleport_rebases_history);
    tcase_add_test(tc, prediction);
    tcase_add_test(tc, ring_overflow_and_no_heap);
    tcase_add_test(tc, bad_config_refused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(signal_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
