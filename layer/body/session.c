/* Sessions: the layer's spaces, the sampling of the three devices, the
 * clock, and the hooks that drive them (session.h).
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
#include "body/tracker.h"
#include "common/lifetime.h"
#include "common/log.h"
#include "framework/handle_map.h"
#include "framework/hooks.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static kn_handle_map g_sessions = KN_HANDLE_MAP_INIT;

#define IDENTITY_POSE ((XrPosef){{0, 0, 0, 1}, {0, 0, 0}})

int64_t kn_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

kn_session *kn_session_get(XrSession handle)
{
    return kn_handle_map_get(&g_sessions, (uint64_t)(uintptr_t)handle);
}

/* Sessions are freed with their instances (kn_body_free); at unload only the
 * map's own storage is left. */
__attribute__((destructor)) static void free_session_map_at_unload(void)
{
    kn_handle_map_clear(&g_sessions, NULL);
}

/* ---- setup */

static const char *space_name(XrReferenceSpaceType type)
{
    return type == XR_REFERENCE_SPACE_TYPE_STAGE ? "STAGE" : "LOCAL";
}

static XrSpace reference_space(kn_session *s, XrReferenceSpaceType type)
{
    XrReferenceSpaceCreateInfo info = {.type = XR_TYPE_REFERENCE_SPACE_CREATE_INFO,
                                       .referenceSpaceType = type,
                                       .poseInReferenceSpace = IDENTITY_POSE};
    XrSpace space = XR_NULL_HANDLE;
    XrResult r = s->inst->next.CreateReferenceSpace(s->handle, &info, &space);
    if (XR_FAILED(r)) {
        KN_LOG_W("cannot create a %s reference space (%d)",
                 type == XR_REFERENCE_SPACE_TYPE_VIEW ? "VIEW" : space_name(type), (int)r);
        return XR_NULL_HANDLE;
    }
    return space;
}

static bool stage_listed(kn_session *s)
{
    XrReferenceSpaceType types[32];
    uint32_t n = 0;
    if (XR_FAILED(s->inst->next.EnumerateReferenceSpaces(s->handle, 0, &n, NULL)) || n == 0)
        return false;
    if (n > 32)
        n = 32;
    if (XR_FAILED(s->inst->next.EnumerateReferenceSpaces(s->handle, n, &n, types)))
        return false;
    for (uint32_t i = 0; i < n && i < 32; i++)
        if (types[i] == XR_REFERENCE_SPACE_TYPE_STAGE)
            return true;
    return false;
}

/* VIEW for the head; STAGE as the base, LOCAL with an estimated floor where
 * there is no STAGE. */
static void create_spaces(kn_session *s)
{
    s->view = reference_space(s, XR_REFERENCE_SPACE_TYPE_VIEW);
    s->base_type = XR_REFERENCE_SPACE_TYPE_STAGE;
    if (stage_listed(s))
        s->base = reference_space(s, XR_REFERENCE_SPACE_TYPE_STAGE);
    if (!s->base) {
        s->base_type = XR_REFERENCE_SPACE_TYPE_LOCAL;
        s->base = reference_space(s, XR_REFERENCE_SPACE_TYPE_LOCAL);
        KN_LOG_I("no STAGE space: device poses are in LOCAL, with the floor estimated from the "
                 "head height");
    }
    kn_floor_init(&s->floor, s->base_type != XR_REFERENCE_SPACE_TYPE_STAGE,
                  s->inst->body->settings.height_m,
                  s->inst->body->settings.posture == KN_SETTING_POSTURE_SEATED);
}

