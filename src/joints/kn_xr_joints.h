/* The canonical 21 joints (+ the grip poses) as the joint sets that
 * XR_FB_body_tracking (70 joints) and XR_META_body_tracking_full_body (84:
 * the same 70, then the legs) report, and the T-pose skeleton that
 * xrGetBodySkeletonFB returns. Indices and names are the extensions'
 * (reference/openxr-body-tracking.md, sections 1-2); OpenXR itself is not
 * included: src/ knows nothing of it.
 *
 * Where the extra joints come from:
 *   ROOT            the hips' floor projection, facing the hips' heading
 *   HIPS, SPINE_MIDDLE, CHEST, NECK, HEAD    canonical hips, spine, chest, neck, head
 *   SPINE_LOWER     half way hips -> spine;  SPINE_UPPER: half way spine -> chest
 *   SHOULDER        canonical collar (the clavicle's inner end); SCAPULA: half way
 *                   collar -> upper arm; ARM_UPPER, ARM_LOWER: upper arm, forearm
 *   WRIST_TWIST     3/4 of the way elbow -> wrist, turned by half the hand's twist
 *                   about the forearm
 *   HAND_WRIST      the canonical hand joint (the wrist pivot), oriented by the
 *                   grip pose when one is given (else by the canonical hand)
 *   PALM, fingers   a relaxed hand (kn_hand_relaxed) on the wrist; the palm at the
 *                   centre of the middle finger's metacarpal
 *   UPPER_LEG, LOWER_LEG    canonical thigh (hip joint), shin (knee)
 *   ANKLE_TWIST     3/4 of the way knee -> ankle, half the foot's twist about the shin
 *   ANKLE, BALL     canonical foot (ankle), toes (ball of the foot);
 *                   SUBTALAR, TRANSVERSE at 1/4 and 3/5 of the way ankle -> ball
 * Every joint other than ROOT sits at a fixed point of one rigid canonical
 * segment, so every bone of the output keeps the T-pose skeleton's length.
 *
 * Joint axes. Hand and finger joints follow the extension: +Z points
 * backward along the bone (away from the fingertip), +Y out of the back of
 * the hand or nail. Body joints follow the same rule, extended to the whole
 * body so that one convention holds for all 84 joints and the arm's frames
 * run on into the wrist's without a turn: +Z backward along the bone (from
 * the child toward the joint, i.e. toward the trunk), +Y out of the dorsal
 * side: the back for the trunk, head and legs, the back of the hand (up in
 * the T-pose, palms down) for the arms, the top of the foot for the feet,
 * whose "bone" is the sole's long axis (heel to toe). In T-pose world axes:
 *   trunk, neck, head   X right, Y back (+Z), Z down        Rx(+90)
 *   left arm            X forward (-Z), Y up, Z right (+X)  Ry(+90)
 *   right arm           X back (+Z), Y up, Z left (-X)      Ry(-90)
 *   legs                X left (-X), Y back (+Z), Z up      180 about (0,1,1)
 *   feet                X right, Y up, Z back               identity
 *   root                X right, Y up, Z back (an OpenXR space facing the body's way)
 * Each is a fixed rotation from the canonical segment's frame (kept in one
 * table, kn_xr_joint_axes), so a joint's orientation is G_segment * C_class
 * both in the T-pose skeleton and in every posed frame; apps that retarget
 * through the T-pose (Unity's and Unreal's Meta plugins) get the motion
 * whatever the convention. */
#ifndef KN_XR_JOINTS_H
#define KN_XR_JOINTS_H

#include "skeleton/kn_device_mount.h"
#include "skeleton/kn_skeleton.h"

#include <stdbool.h>

#define KN_XR_JOINT_COUNT_FB        70
#define KN_XR_JOINT_COUNT_FULL_BODY 84
#define KN_XR_JOINT_NONE            (-1) /* the root's parent */

