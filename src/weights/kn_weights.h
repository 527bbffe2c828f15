/* Model weights: a `.safetensors` file of the streaming KineST
 * (docs/model.md, "Weights by name"), its architecture config, and every
 * tensor checked against the shapes that config implies. Backends build
 * their own layouts from a loaded kn_weights and may free it afterwards. */
#ifndef KN_WEIGHTS_H
#define KN_WEIGHTS_H

#include "core/kn_error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KN_MODEL_ARCHITECTURE  "kinest-stream-v1"
#define KN_MODEL_FEATURES      58
#define KN_MODEL_JOINTS        21
#define KN_MODEL_OUT_PER_JOINT 6
#define KN_MODEL_OUTPUTS       (KN_MODEL_JOINTS * KN_MODEL_OUT_PER_JOINT)
/* The optional contact head: one logit per foot (left, right), after the
 * rotations in a step's output (docs/model.md, "Contact head"). */
#define KN_MODEL_CONTACTS    2
#define KN_MODEL_MAX_OUTPUTS (KN_MODEL_OUTPUTS + KN_MODEL_CONTACTS)
#define KN_MODEL_MAX_BLOCKS  16
/* A weights file larger than this is not a model for this engine. */
#define KN_WEIGHTS_MAX_FILE_BYTES (1ull << 30)

/* StreamConfig (tools/kinestpy/model/stream.py), with the derived sizes. */
typedef struct kn_model_config {
    uint32_t in_features;
    uint32_t d_model;
    uint32_t n_temporal;
    uint32_t n_spatial;
    uint32_t joint_dim;
    uint32_t d_state;
    uint32_t expand;
    uint32_t headdim;
    uint32_t joint_headdim;
    uint32_t d_conv;
    uint32_t mix_taps;
    double mlp_ratio;
    uint32_t mlp_hidden;  /* round-half-even(mlp_ratio * d_model), as Python's round */
    uint32_t chunk;       /* training only */
    uint32_t joint_chunk; /* training only */
    bool kinematic_order; /* scan_order "kinematic" (else "index") */
    bool tie_tokens;
    bool tied;         /* tie_tokens and n_spatial > 0: joint stream and readout exist */
    bool contact_head; /* optional in the JSON (absent: false) */
    uint8_t scan_order[KN_MODEL_JOINTS];
} kn_model_config;

/* Sizes of one Mamba-2 block (docs/model.md, "Mamba-2 block"). */
typedef struct kn_ssd_dims {
    uint32_t d_model;   /* width of its input and output */
    uint32_t d_inner;   /* expand * d_model */
    uint32_t d_state;   /* N */
    uint32_t nheads;    /* H = d_inner / headdim */
    uint32_t headdim;   /* P */
    uint32_t conv_dim;  /* d_inner + 2N */
    uint32_t d_in_proj; /* 2 d_inner + 2N + H: [z | x | B | C | dt] */
    uint32_t d_conv;    /* K */
} kn_ssd_dims;

kn_ssd_dims kn_model_temporal_ssd(const kn_model_config *cfg);
/* Values of one step's output: the 126 rotation values, then the contact
 * logits when the model has a contact head. */
uint32_t kn_model_outputs(const kn_model_config *cfg);
kn_ssd_dims kn_model_spatial_ssd(const kn_model_config *cfg);

/* Parses the metadata: the architecture id, the config JSON, and (when
 * present) the scan order, which must be the one the config implies.
 * Every field is range-checked, unknown fields are refused. */
kn_status kn_model_config_parse(const char *architecture, const char *config_json,
                                const char *scan_order, kn_model_config *cfg, kn_error *err);

/* The recurrent state tensors, docs/model.md "Recurrent state", in the
 * order of stream.py's state_shapes(): name, shape as PyTorch holds it. */
typedef struct kn_state_spec {
    char name[48];
    uint32_t ndim;
    uint32_t shape[3];
    size_t count;
} kn_state_spec;

#define KN_MODEL_MAX_STATES (3 * KN_MODEL_MAX_BLOCKS + 5 * KN_MODEL_MAX_BLOCKS)
size_t kn_model_state_specs(const kn_model_config *cfg, kn_state_spec *specs, size_t max);

/* The weights, PyTorch layout: Linear weights (out, in) row-major,
 * depthwise conv weights (channels, taps), oldest tap first. */
typedef struct kn_norm_weights {
    const float *weight, *bias;
} kn_norm_weights;

typedef struct kn_linear_weights {
    const float *weight, *bias; /* bias NULL when the layer has none */
} kn_linear_weights;

typedef struct kn_ssd_weights {
    kn_ssd_dims dims;
    const float *in_proj; /* (d_in_proj, d_model) */
    const float *conv_weight, *conv_bias;
    const float *dt_bias, *A_log, *D;
    const float *norm_weight;
    const float *out_proj; /* (d_model, d_inner) */
} kn_ssd_weights;

typedef struct kn_mix_weights {
    kn_norm_weights mix_norm;
    const float *mix_weight, *mix_bias; /* (d_model, mix_taps), (d_model) */
    kn_norm_weights mlp_norm;
    kn_linear_weights gate, up, down;
} kn_mix_weights;

typedef struct kn_temporal_weights {
    kn_norm_weights norm;
    kn_ssd_weights ssd;
    kn_mix_weights mix;
} kn_temporal_weights;

typedef struct kn_spatial_weights {
    kn_norm_weights norm;
    kn_linear_weights to_tokens;
    kn_ssd_weights ssd_fwd, ssd_bwd;
    kn_linear_weights from_tokens;
    kn_mix_weights mix;
} kn_spatial_weights;

typedef struct kn_weight_tensor {
    char name[64];
    uint32_t ndim;
    uint32_t shape[2];
    size_t count;
    const float *data;
} kn_weight_tensor;

typedef struct kn_weights {
    kn_model_config config;
    const float *input_mean, *input_std;
    kn_linear_weights in_proj;
    kn_temporal_weights temporal[KN_MODEL_MAX_BLOCKS];
    kn_spatial_weights spatial[KN_MODEL_MAX_BLOCKS];
    kn_norm_weights out_norm;
    kn_linear_weights out_proj;
    kn_norm_weights joint_norm;     /* tied only */
    const float *joint_readout;     /* tied only: (6, joint_dim) */
    kn_linear_weights contact_proj; /* contact_head only: (2, d_model) on LN(out_norm) */
    /* The metadata's "output_smoothing", in [0, 1): the one-pole filter the
     * engine applies to the outputs (docs/engine.md); 0 when absent. */
    float output_smoothing;

    /* Every tensor, in state_dict order (for backends that upload them all). */
    kn_weight_tensor *tensors;
    size_t tensor_count;
    float *arena; /* owns the values, 64-byte aligned */
    size_t arena_floats;
} kn_weights;

/* Loading checks the container, the architecture, that the file holds
 * exactly the expected tensors with the expected shapes, that every value
 * is finite, that input_std is positive and that output_smoothing (if
 * present) is a number in [0, 1). On failure *weights is NULL and
 * err names the tensor and what was wrong. */
kn_status kn_weights_load_file(const char *path, kn_weights **weights, kn_error *err);
kn_status kn_weights_load_memory(const void *data, size_t size, kn_weights **weights,
                                 kn_error *err);
void kn_weights_free(kn_weights *weights);

const kn_weight_tensor *kn_weights_find(const kn_weights *weights, const char *name);

#endif
