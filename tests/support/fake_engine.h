/* A stand-in for libkinest's engine (src/include/kinest.h) for the layer's
 * unit tests: deterministic bodies, every call recorded, failures on
 * demand. The layer's unit tests link it instead of the real engine, so they
 * test the layer's side of the contract whatever the engine's state. */
#ifndef KN_TEST_LAYER_FAKE_ENGINE_H
#define KN_TEST_LAYER_FAKE_ENGINE_H

#include <kinest.h>
#include <pthread.h>

typedef struct fake_engine_state {
    /* kinest_create answers this (0: success). */
    kinest_status create_status;
    /* The backend kinest_create settles on for each one asked, as the real
     * engine's own fallbacks do (reset: auto -> cpu, the others as asked). */
    kinest_backend runs[4];
    int create_calls;     /* kinest_create calls, the failed ones too */
    int creates, live;    /* engines created / not yet destroyed */
    kinest_config config; /* the last create's */
    const char *weights;  /* the last create's (copied into weights_buf) */
    char weights_buf[4096];
    kinest_backend backend; /* the last created engine's */
    /* Pushes. */
    int pushes;
    int64_t last_push;
    kinest_device_pose last_devices[KINEST_DEVICE_COUNT];
    /* Bodies. */
    bool active;
    float confidence;
    uint32_t skeleton_changed;
    kinest_calibration_state calibration;
    kinest_status get_body_status; /* 0: success */
    int64_t last_get_time;
    int flushes;
    /* Calibration calls. */
    int set_heights, reset_heights;
    float height;
    bool create_held; /* kinest_create waits until fake_engine_release_create */
} fake_engine_state;

extern fake_engine_state fake_engine;
/* Guards fake_engine: lock it to read what the feed worker writes. */
extern pthread_mutex_t fake_engine_lock;

/* Everything back to the defaults: creation succeeds, bodies active. */
void fake_engine_reset(void);
/* Pushes seen so far (locks). */
int fake_engine_pushes(int64_t *last_time);
/* Lets a kinest_create held by create_held go on. */
void fake_engine_release_create(void);

/* The body the fake reports: joint j of any set at (0.01 j, 1 + 0.001 j,
 * -0.02 j) with the identity orientation, in the engine's (floor) space;
 * joints 7 (HEAD) and 19/45 (the wrists) carry the TRACKED bits. */
void fake_engine_joint(uint32_t j, kinest_pose *out);

#endif
