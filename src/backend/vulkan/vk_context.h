/* The Vulkan plumbing the backend stands on: the loader opened at run time
 * (libkinest never links libvulkan, so it loads and falls back to the CPU
 * where there is none), one instance, one device with a compute queue, its
 * buffers, a command pool and a fence. Every call's VkResult is checked
 * and turned into a kn_error that names the call. Internal to the
 * backend. */
#ifndef KN_VK_CONTEXT_H
#define KN_VK_CONTEXT_H

#define VK_NO_PROTOTYPES
#include "core/kn_error.h"

#include <stdbool.h>
#include <vulkan/vulkan.h>

/* The entry points used, loaded by name: instance-level ones through
 * vkGetInstanceProcAddr, device-level ones through vkGetDeviceProcAddr
 * (no loader trampoline per call). */
#define KN_VK_INSTANCE_FNS(X)                                                                      \
    X(vkDestroyInstance)                                                                           \
    X(vkEnumeratePhysicalDevices)                                                                  \
    X(vkGetPhysicalDeviceProperties)                                                               \
    X(vkGetPhysicalDeviceQueueFamilyProperties)                                                    \
    X(vkGetPhysicalDeviceMemoryProperties)                                                         \
    X(vkCreateDevice)                                                                              \
    X(vkGetDeviceProcAddr)

#define KN_VK_DEVICE_FNS(X)                                                                        \
    X(vkDestroyDevice)                                                                             \
    X(vkGetDeviceQueue)                                                                            \
    X(vkDeviceWaitIdle)                                                                            \
    X(vkCreateBuffer)                                                                              \
    X(vkDestroyBuffer)                                                                             \
    X(vkGetBufferMemoryRequirements)                                                               \
    X(vkAllocateMemory)                                                                            \
    X(vkFreeMemory)                                                                                \
    X(vkBindBufferMemory)                                                                          \
    X(vkMapMemory)                                                                                 \
    X(vkUnmapMemory)                                                                               \
    X(vkCreateShaderModule)                                                                        \
    X(vkDestroyShaderModule)                                                                       \
    X(vkCreateDescriptorSetLayout)                                                                 \
    X(vkDestroyDescriptorSetLayout)                                                                \
    X(vkCreatePipelineLayout)                                                                      \
    X(vkDestroyPipelineLayout)                                                                     \
    X(vkCreateComputePipelines)                                                                    \
    X(vkDestroyPipeline)                                                                           \
    X(vkCreateDescriptorPool)                                                                      \
    X(vkDestroyDescriptorPool)                                                                     \
    X(vkAllocateDescriptorSets)                                                                    \
    X(vkUpdateDescriptorSets)                                                                      \
    X(vkCreateCommandPool)                                                                         \
    X(vkDestroyCommandPool)                                                                        \
    X(vkAllocateCommandBuffers)                                                                    \
    X(vkBeginCommandBuffer)                                                                        \
    X(vkEndCommandBuffer)                                                                          \
    X(vkCmdBindPipeline)                                                                           \
    X(vkCmdBindDescriptorSets)                                                                     \
    X(vkCmdPushConstants)                                                                          \
    X(vkCmdDispatch)                                                                               \
    X(vkCmdPipelineBarrier)                                                                        \
    X(vkCmdCopyBuffer)                                                                             \
    X(vkCmdFillBuffer)                                                                             \
    X(vkCreateFence)                                                                               \
    X(vkDestroyFence)                                                                              \
    X(vkResetFences)                                                                               \
    X(vkWaitForFences)                                                                             \
    X(vkQueueSubmit)

#define KN_VK_DECLARE(name) PFN_##name name;

typedef struct kn_vk_fns {
    PFN_vkGetInstanceProcAddr vkGetInstanceProcAddr;
    PFN_vkCreateInstance vkCreateInstance;
    KN_VK_INSTANCE_FNS(KN_VK_DECLARE)
    KN_VK_DEVICE_FNS(KN_VK_DECLARE)
} kn_vk_fns;

typedef struct kn_vk {
    void *loader; /* dlopen handle of libvulkan */
    kn_vk_fns fn;
    VkInstance instance;
    VkPhysicalDevice physical;
    VkPhysicalDeviceProperties props;
    VkPhysicalDeviceMemoryProperties memory;
    VkDevice device;
    uint32_t queue_family;
    VkQueue queue;
    VkCommandPool pool;
    VkFence fence;
    /* Set when a submission failed or timed out: the device (or a command
     * buffer still pending on it) cannot be trusted again. */
    bool lost;
} kn_vk;

typedef struct kn_vk_buffer {
    VkBuffer buffer;
    VkDeviceMemory memory;
    VkDeviceSize size;
    void *map; /* host-visible buffers only: mapped for their lifetime */
} kn_vk_buffer;

/* Opens the loader (KINEST_VULKAN_LOADER, else libvulkan.so.1), creates an
 * instance, picks a physical device with a compute queue (a discrete GPU
 * first; KINEST_VULKAN_DEVICE=index picks by vkEnumeratePhysicalDevices
 * order), creates the device, the command pool and the fence. Without a
 * usable device: KN_ERROR_UNSUPPORTED and a message that says why. On
 * failure what was made is released (kn_vk_close is safe either way). */
kn_status kn_vk_open(kn_vk *vk, kn_error *err);
void kn_vk_close(kn_vk *vk);

/* A buffer with its own memory: device-local for the kernels' buffers
 * (any type where the device has none), host-visible and coherent (and
 * mapped) for `host` ones. */
kn_status kn_vk_buffer_create(kn_vk *vk, VkDeviceSize size, VkBufferUsageFlags usage, bool host,
                              kn_vk_buffer *buf, kn_error *err);
void kn_vk_buffer_destroy(kn_vk *vk, kn_vk_buffer *buf);

/* Submits one recorded command buffer and waits for it on the fence. A
 * failure or a wait past the timeout marks the context lost. */
kn_status kn_vk_submit_wait(kn_vk *vk, VkCommandBuffer cmd, kn_error *err);

/* Records `status` and "vulkan: <what> failed: VK_..." in err. */
kn_status kn_vk_fail(kn_error *err, VkResult result, const char *what);
const char *kn_vk_result_name(VkResult result);

/* A global memory barrier between two stages (all later reads and writes
 * of `dst_stage` see the writes of `src_stage`). */
void kn_vk_barrier(const kn_vk *vk, VkCommandBuffer cmd, VkPipelineStageFlags src_stage,
                   VkAccessFlags src_access, VkPipelineStageFlags dst_stage,
                   VkAccessFlags dst_access);

#endif
