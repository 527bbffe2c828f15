/* Action sets, actions, suggested bindings and action state.
 *
 * At attach the runtime picks the interaction profile the replayed
 * controller answers to: the one KINEST_REPLAY_PROFILE names (default the
 * Touch controller) if the app suggested bindings for it, else the first the
 * app suggested in rt_profiles' order. Pose actions bound to grip or aim
 * follow the clip's grips; every other bound input is at rest. */
#include "functions.h"

#include <openxr/openxr_reflection.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *state_name(XrSessionState state)
{
    switch (state) {
#define RT_STATE_NAME(name, value)                                                                 \
    case name:                                                                                     \
        return #name;
        XR_LIST_ENUM_XrSessionState(RT_STATE_NAME)
#undef RT_STATE_NAME
    }
    return "an unknown state";
}

static rt_session *get_session(XrSession session)
{
    return rt_handle_get(RT_KEY(session), RT_KIND_SESSION);
}

/* Names are single well-formed path components. */
static XrResult check_names(const char *name, size_t name_size, const char *localized,
                            size_t localized_size)
{
    if (!memchr(name, 0, name_size) || !memchr(localized, 0, localized_size))
        return XR_ERROR_VALIDATION_FAILURE;
    if (name[0] == '\0')
        return XR_ERROR_NAME_INVALID;
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' ||
              *c == '.'))
            return XR_ERROR_PATH_FORMAT_INVALID;
    if (localized[0] == '\0')
        return XR_ERROR_LOCALIZED_NAME_INVALID;
    return XR_SUCCESS;
}

/* ---- action sets */

