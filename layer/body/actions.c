/* The layer's grip action set: one pose action on /user/hand/left and
 * /user/hand/right, whose action spaces give the controllers' grip poses,
 * made so that the application sees no difference.
 *
 *   suggest  the layer's two grip bindings go into every application
 *            xrSuggestInteractionProfileBindings call, for the same profile
 *            in the same call (a second call for a profile would replace the
 *            application's bindings). If the runtime refuses the merged call
 *            (a profile without grips, say), the application's call is made
 *            again as it was, and that result is what it gets.
 *   attach   the layer's set goes into the application's
 *            xrAttachSessionActionSets call, first in the list: runtimes that
 *            bind only one of several sets (SteamVR on Linux binds the last)
 *            keep the application's. If the merged call fails, the
 *            application's own is made instead. Grip action spaces are
 *            created once the set is attached (strict runtimes refuse them
 *            before).
 *   sync     the layer's set is appended to every application xrSyncActions.
 *
 * Applications that never do these: an application that attaches without
 * having suggested any binding gets the layer's suggestions for every
 * profile the instance allows, made just before its attach. One that never
 * attaches gets the layer's set attached alone once it is taken not to
 * attach any more (KN_LAZY_ATTACH_FRAMES frames or KN_LAZY_ATTACH_NS after
 * xrBeginSession). Until the application first calls xrSyncActions, the
 * layer syncs its set alone, at most every KN_SOLO_SYNC_INTERVAL_NS and only
 * while the session state the application last polled is FOCUSED; from the
 * application's first sync on, never again (a sync of one set deactivates
 * all others).
 *
 * The layer never adds suggestions for profiles to an application that
 * suggested its own: the runtime might then pick a profile the application
 * has no bindings for and its actions would stop working. Where the layer's
 * suggestions made the profile (the application suggested none), the
 * interaction-profile events are kept from the application and
 * xrGetCurrentInteractionProfile answers as without the layer. */
#include "body/session.h"
#include "common/log.h"
#include "framework/hooks.h"

#include <stdlib.h>
#include <string.h>

/* ---- the profiles the layer suggests for itself */

typedef struct kn_profile {
    const char *path;
    const char *extension; /* NULL: core OpenXR 1.0 */
} kn_profile;

static const kn_profile profiles[] = {
    {"/interaction_profiles/khr/simple_controller", NULL},
    {"/interaction_profiles/oculus/touch_controller", NULL},
    {"/interaction_profiles/facebook/touch_controller_pro", "XR_FB_touch_controller_pro"},
    {"/interaction_profiles/meta/touch_controller_plus", "XR_META_touch_controller_plus"},
    {"/interaction_profiles/valve/index_controller", NULL},
    {"/interaction_profiles/htc/vive_controller", NULL},
    {"/interaction_profiles/microsoft/motion_controller", NULL},
    {"/interaction_profiles/hp/mixed_reality_controller", "XR_EXT_hp_mixed_reality_controller"},
    {"/interaction_profiles/bytedance/pico4_controller", "XR_BD_controller_interaction"},
    {"/interaction_profiles/bytedance/pico_neo3_controller", "XR_BD_controller_interaction"},
};
#define PROFILE_COUNT ((int)(sizeof profiles / sizeof profiles[0]))

static const char *const set_names[] = {"kinest_body_tracking", "kinest_body_tracking_layer",
                                        "kinest_body_tracking_2", "kinest_body_tracking_3"};

uint32_t kn_actions_available(const char *const *names, uint32_t count)
{
    uint32_t bits = 0;
    for (int p = 0; p < PROFILE_COUNT; p++) {
        bool ok = !profiles[p].extension;
        for (uint32_t i = 0; !ok && names && i < count; i++)
            ok = strcmp(names[i], profiles[p].extension) == 0;
        if (ok)
            bits |= 1u << p;
    }
    return bits;
}

