/* xr_body_functions_resolve: one table of the functions and their extensions. */
#include "body_functions.h"

#include <stddef.h>
#include <string.h>

#define ENTRY(extension, name, field)                                                              \
    {                                                                                              \
        extension, #name, offsetof(xr_body_functions, field)                                       \
    }

static const struct entry {
    unsigned extension;
    const char *name;
    size_t offset; /* of its PFN_ field in xr_body_functions */
} entries[] = {
    ENTRY(XR_CLIENT_FB, xrCreateBodyTrackerFB, create_fb),
    ENTRY(XR_CLIENT_FB, xrDestroyBodyTrackerFB, destroy_fb),
    ENTRY(XR_CLIENT_FB, xrLocateBodyJointsFB, locate_fb),
    ENTRY(XR_CLIENT_FB, xrGetBodySkeletonFB, skeleton_fb),
    ENTRY(XR_CLIENT_FIDELITY, xrRequestBodyTrackingFidelityMETA, request_fidelity),
    ENTRY(XR_CLIENT_CALIBRATION, xrSuggestBodyTrackingCalibrationOverrideMETA, suggest_calibration),
    ENTRY(XR_CLIENT_CALIBRATION, xrResetBodyTrackingCalibrationMETA, reset_calibration),
    ENTRY(XR_CLIENT_BD, xrCreateBodyTrackerBD, create_bd),
    ENTRY(XR_CLIENT_BD, xrDestroyBodyTrackerBD, destroy_bd),
    ENTRY(XR_CLIENT_BD, xrLocateBodyJointsBD, locate_bd),
    ENTRY(XR_CLIENT_HTC, xrCreateBodyTrackerHTC, create_htc),
    ENTRY(XR_CLIENT_HTC, xrDestroyBodyTrackerHTC, destroy_htc),
    ENTRY(XR_CLIENT_HTC, xrLocateBodyJointsHTC, locate_htc),
    ENTRY(XR_CLIENT_HTC, xrGetBodySkeletonHTC, skeleton_htc),
    ENTRY(XR_CLIENT_TIMESPEC, xrConvertTimespecTimeToTimeKHR, convert_timespec),
};

XrResult xr_body_functions_resolve(XrInstance instance, unsigned extensions, xr_body_functions *out,
                                   const char **failed)
{
    *out = (xr_body_functions){0};
    for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++) {
        if (!(extensions & entries[i].extension))
            continue;
        PFN_xrVoidFunction f = NULL;
        XrResult r = xrGetInstanceProcAddr(instance, entries[i].name, &f);
        if (XR_SUCCEEDED(r) && !f)
            r = XR_ERROR_FUNCTION_UNSUPPORTED;
        if (XR_FAILED(r)) {
            *failed = entries[i].name;
            return r;
        }
        /* Every field is a function pointer, of the type this name has. */
        memcpy((char *)out + entries[i].offset, &f, sizeof f);
    }
    return XR_SUCCESS;
}
