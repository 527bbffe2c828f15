/* The body-tracking extensions the layer serves. The system headers are
 * OpenXR 1.0.20 and predate them, so each is defined here, guarded by its
 * extension macro so that newer headers win. Values are the registry's
 * (xr.xml, spec 1.1.62): XR_FB_body_tracking (77),
 * XR_META_body_tracking_full_body (275), XR_META_body_tracking_calibration
 * (284), XR_META_body_tracking_fidelity (285), XR_HTC_body_tracking (321,
 * spec 1.1.41) and XR_BD_body_tracking (386, spec 1.1.45). */
#ifndef KN_XR_BODY_TRACKING_H
#define KN_XR_BODY_TRACKING_H

#include <openxr/openxr.h>

/* Structure and object types are enumerators in newer headers; here they
 * are casts, which every use site accepts the same way. */

/* Joints 0-69, shared by name between XrBodyJointFB and XrFullBodyJointMETA. */
#define KN_XR_BODY_JOINTS_UPPER(X)                                                                 \
    X(ROOT, 0)                                                                                     \
    X(HIPS, 1)                                                                                     \
    X(SPINE_LOWER, 2)                                                                              \
    X(SPINE_MIDDLE, 3)                                                                             \
    X(SPINE_UPPER, 4)                                                                              \
    X(CHEST, 5)                                                                                    \
    X(NECK, 6)                                                                                     \
    X(HEAD, 7)                                                                                     \
    X(LEFT_SHOULDER, 8)                                                                            \
    X(LEFT_SCAPULA, 9)                                                                             \
    X(LEFT_ARM_UPPER, 10)                                                                          \
    X(LEFT_ARM_LOWER, 11)                                                                          \
    X(LEFT_HAND_WRIST_TWIST, 12)                                                                   \
    X(RIGHT_SHOULDER, 13)                                                                          \
    X(RIGHT_SCAPULA, 14)                                                                           \
    X(RIGHT_ARM_UPPER, 15)                                                                         \
    X(RIGHT_ARM_LOWER, 16)                                                                         \
    X(RIGHT_HAND_WRIST_TWIST, 17)                                                                  \
    X(LEFT_HAND_PALM, 18)                                                                          \
    X(LEFT_HAND_WRIST, 19)                                                                         \
    X(LEFT_HAND_THUMB_METACARPAL, 20)                                                              \
    X(LEFT_HAND_THUMB_PROXIMAL, 21)                                                                \
    X(LEFT_HAND_THUMB_DISTAL, 22)                                                                  \
    X(LEFT_HAND_THUMB_TIP, 23)                                                                     \
    X(LEFT_HAND_INDEX_METACARPAL, 24)                                                              \
    X(LEFT_HAND_INDEX_PROXIMAL, 25)                                                                \
    X(LEFT_HAND_INDEX_INTERMEDIATE, 26)                                                            \
    X(LEFT_HAND_INDEX_DISTAL, 27)                                                                  \
    X(LEFT_HAND_INDEX_TIP, 28)                                                                     \
    X(LEFT_HAND_MIDDLE_METACARPAL, 29)                                                             \
    X(LEFT_HAND_MIDDLE_PROXIMAL, 30)                                                               \
    X(LEFT_HAND_MIDDLE_INTERMEDIATE, 31)                                                           \
    X(LEFT_HAND_MIDDLE_DISTAL, 32)                                                                 \
    X(LEFT_HAND_MIDDLE_TIP, 33)                                                                    \
    X(LEFT_HAND_RING_METACARPAL, 34)                                                               \
    X(LEFT_HAND_RING_PROXIMAL, 35)                                                                 \
    X(LEFT_HAND_RING_INTERMEDIATE, 36)                                                             \
    X(LEFT_HAND_RING_DISTAL, 37)                                                                   \
    X(LEFT_HAND_RING_TIP, 38)                                                                      \
    X(LEFT_HAND_LITTLE_METACARPAL, 39)                                                             \
    X(LEFT_HAND_LITTLE_PROXIMAL, 40)                                                               \
    X(LEFT_HAND_LITTLE_INTERMEDIATE, 41)                                                           \
    X(LEFT_HAND_LITTLE_DISTAL, 42)                                                                 \
    X(LEFT_HAND_LITTLE_TIP, 43)                                                                    \
    X(RIGHT_HAND_PALM, 44)                                                                         \
    X(RIGHT_HAND_WRIST, 45)                                                                        \
    X(RIGHT_HAND_THUMB_METACARPAL, 46)                                                             \
    X(RIGHT_HAND_THUMB_PROXIMAL, 47)                                                               \
    X(RIGHT_HAND_THUMB_DISTAL, 48)                                                                 \
    X(RIGHT_HAND_THUMB_TIP, 49)                                                                    \
    X(RIGHT_HAND_INDEX_METACARPAL, 50)                                                             \
    X(RIGHT_HAND_INDEX_PROXIMAL, 51)                                                               \
    X(RIGHT_HAND_INDEX_INTERMEDIATE, 52)                                                           \
    X(RIGHT_HAND_INDEX_DISTAL, 53)                                                                 \
    X(RIGHT_HAND_INDEX_TIP, 54)                                                                    \
    X(RIGHT_HAND_MIDDLE_METACARPAL, 55)                                                            \
    X(RIGHT_HAND_MIDDLE_PROXIMAL, 56)                                                              \
    X(RIGHT_HAND_MIDDLE_INTERMEDIATE, 57)                                                          \
    X(RIGHT_HAND_MIDDLE_DISTAL, 58)                                                                \
    X(RIGHT_HAND_MIDDLE_TIP, 59)                                                                   \
    X(RIGHT_HAND_RING_METACARPAL, 60)                                                              \
    X(RIGHT_HAND_RING_PROXIMAL, 61)                                                                \
    X(RIGHT_HAND_RING_INTERMEDIATE, 62)                                                            \
    X(RIGHT_HAND_RING_DISTAL, 63)                                                                  \
    X(RIGHT_HAND_RING_TIP, 64)                                                                     \
    X(RIGHT_HAND_LITTLE_METACARPAL, 65)                                                            \
    X(RIGHT_HAND_LITTLE_PROXIMAL, 66)                                                              \
    X(RIGHT_HAND_LITTLE_INTERMEDIATE, 67)                                                          \
    X(RIGHT_HAND_LITTLE_DISTAL, 68)                                                                \
    X(RIGHT_HAND_LITTLE_TIP, 69)

