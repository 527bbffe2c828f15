/* Loader, instance, device selection, buffers and submission for the
 * Vulkan backend. Nothing here knows the model. */
#include "backend/vulkan/vk_context.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A tick takes microseconds on a GPU and milliseconds on lavapipe; a
 * submission still pending after this is a hung device, not a slow one. */
#define KN_VK_TIMEOUT_NS   (10ull * 1000 * 1000 * 1000)
#define KN_VK_MAX_DEVICES  16
#define KN_VK_MAX_FAMILIES 32

const char *kn_vk_result_name(VkResult result)
{
    switch (result) {
#define NAME(r)                                                                                    \
    case r:                                                                                        \
        return #r;
        NAME(VK_SUCCESS)
        NAME(VK_NOT_READY)
        NAME(VK_TIMEOUT)
        NAME(VK_INCOMPLETE)
        NAME(VK_ERROR_OUT_OF_HOST_MEMORY)
        NAME(VK_ERROR_OUT_OF_DEVICE_MEMORY)
        NAME(VK_ERROR_INITIALIZATION_FAILED)
        NAME(VK_ERROR_DEVICE_LOST)
        NAME(VK_ERROR_MEMORY_MAP_FAILED)
        NAME(VK_ERROR_LAYER_NOT_PRESENT)
        NAME(VK_ERROR_EXTENSION_NOT_PRESENT)
        NAME(VK_ERROR_FEATURE_NOT_PRESENT)
        NAME(VK_ERROR_INCOMPATIBLE_DRIVER)
        NAME(VK_ERROR_TOO_MANY_OBJECTS)
        NAME(VK_ERROR_FORMAT_NOT_SUPPORTED)
        NAME(VK_ERROR_FRAGMENTED_POOL)
        NAME(VK_ERROR_OUT_OF_POOL_MEMORY)
        NAME(VK_ERROR_INVALID_SHADER_NV)
#undef NAME
    default:
        return "VK_ERROR_UNKNOWN";
    }
}

kn_status kn_vk_fail(kn_error *err, VkResult result, const char *what)
{
    kn_status st = result == VK_ERROR_OUT_OF_HOST_MEMORY || result == VK_ERROR_OUT_OF_DEVICE_MEMORY
                       ? KN_ERROR_OUT_OF_MEMORY
                       : KN_ERROR_UNSUPPORTED;
    return kn_fail(err, st, "vulkan: %s failed: %s (%d)", what, kn_vk_result_name(result),
                   (int)result);
}

#define CHECK(call, what)                                                                          \
    do {                                                                                           \
        VkResult r_ = (call);                                                                      \
        if (r_ != VK_SUCCESS)                                                                      \
            return kn_vk_fail(err, r_, what);                                                      \
    } while (0)

/* dlsym returns an object pointer; ISO C has no cast to a function
 * pointer, POSIX guarantees the representation is the same. */
static PFN_vkVoidFunction as_function(void *symbol)
{
    PFN_vkVoidFunction f;
    memcpy(&f, &symbol, sizeof f);
    return f;
}

static kn_status open_loader(kn_vk *vk, kn_error *err)
{
    const char *name = getenv("KINEST_VULKAN_LOADER");
    if (!name || !*name)
        name = "libvulkan.so.1";
    vk->loader = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!vk->loader) {
        const char *why = dlerror();
        return kn_fail(err, KN_ERROR_UNSUPPORTED, "vulkan: no Vulkan loader (%s)",
                       why ? why : name);
    }
    PFN_vkVoidFunction gipa = as_function(dlsym(vk->loader, "vkGetInstanceProcAddr"));
    if (!gipa)
        return kn_fail(err, KN_ERROR_UNSUPPORTED, "vulkan: %s has no vkGetInstanceProcAddr", name);
    vk->fn.vkGetInstanceProcAddr = (PFN_vkGetInstanceProcAddr)gipa;
    vk->fn.vkCreateInstance =
        (PFN_vkCreateInstance)vk->fn.vkGetInstanceProcAddr(NULL, "vkCreateInstance");
    if (!vk->fn.vkCreateInstance)
        return kn_fail(err, KN_ERROR_UNSUPPORTED, "vulkan: the loader has no vkCreateInstance");
    return KN_OK;
}

