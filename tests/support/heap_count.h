/* Counts every heap call of the test program: the allocation functions are
 * wrapped at link time (-Wl,--wrap=malloc,... on the test, see
 * tests/CMakeLists.txt), so a test compares the count before and after a
 * stretch of code to prove it allocates nothing. Calls made inside other
 * shared libraries (a Vulkan driver) are not seen. */
#ifndef KN_TEST_HEAP_COUNT_H
#define KN_TEST_HEAP_COUNT_H

extern _Atomic unsigned long kn_test_heap_calls;

#endif
