/* kinest-probe: a small OpenXR application that reads body tracking the way
 * a game does, and reports what it got (tools/kinest-probe/README.md).
 *
 * It enables XR_FB_body_tracking (and, when asked, the full-body, fidelity
 * and calibration extensions), or XR_BD_body_tracking or XR_HTC_body_tracking
 * (--set bd|htc), creates a headless session (XR_MND_headless,
 * when the runtime has it) and a STAGE space, creates a body tracker, runs
 * a frame loop and locates the joints in STAGE at every frame's predicted
 * display time. At the end it prints a summary: frames, active share,
 * confidence, the time the locate call took (p50, p99, max), the frame
 * time, the memory, a few joints. With --out it writes the located joints,
 * turned back into the canonical 21 joints, as the prediction of a clip file
 * (docs/formats.md) for `tools/kinest eval`. */
#define _GNU_SOURCE /* clock_nanosleep, strcasecmp */
#include "body_functions.h"
#include "clip/kn_clip.h"
#include "joints/kn_xr_joints.h"
#include "kinest.h"
#include "xr/xr_body_tracking.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <openxr/openxr.h>
#include <openxr/openxr_reflection.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define PROBE_NAME       "kinest-probe"
#define REPLAY_ORIGIN_NS INT64_C(1000000000000) /* tools/replay-runtime: XrTime of clip time 0 */
#define DEFAULT_FRAMES   600
#define MAX_JOINTS       XR_FULL_BODY_JOINT_COUNT_META
#define TOUCH            "/interaction_profiles/oculus/touch_controller"
#define SIMPLE           "/interaction_profiles/khr/simple_controller"
#define VALID_BITS       (XR_SPACE_LOCATION_ORIENTATION_VALID_BIT | XR_SPACE_LOCATION_POSITION_VALID_BIT)

/* ---- options */

/* --set: which extension's trackers and joint set. */
enum { SET_FB, SET_META, SET_BD, SET_HTC };

typedef struct options {
    int set;
    bool full_body; /* SET_META */
    int fidelity;   /* 0: none requested */
    float height;   /* 0: no override */
    bool reset_height;
    long frames;
    double rate_hz; /* 0: as fast as the runtime lets */
    long work_us;   /* the game's update between xrWaitFrame and locating */
    bool actions;
    bool optional; /* run without body tracking if it is not offered */
    bool check;    /* fail on any broken rule or non-finite value */
    bool keep_tracker;
    bool quiet;
    const char *out, *truth, *json;
    int64_t origin;
} options;

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: " PROBE_NAME " [options]\n"
        "  --set fb|meta|bd|htc the joint set: XR_FB_body_tracking's (70 joints, the\n"
        "                       default), XR_META_body_tracking_full_body's (84),\n"
        "                       XR_BD_body_tracking's (24) or XR_HTC_body_tracking's (26)\n"
        "  --full-body          --set meta\n"
        "  --fidelity low|high  request a fidelity (XR_META_body_tracking_fidelity)\n"
        "  --height M           suggest the body height (XR_META_body_tracking_calibration)\n"
        "  --reset-height       then reset it to automatic calibration after the first half\n"
        "  --frames N           frames to run (default %d; with --truth, the clip's)\n"
        "  --rate HZ            pace the frame loop at HZ in real time (default 60, a\n"
        "                       headset's display; 0: as fast as the runtime lets, and\n"
        "                       the replay runtime never waits)\n"
        "  --app-work-us US     spend US microseconds (asleep) between xrWaitFrame and\n"
        "                       locating, as a game's update does (default 0)\n"
        "  --no-actions         no action set of its own (the layer then attaches its own)\n"
        "  --optional           run the frame loop even without body tracking (baseline)\n"
        "  --check              exit 1 if a located joint is not finite or a rule is broken\n"
        "  --keep-tracker       do not destroy the tracker: the session's end must\n"
        "  --out FILE.kclip     write the located joints as canonical joints (with fb,\n"
        "                       implies --set meta): the clip's prediction (HAS_PRED)\n"
        "  --truth CLIP         with --out: the clip the runtime plays; the output takes its\n"
        "                       frames, devices and truth, the prediction at each frame's time\n"
        "  --clip-origin NS     the XrTime of clip time 0 (default %lld, the replay runtime's)\n"
        "  --json FILE          the summary as JSON\n"
        "  --quiet              only the summary line\n",
        DEFAULT_FRAMES, (long long)REPLAY_ORIGIN_NS);
}

