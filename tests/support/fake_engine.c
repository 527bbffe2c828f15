/* The fake engine (fake_engine.h). */
#include "support/fake_engine.h"

#include <stdlib.h>
#include <string.h>

fake_engine_state fake_engine;
/* Pushes come from the feed worker thread. */
pthread_mutex_t fake_engine_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t create_released = PTHREAD_COND_INITIALIZER;

struct kinest_engine {
    kinest_backend backend;
};

void fake_engine_reset(void)
{
    pthread_mutex_lock(&fake_engine_lock);
    memset(&fake_engine, 0, sizeof fake_engine);
    fake_engine.active = true;
    fake_engine.confidence = 0.75f;
    fake_engine.skeleton_changed = 1;
    fake_engine.calibration = KINEST_CALIBRATION_CALIBRATING;
    for (int b = 0; b < 4; b++) /* auto resolves to the CPU */
        fake_engine.runs[b] = b == KINEST_BACKEND_AUTO ? KINEST_BACKEND_CPU : (kinest_backend)b;
    pthread_mutex_unlock(&fake_engine_lock);
}

void fake_engine_release_create(void)
{
    pthread_mutex_lock(&fake_engine_lock);
    fake_engine.create_held = false;
    pthread_cond_broadcast(&create_released);
    pthread_mutex_unlock(&fake_engine_lock);
}

int fake_engine_pushes(int64_t *last_time)
{
    pthread_mutex_lock(&fake_engine_lock);
    int n = fake_engine.pushes;
    if (last_time)
        *last_time = fake_engine.last_push;
    pthread_mutex_unlock(&fake_engine_lock);
    return n;
}

void fake_engine_joint(uint32_t j, kinest_pose *out)
{
    memset(out, 0, sizeof *out);
    out->orientation[3] = 1.0f;
    out->position[0] = 0.01f * (float)j;
    out->position[1] = 1.0f + 0.001f * (float)j;
    out->position[2] = -0.02f * (float)j;
}

/* ---- the API */

const char *kinest_status_string(kinest_status status)
{
    return status == KINEST_SUCCESS ? "success" : "fake failure";
}

const char *kinest_backend_name(kinest_backend backend)
{
    static const char *const names[] = {"auto", "cpu", "vulkan", "ik"};
    return (unsigned)backend < 4 ? names[backend] : "unknown";
}

uint32_t kinest_joint_count(kinest_joint_set set)
{
    static const uint32_t counts[] = {
        [KINEST_JOINT_SET_CANONICAL] = KINEST_CANONICAL_JOINT_COUNT,
        [KINEST_JOINT_SET_FB] = KINEST_FB_JOINT_COUNT,
        [KINEST_JOINT_SET_META_FULL_BODY] = KINEST_META_JOINT_COUNT,
        [KINEST_JOINT_SET_BD] = KINEST_BD_JOINT_COUNT,
        [KINEST_JOINT_SET_BD_WITHOUT_ARM] = KINEST_BD_WITHOUT_ARM_JOINT_COUNT,
        [KINEST_JOINT_SET_HTC] = KINEST_HTC_JOINT_COUNT,
    };
    return (unsigned)set < sizeof counts / sizeof counts[0] ? counts[set] : 0;
}

void kinest_config_init(kinest_config *config)
{
    memset(config, 0, sizeof *config);
    config->struct_size = sizeof *config;
    config->log_level = KINEST_LOG_WARN;
    config->smoothing = -1.0f;
}

kinest_status kinest_create(const char *weights_path, const kinest_config *config,
                            kinest_engine **engine)
{
    *engine = NULL;
    kinest_backend b = config ? config->backend : KINEST_BACKEND_AUTO;
    pthread_mutex_lock(&fake_engine_lock);
    while (fake_engine.create_held)
        pthread_cond_wait(&create_released, &fake_engine_lock);
    kinest_status st = fake_engine.create_status;
    kinest_backend runs = fake_engine.runs[b];
    fake_engine.create_calls++;
    if (config)
        fake_engine.config = *config;
    fake_engine.weights = NULL;
    if (weights_path) {
        strncpy(fake_engine.weights_buf, weights_path, sizeof fake_engine.weights_buf - 1);
        fake_engine.weights = fake_engine.weights_buf;
    }
    pthread_mutex_unlock(&fake_engine_lock);
    if (st != KINEST_SUCCESS)
        return st;
    kinest_engine *e = calloc(1, sizeof *e);
    if (!e)
        return KINEST_ERROR_OUT_OF_MEMORY;
    e->backend = runs;
    pthread_mutex_lock(&fake_engine_lock);
    fake_engine.creates++;
    fake_engine.live++;
    fake_engine.backend = e->backend;
    pthread_mutex_unlock(&fake_engine_lock);
    *engine = e;
    return KINEST_SUCCESS;
}

void kinest_destroy(kinest_engine *engine)
{
    if (!engine)
        return;
    pthread_mutex_lock(&fake_engine_lock);
    fake_engine.live--;
    pthread_mutex_unlock(&fake_engine_lock);
    free(engine);
}

kinest_backend kinest_get_backend(const kinest_engine *engine)
{
    return engine->backend;
}

