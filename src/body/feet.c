/* Feet that stand: plant, hold, let go (kn_feet.h). */
#include "body/kn_body.h"
#include "body/kn_feet.h"

#include "skeleton/kn_device_mount.h"

#include <math.h>
#include <string.h>

void kn_feet_reset(kn_feet *feet)
{
    memset(feet, 0, sizeof *feet);
}

float kn_feet_sole_height(const kn_skeleton *skeleton)
{
    vec3 rest[KN_JOINT_COUNT];
    kn_skeleton_rest_positions(skeleton, rest);
    float low = fminf(fminf(rest[KN_JOINT_LEFT_FOOT][1], rest[KN_JOINT_LEFT_TOES][1]),
                      fminf(rest[KN_JOINT_RIGHT_FOOT][1], rest[KN_JOINT_RIGHT_TOES][1]));
    return low - kn_skeleton_rest_floor(skeleton);
}

void kn_feet_plant(kn_feet *feet, const kn_skeleton *skeleton, const float *contact,
                   struct kn_body_hinges *hinges, kn_pose joints[KN_JOINT_COUNT], bool planted[2])
{
    const float sole = kn_feet_sole_height(skeleton);
    for (int side = 0; side < 2; side++) {
        int foot = side == KN_SIDE_LEFT ? KN_JOINT_LEFT_FOOT : KN_JOINT_RIGHT_FOOT;
        const float *ankle = joints[foot].position;
        vec3 low;
        glm_vec3_copy(joints[foot].position[1] <= joints[foot + 1].position[1]
                          ? joints[foot].position
                          : joints[foot + 1].position,
                      low);
        bool touching = contact && contact[side] > 0.0f;
        float *anchor = feet->anchor[side], *corr = feet->correction[side];
        if (touching && !feet->planted[side]) {
            /* Put down where it shows now (a correction still fading
             * included); it settles onto the sole height below. */
            glm_vec3_add((float *)ankle, corr, anchor);
            feet->planted[side] = true;
        }
        if (touching)
            anchor[1] += KN_FEET_SETTLE * (ankle[1] - (low[1] - sole) - anchor[1]);
        if (!touching || hypotf(ankle[0] - anchor[0], ankle[2] - anchor[2]) > KN_FEET_MAX_SLIP_M)
            feet->planted[side] = false;
        if (feet->planted[side]) {
            glm_vec3_sub(anchor, (float *)ankle, corr);
            glm_vec3_copy(corr, feet->released[side]);
            feet->since_release[side] = 0;
        } else if (feet->since_release[side] < KN_FEET_RELEASE_TICKS) {
            float u = (float)++feet->since_release[side] / (float)KN_FEET_RELEASE_TICKS;
            glm_vec3_scale(feet->released[side], 1.0f - u * u * (3.0f - 2.0f * u), corr);
        } else {
            glm_vec3_zero(corr);
        }
        planted[side] = feet->planted[side];
        if (glm_vec3_norm2(corr) < 1e-12f) {
            glm_vec3_zero(corr);
            continue;
        }
        vec3 target;
        glm_vec3_add((float *)ankle, corr, target);
        kn_body_place_foot(skeleton, side, target, hinges, joints);
    }
}
