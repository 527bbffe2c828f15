/* The extensions the layer serves (xr/served.h): names, versions, their
 * property structs and the functions each one adds. */
#ifndef KN_LAYER_EXTENSIONS_H
#define KN_LAYER_EXTENSIONS_H

#include "xr/served.h"
#include "xr/xr_body_tracking.h"

#include <stdint.h>

#define KN_EXT_INDEX_OF(arg, id, name, version, properties, role, functions) KN_EXT_INDEX_##id,
enum { KN_SERVED_EXTENSIONS(KN_EXT_INDEX_OF, 0) KN_EXT_COUNT };
#undef KN_EXT_INDEX_OF

#define KN_EXT_BIT_OF(arg, id, name, version, properties, role, functions)                         \
    KN_EXT_##id = 1u << KN_EXT_INDEX_##id,
typedef enum kn_ext {
    KN_EXT_CORE = 0, /* not an extension: always available */
    KN_SERVED_EXTENSIONS(KN_EXT_BIT_OF, 0)
} kn_ext;
#undef KN_EXT_BIT_OF

#define KN_EXT_ALL ((1u << KN_EXT_COUNT) - 1u)

typedef enum kn_ext_role {
    KN_EXT_ROLE_TRACKER,
    KN_EXT_ROLE_JOINT_SET,
    KN_EXT_ROLE_OPTION,
} kn_ext_role;

/* Not an application extension: marks a NEXT function of a runtime extension
 * the layer uses when it is there (resolved if present, never required). */
#define KN_EXT_OPTIONAL (1u << 31)

typedef struct kn_extension {
    kn_ext bit;
    const char *name;
    uint32_t version;
    XrStructureType system_properties; /* the struct it chains onto XrSystemProperties */
    kn_ext_role role;
    const char *const *functions; /* NULL-terminated */
} kn_extension;

extern const kn_extension kn_extensions[KN_EXT_COUNT];

/* The extension with this name, or NULL. */
const kn_extension *kn_extension_by_name(const char *name);
/* The extension whose system-properties struct has this type, or NULL. */
const kn_extension *kn_extension_by_properties(XrStructureType type);
/* The extension that defines this function, or NULL. */
const kn_extension *kn_extension_by_function(const char *function);

/* Every served extension's property struct: one XrBool32 after the header. */
typedef struct kn_xr_bool_properties {
    XrStructureType type;
    void *XR_MAY_ALIAS next;
    XrBool32 supported;
} kn_xr_bool_properties;

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
