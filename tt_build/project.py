"""A kernel project: its ``pyproject.toml``, ``[tool.tt-build]`` settings, kernel files and instances.

:meth:`Project.load` reads and validates the configuration without importing any kernel
(cheap: used on every build). :meth:`Project.discover` imports the kernel files through
:func:`tt_build.driver.list_instances` and merges their ``INSTANCES`` dicts with the instances
declared in ``[tool.tt-build.instances.<name>]``.
"""

from __future__ import annotations

import contextlib
import glob
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from tt_build.build.names import instance_name_problem, package_name_problem
from tt_build.build.settings import TTBuildSettings, parse_settings, resolve_sdk
from tt_build.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["BUILD_LOCK_TIMEOUT", "InstanceSpec", "Project", "check_cmake_path", "package_name"]

#: Seconds a build waits for another build of the same project before giving up.
BUILD_LOCK_TIMEOUT = 3600

#: A valid distribution name (PEP 508 / the core metadata spec), matched in full.
_PROJECT_NAME = re.compile(r"[A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9]", re.IGNORECASE)


def check_cmake_path(path: Path, what: str) -> Path:
    """``path`` unchanged, or a :class:`ConfigError` when CMake cannot carry it verbatim (a ``;``,
    ``"``, backslash, control character, ``${``, ``$ENV{``, ``$CACHE{`` or ``$<`` in it)."""
    from tt_build._templates import cmake_value_problem  # noqa: PLC0415

    problem = cmake_value_problem(str(path))
    if problem is not None:
        msg = f"the {what} {str(path)!r} contains {problem}; a CMake build cannot use it: rename or move it"
        raise ConfigError(msg)
    return path


def package_name(project_name: str) -> str:
    """``my-kernels`` -> ``my_kernels`` (PEP 503 normalisation, then a Python identifier)."""
    name = re.sub(r"[-_.]+", "_", project_name).lower()
    problem = package_name_problem(name)
    if problem is not None:
        msg = (f"project name {project_name!r} does not give a Python import name ({problem}); "
               "set [tool.tt-build] package")
        raise ConfigError(msg)
    return name


@dataclass(frozen=True)
class InstanceSpec:
    """A discovered instance: what the build lowers and packages."""

    name: str
    source: Path
    factory: str | None
    args: dict[str, Any] = field(default_factory=dict)
    origin: str = "INSTANCES"

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "source": str(self.source), "factory": self.factory, "args": self.args,
                "origin": self.origin}


