/* kinest_create / kinest_destroy: config checks, the backend and its
 * fallbacks (docs/engine.md, "Fallbacks"), the worker thread. */
#include "engine/engine.h"

#include "weights/kn_weights.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef KINEST_DEFAULT_WEIGHTS
#define KINEST_DEFAULT_WEIGHTS "/usr/local/share/kinest/kinest.safetensors"
#endif

/* Earlier releases' configs: the first ended with log_user_data, the
 * second (config_v2) with body_flags, the third with smoothing. */
#define CONFIG_V1_SIZE (offsetof(kinest_config, log_user_data) + sizeof(void *))
typedef struct config_v2 {
    uint32_t struct_size;
    kinest_backend backend;
    float height_m;
    kinest_log_level log_level;
    kinest_log_fn log;
    void *log_user_data;
    uint32_t body_flags;
} config_v2;
#define CONFIG_V3_SIZE (offsetof(kinest_config, smoothing) + sizeof(double))

/* The caller's config, completed with the defaults of fields its
 * struct_size does not reach; false for a config this library cannot read. */
static bool read_config(const kinest_config *in, kinest_config *out, const char **why)
{
    kinest_config_init(out);
    if (!in)
        return true;
    if (in->struct_size != CONFIG_V1_SIZE && in->struct_size != sizeof(config_v2) &&
        in->struct_size != CONFIG_V3_SIZE && in->struct_size != sizeof(kinest_config)) {
        *why = "its struct_size is not one this library knows (use kinest_config_init)";
        return false;
    }
    /* Fields past the caller's struct_size keep kinest_config_init's defaults. */
    memcpy(out, in, in->struct_size);
    out->struct_size = (uint32_t)sizeof(kinest_config);
    /* Log settings first, so the other complaints can be logged. */
    if ((int)out->log_level < KINEST_LOG_OFF || (int)out->log_level > KINEST_LOG_DEBUG) {
        out->log_level = KINEST_LOG_WARN;
        *why = "log_level is not a kinest_log_level";
        return false;
    }
    if ((int)out->backend < KINEST_BACKEND_AUTO || (int)out->backend > KINEST_BACKEND_IK) {
        *why = "backend is not a kinest_backend";
        return false;
    }
    if (out->height_m != 0.0f &&
        !(out->height_m > KINEST_HEIGHT_MIN_M && out->height_m < KINEST_HEIGHT_MAX_M)) {
        *why = "height_m is neither 0 (automatic) nor a height in (0.5, 3) m";
        return false;
    }
    if (out->body_flags & ~KINEST_BODY_DEFAULT) {
        *why = "body_flags has bits that are not KINEST_BODY_*";
        return false;
    }
    /* Checked as the float the filter uses: 0.99999999 would freeze the body. */
    if (!((float)out->smoothing < 1.0f)) {
        *why = "smoothing is neither negative (the weights' value) nor in [0, 1)";
        return false;
    }
    if ((int)out->posture < KINEST_POSTURE_AUTO || (int)out->posture > KINEST_POSTURE_SEATED) {
        *why = "posture is not a kinest_posture";
        return false;
    }
    return true;
}

/* A self-test of a new backend: a few ticks of input through it and
 * through the CPU backend must agree. *step_ms: its fastest step after the
 * first (which may compile or upload), robust to a hiccup. */
static bool self_test(kinest_engine *e, kn_backend *candidate, const kn_weights *w, double *step_ms,
                      char *why, size_t why_size)
{
    kn_backend *cpu = NULL;
    kn_error err = {0};
    *step_ms = 0.0;
    if (kn_backend_create(KN_BACKEND_CPU, w, &cpu, &err) != KN_OK) {
        snprintf(why, why_size, "the CPU reference could not be made: %s", err.message);
        return false;
    }
    bool ok = true;
    float in[KN_MODEL_FEATURES], a[KN_MODEL_MAX_OUTPUTS], b[KN_MODEL_MAX_OUTPUTS];
    double worst = 0.0;
    for (int t = 0; t < 6 && ok; t++) {
        /* The mean input, moved by up to a standard deviation. */
        for (int k = 0; k < KN_MODEL_FEATURES; k++)
            in[k] = w->input_mean[k] + w->input_std[k] * 0.5f * sinf(0.7f * (float)(k + 5 * t));
        int64_t t0 = kn_engine_wall_ns();
        kn_status st = kn_backend_step(candidate, in, a, &err);
        double ms = (double)(kn_engine_wall_ns() - t0) / 1e6;
        if (t > 0 && (*step_ms == 0.0 || ms < *step_ms))
            *step_ms = ms;
        if (st != KN_OK || kn_backend_step(cpu, in, b, &err) != KN_OK) {
            snprintf(why, why_size, "a step failed: %s", err.message);
            ok = false;
            break;
        }
        for (uint32_t i = 0; i < kn_model_outputs(&w->config); i++) {
            double d = fabs((double)a[i] - (double)b[i]);
            worst = d > worst || !(d == d) ? d : worst;
        }
    }
    if (ok && !(worst <= 1e-3)) {
        snprintf(why, why_size, "its outputs differ from the CPU's by %g", worst);
        ok = false;
    }
    kn_backend_reset(candidate);
    kn_backend_destroy(cpu);
    if (ok)
        kn_engine_log(e, KINEST_LOG_INFO,
                      "%s backend self-test passed: max difference from the CPU %g, step %.2f ms",
                      kn_backend_name(candidate), worst, *step_ms);
    return ok;
}

