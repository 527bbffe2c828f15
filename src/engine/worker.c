/* The worker thread: queue -> signal ticks -> heading -> features -> model
 * step (or the IK) -> body -> snapshot. It owns the backend, the signal
 * conditioner, the IK and every per-tick buffer; nothing here allocates. */
#include "engine/engine.h"

#include <errno.h>
#include <math.h>
#include <string.h>

static bool device_used(const kn_signal_device *d)
{
    return d->state == KN_TRACK_LIVE || d->state == KN_TRACK_HELD;
}

static bool device_tracked(const kn_signal_device *d)
{
    const uint32_t tracked = KN_FLAG_ORIENTATION_TRACKED | KN_FLAG_POSITION_TRACKED;
    return d->state == KN_TRACK_LIVE && (d->flags & tracked) == tracked;
}

/* The model's recurrent state and its output filter start afresh, and
 * the body stage's state with them. */
static void restart_model(kinest_engine *e)
{
    if (e->backend)
        kn_backend_reset(e->backend);
    e->w.smooth_primed = false;
    kn_feet_reset(&e->w.feet);
    kn_body_hinges_reset(&e->w.hinges);
}

/* The state a fresh stream starts from (create, kinest_reset). */
static void restart_stream(kinest_engine *e)
{
    if (e->w.change.active)
        kn_engine_apply_skeleton(e, &e->w.change.to);
    kn_signal_reset(&e->w.signal);
    kn_heading_init(&e->w.heading);
    kn_features_reset(&e->w.features);
    kn_ik_reset(&e->w.ik);
    restart_model(e);
    e->w.ticks_since_start = 0;
    e->w.resume_hold = 0;
    e->w.have_frame = false;
}

void kn_engine_worker_init(kinest_engine *e)
{
    e->w.epoch = 0;
    e->w.calib_count = e->calib.changed_count;
    e->w.auto_epoch = e->calib.auto_epoch;
    kn_height_reset(&e->w.height);
    kn_standing_init(&e->w.standing, e->config.posture);
    e->w.estimate_countdown = 0;
    e->w.seen_head = false;
    kn_ik_init(&e->w.ik, &e->calib.skeleton, NULL);
    kn_engine_apply_skeleton(e, &e->calib.skeleton);
    restart_stream(e);
    e->snaps[0].skeleton = e->w.skeleton;
    e->snaps[1].skeleton = e->w.skeleton;
}

/* Calibration changes from the producer (override, reset to automatic). */
static void sync_calibration(kinest_engine *e)
{
    bool changed = false, restart_auto = false;
    kn_skeleton s;
    pthread_mutex_lock(&e->calib_lock);
    if (e->calib.changed_count != e->w.calib_count) {
        e->w.calib_count = e->calib.changed_count;
        s = e->calib.skeleton;
        changed = true;
    }
    if (e->calib.auto_epoch != e->w.auto_epoch) {
        e->w.auto_epoch = e->calib.auto_epoch;
        restart_auto = true;
    }
    pthread_mutex_unlock(&e->calib_lock);
    if (changed)
        kn_engine_change_skeleton(e, &s);
    if (restart_auto) {
        kn_height_reset(&e->w.height);
        kn_standing_reset(&e->w.standing);
        e->w.estimate_countdown = 0;
        e->w.seen_head = false;
    }
}

/* Says once per auto epoch why the height is not taken from the head yet,
 * and when it starts to be. */
static void log_standing(kinest_engine *e, bool first_head, bool standing, const kn_pose *head)
{
    if (first_head && !standing)
        kn_engine_log(e, KINEST_LOG_INFO,
                      "automatic calibration: the head (%.2f m) has not been seen standing%s; "
                      "the height stays %.3f m until it is",
                      (double)head->position[1],
                      e->w.standing.posture == KINEST_POSTURE_SEATED ? " (posture seated)" : "",
                      (double)kn_skeleton_body_height(&e->w.skeleton));
    else if (!first_head && standing && !e->w.was_standing)
        kn_engine_log(e, KINEST_LOG_INFO,
                      "automatic calibration: the head has been seen standing (%.2f m)",
                      (double)head->position[1]);
    e->w.was_standing = standing;
}

/* Automatic calibration: one tick of the head. Locks only on the first
 * head of an auto epoch and when an estimate is due. */
