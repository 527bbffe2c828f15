/* The Vulkan backend: the model step of docs/model.md as six compute
 * kernels (shaders/, one pipeline each). At create the weights are laid out
 * for the kernels and uploaded once, and the whole tick is recorded once
 * into a command buffer: every dispatch with its push constants and a
 * barrier after each one whose results the next reads. A step writes the
 * 58 inputs into a host-visible buffer, resubmits that command buffer,
 * waits on the fence and reads the 126 outputs back: no allocation, no
 * recording, no descriptor update per tick. docs/vulkan.md has the map. */
#include "backend/vulkan/kn_vulkan.h"
#include "backend/vulkan/vk_context.h"
#include "backend/vulkan/vk_shaders.h"
#include "kn_vk_kernels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define C_FIELD(name) uint32_t name;
typedef struct pc_linear {
    KN_VK_PC_LINEAR(C_FIELD)
} pc_linear;
typedef struct pc_mlp_up {
    KN_VK_PC_MLP_UP(C_FIELD)
} pc_mlp_up;
typedef struct pc_mix_conv {
    KN_VK_PC_MIX_CONV(C_FIELD)
} pc_mix_conv;
typedef struct pc_ssd_scan {
    KN_VK_PC_SSD_SCAN(C_FIELD)
} pc_ssd_scan;
typedef struct pc_ssd_out {
    KN_VK_PC_SSD_OUT(C_FIELD)
} pc_ssd_out;
typedef struct pc_readout {
    KN_VK_PC_READOUT(C_FIELD)
} pc_readout;
#undef C_FIELD
/* The pipeline layout's one push-constant range covers the largest, within
 * the 128 bytes every Vulkan device offers. */
#define PC_MAX_BYTES sizeof(pc_ssd_scan)
_Static_assert(PC_MAX_BYTES <= 128 && sizeof(pc_linear) <= PC_MAX_BYTES &&
                   sizeof(pc_mlp_up) <= PC_MAX_BYTES && sizeof(pc_mix_conv) <= PC_MAX_BYTES &&
                   sizeof(pc_ssd_out) <= PC_MAX_BYTES && sizeof(pc_readout) <= PC_MAX_BYTES,
               "push constants");

#define KERNEL_ENUM(name) K_##name,
enum { KN_VK_KERNELS(KERNEL_ENUM) K_COUNT };
#undef KERNEL_ENUM

/* The host-visible io buffer: the input at float 0, the output at float 64. */
#define IO_INPUT  0
#define IO_OUTPUT 64
#define IO_FLOATS (IO_OUTPUT + KN_MODEL_MAX_OUTPUTS)

/* Where everything lies, in floats: weights (wt), state (st) and
 * activations (act) as the kernels address them. Matrices are transposed
 * to [in][out] and conv weights tap-major [K][C], as the CPU backend's. */
typedef struct vk_ssd {
    kn_ssd_dims d;
    uint32_t in_proj, conv_w, conv_b, dt_bias, a, d_skip, norm_w, out_proj; /* wt */
    uint32_t conv, ssm;                                                     /* st */
} vk_ssd;

typedef struct vk_mix {
    uint32_t mix_ln_w, mix_ln_b, mix_w, mix_b, mlp_ln_w, mlp_ln_b;
    uint32_t gate_w, gate_b, up_w, up_b, down_w, down_b;
    uint32_t conv; /* st */
} vk_mix;

typedef struct vk_temporal {
    uint32_t ln_w, ln_b;
    vk_ssd ssd;
    vk_mix mix;
} vk_temporal;

typedef struct vk_spatial {
    uint32_t ln_w, ln_b, tok_w, tok_b, back_w, back_b;
    vk_ssd ssd[2]; /* forward and reverse scan order */
    vk_mix mix;
} vk_spatial;

/* One recurrent state tensor: [inner][rows][cols] here, PyTorch's
 * (inner, cols, rows) through read_state (conv: [K][C] -> (C, K); ssm:
 * [H][N][P] -> (H, P, N)). */
typedef struct vk_state_loc {
    uint32_t offset, inner, rows, cols;
} vk_state_loc;

typedef struct vk_model {
    kn_model_config cfg;
    uint32_t in_w, in_b, out_ln_w, out_ln_b, out_w, out_b;
    uint32_t joint_ln_w, joint_ln_b, readout_w, order[2];
    uint32_t contact_w, contact_b; /* contact_head only */
    vk_temporal temporal[KN_MODEL_MAX_BLOCKS];
    vk_spatial spatial[KN_MODEL_MAX_BLOCKS];
    /* activations: the input, x, in_proj outputs and SSD outputs per scan
     * direction, the MLP's hidden units, the joint tokens (which carry the
     * joint stream from block to block), s, the output */
    uint32_t in, x, zx[2], y[2], hidden, tok, s, out;
    vk_state_loc states[KN_MODEL_MAX_STATES];
    size_t n_states;
} vk_model;

typedef struct vk_ctx {
    kn_vk vk;
    vk_model m;
    kn_vk_buffer weights, state, act, io, readback;
    VkDescriptorSetLayout set_layout;
    VkPipelineLayout layout;
    VkDescriptorPool descriptor_pool;
    VkDescriptorSet set;
    VkPipeline pipelines[K_COUNT];
    VkCommandBuffer tick, reset, read, upload;
} vk_ctx;

