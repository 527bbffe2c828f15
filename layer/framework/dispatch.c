/* Everything here is generated from KN_LAYER_FUNCTIONS: adding a function to
 * the list adds its table entry, its lookup and (for a HOOK) its hand-out. */
#include "framework/dispatch.h"
#include "common/log.h"
#include "framework/hooks.h"
#include "xr/extensions.h"

#include <string.h>

/* An optional function is only asked for when its runtime extension went
 * down enabled: a validation layer below may complain about the others. */
static bool wanted(const char *name, uint32_t ext, uint32_t runtime_exts)
{
    if (ext != KN_EXT_OPTIONAL)
        return true;
    const kn_runtime_extension *rt = kn_runtime_extension_by_function(name);
    return rt && (runtime_exts & rt->bit);
}

bool kn_dispatch_init(kn_dispatch *d, XrInstance instance, PFN_xrGetInstanceProcAddr next_gipa,
                      uint32_t runtime_exts)
{
    bool complete = true;
    memset(d, 0, sizeof *d);
#define KN_DISPATCH_RESOLVE_DOWN(fn, ext)                                                          \
    if (wanted("xr" #fn, (ext), runtime_exts)) {                                                   \
        PFN_xrVoidFunction p = NULL;                                                               \
        if (XR_SUCCEEDED(next_gipa(instance, "xr" #fn, &p)) && p)                                  \
            d->fn = (PFN_xr##fn)p;                                                                 \
        else if ((ext) == KN_EXT_CORE) {                                                           \
            KN_LOG_E("the next layer has no xr" #fn);                                              \
            complete = false;                                                                      \
        }                                                                                          \
    }
#define KN_DISPATCH_RESOLVE_HOOK(fn, ext)  KN_DISPATCH_RESOLVE_DOWN(fn, ext)
#define KN_DISPATCH_RESOLVE_NEXT(fn, ext)  KN_DISPATCH_RESOLVE_DOWN(fn, ext)
#define KN_DISPATCH_RESOLVE_SERVE(fn, ext) /* never below */
#define KN_DISPATCH_RESOLVE(fn, role, ext) KN_DISPATCH_RESOLVE_##role(fn, ext)
    KN_LAYER_FUNCTIONS(KN_DISPATCH_RESOLVE)
#undef KN_DISPATCH_RESOLVE
    return complete;
}

/* The assignment to a typed pointer makes the compiler check each hook's
 * signature against the OpenXR PFN type. */
#define KN_HAND_OUT_HOOK(fn)                                                                       \
    {                                                                                              \
        PFN_xr##fn typed = kn_xr##fn;                                                              \
        return (PFN_xrVoidFunction)typed;                                                          \
    }
#define KN_HAND_OUT_SERVE(fn) KN_HAND_OUT_HOOK(fn)
#define KN_HAND_OUT_NEXT(fn)  return NULL;

PFN_xrVoidFunction kn_dispatch_hook(const char *name, uint32_t *ext)
{
#define KN_DISPATCH_LOOKUP(fn, role, e)                                                            \
    if (strcmp(name, "xr" #fn) == 0) {                                                             \
        *ext = (e);                                                                                \
        KN_HAND_OUT_##role(fn)                                                                     \
    }
    KN_LAYER_FUNCTIONS(KN_DISPATCH_LOOKUP)
#undef KN_DISPATCH_LOOKUP
    *ext = KN_EXT_CORE;
    return NULL;
}
