/* Where the headset and the controllers sit on the canonical skeleton
 * (docs/data.md, "Device signals"): the head device (OpenXR VIEW pose) is
 * the eye centre, KN_EYE_OFFSET in the head joint's frame, with the head
 * joint's orientation; a grip pose is the hand joint (wrist) moved by the
 * side's grip offset and turned by the side's grip rotation. The numbers
 * are the ones the training data was synthesised with. */
#ifndef KN_DEVICE_MOUNT_H
#define KN_DEVICE_MOUNT_H

#include "math/kn_math.h"

/* Eye centre in the head joint's frame: 8 cm up, 8 cm forward. */
#define KN_EYE_OFFSET_X 0.0f
#define KN_EYE_OFFSET_Y 0.08f
#define KN_EYE_OFFSET_Z (-0.08f)

typedef enum kn_side { KN_SIDE_LEFT = 0, KN_SIDE_RIGHT = 1 } kn_side;

/* The mounts as poses in the joint's frame: device = joint * mount. */
void kn_eye_mount(kn_pose *out);
void kn_grip_mount(kn_side side, kn_pose *out);

void kn_head_joint_from_device(const kn_pose *head_device, kn_pose *head_joint);
void kn_head_device_from_joint(const kn_pose *head_joint, kn_pose *head_device);
void kn_hand_from_grip(kn_side side, const kn_pose *grip, kn_pose *hand);
void kn_grip_from_hand(kn_side side, const kn_pose *hand, kn_pose *grip);

#endif
