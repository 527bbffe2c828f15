/* The instance's event queue and xrPollEvent. Session states change when
 * their event is queued; the app learns of them in order. */
#include "functions.h"

#include <string.h>

static void push(rt_instance *inst, rt_event e)
{
    rt_events *q = &inst->events;
    if (q->count == RT_EVENT_CAPACITY) {
        /* Drop the oldest and report the loss (XrEventDataEventsLost). */
        q->head = (q->head + 1) % RT_EVENT_CAPACITY;
        q->count--;
        q->lost++;
    }
    q->items[(q->head + q->count) % RT_EVENT_CAPACITY] = e;
    q->count++;
}

void rt_session_set_state(rt_session *s, XrSessionState state)
{
    s->state = state;
    push(s->instance, (rt_event){XR_TYPE_EVENT_DATA_SESSION_STATE_CHANGED, s->handle, state,
                                 rt_instance_now(s->instance)});
}

void rt_event_profile_changed(rt_session *s)
{
    push(s->instance, (rt_event){XR_TYPE_EVENT_DATA_INTERACTION_PROFILE_CHANGED, s->handle, 0, 0});
}

void rt_events_forget_session(rt_instance *inst, uint64_t session)
{
    rt_events *q = &inst->events;
    uint32_t kept = 0;
    for (uint32_t i = 0; i < q->count; i++) {
        rt_event e = q->items[(q->head + i) % RT_EVENT_CAPACITY];
        if (e.session != session)
            q->items[(q->head + kept++) % RT_EVENT_CAPACITY] = e;
    }
    q->count = kept;
}

static XrResult poll_event(XrInstance instance, XrEventDataBuffer *buffer)
{
    rt_instance *inst = rt_handle_get(RT_KEY(instance), RT_KIND_INSTANCE);
    if (!inst)
        return XR_ERROR_HANDLE_INVALID;
    if (!buffer || buffer->type != XR_TYPE_EVENT_DATA_BUFFER)
        return XR_ERROR_VALIDATION_FAILURE;
    rt_events *q = &inst->events;
    if (q->lost) {
        XrEventDataEventsLost e = {XR_TYPE_EVENT_DATA_EVENTS_LOST, NULL, q->lost};
        memcpy(buffer, &e, sizeof e);
        q->lost = 0;
        return XR_SUCCESS;
    }
    if (q->count == 0)
        return XR_EVENT_UNAVAILABLE;
    rt_event e = q->items[q->head];
    q->head = (q->head + 1) % RT_EVENT_CAPACITY;
    q->count--;
    XrSession session = RT_HANDLE(XrSession, e.session);
    if (e.type == XR_TYPE_EVENT_DATA_SESSION_STATE_CHANGED) {
        rt_session *s = rt_handle_get(e.session, RT_KIND_SESSION);
        if (s)
            s->observed = e.state;
        XrEventDataSessionStateChanged out = {e.type, NULL, session, e.state, e.time};
        memcpy(buffer, &out, sizeof out);
    } else {
        XrEventDataInteractionProfileChanged out = {e.type, NULL, session};
        memcpy(buffer, &out, sizeof out);
    }
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrPollEvent(XrInstance instance, XrEventDataBuffer *eventData)
{
    RT_LOCKED(poll_event(instance, eventData));
}
