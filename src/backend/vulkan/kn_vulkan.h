/* The Vulkan compute backend (docs/vulkan.md): the model step as GLSL
 * kernels (shaders/) in one command buffer recorded at create and
 * resubmitted every tick. */
#ifndef KN_VULKAN_H
#define KN_VULKAN_H

#include "backend/kn_backend.h"

/* Called by kn_backend_create. Without a usable device (no loader, no
 * driver, no compute queue, a model too large for the kernels, any failed
 * Vulkan call) it returns KN_ERROR_UNSUPPORTED (KN_ERROR_OUT_OF_MEMORY when
 * memory ran out) with a message that says why; the caller falls back. */
kn_status kn_backend_vulkan_create(const kn_weights *weights, kn_backend **backend, kn_error *err);

/* The device a Vulkan backend runs on ("llvmpipe (LLVM 15.0.6, 256 bits)",
 * "NVIDIA H100 ..."); NULL for any other backend. */
const char *kn_backend_vulkan_device(const kn_backend *backend);

#endif
