/* The layer's sessions against a fake runtime, without the loader: what
 * goes down when the application suggests, attaches and syncs (merged, in
 * order, retried without the layer's part when refused), what the layer does
 * for an application that never does (self-suggest for the allowed profiles
 * only, lazy attach, solo sync until the application syncs), the LOCAL
 * fallback with its floor estimate, raw validity flags, and the clock
 * ("now" through XR_KHR_convert_timespec_time, hidden from the application;
 * the last known time without it), and a session that ends while its
 * recording's disk takes no writes. */
#include "body/session.h"
#include "support/fake_runtime.h"
#include "xr/xr_body_tracking.h"
#include "xr/xr_loader_interfaces.h"

#include <check.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FAKE_SESSION ((XrSession)(uintptr_t)0x5e55)
#define MAX_OBJECTS  64

/* ---- the fake runtime */

typedef enum { OBJ_NONE, OBJ_SPACE, OBJ_SET, OBJ_ACTION } obj_kind;

typedef struct obj {
    obj_kind kind;
    XrReferenceSpaceType ref; /* spaces: the reference type, or 0 for action spaces */
    XrPath subaction;
    char name[64]; /* sets */
    uint64_t set;  /* actions: their set */
    bool destroyed;
} obj;

typedef struct call {
    char profile[128];
    uint32_t count, layer_bindings;
    XrResult result;
} call;

static struct {
    obj objs[MAX_OBJECTS]; /* handle = index + 1 */
    int obj_count;
    call suggests[32];
    int suggest_count;
    uint64_t attached[8];
    int attach_count, attach_calls;
    uint64_t synced[32][4];
    int synced_n[32], sync_calls;
    bool focused;
    XrTime located_at;
    XrSpaceLocationFlags head_flags, grip_flags;
    float head_y;
    XrEventDataBuffer events[4];
    int event_count;
} fake;

static obj *get_obj(uint64_t h, obj_kind kind)
{
    if (h == 0 || h > (uint64_t)fake.obj_count)
        return NULL;
    obj *o = &fake.objs[h - 1];
    return o->kind == kind && !o->destroyed ? o : NULL;
}

static uint64_t new_obj(obj o)
{
    ck_assert_int_lt(fake.obj_count, MAX_OBJECTS);
    fake.objs[fake.obj_count++] = o;
    return (uint64_t)fake.obj_count;
}

