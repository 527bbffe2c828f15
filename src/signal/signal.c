/* Configuration, samples in: validation, time order, gaps, the ring. */
#include "signal/signal_parts.h"

#include <math.h>
#include <string.h>

#define NS_PER_MS 1000000LL

void kn_signal_default_config(kn_signal_config *cfg)
{
    *cfg = (kn_signal_config){
        .max_gap_ns = 500 * NS_PER_MS,
        .clock_reset_ns = 1000 * NS_PER_MS,
        .hold_ns = 500 * NS_PER_MS,
        .fade_ns = 1000 * NS_PER_MS,
        .max_extrapolation_ns = 50 * NS_PER_MS,
        .teleport_distance = 0.2f,
        .teleport_speed = 6.0f,
    };
    kn_pose_identity(&cfg->neutral[KN_DEVICE_HEAD]);
    /* Arms hanging, palms at the thighs, for the default skeleton (eye
     * height 1.51 m): grips 72 cm below the eyes, 18 cm to each side, 8 cm
     * behind them; grip axes as the body's (docs/data.md). */
    cfg->neutral[KN_DEVICE_LEFT_GRIP] = (kn_pose){{0, 0, 0, 1}, {-0.18f, -0.72f, 0.08f}};
    cfg->neutral[KN_DEVICE_RIGHT_GRIP] = (kn_pose){{0, 0, 0, 1}, {0.18f, -0.72f, 0.08f}};
}

void kn_signal_config_scale(kn_signal_config *cfg, float factor)
{
    for (int d = 0; d < KN_SIGNAL_DEVICES; d++)
        glm_vec3_scale(cfg->neutral[d].position, factor, cfg->neutral[d].position);
}

kn_status kn_signal_init(kn_signal *s, const kn_signal_config *cfg, kn_error *err)
{
    kn_signal_config c;
    if (cfg)
        c = *cfg;
    else
        kn_signal_default_config(&c);
    if (c.max_gap_ns <= 0 || c.clock_reset_ns <= 0 || c.hold_ns < 0 || c.fade_ns <= 0 ||
        c.max_extrapolation_ns < 0)
        return kn_fail(err, KN_ERROR_INVALID_ARGUMENT,
                       "signal config: gap, reset and fade times must be positive");
    memset(s, 0, sizeof *s);
    s->cfg = c;
    kn_signal_reset(s);
    return KN_OK;
}

void kn_signal_reset(kn_signal *s)
{
    kn_signal_config cfg = s->cfg;
    kn_signal_stats stats = s->stats;
    memset(s, 0, sizeof *s);
    s->cfg = cfg;
    s->stats = stats;
    kn_pose_identity(&s->pending_rebase);
}

int64_t kn_signal_tick_time(int64_t origin_ns, int64_t index)
{
    /* Exact: the k-th tick is floor(k * 10^9 / 60) after the origin, so
     * rounding never accumulates. */
    return origin_ns + index * 1000000000LL / KN_SIGNAL_RATE_HZ;
}

bool signal_valid(const kn_device_sample *d)
{
    uint32_t both = KN_FLAG_ORIENTATION_VALID | KN_FLAG_POSITION_VALID;
    return (d->flags & both) == both;
}

kn_signal_sample *signal_sample(kn_signal *s, int i)
{
    return &s->ring[(s->first + i) % KN_SIGNAL_RING_SAMPLES];
}

float signal_yaw(const versor q)
{
    mat3 r;
    kn_quat_to_mat3(q, r);
    float r02 = r[2][0], r22 = r[2][2];
    return hypotf(r02, r22) < 1e-6f ? 0.0f : atan2f(r02, r22);
}

void signal_yaw_frame(const kn_pose *head, kn_pose *out)
{
    glm_quat(out->orientation, signal_yaw(head->orientation), 0.0f, 1.0f, 0.0f);
    glm_vec3_copy((float *)head->position, out->position);
}

void signal_interpolate(const kn_pose *a, const kn_pose *b, float u, kn_pose *out)
{
    kn_pose r;
    glm_vec3_lerp((float *)a->position, (float *)b->position, u, r.position);
    kn_quat_slerp(a->orientation, b->orientation, u, r.orientation);
    *out = r;
}

/* A valid device's pose must be finite with a usable quaternion; anything
 * else is not passed on. */
