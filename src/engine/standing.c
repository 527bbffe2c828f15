/* Has the head been seen standing? (standing.h) */
#include "engine/standing.h"

#include "engine/height.h"

void kn_standing_init(kn_standing *s, kinest_posture posture)
{
    s->posture = posture;
    kn_standing_reset(s);
}

void kn_standing_reset(kn_standing *s)
{
    s->seen = s->posture == KINEST_POSTURE_STANDING;
    s->have_level = false;
    s->level_m = 0.0f;
    s->low_m = 0.0f;
}

bool kn_standing_tick(kn_standing *s, const kn_pose *head_device)
{
    if (s->seen || s->posture == KINEST_POSTURE_SEATED)
        return s->seen;
    float eye;
    if (!kn_height_upright_eye(head_device, &eye))
        return false;
    if (!s->have_level) {
        s->have_level = true;
        s->level_m = eye;
        s->low_m = eye;
    } else {
        s->level_m += (eye - s->level_m) / KN_STANDING_LEVEL_TICKS;
        if (s->level_m < s->low_m)
            s->low_m = s->level_m;
    }
    s->seen = s->level_m >= KN_STANDING_SURE_EYE_M || s->level_m >= s->low_m + KN_STANDING_RISE_M;
    return s->seen;
}
