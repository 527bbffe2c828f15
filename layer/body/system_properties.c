/* xrGetSystemProperties: the runtime's answer, with the body-tracking
 * property structs filled for the extensions the application enabled. */
#include "body/body.h"
#include "framework/hooks.h"
#include "xr/extensions.h"

XRAPI_ATTR XrResult XRAPI_CALL kn_xrGetSystemProperties(XrInstance instance, XrSystemId systemId,
                                                        XrSystemProperties *properties)
{
    kn_instance *inst = kn_instance_get(instance);
    if (!inst || !inst->emulation)
        return XR_ERROR_HANDLE_INVALID;
    if (!properties)
        return inst->next.GetSystemProperties(instance, systemId, properties);

    /* The layer answers for its structs; below they would be unknown types
     * where the runtime lacks the extension, and validation layers older
     * than it reject them anyway. They are unlinked for the call and put
     * back afterwards. */
    XrBaseOutStructure *hidden[KN_EXT_COUNT], *before[KN_EXT_COUNT];
    int n = 0;
    uint32_t seen = 0;
    XrResult r = XR_SUCCESS;
    for (XrBaseOutStructure *prev = (XrBaseOutStructure *)properties; prev->next;) {
        XrBaseOutStructure *s = prev->next;
        const kn_extension *e = kn_extension_by_properties(s->type);
        if (e && (inst->enabled & e->bit)) {
            if (seen & e->bit) { /* each struct may appear once in a chain */
                r = XR_ERROR_VALIDATION_FAILURE;
                break;
            }
            seen |= e->bit;
            hidden[n] = s;
            before[n++] = prev;
            prev->next = s->next;
            continue;
        }
        prev = s;
    }
    if (XR_SUCCEEDED(r))
        r = inst->next.GetSystemProperties(instance, systemId, properties);
    while (n-- > 0)
        before[n]->next = hidden[n];
    if (XR_FAILED(r))
        return r;

    for (XrBaseOutStructure *s = properties->next; s; s = s->next) {
        const kn_extension *e = kn_extension_by_properties(s->type);
        /* What the layer provides (kn_emulation.supported); the functions
         * refuse exactly where these say no. */
        if (e && (inst->enabled & e->bit))
            ((kn_xr_bool_properties *)s)->supported =
                (inst->emulation->supported & e->bit) ? XR_TRUE : XR_FALSE;
    }
    return r;
}
