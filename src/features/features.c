/* docs/model.md "Feature layout", in double as features.clip_features. */
#include "features/kn_features.h"

#include <math.h>
#include <string.h>

/* Rule 1: R from the normalised quaternion (x, y, z, w), row-major. A
 * zero or non-finite quaternion acts as the identity (it never reaches
 * here from kn_signal, which refuses it). */
static void quat_to_rows(const float q[4], double r[3][3])
{
    double x = q[0], y = q[1], z = q[2], w = q[3];
    double n = sqrt(x * x + y * y + z * z + w * w);
    if (!(n > 1e-12) || !isfinite(n)) {
        x = y = z = 0.0;
        w = 1.0;
    } else {
        x /= n;
        y /= n;
        z /= n;
        w /= n;
    }
    r[0][0] = 1 - 2 * (y * y + z * z);
    r[0][1] = 2 * (x * y - z * w);
    r[0][2] = 2 * (x * z + y * w);
    r[1][0] = 2 * (x * y + z * w);
    r[1][1] = 1 - 2 * (x * x + z * z);
    r[1][2] = 2 * (y * z - x * w);
    r[2][0] = 2 * (x * z - y * w);
    r[2][1] = 2 * (y * z + x * w);
    r[2][2] = 1 - 2 * (x * x + y * y);
}

/* The first two columns. */
static void rows_to_6d(double r[3][3], double out[6])
{
    for (int i = 0; i < 3; i++) {
        out[i] = r[i][0];
        out[3 + i] = r[i][1];
    }
}

/* Y^T v with Y = [[c, 0, s], [0, 1, 0], [-s, 0, c]]. */
static void yaw_inverse(double c, double s, const double v[3], double out[3])
{
    double x = c * v[0] - s * v[2], z = s * v[0] + c * v[2];
    out[0] = x;
    out[1] = v[1];
    out[2] = z;
}

static double finite_or_zero(float v)
{
    return isfinite(v) ? (double)v : 0.0;
}

void kn_features_reset(kn_features *f)
{
    memset(f, 0, sizeof *f);
    f->cos_yaw = 1.0;
    f->sin_yaw = 0.0;
}

void kn_features_rebase(kn_features *f, const kn_pose *transform)
{
    kn_pose t;
    kn_pose_sanitize(transform, &t);
    double tr[3][3];
    quat_to_rows(t.orientation, tr);
    for (int d = 0; d < KN_FEATURES_DEVICES; d++) {
        double p[3], r[3][3];
        for (int i = 0; i < 3; i++) {
            p[i] = t.position[i];
            for (int k = 0; k < 3; k++) {
                p[i] += tr[i][k] * f->prev_pos[d][k];
                r[i][k] = 0.0;
                for (int m = 0; m < 3; m++)
                    r[i][k] += tr[i][m] * f->prev_rot[d][m][k];
            }
        }
        memcpy(f->prev_pos[d], p, sizeof p);
        memcpy(f->prev_rot[d], r, sizeof r);
    }
    /* The yaw turns with the world's turn about +Y: the forward axis
     * (sin, 0, cos) of the frame's R02, R22 column goes through T. */
    double fx = tr[0][0] * f->sin_yaw + tr[0][2] * f->cos_yaw;
    double fz = tr[2][0] * f->sin_yaw + tr[2][2] * f->cos_yaw;
    double h = hypot(fx, fz);
    if (h >= 1e-9) {
        f->sin_yaw = fx / h;
        f->cos_yaw = fz / h;
    }
}

