/* What the framework asks of the layer's logic, the only calls it makes into
 * it besides the hooks (hooks.h). The logic (body/logic.c) decides per
 * instance what goes down and whether the layer stays in the chain, and
 * keeps its own state in kn_instance.emulation; the framework only carries it. */
#ifndef KN_LAYER_LOGIC_H
#define KN_LAYER_LOGIC_H

#include "framework/instance.h"

#include <openxr/openxr.h>

typedef struct kn_plan {
    uint32_t requested;        /* kn_ext bits the application enabled; 0: bypass */
    uint32_t runtime_enabled;  /* kn_rt_ext bits going down (resolved in the dispatch table) */
    XrInstanceCreateInfo info; /* what goes down */
    void *logic;               /* the logic's own, until kn_logic_plan_release */
} kn_plan;

/* Before the instance is created below. runtime_gipa reaches the runtime's
 * xrEnumerateInstanceExtensionProperties. */
XrResult kn_logic_plan_instance(const XrInstanceCreateInfo *app,
                                PFN_xrGetInstanceProcAddr runtime_gipa, kn_plan *plan);
void kn_logic_plan_release(kn_plan *plan);
/* After: inst->next is filled for a plan with requested bits. Sets
 * inst->intercept, inst->enabled, inst->hidden and inst->emulation. */
XrResult kn_logic_instance_created(kn_instance *inst, const kn_plan *plan);
/* xrDestroyInstance, before it goes down (inst->emulation is set). */
void kn_logic_instance_destroying(kn_instance *inst);
/* Frees inst->emulation without calling down (also at unload). */
void kn_logic_instance_free(kn_instance *inst);

#endif
