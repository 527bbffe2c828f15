/* kinest-bench: time the model step of a backend, per tick.
 *
 *   kinest-bench [--backend cpu|vulkan|all] [--ticks N] WEIGHTS.safetensors
 *
 * Runs N ticks (default 10000, after 200 warm-up ticks) on inputs that
 * wander around the weights' input mean, and prints the median, 10th, 90th
 * and 99th percentile wall time per tick: kn_backend_step, i.e. for Vulkan
 * the input upload, the submission of the recorded command buffer, the
 * fence wait and the output read-back. `all` times every backend built in,
 * one after the other, and reports the ones that cannot run here. */
#include "backend/kn_backend.h"
#ifdef KINEST_HAVE_VULKAN
#include "backend/vulkan/kn_vulkan.h"
#endif

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int usage(void)
{
    fprintf(stderr,
            "usage: kinest-bench [--backend cpu|vulkan|all] [--ticks N] WEIGHTS.safetensors\n");
    return 2;
}

/* Times one backend; 0 on success, 1 when it failed (err says why). */
static int bench(kn_backend_kind kind, const kn_weights *w, long ticks, double *times,
                 kn_error *err)
{
    kn_backend *b = NULL;
    if (kn_backend_create(kind, w, &b, err) != KN_OK)
        return 1;
    float in[KN_MODEL_FEATURES], out[KN_MODEL_OUTPUTS];
    for (long t = -200; t < ticks; t++) {
        for (int k = 0; k < KN_MODEL_FEATURES; k++)
            in[k] = w->input_mean[k] + w->input_std[k] * sinf(0.05f * (float)t + (float)k);
        double start = now_ms();
        if (kn_backend_step(b, in, out, err) != KN_OK) {
            kn_backend_destroy(b);
            return 1;
        }
        if (t >= 0)
            times[t] = now_ms() - start;
    }
    qsort(times, (size_t)ticks, sizeof *times, by_value);
    const char *device = "one CPU thread";
#ifdef KINEST_HAVE_VULKAN
    if (kn_backend_vulkan_device(b))
        device = kn_backend_vulkan_device(b);
#endif
    printf("%s backend on %s, d_model %u, %u temporal + %u spatial blocks, %ld ticks\n",
           kn_backend_name(b), device, w->config.d_model, w->config.n_temporal, w->config.n_spatial,
           ticks);
    printf("per tick: median %.3f ms, p10 %.3f ms, p90 %.3f ms, p99 %.3f ms\n", times[ticks / 2],
           times[ticks / 10], times[ticks * 9 / 10], times[ticks * 99 / 100]);
    kn_backend_destroy(b);
    return 0;
}

int main(int argc, char **argv)
{
    const char *path = NULL, *which = "cpu";
    long ticks = 10000;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--ticks") && i + 1 < argc)
            ticks = strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--backend") && i + 1 < argc)
            which = argv[++i];
        else if (argv[i][0] != '-' && !path)
            path = argv[i];
        else
            return usage();
    }
    bool all = !strcmp(which, "all");
    if (!path || ticks < 1 || ticks > 100000000 ||
        (!all && strcmp(which, "cpu") && strcmp(which, "vulkan")))
        return usage();

    kn_error err = {0};
    kn_weights *w = NULL;
    if (kn_weights_load_file(path, &w, &err) != KN_OK) {
        fprintf(stderr, "kinest-bench: %s\n", err.message);
        return 1;
    }
    double *times = malloc((size_t)ticks * sizeof *times);
    if (!times) {
        kn_weights_free(w);
        return 1;
    }
    const kn_backend_kind kinds[] = {KN_BACKEND_CPU, KN_BACKEND_VULKAN};
    const char *names[] = {"cpu", "vulkan"};
    int status = 0;
    for (int i = 0; i < 2; i++) {
        if (!all && strcmp(which, names[i]))
            continue;
        if (bench(kinds[i], w, ticks, times, &err) == 0)
            continue;
        /* With `all`, a backend that cannot run here is reported, not fatal. */
        fprintf(all ? stdout : stderr, "%s%s backend: %s\n", all ? "" : "kinest-bench: ", names[i],
                err.message);
        if (!all || err.status != KN_ERROR_UNSUPPORTED)
            status = 1;
    }
    free(times);
    kn_weights_free(w);
    return status;
}
