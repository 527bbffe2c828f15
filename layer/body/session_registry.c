/* The sessions by handle, found from any thread, and the layer's monotonic
 * clock (session.h). */
#include "body/session.h"
#include "framework/handle_map.h"

#include <time.h>

static kn_handle_map g_sessions = KN_HANDLE_MAP_INIT;

int64_t kn_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

kn_session *kn_session_get(XrSession handle)
{
    return kn_handle_map_get(&g_sessions, (uint64_t)(uintptr_t)handle);
}

bool kn_session_register(kn_session *s)
{
    void *stale = NULL;
    return kn_handle_map_put(&g_sessions, (uint64_t)(uintptr_t)s->handle, s, &stale);
}

bool kn_session_unregister(kn_session *s)
{
    return kn_handle_map_remove(&g_sessions, (uint64_t)(uintptr_t)s->handle) == s;
}

/* Sessions are freed with their instances (kn_emulation_free); at unload
 * only the map's own storage is left. */
__attribute__((destructor)) static void free_session_map_at_unload(void)
{
    kn_handle_map_clear(&g_sessions, NULL);
}