typedef enum kn_xr_joint {
    KN_XR_ROOT = 0,
    KN_XR_HIPS = 1,
    KN_XR_SPINE_LOWER = 2,
    KN_XR_SPINE_MIDDLE = 3,
    KN_XR_SPINE_UPPER = 4,
    KN_XR_CHEST = 5,
    KN_XR_NECK = 6,
    KN_XR_HEAD = 7,
    KN_XR_LEFT_SHOULDER = 8,
    KN_XR_LEFT_SCAPULA = 9,
    KN_XR_LEFT_ARM_UPPER = 10,
    KN_XR_LEFT_ARM_LOWER = 11,
    KN_XR_LEFT_HAND_WRIST_TWIST = 12,
    KN_XR_RIGHT_SHOULDER = 13,
    KN_XR_RIGHT_SCAPULA = 14,
    KN_XR_RIGHT_ARM_UPPER = 15,
    KN_XR_RIGHT_ARM_LOWER = 16,
    KN_XR_RIGHT_HAND_WRIST_TWIST = 17,
    KN_XR_LEFT_HAND_PALM = 18,
    KN_XR_LEFT_HAND_WRIST = 19,
    KN_XR_LEFT_HAND_THUMB_METACARPAL = 20, /* then PROXIMAL, DISTAL, TIP */
    KN_XR_LEFT_HAND_INDEX_METACARPAL = 24, /* then PROXIMAL, INTERMEDIATE, DISTAL, TIP */
    KN_XR_LEFT_HAND_MIDDLE_METACARPAL = 29,
    KN_XR_LEFT_HAND_RING_METACARPAL = 34,
    KN_XR_LEFT_HAND_LITTLE_METACARPAL = 39,
    KN_XR_RIGHT_HAND_PALM = 44,
    KN_XR_RIGHT_HAND_WRIST = 45,
    KN_XR_RIGHT_HAND_THUMB_METACARPAL = 46,
    KN_XR_RIGHT_HAND_INDEX_METACARPAL = 50,
    KN_XR_RIGHT_HAND_MIDDLE_METACARPAL = 55,
    KN_XR_RIGHT_HAND_RING_METACARPAL = 60,
    KN_XR_RIGHT_HAND_LITTLE_METACARPAL = 65,
    KN_XR_LEFT_UPPER_LEG = 70,
    KN_XR_LEFT_LOWER_LEG = 71,
    KN_XR_LEFT_FOOT_ANKLE_TWIST = 72,
    KN_XR_LEFT_FOOT_ANKLE = 73,
    KN_XR_LEFT_FOOT_SUBTALAR = 74,
    KN_XR_LEFT_FOOT_TRANSVERSE = 75,
    KN_XR_LEFT_FOOT_BALL = 76,
    KN_XR_RIGHT_UPPER_LEG = 77,
    KN_XR_RIGHT_LOWER_LEG = 78,
    KN_XR_RIGHT_FOOT_ANKLE_TWIST = 79,
    KN_XR_RIGHT_FOOT_ANKLE = 80,
    KN_XR_RIGHT_FOOT_SUBTALAR = 81,
    KN_XR_RIGHT_FOOT_TRANSVERSE = 82,
    KN_XR_RIGHT_FOOT_BALL = 83,
} kn_xr_joint;

/* XR_BD_body_tracking (XrBodyJointBD, SMPL's order): 24 joints; the set
 * without arms is its first 16 (PELVIS to HEAD). XR_HTC_body_tracking
 * (XrBodyJointHTC): 26. Both extensions define no joint axes; each joint
 * here has the body's axes in the T-pose (X right, Y up, Z back: SMPL's
 * rest frames), so a joint's orientation is its canonical segment's. The
 * root of both is the PELVIS at the hips (no floor joint).
 *   BD   PELVIS hips, HIP thigh, KNEE shin, ANKLE foot, FOOT toes,
 *        SPINE1 half way hips -> spine, SPINE2 spine, SPINE3 chest, NECK,
 *        HEAD, COLLAR collar, SHOULDER upper arm, ELBOW forearm, WRIST the
 *        hand's wrist (as HAND_WRIST above), HAND the palm (as HAND_PALM)
 *   HTC  PELVIS hips, HIP, KNEE, ANKLE, FEET as BD's HIP..FOOT, WAIST and
 *        SPINE_LOWER at 1/3 and 2/3 of the way hips -> spine, SPINE_MIDDLE
 *        spine, SPINE_HIGH half way spine -> chest, CHEST, NECK, HEAD,
 *        CLAVICLE collar, SCAPULA half way collar -> upper arm, ARM upper
 *        arm, ELBOW forearm, WRIST as BD's */
