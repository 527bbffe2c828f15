/* The engine behind kinest.h (docs/engine.md): its state, shared between
 * the producer (push, reset, calibration), the worker thread (ticks, model,
 * body) and the readers (get_body, get_skeleton, ...). Internal.
 *
 *   producer --(lock-free SPSC queue of samples, copy only)--> worker
 *   worker  --(double-buffered snapshot, pointer swap under a mutex)--> readers
 *   calibration: a small struct under its own mutex, written by the
 *                producer's setters and the worker's auto estimate.
 *
 * Everything the worker touches per tick lives in the engine struct (one
 * allocation at create): no heap per tick. */
#ifndef KN_ENGINE_H
#define KN_ENGINE_H

#include "kinest.h"

#include "backend/kn_backend.h"
#include "body/kn_body.h"
#include "engine/height.h"
#include "engine/standing.h"
#include "features/kn_features.h"
#include "ik/kn_ik.h"
#include "joints/kn_xr_joints.h"
#include "signal/kn_signal.h"
#include "skeleton/kn_heading.h"
#include "skeleton/kn_skeleton.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdatomic.h>

/* Samples (and nothing else) travel through the queue: 4 s at 60 pushes/s. */
#define KN_ENGINE_QUEUE 256
/* Prediction past the newest tick: at most this far (then held). */
#define KN_ENGINE_MAX_EXTRAPOLATION_NS 100000000LL
/* The newest tick this much older than the requested time: inactive,
 * whether nothing was pushed since or the worker is that far behind the
 * pushes (the head not seen for as long as the signal holds a lost one). */
#define KN_ENGINE_STALE_NS 500000000LL
/* A tick completed by a sample pushed longer ago than this (wall clock)
 * is skipped, not run, when newer samples wait: the worker has fallen
 * behind. */
#define KN_ENGINE_MAX_BACKLOG_NS 100000000LL
/* `auto` takes Vulkan only when its step (measured in the self-test) is
 * at most this: a quarter of a tick. */
#define KN_ENGINE_AUTO_MAX_STEP_MS 4.0
/* A new skeleton moves no joint more than this per tick (skeleton_change.c). */
#define KN_ENGINE_SKELETON_STEP_M 0.015f
/* Ticks a blend takes to reach its full speed, and to stop: a start or
 * stop at once jerks every joint it moves. */
#define KN_ENGINE_SKELETON_RAMP_TICKS 10
/* Ticks a step of its blend waits at most for the body stage's knees and
 * elbows to catch up (kn_body_hinges_settling): fast arm motion keeps an
 * elbow held back, and must not stall the calibration. */
#define KN_ENGINE_SKELETON_WAIT_TICKS 30
/* Ticks after a (re)start until the recurrent state counts as warm. */
#define KN_ENGINE_WARMUP_TICKS 30
/* Ticks a restarted stream that had shown a body (the head back after a
 * loss, a gap, the clock set back) keeps it inactive: the fresh model's
 * (and IK's) first guesses of the legs jump by tens of centimetres. */
#define KN_ENGINE_RESUME_TICKS 6
/* The same after a worker far behind caught up (it skipped more than
 * KN_ENGINE_STALE_NS of ticks): there, shown after 6 ticks, the fresh
 * model's elbow jumped 21 cm at the second frame; after 10, 6 cm
 * (docs/engine.md). */
#define KN_ENGINE_CATCH_UP_TICKS 10

typedef struct kn_engine_entry {
    uint64_t epoch; /* the producer's reset epoch when pushed */
    int64_t time_ns;
    int64_t pushed_wall_ns; /* CLOCK_MONOTONIC at the push, for latency */
    kn_device_sample device[KN_SIGNAL_DEVICES];
} kn_engine_entry;

/* One finished tick, as readers see it. */
typedef struct kn_engine_frame {
    int64_t time_ns;
    kn_pose joints[KN_JOINT_COUNT];
    bool active;
    bool tracked[KN_JOINT_COUNT];
    float confidence; /* body confidence x warm-up */
    kn_pose grip[2];  /* the grip poses of the tick */
    bool hand_on_grip[2];
} kn_engine_frame;

typedef struct kn_engine_snapshot {
    uint64_t epoch;  /* reset epoch its frames belong to */
    int count;       /* frames: 0, 1 or 2 ([count-1] newest) */
    bool continuous; /* frame[0] -> frame[1] may be interpolated */
    kn_engine_frame frame[2];
    kn_skeleton skeleton; /* the frames were made with it */
} kn_engine_snapshot;

typedef struct kn_engine_calibration {
    bool override;
    kinest_calibration_state state;
    float height_m;
    kn_skeleton skeleton;
    uint32_t changed_count;
    uint32_t auto_epoch; /* kinest_reset_height: the worker starts over */
} kn_engine_calibration;

/* A per-tick look at the worker's pipeline, for tests (engine_debug.h). */
typedef void (*kn_engine_tap_fn)(void *user, const kn_signal_tick *tick, const float *features,
                                 const float *local6d, const kn_body *body);

