/* Tests for the public API's engine-free functions (src/engine/values.c). */
#include "kinest.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

START_TEST(status_strings)
{
    for (int s = KINEST_ERROR_BACKEND; s <= KINEST_SUCCESS; s++) {
        const char *text = kinest_status_string((kinest_status)s);
        ck_assert_ptr_nonnull(text);
        ck_assert_str_ne(text, "unknown status");
    }
    ck_assert_str_eq(kinest_status_string(KINEST_SUCCESS), "success");
    ck_assert_str_eq(kinest_status_string((kinest_status)-100), "unknown status");
    ck_assert_str_eq(kinest_status_string((kinest_status)5), "unknown status");
}
END_TEST

START_TEST(backends_and_joint_sets)
{
    ck_assert_str_eq(kinest_backend_name(KINEST_BACKEND_AUTO), "auto");
    ck_assert_str_eq(kinest_backend_name(KINEST_BACKEND_CPU), "cpu");
    ck_assert_str_eq(kinest_backend_name(KINEST_BACKEND_VULKAN), "vulkan");
    ck_assert_str_eq(kinest_backend_name(KINEST_BACKEND_IK), "ik");
    ck_assert_str_eq(kinest_backend_name((kinest_backend)9), "unknown");
    ck_assert_uint_eq(kinest_joint_count(KINEST_JOINT_SET_CANONICAL), 21);
    ck_assert_uint_eq(kinest_joint_count(KINEST_JOINT_SET_FB), 70);
    ck_assert_uint_eq(kinest_joint_count(KINEST_JOINT_SET_META_FULL_BODY), 84);
    ck_assert_uint_eq(kinest_joint_count(KINEST_JOINT_SET_BD), 24);
    ck_assert_uint_eq(kinest_joint_count(KINEST_JOINT_SET_BD_WITHOUT_ARM), 16);
    ck_assert_uint_eq(kinest_joint_count(KINEST_JOINT_SET_HTC), 26);
    ck_assert_uint_eq(kinest_joint_count((kinest_joint_set)6), 0);
    ck_assert_uint_eq(kinest_joint_count((kinest_joint_set)-1), 0);
    ck_assert_int_eq(KINEST_JOINT_RIGHT_TOES + 1, KINEST_CANONICAL_JOINT_COUNT);
    /* The same values as OpenXR's, so the layer copies them through. */
    ck_assert_uint_eq(KINEST_LOCATION_POSITION_TRACKED, 0x8);
    ck_assert_int_eq(KINEST_CALIBRATION_CALIBRATING, 2);
}
END_TEST

START_TEST(config_defaults)
{
    kinest_config c;
    memset(&c, 0xAB, sizeof c);
    kinest_config_init(&c);
    ck_assert_uint_eq(c.struct_size, sizeof c);
    ck_assert_int_eq(c.backend, KINEST_BACKEND_AUTO);
    ck_assert_float_eq(c.height_m, 0.0f);
    ck_assert_int_eq(c.log_level, KINEST_LOG_WARN);
    ck_assert(c.log == NULL);
    ck_assert_ptr_null(c.log_user_data);
    ck_assert_uint_eq(c.body_flags, KINEST_BODY_DEFAULT);
    ck_assert_float_eq(c.smoothing, -1.0f); /* the weights' */
    kinest_config_init(NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("values");
    tcase_add_test(tc, status_strings);
    tcase_add_test(tc, backends_and_joint_sets);
    tcase_add_test(tc, config_defaults);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
