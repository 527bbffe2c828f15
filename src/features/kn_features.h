/* The model's per-tick input vector (docs/model.md, "Feature layout";
 * tools/kinestpy/model/features.py is the reference): 58 values from the
 * three device poses of one 60 Hz tick, in the tick's heading-aligned,
 * floor-anchored frame.
 *
 * Per device d (head 0, left grip 1, right grip 2), at 19 * d:
 *   0-5    6D of Y^T R_d          orientation in the aligned frame
 *   6-8    Y^T (p_d - (hx, 0, hz)) position in the aligned frame
 *   9-11   Y^T (p_d - p_d,prev) * 60  velocity (m/s)
 *   12-17  6D of R_d,prev^T R_d     rotation difference (world rotations)
 *   18     1 when valid (both VALID flag bits)
 * and 57 = the head's yaw rate (rad/s).
 *
 * The rules (docs/model.md, rules 1-6): an invalid device has all 19 values
 * 0; a valid device whose previous tick was invalid (and every device at
 * the first tick after a reset) has velocity 0 and rotation difference
 * identity; the yaw rate is 0 at the first tick and whenever this or the
 * previous tick had no yaw of its own.
 *
 * The frame (Y, the floor point) is the tick's kn_heading, the one the IK
 * and the body use too: its caller updates it from the tick's head pose
 * first. Everything is computed in double and rounded to float at the end,
 * as the reference does; the yaw's cosine and sine are recomputed in double
 * from the head pose whenever the heading took a fresh yaw from it.
 *
 * The values are the model's input before normalisation: the backend
 * divides by the weights' input_std (kn_backend_step). No heap. */
#ifndef KN_FEATURES_H
#define KN_FEATURES_H

#include "math/kn_math.h"
#include "skeleton/kn_heading.h"

#include <stdbool.h>
#include <stdint.h>

#define KN_FEATURES_COUNT      58
#define KN_FEATURES_DEVICES    3
#define KN_FEATURES_PER_DEVICE 19
#define KN_FEATURES_ROT6D      0
#define KN_FEATURES_POS        6
#define KN_FEATURES_VEL        9
#define KN_FEATURES_DROT       12
#define KN_FEATURES_VALID      18
#define KN_FEATURES_YAW_RATE   57
#define KN_FEATURES_RATE_HZ    60.0

/* Both XrSpaceLocationFlags VALID bits (orientation 0x1, position 0x2). */
#define KN_FEATURES_VALID_FLAGS 0x3u

typedef struct kn_features {
    bool started; /* a tick since the last reset */
    bool prev_valid[KN_FEATURES_DEVICES];
    double prev_pos[KN_FEATURES_DEVICES][3];
    double prev_rot[KN_FEATURES_DEVICES][3][3]; /* row-major R */
    /* The latest usable yaw in double (before any: 1, 0) and whether the
     * previous tick had one of its own. */
    double cos_yaw, sin_yaw;
    bool prev_yaw_fresh;
} kn_features;

/* Initial state: the next tick is a first tick. */
void kn_features_reset(kn_features *f);

/* The world moved by `transform` (new = transform * old; a teleport or
 * recentring): the kept previous poses and yaw move with it, so the next
 * tick's velocities and yaw rate continue the motion. */
void kn_features_rebase(kn_features *f, const kn_pose *transform);

/* One tick: pose[d] and flags[d] of the three devices (flags: the model's
 * view of them, e.g. kn_signal's), heading already updated from this
 * tick's head pose (kn_heading_update with head_valid = both VALID bits).
 * A pose is read only when its device is valid; a non-unit quaternion is
 * normalised. out[KN_FEATURES_COUNT] is always finite for finite poses. */
void kn_features_tick(kn_features *f, const kn_heading *heading,
                      const kn_pose pose[KN_FEATURES_DEVICES],
                      const uint32_t flags[KN_FEATURES_DEVICES], float out[KN_FEATURES_COUNT]);

#endif
