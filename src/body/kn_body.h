/* From the model's answer (or the IK's, which has the same form) to a
 * body in the world (docs/model.md, "Back to global joints"):
 *
 *  1. 21 local rotations from 6D by Gram-Schmidt; the hips' is relative to
 *     the tick's heading frame, so it is turned back by Y_t (kn_heading);
 *  2. forward kinematics on the calibrated skeleton;
 *  3. the whole body moved so that the head joint plus the eye offset lands
 *     on the head device: the body hangs from the headset, the root
 *     position is never predicted;
 *  4. with KN_BODY_HANDS_TO_GRIPS, each arm re-solved (two-bone IK, the
 *     elbow keeping its side) so that the wrist lands where the grip pose
 *     says and the hand takes the grip's orientation: what the user sees of
 *     their hands must match their controllers;
 *  5. unless KN_BODY_SKIP_FEET: with a kn_feet state, feet that stand
 *     (kn_feet.h): a foot in contact stays where it was put down, its leg
 *     solved to it; then feet kept above the floor: the lowest foot joint
 *     at least at the sole height (kn_feet_sole_height: the sole, not the
 *     ankle, on y = 0); a leg whose foot or toes would go below it is bent
 *     (two-bone IK, knee keeping its side, foot keeping its orientation)
 *     until the lowest of them touches it; only what a leg cannot take up
 *     (hips below the floor) lifts the whole body.
 *
 * Steps 4 and 5 solve each tick afresh, but while a new skeleton blends in
 * (kn_body_hinges) a re-solved knee or elbow changes its bend at most a
 * step a tick from the one shown, as the IK's limbs do.
 *
 * Joint validity and confidence are for XrBodyJointLocationsFB: `active`
 * says whether there is a body at all (the head anchors it); per joint,
 * `valid` = active and its rotation came from a finite, non-degenerate 6D;
 * `tracked` = valid and the joint follows a tracked device directly: the
 * head joint the head, each hand joint its grip (kinest.h's rule; every
 * other joint is inferred). Confidence = w_head * (1/2 + w_left/4 +
 * w_right/4) * (share of valid joints), w the devices' weights: 1 with all
 * three live. Stateless but for the kn_feet and kn_body_hinges an input
 * carries. */
#ifndef KN_BODY_H
#define KN_BODY_H

#include "body/kn_feet.h"
#include "core/kn_error.h"
#include "ik/kn_two_bone.h"
#include "math/kn_device.h"
#include "skeleton/kn_heading.h"
#include "skeleton/kn_skeleton.h"

#include <stdbool.h>
#include <stdint.h>

/* A knee's or elbow's bend between ticks. */
typedef struct kn_body_hinge {
    kn_two_bone_limit shown; /* the bend shown at the last tick; settling: bound its change */
    /* This tick: re-solved, to bend (as the solve measures it: off the
     * root-target line, which a held-back end leaves), and whether a solve
     * needed the bound. */
    bool solved, held;
    float bend;
} kn_body_hinge;

/* The knees and elbows that steps 4 and 5 re-solve (KN_SIDE_*). Near full
 * stretch a bone a few millimetres longer swings a stateless two-bone
 * solve's hinge by centimetres: after kn_body_hinges_settle each solve
 * changes the bend shown at the last tick by at most `step`, until a tick
 * needs no bound. */
typedef struct kn_body_hinges {
    kn_body_hinge elbow[2], knee[2];
    float step; /* metres a tick: KN_BODY_BEND_STEP_M scaled with the skeleton */
} kn_body_hinges;

/* The bend step for the default skeleton: twice the IK's, because these
 * solves put the hands on the grips: at the IK's 5 mm a hand fell
 * centimetres behind a moving grip while a calibration settled
 * (tests/test_engine.c, ik_without_weights); at 1 cm a knee or elbow still
 * moves at most 1.5 cm a tick (calibration_changes_are_gradual). */
#define KN_BODY_BEND_STEP_M (2.0f * KN_TWO_BONE_SETTLE_STEP_M)

/* Nothing shown: the next solves are free (a restart, a lost head). */
void kn_body_hinges_reset(kn_body_hinges *hinges);
/* A new skeleton (each tick while one blends in): bound the bends. */
void kn_body_hinges_settle(kn_body_hinges *hinges, const kn_skeleton *skeleton);
/* A bend shown was held back at the last tick: it still catches up. */
bool kn_body_hinges_settling(const kn_body_hinges *hinges);

/* The body stage's options (kn_body_input.flags). */
enum {
    KN_BODY_HANDS_TO_GRIPS = 1u << 0, /* step 4 runs */
    KN_BODY_SKIP_FEET = 1u << 1,      /* step 5 does not run: the feet as steps 1-4 left them */
};

typedef struct kn_body_input {
    const float *local6d;      /* KN_JOINT_COUNT * 6, joint index order */
    const kn_heading *heading; /* the tick's, as the features used */
    kn_pose device[KN_DEVICE_COUNT];
    bool device_valid[KN_DEVICE_COUNT];
    /* How live each device is, 0..1 (kn_signal's weight): 1 tracked or
     * briefly held, falling to 0 as a lost device fades out. */
    float device_weight[KN_DEVICE_COUNT];
    bool device_tracked[KN_DEVICE_COUNT]; /* live, with both TRACKED bits */
    uint32_t flags;                       /* KN_BODY_* below: the optional steps */
    kn_feet *feet;                        /* step 5's feet that stand; NULL: off */
    const float *contact;                 /* the model's 2 contact logits, or NULL */
    kn_body_hinges *hinges;               /* steps 4 and 5's bends between ticks; NULL: free */
} kn_body_input;

typedef struct kn_body {
    kn_pose joints[KN_JOINT_COUNT]; /* global canonical joint poses */
    bool active;                    /* anchored to a valid head pose */
    bool valid[KN_JOINT_COUNT];
    bool tracked[KN_JOINT_COUNT];
    float confidence;     /* 0..1, 0 when not active */
    float floor_lift;     /* metres the whole body was lifted (step 5), usually 0 */
    bool leg_bent[2];     /* step 5 bent this leg (KN_SIDE_LEFT, KN_SIDE_RIGHT) */
    bool foot_planted[2]; /* step 5 holds this foot where it was put down */
    bool hand_reached[2]; /* step 4 put this wrist on its grip */
} kn_body;

kn_status kn_body_solve(const kn_skeleton *skeleton, const kn_body_input *in, kn_body *out,
                        kn_error *err);

/* Steps 4 and 5 on their own, on global joints; hinges may be NULL. */
bool kn_body_reach_grip(const kn_skeleton *skeleton, int side, const kn_pose *grip,
                        kn_body_hinges *hinges, kn_pose joints[KN_JOINT_COUNT]);
/* The leg re-solved so that the ankle lands on target; foot keeps its turn. */
bool kn_body_place_foot(const kn_skeleton *skeleton, int side, const float target[3],
                        kn_body_hinges *hinges, kn_pose joints[KN_JOINT_COUNT]);
/* Returns the whole-body lift (metres); bent[side] says which legs moved. */
float kn_body_keep_feet_above_floor(const kn_skeleton *skeleton, kn_body_hinges *hinges,
                                    kn_pose joints[KN_JOINT_COUNT], bool bent[2]);
/* The end of a tick: the bends shown (joints NULL: none) become the ones
 * the next tick's solves are bounded from. */
void kn_body_hinges_shown(kn_body_hinges *hinges, const kn_pose joints[KN_JOINT_COUNT]);

#endif
