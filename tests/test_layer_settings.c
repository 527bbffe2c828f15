/* KINEST_* settings: defaults, accepted spellings, and that every malformed
 * value is counted (and logged) and replaced by its default. */
#include "common/settings.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static const char *const vars[] = {KN_ENV_FORCE,  KN_ENV_BACKEND,   KN_ENV_MODEL,
                                   KN_ENV_HEIGHT, KN_ENV_LOG,       KN_ENV_RECORD,
                                   KN_ENV_SYNC,   KN_ENV_SMOOTHING, KN_ENV_POSTURE};

static void clear_env(void)
{
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        unsetenv(vars[i]);
}

START_TEST(defaults_when_unset_or_empty)
{
    kn_settings s;
    clear_env();
    ck_assert_uint_eq(kn_settings_read(&s), 0);
    ck_assert(!s.force);
    ck_assert_int_eq(s.backend, KN_SETTING_BACKEND_AUTO);
    ck_assert_str_eq(s.model, "");
    ck_assert_str_eq(s.record, "");
    ck_assert_float_eq(s.height_m, 0.0f);
    ck_assert_int_eq(s.log_level, KN_LOG_WARN);
    ck_assert_float_eq(s.smoothing, -1.0f); /* the weights' */
    ck_assert_int_eq(s.posture, KN_SETTING_POSTURE_AUTO);
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        setenv(vars[i], "", 1);
    ck_assert_uint_eq(kn_settings_read(&s), 0);
    ck_assert_int_eq(s.backend, KN_SETTING_BACKEND_AUTO);
    ck_assert_float_eq(s.smoothing, -1.0f);
    clear_env();
}
END_TEST

START_TEST(valid_values)
{
    kn_settings s;
    clear_env();
    setenv(KN_ENV_FORCE, "Yes", 1);
    setenv(KN_ENV_BACKEND, "vulkan", 1);
    setenv(KN_ENV_MODEL, "/models/kinest.safetensors", 1);
    setenv(KN_ENV_HEIGHT, "1.75", 1);
    setenv(KN_ENV_LOG, "DEBUG", 1);
    setenv(KN_ENV_RECORD, "/tmp/session.kclip", 1);
    setenv(KN_ENV_SMOOTHING, "0.3", 1);
    ck_assert_uint_eq(kn_settings_read(&s), 0);
    ck_assert_float_eq(s.smoothing, 0.3f);
    ck_assert(s.force);
    ck_assert_int_eq(s.backend, KN_SETTING_BACKEND_VULKAN);
    ck_assert_str_eq(s.model, "/models/kinest.safetensors");
    ck_assert_float_eq_tol(s.height_m, 1.75f, 1e-6f);
    ck_assert_int_eq(s.log_level, KN_LOG_DEBUG);
    ck_assert_str_eq(s.record, "/tmp/session.kclip");

    static const char *const falses[] = {"0", "false", "NO", "off"};
    for (int i = 0; i < 4; i++) {
        setenv(KN_ENV_FORCE, falses[i], 1);
        ck_assert_uint_eq(kn_settings_read(&s), 0);
        ck_assert(!s.force);
    }
    setenv(KN_ENV_BACKEND, "cpu", 1);
    setenv(KN_ENV_HEIGHT, "auto", 1);
    ck_assert_uint_eq(kn_settings_read(&s), 0);
    ck_assert_int_eq(s.backend, KN_SETTING_BACKEND_CPU);
    ck_assert_float_eq(s.height_m, 0.0f);
    setenv(KN_ENV_BACKEND, "IK", 1);
    setenv(KN_ENV_SYNC, "on", 1);
    ck_assert_uint_eq(kn_settings_read(&s), 0);
    ck_assert(s.sync);
    ck_assert_int_eq(s.backend, KN_SETTING_BACKEND_IK);
    ck_assert_str_eq(kn_backend_setting_name(s.backend), "ik");
    static const char *const postures[] = {"auto", "Standing", "SEATED"};
    for (int i = 0; i < 3; i++) {
        setenv(KN_ENV_POSTURE, postures[i], 1);
        ck_assert_uint_eq(kn_settings_read(&s), 0);
        ck_assert_int_eq(s.posture, (kn_posture_setting)i);
    }
    ck_assert_str_eq(kn_posture_setting_name(KN_SETTING_POSTURE_SEATED), "seated");
    /* Both ends of KINEST_SMOOTHING's range. */
    static const char *const ends[] = {"0", "0.95"};
    for (int i = 0; i < 2; i++) {
        setenv(KN_ENV_SMOOTHING, ends[i], 1);
        ck_assert_uint_eq(kn_settings_read(&s), 0);
        ck_assert_float_eq(s.smoothing, i ? KN_SMOOTHING_MAX : 0.0f);
    }
    clear_env();
}
END_TEST

