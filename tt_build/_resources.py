"""Locations of the data directories shipped with tt-build.

``templates/`` and ``cmake/`` live at the top of the repository and are mapped into the
wheel as ``tt_build/templates`` and ``tt_build/cmake``. In a source checkout (editable
install) they are found next to the package instead.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["cmake_dir", "package_dir", "templates_dir"]

_PKG = Path(__file__).resolve().parent


def package_dir() -> Path:
    """The installed ``tt_build`` package directory."""
    return _PKG


def _data_dir(name: str) -> Path:
    inside = _PKG / name
    if inside.is_dir():
        return inside
    return _PKG.parent / name


def templates_dir() -> Path:
    """Directory holding the jinja2 C++ templates."""
    return _data_dir("templates")


def cmake_dir() -> Path:
    """Directory holding ``TTBuildConfig.cmake``."""
    return _data_dir("cmake")
