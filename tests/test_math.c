/* Tests for src/math: known values, identities, and what bad input gives. */
#include "math/kn_math.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define EPS 1e-5f
#define S45 0.70710678f

static uint32_t rng_state = 12345u;
static float frand(void) /* uniform in [-1, 1), deterministic */
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return (float)(rng_state >> 8) / (float)(1u << 23) - 1.0f;
}
static void random_quat(versor q)
{
    float raw[4] = {frand(), frand(), frand(), frand() + 0.01f};
    kn_quat_sanitize(raw, q);
}
static bool finite4(const float *v)
{
    return isfinite(v[0]) && isfinite(v[1]) && isfinite(v[2]) && isfinite(v[3]);
}
static void assert_vec3(const float *got, float x, float y, float z, float tol)
{
    ck_assert_float_eq_tol(got[0], x, tol);
    ck_assert_float_eq_tol(got[1], y, tol);
    ck_assert_float_eq_tol(got[2], z, tol);
}
/* q and -q are the same rotation. */
static void assert_same_rotation(const float *a, const float *b, float tol)
{
    ck_assert_float_le(kn_quat_angle_between(a, b), tol);
}

START_TEST(quat_rotate_known_values)
{
    /* 90 degrees about +Y turns +X into -Z (right-handed). */
    float qy[4] = {0, S45, 0, S45};
    float x[3] = {1, 0, 0};
    vec3 out;
    kn_quat_rotate(qy, x, out);
    assert_vec3(out, 0, 0, -1, EPS);

    /* 90 degrees about +X turns +Y into +Z. */
    float qx[4] = {S45, 0, 0, S45};
    float y[3] = {0, 1, 0};
    kn_quat_rotate(qx, y, out);
    assert_vec3(out, 0, 0, 1, EPS);

    /* Composition order: (qx * qy) applies qy first. */
    versor q;
    kn_quat_mul(qx, qy, q);
    kn_quat_rotate(q, x, out);
    assert_vec3(out, 0, 1, 0, EPS);
}
END_TEST

START_TEST(quat_sanitize_defined_results)
{
    versor out;
    float unit[4] = {0, 0, S45, S45};
    ck_assert_int_eq(kn_quat_sanitize(unit, out), KN_QUAT_OK);
    ck_assert_float_eq(out[2], unit[2]);

    /* Non-unit: normalised, same rotation. */
    float scaled[4] = {0, 0, 3, 3};
    ck_assert_int_eq(kn_quat_sanitize(scaled, out), KN_QUAT_RENORMALIZED);
    ck_assert_float_eq_tol(out[2], S45, EPS);
    ck_assert_float_eq_tol(out[3], S45, EPS);

    /* Zero, tiny, NaN, infinite, huge-but-finite: identity or normalised, never NaN. */
    float zero[4] = {0, 0, 0, 0};
    float tiny[4] = {1e-9f, 0, 0, 0};
    float nan4[4] = {NAN, 0, 0, 1};
    float inf4[4] = {0, INFINITY, 0, 1};
    float huge[4] = {3e38f, 3e38f, 0, 0};
    ck_assert_int_eq(kn_quat_sanitize(zero, out), KN_QUAT_REPLACED);
    ck_assert_float_eq(out[3], 1.0f);
    ck_assert_int_eq(kn_quat_sanitize(tiny, out), KN_QUAT_REPLACED);
    ck_assert_float_eq(out[3], 1.0f);
    ck_assert_int_eq(kn_quat_sanitize(nan4, out), KN_QUAT_REPLACED);
    ck_assert_float_eq(out[3], 1.0f);
    ck_assert_int_eq(kn_quat_sanitize(inf4, out), KN_QUAT_REPLACED);
    ck_assert_float_eq(out[3], 1.0f);
    ck_assert_int_eq(kn_quat_sanitize(huge, out), KN_QUAT_RENORMALIZED);
    ck_assert_float_eq_tol(out[0], S45, EPS);
    ck_assert(finite4(out));

    /* In place works too. */
    versor inplace = {0, 2, 0, 0};
    kn_quat_sanitize(inplace, inplace);
    ck_assert_float_eq(inplace[1], 1.0f);
}
END_TEST

