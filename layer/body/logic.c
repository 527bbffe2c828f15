/* The framework's interface to the body-tracking logic (framework/logic.h). */
#include "framework/logic.h"
#include "body/body.h"

#include <stdlib.h>

XrResult kn_logic_plan_instance(const XrInstanceCreateInfo *app,
                                PFN_xrGetInstanceProcAddr runtime_gipa, kn_plan *plan)
{
    *plan = (kn_plan){.info = *app};
    kn_body_plan *body = calloc(1, sizeof *body);
    if (!body)
        return XR_ERROR_OUT_OF_MEMORY;
    XrResult r = kn_body_plan_instance(app, runtime_gipa, body);
    if (XR_FAILED(r)) {
        kn_body_plan_release(body);
        free(body);
        return r;
    }
    *plan = (kn_plan){.requested = body->requested,
                      .runtime_enabled = body->runtime_enabled,
                      .info = body->info,
                      .logic = body};
    return XR_SUCCESS;
}

void kn_logic_plan_release(kn_plan *plan)
{
    if (plan->logic)
        kn_body_plan_release(plan->logic);
    free(plan->logic);
    plan->logic = NULL;
}

XrResult kn_logic_instance_created(kn_instance *inst, const kn_plan *plan)
{
    return kn_body_adopt(inst, plan->logic);
}

void kn_logic_instance_destroying(kn_instance *inst)
{
    kn_body_release(inst);
}

void kn_logic_instance_free(kn_instance *inst)
{
    kn_body_forget(inst);
    kn_body_free(inst->body);
    inst->body = NULL;
}
