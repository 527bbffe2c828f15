/* Forward kinematics on the canonical skeleton, and back to local rotations. */
#include "skeleton/kn_skeleton.h"

void kn_skeleton_fk(const kn_skeleton *s, const float *local, const float root_position[3],
                    kn_pose out[KN_JOINT_COUNT])
{
    kn_quat_sanitize(local, out[0].orientation);
    kn_vec3_sanitize(root_position, out[0].position);
    for (int j = 1; j < KN_JOINT_COUNT; j++) {
        const kn_pose *p = &out[kn_joint_parent(j)];
        vec3 bone;
        kn_quat_rotate(p->orientation, s->offsets[j], bone);
        glm_vec3_add((float *)p->position, bone, out[j].position);
        kn_quat_mul(p->orientation, local + 4 * j, out[j].orientation);
    }
}

void kn_skeleton_local_from_global(const kn_pose global[KN_JOINT_COUNT], float *local)
{
    kn_quat_sanitize(global[0].orientation, local);
    for (int j = 1; j < KN_JOINT_COUNT; j++) {
        versor inv;
        kn_quat_sanitize(global[kn_joint_parent(j)].orientation, inv);
        glm_quat_conjugate(inv, inv);
        kn_quat_mul(inv, global[j].orientation, local + 4 * j);
    }
}
