/* The served extensions through the real loader, the layer and the engine.
 *
 *   body CLIP
 *       Writes the test clip to CLIP and has the replay runtime play it. An
 *       instance with all four extensions runs a session with a frame loop
 *       and checks, each rule on its own:
 *         xrCreateBodyTrackerFB   NULL/foreign session handle, NULL or
 *                                 mistyped create info, NULL output, an
 *                                 unknown joint set
 *         xrLocateBodyJointsFB    NULL/unknown/destroyed tracker, NULL or
 *                                 mistyped info and locations, every wrong
 *                                 joint count, NULL joint array, NULL and
 *                                 destroyed base spaces, times <= 0
 *         xrGetBodySkeletonFB     NULL/mistyped/wrong count/NULL joints; the
 *                                 root's parent -1 (FB) and 85 (full body)
 *         fidelity                unknown values refused, LOW and HIGH succeed,
 *                                 the chained status is filled
 *         calibration             heights outside (0.5, 3) and NaN refused,
 *                                 mistyped info refused; an override makes the
 *                                 status VALID and bumps skeletonChangedCount
 *       and that the joints arrive: the body becomes active, every joint is
 *       valid while active and none while not, the time is the requested
 *       one, the head joint follows the clip's head, joints located in LOCAL
 *       are the STAGE ones moved by LOCAL's pose, both joint sets agree. A
 *       tracker is destroyed with its session (its handle is invalid after),
 *       and a second session without a frame loop gets bodies from the
 *       layer's own sampling at the times it asks for.
 *       With XR_FB_body_tracking alone, the META functions do not exist and
 *       the full-body set is refused.
 *   body CLIP --valid-spaces
 *       The same without the checks that hand the runtime invalid space
 *       handles (the layer passes base spaces down to xrLocateSpace; a
 *       validation layer below rightly reports those calls). */
#include "e2e.h"

#include <math.h>
#include <string.h>
#include <time.h>

#define VALID (XR_SPACE_LOCATION_ORIENTATION_VALID_BIT | XR_SPACE_LOCATION_POSITION_VALID_BIT)

static const char *const all_four[] = {XR_FB_BODY_TRACKING_EXTENSION_NAME,
                                       XR_META_BODY_TRACKING_FULL_BODY_EXTENSION_NAME,
                                       XR_META_BODY_TRACKING_FIDELITY_EXTENSION_NAME,
                                       XR_META_BODY_TRACKING_CALIBRATION_EXTENSION_NAME};

static XrBodyTrackerFB make_tracker(const xr_body_functions *f, XrSession session,
                                    XrBodyJointSetFB set)
{
    XrBodyTrackerCreateInfoFB info = {.type = XR_TYPE_BODY_TRACKER_CREATE_INFO_FB,
                                      .bodyJointSet = set};
    XrBodyTrackerFB t = XR_NULL_HANDLE;
    CHECK_XR(f->create_fb(session, &info, &t));
    CHECK(t != XR_NULL_HANDLE, "xrCreateBodyTrackerFB gave a NULL handle");
    return t;
}

typedef struct body {
    XrBodyJointLocationFB joints[XR_FULL_BODY_JOINT_COUNT_META];
    XrBodyJointLocationsFB locs;
    XrBodyTrackingCalibrationStatusMETA cal;
    XrBodyTrackingFidelityStatusMETA fid;
} body;

static XrResult locate(const xr_body_functions *f, XrBodyTrackerFB t, XrSpace base, XrTime time,
                       uint32_t count, body *b)
{
    b->cal = (XrBodyTrackingCalibrationStatusMETA){
        .type = XR_TYPE_BODY_TRACKING_CALIBRATION_STATUS_META};
    b->fid = (XrBodyTrackingFidelityStatusMETA){.type = XR_TYPE_BODY_TRACKING_FIDELITY_STATUS_META,
                                                .next = &b->cal};
    b->locs = (XrBodyJointLocationsFB){.type = XR_TYPE_BODY_JOINT_LOCATIONS_FB,
                                       .next = &b->fid,
                                       .jointCount = count,
                                       .jointLocations = b->joints};
    XrBodyJointsLocateInfoFB info = {
        .type = XR_TYPE_BODY_JOINTS_LOCATE_INFO_FB, .baseSpace = base, .time = time};
    return f->locate_fb(t, &info, &b->locs);
}

