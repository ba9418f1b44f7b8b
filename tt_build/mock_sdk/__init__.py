"""The embedded mock TT-Metalium SDK: headers + a CPU runtime that executes kernels and checks them.

Python helpers to build against it:

* :func:`include_dir` / :func:`source_dir` — the headers (real TT-Metalium include paths) and the
  runtime sources;
* :func:`compile_flags` — compiler flags for host programs (``-std=c++20 -I<include>``);
* :func:`build_runtime` — compiles the runtime into ``libtt_metal_mock.a`` (position independent,
  content-cached);
* :func:`compile_host_program` — compiles and links a host program against the runtime
  (used by tests).

Link line for a host program: ``<objects> libtt_metal_mock.a -ldl -lpthread``.

The simulated device is a Wormhole n150 (8x8 cores) or a Blackhole p150 (13x10 cores): the
architecture a runtime is built for (``build_runtime(..., arch=...)``), unless ``$TT_MOCK_ARCH``
names another when the host program opens the device.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import os
import shlex
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from tt_build.errors import ToolError

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "ARCHS",
    "LINK_LIBS",
    "build_runtime",
    "compile_flags",
    "compile_host_program",
    "cxx",
    "include_dir",
    "runtime_env",
    "runtime_flags",
    "source_dir",
]

_HERE = Path(__file__).resolve().parent
LIBRARY_NAME = "libtt_metal_mock.a"
LINK_LIBS = ["-ldl", "-lpthread"]
ARCHS = ("wormhole_b0", "blackhole")
_RUNTIME_FLAGS = ["-std=c++20", "-O3", "-fPIC", "-Wall", "-Wextra"]


def include_dir() -> Path:
    """Directory holding the mock headers (``api/...``, ``tt-metalium/...``)."""
    return _HERE / "include"


def source_dir() -> Path:
    """Directory holding the runtime sources (``*.cpp``)."""
    return _HERE / "src"


def cxx() -> list[str]:
    """The host C++ compiler command (``$TT_MOCK_CXX``, ``$CXX`` or ``c++``)."""
    return shlex.split(os.environ.get("TT_MOCK_CXX") or os.environ.get("CXX") or "c++")


def compile_flags() -> list[str]:
    """Flags to compile a host program against the mock SDK."""
    return ["-std=c++20", f"-I{include_dir()}"]


def _check_arch(arch: str) -> str:
    if arch not in ARCHS:
        msg = f"mock SDK: unknown architecture {arch!r}: use one of {', '.join(ARCHS)}"
        raise ValueError(msg)
    return arch


def runtime_env(kernel_cache: str | os.PathLike[str] | None = None, *, arch: str | None = None) -> dict[str, str]:
    """Environment variables a process running mock programs may need (header location, kernel cache,
    and ``TT_MOCK_ARCH`` when ``arch`` names the device to simulate)."""
    env = {"TT_MOCK_INCLUDE_DIR": str(include_dir())}
    if kernel_cache is not None:
        env["TT_MOCK_KERNEL_CACHE"] = str(kernel_cache)
    if arch is not None:
        env["TT_MOCK_ARCH"] = _check_arch(arch)
    return env


def _compiler_identity(cmd: list[str]) -> str:
    """The compiler as the file it runs plus its version, not as it is spelled: ``c++`` (what
    ``tt-build build``'s CMake picks) and ``g++`` (what an isolated pip build's may pick) are one
    compiler, and builds sharing a cache must link one runtime (the same rule as the kernel cache's
    compiler key in src/kernel_build.cpp)."""
    try:
        out = subprocess.run([*cmd, "--version"], capture_output=True, text=True, check=False)
    except OSError as exc:
        raise ToolError([*cmd, "--version"], -1, str(exc)) from exc
    found = shutil.which(cmd[0])
    program = os.path.realpath(found) if found else cmd[0]
    first, _, rest = out.stdout.partition("\n")
    _, space, after = first.partition(" ")  # gcc's --version starts with the name it was called by
    version = (after if space else first) + "\n" + rest
    return " ".join([program, *cmd[1:]]) + "\n" + version


def _runtime_key(cmd: list[str], flags: list[str], root: Path) -> str:
    h = hashlib.sha256()
    h.update(_compiler_identity(cmd).encode())
    h.update("\0".join(flags).encode())
    for sub in ("src", "include"):
        for path in sorted((root / sub).rglob("*")):
            if path.is_file():
                h.update(str(path.relative_to(root)).encode() + b"\0")
                h.update(path.read_bytes())
    return h.hexdigest()[:24]


def _run(cmd: list[str]) -> None:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise ToolError(cmd, -1, str(exc)) from exc
    if proc.returncode != 0:
        raise ToolError(cmd, proc.returncode, proc.stdout + proc.stderr)


def _c_string(text: str) -> str:
    """``text`` as a C++ string literal (the include directory baked into the runtime is a user path)."""
    if any(ord(ch) < 0x20 for ch in text):
        msg = f"mock SDK: the path {text!r} holds a control character; move it"
        raise ValueError(msg)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def runtime_flags(*, sdk_dir: str | os.PathLike[str] | None = None, arch: str | None = None) -> list[str]:
    """Flags the runtime sources are compiled with (see :func:`build_runtime`)."""
    inc = (Path(sdk_dir) if sdk_dir is not None else _HERE) / "include"
    flags = [*_RUNTIME_FLAGS, f"-I{inc}", f"-DTT_MOCK_INCLUDE_DIR={_c_string(str(inc))}"]
    if arch is not None and _check_arch(arch) != ARCHS[0]:
        flags.append(f'-DTT_MOCK_DEFAULT_ARCH="{arch}"')
    return flags


def build_runtime(build_dir: str | os.PathLike[str], *, sdk_dir: str | os.PathLike[str] | None = None,
                  compiler: list[str] | None = None, arch: str | None = None,
                  report: Callable[[str], None] | None = None) -> Path:
    """Compile the runtime into ``<build_dir>/mock-runtime-<key>/libtt_metal_mock.a`` (cached by content).

    The key covers the runtime sources, the headers, the flags and the compiler identity. The archive
    and its sha256 are published atomically, so concurrent builds are safe; a cached archive that
    does not match its digest is built again. ``sdk_dir`` is a copy of this package
    directory to build from instead (tt-build's builds use a staged copy at a stable path, which
    is also the include directory baked into the runtime); ``compiler`` overrides :func:`cxx`;
    ``arch`` (``wormhole_b0``, the default, or ``blackhole``) is the device the runtime simulates
    unless ``$TT_MOCK_ARCH`` says otherwise at run time. ``report`` is called with a progress line
    before and after a compile (not when the archive exists).
    """
    cmd = compiler or cxx()
    root = Path(sdk_dir) if sdk_dir is not None else _HERE
    flags = runtime_flags(sdk_dir=root, arch=arch)
    key = _runtime_key(cmd, flags, root)
    out_dir = Path(build_dir) / f"mock-runtime-{key}"
    lib = out_dir / LIBRARY_NAME
    if _runtime_verified(out_dir):
        return lib
    if out_dir.exists():  # damaged (garbage, truncated, no digest): build it again, once
        _remove_dir(out_dir)
    Path(build_dir).mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    if report is not None:
        report(f"building the mock SDK runtime with {' '.join(cmd)} (once per compiler, kept in {out_dir})")
    # Built in a sibling directory with the archive's digest, then renamed into place: a reader sees
    # no directory or a complete, verifiable one.
    with tempfile.TemporaryDirectory(dir=build_dir, prefix=f".mock-runtime-{key}-") as tmp:
        sources = sorted((root / "src").glob("*.cpp"))
        objects = [Path(tmp) / (s.stem + ".o") for s in sources]
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            list(pool.map(lambda so: _run([*cmd, *flags, "-c", str(so[0]), "-o", str(so[1])]), zip(sources, objects)))
        ar = shutil.which("ar") or "ar"
        staged = Path(tmp) / "out"
        staged.mkdir()
        _run([ar, "rcs", str(staged / LIBRARY_NAME), *map(str, objects)])
        (staged / RUNTIME_DIGEST).write_text(_sha256(staged / LIBRARY_NAME) + "\n", encoding="utf-8")
        try:
            os.rename(staged, out_dir)
        except OSError:
            pass  # a concurrent build published it first (verified below)
    if not _runtime_verified(out_dir):
        msg = (f"the mock SDK runtime {lib} does not match its digest right after being built; "
               f"remove {out_dir} (tt-build cache clean) and check the disk")
        raise OSError(msg)
    if report is not None:
        report(f"built the mock SDK runtime in {time.perf_counter() - t0:.1f} s")
    return lib


#: File next to ``libtt_metal_mock.a`` holding its sha256 (written before the directory is published).
RUNTIME_DIGEST = LIBRARY_NAME + ".sha256"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _runtime_verified(out_dir: Path) -> bool:
    """The runtime archive in ``out_dir`` exists and matches its recorded sha256."""
    try:
        want = (out_dir / RUNTIME_DIGEST).read_text(encoding="utf-8").strip()
        return bool(want) and _sha256(out_dir / LIBRARY_NAME) == want
    except OSError:
        return False


def _remove_dir(path: Path) -> None:
    trash = path.with_name(f".trash-{path.name}-{os.getpid()}")
    try:
        os.rename(path, trash)
    except OSError:
        trash = path
    shutil.rmtree(trash, ignore_errors=True)


def compile_host_program(
    sources: list[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    *,
    build_dir: str | os.PathLike[str],
    extra_flags: list[str] | None = None,
    opt: str = "-O1",
) -> Path:
    """Compile and link a host program (``main``) against the mock runtime; returns the executable path."""
    lib = build_runtime(build_dir)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp{os.getpid()}")
    cmd = [*cxx(), *compile_flags(), opt, *(extra_flags or []), *map(str, sources), "-o", str(tmp), str(lib), *LINK_LIBS]
    _run(cmd)
    os.replace(tmp, out)
    return out
