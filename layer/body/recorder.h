/* KINEST_RECORD: the live device signals of a session, written to a clip
 * file (docs/formats.md) with the clip writer.
 *
 * The file is created when the session is (kn_recorder_open, on the
 * application's thread, once), so that a path that cannot be written is a
 * warning straight away and the session runs without recording. Frames are
 * written by the session's feed worker (kn_recorder_consume is a feed
 * consumer), never on an application thread. kn_recorder_close, after the
 * feed has stopped, closes the writer (which patches the frame count) and
 * then rewrites the metadata in place with what is only known at the end:
 * the interaction profiles, the final floor estimate, the measured rate. The
 * metadata written at open is padded with spaces (valid JSON whitespace) to
 * leave room for that, and rate_hz starts as the nominal 60 Hz. */
#ifndef KN_LAYER_RECORDER_H
#define KN_LAYER_RECORDER_H

#include "body/feed.h"
#include "body/floor.h"

#include <stdbool.h>
#include <stdint.h>

#define KN_RECORD_NAME_SIZE 256
#define KN_RECORD_PATH_SIZE 256 /* XR_MAX_PATH_LENGTH */

/* What the metadata says about the session. */
typedef struct kn_record_info {
    char runtime_name[KN_RECORD_NAME_SIZE];
    uint64_t runtime_version; /* XrVersion */
    char system_name[KN_RECORD_NAME_SIZE];
    uint32_t vendor_id;
    char application[KN_RECORD_NAME_SIZE];
    char engine[KN_RECORD_NAME_SIZE];
    const char *base_space;                 /* "STAGE" or "LOCAL" */
    char profile_left[KN_RECORD_PATH_SIZE]; /* interaction profile; empty: none known */
    char profile_right[KN_RECORD_PATH_SIZE];
    kn_floor floor;
    const char *actions; /* how the grips were obtained (see actions.c) */
} kn_record_info;

typedef struct kn_recorder kn_recorder;

/* Creates the file. With `index` > 0 (the process's later sessions) the
 * path gets "-<index+1>" before its extension, so that sessions do not
 * overwrite each other. NULL (after a warning) when it cannot be written. */
kn_recorder *kn_recorder_open(const char *path, unsigned index, const kn_record_info *info);
/* The feed consumer: appends frames (worker thread). */
void kn_recorder_consume(void *recorder, const kn_device_frame *frames, size_t count);
/* After the feed has stopped: closes the file and completes its metadata.
 * Frees the recorder. Returns false (after a warning) if the file is not
 * complete. */
bool kn_recorder_close(kn_recorder *recorder, const kn_record_info *info,
                       const kn_feed_stats *stats);
/* The path actually written (for logs and tests). */
const char *kn_recorder_path(const kn_recorder *recorder);

#endif
