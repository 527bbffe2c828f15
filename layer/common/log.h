/* The layer's log: one line per message on stderr, prefixed so that it can
 * be told apart from the application's output. The level comes from
 * KINEST_LOG (see settings.h) the first time anything is logged. */
#ifndef KN_LAYER_LOG_H
#define KN_LAYER_LOG_H

#include <kinest.h>

/* The engine's scale (kinest.h), so that its messages keep their level. */
typedef kinest_log_level kn_log_level;
#define KN_LOG_OFF   KINEST_LOG_OFF
#define KN_LOG_ERROR KINEST_LOG_ERROR
#define KN_LOG_WARN  KINEST_LOG_WARN
#define KN_LOG_INFO  KINEST_LOG_INFO
#define KN_LOG_DEBUG KINEST_LOG_DEBUG

#define KN_LOG_DEFAULT KN_LOG_WARN

void kn_log(kn_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
kn_log_level kn_log_get_level(void);
void kn_log_set_level(kn_log_level level);

#define KN_LOG_E(...) kn_log(KN_LOG_ERROR, __VA_ARGS__)
#define KN_LOG_W(...) kn_log(KN_LOG_WARN, __VA_ARGS__)
#define KN_LOG_I(...) kn_log(KN_LOG_INFO, __VA_ARGS__)
#define KN_LOG_D(...) kn_log(KN_LOG_DEBUG, __VA_ARGS__)

#endif
