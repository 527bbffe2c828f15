/* kinest-run: the engine (include/kinest.h, nothing else of it) over clip
 * files, offline. Each frame's devices are pushed at the frame's time, the
 * worker is flushed, and the canonical body at that time is written into
 * the clip's prediction section (HAS_PRED), for `tools/kinest eval`.
 *
 *   kinest-run [--weights W] [--backend auto|cpu|vulkan|ik]
 *              [--body full|reference] [--skeleton clip|auto|height] [--height M]
 *              [--height-scale F]
 *              [--smoothing S] [--posture auto|standing|seated]
 *              [--lose-head START:SECONDS] [--ahead MS] [--quiet | --verbose]
 *              IN.kclip|DIR --out OUT.kclip|DIR
 *
 * A directory is processed recursively (every *.kclip), mirroring its
 * layout under --out. docs/engine.md ("kinest-run") has the details. */
#include "kinest.h"

#include "clip/kn_clip.h"
#include "skeleton/kn_device_mount.h"
#include "skeleton/kn_skeleton.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

typedef struct options {
    const char *weights;
    kinest_backend backend;
    const char *body;     /* "full", "reference" or "feet" */
    const char *skeleton; /* "clip", "auto" or "height" */
    float height_m;
    float height_scale;     /* --skeleton height: times the clip's own height */
    float default_height_m; /* the engine's before any calibration */
    float smoothing;        /* negative: the weights' */
    kinest_posture posture;
    double lose_from_s, lose_s; /* head not valid for lose_s from lose_from_s (clip time) */
    int64_t ahead_ns;           /* bodies read this far past each frame's time */
    kinest_log_level log_level;
    const char *in, *out;
} options;

typedef struct totals {
    unsigned long clips, frames, inactive, refused, failed;
    double seconds;
} totals;

static int usage(void)
{
    fprintf(stderr,
            "usage: kinest-run [--weights W] [--backend auto|cpu|vulkan|ik] [--body "
            "full|reference|feet]\n"
            "                  [--skeleton clip|auto|height] [--height M] [--smoothing S]\n"
            "                  [--posture auto|standing|seated] [--lose-head START:SECONDS]\n"
            "                  [--ahead MS] [--quiet|--verbose] IN.kclip|DIR --out OUT.kclip|DIR\n"
            "  --body reference: no hands on the grips, no feet above the floor (as tools/kinest "
            "predict)\n"
            "  --body feet: feet that stand and soles on the floor, no hands on the grips (as "
            "tools/kinest predict --feet)\n"
            "  --skeleton clip: the clip's own skeleton from its metadata (default); auto: "
            "automatic height calibration; height: the default skeleton at the clip's own height\n"
            "  --height-scale F: with --skeleton height, the clip's height times F (0.5-1.5)\n"
            "  --smoothing S: the model's output smoothing, 0 (off) <= S < 1 (default: the "
            "weights' value)\n"
            "  --posture: when automatic calibration may take the height from the head "
            "(docs/engine.md; default auto)\n"
            "  --lose-head START:SECONDS: the head not valid (flags 0) for SECONDS from START s\n"
            "  --ahead MS: each body read MS ms past its frame (as at a predicted display time)\n");
    return 2;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* mkdir -p of the directory part of path. */
static bool make_parents(const char *path)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return false;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "kinest-run: cannot create %s: %s\n", buf, strerror(errno));
            return false;
        }
        *p = '/';
    }
    return true;
}

/* The clip's own skeleton (metadata "skeleton": "offsets_m" 21 x 3,
 * "standing_head_height_m"). */