#define KN_BD_JOINT_COUNT             24
#define KN_BD_WITHOUT_ARM_JOINT_COUNT 16
#define KN_HTC_JOINT_COUNT            26

/* Joints of one hand, in the extension's order from its palm. */
#define KN_HAND_JOINT_COUNT 26
enum {
    KN_HAND_PALM = 0,
    KN_HAND_WRIST = 1,
    KN_HAND_THUMB = 2, /* metacarpal, proximal, distal, tip */
    KN_HAND_INDEX = 6, /* metacarpal, proximal, intermediate, distal, tip */
    KN_HAND_MIDDLE = 11,
    KN_HAND_RING = 16,
    KN_HAND_LITTLE = 21,
};

/* Height of the person the relaxed hand's sizes are for; it scales with
 * the skeleton's body height. */
#define KN_HAND_REFERENCE_BODY_HEIGHT 1.75f

const char *kn_xr_joint_name(int joint); /* e.g. "LEFT_HAND_PALM"; "?" out of range */
int kn_xr_joint_parent(int joint);       /* KN_XR_JOINT_NONE for the root */
/* The fixed rotation from the canonical segment frame to the joint's
 * frame (the table above); for finger joints, the wrist's. */
void kn_xr_joint_axes(int joint, versor out);

/* ---- joint sets by kinest_joint_set id (joint_sets.c) */

#define KN_JOINT_SET_MAX_COUNT 84 /* the largest set's joints */

/* The joint of the set placed at canonical joint c (its position and its
 * canonical segment's orientation times kn_joints_axes), or -1. */
int kn_joints_at_canonical(int set, int c);
/* The fixed rotation from the canonical segment frame to the joint's
 * frame (identity for the canonical set). */
void kn_joints_axes(int set, int joint, versor out);

uint32_t kn_joints_count(int set);              /* 0 for an unknown set */
const char *kn_joints_name(int set, int joint); /* "?" out of range */
int kn_joints_parent(int set, int joint);       /* -1 for the root and out of range */
/* The canonical joint a device places this joint from (the head, the
 * wrists and palms follow the head and grips), or -1. */
int kn_joints_followed(int set, int joint);
/* The set's joints (kn_joints_count of them) from global canonical joints;
 * a grip that is not NULL orients its hand. False for an unknown set. */
bool kn_joints_from_canonical(int set, const kn_skeleton *s,
                              const kn_pose canonical[KN_JOINT_COUNT], const kn_pose *left_grip,
                              const kn_pose *right_grip, kn_pose *out);
/* The set's T-pose skeleton: the canonical rest pose standing on the floor
 * (the head joint at the standing head height), mapped as the posed joints. */
bool kn_joints_tpose(int set, const kn_skeleton *s, kn_pose *out);

/* ---- the full-body (84) table directly */

/* A relaxed hand in its wrist joint's frame (the wrist at the origin with
 * the identity), for a person of body_height metres. */
void kn_hand_relaxed(kn_side side, float body_height, kn_pose out[KN_HAND_JOINT_COUNT]);

/* All KN_XR_JOINT_COUNT_FULL_BODY joints (the FB set is the first 70) from
 * global canonical joints; a grip that is not NULL orients its hand. */
void kn_xr_joints_from_canonical(const kn_skeleton *s, const kn_pose canonical[KN_JOINT_COUNT],
                                 const kn_pose *left_grip, const kn_pose *right_grip,
                                 kn_pose out[KN_XR_JOINT_COUNT_FULL_BODY]);
/* The T-pose skeleton for xrGetBodySkeletonFB: the canonical rest pose
 * standing on the floor (the head joint at the standing head height), the
 * root at the origin facing -Z; the same mapping as the posed joints. */
void kn_xr_joints_tpose(const kn_skeleton *s, kn_pose out[KN_XR_JOINT_COUNT_FULL_BODY]);

#endif