/* ---- layout: one function run twice, counting then filling ---------------- */

typedef struct arena {
    float *base; /* NULL while counting, or for st and act (offsets only) */
    size_t used;
} arena;

typedef struct builder {
    arena wt, st, act;
} builder;

/* 16 floats = 64 bytes: every array starts on its own cache line. */
static uint32_t take(arena *a, size_t n)
{
    size_t at = a->used;
    a->used += (n + 15) & ~(size_t)15;
    return (uint32_t)at;
}

static uint32_t put(builder *b, const float *src, size_t n)
{
    uint32_t at = take(&b->wt, n);
    if (b->wt.base)
        memcpy(b->wt.base + at, src, n * sizeof *src);
    return at;
}

/* src (rows, cols) row-major -> (cols, rows). */
static uint32_t put_t(builder *b, const float *src, size_t rows, size_t cols)
{
    uint32_t at = take(&b->wt, rows * cols);
    float *p = b->wt.base ? b->wt.base + at : NULL;
    for (size_t r = 0; p && r < rows; r++)
        for (size_t c = 0; c < cols; c++)
            p[c * rows + r] = src[r * cols + c];
    return at;
}

static void add_state(vk_model *m, uint32_t offset, uint32_t inner, uint32_t rows, uint32_t cols)
{
    if (m->n_states < KN_MODEL_MAX_STATES)
        m->states[m->n_states] = (vk_state_loc){offset, inner, rows, cols};
    m->n_states++;
}

static void build_ssd(builder *b, vk_model *m, vk_ssd *s, const kn_ssd_weights *w)
{
    const kn_ssd_dims d = w->dims;
    s->d = d;
    s->in_proj = put_t(b, w->in_proj, d.d_in_proj, d.d_model);
    s->conv_w = put_t(b, w->conv_weight, d.conv_dim, d.d_conv);
    s->conv_b = put(b, w->conv_bias, d.conv_dim);
    s->dt_bias = put(b, w->dt_bias, d.nheads);
    s->a = take(&b->wt, d.nheads);
    for (size_t h = 0; b->wt.base && h < d.nheads; h++)
        b->wt.base[s->a + h] = -expf(w->A_log[h]); /* as the CPU backend: the same floats */
    s->d_skip = put(b, w->D, d.nheads);
    s->norm_w = put(b, w->norm_weight, d.d_inner);
    s->out_proj = put_t(b, w->out_proj, d.d_model, d.d_inner);
    s->conv = take(&b->st, (size_t)d.d_conv * d.conv_dim);
    s->ssm = take(&b->st, (size_t)d.nheads * d.d_state * d.headdim);
    add_state(m, s->conv, 1, d.d_conv, d.conv_dim);
    add_state(m, s->ssm, d.nheads, d.d_state, d.headdim);
}

static void build_mix(builder *b, vk_model *m, vk_mix *x, const kn_mix_weights *w)
{
    const kn_model_config *c = &m->cfg;
    x->mix_ln_w = put(b, w->mix_norm.weight, c->d_model);
    x->mix_ln_b = put(b, w->mix_norm.bias, c->d_model);
    x->mix_w = put_t(b, w->mix_weight, c->d_model, c->mix_taps);
    x->mix_b = put(b, w->mix_bias, c->d_model);
    x->mlp_ln_w = put(b, w->mlp_norm.weight, c->d_model);
    x->mlp_ln_b = put(b, w->mlp_norm.bias, c->d_model);
    x->gate_w = put_t(b, w->gate.weight, c->mlp_hidden, c->d_model);
    x->gate_b = put(b, w->gate.bias, c->mlp_hidden);
    x->up_w = put_t(b, w->up.weight, c->mlp_hidden, c->d_model);
    x->up_b = put(b, w->up.bias, c->mlp_hidden);
    x->down_w = put_t(b, w->down.weight, c->d_model, c->mlp_hidden);
    x->down_b = put(b, w->down.bias, c->d_model);
    x->conv = take(&b->st, (size_t)c->mix_taps * c->d_model);
    add_state(m, x->conv, 1, c->mix_taps, c->d_model);
}

static size_t max2(size_t a, size_t b)
{
    return a > b ? a : b;
}

/* In kn_model_state_specs order: per temporal block ssd.conv, ssd.ssm,
 * mix.conv; per spatial block ssd_fwd.conv, ssd_fwd.ssm, ssd_bwd.conv,
 * ssd_bwd.ssm, mix.conv. */
