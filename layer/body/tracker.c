/* Body trackers (tracker.h): handles, joints in the application's space at
 * its time, the skeleton, fidelity and calibration. */
#include "body/tracker.h"
#include "body/engine.h"
#include "common/lifetime.h"
#include "common/log.h"
#include "framework/handle_map.h"
#include "xr/extensions.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static kn_handle_map g_trackers = KN_HANDLE_MAP_INIT;
/* Handles count up from here and are never reused. The high bytes ("kn")
 * make them easy to tell apart in a debugger, and no valid address. */
#define HANDLE_BASE UINT64_C(0x6b6e000000000000)
static atomic_uint_fast64_t g_minted;

__attribute__((destructor)) static void free_tracker_map_at_unload(void)
{
    kn_handle_map_clear(&g_trackers, NULL);
}

/* KINEST_SYNC: how long a locate waits for its sample to reach the engine. */
#define KN_SYNC_TIMEOUT_NS INT64_C(2000000000)

#define VALID_BITS (XR_SPACE_LOCATION_ORIENTATION_VALID_BIT | XR_SPACE_LOCATION_POSITION_VALID_BIT)
#define TRACKED_BITS                                                                               \
    (XR_SPACE_LOCATION_ORIENTATION_TRACKED_BIT | XR_SPACE_LOCATION_POSITION_TRACKED_BIT)

static uint64_t key_of(XrBodyTrackerFB handle)
{
    return (uint64_t)(uintptr_t)handle;
}

kn_tracker *kn_tracker_get(XrBodyTrackerFB handle)
{
    return handle ? kn_handle_map_get(&g_trackers, key_of(handle)) : NULL;
}

size_t kn_tracker_count(void)
{
    return kn_handle_map_count(&g_trackers);
}

/* ---- create, destroy */

/* Out of the session's list, under s->lock. */
static void unlink_tracker(kn_session *s, kn_tracker *t)
{
    for (kn_tracker **p = &s->trackers; *p; p = &(*p)->next)
        if (*p == t) {
            *p = t->next;
            s->tracker_count--;
            break;
        }
}

XrResult kn_tracker_create(kn_session *s, XrBodyJointSetFB set, XrBodyTrackerFB *out)
{
    kinest_joint_set kset = set == XR_BODY_JOINT_SET_FULL_BODY_META
                                ? KINEST_JOINT_SET_META_FULL_BODY
                                : KINEST_JOINT_SET_FB;
    return kn_tracker_create_set(s, KN_EXT_FB_BODY_TRACKING, kset, out);
}

static void tracker_free(kn_tracker *t)
{
    kn_generations_free(t->generations);
    free(t);
}

XrResult kn_tracker_create_set(kn_session *s, uint32_t ext, kinest_joint_set set,
                               XrBodyTrackerFB *out)
{
    XrResult r = kn_body_engine_ensure(s->engine);
    if (XR_FAILED(r))
        return r;
    kn_tracker *t = calloc(1, sizeof *t);
    if (!t)
        return XR_ERROR_OUT_OF_MEMORY;
    t->session = s;
    t->ext = ext;
    t->set = set;
    t->joint_count = kinest_joint_count(set);
    if (ext == KN_EXT_HTC_BODY_TRACKING && !(t->generations = kn_generations_new())) {
        free(t);
        return XR_ERROR_OUT_OF_MEMORY;
    }
    atomic_init(&t->fidelity, XR_BODY_TRACKING_FIDELITY_HIGH_META);
    t->handle = (XrBodyTrackerFB)(uintptr_t)(HANDLE_BASE + atomic_fetch_add(&g_minted, 1) + 1);

    pthread_mutex_lock(&s->lock);
    bool room = s->tracker_count < KN_TRACKERS_PER_SESSION;
    if (room) {
        t->next = s->trackers;
        s->trackers = t;
        s->tracker_count++;
    }
    pthread_mutex_unlock(&s->lock);
    if (!room) {
        tracker_free(t);
        return XR_ERROR_LIMIT_REACHED;
    }
    void *stale = NULL;
    if (!kn_handle_map_put(&g_trackers, key_of(t->handle), t, &stale)) {
        pthread_mutex_lock(&s->lock);
        unlink_tracker(s, t);
        pthread_mutex_unlock(&s->lock);
        free(t);
        return XR_ERROR_OUT_OF_MEMORY;
    }
    KN_LOG_D("body tracker %p: %u joints", (void *)t->handle, t->joint_count);
    *out = t->handle;
    return XR_SUCCESS;
}

