/* The process-wide instance map. The loader unloads the layer when the last
 * instance is destroyed; the destructor frees what is left then (links of
 * bypassed instances, instances the application never destroyed) so that
 * nothing leaks with the library's globals. */
#include "framework/instance.h"
#include "framework/handle_map.h"
#include "framework/logic.h"

#include <stdlib.h>

static kn_handle_map g_instances = KN_HANDLE_MAP_INIT;

kn_instance *kn_instance_get(XrInstance handle)
{
    return kn_handle_map_get(&g_instances, (uint64_t)(uintptr_t)handle);
}

bool kn_instance_register(kn_instance *inst)
{
    void *stale;
    if (!kn_handle_map_put(&g_instances, (uint64_t)(uintptr_t)inst->handle, inst, &stale))
        return false;
    kn_instance_free(stale);
    return true;
}

kn_instance *kn_instance_unregister(XrInstance handle)
{
    return kn_handle_map_remove(&g_instances, (uint64_t)(uintptr_t)handle);
}

void kn_instance_free(kn_instance *inst)
{
    if (!inst)
        return;
    if (inst->emulation)
        kn_logic_instance_free(inst);
    free(inst);
}

static void free_entry(void *inst)
{
    kn_instance_free(inst);
}

__attribute__((destructor)) static void free_instances_at_unload(void)
{
    kn_handle_map_clear(&g_instances, free_entry);
}
