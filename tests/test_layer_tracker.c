/* The body-tracking functions of the layer against a fake runtime and a fake
 * engine (support/fake_engine.h), without the loader: every validity rule of
 * the seven functions (reference/openxr-body-tracking.md, sections 1-2),
 * the handles (minted by the layer, invalid after destruction, freed with
 * their session and instance), the engine's lifetime (made with the first
 * tracker from the settings, asked once, fed by the session's
 * samples, destroyed with the session), and the joints: in the
 * application's base space at its time, with the flags, confidence,
 * skeletonChangedCount and chained status structs the extensions define. */
#include "body/session.h"
#include "body/tracker.h"
#include "support/fake_engine.h"
#include "support/fake_runtime.h"
#include "xr/extensions.h"
#include "xr/xr_body_tracking.h"
#include "xr/xr_loader_interfaces.h"

#include <check.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_OBJECTS 512
#define T0          INT64_C(1000000000)

/* ---- the fake runtime: spaces with poses in one world frame (STAGE) */

typedef struct fake_space {
    bool used;
    atomic_bool destroyed;
    XrReferenceSpaceType ref; /* 0: an action space */
    kn_pose offset;           /* poseInReferenceSpace */
} fake_space;

static struct {
    fake_space spaces[MAX_OBJECTS]; /* handle = 0x1000 + index */
    /* Atomic: the thread tests create sessions while others locate and poll. */
    atomic_int space_count;
    atomic_int sessions, live_sessions;
    atomic_uintptr_t event_session; /* xrPollEvent reports its state changes */
    float head_y, local_y;
    XrSpaceLocationFlags head_flags, app_space_flags;
} fake;

static fake_space *get_space(XrSpace h)
{
    uint64_t i = (uint64_t)(uintptr_t)h - 0x1000;
    if (i >= (uint64_t)atomic_load(&fake.space_count) || atomic_load(&fake.spaces[i].destroyed))
        return NULL;
    return &fake.spaces[i];
}

