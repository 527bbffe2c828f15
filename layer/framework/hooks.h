/* The layer's own entry points: the two the loader negotiates for, and one
 * kn_xr<name> for every HOOK in functions.h. */
#ifndef KN_LAYER_HOOKS_H
#define KN_LAYER_HOOKS_H

#include "xr/xr_body_tracking.h"
#include "xr/xr_loader_interfaces.h"

XRAPI_ATTR XrResult XRAPI_CALL kn_xrCreateApiLayerInstance(const XrInstanceCreateInfo *info,
                                                           const XrApiLayerCreateInfo *layerInfo,
                                                           XrInstance *instance);

XRAPI_ATTR XrResult XRAPI_CALL kn_xrGetInstanceProcAddr(XrInstance instance, const char *name,
                                                        PFN_xrVoidFunction *function);
XRAPI_ATTR XrResult XRAPI_CALL kn_xrDestroyInstance(XrInstance instance);
XRAPI_ATTR XrResult XRAPI_CALL kn_xrGetSystemProperties(XrInstance instance, XrSystemId systemId,
                                                        XrSystemProperties *properties);
XRAPI_ATTR XrResult XRAPI_CALL kn_xrPollEvent(XrInstance instance, XrEventDataBuffer *eventData);

/* Sessions and sampling (body/session.c, session_sampling.c, session_events.c) */
XRAPI_ATTR XrResult XRAPI_CALL kn_xrCreateSession(XrInstance instance,
                                                  const XrSessionCreateInfo *createInfo,
                                                  XrSession *session);
XRAPI_ATTR XrResult XRAPI_CALL kn_xrDestroySession(XrSession session);
XRAPI_ATTR XrResult XRAPI_CALL kn_xrBeginSession(XrSession session,
                                                 const XrSessionBeginInfo *beginInfo);
XRAPI_ATTR XrResult XRAPI_CALL kn_xrEndSession(XrSession session);
XRAPI_ATTR XrResult XRAPI_CALL kn_xrWaitFrame(XrSession session,
                                              const XrFrameWaitInfo *frameWaitInfo,
                                              XrFrameState *frameState);
XRAPI_ATTR XrResult XRAPI_CALL kn_xrLocateViews(XrSession session,
                                                const XrViewLocateInfo *viewLocateInfo,
                                                XrViewState *viewState, uint32_t viewCapacityInput,
                                                uint32_t *viewCountOutput, XrView *views);
XRAPI_ATTR XrResult XRAPI_CALL kn_xrSyncActions(XrSession session,
                                                const XrActionsSyncInfo *syncInfo);

/* The grip action set (body/actions.c; xrSyncActions samples after it,
 * session_sampling.c) */
XRAPI_ATTR XrResult XRAPI_CALL kn_xrSuggestInteractionProfileBindings(
    XrInstance instance, const XrInteractionProfileSuggestedBinding *suggestedBindings);
XRAPI_ATTR XrResult XRAPI_CALL
kn_xrAttachSessionActionSets(XrSession session, const XrSessionActionSetsAttachInfo *attachInfo);
XRAPI_ATTR XrResult XRAPI_CALL kn_xrGetCurrentInteractionProfile(
    XrSession session, XrPath topLevelUserPath, XrInteractionProfileState *interactionProfile);

/* The served extensions (api/): one entry file per extension. */
XRAPI_ATTR XrResult XRAPI_CALL kn_xrCreateBodyTrackerFB(XrSession session,
                                                        const XrBodyTrackerCreateInfoFB *createInfo,
                                                        XrBodyTrackerFB *bodyTracker);
XRAPI_ATTR XrResult XRAPI_CALL kn_xrDestroyBodyTrackerFB(XrBodyTrackerFB bodyTracker);
XRAPI_ATTR XrResult XRAPI_CALL kn_xrLocateBodyJointsFB(XrBodyTrackerFB bodyTracker,
                                                       const XrBodyJointsLocateInfoFB *locateInfo,
                                                       XrBodyJointLocationsFB *locations);
XRAPI_ATTR XrResult XRAPI_CALL kn_xrGetBodySkeletonFB(XrBodyTrackerFB bodyTracker,
                                                      XrBodySkeletonFB *skeleton);
XRAPI_ATTR XrResult XRAPI_CALL kn_xrRequestBodyTrackingFidelityMETA(
    XrBodyTrackerFB bodyTracker, const XrBodyTrackingFidelityMETA fidelity);
XRAPI_ATTR XrResult XRAPI_CALL kn_xrSuggestBodyTrackingCalibrationOverrideMETA(
    XrBodyTrackerFB bodyTracker, const XrBodyTrackingCalibrationInfoMETA *calibrationInfo);
XRAPI_ATTR XrResult XRAPI_CALL kn_xrResetBodyTrackingCalibrationMETA(XrBodyTrackerFB bodyTracker);
XRAPI_ATTR XrResult XRAPI_CALL kn_xrCreateBodyTrackerBD(XrSession session,
                                                        const XrBodyTrackerCreateInfoBD *createInfo,
                                                        XrBodyTrackerBD *bodyTracker);
XRAPI_ATTR XrResult XRAPI_CALL kn_xrDestroyBodyTrackerBD(XrBodyTrackerBD bodyTracker);
XRAPI_ATTR XrResult XRAPI_CALL kn_xrLocateBodyJointsBD(XrBodyTrackerBD bodyTracker,
                                                       const XrBodyJointsLocateInfoBD *locateInfo,
                                                       XrBodyJointLocationsBD *locations);
XRAPI_ATTR XrResult XRAPI_CALL kn_xrCreateBodyTrackerHTC(
    XrSession session, const XrBodyTrackerCreateInfoHTC *createInfo, XrBodyTrackerHTC *bodyTracker);
XRAPI_ATTR XrResult XRAPI_CALL kn_xrDestroyBodyTrackerHTC(XrBodyTrackerHTC bodyTracker);
XRAPI_ATTR XrResult XRAPI_CALL kn_xrLocateBodyJointsHTC(XrBodyTrackerHTC bodyTracker,
                                                        const XrBodyJointsLocateInfoHTC *locateInfo,
                                                        XrBodyJointLocationsHTC *locations);
XRAPI_ATTR XrResult XRAPI_CALL kn_xrGetBodySkeletonHTC(XrBodyTrackerHTC bodyTracker,
                                                       XrSpace baseSpace,
                                                       uint32_t skeletonGenerationId,
                                                       XrBodySkeletonHTC *skeleton);

#endif