bool kn_tracker_destroy(kn_tracker *t)
{
    /* Whoever takes it out of the map frees it, once the calls that may
     * have found it have returned. */
    if (kn_handle_map_remove(&g_trackers, key_of(t->handle)) != t)
        return false;
    kn_lifetime_drain();
    kn_session *s = t->session;
    pthread_mutex_lock(&s->lock);
    unlink_tracker(s, t);
    pthread_mutex_unlock(&s->lock);
    tracker_free(t);
    return true;
}

void kn_trackers_unmap(kn_session *s)
{
    pthread_mutex_lock(&s->lock);
    for (kn_tracker *t = s->trackers; t; t = t->next)
        kn_handle_map_remove(&g_trackers, key_of(t->handle));
    pthread_mutex_unlock(&s->lock);
}

void kn_trackers_release(kn_session *s)
{
    kn_trackers_unmap(s);
    pthread_mutex_lock(&s->lock);
    kn_tracker *list = s->trackers;
    s->trackers = NULL;
    s->tracker_count = 0;
    pthread_mutex_unlock(&s->lock);
    while (list) {
        kn_tracker *t = list;
        list = t->next;
        tracker_free(t);
    }
}

/* ---- locate */

/* Where the application's base space is in the layer's base space at
 * `time`: XR_SUCCESS with *related false when the runtime cannot tell. */
static XrResult relate(kn_session *s, XrSpace app_base, XrTime time, bool *related, bool *tracked,
                       kn_pose *app_in_base)
{
    *related = false;
    *tracked = false;
    if (!s->base)
        return XR_SUCCESS;
    XrSpaceLocation loc = {.type = XR_TYPE_SPACE_LOCATION};
    XrResult r = s->inst->next.LocateSpace(app_base, s->base, time, &loc);
    if (XR_FAILED(r))
        return r;
    const XrPosef *p = &loc.pose;
    float q[4] = {p->orientation.x, p->orientation.y, p->orientation.z, p->orientation.w};
    if ((loc.locationFlags & VALID_BITS) != VALID_BITS ||
        kn_quat_sanitize(q, app_in_base->orientation) == KN_QUAT_REPLACED ||
        !isfinite(p->position.x) || !isfinite(p->position.y) || !isfinite(p->position.z))
        return XR_SUCCESS;
    app_in_base->position[0] = p->position.x;
    app_in_base->position[1] = p->position.y;
    app_in_base->position[2] = p->position.z;
    *related = true;
    *tracked = (loc.locationFlags & TRACKED_BITS) == TRACKED_BITS;
    return XR_SUCCESS;
}

/* The chained status structs of the extensions the application enabled;
 * others (and unknown ones) are left alone. */
static void fill_chain(kn_tracker *t, XrBodyJointLocationsFB *out, kinest_calibration_state cal)
{
    kn_session *s = t->session;
    uint32_t enabled = s->inst->enabled;
    for (XrBaseOutStructure *n = out->next; n; n = n->next) {
        if (n->type == XR_TYPE_BODY_TRACKING_CALIBRATION_STATUS_META &&
            (enabled & KN_EXT_META_CALIBRATION)) {
            XrBodyTrackingCalibrationStatusMETA *c = (XrBodyTrackingCalibrationStatusMETA *)n;
            c->status = cal == KINEST_CALIBRATION_VALID
                            ? XR_BODY_TRACKING_CALIBRATION_STATE_VALID_META
                        : cal == KINEST_CALIBRATION_CALIBRATING
                            ? XR_BODY_TRACKING_CALIBRATION_STATE_CALIBRATING_META
                            : XR_BODY_TRACKING_CALIBRATION_STATE_INVALID_META;
        } else if (n->type == XR_TYPE_BODY_TRACKING_FIDELITY_STATUS_META &&
                   (enabled & KN_EXT_META_FIDELITY)) {
            /* What runs, whatever was requested: the model is the high
             * fidelity, the analytic IK the low one. */
            XrBodyTrackingFidelityStatusMETA *f = (XrBodyTrackingFidelityStatusMETA *)n;
            f->fidelity = kn_body_engine_backend(s->engine) == KINEST_BACKEND_IK
                              ? XR_BODY_TRACKING_FIDELITY_LOW_META
                              : XR_BODY_TRACKING_FIDELITY_HIGH_META;
        }
    }
}

