/* The framework's interface to the body-tracking logic (framework/logic.h):
 * instances end here; they are planned and adopted in plan.c. */
#include "framework/logic.h"
#include "body/body.h"

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
