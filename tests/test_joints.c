/* Tests for src/joints: the FB 70 / META 84 joint sets from canonical
 * joints: the table, the tree, rigid bones, the hand and finger axis rules
 * of the extension, and known T-pose positions. */
#include "joints/kn_xr_joints.h"
#include "kinest.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define N   KN_XR_JOINT_COUNT_FULL_BODY
#define EPS 1e-5f
#define S45 0.70710678f

static kn_skeleton skel;

static void setup(void)
{
    kn_skeleton_default(&skel);
}

static uint32_t rng_state = 31337u;
static float frand(void) /* uniform in [-1, 1), deterministic */
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return (float)(rng_state >> 8) / (float)(1u << 23) - 1.0f;
}

static void assert_vec3(const float *got, float x, float y, float z, float tol)
{
    ck_assert_float_eq_tol(got[0], x, tol);
    ck_assert_float_eq_tol(got[1], y, tol);
    ck_assert_float_eq_tol(got[2], z, tol);
}

static void assert_rotation(const float *got, float x, float y, float z, float w)
{
    versor want = {x, y, z, w};
    ck_assert_float_le(kn_quat_angle_between(got, want), 1e-4f);
}

static void axis(const kn_pose *p, int which, vec3 out)
{
    vec3 e = {0, 0, 0};
    e[which] = 1.0f;
    kn_quat_rotate(p->orientation, e, out);
}

static void unit_dir(const float *from, const float *to, vec3 out)
{
    glm_vec3_sub((float *)to, (float *)from, out);
    glm_vec3_normalize(out);
}

/* A random canonical pose, hips 1 m up. */
static void random_pose(kn_pose out[KN_JOINT_COUNT])
{
    float local[KN_JOINT_COUNT * 4];
    for (int j = 0; j < KN_JOINT_COUNT; j++) {
        float raw[4] = {frand(), frand(), frand(), frand() + 0.01f};
        kn_quat_sanitize(raw, local + 4 * j);
    }
    kn_skeleton_fk(&skel, local, (vec3){frand(), 1.0f, frand()}, out);
}

START_TEST(table_and_tree)
{
    ck_assert_str_eq(kn_xr_joint_name(KN_XR_ROOT), "ROOT");
    ck_assert_str_eq(kn_xr_joint_name(KN_XR_LEFT_HAND_WRIST_TWIST), "LEFT_HAND_WRIST_TWIST");
    ck_assert_str_eq(kn_xr_joint_name(KN_XR_LEFT_HAND_PALM), "LEFT_HAND_PALM");
    ck_assert_str_eq(kn_xr_joint_name(23), "LEFT_HAND_THUMB_TIP");
    ck_assert_str_eq(kn_xr_joint_name(KN_XR_RIGHT_HAND_WRIST), "RIGHT_HAND_WRIST");
    ck_assert_str_eq(kn_xr_joint_name(69), "RIGHT_HAND_LITTLE_TIP");
    ck_assert_str_eq(kn_xr_joint_name(KN_XR_LEFT_UPPER_LEG), "LEFT_UPPER_LEG");
    ck_assert_str_eq(kn_xr_joint_name(KN_XR_RIGHT_FOOT_BALL), "RIGHT_FOOT_BALL");
    ck_assert_str_eq(kn_xr_joint_name(N), "?");
    for (int i = 0; i < N; i++)
        for (int k = i + 1; k < N; k++)
            ck_assert_str_ne(kn_xr_joint_name(i), kn_xr_joint_name(k));

    ck_assert_int_eq(kn_xr_joint_parent(KN_XR_ROOT), KN_XR_JOINT_NONE);
    for (int j = 1; j < N; j++) {
        int p = kn_xr_joint_parent(j);
        ck_assert_int_ge(p, 0);
        ck_assert_int_lt(p, j < KN_XR_JOINT_COUNT_FB ? KN_XR_JOINT_COUNT_FB : N);
        /* Walking up always reaches the root, without a cycle. */
        int steps = 0, at = j;
        while (at != KN_XR_ROOT && steps <= N) {
            at = kn_xr_joint_parent(at);
            steps++;
        }
        ck_assert_int_eq(at, KN_XR_ROOT);
    }
    ck_assert_int_eq(kn_xr_joint_parent(KN_XR_LEFT_HAND_PALM), KN_XR_LEFT_HAND_WRIST);
    ck_assert_int_eq(kn_xr_joint_parent(KN_XR_LEFT_FOOT_BALL), KN_XR_LEFT_FOOT_TRANSVERSE);
}
END_TEST

