"""Configure-time step of ``tt_build_add_kernels``: discover instances, write specs and package files.

``python -m tt_build.build.discover --project-dir DIR --work-dir DIR --output-dir DIR ...``

Writes (each only when its content changed):

* ``<work-dir>/specs/<instance>.json``: everything the lowering step of one instance needs;
* ``<work-dir>/instances.cmake``: the instance list and per-instance sources for CMake;
* ``<output-dir>/__init__.py`` and ``<output-dir>/_tt_runtime.py``: the Python package.

Errors (bad configuration, a kernel that does not import) are printed as one clean message and
the process exits with status 1; CMake turns that into a fatal configure error.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from tt_build import _resources
from tt_build.build.fs import atomic_write, remove_tree, sha256_file
from tt_build.build.settings import ARCHES, TTBuildSettings, resolve_sdk
from tt_build.errors import ConfigError, TTBuildError

__all__ = ["main", "mock_runtime", "stage_mock_sdk", "staged_sdk_problem"]


def stage_mock_sdk(cache_dir: Path) -> Path | None:
    """Copy the mock SDK sources to a stable, content-addressed directory in the cache.

    pip's isolated build environments live at a new temporary path on every build; compiling
    the mock runtime from there would change every include path and defeat ninja and ccache.
    The staged copy's path depends only on the SDK's content.
    """
    from tt_build.build.fingerprint import _mock_sdk_dir, sdk_identity  # noqa: PLC0415

    src = _mock_sdk_dir()
    if src is None or not (src / "include").is_dir():
        return None
    ident = sdk_identity("mock", "any").split(":")[-1][:16]
    dest = cache_dir / "sdk" / f"mock-{ident}"
    problem = staged_sdk_problem(dest)
    if problem is None:
        return dest
    if dest.exists() and problem.endswith(("does not match its hash", "is missing")):
        print(f"tt-build: warning: staged mock SDK {dest} is damaged ({problem}); staging it again",
              file=sys.stderr, flush=True)
    if dest.exists():  # damaged (a truncated header, a missing file) or staged by an older tt-build: again, once
        remove_tree(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.parent / f".mock-{ident}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(src, tmp, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "build"))
    files = {p.relative_to(tmp).as_posix(): sha256_file(p) for p in sorted(tmp.rglob("*")) if p.is_file()}
    (tmp / STAGED_MARKER).write_text(json.dumps({"ident": ident, "files": files}, indent=1), encoding="utf-8")
    try:
        os.replace(tmp, dest)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)  # a concurrent build staged it first
    problem = staged_sdk_problem(dest)
    if problem is not None:
        msg = f"the staged mock SDK {dest} is damaged right after staging ({problem}); remove it and check the disk"
        raise ConfigError(msg)
    return dest


#: Marker of a complete staged mock SDK: the sha256 of every staged file (written last).
STAGED_MARKER = ".complete"


def staged_sdk_problem(dest: Path) -> str | None:
    """Why the staged mock SDK at ``dest`` cannot be used (None: every staged file matches the hash
    recorded when it was staged; the runtime builds under ``lib/`` are verified by the mock SDK)."""
    try:
        record = json.loads((dest / STAGED_MARKER).read_text(encoding="utf-8"))
        files = record["files"]
    except FileNotFoundError:
        return "not staged"
    except (OSError, ValueError, KeyError, TypeError):
        return f"unreadable {STAGED_MARKER}"
    if not isinstance(files, dict) or not files:
        return f"{STAGED_MARKER} lists no files"
    for rel, digest in files.items():
        try:
            if sha256_file(dest / rel) != digest:
                return f"{rel} does not match its hash"
        except OSError:
            return f"{rel} is missing"
    return None


def mock_runtime(mock_dir: Path, cxx: str, arch: str) -> Path:
    """The mock SDK runtime library compiled from the staged SDK ``mock_dir`` with ``cxx``, simulating
    an ``arch`` device (so a Blackhole project runs on a simulated 13x10 Blackhole).

    Built once per (SDK content, compiler) and kept next to the staged SDK in the cache, so a
    new build directory, an isolated pip build or a CI run with a restored cache links it
    instead of recompiling it.
    """
    from tt_build import mock_sdk  # noqa: PLC0415

    compiler = [cxx] if cxx else None
    lib_dir = mock_dir / "lib"
    try:
        return mock_sdk.build_runtime(lib_dir, sdk_dir=mock_dir, compiler=compiler, arch=arch,
                                      report=lambda text: print(f"tt-build: {text}", file=sys.stderr, flush=True))
    except (OSError, ValueError) as exc:
        msg = f"cannot build the mock SDK runtime in {lib_dir}: {exc}"
        raise ConfigError(msg) from None


def package_init(instances: list[str], library: str = "_tt_kernels") -> str:
    from tt_build._templates import render  # noqa: PLC0415

    return render("project/package_init.py.j2", names=instances, library=library)


def _sync_tree(src: Path, dest: Path) -> None:
    """Mirror ``src`` into ``dest`` (atomic per file, unchanged files untouched, extra files removed)."""
    want = {p.relative_to(src) for p in src.rglob("*") if p.is_file()}
    for rel in want:
        atomic_write(dest / rel, (src / rel).read_bytes())
    if dest.is_dir():
        for p in dest.rglob("*"):
            if p.is_file() and p.relative_to(dest) not in want:
                p.unlink()


def write_editable_hook(ns: argparse.Namespace, project_dir: Path, work: Path, out_dir: Path) -> list[Path]:
    """The import hook of an editable install (installed next to the package, see
    :mod:`tt_build.runtime.editable`): ``_tt_editable_<package>.py`` and the ``.pth`` loading it."""
    from tt_build._templates import render  # noqa: PLC0415

    package = out_dir.name
    install_dir = ns.install_dir or package
    context = {"package": package, "project_dir": str(project_dir), "output_dir": str(out_dir),
               "build_dir": str(Path(ns.ninja_root).resolve() if ns.ninja_root else work), "install_dir": install_dir}
    hook = work / "editable" / f"_tt_editable_{package}.py"
    pth = work / "editable" / f"_tt_editable_{package}.pth"
    atomic_write(hook, render("editable/hook.py.j2", **context))
    atomic_write(pth, render("editable/hook.pth.j2", **context))
    return [hook, pth]


def run(ns: argparse.Namespace) -> dict[str, Any]:
    from tt_build.build.cache import check_cache_dir, default_cache_dir  # noqa: PLC0415
    from tt_build.project import InstanceSpec, Project, check_cmake_path  # noqa: PLC0415

    project_dir = Path(ns.project_dir).resolve()
    work = Path(ns.work_dir).resolve()
    out_dir = Path(ns.output_dir).resolve()
    if (project_dir / "pyproject.toml").is_file():
        project = Project.load(project_dir)
    else:
        project = Project(root=project_dir, name=project_dir.name, version="0",
                          settings=TTBuildSettings(kernels=[]), pyproject={})
    s = project.settings
    if ns.sources:
        s.kernels = [os.path.relpath(Path(p).resolve(), project_dir) for p in ns.sources]
    sdk = resolve_sdk(ns.sdk or s.sdk)
    arch = ns.arch or s.arch
    if arch not in ARCHES:
        msg = f"tt_build_add_kernels: ARCH must be one of {', '.join(ARCHES)}, got {arch!r}"
        raise ConfigError(msg)
    cache_dir = Path(ns.cache_dir).resolve() if ns.cache_dir else default_cache_dir(project_dir, s.cache_dir)
    check_cache_dir(check_cmake_path(cache_dir, "lowering cache directory"))
    specs: list[InstanceSpec] = project.discover()

    from tt_build.build.fingerprint import local_imports  # noqa: PLC0415

    depends: dict[str, None] = {}
    if (project_dir / "pyproject.toml").is_file():
        depends[str(project_dir / "pyproject.toml")] = None
    for f in project.kernel_files():
        depends[str(f)] = None
        depends[str(f.parent)] = None  # a new kernel file changes the directory
        for dep in local_imports(f):
            depends[str(dep)] = None
    # tt-build's own files: a new compiler re-runs discovery (and so every lowering step).
    for root, dirs, files in os.walk(_resources.package_dir()):
        dirs[:] = [d for d in dirs if d not in ("__pycache__", "mock_sdk")]
        depends.update((str(Path(root) / f), None) for f in files if f.endswith(".py"))

    (work / "specs").mkdir(parents=True, exist_ok=True)
    from tt_build.build.fingerprint import sdk_identity, tt_build_fingerprint  # noqa: PLC0415

    # Not read by the lowering step, but part of each spec so that a new compiler or SDK changes
    # the spec file, an input of every lowering command: ninja then re-runs them all.
    compiler = f"{tt_build_fingerprint()[:24]} {sdk_identity(sdk, arch)}"
    for sp in specs:
        inst_out = out_dir / "kernels" / sp.name
        spec = {
            "compiler": compiler,
            "name": sp.name, "source": str(sp.source), "factory": sp.factory, "args": sp.args,
            "sdk": sdk, "arch": arch, "options": s.options, "cache_dir": str(cache_dir),
            "out_dir": str(inst_out), "depfile": str(work / "deps" / f"{sp.name}.d"),
            "events": str(work / "events.jsonl"),
            "ninja_root": str(Path(ns.ninja_root).resolve()) if ns.ninja_root else "",
        }
        spec_path = work / "specs" / f"{sp.name}.json"
        atomic_write(spec_path, json.dumps(spec, indent=1, sort_keys=True, default=repr) + "\n")
    (work / "deps").mkdir(parents=True, exist_ok=True)
    mock_dir = stage_mock_sdk(cache_dir) if sdk == "mock" else None
    from tt_build._templates import render  # noqa: PLC0415

    hook_files = write_editable_hook(ns, project_dir, work, out_dir) if ns.editable else []
    text = render("project/instances.cmake.j2", instances=[sp.name for sp in specs], sdk=sdk, arch=arch,
                  cache_dir=str(cache_dir), warm=s.warm, launcher=s.compiler_launcher,
                  sources=[(sp.name, str(sp.source)) for sp in specs],
                  mock_sdk_dir=str(mock_dir) if mock_dir else "",
                  mock_runtime=str(mock_runtime(mock_dir, ns.cxx, arch)) if mock_dir is not None else "",
                  depends=list(depends), editable_files=[str(f) for f in hook_files])
    atomic_write(work / "instances.cmake", text)

    # Python package files.
    names = [sp.name for sp in specs]
    atomic_write(out_dir / "__init__.py", package_init(names, ns.library))
    runtime_src = _resources.package_dir() / "runtime" / "loader.py"
    atomic_write(out_dir / "_tt_runtime.py", runtime_src.read_bytes())
    if mock_dir is not None:
        _sync_tree(mock_dir / "include", out_dir / "mock_include")
    # Instances removed from the project: drop their stale output directories.
    kdir = out_dir / "kernels"
    if kdir.is_dir():
        for d in kdir.iterdir():
            if d.is_dir() and d.name not in names and (d / ".tt-key.json").exists():
                shutil.rmtree(d, ignore_errors=True)
    return {"instances": names, "sdk": sdk, "arch": arch, "cache_dir": str(cache_dir)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tt_build.build.discover")
    p.add_argument("--project-dir", required=True)
    p.add_argument("--work-dir", required=True)
    p.add_argument("--output-dir", required=True)
    p.add_argument("--sources", nargs="*", default=[])
    p.add_argument("--sdk", default="")
    p.add_argument("--arch", default="")
    p.add_argument("--cache-dir", default="")
    p.add_argument("--library", default="_tt_kernels")
    p.add_argument("--cxx", default="", help="C++ compiler of the build (the mock runtime is built with it)")
    p.add_argument("--ninja-root", default="", help="top-level build directory (Ninja's paths are relative to it)")
    p.add_argument("--editable", action="store_true", help="an editable install: write its import hook")
    p.add_argument("--install-dir", default="", help="install directory of the package (relative to the prefix)")
    ns = p.parse_args(argv)
    try:
        run(ns)
    except TTBuildError as exc:
        print(exc.user_message(), file=sys.stderr)
        return 1
    except OSError as exc:  # a file-system failure (name too long, read-only, full disk): one line
        print(f"error: kernel discovery: {exc.strerror or exc}: {exc.filename}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