START_TEST(bad_quaternions_never_reach_poses)
{
    kn_pose a = {{NAN, NAN, NAN, NAN}, {1, 2, 3}};
    kn_pose b = {{0, 0, 0, 0}, {NAN, INFINITY, -INFINITY}};
    kn_pose out;
    kn_pose_compose(&a, &b, &out);
    ck_assert(finite4(out.orientation));
    /* Both orientations act as identity, b's position as zero: out = a's position. */
    assert_vec3(out.position, 1, 2, 3, EPS);
    ck_assert_float_eq(out.orientation[3], 1.0f);

    kn_pose_inverse(&a, &out);
    assert_vec3(out.position, -1, -2, -3, EPS);

    kn_pose s;
    ck_assert(!kn_pose_sanitize(&b, &s));
    assert_vec3(s.position, 0, 0, 0, 1e-9f);

    /* Far-away positions are clamped, so sums stay finite. */
    kn_pose far = {{0, 0, 0, 1}, {3e38f, -3e38f, 0}};
    kn_pose_compose(&far, &far, &out);
    ck_assert(isfinite(out.position[0]) && isfinite(out.position[1]));
    ck_assert_float_eq(out.position[0], 2 * KN_POSITION_LIMIT);

    float nan_vec[3] = {NAN, 1, 0};
    vec3 r;
    kn_pose_transform_point(&a, nan_vec, r);
    assert_vec3(r, 1, 3, 3, EPS);

    /* Rotation helpers with bad input. */
    mat3 m;
    kn_quat_to_mat3(a.orientation, m);
    ck_assert_float_eq(m[0][0], 1.0f);
    ck_assert_float_eq(m[1][1], 1.0f);
    versor q;
    kn_quat_slerp(a.orientation, b.orientation, NAN, q);
    ck_assert(finite4(q));
    ck_assert_float_eq(q[3], 1.0f);
}
END_TEST

START_TEST(pose_compose_inverse_transform)
{
    /* Parent at (1,0,0) turned 90 degrees about Y; child 1 m forward (-Z) of it. */
    kn_pose parent = {{0, S45, 0, S45}, {1, 0, 0}};
    kn_pose child = {{0, 0, 0, 1}, {0, 0, -1}};
    kn_pose world;
    kn_pose_compose(&parent, &child, &world);
    /* The parent's -Z is world -X after a +90 degree yaw. */
    assert_vec3(world.position, 0, 0, 0, EPS);

    float local[3] = {0, 0, -2};
    vec3 p;
    kn_pose_transform_point(&parent, local, p);
    assert_vec3(p, -1, 0, 0, EPS);

    for (int i = 0; i < 200; i++) {
        kn_pose a, b, ab, ab_b_inv, ainv, id;
        random_quat(a.orientation);
        random_quat(b.orientation);
        for (int k = 0; k < 3; k++) {
            a.position[k] = 5 * frand();
            b.position[k] = 5 * frand();
        }
        /* a * a^-1 = identity */
        kn_pose_inverse(&a, &ainv);
        kn_pose_compose(&a, &ainv, &id);
        assert_vec3(id.position, 0, 0, 0, 1e-4f);
        ck_assert_float_le(kn_quat_angle_between(id.orientation, GLM_QUAT_IDENTITY), 1e-3f);
        /* (a * b) * b^-1 = a */
        kn_pose binv;
        kn_pose_inverse(&b, &binv);
        kn_pose_compose(&a, &b, &ab);
        kn_pose_compose(&ab, &binv, &ab_b_inv);
        assert_vec3(ab_b_inv.position, a.position[0], a.position[1], a.position[2], 1e-4f);
        assert_same_rotation(ab_b_inv.orientation, a.orientation, 1e-3f);
        /* transforming by a*b = transforming by b then by a */
        float v[3] = {frand(), frand(), frand()};
        vec3 v1, v2, vb;
        kn_pose_transform_point(&ab, v, v1);
        kn_pose_transform_point(&b, v, vb);
        kn_pose_transform_point(&a, vb, v2);
        assert_vec3(v1, v2[0], v2[1], v2[2], 1e-4f);
    }
}
END_TEST

START_TEST(pose_finite_looks_at_every_number)
{
    float q[4] = {0, 0, 0, 1}, v[3] = {1, 2, 3};
    ck_assert(kn_pose_finite(q, v));
    for (int i = 0; i < 7; i++) {
        float *x = i < 4 ? &q[i] : &v[i - 4];
        float keep = *x;
        *x = i % 2 ? INFINITY : NAN;
        ck_assert_msg(!kn_pose_finite(q, v), "number %d", i);
        *x = keep;
    }
}
END_TEST

