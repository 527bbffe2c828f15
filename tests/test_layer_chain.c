/* The layer in a chain without the loader: negotiation, what goes down to a
 * fake next layer, what xrGetInstanceProcAddr hands out, and the system
 * properties, for the bypass, emulate and pass-through cases. */
#include "support/fake_runtime.h"
#include "xr/xr_body_tracking.h"
#include "xr/xr_loader_interfaces.h"

#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

XRAPI_ATTR XrResult XRAPI_CALL
xrNegotiateLoaderApiLayerInterface(const XrNegotiateLoaderInfo *loaderInfo, const char *layerName,
                                   XrNegotiateApiLayerRequest *apiLayerRequest);

/* ---- the fake next layer (and runtime) */

static struct {
    const char *lists[4]; /* the extensions the fake runtime lists */
    uint32_t list_count;
    XrBool32 tracks_bodies;
    int creates, destroys, property_calls;
    uint32_t names_down;
    char down[8][XR_MAX_EXTENSION_NAME_SIZE];
    XrStructureType chain_seen[8];
    int chain_len;
} fake;

static XRAPI_ATTR XrResult XRAPI_CALL fake_enumerate(const char *layer, uint32_t capacity,
                                                     uint32_t *count, XrExtensionProperties *props)
{
    ck_assert_ptr_null(layer);
    *count = fake.list_count;
    if (capacity == 0)
        return XR_SUCCESS;
    for (uint32_t i = 0; i < fake.list_count; i++) {
        ck_assert_int_eq(props[i].type, XR_TYPE_EXTENSION_PROPERTIES);
        strcpy(props[i].extensionName, fake.lists[i]);
        props[i].extensionVersion = 1;
    }
    return XR_SUCCESS;
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_create(const XrInstanceCreateInfo *info,
                                                  const XrApiLayerCreateInfo *layer_info,
                                                  XrInstance *instance)
{
    ck_assert_ptr_null(layer_info->nextInfo); /* the layer advanced the chain */
    fake.creates++;
    fake.names_down = info->enabledExtensionCount;
    for (uint32_t i = 0; i < info->enabledExtensionCount && i < 8; i++)
        strcpy(fake.down[i], info->enabledExtensionNames[i]);
    *instance = FAKE_INSTANCE;
    return XR_SUCCESS;
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_destroy(XrInstance instance)
{
    ck_assert_ptr_eq(instance, FAKE_INSTANCE);
    fake.destroys++;
    return XR_SUCCESS;
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_system_properties(XrInstance instance, XrSystemId system,
                                                             XrSystemProperties *props)
{
    (void)instance;
    ck_assert_uint_eq(system, FAKE_SYSTEM);
    fake.property_calls++;
    fake.chain_len = 0;
    for (XrBaseOutStructure *s = props->next; s; s = s->next) {
        fake.chain_seen[fake.chain_len++] = s->type;
        if (s->type == XR_TYPE_SYSTEM_BODY_TRACKING_PROPERTIES_FB)
            ((XrSystemBodyTrackingPropertiesFB *)s)->supportsBodyTracking = fake.tracks_bodies;
    }
    props->systemId = system;
    return XR_SUCCESS;
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_locate_space(XrSpace space, XrSpace base, XrTime time,
                                                        XrSpaceLocation *location)
{
    (void)space, (void)base, (void)time, (void)location;
    return XR_SUCCESS;
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_gipa(XrInstance instance, const char *name,
                                                PFN_xrVoidFunction *function);

/* Every other core function the layer resolves; none is called here. */
static XRAPI_ATTR void XRAPI_CALL fake_unused(void)
{
    ck_abort_msg("a core function the test does not expect was called");
}

static bool is_extension_function(const char *name)
{
    size_t n = strlen(name);
    static const char *const suffixes[] = {"FB", "META", "KHR", "EXT", "HTC", "BD"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        size_t k = strlen(suffixes[i]);
        if (n > k && strcmp(name + n - k, suffixes[i]) == 0)
            return true;
    }
    return false;
}

static XRAPI_ATTR XrResult XRAPI_CALL fake_gipa(XrInstance instance, const char *name,
                                                PFN_xrVoidFunction *function)
{
    static const struct {
        const char *name;
        PFN_xrVoidFunction fn;
    } table[] = {
        {"xrEnumerateInstanceExtensionProperties", (PFN_xrVoidFunction)fake_enumerate},
        {"xrGetInstanceProcAddr", (PFN_xrVoidFunction)fake_gipa},
        {"xrDestroyInstance", (PFN_xrVoidFunction)fake_destroy},
        {"xrGetSystem", (PFN_xrVoidFunction)fake_runtime_get_system},
        {"xrGetSystemProperties", (PFN_xrVoidFunction)fake_system_properties},
        {"xrLocateSpace", (PFN_xrVoidFunction)fake_locate_space},
    };
    *function = NULL;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(name, table[i].name) == 0 && (instance != XR_NULL_HANDLE || i == 0)) {
            *function = table[i].fn;
            return XR_SUCCESS;
        }
    if (instance == XR_NULL_HANDLE)
        return XR_ERROR_HANDLE_INVALID;
    /* The fake runtime serves the FB functions only when it tracks bodies. */
    if (fake.tracks_bodies && strcmp(name, "xrCreateBodyTrackerFB") == 0) {
        *function = (PFN_xrVoidFunction)fake_locate_space;
        return XR_SUCCESS;
    }
    if (strncmp(name, "xr", 2) == 0 && !is_extension_function(name)) {
        *function = (PFN_xrVoidFunction)fake_unused;
        return XR_SUCCESS;
    }
    return XR_ERROR_FUNCTION_UNSUPPORTED;
}

/* ---- the layer, as the loader sees it */

static PFN_xrGetInstanceProcAddr gipa;
static PFN_xrCreateApiLayerInstance create;

static XrNegotiateLoaderInfo loader_info(void)
{
    return (XrNegotiateLoaderInfo){XR_LOADER_INTERFACE_STRUCT_LOADER_INFO,
                                   XR_LOADER_INFO_STRUCT_VERSION,
                                   sizeof(XrNegotiateLoaderInfo),
                                   1,
                                   1,
                                   XR_MAKE_VERSION(1, 0, 0),
                                   XR_MAKE_VERSION(1, 0x3ff, 0xfff)};
}

static XrNegotiateApiLayerRequest layer_request(void)
{
    return (XrNegotiateApiLayerRequest){XR_LOADER_INTERFACE_STRUCT_API_LAYER_REQUEST,
                                        XR_API_LAYER_INFO_STRUCT_VERSION,
                                        sizeof(XrNegotiateApiLayerRequest),
                                        0,
                                        0,
                                        NULL,
                                        NULL};
}

static void negotiate(void)
{
    XrNegotiateLoaderInfo info = loader_info();
    XrNegotiateApiLayerRequest req = layer_request();
    ck_assert_int_eq(xrNegotiateLoaderApiLayerInterface(&info, KN_LAYER_NAME, &req), XR_SUCCESS);
    gipa = req.getInstanceProcAddr;
    create = req.createApiLayerInstance;
}

static void reset_fake(const char *const *lists, uint32_t count, XrBool32 tracks_bodies)
{
    memset(&fake, 0, sizeof fake);
    for (uint32_t i = 0; i < count; i++)
        fake.lists[i] = lists[i];
    fake.list_count = count;
    fake.tracks_bodies = tracks_bodies;
    negotiate();
}

static XrApiLayerNextInfo next_info = {XR_LOADER_INTERFACE_STRUCT_API_LAYER_NEXT_INFO,
                                       XR_API_LAYER_NEXT_INFO_STRUCT_VERSION,
                                       sizeof(XrApiLayerNextInfo),
                                       KN_LAYER_NAME,
                                       fake_gipa,
                                       fake_create,
                                       NULL};

static XrApiLayerCreateInfo layer_create_info(void)
{
    XrApiLayerCreateInfo li = {XR_LOADER_INTERFACE_STRUCT_API_LAYER_CREATE_INFO,
                               XR_API_LAYER_CREATE_INFO_STRUCT_VERSION,
                               sizeof(XrApiLayerCreateInfo),
                               NULL,
                               "",
                               &next_info};
    return li;
}

static XrResult create_with(const char *const *names, uint32_t count)
{
    XrInstanceCreateInfo info = {.type = XR_TYPE_INSTANCE_CREATE_INFO,
                                 .enabledExtensionCount = count,
                                 .enabledExtensionNames = names};
    strcpy(info.applicationInfo.applicationName, "test");
    info.applicationInfo.apiVersion = XR_MAKE_VERSION(1, 0, 0);
    XrApiLayerCreateInfo li = layer_create_info();
    XrInstance instance = XR_NULL_HANDLE;
    XrResult r = create(&info, &li, &instance);
    if (XR_SUCCEEDED(r))
        ck_assert_ptr_eq(instance, FAKE_INSTANCE);
    return r;
}

static PFN_xrVoidFunction resolve(const char *name, XrResult *result)
{
    PFN_xrVoidFunction f = (PFN_xrVoidFunction)fake_locate_space; /* must be overwritten */
    *result = gipa(FAKE_INSTANCE, name, &f);
    if (XR_FAILED(*result))
        ck_assert_msg(f == NULL, "%s: failure with a pointer", name);
    return f;
}

static bool came_down(const char *name)
{
    for (uint32_t i = 0; i < fake.names_down; i++)
        if (strcmp(fake.down[i], name) == 0)
            return true;
    return false;
}

static void destroy(void)
{
    XrResult r;
    PFN_xrDestroyInstance d = (PFN_xrDestroyInstance)resolve("xrDestroyInstance", &r);
    ck_assert_int_eq(r, XR_SUCCESS);
    ck_assert_int_eq(d(FAKE_INSTANCE), XR_SUCCESS);
    ck_assert_int_eq(fake.destroys, 1);
}

/* ---- tests */

START_TEST(negotiation_is_strict)
{
    XrNegotiateApiLayerRequest req = layer_request();
    XrNegotiateLoaderInfo info = loader_info();
    ck_assert_int_eq(xrNegotiateLoaderApiLayerInterface(&info, KN_LAYER_NAME, &req), XR_SUCCESS);
    ck_assert_uint_eq(req.layerInterfaceVersion, 1);
    ck_assert_uint_eq(XR_VERSION_MAJOR(req.layerApiVersion), 1);
    ck_assert(req.getInstanceProcAddr != NULL);
    ck_assert(req.createApiLayerInstance != NULL);

    for (int field = 0; field < 9; field++) {
        info = loader_info();
        req = layer_request();
        const char *name = KN_LAYER_NAME;
        switch (field) {
        case 0:
            info.structType = XR_LOADER_INTERFACE_STRUCT_API_LAYER_REQUEST;
            break;
        case 1:
            info.structVersion = 2;
            break;
        case 2:
            info.structSize = sizeof info - 8;
            break;
        case 3:
            info.minInterfaceVersion = info.maxInterfaceVersion = 2;
            break;
        case 4:
            info.minApiVersion = info.maxApiVersion = XR_MAKE_VERSION(2, 0, 0);
            break;
        case 5:
            name = "XR_APILAYER_someone_else";
            break;
        case 6:
            req.structType = XR_LOADER_INTERFACE_STRUCT_LOADER_INFO;
            break;
        case 7:
            req.structSize = 8;
            break;
        case 8:
            name = NULL;
            break;
        }
        ck_assert_msg(xrNegotiateLoaderApiLayerInterface(&info, name, &req) ==
                          XR_ERROR_INITIALIZATION_FAILED,
                      "malformed field %d accepted", field);
        ck_assert(req.getInstanceProcAddr == NULL);
    }
    ck_assert_int_eq(xrNegotiateLoaderApiLayerInterface(NULL, KN_LAYER_NAME, &req),
                     XR_ERROR_INITIALIZATION_FAILED);
    ck_assert_int_eq(xrNegotiateLoaderApiLayerInterface(&info, KN_LAYER_NAME, NULL),
                     XR_ERROR_INITIALIZATION_FAILED);
}
END_TEST

START_TEST(create_info_is_strict)
{
    reset_fake(NULL, 0, XR_FALSE);
    XrInstanceCreateInfo info = {.type = XR_TYPE_INSTANCE_CREATE_INFO};
    for (int field = 0; field < 6; field++) {
        XrApiLayerCreateInfo li = layer_create_info();
        XrApiLayerNextInfo next = next_info;
        li.nextInfo = &next;
        switch (field) {
        case 0:
            li.structType = XR_LOADER_INTERFACE_STRUCT_API_LAYER_NEXT_INFO;
            break;
        case 1:
            li.structSize = 16;
            break;
        case 2:
            li.nextInfo = NULL;
            break;
        case 3:
            strcpy(next.layerName, "XR_APILAYER_someone_else");
            break;
        case 4:
            next.nextCreateApiLayerInstance = NULL;
            break;
        case 5:
            next.structVersion = 9;
            break;
        }
        XrInstance instance = XR_NULL_HANDLE;
        ck_assert_msg(create(&info, &li, &instance) == XR_ERROR_INITIALIZATION_FAILED,
                      "malformed field %d accepted", field);
    }
    ck_assert_int_eq(fake.creates, 0);
}
END_TEST

START_TEST(without_an_instance)
{
    negotiate();
    PFN_xrVoidFunction f;
    ck_assert_int_eq(gipa(XR_NULL_HANDLE, "xrEnumerateInstanceExtensionProperties", &f),
                     XR_ERROR_FUNCTION_UNSUPPORTED);
    ck_assert_int_eq(gipa(XR_NULL_HANDLE, "xrLocateSpace", &f), XR_ERROR_HANDLE_INVALID);
    ck_assert_int_eq(gipa((XrInstance)(uintptr_t)0xbad, "xrLocateSpace", &f),
                     XR_ERROR_HANDLE_INVALID);
    ck_assert(f == NULL);
    ck_assert_int_eq(gipa(XR_NULL_HANDLE, NULL, &f), XR_ERROR_VALIDATION_FAILURE);
}
END_TEST

START_TEST(bypass_hands_out_the_next_layer)
{
    reset_fake(NULL, 0, XR_FALSE);
    static const char *const names[] = {"XR_KHR_other"};
    ck_assert_int_eq(create_with(names, 1), XR_SUCCESS);
    ck_assert_uint_eq(fake.names_down, 1);
    XrResult r;
    ck_assert(resolve("xrGetSystemProperties", &r) == (PFN_xrVoidFunction)fake_system_properties);
    ck_assert(resolve("xrDestroyInstance", &r) == (PFN_xrVoidFunction)fake_destroy);
    ck_assert(resolve("xrLocateSpace", &r) == (PFN_xrVoidFunction)fake_locate_space);
    resolve("xrCreateBodyTrackerFB", &r);
    ck_assert_int_eq(r, XR_ERROR_FUNCTION_UNSUPPORTED);
    /* The instance's destruction goes straight to the next layer: a later
     * instance with the same handle replaces what the layer kept. */
    ck_assert_int_eq(fake_destroy(FAKE_INSTANCE), XR_SUCCESS);
    static const char *const fb[] = {XR_FB_BODY_TRACKING_EXTENSION_NAME};
    ck_assert_int_eq(create_with(fb, 1), XR_SUCCESS);
    ck_assert(resolve("xrGetSystemProperties", &r) != (PFN_xrVoidFunction)fake_system_properties);
    fake.destroys = 0;
    destroy();
}
END_TEST

START_TEST(emulation_strips_and_hooks)
{
    reset_fake(NULL, 0, XR_FALSE);
    static const char *const names[] = {"XR_KHR_other", XR_FB_BODY_TRACKING_EXTENSION_NAME,
                                        XR_META_BODY_TRACKING_FULL_BODY_EXTENSION_NAME};
    ck_assert_int_eq(create_with(names, 3), XR_SUCCESS);
    ck_assert_uint_eq(fake.names_down, 1);
    ck_assert(came_down("XR_KHR_other"));

    XrResult r;
    PFN_xrVoidFunction props_fn = resolve("xrGetSystemProperties", &r);
    ck_assert_int_eq(r, XR_SUCCESS);
    ck_assert(props_fn != (PFN_xrVoidFunction)fake_system_properties);
    ck_assert(resolve("xrLocateSpace", &r) == (PFN_xrVoidFunction)fake_locate_space);
    /* The enabled extensions' functions are the layer's, the others' none. */
    ck_assert(resolve("xrCreateBodyTrackerFB", &r) != NULL);
    ck_assert_int_eq(r, XR_SUCCESS);
    ck_assert(resolve("xrRequestBodyTrackingFidelityMETA", &r) == NULL);
    ck_assert_int_eq(r, XR_ERROR_FUNCTION_UNSUPPORTED);
    ck_assert(resolve("xrResetBodyTrackingCalibrationMETA", &r) == NULL);
    ck_assert_int_eq(r, XR_ERROR_FUNCTION_UNSUPPORTED);

    /* Our structs are answered here and never seen below; others pass. */
    XrSystemPropertiesBodyTrackingFidelityMETA fidelity = {
        .type = XR_TYPE_SYSTEM_PROPERTIES_BODY_TRACKING_FIDELITY_META}; /* not enabled */
    XrSystemPropertiesBodyTrackingFullBodyMETA full = {
        .type = XR_TYPE_SYSTEM_PROPERTIES_BODY_TRACKING_FULL_BODY_META, .next = &fidelity};
    XrSystemHandTrackingPropertiesEXT hands = {.type = XR_TYPE_SYSTEM_HAND_TRACKING_PROPERTIES_EXT,
                                               .next = &full};
    XrSystemBodyTrackingPropertiesFB fb = {.type = XR_TYPE_SYSTEM_BODY_TRACKING_PROPERTIES_FB,
                                           .next = &hands};
    XrSystemProperties props = {.type = XR_TYPE_SYSTEM_PROPERTIES, .next = &fb};
    PFN_xrGetSystemProperties get_props = (PFN_xrGetSystemProperties)props_fn;
    ck_assert_int_eq(get_props(FAKE_INSTANCE, FAKE_SYSTEM, &props), XR_SUCCESS);
    ck_assert_int_eq(fake.chain_len, 2);
    ck_assert_int_eq(fake.chain_seen[0], XR_TYPE_SYSTEM_HAND_TRACKING_PROPERTIES_EXT);
    ck_assert_int_eq(fake.chain_seen[1], XR_TYPE_SYSTEM_PROPERTIES_BODY_TRACKING_FIDELITY_META);
    ck_assert(props.next == &fb && fb.next == &hands && hands.next == &full &&
              full.next == &fidelity && fidelity.next == NULL);
    ck_assert_uint_eq(fb.supportsBodyTracking, XR_TRUE);
    ck_assert_uint_eq(full.supportsFullBodyTracking, XR_TRUE);
    ck_assert_uint_eq(fidelity.supportsBodyTrackingFidelity, XR_FALSE);

    /* A struct twice in one chain is invalid; nothing goes down. */
    XrSystemBodyTrackingPropertiesFB again = {.type = XR_TYPE_SYSTEM_BODY_TRACKING_PROPERTIES_FB};
    fidelity.next = &again;
    int calls = fake.property_calls;
    ck_assert_int_eq(get_props(FAKE_INSTANCE, FAKE_SYSTEM, &props), XR_ERROR_VALIDATION_FAILURE);
    ck_assert_int_eq(fake.property_calls, calls);
    ck_assert(fb.next == &hands && hands.next == &full && full.next == &fidelity &&
              fidelity.next == &again);

    destroy();
    resolve("xrGetSystemProperties", &r);
    ck_assert_int_eq(r, XR_ERROR_HANDLE_INVALID);
    ck_assert_int_eq(get_props(FAKE_INSTANCE, FAKE_SYSTEM, &props), XR_ERROR_HANDLE_INVALID);
}
END_TEST

START_TEST(runtime_with_body_tracking_is_passed_through)
{
    static const char *const lists[] = {XR_FB_BODY_TRACKING_EXTENSION_NAME};
    static const char *const names[] = {XR_FB_BODY_TRACKING_EXTENSION_NAME};
    XrResult r;
    unsetenv("KINEST_FORCE");
    reset_fake(lists, 1, XR_TRUE);
    ck_assert_int_eq(create_with(names, 1), XR_SUCCESS);
    ck_assert(came_down(XR_FB_BODY_TRACKING_EXTENSION_NAME));
    ck_assert_int_eq(fake.property_calls, 1); /* the probe */
    ck_assert(resolve("xrGetSystemProperties", &r) == (PFN_xrVoidFunction)fake_system_properties);
    ck_assert(resolve("xrCreateBodyTrackerFB", &r) == (PFN_xrVoidFunction)fake_locate_space);
    ck_assert_int_eq(fake_destroy(FAKE_INSTANCE), XR_SUCCESS);

    /* Forced: the layer serves it although the runtime could, and does not
     * switch the runtime's own on. */
    setenv("KINEST_FORCE", "1", 1);
    reset_fake(lists, 1, XR_TRUE);
    ck_assert_int_eq(create_with(names, 1), XR_SUCCESS);
    ck_assert_uint_eq(fake.names_down, 0);
    ck_assert_int_eq(fake.property_calls, 0);
    ck_assert(resolve("xrGetSystemProperties", &r) != (PFN_xrVoidFunction)fake_system_properties);
    /* The layer's own, never the runtime's. */
    ck_assert(resolve("xrCreateBodyTrackerFB", &r) != (PFN_xrVoidFunction)fake_locate_space);
    ck_assert_int_eq(r, XR_SUCCESS);
    destroy();
    unsetenv("KINEST_FORCE");

    /* Listed but not supported (say, no permission): emulated. */
    reset_fake(lists, 1, XR_FALSE);
    ck_assert_int_eq(create_with(names, 1), XR_SUCCESS);
    ck_assert(resolve("xrGetSystemProperties", &r) != (PFN_xrVoidFunction)fake_system_properties);
    destroy();

    /* Full body asked for, runtime only has FB: emulated, FB still listed. */
    static const char *const both[] = {XR_FB_BODY_TRACKING_EXTENSION_NAME,
                                       XR_META_BODY_TRACKING_FULL_BODY_EXTENSION_NAME};
    reset_fake(lists, 1, XR_TRUE);
    ck_assert_int_eq(create_with(both, 2), XR_SUCCESS);
    ck_assert_uint_eq(fake.names_down, 1);
    ck_assert(came_down(XR_FB_BODY_TRACKING_EXTENSION_NAME));
    ck_assert_int_eq(fake.property_calls, 0);
    ck_assert(resolve("xrGetSystemProperties", &r) != (PFN_xrVoidFunction)fake_system_properties);
    destroy();
}
END_TEST

int main(void)
{
    setenv("KINEST_LOG", "error", 1);
    Suite *s = suite_create("layer_chain");
    TCase *tc = tcase_create("chain");
    tcase_add_test(tc, negotiation_is_strict);
    tcase_add_test(tc, create_info_is_strict);
    tcase_add_test(tc, without_an_instance);
    tcase_add_test(tc, bypass_hands_out_the_next_layer);
    tcase_add_test(tc, emulation_strips_and_hooks);
    tcase_add_test(tc, runtime_with_body_tracking_is_passed_through);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
