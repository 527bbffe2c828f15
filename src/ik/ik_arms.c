/* Collar, upper arm, forearm and hand, reaching for the grip. */
#include "ik/ik_parts.h"
#include "ik/kn_two_bone.h"

#include <math.h>

/* Where the hand hangs without a grip: the wrist under the shoulder, the
 * grip turned like the body (docs/data.md: hanging arms' grips have +X to
 * the user's right and -Z forward). */
static void hanging_hand(const kn_ik *ik, kn_side side, const versor yaw,
                         const kn_pose g[KN_JOINT_COUNT], int collar, kn_pose *hand)
{
    const kn_skeleton *s = &ik->skeleton;
    float reach = kn_skeleton_bone_length(s, collar + 2) + kn_skeleton_bone_length(s, collar + 3);
    vec3 shoulder, bone, down = {0.0f, -0.98f * reach, 0.0f};
    kn_quat_rotate(g[collar].orientation, s->offsets[collar + 1], bone);
    glm_vec3_add((float *)g[collar].position, bone, shoulder);
    kn_pose grip = {{yaw[0], yaw[1], yaw[2], yaw[3]}, {0.0f, 0.0f, 0.0f}};
    kn_hand_from_grip(side, &grip, hand);
    glm_vec3_add(shoulder, down, hand->position);
}

bool ik_arm(kn_ik *ik, kn_side side, const kn_pose *grip, const versor yaw,
            kn_pose g[KN_JOINT_COUNT])
{
    const kn_ik_config *c = &ik->cfg;
    const kn_skeleton *s = &ik->skeleton;
    int collar = side == KN_SIDE_LEFT ? KN_JOINT_LEFT_COLLAR : KN_JOINT_RIGHT_COLLAR;
    int upper = collar + 1, fore = collar + 2, hand_joint = collar + 3;
    float mirror = side == KN_SIDE_LEFT ? 1.0f : -1.0f;

    ik_place(s, g, collar);
    glm_quat_copy(g[KN_JOINT_CHEST].orientation, g[collar].orientation);

    kn_pose hand;
    if (grip)
        kn_hand_from_grip(side, grip, &hand);
    else
        hanging_hand(ik, side, yaw, g, collar, &hand);

    /* The collar turns a share of the way toward the hand: shoulders rise
     * and come forward when the hands do. */
    versor chest_inv, full, part, id = {0.0f, 0.0f, 0.0f, 1.0f};
    vec3 to_hand, local;
    glm_quat_conjugate(g[KN_JOINT_CHEST].orientation, chest_inv);
    glm_vec3_sub(hand.position, g[collar].position, to_hand);
    kn_quat_rotate(chest_inv, to_hand, local);
    kn_quat_from_two_vectors(s->offsets[upper], local, full);
    float angle = kn_quat_angle_between(id, full);
    float share = c->collar_follow;
    if (angle * share > c->collar_max)
        share = c->collar_max / angle;
    kn_quat_slerp(id, full, share, part);
    kn_quat_mul(g[KN_JOINT_CHEST].orientation, part, g[collar].orientation);
    ik_place(s, g, upper);

    vec3 pole_local = {mirror * c->elbow_pole[0], c->elbow_pole[1], c->elbow_pole[2]}, pole;
    kn_quat_rotate(g[KN_JOINT_CHEST].orientation, pole_local, pole);
    kn_two_bone_rest rest = {.bend = {0.0f, 0.0f, 1.0f}}; /* elbows bend backward */
    glm_vec3_copy((float *)s->offsets[fore], rest.upper);
    glm_vec3_copy((float *)s->offsets[hand_joint], rest.lower);
    kn_two_bone_result r;
    kn_two_bone_solve_limited(&rest, g[upper].position, hand.position, pole, &ik->elbow[side],
                              KN_TWO_BONE_SETTLE_STEP_M * ik->scale, &r);

    glm_quat_copy(r.upper, g[upper].orientation);
    glm_quat_copy(r.lower, g[fore].orientation);
    glm_vec3_copy(r.middle, g[fore].position);
    glm_vec3_copy(r.end, g[hand_joint].position);
    glm_quat_copy(hand.orientation, g[hand_joint].orientation);
    return r.reached;
}