/* The extension's rules for one successful locate. */
static void check_located(const body *b, XrTime time, uint32_t count)
{
    CHECK(b->locs.time == time, "time %lld, requested %lld", (long long)b->locs.time,
          (long long)time);
    CHECK(b->locs.confidence >= 0 && b->locs.confidence <= 1, "confidence %f", b->locs.confidence);
    for (uint32_t j = 0; j < count; j++) {
        XrSpaceLocationFlags fl = b->joints[j].locationFlags;
        if (b->locs.isActive) {
            CHECK((fl & VALID) == VALID, "active, but joint %u has flags 0x%llx", j,
                  (unsigned long long)fl);
            const XrPosef *p = &b->joints[j].pose;
            CHECK(isfinite(p->position.x) && isfinite(p->position.y) && isfinite(p->position.z) &&
                      isfinite(p->orientation.w),
                  "joint %u is not finite", j);
            float n = p->orientation.x * p->orientation.x + p->orientation.y * p->orientation.y +
                      p->orientation.z * p->orientation.z + p->orientation.w * p->orientation.w;
            CHECK(fabsf(n - 1) < 1e-3f, "joint %u: |q|^2 = %f", j, n);
        } else {
            CHECK((fl & VALID) == 0, "inactive, but joint %u has flags 0x%llx", j,
                  (unsigned long long)fl);
        }
    }
    CHECK(b->cal.status >= XR_BODY_TRACKING_CALIBRATION_STATE_VALID_META &&
              b->cal.status <= XR_BODY_TRACKING_CALIBRATION_STATE_INVALID_META,
          "calibration status %d", b->cal.status);
    CHECK(b->fid.fidelity == XR_BODY_TRACKING_FIDELITY_LOW_META ||
              b->fid.fidelity == XR_BODY_TRACKING_FIDELITY_HIGH_META,
          "fidelity status %d", b->fid.fidelity);
}

static void create_rules(const xr_body_functions *f, XrSession session)
{
    XrBodyTrackerCreateInfoFB info = {.type = XR_TYPE_BODY_TRACKER_CREATE_INFO_FB,
                                      .bodyJointSet = XR_BODY_JOINT_SET_DEFAULT_FB};
    XrBodyTrackerFB t = XR_NULL_HANDLE;
    EXPECT(f->create_fb(XR_NULL_HANDLE, &info, &t), XR_ERROR_HANDLE_INVALID);
    EXPECT(f->create_fb((XrSession)(uintptr_t)0xbadbad, &info, &t), XR_ERROR_HANDLE_INVALID);
    EXPECT(f->create_fb(session, NULL, &t), XR_ERROR_VALIDATION_FAILURE);
    EXPECT(f->create_fb(session, &info, NULL), XR_ERROR_VALIDATION_FAILURE);
    info.type = XR_TYPE_BODY_JOINTS_LOCATE_INFO_FB;
    EXPECT(f->create_fb(session, &info, &t), XR_ERROR_VALIDATION_FAILURE);
    info.type = XR_TYPE_BODY_TRACKER_CREATE_INFO_FB;
    info.bodyJointSet = (XrBodyJointSetFB)7;
    EXPECT(f->create_fb(session, &info, &t), XR_ERROR_VALIDATION_FAILURE);
    CHECK(t == XR_NULL_HANDLE, "a refused create wrote a handle");
    printf("xrCreateBodyTrackerFB: 7 rules\n");
}

static bool g_valid_spaces;

