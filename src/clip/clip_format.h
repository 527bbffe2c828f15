/* The clip format's byte layout and validity rules, shared by the reader
 * and the writer so both enforce exactly the same thing. Internal. */
#ifndef KN_CLIP_FORMAT_H
#define KN_CLIP_FORMAT_H

#include "clip/kn_clip.h"

#include <stdbool.h>
#include <string.h>

#define KN_CLIP_MAGIC             "KNSTCLIP"
#define KN_CLIP_DEVICE_BYTES      (4u + KN_CLIP_POSE_BYTES)
#define KN_CLIP_POSE_BYTES        28u
#define KN_CLIP_FRAME_FIXED_BYTES (8u + KN_CLIP_DEVICE_COUNT * KN_CLIP_DEVICE_BYTES)

static inline uint32_t kn_le_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t kn_le_u64(const uint8_t *p)
{
    return (uint64_t)kn_le_u32(p) | (uint64_t)kn_le_u32(p + 4) << 32;
}
static inline float kn_le_f32(const uint8_t *p)
{
    uint32_t u = kn_le_u32(p);
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}
static inline void kn_put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static inline void kn_put_u64(uint8_t *p, uint64_t v)
{
    kn_put_u32(p, (uint32_t)v);
    kn_put_u32(p + 4, (uint32_t)(v >> 32));
}
static inline void kn_put_f32(uint8_t *p, float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    kn_put_u32(p, u);
}

static inline uint32_t kn_clip_header_bytes(uint32_t meta_bytes)
{
    return (KN_CLIP_HEADER_SIZE + meta_bytes + 7u) & ~7u;
}

/* Checks the header fields other than the magic and version. */
kn_status kn_clip_check_layout(uint32_t frame_count, uint32_t joint_count, uint32_t flags,
                               uint32_t meta_bytes, float rate_hz, kn_error *err);
/* Bytes per frame for a layout that passed kn_clip_check_layout. */
size_t kn_clip_frame_bytes(uint32_t joint_count, uint32_t flags);
/* The metadata must be one JSON object. */
kn_status kn_clip_check_metadata(const char *text, size_t length, kn_error *err);
/* Checks one frame: times strictly increasing (prev_time ignored for frame 0),
 * known flag bits only, every float finite. */
kn_status kn_clip_check_frame(uint32_t index, int64_t time_ns, int64_t prev_time_ns,
                              const kn_device_sample *devices, const kn_pose *truth,
                              const kn_pose *pred, uint32_t joint_count, kn_error *err);

void kn_clip_encode_frame(uint8_t *out, int64_t time_ns, const kn_device_sample *devices,
                          const kn_pose *truth, const kn_pose *pred, uint32_t joint_count);
/* Decodes without checking: kn_clip_check_frame does that. */
void kn_clip_decode_frame(const uint8_t *in, int64_t *time_ns, kn_device_sample *devices,
                          kn_pose *truth, kn_pose *pred, uint32_t joint_count);

#endif
