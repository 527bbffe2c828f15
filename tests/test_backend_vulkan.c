/* Tests for the Vulkan backend (src/backend/vulkan, shaders/) on whatever
 * Vulkan device the machine has (lavapipe in CI): the golden vectors of
 * tools/kinest export, outputs and every recurrent state; agreement with
 * the CPU backend over random ticks; reset; the shared refusal of
 * non-finite input and recovery from overflow; no heap allocation per
 * tick; and clean failure without a loader, a driver or a device.
 *
 * Golden directories (kinest.safetensors + golden.safetensors) are the
 * command-line arguments, tests/data/golden/random by default; then only
 * the golden comparisons run (the interop test's small configs). The
 * helpers follow tests/test_model_cpu.c. */
#include "backend/kn_backend.h"
#include "backend/vulkan/kn_vulkan.h"
#include "weights/safetensors.h"

#include "support/golden.h"
#include "support/heap_count.h"

#include <check.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOLERANCE 1e-4

#define DEFAULT_DIR KINEST_TEST_DATA_DIR "/golden/random"
static const char *golden_dirs[8] = {DEFAULT_DIR};
static int golden_dir_count = 1;

static kn_backend *make_backend(kn_backend_kind kind, const kn_weights *w)
{
    kn_backend *b = NULL;
    kn_error err = {0};
    ck_assert_msg(kn_backend_create(kind, w, &b, &err) == KN_OK, "%s", err.message);
    return b;
}

static bool is_state_tick(const golden *g, uint32_t tick)
{
    const char *list = kn_safetensors_metadata(&g->st, "state_ticks");
    ck_assert_ptr_nonnull(list);
    for (const char *p = list; *p;) {
        char *end;
        unsigned long v = strtoul(p, &end, 10);
        if (end == p)
            break;
        if (v == tick)
            return true;
        p = *end == ',' ? end + 1 : end;
    }
    return false;
}

/* Max |state(a) - want| over every state tensor; want is the golden file's
 * state after `tick`, or backend `ref`'s state when ref is given. */
static double compare_states(kn_backend *b, const golden *g, uint32_t tick, kn_backend *ref)
{
    kn_state_spec specs[KN_MODEL_MAX_STATES];
    size_t n = kn_model_state_specs(&g->weights->config, specs, KN_MODEL_MAX_STATES);
    double worst = 0;
    for (size_t k = 0; k < n; k++) {
        float *want, *got = malloc(specs[k].count * sizeof *got);
        kn_error err = {0};
        if (ref) {
            want = malloc(specs[k].count * sizeof *want);
            ck_assert_int_eq(kn_backend_read_state(ref, specs[k].name, want, specs[k].count, &err),
                             KN_OK);
        } else {
            char name[96];
            ck_assert_int_lt(snprintf(name, sizeof name, "state.%u.%s", tick, specs[k].name),
                             (int)sizeof name);
            want = golden_tensor(g, name, specs[k].count);
        }
        ck_assert_msg(kn_backend_read_state(b, specs[k].name, got, specs[k].count, &err) == KN_OK,
                      "%s", err.message);
        double d = max_abs_diff(got, want, specs[k].count);
        ck_assert_msg(d <= TOLERANCE, "tick %u: state %s differs by %g", tick, specs[k].name, d);
        worst = d > worst ? d : worst;
        free(got);
        free(want);
    }
    return worst;
}