@dataclass
class Project:
    """A kernel project rooted at ``root`` (the directory holding ``pyproject.toml``)."""

    root: Path
    name: str
    version: str
    settings: TTBuildSettings
    pyproject: dict[str, Any]

    @classmethod
    def load(cls, root: Path | str = ".") -> Project:
        root = Path(root).resolve()
        path = root / "pyproject.toml"
        check_cmake_path(root, "project directory")
        try:
            with path.open("rb") as f:
                data = tomllib.load(f)
        except FileNotFoundError:
            msg = f"{root}: no pyproject.toml (is this a kernel project? `tt-build new NAME` creates one)"
            raise ConfigError(msg) from None
        except tomllib.TOMLDecodeError as exc:
            msg = f"{path}: invalid TOML: {exc}"
            raise ConfigError(msg) from None
        project = data.get("project", {})
        name = project.get("name")
        if not isinstance(name, str) or not name:
            msg = f"{path}: [project] name is missing"
            raise ConfigError(msg)
        if not _PROJECT_NAME.fullmatch(name):
            msg = (f"{path}: [project] name: {name!r} is not a valid project name (letters, digits, '-', '_' "
                   "and '.', starting and ending with a letter or digit)")
            raise ConfigError(msg)
        tool = data.get("tool", {}).get("tt-build")
        if tool is None:
            msg = f"{path}: no [tool.tt-build] table (add one, e.g. kernels = [\"kernels/*.py\"])"
            raise ConfigError(msg)
        if not isinstance(tool, dict):
            msg = f"{path}: [tool.tt-build] must be a table"
            raise ConfigError(msg)
        try:
            settings = parse_settings(tool)
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc}") from None
        version = project.get("version", "0")
        return cls(root=root, name=name, version=str(version), settings=settings, pyproject=data)

    # -- derived settings ----------------------------------------------------------------
    @property
    def package(self) -> str:
        return self.settings.package or package_name(self.name)

    @property
    def sdk(self) -> str:
        return resolve_sdk(self.settings.sdk)

    @property
    def cache_dir(self) -> Path:
        from tt_build.build.cache import default_cache_dir  # noqa: PLC0415

        return check_cmake_path(default_cache_dir(self.root, self.settings.cache_dir), "lowering cache directory")

    @property
    def build_dir(self) -> Path:
        """``build-dir`` under the project root (settings parsing rejects absolute paths, ``..`` and the
        root itself; a symlink in the path that leads outside the project is rejected here)."""
        p = self.root / self.settings.build_dir
        resolved = p.resolve()
        if not resolved.is_relative_to(self.root) or resolved == self.root:
            msg = (f"{self.root / 'pyproject.toml'}: [tool.tt-build] build-dir: {self.settings.build_dir!r} "
                   f"resolves to {resolved}, which is not a directory inside the project")
            raise ConfigError(msg)
        return check_cmake_path(p, "build directory")

    @property
    def has_own_cmakelists(self) -> bool:
        return (self.root / "CMakeLists.txt").is_file()

    @contextlib.contextmanager
    def build_lock(self, stream: TextIO | None = None) -> Iterator[None]:
        """Serialize the builds of this project (``tt-build build`` and pip, in any mix): an advisory
        lock on ``.tt-build/build.lock``, released when the build ends or its process dies."""
        from tt_build.build.fs import FileLock  # noqa: PLC0415

        lock = FileLock(self.root / ".tt-build" / "build.lock", timeout=BUILD_LOCK_TIMEOUT)

        def waiting() -> None:
            print(f"tt-build: waiting for another build of {self.name} ({lock.path})", file=stream or sys.stderr,
                  flush=True)

        try:
            lock.acquire(waiting)
        except TimeoutError:
            msg = (f"timed out after {BUILD_LOCK_TIMEOUT} s waiting for another build of {self.name} "
                   f"(lock {lock.path})")
            raise ConfigError(msg) from None
        except OSError as exc:
            msg = f"cannot create the build lock {lock.path}: {exc.strerror}"
            raise ConfigError(msg) from None
        try:
            yield
        finally:
            lock.release()

    # -- kernel files --------------------------------------------------------------------
    def kernel_files(self) -> list[Path]:
        """Files matched by the ``kernels`` globs (sorted, deduplicated), plus declared instances' files."""
        out: dict[Path, None] = {}
        for pattern in self.settings.kernels:
            if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
                msg = f"[tool.tt-build] kernels: {pattern!r} must be a glob relative to the project, inside it"
                raise ConfigError(msg)
            for hit in sorted(glob.glob(glob.escape(str(self.root)) + "/" + pattern, recursive=True)):
                p = Path(hit)
                if p.is_file() and p.suffix == ".py" and p.name != "__init__.py":
                    out[self._inside(p, f"kernels: {pattern!r} matches {p.relative_to(self.root)}, which")] = None
        for decl in self.settings.instances:
            out[self._declared_file(decl.name, decl.kernel)] = None
        return list(out)

    def _inside(self, path: Path, what: str) -> Path:
        """``path`` with symlinks resolved, which must lie inside the project (the one rule for what
        the build reads: user guide, "What may be outside the project")."""
        resolved = path.resolve()
        check_cmake_path(path, "kernel file")
        if not resolved.is_relative_to(self.root):
            msg = (f"{self.root / 'pyproject.toml'}: [tool.tt-build] {what} resolves to {resolved}, outside the "
                   "project (kernel files, also through symlinks, must be inside the project directory)")
            raise ConfigError(msg)
        return resolved

    def _declared_file(self, name: str, kernel: str) -> Path:
        p = self._inside(self.root / kernel, f"instances.{name}.kernel: {kernel!r}")
        if not p.is_file():
            msg = f"[tool.tt-build] instances.{name}.kernel: file {kernel!r} not found"
            raise ConfigError(msg)
        return p

    def discover(self) -> list[InstanceSpec]:
        """All instances to build (imports the kernel files)."""
        from tt_build.driver import list_instances  # noqa: PLC0415

        found: dict[str, InstanceSpec] = {}

        library = "_tt_kernels"

        def add(spec: InstanceSpec) -> None:
            problem = instance_name_problem(spec.name, library)
            if problem is not None:
                where = "INSTANCES key" if spec.origin == "INSTANCES" else f"[tool.tt-build] instances.{spec.name}"
                msg = f"{spec.source}: {where}: instance name {problem}"
                raise ConfigError(msg)
            prev = found.get(spec.name)
            if prev is not None:
                msg = (f"instance {spec.name!r} is declared twice: in {prev.source} ({prev.origin}) "
                       f"and in {spec.source} ({spec.origin})")
                raise ConfigError(msg)
            found[spec.name] = spec

        globbed = self.kernel_files()
        if self.settings.file_instances:
            for path in globbed:
                for inst in list_instances(path):
                    add(InstanceSpec(inst.name, Path(inst.source), inst.factory, dict(inst.args)))
        for decl in self.settings.instances:
            path = self._declared_file(decl.name, decl.kernel)
            factory = decl.factory or _single_factory(path, decl.name)
            add(InstanceSpec(decl.name, path, factory, dict(decl.args), origin="pyproject"))
        specs = list(found.values())
        if self.settings.only:
            missing = sorted(set(self.settings.only) - set(found))
            if missing:
                msg = f"[tool.tt-build] only: unknown instance(s) {', '.join(missing)} (known: {', '.join(sorted(found))})"
                raise ConfigError(msg)
            specs = [s for s in specs if s.name in set(self.settings.only)]
        if not specs:
            msg = (f"{self.root}: no kernel instances found (kernels = {self.settings.kernels}); declare an "
                   "INSTANCES dict in a kernel file or [tool.tt-build.instances.<name>]")
            raise ConfigError(msg)
        return sorted(specs, key=lambda s: s.name)


def _single_factory(path: Path, name: str) -> str:
    from tt_build.driver import load_kernel_module  # noqa: PLC0415

    module, _ = load_kernel_module(path)
    names = [n for n, v in vars(module).items()
             if not n.startswith("_") and callable(v) and not isinstance(v, type)
             and getattr(v, "__module__", None) == module.__name__]
    if len(names) != 1:
        msg = (f"[tool.tt-build] instances.{name}.factory: required, {path.name} defines "
               f"{len(names)} public functions ({', '.join(names) or 'none'})")
        raise ConfigError(msg)
    return names[0]
