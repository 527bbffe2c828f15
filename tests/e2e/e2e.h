/* kinest-e2e: a small OpenXR application, linked to the real loader, that
 * the end-to-end tests run in different environments (run-e2e sets them up).
 * Every check that fails prints why and exits 1. */
#ifndef KN_E2E_H
#define KN_E2E_H

#include "body_functions.h"
#include "xr/xr_body_tracking.h"

#include <openxr/openxr.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#define E2E_LAYER_NAME "XR_APILAYER_NOVENDOR_kinest_body_tracking"

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

#define CHECK_XR(call)                                                                             \
    do {                                                                                           \
        XrResult check_r_ = (call);                                                                \
        CHECK(XR_SUCCEEDED(check_r_), "%s returned %s", #call, e2e_result_name(check_r_));         \
    } while (0)

/* `call` returns exactly `want`. */
#define EXPECT(call, want)                                                                         \
    do {                                                                                           \
        XrResult got_ = (call);                                                                    \
        CHECK(got_ == (want), "%s gave %s, expected %s", #call, e2e_result_name(got_),             \
              e2e_result_name(want));                                                              \
    } while (0)

const char *e2e_result_name(XrResult r);

/* xrCreateInstance with XR_MND_headless plus `extensions`. */
XrResult e2e_create_instance(const char *const *extensions, uint32_t count, XrInstance *instance);
/* The first HMD system. */
XrSystemId e2e_system(XrInstance instance);
/* Where xrGetInstanceProcAddr's answer for `name` lives: "<library>+0x<offset>",
 * or "unsupported (<result>)". */
void e2e_resolve(XrInstance instance, const char *name, char *out, size_t size);
/* The body-tracking functions of `extensions` (XR_CLIENT_* bits); fails
 * unless every one resolves. */
xr_body_functions e2e_body_functions(XrInstance instance, unsigned extensions);
/* Fails unless every one of the n functions is XR_ERROR_FUNCTION_UNSUPPORTED. */
void e2e_expect_unsupported(XrInstance instance, const char *const *names, int n);

/* The test clip (e2e_replay.c): 40 frames at 30 Hz from clip time 0.5 s, a
 * head that walks and turns and hands that swing; the left grip is lost on
 * frame GAP_FRAME, the right grip is valid but not tracked from frame
 * UNTRACKED on. */
#define CLIP_FRAMES  40
#define CLIP_RATE_HZ 30
#define CLIP_START   INT64_C(500000000) /* the clip's first frame is at 0.5 s */
#define GAP_FRAME    10                 /* the left grip is lost on this frame */
#define UNTRACKED    20                 /* from here the right grip is valid, not tracked */
/* The replay runtime's XrTime of clip time 0 (tools/replay-runtime/README.md). */
#define E2E_REPLAY_TIME_ORIGIN INT64_C(1000000000000)

#include "clip/kn_clip.h"

void e2e_clip_write(const char *path);
/* The clip's device sample at clip time t, interpolated here on our own. */
kn_device_sample e2e_clip_expected(int device, int64_t t);

XrPath e2e_path(XrInstance instance, const char *s);
XrSpace e2e_reference_space(XrSession session, XrReferenceSpaceType type);
XrSpace e2e_action_space(XrSession session, XrAction action, XrPath subaction);
XrAction e2e_make_action(XrActionSet set, const char *name, XrActionType type, const XrPath *hands);
/* Polls until `count` session states arrive, checking them in order; other
 * events (interaction profile changes) are counted in *profile_changes. The
 * first state's event time goes to *first_time (if not NULL). */
void e2e_expect_states(XrInstance instance, XrSession session, const XrSessionState *states,
                       int count, int *profile_changes, XrTime *first_time);

/* The cases; argv excludes the case name. */
/* A session through to FOCUSED; a frame begun and ended (e2e_body.c). */
XrSession e2e_running_session(XrInstance instance, XrSystemId system);
void e2e_frame(XrSession session, XrFrameState *fs);
void e2e_end_frame(XrSession session, const XrFrameState *fs);
void e2e_sleep_ms(long ms);
/* XR_BD_body_tracking and XR_HTC_body_tracking: their rules and their
 * joints beside the full-body set's (e2e_sets.c). */
void e2e_body_sets(void);

int e2e_extensions(int argc, char **argv);
int e2e_body_properties(int argc, char **argv);
int e2e_bypass(int argc, char **argv);
int e2e_replay(int argc, char **argv);
int e2e_runtime_rules(int argc, char **argv);
int e2e_live(int argc, char **argv);
int e2e_attach_twice(int argc, char **argv);
int e2e_body(int argc, char **argv);
int e2e_write_clip(int argc, char **argv);

#endif
