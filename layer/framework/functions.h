/* Every OpenXR function the layer touches, in one list. It generates the
 * dispatch table to the next layer, the filling of that table, and what
 * xrGetInstanceProcAddr hands out (dispatch.c).
 *
 * X(name, role, ext)
 *   role  HOOK: xrGetInstanceProcAddr hands out the layer's own kn_xr<name>
 *               (declared in hooks.h), which calls down itself when it must.
 *         NEXT: the layer only calls it down the chain.
 *         SERVE: a function of one of the layer's own extensions (listed
 *               with its extension in xr/served.h): handed
 *               out like a HOOK, never looked up below nor called down (the
 *               runtime's version, if it has one, must not leak through).
 *   ext   the kn_ext bit (xr/extensions.h) the application must have enabled
 *         for a HOOK to be handed out; KN_EXT_CORE for core functions.
 *         NEXT functions with KN_EXT_CORE must exist in the next layer;
 *         KN_EXT_OPTIONAL ones (runtime extensions the layer uses, see
 *         kn_runtime_extensions) are NULL in the table when absent. */
#ifndef KN_LAYER_FUNCTIONS_H
#define KN_LAYER_FUNCTIONS_H

#include "xr/served.h"

#define KN_LAYER_FUNCTIONS(X)                                                                      \
    X(GetInstanceProcAddr, HOOK, KN_EXT_CORE)                                                      \
    X(DestroyInstance, HOOK, KN_EXT_CORE)                                                          \
    X(GetInstanceProperties, NEXT, KN_EXT_CORE)                                                    \
    X(PollEvent, HOOK, KN_EXT_CORE)                                                                \
    X(GetSystem, NEXT, KN_EXT_CORE)                                                                \
    X(GetSystemProperties, HOOK, KN_EXT_CORE)                                                      \
    X(StringToPath, NEXT, KN_EXT_CORE)                                                             \
    X(PathToString, NEXT, KN_EXT_CORE)                                                             \
    X(CreateSession, HOOK, KN_EXT_CORE)                                                            \
    X(DestroySession, HOOK, KN_EXT_CORE)                                                           \
    X(BeginSession, HOOK, KN_EXT_CORE)                                                             \
    X(EndSession, HOOK, KN_EXT_CORE)                                                               \
    X(EnumerateReferenceSpaces, NEXT, KN_EXT_CORE)                                                 \
    X(CreateReferenceSpace, NEXT, KN_EXT_CORE)                                                     \
    X(CreateActionSpace, NEXT, KN_EXT_CORE)                                                        \
    X(LocateSpace, NEXT, KN_EXT_CORE)                                                              \
    X(DestroySpace, NEXT, KN_EXT_CORE)                                                             \
    X(LocateViews, HOOK, KN_EXT_CORE)                                                              \
    X(WaitFrame, HOOK, KN_EXT_CORE)                                                                \
    X(CreateActionSet, NEXT, KN_EXT_CORE)                                                          \
    X(DestroyActionSet, NEXT, KN_EXT_CORE)                                                         \
    X(CreateAction, NEXT, KN_EXT_CORE)                                                             \
    X(SuggestInteractionProfileBindings, HOOK, KN_EXT_CORE)                                        \
    X(AttachSessionActionSets, HOOK, KN_EXT_CORE)                                                  \
    X(GetCurrentInteractionProfile, HOOK, KN_EXT_CORE)                                             \
    X(SyncActions, HOOK, KN_EXT_CORE)                                                              \
    X(ConvertTimespecTimeToTimeKHR, NEXT, KN_EXT_OPTIONAL)                                         \
    KN_SERVED_EXTENSIONS(KN_SERVED_FUNCTIONS_OF, X)

/* The SERVE entries, from each served extension's function list. */
#define KN_SERVED_FUNCTIONS_OF(X, id, name, version, properties, role, functions)                  \
    functions(X, KN_EXT_##id)

#endif
