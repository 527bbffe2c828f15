/* XR_HTC_body_tracking: its four entry points, checked against the
 * specification (xrLocateBodyJointsHTC, XrBodyJointLocationsHTC,
 * xrGetBodySkeletonHTC and the implicit valid usage of xr.xml), then one
 * call into body/tracker.h. */
#include "api/verify.h"
#include "framework/hooks.h"

#define HTC KN_EXT_HTC_BODY_TRACKING

XRAPI_ATTR XrResult XRAPI_CALL kn_xrCreateBodyTrackerHTC(
    XrSession session, const XrBodyTrackerCreateInfoHTC *createInfo, XrBodyTrackerHTC *bodyTracker)
{
    kn_session *s;
    KN_VERIFY_SESSION(session, HTC, s);
    KN_VERIFY_STRUCT("xrCreateBodyTrackerHTC", createInfo, XR_TYPE_BODY_TRACKER_CREATE_INFO_HTC);
    KN_VERIFY("xrCreateBodyTrackerHTC", bodyTracker, "bodyTracker is NULL");
    KN_VERIFY("xrCreateBodyTrackerHTC", createInfo->bodyJointSet == XR_BODY_JOINT_SET_FULL_HTC,
              "unknown bodyJointSet %d", (int)createInfo->bodyJointSet);
    return kn_tracker_create_set(s, HTC, KINEST_JOINT_SET_HTC,
                                 (XrBodyTrackerFB *)(void *)bodyTracker);
}

XRAPI_ATTR XrResult XRAPI_CALL kn_xrDestroyBodyTrackerHTC(XrBodyTrackerHTC bodyTracker)
{
    kn_tracker *t;
    KN_VERIFY_TRACKER_OF_UNHELD("xrDestroyBodyTrackerHTC", bodyTracker, HTC, HTC, t);
    if (!kn_tracker_destroy(t))
        return XR_ERROR_HANDLE_INVALID;
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL kn_xrLocateBodyJointsHTC(XrBodyTrackerHTC bodyTracker,
                                                        const XrBodyJointsLocateInfoHTC *locateInfo,
                                                        XrBodyJointLocationsHTC *locations)
{
    kn_tracker *t;
    KN_VERIFY_TRACKER_OF("xrLocateBodyJointsHTC", bodyTracker, HTC, HTC, t);
    KN_VERIFY_LOCATE("xrLocateBodyJointsHTC", locateInfo, XR_TYPE_BODY_JOINTS_LOCATE_INFO_HTC,
                     locations, XR_TYPE_BODY_JOINT_LOCATIONS_HTC, locations->jointLocationCount,
                     locations->jointLocationCount == t->joint_count, t->joint_count);
    return kn_tracker_locate_htc(t, locateInfo, locations);
}

XRAPI_ATTR XrResult XRAPI_CALL kn_xrGetBodySkeletonHTC(XrBodyTrackerHTC bodyTracker,
                                                       XrSpace baseSpace,
                                                       uint32_t skeletonGenerationId,
                                                       XrBodySkeletonHTC *skeleton)
{
    kn_tracker *t;
    KN_VERIFY_TRACKER_OF("xrGetBodySkeletonHTC", bodyTracker, HTC, HTC, t);
    if (baseSpace == XR_NULL_HANDLE)
        return XR_ERROR_HANDLE_INVALID;
    KN_VERIFY_STRUCT("xrGetBodySkeletonHTC", skeleton, XR_TYPE_BODY_SKELETON_HTC);
    KN_VERIFY("xrGetBodySkeletonHTC", skeleton->jointCount == t->joint_count,
              "jointCount %u, the tracker's joint set has %u", skeleton->jointCount,
              t->joint_count);
    KN_VERIFY("xrGetBodySkeletonHTC", skeleton->joints, "joints is NULL");
    KN_VERIFY("xrGetBodySkeletonHTC", kn_tracker_has_generation(t, skeletonGenerationId),
              "skeletonGenerationId %u was never returned by xrLocateBodyJointsHTC",
              skeletonGenerationId);
    return kn_tracker_skeleton_htc(t, skeletonGenerationId, skeleton);
}
