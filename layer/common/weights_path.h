/* Where the installed default weights are, found from the layer library's
 * own location, so a --user and a --system install both work. */
#ifndef KN_LAYER_WEIGHTS_PATH_H
#define KN_LAYER_WEIGHTS_PATH_H

#include <stdbool.h>
#include <stddef.h>

/* Writes <layer library dir>/KN_LAYER_WEIGHTS_RELDIR/kinest.safetensors to
 * out and returns true when that file is readable; false otherwise (the
 * engine then uses its compiled-in default, or the IK). */
bool kn_default_weights_path(char *out, size_t size);

#endif
