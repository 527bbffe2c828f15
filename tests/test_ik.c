/* Tests for src/ik: the three-point IK body reaches the grips, hangs from
 * the head device, keeps its bones and its feet on the floor, steps, and
 * (with KINEST_IK_CLIPS set, see ik_accuracy.sh) stays close to real
 * motion capture: MPJPE against the truth of real clips. */
#include "body/kn_body.h"
#include "clip/kn_clip.h"
#include "ik/kn_ik.h"
#include "ik/kn_two_bone.h"

#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TICK_NS 16666667LL

static kn_skeleton skel;

static void setup(void)
{
    kn_skeleton_default(&skel);
}

static void assert_vec3(const float *got, const float *want, float tol)
{
    for (int i = 0; i < 3; i++)
        ck_assert_float_eq_tol(got[i], want[i], tol);
}

/* One tick through the IK and the body module, as the engine will run it. */
typedef struct rig {
    kn_ik ik;
    kn_heading heading;
    kn_ik_output ik_out;
    kn_body body;
} rig;

static void rig_init(rig *r, const kn_skeleton *s)
{
    kn_ik_init(&r->ik, s, NULL);
    kn_heading_init(&r->heading);
}

static void rig_tick(rig *r, const kn_skeleton *s, int64_t t, const kn_pose *head,
                     const kn_pose *left, const kn_pose *right)
{
    kn_heading_update(&r->heading, head, true);
    kn_ik_input in = {.time_ns = t,
                      .head = *head,
                      .head_valid = true,
                      .grip = {*left, *right},
                      .grip_valid = {true, true},
                      .heading = &r->heading};
    ck_assert_int_eq(kn_ik_solve(&r->ik, &in, &r->ik_out, NULL), KN_OK);
    kn_body_input bi = {.local6d = r->ik_out.local6d, .heading = &r->heading};
    bi.device[KN_DEVICE_HEAD] = *head;
    bi.device[KN_DEVICE_LEFT_GRIP] = *left;
    bi.device[KN_DEVICE_RIGHT_GRIP] = *right;
    for (int d = 0; d < KN_DEVICE_COUNT; d++) {
        bi.device_valid[d] = bi.device_tracked[d] = true;
        bi.device_weight[d] = 1.0f;
    }
    ck_assert_int_eq(kn_body_solve(s, &bi, &r->body, NULL), KN_OK);
}

static void assert_body_sound(const kn_skeleton *s, const kn_body *b, const kn_pose *head)
{
    for (int j = 1; j < KN_JOINT_COUNT; j++)
        ck_assert_float_eq_tol(glm_vec3_distance((float *)b->joints[j].position,
                                                 (float *)b->joints[kn_joint_parent(j)].position),
                               kn_skeleton_bone_length(s, j), 1e-4f);
    static const int feet[4] = {KN_JOINT_LEFT_FOOT, KN_JOINT_LEFT_TOES, KN_JOINT_RIGHT_FOOT,
                                KN_JOINT_RIGHT_TOES};
    for (int k = 0; k < 4; k++)
        ck_assert_float_ge(b->joints[feet[k]].position[1], -1e-5f);
    /* The head joint + the eye offset is the head device, within 1 mm. */
    kn_pose dev;
    kn_head_device_from_joint(&b->joints[KN_JOINT_HEAD], &dev);
    ck_assert_float_le(glm_vec3_distance(dev.position, (float *)head->position), 1e-3f);
    ck_assert_float_le(kn_quat_angle_between(dev.orientation, head->orientation), 1e-3f);
    ck_assert_float_eq(b->floor_lift, 0.0f);
}

static void grip_for_hand(kn_side side, const float pos[3], const float q[4], kn_pose *grip)
{
    kn_pose hand = {{q[0], q[1], q[2], q[3]}, {pos[0], pos[1], pos[2]}};
    kn_grip_from_hand(side, &hand, grip);
}