static void take_device(kn_signal *s, const kn_device_sample *in, kn_device_sample *out)
{
    *out = *in;
    out->flags &= KN_FLAGS_ALL;
    if (!signal_valid(out))
        return;
    bool finite = true;
    for (int i = 0; i < 4; i++)
        finite = finite && isfinite(in->pose.orientation[i]);
    for (int i = 0; i < 3; i++)
        finite = finite && isfinite(in->pose.position[i]);
    if (!finite ||
        kn_quat_sanitize(in->pose.orientation, out->pose.orientation) == KN_QUAT_REPLACED) {
        s->stats.non_finite++;
        out->flags = 0;
        kn_pose_identity(&out->pose);
        return;
    }
    kn_vec3_sanitize(in->pose.position, out->pose.position);
}

void signal_drop_oldest(kn_signal *s, bool overflow)
{
    kn_signal_sample *old = signal_sample(s, 0);
    if (!old->consumed) {
        signal_consume(s, old);
        s->stats.overflow += overflow;
    }
    /* A clock start must not be lost with its sample. */
    if (old->starts_clock && s->count > 1)
        signal_sample(s, 1)->starts_clock |= old->starts_clock;
    s->first = (s->first + 1) % KN_SIGNAL_RING_SAMPLES;
    s->count--;
}

void signal_consume(kn_signal *s, kn_signal_sample *smp)
{
    const kn_device_sample *head = &smp->device[KN_DEVICE_HEAD];
    kn_pose head_yaw, inv;
    bool head_ok = signal_valid(head);
    if (head_ok) {
        signal_yaw_frame(&head->pose, &head_yaw);
        kn_pose_inverse(&head_yaw, &inv);
    }
    for (int d = 0; d < KN_SIGNAL_DEVICES; d++) {
        if (!signal_valid(&smp->device[d]))
            continue;
        kn_signal_last_valid *lv = &s->last_valid[d];
        lv->have = true;
        lv->time_ns = smp->time_ns;
        lv->pose = smp->device[d].pose;
        lv->have_in_head_yaw = head_ok;
        if (head_ok)
            kn_pose_compose(&inv, &lv->pose, &lv->in_head_yaw);
    }
    smp->consumed = true;
}

static void remember_head(kn_signal *s, const kn_signal_sample *smp)
{
    if (!signal_valid(&smp->device[KN_DEVICE_HEAD]))
        return;
    s->head_time[1] = s->head_time[0];
    s->head_pose[1] = s->head_pose[0];
    s->head_time[0] = smp->time_ns;
    s->head_pose[0] = smp->device[KN_DEVICE_HEAD].pose;
    if (s->head_samples < 2)
        s->head_samples++;
}

kn_signal_push_result kn_signal_push(kn_signal *s, int64_t time_ns,
                                     const kn_device_sample device[KN_SIGNAL_DEVICES])
{
    kn_signal_sample smp = {.time_ns = time_ns};
    uint32_t restart = 0;

    if (s->have_sample && time_ns <= s->newest_ns) {
        /* Far back: the clock itself was reset; start again from here. */
        if (s->newest_ns - time_ns <= s->cfg.clock_reset_ns) {
            s->stats.backward++;
            return KN_SIGNAL_IGNORED_BACKWARD;
        }
        kn_signal_reset(s);
        s->stats.clock_resets++;
        restart = KN_SIGNAL_EVENT_START | KN_SIGNAL_EVENT_CLOCK_RESET;
    } else if (s->have_sample && time_ns - s->newest_ns > s->cfg.max_gap_ns) {
        s->stats.gap_restarts++;
        restart = KN_SIGNAL_EVENT_START | KN_SIGNAL_EVENT_GAP;
    } else if (!s->have_sample) {
        restart = KN_SIGNAL_EVENT_START;
    }

    for (int d = 0; d < KN_SIGNAL_DEVICES; d++)
        take_device(s, &device[d], &smp.device[d]);
    smp.starts_clock = restart;

    bool teleported = !restart && signal_check_teleport(s, &smp);

    if (s->count == KN_SIGNAL_RING_SAMPLES)
        signal_drop_oldest(s, true);
    *signal_sample(s, s->count) = smp;
    s->count++;
    remember_head(s, &smp);
    s->have_sample = true;
    s->newest_ns = time_ns;
    s->stats.accepted++;
    if (restart)
        return KN_SIGNAL_RESTARTED;
    return teleported ? KN_SIGNAL_TELEPORTED : KN_SIGNAL_ACCEPTED;
}
