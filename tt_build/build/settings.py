"""The ``[tool.tt-build]`` table of a kernel project's ``pyproject.toml``.

One dataclass per TOML table, a default on every field and a docstring under each field
(scikit-build-core's ``skbuild_model.py`` style). :func:`parse_settings` validates the raw
TOML and raises :class:`~tt_build.errors.ConfigError` naming the offending key.

Example::

    [tool.tt-build]
    kernels = ["kernels/*.py"]        # globs, relative to the project directory
    sdk = "auto"                      # mock | metalium | auto (TT_METAL_HOME set -> metalium)
    arch = "wormhole_b0"              # wormhole_b0 | blackhole

    # Extra instances (besides each kernel file's INSTANCES dict):
    [tool.tt-build.instances.gemm_64]
    kernel = "kernels/gemm.py"
    factory = "matmul"                # optional when the file defines one public function
    args = { M = 64, N = 64, K = 64 }
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from tt_build.build.names import instance_name_problem, package_name_problem
from tt_build.errors import ConfigError

__all__ = [
    "ARCHES",
    "SDKS",
    "OPTIONS",
    "InstanceDecl",
    "TTBuildSettings",
    "parse_settings",
    "resolve_sdk",
]

SDKS = ("mock", "metalium", "auto")
ARCHES = ("wormhole_b0", "blackhole")

#: The compiler options ``options`` may set, with what each accepts (the defaults are
#: ``tt_build.transform.base.DEFAULT_CONFIG``; a contract test keeps the two key sets equal, but for
#: ``arch``, which is the ``arch`` setting). Values are checked here so that a bad one is a
#: configuration error naming the key, not an internal compiler error.
OPTIONS: dict[str, str] = {
    "device_grid": "a pair of positive integers [x, y]",
    "l1_budget": "a positive integer (bytes)",
    "dst_tiles_16bit": "a positive integer",
    "dst_tiles_fp32": "a positive integer",
    "default_stages": "a positive integer",
    "verify_each_pass": "true or false",
    "math_fidelity": "one of LoFi, HiFi2, HiFi3, HiFi4",
    "multicast": "true or false",
    "multicast_k_tiles": "a positive integer",
    "multicast_merge": "true or false",
}


@dataclass(frozen=True)
class InstanceDecl:
    """One kernel instance declared in ``[tool.tt-build.instances.<name>]``."""

    name: str
    """Instance name: the Python callable's name; ``[A-Za-z_][A-Za-z0-9_]*`` only."""

    kernel: str
    """Kernel file, relative to the project directory."""

    factory: str | None = None
    """Factory function in the kernel file; optional if the file defines exactly one."""

    args: dict[str, Any] = field(default_factory=dict)
    """Keyword arguments passed to the factory."""


