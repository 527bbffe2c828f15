/* Deciding, per instance, whether to bypass, pass through, stay beside the
 * runtime's tracking or emulate (the rule: body.h). */
#include "body/body.h"
#include "common/log.h"
#include "xr/extensions.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* A served extension's kn_ext bit (0 for another name); a runtime
 * extension the layer uses adds its kn_rt_ext bit to *rt. */
static uint32_t bit_of(const char *name, uint32_t *rt)
{
    const kn_runtime_extension *r = kn_runtime_extension_by_name(name);
    if (r)
        *rt |= r->bit;
    const kn_extension *e = kn_extension_by_name(name);
    return e ? e->bit : 0;
}

/* The served extensions among `names`; in *rt the runtime extensions the
 * layer uses among them. */
static uint32_t bits_of(const char *const *names, uint32_t count, uint32_t *rt)
{
    uint32_t bits = 0;
    *rt = 0;
    for (uint32_t i = 0; i < count; i++)
        bits |= bit_of(names[i], rt);
    return bits;
}

/* The extensions among `bits` that bring body data (trackers, joint sets). */
static uint32_t tracking_bits(uint32_t bits)
{
    uint32_t out = 0;
    for (int i = 0; i < KN_EXT_COUNT; i++)
        if (kn_extensions[i].role != KN_EXT_ROLE_OPTION)
            out |= bits & kn_extensions[i].bit;
    return out;
}

/* Whether the application enabled an extension that brings trackers. */
static bool requests_trackers(uint32_t requested)
{
    for (int i = 0; i < KN_EXT_COUNT; i++)
        if ((requested & kn_extensions[i].bit) && kn_extensions[i].role == KN_EXT_ROLE_TRACKER)
            return true;
    return false;
}

/* Our extensions in the runtime's own list (the names it would accept), and
 * in *rt_bits the runtime extensions the layer uses that it lists. */
static uint32_t runtime_extensions(PFN_xrGetInstanceProcAddr runtime_gipa, uint32_t *rt_bits)
{
    *rt_bits = 0;
    PFN_xrVoidFunction fn = NULL;
    if (XR_FAILED(runtime_gipa(XR_NULL_HANDLE, "xrEnumerateInstanceExtensionProperties", &fn)) ||
        !fn) {
        KN_LOG_W("cannot list the runtime's extensions; assuming it has none of ours");
        return 0;
    }
    PFN_xrEnumerateInstanceExtensionProperties enumerate =
        (PFN_xrEnumerateInstanceExtensionProperties)fn;
    uint32_t count = 0, bits = 0;
    if (XR_FAILED(enumerate(NULL, 0, &count, NULL)) || count == 0)
        return 0;
    XrExtensionProperties *props = calloc(count, sizeof *props);
    if (!props)
        return 0;
    for (uint32_t i = 0; i < count; i++)
        props[i].type = XR_TYPE_EXTENSION_PROPERTIES;
    if (XR_SUCCEEDED(enumerate(NULL, count, &count, props)))
        for (uint32_t i = 0; i < count; i++)
            bits |= bit_of(props[i].extensionName, rt_bits);
    free(props);
    return bits;
}

static void log_bits(const char *what, uint32_t bits)
{
    char list[256] = "";
    for (int i = 0; i < KN_EXT_COUNT; i++)
        if (bits & kn_extensions[i].bit) {
            if (list[0])
                strncat(list, ", ", sizeof list - strlen(list) - 1);
            strncat(list, kn_extensions[i].name, sizeof list - strlen(list) - 1);
        }
    KN_LOG_I("%s: %s", what, list[0] ? list : "none");
}

