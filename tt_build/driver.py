"""Compiler driver: kernel file → instances → lowered IR → emitted C++ files.

This is the one entry point the build system, the CLI and the tests use to run the compiler.

Contract (relied upon by :mod:`tt_build.build`):

* :func:`load_kernel_module` imports a kernel file under a private module name and reports every
  *local* module it imported (files under the kernel's project directory), for depfiles and cache keys.
* :func:`list_instances` returns the instances a kernel file declares in its module-level
  ``INSTANCES`` dict (``name -> dict(args)``; an entry may name its factory with the key
  ``"factory"``, otherwise the module must define exactly one public factory function).
* :func:`emit` lowers one instance and writes ``reader.cpp``, ``compute.cpp``, ``writer.cpp``,
  ``host.cpp`` and ``manifest.json`` into ``out_dir`` (each file written atomically, and only when its
  content changed, so build tools with ``restat`` skip downstream work).

The host program exports ``extern "C" int tt_<name>_run(const void* const* inputs,
void* const* outputs, const char* kernel_dir, char* err, size_t err_len)``: inputs and outputs
are row-major bit patterns of each tensor's type (16-bit bfloat16 / float16, 32-bit float32) in the order of the manifest's params with role ``input`` /
``output``; ``kernel_dir`` is the directory holding the instance's kernel sources; on failure it
returns non-zero and writes a NUL-terminated message into ``err``.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from tt_build.build.names import instance_name_problem
from tt_build.errors import ConfigError, FrontendError, SourceLocation, TTBuildError

__all__ = ["EmitResult", "Instance", "emit", "list_instances", "load_kernel_module", "valid_instance_name"]



def valid_instance_name(name: str) -> bool:
    """Instance names become C identifiers, Python globals and directory names: the rules of
    :func:`tt_build.build.names.instance_name_problem` (an identifier matched in full, no keyword,
    no clash with the generated package's globals, at most 100 characters)."""
    from tt_build.build.names import instance_name_problem  # noqa: PLC0415

    return instance_name_problem(name) is None


@dataclass(frozen=True)
class Instance:
    """One kernel instance: a factory called with fixed arguments."""

    name: str
    source: Path
    factory: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class EmitResult:
    """What :func:`emit` wrote (role → path) and which source files it read."""

    files: dict[str, Path]
    deps: list[Path]
    manifest: dict[str, Any]


def _syntax_error(path: Path, exc: SyntaxError) -> FrontendError:
    line = exc.lineno or 1
    col = exc.offset or 1
    text = exc.text or ""
    return FrontendError(f"invalid Python syntax: {exc.msg}", SourceLocation(str(path), line, col, text),
                         hint="fix the syntax error; no kernel of this file can be built until then")


def load_kernel_module(path: Path) -> tuple[ModuleType, list[Path]]:
    """Import the kernel file ``path``; return the module and the local files it imported (incl. itself)."""
    path = Path(path).resolve()
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read kernel file {path}: {exc.strerror}") from None
    try:
        ast.parse(source, filename=str(path))
    except SyntaxError as exc:
        raise _syntax_error(path, exc) from None
    root = path.parent
    mod_name = "_tt_kernel_" + re.sub(r"\W", "_", str(path.with_suffix("")))
    before = set(sys.modules)
    sys.path.insert(0, str(root))
    try:
        spec = importlib.util.spec_from_file_location(mod_name, path)
        if spec is None or spec.loader is None:
            raise ConfigError(f"cannot import kernel file {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[mod_name] = module
        try:
            spec.loader.exec_module(module)
        except TTBuildError:
            raise
        except SyntaxError as exc:
            raise _syntax_error(Path(exc.filename or path), exc) from None
        except Exception as exc:  # noqa: BLE001 - user code at import time; report it cleanly
            tb = exc.__traceback__
            line = 1
            while tb is not None:
                if Path(tb.tb_frame.f_code.co_filename).resolve() == path:
                    line = tb.tb_lineno
                tb = tb.tb_next
            text = source.splitlines()[line - 1] if 0 < line <= len(source.splitlines()) else ""
            raise FrontendError(f"importing the kernel file raised {type(exc).__name__}: {exc}",
                                SourceLocation(str(path), line, 1, text),
                                hint="kernel files must import without side effects") from None
    finally:
        sys.path.remove(str(root))
    deps = [path]
    for name in sorted(set(sys.modules) - before):
        mod = sys.modules.get(name)
        file = getattr(mod, "__file__", None)
        if not file:
            continue
        fpath = Path(file).resolve()
        try:
            fpath.relative_to(root)
        except ValueError:
            continue
        if fpath != path:
            deps.append(fpath)
    return module, deps


def _factories(module: ModuleType) -> list[str]:
    names = []
    for name, value in vars(module).items():
        if name.startswith("_") or not callable(value) or isinstance(value, type):
            continue
        if getattr(value, "__module__", None) == module.__name__:
            names.append(name)
    return names


def list_instances(path: Path) -> list[Instance]:
    """Instances declared by the kernel file's ``INSTANCES`` dict."""
    path = Path(path).resolve()
    module, _ = load_kernel_module(path)
    table = getattr(module, "INSTANCES", None)
    if table is None:
        return []
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: INSTANCES must be a dict of name -> dict(args)")
    factories = _factories(module)
    out = []
    for name, args in table.items():
        problem = instance_name_problem(name)
        if problem is not None:
            raise ConfigError(f"{path}: INSTANCES key: instance name {problem}")
        if not isinstance(args, dict):
            raise ConfigError(f"{path}: INSTANCES[{name!r}] must be a dict of factory arguments")
        args = dict(args)
        factory = args.pop("factory", None)
        if factory is None:
            if len(factories) != 1:
                raise ConfigError(f"{path}: INSTANCES[{name!r}] must name its factory with 'factory': the file "
                                  f"defines {len(factories)} public functions ({', '.join(factories) or 'none'})")
            factory = factories[0]
        out.append(Instance(name=name, source=path, factory=factory, args=args))
    return out


def emit(source: Path, factory: str, args: dict[str, Any], name: str, out_dir: Path, *,
         options: dict[str, Any] | None = None) -> EmitResult:
    """Lower one instance and write its generated files into ``out_dir``."""
    from tt_build.codegen import emit_instance  # noqa: PLC0415 - heavy import, only when emitting

    problem = instance_name_problem(name)
    if problem is not None:
        raise ConfigError(f"instance name {problem}")
    return emit_instance(Path(source), factory, args, name, Path(out_dir), options=options or {})


def build_primfunc(source: Path, factory: str, args: dict[str, Any]) -> tuple[Any, list[Path]]:
    """Call ``factory(**args)`` of the kernel file; return the front-end PrimFunc and the source deps."""
    from tt_build.ir import PrimFunc  # noqa: PLC0415

    source = Path(source).resolve()
    module, deps = load_kernel_module(source)
    fn = getattr(module, factory, None)
    if fn is None or not callable(fn):
        raise ConfigError(f"{source}: no kernel factory named {factory!r}")
    try:
        result = fn(**args)
    except TTBuildError:
        raise
    except TypeError as exc:
        raise ConfigError(f"{source}: calling {factory}(**{args!r}) failed: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - user code; report cleanly with the kernel file named
        raise ConfigError(f"{source}: {factory}(**{args!r}) raised {type(exc).__name__}: {exc}") from None
    if not isinstance(result, PrimFunc):
        raise ConfigError(f"{source}: {factory}() returned {type(result).__name__}, expected a @T.prim_func kernel",)
    return result, deps