#ifndef XR_FB_body_tracking
#define XR_FB_body_tracking                        1
#define XR_FB_body_tracking_SPEC_VERSION           1
#define XR_FB_BODY_TRACKING_EXTENSION_NAME         "XR_FB_body_tracking"
#define XR_OBJECT_TYPE_BODY_TRACKER_FB             ((XrObjectType)1000076000)
#define XR_TYPE_BODY_TRACKER_CREATE_INFO_FB        ((XrStructureType)1000076001)
#define XR_TYPE_BODY_JOINTS_LOCATE_INFO_FB         ((XrStructureType)1000076002)
#define XR_TYPE_SYSTEM_BODY_TRACKING_PROPERTIES_FB ((XrStructureType)1000076004)
#define XR_TYPE_BODY_JOINT_LOCATIONS_FB            ((XrStructureType)1000076005)
#define XR_TYPE_BODY_SKELETON_FB                   ((XrStructureType)1000076006)

XR_DEFINE_HANDLE(XrBodyTrackerFB)

typedef enum XrBodyJointFB {
#define KN_XR_FB_JOINT(name, value) XR_BODY_JOINT_##name##_FB = (value),
    KN_XR_BODY_JOINTS_UPPER(KN_XR_FB_JOINT)
#undef KN_XR_FB_JOINT
        XR_BODY_JOINT_COUNT_FB = 70,
    XR_BODY_JOINT_NONE_FB = -1,
    XR_BODY_JOINT_MAX_ENUM_FB = 0x7FFFFFFF
} XrBodyJointFB;

typedef enum XrBodyJointSetFB {
    XR_BODY_JOINT_SET_DEFAULT_FB = 0,
    XR_BODY_JOINT_SET_FULL_BODY_META = 1000274000,
    XR_BODY_JOINT_SET_MAX_ENUM_FB = 0x7FFFFFFF
} XrBodyJointSetFB;

typedef struct XrBodyJointLocationFB {
    XrSpaceLocationFlags locationFlags;
    XrPosef pose;
} XrBodyJointLocationFB;

