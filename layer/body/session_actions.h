/* A session's part of the grip action set (actions.c): how the set got
 * attached, whether the application syncs, the grip spaces and the
 * interaction profiles. actions.c alone writes it. */
#ifndef KN_LAYER_SESSION_ACTIONS_H
#define KN_LAYER_SESSION_ACTIONS_H

#include "body/recorder.h"

#include <openxr/openxr.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* How the layer's action set got attached to the session. */
typedef enum kn_attach {
    KN_ATTACH_NONE = 0, /* not yet */
    KN_ATTACH_MERGED,   /* with the application's sets, in its call */
    KN_ATTACH_APP_ONLY, /* the application's call took only its own sets */
    KN_ATTACH_LAYER,    /* the application never attached: ours alone, lazily */
    KN_ATTACH_FAILED,   /* the lazy attach failed; not tried again */
} kn_attach;

/* When an application that never attached is taken to never attach: after
 * this many frames, or this long after xrBeginSession without frames. */
#define KN_LAZY_ATTACH_FRAMES 10u
#define KN_LAZY_ATTACH_NS     INT64_C(250000000)
/* Syncing the layer's set alone (only until the application syncs). */
#define KN_SOLO_SYNC_INTERVAL_NS INT64_C(10000000)

typedef struct kn_session_actions {
    /* s->lock */
    XrSpace grip[2];   /* the layer's grip action spaces, after attach */
    bool hide_profile; /* the application suggested nothing: the profile is ours */
    char profile[2][KN_RECORD_PATH_SIZE];

    atomic_int attach;      /* kn_attach */
    atomic_bool app_synced; /* the application has called xrSyncActions */
    atomic_bool warned_sync;

    int64_t last_solo_sync_ns; /* s->work */
} kn_session_actions;

struct kn_session;

/* Under s->work: lazy attach and the solo sync, when due. */
void kn_actions_tick(struct kn_session *s, int64_t now_ns);
/* Reads the current interaction profiles into s->actions.profile (calls down). */
void kn_actions_read_profiles(struct kn_session *s);
/* xrSyncActions with the layer's set added where it is merged (the hook,
 * session_sampling.c, samples after it). */
XrResult kn_actions_sync(struct kn_session *s, const XrActionsSyncInfo *syncInfo);
/* Whether xrPollEvent should keep this interaction-profile event from the
 * application (the layer made the profile, the application did not). */
bool kn_actions_hide_profile_event(struct kn_session *s);

#endif