START_TEST(quat_mat3_round_trip)
{
    /* Known: 90 degrees about Z maps +X to +Y, so column 0 is (0,1,0). */
    float qz[4] = {0, 0, S45, S45};
    mat3 m;
    kn_quat_to_mat3(qz, m);
    assert_vec3(m[0], 0, 1, 0, EPS);
    assert_vec3(m[1], -1, 0, 0, EPS);
    assert_vec3(m[2], 0, 0, 1, EPS);

    for (int i = 0; i < 500; i++) {
        versor q, back;
        random_quat(q);
        kn_quat_to_mat3(q, m);
        ck_assert_float_eq_tol(glm_mat3_det(m), 1.0f, 1e-4f);
        kn_mat3_to_quat(m, back);
        ck_assert_float_ge(back[3], 0.0f);
        assert_same_rotation(q, back, 1e-3f);
    }
    /* Half turns (trace = -1) take cglm's other branches. */
    float half[3][4] = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}};
    for (int i = 0; i < 3; i++) {
        versor back;
        kn_quat_to_mat3(half[i], m);
        kn_mat3_to_quat(m, back);
        assert_same_rotation(half[i], back, 1e-3f);
    }
}
END_TEST

START_TEST(sixd_gram_schmidt)
{
    /* The 6D of a rotation is its first two columns. */
    float qz[4] = {0, 0, S45, S45};
    float d6[6];
    kn_quat_to_6d(qz, d6);
    assert_vec3(d6, 0, 1, 0, EPS);
    assert_vec3(d6 + 3, -1, 0, 0, EPS);

    /* Scaled, skewed columns come back orthonormal and right-handed. */
    float skew[6] = {2, 0, 0, 1, 3, 0};
    mat3 m;
    ck_assert(kn_6d_to_mat3(skew, m));
    assert_vec3(m[0], 1, 0, 0, EPS);
    assert_vec3(m[1], 0, 1, 0, EPS);
    assert_vec3(m[2], 0, 0, 1, EPS);

    for (int i = 0; i < 500; i++) {
        versor q, back;
        random_quat(q);
        kn_quat_to_6d(q, d6);
        for (int k = 0; k < 6; k++)
            d6[k] = d6[k] * 1.7f + 0.05f * frand(); /* noisy network output */
        ck_assert(kn_6d_to_mat3(d6, m));
        ck_assert_float_eq_tol(glm_mat3_det(m), 1.0f, 1e-4f);
        ck_assert_float_eq_tol(glm_vec3_dot(m[0], m[1]), 0.0f, 1e-5f);
        kn_6d_to_quat(d6, back);
        ck_assert_float_le(kn_quat_angle_between(q, back), 0.1f);
    }

    /* Degenerate: zero first column -> identity; parallel columns -> some
     * orthonormal frame keeping the first column; both flagged. */
    float zero[6] = {0};
    ck_assert(!kn_6d_to_mat3(zero, m));
    ck_assert_float_eq(m[0][0], 1.0f);
    ck_assert_float_eq(m[2][2], 1.0f);
    float parallel[6] = {0, 0, 2, 0, 0, 5};
    ck_assert(!kn_6d_to_mat3(parallel, m));
    assert_vec3(m[0], 0, 0, 1, EPS);
    ck_assert_float_eq_tol(glm_mat3_det(m), 1.0f, 1e-5f);
    ck_assert_float_eq_tol(glm_vec3_dot(m[0], m[1]), 0.0f, 1e-6f);
    float nan6[6] = {1, 0, 0, NAN, 1, 0};
    ck_assert(!kn_6d_to_mat3(nan6, m));
    ck_assert_float_eq_tol(glm_mat3_det(m), 1.0f, 1e-5f);
}
END_TEST