START_TEST(two_bone_solver)
{
    /* A 0.3 + 0.25 arm along -X, elbow bending back (+Z). */
    kn_two_bone_rest rest = {{-0.3f, 0, 0}, {-0.25f, 0, 0}, {0, 0, 1}};
    kn_two_bone_result r;
    vec3 root = {0, 0, 0}, target = {-0.3f, -0.25f, 0}, pole = {0, 0, 1};
    kn_two_bone_solve(&rest, root, target, pole, &r);
    ck_assert(r.reached);
    assert_vec3(r.end, target, 1e-5f);
    ck_assert_float_eq_tol(glm_vec3_distance(r.middle, root), 0.3f, 1e-5f);
    ck_assert_float_eq_tol(glm_vec3_distance(r.middle, r.end), 0.25f, 1e-5f);
    ck_assert_float_gt(r.middle[2], 0.0f); /* toward the pole */
    /* The rotations turn the rest bones onto the solved ones. */
    vec3 v, want;
    kn_quat_rotate(r.upper, rest.upper, v);
    assert_vec3(v, r.middle, 1e-5f);
    kn_quat_rotate(r.lower, rest.lower, v);
    glm_vec3_sub(r.end, r.middle, want);
    assert_vec3(v, want, 1e-5f);
    /* In the upper bone's own frame the lower one swings forward (-Z), the
     * way an elbow flexes from the T-pose, away from the bend side. */
    versor inv, local;
    glm_quat_conjugate(r.upper, inv);
    kn_quat_mul(inv, r.lower, local);
    kn_quat_rotate(local, (vec3){-1, 0, 0}, v);
    ck_assert_float_lt(v[2], -0.5f);
    /* The hinge stays a hinge: the bend axis is the same in both bones. */
    vec3 a1, a2, rest_axis = {0, -1, 0};
    kn_quat_rotate(r.upper, rest_axis, a1);
    kn_quat_rotate(r.lower, rest_axis, a2);
    assert_vec3(a1, a2, 1e-5f);

    /* Straight target: identity rotations. */
    vec3 straight = {-0.55f, 0, 0};
    kn_two_bone_solve(&rest, root, straight, pole, &r);
    ck_assert(r.reached);
    ck_assert_float_le(kn_quat_angle_between(r.upper, (versor){0, 0, 0, 1}), 1e-3f);
    /* Out of reach: stretched along the line to the target. */
    vec3 far = {0, -2.0f, 0}, stretched = {0, -0.55f, 0};
    kn_two_bone_solve(&rest, root, far, pole, &r);
    ck_assert(!r.reached);
    assert_vec3(r.end, stretched, 1e-5f);
    /* Too close: folded to |l1 - l2|. */
    vec3 near = {-0.01f, 0, 0};
    kn_two_bone_solve(&rest, root, near, pole, &r);
    ck_assert(!r.reached);
    ck_assert_float_eq_tol(glm_vec3_norm(r.end), 0.05f, 1e-5f);
}
END_TEST

/* A leg at full stretch whose bones grow by 4 mm a tick (a new skeleton
 * blending in): free, the knee swings out by centimetres at once; settling,
 * its bend changes at most the step a tick, then follows freely. */
START_TEST(two_bone_bend_settles)
{
    const float root[3] = {0.0f, 1.0f, 0.0f}, target[3] = {0.0f, 0.1f, 0.0f};
    const float pole[3] = {0.0f, 0.0f, -1.0f};
    kn_two_bone_rest rest = {
        .upper = {0.0f, -0.45f, 0.0f}, .lower = {0.0f, -0.45f, 0.0f}, .bend = {0.0f, 0.0f, -1.0f}};
    kn_two_bone_limit limit = {0};
    kn_two_bone_result free, bounded;
    kn_two_bone_solve_limited(&rest, root, target, pole, &limit, 0.005f, &bounded);
    float before[3] = {bounded.middle[0], bounded.middle[1], bounded.middle[2]};
    rest.upper[1] -= 0.004f;
    rest.lower[1] -= 0.004f;
    kn_two_bone_solve(&rest, root, target, pole, &free);
    ck_assert_float_gt(fabsf(free.middle[2] - before[2]), 0.05f);
    limit.settling = true;
    kn_two_bone_solve_limited(&rest, root, target, pole, &limit, 0.005f, &bounded);
    ck_assert_float_le(fabsf(bounded.middle[2] - before[2]), 0.0051f);
    ck_assert(!bounded.reached);
    for (int i = 0; i < 30; i++)
        kn_two_bone_solve_limited(&rest, root, target, pole, &limit, 0.005f, &bounded);
    ck_assert(!limit.settling);
    ck_assert_float_eq_tol(bounded.middle[2], free.middle[2], 1e-5f);
    ck_assert(bounded.reached);
}
END_TEST