/* The backend the config asks for, or what it falls back to. */
static kinest_status make_backend(kinest_engine *e, const char *weights_path)
{
    kinest_backend want = e->config.backend;
    if (want == KINEST_BACKEND_IK) {
        e->backend_kind = KINEST_BACKEND_IK;
        return KINEST_SUCCESS;
    }
    const char *path = weights_path ? weights_path : KINEST_DEFAULT_WEIGHTS;
    kn_weights *w = NULL;
    kn_error err = {0};
    kn_status st = kn_weights_load_file(path, &w, &err);
    if (st == KN_ERROR_OUT_OF_MEMORY) {
        kn_engine_log(e, KINEST_LOG_ERROR, "%s", err.message);
        return KINEST_ERROR_OUT_OF_MEMORY;
    }
    if (st != KN_OK) {
        kn_engine_log(e, KINEST_LOG_ERROR, "%s", err.message);
        kn_engine_log(e, KINEST_LOG_WARN,
                      "backend %s: the weights did not load (%s); falling back to the analytic IK",
                      kinest_backend_name(want), kn_status_name(st));
        e->backend_kind = KINEST_BACKEND_IK;
        return KINEST_SUCCESS;
    }

    kinest_status result = KINEST_SUCCESS;
    if (want == KINEST_BACKEND_AUTO || want == KINEST_BACKEND_VULKAN) {
        kinest_log_level level = want == KINEST_BACKEND_VULKAN ? KINEST_LOG_WARN : KINEST_LOG_INFO;
        char why[KN_ERROR_MESSAGE_SIZE + 64];
        double step_ms = 0.0;
        st = kn_backend_create(KN_BACKEND_VULKAN, w, &e->backend, &err);
        bool passed = st == KN_OK && self_test(e, e->backend, w, &step_ms, why, sizeof why);
        /* `auto` wants the model off the CPU, not a tick late: a device
         * whose step takes a good part of the tick (a software Vulkan such
         * as lavapipe) loses to the CPU. An explicit `vulkan` keeps it. */
        if (passed && want == KINEST_BACKEND_AUTO && step_ms > KN_ENGINE_AUTO_MAX_STEP_MS) {
            snprintf(why, sizeof why, "its step takes %.1f ms, more than %.0f ms of a tick",
                     step_ms, KN_ENGINE_AUTO_MAX_STEP_MS);
            passed = false;
        } else if (passed && step_ms > KN_ENGINE_AUTO_MAX_STEP_MS) {
            kn_engine_log(e, KINEST_LOG_WARN,
                          "backend vulkan: the device's step takes %.1f ms (a software "
                          "driver?); the CPU would be faster",
                          step_ms);
        }
        if (passed) {
            e->backend_kind = KINEST_BACKEND_VULKAN;
        } else {
            if (st != KN_OK) {
                snprintf(why, sizeof why, "%s", err.message);
            } else {
                kn_backend_destroy(e->backend);
                e->backend = NULL;
            }
            kn_engine_log(e, level, "backend %s: Vulkan is not usable (%s); running on the CPU",
                          kinest_backend_name(want), why);
        }
    }
    if (!e->backend) {
        st = kn_backend_create(KN_BACKEND_CPU, w, &e->backend, &err);
        if (st == KN_OK) {
            e->backend_kind = KINEST_BACKEND_CPU;
        } else if (st == KN_ERROR_OUT_OF_MEMORY) {
            kn_engine_log(e, KINEST_LOG_ERROR, "%s", err.message);
            result = KINEST_ERROR_OUT_OF_MEMORY;
        } else {
            kn_engine_log(e, KINEST_LOG_ERROR, "%s", err.message);
            kn_engine_log(e, KINEST_LOG_WARN,
                          "backend %s: the CPU backend failed (%s); falling back to the "
                          "analytic IK",
                          kinest_backend_name(want), kn_status_name(st));
            e->backend_kind = KINEST_BACKEND_IK;
        }
    }
    if (result == KINEST_SUCCESS && e->backend) {
        bool own = e->config.smoothing < 0.0;
        e->smoothing = own ? w->output_smoothing : (float)e->config.smoothing;
        kn_engine_log(e, KINEST_LOG_INFO,
                      "backend %s: running the model on %s from %s, output smoothing %g (%s)",
                      kinest_backend_name(want), kn_backend_name(e->backend), path,
                      (double)e->smoothing, own ? "the weights'" : "the config's");
    }
    kn_weights_free(w);
    return result;
}

