/* Tests for src/skeleton: the joint table, the default skeleton, height
 * scaling, forward kinematics, device mounts and the heading frame, with
 * values worked out by hand. */
#include "skeleton/kn_device_mount.h"
#include "skeleton/kn_heading.h"
#include "skeleton/kn_skeleton.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EPS 1e-5f
#define S45 0.70710678f

static void assert_vec3(const float *got, float x, float y, float z, float tol)
{
    ck_assert_float_eq_tol(got[0], x, tol);
    ck_assert_float_eq_tol(got[1], y, tol);
    ck_assert_float_eq_tol(got[2], z, tol);
}

static uint32_t rng_state = 2024u;
static float frand(void) /* uniform in [-1, 1), deterministic */
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return (float)(rng_state >> 8) / (float)(1u << 23) - 1.0f;
}

static void random_quat(float *q)
{
    float raw[4] = {frand(), frand(), frand(), frand() + 0.01f};
    kn_quat_sanitize(raw, q);
}

START_TEST(joint_table)
{
    ck_assert_str_eq(kn_joint_name(KN_JOINT_HIPS), "hips");
    ck_assert_str_eq(kn_joint_name(KN_JOINT_LEFT_HAND), "left_hand");
    ck_assert_str_eq(kn_joint_name(KN_JOINT_RIGHT_TOES), "right_toes");
    ck_assert_str_eq(kn_joint_name(21), "?");
    ck_assert_str_eq(kn_joint_name(-1), "?");
    /* docs/formats.md, "Joints" */
    static const int parents[KN_JOINT_COUNT] = {-1, 0,  1, 2,  3,  2,  5, 6,  7,  2, 9,
                                                10, 11, 0, 13, 14, 15, 0, 17, 18, 19};
    for (int j = 0; j < KN_JOINT_COUNT; j++) {
        ck_assert_int_eq(kn_joint_parent(j), parents[j]);
        ck_assert_int_lt(kn_joint_parent(j), j); /* parents first: FK in index order */
    }
    ck_assert_int_eq(kn_joint_parent(KN_JOINT_COUNT), -1);
}
END_TEST

START_TEST(default_skeleton_values)
{
    kn_skeleton s;
    kn_skeleton_default(&s);
    ck_assert_float_eq_tol(s.standing_head_height, 1.4301f, 1e-6f);
    ck_assert_float_eq(kn_skeleton_default_head_height(), s.standing_head_height);
    assert_vec3(s.offsets[KN_JOINT_HIPS], 0, 0, 0, 1e-9f);
    ck_assert_float_eq_tol(kn_skeleton_bone_length(&s, KN_JOINT_LEFT_FOREARM), 0.2455f, 1e-6f);
    ck_assert_float_eq(kn_skeleton_bone_length(&s, KN_JOINT_HIPS), 0.0f);
    /* Left and right are mirror images. */
    for (int j = KN_JOINT_LEFT_COLLAR; j <= KN_JOINT_LEFT_HAND; j++)
        assert_vec3(s.offsets[j + 4], -s.offsets[j][0], s.offsets[j][1], s.offsets[j][2], 1e-9f);
    for (int j = KN_JOINT_LEFT_THIGH; j <= KN_JOINT_LEFT_TOES; j++)
        assert_vec3(s.offsets[j + 4], -s.offsets[j][0], s.offsets[j][1], s.offsets[j][2], 1e-9f);
    /* The canonical rest pose: spine up, arms along -X / +X, legs down. */
    ck_assert_float_gt(s.offsets[KN_JOINT_SPINE][1], 0.1f);
    ck_assert_float_lt(s.offsets[KN_JOINT_LEFT_FOREARM][0], -0.2f);
    ck_assert_float_gt(s.offsets[KN_JOINT_RIGHT_HAND][0], 0.2f);
    ck_assert_float_lt(s.offsets[KN_JOINT_LEFT_SHIN][1], -0.3f);

    vec3 rest[KN_JOINT_COUNT];
    kn_skeleton_rest_positions(&s, rest);
    /* head: 0.1485 + 0.1005 + 0.1623 + 0.0721 up, 0.0048 + 0.0004 + 0.0007 back */
    assert_vec3(rest[KN_JOINT_HEAD], 0.0f, 0.4834f, 0.0059f, EPS);
    /* left hand: out by collar 0.0467 + upper arm 0.0647 + forearm 0.2455 +
     * hand 0.2267; up by spine 0.1485 + chest 0.1005 + collar 0.1305 + 0.0017 */
    assert_vec3(rest[KN_JOINT_LEFT_HAND], -0.5836f, 0.3812f, 0.0080f, EPS);
    ck_assert_float_eq_tol(kn_skeleton_rest_floor(&s), 0.4834f - 1.4301f, EPS);
    /* Standing, the lowest point (the toes) is above the floor. */
    ck_assert_float_gt(rest[KN_JOINT_LEFT_TOES][1], kn_skeleton_rest_floor(&s));
    ck_assert_float_eq_tol(kn_skeleton_eye_height(&s), 1.5101f, EPS);
    ck_assert_float_eq_tol(kn_skeleton_body_height(&s), 1.5101f / 0.936f, EPS);
}
END_TEST