/* One malformed variable at a time: counted once, default kept. */
START_TEST(malformed_values_fall_back)
{
    static const struct {
        const char *var, *value;
    } bad[] = {
        {KN_ENV_FORCE, "2"},        {KN_ENV_FORCE, "enabled"},   {KN_ENV_BACKEND, "gpu"},
        {KN_ENV_HEIGHT, "tall"},    {KN_ENV_HEIGHT, "1.7m"},     {KN_ENV_HEIGHT, "0.5"},
        {KN_ENV_HEIGHT, "3"},       {KN_ENV_HEIGHT, "nan"},      {KN_ENV_HEIGHT, "-1.7"},
        {KN_ENV_HEIGHT, "inf"},     {KN_ENV_LOG, "loud"},        {KN_ENV_LOG, "3"},
        {KN_ENV_SYNC, "always"},    {KN_ENV_SMOOTHING, "0.96"},  {KN_ENV_SMOOTHING, "1"},
        {KN_ENV_SMOOTHING, "-0.1"}, {KN_ENV_SMOOTHING, "nan"},   {KN_ENV_SMOOTHING, "smooth"},
        {KN_ENV_SMOOTHING, "0.2x"}, {KN_ENV_POSTURE, "sitting"}, {KN_ENV_POSTURE, "1"},
        {KN_ENV_POSTURE, "seated "}};
    kn_settings s;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        clear_env();
        setenv(bad[i].var, bad[i].value, 1);
        ck_assert_msg(kn_settings_read(&s) == 1, "%s=%s not counted", bad[i].var, bad[i].value);
        ck_assert(!s.force);
        ck_assert(!s.sync);
        ck_assert_int_eq(s.backend, KN_SETTING_BACKEND_AUTO);
        ck_assert_float_eq(s.height_m, 0.0f);
        ck_assert_int_eq(s.log_level, KN_LOG_WARN);
        ck_assert_float_eq(s.smoothing, -1.0f);
        ck_assert_int_eq(s.posture, KN_SETTING_POSTURE_AUTO);
    }
    clear_env();
}
END_TEST

START_TEST(overlong_paths_are_refused)
{
    char *long_path = malloc(KN_SETTINGS_PATH_SIZE + 1);
    memset(long_path, 'a', KN_SETTINGS_PATH_SIZE);
    long_path[KN_SETTINGS_PATH_SIZE] = '\0';
    kn_settings s;
    clear_env();
    setenv(KN_ENV_MODEL, long_path, 1);
    setenv(KN_ENV_RECORD, long_path, 1);
    ck_assert_uint_eq(kn_settings_read(&s), 2);
    ck_assert_str_eq(s.model, "");
    ck_assert_str_eq(s.record, "");
    clear_env();
    free(long_path);
}
END_TEST

START_TEST(log_level_grammar)
{
    kn_log_level level = KN_LOG_ERROR;
    ck_assert(kn_settings_parse_log_level(NULL, &level));
    ck_assert_int_eq(level, KN_LOG_DEFAULT);
    ck_assert(kn_settings_parse_log_level("off", &level));
    ck_assert_int_eq(level, KN_LOG_OFF);
    ck_assert(kn_settings_parse_log_level("Warning", &level));
    ck_assert_int_eq(level, KN_LOG_WARN);
    ck_assert(kn_settings_parse_log_level("info", &level));
    ck_assert_int_eq(level, KN_LOG_INFO);
    ck_assert(!kn_settings_parse_log_level("verbose", &level));
    ck_assert_int_eq(level, KN_LOG_INFO);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("layer_settings");
    TCase *tc = tcase_create("settings");
    tcase_add_test(tc, defaults_when_unset_or_empty);
    tcase_add_test(tc, valid_values);
    tcase_add_test(tc, malformed_values_fall_back);
    tcase_add_test(tc, overlong_paths_are_refused);
    tcase_add_test(tc, log_level_grammar);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
