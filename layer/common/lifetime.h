/* Calls in flight against the destruction of what they use (issue 14).
 *
 * An entry point that looks up a session or a tracker holds the layer's
 * lifetime lock shared (KN_LIFETIME_HOLD, released when the function
 * returns); a destroy first makes the object unfindable (out of its handle
 * map), then drains: it waits for every call that may have found it to
 * return, and only then frees it. A call on a destroyed handle therefore
 * gets XR_ERROR_HANDLE_INVALID instead of freed memory, also when the
 * application breaks the specification's external synchronization.
 * Writers are preferred, so a stream of locates cannot starve a destroy;
 * a holder must not drain, nor hold twice. */
#ifndef KN_LAYER_LIFETIME_H
#define KN_LAYER_LIFETIME_H

#include <stdbool.h>

typedef struct kn_lifetime_hold {
    bool held;
} kn_lifetime_hold;

kn_lifetime_hold kn_lifetime_enter(void);
void kn_lifetime_leave(kn_lifetime_hold *hold);
/* Returns once no call that entered before it is still in flight. */
void kn_lifetime_drain(void);

#define KN_LIFETIME_HOLD()                                                                         \
    kn_lifetime_hold kn_lifetime_held_ __attribute__((cleanup(kn_lifetime_leave))) =               \
        kn_lifetime_enter()

#endif
