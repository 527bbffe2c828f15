/* Clip writer: header first with a zero frame count, frames appended as
 * they come, each written through at once (no stdio buffer: a frame that
 * did not reach the file is known at its append), the count patched in at
 * close: the frames that reached the file, never more. */
#include "clip/clip_format.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct kn_clip_writer {
    FILE *file;
    uint32_t joint_count;
    uint32_t flags;
    uint32_t frame_count; /* frames in the file */
    bool lost;            /* a write failed: the file may end in part of a frame */
    uint32_t header_bytes;
    int64_t last_time_ns;
    size_t frame_bytes;
    uint8_t *frame;
};

kn_status kn_clip_writer_open(const char *path, uint32_t joint_count, uint32_t flags, float rate_hz,
                              const char *metadata, kn_clip_writer **writer, kn_error *err)
{
    if (!path || !writer)
        return kn_fail(err, KN_ERROR_INVALID_ARGUMENT, "clip writer: NULL argument");
    *writer = NULL;
    FILE *f = fopen(path, "wb");
    if (!f)
        return kn_fail(err, KN_ERROR_IO, "clip writer: cannot create %s: %s", path,
                       strerror(errno));
    return kn_clip_writer_open_file(f, path, joint_count, flags, rate_hz, metadata, writer, err);
}

kn_status kn_clip_writer_open_file(FILE *file, const char *name, uint32_t joint_count,
                                   uint32_t flags, float rate_hz, const char *metadata,
                                   kn_clip_writer **writer, kn_error *err)
{
    if (!file || !name || !writer) {
        if (file)
            fclose(file);
        return kn_fail(err, KN_ERROR_INVALID_ARGUMENT, "clip writer: NULL argument");
    }
    *writer = NULL;
    if (!metadata)
        metadata = "{}";
    size_t meta_len = strlen(metadata);
    if (meta_len > KN_CLIP_MAX_META_BYTES)
        return kn_fail(err, KN_ERROR_LIMIT, "clip writer: metadata of %zu bytes is too long",
                       meta_len);
    kn_status st = kn_clip_check_layout(0, joint_count, flags, (uint32_t)meta_len, rate_hz, err);
    if (st == KN_OK)
        st = kn_clip_check_metadata(metadata, meta_len, err);
    kn_clip_writer *w = st == KN_OK ? calloc(1, sizeof *w) : NULL;
    if (w) {
        w->file = file;
        w->joint_count = joint_count;
        w->flags = flags;
        w->frame_bytes = kn_clip_frame_bytes(joint_count, flags);
        w->frame = malloc(w->frame_bytes);
    }
    if (!w || !w->frame) {
        if (st == KN_OK)
            st = kn_fail(err, KN_ERROR_OUT_OF_MEMORY, "clip writer: out of memory");
        fclose(file);
        free(w);
        return st;
    }

    setvbuf(file, NULL, _IONBF, 0);
    uint32_t header_bytes = kn_clip_header_bytes((uint32_t)meta_len);
    w->header_bytes = header_bytes;
    uint8_t h[KN_CLIP_HEADER_SIZE] = {0};
    memcpy(h, KN_CLIP_MAGIC, 8);
    kn_put_u32(h + 8, KN_CLIP_VERSION);
    kn_put_u32(h + 12, header_bytes);
    kn_put_u32(h + 16, 0);
    kn_put_u32(h + 20, joint_count);
    kn_put_u32(h + 24, flags);
    kn_put_u32(h + 28, (uint32_t)meta_len);
    kn_put_f32(h + 32, rate_hz);
    static const uint8_t zeros[8] = {0};
    size_t pad = header_bytes - KN_CLIP_HEADER_SIZE - meta_len;
    if (fwrite(h, 1, sizeof h, w->file) != sizeof h ||
        fwrite(metadata, 1, meta_len, w->file) != meta_len ||
        fwrite(zeros, 1, pad, w->file) != pad) {
        fclose(w->file);
        free(w->frame);
        free(w);
        return kn_fail(err, KN_ERROR_IO, "clip writer: cannot write the header of %s", name);
    }
    *writer = w;
    return KN_OK;
}

