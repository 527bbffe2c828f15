/* Signal conditioning: the device poses an app samples at irregular,
 * timestamped moments (head, left grip, right grip, each with its
 * XrSpaceLocationFlags) onto the model's fixed 60 Hz ticks.
 *
 * Ticks.     Tick k of a clock is at origin + k * 10^9 / 60 ns in integer
 *            arithmetic (no drift), origin = the first sample's time. A tick
 *            is made only once a sample at or after it has arrived; each
 *            device is interpolated between the samples around it (lerp for
 *            positions, kn_quat_slerp for rotations).
 * Time.      Samples must move forward. One at or before the newest is
 *            ignored and counted; one more than clock_reset_ns before it is
 *            a clock reset: everything restarts from it.
 * Gaps.      Up to max_gap_ns between samples is interpolated over; beyond
 *            it the tick clock restarts at the new sample, and its first
 *            tick says so (KN_SIGNAL_EVENT_START | _GAP): the model's
 *            recurrent state and the velocities start afresh there.
 * Loss.      A device whose sample is not valid (both VALID bits) is lost:
 *            for hold_ns its last valid pose is held (a grip's relative to
 *            the head's yaw frame, so it rides along when the user walks),
 *            then over fade_ns it fades (smoothstep) to a neutral pose
 *            relative to the head (grips: hanging at the sides; the head
 *            keeps its last pose) and stays there. `state` and `weight` say
 *            which; `flags` is what the model may see: held poses as valid
 *            but not tracked (0x3, as the training data's frozen tracking),
 *            fading and neutral ones as not valid (0). Recovery is
 *            immediate.
 * Teleport.  A head sample farther from where the head should be (its last
 *            sample moved on by its velocity) than a person can move in the
 *            interval is a teleport or recentring (a turn alone never is: a
 *            dancer's head spins faster than 2,000 degrees a second): every
 *            stored pose is moved by the
 *            same yaw + translation so the new sample continues the motion
 *            (velocities stay continuous), and the next tick reports it
 *            with the transform, for state that lives in the world (the
 *            IK's planted feet).
 * Input.     A non-finite pose (or a zero quaternion) marks that device's
 *            sample not valid; it is counted, never passed on.
 * Predict.   The pose at any time: interpolated between the kept ticks,
 *            extrapolated from the last two (live devices only) at most
 *            max_extrapolation_ns beyond the last tick, held beyond that.
 *
 * No heap: a kn_signal is one fixed-size struct (ring buffers). */
#ifndef KN_SIGNAL_H
#define KN_SIGNAL_H

#include "core/kn_error.h"
#include "math/kn_device.h"
#include "math/kn_math.h"

#include <stdbool.h>
#include <stdint.h>

#define KN_SIGNAL_RATE_HZ      60
#define KN_SIGNAL_DEVICES      KN_DEVICE_COUNT
#define KN_SIGNAL_RING_SAMPLES 64 /* samples waiting for their ticks */
#define KN_SIGNAL_KEPT_TICKS   4  /* recent ticks, for prediction */

/* Time of tick `index` of a clock started at origin_ns. */
int64_t kn_signal_tick_time(int64_t origin_ns, int64_t index);

typedef enum kn_track_state {
    KN_TRACK_LIVE = 0, /* from valid samples */
    KN_TRACK_HELD,     /* lost for up to hold_ns: the last valid pose */
    KN_TRACK_FADING,   /* then fading to the neutral pose */
    KN_TRACK_NEUTRAL,  /* lost for good: neutral pose (head: its last one), weight 0 */
    KN_TRACK_NONE,     /* never valid yet */
} kn_track_state;

/* Events on a tick (since the previous one). */
#define KN_SIGNAL_EVENT_START       0x1u /* first tick of a tick clock */
#define KN_SIGNAL_EVENT_GAP         0x2u /* with START: the clock restarted after a gap */
#define KN_SIGNAL_EVENT_CLOCK_RESET 0x4u /* with START: time jumped backward, all restarted */
#define KN_SIGNAL_EVENT_TELEPORT    0x8u /* the world was re-based by `rebase` */

typedef struct kn_signal_device {
    kn_pose pose;
    uint32_t flags; /* for the features: see "Loss" */
    kn_track_state state;
    float weight; /* 1 live or held, 1 -> 0 while fading, 0 neutral or none */
} kn_signal_device;

typedef struct kn_signal_tick {
    int64_t index; /* since the clock started */
    int64_t time_ns;
    kn_signal_device device[KN_SIGNAL_DEVICES];
    uint32_t events;
    kn_pose rebase; /* with TELEPORT: new = rebase * old (all teleports since the last tick) */
} kn_signal_tick;

