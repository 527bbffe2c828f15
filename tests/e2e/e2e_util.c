/* Helpers shared by the cases. */
#define _GNU_SOURCE /* dladdr */
#include "e2e.h"

#include <dlfcn.h>
#include <openxr/openxr_reflection.h>
#include <string.h>

const char *e2e_result_name(XrResult r)
{
    switch (r) {
#define E2E_RESULT_CASE(name, value)                                                               \
    case name:                                                                                     \
        return #name;
        XR_LIST_ENUM_XrResult(E2E_RESULT_CASE)
#undef E2E_RESULT_CASE
            default : return "(another XrResult)";
    }
}

XrResult e2e_create_instance(const char *const *extensions, uint32_t count, XrInstance *instance)
{
    const char *names[16];
    uint32_t n = 0;
    names[n++] = XR_MND_HEADLESS_EXTENSION_NAME;
    for (uint32_t i = 0; i < count && n < 16; i++)
        names[n++] = extensions[i];
    XrInstanceCreateInfo info = {.type = XR_TYPE_INSTANCE_CREATE_INFO,
                                 .enabledExtensionCount = n,
                                 .enabledExtensionNames = names};
    snprintf(info.applicationInfo.applicationName, XR_MAX_APPLICATION_NAME_SIZE, "kinest-e2e");
    snprintf(info.applicationInfo.engineName, XR_MAX_ENGINE_NAME_SIZE, "none");
    info.applicationInfo.apiVersion = XR_MAKE_VERSION(1, 0, 0);
    *instance = XR_NULL_HANDLE;
    return xrCreateInstance(&info, instance);
}

XrSystemId e2e_system(XrInstance instance)
{
    XrSystemGetInfo get = {.type = XR_TYPE_SYSTEM_GET_INFO,
                           .formFactor = XR_FORM_FACTOR_HEAD_MOUNTED_DISPLAY};
    XrSystemId system = XR_NULL_SYSTEM_ID;
    CHECK_XR(xrGetSystem(instance, &get, &system));
    return system;
}

xr_body_functions e2e_body_functions(XrInstance instance, unsigned extensions)
{
    xr_body_functions f;
    const char *failed = "";
    XrResult r = xr_body_functions_resolve(instance, extensions, &f, &failed);
    CHECK(XR_SUCCEEDED(r), "%s: %s", failed, e2e_result_name(r));
    return f;
}

void e2e_resolve(XrInstance instance, const char *name, char *out, size_t size)
{
    PFN_xrVoidFunction f = NULL;
    XrResult r = xrGetInstanceProcAddr(instance, name, &f);
    if (XR_FAILED(r)) {
        CHECK(f == NULL, "%s: %s but a non-NULL pointer", name, e2e_result_name(r));
        snprintf(out, size, "unsupported (%s)", e2e_result_name(r));
        return;
    }
    /* Function and object pointers do not convert in ISO C; their bits do. */
    void *address;
    memcpy(&address, &f, sizeof address);
    Dl_info info;
    CHECK(address && dladdr(address, &info) && info.dli_fname, "%s: no library holds %p", name,
          address);
    const char *base = strrchr(info.dli_fname, '/');
    snprintf(out, size, "%s+0x%lx", base ? base + 1 : info.dli_fname,
             (unsigned long)((char *)address - (char *)info.dli_fbase));
}

void e2e_expect_unsupported(XrInstance instance, const char *const *names, int n)
{
    char where[256];
    for (int i = 0; i < n; i++) {
        e2e_resolve(instance, names[i], where, sizeof where);
        CHECK(strcmp(where, "unsupported (XR_ERROR_FUNCTION_UNSUPPORTED)") == 0,
              "%s resolves to %s", names[i], where);
    }
}
