/* XR_BD_body_tracking and XR_HTC_body_tracking through the loader: every
 * rule of their functions, and their joints beside the full-body set's for
 * the same body (the joints both define at the same place agree within
 * 1 mm). Run by the body case, on its clip. */
#include "e2e.h"

#include <math.h>
#include <string.h>

#define VALID (XR_SPACE_LOCATION_ORIENTATION_VALID_BIT | XR_SPACE_LOCATION_POSITION_VALID_BIT)

/* The joints each set places where the full-body set does: its index
 * there, in BD's set and in HTC's (-1: not in that set). */
static const int same_place[][3] = {
    {1, 0, 0},    {2, 3, -1},   {3, 6, 11},   {4, -1, 12},  {5, 9, 13},   {6, 12, 14},
    {7, 15, 15},  {8, 13, 16},  {9, -1, 17},  {10, 16, 18}, {11, 18, 19}, {19, 20, 20},
    {18, 22, -1}, {13, 14, 21}, {14, -1, 22}, {15, 17, 23}, {16, 19, 24}, {45, 21, 25},
    {44, 23, -1}, {70, 1, 1},   {71, 4, 2},   {73, 7, 3},   {76, 10, 4},  {77, 2, 5},
    {78, 5, 6},   {80, 8, 7},   {83, 11, 8},
};

static void bd_rules(const xr_body_functions *f, XrSession session, XrSpace stage, XrTime time)
{
    XrBodyTrackerCreateInfoBD info = {.type = XR_TYPE_BODY_TRACKER_CREATE_INFO_BD,
                                      .jointSet = XR_BODY_JOINT_SET_FULL_BODY_JOINTS_BD};
    XrBodyTrackerBD t;
    EXPECT(f->create_bd(XR_NULL_HANDLE, &info, &t), XR_ERROR_HANDLE_INVALID);
    EXPECT(f->create_bd(session, NULL, &t), XR_ERROR_VALIDATION_FAILURE);
    EXPECT(f->create_bd(session, &info, NULL), XR_ERROR_VALIDATION_FAILURE);
    info.type = XR_TYPE_BODY_TRACKER_CREATE_INFO_HTC;
    EXPECT(f->create_bd(session, &info, &t), XR_ERROR_VALIDATION_FAILURE);
    info.type = XR_TYPE_BODY_TRACKER_CREATE_INFO_BD;
    static const int bad_sets[] = {0, 3, 1000274000};
    for (int i = 0; i < 3; i++) {
        info.jointSet = (XrBodyJointSetBD)bad_sets[i];
        EXPECT(f->create_bd(session, &info, &t), XR_ERROR_VALIDATION_FAILURE);
    }
    info.jointSet = XR_BODY_JOINT_SET_BODY_WITHOUT_ARM_BD;
    CHECK_XR(f->create_bd(session, &info, &t));

    XrBodyJointLocationBD joints[XR_BODY_JOINT_COUNT_BD];
    XrBodyJointsLocateInfoBD li = {
        .type = XR_TYPE_BODY_JOINTS_LOCATE_INFO_BD, .baseSpace = stage, .time = time};
    XrBodyJointLocationsBD locs = {.type = XR_TYPE_BODY_JOINT_LOCATIONS_BD,
                                   .jointLocationCount = 15,
                                   .jointLocations = joints};
    EXPECT(f->locate_bd(XR_NULL_HANDLE, &li, &locs), XR_ERROR_HANDLE_INVALID);
    EXPECT(f->locate_bd((XrBodyTrackerBD)(uintptr_t)0x1234, &li, &locs), XR_ERROR_HANDLE_INVALID);
    EXPECT(f->locate_bd(t, &li, &locs), XR_ERROR_VALIDATION_FAILURE); /* 15 < 16 */
    locs.jointLocationCount = XR_BODY_JOINT_WITHOUT_ARM_COUNT_BD;
    EXPECT(f->locate_bd(t, NULL, &locs), XR_ERROR_VALIDATION_FAILURE);
    EXPECT(f->locate_bd(t, &li, NULL), XR_ERROR_VALIDATION_FAILURE);
    locs.type = XR_TYPE_BODY_JOINT_LOCATIONS_FB;
    EXPECT(f->locate_bd(t, &li, &locs), XR_ERROR_VALIDATION_FAILURE);
    locs.type = XR_TYPE_BODY_JOINT_LOCATIONS_BD;
    li.type = XR_TYPE_BODY_JOINTS_LOCATE_INFO_FB;
    EXPECT(f->locate_bd(t, &li, &locs), XR_ERROR_VALIDATION_FAILURE);
    li.type = XR_TYPE_BODY_JOINTS_LOCATE_INFO_BD;
    locs.jointLocations = NULL;
    EXPECT(f->locate_bd(t, &li, &locs), XR_ERROR_VALIDATION_FAILURE);
    locs.jointLocations = joints;
    li.baseSpace = XR_NULL_HANDLE;
    EXPECT(f->locate_bd(t, &li, &locs), XR_ERROR_HANDLE_INVALID);
    li.baseSpace = stage;
    li.time = 0;
    EXPECT(f->locate_bd(t, &li, &locs), XR_ERROR_TIME_INVALID);
    li.time = time;
    CHECK_XR(f->locate_bd(t, &li, &locs));
    locs.jointLocationCount = XR_BODY_JOINT_COUNT_BD; /* enough elements: fine */
    CHECK_XR(f->locate_bd(t, &li, &locs));

    /* A BD handle is no FB tracker, and the other way round. */
    XrBodyJointLocationFB fb_joints[XR_BODY_JOINT_COUNT_FB];
    XrBodyJointsLocateInfoFB fi = {
        .type = XR_TYPE_BODY_JOINTS_LOCATE_INFO_FB, .baseSpace = stage, .time = time};
    XrBodyJointLocationsFB fl = {.type = XR_TYPE_BODY_JOINT_LOCATIONS_FB,
                                 .jointCount = XR_BODY_JOINT_COUNT_FB,
                                 .jointLocations = fb_joints};
    EXPECT(f->locate_fb((XrBodyTrackerFB)(void *)t, &fi, &fl), XR_ERROR_HANDLE_INVALID);
    EXPECT(f->destroy_fb((XrBodyTrackerFB)(void *)t), XR_ERROR_HANDLE_INVALID);
    CHECK_XR(f->destroy_bd(t));
    EXPECT(f->destroy_bd(t), XR_ERROR_HANDLE_INVALID);
    EXPECT(f->locate_bd(t, &li, &locs), XR_ERROR_HANDLE_INVALID);
    printf("XR_BD_body_tracking: every rule\n");
}

