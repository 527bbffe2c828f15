/* Feet that stand (docs/engine.md, "Feet"): a foot in contact stays where
 * it was put down, its leg solved to it, and is let go smoothly when the
 * contact ends; soles rest on the floor. The state of both feet between
 * ticks; kn_body_solve runs it when its input carries one. */
#ifndef KN_FEET_H
#define KN_FEET_H

#include "skeleton/kn_skeleton.h"

#include <stdbool.h>

struct kn_body_hinges;

/* A planted foot whose predicted ankle drifts this far (horizontally) from
 * where it stands is let go: the model has moved on, and holding it would
 * stretch the leg. */
#define KN_FEET_MAX_SLIP_M 0.30f
/* A let-go foot's correction fades over this many ticks (0.2 s) along a
 * smoothstep, 1 - (3u^2 - 2u^3): no step in the foot's velocity, so no
 * jerk spike. */
#define KN_FEET_RELEASE_TICKS 12
/* Per tick, the share of the way a planted foot moves from the height it
 * was put down at to the sole height (a snap would jerk the leg). */
#define KN_FEET_SETTLE 0.3f

typedef struct kn_feet {
    bool planted[2];
    vec3 anchor[2];     /* where the planted ankle stands (world, m) */
    vec3 correction[2]; /* target minus the predicted ankle, fading after release */
    vec3 released[2];   /* the correction when the foot was let go */
    int since_release[2];
} kn_feet;

/* No foot planted, no correction: at a (re)start, a teleport, a lost head. */
void kn_feet_reset(kn_feet *feet);

/* Height of the lowest foot joint above the floor when the sole is on it:
 * the skeleton's rest pose standing at its standing head height. */
float kn_feet_sole_height(const kn_skeleton *skeleton);

/* One 60 Hz tick on global joints (after the body hangs from the head):
 * contact holds the left and right foot's contact logits (> 0: in
 * contact). NULL (weights without a contact head): no foot is planted, a
 * planted one is let go. The contact rule of the labels applied to the
 * predicted joints was measured with models/default and left off: on the
 * Bandai test it cut foot skate by 14 % but raised Jitter by 20 % and
 * MPJPE by 4 % (docs/model.md, "Feet"). planted[side] says which feet
 * stand; hinges (kn_body.h, may be NULL) bound the knees' re-solves. */
void kn_feet_plant(kn_feet *feet, const kn_skeleton *skeleton, const float *contact,
                   struct kn_body_hinges *hinges, kn_pose joints[KN_JOINT_COUNT], bool planted[2]);

#endif
