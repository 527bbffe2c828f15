/* The standing eye height: a percentile of upright head heights, raised by
 * how far below it a person wearing a headset carries the head. */
#include "engine/height.h"

#include "skeleton/kn_device_mount.h"

#include <math.h>
#include <string.h>

void kn_height_reset(kn_height_estimator *h)
{
    memset(h, 0, sizeof *h);
}

bool kn_height_upright_eye(const kn_pose *head_device, float *eye_height_m)
{
    kn_pose p;
    kn_pose_sanitize(head_device, &p);
    vec3 up;
    kn_quat_rotate(p.orientation, (vec3){0.0f, 1.0f, 0.0f}, up);
    if (!(up[1] >= KN_HEIGHT_MIN_UP_Y))
        return false;
    float y = p.position[1];
    if (!(y >= KN_HEIGHT_MIN_EYE_M && y < KN_HEIGHT_MAX_EYE_M))
        return false;
    *eye_height_m = y;
    return true;
}

bool kn_height_level_eye(const kn_pose *head_device, float *eye_height_m)
{
    if (!kn_height_upright_eye(head_device, eye_height_m))
        return false;
    kn_pose p, joint;
    kn_pose_sanitize(head_device, &p);
    kn_head_joint_from_device(&p, &joint);
    *eye_height_m = joint.position[1] + KN_EYE_OFFSET_Y;
    return true;
}

bool kn_height_add(kn_height_estimator *h, const kn_pose *head_device)
{
    float y;
    if (!kn_height_level_eye(head_device, &y))
        return false;
    int bin = (int)((y - KN_HEIGHT_MIN_EYE_M) / KN_HEIGHT_BIN_M);
    if (bin < 0 || bin >= KN_HEIGHT_BINS)
        return false;
    if (h->bins[bin] == UINT32_MAX)
        return false;
    h->bins[bin]++;
    h->count++;
    return true;
}

bool kn_height_estimate(const kn_height_estimator *h, float *eye_height_m)
{
    if (h->count < KN_HEIGHT_MIN_SAMPLES)
        return false;
    /* The bin holding the percentile, and where in it (linear inside). */
    double want = (double)KN_HEIGHT_PERCENTILE * (double)h->count;
    double below = 0.0;
    for (int b = 0; b < KN_HEIGHT_BINS; b++) {
        double n = h->bins[b];
        if (n > 0.0 && below + n >= want) {
            double inside = (want - below) / n;
            double eye =
                (double)KN_HEIGHT_MIN_EYE_M + ((double)b + inside) * (double)KN_HEIGHT_BIN_M;
            *eye_height_m = (float)(eye * (double)KN_HEIGHT_STANDING_FACTOR);
            return true;
        }
        below += n;
    }
    *eye_height_m = KN_HEIGHT_MAX_EYE_M * KN_HEIGHT_STANDING_FACTOR;
    return true;
}
