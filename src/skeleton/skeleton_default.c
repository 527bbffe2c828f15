/* The default adult skeleton: generated once, do not edit by hand.
 *
 * The mean of skeleton.offsets_m and skeleton.standing_head_height_m over the
 * 2,651 train clips of a full data build (Bandai dataset-1, dataset-2 and
 * HDM05 bd, bk, dg; one vote per clip), made left/right symmetric (each side
 * the mean of itself and the mirrored other side, x = 0 on the spine) and
 * rounded to 0.1 mm. The same mean of a later build's train clips prints with
 * `tools/kinest data rigs --data build/data --c-table bandai,hdm05` (2,676
 * clips of today's importer: within 1.6 mm of this table, head height
 * 1.4322 m); the table was kept, so that figures measured with it stand.
 */
#include "skeleton/kn_skeleton.h"

#include <string.h>

static const kn_skeleton default_skeleton = {
    .offsets =
        {
            {0.0000f, 0.0000f, 0.0000f},    /* hips */
            {0.0000f, 0.1485f, 0.0000f},    /* spine */
            {0.0000f, 0.1005f, 0.0048f},    /* chest */
            {0.0000f, 0.1623f, 0.0004f},    /* neck */
            {0.0000f, 0.0721f, 0.0007f},    /* head */
            {-0.0467f, 0.1305f, 0.0026f},   /* left collar */
            {-0.0647f, 0.0017f, 0.0006f},   /* left upper arm */
            {-0.2455f, 0.0000f, 0.0000f},   /* left forearm */
            {-0.2267f, 0.0000f, 0.0000f},   /* left hand */
            {0.0467f, 0.1305f, 0.0026f},    /* right collar */
            {0.0647f, 0.0017f, 0.0006f},    /* right upper arm */
            {0.2455f, 0.0000f, 0.0000f},    /* right forearm */
            {0.2267f, 0.0000f, 0.0000f},    /* right hand */
            {-0.0653f, -0.0272f, -0.0028f}, /* left thigh */
            {0.0000f, -0.3922f, -0.0002f},  /* left shin */
            {0.0000f, -0.4118f, 0.0000f},   /* left foot */
            {-0.0012f, -0.0737f, -0.0933f}, /* left toes */
            {0.0653f, -0.0272f, -0.0028f},  /* right thigh */
            {0.0000f, -0.3922f, -0.0002f},  /* right shin */
            {0.0000f, -0.4118f, 0.0000f},   /* right foot */
            {0.0012f, -0.0737f, -0.0933f},  /* right toes */
        },
    .standing_head_height = 1.4301f,
};

void kn_skeleton_default(kn_skeleton *out)
{
    memcpy(out, &default_skeleton, sizeof *out);
}

float kn_skeleton_default_head_height(void)
{
    return default_skeleton.standing_head_height;
}
