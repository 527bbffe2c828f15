/* Ticks out: the tick clock, interpolation between the samples around a
 * tick, and what a lost device shows. */
#include "signal/signal_parts.h"

#include <string.h>

static float smoothstep(float t)
{
    t = t < 0.0f ? 0.0f : t > 1.0f ? 1.0f : t;
    return t * t * (3.0f - 2.0f * t);
}

static void start_clock(kn_signal *s, kn_signal_sample *at)
{
    s->have_clock = true;
    s->origin_ns = at->time_ns;
    s->next_index = 0;
    s->pending_events |= at->starts_clock;
    at->starts_clock = 0;
}

/* A lost device: held, fading or neutral by how long ago it was valid. */
static void lost_device(const kn_signal *s, int d, int64_t t, const kn_signal_device *head,
                        kn_signal_device *out)
{
    const kn_signal_last_valid *lv = &s->last_valid[d];
    bool head_known = d != KN_DEVICE_HEAD && head->state != KN_TRACK_NONE;
    kn_pose head_yaw, held, neutral;
    if (head_known)
        signal_yaw_frame(&head->pose, &head_yaw);

    out->flags = 0;
    if (!lv->have) {
        out->state = KN_TRACK_NONE;
        out->weight = 0.0f;
        if (head_known)
            kn_pose_compose(&head_yaw, &s->cfg.neutral[d], &out->pose);
        else
            kn_pose_identity(&out->pose);
        return;
    }
    held = lv->pose;
    if (head_known && lv->have_in_head_yaw)
        kn_pose_compose(&head_yaw, &lv->in_head_yaw, &held);
    neutral = held;
    if (head_known)
        kn_pose_compose(&head_yaw, &s->cfg.neutral[d], &neutral);

    int64_t since = t - lv->time_ns;
    if (since <= s->cfg.hold_ns) {
        out->state = KN_TRACK_HELD;
        out->weight = 1.0f;
        out->flags = KN_FLAG_ORIENTATION_VALID | KN_FLAG_POSITION_VALID;
        out->pose = held;
    } else if (since < s->cfg.hold_ns + s->cfg.fade_ns) {
        float u = smoothstep((float)((double)(since - s->cfg.hold_ns) / (double)s->cfg.fade_ns));
        out->state = KN_TRACK_FADING;
        out->weight = 1.0f - u;
        signal_interpolate(&held, &neutral, u, &out->pose);
    } else {
        out->state = KN_TRACK_NEUTRAL;
        out->weight = 0.0f;
        out->pose = neutral;
    }
}

static void make_tick(kn_signal *s, int64_t t, const kn_signal_sample *a, const kn_signal_sample *b,
                      kn_signal_tick *out)
{
    float u = b->time_ns > a->time_ns
                  ? (float)((double)(t - a->time_ns) / (double)(b->time_ns - a->time_ns))
                  : 0.0f;
    /* The head first: the grips' held and neutral poses hang from it. */
    for (int d = 0; d < KN_SIGNAL_DEVICES; d++) {
        kn_signal_device *dev = &out->device[d];
        const kn_device_sample *da = &a->device[d], *db = &b->device[d];
        if (signal_valid(da) && signal_valid(db)) {
            signal_interpolate(&da->pose, &db->pose, u, &dev->pose);
            dev->flags = da->flags & db->flags;
            dev->state = KN_TRACK_LIVE;
            dev->weight = 1.0f;
        } else {
            lost_device(s, d, t, &out->device[KN_DEVICE_HEAD], dev);
        }
    }
}

bool kn_signal_next_tick(kn_signal *s, kn_signal_tick *out)
{
    for (;;) {
        if (s->count == 0)
            return false;
        if (!s->have_clock)
            start_clock(s, signal_sample(s, 0));
        int64_t t = kn_signal_tick_time(s->origin_ns, s->next_index);
        if (t > s->newest_ns)
            return false;

        /* a: the last sample at or before t; b: the first at or after it. */
        int ia = -1, ib = -1;
        for (int i = 0; i < s->count; i++) {
            int64_t ti = signal_sample(s, i)->time_ns;
            if (ti <= t)
                ia = i;
            if (ti >= t && ib < 0)
                ib = i;
        }
        kn_signal_sample *b = signal_sample(s, ib);
        if (b->starts_clock) {
            /* The samples before b belong to the old clock, which ends at
             * the last of them; the new one starts at b. */
            while (s->count > 0 && signal_sample(s, 0) != b)
                signal_drop_oldest(s, false);
            start_clock(s, b);
            continue;
        }
        if (ia < 0) {
            /* The ring overflowed past this tick: skip to the oldest sample. */
            int64_t oldest = signal_sample(s, 0)->time_ns;
            while (kn_signal_tick_time(s->origin_ns, s->next_index) < oldest)
                s->next_index++;
            continue;
        }

        for (int i = 0; i <= ia; i++) {
            kn_signal_sample *smp = signal_sample(s, i);
            if (!smp->consumed)
                signal_consume(s, smp);
        }
        memset(out, 0, sizeof *out);
        out->index = s->next_index;
        out->time_ns = t;
        make_tick(s, t, signal_sample(s, ia), b, out);
        out->events = s->pending_events;
        out->rebase = s->pending_rebase;
        s->pending_events = 0;
        kn_pose_identity(&s->pending_rebase);

        /* Samples before a are no longer needed. */
        for (int i = 0; i < ia; i++)
            signal_drop_oldest(s, false);
        if (s->kept_count == KN_SIGNAL_KEPT_TICKS) {
            memmove(&s->kept[0], &s->kept[1], sizeof s->kept[0] * (KN_SIGNAL_KEPT_TICKS - 1));
            s->kept_count--;
        }
        s->kept[s->kept_count++] = *out;
        s->next_index++;
        s->stats.ticks++;
        return true;
    }
}