START_TEST(every_joint_filled_finite_unit)
{
    for (int trial = 0; trial < 20; trial++) {
        kn_pose c[KN_JOINT_COUNT], out[N], grip;
        random_pose(c);
        kn_grip_from_hand(KN_SIDE_RIGHT, &c[KN_JOINT_RIGHT_HAND], &grip);
        for (int j = 0; j < N; j++) { /* a sentinel no mapping leaves */
            for (int i = 0; i < 4; i++)
                out[j].orientation[i] = NAN;
            for (int i = 0; i < 3; i++)
                out[j].position[i] = NAN;
        }
        kn_xr_joints_from_canonical(&skel, c, trial % 2 ? NULL : &grip, NULL, out);
        for (int j = 0; j < N; j++) {
            for (int i = 0; i < 3; i++)
                ck_assert_msg(isfinite(out[j].position[i]), "joint %d not filled", j);
            float n = glm_quat_norm(out[j].orientation);
            ck_assert_msg(fabsf(n - 1.0f) < 1e-5f, "joint %d: |q| = %g", j, (double)n);
        }
    }
}
END_TEST

START_TEST(bones_are_rigid)
{
    kn_pose tpose[N];
    kn_xr_joints_tpose(&skel, tpose);
    for (int trial = 0; trial < 20; trial++) {
        kn_pose c[KN_JOINT_COUNT], out[N], lg, rg;
        random_pose(c);
        /* Grips turn the hands away from the canonical ones. */
        kn_pose turned = c[KN_JOINT_LEFT_HAND];
        float raw[4] = {frand(), frand(), frand(), 1.0f};
        kn_quat_sanitize(raw, turned.orientation);
        kn_grip_from_hand(KN_SIDE_LEFT, &turned, &lg);
        kn_grip_from_hand(KN_SIDE_RIGHT, &c[KN_JOINT_RIGHT_HAND], &rg);
        kn_xr_joints_from_canonical(&skel, c, &lg, &rg, out);
        /* Every bone but root -> hips (the root follows the floor). */
        for (int j = 2; j < N; j++) {
            int p = kn_xr_joint_parent(j);
            float rest = glm_vec3_distance(tpose[j].position, tpose[p].position);
            float posed = glm_vec3_distance(out[j].position, out[p].position);
            ck_assert_msg(fabsf(rest - posed) < 1e-5f, "%s: %g in the T-pose, %g posed",
                          kn_xr_joint_name(j), (double)rest, (double)posed);
        }
        /* The grip's orientation reached the hand. */
        kn_pose hand;
        kn_hand_from_grip(KN_SIDE_LEFT, &lg, &hand);
        versor axes, want;
        kn_xr_joint_axes(KN_XR_LEFT_HAND_WRIST, axes);
        kn_quat_mul(hand.orientation, axes, want);
        ck_assert_float_le(kn_quat_angle_between(out[KN_XR_LEFT_HAND_WRIST].orientation, want),
                           1e-4f);
    }
}
END_TEST

/* The extension's rule for hand joints, checked on the T-pose: +Z points
 * backward along the bone (from the next joint toward the fingertip back
 * to this one), +Y out of the back of the hand (up: palms face down). */
