/* runtime-rules
 *
 * The replay runtime refuses what the specification says a runtime must
 * refuse, so that an application (or the layer) that works against it does
 * not lean on leniency a real runtime lacks. */
#include "e2e.h"

#include <string.h>

static XrPath path(XrInstance instance, const char *s)
{
    XrPath p = XR_NULL_PATH;
    CHECK_XR(xrStringToPath(instance, s, &p));
    return p;
}

int e2e_runtime_rules(int argc, char **argv)
{
    (void)argc, (void)argv;
    XrInstance instance;
    XrPath p;

    /* Without XR_MND_headless there is no session: no graphics API exists. */
    {
        XrInstanceCreateInfo info = {.type = XR_TYPE_INSTANCE_CREATE_INFO};
        snprintf(info.applicationInfo.applicationName, XR_MAX_APPLICATION_NAME_SIZE, "rules");
        info.applicationInfo.apiVersion = XR_MAKE_VERSION(1, 0, 0);
        CHECK_XR(xrCreateInstance(&info, &instance));
        XrSessionCreateInfo si = {.type = XR_TYPE_SESSION_CREATE_INFO,
                                  .systemId = e2e_system(instance)};
        XrSession session;
        EXPECT(xrCreateSession(instance, &si, &session), XR_ERROR_GRAPHICS_DEVICE_INVALID);
        CHECK_XR(xrDestroyInstance(instance));
    }

    CHECK_XR(e2e_create_instance(NULL, 0, &instance));
    EXPECT(xrStringToPath(instance, "/user/hand/left/", &p), XR_ERROR_PATH_FORMAT_INVALID);
    EXPECT(xrStringToPath(instance, "user/hand", &p), XR_ERROR_PATH_FORMAT_INVALID);
    EXPECT(xrStringToPath(instance, "/user//hand", &p), XR_ERROR_PATH_FORMAT_INVALID);
    EXPECT(xrStringToPath(instance, "/User/hand", &p), XR_ERROR_PATH_FORMAT_INVALID);
    char buffer[XR_MAX_PATH_LENGTH];
    uint32_t n;
    EXPECT(xrPathToString(instance, (XrPath)12345, sizeof buffer, &n, buffer),
           XR_ERROR_PATH_INVALID);
    XrPath left = path(instance, "/user/hand/left");
    CHECK(path(instance, "/user/hand/left") == left, "the same string gave another path");
    EXPECT(xrPathToString(instance, left, 4, &n, buffer), XR_ERROR_SIZE_INSUFFICIENT);
    CHECK(n == strlen("/user/hand/left") + 1, "needed %u bytes", n);
    CHECK_XR(xrPathToString(instance, left, sizeof buffer, &n, buffer));
    CHECK(strcmp(buffer, "/user/hand/left") == 0, "path string %s", buffer);

    XrSessionCreateInfo si = {.type = XR_TYPE_SESSION_CREATE_INFO, .systemId = (XrSystemId)99};
    XrSession session;
    EXPECT(xrCreateSession(instance, &si, &session), XR_ERROR_SYSTEM_INVALID);
    si.systemId = e2e_system(instance);
    CHECK_XR(xrCreateSession(instance, &si, &session));
    EXPECT(xrCreateSession(instance, &si, &session), XR_ERROR_LIMIT_REACHED);

    XrFrameState frame = {.type = XR_TYPE_FRAME_STATE};
    EXPECT(xrWaitFrame(session, NULL, &frame), XR_ERROR_SESSION_NOT_RUNNING);
    EXPECT(xrEndSession(session), XR_ERROR_SESSION_NOT_RUNNING);
    EXPECT(xrRequestExitSession(session), XR_ERROR_SESSION_NOT_RUNNING);
    XrInteractionProfileState profile = {.type = XR_TYPE_INTERACTION_PROFILE_STATE};
    EXPECT(xrGetCurrentInteractionProfile(session, left, &profile),
           XR_ERROR_ACTIONSET_NOT_ATTACHED);
    XrActionsSyncInfo sync = {.type = XR_TYPE_ACTIONS_SYNC_INFO};
    EXPECT(xrSyncActions(session, &sync), XR_ERROR_ACTIONSET_NOT_ATTACHED);

    XrActionSetCreateInfo set_info = {.type = XR_TYPE_ACTION_SET_CREATE_INFO};
    strcpy(set_info.actionSetName, "Bad Name");
    strcpy(set_info.localizedActionSetName, "rules");
    XrActionSet set;
    EXPECT(xrCreateActionSet(instance, &set_info, &set), XR_ERROR_PATH_FORMAT_INVALID);
    strcpy(set_info.actionSetName, "rules");
    CHECK_XR(xrCreateActionSet(instance, &set_info, &set));
    XrActionSet twin;
    EXPECT(xrCreateActionSet(instance, &set_info, &twin), XR_ERROR_NAME_DUPLICATED);

    XrActionCreateInfo action_info = {.type = XR_TYPE_ACTION_CREATE_INFO,
                                      .actionType = XR_ACTION_TYPE_POSE_INPUT,
                                      .countSubactionPaths = 1,
                                      .subactionPaths = &left};
    strcpy(action_info.actionName, "grip");
    strcpy(action_info.localizedActionName, "Grip");
    XrAction grip;
    CHECK_XR(xrCreateAction(set, &action_info, &grip));
    XrPath elsewhere = path(instance, "/somewhere/else");
    action_info.subactionPaths = &elsewhere;
    strcpy(action_info.actionName, "other");
    strcpy(action_info.localizedActionName, "Other");
    XrAction other;
    EXPECT(xrCreateAction(set, &action_info, &other), XR_ERROR_PATH_UNSUPPORTED);

    XrActionSuggestedBinding binding = {grip, path(instance, "/user/hand/left/input/grip/pose")};
    XrInteractionProfileSuggestedBinding suggest = {
        .type = XR_TYPE_INTERACTION_PROFILE_SUGGESTED_BINDING,
        .interactionProfile = path(instance, "/interaction_profiles/acme/wand"),
        .countSuggestedBindings = 1,
        .suggestedBindings = &binding};
    EXPECT(xrSuggestInteractionProfileBindings(instance, &suggest), XR_ERROR_PATH_UNSUPPORTED);
    /* A profile from an extension that is not enabled does not exist. */
    suggest.interactionProfile =
        path(instance, "/interaction_profiles/hp/mixed_reality_controller");
    EXPECT(xrSuggestInteractionProfileBindings(instance, &suggest), XR_ERROR_PATH_UNSUPPORTED);
    suggest.interactionProfile = path(instance, "/interaction_profiles/valve/index_controller");
    binding.binding = path(instance, "/user/hand/left/input/x/click"); /* no X on an Index */
    EXPECT(xrSuggestInteractionProfileBindings(instance, &suggest), XR_ERROR_PATH_UNSUPPORTED);
    binding.binding = path(instance, "/user/hand/left/input/grip/pose");
    CHECK_XR(xrSuggestInteractionProfileBindings(instance, &suggest));

    XrActionSpaceCreateInfo space_info = {.type = XR_TYPE_ACTION_SPACE_CREATE_INFO,
                                          .action = grip,
                                          .subactionPath = path(instance, "/user/hand/right"),
                                          .poseInActionSpace = {{0, 0, 0, 1}, {0, 0, 0}}};
    XrSpace space;
    EXPECT(xrCreateActionSpace(session, &space_info, &space), XR_ERROR_PATH_UNSUPPORTED);
    space_info.subactionPath = left;
    space_info.poseInActionSpace.orientation.w = 2;
    EXPECT(xrCreateActionSpace(session, &space_info, &space), XR_ERROR_POSE_INVALID);
    space_info.poseInActionSpace.orientation.w = 1;
    CHECK_XR(xrCreateActionSpace(session, &space_info, &space)); /* before attach is allowed */

    XrSessionActionSetsAttachInfo attach = {
        .type = XR_TYPE_SESSION_ACTION_SETS_ATTACH_INFO, .countActionSets = 1, .actionSets = &set};
    CHECK_XR(xrAttachSessionActionSets(session, &attach));
    EXPECT(xrSuggestInteractionProfileBindings(instance, &suggest),
           XR_ERROR_ACTIONSETS_ALREADY_ATTACHED);
    strcpy(action_info.actionName, "late");
    strcpy(action_info.localizedActionName, "Late");
    action_info.subactionPaths = &left;
    EXPECT(xrCreateAction(set, &action_info, &other), XR_ERROR_ACTIONSETS_ALREADY_ATTACHED);
    XrActionStateGetInfo get = {.type = XR_TYPE_ACTION_STATE_GET_INFO, .action = grip};
    XrActionStateBoolean boolean = {.type = XR_TYPE_ACTION_STATE_BOOLEAN};
    EXPECT(xrGetActionStateBoolean(session, &get, &boolean), XR_ERROR_ACTION_TYPE_MISMATCH);
    CHECK_XR(xrGetCurrentInteractionProfile(session, left, &profile));
    CHECK(profile.interactionProfile ==
              path(instance, "/interaction_profiles/valve/index_controller"),
          "the only suggested profile is not the current one");

    /* Not focused yet (no xrBeginSession): nothing is active. */
    XrActiveActionSet active = {set, XR_NULL_PATH};
    sync.countActiveActionSets = 1;
    sync.activeActionSets = &active;
    EXPECT(xrSyncActions(session, &sync), XR_SESSION_NOT_FOCUSED);
    XrSpace stage;
    XrReferenceSpaceCreateInfo ref = {.type = XR_TYPE_REFERENCE_SPACE_CREATE_INFO,
                                      .referenceSpaceType = XR_REFERENCE_SPACE_TYPE_STAGE,
                                      .poseInReferenceSpace = {{0, 0, 0, 1}, {0, 0, 0}}};
    CHECK_XR(xrCreateReferenceSpace(session, &ref, &stage));
    ref.referenceSpaceType = XR_REFERENCE_SPACE_TYPE_UNBOUNDED_MSFT;
    XrSpace unbounded;
    EXPECT(xrCreateReferenceSpace(session, &ref, &unbounded), XR_ERROR_REFERENCE_SPACE_UNSUPPORTED);
    XrSpaceLocation loc = {.type = XR_TYPE_SPACE_LOCATION};
    EXPECT(xrLocateSpace(space, stage, 0, &loc), XR_ERROR_TIME_INVALID);
    CHECK_XR(xrLocateSpace(space, stage, 1000, &loc));
    CHECK(loc.locationFlags == 0, "an inactive action space has a pose");

    XrSessionBeginInfo begin = {.type = XR_TYPE_SESSION_BEGIN_INFO,
                                .primaryViewConfigurationType =
                                    XR_VIEW_CONFIGURATION_TYPE_PRIMARY_STEREO};
    CHECK_XR(xrBeginSession(session, &begin));
    EXPECT(xrBeginSession(session, &begin), XR_ERROR_SESSION_RUNNING);
    EXPECT(xrEndSession(session), XR_ERROR_SESSION_NOT_STOPPING);
    CHECK_XR(xrWaitFrame(session, NULL, &frame));
    CHECK_XR(xrBeginFrame(session, NULL));
    CHECK_XR(xrWaitFrame(session, NULL, &frame));
    EXPECT(xrBeginFrame(session, NULL), XR_FRAME_DISCARDED);
    XrFrameEndInfo end = {.type = XR_TYPE_FRAME_END_INFO,
                          .displayTime = frame.predictedDisplayTime,
                          .environmentBlendMode = XR_ENVIRONMENT_BLEND_MODE_ADDITIVE};
    EXPECT(xrEndFrame(session, &end), XR_ERROR_ENVIRONMENT_BLEND_MODE_UNSUPPORTED);
    end.environmentBlendMode = XR_ENVIRONMENT_BLEND_MODE_OPAQUE;
    CHECK_XR(xrEndFrame(session, &end));

    CHECK_XR(xrDestroySpace(space));
    EXPECT(xrLocateSpace(space, stage, frame.predictedDisplayTime, &loc), XR_ERROR_HANDLE_INVALID);
    EXPECT(xrDestroySpace(space), XR_ERROR_HANDLE_INVALID);
    CHECK_XR(xrDestroySession(session));
    EXPECT(xrLocateSpace(stage, stage, frame.predictedDisplayTime, &loc), XR_ERROR_HANDLE_INVALID);
    EXPECT(xrBeginSession(session, &begin), XR_ERROR_HANDLE_INVALID);
    CHECK_XR(xrDestroyActionSet(set));
    EXPECT(xrDestroyAction(grip), XR_ERROR_HANDLE_INVALID);
    CHECK_XR(xrDestroyInstance(instance));
    printf("the replay runtime keeps the rules\n");
    return 0;
}
