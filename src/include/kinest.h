/* libkinest: full-body poses from a head and two hand controllers.
 *
 * The engine takes timestamped device poses (head, left grip, right grip),
 * resamples them to 60 Hz model ticks, runs the causal streaming KineST model
 * (docs/model.md) once per tick on its own worker (CPU thread or Vulkan
 * queue), and hands out the newest finished body, predicted to the time the
 * caller asks for, in the canonical 21-joint set or in the joint sets of
 * XR_FB_body_tracking (70) and XR_META_body_tracking_full_body (84).
 *
 * C11, no OpenXR types: flags and joint numbering follow OpenXR's so that an
 * API layer can copy them through, but nothing here includes openxr.h.
 *
 * Conventions (OpenXR's): right-handed, +Y up, -Z forward, metres,
 * quaternions (x, y, z, w), times in nanoseconds on one monotonic clock (an
 * XrTime is one). Device poses go in, and joints come out, in one
 * gravity-aligned space whose y = 0 is the floor (an OpenXR STAGE or
 * LOCAL_FLOOR space): the model reads heights above the floor. The caller
 * converts to and from its own spaces.
 *
 * Threads: kinest_create / kinest_destroy must not run concurrently with
 * any other call on the same engine. The producer calls (kinest_push_devices,
 * kinest_reset, the calibration setters) must be serialised by the caller
 * (one producer at a time, typically the app's frame loop). The reader calls
 * (kinest_get_body, kinest_get_skeleton, kinest_get_calibration,
 * kinest_get_stats) may run on any threads, concurrently with each other and
 * with the producer; they never wait for inference and never block on a
 * lock the worker holds for longer than a copy. Nothing here calls back into
 * the caller except the log callback. */
#ifndef KINEST_H
#define KINEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KINEST_API_VERSION 1

/* ---- status -------------------------------------------------------------- */

typedef enum kinest_status {
    KINEST_SUCCESS = 0,
    /* NULL pointer, value out of range, unknown enum value, a config whose
     * struct_size this library does not know. */
    KINEST_ERROR_INVALID_ARGUMENT = -1,
    /* The weights file cannot be opened or read. */
    KINEST_ERROR_IO = -2,
    /* The weights file is malformed, or its tensors do not match the
     * architecture its metadata names (the log says which tensor and why). */
    KINEST_ERROR_FORMAT = -3,
    /* The weights' architecture or the requested backend is not available
     * here (e.g. `vulkan` without a usable device or without Vulkan support
     * built in). */
    KINEST_ERROR_UNSUPPORTED = -4,
    KINEST_ERROR_OUT_OF_MEMORY = -5,
    /* A pose, time or height holds NaN or infinity. */
    KINEST_ERROR_NON_FINITE = -6,
    /* A time that is <= 0, or a push that is not later than the previous one. */
    KINEST_ERROR_TIME_INVALID = -7,
    /* joint_count differs from the joint set's count (OpenXR's
     * VALIDATION_FAILURE for xrLocateBodyJointsFB / xrGetBodySkeletonFB). */
    KINEST_ERROR_SIZE_MISMATCH = -8,
    /* The backend failed while running (e.g. Vulkan device lost); the engine
     * has stopped producing bodies. Destroy it and create a new one. */
    KINEST_ERROR_BACKEND = -9,
} kinest_status;

/* A short English sentence for a status ("success", "invalid argument",
 * ...); never NULL, also for values not in the enum. Thread-safe, static
 * storage. */
const char *kinest_status_string(kinest_status status);

/* ---- creation ------------------------------------------------------------- */

typedef enum kinest_backend {
    /* Vulkan when built in and a device passes its self-test (the same
     * outputs as the CPU, a step within a quarter of a tick: not a
     * software driver), else CPU. */
    KINEST_BACKEND_AUTO = 0,
    /* The model on one CPU worker thread. */
    KINEST_BACKEND_CPU = 1,
    /* The model as Vulkan compute shaders (shaders/). */
    KINEST_BACKEND_VULKAN = 2,
    /* No model: the analytic-IK baseline (arms from the controllers, a
     * standing spine and legs). Needs no weights file. */
    KINEST_BACKEND_IK = 3,
} kinest_backend;

