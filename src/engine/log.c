/* The engine's log (to the caller's function, else stderr) and its wall
 * clock: what the producer, the worker and kinest_create all use. */
#include "engine/engine.h"

#include <stdio.h>
#include <time.h>

static const char *const level_names[] = {"off", "error", "warning", "info", "debug"};

static void log_to(const kinest_config *cfg, kinest_log_level level, const char *fmt, va_list ap)
{
    if (level > cfg->log_level || level <= KINEST_LOG_OFF)
        return;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (cfg->log)
        cfg->log(level, msg, cfg->log_user_data);
    else
        fprintf(stderr, "kinest: %s: %s\n", level_names[level], msg);
}

void kn_engine_log(kinest_engine *e, kinest_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_to(&e->config, level, fmt, ap);
    va_end(ap);
}

void kn_engine_log_config(const kinest_config *cfg, kinest_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_to(cfg, level, fmt, ap);
    va_end(ap);
}

int64_t kn_engine_wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}