static kn_status create_instance(kn_vk *vk, kn_error *err)
{
    const VkApplicationInfo app = {
        .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
        .pApplicationName = "kinest",
        .pEngineName = "libkinest",
        .apiVersion = VK_API_VERSION_1_0,
    };
    const VkInstanceCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
        .pApplicationInfo = &app,
    };
    VkResult r = vk->fn.vkCreateInstance(&info, NULL, &vk->instance);
    if (r != VK_SUCCESS) {
        vk->instance = VK_NULL_HANDLE;
        if (r == VK_ERROR_INCOMPATIBLE_DRIVER)
            return kn_fail(err, KN_ERROR_UNSUPPORTED,
                           "vulkan: no Vulkan driver found (vkCreateInstance: "
                           "VK_ERROR_INCOMPATIBLE_DRIVER; VK_DRIVER_FILES or VK_ICD_FILENAMES "
                           "set where the loader looks)");
        return kn_vk_fail(err, r, "vkCreateInstance");
    }
#define LOAD(name)                                                                                 \
    vk->fn.name = (PFN_##name)vk->fn.vkGetInstanceProcAddr(vk->instance, #name);                   \
    if (!vk->fn.name)                                                                              \
        return kn_fail(err, KN_ERROR_UNSUPPORTED, "vulkan: the loader lacks %s", #name);
    KN_VK_INSTANCE_FNS(LOAD)
#undef LOAD
    return KN_OK;
}

/* The queue family to use on a device, or UINT32_MAX when it has no
 * compute queue. A compute family without graphics first: on a GPU that
 * also renders the application's frames it may run beside them. */
static uint32_t compute_family(const kn_vk *vk, VkPhysicalDevice device)
{
    VkQueueFamilyProperties families[KN_VK_MAX_FAMILIES];
    uint32_t n = KN_VK_MAX_FAMILIES, best = UINT32_MAX;
    vk->fn.vkGetPhysicalDeviceQueueFamilyProperties(device, &n, families);
    for (uint32_t i = 0; i < n; i++) {
        VkQueueFlags f = families[i].queueFlags;
        if (!(f & VK_QUEUE_COMPUTE_BIT) || families[i].queueCount == 0)
            continue;
        if (!(f & VK_QUEUE_GRAPHICS_BIT))
            return i;
        if (best == UINT32_MAX)
            best = i;
    }
    return best;
}

static int type_rank(VkPhysicalDeviceType type)
{
    switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
        return 4;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
        return 3;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
        return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU:
        return 1;
    default:
        return 0;
    }
}

static kn_status pick_device(kn_vk *vk, kn_error *err)
{
    VkPhysicalDevice devices[KN_VK_MAX_DEVICES];
    uint32_t n = KN_VK_MAX_DEVICES;
    VkResult r = vk->fn.vkEnumeratePhysicalDevices(vk->instance, &n, devices);
    if (r != VK_SUCCESS && r != VK_INCOMPLETE)
        return kn_vk_fail(err, r, "vkEnumeratePhysicalDevices");
    if (n == 0)
        return kn_fail(err, KN_ERROR_UNSUPPORTED, "vulkan: no Vulkan device found");

    const char *want = getenv("KINEST_VULKAN_DEVICE");
    int chosen = -1, best_rank = -1;
    if (want && *want) {
        char *end;
        errno = 0;
        long i = strtol(want, &end, 10);
        if (errno || *end || i < 0 || i >= (long)n)
            return kn_fail(err, KN_ERROR_UNSUPPORTED,
                           "vulkan: KINEST_VULKAN_DEVICE=%.32s is not a device index (0 to %u)",
                           want, n - 1);
        if (compute_family(vk, devices[i]) == UINT32_MAX)
            return kn_fail(err, KN_ERROR_UNSUPPORTED,
                           "vulkan: device %ld (KINEST_VULKAN_DEVICE) has no compute queue", i);
        chosen = (int)i;
    } else {
        for (uint32_t i = 0; i < n; i++) {
            VkPhysicalDeviceProperties p;
            vk->fn.vkGetPhysicalDeviceProperties(devices[i], &p);
            int rank = type_rank(p.deviceType);
            if (rank > best_rank && compute_family(vk, devices[i]) != UINT32_MAX)
                chosen = (int)i, best_rank = rank;
        }
        if (chosen < 0)
            return kn_fail(err, KN_ERROR_UNSUPPORTED,
                           "vulkan: none of the %u Vulkan devices has a compute queue", n);
    }
    vk->physical = devices[chosen];
    vk->queue_family = compute_family(vk, vk->physical);
    vk->fn.vkGetPhysicalDeviceProperties(vk->physical, &vk->props);
    vk->fn.vkGetPhysicalDeviceMemoryProperties(vk->physical, &vk->memory);
    return KN_OK;
}

