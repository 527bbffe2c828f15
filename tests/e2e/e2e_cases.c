/* What an application sees of the layer at instance level.
 *
 *   extensions [--absent] [--with-layer NAME]
 *       the layer is (or, --absent, is not) an active API layer, its library
 *       is (is not) loaded with an instance, and its four extensions are (are
 *       not) offered; with --absent, enabling XR_FB_body_tracking fails as
 *       the runtime makes it.
 *   body-properties [--all]
 *       an instance with XR_FB_body_tracking (--all: all four) is created and
 *       its system reports the body-tracking properties. Prints where
 *       xrGetSystemProperties and the session functions resolve to.
 *   bypass
 *       an instance with none of the extensions: prints where functions
 *       resolve to, and checks that xrCreateBodyTrackerFB does not. */
#include "e2e.h"

#include <string.h>

static const char *const body_extensions[] = {XR_FB_BODY_TRACKING_EXTENSION_NAME,
                                              XR_META_BODY_TRACKING_FULL_BODY_EXTENSION_NAME,
                                              XR_META_BODY_TRACKING_FIDELITY_EXTENSION_NAME,
                                              XR_META_BODY_TRACKING_CALIBRATION_EXTENSION_NAME,
                                              XR_BD_BODY_TRACKING_EXTENSION_NAME,
                                              XR_HTC_BODY_TRACKING_EXTENSION_NAME};
#define SERVED_COUNT 6

static bool has_option(int argc, char **argv, const char *option)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], option) == 0)
            return true;
    return false;
}

static const char *option_value(int argc, char **argv, const char *option)
{
    for (int i = 0; i + 1 < argc; i++)
        if (strcmp(argv[i], option) == 0)
            return argv[i + 1];
    return NULL;
}

static bool layer_active(const char *name)
{
    uint32_t n = 0;
    CHECK_XR(xrEnumerateApiLayerProperties(0, &n, NULL));
    XrApiLayerProperties *props = calloc(n ? n : 1, sizeof *props);
    for (uint32_t i = 0; i < n; i++)
        props[i].type = XR_TYPE_API_LAYER_PROPERTIES;
    CHECK_XR(xrEnumerateApiLayerProperties(n, &n, props));
    int found = 0;
    for (uint32_t i = 0; i < n; i++)
        found += strcmp(props[i].layerName, name) == 0;
    free(props);
    CHECK(found <= 1, "%s is listed %d times", name, found);
    return found == 1;
}

/* The version of `name` in the list for `layer` (NULL: everything), or 0. */
static uint32_t extension_version(const char *layer, const char *name, uint32_t *total)
{
    uint32_t n = 0, version = 0;
    CHECK_XR(xrEnumerateInstanceExtensionProperties(layer, 0, &n, NULL));
    XrExtensionProperties *props = calloc(n ? n : 1, sizeof *props);
    for (uint32_t i = 0; i < n; i++)
        props[i].type = XR_TYPE_EXTENSION_PROPERTIES;
    CHECK_XR(xrEnumerateInstanceExtensionProperties(layer, n, &n, props));
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(props[i].extensionName, name) == 0)
            version = props[i].extensionVersion;
    free(props);
    if (total)
        *total = n;
    return version;
}

/* Whether the layer's library is mapped into this process. */
static bool layer_library_loaded(void)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    CHECK(maps, "cannot read /proc/self/maps");
    char line[4096];
    bool found = false;
    while (!found && fgets(line, sizeof line, maps))
        found = strstr(line, "/libkinest_layer.so") != NULL;
    fclose(maps);
    return found;
}