static void build(builder *b, vk_model *m, const kn_weights *w)
{
    const kn_model_config *c = &w->config;
    const size_t d = c->d_model, tokens = (size_t)KN_MODEL_JOINTS * c->joint_dim;
    m->cfg = *c;
    m->n_states = 0;
    m->in_w = put_t(b, w->in_proj.weight, d, c->in_features);
    m->in_b = put(b, w->in_proj.bias, d);
    for (uint32_t i = 0; i < c->n_temporal; i++) {
        vk_temporal *t = &m->temporal[i];
        t->ln_w = put(b, w->temporal[i].norm.weight, d);
        t->ln_b = put(b, w->temporal[i].norm.bias, d);
        build_ssd(b, m, &t->ssd, &w->temporal[i].ssd);
        build_mix(b, m, &t->mix, &w->temporal[i].mix);
    }
    for (uint32_t i = 0; i < c->n_spatial; i++) {
        vk_spatial *s = &m->spatial[i];
        const kn_spatial_weights *sw = &w->spatial[i];
        s->ln_w = put(b, sw->norm.weight, d);
        s->ln_b = put(b, sw->norm.bias, d);
        s->tok_w = put_t(b, sw->to_tokens.weight, tokens, d);
        s->tok_b = put(b, sw->to_tokens.bias, tokens);
        build_ssd(b, m, &s->ssd[0], &sw->ssd_fwd);
        build_ssd(b, m, &s->ssd[1], &sw->ssd_bwd);
        s->back_w = put_t(b, sw->from_tokens.weight, d, tokens);
        s->back_b = put(b, sw->from_tokens.bias, d);
        build_mix(b, m, &s->mix, &sw->mix);
    }
    m->out_ln_w = put(b, w->out_norm.weight, d);
    m->out_ln_b = put(b, w->out_norm.bias, d);
    m->out_w = put_t(b, w->out_proj.weight, KN_MODEL_OUTPUTS, d);
    m->out_b = put(b, w->out_proj.bias, KN_MODEL_OUTPUTS);
    if (c->tied) {
        m->joint_ln_w = put(b, w->joint_norm.weight, c->joint_dim);
        m->joint_ln_b = put(b, w->joint_norm.bias, c->joint_dim);
        m->readout_w = put(b, w->joint_readout, (size_t)KN_MODEL_OUT_PER_JOINT * c->joint_dim);
    }
    if (c->contact_head) {
        m->contact_w = put_t(b, w->contact_proj.weight, KN_MODEL_CONTACTS, d);
        m->contact_b = put(b, w->contact_proj.bias, KN_MODEL_CONTACTS);
    }
    /* The scan orders as floats (small integers, exact): a gather table. */
    for (int o = 0; o < 2; o++) {
        m->order[o] = take(&b->wt, KN_MODEL_JOINTS);
        for (int k = 0; b->wt.base && k < KN_MODEL_JOINTS; k++)
            b->wt.base[m->order[o] + k] =
                (float)c->scan_order[o == 0 ? k : KN_MODEL_JOINTS - 1 - k];
    }

    kn_ssd_dims t = kn_model_temporal_ssd(c), s = kn_model_spatial_ssd(c);
    m->in = take(&b->act, KN_MODEL_FEATURES);
    m->x = take(&b->act, d);
    m->zx[0] = take(&b->act, max2(t.d_in_proj, KN_MODEL_JOINTS * s.d_in_proj));
    m->zx[1] = take(&b->act, KN_MODEL_JOINTS * s.d_in_proj);
    m->y[0] = take(&b->act, max2(t.d_inner, KN_MODEL_JOINTS * s.d_inner));
    m->y[1] = take(&b->act, KN_MODEL_JOINTS * s.d_inner);
    m->hidden = take(&b->act, c->mlp_hidden);
    m->tok = take(&b->act, tokens);
    m->s = take(&b->act, tokens);
    m->out = take(&b->act, KN_MODEL_MAX_OUTPUTS);
}

/* The kernels keep vectors in shared memory of a fixed size; a config
 * that does not fit is refused before any Vulkan object is made. */
static kn_status check_limits(const kn_model_config *c, kn_error *err)
{
    kn_ssd_dims t = kn_model_temporal_ssd(c), s = kn_model_spatial_ssd(c);
    const struct {
        const char *what;
        uint32_t value, limit;
        bool used;
    } checks[] = {
        {"in_features", c->in_features, KN_VK_MAX_IN, true},
        {"d_model", c->d_model, KN_VK_MAX_IN, true},
        {"the MLP width", c->mlp_hidden, KN_VK_MAX_IN, true},
        {"21 x joint_dim", KN_MODEL_JOINTS * c->joint_dim, KN_VK_MAX_IN, c->n_spatial > 0},
        {"the temporal conv width", t.conv_dim, KN_VK_MAX_CONV_DIM, c->n_temporal > 0},
        {"the temporal heads", t.nheads, KN_VK_MAX_HEADS, c->n_temporal > 0},
        {"the temporal d_inner", t.d_inner, KN_VK_MAX_INNER, c->n_temporal > 0},
        {"the joint conv width", s.conv_dim, KN_VK_MAX_CONV_DIM, c->n_spatial > 0},
        {"the joint heads", s.nheads, KN_VK_MAX_HEADS, c->n_spatial > 0},
        {"the joint d_inner", s.d_inner, KN_VK_MAX_INNER, c->n_spatial > 0},
    };
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++)
        if (checks[i].used && checks[i].value > checks[i].limit)
            return kn_fail(err, KN_ERROR_UNSUPPORTED,
                           "vulkan: the model's %s (%u) exceeds the kernels' %u", checks[i].what,
                           checks[i].value, checks[i].limit);
    return KN_OK;
}

/* ---- recording --------------------------------------------------------------- */

typedef struct recorder {
    const vk_ctx *c;
    VkCommandBuffer cmd;
    int bound;
} recorder;

