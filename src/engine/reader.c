/* The reader calls: a copy of the newest snapshot (a pointer swap's worth
 * of locking against the worker), prediction to the requested time, the
 * joint sets. Never waits for inference. */
#include "engine/engine.h"

#include <string.h>

static void read_snapshot(kinest_engine *e, kn_engine_snapshot *out)
{
    pthread_mutex_lock(&e->snap_lock);
    *out = *e->front;
    pthread_mutex_unlock(&e->snap_lock);
}

static void to_public_pose(const kn_pose *in, kinest_pose *out)
{
    memcpy(out->orientation, in->orientation, sizeof out->orientation);
    memcpy(out->position, in->position, sizeof out->position);
}

static void identity_pose(kinest_pose *out)
{
    *out = (kinest_pose){.orientation = {0.0f, 0.0f, 0.0f, 1.0f}};
}

/* Confidence falls with extrapolation: to half at the longest
 * extrapolation, then, while the body is held, to a tenth at half a second
 * past the newest tick. */
static float extrapolation_factor(int64_t ahead_ns)
{
    if (ahead_ns <= 0)
        return 1.0f;
    if (ahead_ns <= KN_ENGINE_MAX_EXTRAPOLATION_NS)
        return 1.0f - 0.5f * (float)ahead_ns / (float)KN_ENGINE_MAX_EXTRAPOLATION_NS;
    float rest = (float)(ahead_ns - KN_ENGINE_MAX_EXTRAPOLATION_NS) /
                 (float)(KN_ENGINE_STALE_NS - KN_ENGINE_MAX_EXTRAPOLATION_NS);
    return rest >= 1.0f ? 0.1f : 0.5f - 0.4f * rest;
}

/* A reader call refused: said in the log, the first few times only (a
 * frame loop repeats its mistakes every frame). */
static kinest_status reader_refuses(kinest_engine *e, kinest_status st, const char *call,
                                    const char *why, long long value)
{
    uint32_t n = atomic_fetch_add(&e->reader_errors, 1) + 1;
    if (n <= 5)
        kn_engine_log(e, KINEST_LOG_WARN, "%s: %s (%lld)%s", call, why, value,
                      n == 5 ? "; further refusals are not logged" : "");
    return st;
}

/* A worker too far behind the pushes for its body to be shown: said when
 * it starts and when it is over, the first few times (a loaded machine may
 * fall behind every few seconds). */
static void note_behind(kinest_engine *e, int64_t time_ns, int64_t tick_ns, bool shown)
{
    if (shown) {
        if (atomic_load_explicit(&e->reader_behind, memory_order_relaxed) &&
            atomic_exchange(&e->reader_behind, false) && atomic_load(&e->behind_logged) <= 5)
            kn_engine_log(e, KINEST_LOG_INFO, "the worker caught up: the body is shown again");
        return;
    }
    int64_t pushed = atomic_load_explicit(&e->newest_push_ns, memory_order_relaxed);
    if (time_ns - pushed > KN_ENGINE_STALE_NS || atomic_exchange(&e->reader_behind, true))
        return; /* nothing pushed either (no lag of the worker's), or said */
    uint32_t n = atomic_fetch_add(&e->behind_logged, 1) + 1;
    if (n <= 5)
        kn_engine_log(e, KINEST_LOG_WARN,
                      "the worker is %lld ms behind the pushes: no body until it catches up%s",
                      (long long)((pushed - tick_ns) / 1000000),
                      n == 5 ? "; further times are not logged" : "");
}

