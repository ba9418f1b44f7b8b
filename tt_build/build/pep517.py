"""What :mod:`tt_build.backend` adds to scikit-build-core: validated settings and a generated CMakeLists.

Kept out of ``backend.py`` so the hooks module stays a thin, stateless wrapper: a frontend may
call every hook in a fresh process, so each hook recomputes what it needs from the project.
"""

from __future__ import annotations

import contextlib
import importlib.util
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tt_build import _resources
from tt_build.errors import TTBuildError

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["build_lock", "clean_errors", "config_settings_for", "ensure_cmake_entry_point", "remember_wheel", "reuse_wheel"]

ConfigSettings = dict[str, Any]


@contextlib.contextmanager
def clean_errors() -> Iterator[None]:
    """Print a :class:`TTBuildError` as one ``ERROR:`` message and exit 1 (no traceback)."""
    try:
        yield
    except TTBuildError as exc:
        sys.stdout.flush()
        text = str(exc)
        print(f"\nERROR: tt-build: {text}", file=sys.stderr, flush=True)
        raise SystemExit(1) from None


@contextlib.contextmanager
def build_lock() -> Iterator[None]:
    """Hold the project's build lock (shared with ``tt-build build``) for one wheel build."""
    from tt_build.project import Project  # noqa: PLC0415

    held = contextlib.ExitStack()
    with clean_errors():
        held.enter_context(Project.load(Path.cwd()).build_lock())
    with held:
        yield


def ensure_cmake_entry_point() -> None:
    """Make ``tt_build.cmake`` importable (scikit-build-core loads it for the ``cmake.root`` entry point).

    In an installed wheel it is the ``cmake/`` directory mapped into the package; in a source
    checkout (editable install of tt-build) that mapping does not exist, so register the
    top-level ``cmake/`` directory under that name.
    """
    if "tt_build.cmake" in sys.modules:
        return
    if importlib.util.find_spec("tt_build.cmake") is not None:
        return
    cmake_dir = _resources.cmake_dir()
    init = cmake_dir / "__init__.py"
    spec = importlib.util.spec_from_file_location("tt_build.cmake", init, submodule_search_locations=[str(cmake_dir)])
    if spec is None or spec.loader is None:  # pragma: no cover
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules["tt_build.cmake"] = module
    spec.loader.exec_module(module)


def config_settings_for(config_settings: ConfigSettings | None, *, hook: str) -> ConfigSettings:
    """scikit-build-core config settings for a kernel project in the current directory.

    Validates ``[tool.tt-build]`` (clean error naming the key), discovers the instances for the
    build hooks (so a broken kernel fails early with ``file:line``), writes the generated
    CMakeLists.txt for zero-config projects, and fills defaults the user did not set:

    * ``cmake.source-dir``: the generated CMakeLists directory (``.tt-build/cmake``);
    * ``build-dir``: ``build/{wheel_tag}``: persistent, so rebuilds are incremental;
    * ``cmake.define.TTBuild_DIR``: tt-build's CMake package directory;
    * ``sdist.exclude``: the build and cache directories.
    """
    from tt_build.build.cmakegen import generate_cmakelists  # noqa: PLC0415
    from tt_build.project import Project  # noqa: PLC0415

    settings: ConfigSettings = dict(config_settings or {})
    project = Project.load(Path.cwd())
    skb = project.pyproject.get("tool", {}).get("scikit-build", {})
    building = hook in ("wheel", "editable")
    if building:
        project.discover()
    if not project.has_own_cmakelists and "source-dir" not in skb.get("cmake", {}):
        if building or hook == "metadata":
            src = generate_cmakelists(project)
            settings.setdefault("cmake.source-dir", str(src.relative_to(project.root)))
    if "build-dir" not in skb:
        settings.setdefault("build-dir", "build/{wheel_tag}")
    settings.setdefault("cmake.define.TTBuild_DIR", str(_resources.cmake_dir()))
    if "sdist" not in skb or "exclude" not in skb.get("sdist", {}):
        settings.setdefault("sdist.exclude", "build/;.tt-build/")
    ensure_cmake_entry_point()
    return settings


def _reuse_key(config_settings: ConfigSettings | None) -> tuple[Path, str] | None:
    """(project root, key) when the wheel of this build may be reused (see wheel_reuse)."""
    import os  # noqa: PLC0415

    from tt_build.build.wheel_reuse import build_key  # noqa: PLC0415
    from tt_build.project import Project  # noqa: PLC0415

    if os.environ.get("TT_BUILD_REUSE_WHEEL", "1") == "0":
        return None
    project = Project.load(Path.cwd())
    if project.has_own_cmakelists or not project.settings.reuse_wheel:
        return None  # a hand-written CMakeLists may read anything: its inputs are not known
    # Build outputs are not inputs: tt-build's and scikit-build-core's build directories, dist/.
    skb = project.pyproject.get("tool", {}).get("scikit-build", {})
    dirs = [project.settings.build_dir, str((config_settings or {}).get("build-dir", skb.get("build-dir", "build")))]
    skip = {"build", "dist"} | {Path(d).parts[0] for d in dirs if d and not Path(d).is_absolute()}
    key = build_key(project.root, dict(config_settings or {}), skip)
    return (project.root, key) if key else None


def reuse_wheel(wheel_directory: str, config_settings: ConfigSettings | None) -> tuple[str | None, tuple[Path, str] | None]:
    """The name of the reused wheel (or None) and the key to remember a fresh build under."""
    from tt_build.build.wheel_reuse import reuse  # noqa: PLC0415

    found = _reuse_key(config_settings)
    if found is None:
        return None, None
    root, key = found
    name = reuse(root, key, Path(wheel_directory))
    if name is not None:
        print(f"tt-build: no input of {root.name} changed since its last wheel build: reusing "
              f".tt-build/wheels/{name} (TT_BUILD_REUSE_WHEEL=0 rebuilds)", file=sys.stderr, flush=True)
    return name, found


def remember_wheel(found: tuple[Path, str] | None, wheel_directory: str, name: str) -> None:
    from tt_build.build.wheel_reuse import remember  # noqa: PLC0415

    if found is not None:
        root, key = found
        remember(root, key, Path(wheel_directory) / name)
