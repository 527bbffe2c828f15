/* The body-tracking side of the layer: which instances it serves and how.
 * The rule: the runtime's own tracking wherever it has it; the layer's
 * where the application asked for body data the runtime cannot give.
 *
 *   bypass        the application enabled none of the served extensions: the
 *                 create info goes down untouched and the layer steps aside.
 *   pass-through  the runtime lists every extension the application enabled
 *                 and reports body tracking for each tracker and joint set
 *                 among them (xr/served.h, roles).
 *   beside        as pass-through, but the runtime lacks some of the option
 *                 extensions the application enabled (fidelity,
 *                 calibration): they are removed on the way down and the
 *                 layer answers for them alone, as unsupported (their
 *                 properties false, their functions FEATURE_UNSUPPORTED);
 *                 everything else, trackers and sessions, is the runtime's.
 *   emulate       otherwise (a tracker or joint set the runtime lacks or
 *                 does not report, or KINEST_FORCE=1): the layer serves the
 *                 extensions; the names the runtime does not list (all with
 *                 KINEST_FORCE=1) are removed from the create info, since it
 *                 would refuse them. The runtime extensions the layer uses
 *                 (kn_runtime_extensions) are added when the runtime lists
 *                 them.
 * Which one and why is logged at KINEST_LOG=info.
 *
 * While emulating, every session gets the layer's device sampling
 * (session.h): its own VIEW and base spaces, the grip action set
 * (actions.c), samples on the application's frame calls, and the feed that
 * carries them to the recorder (and later the engine). */
#ifndef KN_LAYER_BODY_H
#define KN_LAYER_BODY_H

#include "common/settings.h"
#include "framework/instance.h"
#include "framework/logic.h"

#include <openxr/openxr.h>
#include <pthread.h>

typedef enum kn_mode { KN_MODE_PASS, KN_MODE_BESIDE, KN_MODE_SERVE } kn_mode;

/* The plan for one instance: the framework's part (what goes down), then
 * the logic's. */
typedef struct kn_body_plan {
    kn_plan base;            /* requested, runtime_enabled, the create info going down */
    uint32_t runtime;        /* kn_ext bits the runtime lists */
    uint32_t runtime_hidden; /* kn_rt_ext bits enabled below that the application did not */
    const char **names;      /* owns base.info.enabledExtensionNames when changed */
    kn_settings settings;    /* read unless bypassing */
} kn_body_plan;

/* The layer's grip action set, one per instance (actions.c). */
typedef struct kn_actions {
    bool tried;             /* creation was attempted */
    XrActionSet set;        /* XR_NULL_HANDLE: none (creation failed) */
    XrAction pose;          /* one pose action, subaction paths left and right */
    XrPath hands[2];        /* /user/hand/left, /user/hand/right */
    XrPath grip[2];         /* /user/hand/<side>/input/grip/pose */
    uint32_t available;     /* profiles (actions.c's table) the instance may use */
    uint32_t app_suggested; /* profiles of the table the application suggested */
    bool app_suggested_any; /* it suggested any profile at all, in the table or not */
    uint32_t merged;        /* profiles where ours went down with the application's */
    bool self_suggested;    /* the layer suggested for itself (the app never did) */
} kn_actions;

struct kn_session;

/* The per-instance state while emulating. */
typedef struct kn_emulation {
    kn_settings settings;
    /* kn_ext bits of what the layer provides (all four): the system
     * properties report it, and the functions refuse what is not. */
    uint32_t supported;
    uint32_t runtime_exts; /* kn_rt_ext bits enabled below */
    uint32_t beside;       /* beside the runtime: the kn_ext bits answered as unsupported */
    char application[XR_MAX_APPLICATION_NAME_SIZE];
    char engine[XR_MAX_ENGINE_NAME_SIZE];
    pthread_mutex_t actions_lock; /* `actions`; may be held across calls down */
    kn_actions actions;
    pthread_mutex_t sessions_lock; /* the session list */
    struct kn_session *sessions;
    unsigned recordings; /* sessions recorded so far (numbers the files) */
} kn_emulation;

/* xrDestroyInstance, before it goes down: ends the layer's sessions of the
 * instance (recordings closed) and destroys its own objects. */
void kn_emulation_release(kn_instance *inst);
/* Frees what is left without calling down (the library is being unloaded). */
void kn_emulation_free(kn_emulation *emu);
/* Before kn_emulation_free: the instance no longer counts as beside the runtime. */
void kn_emulation_forget(kn_instance *inst);
/* Whether an instance beside the runtime answers for `ext` (a tracker the
 * layer did not mint may then be the runtime's). */
bool kn_body_beside_runtime(uint32_t ext);

/* ---- actions.c, for the sessions */

/* The profile table's bits that the extensions going down allow. */
uint32_t kn_actions_available(const char *const *names, uint32_t count);
/* Creates the action set once per instance; false if there is none. */
bool kn_actions_ensure(kn_instance *inst);
void kn_actions_destroy(kn_instance *inst);

#endif
