/* The IK's parts, shared by its files only. g is the body being built:
 * global joint poses, filled root to leaves. */
#ifndef KN_IK_PARTS_H
#define KN_IK_PARTS_H

#include "ik/kn_ik.h"

/* g[j].position from its parent's pose and the rest offset. */
void ik_place(const kn_skeleton *s, kn_pose g[KN_JOINT_COUNT], int joint);
/* yaw * (rotation about the yaw frame's +X by angle). */
void ik_yaw_pitch(const versor yaw, float angle, versor out);

/* Hips to head, hung from the head joint. */
void ik_spine(const kn_ik *ik, const kn_pose *head_joint, const versor yaw,
              kn_pose g[KN_JOINT_COUNT]);
/* Collar to hand; grip NULL: the arm hangs. Returns whether the wrist
 * reached its target. */
bool ik_arm(kn_ik *ik, kn_side side, const kn_pose *grip, const versor yaw,
            kn_pose g[KN_JOINT_COUNT]);
/* Thighs to toes, stepping the planted feet; dt in seconds since the last
 * tick, body_yaw the heading in radians. */
void ik_legs(kn_ik *ik, float dt, float body_yaw, kn_pose g[KN_JOINT_COUNT]);

#endif
