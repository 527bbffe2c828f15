/* A session's recording (KINEST_RECORD, session_recording.c): the recorder
 * on a feed of its own, so that a slow file never holds the engine's
 * samples up. */
#ifndef KN_LAYER_SESSION_RECORDING_H
#define KN_LAYER_SESSION_RECORDING_H

#include "body/feed.h"
#include "body/recorder.h"

#include <openxr/openxr.h>

/* At the session's end the recording's thread gets this long to finish
 * its writes before the session ends without it. */
#define KN_RECORD_STOP_NS INT64_C(2000000000)

/* Under s->work once the session is made. */
typedef struct kn_session_recording {
    kn_feed *feed; /* to the recorder, its own thread; NULL: not recording */
    kn_recorder *recorder;
    kn_record_info info;
} kn_session_recording;

struct kn_session;

/* What the recording's header says of the runtime, system and application. */
void kn_session_record_describe(struct kn_session *s, XrSystemId system);
/* Opens the recording when KINEST_RECORD asks for one. */
void kn_session_record_start(struct kn_session *s);
/* Ends it, with the final profiles, floor and how the actions attached;
 * under s->work, the feed's producers stopped. */
void kn_session_record_stop(struct kn_session *s, int attach);

#endif
