/* A session's device sampling and the clock rules it follows
 * (session_sampling.h).
 *
 * When samples are taken:
 *   xrWaitFrame      at its predictedDisplayTime; when that is 0 (headless
 *                    runtimes), at "now".
 *   xrPollEvent, xrSyncActions, xrLocateViews
 *                    at "now", only for sessions without a frame loop: the
 *                    session runs and no xrWaitFrame came for
 *                    KN_FRAMELESS_NS; at most every KN_FRAMELESS_INTERVAL_NS.
 * "Now" is xrConvertTimespecTimeToTimeKHR(CLOCK_MONOTONIC) when the
 * extension is enabled below (the layer enables it where the runtime lists
 * it), else the newest time the application used (display times, event
 * times). A sample is only taken at a time newer than the last one. */
#include "body/session.h"
#include "common/log.h"
#include "framework/hooks.h"

#include <math.h>

#define ORIENTATION_BITS (XR_SPACE_LOCATION_ORIENTATION_VALID_BIT)
#define POSITION_BITS    (XR_SPACE_LOCATION_POSITION_VALID_BIT)
#define RAW_BITS                                                                                   \
    (XR_SPACE_LOCATION_ORIENTATION_VALID_BIT | XR_SPACE_LOCATION_POSITION_VALID_BIT |              \
     XR_SPACE_LOCATION_ORIENTATION_TRACKED_BIT | XR_SPACE_LOCATION_POSITION_TRACKED_BIT)

/* One device: the runtime's flags as they are; the parts that are not valid
 * (or not finite) hold the identity, as clip files want. */
static void locate(kn_session *s, XrSpace space, XrTime time, kn_device_sample *out)
{
    out->flags = 0;
    kn_pose_identity(&out->pose);
    if (!space || !s->base)
        return;
    XrSpaceLocation loc = {.type = XR_TYPE_SPACE_LOCATION};
    if (XR_FAILED(s->inst->next.LocateSpace(space, s->base, time, &loc)))
        return;
    uint32_t flags = (uint32_t)(loc.locationFlags & RAW_BITS);
    const XrQuaternionf *q = &loc.pose.orientation;
    const XrVector3f *p = &loc.pose.position;
    if ((flags & ORIENTATION_BITS) && isfinite(q->x) && isfinite(q->y) && isfinite(q->z) &&
        isfinite(q->w) && (q->x != 0 || q->y != 0 || q->z != 0 || q->w != 0)) {
        float in[4] = {q->x, q->y, q->z, q->w};
        kn_quat_sanitize(in, out->pose.orientation);
    } else {
        flags &= ~(uint32_t)(XR_SPACE_LOCATION_ORIENTATION_VALID_BIT |
                             XR_SPACE_LOCATION_ORIENTATION_TRACKED_BIT);
    }
    if ((flags & POSITION_BITS) && isfinite(p->x) && isfinite(p->y) && isfinite(p->z)) {
        out->pose.position[0] = p->x;
        out->pose.position[1] = p->y;
        out->pose.position[2] = p->z;
    } else {
        flags &= ~(uint32_t)(XR_SPACE_LOCATION_POSITION_VALID_BIT |
                             XR_SPACE_LOCATION_POSITION_TRACKED_BIT);
    }
    out->flags = flags;
}

/* Logs the first few of a session's unusable times only (a frame loop
 * repeats its mistakes every frame). Under s->work. */
static void time_refused(kn_session *s, const char *what, XrTime time, double seconds)
{
    if (++s->sampling.times_refused <= 5)
        KN_LOG_W("%s %lld (%+.3f s)%s", what, (long long)time, seconds,
                 s->sampling.times_refused == 5 ? "; further ones are not logged" : "");
}