START_TEST(hands_reach_grips_head_on_device)
{
    rig r;
    rig_init(&r, &skel);
    kn_pose head = {{0, 0, 0, 1}, {0.2f, 1.5101f, -0.4f}}, left, right;
    versor palm_in, fist_up;
    glm_quat(palm_in, glm_rad(70.0f), 1, 0, 0);
    glm_quat(fist_up, glm_rad(-30.0f), 0, 0, 1);
    grip_for_hand(KN_SIDE_LEFT, (vec3){0.0f, 1.15f, -0.7f}, palm_in, &left);
    grip_for_hand(KN_SIDE_RIGHT, (vec3){0.55f, 1.55f, -0.55f}, fist_up, &right);
    for (int t = 0; t < 3; t++)
        rig_tick(&r, &skel, t * TICK_NS, &head, &left, &right);
    ck_assert(r.ik_out.hand_reached[0] && r.ik_out.hand_reached[1]);
    static const int hands[2] = {KN_JOINT_LEFT_HAND, KN_JOINT_RIGHT_HAND};
    const kn_pose *grips[2] = {&left, &right};
    for (int side = 0; side < 2; side++) {
        kn_pose want;
        kn_hand_from_grip((kn_side)side, grips[side], &want);
        const kn_pose *got = &r.body.joints[hands[side]];
        ck_assert_float_le(glm_vec3_distance((float *)got->position, want.position), 1e-3f);
        ck_assert_float_le(kn_quat_angle_between(got->orientation, want.orientation), 1e-3f);
        /* The IK's own answer and the body rebuilt from its 6D agree. */
        ck_assert_float_le(
            glm_vec3_distance((float *)got->position, r.ik_out.joints[hands[side]].position),
            1e-3f);
    }
    /* The left hand is low and in front: its elbow hangs below the shoulder
     * and behind the wrist. */
    const float *le = r.body.joints[KN_JOINT_LEFT_FOREARM].position;
    const float *ls = r.body.joints[KN_JOINT_LEFT_UPPER_ARM].position;
    const float *lw = r.body.joints[KN_JOINT_LEFT_HAND].position;
    ck_assert_float_lt(le[1], ls[1]);
    ck_assert_float_gt(le[2], lw[2]);
    /* Elbows flex as elbows: in the upper arm's frame the forearm has
     * swung forward (-Z) from the T-pose, never backward. */
    for (int side = 0; side < 2; side++) {
        versor inv, local;
        vec3 fore;
        glm_quat_conjugate(r.body.joints[hands[side] - 2].orientation, inv);
        kn_quat_mul(inv, r.body.joints[hands[side] - 1].orientation, local);
        kn_quat_rotate(local, (vec3){side ? 1.0f : -1.0f, 0, 0}, fore);
        ck_assert_float_lt(fore[2], -0.1f);
    }
    assert_body_sound(&skel, &r.body, &head);
    /* Standing straight: the hips right under the head, feet under the hips. */
    const float *hips = r.body.joints[KN_JOINT_HIPS].position;
    ck_assert_float_eq_tol(hips[1], 0.9467f, 0.01f);
    ck_assert_float_le(hypotf(r.body.joints[KN_JOINT_LEFT_FOOT].position[0] - (hips[0] - 0.0653f),
                              r.body.joints[KN_JOINT_LEFT_FOOT].position[2] - hips[2]),
                       0.05f);
}
END_TEST

START_TEST(unreachable_grip_is_clamped)
{
    rig r;
    rig_init(&r, &skel);
    kn_pose head = {{0, 0, 0, 1}, {0, 1.5101f, 0}}, left, right;
    versor id = {0, 0, 0, 1};
    grip_for_hand(KN_SIDE_LEFT, (vec3){-0.3f, 1.0f, -0.2f}, id, &left);
    grip_for_hand(KN_SIDE_RIGHT, (vec3){1.5f, 1.4f, -1.5f}, id, &right);
    rig_tick(&r, &skel, 0, &head, &left, &right);
    ck_assert(r.ik_out.hand_reached[KN_SIDE_LEFT]);
    ck_assert(!r.ik_out.hand_reached[KN_SIDE_RIGHT]);
    kn_pose want;
    kn_hand_from_grip(KN_SIDE_RIGHT, &right, &want);
    const float *sh = r.body.joints[KN_JOINT_RIGHT_UPPER_ARM].position;
    vec3 arm, to;
    glm_vec3_sub(r.body.joints[KN_JOINT_RIGHT_HAND].position, (float *)sh, arm);
    glm_vec3_sub(want.position, (float *)sh, to);
    ck_assert_float_eq_tol(glm_vec3_norm(arm), 0.2455f + 0.2267f, 1e-4f);
    ck_assert_float_gt(glm_vec3_dot(arm, to) / (glm_vec3_norm(arm) * glm_vec3_norm(to)), 0.9999f);
    assert_body_sound(&skel, &r.body, &head);
}
END_TEST

