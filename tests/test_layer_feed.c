/* The layer's sample hand-off (feed), floor estimate and recorder, without
 * OpenXR: order and loss accounting of the feed, that a producer never waits
 * for a slow consumer (and what a push costs), the floor rule, and that a
 * recording reads back with its completed metadata. */
#include "body/feed.h"
#include "body/floor.h"
#include "body/recorder.h"

#include <check.h>
#include <jansson.h>
#include <math.h>
#include <openxr/openxr.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h> /* rmdir */

static void sleep_us(unsigned us)
{
    struct timespec ts = {us / 1000000, (long)(us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static kn_device_frame frame_at(int64_t t)
{
    kn_device_frame f = {.time = t, .source = KN_TIME_FRAME};
    for (int d = 0; d < KN_CLIP_DEVICE_COUNT; d++) {
        f.devices[d].flags = KN_FLAGS_ALL;
        kn_pose_identity(&f.devices[d].pose);
        f.devices[d].pose.position[0] = (float)d;
        f.devices[d].pose.position[1] = (float)(t % 1000) / 1000.0f;
    }
    return f;
}

/* A consumer that checks the order and can be slow. */
typedef struct collector {
    uint64_t count;
    int64_t last;
    bool in_order;
    unsigned sleep_us;
} collector;

static void collect(void *user, const kn_device_frame *frames, size_t n)
{
    collector *c = user;
    for (size_t i = 0; i < n; i++) {
        if (c->count && frames[i].time <= c->last)
            c->in_order = false;
        c->last = frames[i].time;
        c->count++;
    }
    if (c->sleep_us)
        sleep_us(c->sleep_us);
}

START_TEST(feed_delivers_in_order_and_counts_losses)
{
    kn_feed *f = kn_feed_create(64);
    ck_assert_ptr_nonnull(f);
    collector c = {.in_order = true};
    kn_feed_consumer consumer = {&c, collect};
    ck_assert(kn_feed_add_consumer(f, &consumer));
    ck_assert(kn_feed_start(f));
    ck_assert(!kn_feed_add_consumer(f, &consumer)); /* only before the start */
    for (int64_t t = 1; t <= 20000; t++) {
        kn_device_frame fr = frame_at(t);
        kn_feed_push(f, &fr);
    }
    kn_device_frame latest;
    ck_assert(kn_feed_latest(f, &latest));
    ck_assert_int_eq(latest.time, 20000);
    kn_feed_stats stats;
    kn_feed_stop(f, &stats);
    ck_assert_uint_eq(stats.pushed + stats.dropped, 20000);
    ck_assert_uint_eq(c.count, stats.pushed); /* everything accepted was handed on */
    ck_assert(c.in_order);
    /* After the stop nothing more is queued or handed on. */
    kn_device_frame late = frame_at(30000);
    kn_feed_push(f, &late);
    kn_feed_stop(f, &stats);
    ck_assert_uint_eq(c.count, stats.pushed);
    kn_feed_free(f);
}
END_TEST

START_TEST(feed_without_consumers_keeps_the_latest)
{
    kn_feed *f = kn_feed_create(0);
    kn_device_frame out;
    ck_assert(!kn_feed_latest(f, &out));
    ck_assert(!kn_feed_start(f)); /* no consumer: no thread */
    kn_device_frame fr = frame_at(7);
    kn_feed_push(f, &fr);
    ck_assert(kn_feed_latest(f, &out));
    ck_assert_int_eq(out.time, 7);
    kn_feed_stats stats;
    kn_feed_stop(f, &stats);
    ck_assert_uint_eq(stats.pushed, 0);
    kn_feed_free(f);
    kn_feed_free(NULL);
}
END_TEST

/* The producer's cost does not depend on the consumer: one that sleeps 20 ms
 * per batch does not make a push wait. */
START_TEST(feed_push_never_waits_for_the_consumer)
{
    kn_feed *f = kn_feed_create(KN_FEED_CAPACITY);
    collector c = {.in_order = true, .sleep_us = 20000};
    kn_feed_consumer consumer = {&c, collect};
    ck_assert(kn_feed_add_consumer(f, &consumer));
    ck_assert(kn_feed_start(f));
    const int pushes = 2000;
    int64_t worst = 0, total = 0;
    for (int i = 1; i <= pushes; i++) {
        kn_device_frame fr = frame_at(i);
        int64_t t0 = now_ns();
        kn_feed_push(f, &fr);
        int64_t dt = now_ns() - t0;
        total += dt;
        if (dt > worst)
            worst = dt;
        if (i % 100 == 0)
            sleep_us(1000); /* a frame loop, quicker than the consumer */
    }
    kn_feed_stats stats;
    kn_feed_stop(f, &stats);
    printf("feed push: mean %.0f ns, worst %.1f us over %d pushes (consumer sleeping 20 ms per "
           "batch; %llu dropped)\n",
           (double)total / pushes, (double)worst / 1000.0, pushes,
           (unsigned long long)stats.dropped);
    /* Waiting for the consumer would take 20 ms; a copy takes microseconds
     * (the bound leaves room for a preempted thread under sanitizers). */
    ck_assert_msg(worst < 10000000, "a push took %lld ns", (long long)worst);
    ck_assert_uint_eq(c.count, stats.pushed);
    kn_feed_free(f);
}
END_TEST

/* A consumer stuck in a write (a stalled file system) does not hold up the
 * end of its feed (issue 14: xrDestroySession hung on the join): the stop
 * gives up in time, the abandoned worker ends on its own once the write
 * returns, and frees the feed there. */
typedef struct stuck {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool entered, released;
    atomic_int ended;
} stuck;

static void stuck_consume(void *user, const kn_device_frame *frames, size_t n)
{
    (void)frames, (void)n;
    stuck *st = user;
    pthread_mutex_lock(&st->lock);
    st->entered = true;
    pthread_cond_broadcast(&st->cond);
    while (!st->released)
        pthread_cond_wait(&st->cond, &st->lock);
    pthread_mutex_unlock(&st->lock);
}

static void stuck_ended(void *user)
{
    atomic_store(&((stuck *)user)->ended, 1);
}

START_TEST(feed_stop_does_not_wait_for_a_stuck_consumer)
{
    stuck st = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
    kn_feed *f = kn_feed_create(16);
    kn_feed_consumer c = {.user = &st, .consume = stuck_consume};
    ck_assert(kn_feed_add_consumer(f, &c));
    ck_assert(kn_feed_start(f));
    kn_device_frame fr = frame_at(1);
    kn_feed_push(f, &fr);
    pthread_mutex_lock(&st.lock);
    while (!st.entered)
        pthread_cond_wait(&st.cond, &st.lock);
    pthread_mutex_unlock(&st.lock);
    ck_assert(!kn_feed_stop_within(f, 50000000, NULL));
    kn_feed_abandon(f, stuck_ended, &st);
    ck_assert_int_eq(atomic_load(&st.ended), 0);
    pthread_mutex_lock(&st.lock);
    st.released = true;
    pthread_cond_broadcast(&st.cond);
    pthread_mutex_unlock(&st.lock);
    for (int i = 0; i < 5000 && !atomic_load(&st.ended); i++)
        sleep_us(1000);
    ck_assert_int_eq(atomic_load(&st.ended), 1);

    /* A consumer that keeps up: stopped in time, everything delivered. */
    collector col = {.in_order = true};
    f = kn_feed_create(16);
    kn_feed_consumer q = {.user = &col, .consume = collect};
    ck_assert(kn_feed_add_consumer(f, &q));
    ck_assert(kn_feed_start(f));
    for (int i = 1; i <= 10; i++) {
        fr = frame_at(i);
        kn_feed_push(f, &fr);
    }
    kn_feed_stats stats;
    ck_assert(kn_feed_stop_within(f, INT64_C(5000000000), &stats));
    ck_assert_uint_eq(stats.pushed, 10);
    ck_assert_uint_eq(col.count, 10);
    kn_feed_free(f);
}
END_TEST

START_TEST(floor_from_the_highest_head)
{
    kn_floor stage;
    kn_floor_init(&stage, false, 0, false);
    ck_assert_float_eq(kn_floor_update(&stage, 1.7f), 0.0f);

    kn_floor f;
    kn_floor_init(&f, true, 0, false);
    ck_assert_float_eq_tol(f.eye_height_m, KN_FLOOR_DEFAULT_EYE_M, 1e-6);
    /* LOCAL starts at the head: y about 0 there. */
    ck_assert_float_eq_tol(kn_floor_update(&f, 0.02f), 0.02f - 1.60f, 1e-6);
    ck_assert_float_eq_tol(kn_floor_update(&f, 0.10f), 0.10f - 1.60f, 1e-6); /* stood up */
    ck_assert_float_eq_tol(kn_floor_update(&f, -0.7f), 0.10f - 1.60f, 1e-6); /* crouching */
    ck_assert_float_eq_tol(kn_floor_update(&f, INFINITY), 0.10f - 1.60f, 1e-6);

    kn_floor tall;
    kn_floor_init(&tall, true, 1.80f, false);
    ck_assert_float_eq_tol(tall.eye_height_m, 1.80f * KN_FLOOR_EYE_RATIO, 1e-6);

    /* KINEST_POSTURE=seated: a head seen at 0.05 m in LOCAL is a seated eye,
     * so the floor is a seated eye height under it, not a standing one. */
    kn_floor seated;
    kn_floor_init(&seated, true, 0, true);
    ck_assert_float_eq_tol(kn_floor_update(&seated, 0.05f), 0.05f - KN_FLOOR_SEATED_EYE_M, 1e-6);
    kn_floor_init(&seated, true, 1.80f, true);
    ck_assert_float_eq_tol(seated.eye_height_m, 0.45f + 0.44f * 1.80f, 1e-6);
}
END_TEST

static char tmpdir[64];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/kinest-feed.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static kn_record_info test_info(void)
{
    kn_record_info info = {.base_space = "LOCAL", .runtime_version = XR_MAKE_VERSION(25, 0, 1)};
    snprintf(info.runtime_name, sizeof info.runtime_name, "Monado \"quoted\"");
    snprintf(info.system_name, sizeof info.system_name, "sim");
    snprintf(info.application, sizeof info.application, "app");
    kn_floor_init(&info.floor, true, 0, false);
    info.actions = "provisional";
    return info;
}

START_TEST(recorder_writes_a_clip_and_completes_its_metadata)
{
    make_tmpdir();
    char path[128];
    snprintf(path, sizeof path, "%s/rec.kclip", tmpdir);
    kn_record_info info = test_info();
    kn_recorder *r = kn_recorder_open(path, 0, &info);
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(kn_recorder_path(r), path);

    /* 91 frames at 90 Hz, one of them out of order (skipped). */
    kn_device_frame frames[92];
    for (int i = 0; i < 91; i++)
        frames[i] = frame_at(INT64_C(5000000000) + (int64_t)i * 1000000000 / 90);
    frames[91] = frame_at(1);
    frames[3].devices[1].flags = 0x3;
    frames[4].source = KN_TIME_NOW;
    kn_recorder_consume(r, frames, 50);
    kn_recorder_consume(r, frames + 50, 42);

    snprintf(info.profile_left, sizeof info.profile_left, "/interaction_profiles/khr/simple");
    info.actions = "final";
    kn_floor_update(&info.floor, 0.1f);
    kn_feed_stats stats = {.pushed = 92, .dropped = 2};
    ck_assert(kn_recorder_close(r, &info, &stats));

    kn_clip clip;
    kn_error err;
    ck_assert_msg(kn_clip_read_file(path, &clip, &err) == KN_OK, "%s", err.message);
    ck_assert_uint_eq(clip.frame_count, 91);
    ck_assert_float_eq_tol(clip.rate_hz, 90.0f, 0.01f);
    for (uint32_t i = 0; i < 91; i++) {
        ck_assert_int_eq(clip.time_ns[i], frames[i].time);
        for (int d = 0; d < 3; d++) {
            const kn_device_sample *s = &clip.devices[i * 3 + d];
            ck_assert_uint_eq(s->flags, frames[i].devices[d].flags);
            ck_assert_float_eq(s->pose.position[1], frames[i].devices[d].pose.position[1]);
        }
    }
    json_error_t jerr;
    json_t *m = json_loads(clip.metadata, 0, &jerr);
    ck_assert_msg(m != NULL, "%s", jerr.text);
    ck_assert(json_is_true(json_object_get(m, "live")));
    ck_assert_str_eq(json_string_value(json_object_get(m, "recording")), "complete");
    ck_assert_str_eq(json_string_value(json_object_get(m, "grip_actions")), "final");
    ck_assert_str_eq(json_string_value(json_object_get(m, "base_space")), "LOCAL");
    json_t *runtime = json_object_get(m, "runtime");
    ck_assert_str_eq(json_string_value(json_object_get(runtime, "name")), "Monado \"quoted\"");
    ck_assert_str_eq(json_string_value(json_object_get(runtime, "version")), "25.0.1");
    json_t *profile = json_object_get(m, "interaction_profile");
    ck_assert_str_eq(json_string_value(json_object_get(profile, "left")),
                     "/interaction_profiles/khr/simple");
    ck_assert(json_is_null(json_object_get(profile, "right")));
    json_t *floor = json_object_get(m, "floor");
    ck_assert(json_is_true(json_object_get(floor, "estimated")));
    ck_assert_float_eq_tol(json_real_value(json_object_get(floor, "floor_y_m")), 0.1 - 1.6, 1e-6);
    json_t *sources = json_object_get(m, "time_sources");
    ck_assert_int_eq(json_integer_value(json_object_get(sources, "frame")), 90);
    ck_assert_int_eq(json_integer_value(json_object_get(sources, "now")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(m, "frames_dropped")), 2);
    json_decref(m);
    kn_clip_free(&clip);
    remove(path);
    rmdir(tmpdir);
}
END_TEST

START_TEST(recorder_numbers_later_sessions_and_refuses_bad_paths)
{
    make_tmpdir();
    kn_record_info info = test_info();
    char path[128], want[160];
    snprintf(path, sizeof path, "%s/rec.kclip", tmpdir);
    kn_recorder *r = kn_recorder_open(path, 2, &info);
    ck_assert_ptr_nonnull(r);
    snprintf(want, sizeof want, "%s/rec-3.kclip", tmpdir);
    ck_assert_str_eq(kn_recorder_path(r), want);
    ck_assert(kn_recorder_close(r, &info, NULL));
    kn_clip clip;
    kn_error err;
    ck_assert_msg(kn_clip_read_file(want, &clip, &err) == KN_OK, "%s", err.message);
    ck_assert_uint_eq(clip.frame_count, 0);
    kn_clip_free(&clip);
    remove(want);

    snprintf(path, sizeof path, "%s/plain", tmpdir);
    r = kn_recorder_open(path, 1, &info);
    snprintf(want, sizeof want, "%s/plain-2", tmpdir);
    ck_assert_str_eq(kn_recorder_path(r), want);
    kn_recorder_close(r, &info, NULL);
    remove(want);

    snprintf(path, sizeof path, "%s/missing/rec.kclip", tmpdir);
    ck_assert_ptr_null(kn_recorder_open(path, 0, &info));
    ck_assert_ptr_null(kn_recorder_open(tmpdir, 0, &info)); /* a directory */
    rmdir(tmpdir);
}
END_TEST

/* KINEST_RECORD naming a FIFO nobody reads, or a planted symlink, and a disk
 * that fills up (issue 14: fopen hung the session's creation; the symlink
 * was written through; the header counted frames that never reached the
 * disk and the metadata said "complete"). */
START_TEST(recorder_refuses_fifos_and_symlinks_and_counts_only_what_was_written)
{
    make_tmpdir();
    kn_record_info info = test_info();
    char path[128], target[128];
    snprintf(path, sizeof path, "%s/fifo.kclip", tmpdir);
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    ck_assert_ptr_null(kn_recorder_open(path, 0, &info));
    remove(path);

    snprintf(target, sizeof target, "%s/precious", tmpdir);
    FILE *t = fopen(target, "w");
    ck_assert_ptr_nonnull(t);
    fputs("precious", t);
    fclose(t);
    snprintf(path, sizeof path, "%s/link.kclip", tmpdir);
    ck_assert_int_eq(symlink(target, path), 0);
    ck_assert_ptr_null(kn_recorder_open(path, 0, &info));
    char kept[16] = {0};
    t = fopen(target, "r");
    ck_assert_ptr_nonnull(t);
    ck_assert_uint_eq(fread(kept, 1, sizeof kept - 1, t), 8);
    fclose(t);
    ck_assert_str_eq(kept, "precious");
    remove(path);
    remove(target);

    /* The disk full after 32 KiB (a file size limit, SIGXFSZ ignored). */
    snprintf(path, sizeof path, "%s/full.kclip", tmpdir);
    kn_recorder *r = kn_recorder_open(path, 0, &info);
    ck_assert_ptr_nonnull(r);
    struct rlimit old, lim;
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = 32 << 10;
    void (*was)(int) = signal(SIGXFSZ, SIG_IGN);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    kn_device_frame frames[50];
    for (int b = 0; b < 20; b++) {
        for (int i = 0; i < 50; i++)
            frames[i] = frame_at(INT64_C(5000000000) + (int64_t)(50 * b + i) * 16666667);
        kn_recorder_consume(r, frames, 50);
    }
    ck_assert(!kn_recorder_close(r, &info, NULL));
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, was);
    kn_clip clip;
    kn_error err;
    ck_assert_msg(kn_clip_read_file(path, &clip, &err) == KN_OK, "%s", err.message);
    ck_assert_uint_gt(clip.frame_count, 0);
    ck_assert_uint_lt(clip.frame_count, 1000);
    json_error_t jerr;
    json_t *m = json_loads(clip.metadata, 0, &jerr);
    ck_assert_ptr_nonnull(m);
    ck_assert_str_eq(json_string_value(json_object_get(m, "recording")), "incomplete");
    ck_assert(json_is_true(json_object_get(m, "write_failed")));
    json_decref(m);
    kn_clip_free(&clip);
    remove(path);
    rmdir(tmpdir);
}
END_TEST

int main(void)
{
    setenv("KINEST_LOG", "error", 1);
    Suite *s = suite_create("layer_feed");
    TCase *tc = tcase_create("feed");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, feed_delivers_in_order_and_counts_losses);
    tcase_add_test(tc, feed_without_consumers_keeps_the_latest);
    tcase_add_test(tc, feed_push_never_waits_for_the_consumer);
    tcase_add_test(tc, feed_stop_does_not_wait_for_a_stuck_consumer);
    tcase_add_test(tc, floor_from_the_highest_head);
    tcase_add_test(tc, recorder_writes_a_clip_and_completes_its_metadata);
    tcase_add_test(tc, recorder_numbers_later_sessions_and_refuses_bad_paths);
    tcase_add_test(tc, recorder_refuses_fifos_and_symlinks_and_counts_only_what_was_written);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
