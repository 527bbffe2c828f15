/* The extensions the layer serves, one entry each. From this list come the
 * kn_ext bits and kn_extensions table (xr/extensions.h), the SERVE entries
 * of the function list (framework/functions.h) and the manifest's
 * instance_extensions (manifest/CMakeLists.txt reads the entries' names and
 * versions from this file).
 *
 * E(arg, id, "name", version, properties, role, functions)
 *   properties  the XrSystemProperties chain struct: every one of them is
 *               {type, next, XrBool32 supported} (checked in extensions.c)
 *   role        TRACKER: brings its own trackers and joints;
 *               JOINT_SET: adds a joint set to another extension's trackers;
 *               OPTION: tunes a tracker (fidelity, calibration).
 *               The runtime must report the property of every TRACKER and
 *               JOINT_SET extension the application enabled to be passed
 *               through (body/plan.c).
 *   functions   an X-list F(X, ext) of the functions it adds, as
 *               X(name without "xr", SERVE, ext). */
#ifndef KN_LAYER_SERVED_H
#define KN_LAYER_SERVED_H

#define KN_FB_BODY_TRACKING_FUNCTIONS(X, ext)                                                      \
    X(CreateBodyTrackerFB, SERVE, ext)                                                             \
    X(DestroyBodyTrackerFB, SERVE, ext)                                                            \
    X(LocateBodyJointsFB, SERVE, ext)                                                              \
    X(GetBodySkeletonFB, SERVE, ext)
#define KN_META_FULL_BODY_FUNCTIONS(X, ext)
#define KN_META_FIDELITY_FUNCTIONS(X, ext) X(RequestBodyTrackingFidelityMETA, SERVE, ext)
#define KN_META_CALIBRATION_FUNCTIONS(X, ext)                                                      \
    X(SuggestBodyTrackingCalibrationOverrideMETA, SERVE, ext)                                      \
    X(ResetBodyTrackingCalibrationMETA, SERVE, ext)

#define KN_BD_BODY_TRACKING_FUNCTIONS(X, ext)                                                      \
    X(CreateBodyTrackerBD, SERVE, ext)                                                             \
    X(DestroyBodyTrackerBD, SERVE, ext)                                                            \
    X(LocateBodyJointsBD, SERVE, ext)
#define KN_HTC_BODY_TRACKING_FUNCTIONS(X, ext)                                                     \
    X(CreateBodyTrackerHTC, SERVE, ext)                                                            \
    X(DestroyBodyTrackerHTC, SERVE, ext)                                                           \
    X(LocateBodyJointsHTC, SERVE, ext)                                                             \
    X(GetBodySkeletonHTC, SERVE, ext)

/* The entries, in the order of the kn_ext bits. */
#define KN_SERVED_EXTENSIONS(E, arg)                                                               \
    E(arg, FB_BODY_TRACKING, "XR_FB_body_tracking", 1, XR_TYPE_SYSTEM_BODY_TRACKING_PROPERTIES_FB, \
      TRACKER, KN_FB_BODY_TRACKING_FUNCTIONS)                                                      \
    E(arg, META_FULL_BODY, "XR_META_body_tracking_full_body", 1,                                   \
      XR_TYPE_SYSTEM_PROPERTIES_BODY_TRACKING_FULL_BODY_META, JOINT_SET,                           \
      KN_META_FULL_BODY_FUNCTIONS)                                                                 \
    E(arg, META_FIDELITY, "XR_META_body_tracking_fidelity", 1,                                     \
      XR_TYPE_SYSTEM_PROPERTIES_BODY_TRACKING_FIDELITY_META, OPTION, KN_META_FIDELITY_FUNCTIONS)   \
    E(arg, META_CALIBRATION, "XR_META_body_tracking_calibration", 1,                               \
      XR_TYPE_SYSTEM_PROPERTIES_BODY_TRACKING_CALIBRATION_META, OPTION,                            \
      KN_META_CALIBRATION_FUNCTIONS)                                                               \
    E(arg, BD_BODY_TRACKING, "XR_BD_body_tracking", 1, XR_TYPE_SYSTEM_BODY_TRACKING_PROPERTIES_BD, \
      TRACKER, KN_BD_BODY_TRACKING_FUNCTIONS)                                                      \
    E(arg, HTC_BODY_TRACKING, "XR_HTC_body_tracking", 1,                                           \
      XR_TYPE_SYSTEM_BODY_TRACKING_PROPERTIES_HTC, TRACKER, KN_HTC_BODY_TRACKING_FUNCTIONS)

#endif
