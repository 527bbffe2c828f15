/* The default adult skeleton: generated once, do not edit by hand.
 *
 * The mean of skeleton.offsets_m and skeleton.standing_head_height_m over the
 * 2,651 train clips of a full data build (Bandai dataset-1, dataset-2 and
 * HDM05 bd, bk, dg; one vote per clip), made left/right symmetric (each side
 * the mean of itself and the mirrored other side, x = 0 on the spine) and
 * rounded to 0.1 mm. Produced from the repository root, after
 * `tools/kinest data build --data ../shared/data --out build/data`, by
 * (these lines without their leading " * "):
 *
 *   /usr/bin/python3 - <<'EOF'
 *   import json, struct, numpy as np
 *   idx = json.load(open("build/data/index.json"))
 *   offs, heads = [], []
 *   for rel, e in sorted(idx["clips"].items()):
 *       if e["split"] == "train":
 *           with open("build/data/" + rel, "rb") as f:
 *               n = struct.unpack_from("<I", f.read(64), 28)[0]
 *               sk = json.loads(f.read(n))["skeleton"]
 *           offs.append(sk["offsets_m"]); heads.append(sk["standing_head_height_m"])
 *   o = np.mean(offs, 0); m = np.array([-1, 1, 1])
 *   for l, r in ((5, 9), (6, 10), (7, 11), (8, 12), (13, 17), (14, 18), (15, 19), (16, 20)):
 *       o[l] = (o[l] + m * o[r]) / 2; o[r] = m * o[l]
 *   o[1:5, 0] = 0
 *   print(len(offs), "%.4f" % np.mean(heads))
 *   o = np.round(o, 4) + 0.0
 *   for v in o: print("{%.4ff, %.4ff, %.4ff}," % tuple(v))
 *   EOF
 */
#include "skeleton/kn_skeleton.h"

#include <string.h>

static const kn_skeleton default_skeleton = {
    .offsets =
        {
            {0.0000f, 0.0000f, 0.0000f},    /* hips */
            {0.0000f, 0.1485f, 0.0000f},    /* spine */
            {0.0000f, 0.1005f, 0.0048f},    /* chest */
            {0.0000f, 0.1623f, 0.0004f},    /* neck */
            {0.0000f, 0.0721f, 0.0007f},    /* head */
            {-0.0467f, 0.1305f, 0.0026f},   /* left collar */
            {-0.0647f, 0.0017f, 0.0006f},   /* left upper arm */
            {-0.2455f, 0.0000f, 0.0000f},   /* left forearm */
            {-0.2267f, 0.0000f, 0.0000f},   /* left hand */
            {0.0467f, 0.1305f, 0.0026f},    /* right collar */
            {0.0647f, 0.0017f, 0.0006f},    /* right upper arm */
            {0.2455f, 0.0000f, 0.0000f},    /* right forearm */
            {0.2267f, 0.0000f, 0.0000f},    /* right hand */
            {-0.0653f, -0.0272f, -0.0028f}, /* left thigh */
            {0.0000f, -0.3922f, -0.0002f},  /* left shin */
            {0.0000f, -0.4118f, 0.0000f},   /* left foot */
            {-0.0012f, -0.0737f, -0.0933f}, /* left toes */
            {0.0653f, -0.0272f, -0.0028f},  /* right thigh */
            {0.0000f, -0.3922f, -0.0002f},  /* right shin */
            {0.0000f, -0.4118f, 0.0000f},   /* right foot */
            {0.0012f, -0.0737f, -0.0933f},  /* right toes */
        },
    .standing_head_height = 1.4301f,
};

void kn_skeleton_default(kn_skeleton *out)
{
    memcpy(out, &default_skeleton, sizeof *out);
}