static bool parse(int argc, char **argv, options *o)
{
    /* Paced like a display by default: the replay runtime never waits, and an
     * unpaced loop outruns the engine (and says so in warnings). */
    *o = (options){.frames = -1, .rate_hz = 60, .actions = true, .origin = REPLAY_ORIGIN_NS};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define VALUE()                                                                                    \
    do {                                                                                           \
        if (!v) {                                                                                  \
            fprintf(stderr, PROBE_NAME ": %s needs a value\n", a);                                 \
            return false;                                                                          \
        }                                                                                          \
        i++;                                                                                       \
    } while (0)
        if (strcmp(a, "--full-body") == 0) {
            o->set = SET_META;
        } else if (strcmp(a, "--set") == 0) {
            VALUE();
            static const char *const names[] = {"fb", "meta", "bd", "htc"};
            o->set = -1;
            for (int k = 0; k < 4; k++)
                if (strcasecmp(v, names[k]) == 0)
                    o->set = k;
            if (o->set < 0) {
                fprintf(stderr, PROBE_NAME ": --set fb|meta|bd|htc\n");
                return false;
            }
        } else if (strcmp(a, "--fidelity") == 0) {
            VALUE();
            if (strcasecmp(v, "low") == 0)
                o->fidelity = XR_BODY_TRACKING_FIDELITY_LOW_META;
            else if (strcasecmp(v, "high") == 0)
                o->fidelity = XR_BODY_TRACKING_FIDELITY_HIGH_META;
            else {
                fprintf(stderr, PROBE_NAME ": --fidelity low|high\n");
                return false;
            }
        } else if (strcmp(a, "--height") == 0) {
            VALUE();
            o->height = strtof(v, NULL);
        } else if (strcmp(a, "--reset-height") == 0) {
            o->reset_height = true;
        } else if (strcmp(a, "--frames") == 0) {
            VALUE();
            o->frames = strtol(v, NULL, 10);
        } else if (strcmp(a, "--rate") == 0) {
            VALUE();
            o->rate_hz = strtod(v, NULL);
        } else if (strcmp(a, "--app-work-us") == 0) {
            VALUE();
            o->work_us = strtol(v, NULL, 10);
        } else if (strcmp(a, "--no-actions") == 0) {
            o->actions = false;
        } else if (strcmp(a, "--optional") == 0) {
            o->optional = true;
        } else if (strcmp(a, "--check") == 0) {
            o->check = true;
        } else if (strcmp(a, "--keep-tracker") == 0) {
            o->keep_tracker = true;
        } else if (strcmp(a, "--out") == 0) {
            VALUE();
            o->out = v;
        } else if (strcmp(a, "--truth") == 0) {
            VALUE();
            o->truth = v;
        } else if (strcmp(a, "--clip-origin") == 0) {
            VALUE();
            o->origin = strtoll(v, NULL, 10);
        } else if (strcmp(a, "--json") == 0) {
            VALUE();
            o->json = v;
        } else if (strcmp(a, "--quiet") == 0) {
            o->quiet = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            exit(0);
        } else {
            fprintf(stderr, PROBE_NAME ": unknown option %s\n", a);
            usage(stderr);
            return false;
        }
#undef VALUE
    }
    /* Canonical joints out of the FB set lack the legs: the full body. */
    if (o->out && o->set == SET_FB)
        o->set = SET_META;
    o->full_body = o->set == SET_META;
    if (o->frames < 0 && o->truth) { /* as many frames as the clip has */
        kn_clip clip;
        kn_error err;
        if (kn_clip_read_file(o->truth, &clip, &err) != KN_OK) {
            fprintf(stderr, PROBE_NAME ": %s: %s\n", o->truth, err.message);
            return false;
        }
        o->frames = clip.frame_count;
        kn_clip_free(&clip);
    } else if (o->frames < 0) {
        o->frames = DEFAULT_FRAMES;
    }
    if (o->frames <= 0 || o->rate_hz < 0 || o->work_us < 0 ||
        (o->height != 0 && !(o->height > 0))) {
        fprintf(stderr, PROBE_NAME ": --frames, --rate and --height take positive numbers\n");
        return false;
    }
    if (o->truth && !o->out) {
        fprintf(stderr, PROBE_NAME ": --truth goes with --out\n");
        return false;
    }
    return true;
}

/* ---- helpers */

