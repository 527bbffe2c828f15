/* KINEST_* environment variables: grammar, defaults and warnings. */
#include "common/settings.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *kn_settings_env(const char *name)
{
    const char *v = getenv(name);
    return v && v[0] ? v : NULL;
}

static bool word_in(const char *value, const char *const *words)
{
    for (; *words; words++)
        if (strcasecmp(value, *words) == 0)
            return true;
    return false;
}

static bool parse_bool(const char *value, bool *out)
{
    static const char *const yes[] = {"1", "true", "yes", "on", NULL};
    static const char *const no[] = {"0", "false", "no", "off", NULL};
    if (word_in(value, yes))
        *out = true;
    else if (word_in(value, no))
        *out = false;
    else
        return false;
    return true;
}

bool kn_settings_parse_log_level(const char *value, kn_log_level *level)
{
    static const struct {
        const char *name;
        kn_log_level level;
    } names[] = {{"off", KN_LOG_OFF},    {"none", KN_LOG_OFF},     {"error", KN_LOG_ERROR},
                 {"warn", KN_LOG_WARN},  {"warning", KN_LOG_WARN}, {"info", KN_LOG_INFO},
                 {"debug", KN_LOG_DEBUG}};
    if (!value) {
        *level = KN_LOG_DEFAULT;
        return true;
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(value, names[i].name) == 0) {
            *level = names[i].level;
            return true;
        }
    return false;
}

/* The spellings of the word-valued settings, indexed by their enums. */
static const char *const backend_names[] = {"auto", "cpu", "vulkan", "ik"};
static const char *const posture_names[] = {"auto", "standing", "seated"};
#define COUNT(a) (int)(sizeof(a) / sizeof((a)[0]))

/* names[i], or names[0] (the default) for an index out of range. */
static const char *name_of(const char *const *names, int count, int i)
{
    return i >= 0 && i < count ? names[i] : names[0];
}

/* The index of value among names (any case); -1 if none. */
static int index_of(const char *value, const char *const *names, int count)
{
    for (int i = 0; i < count; i++)
        if (strcasecmp(value, names[i]) == 0)
            return i;
    return -1;
}

const char *kn_backend_setting_name(kn_backend_setting backend)
{
    return name_of(backend_names, COUNT(backend_names), (int)backend);
}

const char *kn_posture_setting_name(kn_posture_setting posture)
{
    return name_of(posture_names, COUNT(posture_names), (int)posture);
}

static bool parse_backend(const char *value, kn_backend_setting *out)
{
    int i = index_of(value, backend_names, COUNT(backend_names));
    if (i >= 0)
        *out = (kn_backend_setting)i;
    return i >= 0;
}

static bool parse_posture(const char *value, kn_posture_setting *out)
{
    int i = index_of(value, posture_names, COUNT(posture_names));
    if (i >= 0)
        *out = (kn_posture_setting)i;
    return i >= 0;
}

/* A height in metres strictly inside the calibration extension's range. */
static bool parse_height(const char *value, float *out)
{
    if (strcasecmp(value, "auto") == 0) {
        *out = 0.0f;
        return true;
    }
    char *end;
    float h = strtof(value, &end);
    if (end == value || *end != '\0' || !isfinite(h) || h <= KINEST_HEIGHT_MIN_M ||
        h >= KINEST_HEIGHT_MAX_M)
        return false;
    *out = h;
    return true;
}

/* A smoothing in [0, KN_SMOOTHING_MAX]. */
static bool parse_smoothing(const char *value, float *out)
{
    char *end;
    float v = strtof(value, &end);
    if (end == value || *end != '\0' || !(v >= 0.0f && v <= KN_SMOOTHING_MAX))
        return false;
    *out = v;
    return true;
}

static bool parse_path(const char *value, char out[KN_SETTINGS_PATH_SIZE])
{
    size_t n = strlen(value);
    if (n >= KN_SETTINGS_PATH_SIZE)
        return false;
    memcpy(out, value, n + 1);
    return true;
}

unsigned kn_settings_read(kn_settings *s)
{
    unsigned malformed = 0;
    const char *v;
    memset(s, 0, sizeof *s);
    s->log_level = KN_LOG_DEFAULT;
    s->smoothing = -1.0f;

    /* The logger reads KINEST_LOG itself and warns about it once. */
    if ((v = kn_settings_env(KN_ENV_LOG)) && !kn_settings_parse_log_level(v, &s->log_level))
        malformed++;
    if ((v = kn_settings_env(KN_ENV_FORCE)) && !parse_bool(v, &s->force)) {
        KN_LOG_W("%s=\"%s\" is not a boolean (1/0, true/false, yes/no, on/off); using 0",
                 KN_ENV_FORCE, v);
        malformed++;
    }
    if ((v = kn_settings_env(KN_ENV_SYNC)) && !parse_bool(v, &s->sync)) {
        KN_LOG_W("%s=\"%s\" is not a boolean (1/0, true/false, yes/no, on/off); using 0",
                 KN_ENV_SYNC, v);
        malformed++;
    }
    if ((v = kn_settings_env(KN_ENV_BACKEND)) && !parse_backend(v, &s->backend)) {
        KN_LOG_W("%s=\"%s\" is not one of auto, cpu, vulkan, ik; using auto", KN_ENV_BACKEND, v);
        malformed++;
    }
    if ((v = kn_settings_env(KN_ENV_HEIGHT)) && !parse_height(v, &s->height_m)) {
        KN_LOG_W("%s=\"%s\" is not a height in metres between %.1f and %.1f (or auto); "
                 "calibrating automatically",
                 KN_ENV_HEIGHT, v, (double)KINEST_HEIGHT_MIN_M, (double)KINEST_HEIGHT_MAX_M);
        malformed++;
    }
    if ((v = kn_settings_env(KN_ENV_SMOOTHING)) && !parse_smoothing(v, &s->smoothing)) {
        KN_LOG_W("%s=\"%s\" is not a number between 0 and %.2f; using the weights' smoothing",
                 KN_ENV_SMOOTHING, v, (double)KN_SMOOTHING_MAX);
        malformed++;
    }
    if ((v = kn_settings_env(KN_ENV_POSTURE)) && !parse_posture(v, &s->posture)) {
        KN_LOG_W("%s=\"%s\" is not one of auto, standing, seated; using auto", KN_ENV_POSTURE, v);
        malformed++;
    }
    if ((v = kn_settings_env(KN_ENV_MODEL)) && !parse_path(v, s->model)) {
        KN_LOG_W("%s is longer than %d bytes; using the default weights", KN_ENV_MODEL,
                 KN_SETTINGS_PATH_SIZE - 1);
        malformed++;
    }
    if ((v = kn_settings_env(KN_ENV_RECORD)) && !parse_path(v, s->record)) {
        KN_LOG_W("%s is longer than %d bytes; not recording", KN_ENV_RECORD,
                 KN_SETTINGS_PATH_SIZE - 1);
        malformed++;
    }
    return malformed;
}
