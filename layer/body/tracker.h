/* Body trackers (XrBodyTrackerFB): the logic behind the seven functions of
 * the served extensions. The entry points (api/) check the arguments and
 * handles first; everything here may assume valid arguments.
 *
 * Handles are minted by the layer from a process-wide counter (never reused,
 * so a destroyed handle stays invalid) and never go down the chain. Each
 * tracker belongs to one session; the session's end frees them all. All the
 * trackers of a session share the session's engine (engine.h), made with the
 * first of them: the joint set is chosen per tracker, the calibration is the
 * session's (the same person), the requested fidelity is kept per tracker. */
#ifndef KN_LAYER_TRACKER_H
#define KN_LAYER_TRACKER_H

#include "body/session.h"
#include "xr/xr_body_tracking.h"

#include <kinest.h>
#include <stdatomic.h>

/* At most this many live trackers per session (XR_ERROR_LIMIT_REACHED). */
#define KN_TRACKERS_PER_SESSION 64
/* The largest joint set a tracker serves (META's). */
#define KN_TRACKER_MAX_JOINTS KINEST_META_JOINT_COUNT

struct kn_generations;

typedef struct kn_tracker {
    XrBodyTrackerFB handle; /* an XrBodyTrackerBD or XrBodyTrackerHTC too, by `ext` */
    kn_session *session;
    uint32_t ext; /* the kn_ext bit whose handle type it is: FB, BD or HTC */
    kinest_joint_set set;
    uint32_t joint_count;
    atomic_int fidelity;                /* XrBodyTrackingFidelityMETA last requested */
    struct kn_generations *generations; /* HTC: the skeletons handed out (tracker_sets.c) */
    struct kn_tracker *next;            /* in the session's list (s->lock) */
} kn_tracker;

kn_tracker *kn_tracker_get(XrBodyTrackerFB handle);

XrResult kn_tracker_create(kn_session *s, XrBodyJointSetFB set, XrBodyTrackerFB *out);
/* A tracker of any of the extensions (ext: its kn_ext bit) on `set`. */
XrResult kn_tracker_create_set(kn_session *s, uint32_t ext, kinest_joint_set set,
                               XrBodyTrackerFB *out);
/* False when another thread destroys it (it then frees it). Drains: the
 * caller must not hold the lifetime lock (common/lifetime.h). */
bool kn_tracker_destroy(kn_tracker *t);
XrResult kn_tracker_locate(kn_tracker *t, const XrBodyJointsLocateInfoFB *info,
                           XrBodyJointLocationsFB *out);
XrResult kn_tracker_skeleton(kn_tracker *t, XrBodySkeletonFB *out);
XrResult kn_tracker_request_fidelity(kn_tracker *t, XrBodyTrackingFidelityMETA fidelity);
XrResult kn_tracker_suggest_height(kn_tracker *t, float height_m);
XrResult kn_tracker_reset_height(kn_tracker *t);

/* ---- XR_BD_body_tracking and XR_HTC_body_tracking (tracker_sets.c): the
 * same body as xrLocateBodyJointsFB, in each extension's structs. */
XrResult kn_tracker_locate_bd(kn_tracker *t, const XrBodyJointsLocateInfoBD *info,
                              XrBodyJointLocationsBD *out);
XrResult kn_tracker_locate_htc(kn_tracker *t, const XrBodyJointsLocateInfoHTC *info,
                               XrBodyJointLocationsHTC *out);
/* Whether skeletonGenerationId was handed out by an HTC tracker of this
 * tracker's session. */
bool kn_tracker_has_generation(kn_tracker *t, uint32_t id);
XrResult kn_tracker_skeleton_htc(kn_tracker *t, uint32_t id, XrBodySkeletonHTC *out);
struct kn_generations *kn_generations_new(void); /* for each HTC tracker */
void kn_generations_free(struct kn_generations *g);

/* The session is ending: its trackers' handles become invalid (unmap, before
 * the session's drain), then every tracker of it is freed (release). */
void kn_trackers_unmap(kn_session *s);
void kn_trackers_release(kn_session *s);
/* Live trackers in the process (tests). */
size_t kn_tracker_count(void);

#endif
