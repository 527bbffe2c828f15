/* Canonical joints -> a joint set's joints, and its T-pose skeleton. */
#include "joints/joints_parts.h"

#include "kinest.h"

#include <math.h>
#include <string.h>

/* The twist of q about unit axis a (swing-twist decomposition), then the
 * share of it from the identity. */
static void twist_share(const versor q, const vec3 a, float share, versor out)
{
    float along = q[0] * a[0] + q[1] * a[1] + q[2] * a[2];
    versor twist = {along * a[0], along * a[1], along * a[2], q[3]}, id = {0, 0, 0, 1};
    /* A half-turn swing leaves no defined twist: none. */
    if (glm_quat_norm(twist) < 1e-6f) {
        glm_quat_identity(out);
        return;
    }
    kn_quat_slerp(id, twist, share, out);
}

/* Root: on the floor under `hips`, turned about +Y toward the hips' facing
 * (-Z); lying on the face or back, where -Z is vertical, toward the head
 * side (+Y) instead. */
static void root_pose(const kn_pose *hips, kn_pose *out)
{
    mat3 r;
    kn_quat_to_mat3(hips->orientation, r);
    float fx = -r[2][0], fz = -r[2][2]; /* -Z column */
    if (hypotf(fx, fz) < 1e-3f) {
        fx = r[1][0];
        fz = r[1][2];
    }
    float len = hypotf(fx, fz);
    /* R_y(psi) (0, 0, -1) = (-sin psi, 0, -cos psi) = f / |f| */
    float s = len > 0.0f ? -fx / len : 0.0f, c = len > 0.0f ? -fz / len : 1.0f;
    float half_cos = sqrtf(fmaxf(0.0f, 0.5f * (1.0f + c)));
    float half_sin = copysignf(sqrtf(fmaxf(0.0f, 0.5f * (1.0f - c))), s);
    versor q = {0.0f, half_sin, 0.0f, half_cos};
    kn_quat_sanitize(q, out->orientation);
    out->position[0] = hips->position[0];
    out->position[1] = 0.0f;
    out->position[2] = hips->position[2];
}

/* The rows of one XR set from the canonical joints. */
static void map_rows(const joint_set_def *set, const kn_skeleton *s,
                     const kn_pose canonical[KN_JOINT_COUNT], const kn_pose *left_grip,
                     const kn_pose *right_grip, kn_pose *out)
{
    kn_pose c[KN_JOINT_COUNT];
    for (int j = 0; j < KN_JOINT_COUNT; j++)
        kn_pose_sanitize(&canonical[j], &c[j]);
    /* The controllers know the hands' orientation better than any model. */
    const kn_pose *grips[2] = {left_grip, right_grip};
    static const int hands[2] = {KN_JOINT_LEFT_HAND, KN_JOINT_RIGHT_HAND};
    for (int side = 0; side < 2; side++) {
        if (!grips[side])
            continue;
        kn_pose from_grip;
        kn_hand_from_grip((kn_side)side, grips[side], &from_grip);
        glm_quat_copy(from_grip.orientation, c[hands[side]].orientation);
    }
    kn_pose hand[2][KN_HAND_JOINT_COUNT];
    float body_height = kn_skeleton_body_height(s);
    kn_hand_relaxed(KN_SIDE_LEFT, body_height, hand[KN_SIDE_LEFT]);
    kn_hand_relaxed(KN_SIDE_RIGHT, body_height, hand[KN_SIDE_RIGHT]);

    for (uint32_t j = 0; j < set->count; j++) {
        const xr_joint_def *d = &set->rows[j];
        const kn_pose *a = &c[d->canonical];
        versor axes, turn;
        kn_xr_axes_class(d->axes, axes);
        switch (d->kind) {
        case KIND_ROOT:
            root_pose(a, &out[j]);
            break;
        case KIND_AT:
            kn_quat_mul(a->orientation, axes, out[j].orientation);
            glm_vec3_copy((float *)a->position, out[j].position);
            break;
        case KIND_ALONG:
        case KIND_TWIST: {
            const kn_pose *b = &c[d->child];
            glm_vec3_lerp((float *)a->position, (float *)b->position, d->fraction, out[j].position);
            glm_quat_copy((float *)a->orientation, turn);
            if (d->kind == KIND_TWIST) {
                versor inv, local, share;
                vec3 axis;
                glm_quat_conjugate((float *)a->orientation, inv);
                kn_quat_mul(inv, b->orientation, local);
                glm_vec3_normalize_to((float *)s->offsets[d->child], axis);
                twist_share(local, axis, 0.5f, share);
                kn_quat_mul(a->orientation, share, turn);
            }
            kn_quat_mul(turn, axes, out[j].orientation);
            break;
        }
        case KIND_HAND: {
            /* The relaxed hand is built in the XR_FB_body_tracking wrist
             * frame; a set with other axes turns each joint's frame. */
            int arm_class = d->side == KN_SIDE_LEFT ? AXES_LEFT_ARM : AXES_RIGHT_ARM;
            versor arm;
            kn_xr_axes_class(arm_class, arm);
            kn_pose wrist;
            kn_quat_mul(a->orientation, arm, wrist.orientation);
            glm_vec3_copy((float *)a->position, wrist.position);
            kn_pose_compose(&wrist, &hand[d->side][d->hand], &out[j]);
            if (d->axes != arm_class) {
                versor inv, fb_frame;
                glm_quat_conjugate(arm, inv);
                kn_quat_mul(out[j].orientation, inv, fb_frame);
                kn_quat_mul(fb_frame, axes, out[j].orientation);
            }
            break;
        }
        }
    }
}

/* The canonical rest pose standing on the floor. */
static void rest_pose(const kn_skeleton *s, kn_pose rest[KN_JOINT_COUNT])
{
    float identity[KN_JOINT_COUNT * 4];
    for (int j = 0; j < KN_JOINT_COUNT; j++)
        glm_quat_identity(identity + 4 * j);
    vec3 hips = {0.0f, -kn_skeleton_rest_floor(s), 0.0f};
    kn_skeleton_fk(s, identity, hips, rest);
}

bool kn_joints_from_canonical(int set, const kn_skeleton *s,
                              const kn_pose canonical[KN_JOINT_COUNT], const kn_pose *left_grip,
                              const kn_pose *right_grip, kn_pose *out)
{
    const joint_set_def *d = kn_joint_set_def(set);
    if (!d)
        return false;
    if (d->rows)
        map_rows(d, s, canonical, left_grip, right_grip, out);
    else
        memcpy(out, canonical, KN_JOINT_COUNT * sizeof *out);
    return true;
}

bool kn_joints_tpose(int set, const kn_skeleton *s, kn_pose *out)
{
    kn_pose rest[KN_JOINT_COUNT];
    rest_pose(s, rest);
    return kn_joints_from_canonical(set, s, rest, NULL, NULL, out);
}

void kn_xr_joints_from_canonical(const kn_skeleton *s, const kn_pose canonical[KN_JOINT_COUNT],
                                 const kn_pose *left_grip, const kn_pose *right_grip,
                                 kn_pose out[KN_XR_JOINT_COUNT_FULL_BODY])
{
    map_rows(kn_joint_set_def(KINEST_JOINT_SET_META_FULL_BODY), s, canonical, left_grip, right_grip,
             out);
}

void kn_xr_joints_tpose(const kn_skeleton *s, kn_pose out[KN_XR_JOINT_COUNT_FULL_BODY])
{
    kn_joints_tpose(KINEST_JOINT_SET_META_FULL_BODY, s, out);
}