@dataclass
class TTBuildSettings:
    """All settings of ``[tool.tt-build]``."""

    kernels: list[str] = field(default_factory=lambda: ["kernels/*.py"])
    """Glob patterns (relative to the project directory) of kernel files. Each file's
    module-level ``INSTANCES`` dict (``name -> dict(args)``) declares instances."""

    instances: list[InstanceDecl] = field(default_factory=list)
    """Extra instances declared in ``[tool.tt-build.instances.<name>]`` tables
    (``kernel``, optional ``factory``, ``args``)."""

    file_instances: bool = True
    """Also build the instances of each kernel file's ``INSTANCES`` dict
    (``file-instances = false`` builds only the pyproject-declared ones)."""

    only: list[str] = field(default_factory=list)
    """If non-empty, build only these instance names (after discovery)."""

    sdk: str = "auto"
    """Target SDK: ``mock`` (embedded CPU simulator), ``metalium`` (real TT-Metalium from
    ``$TT_METAL_HOME``) or ``auto`` (``metalium`` when ``TT_METAL_HOME`` is set, else ``mock``)."""

    arch: str = "wormhole_b0"
    """Device architecture: ``wormhole_b0`` (8x8 compute grid) or ``blackhole`` (13x10)."""

    package: str = ""
    """Import name of the generated Python package; default: the project name with
    ``-`` and ``.`` replaced by ``_``."""

    cache_dir: str = ""
    """Lowering cache directory (absolute, or relative to the project). Default:
    ``$TT_BUILD_CACHE_DIR`` if set, else ``<project>/.tt-build/cache``."""

    build_dir: str = "build/tt-build"
    """Build directory of ``tt-build build``: a relative path inside the project, not the project
    directory itself (no absolute path, no ``..``, not empty)."""

    compiler_launcher: str = "auto"
    """``auto`` uses ccache or sccache when found on PATH; ``none`` disables; any other
    value is used as the launcher program."""

    warm: bool = True
    """Precompile each instance's device kernels at build time (runs it once on zeros on
    the mock) and ship the objects, so the installed package needs no compiler."""

    options: dict[str, Any] = field(default_factory=dict)
    """Pipeline options passed to the compiler (part of the cache key)."""

    reuse_wheel: bool = True
    """``pip install .`` / ``pip wheel .`` of a zero-config project: when no input of the build
    changed since the last wheel built from this project directory (every project file outside
    the build and cache directories, tt-build itself, the compiler, the Python tag, the
    config settings and the build-related environment variables), return that wheel instead of
    configuring CMake again. ``TT_BUILD_REUSE_WHEEL=0`` disables it for one build."""


_FIELDS = {f.name.replace("_", "-"): f for f in dataclasses.fields(TTBuildSettings)}


def _shown(name: str) -> str:
    """A user-chosen key as it appears in a one-line message (control characters escaped, cut short)."""
    if name.isprintable() and len(name) <= 40:
        return name
    return repr(name[:40]) + ("..." if len(name) > 40 else "")