static void locate_rules(const xr_body_functions *f, XrSession session, XrBodyTrackerFB t,
                         XrBodyTrackerFB full, XrSpace stage, XrTime time)
{
    body b;
    EXPECT(locate(f, XR_NULL_HANDLE, stage, time, 70, &b), XR_ERROR_HANDLE_INVALID);
    EXPECT(locate(f, (XrBodyTrackerFB)(uintptr_t)0x1234, stage, time, 70, &b),
           XR_ERROR_HANDLE_INVALID);
    XrBodyJointsLocateInfoFB info = {
        .type = XR_TYPE_BODY_JOINTS_LOCATE_INFO_FB, .baseSpace = stage, .time = time};
    XrBodyJointLocationsFB locs = {
        .type = XR_TYPE_BODY_JOINT_LOCATIONS_FB, .jointCount = 70, .jointLocations = b.joints};
    EXPECT(f->locate_fb(t, NULL, &locs), XR_ERROR_VALIDATION_FAILURE);
    EXPECT(f->locate_fb(t, &info, NULL), XR_ERROR_VALIDATION_FAILURE);
    info.type = XR_TYPE_BODY_TRACKER_CREATE_INFO_FB;
    EXPECT(f->locate_fb(t, &info, &locs), XR_ERROR_VALIDATION_FAILURE);
    info.type = XR_TYPE_BODY_JOINTS_LOCATE_INFO_FB;
    locs.type = XR_TYPE_BODY_SKELETON_FB;
    EXPECT(f->locate_fb(t, &info, &locs), XR_ERROR_VALIDATION_FAILURE);
    locs.type = XR_TYPE_BODY_JOINT_LOCATIONS_FB;
    locs.jointLocations = NULL;
    EXPECT(f->locate_fb(t, &info, &locs), XR_ERROR_VALIDATION_FAILURE);
    int rules = 7;
    /* Every count but the set's own. */
    static const uint32_t fb_bad[] = {0, 1, 26, 69, 71, 84, 85, 1000};
    static const uint32_t full_bad[] = {0, 70, 83, 85};
    for (size_t i = 0; i < sizeof fb_bad / sizeof fb_bad[0]; i++, rules++)
        EXPECT(locate(f, t, stage, time, fb_bad[i], &b), XR_ERROR_VALIDATION_FAILURE);
    for (size_t i = 0; i < sizeof full_bad / sizeof full_bad[0]; i++, rules++)
        EXPECT(locate(f, full, stage, time, full_bad[i], &b), XR_ERROR_VALIDATION_FAILURE);
    /* Base spaces the runtime does not know. */
    EXPECT(locate(f, t, XR_NULL_HANDLE, time, 70, &b), XR_ERROR_HANDLE_INVALID);
    EXPECT(locate(f, t, stage, 0, 70, &b), XR_ERROR_TIME_INVALID);
    EXPECT(locate(f, t, stage, -1000, 70, &b), XR_ERROR_TIME_INVALID);
    rules += 3;
    if (!g_valid_spaces) {
        EXPECT(locate(f, t, (XrSpace)(uintptr_t)0x4444, time, 70, &b), XR_ERROR_HANDLE_INVALID);
        XrSpace gone = e2e_reference_space(session, XR_REFERENCE_SPACE_TYPE_STAGE);
        CHECK_XR(xrDestroySpace(gone));
        EXPECT(locate(f, t, gone, time, 70, &b), XR_ERROR_HANDLE_INVALID);
        rules += 2;
    }
    printf("xrLocateBodyJointsFB: %d rules\n", rules);
}

