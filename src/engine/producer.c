/* The producer's calls: push (a copy into the lock-free queue), reset,
 * flush, and the calibration setters. */
#include "engine/engine.h"

#include <math.h>
#include <string.h>

static kinest_status refuse(kinest_engine *e, kinest_status st, const char *fmt, long long a)
{
    uint64_t n = atomic_fetch_add(&e->inputs_refused, 1) + 1;
    /* The first few, then every 1000th: a broken stream must not flood the log. */
    if (n <= 5 || n % 1000 == 0)
        kn_engine_log(e, KINEST_LOG_WARN, fmt, a, (unsigned long long)n);
    return st;
}

static void wake_worker(kinest_engine *e)
{
    sem_post(&e->wake);
}

kinest_status kinest_push_devices(kinest_engine *e, int64_t time_ns,
                                  const kinest_device_pose devices[KINEST_DEVICE_COUNT])
{
    if (!e || !devices)
        return KINEST_ERROR_INVALID_ARGUMENT;
    if (time_ns <= 0 || time_ns > KINEST_MAX_TIME_NS)
        return refuse(e, KINEST_ERROR_TIME_INVALID,
                      "push refused: time %lld ns is not a usable time (%llu refused so far)",
                      (long long)time_ns);
    /* Far back is a clock reset (the signal restarts there); near back, a
     * sample out of order. */
    if (e->last_push_ns != 0 && time_ns <= e->last_push_ns &&
        e->last_push_ns - time_ns <= e->w.signal.cfg.clock_reset_ns)
        return refuse(e, KINEST_ERROR_TIME_INVALID,
                      "push refused: time %lld ns is not after the previous push (%llu refused so "
                      "far)",
                      (long long)time_ns);
    const uint64_t both = KINEST_LOCATION_ORIENTATION_VALID | KINEST_LOCATION_POSITION_VALID;
    for (int d = 0; d < KINEST_DEVICE_COUNT; d++)
        if ((devices[d].flags & both) == both &&
            !kn_pose_finite(devices[d].pose.orientation, devices[d].pose.position))
            return refuse(e, KINEST_ERROR_NON_FINITE,
                          "push refused: device %lld is valid but its pose is not finite (%llu "
                          "refused so far)",
                          (long long)d);
    e->last_push_ns = time_ns;

    uint64_t head = atomic_load_explicit(&e->head, memory_order_relaxed);
    uint64_t tail = atomic_load_explicit(&e->tail, memory_order_acquire);
    if (head - tail >= KN_ENGINE_QUEUE) {
        uint64_t n = atomic_fetch_add(&e->queue_dropped, 1) + 1;
        if (n <= 5 || n % 1000 == 0)
            kn_engine_log(e, KINEST_LOG_WARN,
                          "the worker is behind: its queue is full, sample dropped (%llu so far)",
                          (unsigned long long)n);
        wake_worker(e);
        return KINEST_SUCCESS;
    }
    kn_engine_entry *en = &e->queue[head % KN_ENGINE_QUEUE];
    en->epoch = e->producer_epoch;
    en->time_ns = time_ns;
    en->pushed_wall_ns = kn_engine_wall_ns();
    for (int d = 0; d < KINEST_DEVICE_COUNT; d++) {
        /* Only the four location bits travel; the pose only when valid. */
        en->device[d].flags = (uint32_t)(devices[d].flags & 0xFu);
        if ((devices[d].flags & both) == both) {
            memcpy(en->device[d].pose.orientation, devices[d].pose.orientation,
                   sizeof devices[d].pose.orientation);
            memcpy(en->device[d].pose.position, devices[d].pose.position,
                   sizeof devices[d].pose.position);
        } else {
            kn_pose_identity(&en->device[d].pose);
        }
    }
    atomic_store_explicit(&e->head, head + 1, memory_order_release);
    atomic_store_explicit(&e->newest_push_ns, time_ns, memory_order_relaxed);
    wake_worker(e);
    return KINEST_SUCCESS;
}

kinest_status kinest_reset(kinest_engine *e)
{
    if (!e)
        return KINEST_ERROR_INVALID_ARGUMENT;
    /* Readers see the new epoch at once (no body until new ticks); queued
     * samples of the old epoch are dropped by the worker, which resets its
     * state when it next wakes. */
    e->producer_epoch++;
    atomic_store(&e->reset_epoch, e->producer_epoch);
    atomic_store(&e->newest_push_ns, 0);
    e->last_push_ns = 0;
    wake_worker(e);
    kn_engine_log(e, KINEST_LOG_DEBUG, "reset");
    return KINEST_SUCCESS;
}

