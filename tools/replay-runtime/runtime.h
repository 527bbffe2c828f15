/* The replay runtime: a headless OpenXR runtime whose head and controller
 * poses come from a clip file (docs/formats.md) named by KINEST_REPLAY_CLIP.
 * One global lock serialises every call; objects are found from handles
 * through a registry, so a stale or foreign handle is XR_ERROR_HANDLE_INVALID
 * and never a crash. */
#ifndef RT_RUNTIME_H
#define RT_RUNTIME_H

#define XR_USE_TIMESPEC 1
#include <time.h>

#include <openxr/openxr.h>
#include <openxr/openxr_platform.h>

#include "clip/kn_clip.h"

#include <stdbool.h>
#include <stdint.h>

#define RT_RUNTIME_NAME    "kinest replay runtime"
#define RT_RUNTIME_VERSION XR_MAKE_VERSION(0, 1, 0)
#define RT_SYSTEM_ID       ((XrSystemId)1)
/* Clip time 0 is this XrTime: far from 0, so nothing can mistake one clock
 * for the other. */
#define RT_TIME_ORIGIN INT64_C(1000000000000)
/* The frame loop runs at 60 Hz of clip time, as fast as the app calls. */
#define RT_FRAME_RATE_HZ 60
/* Environment: the clip to replay, the controller the clip's grips are. */
#define RT_ENV_CLIP    "KINEST_REPLAY_CLIP"
#define RT_ENV_PROFILE "KINEST_REPLAY_PROFILE"
/* Test double for the layer's pass-through: list XR_FB_body_tracking and
 * report supportsBodyTracking (the body-tracking functions are not served). */
#define RT_ENV_NATIVE_BODY "KINEST_REPLAY_NATIVE_BODY_TRACKING"

#define RT_HANDLE(type, h) ((type)(uintptr_t)(h))
#define RT_KEY(x)          ((uint64_t)(uintptr_t)(x))

/* ---- instance extensions (instance.c) */
typedef enum rt_ext {
    RT_EXT_HEADLESS = 1u << 0,
    RT_EXT_CONVERT_TIMESPEC = 1u << 1,
    RT_EXT_HP_CONTROLLER = 1u << 2,
    RT_EXT_BD_CONTROLLER = 1u << 3,
    RT_EXT_FB_TOUCH_PRO = 1u << 4,
    RT_EXT_META_TOUCH_PLUS = 1u << 5,
    RT_EXT_FB_BODY_TRACKING = 1u << 6,  /* only with RT_ENV_NATIVE_BODY */
    RT_EXT_BD_BODY_TRACKING = 1u << 7,  /* likewise */
    RT_EXT_HTC_BODY_TRACKING = 1u << 8, /* likewise */
} rt_ext;

/* ---- small pointer vector */
typedef struct rt_ptrs {
    void **items;
    uint32_t count, capacity;
} rt_ptrs;
bool rt_ptrs_push(rt_ptrs *v, void *p);
void rt_ptrs_remove(rt_ptrs *v, const void *p);
void rt_ptrs_free(rt_ptrs *v);

/* ---- objects */
typedef enum rt_kind {
    RT_KIND_INSTANCE = 1,
    RT_KIND_SESSION,
    RT_KIND_SPACE,
    RT_KIND_ACTION_SET,
    RT_KIND_ACTION,
} rt_kind;

enum { RT_LEFT = 0, RT_RIGHT = 1, RT_HANDS = 2 };

typedef enum rt_source {
    RT_SOURCE_NONE = 0,
    RT_SOURCE_GRIP, /* .../input/grip/pose: the clip's grip */
    RT_SOURCE_AIM,  /* .../input/aim/pose: the clip's grip as well */
    RT_SOURCE_OTHER /* buttons, axes, haptics: bound, always at rest */
} rt_source;

typedef struct rt_event {
    XrStructureType type;
    uint64_t session;
    XrSessionState state;
    XrTime time;
} rt_event;

#define RT_EVENT_CAPACITY 64
typedef struct rt_events {
    rt_event items[RT_EVENT_CAPACITY];
    uint32_t head, count, lost;
} rt_events;

typedef struct rt_binding {
    uint64_t action;
    XrPath path;
} rt_binding;

typedef struct rt_bindings {
    rt_binding *items;
    uint32_t count;
} rt_bindings;

#define RT_PROFILE_COUNT 10

typedef struct rt_replay {
    kn_clip clip;
    bool owned; /* read from a file (else the built-in standing pose) */
} rt_replay;

typedef struct rt_instance {
    uint64_t handle;
    uint32_t exts;
    rt_ptrs paths; /* char *; XrPath n is paths.items[n - 1] */
    rt_events events;
    rt_replay replay;
    bool system_requested;
    bool bindings_frozen; /* action sets were attached: suggestions are final */
    rt_bindings suggested[RT_PROFILE_COUNT];
    rt_ptrs action_sets;
    struct rt_session *session;
    int64_t epoch_ns; /* CLOCK_MONOTONIC when created: the clip's first frame */
} rt_instance;

typedef struct rt_action_set {
    uint64_t handle;
    rt_instance *instance;
    char name[XR_MAX_ACTION_SET_NAME_SIZE];
    char localized[XR_MAX_LOCALIZED_ACTION_SET_NAME_SIZE];
    rt_ptrs actions;
    bool attached;    /* ever attached: immutable from then on */
    uint64_t session; /* the session it is attached to */
} rt_action_set;

