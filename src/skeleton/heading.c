/* Rules 3 and 4 of docs/model.md's feature layout. */
#include "skeleton/kn_heading.h"

#include <math.h>

void kn_heading_init(kn_heading *h)
{
    *h = (kn_heading){.cos_yaw = 1.0f, .sin_yaw = 0.0f, .floor_x = 0.0f, .floor_z = 0.0f};
}

void kn_heading_update(kn_heading *h, const kn_pose *head_device, bool head_valid)
{
    h->yaw_fresh = false;
    if (!head_valid)
        return;
    kn_pose p;
    kn_pose_sanitize(head_device, &p);
    h->floor_x = p.position[0];
    h->floor_z = p.position[2];
    mat3 r;
    kn_quat_to_mat3(p.orientation, r);
    /* cglm is column-major: R02 = r[2][0], R22 = r[2][2]. */
    float r02 = r[2][0], r22 = r[2][2];
    float len = hypotf(r02, r22);
    if (!(len >= KN_HEADING_MIN_HORIZONTAL))
        return;
    h->cos_yaw = r22 / len;
    h->sin_yaw = r02 / len;
    h->yaw_fresh = true;
}

void kn_heading_mat3(const kn_heading *h, mat3 out)
{
    glm_mat3_identity(out);
    out[0][0] = h->cos_yaw;
    out[0][2] = -h->sin_yaw;
    out[2][0] = h->sin_yaw;
    out[2][2] = h->cos_yaw;
}

void kn_heading_quat(const kn_heading *h, versor out)
{
    /* Half-angle from (cos, sin) without trigonometry; the sign of sin psi
     * picks the half-angle's sign. */
    float c = fmaxf(-1.0f, fminf(1.0f, h->cos_yaw));
    float half_cos = sqrtf(0.5f * (1.0f + c));
    float half_sin = copysignf(sqrtf(0.5f * (1.0f - c)), h->sin_yaw);
    versor q = {0.0f, half_sin, 0.0f, half_cos};
    kn_quat_sanitize(q, out);
}
