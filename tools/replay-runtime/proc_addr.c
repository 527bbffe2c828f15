/* xrGetInstanceProcAddr: a search of the function list. */
#include "functions.h"

#include <string.h>

typedef struct rt_function {
    const char *name;
    PFN_xrVoidFunction function;
    uint32_t ext;
} rt_function;

static const rt_function functions[] = {
#define RT_ENTRY(name, ext) {"xr" #name, (PFN_xrVoidFunction)rt_xr##name, (ext)},
    RT_FUNCTIONS(RT_ENTRY)
#undef RT_ENTRY
};

/* The functions that may be asked for without an instance. */
static bool is_global(const char *name)
{
    return strcmp(name, "xrEnumerateInstanceExtensionProperties") == 0 ||
           strcmp(name, "xrEnumerateApiLayerProperties") == 0 ||
           strcmp(name, "xrCreateInstance") == 0;
}

static XrResult get_proc_addr(XrInstance instance, const char *name, PFN_xrVoidFunction *function)
{
    const rt_instance *inst = NULL;
    if (instance != XR_NULL_HANDLE) {
        inst = rt_handle_get(RT_KEY(instance), RT_KIND_INSTANCE);
        if (!inst)
            return XR_ERROR_HANDLE_INVALID;
    } else if (!is_global(name)) {
        return XR_ERROR_HANDLE_INVALID;
    }
    for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++)
        if (strcmp(name, functions[i].name) == 0) {
            if (functions[i].ext && (!inst || !(inst->exts & functions[i].ext)))
                return XR_ERROR_FUNCTION_UNSUPPORTED;
            *function = functions[i].function;
            return XR_SUCCESS;
        }
    return XR_ERROR_FUNCTION_UNSUPPORTED;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrGetInstanceProcAddr(XrInstance instance, const char *name,
                                                        PFN_xrVoidFunction *function)
{
    if (!function)
        return XR_ERROR_VALIDATION_FAILURE;
    *function = NULL;
    if (!name)
        return XR_ERROR_VALIDATION_FAILURE;
    RT_LOCKED(get_proc_addr(instance, name, function));
}