kinest_status kinest_get_body(kinest_engine *e, kinest_joint_set set, int64_t time_ns,
                              uint32_t joint_count, kinest_joint_location *joints,
                              kinest_body_info *info)
{
    uint32_t n = kinest_joint_count(set);
    if (!e)
        return KINEST_ERROR_INVALID_ARGUMENT;
    if (!joints || n == 0)
        return reader_refuses(e, KINEST_ERROR_INVALID_ARGUMENT, "kinest_get_body",
                              joints ? "unknown joint set" : "joints is NULL", (long long)set);
    if (joint_count != n)
        return reader_refuses(e, KINEST_ERROR_SIZE_MISMATCH, "kinest_get_body",
                              "joint_count does not match the joint set", (long long)joint_count);
    if (time_ns <= 0 || time_ns > KINEST_MAX_TIME_NS)
        return reader_refuses(e, KINEST_ERROR_TIME_INVALID, "kinest_get_body",
                              "time is not a usable time", (long long)time_ns);
    if (atomic_load(&e->failed))
        return KINEST_ERROR_BACKEND;

    kn_engine_snapshot snap;
    read_snapshot(e, &snap);
    kinest_calibration_state calibration;
    uint32_t changed_count;
    pthread_mutex_lock(&e->calib_lock);
    calibration = e->calib.state;
    changed_count = e->calib.changed_count;
    pthread_mutex_unlock(&e->calib_lock);

    /* Inactive without a tick of the current epoch, with the head lost at
     * the newest tick (held for 0.5 s by the signal, then not valid), and
     * when the newest tick is more than 0.5 s older than the requested
     * time: nothing pushed since, or a worker that far behind the pushes
     * (issue 14: a loaded machine served a body 0.4 m from the head). */
    const kn_engine_frame *newest = snap.count > 0 ? &snap.frame[snap.count - 1] : NULL;
    bool believed = newest && snap.epoch == atomic_load(&e->reset_epoch) && newest->active;
    bool active = believed && time_ns - newest->time_ns <= KN_ENGINE_STALE_NS;
    if (believed)
        note_behind(e, time_ns, newest->time_ns, active);
    kinest_body_info out = {
        .skeleton_changed_count = changed_count,
        .calibration = calibration,
    };
    if (!active) {
        for (uint32_t j = 0; j < n; j++) {
            joints[j].flags = 0;
            identity_pose(&joints[j].pose);
        }
        if (info)
            *info = out;
        return KINEST_SUCCESS;
    }

    /* The canonical joints and grips at time_ns: interpolated between the
     * two newest ticks, extrapolated at most 100 ms past the newest, held
     * beyond (the signal module's rule, as kn_pose_at_time). */
    kn_pose canon[KN_JOINT_COUNT], grip[2];
    if (snap.count == 2 && snap.continuous && snap.frame[0].active) {
        const kn_engine_frame *a = &snap.frame[0], *b = &snap.frame[1];
        for (int j = 0; j < KN_JOINT_COUNT; j++)
            kn_pose_at_time(&a->joints[j], a->time_ns, &b->joints[j], b->time_ns, time_ns,
                            KN_ENGINE_MAX_EXTRAPOLATION_NS, &canon[j]);
        /* A grip the hand was not on at the older tick is no motion of
         * the hand's (a grip just found overshot). */
        for (int s = 0; s < 2; s++) {
            if (a->hand_on_grip[s])
                kn_pose_at_time(&a->grip[s], a->time_ns, &b->grip[s], b->time_ns, time_ns,
                                KN_ENGINE_MAX_EXTRAPOLATION_NS, &grip[s]);
            else
                grip[s] = b->grip[s];
        }
    } else {
        memcpy(canon, newest->joints, sizeof canon);
        memcpy(grip, newest->grip, sizeof grip);
    }

    const uint64_t valid = KINEST_LOCATION_ORIENTATION_VALID | KINEST_LOCATION_POSITION_VALID;
    const uint64_t tracked = KINEST_LOCATION_ORIENTATION_TRACKED | KINEST_LOCATION_POSITION_TRACKED;
    kn_pose posed[KN_JOINT_SET_MAX_COUNT];
    kn_joints_from_canonical((int)set, &snap.skeleton, canon,
                             newest->hand_on_grip[0] ? &grip[0] : NULL,
                             newest->hand_on_grip[1] ? &grip[1] : NULL, posed);
    for (uint32_t j = 0; j < n; j++) {
        int c = kn_joints_followed((int)set, (int)j);
        joints[j].flags = valid | (c >= 0 && newest->tracked[c] ? tracked : 0);
        to_public_pose(&posed[j], &joints[j].pose);
    }
    out.time_ns = time_ns;
    out.active = true;
    out.confidence = newest->confidence * extrapolation_factor(time_ns - newest->time_ns);
    if (info)
        *info = out;
    return KINEST_SUCCESS;
}

kinest_status kinest_get_skeleton(kinest_engine *e, kinest_joint_set set, uint32_t joint_count,
                                  kinest_skeleton_joint *joints, uint32_t *skeleton_changed_count)
{
    uint32_t n = kinest_joint_count(set);
    if (!e)
        return KINEST_ERROR_INVALID_ARGUMENT;
    if (!joints || n == 0)
        return reader_refuses(e, KINEST_ERROR_INVALID_ARGUMENT, "kinest_get_skeleton",
                              joints ? "unknown joint set" : "joints is NULL", (long long)set);
    if (joint_count != n)
        return reader_refuses(e, KINEST_ERROR_SIZE_MISMATCH, "kinest_get_skeleton",
                              "joint_count does not match the joint set", (long long)joint_count);
    kn_skeleton s;
    uint32_t count;
    pthread_mutex_lock(&e->calib_lock);
    s = e->calib.skeleton;
    count = e->calib.changed_count;
    pthread_mutex_unlock(&e->calib_lock);

    kn_pose rest[KN_JOINT_SET_MAX_COUNT];
    kn_joints_tpose((int)set, &s, rest);
    for (uint32_t j = 0; j < n; j++) {
        joints[j].joint = (int32_t)j;
        joints[j].parent = kn_joints_parent((int)set, (int)j);
        to_public_pose(&rest[j], &joints[j].pose);
    }
    if (skeleton_changed_count)
        *skeleton_changed_count = count;
    return KINEST_SUCCESS;
}

kinest_status kinest_get_calibration(kinest_engine *e, kinest_calibration_state *state,
                                     float *height_m)
{
    if (!e)
        return KINEST_ERROR_INVALID_ARGUMENT;
    pthread_mutex_lock(&e->calib_lock);
    if (state)
        *state = e->calib.state;
    if (height_m)
        *height_m = e->calib.height_m;
    pthread_mutex_unlock(&e->calib_lock);
    return KINEST_SUCCESS;
}

kinest_status kinest_get_stats(kinest_engine *e, kinest_stats *stats)
{
    if (!e || !stats)
        return KINEST_ERROR_INVALID_ARGUMENT;
    pthread_mutex_lock(&e->stats_lock);
    *stats = e->stats;
    pthread_mutex_unlock(&e->stats_lock);
    stats->inputs_refused = atomic_load(&e->inputs_refused);
    stats->ticks_skipped += atomic_load(&e->queue_dropped);
    return KINEST_SUCCESS;
}