START_TEST(height_scaling)
{
    kn_skeleton def, s;
    kn_error err;
    kn_skeleton_default(&def);
    ck_assert_int_eq(kn_skeleton_for_body_height(&def, 1.8f, &s, &err), KN_OK);
    /* eye 1.8 * 0.936 = 1.6848; head joint 8 cm lower; factor over 1.4301 */
    float factor = (1.6848f - 0.08f) / 1.4301f;
    ck_assert_float_eq_tol(kn_skeleton_body_height(&s), 1.8f, EPS);
    ck_assert_float_eq_tol(kn_skeleton_eye_height(&s), 1.6848f, EPS);
    ck_assert_float_eq_tol(s.standing_head_height, 1.6048f, EPS);
    for (int j = 0; j < KN_JOINT_COUNT; j++)
        assert_vec3(s.offsets[j], def.offsets[j][0] * factor, def.offsets[j][1] * factor,
                    def.offsets[j][2] * factor, 1e-6f);

    ck_assert_int_eq(kn_skeleton_for_eye_height(&def, 1.5101f, &s, &err), KN_OK);
    ck_assert_float_eq_tol(s.offsets[KN_JOINT_LEFT_SHIN][1], def.offsets[KN_JOINT_LEFT_SHIN][1],
                           1e-6f);

    /* Refused: nothing written. */
    kn_skeleton before = s;
    ck_assert_int_eq(kn_skeleton_for_body_height(&def, NAN, &s, &err), KN_ERROR_INVALID_ARGUMENT);
    ck_assert_int_eq(kn_skeleton_for_body_height(&def, 0.1f, &s, &err), KN_ERROR_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "scale"));
    ck_assert_int_eq(kn_skeleton_scaled(&def, INFINITY, &s, &err), KN_ERROR_INVALID_ARGUMENT);
    ck_assert_mem_eq(&s, &before, sizeof s);
}
END_TEST

