/* kinest-bench: time the model step of a backend, per tick.
 *
 *   kinest-bench [--backend cpu] [--ticks N] WEIGHTS.safetensors
 *
 * Runs N ticks (default 10000, after 200 warm-up ticks) on inputs that
 * wander around the weights' input mean, and prints the median, 10th, 90th
 * and 99th percentile wall time per tick. */
#include "backend/kn_backend.h"

#include <math.h>
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
    fprintf(stderr, "usage: kinest-bench [--backend cpu|vulkan] [--ticks N] WEIGHTS.safetensors\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    long ticks = 10000;
    kn_backend_kind kind = KN_BACKEND_CPU;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--ticks") && i + 1 < argc)
            ticks = strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--backend") && i + 1 < argc)
            kind = !strcmp(argv[++i], "vulkan") ? KN_BACKEND_VULKAN : KN_BACKEND_CPU;
        else if (argv[i][0] != '-' && !path)
            path = argv[i];
        else
            return usage();
    }
    if (!path || ticks < 1 || ticks > 100000000)
        return usage();

    kn_error err = {0};
    kn_weights *w = NULL;
    kn_backend *b = NULL;
    if (kn_weights_load_file(path, &w, &err) != KN_OK ||
        kn_backend_create(kind, w, &b, &err) != KN_OK) {
        fprintf(stderr, "kinest-bench: %s\n", err.message);
        kn_weights_free(w);
        return 1;
    }
    float in[KN_MODEL_FEATURES], out[KN_MODEL_OUTPUTS];
    double *times = malloc((size_t)ticks * sizeof *times);
    if (!times)
        return 1;
    for (long t = -200; t < ticks; t++) {
        for (int k = 0; k < KN_MODEL_FEATURES; k++)
            in[k] = w->input_mean[k] + w->input_std[k] * sinf(0.05f * (float)t + (float)k);
        double start = now_ms();
        if (kn_backend_step(b, in, out, &err) != KN_OK) {
            fprintf(stderr, "kinest-bench: tick %ld: %s\n", t, err.message);
            return 1;
        }
        if (t >= 0)
            times[t] = now_ms() - start;
    }
    qsort(times, (size_t)ticks, sizeof *times, by_value);
    printf("%s backend, d_model %u, %u temporal + %u spatial blocks, %ld ticks\n",
           kn_backend_name(b), w->config.d_model, w->config.n_temporal, w->config.n_spatial, ticks);
    printf("per tick: median %.3f ms, p10 %.3f ms, p90 %.3f ms, p99 %.3f ms\n", times[ticks / 2],
           times[ticks / 10], times[ticks * 9 / 10], times[ticks * 99 / 100]);
    free(times);
    kn_backend_destroy(b);
    kn_weights_free(w);
    return 0;
}
