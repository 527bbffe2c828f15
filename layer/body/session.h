/* What the layer keeps per XrSession of an emulating instance, found from
 * the handle in any thread. Sessions of bypassed or passed-through instances
 * never reach the layer (their functions are the next layer's).
 *
 * Locks, in the order they may nest:
 *   emu->sessions_lock  the instance's session list
 *   s->work              the layer's own calls down for the session:
 *                        sampling, lazy attach, solo sync. Sampling paths
 *                        only try it (a sample already under way on another
 *                        thread is as good), so no application thread waits
 *                        for another's sample.
 *   emu->actions_lock   the instance's action bookkeeping
 *   s->lock              plain fields, held for a read or a write, never
 *                        across a call down.
 * The engine glue's own lock (engine.h) nests under none of them: the feed
 * worker holds it for a batch of pushes, an application thread for a
 * calibration call or the engine's creation. */
#ifndef KN_LAYER_SESSION_H
#define KN_LAYER_SESSION_H

#include "body/body.h"
#include "body/engine.h"
#include "body/feed.h"
#include "body/floor.h"
#include "body/recorder.h"
#include "body/session_actions.h"
#include "body/session_recording.h"
#include "body/session_sampling.h"

#include <pthread.h>
#include <stdatomic.h>

typedef struct kn_session {
    XrSession handle;
    kn_instance *inst;
    struct kn_session *next; /* in emu->sessions */
    pthread_mutex_t lock;
    pthread_mutex_t work;

    /* Set at creation, constant after. */
    XrSpace view, base;
    XrReferenceSpaceType base_type;

    /* s->lock: the session's state and clock */
    bool running;
    int64_t running_since_ns;
    uint64_t frames_waited;
    int64_t last_wait_ns; /* CLOCK_MONOTONIC of the last xrWaitFrame */
    XrTime last_known;    /* the newest XrTime the application used */
    XrSessionState state;
    int64_t last_frameless_ns;

    kn_session_actions actions;     /* session_actions.h */
    kn_sampling sampling;           /* session_sampling.h */
    kn_session_recording recording; /* session_recording.h */
    kn_feed *feed;                  /* to the engine glue */

    /* The body: the engine glue (a consumer of the feed, the engine made
     * with the first tracker) and the session's trackers (s->lock). */
    kn_body_engine *engine;
    struct kn_tracker *trackers;
    unsigned tracker_count;
    atomic_bool engine_failed; /* logged once */
} kn_session;

/* ---- session_registry.c */

kn_session *kn_session_get(XrSession handle);
/* Into the map under s->handle; false without memory. */
bool kn_session_register(kn_session *s);
/* Out of the map; false when it was not there (another thread took it). */
bool kn_session_unregister(kn_session *s);

int64_t kn_monotonic_ns(void);

/* "STAGE" or "LOCAL", for the log and the recording. */
const char *kn_space_name(XrReferenceSpaceType type);

#endif
