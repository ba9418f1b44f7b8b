"""CMake package directory of tt-build (``find_package(TTBuild CONFIG)``); see TTBuildConfig.cmake."""