static void skeleton_rules(const xr_body_functions *f, XrBodyTrackerFB t, XrBodyTrackerFB full)
{
    XrBodySkeletonJointFB joints[XR_FULL_BODY_JOINT_COUNT_META];
    XrBodySkeletonFB sk = {.type = XR_TYPE_BODY_SKELETON_FB, .jointCount = 70, .joints = joints};
    EXPECT(f->skeleton_fb(XR_NULL_HANDLE, &sk), XR_ERROR_HANDLE_INVALID);
    EXPECT(f->skeleton_fb(t, NULL), XR_ERROR_VALIDATION_FAILURE);
    sk.type = XR_TYPE_BODY_JOINT_LOCATIONS_FB;
    EXPECT(f->skeleton_fb(t, &sk), XR_ERROR_VALIDATION_FAILURE);
    sk.type = XR_TYPE_BODY_SKELETON_FB;
    sk.jointCount = 84;
    EXPECT(f->skeleton_fb(t, &sk), XR_ERROR_VALIDATION_FAILURE);
    sk.jointCount = 70;
    EXPECT(f->skeleton_fb(full, &sk), XR_ERROR_VALIDATION_FAILURE);
    sk.joints = NULL;
    EXPECT(f->skeleton_fb(t, &sk), XR_ERROR_VALIDATION_FAILURE);
    sk.joints = joints;
    CHECK_XR(f->skeleton_fb(t, &sk));
    int roots = 0;
    for (int j = 0; j < 70; j++) {
        CHECK(joints[j].joint == j, "skeleton joint %d says %d", j, joints[j].joint);
        CHECK(joints[j].parentJoint == XR_BODY_JOINT_NONE_FB ||
                  (joints[j].parentJoint >= 0 && joints[j].parentJoint < 70),
              "FB joint %d has parent %d", j, joints[j].parentJoint);
        roots += joints[j].parentJoint == XR_BODY_JOINT_NONE_FB;
    }
    CHECK(roots == 1 && joints[0].parentJoint == XR_BODY_JOINT_NONE_FB,
          "the FB skeleton has %d roots", roots);
    /* T-pose: the head above the feet... of a standing person. */
    CHECK(joints[XR_BODY_JOINT_HEAD_FB].pose.position.y > 1.0f, "the T-pose head is at %.2f m",
          joints[XR_BODY_JOINT_HEAD_FB].pose.position.y);
    sk.jointCount = 84;
    CHECK_XR(f->skeleton_fb(full, &sk));
    roots = 0;
    for (int j = 0; j < 84; j++) {
        CHECK(joints[j].joint == j, "skeleton joint %d says %d", j, joints[j].joint);
        CHECK(joints[j].parentJoint == XR_FULL_BODY_JOINT_NONE_META ||
                  (joints[j].parentJoint >= 0 && joints[j].parentJoint < 84),
              "full-body joint %d has parent %d", j, joints[j].parentJoint);
        roots += joints[j].parentJoint == XR_FULL_BODY_JOINT_NONE_META;
    }
    CHECK(roots == 1 && joints[0].parentJoint == XR_FULL_BODY_JOINT_NONE_META,
          "the full-body skeleton has %d roots (NONE is 85)", roots);
    CHECK(joints[XR_FULL_BODY_JOINT_LEFT_FOOT_ANKLE_META].pose.position.y < 0.3f,
          "the T-pose ankle is at %.2f m",
          joints[XR_FULL_BODY_JOINT_LEFT_FOOT_ANKLE_META].pose.position.y);
    printf("xrGetBodySkeletonFB: 6 rules, roots -1 and 85\n");
}

