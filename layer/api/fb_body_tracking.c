/* XR_FB_body_tracking: the four entry points. Each checks its handle and
 * arguments against the specification's rules (fb_body_tracking.adoc and
 * the implicit valid usage of xr.xml), then makes one call into the logic
 * (body/tracker.h). */
#include "api/verify.h"
#include "framework/hooks.h"

#define FB KN_EXT_FB_BODY_TRACKING

XRAPI_ATTR XrResult XRAPI_CALL kn_xrCreateBodyTrackerFB(XrSession session,
                                                        const XrBodyTrackerCreateInfoFB *createInfo,
                                                        XrBodyTrackerFB *bodyTracker)
{
    kn_session *s;
    KN_VERIFY_SESSION(session, FB, s);
    KN_VERIFY_STRUCT("xrCreateBodyTrackerFB", createInfo, XR_TYPE_BODY_TRACKER_CREATE_INFO_FB);
    KN_VERIFY("xrCreateBodyTrackerFB", bodyTracker, "bodyTracker is NULL");
    switch (createInfo->bodyJointSet) {
    case XR_BODY_JOINT_SET_DEFAULT_FB:
        break;
    case XR_BODY_JOINT_SET_FULL_BODY_META:
        /* Only a valid enumerant with its extension enabled; and a system
         * without full-body tracking refuses it with VALIDATION_FAILURE
         * (not FEATURE_UNSUPPORTED: XR_META_body_tracking_full_body). */
        KN_VERIFY("xrCreateBodyTrackerFB", (s->inst->enabled & KN_EXT_META_FULL_BODY) != 0,
                  "XR_BODY_JOINT_SET_FULL_BODY_META without XR_META_body_tracking_full_body");
        KN_VERIFY("xrCreateBodyTrackerFB", kn_supports(s, KN_EXT_META_FULL_BODY),
                  "full-body tracking is not supported");
        break;
    default:
        KN_VERIFY("xrCreateBodyTrackerFB", false, "unknown bodyJointSet %d",
                  (int)createInfo->bodyJointSet);
    }
    return kn_tracker_create(s, createInfo->bodyJointSet, bodyTracker);
}

XRAPI_ATTR XrResult XRAPI_CALL kn_xrDestroyBodyTrackerFB(XrBodyTrackerFB bodyTracker)
{
    kn_tracker *t;
    KN_VERIFY_TRACKER_OF_UNHELD("xrDestroyBodyTrackerFB", bodyTracker, KN_EXT_FB_BODY_TRACKING, FB,
                                t);
    if (!kn_tracker_destroy(t))
        return XR_ERROR_HANDLE_INVALID;
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL kn_xrLocateBodyJointsFB(XrBodyTrackerFB bodyTracker,
                                                       const XrBodyJointsLocateInfoFB *locateInfo,
                                                       XrBodyJointLocationsFB *locations)
{
    kn_tracker *t;
    KN_VERIFY_TRACKER("xrLocateBodyJointsFB", bodyTracker, FB, t);
    KN_VERIFY_LOCATE("xrLocateBodyJointsFB", locateInfo, XR_TYPE_BODY_JOINTS_LOCATE_INFO_FB,
                     locations, XR_TYPE_BODY_JOINT_LOCATIONS_FB, locations->jointCount,
                     locations->jointCount == t->joint_count, t->joint_count);
    return kn_tracker_locate(t, locateInfo, locations);
}

XRAPI_ATTR XrResult XRAPI_CALL kn_xrGetBodySkeletonFB(XrBodyTrackerFB bodyTracker,
                                                      XrBodySkeletonFB *skeleton)
{
    kn_tracker *t;
    KN_VERIFY_TRACKER("xrGetBodySkeletonFB", bodyTracker, FB, t);
    KN_VERIFY_STRUCT("xrGetBodySkeletonFB", skeleton, XR_TYPE_BODY_SKELETON_FB);
    KN_VERIFY("xrGetBodySkeletonFB", skeleton->jointCount == t->joint_count,
              "jointCount %u, the tracker's joint set has %u", skeleton->jointCount,
              t->joint_count);
    KN_VERIFY("xrGetBodySkeletonFB", skeleton->joints, "joints is NULL");
    return kn_tracker_skeleton(t, skeleton);
}
