/* xrCreateApiLayerInstance and xrDestroyInstance: the chain mechanics. What
 * goes down and what the layer does with the instance afterwards is the
 * body-tracking logic's decision (framework/logic.h). */
#include "common/log.h"
#include "framework/hooks.h"
#include "framework/instance.h"
#include "framework/logic.h"

#include <stdlib.h>
#include <string.h>

static bool create_info_valid(const XrApiLayerCreateInfo *info)
{
    if (!info || info->structType != XR_LOADER_INTERFACE_STRUCT_API_LAYER_CREATE_INFO ||
        info->structVersion != XR_API_LAYER_CREATE_INFO_STRUCT_VERSION ||
        info->structSize != sizeof(XrApiLayerCreateInfo))
        return false;
    const XrApiLayerNextInfo *next = info->nextInfo;
    return next && next->structType == XR_LOADER_INTERFACE_STRUCT_API_LAYER_NEXT_INFO &&
           next->structVersion == XR_API_LAYER_NEXT_INFO_STRUCT_VERSION &&
           next->structSize == sizeof(XrApiLayerNextInfo) &&
           strncmp(next->layerName, KN_LAYER_NAME, XR_MAX_API_LAYER_NAME_SIZE) == 0 &&
           next->nextGetInstanceProcAddr && next->nextCreateApiLayerInstance;
}

/* Called once the instance exists below: set up what the layer keeps. On
 * failure the caller destroys the instance again. */
static XrResult adopt(XrInstance handle, PFN_xrGetInstanceProcAddr next_gipa, const kn_plan *plan)
{
    kn_instance *inst = calloc(1, sizeof *inst);
    if (!inst)
        return XR_ERROR_OUT_OF_MEMORY;
    inst->handle = handle;
    inst->next_gipa = next_gipa;
    XrResult r = XR_SUCCESS;
    if (plan->requested) {
        if (!kn_dispatch_init(&inst->next, handle, next_gipa, plan->runtime_enabled))
            r = XR_ERROR_INITIALIZATION_FAILED;
        else
            r = kn_logic_instance_created(inst, plan);
    }
    if (XR_SUCCEEDED(r) && !kn_instance_register(inst))
        r = XR_ERROR_OUT_OF_MEMORY;
    if (XR_FAILED(r))
        kn_instance_free(inst);
    return r;
}

static void destroy_below(XrInstance handle, PFN_xrGetInstanceProcAddr next_gipa)
{
    PFN_xrVoidFunction destroy = NULL;
    if (XR_SUCCEEDED(next_gipa(handle, "xrDestroyInstance", &destroy)) && destroy)
        ((PFN_xrDestroyInstance)destroy)(handle);
}

XRAPI_ATTR XrResult XRAPI_CALL kn_xrCreateApiLayerInstance(const XrInstanceCreateInfo *info,
                                                           const XrApiLayerCreateInfo *layerInfo,
                                                           XrInstance *instance)
{
    if (!info || !instance)
        return XR_ERROR_VALIDATION_FAILURE;
    if (!create_info_valid(layerInfo)) {
        KN_LOG_E("xrCreateApiLayerInstance: the loader's XrApiLayerCreateInfo is malformed or "
                 "not addressed to " KN_LAYER_NAME);
        return XR_ERROR_INITIALIZATION_FAILED;
    }
    const XrApiLayerNextInfo *self = layerInfo->nextInfo;
    XrApiLayerCreateInfo down = *layerInfo;
    down.nextInfo = self->next;

    /* The bottom of the chain is the loader's terminator, in front of the
     * runtime: it answers xrEnumerateInstanceExtensionProperties without an
     * instance, which layers in between (core validation) may not. */
    const XrApiLayerNextInfo *bottom = self;
    while (bottom->next)
        bottom = bottom->next;
    if (!bottom->nextGetInstanceProcAddr)
        return XR_ERROR_INITIALIZATION_FAILED;

    kn_plan plan;
    XrResult r = kn_logic_plan_instance(info, bottom->nextGetInstanceProcAddr, &plan);
    if (XR_FAILED(r))
        return r;
    r = self->nextCreateApiLayerInstance(&plan.info, &down, instance);
    if (XR_SUCCEEDED(r)) {
        XrResult adopted = adopt(*instance, self->nextGetInstanceProcAddr, &plan);
        if (XR_FAILED(adopted)) {
            destroy_below(*instance, self->nextGetInstanceProcAddr);
            *instance = XR_NULL_HANDLE;
            r = adopted;
        }
    }
    kn_logic_plan_release(&plan);
    return r;
}

XRAPI_ATTR XrResult XRAPI_CALL kn_xrDestroyInstance(XrInstance instance)
{
    /* Out of the map first: no lookup can find it while it goes away. */
    kn_instance *inst = kn_instance_unregister(instance);
    if (!inst)
        return XR_ERROR_HANDLE_INVALID;
    /* Sessions end with their instance: the layer closes its own first. */
    if (inst->emulation)
        kn_logic_instance_destroying(inst);
    XrResult r = inst->next.DestroyInstance(instance);
    kn_instance_free(inst);
    return r;
}
