/* The layer's device sampling and KINEST_RECORD, end to end.
 *
 *   live CLIP RECORD [--no-actions] [--no-frames] [--late-events] [--stall]
 *       Writes the test clip to CLIP and has the replay runtime play it; the
 *       application enables XR_FB_body_tracking (so the layer serves it) and
 *       runs a session while the layer records to RECORD (run-e2e sets
 *       KINEST_RECORD to the same path). Then it reads RECORD back and checks
 *       that every recorded head and grip pose is the clip's at the recorded
 *       time (interpolated here) within 1 mm and 0.1 degrees, with the same
 *       validity flags, that a lost grip and a valid-but-not-tracked grip are
 *       among them, and what the metadata says.
 *         default       its own actions (suggest, attach twice, sync every
 *                       frame) and a frame loop; its own grip, aim and VIEW
 *                       poses are checked against the clip every frame, and
 *                       every predicted display time is recorded, but
 *                       those a sample at "now" passed (check_display_times).
 *         --no-actions  it never suggests, attaches or syncs: the layer
 *                       suggests, attaches and syncs for itself, and the
 *                       application sees nothing of it (no interaction
 *                       profile event, ACTIONSET_NOT_ATTACHED as without
 *                       the layer).
 *         --no-frames   no xrWaitFrame at all: it only polls events (and
 *                       syncs) for 1.6 s; the layer samples at "now"
 *                       through XR_KHR_convert_timespec_time, which it
 *                       enabled for itself and hides from the application.
 *         --late-events with a frame loop: the events of xrBeginSession
 *                       (up to FOCUSED) are polled only after LATE_FRAMES
 *                       frames, past the layer's attach for an application
 *                       without actions. The replay runtime warns of an
 *                       xrSyncActions that succeeds before the application
 *                       has polled FOCUSED (run-e2e fails on it).
 *         --stall       with a frame loop: STALL_MS between xrBeginSession
 *                       and its events, as an application that loads
 *                       after it began (or a preempted one): the layer
 *                       samples at "now" before the first frame
 *                       (check_display_times).
 *   attach-twice [--enable-fb]
 *       Prints what attaching, attaching again, syncing and asking for the
 *       interaction profile return; run-e2e compares the output with and
 *       without the layer. */
#include "e2e.h"

#include "body/session_sampling.h"

#include <jansson.h>
#include <math.h>
#include <string.h>
#include <time.h>

#define DISPLAY_HZ     60
#define LIVE_FRAMES    120 /* 2 s of display time: past the clip's end, which holds */
#define LATE_FRAMES    15  /* past KN_LAZY_ATTACH_FRAMES (10), before the lost grip (20) */
#define FRAMELESS_NS   INT64_C(1600000000)
#define STALL_MS       300 /* 3 x KN_FRAMELESS_NS */
#define MAX_POSITION_M 0.001f
#define MAX_ANGLE_DEG  0.1f
#define TOUCH          "/interaction_profiles/oculus/touch_controller"

static const char *const device_names[] = {"head", "left grip", "right grip"};

static bool has_option(int argc, char **argv, const char *option)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], option) == 0)
            return true;
    return false;
}

static int64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

#define VALID_BITS (XR_SPACE_LOCATION_ORIENTATION_VALID_BIT | XR_SPACE_LOCATION_POSITION_VALID_BIT)

/* A pose against the clip's at clip time ct: flags exactly, pose within the
 * tolerances where valid. */
static void compare(const char *what, long index, uint32_t flags, const kn_pose *pose, int device,
                    int64_t ct)
{
    kn_device_sample want = e2e_clip_expected(device, ct);
    CHECK(flags == want.flags, "%s %ld (%s) at clip time %lld: flags 0x%x, the clip has 0x%x", what,
          index, device_names[device], (long long)ct, flags, want.flags);
    if ((want.flags & VALID_BITS) != VALID_BITS)
        return;
    float dist = glm_vec3_distance((float *)pose->position, want.pose.position);
    float angle =
        kn_quat_angle_between(pose->orientation, want.pose.orientation) * 180.0f / GLM_PIf;
    CHECK(dist <= MAX_POSITION_M && angle <= MAX_ANGLE_DEG,
          "%s %ld (%s) at clip time %lld: %.2f mm and %.3f deg from the clip", what, index,
          device_names[device], (long long)ct, dist * 1000, angle);
}