void kn_features_tick(kn_features *f, const kn_heading *heading,
                      const kn_pose pose[KN_FEATURES_DEVICES],
                      const uint32_t flags[KN_FEATURES_DEVICES], float out[KN_FEATURES_COUNT])
{
    double v[KN_FEATURES_COUNT] = {0};
    bool valid[KN_FEATURES_DEVICES];
    double pos[KN_FEATURES_DEVICES][3], rot[KN_FEATURES_DEVICES][3][3];
    for (int d = 0; d < KN_FEATURES_DEVICES; d++) {
        valid[d] = (flags[d] & KN_FEATURES_VALID_FLAGS) == KN_FEATURES_VALID_FLAGS;
        for (int i = 0; i < 3; i++)
            pos[d][i] = valid[d] ? finite_or_zero(pose[d].position[i]) : 0.0;
        quat_to_rows(valid[d] ? pose[d].orientation : (const float[4]){0, 0, 0, 1}, rot[d]);
    }

    /* Rule 3: the heading took a yaw from this tick's head; the same rule
     * in double (h = hypot(R02, R22)). */
    double prev_cos = f->cos_yaw, prev_sin = f->sin_yaw;
    if (heading->yaw_fresh && valid[0]) {
        double h = hypot(rot[0][0][2], rot[0][2][2]);
        if (h > 0.0) {
            f->cos_yaw = rot[0][2][2] / h;
            f->sin_yaw = rot[0][0][2] / h;
        } else {
            f->cos_yaw = heading->cos_yaw;
            f->sin_yaw = heading->sin_yaw;
        }
    }
    double c = f->cos_yaw, s = f->sin_yaw;
    /* Rule 4: the floor point (the heading's: the latest valid head). */
    double origin[3] = {heading->floor_x, 0.0, heading->floor_z};

    for (int d = 0; d < KN_FEATURES_DEVICES; d++) {
        if (!valid[d])
            continue; /* rule 5: all 19 values 0 */
        double *o = v + d * KN_FEATURES_PER_DEVICE;
        /* Orientation in the aligned frame: Y^T R, column by column. */
        double aligned[3][3];
        for (int k = 0; k < 3; k++) {
            double col[3] = {rot[d][0][k], rot[d][1][k], rot[d][2][k]}, a[3];
            yaw_inverse(c, s, col, a);
            for (int i = 0; i < 3; i++)
                aligned[i][k] = a[i];
        }
        rows_to_6d(aligned, o + KN_FEATURES_ROT6D);
        double rel[3] = {pos[d][0] - origin[0], pos[d][1] - origin[1], pos[d][2] - origin[2]};
        yaw_inverse(c, s, rel, o + KN_FEATURES_POS);
        if (f->started && f->prev_valid[d]) {
            double dp[3];
            for (int i = 0; i < 3; i++)
                dp[i] = (pos[d][i] - f->prev_pos[d][i]) * KN_FEATURES_RATE_HZ;
            yaw_inverse(c, s, dp, o + KN_FEATURES_VEL);
            /* R_prev^T R. */
            double diff[3][3];
            for (int i = 0; i < 3; i++)
                for (int k = 0; k < 3; k++) {
                    diff[i][k] = 0.0;
                    for (int m = 0; m < 3; m++)
                        diff[i][k] += f->prev_rot[d][m][i] * rot[d][m][k];
                }
            rows_to_6d(diff, o + KN_FEATURES_DROT);
        } else {
            static const double identity6d[6] = {1, 0, 0, 0, 1, 0};
            memcpy(o + KN_FEATURES_DROT, identity6d, sizeof identity6d);
        }
        o[KN_FEATURES_VALID] = 1.0;
    }

    /* Rule 6: the yaw rate, wrapped to (-pi, pi]. */
    bool fresh = heading->yaw_fresh && valid[0];
    if (f->started && fresh && f->prev_yaw_fresh)
        v[KN_FEATURES_YAW_RATE] =
            atan2(s * prev_cos - c * prev_sin, c * prev_cos + s * prev_sin) * KN_FEATURES_RATE_HZ;

    for (int d = 0; d < KN_FEATURES_DEVICES; d++) {
        f->prev_valid[d] = valid[d];
        memcpy(f->prev_pos[d], pos[d], sizeof pos[d]);
        memcpy(f->prev_rot[d], rot[d], sizeof rot[d]);
    }
    f->prev_yaw_fresh = fresh;
    f->started = true;
    for (int i = 0; i < KN_FEATURES_COUNT; i++)
        out[i] = (float)v[i];
}
