/* Instances, systems, and the instance-level queries. */
#include "functions.h"

#include <openxr/openxr_reflection.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rt_extension {
    const char *name;
    uint32_t version;
    rt_ext bit;
} rt_extension;

/* Controller-profile extensions are listed so that apps may suggest
 * bindings for those controllers. */
static const rt_extension extensions[] = {
    {XR_MND_HEADLESS_EXTENSION_NAME, XR_MND_headless_SPEC_VERSION, RT_EXT_HEADLESS},
    {XR_KHR_CONVERT_TIMESPEC_TIME_EXTENSION_NAME, XR_KHR_convert_timespec_time_SPEC_VERSION,
     RT_EXT_CONVERT_TIMESPEC},
    {XR_EXT_HP_MIXED_REALITY_CONTROLLER_EXTENSION_NAME,
     XR_EXT_hp_mixed_reality_controller_SPEC_VERSION, RT_EXT_HP_CONTROLLER},
    {"XR_BD_controller_interaction", 2, RT_EXT_BD_CONTROLLER},
    {"XR_FB_touch_controller_pro", 1, RT_EXT_FB_TOUCH_PRO},
    {"XR_META_touch_controller_plus", 1, RT_EXT_META_TOUCH_PLUS},
    {"XR_FB_body_tracking", 1, RT_EXT_FB_BODY_TRACKING},
    {"XR_BD_body_tracking", 1, RT_EXT_BD_BODY_TRACKING},
    {"XR_HTC_body_tracking", 1, RT_EXT_HTC_BODY_TRACKING},
};
#define EXTENSION_COUNT (sizeof extensions / sizeof extensions[0])

/* The body-tracking extensions' system properties, for the pass-through
 * test double: each is {type, next, supportsBodyTracking}. */
static const struct {
    rt_ext bit;
    const char *word; /* in RT_ENV_NATIVE_BODY */
    XrStructureType properties;
} native_body[] = {
    {RT_EXT_FB_BODY_TRACKING, "fb", (XrStructureType)1000076004},
    {RT_EXT_BD_BODY_TRACKING, "bd", (XrStructureType)1000385004},
    {RT_EXT_HTC_BODY_TRACKING, "htc", (XrStructureType)1000320000},
};
#define NATIVE_BODY_COUNT (sizeof native_body / sizeof native_body[0])

typedef struct rt_body_tracking_properties {
    XrStructureType type;
    void *next;
    XrBool32 supportsBodyTracking;
} rt_body_tracking_properties;

/* RT_ENV_NATIVE_BODY: "1" (XR_FB_body_tracking) or a comma-separated list
 * of fb, bd, htc. */
static bool offered(const rt_extension *e)
{
    for (size_t i = 0; i < NATIVE_BODY_COUNT; i++) {
        if (e->bit != native_body[i].bit)
            continue;
        const char *v = getenv(RT_ENV_NATIVE_BODY);
        if (!v)
            return false;
        if (strcmp(v, "1") == 0)
            return e->bit == RT_EXT_FB_BODY_TRACKING;
        size_t n = strlen(native_body[i].word);
        for (const char *w = v; *w; w += strcspn(w, ",") + (w[strcspn(w, ",")] == ',')) {
            if (strncmp(w, native_body[i].word, n) == 0 && (w[n] == ',' || w[n] == '\0'))
                return true;
        }
        return false;
    }
    return true;
}

bool rt_extension_enabled(const rt_instance *inst, rt_ext ext)
{
    return (inst->exts & ext) != 0;
}

static int64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Real time since the instance was created, counted from the clip's first
 * frame: what a headless app without a frame loop sees as "now". */
XrTime rt_instance_now(const rt_instance *inst)
{
    return RT_TIME_ORIGIN + rt_replay_start(&inst->replay) + (monotonic_ns() - inst->epoch_ns);
}

