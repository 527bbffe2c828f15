/* replay CLIP [--enable-fb]
 *
 * Writes a 30 Hz clip to CLIP, points the runtime at it (KINEST_REPLAY_CLIP)
 * and runs what a headless application does: session lifecycle through
 * events, actions with grip and aim poses for the Touch controller, and a
 * 60 Hz frame loop. Every frame it checks that VIEW and the grip and aim
 * action spaces, located in STAGE, are the clip's device poses at the
 * predicted display time (interpolated here, independently of the runtime),
 * validity flags included. --enable-fb keeps the kinest layer in the chain. */
#include "clip/kn_clip.h"
#include "e2e.h"

#include <math.h>
#include <string.h>

#define DISPLAY_HZ 60

static int64_t times[CLIP_FRAMES];
static kn_device_sample devices[CLIP_FRAMES][KN_CLIP_DEVICE_COUNT];

static void axis_angle(float ax, float ay, float az, float angle, versor out)
{
    float s = sinf(angle / 2);
    out[0] = ax * s;
    out[1] = ay * s;
    out[2] = az * s;
    out[3] = cosf(angle / 2);
}

/* A head that walks and turns, hands that swing. */
void e2e_clip_write(const char *path)
{
    for (int f = 0; f < CLIP_FRAMES; f++) {
        float t = (float)f / CLIP_RATE_HZ;
        times[f] = CLIP_START + (int64_t)f * 1000000000 / CLIP_RATE_HZ;
        kn_device_sample *d = devices[f];
        d[0].flags = KN_FLAGS_ALL;
        axis_angle(0, 1, 0, 0.8f * t, d[0].pose.orientation);
        glm_vec3_copy((vec3){0.3f * sinf(2 * t), 1.62f + 0.03f * sinf(6 * t), -0.6f * t},
                      d[0].pose.position);
        for (int h = 1; h <= 2; h++) {
            float side = h == 1 ? -1.0f : 1.0f;
            d[h].flags = KN_FLAGS_ALL;
            axis_angle(1, 0, 0, 0.6f * sinf(3 * t + side), d[h].pose.orientation);
            glm_vec3_copy((vec3){side * 0.25f, 0.95f + 0.1f * sinf(3 * t),
                                 -0.6f * t + 0.2f * side * sinf(3 * t)},
                          d[h].pose.position);
        }
        if (f == GAP_FRAME) {
            d[1].flags = 0;
            kn_pose_identity(&d[1].pose);
        }
        if (f >= UNTRACKED)
            d[2].flags = KN_FLAG_ORIENTATION_VALID | KN_FLAG_POSITION_VALID;
    }
    kn_clip clip = {.frame_count = CLIP_FRAMES,
                    .rate_hz = CLIP_RATE_HZ,
                    .metadata = (char *)"{\"source\": \"kinest-e2e\"}",
                    .time_ns = times,
                    .devices = &devices[0][0]};
    kn_error err;
    CHECK(kn_clip_write_file(path, &clip, &err) == KN_OK, "%s", err.message);
}

/* The clip's device pose at clip time t, computed here on our own. */
kn_device_sample e2e_clip_expected(int device, int64_t t)
{
    if (t <= times[0])
        return devices[0][device];
    if (t >= times[CLIP_FRAMES - 1])
        return devices[CLIP_FRAMES - 1][device];
    int k = 0;
    while (times[k + 1] <= t)
        k++;
    const kn_device_sample *a = &devices[k][device], *b = &devices[k + 1][device];
    if (t == times[k])
        return *a;
    float u = (float)(t - times[k]) / (float)(times[k + 1] - times[k]);
    kn_device_sample s = {.flags = a->flags & b->flags};
    kn_quat_slerp(a->pose.orientation, b->pose.orientation, u, s.pose.orientation);
    glm_vec3_lerp((float *)a->pose.position, (float *)b->pose.position, u, s.pose.position);
    return s;
}

#define VALID_BITS (XR_SPACE_LOCATION_ORIENTATION_VALID_BIT | XR_SPACE_LOCATION_POSITION_VALID_BIT)

