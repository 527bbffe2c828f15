/* The frame loop, the view configuration and the (absent) swapchains.
 * Frame n is displayed at the clip's first frame + n/60 s: the loop runs at
 * 60 Hz of clip time, as fast as the app calls, and never sleeps. */
#include "functions.h"

#include <math.h>
#include <string.h>

#define EYE_SEPARATION_M 0.063f
#define VIEW_WIDTH       1440
#define VIEW_HEIGHT      1600

static rt_session *get(XrSession session)
{
    return rt_handle_get(RT_KEY(session), RT_KIND_SESSION);
}

static XrTime display_time(const rt_session *s, uint64_t frame)
{
    return RT_TIME_ORIGIN + rt_replay_start(&s->instance->replay) +
           (XrTime)(frame * UINT64_C(1000000000) / RT_FRAME_RATE_HZ);
}

static XrResult wait_frame(XrSession session, const XrFrameWaitInfo *info, XrFrameState *state)
{
    rt_session *s = get(session);
    if (!s)
        return XR_ERROR_HANDLE_INVALID;
    if ((info && info->type != XR_TYPE_FRAME_WAIT_INFO) || !state ||
        state->type != XR_TYPE_FRAME_STATE)
        return XR_ERROR_VALIDATION_FAILURE;
    if (!s->running)
        return XR_ERROR_SESSION_NOT_RUNNING;
    state->predictedDisplayTime = display_time(s, s->next_frame);
    state->predictedDisplayPeriod =
        display_time(s, s->next_frame + 1) - state->predictedDisplayTime;
    state->shouldRender =
        s->state == XR_SESSION_STATE_VISIBLE || s->state == XR_SESSION_STATE_FOCUSED;
    s->next_frame++;
    s->waited++;
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrWaitFrame(XrSession session,
                                              const XrFrameWaitInfo *frameWaitInfo,
                                              XrFrameState *frameState)
{
    RT_LOCKED(wait_frame(session, frameWaitInfo, frameState));
}

static XrResult begin_frame(XrSession session, const XrFrameBeginInfo *info)
{
    rt_session *s = get(session);
    if (!s)
        return XR_ERROR_HANDLE_INVALID;
    if (info && info->type != XR_TYPE_FRAME_BEGIN_INFO)
        return XR_ERROR_VALIDATION_FAILURE;
    if (!s->running)
        return XR_ERROR_SESSION_NOT_RUNNING;
    if (s->waited == 0)
        return XR_ERROR_CALL_ORDER_INVALID;
    s->waited--;
    if (s->in_frame)
        return XR_FRAME_DISCARDED; /* the frame begun before is dropped */
    s->in_frame = true;
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrBeginFrame(XrSession session,
                                               const XrFrameBeginInfo *frameBeginInfo)
{
    RT_LOCKED(begin_frame(session, frameBeginInfo));
}

static XrResult end_frame(XrSession session, const XrFrameEndInfo *info)
{
    rt_session *s = get(session);
    if (!s)
        return XR_ERROR_HANDLE_INVALID;
    if (!info || info->type != XR_TYPE_FRAME_END_INFO || (info->layerCount && !info->layers))
        return XR_ERROR_VALIDATION_FAILURE;
    if (!s->running)
        return XR_ERROR_SESSION_NOT_RUNNING;
    if (!s->in_frame)
        return XR_ERROR_CALL_ORDER_INVALID;
    if (info->displayTime <= 0)
        return XR_ERROR_TIME_INVALID;
    if (info->environmentBlendMode != XR_ENVIRONMENT_BLEND_MODE_OPAQUE)
        return XR_ERROR_ENVIRONMENT_BLEND_MODE_UNSUPPORTED;
    /* A headless session has no swapchain, so no layer can be valid. */
    if (info->layerCount)
        return XR_ERROR_LAYER_INVALID;
    s->in_frame = false;
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrEndFrame(XrSession session, const XrFrameEndInfo *frameEndInfo)
{
    RT_LOCKED(end_frame(session, frameEndInfo));
}

/* ---- view configuration: one stereo HMD */

static XrResult check_system(XrInstance instance, XrSystemId system)
{
    if (!rt_handle_get(RT_KEY(instance), RT_KIND_INSTANCE))
        return XR_ERROR_HANDLE_INVALID;
    return system == RT_SYSTEM_ID ? XR_SUCCESS : XR_ERROR_SYSTEM_INVALID;
}

static XrResult view_configurations(XrInstance instance, XrSystemId system, uint32_t capacity,
                                    uint32_t *count, XrViewConfigurationType *types)
{
    XrResult r = check_system(instance, system);
    if (XR_FAILED(r))
        return r;
    if (!count || (capacity && !types))
        return XR_ERROR_VALIDATION_FAILURE;
    *count = 1;
    if (capacity)
        types[0] = XR_VIEW_CONFIGURATION_TYPE_PRIMARY_STEREO;
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrEnumerateViewConfigurations(
    XrInstance instance, XrSystemId systemId, uint32_t viewConfigurationTypeCapacityInput,
    uint32_t *viewConfigurationTypeCountOutput, XrViewConfigurationType *viewConfigurationTypes)
{
    RT_LOCKED(view_configurations(instance, systemId, viewConfigurationTypeCapacityInput,
                                  viewConfigurationTypeCountOutput, viewConfigurationTypes));
}

static XrResult view_configuration_properties(XrInstance instance, XrSystemId system,
                                              XrViewConfigurationType type,
                                              XrViewConfigurationProperties *p)
{
    XrResult r = check_system(instance, system);
    if (XR_FAILED(r))
        return r;
    if (!p || p->type != XR_TYPE_VIEW_CONFIGURATION_PROPERTIES)
        return XR_ERROR_VALIDATION_FAILURE;
    if (type != XR_VIEW_CONFIGURATION_TYPE_PRIMARY_STEREO)
        return XR_ERROR_VIEW_CONFIGURATION_TYPE_UNSUPPORTED;
    p->viewConfigurationType = type;
    p->fovMutable = XR_TRUE;
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrGetViewConfigurationProperties(
    XrInstance instance, XrSystemId systemId, XrViewConfigurationType viewConfigurationType,
    XrViewConfigurationProperties *configurationProperties)
{
    RT_LOCKED(view_configuration_properties(instance, systemId, viewConfigurationType,
                                            configurationProperties));
}

static XrResult configuration_views(XrInstance instance, XrSystemId system,
                                    XrViewConfigurationType type, uint32_t capacity,
                                    uint32_t *count, XrViewConfigurationView *views)
{
    XrResult r = check_system(instance, system);
    if (XR_FAILED(r))
        return r;
    if (!count || (capacity && !views))
        return XR_ERROR_VALIDATION_FAILURE;
    if (type != XR_VIEW_CONFIGURATION_TYPE_PRIMARY_STEREO)
        return XR_ERROR_VIEW_CONFIGURATION_TYPE_UNSUPPORTED;
    *count = 2;
    if (capacity == 0)
        return XR_SUCCESS;
    if (capacity < 2)
        return XR_ERROR_SIZE_INSUFFICIENT;
    for (int i = 0; i < 2; i++) {
        if (views[i].type != XR_TYPE_VIEW_CONFIGURATION_VIEW)
            return XR_ERROR_VALIDATION_FAILURE;
        views[i].recommendedImageRectWidth = VIEW_WIDTH;
        views[i].maxImageRectWidth = 4096;
        views[i].recommendedImageRectHeight = VIEW_HEIGHT;
        views[i].maxImageRectHeight = 4096;
        views[i].recommendedSwapchainSampleCount = 1;
        views[i].maxSwapchainSampleCount = 4;
    }
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrEnumerateViewConfigurationViews(
    XrInstance instance, XrSystemId systemId, XrViewConfigurationType viewConfigurationType,
    uint32_t viewCapacityInput, uint32_t *viewCountOutput, XrViewConfigurationView *views)
{
    RT_LOCKED(configuration_views(instance, systemId, viewConfigurationType, viewCapacityInput,
                                  viewCountOutput, views));
}

/* The eyes: the head (VIEW) moved half the eye separation left and right. */
static XrResult locate_views(XrSession session, const XrViewLocateInfo *info, XrViewState *state,
                             uint32_t capacity, uint32_t *count, XrView *views)
{
    rt_session *s = get(session);
    if (!s)
        return XR_ERROR_HANDLE_INVALID;
    if (!info || info->type != XR_TYPE_VIEW_LOCATE_INFO || !state ||
        state->type != XR_TYPE_VIEW_STATE || !count || (capacity && !views))
        return XR_ERROR_VALIDATION_FAILURE;
    if (info->viewConfigurationType != XR_VIEW_CONFIGURATION_TYPE_PRIMARY_STEREO)
        return XR_ERROR_VIEW_CONFIGURATION_TYPE_UNSUPPORTED;
    if (info->displayTime <= 0)
        return XR_ERROR_TIME_INVALID;
    *count = 2;
    if (capacity == 0)
        return XR_SUCCESS;
    if (capacity < 2)
        return XR_ERROR_SIZE_INSUFFICIENT;
    for (int i = 0; i < 2; i++)
        if (views[i].type != XR_TYPE_VIEW)
            return XR_ERROR_VALIDATION_FAILURE;

    /* The head in the app's space: a VIEW space that is never handed out. */
    rt_space head = {
        .session = s, .reference = XR_REFERENCE_SPACE_TYPE_VIEW, .offset = RT_POSE_IDENTITY};
    XrSpaceLocation loc = {.type = XR_TYPE_SPACE_LOCATION};
    XrResult r = rt_space_locate(&head, info->space, info->displayTime, &loc);
    if (XR_FAILED(r))
        return r;
    state->viewStateFlags = loc.locationFlags;
    for (int i = 0; i < 2; i++) {
        XrPosef eye = {{0, 0, 0, 1}, {(i ? 0.5f : -0.5f) * EYE_SEPARATION_M, 0, 0}};
        rt_pose_compose(&loc.pose, &eye, &views[i].pose);
        float half = 0.785398f; /* 45 degrees */
        views[i].fov = (XrFovf){-half, half, half, -half};
    }
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrLocateViews(XrSession session,
                                                const XrViewLocateInfo *viewLocateInfo,
                                                XrViewState *viewState, uint32_t viewCapacityInput,
                                                uint32_t *viewCountOutput, XrView *views)
{
    RT_LOCKED(locate_views(session, viewLocateInfo, viewState, viewCapacityInput, viewCountOutput,
                           views));
}

/* ---- swapchains: a headless session has none, and no format to make one */

static XrResult swapchain_formats(XrSession session, uint32_t capacity, uint32_t *count,
                                  int64_t *formats)
{
    (void)formats;
    if (!get(session))
        return XR_ERROR_HANDLE_INVALID;
    if (!count)
        return XR_ERROR_VALIDATION_FAILURE;
    (void)capacity;
    *count = 0;
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrEnumerateSwapchainFormats(XrSession session,
                                                              uint32_t formatCapacityInput,
                                                              uint32_t *formatCountOutput,
                                                              int64_t *formats)
{
    RT_LOCKED(swapchain_formats(session, formatCapacityInput, formatCountOutput, formats));
}

static XrResult create_swapchain(XrSession session, const XrSwapchainCreateInfo *info,
                                 XrSwapchain *swapchain)
{
    if (!get(session))
        return XR_ERROR_HANDLE_INVALID;
    if (!info || !swapchain || info->type != XR_TYPE_SWAPCHAIN_CREATE_INFO)
        return XR_ERROR_VALIDATION_FAILURE;
    return XR_ERROR_SWAPCHAIN_FORMAT_UNSUPPORTED;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrCreateSwapchain(XrSession session,
                                                    const XrSwapchainCreateInfo *createInfo,
                                                    XrSwapchain *swapchain)
{
    RT_LOCKED(create_swapchain(session, createInfo, swapchain));
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrDestroySwapchain(XrSwapchain swapchain)
{
    (void)swapchain;
    return XR_ERROR_HANDLE_INVALID;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrEnumerateSwapchainImages(XrSwapchain swapchain,
                                                             uint32_t imageCapacityInput,
                                                             uint32_t *imageCountOutput,
                                                             XrSwapchainImageBaseHeader *images)
{
    (void)swapchain, (void)imageCapacityInput, (void)imageCountOutput, (void)images;
    return XR_ERROR_HANDLE_INVALID;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrAcquireSwapchainImage(
    XrSwapchain swapchain, const XrSwapchainImageAcquireInfo *acquireInfo, uint32_t *index)
{
    (void)swapchain, (void)acquireInfo, (void)index;
    return XR_ERROR_HANDLE_INVALID;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrWaitSwapchainImage(XrSwapchain swapchain,
                                                       const XrSwapchainImageWaitInfo *waitInfo)
{
    (void)swapchain, (void)waitInfo;
    return XR_ERROR_HANDLE_INVALID;
}

XRAPI_ATTR XrResult XRAPI_CALL
rt_xrReleaseSwapchainImage(XrSwapchain swapchain, const XrSwapchainImageReleaseInfo *releaseInfo)
{
    (void)swapchain, (void)releaseInfo;
    return XR_ERROR_HANDLE_INVALID;
}