static void run_case(const char *dir, const char *prefix)
{
    golden g;
    golden_open(&g, dir);
    char name[64];
    snprintf(name, sizeof name, "%sfeatures", prefix);
    float *in = golden_tensor(&g, name, (size_t)g.ticks * KN_MODEL_FEATURES);
    uint32_t n;
    float *want = golden_outputs(&g, prefix, &n);
    kn_backend *b = make_backend(KN_BACKEND_VULKAN, g.weights);
    double worst = 0, worst_state = 0;
    int states_checked = 0;
    for (uint32_t t = 0; t < g.ticks; t++) {
        float out[KN_MODEL_MAX_OUTPUTS];
        kn_error err = {0};
        ck_assert_msg(kn_backend_step(b, in + (size_t)t * KN_MODEL_FEATURES, out, &err) == KN_OK,
                      "tick %u: %s", t, err.message);
        double d = max_abs_diff(out, want + (size_t)t * n, n);
        ck_assert_msg(d <= TOLERANCE, "%s: tick %u: output differs by %g", dir, t, d);
        worst = d > worst ? d : worst;
        if (!*prefix && is_state_tick(&g, t)) {
            double s = compare_states(b, &g, t, NULL);
            worst_state = s > worst_state ? s : worst_state;
            states_checked++;
        }
    }
    if (!*prefix) {
        int listed = 1;
        for (const char *p = kn_safetensors_metadata(&g.st, "state_ticks"); *p; p++)
            listed += *p == ',';
        ck_assert_int_eq(states_checked, listed);
    }
    char states[64] = "";
    if (states_checked)
        snprintf(states, sizeof states, ", max |state - golden| %.3g at %d ticks", worst_state,
                 states_checked);
    printf("vulkan on %s: %s (%s%u ticks): max |output - golden| %.3g%s\n",
           kn_backend_vulkan_device(b), dir, *prefix ? "gaps, " : "", g.ticks, worst, states);
    kn_backend_destroy(b);
    free(in);
    free(want);
    golden_close(&g);
}

START_TEST(golden_outputs_and_states)
{
    for (int i = 0; i < golden_dir_count; i++)
        run_case(golden_dirs[i], "");
}
END_TEST

START_TEST(golden_with_tracking_gaps)
{
    for (int i = 0; i < golden_dir_count; i++) {
        golden g;
        golden_open(&g, golden_dirs[i]);
        bool has_gaps = kn_safetensors_find(&g.st, "gaps.features") != NULL;
        golden_close(&g);
        if (has_gaps)
            run_case(golden_dirs[i], "gaps.");
    }
}
END_TEST

/* A fixed pseudo-random sequence (no libc rand state shared with others). */
static float uniform(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((*s >> 40) & 0xffffff) / (float)0x1000000; /* [0, 1) */
}

/* Several hundred ticks of random features (each within +-3 standard
 * deviations of the training mean, devices' validity flags 0 or 1), with a
 * reset on both in the middle: outputs every tick and all states at the end
 * agree with the CPU backend. */
START_TEST(agrees_with_cpu_on_random_input)
{
    golden g;
    golden_open(&g, DEFAULT_DIR);
    kn_backend *cpu = make_backend(KN_BACKEND_CPU, g.weights);
    kn_backend *vk = make_backend(KN_BACKEND_VULKAN, g.weights);
    const kn_weights *w = g.weights;
    uint64_t seed = 12345;
    double worst = 0;
    enum { TICKS = 400 };
    for (int t = 0; t < TICKS; t++) {
        float in[KN_MODEL_FEATURES], a[KN_MODEL_MAX_OUTPUTS], b[KN_MODEL_MAX_OUTPUTS];
        for (int k = 0; k < KN_MODEL_FEATURES; k++)
            in[k] = w->input_mean[k] + (6 * uniform(&seed) - 3) * w->input_std[k];
        for (int d = 0; d < 3; d++)
            in[19 * d + 18] = uniform(&seed) < 0.9f ? 1.0f : 0.0f;
        if (t == TICKS / 2) {
            kn_backend_reset(cpu);
            kn_backend_reset(vk);
        }
        ck_assert_int_eq(kn_backend_step(cpu, in, a, NULL), KN_OK);
        ck_assert_int_eq(kn_backend_step(vk, in, b, NULL), KN_OK);
        double d = max_abs_diff(a, b, kn_model_outputs(&w->config));
        ck_assert_msg(d <= TOLERANCE, "tick %d: Vulkan and CPU differ by %g", t, d);
        worst = d > worst ? d : worst;
    }
    double states = compare_states(vk, &g, TICKS - 1, cpu);
    printf("vulkan vs cpu, %d random ticks: max |output difference| %.3g, states %.3g\n", TICKS,
           worst, states);
    kn_backend_destroy(vk);
    kn_backend_destroy(cpu);
    golden_close(&g);
}
END_TEST