static rt_instance *get(XrInstance instance)
{
    return rt_handle_get(RT_KEY(instance), RT_KIND_INSTANCE);
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrEnumerateApiLayerProperties(uint32_t capacity, uint32_t *count,
                                                                XrApiLayerProperties *properties)
{
    (void)properties;
    if (!count)
        return XR_ERROR_VALIDATION_FAILURE;
    (void)capacity;
    *count = 0;
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrEnumerateInstanceExtensionProperties(
    const char *layerName, uint32_t capacity, uint32_t *count, XrExtensionProperties *properties)
{
    if (layerName)
        return XR_ERROR_API_LAYER_NOT_PRESENT;
    if (!count || (capacity && !properties))
        return XR_ERROR_VALIDATION_FAILURE;
    uint32_t n = 0;
    for (size_t i = 0; i < EXTENSION_COUNT; i++)
        n += offered(&extensions[i]);
    *count = n;
    if (capacity == 0)
        return XR_SUCCESS;
    if (capacity < n)
        return XR_ERROR_SIZE_INSUFFICIENT;
    for (uint32_t i = 0; i < n; i++)
        if (properties[i].type != XR_TYPE_EXTENSION_PROPERTIES)
            return XR_ERROR_VALIDATION_FAILURE;
    n = 0;
    for (size_t i = 0; i < EXTENSION_COUNT; i++)
        if (offered(&extensions[i])) {
            XrExtensionProperties *p = &properties[n++];
            snprintf(p->extensionName, sizeof p->extensionName, "%s", extensions[i].name);
            p->extensionVersion = extensions[i].version;
        }
    return XR_SUCCESS;
}

static XrResult create_instance(const XrInstanceCreateInfo *info, XrInstance *instance)
{
    if (!info || !instance || info->type != XR_TYPE_INSTANCE_CREATE_INFO || info->createFlags ||
        (info->enabledExtensionCount && !info->enabledExtensionNames))
        return XR_ERROR_VALIDATION_FAILURE;
    if (!memchr(info->applicationInfo.applicationName, 0, XR_MAX_APPLICATION_NAME_SIZE) ||
        !memchr(info->applicationInfo.engineName, 0, XR_MAX_ENGINE_NAME_SIZE))
        return XR_ERROR_VALIDATION_FAILURE;
    if (info->applicationInfo.applicationName[0] == '\0')
        return XR_ERROR_NAME_INVALID;
    XrVersion api = info->applicationInfo.apiVersion;
    if (XR_VERSION_MAJOR(api) != 1 || XR_VERSION_MINOR(api) != 0)
        return XR_ERROR_API_VERSION_UNSUPPORTED;
    uint32_t exts = 0;
    for (uint32_t i = 0; i < info->enabledExtensionCount; i++) {
        const char *name = info->enabledExtensionNames[i];
        size_t k = 0;
        while (name && k < EXTENSION_COUNT &&
               !(offered(&extensions[k]) && strcmp(name, extensions[k].name) == 0))
            k++;
        if (!name || k == EXTENSION_COUNT) {
            fprintf(stderr, "replay-runtime: extension %s is not supported\n",
                    name ? name : "(null)");
            return XR_ERROR_EXTENSION_NOT_PRESENT;
        }
        exts |= extensions[k].bit;
    }

    rt_instance *inst = calloc(1, sizeof *inst);
    if (!inst)
        return XR_ERROR_OUT_OF_MEMORY;
    kn_error err;
    if (rt_replay_load(&inst->replay, getenv(RT_ENV_CLIP), &err) != KN_OK) {
        fprintf(stderr, "replay-runtime: %s\n", err.message);
        free(inst);
        return XR_ERROR_INITIALIZATION_FAILED;
    }
    inst->exts = exts;
    inst->epoch_ns = monotonic_ns();
    inst->handle = rt_handle_new(RT_KIND_INSTANCE, inst);
    if (!inst->handle) {
        rt_replay_free(&inst->replay);
        free(inst);
        return XR_ERROR_OUT_OF_MEMORY;
    }
    *instance = RT_HANDLE(XrInstance, inst->handle);
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrCreateInstance(const XrInstanceCreateInfo *info,
                                                   XrInstance *instance)
{
    RT_LOCKED(create_instance(info, instance));
}

static XrResult destroy_instance(XrInstance instance)
{
    rt_instance *inst = get(instance);
    if (!inst)
        return XR_ERROR_HANDLE_INVALID;
    if (inst->session)
        rt_session_destroy(inst->session);
    while (inst->action_sets.count)
        rt_action_set_destroy(inst->action_sets.items[inst->action_sets.count - 1]);
    rt_ptrs_free(&inst->action_sets);
    for (int p = 0; p < RT_PROFILE_COUNT; p++)
        free(inst->suggested[p].items);
    rt_paths_free(inst);
    rt_replay_free(&inst->replay);
    rt_handle_release(inst->handle);
    free(inst);
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrDestroyInstance(XrInstance instance)
{
    RT_LOCKED(destroy_instance(instance));
}

static XrResult instance_properties(XrInstance instance, XrInstanceProperties *props)
{
    if (!get(instance))
        return XR_ERROR_HANDLE_INVALID;
    if (!props || props->type != XR_TYPE_INSTANCE_PROPERTIES)
        return XR_ERROR_VALIDATION_FAILURE;
    props->runtimeVersion = RT_RUNTIME_VERSION;
    snprintf(props->runtimeName, sizeof props->runtimeName, "%s", RT_RUNTIME_NAME);
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrGetInstanceProperties(XrInstance instance,
                                                          XrInstanceProperties *props)
{
    RT_LOCKED(instance_properties(instance, props));
}

static XrResult result_to_string(XrInstance instance, XrResult value, char *buffer)
{
    if (!get(instance))
        return XR_ERROR_HANDLE_INVALID;
    if (!buffer)
        return XR_ERROR_VALIDATION_FAILURE;
    switch (value) {
#define RT_RESULT_CASE(name, val)                                                                  \
    case name:                                                                                     \
        snprintf(buffer, XR_MAX_RESULT_STRING_SIZE, "%s", #name);                                  \
        return XR_SUCCESS;
        XR_LIST_ENUM_XrResult(RT_RESULT_CASE)
#undef RT_RESULT_CASE
            default : snprintf(buffer, XR_MAX_RESULT_STRING_SIZE, "XR_UNKNOWN_%s_%d",
                               value < 0 ? "FAILURE" : "SUCCESS", (int)value);
        return XR_SUCCESS;
    }
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrResultToString(XrInstance instance, XrResult value,
                                                   char buffer[XR_MAX_RESULT_STRING_SIZE])
{
    RT_LOCKED(result_to_string(instance, value, buffer));
}

static XrResult structure_type_to_string(XrInstance instance, XrStructureType value, char *buffer)
{
    if (!get(instance))
        return XR_ERROR_HANDLE_INVALID;
    if (!buffer)
        return XR_ERROR_VALIDATION_FAILURE;
    switch (value) {
#define RT_TYPE_CASE(name, val)                                                                    \
    case name:                                                                                     \
        snprintf(buffer, XR_MAX_STRUCTURE_NAME_SIZE, "%s", #name);                                 \
        return XR_SUCCESS;
        XR_LIST_ENUM_XrStructureType(RT_TYPE_CASE)
#undef RT_TYPE_CASE
            default : snprintf(buffer, XR_MAX_STRUCTURE_NAME_SIZE, "XR_UNKNOWN_STRUCTURE_TYPE_%d",
                               (int)value);
        return XR_SUCCESS;
    }
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrStructureTypeToString(XrInstance instance,
                                                          XrStructureType value,
                                                          char buffer[XR_MAX_STRUCTURE_NAME_SIZE])
{
    RT_LOCKED(structure_type_to_string(instance, value, buffer));
}

static XrResult get_system(XrInstance instance, const XrSystemGetInfo *info, XrSystemId *system)
{
    rt_instance *inst = get(instance);
    if (!inst)
        return XR_ERROR_HANDLE_INVALID;
    if (!info || !system || info->type != XR_TYPE_SYSTEM_GET_INFO)
        return XR_ERROR_VALIDATION_FAILURE;
    if (info->formFactor != XR_FORM_FACTOR_HEAD_MOUNTED_DISPLAY) {
        if (info->formFactor != XR_FORM_FACTOR_HANDHELD_DISPLAY)
            return XR_ERROR_VALIDATION_FAILURE;
        return XR_ERROR_FORM_FACTOR_UNSUPPORTED;
    }
    inst->system_requested = true;
    *system = RT_SYSTEM_ID;
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrGetSystem(XrInstance instance, const XrSystemGetInfo *info,
                                              XrSystemId *system)
{
    RT_LOCKED(get_system(instance, info, system));
}

static XrResult system_properties(XrInstance instance, XrSystemId system, XrSystemProperties *p)
{
    rt_instance *inst = get(instance);
    if (!inst)
        return XR_ERROR_HANDLE_INVALID;
    if (system != RT_SYSTEM_ID)
        return XR_ERROR_SYSTEM_INVALID;
    if (!p || p->type != XR_TYPE_SYSTEM_PROPERTIES)
        return XR_ERROR_VALIDATION_FAILURE;
    p->systemId = system;
    p->vendorId = 0;
    snprintf(p->systemName, sizeof p->systemName, "kinest replay (%u frames at %.1f Hz)",
             inst->replay.clip.frame_count, (double)inst->replay.clip.rate_hz);
    p->graphicsProperties =
        (XrSystemGraphicsProperties){4096, 4096, XR_MIN_COMPOSITION_LAYERS_SUPPORTED};
    p->trackingProperties = (XrSystemTrackingProperties){XR_TRUE, XR_TRUE};
    for (XrBaseOutStructure *s = p->next; s; s = s->next)
        for (size_t i = 0; i < NATIVE_BODY_COUNT; i++)
            if (s->type == native_body[i].properties &&
                rt_extension_enabled(inst, native_body[i].bit))
                ((rt_body_tracking_properties *)s)->supportsBodyTracking = XR_TRUE;
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrGetSystemProperties(XrInstance instance, XrSystemId system,
                                                        XrSystemProperties *properties)
{
    RT_LOCKED(system_properties(instance, system, properties));
}

static XrResult blend_modes(XrInstance instance, XrSystemId system, XrViewConfigurationType type,
                            uint32_t capacity, uint32_t *count, XrEnvironmentBlendMode *modes)
{
    if (!get(instance))
        return XR_ERROR_HANDLE_INVALID;
    if (system != RT_SYSTEM_ID)
        return XR_ERROR_SYSTEM_INVALID;
    if (!count || (capacity && !modes))
        return XR_ERROR_VALIDATION_FAILURE;
    if (type != XR_VIEW_CONFIGURATION_TYPE_PRIMARY_STEREO)
        return XR_ERROR_VIEW_CONFIGURATION_TYPE_UNSUPPORTED;
    *count = 1;
    if (capacity == 0)
        return XR_SUCCESS;
    modes[0] = XR_ENVIRONMENT_BLEND_MODE_OPAQUE;
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrEnumerateEnvironmentBlendModes(
    XrInstance instance, XrSystemId system, XrViewConfigurationType type, uint32_t capacity,
    uint32_t *count, XrEnvironmentBlendMode *modes)
{
    RT_LOCKED(blend_modes(instance, system, type, capacity, count, modes));
}

static XrResult timespec_to_time(XrInstance instance, const struct timespec *ts, XrTime *time)
{
    rt_instance *inst = get(instance);
    if (!inst)
        return XR_ERROR_HANDLE_INVALID;
    if (!ts || !time)
        return XR_ERROR_VALIDATION_FAILURE;
    int64_t ns = (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
    XrTime t = RT_TIME_ORIGIN + rt_replay_start(&inst->replay) + (ns - inst->epoch_ns);
    if (t <= 0)
        return XR_ERROR_TIME_INVALID;
    *time = t;
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrConvertTimespecTimeToTimeKHR(
    XrInstance instance, const struct timespec *timespecTime, XrTime *time)
{
    RT_LOCKED(timespec_to_time(instance, timespecTime, time));
}

static XrResult time_to_timespec(XrInstance instance, XrTime time, struct timespec *ts)
{
    rt_instance *inst = get(instance);
    if (!inst)
        return XR_ERROR_HANDLE_INVALID;
    if (!ts)
        return XR_ERROR_VALIDATION_FAILURE;
    if (time <= 0)
        return XR_ERROR_TIME_INVALID;
    int64_t ns = time - RT_TIME_ORIGIN - rt_replay_start(&inst->replay) + inst->epoch_ns;
    if (ns < 0)
        return XR_ERROR_TIME_INVALID;
    ts->tv_sec = (time_t)(ns / 1000000000);
    ts->tv_nsec = (long)(ns % 1000000000);
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrConvertTimeToTimespecTimeKHR(XrInstance instance, XrTime time,
                                                                 struct timespec *timespecTime)
{
    RT_LOCKED(time_to_timespec(instance, time, timespecTime));
}
