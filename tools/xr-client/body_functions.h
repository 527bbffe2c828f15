/* The body-tracking functions an OpenXR application resolves through
 * xrGetInstanceProcAddr, for the project's own applications (kinest-probe,
 * tests/e2e): one list, resolved one way. */
#ifndef KN_XR_CLIENT_BODY_FUNCTIONS_H
#define KN_XR_CLIENT_BODY_FUNCTIONS_H

#include "xr/xr_body_tracking.h"

#include <openxr/openxr.h>
#include <time.h>

#define XR_USE_TIMESPEC 1
#include <openxr/openxr_platform.h>

/* Whose functions to resolve: the extensions the instance enabled. */
enum {
    XR_CLIENT_FB = 1 << 0,          /* XR_FB_body_tracking */
    XR_CLIENT_FIDELITY = 1 << 1,    /* XR_META_body_tracking_fidelity */
    XR_CLIENT_CALIBRATION = 1 << 2, /* XR_META_body_tracking_calibration */
    XR_CLIENT_BD = 1 << 3,          /* XR_BD_body_tracking */
    XR_CLIENT_HTC = 1 << 4,         /* XR_HTC_body_tracking */
    XR_CLIENT_TIMESPEC = 1 << 5,    /* XR_KHR_convert_timespec_time: bodies at "now" */
};

typedef struct xr_body_functions {
    PFN_xrCreateBodyTrackerFB create_fb;
    PFN_xrDestroyBodyTrackerFB destroy_fb;
    PFN_xrLocateBodyJointsFB locate_fb;
    PFN_xrGetBodySkeletonFB skeleton_fb;
    PFN_xrRequestBodyTrackingFidelityMETA request_fidelity;
    PFN_xrSuggestBodyTrackingCalibrationOverrideMETA suggest_calibration;
    PFN_xrResetBodyTrackingCalibrationMETA reset_calibration;
    PFN_xrCreateBodyTrackerBD create_bd;
    PFN_xrDestroyBodyTrackerBD destroy_bd;
    PFN_xrLocateBodyJointsBD locate_bd;
    PFN_xrCreateBodyTrackerHTC create_htc;
    PFN_xrDestroyBodyTrackerHTC destroy_htc;
    PFN_xrLocateBodyJointsHTC locate_htc;
    PFN_xrGetBodySkeletonHTC skeleton_htc;
    PFN_xrConvertTimespecTimeToTimeKHR convert_timespec;
} xr_body_functions;

/* Resolves the functions of `extensions` (XR_CLIENT_* bits) into *out, the
 * others NULL. On the first that fails, returns its result (a NULL pointer
 * with success reads XR_ERROR_FUNCTION_UNSUPPORTED) and its name in *failed. */
XrResult xr_body_functions_resolve(XrInstance instance, unsigned extensions, xr_body_functions *out,
                                   const char **failed);

#endif
