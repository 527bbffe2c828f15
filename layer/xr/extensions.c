/* Function lists from the registry (xr.xml); XR_META_body_tracking_full_body
 * adds a joint set and a property struct but no function. */
#include "xr/extensions.h"

#include <string.h>

static const char *const fb_functions[] = {"xrCreateBodyTrackerFB", "xrDestroyBodyTrackerFB",
                                           "xrLocateBodyJointsFB", "xrGetBodySkeletonFB", NULL};
static const char *const full_body_functions[] = {NULL};
static const char *const fidelity_functions[] = {"xrRequestBodyTrackingFidelityMETA", NULL};
static const char *const calibration_functions[] = {"xrSuggestBodyTrackingCalibrationOverrideMETA",
                                                    "xrResetBodyTrackingCalibrationMETA", NULL};

const kn_extension kn_extensions[KN_EXT_COUNT] = {
    {KN_EXT_FB_BODY_TRACKING, XR_FB_BODY_TRACKING_EXTENSION_NAME, XR_FB_body_tracking_SPEC_VERSION,
     XR_TYPE_SYSTEM_BODY_TRACKING_PROPERTIES_FB, fb_functions},
    {KN_EXT_META_FULL_BODY, XR_META_BODY_TRACKING_FULL_BODY_EXTENSION_NAME,
     XR_META_body_tracking_full_body_SPEC_VERSION,
     XR_TYPE_SYSTEM_PROPERTIES_BODY_TRACKING_FULL_BODY_META, full_body_functions},
    {KN_EXT_META_FIDELITY, XR_META_BODY_TRACKING_FIDELITY_EXTENSION_NAME,
     XR_META_body_tracking_fidelity_SPEC_VERSION,
     XR_TYPE_SYSTEM_PROPERTIES_BODY_TRACKING_FIDELITY_META, fidelity_functions},
    {KN_EXT_META_CALIBRATION, XR_META_BODY_TRACKING_CALIBRATION_EXTENSION_NAME,
     XR_META_body_tracking_calibration_SPEC_VERSION,
     XR_TYPE_SYSTEM_PROPERTIES_BODY_TRACKING_CALIBRATION_META, calibration_functions},
};

const kn_extension *kn_extension_by_name(const char *name)
{
    for (int i = 0; i < KN_EXT_COUNT; i++)
        if (strcmp(name, kn_extensions[i].name) == 0)
            return &kn_extensions[i];
    return NULL;
}

const kn_extension *kn_extension_by_properties(XrStructureType type)
{
    for (int i = 0; i < KN_EXT_COUNT; i++)
        if (type == kn_extensions[i].system_properties)
            return &kn_extensions[i];
    return NULL;
}

const kn_extension *kn_extension_by_function(const char *function)
{
    for (int i = 0; i < KN_EXT_COUNT; i++)
        for (const char *const *f = kn_extensions[i].functions; *f; f++)
            if (strcmp(function, *f) == 0)
                return &kn_extensions[i];
    return NULL;
}

static const char *const timespec_functions[] = {"xrConvertTimespecTimeToTimeKHR",
                                                 "xrConvertTimeToTimespecTimeKHR", NULL};

const kn_runtime_extension kn_runtime_extensions[KN_RT_EXT_COUNT] = {
    {KN_RT_CONVERT_TIMESPEC, "XR_KHR_convert_timespec_time", timespec_functions},
};

const kn_runtime_extension *kn_runtime_extension_by_name(const char *name)
{
    for (int i = 0; i < KN_RT_EXT_COUNT; i++)
        if (strcmp(name, kn_runtime_extensions[i].name) == 0)
            return &kn_runtime_extensions[i];
    return NULL;
}

const kn_runtime_extension *kn_runtime_extension_by_function(const char *function)
{
    for (int i = 0; i < KN_RT_EXT_COUNT; i++)
        for (const char *const *f = kn_runtime_extensions[i].functions; *f; f++)
            if (strcmp(function, *f) == 0)
                return &kn_runtime_extensions[i];
    return NULL;
}
