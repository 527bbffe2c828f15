/* The hand-off of device samples from the application's threads to their
 * consumers (the engine glue, and the recorder with KINEST_RECORD), per session.
 *
 * Producers (whatever application thread the layer samples on) call
 * kn_feed_push: it copies one frame into a ring under a mutex that is only
 * ever held for a copy of a few frames, wakes the worker and returns; it
 * never waits for a consumer, a file or the model. When the ring is full the
 * newest frame is dropped and counted. One worker thread per feed drains the
 * ring in order and hands each batch to every consumer, on the worker
 * thread. A feed without consumers starts no thread and push only keeps the
 * newest frame (kn_feed_latest). */
#ifndef KN_LAYER_FEED_H
#define KN_LAYER_FEED_H

#include "clip/kn_clip.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where a frame's time came from. */
typedef enum kn_time_source {
    KN_TIME_FRAME = 0,      /* xrWaitFrame's predictedDisplayTime */
    KN_TIME_NOW = 1,        /* "now": xrConvertTimespecTimeToTimeKHR(CLOCK_MONOTONIC) */
    KN_TIME_LAST_KNOWN = 2, /* the newest time the application used (no clock available) */
    KN_TIME_REQUESTED = 3,  /* a time the application asked poses for (xrLocateBodyJointsFB) */
    KN_TIME_SOURCE_COUNT
} kn_time_source;

/* kn_device_frame.flags */
#define KN_FRAME_FLOOR_ESTIMATED 0x1u /* base space LOCAL: floor_y is an estimate */

/* One sample of the three devices. Poses are in the session's base space
 * (STAGE, or LOCAL with the estimated floor) moved down by floor_y, so that
 * the floor is at y = 0 as in clip files. Device flags are the runtime's raw
 * XrSpaceLocationFlags (VALID and TRACKED bits kept apart); a device that is
 * not valid carries the identity pose. */
typedef struct kn_device_frame {
    int64_t time;       /* XrTime (ns, the runtime's clock) the poses are for */
    int64_t sampled_ns; /* CLOCK_MONOTONIC when the layer sampled */
    uint32_t source;    /* kn_time_source */
    uint32_t flags;     /* KN_FRAME_* */
    float floor_y;      /* height of the floor in the base space, already subtracted */
    kn_device_sample devices[KN_CLIP_DEVICE_COUNT]; /* KN_DEVICE_HEAD, _LEFT_GRIP, _RIGHT_GRIP */
} kn_device_frame;

/* A consumer. consume runs on the feed's worker thread, never on an
 * application thread, with frames in push order (strictly increasing time:
 * the session drops a sample that is not newer than the last). It may take
 * its time; frames pushed meanwhile wait in the ring. */
typedef struct kn_feed_consumer {
    void *user;
    void (*consume)(void *user, const kn_device_frame *frames, size_t count);
} kn_feed_consumer;

typedef struct kn_feed_stats {
    uint64_t pushed;  /* frames accepted */
    uint64_t dropped; /* frames dropped because the ring was full */
} kn_feed_stats;

typedef struct kn_feed kn_feed;

#define KN_FEED_CAPACITY  1024u /* frames (~17 s at 60 Hz) */
#define KN_FEED_MAX_USERS 4

/* NULL when out of memory. */
kn_feed *kn_feed_create(uint32_t capacity);
/* Before kn_feed_start only. False when there are too many. */
bool kn_feed_add_consumer(kn_feed *feed, const kn_feed_consumer *consumer);
/* Starts the worker if there is a consumer. False if the thread cannot start
 * (push then only keeps the newest frame). */
bool kn_feed_start(kn_feed *feed);
/* Any thread; never waits for anything but the copy. */
void kn_feed_push(kn_feed *feed, const kn_device_frame *frame);
/* The newest frame pushed; false if none yet. Any thread. */
bool kn_feed_latest(kn_feed *feed, kn_device_frame *out);
/* Hands what is still in the ring to the consumers, stops and joins the
 * worker. After it, no consumer is called again. */
void kn_feed_stop(kn_feed *feed, kn_feed_stats *stats);
/* As kn_feed_stop, but waits at most timeout_ns for the worker (a consumer
 * may be stuck in a write to a stalled file system): false when it did not
 * end in time; the feed must then be handed to kn_feed_abandon. */
bool kn_feed_stop_within(kn_feed *feed, int64_t timeout_ns, kn_feed_stats *stats);
/* The worker is left to end on its own: when it does, at_end(user) runs on
 * it and the feed is freed there. The caller must not touch the feed, nor
 * what its consumers use, after this. */
void kn_feed_abandon(kn_feed *feed, void (*at_end)(void *user), void *user);
/* Stops it if needed and frees it. NULL is fine. */
void kn_feed_free(kn_feed *feed);

#endif
