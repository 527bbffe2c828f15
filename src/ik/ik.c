/* The IK's state, one tick of it, and its answer in the model's form. */
#include "ik/ik_parts.h"

#include <math.h>
#include <string.h>

/* Ticks further apart than this do not advance a step by more. */
#define MAX_DT 0.1f

void kn_ik_default_config(kn_ik_config *cfg)
{
    /* Chosen by MPJPE on the validation split (Bandai) and a third of
     * HDM05's train clips, never the test split; each is near its best
     * there. Quick steps with little lead score best: a foot that cannot
     * know the gait's phase does least harm close under the hip. */
    *cfg = (kn_ik_config){
        .lean_per_pitch = 0.3f,
        .lean_per_crouch = 2.0f,
        .max_lean = 0.3f,
        .collar_follow = 0.15f,
        .collar_max = 0.3f,
        .elbow_pole = {-0.3f, -1.0f, 0.5f},
        .step_distance = 0.2f,
        .step_turn = 0.6f,
        .step_time = 0.2f,
        .step_height = 0.06f,
        .step_lead = 0.05f,
    };
}

static void rest_answer(float local6d[KN_JOINT_COUNT * 6])
{
    static const float identity6d[6] = {1, 0, 0, 0, 1, 0};
    for (int j = 0; j < KN_JOINT_COUNT; j++)
        memcpy(local6d + 6 * j, identity6d, sizeof identity6d);
}

void kn_ik_init(kn_ik *ik, const kn_skeleton *skeleton, const kn_ik_config *cfg)
{
    memset(ik, 0, sizeof *ik);
    if (cfg)
        ik->cfg = *cfg;
    else
        kn_ik_default_config(&ik->cfg);
    kn_ik_set_skeleton(ik, skeleton);
    rest_answer(ik->last_local6d);
}

void kn_ik_set_skeleton(kn_ik *ik, const kn_skeleton *skeleton)
{
    ik->skeleton = *skeleton;
    ik->scale = skeleton->standing_head_height / kn_skeleton_default_head_height();
    vec3 rest[KN_JOINT_COUNT];
    kn_skeleton_rest_positions(skeleton, rest);
    float ankle = rest[KN_JOINT_LEFT_FOOT][1] - kn_skeleton_rest_floor(skeleton);
    /* The plants stand on the floor at the new ankle height. */
    for (int side = 0; side < 2; side++)
        ik->feet[side].plant[1] += ankle - ik->ankle_height;
    ik->ankle_height = ankle;
    for (int side = 0; side < 2; side++) {
        ik->knee[side].settling = true;
        ik->elbow[side].settling = true;
    }
}

void kn_ik_reset(kn_ik *ik)
{
    ik->started = false;
    for (int side = 0; side < 2; side++) {
        ik->feet[side].stepping = false;
        ik->knee[side].known = false;
        ik->elbow[side].known = false;
    }
}

void kn_ik_rebase(kn_ik *ik, const kn_pose *transform)
{
    kn_pose t;
    kn_pose_sanitize(transform, &t);
    /* Only the turn about +Y moves a foot's heading: the floor stays level. */
    vec3 fwd;
    kn_quat_rotate(t.orientation, (vec3){0.0f, 0.0f, -1.0f}, fwd);
    float turn = atan2f(-fwd[0], -fwd[2]);
    for (int side = 0; side < 2; side++) {
        kn_ik_foot *f = &ik->feet[side];
        kn_pose_transform_point(&t, f->plant, f->plant);
        kn_pose_transform_point(&t, f->from, f->from);
        kn_pose_transform_point(&t, f->to, f->to);
        f->yaw += turn;
        f->yaw_from += turn;
        f->yaw_to += turn;
    }
    kn_pose_transform_point(&t, ik->last_hips, ik->last_hips);
    kn_quat_rotate(t.orientation, ik->hips_velocity, ik->hips_velocity);
}

static void answer(const kn_ik *ik, const kn_pose g[KN_JOINT_COUNT], const versor yaw,
                   kn_ik_output *out)
{
    float local[KN_JOINT_COUNT * 4];
    kn_skeleton_local_from_global(g, local);
    /* The model's root rotation is relative to the tick's heading frame. */
    versor yaw_inv;
    glm_quat_conjugate((float *)yaw, yaw_inv);
    kn_quat_mul(yaw_inv, g[KN_JOINT_HIPS].orientation, local);
    for (int j = 0; j < KN_JOINT_COUNT; j++)
        kn_quat_to_6d(local + 4 * j, out->local6d + 6 * j);
    /* Positions by forward kinematics of exactly those rotations, so they
     * are what kn_body_solve will rebuild. */
    glm_quat_copy((float *)g[KN_JOINT_HIPS].orientation, local);
    kn_skeleton_fk(&ik->skeleton, local, g[KN_JOINT_HIPS].position, out->joints);
}

kn_status kn_ik_solve(kn_ik *ik, const kn_ik_input *in, kn_ik_output *out, kn_error *err)
{
    if (!ik || !in || !out || !in->heading)
        return kn_fail(err, KN_ERROR_INVALID_ARGUMENT, "kn_ik_solve: NULL argument");

    versor yaw;
    kn_heading_quat(in->heading, yaw);
    if (!in->head_valid) {
        /* Nothing to hang the body from: repeat the last answer. */
        memcpy(out->local6d, ik->last_local6d, sizeof out->local6d);
        float local[KN_JOINT_COUNT * 4];
        for (int j = 0; j < KN_JOINT_COUNT; j++)
            kn_6d_to_quat(out->local6d + 6 * j, local + 4 * j);
        kn_quat_mul(yaw, local, local);
        kn_skeleton_fk(&ik->skeleton, local, ik->last_hips, out->joints);
        out->hand_reached[0] = out->hand_reached[1] = false;
        return KN_OK;
    }

    float dt = 0.0f;
    if (ik->started && in->time_ns > ik->last_time_ns)
        dt = fminf(MAX_DT, (float)((double)(in->time_ns - ik->last_time_ns) * 1e-9));
    float body_yaw = atan2f(in->heading->sin_yaw, in->heading->cos_yaw);

    kn_pose head_joint, g[KN_JOINT_COUNT];
    kn_head_joint_from_device(&in->head, &head_joint);
    ik_spine(ik, &head_joint, yaw, g);
    for (int side = 0; side < 2; side++)
        out->hand_reached[side] =
            ik_arm(ik, (kn_side)side, in->grip_valid[side] ? &in->grip[side] : NULL, yaw, g);
    ik_legs(ik, dt, body_yaw, g);

    answer(ik, g, yaw, out);
    memcpy(ik->last_local6d, out->local6d, sizeof ik->last_local6d);
    ik->started = true;
    ik->last_time_ns = in->time_ns;
    return KN_OK;
}