def _did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _int_ok(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**40


def _options(value: object) -> dict[str, Any]:
    _expect("options", value, dict, "a table")
    for key, v in value.items():  # type: ignore[union-attr]
        if key not in OPTIONS:
            msg = (f"[tool.tt-build] options.{_shown(key)}: unknown compiler option{_did_you_mean(key, tuple(OPTIONS))} "
                   f"(known: {', '.join(OPTIONS)})")
            if key in ("arch", "sdk"):
                msg = f"[tool.tt-build] options.{key}: set it with the {key!r} key of [tool.tt-build], not in options"
            raise ConfigError(msg)
        if key == "device_grid":
            ok = isinstance(v, list) and len(v) == 2 and all(_int_ok(x) and x <= 64 for x in v)
        elif key in ("verify_each_pass", "multicast", "multicast_merge"):
            ok = isinstance(v, bool)
        elif key == "math_fidelity":
            ok = v in ("LoFi", "HiFi2", "HiFi3", "HiFi4")
        else:
            ok = _int_ok(v)
        if not ok:
            msg = f"[tool.tt-build] options.{key}: expected {OPTIONS[key]}, got {v!r}"
            raise ConfigError(msg)
    return dict(value)  # type: ignore[arg-type]


def check_build_dir(value: str) -> None:
    """The one rule for paths the build writes to (docs: user guide, "What may be outside the
    project"): relative to the project, inside it (no ``..``), and not the project directory itself."""
    p = PurePosixPath(value.replace("\\", "/"))
    if not value.strip() or os.path.isabs(value) or value.startswith("~"):
        msg = (f"[tool.tt-build] build-dir: {value!r} must be a non-empty path relative to the project "
               "(e.g. \"build/tt-build\")")
        raise ConfigError(msg)
    if ".." in p.parts or p.parts in ((), (".",)) or all(part == "." for part in p.parts):
        msg = f"[tool.tt-build] build-dir: {value!r} must name a directory inside the project, below its root"
        raise ConfigError(msg)


def _expect(key: str, value: object, typ: type | tuple[type, ...], what: str) -> None:
    if not isinstance(value, typ) or (typ is int and isinstance(value, bool)):
        msg = f"[tool.tt-build] {key}: expected {what}, got {type(value).__name__} {value!r}"
        raise ConfigError(msg)


def _str_list(key: str, value: object) -> list[str]:
    if isinstance(value, str):
        value = [value]
    _expect(key, value, list, "a list of strings")
    for item in value:  # type: ignore[union-attr]
        _expect(key, item, str, "a list of strings")
    return list(value)  # type: ignore[arg-type]


def _instances(value: object) -> list[InstanceDecl]:
    _expect("instances", value, dict, "a table of instance tables")
    out = []
    for name, table in value.items():  # type: ignore[union-attr]
        key = f"instances.{_shown(name)}"
        problem = instance_name_problem(name)
        if problem is not None:
            msg = f"[tool.tt-build] {key}: instance name {problem}"
            raise ConfigError(msg)
        _expect(key, table, dict, "a table with keys kernel, factory, args")
        unknown = set(table) - {"kernel", "factory", "args"}
        if unknown:
            msg = f"[tool.tt-build] {key}: unknown key(s) {', '.join(sorted(unknown))} (expected kernel, factory, args)"
            raise ConfigError(msg)
        if "kernel" not in table:
            msg = f"[tool.tt-build] {key}.kernel: missing (the kernel file, relative to the project)"
            raise ConfigError(msg)
        _expect(f"{key}.kernel", table["kernel"], str, "a path string")
        factory = table.get("factory")
        if factory is not None:
            _expect(f"{key}.factory", factory, str, "a function name")
        args = table.get("args", {})
        _expect(f"{key}.args", args, dict, "a table of factory arguments")
        out.append(InstanceDecl(name=name, kernel=table["kernel"], factory=factory, args=dict(args)))
    return out


def parse_settings(table: dict[str, Any] | None) -> TTBuildSettings:
    """Validate the raw ``[tool.tt-build]`` table; errors name the key."""
    table = dict(table or {})
    s = TTBuildSettings()
    for key, value in table.items():
        if key not in _FIELDS:
            known = ", ".join(sorted(_FIELDS))
            msg = f"[tool.tt-build] unknown key {_shown(key)!r}{_did_you_mean(key, tuple(_FIELDS))} (known keys: {known})"
            raise ConfigError(msg)
        name = _FIELDS[key].name
        if name in ("kernels", "only"):
            setattr(s, name, _str_list(key, value))
        elif name == "instances":
            s.instances = _instances(value)
        elif name in ("file_instances", "warm", "reuse_wheel"):
            _expect(key, value, bool, "true or false")
            setattr(s, name, value)
        elif name == "options":
            s.options = _options(value)
        else:
            _expect(key, value, str, "a string")
            setattr(s, name, value)
    if s.sdk not in SDKS:
        msg = f"[tool.tt-build] sdk: expected one of {', '.join(SDKS)}, got {s.sdk!r}"
        raise ConfigError(msg)
    if s.arch not in ARCHES:
        msg = f"[tool.tt-build] arch: expected one of {', '.join(ARCHES)}, got {s.arch!r}"
        raise ConfigError(msg)
    if s.package:
        problem = package_name_problem(s.package)
        if problem is not None:
            msg = f"[tool.tt-build] package: {s.package!r} is not a valid Python import name: {problem}"
            raise ConfigError(msg)
    check_build_dir(s.build_dir)
    if not s.kernels and not s.instances:
        msg = "[tool.tt-build] kernels: no kernel globs and no instances declared; nothing to build"
        raise ConfigError(msg)
    for name in s.only:
        if instance_name_problem(name) is not None:
            msg = f"[tool.tt-build] only: {name!r} is not an instance name"
            raise ConfigError(msg)
    return s


def resolve_sdk(sdk: str, env: dict[str, str] | None = None) -> str:
    """``auto`` -> ``metalium`` when ``TT_METAL_HOME`` is set, else ``mock``."""
    env = dict(os.environ) if env is None else env
    if sdk == "auto":
        return "metalium" if env.get("TT_METAL_HOME") else "mock"
    return sdk
