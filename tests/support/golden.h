/* Golden vectors of tools/kinest export (docs/model.md, "Export"): a
 * directory with kinest.safetensors (weights) and golden.safetensors
 * (inputs, named-tick states, outputs), read for the backend tests. Failures
 * are Check assertions. */
#ifndef KN_TEST_GOLDEN_H
#define KN_TEST_GOLDEN_H

#include "weights/kn_weights.h"
#include "weights/safetensors.h"

#include <stddef.h>
#include <stdint.h>

typedef struct golden {
    uint8_t *bytes;
    kn_safetensors st;
    kn_weights *weights;
    uint32_t ticks;
} golden;

/* The whole file (asserts it can be read); free() it. */
uint8_t *golden_read_all(const char *path, size_t *size);
/* Loads dir/kinest.safetensors and parses dir/golden.safetensors. */
void golden_open(golden *g, const char *dir);
void golden_close(golden *g);
/* An F32 tensor of the golden file with `count` values, copied out; free() it. */
float *golden_tensor(const golden *g, const char *name, size_t count);
/* A step's expected outputs, kn_model_outputs(config) per tick (*per_tick):
 * prefix+"output" (21 x 6 per tick), then prefix+"contact" (2 per tick)
 * when the model has a contact head; free() it. */
float *golden_outputs(const golden *g, const char *prefix, uint32_t *per_tick);
/* Largest |a - b|; a NaN anywhere wins. */
double max_abs_diff(const float *a, const float *b, size_t n);

#endif
