/* The global lock, the handle registry and small shared helpers.
 *
 * Handles are numbers from a counter that never repeats, so a destroyed
 * handle stays invalid forever; the registry keeps them sorted (they are
 * issued in increasing order) and finds them by binary search. */
#include "runtime.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

void rt_lock(void)
{
    pthread_mutex_lock(&g_lock);
}

void rt_unlock(void)
{
    pthread_mutex_unlock(&g_lock);
}

typedef struct rt_entry {
    uint64_t handle;
    rt_kind kind;
    void *object;
} rt_entry;

static rt_entry *g_entries;
static uint32_t g_count, g_capacity;
static uint64_t g_next_handle = 0x1000;

static rt_entry *find(uint64_t handle)
{
    uint32_t lo = 0, hi = g_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (g_entries[mid].handle < handle)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < g_count && g_entries[lo].handle == handle ? &g_entries[lo] : NULL;
}

uint64_t rt_handle_new(rt_kind kind, void *object)
{
    if (g_count == g_capacity) {
        uint32_t capacity = g_capacity ? g_capacity * 2 : 64;
        rt_entry *e = realloc(g_entries, capacity * sizeof *e);
        if (!e)
            return 0;
        g_entries = e;
        g_capacity = capacity;
    }
    uint64_t handle = g_next_handle++;
    g_entries[g_count++] = (rt_entry){handle, kind, object};
    return handle;
}

void *rt_handle_get(uint64_t handle, rt_kind kind)
{
    rt_entry *e = find(handle);
    return e && e->kind == kind ? e->object : NULL;
}

void rt_handle_release(uint64_t handle)
{
    rt_entry *e = find(handle);
    if (!e)
        return;
    memmove(e, e + 1, (size_t)(g_entries + g_count - (e + 1)) * sizeof *e);
    if (--g_count == 0) {
        free(g_entries);
        g_entries = NULL;
        g_capacity = 0;
    }
}

bool rt_ptrs_push(rt_ptrs *v, void *p)
{
    if (v->count == v->capacity) {
        uint32_t capacity = v->capacity ? v->capacity * 2 : 8;
        void **items = realloc(v->items, capacity * sizeof *items);
        if (!items)
            return false;
        v->items = items;
        v->capacity = capacity;
    }
    v->items[v->count++] = p;
    return true;
}

void rt_ptrs_remove(rt_ptrs *v, const void *p)
{
    for (uint32_t i = 0; i < v->count; i++)
        if (v->items[i] == p) {
            memmove(&v->items[i], &v->items[i + 1], (v->count - i - 1) * sizeof *v->items);
            v->count--;
            return;
        }
}

void rt_ptrs_free(rt_ptrs *v)
{
    free(v->items);
    *v = (rt_ptrs){0};
}

XrResult rt_fill_string(const char *s, uint32_t capacity, uint32_t *count, char *buffer)
{
    if (!count || (capacity && !buffer))
        return XR_ERROR_VALIDATION_FAILURE;
    uint32_t needed = (uint32_t)strlen(s) + 1;
    *count = needed;
    if (capacity == 0)
        return XR_SUCCESS;
    if (capacity < needed)
        return XR_ERROR_SIZE_INSUFFICIENT;
    memcpy(buffer, s, needed);
    return XR_SUCCESS;
}
