/* A session's recording (KINEST_RECORD): its description, the recorder on
 * a feed of its own, and its end, which never waits long for the file
 * (session_recording.h). */
#include "body/session.h"
#include "common/log.h"

#include <stdlib.h>
#include <string.h>

void kn_session_record_describe(kn_session *s, XrSystemId system)
{
    kn_record_info *info = &s->recording.info;
    const kn_instance *inst = s->inst;
    XrInstanceProperties ip = {.type = XR_TYPE_INSTANCE_PROPERTIES};
    if (XR_SUCCEEDED(inst->next.GetInstanceProperties(inst->handle, &ip))) {
        snprintf(info->runtime_name, sizeof info->runtime_name, "%s", ip.runtimeName);
        info->runtime_version = ip.runtimeVersion;
    }
    /* Straight down, without the layer's property structs. */
    XrSystemProperties sp = {.type = XR_TYPE_SYSTEM_PROPERTIES};
    if (XR_SUCCEEDED(inst->next.GetSystemProperties(inst->handle, system, &sp))) {
        snprintf(info->system_name, sizeof info->system_name, "%s", sp.systemName);
        info->vendor_id = sp.vendorId;
    }
    snprintf(info->application, sizeof info->application, "%s", inst->emulation->application);
    snprintf(info->engine, sizeof info->engine, "%s", inst->emulation->engine);
    info->base_space = kn_space_name(s->base_type);
    info->floor = s->sampling.floor;
}

static const char *attach_name(int attach)
{
    switch (attach) {
    case KN_ATTACH_MERGED:
        return "merged into the application's action sets";
    case KN_ATTACH_APP_ONLY:
        return "refused: the application's sets only, no grips";
    case KN_ATTACH_LAYER:
        return "the layer's own: the application never attached";
    case KN_ATTACH_FAILED:
        return "the layer's own attach failed: no grips";
    default:
        return "never attached: no grips";
    }
}

/* KINEST_RECORD: the recorder on a feed of its own (its own thread and
 * bounded ring, dropping with a count when the file falls behind), so that
 * a slow or stalled file never holds the engine's samples up. */
void kn_session_record_start(kn_session *s)
{
    kn_emulation *emu = s->inst->emulation;
    if (!emu->settings.record[0])
        return;
    pthread_mutex_lock(&emu->sessions_lock);
    unsigned index = emu->recordings++;
    pthread_mutex_unlock(&emu->sessions_lock);
    s->recording.info.actions = attach_name(KN_ATTACH_NONE);
    s->recording.recorder = kn_recorder_open(emu->settings.record, index, &s->recording.info);
    if (!s->recording.recorder)
        return;
    kn_feed_consumer c = {.user = s->recording.recorder, .consume = kn_recorder_consume};
    s->recording.feed = kn_feed_create(KN_FEED_CAPACITY);
    if (!s->recording.feed || !kn_feed_add_consumer(s->recording.feed, &c) ||
        !kn_feed_start(s->recording.feed)) {
        KN_LOG_W("%s: cannot start the recording thread; not recording", KN_ENV_RECORD);
        kn_feed_free(s->recording.feed);
        s->recording.feed = NULL;
        kn_recorder_close(s->recording.recorder, &s->recording.info, NULL);
        s->recording.recorder = NULL;
    }
}

/* A recording whose file stopped taking writes, closed by its own thread
 * whenever the write returns. */
typedef struct kn_late_recording {
    kn_recorder *recorder;
    kn_record_info info;
} kn_late_recording;

static void close_late_recording(void *user)
{
    kn_late_recording *late = user;
    kn_recorder_close(late->recorder, &late->info, NULL);
    free(late);
}

/* The recording ends with the session, which never waits long for it: a
 * file that takes no writes (a stalled network file system) is left to its
 * thread. Under s->work, the feed's producers stopped. */
static void stop_recording(kn_session *s)
{
    kn_feed_stats stats = {0};
    kn_late_recording *late = NULL;
    if (kn_feed_stop_within(s->recording.feed, KN_RECORD_STOP_NS, &stats)) {
        if (stats.dropped)
            KN_LOG_W("%s: %llu samples dropped (the writer fell behind)", KN_ENV_RECORD,
                     (unsigned long long)stats.dropped);
        kn_recorder_close(s->recording.recorder, &s->recording.info, &stats);
    } else if ((late = malloc(sizeof *late))) {
        KN_LOG_W("%s: the file has taken no writes for %.0f s (a stalled file system?); the "
                 "session ends without waiting, the recording is closed when the write returns",
                 KN_ENV_RECORD, (double)KN_RECORD_STOP_NS / 1e9);
        *late = (kn_late_recording){.recorder = s->recording.recorder, .info = s->recording.info};
        kn_feed_abandon(s->recording.feed, close_late_recording, late);
        s->recording.feed = NULL;
    } else {
        kn_feed_stop(s->recording.feed, NULL);
        kn_recorder_close(s->recording.recorder, &s->recording.info, NULL);
    }
    s->recording.recorder = NULL;
}

void kn_session_record_stop(kn_session *s, int attach)
{
    if (!s->recording.recorder)
        return;
    kn_record_info *info = &s->recording.info;
    pthread_mutex_lock(&s->lock);
    memcpy(info->profile_left, s->actions.profile[0], sizeof info->profile_left);
    memcpy(info->profile_right, s->actions.profile[1], sizeof info->profile_right);
    pthread_mutex_unlock(&s->lock);
    info->floor = s->sampling.floor;
    info->actions = attach_name(attach);
    stop_recording(s);
}