static void inactive(XrBodyJointLocationsFB *out)
{
    out->isActive = XR_FALSE;
    out->confidence = 0.0f;
    for (uint32_t j = 0; j < out->jointCount; j++)
        out->jointLocations[j] = (XrBodyJointLocationFB){0, {{0, 0, 0, 1}, {0, 0, 0}}};
}

/* The engine's floor-anchored space sits floor_y below the layer's base
 * space (LOCAL with an estimated floor; 0 for STAGE). */
static float floor_of(kn_session *s)
{
    kn_device_frame f;
    if (kn_feed_latest(s->feed, &f) && (f.flags & KN_FRAME_FLOOR_ESTIMATED))
        return f.floor_y;
    return 0.0f;
}

XrResult kn_tracker_locate(kn_tracker *t, const XrBodyJointsLocateInfoFB *info,
                           XrBodyJointLocationsFB *out)
{
    kn_session *s = t->session;
    bool related, tracked;
    kn_pose app_in_base;
    XrResult r = relate(s, info->baseSpace, info->time, &related, &tracked, &app_in_base);
    if (XR_FAILED(r))
        return r;
    /* An application without a frame loop makes no other samples: the
     * devices at the time it asks for (a time already sampled is not again). */
    kn_session_sample_at(s, info->time, KN_TIME_REQUESTED, NULL);
    if (s->inst->emulation->settings.sync)
        kn_body_engine_sync(s->engine, info->time, KN_SYNC_TIMEOUT_NS);

    /* No engine yet (it is being made): no body, no error. */
    kinest_engine *engine = kn_body_engine_get(s->engine);
    kinest_joint_location joints[KN_TRACKER_MAX_JOINTS];
    kinest_body_info body = {.calibration = KINEST_CALIBRATION_INVALID};
    kinest_status st =
        engine ? kinest_get_body(engine, t->set, info->time, t->joint_count, joints, &body)
               : KINEST_SUCCESS;
    if (st == KINEST_ERROR_TIME_INVALID)
        return XR_ERROR_TIME_INVALID;
    if (st != KINEST_SUCCESS) {
        if (!atomic_exchange(&s->engine_failed, true))
            KN_LOG_E("the body-tracking engine failed (%s): no bodies for this session any more",
                     kinest_status_string(st));
        body.active = false;
        kinest_get_calibration(engine, &body.calibration, NULL);
    }
    out->time = info->time;
    out->skeletonChangedCount = body.skeleton_changed_count;
    fill_chain(t, out, body.calibration);
    if (!body.active || !related) {
        inactive(out);
        return XR_SUCCESS;
    }
    out->isActive = XR_TRUE;
    out->confidence = isfinite(body.confidence) ? fminf(fmaxf(body.confidence, 0.0f), 1.0f) : 0.0f;

    kn_pose base_in_app;
    kn_pose_inverse(&app_in_base, &base_in_app);
    float floor_y = floor_of(s);
    for (uint32_t j = 0; j < t->joint_count; j++) {
        kn_pose in_base, in_app;
        memcpy(in_base.orientation, joints[j].pose.orientation, sizeof in_base.orientation);
        memcpy(in_base.position, joints[j].pose.position, sizeof in_base.position);
        in_base.position[1] += floor_y;
        kn_pose_compose(&base_in_app, &in_base, &in_app);
        XrBodyJointLocationFB *o = &out->jointLocations[j];
        /* Active: every joint valid (the extension's rule); tracked where
         * the engine says so and the application's space is tracked too. */
        o->locationFlags = VALID_BITS | (tracked ? (joints[j].flags & TRACKED_BITS) : 0);
        o->pose.orientation = (XrQuaternionf){in_app.orientation[0], in_app.orientation[1],
                                              in_app.orientation[2], in_app.orientation[3]};
        o->pose.position = (XrVector3f){in_app.position[0], in_app.position[1], in_app.position[2]};
    }
    return XR_SUCCESS;
}