static void htc_rules(const xr_body_functions *f, XrSession session, XrSpace stage, XrTime time)
{
    XrBodyTrackerCreateInfoHTC info = {.type = XR_TYPE_BODY_TRACKER_CREATE_INFO_HTC,
                                       .bodyJointSet = XR_BODY_JOINT_SET_FULL_HTC};
    XrBodyTrackerHTC t;
    EXPECT(f->create_htc(XR_NULL_HANDLE, &info, &t), XR_ERROR_HANDLE_INVALID);
    EXPECT(f->create_htc(session, NULL, &t), XR_ERROR_VALIDATION_FAILURE);
    EXPECT(f->create_htc(session, &info, NULL), XR_ERROR_VALIDATION_FAILURE);
    info.type = XR_TYPE_BODY_TRACKER_CREATE_INFO_BD;
    EXPECT(f->create_htc(session, &info, &t), XR_ERROR_VALIDATION_FAILURE);
    info.type = XR_TYPE_BODY_TRACKER_CREATE_INFO_HTC;
    info.bodyJointSet = (XrBodyJointSetHTC)1;
    EXPECT(f->create_htc(session, &info, &t), XR_ERROR_VALIDATION_FAILURE);
    info.bodyJointSet = XR_BODY_JOINT_SET_FULL_HTC;
    CHECK_XR(f->create_htc(session, &info, &t));

    XrBodyJointLocationHTC joints[XR_BODY_JOINT_COUNT_HTC + 1];
    XrBodyJointsLocateInfoHTC li = {
        .type = XR_TYPE_BODY_JOINTS_LOCATE_INFO_HTC, .baseSpace = stage, .time = time};
    XrBodyJointLocationsHTC locs = {.type = XR_TYPE_BODY_JOINT_LOCATIONS_HTC,
                                    .jointLocationCount = XR_BODY_JOINT_COUNT_HTC,
                                    .jointLocations = joints};
    EXPECT(f->locate_htc(XR_NULL_HANDLE, &li, &locs), XR_ERROR_HANDLE_INVALID);
    EXPECT(f->locate_htc(t, NULL, &locs), XR_ERROR_VALIDATION_FAILURE);
    EXPECT(f->locate_htc(t, &li, NULL), XR_ERROR_VALIDATION_FAILURE);
    locs.type = XR_TYPE_BODY_JOINT_LOCATIONS_BD;
    EXPECT(f->locate_htc(t, &li, &locs), XR_ERROR_VALIDATION_FAILURE);
    locs.type = XR_TYPE_BODY_JOINT_LOCATIONS_HTC;
    static const uint32_t bad_counts[] = {0, 25, 27};
    for (int i = 0; i < 3; i++) {
        locs.jointLocationCount = bad_counts[i];
        EXPECT(f->locate_htc(t, &li, &locs), XR_ERROR_VALIDATION_FAILURE);
    }
    locs.jointLocationCount = XR_BODY_JOINT_COUNT_HTC;
    locs.jointLocations = NULL;
    EXPECT(f->locate_htc(t, &li, &locs), XR_ERROR_VALIDATION_FAILURE);
    locs.jointLocations = joints;
    li.baseSpace = XR_NULL_HANDLE;
    EXPECT(f->locate_htc(t, &li, &locs), XR_ERROR_HANDLE_INVALID);
    li.baseSpace = stage;
    li.time = -1;
    EXPECT(f->locate_htc(t, &li, &locs), XR_ERROR_TIME_INVALID);
    li.time = time;
    CHECK_XR(f->locate_htc(t, &li, &locs));
    CHECK(locs.skeletonGenerationId != 0, "skeletonGenerationId 0");
    uint32_t id = locs.skeletonGenerationId;

    XrBodySkeletonJointHTC sj[XR_BODY_JOINT_COUNT_HTC];
    XrBodySkeletonHTC sk = {
        .type = XR_TYPE_BODY_SKELETON_HTC, .jointCount = XR_BODY_JOINT_COUNT_HTC, .joints = sj};
    EXPECT(f->skeleton_htc(XR_NULL_HANDLE, stage, id, &sk), XR_ERROR_HANDLE_INVALID);
    EXPECT(f->skeleton_htc(t, XR_NULL_HANDLE, id, &sk), XR_ERROR_HANDLE_INVALID);
    EXPECT(f->skeleton_htc(t, stage, id, NULL), XR_ERROR_VALIDATION_FAILURE);
    EXPECT(f->skeleton_htc(t, stage, id + 1000, &sk), XR_ERROR_VALIDATION_FAILURE);
    EXPECT(f->skeleton_htc(t, stage, 0, &sk), XR_ERROR_VALIDATION_FAILURE);
    sk.type = XR_TYPE_BODY_SKELETON_FB;
    EXPECT(f->skeleton_htc(t, stage, id, &sk), XR_ERROR_VALIDATION_FAILURE);
    sk.type = XR_TYPE_BODY_SKELETON_HTC;
    sk.jointCount = 25;
    EXPECT(f->skeleton_htc(t, stage, id, &sk), XR_ERROR_VALIDATION_FAILURE);
    sk.jointCount = XR_BODY_JOINT_COUNT_HTC;
    sk.joints = NULL;
    EXPECT(f->skeleton_htc(t, stage, id, &sk), XR_ERROR_VALIDATION_FAILURE);
    sk.joints = sj;
    CHECK_XR(f->skeleton_htc(t, stage, id, &sk));
    /* The T-pose: the head above the pelvis, the body's axes everywhere. */
    CHECK(sj[15].pose.position.y > sj[0].pose.position.y + 0.4f, "head %.3f m, pelvis %.3f m",
          sj[15].pose.position.y, sj[0].pose.position.y);
    CHECK(fabsf(sj[18].pose.orientation.w) > 0.9999f, "LEFT_ARM is turned in the T-pose");

    /* The id is the session's: another HTC tracker of it takes it too. */
    XrBodyTrackerHTC other;
    CHECK_XR(f->create_htc(session, &info, &other));
    CHECK_XR(f->skeleton_htc(other, stage, id, &sk));
    CHECK_XR(f->destroy_htc(other));

    EXPECT(f->destroy_bd((XrBodyTrackerBD)(void *)t), XR_ERROR_HANDLE_INVALID);
    CHECK_XR(f->destroy_htc(t));
    EXPECT(f->destroy_htc(t), XR_ERROR_HANDLE_INVALID);
    EXPECT(f->skeleton_htc(t, stage, id, &sk), XR_ERROR_HANDLE_INVALID);
    printf("XR_HTC_body_tracking: every rule\n");
}