START_TEST(finger_axes_follow_the_rules)
{
    kn_pose t[N];
    kn_xr_joints_tpose(&skel, t);
    static const int firsts[2] = {KN_XR_LEFT_HAND_THUMB_METACARPAL,
                                  KN_XR_RIGHT_HAND_THUMB_METACARPAL};
    for (int side = 0; side < 2; side++) {
        int wrist = side ? KN_XR_RIGHT_HAND_WRIST : KN_XR_LEFT_HAND_WRIST;
        int palm = side ? KN_XR_RIGHT_HAND_PALM : KN_XR_LEFT_HAND_PALM;
        for (int j = firsts[side]; j < firsts[side] + 24; j++) {
            bool tip = strstr(kn_xr_joint_name(j), "_TIP") != NULL;
            vec3 z, y, back;
            axis(&t[j], 2, z);
            axis(&t[j], 1, y);
            if (!tip) {
                unit_dir(t[j + 1].position, t[j].position, back); /* child -> joint */
                ck_assert_msg(glm_vec3_dot(z, back) > 0.9999f, "%s: +Z . bone = %g",
                              kn_xr_joint_name(j), (double)glm_vec3_dot(z, back));
            } else {
                ck_assert_float_le(kn_quat_angle_between(t[j].orientation, t[j - 1].orientation),
                                   1e-6f);
            }
            ck_assert_msg(y[1] > 0.3f, "%s: +Y . up = %g", kn_xr_joint_name(j), (double)y[1]);
        }
        /* Wrist and palm: +Z from the fingers back toward the forearm, +Y up. */
        for (int k = 0; k < 2; k++) {
            int j = k ? palm : wrist;
            vec3 z, y, back;
            axis(&t[j], 2, z);
            axis(&t[j], 1, y);
            unit_dir(t[j == palm ? palm : wrist].position,
                     t[side ? KN_XR_RIGHT_ARM_LOWER : KN_XR_LEFT_ARM_LOWER].position, back);
            ck_assert_float_gt(glm_vec3_dot(z, back), 0.99f);
            ck_assert_float_gt(y[1], 0.99f);
        }
        /* The palm: centre of the middle finger's metacarpal, its axes. */
        int meta = side ? KN_XR_RIGHT_HAND_MIDDLE_METACARPAL : KN_XR_LEFT_HAND_MIDDLE_METACARPAL;
        vec3 centre;
        glm_vec3_center(t[meta].position, t[meta + 1].position, centre);
        assert_vec3(t[palm].position, centre[0], centre[1], centre[2], 1e-6f);
        ck_assert_float_le(kn_quat_angle_between(t[palm].orientation, t[meta].orientation), 1e-6f);
        /* +X = Y x Z: toward the thumb on the left hand, away on the right. */
        vec3 x, to_thumb;
        axis(&t[wrist], 0, x);
        unit_dir(t[wrist].position, t[firsts[side] + 3].position, to_thumb);
        ck_assert(side ? glm_vec3_dot(x, to_thumb) < -0.3f : glm_vec3_dot(x, to_thumb) > 0.3f);
    }
}
END_TEST

