/* libFuzzer target: the clip reader on arbitrary bytes. */
#include "clip/kn_clip.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kn_clip clip;
    kn_error err;
    if (kn_clip_read_memory(data, size, &clip, &err) == KN_OK)
        kn_clip_free(&clip);
    return 0;
}
