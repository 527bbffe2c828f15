/* A device sample: one device's flags and pose at one time, as the layer
 * samples it live, the signal module ticks it and clip files store it. The
 * devices are the engine's (kinest.h): the head, then the two grips. */
#ifndef KN_DEVICE_H
#define KN_DEVICE_H

#include "kinest.h"
#include "math/kn_math.h"

#include <stdint.h>

#define KN_DEVICE_COUNT KINEST_DEVICE_COUNT

enum {
    KN_DEVICE_HEAD = KINEST_DEVICE_HEAD,
    KN_DEVICE_LEFT_GRIP = KINEST_DEVICE_LEFT_GRIP,
    KN_DEVICE_RIGHT_GRIP = KINEST_DEVICE_RIGHT_GRIP,
};

/* XrSpaceLocationFlags bits, the only ones a device sample may carry. */
#define KN_FLAG_ORIENTATION_VALID   0x1u
#define KN_FLAG_POSITION_VALID      0x2u
#define KN_FLAG_ORIENTATION_TRACKED 0x4u
#define KN_FLAG_POSITION_TRACKED    0x8u
#define KN_FLAGS_ALL                0xFu

typedef struct kn_device_sample {
    uint32_t flags;
    kn_pose pose;
} kn_device_sample;

#endif