static const char *result_name(XrResult r)
{
    switch (r) {
#define PROBE_RESULT_CASE(name, value)                                                             \
    case name:                                                                                     \
        return #name;
        XR_LIST_ENUM_XrResult(PROBE_RESULT_CASE)
#undef PROBE_RESULT_CASE
            default : return "(another XrResult)";
    }
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, PROBE_NAME ": ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

#define XR(call)                                                                                   \
    do {                                                                                           \
        XrResult r_ = (call);                                                                      \
        if (XR_FAILED(r_))                                                                         \
            die("%s failed: %s", #call, result_name(r_));                                          \
    } while (0)

static int64_t now_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The q-quantile of n sorted values (nearest rank). */
static int64_t quantile(const int64_t *sorted, size_t n, double q)
{
    if (n == 0)
        return 0;
    size_t k = (size_t)ceil(q * (double)n);
    return sorted[k == 0 ? 0 : k - 1];
}

static bool has_extension(const XrExtensionProperties *props, uint32_t n, const char *name)
{
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(props[i].extensionName, name) == 0)
            return true;
    return false;
}

/* ---- canonical joints from the located set (README: "Canonical joints") */

/* The joint of the set at each canonical joint (src/joints,
 * kn_joints_at_canonical), in canonical order (docs/formats.md, "Joints").
 * Its orientation is the canonical one times the set's fixed axes rotation
 * (kn_joints_axes). */
static void canonical_joints(kinest_joint_set set, const XrBodyJointLocationFB *xr,
                             kn_pose out[KN_CLIP_JOINT_COUNT])
{
    for (int c = 0; c < (int)KN_CLIP_JOINT_COUNT; c++) {
        int j = kn_joints_at_canonical((int)set, c);
        const XrPosef *p = &xr[j].pose;
        versor axes, inv,
            q = {p->orientation.x, p->orientation.y, p->orientation.z, p->orientation.w};
        kn_joints_axes((int)set, j, axes);
        glm_quat_conjugate(axes, inv);
        kn_quat_mul(q, inv, out[c].orientation);
        glm_quat_normalize(out[c].orientation);
        out[c].position[0] = p->position.x;
        out[c].position[1] = p->position.y;
        out[c].position[2] = p->position.z;
    }
}

/* Each --set: its extension, its joint set, the name the output gives it. */
static const struct {
    const char *extension, *joint_set, *locate;
    kinest_joint_set set;
} sets[] = {
    [SET_FB] = {XR_FB_BODY_TRACKING_EXTENSION_NAME, "XR_BODY_JOINT_SET_DEFAULT_FB",
                "xrLocateBodyJointsFB", KINEST_JOINT_SET_FB},
    [SET_META] = {XR_FB_BODY_TRACKING_EXTENSION_NAME, "XR_BODY_JOINT_SET_FULL_BODY_META",
                  "xrLocateBodyJointsFB", KINEST_JOINT_SET_META_FULL_BODY},
    [SET_BD] = {XR_BD_BODY_TRACKING_EXTENSION_NAME, "XR_BODY_JOINT_SET_FULL_BODY_JOINTS_BD",
                "xrLocateBodyJointsBD", KINEST_JOINT_SET_BD},
    [SET_HTC] = {XR_HTC_BODY_TRACKING_EXTENSION_NAME, "XR_BODY_JOINT_SET_FULL_HTC",
                 "xrLocateBodyJointsHTC", KINEST_JOINT_SET_HTC},
};

/* ---- the application */

typedef struct probe {
    options opt;
    XrInstance instance;
    XrSystemId system;
    XrSession session;
    XrSpace stage, view, grip[2];
    XrActionSet set;
    XrAction grip_action;
    XrPath hands[2];
    bool body, full_body, fidelity_ext, calibration_ext, timespec;
    XrBodyTrackerFB tracker;
    XrBodyTrackerBD tracker_bd;
    XrBodyTrackerHTC tracker_htc;
    xr_body_functions fn;
    uint32_t joint_count;
    char runtime[XR_MAX_RUNTIME_NAME_SIZE];
    XrVersion runtime_version;
    bool running, exiting, focused;
    XrSessionState state;
} probe;

static void create_instance(probe *p)
{
    uint32_t n = 0;
    XR(xrEnumerateInstanceExtensionProperties(NULL, 0, &n, NULL));
    XrExtensionProperties *props = calloc(n ? n : 1, sizeof *props);
    for (uint32_t i = 0; i < n; i++)
        props[i].type = XR_TYPE_EXTENSION_PROPERTIES;
    XR(xrEnumerateInstanceExtensionProperties(NULL, n, &n, props));

    const char *names[8];
    uint32_t count = 0;
    if (has_extension(props, n, XR_MND_HEADLESS_EXTENSION_NAME))
        names[count++] = XR_MND_HEADLESS_EXTENSION_NAME;
    if (has_extension(props, n, "XR_KHR_convert_timespec_time")) {
        names[count++] = "XR_KHR_convert_timespec_time";
        p->timespec = true;
    }
    bool fb = p->opt.set == SET_FB || p->opt.set == SET_META;
    const char *ext = sets[p->opt.set].extension;
    p->body = has_extension(props, n, ext);
    if (!p->body && !p->opt.optional)
        die("the runtime offers no %s: is the kinest layer installed (or KINEST_DISABLE set)?",
            ext);
    if (p->body && !fb)
        names[count++] = ext;
    if (p->body && fb) {
        names[count++] = XR_FB_BODY_TRACKING_EXTENSION_NAME;
        if (p->opt.full_body) {
            if (!has_extension(props, n, XR_META_BODY_TRACKING_FULL_BODY_EXTENSION_NAME))
                die("--full-body: the runtime offers no XR_META_body_tracking_full_body");
            names[count++] = XR_META_BODY_TRACKING_FULL_BODY_EXTENSION_NAME;
            p->full_body = true;
        }
        /* Both status structs are chained whenever the runtime has them, as
         * Unreal's and Unity's Meta plugins do. */
        if (has_extension(props, n, XR_META_BODY_TRACKING_FIDELITY_EXTENSION_NAME)) {
            names[count++] = XR_META_BODY_TRACKING_FIDELITY_EXTENSION_NAME;
            p->fidelity_ext = true;
        }
        if (has_extension(props, n, XR_META_BODY_TRACKING_CALIBRATION_EXTENSION_NAME)) {
            names[count++] = XR_META_BODY_TRACKING_CALIBRATION_EXTENSION_NAME;
            p->calibration_ext = true;
        }
    }
    free(props);
    if (p->opt.fidelity && !p->fidelity_ext)
        die("--fidelity: the runtime offers no XR_META_body_tracking_fidelity");
    if ((p->opt.height || p->opt.reset_height) && !p->calibration_ext)
        die("--height: the runtime offers no XR_META_body_tracking_calibration");

    XrInstanceCreateInfo info = {.type = XR_TYPE_INSTANCE_CREATE_INFO,
                                 .enabledExtensionCount = count,
                                 .enabledExtensionNames = names};
    snprintf(info.applicationInfo.applicationName, XR_MAX_APPLICATION_NAME_SIZE, PROBE_NAME);
    snprintf(info.applicationInfo.engineName, XR_MAX_ENGINE_NAME_SIZE, "none");
    info.applicationInfo.apiVersion = XR_MAKE_VERSION(1, 0, 0);
    XR(xrCreateInstance(&info, &p->instance));

    XrInstanceProperties ip = {.type = XR_TYPE_INSTANCE_PROPERTIES};
    XR(xrGetInstanceProperties(p->instance, &ip));
    snprintf(p->runtime, sizeof p->runtime, "%s", ip.runtimeName);
    p->runtime_version = ip.runtimeVersion;

    unsigned which = (!p->body               ? 0
                      : fb                   ? XR_CLIENT_FB
                      : p->opt.set == SET_BD ? XR_CLIENT_BD
                                             : XR_CLIENT_HTC) |
                     (p->fidelity_ext ? XR_CLIENT_FIDELITY : 0) |
                     (p->calibration_ext ? XR_CLIENT_CALIBRATION : 0) |
                     (p->timespec ? XR_CLIENT_TIMESPEC : 0);
    const char *failed = "";
    XrResult r = xr_body_functions_resolve(p->instance, which, &p->fn, &failed);
    if (XR_FAILED(r))
        die("xrGetInstanceProcAddr(%s) failed: %s", failed, result_name(r));

    XrSystemGetInfo get = {.type = XR_TYPE_SYSTEM_GET_INFO,
                           .formFactor = XR_FORM_FACTOR_HEAD_MOUNTED_DISPLAY};
    XR(xrGetSystem(p->instance, &get, &p->system));
    if (p->body) {
        XrSystemPropertiesBodyTrackingFullBodyMETA full = {
            .type = XR_TYPE_SYSTEM_PROPERTIES_BODY_TRACKING_FULL_BODY_META};
        /* The three extensions' property structs have the same shape. */
        static const XrStructureType types[] = {
            [SET_FB] = XR_TYPE_SYSTEM_BODY_TRACKING_PROPERTIES_FB,
            [SET_META] = XR_TYPE_SYSTEM_BODY_TRACKING_PROPERTIES_FB,
            [SET_BD] = XR_TYPE_SYSTEM_BODY_TRACKING_PROPERTIES_BD,
            [SET_HTC] = XR_TYPE_SYSTEM_BODY_TRACKING_PROPERTIES_HTC};
        XrSystemBodyTrackingPropertiesFB body = {.type = types[p->opt.set],
                                                 .next = p->full_body ? &full : NULL};
        XrSystemProperties sp = {.type = XR_TYPE_SYSTEM_PROPERTIES, .next = &body};
        XR(xrGetSystemProperties(p->instance, p->system, &sp));
        if (!body.supportsBodyTracking)
            die("the system does not support body tracking (supportsBodyTracking false)");
        if (p->full_body && !full.supportsFullBodyTracking)
            die("the system does not support full-body tracking");
    }
}

static XrPath path(probe *p, const char *s)
{
    XrPath out;
    XR(xrStringToPath(p->instance, s, &out));
    return out;
}

static XrSpace reference_space(probe *p, XrReferenceSpaceType type)
{
    XrReferenceSpaceCreateInfo info = {.type = XR_TYPE_REFERENCE_SPACE_CREATE_INFO,
                                       .referenceSpaceType = type,
                                       .poseInReferenceSpace = {{0, 0, 0, 1}, {0, 0, 0}}};
    XrSpace space;
    XR(xrCreateReferenceSpace(p->session, &info, &space));
    return space;
}

/* Grip poses on both hands, for the Touch and the simple controller, as a
 * game has them (the layer merges its own set with these). */
static void create_actions(probe *p)
{
    XrActionSetCreateInfo si = {.type = XR_TYPE_ACTION_SET_CREATE_INFO};
    snprintf(si.actionSetName, sizeof si.actionSetName, "probe");
    snprintf(si.localizedActionSetName, sizeof si.localizedActionSetName, "Probe");
    XR(xrCreateActionSet(p->instance, &si, &p->set));
    p->hands[0] = path(p, "/user/hand/left");
    p->hands[1] = path(p, "/user/hand/right");
    XrActionCreateInfo ai = {.type = XR_TYPE_ACTION_CREATE_INFO,
                             .actionType = XR_ACTION_TYPE_POSE_INPUT,
                             .countSubactionPaths = 2,
                             .subactionPaths = p->hands};
    snprintf(ai.actionName, sizeof ai.actionName, "grip");
    snprintf(ai.localizedActionName, sizeof ai.localizedActionName, "Grip");
    XR(xrCreateAction(p->set, &ai, &p->grip_action));
    static const char *const profiles[] = {SIMPLE, TOUCH};
    for (int i = 0; i < 2; i++) {
        XrActionSuggestedBinding b[2] = {
            {p->grip_action, path(p, "/user/hand/left/input/grip/pose")},
            {p->grip_action, path(p, "/user/hand/right/input/grip/pose")}};
        XrInteractionProfileSuggestedBinding s = {.type =
                                                      XR_TYPE_INTERACTION_PROFILE_SUGGESTED_BINDING,
                                                  .interactionProfile = path(p, profiles[i]),
                                                  .countSuggestedBindings = 2,
                                                  .suggestedBindings = b};
        XR(xrSuggestInteractionProfileBindings(p->instance, &s));
    }
    XrSessionActionSetsAttachInfo attach = {.type = XR_TYPE_SESSION_ACTION_SETS_ATTACH_INFO,
                                            .countActionSets = 1,
                                            .actionSets = &p->set};
    XR(xrAttachSessionActionSets(p->session, &attach));
    for (int h = 0; h < 2; h++) {
        XrActionSpaceCreateInfo info = {.type = XR_TYPE_ACTION_SPACE_CREATE_INFO,
                                        .action = p->grip_action,
                                        .subactionPath = p->hands[h],
                                        .poseInActionSpace = {{0, 0, 0, 1}, {0, 0, 0}}};
        XR(xrCreateActionSpace(p->session, &info, &p->grip[h]));
    }
}

static void poll_events(probe *p)
{
    for (;;) {
        XrEventDataBuffer e = {.type = XR_TYPE_EVENT_DATA_BUFFER};
        XrResult r = xrPollEvent(p->instance, &e);
        if (r == XR_EVENT_UNAVAILABLE)
            return;
        if (XR_FAILED(r))
            die("xrPollEvent failed: %s", result_name(r));
        if (e.type == XR_TYPE_EVENT_DATA_SESSION_STATE_CHANGED) {
            XrEventDataSessionStateChanged c;
            memcpy(&c, &e, sizeof c);
            p->state = c.state;
            if (c.state == XR_SESSION_STATE_READY && !p->running) {
                XrSessionBeginInfo begin = {.type = XR_TYPE_SESSION_BEGIN_INFO,
                                            .primaryViewConfigurationType =
                                                XR_VIEW_CONFIGURATION_TYPE_PRIMARY_STEREO};
                XR(xrBeginSession(p->session, &begin));
                p->running = true;
            } else if (c.state == XR_SESSION_STATE_STOPPING && p->running) {
                XR(xrEndSession(p->session));
                p->running = false;
            } else if (c.state == XR_SESSION_STATE_EXITING ||
                       c.state == XR_SESSION_STATE_LOSS_PENDING) {
                p->exiting = true;
            }
            p->focused = c.state == XR_SESSION_STATE_FOCUSED;
        } else if (e.type == XR_TYPE_EVENT_DATA_INSTANCE_LOSS_PENDING) {
            p->exiting = true;
        }
    }
}

static void create_tracker(probe *p)
{
    p->joint_count = kn_joints_count((int)sets[p->opt.set].set);
    if (p->opt.set == SET_BD) {
        XrBodyTrackerCreateInfoBD bd = {.type = XR_TYPE_BODY_TRACKER_CREATE_INFO_BD,
                                        .jointSet = XR_BODY_JOINT_SET_FULL_BODY_JOINTS_BD};
        XR(p->fn.create_bd(p->session, &bd, &p->tracker_bd));
        return;
    }
    if (p->opt.set == SET_HTC) {
        XrBodyTrackerCreateInfoHTC htc = {.type = XR_TYPE_BODY_TRACKER_CREATE_INFO_HTC,
                                          .bodyJointSet = XR_BODY_JOINT_SET_FULL_HTC};
        XR(p->fn.create_htc(p->session, &htc, &p->tracker_htc));
        return;
    }
    XrBodyTrackerCreateInfoFB info = {.type = XR_TYPE_BODY_TRACKER_CREATE_INFO_FB,
                                      .bodyJointSet = p->full_body
                                                          ? XR_BODY_JOINT_SET_FULL_BODY_META
                                                          : XR_BODY_JOINT_SET_DEFAULT_FB};
    XR(p->fn.create_fb(p->session, &info, &p->tracker));
    if (p->opt.fidelity)
        XR(p->fn.request_fidelity(p->tracker, (XrBodyTrackingFidelityMETA)p->opt.fidelity));
    if (p->opt.height) {
        XrBodyTrackingCalibrationInfoMETA cal = {
            .type = XR_TYPE_BODY_TRACKING_CALIBRATION_INFO_META, .bodyHeight = p->opt.height};
        XR(p->fn.suggest_calibration(p->tracker, &cal));
    }
}

/* What one frame's locate gave. */
typedef struct located {
    int64_t display_time;
    bool active;
    kn_device_sample devices[KN_CLIP_DEVICE_COUNT];
    kn_pose canonical[KN_CLIP_JOINT_COUNT];
} located;

typedef struct stats {
    long frames, active, broken, non_finite, not_requested_time;
    double confidence_sum;
    float confidence_min;
    uint32_t skeleton_changed_first, skeleton_changed_last;
    int calibration, fidelity;
    int64_t *locate_ns, *frame_ns, *frame_cpu_ns; /* frame_cpu: the app thread's CPU time */
    long rss[3];
    int64_t wall_ns, cpu_ns;
    XrBodyJointLocationFB last[MAX_JOINTS];
    bool last_active;
} stats;

static void device(probe *p, XrSpace space, XrTime t, kn_device_sample *out)
{
    out->flags = 0;
    kn_pose_identity(&out->pose);
    if (!space)
        return;
    XrSpaceLocation loc = {.type = XR_TYPE_SPACE_LOCATION};
    if (XR_FAILED(xrLocateSpace(space, p->stage, t, &loc)) ||
        (loc.locationFlags & VALID_BITS) != VALID_BITS)
        return;
    out->flags = (uint32_t)(loc.locationFlags & 0xF);
    kn_pose in = {{loc.pose.orientation.x, loc.pose.orientation.y, loc.pose.orientation.z,
                   loc.pose.orientation.w},
                  {loc.pose.position.x, loc.pose.position.y, loc.pose.position.z}};
    kn_pose_sanitize(&in, &out->pose);
}

/* The set's locate, its answer as XrBodyJointLocationsFB's: BD's and HTC's
 * joints are XrBodyJointLocationFB's layout; active is every joint valid,
 * HTC's confidence level LOW or HIGH reads 0.5 or 1, BD has none (1 while
 * active); HTC's skeleton generation stands for the change count. */
static XrResult locate_any(probe *p, const XrBodyJointsLocateInfoFB *info,
                           XrBodyJointLocationsFB *locs)
{
    if (p->opt.set == SET_FB || p->opt.set == SET_META)
        return p->fn.locate_fb(p->tracker, info, locs);
    /* The three locate-info structs are one layout: only the type differs. */
    XrBodyJointsLocateInfoFB same = *info;
    const void *li = &same;
    void *joints = locs->jointLocations;
    XrResult r;
    float confidence = 1.0f;
    if (p->opt.set == SET_BD) {
        same.type = XR_TYPE_BODY_JOINTS_LOCATE_INFO_BD;
        XrBodyJointLocationsBD bl = {.type = XR_TYPE_BODY_JOINT_LOCATIONS_BD,
                                     .jointLocationCount = locs->jointCount,
                                     .jointLocations = joints};
        r = p->fn.locate_bd(p->tracker_bd, li, &bl);
    } else {
        same.type = XR_TYPE_BODY_JOINTS_LOCATE_INFO_HTC;
        XrBodyJointLocationsHTC hl = {.type = XR_TYPE_BODY_JOINT_LOCATIONS_HTC,
                                      .jointLocationCount = locs->jointCount,
                                      .jointLocations = joints};
        r = p->fn.locate_htc(p->tracker_htc, li, &hl);
        confidence = hl.confidenceLevel == XR_BODY_JOINT_CONFIDENCE_HIGH_HTC ? 1.0f : 0.5f;
        locs->skeletonChangedCount = hl.skeletonGenerationId - 1;
    }
    if (XR_FAILED(r))
        return r;
    bool active = locs->jointCount > 0;
    for (uint32_t j = 0; j < locs->jointCount; j++)
        active = active && (locs->jointLocations[j].locationFlags & VALID_BITS) == VALID_BITS;
    locs->isActive = active;
    locs->confidence = active ? confidence : 0.0f;
    locs->time = info->time;
    return r;
}

/* The body at `time`, checked against the extension's rules. */
static void locate_body(probe *p, XrTime time, stats *st, located *rec)
{
    XrBodyJointLocationFB joints[MAX_JOINTS];
    XrBodyTrackingCalibrationStatusMETA cal = {.type =
                                                   XR_TYPE_BODY_TRACKING_CALIBRATION_STATUS_META};
    XrBodyTrackingFidelityStatusMETA fid = {.type = XR_TYPE_BODY_TRACKING_FIDELITY_STATUS_META};
    void *chain = NULL;
    if (p->calibration_ext) {
        cal.next = chain;
        chain = &cal;
    }
    if (p->fidelity_ext) {
        fid.next = chain;
        chain = &fid;
    }
    XrBodyJointsLocateInfoFB info = {
        .type = XR_TYPE_BODY_JOINTS_LOCATE_INFO_FB, .baseSpace = p->stage, .time = time};
    XrBodyJointLocationsFB locs = {.type = XR_TYPE_BODY_JOINT_LOCATIONS_FB,
                                   .next = chain,
                                   .jointCount = p->joint_count,
                                   .jointLocations = joints};
    int64_t t0 = now_ns(CLOCK_MONOTONIC);
    XrResult r = locate_any(p, &info, &locs);
    st->locate_ns[st->frames] = now_ns(CLOCK_MONOTONIC) - t0;
    if (XR_FAILED(r))
        die("%s failed: %s", sets[p->opt.set].locate, result_name(r));

    bool broken = locs.confidence < 0 || locs.confidence > 1 || !isfinite(locs.confidence);
    if (locs.isActive && locs.time != time)
        st->not_requested_time++;
    for (uint32_t j = 0; j < p->joint_count; j++) {
        XrSpaceLocationFlags f = joints[j].locationFlags;
        /* Active: every joint valid; inactive: none. */
        if (locs.isActive ? (f & VALID_BITS) != VALID_BITS : (f & VALID_BITS) != 0)
            broken = true;
        const XrPosef *q = &joints[j].pose;
        float v[7] = {q->orientation.x, q->orientation.y, q->orientation.z, q->orientation.w,
                      q->position.x,    q->position.y,    q->position.z};
        for (int k = 0; k < 7; k++)
            if (!isfinite(v[k])) {
                st->non_finite++;
                break;
            }
    }
    st->broken += broken;
    if (st->frames == 0)
        st->skeleton_changed_first = locs.skeletonChangedCount;
    st->skeleton_changed_last = locs.skeletonChangedCount;
    if (p->calibration_ext)
        st->calibration = cal.status;
    if (p->fidelity_ext)
        st->fidelity = fid.fidelity;
    if (locs.isActive) {
        st->active++;
        st->confidence_sum += locs.confidence;
        if (locs.confidence < st->confidence_min)
            st->confidence_min = locs.confidence;
    }
    memcpy(st->last, joints, p->joint_count * sizeof joints[0]);
    st->last_active = locs.isActive;
    if (rec) {
        rec->display_time = time;
        rec->active = locs.isActive;
        if (locs.isActive)
            canonical_joints(sets[p->opt.set].set, joints, rec->canonical);
    }
}

/* "Now" for runtimes without display times (headless Monado). */
static XrTime now_time(probe *p, XrTime fallback)
{
    if (!p->fn.convert_timespec)
        return fallback;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    XrTime t = 0;
    return XR_SUCCEEDED(p->fn.convert_timespec(p->instance, &ts, &t)) && t > 0 ? t : fallback;
}

static void run(probe *p, stats *st, located *recs)
{
    const options *o = &p->opt;
    int64_t start = now_ns(CLOCK_MONOTONIC), cpu0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
    XrTime last_time = 0;
    bool begin_frame = true;
    long rss_at[3] = {o->frames / 20, o->frames / 2, o->frames - 1};
    while (st->frames < o->frames && !p->exiting) {
        poll_events(p);
        if (!p->running) {
            struct timespec pause = {0, 1000000};
            nanosleep(&pause, NULL);
            if (now_ns(CLOCK_MONOTONIC) - start > INT64_C(10000000000))
                die("the session did not start within 10 s (state %d)", p->state);
            continue;
        }
        long n = st->frames;
        if (o->rate_hz > 0) {
            int64_t due = start + (int64_t)((double)n * 1e9 / o->rate_hz);
            struct timespec ts = {due / 1000000000, due % 1000000000};
            while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
                ;
        }
        int64_t f0 = now_ns(CLOCK_MONOTONIC), t0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
        XrFrameState fs = {.type = XR_TYPE_FRAME_STATE};
        XR(xrWaitFrame(p->session, NULL, &fs));
        if (begin_frame) {
            XrResult r = xrBeginFrame(p->session, NULL);
            if (r == XR_ERROR_CALL_ORDER_INVALID) /* headless Monado: no frames to begin */
                begin_frame = false;
            else if (XR_FAILED(r))
                die("xrBeginFrame failed: %s", result_name(r));
        }
        if (p->set && p->focused) {
            XrActiveActionSet active = {p->set, XR_NULL_PATH};
            XrActionsSyncInfo sync = {.type = XR_TYPE_ACTIONS_SYNC_INFO,
                                      .countActiveActionSets = 1,
                                      .activeActionSets = &active};
            XR(xrSyncActions(p->session, &sync));
        }
        if (o->work_us > 0) {
            struct timespec work = {o->work_us / 1000000, (o->work_us % 1000000) * 1000};
            nanosleep(&work, NULL);
        }
        XrTime t = fs.predictedDisplayTime > 0 ? fs.predictedDisplayTime
                                               : now_time(p, last_time + 16666667);
        if (t <= last_time)
            t = last_time + 1;
        last_time = t;
        located *rec = recs ? &recs[n] : NULL;
        if (p->body) {
            if (o->reset_height && n == o->frames / 2)
                XR(p->fn.reset_calibration(p->tracker));
            locate_body(p, t, st, rec);
        }
        if (rec) {
            device(p, p->view, t, &rec->devices[KN_DEVICE_HEAD]);
            device(p, p->grip[0], t, &rec->devices[KN_DEVICE_LEFT_GRIP]);
            device(p, p->grip[1], t, &rec->devices[KN_DEVICE_RIGHT_GRIP]);
        }
        if (begin_frame) {
            XrFrameEndInfo end = {.type = XR_TYPE_FRAME_END_INFO,
                                  .displayTime = fs.predictedDisplayTime,
                                  .environmentBlendMode = XR_ENVIRONMENT_BLEND_MODE_OPAQUE};
            XR(xrEndFrame(p->session, &end));
        }
        st->frame_ns[n] = now_ns(CLOCK_MONOTONIC) - f0;
        st->frame_cpu_ns[n] = now_ns(CLOCK_THREAD_CPUTIME_ID) - t0;
        for (int k = 0; k < 3; k++)
            if (n == rss_at[k])
                st->rss[k] = rss_kb();
        st->frames++;
    }
    st->wall_ns = now_ns(CLOCK_MONOTONIC) - start;
    st->cpu_ns = now_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
}

static void finish(probe *p)
{
    if (p->running && !p->exiting) {
        XR(xrRequestExitSession(p->session));
        int64_t start = now_ns(CLOCK_MONOTONIC);
        while (p->running && now_ns(CLOCK_MONOTONIC) - start < INT64_C(5000000000)) {
            poll_events(p);
            if (p->running) {
                /* Keep the frame loop going until STOPPING (the spec's way). */
                XrFrameState fs = {.type = XR_TYPE_FRAME_STATE};
                if (XR_SUCCEEDED(xrWaitFrame(p->session, NULL, &fs)) &&
                    XR_SUCCEEDED(xrBeginFrame(p->session, NULL))) {
                    XrFrameEndInfo end = {.type = XR_TYPE_FRAME_END_INFO,
                                          .displayTime = fs.predictedDisplayTime,
                                          .environmentBlendMode = XR_ENVIRONMENT_BLEND_MODE_OPAQUE};
                    xrEndFrame(p->session, &end);
                }
            }
        }
    }
    if (p->tracker && !p->opt.keep_tracker)
        XR(p->fn.destroy_fb(p->tracker));
    if (p->tracker_bd && !p->opt.keep_tracker)
        XR(p->fn.destroy_bd(p->tracker_bd));
    if (p->tracker_htc && !p->opt.keep_tracker)
        XR(p->fn.destroy_htc(p->tracker_htc));
    XR(xrDestroySession(p->session));
    XR(xrDestroyInstance(p->instance));
}

/* ---- output */

/* Adds frame f to the [first, end) ranges: extends the last one when it ends
 * at f, else opens one. */
static void add_to_ranges(json_t *ranges, long f)
{
    json_t *last = json_array_get(ranges, json_array_size(ranges) - 1);
    if (last && json_integer_value(json_array_get(last, 1)) == (json_int_t)f)
        json_array_set_new(last, 1, json_integer((json_int_t)f + 1));
    else
        json_array_append_new(ranges, json_pack("[I, I]", (json_int_t)f, (json_int_t)f + 1));
}

static void write_clip(probe *p, const located *recs, long n)
{
    const options *o = &p->opt;
    kn_error err;
    kn_clip truth = {0};
    if (o->truth && kn_clip_read_file(o->truth, &truth, &err) != KN_OK)
        die("%s: %s", o->truth, err.message);
    long frames = o->truth ? (long)truth.frame_count : n;
    kn_pose *pred = calloc((size_t)frames * KN_CLIP_JOINT_COUNT, sizeof *pred);
    int64_t *times = o->truth ? truth.time_ns : calloc((size_t)frames, sizeof *times);
    kn_device_sample *devices =
        o->truth ? truth.devices : calloc((size_t)frames * KN_CLIP_DEVICE_COUNT, sizeof *devices);
    if (!pred || !times || !devices)
        die("out of memory for %ld frames", frames);

    /* Each output frame takes the probe's frame displayed at its time (the
     * nearest, within half a frame); frames without an active body hold the
     * nearest body before them (or, at the start, the first one), and the
     * metadata lists them as kinest-run does: prediction.inactive, [first,
     * end) ranges, which `kinest eval --active-only` leaves out. */
    json_t *inactive = json_array();
    if (!inactive)
        die("out of memory");
    long held = 0, leading = 0, k = 0, last_active = -1, first_active = -1;
    for (long i = 0; i < n; i++)
        if (recs[i].active) {
            first_active = i;
            break;
        }
    if (first_active < 0)
        die("--out: the body was never active; nothing to write");
    for (long f = 0; f < frames; f++) {
        long src = -1;
        if (o->truth) {
            int64_t want = truth.time_ns[f] + o->origin;
            while (k + 1 < n &&
                   llabs(recs[k + 1].display_time - want) <= llabs(recs[k].display_time - want))
                k++;
            if (llabs(recs[k].display_time - want) <= 8333333)
                src = k;
        } else {
            src = f;
            times[f] = recs[f].display_time - o->origin;
            memcpy(&devices[f * KN_CLIP_DEVICE_COUNT], recs[f].devices, sizeof recs[f].devices);
        }
        if (src >= 0 && recs[src].active) {
            last_active = src;
        } else {
            held++;
            if (f == leading) /* no body yet since the start */
                leading++;
            add_to_ranges(inactive, f);
        }
        long use = src >= 0 && recs[src].active ? src
                   : last_active >= 0           ? last_active
                                                : first_active;
        memcpy(&pred[f * KN_CLIP_JOINT_COUNT], recs[use].canonical,
               KN_CLIP_JOINT_COUNT * sizeof *pred);
    }
    char by[256];
    snprintf(by, sizeof by,
             "%s in STAGE at the predicted display time, canonical joints by "
             "tools/kinest-probe/README.md",
             sets[p->opt.set].locate);
    json_t *meta_json =
        json_pack("{s:i, s:s, s:s, s:s, s:{s:s, s:o}, s:I}", "kinest_clip", 1, "source",
                  "kinest-probe", "runtime", p->runtime, "joint_set",
                  sets[p->opt.set].joint_set + strlen("XR_BODY_JOINT_SET_"), "prediction", "by", by,
                  "inactive", inactive, "frames_without_body", (json_int_t)held);
    char *meta = meta_json ? json_dumps(meta_json, JSON_COMPACT) : NULL;
    json_decref(meta_json);
    if (!meta)
        die("out of memory for the metadata");
    kn_clip out = {.frame_count = (uint32_t)frames,
                   .joint_count = KN_CLIP_JOINT_COUNT,
                   .flags = KN_CLIP_HAS_PRED | (o->truth ? truth.flags & KN_CLIP_HAS_TRUTH : 0),
                   .rate_hz = o->truth ? truth.rate_hz : 60.0f,
                   .metadata = meta,
                   .time_ns = times,
                   .devices = devices,
                   .truth = o->truth ? truth.truth : NULL,
                   .pred = pred};
    if (!o->truth || !truth.truth)
        out.flags &= ~KN_CLIP_HAS_TRUTH;
    if (kn_clip_write_file(o->out, &out, &err) != KN_OK)
        die("%s: %s", o->out, err.message);
    if (!o->quiet)
        printf("wrote %s: %ld frames (%ld without an active body, held from the nearest; the "
               "first %ld, %.2f s, before the body first became active)\n",
               o->out, frames, held, leading,
               leading < frames ? (double)(times[leading] - times[0]) / 1e9 : 0.0);
    free(pred);
    free(meta);
    if (o->truth) {
        kn_clip_free(&truth);
    } else {
        free(times);
        free(devices);
    }
}

static const char *calibration_name(int s)
{
    switch (s) {
    case XR_BODY_TRACKING_CALIBRATION_STATE_VALID_META:
        return "valid";
    case XR_BODY_TRACKING_CALIBRATION_STATE_CALIBRATING_META:
        return "calibrating";
    case XR_BODY_TRACKING_CALIBRATION_STATE_INVALID_META:
        return "invalid";
    default:
        return "-";
    }
}

static const char *fidelity_name(int f)
{
    return f == XR_BODY_TRACKING_FIDELITY_HIGH_META  ? "high"
           : f == XR_BODY_TRACKING_FIDELITY_LOW_META ? "low"
                                                     : "-";
}

static void report(probe *p, stats *st)
{
    const options *o = &p->opt;
    long n = st->frames;
    if (!p->body)
        memset(st->locate_ns, 0, (size_t)n * sizeof *st->locate_ns);
    qsort(st->locate_ns, (size_t)n, sizeof *st->locate_ns, cmp_i64);
    qsort(st->frame_ns, (size_t)n, sizeof *st->frame_ns, cmp_i64);
    qsort(st->frame_cpu_ns, (size_t)n, sizeof *st->frame_cpu_ns, cmp_i64);
    double active = n ? 100.0 * (double)st->active / (double)n : 0;
    double conf = st->active ? st->confidence_sum / (double)st->active : 0;
    double l50 = (double)quantile(st->locate_ns, (size_t)n, 0.5) / 1e3;
    double l99 = (double)quantile(st->locate_ns, (size_t)n, 0.99) / 1e3;
    double lmax = n ? (double)st->locate_ns[n - 1] / 1e3 : 0;
    double f50 = (double)quantile(st->frame_ns, (size_t)n, 0.5) / 1e3;
    double fc50 = (double)quantile(st->frame_cpu_ns, (size_t)n, 0.5) / 1e3;
    double cpu = n ? (double)st->cpu_ns / (double)n / 1e3 : 0;
    if (!o->quiet) {
        printf("runtime: %s %u.%u.%u\n", p->runtime, XR_VERSION_MAJOR(p->runtime_version),
               XR_VERSION_MINOR(p->runtime_version), XR_VERSION_PATCH(p->runtime_version));
        if (p->body) {
            printf("joint set: %s (%u joints); fidelity status: %s; calibration: %s\n",
                   sets[p->opt.set].joint_set, p->joint_count, fidelity_name(st->fidelity),
                   calibration_name(st->calibration));
            printf("frames: %ld in %.2f s wall (%.0f frames/s)\n", n, (double)st->wall_ns / 1e9,
                   st->wall_ns ? (double)n * 1e9 / (double)st->wall_ns : 0);
            printf("active: %.1f %% of frames; confidence mean %.3f, min %.3f\n", active, conf,
                   st->active ? st->confidence_min : 0.0f);
            printf("%s: p50 %.1f us, p99 %.1f us, max %.1f us\n", sets[p->opt.set].locate, l50, l99,
                   lmax);
            printf("skeleton changes: %u -> %u; rule violations: %ld; non-finite joints: %ld; "
                   "time != requested: %ld\n",
                   st->skeleton_changed_first, st->skeleton_changed_last, st->broken,
                   st->non_finite, st->not_requested_time);
            if (st->last_active) {
                static const int shown[] = {KN_JOINT_HEAD, KN_JOINT_LEFT_HAND, KN_JOINT_RIGHT_HAND,
                                            KN_JOINT_LEFT_FOOT, KN_JOINT_RIGHT_FOOT};
                int set = (int)sets[p->opt.set].set;
                printf("last frame, in STAGE (m):");
                for (int i = 0; i < 5; i++) {
                    int j = kn_joints_at_canonical(set, shown[i]);
                    if (j < 0)
                        continue;
                    const XrVector3f *v = &st->last[j].pose.position;
                    printf(" %s (%.2f %.2f %.2f)", kn_joints_name(set, j), v->x, v->y, v->z);
                }
                printf("\n");
            }
        } else {
            printf("no body tracking (the layer is not loaded): frame loop only\n");
        }
        printf("frame (xrWaitFrame to xrEndFrame): median %.1f us wall, %.1f us CPU of the "
               "application thread; process CPU %.1f us per frame (all threads)\n",
               f50, fc50, cpu);
        printf("memory (RSS): %ld kB at 5%%, %ld kB at 50%%, %ld kB at the end\n", st->rss[0],
               st->rss[1], st->rss[2]);
    }
    /* One line for scripts. */
    printf("probe: frames=%ld body=%d active_pct=%.2f confidence=%.4f locate_us_p50=%.2f "
           "locate_us_p99=%.2f locate_us_max=%.2f frame_us_median=%.2f frame_cpu_us_median=%.2f "
           "cpu_us_per_frame=%.2f "
           "rss_kb_start=%ld rss_kb_middle=%ld rss_kb_end=%ld violations=%ld non_finite=%ld\n",
           n, p->body, active, conf, l50, l99, lmax, f50, fc50, cpu, st->rss[0], st->rss[1],
           st->rss[2], st->broken, st->non_finite);
    if (o->json) {
        FILE *f = fopen(o->json, "w");
        if (!f)
            die("%s: %s", o->json, strerror(errno));
        fprintf(
            f,
            "{\"runtime\": \"%s\", \"body\": %s, \"joint_count\": %u, \"frames\": %ld, "
            "\"active_pct\": %.3f, \"confidence_mean\": %.4f, \"locate_us\": {\"p50\": %.3f, "
            "\"p99\": %.3f, \"max\": %.3f}, \"frame_us_median\": %.3f, \"frame_cpu_us_median\": "
            "%.3f, \"cpu_us_per_frame\": %.3f, \"rss_kb\": [%ld, %ld, %ld], \"violations\": %ld, "
            "\"non_finite\": %ld, "
            "\"fidelity\": \"%s\", \"calibration\": \"%s\", \"skeleton_changed\": [%u, %u]}\n",
            p->runtime, p->body ? "true" : "false", p->joint_count, n, active, conf, l50, l99, lmax,
            f50, fc50, cpu, st->rss[0], st->rss[1], st->rss[2], st->broken, st->non_finite,
            fidelity_name(st->fidelity), calibration_name(st->calibration),
            st->skeleton_changed_first, st->skeleton_changed_last);
        fclose(f);
    }
}

int main(int argc, char **argv)
{
    probe p = {0};
    if (!parse(argc, argv, &p.opt))
        return 2;
    setvbuf(stdout, NULL, _IOLBF, 0);
    create_instance(&p);
    XrSessionCreateInfo si = {.type = XR_TYPE_SESSION_CREATE_INFO, .systemId = p.system};
    XR(xrCreateSession(p.instance, &si, &p.session));
    p.stage = reference_space(&p, XR_REFERENCE_SPACE_TYPE_STAGE);
    p.view = reference_space(&p, XR_REFERENCE_SPACE_TYPE_VIEW);
    if (p.opt.actions)
        create_actions(&p);
    if (p.body)
        create_tracker(&p);

    stats st = {.confidence_min = 1.0f};
    /* Touched now (with a non-zero byte: GCC turns malloc + memset 0 into
     * calloc, whose pages are only touched frame by frame), so that the
     * memory samples see the layer and the runtime, not these filling up. */
    st.locate_ns = malloc((size_t)p.opt.frames * sizeof *st.locate_ns);
    st.frame_ns = malloc((size_t)p.opt.frames * sizeof *st.frame_ns);
    st.frame_cpu_ns = malloc((size_t)p.opt.frames * sizeof *st.frame_cpu_ns);
    located *recs = p.opt.out ? malloc((size_t)p.opt.frames * sizeof *recs) : NULL;
    if (!st.locate_ns || !st.frame_ns || !st.frame_cpu_ns || (p.opt.out && !recs))
        die("out of memory for %ld frames", p.opt.frames);
    memset(st.locate_ns, 0x01, (size_t)p.opt.frames * sizeof *st.locate_ns);
    memset(st.frame_ns, 0x01, (size_t)p.opt.frames * sizeof *st.frame_ns);
    memset(st.frame_cpu_ns, 0x01, (size_t)p.opt.frames * sizeof *st.frame_cpu_ns);
    if (recs)
        memset(recs, 0x01, (size_t)p.opt.frames * sizeof *recs);
    run(&p, &st, recs);
    finish(&p);
    report(&p, &st);
    if (p.opt.out && p.body)
        write_clip(&p, recs, st.frames);
    free(recs);
    free(st.locate_ns);
    free(st.frame_ns);
    free(st.frame_cpu_ns);
    if (p.opt.check && (st.broken || st.non_finite || st.not_requested_time)) {
        fprintf(stderr,
                PROBE_NAME ": %ld rule violations, %ld non-finite joints, %ld times not "
                           "as requested\n",
                st.broken, st.non_finite, st.not_requested_time);
        return 1;
    }
    return 0;
}