kn_status kn_clip_writer_append(kn_clip_writer *w, int64_t time_ns,
                                const kn_device_sample devices[KN_CLIP_DEVICE_COUNT],
                                const kn_pose *truth, const kn_pose *pred, kn_error *err)
{
    if (!w || !devices)
        return kn_fail(err, KN_ERROR_INVALID_ARGUMENT, "clip writer: NULL argument");
    if (!truth != !(w->flags & KN_CLIP_HAS_TRUTH) || !pred != !(w->flags & KN_CLIP_HAS_PRED))
        return kn_fail(err, KN_ERROR_INVALID_ARGUMENT,
                       "clip writer: truth/prediction poses do not match the clip's flags");
    if (w->frame_count >= KN_CLIP_MAX_FRAMES)
        return kn_fail(err, KN_ERROR_LIMIT, "clip writer: the clip is full (%u frames)",
                       w->frame_count);
    kn_status st = kn_clip_check_frame(w->frame_count, time_ns, w->last_time_ns, devices, truth,
                                       pred, w->joint_count, err);
    if (st != KN_OK)
        return st;
    kn_clip_encode_frame(w->frame, time_ns, devices, truth, pred, w->joint_count);
    if (fwrite(w->frame, 1, w->frame_bytes, w->file) != w->frame_bytes) {
        w->lost = true;
        return kn_fail(err, KN_ERROR_IO, "clip writer: write failed at frame %u: %s",
                       w->frame_count, strerror(errno));
    }
    w->frame_count++;
    w->last_time_ns = time_ns;
    return KN_OK;
}

kn_status kn_clip_writer_close(kn_clip_writer *w, kn_error *err)
{
    if (!w)
        return kn_fail(err, KN_ERROR_INVALID_ARGUMENT, "clip writer: NULL argument");
    kn_status st = KN_OK;
    /* After a failed write (a full disk) the file ends with the frames
     * counted, not with a piece of the next one. */
    if (w->lost) {
        st = kn_fail(err, KN_ERROR_IO, "clip writer: frames were lost; %u written", w->frame_count);
        clearerr(w->file);
        if (ftruncate(fileno(w->file),
                      (off_t)w->header_bytes + (off_t)w->frame_count * (off_t)w->frame_bytes))
            st = kn_fail(err, KN_ERROR_IO, "clip writer: cannot cut off a partial frame");
    }
    uint8_t count[4];
    kn_put_u32(count, w->frame_count);
    if (fseek(w->file, 16, SEEK_SET) != 0 || fwrite(count, 1, 4, w->file) != 4)
        st = kn_fail(err, KN_ERROR_IO, "clip writer: cannot write the frame count");
    if (fclose(w->file) != 0 && st == KN_OK)
        st = kn_fail(err, KN_ERROR_IO, "clip writer: close failed: %s", strerror(errno));
    free(w->frame);
    free(w);
    return st;
}

kn_status kn_clip_write_file(const char *path, const kn_clip *clip, kn_error *err)
{
    if (!clip)
        return kn_fail(err, KN_ERROR_INVALID_ARGUMENT, "clip writer: NULL argument");
    kn_clip_writer *w;
    kn_status st = kn_clip_writer_open(path, clip->joint_count, clip->flags, clip->rate_hz,
                                       clip->metadata, &w, err);
    for (uint32_t f = 0; st == KN_OK && f < clip->frame_count; f++) {
        size_t j = (size_t)f * clip->joint_count;
        st = kn_clip_writer_append(
            w, clip->time_ns[f], clip->devices + (size_t)f * KN_CLIP_DEVICE_COUNT,
            clip->truth ? clip->truth + j : NULL, clip->pred ? clip->pred + j : NULL, err);
    }
    if (st != KN_OK) {
        if (w)
            kn_clip_writer_close(w, NULL);
        remove(path);
        return st;
    }
    return kn_clip_writer_close(w, err);
}
