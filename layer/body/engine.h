/* The engine glue: one libkinest engine (src/include/kinest.h) per session,
 * created when the session's first body tracker is, fed with the session's
 * device samples, destroyed with the session.
 *
 *   creation   started by kn_body_engine_ensure in xrCreateBodyTrackerFB,
 *              once, and run on a thread of its own (loading weights and a
 *              backend's self-test take 8-66 ms: never on the application's
 *              thread; the body is inactive until the engine is ready;
 *              with KINEST_SYNC on the application's thread): the
 *              weights of KINEST_MODEL (or
 *              the library's default weights) on KINEST_BACKEND, the height
 *              of KINEST_HEIGHT. kinest_create does the fallbacks itself
 *              (vulkan -> cpu; weights that cannot be loaded -> ik, the
 *              analytic baseline), each with a warning. An engine that cannot be made at all leaves
 * the tracker without bodies, and fails the trackers created after. input kn_body_engine_consume is
 * a feed consumer (feed.h): it runs on the session's feed worker and pushes every sample the
 * session makes (frame loop, "now" ticks, the times xrLocateBodyJointsFB asks for) into the engine,
 * in order. Samples made before the engine exists are dropped. output     the engine itself
 * (kn_body_engine_get) answers the reader calls (kinest_get_body, kinest_get_skeleton,
 *              kinest_get_calibration) on any application thread; it never
 *              waits for inference.
 *   producer   kinest_push_devices and the calibration setters are
 *              serialised by the glue's lock, which the feed worker holds
 *              only for one batch of pushes.
 *
 * KINEST_SYNC=1 (offline replays and tests, never a live session: it stalls
 * the frame loop for as long as inference takes) makes xrLocateBodyJointsFB
 * wait until the samples up to its time have reached the engine and their
 * ticks have run (kn_body_engine_sync), so that the joints are exactly what
 * the engine computes offline for the same samples (tools/kinest-run). The
 * session then samples only at the application's own times (its frames and
 * locates), never at "now", which a replay runtime need not keep in step
 * with its display times.
 *
 * Device poses go in, and joints come out, in the session's base space
 * moved down by the floor estimate (feed.h): y = 0 is the floor, as the
 * engine wants. */
#ifndef KN_LAYER_ENGINE_H
#define KN_LAYER_ENGINE_H

#include "body/feed.h"
#include "common/settings.h"

#include <kinest.h>
#include <openxr/openxr.h>
#include <stdbool.h>

typedef struct kn_body_engine kn_body_engine;

/* The session's glue, without an engine yet. NULL when out of memory. */
kn_body_engine *kn_body_engine_new(const kn_settings *settings);
/* The feed consumer (user: the kn_body_engine). */
void kn_body_engine_consume(void *user, const kn_device_frame *frames, size_t count);
/* Starts making the engine if that was not done yet, and returns at once.
 * XR_SUCCESS, or XR_ERROR_OUT_OF_MEMORY / XR_ERROR_RUNTIME_FAILURE once it
 * is known that not even the IK engine could be made (tried once). */
XrResult kn_body_engine_ensure(kn_body_engine *e);
/* The engine; NULL until it is ready. Any thread, never waits. */
kinest_engine *kn_body_engine_get(kn_body_engine *e);
/* The same, after waiting for a creation under way to end (for the rare
 * calls that need the engine itself: skeleton, calibration, KINEST_SYNC). */
kinest_engine *kn_body_engine_wait(kn_body_engine *e);
/* The backend that runs (auto resolved, fallbacks applied); AUTO before
 * the engine exists. Any thread, lock-free. */
kinest_backend kn_body_engine_backend(kn_body_engine *e);
/* KINEST_SYNC: waits (at most timeout_ns) until a sample at or after
 * time_ns has been pushed, then for the engine to run every tick pushed
 * (kinest_flush). False on timeout or an engine failure. */
bool kn_body_engine_sync(kn_body_engine *e, int64_t time_ns, int64_t timeout_ns);
/* Producer calls, serialised with the pushes. Return the engine's status. */
kinest_status kn_body_engine_set_height(kn_body_engine *e, float height_m);
kinest_status kn_body_engine_reset_height(kn_body_engine *e);
/* Once the feed has stopped (no consumer runs any more): logs the engine's
 * statistics, destroys it and frees the glue. NULL is fine. */
void kn_body_engine_free(kn_body_engine *e);

/* The layer's KINEST_BACKEND as the engine's. */
kinest_backend kn_body_engine_backend_of(kn_backend_setting backend);

#endif
