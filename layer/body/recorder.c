/* KINEST_RECORD (recorder.h). */
#include "body/recorder.h"
#include "common/log.h"
#include "common/settings.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Room left in the metadata for what is added at close. */
#define METADATA_RESERVE 4096u
/* The clip header: metadata at 64, rate_hz at 32 (docs/formats.md). */
#define HEADER_METADATA_OFFSET 64L
#define HEADER_RATE_OFFSET     32L
#define NOMINAL_RATE_HZ        60.0f

struct kn_recorder {
    kn_clip_writer *writer;
    int fd; /* the file itself, for the header at the end (never reopened by name) */
    char *path;
    size_t meta_bytes; /* the metadata's length in the file, padding included */
    /* Worker-thread state, read at close after the feed has stopped. */
    uint64_t frames;
    uint64_t by_source[KN_TIME_SOURCE_COUNT];
    int64_t first_time, last_time;
    bool failed;   /* a write failed: nothing more is appended */
    bool complete; /* at close: every frame reached the file */
};

static const char *const source_names[KN_TIME_SOURCE_COUNT] = {"frame", "now", "last_known",
                                                               "requested"};

static char *numbered_path(const char *path, unsigned index)
{
    size_t n = strlen(path);
    char *out = malloc(n + 16);
    if (!out)
        return NULL;
    if (index == 0) {
        memcpy(out, path, n + 1);
        return out;
    }
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(path, '.');
    size_t stem = (dot && dot > (slash ? slash + 1 : path)) ? (size_t)(dot - path) : n;
    snprintf(out, n + 16, "%.*s-%u%s", (int)stem, path, index + 1, path + stem);
    return out;
}

static json_t *version_string(uint64_t v)
{
    char s[48];
    snprintf(s, sizeof s, "%u.%u.%u", (unsigned)(v >> 48), (unsigned)((v >> 32) & 0xffffu),
             (unsigned)(v & 0xffffffffu));
    return json_string(s);
}

static json_t *string_or_null(const char *s)
{
    return s && s[0] ? json_string(s) : json_null();
}

/* The metadata: `r` NULL while the recording runs, the recorder's counts at
 * the end. */
static char *metadata(const kn_record_info *info, const kn_recorder *r, const kn_feed_stats *stats)
{
    json_t *root = json_object();
    json_object_set_new(root, "kinest_clip", json_integer(1));
    json_object_set_new(root, "source", json_string("live"));
    json_object_set_new(root, "live", json_true());
    json_object_set_new(root, "recorder", json_string(KN_LAYER_NAME " (KINEST_RECORD)"));
    json_object_set_new(root, "recording",
                        json_string(!r            ? "interrupted"
                                    : r->complete ? "complete"
                                                  : "incomplete"));

    json_t *runtime = json_object();
    json_object_set_new(runtime, "name", json_string(info->runtime_name));
    json_object_set_new(runtime, "version", version_string(info->runtime_version));
    json_object_set_new(root, "runtime", runtime);
    json_t *system = json_object();
    json_object_set_new(system, "name", json_string(info->system_name));
    json_object_set_new(system, "vendor_id", json_integer(info->vendor_id));
    json_object_set_new(root, "system", system);
    json_t *app = json_object();
    json_object_set_new(app, "name", json_string(info->application));
    json_object_set_new(app, "engine", json_string(info->engine));
    json_object_set_new(root, "application", app);

    json_object_set_new(root, "base_space", json_string(info->base_space));
    json_t *floor = json_object();
    json_object_set_new(floor, "estimated", json_boolean(info->floor.estimated));
    if (info->floor.estimated) {
        json_object_set_new(floor, "method",
                            json_string("highest head height seen minus the standing eye height"));
        json_object_set_new(floor, "eye_height_m", json_real(info->floor.eye_height_m));
        json_object_set_new(floor, "floor_y_m",
                            info->floor.have_head ? json_real(info->floor.floor_y) : json_null());
    }
    json_object_set_new(root, "floor", floor);
    json_object_set_new(root, "time",
                        json_string("XrTime of the runtime's clock, ns; device poses in the base "
                                    "space with the floor at y = 0"));
    json_t *profile = json_object();
    json_object_set_new(profile, "left", string_or_null(info->profile_left));
    json_object_set_new(profile, "right", string_or_null(info->profile_right));
    json_object_set_new(root, "interaction_profile", profile);
    json_object_set_new(root, "grip_actions", string_or_null(info->actions));

    if (r) {
        json_t *sources = json_object();
        for (int i = 0; i < KN_TIME_SOURCE_COUNT; i++)
            json_object_set_new(sources, source_names[i],
                                json_integer((json_int_t)r->by_source[i]));
        json_object_set_new(root, "time_sources", sources);
        json_object_set_new(root, "frames_dropped",
                            json_integer(stats ? (json_int_t)stats->dropped : 0));
        json_object_set_new(root, "write_failed", json_boolean(r->failed));
    }
    char *text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    return text;
}

/* Created without following a symlink and without blocking (a FIFO nobody
 * reads would hang open()), and refused unless a regular file. */
