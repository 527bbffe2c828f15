/* xrGetInstanceProcAddr: the layer's own functions where it intercepts, the
 * next layer's everywhere else. */
#include "common/log.h"
#include "framework/hooks.h"
#include "framework/instance.h"
#include "xr/extensions.h"

#include <string.h>

/* The functions that may be asked for without an instance. */
static bool is_global(const char *name)
{
    return strcmp(name, "xrEnumerateInstanceExtensionProperties") == 0 ||
           strcmp(name, "xrEnumerateApiLayerProperties") == 0 ||
           strcmp(name, "xrCreateInstance") == 0;
}

/* The hooks of the instance itself and its system properties. */
static bool is_instance_level(const char *name)
{
    return strcmp(name, "xrGetInstanceProcAddr") == 0 || strcmp(name, "xrDestroyInstance") == 0 ||
           strcmp(name, "xrGetSystemProperties") == 0;
}

XRAPI_ATTR XrResult XRAPI_CALL kn_xrGetInstanceProcAddr(XrInstance instance, const char *name,
                                                        PFN_xrVoidFunction *function)
{
    if (!function)
        return XR_ERROR_VALIDATION_FAILURE;
    *function = NULL;
    if (!name)
        return XR_ERROR_VALIDATION_FAILURE;

    kn_instance *inst = kn_instance_get(instance);
    if (!inst) {
        /* Before an instance exists the layer has no chain to forward to;
         * the loader answers the global functions itself. */
        if (instance == XR_NULL_HANDLE && is_global(name))
            return XR_ERROR_FUNCTION_UNSUPPORTED;
        return XR_ERROR_HANDLE_INVALID;
    }
    if (!inst->intercept)
        return inst->next_gipa(instance, name, function);

    uint32_t ext;
    PFN_xrVoidFunction hook = kn_dispatch_hook(name, &ext);
    if (inst->beside_runtime) {
        /* Beside a runtime that tracks bodies the layer answers only for the
         * extensions it removed and for the instance itself. */
        bool ours = ext == KN_EXT_CORE ? is_instance_level(name) : (inst->enabled & ext) == ext;
        if (!hook || !ours)
            return inst->next_gipa(instance, name, function);
        *function = hook;
        return XR_SUCCESS;
    }
    if (hook) {
        if ((inst->enabled & ext) != ext)
            return XR_ERROR_FUNCTION_UNSUPPORTED;
        *function = hook;
        return XR_SUCCESS;
    }
    /* The functions of the layer's extensions come from the layer or not at
     * all: if the runtime has them too, its versions must not leak through. */
    if (kn_extension_by_function(name)) {
        KN_LOG_D("%s: not available (its extension is not enabled or not served)", name);
        return XR_ERROR_FUNCTION_UNSUPPORTED;
    }
    /* Runtime extensions the layer enabled for itself stay invisible. */
    const kn_runtime_extension *rt = kn_runtime_extension_by_function(name);
    if (rt && (inst->hidden & rt->bit))
        return XR_ERROR_FUNCTION_UNSUPPORTED;
    return inst->next_gipa(instance, name, function);
}