static void auto_calibrate(kinest_engine *e, const kn_signal_device *head)
{
    if (head->state != KN_TRACK_LIVE)
        return;
    /* Only a head seen standing gives a standing height: a seated start
     * keeps the override or the default height (CALIBRATING) until then. */
    bool standing = kn_standing_tick(&e->w.standing, &head->pose);
    bool took = standing && kn_height_add(&e->w.height, &head->pose);
    bool first_head = !e->w.seen_head;
    e->w.seen_head = true;
    log_standing(e, first_head, standing, &head->pose);
    float eye = 0.0f;
    bool have = false;
    if (took && --e->w.estimate_countdown <= 0) {
        have = kn_height_estimate(&e->w.height, &eye);
        e->w.estimate_countdown = have ? KN_HEIGHT_EVERY : 0;
    }
    if (!first_head && !have)
        return;
    kn_skeleton s;
    bool usable = have && kn_skeleton_for_eye_height(&e->default_skeleton, eye, &s, NULL) == KN_OK;
    bool changed = false;
    pthread_mutex_lock(&e->calib_lock);
    if (!e->calib.override && e->calib.auto_epoch == e->w.auto_epoch) {
        if (e->calib.state == KINEST_CALIBRATION_INVALID)
            e->calib.state = KINEST_CALIBRATION_CALIBRATING;
        if (usable) {
            float current = kn_skeleton_eye_height(&e->calib.skeleton);
            bool first = e->calib.state != KINEST_CALIBRATION_VALID;
            e->calib.state = KINEST_CALIBRATION_VALID;
            if ((first && fabsf(eye - current) > 1e-3f) ||
                fabsf(eye - current) > KN_HEIGHT_HYSTERESIS_M) {
                e->calib.skeleton = s;
                e->calib.height_m = kn_skeleton_body_height(&s);
                e->calib.changed_count++;
                e->w.calib_count = e->calib.changed_count;
                changed = true;
            }
        }
    }
    pthread_mutex_unlock(&e->calib_lock);
    if (changed) {
        kn_engine_change_skeleton(e, &s);
        kn_engine_log(e, KINEST_LOG_INFO, "automatic calibration: eye height %.3f m, height %.3f m",
                      (double)eye, (double)kn_skeleton_body_height(&s));
    }
}

static void rebase_frame(kn_engine_frame *f, const kn_pose *t)
{
    for (int j = 0; j < KN_JOINT_COUNT; j++) {
        kn_pose p = f->joints[j];
        kn_pose_compose(t, &p, &f->joints[j]);
    }
    for (int s = 0; s < 2; s++) {
        kn_pose p = f->grip[s];
        kn_pose_compose(t, &p, &f->grip[s]);
    }
}

/* The heading's floor point and yaw move with the world too (they outlive
 * the head's validity). */
static void rebase_heading(kn_heading *h, const kn_pose *t)
{
    vec3 floor = {h->floor_x, 0.0f, h->floor_z}, moved, back = {h->sin_yaw, 0.0f, h->cos_yaw},
         turned;
    kn_pose_transform_point(t, floor, moved);
    kn_quat_rotate(t->orientation, back, turned);
    h->floor_x = moved[0];
    h->floor_z = moved[2];
    float len = hypotf(turned[0], turned[2]);
    if (len >= KN_HEADING_MIN_HORIZONTAL) {
        h->sin_yaw = turned[0] / len;
        h->cos_yaw = turned[2] / len;
    }
}

static void publish(kinest_engine *e, const kn_engine_frame *frame, bool continuous)
{
    kn_engine_snapshot *back = e->front == &e->snaps[0] ? &e->snaps[1] : &e->snaps[0];
    back->epoch = e->w.epoch;
    back->skeleton = e->w.skeleton;
    /* Only two bodies make a motion: an inactive frame's joints are no
     * place the body was, so nothing is interpolated from or to one. */
    if (e->w.have_frame && continuous && e->w.last.active && frame->active) {
        back->frame[0] = e->w.last;
        back->frame[1] = *frame;
        back->count = 2;
        back->continuous = true;
    } else {
        back->frame[0] = *frame;
        back->count = 1;
        back->continuous = false;
    }
    pthread_mutex_lock(&e->snap_lock);
    e->front = back;
    pthread_mutex_unlock(&e->snap_lock);
    e->w.last = *frame;
    e->w.have_frame = true;
}

/* An empty snapshot of the current epoch: readers see no body. */
static void publish_empty(kinest_engine *e)
{
    kn_engine_snapshot *back = e->front == &e->snaps[0] ? &e->snaps[1] : &e->snaps[0];
    back->epoch = e->w.epoch;
    back->skeleton = e->w.skeleton;
    back->count = 0;
    back->continuous = false;
    pthread_mutex_lock(&e->snap_lock);
    e->front = back;
    pthread_mutex_unlock(&e->snap_lock);
}

