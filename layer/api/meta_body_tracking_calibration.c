/* XR_META_body_tracking_calibration: its two entry points. */
#include "api/verify.h"
#include "framework/hooks.h"

#include <math.h>

#define CALIBRATION KN_EXT_META_CALIBRATION

XRAPI_ATTR XrResult XRAPI_CALL kn_xrSuggestBodyTrackingCalibrationOverrideMETA(
    XrBodyTrackerFB bodyTracker, const XrBodyTrackingCalibrationInfoMETA *calibrationInfo)
{
    kn_tracker *t;
    KN_VERIFY_TRACKER("xrSuggestBodyTrackingCalibrationOverrideMETA", bodyTracker, CALIBRATION, t);
    if (!kn_supports(t->session, CALIBRATION))
        return XR_ERROR_FEATURE_UNSUPPORTED;
    KN_VERIFY_STRUCT("xrSuggestBodyTrackingCalibrationOverrideMETA", calibrationInfo,
                     XR_TYPE_BODY_TRACKING_CALIBRATION_INFO_META);
    /* Strictly between 0.5 m and 3 m (NaN is not). */
    float h = calibrationInfo->bodyHeight;
    KN_VERIFY("xrSuggestBodyTrackingCalibrationOverrideMETA",
              isfinite(h) && h > KINEST_HEIGHT_MIN_M && h < KINEST_HEIGHT_MAX_M,
              "bodyHeight %g m is not inside (0.5, 3)", (double)h);
    return kn_tracker_suggest_height(t, h);
}

XRAPI_ATTR XrResult XRAPI_CALL kn_xrResetBodyTrackingCalibrationMETA(XrBodyTrackerFB bodyTracker)
{
    kn_tracker *t;
    KN_VERIFY_TRACKER("xrResetBodyTrackingCalibrationMETA", bodyTracker, CALIBRATION, t);
    if (!kn_supports(t->session, CALIBRATION))
        return XR_ERROR_FEATURE_UNSUPPORTED;
    return kn_tracker_reset_height(t);
}
