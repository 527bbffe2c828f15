/* Reference spaces, action spaces and xrLocateSpace. Every space is known
 * by its pose in STAGE (the clip's frame: floor at y = 0):
 *   STAGE   identity
 *   LOCAL   the head of the first frame, yaw only
 *   VIEW    the clip's head
 *   action  the clip's grip of the bound hand, while the action is active */
#include "functions.h"

#include <stdlib.h>

static const XrReferenceSpaceType reference_types[] = {
    XR_REFERENCE_SPACE_TYPE_VIEW, XR_REFERENCE_SPACE_TYPE_LOCAL, XR_REFERENCE_SPACE_TYPE_STAGE};

#define ALL_FLAGS                                                                                  \
    (XR_SPACE_LOCATION_ORIENTATION_VALID_BIT | XR_SPACE_LOCATION_POSITION_VALID_BIT |              \
     XR_SPACE_LOCATION_ORIENTATION_TRACKED_BIT | XR_SPACE_LOCATION_POSITION_TRACKED_BIT)

static rt_session *get_session(XrSession session)
{
    return rt_handle_get(RT_KEY(session), RT_KIND_SESSION);
}

static XrResult reference_spaces(XrSession session, uint32_t capacity, uint32_t *count,
                                 XrReferenceSpaceType *spaces)
{
    if (!get_session(session))
        return XR_ERROR_HANDLE_INVALID;
    if (!count || (capacity && !spaces))
        return XR_ERROR_VALIDATION_FAILURE;
    uint32_t n = sizeof reference_types / sizeof reference_types[0];
    *count = n;
    if (capacity == 0)
        return XR_SUCCESS;
    if (capacity < n)
        return XR_ERROR_SIZE_INSUFFICIENT;
    for (uint32_t i = 0; i < n; i++)
        spaces[i] = reference_types[i];
    return XR_SUCCESS;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrEnumerateReferenceSpaces(XrSession session,
                                                             uint32_t spaceCapacityInput,
                                                             uint32_t *spaceCountOutput,
                                                             XrReferenceSpaceType *spaces)
{
    RT_LOCKED(reference_spaces(session, spaceCapacityInput, spaceCountOutput, spaces));
}

static XrResult add_space(rt_session *s, rt_space *space, XrSpace *out)
{
    space->session = s;
    space->handle = rt_handle_new(RT_KIND_SPACE, space);
    if (!space->handle || !rt_ptrs_push(&s->spaces, space)) {
        if (space->handle)
            rt_handle_release(space->handle);
        free(space);
        return XR_ERROR_OUT_OF_MEMORY;
    }
    *out = RT_HANDLE(XrSpace, space->handle);
    return XR_SUCCESS;
}

static XrResult create_reference_space(XrSession session, const XrReferenceSpaceCreateInfo *info,
                                       XrSpace *out)
{
    rt_session *s = get_session(session);
    if (!s)
        return XR_ERROR_HANDLE_INVALID;
    if (!info || !out || info->type != XR_TYPE_REFERENCE_SPACE_CREATE_INFO)
        return XR_ERROR_VALIDATION_FAILURE;
    bool known = false;
    for (size_t i = 0; i < sizeof reference_types / sizeof reference_types[0]; i++)
        known |= info->referenceSpaceType == reference_types[i];
    if (!known)
        return XR_ERROR_REFERENCE_SPACE_UNSUPPORTED;
    if (!rt_pose_valid(&info->poseInReferenceSpace))
        return XR_ERROR_POSE_INVALID;
    rt_space *space = calloc(1, sizeof *space);
    if (!space)
        return XR_ERROR_OUT_OF_MEMORY;
    space->reference = info->referenceSpaceType;
    space->offset = info->poseInReferenceSpace;
    return add_space(s, space, out);
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrCreateReferenceSpace(
    XrSession session, const XrReferenceSpaceCreateInfo *createInfo, XrSpace *space)
{
    RT_LOCKED(create_reference_space(session, createInfo, space));
}

static XrResult bounds_rect(XrSession session, XrReferenceSpaceType type, XrExtent2Df *bounds)
{
    if (!get_session(session))
        return XR_ERROR_HANDLE_INVALID;
    if (!bounds)
        return XR_ERROR_VALIDATION_FAILURE;
    if (type != XR_REFERENCE_SPACE_TYPE_VIEW && type != XR_REFERENCE_SPACE_TYPE_LOCAL &&
        type != XR_REFERENCE_SPACE_TYPE_STAGE)
        return XR_ERROR_REFERENCE_SPACE_UNSUPPORTED;
    /* A recording has no play area. */
    *bounds = (XrExtent2Df){0, 0};
    return XR_SPACE_BOUNDS_UNAVAILABLE;
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrGetReferenceSpaceBoundsRect(
    XrSession session, XrReferenceSpaceType referenceSpaceType, XrExtent2Df *bounds)
{
    RT_LOCKED(bounds_rect(session, referenceSpaceType, bounds));
}

/* Action spaces may be made before the action set is attached; they have no
 * pose until it is attached, bound and synced. */
static XrResult create_action_space(XrSession session, const XrActionSpaceCreateInfo *info,
                                    XrSpace *out)
{
    rt_session *s = get_session(session);
    if (!s)
        return XR_ERROR_HANDLE_INVALID;
    if (!info || !out || info->type != XR_TYPE_ACTION_SPACE_CREATE_INFO)
        return XR_ERROR_VALIDATION_FAILURE;
    rt_action *a = rt_handle_get(RT_KEY(info->action), RT_KIND_ACTION);
    if (!a || a->set->instance != s->instance)
        return XR_ERROR_HANDLE_INVALID;
    if (a->type != XR_ACTION_TYPE_POSE_INPUT)
        return XR_ERROR_ACTION_TYPE_MISMATCH;
    if (info->subactionPath != XR_NULL_PATH) {
        if (!rt_path_string(s->instance, info->subactionPath))
            return XR_ERROR_PATH_INVALID;
        bool listed = false;
        for (uint32_t i = 0; i < a->subaction_count; i++)
            listed |= a->subaction[i] == info->subactionPath;
        if (!listed)
            return XR_ERROR_PATH_UNSUPPORTED;
    }
    if (!rt_pose_valid(&info->poseInActionSpace))
        return XR_ERROR_POSE_INVALID;
    rt_space *space = calloc(1, sizeof *space);
    if (!space)
        return XR_ERROR_OUT_OF_MEMORY;
    space->is_action = true;
    space->action = a->handle;
    space->subaction = info->subactionPath;
    space->offset = info->poseInActionSpace;
    return add_space(s, space, out);
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrCreateActionSpace(XrSession session,
                                                      const XrActionSpaceCreateInfo *createInfo,
                                                      XrSpace *space)
{
    RT_LOCKED(create_action_space(session, createInfo, space));
}

void rt_space_destroy(rt_space *space)
{
    rt_ptrs_remove(&space->session->spaces, space);
    rt_handle_release(space->handle);
    free(space);
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrDestroySpace(XrSpace space)
{
    rt_lock();
    rt_space *s = rt_handle_get(RT_KEY(space), RT_KIND_SPACE);
    if (s)
        rt_space_destroy(s);
    rt_unlock();
    return s ? XR_SUCCESS : XR_ERROR_HANDLE_INVALID;
}

/* The hand whose grip drives an action space now, or -1. */
static int action_hand(const rt_space *space)
{
    const rt_action *a = rt_handle_get(space->action, RT_KIND_ACTION);
    if (!a || space->session->state != XR_SESSION_STATE_FOCUSED)
        return -1;
    int wanted = space->subaction ? rt_path_hand(space->session->instance, space->subaction) : -1;
    for (int h = 0; h < RT_HANDS; h++)
        if ((!space->subaction || h == wanted) && a->active[h] &&
            (a->bound[h] == RT_SOURCE_GRIP || a->bound[h] == RT_SOURCE_AIM))
            return h;
    return -1;
}

/* The space's origin in STAGE at `time`. */
static void in_stage(const rt_space *space, XrTime time, XrPosef *pose, XrSpaceLocationFlags *flags)
{
    const rt_replay *r = &space->session->instance->replay;
    XrPosef base = RT_POSE_IDENTITY;
    *flags = ALL_FLAGS;
    if (space->is_action) {
        int hand = action_hand(space);
        if (hand < 0)
            *flags = 0;
        else
            rt_replay_sample(r, hand == RT_LEFT ? KN_DEVICE_LEFT_GRIP : KN_DEVICE_RIGHT_GRIP, time,
                             &base, flags);
    } else if (space->reference == XR_REFERENCE_SPACE_TYPE_VIEW) {
        rt_replay_sample(r, KN_DEVICE_HEAD, time, &base, flags);
    } else if (space->reference == XR_REFERENCE_SPACE_TYPE_LOCAL) {
        rt_replay_local(r, &base);
    }
    rt_pose_compose(&base, &space->offset, pose);
}

XrResult rt_space_locate(const rt_space *space, XrSpace base_handle, XrTime time,
                         XrSpaceLocation *location)
{
    const rt_space *base = rt_handle_get(RT_KEY(base_handle), RT_KIND_SPACE);
    if (!base)
        return XR_ERROR_HANDLE_INVALID;
    if (base->session != space->session)
        return XR_ERROR_VALIDATION_FAILURE;
    if (!location || location->type != XR_TYPE_SPACE_LOCATION)
        return XR_ERROR_VALIDATION_FAILURE;
    if (time <= 0)
        return XR_ERROR_TIME_INVALID;

    XrPosef sp, bp, inv;
    XrSpaceLocationFlags sf, bf;
    in_stage(space, time, &sp, &sf);
    in_stage(base, time, &bp, &bf);
    /* Relative orientation needs both orientations; relative position needs
     * both positions and the base's orientation. */
    XrSpaceLocationFlags f = 0;
    if ((sf & bf) & XR_SPACE_LOCATION_ORIENTATION_VALID_BIT) {
        f |= XR_SPACE_LOCATION_ORIENTATION_VALID_BIT;
        if ((sf & bf) & XR_SPACE_LOCATION_ORIENTATION_TRACKED_BIT)
            f |= XR_SPACE_LOCATION_ORIENTATION_TRACKED_BIT;
        if ((sf & bf) & XR_SPACE_LOCATION_POSITION_VALID_BIT) {
            f |= XR_SPACE_LOCATION_POSITION_VALID_BIT;
            if ((sf & bf) & XR_SPACE_LOCATION_POSITION_TRACKED_BIT &&
                bf & XR_SPACE_LOCATION_ORIENTATION_TRACKED_BIT)
                f |= XR_SPACE_LOCATION_POSITION_TRACKED_BIT;
        }
    }
    rt_pose_inverse(&bp, &inv);
    rt_pose_compose(&inv, &sp, &location->pose);
    if (!(f & XR_SPACE_LOCATION_ORIENTATION_VALID_BIT))
        location->pose.orientation = (XrQuaternionf){0, 0, 0, 1};
    if (!(f & XR_SPACE_LOCATION_POSITION_VALID_BIT))
        location->pose.position = (XrVector3f){0, 0, 0};
    location->locationFlags = f;
    /* No velocities are derived from a recording. */
    for (XrBaseOutStructure *n = location->next; n; n = n->next)
        if (n->type == XR_TYPE_SPACE_VELOCITY)
            ((XrSpaceVelocity *)n)->velocityFlags = 0;
    return XR_SUCCESS;
}

static XrResult locate_space(XrSpace space, XrSpace base, XrTime time, XrSpaceLocation *location)
{
    const rt_space *s = rt_handle_get(RT_KEY(space), RT_KIND_SPACE);
    if (!s)
        return XR_ERROR_HANDLE_INVALID;
    return rt_space_locate(s, base, time, location);
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrLocateSpace(XrSpace space, XrSpace baseSpace, XrTime time,
                                                XrSpaceLocation *location)
{
    RT_LOCKED(locate_space(space, baseSpace, time, location));
}
