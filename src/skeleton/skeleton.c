/* Joint names and parents, bone lengths, the rest pose and height scaling. */
#include "skeleton/kn_skeleton.h"

#include "skeleton/kn_device_mount.h"

#include <math.h>
#include <string.h>

static const char *const names[KN_JOINT_COUNT] = {
    "hips",       "spine",        "chest",           "neck",
    "head",       "left_collar",  "left_upper_arm",  "left_forearm",
    "left_hand",  "right_collar", "right_upper_arm", "right_forearm",
    "right_hand", "left_thigh",   "left_shin",       "left_foot",
    "left_toes",  "right_thigh",  "right_shin",      "right_foot",
    "right_toes",
};

static const int parents[KN_JOINT_COUNT] = {-1, 0,  1, 2,  3,  2,  5, 6,  7,  2, 9,
                                            10, 11, 0, 13, 14, 15, 0, 17, 18, 19};

const char *kn_joint_name(int joint)
{
    return joint >= 0 && joint < KN_JOINT_COUNT ? names[joint] : "?";
}

int kn_joint_parent(int joint)
{
    return joint >= 0 && joint < KN_JOINT_COUNT ? parents[joint] : -1;
}

kn_status kn_skeleton_scaled(const kn_skeleton *in, float factor, kn_skeleton *out, kn_error *err)
{
    if (!(factor >= KN_SKELETON_MIN_SCALE && factor <= KN_SKELETON_MAX_SCALE))
        return kn_fail(err, KN_ERROR_INVALID_ARGUMENT, "skeleton scale %g is outside [%g, %g]",
                       (double)factor, (double)KN_SKELETON_MIN_SCALE,
                       (double)KN_SKELETON_MAX_SCALE);
    kn_skeleton s;
    for (int j = 0; j < KN_JOINT_COUNT; j++)
        glm_vec3_scale((float *)in->offsets[j], factor, s.offsets[j]);
    s.standing_head_height = in->standing_head_height * factor;
    *out = s;
    return KN_OK;
}

float kn_skeleton_eye_height(const kn_skeleton *s)
{
    return s->standing_head_height + KN_EYE_OFFSET_Y;
}

float kn_skeleton_body_height(const kn_skeleton *s)
{
    return kn_skeleton_eye_height(s) / KN_EYE_HEIGHT_PER_BODY_HEIGHT;
}

kn_status kn_skeleton_for_eye_height(const kn_skeleton *base, float eye_height_m, kn_skeleton *out,
                                     kn_error *err)
{
    if (!isfinite(eye_height_m) || !(base->standing_head_height > 0.0f))
        return kn_fail(err, KN_ERROR_INVALID_ARGUMENT, "eye height %g m is not usable",
                       (double)eye_height_m);
    /* The eye offset is a property of the headset on a head, not of body
     * size: the data synthesises it the same for every actor. */
    float factor = (eye_height_m - KN_EYE_OFFSET_Y) / base->standing_head_height;
    return kn_skeleton_scaled(base, factor, out, err);
}

kn_status kn_skeleton_for_body_height(const kn_skeleton *base, float body_height_m,
                                      kn_skeleton *out, kn_error *err)
{
    return kn_skeleton_for_eye_height(base, body_height_m * KN_EYE_HEIGHT_PER_BODY_HEIGHT, out,
                                      err);
}

float kn_skeleton_bone_length(const kn_skeleton *s, int joint)
{
    if (joint <= 0 || joint >= KN_JOINT_COUNT)
        return 0.0f;
    return glm_vec3_norm((float *)s->offsets[joint]);
}

void kn_skeleton_rest_positions(const kn_skeleton *s, vec3 out[KN_JOINT_COUNT])
{
    glm_vec3_zero(out[0]);
    for (int j = 1; j < KN_JOINT_COUNT; j++)
        glm_vec3_add(out[parents[j]], (float *)s->offsets[j], out[j]);
}

float kn_skeleton_rest_floor(const kn_skeleton *s)
{
    vec3 rest[KN_JOINT_COUNT];
    kn_skeleton_rest_positions(s, rest);
    return rest[KN_JOINT_HEAD][1] - s->standing_head_height;
}