static void compare_location(const char *what, long index, XrSpace space, XrSpace base, XrTime t,
                             int device)
{
    XrSpaceLocation loc = {.type = XR_TYPE_SPACE_LOCATION};
    CHECK_XR(xrLocateSpace(space, base, t, &loc));
    kn_pose pose = {{loc.pose.orientation.x, loc.pose.orientation.y, loc.pose.orientation.z,
                     loc.pose.orientation.w},
                    {loc.pose.position.x, loc.pose.position.y, loc.pose.position.z}};
    compare(what, index, (uint32_t)loc.locationFlags, &pose, device, t - E2E_REPLAY_TIME_ORIGIN);
}

/* Drains the event queue: only interaction-profile events may come. */
static void drain_events(XrInstance instance, int *profile_changes)
{
    for (;;) {
        XrEventDataBuffer event = {.type = XR_TYPE_EVENT_DATA_BUFFER};
        XrResult r = xrPollEvent(instance, &event);
        CHECK_XR(r);
        if (r == XR_EVENT_UNAVAILABLE)
            return;
        CHECK(event.type == XR_TYPE_EVENT_DATA_INTERACTION_PROFILE_CHANGED,
              "unexpected event %d during the session", event.type);
        (*profile_changes)++;
    }
}

static const char *json_text(json_t *root, const char *key, const char *inner)
{
    json_t *v = json_object_get(root, key);
    if (inner)
        v = json_object_get(v, inner);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static json_int_t check_metadata(const kn_clip *rec, bool frames)
{
    json_error_t jerr;
    json_t *m = json_loads(rec->metadata, 0, &jerr);
    CHECK(m, "the recording's metadata is not JSON: %s", jerr.text);
    CHECK(json_is_true(json_object_get(m, "live")), "the metadata does not say it is live");
    const char *s;
    CHECK((s = json_text(m, "recording", NULL)) && strcmp(s, "complete") == 0, "recording: %s",
          s ? s : "(none)");
    CHECK((s = json_text(m, "base_space", NULL)) && strcmp(s, "STAGE") == 0, "base_space: %s",
          s ? s : "(none)");
    CHECK((s = json_text(m, "runtime", "name")) && strcmp(s, "kinest replay runtime") == 0,
          "runtime name: %s", s ? s : "(none)");
    CHECK((s = json_text(m, "system", "name")) && strncmp(s, "kinest replay", 13) == 0,
          "system name: %s", s ? s : "(none)");
    CHECK((s = json_text(m, "interaction_profile", "left")) && strcmp(s, TOUCH) == 0,
          "left interaction profile: %s", s ? s : "(none)");
    CHECK((s = json_text(m, "interaction_profile", "right")) && strcmp(s, TOUCH) == 0,
          "right interaction profile: %s", s ? s : "(none)");
    CHECK(json_is_false(json_object_get(json_object_get(m, "floor"), "estimated")),
          "the floor is estimated although the runtime has STAGE");
    json_t *sources = json_object_get(m, "time_sources");
    json_int_t from_frames = json_integer_value(json_object_get(sources, "frame"));
    json_int_t from_now = json_integer_value(json_object_get(sources, "now"));
    CHECK(from_frames + from_now == (json_int_t)rec->frame_count,
          "time sources: %lld frame + %lld now, %u frames recorded", (long long)from_frames,
          (long long)from_now, rec->frame_count);
    if (!frames)
        CHECK(from_frames == 0, "samples from frames without a frame loop");
    CHECK(json_integer_value(json_object_get(m, "frames_dropped")) == 0, "frames were dropped");
    size_t len = strlen(rec->metadata);
    while (len && rec->metadata[len - 1] == ' ')
        len--; /* the recorder's reserve */
    printf("metadata: %.*s\n", (int)len, rec->metadata);
    json_decref(m);
    return from_now;
}

static bool is_display_time(XrTime t, const XrTime *predicted, int predicted_count)
{
    for (int n = 0; n < predicted_count; n++)
        if (predicted[n] == t)
            return true;
    return false;
}

/* Every display time the application was given is recorded, in order, but
 * those a sample at "now" had already passed. The layer takes those when
 * the application calls nothing for KN_FRAMELESS_NS while running (a stall
 * before its first frame, or in its loop), and then only samples newer
 * times. The replay runtime's display times are clip time, 60 Hz per
 * xrWaitFrame, while its "now" is its wall clock: when the application runs
 * slower than 60 Hz, "now" passes the display times still to come (a real
 * runtime predicts them after "now"). So a display time may be missing only
 * when the first recorded time after it is not a display time (the "now"
 * sample that passed it), and only after such a stall. */
static void check_display_times(const kn_clip *rec, const XrTime *predicted, int predicted_count,
                                json_int_t from_now, int64_t longest_stall_ns,
                                int64_t after_loop_ns)
{
    int found = 0, passed = 0, lost = 0, others = 0;
    for (uint32_t f = 0; f < rec->frame_count; f++)
        others += !is_display_time(rec->time_ns[f], predicted, predicted_count);
    CHECK(others == from_now, "%d samples at no display time, %lld at \"now\"", others,
          (long long)from_now);
    uint32_t f = 0;
    for (int n = 0; n < predicted_count; n++) {
        while (f < rec->frame_count && rec->time_ns[f] < predicted[n])
            f++;
        if (f < rec->frame_count && rec->time_ns[f] == predicted[n])
            found++;
        else if (f < rec->frame_count &&
                 !is_display_time(rec->time_ns[f], predicted, predicted_count))
            passed++;
        else
            lost++;
    }
    printf("%d of %d display times recorded, %d passed by a sample at \"now\" (longest stall "
           "%.3f s)\n",
           found, predicted_count, passed, (double)longest_stall_ns / 1e9);
    CHECK(lost == 0, "%d of %d display times recorded, %d passed by a sample at \"now\"", found,
          predicted_count, passed);
    CHECK(passed == 0 || longest_stall_ns >= KN_FRAMELESS_NS,
          "%d display times passed by a sample at \"now\" without a stall of %.3f s", passed,
          (double)KN_FRAMELESS_NS / 1e9);
    /* After the loop, likewise: none but at "now" after a stall. */
    XrTime last = rec->time_ns[rec->frame_count - 1];
    CHECK(last == predicted[predicted_count - 1] ||
              (after_loop_ns >= KN_FRAMELESS_NS &&
               !is_display_time(last, predicted, predicted_count)),
          "a sample after the loop at %lld (%.3f s without a frame)", (long long)last,
          (double)after_loop_ns / 1e9);
}

/* Every recorded pose is the clip's. Before the layer's own attach (no
 * actions) the grips may be missing; from their first valid sample on they
 * must match too. */
static void check_recording(const char *path, bool actions, bool frames, const XrTime *predicted,
                            int predicted_count, int64_t longest_stall_ns, int64_t after_loop_ns,
                            XrTime unfocused)
{
    kn_clip rec;
    kn_error err;
    CHECK(kn_clip_read_file(path, &rec, &err) == KN_OK, "the recording: %s", err.message);
    json_int_t from_now = check_metadata(&rec, frames);
    bool grips_on[3] = {true, actions, actions};
    int lost_left = 0, untracked_right = 0, valid_left = 0, in_gap = 0;
    for (uint32_t f = 0; f < rec.frame_count; f++) {
        int64_t ct = rec.time_ns[f] - E2E_REPLAY_TIME_ORIGIN;
        for (int d = 0; d < KN_CLIP_DEVICE_COUNT; d++) {
            const kn_device_sample *got = &rec.devices[(size_t)f * KN_CLIP_DEVICE_COUNT + d];
            if (!grips_on[d]) {
                if (got->flags == 0)
                    continue;
                grips_on[d] = true;
            }
            if (d != KN_DEVICE_HEAD && rec.time_ns[f] >= unfocused) {
                /* Sampled after the session lost focus: no grips. */
                CHECK(got->flags == 0,
                      "recorded frame %u (%s) after the focus was lost: flags 0x%x", f,
                      device_names[d], got->flags);
                continue;
            }
            compare("recorded frame", (long)f, got->flags, &got->pose, d, ct);
        }
        const kn_device_sample *dev = &rec.devices[(size_t)f * KN_CLIP_DEVICE_COUNT];
        lost_left += grips_on[1] && dev[1].flags == 0 && rec.time_ns[f] < unfocused;
        /* Between the neighbours of the lost frame the replayed grip is lost. */
        int64_t gap_from = CLIP_START + (int64_t)(GAP_FRAME - 1) * 1000000000 / CLIP_RATE_HZ;
        int64_t gap_to = CLIP_START + (int64_t)(GAP_FRAME + 1) * 1000000000 / CLIP_RATE_HZ;
        in_gap += grips_on[1] && ct > gap_from && ct < gap_to && rec.time_ns[f] < unfocused;
        valid_left += dev[1].flags != 0;
        untracked_right += dev[2].flags == VALID_BITS;
    }
    printf("recorded %u frames: left grip valid in %d, lost in %d; right grip valid but not "
           "tracked in %d\n",
           rec.frame_count, valid_left, lost_left, untracked_right);
    CHECK(valid_left > 0, "no grip pose was recorded");
    CHECK(untracked_right > 0, "no valid-but-not-tracked grip was recorded");
    /* With a frame loop every display time is sampled, but those a sample
     * at "now" passed (check_display_times); without one, at "now" every few
     * milliseconds, and a machine busy enough to stall the application for
     * the lost grip's 67 ms leaves no sample in it. */
    if ((frames || actions) && in_gap > 0)
        CHECK(lost_left > 0, "the lost grip was not recorded as lost (%d samples in its gap)",
              in_gap);
    else if (frames || actions)
        printf("(no sample fell into the lost grip's 67 ms: the application was stalled then)\n");
    if (frames) {
        check_display_times(&rec, predicted, predicted_count, from_now, longest_stall_ns,
                            after_loop_ns);
    } else {
        CHECK(rec.frame_count >= 50, "only %u samples without a frame loop", rec.frame_count);
    }
    kn_clip_free(&rec);
}

typedef struct app_actions {
    XrActionSet set;
    XrAction grip, aim;
    XrSpace grip_space[2], aim_left;
    XrPath hands[2];
} app_actions;

static void make_actions(XrInstance instance, XrSession session, app_actions *a)
{
    XrActionSetCreateInfo set_info = {.type = XR_TYPE_ACTION_SET_CREATE_INFO};
    snprintf(set_info.actionSetName, sizeof set_info.actionSetName, "live");
    snprintf(set_info.localizedActionSetName, sizeof set_info.localizedActionSetName, "live");
    CHECK_XR(xrCreateActionSet(instance, &set_info, &a->set));
    a->hands[0] = e2e_path(instance, "/user/hand/left");
    a->hands[1] = e2e_path(instance, "/user/hand/right");
    a->grip = e2e_make_action(a->set, "grip", XR_ACTION_TYPE_POSE_INPUT, a->hands);
    a->aim = e2e_make_action(a->set, "aim", XR_ACTION_TYPE_POSE_INPUT, a->hands);
    XrAction trigger = e2e_make_action(a->set, "trigger", XR_ACTION_TYPE_FLOAT_INPUT, a->hands);
    static const char *const profiles[] = {"/interaction_profiles/khr/simple_controller", TOUCH};
    for (int p = 0; p < 2; p++) {
        XrActionSuggestedBinding b[5] = {
            {a->grip, e2e_path(instance, "/user/hand/left/input/grip/pose")},
            {a->grip, e2e_path(instance, "/user/hand/right/input/grip/pose")},
            {a->aim, e2e_path(instance, "/user/hand/left/input/aim/pose")},
            {a->aim, e2e_path(instance, "/user/hand/right/input/aim/pose")},
            {trigger, e2e_path(instance, p ? "/user/hand/right/input/trigger/value"
                                           : "/user/hand/right/input/select/click")}};
        XrInteractionProfileSuggestedBinding s = {
            .type = XR_TYPE_INTERACTION_PROFILE_SUGGESTED_BINDING,
            .interactionProfile = e2e_path(instance, profiles[p]),
            .countSuggestedBindings = 5,
            .suggestedBindings = b};
        CHECK_XR(xrSuggestInteractionProfileBindings(instance, &s));
    }
    XrSessionActionSetsAttachInfo attach = {.type = XR_TYPE_SESSION_ACTION_SETS_ATTACH_INFO,
                                            .countActionSets = 1,
                                            .actionSets = &a->set};
    CHECK_XR(xrAttachSessionActionSets(session, &attach));
    XrResult again = xrAttachSessionActionSets(session, &attach);
    CHECK(again == XR_ERROR_ACTIONSETS_ALREADY_ATTACHED, "a second attach gave %s",
          e2e_result_name(again));
    /* After attach, as strict runtimes want. */
    for (int h = 0; h < 2; h++)
        a->grip_space[h] = e2e_action_space(session, a->grip, a->hands[h]);
    a->aim_left = e2e_action_space(session, a->aim, a->hands[0]);
}

/* The application's grip actions are active (as of its last sync). */
static void check_active(XrSession session, const app_actions *a, const char *when)
{
    for (int h = 0; h < 2; h++) {
        XrActionStateGetInfo get = {
            .type = XR_TYPE_ACTION_STATE_GET_INFO, .action = a->grip, .subactionPath = a->hands[h]};
        XrActionStatePose state = {.type = XR_TYPE_ACTION_STATE_POSE};
        CHECK_XR(xrGetActionStatePose(session, &get, &state));
        CHECK(state.isActive, "the application's %s grip action is inactive %s",
              h ? "right" : "left", when);
    }
}

static void sync_actions(XrSession session, const app_actions *a)
{
    XrActiveActionSet active = {a->set, XR_NULL_PATH};
    XrActionsSyncInfo sync = {
        .type = XR_TYPE_ACTIONS_SYNC_INFO, .countActiveActionSets = 1, .activeActionSets = &active};
    CHECK(xrSyncActions(session, &sync) == XR_SUCCESS, "xrSyncActions: not focused?");
    check_active(session, a, "after its sync");
}

int e2e_live(int argc, char **argv)
{
    CHECK(argc >= 2,
          "usage: kinest-e2e live CLIP RECORD [--no-actions] [--no-frames] [--late-events] "
          "[--stall]");
    const char *record = argv[1];
    bool actions = !has_option(argc, argv, "--no-actions");
    bool frames = !has_option(argc, argv, "--no-frames");
    int late = has_option(argc, argv, "--late-events") ? LATE_FRAMES : 0;
    CHECK(!late || (frames && !actions), "--late-events goes with --no-actions and frames");
    bool stall = has_option(argc, argv, "--stall");
    CHECK(!stall || (frames && !late), "--stall goes with frames and without --late-events");
    const char *env = getenv("KINEST_RECORD");
    CHECK(env && strcmp(env, record) == 0, "KINEST_RECORD is not %s", record);
    remove(record);
    e2e_clip_write(argv[0]);
    setenv("KINEST_REPLAY_CLIP", argv[0], 1);

    XrInstance instance;
    static const char *const fb[] = {XR_FB_BODY_TRACKING_EXTENSION_NAME};
    CHECK_XR(e2e_create_instance(fb, 1, &instance));
    /* The layer enables XR_KHR_convert_timespec_time for itself; this
     * application did not, so it does not get its functions. */
    char where[256];
    e2e_resolve(instance, "xrConvertTimespecTimeToTimeKHR", where, sizeof where);
    CHECK(strcmp(where, "unsupported (XR_ERROR_FUNCTION_UNSUPPORTED)") == 0,
          "xrConvertTimespecTimeToTimeKHR resolves to %s for an application that did not enable "
          "it",
          where);

    XrSessionCreateInfo session_info = {.type = XR_TYPE_SESSION_CREATE_INFO,
                                        .systemId = e2e_system(instance)};
    XrSession session;
    CHECK_XR(xrCreateSession(instance, &session_info, &session));
    app_actions a = {0};
    if (actions)
        make_actions(instance, session, &a);
    XrSpace stage = e2e_reference_space(session, XR_REFERENCE_SPACE_TYPE_STAGE);
    XrSpace view = e2e_reference_space(session, XR_REFERENCE_SPACE_TYPE_VIEW);

    int profile_changes = 0;
    static const XrSessionState ready[] = {XR_SESSION_STATE_IDLE, XR_SESSION_STATE_READY};
    e2e_expect_states(instance, session, ready, 2, &profile_changes, NULL);
    XrSessionBeginInfo begin = {.type = XR_TYPE_SESSION_BEGIN_INFO,
                                .primaryViewConfigurationType =
                                    XR_VIEW_CONFIGURATION_TYPE_PRIMARY_STEREO};
    /* The longest time without an xrWaitFrame from xrBeginSession to the
     * last frame, and from that to xrEndSession: the layer samples at "now"
     * after KN_FRAMELESS_NS of that (check_display_times). Measured from
     * before the calls, so never shorter than what the layer sees. */
    int64_t stall_from = monotonic_ns(), longest_stall_ns = 0;
    CHECK_XR(xrBeginSession(session, &begin));
    if (stall)
        e2e_sleep_ms(STALL_MS);
    static const XrSessionState focused[] = {XR_SESSION_STATE_SYNCHRONIZED,
                                             XR_SESSION_STATE_VISIBLE, XR_SESSION_STATE_FOCUSED};
    if (!late)
        e2e_expect_states(instance, session, focused, 3, &profile_changes, NULL);

    XrTime predicted[LIVE_FRAMES];
    int n = 0;
    if (frames) {
        for (; n < LIVE_FRAMES; n++) {
            XrFrameState frame = {.type = XR_TYPE_FRAME_STATE};
            int64_t now = monotonic_ns();
            if (now - stall_from > longest_stall_ns)
                longest_stall_ns = now - stall_from;
            stall_from = now;
            CHECK_XR(xrWaitFrame(session, NULL, &frame));
            CHECK_XR(xrBeginFrame(session, NULL));
            XrTime t = predicted[n] = frame.predictedDisplayTime;
            CHECK(n > 0 || t == E2E_REPLAY_TIME_ORIGIN + CLIP_START,
                  "the first display time is not the clip's first frame");
            if (actions) {
                /* Nothing synced the layer's set alone since the last frame's
                 * sync: that would have made the application's inactive. */
                if (n > 0)
                    check_active(session, &a, "before its sync (did the layer sync alone?)");
                sync_actions(session, &a);
                /* The application's own poses still work with the layer's set merged. */
                for (int q = 0; q < 2; q++) {
                    XrTime tq = t + q * frame.predictedDisplayPeriod / 4;
                    compare_location("app grip at frame", n, a.grip_space[0], stage, tq,
                                     KN_DEVICE_LEFT_GRIP);
                    compare_location("app grip at frame", n, a.grip_space[1], stage, tq,
                                     KN_DEVICE_RIGHT_GRIP);
                    compare_location("app aim at frame", n, a.aim_left, stage, tq,
                                     KN_DEVICE_LEFT_GRIP);
                }
            }
            compare_location("app VIEW at frame", n, view, stage, t, KN_DEVICE_HEAD);
            XrFrameEndInfo end = {.type = XR_TYPE_FRAME_END_INFO,
                                  .displayTime = t,
                                  .environmentBlendMode = XR_ENVIRONMENT_BLEND_MODE_OPAQUE};
            CHECK_XR(xrEndFrame(session, &end));
            if (n + 1 == late)
                e2e_expect_states(instance, session, focused, 3, &profile_changes, NULL);
            else if (n + 1 > late)
                drain_events(instance, &profile_changes);
            /* The replay runtime does not wait for a display: time passes
             * here, so that the layer's time-based rules (the solo sync's
             * interval) come into play within the loop. */
            struct timespec vsync = {0, 1000000};
            nanosleep(&vsync, NULL);
        }
    } else {
        /* A headless application that never waits for frames. */
        int64_t until = monotonic_ns() + FRAMELESS_NS;
        while (monotonic_ns() < until) {
            drain_events(instance, &profile_changes);
            if (actions)
                sync_actions(session, &a);
            struct timespec pause = {0, 2000000};
            nanosleep(&pause, NULL);
        }
    }
    CHECK(profile_changes == (actions ? 1 : 0),
          "%d interaction-profile events, expected %d (the layer's own attach must not show)",
          profile_changes, actions ? 1 : 0);
    if (!actions) {
        /* What an application that attached nothing gets, layer or not. */
        XrInteractionProfileState current = {.type = XR_TYPE_INTERACTION_PROFILE_STATE};
        XrResult r = xrGetCurrentInteractionProfile(session, e2e_path(instance, "/user/hand/left"),
                                                    &current);
        CHECK(r == XR_ERROR_ACTIONSET_NOT_ATTACHED, "xrGetCurrentInteractionProfile gave %s",
              e2e_result_name(r));
        XrActionsSyncInfo sync = {.type = XR_TYPE_ACTIONS_SYNC_INFO};
        r = xrSyncActions(session, &sync);
        CHECK(r == XR_ERROR_ACTIONSET_NOT_ATTACHED, "xrSyncActions gave %s", e2e_result_name(r));
    }

    CHECK_XR(xrRequestExitSession(session));
    static const XrSessionState stopping[] = {
        XR_SESSION_STATE_VISIBLE, XR_SESSION_STATE_SYNCHRONIZED, XR_SESSION_STATE_STOPPING};
    XrTime unfocused = 0; /* the runtime's grips stop with the focus */
    e2e_expect_states(instance, session, stopping, 3, &profile_changes, &unfocused);
    int64_t after_loop_ns = monotonic_ns() - stall_from;
    CHECK_XR(xrEndSession(session));
    static const XrSessionState exiting[] = {XR_SESSION_STATE_IDLE, XR_SESSION_STATE_EXITING};
    e2e_expect_states(instance, session, exiting, 2, &profile_changes, NULL);
    CHECK_XR(xrDestroySession(session));
    CHECK_XR(xrDestroyInstance(instance));

    /* Frame samples carry display times, which the event's "now" does not
     * compare to; and none come after the loop but at "now" after a stall. */
    check_recording(record, actions, frames, predicted, n, longest_stall_ns, after_loop_ns,
                    frames ? INT64_MAX : unfocused);
    printf("live: %s, %s: the recording matches the clip\n", actions ? "own actions" : "no actions",
           frames ? "frame loop" : "no frame loop");
    return 0;
}

/* ---- attach-twice */

static void print_result(const char *what, XrResult r)
{
    printf("%s: %s\n", what, e2e_result_name(r));
}

int e2e_attach_twice(int argc, char **argv)
{
    bool fb = has_option(argc, argv, "--enable-fb");
    XrInstance instance;
    static const char *const fb_name[] = {XR_FB_BODY_TRACKING_EXTENSION_NAME};
    CHECK_XR(e2e_create_instance(fb_name, fb ? 1 : 0, &instance));
    XrSessionCreateInfo session_info = {.type = XR_TYPE_SESSION_CREATE_INFO,
                                        .systemId = e2e_system(instance)};
    XrSession session;
    CHECK_XR(xrCreateSession(instance, &session_info, &session));
    XrActionSet sets[2];
    for (int i = 0; i < 2; i++) {
        XrActionSetCreateInfo info = {.type = XR_TYPE_ACTION_SET_CREATE_INFO};
        snprintf(info.actionSetName, sizeof info.actionSetName, "twice%d", i);
        snprintf(info.localizedActionSetName, sizeof info.localizedActionSetName, "twice %d", i);
        CHECK_XR(xrCreateActionSet(instance, &info, &sets[i]));
    }
    XrPath hands[2] = {e2e_path(instance, "/user/hand/left"),
                       e2e_path(instance, "/user/hand/right")};
    XrAction grip = e2e_make_action(sets[0], "grip", XR_ACTION_TYPE_POSE_INPUT, hands);
    XrActionSuggestedBinding b[2] = {
        {grip, e2e_path(instance, "/user/hand/left/input/grip/pose")},
        {grip, e2e_path(instance, "/user/hand/right/input/grip/pose")}};
    XrInteractionProfileSuggestedBinding s = {.type = XR_TYPE_INTERACTION_PROFILE_SUGGESTED_BINDING,
                                              .interactionProfile = e2e_path(instance, TOUCH),
                                              .countSuggestedBindings = 2,
                                              .suggestedBindings = b};
    print_result("suggest", xrSuggestInteractionProfileBindings(instance, &s));
    XrSessionActionSetsAttachInfo none = {.type = XR_TYPE_SESSION_ACTION_SETS_ATTACH_INFO};
    print_result("attach nothing", xrAttachSessionActionSets(session, &none));
    XrActiveActionSet active = {sets[0], XR_NULL_PATH};
    XrActionsSyncInfo sync = {
        .type = XR_TYPE_ACTIONS_SYNC_INFO, .countActiveActionSets = 1, .activeActionSets = &active};
    print_result("sync before attach", xrSyncActions(session, &sync));
    XrSessionActionSetsAttachInfo attach = {
        .type = XR_TYPE_SESSION_ACTION_SETS_ATTACH_INFO, .countActionSets = 1, .actionSets = sets};
    print_result("attach", xrAttachSessionActionSets(session, &attach));
    print_result("attach again", xrAttachSessionActionSets(session, &attach));
    attach.actionSets = &sets[1];
    print_result("attach another set", xrAttachSessionActionSets(session, &attach));
    print_result("suggest after attach", xrSuggestInteractionProfileBindings(instance, &s));
    print_result("sync while not focused", xrSyncActions(session, &sync));
    active.actionSet = sets[1];
    print_result("sync an unattached set", xrSyncActions(session, &sync));
    XrInteractionProfileState current = {.type = XR_TYPE_INTERACTION_PROFILE_STATE};
    print_result("current profile", xrGetCurrentInteractionProfile(session, hands[0], &current));
    printf("current profile is touch: %d\n",
           current.interactionProfile == e2e_path(instance, TOUCH));
    int events = 0;
    for (;;) {
        XrEventDataBuffer event = {.type = XR_TYPE_EVENT_DATA_BUFFER};
        if (xrPollEvent(instance, &event) != XR_SUCCESS)
            break;
        printf("event %d\n", event.type);
        events++;
    }
    printf("%d events\n", events);
    CHECK_XR(xrDestroySession(session));
    CHECK_XR(xrDestroyInstance(instance));
    return 0;
}
