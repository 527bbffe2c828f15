#include "core/kn_error.h"

#include <stdarg.h>
#include <stdio.h>

const char *kn_status_name(kn_status status)
{
    switch (status) {
    case KN_OK:
        return "ok";
    case KN_ERROR_INVALID_ARGUMENT:
        return "invalid argument";
    case KN_ERROR_IO:
        return "i/o error";
    case KN_ERROR_FORMAT:
        return "format error";
    case KN_ERROR_UNSUPPORTED_VERSION:
        return "unsupported version";
    case KN_ERROR_LIMIT:
        return "beyond limits";
    case KN_ERROR_NON_FINITE:
        return "non-finite value";
    case KN_ERROR_OUT_OF_MEMORY:
        return "out of memory";
    case KN_ERROR_UNSUPPORTED:
        return "unsupported";
    }
    return "unknown status";
}

kn_status kn_fail(kn_error *err, kn_status status, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->status = status;
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return status;
}