/* Every time the layer samples at enters here, checked once (issue 14):
 * none beyond KINEST_MAX_TIME_NS (XR_INFINITE_DURATION is no time), no
 * locate far ahead of the frame loop (an application's clock bug), none
 * again that was sampled; one far before the newest is the clock set back
 * (or the newest times were ahead of it): sampling goes on from it, and the
 * engine restarts its stream there. Under s->work. */
static bool time_usable(kn_session *s, XrTime time, kn_time_source source)
{
    if (time <= 0 || time > KINEST_MAX_TIME_NS) {
        if (time != 0)
            time_refused(s, "not a time; no sample at", time, 0.0);
        return false;
    }
    if (source == KN_TIME_REQUESTED && s->sampling.last_frame_time > 0 &&
        time > s->sampling.last_frame_time &&
        time - s->sampling.last_frame_time > KN_TIME_AHEAD_NS) {
        time_refused(s, "xrLocateBodyJointsFB far past the frame loop's display time; no sample at",
                     time, (double)(time - s->sampling.last_frame_time) / 1e9);
        return false;
    }
    if (time > s->sampling.last_sampled)
        return true;
    if (s->sampling.last_sampled - time <= KN_TIME_BACK_NS)
        return false;
    KN_LOG_I("time went back (%+.3f s): sampling from %lld",
             (double)(time - s->sampling.last_sampled) / 1e9, (long long)time);
    return true;
}

/* Under s->work. */
static bool sample(kn_session *s, XrTime time, kn_time_source source, kn_device_frame *out)
{
    if (!time_usable(s, time, source))
        return false;
    kn_device_frame f = {.time = time, .sampled_ns = kn_monotonic_ns(), .source = source};
    XrSpace spaces[KN_CLIP_DEVICE_COUNT];
    spaces[KN_DEVICE_HEAD] = s->view;
    pthread_mutex_lock(&s->lock);
    spaces[KN_DEVICE_LEFT_GRIP] = s->actions.grip[0];
    spaces[KN_DEVICE_RIGHT_GRIP] = s->actions.grip[1];
    pthread_mutex_unlock(&s->lock);
    for (int d = 0; d < KN_CLIP_DEVICE_COUNT; d++)
        locate(s, spaces[d], time, &f.devices[d]);

    if (s->sampling.floor.estimated) {
        const kn_device_sample *head = &f.devices[KN_DEVICE_HEAD];
        if (head->flags & XR_SPACE_LOCATION_POSITION_VALID_BIT)
            kn_floor_update(&s->sampling.floor, head->pose.position[1]);
        f.flags |= KN_FRAME_FLOOR_ESTIMATED;
        f.floor_y = s->sampling.floor.floor_y;
        for (int d = 0; d < KN_CLIP_DEVICE_COUNT; d++)
            if (f.devices[d].flags & XR_SPACE_LOCATION_POSITION_VALID_BIT)
                f.devices[d].pose.position[1] -= f.floor_y;
    }
    s->sampling.last_sampled = time;
    if (source == KN_TIME_FRAME)
        s->sampling.last_frame_time = time;
    kn_feed_push(s->feed, &f);
    if (s->recording.feed)
        kn_feed_push(s->recording.feed, &f);
    if (out)
        *out = f;
    return true;
}

/* "Now" in the runtime's clock, or the newest time the application used. */
static XrTime now_time(kn_session *s, kn_time_source *source)
{
    const kn_instance *inst = s->inst;
    if (inst->next.ConvertTimespecTimeToTimeKHR) {
        struct timespec ts;
        XrTime t = 0;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        if (XR_SUCCEEDED(inst->next.ConvertTimespecTimeToTimeKHR(inst->handle, &ts, &t)) && t > 0) {
            *source = KN_TIME_NOW;
            return t;
        }
    }
    pthread_mutex_lock(&s->lock);
    XrTime t = s->last_known;
    pthread_mutex_unlock(&s->lock);
    *source = KN_TIME_LAST_KNOWN;
    return t;
}