typedef struct kn_signal_config {
    int64_t max_gap_ns;           /* longest gap interpolated over (500 ms, as kinest.h) */
    int64_t clock_reset_ns;       /* backward jump that resets (1 s) */
    int64_t hold_ns;              /* lost device held (500 ms) */
    int64_t fade_ns;              /* then faded to neutral (1 s) */
    int64_t max_extrapolation_ns; /* prediction past the last tick (50 ms) */
    /* A head sample off its expected place by more than distance + speed *
     * interval (0.2 m + 6 m/s) is a teleport. */
    float teleport_distance;
    float teleport_speed;
    /* Neutral grip poses in the head's yaw frame (origin at the head
     * device, axes turned by its yaw); [KN_DEVICE_HEAD] is unused. */
    kn_pose neutral[KN_SIGNAL_DEVICES];
} kn_signal_config;

typedef struct kn_signal_stats {
    uint64_t accepted;   /* samples taken */
    uint64_t backward;   /* samples ignored: not after the newest */
    uint64_t non_finite; /* device samples rejected: non-finite or zero quaternion */
    uint64_t clock_resets;
    uint64_t gap_restarts;
    uint64_t teleports;
    uint64_t overflow; /* samples dropped before their ticks: the ring was full */
    uint64_t ticks;
} kn_signal_stats;

typedef struct kn_signal_sample {
    int64_t time_ns;
    kn_device_sample device[KN_SIGNAL_DEVICES]; /* flags 0 when rejected */
    uint32_t starts_clock;                      /* events the clock restarts with here */
    bool consumed;                              /* its time is at or before a made tick */
} kn_signal_sample;

typedef struct kn_signal_last_valid {
    bool have;
    int64_t time_ns;
    kn_pose pose;        /* world */
    kn_pose in_head_yaw; /* grips: relative to the head's yaw frame at that time */
    bool have_in_head_yaw;
} kn_signal_last_valid;

typedef struct kn_signal {
    kn_signal_config cfg;
    kn_signal_stats stats;
    kn_signal_sample ring[KN_SIGNAL_RING_SAMPLES];
    int first, count; /* ring: oldest at `first` */
    bool have_sample;
    int64_t newest_ns;
    bool have_clock;
    int64_t origin_ns, next_index;
    uint32_t pending_events;
    kn_pose pending_rebase;
    kn_signal_last_valid last_valid[KN_SIGNAL_DEVICES];
    /* The newest two head samples received, for teleport detection. */
    int head_samples;
    int64_t head_time[2];
    kn_pose head_pose[2]; /* [0] newest */
    kn_signal_tick kept[KN_SIGNAL_KEPT_TICKS];
    int kept_count;
} kn_signal;

typedef enum kn_signal_push_result {
    KN_SIGNAL_ACCEPTED = 0,
    KN_SIGNAL_IGNORED_BACKWARD, /* not after the newest sample: dropped */
    KN_SIGNAL_RESTARTED,        /* accepted, and the clock restarts here (gap or reset) */
    KN_SIGNAL_TELEPORTED,       /* accepted, history re-based */
} kn_signal_push_result;

void kn_signal_default_config(kn_signal_config *cfg);
/* Multiplies the neutral grip positions (for a calibrated skeleton). */
void kn_signal_config_scale(kn_signal_config *cfg, float factor);
/* cfg NULL: the defaults. Fails on a config with non-positive times. */
kn_status kn_signal_init(kn_signal *s, const kn_signal_config *cfg, kn_error *err);
/* Forget everything but the config and the stats. */
void kn_signal_reset(kn_signal *s);

kn_signal_push_result kn_signal_push(kn_signal *s, int64_t time_ns,
                                     const kn_device_sample device[KN_SIGNAL_DEVICES]);
/* The next tick, if its time has been reached; false when none is due. */
bool kn_signal_next_tick(kn_signal *s, kn_signal_tick *out);
/* The devices at time_ns from the kept ticks; false before the first tick. */
bool kn_signal_predict(const kn_signal *s, int64_t time_ns, kn_signal_tick *out);

/* One pose at time t from two samples (t0 < t1): interpolated inside,
 * extrapolated past t1 by at most max_ahead_ns (then held), held before t0. */
void kn_pose_at_time(const kn_pose *p0, int64_t t0, const kn_pose *p1, int64_t t1, int64_t t,
                     int64_t max_ahead_ns, kn_pose *out);

#endif
