/* The clip behind the runtime: device poses at any XrTime, interpolated
 * between the clip's frames, and the pose helpers the spaces use. */
#include "runtime.h"

#include <math.h>

/* Without KINEST_REPLAY_CLIP: one frame of someone standing still, hands
 * by the hips, every pose valid and tracked. */
static int64_t standing_time[1] = {0};
static kn_device_sample standing[KN_CLIP_DEVICE_COUNT] = {
    {KN_FLAGS_ALL, {{0, 0, 0, 1}, {0.0f, 1.65f, 0.0f}}},
    {KN_FLAGS_ALL, {{0, 0, 0, 1}, {-0.25f, 0.95f, -0.1f}}},
    {KN_FLAGS_ALL, {{0, 0, 0, 1}, {0.25f, 0.95f, -0.1f}}},
};

kn_status rt_replay_load(rt_replay *r, const char *path, kn_error *err)
{
    *r = (rt_replay){0};
    if (path && path[0]) {
        kn_status st = kn_clip_read_file(path, &r->clip, err);
        if (st != KN_OK)
            return st;
        if (r->clip.frame_count == 0) {
            kn_clip_free(&r->clip);
            return kn_fail(err, KN_ERROR_FORMAT, "%s has no frames to replay", path);
        }
        r->owned = true;
        return KN_OK;
    }
    r->clip = (kn_clip){.frame_count = 1,
                        .rate_hz = 60.0f,
                        .metadata = (char *)"{}",
                        .time_ns = standing_time,
                        .devices = standing};
    return KN_OK;
}

void rt_replay_free(rt_replay *r)
{
    if (r->owned)
        kn_clip_free(&r->clip);
    *r = (rt_replay){0};
}

int64_t rt_replay_start(const rt_replay *r)
{
    return r->clip.frame_count ? r->clip.time_ns[0] : 0;
}

static void to_xr(const kn_pose *k, XrPosef *x)
{
    x->orientation =
        (XrQuaternionf){k->orientation[0], k->orientation[1], k->orientation[2], k->orientation[3]};
    x->position = (XrVector3f){k->position[0], k->position[1], k->position[2]};
}

static void to_kn(const XrPosef *x, kn_pose *k)
{
    k->orientation[0] = x->orientation.x;
    k->orientation[1] = x->orientation.y;
    k->orientation[2] = x->orientation.z;
    k->orientation[3] = x->orientation.w;
    k->position[0] = x->position.x;
    k->position[1] = x->position.y;
    k->position[2] = x->position.z;
}

void rt_replay_sample(const rt_replay *r, int device, XrTime time, XrPosef *pose,
                      XrSpaceLocationFlags *flags)
{
    const kn_clip *c = &r->clip;
    int64_t t = time - RT_TIME_ORIGIN;
    /* Last frame at or before t (binary search); before the clip, the first. */
    uint32_t lo = 0, hi = c->frame_count;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (c->time_ns[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    const kn_device_sample *a = &c->devices[(size_t)lo * KN_CLIP_DEVICE_COUNT + device];
    if (lo + 1 >= c->frame_count || t <= c->time_ns[lo]) {
        to_xr(&a->pose, pose);
        *flags = a->flags;
        return;
    }
    const kn_device_sample *b = &c->devices[(size_t)(lo + 1) * KN_CLIP_DEVICE_COUNT + device];
    float u = (float)((double)(t - c->time_ns[lo]) / (double)(c->time_ns[lo + 1] - c->time_ns[lo]));
    kn_pose p;
    kn_quat_slerp(a->pose.orientation, b->pose.orientation, u, p.orientation);
    glm_quat_normalize(p.orientation); /* exactly unit, as apps may check */
    for (int i = 0; i < 3; i++)
        p.position[i] = a->pose.position[i] + u * (b->pose.position[i] - a->pose.position[i]);
    to_xr(&p, pose);
    *flags = a->flags & b->flags;
}

void rt_replay_local(const rt_replay *r, XrPosef *pose)
{
    XrSpaceLocationFlags flags;
    XrPosef head;
    rt_replay_sample(r, KN_DEVICE_HEAD, RT_TIME_ORIGIN + rt_replay_start(r), &head, &flags);
    kn_pose k;
    to_kn(&head, &k);
    /* Gravity-aligned: keep only the turn about +Y that the head's forward
     * (-Z) makes. */
    vec3 forward;
    kn_quat_rotate(k.orientation, (float[3]){0, 0, -1}, forward);
    forward[1] = 0;
    kn_quat_from_two_vectors((float[3]){0, 0, -1}, forward, k.orientation);
    to_xr(&k, pose);
}

bool rt_pose_valid(const XrPosef *p)
{
    const XrQuaternionf *q = &p->orientation;
    float n = sqrtf(q->x * q->x + q->y * q->y + q->z * q->z + q->w * q->w);
    return isfinite(n) && fabsf(n - 1.0f) <= 1e-2f && isfinite(p->position.x) &&
           isfinite(p->position.y) && isfinite(p->position.z);
}

void rt_pose_compose(const XrPosef *a, const XrPosef *b, XrPosef *out)
{
    kn_pose ka, kb, r;
    to_kn(a, &ka);
    to_kn(b, &kb);
    kn_pose_compose(&ka, &kb, &r);
    to_xr(&r, out);
}

void rt_pose_inverse(const XrPosef *p, XrPosef *out)
{
    kn_pose k, r;
    to_kn(p, &k);
    kn_pose_inverse(&k, &r);
    to_xr(&r, out);
}
