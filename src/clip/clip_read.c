/* Clip reader: from a file or from memory, through one validating path.
 * The whole expected size is checked against the real size before anything
 * is allocated, so a hostile header cannot make the reader allocate or read
 * beyond what the file holds. */
#include "clip/clip_format.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

typedef struct source {
    const uint8_t *mem; /* memory source, or NULL for a file */
    FILE *file;
    uint64_t size;
    uint64_t pos;
} source;

static bool read_exact(source *src, void *buf, size_t n)
{
    if (n > src->size - src->pos)
        return false;
    if (src->mem)
        memcpy(buf, src->mem + src->pos, n);
    else if (fread(buf, 1, n, src->file) != n)
        return false;
    src->pos += n;
    return true;
}

static kn_status read_clip(source *src, kn_clip *clip, kn_error *err)
{
    uint8_t h[KN_CLIP_HEADER_SIZE];
    if (!read_exact(src, h, sizeof h))
        return kn_fail(err, KN_ERROR_FORMAT, "clip: file of %llu bytes is shorter than the header",
                       (unsigned long long)src->size);
    if (memcmp(h, KN_CLIP_MAGIC, 8) != 0)
        return kn_fail(err, KN_ERROR_FORMAT, "clip: not a clip file (wrong magic)");
    uint32_t version = kn_le_u32(h + 8);
    if (version != KN_CLIP_VERSION)
        return kn_fail(err, KN_ERROR_UNSUPPORTED_VERSION,
                       "clip: version %u, this reader knows version %u", version, KN_CLIP_VERSION);
    uint32_t header_bytes = kn_le_u32(h + 12);
    uint32_t frame_count = kn_le_u32(h + 16);
    uint32_t joint_count = kn_le_u32(h + 20);
    uint32_t flags = kn_le_u32(h + 24);
    uint32_t meta_bytes = kn_le_u32(h + 28);
    float rate_hz = kn_le_f32(h + 32);
    for (size_t i = 36; i < KN_CLIP_HEADER_SIZE; i++)
        if (h[i] != 0)
            return kn_fail(err, KN_ERROR_FORMAT, "clip: reserved header byte %zu is not zero", i);
    kn_status st = kn_clip_check_layout(frame_count, joint_count, flags, meta_bytes, rate_hz, err);
    if (st != KN_OK)
        return st;
    if (header_bytes != kn_clip_header_bytes(meta_bytes))
        return kn_fail(err, KN_ERROR_FORMAT,
                       "clip: header size %u, expected %u for %u metadata bytes", header_bytes,
                       kn_clip_header_bytes(meta_bytes), meta_bytes);
    size_t frame_bytes = kn_clip_frame_bytes(joint_count, flags);
    uint64_t expected = header_bytes + (uint64_t)frame_count * frame_bytes;
    if (expected != src->size)
        return kn_fail(
            err, KN_ERROR_FORMAT,
            "clip: size is %llu bytes, the header promises %llu (%u frames of %zu bytes)%s",
            (unsigned long long)src->size, (unsigned long long)expected, frame_count, frame_bytes,
            src->size < expected ? ": truncated" : "");

    size_t pad = header_bytes - KN_CLIP_HEADER_SIZE - meta_bytes;
    clip->metadata = malloc((size_t)meta_bytes + pad + 1);
    clip->time_ns = malloc(sizeof *clip->time_ns * (frame_count ? frame_count : 1));
    clip->devices =
        malloc(sizeof *clip->devices * KN_CLIP_DEVICE_COUNT * (frame_count ? frame_count : 1));
    size_t poses = (size_t)frame_count * joint_count;
    if (flags & KN_CLIP_HAS_TRUTH)
        clip->truth = malloc(sizeof *clip->truth * (poses ? poses : 1));
    if (flags & KN_CLIP_HAS_PRED)
        clip->pred = malloc(sizeof *clip->pred * (poses ? poses : 1));
    uint8_t *frame = malloc(frame_bytes);
    if (!clip->metadata || !clip->time_ns || !clip->devices || !frame ||
        ((flags & KN_CLIP_HAS_TRUTH) && !clip->truth) ||
        ((flags & KN_CLIP_HAS_PRED) && !clip->pred)) {
        free(frame);
        return kn_fail(err, KN_ERROR_OUT_OF_MEMORY, "clip: out of memory for %u frames",
                       frame_count);
    }

    if (!read_exact(src, clip->metadata, (size_t)meta_bytes + pad)) {
        free(frame);
        return kn_fail(err, KN_ERROR_IO, "clip: cannot read the metadata");
    }
    for (size_t i = meta_bytes; i < meta_bytes + pad; i++)
        if (clip->metadata[i] != 0) {
            free(frame);
            return kn_fail(err, KN_ERROR_FORMAT, "clip: metadata padding is not zero");
        }
    clip->metadata[meta_bytes] = '\0';
    if (memchr(clip->metadata, 0, meta_bytes)) {
        free(frame);
        return kn_fail(err, KN_ERROR_FORMAT, "clip: metadata holds a NUL byte");
    }
    st = kn_clip_check_metadata(clip->metadata, meta_bytes, err);
    if (st != KN_OK) {
        free(frame);
        return st;
    }

    clip->frame_count = frame_count;
    clip->joint_count = joint_count;
    clip->flags = flags;
    clip->rate_hz = rate_hz;
    for (uint32_t f = 0; f < frame_count && st == KN_OK; f++) {
        kn_device_sample *dev = clip->devices + (size_t)f * KN_CLIP_DEVICE_COUNT;
        kn_pose *truth = clip->truth ? clip->truth + (size_t)f * joint_count : NULL;
        kn_pose *pred = clip->pred ? clip->pred + (size_t)f * joint_count : NULL;
        if (!read_exact(src, frame, frame_bytes)) {
            st = kn_fail(err, KN_ERROR_IO, "clip: frame %u: read failed", f);
            break;
        }
        kn_clip_decode_frame(frame, &clip->time_ns[f], dev, truth, pred, joint_count);
        st = kn_clip_check_frame(f, clip->time_ns[f], f ? clip->time_ns[f - 1] : 0, dev, truth,
                                 pred, joint_count, err);
    }
    free(frame);
    return st;
}

