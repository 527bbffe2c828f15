/* The canonical 21-joint skeleton (docs/formats.md, "Joints"): names,
 * parents, rest bone offsets, scaling to a user's height, and forward
 * kinematics.
 *
 * Rest pose: a T-pose facing -Z, arms along -X (left) / +X (right), every
 * joint frame aligned with the world axes. A joint's global orientation is
 * therefore its rotation from the rest pose, and a local rotation is
 * parent^-1 * child (the hips' local rotation is their global one). */
#ifndef KN_SKELETON_H
#define KN_SKELETON_H

#include "core/kn_error.h"
#include "math/kn_math.h"

#define KN_JOINT_COUNT 21

/* Index order of docs/formats.md: every parent comes before its children. */
typedef enum kn_joint {
    KN_JOINT_HIPS = 0,
    KN_JOINT_SPINE,
    KN_JOINT_CHEST,
    KN_JOINT_NECK,
    KN_JOINT_HEAD,
    KN_JOINT_LEFT_COLLAR,
    KN_JOINT_LEFT_UPPER_ARM,
    KN_JOINT_LEFT_FOREARM,
    KN_JOINT_LEFT_HAND,
    KN_JOINT_RIGHT_COLLAR,
    KN_JOINT_RIGHT_UPPER_ARM,
    KN_JOINT_RIGHT_FOREARM,
    KN_JOINT_RIGHT_HAND,
    KN_JOINT_LEFT_THIGH,
    KN_JOINT_LEFT_SHIN,
    KN_JOINT_LEFT_FOOT,
    KN_JOINT_LEFT_TOES,
    KN_JOINT_RIGHT_THIGH,
    KN_JOINT_RIGHT_SHIN,
    KN_JOINT_RIGHT_FOOT,
    KN_JOINT_RIGHT_TOES,
} kn_joint;

/* Standing eye height as a fraction of body height (stature): the usual
 * anthropometric ratio (Drillis & Contini's segment table gives 0.936). */
#define KN_EYE_HEIGHT_PER_BODY_HEIGHT 0.936f

/* Accepted uniform scale factors: a 0.5-3 m tall user on the default. */
#define KN_SKELETON_MIN_SCALE 0.2f
#define KN_SKELETON_MAX_SCALE 3.0f

typedef struct kn_skeleton {
    /* Rest offset of each joint from its parent, in the parent's frame,
     * metres; the hips' is zero. */
    vec3 offsets[KN_JOINT_COUNT];
    /* Head joint height above the floor when standing in the rest pose. */
    float standing_head_height;
} kn_skeleton;

const char *kn_joint_name(int joint); /* "hips", ...; "?" when out of range */
int kn_joint_parent(int joint);       /* -1 for the hips and out of range */

/* The mean adult skeleton of the training data (skeleton_default.c). */
void kn_skeleton_default(kn_skeleton *out);
/* Its standing head height alone: what a skeleton's scale is measured against. */
float kn_skeleton_default_head_height(void);

/* Every offset and the standing head height times factor. */
kn_status kn_skeleton_scaled(const kn_skeleton *in, float factor, kn_skeleton *out, kn_error *err);
/* base scaled uniformly so that standing, the head device (eye centre, a
 * fixed KN_EYE_OFFSET above the head joint) is at eye_height_m. */
kn_status kn_skeleton_for_eye_height(const kn_skeleton *base, float eye_height_m, kn_skeleton *out,
                                     kn_error *err);
/* The same from body height (stature) via KN_EYE_HEIGHT_PER_BODY_HEIGHT. */
kn_status kn_skeleton_for_body_height(const kn_skeleton *base, float body_height_m,
                                      kn_skeleton *out, kn_error *err);
float kn_skeleton_eye_height(const kn_skeleton *s);
float kn_skeleton_body_height(const kn_skeleton *s);

float kn_skeleton_bone_length(const kn_skeleton *s, int joint); /* 0 for the hips */
/* Rest-pose joint positions with the hips at the origin. */
void kn_skeleton_rest_positions(const kn_skeleton *s, vec3 out[KN_JOINT_COUNT]);
/* Height of the floor under the rest pose with the hips at the origin
 * (negative): the head joint's rest height minus the standing head height. */
float kn_skeleton_rest_floor(const kn_skeleton *s);

/* Forward kinematics: global rotation G_j = G_parent * local_j, position
 * p_j = p_parent + G_parent * offset_j, from the hips at root_position.
 * local holds KN_JOINT_COUNT quaternions (x, y, z, w) back to back (a flat
 * array: const arrays of arrays do not convert in ISO C). */
void kn_skeleton_fk(const kn_skeleton *s, const float *local, const float root_position[3],
                    kn_pose out[KN_JOINT_COUNT]);
/* Local rotations (flat, as above) of global joint orientations:
 * local_j = G_parent^-1 * G_j, the hips' their global one. */
void kn_skeleton_local_from_global(const kn_pose global[KN_JOINT_COUNT], float *local);

#endif
