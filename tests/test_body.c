/* Tests for src/body: 6D back to a body hung from the head device, the
 * heading frame, hands onto grips, feet above the floor, knees that settle
 * into a new skeleton, validity and confidence. */
#include "body/kn_body.h"
#include "skeleton/kn_device_mount.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define EPS 1e-4f

static kn_skeleton skel;
static vec3 rest[KN_JOINT_COUNT];

static void setup(void)
{
    kn_skeleton_default(&skel);
    kn_skeleton_rest_positions(&skel, rest);
}

static uint32_t rng_state = 77u;
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

static void identity_6d(float *d6)
{
    for (int j = 0; j < KN_JOINT_COUNT; j++) {
        float *v = d6 + 6 * j;
        v[0] = 1, v[1] = 0, v[2] = 0, v[3] = 0, v[4] = 1, v[5] = 0;
    }
}

/* All three devices valid, live and tracked; the head device at `eye`. */
static kn_body_input input(const float *d6, const kn_heading *h, const float eye[3])
{
    kn_body_input in = {.local6d = d6, .heading = h};
    for (int d = 0; d < KN_DEVICE_COUNT; d++) {
        kn_pose_identity(&in.device[d]);
        in.device_valid[d] = true;
        in.device_weight[d] = 1.0f;
        in.device_tracked[d] = true;
    }
    glm_vec3_copy((float *)eye, in.device[KN_DEVICE_HEAD].position);
    return in;
}

static void assert_bones_rigid_for(const kn_skeleton *s, const kn_pose j[KN_JOINT_COUNT])
{
    for (int k = 1; k < KN_JOINT_COUNT; k++)
        ck_assert_float_eq_tol(
            glm_vec3_distance((float *)j[k].position, (float *)j[kn_joint_parent(k)].position),
            kn_skeleton_bone_length(s, k), 1e-4f);
}

static void assert_bones_rigid(const kn_pose j[KN_JOINT_COUNT])
{
    assert_bones_rigid_for(&skel, j);
}

START_TEST(rest_pose_hangs_from_the_head_device)
{
    float d6[KN_JOINT_COUNT * 6];
    identity_6d(d6);
    kn_heading h;
    kn_heading_init(&h);
    kn_body_input in = input(d6, &h, (vec3){0.3f, 1.5101f, -1.0f});
    kn_body b;
    ck_assert_int_eq(kn_body_solve(&skel, &in, &b, NULL), KN_OK);
    /* Head joint = device - (0, 0.08, -0.08); the rest of the body hangs
     * from it: hips at 1.5101 - 0.08 - 0.4834 = 0.9467 m. */
    assert_vec3(b.joints[KN_JOINT_HEAD].position, 0.3f, 1.4301f, -0.92f, EPS);
    for (int j = 0; j < KN_JOINT_COUNT; j++) {
        assert_vec3(b.joints[j].position, rest[j][0] + 0.3f, rest[j][1] + 0.9467f,
                    rest[j][2] - 0.92f - 0.0059f, EPS);
        ck_assert(b.valid[j]);
        ck_assert(b.tracked[j] ==
                  (j == KN_JOINT_HEAD || j == KN_JOINT_LEFT_HAND || j == KN_JOINT_RIGHT_HAND));
    }
    ck_assert(b.active);
    ck_assert_float_eq_tol(b.confidence, 1.0f, 1e-6f);
    ck_assert_float_eq(b.floor_lift, 0.0f);
    ck_assert(!b.leg_bent[0] && !b.leg_bent[1]);
}
END_TEST

START_TEST(root_is_turned_by_the_heading)
{
    float d6[KN_JOINT_COUNT * 6];
    identity_6d(d6);
    /* Heading 90 degrees left: the body faces -X, its left hand is at +Z. */
    kn_heading h = {.cos_yaw = 0.0f, .sin_yaw = 1.0f};
    kn_body_input in = input(d6, &h, (vec3){0, 1.5101f, 0});
    glm_quat(in.device[KN_DEVICE_HEAD].orientation, glm_rad(90.0f), 0, 1, 0);
    kn_body b;
    ck_assert_int_eq(kn_body_solve(&skel, &in, &b, NULL), KN_OK);
    vec3 d;
    glm_vec3_sub(b.joints[KN_JOINT_LEFT_HAND].position, b.joints[KN_JOINT_HIPS].position, d);
    /* R_y(90) (x, y, z) = (z, y, -x) */
    const float *r = rest[KN_JOINT_LEFT_HAND];
    assert_vec3(d, r[2], r[1], -r[0], EPS);
    /* The head device still lands where it is. */
    kn_pose dev;
    kn_head_device_from_joint(&b.joints[KN_JOINT_HEAD], &dev);
    assert_vec3(dev.position, 0, 1.5101f, 0, EPS);
}
END_TEST