/* "auto", "cpu", "vulkan", "ik"; "unknown" for other values. */
const char *kinest_backend_name(kinest_backend backend);

/* A user's height in metres lies strictly between these
 * (kinest_config.height_m, kinest_set_height). */
#define KINEST_HEIGHT_MIN_M 0.5f
#define KINEST_HEIGHT_MAX_M 3.0f

typedef enum kinest_log_level {
    KINEST_LOG_OFF = 0,
    KINEST_LOG_ERROR = 1,
    KINEST_LOG_WARN = 2,
    KINEST_LOG_INFO = 3,
    KINEST_LOG_DEBUG = 4,
} kinest_log_level;

/* Receives one message (a sentence without a trailing newline; valid only
 * during the call). May be called from any engine thread, including the
 * worker, so it must be thread-safe and quick; it must not call back into
 * the engine. */
typedef void (*kinest_log_fn)(kinest_log_level level, const char *message, void *user_data);

/* The user's posture, as far as the app or the user knows it. */
typedef enum kinest_posture {
    KINEST_POSTURE_AUTO = 0,     /* unknown: calibrate once seen standing */
    KINEST_POSTURE_STANDING = 1, /* stands: every upright head is a standing one */
    KINEST_POSTURE_SEATED = 2,   /* sits: the head never gives the height */
} kinest_posture;

typedef struct kinest_config {
    /* sizeof(kinest_config) as the caller compiled it; set by
     * kinest_config_init. Lets later versions append fields. */
    uint32_t struct_size;
    kinest_backend backend;
    /* The user's height in metres, 0.5 < h < 3, or 0 for automatic
     * calibration from the standing head height (kinest_set_height). */
    float height_m;
    /* Messages less severe than this are not produced. */
    kinest_log_level log_level;
    /* NULL: messages go to stderr prefixed with "kinest: ". */
    kinest_log_fn log;
    void *log_user_data;
    /* KINEST_BODY_* bits (appended after the first release: a config whose
     * struct_size ends before this field gets KINEST_BODY_DEFAULT). */
    uint32_t body_flags;
    /* One-pole smoothing of the model's outputs (docs/engine.md, "Data
     * flow"): y = (1 - s) x + s y_prev per tick, restarted with the stream.
     * Less jitter, a little lag. Negative (the default): the weights' own
     * value (metadata "output_smoothing", 0 when absent); 0: off; 0 < s < 1:
     * this value; 1 or more, or NaN: a bad config. Ignored by the IK.
     * Appended after body_flags: a config whose struct_size ends before it
     * gets -1. A double, so that the struct grows past body_flags' tail
     * padding and struct_size tells the two versions apart. */
    double smoothing;
    /* How the user plays (docs/engine.md, "Calibration"): AUTO (the
     * default) takes the automatic height only once the head has been seen
     * standing; STANDING takes it from the start; SEATED never takes it from
     * the head (height_m, kinest_set_height or the default height). Appended
     * after smoothing: a config whose struct_size ends before it gets AUTO. */
    kinest_posture posture;
} kinest_config;

/* What is done to the model's body after it is hung from the head device
 * (docs/engine.md, "Data flow"). Both are on by default; offline evaluation
 * against the PyTorch reference (tools/kinest predict) turns both off. */
/* Each arm re-solved so that the wrist lands on its controller's grip
 * pose and the hand takes the grip's orientation. */
#define KINEST_BODY_HANDS_TO_GRIPS UINT32_C(0x1)
/* Feet that stand: a model's foot in contact stays where it was put down,
 * let go smoothly when contact ends; and legs bent (or, as a last resort,
 * the body lifted) so that no foot or toe joint goes below the sole's
 * height above the floor (y = 0): soles, not ankles, rest on the floor. */
