#define _GNU_SOURCE /* dladdr */
#include "common/weights_path.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef KN_LAYER_WEIGHTS_RELDIR
#define KN_LAYER_WEIGHTS_RELDIR "../../../../share/kinest"
#endif

/* Any object of this library tells dladdr which file the library is. */
static const char library_anchor;

bool kn_default_weights_path(char *out, size_t size)
{
    Dl_info info;
    if (!dladdr(&library_anchor, &info) || !info.dli_fname)
        return false;
    const char *slash = strrchr(info.dli_fname, '/');
    if (!slash)
        return false;
    int n = snprintf(out, size, "%.*s/%s/kinest.safetensors", (int)(slash - info.dli_fname),
                     info.dli_fname, KN_LAYER_WEIGHTS_RELDIR);
    return n > 0 && (size_t)n < size && access(out, R_OK) == 0;
}
