/* Every function the runtime implements, in one list. It generates the
 * declarations of the rt_xr<name> implementations (with the types of the
 * OpenXR PFNs, so every definition is checked against the spec's signature)
 * and the table xrGetInstanceProcAddr searches (proc_addr.c).
 *
 * X(name, ext): ext is the rt_ext bit the instance must have enabled, 0 for
 * core functions. */
#ifndef RT_FUNCTIONS_H
#define RT_FUNCTIONS_H

#include "runtime.h"

#define RT_FUNCTIONS(X)                                                                            \
    X(GetInstanceProcAddr, 0)                                                                      \
    X(EnumerateApiLayerProperties, 0)                                                              \
    X(EnumerateInstanceExtensionProperties, 0)                                                     \
    X(CreateInstance, 0)                                                                           \
    X(DestroyInstance, 0)                                                                          \
    X(GetInstanceProperties, 0)                                                                    \
    X(PollEvent, 0)                                                                                \
    X(ResultToString, 0)                                                                           \
    X(StructureTypeToString, 0)                                                                    \
    X(GetSystem, 0)                                                                                \
    X(GetSystemProperties, 0)                                                                      \
    X(EnumerateEnvironmentBlendModes, 0)                                                           \
    X(CreateSession, 0)                                                                            \
    X(DestroySession, 0)                                                                           \
    X(BeginSession, 0)                                                                             \
    X(EndSession, 0)                                                                               \
    X(RequestExitSession, 0)                                                                       \
    X(EnumerateReferenceSpaces, 0)                                                                 \
    X(CreateReferenceSpace, 0)                                                                     \
    X(GetReferenceSpaceBoundsRect, 0)                                                              \
    X(CreateActionSpace, 0)                                                                        \
    X(LocateSpace, 0)                                                                              \
    X(DestroySpace, 0)                                                                             \
    X(EnumerateViewConfigurations, 0)                                                              \
    X(GetViewConfigurationProperties, 0)                                                           \
    X(EnumerateViewConfigurationViews, 0)                                                          \
    X(LocateViews, 0)                                                                              \
    X(WaitFrame, 0)                                                                                \
    X(BeginFrame, 0)                                                                               \
    X(EndFrame, 0)                                                                                 \
    X(EnumerateSwapchainFormats, 0)                                                                \
    X(CreateSwapchain, 0)                                                                          \
    X(DestroySwapchain, 0)                                                                         \
    X(EnumerateSwapchainImages, 0)                                                                 \
    X(AcquireSwapchainImage, 0)                                                                    \
    X(WaitSwapchainImage, 0)                                                                       \
    X(ReleaseSwapchainImage, 0)                                                                    \
    X(StringToPath, 0)                                                                             \
    X(PathToString, 0)                                                                             \
    X(CreateActionSet, 0)                                                                          \
    X(DestroyActionSet, 0)                                                                         \
    X(CreateAction, 0)                                                                             \
    X(DestroyAction, 0)                                                                            \
    X(SuggestInteractionProfileBindings, 0)                                                        \
    X(AttachSessionActionSets, 0)                                                                  \
    X(GetCurrentInteractionProfile, 0)                                                             \
    X(SyncActions, 0)                                                                              \
    X(GetActionStateBoolean, 0)                                                                    \
    X(GetActionStateFloat, 0)                                                                      \
    X(GetActionStateVector2f, 0)                                                                   \
    X(GetActionStatePose, 0)                                                                       \
    X(EnumerateBoundSourcesForAction, 0)                                                           \
    X(GetInputSourceLocalizedName, 0)                                                              \
    X(ApplyHapticFeedback, 0)                                                                      \
    X(StopHapticFeedback, 0)                                                                       \
    X(ConvertTimespecTimeToTimeKHR, RT_EXT_CONVERT_TIMESPEC)                                       \
    X(ConvertTimeToTimespecTimeKHR, RT_EXT_CONVERT_TIMESPEC)

#define RT_DECLARE(name, ext) extern __typeof__(*(PFN_xr##name)0) rt_xr##name;
RT_FUNCTIONS(RT_DECLARE)
#undef RT_DECLARE

#endif
