/* write-clip PATH SECONDS
 *
 * Writes a generated 60 Hz clip of SECONDS seconds for the long session
 * test: a person walking a 2 m circle at 1 m/s, looking about, swinging the
 * arms, now and then crouching and reaching up; and the things a long
 * session brings: every 47 s the left controller is lost for 2 s, every 71 s
 * the right one is valid but not tracked for 3 s, every 5 min the head is
 * lost for 1 s (the body goes inactive), every 13 min the headset is
 * recentred 4 m away (a teleport). No ground truth: only the devices. */
#include "e2e.h"

#include <math.h>
#include <string.h>

#define RATE_HZ 60

static void axis_angle(float ax, float ay, float az, float angle, versor out)
{
    float s = sinf(angle / 2);
    out[0] = ax * s;
    out[1] = ay * s;
    out[2] = az * s;
    out[3] = cosf(angle / 2);
}

static bool every(double t, double period, double length)
{
    return fmod(t, period) > period - length;
}

static void sample(double t, kn_device_sample d[KN_CLIP_DEVICE_COUNT])
{
    const float radius = 2.0f, speed = 1.0f;
    float a = (float)fmod(t * speed / radius, 2 * GLM_PI);
    float shift = (float)(floor(t / 780.0) * 4.0); /* the teleports */
    float cx = shift + radius * sinf(a), cz = -radius * cosf(a);
    float heading = a + GLM_PIf / 2; /* along the circle */
    float crouch = every(t, 37, 4) ? 0.45f * sinf(GLM_PIf * (float)fmod(t, 37) / 4.0f) : 0;
    float look = 0.5f * sinf(0.7f * (float)t);
    versor yaw, pitch;
    axis_angle(0, 1, 0, -heading + look, yaw);
    axis_angle(1, 0, 0, 0.2f * sinf(0.3f * (float)t), pitch);
    kn_device_sample *h = &d[KN_DEVICE_HEAD];
    h->flags = KN_FLAGS_ALL;
    glm_quat_mul(yaw, pitch, h->pose.orientation);
    glm_vec3_copy((vec3){cx, 1.62f - crouch + 0.03f * sinf(12.6f * (float)t), cz},
                  h->pose.position);
    bool reach = every(t, 53, 3);
    for (int side = 0; side < 2; side++) {
        kn_device_sample *g = &d[1 + side];
        float s = side ? 1.0f : -1.0f;
        float swing = 0.35f * sinf(6.3f * (float)t + (float)side * GLM_PIf);
        vec3 local = {s * 0.25f, reach ? 0.55f : -0.65f, reach ? -0.1f : -0.15f + swing * 0.5f};
        versor turn;
        axis_angle(1, 0, 0, swing, turn);
        vec3 world;
        glm_quat_rotatev(yaw, local, world);
        g->flags = KN_FLAGS_ALL;
        glm_quat_mul(yaw, turn, g->pose.orientation);
        glm_vec3_add(h->pose.position, world, g->pose.position);
    }
    if (every(t, 47, 2)) {
        d[KN_DEVICE_LEFT_GRIP].flags = 0;
        kn_pose_identity(&d[KN_DEVICE_LEFT_GRIP].pose);
    }
    if (every(t, 71, 3))
        d[KN_DEVICE_RIGHT_GRIP].flags = KN_FLAG_ORIENTATION_VALID | KN_FLAG_POSITION_VALID;
    if (every(t, 300, 1)) {
        h->flags = 0;
        kn_pose_identity(&h->pose);
    }
}

int e2e_write_clip(int argc, char **argv)
{
    CHECK(argc >= 2, "usage: kinest-e2e write-clip PATH SECONDS");
    double seconds = atof(argv[1]);
    CHECK(seconds > 0 && seconds <= 7200, "SECONDS must be in (0, 7200]");
    uint32_t frames = (uint32_t)(seconds * RATE_HZ);
    int64_t *times = calloc(frames, sizeof *times);
    kn_device_sample *devices = calloc((size_t)frames * KN_CLIP_DEVICE_COUNT, sizeof *devices);
    CHECK(times && devices, "out of memory for %u frames", frames);
    for (uint32_t f = 0; f < frames; f++) {
        times[f] = (int64_t)f * 1000000000 / RATE_HZ;
        sample((double)f / RATE_HZ, &devices[(size_t)f * KN_CLIP_DEVICE_COUNT]);
    }
    kn_clip clip = {.frame_count = frames,
                    .rate_hz = RATE_HZ,
                    .metadata = (char *)"{\"source\": \"kinest-e2e write-clip\"}",
                    .time_ns = times,
                    .devices = devices};
    kn_error err;
    CHECK(kn_clip_write_file(argv[0], &clip, &err) == KN_OK, "%s", err.message);
    printf("wrote %s: %u frames (%.0f s at %d Hz)\n", argv[0], frames, seconds, RATE_HZ);
    free(times);
    free(devices);
    return 0;
}
