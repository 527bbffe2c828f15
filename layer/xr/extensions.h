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

#endif