static float distance(const XrVector3f *a, const XrVector3f *b)
{
    return sqrtf(powf(a->x - b->x, 2) + powf(a->y - b->y, 2) + powf(a->z - b->z, 2));
}

/* The three sets of one body: the shared joints agree, every joint valid. */
static void same_body(const xr_body_functions *f, XrSession session, XrSpace stage)
{
    XrBodyTrackerFB full;
    XrBodyTrackerCreateInfoFB fi = {.type = XR_TYPE_BODY_TRACKER_CREATE_INFO_FB,
                                    .bodyJointSet = XR_BODY_JOINT_SET_FULL_BODY_META};
    CHECK_XR(f->create_fb(session, &fi, &full));
    XrBodyTrackerBD bd;
    XrBodyTrackerCreateInfoBD bi = {.type = XR_TYPE_BODY_TRACKER_CREATE_INFO_BD,
                                    .jointSet = XR_BODY_JOINT_SET_FULL_BODY_JOINTS_BD};
    CHECK_XR(f->create_bd(session, &bi, &bd));
    XrBodyTrackerHTC htc;
    XrBodyTrackerCreateInfoHTC hi = {.type = XR_TYPE_BODY_TRACKER_CREATE_INFO_HTC,
                                     .bodyJointSet = XR_BODY_JOINT_SET_FULL_HTC};
    CHECK_XR(f->create_htc(session, &hi, &htc));

    XrBodyJointLocationFB mj[XR_FULL_BODY_JOINT_COUNT_META];
    XrBodyJointLocationBD bj[XR_BODY_JOINT_COUNT_BD];
    XrBodyJointLocationHTC hj[XR_BODY_JOINT_COUNT_HTC];
    XrBodyJointLocationsFB ml = {.type = XR_TYPE_BODY_JOINT_LOCATIONS_FB,
                                 .jointCount = XR_FULL_BODY_JOINT_COUNT_META,
                                 .jointLocations = mj};
    XrBodyJointLocationsBD bl = {.type = XR_TYPE_BODY_JOINT_LOCATIONS_BD,
                                 .jointLocationCount = XR_BODY_JOINT_COUNT_BD,
                                 .jointLocations = bj};
    XrBodyJointLocationsHTC hl = {.type = XR_TYPE_BODY_JOINT_LOCATIONS_HTC,
                                  .jointLocationCount = XR_BODY_JOINT_COUNT_HTC,
                                  .jointLocations = hj};
    XrTime time = 0;
    for (int n = 0; n < 600 && !ml.isActive; n++) {
        XrFrameState fs;
        e2e_frame(session, &fs);
        time = fs.predictedDisplayTime;
        XrBodyJointsLocateInfoFB li = {
            .type = XR_TYPE_BODY_JOINTS_LOCATE_INFO_FB, .baseSpace = stage, .time = time};
        CHECK_XR(f->locate_fb(full, &li, &ml));
        e2e_end_frame(session, &fs);
        e2e_sleep_ms(16);
    }
    CHECK(ml.isActive, "the body never became active");
    /* Settled (nothing newer is asked for): every call sees the same body. */
    e2e_sleep_ms(100);
    XrBodyJointsLocateInfoFB li = {
        .type = XR_TYPE_BODY_JOINTS_LOCATE_INFO_FB, .baseSpace = stage, .time = time};
    XrBodyJointsLocateInfoBD lb = {
        .type = XR_TYPE_BODY_JOINTS_LOCATE_INFO_BD, .baseSpace = stage, .time = time};
    XrBodyJointsLocateInfoHTC lh = {
        .type = XR_TYPE_BODY_JOINTS_LOCATE_INFO_HTC, .baseSpace = stage, .time = time};
    CHECK_XR(f->locate_fb(full, &li, &ml));
    CHECK_XR(f->locate_bd(bd, &lb, &bl));
    CHECK_XR(f->locate_htc(htc, &lh, &hl));
    CHECK(ml.isActive, "inactive at the end");
    for (uint32_t j = 0; j < XR_BODY_JOINT_COUNT_BD; j++)
        CHECK((bj[j].locationFlags & VALID) == VALID, "BD joint %u is not valid", j);
    for (uint32_t j = 0; j < XR_BODY_JOINT_COUNT_HTC; j++)
        CHECK((hj[j].locationFlags & VALID) == VALID, "HTC joint %u is not valid", j);
    /* Only the head and hands follow a device: never "all tracked". */
    CHECK(!bl.allJointPosesTracked, "allJointPosesTracked with untracked legs");
    CHECK((hl.combinedLocationFlags & VALID) == VALID, "combinedLocationFlags 0x%llx",
          (unsigned long long)hl.combinedLocationFlags);
    CHECK(hl.confidenceLevel == (ml.confidence >= 0.5f ? XR_BODY_JOINT_CONFIDENCE_HIGH_HTC
                                                       : XR_BODY_JOINT_CONFIDENCE_LOW_HTC),
          "confidenceLevel %d for confidence %.2f", hl.confidenceLevel, ml.confidence);
    float worst_bd = 0, worst_htc = 0;
    for (size_t i = 0; i < sizeof same_place / sizeof same_place[0]; i++) {
        const XrVector3f *m = &mj[same_place[i][0]].pose.position;
        if (same_place[i][1] >= 0)
            worst_bd = fmaxf(worst_bd, distance(m, &bj[same_place[i][1]].pose.position));
        if (same_place[i][2] >= 0)
            worst_htc = fmaxf(worst_htc, distance(m, &hj[same_place[i][2]].pose.position));
    }
    CHECK(worst_bd < 1e-3f && worst_htc < 1e-3f,
          "shared joints disagree with the full-body set: BD %.6f m, HTC %.6f m", worst_bd,
          worst_htc);
    printf("one body, three sets: shared joints within %.6f m (BD) and %.6f m (HTC) of the "
           "full-body set's\n",
           worst_bd, worst_htc);
    CHECK_XR(f->destroy_fb(full));
    CHECK_XR(f->destroy_bd(bd));
    CHECK_XR(f->destroy_htc(htc));
}