START_TEST(tpose_known_positions_and_axes)
{
    kn_pose t[N];
    kn_xr_joints_tpose(&skel, t);
    /* Standing: hips 0.9467 m up (1.4301 - 0.4834), the head at the
     * standing head height. */
    assert_vec3(t[KN_XR_ROOT].position, 0, 0, 0, EPS);
    assert_rotation(t[KN_XR_ROOT].orientation, 0, 0, 0, 1);
    assert_vec3(t[KN_XR_HIPS].position, 0, 0.9467f, 0, EPS);
    assert_vec3(t[KN_XR_SPINE_LOWER].position, 0, 0.9467f + 0.07425f, 0, EPS);
    assert_vec3(t[KN_XR_SPINE_MIDDLE].position, 0, 1.0952f, 0, EPS);
    assert_vec3(t[KN_XR_SPINE_UPPER].position, 0, 1.0952f + 0.05025f, 0.0024f, EPS);
    assert_vec3(t[KN_XR_HEAD].position, 0, 1.4301f, 0.0059f, EPS);
    assert_vec3(t[KN_XR_LEFT_SHOULDER].position, -0.0467f, 1.3262f, 0.0074f, EPS);
    assert_vec3(t[KN_XR_LEFT_ARM_UPPER].position, -0.1114f, 1.3279f, 0.0080f, EPS);
    assert_vec3(t[KN_XR_RIGHT_ARM_LOWER].position, 0.3569f, 1.3279f, 0.0080f, EPS);
    /* Three quarters of the forearm: 0.3569 + 0.75 * 0.2267 */
    assert_vec3(t[KN_XR_LEFT_HAND_WRIST_TWIST].position, -0.526925f, 1.3279f, 0.0080f, EPS);
    assert_vec3(t[KN_XR_LEFT_HAND_WRIST].position, -0.5836f, 1.3279f, 0.0080f, EPS);
    /* Palm: middle metacarpal centre (0.004, 0.0025, -0.060) in the wrist
     * frame (Ry(+90): (x, y, z) -> (z, y, -x)), scaled to 1.6134 / 1.75. */
    float s = (1.5101f / 0.936f) / 1.75f;
    assert_vec3(t[KN_XR_LEFT_HAND_PALM].position, -0.5836f - 0.060f * s, 1.3279f + 0.0025f * s,
                0.0080f - 0.004f * s, EPS);
    assert_vec3(t[KN_XR_RIGHT_HAND_PALM].position, 0.5836f + 0.060f * s, 1.3279f + 0.0025f * s,
                0.0080f - 0.004f * s, EPS);
    assert_vec3(t[KN_XR_LEFT_FOOT_ANKLE].position, -0.0653f, 0.1155f, -0.0030f, EPS);
    assert_vec3(t[KN_XR_LEFT_FOOT_BALL].position, -0.0665f, 0.0418f, -0.0963f, EPS);
    assert_vec3(t[KN_XR_RIGHT_FOOT_TRANSVERSE].position, 0.0653f + 0.6f * 0.0012f,
                0.1155f - 0.6f * 0.0737f, -0.0030f - 0.6f * 0.0933f, EPS);

    /* The axis table (kn_xr_joints.h). */
    assert_rotation(t[KN_XR_HIPS].orientation, S45, 0, 0, S45);
    assert_rotation(t[KN_XR_HEAD].orientation, S45, 0, 0, S45);
    assert_rotation(t[KN_XR_LEFT_ARM_UPPER].orientation, 0, S45, 0, S45);
    assert_rotation(t[KN_XR_RIGHT_SCAPULA].orientation, 0, -S45, 0, S45);
    assert_rotation(t[KN_XR_LEFT_HAND_WRIST].orientation, 0, S45, 0, S45);
    assert_rotation(t[KN_XR_RIGHT_LOWER_LEG].orientation, 0, S45, S45, 0);
    assert_rotation(t[KN_XR_LEFT_FOOT_ANKLE].orientation, 0, 0, 0, 1);
    /* The rule behind it: +Z back along the bone toward the trunk. */
    static const int chains[][2] = {
        {KN_XR_SPINE_LOWER, KN_XR_SPINE_MIDDLE},
        {KN_XR_NECK, KN_XR_HEAD},
        {KN_XR_LEFT_ARM_UPPER, KN_XR_LEFT_ARM_LOWER},
        {KN_XR_RIGHT_SCAPULA, KN_XR_RIGHT_ARM_UPPER},
        {KN_XR_LEFT_UPPER_LEG, KN_XR_LEFT_LOWER_LEG},
        {KN_XR_RIGHT_LOWER_LEG, KN_XR_RIGHT_FOOT_ANKLE},
    };
    for (size_t i = 0; i < sizeof chains / sizeof chains[0]; i++) {
        vec3 z, back;
        axis(&t[chains[i][0]], 2, z);
        unit_dir(t[chains[i][1]].position, t[chains[i][0]].position, back);
        ck_assert_msg(glm_vec3_dot(z, back) > 0.99f, "%s", kn_xr_joint_name(chains[i][0]));
    }

    /* T-pose in, T-pose out: the mapping of the rest pose is the skeleton. */
    vec3 hips = {0.0f, 0.9467f, 0.0f};
    float id[KN_JOINT_COUNT * 4];
    for (int j = 0; j < KN_JOINT_COUNT; j++)
        glm_quat_identity(id + 4 * j);
    kn_pose c[KN_JOINT_COUNT], out[N], lg, rg;
    kn_skeleton_fk(&skel, id, hips, c);
    kn_grip_from_hand(KN_SIDE_LEFT, &c[KN_JOINT_LEFT_HAND], &lg);
    kn_grip_from_hand(KN_SIDE_RIGHT, &c[KN_JOINT_RIGHT_HAND], &rg);
    kn_xr_joints_from_canonical(&skel, c, &lg, &rg, out);
    for (int j = 0; j < N; j++) {
        assert_vec3(out[j].position, t[j].position[0], t[j].position[1], t[j].position[2], EPS);
        ck_assert_float_le(kn_quat_angle_between(out[j].orientation, t[j].orientation), 1e-4f);
    }
}
END_TEST

