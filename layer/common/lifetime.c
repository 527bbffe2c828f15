/* The lifetime lock (lifetime.h): one process-wide reader-writer lock,
 * writer-preferring. */
#define _GNU_SOURCE /* pthread_rwlockattr_setkind_np */
#include "common/lifetime.h"

#include <pthread.h>

static pthread_rwlock_t g_lock;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void init_lock(void)
{
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&g_lock, &attr);
    pthread_rwlockattr_destroy(&attr);
}

kn_lifetime_hold kn_lifetime_enter(void)
{
    pthread_once(&g_once, init_lock);
    pthread_rwlock_rdlock(&g_lock);
    return (kn_lifetime_hold){.held = true};
}

void kn_lifetime_leave(kn_lifetime_hold *hold)
{
    if (!hold->held)
        return;
    hold->held = false;
    pthread_rwlock_unlock(&g_lock);
}

void kn_lifetime_drain(void)
{
    pthread_once(&g_once, init_lock);
    pthread_rwlock_wrlock(&g_lock);
    pthread_rwlock_unlock(&g_lock);
}