static bool path(const kn_instance *inst, const char *s, XrPath *out)
{
    return XR_SUCCEEDED(inst->next.StringToPath(inst->handle, s, out));
}

/* Under actions_lock. */
static bool create_set(kn_instance *inst, kn_actions *a)
{
    static const char *const hand_paths[2] = {"/user/hand/left", "/user/hand/right"};
    static const char *const grip_paths[2] = {"/user/hand/left/input/grip/pose",
                                              "/user/hand/right/input/grip/pose"};
    for (int h = 0; h < 2; h++)
        if (!path(inst, hand_paths[h], &a->hands[h]) || !path(inst, grip_paths[h], &a->grip[h]))
            return false;
    XrResult r = XR_ERROR_NAME_DUPLICATED;
    for (size_t i = 0; i < sizeof set_names / sizeof set_names[0] &&
                       (r == XR_ERROR_NAME_DUPLICATED || r == XR_ERROR_LOCALIZED_NAME_DUPLICATED);
         i++) {
        XrActionSetCreateInfo info = {.type = XR_TYPE_ACTION_SET_CREATE_INFO, .priority = 0};
        snprintf(info.actionSetName, sizeof info.actionSetName, "%s", set_names[i]);
        snprintf(info.localizedActionSetName, sizeof info.localizedActionSetName,
                 "kinest body tracking (%s)", set_names[i]);
        r = inst->next.CreateActionSet(inst->handle, &info, &a->set);
    }
    if (XR_FAILED(r)) {
        KN_LOG_W("cannot create the grip action set (%d)", (int)r);
        a->set = XR_NULL_HANDLE;
        return false;
    }
    XrActionCreateInfo info = {.type = XR_TYPE_ACTION_CREATE_INFO,
                               .actionType = XR_ACTION_TYPE_POSE_INPUT,
                               .countSubactionPaths = 2,
                               .subactionPaths = a->hands};
    snprintf(info.actionName, sizeof info.actionName, "grip_pose");
    snprintf(info.localizedActionName, sizeof info.localizedActionName, "kinest grip pose");
    r = inst->next.CreateAction(a->set, &info, &a->pose);
    if (XR_FAILED(r)) {
        KN_LOG_W("cannot create the grip pose action (%d)", (int)r);
        inst->next.DestroyActionSet(a->set);
        a->set = XR_NULL_HANDLE;
        return false;
    }
    KN_LOG_D("grip action set created");
    return true;
}

bool kn_actions_ensure(kn_instance *inst)
{
    kn_emulation *emu = inst->emulation;
    pthread_mutex_lock(&emu->actions_lock);
    kn_actions *a = &emu->actions;
    if (!a->tried) {
        a->tried = true;
        create_set(inst, a);
    }
    bool have = a->set != XR_NULL_HANDLE;
    pthread_mutex_unlock(&emu->actions_lock);
    return have;
}

void kn_actions_destroy(kn_instance *inst)
{
    kn_emulation *emu = inst->emulation;
    pthread_mutex_lock(&emu->actions_lock);
    if (emu->actions.set)
        inst->next.DestroyActionSet(emu->actions.set);
    emu->actions.set = XR_NULL_HANDLE;
    pthread_mutex_unlock(&emu->actions_lock);
}

/* The table index of a profile path, -1 if it is not in the table. */
static int profile_index(const kn_instance *inst, XrPath profile)
{
    char s[XR_MAX_PATH_LENGTH];
    uint32_t n = 0;
    if (XR_FAILED(inst->next.PathToString(inst->handle, profile, sizeof s, &n, s)))
        return -1;
    for (int p = 0; p < PROFILE_COUNT; p++)
        if (strcmp(s, profiles[p].path) == 0)
            return p;
    return -1;
}

/* ---- suggest */

