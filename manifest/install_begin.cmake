# The first install step of the layer (layer/CMakeLists.txt): makes the
# paths the install(CODE) before it set (relative to the prefix, or
# absolute) absolute, and takes out a manifest already installed, so that
# no step failing after this one leaves an enabled layer whose library is
# not the one checked (the manifest goes in again after the check).
foreach(_var KINEST_LAYER_INSTALLED KINEST_LAYER_INSTALLED_MANIFEST KINEST_INSTALLED_LIST)
  if(NOT IS_ABSOLUTE "${${_var}}")
    set(${_var} "${CMAKE_INSTALL_PREFIX}/${${_var}}")
  endif()
endforeach()
file(REMOVE "$ENV{DESTDIR}${KINEST_LAYER_INSTALLED_MANIFEST}")