static bool clip_skeleton(const kn_clip *clip, float offsets[63], float *standing)
{
    json_error_t jerr;
    json_t *meta = json_loads(clip->metadata ? clip->metadata : "{}", 0, &jerr);
    bool ok = false;
    json_t *sk = meta ? json_object_get(meta, "skeleton") : NULL;
    json_t *off = sk ? json_object_get(sk, "offsets_m") : NULL;
    json_t *head = sk ? json_object_get(sk, "standing_head_height_m") : NULL;
    if (json_is_array(off) && json_array_size(off) == 21 && json_is_number(head)) {
        ok = true;
        for (size_t j = 0; j < 21 && ok; j++) {
            json_t *row = json_array_get(off, j);
            ok = json_is_array(row) && json_array_size(row) == 3;
            for (size_t i = 0; i < 3 && ok; i++) {
                json_t *v = json_array_get(row, i);
                ok = json_is_number(v);
                offsets[3 * j + i] = ok ? (float)json_number_value(v) : 0.0f;
            }
        }
        *standing = (float)json_number_value(head);
    }
    json_decref(meta);
    return ok;
}

/* The input's metadata with a "prediction" object saying what made it. */
static char *output_metadata(const kn_clip *clip, const options *o, kinest_engine *e,
                             const char *skeleton, json_t *inactive)
{
    json_error_t jerr;
    json_t *meta = json_loads(clip->metadata ? clip->metadata : "{}", 0, &jerr);
    if (!json_is_object(meta)) {
        json_decref(meta);
        meta = json_object();
    }
    json_t *pred = json_pack(
        "{s:s, s:s, s:s, s:s, s:s}", "engine", "kinest-run (libkinest, include/kinest.h)",
        "backend", kinest_backend_name(kinest_get_backend(e)), "body", o->body, "skeleton",
        skeleton, "weights",
        kinest_get_backend(e) == KINEST_BACKEND_IK ? "none"
                                                   : (o->weights ? o->weights : "default"));
    /* Frames [first, end) without a body (they keep the last one), and the
     * faults asked for: for tools/kinest faults. */
    json_object_set(pred, "inactive", inactive);
    if (o->lose_s > 0.0)
        json_object_set_new(pred, "lose_head", json_pack("[f, f]", o->lose_from_s, o->lose_s));
    json_object_set_new(pred, "ahead_ms", json_real((double)o->ahead_ns / 1e6));
    /* The calibration the clip ended with: for tools/kinest height. */
    kinest_calibration_state state;
    float height_m;
    if (kinest_get_calibration(e, &state, &height_m) == KINEST_SUCCESS)
        json_object_set_new(pred, "calibration",
                            json_pack("{s:s, s:f}", "state",
                                      state == KINEST_CALIBRATION_VALID         ? "valid"
                                      : state == KINEST_CALIBRATION_CALIBRATING ? "calibrating"
                                                                                : "invalid",
                                      "height_m", (double)height_m));
    json_object_set_new(meta, "prediction", pred);
    char *text = json_dumps(meta, JSON_COMPACT);
    json_decref(meta);
    return text;
}

static void to_public(const kn_device_sample *in, kinest_device_pose *out)
{
    out->flags = in->flags;
    memcpy(out->pose.orientation, in->pose.orientation, sizeof out->pose.orientation);
    memcpy(out->pose.position, in->pose.position, sizeof out->pose.position);
}

