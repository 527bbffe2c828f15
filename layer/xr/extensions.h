/* The four extensions the layer serves: names, versions and the functions
 * each one adds. The manifest's instance_extensions lists the same four. */
#ifndef KN_LAYER_EXTENSIONS_H
#define KN_LAYER_EXTENSIONS_H

#include "xr/xr_body_tracking.h"

#include <stdint.h>

typedef enum kn_ext {
    KN_EXT_CORE = 0, /* not an extension: always available */
    KN_EXT_FB_BODY_TRACKING = 1u << 0,
    KN_EXT_META_FULL_BODY = 1u << 1,
    KN_EXT_META_FIDELITY = 1u << 2,
    KN_EXT_META_CALIBRATION = 1u << 3,
} kn_ext;

#define KN_EXT_COUNT 4
#define KN_EXT_ALL   0xFu
/* Not an application extension: marks a NEXT function of a runtime extension
 * the layer uses when it is there (resolved if present, never required). */
#define KN_EXT_OPTIONAL (1u << 31)

typedef struct kn_extension {
    kn_ext bit;
    const char *name;
    uint32_t version;
    XrStructureType system_properties; /* the struct it chains onto XrSystemProperties */
    const char *const *functions;      /* NULL-terminated */
} kn_extension;

extern const kn_extension kn_extensions[KN_EXT_COUNT];

/* The extension with this name, or NULL. */
const kn_extension *kn_extension_by_name(const char *name);
/* The extension whose system-properties struct has this type, or NULL. */
const kn_extension *kn_extension_by_properties(XrStructureType type);
/* The extension that defines this function, or NULL. */
const kn_extension *kn_extension_by_function(const char *function);

/* Runtime extensions the layer itself uses. It enables them below when the
 * runtime lists them, whether or not the application did; where the
 * application did not, their functions stay hidden from it. */
typedef enum kn_rt_ext {
    KN_RT_CONVERT_TIMESPEC = 1u << 0, /* XR_KHR_convert_timespec_time: "now" as an XrTime */
} kn_rt_ext;

#define KN_RT_EXT_COUNT 1

typedef struct kn_runtime_extension {
    kn_rt_ext bit;
    const char *name;
    const char *const *functions; /* NULL-terminated */
} kn_runtime_extension;

extern const kn_runtime_extension kn_runtime_extensions[KN_RT_EXT_COUNT];

const kn_runtime_extension *kn_runtime_extension_by_name(const char *name);
/* The runtime extension that defines this function, or NULL. */
const kn_runtime_extension *kn_runtime_extension_by_function(const char *function);

#endif