static void all_states(kn_backend *b, const kn_model_config *cfg, float *out, size_t *total)
{
    kn_state_spec specs[KN_MODEL_MAX_STATES];
    size_t n = kn_model_state_specs(cfg, specs, KN_MODEL_MAX_STATES), at = 0;
    for (size_t k = 0; k < n; k++) {
        if (out)
            ck_assert_int_eq(
                kn_backend_read_state(b, specs[k].name, out + at, specs[k].count, NULL), KN_OK);
        at += specs[k].count;
    }
    *total = at;
}

static bool all_zero(const float *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] != 0.0f)
            return false;
    return true;
}

START_TEST(reset_gives_the_initial_state)
{
    golden g;
    golden_open(&g, DEFAULT_DIR);
    float *in = golden_tensor(&g, "features", (size_t)g.ticks * KN_MODEL_FEATURES);
    kn_backend *b = make_backend(KN_BACKEND_VULKAN, g.weights);
    size_t total;
    all_states(b, &g.weights->config, NULL, &total);
    float *states = malloc(total * sizeof *states);
    all_states(b, &g.weights->config, states, &total);
    ck_assert(all_zero(states, total));

    enum { N = 30 };
    static float first[N][KN_MODEL_MAX_OUTPUTS], second[N][KN_MODEL_MAX_OUTPUTS];
    for (int t = 0; t < N; t++)
        ck_assert_int_eq(kn_backend_step(b, in + t * KN_MODEL_FEATURES, first[t], NULL), KN_OK);
    all_states(b, &g.weights->config, states, &total);
    ck_assert(!all_zero(states, total));
    kn_backend_reset(b);
    all_states(b, &g.weights->config, states, &total);
    ck_assert(all_zero(states, total));
    /* The same command buffer from the same state: bit-identical outputs. */
    for (int t = 0; t < N; t++)
        ck_assert_int_eq(kn_backend_step(b, in + t * KN_MODEL_FEATURES, second[t], NULL), KN_OK);
    ck_assert_mem_eq(first, second, sizeof first);
    free(states);
    kn_backend_destroy(b);
    free(in);
    golden_close(&g);
}
END_TEST

START_TEST(non_finite_input_is_refused_without_harm)
{
    golden g;
    golden_open(&g, DEFAULT_DIR);
    float *in = golden_tensor(&g, "features", (size_t)g.ticks * KN_MODEL_FEATURES);
    float *want = golden_tensor(&g, "output", (size_t)g.ticks * KN_MODEL_OUTPUTS);
    kn_backend *b = make_backend(KN_BACKEND_VULKAN, g.weights);
    const float bad_values[] = {NAN, INFINITY, -INFINITY};
    for (uint32_t t = 0; t < g.ticks; t++) {
        float out[KN_MODEL_MAX_OUTPUTS];
        if (t % 7 == 3) {
            float bad[KN_MODEL_FEATURES];
            memcpy(bad, in + t * KN_MODEL_FEATURES, sizeof bad);
            bad[(t * 13) % KN_MODEL_FEATURES] = bad_values[t % 3];
            kn_error err = {0};
            ck_assert_int_eq(kn_backend_step(b, bad, out, &err), KN_ERROR_NON_FINITE);
            ck_assert_ptr_nonnull(strstr(err.message, "not finite"));
        }
        ck_assert_int_eq(kn_backend_step(b, in + t * KN_MODEL_FEATURES, out, NULL), KN_OK);
        ck_assert_double_le(max_abs_diff(out, want + t * KN_MODEL_OUTPUTS, KN_MODEL_OUTPUTS),
                            TOLERANCE);
    }
    kn_backend_destroy(b);
    free(in);
    free(want);
    golden_close(&g);
}
END_TEST

/* Inputs of FLT_MAX / 2 with the signs of in_proj's first row overflow the
 * device's arithmetic too: the step fails, the state is zero again, and
 * later ticks are finite. */