static void fidelity_and_calibration(const xr_body_functions *f, XrBodyTrackerFB t, XrSpace stage,
                                     XrTime time)
{
    EXPECT(f->request_fidelity(XR_NULL_HANDLE, XR_BODY_TRACKING_FIDELITY_LOW_META),
           XR_ERROR_HANDLE_INVALID);
    EXPECT(f->request_fidelity(t, (XrBodyTrackingFidelityMETA)0), XR_ERROR_VALIDATION_FAILURE);
    EXPECT(f->request_fidelity(t, (XrBodyTrackingFidelityMETA)3), XR_ERROR_VALIDATION_FAILURE);
    EXPECT(f->request_fidelity(t, XR_BODY_TRACKING_FIDELITY_LOW_META), XR_SUCCESS);
    EXPECT(f->request_fidelity(t, XR_BODY_TRACKING_FIDELITY_HIGH_META), XR_SUCCESS);

    XrBodyTrackingCalibrationInfoMETA info = {.type = XR_TYPE_BODY_TRACKING_CALIBRATION_INFO_META,
                                              .bodyHeight = 1.75f};
    EXPECT(f->suggest_calibration(XR_NULL_HANDLE, &info), XR_ERROR_HANDLE_INVALID);
    EXPECT(f->reset_calibration(XR_NULL_HANDLE), XR_ERROR_HANDLE_INVALID);
    EXPECT(f->suggest_calibration(t, NULL), XR_ERROR_VALIDATION_FAILURE);
    info.type = XR_TYPE_BODY_TRACKING_CALIBRATION_STATUS_META;
    EXPECT(f->suggest_calibration(t, &info), XR_ERROR_VALIDATION_FAILURE);
    info.type = XR_TYPE_BODY_TRACKING_CALIBRATION_INFO_META;
    static const float bad[] = {0.5f, 3.0f, 0.3f, 3.5f, -1.75f, NAN, INFINITY};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        info.bodyHeight = bad[i];
        EXPECT(f->suggest_calibration(t, &info), XR_ERROR_VALIDATION_FAILURE);
    }
    body b;
    CHECK_XR(locate(f, t, stage, time, 70, &b));
    uint32_t before = b.locs.skeletonChangedCount;
    info.bodyHeight = 1.93f;
    EXPECT(f->suggest_calibration(t, &info), XR_SUCCESS);
    CHECK_XR(locate(f, t, stage, time, 70, &b));
    CHECK(b.cal.status == XR_BODY_TRACKING_CALIBRATION_STATE_VALID_META,
          "after an override the calibration status is %d", b.cal.status);
    CHECK(b.locs.skeletonChangedCount > before, "skeletonChangedCount stayed %u after an override",
          b.locs.skeletonChangedCount);
    XrBodySkeletonJointFB joints[70];
    XrBodySkeletonFB sk = {.type = XR_TYPE_BODY_SKELETON_FB, .jointCount = 70, .joints = joints};
    CHECK_XR(f->skeleton_fb(t, &sk));
    float head = joints[XR_BODY_JOINT_HEAD_FB].pose.position.y;
    CHECK(head > 1.93f * 0.8f && head < 1.93f, "a 1.93 m person's T-pose head is at %.2f m", head);
    EXPECT(f->reset_calibration(t), XR_SUCCESS);
    CHECK_XR(locate(f, t, stage, time, 70, &b));
    printf("fidelity: 5 rules; calibration: %d rules, override %.2f m -> head %.2f m, "
           "skeletonChangedCount %u -> %u, status after reset %d\n",
           (int)(4 + sizeof bad / sizeof bad[0]), 1.93, head, before, b.locs.skeletonChangedCount,
           b.cal.status);
}

/* The head joint against the clip's head (VIEW): within a few centimetres
 * (the head joint is the head's centre, VIEW sits between the eyes). */
static float head_offset(const body *b, XrSpace view, XrSpace stage, XrTime t)
{
    XrSpaceLocation loc = {.type = XR_TYPE_SPACE_LOCATION};
    CHECK_XR(xrLocateSpace(view, stage, t, &loc));
    const XrVector3f *h = &b->joints[XR_BODY_JOINT_HEAD_FB].pose.position;
    return sqrtf(powf(h->x - loc.pose.position.x, 2) + powf(h->y - loc.pose.position.y, 2) +
                 powf(h->z - loc.pose.position.z, 2));
}

void e2e_frame(XrSession session, XrFrameState *fs)
{
    *fs = (XrFrameState){.type = XR_TYPE_FRAME_STATE};
    CHECK_XR(xrWaitFrame(session, NULL, fs));
    CHECK_XR(xrBeginFrame(session, NULL));
}

void e2e_end_frame(XrSession session, const XrFrameState *fs)
{
    XrFrameEndInfo end = {.type = XR_TYPE_FRAME_END_INFO,
                          .displayTime = fs->predictedDisplayTime,
                          .environmentBlendMode = XR_ENVIRONMENT_BLEND_MODE_OPAQUE};
    CHECK_XR(xrEndFrame(session, &end));
}

XrSession e2e_running_session(XrInstance instance, XrSystemId system)
{
    XrSessionCreateInfo si = {.type = XR_TYPE_SESSION_CREATE_INFO, .systemId = system};
    XrSession session;
    CHECK_XR(xrCreateSession(instance, &si, &session));
    int changes = 0;
    static const XrSessionState ready[] = {XR_SESSION_STATE_IDLE, XR_SESSION_STATE_READY};
    e2e_expect_states(instance, session, ready, 2, &changes, NULL);
    XrSessionBeginInfo begin = {.type = XR_TYPE_SESSION_BEGIN_INFO,
                                .primaryViewConfigurationType =
                                    XR_VIEW_CONFIGURATION_TYPE_PRIMARY_STEREO};
    CHECK_XR(xrBeginSession(session, &begin));
    static const XrSessionState focused[] = {XR_SESSION_STATE_SYNCHRONIZED,
                                             XR_SESSION_STATE_VISIBLE, XR_SESSION_STATE_FOCUSED};
    e2e_expect_states(instance, session, focused, 3, &changes, NULL);
    return session;
}

