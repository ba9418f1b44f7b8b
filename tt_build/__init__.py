"""tt-build: lower TileLang kernels to TT-Metalium programs and build them as Python packages."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