static bool run_clip(kinest_engine *e, const options *o, const char *in_path, const char *out_path,
                     totals *tot)
{
    kn_clip clip;
    kn_error err = {0};
    if (kn_clip_read_file(in_path, &clip, &err) != KN_OK) {
        fprintf(stderr, "kinest-run: %s: %s\n", in_path, err.message);
        return false;
    }
    kinest_reset(e);
    const char *skeleton = "auto";
    float offsets[63], standing;
    bool known = strcmp(o->skeleton, "auto") != 0 && clip_skeleton(&clip, offsets, &standing);
    if (known && strcmp(o->skeleton, "clip") == 0 &&
        kinest_set_skeleton(e, offsets, standing) == KINEST_SUCCESS) {
        skeleton = "clip";
    } else if (known && strcmp(o->skeleton, "height") == 0 &&
               kinest_set_height(e, o->height_scale * (standing + KN_EYE_OFFSET_Y) /
                                        KN_EYE_HEIGHT_PER_BODY_HEIGHT) == KINEST_SUCCESS) {
        /* The default proportions at the clip's true standing head height
         * (or a given error off it): splits calibration's height error from
         * its proportions'. */
        skeleton = "clip height";
    } else if (o->height_m > 0.0f) {
        kinest_set_height(e, o->height_m);
        skeleton = "height";
    } else {
        /* Every clip calibrates afresh from the default height, as a new
         * user's session does, not from the last clip's estimate (which
         * kinest_reset_height keeps until a new one is ready). */
        kinest_set_height(e, o->default_height_m);
        kinest_reset_height(e);
    }

    size_t n = clip.frame_count;
    kn_pose *pred = calloc(n ? n * KN_CLIP_JOINT_COUNT : 1, sizeof *pred);
    if (!pred) {
        kn_clip_free(&clip);
        return false;
    }
    /* The engine wants times > 0: the first frame goes in at 1 s. */
    int64_t offset = n ? 1000000000LL - clip.time_ns[0] : 0;
    kinest_joint_location joints[KINEST_CANONICAL_JOINT_COUNT];
    kn_pose last[KN_CLIP_JOINT_COUNT];
    bool have_last = false;
    for (int j = 0; j < (int)KN_CLIP_JOINT_COUNT; j++)
        kn_pose_identity(&last[j]);
    unsigned long inactive = 0, refused = 0;
    json_t *ranges = json_array();
    bool ok = ranges != NULL;
    for (size_t f = 0; f < n && ok; f++) {
        kinest_device_pose dev[KINEST_DEVICE_COUNT];
        for (int d = 0; d < KINEST_DEVICE_COUNT; d++)
            to_public(&clip.devices[f * KN_CLIP_DEVICE_COUNT + d], &dev[d]);
        double since_start = (double)(clip.time_ns[f] - clip.time_ns[0]) / 1e9;
        if (since_start >= o->lose_from_s && since_start < o->lose_from_s + o->lose_s)
            dev[KINEST_DEVICE_HEAD].flags = 0;
        int64_t t = clip.time_ns[f] + offset;
        kinest_status st = kinest_push_devices(e, t, dev);
        if (st != KINEST_SUCCESS)
            refused++;
        st = kinest_flush(e);
        kinest_body_info info = {0};
        if (st == KINEST_SUCCESS)
            st = kinest_get_body(e, KINEST_JOINT_SET_CANONICAL, t + o->ahead_ns,
                                 KINEST_CANONICAL_JOINT_COUNT, joints, &info);
        if (st != KINEST_SUCCESS) {
            fprintf(stderr, "kinest-run: %s: frame %zu: %s\n", in_path, f,
                    kinest_status_string(st));
            ok = false;
            break;
        }
        if (info.active) {
            for (int j = 0; j < (int)KN_CLIP_JOINT_COUNT; j++) {
                memcpy(last[j].orientation, joints[j].pose.orientation, sizeof(float) * 4);
                memcpy(last[j].position, joints[j].pose.position, sizeof(float) * 3);
            }
            have_last = true;
        } else {
            /* Extends the last range when it ends here, else opens one. */
            json_t *last_range = json_array_get(ranges, json_array_size(ranges) - 1);
            if (last_range && json_integer_value(json_array_get(last_range, 1)) == (json_int_t)f)
                json_array_set_new(last_range, 1, json_integer((json_int_t)f + 1));
            else
                json_array_append_new(ranges,
                                      json_pack("[I, I]", (json_int_t)f, (json_int_t)f + 1));
            inactive++;
        }
        /* Inactive frames keep the last body (or the identity before any). */
        memcpy(pred + f * KN_CLIP_JOINT_COUNT, last, sizeof last);
    }
    (void)have_last;
    if (ok) {
        char *meta = output_metadata(&clip, o, e, skeleton, ranges);
        kn_clip out = clip;
        out.joint_count = KN_CLIP_JOINT_COUNT;
        out.flags |= KN_CLIP_HAS_PRED;
        out.pred = pred;
        out.metadata = meta;
        if (!(clip.flags & KN_CLIP_HAS_TRUTH))
            out.truth = NULL;
        ok = make_parents(out_path) && kn_clip_write_file(out_path, &out, &err) == KN_OK;
        if (!ok && err.message[0])
            fprintf(stderr, "kinest-run: %s: %s\n", out_path, err.message);
        free(meta);
    }
    if (inactive)
        fprintf(stderr, "kinest-run: %s: %lu of %zu frames had no body (the last one was kept)\n",
                in_path, inactive, n);
    json_decref(ranges);
    tot->clips += ok;
    tot->failed += !ok;
    tot->frames += n;
    tot->inactive += inactive;
    tot->refused += refused;
    free(pred);
    kn_clip_free(&clip);
    return ok;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.kclip under in_dir (sorted, recursive) to the same place under out_dir. */
static bool run_dir(kinest_engine *e, const options *o, const char *in_dir, const char *out_dir,
                    totals *tot)
{
    DIR *dir = opendir(in_dir);
    if (!dir) {
        fprintf(stderr, "kinest-run: cannot read %s: %s\n", in_dir, strerror(errno));
        return false;
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    struct dirent *ent;
    while ((ent = readdir(dir))) {
        if (ent->d_name[0] == '.')
            continue;
        if (count == cap) {
            cap = cap ? 2 * cap : 64;
            char **grown = realloc(names, cap * sizeof *names);
            if (!grown)
                break;
            names = grown;
        }
        names[count++] = strdup(ent->d_name);
    }
    closedir(dir);
    if (count)
        qsort(names, count, sizeof *names, by_name);
    bool ok = true;
    for (size_t i = 0; i < count; i++) {
        char in[PATH_MAX], out[PATH_MAX];
        snprintf(in, sizeof in, "%s/%s", in_dir, names[i]);
        snprintf(out, sizeof out, "%s/%s", out_dir, names[i]);
        if (is_dir(in))
            ok = run_dir(e, o, in, out, tot) && ok;
        else if (ends_with(names[i], ".kclip"))
            ok = run_clip(e, o, in, out, tot) && ok;
        free(names[i]);
    }
    free(names);
    return ok;
}

/* What the engine accepts: 0 (off) <= s < 1. */
static bool parse_smoothing(const char *s, float *out)
{
    char *end;
    float v = strtof(s, &end);
    if (end == s || *end != '\0' || !(v >= 0.0f && v < 1.0f))
        return false;
    *out = v;
    return true;
}

static bool parse_backend(const char *s, kinest_backend *out)
{
    const kinest_backend all[] = {KINEST_BACKEND_AUTO, KINEST_BACKEND_CPU, KINEST_BACKEND_VULKAN,
                                  KINEST_BACKEND_IK};
    for (int i = 0; i < 4; i++)
        if (strcmp(s, kinest_backend_name(all[i])) == 0) {
            *out = all[i];
            return true;
        }
    return false;
}

int main(int argc, char **argv)
{
    options o = {.backend = KINEST_BACKEND_AUTO,
                 .body = "full",
                 .skeleton = "clip",
                 .height_scale = 1.0f,
                 .smoothing = -1.0f,
                 .log_level = KINEST_LOG_WARN};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--weights") == 0 && v) {
            o.weights = v, i++;
        } else if (strcmp(a, "--backend") == 0 && v) {
            if (!parse_backend(v, &o.backend))
                return usage();
            i++;
        } else if (strcmp(a, "--body") == 0 && v) {
            if (strcmp(v, "reference") != 0 && strcmp(v, "full") != 0 && strcmp(v, "feet") != 0)
                return usage();
            o.body = v, i++;
        } else if (strcmp(a, "--skeleton") == 0 && v) {
            if (strcmp(v, "clip") != 0 && strcmp(v, "auto") != 0 && strcmp(v, "height") != 0)
                return usage();
            o.skeleton = v, i++;
        } else if (strcmp(a, "--height") == 0 && v) {
            o.height_m = strtof(v, NULL), i++;
            o.skeleton = "auto";
        } else if (strcmp(a, "--height-scale") == 0 && v) {
            o.height_scale = strtof(v, NULL), i++;
            if (!(o.height_scale >= 0.5f && o.height_scale <= 1.5f))
                return usage();
        } else if (strcmp(a, "--smoothing") == 0 && v) {
            if (!parse_smoothing(v, &o.smoothing))
                return usage();
            i++;
        } else if (strcmp(a, "--lose-head") == 0 && v) {
            if (sscanf(v, "%lf:%lf", &o.lose_from_s, &o.lose_s) != 2 || !(o.lose_from_s >= 0.0) ||
                !(o.lose_s > 0.0))
                return usage();
            i++;
        } else if (strcmp(a, "--ahead") == 0 && v) {
            double ms = strtod(v, NULL);
            if (!(ms >= 0.0 && ms <= 1000.0))
                return usage();
            o.ahead_ns = (int64_t)(ms * 1e6), i++;
        } else if (strcmp(a, "--posture") == 0 && v) {
            static const char *const postures[] = {"auto", "standing", "seated"};
            int k = 0;
            while (k < 3 && strcmp(v, postures[k]) != 0)
                k++;
            if (k == 3)
                return usage();
            o.posture = (kinest_posture)k, i++;
        } else if (strcmp(a, "--out") == 0 && v) {
            o.out = v, i++;
        } else if (strcmp(a, "--quiet") == 0) {
            o.log_level = KINEST_LOG_ERROR;
        } else if (strcmp(a, "--verbose") == 0) {
            o.log_level = KINEST_LOG_INFO;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage();
            return 0;
        } else if (a[0] != '-' && !o.in) {
            o.in = a;
        } else {
            return usage();
        }
    }
    if (!o.in || !o.out)
        return usage();
    if (o.backend != KINEST_BACKEND_IK && !o.weights)
        fprintf(stderr, "kinest-run: no --weights: the default installed weights\n");

    kinest_config cfg;
    kinest_config_init(&cfg);
    cfg.backend = o.backend;
    cfg.log_level = o.log_level;
    cfg.body_flags = !strcmp(o.body, "full")   ? KINEST_BODY_DEFAULT
                     : !strcmp(o.body, "feet") ? KINEST_BODY_FEET_ABOVE_FLOOR
                                               : 0;
    if (o.height_m != 0.0f)
        cfg.height_m = o.height_m;
    cfg.smoothing = o.smoothing;
    cfg.posture = o.posture;
    kinest_engine *e = NULL;
    kinest_status st = kinest_create(o.weights, &cfg, &e);
    if (st != KINEST_SUCCESS) {
        fprintf(stderr, "kinest-run: cannot create the engine: %s\n", kinest_status_string(st));
        return 1;
    }
    kinest_get_calibration(e, NULL, &o.default_height_m);
    kinest_backend ran = kinest_get_backend(e);
    /* A model was asked for and the weights did not load: do not score the IK
     * under the model's name. */
    if (o.backend != KINEST_BACKEND_IK && ran == KINEST_BACKEND_IK) {
        fprintf(stderr,
                "kinest-run: backend %s asked for, but the weights did not load (see "
                "above); refusing to run the IK instead\n",
                kinest_backend_name(o.backend));
        kinest_destroy(e);
        return 1;
    }
    if (o.backend == KINEST_BACKEND_VULKAN && ran != KINEST_BACKEND_VULKAN)
        fprintf(stderr, "kinest-run: Vulkan is not usable here; running on the %s\n",
                kinest_backend_name(ran));

    totals tot = {0};
    double t0 = now_s();
    bool ok;
    if (is_dir(o.in))
        ok = run_dir(e, &o, o.in, o.out, &tot);
    else
        ok = run_clip(e, &o, o.in, o.out, &tot);
    tot.seconds = now_s() - t0;
    kinest_stats stats;
    kinest_get_stats(e, &stats);
    fprintf(stderr,
            "kinest-run: %lu clips, %lu frames in %.1f s (%s backend, %s body, model step %.3f ms "
            "mean); %lu failed, %lu frames without a body, %lu pushes refused, %llu ticks "
            "skipped\n",
            tot.clips, tot.frames, tot.seconds, kinest_backend_name(ran), o.body,
            stats.step_ms_mean, tot.failed, tot.inactive, tot.refused,
            (unsigned long long)stats.ticks_skipped);
    kinest_destroy(e);
    return ok && tot.failed == 0 ? 0 : 1;
}
