/* The OpenXR runtime below the layer in the layer's unit tests (no loader):
 * the parts every test's runtime shares (one system, the reference spaces a
 * runtime offers, frames and views) and the layer set up over it as the
 * loader does. Each test's gipa hands these out beside the functions whose
 * state it looks at (spaces, actions, events). */
#ifndef KN_TEST_FAKE_RUNTIME_H
#define KN_TEST_FAKE_RUNTIME_H

#include "xr/xr_loader_interfaces.h"

#include <stdbool.h>
#include <time.h>

#define FAKE_INSTANCE ((XrInstance)(uintptr_t)0x5eed)
#define FAKE_SYSTEM   ((XrSystemId)7)
#define FAKE_NOW      ((XrTime)777000000) /* XR_KHR_convert_timespec_time's "now" */
#define FAKE_PATHS    32

typedef struct fake_runtime_state {
    bool list_timespec;          /* XR_KHR_convert_timespec_time offered */
    bool timespec_enabled;       /* and enabled by the last instance */
    bool no_stage;               /* no STAGE reference space */
    char paths[FAKE_PATHS][128]; /* path p is paths[p - 1] */
    int path_count;
    XrTime predicted; /* xrWaitFrame's predictedDisplayTime */
} fake_runtime_state;

extern fake_runtime_state fake_runtime;

/* Everything back to a runtime with a STAGE space and frames at `predicted`. */
void fake_runtime_reset(XrTime predicted);

XRAPI_ATTR XrResult XRAPI_CALL fake_runtime_enumerate(const char *layer, uint32_t capacity,
                                                      uint32_t *count,
                                                      XrExtensionProperties *props);
XRAPI_ATTR XrResult XRAPI_CALL fake_runtime_create(const XrInstanceCreateInfo *info,
                                                   const XrApiLayerCreateInfo *layer_info,
                                                   XrInstance *instance);
XRAPI_ATTR XrResult XRAPI_CALL fake_runtime_ok_instance(XrInstance instance);
/* xrConvertTimespecTimeToTimeKHR, handed out once enabled: always FAKE_NOW. */
XRAPI_ATTR XrResult XRAPI_CALL fake_runtime_convert(XrInstance instance, const struct timespec *ts,
                                                    XrTime *time);
/* Paths are interned (thread-safe): the same string, the same path. */
XRAPI_ATTR XrResult XRAPI_CALL fake_runtime_string_to_path(XrInstance instance, const char *s,
                                                           XrPath *path);
XRAPI_ATTR XrResult XRAPI_CALL fake_runtime_path_to_string(XrInstance instance, XrPath path,
                                                           uint32_t capacity, uint32_t *count,
                                                           char *buffer);
/* The string of a path, NULL for one never made. */
const char *fake_runtime_path_string(XrPath p);
XRAPI_ATTR XrResult XRAPI_CALL fake_runtime_instance_properties(XrInstance instance,
                                                                XrInstanceProperties *p);
XRAPI_ATTR XrResult XRAPI_CALL fake_runtime_get_system(XrInstance instance,
                                                       const XrSystemGetInfo *info,
                                                       XrSystemId *system);
XRAPI_ATTR XrResult XRAPI_CALL fake_runtime_system_properties(XrInstance instance,
                                                              XrSystemId system,
                                                              XrSystemProperties *p);
/* Frames at fake_runtime.predicted. */
XRAPI_ATTR XrResult XRAPI_CALL fake_runtime_wait_frame(XrSession session,
                                                       const XrFrameWaitInfo *info,
                                                       XrFrameState *state);
/* VIEW, LOCAL and, unless no_stage, STAGE. */
XRAPI_ATTR XrResult XRAPI_CALL fake_runtime_reference_spaces(XrSession session, uint32_t capacity,
                                                             uint32_t *count,
                                                             XrReferenceSpaceType *types);
XRAPI_ATTR XrResult XRAPI_CALL fake_runtime_locate_views(XrSession session,
                                                         const XrViewLocateInfo *info,
                                                         XrViewState *state, uint32_t capacity,
                                                         uint32_t *count, XrView *views);

/* A function the runtime hands out. */
typedef struct fake_runtime_fn {
    const char *name;
    PFN_xrVoidFunction fn;
} fake_runtime_fn;
#define FAKE_RUNTIME_FN(n, f)                                                                      \
    {                                                                                              \
        "xr" #n, (PFN_xrVoidFunction)(f)                                                           \
    }

/* The runtime's xrGetInstanceProcAddr: the test's functions `fns`, then the
 * shared ones above (without an instance only
 * xrEnumerateInstanceExtensionProperties). The served extensions' functions must never be asked
 * for below the layer (a failed check). */
XrResult fake_runtime_lookup(const fake_runtime_fn *fns, size_t count, XrInstance instance,
                             const char *name, PFN_xrVoidFunction *function);

/* Negotiates with the layer and creates an instance with the extensions
 * `names` over the runtime's gipa and fake_runtime_create; returns the
 * layer's gipa (what the application's loader would call). */
PFN_xrGetInstanceProcAddr fake_runtime_create_instance(PFN_xrGetInstanceProcAddr runtime_gipa,
                                                       const char *const *names, uint32_t count);

/* The application's view of a function: what the layer's gipa (of the last
 * fake_runtime_create_instance) hands out for the instance; a failed check
 * when it hands out nothing. */
PFN_xrVoidFunction fake_runtime_resolve(const char *name);
#define APP(name) ((PFN_xr##name)fake_runtime_resolve("xr" #name))

#endif
