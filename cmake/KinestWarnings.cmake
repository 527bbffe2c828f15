# Compile options every kinest target shares: strict C11 warnings, optional
# -Werror, optional ASan+UBSan or TSan. Attached to an interface target so that each
# library, tool and test links it once instead of repeating flags.
add_library(kinest_options INTERFACE)
# Linux is the target: POSIX interfaces (fileno, clock_gettime, ...) are fair game.
target_compile_definitions(kinest_options INTERFACE _POSIX_C_SOURCE=200809L)
target_compile_options(kinest_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                                                -Wstrict-prototypes -Wmissing-prototypes)
if(KINEST_WERROR)
  target_compile_options(kinest_options INTERFACE -Werror)
endif()
if(KINEST_SANITIZE)
  set(_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_compile_options(kinest_options INTERFACE ${_san})
  target_link_options(kinest_options INTERFACE ${_san})
endif()
if(KINEST_SANITIZE_THREAD)
  set(_tsan -fsanitize=thread -fno-omit-frame-pointer)
  target_compile_options(kinest_options INTERFACE ${_tsan})
  target_link_options(kinest_options INTERFACE ${_tsan})
endif()