void e2e_sleep_ms(long ms)
{
    struct timespec pause = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&pause, NULL);
}

/* Locates every frame until the body is active (the engine's worker runs
 * beside the frame loop, which the replay runtime does not pace). */
static void frames_until_active(const xr_body_functions *f, XrSession session, XrBodyTrackerFB t,
                                XrSpace stage, uint32_t count, XrTime *time)
{
    body b;
    for (int n = 0; n < 600; n++) {
        XrFrameState fs;
        e2e_frame(session, &fs);
        *time = fs.predictedDisplayTime;
        CHECK_XR(locate(f, t, stage, *time, count, &b));
        check_located(&b, *time, count);
        e2e_end_frame(session, &fs);
        if (b.locs.isActive)
            return;
        e2e_sleep_ms(16);
    }
    CHECK(false, "the body never became active in 600 frames");
}

static float distance(const XrVector3f *a, const float b[3])
{
    return sqrtf(powf(a->x - b[0], 2) + powf(a->y - b[1], 2) + powf(a->z - b[2], 2));
}

/* The body at `time` once the engine has finished what it was given (no
 * newer time is asked for, so nothing new is sampled): two locates 20 ms
 * apart that agree, within 3 s. */
static void settled_body(const xr_body_functions *f, XrBodyTrackerFB t, XrSpace stage, XrTime time,
                         body *out)
{
    body prev;
    CHECK_XR(locate(f, t, stage, time, 70, &prev));
    for (int i = 0; i < 150; i++) {
        e2e_sleep_ms(20);
        CHECK_XR(locate(f, t, stage, time, 70, out));
        if (out->locs.confidence == prev.locs.confidence &&
            memcmp(out->joints, prev.joints, 70 * sizeof out->joints[0]) == 0)
            return;
        prev = *out;
    }
    CHECK(false, "the body at one time kept changing for 3 s");
}

