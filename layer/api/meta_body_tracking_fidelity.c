/* XR_META_body_tracking_fidelity: its one entry point. */
#include "api/verify.h"
#include "framework/hooks.h"

XRAPI_ATTR XrResult XRAPI_CALL kn_xrRequestBodyTrackingFidelityMETA(
    XrBodyTrackerFB bodyTracker, const XrBodyTrackingFidelityMETA fidelity)
{
    kn_tracker *t;
    KN_VERIFY_TRACKER("xrRequestBodyTrackingFidelityMETA", bodyTracker, KN_EXT_META_FIDELITY, t);
    if (!kn_supports(t->session, KN_EXT_META_FIDELITY))
        return XR_ERROR_FEATURE_UNSUPPORTED;
    KN_VERIFY("xrRequestBodyTrackingFidelityMETA",
              fidelity == XR_BODY_TRACKING_FIDELITY_LOW_META ||
                  fidelity == XR_BODY_TRACKING_FIDELITY_HIGH_META,
              "unknown fidelity %d", (int)fidelity);
    /* Any valid request succeeds, honoured or not. */
    return kn_tracker_request_fidelity(t, fidelity);
}