kinest_status kinest_create(const char *weights_path, const kinest_config *config,
                            kinest_engine **engine)
{
    kinest_config cfg;
    const char *why = NULL;
    bool cfg_ok = read_config(config, &cfg, &why);
    if (!engine || !cfg_ok) {
        if (!cfg_ok)
            kn_engine_log_config(&cfg, KINEST_LOG_ERROR, "kinest_create: bad config: %s", why);
        else
            kn_engine_log_config(&cfg, KINEST_LOG_ERROR, "kinest_create: engine is NULL");
        if (engine)
            *engine = NULL;
        return KINEST_ERROR_INVALID_ARGUMENT;
    }
    *engine = NULL;

    kinest_engine *e = calloc(1, sizeof *e);
    if (!e) {
        kn_engine_log_config(&cfg, KINEST_LOG_ERROR, "kinest_create: out of memory");
        return KINEST_ERROR_OUT_OF_MEMORY;
    }
    e->config = cfg;
    e->config.log_user_data = cfg.log_user_data;
    kn_skeleton_default(&e->default_skeleton);

    /* Calibration: an override from the config, else automatic. */
    e->calib.changed_count = 1;
    e->calib.skeleton = e->default_skeleton;
    e->calib.height_m = kn_skeleton_body_height(&e->default_skeleton);
    e->calib.state = KINEST_CALIBRATION_INVALID;
    if (cfg.height_m != 0.0f) {
        kn_error err = {0};
        if (kn_engine_skeleton_for_height(e, cfg.height_m, &e->calib.skeleton, &err) != KN_OK) {
            kn_engine_log(e, KINEST_LOG_ERROR, "kinest_create: %s", err.message);
            free(e);
            return KINEST_ERROR_INVALID_ARGUMENT;
        }
        e->calib.override = true;
        e->calib.state = KINEST_CALIBRATION_VALID;
        e->calib.height_m = cfg.height_m;
    }

    kinest_status st = make_backend(e, weights_path);
    if (st != KINEST_SUCCESS) {
        free(e);
        return st;
    }

    kn_error err = {0};
    kn_signal_config scfg;
    kn_signal_default_config(&scfg);
    scfg.max_extrapolation_ns = KN_ENGINE_MAX_EXTRAPOLATION_NS;
    if (kn_signal_init(&e->w.signal, &scfg, &err) != KN_OK) {
        kn_engine_log(e, KINEST_LOG_ERROR, "kinest_create: %s", err.message);
        kn_backend_destroy(e->backend);
        free(e);
        return KINEST_ERROR_INVALID_ARGUMENT;
    }
    e->front = &e->snaps[0];
    kn_engine_worker_init(e);

    bool sem_ok = sem_init(&e->wake, 0, 0) == 0;
    bool locks_ok = pthread_mutex_init(&e->flush_lock, NULL) == 0;
    locks_ok = pthread_cond_init(&e->flush_cond, NULL) == 0 && locks_ok;
    locks_ok = pthread_mutex_init(&e->snap_lock, NULL) == 0 && locks_ok;
    locks_ok = pthread_mutex_init(&e->calib_lock, NULL) == 0 && locks_ok;
    locks_ok = pthread_mutex_init(&e->stats_lock, NULL) == 0 && locks_ok;
    int rc = sem_ok && locks_ok ? pthread_create(&e->thread, NULL, kn_engine_worker_main, e) : -1;
    if (rc != 0) {
        kn_engine_log(e, KINEST_LOG_ERROR, "kinest_create: the worker thread could not start (%s)",
                      rc > 0 ? strerror(rc) : "no semaphore or mutex");
        e->thread_started = false;
        kinest_destroy(e);
        return KINEST_ERROR_OUT_OF_MEMORY;
    }
    e->thread_started = true;
    static const char *const postures[] = {"auto", "standing", "seated"};
    kn_engine_log(e, KINEST_LOG_INFO, "engine started: backend %s, height %s, posture %s",
                  kinest_backend_name(e->backend_kind), cfg.height_m != 0.0f ? "set" : "automatic",
                  postures[cfg.posture]);
    *engine = e;
    return KINEST_SUCCESS;
}

void kinest_destroy(kinest_engine *engine)
{
    if (!engine)
        return;
    if (engine->thread_started) {
        atomic_store(&engine->quit, true);
        sem_post(&engine->wake);
        pthread_join(engine->thread, NULL);
    }
    /* Destroying never-initialised sync objects is avoided by create,
     * which only calls this after initialising them all. */
    sem_destroy(&engine->wake);
    pthread_mutex_destroy(&engine->flush_lock);
    pthread_cond_destroy(&engine->flush_cond);
    pthread_mutex_destroy(&engine->snap_lock);
    pthread_mutex_destroy(&engine->calib_lock);
    pthread_mutex_destroy(&engine->stats_lock);
    kn_backend_destroy(engine->backend);
    free(engine);
}

void kn_engine_set_tap(kinest_engine *e, kn_engine_tap_fn fn, void *user)
{
    e->tap = fn;
    e->tap_user = user;
}

kinest_backend kinest_get_backend(const kinest_engine *engine)
{
    return engine ? engine->backend_kind : KINEST_BACKEND_AUTO;
}
