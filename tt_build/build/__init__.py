"""Build machinery: settings, lowering cache, CMake generation and driving, build steps.

Modules: :mod:`.settings` (``[tool.tt-build]``), :mod:`.fingerprint` (cache keys),
:mod:`.cache` (content-addressed lowering cache), :mod:`.lower` (per-instance lowering step),
:mod:`.discover` (configure-time discovery), :mod:`.warm` (device-kernel precompilation),
:mod:`.cmakegen` (zero-config CMakeLists), :mod:`.builder` (``tt-build build``).
"""
