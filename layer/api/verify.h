/* Argument and handle checks shared by the entry points of the served
 * extensions (Monado's oxr_verify style): each entry checks everything the
 * specification lets it refuse, in the order handle, then structs, then
 * values, and only then makes its one call into the logic (body/tracker.h). */
#ifndef KN_LAYER_API_VERIFY_H
#define KN_LAYER_API_VERIFY_H

#include "body/body.h"
#include "body/tracker.h"
#include "common/lifetime.h"
#include "common/log.h"
#include "xr/extensions.h"

/* A tracker, of the handle type of extension `type_ext` (FB, BD or HTC),
 * of a session of a served instance that enabled `fn_ext`:
 * XR_ERROR_HANDLE_INVALID for a handle the layer did not mint as that
 * type or has freed (XR_ERROR_FEATURE_UNSUPPORTED for one that is not NULL
 * while an instance beside the runtime answers for `fn_ext`: it may be the
 * runtime's tracker), XR_ERROR_FUNCTION_UNSUPPORTED when the tracker's
 * instance did not enable the function's extension (a pointer taken from
 * another instance). The tracker and its session stay alive until the entry
 * point returns (common/lifetime.h). */
#define KN_VERIFY_TRACKER_OF(fn, handle, type_ext, fn_ext, out)                                    \
    KN_LIFETIME_HOLD();                                                                            \
    KN_VERIFY_TRACKER_OF_UNHELD(fn, handle, type_ext, fn_ext, out)

/* The same without holding the lifetime lock: for the destroys, which drain. */
#define KN_VERIFY_TRACKER_OF_UNHELD(fn, handle, type_ext, fn_ext, out)                             \
    do {                                                                                           \
        (out) = kn_tracker_get((XrBodyTrackerFB)(void *)(handle));                                 \
        if ((out) && (out)->ext != (type_ext))                                                     \
            (out) = NULL;                                                                          \
        if (!(out) && (handle) != XR_NULL_HANDLE && kn_body_beside_runtime(fn_ext))                \
            return XR_ERROR_FEATURE_UNSUPPORTED;                                                   \
        if (!(out)) {                                                                              \
            KN_LOG_D("%s: invalid tracker %p", fn, (void *)(handle));                              \
            return XR_ERROR_HANDLE_INVALID;                                                        \
        }                                                                                          \
        if (((out)->session->inst->enabled & (fn_ext)) != (fn_ext))                                \
            return XR_ERROR_FUNCTION_UNSUPPORTED;                                                  \
    } while (0)

/* An XrBodyTrackerFB (XR_FB_body_tracking and the META extensions). */
#define KN_VERIFY_TRACKER(fn, handle, ext, out)                                                    \
    KN_VERIFY_TRACKER_OF(fn, handle, KN_EXT_FB_BODY_TRACKING, ext, out)

/* A session of a served instance, for xrCreateBodyTracker*: its extension
 * enabled, and supported (FEATURE_UNSUPPORTED otherwise: a system without
 * body tracking refuses every tracker). Holds the lifetime lock. */
#define KN_VERIFY_SESSION(session, ext, out)                                                       \
    KN_LIFETIME_HOLD();                                                                            \
    do {                                                                                           \
        (out) = kn_session_get(session);                                                           \
        if (!(out))                                                                                \
            return XR_ERROR_HANDLE_INVALID;                                                        \
        if (((out)->inst->enabled & (ext)) != (ext))                                               \
            return XR_ERROR_FUNCTION_UNSUPPORTED;                                                  \
        if (!kn_supports((out), (ext)))                                                            \
            return XR_ERROR_FEATURE_UNSUPPORTED;                                                   \
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

/* The arguments of xrLocateBodyJoints{FB,BD,HTC}, in the order the
 * specification checks them: the two structs, the base space, the joint
 * count (`count_ok`), the array, the time. */
#define KN_VERIFY_LOCATE(fn, info, info_type, locs, locs_type, count, count_ok, want)              \
    do {                                                                                           \
        KN_VERIFY_STRUCT(fn, info, info_type);                                                     \
        KN_VERIFY_STRUCT(fn, locs, locs_type);                                                     \
        if ((info)->baseSpace == XR_NULL_HANDLE)                                                   \
            return XR_ERROR_HANDLE_INVALID;                                                        \
        KN_VERIFY(fn, count_ok, "joint count %u, the tracker's joint set has %u", (count),         \
                  (want));                                                                         \
        KN_VERIFY(fn, (locs)->jointLocations, "jointLocations is NULL");                           \
        if ((info)->time <= 0)                                                                     \
            return XR_ERROR_TIME_INVALID;                                                          \
    } while (0)

/* Whether the layer provides what an extension's system property
 * describes (kn_emulation.supported): the property structs say so, and the
 * functions refuse the same way where it does not. */
static inline bool kn_supports(const kn_session *s, uint32_t ext)
{
    return (s->inst->emulation->supported & ext) == ext;
}

#endif