START_TEST(root_twist_and_hand_size)
{
    float id[KN_JOINT_COUNT * 4];
    for (int j = 0; j < KN_JOINT_COUNT; j++)
        glm_quat_identity(id + 4 * j);
    /* Hips turned 90 degrees left at (2, 1, 3): the root under them, turned
     * the same. */
    glm_quat(id, glm_rad(90.0f), 0, 1, 0);
    /* The left hand turned 60 degrees about the forearm (X): the wrist twist
     * joint takes half of it. */
    glm_quat(id + 4 * KN_JOINT_LEFT_HAND, glm_rad(60.0f), 1, 0, 0);
    kn_pose c[KN_JOINT_COUNT], out[N];
    kn_skeleton_fk(&skel, id, (vec3){2.0f, 1.0f, 3.0f}, c);
    kn_xr_joints_from_canonical(&skel, c, NULL, NULL, out);
    assert_vec3(out[KN_XR_ROOT].position, 2.0f, 0.0f, 3.0f, EPS);
    assert_rotation(out[KN_XR_ROOT].orientation, 0, S45, 0, S45);
    versor half, arm, want;
    glm_quat(half, glm_rad(30.0f), 1, 0, 0);
    kn_quat_mul(c[KN_JOINT_LEFT_FOREARM].orientation, half, half);
    kn_xr_joint_axes(KN_XR_LEFT_HAND_WRIST_TWIST, arm);
    kn_quat_mul(half, arm, want);
    ck_assert_float_le(kn_quat_angle_between(out[KN_XR_LEFT_HAND_WRIST_TWIST].orientation, want),
                       1e-4f);

    /* Hands scale with the body: wrist to middle fingertip. */
    kn_skeleton tall;
    ck_assert_int_eq(kn_skeleton_for_body_height(&skel, 1.75f, &tall, NULL), KN_OK);
    kn_pose small_hand[KN_HAND_JOINT_COUNT], big_hand[KN_HAND_JOINT_COUNT];
    kn_hand_relaxed(KN_SIDE_LEFT, kn_skeleton_body_height(&skel), small_hand);
    kn_hand_relaxed(KN_SIDE_LEFT, kn_skeleton_body_height(&tall), big_hand);
    float reach_small = glm_vec3_norm(small_hand[KN_HAND_MIDDLE + 4].position);
    float reach_big = glm_vec3_norm(big_hand[KN_HAND_MIDDLE + 4].position);
    ck_assert_float_eq_tol(reach_big / reach_small, 1.75f / kn_skeleton_body_height(&skel), 1e-4f);
    /* About 19 cm for a 1.75 m adult, a little less curled up. */
    ck_assert_float_gt(reach_big, 0.17f);
    ck_assert_float_lt(reach_big, 0.20f);
    /* The right hand mirrors the left across the wrist's YZ plane. */
    kn_pose right[KN_HAND_JOINT_COUNT];
    kn_hand_relaxed(KN_SIDE_RIGHT, 1.75f, right);
    for (int k = 0; k < KN_HAND_JOINT_COUNT; k++)
        assert_vec3(right[k].position, -big_hand[k].position[0], big_hand[k].position[1],
                    big_hand[k].position[2], 1e-6f);
}
END_TEST