#define KINEST_BODY_FEET_ABOVE_FLOOR UINT32_C(0x2)
#define KINEST_BODY_DEFAULT          (KINEST_BODY_HANDS_TO_GRIPS | KINEST_BODY_FEET_ABOVE_FLOOR)

/* Fills the defaults: struct_size, KINEST_BACKEND_AUTO, height 0 (auto),
 * KINEST_LOG_WARN, log NULL, KINEST_BODY_DEFAULT, smoothing -1 (the
 * weights'), KINEST_POSTURE_AUTO. */
void kinest_config_init(kinest_config *config);

typedef struct kinest_engine kinest_engine;

/* Loads the weights (a `.safetensors` file, docs/model.md "Weights by
 * name"; NULL = the default weights installed with the library), checks
 * every tensor against the architecture in its metadata, creates the
 * backend, and starts the worker. config may be NULL for the defaults.
 * KINEST_BACKEND_IK ignores weights_path.
 *
 * Fallbacks, so that a body keeps coming (docs/engine.md, "Fallbacks"):
 * `vulkan` without Vulkan built in or without a device that passes the
 * self-test (one step compared with the CPU's) runs on the CPU; `auto` is
 * Vulkan when it passes, else the CPU; and under `auto`, `cpu` and
 * `vulkan`, weights that cannot be read (IO) or do not match their
 * architecture (FORMAT, UNSUPPORTED) give the analytic IK. Each fallback
 * logs its reason (file, tensor, expected and found shape, ...) at
 * KINEST_LOG_WARN (the load error itself at KINEST_LOG_ERROR);
 * kinest_get_backend says what runs, so a caller that must have the
 * model checks it.
 *
 * On failure *engine is NULL, nothing is left running, and the reason is
 * logged at KINEST_LOG_ERROR. Returns INVALID_ARGUMENT (engine NULL, bad
 * config) or OUT_OF_MEMORY (also when the worker thread cannot start). */
kinest_status kinest_create(const char *weights_path, const kinest_config *config,
                            kinest_engine **engine);

/* Stops the worker (waits for a running step to finish) and frees
 * everything. NULL is ignored. */
void kinest_destroy(kinest_engine *engine);

/* The backend that actually runs (`auto` resolved). */
kinest_backend kinest_get_backend(const kinest_engine *engine);

/* ---- input: device poses -------------------------------------------------- */

typedef enum kinest_device {
    KINEST_DEVICE_HEAD = 0, /* the VIEW pose (between the eyes) */
    KINEST_DEVICE_LEFT_GRIP = 1,
    KINEST_DEVICE_RIGHT_GRIP = 2,
    KINEST_DEVICE_COUNT = 3,
} kinest_device;

/* XrSpaceLocationFlags bits, same values. */
#define KINEST_LOCATION_ORIENTATION_VALID   UINT64_C(0x1)
#define KINEST_LOCATION_POSITION_VALID      UINT64_C(0x2)
#define KINEST_LOCATION_ORIENTATION_TRACKED UINT64_C(0x4)
#define KINEST_LOCATION_POSITION_TRACKED    UINT64_C(0x8)

typedef struct kinest_pose {
    float orientation[4]; /* x, y, z, w */
    float position[3];
} kinest_pose;

typedef struct kinest_device_pose {
    /* KINEST_LOCATION_* bits; a device is used only when both *_VALID bits
     * are set (valid-but-not-tracked poses are used). Other bits are
     * ignored. */
    uint64_t flags;
    /* Read only when valid. A non-unit orientation is normalised. */
    kinest_pose pose;
} kinest_device_pose;

/* The latest time the engine takes (ns): a quarter of INT64_MAX, 73 years,
 * so that no time arithmetic can overflow (XR_INFINITE_DURATION is not a
 * time). */
