/* Law of cosines for the middle joint, then each bone's rotation from two
 * frames: (bone direction, bend axis) in the rest pose and in the solution,
 * so the middle joint stays a hinge about the bend axis. */
#include "ik/kn_two_bone.h"

#include <math.h>

/* Orthonormal frame with x along `along` and y along `axis` made
 * perpendicular to it; columns (x, y, x cross y). */
static void frame(const vec3 along, const vec3 axis, mat3 out)
{
    vec3 x, y, z;
    glm_vec3_normalize_to((float *)along, x);
    glm_vec3_copy((float *)axis, y);
    glm_vec3_muladds(x, -glm_vec3_dot(x, y), y);
    if (glm_vec3_norm(y) < 1e-6f)
        glm_vec3_ortho(x, y);
    glm_vec3_normalize(y);
    glm_vec3_cross(x, y, z);
    glm_vec3_copy(x, out[0]);
    glm_vec3_copy(y, out[1]);
    glm_vec3_copy(z, out[2]);
}

/* The rotation taking frame(rest_dir, rest_axis) onto frame(dir, axis). */
static void rotation_between(const vec3 rest_dir, const vec3 rest_axis, const vec3 dir,
                             const vec3 axis, versor out)
{
    mat3 f0, f1, f0t, r;
    frame(rest_dir, rest_axis, f0);
    frame(dir, axis, f1);
    glm_mat3_transpose_to(f0, f0t);
    glm_mat3_mul(f1, f0t, r);
    kn_mat3_to_quat(r, out);
}

/* The bend bounded while it settles; true when it was bounded. */
static bool limit_bend(kn_two_bone_limit *limit, float max_step, float *h)
{
    if (!limit)
        return false;
    bool bounded = false;
    if (limit->known && limit->settling) {
        float lo = limit->bend - max_step, hi = limit->bend + max_step;
        bounded = *h < lo || *h > hi;
        if (bounded)
            *h = fminf(fmaxf(*h, lo), hi);
        else
            limit->settling = false;
    } else {
        limit->settling = false; /* a first solve settles nothing */
    }
    limit->bend = *h;
    limit->known = true;
    return bounded;
}

static void solve(const kn_two_bone_rest *rest, const float root[3], const float target[3],
                  const float pole[3], kn_two_bone_limit *limit, float max_step,
                  kn_two_bone_result *out)
{
    float l1 = glm_vec3_norm((float *)rest->upper), l2 = glm_vec3_norm((float *)rest->lower);
    vec3 to_target, dir, perp, rest_axis, axis, v;

    /* Rest bend axis: bending turns the upper bone about it toward the bend side. */
    glm_vec3_cross((float *)rest->bend, (float *)rest->upper, rest_axis);
    if (glm_vec3_norm(rest_axis) < 1e-9f)
        glm_vec3_ortho((float *)rest->upper, rest_axis);
    glm_vec3_normalize(rest_axis);

    glm_vec3_sub((float *)target, (float *)root, to_target);
    float d = glm_vec3_norm(to_target);
    if (!(d > 1e-6f) || !isfinite(d)) {
        /* Target on the root: fold the chain along the rest direction. */
        glm_vec3_normalize_to((float *)rest->upper, dir);
        d = 0.0f;
    } else {
        glm_vec3_scale(to_target, 1.0f / d, dir);
    }

    float dmin = fabsf(l1 - l2), dmax = l1 + l2;
    out->reached = d >= dmin && d <= dmax;
    float dc = fminf(fmaxf(d, dmin), dmax);

    /* Bend side: the pole made perpendicular to the root-target line. */
    glm_vec3_copy((float *)pole, perp);
    glm_vec3_muladds(dir, -glm_vec3_dot(dir, perp), perp);
    if (glm_vec3_norm(perp) < 1e-5f * fmaxf(1.0f, glm_vec3_norm((float *)pole))) {
        glm_vec3_copy((float *)rest->bend, perp);
        glm_vec3_muladds(dir, -glm_vec3_dot(dir, perp), perp);
        if (glm_vec3_norm(perp) < 1e-6f)
            glm_vec3_ortho(dir, perp);
    }
    glm_vec3_normalize(perp);

    float a = dc > 0.0f ? (l1 * l1 - l2 * l2 + dc * dc) / (2.0f * dc) : 0.0f;
    float h = sqrtf(fmaxf(0.0f, l1 * l1 - a * a));
    bool bounded = limit_bend(limit, max_step, &h);
    if (bounded)
        a = copysignf(sqrtf(fmaxf(0.0f, l1 * l1 - h * h)), a);
    glm_vec3_copy((float *)root, out->middle);
    glm_vec3_muladds(dir, a, out->middle);
    glm_vec3_muladds(perp, h, out->middle);
    glm_vec3_copy((float *)root, out->end);
    glm_vec3_muladds(dir, dc, out->end);
    if (bounded) {
        /* The lower bone toward where the end would be, at its length. */
        glm_vec3_sub(out->end, out->middle, v);
        float n = glm_vec3_norm(v);
        if (n > 1e-6f) {
            glm_vec3_copy(out->middle, out->end);
            glm_vec3_muladds(v, l2 / n, out->end);
        }
        out->reached = false;
    }

    /* Solved bend axis: perp x dir, the rest one's counterpart. */
    glm_vec3_cross(perp, dir, axis);
    glm_vec3_normalize(axis);

    glm_vec3_sub(out->middle, (float *)root, v);
    rotation_between(rest->upper, rest_axis, v, axis, out->upper);
    glm_vec3_sub(out->end, out->middle, v);
    if (glm_vec3_norm(v) < 1e-9f) /* l2 == 0: keep the upper rotation */
        glm_quat_copy(out->upper, out->lower);
    else
        rotation_between(rest->lower, rest_axis, v, axis, out->lower);
    /* With zero-length lower bone the end is the middle joint. */
    if (l2 <= 0.0f)
        glm_vec3_copy(out->middle, out->end);
}

void kn_two_bone_solve(const kn_two_bone_rest *rest, const float root[3], const float target[3],
                       const float pole[3], kn_two_bone_result *out)
{
    solve(rest, root, target, pole, NULL, 0.0f, out);
}

void kn_two_bone_solve_limited(const kn_two_bone_rest *rest, const float root[3],
                               const float target[3], const float pole[3], kn_two_bone_limit *limit,
                               float max_step, kn_two_bone_result *out)
{
    solve(rest, root, target, pole, limit, max_step, out);
}

void kn_two_bone_offset(const float root[3], const float middle[3], const float end[3], vec3 out)
{
    vec3 line;
    glm_vec3_sub((float *)end, (float *)root, line);
    glm_vec3_sub((float *)middle, (float *)root, out);
    float len2 = glm_vec3_dot(line, line);
    if (len2 > 1e-12f)
        glm_vec3_muladds(line, -glm_vec3_dot(out, line) / len2, out);
}