static XrResult plan_instance(const XrInstanceCreateInfo *app,
                              PFN_xrGetInstanceProcAddr runtime_gipa, kn_body_plan *plan)
{
    memset(plan, 0, sizeof *plan);
    plan->base.info = *app;
    if (app->enabledExtensionCount && !app->enabledExtensionNames)
        return XR_ERROR_VALIDATION_FAILURE;
    for (uint32_t i = 0; i < app->enabledExtensionCount; i++)
        if (!app->enabledExtensionNames[i])
            return XR_ERROR_VALIDATION_FAILURE;

    uint32_t app_rt;
    plan->base.requested = bits_of(app->enabledExtensionNames, app->enabledExtensionCount, &app_rt);
    if (!plan->base.requested) {
        KN_LOG_I("stepping aside: the application enabled no body-tracking extension");
        return XR_SUCCESS; /* bypass: nothing read, nothing changed */
    }

    kn_settings_read(&plan->settings);
    uint32_t runtime_rt;
    plan->runtime = runtime_extensions(runtime_gipa, &runtime_rt);
    log_bits("the application enabled", plan->base.requested);
    log_bits("the runtime lists", plan->runtime);

    /* Forced, the runtime's own body tracking is never used: do not turn it on. */
    uint32_t strip =
        plan->settings.force ? plan->base.requested : plan->base.requested & ~plan->runtime;
    plan->base.runtime_enabled = app_rt;
    /* The layer's own additions only where it will emulate for sure: not
     * where the runtime may yet track bodies itself (it lists every tracker
     * and joint set the application enabled; body/body.h, the rule). */
    if (strip && (plan->settings.force || !requests_trackers(plan->base.requested) ||
                  (strip & tracking_bits(plan->base.requested)))) {
        plan->base.runtime_enabled |= runtime_rt;
        plan->runtime_hidden = runtime_rt & ~app_rt;
    }
    if (!strip && !plan->runtime_hidden)
        return XR_SUCCESS;
    plan->names = malloc((app->enabledExtensionCount + KN_RT_EXT_COUNT) * sizeof *plan->names);
    if (!plan->names)
        return XR_ERROR_OUT_OF_MEMORY;
    uint32_t n = 0;
    for (uint32_t i = 0; i < app->enabledExtensionCount; i++) {
        const kn_extension *e = kn_extension_by_name(app->enabledExtensionNames[i]);
        if (!e || !(strip & e->bit))
            plan->names[n++] = app->enabledExtensionNames[i];
    }
    for (int i = 0; i < KN_RT_EXT_COUNT; i++)
        if (plan->runtime_hidden & kn_runtime_extensions[i].bit) {
            plan->names[n++] = kn_runtime_extensions[i].name;
            KN_LOG_I("enabling %s on the runtime for the layer's own use",
                     kn_runtime_extensions[i].name);
        }
    plan->base.info.enabledExtensionCount = n;
    plan->base.info.enabledExtensionNames = n ? plan->names : NULL;
    return XR_SUCCESS;
}

static void plan_release(kn_body_plan *plan)
{
    free(plan->names);
    plan->names = NULL;
}

XrResult kn_logic_plan_instance(const XrInstanceCreateInfo *app,
                                PFN_xrGetInstanceProcAddr runtime_gipa, kn_plan *plan)
{
    *plan = (kn_plan){.info = *app};
    kn_body_plan *body = calloc(1, sizeof *body);
    if (!body)
        return XR_ERROR_OUT_OF_MEMORY;
    XrResult r = plan_instance(app, runtime_gipa, body);
    if (XR_FAILED(r)) {
        plan_release(body);
        free(body);
        return r;
    }
    *plan = body->base;
    plan->logic = body;
    return XR_SUCCESS;
}

void kn_logic_plan_release(kn_plan *plan)
{
    if (plan->logic)
        plan_release(plan->logic);
    free(plan->logic);
    plan->logic = NULL;
}

/* Whether the runtime reports every tracker and joint-set extension the
 * application enabled as supported on the head-mounted system (each one's
 * property struct). Only asked when the extensions went down enabled, so
 * the property structs are legal there. The calls go through the layers
 * below, like the application's would. */
static bool runtime_tracks_bodies(const kn_instance *inst, uint32_t requested)
{
    XrSystemGetInfo get = {.type = XR_TYPE_SYSTEM_GET_INFO,
                           .formFactor = XR_FORM_FACTOR_HEAD_MOUNTED_DISPLAY};
    XrSystemId system;
    XrResult r = inst->next.GetSystem(inst->handle, &get, &system);
    if (XR_FAILED(r)) {
        KN_LOG_I("runtime probe: xrGetSystem failed (%d); assuming no body tracking", (int)r);
        return false;
    }
    kn_xr_bool_properties probe[KN_EXT_COUNT];
    XrSystemProperties props = {.type = XR_TYPE_SYSTEM_PROPERTIES};
    void **tail = &props.next;
    int n = 0;
    for (int i = 0; i < KN_EXT_COUNT; i++)
        if ((requested & kn_extensions[i].bit) && kn_extensions[i].role != KN_EXT_ROLE_OPTION) {
            probe[n] = (kn_xr_bool_properties){.type = kn_extensions[i].system_properties};
            *tail = &probe[n];
            tail = &probe[n++].next;
        }
    r = inst->next.GetSystemProperties(inst->handle, system, &props);
    if (XR_FAILED(r)) {
        KN_LOG_I("runtime probe: xrGetSystemProperties failed (%d)", (int)r);
        return false;
    }
    for (int i = 0; i < n; i++)
        if (!probe[i].supported)
            return false;
    return n > 0;
}

