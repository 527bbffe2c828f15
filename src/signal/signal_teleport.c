/* Teleports and recentring: the head jumps further than a person can move
 * between two samples (a jump in position; a head can turn as fast as it
 * likes). The history is moved by the same jump so that the
 * new sample continues it. */
#include "signal/signal_parts.h"

#include <math.h>

static void rebase_pose(const kn_pose *t, kn_pose *p)
{
    kn_pose moved;
    kn_pose_compose(t, p, &moved);
    *p = moved;
}

static void rebase_all(kn_signal *s, const kn_pose *t)
{
    for (int i = 0; i < s->count; i++) {
        kn_signal_sample *smp = signal_sample(s, i);
        for (int d = 0; d < KN_SIGNAL_DEVICES; d++)
            if (signal_valid(&smp->device[d]))
                rebase_pose(t, &smp->device[d].pose);
    }
    for (int d = 0; d < KN_SIGNAL_DEVICES; d++)
        if (s->last_valid[d].have)
            rebase_pose(t, &s->last_valid[d].pose); /* relative holds need nothing */
    for (int k = 0; k < s->head_samples; k++)
        rebase_pose(t, &s->head_pose[k]);
    for (int k = 0; k < s->kept_count; k++)
        for (int d = 0; d < KN_SIGNAL_DEVICES; d++)
            rebase_pose(t, &s->kept[k].device[d].pose);
    kn_pose total;
    kn_pose_compose(t, &s->pending_rebase, &total);
    s->pending_rebase = total;
}

bool signal_check_teleport(kn_signal *s, const kn_signal_sample *smp)
{
    const kn_device_sample *head = &smp->device[KN_DEVICE_HEAD];
    if (!signal_valid(head) || s->head_samples == 0)
        return false;
    int64_t dt_ns = smp->time_ns - s->head_time[0];
    if (dt_ns <= 0 || dt_ns > s->cfg.max_gap_ns)
        return false;
    float dt = (float)((double)dt_ns * 1e-9);

    /* Where the head should be: its last sample moved on by its velocity
     * (limited to what a person can do, so one bad interval cannot excuse
     * the next). */
    kn_pose expected = s->head_pose[0];
    if (s->head_samples == 2) {
        int64_t prev_ns = s->head_time[0] - s->head_time[1];
        if (prev_ns > 0 && prev_ns <= s->cfg.max_gap_ns) {
            vec3 v;
            glm_vec3_sub(s->head_pose[0].position, s->head_pose[1].position, v);
            glm_vec3_scale(v, 1.0f / (float)((double)prev_ns * 1e-9), v);
            float speed = glm_vec3_norm(v);
            if (speed > s->cfg.teleport_speed)
                glm_vec3_scale(v, s->cfg.teleport_speed / speed, v);
            glm_vec3_muladds(v, dt, expected.position);
        }
    }
    float jump = glm_vec3_distance((float *)head->pose.position, expected.position);
    if (jump <= s->cfg.teleport_distance + s->cfg.teleport_speed * dt)
        return false;

    /* The jump as yaw + translation (the floor stays level; a recentring
     * turns the space too): the expected head turned by the yaw change and
     * moved onto the new one. */
    kn_pose t;
    glm_quat(t.orientation, signal_yaw(head->pose.orientation) - signal_yaw(expected.orientation),
             0.0f, 1.0f, 0.0f);
    vec3 turned;
    kn_quat_rotate(t.orientation, expected.position, turned);
    glm_vec3_sub((float *)head->pose.position, turned, t.position);
    rebase_all(s, &t);
    s->pending_events |= KN_SIGNAL_EVENT_TELEPORT;
    s->stats.teleports++;
    return true;
}
