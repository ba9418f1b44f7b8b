#[=======================================================================[.rst:
TTBuild
-------

Build TileLang kernel instances into TT-Metalium programs and a Python package.

Found with ``find_package(TTBuild CONFIG REQUIRED)``: scikit-build-core puts this directory on
the search path through tt-build's ``cmake.root`` entry point; outside scikit-build-core pass
``-DTTBuild_DIR=$(python -c "import tt_build._resources as r; print(r.cmake_dir())")``.

.. command:: tt_build_add_kernels

  ::

    tt_build_add_kernels(
      TARGET <target>
      [SOURCES <kernel.py>...]
      [PROJECT_DIR <dir>]
      [PACKAGE <name>]
      [SDK mock|metalium|auto]
      [ARCH wormhole_b0|blackhole]
      [CACHE_DIR <dir>]
      [OUTPUT_DIR <dir>]
      [INSTALL_DIR <dir>]
      [NO_WARM] [NO_INSTALL]
      [OUT_INSTANCES <variable>]
    )

  Discovers the kernel instances (each kernel file's ``INSTANCES`` dict and the project's
  ``[tool.tt-build.instances]``), adds one custom command per instance that lowers it (in the
  build's Python interpreter, through tt-build's content-addressed lowering cache) into
  ``<OUTPUT_DIR>/kernels/<instance>/{reader,compute,writer,host}.cpp`` + ``manifest.json``, and
  one shared library ``<target>`` holding every instance's host program (one object per
  instance). The lowering commands have a ``DEPFILE`` (the kernel file and every local module it
  imports) and write their outputs atomically and only when changed; Ninja's ``restat`` then
  skips the compiles whose inputs did not change.

  ``TARGET``
    Name of the library target to create (required). Its file is named ``<target>.so`` and
    is placed in ``OUTPUT_DIR``.

  ``SOURCES``
    Kernel files. Default: the ``kernels`` globs of ``[tool.tt-build]`` in
    ``PROJECT_DIR/pyproject.toml``.

  ``PROJECT_DIR``
    Directory of the kernel project (where ``pyproject.toml`` is). Default:
    ``CMAKE_CURRENT_SOURCE_DIR``.

  ``PACKAGE``
    Import name of the Python package laid out in ``OUTPUT_DIR``. Default: ``TARGET``.

  ``SDK``
    ``mock`` (embedded CPU simulator; default through ``auto`` when ``TT_METAL_HOME`` is unset),
    ``metalium`` (real SDK at ``$ENV{TT_METAL_HOME}``: host programs compiled, kernels syntax
    checked; no runnable package) or ``auto``. Default: the ``sdk`` setting of the project.

  ``ARCH``
    ``wormhole_b0`` or ``blackhole``. Default: the ``arch`` setting of the project.

  ``CACHE_DIR``
    Lowering cache. Default: ``cache-dir`` setting, ``$ENV{TT_BUILD_CACHE_DIR}`` or
    ``PROJECT_DIR/.tt-build/cache``.

  ``OUTPUT_DIR``
    Where the package tree is assembled. Default: ``CMAKE_CURRENT_BINARY_DIR/<PACKAGE>``.

  ``INSTALL_DIR``
    Install destination of the package tree (relative to the install prefix, which is the
    wheel's platlib under scikit-build-core). Default: ``<PACKAGE>``.

  ``NO_WARM``
    Do not precompile the device kernels at build time (the installed package then needs a
    C++ compiler the first time each instance runs).

  ``NO_INSTALL``
    Add no ``install()`` rules.

  ``OUT_INSTANCES``
    Variable set (in the caller's scope) to the list of instance names.

  Example::

    cmake_minimum_required(VERSION 3.20)
    project(my_kernels LANGUAGES CXX)
    find_package(TTBuild CONFIG REQUIRED)
    tt_build_add_kernels(TARGET _tt_kernels PACKAGE my_kernels
                         SOURCES kernels/gemm.py kernels/eltwise.py
                         OUT_INSTANCES names)
    message(STATUS "kernel instances: ${names}")

  Cache variables: ``TTBUILD_PYTHON`` (interpreter running the lowering; default
  ``Python_EXECUTABLE``/``Python3_EXECUTABLE``, as set by scikit-build-core, else the one
  ``find_package(Python3)`` finds).
#]=======================================================================]

# DEPFILE with path rewriting for Ninja (CMP0116) and TARGET_FILE in custom commands need 3.20.
if(CMAKE_VERSION VERSION_LESS 3.20)
  message(FATAL_ERROR "TTBuild requires CMake 3.20 or newer (DEPFILE for custom commands "
                      "with the Ninja generator), found ${CMAKE_VERSION}")
endif()

get_filename_component(TTBuild_CMAKE_DIR "${CMAKE_CURRENT_LIST_FILE}" DIRECTORY)
set(TTBuild_FOUND TRUE)

function(_tt_build_python out_var)
  if(TTBUILD_PYTHON)
    set(${out_var} "${TTBUILD_PYTHON}" PARENT_SCOPE)
  elseif(Python_EXECUTABLE)
    set(${out_var} "${Python_EXECUTABLE}" PARENT_SCOPE)
  elseif(Python3_EXECUTABLE)
    set(${out_var} "${Python3_EXECUTABLE}" PARENT_SCOPE)
  else()
    find_package(Python3 COMPONENTS Interpreter REQUIRED)
    set(${out_var} "${Python3_EXECUTABLE}" PARENT_SCOPE)
  endif()
endfunction()

function(_tt_build_launcher setting out_var)
  set(${out_var} "" PARENT_SCOPE)
  if(CMAKE_CXX_COMPILER_LAUNCHER OR setting STREQUAL "none" OR "$ENV{TT_BUILD_NO_LAUNCHER}")
    return()
  endif()
  if(setting STREQUAL "auto" OR setting STREQUAL "")
    find_program(TTBUILD_CCACHE NAMES ccache sccache)
    if(TTBUILD_CCACHE)
      set(${out_var} "${TTBUILD_CCACHE}" PARENT_SCOPE)
    endif()
  else()
    set(${out_var} "${setting}" PARENT_SCOPE)
  endif()
endfunction()

# The mock SDK runtime, compiled from the staged (content-addressed, stable-path) copy of
# tt_build/mock_sdk with the flags of tt_build.mock_sdk.build_runtime().
function(_tt_build_mock_runtime sdk_dir)
  file(GLOB _mock_sources CONFIGURE_DEPENDS "${sdk_dir}/src/*.cpp")
  add_library(tt_metal_mock STATIC EXCLUDE_FROM_ALL ${_mock_sources})
  target_include_directories(tt_metal_mock PUBLIC "${sdk_dir}/include")
  target_compile_definitions(tt_metal_mock PRIVATE "TT_MOCK_INCLUDE_DIR=\"${sdk_dir}/include\"")
  target_compile_options(tt_metal_mock PRIVATE -O3)
  set_target_properties(tt_metal_mock PROPERTIES CXX_STANDARD 20 CXX_STANDARD_REQUIRED ON
                        CXX_EXTENSIONS OFF POSITION_INDEPENDENT_CODE ON)
  find_package(Threads REQUIRED)
  target_link_libraries(tt_metal_mock PUBLIC Threads::Threads ${CMAKE_DL_LIBS})
endfunction()

function(tt_build_add_kernels)
  set(_options NO_WARM NO_INSTALL)
  set(_one_value TARGET PROJECT_DIR PACKAGE SDK ARCH CACHE_DIR OUTPUT_DIR INSTALL_DIR OUT_INSTANCES)
  set(_multi_value SOURCES)
  cmake_parse_arguments(PARSE_ARGV 0 _TT "${_options}" "${_one_value}" "${_multi_value}")

  if(_TT_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "tt_build_add_kernels: unexpected arguments: ${_TT_UNPARSED_ARGUMENTS} "
                        "(expected keywords TARGET, SOURCES, PROJECT_DIR, PACKAGE, SDK, ARCH, CACHE_DIR, "
                        "OUTPUT_DIR, INSTALL_DIR, NO_WARM, NO_INSTALL, OUT_INSTANCES)")
  endif()
  if(NOT _TT_TARGET)
    message(FATAL_ERROR "tt_build_add_kernels: TARGET <name> is required")
  endif()
  if(TARGET ${_TT_TARGET})
    message(FATAL_ERROR "tt_build_add_kernels: target '${_TT_TARGET}' already exists")
  endif()
  if(_TT_SDK AND NOT _TT_SDK MATCHES "^(mock|metalium|auto)$")
    message(FATAL_ERROR "tt_build_add_kernels: SDK must be one of mock, metalium, auto; got '${_TT_SDK}'")
  endif()
  if(_TT_ARCH AND NOT _TT_ARCH MATCHES "^(wormhole_b0|blackhole)$")
    message(FATAL_ERROR "tt_build_add_kernels: ARCH must be wormhole_b0 or blackhole; got '${_TT_ARCH}'")
  endif()
  if(NOT _TT_PROJECT_DIR)
    set(_TT_PROJECT_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  endif()
  if(NOT _TT_PACKAGE)
    set(_TT_PACKAGE "${_TT_TARGET}")
  endif()
  if(NOT _TT_PACKAGE MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    message(FATAL_ERROR "tt_build_add_kernels: PACKAGE '${_TT_PACKAGE}' is not a Python identifier")
  endif()
  if(NOT _TT_OUTPUT_DIR)
    set(_TT_OUTPUT_DIR "${CMAKE_CURRENT_BINARY_DIR}/${_TT_PACKAGE}")
  endif()
  if(NOT _TT_INSTALL_DIR)
    set(_TT_INSTALL_DIR "${_TT_PACKAGE}")
  endif()
  set(_sources "")
  foreach(_src IN LISTS _TT_SOURCES)
    get_filename_component(_abs "${_src}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT EXISTS "${_abs}")
      message(FATAL_ERROR "tt_build_add_kernels: kernel file '${_src}' not found (looked at ${_abs})")
    endif()
    list(APPEND _sources "${_abs}")
  endforeach()

  _tt_build_python(_py)
  set(_work "${CMAKE_CURRENT_BINARY_DIR}/_tt_build/${_TT_TARGET}")
  set(_cmd "${_py}" -m tt_build.build.discover --project-dir "${_TT_PROJECT_DIR}" --work-dir "${_work}"
           --output-dir "${_TT_OUTPUT_DIR}" --library "${_TT_TARGET}")
  if(_sources)
    list(APPEND _cmd --sources ${_sources})
  endif()
  if(_TT_SDK)
    list(APPEND _cmd --sdk "${_TT_SDK}")
  endif()
  if(_TT_ARCH)
    list(APPEND _cmd --arch "${_TT_ARCH}")
  endif()
  if(_TT_CACHE_DIR)
    list(APPEND _cmd --cache-dir "${_TT_CACHE_DIR}")
  endif()
  execute_process(COMMAND ${_cmd} RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
  if(NOT _rc EQUAL 0)
    string(STRIP "${_err}" _err)
    message(FATAL_ERROR "tt-build: kernel discovery failed:\n${_err}\n${_out}")
  endif()
  include("${_work}/instances.cmake")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_tt_configure_depends})

  # --- one lowering command per instance -----------------------------------------------
  set(_host_sources "")
  set(_all_outputs "")
  foreach(_name IN LISTS _tt_instances)
    set(_dir "${_TT_OUTPUT_DIR}/kernels/${_name}")
    set(_outs "${_dir}/host.cpp" "${_dir}/reader.cpp" "${_dir}/compute.cpp" "${_dir}/writer.cpp"
              "${_dir}/manifest.json")
    file(RELATIVE_PATH _rel_src "${_TT_PROJECT_DIR}" "${_tt_source_${_name}}")
    add_custom_command(
      OUTPUT ${_outs}
      COMMAND "${_py}" -m tt_build.build.lower "${_work}/specs/${_name}.json"
      DEPENDS "${_tt_source_${_name}}" "${_work}/specs/${_name}.json"
      DEPFILE "${_work}/deps/${_name}.d"
      COMMENT "tt-build: lowering ${_name} (${_rel_src})"
      VERBATIM)
    list(APPEND _host_sources "${_dir}/host.cpp")
    list(APPEND _all_outputs ${_outs})
  endforeach()

  _tt_build_launcher("${_tt_launcher_setting}" _launcher)

  if(_tt_sdk STREQUAL "mock")
    if(NOT TARGET tt_metal_mock)
      if(NOT _tt_mock_sdk_dir)
        message(FATAL_ERROR "tt-build: SDK 'mock' selected but the mock SDK (tt_build/mock_sdk) is not installed")
      endif()
      if(EXISTS "${_tt_mock_sdk_dir}/CMakeLists.txt")
        add_subdirectory("${_tt_mock_sdk_dir}" "${CMAKE_BINARY_DIR}/_tt_mock_sdk" EXCLUDE_FROM_ALL)
      else()
        _tt_build_mock_runtime("${_tt_mock_sdk_dir}")
      endif()
      if(_launcher AND TARGET tt_metal_mock)
        set_property(TARGET tt_metal_mock PROPERTY CXX_COMPILER_LAUNCHER "${_launcher}")
      endif()
    endif()
    add_library(${_TT_TARGET} MODULE ${_host_sources})
    target_link_libraries(${_TT_TARGET} PRIVATE tt_metal_mock)
  else()
    # Real TT-Metalium: compile the host programs against $TT_METAL_HOME (no runnable package).
    if(NOT DEFINED ENV{TT_METAL_HOME})
      message(FATAL_ERROR "tt-build: SDK 'metalium' needs TT_METAL_HOME to point at a TT-Metalium checkout/install")
    endif()
    set(_home "$ENV{TT_METAL_HOME}")
    add_library(${_TT_TARGET} OBJECT ${_host_sources})
    target_include_directories(${_TT_TARGET} PRIVATE "${_home}" "${_home}/tt_metal" "${_home}/tt_metal/api"
                               "${_home}/tt_metal/api/tt-metalium" "${_home}/tt_metal/hostdevcommon/api")
    set(_TT_NO_WARM ON)
  endif()
  set_target_properties(${_TT_TARGET} PROPERTIES
    PREFIX "" OUTPUT_NAME "${_TT_TARGET}"
    LIBRARY_OUTPUT_DIRECTORY "${_TT_OUTPUT_DIR}"
    CXX_STANDARD 20 CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF
    POSITION_INDEPENDENT_CODE ON
    EXPORT_COMPILE_COMMANDS ON)
  if(_launcher)
    set_property(TARGET ${_TT_TARGET} PROPERTY CXX_COMPILER_LAUNCHER "${_launcher}")
  endif()

  # --- precompile device kernels into the package (run each instance once on zeros) ---------
  if(_tt_warm AND NOT _TT_NO_WARM)
    set(_stamps "")
    foreach(_name IN LISTS _tt_instances)
      set(_dir "${_TT_OUTPUT_DIR}/kernels/${_name}")
      set(_stamp "${_work}/warm/${_name}.stamp")
      add_custom_command(
        OUTPUT "${_stamp}"
        COMMAND "${_py}" -m tt_build.build.warm --package-dir "${_TT_OUTPUT_DIR}"
                --library "$<TARGET_FILE:${_TT_TARGET}>" --instance "${_name}" --stamp "${_stamp}"
        DEPENDS ${_TT_TARGET} "${_dir}/reader.cpp" "${_dir}/compute.cpp" "${_dir}/writer.cpp"
                "${_dir}/manifest.json"
        COMMENT "tt-build: precompiling device kernels of ${_name}"
        VERBATIM)
      list(APPEND _stamps "${_stamp}")
    endforeach()
    add_custom_target(${_TT_TARGET}_warm ALL DEPENDS ${_stamps})
  endif()

  if(NOT _TT_NO_INSTALL AND _tt_sdk STREQUAL "mock")
    install(TARGETS ${_TT_TARGET} LIBRARY DESTINATION "${_TT_INSTALL_DIR}")
    install(DIRECTORY "${_TT_OUTPUT_DIR}/" DESTINATION "${_TT_INSTALL_DIR}"
            PATTERN "*.so" EXCLUDE PATTERN ".tt-key.json" EXCLUDE PATTERN "__pycache__" EXCLUDE
            PATTERN "*.tmp" EXCLUDE)
  endif()
  if(_TT_OUT_INSTANCES)
    set(${_TT_OUT_INSTANCES} "${_tt_instances}" PARENT_SCOPE)
  endif()
endfunction()