#define RT_MAX_SUBACTION_PATHS 8

typedef struct rt_action {
    uint64_t handle;
    rt_action_set *set;
    char name[XR_MAX_ACTION_NAME_SIZE];
    char localized[XR_MAX_LOCALIZED_ACTION_NAME_SIZE];
    XrActionType type;
    XrPath subaction[RT_MAX_SUBACTION_PATHS];
    uint32_t subaction_count;
    rt_source bound[RT_HANDS]; /* set when attached, from the chosen profile */
    XrPath bound_path[RT_HANDS];
    bool active[RT_HANDS]; /* from the last xrSyncActions */
} rt_action;

typedef struct rt_session {
    uint64_t handle;
    rt_instance *instance;
    XrSessionState state;    /* the newest state queued */
    XrSessionState observed; /* the newest state the app has polled */
    bool warned_sync;
    bool running;
    bool exit_requested;
    bool attached;
    int profile; /* rt_profiles index in use, -1 before attach or if none fits */
    rt_ptrs spaces;
    uint64_t next_frame; /* index of the frame the next xrWaitFrame predicts */
    uint32_t waited;     /* frames waited for and not yet begun */
    bool in_frame;       /* between xrBeginFrame and xrEndFrame */
} rt_session;

typedef struct rt_space {
    uint64_t handle;
    rt_session *session;
    bool is_action;
    XrReferenceSpaceType reference;
    uint64_t action;
    XrPath subaction;
    XrPosef offset;
} rt_space;

/* ---- handles.c: the global lock and the handle registry */
void rt_lock(void);
void rt_unlock(void);
/* Runs a locked call and returns its result. */
#define RT_LOCKED(call)                                                                            \
    do {                                                                                           \
        rt_lock();                                                                                 \
        XrResult rt_result_ = (call);                                                              \
        rt_unlock();                                                                               \
        return rt_result_;                                                                         \
    } while (0)
uint64_t rt_handle_new(rt_kind kind, void *object); /* 0 when out of memory */
void *rt_handle_get(uint64_t handle, rt_kind kind);
void rt_handle_release(uint64_t handle);

/* ---- instance.c */
bool rt_extension_enabled(const rt_instance *inst, rt_ext ext);
XrTime rt_instance_now(const rt_instance *inst);

/* ---- paths.c */
XrResult rt_path_intern(rt_instance *inst, const char *string, XrPath *path);
const char *rt_path_string(const rt_instance *inst, XrPath path); /* NULL if not a path */
void rt_paths_free(rt_instance *inst);
/* /user/hand/left -> RT_LEFT, /user/hand/right -> RT_RIGHT, else -1. */
int rt_path_hand(const rt_instance *inst, XrPath path);
/* One of the top-level /user paths the runtime knows. */
bool rt_path_is_user(const rt_instance *inst, XrPath path);

/* ---- events.c */
void rt_session_set_state(rt_session *s, XrSessionState state);
void rt_event_profile_changed(rt_session *s);
void rt_events_forget_session(rt_instance *inst, uint64_t session);

/* ---- profiles.c */
typedef struct rt_profile {
    const char *path;
    uint32_t ext; /* rt_ext bit that must be enabled, 0 for core profiles */
    const char *const *both, *const *left, *const *right;
} rt_profile;
extern const rt_profile rt_profiles[RT_PROFILE_COUNT];
int rt_profile_find(const char *path);
/* Whether a binding path (/user/hand/<side>/<component>) exists in the
 * profile; returns the hand and what the binding reads. */
bool rt_profile_binding(const rt_profile *p, const char *path, int *hand, rt_source *source);

/* ---- actions.c */
void rt_action_set_destroy(rt_action_set *set);
/* Resolves the attached actions' bindings for the session's profile. */
void rt_actions_bind(rt_session *s);
void rt_actions_reset(rt_instance *inst);

/* ---- session.c */
void rt_session_destroy(rt_session *s);

/* ---- spaces.c */
void rt_space_destroy(rt_space *space);
/* xrLocateSpace for a space object (which may be a temporary). */
XrResult rt_space_locate(const rt_space *space, XrSpace base, XrTime time,
                         XrSpaceLocation *location);

/* ---- replay.c */
kn_status rt_replay_load(rt_replay *r, const char *path, kn_error *err);
void rt_replay_free(rt_replay *r);
/* Clip time of the first frame. */
int64_t rt_replay_start(const rt_replay *r);
/* Device pose (KN_DEVICE_*) in STAGE at `time`, interpolated between the
 * neighbouring frames; flags are what both frames have. */
void rt_replay_sample(const rt_replay *r, int device, XrTime time, XrPosef *pose,
                      XrSpaceLocationFlags *flags);
/* LOCAL in STAGE: at the head of the first frame, turned by its yaw only. */
void rt_replay_local(const rt_replay *r, XrPosef *pose);

/* ---- pose helpers (replay.c) */
bool rt_pose_valid(const XrPosef *p); /* finite, unit quaternion */
void rt_pose_compose(const XrPosef *a, const XrPosef *b, XrPosef *out);
void rt_pose_inverse(const XrPosef *p, XrPosef *out);
#define RT_POSE_IDENTITY ((XrPosef){{0, 0, 0, 1}, {0, 0, 0}})

/* ---- two-call idiom */
XrResult rt_fill_string(const char *s, uint32_t capacity, uint32_t *count, char *buffer);

#endif