START_TEST(fk_known_poses)
{
    kn_skeleton s;
    kn_skeleton_default(&s);
    float local[KN_JOINT_COUNT * 4];
    for (int j = 0; j < KN_JOINT_COUNT; j++)
        glm_quat_identity(local + 4 * j);
    kn_pose out[KN_JOINT_COUNT];
    vec3 rest[KN_JOINT_COUNT];
    kn_skeleton_rest_positions(&s, rest);

    /* Identity rotations: the rest pose, moved to the root. */
    kn_skeleton_fk(&s, local, (vec3){1.0f, 2.0f, 3.0f}, out);
    for (int j = 0; j < KN_JOINT_COUNT; j++) {
        assert_vec3(out[j].position, rest[j][0] + 1.0f, rest[j][1] + 2.0f, rest[j][2] + 3.0f, EPS);
        ck_assert_float_eq_tol(out[j].orientation[3], 1.0f, EPS);
    }

    /* Left shoulder turned +90 degrees about Z: the arm (along -X) hangs
     * down; the forearm and hand inherit the turn. */
    float *q = local + 4 * KN_JOINT_LEFT_UPPER_ARM;
    q[0] = 0, q[1] = 0, q[2] = S45, q[3] = S45;
    kn_skeleton_fk(&s, local, (vec3){0, 0, 0}, out);
    const float *sh = out[KN_JOINT_LEFT_UPPER_ARM].position;
    assert_vec3(out[KN_JOINT_LEFT_FOREARM].position, sh[0], sh[1] - 0.2455f, sh[2], EPS);
    assert_vec3(out[KN_JOINT_LEFT_HAND].position, sh[0], sh[1] - 0.4722f, sh[2], EPS);
    ck_assert_float_le(kn_quat_angle_between(out[KN_JOINT_LEFT_HAND].orientation, q), 1e-5f);
    assert_vec3(out[KN_JOINT_RIGHT_HAND].position, rest[KN_JOINT_RIGHT_HAND][0],
                rest[KN_JOINT_RIGHT_HAND][1], rest[KN_JOINT_RIGHT_HAND][2], EPS);

    /* Hips turned 180 degrees about Y: x and z of every joint change sign. */
    for (int j = 0; j < KN_JOINT_COUNT; j++)
        glm_quat_identity(local + 4 * j);
    local[1] = 1.0f, local[3] = 0.0f;
    kn_skeleton_fk(&s, local, (vec3){0, 0, 0}, out);
    for (int j = 0; j < KN_JOINT_COUNT; j++)
        assert_vec3(out[j].position, -rest[j][0], rest[j][1], -rest[j][2], EPS);
}
END_TEST

START_TEST(fk_local_round_trip_and_bone_lengths)
{
    kn_skeleton s;
    kn_skeleton_default(&s);
    for (int trial = 0; trial < 50; trial++) {
        float local[KN_JOINT_COUNT * 4], back[KN_JOINT_COUNT * 4];
        for (int j = 0; j < KN_JOINT_COUNT; j++)
            random_quat(local + 4 * j);
        kn_pose out[KN_JOINT_COUNT];
        kn_skeleton_fk(&s, local, (vec3){frand(), 1.0f, frand()}, out);
        kn_skeleton_local_from_global(out, back);
        for (int j = 0; j < KN_JOINT_COUNT; j++) {
            ck_assert_float_le(kn_quat_angle_between(local + 4 * j, back + 4 * j), 1e-3f);
            if (j > 0) {
                float d = glm_vec3_distance(out[j].position, out[kn_joint_parent(j)].position);
                ck_assert_float_eq_tol(d, kn_skeleton_bone_length(&s, j), 1e-5f);
            }
        }
    }
}
END_TEST

START_TEST(device_mounts)
{
    /* Head joint at (0, 1.5, 0) looking down -Z: the eyes 8 cm up and forward. */
    kn_pose joint = {{0, 0, 0, 1}, {0, 1.5f, 0}}, dev, back;
    kn_head_device_from_joint(&joint, &dev);
    assert_vec3(dev.position, 0, 1.58f, -0.08f, EPS);
    /* Turned 90 degrees left (facing -X): forward is -X now. */
    joint.orientation[1] = S45, joint.orientation[3] = S45;
    kn_head_device_from_joint(&joint, &dev);
    assert_vec3(dev.position, -0.08f, 1.58f, 0, EPS);
    kn_head_joint_from_device(&dev, &back);
    assert_vec3(back.position, 0, 1.5f, 0, EPS);
    ck_assert_float_le(kn_quat_angle_between(back.orientation, joint.orientation), 1e-6f);

    /* T-pose hands at the origin: grips 7 cm along the fingers, 2 cm under
     * the palm; left grip +X = -Y_hand (away from the palm), right +X = +Y. */
    kn_pose hand = {{0, 0, 0, 1}, {0, 0, 0}}, grip;
    vec3 x;
    kn_grip_from_hand(KN_SIDE_LEFT, &hand, &grip);
    assert_vec3(grip.position, -0.07f, -0.02f, 0, EPS);
    kn_quat_rotate(grip.orientation, (vec3){1, 0, 0}, x);
    assert_vec3(x, 0, -1, 0, EPS);
    kn_grip_from_hand(KN_SIDE_RIGHT, &hand, &grip);
    assert_vec3(grip.position, 0.07f, -0.02f, 0, EPS);
    kn_quat_rotate(grip.orientation, (vec3){1, 0, 0}, x);
    assert_vec3(x, 0, 1, 0, EPS);
    kn_quat_rotate(grip.orientation, (vec3){0, 0, 1}, x);
    assert_vec3(x, 0, 0, 1, EPS); /* grip Z = hand Z */
    kn_hand_from_grip(KN_SIDE_RIGHT, &grip, &back);
    assert_vec3(back.position, 0, 0, 0, EPS);
    ck_assert_float_le(kn_quat_angle_between(back.orientation, hand.orientation), 1e-6f);
}
END_TEST