typedef struct XrSystemBodyTrackingPropertiesFB {
    XrStructureType type;
    void *XR_MAY_ALIAS next;
    XrBool32 supportsBodyTracking;
} XrSystemBodyTrackingPropertiesFB;

typedef struct XrBodyTrackerCreateInfoFB {
    XrStructureType type;
    const void *XR_MAY_ALIAS next;
    XrBodyJointSetFB bodyJointSet;
} XrBodyTrackerCreateInfoFB;

typedef struct XrBodySkeletonJointFB {
    int32_t joint;
    int32_t parentJoint;
    XrPosef pose;
} XrBodySkeletonJointFB;

typedef struct XrBodySkeletonFB {
    XrStructureType type;
    void *XR_MAY_ALIAS next;
    uint32_t jointCount;
    XrBodySkeletonJointFB *joints;
} XrBodySkeletonFB;

typedef struct XrBodyJointsLocateInfoFB {
    XrStructureType type;
    const void *XR_MAY_ALIAS next;
    XrSpace baseSpace;
    XrTime time;
} XrBodyJointsLocateInfoFB;

typedef struct XrBodyJointLocationsFB {
    XrStructureType type;
    void *XR_MAY_ALIAS next;
    XrBool32 isActive;
    float confidence;
    uint32_t jointCount;
    XrBodyJointLocationFB *jointLocations;
    uint32_t skeletonChangedCount;
    XrTime time;
} XrBodyJointLocationsFB;

typedef XrResult(XRAPI_PTR *PFN_xrCreateBodyTrackerFB)(XrSession session,
                                                       const XrBodyTrackerCreateInfoFB *createInfo,
                                                       XrBodyTrackerFB *bodyTracker);
typedef XrResult(XRAPI_PTR *PFN_xrDestroyBodyTrackerFB)(XrBodyTrackerFB bodyTracker);
typedef XrResult(XRAPI_PTR *PFN_xrLocateBodyJointsFB)(XrBodyTrackerFB bodyTracker,
                                                      const XrBodyJointsLocateInfoFB *locateInfo,
                                                      XrBodyJointLocationsFB *locations);
typedef XrResult(XRAPI_PTR *PFN_xrGetBodySkeletonFB)(XrBodyTrackerFB bodyTracker,
                                                     XrBodySkeletonFB *skeleton);
#endif /* XR_FB_body_tracking */

#ifndef XR_META_body_tracking_full_body
#define XR_META_body_tracking_full_body                        1
#define XR_META_body_tracking_full_body_SPEC_VERSION           1
#define XR_META_BODY_TRACKING_FULL_BODY_EXTENSION_NAME         "XR_META_body_tracking_full_body"
#define XR_TYPE_SYSTEM_PROPERTIES_BODY_TRACKING_FULL_BODY_META ((XrStructureType)1000274000)

/* Joints 70-83: the legs. */
#define KN_XR_BODY_JOINTS_LEGS(X)                                                                  \
    X(LEFT_UPPER_LEG, 70)                                                                          \
    X(LEFT_LOWER_LEG, 71)                                                                          \
    X(LEFT_FOOT_ANKLE_TWIST, 72)                                                                   \
    X(LEFT_FOOT_ANKLE, 73)                                                                         \
    X(LEFT_FOOT_SUBTALAR, 74)                                                                      \
    X(LEFT_FOOT_TRANSVERSE, 75)                                                                    \
    X(LEFT_FOOT_BALL, 76)                                                                          \
    X(RIGHT_UPPER_LEG, 77)                                                                         \
    X(RIGHT_LOWER_LEG, 78)                                                                         \
    X(RIGHT_FOOT_ANKLE_TWIST, 79)                                                                  \
    X(RIGHT_FOOT_ANKLE, 80)                                                                        \
    X(RIGHT_FOOT_SUBTALAR, 81)                                                                     \
    X(RIGHT_FOOT_TRANSVERSE, 82)                                                                   \
    X(RIGHT_FOOT_BALL, 83)

typedef enum XrFullBodyJointMETA {
#define KN_XR_META_JOINT(name, value) XR_FULL_BODY_JOINT_##name##_META = (value),
    KN_XR_BODY_JOINTS_UPPER(KN_XR_META_JOINT) KN_XR_BODY_JOINTS_LEGS(KN_XR_META_JOINT)
#undef KN_XR_META_JOINT
        XR_FULL_BODY_JOINT_COUNT_META = 84,
    /* 85, not -1 as in the FB extension. */
    XR_FULL_BODY_JOINT_NONE_META = 85,
    XR_FULL_BODY_JOINT_MAX_ENUM_META = 0x7FFFFFFF
} XrFullBodyJointMETA;

