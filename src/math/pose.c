/* Rigid poses: orientation + position, composed like OpenXR's XrPosef. */
#include "math/kn_math.h"

#include <math.h>

bool kn_vec3_sanitize(const float in[3], vec3 out)
{
    bool clean = true;
    for (int i = 0; i < 3; i++) {
        float v = in[i];
        if (!isfinite(v)) {
            v = 0.0f;
            clean = false;
        } else if (fabsf(v) > KN_POSITION_LIMIT) {
            v = copysignf(KN_POSITION_LIMIT, v);
            clean = false;
        }
        out[i] = v;
    }
    return clean;
}

bool kn_floats_finite(const float *v, int n)
{
    for (int i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return false;
    return true;
}

bool kn_pose_finite(const float orientation[4], const float position[3])
{
    return kn_floats_finite(orientation, 4) && kn_floats_finite(position, 3);
}

bool kn_pose_sanitize(const kn_pose *in, kn_pose *out)
{
    bool orientation_ok = kn_quat_sanitize(in->orientation, out->orientation) != KN_QUAT_REPLACED;
    bool position_ok = kn_vec3_sanitize(in->position, out->position);
    return orientation_ok && position_ok;
}

void kn_pose_identity(kn_pose *out)
{
    glm_quat_identity(out->orientation);
    glm_vec3_zero(out->position);
}

void kn_pose_compose(const kn_pose *a, const kn_pose *b, kn_pose *out)
{
    kn_pose sa, sb;
    vec3 moved;
    kn_pose_sanitize(a, &sa);
    kn_pose_sanitize(b, &sb);
    glm_quat_rotatev(sa.orientation, sb.position, moved);
    glm_vec3_add(sa.position, moved, out->position);
    glm_quat_mul(sa.orientation, sb.orientation, out->orientation);
    glm_quat_normalize(out->orientation);
}

void kn_pose_inverse(const kn_pose *p, kn_pose *out)
{
    kn_pose s;
    vec3 back;
    kn_pose_sanitize(p, &s);
    glm_quat_conjugate(s.orientation, out->orientation);
    glm_quat_rotatev(out->orientation, s.position, back);
    glm_vec3_negate_to(back, out->position);
}

void kn_pose_transform_point(const kn_pose *p, const float v[3], vec3 out)
{
    kn_pose s;
    vec3 moved;
    kn_pose_sanitize(p, &s);
    kn_quat_rotate(s.orientation, v, moved);
    glm_vec3_add(s.position, moved, out);
}