static kn_status create_device(kn_vk *vk, kn_error *err)
{
    const float priority = 1.0f;
    const VkDeviceQueueCreateInfo queue = {
        .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
        .queueFamilyIndex = vk->queue_family,
        .queueCount = 1,
        .pQueuePriorities = &priority,
    };
    const VkDeviceCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
        .queueCreateInfoCount = 1,
        .pQueueCreateInfos = &queue,
    };
    VkResult r = vk->fn.vkCreateDevice(vk->physical, &info, NULL, &vk->device);
    if (r != VK_SUCCESS) {
        vk->device = VK_NULL_HANDLE;
        return kn_vk_fail(err, r, "vkCreateDevice");
    }
#define LOAD(name)                                                                                 \
    vk->fn.name = (PFN_##name)vk->fn.vkGetDeviceProcAddr(vk->device, #name);                       \
    if (!vk->fn.name)                                                                              \
        return kn_fail(err, KN_ERROR_UNSUPPORTED, "vulkan: the driver lacks %s", #name);
    KN_VK_DEVICE_FNS(LOAD)
#undef LOAD
    vk->fn.vkGetDeviceQueue(vk->device, vk->queue_family, 0, &vk->queue);

    const VkCommandPoolCreateInfo pool = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
        .queueFamilyIndex = vk->queue_family,
    };
    CHECK(vk->fn.vkCreateCommandPool(vk->device, &pool, NULL, &vk->pool), "vkCreateCommandPool");
    const VkFenceCreateInfo fence = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    CHECK(vk->fn.vkCreateFence(vk->device, &fence, NULL, &vk->fence), "vkCreateFence");
    return KN_OK;
}

kn_status kn_vk_open(kn_vk *vk, kn_error *err)
{
    memset(vk, 0, sizeof *vk);
    kn_status st = open_loader(vk, err);
    if (st == KN_OK)
        st = create_instance(vk, err);
    if (st == KN_OK)
        st = pick_device(vk, err);
    if (st == KN_OK)
        st = create_device(vk, err);
    if (st != KN_OK)
        kn_vk_close(vk);
    return st;
}

void kn_vk_close(kn_vk *vk)
{
    if (vk->device) {
        if (vk->fn.vkDeviceWaitIdle)
            vk->fn.vkDeviceWaitIdle(vk->device);
        if (vk->fence)
            vk->fn.vkDestroyFence(vk->device, vk->fence, NULL);
        if (vk->pool)
            vk->fn.vkDestroyCommandPool(vk->device, vk->pool, NULL);
        if (vk->fn.vkDestroyDevice)
            vk->fn.vkDestroyDevice(vk->device, NULL);
    }
    if (vk->instance && vk->fn.vkDestroyInstance)
        vk->fn.vkDestroyInstance(vk->instance, NULL);
    if (vk->loader)
        dlclose(vk->loader);
    memset(vk, 0, sizeof *vk);
}

static uint32_t memory_type(const kn_vk *vk, uint32_t allowed, VkMemoryPropertyFlags want)
{
    for (uint32_t i = 0; i < vk->memory.memoryTypeCount; i++)
        if ((allowed & (1u << i)) && (vk->memory.memoryTypes[i].propertyFlags & want) == want)
            return i;
    return UINT32_MAX;
}

