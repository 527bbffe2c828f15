/* Thighs, shins, feet and toes: planted feet that step to stay under the
 * hips, knees by two-bone IK. */
#include "ik/ik_parts.h"
#include "ik/kn_two_bone.h"

#include <math.h>

#define PI_F 3.14159265f

/* Beyond this (metres, scaled) a plant is not stepped to but moved at once:
 * the first tick, or the body moved too far for any step. */
#define SNAP_DISTANCE 1.0f
/* Horizontal hip velocity smoothing per tick (exponential, 0..1). */
#define VELOCITY_SMOOTHING 0.3f
/* A leg stretched beyond its length by this much (metres, scaled) cannot
 * keep its foot on the plant: the foot must step. */
#define OVERSTRETCH 0.005f

static float wrap_angle(float a)
{
    return atan2f(sinf(a), cosf(a));
}

static void yaw_quat(float yaw, versor out)
{
    glm_quat(out, yaw, 0.0f, 1.0f, 0.0f);
}

static float horizontal_distance(const vec3 a, const vec3 b)
{
    return hypotf(a[0] - b[0], a[2] - b[2]);
}

static float smoothstep(float t)
{
    t = fminf(1.0f, fmaxf(0.0f, t));
    return t * t * (3.0f - 2.0f * t);
}

/* Where a foot would stand now: under its hip joint, ahead by the lead. */
static void ideal_plant(const kn_ik *ik, const vec3 hip, float lead, vec3 out)
{
    out[0] = hip[0] + ik->hips_velocity[0] * lead;
    out[1] = ik->ankle_height;
    out[2] = hip[2] + ik->hips_velocity[2] * lead;
}

static void update_velocity(kn_ik *ik, float dt, const vec3 hips)
{
    if (ik->started && dt > 0.0f) {
        for (int i = 0; i < 3; i += 2) {
            float v = (hips[i] - ik->last_hips[i]) / dt;
            ik->hips_velocity[i] += VELOCITY_SMOOTHING * (v - ik->hips_velocity[i]);
        }
    }
    if (!ik->started)
        glm_vec3_zero(ik->hips_velocity);
    ik->hips_velocity[1] = 0.0f;
    glm_vec3_copy((float *)hips, ik->last_hips);
}

static float leg_length(const kn_ik *ik, int side)
{
    int thigh = side == KN_SIDE_LEFT ? KN_JOINT_LEFT_THIGH : KN_JOINT_RIGHT_THIGH;
    return kn_skeleton_bone_length(&ik->skeleton, thigh + 1) +
           kn_skeleton_bone_length(&ik->skeleton, thigh + 2);
}

static void plan_steps(kn_ik *ik, float dt, float body_yaw, const vec3 hip[2])
{
    const kn_ik_config *c = &ik->cfg;
    vec3 ideal[2];
    float worst = 0.0f;
    int worst_side = -1;
    bool any_stepping = false;
    for (int side = 0; side < 2; side++) {
        kn_ik_foot *f = &ik->feet[side];
        ideal_plant(ik, hip[side], c->step_lead, ideal[side]);
        if (!ik->started ||
            horizontal_distance(f->plant, ideal[side]) > SNAP_DISTANCE * ik->scale) {
            glm_vec3_copy(ideal[side], f->plant);
            f->yaw = body_yaw;
            f->stepping = false;
        }
        any_stepping |= f->stepping;
        float need =
            fmaxf(horizontal_distance(f->plant, ideal[side]) / (c->step_distance * ik->scale),
                  fabsf(wrap_angle(f->yaw - body_yaw)) / c->step_turn);
        /* The straight leg no longer reaches the plant but does reach the
         * spot under the hip: step there rather than leave the floor. (With
         * the hips too high for any plant, as in a jump, stepping is no help.) */
        float leg = leg_length(ik, side);
        float stretch = glm_vec3_distance((float *)hip[side], f->plant) - leg;
        float ideal_stretch = glm_vec3_distance((float *)hip[side], ideal[side]) - leg;
        if (stretch > OVERSTRETCH * ik->scale && ideal_stretch < 0.5f * OVERSTRETCH * ik->scale)
            need = fmaxf(need, 1.0f + stretch);
        if (!f->stepping && need > worst) {
            worst = need;
            worst_side = side;
        }
    }
    /* One foot at a time, as in walking. */
    if (!any_stepping && worst > 1.0f) {
        kn_ik_foot *f = &ik->feet[worst_side];
        f->stepping = true;
        f->phase = 0.0f;
        glm_vec3_copy(f->plant, f->from);
        f->yaw_from = f->yaw;
    }
    for (int side = 0; side < 2; side++) {
        kn_ik_foot *f = &ik->feet[side];
        if (!f->stepping)
            continue;
        f->phase += c->step_time > 0.0f ? dt / c->step_time : 1.0f;
        /* The landing spot follows the hips while the foot is in the air,
         * leading by the rest of the step. */
        float remaining = fmaxf(0.0f, 1.0f - f->phase) * c->step_time;
        ideal_plant(ik, hip[side], c->step_lead + 0.5f * remaining, f->to);
        f->yaw_to = body_yaw;
        float u = smoothstep(f->phase);
        glm_vec3_lerp(f->from, f->to, u, f->plant);
        f->yaw = f->yaw_from + u * wrap_angle(f->yaw_to - f->yaw_from);
        if (f->phase >= 1.0f) {
            f->stepping = false;
            f->plant[1] = ik->ankle_height;
        } else {
            f->plant[1] = ik->ankle_height + c->step_height * ik->scale * sinf(PI_F * f->phase);
        }
    }
}

void ik_legs(kn_ik *ik, float dt, float body_yaw, kn_pose g[KN_JOINT_COUNT])
{
    const kn_skeleton *s = &ik->skeleton;
    static const int thighs[2] = {KN_JOINT_LEFT_THIGH, KN_JOINT_RIGHT_THIGH};
    vec3 hip[2];
    for (int side = 0; side < 2; side++) {
        ik_place(s, g, thighs[side]);
        glm_vec3_copy(g[thighs[side]].position, hip[side]);
    }
    update_velocity(ik, dt, g[KN_JOINT_HIPS].position);
    plan_steps(ik, dt, body_yaw, (const vec3 *)hip);

    for (int side = 0; side < 2; side++) {
        int thigh = thighs[side], shin = thigh + 1, foot = thigh + 2, toes = thigh + 3;
        const kn_ik_foot *f = &ik->feet[side];
        versor flat;
        yaw_quat(f->yaw, flat);
        /* Knees forward and a little out. */
        vec3 pole_local = {side == KN_SIDE_LEFT ? -0.15f : 0.15f, 0.0f, -1.0f}, pole;
        kn_quat_rotate(flat, pole_local, pole);
        kn_two_bone_rest rest = {.bend = {0.0f, 0.0f, -1.0f}}; /* knees bend forward */
        glm_vec3_copy((float *)s->offsets[shin], rest.upper);
        glm_vec3_copy((float *)s->offsets[foot], rest.lower);
        kn_two_bone_result r;
        kn_two_bone_solve_limited(&rest, g[thigh].position, f->plant, pole, &ik->knee[side],
                                  KN_TWO_BONE_SETTLE_STEP_M * ik->scale, &r);
        glm_quat_copy(r.upper, g[thigh].orientation);
        glm_quat_copy(r.lower, g[shin].orientation);
        glm_vec3_copy(r.middle, g[shin].position);
        glm_vec3_copy(r.end, g[foot].position);
        glm_quat_copy(flat, g[foot].orientation);
        ik_place(s, g, toes);
        glm_quat_copy(flat, g[toes].orientation);
    }
}