/* ---- skeleton, fidelity, calibration */

XrResult kn_tracker_skeleton(kn_tracker *t, XrBodySkeletonFB *out)
{
    kinest_engine *engine = kn_body_engine_wait(t->session->engine);
    kinest_skeleton_joint joints[KN_TRACKER_MAX_JOINTS];
    kinest_status st = kinest_get_skeleton(engine, t->set, t->joint_count, joints, NULL);
    if (st != KINEST_SUCCESS) {
        KN_LOG_E("xrGetBodySkeletonFB: the engine gave no skeleton (%s)", kinest_status_string(st));
        return XR_ERROR_RUNTIME_FAILURE;
    }
    /* The root's parent: -1 in the FB set, XR_FULL_BODY_JOINT_NONE_META (85)
     * in the full-body set. */
    int32_t none = t->set == KINEST_JOINT_SET_META_FULL_BODY ? (int32_t)XR_FULL_BODY_JOINT_NONE_META
                                                             : (int32_t)XR_BODY_JOINT_NONE_FB;
    for (uint32_t j = 0; j < t->joint_count; j++) {
        const kinest_skeleton_joint *k = &joints[j];
        XrBodySkeletonJointFB *o = &out->joints[j];
        o->joint = (int32_t)j;
        o->parentJoint = k->parent < 0 || (uint32_t)k->parent >= t->joint_count ? none : k->parent;
        o->pose.orientation = (XrQuaternionf){k->pose.orientation[0], k->pose.orientation[1],
                                              k->pose.orientation[2], k->pose.orientation[3]};
        o->pose.position =
            (XrVector3f){k->pose.position[0], k->pose.position[1], k->pose.position[2]};
    }
    return XR_SUCCESS;
}

XrResult kn_tracker_request_fidelity(kn_tracker *t, XrBodyTrackingFidelityMETA fidelity)
{
    /* Kept, not honoured: the session runs one engine for all its trackers
     * (the fidelity status says which). Success either way (the extension's
     * rule for a valid request). */
    atomic_store(&t->fidelity, (int)fidelity);
    KN_LOG_D("body tracker %p: fidelity %s requested", (void *)t->handle,
             fidelity == XR_BODY_TRACKING_FIDELITY_LOW_META ? "low" : "high");
    return XR_SUCCESS;
}

static XrResult from_engine(kinest_status st, const char *what)
{
    switch (st) {
    case KINEST_SUCCESS:
        return XR_SUCCESS;
    case KINEST_ERROR_INVALID_ARGUMENT:
    case KINEST_ERROR_NON_FINITE:
        return XR_ERROR_VALIDATION_FAILURE;
    case KINEST_ERROR_OUT_OF_MEMORY:
        return XR_ERROR_OUT_OF_MEMORY;
    default:
        KN_LOG_E("%s: the engine failed (%s)", what, kinest_status_string(st));
        return XR_ERROR_RUNTIME_FAILURE;
    }
}

XrResult kn_tracker_suggest_height(kn_tracker *t, float height_m)
{
    KN_LOG_I("body height override: %.3f m", (double)height_m);
    return from_engine(kn_body_engine_set_height(t->session->engine, height_m),
                       "xrSuggestBodyTrackingCalibrationOverrideMETA");
}

XrResult kn_tracker_reset_height(kn_tracker *t)
{
    KN_LOG_I("body height override removed: calibrating automatically");
    return from_engine(kn_body_engine_reset_height(t->session->engine),
                       "xrResetBodyTrackingCalibrationMETA");
}