/* A pose run to local 6D (root in the heading frame) and back lands on
 * itself: the way docs/model.md describes, in both directions. */
START_TEST(truth_round_trip)
{
    for (int trial = 0; trial < 20; trial++) {
        float local[KN_JOINT_COUNT * 4];
        for (int j = 0; j < KN_JOINT_COUNT; j++) {
            /* Moderate turns, legs straight down so the feet stay up. */
            float s = j >= KN_JOINT_LEFT_THIGH ? 0.0f : 0.4f;
            float raw[4] = {s * frand(), s * frand(), s * frand(), 1.0f};
            kn_quat_sanitize(raw, local + 4 * j);
        }
        versor yaw;
        glm_quat(yaw, 3.0f * frand(), 0, 1, 0);
        kn_quat_mul(yaw, local, local); /* global hips: a heading plus a tilt */
        kn_pose truth[KN_JOINT_COUNT];
        kn_skeleton_fk(&skel, local, (vec3){frand(), 1.2f, frand()}, truth);

        kn_pose device;
        kn_head_device_from_joint(&truth[KN_JOINT_HEAD], &device);
        kn_heading h;
        kn_heading_init(&h);
        kn_heading_update(&h, &device, true);
        versor y, yinv, root;
        kn_heading_quat(&h, y);
        glm_quat_conjugate(y, yinv);
        kn_quat_mul(yinv, local, root);
        float d6[KN_JOINT_COUNT * 6];
        kn_quat_to_6d(root, d6);
        for (int j = 1; j < KN_JOINT_COUNT; j++)
            kn_quat_to_6d(local + 4 * j, d6 + 6 * j);

        kn_body_input in = input(d6, &h, device.position);
        in.device[KN_DEVICE_HEAD] = device;
        kn_body b;
        ck_assert_int_eq(kn_body_solve(&skel, &in, &b, NULL), KN_OK);
        for (int j = 0; j < KN_JOINT_COUNT; j++) {
            assert_vec3(b.joints[j].position, truth[j].position[0], truth[j].position[1],
                        truth[j].position[2], EPS);
            ck_assert_float_le(kn_quat_angle_between(b.joints[j].orientation, truth[j].orientation),
                               1e-3f);
        }
    }
}
END_TEST