typedef struct XrSystemPropertiesBodyTrackingFullBodyMETA {
    XrStructureType type;
    void *XR_MAY_ALIAS next;
    XrBool32 supportsFullBodyTracking;
} XrSystemPropertiesBodyTrackingFullBodyMETA;
#endif /* XR_META_body_tracking_full_body */

#ifndef XR_META_body_tracking_calibration
#define XR_META_body_tracking_calibration                        1
#define XR_META_body_tracking_calibration_SPEC_VERSION           1
#define XR_META_BODY_TRACKING_CALIBRATION_EXTENSION_NAME         "XR_META_body_tracking_calibration"
#define XR_TYPE_BODY_TRACKING_CALIBRATION_INFO_META              ((XrStructureType)1000283002)
#define XR_TYPE_BODY_TRACKING_CALIBRATION_STATUS_META            ((XrStructureType)1000283003)
#define XR_TYPE_SYSTEM_PROPERTIES_BODY_TRACKING_CALIBRATION_META ((XrStructureType)1000283004)

typedef enum XrBodyTrackingCalibrationStateMETA {
    XR_BODY_TRACKING_CALIBRATION_STATE_VALID_META = 1,
    XR_BODY_TRACKING_CALIBRATION_STATE_CALIBRATING_META = 2,
    XR_BODY_TRACKING_CALIBRATION_STATE_INVALID_META = 3,
    XR_BODY_TRACKING_CALIBRATION_STATE_MAX_ENUM_META = 0x7FFFFFFF
} XrBodyTrackingCalibrationStateMETA;

typedef struct XrBodyTrackingCalibrationInfoMETA {
    XrStructureType type;
    const void *XR_MAY_ALIAS next;
    float bodyHeight; /* metres */
} XrBodyTrackingCalibrationInfoMETA;

/* Chained onto XrBodyJointLocationsFB. */
typedef struct XrBodyTrackingCalibrationStatusMETA {
    XrStructureType type;
    void *XR_MAY_ALIAS next;
    XrBodyTrackingCalibrationStateMETA status;
} XrBodyTrackingCalibrationStatusMETA;

typedef struct XrSystemPropertiesBodyTrackingCalibrationMETA {
    XrStructureType type;
    void *XR_MAY_ALIAS next;
    XrBool32 supportsHeightOverride;
} XrSystemPropertiesBodyTrackingCalibrationMETA;

typedef XrResult(XRAPI_PTR *PFN_xrSuggestBodyTrackingCalibrationOverrideMETA)(
    XrBodyTrackerFB bodyTracker, const XrBodyTrackingCalibrationInfoMETA *calibrationInfo);
typedef XrResult(XRAPI_PTR *PFN_xrResetBodyTrackingCalibrationMETA)(XrBodyTrackerFB bodyTracker);
#endif /* XR_META_body_tracking_calibration */

#ifndef XR_META_body_tracking_fidelity
#define XR_META_body_tracking_fidelity                        1
#define XR_META_body_tracking_fidelity_SPEC_VERSION           1
#define XR_META_BODY_TRACKING_FIDELITY_EXTENSION_NAME         "XR_META_body_tracking_fidelity"
#define XR_TYPE_BODY_TRACKING_FIDELITY_STATUS_META            ((XrStructureType)1000284000)
#define XR_TYPE_SYSTEM_PROPERTIES_BODY_TRACKING_FIDELITY_META ((XrStructureType)1000284001)

typedef enum XrBodyTrackingFidelityMETA {
    XR_BODY_TRACKING_FIDELITY_LOW_META = 1,
    XR_BODY_TRACKING_FIDELITY_HIGH_META = 2,
    XR_BODY_TRACKING_FIDELITY_MAX_ENUM_META = 0x7FFFFFFF
} XrBodyTrackingFidelityMETA;

typedef struct XrSystemPropertiesBodyTrackingFidelityMETA {
    XrStructureType type;
    void *XR_MAY_ALIAS next;
    XrBool32 supportsBodyTrackingFidelity;
} XrSystemPropertiesBodyTrackingFidelityMETA;

