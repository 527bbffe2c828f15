#include "clip/clip_format.h"

#include <jansson.h>
#include <math.h>

static const char *const device_names[KN_CLIP_DEVICE_COUNT] = {"head", "left grip", "right grip"};

kn_status kn_clip_check_layout(uint32_t frame_count, uint32_t joint_count, uint32_t flags,
                               uint32_t meta_bytes, float rate_hz, kn_error *err)
{
    if (frame_count > KN_CLIP_MAX_FRAMES)
        return kn_fail(err, KN_ERROR_LIMIT, "clip: frame count %u exceeds the limit of %u",
                       frame_count, KN_CLIP_MAX_FRAMES);
    if (flags & ~(KN_CLIP_HAS_TRUTH | KN_CLIP_HAS_PRED))
        return kn_fail(err, KN_ERROR_FORMAT, "clip: unknown flag bits 0x%x", flags);
    uint32_t expected_joints = flags ? KN_CLIP_JOINT_COUNT : 0;
    if (joint_count != expected_joints)
        return kn_fail(err, KN_ERROR_LIMIT, "clip: joint count %u, expected %u for flags 0x%x",
                       joint_count, expected_joints, flags);
    if (meta_bytes > KN_CLIP_MAX_META_BYTES)
        return kn_fail(err, KN_ERROR_LIMIT, "clip: metadata of %u bytes exceeds the limit of %u",
                       meta_bytes, KN_CLIP_MAX_META_BYTES);
    if (!isfinite(rate_hz) || !(rate_hz > 0.0f))
        return kn_fail(err, KN_ERROR_FORMAT, "clip: rate %g Hz is not a positive number",
                       (double)rate_hz);
    return KN_OK;
}

size_t kn_clip_frame_bytes(uint32_t joint_count, uint32_t flags)
{
    size_t sections =
        ((flags & KN_CLIP_HAS_TRUTH) ? 1u : 0u) + ((flags & KN_CLIP_HAS_PRED) ? 1u : 0u);
    return KN_CLIP_FRAME_FIXED_BYTES + sections * joint_count * KN_CLIP_POSE_BYTES;
}

kn_status kn_clip_check_metadata(const char *text, size_t length, kn_error *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, length, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return kn_fail(err, KN_ERROR_FORMAT, "clip: metadata is not JSON (line %d: %s)", jerr.line,
                       jerr.text);
    bool is_object = json_is_object(root);
    json_decref(root);
    if (!is_object)
        return kn_fail(err, KN_ERROR_FORMAT, "clip: metadata is not a JSON object");
    return KN_OK;
}

static kn_status check_joints(uint32_t index, const char *section, const kn_pose *poses,
                              uint32_t joint_count, kn_error *err)
{
    for (uint32_t j = 0; poses && j < joint_count; j++)
        if (!kn_pose_finite(poses[j].orientation, poses[j].position))
            return kn_fail(err, KN_ERROR_NON_FINITE,
                           "clip: frame %u: %s pose of joint %u is not finite", index, section, j);
    return KN_OK;
}

kn_status kn_clip_check_frame(uint32_t index, int64_t time_ns, int64_t prev_time_ns,
                              const kn_device_sample *devices, const kn_pose *truth,
                              const kn_pose *pred, uint32_t joint_count, kn_error *err)
{
    if (index > 0 && time_ns <= prev_time_ns)
        return kn_fail(err, KN_ERROR_FORMAT,
                       "clip: frame %u: time %lld ns does not increase (previous %lld ns)", index,
                       (long long)time_ns, (long long)prev_time_ns);
    for (int d = 0; d < KN_CLIP_DEVICE_COUNT; d++) {
        if (devices[d].flags & ~KN_FLAGS_ALL)
            return kn_fail(err, KN_ERROR_FORMAT, "clip: frame %u: %s has unknown flag bits 0x%x",
                           index, device_names[d], devices[d].flags);
        if (!kn_pose_finite(devices[d].pose.orientation, devices[d].pose.position))
            return kn_fail(err, KN_ERROR_NON_FINITE, "clip: frame %u: %s pose is not finite", index,
                           device_names[d]);
    }
    kn_status st = check_joints(index, "truth", truth, joint_count, err);
    if (st != KN_OK)
        return st;
    return check_joints(index, "prediction", pred, joint_count, err);
}

static uint8_t *encode_pose(uint8_t *p, const kn_pose *pose)
{
    for (int i = 0; i < 3; i++)
        kn_put_f32(p + 4 * i, pose->position[i]);
    for (int i = 0; i < 4; i++)
        kn_put_f32(p + 12 + 4 * i, pose->orientation[i]);
    return p + KN_CLIP_POSE_BYTES;
}

static const uint8_t *decode_pose(const uint8_t *p, kn_pose *pose)
{
    for (int i = 0; i < 3; i++)
        pose->position[i] = kn_le_f32(p + 4 * i);
    for (int i = 0; i < 4; i++)
        pose->orientation[i] = kn_le_f32(p + 12 + 4 * i);
    return p + KN_CLIP_POSE_BYTES;
}

void kn_clip_encode_frame(uint8_t *out, int64_t time_ns, const kn_device_sample *devices,
                          const kn_pose *truth, const kn_pose *pred, uint32_t joint_count)
{
    kn_put_u64(out, (uint64_t)time_ns);
    uint8_t *p = out + 8;
    for (int d = 0; d < KN_CLIP_DEVICE_COUNT; d++) {
        kn_put_u32(p, devices[d].flags);
        encode_pose(p + 4, &devices[d].pose);
        p += KN_CLIP_DEVICE_BYTES;
    }
    for (uint32_t j = 0; truth && j < joint_count; j++)
        p = encode_pose(p, &truth[j]);
    for (uint32_t j = 0; pred && j < joint_count; j++)
        p = encode_pose(p, &pred[j]);
}

void kn_clip_decode_frame(const uint8_t *in, int64_t *time_ns, kn_device_sample *devices,
                          kn_pose *truth, kn_pose *pred, uint32_t joint_count)
{
    *time_ns = (int64_t)kn_le_u64(in);
    const uint8_t *p = in + 8;
    for (int d = 0; d < KN_CLIP_DEVICE_COUNT; d++) {
        devices[d].flags = kn_le_u32(p);
        decode_pose(p + 4, &devices[d].pose);
        p += KN_CLIP_DEVICE_BYTES;
    }
    for (uint32_t j = 0; truth && j < joint_count; j++)
        p = decode_pose(p, &truth[j]);
    for (uint32_t j = 0; pred && j < joint_count; j++)
        p = decode_pose(p, &pred[j]);
}