static void world_pose(const fake_space *s, kn_pose *out)
{
    kn_pose origin;
    kn_pose_identity(&origin);
    if (s->ref == XR_REFERENCE_SPACE_TYPE_VIEW)
        origin.position[1] = fake.head_y;
    else if (s->ref == XR_REFERENCE_SPACE_TYPE_LOCAL)
        origin.position[1] = fake.local_y;
    else if (s->ref == 0)
        origin.position[1] = fake.head_y - 0.6f; /* grips */
    kn_pose_compose(&origin, &s->offset, out);
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_poll(XrInstance instance, XrEventDataBuffer *e)
{
    (void)instance;
    uintptr_t session = atomic_load(&fake.event_session);
    if (!session)
        return XR_EVENT_UNAVAILABLE;
    XrEventDataSessionStateChanged changed = {.type = XR_TYPE_EVENT_DATA_SESSION_STATE_CHANGED,
                                              .session = (XrSession)session,
                                              .state = XR_SESSION_STATE_FOCUSED,
                                              .time = T0};
    memcpy(e, &changed, sizeof changed);
    return XR_SUCCESS;
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_create_session(XrInstance instance,
                                                          const XrSessionCreateInfo *info,
                                                          XrSession *session)
{
    (void)instance, (void)info;
    *session = (XrSession)(uintptr_t)(0x5e55 + atomic_fetch_add(&fake.sessions, 1));
    atomic_fetch_add(&fake.live_sessions, 1);
    return XR_SUCCESS;
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_destroy_session(XrSession session)
{
    (void)session;
    atomic_fetch_sub(&fake.live_sessions, 1);
    return XR_SUCCESS;
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_session_call(XrSession session)
{
    (void)session;
    return XR_SUCCESS;
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_begin(XrSession session, const XrSessionBeginInfo *info)
{
    (void)session, (void)info;
    return XR_SUCCESS;
}

static XrSpace new_space(XrReferenceSpaceType ref, const XrPosef *p)
{
    /* Spaces are made on several threads at once in the thread test (the
     * layer's own, lazily, beside the application's): each takes its slot;
     * nobody looks a slot up before its handle is returned. */
    int i = atomic_fetch_add(&fake.space_count, 1);
    ck_assert_int_lt(i, MAX_OBJECTS);
    fake_space *s = &fake.spaces[i];
    atomic_store(&s->destroyed, false);
    s->used = true;
    s->ref = ref;
    s->offset = (kn_pose){{p->orientation.x, p->orientation.y, p->orientation.z, p->orientation.w},
                          {p->position.x, p->position.y, p->position.z}};
    return (XrSpace)(uintptr_t)(0x1000 + i);
}

static XRAPI_ATTR XrResult XRAPI_CALL
fake_create_reference_space(XrSession session, const XrReferenceSpaceCreateInfo *info, XrSpace *out)
{
    (void)session;
    if (fake_runtime.no_stage && info->referenceSpaceType == XR_REFERENCE_SPACE_TYPE_STAGE)
        return XR_ERROR_REFERENCE_SPACE_UNSUPPORTED;
    *out = new_space(info->referenceSpaceType, &info->poseInReferenceSpace);
    return XR_SUCCESS;
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_create_action_space(XrSession session,
                                                               const XrActionSpaceCreateInfo *info,
                                                               XrSpace *out)
{
    (void)session;
    *out = new_space((XrReferenceSpaceType)0, &info->poseInActionSpace);
    return XR_SUCCESS;
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_locate(XrSpace space_h, XrSpace base_h, XrTime time,
                                                  XrSpaceLocation *loc)
{
    fake_space *s = get_space(space_h), *b = get_space(base_h);
    if (!s || !b)
        return XR_ERROR_HANDLE_INVALID;
    if (time <= 0)
        return XR_ERROR_TIME_INVALID;
    kn_pose ws, wb, inv, rel;
    world_pose(s, &ws);
    world_pose(b, &wb);
    kn_pose_inverse(&wb, &inv);
    kn_pose_compose(&inv, &ws, &rel);
    loc->pose =
        (XrPosef){{rel.orientation[0], rel.orientation[1], rel.orientation[2], rel.orientation[3]},
                  {rel.position[0], rel.position[1], rel.position[2]}};
    if (s->ref == XR_REFERENCE_SPACE_TYPE_VIEW)
        loc->locationFlags = fake.head_flags;
    else if (s->ref == 0)
        loc->locationFlags = 0; /* grips never active here */
    else
        loc->locationFlags = fake.app_space_flags;
    return XR_SUCCESS;
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_destroy_space(XrSpace h)
{
    fake_space *s = get_space(h);
    ck_assert_ptr_nonnull(s);
    atomic_store(&s->destroyed, true);
    return XR_SUCCESS;
}

static uint64_t g_handles = 0x9000;

static XRAPI_ATTR XrResult XRAPI_CALL fake_create_set(XrInstance instance,
                                                      const XrActionSetCreateInfo *info,
                                                      XrActionSet *set)
{
    (void)instance, (void)info;
    *set = (XrActionSet)(uintptr_t)g_handles++;
    return XR_SUCCESS;
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_destroy_set(XrActionSet set)
{
    (void)set;
    return XR_SUCCESS;
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_create_action(XrActionSet set,
                                                         const XrActionCreateInfo *info,
                                                         XrAction *action)
{
    (void)set, (void)info;
    *action = (XrAction)(uintptr_t)g_handles++;
    return XR_SUCCESS;
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_suggest(XrInstance instance,
                                                   const XrInteractionProfileSuggestedBinding *s)
{
    (void)instance, (void)s;
    return XR_SUCCESS;
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_attach(XrSession session,
                                                  const XrSessionActionSetsAttachInfo *info)
{
    (void)session, (void)info;
    return XR_SUCCESS;
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_current_profile(XrSession session, XrPath user,
                                                           XrInteractionProfileState *state)
{
    (void)session, (void)user, (void)state;
    return XR_ERROR_ACTIONSET_NOT_ATTACHED;
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_sync(XrSession session, const XrActionsSyncInfo *info)
{
    (void)session, (void)info;
    return XR_SUCCESS;
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_gipa(XrInstance instance, const char *name,
                                                PFN_xrVoidFunction *function)
{
#define F FAKE_RUNTIME_FN
    static const fake_runtime_fn table[] = {
        F(GetInstanceProcAddr, fake_gipa),
        F(PollEvent, fake_poll),
        F(CreateSession, fake_create_session),
        F(DestroySession, fake_destroy_session),
        F(BeginSession, fake_begin),
        F(EndSession, fake_session_call),
        F(CreateReferenceSpace, fake_create_reference_space),
        F(CreateActionSpace, fake_create_action_space),
        F(LocateSpace, fake_locate),
        F(DestroySpace, fake_destroy_space),
        F(CreateActionSet, fake_create_set),
        F(DestroyActionSet, fake_destroy_set),
        F(CreateAction, fake_create_action),
        F(SuggestInteractionProfileBindings, fake_suggest),
        F(AttachSessionActionSets, fake_attach),
        F(GetCurrentInteractionProfile, fake_current_profile),
        F(SyncActions, fake_sync),
    };
#undef F
    return fake_runtime_lookup(table, sizeof table / sizeof table[0], instance, name, function);
}

/* ---- the layer, as the loader sees it */

static PFN_xrGetInstanceProcAddr gipa;

#define ALL_FOUR                                                                                   \
    XR_FB_BODY_TRACKING_EXTENSION_NAME, XR_META_BODY_TRACKING_FULL_BODY_EXTENSION_NAME,            \
        XR_META_BODY_TRACKING_FIDELITY_EXTENSION_NAME,                                             \
        XR_META_BODY_TRACKING_CALIBRATION_EXTENSION_NAME

static void create_instance(const char *const *names, uint32_t count)
{
    gipa = fake_runtime_create_instance(fake_gipa, names, count);
}

static void create_all_four(void)
{
    static const char *const all[] = {ALL_FOUR};
    create_instance(all, 4);
}

static void reset(void)
{
    memset(&fake, 0, sizeof fake);
    fake.head_flags = 0xF;
    fake.app_space_flags = 0xF;
    fake.head_y = 1.6f;
    fake_runtime_reset(T0);
    fake_engine_reset();
}

static XrSession start_session(void)
{
    XrSessionCreateInfo info = {.type = XR_TYPE_SESSION_CREATE_INFO, .systemId = FAKE_SYSTEM};
    XrSession session;
    ck_assert_int_eq(APP(CreateSession)(FAKE_INSTANCE, &info, &session), XR_SUCCESS);
    XrSessionBeginInfo begin = {.type = XR_TYPE_SESSION_BEGIN_INFO};
    ck_assert_int_eq(APP(BeginSession)(session, &begin), XR_SUCCESS);
    return session;
}

static XrSpace app_space(XrSession session, XrReferenceSpaceType type, XrPosef pose)
{
    XrReferenceSpaceCreateInfo info = {.type = XR_TYPE_REFERENCE_SPACE_CREATE_INFO,
                                       .referenceSpaceType = type,
                                       .poseInReferenceSpace = pose};
    XrSpace space;
    ck_assert_int_eq(APP(CreateReferenceSpace)(session, &info, &space), XR_SUCCESS);
    return space;
}

#define IDENTITY ((XrPosef){{0, 0, 0, 1}, {0, 0, 0}})

static XrBodyTrackerFB tracker(XrSession session, XrBodyJointSetFB set)
{
    XrBodyTrackerCreateInfoFB info = {.type = XR_TYPE_BODY_TRACKER_CREATE_INFO_FB,
                                      .bodyJointSet = set};
    XrBodyTrackerFB t = XR_NULL_HANDLE;
    ck_assert_int_eq(APP(CreateBodyTrackerFB)(session, &info, &t), XR_SUCCESS);
    ck_assert_ptr_nonnull(t);
    /* The engine is made on a thread of its own: ready from here. */
    kn_body_engine_wait(kn_session_get(session)->engine);
    return t;
}

/* A fresh instance with all four extensions, a running session, its STAGE
 * space and a tracker of the default set. */
static XrSession session_with_tracker(XrSpace *stage, XrBodyTrackerFB *t)
{
    reset();
    create_all_four();
    XrSession session = start_session();
    *stage = app_space(session, XR_REFERENCE_SPACE_TYPE_STAGE, IDENTITY);
    *t = tracker(session, XR_BODY_JOINT_SET_DEFAULT_FB);
    return session;
}

static void finish(XrSession session)
{
    ck_assert_int_eq(APP(DestroySession)(session), XR_SUCCESS);
    ck_assert_int_eq(APP(DestroyInstance)(FAKE_INSTANCE), XR_SUCCESS);
    ck_assert_uint_eq(kn_tracker_count(), 0);
    ck_assert_int_eq(fake_engine.live, 0);
}

/* The fake engine's joint j (support/fake_engine.h). */
static void expected_joint(uint32_t j, kn_pose *out)
{
    kinest_pose p;
    fake_engine_joint(j, &p);
    memcpy(out->orientation, p.orientation, sizeof p.orientation);
    memcpy(out->position, p.position, sizeof p.position);
}

#define VALID   (XR_SPACE_LOCATION_ORIENTATION_VALID_BIT | XR_SPACE_LOCATION_POSITION_VALID_BIT)
#define TRACKED (XR_SPACE_LOCATION_ORIENTATION_TRACKED_BIT | XR_SPACE_LOCATION_POSITION_TRACKED_BIT)

/* ---- tests */

START_TEST(functions_only_with_their_extension)
{
    reset();
    static const char *const fb[] = {XR_FB_BODY_TRACKING_EXTENSION_NAME};
    create_instance(fb, 1);
    static const char *const fb_functions[] = {"xrCreateBodyTrackerFB", "xrDestroyBodyTrackerFB",
                                               "xrLocateBodyJointsFB", "xrGetBodySkeletonFB"};
    for (int i = 0; i < 4; i++)
        fake_runtime_resolve(fb_functions[i]);
    static const char *const others[] = {"xrRequestBodyTrackingFidelityMETA",
                                         "xrSuggestBodyTrackingCalibrationOverrideMETA",
                                         "xrResetBodyTrackingCalibrationMETA"};
    for (int i = 0; i < 3; i++) {
        PFN_xrVoidFunction f = (PFN_xrVoidFunction)fake_gipa;
        ck_assert_int_eq(gipa(FAKE_INSTANCE, others[i], &f), XR_ERROR_FUNCTION_UNSUPPORTED);
        ck_assert(f == NULL);
    }
    /* The full-body joint set is not a valid enumerant without its extension. */
    XrSession session = start_session();
    XrBodyTrackerCreateInfoFB info = {.type = XR_TYPE_BODY_TRACKER_CREATE_INFO_FB,
                                      .bodyJointSet = XR_BODY_JOINT_SET_FULL_BODY_META};
    XrBodyTrackerFB t;
    ck_assert_int_eq(APP(CreateBodyTrackerFB)(session, &info, &t), XR_ERROR_VALIDATION_FAILURE);
    /* No engine until the first tracker. */
    ck_assert_int_eq(fake_engine.creates, 0);
    finish(session);

    reset();
    create_all_four();
    for (int i = 0; i < 3; i++)
        fake_runtime_resolve(others[i]);
    ck_assert_int_eq(APP(DestroyInstance)(FAKE_INSTANCE), XR_SUCCESS);
}
END_TEST

START_TEST(create_and_destroy_rules)
{
    reset();
    create_all_four();
    XrSession session = start_session();
    PFN_xrCreateBodyTrackerFB create = APP(CreateBodyTrackerFB);
    PFN_xrDestroyBodyTrackerFB destroy = APP(DestroyBodyTrackerFB);
    XrBodyTrackerCreateInfoFB info = {.type = XR_TYPE_BODY_TRACKER_CREATE_INFO_FB,
                                      .bodyJointSet = XR_BODY_JOINT_SET_DEFAULT_FB};
    XrBodyTrackerFB t = XR_NULL_HANDLE;

    ck_assert_int_eq(create(XR_NULL_HANDLE, &info, &t), XR_ERROR_HANDLE_INVALID);
    ck_assert_int_eq(create((XrSession)(uintptr_t)0xbad, &info, &t), XR_ERROR_HANDLE_INVALID);
    ck_assert_int_eq(create(session, NULL, &t), XR_ERROR_VALIDATION_FAILURE);
    ck_assert_int_eq(create(session, &info, NULL), XR_ERROR_VALIDATION_FAILURE);
    info.type = XR_TYPE_BODY_JOINTS_LOCATE_INFO_FB;
    ck_assert_int_eq(create(session, &info, &t), XR_ERROR_VALIDATION_FAILURE);
    info.type = XR_TYPE_BODY_TRACKER_CREATE_INFO_FB;
    info.bodyJointSet = (XrBodyJointSetFB)1;
    ck_assert_int_eq(create(session, &info, &t), XR_ERROR_VALIDATION_FAILURE);
    info.bodyJointSet = (XrBodyJointSetFB)-1;
    ck_assert_int_eq(create(session, &info, &t), XR_ERROR_VALIDATION_FAILURE);
    ck_assert_ptr_null(t);
    ck_assert_int_eq(fake_engine.creates, 0);

    /* An unknown struct in the next chain is ignored. */
    XrBaseInStructure unknown = {.type = (XrStructureType)1000999999};
    info.next = &unknown;
    info.bodyJointSet = XR_BODY_JOINT_SET_DEFAULT_FB;
    ck_assert_int_eq(create(session, &info, &t), XR_SUCCESS);
    kn_body_engine_wait(kn_session_get(session)->engine);
    ck_assert_int_eq(fake_engine.creates, 1);
    ck_assert_uint_eq(kn_tracker_count(), 1);
    /* Both sets on one session, one engine. */
    XrBodyTrackerFB full = tracker(session, XR_BODY_JOINT_SET_FULL_BODY_META);
    ck_assert_ptr_ne(full, t);
    ck_assert_int_eq(fake_engine.creates, 1);

    ck_assert_int_eq(destroy(XR_NULL_HANDLE), XR_ERROR_HANDLE_INVALID);
    ck_assert_int_eq(destroy((XrBodyTrackerFB)(uintptr_t)0x1234), XR_ERROR_HANDLE_INVALID);
    ck_assert_int_eq(destroy(t), XR_SUCCESS);
    ck_assert_int_eq(destroy(t), XR_ERROR_HANDLE_INVALID);
    /* A destroyed handle stays invalid: handles are never reused. */
    XrBodyTrackerFB again = tracker(session, XR_BODY_JOINT_SET_DEFAULT_FB);
    ck_assert_ptr_ne(again, t);
    ck_assert_uint_eq(kn_tracker_count(), 2);

    /* The limit per session. */
    XrBodyTrackerFB many[KN_TRACKERS_PER_SESSION];
    int made = 0;
    XrResult r;
    info.next = NULL;
    while ((r = create(session, &info, &many[made])) == XR_SUCCESS)
        made++;
    ck_assert_int_eq(r, XR_ERROR_LIMIT_REACHED);
    ck_assert_int_eq(made + 2, KN_TRACKERS_PER_SESSION);
    for (int i = 0; i < made; i++)
        ck_assert_int_eq(destroy(many[i]), XR_SUCCESS);

    /* Trackers end with their session: their handles are invalid after it. */
    ck_assert_int_eq(APP(DestroySession)(session), XR_SUCCESS);
    ck_assert_uint_eq(kn_tracker_count(), 0);
    ck_assert_int_eq(fake_engine.live, 0);
    ck_assert_int_eq(destroy(full), XR_ERROR_HANDLE_INVALID);
    XrBodySkeletonJointFB joints[70];
    XrBodySkeletonFB skeleton = {
        .type = XR_TYPE_BODY_SKELETON_FB, .jointCount = 70, .joints = joints};
    ck_assert_int_eq(APP(GetBodySkeletonFB)(again, &skeleton), XR_ERROR_HANDLE_INVALID);
    ck_assert_int_eq(APP(DestroyInstance)(FAKE_INSTANCE), XR_SUCCESS);

    /* And with their instance, when the application never destroys them. */
    reset();
    create_all_four();
    session = start_session();
    tracker(session, XR_BODY_JOINT_SET_DEFAULT_FB);
    tracker(start_session(), XR_BODY_JOINT_SET_FULL_BODY_META);
    ck_assert_uint_eq(kn_tracker_count(), 2);
    ck_assert_int_eq(fake_engine.live, 2); /* one per session */
    ck_assert_int_eq(APP(DestroyInstance)(FAKE_INSTANCE), XR_SUCCESS);
    ck_assert_uint_eq(kn_tracker_count(), 0);
    ck_assert_int_eq(fake_engine.live, 0);
}
END_TEST

START_TEST(unsupported_features)
{
    /* Where the layer does not provide a capability, the functions refuse as
     * the extensions say (and the properties say no). */
    reset();
    create_all_four();
    XrSession session = start_session();
    XrBodyTrackerFB t = tracker(session, XR_BODY_JOINT_SET_DEFAULT_FB);
    kn_instance *inst = kn_instance_get(FAKE_INSTANCE);
    XrSystemPropertiesBodyTrackingFullBodyMETA full = {
        .type = XR_TYPE_SYSTEM_PROPERTIES_BODY_TRACKING_FULL_BODY_META};
    XrSystemBodyTrackingPropertiesFB fb = {.type = XR_TYPE_SYSTEM_BODY_TRACKING_PROPERTIES_FB,
                                           .next = &full};
    XrSystemProperties props = {.type = XR_TYPE_SYSTEM_PROPERTIES, .next = &fb};
    ck_assert_int_eq(APP(GetSystemProperties)(FAKE_INSTANCE, FAKE_SYSTEM, &props), XR_SUCCESS);
    ck_assert_uint_eq(fb.supportsBodyTracking, XR_TRUE);
    ck_assert_uint_eq(full.supportsFullBodyTracking, XR_TRUE);

    inst->emulation->supported = KN_EXT_FB_BODY_TRACKING;
    ck_assert_int_eq(APP(GetSystemProperties)(FAKE_INSTANCE, FAKE_SYSTEM, &props), XR_SUCCESS);
    ck_assert_uint_eq(fb.supportsBodyTracking, XR_TRUE);
    ck_assert_uint_eq(full.supportsFullBodyTracking, XR_FALSE);
    /* Full body unsupported: VALIDATION_FAILURE, not FEATURE_UNSUPPORTED. */
    XrBodyTrackerCreateInfoFB info = {.type = XR_TYPE_BODY_TRACKER_CREATE_INFO_FB,
                                      .bodyJointSet = XR_BODY_JOINT_SET_FULL_BODY_META};
    XrBodyTrackerFB other;
    ck_assert_int_eq(APP(CreateBodyTrackerFB)(session, &info, &other), XR_ERROR_VALIDATION_FAILURE);
    ck_assert_int_eq(APP(RequestBodyTrackingFidelityMETA)(t, XR_BODY_TRACKING_FIDELITY_LOW_META),
                     XR_ERROR_FEATURE_UNSUPPORTED);
    XrBodyTrackingCalibrationInfoMETA cal = {.type = XR_TYPE_BODY_TRACKING_CALIBRATION_INFO_META,
                                             .bodyHeight = 1.8f};
    ck_assert_int_eq(APP(SuggestBodyTrackingCalibrationOverrideMETA)(t, &cal),
                     XR_ERROR_FEATURE_UNSUPPORTED);
    ck_assert_int_eq(APP(ResetBodyTrackingCalibrationMETA)(t), XR_ERROR_FEATURE_UNSUPPORTED);

    inst->emulation->supported = 0;
    ck_assert_int_eq(APP(GetSystemProperties)(FAKE_INSTANCE, FAKE_SYSTEM, &props), XR_SUCCESS);
    ck_assert_uint_eq(fb.supportsBodyTracking, XR_FALSE);
    info.bodyJointSet = XR_BODY_JOINT_SET_DEFAULT_FB;
    ck_assert_int_eq(APP(CreateBodyTrackerFB)(session, &info, &other),
                     XR_ERROR_FEATURE_UNSUPPORTED);
    inst->emulation->supported = KN_EXT_ALL;
    finish(session);
}
END_TEST

/* The layer asks kinest_create once, with the settings, and reports the
 * backend the engine settled on; the fallbacks are the engine's own
 * (test_engine.c: create_and_destroy_every_backend, bad_weights_fall_back_to_ik). */
START_TEST(engine_from_the_settings)
{
    reset();
    setenv("KINEST_BACKEND", "vulkan", 1);
    setenv("KINEST_MODEL", "/models/x.safetensors", 1);
    setenv("KINEST_HEIGHT", "1.85", 1);
    setenv("KINEST_SMOOTHING", "0.3", 1);
    create_all_four();
    XrSession session = start_session();
    /* No Vulkan here: the engine runs the same weights on the CPU. */
    fake_engine.runs[KINEST_BACKEND_VULKAN] = KINEST_BACKEND_CPU;
    XrBodyTrackerFB t = tracker(session, XR_BODY_JOINT_SET_DEFAULT_FB);
    ck_assert_int_eq(fake_engine.create_calls, 1);
    ck_assert_int_eq(fake_engine.config.backend, KINEST_BACKEND_VULKAN);
    ck_assert_int_eq(fake_engine.backend, KINEST_BACKEND_CPU);
    ck_assert_str_eq(fake_engine.weights, "/models/x.safetensors");
    ck_assert_float_eq(fake_engine.config.height_m, 1.85f);
    ck_assert_float_eq(fake_engine.config.smoothing, 0.3f);
    XrBodyTrackingFidelityStatusMETA fid = {.type = XR_TYPE_BODY_TRACKING_FIDELITY_STATUS_META};
    XrBodyJointLocationFB joints[70];
    XrBodyJointLocationsFB loc = {.type = XR_TYPE_BODY_JOINT_LOCATIONS_FB,
                                  .next = &fid,
                                  .jointCount = 70,
                                  .jointLocations = joints};
    XrBodyJointsLocateInfoFB li = {.type = XR_TYPE_BODY_JOINTS_LOCATE_INFO_FB,
                                   .baseSpace =
                                       app_space(session, XR_REFERENCE_SPACE_TYPE_STAGE, IDENTITY),
                                   .time = T0};
    ck_assert_int_eq(APP(LocateBodyJointsFB)(t, &li, &loc), XR_SUCCESS);
    ck_assert_int_eq(fid.fidelity, XR_BODY_TRACKING_FIDELITY_HIGH_META);
    finish(session);

    /* Unreadable weights: the engine runs the analytic IK, reported as low
     * fidelity. */
    reset();
    create_all_four();
    session = start_session();
    fake_engine.runs[KINEST_BACKEND_VULKAN] = KINEST_BACKEND_IK;
    t = tracker(session, XR_BODY_JOINT_SET_DEFAULT_FB);
    ck_assert_int_eq(fake_engine.create_calls, 1);
    ck_assert_int_eq(fake_engine.backend, KINEST_BACKEND_IK);
    ck_assert_str_eq(fake_engine.weights, "/models/x.safetensors");
    li.baseSpace = app_space(session, XR_REFERENCE_SPACE_TYPE_STAGE, IDENTITY);
    ck_assert_int_eq(APP(LocateBodyJointsFB)(t, &li, &loc), XR_SUCCESS);
    ck_assert_int_eq(fid.fidelity, XR_BODY_TRACKING_FIDELITY_LOW_META);
    finish(session);
    unsetenv("KINEST_BACKEND");
    unsetenv("KINEST_MODEL");
    unsetenv("KINEST_HEIGHT");
    unsetenv("KINEST_SMOOTHING");

    /* KINEST_BACKEND=ik asks for no weights. */
    reset();
    setenv("KINEST_BACKEND", "ik", 1);
    create_all_four();
    session = start_session();
    tracker(session, XR_BODY_JOINT_SET_DEFAULT_FB);
    ck_assert_int_eq(fake_engine.backend, KINEST_BACKEND_IK);
    ck_assert_ptr_null(fake_engine.weights);
    ck_assert_int_eq(fake_engine.creates, 1);
    ck_assert_float_eq(fake_engine.config.smoothing, -1.0f); /* unset: the weights' */
    finish(session);
    unsetenv("KINEST_BACKEND");

    /* No engine at all: asked once, not again with another backend; the
     * first tracker (made before that is known) has no bodies; the later
     * ones fail, always the same way. */
    const kinest_status failures[] = {KINEST_ERROR_OUT_OF_MEMORY, KINEST_ERROR_INVALID_ARGUMENT};
    const XrResult results[] = {XR_ERROR_OUT_OF_MEMORY, XR_ERROR_RUNTIME_FAILURE};
    for (int f = 0; f < 2; f++) {
        reset();
        create_all_four();
        session = start_session();
        fake_engine.create_status = failures[f];
        t = tracker(session, XR_BODY_JOINT_SET_DEFAULT_FB);
        li.baseSpace = app_space(session, XR_REFERENCE_SPACE_TYPE_STAGE, IDENTITY);
        ck_assert_int_eq(APP(LocateBodyJointsFB)(t, &li, &loc), XR_SUCCESS);
        ck_assert(!loc.isActive);
        XrBodyTrackerCreateInfoFB info = {.type = XR_TYPE_BODY_TRACKER_CREATE_INFO_FB};
        XrBodyTrackerFB none = XR_NULL_HANDLE;
        ck_assert_int_eq(APP(CreateBodyTrackerFB)(session, &info, &none), results[f]);
        fake_engine.create_status = KINEST_SUCCESS;
        ck_assert_int_eq(APP(CreateBodyTrackerFB)(session, &info, &none), results[f]);
        ck_assert_ptr_null(none);
        ck_assert_int_eq(fake_engine.create_calls, 1);
        ck_assert_uint_eq(kn_tracker_count(), 1);
        finish(session);
    }
}
END_TEST

static XrResult locate(XrBodyTrackerFB t, XrSpace base, XrTime time, uint32_t count,
                       XrBodyJointLocationFB *joints, XrBodyJointLocationsFB *out, void *next);

/* The engine is made on a thread of its own: xrCreateBodyTrackerFB returns
 * while it is being made (here: held until the test lets it go), the body is
 * inactive until it is ready, then active (issue 14: 8-66 ms on the
 * application's thread; here the creation would never return). */
START_TEST(engine_made_off_the_application_thread)
{
    reset();
    create_all_four();
    XrSession session = start_session();
    XrSpace stage = app_space(session, XR_REFERENCE_SPACE_TYPE_STAGE, IDENTITY);
    pthread_mutex_lock(&fake_engine_lock);
    fake_engine.create_held = true;
    pthread_mutex_unlock(&fake_engine_lock);
    XrBodyTrackerCreateInfoFB info = {.type = XR_TYPE_BODY_TRACKER_CREATE_INFO_FB};
    XrBodyTrackerFB t = XR_NULL_HANDLE;
    ck_assert_int_eq(APP(CreateBodyTrackerFB)(session, &info, &t), XR_SUCCESS);
    XrBodyJointLocationFB joints[70];
    XrBodyJointLocationsFB out;
    ck_assert_int_eq(locate(t, stage, T0, 70, joints, &out, NULL), XR_SUCCESS);
    ck_assert(!out.isActive);
    ck_assert_uint_eq(joints[0].locationFlags, 0);
    fake_engine_release_create();
    kn_body_engine_wait(kn_session_get(session)->engine);
    XrFrameState state = {.type = XR_TYPE_FRAME_STATE};
    for (int i = 1; i <= 3; i++) {
        fake_runtime.predicted = T0 + i * 16666667;
        ck_assert_int_eq(APP(WaitFrame)(session, NULL, &state), XR_SUCCESS);
    }
    ck_assert_int_eq(locate(t, stage, T0 + 3 * 16666667, 70, joints, &out, NULL), XR_SUCCESS);
    ck_assert(out.isActive);
    finish(session);
}
END_TEST

static XrResult locate(XrBodyTrackerFB t, XrSpace base, XrTime time, uint32_t count,
                       XrBodyJointLocationFB *joints, XrBodyJointLocationsFB *out, void *next)
{
    XrBodyJointsLocateInfoFB info = {
        .type = XR_TYPE_BODY_JOINTS_LOCATE_INFO_FB, .baseSpace = base, .time = time};
    *out = (XrBodyJointLocationsFB){.type = XR_TYPE_BODY_JOINT_LOCATIONS_FB,
                                    .next = next,
                                    .jointCount = count,
                                    .jointLocations = joints};
    return APP(LocateBodyJointsFB)(t, &info, out);
}

START_TEST(locate_rules)
{
    reset();
    create_all_four();
    XrSession session = start_session();
    XrSpace stage = app_space(session, XR_REFERENCE_SPACE_TYPE_STAGE, IDENTITY);
    XrBodyTrackerFB t = tracker(session, XR_BODY_JOINT_SET_DEFAULT_FB);
    XrBodyTrackerFB full = tracker(session, XR_BODY_JOINT_SET_FULL_BODY_META);
    PFN_xrLocateBodyJointsFB fn = APP(LocateBodyJointsFB);
    XrBodyJointLocationFB joints[84];
    XrBodyJointLocationsFB out;
    XrBodyJointsLocateInfoFB info = {
        .type = XR_TYPE_BODY_JOINTS_LOCATE_INFO_FB, .baseSpace = stage, .time = T0};
    XrBodyJointLocationsFB locs = {
        .type = XR_TYPE_BODY_JOINT_LOCATIONS_FB, .jointCount = 70, .jointLocations = joints};

    ck_assert_int_eq(fn(XR_NULL_HANDLE, &info, &locs), XR_ERROR_HANDLE_INVALID);
    ck_assert_int_eq(fn((XrBodyTrackerFB)(uintptr_t)0x77, &info, &locs), XR_ERROR_HANDLE_INVALID);
    ck_assert_int_eq(fn(t, NULL, &locs), XR_ERROR_VALIDATION_FAILURE);
    ck_assert_int_eq(fn(t, &info, NULL), XR_ERROR_VALIDATION_FAILURE);
    info.type = XR_TYPE_BODY_JOINT_LOCATIONS_FB;
    ck_assert_int_eq(fn(t, &info, &locs), XR_ERROR_VALIDATION_FAILURE);
    info.type = XR_TYPE_BODY_JOINTS_LOCATE_INFO_FB;
    locs.type = XR_TYPE_BODY_SKELETON_FB;
    ck_assert_int_eq(fn(t, &info, &locs), XR_ERROR_VALIDATION_FAILURE);
    locs.type = XR_TYPE_BODY_JOINT_LOCATIONS_FB;
    /* The joint count must be the tracker's set's. */
    static const struct {
        int full;
        uint32_t count;
    } counts[] = {{0, 84}, {0, 69}, {0, 71}, {0, 0}, {1, 70}, {1, 83}, {1, 85}};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
        ck_assert_int_eq(
            locate(counts[i].full ? full : t, stage, T0, counts[i].count, joints, &out, NULL),
            XR_ERROR_VALIDATION_FAILURE);
    ck_assert_int_eq(locate(t, stage, T0, 70, NULL, &out, NULL), XR_ERROR_VALIDATION_FAILURE);
    /* Base spaces: NULL, unknown, destroyed. */
    ck_assert_int_eq(locate(t, XR_NULL_HANDLE, T0, 70, joints, &out, NULL),
                     XR_ERROR_HANDLE_INVALID);
    ck_assert_int_eq(locate(t, (XrSpace)(uintptr_t)0x4242, T0, 70, joints, &out, NULL),
                     XR_ERROR_HANDLE_INVALID);
    XrSpace gone = app_space(session, XR_REFERENCE_SPACE_TYPE_STAGE, IDENTITY);
    ck_assert_int_eq(APP(DestroySpace)(gone), XR_SUCCESS);
    ck_assert_int_eq(locate(t, gone, T0, 70, joints, &out, NULL), XR_ERROR_HANDLE_INVALID);
    /* Times. */
    ck_assert_int_eq(locate(t, stage, 0, 70, joints, &out, NULL), XR_ERROR_TIME_INVALID);
    ck_assert_int_eq(locate(t, stage, -5, 70, joints, &out, NULL), XR_ERROR_TIME_INVALID);

    /* Valid: both sets, every joint valid while active, time as requested. */
    ck_assert_int_eq(locate(t, stage, T0 + 5, 70, joints, &out, NULL), XR_SUCCESS);
    ck_assert_uint_eq(out.isActive, XR_TRUE);
    ck_assert_int_eq(out.time, T0 + 5);
    ck_assert_int_eq(fake_engine.last_get_time, T0 + 5);
    ck_assert_float_eq(out.confidence, 0.75f);
    ck_assert_uint_eq(out.skeletonChangedCount, 1);
    for (uint32_t j = 0; j < 70; j++) {
        ck_assert_uint_eq(joints[j].locationFlags & VALID, VALID);
        kn_pose want;
        expected_joint(j, &want);
        ck_assert_float_eq_tol(joints[j].pose.position.x, want.position[0], 1e-6);
        ck_assert_float_eq_tol(joints[j].pose.position.y, want.position[1], 1e-6);
        ck_assert_float_eq_tol(joints[j].pose.position.z, want.position[2], 1e-6);
    }
    ck_assert_uint_eq(joints[7].locationFlags, VALID | TRACKED);
    ck_assert_uint_eq(joints[8].locationFlags, VALID);
    ck_assert_int_eq(locate(full, stage, T0 + 6, 84, joints, &out, NULL), XR_SUCCESS);
    ck_assert_uint_eq(out.isActive, XR_TRUE);
    for (uint32_t j = 0; j < 84; j++)
        ck_assert_uint_eq(joints[j].locationFlags & VALID, VALID);

    /* Inactive: no VALID bit on any joint, confidence 0. */
    fake_engine.active = false;
    ck_assert_int_eq(locate(t, stage, T0 + 7, 70, joints, &out, NULL), XR_SUCCESS);
    ck_assert_uint_eq(out.isActive, XR_FALSE);
    ck_assert_float_eq(out.confidence, 0.0f);
    ck_assert_int_eq(out.time, T0 + 7);
    for (uint32_t j = 0; j < 70; j++)
        ck_assert_uint_eq(joints[j].locationFlags, 0);
    fake_engine.active = true;

    /* A base space the runtime cannot relate to the layer's: inactive. */
    fake.app_space_flags = 0;
    XrSpace lost = app_space(session, XR_REFERENCE_SPACE_TYPE_LOCAL, IDENTITY);
    ck_assert_int_eq(locate(t, lost, T0 + 8, 70, joints, &out, NULL), XR_SUCCESS);
    ck_assert_uint_eq(out.isActive, XR_FALSE);
    for (uint32_t j = 0; j < 70; j++)
        ck_assert_uint_eq(joints[j].locationFlags, 0);
    /* Related but not tracked: valid, never tracked. */
    fake.app_space_flags = VALID;
    ck_assert_int_eq(locate(t, lost, T0 + 9, 70, joints, &out, NULL), XR_SUCCESS);
    ck_assert_uint_eq(out.isActive, XR_TRUE);
    ck_assert_uint_eq(joints[7].locationFlags, VALID);
    fake.app_space_flags = 0xF;

    /* The engine fails: inactive, not an error. */
    fake_engine.get_body_status = KINEST_ERROR_BACKEND;
    ck_assert_int_eq(locate(t, stage, T0 + 10, 70, joints, &out, NULL), XR_SUCCESS);
    ck_assert_uint_eq(out.isActive, XR_FALSE);
    fake_engine.get_body_status = KINEST_SUCCESS;
    finish(session);
}
END_TEST

START_TEST(joints_in_the_application_space)
{
    reset();
    create_all_four();
    XrSession session = start_session();
    /* STAGE turned 90 degrees about +Y and moved: the joints move with it. */
    float h = sqrtf(0.5f);
    XrPosef offset = {{0, h, 0, h}, {1.0f, 0.2f, -2.0f}};
    XrSpace app = app_space(session, XR_REFERENCE_SPACE_TYPE_STAGE, offset);
    XrBodyTrackerFB t = tracker(session, XR_BODY_JOINT_SET_FULL_BODY_META);
    XrBodyJointLocationFB joints[84];
    XrBodyJointLocationsFB out;
    ck_assert_int_eq(locate(t, app, T0, 84, joints, &out, NULL), XR_SUCCESS);
    kn_pose app_pose = {{0, h, 0, h}, {1.0f, 0.2f, -2.0f}}, inv;
    kn_pose_inverse(&app_pose, &inv);
    for (uint32_t j = 0; j < 84; j++) {
        kn_pose joint, want;
        expected_joint(j, &joint);
        kn_pose_compose(&inv, &joint, &want);
        ck_assert_float_eq_tol(joints[j].pose.position.x, want.position[0], 1e-5);
        ck_assert_float_eq_tol(joints[j].pose.position.y, want.position[1], 1e-5);
        ck_assert_float_eq_tol(joints[j].pose.position.z, want.position[2], 1e-5);
        ck_assert_float_eq_tol(joints[j].pose.orientation.y, want.orientation[1], 1e-5);
        ck_assert_float_eq_tol(joints[j].pose.orientation.w, want.orientation[3], 1e-5);
    }
    finish(session);

    /* Without STAGE the layer works in LOCAL with an estimated floor: the
     * engine's floor-anchored joints come back up by the floor's height. */
    reset();
    fake_runtime.no_stage = true;
    fake.local_y = 1.5f; /* LOCAL's origin 1.5 m above the floor, the head 0.1 m above that */
    create_all_four();
    session = start_session();
    app = app_space(session, XR_REFERENCE_SPACE_TYPE_LOCAL, IDENTITY);
    t = tracker(session, XR_BODY_JOINT_SET_DEFAULT_FB);
    XrFrameState state = {.type = XR_TYPE_FRAME_STATE};
    ck_assert_int_eq(APP(WaitFrame)(session, NULL, &state), XR_SUCCESS); /* a sample */
    ck_assert_int_eq(locate(t, app, T0, 70, joints, &out, NULL), XR_SUCCESS);
    float floor_y = (fake.head_y - fake.local_y) - KN_FLOOR_DEFAULT_EYE_M;
    for (uint32_t j = 0; j < 70; j++) {
        kn_pose want;
        expected_joint(j, &want);
        ck_assert_float_eq_tol(joints[j].pose.position.y, want.position[1] + floor_y, 1e-5);
    }
    finish(session);
}
END_TEST

static int wait_pushes(int at_least, int64_t *last)
{
    int n = 0;
    for (int i = 0; i < 2000 && (n = fake_engine_pushes(last)) < at_least; i++) {
        struct timespec pause = {0, 1000000};
        nanosleep(&pause, NULL);
    }
    return n;
}

START_TEST(samples_reach_the_engine)
{
    reset();
    create_all_four();
    XrSession session = start_session();
    XrSpace stage = app_space(session, XR_REFERENCE_SPACE_TYPE_STAGE, IDENTITY);
    /* Before any tracker there is no engine (what was sampled before may
     * or may not reach it, depending on the worker). */
    XrFrameState state = {.type = XR_TYPE_FRAME_STATE};
    ck_assert_int_eq(APP(WaitFrame)(session, NULL, &state), XR_SUCCESS);
    ck_assert_int_eq(fake_engine.creates, 0);
    XrBodyTrackerFB t = tracker(session, XR_BODY_JOINT_SET_DEFAULT_FB);
    /* The frame loop's samples, in order. */
    for (int i = 1; i <= 3; i++) {
        fake_runtime.predicted = T0 + i * 16666667;
        ck_assert_int_eq(APP(WaitFrame)(session, NULL, &state), XR_SUCCESS);
    }
    int64_t last = 0;
    int n = wait_pushes(3, &last);
    ck_assert_int_ge(n, 3);
    ck_assert_int_eq(last, T0 + 3 * 16666667);
    ck_assert_float_eq_tol(fake_engine.last_devices[KINEST_DEVICE_HEAD].pose.position[1], 1.6f,
                           1e-6);
    ck_assert_uint_eq(fake_engine.last_devices[KINEST_DEVICE_HEAD].flags, 0xF);
    /* Locating at a newer time samples the devices there too (applications
     * without a frame loop); at a time already sampled, not again. */
    XrBodyJointLocationFB joints[70];
    XrBodyJointLocationsFB out;
    ck_assert_int_eq(locate(t, stage, T0 + 3 * 16666667, 70, joints, &out, NULL), XR_SUCCESS);
    ck_assert_int_eq(locate(t, stage, T0 + 4 * 16666667, 70, joints, &out, NULL), XR_SUCCESS);
    ck_assert_int_eq(wait_pushes(n + 1, &last), n + 1);
    ck_assert_int_eq(last, T0 + 4 * 16666667);
    kn_device_frame f;
    ck_assert(kn_feed_latest(kn_session_get(session)->feed, &f));
    ck_assert_uint_eq(f.source, KN_TIME_REQUESTED);
    finish(session);
}
END_TEST

/* Time is checked where it enters (issue 14): a locate an hour past the
 * frame loop, or at XR_INFINITE_DURATION, samples nothing, so the frame
 * loop's next samples still reach the engine (the body froze until real
 * time caught up); a clock set back more than a second is sampled again. */
START_TEST(hostile_times_are_not_sampled)
{
    XrSpace stage;
    XrBodyTrackerFB t;
    XrSession session = session_with_tracker(&stage, &t);
    XrFrameState state = {.type = XR_TYPE_FRAME_STATE};
    XrBodyJointLocationFB joints[70];
    XrBodyJointLocationsFB out;
    for (int i = 1; i <= 3; i++) {
        fake_runtime.predicted = T0 + i * 16666667;
        ck_assert_int_eq(APP(WaitFrame)(session, NULL, &state), XR_SUCCESS);
    }
    int64_t last = 0;
    int n = wait_pushes(3, &last);
    ck_assert_int_eq(locate(t, stage, T0 + 3600 * INT64_C(1000000000), 70, joints, &out, NULL),
                     XR_SUCCESS);
    locate(t, stage, INT64_MAX, 70, joints, &out, NULL);
    fake_runtime.predicted = T0 + 4 * 16666667;
    ck_assert_int_eq(APP(WaitFrame)(session, NULL, &state), XR_SUCCESS);
    ck_assert_int_eq(wait_pushes(n + 1, &last), n + 1);
    ck_assert_int_eq(last, T0 + 4 * 16666667);
    /* Out of order by half a second: not sampled; the runtime's clock set
     * back by 20 s: sampled from there. */
    kn_session *ks = kn_session_get(session);
    const int64_t sec = INT64_C(1000000000);
    ck_assert(kn_session_sample_at(ks, T0 + 30 * sec, KN_TIME_NOW, NULL));
    ck_assert(!kn_session_sample_at(ks, T0 + 30 * sec - sec / 2, KN_TIME_NOW, NULL));
    ck_assert(kn_session_sample_at(ks, T0 + 10 * sec, KN_TIME_NOW, NULL));
    finish(session);
}
END_TEST

START_TEST(sync_waits_for_the_engine)
{
    /* KINEST_SYNC=1: a locate returns only once its sample reached the
     * engine and the engine ran it (kinest_flush). */
    reset();
    setenv("KINEST_SYNC", "1", 1);
    create_all_four();
    unsetenv("KINEST_SYNC");
    XrSession session = start_session();
    XrSpace stage = app_space(session, XR_REFERENCE_SPACE_TYPE_STAGE, IDENTITY);
    XrBodyTrackerFB t = tracker(session, XR_BODY_JOINT_SET_DEFAULT_FB);
    XrBodyJointLocationFB joints[70];
    XrBodyJointLocationsFB out;
    for (int i = 1; i <= 20; i++) {
        XrTime time = T0 + i * 16666667;
        ck_assert_int_eq(locate(t, stage, time, 70, joints, &out, NULL), XR_SUCCESS);
        int64_t last;
        fake_engine_pushes(&last);
        ck_assert_int_eq(last, time);
        ck_assert_int_eq(fake_engine.flushes, i);
    }
    finish(session);
}
END_TEST

START_TEST(skeleton_rules)
{
    reset();
    create_all_four();
    XrSession session = start_session();
    XrBodyTrackerFB t = tracker(session, XR_BODY_JOINT_SET_DEFAULT_FB);
    XrBodyTrackerFB full = tracker(session, XR_BODY_JOINT_SET_FULL_BODY_META);
    PFN_xrGetBodySkeletonFB fn = APP(GetBodySkeletonFB);
    XrBodySkeletonJointFB joints[84];
    XrBodySkeletonFB sk = {.type = XR_TYPE_BODY_SKELETON_FB, .jointCount = 70, .joints = joints};

    ck_assert_int_eq(fn(XR_NULL_HANDLE, &sk), XR_ERROR_HANDLE_INVALID);
    ck_assert_int_eq(fn(t, NULL), XR_ERROR_VALIDATION_FAILURE);
    sk.type = XR_TYPE_BODY_JOINT_LOCATIONS_FB;
    ck_assert_int_eq(fn(t, &sk), XR_ERROR_VALIDATION_FAILURE);
    sk.type = XR_TYPE_BODY_SKELETON_FB;
    sk.jointCount = 84;
    ck_assert_int_eq(fn(t, &sk), XR_ERROR_VALIDATION_FAILURE);
    sk.jointCount = 70;
    ck_assert_int_eq(fn(full, &sk), XR_ERROR_VALIDATION_FAILURE);
    sk.joints = NULL;
    ck_assert_int_eq(fn(t, &sk), XR_ERROR_VALIDATION_FAILURE);
    sk.joints = joints;

    /* The root's parent is XR_BODY_JOINT_NONE_FB (-1) in the FB set... */
    ck_assert_int_eq(fn(t, &sk), XR_SUCCESS);
    ck_assert_int_eq(joints[0].joint, 0);
    ck_assert_int_eq(joints[0].parentJoint, XR_BODY_JOINT_NONE_FB);
    for (int j = 1; j < 70; j++) {
        ck_assert_int_eq(joints[j].joint, j);
        ck_assert_int_eq(joints[j].parentJoint, j - 1);
    }
    ck_assert_float_eq_tol(joints[5].pose.position.x, 0.05f, 1e-6);
    /* ... and XR_FULL_BODY_JOINT_NONE_META (85) in the full-body set. */
    sk.jointCount = 84;
    ck_assert_int_eq(fn(full, &sk), XR_SUCCESS);
    ck_assert_int_eq(joints[0].parentJoint, 85);
    ck_assert_int_eq(joints[83].joint, 83);
    ck_assert_int_eq(joints[83].parentJoint, 82);
    finish(session);
}
END_TEST

START_TEST(fidelity_rules)
{
    reset();
    create_all_four();
    XrSession session = start_session();
    XrBodyTrackerFB t = tracker(session, XR_BODY_JOINT_SET_DEFAULT_FB);
    PFN_xrRequestBodyTrackingFidelityMETA fn = APP(RequestBodyTrackingFidelityMETA);
    ck_assert_int_eq(fn(XR_NULL_HANDLE, XR_BODY_TRACKING_FIDELITY_LOW_META),
                     XR_ERROR_HANDLE_INVALID);
    ck_assert_int_eq(fn(t, (XrBodyTrackingFidelityMETA)0), XR_ERROR_VALIDATION_FAILURE);
    ck_assert_int_eq(fn(t, (XrBodyTrackingFidelityMETA)3), XR_ERROR_VALIDATION_FAILURE);
    /* Any valid request succeeds, honoured or not; the status says what runs. */
    ck_assert_int_eq(fn(t, XR_BODY_TRACKING_FIDELITY_LOW_META), XR_SUCCESS);
    ck_assert_int_eq(fn(t, XR_BODY_TRACKING_FIDELITY_HIGH_META), XR_SUCCESS);
    ck_assert_int_eq(fn(t, XR_BODY_TRACKING_FIDELITY_LOW_META), XR_SUCCESS);
    XrBodyTrackingFidelityStatusMETA fid = {.type = XR_TYPE_BODY_TRACKING_FIDELITY_STATUS_META};
    XrBodyJointLocationFB joints[70];
    XrBodyJointLocationsFB out;
    XrSpace stage = app_space(session, XR_REFERENCE_SPACE_TYPE_STAGE, IDENTITY);
    ck_assert_int_eq(locate(t, stage, T0, 70, joints, &out, &fid), XR_SUCCESS);
    ck_assert_int_eq(fid.fidelity, XR_BODY_TRACKING_FIDELITY_HIGH_META); /* the fake runs "cpu" */
    finish(session);
}
END_TEST

START_TEST(calibration_rules)
{
    reset();
    create_all_four();
    XrSession session = start_session();
    XrBodyTrackerFB t = tracker(session, XR_BODY_JOINT_SET_DEFAULT_FB);
    PFN_xrSuggestBodyTrackingCalibrationOverrideMETA suggest =
        APP(SuggestBodyTrackingCalibrationOverrideMETA);
    PFN_xrResetBodyTrackingCalibrationMETA reset_cal = APP(ResetBodyTrackingCalibrationMETA);
    XrBodyTrackingCalibrationInfoMETA info = {.type = XR_TYPE_BODY_TRACKING_CALIBRATION_INFO_META,
                                              .bodyHeight = 1.8f};
    ck_assert_int_eq(suggest(XR_NULL_HANDLE, &info), XR_ERROR_HANDLE_INVALID);
    ck_assert_int_eq(reset_cal(XR_NULL_HANDLE), XR_ERROR_HANDLE_INVALID);
    ck_assert_int_eq(suggest(t, NULL), XR_ERROR_VALIDATION_FAILURE);
    info.type = XR_TYPE_BODY_TRACKING_CALIBRATION_STATUS_META;
    ck_assert_int_eq(suggest(t, &info), XR_ERROR_VALIDATION_FAILURE);
    info.type = XR_TYPE_BODY_TRACKING_CALIBRATION_INFO_META;
    /* Strictly inside (0.5 m, 3 m). */
    static const float bad[] = {0.5f, 3.0f, 0.49f, 3.01f, 0.0f, -1.7f, NAN, INFINITY};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        info.bodyHeight = bad[i];
        ck_assert_msg(suggest(t, &info) == XR_ERROR_VALIDATION_FAILURE, "height %g accepted",
                      (double)bad[i]);
    }
    ck_assert_int_eq(fake_engine.set_heights, 0);

    /* The chained status follows the engine: calibrating, then valid with
     * the override (the skeleton changed), then calibrating again. */
    XrSpace stage = app_space(session, XR_REFERENCE_SPACE_TYPE_STAGE, IDENTITY);
    XrBodyTrackingCalibrationStatusMETA cal = {.type =
                                                   XR_TYPE_BODY_TRACKING_CALIBRATION_STATUS_META};
    XrBodyTrackingFidelityStatusMETA fid = {.type = XR_TYPE_BODY_TRACKING_FIDELITY_STATUS_META,
                                            .next = &cal};
    XrBodyJointLocationFB joints[70];
    XrBodyJointLocationsFB out;
    ck_assert_int_eq(locate(t, stage, T0, 70, joints, &out, &fid), XR_SUCCESS);
    ck_assert_int_eq(cal.status, XR_BODY_TRACKING_CALIBRATION_STATE_CALIBRATING_META);
    ck_assert_uint_eq(out.skeletonChangedCount, 1);
    info.bodyHeight = 1.8f;
    ck_assert_int_eq(suggest(t, &info), XR_SUCCESS);
    ck_assert_int_eq(fake_engine.set_heights, 1);
    ck_assert_float_eq(fake_engine.height, 1.8f);
    info.bodyHeight = 0.51f;
    ck_assert_int_eq(suggest(t, &info), XR_SUCCESS);
    info.bodyHeight = 2.99f;
    ck_assert_int_eq(suggest(t, &info), XR_SUCCESS);
    ck_assert_int_eq(locate(t, stage, T0 + 1, 70, joints, &out, &fid), XR_SUCCESS);
    ck_assert_int_eq(cal.status, XR_BODY_TRACKING_CALIBRATION_STATE_VALID_META);
    ck_assert_uint_eq(out.skeletonChangedCount, 4);
    ck_assert_int_eq(reset_cal(t), XR_SUCCESS);
    ck_assert_int_eq(fake_engine.reset_heights, 1);
    ck_assert_int_eq(locate(t, stage, T0 + 2, 70, joints, &out, &fid), XR_SUCCESS);
    ck_assert_int_eq(cal.status, XR_BODY_TRACKING_CALIBRATION_STATE_CALIBRATING_META);
    finish(session);

    /* Status structs of extensions the application did not enable are left
     * alone (to the layer they are unknown structs). */
    reset();
    static const char *const fb[] = {XR_FB_BODY_TRACKING_EXTENSION_NAME};
    create_instance(fb, 1);
    session = start_session();
    stage = app_space(session, XR_REFERENCE_SPACE_TYPE_STAGE, IDENTITY);
    t = tracker(session, XR_BODY_JOINT_SET_DEFAULT_FB);
    cal.status = (XrBodyTrackingCalibrationStateMETA)77;
    fid.fidelity = (XrBodyTrackingFidelityMETA)77;
    ck_assert_int_eq(locate(t, stage, T0, 70, joints, &out, &fid), XR_SUCCESS);
    ck_assert_uint_eq(out.isActive, XR_TRUE);
    ck_assert_int_eq(cal.status, 77);
    ck_assert_int_eq(fid.fidelity, 77);
    finish(session);
}
END_TEST

/* ---- threads (also run under ThreadSanitizer: the tsan preset) */

typedef struct racer {
    atomic_bool stop;
    atomic_uintptr_t tracker, base; /* what the locating thread uses */
    atomic_int calls, wrong;        /* calls made; results other than allowed */
} racer;

static void *poll_main(void *arg)
{
    racer *r = arg;
    PFN_xrPollEvent poll = APP(PollEvent);
    while (!atomic_load(&r->stop)) {
        XrEventDataBuffer e = {.type = XR_TYPE_EVENT_DATA_BUFFER};
        XrResult res = poll(FAKE_INSTANCE, &e);
        if (res != XR_SUCCESS && res != XR_EVENT_UNAVAILABLE)
            atomic_fetch_add(&r->wrong, 1);
        atomic_fetch_add(&r->calls, 1);
    }
    return NULL;
}

static void *locate_main(void *arg)
{
    racer *r = arg;
    XrBodyJointLocationFB joints[70];
    XrBodyJointLocationsFB out;
    for (int i = 1; !atomic_load(&r->stop); i++) {
        XrBodyTrackerFB t = (XrBodyTrackerFB)atomic_load(&r->tracker);
        XrSpace base = (XrSpace)atomic_load(&r->base);
        if (!t)
            continue;
        XrResult res = locate(t, base, T0 + i * INT64_C(1000000), 70, joints, &out, NULL);
        if (res != XR_SUCCESS && res != XR_ERROR_HANDLE_INVALID)
            atomic_fetch_add(&r->wrong, 1);
        atomic_fetch_add(&r->calls, 1);
    }
    return NULL;
}

/* xrPollEvent while xrDestroySession runs on another thread is allowed; two
 * threads locating while the tracker's session or the tracker itself is
 * destroyed is the application's error. Either way: a clean result or
 * XR_ERROR_HANDLE_INVALID, never freed memory (issue 14: the event observer
 * read a freed session; the locates crashed the application). */
START_TEST(threads_poll_and_locate_while_destroying)
{
    reset();
    create_all_four();
    racer r = {0};
    pthread_t threads[3];
    ck_assert_int_eq(pthread_create(&threads[0], NULL, poll_main, &r), 0);
    for (int i = 1; i < 3; i++)
        ck_assert_int_eq(pthread_create(&threads[i], NULL, locate_main, &r), 0);
    for (int k = 0; k < 40; k++) {
        XrSession session = start_session();
        XrSpace stage = app_space(session, XR_REFERENCE_SPACE_TYPE_STAGE, IDENTITY);
        XrBodyTrackerFB t = tracker(session, XR_BODY_JOINT_SET_DEFAULT_FB);
        atomic_store(&r.base, (uintptr_t)stage);
        atomic_store(&r.tracker, (uintptr_t)t);
        atomic_store(&fake.event_session, (uintptr_t)session);
        int calls = atomic_load(&r.calls);
        while (atomic_load(&r.calls) < calls + 20)
            sched_yield();
        if (k % 2)
            ck_assert_int_eq(APP(DestroyBodyTrackerFB)(t), XR_SUCCESS);
        ck_assert_int_eq(APP(DestroySession)(session), XR_SUCCESS);
    }
    atomic_store(&r.stop, true);
    for (int i = 0; i < 3; i++)
        pthread_join(threads[i], NULL);
    ck_assert_int_eq(atomic_load(&r.wrong), 0);
    ck_assert_int_eq(APP(DestroyInstance)(FAKE_INSTANCE), XR_SUCCESS);
    ck_assert_uint_eq(kn_tracker_count(), 0);
    ck_assert_int_eq(fake_engine.live, 0);
}
END_TEST

int main(void)
{
    setenv("KINEST_LOG", "off", 1);
    static const char *const vars[] = {"KINEST_RECORD", "KINEST_FORCE",  "KINEST_BACKEND",
                                       "KINEST_MODEL",  "KINEST_HEIGHT", "KINEST_SYNC"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        unsetenv(vars[i]);
    Suite *s = suite_create("layer_tracker");
    TCase *tc = tcase_create("tracker");
    tcase_add_test(tc, functions_only_with_their_extension);
    tcase_add_test(tc, create_and_destroy_rules);
    tcase_add_test(tc, unsupported_features);
    tcase_add_test(tc, engine_from_the_settings);
    tcase_add_test(tc, engine_made_off_the_application_thread);
    tcase_add_test(tc, locate_rules);
    tcase_add_test(tc, joints_in_the_application_space);
    tcase_add_test(tc, samples_reach_the_engine);
    tcase_add_test(tc, hostile_times_are_not_sampled);
    tcase_add_test(tc, sync_waits_for_the_engine);
    tcase_add_test(tc, skeleton_rules);
    tcase_add_test(tc, fidelity_rules);
    tcase_add_test(tc, calibration_rules);
    tcase_add_test(tc, threads_poll_and_locate_while_destroying);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
