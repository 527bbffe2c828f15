/* The next layer's functions for one instance, generated from functions.h. */
#ifndef KN_LAYER_DISPATCH_H
#define KN_LAYER_DISPATCH_H

#include "framework/functions.h"

#include <openxr/openxr.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct kn_dispatch {
#define KN_DISPATCH_MEMBER(name, role, ext) PFN_xr##name name;
    KN_LAYER_FUNCTIONS(KN_DISPATCH_MEMBER)
#undef KN_DISPATCH_MEMBER
} kn_dispatch;

/* Resolves every listed function through the next layer's
 * xrGetInstanceProcAddr. False when a core function is missing. */
bool kn_dispatch_init(kn_dispatch *d, XrInstance instance, PFN_xrGetInstanceProcAddr next_gipa);

/* The layer's entry point for `name` if it hooks it (NULL otherwise), and in
 * *ext the extension bit that must be enabled for it to be handed out. */
PFN_xrVoidFunction kn_dispatch_hook(const char *name, uint32_t *ext);

#endif
