/* Where the floor is when the runtime has no STAGE space.
 *
 * With STAGE the floor is y = 0 and nothing is estimated. Without it the
 * layer falls back to LOCAL, whose origin is near the head's starting
 * position, and estimates the floor's height in LOCAL from a standing-height
 * assumption: people spend most of a session standing upright, so the
 * highest head seen is taken as the standing eye height above the floor:
 *
 *     floor_y = highest head y seen so far - eye height
 *
 * The eye height is KINEST_HEIGHT x 0.936 (eye height as a share of stature
 * in adult anthropometry) when the height is set, else 1.60 m (an adult of
 * about 1.71 m). The estimate only rises, when the head goes higher than
 * before: a session that starts seated reads the floor too low until the
 * user stands up once (and the engine then sees a standing head height).
 * With KINEST_POSTURE=seated the user sits throughout, and the eye height
 * is a seated one: a 0.45 m seat plus 0.44 x KINEST_HEIGHT (sitting eye
 * height as a share of stature), else 1.20 m. Every sample made with it
 * carries KN_FRAME_FLOOR_ESTIMATED and the floor_y used. */
#ifndef KN_LAYER_FLOOR_H
#define KN_LAYER_FLOOR_H

#include <stdbool.h>

#define KN_FLOOR_EYE_RATIO     0.936f
#define KN_FLOOR_DEFAULT_EYE_M 1.60f
#define KN_FLOOR_SEAT_M        0.45f
#define KN_FLOOR_SEATED_RATIO  0.44f
#define KN_FLOOR_SEATED_EYE_M  1.20f

typedef struct kn_floor {
    bool estimated;     /* false: the base space is STAGE and floor_y is 0 */
    float eye_height_m; /* the assumed eye height (standing, or seated) */
    bool have_head;     /* a valid head position was seen */
    float highest_head; /* the highest head y seen, in the base space */
    float floor_y;      /* the floor's height in the base space */
} kn_floor;

/* height_m: the user's height, 0 when unknown; seated: the user sits
 * throughout (KINEST_POSTURE=seated). */
void kn_floor_init(kn_floor *f, bool estimated, float height_m, bool seated);
/* Feeds a valid head height; returns the floor height to subtract. */
float kn_floor_update(kn_floor *f, float head_y);

#endif
