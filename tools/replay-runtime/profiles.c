/* The interaction profiles the runtime accepts bindings for, with their
 * input and output components per hand (OpenXR 1.0 spec, "Interaction
 * Profile Paths", and the controller extensions). The replayed controller
 * answers to any of them: its grip and aim poses are the clip's grips, every
 * other input is at rest. */
#include "runtime.h"

#include <string.h>

#define END NULL

static const char *const simple[] = {"input/select/click", "input/menu/click", "input/grip/pose",
                                     "input/aim/pose",     "output/haptic",    END};

static const char *const touch_left[] = {"input/x/click", "input/x/touch",    "input/y/click",
                                         "input/y/touch", "input/menu/click", END};
static const char *const touch_right[] = {"input/a/click", "input/a/touch",      "input/b/click",
                                          "input/b/touch", "input/system/click", END};
static const char *const touch[] = {"input/squeeze/value",
                                    "input/trigger/value",
                                    "input/trigger/touch",
                                    "input/thumbstick",
                                    "input/thumbstick/x",
                                    "input/thumbstick/y",
                                    "input/thumbstick/click",
                                    "input/thumbstick/touch",
                                    "input/thumbrest/touch",
                                    "input/grip/pose",
                                    "input/aim/pose",
                                    "output/haptic",
                                    END};
static const char *const touch_pro[] = {"input/squeeze/value",
                                        "input/trigger/value",
                                        "input/trigger/touch",
                                        "input/thumbstick",
                                        "input/thumbstick/x",
                                        "input/thumbstick/y",
                                        "input/thumbstick/click",
                                        "input/thumbstick/touch",
                                        "input/thumbrest/touch",
                                        "input/thumbrest/force",
                                        "input/stylus_fb/force",
                                        "input/trigger/curl_fb",
                                        "input/trigger/slide_fb",
                                        "input/trigger/proximity_fb",
                                        "input/thumb_fb/proximity_fb",
                                        "input/grip/pose",
                                        "input/aim/pose",
                                        "output/haptic",
                                        "output/haptic_trigger_fb",
                                        "output/haptic_thumb_fb",
                                        END};
static const char *const touch_plus[] = {"input/squeeze/value",
                                         "input/trigger/value",
                                         "input/trigger/touch",
                                         "input/trigger/force",
                                         "input/trigger/curl_meta",
                                         "input/trigger/slide_meta",
                                         "input/trigger/proximity_meta",
                                         "input/thumb_meta/proximity_meta",
                                         "input/thumbstick",
                                         "input/thumbstick/x",
                                         "input/thumbstick/y",
                                         "input/thumbstick/click",
                                         "input/thumbstick/touch",
                                         "input/thumbrest/touch",
                                         "input/grip/pose",
                                         "input/aim/pose",
                                         "output/haptic",
                                         END};

static const char *const index_both[] = {"input/system/click",
                                         "input/system/touch",
                                         "input/a/click",
                                         "input/a/touch",
                                         "input/b/click",
                                         "input/b/touch",
                                         "input/squeeze/value",
                                         "input/squeeze/force",
                                         "input/trigger/click",
                                         "input/trigger/value",
                                         "input/trigger/touch",
                                         "input/thumbstick",
                                         "input/thumbstick/x",
                                         "input/thumbstick/y",
                                         "input/thumbstick/click",
                                         "input/thumbstick/touch",
                                         "input/trackpad",
                                         "input/trackpad/x",
                                         "input/trackpad/y",
                                         "input/trackpad/force",
                                         "input/trackpad/touch",
                                         "input/grip/pose",
                                         "input/aim/pose",
                                         "output/haptic",
                                         END};

static const char *const vive[] = {"input/system/click",   "input/squeeze/click",
                                   "input/menu/click",     "input/trigger/click",
                                   "input/trigger/value",  "input/trackpad",
                                   "input/trackpad/x",     "input/trackpad/y",
                                   "input/trackpad/click", "input/trackpad/touch",
                                   "input/grip/pose",      "input/aim/pose",
                                   "output/haptic",        END};

static const char *const wmr[] = {
    "input/menu/click",   "input/squeeze/click", "input/trigger/value",    "input/thumbstick",
    "input/thumbstick/x", "input/thumbstick/y",  "input/thumbstick/click", "input/trackpad",
    "input/trackpad/x",   "input/trackpad/y",    "input/trackpad/click",   "input/trackpad/touch",
    "input/grip/pose",    "input/aim/pose",      "output/haptic",          END};

