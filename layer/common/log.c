/* stderr logging with a process-wide level. The level is read lazily so
 * that messages from loader negotiation, before any instance exists, already
 * honour KINEST_LOG. */
#include "common/log.h"
#include "common/settings.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>

static atomic_int g_level = KN_LOG_DEFAULT;
static pthread_once_t g_level_once = PTHREAD_ONCE_INIT;
static atomic_bool g_level_malformed;

static void read_level(void)
{
    kn_log_level level;
    if (!kn_settings_parse_log_level(kn_settings_env(KN_ENV_LOG), &level)) {
        level = KN_LOG_DEFAULT;
        atomic_store(&g_level_malformed, true);
    }
    atomic_store(&g_level, (int)level);
}

kn_log_level kn_log_get_level(void)
{
    pthread_once(&g_level_once, read_level);
    return (kn_log_level)atomic_load(&g_level);
}

void kn_log_set_level(kn_log_level level)
{
    pthread_once(&g_level_once, read_level);
    atomic_store(&g_level, (int)level);
}

static const char *const level_names[] = {"off", "error", "warning", "info", "debug"};

void kn_log(kn_log_level level, const char *fmt, ...)
{
    if (level == KN_LOG_OFF || level > kn_log_get_level())
        return;
    if (atomic_exchange(&g_level_malformed, false))
        kn_log(KN_LOG_WARN, "%s=\"%s\" is not one of off, error, warn, info, debug; using warn",
               KN_ENV_LOG, kn_settings_env(KN_ENV_LOG));
    /* One fprintf per line keeps lines from different threads whole. */
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "[kinest] %s: %s\n", level_names[level], line);
}
