/* The body-tracking side of the layer: which instances it serves and how.
 *
 *   bypass        the application enabled none of the four extensions: the
 *                 create info goes down untouched and the layer steps aside.
 *   pass-through  the runtime lists every extension the application enabled
 *                 and reports body tracking itself (KINEST_FORCE=1 overrides).
 *   emulate       the layer serves the extensions; the names the runtime does
 *                 not list are removed from the create info, since it would
 *                 refuse them (with KINEST_FORCE=1, all four are). */
#ifndef KN_LAYER_BODY_H
#define KN_LAYER_BODY_H

#include "common/settings.h"
#include "framework/instance.h"

#include <openxr/openxr.h>

typedef struct kn_body_plan {
    uint32_t requested;        /* kn_ext bits the application enabled */
    uint32_t runtime;          /* kn_ext bits the runtime lists */
    XrInstanceCreateInfo info; /* what goes down */
    const char **names;        /* owns info.enabledExtensionNames when filtered */
    kn_settings settings;      /* read unless bypassing */
} kn_body_plan;

/* The per-instance state while emulating. */
typedef struct kn_body {
    kn_settings settings;
} kn_body;

/* Before the instance is created below. runtime_gipa reaches the runtime's
 * xrEnumerateInstanceExtensionProperties. */
XrResult kn_body_plan_instance(const XrInstanceCreateInfo *app,
                               PFN_xrGetInstanceProcAddr runtime_gipa, kn_body_plan *plan);
void kn_body_plan_release(kn_body_plan *plan);

/* After: decides between pass-through and emulation for an instance whose
 * application enabled some of the extensions (inst->next is filled). */
XrResult kn_body_adopt(kn_instance *inst, const kn_body_plan *plan);
void kn_body_free(kn_body *body);

#endif