XRAPI_ATTR XrResult XRAPI_CALL kn_xrSuggestInteractionProfileBindings(
    XrInstance instance, const XrInteractionProfileSuggestedBinding *suggested)
{
    kn_instance *inst = kn_instance_get(instance);
    if (!inst || !inst->emulation)
        return XR_ERROR_HANDLE_INVALID;
    /* What the runtime must refuse goes down as it is. */
    if (!suggested || suggested->type != XR_TYPE_INTERACTION_PROFILE_SUGGESTED_BINDING ||
        !suggested->countSuggestedBindings || !suggested->suggestedBindings ||
        !kn_actions_ensure(inst))
        return inst->next.SuggestInteractionProfileBindings(instance, suggested);

    kn_emulation *emu = inst->emulation;
    pthread_mutex_lock(&emu->actions_lock);
    kn_actions *a = &emu->actions;
    uint32_t n = suggested->countSuggestedBindings;
    XrActionSuggestedBinding *b = malloc((n + 2) * sizeof *b);
    XrResult r;
    bool merged = false;
    if (b && a->set) {
        memcpy(b, suggested->suggestedBindings, n * sizeof *b);
        b[n] = (XrActionSuggestedBinding){a->pose, a->grip[0]};
        b[n + 1] = (XrActionSuggestedBinding){a->pose, a->grip[1]};
        XrInteractionProfileSuggestedBinding with = *suggested;
        with.countSuggestedBindings = n + 2;
        with.suggestedBindings = b;
        r = inst->next.SuggestInteractionProfileBindings(instance, &with);
        merged = XR_SUCCEEDED(r);
    }
    free(b);
    if (!merged) {
        r = inst->next.SuggestInteractionProfileBindings(instance, suggested);
        if (XR_SUCCEEDED(r)) {
            char s[XR_MAX_PATH_LENGTH] = "?";
            uint32_t len;
            inst->next.PathToString(instance, suggested->interactionProfile, sizeof s, &len, s);
            KN_LOG_I("%s: the runtime refused the layer's grip bindings there; the "
                     "application's alone went down",
                     s);
        }
    }
    if (XR_SUCCEEDED(r)) {
        int p = profile_index(inst, suggested->interactionProfile);
        a->app_suggested_any = true;
        if (p >= 0) {
            a->app_suggested |= 1u << p;
            if (merged)
                a->merged |= 1u << p;
            else
                a->merged &= ~(1u << p);
        }
    }
    pthread_mutex_unlock(&emu->actions_lock);
    return r;
}

/* For an application that suggested nothing: the layer's grip bindings for
 * every profile the instance allows. Once per instance. */
static void self_suggest(kn_instance *inst)
{
    kn_emulation *emu = inst->emulation;
    pthread_mutex_lock(&emu->actions_lock);
    kn_actions *a = &emu->actions;
    if (a->set && !a->app_suggested_any && !a->self_suggested) {
        a->self_suggested = true;
        for (int p = 0; p < PROFILE_COUNT; p++) {
            XrPath profile;
            if (!(a->available & (1u << p)) || !path(inst, profiles[p].path, &profile))
                continue;
            XrActionSuggestedBinding b[2] = {{a->pose, a->grip[0]}, {a->pose, a->grip[1]}};
            XrInteractionProfileSuggestedBinding s = {
                .type = XR_TYPE_INTERACTION_PROFILE_SUGGESTED_BINDING,
                .interactionProfile = profile,
                .countSuggestedBindings = 2,
                .suggestedBindings = b};
            XrResult r = inst->next.SuggestInteractionProfileBindings(inst->handle, &s);
            KN_LOG_D("self-suggested grips for %s: %d", profiles[p].path, (int)r);
        }
    }
    pthread_mutex_unlock(&emu->actions_lock);
}

/* ---- attach */

