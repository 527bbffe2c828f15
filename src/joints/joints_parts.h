/* The joint table the mapping walks, shared by src/joints only. */
#ifndef KN_JOINTS_PARTS_H
#define KN_JOINTS_PARTS_H

#include "joints/kn_xr_joints.h"

#include <stdint.h>

/* Axis classes: the fixed rotation from the canonical segment frame. */
enum {
    AXES_ROOT,
    AXES_TRUNK,
    AXES_LEFT_ARM,
    AXES_RIGHT_ARM,
    AXES_LEG,
    AXES_FOOT,
    AXES_BODY, /* BD, HTC: the body's own axes (X right, Y up, Z back) in the T-pose */
    AXES_COUNT
};

/* Where a joint's pose comes from. */
enum {
    KIND_ROOT,  /* floor projection of `canonical`, facing its heading */
    KIND_AT,    /* `canonical`'s pose */
    KIND_ALONG, /* `fraction` of the way canonical -> child, canonical's orientation */
    KIND_TWIST, /* as ALONG, turned by half the child's twist about the bone */
    KIND_HAND,  /* joint `hand` of the relaxed hand on the wrist of `canonical` */
};

typedef struct xr_joint_def {
    const char *name;
    int8_t parent;
    uint8_t kind;
    int8_t canonical;
    int8_t child;
    float fraction;
    uint8_t axes;
    uint8_t side; /* KIND_HAND */
    uint8_t hand; /* KIND_HAND: index into the hand's KN_HAND_JOINT_COUNT joints */
} xr_joint_def;

extern const xr_joint_def kn_xr_joint_defs[KN_XR_JOINT_COUNT_FULL_BODY];
extern const xr_joint_def kn_bd_joint_defs[KN_BD_JOINT_COUNT];
extern const xr_joint_def kn_htc_joint_defs[KN_HTC_JOINT_COUNT];

/* One joint set: its rows in the extension's order. A set without rows is
 * the canonical skeleton itself. */
typedef struct joint_set_def {
    uint32_t count;
    const xr_joint_def *rows; /* NULL: the canonical joints */
} joint_set_def;

/* The set with this kinest_joint_set id, or NULL. */
const joint_set_def *kn_joint_set_def(int set);

void kn_xr_axes_class(int axes, versor out);

#endif
