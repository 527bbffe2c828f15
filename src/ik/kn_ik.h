/* Analytic three-point IK: a whole body from the head device and the two
 * grip poses, no learning. It is the baseline the model is measured
 * against and the fallback when no weights load, so it answers in the
 * model's form: 21 local rotations as 6D (first two columns), the hips' in
 * the tick's heading-aligned frame (kn_heading), for kn_body_solve.
 *
 *   spine: the head joint where the head device says (minus the eye
 *          offset), the pelvis under it by the skeleton's lengths, leaning
 *          forward with the head's pitch and with crouching;
 *   arms:  collar turned a little toward the hand, then two-bone IK from
 *          the shoulder to the wrist the grip pose implies (elbow pole
 *          down, back and out; a target out of reach is clamped: the arm
 *          points at it, stretched); the hand takes the grip's orientation;
 *   legs:  each foot planted flat on the floor; a foot steps (lifting on a
 *          short arc) when the hip above it has moved beyond a threshold,
 *          the body has turned, or the straight leg no longer reaches the
 *          plant; one foot at a time; knees by two-bone IK, pole forward.
 *
 * A kn_ik holds the planted feet, so it is one per tracked body; no heap. */
#ifndef KN_IK_H
#define KN_IK_H

#include "core/kn_error.h"
#include "ik/kn_two_bone.h"
#include "skeleton/kn_device_mount.h"
#include "skeleton/kn_heading.h"
#include "skeleton/kn_skeleton.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct kn_ik_config {
    /* Torso lean (radians) per radian the head looks below the horizon,
     * and per unit of crouch (head drop / standing head height). */
    float lean_per_pitch;
    float lean_per_crouch;
    float max_lean;
    /* Share of the collar-to-hand direction the collar turns by, at most. */
    float collar_follow;
    float collar_max;
    /* Elbow pole in the chest frame for the left arm (x mirrored right). */
    vec3 elbow_pole;
    /* Stepping: a foot steps when its plant is farther than step_distance
     * (metres, scaled with the skeleton) from under its hip, or turned more
     * than step_turn (radians) from the body; a step takes step_time
     * seconds and lifts the foot step_height (scaled) at its middle.
     * step_lead: seconds of hip velocity the landing spot leads by. */
    float step_distance;
    float step_turn;
    float step_time;
    float step_height;
    float step_lead;
} kn_ik_config;

typedef struct kn_ik_foot {
    vec3 plant; /* ankle position when planted (y: its rest height) */
    float yaw;  /* heading of the foot, radians about +Y (0: facing -Z) */
    bool stepping;
    vec3 from, to;
    float yaw_from, yaw_to;
    float phase; /* 0..1 through the step */
} kn_ik_foot;

typedef struct kn_ik {
    kn_ik_config cfg;
    kn_skeleton skeleton;
    float scale;        /* skeleton size relative to the default (stepping distances) */
    float ankle_height; /* rest ankle height above the floor */
    bool started;
    int64_t last_time_ns;
    vec3 last_hips;
    vec3 hips_velocity; /* horizontal, smoothed, m/s */
    kn_ik_foot feet[2];
    /* Knees and elbows (KN_SIDE_*) settle gradually into a new skeleton. */
    kn_two_bone_limit knee[2], elbow[2];
    float last_local6d[KN_JOINT_COUNT * 6];
} kn_ik;

typedef struct kn_ik_input {
    int64_t time_ns;
    kn_pose head; /* head device (eye centre) pose */
    bool head_valid;
    kn_pose grip[2]; /* KN_SIDE_LEFT, KN_SIDE_RIGHT */
    bool grip_valid[2];
    const kn_heading *heading; /* this tick's, already updated from head */
} kn_ik_input;

typedef struct kn_ik_output {
    float local6d[KN_JOINT_COUNT * 6]; /* the model's form, joint index order */
    kn_pose joints[KN_JOINT_COUNT];    /* the global body the IK built */
    bool hand_reached[2];              /* the wrist reached its grip target */
} kn_ik_output;

void kn_ik_default_config(kn_ik_config *cfg);
/* cfg NULL: the defaults. The skeleton is copied. */
void kn_ik_init(kn_ik *ik, const kn_skeleton *skeleton, const kn_ik_config *cfg);
/* A new skeleton (copied) for the next solves; the planted feet and the
 * previous answer stay. */
void kn_ik_set_skeleton(kn_ik *ik, const kn_skeleton *skeleton);
/* Forget the planted feet (after a discontinuity); the next solve plants
 * them under the hips again. */
void kn_ik_reset(kn_ik *ik);
/* The world moved by transform (a teleport or recentring, new = T * old):
 * move the planted feet with it so they do not slide. */
void kn_ik_rebase(kn_ik *ik, const kn_pose *transform);
/* One tick. Without a valid head the previous answer is repeated (the rest
 * pose before any). Fails only on NULL arguments. */
kn_status kn_ik_solve(kn_ik *ik, const kn_ik_input *in, kn_ik_output *out, kn_error *err);

#endif
