/* The kernels (shaders/<name>.comp), one compute pipeline each, and their
 * SPIR-V as embedded at build time (shaders/embed_spirv.cmake). */
#ifndef KN_VK_SHADERS_H
#define KN_VK_SHADERS_H

#include <stddef.h>
#include <stdint.h>

#define KN_VK_KERNELS(X) X(linear) X(mlp_up) X(mix_conv) X(ssd_scan) X(ssd_out) X(readout)

#define KN_VK_SPIRV_DECLARE(name)                                                                  \
    extern const uint32_t kn_vk_spirv_##name[];                                                    \
    extern const size_t kn_vk_spirv_##name##_words;
KN_VK_KERNELS(KN_VK_SPIRV_DECLARE)
#undef KN_VK_SPIRV_DECLARE

#endif