static void read_info(kn_session *s, XrSystemId system)
{
    kn_record_info *info = &s->info;
    const kn_instance *inst = s->inst;
    XrInstanceProperties ip = {.type = XR_TYPE_INSTANCE_PROPERTIES};
    if (XR_SUCCEEDED(inst->next.GetInstanceProperties(inst->handle, &ip))) {
        snprintf(info->runtime_name, sizeof info->runtime_name, "%s", ip.runtimeName);
        info->runtime_version = ip.runtimeVersion;
    }
    /* Straight down, without the layer's property structs. */
    XrSystemProperties sp = {.type = XR_TYPE_SYSTEM_PROPERTIES};
    if (XR_SUCCEEDED(inst->next.GetSystemProperties(inst->handle, system, &sp))) {
        snprintf(info->system_name, sizeof info->system_name, "%s", sp.systemName);
        info->vendor_id = sp.vendorId;
    }
    snprintf(info->application, sizeof info->application, "%s", inst->body->application);
    snprintf(info->engine, sizeof info->engine, "%s", inst->body->engine);
    info->base_space = space_name(s->base_type);
    info->floor = s->floor;
}

static const char *attach_name(int attach)
{
    switch (attach) {
    case KN_ATTACH_MERGED:
        return "merged into the application's action sets";
    case KN_ATTACH_APP_ONLY:
        return "refused: the application's sets only, no grips";
    case KN_ATTACH_LAYER:
        return "the layer's own: the application never attached";
    case KN_ATTACH_FAILED:
        return "the layer's own attach failed: no grips";
    default:
        return "never attached: no grips";
    }
}

/* KINEST_RECORD: the recorder on a feed of its own (its own thread and
 * bounded ring, dropping with a count when the file falls behind), so that
 * a slow or stalled file never holds the engine's samples up. */
static void start_recording(kn_session *s)
{
    kn_body *body = s->inst->body;
    if (!body->settings.record[0])
        return;
    pthread_mutex_lock(&body->sessions_lock);
    unsigned index = body->recordings++;
    pthread_mutex_unlock(&body->sessions_lock);
    s->info.actions = attach_name(KN_ATTACH_NONE);
    s->recorder = kn_recorder_open(body->settings.record, index, &s->info);
    if (!s->recorder)
        return;
    kn_feed_consumer c = {.user = s->recorder, .consume = kn_recorder_consume};
    s->record_feed = kn_feed_create(KN_FEED_CAPACITY);
    if (!s->record_feed || !kn_feed_add_consumer(s->record_feed, &c) ||
        !kn_feed_start(s->record_feed)) {
        KN_LOG_W("%s: cannot start the recording thread; not recording", KN_ENV_RECORD);
        kn_feed_free(s->record_feed);
        s->record_feed = NULL;
        kn_recorder_close(s->recorder, &s->info, NULL);
        s->recorder = NULL;
    }
}

static void start_feed(kn_session *s)
{
    kn_feed_consumer engine = {.user = s->engine, .consume = kn_body_engine_consume};
    kn_feed_add_consumer(s->feed, &engine);
    if (!kn_feed_start(s->feed))
        KN_LOG_W("cannot start the session's sample thread: no bodies");
    start_recording(s);
}

