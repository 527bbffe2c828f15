/* What every backend shares: the choice of backend, the input
 * normalisation and the finite checks around a step, so that the CPU and
 * Vulkan backends refuse and recover in exactly the same way. */
#include "backend/kn_backend.h"
#ifdef KINEST_HAVE_VULKAN
#include "backend/vulkan/kn_vulkan.h"
#endif

#include <math.h>
#include <string.h>

kn_status kn_backend_create(kn_backend_kind kind, const kn_weights *weights, kn_backend **backend,
                            kn_error *err)
{
    if (!weights || !backend)
        return kn_fail(err, KN_ERROR_INVALID_ARGUMENT, "backend: NULL argument");
    *backend = NULL;
    kn_status st;
    switch (kind) {
    case KN_BACKEND_CPU:
        st = kn_backend_cpu_create(weights, backend, err);
        break;
    case KN_BACKEND_VULKAN:
#ifdef KINEST_HAVE_VULKAN
        st = kn_backend_vulkan_create(weights, backend, err);
        break;
#else
        return kn_fail(err, KN_ERROR_UNSUPPORTED, "backend: Vulkan is not built in");
#endif
    default:
        return kn_fail(err, KN_ERROR_INVALID_ARGUMENT, "backend: unknown kind %d", (int)kind);
    }
    if (st != KN_OK)
        return st;
    kn_backend *b = *backend;
    b->config = weights->config;
    for (int k = 0; k < KN_MODEL_FEATURES; k++) {
        b->input_mean[k] = weights->input_mean[k];
        b->input_std[k] = weights->input_std[k];
    }
    return KN_OK;
}

void kn_backend_destroy(kn_backend *backend)
{
    if (backend)
        backend->iface->destroy(backend);
}

void kn_backend_reset(kn_backend *backend)
{
    backend->iface->reset(backend);
}

static bool all_finite(const float *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return false;
    return true;
}

kn_status kn_backend_step(kn_backend *backend, const float *input, float *output, kn_error *err)
{
    if (!backend || !input || !output)
        return kn_fail(err, KN_ERROR_INVALID_ARGUMENT, "backend: NULL argument");
    float x[KN_MODEL_FEATURES];
    /* A division, as PyTorch's (f - mean) / std, not a multiplication by
     * 1/std: the same float32 rounding. */
    for (int k = 0; k < KN_MODEL_FEATURES; k++) {
        x[k] = (input[k] - backend->input_mean[k]) / backend->input_std[k];
        if (!isfinite(input[k]) || !isfinite(x[k]))
            return kn_fail(err, KN_ERROR_NON_FINITE,
                           "backend: input feature %d is not finite (%g); tick refused", k,
                           (double)input[k]);
    }
    kn_status st = backend->iface->step(backend, x, output, err);
    if (st != KN_OK)
        return st;
    if (!all_finite(output, kn_model_outputs(&backend->config))) {
        backend->iface->reset(backend);
        return kn_fail(err, KN_ERROR_NON_FINITE,
                       "backend: the model overflowed to a non-finite output; state reset");
    }
    return KN_OK;
}

kn_status kn_backend_read_state(kn_backend *backend, const char *name, float *out, size_t count,
                                kn_error *err)
{
    if (!backend || !name || (!out && count))
        return kn_fail(err, KN_ERROR_INVALID_ARGUMENT, "backend: NULL argument");
    return backend->iface->read_state(backend, name, out, count, err);
}

const char *kn_backend_name(const kn_backend *backend)
{
    return backend ? backend->iface->name : "none";
}
