/* Rigid-body math for kinest: poses, rotations in the representations the
 * model and OpenXR use, and the conversions between them. Built on cglm.
 *
 * Conventions (OpenXR's): right-handed, +Y up, -Z forward, metres;
 * quaternions are (x, y, z, w) as cglm's versor; mat3 is cglm's column-major
 * matrix, m[c][r]. The 6D rotation is the first two COLUMNS of R,
 * (R[:,0], R[:,1]), as in KineST.
 *
 * Bad input never turns into NaN: every function that reads a quaternion or
 * a pose sanitises it first (kn_quat_sanitize, kn_pose_sanitize), so a
 * non-unit quaternion acts as its normalisation and a zero, tiny or
 * non-finite one acts as the identity. Non-finite positions act as zero and
 * positions are clamped to +-KN_POSITION_LIMIT, which keeps sums finite. */
#ifndef KN_MATH_H
#define KN_MATH_H

#include <cglm/cglm.h>
#include <stdbool.h>

/* Positions beyond a kilometre are tracking garbage, not a room. */
#define KN_POSITION_LIMIT 1000.0f
/* Quaternions shorter than this carry no usable direction. */
#define KN_QUAT_MIN_NORM 1e-6f
/* |norm - 1| below this counts as unit. */
#define KN_QUAT_UNIT_TOLERANCE 1e-4f

typedef struct kn_pose {
    versor orientation;
    vec3 position;
} kn_pose;

typedef enum kn_quat_status {
    KN_QUAT_OK = 0,           /* already unit length: copied unchanged */
    KN_QUAT_RENORMALIZED = 1, /* non-unit: scaled to unit length */
    KN_QUAT_REPLACED = 2,     /* zero, tiny or non-finite: replaced by the identity */
} kn_quat_status;

/* Quaternions */
kn_quat_status kn_quat_sanitize(const float q[4], versor out);
void kn_quat_mul(const float a[4], const float b[4], versor out);
void kn_quat_rotate(const float q[4], const float v[3], vec3 out);
/* Shortest-path spherical interpolation; t outside [0,1] extrapolates,
 * a non-finite t acts as 0. */
void kn_quat_slerp(const float a[4], const float b[4], float t, versor out);
/* The shortest rotation taking direction `from` onto direction `to` (any
 * lengths). Opposite directions give a half turn about an axis
 * perpendicular to `from`; a zero or non-finite vector gives the identity. */
void kn_quat_from_two_vectors(const float from[3], const float to[3], versor out);
/* Angle of the rotation a^-1 b in radians, in [0, pi]. */
float kn_quat_angle_between(const float a[4], const float b[4]);

/* Rotation representations */
void kn_quat_to_mat3(const float q[4], mat3 out);
/* `m` should be a rotation; it is re-orthonormalised through its 6D first,
 * so a slightly drifted matrix still gives a unit quaternion (w >= 0). */
void kn_mat3_to_quat(mat3 m, versor out);
void kn_mat3_to_6d(mat3 m, float out[6]);
/* Gram-Schmidt: b1 = normalize(a1), b2 = normalize(a2 - (b1.a2) b1),
 * b3 = b1 x b2. A zero or non-finite a1 gives the identity; an a2 that is
 * zero, non-finite or parallel to a1 is replaced by a fixed vector
 * perpendicular to b1. Returns false when either replacement happened. */
bool kn_6d_to_mat3(const float d6[6], mat3 out);
void kn_quat_to_6d(const float q[4], float out[6]);
bool kn_6d_to_quat(const float d6[6], versor out);

/* Positions: non-finite components become 0, the rest are clamped to
 * +-KN_POSITION_LIMIT. Returns false when anything was changed. */
bool kn_vec3_sanitize(const float in[3], vec3 out);

/* Poses: a pose maps points from its local frame into its parent's. */
bool kn_pose_sanitize(const kn_pose *in, kn_pose *out);
/* Whether the n numbers are all finite. */
bool kn_floats_finite(const float *v, int n);
/* Whether an orientation (x, y, z, w) and a position are all finite; apart
 * so that the library's kinest_pose and the engine's kn_pose share it. */
bool kn_pose_finite(const float orientation[4], const float position[3]);
void kn_pose_identity(kn_pose *out);
/* out = a * b: first b, then a (b expressed in a's frame). */
void kn_pose_compose(const kn_pose *a, const kn_pose *b, kn_pose *out);
void kn_pose_inverse(const kn_pose *p, kn_pose *out);
void kn_pose_transform_point(const kn_pose *p, const float v[3], vec3 out);

#endif
