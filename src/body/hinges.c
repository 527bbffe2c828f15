/* The knees' and elbows' bends between ticks (kn_body_hinges): armed by a
 * new skeleton, kept from what each tick showed. */
#include "body/kn_body.h"

#include "skeleton/kn_device_mount.h"

#include <string.h>

void kn_body_hinges_reset(kn_body_hinges *hinges)
{
    memset(hinges, 0, sizeof *hinges);
}

void kn_body_hinges_settle(kn_body_hinges *hinges, const kn_skeleton *skeleton)
{
    hinges->step =
        KN_BODY_BEND_STEP_M * skeleton->standing_head_height / kn_skeleton_default_head_height();
    for (int side = 0; side < 2; side++) {
        hinges->elbow[side].shown.settling = true;
        hinges->knee[side].shown.settling = true;
    }
}

static bool held_back(const kn_body_hinge *h)
{
    return h->shown.known && h->shown.settling;
}

bool kn_body_hinges_settling(const kn_body_hinges *hinges)
{
    return held_back(&hinges->elbow[0]) || held_back(&hinges->elbow[1]) ||
           held_back(&hinges->knee[0]) || held_back(&hinges->knee[1]);
}

static void shown(kn_body_hinge *h, const kn_pose joints[KN_JOINT_COUNT], int upper)
{
    if (joints && h->solved) {
        h->shown.bend = h->bend;
    } else if (joints) {
        vec3 off;
        kn_two_bone_offset(joints[upper].position, joints[upper + 1].position,
                           joints[upper + 2].position, off);
        h->shown.bend = glm_vec3_norm(off);
    }
    h->shown.known = joints != NULL;
    /* Settled once a tick's solves needed no bound (or none ran). */
    h->shown.settling = h->shown.settling && h->held;
    h->held = h->solved = false;
}

void kn_body_hinges_shown(kn_body_hinges *hinges, const kn_pose joints[KN_JOINT_COUNT])
{
    if (!hinges)
        return;
    shown(&hinges->elbow[KN_SIDE_LEFT], joints, KN_JOINT_LEFT_UPPER_ARM);
    shown(&hinges->elbow[KN_SIDE_RIGHT], joints, KN_JOINT_RIGHT_UPPER_ARM);
    shown(&hinges->knee[KN_SIDE_LEFT], joints, KN_JOINT_LEFT_THIGH);
    shown(&hinges->knee[KN_SIDE_RIGHT], joints, KN_JOINT_RIGHT_THIGH);
}
