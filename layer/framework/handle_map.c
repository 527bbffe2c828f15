/* Open addressing with linear probing, kept at most half full. Removal
 * shifts the following run back instead of leaving tombstones, so a lookup
 * always stops at the first free slot. */
#include "framework/handle_map.h"

#include <stdlib.h>

static size_t slot_of(uint64_t key, size_t capacity)
{
    /* splitmix64's finaliser: handles are often pointers or small counters. */
    key ^= key >> 30;
    key *= 0xbf58476d1ce4e5b9ull;
    key ^= key >> 27;
    key *= 0x94d049bb133111ebull;
    key ^= key >> 31;
    return (size_t)key & (capacity - 1);
}

static size_t find(const kn_handle_map *m, uint64_t key)
{
    size_t i = slot_of(key, m->capacity);
    while (m->keys[i] != 0 && m->keys[i] != key)
        i = (i + 1) & (m->capacity - 1);
    return i;
}

static bool grow(kn_handle_map *m)
{
    size_t capacity = m->capacity ? m->capacity * 2 : 16;
    uint64_t *keys = calloc(capacity, sizeof *keys);
    void **values = calloc(capacity, sizeof *values);
    if (!keys || !values) {
        free(keys);
        free(values);
        return false;
    }
    kn_handle_map old = *m;
    m->keys = keys;
    m->values = values;
    m->capacity = capacity;
    for (size_t i = 0; i < old.capacity; i++)
        if (old.keys[i]) {
            size_t j = find(m, old.keys[i]);
            m->keys[j] = old.keys[i];
            m->values[j] = old.values[i];
        }
    free(old.keys);
    free(old.values);
    return true;
}

bool kn_handle_map_put(kn_handle_map *m, uint64_t key, void *value, void **replaced)
{
    bool ok = true;
    if (replaced)
        *replaced = NULL;
    if (key == 0)
        return false;
    pthread_rwlock_wrlock(&m->lock);
    if ((m->count + 1) * 2 > m->capacity && !grow(m)) {
        ok = false;
    } else {
        size_t i = find(m, key);
        if (m->keys[i] == key) {
            if (replaced)
                *replaced = m->values[i];
        } else {
            m->keys[i] = key;
            m->count++;
        }
        m->values[i] = value;
    }
    pthread_rwlock_unlock(&m->lock);
    return ok;
}

void *kn_handle_map_get(kn_handle_map *m, uint64_t key)
{
    void *value = NULL;
    if (key == 0)
        return NULL;
    pthread_rwlock_rdlock(&m->lock);
    if (m->capacity) {
        size_t i = find(m, key);
        if (m->keys[i] == key)
            value = m->values[i];
    }
    pthread_rwlock_unlock(&m->lock);
    return value;
}

void *kn_handle_map_remove(kn_handle_map *m, uint64_t key)
{
    void *value = NULL;
    if (key == 0)
        return NULL;
    pthread_rwlock_wrlock(&m->lock);
    if (m->capacity) {
        size_t mask = m->capacity - 1, i = find(m, key);
        if (m->keys[i] == key) {
            value = m->values[i];
            m->count--;
            /* Move back every entry of the run that the hole would cut off
             * from its home slot. */
            for (size_t j = (i + 1) & mask; m->keys[j] != 0; j = (j + 1) & mask) {
                size_t home = slot_of(m->keys[j], m->capacity);
                if (((j - home) & mask) >= ((j - i) & mask)) {
                    m->keys[i] = m->keys[j];
                    m->values[i] = m->values[j];
                    i = j;
                }
            }
            m->keys[i] = 0;
            m->values[i] = NULL;
        }
    }
    pthread_rwlock_unlock(&m->lock);
    return value;
}

void kn_handle_map_clear(kn_handle_map *m, void (*free_value)(void *))
{
    pthread_rwlock_wrlock(&m->lock);
    for (size_t i = 0; i < m->capacity; i++)
        if (m->keys[i] && free_value)
            free_value(m->values[i]);
    free(m->keys);
    free(m->values);
    m->keys = NULL;
    m->values = NULL;
    m->capacity = 0;
    m->count = 0;
    pthread_rwlock_unlock(&m->lock);
}

size_t kn_handle_map_count(kn_handle_map *m)
{
    pthread_rwlock_rdlock(&m->lock);
    size_t n = m->count;
    pthread_rwlock_unlock(&m->lock);
    return n;
}