static bool is_layer_set(uint64_t set)
{
    obj *o = get_obj(set, OBJ_SET);
    return o && strncmp(o->name, "kinest", 6) == 0;
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_poll(XrInstance instance, XrEventDataBuffer *e)
{
    (void)instance;
    if (!fake.event_count)
        return XR_EVENT_UNAVAILABLE;
    *e = fake.events[0];
    memmove(fake.events, fake.events + 1, --fake.event_count * sizeof *e);
    return XR_SUCCESS;
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_create_session(XrInstance instance,
                                                          const XrSessionCreateInfo *info,
                                                          XrSession *session)
{
    (void)instance, (void)info;
    *session = FAKE_SESSION;
    return XR_SUCCESS;
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_session_call(XrSession session)
{
    ck_assert_ptr_eq(session, FAKE_SESSION);
    return XR_SUCCESS;
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_begin(XrSession session, const XrSessionBeginInfo *info)
{
    (void)info;
    return fake_session_call(session);
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_create_reference_space(
    XrSession session, const XrReferenceSpaceCreateInfo *info, XrSpace *space)
{
    (void)session;
    if (fake_runtime.no_stage && info->referenceSpaceType == XR_REFERENCE_SPACE_TYPE_STAGE)
        return XR_ERROR_REFERENCE_SPACE_UNSUPPORTED;
    *space = (XrSpace)(uintptr_t)new_obj((obj){.kind = OBJ_SPACE, .ref = info->referenceSpaceType});
    return XR_SUCCESS;
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_create_action_space(XrSession session,
                                                               const XrActionSpaceCreateInfo *info,
                                                               XrSpace *space)
{
    (void)session;
    /* Strict, like VDXR: only for attached sets. */
    obj *a = get_obj((uint64_t)(uintptr_t)info->action, OBJ_ACTION);
    bool attached = false;
    for (int i = 0; a && i < fake.attach_count; i++)
        attached |= fake.attached[i] == a->set;
    if (!attached)
        return XR_ERROR_ACTIONSET_NOT_ATTACHED;
    *space =
        (XrSpace)(uintptr_t)new_obj((obj){.kind = OBJ_SPACE, .subaction = info->subactionPath});
    return XR_SUCCESS;
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_locate(XrSpace space, XrSpace base, XrTime time,
                                                  XrSpaceLocation *loc)
{
    obj *s = get_obj((uint64_t)(uintptr_t)space, OBJ_SPACE);
    ck_assert_ptr_nonnull(get_obj((uint64_t)(uintptr_t)base, OBJ_SPACE));
    ck_assert_ptr_nonnull(s);
    fake.located_at = time;
    loc->pose = (XrPosef){{0, 0, 0, 1}, {0, 0, 0}};
    if (s->ref == XR_REFERENCE_SPACE_TYPE_VIEW) {
        loc->locationFlags = fake.head_flags;
        loc->pose.position.y = fake.head_y;
    } else if (s->ref == 0 && fake.focused) {
        bool left = strcmp(fake_runtime_path_string(s->subaction), "/user/hand/left") == 0;
        loc->locationFlags = fake.grip_flags;
        loc->pose.position = (XrVector3f){left ? -0.2f : 0.2f, fake.head_y - 0.6f, -0.3f};
        if (!left && (fake.grip_flags & XR_SPACE_LOCATION_POSITION_VALID_BIT) == 0)
            loc->pose.position.x = NAN; /* garbage where not valid */
    } else {
        loc->locationFlags = 0;
    }
    return XR_SUCCESS;
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_destroy_space(XrSpace space)
{
    obj *s = get_obj((uint64_t)(uintptr_t)space, OBJ_SPACE);
    ck_assert_ptr_nonnull(s);
    s->destroyed = true;
    return XR_SUCCESS;
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_create_set(XrInstance instance,
                                                      const XrActionSetCreateInfo *info,
                                                      XrActionSet *set)
{
    (void)instance;
    obj o = {.kind = OBJ_SET};
    strcpy(o.name, info->actionSetName);
    *set = (XrActionSet)(uintptr_t)new_obj(o);
    return XR_SUCCESS;
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_destroy_set(XrActionSet set)
{
    obj *o = get_obj((uint64_t)(uintptr_t)set, OBJ_SET);
    ck_assert_ptr_nonnull(o);
    o->destroyed = true;
    return XR_SUCCESS;
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_create_action(XrActionSet set,
                                                         const XrActionCreateInfo *info,
                                                         XrAction *action)
{
    (void)info;
    *action =
        (XrAction)(uintptr_t)new_obj((obj){.kind = OBJ_ACTION, .set = (uint64_t)(uintptr_t)set});
    return XR_SUCCESS;
}

/* Profiles without grips refuse grip bindings; ext/absent does not exist. */
static XRAPI_ATTR XrResult XRAPI_CALL fake_suggest(XrInstance instance,
                                                   const XrInteractionProfileSuggestedBinding *s)
{
    (void)instance;
    if (!s->countSuggestedBindings)
        return XR_ERROR_VALIDATION_FAILURE;
    call *c = &fake.suggests[fake.suggest_count++];
    snprintf(c->profile, sizeof c->profile, "%s", fake_runtime_path_string(s->interactionProfile));
    c->count = s->countSuggestedBindings;
    c->result = XR_SUCCESS;
    for (uint32_t i = 0; i < s->countSuggestedBindings; i++) {
        obj *a = get_obj((uint64_t)(uintptr_t)s->suggestedBindings[i].action, OBJ_ACTION);
        ck_assert_ptr_nonnull(a);
        c->layer_bindings += is_layer_set(a->set);
        if (strstr(c->profile, "xbox") &&
            strstr(fake_runtime_path_string(s->suggestedBindings[i].binding), "grip"))
            c->result = XR_ERROR_PATH_UNSUPPORTED;
    }
    if (strstr(c->profile, "ext/absent"))
        c->result = XR_ERROR_PATH_UNSUPPORTED;
    if (fake.attach_count)
        c->result = XR_ERROR_ACTIONSETS_ALREADY_ATTACHED;
    return c->result;
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_attach(XrSession session,
                                                  const XrSessionActionSetsAttachInfo *info)
{
    (void)session;
    fake.attach_calls++;
    if (fake.attach_count)
        return XR_ERROR_ACTIONSETS_ALREADY_ATTACHED;
    for (uint32_t i = 0; i < info->countActionSets; i++)
        if (!get_obj((uint64_t)(uintptr_t)info->actionSets[i], OBJ_SET))
            return XR_ERROR_HANDLE_INVALID;
    for (uint32_t i = 0; i < info->countActionSets; i++)
        fake.attached[fake.attach_count++] = (uint64_t)(uintptr_t)info->actionSets[i];
    return XR_SUCCESS;
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_current_profile(XrSession session, XrPath user,
                                                           XrInteractionProfileState *state)
{
    (void)session, (void)user;
    if (!fake.attach_count)
        return XR_ERROR_ACTIONSET_NOT_ATTACHED;
    return fake_runtime_string_to_path(FAKE_INSTANCE, "/interaction_profiles/khr/simple_controller",
                                       &state->interactionProfile);
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_sync(XrSession session, const XrActionsSyncInfo *info)
{
    (void)session;
    if (!fake.attach_count)
        return XR_ERROR_ACTIONSET_NOT_ATTACHED;
    int k = fake.sync_calls++ % 32;
    fake.synced_n[k] = (int)info->countActiveActionSets;
    for (uint32_t i = 0; i < info->countActiveActionSets && i < 4; i++)
        fake.synced[k][i] = (uint64_t)(uintptr_t)info->activeActionSets[i].actionSet;
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
        F(DestroySession, fake_session_call),
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

static void create_instance(const char *const *extra, uint32_t extra_count)
{
    const char *names[4] = {XR_FB_BODY_TRACKING_EXTENSION_NAME};
    for (uint32_t i = 0; i < extra_count; i++)
        names[1 + i] = extra[i];
    gipa = fake_runtime_create_instance(fake_gipa, names, 1 + extra_count);
}

static void reset(void)
{
    memset(&fake, 0, sizeof fake);
    fake.head_flags = XR_SPACE_LOCATION_ORIENTATION_VALID_BIT |
                      XR_SPACE_LOCATION_POSITION_VALID_BIT |
                      XR_SPACE_LOCATION_ORIENTATION_TRACKED_BIT; /* position not tracked */
    fake.grip_flags = 0xF;
    fake.head_y = 1.6f;
    fake_runtime_reset(1000000000);
}

static XrSession start_session(void)
{
    XrSessionCreateInfo info = {.type = XR_TYPE_SESSION_CREATE_INFO, .systemId = FAKE_SYSTEM};
    XrSession session;
    ck_assert_int_eq(APP(CreateSession)(FAKE_INSTANCE, &info, &session), XR_SUCCESS);
    return session;
}

/* The runtime is focused at once; the application learns it from
 * xrPollEvent (poll_focused). */
static void begin_unpolled(XrSession session)
{
    XrSessionBeginInfo info = {.type = XR_TYPE_SESSION_BEGIN_INFO};
    ck_assert_int_eq(APP(BeginSession)(session, &info), XR_SUCCESS);
    fake.focused = true;
}

static void poll_focused(XrSession session)
{
    XrEventDataSessionStateChanged focused = {.type = XR_TYPE_EVENT_DATA_SESSION_STATE_CHANGED,
                                              .session = session,
                                              .state = XR_SESSION_STATE_FOCUSED};
    memcpy(&fake.events[0], &focused, sizeof focused);
    fake.event_count = 1;
    XrEventDataBuffer event = {.type = XR_TYPE_EVENT_DATA_BUFFER};
    ck_assert_int_eq(APP(PollEvent)(FAKE_INSTANCE, &event), XR_SUCCESS);
    ck_assert_int_eq(event.type, XR_TYPE_EVENT_DATA_SESSION_STATE_CHANGED);
}

static void begin(XrSession session)
{
    begin_unpolled(session);
    poll_focused(session);
}

static void wait_frame(XrSession session)
{
    XrFrameState state = {.type = XR_TYPE_FRAME_STATE};
    ck_assert_int_eq(APP(WaitFrame)(session, NULL, &state), XR_SUCCESS);
    fake_runtime.predicted += 11111111;
}

static void finish(XrSession session)
{
    ck_assert_int_eq(APP(DestroySession)(session), XR_SUCCESS);
    ck_assert_int_eq(APP(DestroyInstance)(FAKE_INSTANCE), XR_SUCCESS);
    for (int i = 0; i < fake.obj_count; i++)
        if (fake.objs[i].kind == OBJ_SPACE)
            ck_assert_msg(fake.objs[i].destroyed, "space %d was not destroyed", i + 1);
}

static kn_device_frame latest(XrSession session)
{
    kn_device_frame f;
    ck_assert(kn_feed_latest(kn_session_get(session)->feed, &f));
    return f;
}

static XrPath path(const char *s)
{
    XrPath p;
    fake_runtime_string_to_path(FAKE_INSTANCE, s, &p);
    return p;
}

static XrAction app_action(XrActionSet *set)
{
    XrActionSetCreateInfo si = {.type = XR_TYPE_ACTION_SET_CREATE_INFO};
    strcpy(si.actionSetName, "app");
    strcpy(si.localizedActionSetName, "app");
    ck_assert_int_eq(APP(CreateActionSet)(FAKE_INSTANCE, &si, set), XR_SUCCESS);
    XrActionCreateInfo ai = {.type = XR_TYPE_ACTION_CREATE_INFO,
                             .actionType = XR_ACTION_TYPE_POSE_INPUT};
    strcpy(ai.actionName, "hand");
    strcpy(ai.localizedActionName, "hand");
    XrAction action;
    ck_assert_int_eq(APP(CreateAction)(*set, &ai, &action), XR_SUCCESS);
    return action;
}

static XrResult suggest(XrAction action, const char *profile, const char *binding)
{
    XrActionSuggestedBinding b = {action, path(binding)};
    XrInteractionProfileSuggestedBinding s = {.type = XR_TYPE_INTERACTION_PROFILE_SUGGESTED_BINDING,
                                              .interactionProfile = path(profile),
                                              .countSuggestedBindings = 1,
                                              .suggestedBindings = &b};
    return APP(SuggestInteractionProfileBindings)(FAKE_INSTANCE, &s);
}

/* ---- tests */

START_TEST(an_application_with_actions)
{
    reset();
    create_instance(NULL, 0);
    XrSession session = start_session();
    XrActionSet set;
    XrAction action = app_action(&set);

    /* Merged: the application's binding and the layer's two, in one call. */
    ck_assert_int_eq(suggest(action, "/interaction_profiles/khr/simple_controller",
                             "/user/hand/left/input/aim/pose"),
                     XR_SUCCESS);
    ck_assert_int_eq(fake.suggest_count, 1);
    ck_assert_uint_eq(fake.suggests[0].count, 3);
    ck_assert_uint_eq(fake.suggests[0].layer_bindings, 2);
    /* A profile without grips: refused merged, then the application's alone. */
    ck_assert_int_eq(suggest(action, "/interaction_profiles/microsoft/xbox_controller",
                             "/user/gamepad/input/a/click"),
                     XR_SUCCESS);
    ck_assert_int_eq(fake.suggest_count, 3);
    ck_assert_int_eq(fake.suggests[1].result, XR_ERROR_PATH_UNSUPPORTED);
    ck_assert_uint_eq(fake.suggests[2].count, 1);
    ck_assert_uint_eq(fake.suggests[2].layer_bindings, 0);
    /* The application's own errors are its own. */
    ck_assert_int_eq(suggest(action, "/interaction_profiles/ext/absent", "/user/hand/left/x"),
                     XR_ERROR_PATH_UNSUPPORTED);
    XrInteractionProfileSuggestedBinding empty = {
        .type = XR_TYPE_INTERACTION_PROFILE_SUGGESTED_BINDING,
        .interactionProfile = path("/interaction_profiles/khr/simple_controller")};
    int before = fake.suggest_count;
    ck_assert_int_eq(APP(SuggestInteractionProfileBindings)(FAKE_INSTANCE, &empty),
                     XR_ERROR_VALIDATION_FAILURE);
    ck_assert_int_eq(fake.suggest_count, before); /* went down as it was */

    /* Attach: the layer's set first, the application's after it; then the
     * grip spaces, which the strict fake only allows now. */
    XrSessionActionSetsAttachInfo attach = {
        .type = XR_TYPE_SESSION_ACTION_SETS_ATTACH_INFO, .countActionSets = 1, .actionSets = &set};
    ck_assert_int_eq(APP(AttachSessionActionSets)(session, &attach), XR_SUCCESS);
    ck_assert_int_eq(fake.attach_count, 2);
    ck_assert(is_layer_set(fake.attached[0]));
    ck_assert_uint_eq(fake.attached[1], (uint64_t)(uintptr_t)set);
    ck_assert_int_eq(atomic_load(&kn_session_get(session)->actions.attach), KN_ATTACH_MERGED);
    ck_assert_int_eq(APP(AttachSessionActionSets)(session, &attach),
                     XR_ERROR_ACTIONSETS_ALREADY_ATTACHED);
    /* No self-suggestions: the application suggested its own profiles. */
    for (int i = 0; i < fake.suggest_count; i++)
        ck_assert(!(fake.suggests[i].count == 2 && fake.suggests[i].layer_bindings == 2));

    /* Sync: the layer's set appended to every application sync, and no solo
     * sync once the application syncs. */
    begin(session);
    wait_frame(session); /* before the application's first sync: one solo sync */
    ck_assert_int_eq(fake.sync_calls, 1);
    ck_assert_int_eq(fake.synced_n[0], 1);
    ck_assert(is_layer_set(fake.synced[0][0]));
    XrActiveActionSet active = {set, XR_NULL_PATH};
    XrActionsSyncInfo sync = {
        .type = XR_TYPE_ACTIONS_SYNC_INFO, .countActiveActionSets = 1, .activeActionSets = &active};
    for (int frame = 0; frame < 30; frame++) {
        ck_assert_int_eq(APP(SyncActions)(session, &sync), XR_SUCCESS);
        wait_frame(session);
        struct timespec pause = {0, 1000000};
        nanosleep(&pause, NULL); /* past the solo-sync interval */
    }
    ck_assert_int_eq(fake.sync_calls, 31);
    for (int k = 1; k < 31; k++) {
        ck_assert_int_eq(fake.synced_n[k], 2);
        ck_assert_uint_eq(fake.synced[k][0], (uint64_t)(uintptr_t)set);
        ck_assert(is_layer_set(fake.synced[k][1]));
    }

    /* Samples: raw flags (VALID, not TRACKED), at the predicted time, in STAGE. */
    kn_device_frame f = latest(session);
    ck_assert_int_eq(f.time, fake_runtime.predicted - 11111111);
    ck_assert_uint_eq(f.source, KN_TIME_FRAME);
    ck_assert_uint_eq(f.flags, 0);
    ck_assert_uint_eq(f.devices[KN_DEVICE_HEAD].flags, fake.head_flags);
    ck_assert_float_eq(f.devices[KN_DEVICE_HEAD].pose.position[1], 1.6f);
    ck_assert_uint_eq(f.devices[KN_DEVICE_LEFT_GRIP].flags, 0xF);
    ck_assert_float_eq(f.devices[KN_DEVICE_RIGHT_GRIP].pose.position[0], 0.2f);
    /* Lost right grip, garbage in the pose: flags 0 and the identity. */
    fake.grip_flags = XR_SPACE_LOCATION_ORIENTATION_VALID_BIT;
    wait_frame(session);
    f = latest(session);
    ck_assert_uint_eq(f.devices[KN_DEVICE_RIGHT_GRIP].flags,
                      XR_SPACE_LOCATION_ORIENTATION_VALID_BIT);
    ck_assert_float_eq(f.devices[KN_DEVICE_RIGHT_GRIP].pose.position[0], 0.0f);
    finish(session);
    ck_assert(get_obj(fake.attached[0], OBJ_SET) == NULL); /* the layer's set was destroyed */
}
END_TEST

START_TEST(an_application_without_actions)
{
    reset();
    static const char *const hp[] = {"XR_EXT_hp_mixed_reality_controller"};
    create_instance(hp, 1);
    XrSession session = start_session();
    begin_unpolled(session);
    for (unsigned i = 0; i < KN_LAZY_ATTACH_FRAMES - 1; i++)
        wait_frame(session);
    ck_assert_int_eq(fake.attach_calls, 0); /* not yet: it may still attach */
    ck_assert_uint_eq(latest(session).devices[KN_DEVICE_LEFT_GRIP].flags, 0);
    wait_frame(session);
    /* Attached, but no sync before the application has seen FOCUSED. */
    ck_assert_int_eq(fake.attach_count, 1);
    ck_assert_int_eq(fake.sync_calls, 0);
    poll_focused(session);
    wait_frame(session);
    /* Self-suggested for the five core profiles and the one extension enabled. */
    ck_assert_int_eq(fake.suggest_count, 6);
    bool hp_seen = false;
    for (int i = 0; i < fake.suggest_count; i++) {
        ck_assert_uint_eq(fake.suggests[i].layer_bindings, 2);
        ck_assert_ptr_null(strstr(fake.suggests[i].profile, "pico"));
        ck_assert_ptr_null(strstr(fake.suggests[i].profile, "touch_controller_pro"));
        hp_seen |= strstr(fake.suggests[i].profile, "hp/mixed_reality") != NULL;
    }
    ck_assert(hp_seen);
    ck_assert_int_eq(fake.attach_count, 1);
    ck_assert(is_layer_set(fake.attached[0]));
    ck_assert_int_eq(fake.sync_calls, 1); /* the solo sync */
    ck_assert_uint_eq(latest(session).devices[KN_DEVICE_LEFT_GRIP].flags, 0xF);
    wait_frame(session);
    ck_assert_int_eq(fake.sync_calls, 1); /* rate-limited */

    /* What the application sees is what it would without the layer. */
    XrActionsSyncInfo sync = {.type = XR_TYPE_ACTIONS_SYNC_INFO};
    ck_assert_int_eq(APP(SyncActions)(session, &sync), XR_ERROR_ACTIONSET_NOT_ATTACHED);
    ck_assert_int_eq(fake.sync_calls, 1);
    XrInteractionProfileState state = {.type = XR_TYPE_INTERACTION_PROFILE_STATE};
    ck_assert_int_eq(APP(GetCurrentInteractionProfile)(session, path("/user/hand/left"), &state),
                     XR_ERROR_ACTIONSET_NOT_ATTACHED);
    fake.events[0].type = XR_TYPE_EVENT_DATA_INTERACTION_PROFILE_CHANGED;
    XrEventDataInteractionProfileChanged changed = {XR_TYPE_EVENT_DATA_INTERACTION_PROFILE_CHANGED,
                                                    NULL, session};
    memcpy(&fake.events[0], &changed, sizeof changed);
    fake.events[1].type = XR_TYPE_EVENT_DATA_EVENTS_LOST;
    fake.event_count = 2;
    XrEventDataBuffer event = {.type = XR_TYPE_EVENT_DATA_BUFFER};
    ck_assert_int_eq(APP(PollEvent)(FAKE_INSTANCE, &event), XR_SUCCESS);
    ck_assert_int_eq(event.type, XR_TYPE_EVENT_DATA_EVENTS_LOST); /* the profile event was kept */
    ck_assert_int_eq(APP(PollEvent)(FAKE_INSTANCE, &event), XR_EVENT_UNAVAILABLE);
    finish(session);
}
END_TEST

START_TEST(local_with_an_estimated_floor)
{
    reset();
    fake_runtime.no_stage = true;
    fake.head_y = 0.05f; /* LOCAL starts at the head */
    create_instance(NULL, 0);
    XrSession session = start_session();
    begin(session);
    wait_frame(session);
    kn_device_frame f = latest(session);
    ck_assert_uint_eq(f.flags, KN_FRAME_FLOOR_ESTIMATED);
    ck_assert_float_eq_tol(f.floor_y, 0.05f - KN_FLOOR_DEFAULT_EYE_M, 1e-6);
    ck_assert_float_eq_tol(f.devices[KN_DEVICE_HEAD].pose.position[1], KN_FLOOR_DEFAULT_EYE_M,
                           1e-6);
    fake.head_y = -0.5f; /* crouching: the floor stays */
    wait_frame(session);
    f = latest(session);
    ck_assert_float_eq_tol(f.floor_y, 0.05f - KN_FLOOR_DEFAULT_EYE_M, 1e-6);
    ck_assert_float_eq_tol(f.devices[KN_DEVICE_HEAD].pose.position[1],
                           KN_FLOOR_DEFAULT_EYE_M - 0.55f, 1e-6);
    ck_assert_int_eq(kn_session_get(session)->base_type, XR_REFERENCE_SPACE_TYPE_LOCAL);
    finish(session);
}
END_TEST

START_TEST(the_clock_without_display_times)
{
    /* Headless (predictedDisplayTime 0): "now" through the extension the
     * layer enabled for itself, which the application does not get. */
    reset();
    fake_runtime.list_timespec = true;
    fake_runtime.predicted = 0;
    create_instance(NULL, 0);
    ck_assert(fake_runtime.timespec_enabled);
    PFN_xrVoidFunction f = (PFN_xrVoidFunction)fake_runtime_ok_instance; /* not NULL */
    ck_assert_int_eq(gipa(FAKE_INSTANCE, "xrConvertTimespecTimeToTimeKHR", &f),
                     XR_ERROR_FUNCTION_UNSUPPORTED);
    ck_assert(f == NULL);
    XrSession session = start_session();
    begin(session);
    wait_frame(session);
    kn_device_frame fr = latest(session);
    ck_assert_int_eq(fr.time, FAKE_NOW);
    ck_assert_uint_eq(fr.source, KN_TIME_NOW);
    ck_assert_int_eq(fake.located_at, FAKE_NOW);
    finish(session);

    /* Enabled by the application: its own, not hidden. */
    reset();
    fake_runtime.list_timespec = true;
    static const char *const ts[] = {"XR_KHR_convert_timespec_time"};
    create_instance(ts, 1);
    ck_assert_int_eq(gipa(FAKE_INSTANCE, "xrConvertTimespecTimeToTimeKHR", &f), XR_SUCCESS);
    ck_assert(f == (PFN_xrVoidFunction)fake_runtime_convert);
    ck_assert_int_eq(APP(DestroyInstance)(FAKE_INSTANCE), XR_SUCCESS);

    /* No extension, no frame loop: the newest time the application used. */
    reset();
    fake_runtime.predicted = 0;
    create_instance(NULL, 0);
    ck_assert(!fake_runtime.timespec_enabled);
    session = start_session();
    begin(session);
    XrViewLocateInfo vi = {.type = XR_TYPE_VIEW_LOCATE_INFO, .displayTime = 5555};
    XrViewState vs = {.type = XR_TYPE_VIEW_STATE};
    uint32_t n;
    ck_assert_int_eq(APP(LocateViews)(session, &vi, &vs, 0, &n, NULL), XR_SUCCESS);
    wait_frame(session);
    fr = latest(session);
    ck_assert_int_eq(fr.time, 5555);
    ck_assert_uint_eq(fr.source, KN_TIME_LAST_KNOWN);
    /* Nothing newer: no new sample. */
    ck_assert(!kn_session_sample_at(kn_session_get(session), 5555, KN_TIME_REQUESTED, NULL));
    ck_assert(kn_session_sample_at(kn_session_get(session), 6000, KN_TIME_REQUESTED, &fr));
    ck_assert_uint_eq(fr.source, KN_TIME_REQUESTED);
    finish(session);
}
END_TEST

/* ---- a disk that stops taking writes */

/* The clip writer writes through fwrite; this test is linked with
 * --wrap=fwrite, so a write to the file stall.dev/ino names blocks while
 * stall.on, as it does on a stalled network file system: the recorder's
 * own thread and queue, the clip writer and the file stay the real ones. */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool on, entered;
    dev_t dev;
    ino_t ino;
} stall = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

size_t __real_fwrite(const void *data, size_t size, size_t n, FILE *f);
size_t __wrap_fwrite(const void *data, size_t size, size_t n, FILE *f);

size_t __wrap_fwrite(const void *data, size_t size, size_t n, FILE *f)
{
    struct stat sb;
    pthread_mutex_lock(&stall.lock);
    if (stall.on && fstat(fileno(f), &sb) == 0 && sb.st_dev == stall.dev &&
        sb.st_ino == stall.ino) {
        stall.entered = true;
        pthread_cond_broadcast(&stall.cond);
        while (stall.on)
            pthread_cond_wait(&stall.cond, &stall.lock);
    }
    pthread_mutex_unlock(&stall.lock);
    return __real_fwrite(data, size, n, f);
}

static void release_stall(void)
{
    pthread_mutex_lock(&stall.lock);
    stall.on = false;
    pthread_cond_broadcast(&stall.cond);
    pthread_mutex_unlock(&stall.lock);
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The disk comes back this long after the session's end began, so that a
 * session end that waits for it fails the test instead of hanging it. */
#define DISK_BACK_NS (KN_RECORD_STOP_NS + INT64_C(3000000000)) /* whole seconds */

static void *disk_comes_back(void *arg)
{
    (void)arg;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += DISK_BACK_NS / 1000000000;
    pthread_mutex_lock(&stall.lock);
    while (stall.on && pthread_cond_timedwait(&stall.cond, &stall.lock, &until) == 0) {
    }
    stall.on = false;
    pthread_cond_broadcast(&stall.cond);
    pthread_mutex_unlock(&stall.lock);
    return NULL;
}

/* The recording's metadata once its thread has closed the file, or NULL. */
static json_t *closed_recording(const char *path)
{
    kn_clip clip;
    kn_error err;
    if (kn_clip_read_file(path, &clip, &err) != KN_OK)
        return NULL;
    json_t *m = json_loads(clip.metadata, 0, NULL);
    kn_clip_free(&clip);
    const char *state = m ? json_string_value(json_object_get(m, "recording")) : NULL;
    if (state && strcmp(state, "interrupted") != 0)
        return m;
    json_decref(m);
    return NULL;
}

/* KINEST_RECORD on a disk that stops taking writes mid-session (issue 14:
 * xrDestroySession joined the recording's thread, stuck in its write, and
 * never returned): the session ends after KN_RECORD_STOP_NS, the recording
 * is closed by its own thread once the write returns. */
START_TEST(session_end_does_not_wait_for_a_stalled_disk)
{
    char dir[] = "/tmp/kinest-stall-XXXXXX", path[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/session.kclip", dir);
    reset();
    setenv("KINEST_RECORD", path, 1);
    create_instance(NULL, 0);
    unsetenv("KINEST_RECORD");
    XrSession session = start_session();
    struct stat sb;
    ck_assert_int_eq(stat(path, &sb), 0); /* created, its header written */
    begin(session);

    /* The disk stalls: the recording's thread blocks in its next write. */
    pthread_mutex_lock(&stall.lock);
    stall.on = true;
    stall.entered = false;
    stall.dev = sb.st_dev;
    stall.ino = sb.st_ino;
    pthread_mutex_unlock(&stall.lock);
    bool entered = false;
    for (int i = 0; i < 500 && !entered; i++) {
        wait_frame(session);
        struct timespec pause = {0, 2000000};
        nanosleep(&pause, NULL);
        pthread_mutex_lock(&stall.lock);
        entered = stall.entered;
        pthread_mutex_unlock(&stall.lock);
    }
    ck_assert_msg(entered, "the recording never wrote");
    for (int i = 0; i < 30; i++)
        wait_frame(session); /* frames queue up behind the stuck write */

    pthread_t back;
    ck_assert_int_eq(pthread_create(&back, NULL, disk_comes_back, NULL), 0);
    int64_t t0 = now_ns();
    ck_assert_int_eq(APP(DestroySession)(session), XR_SUCCESS);
    int64_t took = now_ns() - t0;
    /* It gave the writes their time, then ended without them. */
    ck_assert_msg(took >= KN_RECORD_STOP_NS - INT64_C(100000000) &&
                      took < KN_RECORD_STOP_NS + INT64_C(1000000000),
                  "xrDestroySession took %.2f s (bound %.1f s)", (double)took / 1e9,
                  (double)KN_RECORD_STOP_NS / 1e9);
    ck_assert_int_eq(APP(DestroyInstance)(FAKE_INSTANCE), XR_SUCCESS);

    /* The disk back: the recording's thread finishes the file on its own. */
    release_stall();
    pthread_join(back, NULL);
    json_t *m = NULL;
    for (int i = 0; i < 500 && !(m = closed_recording(path)); i++) {
        struct timespec pause = {0, 10000000};
        nanosleep(&pause, NULL);
    }
    ck_assert_msg(m != NULL, "the recording was never closed");
    ck_assert_str_eq(json_string_value(json_object_get(m, "recording")), "complete");
    json_decref(m);
    remove(path);
    rmdir(dir);
}
END_TEST

int main(void)
{
    setenv("KINEST_LOG", "error", 1);
    unsetenv("KINEST_RECORD");
    unsetenv("KINEST_FORCE");
    Suite *s = suite_create("layer_session");
    TCase *tc = tcase_create("session");
    tcase_add_test(tc, an_application_with_actions);
    tcase_add_test(tc, an_application_without_actions);
    tcase_add_test(tc, local_with_an_estimated_floor);
    tcase_add_test(tc, the_clock_without_display_times);
    tcase_add_test(tc, session_end_does_not_wait_for_a_stalled_disk);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