START_TEST(feet_are_kept_above_the_floor)
{
    float d6[KN_JOINT_COUNT * 6];
    identity_6d(d6);
    kn_heading h;
    kn_heading_init(&h);
    /* Straight legs under a head device at 1.0 m: the feet would be 0.47 m
     * under the floor; the legs bend instead, the head stays put. */
    kn_body_input in = input(d6, &h, (vec3){0, 1.0f, 0});
    kn_body b;
    ck_assert_int_eq(kn_body_solve(&skel, &in, &b, NULL), KN_OK);
    ck_assert(b.leg_bent[0] && b.leg_bent[1]);
    ck_assert_float_eq(b.floor_lift, 0.0f);
    /* The sole on the floor: the lowest foot joint at the sole height
     * (4.2 cm for the default skeleton), not at y = 0. */
    const float sole = kn_feet_sole_height(&skel);
    ck_assert_float_eq_tol(sole, 0.042f, 0.01f);
    for (int foot = KN_JOINT_LEFT_FOOT; foot <= KN_JOINT_RIGHT_FOOT; foot += 4) {
        float low = fminf(b.joints[foot].position[1], b.joints[foot + 1].position[1]);
        ck_assert_float_eq_tol(low, sole, 1e-5f);
        /* Knees forward of the hips (-Z). */
        ck_assert_float_lt(b.joints[foot - 1].position[2], b.joints[foot - 2].position[2] - 0.1f);
        /* In the thigh's frame the shin swings back (+Z): a knee, not a
         * knee bent backward with the thigh twisted round. */
        versor inv, local;
        vec3 shin;
        glm_quat_conjugate(b.joints[foot - 2].orientation, inv);
        kn_quat_mul(inv, b.joints[foot - 1].orientation, local);
        kn_quat_rotate(local, (vec3){0, -1, 0}, shin);
        ck_assert_float_gt(shin[2], 0.3f);
        /* The foot keeps its orientation: the toes stay level with it. */
        ck_assert_float_le(kn_quat_angle_between(b.joints[foot].orientation, (versor){0, 0, 0, 1}),
                           1e-5f);
    }
    assert_bones_rigid(b.joints);
    kn_pose dev;
    kn_head_device_from_joint(&b.joints[KN_JOINT_HEAD], &dev);
    assert_vec3(dev.position, 0, 1.0f, 0, EPS);

    /* Hips under the floor (device at 0.3 m): the legs fold up to keep
     * the soles on the floor (before the sole height, this passed on a
     * rounding-sized lift); a leg that cannot reach lifts the body. */
    in.device[KN_DEVICE_HEAD].position[1] = 0.3f;
    ck_assert_int_eq(kn_body_solve(&skel, &in, &b, NULL), KN_OK);
    ck_assert_float_ge(b.floor_lift, 0.0f);
    float low = 1e9f;
    for (int j = 0; j < KN_JOINT_COUNT; j++)
        if (j == KN_JOINT_LEFT_FOOT || j == KN_JOINT_LEFT_TOES || j == KN_JOINT_RIGHT_FOOT ||
            j == KN_JOINT_RIGHT_TOES)
            low = fminf(low, b.joints[j].position[1]);
    ck_assert_float_eq_tol(low, sole, 1e-5f);
    assert_bones_rigid(b.joints);
}
END_TEST

static float lowest_foot(const kn_body *b, int foot)
{
    return fminf(b->joints[foot].position[1], b->joints[foot + 1].position[1]);
}

static float knee_bend(const kn_body *b)
{
    vec3 off;
    kn_two_bone_offset(b->joints[KN_JOINT_LEFT_THIGH].position,
                       b->joints[KN_JOINT_LEFT_SHIN].position,
                       b->joints[KN_JOINT_LEFT_FOOT].position, off);
    return glm_vec3_norm(off);
}

static float knee_move(const kn_body *a, const kn_body *b)
{
    return glm_vec3_distance((float *)a->joints[KN_JOINT_LEFT_SHIN].position,
                             (float *)b->joints[KN_JOINT_LEFT_SHIN].position);
}

/* Shins 2 cm longer under a head that stays put: to keep the soles on the
 * floor the straight knees must bend by about 9 cm, which a stateless
 * solve does in one tick (issue 14: knees moved up to 6.7 cm a tick while
 * a calibration blended in). While the hinges settle a knee's bend changes
 * at most their step a tick; the head stays on its device and the sole
 * waits below the floor until the knee has caught up, then the bound
 * ends. */
