/* kinest-layer-loads LIBRARY: exits 0 if LIBRARY loads as the OpenXR loader
 * would load it (dlopen, then its negotiation function), 1 otherwise, with
 * the reason on stderr. The install runs it, in a process of its own, before
 * the manifest goes in: an implicit layer whose library does not load makes
 * every OpenXR application on the machine fail xrCreateInstance (or crash,
 * for a truncated file). */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: kinest-layer-loads LIBRARY\n");
        return 2;
    }
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "kinest-layer-loads: %s\n", dlerror());
        return 1;
    }
    int ok = dlsym(lib, "xrNegotiateLoaderApiLayerInterface") != NULL;
    if (!ok)
        fprintf(stderr, "kinest-layer-loads: %s has no xrNegotiateLoaderApiLayerInterface\n",
                argv[1]);
    dlclose(lib);
    return ok ? 0 : 1;
}
