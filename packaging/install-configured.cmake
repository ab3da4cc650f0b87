# Installs the files whose text names installed paths, written with the prefix of this install
# (make install PREFIX=..., /usr in the package): the systemd unit and the default configuration.
# Run by `cmake --install` (install(SCRIPT)); GH_PACKAGING_DIR is the source's packaging/.
set(BINDIR "${CMAKE_INSTALL_PREFIX}/bin")
set(DOCDIR "${CMAKE_INSTALL_PREFIX}/share/doc/gatehouse")
set(root "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}")
configure_file("${GH_PACKAGING_DIR}/gatehouse.service.in" "${root}/lib/systemd/system/gatehouse.service" @ONLY)
configure_file("${GH_PACKAGING_DIR}/gatehouse.yaml" "${root}/share/gatehouse/gatehouse.yaml" @ONLY)
message(STATUS "Installing: ${root}/lib/systemd/system/gatehouse.service")
message(STATUS "Installing: ${root}/share/gatehouse/gatehouse.yaml")