static void joints_arrive(const xr_body_functions *f, XrSession session, XrBodyTrackerFB t,
                          XrBodyTrackerFB full, XrSpace stage)
{
    XrSpace view = e2e_reference_space(session, XR_REFERENCE_SPACE_TYPE_VIEW);
    XrSpace local = e2e_reference_space(session, XR_REFERENCE_SPACE_TYPE_LOCAL);
    XrTime time = 0;
    frames_until_active(f, session, t, stage, 70, &time);
    int active = 0, behind = 0, frames = 90;
    float worst_head = 0;
    for (int n = 0; n < frames; n++) {
        XrFrameState fs;
        e2e_frame(session, &fs);
        time = fs.predictedDisplayTime;
        body b, in_local, b84;
        CHECK_XR(locate(f, t, stage, time, 70, &b));
        check_located(&b, time, 70);
        CHECK_XR(locate(f, t, local, time, 70, &in_local));
        check_located(&in_local, time, 70);
        CHECK_XR(locate(f, full, stage, time, 84, &b84));
        check_located(&b84, time, 84);
        e2e_end_frame(session, &fs);
        e2e_sleep_ms(16); /* a 60 Hz frame loop: the engine keeps up (sanitized too) */
        if (!b.locs.isActive || !in_local.locs.isActive || !b84.locs.isActive)
            continue;
        active++;
        float d = head_offset(&b, view, stage, time);
        if (d >= 0.25f) {
            /* A worker behind the frame loop (a loaded machine) serves the
             * body held from its newest tick, its confidence below half
             * past 100 ms (docs/engine.md, "What kinest_get_body returns
             * when"). Then the served body must say so, and the engine's
             * body for this time, once it has caught up, must be at the
             * head. */
            CHECK(b.locs.confidence < 0.5f,
                  "the head joint was %.3f m from the headset with confidence %.3f", d,
                  b.locs.confidence);
            body caught_up;
            settled_body(f, t, stage, time, &caught_up);
            d = head_offset(&caught_up, view, stage, time);
            behind++;
        }
        worst_head = d > worst_head ? d : worst_head;
    }
    CHECK(active >= frames * 9 / 10, "the body was active in %d of %d frames", active, frames);
    CHECK(worst_head < 0.25f, "the head joint was %.3f m from the headset", worst_head);

    /* Once the engine has finished what it was given (no newer time is
     * asked for, so nothing new is sampled), every call sees the same body:
     * LOCAL's joints are STAGE's moved by LOCAL's pose in STAGE, and the
     * full-body set's first 70 joints are the FB set's. */
    e2e_sleep_ms(100);
    body b, in_local, b84;
    CHECK_XR(locate(f, t, stage, time, 70, &b));
    CHECK_XR(locate(f, t, local, time, 70, &in_local));
    CHECK_XR(locate(f, full, stage, time, 84, &b84));
    CHECK(b.locs.isActive && in_local.locs.isActive && b84.locs.isActive, "inactive at the end");
    XrSpaceLocation lp = {.type = XR_TYPE_SPACE_LOCATION};
    CHECK_XR(xrLocateSpace(local, stage, time, &lp));
    kn_pose local_in_stage = {{lp.pose.orientation.x, lp.pose.orientation.y, lp.pose.orientation.z,
                               lp.pose.orientation.w},
                              {lp.pose.position.x, lp.pose.position.y, lp.pose.position.z}};
    float worst_local = 0, worst_sets = 0;
    for (int j = 0; j < 70; j++) {
        const XrVector3f *a = &in_local.joints[j].pose.position;
        vec3 back;
        kn_pose_transform_point(&local_in_stage, (float[3]){a->x, a->y, a->z}, back);
        float e = distance(&b.joints[j].pose.position, back);
        worst_local = e > worst_local ? e : worst_local;
        const XrVector3f *s = &b.joints[j].pose.position;
        e = distance(&b84.joints[j].pose.position, (float[3]){s->x, s->y, s->z});
        worst_sets = e > worst_sets ? e : worst_sets;
    }
    CHECK(worst_local < 1e-4f, "LOCAL and STAGE joints disagree by %.5f m", worst_local);
    CHECK(worst_sets < 1e-5f, "the FB and full-body sets disagree by %.6f m", worst_sets);
    printf("joints: active in %d of %d frames; head joint within %.3f m of the headset (%d "
           "frames served from a lagging engine, checked once it caught up); LOCAL vs STAGE "
           "%.6f m; FB vs full body %.6f m\n",
           active, frames, worst_head, behind, worst_local, worst_sets);
    CHECK_XR(xrDestroySpace(view));
    CHECK_XR(xrDestroySpace(local));
}

/* A headless application without a frame loop: it only asks for bodies at
 * "now" (XR_KHR_convert_timespec_time), the layer samples the devices then. */
static void without_frame_loop(const xr_body_functions *f, XrInstance instance, XrSystemId system)
{
    XrSession session = e2e_running_session(instance, system);
    XrSpace stage = e2e_reference_space(session, XR_REFERENCE_SPACE_TYPE_STAGE);
    XrBodyTrackerFB t = make_tracker(f, session, XR_BODY_JOINT_SET_DEFAULT_FB);
    body b;
    int active = 0, calls = 0;
    for (; calls < 300 && active < 20; calls++) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        XrTime now;
        CHECK_XR(f->convert_timespec(instance, &ts, &now));
        CHECK_XR(locate(f, t, stage, now, 70, &b));
        check_located(&b, now, 70);
        active += b.locs.isActive;
        e2e_sleep_ms(10);
    }
    CHECK(active >= 20, "without a frame loop the body was active in %d of %d calls", active,
          calls);
    printf("without a frame loop: bodies at \"now\" (inactive for the first %d calls)\n",
           calls - active);

    /* The tracker ends with its session. */
    CHECK_XR(xrDestroySession(session));
    EXPECT(locate(f, t, stage, 1, 70, &b), XR_ERROR_HANDLE_INVALID);
    EXPECT(f->destroy_fb(t), XR_ERROR_HANDLE_INVALID);
    printf("a tracker ends with its session\n");
}