/* The BD and HTC sets: the tables, rigid bones in any pose, the body's axes
 * (the T-pose identity, the canonical segment's orientation when turned and
 * bent), and the joints they share with the full-body set at its place. */
START_TEST(bd_and_htc_sets)
{
    static const struct {
        int set;
        uint32_t count;
        const char *first, *last;
    } sets[] = {
        {KINEST_JOINT_SET_BD, 24, "PELVIS", "RIGHT_HAND"},
        {KINEST_JOINT_SET_BD_WITHOUT_ARM, 16, "PELVIS", "HEAD"},
        {KINEST_JOINT_SET_HTC, 26, "PELVIS", "RIGHT_WRIST"},
    };
    ck_assert_str_eq(kn_joints_name(KINEST_JOINT_SET_BD, 10), "LEFT_FOOT");
    ck_assert_str_eq(kn_joints_name(KINEST_JOINT_SET_HTC, 9), "WAIST");
    ck_assert_str_eq(kn_joints_name(KINEST_JOINT_SET_HTC, 26), "?");
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        int set = sets[i].set;
        uint32_t n = kn_joints_count(set);
        ck_assert_uint_eq(n, sets[i].count);
        ck_assert_str_eq(kn_joints_name(set, 0), sets[i].first);
        ck_assert_str_eq(kn_joints_name(set, (int)n - 1), sets[i].last);
        ck_assert_int_eq(kn_joints_parent(set, 0), -1);
        for (uint32_t j = 1; j < n; j++) {
            int p = kn_joints_parent(set, (int)j);
            ck_assert_msg(p >= 0 && (uint32_t)p < j, "%s: parent %d", kn_joints_name(set, (int)j),
                          p);
            for (uint32_t k = 0; k < j; k++)
                ck_assert_str_ne(kn_joints_name(set, (int)j), kn_joints_name(set, (int)k));
        }

        /* The T-pose: every joint with the body's axes (the palm follows
         * the relaxed hand, a little turned from its wrist). */
        kn_pose t[KN_JOINT_SET_MAX_COUNT], meta[N];
        ck_assert(kn_joints_tpose(set, &skel, t));
        kn_xr_joints_tpose(&skel, meta);
        versor id = {0, 0, 0, 1};
        for (uint32_t j = 0; j < n; j++)
            if (strcmp(kn_joints_name(set, (int)j) + strlen(kn_joints_name(set, (int)j)) - 4,
                       "HAND") != 0)
                ck_assert_msg(kn_quat_angle_between(t[j].orientation, id) < 1e-4f,
                              "%s is turned in the T-pose", kn_joints_name(set, (int)j));

        /* Random poses, with and without grips: every bone keeps its
         * T-pose length; each joint at a canonical joint has its pose
         * and the full-body set's joint there its position. */
        for (int trial = 0; trial < 20; trial++) {
            kn_pose c[KN_JOINT_COUNT], out[KN_JOINT_SET_MAX_COUNT], full[N], grip;
            random_pose(c);
            kn_grip_from_hand(KN_SIDE_LEFT, &c[KN_JOINT_LEFT_HAND], &grip);
            const kn_pose *lg = trial % 2 ? &grip : NULL;
            ck_assert(kn_joints_from_canonical(set, &skel, c, lg, NULL, out));
            kn_xr_joints_from_canonical(&skel, c, lg, NULL, full);
            for (uint32_t j = 1; j < n; j++) {
                int p = kn_joints_parent(set, (int)j);
                float rest = glm_vec3_distance(t[j].position, t[p].position);
                float posed = glm_vec3_distance(out[j].position, out[p].position);
                ck_assert_msg(fabsf(rest - posed) < 1e-4f, "%s: %g m in the T-pose, %g m posed",
                              kn_joints_name(set, (int)j), (double)rest, (double)posed);
            }
            for (int k = 0; k < KN_JOINT_COUNT; k++) {
                int j = kn_joints_at_canonical(set, k);
                if (j < 0)
                    continue;
                int m = kn_joints_at_canonical(KINEST_JOINT_SET_META_FULL_BODY, k);
                ck_assert_float_le(glm_vec3_distance(out[j].position, full[m].position), 1e-6f);
                if (k == KN_JOINT_LEFT_HAND && lg)
                    continue; /* oriented by the grip */
                ck_assert_float_le(kn_quat_angle_between(out[j].orientation, c[k].orientation),
                                   1e-4f);
            }
        }
    }
    /* Every canonical joint has its BD and HTC joint; the set without arms
     * stops at the collars. */
    for (int k = 0; k < KN_JOINT_COUNT; k++) {
        ck_assert_int_ge(kn_joints_at_canonical(KINEST_JOINT_SET_BD, k), 0);
        ck_assert_int_ge(kn_joints_at_canonical(KINEST_JOINT_SET_HTC, k), 0);
    }
    ck_assert_int_eq(kn_joints_at_canonical(KINEST_JOINT_SET_BD_WITHOUT_ARM, KN_JOINT_LEFT_HAND),
                     -1);
    ck_assert_int_eq(kn_joints_at_canonical(KINEST_JOINT_SET_BD_WITHOUT_ARM, KN_JOINT_LEFT_COLLAR),
                     13);

    /* A known pose: turned 90 degrees left, the left elbow bent 90 degrees
     * forward (the upper arm out to the side, +Z after the turn). The pelvis turns with the hips
     * (-Z, its front, to -X); the BD elbow and HTC elbow take the forearm's orientation, and the
     * forearm points forward. */
    float local[KN_JOINT_COUNT * 4];
    for (int j = 0; j < KN_JOINT_COUNT; j++)
        glm_quat_identity(local + 4 * j);
    glm_quat(local, glm_rad(90.0f), 0, 1, 0);
    glm_quat(local + 4 * KN_JOINT_LEFT_FOREARM, glm_rad(-90.0f), 0, 1, 0);
    kn_pose c[KN_JOINT_COUNT], bd[KN_JOINT_SET_MAX_COUNT], htc[KN_JOINT_SET_MAX_COUNT];
    kn_skeleton_fk(&skel, local, (vec3){0.0f, 1.0f, 0.0f}, c);
    kn_joints_from_canonical(KINEST_JOINT_SET_BD, &skel, c, NULL, NULL, bd);
    kn_joints_from_canonical(KINEST_JOINT_SET_HTC, &skel, c, NULL, NULL, htc);
    assert_rotation(bd[0].orientation, 0, S45, 0, S45);
    assert_rotation(htc[0].orientation, 0, S45, 0, S45);
    vec3 front;
    axis(&bd[0], 2, front);
    assert_vec3(front, 1.0f, 0.0f, 0.0f, 1e-5f);     /* +Z (back) points to +X */
    assert_rotation(bd[18].orientation, 0, 0, 0, 1); /* 90 - 90 degrees about Y */
    assert_rotation(htc[19].orientation, 0, 0, 0, 1);
    vec3 forearm;
    unit_dir(bd[18].position, bd[20].position, forearm);
    /* Facing -X after the turn, the bent forearm points along the facing. */
    assert_vec3(forearm, -1.0f, 0.0f, 0.0f, 1e-4f);
}
END_TEST

static Suite *joints_suite(void)
{
    Suite *s = suite_create("joints");
    TCase *tc = tcase_create("joints");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, table_and_tree);
    tcase_add_test(tc, every_joint_filled_finite_unit);
    tcase_add_test(tc, bones_are_rigid);
    tcase_add_test(tc, finger_axes_follow_the_rules);
    tcase_add_test(tc, tpose_known_positions_and_axes);
    tcase_add_test(tc, root_twist_and_hand_size);
    tcase_add_test(tc, bd_and_htc_sets);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(joints_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