START_TEST(heading_rules)
{
    kn_heading h;
    kn_heading_init(&h);
    ck_assert_float_eq(h.cos_yaw, 1.0f);
    ck_assert_float_eq(h.sin_yaw, 0.0f);
    ck_assert(!h.yaw_fresh);

    /* Turned 30 degrees about +Y and looking 40 degrees down: the yaw is 30. */
    versor yaw, pitch;
    kn_pose head = {.position = {0.5f, 1.6f, -2.0f}};
    glm_quat(yaw, glm_rad(30.0f), 0, 1, 0);
    glm_quat(pitch, glm_rad(-40.0f), 1, 0, 0);
    kn_quat_mul(yaw, pitch, head.orientation);
    kn_heading_update(&h, &head, true);
    ck_assert(h.yaw_fresh);
    ck_assert_float_eq_tol(h.cos_yaw, cosf(glm_rad(30.0f)), EPS);
    ck_assert_float_eq_tol(h.sin_yaw, sinf(glm_rad(30.0f)), EPS);
    ck_assert_float_eq(h.floor_x, 0.5f);
    ck_assert_float_eq(h.floor_z, -2.0f);
    versor q;
    mat3 m;
    vec3 fwd;
    kn_heading_quat(&h, q);
    ck_assert_float_le(kn_quat_angle_between(q, yaw), 1e-5f);
    kn_heading_mat3(&h, m);
    glm_mat3_mulv(m, (vec3){0, 0, -1}, fwd);
    assert_vec3(fwd, -sinf(glm_rad(30.0f)), 0, -cosf(glm_rad(30.0f)), EPS);

    /* Straight down: no yaw of its own, the previous one stays; the floor
     * point still follows a valid head. */
    glm_quat(head.orientation, glm_rad(-90.0f), 1, 0, 0);
    head.position[0] = 1.0f;
    kn_heading_update(&h, &head, true);
    ck_assert(!h.yaw_fresh);
    ck_assert_float_eq_tol(h.sin_yaw, 0.5f, EPS);
    ck_assert_float_eq(h.floor_x, 1.0f);
    /* Invalid: nothing changes. */
    glm_quat(head.orientation, glm_rad(120.0f), 0, 1, 0);
    head.position[0] = 7.0f;
    kn_heading_update(&h, &head, false);
    ck_assert(!h.yaw_fresh);
    ck_assert_float_eq_tol(h.sin_yaw, 0.5f, EPS);
    ck_assert_float_eq(h.floor_x, 1.0f);
    /* 180 degrees: the quaternion is still a half turn about +Y. */
    glm_quat(head.orientation, glm_rad(180.0f), 0, 1, 0);
    kn_heading_update(&h, &head, true);
    kn_heading_quat(&h, q);
    kn_quat_rotate(q, (vec3){0, 0, -1}, fwd);
    assert_vec3(fwd, 0, 0, 1, EPS);
}
END_TEST

static Suite *skeleton_suite(void)
{
    Suite *s = suite_create("skeleton");
    TCase *tc = tcase_create("skeleton");
    tcase_add_test(tc, joint_table);
    tcase_add_test(tc, default_skeleton_values);
    tcase_add_test(tc, height_scaling);
    tcase_add_test(tc, fk_known_poses);
    tcase_add_test(tc, fk_local_round_trip_and_bone_lengths);
    tcase_add_test(tc, device_mounts);
    tcase_add_test(tc, heading_rules);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(skeleton_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
