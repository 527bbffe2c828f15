/* Status codes and error messages shared by every libkinest module. A
 * function that can fail returns a kn_status and, when given a kn_error,
 * leaves a sentence there that says what was wrong and where. */
#ifndef KN_ERROR_H
#define KN_ERROR_H

typedef enum kn_status {
    KN_OK = 0,
    KN_ERROR_INVALID_ARGUMENT,
    KN_ERROR_IO,
    KN_ERROR_FORMAT,
    KN_ERROR_UNSUPPORTED_VERSION,
    KN_ERROR_LIMIT,
    KN_ERROR_NON_FINITE,
    KN_ERROR_OUT_OF_MEMORY,
    KN_ERROR_UNSUPPORTED, /* not built in, or no device for it */
} kn_status;

#define KN_ERROR_MESSAGE_SIZE 256

typedef struct kn_error {
    kn_status status;
    char message[KN_ERROR_MESSAGE_SIZE];
} kn_error;

const char *kn_status_name(kn_status status);

/* Records status and a printf-style message in err (if not NULL); returns
 * status so callers can `return kn_fail(err, ...)`. */
kn_status kn_fail(kn_error *err, kn_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