#define KINEST_MAX_TIME_NS (INT64_MAX / 4)

/* Adds one sample of all three devices, all located at time_ns (e.g. the
 * frame's predicted display time). Cheap and non-blocking: the sample is
 * copied into a queue; the worker resamples the stream to 60 Hz ticks
 * (interpolating between samples, so any push rate works, from 20 Hz
 * compositors to several samples per frame) and runs the model for every
 * tick that has been passed.
 *
 * Returns TIME_INVALID (sample dropped) when time_ns <= 0, beyond
 * KINEST_MAX_TIME_NS, or not later than the previous push by at most 1 s;
 * NON_FINITE (sample dropped) when a valid device's pose is not finite;
 * INVALID_ARGUMENT for NULL. A gap of more than 0.5 s between pushes
 * restarts the stream (as kinest_reset, calibration kept); so does a push
 * more than 1 s before the previous one (the clock was reset, or the
 * previous times were wrong).
 * Producer call (see Threads). */
kinest_status kinest_push_devices(kinest_engine *engine, int64_t time_ns,
                                  const kinest_device_pose devices[KINEST_DEVICE_COUNT]);

/* Forgets the device history, the model's recurrent state and the current
 * body: kinest_get_body reports inactive until new ticks are finished.
 * Calibration is kept. The next push may have any time > 0. Producer call. */
kinest_status kinest_reset(kinest_engine *engine);

/* Waits until the worker has handled every push, reset and calibration
 * call made before it: every tick they made has been run and its body is
 * what kinest_get_body reads. For offline use (tools, tests: push a frame,
 * flush, read the body at the frame's time); a frame loop never needs it.
 * Blocks for as long as the queued ticks take. Producer call. Returns
 * BACKEND when the worker has failed, INVALID_ARGUMENT for NULL. */
kinest_status kinest_flush(kinest_engine *engine);

/* ---- output: joint sets, bodies, skeletons --------------------------------- */

/* The joint sets: the model's own 21 joints (docs/formats.md, "Joints";
 * kinest_joint), and the OpenXR extensions' sets in their joint orders:
 * XrBodyJointFB (XR_BODY_JOINT_SET_DEFAULT_FB, 70 joints),
 * XrFullBodyJointMETA (XR_BODY_JOINT_SET_FULL_BODY_META, 84), XrBodyJointBD
 * (XR_BODY_JOINT_SET_FULL_BODY_JOINTS_BD, 24; XR_BODY_JOINT_SET_BODY_WITHOUT_ARM_BD,
 * the first 16 of them) and XrBodyJointHTC (XR_BODY_JOINT_SET_FULL_HTC, 26). */
typedef enum kinest_joint_set {
    KINEST_JOINT_SET_CANONICAL = 0,
    KINEST_JOINT_SET_FB = 1,
    KINEST_JOINT_SET_META_FULL_BODY = 2,
    KINEST_JOINT_SET_BD = 3,
    KINEST_JOINT_SET_BD_WITHOUT_ARM = 4,
    KINEST_JOINT_SET_HTC = 5,
} kinest_joint_set;

#define KINEST_CANONICAL_JOINT_COUNT      21
#define KINEST_FB_JOINT_COUNT             70
#define KINEST_META_JOINT_COUNT           84
#define KINEST_BD_JOINT_COUNT             24
#define KINEST_BD_WITHOUT_ARM_JOINT_COUNT 16
#define KINEST_HTC_JOINT_COUNT            26

