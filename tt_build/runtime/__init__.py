"""Run built kernel instances from Python; see :mod:`tt_build.runtime.loader`.

``tt_build.runtime.loader`` is copied into every built package as ``_tt_runtime.py`` so that
installed kernel packages do not need tt-build at run time.
"""

from __future__ import annotations

from tt_build.runtime.loader import Kernel, KernelError, KernelPackage, load_package

__all__ = ["Kernel", "KernelError", "KernelPackage", "load_package"]
