/* XR_BD_body_tracking: its three entry points, checked against the
 * specification (xrCreateBodyTrackerBD, xrLocateBodyJointsBD and the
 * implicit valid usage of xr.xml), then one call into body/tracker.h. */
#include "api/verify.h"
#include "framework/hooks.h"

#define BD KN_EXT_BD_BODY_TRACKING

XRAPI_ATTR XrResult XRAPI_CALL kn_xrCreateBodyTrackerBD(XrSession session,
                                                        const XrBodyTrackerCreateInfoBD *createInfo,
                                                        XrBodyTrackerBD *bodyTracker)
{
    kn_session *s;
    KN_VERIFY_SESSION(session, BD, s);
    KN_VERIFY_STRUCT("xrCreateBodyTrackerBD", createInfo, XR_TYPE_BODY_TRACKER_CREATE_INFO_BD);
    KN_VERIFY("xrCreateBodyTrackerBD", bodyTracker, "bodyTracker is NULL");
    kinest_joint_set set;
    switch (createInfo->jointSet) {
    case XR_BODY_JOINT_SET_BODY_WITHOUT_ARM_BD:
        set = KINEST_JOINT_SET_BD_WITHOUT_ARM;
        break;
    case XR_BODY_JOINT_SET_FULL_BODY_JOINTS_BD:
        set = KINEST_JOINT_SET_BD;
        break;
    default:
        KN_VERIFY("xrCreateBodyTrackerBD", false, "unknown jointSet %d", (int)createInfo->jointSet);
    }
    return kn_tracker_create_set(s, BD, set, (XrBodyTrackerFB *)(void *)bodyTracker);
}

XRAPI_ATTR XrResult XRAPI_CALL kn_xrDestroyBodyTrackerBD(XrBodyTrackerBD bodyTracker)
{
    kn_tracker *t;
    KN_VERIFY_TRACKER_OF_UNHELD("xrDestroyBodyTrackerBD", bodyTracker, BD, BD, t);
    if (!kn_tracker_destroy(t))
        return XR_ERROR_HANDLE_INVALID;
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL kn_xrLocateBodyJointsBD(XrBodyTrackerBD bodyTracker,
                                                       const XrBodyJointsLocateInfoBD *locateInfo,
                                                       XrBodyJointLocationsBD *locations)
{
    kn_tracker *t;
    KN_VERIFY_TRACKER_OF("xrLocateBodyJointsBD", bodyTracker, BD, BD, t);
    /* "enough elements for all joints of the chosen joint set": the set's
     * joints are filled, any further elements left alone. */
    KN_VERIFY_LOCATE("xrLocateBodyJointsBD", locateInfo, XR_TYPE_BODY_JOINTS_LOCATE_INFO_BD,
                     locations, XR_TYPE_BODY_JOINT_LOCATIONS_BD, locations->jointLocationCount,
                     locations->jointLocationCount >= t->joint_count, t->joint_count);
    return kn_tracker_locate_bd(t, locateInfo, locations);
}
