/* kinest-clip: reads a clip file through libkinest's reader and prints what
 * is in it: header, metadata, device tracking and the body's extent. Used to
 * inspect imported clips and KINEST_RECORD captures. */
#include "clip/kn_clip.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const device_names[KN_CLIP_DEVICE_COUNT] = {"head", "left grip", "right grip"};

static void usage(FILE *out)
{
    fprintf(out, "usage: kinest-clip info CLIP [--frames N]\n"
                 "  Validates CLIP (docs/formats.md) and prints a summary and the first N\n"
                 "  frames' device poses (default 3).\n");
}

static void print_summary(const kn_clip *c)
{
    double seconds =
        c->frame_count > 1 ? (double)(c->time_ns[c->frame_count - 1] - c->time_ns[0]) * 1e-9 : 0.0;
    printf("frames        %u (%.2f s at %.1f Hz nominal)\n", c->frame_count, seconds,
           (double)c->rate_hz);
    printf("sections      devices%s%s\n", c->truth ? " + truth joints" : "",
           c->pred ? " + predicted joints" : "");
    printf("metadata      %.200s%s\n", c->metadata, strlen(c->metadata) > 200 ? " ..." : "");
    for (int d = 0; d < KN_CLIP_DEVICE_COUNT; d++) {
        uint32_t tracked = 0;
        float lo = INFINITY, hi = -INFINITY;
        for (uint32_t f = 0; f < c->frame_count; f++) {
            const kn_device_sample *s = &c->devices[(size_t)f * KN_CLIP_DEVICE_COUNT + d];
            if ((s->flags & (KN_FLAG_POSITION_VALID | KN_FLAG_ORIENTATION_VALID)) ==
                (KN_FLAG_POSITION_VALID | KN_FLAG_ORIENTATION_VALID)) {
                tracked++;
                lo = fminf(lo, s->pose.position[1]);
                hi = fmaxf(hi, s->pose.position[1]);
            }
        }
        printf("%-13s valid in %5.1f%% of frames, height %.3f .. %.3f m\n", device_names[d],
               c->frame_count ? 100.0 * tracked / c->frame_count : 0.0, tracked ? (double)lo : 0.0,
               tracked ? (double)hi : 0.0);
    }
    if (c->truth) {
        float lo = INFINITY, hi = -INFINITY;
        for (size_t k = 0; k < (size_t)c->frame_count * c->joint_count; k++) {
            lo = fminf(lo, c->truth[k].position[1]);
            hi = fmaxf(hi, c->truth[k].position[1]);
        }
        printf("truth joints  height %.3f .. %.3f m over %u joints\n", (double)lo, (double)hi,
               c->joint_count);
    }
}

static void print_frames(const kn_clip *c, uint32_t n)
{
    for (uint32_t f = 0; f < n && f < c->frame_count; f++) {
        printf("frame %u  t = %.4f s\n", f, (double)(c->time_ns[f] - c->time_ns[0]) * 1e-9);
        for (int d = 0; d < KN_CLIP_DEVICE_COUNT; d++) {
            const kn_device_sample *s = &c->devices[(size_t)f * KN_CLIP_DEVICE_COUNT + d];
            printf("  %-11s flags 0x%x  position (%+.3f %+.3f %+.3f)  orientation (%+.3f %+.3f "
                   "%+.3f %+.3f)\n",
                   device_names[d], s->flags, (double)s->pose.position[0],
                   (double)s->pose.position[1], (double)s->pose.position[2],
                   (double)s->pose.orientation[0], (double)s->pose.orientation[1],
                   (double)s->pose.orientation[2], (double)s->pose.orientation[3]);
        }
    }
}

int main(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        usage(stdout);
        return 0;
    }
    if (argc < 3 || strcmp(argv[1], "info") != 0) {
        usage(stderr);
        return 2;
    }
    long frames = 3;
    for (int i = 3; i < argc; i++) {
        char *end = NULL;
        if (!strcmp(argv[i], "--frames") && i + 1 < argc) {
            frames = strtol(argv[++i], &end, 10);
            if (*end || frames < 0) {
                fprintf(stderr, "kinest-clip: --frames wants a count, not '%s'\n", argv[i]);
                return 2;
            }
        } else {
            usage(stderr);
            return 2;
        }
    }
    kn_clip clip;
    kn_error err;
    if (kn_clip_read_file(argv[2], &clip, &err) != KN_OK) {
        fprintf(stderr, "kinest-clip: %s\n", err.message);
        return 1;
    }
    printf("clip          %s\n", argv[2]);
    print_summary(&clip);
    print_frames(&clip, (uint32_t)frames);
    kn_clip_free(&clip);
    return 0;
}