START_TEST(overflow_resets_the_state)
{
    golden g;
    golden_open(&g, DEFAULT_DIR);
    float *in = golden_tensor(&g, "features", (size_t)g.ticks * KN_MODEL_FEATURES);
    kn_backend *b = make_backend(KN_BACKEND_VULKAN, g.weights);
    float out[KN_MODEL_MAX_OUTPUTS], huge[KN_MODEL_FEATURES];
    for (int t = 0; t < 5; t++)
        ck_assert_int_eq(kn_backend_step(b, in + t * KN_MODEL_FEATURES, out, NULL), KN_OK);
    size_t total;
    all_states(b, &g.weights->config, NULL, &total);
    float *states = malloc(total * sizeof *states);
    const float *w0 = g.weights->in_proj.weight;
    for (int k = 0; k < KN_MODEL_FEATURES; k++)
        huge[k] = g.weights->input_mean[k] +
                  (w0[k] < 0 ? -1 : 1) * (FLT_MAX / 2) * g.weights->input_std[k];
    kn_error err = {0};
    ck_assert_int_eq(kn_backend_step(b, huge, out, &err), KN_ERROR_NON_FINITE);
    ck_assert_ptr_nonnull(strstr(err.message, "state reset"));
    all_states(b, &g.weights->config, states, &total);
    ck_assert(all_zero(states, total));
    for (uint32_t t = 0; t < g.ticks; t++) {
        ck_assert_int_eq(kn_backend_step(b, in + t * KN_MODEL_FEATURES, out, NULL), KN_OK);
        for (int i = 0; i < KN_MODEL_OUTPUTS; i++)
            ck_assert(isfinite(out[i]));
    }
    free(states);
    kn_backend_destroy(b);
    free(in);
    golden_close(&g);
}
END_TEST

START_TEST(no_heap_allocation_per_tick)
{
    golden g;
    golden_open(&g, DEFAULT_DIR);
    float *in = golden_tensor(&g, "features", (size_t)g.ticks * KN_MODEL_FEATURES);
    unsigned long before = kn_test_heap_calls;
    kn_backend *b = make_backend(KN_BACKEND_VULKAN, g.weights);
    ck_assert_uint_gt(kn_test_heap_calls, before);
    float out[KN_MODEL_MAX_OUTPUTS];
    bool ok = true;
    before = kn_test_heap_calls;
    for (uint32_t t = 0; t < 300; t++) {
        ok = ok && kn_backend_step(b, in + (t % g.ticks) * KN_MODEL_FEATURES, out, NULL) == KN_OK;
        if (t == 150)
            kn_backend_reset(b);
    }
    unsigned long calls = kn_test_heap_calls - before;
    ck_assert(ok);
    ck_assert_uint_eq(calls, 0);
    kn_backend_destroy(b);
    free(in);
    golden_close(&g);
}
END_TEST

START_TEST(states_by_name)
{
    golden g;
    golden_open(&g, DEFAULT_DIR);
    kn_backend *b = make_backend(KN_BACKEND_VULKAN, g.weights);
    ck_assert_str_eq(kn_backend_name(b), "vulkan");
    ck_assert_ptr_nonnull(kn_backend_vulkan_device(b));
    float v[8 * 32 * 16];
    kn_error err = {0};
    ck_assert_int_eq(kn_backend_read_state(b, "temporal.0.ssd.ssm", v, 8 * 32 * 16, &err), KN_OK);
    ck_assert_int_eq(kn_backend_read_state(b, "temporal.0.ssd.ssm", v, 10, &err),
                     KN_ERROR_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "values"));
    ck_assert_int_eq(kn_backend_read_state(b, "temporal.9.ssd.ssm", v, 10, &err),
                     KN_ERROR_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "no state named"));
    kn_backend *cpu = make_backend(KN_BACKEND_CPU, g.weights);
    ck_assert_ptr_null(kn_backend_vulkan_device(cpu));
    kn_backend_destroy(cpu);
    kn_backend_destroy(b);
    golden_close(&g);
}
END_TEST

/* create under `variable=value`: fails with KN_ERROR_UNSUPPORTED, no
 * backend, and a message containing `says`. */