struct kinest_engine {
    /* Fixed at create. */
    kinest_config config;
    kinest_backend backend_kind; /* resolved */
    kn_backend *backend;         /* NULL for the IK */
    float smoothing;             /* of the model's outputs, resolved; 0 = off */
    kn_skeleton default_skeleton;
    kn_engine_tap_fn tap;
    void *tap_user;

    /* Producer side. */
    int64_t last_push_ns;
    uint64_t producer_epoch;
    _Atomic uint64_t reset_epoch;
    _Atomic int64_t newest_push_ns; /* the newest accepted push (0 after a reset) */
    _Atomic uint64_t inputs_refused;
    _Atomic uint64_t queue_dropped;

    /* The queue: the producer writes entries and `head`, the worker reads
     * them and writes `tail`. */
    kn_engine_entry queue[KN_ENGINE_QUEUE];
    _Atomic uint64_t head, tail;

    /* Worker wake-up and flush. */
    pthread_t thread;
    bool thread_started;
    sem_t wake;
    _Atomic bool quit;
    _Atomic uint64_t flush_requested;
    pthread_mutex_t flush_lock;
    pthread_cond_t flush_cond;
    uint64_t flush_served; /* under flush_lock */
    _Atomic bool failed;
    _Atomic uint32_t reader_errors; /* refused reader calls, for the log */
    _Atomic bool reader_behind;     /* the last get_body found the worker stale */
    _Atomic uint32_t behind_logged; /* times it was, for the log */

    /* Readers' snapshot: front is what they copy (under snap_lock); the
     * worker fills the other one, then swaps. */
    pthread_mutex_t snap_lock;
    kn_engine_snapshot snaps[2];
    kn_engine_snapshot *front;

    pthread_mutex_t calib_lock;
    kn_engine_calibration calib;

    pthread_mutex_t stats_lock;
    kinest_stats stats;

    /* Worker-only state. */
    struct {
        uint64_t epoch;
        uint32_t calib_count;
        uint32_t auto_epoch;
        kn_skeleton skeleton; /* the one the ticks are solved with */
        struct {
            bool active;
            float cruise;    /* ticks the blend would take at full speed */
            int tick, ticks; /* from -> to over `ticks` ticks, this many done */
            int waited;      /* ticks this step has waited for the knees and elbows */
            kn_skeleton from, to;
        } change;
        kn_signal signal;
        kn_heading heading;
        kn_features features;
        kn_ik ik;
        kn_height_estimator height;
        kn_standing standing; /* may the head give the height yet */
        bool was_standing;    /* for the log: standing at the last live head */
        int estimate_countdown;
        bool seen_head; /* a live head since the auto epoch began */
        uint64_t ticks_since_start;
        int resume_hold;    /* ticks the body stays inactive after a restart */
        bool have_frame;    /* `last` holds the newest published frame */
        bool head_was_live; /* at the newest tick */
        kn_engine_frame last;
        kn_signal_tick tick;
        kn_body body;
        kn_feet feet;          /* the model's feet that stand, between ticks */
        kn_body_hinges hinges; /* the body stage's knees and elbows, between ticks */
        kn_ik_output ik_out;
        float input[KN_FEATURES_COUNT];
        float output[KN_MODEL_MAX_OUTPUTS]; /* rotations, then contact logits if any */
        float smoothed[KN_MODEL_OUTPUTS];   /* the filter's y, valid when primed */
        bool smooth_primed;                 /* false until a stream's first step */
        int64_t wall_of_entry;
        bool more_waiting; /* newer samples are queued behind this one */
        uint32_t non_finite_logged;
    } w;
};

/* log.c */
void kn_engine_log(kinest_engine *e, kinest_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Before an engine exists (a bad config). */
void kn_engine_log_config(const kinest_config *cfg, kinest_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int64_t kn_engine_wall_ns(void);

/* engine.c */

/* For tests: fn is called on the worker after every tick it runs, with the
 * tick, the features (NULL for the IK), the 6D answer and the body. Set it
 * before the first push. */
void kn_engine_set_tap(kinest_engine *e, kn_engine_tap_fn fn, void *user);

/* worker.c */
void *kn_engine_worker_main(void *arg);
/* The worker's state at create (and on each reset). */
void kn_engine_worker_init(kinest_engine *e);

/* skeleton_change.c: a skeleton at once (no body shown yet), or reached
 * gradually from the current one, one step per tick; the skeleton for a
 * body height. */
void kn_engine_apply_skeleton(kinest_engine *e, const kn_skeleton *s);
void kn_engine_change_skeleton(kinest_engine *e, const kn_skeleton *s);
void kn_engine_skeleton_tick(kinest_engine *e);
kn_status kn_engine_skeleton_for_height(const kinest_engine *e, float height_m, kn_skeleton *out,
                                        kn_error *err);

#endif
