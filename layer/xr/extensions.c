/* The served extensions' table, generated from xr/served.h. */
#include "xr/extensions.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#define KN_FUNCTION_NAME(fn, role, ext) "xr" #fn,
#define KN_FUNCTION_NAMES_OF(arg, id, name, version, properties, role, functions)                  \
    static const char *const functions_##id[] = {functions(KN_FUNCTION_NAME, 0) NULL};
KN_SERVED_EXTENSIONS(KN_FUNCTION_NAMES_OF, 0)
#undef KN_FUNCTION_NAMES_OF
#undef KN_FUNCTION_NAME

#define KN_EXTENSION_OF(arg, id, name, version, properties, role, functions)                       \
    {KN_EXT_##id, name, version, properties, KN_EXT_ROLE_##role, functions_##id},
const kn_extension kn_extensions[KN_EXT_COUNT] = {KN_SERVED_EXTENSIONS(KN_EXTENSION_OF, 0)};
#undef KN_EXTENSION_OF

/* Each property struct has the shape kn_xr_bool_properties reads. */
#define KN_BOOL_AT(type, field)                                                                    \
    _Static_assert(offsetof(type, field) == offsetof(kn_xr_bool_properties, supported) &&          \
                       sizeof(type) == sizeof(kn_xr_bool_properties),                              \
                   #type " is not {type, next, XrBool32}");
KN_BOOL_AT(XrSystemBodyTrackingPropertiesFB, supportsBodyTracking)
KN_BOOL_AT(XrSystemPropertiesBodyTrackingFullBodyMETA, supportsFullBodyTracking)
KN_BOOL_AT(XrSystemPropertiesBodyTrackingFidelityMETA, supportsBodyTrackingFidelity)
KN_BOOL_AT(XrSystemPropertiesBodyTrackingCalibrationMETA, supportsHeightOverride)
KN_BOOL_AT(XrSystemBodyTrackingPropertiesBD, supportsBodyTracking)
KN_BOOL_AT(XrSystemBodyTrackingPropertiesHTC, supportsBodyTracking)
#undef KN_BOOL_AT

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

/* Whether a NULL-terminated function list names `function`. */
static bool lists(const char *const *functions, const char *function)
{
    for (const char *const *f = functions; *f; f++)
        if (strcmp(function, *f) == 0)
            return true;
    return false;
}

const kn_extension *kn_extension_by_function(const char *function)
{
    for (int i = 0; i < KN_EXT_COUNT; i++)
        if (lists(kn_extensions[i].functions, function))
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
        if (lists(kn_runtime_extensions[i].functions, function))
            return &kn_runtime_extensions[i];
    return NULL;
}