static void refused_with(const golden *g, const char *variable, const char *value, const char *says)
{
    const char *old = getenv(variable);
    char *saved = old ? strdup(old) : NULL;
    setenv(variable, value, 1);
    kn_backend *b = (kn_backend *)&b; /* not NULL: create must clear it */
    kn_error err = {0};
    kn_status st = kn_backend_create(KN_BACKEND_VULKAN, g->weights, &b, &err);
    if (saved)
        setenv(variable, saved, 1);
    else
        unsetenv(variable);
    free(saved);
    ck_assert_msg(st == KN_ERROR_UNSUPPORTED, "%s=%s: status %d (%s)", variable, value, (int)st,
                  err.message);
    ck_assert_ptr_null(b);
    ck_assert_msg(strstr(err.message, says) != NULL, "%s=%s: message '%s' lacks '%s'", variable,
                  value, err.message, says);
    printf("%s=%s: %s\n", variable, value, err.message);
}

START_TEST(no_device_fails_cleanly)
{
    golden g;
    golden_open(&g, DEFAULT_DIR);
    /* The loader reads these when an instance is created: no driver. */
    refused_with(&g, "VK_DRIVER_FILES", "/nonexistent/icd.json", "vulkan: ");
    refused_with(&g, "VK_ICD_FILENAMES", "/nonexistent/icd.json", "vulkan: ");
    refused_with(&g, "KINEST_VULKAN_LOADER", "/nonexistent/libvulkan.so.1", "no Vulkan loader");
    refused_with(&g, "KINEST_VULKAN_DEVICE", "99", "not a device index");
    refused_with(&g, "KINEST_VULKAN_DEVICE", "x", "not a device index");
    /* A model wider than the kernels' shared memory: refused, not run. */
    kn_weights wide = *g.weights;
    wide.config.d_model = 4096;
    kn_backend *b = NULL;
    kn_error err = {0};
    ck_assert_int_eq(kn_backend_create(KN_BACKEND_VULKAN, &wide, &b, &err), KN_ERROR_UNSUPPORTED);
    ck_assert_ptr_null(b);
    ck_assert_ptr_nonnull(strstr(err.message, "d_model"));
    /* And the machine's device still works afterwards. */
    b = make_backend(KN_BACKEND_VULKAN, g.weights);
    kn_backend_destroy(b);
    golden_close(&g);
}
END_TEST

static Suite *backend_vulkan_suite(void)
{
    Suite *s = suite_create("backend_vulkan");
    TCase *tc = tcase_create("golden");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, golden_outputs_and_states);
    tcase_add_test(tc, golden_with_tracking_gaps);
    suite_add_tcase(s, tc);
    tc = tcase_create("behaviour");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, agrees_with_cpu_on_random_input);
    tcase_add_test(tc, reset_gives_the_initial_state);
    tcase_add_test(tc, non_finite_input_is_refused_without_harm);
    tcase_add_test(tc, overflow_resets_the_state);
    tcase_add_test(tc, no_heap_allocation_per_tick);
    tcase_add_test(tc, states_by_name);
    tcase_add_test(tc, no_device_fails_cleanly);
    suite_add_tcase(s, tc);
    return s;
}

/* lavapipe (Mesa 22.3) leaves heap blocks that only its own globals point
 * to when the loader unloads it at vkDestroyInstance; LSan then reports them
 * at exit with no module to name (the library is gone), so no suppression
 * can single them out. One backend held for the whole run keeps the driver
 * mapped: those blocks stay reachable, while every backend the tests create
 * and destroy is still checked for leaks of its own. What the held device
 * itself shows in the driver is suppressed by tests/lsan_vulkan.supp. */
static kn_weights *keeper_weights;
static kn_backend *driver_keeper;

static void keep_driver_loaded(void)
{
    kn_error err = {0};
    if (kn_weights_load_file(DEFAULT_DIR "/kinest.safetensors", &keeper_weights, &err) != KN_OK ||
        kn_backend_create(KN_BACKEND_VULKAN, keeper_weights, &driver_keeper, &err) != KN_OK)
        fprintf(stderr, "test_backend_vulkan: no Vulkan backend: %s\n", err.message);
}

int main(int argc, char **argv)
{
    keep_driver_loaded();
    if (argc > 1) {
        golden_dir_count = 0;
        for (int i = 1; i < argc && golden_dir_count < 8; i++)
            golden_dirs[golden_dir_count++] = argv[i];
    }
    SRunner *sr = srunner_create(backend_vulkan_suite());
    srunner_run(sr, NULL, argc > 1 ? "golden" : NULL, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
