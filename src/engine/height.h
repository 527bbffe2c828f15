/* Automatic height calibration (docs/engine.md, "Calibration"): the eye
 * height the user stands at, as a high percentile of the head's level-gaze
 * eye height (kn_height_level_eye) over the ticks where the head is
 * tracked and upright. Crouching,
 * sitting and looking at the floor pull the low part of the distribution
 * down; the percentile stays at the standing height as long as the user
 * stands for a tenth of the time. 1 cm bins, no heap. */
#ifndef KN_ENGINE_HEIGHT_H
#define KN_ENGINE_HEIGHT_H

#include "math/kn_math.h"

#include <stdbool.h>
#include <stdint.h>

#define KN_HEIGHT_BIN_M      0.01f
#define KN_HEIGHT_MIN_EYE_M  0.5f /* eye heights outside this are not a person standing */
#define KN_HEIGHT_MAX_EYE_M  2.8f
#define KN_HEIGHT_BINS       230 /* (max - min) / bin */
#define KN_HEIGHT_PERCENTILE 0.9f
/* A person wearing a headset carries the head lower than the standing eye
 * height (head forward, soft knees): on the train split the percentile is
 * 1.9 % below it (median over 2384 clips). The body's error grows faster
 * for a height too tall (bent knees and elbows) than too short, so the
 * factor is the one with the least MPJPE on the tuning clips (validation
 * Bandai and cmu, train HDM05), which leaves the median about 1 % short
 * (docs/engine.md, "Calibration"; `tools/kinest height`). */
#define KN_HEIGHT_STANDING_FACTOR 1.01f
/* Upright: the head's up axis at most ~25 degrees from vertical. */
#define KN_HEIGHT_MIN_UP_Y 0.9f
/* Samples before the first estimate (0.25 s of upright, standing ticks:
 * the default height until then costs more than an early estimate's
 * spread, which the re-estimates and the gradual blend take up), and
 * between re-estimates (1 s). */
#define KN_HEIGHT_MIN_SAMPLES 15
#define KN_HEIGHT_EVERY       60
/* A new estimate replaces the current one only when this far from it. */
#define KN_HEIGHT_HYSTERESIS_M 0.015f

typedef struct kn_height_estimator {
    uint32_t bins[KN_HEIGHT_BINS];
    uint32_t count;
} kn_height_estimator;

void kn_height_reset(kn_height_estimator *h);
/* The eye height of a head device pose that is upright and within the
 * range above; false otherwise. */
bool kn_height_upright_eye(const kn_pose *head_device, float *eye_height_m);
/* The eye height of an upright head device pose were the head turned to
 * look level: its head joint's height (the device less its eye mount,
 * KN_EYE_OFFSET, turned with the head) plus the mount's height. Looking
 * 25 degrees down lowers the device by 4 cm while the head joint stays,
 * which made the percentile's spread (docs/engine.md, "Calibration");
 * false as kn_height_upright_eye. */
bool kn_height_level_eye(const kn_pose *head_device, float *eye_height_m);
/* One tick of a tracked head device pose (its level-gaze eye height);
 * false when it was not taken (not upright, or a height outside the
 * range). */
bool kn_height_add(kn_height_estimator *h, const kn_pose *head_device);
/* The standing eye height estimate (metres): the percentile times
 * KN_HEIGHT_STANDING_FACTOR; false before KN_HEIGHT_MIN_SAMPLES. */
bool kn_height_estimate(const kn_height_estimator *h, float *eye_height_m);

#endif
