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
    ``metalium`` (real SDK at ``$ENV{TT_METAL_HOME}``: each instance's kernels type-checked against
    its device headers as a build step; the host programs linked into a loadable module when its
    CMake package ``tt-metalium`` (``TT::Metalium``) is found, otherwise only compiled against its
    host headers, with no runnable package) or ``auto``. Default: the ``sdk`` setting of the project.

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
  # The `compile` kill point (TT_BUILD_KILL_AT, docs/user-guide.md "Interrupted builds"): a launcher
  # that truncates the object file and kills itself while the point is set, else runs the compiler.
  if("$ENV{TT_BUILD_KILL_AT}" MATCHES "(^|,)compile(,|$)")
    set(${out_var} "${_py};-m;tt_build.build.killcc" PARENT_SCOPE)
    return()
  endif()
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

  get_property(_languages GLOBAL PROPERTY ENABLED_LANGUAGES)
  if(NOT "CXX" IN_LIST _languages)
    message(FATAL_ERROR "tt_build_add_kernels: the C++ language is not enabled; declare it in the project "
                        "(project(<name> LANGUAGES CXX)) before calling tt_build_add_kernels")
  endif()

  _tt_build_python(_py)
  set(_work "${CMAKE_CURRENT_BINARY_DIR}/_tt_build/${_TT_TARGET}")
  set(_cmd "${_py}" -m tt_build.build.discover --project-dir "${_TT_PROJECT_DIR}" --work-dir "${_work}"
           --output-dir "${_TT_OUTPUT_DIR}" --library "${_TT_TARGET}"
           --ninja-root "${CMAKE_BINARY_DIR}" --cxx "${CMAKE_CXX_COMPILER}")
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
  # scikit-build-core's editable mode: the package gets an import hook that rebuilds it on import.
  if(SKBUILD_STATE STREQUAL "editable" AND NOT _TT_NO_INSTALL)
    list(APPEND _cmd --editable --install-dir "${_TT_INSTALL_DIR}")
  endif()
  # Discovery's diagnostics go to stderr as they are (a message() would re-wrap the source line
  # and caret of a located diagnostic).
  execute_process(COMMAND ${_cmd} RESULT_VARIABLE _rc OUTPUT_VARIABLE _out)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "tt-build: kernel discovery failed (the error is printed above)")
  endif()
  include("${_work}/instances.cmake")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_tt_configure_depends})

  # The build rules live in a subdirectory of their own: its object files then sit under
  # <binary>/_tt_build/<target>/rules/CMakeFiles, which survives scikit-build-core's reset of the
  # top-level CMakeFiles/ (done whenever pip's isolated build environment changes path), so an
  # unchanged project recompiles nothing in a new isolated build.
  _tt_build_launcher("${_tt_launcher_setting}" _launcher)
  if(_tt_sdk STREQUAL "mock" AND NOT TARGET tt_metal_mock)
    if(NOT _tt_mock_runtime)
      message(FATAL_ERROR "tt-build: SDK 'mock' selected but the mock SDK (tt_build/mock_sdk) is not installed")
    endif()
    # Built by discovery into the lowering cache (once per SDK content and compiler).
    # -pthread directly rather than find_package(Threads): its compile test costs a quarter of a
    # second in every configure, and isolated pip builds configure every time.
    add_library(tt_metal_mock STATIC IMPORTED GLOBAL)
    set_target_properties(tt_metal_mock PROPERTIES
      IMPORTED_LOCATION "${_tt_mock_runtime}"
      INTERFACE_INCLUDE_DIRECTORIES "${_tt_mock_sdk_dir}/include"
      INTERFACE_LINK_LIBRARIES "-pthread;${CMAKE_DL_LIBS}")
  endif()
  add_subdirectory("${TTBuild_CMAKE_DIR}/kernel_rules" "${_work}/rules")
  if(_TT_OUT_INSTANCES)
    set(${_TT_OUT_INSTANCES} "${_tt_instances}" PARENT_SCOPE)
  endif()
endfunction()
