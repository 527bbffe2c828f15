/* The engine glue (engine.h). */
#include "body/engine.h"
#include "common/log.h"
#include "common/weights_path.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct kn_body_engine {
    pthread_mutex_t lock;       /* creation and every producer call */
    pthread_cond_t pushed_cond; /* KINEST_SYNC: a batch was pushed */
    pthread_cond_t made_cond;   /* the creation has ended */
    pthread_t creator;          /* the thread that makes the engine */
    bool creator_started;       /* under lock */
    bool made;                  /* the creation has ended (under lock) */
    int64_t pushed_up_to;       /* the newest sample time pushed (lock) */
    _Atomic(kinest_engine *) engine;
    kn_settings settings;
    bool tried;         /* under lock */
    XrResult result;    /* of the creation, under lock */
    kinest_backend ran; /* the backend that runs */
    uint64_t refused;   /* pushes the engine refused (worker only) */
    kinest_status last_refusal;
    atomic_bool creating; /* kinest_create is running: its errors are our warnings */
};

kinest_backend kn_body_engine_backend_of(kn_backend_setting backend)
{
    switch (backend) {
    case KN_SETTING_BACKEND_CPU:
        return KINEST_BACKEND_CPU;
    case KN_SETTING_BACKEND_VULKAN:
        return KINEST_BACKEND_VULKAN;
    case KN_SETTING_BACKEND_IK:
        return KINEST_BACKEND_IK;
    default:
        return KINEST_BACKEND_AUTO;
    }
}

/* KINEST_POSTURE's values are the engine's. */
_Static_assert(KN_SETTING_POSTURE_AUTO == (int)KINEST_POSTURE_AUTO &&
                   KN_SETTING_POSTURE_STANDING == (int)KINEST_POSTURE_STANDING &&
                   KN_SETTING_POSTURE_SEATED == (int)KINEST_POSTURE_SEATED,
               "kn_posture_setting and kinest_posture differ");

kn_body_engine *kn_body_engine_new(const kn_settings *settings)
{
    kn_body_engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    if (pthread_mutex_init(&e->lock, NULL) != 0) {
        free(e);
        return NULL;
    }
    if (pthread_cond_init(&e->pushed_cond, NULL) != 0) {
        pthread_mutex_destroy(&e->lock);
        free(e);
        return NULL;
    }
    if (pthread_cond_init(&e->made_cond, NULL) != 0) {
        pthread_cond_destroy(&e->pushed_cond);
        pthread_mutex_destroy(&e->lock);
        free(e);
        return NULL;
    }
    e->settings = *settings;
    atomic_init(&e->engine, NULL);
    return e;
}

/* The engine's messages go to the layer's log, with the layer's prefix.
 * While the engine is made, what fails there (weights that cannot be read,
 * no Vulkan) is a warning: the engine falls back and the session gets
 * bodies anyway. */
static void engine_log(kinest_log_level level, const char *message, void *user)
{
    kn_body_engine *e = user;
    kn_log_level l = level;
    if (e && atomic_load(&e->creating) && l == KN_LOG_ERROR)
        l = KN_LOG_WARN;
    kn_log(l, "engine: %s", message);
}

/* weights: a file, or NULL for the engine's compiled-in default. */
static kinest_status try_create(kn_body_engine *e, kinest_backend backend, const char *weights,
                                kinest_engine **out)
{
    const kn_settings *settings = &e->settings;
    kinest_config config;
    kinest_config_init(&config);
    config.backend = backend;
    config.height_m = settings->height_m;
    config.smoothing = settings->smoothing;
    config.posture = (kinest_posture)settings->posture;
    config.log_level = (kinest_log_level)kn_log_get_level();
    config.log = engine_log;
    config.log_user_data = e;
    atomic_store(&e->creating, true);
    kinest_status st = kinest_create(backend == KINEST_BACKEND_IK ? NULL : weights, &config, out);
    atomic_store(&e->creating, false);
    return st;
}

/* The backend from the settings; the engine falls back on its own (Vulkan to
 * the CPU, unloadable weights to the analytic IK) and logs why. */
static XrResult create_engine(kn_body_engine *e)
{
    const kn_settings *set = &e->settings;
    kinest_backend want = kn_body_engine_backend_of(set->backend);
    /* KINEST_MODEL, else the weights installed beside the layer. */
    char installed[4096];
    const char *weights = set->model[0] ? set->model : NULL;
    if (!weights && kn_default_weights_path(installed, sizeof installed))
        weights = installed;
    const char *weights_name = weights ? weights : "the default weights";
    kinest_engine *engine = NULL;
    kinest_status st = try_create(e, want, weights, &engine);
    if (st != KINEST_SUCCESS) {
        KN_LOG_E("cannot create the body-tracking engine: %s", kinest_status_string(st));
        return st == KINEST_ERROR_OUT_OF_MEMORY ? XR_ERROR_OUT_OF_MEMORY : XR_ERROR_RUNTIME_FAILURE;
    }
    e->ran = kinest_get_backend(engine);
    KN_LOG_I("engine: %s backend%s%s", kinest_backend_name(e->ran),
             e->ran == KINEST_BACKEND_IK ? "" : ", weights ",
             e->ran == KINEST_BACKEND_IK ? "" : weights_name);
    atomic_store(&e->engine, engine);
    return XR_SUCCESS;
}

static void *creator_main(void *arg)
{
    kn_body_engine *e = arg;
    XrResult r = create_engine(e);
    pthread_mutex_lock(&e->lock);
    e->result = r;
    e->made = true;
    pthread_cond_broadcast(&e->made_cond);
    pthread_mutex_unlock(&e->lock);
    return NULL;
}

