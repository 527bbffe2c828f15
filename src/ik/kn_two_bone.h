/* Analytic two-bone IK (shoulder-elbow-wrist, hip-knee-ankle): the chain
 * keeps its bone lengths, its end reaches the target when it can (else it
 * points at it, fully stretched), and the middle joint bends toward a pole
 * direction. Rotations are global and act on the rest bone vectors, as the
 * canonical skeleton's do (rest frames are world-aligned). */
#ifndef KN_TWO_BONE_H
#define KN_TWO_BONE_H

#include "math/kn_math.h"

#include <stdbool.h>

typedef struct kn_two_bone_rest {
    vec3 upper; /* rest vector root -> middle joint */
    vec3 lower; /* rest vector middle -> end joint */
    /* Rest direction in which the middle joint moves away from the
     * root-end line when the chain bends (elbow: back, knee: forward). */
    vec3 bend;
} kn_two_bone_rest;

typedef struct kn_two_bone_result {
    versor upper; /* global rotation of the root joint (turns rest.upper) */
    versor lower; /* global rotation of the middle joint (turns rest.lower) */
    vec3 middle;  /* where the middle joint lands */
    vec3 end;     /* where the end joint lands */
    bool reached; /* the target was within reach: end == target */
} kn_two_bone_result;

/* The bend of a chain between ticks: how far the middle joint stood off
 * the root-end line. While `settling`, the bend changes at most a step a
 * tick (near full stretch a bone a few millimetres longer swings the
 * middle joint by centimetres); it ends once the free solution is within
 * a step. */
typedef struct kn_two_bone_limit {
    float bend;
    bool known;    /* bend holds the last tick's */
    bool settling; /* the bones changed: bound the bend's change */
} kn_two_bone_limit;

/* The step for the default skeleton (scaled with the skeleton's size): the
 * IK's limbs and the body stage's re-solved ones settle alike. */
#define KN_TWO_BONE_SETTLE_STEP_M 0.005f

/* pole: a direction (any length) toward which the middle joint should
 * bend; when it is parallel to root->target, the rest bend is used. */
void kn_two_bone_solve(const kn_two_bone_rest *rest, const float root[3], const float target[3],
                       const float pole[3], kn_two_bone_result *out);
/* The same with the bend bounded to max_step from limit's while it
 * settles (the end then points at the target, short of it or past it).
 * Afterwards limit holds this solve's bend, and stays settling only when
 * the bound was needed. */
void kn_two_bone_solve_limited(const kn_two_bone_rest *rest, const float root[3],
                               const float target[3], const float pole[3], kn_two_bone_limit *limit,
                               float max_step, kn_two_bone_result *out);
/* A posed chain's middle joint off its root-end line (perpendicular to
 * it): the side it bends to, and by its length the bend the solves above
 * bound. */
void kn_two_bone_offset(const float root[3], const float middle[3], const float end[3], vec3 out);

#endif