static void fb_only(const char *clip)
{
    (void)clip;
    XrInstance instance;
    CHECK_XR(e2e_create_instance(all_four, 1, &instance));
    XrSystemId system = e2e_system(instance);
    static const char *const meta[] = {"xrRequestBodyTrackingFidelityMETA",
                                       "xrSuggestBodyTrackingCalibrationOverrideMETA",
                                       "xrResetBodyTrackingCalibrationMETA"};
    e2e_expect_unsupported(instance, meta, 3);
    XrSessionCreateInfo si = {.type = XR_TYPE_SESSION_CREATE_INFO, .systemId = system};
    XrSession session;
    CHECK_XR(xrCreateSession(instance, &si, &session));
    PFN_xrCreateBodyTrackerFB create = e2e_body_functions(instance, XR_CLIENT_FB).create_fb;
    XrBodyTrackerCreateInfoFB info = {.type = XR_TYPE_BODY_TRACKER_CREATE_INFO_FB,
                                      .bodyJointSet = XR_BODY_JOINT_SET_FULL_BODY_META};
    XrBodyTrackerFB t;
    EXPECT(create(session, &info, &t), XR_ERROR_VALIDATION_FAILURE);
    CHECK_XR(xrDestroySession(session));
    CHECK_XR(xrDestroyInstance(instance));
    printf("XR_FB_body_tracking alone: no META functions, no full-body set\n");
}

int e2e_body(int argc, char **argv)
{
    CHECK(argc >= 1, "usage: kinest-e2e body CLIP [--valid-spaces]");
    g_valid_spaces = argc > 1 && strcmp(argv[1], "--valid-spaces") == 0;
    e2e_clip_write(argv[0]);
    setenv("KINEST_REPLAY_CLIP", argv[0], 1);

    const char *names[5];
    for (int i = 0; i < 4; i++)
        names[i] = all_four[i];
    names[4] = "XR_KHR_convert_timespec_time";
    XrInstance instance;
    CHECK_XR(e2e_create_instance(names, 5, &instance));
    XrSystemId system = e2e_system(instance);
    xr_body_functions f = e2e_body_functions(
        instance, XR_CLIENT_FB | XR_CLIENT_FIDELITY | XR_CLIENT_CALIBRATION | XR_CLIENT_TIMESPEC);

    XrSession session = e2e_running_session(instance, system);
    XrSpace stage = e2e_reference_space(session, XR_REFERENCE_SPACE_TYPE_STAGE);
    create_rules(&f, session);
    XrBodyTrackerFB t = make_tracker(&f, session, XR_BODY_JOINT_SET_DEFAULT_FB);
    XrBodyTrackerFB full = make_tracker(&f, session, XR_BODY_JOINT_SET_FULL_BODY_META);
    XrFrameState fs;
    e2e_frame(session, &fs);
    e2e_end_frame(session, &fs);
    locate_rules(&f, session, t, full, stage, fs.predictedDisplayTime);
    skeleton_rules(&f, t, full);
    joints_arrive(&f, session, t, full, stage);
    fidelity_and_calibration(&f, t, stage, fs.predictedDisplayTime + 1);

    /* Destroyed trackers are gone for good. */
    CHECK_XR(f.destroy_fb(full));
    EXPECT(f.destroy_fb(full), XR_ERROR_HANDLE_INVALID);
    body b;
    EXPECT(locate(&f, full, stage, fs.predictedDisplayTime, 84, &b), XR_ERROR_HANDLE_INVALID);
    CHECK_XR(f.destroy_fb(t));
    CHECK_XR(xrRequestExitSession(session));
    int changes = 0;
    static const XrSessionState stopping[] = {
        XR_SESSION_STATE_VISIBLE, XR_SESSION_STATE_SYNCHRONIZED, XR_SESSION_STATE_STOPPING};
    e2e_expect_states(instance, session, stopping, 3, &changes, NULL);
    CHECK_XR(xrEndSession(session));
    CHECK_XR(xrDestroySession(session));

    without_frame_loop(&f, instance, system);
    CHECK_XR(xrDestroyInstance(instance));
    fb_only(argv[0]);
    e2e_body_sets();
    return 0;
}
