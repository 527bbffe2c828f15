/* 6D -> rotations -> forward kinematics -> hung from the head device. */
#include "body/kn_body.h"

#include "skeleton/kn_device_mount.h"

#include <math.h>

/* The device a joint follows directly, or -1: the rest are inferred. */
static int followed_device(int joint)
{
    switch (joint) {
    case KN_JOINT_HEAD:
        return KN_DEVICE_HEAD;
    case KN_JOINT_LEFT_HAND:
        return KN_DEVICE_LEFT_GRIP;
    case KN_JOINT_RIGHT_HAND:
        return KN_DEVICE_RIGHT_GRIP;
    default:
        return -1;
    }
}

static float clamp01(float v)
{
    return isfinite(v) ? fminf(1.0f, fmaxf(0.0f, v)) : 0.0f;
}

static bool finite_n(const float *v, int n)
{
    for (int i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return false;
    return true;
}

kn_status kn_body_solve(const kn_skeleton *skeleton, const kn_body_input *in, kn_body *out,
                        kn_error *err)
{
    if (!skeleton || !in || !out || !in->local6d || !in->heading)
        return kn_fail(err, KN_ERROR_INVALID_ARGUMENT, "kn_body_solve: NULL argument");

    /* 1. Rotations; the hips' turned from the heading frame to the world. */
    float local[KN_JOINT_COUNT * 4];
    int clean = 0;
    for (int j = 0; j < KN_JOINT_COUNT; j++) {
        const float *d6 = in->local6d + 6 * j;
        out->valid[j] = kn_6d_to_quat(d6, local + 4 * j) && finite_n(d6, 6);
        clean += out->valid[j];
    }
    versor yaw;
    kn_heading_quat(in->heading, yaw);
    kn_quat_mul(yaw, local, local);

    /* 2. Forward kinematics from the origin. */
    kn_skeleton_fk(skeleton, local, (vec3){0.0f, 0.0f, 0.0f}, out->joints);

    /* 3. Hang the body from the head device. */
    out->active = in->device_valid[KN_DEVICE_HEAD];
    if (out->active) {
        kn_pose device;
        vec3 shift;
        kn_head_device_from_joint(&out->joints[KN_JOINT_HEAD], &device);
        glm_vec3_sub((float *)in->device[KN_DEVICE_HEAD].position, device.position, shift);
        kn_vec3_sanitize(shift, shift);
        for (int j = 0; j < KN_JOINT_COUNT; j++)
            glm_vec3_add(out->joints[j].position, shift, out->joints[j].position);
    }

    /* 4. Wrists on the grips. */
    for (int side = 0; side < 2; side++) {
        int d = side == KN_SIDE_LEFT ? KN_DEVICE_LEFT_GRIP : KN_DEVICE_RIGHT_GRIP;
        out->hand_reached[side] = false;
        if ((in->flags & KN_BODY_HANDS_TO_GRIPS) && out->active && in->device_valid[d])
            out->hand_reached[side] =
                kn_body_reach_grip(skeleton, side, &in->device[d], in->hinges, out->joints);
    }

    /* 5. Feet that stand, then above the floor. */
    out->foot_planted[0] = out->foot_planted[1] = false;
    out->leg_bent[0] = out->leg_bent[1] = false;
    out->floor_lift = 0.0f;
    if (in->feet && out->active && !(in->flags & KN_BODY_SKIP_FEET))
        kn_feet_plant(in->feet, skeleton, in->contact, in->hinges, out->joints, out->foot_planted);
    else if (in->feet)
        kn_feet_reset(in->feet);
    if (!(in->flags & KN_BODY_SKIP_FEET))
        out->floor_lift =
            kn_body_keep_feet_above_floor(skeleton, in->hinges, out->joints, out->leg_bent);
    kn_body_hinges_shown(in->hinges, out->active ? out->joints : NULL);

    float w[KN_DEVICE_COUNT];
    for (int d = 0; d < KN_DEVICE_COUNT; d++)
        w[d] = in->device_valid[d] ? clamp01(in->device_weight[d]) : 0.0f;
    for (int j = 0; j < KN_JOINT_COUNT; j++) {
        int d = followed_device(j);
        out->valid[j] = out->valid[j] && out->active;
        out->tracked[j] = out->valid[j] && d >= 0 && in->device_valid[d] && in->device_tracked[d];
    }
    /* The head carries the body; each hand adds a quarter of certainty. */
    out->confidence =
        out->active
            ? w[KN_DEVICE_HEAD] *
                  (0.5f + 0.25f * w[KN_DEVICE_LEFT_GRIP] + 0.25f * w[KN_DEVICE_RIGHT_GRIP]) *
                  (float)clean / (float)KN_JOINT_COUNT
            : 0.0f;
    return KN_OK;
}