static void session_free(kn_session *s)
{
    kn_feed_free(s->feed);
    kn_feed_free(s->record_feed);
    kn_body_engine_free(s->engine);
    pthread_mutex_destroy(&s->work);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static kn_session *session_new(kn_instance *inst, XrSession handle, XrSystemId system)
{
    kn_session *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    if (pthread_mutex_init(&s->lock, NULL) != 0) {
        free(s);
        return NULL;
    }
    if (pthread_mutex_init(&s->work, NULL) != 0) {
        pthread_mutex_destroy(&s->lock);
        free(s);
        return NULL;
    }
    s->handle = handle;
    s->inst = inst;
    s->state = XR_SESSION_STATE_UNKNOWN;
    s->feed = kn_feed_create(KN_FEED_CAPACITY);
    s->engine = kn_body_engine_new(&inst->body->settings);
    void *stale = NULL;
    if (!s->feed || !s->engine ||
        !kn_handle_map_put(&g_sessions, (uint64_t)(uintptr_t)handle, s, &stale)) {
        session_free(s);
        return NULL;
    }
    kn_body *body = inst->body;
    pthread_mutex_lock(&body->sessions_lock);
    s->next = body->sessions;
    body->sessions = s;
    pthread_mutex_unlock(&body->sessions_lock);

    /* Nothing below fails the application's session: the layer does without. */
    create_spaces(s);
    if (!kn_actions_ensure(inst))
        KN_LOG_W("no grip action set: controller poses are not sampled");
    read_info(s, system);
    start_feed(s);
    KN_LOG_I("session: head and grips sampled in %s", space_name(s->base_type));
    return s;
}

/* Out of the map and the instance's list: no hook finds it, nor its
 * trackers, any more; then the calls that may have found them return
 * (common/lifetime.h). False when another thread took it out first (it
 * frees it). */
static bool session_unlink(kn_session *s)
{
    if (kn_handle_map_remove(&g_sessions, (uint64_t)(uintptr_t)s->handle) != s)
        return false;
    kn_body *body = s->inst->body;
    pthread_mutex_lock(&body->sessions_lock);
    for (kn_session **p = &body->sessions; *p; p = &(*p)->next)
        if (*p == s) {
            *p = s->next;
            break;
        }
    pthread_mutex_unlock(&body->sessions_lock);
    kn_trackers_unmap(s);
    kn_lifetime_drain();
    return true;
}

/* Ends the recording. `ask`: the session still exists below, so the final
 * interaction profiles can be read; `destroy`: the layer's spaces are
 * destroyed too (they are not when the instance takes them along). */
/* A recording whose file stopped taking writes, closed by its own thread
 * whenever the write returns. */
typedef struct kn_late_recording {
    kn_recorder *recorder;
    kn_record_info info;
} kn_late_recording;

static void close_late_recording(void *user)
{
    kn_late_recording *late = user;
    kn_recorder_close(late->recorder, &late->info, NULL);
    free(late);
}

/* The recording ends with the session, which never waits long for it: a
 * file that takes no writes (a stalled network file system) is left to its
 * thread. Under s->work, the feed's producers stopped. */
static void stop_recording(kn_session *s)
{
    kn_feed_stats stats = {0};
    kn_late_recording *late = NULL;
    if (kn_feed_stop_within(s->record_feed, KN_RECORD_STOP_NS, &stats)) {
        if (stats.dropped)
            KN_LOG_W("%s: %llu samples dropped (the writer fell behind)", KN_ENV_RECORD,
                     (unsigned long long)stats.dropped);
        kn_recorder_close(s->recorder, &s->info, &stats);
    } else if ((late = malloc(sizeof *late))) {
        KN_LOG_W("%s: the file has taken no writes for %.0f s (a stalled file system?); the "
                 "session ends without waiting, the recording is closed when the write returns",
                 KN_ENV_RECORD, (double)KN_RECORD_STOP_NS / 1e9);
        *late = (kn_late_recording){.recorder = s->recorder, .info = s->info};
        kn_feed_abandon(s->record_feed, close_late_recording, late);
        s->record_feed = NULL;
    } else {
        kn_feed_stop(s->record_feed, NULL);
        kn_recorder_close(s->recorder, &s->info, NULL);
    }
    s->recorder = NULL;
}

static void session_close(kn_session *s, bool ask, bool destroy)
{
    /* A sample under way on another thread finishes first. */
    pthread_mutex_lock(&s->work);
    int attach = atomic_load(&s->attach);
    if (ask && (attach == KN_ATTACH_MERGED || attach == KN_ATTACH_LAYER))
        kn_actions_read_profiles(s);
    kn_feed_stop(s->feed, NULL);
    if (s->recorder) {
        pthread_mutex_lock(&s->lock);
        memcpy(s->info.profile_left, s->profile[0], sizeof s->info.profile_left);
        memcpy(s->info.profile_right, s->profile[1], sizeof s->info.profile_right);
        pthread_mutex_unlock(&s->lock);
        s->info.floor = s->floor;
        s->info.actions = attach_name(attach);
        stop_recording(s);
    }
    /* The trackers go with their session; the engine once nothing feeds it. */
    kn_trackers_release(s);
    kn_body_engine_free(s->engine);
    s->engine = NULL;
    if (destroy) {
        const kn_dispatch *d = &s->inst->next;
        XrSpace spaces[4] = {s->grip[0], s->grip[1], s->view, s->base};
        for (int i = 0; i < 4; i++)
            if (spaces[i])
                d->DestroySpace(spaces[i]);
    }
    pthread_mutex_unlock(&s->work);
}

void kn_body_release(kn_instance *inst)
{
    kn_body *body = inst->body;
    for (;;) {
        pthread_mutex_lock(&body->sessions_lock);
        kn_session *s = body->sessions;
        pthread_mutex_unlock(&body->sessions_lock);
        if (!s)
            break;
        if (!session_unlink(s))
            continue;
        /* The instance still exists, but its destruction takes the session
         * and its spaces along. */
        session_close(s, true, false);
        session_free(s);
    }
    kn_actions_destroy(inst);
}

void kn_body_free(kn_body *body)
{
    if (!body)
        return;
    while (body->sessions) {
        kn_session *s = body->sessions;
        body->sessions = s->next;
        kn_handle_map_remove(&g_sessions, (uint64_t)(uintptr_t)s->handle);
        session_close(s, false, false);
        session_free(s);
    }
    pthread_mutex_destroy(&body->sessions_lock);
    pthread_mutex_destroy(&body->actions_lock);
    free(body);
}

/* ---- sampling */

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
    if (++s->times_refused <= 5)
        KN_LOG_W("%s %lld (%+.3f s)%s", what, (long long)time, seconds,
                 s->times_refused == 5 ? "; further ones are not logged" : "");
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
    if (source == KN_TIME_REQUESTED && s->last_frame_time > 0 && time > s->last_frame_time &&
        time - s->last_frame_time > KN_TIME_AHEAD_NS) {
        time_refused(s, "xrLocateBodyJointsFB far past the frame loop's display time; no sample at",
                     time, (double)(time - s->last_frame_time) / 1e9);
        return false;
    }
    if (time > s->last_sampled)
        return true;
    if (s->last_sampled - time <= KN_TIME_BACK_NS)
        return false;
    KN_LOG_I("time went back (%+.3f s): sampling from %lld", (double)(time - s->last_sampled) / 1e9,
             (long long)time);
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
    spaces[KN_DEVICE_LEFT_GRIP] = s->grip[0];
    spaces[KN_DEVICE_RIGHT_GRIP] = s->grip[1];
    pthread_mutex_unlock(&s->lock);
    for (int d = 0; d < KN_CLIP_DEVICE_COUNT; d++)
        locate(s, spaces[d], time, &f.devices[d]);

    if (s->floor.estimated) {
        const kn_device_sample *head = &f.devices[KN_DEVICE_HEAD];
        if (head->flags & XR_SPACE_LOCATION_POSITION_VALID_BIT)
            kn_floor_update(&s->floor, head->pose.position[1]);
        f.flags |= KN_FRAME_FLOOR_ESTIMATED;
        f.floor_y = s->floor.floor_y;
        for (int d = 0; d < KN_CLIP_DEVICE_COUNT; d++)
            if (f.devices[d].flags & XR_SPACE_LOCATION_POSITION_VALID_BIT)
                f.devices[d].pose.position[1] -= f.floor_y;
    }
    s->last_sampled = time;
    if (source == KN_TIME_FRAME)
        s->last_frame_time = time;
    kn_feed_push(s->feed, &f);
    if (s->record_feed)
        kn_feed_push(s->record_feed, &f);
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
    if (s->inst->body->settings.sync)
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

XRAPI_ATTR XrResult XRAPI_CALL kn_xrCreateSession(XrInstance instance,
                                                  const XrSessionCreateInfo *createInfo,
                                                  XrSession *session)
{
    kn_instance *inst = kn_instance_get(instance);
    if (!inst || !inst->body)
        return XR_ERROR_HANDLE_INVALID;
    XrResult r = inst->next.CreateSession(instance, createInfo, session);
    if (XR_FAILED(r))
        return r;
    if (!session_new(inst, *session, createInfo->systemId)) {
        KN_LOG_E("xrCreateSession: out of memory for the layer's session state");
        inst->next.DestroySession(*session);
        *session = XR_NULL_HANDLE;
        return XR_ERROR_OUT_OF_MEMORY;
    }
    return r;
}

XRAPI_ATTR XrResult XRAPI_CALL kn_xrDestroySession(XrSession session)
{
    kn_session *s = kn_session_get(session);
    if (!s)
        return XR_ERROR_HANDLE_INVALID;
    const kn_dispatch *d = &s->inst->next;
    if (!session_unlink(s))
        return XR_ERROR_HANDLE_INVALID;
    session_close(s, true, true);
    session_free(s);
    return d->DestroySession(session);
}

XRAPI_ATTR XrResult XRAPI_CALL kn_xrBeginSession(XrSession session,
                                                 const XrSessionBeginInfo *beginInfo)
{
    kn_session *s = kn_session_get(session);
    if (!s)
        return XR_ERROR_HANDLE_INVALID;
    XrResult r = s->inst->next.BeginSession(session, beginInfo);
    if (XR_SUCCEEDED(r)) {
        pthread_mutex_lock(&s->lock);
        s->running = true;
        s->running_since_ns = kn_monotonic_ns();
        pthread_mutex_unlock(&s->lock);
    }
    return r;
}

XRAPI_ATTR XrResult XRAPI_CALL kn_xrEndSession(XrSession session)
{
    kn_session *s = kn_session_get(session);
    if (!s)
        return XR_ERROR_HANDLE_INVALID;
    XrResult r = s->inst->next.EndSession(session);
    if (XR_SUCCEEDED(r)) {
        pthread_mutex_lock(&s->lock);
        s->running = false;
        pthread_mutex_unlock(&s->lock);
    }
    return r;
}

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

/* What the layer learns from an event; true when the application must not
 * see it. */
static bool observe_event(kn_instance *inst, const XrEventDataBuffer *event)
{
    if (event->type == XR_TYPE_EVENT_DATA_SESSION_STATE_CHANGED) {
        XrEventDataSessionStateChanged e;
        memcpy(&e, event, sizeof e);
        kn_session *s = kn_session_get(e.session);
        if (s && s->inst == inst) {
            pthread_mutex_lock(&s->lock);
            s->state = e.state;
            if (e.time > s->last_known)
                s->last_known = e.time;
            pthread_mutex_unlock(&s->lock);
        }
    } else if (event->type == XR_TYPE_EVENT_DATA_INTERACTION_PROFILE_CHANGED) {
        XrEventDataInteractionProfileChanged e;
        memcpy(&e, event, sizeof e);
        kn_session *s = kn_session_get(e.session);
        if (s && s->inst == inst) {
            kn_actions_read_profiles(s);
            return kn_actions_hide_profile_event(s);
        }
    }
    return false;
}

XRAPI_ATTR XrResult XRAPI_CALL kn_xrPollEvent(XrInstance instance, XrEventDataBuffer *eventData)
{
    /* The observer looks sessions up while xrDestroySession may run on
     * another thread (the specification allows it). */
    KN_LIFETIME_HOLD();
    kn_instance *inst = kn_instance_get(instance);
    if (!inst || !inst->body)
        return XR_ERROR_HANDLE_INVALID;
    XrStructureType type = eventData ? eventData->type : XR_TYPE_UNKNOWN;
    const void *next = eventData ? eventData->next : NULL;
    XrResult r;
    for (;;) {
        r = inst->next.PollEvent(instance, eventData);
        if (r != XR_SUCCESS || !observe_event(inst, eventData))
            break;
        /* Kept from the application: the next one, in a fresh buffer. */
        eventData->type = type;
        eventData->next = next;
    }
    kn_body *body = inst->body;
    pthread_mutex_lock(&body->sessions_lock);
    for (kn_session *s = body->sessions; s; s = s->next)
        kn_session_frameless_tick(s);
    pthread_mutex_unlock(&body->sessions_lock);
    return r;
}
