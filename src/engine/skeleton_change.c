/* How a new skeleton reaches the body (docs/engine.md, "Calibration"):
 * at once while no body is shown, else blended over as many ticks as it
 * takes for no joint to move more than KN_ENGINE_SKELETON_STEP_M per tick
 * on its account, its speed eased up and down over
 * KN_ENGINE_SKELETON_RAMP_TICKS, each step after the knees and elbows have
 * followed the last. Which skeleton, and when, is decided elsewhere. */
#include "engine/engine.h"

#include <math.h>
#include <string.h>

/* The neutral grip poses follow the skeleton's size. */
static void scale_signal(kinest_engine *e)
{
    kn_signal_config def;
    kn_signal_default_config(&def);
    float factor = e->w.skeleton.standing_head_height / e->default_skeleton.standing_head_height;
    kn_signal_config_scale(&def, factor);
    memcpy(e->w.signal.cfg.neutral, def.neutral, sizeof def.neutral);
}

/* The skeleton the next ticks are solved with; the IK keeps its feet. The
 * knees and elbows, the IK's and the body stage's, settle into it. */
static void use_skeleton(kinest_engine *e, const kn_skeleton *s)
{
    e->w.skeleton = *s;
    kn_ik_set_skeleton(&e->w.ik, s);
    kn_body_hinges_settle(&e->w.hinges, s);
    scale_signal(e);
}

void kn_engine_apply_skeleton(kinest_engine *e, const kn_skeleton *s)
{
    e->w.change.active = false;
    use_skeleton(e, s);
}

/* The most any joint moves relative to the head (where the body hangs
 * from) when every bone goes from `a` to `b`: the bones' changes summed
 * along the joint's chain and the head's. Linear in the blend, so a step
 * of the blend moves no joint more than step times this. */
static float largest_move(const kn_skeleton *a, const kn_skeleton *b)
{
    float chain[KN_JOINT_COUNT] = {0};
    for (int j = 1; j < KN_JOINT_COUNT; j++) {
        int p = kn_joint_parent(j);
        chain[j] = (p >= 0 ? chain[p] : 0.0f) +
                   glm_vec3_distance((float *)a->offsets[j], (float *)b->offsets[j]);
    }
    float most = 0.0f;
    for (int j = 0; j < KN_JOINT_COUNT; j++)
        most = fmaxf(most, chain[j]);
    float floor_move = fabsf(a->standing_head_height - b->standing_head_height);
    return fmaxf(most + chain[KN_JOINT_HEAD], floor_move);
}

void kn_engine_change_skeleton(kinest_engine *e, const kn_skeleton *s)
{
    float move = largest_move(&e->w.skeleton, s);
    if (!e->w.have_frame || !(move > KN_ENGINE_SKELETON_STEP_M)) {
        kn_engine_apply_skeleton(e, s);
        return;
    }
    e->w.change.active = true;
    e->w.change.from = e->w.skeleton;
    e->w.change.to = *s;
    e->w.change.tick = 0;
    e->w.change.waited = 0;
    e->w.change.cruise = move / KN_ENGINE_SKELETON_STEP_M;
    e->w.change.ticks = (int)ceilf(e->w.change.cruise + KN_ENGINE_SKELETON_RAMP_TICKS);
}

/* The ticks gone at full speed t ticks after a start whose speed rises as
 * smoothstep over the ramp: the integral of smoothstep. */
static float ramped(float t)
{
    const float r = KN_ENGINE_SKELETON_RAMP_TICKS;
    if (t <= 0.0f)
        return 0.0f;
    if (t >= r)
        return t - 0.5f * r;
    float s = t / r;
    return r * s * s * s * (1.0f - 0.5f * s);
}

void kn_engine_skeleton_tick(kinest_engine *e)
{
    if (!e->w.change.active)
        return;
    /* A knee or elbow the body stage held back catches up first: near full
     * stretch a few millimetres of bone take centimetres of bend. */
    if (kn_body_hinges_settling(&e->w.hinges) &&
        e->w.change.waited < KN_ENGINE_SKELETON_WAIT_TICKS) {
        e->w.change.waited++;
        return;
    }
    e->w.change.waited = 0;
    int tick = ++e->w.change.tick;
    const kn_skeleton *a = &e->w.change.from, *b = &e->w.change.to;
    if (tick >= e->w.change.ticks) {
        kn_engine_apply_skeleton(e, b);
        return;
    }
    /* A speed ramped up at the start and down `cruise` ticks later: never
     * above full speed, which moves no joint more than a step. */
    float t = (float)tick, cruise = e->w.change.cruise;
    float u = (ramped(t) - ramped(t - cruise)) / cruise;
    kn_skeleton s;
    for (int j = 0; j < KN_JOINT_COUNT; j++)
        glm_vec3_lerp((float *)a->offsets[j], (float *)b->offsets[j], u, s.offsets[j]);
    s.standing_head_height = glm_lerp(a->standing_head_height, b->standing_head_height, u);
    use_skeleton(e, &s);
}

kn_status kn_engine_skeleton_for_height(const kinest_engine *e, float height_m, kn_skeleton *out,
                                        kn_error *err)
{
    return kn_skeleton_for_body_height(&e->default_skeleton, height_m, out, err);
}
