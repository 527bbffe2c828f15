/* Quaternions, rotation matrices and the 6D representation. */
#include "math/kn_math.h"

#include <math.h>

static bool all_finite(const float *v, int n)
{
    for (int i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return false;
    return true;
}

kn_quat_status kn_quat_sanitize(const float q[4], versor out)
{
    if (!all_finite(q, 4)) {
        glm_quat_identity(out);
        return KN_QUAT_REPLACED;
    }
    /* Norm in double: squares of large finite floats overflow float. */
    double n2 =
        (double)q[0] * q[0] + (double)q[1] * q[1] + (double)q[2] * q[2] + (double)q[3] * q[3];
    double n = sqrt(n2);
    if (!(n >= KN_QUAT_MIN_NORM) || !isfinite(n)) {
        glm_quat_identity(out);
        return KN_QUAT_REPLACED;
    }
    if (fabs(n - 1.0) <= KN_QUAT_UNIT_TOLERANCE) {
        glm_vec4_copy((float *)q, out);
        return KN_QUAT_OK;
    }
    for (int i = 0; i < 4; i++)
        out[i] = (float)(q[i] / n);
    return KN_QUAT_RENORMALIZED;
}

void kn_quat_mul(const float a[4], const float b[4], versor out)
{
    versor qa, qb;
    kn_quat_sanitize(a, qa);
    kn_quat_sanitize(b, qb);
    glm_quat_mul(qa, qb, out);
    glm_quat_normalize(out);
}

void kn_quat_rotate(const float q[4], const float v[3], vec3 out)
{
    versor qs;
    vec3 vs;
    kn_quat_sanitize(q, qs);
    kn_vec3_sanitize(v, vs);
    glm_quat_rotatev(qs, vs, out);
}

void kn_quat_slerp(const float a[4], const float b[4], float t, versor out)
{
    versor qa, qb;
    kn_quat_sanitize(a, qa);
    kn_quat_sanitize(b, qb);
    if (!isfinite(t))
        t = 0.0f;
    /* Take the short way round here: cglm's near-parallel fallback lerps the
     * un-negated inputs, which for b ~ -a passes through zero. */
    float d = glm_quat_dot(qa, qb);
    if (d < 0.0f) {
        glm_vec4_negate(qb);
        d = -d;
    }
    if (d > 1.0f - 1e-4f) {
        /* Nearly equal: cglm returns `a` once the dot rounds to 1, whatever
         * t is; a normalised lerp is exact to float precision here. */
        glm_quat_lerp(qa, qb, t, out);
    } else {
        glm_quat_slerp(qa, qb, t, out);
    }
    kn_quat_sanitize(out, out);
}

void kn_quat_from_two_vectors(const float from[3], const float to[3], versor out)
{
    vec3 a, b;
    if (!all_finite(from, 3) || !all_finite(to, 3)) {
        glm_quat_identity(out);
        return;
    }
    glm_vec3_copy((float *)from, a);
    glm_vec3_copy((float *)to, b);
    float na = glm_vec3_norm(a), nb = glm_vec3_norm(b);
    if (!(na > KN_QUAT_MIN_NORM) || !(nb > KN_QUAT_MIN_NORM) || !isfinite(na) || !isfinite(nb)) {
        glm_quat_identity(out);
        return;
    }
    glm_vec3_scale(a, 1.0f / na, a);
    glm_vec3_scale(b, 1.0f / nb, b);
    glm_quat_from_vecs(a, b, out);
    kn_quat_sanitize(out, out);
}

float kn_quat_angle_between(const float a[4], const float b[4])
{
    versor qa, qb;
    kn_quat_sanitize(a, qa);
    kn_quat_sanitize(b, qb);
    /* atan2 of the relative rotation keeps precision near 0, where acos of
     * the dot product loses it. */
    versor inv, rel;
    glm_quat_conjugate(qa, inv);
    glm_quat_mul(inv, qb, rel);
    return 2.0f * atan2f(glm_vec3_norm(rel), fabsf(rel[3]));
}

void kn_quat_to_mat3(const float q[4], mat3 out)
{
    versor qs;
    kn_quat_sanitize(q, qs);
    glm_quat_mat3(qs, out);
}

void kn_mat3_to_6d(mat3 m, float out[6])
{
    for (int r = 0; r < 3; r++) {
        out[r] = m[0][r];
        out[3 + r] = m[1][r];
    }
}

bool kn_6d_to_mat3(const float d6[6], mat3 out)
{
    vec3 a1, a2, b1, b2, b3;
    bool clean = true;

    if (!all_finite(d6, 3) || !(glm_vec3_norm((float *)d6) > KN_QUAT_MIN_NORM)) {
        glm_mat3_identity(out);
        return false;
    }
    glm_vec3_copy((float *)d6, a1);
    glm_vec3_normalize_to(a1, b1);

    if (all_finite(d6 + 3, 3)) {
        glm_vec3_copy((float *)d6 + 3, a2);
    } else {
        glm_vec3_zero(a2);
    }
    glm_vec3_copy(a2, b2);
    glm_vec3_muladds(b1, -glm_vec3_dot(b1, a2), b2);
    float n2 = glm_vec3_norm(b2);
    if (!(n2 > 1e-6f * fmaxf(1.0f, glm_vec3_norm(a2)))) {
        /* a2 carries no direction off b1: pick one, deterministically. */
        glm_vec3_ortho(b1, b2);
        n2 = glm_vec3_norm(b2);
        clean = false;
    }
    glm_vec3_scale(b2, 1.0f / n2, b2);
    glm_vec3_cross(b1, b2, b3);

    glm_vec3_copy(b1, out[0]);
    glm_vec3_copy(b2, out[1]);
    glm_vec3_copy(b3, out[2]);
    return clean;
}

void kn_mat3_to_quat(mat3 m, versor out)
{
    float d6[6];
    mat3 r;
    kn_mat3_to_6d(m, d6);
    kn_6d_to_mat3(d6, r);
    glm_mat3_quat(r, out);
    kn_quat_sanitize(out, out);
    if (out[3] < 0.0f)
        glm_vec4_negate(out);
}

void kn_quat_to_6d(const float q[4], float out[6])
{
    mat3 m;
    kn_quat_to_mat3(q, m);
    kn_mat3_to_6d(m, out);
}

bool kn_6d_to_quat(const float d6[6], versor out)
{
    mat3 m;
    bool clean = kn_6d_to_mat3(d6, m);
    glm_mat3_quat(m, out);
    kn_quat_sanitize(out, out);
    if (out[3] < 0.0f)
        glm_vec4_negate(out);
    return clean;
}
