/* The joint sets by kinest_joint_set id: adding a set is a row here, its
 * table of joints, and its id in kinest.h. Nothing else selects by set. */
#include "joints/joints_parts.h"
#include "kinest.h"

static const joint_set_def sets[] = {
    [KINEST_JOINT_SET_CANONICAL] = {KINEST_CANONICAL_JOINT_COUNT, NULL},
    [KINEST_JOINT_SET_FB] = {KINEST_FB_JOINT_COUNT, kn_xr_joint_defs},
    [KINEST_JOINT_SET_META_FULL_BODY] = {KINEST_META_JOINT_COUNT, kn_xr_joint_defs},
    [KINEST_JOINT_SET_BD] = {KINEST_BD_JOINT_COUNT, kn_bd_joint_defs},
    [KINEST_JOINT_SET_BD_WITHOUT_ARM] = {KINEST_BD_WITHOUT_ARM_JOINT_COUNT, kn_bd_joint_defs},
    [KINEST_JOINT_SET_HTC] = {KINEST_HTC_JOINT_COUNT, kn_htc_joint_defs},
};

_Static_assert(KINEST_BD_JOINT_COUNT == KN_BD_JOINT_COUNT &&
                   KINEST_BD_WITHOUT_ARM_JOINT_COUNT == KN_BD_WITHOUT_ARM_JOINT_COUNT &&
                   KINEST_HTC_JOINT_COUNT == KN_HTC_JOINT_COUNT,
               "the public counts are the tables'");

_Static_assert(KINEST_META_JOINT_COUNT <= KN_JOINT_SET_MAX_COUNT, "a set larger than the maximum");

const joint_set_def *kn_joint_set_def(int set)
{
    if (set < 0 || set >= (int)(sizeof sets / sizeof sets[0]) || sets[set].count == 0)
        return NULL;
    return &sets[set];
}

uint32_t kn_joints_count(int set)
{
    const joint_set_def *d = kn_joint_set_def(set);
    return d ? d->count : 0;
}

static const xr_joint_def *row(int set, int joint)
{
    const joint_set_def *d = kn_joint_set_def(set);
    return d && d->rows && joint >= 0 && (uint32_t)joint < d->count ? &d->rows[joint] : NULL;
}

static bool canonical(int set, int joint)
{
    const joint_set_def *d = kn_joint_set_def(set);
    return d && !d->rows && joint >= 0 && (uint32_t)joint < d->count;
}

const char *kn_joints_name(int set, int joint)
{
    const xr_joint_def *r = row(set, joint);
    return r ? r->name : canonical(set, joint) ? kn_joint_name(joint) : "?";
}

int kn_joints_parent(int set, int joint)
{
    const xr_joint_def *r = row(set, joint);
    return r ? r->parent : canonical(set, joint) ? kn_joint_parent(joint) : KN_XR_JOINT_NONE;
}

/* The head, each hand's wrist and palm (never a finger): the joints a
 * device places directly. */
int kn_joints_followed(int set, int joint)
{
    const xr_joint_def *r = row(set, joint);
    if (!r)
        return canonical(set, joint) ? joint : -1;
    if (r->kind == KIND_AT && r->canonical == KN_JOINT_HEAD)
        return KN_JOINT_HEAD;
    if (r->kind == KIND_HAND && (r->hand == KN_HAND_PALM || r->hand == KN_HAND_WRIST))
        return r->canonical;
    return -1;
}

int kn_joints_at_canonical(int set, int c)
{
    if (canonical(set, c))
        return c;
    const joint_set_def *d = kn_joint_set_def(set);
    for (uint32_t j = 0; d && d->rows && j < d->count; j++) {
        const xr_joint_def *r = &d->rows[j];
        if (r->canonical == c &&
            (r->kind == KIND_AT || (r->kind == KIND_HAND && r->hand == KN_HAND_WRIST)))
            return (int)j;
    }
    return -1;
}

void kn_joints_axes(int set, int joint, versor out)
{
    const xr_joint_def *r = row(set, joint);
    kn_xr_axes_class(r ? r->axes : AXES_ROOT, out);
}