START_TEST(knees_settle_into_a_new_skeleton)
{
    float d6[KN_JOINT_COUNT * 6];
    identity_6d(d6);
    kn_heading h;
    kn_heading_init(&h);
    const float eye = kn_skeleton_eye_height(&skel);
    kn_body_input in = input(d6, &h, (vec3){0, eye, 0});
    kn_body_hinges hinges;
    kn_body_hinges_reset(&hinges);
    in.hinges = &hinges;
    kn_body b, last;
    ck_assert_int_eq(kn_body_solve(&skel, &in, &last, NULL), KN_OK);
    ck_assert(!last.leg_bent[0]);
    ck_assert_float_lt(knee_bend(&last), 1e-3f);

    kn_skeleton longer = skel;
    longer.offsets[KN_JOINT_LEFT_FOOT][1] -= 0.02f;
    longer.offsets[KN_JOINT_RIGHT_FOOT][1] -= 0.02f;
    longer.standing_head_height += 0.02f;
    const float sole = kn_feet_sole_height(&longer);
    kn_body_input free_in = in;
    free_in.hinges = NULL;
    kn_body settled;
    ck_assert_int_eq(kn_body_solve(&longer, &free_in, &settled, NULL), KN_OK);
    ck_assert_float_gt(knee_bend(&settled), 0.08f);
    ck_assert_float_gt(knee_move(&last, &settled), 0.08f); /* unbounded: in one tick */

    kn_body_hinges_settle(&hinges, &longer);
    ck_assert_float_eq_tol(
        hinges.step, KN_BODY_BEND_STEP_M * longer.standing_head_height / skel.standing_head_height,
        1e-6f);
    int ticks = 0;
    do {
        ck_assert_int_eq(kn_body_solve(&longer, &in, &b, NULL), KN_OK);
        ck_assert_float_le(knee_move(&last, &b), 1.5f * hinges.step);
        ck_assert_float_eq(b.floor_lift, 0.0f);
        ck_assert_float_ge(lowest_foot(&b, KN_JOINT_LEFT_FOOT), sole - 0.021f);
        kn_pose dev;
        kn_head_device_from_joint(&b.joints[KN_JOINT_HEAD], &dev);
        assert_vec3(dev.position, 0, eye, 0, EPS);
        last = b;
    } while (kn_body_hinges_settling(&hinges) && ++ticks < 100);
    ck_assert_int_gt(ticks, 5);
    ck_assert(!kn_body_hinges_settling(&hinges));
    ck_assert_float_le(knee_move(&b, &settled), 1e-4f);
    ck_assert_float_eq_tol(lowest_foot(&b, KN_JOINT_LEFT_FOOT), sole, 1e-4f);
    assert_bones_rigid_for(&longer, b.joints);

    /* Settled: the next solves are free again. */
    ck_assert_int_eq(kn_body_solve(&longer, &in, &b, NULL), KN_OK);
    ck_assert_float_le(knee_move(&b, &settled), 1e-4f);
}
END_TEST

/* The rest body under a head device 5 cm below standing (the legs have
 * slack), both feet in contact by the model's logits, the head walking
 * forward 1 cm a tick: the feet stay where they were put down, soles on
 * the floor; the left one let go fades onto the prediction along a
 * smoothstep over KN_FEET_RELEASE_TICKS;
 * the right one is let go once the prediction is 30 cm away. */
START_TEST(planted_feet_stand_and_let_go_smoothly)
{
    float d6[KN_JOINT_COUNT * 6];
    identity_6d(d6);
    kn_heading h;
    kn_heading_init(&h);
    const float eye = kn_skeleton_eye_height(&skel) - 0.05f, sole = kn_feet_sole_height(&skel);
    kn_feet feet;
    kn_feet_reset(&feet);
    float logits[2] = {2.0f, 0.5f};
    kn_body_input in = input(d6, &h, (vec3){0, eye, 0}), free_in;
    in.feet = &feet;
    in.contact = logits;
    free_in = in;
    free_in.feet = NULL;
    kn_body b, pred;
    ck_assert_int_eq(kn_body_solve(&skel, &in, &b, NULL), KN_OK);
    ck_assert(b.foot_planted[0] && b.foot_planted[1]);
    vec3 put[2];
    glm_vec3_copy(b.joints[KN_JOINT_LEFT_FOOT].position, put[0]);
    glm_vec3_copy(b.joints[KN_JOINT_RIGHT_FOOT].position, put[1]);
    for (int t = 1; t <= 10; t++) {
        in.device[KN_DEVICE_HEAD].position[2] = -0.01f * (float)t;
        ck_assert_int_eq(kn_body_solve(&skel, &in, &b, NULL), KN_OK);
        ck_assert(b.foot_planted[0] && b.foot_planted[1]);
        assert_vec3(b.joints[KN_JOINT_LEFT_FOOT].position, put[0][0], put[0][1], put[0][2], EPS);
        assert_vec3(b.joints[KN_JOINT_RIGHT_FOOT].position, put[1][0], put[1][1], put[1][2], EPS);
        ck_assert_float_eq_tol(lowest_foot(&b, KN_JOINT_LEFT_FOOT), sole, 1e-5f);
        assert_bones_rigid(b.joints);
    }
    logits[0] = -1.0f; /* the left foot lifts */
    free_in.device[KN_DEVICE_HEAD] = in.device[KN_DEVICE_HEAD];
    ck_assert_int_eq(kn_body_solve(&skel, &free_in, &pred, NULL), KN_OK);
    float gap = put[0][2] - pred.joints[KN_JOINT_LEFT_FOOT].position[2]; /* 0.10 m */
    ck_assert_float_eq_tol(gap, 0.10f, EPS);
    for (int k = 1; k <= KN_FEET_RELEASE_TICKS + 1; k++) {
        float u = fminf(1.0f, (float)k / (float)KN_FEET_RELEASE_TICKS);
        ck_assert_int_eq(kn_body_solve(&skel, &in, &b, NULL), KN_OK);
        ck_assert(!b.foot_planted[0] && b.foot_planted[1]);
        ck_assert_float_eq_tol(b.joints[KN_JOINT_LEFT_FOOT].position[2] -
                                   pred.joints[KN_JOINT_LEFT_FOOT].position[2],
                               gap * (1.0f - u * u * (3.0f - 2.0f * u)), EPS);
        assert_bones_rigid(b.joints);
    }
    in.device[KN_DEVICE_HEAD].position[2] = -0.29f;
    ck_assert_int_eq(kn_body_solve(&skel, &in, &b, NULL), KN_OK);
    ck_assert(b.foot_planted[1]);
    in.device[KN_DEVICE_HEAD].position[2] = -0.31f;
    ck_assert_int_eq(kn_body_solve(&skel, &in, &b, NULL), KN_OK);
    ck_assert(!b.foot_planted[1]);
}
END_TEST

