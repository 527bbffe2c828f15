/* When automatic calibration may take the height from the head
 * (docs/engine.md, "Calibration"): only once the head has been seen
 * standing. A user who starts seated has a head 0.4-0.6 m below the
 * standing one; taking that for a standing height makes a short person
 * standing with bent knees. Under KINEST_POSTURE_AUTO the head counts as
 * seen standing when its (smoothed, upright) eye height reaches a height
 * no one reaches seated on a chair, or when it rises from the lowest level
 * it held by as much as standing up from a chair raises it. STANDING
 * trusts every upright head (the user says so); SEATED never does. This
 * decides WHEN; how a skeleton change is applied is the worker's. */
#ifndef KN_ENGINE_STANDING_H
#define KN_ENGINE_STANDING_H

#include "kinest.h"
#include "math/kn_math.h"

#include <stdbool.h>

/* An eye height no one reaches seated on a chair (seat 0.40-0.50 m and a
 * seated eye height of 0.70-0.85 m: 1.10-1.35 m). Standing, it is the eye
 * of a person 1.50 m tall (eye at 0.936 of the height). */
#define KN_STANDING_SURE_EYE_M 1.40f
/* Standing up from a chair raises the eye by 0.4-0.6 m (0.3 m for a person
 * 1.5 m tall); leaning forward with the head upright lowers it by less. */
#define KN_STANDING_RISE_M 0.30f
/* One-pole smoothing of the upright eye height, time constant in ticks
 * (0.5 s at 60 Hz): a head bob or a brief reach is not a level. */
#define KN_STANDING_LEVEL_TICKS 30.0f

typedef struct kn_standing {
    kinest_posture posture;
    bool seen;       /* the head has been seen standing (sticky) */
    bool have_level; /* level and low are set */
    float level_m;   /* smoothed upright eye height */
    float low_m;     /* the lowest level held */
} kn_standing;

void kn_standing_init(kn_standing *s, kinest_posture posture);
/* Forgets what was seen (a new user: kinest_reset_height); keeps the posture. */
void kn_standing_reset(kn_standing *s);
/* One tick of a live head device pose; true once the head has been seen
 * standing, from this tick on. */
bool kn_standing_tick(kn_standing *s, const kn_pose *head_device);

#endif