START_TEST(feet_stay_planted_then_step)
{
    rig r;
    rig_init(&r, &skel);
    kn_pose head = {{0, 0, 0, 1}, {0, 1.5101f, 0}}, left, right;
    versor id = {0, 0, 0, 1};
    int64_t t = 0;
    vec3 planted[2];
    /* Standing still, swaying a little: the plants do not move (the feet
     * themselves only rise by what the straight legs lack: the rest
     * skeleton stands on fully stretched legs). */
    for (int k = 0; k < 30; k++, t += TICK_NS) {
        head.position[0] = 0.03f * sinf(0.2f * (float)k); /* a little sway */
        grip_for_hand(KN_SIDE_LEFT, (vec3){head.position[0] - 0.2f, 0.85f, 0.05f}, id, &left);
        grip_for_hand(KN_SIDE_RIGHT, (vec3){head.position[0] + 0.2f, 0.85f, 0.05f}, id, &right);
        rig_tick(&r, &skel, t, &head, &left, &right);
        if (k == 0) {
            glm_vec3_copy(r.ik.feet[0].plant, planted[0]);
            glm_vec3_copy(r.ik.feet[1].plant, planted[1]);
        }
        assert_vec3(r.ik.feet[0].plant, planted[0], 1e-7f);
        assert_vec3(r.ik.feet[1].plant, planted[1], 1e-7f);
        assert_vec3(r.body.joints[KN_JOINT_LEFT_FOOT].position, planted[0], 2e-3f);
        assert_vec3(r.body.joints[KN_JOINT_RIGHT_FOOT].position, planted[1], 2e-3f);
        assert_body_sound(&skel, &r.body, &head);
    }
    /* Walking 1.2 m forward (-Z) in 1.2 s: both feet step and follow. */
    bool lifted = false;
    for (int k = 0; k < 72; k++, t += TICK_NS) {
        head.position[2] -= 1.2f / 72.0f;
        grip_for_hand(KN_SIDE_LEFT, (vec3){-0.2f, 0.85f, head.position[2] + 0.05f}, id, &left);
        grip_for_hand(KN_SIDE_RIGHT, (vec3){0.2f, 0.85f, head.position[2] + 0.05f}, id, &right);
        rig_tick(&r, &skel, t, &head, &left, &right);
        lifted |= r.body.joints[KN_JOINT_LEFT_FOOT].position[1] > planted[0][1] + 0.01f;
        assert_body_sound(&skel, &r.body, &head);
    }
    /* Then stand for half a second: the steps finish under the hips. */
    for (int k = 0; k < 30; k++, t += TICK_NS)
        rig_tick(&r, &skel, t, &head, &left, &right);
    ck_assert(lifted);
    const float *hips = r.body.joints[KN_JOINT_HIPS].position;
    for (int foot = KN_JOINT_LEFT_FOOT; foot <= KN_JOINT_RIGHT_FOOT; foot += 4) {
        ck_assert_float_le(fabsf(r.body.joints[foot].position[2] - hips[2]), 0.16f);
        ck_assert_float_eq_tol(r.body.joints[foot].position[1], planted[0][1], 1e-3f);
    }

    /* Standing 3 cm taller than the skeleton (on tiptoe, or calibrated too
     * short): the straight legs cannot reach the floor, and stepping would
     * not help, so the feet stay where they are instead of stepping on the
     * spot. */
    head.position[1] += 0.03f;
    glm_vec3_copy(r.ik.feet[0].plant, planted[0]);
    glm_vec3_copy(r.ik.feet[1].plant, planted[1]);
    for (int k = 0; k < 60; k++, t += TICK_NS) {
        head.position[0] = 0.03f * sinf(0.2f * (float)k);
        rig_tick(&r, &skel, t, &head, &left, &right);
        ck_assert(!r.ik.feet[0].stepping && !r.ik.feet[1].stepping);
        assert_vec3(r.ik.feet[0].plant, planted[0], 1e-7f);
    }

    /* A teleport: the plants move with the world instead of sliding. */
    vec3 before;
    glm_vec3_copy(r.ik.feet[0].plant, before);
    kn_pose jump = {{0, 0, 0, 1}, {5.0f, 0, 0}};
    kn_ik_rebase(&r.ik, &jump);
    ck_assert_float_eq_tol(r.ik.feet[0].plant[0], before[0] + 5.0f, 1e-5f);
}
END_TEST

