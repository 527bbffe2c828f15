/* The floor estimate (floor.h). */
#include "body/floor.h"

#include <math.h>

void kn_floor_init(kn_floor *f, bool estimated, float height_m, bool seated)
{
    *f = (kn_floor){.estimated = estimated};
    if (seated)
        f->eye_height_m = height_m > 0 ? KN_FLOOR_SEAT_M + height_m * KN_FLOOR_SEATED_RATIO
                                       : KN_FLOOR_SEATED_EYE_M;
    else
        f->eye_height_m = height_m > 0 ? height_m * KN_FLOOR_EYE_RATIO : KN_FLOOR_DEFAULT_EYE_M;
}

float kn_floor_update(kn_floor *f, float head_y)
{
    if (!f->estimated || !isfinite(head_y))
        return f->floor_y;
    if (!f->have_head || head_y > f->highest_head) {
        f->have_head = true;
        f->highest_head = head_y;
        f->floor_y = head_y - f->eye_height_m;
    }
    return f->floor_y;
}
