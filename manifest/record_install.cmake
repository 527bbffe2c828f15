# The last install step of the layer (manifest/CMakeLists.txt): the list of
# every file the install put there, for tools/install-layer --uninstall.
list(APPEND CMAKE_INSTALL_MANIFEST_FILES "${KINEST_INSTALLED_LIST}")
list(REMOVE_DUPLICATES CMAKE_INSTALL_MANIFEST_FILES)
string(REPLACE ";" "\n" _files "${CMAKE_INSTALL_MANIFEST_FILES}")
message(STATUS "Installing: $ENV{DESTDIR}${KINEST_INSTALLED_LIST}")
file(WRITE "$ENV{DESTDIR}${KINEST_INSTALLED_LIST}" "${_files}\n")
