/* The next layer's functions for one instance, generated from functions.h. */
#ifndef KN_LAYER_DISPATCH_H
#define KN_LAYER_DISPATCH_H

#include "framework/functions.h"

/* XR_KHR_convert_timespec_time's PFNs need struct timespec. */
#ifndef XR_USE_TIMESPEC
#define XR_USE_TIMESPEC 1
#endif
#include <time.h>

#include <openxr/openxr.h>
#include <openxr/openxr_platform.h>
#include <stdbool.h>
#include <stdint.h>

/* SERVE functions have no entry: they are never called down. */
#define KN_DISPATCH_MEMBER_HOOK(name) PFN_xr##name name;
#define KN_DISPATCH_MEMBER_NEXT(name) PFN_xr##name name;
#define KN_DISPATCH_MEMBER_SERVE(name)

typedef struct kn_dispatch {
#define KN_DISPATCH_MEMBER(name, role, ext) KN_DISPATCH_MEMBER_##role(name)
    KN_LAYER_FUNCTIONS(KN_DISPATCH_MEMBER)
#undef KN_DISPATCH_MEMBER
} kn_dispatch;

/* Resolves every listed function through the next layer's
 * xrGetInstanceProcAddr; optional ones only if their kn_rt_ext bit is in
 * runtime_exts (enabled below). False when a core function is missing. */
bool kn_dispatch_init(kn_dispatch *d, XrInstance instance, PFN_xrGetInstanceProcAddr next_gipa,
                      uint32_t runtime_exts);

/* The layer's entry point for `name` if it hooks it (NULL otherwise), and in
 * *ext the extension bit that must be enabled for it to be handed out. */
PFN_xrVoidFunction kn_dispatch_hook(const char *name, uint32_t *ext);

#endif