kinest_status kinest_flush(kinest_engine *e)
{
    if (!e)
        return KINEST_ERROR_INVALID_ARGUMENT;
    uint64_t ticket = atomic_fetch_add(&e->flush_requested, 1) + 1;
    wake_worker(e);
    pthread_mutex_lock(&e->flush_lock);
    while (e->flush_served < ticket)
        pthread_cond_wait(&e->flush_cond, &e->flush_lock);
    pthread_mutex_unlock(&e->flush_lock);
    return atomic_load(&e->failed) ? KINEST_ERROR_BACKEND : KINEST_SUCCESS;
}

/* ---- calibration ---------------------------------------------------------- */

kinest_status kinest_set_height(kinest_engine *e, float height_m)
{
    if (!e)
        return KINEST_ERROR_INVALID_ARGUMENT;
    if (!isfinite(height_m))
        return KINEST_ERROR_NON_FINITE;
    if (!(height_m > KINEST_HEIGHT_MIN_M && height_m < KINEST_HEIGHT_MAX_M)) {
        kn_engine_log(e, KINEST_LOG_WARN, "kinest_set_height: %g m is outside (0.5, 3) m",
                      (double)height_m);
        return KINEST_ERROR_INVALID_ARGUMENT;
    }
    kn_skeleton s;
    kn_error err = {0};
    if (kn_engine_skeleton_for_height(e, height_m, &s, &err) != KN_OK) {
        kn_engine_log(e, KINEST_LOG_WARN, "kinest_set_height: %s", err.message);
        return KINEST_ERROR_INVALID_ARGUMENT;
    }
    pthread_mutex_lock(&e->calib_lock);
    e->calib.override = true;
    e->calib.state = KINEST_CALIBRATION_VALID;
    bool changed = height_m != e->calib.height_m;
    if (changed) {
        e->calib.skeleton = s;
        e->calib.height_m = height_m;
        e->calib.changed_count++;
    }
    pthread_mutex_unlock(&e->calib_lock);
    kn_engine_log(e, KINEST_LOG_INFO, "height set to %.3f m%s", (double)height_m,
                  changed ? "; skeleton rescaled" : "");
    return KINEST_SUCCESS;
}

kinest_status kinest_set_skeleton(kinest_engine *e,
                                  const float offsets[KINEST_CANONICAL_JOINT_COUNT * 3],
                                  float standing_head_height_m)
{
    if (!e || !offsets)
        return KINEST_ERROR_INVALID_ARGUMENT;
    if (!isfinite(standing_head_height_m))
        return KINEST_ERROR_NON_FINITE;
    kn_skeleton s;
    memset(&s, 0, sizeof s);
    for (int j = 1; j < KN_JOINT_COUNT; j++) {
        for (int i = 0; i < 3; i++) {
            float v = offsets[3 * j + i];
            if (!isfinite(v))
                return KINEST_ERROR_NON_FINITE;
            s.offsets[j][i] = v;
        }
        if (!(glm_vec3_norm(s.offsets[j]) <= 1.0f)) {
            kn_engine_log(e, KINEST_LOG_WARN, "kinest_set_skeleton: the %s bone is %g m long",
                          kn_joint_name(j), (double)glm_vec3_norm(s.offsets[j]));
            return KINEST_ERROR_INVALID_ARGUMENT;
        }
    }
    if (!(standing_head_height_m > 0.2f && standing_head_height_m < 3.0f)) {
        kn_engine_log(e, KINEST_LOG_WARN,
                      "kinest_set_skeleton: standing head height %g m is outside (0.2, 3) m",
                      (double)standing_head_height_m);
        return KINEST_ERROR_INVALID_ARGUMENT;
    }
    s.standing_head_height = standing_head_height_m;
    pthread_mutex_lock(&e->calib_lock);
    e->calib.override = true;
    e->calib.state = KINEST_CALIBRATION_VALID;
    e->calib.skeleton = s;
    e->calib.height_m = kn_skeleton_body_height(&s);
    e->calib.changed_count++;
    pthread_mutex_unlock(&e->calib_lock);
    kn_engine_log(e, KINEST_LOG_INFO, "skeleton set (body height %.3f m)",
                  (double)kn_skeleton_body_height(&s));
    return KINEST_SUCCESS;
}

kinest_status kinest_reset_height(kinest_engine *e)
{
    if (!e)
        return KINEST_ERROR_INVALID_ARGUMENT;
    pthread_mutex_lock(&e->calib_lock);
    e->calib.override = false;
    e->calib.auto_epoch++;
    e->calib.state = KINEST_CALIBRATION_CALIBRATING;
    pthread_mutex_unlock(&e->calib_lock);
    kn_engine_log(e, KINEST_LOG_INFO, "height calibration restarted (automatic)");
    return KINEST_SUCCESS;
}
