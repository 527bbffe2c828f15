/* Argument and handle checks shared by the entry points of the served
 * extensions (Monado's oxr_verify style): each entry checks everything the
 * specification lets it refuse, in the order handle, then structs, then
 * values, and only then makes its one call into the logic (body/tracker.h). */
#ifndef KN_LAYER_API_VERIFY_H
#define KN_LAYER_API_VERIFY_H

#include "body/tracker.h"
#include "common/lifetime.h"
#include "common/log.h"
#include "xr/extensions.h"

/* A tracker of a session of a served instance that enabled `ext`:
 * XR_ERROR_HANDLE_INVALID for a handle the layer did not mint or has freed,
 * XR_ERROR_FUNCTION_UNSUPPORTED when the tracker's instance did not enable
 * the function's extension (a pointer taken from another instance). The
 * tracker and its session stay alive until the entry point returns
 * (common/lifetime.h). */
#define KN_VERIFY_TRACKER(fn, handle, ext, out)                                                    \
    KN_LIFETIME_HOLD();                                                                            \
    KN_VERIFY_TRACKER_UNHELD(fn, handle, ext, out)

/* The same without holding the lifetime lock: for the destroy, which drains. */
#define KN_VERIFY_TRACKER_UNHELD(fn, handle, ext, out)                                             \
    do {                                                                                           \
        (out) = kn_tracker_get(handle);                                                            \
        if (!(out)) {                                                                              \
            KN_LOG_D("%s: invalid XrBodyTrackerFB %p", fn, (void *)(handle));                      \
            return XR_ERROR_HANDLE_INVALID;                                                        \
        }                                                                                          \
        if (((out)->session->inst->enabled & (ext)) != (ext))                                      \
            return XR_ERROR_FUNCTION_UNSUPPORTED;                                                  \
    } while (0)

/* A required struct pointer of the given type. */
#define KN_VERIFY_STRUCT(fn, ptr, xr_type)                                                         \
    do {                                                                                           \
        if (!(ptr)) {                                                                              \
            KN_LOG_D("%s: " #ptr " is NULL", fn);                                                  \
            return XR_ERROR_VALIDATION_FAILURE;                                                    \
        }                                                                                          \
        if ((ptr)->type != (xr_type)) {                                                            \
            KN_LOG_D("%s: " #ptr "->type is %d, not " #xr_type, fn, (int)(ptr)->type);             \
            return XR_ERROR_VALIDATION_FAILURE;                                                    \
        }                                                                                          \
    } while (0)

/* Any other condition whose failure is XR_ERROR_VALIDATION_FAILURE. */
#define KN_VERIFY(fn, cond, ...)                                                                   \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            KN_LOG_D(fn ": " __VA_ARGS__);                                                         \
            return XR_ERROR_VALIDATION_FAILURE;                                                    \
        }                                                                                          \
    } while (0)

/* Whether the layer provides what an extension's system property
 * describes (kn_body.supported): the property structs say so, and the
 * functions refuse the same way where it does not. */
static inline bool kn_supports(const kn_session *s, uint32_t ext)
{
    return (s->inst->body->supported & ext) == ext;
}

#endif