int e2e_extensions(int argc, char **argv)
{
    bool absent = has_option(argc, argv, "--absent");
    const char *other = option_value(argc, argv, "--with-layer");

    CHECK(layer_active(E2E_LAYER_NAME) == !absent, "the kinest layer is %s",
          absent ? "active" : "not active");
    if (other)
        CHECK(layer_active(other), "%s is not active", other);
    CHECK(extension_version(NULL, XR_MND_HEADLESS_EXTENSION_NAME, NULL) > 0,
          "the runtime's XR_MND_headless is not listed: is XR_RUNTIME_JSON the replay runtime?");
    for (int i = 0; i < SERVED_COUNT; i++) {
        uint32_t v = extension_version(NULL, body_extensions[i], NULL);
        if (absent)
            CHECK(v == 0, "%s is offered without the layer", body_extensions[i]);
        else
            CHECK(v == 1, "%s: version %u, expected 1", body_extensions[i], v);
        printf("%s %u\n", body_extensions[i], v);
    }
    /* The loader opens layers for an instance: is ours among them? */
    XrInstance instance;
    CHECK_XR(e2e_create_instance(NULL, 0, &instance));
    CHECK(layer_library_loaded() == !absent, "libkinest_layer.so is %s",
          absent ? "loaded" : "not loaded");
    CHECK_XR(xrDestroyInstance(instance));
    if (!absent) {
        uint32_t total = 0;
        for (int i = 0; i < SERVED_COUNT; i++)
            CHECK(extension_version(E2E_LAYER_NAME, body_extensions[i], &total) == 1,
                  "the layer's own list lacks %s", body_extensions[i]);
        CHECK(total == SERVED_COUNT, "the layer lists %u extensions, expected %d", total,
              SERVED_COUNT);
    } else {
        XrResult r = e2e_create_instance(body_extensions, 1, &instance);
        CHECK(r == XR_ERROR_EXTENSION_NOT_PRESENT,
              "without the layer, enabling XR_FB_body_tracking gave %s", e2e_result_name(r));
    }
    return 0;
}