static kn_status finish(kn_status st, kn_clip *clip)
{
    if (st != KN_OK)
        kn_clip_free(clip);
    return st;
}

kn_status kn_clip_read_memory(const void *data, size_t size, kn_clip *clip, kn_error *err)
{
    if (!clip || (!data && size))
        return kn_fail(err, KN_ERROR_INVALID_ARGUMENT, "clip: NULL argument");
    memset(clip, 0, sizeof *clip);
    static const uint8_t empty;
    source src = {.mem = data ? data : &empty, .size = size};
    return finish(read_clip(&src, clip, err), clip);
}

kn_status kn_clip_read_file(const char *path, kn_clip *clip, kn_error *err)
{
    if (!clip || !path)
        return kn_fail(err, KN_ERROR_INVALID_ARGUMENT, "clip: NULL argument");
    memset(clip, 0, sizeof *clip);
    FILE *f = fopen(path, "rb");
    if (!f)
        return kn_fail(err, KN_ERROR_IO, "clip: cannot open %s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(f);
        return kn_fail(err, KN_ERROR_IO, "clip: %s is not a regular file", path);
    }
    source src = {.file = f, .size = (uint64_t)sb.st_size};
    kn_status st = read_clip(&src, clip, err);
    fclose(f);
    if (st != KN_OK && err) {
        char inner[KN_ERROR_MESSAGE_SIZE];
        memcpy(inner, err->message, sizeof inner);
        kn_fail(err, st, "%s: %s", path, inner);
    }
    return finish(st, clip);
}

void kn_clip_free(kn_clip *clip)
{
    if (!clip)
        return;
    free(clip->metadata);
    free(clip->time_ns);
    free(clip->devices);
    free(clip->truth);
    free(clip->pred);
    memset(clip, 0, sizeof *clip);
}
