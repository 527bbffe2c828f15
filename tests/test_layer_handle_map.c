/* The layer's handle map: against a reference array through growth and
 * removal, and from several threads at once (run under ASan). */
#include "framework/handle_map.h"

#include <check.h>
#include <stdlib.h>

#define N 5000

START_TEST(put_get_remove_replace)
{
    kn_handle_map m = KN_HANDLE_MAP_INIT;
    int a, b;
    void *old;
    ck_assert(!kn_handle_map_put(&m, 0, &a, NULL)); /* XR_NULL_HANDLE is never a key */
    ck_assert_ptr_null(kn_handle_map_get(&m, 42));
    ck_assert(kn_handle_map_put(&m, 42, &a, &old));
    ck_assert_ptr_null(old);
    ck_assert_ptr_eq(kn_handle_map_get(&m, 42), &a);
    ck_assert(kn_handle_map_put(&m, 42, &b, &old));
    ck_assert_ptr_eq(old, &a);
    ck_assert_uint_eq(kn_handle_map_count(&m), 1);
    ck_assert_ptr_eq(kn_handle_map_remove(&m, 42), &b);
    ck_assert_ptr_null(kn_handle_map_remove(&m, 42));
    ck_assert_ptr_null(kn_handle_map_get(&m, 42));
    kn_handle_map_clear(&m, NULL);
}
END_TEST

/* Keys that collide in the low bits, like aligned pointers, and removals
 * in the middle of probe runs. */
START_TEST(matches_a_reference)
{
    kn_handle_map m = KN_HANDLE_MAP_INIT;
    static int present[N];
    srand(7);
    for (int round = 0; round < 4 * N; round++) {
        int k = rand() % N;
        uint64_t key = 0x7f0000001000ull + (uint64_t)k * 4096;
        if (rand() % 3) {
            ck_assert(kn_handle_map_put(&m, key, &present[k], NULL));
            present[k] = 1;
        } else {
            void *v = kn_handle_map_remove(&m, key);
            ck_assert_ptr_eq(v, present[k] ? &present[k] : NULL);
            present[k] = 0;
        }
    }
    size_t count = 0;
    for (int k = 0; k < N; k++) {
        void *v = kn_handle_map_get(&m, 0x7f0000001000ull + (uint64_t)k * 4096);
        ck_assert_ptr_eq(v, present[k] ? &present[k] : NULL);
        count += present[k];
    }
    ck_assert_uint_eq(kn_handle_map_count(&m), count);
    kn_handle_map_clear(&m, NULL);
    ck_assert_uint_eq(kn_handle_map_count(&m), 0);
}
END_TEST

static kn_handle_map shared = KN_HANDLE_MAP_INIT;

static void *worker(void *arg)
{
    uint64_t base = (uint64_t)(uintptr_t)arg * 1000000 + 1;
    for (int round = 0; round < 20; round++) {
        for (uint64_t i = 0; i < 500; i++)
            if (!kn_handle_map_put(&shared, base + i, (void *)(uintptr_t)(base + i), NULL))
                return (void *)1;
        for (uint64_t i = 0; i < 500; i++)
            if (kn_handle_map_get(&shared, base + i) != (void *)(uintptr_t)(base + i))
                return (void *)1;
        for (uint64_t i = 0; i < 500; i += 2)
            if (kn_handle_map_remove(&shared, base + i) != (void *)(uintptr_t)(base + i))
                return (void *)1;
        for (uint64_t i = 1; i < 500; i += 2)
            if (kn_handle_map_remove(&shared, base + i) != (void *)(uintptr_t)(base + i))
                return (void *)1;
    }
    return NULL;
}

START_TEST(threads)
{
    pthread_t t[4];
    for (uintptr_t i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, worker, (void *)i), 0);
    for (int i = 0; i < 4; i++) {
        void *failed;
        pthread_join(t[i], &failed);
        ck_assert_ptr_null(failed);
    }
    ck_assert_uint_eq(kn_handle_map_count(&shared), 0);
    kn_handle_map_clear(&shared, NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("layer_handle_map");
    TCase *tc = tcase_create("map");
    tcase_add_test(tc, put_get_remove_replace);
    tcase_add_test(tc, matches_a_reference);
    tcase_add_test(tc, threads);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