/* Chained onto XrBodyJointLocationsFB. */
typedef struct XrBodyTrackingFidelityStatusMETA {
    XrStructureType type;
    void *XR_MAY_ALIAS next;
    XrBodyTrackingFidelityMETA fidelity;
} XrBodyTrackingFidelityStatusMETA;

/* The fidelity is passed by value. */
typedef XrResult(XRAPI_PTR *PFN_xrRequestBodyTrackingFidelityMETA)(
    XrBodyTrackerFB bodyTracker, const XrBodyTrackingFidelityMETA fidelity);
#endif /* XR_META_body_tracking_fidelity */

#ifndef XR_BD_body_tracking
#define XR_BD_body_tracking                        1
#define XR_BD_body_tracking_SPEC_VERSION           1
#define XR_BD_BODY_TRACKING_EXTENSION_NAME         "XR_BD_body_tracking"
#define XR_OBJECT_TYPE_BODY_TRACKER_BD             ((XrObjectType)1000385000)
#define XR_TYPE_BODY_TRACKER_CREATE_INFO_BD        ((XrStructureType)1000385001)
#define XR_TYPE_BODY_JOINTS_LOCATE_INFO_BD         ((XrStructureType)1000385002)
#define XR_TYPE_BODY_JOINT_LOCATIONS_BD            ((XrStructureType)1000385003)
#define XR_TYPE_SYSTEM_BODY_TRACKING_PROPERTIES_BD ((XrStructureType)1000385004)
#define XR_BODY_JOINT_COUNT_BD                     24
#define XR_BODY_JOINT_WITHOUT_ARM_COUNT_BD         16

XR_DEFINE_HANDLE(XrBodyTrackerBD)

typedef enum XrBodyJointSetBD {
    XR_BODY_JOINT_SET_BODY_WITHOUT_ARM_BD = 1,
    XR_BODY_JOINT_SET_FULL_BODY_JOINTS_BD = 2,
    XR_BODY_JOINT_SET_MAX_ENUM_BD = 0x7FFFFFFF
} XrBodyJointSetBD;

typedef struct XrSystemBodyTrackingPropertiesBD {
    XrStructureType type;
    void *XR_MAY_ALIAS next;
    XrBool32 supportsBodyTracking;
} XrSystemBodyTrackingPropertiesBD;

typedef struct XrBodyTrackerCreateInfoBD {
    XrStructureType type;
    const void *XR_MAY_ALIAS next;
    XrBodyJointSetBD jointSet;
} XrBodyTrackerCreateInfoBD;

typedef struct XrBodyJointsLocateInfoBD {
    XrStructureType type;
    const void *XR_MAY_ALIAS next;
    XrSpace baseSpace;
    XrTime time;
} XrBodyJointsLocateInfoBD;

typedef struct XrBodyJointLocationBD {
    XrSpaceLocationFlags locationFlags;
    XrPosef pose;
} XrBodyJointLocationBD;

typedef struct XrBodyJointLocationsBD {
    XrStructureType type;
    void *XR_MAY_ALIAS next;
    XrBool32 allJointPosesTracked;
    uint32_t jointLocationCount;
    XrBodyJointLocationBD *jointLocations;
} XrBodyJointLocationsBD;

typedef XrResult(XRAPI_PTR *PFN_xrCreateBodyTrackerBD)(XrSession session,
                                                       const XrBodyTrackerCreateInfoBD *createInfo,
                                                       XrBodyTrackerBD *bodyTracker);
typedef XrResult(XRAPI_PTR *PFN_xrDestroyBodyTrackerBD)(XrBodyTrackerBD bodyTracker);
typedef XrResult(XRAPI_PTR *PFN_xrLocateBodyJointsBD)(XrBodyTrackerBD bodyTracker,
                                                      const XrBodyJointsLocateInfoBD *locateInfo,
                                                      XrBodyJointLocationsBD *locations);
#endif /* XR_BD_body_tracking */