static FILE *open_regular(const char *path, kn_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
    if (fd < 0) {
        kn_fail(err, KN_ERROR_IO, "cannot create it: %s", strerror(errno));
        return NULL;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || ftruncate(fd, 0) != 0) {
        kn_fail(err, KN_ERROR_IO, "not a regular file");
        close(fd);
        return NULL;
    }
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        kn_fail(err, KN_ERROR_IO, "%s", strerror(errno));
        close(fd);
    }
    return f;
}

kn_recorder *kn_recorder_open(const char *path, unsigned index, const kn_record_info *info)
{
    kn_recorder *r = calloc(1, sizeof *r);
    char *text = metadata(info, NULL, NULL);
    char *padded = NULL;
    if (r)
        r->path = numbered_path(path, index);
    if (text && r && r->path) {
        r->meta_bytes = strlen(text) + METADATA_RESERVE;
        padded = malloc(r->meta_bytes + 1);
    }
    if (!padded) {
        KN_LOG_W("%s: out of memory; not recording", KN_ENV_RECORD);
        free(text);
        if (r)
            free(r->path);
        free(r);
        return NULL;
    }
    size_t n = strlen(text);
    memcpy(padded, text, n);
    memset(padded + n, ' ', r->meta_bytes - n);
    padded[r->meta_bytes] = '\0';
    free(text);

    kn_error err;
    FILE *f = open_regular(r->path, &err);
    r->fd = f ? dup(fileno(f)) : -1;
    kn_status st = !f          ? KN_ERROR_IO
                   : r->fd < 0 ? kn_fail(&err, KN_ERROR_IO, "%s", strerror(errno))
                               : kn_clip_writer_open_file(f, r->path, 0, 0, NOMINAL_RATE_HZ, padded,
                                                          &r->writer, &err);
    if (f && r->fd < 0)
        fclose(f);
    free(padded);
    if (st != KN_OK) {
        KN_LOG_W("%s=\"%s\": %s; not recording", KN_ENV_RECORD, r->path, err.message);
        if (r->fd >= 0)
            close(r->fd);
        free(r->path);
        free(r);
        return NULL;
    }
    KN_LOG_I("recording the session's device poses to %s", r->path);
    return r;
}

void kn_recorder_consume(void *user, const kn_device_frame *frames, size_t count)
{
    kn_recorder *r = user;
    for (size_t i = 0; i < count && !r->failed; i++) {
        const kn_device_frame *f = &frames[i];
        if (r->frames && f->time <= r->last_time)
            continue; /* the session keeps times increasing; never write a file that reads bad */
        kn_error err;
        if (kn_clip_writer_append(r->writer, f->time, f->devices, NULL, NULL, &err) != KN_OK) {
            KN_LOG_W("%s: %s; the recording stops here", r->path, err.message);
            r->failed = true;
            return;
        }
        if (r->frames == 0)
            r->first_time = f->time;
        r->last_time = f->time;
        r->frames++;
        if (f->source < KN_TIME_SOURCE_COUNT)
            r->by_source[f->source]++;
    }
}

static void put_f32(unsigned char out[4], float v)
{
    uint32_t u;
    memcpy(&u, &v, 4);
    for (int i = 0; i < 4; i++)
        out[i] = (unsigned char)(u >> (8 * i));
}

/* The metadata and rate known at the end, written over the provisional ones
 * (same length: the rest of the file does not move). */
static bool complete_header(kn_recorder *r, const kn_record_info *info, const kn_feed_stats *stats)
{
    char *text = metadata(info, r, stats);
    if (!text)
        return false;
    size_t n = strlen(text);
    if (n > r->meta_bytes) {
        KN_LOG_W("%s: the final metadata does not fit; the provisional one stays", r->path);
        free(text);
        return false;
    }
    char *padded = realloc(text, r->meta_bytes);
    if (!padded) {
        free(text);
        return false;
    }
    memset(padded + n, ' ', r->meta_bytes - n);
    bool ok =
        pwrite(r->fd, padded, r->meta_bytes, HEADER_METADATA_OFFSET) == (ssize_t)r->meta_bytes;
    if (ok && r->frames >= 2 && r->last_time > r->first_time) {
        float rate =
            (float)((double)(r->frames - 1) * 1e9 / (double)(r->last_time - r->first_time));
        unsigned char b[4];
        put_f32(b, rate);
        if (isfinite(rate) && rate > 0)
            ok = pwrite(r->fd, b, 4, HEADER_RATE_OFFSET) == 4;
    }
    free(padded);
    return ok;
}

bool kn_recorder_close(kn_recorder *r, const kn_record_info *info, const kn_feed_stats *stats)
{
    if (!r)
        return true;
    kn_error err;
    bool ok = kn_clip_writer_close(r->writer, &err) == KN_OK;
    if (!ok)
        KN_LOG_W("%s: %s", r->path, err.message);
    /* The metadata says whether every frame got there ("incomplete"). */
    r->complete = ok && !r->failed;
    if (!complete_header(r, info, stats)) {
        KN_LOG_W("%s: cannot complete the metadata", r->path);
        ok = false;
    }
    close(r->fd);
    if (ok)
        KN_LOG_I("recorded %llu frames to %s", (unsigned long long)r->frames, r->path);
    free(r->path);
    free(r);
    return ok;
}

const char *kn_recorder_path(const kn_recorder *r)
{
    return r ? r->path : NULL;
}
