/* The heading-aligned, floor-anchored frame of a tick (docs/model.md,
 * "Feature layout", rules 3 and 4): origin at the head's floor point, turned
 * about +Y by the yaw psi of the head's forward axis (-Z) projected on the
 * floor. The model's root rotation lives in this frame; the features, the
 * IK and the body must all use the same one, so it is kept here, once per
 * tick, by whoever owns the tick. */
#ifndef KN_HEADING_H
#define KN_HEADING_H

#include "math/kn_math.h"

#include <stdbool.h>

/* Below this horizontal length of the forward axis the head looks straight
 * up or down and has no yaw of its own. */
#define KN_HEADING_MIN_HORIZONTAL 1e-6f

typedef struct kn_heading {
    float cos_yaw, sin_yaw; /* the latest usable yaw; before any: 1, 0 */
    float floor_x, floor_z; /* the latest valid head's x, z; before any: 0, 0 */
    bool yaw_fresh;         /* this tick had a yaw of its own */
} kn_heading;

void kn_heading_init(kn_heading *h);
/* One tick: takes yaw and floor point from the head device pose when
 * head_valid (and not vertical), otherwise keeps the previous ones. */
void kn_heading_update(kn_heading *h, const kn_pose *head_device, bool head_valid);
/* Y_t = [[c, 0, s], [0, 1, 0], [-s, 0, c]] as a quaternion and a matrix. */
void kn_heading_quat(const kn_heading *h, versor out);
void kn_heading_mat3(const kn_heading *h, mat3 out);

#endif
