/* The layer's own entry points: the two the loader negotiates for, and one
 * kn_xr<name> for every HOOK in functions.h. */
#ifndef KN_LAYER_HOOKS_H
#define KN_LAYER_HOOKS_H

#include "xr/xr_loader_interfaces.h"

XRAPI_ATTR XrResult XRAPI_CALL kn_xrCreateApiLayerInstance(const XrInstanceCreateInfo *info,
                                                           const XrApiLayerCreateInfo *layerInfo,
                                                           XrInstance *instance);

XRAPI_ATTR XrResult XRAPI_CALL kn_xrGetInstanceProcAddr(XrInstance instance, const char *name,
                                                        PFN_xrVoidFunction *function);
XRAPI_ATTR XrResult XRAPI_CALL kn_xrDestroyInstance(XrInstance instance);
XRAPI_ATTR XrResult XRAPI_CALL kn_xrGetSystemProperties(XrInstance instance, XrSystemId systemId,
                                                        XrSystemProperties *properties);

#endif