static void count_step(kinest_engine *e, double step_ms, bool skipped)
{
    double latency = (double)(kn_engine_wall_ns() - e->w.wall_of_entry) / 1e6;
    pthread_mutex_lock(&e->stats_lock);
    if (skipped) {
        e->stats.ticks_skipped++;
    } else {
        e->stats.ticks++;
        e->stats.step_ms_last = step_ms;
        e->stats.step_ms_mean += (step_ms - e->stats.step_ms_mean) / (double)e->stats.ticks;
        e->stats.latency_ms_last = latency;
    }
    pthread_mutex_unlock(&e->stats_lock);
}

/* The model's output through the one-pole filter (docs/engine.md):
 * y = (1 - s) x + s y_prev, y = x at a stream's first step. Float32, as
 * the Python side computes it. Only steps that ran get here. */
static const float *smooth_output(kinest_engine *e)
{
    const float s = e->smoothing, *x = e->w.output;
    float *y = e->w.smoothed;
    if (s == 0.0f)
        return x;
    if (!e->w.smooth_primed) {
        memcpy(y, x, sizeof e->w.smoothed); /* the rotations; contact logits are not smoothed */
        e->w.smooth_primed = true;
        return y;
    }
    for (int i = 0; i < KN_MODEL_OUTPUTS; i++)
        y[i] = (1.0f - s) * x[i] + s * y[i];
    return y;
}

/* The head found again after a loss jumps from where it was held to where
 * it is, and the user has moved on meanwhile: the stream starts afresh
 * there (no motion to interpolate across, no state of the time before).
 * So it does at the first tick run after more than 0.5 s of skipped ones
 * (a worker far behind: its model and IK missed that motion, and the IK's
 * knee then jumped 13 cm a frame). True when the stream starts at this
 * tick. */
static bool restart_if_due(kinest_engine *e, bool skip)
{
    const kn_signal_tick *tick = &e->w.tick;
    bool head_live = tick->device[KN_DEVICE_HEAD].state == KN_TRACK_LIVE;
    bool recovered = head_live && !e->w.head_was_live && e->w.have_frame;
    e->w.head_was_live = head_live;
    bool started = tick->events & KN_SIGNAL_EVENT_START;
    int64_t skipped = tick->time_ns - e->w.last.time_ns;
    bool caught_up = !started && !skip && e->w.have_frame && skipped > KN_ENGINE_STALE_NS;
    if (!started && !recovered && !caught_up)
        return false;
    restart_model(e);
    kn_ik_reset(&e->w.ik);
    kn_features_reset(&e->w.features);
    kn_heading_init(&e->w.heading);
    e->w.ticks_since_start = 0;
    /* A body was shown: none until the fresh guesses have settled. */
    e->w.resume_hold = !e->w.have_frame ? 0
                       : caught_up      ? KN_ENGINE_CATCH_UP_TICKS
                                        : KN_ENGINE_RESUME_TICKS;
    e->w.have_frame = false;
    if (tick->events & (KN_SIGNAL_EVENT_GAP | KN_SIGNAL_EVENT_CLOCK_RESET))
        kn_engine_log(e, KINEST_LOG_INFO, "stream restarted at %lld ns (%s)",
                      (long long)tick->time_ns,
                      tick->events & KN_SIGNAL_EVENT_GAP ? "gap" : "time went backward");
    else if (caught_up)
        kn_engine_log(e, KINEST_LOG_INFO, "stream restarted at %lld ns (%lld ms of ticks skipped)",
                      (long long)tick->time_ns, (long long)(skipped / 1000000));
    return true;
}

/* A teleport or recentring: what remembers world positions moves with it. */
static void follow_teleport(kinest_engine *e)
{
    const kn_signal_tick *tick = &e->w.tick;
    if (!(tick->events & KN_SIGNAL_EVENT_TELEPORT))
        return;
    kn_ik_rebase(&e->w.ik, &tick->rebase);
    kn_features_rebase(&e->w.features, &tick->rebase);
    kn_feet_reset(&e->w.feet); /* planted where the world no longer is */
    rebase_heading(&e->w.heading, &tick->rebase);
    if (e->w.have_frame)
        rebase_frame(&e->w.last, &tick->rebase);
    kn_engine_log(e, KINEST_LOG_INFO, "teleport or recentring at %lld ns",
                  (long long)tick->time_ns);
}

