/* What the layer keeps per XrInstance, found from the handle in any thread.
 *
 * An instance the layer does not intercept (the application enabled none of
 * its extensions, or the runtime tracks bodies itself) keeps only the link
 * to the next layer's xrGetInstanceProcAddr: every lookup is answered there,
 * so no function of the layer runs for it again. */
#ifndef KN_LAYER_INSTANCE_H
#define KN_LAYER_INSTANCE_H

#include "framework/dispatch.h"

#include <openxr/openxr.h>
#include <stdbool.h>
#include <stdint.h>

struct kn_emulation;

typedef struct kn_instance {
    XrInstance handle;
    PFN_xrGetInstanceProcAddr next_gipa;
    bool intercept;      /* false: every lookup goes to next_gipa */
    bool beside_runtime; /* the runtime tracks bodies: only `enabled`'s functions are the layer's */
    uint32_t enabled;    /* kn_ext bits the application enabled */
    uint32_t hidden;     /* kn_rt_ext bits the layer enabled below and the application did not */
    kn_dispatch next;    /* filled when intercepting */
    struct kn_emulation *emulation; /* the body-tracking logic's state when intercepting */
} kn_instance;

kn_instance *kn_instance_get(XrInstance handle);
/* Takes ownership. A stale entry for the same handle (an instance that was
 * never intercepted, so its destruction went unseen) is freed. */
bool kn_instance_register(kn_instance *inst);
/* Removes the entry and hands it back to the caller, who frees it. */
kn_instance *kn_instance_unregister(XrInstance handle);
void kn_instance_free(kn_instance *inst);

#endif