static void create_grip_spaces(kn_session *s)
{
    const kn_actions *a = &s->inst->emulation->actions;
    XrSpace spaces[2] = {XR_NULL_HANDLE, XR_NULL_HANDLE};
    for (int h = 0; h < 2; h++) {
        XrActionSpaceCreateInfo info = {.type = XR_TYPE_ACTION_SPACE_CREATE_INFO,
                                        .action = a->pose,
                                        .subactionPath = a->hands[h],
                                        .poseInActionSpace = {{0, 0, 0, 1}, {0, 0, 0}}};
        XrResult r = s->inst->next.CreateActionSpace(s->handle, &info, &spaces[h]);
        if (XR_FAILED(r)) {
            KN_LOG_W("cannot create the %s grip space (%d)", h ? "right" : "left", (int)r);
            spaces[h] = XR_NULL_HANDLE;
        }
    }
    pthread_mutex_lock(&s->lock);
    s->actions.grip[0] = spaces[0];
    s->actions.grip[1] = spaces[1];
    pthread_mutex_unlock(&s->lock);
}

void kn_actions_read_profiles(kn_session *s)
{
    const kn_instance *inst = s->inst;
    const kn_actions *a = &inst->emulation->actions;
    char found[2][KN_RECORD_PATH_SIZE] = {"", ""};
    for (int h = 0; h < 2 && a->set; h++) {
        XrInteractionProfileState state = {.type = XR_TYPE_INTERACTION_PROFILE_STATE};
        uint32_t n;
        if (XR_SUCCEEDED(inst->next.GetCurrentInteractionProfile(s->handle, a->hands[h], &state)) &&
            state.interactionProfile != XR_NULL_PATH &&
            XR_FAILED(inst->next.PathToString(inst->handle, state.interactionProfile,
                                              sizeof found[h], &n, found[h])))
            found[h][0] = '\0';
    }
    pthread_mutex_lock(&s->lock);
    memcpy(s->actions.profile, found, sizeof s->actions.profile);
    pthread_mutex_unlock(&s->lock);
    KN_LOG_D("interaction profiles: left %s, right %s", found[0][0] ? found[0] : "none",
             found[1][0] ? found[1] : "none");
}

bool kn_actions_hide_profile_event(kn_session *s)
{
    pthread_mutex_lock(&s->lock);
    bool hide = s->actions.hide_profile;
    pthread_mutex_unlock(&s->lock);
    return hide;
}

static bool app_suggested_any(const kn_instance *inst)
{
    kn_emulation *emu = inst->emulation;
    pthread_mutex_lock(&emu->actions_lock);
    bool any = emu->actions.app_suggested_any;
    pthread_mutex_unlock(&emu->actions_lock);
    return any;
}

/* After the layer's set is attached. */
static void attached(kn_session *s, kn_attach how)
{
    bool hide = !app_suggested_any(s->inst);
    pthread_mutex_lock(&s->lock);
    s->actions.hide_profile = hide;
    pthread_mutex_unlock(&s->lock);
    atomic_store(&s->actions.attach, (int)how);
    create_grip_spaces(s);
    kn_actions_read_profiles(s);
}

