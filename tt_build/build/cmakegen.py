"""The CMakeLists.txt of a zero-config kernel project (the project itself has none)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tt_build.build.fs import atomic_write

if TYPE_CHECKING:
    from tt_build.project import Project

__all__ = ["LIBRARY_TARGET", "broken_configure", "cmakelists_text", "configured", "generate_cmakelists",
           "generated_source_dir", "reset_configure"]

#: Written into the build directory after a CMake configure succeeded, removed before one starts:
#: a CMakeCache.txt without it comes from an interrupted or failed configure and is not trusted.
CONFIGURED_STAMP = ".tt-build-configured"

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


def broken_configure(build_dir: Path) -> str | None:
    """Why the CMake configure state in ``build_dir`` cannot be trusted, or None.

    A configure interrupted (or run concurrently, before builds took the project lock) can leave a
    CMakeCache.txt that fails every later configure, ``--reconfigure`` included, e.g. with
    ``CMAKE_EXECUTABLE_FORMAT`` cached as ``Unknown`` (CMake then refuses the install RPATH).
    """
    cache = Path(build_dir) / "CMakeCache.txt"
    try:
        text = cache.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None  # nothing configured yet (or unreadable: CMake will say so)
    if "CMAKE_EXECUTABLE_FORMAT:INTERNAL=Unknown" in text:
        return "CMAKE_EXECUTABLE_FORMAT is cached as Unknown"
    if not (Path(build_dir) / CONFIGURED_STAMP).is_file():
        return "its last configure did not complete"
    return None


def reset_configure(build_dir: Path) -> None:
    """Drop CMake's configure state (cache, top-level CMakeFiles, build.ninja); keeps compiled objects,
    which live under ``_tt_build/`` (cmake/kernel_rules)."""
    from tt_build.build.fs import remove_tree  # noqa: PLC0415

    b = Path(build_dir)
    for name in ("CMakeCache.txt", "build.ninja", CONFIGURED_STAMP):
        (b / name).unlink(missing_ok=True)
    remove_tree(b / "CMakeFiles")


def configured(build_dir: Path, done: bool) -> None:
    """Mark the configure of ``build_dir`` as started (``done=False``) or completed (``done=True``)."""
    stamp = Path(build_dir) / CONFIGURED_STAMP
    if done:
        atomic_write(stamp, "ok\n")
    else:
        stamp.unlink(missing_ok=True)