START_TEST(crouch_bends_knees_and_leans)
{
    rig r;
    rig_init(&r, &skel);
    kn_pose head = {{0, 0, 0, 1}, {0, 1.5101f, 0}}, left, right;
    versor id = {0, 0, 0, 1};
    grip_for_hand(KN_SIDE_LEFT, (vec3){-0.2f, 0.6f, -0.3f}, id, &left);
    grip_for_hand(KN_SIDE_RIGHT, (vec3){0.2f, 0.6f, -0.3f}, id, &right);
    rig_tick(&r, &skel, 0, &head, &left, &right);
    float standing_hips = r.body.joints[KN_JOINT_HIPS].position[1];
    head.position[1] = 1.0f;
    rig_tick(&r, &skel, TICK_NS, &head, &left, &right);
    assert_body_sound(&skel, &r.body, &head);
    ck_assert_float_lt(r.body.joints[KN_JOINT_HIPS].position[1], standing_hips - 0.4f);
    /* Knees out in front of the ankles, the chest leaning forward. */
    ck_assert_float_lt(r.body.joints[KN_JOINT_LEFT_SHIN].position[2],
                       r.body.joints[KN_JOINT_LEFT_FOOT].position[2] - 0.05f);
    vec3 up;
    kn_quat_rotate(r.body.joints[KN_JOINT_CHEST].orientation, (vec3){0, 1, 0}, up);
    ck_assert_float_lt(up[2], -0.2f);
    ck_assert(!r.body.leg_bent[0] && !r.body.leg_bent[1]); /* the IK kept them up itself */
    /* Knees flex as knees: in the thigh's frame the shin swings back (+Z). */
    versor inv, local;
    vec3 shin;
    glm_quat_conjugate(r.body.joints[KN_JOINT_LEFT_THIGH].orientation, inv);
    kn_quat_mul(inv, r.body.joints[KN_JOINT_LEFT_SHIN].orientation, local);
    kn_quat_rotate(local, (vec3){0, -1, 0}, shin);
    ck_assert_float_gt(shin[2], 0.3f);

    /* Without a head there is nothing to hang from: the last answer. */
    kn_ik_input in = {.time_ns = 2 * TICK_NS, .head_valid = false, .heading = &r.heading};
    kn_ik_output out;
    ck_assert_int_eq(kn_ik_solve(&r.ik, &in, &out, NULL), KN_OK);
    ck_assert_mem_eq(out.local6d, r.ik_out.local6d, sizeof out.local6d);
    kn_error err;
    ck_assert_int_eq(kn_ik_solve(&r.ik, NULL, &out, &err), KN_ERROR_INVALID_ARGUMENT);
}
END_TEST

/* ---- accuracy on real clips ------------------------------------------------ */

/* The clip's own skeleton (metadata skeleton.offsets_m). */
static bool clip_skeleton(const kn_clip *clip, kn_skeleton *out)
{
    json_error_t jerr;
    json_t *root = json_loads(clip->metadata, 0, &jerr);
    json_t *sk = json_object_get(root, "skeleton");
    json_t *offs = json_object_get(sk, "offsets_m");
    json_t *shh = json_object_get(sk, "standing_head_height_m");
    bool ok = json_array_size(offs) == KN_JOINT_COUNT && json_is_number(shh);
    for (int j = 0; ok && j < KN_JOINT_COUNT; j++) {
        json_t *v = json_array_get(offs, (size_t)j);
        for (int i = 0; i < 3; i++)
            out->offsets[j][i] = (float)json_number_value(json_array_get(v, (size_t)i));
    }
    if (ok)
        out->standing_head_height = (float)json_number_value(shh);
    json_decref(root);
    return ok;
}

