#include "support/fake_runtime.h"

#include <check.h>
#include <pthread.h>
#include <string.h>

XRAPI_ATTR XrResult XRAPI_CALL
xrNegotiateLoaderApiLayerInterface(const XrNegotiateLoaderInfo *loaderInfo, const char *layerName,
                                   XrNegotiateApiLayerRequest *apiLayerRequest);

fake_runtime_state fake_runtime;
static pthread_mutex_t paths_lock = PTHREAD_MUTEX_INITIALIZER;
static PFN_xrGetInstanceProcAddr layer_gipa;

void fake_runtime_reset(XrTime predicted)
{
    memset(&fake_runtime, 0, sizeof fake_runtime);
    fake_runtime.predicted = predicted;
}

XRAPI_ATTR XrResult XRAPI_CALL fake_runtime_enumerate(const char *layer, uint32_t capacity,
                                                      uint32_t *count, XrExtensionProperties *props)
{
    (void)layer;
    *count = fake_runtime.list_timespec ? 1 : 0;
    if (capacity && fake_runtime.list_timespec)
        strcpy(props[0].extensionName, "XR_KHR_convert_timespec_time");
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL fake_runtime_create(const XrInstanceCreateInfo *info,
                                                   const XrApiLayerCreateInfo *layer_info,
                                                   XrInstance *instance)
{
    (void)layer_info;
    fake_runtime.timespec_enabled = false;
    for (uint32_t i = 0; i < info->enabledExtensionCount; i++)
        if (strcmp(info->enabledExtensionNames[i], "XR_KHR_convert_timespec_time") == 0)
            fake_runtime.timespec_enabled = true;
    *instance = FAKE_INSTANCE;
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL fake_runtime_convert(XrInstance instance, const struct timespec *ts,
                                                    XrTime *time)
{
    (void)instance, (void)ts;
    *time = FAKE_NOW;
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL fake_runtime_string_to_path(XrInstance instance, const char *s,
                                                           XrPath *path)
{
    (void)instance;
    pthread_mutex_lock(&paths_lock);
    int i = 0;
    while (i < fake_runtime.path_count && strcmp(fake_runtime.paths[i], s) != 0)
        i++;
    if (i == fake_runtime.path_count && i < FAKE_PATHS)
        strcpy(fake_runtime.paths[fake_runtime.path_count++], s);
    pthread_mutex_unlock(&paths_lock);
    ck_assert_int_lt(i, FAKE_PATHS);
    *path = (XrPath)(i + 1);
    return XR_SUCCESS;
}

const char *fake_runtime_path_string(XrPath p)
{
    pthread_mutex_lock(&paths_lock);
    const char *s = p && p <= (XrPath)fake_runtime.path_count ? fake_runtime.paths[p - 1] : NULL;
    pthread_mutex_unlock(&paths_lock);
    return s;
}

XRAPI_ATTR XrResult XRAPI_CALL fake_runtime_path_to_string(XrInstance instance, XrPath path,
                                                           uint32_t capacity, uint32_t *count,
                                                           char *buffer)
{
    (void)instance;
    const char *s = fake_runtime_path_string(path);
    if (!s)
        return XR_ERROR_PATH_INVALID;
    *count = (uint32_t)strlen(s) + 1;
    if (capacity < *count)
        return XR_ERROR_SIZE_INSUFFICIENT;
    strcpy(buffer, s);
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL fake_runtime_ok_instance(XrInstance instance)
{
    (void)instance;
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL fake_runtime_instance_properties(XrInstance instance,
                                                                XrInstanceProperties *p)
{
    (void)instance;
    strcpy(p->runtimeName, "fake");
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL fake_runtime_get_system(XrInstance instance,
                                                       const XrSystemGetInfo *info,
                                                       XrSystemId *system)
{
    (void)instance, (void)info;
    *system = FAKE_SYSTEM;
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL fake_runtime_system_properties(XrInstance instance,
                                                              XrSystemId system,
                                                              XrSystemProperties *p)
{
    (void)instance, (void)system;
    strcpy(p->systemName, "fake system");
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL fake_runtime_reference_spaces(XrSession session, uint32_t capacity,
                                                             uint32_t *count,
                                                             XrReferenceSpaceType *types)
{
    (void)session;
    *count = fake_runtime.no_stage ? 2 : 3;
    if (capacity) {
        types[0] = XR_REFERENCE_SPACE_TYPE_VIEW;
        types[1] = XR_REFERENCE_SPACE_TYPE_LOCAL;
        if (!fake_runtime.no_stage)
            types[2] = XR_REFERENCE_SPACE_TYPE_STAGE;
    }
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL fake_runtime_locate_views(XrSession session,
                                                         const XrViewLocateInfo *info,
                                                         XrViewState *state, uint32_t capacity,
                                                         uint32_t *count, XrView *views)
{
    (void)session, (void)info, (void)state, (void)capacity, (void)views;
    *count = 2;
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL fake_runtime_wait_frame(XrSession session,
                                                       const XrFrameWaitInfo *info,
                                                       XrFrameState *state)
{
    (void)session, (void)info;
    state->predictedDisplayTime = fake_runtime.predicted;
    return XR_SUCCESS;
}

XrResult fake_runtime_lookup(const fake_runtime_fn *fns, size_t count, XrInstance instance,
                             const char *name, PFN_xrVoidFunction *function)
{
    static const fake_runtime_fn shared[] = {
        FAKE_RUNTIME_FN(EnumerateInstanceExtensionProperties, fake_runtime_enumerate),
        FAKE_RUNTIME_FN(StringToPath, fake_runtime_string_to_path),
        FAKE_RUNTIME_FN(PathToString, fake_runtime_path_to_string),
        FAKE_RUNTIME_FN(DestroyInstance, fake_runtime_ok_instance),
        FAKE_RUNTIME_FN(GetInstanceProperties, fake_runtime_instance_properties),
        FAKE_RUNTIME_FN(GetSystem, fake_runtime_get_system),
        FAKE_RUNTIME_FN(GetSystemProperties, fake_runtime_system_properties),
        FAKE_RUNTIME_FN(EnumerateReferenceSpaces, fake_runtime_reference_spaces),
        FAKE_RUNTIME_FN(LocateViews, fake_runtime_locate_views),
        FAKE_RUNTIME_FN(WaitFrame, fake_runtime_wait_frame),
    };
    *function = NULL;
    if (instance == XR_NULL_HANDLE) {
        if (strcmp(name, "xrEnumerateInstanceExtensionProperties") != 0)
            return XR_ERROR_FUNCTION_UNSUPPORTED;
        *function = (PFN_xrVoidFunction)fake_runtime_enumerate;
        return XR_SUCCESS;
    }
    for (size_t i = 0; i < count; i++)
        if (strcmp(name, fns[i].name) == 0) {
            *function = fns[i].fn;
            return XR_SUCCESS;
        }
    for (size_t i = 0; i < sizeof shared / sizeof shared[0]; i++)
        if (strcmp(name, shared[i].name) == 0) {
            *function = shared[i].fn;
            return XR_SUCCESS;
        }
    if (fake_runtime.timespec_enabled && strcmp(name, "xrConvertTimespecTimeToTimeKHR") == 0) {
        *function = (PFN_xrVoidFunction)fake_runtime_convert;
        return XR_SUCCESS;
    }
    ck_assert_msg(strstr(name, "Body") == NULL, "%s was looked up below the layer", name);
    return XR_ERROR_FUNCTION_UNSUPPORTED;
}

PFN_xrGetInstanceProcAddr fake_runtime_create_instance(PFN_xrGetInstanceProcAddr runtime_gipa,
                                                       const char *const *names, uint32_t count)
{
    XrNegotiateLoaderInfo li = {XR_LOADER_INTERFACE_STRUCT_LOADER_INFO,
                                XR_LOADER_INFO_STRUCT_VERSION,
                                sizeof(XrNegotiateLoaderInfo),
                                1,
                                1,
                                XR_MAKE_VERSION(1, 0, 0),
                                XR_MAKE_VERSION(1, 0x3ff, 0xfff)};
    XrNegotiateApiLayerRequest req = {XR_LOADER_INTERFACE_STRUCT_API_LAYER_REQUEST,
                                      XR_API_LAYER_INFO_STRUCT_VERSION,
                                      sizeof(XrNegotiateApiLayerRequest),
                                      0,
                                      0,
                                      NULL,
                                      NULL};
    ck_assert_int_eq(xrNegotiateLoaderApiLayerInterface(&li, KN_LAYER_NAME, &req), XR_SUCCESS);
    /* The loader keeps the chain's next-info for the instance's lifetime. */
    static XrApiLayerNextInfo next_info = {XR_LOADER_INTERFACE_STRUCT_API_LAYER_NEXT_INFO,
                                           XR_API_LAYER_NEXT_INFO_STRUCT_VERSION,
                                           sizeof(XrApiLayerNextInfo),
                                           KN_LAYER_NAME,
                                           NULL,
                                           NULL,
                                           NULL};
    next_info.nextGetInstanceProcAddr = runtime_gipa;
    next_info.nextCreateApiLayerInstance = fake_runtime_create;
    XrInstanceCreateInfo info = {.type = XR_TYPE_INSTANCE_CREATE_INFO,
                                 .enabledExtensionCount = count,
                                 .enabledExtensionNames = names};
    strcpy(info.applicationInfo.applicationName, "test");
    info.applicationInfo.apiVersion = XR_MAKE_VERSION(1, 0, 0);
    XrApiLayerCreateInfo lci = {XR_LOADER_INTERFACE_STRUCT_API_LAYER_CREATE_INFO,
                                XR_API_LAYER_CREATE_INFO_STRUCT_VERSION,
                                sizeof(XrApiLayerCreateInfo),
                                NULL,
                                "",
                                &next_info};
    XrInstance instance;
    ck_assert_int_eq(req.createApiLayerInstance(&info, &lci, &instance), XR_SUCCESS);
    layer_gipa = req.getInstanceProcAddr;
    return layer_gipa;
}

PFN_xrVoidFunction fake_runtime_resolve(const char *name)
{
    PFN_xrVoidFunction f = NULL;
    ck_assert_msg(layer_gipa(FAKE_INSTANCE, name, &f) == XR_SUCCESS, "%s is not handed out", name);
    return f;
}