static void note_time(kn_session *s, XrTime t)
{
    pthread_mutex_lock(&s->lock);
    if (t > s->last_known)
        s->last_known = t;
    pthread_mutex_unlock(&s->lock);
}

/* Lazy attach and solo sync when due, then a sample; time 0: "now". Only
 * tries the work lock. */
static void tick(kn_session *s, XrTime time, kn_time_source source)
{
    if (pthread_mutex_trylock(&s->work) != 0)
        return;
    int64_t now_ns = kn_monotonic_ns();
    kn_actions_tick(s, now_ns);
    if (time <= 0)
        time = now_time(s, &source);
    sample(s, time, source, NULL);
    pthread_mutex_unlock(&s->work);
}

/* From calls other than xrWaitFrame: only for a running session without a
 * frame loop. */
void kn_session_frameless_tick(kn_session *s)
{
    /* KINEST_SYNC (offline replays): only the application's own times. */
    if (s->inst->emulation->settings.sync)
        return;
    int64_t now_ns = kn_monotonic_ns();
    pthread_mutex_lock(&s->lock);
    int64_t since = s->last_wait_ns > s->running_since_ns ? s->last_wait_ns : s->running_since_ns;
    bool due = s->running && now_ns - since >= KN_FRAMELESS_NS &&
               now_ns - s->last_frameless_ns >= KN_FRAMELESS_INTERVAL_NS;
    if (due)
        s->last_frameless_ns = now_ns;
    pthread_mutex_unlock(&s->lock);
    if (due)
        tick(s, 0, KN_TIME_NOW);
}

bool kn_session_sample_at(kn_session *s, XrTime time, kn_time_source source, kn_device_frame *out)
{
    if (pthread_mutex_trylock(&s->work) != 0)
        return false;
    bool made = sample(s, time, source, out);
    pthread_mutex_unlock(&s->work);
    return made;
}

/* ---- hooks */

XRAPI_ATTR XrResult XRAPI_CALL kn_xrWaitFrame(XrSession session,
                                              const XrFrameWaitInfo *frameWaitInfo,
                                              XrFrameState *frameState)
{
    kn_session *s = kn_session_get(session);
    if (!s)
        return XR_ERROR_HANDLE_INVALID;
    XrResult r = s->inst->next.WaitFrame(session, frameWaitInfo, frameState);
    if (XR_FAILED(r) || !frameState)
        return r;
    XrTime t = frameState->predictedDisplayTime;
    pthread_mutex_lock(&s->lock);
    s->frames_waited++;
    s->last_wait_ns = kn_monotonic_ns();
    if (t > s->last_known)
        s->last_known = t;
    pthread_mutex_unlock(&s->lock);
    /* Headless runtimes predict no display time: sample at "now". */
    tick(s, t > 0 ? t : 0, KN_TIME_FRAME);
    return r;
}

XRAPI_ATTR XrResult XRAPI_CALL kn_xrLocateViews(XrSession session,
                                                const XrViewLocateInfo *viewLocateInfo,
                                                XrViewState *viewState, uint32_t viewCapacityInput,
                                                uint32_t *viewCountOutput, XrView *views)
{
    kn_session *s = kn_session_get(session);
    if (!s)
        return XR_ERROR_HANDLE_INVALID;
    XrResult r = s->inst->next.LocateViews(session, viewLocateInfo, viewState, viewCapacityInput,
                                           viewCountOutput, views);
    if (XR_SUCCEEDED(r) && viewLocateInfo) {
        note_time(s, viewLocateInfo->displayTime);
        kn_session_frameless_tick(s);
    }
    return r;
}

XRAPI_ATTR XrResult XRAPI_CALL kn_xrSyncActions(XrSession session,
                                                const XrActionsSyncInfo *syncInfo)
{
    kn_session *s = kn_session_get(session);
    if (!s)
        return XR_ERROR_HANDLE_INVALID;
    XrResult r = kn_actions_sync(s, syncInfo);
    kn_session_frameless_tick(s);
    return r;
}
