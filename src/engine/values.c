/* The public API's functions that need no engine: names, counts, defaults. */
#include "kinest.h"

#include "joints/kn_xr_joints.h"

#include <string.h>

const char *kinest_status_string(kinest_status status)
{
    switch (status) {
    case KINEST_SUCCESS:
        return "success";
    case KINEST_ERROR_INVALID_ARGUMENT:
        return "invalid argument";
    case KINEST_ERROR_IO:
        return "the weights file cannot be read";
    case KINEST_ERROR_FORMAT:
        return "the weights file is malformed or does not match its architecture";
    case KINEST_ERROR_UNSUPPORTED:
        return "not supported here";
    case KINEST_ERROR_OUT_OF_MEMORY:
        return "out of memory";
    case KINEST_ERROR_NON_FINITE:
        return "a value is not finite";
    case KINEST_ERROR_TIME_INVALID:
        return "invalid time";
    case KINEST_ERROR_SIZE_MISMATCH:
        return "joint count does not match the joint set";
    case KINEST_ERROR_BACKEND:
        return "the backend failed";
    }
    return "unknown status";
}

const char *kinest_backend_name(kinest_backend backend)
{
    switch (backend) {
    case KINEST_BACKEND_AUTO:
        return "auto";
    case KINEST_BACKEND_CPU:
        return "cpu";
    case KINEST_BACKEND_VULKAN:
        return "vulkan";
    case KINEST_BACKEND_IK:
        return "ik";
    }
    return "unknown";
}

uint32_t kinest_joint_count(kinest_joint_set set)
{
    return kn_joints_count((int)set);
}

void kinest_config_init(kinest_config *config)
{
    if (!config)
        return;
    memset(config, 0, sizeof *config);
    config->struct_size = (uint32_t)sizeof *config;
    config->backend = KINEST_BACKEND_AUTO;
    config->height_m = 0.0f;
    config->log_level = KINEST_LOG_WARN;
    config->body_flags = KINEST_BODY_DEFAULT;
    config->smoothing = -1.0;
    config->posture = KINEST_POSTURE_AUTO;
}