XRAPI_ATTR XrResult XRAPI_CALL
kn_xrAttachSessionActionSets(XrSession session, const XrSessionActionSetsAttachInfo *attachInfo)
{
    kn_session *s = kn_session_get(session);
    if (!s)
        return XR_ERROR_HANDLE_INVALID;
    const kn_dispatch *d = &s->inst->next;
    const kn_actions *a = &s->inst->emulation->actions;
    int state = atomic_load(&s->actions.attach);
    if (!attachInfo || attachInfo->type != XR_TYPE_SESSION_ACTION_SETS_ATTACH_INFO ||
        !attachInfo->countActionSets || !attachInfo->actionSets || !a->set ||
        (state != KN_ATTACH_NONE && state != KN_ATTACH_FAILED)) {
        XrResult r = d->AttachSessionActionSets(session, attachInfo);
        if (state == KN_ATTACH_LAYER && r == XR_ERROR_ACTIONSETS_ALREADY_ATTACHED)
            KN_LOG_W("xrAttachSessionActionSets: the layer attached its grip set itself because "
                     "the application had not after %u frames; the application's late attach "
                     "fails (set KINEST_DISABLE=1 for this application)",
                     KN_LAZY_ATTACH_FRAMES);
        return r;
    }
    /* The layer's own calls for the session wait for this one. */
    pthread_mutex_lock(&s->work);
    self_suggest(s->inst);
    uint32_t n = attachInfo->countActionSets;
    XrActionSet *sets = malloc((n + 1) * sizeof *sets);
    XrResult r = XR_ERROR_OUT_OF_MEMORY;
    if (sets) {
        sets[0] = a->set;
        memcpy(sets + 1, attachInfo->actionSets, n * sizeof *sets);
        XrSessionActionSetsAttachInfo with = *attachInfo;
        with.countActionSets = n + 1;
        with.actionSets = sets;
        r = d->AttachSessionActionSets(session, &with);
        free(sets);
    }
    if (XR_SUCCEEDED(r)) {
        attached(s, KN_ATTACH_MERGED);
    } else {
        XrResult mine = r;
        r = d->AttachSessionActionSets(session, attachInfo);
        if (XR_SUCCEEDED(r)) {
            KN_LOG_W("xrAttachSessionActionSets: the runtime refused the layer's grip set (%d); "
                     "controller poses are not sampled",
                     (int)mine);
            atomic_store(&s->actions.attach, KN_ATTACH_APP_ONLY);
        }
    }
    pthread_mutex_unlock(&s->work);
    return r;
}

XRAPI_ATTR XrResult XRAPI_CALL kn_xrGetCurrentInteractionProfile(
    XrSession session, XrPath topLevelUserPath, XrInteractionProfileState *interactionProfile)
{
    kn_session *s = kn_session_get(session);
    if (!s)
        return XR_ERROR_HANDLE_INVALID;
    const kn_dispatch *d = &s->inst->next;
    if (!kn_actions_hide_profile_event(s))
        return d->GetCurrentInteractionProfile(session, topLevelUserPath, interactionProfile);
    /* The profile exists because of the layer's suggestions only: answer as
     * the runtime would without them. */
    if (atomic_load(&s->actions.attach) == KN_ATTACH_LAYER && interactionProfile &&
        interactionProfile->type == XR_TYPE_INTERACTION_PROFILE_STATE)
        return XR_ERROR_ACTIONSET_NOT_ATTACHED;
    XrResult r = d->GetCurrentInteractionProfile(session, topLevelUserPath, interactionProfile);
    if (XR_SUCCEEDED(r))
        interactionProfile->interactionProfile = XR_NULL_PATH;
    return r;
}

/* ---- sync */

#define SYNC_STACK_SETS 16

XrResult kn_actions_sync(kn_session *s, const XrActionsSyncInfo *syncInfo)
{
    XrSession session = s->handle;
    const kn_dispatch *d = &s->inst->next;
    int state = atomic_load(&s->actions.attach);
    XrResult r;
    if (state == KN_ATTACH_LAYER && syncInfo && syncInfo->type == XR_TYPE_ACTIONS_SYNC_INFO &&
        syncInfo->countActiveActionSets == 0) {
        /* Nothing of the application's is attached: without the layer's set
         * the session has none. */
        r = XR_ERROR_ACTIONSET_NOT_ATTACHED;
    } else if (state != KN_ATTACH_MERGED || !syncInfo ||
               syncInfo->type != XR_TYPE_ACTIONS_SYNC_INFO ||
               (syncInfo->countActiveActionSets && !syncInfo->activeActionSets)) {
        r = d->SyncActions(session, syncInfo);
    } else {
        /* The first time: a solo sync under way on another thread ends
         * before this one goes down, and none follows. */
        if (!atomic_exchange(&s->actions.app_synced, true)) {
            pthread_mutex_lock(&s->work);
            pthread_mutex_unlock(&s->work);
        }
        uint32_t n = syncInfo->countActiveActionSets;
        XrActiveActionSet stack[SYNC_STACK_SETS];
        XrActiveActionSet *sets = n < SYNC_STACK_SETS ? stack : malloc((n + 1) * sizeof *sets);
        r = XR_ERROR_OUT_OF_MEMORY;
        if (sets) {
            if (n)
                memcpy(sets, syncInfo->activeActionSets, n * sizeof *sets);
            sets[n] = (XrActiveActionSet){s->inst->emulation->actions.set, XR_NULL_PATH};
            XrActionsSyncInfo with = *syncInfo;
            with.countActiveActionSets = n + 1;
            with.activeActionSets = sets;
            r = d->SyncActions(session, &with);
            if (sets != stack)
                free(sets);
        }
        if (XR_FAILED(r)) {
            XrResult mine = r;
            r = d->SyncActions(session, syncInfo);
            if (XR_SUCCEEDED(r) && !atomic_exchange(&s->actions.warned_sync, true))
                KN_LOG_W("xrSyncActions: the runtime refused the call with the layer's set (%d); "
                         "the application's went down alone",
                         (int)mine);
        }
    }
    return r;
}

