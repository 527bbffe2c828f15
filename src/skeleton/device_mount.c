/* Head device <-> head joint, grip pose <-> hand joint. */
#include "skeleton/kn_device_mount.h"

/* Grip rotation in the hand frame: left -90 degrees about Z, right +90
 * (grip X = -Y_hand / +Y_hand, grip Z = hand Z; docs/data.md). */
#define S45 0.70710678f

void kn_eye_mount(kn_pose *out)
{
    *out = (kn_pose){{0.0f, 0.0f, 0.0f, 1.0f}, {KN_EYE_OFFSET_X, KN_EYE_OFFSET_Y, KN_EYE_OFFSET_Z}};
}

void kn_grip_mount(kn_side side, kn_pose *out)
{
    /* 7 cm from the wrist along the fingers, 2 cm to the palm side. */
    if (side == KN_SIDE_LEFT)
        *out = (kn_pose){{0.0f, 0.0f, -S45, S45}, {-0.07f, -0.02f, 0.0f}};
    else
        *out = (kn_pose){{0.0f, 0.0f, S45, S45}, {0.07f, -0.02f, 0.0f}};
}

static void attach(const kn_pose *joint, const kn_pose *mount, kn_pose *device)
{
    kn_pose_compose(joint, mount, device);
}

static void detach(const kn_pose *device, const kn_pose *mount, kn_pose *joint)
{
    kn_pose inv;
    kn_pose_inverse(mount, &inv);
    kn_pose_compose(device, &inv, joint);
}

void kn_head_joint_from_device(const kn_pose *head_device, kn_pose *head_joint)
{
    kn_pose m;
    kn_eye_mount(&m);
    detach(head_device, &m, head_joint);
}

void kn_head_device_from_joint(const kn_pose *head_joint, kn_pose *head_device)
{
    kn_pose m;
    kn_eye_mount(&m);
    attach(head_joint, &m, head_device);
}

void kn_hand_from_grip(kn_side side, const kn_pose *grip, kn_pose *hand)
{
    kn_pose m;
    kn_grip_mount(side, &m);
    detach(grip, &m, hand);
}

void kn_grip_from_hand(kn_side side, const kn_pose *hand, kn_pose *grip)
{
    kn_pose m;
    kn_grip_mount(side, &m);
    attach(hand, &m, grip);
}
