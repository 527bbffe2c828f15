/* Tests for the CPU backend (src/model, src/backend): the step against the
 * golden vectors of tools/kinest export (docs/model.md, "Export"), outputs
 * and every recurrent state; reset; refusal of non-finite input and
 * recovery from overflow; no heap allocation per tick.
 *
 * Golden directories (kinest.safetensors + golden.safetensors) are the
 * command-line arguments, tests/data/golden/random by default; the interop
 * test passes small configs that the default one does not cover. */
#include "backend/kn_backend.h"
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

/* The committed random-init export: the default config. */
#define DEFAULT_DIR KINEST_TEST_DATA_DIR "/golden/random"
static const char *golden_dirs[8] = {DEFAULT_DIR};
static int golden_dir_count = 1;

static kn_backend *make_backend(const kn_weights *w)
{
    kn_backend *b = NULL;
    kn_error err = {0};
    ck_assert_msg(kn_backend_create(KN_BACKEND_CPU, w, &b, &err) == KN_OK, "%s", err.message);
    return b;
}

/* Max |state - golden| over every state tensor after `tick`. */
static double compare_states(kn_backend *b, const golden *g, uint32_t tick)
{
    kn_state_spec specs[KN_MODEL_MAX_STATES];
    size_t n = kn_model_state_specs(&g->weights->config, specs, KN_MODEL_MAX_STATES);
    double worst = 0;
    for (size_t k = 0; k < n; k++) {
        char name[96];
        ck_assert_int_lt(snprintf(name, sizeof name, "state.%u.%s", tick, specs[k].name),
                         (int)sizeof name);
        float *want = golden_tensor(g, name, specs[k].count);
        float *got = malloc(specs[k].count * sizeof *got);
        kn_error err = {0};
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

/* Runs prefix+"features" through a fresh backend and compares each tick's
 * output with prefix+"output" (and the states where the file has them). */
static void run_case(const char *dir, const char *prefix)
{
    golden g;
    golden_open(&g, dir);
    char name[64];
    snprintf(name, sizeof name, "%sfeatures", prefix);
    float *in = golden_tensor(&g, name, (size_t)g.ticks * KN_MODEL_FEATURES);
    uint32_t n;
    float *want = golden_outputs(&g, prefix, &n);
    kn_backend *b = make_backend(g.weights);
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
            double s = compare_states(b, &g, t);
            worst_state = s > worst_state ? s : worst_state;
            states_checked++;
        }
    }
    if (!*prefix) {
        int listed = 1; /* every tick in state_ticks was there to compare */
        for (const char *p = kn_safetensors_metadata(&g.st, "state_ticks"); *p; p++)
            listed += *p == ',';
        ck_assert_int_eq(states_checked, listed);
    }
    char states[64] = "";
    if (states_checked)
        snprintf(states, sizeof states, ", max |state - golden| %.3g at %d ticks", worst_state,
                 states_checked);
    printf("%s (%s%u ticks): max |output - golden| %.3g%s (PyTorch float32 vs float64: %s)\n", dir,
           *prefix ? "gaps, " : "", g.ticks, worst, states,
           kn_safetensors_metadata(&g.st, *prefix ? "max_abs_gaps_output_f32_vs_f64"
                                                  : "max_abs_output_f32_vs_f64"));
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

/* The weights' config is the one the golden vectors were made with. */
START_TEST(golden_config_matches_weights)
{
    for (int i = 0; i < golden_dir_count; i++) {
        golden g;
        golden_open(&g, golden_dirs[i]);
        kn_model_config cfg;
        kn_error err = {0};
        ck_assert_msg(kn_model_config_parse(KN_MODEL_ARCHITECTURE,
                                            kn_safetensors_metadata(&g.st, "config"), NULL, &cfg,
                                            &err) == KN_OK,
                      "%s", err.message);
        ck_assert_mem_eq(&cfg, &g.weights->config, sizeof cfg);
        golden_close(&g);
    }
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
    kn_backend *b = make_backend(g.weights);
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
    /* From the reset state the same inputs give bit-identical outputs. */
    for (int t = 0; t < N; t++)
        ck_assert_int_eq(kn_backend_step(b, in + t * KN_MODEL_FEATURES, second[t], NULL), KN_OK);
    ck_assert_mem_eq(first, second, sizeof first);
    free(states);
    kn_backend_destroy(b);
    free(in);
    golden_close(&g);
}
END_TEST

/* A non-finite input is refused before the step and leaves the state as it
 * was: the golden run with refused ticks interleaved still matches. */
START_TEST(non_finite_input_is_refused_without_harm)
{
    golden g;
    golden_open(&g, DEFAULT_DIR);
    float *in = golden_tensor(&g, "features", (size_t)g.ticks * KN_MODEL_FEATURES);
    float *want = golden_tensor(&g, "output", (size_t)g.ticks * KN_MODEL_OUTPUTS);
    kn_backend *b = make_backend(g.weights);
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

/* Finite but enormous inputs can overflow inside the model: inputs of
 * FLT_MAX / 2 with the signs of in_proj's first row sum past FLT_MAX there.
 * Then the step fails, the state is back at zero, and later ticks are
 * finite again. */
START_TEST(overflow_resets_the_state)
{
    golden g;
    golden_open(&g, DEFAULT_DIR);
    float *in = golden_tensor(&g, "features", (size_t)g.ticks * KN_MODEL_FEATURES);
    kn_backend *b = make_backend(g.weights);
    float out[KN_MODEL_MAX_OUTPUTS], huge[KN_MODEL_FEATURES];
    for (int t = 0; t < 5; t++)
        ck_assert_int_eq(kn_backend_step(b, in + t * KN_MODEL_FEATURES, out, NULL), KN_OK);
    size_t total;
    all_states(b, &g.weights->config, NULL, &total);
    float *states = malloc(total * sizeof *states);
    const float *w0 = g.weights->in_proj.weight; /* row 0 */
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
    kn_backend *b = make_backend(g.weights);
    ck_assert_uint_gt(kn_test_heap_calls,
                      before); /* the counter does see the backend's allocations */
    float out[KN_MODEL_MAX_OUTPUTS];
    bool ok = true;
    before = kn_test_heap_calls;
    for (uint32_t t = 0; t < 1000; t++) {
        ok = ok && kn_backend_step(b, in + (t % g.ticks) * KN_MODEL_FEATURES, out, NULL) == KN_OK;
        if (t == 500)
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
    kn_backend *b = make_backend(g.weights);
    ck_assert_str_eq(kn_backend_name(b), "cpu");
    float v[8 * 32 * 16];
    kn_error err = {0};
    ck_assert_int_eq(kn_backend_read_state(b, "temporal.0.ssd.ssm", v, 8 * 32 * 16, &err), KN_OK);
    ck_assert_int_eq(kn_backend_read_state(b, "temporal.0.ssd.ssm", v, 10, &err),
                     KN_ERROR_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "values"));
    ck_assert_int_eq(kn_backend_read_state(b, "temporal.9.ssd.ssm", v, 10, &err),
                     KN_ERROR_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "no state named"));
    kn_backend *none = NULL;
    ck_assert_int_eq(kn_backend_create(KN_BACKEND_VULKAN, g.weights, &none, &err),
                     KN_ERROR_UNSUPPORTED);
    ck_assert_ptr_null(none);
    kn_backend_destroy(b);
    golden_close(&g);
}
END_TEST

static Suite *model_cpu_suite(void)
{
    Suite *s = suite_create("model_cpu");
    TCase *tc = tcase_create("golden");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, golden_config_matches_weights);
    tcase_add_test(tc, golden_outputs_and_states);
    tcase_add_test(tc, golden_with_tracking_gaps);
    suite_add_tcase(s, tc);
    tc = tcase_create("behaviour");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, reset_gives_the_initial_state);
    tcase_add_test(tc, non_finite_input_is_refused_without_harm);
    tcase_add_test(tc, overflow_resets_the_state);
    tcase_add_test(tc, no_heap_allocation_per_tick);
    tcase_add_test(tc, states_by_name);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        golden_dir_count = 0;
        for (int i = 1; i < argc && golden_dir_count < 8; i++)
            golden_dirs[golden_dir_count++] = argv[i];
    }
    SRunner *sr = srunner_create(model_cpu_suite());
    /* Given directories, only the golden comparisons run on them. */
    srunner_run(sr, NULL, argc > 1 ? "golden" : NULL, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
