/* Hips, spine, chest, neck and head, hung from the head joint. */
#include "ik/ik_parts.h"

#include <math.h>

/* How the torso lean is shared along the spine (global pitch of each joint
 * as a fraction of the chest's): a bend spread over the lumbar and
 * thoracic spine rather than a hinge at the hips. */
#define HIPS_SHARE  0.4f
#define SPINE_SHARE 0.7f

void ik_place(const kn_skeleton *s, kn_pose g[KN_JOINT_COUNT], int joint)
{
    const kn_pose *p = &g[kn_joint_parent(joint)];
    vec3 bone;
    kn_quat_rotate(p->orientation, s->offsets[joint], bone);
    glm_vec3_add((float *)p->position, bone, g[joint].position);
}

void ik_yaw_pitch(const versor yaw, float angle, versor out)
{
    versor pitch;
    glm_quat(pitch, angle, 1.0f, 0.0f, 0.0f);
    kn_quat_mul(yaw, pitch, out);
}

/* Moves g[joint] so that its child sits where it already is. */
static void hang(const kn_skeleton *s, kn_pose g[KN_JOINT_COUNT], int joint, int child)
{
    vec3 bone;
    kn_quat_rotate(g[joint].orientation, s->offsets[child], bone);
    glm_vec3_sub(g[child].position, bone, g[joint].position);
}

void ik_spine(const kn_ik *ik, const kn_pose *head_joint, const versor yaw,
              kn_pose g[KN_JOINT_COUNT])
{
    const kn_ik_config *c = &ik->cfg;
    const kn_skeleton *s = &ik->skeleton;

    vec3 forward;
    kn_quat_rotate(head_joint->orientation, (vec3){0.0f, 0.0f, -1.0f}, forward);
    float pitch_down = asinf(fminf(1.0f, fmaxf(-1.0f, -forward[1])));
    float crouch = (s->standing_head_height - head_joint->position[1]) / s->standing_head_height;
    float lean =
        c->lean_per_pitch * fmaxf(0.0f, pitch_down) + c->lean_per_crouch * fmaxf(0.0f, crouch);
    lean = fminf(lean, c->max_lean);

    /* Leaning forward turns +Y toward -Z: a negative angle about +X. */
    ik_yaw_pitch(yaw, -HIPS_SHARE * lean, g[KN_JOINT_HIPS].orientation);
    ik_yaw_pitch(yaw, -SPINE_SHARE * lean, g[KN_JOINT_SPINE].orientation);
    ik_yaw_pitch(yaw, -lean, g[KN_JOINT_CHEST].orientation);
    kn_quat_slerp(g[KN_JOINT_CHEST].orientation, head_joint->orientation, 0.5f,
                  g[KN_JOINT_NECK].orientation);
    g[KN_JOINT_HEAD] = *head_joint;

    hang(s, g, KN_JOINT_NECK, KN_JOINT_HEAD);
    hang(s, g, KN_JOINT_CHEST, KN_JOINT_NECK);
    hang(s, g, KN_JOINT_SPINE, KN_JOINT_CHEST);
    hang(s, g, KN_JOINT_HIPS, KN_JOINT_SPINE);
}