static void dispatch(recorder *r, int kernel, const void *pc, uint32_t size, uint32_t groups_x,
                     uint32_t groups_y)
{
    const kn_vk_fns *fn = &r->c->vk.fn;
    if (r->bound != kernel) {
        fn->vkCmdBindPipeline(r->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, r->c->pipelines[kernel]);
        r->bound = kernel;
    }
    fn->vkCmdPushConstants(r->cmd, r->c->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, size, pc);
    fn->vkCmdDispatch(r->cmd, groups_x, groups_y, 1);
}

/* Every later dispatch sees what the earlier ones wrote (and does not
 * overwrite what they still read). */
static void compute_barrier(recorder *r)
{
    kn_vk_barrier(&r->c->vk, r->cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                  VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_SHADER_READ_BIT,
                  VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                  VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
}

static uint32_t row_groups(uint32_t rows)
{
    return (rows + KN_VK_WG_ROWS - 1) / KN_VK_WG_ROWS;
}

static void linear(recorder *r, pc_linear pc, uint32_t tokens)
{
    dispatch(r, K_linear, &pc, sizeof pc, row_groups(pc.n_out), tokens);
}

/* x += SiLU(conv(LN(x))); x += W_down(SiLU(W_gate LN(x) + b) * (W_up LN(x) + b)) + b. */
static void record_mix(recorder *r, const vk_model *m, const vk_mix *x)
{
    const uint32_t d = m->cfg.d_model, h = m->cfg.mlp_hidden;
    const pc_mix_conv conv = {
        .ln_w = x->mix_ln_w,
        .ln_b = x->mix_ln_b,
        .w = x->mix_w,
        .b = x->mix_b,
        .state = x->conv,
        .x = m->x,
        .d = d,
        .taps = m->cfg.mix_taps,
    };
    dispatch(r, K_mix_conv, &conv, sizeof conv, 1, 1);
    compute_barrier(r);
    const pc_mlp_up up = {
        .w_gate = x->gate_w,
        .b_gate = x->gate_b,
        .w_up = x->up_w,
        .b_up = x->up_b,
        .ln_w = x->mlp_ln_w,
        .ln_b = x->mlp_ln_b,
        .x = m->x,
        .y = m->hidden,
        .n_in = d,
        .n_out = h,
    };
    dispatch(r, K_mlp_up, &up, sizeof up, row_groups(h), 1);
    compute_barrier(r);
    linear(r,
           (pc_linear){.w = x->down_w,
                       .b = x->down_b,
                       .x = m->hidden,
                       .y = m->x,
                       .n_in = h,
                       .n_out = d,
                       .flags = KN_VK_BIAS | KN_VK_ACCUMULATE},
           1);
    compute_barrier(r);
}

static void record_scan(recorder *r, const vk_ssd *s, uint32_t order, uint32_t tokens, uint32_t zx,
                        uint32_t y)
{
    const pc_ssd_scan pc = {
        .order = order,
        .conv_w = s->conv_w,
        .conv_b = s->conv_b,
        .dt_bias = s->dt_bias,
        .a = s->a,
        .d_skip = s->d_skip,
        .conv = s->conv,
        .ssm = s->ssm,
        .zx = zx,
        .y = y,
        .n_tok = tokens,
        .d_inner = s->d.d_inner,
        .n_state = s->d.d_state,
        .n_heads = s->d.nheads,
        .head_dim = s->d.headdim,
        .conv_dim = s->d.conv_dim,
        .taps = s->d.d_conv,
        .d_in_proj = s->d.d_in_proj,
    };
    dispatch(r, K_ssd_scan, &pc, sizeof pc, 1, 1);
}

/* x += SSD(LN(x)), then the local mixing and the gated MLP. */
static void record_temporal(recorder *r, const vk_model *m, const vk_temporal *t)
{
    const vk_ssd *s = &t->ssd;
    linear(r,
           (pc_linear){.w = s->in_proj,
                       .ln_w = t->ln_w,
                       .ln_b = t->ln_b,
                       .x = m->x,
                       .y = m->zx[0],
                       .n_in = s->d.d_model,
                       .n_out = s->d.d_in_proj,
                       .flags = KN_VK_NORM},
           1);
    compute_barrier(r);
    record_scan(r, s, KN_VK_NO_ORDER, 1, m->zx[0], m->y[0]);
    compute_barrier(r);
    const pc_ssd_out out = {
        .norm0 = s->norm_w,
        .out0 = s->out_proj,
        .zx0 = m->zx[0],
        .y0 = m->y[0],
        .dst = m->x,
        .n_dir = 1,
        .d_inner = s->d.d_inner,
        .d_in_proj = s->d.d_in_proj,
        .n_out = s->d.d_model,
        .flags = KN_VK_ACCUMULATE,
    };
    dispatch(r, K_ssd_out, &out, sizeof out, 1, 1);
    compute_barrier(r);
    record_mix(r, m, &t->mix);
}

/* tok = W_tok LN(x) + b (+ the stream); both joint scans; s = their sum and
 * the stream becomes tok + s; x += W_back s + b; mixing and MLP. The two
 * directions touch disjoint memory: their in_proj and scan dispatches run
 * without a barrier between them. */
static void record_spatial(recorder *r, const vk_model *m, const vk_spatial *sp, bool with_stream)
{
    const uint32_t J = m->cfg.joint_dim, tokens = KN_MODEL_JOINTS * J;
    linear(r,
           (pc_linear){.w = sp->tok_w,
                       .b = sp->tok_b,
                       .ln_w = sp->ln_w,
                       .ln_b = sp->ln_b,
                       .x = m->x,
                       .y = m->tok,
                       .n_in = m->cfg.d_model,
                       .n_out = tokens,
                       .flags = KN_VK_BIAS | KN_VK_NORM | (with_stream ? KN_VK_ACCUMULATE : 0)},
           1);
    compute_barrier(r);
    const kn_ssd_dims *d = &sp->ssd[0].d;
    for (int o = 0; o < 2; o++)
        linear(r,
               (pc_linear){.w = sp->ssd[o].in_proj,
                           .x = m->tok,
                           .y = m->zx[o],
                           .n_in = J,
                           .n_out = d->d_in_proj,
                           .x_stride = J,
                           .y_stride = d->d_in_proj},
               KN_MODEL_JOINTS);
    compute_barrier(r);
    for (int o = 0; o < 2; o++)
        record_scan(r, &sp->ssd[o], m->order[o], KN_MODEL_JOINTS, m->zx[o], m->y[o]);
    compute_barrier(r);
    const pc_ssd_out out = {
        .norm0 = sp->ssd[0].norm_w,
        .out0 = sp->ssd[0].out_proj,
        .norm1 = sp->ssd[1].norm_w,
        .out1 = sp->ssd[1].out_proj,
        .zx0 = m->zx[0],
        .y0 = m->y[0],
        .zx1 = m->zx[1],
        .y1 = m->y[1],
        .dst = m->s,
        .stream = m->tok,
        .n_dir = 2,
        .d_inner = d->d_inner,
        .d_in_proj = d->d_in_proj,
        .n_out = J,
        .flags = m->cfg.tied ? KN_VK_STREAM : 0,
    };
    dispatch(r, K_ssd_out, &out, sizeof out, KN_MODEL_JOINTS, 1);
    compute_barrier(r);
    linear(r,
           (pc_linear){.w = sp->back_w,
                       .b = sp->back_b,
                       .x = m->s,
                       .y = m->x,
                       .n_in = tokens,
                       .n_out = m->cfg.d_model,
                       .flags = KN_VK_BIAS | KN_VK_ACCUMULATE},
           1);
    compute_barrier(r);
    record_mix(r, m, &sp->mix);
}

static VkResult begin(const vk_ctx *c, VkCommandBuffer cmd)
{
    const VkCommandBufferBeginInfo info = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    VkResult r = c->vk.fn.vkBeginCommandBuffer(cmd, &info);
    if (r != VK_SUCCESS)
        return r;
    /* Order after whatever an earlier submission (a tick, a reset, the
     * upload) wrote: the fence wait orders the host, not device memory. */
    kn_vk_barrier(&c->vk, cmd,
                  VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                  VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
                  VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                  VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT |
                      VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT);
    return VK_SUCCESS;
}

static void copy(const vk_ctx *c, VkCommandBuffer cmd, const kn_vk_buffer *src, size_t src_float,
                 const kn_vk_buffer *dst, size_t dst_float, size_t floats)
{
    const VkBufferCopy region = {
        .srcOffset = src_float * sizeof(float),
        .dstOffset = dst_float * sizeof(float),
        .size = floats * sizeof(float),
    };
    c->vk.fn.vkCmdCopyBuffer(cmd, src->buffer, dst->buffer, 1, &region);
}

static void to_host(const vk_ctx *c, VkCommandBuffer cmd)
{
    kn_vk_barrier(&c->vk, cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                  VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
}

static VkResult record_tick(vk_ctx *c)
{
    const vk_model *m = &c->m;
    const kn_vk_fns *fn = &c->vk.fn;
    VkCommandBuffer cmd = c->tick;
    VkResult res = begin(c, cmd);
    if (res != VK_SUCCESS)
        return res;
    copy(c, cmd, &c->io, IO_INPUT, &c->act, m->in, KN_MODEL_FEATURES);
    /* Write access too: the kernels write other parts of the same buffer. */
    kn_vk_barrier(&c->vk, cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                  VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                  VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
    fn->vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, c->layout, 0, 1, &c->set, 0,
                                NULL);
    recorder r = {c, cmd, -1};
    linear(&r,
           (pc_linear){.w = m->in_w,
                       .b = m->in_b,
                       .x = m->in,
                       .y = m->x,
                       .n_in = m->cfg.in_features,
                       .n_out = m->cfg.d_model,
                       .flags = KN_VK_BIAS},
           1);
    compute_barrier(&r);
    for (uint32_t i = 0; i < m->cfg.n_temporal; i++)
        record_temporal(&r, m, &m->temporal[i]);
    for (uint32_t i = 0; i < m->cfg.n_spatial; i++)
        record_spatial(&r, m, &m->spatial[i], m->cfg.tied && i > 0);
    linear(&r,
           (pc_linear){.w = m->out_w,
                       .b = m->out_b,
                       .ln_w = m->out_ln_w,
                       .ln_b = m->out_ln_b,
                       .x = m->x,
                       .y = m->out,
                       .n_in = m->cfg.d_model,
                       .n_out = KN_MODEL_OUTPUTS,
                       .flags = KN_VK_BIAS | KN_VK_NORM},
           1);
    /* The contact logits after the rotations; the readout below adds to the rotations only. */
    if (m->cfg.contact_head)
        linear(&r,
               (pc_linear){.w = m->contact_w,
                           .b = m->contact_b,
                           .ln_w = m->out_ln_w,
                           .ln_b = m->out_ln_b,
                           .x = m->x,
                           .y = m->out + KN_MODEL_OUTPUTS,
                           .n_in = m->cfg.d_model,
                           .n_out = KN_MODEL_CONTACTS,
                           .flags = KN_VK_BIAS | KN_VK_NORM},
               1);
    if (m->cfg.tied) {
        compute_barrier(&r);
        const pc_readout pc = {
            .ln_w = m->joint_ln_w,
            .ln_b = m->joint_ln_b,
            .w = m->readout_w,
            .tok = m->tok,
            .dst = m->out,
            .joint_dim = m->cfg.joint_dim,
            .n_joints = KN_MODEL_JOINTS,
        };
        dispatch(&r, K_readout, &pc, sizeof pc, 1, 1);
    }
    kn_vk_barrier(&c->vk, cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
                  VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT);
    copy(c, cmd, &c->act, m->out, &c->io, IO_OUTPUT, kn_model_outputs(&m->cfg));
    to_host(c, cmd);
    return fn->vkEndCommandBuffer(cmd);
}

static VkResult record_reset(vk_ctx *c)
{
    VkResult res = begin(c, c->reset);
    if (res != VK_SUCCESS)
        return res;
    c->vk.fn.vkCmdFillBuffer(c->reset, c->state.buffer, 0, VK_WHOLE_SIZE, 0);
    return c->vk.fn.vkEndCommandBuffer(c->reset);
}

static VkResult record_read(vk_ctx *c)
{
    VkResult res = begin(c, c->read);
    if (res != VK_SUCCESS)
        return res;
    copy(c, c->read, &c->state, 0, &c->readback, 0, c->state.size / sizeof(float));
    to_host(c, c->read);
    return c->vk.fn.vkEndCommandBuffer(c->read);
}

/* The weights from the staging buffer; the state and activations zeroed
 * (device memory starts undefined). */
static VkResult record_upload(vk_ctx *c, const kn_vk_buffer *staging)
{
    VkResult res = begin(c, c->upload);
    if (res != VK_SUCCESS)
        return res;
    copy(c, c->upload, staging, 0, &c->weights, 0, staging->size / sizeof(float));
    c->vk.fn.vkCmdFillBuffer(c->upload, c->state.buffer, 0, VK_WHOLE_SIZE, 0);
    c->vk.fn.vkCmdFillBuffer(c->upload, c->act.buffer, 0, VK_WHOLE_SIZE, 0);
    return c->vk.fn.vkEndCommandBuffer(c->upload);
}

/* ---- the backend interface ------------------------------------------------------ */

static void vk_destroy(kn_backend *backend)
{
    vk_ctx *c = backend->context;
    if (c) {
        kn_vk *vk = &c->vk;
        if (vk->device) {
            vk->fn.vkDeviceWaitIdle(vk->device);
            for (int k = 0; k < K_COUNT; k++)
                if (c->pipelines[k])
                    vk->fn.vkDestroyPipeline(vk->device, c->pipelines[k], NULL);
            if (c->layout)
                vk->fn.vkDestroyPipelineLayout(vk->device, c->layout, NULL);
            if (c->descriptor_pool)
                vk->fn.vkDestroyDescriptorPool(vk->device, c->descriptor_pool, NULL);
            if (c->set_layout)
                vk->fn.vkDestroyDescriptorSetLayout(vk->device, c->set_layout, NULL);
            kn_vk_buffer *buffers[] = {&c->weights, &c->state, &c->act, &c->io, &c->readback};
            for (size_t i = 0; i < sizeof buffers / sizeof buffers[0]; i++)
                kn_vk_buffer_destroy(vk, buffers[i]);
        }
        kn_vk_close(vk);
        free(c);
    }
    free(backend);
}

static void vk_reset(kn_backend *backend)
{
    vk_ctx *c = backend->context;
    /* A failure marks the device lost, and the next step reports it. */
    (void)kn_vk_submit_wait(&c->vk, c->reset, NULL);
}

static kn_status vk_step(kn_backend *backend, const float *input, float *output, kn_error *err)
{
    vk_ctx *c = backend->context;
    float *io = c->io.map;
    memcpy(io + IO_INPUT, input, KN_MODEL_FEATURES * sizeof *io);
    kn_status st = kn_vk_submit_wait(&c->vk, c->tick, err);
    if (st == KN_OK)
        memcpy(output, io + IO_OUTPUT, kn_model_outputs(&c->m.cfg) * sizeof *io);
    return st;
}

static kn_status vk_read_state(kn_backend *backend, const char *name, float *out, size_t count,
                               kn_error *err)
{
    vk_ctx *c = backend->context;
    kn_state_spec specs[KN_MODEL_MAX_STATES];
    size_t n = kn_model_state_specs(&c->m.cfg, specs, KN_MODEL_MAX_STATES);
    for (size_t k = 0; k < n; k++) {
        if (strcmp(specs[k].name, name))
            continue;
        if (count != specs[k].count)
            return kn_fail(err, KN_ERROR_INVALID_ARGUMENT,
                           "vulkan: state '%s' has %zu values, not %zu", name, specs[k].count,
                           count);
        kn_status st = kn_vk_submit_wait(&c->vk, c->read, err);
        if (st != KN_OK)
            return st;
        const vk_state_loc *at = &c->m.states[k];
        const float *src = (const float *)c->readback.map + at->offset;
        for (size_t h = 0; h < at->inner; h++)
            for (size_t r = 0; r < at->rows; r++)
                for (size_t col = 0; col < at->cols; col++)
                    out[(h * at->cols + col) * at->rows + r] =
                        src[(h * at->rows + r) * at->cols + col];
        return KN_OK;
    }
    return kn_fail(err, KN_ERROR_INVALID_ARGUMENT, "vulkan: no state named '%.64s'", name);
}

static const kn_backend_iface vk_iface = {
    .name = "vulkan",
    .destroy = vk_destroy,
    .reset = vk_reset,
    .step = vk_step,
    .read_state = vk_read_state,
};

const char *kn_backend_vulkan_device(const kn_backend *backend)
{
    if (!backend || backend->iface != &vk_iface)
        return NULL;
    const vk_ctx *c = backend->context;
    return c->vk.props.deviceName;
}

#define CHECK(call, what)                                                                          \
    do {                                                                                           \
        VkResult r_ = (call);                                                                      \
        if (r_ != VK_SUCCESS)                                                                      \
            return kn_vk_fail(err, r_, what);                                                      \
    } while (0)

/* One descriptor set for every kernel: weights, state, activations. */
static kn_status create_pipelines(vk_ctx *c, kn_error *err)
{
    const kn_vk_fns *fn = &c->vk.fn;
    VkDevice dev = c->vk.device;
    VkDescriptorSetLayoutBinding bindings[3];
    for (uint32_t i = 0; i < 3; i++)
        bindings[i] = (VkDescriptorSetLayoutBinding){
            .binding = i,
            .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
            .descriptorCount = 1,
            .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
        };
    const VkDescriptorSetLayoutCreateInfo set_info = {
        .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
        .bindingCount = 3,
        .pBindings = bindings,
    };
    CHECK(fn->vkCreateDescriptorSetLayout(dev, &set_info, NULL, &c->set_layout),
          "vkCreateDescriptorSetLayout");
    const VkPushConstantRange range = {VK_SHADER_STAGE_COMPUTE_BIT, 0, PC_MAX_BYTES};
    const VkPipelineLayoutCreateInfo layout_info = {
        .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
        .setLayoutCount = 1,
        .pSetLayouts = &c->set_layout,
        .pushConstantRangeCount = 1,
        .pPushConstantRanges = &range,
    };
    CHECK(fn->vkCreatePipelineLayout(dev, &layout_info, NULL, &c->layout),
          "vkCreatePipelineLayout");

    const VkDescriptorPoolSize size = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 3};
    const VkDescriptorPoolCreateInfo pool_info = {
        .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
        .maxSets = 1,
        .poolSizeCount = 1,
        .pPoolSizes = &size,
    };
    CHECK(fn->vkCreateDescriptorPool(dev, &pool_info, NULL, &c->descriptor_pool),
          "vkCreateDescriptorPool");
    const VkDescriptorSetAllocateInfo alloc = {
        .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
        .descriptorPool = c->descriptor_pool,
        .descriptorSetCount = 1,
        .pSetLayouts = &c->set_layout,
    };
    CHECK(fn->vkAllocateDescriptorSets(dev, &alloc, &c->set), "vkAllocateDescriptorSets");
    const kn_vk_buffer *bufs[3] = {&c->weights, &c->state, &c->act};
    VkDescriptorBufferInfo infos[3];
    VkWriteDescriptorSet writes[3];
    for (uint32_t i = 0; i < 3; i++) {
        infos[i] = (VkDescriptorBufferInfo){bufs[i]->buffer, 0, VK_WHOLE_SIZE};
        writes[i] = (VkWriteDescriptorSet){
            .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
            .dstSet = c->set,
            .dstBinding = i,
            .descriptorCount = 1,
            .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
            .pBufferInfo = &infos[i],
        };
    }
    fn->vkUpdateDescriptorSets(dev, 3, writes, 0, NULL);

#define SPIRV(name) {kn_vk_spirv_##name, kn_vk_spirv_##name##_words, #name},
    const struct {
        const uint32_t *words;
        size_t count;
        const char *name;
    } spirv[K_COUNT] = {KN_VK_KERNELS(SPIRV)};
#undef SPIRV
    for (int k = 0; k < K_COUNT; k++) {
        const VkShaderModuleCreateInfo module_info = {
            .sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
            .codeSize = spirv[k].count * sizeof(uint32_t),
            .pCode = spirv[k].words,
        };
        VkShaderModule module;
        VkResult r = fn->vkCreateShaderModule(dev, &module_info, NULL, &module);
        if (r != VK_SUCCESS)
            return kn_vk_fail(err, r, "vkCreateShaderModule");
        const VkComputePipelineCreateInfo info = {
            .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
            .stage =
                {
                    .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                    .stage = VK_SHADER_STAGE_COMPUTE_BIT,
                    .module = module,
                    .pName = "main",
                },
            .layout = c->layout,
        };
        r = fn->vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &info, NULL, &c->pipelines[k]);
        fn->vkDestroyShaderModule(dev, module, NULL);
        if (r != VK_SUCCESS) {
            c->pipelines[k] = VK_NULL_HANDLE;
            return kn_fail(err, KN_ERROR_UNSUPPORTED,
                           "vulkan: vkCreateComputePipelines failed for kernel %s: %s",
                           spirv[k].name, kn_vk_result_name(r));
        }
    }
    return KN_OK;
}

