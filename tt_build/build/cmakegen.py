"""The CMakeLists.txt of a zero-config kernel project (the project itself has none)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tt_build.build.fs import atomic_write

if TYPE_CHECKING:
    from tt_build.project import Project

__all__ = ["LIBRARY_TARGET", "cmakelists_text", "generate_cmakelists", "generated_source_dir"]

#: Target (and file) name of the native library of a zero-config project.
LIBRARY_TARGET = "_tt_kernels"


def generated_source_dir(project: Project) -> Path:
    """Where the generated CMakeLists.txt lives (stable, so CMake caches stay valid)."""
    return project.root / ".tt-build" / "cmake"


def cmakelists_text(project: Project) -> str:
    from tt_build._templates import render  # noqa: PLC0415

    # Every user string is escaped by the template (comment / cmake_quoted filters).
    return render("project/CMakeLists.txt.j2", name=project.name, package=project.package, target=LIBRARY_TARGET,
                  root=str(project.root))


def generate_cmakelists(project: Project) -> Path:
    """Write the generated CMakeLists.txt (only if changed); return its directory."""
    d = generated_source_dir(project)
    atomic_write(d / "CMakeLists.txt", cmakelists_text(project))
    return d