kn_status kn_vk_buffer_create(kn_vk *vk, VkDeviceSize size, VkBufferUsageFlags usage, bool host,
                              kn_vk_buffer *buf, kn_error *err)
{
    memset(buf, 0, sizeof *buf);
    buf->size = size < 16 ? 16 : (size + 15) & ~(VkDeviceSize)15;
    const VkBufferCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
        .size = buf->size,
        .usage = usage,
        .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
    };
    CHECK(vk->fn.vkCreateBuffer(vk->device, &info, NULL, &buf->buffer), "vkCreateBuffer");
    VkMemoryRequirements req;
    vk->fn.vkGetBufferMemoryRequirements(vk->device, buf->buffer, &req);
    uint32_t type;
    if (host) {
        type =
            memory_type(vk, req.memoryTypeBits,
                        VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
    } else {
        type = memory_type(vk, req.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
        if (type == UINT32_MAX)
            type = memory_type(vk, req.memoryTypeBits, 0);
    }
    if (type == UINT32_MAX)
        return kn_fail(err, KN_ERROR_UNSUPPORTED, "vulkan: no memory type for a %s buffer",
                       host ? "host-visible" : "device");
    const VkMemoryAllocateInfo alloc = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
        .allocationSize = req.size,
        .memoryTypeIndex = type,
    };
    CHECK(vk->fn.vkAllocateMemory(vk->device, &alloc, NULL, &buf->memory), "vkAllocateMemory");
    CHECK(vk->fn.vkBindBufferMemory(vk->device, buf->buffer, buf->memory, 0), "vkBindBufferMemory");
    if (host)
        CHECK(vk->fn.vkMapMemory(vk->device, buf->memory, 0, VK_WHOLE_SIZE, 0, &buf->map),
              "vkMapMemory");
    return KN_OK;
}

void kn_vk_buffer_destroy(kn_vk *vk, kn_vk_buffer *buf)
{
    if (buf->buffer)
        vk->fn.vkDestroyBuffer(vk->device, buf->buffer, NULL);
    if (buf->memory)
        vk->fn.vkFreeMemory(vk->device, buf->memory, NULL); /* unmaps too */
    memset(buf, 0, sizeof *buf);
}

kn_status kn_vk_submit_wait(kn_vk *vk, VkCommandBuffer cmd, kn_error *err)
{
    if (vk->lost)
        return kn_fail(err, KN_ERROR_UNSUPPORTED,
                       "vulkan: the device failed earlier; the backend must be created again");
    const VkSubmitInfo submit = {
        .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
        .commandBufferCount = 1,
        .pCommandBuffers = &cmd,
    };
    VkResult r = vk->fn.vkQueueSubmit(vk->queue, 1, &submit, vk->fence);
    if (r == VK_SUCCESS)
        r = vk->fn.vkWaitForFences(vk->device, 1, &vk->fence, VK_TRUE, KN_VK_TIMEOUT_NS);
    if (r == VK_SUCCESS)
        r = vk->fn.vkResetFences(vk->device, 1, &vk->fence);
    if (r == VK_SUCCESS)
        return KN_OK;
    vk->lost = true;
    if (r == VK_TIMEOUT)
        return kn_fail(err, KN_ERROR_UNSUPPORTED,
                       "vulkan: the device did not finish a submission within %llu s",
                       KN_VK_TIMEOUT_NS / 1000000000ull);
    return kn_vk_fail(err, r, "a submission (vkQueueSubmit, vkWaitForFences)");
}

void kn_vk_barrier(const kn_vk *vk, VkCommandBuffer cmd, VkPipelineStageFlags src_stage,
                   VkAccessFlags src_access, VkPipelineStageFlags dst_stage,
                   VkAccessFlags dst_access)
{
    const VkMemoryBarrier barrier = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
        .srcAccessMask = src_access,
        .dstAccessMask = dst_access,
    };
    vk->fn.vkCmdPipelineBarrier(cmd, src_stage, dst_stage, 0, 1, &barrier, 0, NULL, 0, NULL);
}