static kn_status create_buffers(vk_ctx *c, const builder *count, kn_error *err)
{
    const VkDeviceSize range = c->vk.props.limits.maxStorageBufferRange;
    const VkDeviceSize sizes[3] = {count->wt.used * sizeof(float), count->st.used * sizeof(float),
                                   count->act.used * sizeof(float)};
    for (int i = 0; i < 3; i++)
        if (sizes[i] > range)
            return kn_fail(err, KN_ERROR_UNSUPPORTED,
                           "vulkan: a %llu-byte buffer exceeds the device's storage buffer "
                           "range (%llu bytes)",
                           (unsigned long long)sizes[i], (unsigned long long)range);
    const VkBufferUsageFlags storage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
    const VkBufferUsageFlags src = VK_BUFFER_USAGE_TRANSFER_SRC_BIT;
    const VkBufferUsageFlags dst = VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    kn_vk *vk = &c->vk;
    kn_status st = kn_vk_buffer_create(vk, sizes[0], storage | dst, false, &c->weights, err);
    if (st == KN_OK)
        st = kn_vk_buffer_create(vk, sizes[1], storage | src | dst, false, &c->state, err);
    if (st == KN_OK)
        st = kn_vk_buffer_create(vk, sizes[2], storage | src | dst, false, &c->act, err);
    if (st == KN_OK)
        st = kn_vk_buffer_create(vk, IO_FLOATS * sizeof(float), src | dst, true, &c->io, err);
    if (st == KN_OK)
        st = kn_vk_buffer_create(vk, c->state.size, dst, true, &c->readback, err);
    return st;
}