#ifndef XR_HTC_body_tracking
#define XR_HTC_body_tracking                        1
#define XR_HTC_body_tracking_SPEC_VERSION           1
#define XR_HTC_BODY_TRACKING_EXTENSION_NAME         "XR_HTC_body_tracking"
#define XR_OBJECT_TYPE_BODY_TRACKER_HTC             ((XrObjectType)1000320000)
#define XR_TYPE_SYSTEM_BODY_TRACKING_PROPERTIES_HTC ((XrStructureType)1000320000)
#define XR_TYPE_BODY_TRACKER_CREATE_INFO_HTC        ((XrStructureType)1000320001)
#define XR_TYPE_BODY_JOINTS_LOCATE_INFO_HTC         ((XrStructureType)1000320002)
#define XR_TYPE_BODY_JOINT_LOCATIONS_HTC            ((XrStructureType)1000320003)
#define XR_TYPE_BODY_SKELETON_HTC                   ((XrStructureType)1000320004)
#define XR_BODY_JOINT_COUNT_HTC                     26

XR_DEFINE_HANDLE(XrBodyTrackerHTC)

typedef enum XrBodyJointSetHTC {
    XR_BODY_JOINT_SET_FULL_HTC = 0,
    XR_BODY_JOINT_SET_MAX_ENUM_HTC = 0x7FFFFFFF
} XrBodyJointSetHTC;

typedef enum XrBodyJointConfidenceHTC {
    XR_BODY_JOINT_CONFIDENCE_NONE_HTC = 0,
    XR_BODY_JOINT_CONFIDENCE_LOW_HTC = 1,
    XR_BODY_JOINT_CONFIDENCE_HIGH_HTC = 2,
    XR_BODY_JOINT_CONFIDENCE_MAX_ENUM_HTC = 0x7FFFFFFF
} XrBodyJointConfidenceHTC;

typedef struct XrSystemBodyTrackingPropertiesHTC {
    XrStructureType type;
    void *XR_MAY_ALIAS next;
    XrBool32 supportsBodyTracking;
} XrSystemBodyTrackingPropertiesHTC;

typedef struct XrBodyTrackerCreateInfoHTC {
    XrStructureType type;
    const void *XR_MAY_ALIAS next;
    XrBodyJointSetHTC bodyJointSet;
} XrBodyTrackerCreateInfoHTC;

typedef struct XrBodyJointsLocateInfoHTC {
    XrStructureType type;
    const void *XR_MAY_ALIAS next;
    XrSpace baseSpace;
    XrTime time;
} XrBodyJointsLocateInfoHTC;

typedef struct XrBodyJointLocationHTC {
    XrSpaceLocationFlags locationFlags;
    XrPosef pose;
} XrBodyJointLocationHTC;

typedef struct XrBodyJointLocationsHTC {
    XrStructureType type;
    void *XR_MAY_ALIAS next;
    XrSpaceLocationFlags combinedLocationFlags;
    XrBodyJointConfidenceHTC confidenceLevel;
    uint32_t jointLocationCount;
    XrBodyJointLocationHTC *jointLocations;
    uint32_t skeletonGenerationId;
} XrBodyJointLocationsHTC;

typedef struct XrBodySkeletonJointHTC {
    XrPosef pose;
} XrBodySkeletonJointHTC;

typedef struct XrBodySkeletonHTC {
    XrStructureType type;
    void *XR_MAY_ALIAS next;
    uint32_t jointCount;
    XrBodySkeletonJointHTC *joints;
} XrBodySkeletonHTC;

typedef XrResult(XRAPI_PTR *PFN_xrCreateBodyTrackerHTC)(
    XrSession session, const XrBodyTrackerCreateInfoHTC *createInfo, XrBodyTrackerHTC *bodyTracker);
typedef XrResult(XRAPI_PTR *PFN_xrDestroyBodyTrackerHTC)(XrBodyTrackerHTC bodyTracker);
typedef XrResult(XRAPI_PTR *PFN_xrLocateBodyJointsHTC)(XrBodyTrackerHTC bodyTracker,
                                                       const XrBodyJointsLocateInfoHTC *locateInfo,
                                                       XrBodyJointLocationsHTC *locations);
typedef XrResult(XRAPI_PTR *PFN_xrGetBodySkeletonHTC)(XrBodyTrackerHTC bodyTracker,
                                                      XrSpace baseSpace,
                                                      uint32_t skeletonGenerationId,
                                                      XrBodySkeletonHTC *skeleton);
#endif /* XR_HTC_body_tracking */

#endif