/* The canonical joints, root first; parents in kinest_get_skeleton. */
typedef enum kinest_joint {
    KINEST_JOINT_HIPS = 0,
    KINEST_JOINT_SPINE = 1,
    KINEST_JOINT_CHEST = 2,
    KINEST_JOINT_NECK = 3,
    KINEST_JOINT_HEAD = 4,
    KINEST_JOINT_LEFT_COLLAR = 5,
    KINEST_JOINT_LEFT_UPPER_ARM = 6,
    KINEST_JOINT_LEFT_FOREARM = 7,
    KINEST_JOINT_LEFT_HAND = 8,
    KINEST_JOINT_RIGHT_COLLAR = 9,
    KINEST_JOINT_RIGHT_UPPER_ARM = 10,
    KINEST_JOINT_RIGHT_FOREARM = 11,
    KINEST_JOINT_RIGHT_HAND = 12,
    KINEST_JOINT_LEFT_THIGH = 13,
    KINEST_JOINT_LEFT_SHIN = 14,
    KINEST_JOINT_LEFT_FOOT = 15,
    KINEST_JOINT_LEFT_TOES = 16,
    KINEST_JOINT_RIGHT_THIGH = 17,
    KINEST_JOINT_RIGHT_SHIN = 18,
    KINEST_JOINT_RIGHT_FOOT = 19,
    KINEST_JOINT_RIGHT_TOES = 20,
} kinest_joint;

/* Joints in a set (21, 70, 84); 0 for an unknown set. */
uint32_t kinest_joint_count(kinest_joint_set set);

typedef struct kinest_joint_location {
    /* KINEST_LOCATION_* bits. While the body is active every joint has both
     * *_VALID bits; the *_TRACKED bits are set only on joints that follow a
     * tracked device directly (head, hands; finger joints never). While it
     * is inactive every joint's flags are 0. */
    uint64_t flags;
    /* Global pose in the input space, the set's own joint axes (FB/META:
     * reference/openxr-body-tracking.md; canonical: aligned with the world
     * axes in the rest T-pose). Identity at the origin while inactive. */
    kinest_pose pose;
} kinest_joint_location;

typedef enum kinest_calibration_state {
    /* Same values as XrBodyTrackingCalibrationStateMETA. */
    KINEST_CALIBRATION_VALID = 1,       /* an override, or auto calibration done */
    KINEST_CALIBRATION_CALIBRATING = 2, /* auto: collecting standing head heights, or
                                           waiting for the head to stand (a seated start) */
    KINEST_CALIBRATION_INVALID = 3,     /* auto: nothing usable yet (no valid head) */
} kinest_calibration_state;

typedef struct kinest_body_info {
    /* The time the joints are for: the requested time (predicted from the
     * newest finished ticks: interpolated between ticks, extrapolated at
     * most 100 ms past the newest one, held beyond), or 0 while inactive. */
    int64_t time_ns;
    /* False before the first finished tick, after kinest_reset, and while
     * the head has not been valid for 0.5 s (also: nothing pushed for 0.5 s
     * before the requested time); then all joint flags are 0. */
    bool active;
    /* In [0, 1]: 1 with all three devices valid at the newest tick, lower
     * with a missing controller, with extrapolation, and right after a
     * (re)start while the recurrent state warms up; 0 while inactive. */
    float confidence;
    /* Increments whenever the skeleton (the calibrated height) changes; the
     * caller then re-reads kinest_get_skeleton (XrBodyJointLocationsFB::
     * skeletonChangedCount). Starts at 1 after create. */
    uint32_t skeleton_changed_count;
    kinest_calibration_state calibration;
} kinest_body_info;

/* The body at time_ns (pass the predicted display time) in `set`, written
 * to joints[0 .. joint_count-1] in the set's joint order, plus info (may be
 * NULL). Never waits for inference: it reads the newest finished ticks
 * (at most a copy-long critical section, or lock-free) and predicts from
 * them. Reader call.
 *
 * Returns INVALID_ARGUMENT (NULL, unknown set), SIZE_MISMATCH (joint_count
 * != kinest_joint_count(set); nothing written), TIME_INVALID (time_ns <= 0
 * or beyond KINEST_MAX_TIME_NS),
 * BACKEND (the worker has failed). An inactive body is a success with
 * info->active false. */
kinest_status kinest_get_body(kinest_engine *engine, kinest_joint_set set, int64_t time_ns,
                              uint32_t joint_count, kinest_joint_location *joints,
                              kinest_body_info *info);