kinest_status kinest_push_devices(kinest_engine *engine, int64_t time_ns,
                                  const kinest_device_pose devices[KINEST_DEVICE_COUNT])
{
    (void)engine;
    pthread_mutex_lock(&fake_engine_lock);
    kinest_status st = KINEST_SUCCESS;
    if (time_ns <= 0 || time_ns <= fake_engine.last_push) {
        st = KINEST_ERROR_TIME_INVALID;
    } else {
        fake_engine.pushes++;
        fake_engine.last_push = time_ns;
        memcpy(fake_engine.last_devices, devices, sizeof fake_engine.last_devices);
    }
    pthread_mutex_unlock(&fake_engine_lock);
    return st;
}

kinest_status kinest_flush(kinest_engine *engine)
{
    (void)engine;
    pthread_mutex_lock(&fake_engine_lock);
    fake_engine.flushes++;
    pthread_mutex_unlock(&fake_engine_lock);
    return KINEST_SUCCESS;
}

kinest_status kinest_reset(kinest_engine *engine)
{
    (void)engine;
    return KINEST_SUCCESS;
}

kinest_status kinest_get_body(kinest_engine *engine, kinest_joint_set set, int64_t time_ns,
                              uint32_t joint_count, kinest_joint_location *joints,
                              kinest_body_info *info)
{
    if (!engine || !joints)
        return KINEST_ERROR_INVALID_ARGUMENT;
    if (joint_count != kinest_joint_count(set))
        return KINEST_ERROR_SIZE_MISMATCH;
    if (time_ns <= 0)
        return KINEST_ERROR_TIME_INVALID;
    pthread_mutex_lock(&fake_engine_lock);
    fake_engine.last_get_time = time_ns;
    kinest_status st = fake_engine.get_body_status;
    kinest_body_info bi = {.time_ns = fake_engine.active ? time_ns : 0,
                           .active = fake_engine.active,
                           .confidence = fake_engine.active ? fake_engine.confidence : 0.0f,
                           .skeleton_changed_count = fake_engine.skeleton_changed,
                           .calibration = fake_engine.calibration};
    pthread_mutex_unlock(&fake_engine_lock);
    if (st != KINEST_SUCCESS)
        return st;
    for (uint32_t j = 0; j < joint_count; j++) {
        kinest_joint_location *l = &joints[j];
        memset(l, 0, sizeof *l);
        l->pose.orientation[3] = 1.0f;
        if (!bi.active)
            continue;
        fake_engine_joint(j, &l->pose);
        l->flags = KINEST_LOCATION_ORIENTATION_VALID | KINEST_LOCATION_POSITION_VALID;
        if (j == 7 || j == 19 || j == 45)
            l->flags |= KINEST_LOCATION_ORIENTATION_TRACKED | KINEST_LOCATION_POSITION_TRACKED;
    }
    if (info)
        *info = bi;
    return KINEST_SUCCESS;
}

kinest_status kinest_get_skeleton(kinest_engine *engine, kinest_joint_set set, uint32_t joint_count,
                                  kinest_skeleton_joint *joints, uint32_t *skeleton_changed_count)
{
    if (!engine || !joints)
        return KINEST_ERROR_INVALID_ARGUMENT;
    if (joint_count != kinest_joint_count(set))
        return KINEST_ERROR_SIZE_MISMATCH;
    for (uint32_t j = 0; j < joint_count; j++) {
        joints[j].joint = (int32_t)j;
        joints[j].parent = (int32_t)j - 1; /* a chain: the root's parent is -1 */
        fake_engine_joint(j, &joints[j].pose);
    }
    if (skeleton_changed_count) {
        pthread_mutex_lock(&fake_engine_lock);
        *skeleton_changed_count = fake_engine.skeleton_changed;
        pthread_mutex_unlock(&fake_engine_lock);
    }
    return KINEST_SUCCESS;
}

kinest_status kinest_set_height(kinest_engine *engine, float height_m)
{
    (void)engine;
    if (!(height_m > 0.5f && height_m < 3.0f))
        return KINEST_ERROR_INVALID_ARGUMENT;
    pthread_mutex_lock(&fake_engine_lock);
    fake_engine.set_heights++;
    if (height_m != fake_engine.height)
        fake_engine.skeleton_changed++;
    fake_engine.height = height_m;
    fake_engine.calibration = KINEST_CALIBRATION_VALID;
    pthread_mutex_unlock(&fake_engine_lock);
    return KINEST_SUCCESS;
}

kinest_status kinest_reset_height(kinest_engine *engine)
{
    (void)engine;
    pthread_mutex_lock(&fake_engine_lock);
    fake_engine.reset_heights++;
    fake_engine.calibration = KINEST_CALIBRATION_CALIBRATING;
    pthread_mutex_unlock(&fake_engine_lock);
    return KINEST_SUCCESS;
}

kinest_status kinest_get_calibration(kinest_engine *engine, kinest_calibration_state *state,
                                     float *height_m)
{
    (void)engine;
    pthread_mutex_lock(&fake_engine_lock);
    if (state)
        *state = fake_engine.calibration;
    if (height_m)
        *height_m = fake_engine.height;
    pthread_mutex_unlock(&fake_engine_lock);
    return KINEST_SUCCESS;
}

kinest_status kinest_get_stats(kinest_engine *engine, kinest_stats *stats)
{
    (void)engine;
    memset(stats, 0, sizeof *stats);
    stats->ticks = (uint64_t)fake_engine_pushes(NULL);
    return KINEST_SUCCESS;
}