/* The skeleton of this tick: the producer's calibration changes, the
 * automatic calibration, a skeleton change under way; then the heading. */
static void calibrate(kinest_engine *e)
{
    const kn_signal_device *head = &e->w.tick.device[KN_DEVICE_HEAD];
    sync_calibration(e);
    auto_calibrate(e, head);
    kn_engine_skeleton_tick(e);
    bool head_valid = (head->flags & KN_FEATURES_VALID_FLAGS) == KN_FEATURES_VALID_FLAGS;
    kn_heading_update(&e->w.heading, &head->pose, head_valid);
}

/* The model's step (features, backend, filter) or the IK's: the tick's
 * local rotations, or NULL when the tick has no body (skipped, refused,
 * the backend failed). */
static const float *predict(kinest_engine *e, bool skip)
{
    const kn_signal_tick *tick = &e->w.tick;
    const kn_signal_device *dev = tick->device;
    if (!e->backend) {
        if (skip)
            return NULL;
        kn_ik_input in = {
            .time_ns = tick->time_ns,
            .head = dev[KN_DEVICE_HEAD].pose,
            .head_valid = device_used(&dev[KN_DEVICE_HEAD]),
            .grip = {dev[KN_DEVICE_LEFT_GRIP].pose, dev[KN_DEVICE_RIGHT_GRIP].pose},
            .grip_valid = {device_used(&dev[KN_DEVICE_LEFT_GRIP]),
                           device_used(&dev[KN_DEVICE_RIGHT_GRIP])},
            .heading = &e->w.heading,
        };
        kn_ik_solve(&e->w.ik, &in, &e->w.ik_out, NULL);
        return e->w.ik_out.local6d;
    }
    kn_pose pose[KN_SIGNAL_DEVICES];
    uint32_t flags[KN_SIGNAL_DEVICES];
    for (int d = 0; d < KN_SIGNAL_DEVICES; d++) {
        pose[d] = dev[d].pose;
        flags[d] = dev[d].flags;
    }
    kn_features_tick(&e->w.features, &e->w.heading, pose, flags, e->w.input);
    if (skip)
        return NULL;
    kn_error err = {0};
    kn_status st = kn_backend_step(e->backend, e->w.input, e->w.output, &err);
    if (st == KN_ERROR_NON_FINITE) {
        /* Refused or overflowed: this tick has no body; the backend reset
         * its state if it had to. */
        if (e->w.non_finite_logged++ < 5)
            kn_engine_log(e, KINEST_LOG_WARN, "tick at %lld ns: %s", (long long)tick->time_ns,
                          err.message);
        return NULL;
    }
    if (st != KN_OK) {
        kn_engine_log(e, KINEST_LOG_ERROR,
                      "the %s backend failed (%s); no more bodies: destroy and recreate "
                      "the engine",
                      kn_backend_name(e->backend), err.message);
        atomic_store(&e->failed, true);
        return NULL;
    }
    return smooth_output(e);
}

/* kn_body_solve with the engine's options (kinest.h's body flags). */
static const kn_body *solve_body(kinest_engine *e, const float *local6d)
{
    const kn_signal_device *dev = e->w.tick.device;
    uint32_t flags = e->config.body_flags;
    bool feet = (flags & KINEST_BODY_FEET_ABOVE_FLOOR) != 0;
    kn_body_input in = {
        .local6d = local6d,
        .heading = &e->w.heading,
        .flags = ((flags & KINEST_BODY_HANDS_TO_GRIPS) ? KN_BODY_HANDS_TO_GRIPS : 0u) |
                 (feet ? 0u : KN_BODY_SKIP_FEET),
        /* The model's feet stand (the IK plants its own); with the floor. */
        .feet = e->backend && feet ? &e->w.feet : NULL,
        .contact =
            e->backend && e->backend->config.contact_head ? e->w.output + KN_MODEL_OUTPUTS : NULL,
        .hinges = &e->w.hinges,
    };
    for (int d = 0; d < KN_SIGNAL_DEVICES; d++) {
        in.device[d] = dev[d].pose;
        in.device_valid[d] = device_used(&dev[d]);
        in.device_weight[d] = dev[d].weight;
        in.device_tracked[d] = device_tracked(&dev[d]);
    }
    kn_body_solve(&e->w.skeleton, &in, &e->w.body, NULL);
    return &e->w.body;
}

