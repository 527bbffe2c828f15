/* kinest-bench: time the model step of a backend, per tick.
 *
 *   kinest-bench [--backend cpu|vulkan|all] [--ticks N] [--json FILE] WEIGHTS.safetensors
 *
 * Runs N ticks (default 10000, after 200 warm-up ticks) on inputs that
 * wander around the weights' input mean, and prints the median, 10th, 90th
 * and 99th percentile and the longest wall time per tick: kn_backend_step,
 * i.e. for Vulkan the input upload, the submission of the recorded command
 * buffer, the fence wait and the output read-back; the heap calls per tick
 * (malloc & co. are wrapped at link time and counted during the timed
 * ticks) and the process's peak resident memory. `all` times every backend
 * built in, one after the other, and reports the ones that cannot run here.
 * --json writes the same figures as a JSON array. */
#include "backend/kn_backend.h"
#ifdef KINEST_HAVE_VULKAN
#include "backend/vulkan/kn_vulkan.h"
#endif

#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* Heap calls made while `counting` (the timed ticks), through the linker's
 * --wrap of the allocation functions (tools/CMakeLists.txt). */
static bool counting;
static unsigned long heap_calls;
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__real_aligned_alloc(size_t align, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_aligned_alloc(size_t align, size_t n);
void *__wrap_malloc(size_t n)
{
    heap_calls += counting;
    return __real_malloc(n);
}
void *__wrap_calloc(size_t n, size_t size)
{
    heap_calls += counting;
    return __real_calloc(n, size);
}
void *__wrap_realloc(void *p, size_t n)
{
    heap_calls += counting;
    return __real_realloc(p, n);
}
void *__wrap_aligned_alloc(size_t align, size_t n)
{
    heap_calls += counting;
    return __real_aligned_alloc(align, n);
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

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
    fprintf(stderr, "usage: kinest-bench [--backend cpu|vulkan|all] [--ticks N] [--json FILE] "
                    "WEIGHTS.safetensors\n");
    return 2;
}

/* Times one backend; 0 on success, 1 when it failed (err says why). */
static int bench(kn_backend_kind kind, const kn_weights *w, long ticks, double *times,
                 json_t *report, kn_error *err)
{
    kn_backend *b = NULL;
    if (kn_backend_create(kind, w, &b, err) != KN_OK)
        return 1;
    float in[KN_MODEL_FEATURES], out[KN_MODEL_OUTPUTS];
    for (long t = -200; t < ticks; t++) {
        for (int k = 0; k < KN_MODEL_FEATURES; k++)
            in[k] = w->input_mean[k] + w->input_std[k] * sinf(0.05f * (float)t + (float)k);
        counting = t >= 0;
        double start = now_ms();
        kn_status st = kn_backend_step(b, in, out, err);
        double took = now_ms() - start;
        counting = false;
        if (st != KN_OK) {
            kn_backend_destroy(b);
            return 1;
        }
        if (t >= 0)
            times[t] = took;
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
    double per_tick_heap = (double)heap_calls / (double)ticks;
    printf("per tick: median %.3f ms, p10 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms\n",
           times[ticks / 2], times[ticks / 10], times[ticks * 9 / 10], times[ticks * 99 / 100],
           times[ticks - 1]);
    printf("heap calls per tick: %.3f; peak resident memory: %ld kB\n", per_tick_heap,
           peak_rss_kb());
    json_array_append_new(
        report,
        json_pack("{s:s, s:s, s:i, s:f, s:f, s:f, s:f, s:f, s:f, s:i}", "backend",
                  kn_backend_name(b), "device", device, "ticks", (json_int_t)ticks, "median_ms",
                  times[ticks / 2], "p10_ms", times[ticks / 10], "p90_ms", times[ticks * 9 / 10],
                  "p99_ms", times[ticks * 99 / 100], "max_ms", times[ticks - 1],
                  "heap_calls_per_tick", per_tick_heap, "peak_rss_kb", (json_int_t)peak_rss_kb()));
    heap_calls = 0;
    kn_backend_destroy(b);
    return 0;
}

int main(int argc, char **argv)
{
    const char *path = NULL, *which = "cpu", *json_path = NULL;
    long ticks = 10000;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--ticks") && i + 1 < argc)
            ticks = strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--backend") && i + 1 < argc)
            which = argv[++i];
        else if (!strcmp(argv[i], "--json") && i + 1 < argc)
            json_path = argv[++i];
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
    json_t *report = json_array();
    for (int i = 0; i < 2; i++) {
        if (!all && strcmp(which, names[i]))
            continue;
        if (bench(kinds[i], w, ticks, times, report, &err) == 0)
            continue;
        /* With `all`, a backend that cannot run here is reported, not fatal. */
        fprintf(all ? stdout : stderr, "%s%s backend: %s\n", all ? "" : "kinest-bench: ", names[i],
                err.message);
        if (!all || err.status != KN_ERROR_UNSUPPORTED)
            status = 1;
    }
    if (json_path && json_dump_file(report, json_path, JSON_INDENT(2)) != 0) {
        fprintf(stderr, "kinest-bench: cannot write %s\n", json_path);
        status = 1;
    }
    json_decref(report);
    free(times);
    kn_weights_free(w);
    return status;
}
