/* libFuzzer target: the weights loader (container, architecture, shapes,
 * values) on arbitrary bytes must refuse or accept, never crash, leak or
 * read out of bounds. */
#include "weights/kn_weights.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kn_weights *w = NULL;
    kn_error err;
    if (kn_weights_load_memory(data, size, &w, &err) == KN_OK)
        kn_weights_free(w);
    return 0;
}
