/* The framework's interface to the body-tracking logic (framework/logic.h):
 * instances end here; they are planned and adopted in plan.c. */
#include "framework/logic.h"
#include "body/body.h"

void kn_logic_instance_destroying(kn_instance *inst)
{
    kn_emulation_release(inst);
}

void kn_logic_instance_free(kn_instance *inst)
{
    kn_emulation_forget(inst);
    kn_emulation_free(inst->emulation);
    inst->emulation = NULL;
}
