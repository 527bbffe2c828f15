/* The devices at a requested time, from the kept ticks. */
#include "signal/signal_parts.h"

void kn_pose_at_time(const kn_pose *p0, int64_t t0, const kn_pose *p1, int64_t t1, int64_t t,
                     int64_t max_ahead_ns, kn_pose *out)
{
    if (t1 <= t0 || t >= t1 + max_ahead_ns) {
        if (t1 <= t0) {
            *out = *p1;
            return;
        }
        t = t1 + max_ahead_ns;
    }
    if (t <= t0) {
        *out = *p0;
        return;
    }
    float u = (float)((double)(t - t0) / (double)(t1 - t0));
    signal_interpolate(p0, p1, u, out);
}

bool kn_signal_predict(const kn_signal *s, int64_t time_ns, kn_signal_tick *out)
{
    int n = s->kept_count;
    if (n == 0)
        return false;
    const kn_signal_tick *last = &s->kept[n - 1];
    if (n == 1 || time_ns <= s->kept[0].time_ns) {
        *out = time_ns <= s->kept[0].time_ns ? s->kept[0] : *last;
    } else {
        /* The pair of ticks around the time, or the last two. */
        int i = n - 2;
        while (i > 0 && s->kept[i].time_ns > time_ns)
            i--;
        const kn_signal_tick *a = &s->kept[i], *b = &s->kept[i + 1];
        bool ahead = time_ns > last->time_ns;
        /* Nothing to extrapolate across a clock restart. */
        bool continuous = !(b->events & KN_SIGNAL_EVENT_START);
        *out = ahead ? *b : *a;
        for (int d = 0; d < KN_SIGNAL_DEVICES; d++) {
            const kn_signal_device *da = &a->device[d], *db = &b->device[d];
            bool both_live = da->state == KN_TRACK_LIVE && db->state == KN_TRACK_LIVE;
            if (ahead && !(both_live && continuous))
                continue; /* held: the last tick's pose */
            kn_pose_at_time(&da->pose, a->time_ns, &db->pose, b->time_ns, time_ns,
                            s->cfg.max_extrapolation_ns, &out->device[d].pose);
        }
    }
    out->time_ns = time_ns;
    out->events = 0;
    kn_pose_identity(&out->rebase);
    return true;
}