/* Without contact logits (weights without a contact head) no foot is
 * planted; the soles still rest on the floor. A lost head lets go. */
START_TEST(without_contact_logits_no_foot_is_planted)
{
    float d6[KN_JOINT_COUNT * 6];
    identity_6d(d6);
    kn_heading h;
    kn_heading_init(&h);
    kn_feet feet;
    kn_feet_reset(&feet);
    kn_body_input in = input(d6, &h, (vec3){0, kn_skeleton_eye_height(&skel) - 0.05f, 0});
    in.feet = &feet;
    kn_body b;
    for (int t = 0; t < 3; t++) {
        ck_assert_int_eq(kn_body_solve(&skel, &in, &b, NULL), KN_OK);
        ck_assert(!b.foot_planted[0] && !b.foot_planted[1]);
        ck_assert_float_eq_tol(lowest_foot(&b, KN_JOINT_LEFT_FOOT), kn_feet_sole_height(&skel),
                               1e-5f);
    }
    float logits[2] = {1.0f, 1.0f};
    in.contact = logits;
    ck_assert_int_eq(kn_body_solve(&skel, &in, &b, NULL), KN_OK);
    ck_assert(feet.planted[0] && feet.planted[1]);
    in.device_valid[KN_DEVICE_HEAD] = false;
    ck_assert_int_eq(kn_body_solve(&skel, &in, &b, NULL), KN_OK);
    ck_assert(!feet.planted[0] && !feet.planted[1]);
}
END_TEST

START_TEST(hands_reach_the_grips)
{
    float d6[KN_JOINT_COUNT * 6];
    identity_6d(d6);
    kn_heading h;
    kn_heading_init(&h);
    kn_body_input in = input(d6, &h, (vec3){0, 1.5101f, 0});
    in.flags |= KN_BODY_HANDS_TO_GRIPS;
    /* Left hand 35 cm in front of the chest, palm down; right grip 2 m away. */
    kn_pose left_hand = {{0, 0, 0, 1}, {-0.15f, 1.2f, -0.35f}},
            right_hand = {{0, 0, 0, 1}, {2.0f, 1.3f, 0.0f}};
    kn_grip_from_hand(KN_SIDE_LEFT, &left_hand, &in.device[KN_DEVICE_LEFT_GRIP]);
    kn_grip_from_hand(KN_SIDE_RIGHT, &right_hand, &in.device[KN_DEVICE_RIGHT_GRIP]);
    kn_body b;
    ck_assert_int_eq(kn_body_solve(&skel, &in, &b, NULL), KN_OK);
    ck_assert(b.hand_reached[KN_SIDE_LEFT]);
    ck_assert(!b.hand_reached[KN_SIDE_RIGHT]);
    assert_vec3(b.joints[KN_JOINT_LEFT_HAND].position, -0.15f, 1.2f, -0.35f, 1e-3f);
    /* Elbow bent backward (+Z of the shoulder-hand line), not forward, and
     * flexing like an elbow: the forearm swung forward in the upper arm's frame. */
    ck_assert_float_gt(b.joints[KN_JOINT_LEFT_FOREARM].position[2],
                       b.joints[KN_JOINT_LEFT_HAND].position[2]);
    versor inv, local;
    vec3 fore;
    glm_quat_conjugate(b.joints[KN_JOINT_LEFT_UPPER_ARM].orientation, inv);
    kn_quat_mul(inv, b.joints[KN_JOINT_LEFT_FOREARM].orientation, local);
    kn_quat_rotate(local, (vec3){-1, 0, 0}, fore);
    ck_assert_float_lt(fore[2], -0.1f);
    /* Out of reach: stretched toward the grip's wrist. */
    const float *sh = b.joints[KN_JOINT_RIGHT_UPPER_ARM].position;
    vec3 to_wrist, to_target;
    glm_vec3_sub(b.joints[KN_JOINT_RIGHT_HAND].position, (float *)sh, to_wrist);
    glm_vec3_sub(right_hand.position, (float *)sh, to_target);
    ck_assert_float_eq_tol(glm_vec3_norm(to_wrist), 0.2455f + 0.2267f, 1e-4f);
    ck_assert_float_gt(glm_vec3_dot(to_wrist, to_target) /
                           (glm_vec3_norm(to_wrist) * glm_vec3_norm(to_target)),
                       0.99999f);
    assert_bones_rigid(b.joints);
}
END_TEST