static void check_pose(const char *what, XrSpace space, XrSpace base, XrTime time,
                       int64_t clip_time, int device)
{
    XrSpaceLocation loc = {.type = XR_TYPE_SPACE_LOCATION};
    CHECK_XR(xrLocateSpace(space, base, time, &loc));
    kn_device_sample want = e2e_clip_expected(device, clip_time);
    CHECK(loc.locationFlags == want.flags, "%s at clip time %lld: flags 0x%llx, clip has 0x%x",
          what, (long long)clip_time, (unsigned long long)loc.locationFlags, want.flags);
    if ((want.flags & VALID_BITS) != VALID_BITS)
        return;
    /* Slerp may leave the quaternion a hair off unit length: compare directions. */
    glm_quat_normalize(want.pose.orientation);
    const float *q = want.pose.orientation, *p = want.pose.position;
    float dot = fabsf(q[0] * loc.pose.orientation.x + q[1] * loc.pose.orientation.y +
                      q[2] * loc.pose.orientation.z + q[3] * loc.pose.orientation.w);
    float dist = sqrtf(powf(p[0] - loc.pose.position.x, 2) + powf(p[1] - loc.pose.position.y, 2) +
                       powf(p[2] - loc.pose.position.z, 2));
    CHECK(dot > 1.0f - 1e-5f && dist < 1e-4f,
          "%s at clip time %lld: pose (%.4f %.4f %.4f) q.dot %.6f, clip has (%.4f %.4f %.4f)", what,
          (long long)clip_time, loc.pose.position.x, loc.pose.position.y, loc.pose.position.z, dot,
          p[0], p[1], p[2]);
}

void e2e_expect_states(XrInstance instance, XrSession session, const XrSessionState *states,
                       int count, int *profile_changes, XrTime *first_time)
{
    for (int i = 0; i < count;) {
        XrEventDataBuffer event = {.type = XR_TYPE_EVENT_DATA_BUFFER};
        XrResult r = xrPollEvent(instance, &event);
        CHECK_XR(r);
        CHECK(r != XR_EVENT_UNAVAILABLE, "waiting for session state %d, the queue is empty",
              states[i]);
        if (event.type == XR_TYPE_EVENT_DATA_INTERACTION_PROFILE_CHANGED) {
            (*profile_changes)++;
            continue;
        }
        CHECK(event.type == XR_TYPE_EVENT_DATA_SESSION_STATE_CHANGED, "unexpected event %d",
              event.type);
        XrEventDataSessionStateChanged changed;
        memcpy(&changed, &event, sizeof changed);
        CHECK(changed.session == session && changed.state == states[i],
              "session state %d, expected %d", changed.state, states[i]);
        if (i == 0 && first_time)
            *first_time = changed.time;
        i++;
    }
}

XrPath e2e_path(XrInstance instance, const char *s)
{
    XrPath p;
    CHECK_XR(xrStringToPath(instance, s, &p));
    return p;
}

XrSpace e2e_reference_space(XrSession session, XrReferenceSpaceType type)
{
    XrReferenceSpaceCreateInfo info = {.type = XR_TYPE_REFERENCE_SPACE_CREATE_INFO,
                                       .referenceSpaceType = type,
                                       .poseInReferenceSpace = {{0, 0, 0, 1}, {0, 0, 0}}};
    XrSpace space;
    CHECK_XR(xrCreateReferenceSpace(session, &info, &space));
    return space;
}

XrSpace e2e_action_space(XrSession session, XrAction action, XrPath subaction)
{
    XrActionSpaceCreateInfo info = {.type = XR_TYPE_ACTION_SPACE_CREATE_INFO,
                                    .action = action,
                                    .subactionPath = subaction,
                                    .poseInActionSpace = {{0, 0, 0, 1}, {0, 0, 0}}};
    XrSpace space;
    CHECK_XR(xrCreateActionSpace(session, &info, &space));
    return space;
}

XrAction e2e_make_action(XrActionSet set, const char *name, XrActionType type, const XrPath *hands)
{
    XrActionCreateInfo info = {.type = XR_TYPE_ACTION_CREATE_INFO,
                               .actionType = type,
                               .countSubactionPaths = 2,
                               .subactionPaths = hands};
    snprintf(info.actionName, sizeof info.actionName, "%s", name);
    snprintf(info.localizedActionName, sizeof info.localizedActionName, "%s", name);
    XrAction action;
    CHECK_XR(xrCreateAction(set, &info, &action));
    return action;
}

