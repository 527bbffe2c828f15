/* XR_BD_body_tracking and XR_HTC_body_tracking over the same trackers: the
 * body xrLocateBodyJointsFB gives (tracker.c), written into each
 * extension's structs, and HTC's skeleton generations. */
#include "body/engine.h"
#include "body/tracker.h"
#include "xr/extensions.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* The three extensions' joint locations are the same struct. */
#define KN_SAME_LOCATION(T)                                                                        \
    _Static_assert(sizeof(T) == sizeof(XrBodyJointLocationFB) &&                                   \
                       offsetof(T, locationFlags) ==                                               \
                           offsetof(XrBodyJointLocationFB, locationFlags) &&                       \
                       offsetof(T, pose) == offsetof(XrBodyJointLocationFB, pose),                 \
                   #T " is not XrBodyJointLocationFB's layout");
KN_SAME_LOCATION(XrBodyJointLocationBD)
KN_SAME_LOCATION(XrBodyJointLocationHTC)

#define VALID_BITS (XR_SPACE_LOCATION_ORIENTATION_VALID_BIT | XR_SPACE_LOCATION_POSITION_VALID_BIT)
#define TRACKED_BITS                                                                               \
    (XR_SPACE_LOCATION_ORIENTATION_TRACKED_BIT | XR_SPACE_LOCATION_POSITION_TRACKED_BIT)

/* What BD and HTC say of a located body besides the joints. */
typedef struct kn_located {
    XrBodyJointLocationsFB body;   /* isActive, confidence, skeletonChangedCount */
    bool all_tracked;              /* every joint VALID and TRACKED */
    XrSpaceLocationFlags combined; /* the OR of the joints' flags */
} kn_located;

/* The FB locate into `joints` (the tracker's set's count of them). */
static XrResult locate(kn_tracker *t, XrSpace base, XrTime time, XrBodyJointLocationFB *joints,
                       kn_located *out)
{
    XrBodyJointsLocateInfoFB info = {
        .type = XR_TYPE_BODY_JOINTS_LOCATE_INFO_FB, .baseSpace = base, .time = time};
    out->body = (XrBodyJointLocationsFB){.type = XR_TYPE_BODY_JOINT_LOCATIONS_FB,
                                         .jointCount = t->joint_count,
                                         .jointLocations = joints};
    XrResult r = kn_tracker_locate(t, &info, &out->body);
    /* Inactive: no joint has a VALID bit (as FB's). Active: every joint is
     * valid, and tracked only where a device places it. */
    out->all_tracked = out->body.isActive;
    out->combined = 0;
    for (uint32_t j = 0; XR_SUCCEEDED(r) && j < t->joint_count; j++) {
        XrSpaceLocationFlags f = joints[j].locationFlags;
        out->combined |= f;
        out->all_tracked =
            out->all_tracked && (f & (VALID_BITS | TRACKED_BITS)) == (VALID_BITS | TRACKED_BITS);
    }
    return r;
}

XrResult kn_tracker_locate_bd(kn_tracker *t, const XrBodyJointsLocateInfoBD *info,
                              XrBodyJointLocationsBD *out)
{
    kn_located l;
    XrResult r = locate(t, info->baseSpace, info->time,
                        (XrBodyJointLocationFB *)(void *)out->jointLocations, &l);
    out->allJointPosesTracked = l.all_tracked ? XR_TRUE : XR_FALSE;
    return r;
}

/* ---- HTC: skeleton generations */

/* The skeletons each HTC tracker handed out, newest last: an id the
 * application saw can be asked for, of any HTC tracker of the session,
 * while it is among the tracker's last KN_GENERATIONS (calibration changes
 * the skeleton a few times a session). */
#define KN_GENERATIONS 16

typedef struct kn_generation {
    uint32_t id;
    XrBodySkeletonJointHTC joints[XR_BODY_JOINT_COUNT_HTC];
} kn_generation;

struct kn_generations {
    pthread_mutex_t lock;
    unsigned count; /* ever recorded; the ring holds the last KN_GENERATIONS */
    kn_generation ring[KN_GENERATIONS];
};

void kn_generations_free(struct kn_generations *g)
{
    if (!g)
        return;
    pthread_mutex_destroy(&g->lock);
    free(g);
}

static kn_generation *find(struct kn_generations *g, uint32_t id)
{
    unsigned n = g->count < KN_GENERATIONS ? g->count : KN_GENERATIONS;
    for (unsigned i = 0; i < n; i++)
        if (g->ring[i].id == id)
            return &g->ring[i];
    return NULL;
}

struct kn_generations *kn_generations_new(void)
{
    struct kn_generations *g = calloc(1, sizeof *g);
    if (g && pthread_mutex_init(&g->lock, NULL) != 0) {
        free(g);
        return NULL;
    }
    return g;
}

/* The id of the skeleton the body was located with (its change count + 1,
 * never 0), recorded with the skeleton the first time it is handed out. */
static uint32_t generation(kn_tracker *t, uint32_t changed)
{
    struct kn_generations *g = t->generations;
    pthread_mutex_lock(&g->lock);
    bool known = find(g, changed + 1) != NULL;
    pthread_mutex_unlock(&g->lock);
    if (known)
        return changed + 1;
    kinest_skeleton_joint joints[XR_BODY_JOINT_COUNT_HTC];
    /* The id needs the engine's skeleton: the first locates while the
     * engine is being made wait for it (once). */
    if (kinest_get_skeleton(kn_body_engine_wait(t->session->engine), t->set, t->joint_count, joints,
                            &changed) != KINEST_SUCCESS)
        return changed + 1; /* the engine failed: the body is inactive anyway */
    uint32_t id = changed + 1;
    pthread_mutex_lock(&g->lock);
    if (!find(g, id)) {
        kn_generation *slot = &g->ring[g->count++ % KN_GENERATIONS];
        slot->id = id;
        for (uint32_t j = 0; j < XR_BODY_JOINT_COUNT_HTC; j++) {
            const kinest_pose *p = &joints[j].pose;
            slot->joints[j].pose = (XrPosef){
                {p->orientation[0], p->orientation[1], p->orientation[2], p->orientation[3]},
                {p->position[0], p->position[1], p->position[2]}};
        }
    }
    pthread_mutex_unlock(&g->lock);
    return id;
}

/* The skeleton of generation `id` from any HTC tracker of t's session
 * (the id is the session's: "returned ... during the current session"),
 * copied to `out` unless NULL. Lock order: s->lock, then a tracker's
 * generations lock. */
static bool session_generation(kn_tracker *t, uint32_t id, XrBodySkeletonJointHTC *out)
{
    kn_session *s = t->session;
    bool found = false;
    pthread_mutex_lock(&s->lock);
    for (kn_tracker *o = s->trackers; o && !found; o = o->next) {
        if (o->ext != KN_EXT_HTC_BODY_TRACKING)
            continue;
        pthread_mutex_lock(&o->generations->lock);
        kn_generation *g = find(o->generations, id);
        if (g && out)
            memcpy(out, g->joints, sizeof g->joints);
        found = g != NULL;
        pthread_mutex_unlock(&o->generations->lock);
    }
    pthread_mutex_unlock(&s->lock);
    return found;
}

bool kn_tracker_has_generation(kn_tracker *t, uint32_t id)
{
    return session_generation(t, id, NULL);
}

/* HTC's confidence level from the engine's confidence. */
static XrBodyJointConfidenceHTC confidence_level(const XrBodyJointLocationsFB *body)
{
    if (!body->isActive)
        return XR_BODY_JOINT_CONFIDENCE_NONE_HTC;
    return body->confidence >= 0.5f ? XR_BODY_JOINT_CONFIDENCE_HIGH_HTC
                                    : XR_BODY_JOINT_CONFIDENCE_LOW_HTC;
}

XrResult kn_tracker_locate_htc(kn_tracker *t, const XrBodyJointsLocateInfoHTC *info,
                               XrBodyJointLocationsHTC *out)
{
    kn_located l;
    XrResult r = locate(t, info->baseSpace, info->time,
                        (XrBodyJointLocationFB *)(void *)out->jointLocations, &l);
    if (XR_FAILED(r))
        return r;
    out->combinedLocationFlags = l.combined;
    out->confidenceLevel = confidence_level(&l.body);
    out->skeletonGenerationId = generation(t, l.body.skeletonChangedCount);
    return XR_SUCCESS;
}

XrResult kn_tracker_skeleton_htc(kn_tracker *t, uint32_t id, XrBodySkeletonHTC *out)
{
    return session_generation(t, id, out->joints) ? XR_SUCCESS : XR_ERROR_VALIDATION_FAILURE;
}
