/* Pieces of the signal conditioner shared by its files. */
#ifndef KN_SIGNAL_PARTS_H
#define KN_SIGNAL_PARTS_H

#include "signal/kn_signal.h"

/* Both VALID bits: the pose may be used. */
bool signal_valid(const kn_device_sample *d);
/* i-th stored sample, oldest first. */
kn_signal_sample *signal_sample(kn_signal *s, int i);
/* The head's yaw frame: at the head position, turned only about +Y like
 * the head's forward axis (no yaw when it looks straight up or down). */
void signal_yaw_frame(const kn_pose *head, kn_pose *out);
float signal_yaw(const versor q);
void signal_interpolate(const kn_pose *a, const kn_pose *b, float u, kn_pose *out);
/* Drops the oldest stored sample (consuming it first if needed); overflow:
 * it is dropped for room, before its ticks were made (counted). */
void signal_drop_oldest(kn_signal *s, bool overflow);
/* Takes a sample's valid poses as the devices' last valid ones. */
void signal_consume(kn_signal *s, kn_signal_sample *smp);
/* Head jump check on a new sample; re-bases the history when it is one. */
bool signal_check_teleport(kn_signal *s, const kn_signal_sample *smp);

#endif