static const char *const hp_left[] = {"input/x/click", "input/y/click", END};
static const char *const hp_right[] = {"input/a/click", "input/b/click", END};
static const char *const hp[] = {"input/menu/click",
                                 "input/squeeze/value",
                                 "input/trigger/value",
                                 "input/thumbstick",
                                 "input/thumbstick/x",
                                 "input/thumbstick/y",
                                 "input/thumbstick/click",
                                 "input/grip/pose",
                                 "input/aim/pose",
                                 "output/haptic",
                                 END};

static const char *const pico_left[] = {"input/x/click", "input/x/touch",    "input/y/click",
                                        "input/y/touch", "input/menu/click", END};
static const char *const pico_right[] = {"input/a/click", "input/a/touch", "input/b/click",
                                         "input/b/touch", END};
static const char *const pico[] = {
    "input/system/click",  "input/trigger/click",    "input/trigger/value",
    "input/trigger/touch", "input/thumbstick",       "input/thumbstick/x",
    "input/thumbstick/y",  "input/thumbstick/click", "input/thumbstick/touch",
    "input/squeeze/click", "input/squeeze/value",    "input/grip/pose",
    "input/aim/pose",      "output/haptic",          END};
static const char *const pico_neo3[] = {"input/menu/click",       "input/system/click",
                                        "input/trigger/click",    "input/trigger/value",
                                        "input/trigger/touch",    "input/thumbstick",
                                        "input/thumbstick/x",     "input/thumbstick/y",
                                        "input/thumbstick/click", "input/thumbstick/touch",
                                        "input/squeeze/click",    "input/squeeze/value",
                                        "input/grip/pose",        "input/aim/pose",
                                        "output/haptic",          END};

static const char *const none[] = {END};

/* In order of preference when the app suggested several and not the one
 * named by KINEST_REPLAY_PROFILE (default: the Touch controller). */
const rt_profile rt_profiles[RT_PROFILE_COUNT] = {
    {"/interaction_profiles/oculus/touch_controller", 0, touch, touch_left, touch_right},
    {"/interaction_profiles/meta/touch_controller_plus", RT_EXT_META_TOUCH_PLUS, touch_plus,
     touch_left, touch_right},
    {"/interaction_profiles/facebook/touch_controller_pro", RT_EXT_FB_TOUCH_PRO, touch_pro,
     touch_left, touch_right},
    {"/interaction_profiles/valve/index_controller", 0, index_both, none, none},
    {"/interaction_profiles/bytedance/pico4_controller", RT_EXT_BD_CONTROLLER, pico, pico_left,
     pico_right},
    {"/interaction_profiles/bytedance/pico_neo3_controller", RT_EXT_BD_CONTROLLER, pico_neo3,
     pico_left, pico_right},
    {"/interaction_profiles/hp/mixed_reality_controller", RT_EXT_HP_CONTROLLER, hp, hp_left,
     hp_right},
    {"/interaction_profiles/microsoft/motion_controller", 0, wmr, none, none},
    {"/interaction_profiles/htc/vive_controller", 0, vive, none, none},
    {"/interaction_profiles/khr/simple_controller", 0, simple, none, none},
};

int rt_profile_find(const char *path)
{
    for (int i = 0; i < RT_PROFILE_COUNT; i++)
        if (strcmp(path, rt_profiles[i].path) == 0)
            return i;
    return -1;
}

/* A component, or its identifier alone (".../input/trigger" for
 * ".../input/trigger/value"), which the spec lets the runtime resolve. */
static bool listed(const char *const *list, const char *component)
{
    size_t n = strlen(component);
    for (; *list; list++)
        if (strcmp(*list, component) == 0 ||
            (strncmp(*list, component, n) == 0 && (*list)[n] == '/'))
            return true;
    return false;
}

bool rt_profile_binding(const rt_profile *p, const char *path, int *hand, rt_source *source)
{
    static const char *const prefixes[RT_HANDS] = {"/user/hand/left/", "/user/hand/right/"};
    for (int h = 0; h < RT_HANDS; h++) {
        size_t n = strlen(prefixes[h]);
        if (strncmp(path, prefixes[h], n) != 0)
            continue;
        const char *component = path + n;
        if (!listed(p->both, component) && !listed(h == RT_LEFT ? p->left : p->right, component))
            return false;
        *hand = h;
        if (strcmp(component, "input/grip/pose") == 0 || strcmp(component, "input/grip") == 0)
            *source = RT_SOURCE_GRIP;
        else if (strcmp(component, "input/aim/pose") == 0 || strcmp(component, "input/aim") == 0)
            *source = RT_SOURCE_AIM;
        else
            *source = RT_SOURCE_OTHER;
        return true;
    }
    return false;
}