int e2e_replay(int argc, char **argv)
{
    CHECK(argc >= 1, "usage: kinest-e2e replay CLIP [--enable-fb]");
    bool fb = argc > 1 && strcmp(argv[1], "--enable-fb") == 0;
    e2e_clip_write(argv[0]);
    setenv("KINEST_REPLAY_CLIP", argv[0], 1);

    XrInstance instance;
    static const char *const fb_name[] = {XR_FB_BODY_TRACKING_EXTENSION_NAME};
    CHECK_XR(e2e_create_instance(fb_name, fb ? 1 : 0, &instance));
    XrSystemId system = e2e_system(instance);
    XrSessionCreateInfo session_info = {.type = XR_TYPE_SESSION_CREATE_INFO, .systemId = system};
    XrSession session;
    CHECK_XR(xrCreateSession(instance, &session_info, &session));

    /* Actions: grip and aim poses on both hands, and a trigger. */
    XrActionSetCreateInfo set_info = {.type = XR_TYPE_ACTION_SET_CREATE_INFO};
    snprintf(set_info.actionSetName, sizeof set_info.actionSetName, "e2e");
    snprintf(set_info.localizedActionSetName, sizeof set_info.localizedActionSetName, "e2e");
    XrActionSet set;
    CHECK_XR(xrCreateActionSet(instance, &set_info, &set));
    XrPath hands[2] = {e2e_path(instance, "/user/hand/left"),
                       e2e_path(instance, "/user/hand/right")};
    XrAction grip = e2e_make_action(set, "grip", XR_ACTION_TYPE_POSE_INPUT, hands);
    XrAction aim = e2e_make_action(set, "aim", XR_ACTION_TYPE_POSE_INPUT, hands);
    XrAction trigger = e2e_make_action(set, "trigger", XR_ACTION_TYPE_FLOAT_INPUT, hands);
    static const char *const profiles[] = {"/interaction_profiles/khr/simple_controller",
                                           "/interaction_profiles/oculus/touch_controller"};
    for (int p = 0; p < 2; p++) {
        XrActionSuggestedBinding b[5] = {
            {grip, e2e_path(instance, "/user/hand/left/input/grip/pose")},
            {grip, e2e_path(instance, "/user/hand/right/input/grip/pose")},
            {aim, e2e_path(instance, "/user/hand/left/input/aim/pose")},
            {aim, e2e_path(instance, "/user/hand/right/input/aim/pose")},
            {trigger, e2e_path(instance, p ? "/user/hand/right/input/trigger/value"
                                           : "/user/hand/right/input/select/click")}};
        XrInteractionProfileSuggestedBinding s = {
            .type = XR_TYPE_INTERACTION_PROFILE_SUGGESTED_BINDING,
            .interactionProfile = e2e_path(instance, profiles[p]),
            .countSuggestedBindings = 5,
            .suggestedBindings = b};
        CHECK_XR(xrSuggestInteractionProfileBindings(instance, &s));
    }
    XrSpace grip_space[2] = {e2e_action_space(session, grip, hands[0]),
                             e2e_action_space(session, grip, hands[1])};
    XrSpace aim_left = e2e_action_space(session, aim, hands[0]);
    XrSessionActionSetsAttachInfo attach = {
        .type = XR_TYPE_SESSION_ACTION_SETS_ATTACH_INFO, .countActionSets = 1, .actionSets = &set};
    CHECK_XR(xrAttachSessionActionSets(session, &attach));
    XrResult again = xrAttachSessionActionSets(session, &attach);
    CHECK(again == XR_ERROR_ACTIONSETS_ALREADY_ATTACHED, "a second attach gave %s",
          e2e_result_name(again));

    XrSpace stage = e2e_reference_space(session, XR_REFERENCE_SPACE_TYPE_STAGE);
    XrSpace view = e2e_reference_space(session, XR_REFERENCE_SPACE_TYPE_VIEW);
    XrSpace local = e2e_reference_space(session, XR_REFERENCE_SPACE_TYPE_LOCAL);

    int profile_changes = 0;
    static const XrSessionState ready[] = {XR_SESSION_STATE_IDLE, XR_SESSION_STATE_READY};
    e2e_expect_states(instance, session, ready, 2, &profile_changes, NULL);
    XrSessionBeginInfo begin = {.type = XR_TYPE_SESSION_BEGIN_INFO,
                                .primaryViewConfigurationType =
                                    XR_VIEW_CONFIGURATION_TYPE_PRIMARY_STEREO};
    CHECK_XR(xrBeginSession(session, &begin));
    static const XrSessionState focused[] = {XR_SESSION_STATE_SYNCHRONIZED,
                                             XR_SESSION_STATE_VISIBLE, XR_SESSION_STATE_FOCUSED};
    e2e_expect_states(instance, session, focused, 3, &profile_changes, NULL);
    CHECK(profile_changes == 1, "%d interaction-profile events, expected 1", profile_changes);

    XrInteractionProfileState current = {.type = XR_TYPE_INTERACTION_PROFILE_STATE};
    CHECK_XR(xrGetCurrentInteractionProfile(session, hands[0], &current));
    CHECK(current.interactionProfile == e2e_path(instance, profiles[1]),
          "the current profile is not the Touch controller");

    XrResult r = xrBeginFrame(session, NULL);
    CHECK(r == XR_ERROR_CALL_ORDER_INVALID, "xrBeginFrame before xrWaitFrame gave %s",
          e2e_result_name(r));

    XrTime first = 0;
    const int frames = (CLIP_FRAMES - 1) * DISPLAY_HZ / CLIP_RATE_HZ + 1;
    for (int n = 0; n < frames; n++) {
        XrFrameState frame = {.type = XR_TYPE_FRAME_STATE};
        CHECK_XR(xrWaitFrame(session, NULL, &frame));
        CHECK_XR(xrBeginFrame(session, NULL));
        if (n == 0)
            first = frame.predictedDisplayTime;
        /* The runtime plays the clip's first frame at the first display time. */
        XrTime origin = first - CLIP_START;
        int64_t since = frame.predictedDisplayTime - first;
        CHECK(since == (int64_t)n * 1000000000 / DISPLAY_HZ && frame.shouldRender &&
                  frame.predictedDisplayPeriod > 0,
              "frame %d: displayed %lld ns after the first", n, (long long)since);

        XrActiveActionSet active = {set, XR_NULL_PATH};
        XrActionsSyncInfo sync = {.type = XR_TYPE_ACTIONS_SYNC_INFO,
                                  .countActiveActionSets = 1,
                                  .activeActionSets = &active};
        CHECK(xrSyncActions(session, &sync) == XR_SUCCESS, "xrSyncActions: not focused?");
        XrActionStateGetInfo get = {
            .type = XR_TYPE_ACTION_STATE_GET_INFO, .action = grip, .subactionPath = hands[0]};
        XrActionStatePose pose_state = {.type = XR_TYPE_ACTION_STATE_POSE};
        CHECK_XR(xrGetActionStatePose(session, &get, &pose_state));
        CHECK(pose_state.isActive, "the left grip action is inactive");

        /* At the display time and a quarter frame later (between samples). */
        for (int q = 0; q < 2; q++) {
            XrTime t = frame.predictedDisplayTime + q * frame.predictedDisplayPeriod / 4;
            int64_t ct = t - origin;
            check_pose("VIEW", view, stage, t, ct, KN_DEVICE_HEAD);
            check_pose("left grip", grip_space[0], stage, t, ct, KN_DEVICE_LEFT_GRIP);
            check_pose("right grip", grip_space[1], stage, t, ct, KN_DEVICE_RIGHT_GRIP);
            check_pose("left aim", aim_left, stage, t, ct, KN_DEVICE_LEFT_GRIP);
        }
        if (n == 0) {
            /* LOCAL starts at the head, turned only about +Y. */
            XrSpaceLocation loc = {.type = XR_TYPE_SPACE_LOCATION};
            CHECK_XR(xrLocateSpace(view, local, frame.predictedDisplayTime, &loc));
            CHECK(fabsf(loc.pose.position.x) + fabsf(loc.pose.position.y) +
                          fabsf(loc.pose.position.z) <
                      1e-4f,
                  "the head is not at LOCAL's origin at the start");
        }
        XrFrameEndInfo end = {.type = XR_TYPE_FRAME_END_INFO,
                              .displayTime = frame.predictedDisplayTime,
                              .environmentBlendMode = XR_ENVIRONMENT_BLEND_MODE_OPAQUE};
        CHECK_XR(xrEndFrame(session, &end));
    }
    XrFrameEndInfo end = {.type = XR_TYPE_FRAME_END_INFO,
                          .displayTime = first,
                          .environmentBlendMode = XR_ENVIRONMENT_BLEND_MODE_OPAQUE};
    r = xrEndFrame(session, &end);
    CHECK(r == XR_ERROR_CALL_ORDER_INVALID, "xrEndFrame outside a frame gave %s",
          e2e_result_name(r));

    CHECK_XR(xrRequestExitSession(session));
    static const XrSessionState stopping[] = {
        XR_SESSION_STATE_VISIBLE, XR_SESSION_STATE_SYNCHRONIZED, XR_SESSION_STATE_STOPPING};
    e2e_expect_states(instance, session, stopping, 3, &profile_changes, NULL);
    CHECK_XR(xrEndSession(session));
    static const XrSessionState exiting[] = {XR_SESSION_STATE_IDLE, XR_SESSION_STATE_EXITING};
    e2e_expect_states(instance, session, exiting, 2, &profile_changes, NULL);

    CHECK_XR(xrDestroySession(session));
    CHECK_XR(xrDestroyInstance(instance));
    printf("replayed %d frames of a %d-frame clip\n", frames, CLIP_FRAMES);
    return 0;
}