void e2e_body_sets(void)
{
    static const char *const names[] = {
        XR_FB_BODY_TRACKING_EXTENSION_NAME, XR_META_BODY_TRACKING_FULL_BODY_EXTENSION_NAME,
        XR_BD_BODY_TRACKING_EXTENSION_NAME, XR_HTC_BODY_TRACKING_EXTENSION_NAME};
    XrInstance instance;
    CHECK_XR(e2e_create_instance(names, 4, &instance));
    XrSystemId system = e2e_system(instance);
    XrSystemBodyTrackingPropertiesHTC htc = {.type = XR_TYPE_SYSTEM_BODY_TRACKING_PROPERTIES_HTC};
    XrSystemBodyTrackingPropertiesBD bd = {.type = XR_TYPE_SYSTEM_BODY_TRACKING_PROPERTIES_BD,
                                           .next = &htc};
    XrSystemProperties props = {.type = XR_TYPE_SYSTEM_PROPERTIES, .next = &bd};
    CHECK_XR(xrGetSystemProperties(instance, system, &props));
    CHECK(bd.supportsBodyTracking && htc.supportsBodyTracking, "BD %u, HTC %u",
          bd.supportsBodyTracking, htc.supportsBodyTracking);
    xr_body_functions f = e2e_body_functions(instance, XR_CLIENT_FB | XR_CLIENT_BD | XR_CLIENT_HTC);
    XrSession session = e2e_running_session(instance, system);
    XrSpace stage = e2e_reference_space(session, XR_REFERENCE_SPACE_TYPE_STAGE);
    XrFrameState fs;
    e2e_frame(session, &fs);
    e2e_end_frame(session, &fs);
    bd_rules(&f, session, stage, fs.predictedDisplayTime);
    htc_rules(&f, session, stage, fs.predictedDisplayTime);
    same_body(&f, session, stage);
    /* Trackers end with their session. */
    XrBodyTrackerBD left;
    XrBodyTrackerCreateInfoBD bi = {.type = XR_TYPE_BODY_TRACKER_CREATE_INFO_BD,
                                    .jointSet = XR_BODY_JOINT_SET_FULL_BODY_JOINTS_BD};
    CHECK_XR(f.create_bd(session, &bi, &left));
    CHECK_XR(xrDestroySession(session));
    EXPECT(f.destroy_bd(left), XR_ERROR_HANDLE_INVALID);
    CHECK_XR(xrDestroyInstance(instance));

    /* Without their extensions enabled, their functions do not exist. */
    CHECK_XR(e2e_create_instance(names, 1, &instance));
    static const char *const absent[] = {"xrCreateBodyTrackerBD", "xrLocateBodyJointsBD",
                                         "xrCreateBodyTrackerHTC", "xrGetBodySkeletonHTC"};
    e2e_expect_unsupported(instance, absent, 4);
    CHECK_XR(xrDestroyInstance(instance));
    printf("BD and HTC functions only with their extensions; trackers end with their session\n");
}
