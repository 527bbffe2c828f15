/* What the layer keeps per XrSession of an emulating instance, found from
 * the handle in any thread. Sessions of bypassed or passed-through instances
 * never reach the layer (their functions are the next layer's).
 *
 * Locks, in the order they may nest:
 *   body->sessions_lock  the instance's session list
 *   s->work              the layer's own calls down for the session:
 *                        sampling, lazy attach, solo sync. Sampling paths
 *                        only try it (a sample already under way on another
 *                        thread is as good), so no application thread waits
 *                        for another's sample.
 *   body->actions_lock   the instance's action bookkeeping
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

#include <pthread.h>
#include <stdatomic.h>

/* How the layer's action set got attached to the session. */
typedef enum kn_attach {
    KN_ATTACH_NONE = 0, /* not yet */
    KN_ATTACH_MERGED,   /* with the application's sets, in its call */
    KN_ATTACH_APP_ONLY, /* the application's call took only its own sets */
    KN_ATTACH_LAYER,    /* the application never attached: ours alone, lazily */
    KN_ATTACH_FAILED,   /* the lazy attach failed; not tried again */
} kn_attach;

/* When an application that never attached is taken to never attach: after
 * this many frames, or this long after xrBeginSession without frames. */
#define KN_LAZY_ATTACH_FRAMES 10u
#define KN_LAZY_ATTACH_NS     INT64_C(250000000)
/* Syncing the layer's set alone (only until the application syncs). */
#define KN_SOLO_SYNC_INTERVAL_NS INT64_C(10000000)
/* Without a frame loop: samples from other calls, at most this often, once
 * no xrWaitFrame came for KN_FRAMELESS_NS. */
#define KN_FRAMELESS_NS          INT64_C(100000000)
#define KN_FRAMELESS_INTERVAL_NS INT64_C(4000000)

/* At the session's end the recording's thread gets this long to finish
 * its writes before the session ends without it. */
#define KN_RECORD_STOP_NS INT64_C(2000000000)

/* The clock rules of sampling (session.c, time_usable): a locate this far
 * past the frame loop's newest display time is not sampled; a time this far
 * before the newest sample is the clock set back. */
#define KN_TIME_AHEAD_NS INT64_C(1000000000)
#define KN_TIME_BACK_NS  INT64_C(1000000000)

typedef struct kn_session {
    XrSession handle;
    kn_instance *inst;
    struct kn_session *next; /* in body->sessions */
    pthread_mutex_t lock;
    pthread_mutex_t work;

    /* Set at creation, constant after. */
    XrSpace view, base;
    XrReferenceSpaceType base_type;

    /* s->lock */
    XrSpace grip[2]; /* the layer's grip action spaces, after attach */
    bool running;
    int64_t running_since_ns;
    uint64_t frames_waited;
    int64_t last_wait_ns; /* CLOCK_MONOTONIC of the last xrWaitFrame */
    XrTime last_known;    /* the newest XrTime the application used */
    XrSessionState state;
    bool hide_profile; /* the application suggested nothing: the profile is ours */
    char profile[2][KN_RECORD_PATH_SIZE];
    int64_t last_frameless_ns;

    atomic_int attach;      /* kn_attach */
    atomic_bool app_synced; /* the application has called xrSyncActions */
    atomic_bool warned_sync;

    /* s->work */
    XrTime last_sampled;
    XrTime last_frame_time; /* the newest sample from xrWaitFrame's display time */
    unsigned times_refused; /* unusable times, for the log */
    int64_t last_solo_sync_ns;
    kn_floor floor;

    kn_feed *feed;        /* to the engine glue */
    kn_feed *record_feed; /* to the recorder (KINEST_RECORD), its own thread */
    kn_recorder *recorder;
    kn_record_info info;

    /* The body: the engine glue (a consumer of the feed, the engine made
     * with the first tracker) and the session's trackers (s->lock). */
    kn_body_engine *engine;
    struct kn_tracker *trackers;
    unsigned tracker_count;
    atomic_bool engine_failed; /* logged once */
} kn_session;

kn_session *kn_session_get(XrSession handle);

int64_t kn_monotonic_ns(void);

/* Samples the devices at `time` (the layer's clock rules apply: a time not
 * newer than the last sample is not pushed again) and hands the frame to the
 * feed; *out (if not NULL) gets it. False if no sample was made: another
 * thread is sampling, or the time is invalid. For the engine glue:
 * xrLocateBodyJointsFB samples at the time the application asks for. */
bool kn_session_sample_at(kn_session *s, XrTime time, kn_time_source source, kn_device_frame *out);

/* A sample at "now" if the session runs without a frame loop (rate-limited):
 * for the hooks of the application's other per-frame calls. */
void kn_session_frameless_tick(kn_session *s);

/* ---- actions.c, under s->work */

/* Lazy attach and the solo sync, when due. */
void kn_actions_tick(kn_session *s, int64_t now_ns);
/* Reads the current interaction profiles into s->profile (calls down). */
void kn_actions_read_profiles(kn_session *s);
/* Whether xrPollEvent should keep this interaction-profile event from the
 * application (the layer made the profile, the application did not). */
bool kn_actions_hide_profile_event(kn_session *s);

#endif
