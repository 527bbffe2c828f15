/* kinest-e2e: a small OpenXR application, linked to the real loader, that
 * the end-to-end tests run in different environments (run-e2e sets them up).
 * Every check that fails prints why and exits 1. */
#ifndef KN_E2E_H
#define KN_E2E_H

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

const char *e2e_result_name(XrResult r);

/* xrCreateInstance with XR_MND_headless plus `extensions`. */
XrResult e2e_create_instance(const char *const *extensions, uint32_t count, XrInstance *instance);
/* The first HMD system. */
XrSystemId e2e_system(XrInstance instance);
/* Where xrGetInstanceProcAddr's answer for `name` lives: "<library>+0x<offset>",
 * or "unsupported (<result>)". */
void e2e_resolve(XrInstance instance, const char *name, char *out, size_t size);

/* The cases; argv excludes the case name. */
int e2e_extensions(int argc, char **argv);
int e2e_body_properties(int argc, char **argv);
int e2e_bypass(int argc, char **argv);
int e2e_replay(int argc, char **argv);
int e2e_runtime_rules(int argc, char **argv);

#endif