/* Instances beside a runtime that tracks bodies, per extension the layer
 * answers for there (api/verify.h: their trackers are the runtime's). */
static atomic_int g_beside[KN_EXT_COUNT];

static void count_beside(uint32_t bits, int delta)
{
    for (int i = 0; i < KN_EXT_COUNT; i++)
        if (bits & kn_extensions[i].bit)
            atomic_fetch_add(&g_beside[i], delta);
}

bool kn_body_beside_runtime(uint32_t ext)
{
    for (int i = 0; i < KN_EXT_COUNT; i++)
        if ((ext & kn_extensions[i].bit) && atomic_load(&g_beside[i]) > 0)
            return true;
    return false;
}

void kn_emulation_forget(kn_instance *inst)
{
    if (inst->emulation)
        count_beside(inst->emulation->beside, -1);
}

static kn_emulation *new_emulation(const kn_body_plan *plan)
{
    kn_emulation *emu = calloc(1, sizeof *emu);
    bool locks = emu && pthread_mutex_init(&emu->actions_lock, NULL) == 0;
    if (locks && pthread_mutex_init(&emu->sessions_lock, NULL) != 0) {
        pthread_mutex_destroy(&emu->actions_lock);
        locks = false;
    }
    if (!locks) {
        free(emu);
        return NULL;
    }
    emu->settings = plan->settings;
    emu->runtime_exts = plan->base.runtime_enabled;
    memcpy(emu->application, plan->base.info.applicationInfo.applicationName,
           sizeof emu->application);
    emu->application[sizeof emu->application - 1] = '\0';
    memcpy(emu->engine, plan->base.info.applicationInfo.engineName, sizeof emu->engine);
    emu->engine[sizeof emu->engine - 1] = '\0';
    return emu;
}

/* The rule (body.h): which of the three an instance gets, said at info. */
static kn_mode decide(kn_instance *inst, const kn_body_plan *plan)
{
    uint32_t tracking = tracking_bits(plan->base.requested);
    if (plan->settings.force) {
        KN_LOG_I("serving body tracking: %s=1 (whatever the runtime has)", KN_ENV_FORCE);
        return KN_MODE_SERVE;
    }
    if (!requests_trackers(plan->base.requested)) {
        KN_LOG_I("serving body tracking: the application enabled no tracker extension the "
                 "runtime could serve alone");
        return KN_MODE_SERVE;
    }
    if (tracking & ~plan->runtime) {
        log_bits("serving body tracking: the runtime lacks", tracking & ~plan->runtime);
        return KN_MODE_SERVE;
    }
    if (!runtime_tracks_bodies(inst, plan->base.requested)) {
        KN_LOG_I("serving body tracking: the runtime lists the extensions but reports no body "
                 "tracking");
        return KN_MODE_SERVE;
    }
    uint32_t lacking = plan->base.requested & ~plan->runtime;
    if (!lacking) {
        KN_LOG_I("passing through: the runtime tracks bodies itself, with everything the "
                 "application enabled (%s=1 serves the layer's instead)",
                 KN_ENV_FORCE);
        return KN_MODE_PASS;
    }
    log_bits("the runtime tracks bodies itself and its tracking is used; the layer answers "
             "only for what it lacks, as unsupported",
             lacking);
    return KN_MODE_BESIDE;
}

XrResult kn_logic_instance_created(kn_instance *inst, const kn_plan *base)
{
    const kn_body_plan *plan = base->logic;
    inst->enabled = plan->base.requested;
    kn_mode mode = decide(inst, plan);
    if (mode == KN_MODE_PASS) {
        inst->intercept = false;
        return XR_SUCCESS;
    }
    kn_emulation *emu = new_emulation(plan);
    if (!emu)
        return XR_ERROR_OUT_OF_MEMORY;
    inst->emulation = emu;
    inst->intercept = true;
    if (mode == KN_MODE_BESIDE) {
        /* Nothing to tune: the properties say no and the functions refuse. */
        inst->enabled = plan->base.requested & ~plan->runtime;
        inst->beside_runtime = true;
        emu->beside = inst->enabled;
        count_beside(emu->beside, 1);
        return XR_SUCCESS;
    }
    emu->supported = KN_EXT_ALL;
    emu->actions.available = kn_actions_available(plan->base.info.enabledExtensionNames,
                                                  plan->base.info.enabledExtensionCount);
    inst->hidden = plan->runtime_hidden;
    KN_LOG_I("serving body tracking (backend %s)", kn_backend_setting_name(emu->settings.backend));
    return XR_SUCCESS;
}
