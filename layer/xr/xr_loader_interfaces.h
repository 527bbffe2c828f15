/* The loader's interfaces to API layers and to runtimes (OpenXR loader
 * spec, "API layer interaction" and "Runtime interaction"). SDK 1.0.33 and
 * later ship them as openxr_loader_negotiation.h; the system headers here are
 * 1.0.20 and do not, so the ABI-identical 1.0.20 definitions
 * (src/common/loader_interfaces.h) are repeated. Used by the layer and by the
 * replay runtime. */
#ifndef KN_XR_LOADER_INTERFACES_H
#define KN_XR_LOADER_INTERFACES_H

#include <openxr/openxr.h>

#if defined(__has_include)
#if __has_include(<openxr/openxr_loader_negotiation.h>)
#include <openxr/openxr_loader_negotiation.h>
#endif
#endif

#ifndef XR_CURRENT_LOADER_API_LAYER_VERSION
#define XR_CURRENT_LOADER_API_LAYER_VERSION     1
#define XR_LOADER_INFO_STRUCT_VERSION           1
#define XR_API_LAYER_INFO_STRUCT_VERSION        1
#define XR_API_LAYER_NEXT_INFO_STRUCT_VERSION   1
#define XR_API_LAYER_CREATE_INFO_STRUCT_VERSION 1
#define XR_API_LAYER_MAX_SETTINGS_PATH_SIZE     512
#define XR_CURRENT_LOADER_RUNTIME_VERSION       1
#define XR_RUNTIME_INFO_STRUCT_VERSION          1

typedef enum XrLoaderInterfaceStructs {
    XR_LOADER_INTERFACE_STRUCT_UNINTIALIZED = 0, /* sic */
    XR_LOADER_INTERFACE_STRUCT_LOADER_INFO = 1,
    XR_LOADER_INTERFACE_STRUCT_API_LAYER_REQUEST = 2,
    XR_LOADER_INTERFACE_STRUCT_RUNTIME_REQUEST = 3,
    XR_LOADER_INTERFACE_STRUCT_API_LAYER_CREATE_INFO = 4,
    XR_LOADER_INTERFACE_STRUCT_API_LAYER_NEXT_INFO = 5,
    XR_LOADER_INTERFACE_STRUCTS_MAX_ENUM = 0x7FFFFFFF
} XrLoaderInterfaceStructs;

typedef struct XrNegotiateLoaderInfo {
    XrLoaderInterfaceStructs structType;
    uint32_t structVersion;
    size_t structSize;
    uint32_t minInterfaceVersion;
    uint32_t maxInterfaceVersion;
    XrVersion minApiVersion;
    XrVersion maxApiVersion;
} XrNegotiateLoaderInfo;

struct XrApiLayerCreateInfo;
typedef XrResult(XRAPI_PTR *PFN_xrCreateApiLayerInstance)(
    const XrInstanceCreateInfo *info, const struct XrApiLayerCreateInfo *apiLayerInfo,
    XrInstance *instance);

typedef struct XrNegotiateApiLayerRequest {
    XrLoaderInterfaceStructs structType;
    uint32_t structVersion;
    size_t structSize;
    uint32_t layerInterfaceVersion;
    XrVersion layerApiVersion;
    PFN_xrGetInstanceProcAddr getInstanceProcAddr;
    PFN_xrCreateApiLayerInstance createApiLayerInstance;
} XrNegotiateApiLayerRequest;

typedef struct XrApiLayerNextInfo {
    XrLoaderInterfaceStructs structType;
    uint32_t structVersion;
    size_t structSize;
    char layerName[XR_MAX_API_LAYER_NAME_SIZE];
    PFN_xrGetInstanceProcAddr nextGetInstanceProcAddr;
    PFN_xrCreateApiLayerInstance nextCreateApiLayerInstance;
    struct XrApiLayerNextInfo *next;
} XrApiLayerNextInfo;

typedef struct XrApiLayerCreateInfo {
    XrLoaderInterfaceStructs structType;
    uint32_t structVersion;
    size_t structSize;
    void *loaderInstance;
    char settings_file_location[XR_API_LAYER_MAX_SETTINGS_PATH_SIZE];
    XrApiLayerNextInfo *nextInfo;
} XrApiLayerCreateInfo;

typedef XrResult(XRAPI_PTR *PFN_xrNegotiateLoaderApiLayerInterface)(
    const XrNegotiateLoaderInfo *loaderInfo, const char *layerName,
    XrNegotiateApiLayerRequest *apiLayerRequest);
typedef struct XrNegotiateRuntimeRequest {
    XrLoaderInterfaceStructs structType;
    uint32_t structVersion;
    size_t structSize;
    uint32_t runtimeInterfaceVersion;
    XrVersion runtimeApiVersion;
    PFN_xrGetInstanceProcAddr getInstanceProcAddr;
} XrNegotiateRuntimeRequest;

typedef XrResult(XRAPI_PTR *PFN_xrNegotiateLoaderRuntimeInterface)(
    const XrNegotiateLoaderInfo *loaderInfo, XrNegotiateRuntimeRequest *runtimeRequest);
#endif /* XR_CURRENT_LOADER_API_LAYER_VERSION */

#endif