int e2e_body_properties(int argc, char **argv)
{
    bool all = has_option(argc, argv, "--all");
    /* --options: FB with the two option extensions (fidelity, calibration),
     * no full body; their properties and a request are printed, not checked
     * (served they are true, beside a tracking runtime false). */
    bool options = has_option(argc, argv, "--options");
    /* --bd: FB and XR_BD_body_tracking (a tracker extension of its own). */
    bool bd = has_option(argc, argv, "--bd");
    static const char *const with_bd[] = {XR_FB_BODY_TRACKING_EXTENSION_NAME,
                                          XR_BD_BODY_TRACKING_EXTENSION_NAME};
    static const char *const with_options[] = {XR_FB_BODY_TRACKING_EXTENSION_NAME,
                                               XR_META_BODY_TRACKING_FIDELITY_EXTENSION_NAME,
                                               XR_META_BODY_TRACKING_CALIBRATION_EXTENSION_NAME};
    XrInstance instance;
    /* The runtime refuses names it does not know: success means the layer
     * removed them on the way down. */
    if (options)
        CHECK_XR(e2e_create_instance(with_options, 3, &instance));
    else if (bd)
        CHECK_XR(e2e_create_instance(with_bd, 2, &instance));
    else
        CHECK_XR(e2e_create_instance(body_extensions, all ? 4 : 1, &instance));
    XrSystemId system = e2e_system(instance);

    XrSystemPropertiesBodyTrackingCalibrationMETA calibration = {
        .type = XR_TYPE_SYSTEM_PROPERTIES_BODY_TRACKING_CALIBRATION_META};
    XrSystemPropertiesBodyTrackingFidelityMETA fidelity = {
        .type = XR_TYPE_SYSTEM_PROPERTIES_BODY_TRACKING_FIDELITY_META, .next = &calibration};
    XrSystemPropertiesBodyTrackingFullBodyMETA full = {
        .type = XR_TYPE_SYSTEM_PROPERTIES_BODY_TRACKING_FULL_BODY_META, .next = &fidelity};
    XrSystemBodyTrackingPropertiesFB fb = {.type = XR_TYPE_SYSTEM_BODY_TRACKING_PROPERTIES_FB,
                                           .next = all       ? (void *)&full
                                                   : options ? (void *)&fidelity
                                                             : NULL};
    XrSystemProperties props = {.type = XR_TYPE_SYSTEM_PROPERTIES, .next = &fb};
    CHECK_XR(xrGetSystemProperties(instance, system, &props));

    CHECK(props.systemId == system, "systemId %llu, expected %llu",
          (unsigned long long)props.systemId, (unsigned long long)system);
    CHECK(props.next == &fb &&
              fb.next == (all       ? (void *)&full
                          : options ? (void *)&fidelity
                                    : NULL) &&
              full.next == &fidelity && fidelity.next == &calibration && !calibration.next,
          "the application's next chain came back changed");
    CHECK(fb.supportsBodyTracking == XR_TRUE, "supportsBodyTracking is false");
    if (all)
        CHECK(full.supportsFullBodyTracking && fidelity.supportsBodyTrackingFidelity &&
                  calibration.supportsHeightOverride,
              "full body %u, fidelity %u, height override %u", full.supportsFullBodyTracking,
              fidelity.supportsBodyTrackingFidelity, calibration.supportsHeightOverride);
    printf("system \"%s\": supportsBodyTracking %u\n", props.systemName, fb.supportsBodyTracking);
    if (options) {
        printf("supportsBodyTrackingFidelity %u supportsHeightOverride %u\n",
               fidelity.supportsBodyTrackingFidelity, calibration.supportsHeightOverride);
        /* The replay runtime makes no trackers: a handle it could have made. */
        PFN_xrRequestBodyTrackingFidelityMETA request = NULL;
        CHECK_XR(xrGetInstanceProcAddr(instance, "xrRequestBodyTrackingFidelityMETA",
                                       (PFN_xrVoidFunction *)&request));
        XrResult r =
            request((XrBodyTrackerFB)(uintptr_t)0x7001, XR_BODY_TRACKING_FIDELITY_HIGH_META);
        printf("xrRequestBodyTrackingFidelityMETA(a runtime tracker) %s\n", e2e_result_name(r));
    }

    char where[256];
    /* Served: the layer's; passed through: the runtime's, sessions untouched. */
    static const char *const shown[] = {"xrGetSystemProperties", "xrCreateSession", "xrWaitFrame",
                                        "xrSyncActions"};
    for (int i = 0; i < 4; i++) {
        e2e_resolve(instance, shown[i], where, sizeof where);
        printf("%s %s\n", shown[i], where);
    }
    if (!all && !options && !bd) {
        /* Functions of extensions the app did not enable do not exist. */
        static const char *const absent[] = {"xrRequestBodyTrackingFidelityMETA",
                                             "xrSuggestBodyTrackingCalibrationOverrideMETA",
                                             "xrResetBodyTrackingCalibrationMETA"};
        e2e_expect_unsupported(instance, absent, 3);
    }
    CHECK_XR(xrDestroyInstance(instance));
    return 0;
}

int e2e_bypass(int argc, char **argv)
{
    (void)argc, (void)argv;
    XrInstance instance;
    CHECK_XR(e2e_create_instance(NULL, 0, &instance));
    static const char *const names[] = {"xrLocateSpace", "xrGetSystemProperties",
                                        "xrDestroyInstance", "xrWaitFrame"};
    char where[256];
    for (int i = 0; i < 4; i++) {
        e2e_resolve(instance, names[i], where, sizeof where);
        printf("%s %s\n", names[i], where);
    }
    e2e_resolve(instance, "xrCreateBodyTrackerFB", where, sizeof where);
    CHECK(strcmp(where, "unsupported (XR_ERROR_FUNCTION_UNSUPPORTED)") == 0,
          "xrCreateBodyTrackerFB resolves to %s", where);
    CHECK_XR(xrDestroyInstance(instance));
    return 0;
}
