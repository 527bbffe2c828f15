/* xrPollEvent: what the layer learns from the runtime's events (session
 * states, interaction profiles), the events it keeps from the application,
 * and a sample for sessions without a frame loop. */
#include "body/session.h"
#include "common/lifetime.h"
#include "framework/hooks.h"

#include <string.h>

/* What the layer learns from an event; true when the application must not
 * see it. */
static bool observe_event(kn_instance *inst, const XrEventDataBuffer *event)
{
    if (event->type == XR_TYPE_EVENT_DATA_SESSION_STATE_CHANGED) {
        XrEventDataSessionStateChanged e;
        memcpy(&e, event, sizeof e);
        kn_session *s = kn_session_get(e.session);
        if (s && s->inst == inst) {
            pthread_mutex_lock(&s->lock);
            s->state = e.state;
            if (e.time > s->last_known)
                s->last_known = e.time;
            pthread_mutex_unlock(&s->lock);
        }
    } else if (event->type == XR_TYPE_EVENT_DATA_INTERACTION_PROFILE_CHANGED) {
        XrEventDataInteractionProfileChanged e;
        memcpy(&e, event, sizeof e);
        kn_session *s = kn_session_get(e.session);
        if (s && s->inst == inst) {
            kn_actions_read_profiles(s);
            return kn_actions_hide_profile_event(s);
        }
    }
    return false;
}

XRAPI_ATTR XrResult XRAPI_CALL kn_xrPollEvent(XrInstance instance, XrEventDataBuffer *eventData)
{
    /* The observer looks sessions up while xrDestroySession may run on
     * another thread (the specification allows it). */
    KN_LIFETIME_HOLD();
    kn_instance *inst = kn_instance_get(instance);
    if (!inst || !inst->emulation)
        return XR_ERROR_HANDLE_INVALID;
    XrStructureType type = eventData ? eventData->type : XR_TYPE_UNKNOWN;
    const void *next = eventData ? eventData->next : NULL;
    XrResult r;
    for (;;) {
        r = inst->next.PollEvent(instance, eventData);
        if (r != XR_SUCCESS || !observe_event(inst, eventData))
            break;
        /* Kept from the application: the next one, in a fresh buffer. */
        eventData->type = type;
        eventData->next = next;
    }
    kn_emulation *emu = inst->emulation;
    pthread_mutex_lock(&emu->sessions_lock);
    for (kn_session *s = emu->sessions; s; s = s->next)
        kn_session_frameless_tick(s);
    pthread_mutex_unlock(&emu->sessions_lock);
    return r;
}
