/* The layer's log: one line per message on stderr, prefixed so that it can
 * be told apart from the application's output. The level comes from
 * KINEST_LOG (see settings.h) the first time anything is logged. */
#ifndef KN_LAYER_LOG_H
#define KN_LAYER_LOG_H

typedef enum kn_log_level {
    KN_LOG_OFF = 0,
    KN_LOG_ERROR = 1,
    KN_LOG_WARN = 2,
    KN_LOG_INFO = 3,
    KN_LOG_DEBUG = 4,
} kn_log_level;

#define KN_LOG_DEFAULT KN_LOG_WARN

void kn_log(kn_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
kn_log_level kn_log_get_level(void);
void kn_log_set_level(kn_log_level level);

#define KN_LOG_E(...) kn_log(KN_LOG_ERROR, __VA_ARGS__)
#define KN_LOG_W(...) kn_log(KN_LOG_WARN, __VA_ARGS__)
#define KN_LOG_I(...) kn_log(KN_LOG_INFO, __VA_ARGS__)
#define KN_LOG_D(...) kn_log(KN_LOG_DEBUG, __VA_ARGS__)

#endif
