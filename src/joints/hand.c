/* A relaxed hand: every finger slightly curled, the thumb resting beside
 * the index finger. Built for the left hand in its wrist joint's frame (+X
 * toward the thumb, +Y out of the back of the hand, -Z toward the fingers)
 * from bone lengths and flexion angles, then mirrored for the right hand. */
#include "joints/kn_xr_joints.h"

#include <math.h>

#define DEG 0.017453293f

typedef struct finger_def {
    vec3 base;         /* metacarpal joint (carpometacarpal), metres at the reference height */
    vec3 knuckle;      /* proximal joint (metacarpophalangeal) */
    vec3 nail;         /* which way +Y (the back of the bone) points, roughly */
    int phalanges;     /* bones after the metacarpal: 2 for the thumb, 3 for fingers */
    float length[3];   /* each phalanx, the last one to the tip */
    float flex_deg[3]; /* flexion toward the palm at the joint starting each phalanx */
} finger_def;

/* Adult hand (about 19 cm from the wrist pivot to the middle fingertip
 * for a 1.75 m person; proportions after the usual anthropometric tables). */
static const finger_def fingers[5] = {
    /* thumb: off the radial side of the wrist, toward the palm; its nail
     * faces outward and up */
    {{0.022f, -0.012f, -0.018f},
     {0.046f, -0.025f, -0.052f},
     {0.7f, 0.7f, 0.0f},
     2,
     {0.032f, 0.028f},
     {10.0f, 15.0f}},
    {{0.014f, 0.002f, -0.028f},
     {0.025f, 0.000f, -0.094f},
     {0.0f, 1.0f, 0.0f},
     3,
     {0.041f, 0.024f, 0.022f},
     {10.0f, 18.0f, 10.0f}},
    {{0.003f, 0.003f, -0.028f},
     {0.005f, 0.002f, -0.092f},
     {0.0f, 1.0f, 0.0f},
     3,
     {0.046f, 0.028f, 0.024f},
     {14.0f, 22.0f, 12.0f}},
    {{-0.008f, 0.001f, -0.027f},
     {-0.014f, -0.001f, -0.086f},
     {0.0f, 1.0f, 0.0f},
     3,
     {0.043f, 0.027f, 0.024f},
     {18.0f, 26.0f, 14.0f}},
    {{-0.018f, -0.002f, -0.026f},
     {-0.031f, -0.006f, -0.078f},
     {0.0f, 1.0f, 0.0f},
     3,
     {0.033f, 0.019f, 0.021f},
     {22.0f, 30.0f, 16.0f}},
};

static const int first_joint[5] = {KN_HAND_THUMB, KN_HAND_INDEX, KN_HAND_MIDDLE, KN_HAND_RING,
                                   KN_HAND_LITTLE};

/* The frame of a bone from `from` to `to`: +Z back along it, +Y toward nail. */
static void bone_frame(const vec3 from, const vec3 to, const vec3 nail, versor out)
{
    vec3 z, y, x;
    mat3 m;
    glm_vec3_sub((float *)from, (float *)to, z);
    glm_vec3_normalize(z);
    glm_vec3_copy((float *)nail, y);
    glm_vec3_muladds(z, -glm_vec3_dot(y, z), y);
    glm_vec3_normalize(y);
    glm_vec3_cross(y, z, x);
    glm_vec3_copy(x, m[0]);
    glm_vec3_copy(y, m[1]);
    glm_vec3_copy(z, m[2]);
    kn_mat3_to_quat(m, out);
}

void kn_hand_relaxed(kn_side side, float body_height, kn_pose out[KN_HAND_JOINT_COUNT])
{
    float s = body_height / KN_HAND_REFERENCE_BODY_HEIGHT;
    kn_pose_identity(&out[KN_HAND_WRIST]);
    for (int f = 0; f < 5; f++) {
        const finger_def *d = &fingers[f];
        kn_pose *j = &out[first_joint[f]];
        vec3 base, knuckle;
        glm_vec3_scale((float *)d->base, s, base);
        glm_vec3_scale((float *)d->knuckle, s, knuckle);
        bone_frame(base, knuckle, d->nail, j[0].orientation);
        glm_vec3_copy(base, j[0].position);
        if (f == 2) { /* the palm: centre of the middle finger's metacarpal */
            glm_quat_copy(j[0].orientation, out[KN_HAND_PALM].orientation);
            glm_vec3_center(base, knuckle, out[KN_HAND_PALM].position);
        }
        versor bone;
        vec3 along, at;
        glm_quat_copy(j[0].orientation, bone);
        glm_vec3_copy(knuckle, at);
        for (int p = 0; p < d->phalanges; p++) {
            /* Flexion turns -Z toward -Y: a negative turn about the bone's +X. */
            versor flex;
            glm_quat(flex, -d->flex_deg[p] * DEG, 1.0f, 0.0f, 0.0f);
            kn_quat_mul(bone, flex, bone);
            glm_quat_copy(bone, j[1 + p].orientation);
            glm_vec3_copy(at, j[1 + p].position);
            kn_quat_rotate(bone, (vec3){0.0f, 0.0f, -d->length[p] * s}, along);
            glm_vec3_add(at, along, at);
        }
        /* The tip keeps the last phalanx's frame. */
        glm_quat_copy(bone, j[1 + d->phalanges].orientation);
        glm_vec3_copy(at, j[1 + d->phalanges].position);
    }
    if (side == KN_SIDE_RIGHT) {
        /* Mirror across the wrist's YZ plane: x -> -x; a rotation R becomes
         * M R M (M = diag(-1, 1, 1)), i.e. (x, y, z, w) -> (x, -y, -z, w). */
        for (int k = 0; k < KN_HAND_JOINT_COUNT; k++) {
            out[k].position[0] = -out[k].position[0];
            out[k].orientation[1] = -out[k].orientation[1];
            out[k].orientation[2] = -out[k].orientation[2];
        }
    }
}
