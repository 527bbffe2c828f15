/* The tensors a config implies: name, shape and the kn_weights field that
 * receives each, in StreamKineST.state_dict() order. Internal. */
#ifndef KN_WEIGHTS_LAYOUT_H
#define KN_WEIGHTS_LAYOUT_H

#include "weights/kn_weights.h"

typedef struct kn_tensor_spec {
    char name[64];
    uint32_t ndim;
    uint32_t shape[2];
    size_t count;
    const float **slot; /* where the loaded values' address goes */
} kn_tensor_spec;

/* 4 + per temporal block 21 + per spatial block 33 + 9 at most. */
#define KN_WEIGHTS_MAX_TENSORS (13 + 21 * KN_MODEL_MAX_BLOCKS + 33 * KN_MODEL_MAX_BLOCKS)

/* Fills specs (room for KN_WEIGHTS_MAX_TENSORS) for w->config, with slots
 * pointing into w; returns the count. */
size_t kn_weights_layout(kn_weights *w, kn_tensor_spec *specs);

#endif
