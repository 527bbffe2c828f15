/* xrNegotiateLoaderApiLayerInterface, the library's only export. Every field
 * the loader sends is checked: a loader that fills these differently speaks
 * an interface this layer was not written against, and refusing is safer
 * than guessing. */
#include "common/log.h"
#include "framework/hooks.h"

#include <stdbool.h>
#include <string.h>

#define KN_EXPORT __attribute__((visibility("default")))

KN_EXPORT XRAPI_ATTR XrResult XRAPI_CALL
xrNegotiateLoaderApiLayerInterface(const XrNegotiateLoaderInfo *loaderInfo, const char *layerName,
                                   XrNegotiateApiLayerRequest *apiLayerRequest);

static bool api_version_in(XrVersion v, XrVersion min, XrVersion max)
{
    /* The patch number never decides compatibility. */
    XrVersion mm = XR_MAKE_VERSION(XR_VERSION_MAJOR(v), XR_VERSION_MINOR(v), 0);
    return XR_MAKE_VERSION(XR_VERSION_MAJOR(min), XR_VERSION_MINOR(min), 0) <= mm &&
           mm <= XR_MAKE_VERSION(XR_VERSION_MAJOR(max), XR_VERSION_MINOR(max), 0);
}

KN_EXPORT XRAPI_ATTR XrResult XRAPI_CALL
xrNegotiateLoaderApiLayerInterface(const XrNegotiateLoaderInfo *loaderInfo, const char *layerName,
                                   XrNegotiateApiLayerRequest *apiLayerRequest)
{
    if (!loaderInfo || loaderInfo->structType != XR_LOADER_INTERFACE_STRUCT_LOADER_INFO ||
        loaderInfo->structVersion != XR_LOADER_INFO_STRUCT_VERSION ||
        loaderInfo->structSize != sizeof(XrNegotiateLoaderInfo)) {
        KN_LOG_E("negotiation: the loader's XrNegotiateLoaderInfo is missing or malformed");
        return XR_ERROR_INITIALIZATION_FAILED;
    }
    if (loaderInfo->minInterfaceVersion > XR_CURRENT_LOADER_API_LAYER_VERSION ||
        loaderInfo->maxInterfaceVersion < XR_CURRENT_LOADER_API_LAYER_VERSION) {
        KN_LOG_E("negotiation: the loader speaks layer interface %u-%u, the layer only %u",
                 loaderInfo->minInterfaceVersion, loaderInfo->maxInterfaceVersion,
                 XR_CURRENT_LOADER_API_LAYER_VERSION);
        return XR_ERROR_INITIALIZATION_FAILED;
    }
    if (!api_version_in(XR_CURRENT_API_VERSION, loaderInfo->minApiVersion,
                        loaderInfo->maxApiVersion)) {
        KN_LOG_E("negotiation: the loader accepts OpenXR %u.%u-%u.%u, the layer is %u.%u",
                 XR_VERSION_MAJOR(loaderInfo->minApiVersion),
                 XR_VERSION_MINOR(loaderInfo->minApiVersion),
                 XR_VERSION_MAJOR(loaderInfo->maxApiVersion),
                 XR_VERSION_MINOR(loaderInfo->maxApiVersion),
                 XR_VERSION_MAJOR(XR_CURRENT_API_VERSION),
                 XR_VERSION_MINOR(XR_CURRENT_API_VERSION));
        return XR_ERROR_INITIALIZATION_FAILED;
    }
    if (!layerName || strcmp(layerName, KN_LAYER_NAME) != 0) {
        KN_LOG_E("negotiation: asked to be layer \"%s\", but this is " KN_LAYER_NAME,
                 layerName ? layerName : "(null)");
        return XR_ERROR_INITIALIZATION_FAILED;
    }
    if (!apiLayerRequest ||
        apiLayerRequest->structType != XR_LOADER_INTERFACE_STRUCT_API_LAYER_REQUEST ||
        apiLayerRequest->structVersion != XR_API_LAYER_INFO_STRUCT_VERSION ||
        apiLayerRequest->structSize != sizeof(XrNegotiateApiLayerRequest)) {
        KN_LOG_E("negotiation: the loader's XrNegotiateApiLayerRequest is missing or malformed");
        return XR_ERROR_INITIALIZATION_FAILED;
    }
    apiLayerRequest->layerInterfaceVersion = XR_CURRENT_LOADER_API_LAYER_VERSION;
    apiLayerRequest->layerApiVersion = XR_CURRENT_API_VERSION;
    apiLayerRequest->getInstanceProcAddr = kn_xrGetInstanceProcAddr;
    apiLayerRequest->createApiLayerInstance = kn_xrCreateApiLayerInstance;
    KN_LOG_D("negotiated layer interface %u, OpenXR %u.%u", XR_CURRENT_LOADER_API_LAYER_VERSION,
             XR_VERSION_MAJOR(XR_CURRENT_API_VERSION), XR_VERSION_MINOR(XR_CURRENT_API_VERSION));
    return XR_SUCCESS;
}
