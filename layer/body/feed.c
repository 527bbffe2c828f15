/* The sample ring and its worker thread (feed.h). */
#define _GNU_SOURCE /* pthread_timedjoin_np */
#include "body/feed.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The worker takes at most this many frames per lock, so that a producer
 * never waits for more than a copy of this size. */
#define BATCH 32u

struct kn_feed {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    kn_device_frame *ring;
    uint32_t capacity, head, count; /* head: oldest frame */
    bool stopping, started, stopped;
    bool exited;                   /* the worker has returned (lock) */
    void (*abandoned)(void *user); /* set: the worker frees the feed at its end */
    void *abandoned_user;
    kn_device_frame latest;
    bool have_latest;
    kn_feed_stats stats;
    kn_feed_consumer users[KN_FEED_MAX_USERS];
    int user_count;
    pthread_t thread;
};

kn_feed *kn_feed_create(uint32_t capacity)
{
    kn_feed *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->capacity = capacity ? capacity : KN_FEED_CAPACITY;
    f->ring = calloc(f->capacity, sizeof *f->ring);
    if (!f->ring || pthread_mutex_init(&f->lock, NULL) != 0) {
        free(f->ring);
        free(f);
        return NULL;
    }
    if (pthread_cond_init(&f->wake, NULL) != 0) {
        pthread_mutex_destroy(&f->lock);
        free(f->ring);
        free(f);
        return NULL;
    }
    return f;
}

bool kn_feed_add_consumer(kn_feed *f, const kn_feed_consumer *c)
{
    if (f->started || f->user_count >= KN_FEED_MAX_USERS || !c || !c->consume)
        return false;
    f->users[f->user_count++] = *c;
    return true;
}

static void free_feed(kn_feed *f)
{
    pthread_cond_destroy(&f->wake);
    pthread_mutex_destroy(&f->lock);
    free(f->ring);
    free(f);
}

static void *worker(void *arg)
{
    kn_feed *f = arg;
    kn_device_frame batch[BATCH];
    pthread_mutex_lock(&f->lock);
    for (;;) {
        while (f->count == 0 && !f->stopping)
            pthread_cond_wait(&f->wake, &f->lock);
        if (f->count == 0 && f->stopping)
            break;
        uint32_t n = f->count < BATCH ? f->count : BATCH;
        for (uint32_t i = 0; i < n; i++)
            batch[i] = f->ring[(f->head + i) % f->capacity];
        f->head = (f->head + n) % f->capacity;
        f->count -= n;
        pthread_mutex_unlock(&f->lock);
        for (int u = 0; u < f->user_count; u++)
            f->users[u].consume(f->users[u].user, batch, n);
        pthread_mutex_lock(&f->lock);
    }
    f->exited = true;
    void (*abandoned)(void *) = f->abandoned;
    void *user = f->abandoned_user;
    pthread_mutex_unlock(&f->lock);
    if (abandoned) {
        abandoned(user);
        free_feed(f);
    }
    return NULL;
}

bool kn_feed_start(kn_feed *f)
{
    if (f->started || f->user_count == 0)
        return f->started;
    if (pthread_create(&f->thread, NULL, worker, f) != 0)
        return false;
    f->started = true;
    return true;
}

void kn_feed_push(kn_feed *f, const kn_device_frame *frame)
{
    pthread_mutex_lock(&f->lock);
    f->latest = *frame;
    f->have_latest = true;
    bool queued = false;
    if (f->started && !f->stopping) {
        if (f->count < f->capacity) {
            f->ring[(f->head + f->count) % f->capacity] = *frame;
            f->count++;
            f->stats.pushed++;
            queued = true;
        } else {
            f->stats.dropped++;
        }
    }
    pthread_mutex_unlock(&f->lock);
    if (queued)
        pthread_cond_signal(&f->wake);
}

bool kn_feed_latest(kn_feed *f, kn_device_frame *out)
{
    pthread_mutex_lock(&f->lock);
    bool have = f->have_latest;
    if (have)
        *out = f->latest;
    pthread_mutex_unlock(&f->lock);
    return have;
}

bool kn_feed_stop_within(kn_feed *f, int64_t timeout_ns, kn_feed_stats *stats)
{
    pthread_mutex_lock(&f->lock);
    bool join = f->started && !f->stopped;
    f->stopping = true;
    pthread_cond_signal(&f->wake);
    pthread_mutex_unlock(&f->lock);
    if (join) {
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        int64_t end = (int64_t)deadline.tv_sec * 1000000000 + deadline.tv_nsec + timeout_ns;
        deadline.tv_sec = end / 1000000000;
        deadline.tv_nsec = end % 1000000000;
        int r;
        while ((r = pthread_timedjoin_np(f->thread, NULL, &deadline)) == EINTR) {
        }
        if (r != 0)
            return false;
    }
    pthread_mutex_lock(&f->lock);
    f->stopped = true;
    if (stats)
        *stats = f->stats;
    pthread_mutex_unlock(&f->lock);
    return true;
}

void kn_feed_abandon(kn_feed *f, void (*at_end)(void *user), void *user)
{
    pthread_mutex_lock(&f->lock);
    bool exited = f->exited;
    if (!exited) {
        f->abandoned = at_end;
        f->abandoned_user = user;
        pthread_detach(f->thread);
    }
    pthread_mutex_unlock(&f->lock);
    if (exited) {
        /* It returned meanwhile: as if stopped in time. */
        pthread_join(f->thread, NULL);
        at_end(user);
        free_feed(f);
    }
}

void kn_feed_stop(kn_feed *f, kn_feed_stats *stats)
{
    pthread_mutex_lock(&f->lock);
    bool join = f->started && !f->stopped;
    f->stopping = true;
    f->stopped = true;
    pthread_cond_signal(&f->wake);
    pthread_mutex_unlock(&f->lock);
    if (join)
        pthread_join(f->thread, NULL);
    if (stats) {
        pthread_mutex_lock(&f->lock);
        *stats = f->stats;
        pthread_mutex_unlock(&f->lock);
    }
}

void kn_feed_free(kn_feed *f)
{
    if (!f)
        return;
    kn_feed_stop(f, NULL);
    free_feed(f);
}