START_TEST(validity_and_confidence)
{
    float d6[KN_JOINT_COUNT * 6];
    identity_6d(d6);
    kn_heading h;
    kn_heading_init(&h);
    kn_body_input in = input(d6, &h, (vec3){0, 1.5101f, 0});
    /* A NaN and a degenerate 6D: those joints are not valid (but finite),
     * confidence drops by their share. */
    d6[6 * KN_JOINT_LEFT_FOREARM] = NAN;
    d6[6 * KN_JOINT_NECK + 3] = 1.0f, d6[6 * KN_JOINT_NECK + 4] = 0.0f; /* a2 parallel to a1 */
    in.device_weight[KN_DEVICE_LEFT_GRIP] = 0.5f;
    in.device_tracked[KN_DEVICE_RIGHT_GRIP] = false;
    kn_body b;
    ck_assert_int_eq(kn_body_solve(&skel, &in, &b, NULL), KN_OK);
    ck_assert(!b.valid[KN_JOINT_LEFT_FOREARM]);
    ck_assert(!b.valid[KN_JOINT_NECK]);
    ck_assert(b.valid[KN_JOINT_HEAD]);
    ck_assert(!b.tracked[KN_JOINT_RIGHT_HAND]);
    ck_assert(b.tracked[KN_JOINT_LEFT_HAND]);
    for (int j = 0; j < KN_JOINT_COUNT; j++)
        for (int i = 0; i < 3; i++)
            ck_assert(isfinite(b.joints[j].position[i]));
    /* 1 * (0.5 + 0.25 * 0.5 + 0.25) * 19 / 21 */
    ck_assert_float_eq_tol(b.confidence, 0.875f * 19.0f / 21.0f, 1e-6f);

    /* No head: no body. */
    in.device_valid[KN_DEVICE_HEAD] = false;
    ck_assert_int_eq(kn_body_solve(&skel, &in, &b, NULL), KN_OK);
    ck_assert(!b.active);
    ck_assert_float_eq(b.confidence, 0.0f);
    for (int j = 0; j < KN_JOINT_COUNT; j++)
        ck_assert(!b.valid[j] && !b.tracked[j]);

    kn_error err;
    in.local6d = NULL;
    ck_assert_int_eq(kn_body_solve(&skel, &in, &b, &err), KN_ERROR_INVALID_ARGUMENT);
}
END_TEST

static Suite *body_suite(void)
{
    Suite *s = suite_create("body");
    TCase *tc = tcase_create("body");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, rest_pose_hangs_from_the_head_device);
    tcase_add_test(tc, root_is_turned_by_the_heading);
    tcase_add_test(tc, truth_round_trip);
    tcase_add_test(tc, feet_are_kept_above_the_floor);
    tcase_add_test(tc, planted_feet_stand_and_let_go_smoothly);
    tcase_add_test(tc, knees_settle_into_a_new_skeleton);
    tcase_add_test(tc, without_contact_logits_no_foot_is_planted);
    tcase_add_test(tc, hands_reach_the_grips);
    tcase_add_test(tc, validity_and_confidence);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(body_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
