/* Sessions and their lifecycle. A session is headless (XR_MND_headless):
 * there is no compositor, so once begun it becomes SYNCHRONIZED, VISIBLE and
 * FOCUSED straight away, each change delivered by xrPollEvent in order. */
#include "functions.h"

#include <stdlib.h>

static rt_session *get(XrSession session)
{
    return rt_handle_get(RT_KEY(session), RT_KIND_SESSION);
}

static XrResult create_session(XrInstance instance, const XrSessionCreateInfo *info,
                               XrSession *session)
{
    rt_instance *inst = rt_handle_get(RT_KEY(instance), RT_KIND_INSTANCE);
    if (!inst)
        return XR_ERROR_HANDLE_INVALID;
    if (!info || !session || info->type != XR_TYPE_SESSION_CREATE_INFO || info->createFlags)
        return XR_ERROR_VALIDATION_FAILURE;
    if (info->systemId != RT_SYSTEM_ID || !inst->system_requested)
        return XR_ERROR_SYSTEM_INVALID;
    /* No graphics API is implemented: only headless sessions exist. */
    if (info->next || !rt_extension_enabled(inst, RT_EXT_HEADLESS))
        return XR_ERROR_GRAPHICS_DEVICE_INVALID;
    if (inst->session)
        return XR_ERROR_LIMIT_REACHED;

    rt_session *s = calloc(1, sizeof *s);
    if (!s)
        return XR_ERROR_OUT_OF_MEMORY;
    s->instance = inst;
    s->profile = -1;
    s->handle = rt_handle_new(RT_KIND_SESSION, s);
    if (!s->handle) {
        free(s);
        return XR_ERROR_OUT_OF_MEMORY;
    }
    inst->session = s;
    rt_session_set_state(s, XR_SESSION_STATE_IDLE);
    rt_session_set_state(s, XR_SESSION_STATE_READY);
    *session = RT_HANDLE(XrSession, s->handle);
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrCreateSession(XrInstance instance,
                                                  const XrSessionCreateInfo *createInfo,
                                                  XrSession *session)
{
    RT_LOCKED(create_session(instance, createInfo, session));
}

void rt_session_destroy(rt_session *s)
{
    while (s->spaces.count)
        rt_space_destroy(s->spaces.items[s->spaces.count - 1]);
    rt_ptrs_free(&s->spaces);
    rt_actions_reset(s->instance);
    rt_events_forget_session(s->instance, s->handle);
    s->instance->session = NULL;
    rt_handle_release(s->handle);
    free(s);
}

static XrResult destroy_session(XrSession session)
{
    rt_session *s = get(session);
    if (!s)
        return XR_ERROR_HANDLE_INVALID;
    rt_session_destroy(s);
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrDestroySession(XrSession session)
{
    RT_LOCKED(destroy_session(session));
}

static XrResult begin_session(XrSession session, const XrSessionBeginInfo *info)
{
    rt_session *s = get(session);
    if (!s)
        return XR_ERROR_HANDLE_INVALID;
    if (!info || info->type != XR_TYPE_SESSION_BEGIN_INFO)
        return XR_ERROR_VALIDATION_FAILURE;
    if (s->running)
        return XR_ERROR_SESSION_RUNNING;
    if (s->state != XR_SESSION_STATE_READY)
        return XR_ERROR_SESSION_NOT_READY;
    /* Headless: primaryViewConfigurationType names no display and is not
     * checked (as in Monado). */
    s->running = true;
    s->next_frame = 0;
    s->waited = 0;
    s->in_frame = false;
    rt_session_set_state(s, XR_SESSION_STATE_SYNCHRONIZED);
    rt_session_set_state(s, XR_SESSION_STATE_VISIBLE);
    rt_session_set_state(s, XR_SESSION_STATE_FOCUSED);
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrBeginSession(XrSession session,
                                                 const XrSessionBeginInfo *beginInfo)
{
    RT_LOCKED(begin_session(session, beginInfo));
}

static XrResult request_exit(XrSession session)
{
    rt_session *s = get(session);
    if (!s)
        return XR_ERROR_HANDLE_INVALID;
    if (!s->running)
        return XR_ERROR_SESSION_NOT_RUNNING;
    if (s->exit_requested)
        return XR_SUCCESS;
    s->exit_requested = true;
    if (s->state == XR_SESSION_STATE_FOCUSED)
        rt_session_set_state(s, XR_SESSION_STATE_VISIBLE);
    if (s->state == XR_SESSION_STATE_VISIBLE)
        rt_session_set_state(s, XR_SESSION_STATE_SYNCHRONIZED);
    rt_session_set_state(s, XR_SESSION_STATE_STOPPING);
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrRequestExitSession(XrSession session)
{
    RT_LOCKED(request_exit(session));
}

static XrResult end_session(XrSession session)
{
    rt_session *s = get(session);
    if (!s)
        return XR_ERROR_HANDLE_INVALID;
    if (!s->running)
        return XR_ERROR_SESSION_NOT_RUNNING;
    if (s->state != XR_SESSION_STATE_STOPPING)
        return XR_ERROR_SESSION_NOT_STOPPING;
    s->running = false;
    s->in_frame = false;
    s->waited = 0;
    rt_session_set_state(s, XR_SESSION_STATE_IDLE);
    if (s->exit_requested)
        rt_session_set_state(s, XR_SESSION_STATE_EXITING);
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrEndSession(XrSession session)
{
    RT_LOCKED(end_session(session));
}