/* The weights laid out straight into a mapped staging buffer, copied to
 * the device once; the staging buffer goes away. */
static kn_status upload(vk_ctx *c, const kn_weights *weights, kn_error *err)
{
    kn_vk_buffer staging;
    kn_status st = kn_vk_buffer_create(&c->vk, c->weights.size, VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                                       true, &staging, err);
    if (st == KN_OK) {
        builder fill = {.wt = {staging.map, 0}};
        build(&fill, &c->m, weights);
        VkResult r = record_upload(c, &staging);
        st = r == VK_SUCCESS ? kn_vk_submit_wait(&c->vk, c->upload, err)
                             : kn_vk_fail(err, r, "recording the upload");
    }
    kn_vk_buffer_destroy(&c->vk, &staging);
    return st;
}

static kn_status setup(vk_ctx *c, const kn_weights *weights, kn_error *err)
{
    kn_status st = kn_vk_open(&c->vk, err);
    if (st != KN_OK)
        return st;
    builder count = {0};
    build(&count, &c->m, weights);
    kn_state_spec specs[KN_MODEL_MAX_STATES];
    size_t n = kn_model_state_specs(&weights->config, specs, KN_MODEL_MAX_STATES);
    if (n != c->m.n_states || count.wt.used > UINT32_MAX)
        return kn_fail(err, KN_ERROR_UNSUPPORTED, "vulkan: the model does not fit the layout");
    for (size_t k = 0; k < n; k++) {
        const vk_state_loc *s = &c->m.states[k];
        if ((size_t)s->inner * s->rows * s->cols != specs[k].count)
            return kn_fail(err, KN_ERROR_UNSUPPORTED, "vulkan: state %s has the wrong size",
                           specs[k].name);
    }
    st = create_buffers(c, &count, err);
    if (st == KN_OK)
        st = create_pipelines(c, err);
    if (st != KN_OK)
        return st;
    VkCommandBuffer cmds[4];
    const VkCommandBufferAllocateInfo alloc = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
        .commandPool = c->vk.pool,
        .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
        .commandBufferCount = 4,
    };
    CHECK(c->vk.fn.vkAllocateCommandBuffers(c->vk.device, &alloc, cmds),
          "vkAllocateCommandBuffers");
    c->tick = cmds[0], c->reset = cmds[1], c->read = cmds[2], c->upload = cmds[3];
    st = upload(c, weights, err);
    if (st != KN_OK)
        return st;
    CHECK(record_tick(c), "recording the tick");
    CHECK(record_reset(c), "recording the reset");
    CHECK(record_read(c), "recording the state read-back");
    return KN_OK;
}

kn_status kn_backend_vulkan_create(const kn_weights *weights, kn_backend **backend, kn_error *err)
{
    *backend = NULL;
    kn_status st = check_limits(&weights->config, err);
    if (st != KN_OK)
        return st;
    kn_backend *b = calloc(1, sizeof *b);
    vk_ctx *c = calloc(1, sizeof *c);
    if (!b || !c) {
        free(b);
        free(c);
        return kn_fail(err, KN_ERROR_OUT_OF_MEMORY, "vulkan: out of memory");
    }
    b->iface = &vk_iface;
    b->context = c;
    st = setup(c, weights, err);
    if (st != KN_OK) {
        vk_destroy(b);
        return st;
    }
    *backend = b;
    return KN_OK;
}
