/* Backends run the model's recurrent step (docs/model.md) on some device.
 * The interface is small on purpose, as ggml's backends: created from the
 * loaded weights (which it copies into its own layout and memory, so the
 * caller may free them), one synchronous step per 60 Hz tick, a reset, a
 * state read-back for tests, destroy. The engine's worker owns a backend
 * and is its only caller; a backend is not thread-safe. */
#ifndef KN_BACKEND_H
#define KN_BACKEND_H

#include "core/kn_error.h"
#include "weights/kn_weights.h"

typedef enum kn_backend_kind {
    KN_BACKEND_CPU = 0,
    KN_BACKEND_VULKAN = 1,
} kn_backend_kind;

typedef struct kn_backend kn_backend;

/* What a backend implements. step gets an input that kn_backend_step has
 * already normalised and checked finite; it must not allocate, and it may
 * block until the device is done (a fence): it runs on the engine's
 * worker, never on the application's thread. */
typedef struct kn_backend_iface {
    const char *name;
    void (*destroy)(kn_backend *backend);
    void (*reset)(kn_backend *backend);
    kn_status (*step)(kn_backend *backend, const float *input, float *output, kn_error *err);
    /* Copies one recurrent state tensor (kn_model_state_specs name and
     * PyTorch layout) into out[count]. */
    kn_status (*read_state)(kn_backend *backend, const char *name, float *out, size_t count,
                            kn_error *err);
} kn_backend_iface;

struct kn_backend {
    const kn_backend_iface *iface;
    kn_model_config config;
    float input_mean[KN_MODEL_FEATURES];
    float input_std[KN_MODEL_FEATURES];
    void *context;
};

/* Creates a backend of `kind` for the weights. KN_ERROR_UNSUPPORTED when
 * that kind is not built in or finds no device. */
kn_status kn_backend_create(kn_backend_kind kind, const kn_weights *weights, kn_backend **backend,
                            kn_error *err);
void kn_backend_destroy(kn_backend *backend);

/* Back to the initial (all zero) recurrent state. */
void kn_backend_reset(kn_backend *backend);

/* One tick: input[58] (the feature vector, docs/model.md "Feature layout")
 * -> output[kn_model_outputs(&backend->config)] (KN_MODEL_MAX_OUTPUTS is
 * always enough): 21 * 6 local rotations as 6D, joint index order, then
 * the left and right foot's contact logits when the model has the head.
 *
 * A non-finite input (before or after normalisation) is refused with
 * KN_ERROR_NON_FINITE and leaves the state untouched. If a finite input
 * still drives the model to a non-finite output (overflow), the state is
 * reset and KN_ERROR_NON_FINITE returned: every state element reaches the
 * output within its step (NaN * w is NaN, inf * 0 is NaN), so a finite
 * output proves a finite state and one bad tick never poisons later ones.
 * On any error the output is unspecified. */
kn_status kn_backend_step(kn_backend *backend, const float *input, float *output, kn_error *err);

kn_status kn_backend_read_state(kn_backend *backend, const char *name, float *out, size_t count,
                                kn_error *err);

const char *kn_backend_name(const kn_backend *backend);

/* Backend constructors, called by kn_backend_create. */
kn_status kn_backend_cpu_create(const kn_weights *weights, kn_backend **backend, kn_error *err);

#endif
