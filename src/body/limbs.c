/* Re-solving a limb on global joints: wrists onto grips, feet above the
 * floor. Both keep bone lengths and the side the elbow or knee points to. */
#include "body/kn_body.h"
#include "body/kn_feet.h"

#include "ik/kn_two_bone.h"
#include "skeleton/kn_device_mount.h"

#include <math.h>

/* Re-solves upper -> middle -> end so that end lands on target; the end
 * joint keeps its global orientation (the caller may set another). With a
 * hinge, the bend stays within its step of the one shown last tick. */
static bool resolve(const kn_skeleton *s, kn_pose j[KN_JOINT_COUNT], int upper, const vec3 target,
                    const vec3 rest_bend, const float fallback_pole[3], kn_body_hinge *hinge,
                    float step)
{
    int middle = upper + 1, end = upper + 2;
    /* Pole: the middle joint's current side of the root-end line. */
    vec3 pole;
    kn_two_bone_offset(j[upper].position, j[middle].position, j[end].position, pole);
    if (glm_vec3_norm(pole) < 1e-4f)
        glm_vec3_copy((float *)fallback_pole, pole);

    kn_two_bone_rest rest;
    glm_vec3_copy((float *)s->offsets[middle], rest.upper);
    glm_vec3_copy((float *)s->offsets[end], rest.lower);
    glm_vec3_copy((float *)rest_bend, rest.bend);
    /* Every solve of a tick is bounded from the bend shown, not from the
     * tick's earlier solve. Without a known bend it is the free solve. */
    kn_two_bone_limit limit = hinge ? hinge->shown : (kn_two_bone_limit){0};
    kn_two_bone_result r;
    kn_two_bone_solve_limited(&rest, j[upper].position, target, pole, &limit, step, &r);
    if (hinge) {
        hinge->held |= limit.settling;
        hinge->solved = true;
        hinge->bend = limit.bend;
    }
    glm_quat_copy(r.upper, j[upper].orientation);
    glm_quat_copy(r.lower, j[middle].orientation);
    glm_vec3_copy(r.middle, j[middle].position);
    glm_vec3_copy(r.end, j[end].position);
    return r.reached;
}

bool kn_body_reach_grip(const kn_skeleton *skeleton, int side, const kn_pose *grip,
                        kn_body_hinges *hinges, kn_pose joints[KN_JOINT_COUNT])
{
    int upper = side == KN_SIDE_LEFT ? KN_JOINT_LEFT_UPPER_ARM : KN_JOINT_RIGHT_UPPER_ARM;
    kn_pose hand;
    kn_hand_from_grip((kn_side)side, grip, &hand);
    /* Elbows bend backward; without a current bend, point them down. */
    vec3 bend = {0.0f, 0.0f, 1.0f}, down = {0.0f, -1.0f, 0.0f};
    bool reached = resolve(skeleton, joints, upper, hand.position, bend, down,
                           hinges ? &hinges->elbow[side] : NULL, hinges ? hinges->step : 0.0f);
    glm_quat_copy(hand.orientation, joints[upper + 2].orientation);
    return reached;
}

/* Rounding: a foot the IK put on the floor is not a foot below it. */
#define KN_BODY_FLOOR_SLACK_M 1e-4f

static float lowest_foot_point(const kn_pose j[KN_JOINT_COUNT], int foot)
{
    return fminf(j[foot].position[1], j[foot + 1].position[1]);
}

bool kn_body_place_foot(const kn_skeleton *skeleton, int side, const float target[3],
                        kn_body_hinges *hinges, kn_pose joints[KN_JOINT_COUNT])
{
    int thigh = side == KN_SIDE_LEFT ? KN_JOINT_LEFT_THIGH : KN_JOINT_RIGHT_THIGH;
    int foot = thigh + 2, toes = thigh + 3;
    vec3 bone, forward;
    vec3 bend = {0.0f, 0.0f, -1.0f}; /* knees bend forward */
    kn_quat_rotate(joints[thigh].orientation, bend, forward);
    bool reached = resolve(skeleton, joints, thigh, target, bend, forward,
                           hinges ? &hinges->knee[side] : NULL, hinges ? hinges->step : 0.0f);
    kn_quat_rotate(joints[foot].orientation, skeleton->offsets[toes], bone);
    glm_vec3_add(joints[foot].position, bone, joints[toes].position);
    return reached;
}

float kn_body_keep_feet_above_floor(const kn_skeleton *skeleton, kn_body_hinges *hinges,
                                    kn_pose joints[KN_JOINT_COUNT], bool bent[2])
{
    /* The lowest foot joint rests at the sole's height, not at y = 0. */
    const float sole = kn_feet_sole_height(skeleton);
    for (int side = 0; side < 2; side++) {
        int foot = side == KN_SIDE_LEFT ? KN_JOINT_LEFT_FOOT : KN_JOINT_RIGHT_FOOT;
        float low = lowest_foot_point(joints, foot) - sole;
        bent[side] = low < -KN_BODY_FLOOR_SLACK_M;
        if (!bent[side])
            continue;
        /* Lift the ankle by the depth; foot and toes keep their turn. */
        vec3 target;
        glm_vec3_copy(joints[foot].position, target);
        target[1] -= low;
        kn_body_place_foot(skeleton, side, target, hinges, joints);
    }
    /* What the legs could not take up lifts the body, but not what a knee
     * held back while it settles has yet to take up: the body hangs from
     * the headset, and the engine holds the skeleton's blend until the
     * knee has caught up (kn_body_hinges_settling). */
    float low = INFINITY;
    for (int side = 0; side < 2; side++) {
        int foot = side == KN_SIDE_LEFT ? KN_JOINT_LEFT_FOOT : KN_JOINT_RIGHT_FOOT;
        if (!(hinges && hinges->knee[side].held))
            low = fminf(low, lowest_foot_point(joints, foot));
    }
    low -= sole;
    if (!(low < -KN_BODY_FLOOR_SLACK_M))
        return 0.0f;
    for (int j = 0; j < KN_JOINT_COUNT; j++)
        joints[j].position[1] -= low;
    return -low;
}