typedef struct kinest_skeleton_joint {
    int32_t joint;  /* index in the set (= the array position) */
    int32_t parent; /* parent's index in the set, -1 for the root (the
                     * layer writes XR_FULL_BODY_JOINT_NONE_META = 85 itself) */
    /* Global rest pose: the T-pose facing -Z, arms along +-X, feet on
     * y = 0, hips above the origin, scaled to the calibrated height, in the
     * set's joint axes. */
    kinest_pose pose;
} kinest_skeleton_joint;

/* The T-pose skeleton of `set` at the current calibration, and the
 * skeleton_changed_count it belongs to (may be NULL). Reader call. Returns
 * INVALID_ARGUMENT or SIZE_MISMATCH as kinest_get_body. */
kinest_status kinest_get_skeleton(kinest_engine *engine, kinest_joint_set set, uint32_t joint_count,
                                  kinest_skeleton_joint *joints, uint32_t *skeleton_changed_count);

/* ---- height calibration --------------------------------------------------- */

/* Overrides the user's height (metres, 0.5 < h < 3, else INVALID_ARGUMENT;
 * NON_FINITE for NaN/inf): calibration becomes VALID at once; if the height
 * differs from the current one the skeleton is rescaled and
 * skeleton_changed_count increments. Producer call.
 * (xrSuggestBodyTrackingCalibrationOverrideMETA.) */
kinest_status kinest_set_height(kinest_engine *engine, float height_m);

/* Drops the override and restarts automatic calibration from the standing
 * head height (CALIBRATING until the head has been seen standing again and
 * enough standing samples are in; the skeleton keeps its scale until the
 * new estimate is ready). Producer call.
 * (xrResetBodyTrackingCalibrationMETA.) */
kinest_status kinest_reset_height(kinest_engine *engine);

/* Replaces the skeleton by a known one, for offline evaluation on clips
 * whose skeleton is known (a data build's clip metadata "skeleton":
 * "offsets_m" and "standing_head_height_m"): offsets holds the 21 canonical
 * joints' rest offsets from their parents (x, y, z; metres, world axes of
 * the rest T-pose; the hips' is ignored), standing_head_height_m the head
 * joint's height above the floor standing in that pose. Acts as a height
 * override (calibration VALID, height = that skeleton's body height);
 * skeleton_changed_count increments. kinest_reset_height returns to
 * automatic calibration. Returns INVALID_ARGUMENT (NULL, a height outside
 * (0.2, 3) m, a bone longer than 1 m), NON_FINITE. Producer call. */
kinest_status kinest_set_skeleton(kinest_engine *engine,
                                  const float offsets[KINEST_CANONICAL_JOINT_COUNT * 3],
                                  float standing_head_height_m);

/* The current calibration state and height in metres (the override, the
 * automatic estimate, or the default height while none). Either pointer may
 * be NULL. Reader call. */
kinest_status kinest_get_calibration(kinest_engine *engine, kinest_calibration_state *state,
                                     float *height_m);

/* ---- statistics ------------------------------------------------------------ */

typedef struct kinest_stats {
    uint64_t ticks;          /* model steps finished since create */
    uint64_t ticks_skipped;  /* ticks dropped because the worker fell behind
                              * (reached more than 100 ms after the push that
                              * completed them, with newer pushes waiting),
                              * plus samples dropped because its queue was
                              * full */
    uint64_t inputs_refused; /* pushes refused (time, non-finite) */
    double step_ms_last;     /* wall time of the newest model step */
    double step_ms_mean;     /* running mean over all steps */
    double latency_ms_last;  /* newest tick: from its push to its finished body */
} kinest_stats;

/* Counters for logs and benchmarks. Reader call. */
kinest_status kinest_get_stats(kinest_engine *engine, kinest_stats *stats);

#ifdef __cplusplus
}
#endif

#endif