/* The tick's frame, faded in over the model's warm-up, to the readers. */
static void publish_body(kinest_engine *e, const float *local6d, const kn_body *body,
                         bool continuous)
{
    const kn_signal_tick *tick = &e->w.tick;
    kn_engine_frame frame;
    frame.time_ns = tick->time_ns;
    memcpy(frame.joints, body->joints, sizeof frame.joints);
    memcpy(frame.tracked, body->tracked, sizeof frame.tracked);
    frame.active = body->active && e->w.resume_hold == 0;
    if (e->w.resume_hold > 0)
        e->w.resume_hold--;
    float warm = 1.0f;
    if (e->backend && e->w.ticks_since_start + 1 < KN_ENGINE_WARMUP_TICKS)
        warm = (float)(e->w.ticks_since_start + 1) / (float)KN_ENGINE_WARMUP_TICKS;
    frame.confidence = body->confidence * warm;
    for (int s = 0; s < 2; s++) {
        frame.grip[s] = tick->device[KN_DEVICE_LEFT_GRIP + s].pose;
        frame.hand_on_grip[s] = body->hand_reached[s];
    }
    if (e->tap)
        e->tap(e->tap_user, tick, e->backend ? e->w.input : NULL, local6d, body);
    publish(e, &frame, continuous);
    e->w.ticks_since_start++;
}

static void process_tick(kinest_engine *e)
{
    /* Behind: the sample that completed this tick was pushed too long ago
     * (wall clock) and newer ones wait; running the model now would only
     * delay them. The newest sample's ticks always run, so bodies keep
     * coming (less often) however far behind the worker is. */
    bool skip =
        e->w.more_waiting && kn_engine_wall_ns() - e->w.wall_of_entry > KN_ENGINE_MAX_BACKLOG_NS;
    bool restarted = restart_if_due(e, skip);
    follow_teleport(e);
    calibrate(e);
    int64_t t0 = kn_engine_wall_ns();
    const float *local6d = predict(e, skip);
    if (!local6d) {
        if (!atomic_load(&e->failed))
            count_step(e, 0.0, true);
        return;
    }
    double step_ms = (double)(kn_engine_wall_ns() - t0) / 1e6;
    publish_body(e, local6d, solve_body(e, local6d), !restarted);
    count_step(e, step_ms, false);
}

/* One queued sample: into the signal, then every tick it completes. */
static void process_entry(kinest_engine *e, const kn_engine_entry *en)
{
    e->w.wall_of_entry = en->pushed_wall_ns;
    kn_signal_push(&e->w.signal, en->time_ns, en->device);
    while (!atomic_load_explicit(&e->failed, memory_order_relaxed) &&
           kn_signal_next_tick(&e->w.signal, &e->w.tick))
        process_tick(e);
}

/* A reset requested by the producer: drop the stream and the body. */
static void check_reset(kinest_engine *e)
{
    uint64_t epoch = atomic_load(&e->reset_epoch);
    if (epoch == e->w.epoch)
        return;
    e->w.epoch = epoch;
    restart_stream(e);
    publish_empty(e);
}

static void drain(kinest_engine *e)
{
    check_reset(e);
    uint64_t tail = atomic_load_explicit(&e->tail, memory_order_relaxed);
    for (;;) {
        uint64_t head = atomic_load_explicit(&e->head, memory_order_acquire);
        /* kinest_destroy waits for the running step only, not the queue. */
        if (tail == head || atomic_load_explicit(&e->quit, memory_order_relaxed))
            break;
        const kn_engine_entry *en = &e->queue[tail % KN_ENGINE_QUEUE];
        if (en->epoch != e->w.epoch)
            check_reset(e);
        /* Older than the newest reset: forgotten. */
        e->w.more_waiting = tail + 1 != atomic_load_explicit(&e->head, memory_order_acquire);
        if (en->epoch == e->w.epoch && !atomic_load_explicit(&e->failed, memory_order_relaxed))
            process_entry(e, en);
        tail++;
        atomic_store_explicit(&e->tail, tail, memory_order_release);
    }
}

void *kn_engine_worker_main(void *arg)
{
    kinest_engine *e = arg;
    for (;;) {
        while (sem_wait(&e->wake) != 0 && errno == EINTR) {
        }
        uint64_t requested = atomic_load(&e->flush_requested);
        drain(e);
        pthread_mutex_lock(&e->flush_lock);
        if (e->flush_served < requested) {
            e->flush_served = requested;
            pthread_cond_broadcast(&e->flush_cond);
        }
        pthread_mutex_unlock(&e->flush_lock);
        if (atomic_load(&e->quit))
            break;
    }
    return NULL;
}