/* ---- for applications that never attach or sync (under s->work) */

static void lazy_attach(kn_session *s, int64_t now_ns)
{
    const kn_actions *a = &s->inst->emulation->actions;
    pthread_mutex_lock(&s->lock);
    bool due = s->running && (s->frames_waited >= KN_LAZY_ATTACH_FRAMES ||
                              now_ns - s->running_since_ns >= KN_LAZY_ATTACH_NS);
    pthread_mutex_unlock(&s->lock);
    if (!due || !a->set)
        return;
    self_suggest(s->inst);
    XrSessionActionSetsAttachInfo info = {.type = XR_TYPE_SESSION_ACTION_SETS_ATTACH_INFO,
                                          .countActionSets = 1,
                                          .actionSets = &a->set};
    XrResult r = s->inst->next.AttachSessionActionSets(s->handle, &info);
    if (XR_FAILED(r)) {
        KN_LOG_W("the application never attached action sets, and attaching the layer's grip set "
                 "failed (%d): controller poses are not sampled",
                 (int)r);
        atomic_store(&s->actions.attach, KN_ATTACH_FAILED);
        return;
    }
    KN_LOG_I("the application has not attached action sets: the layer attached its grip set");
    attached(s, KN_ATTACH_LAYER);
}

void kn_actions_tick(kn_session *s, int64_t now_ns)
{
    int state = atomic_load(&s->actions.attach);
    if (state == KN_ATTACH_NONE) {
        lazy_attach(s, now_ns);
        state = atomic_load(&s->actions.attach);
    }
    if ((state != KN_ATTACH_MERGED && state != KN_ATTACH_LAYER) ||
        atomic_load(&s->actions.app_synced) ||
        now_ns - s->actions.last_solo_sync_ns < KN_SOLO_SYNC_INTERVAL_NS)
        return;
    /* Only in the state the application has seen FOCUSED (xrPollEvent): a
     * sync ahead of it would succeed where the application, by what it was
     * told, could only have got XR_SESSION_NOT_FOCUSED. */
    pthread_mutex_lock(&s->lock);
    bool focused = s->state == XR_SESSION_STATE_FOCUSED;
    pthread_mutex_unlock(&s->lock);
    if (!focused)
        return;
    s->actions.last_solo_sync_ns = now_ns;
    XrActiveActionSet active = {s->inst->emulation->actions.set, XR_NULL_PATH};
    XrActionsSyncInfo info = {
        .type = XR_TYPE_ACTIONS_SYNC_INFO, .countActiveActionSets = 1, .activeActionSets = &active};
    XrResult r = s->inst->next.SyncActions(s->handle, &info);
    if (XR_FAILED(r))
        KN_LOG_D("the layer's own xrSyncActions: %d", (int)r);
}
