"""Everything that goes into a lowering cache key (Triton's ``triton_key`` approach).

The key spells out every input that can change the emitted files: the kernel source and the
local modules it imports, the instance (name, factory, args), tt-build's version, a hash of
tt-build's own ``.py`` and template files, the pipeline options and the SDK identity, plus the
env vars listed in :data:`KEY_ENV_VARS`.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from tt_build import __version__, _resources

__all__ = ["KEY_ENV_VARS", "KeyParts", "local_imports", "sdk_identity", "tt_build_fingerprint"]

#: Environment variables that change what the compiler emits (sorted into the key).
KEY_ENV_VARS: tuple[str, ...] = ("TT_BUILD_PIPELINE",)

_SKIP_DIRS = {"__pycache__", "mock_sdk", "runtime", "commands"}


def _hash_tree(h: Any, root: Path, patterns: tuple[str, ...], skip: set[str]) -> None:
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in skip and not d.startswith("."))
        files.extend(Path(dirpath) / f for f in filenames if f.endswith(patterns))
    for f in sorted(files):
        h.update(str(f.relative_to(root)).encode())
        h.update(b"\0")
        h.update(f.read_bytes())
        h.update(b"\0")


@functools.lru_cache(maxsize=1)
def tt_build_fingerprint() -> str:
    """sha256 over tt-build's version, its compiler ``.py`` files and its templates.

    The runtime, the CLI commands and the mock SDK are left out (they cannot change the
    emitted files; the SDK is covered by :func:`sdk_identity`).
    """
    h = hashlib.sha256(f"tt-build {__version__}\0".encode())
    _hash_tree(h, _resources.package_dir(), (".py",), _SKIP_DIRS | {"templates", "cmake"})
    tdir = _resources.templates_dir()
    if tdir.is_dir():
        _hash_tree(h, tdir, (".j2", ".cpp", ".h", ".hpp", ".txt"), set())
    return h.hexdigest()


def _mock_sdk_dir() -> Path | None:
    """The mock SDK package directory (headers in include/, runtime sources in src/)."""
    d = _resources.package_dir() / "mock_sdk"
    return d if (d / "include").is_dir() else None


@functools.lru_cache(maxsize=8)
def sdk_identity(sdk: str, arch: str) -> str:
    """A string naming the SDK the kernels are built against (content hash for the mock)."""
    if sdk == "mock":
        d = _mock_sdk_dir()
        h = hashlib.sha256()
        if d is not None:
            _hash_tree(h, d, (".h", ".hpp", ".cpp", ".cc", ".txt", ".cmake", ".py"), {"__pycache__"})
        return f"mock:{arch}:{h.hexdigest()[:32]}"
    home = os.environ.get("TT_METAL_HOME", "")
    version = ""
    for cand in ("VERSION", "version.txt"):
        p = Path(home) / cand
        if home and p.is_file():
            version = p.read_text(encoding="utf-8", errors="replace").strip()
    return f"metalium:{arch}:{home}:{version}"


def _resolve_module(root: Path, dotted: str) -> Path | None:
    parts = dotted.split(".")
    base = root.joinpath(*parts)
    for cand in (base.with_suffix(".py"), base / "__init__.py"):
        if cand.is_file():
            return cand
    return None


def local_imports(path: Path, root: Path | None = None) -> list[Path]:
    """The kernel file plus every module under ``root`` it imports, recursively (static AST scan).

    ``root`` defaults to the kernel file's directory (the directory the driver puts on
    ``sys.path``). Imports that cannot be resolved to a file under ``root`` are ignored; modules
    imported dynamically are caught later from :attr:`EmitResult.deps` (recorded in the entry).
    """
    path = Path(path).resolve()
    root = (root or path.parent).resolve()
    seen: dict[Path, None] = {}
    todo = [path]
    while todo:
        cur = todo.pop()
        if cur in seen:
            continue
        seen[cur] = None
        try:
            tree = ast.parse(cur.read_bytes(), filename=str(cur))
        except (SyntaxError, OSError, ValueError):
            continue
        pkg_dir = cur.parent
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = pkg_dir
                    for _ in range(node.level - 1):
                        base = base.parent
                    mod = node.module or ""
                    cands = [f"{mod}.{a.name}" if mod else a.name for a in node.names]
                    if mod:
                        cands.append(mod)
                    for c in cands:
                        f = _resolve_module(base, c)
                        if f is not None:
                            todo.append(f.resolve())
                    continue
                if node.module:
                    names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for dotted in names:
                parts = dotted.split(".")
                for i in range(1, len(parts) + 1):
                    f = _resolve_module(root, ".".join(parts[:i]))
                    if f is not None:
                        todo.append(f.resolve())
    return list(seen)


class KeyParts(dict):  # type: ignore[type-arg]
    """Named components of a cache key (kept so ``--explain`` can say what changed)."""

    def digest(self) -> bytes:
        blob = json.dumps(self, sort_keys=True, separators=(",", ":"), default=str).encode()
        return hashlib.sha256(blob).digest()


def key_parts(*, name: str, source: Path, factory: str | None, args: dict[str, Any], sdk: str, arch: str,
              options: dict[str, Any]) -> KeyParts:
    """Compute the key components of one instance."""
    source = Path(source).resolve()
    root = source.parent
    files = {}
    for f in local_imports(source):
        try:
            rel = str(f.relative_to(root))
        except ValueError:
            rel = str(f)
        files[rel] = hashlib.sha256(f.read_bytes()).hexdigest()
    return KeyParts(
        instance=name,
        factory=factory,
        args=json.loads(json.dumps(args, sort_keys=True, default=repr)),
        source=files,
        tt_build=f"{__version__}:{tt_build_fingerprint()}",
        options=json.loads(json.dumps(options, sort_keys=True, default=repr)),
        sdk=sdk_identity(sdk, arch),
        env={k: os.environ[k] for k in sorted(KEY_ENV_VARS) if k in os.environ},
    )
