/* Every setting of the layer, all from KINEST_* environment variables and
 * read in this one place. A malformed value is reported (warning) and the
 * default used instead; nothing here fails. KINEST_DISABLE is not read: it
 * is the manifest's disable_environment and the loader acts on it. */
#ifndef KN_LAYER_SETTINGS_H
#define KN_LAYER_SETTINGS_H

#include "common/log.h"

#include <stdbool.h>

#define KN_ENV_FORCE     "KINEST_FORCE"
#define KN_ENV_BACKEND   "KINEST_BACKEND"
#define KN_ENV_MODEL     "KINEST_MODEL"
#define KN_ENV_HEIGHT    "KINEST_HEIGHT"
#define KN_ENV_LOG       "KINEST_LOG"
#define KN_ENV_RECORD    "KINEST_RECORD"
#define KN_ENV_SYNC      "KINEST_SYNC"
#define KN_ENV_SMOOTHING "KINEST_SMOOTHING"
#define KN_ENV_POSTURE   "KINEST_POSTURE"

/* Body heights (KINEST_HEIGHT, the calibration extension) are the engine's:
 * strictly between KINEST_HEIGHT_MIN_M and KINEST_HEIGHT_MAX_M (kinest.h). */
/* KINEST_SMOOTHING's range, inclusive: heavier smoothing than this only
 * adds lag (the engine itself takes anything below 1). */
#define KN_SMOOTHING_MAX 0.95f

#define KN_SETTINGS_PATH_SIZE 4096

typedef enum kn_backend_setting {
    KN_SETTING_BACKEND_AUTO = 0, /* Vulkan if a device is usable, else the CPU */
    KN_SETTING_BACKEND_CPU,
    KN_SETTING_BACKEND_VULKAN,
    KN_SETTING_BACKEND_IK, /* no model: the analytic-IK baseline (needs no weights) */
} kn_backend_setting;

/* How the user plays; the engine's kinest_posture, same values. */
typedef enum kn_posture_setting {
    KN_SETTING_POSTURE_AUTO = 0, /* height from the head once it is seen standing */
    KN_SETTING_POSTURE_STANDING,
    KN_SETTING_POSTURE_SEATED, /* height never from the head: KINEST_HEIGHT or the default */
} kn_posture_setting;

typedef struct kn_settings {
    bool force;                         /* emulate even where the runtime tracks bodies itself */
    kn_backend_setting backend;         /* where the model runs */
    char model[KN_SETTINGS_PATH_SIZE];  /* weights file; empty: the default weights */
    float height_m;                     /* the user's height; 0: calibrate automatically */
    kn_log_level log_level;             /* stderr verbosity */
    char record[KN_SETTINGS_PATH_SIZE]; /* clip file to record the session to; empty: off */
    bool sync;       /* xrLocateBodyJointsFB waits for the engine (offline replays, tests) */
    float smoothing; /* of the model's output, 0 (off) .. KN_SMOOTHING_MAX; -1: the weights' */
    kn_posture_setting posture;
} kn_settings;

/* Reads all KINEST_* variables into *s. Returns how many were malformed
 * (each one logged as a warning and replaced by its default). */
unsigned kn_settings_read(kn_settings *s);

/* getenv, treating an empty value as unset. */
const char *kn_settings_env(const char *name);

/* The KINEST_LOG grammar, for the logger itself: NULL means the default.
 * Returns false (and leaves *level alone) for a malformed value. */
bool kn_settings_parse_log_level(const char *value, kn_log_level *level);

const char *kn_backend_setting_name(kn_backend_setting backend);
const char *kn_posture_setting_name(kn_posture_setting posture);

#endif
