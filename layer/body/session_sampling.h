/* A session's device sampling (session_sampling.c): the head and the two
 * grips located in the layer's base space, the floor, and the clock rules
 * every sampled time passes. */
#ifndef KN_LAYER_SESSION_SAMPLING_H
#define KN_LAYER_SESSION_SAMPLING_H

#include "body/feed.h"
#include "body/floor.h"

#include <openxr/openxr.h>
#include <stdbool.h>
#include <stdint.h>

/* Without a frame loop: samples from other calls, at most this often, once
 * no xrWaitFrame came for KN_FRAMELESS_NS. */
#define KN_FRAMELESS_NS          INT64_C(100000000)
#define KN_FRAMELESS_INTERVAL_NS INT64_C(4000000)

/* The clock rules of sampling (time_usable): a locate this far past the
 * frame loop's newest display time is not sampled; a time this far before
 * the newest sample is the clock set back. */
#define KN_TIME_AHEAD_NS INT64_C(1000000000)
#define KN_TIME_BACK_NS  INT64_C(1000000000)

/* Under s->work. */
typedef struct kn_sampling {
    XrTime last_sampled;
    XrTime last_frame_time; /* the newest sample from xrWaitFrame's display time */
    unsigned times_refused; /* unusable times, for the log */
    kn_floor floor;
} kn_sampling;

struct kn_session;

/* Samples the devices at `time` (the layer's clock rules apply: a time not
 * newer than the last sample is not pushed again) and hands the frame to the
 * feed; *out (if not NULL) gets it. False if no sample was made: another
 * thread is sampling, or the time is invalid. For the engine glue:
 * xrLocateBodyJointsFB samples at the time the application asks for. */
bool kn_session_sample_at(struct kn_session *s, XrTime time, kn_time_source source,
                          kn_device_frame *out);

/* A sample at "now" if the session runs without a frame loop (rate-limited):
 * for the hooks of the application's other per-frame calls. */
void kn_session_frameless_tick(struct kn_session *s);

#endif