/* Mean per-joint position error (m) of the IK over a whole clip. */
static double clip_error(const kn_clip *clip, const kn_skeleton *s, long *samples)
{
    rig r;
    rig_init(&r, s);
    double sum = 0.0;
    for (uint32_t f = 0; f < clip->frame_count; f++) {
        const kn_device_sample *dev = &clip->devices[f * KN_CLIP_DEVICE_COUNT];
        kn_pose hold[3];
        bool valid[3];
        for (int d = 0; d < 3; d++) {
            valid[d] = (dev[d].flags & 0x3u) == 0x3u;
            hold[d] = dev[d].pose;
        }
        kn_heading_update(&r.heading, &hold[0], valid[0]);
        kn_ik_input in = {.time_ns = clip->time_ns[f],
                          .head = hold[0],
                          .head_valid = valid[0],
                          .grip = {hold[1], hold[2]},
                          .grip_valid = {valid[1], valid[2]},
                          .heading = &r.heading};
        ck_assert_int_eq(kn_ik_solve(&r.ik, &in, &r.ik_out, NULL), KN_OK);
        kn_body_input bi = {.local6d = r.ik_out.local6d, .heading = &r.heading};
        for (int d = 0; d < 3; d++) {
            bi.device[d] = hold[d];
            bi.device_valid[d] = bi.device_tracked[d] = valid[d];
            bi.device_weight[d] = 1.0f;
        }
        ck_assert_int_eq(kn_body_solve(s, &bi, &r.body, NULL), KN_OK);
        for (int j = 0; j < KN_JOINT_COUNT; j++)
            sum += glm_vec3_distance(r.body.joints[j].position,
                                     clip->truth[f * KN_JOINT_COUNT + j].position);
    }
    *samples = (long)clip->frame_count * KN_JOINT_COUNT;
    return sum;
}

START_TEST(accuracy_on_clips)
{
    const char *list = getenv("KINEST_IK_CLIPS");
    ck_assert_ptr_nonnull(list);
    char *paths = strdup(list), *save = NULL;
    double own_sum = 0.0, cal_sum = 0.0;
    long own_n = 0, cal_n = 0;
    int clips = 0;
    kn_skeleton def;
    kn_skeleton_default(&def);
    for (char *p = strtok_r(paths, ":", &save); p; p = strtok_r(NULL, ":", &save)) {
        kn_clip clip;
        kn_error err;
        ck_assert_msg(kn_clip_read_file(p, &clip, &err) == KN_OK, "%s", err.message);
        ck_assert_msg(clip.truth != NULL, "%s has no truth", p);
        /* Its own skeleton (comparable with docs/model.md's baselines), and
         * the default one scaled to its standing head height (what a
         * height-calibrated headset gets). */
        kn_skeleton own, cal;
        ck_assert_msg(clip_skeleton(&clip, &own), "%s: no skeleton in the metadata", p);
        ck_assert_int_eq(kn_skeleton_scaled(
                             &def, own.standing_head_height / def.standing_head_height, &cal, NULL),
                         KN_OK);
        long n;
        double own_e = clip_error(&clip, &own, &n);
        own_sum += own_e, own_n += n;
        double cal_e = clip_error(&clip, &cal, &n);
        cal_sum += cal_e, cal_n += n;
        const char *name = strrchr(p, '/');
        printf("ik mpjpe %-48s %5u frames %6.2f cm (own skeleton) %6.2f cm (calibrated default)\n",
               name ? name + 1 : p, clip.frame_count, 100.0 * own_e / (double)n,
               100.0 * cal_e / (double)n);
        fflush(stdout);
        clips++;
        kn_clip_free(&clip);
    }
    free(paths);
    ck_assert_int_gt(clips, 0);
    double own = 100.0 * own_sum / (double)own_n, cal = 100.0 * cal_sum / (double)cal_n;
    printf("ik mpjpe over %d clips, %ld frames: %.2f cm (own skeleton), %.2f cm (calibrated "
           "default)\n",
           clips, own_n / KN_JOINT_COUNT, own, cal);
    fflush(stdout);
    /* Loose: a broken IK (hips off the head, arms not reaching) is far above. */
    ck_assert_double_lt(own, 15.0);
    ck_assert_double_lt(cal, 15.0);
}
END_TEST

static Suite *ik_suite(void)
{
    Suite *s = suite_create("ik");
    TCase *tc = tcase_create("ik");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, two_bone_solver);
    tcase_add_test(tc, two_bone_bend_settles);
    tcase_add_test(tc, hands_reach_grips_head_on_device);
    tcase_add_test(tc, unreachable_grip_is_clamped);
    tcase_add_test(tc, feet_stay_planted_then_step);
    tcase_add_test(tc, crouch_bends_knees_and_leans);
    suite_add_tcase(s, tc);
    /* Only with clips to run on (ctest's ik_accuracy provides them). */
    if (getenv("KINEST_IK_CLIPS")) {
        tc = tcase_create("clip accuracy");
        tcase_set_timeout(tc, 600);
        tcase_add_test(tc, accuracy_on_clips);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(ik_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