static XrResult create_action_set(XrInstance instance, const XrActionSetCreateInfo *info,
                                  XrActionSet *out)
{
    rt_instance *inst = rt_handle_get(RT_KEY(instance), RT_KIND_INSTANCE);
    if (!inst)
        return XR_ERROR_HANDLE_INVALID;
    if (!info || !out || info->type != XR_TYPE_ACTION_SET_CREATE_INFO)
        return XR_ERROR_VALIDATION_FAILURE;
    XrResult r = check_names(info->actionSetName, sizeof info->actionSetName,
                             info->localizedActionSetName, sizeof info->localizedActionSetName);
    if (XR_FAILED(r))
        return r;
    for (uint32_t i = 0; i < inst->action_sets.count; i++) {
        const rt_action_set *other = inst->action_sets.items[i];
        if (strcmp(other->name, info->actionSetName) == 0)
            return XR_ERROR_NAME_DUPLICATED;
        if (strcmp(other->localized, info->localizedActionSetName) == 0)
            return XR_ERROR_LOCALIZED_NAME_DUPLICATED;
    }
    rt_action_set *set = calloc(1, sizeof *set);
    if (!set)
        return XR_ERROR_OUT_OF_MEMORY;
    set->instance = inst;
    memcpy(set->name, info->actionSetName, sizeof set->name);
    memcpy(set->localized, info->localizedActionSetName, sizeof set->localized);
    set->handle = rt_handle_new(RT_KIND_ACTION_SET, set);
    if (!set->handle || !rt_ptrs_push(&inst->action_sets, set)) {
        if (set->handle)
            rt_handle_release(set->handle);
        free(set);
        return XR_ERROR_OUT_OF_MEMORY;
    }
    *out = RT_HANDLE(XrActionSet, set->handle);
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrCreateActionSet(XrInstance instance,
                                                    const XrActionSetCreateInfo *createInfo,
                                                    XrActionSet *actionSet)
{
    RT_LOCKED(create_action_set(instance, createInfo, actionSet));
}

static void action_destroy(rt_action *a)
{
    rt_ptrs_remove(&a->set->actions, a);
    rt_handle_release(a->handle);
    free(a);
}

void rt_action_set_destroy(rt_action_set *set)
{
    while (set->actions.count)
        action_destroy(set->actions.items[set->actions.count - 1]);
    rt_ptrs_free(&set->actions);
    rt_ptrs_remove(&set->instance->action_sets, set);
    rt_handle_release(set->handle);
    free(set);
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrDestroyActionSet(XrActionSet actionSet)
{
    rt_lock();
    rt_action_set *set = rt_handle_get(RT_KEY(actionSet), RT_KIND_ACTION_SET);
    if (set)
        rt_action_set_destroy(set);
    rt_unlock();
    return set ? XR_SUCCESS : XR_ERROR_HANDLE_INVALID;
}

/* ---- actions */

static XrResult create_action(XrActionSet action_set, const XrActionCreateInfo *info, XrAction *out)
{
    rt_action_set *set = rt_handle_get(RT_KEY(action_set), RT_KIND_ACTION_SET);
    if (!set)
        return XR_ERROR_HANDLE_INVALID;
    if (!info || !out || info->type != XR_TYPE_ACTION_CREATE_INFO ||
        (info->countSubactionPaths && !info->subactionPaths))
        return XR_ERROR_VALIDATION_FAILURE;
    switch (info->actionType) {
    case XR_ACTION_TYPE_BOOLEAN_INPUT:
    case XR_ACTION_TYPE_FLOAT_INPUT:
    case XR_ACTION_TYPE_VECTOR2F_INPUT:
    case XR_ACTION_TYPE_POSE_INPUT:
    case XR_ACTION_TYPE_VIBRATION_OUTPUT:
        break;
    default:
        return XR_ERROR_VALIDATION_FAILURE;
    }
    if (set->attached)
        return XR_ERROR_ACTIONSETS_ALREADY_ATTACHED;
    XrResult r = check_names(info->actionName, sizeof info->actionName, info->localizedActionName,
                             sizeof info->localizedActionName);
    if (XR_FAILED(r))
        return r;
    for (uint32_t i = 0; i < set->actions.count; i++) {
        const rt_action *other = set->actions.items[i];
        if (strcmp(other->name, info->actionName) == 0)
            return XR_ERROR_NAME_DUPLICATED;
        if (strcmp(other->localized, info->localizedActionName) == 0)
            return XR_ERROR_LOCALIZED_NAME_DUPLICATED;
    }
    if (info->countSubactionPaths > RT_MAX_SUBACTION_PATHS)
        return XR_ERROR_PATH_UNSUPPORTED;
    for (uint32_t i = 0; i < info->countSubactionPaths; i++) {
        XrPath p = info->subactionPaths[i];
        if (!rt_path_string(set->instance, p))
            return XR_ERROR_PATH_INVALID;
        if (!rt_path_is_user(set->instance, p))
            return XR_ERROR_PATH_UNSUPPORTED;
        for (uint32_t j = 0; j < i; j++)
            if (info->subactionPaths[j] == p)
                return XR_ERROR_PATH_UNSUPPORTED;
    }
    rt_action *a = calloc(1, sizeof *a);
    if (!a)
        return XR_ERROR_OUT_OF_MEMORY;
    a->set = set;
    a->type = info->actionType;
    memcpy(a->name, info->actionName, sizeof a->name);
    memcpy(a->localized, info->localizedActionName, sizeof a->localized);
    a->subaction_count = info->countSubactionPaths;
    for (uint32_t i = 0; i < a->subaction_count; i++)
        a->subaction[i] = info->subactionPaths[i];
    a->handle = rt_handle_new(RT_KIND_ACTION, a);
    if (!a->handle || !rt_ptrs_push(&set->actions, a)) {
        if (a->handle)
            rt_handle_release(a->handle);
        free(a);
        return XR_ERROR_OUT_OF_MEMORY;
    }
    *out = RT_HANDLE(XrAction, a->handle);
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrCreateAction(XrActionSet actionSet,
                                                 const XrActionCreateInfo *createInfo,
                                                 XrAction *action)
{
    RT_LOCKED(create_action(actionSet, createInfo, action));
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrDestroyAction(XrAction action)
{
    rt_lock();
    rt_action *a = rt_handle_get(RT_KEY(action), RT_KIND_ACTION);
    if (a)
        action_destroy(a);
    rt_unlock();
    return a ? XR_SUCCESS : XR_ERROR_HANDLE_INVALID;
}

/* ---- bindings */

static XrResult suggest(XrInstance instance, const XrInteractionProfileSuggestedBinding *s)
{
    rt_instance *inst = rt_handle_get(RT_KEY(instance), RT_KIND_INSTANCE);
    if (!inst)
        return XR_ERROR_HANDLE_INVALID;
    if (!s || s->type != XR_TYPE_INTERACTION_PROFILE_SUGGESTED_BINDING ||
        s->countSuggestedBindings == 0 || !s->suggestedBindings)
        return XR_ERROR_VALIDATION_FAILURE;
    const char *profile_path = rt_path_string(inst, s->interactionProfile);
    if (!profile_path)
        return XR_ERROR_PATH_INVALID;
    int p = rt_profile_find(profile_path);
    if (p < 0 || (rt_profiles[p].ext && !rt_extension_enabled(inst, rt_profiles[p].ext)))
        return XR_ERROR_PATH_UNSUPPORTED;
    if (inst->bindings_frozen)
        return XR_ERROR_ACTIONSETS_ALREADY_ATTACHED;
    for (uint32_t i = 0; i < s->countSuggestedBindings; i++) {
        const XrActionSuggestedBinding *b = &s->suggestedBindings[i];
        const rt_action *a = rt_handle_get(RT_KEY(b->action), RT_KIND_ACTION);
        if (!a || a->set->instance != inst)
            return XR_ERROR_HANDLE_INVALID;
        const char *path = rt_path_string(inst, b->binding);
        int hand;
        rt_source source;
        if (!path)
            return XR_ERROR_PATH_INVALID;
        if (!rt_profile_binding(&rt_profiles[p], path, &hand, &source))
            return XR_ERROR_PATH_UNSUPPORTED;
    }
    /* A later suggestion for the same profile replaces the earlier one. */
    rt_binding *items = malloc(s->countSuggestedBindings * sizeof *items);
    if (!items)
        return XR_ERROR_OUT_OF_MEMORY;
    for (uint32_t i = 0; i < s->countSuggestedBindings; i++)
        items[i] =
            (rt_binding){RT_KEY(s->suggestedBindings[i].action), s->suggestedBindings[i].binding};
    free(inst->suggested[p].items);
    inst->suggested[p] = (rt_bindings){items, s->countSuggestedBindings};
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrSuggestInteractionProfileBindings(
    XrInstance instance, const XrInteractionProfileSuggestedBinding *suggestedBindings)
{
    RT_LOCKED(suggest(instance, suggestedBindings));
}

static int choose_profile(const rt_instance *inst)
{
    const char *wanted = getenv(RT_ENV_PROFILE);
    int native = wanted ? rt_profile_find(wanted) : 0;
    if (native >= 0 && inst->suggested[native].count)
        return native;
    for (int p = 0; p < RT_PROFILE_COUNT; p++)
        if (inst->suggested[p].count)
            return p;
    return -1;
}

static bool has_subaction(const rt_action *a, int hand)
{
    if (a->subaction_count == 0)
        return true;
    for (uint32_t i = 0; i < a->subaction_count; i++)
        if (rt_path_hand(a->set->instance, a->subaction[i]) == hand)
            return true;
    return false;
}

void rt_actions_bind(rt_session *s)
{
    rt_instance *inst = s->instance;
    s->profile = choose_profile(inst);
    for (uint32_t i = 0; i < inst->action_sets.count; i++) {
        rt_action_set *set = inst->action_sets.items[i];
        for (uint32_t j = 0; set->session == s->handle && j < set->actions.count; j++) {
            rt_action *a = set->actions.items[j];
            memset(a->bound, 0, sizeof a->bound);
            memset(a->active, 0, sizeof a->active);
            if (s->profile < 0)
                continue;
            const rt_bindings *list = &inst->suggested[s->profile];
            for (uint32_t k = 0; k < list->count; k++) {
                const char *path = rt_path_string(inst, list->items[k].path);
                int hand;
                rt_source source;
                if (list->items[k].action != a->handle || !path ||
                    !rt_profile_binding(&rt_profiles[s->profile], path, &hand, &source) ||
                    !has_subaction(a, hand))
                    continue;
                /* A pose action takes its first pose binding. */
                bool pose = source == RT_SOURCE_GRIP || source == RT_SOURCE_AIM;
                if (a->bound[hand] == RT_SOURCE_NONE ||
                    (a->bound[hand] == RT_SOURCE_OTHER && pose)) {
                    a->bound[hand] = source;
                    a->bound_path[hand] = list->items[k].path;
                }
            }
        }
    }
}

void rt_actions_reset(rt_instance *inst)
{
    for (uint32_t i = 0; i < inst->action_sets.count; i++) {
        rt_action_set *set = inst->action_sets.items[i];
        for (uint32_t j = 0; j < set->actions.count; j++) {
            rt_action *a = set->actions.items[j];
            memset(a->bound, 0, sizeof a->bound);
            memset(a->active, 0, sizeof a->active);
        }
    }
}

static XrResult attach(XrSession session, const XrSessionActionSetsAttachInfo *info)
{
    rt_session *s = get_session(session);
    if (!s)
        return XR_ERROR_HANDLE_INVALID;
    if (!info || info->type != XR_TYPE_SESSION_ACTION_SETS_ATTACH_INFO || !info->countActionSets ||
        !info->actionSets)
        return XR_ERROR_VALIDATION_FAILURE;
    if (s->attached)
        return XR_ERROR_ACTIONSETS_ALREADY_ATTACHED;
    for (uint32_t i = 0; i < info->countActionSets; i++) {
        const rt_action_set *set = rt_handle_get(RT_KEY(info->actionSets[i]), RT_KIND_ACTION_SET);
        if (!set || set->instance != s->instance)
            return XR_ERROR_HANDLE_INVALID;
    }
    for (uint32_t i = 0; i < info->countActionSets; i++) {
        rt_action_set *set = rt_handle_get(RT_KEY(info->actionSets[i]), RT_KIND_ACTION_SET);
        set->attached = true;
        set->session = s->handle;
    }
    s->attached = true;
    s->instance->bindings_frozen = true;
    rt_actions_bind(s);
    if (s->profile >= 0)
        rt_event_profile_changed(s);
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL
rt_xrAttachSessionActionSets(XrSession session, const XrSessionActionSetsAttachInfo *attachInfo)
{
    RT_LOCKED(attach(session, attachInfo));
}

static XrResult current_profile(XrSession session, XrPath user, XrInteractionProfileState *state)
{
    rt_session *s = get_session(session);
    if (!s)
        return XR_ERROR_HANDLE_INVALID;
    if (!state || state->type != XR_TYPE_INTERACTION_PROFILE_STATE)
        return XR_ERROR_VALIDATION_FAILURE;
    if (!s->attached)
        return XR_ERROR_ACTIONSET_NOT_ATTACHED;
    if (!rt_path_string(s->instance, user))
        return XR_ERROR_PATH_INVALID;
    if (!rt_path_is_user(s->instance, user))
        return XR_ERROR_PATH_UNSUPPORTED;
    state->interactionProfile = XR_NULL_PATH;
    if (rt_path_hand(s->instance, user) >= 0 && s->profile >= 0)
        return rt_path_intern(s->instance, rt_profiles[s->profile].path,
                              &state->interactionProfile);
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrGetCurrentInteractionProfile(
    XrSession session, XrPath topLevelUserPath, XrInteractionProfileState *interactionProfile)
{
    RT_LOCKED(current_profile(session, topLevelUserPath, interactionProfile));
}

/* ---- sync and state */

static XrResult sync_actions(XrSession session, const XrActionsSyncInfo *info)
{
    rt_session *s = get_session(session);
    if (!s)
        return XR_ERROR_HANDLE_INVALID;
    if (!info || info->type != XR_TYPE_ACTIONS_SYNC_INFO ||
        (info->countActiveActionSets && !info->activeActionSets))
        return XR_ERROR_VALIDATION_FAILURE;
    if (!s->attached)
        return XR_ERROR_ACTIONSET_NOT_ATTACHED;
    for (uint32_t i = 0; i < info->countActiveActionSets; i++) {
        const XrActiveActionSet *active = &info->activeActionSets[i];
        const rt_action_set *set = rt_handle_get(RT_KEY(active->actionSet), RT_KIND_ACTION_SET);
        if (!set || set->instance != s->instance)
            return XR_ERROR_HANDLE_INVALID;
        if (set->session != s->handle)
            return XR_ERROR_ACTIONSET_NOT_ATTACHED;
        if (active->subactionPath != XR_NULL_PATH) {
            if (!rt_path_string(s->instance, active->subactionPath))
                return XR_ERROR_PATH_INVALID;
            if (!rt_path_is_user(s->instance, active->subactionPath))
                return XR_ERROR_PATH_UNSUPPORTED;
        }
    }
    rt_instance *inst = s->instance;
    for (uint32_t i = 0; i < inst->action_sets.count; i++) {
        rt_action_set *set = inst->action_sets.items[i];
        for (uint32_t j = 0; set->session == s->handle && j < set->actions.count; j++)
            memset(((rt_action *)set->actions.items[j])->active, 0, sizeof(bool) * RT_HANDS);
    }
    if (s->state != XR_SESSION_STATE_FOCUSED)
        return XR_SESSION_NOT_FOCUSED;
    /* As the conformance suite's layer checks: a success here while the
     * application has not yet polled FOCUSED contradicts what it was told
     * (a layer syncing on its own too early, say). */
    if (s->observed != XR_SESSION_STATE_FOCUSED && !s->warned_sync) {
        s->warned_sync = true;
        fprintf(stderr,
                "replay-runtime: warning: xrSyncActions succeeded while the last session state "
                "polled was %s, not FOCUSED\n",
                state_name(s->observed));
    }
    for (uint32_t i = 0; i < info->countActiveActionSets; i++) {
        const XrActiveActionSet *active = &info->activeActionSets[i];
        rt_action_set *set = rt_handle_get(RT_KEY(active->actionSet), RT_KIND_ACTION_SET);
        int only = active->subactionPath ? rt_path_hand(inst, active->subactionPath) : -1;
        for (uint32_t j = 0; j < set->actions.count; j++) {
            rt_action *a = set->actions.items[j];
            for (int h = 0; h < RT_HANDS; h++)
                if ((!active->subactionPath || h == only) && a->bound[h] != RT_SOURCE_NONE)
                    a->active[h] = true;
        }
    }
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrSyncActions(XrSession session,
                                                const XrActionsSyncInfo *syncInfo)
{
    RT_LOCKED(sync_actions(session, syncInfo));
}

/* The checks every state query shares; *active is the action's state for
 * the subaction path (any hand for XR_NULL_PATH). */
static XrResult query(XrSession session, XrAction action, XrPath subaction, XrActionType type,
                      bool *active)
{
    rt_session *s = get_session(session);
    if (!s)
        return XR_ERROR_HANDLE_INVALID;
    const rt_action *a = rt_handle_get(RT_KEY(action), RT_KIND_ACTION);
    if (!a || a->set->instance != s->instance)
        return XR_ERROR_HANDLE_INVALID;
    if (a->set->session != s->handle)
        return XR_ERROR_ACTIONSET_NOT_ATTACHED;
    if (a->type != type)
        return XR_ERROR_ACTION_TYPE_MISMATCH;
    *active = false;
    if (subaction == XR_NULL_PATH) {
        for (int h = 0; h < RT_HANDS; h++)
            *active |= a->active[h];
        return XR_SUCCESS;
    }
    if (!rt_path_string(s->instance, subaction))
        return XR_ERROR_PATH_INVALID;
    bool listed = false;
    for (uint32_t i = 0; i < a->subaction_count; i++)
        listed |= a->subaction[i] == subaction;
    if (!listed)
        return XR_ERROR_PATH_UNSUPPORTED;
    int hand = rt_path_hand(s->instance, subaction);
    *active = hand >= 0 && a->active[hand];
    return XR_SUCCESS;
}

#define RT_GET_INFO_OK(info) ((info) && (info)->type == XR_TYPE_ACTION_STATE_GET_INFO)

static XrResult state_boolean(XrSession session, const XrActionStateGetInfo *info,
                              XrActionStateBoolean *state)
{
    bool active;
    if (!RT_GET_INFO_OK(info) || !state || state->type != XR_TYPE_ACTION_STATE_BOOLEAN)
        return XR_ERROR_VALIDATION_FAILURE;
    XrResult r =
        query(session, info->action, info->subactionPath, XR_ACTION_TYPE_BOOLEAN_INPUT, &active);
    if (XR_SUCCEEDED(r)) {
        state->currentState = XR_FALSE;
        state->changedSinceLastSync = XR_FALSE;
        state->lastChangeTime = 0;
        state->isActive = active;
    }
    return r;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrGetActionStateBoolean(XrSession session,
                                                          const XrActionStateGetInfo *getInfo,
                                                          XrActionStateBoolean *state)
{
    RT_LOCKED(state_boolean(session, getInfo, state));
}

static XrResult state_float(XrSession session, const XrActionStateGetInfo *info,
                            XrActionStateFloat *state)
{
    bool active;
    if (!RT_GET_INFO_OK(info) || !state || state->type != XR_TYPE_ACTION_STATE_FLOAT)
        return XR_ERROR_VALIDATION_FAILURE;
    XrResult r =
        query(session, info->action, info->subactionPath, XR_ACTION_TYPE_FLOAT_INPUT, &active);
    if (XR_SUCCEEDED(r)) {
        state->currentState = 0.0f;
        state->changedSinceLastSync = XR_FALSE;
        state->lastChangeTime = 0;
        state->isActive = active;
    }
    return r;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrGetActionStateFloat(XrSession session,
                                                        const XrActionStateGetInfo *getInfo,
                                                        XrActionStateFloat *state)
{
    RT_LOCKED(state_float(session, getInfo, state));
}

static XrResult state_vector2f(XrSession session, const XrActionStateGetInfo *info,
                               XrActionStateVector2f *state)
{
    bool active;
    if (!RT_GET_INFO_OK(info) || !state || state->type != XR_TYPE_ACTION_STATE_VECTOR2F)
        return XR_ERROR_VALIDATION_FAILURE;
    XrResult r =
        query(session, info->action, info->subactionPath, XR_ACTION_TYPE_VECTOR2F_INPUT, &active);
    if (XR_SUCCEEDED(r)) {
        state->currentState = (XrVector2f){0, 0};
        state->changedSinceLastSync = XR_FALSE;
        state->lastChangeTime = 0;
        state->isActive = active;
    }
    return r;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrGetActionStateVector2f(XrSession session,
                                                           const XrActionStateGetInfo *getInfo,
                                                           XrActionStateVector2f *state)
{
    RT_LOCKED(state_vector2f(session, getInfo, state));
}

static XrResult state_pose(XrSession session, const XrActionStateGetInfo *info,
                           XrActionStatePose *state)
{
    bool active;
    if (!RT_GET_INFO_OK(info) || !state || state->type != XR_TYPE_ACTION_STATE_POSE)
        return XR_ERROR_VALIDATION_FAILURE;
    XrResult r =
        query(session, info->action, info->subactionPath, XR_ACTION_TYPE_POSE_INPUT, &active);
    if (XR_SUCCEEDED(r))
        state->isActive = active;
    return r;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrGetActionStatePose(XrSession session,
                                                       const XrActionStateGetInfo *getInfo,
                                                       XrActionStatePose *state)
{
    RT_LOCKED(state_pose(session, getInfo, state));
}

static XrResult haptic(XrSession session, const XrHapticActionInfo *info,
                       const XrHapticBaseHeader *feedback, bool apply)
{
    bool active;
    if (!info || info->type != XR_TYPE_HAPTIC_ACTION_INFO ||
        (apply && (!feedback || feedback->type != XR_TYPE_HAPTIC_VIBRATION)))
        return XR_ERROR_VALIDATION_FAILURE;
    /* Nothing to shake: accepted and ignored, as by a controller that is off. */
    return query(session, info->action, info->subactionPath, XR_ACTION_TYPE_VIBRATION_OUTPUT,
                 &active);
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrApplyHapticFeedback(XrSession session,
                                                        const XrHapticActionInfo *hapticActionInfo,
                                                        const XrHapticBaseHeader *hapticFeedback)
{
    RT_LOCKED(haptic(session, hapticActionInfo, hapticFeedback, true));
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrStopHapticFeedback(XrSession session,
                                                       const XrHapticActionInfo *hapticActionInfo)
{
    RT_LOCKED(haptic(session, hapticActionInfo, NULL, false));
}

static XrResult bound_sources(XrSession session, const XrBoundSourcesForActionEnumerateInfo *info,
                              uint32_t capacity, uint32_t *count, XrPath *sources)
{
    rt_session *s = get_session(session);
    if (!s)
        return XR_ERROR_HANDLE_INVALID;
    if (!info || info->type != XR_TYPE_BOUND_SOURCES_FOR_ACTION_ENUMERATE_INFO || !count ||
        (capacity && !sources))
        return XR_ERROR_VALIDATION_FAILURE;
    const rt_action *a = rt_handle_get(RT_KEY(info->action), RT_KIND_ACTION);
    if (!a || a->set->instance != s->instance)
        return XR_ERROR_HANDLE_INVALID;
    if (a->set->session != s->handle)
        return XR_ERROR_ACTIONSET_NOT_ATTACHED;
    uint32_t n = 0;
    for (int h = 0; h < RT_HANDS; h++)
        n += a->bound[h] != RT_SOURCE_NONE;
    *count = n;
    if (capacity == 0)
        return XR_SUCCESS;
    if (capacity < n)
        return XR_ERROR_SIZE_INSUFFICIENT;
    n = 0;
    for (int h = 0; h < RT_HANDS; h++)
        if (a->bound[h] != RT_SOURCE_NONE)
            sources[n++] = a->bound_path[h];
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrEnumerateBoundSourcesForAction(
    XrSession session, const XrBoundSourcesForActionEnumerateInfo *enumerateInfo,
    uint32_t sourceCapacityInput, uint32_t *sourceCountOutput, XrPath *sources)
{
    RT_LOCKED(
        bound_sources(session, enumerateInfo, sourceCapacityInput, sourceCountOutput, sources));
}

/* There is nothing to localise: the name is the path itself. */
static XrResult localized_name(XrSession session, const XrInputSourceLocalizedNameGetInfo *info,
                               uint32_t capacity, uint32_t *count, char *buffer)
{
    rt_session *s = get_session(session);
    if (!s)
        return XR_ERROR_HANDLE_INVALID;
    if (!info || info->type != XR_TYPE_INPUT_SOURCE_LOCALIZED_NAME_GET_INFO ||
        !info->whichComponents)
        return XR_ERROR_VALIDATION_FAILURE;
    if (!s->attached)
        return XR_ERROR_ACTIONSET_NOT_ATTACHED;
    const char *path = rt_path_string(s->instance, info->sourcePath);
    if (!path)
        return XR_ERROR_PATH_INVALID;
    return rt_fill_string(path, capacity, count, buffer);
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrGetInputSourceLocalizedName(
    XrSession session, const XrInputSourceLocalizedNameGetInfo *getInfo,
    uint32_t bufferCapacityInput, uint32_t *bufferCountOutput, char *buffer)
{
    RT_LOCKED(localized_name(session, getInfo, bufferCapacityInput, bufferCountOutput, buffer));
}
