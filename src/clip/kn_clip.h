/* Clip files: timed device poses with optional ground-truth and predicted
 * canonical joint poses. The format is docs/formats.md ("Clip files"). */
#ifndef KN_CLIP_H
#define KN_CLIP_H

#include "core/kn_error.h"
#include "math/kn_device.h" /* kn_device_sample, KN_FLAG_*, KN_DEVICE_* */
#include "math/kn_math.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define KN_CLIP_VERSION        1u
#define KN_CLIP_HEADER_SIZE    64u
#define KN_CLIP_DEVICE_COUNT   KN_DEVICE_COUNT
#define KN_CLIP_JOINT_COUNT    21u
#define KN_CLIP_MAX_FRAMES     50000000u
#define KN_CLIP_MAX_META_BYTES (1u << 20)
#define KN_CLIP_HAS_TRUTH      0x1u
#define KN_CLIP_HAS_PRED       0x2u

typedef struct kn_clip {
    uint32_t frame_count;
    uint32_t joint_count; /* 0, or KN_CLIP_JOINT_COUNT */
    uint32_t flags;       /* KN_CLIP_HAS_TRUTH | KN_CLIP_HAS_PRED */
    float rate_hz;
    char *metadata;            /* NUL-terminated JSON object text */
    int64_t *time_ns;          /* [frame_count] */
    kn_device_sample *devices; /* [frame_count][KN_CLIP_DEVICE_COUNT] */
    kn_pose *truth;            /* [frame_count][joint_count] or NULL */
    kn_pose *pred;             /* [frame_count][joint_count] or NULL */
} kn_clip;

/* Reading validates everything docs/formats.md lists; on failure *clip is
 * left empty and err names the frame and field. */
kn_status kn_clip_read_file(const char *path, kn_clip *clip, kn_error *err);
kn_status kn_clip_read_memory(const void *data, size_t size, kn_clip *clip, kn_error *err);
void kn_clip_free(kn_clip *clip);

/* Streaming writer (KINEST_RECORD appends frame by frame). It refuses what
 * a reader would refuse, so every file it finishes reads back. */
typedef struct kn_clip_writer kn_clip_writer;

kn_status kn_clip_writer_open(const char *path, uint32_t joint_count, uint32_t flags, float rate_hz,
                              const char *metadata, kn_clip_writer **writer, kn_error *err);
/* The same on a file the caller opened (for writing, at its start); `name`
 * is for messages. The writer owns `file` from here, also on failure. */
kn_status kn_clip_writer_open_file(FILE *file, const char *name, uint32_t joint_count,
                                   uint32_t flags, float rate_hz, const char *metadata,
                                   kn_clip_writer **writer, kn_error *err);
kn_status kn_clip_writer_append(kn_clip_writer *writer, int64_t time_ns,
                                const kn_device_sample devices[KN_CLIP_DEVICE_COUNT],
                                const kn_pose *truth, const kn_pose *pred, kn_error *err);
/* Writes the final frame count (the frames that reached the file) and
 * closes; frees the writer in any case. IO when frames were lost. */
kn_status kn_clip_writer_close(kn_clip_writer *writer, kn_error *err);

kn_status kn_clip_write_file(const char *path, const kn_clip *clip, kn_error *err);

#endif