XrResult kn_body_engine_ensure(kn_body_engine *e)
{
    pthread_mutex_lock(&e->lock);
    if (!e->tried) {
        e->tried = true;
        e->result = XR_SUCCESS;
        /* Loading weights and a backend self-test take 8-66 ms: not on the
         * application's thread (the body is inactive until it is done).
         * KINEST_SYNC replays want every sample in the engine: made here. */
        e->creator_started =
            !e->settings.sync && pthread_create(&e->creator, NULL, creator_main, e) == 0;
        if (!e->creator_started) {
            e->result = create_engine(e);
            e->made = true;
        }
    }
    XrResult r = e->result;
    pthread_mutex_unlock(&e->lock);
    return r;
}

kinest_engine *kn_body_engine_get(kn_body_engine *e)
{
    return atomic_load(&e->engine);
}

kinest_engine *kn_body_engine_wait(kn_body_engine *e)
{
    pthread_mutex_lock(&e->lock);
    while (e->tried && !e->made)
        pthread_cond_wait(&e->made_cond, &e->lock);
    pthread_mutex_unlock(&e->lock);
    return atomic_load(&e->engine);
}

kinest_backend kn_body_engine_backend(kn_body_engine *e)
{
    /* Written before the engine is published, constant after: reading it
     * behind the engine pointer needs no lock (the feed worker may hold the
     * glue's lock for a batch; an application thread must not wait for it). */
    return atomic_load(&e->engine) ? e->ran : KINEST_BACKEND_AUTO;
}

static void to_engine(const kn_device_frame *f, kinest_device_pose out[KINEST_DEVICE_COUNT])
{
    for (int d = 0; d < KINEST_DEVICE_COUNT; d++) {
        const kn_device_sample *in = &f->devices[d];
        out[d].flags = in->flags;
        memcpy(out[d].pose.orientation, in->pose.orientation, sizeof out[d].pose.orientation);
        memcpy(out[d].pose.position, in->pose.position, sizeof out[d].pose.position);
    }
}

void kn_body_engine_consume(void *user, const kn_device_frame *frames, size_t count)
{
    kn_body_engine *e = user;
    kinest_engine *engine = atomic_load(&e->engine);
    if (!engine)
        return; /* no tracker yet: nobody asks for bodies */
    pthread_mutex_lock(&e->lock);
    for (size_t i = 0; i < count; i++) {
        kinest_device_pose devices[KINEST_DEVICE_COUNT];
        to_engine(&frames[i], devices);
        kinest_status st = kinest_push_devices(engine, frames[i].time, devices);
        if (st != KINEST_SUCCESS) {
            if (e->refused++ == 0 || st != e->last_refusal)
                KN_LOG_D("engine refused the sample at %lld: %s", (long long)frames[i].time,
                         kinest_status_string(st));
            e->last_refusal = st;
        }
        e->pushed_up_to = frames[i].time;
    }
    pthread_mutex_unlock(&e->lock);
    if (e->settings.sync)
        pthread_cond_broadcast(&e->pushed_cond);
}

bool kn_body_engine_sync(kn_body_engine *e, int64_t time_ns, int64_t timeout_ns)
{
    kinest_engine *engine = kn_body_engine_wait(e);
    if (!engine)
        return false;
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    int64_t end = (int64_t)deadline.tv_sec * 1000000000 + deadline.tv_nsec + timeout_ns;
    deadline.tv_sec = end / 1000000000;
    deadline.tv_nsec = end % 1000000000;
    pthread_mutex_lock(&e->lock);
    bool ok = true;
    while (e->pushed_up_to < time_ns && ok)
        ok = pthread_cond_timedwait(&e->pushed_cond, &e->lock, &deadline) == 0;
    if (!ok)
        KN_LOG_D("%s: no sample at %lld reached the engine in time", KN_ENV_SYNC,
                 (long long)time_ns);
    /* Whatever arrived runs now, also after a timeout. */
    ok = kinest_flush(engine) == KINEST_SUCCESS && ok;
    pthread_mutex_unlock(&e->lock);
    return ok;
}

kinest_status kn_body_engine_set_height(kn_body_engine *e, float height_m)
{
    kinest_engine *engine = kn_body_engine_wait(e);
    if (!engine)
        return KINEST_ERROR_INVALID_ARGUMENT;
    pthread_mutex_lock(&e->lock);
    kinest_status st = kinest_set_height(engine, height_m);
    pthread_mutex_unlock(&e->lock);
    return st;
}

kinest_status kn_body_engine_reset_height(kn_body_engine *e)
{
    kinest_engine *engine = kn_body_engine_wait(e);
    if (!engine)
        return KINEST_ERROR_INVALID_ARGUMENT;
    pthread_mutex_lock(&e->lock);
    kinest_status st = kinest_reset_height(engine);
    pthread_mutex_unlock(&e->lock);
    return st;
}

void kn_body_engine_free(kn_body_engine *e)
{
    if (!e)
        return;
    if (e->creator_started)
        pthread_join(e->creator, NULL);
    kinest_engine *engine = atomic_load(&e->engine);
    if (engine) {
        kinest_stats st;
        if (kinest_get_stats(engine, &st) == KINEST_SUCCESS)
            KN_LOG_I("engine (%s): %llu ticks, %llu skipped, %llu samples refused; step %.3f ms "
                     "mean, latency %.3f ms (last tick)",
                     kinest_backend_name(e->ran), (unsigned long long)st.ticks,
                     (unsigned long long)st.ticks_skipped, (unsigned long long)st.inputs_refused,
                     st.step_ms_mean, st.latency_ms_last);
        kinest_destroy(engine);
    }
    pthread_cond_destroy(&e->made_cond);
    pthread_cond_destroy(&e->pushed_cond);
    pthread_mutex_destroy(&e->lock);
    free(e);
}
