/* Sessions: their creation and end with the layer's spaces, the instance's
 * list, and the session hooks (session.h). The handle map and the clock are
 * session_registry.c; the sampling, the recording and the events are
 * session_sampling.c, session_recording.c and session_events.c. */
#include "body/session.h"
#include "body/tracker.h"
#include "common/lifetime.h"
#include "common/log.h"
#include "framework/hooks.h"

#include <stdlib.h>
#include <string.h>

#define IDENTITY_POSE ((XrPosef){{0, 0, 0, 1}, {0, 0, 0}})

/* ---- setup */

const char *kn_space_name(XrReferenceSpaceType type)
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
                 type == XR_REFERENCE_SPACE_TYPE_VIEW ? "VIEW" : kn_space_name(type), (int)r);
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
    kn_floor_init(&s->sampling.floor, s->base_type != XR_REFERENCE_SPACE_TYPE_STAGE,
                  s->inst->emulation->settings.height_m,
                  s->inst->emulation->settings.posture == KN_SETTING_POSTURE_SEATED);
}

static void start_feed(kn_session *s)
{
    kn_feed_consumer engine = {.user = s->engine, .consume = kn_body_engine_consume};
    kn_feed_add_consumer(s->feed, &engine);
    if (!kn_feed_start(s->feed))
        KN_LOG_W("cannot start the session's sample thread: no bodies");
    kn_session_record_start(s);
}

static void session_free(kn_session *s)
{
    kn_feed_free(s->feed);
    kn_feed_free(s->recording.feed);
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
    s->engine = kn_body_engine_new(&inst->emulation->settings);
    if (!s->feed || !s->engine || !kn_session_register(s)) {
        session_free(s);
        return NULL;
    }
    kn_emulation *emu = inst->emulation;
    pthread_mutex_lock(&emu->sessions_lock);
    s->next = emu->sessions;
    emu->sessions = s;
    pthread_mutex_unlock(&emu->sessions_lock);

    /* Nothing below fails the application's session: the layer does without. */
    create_spaces(s);
    if (!kn_actions_ensure(inst))
        KN_LOG_W("no grip action set: controller poses are not sampled");
    kn_session_record_describe(s, system);
    start_feed(s);
    KN_LOG_I("session: head and grips sampled in %s", kn_space_name(s->base_type));
    return s;
}

/* Out of the map and the instance's list: no hook finds it, nor its
 * trackers, any more; then the calls that may have found them return
 * (common/lifetime.h). False when another thread took it out first (it
 * frees it). */
static bool session_unlink(kn_session *s)
{
    if (!kn_session_unregister(s))
        return false;
    kn_emulation *emu = s->inst->emulation;
    pthread_mutex_lock(&emu->sessions_lock);
    for (kn_session **p = &emu->sessions; *p; p = &(*p)->next)
        if (*p == s) {
            *p = s->next;
            break;
        }
    pthread_mutex_unlock(&emu->sessions_lock);
    kn_trackers_unmap(s);
    kn_lifetime_drain();
    return true;
}

/* `ask`: the session still exists below, so the final interaction profiles
 * can be read; `destroy`: the layer's spaces are destroyed too (they are
 * not when the instance takes them along). */
static void session_close(kn_session *s, bool ask, bool destroy)
{
    /* A sample under way on another thread finishes first. */
    pthread_mutex_lock(&s->work);
    int attach = atomic_load(&s->actions.attach);
    if (ask && (attach == KN_ATTACH_MERGED || attach == KN_ATTACH_LAYER))
        kn_actions_read_profiles(s);
    kn_feed_stop(s->feed, NULL);
    kn_session_record_stop(s, attach);
    /* The trackers go with their session; the engine once nothing feeds it. */
    kn_trackers_release(s);
    kn_body_engine_free(s->engine);
    s->engine = NULL;
    if (destroy) {
        const kn_dispatch *d = &s->inst->next;
        XrSpace spaces[4] = {s->actions.grip[0], s->actions.grip[1], s->view, s->base};
        for (int i = 0; i < 4; i++)
            if (spaces[i])
                d->DestroySpace(spaces[i]);
    }
    pthread_mutex_unlock(&s->work);
}

void kn_emulation_release(kn_instance *inst)
{
    kn_emulation *emu = inst->emulation;
    for (;;) {
        pthread_mutex_lock(&emu->sessions_lock);
        kn_session *s = emu->sessions;
        pthread_mutex_unlock(&emu->sessions_lock);
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

void kn_emulation_free(kn_emulation *emu)
{
    if (!emu)
        return;
    while (emu->sessions) {
        kn_session *s = emu->sessions;
        emu->sessions = s->next;
        kn_session_unregister(s);
        session_close(s, false, false);
        session_free(s);
    }
    pthread_mutex_destroy(&emu->sessions_lock);
    pthread_mutex_destroy(&emu->actions_lock);
    free(emu);
}

/* ---- hooks */

XRAPI_ATTR XrResult XRAPI_CALL kn_xrCreateSession(XrInstance instance,
                                                  const XrSessionCreateInfo *createInfo,
                                                  XrSession *session)
{
    kn_instance *inst = kn_instance_get(instance);
    if (!inst || !inst->emulation)
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