START_TEST(slerp_values)
{
    float id[4] = {0, 0, 0, 1};
    float qy90[4] = {0, S45, 0, S45};
    versor q;
    kn_quat_slerp(id, qy90, 0.0f, q);
    assert_same_rotation(q, id, 1e-4f);
    kn_quat_slerp(id, qy90, 1.0f, q);
    assert_same_rotation(q, qy90, 1e-4f);
    /* Halfway is 45 degrees about Y. */
    kn_quat_slerp(id, qy90, 0.5f, q);
    float qy45[4] = {0, sinf(GLM_PI_4f / 2), 0, cosf(GLM_PI_4f / 2)};
    assert_same_rotation(q, qy45, 1e-4f);
    /* Extrapolation: t = 2 gives 180 degrees. */
    kn_quat_slerp(id, qy90, 2.0f, q);
    ck_assert_float_eq_tol(kn_quat_angle_between(q, id), GLM_PIf, 1e-3f);

    /* q and -q are one rotation: the short way is no motion at all. */
    float neg[4] = {-qy90[0], -qy90[1], -qy90[2], -qy90[3]};
    kn_quat_slerp(qy90, neg, 0.5f, q);
    ck_assert(finite4(q));
    assert_same_rotation(q, qy90, 1e-4f);
    /* Nearly -q, through cglm's small-angle fallback. */
    float near_neg[4] = {neg[0] + 1e-4f, neg[1], neg[2], neg[3]};
    kn_quat_slerp(qy90, near_neg, 0.5f, q);
    ck_assert_float_eq_tol(glm_quat_norm(q), 1.0f, 1e-5f);
    assert_same_rotation(q, qy90, 1e-3f);

    /* Tiny turns still interpolate (the dot product rounds to 1 in float). */
    float tiny_angle = 2e-4f;
    float qtiny[4] = {0, sinf(tiny_angle / 2), 0, cosf(tiny_angle / 2)};
    kn_quat_slerp(id, qtiny, 0.5f, q);
    ck_assert_float_eq_tol(2.0f * asinf(q[1]), 0.5f * tiny_angle, 1e-6f);
    kn_quat_slerp(id, qtiny, 2.0f, q);
    ck_assert_float_eq_tol(2.0f * asinf(q[1]), 2.0f * tiny_angle, 1e-6f);

    /* Constant angular speed: angle(a, slerp(t)) = t * angle(a, b). */
    for (int i = 0; i < 200; i++) {
        versor a, b;
        random_quat(a);
        random_quat(b);
        float t = 0.5f * (frand() + 1.0f);
        kn_quat_slerp(a, b, t, q);
        float total = kn_quat_angle_between(a, b);
        ck_assert_float_eq_tol(kn_quat_angle_between(a, q), t * total, 2e-3f);
    }
}
END_TEST

START_TEST(quat_from_two_vectors_values)
{
    versor q;
    vec3 out;
    float x[3] = {1, 0, 0}, y[3] = {0, 1, 0}, y5[3] = {0, 5, 0};
    kn_quat_from_two_vectors(x, y5, q);
    float qz90[4] = {0, 0, S45, S45};
    assert_same_rotation(q, qz90, 1e-4f);

    /* Same direction: identity. */
    kn_quat_from_two_vectors(y, y5, q);
    assert_same_rotation(q, GLM_QUAT_IDENTITY, 1e-4f);

    /* Opposite: a half turn that still maps from onto to. */
    float negx[3] = {-2, 0, 0};
    kn_quat_from_two_vectors(x, negx, q);
    kn_quat_rotate(q, x, out);
    assert_vec3(out, -1, 0, 0, EPS);
    ck_assert_float_eq_tol(kn_quat_angle_between(q, GLM_QUAT_IDENTITY), GLM_PIf, 1e-3f);

    /* Zero and NaN vectors: identity. */
    float zero[3] = {0, 0, 0}, nanv[3] = {NAN, 0, 0};
    kn_quat_from_two_vectors(zero, y, q);
    ck_assert_float_eq(q[3], 1.0f);
    kn_quat_from_two_vectors(x, nanv, q);
    ck_assert_float_eq(q[3], 1.0f);

    for (int i = 0; i < 300; i++) {
        float a[3] = {frand(), frand(), frand()}, b[3] = {frand(), frand(), frand()};
        kn_quat_from_two_vectors(a, b, q);
        kn_quat_rotate(q, a, out);
        glm_vec3_normalize(out);
        glm_vec3_normalize(b);
        assert_vec3(out, b[0], b[1], b[2], 1e-4f);
        /* Shortest: the angle turned equals the angle between them. */
        glm_vec3_normalize(a);
        ck_assert_float_eq_tol(kn_quat_angle_between(q, GLM_QUAT_IDENTITY), glm_vec3_angle(a, b),
                               2e-3f);
    }
}
END_TEST

static Suite *math_suite(void)
{
    Suite *s = suite_create("math");
    TCase *tc = tcase_create("quaternion");
    tcase_add_test(tc, quat_rotate_known_values);
    tcase_add_test(tc, quat_sanitize_defined_results);
    tcase_add_test(tc, slerp_values);
    tcase_add_test(tc, quat_from_two_vectors_values);
    suite_add_tcase(s, tc);
    tc = tcase_create("representations");
    tcase_add_test(tc, quat_mat3_round_trip);
    tcase_add_test(tc, sixd_gram_schmidt);
    suite_add_tcase(s, tc);
    tc = tcase_create("pose");
    tcase_add_test(tc, pose_compose_inverse_transform);
    tcase_add_test(tc, bad_quaternions_never_reach_poses);
    tcase_add_test(tc, pose_finite_looks_at_every_number);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(math_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
