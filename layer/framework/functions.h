/* Every OpenXR function the layer touches, in one list. It generates the
 * dispatch table to the next layer, the filling of that table, and what
 * xrGetInstanceProcAddr hands out (dispatch.c).
 *
 * X(name, role, ext)
 *   role  HOOK: xrGetInstanceProcAddr hands out the layer's own kn_xr<name>
 *               (declared in hooks.h), which calls down itself when it must.
 *         NEXT: the layer only calls it down the chain.
 *   ext   the kn_ext bit (xr/extensions.h) the application must have enabled
 *         for a HOOK to be handed out; KN_EXT_CORE for core functions.
 *         NEXT functions with KN_EXT_CORE must exist in the next layer. */
#ifndef KN_LAYER_FUNCTIONS_H
#define KN_LAYER_FUNCTIONS_H

#define KN_LAYER_FUNCTIONS(X)                                                                      \
    X(GetInstanceProcAddr, HOOK, KN_EXT_CORE)                                                      \
    X(DestroyInstance, HOOK, KN_EXT_CORE)                                                          \
    X(GetSystem, NEXT, KN_EXT_CORE)                                                                \
    X(GetSystemProperties, HOOK, KN_EXT_CORE)

#endif
