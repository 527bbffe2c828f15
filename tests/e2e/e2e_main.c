/* kinest-e2e CASE [options]: see the cases in e2e_cases.c and e2e_replay.c. */
#include "e2e.h"

#include <string.h>

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } cases[] = {{"extensions", e2e_extensions},
                 {"body-properties", e2e_body_properties},
                 {"bypass", e2e_bypass},
                 {"replay", e2e_replay},
                 {"runtime-rules", e2e_runtime_rules},
                 {"live", e2e_live},
                 {"attach-twice", e2e_attach_twice},
                 {"body", e2e_body},
                 {"write-clip", e2e_write_clip}};
    for (size_t i = 0; argc > 1 && i < sizeof cases / sizeof cases[0]; i++)
        if (strcmp(argv[1], cases[i].name) == 0)
            return cases[i].run(argc - 2, argv + 2);
    fprintf(stderr, "usage: kinest-e2e extensions|body-properties|bypass|replay|runtime-rules|live|"
                    "attach-twice|body|write-clip [options]\n");
    return 2;
}
