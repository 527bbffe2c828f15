/* The CPU backend's model: weights re-laid for the kernels (matrices
 * transposed to [in][out], conv taps tap-major, A = -exp(A_log)
 * precomputed), the recurrent state, and scratch, all in three arenas
 * allocated once at create. Internal to src/model/. */
#ifndef KN_CPU_MODEL_H
#define KN_CPU_MODEL_H

#include "backend/kn_backend.h"

typedef struct cpu_norm {
    float *weight, *bias;
    size_t n;
} cpu_norm;

typedef struct cpu_linear {
    float *wt;   /* [in][out] */
    float *bias; /* NULL without bias */
    size_t in, out;
} cpu_linear;

typedef struct cpu_ssd {
    kn_ssd_dims d;
    float *in_proj_t;  /* [d_model][d_in_proj] */
    float *conv_wt;    /* [K][conv_dim] */
    float *conv_bias;  /* [conv_dim] */
    float *dt_bias;    /* [H] */
    float *A;          /* [H], -exp(A_log) */
    float *D;          /* [H] */
    float *norm_w;     /* [d_inner] */
    float *out_proj_t; /* [d_inner][d_model] */
    /* state */
    float *conv; /* [K][conv_dim], newest last */
    float *ssm;  /* [H][N][P]: P innermost so the update runs along it */
} cpu_ssd;

typedef struct cpu_mix {
    cpu_norm mix_norm;
    float *mix_wt;   /* [taps][d_model] */
    float *mix_bias; /* [d_model] */
    size_t taps;
    cpu_norm mlp_norm;
    cpu_linear gate, up, down;
    float *conv; /* state: [taps][d_model] */
} cpu_mix;

typedef struct cpu_temporal {
    cpu_norm norm;
    cpu_ssd ssd;
    cpu_mix mix;
} cpu_temporal;

typedef struct cpu_spatial {
    cpu_norm norm;
    cpu_linear to_tokens;
    cpu_ssd ssd[2]; /* forward and reverse scan order */
    cpu_linear from_tokens;
    cpu_mix mix;
} cpu_spatial;

typedef struct cpu_scratch {
    float *x, *ln, *delta;   /* [d_model] */
    float *hidden, *hidden2; /* [mlp_hidden] */
    float *zx;               /* [21][max d_in_proj] (temporal: row 0) */
    float *y;                /* [21][max d_inner] */
    float *xbc;              /* [max conv_dim] */
    float *tok, *s, *jt;     /* [21][joint_dim] */
    float *tmp;              /* [max(d_model, joint_dim, 6)] */
} cpu_scratch;

typedef struct cpu_model {
    kn_model_config cfg;
    cpu_linear in_proj;
    cpu_temporal temporal[KN_MODEL_MAX_BLOCKS];
    cpu_spatial spatial[KN_MODEL_MAX_BLOCKS];
    cpu_norm out_norm;
    cpu_linear out_proj;
    cpu_norm joint_norm;
    cpu_linear joint_readout;
    cpu_linear contact_proj;           /* contact_head only */
    uint8_t order[2][KN_MODEL_JOINTS]; /* scan order, reversed scan order */
    cpu_scratch scratch;
    float *weights, *state, *work; /* the three arenas */
    size_t state_floats;
} cpu_model;

/* One Mamba-2 token through the conv and the SSM recurrence: zx is the
 * token's in_proj output [z | xBC | dt]; y[d_inner] receives
 * C.h + D x (before gating). Uses xbc scratch [conv_dim]. */
void kn_cpu_ssd_scan(cpu_ssd *s, const float *zx, float *y, float *xbc);
/* y *= SiLU(z); RMS-normalise with norm_w; out[d_model] = W_out y. */
void kn_cpu_ssd_gate_out(const cpu_ssd *s, const float *z, float *y, float *out);

/* The whole tick: x_in[58] already normalised, out[kn_model_outputs]. */
void kn_cpu_model_step(cpu_model *m, const float *input, float *out);

#endif
