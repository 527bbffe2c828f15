/* A thread-safe map from OpenXR handles (64-bit, never 0) to the layer's
 * objects. Lookups share a read lock; changes take it exclusively. The map
 * never frees the values: their owner does, after removing them. */
#ifndef KN_LAYER_HANDLE_MAP_H
#define KN_LAYER_HANDLE_MAP_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kn_handle_map {
    pthread_rwlock_t lock;
    uint64_t *keys; /* 0 marks a free slot */
    void **values;
    size_t capacity; /* 0 or a power of two */
    size_t count;
} kn_handle_map;

#define KN_HANDLE_MAP_INIT                                                                         \
    {                                                                                              \
        PTHREAD_RWLOCK_INITIALIZER, NULL, NULL, 0, 0                                               \
    }

/* Stores value under key (not 0). An existing entry is replaced and its
 * value returned in *replaced (NULL if there was none). False when out of
 * memory; the map is then unchanged. */
bool kn_handle_map_put(kn_handle_map *m, uint64_t key, void *value, void **replaced);
void *kn_handle_map_get(kn_handle_map *m, uint64_t key);
/* Removes key and returns its value (NULL if absent). */
void *kn_handle_map_remove(kn_handle_map *m, uint64_t key);
/* Removes every entry, calling free_value on each value, and releases the
 * storage. The map stays usable. */
void kn_handle_map_clear(kn_handle_map *m, void (*free_value)(void *));
size_t kn_handle_map_count(kn_handle_map *m);

#endif
