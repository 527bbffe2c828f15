# Install step between the library and the manifest (manifest/CMakeLists.txt):
# the installed library must load, as the loader would load it
# (kinest-layer-loads, in a child process), or the install stops before the
# manifest goes in. An implicit layer whose library does not load makes
# every OpenXR application on the machine fail to start.
execute_process(COMMAND "${KINEST_LAYER_LOADS}" "$ENV{DESTDIR}${KINEST_LAYER_INSTALLED}"
                RESULT_VARIABLE _loads ERROR_VARIABLE _why)
if(NOT _loads EQUAL 0)
  message(FATAL_ERROR "$ENV{DESTDIR}${KINEST_LAYER_INSTALLED} does not load (${_loads}): ${_why}"
                      "No layer manifest installed: every OpenXR application would fail to start.")
endif()
