/* Path atoms: per instance, XrPath n names the n-th distinct string. */
#include "functions.h"

#include <stdlib.h>
#include <string.h>

static const char *const user_paths[] = {"/user/hand/left", "/user/hand/right", "/user/head",
                                         "/user/gamepad", "/user/treadmill"};

/* The spec's well-formed path: '/' then components of [a-z0-9-_.] separated
 * by single '/', no trailing '/', no "." or ".." component. */
static bool well_formed(const char *s)
{
    size_t n = strnlen(s, XR_MAX_PATH_LENGTH);
    if (n == 0 || n >= XR_MAX_PATH_LENGTH || s[0] != '/' || s[n - 1] == '/')
        return false;
    const char *component = s + 1;
    for (const char *c = s + 1;; c++) {
        if (*c == '/' || *c == '\0') {
            size_t len = (size_t)(c - component);
            if (len == 0 || (len == 1 && component[0] == '.') ||
                (len == 2 && component[0] == '.' && component[1] == '.'))
                return false;
            if (*c == '\0')
                return true;
            component = c + 1;
        } else if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' ||
                     *c == '_' || *c == '.')) {
            return false;
        }
    }
}

XrResult rt_path_intern(rt_instance *inst, const char *string, XrPath *path)
{
    if (!well_formed(string))
        return XR_ERROR_PATH_FORMAT_INVALID;
    for (uint32_t i = 0; i < inst->paths.count; i++)
        if (strcmp(inst->paths.items[i], string) == 0) {
            *path = (XrPath)i + 1;
            return XR_SUCCESS;
        }
    char *copy = strdup(string);
    if (!copy || !rt_ptrs_push(&inst->paths, copy)) {
        free(copy);
        return XR_ERROR_PATH_COUNT_EXCEEDED;
    }
    *path = inst->paths.count;
    return XR_SUCCESS;
}

const char *rt_path_string(const rt_instance *inst, XrPath path)
{
    return path >= 1 && path <= inst->paths.count ? inst->paths.items[path - 1] : NULL;
}

void rt_paths_free(rt_instance *inst)
{
    for (uint32_t i = 0; i < inst->paths.count; i++)
        free(inst->paths.items[i]);
    rt_ptrs_free(&inst->paths);
}

int rt_path_hand(const rt_instance *inst, XrPath path)
{
    const char *s = rt_path_string(inst, path);
    if (!s)
        return -1;
    if (strcmp(s, user_paths[RT_LEFT]) == 0)
        return RT_LEFT;
    if (strcmp(s, user_paths[RT_RIGHT]) == 0)
        return RT_RIGHT;
    return -1;
}

bool rt_path_is_user(const rt_instance *inst, XrPath path)
{
    const char *s = rt_path_string(inst, path);
    for (size_t i = 0; s && i < sizeof user_paths / sizeof user_paths[0]; i++)
        if (strcmp(s, user_paths[i]) == 0)
            return true;
    return false;
}

static XrResult string_to_path(XrInstance instance, const char *string, XrPath *path)
{
    rt_instance *inst = rt_handle_get(RT_KEY(instance), RT_KIND_INSTANCE);
    if (!inst)
        return XR_ERROR_HANDLE_INVALID;
    if (!string || !path)
        return XR_ERROR_VALIDATION_FAILURE;
    return rt_path_intern(inst, string, path);
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrStringToPath(XrInstance instance, const char *pathString,
                                                 XrPath *path)
{
    RT_LOCKED(string_to_path(instance, pathString, path));
}

static XrResult path_to_string(XrInstance instance, XrPath path, uint32_t capacity, uint32_t *count,
                               char *buffer)
{
    rt_instance *inst = rt_handle_get(RT_KEY(instance), RT_KIND_INSTANCE);
    if (!inst)
        return XR_ERROR_HANDLE_INVALID;
    const char *s = rt_path_string(inst, path);
    if (!s)
        return XR_ERROR_PATH_INVALID;
    return rt_fill_string(s, capacity, count, buffer);
}

XRAPI_ATTR XrResult XRAPI_CALL rt_xrPathToString(XrInstance instance, XrPath path,
                                                 uint32_t bufferCapacityInput,
                                                 uint32_t *bufferCountOutput, char *buffer)
{
    RT_LOCKED(path_to_string(instance, path, bufferCapacityInput, bufferCountOutput, buffer));
}
