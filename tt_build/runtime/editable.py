"""Editable installs (``pip install --no-build-isolation -e PROJECT``): rebuild on import.

scikit-build-core builds the editable wheel through :mod:`tt_build.backend` in a persistent build
directory (``build/{wheel_tag}``); tt-build's CMake rules add an import hook to it
(``_tt_editable_<package>.py`` and a ``.pth`` that loads it, from ``templates/editable/``). The first
import of the package in a process calls :func:`refresh`, which

1. runs Ninja in that build directory: the same incremental build as ``tt-build build`` (only the
   instances whose kernel file or local imports changed are re-lowered, recompiled and re-warmed;
   an unchanged project costs one Ninja no-op);
2. on success, copies what changed from the build's package directory into the installed package
   (each file atomically, files of removed instances deleted) and says so in one line on stderr:
   ``tt-build: rebuilt tt_mini_kernels for this import (editable install): add_64 re-lowered +
   recompiled; 3.1 s``;
3. on failure, prints the build's diagnostic (``kernels/add.py:14:9: error: ...``) and leaves the
   installed package alone: the import gets the previous, working build.

Concurrent imports serialize on a lock in the build directory. The build steps run with the build
directory in ``TT_BUILD_EDITABLE_SKIP`` (and scikit-build-core's ``SKBUILD_EDITABLE_SKIP``), so an
import of the package inside the build does not recurse.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from tt_build.build.fs import FileLock
from tt_build.errors import TTBuildError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tt_build.build.builder import InstanceReport

__all__ = ["RefreshResult", "describe", "refresh", "sync_tree", "update_record"]

SKIP_ENV = "TT_BUILD_EDITABLE_SKIP"
_SKBUILD_SKIP_ENV = "SKBUILD_EDITABLE_SKIP"
#: Build-tree files that are not part of the installed package (as the install rules exclude them).
_NOT_INSTALLED = (".tt-key.json", "__pycache__")
LOCK_NAME = ".tt-build-editable.lock"


@dataclass
class RefreshResult:
    """What :func:`refresh` did: ``"up-to-date"``, ``"rebuilt"``, ``"failed"`` or ``"unavailable"``."""

    state: str
    seconds: float = 0.0
    message: str = ""
    copied: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def _installed(rel: Path) -> bool:
    return not any(part in _NOT_INSTALLED or part.endswith(".tmp") for part in rel.parts)


def _same_content(a: Path, b: Path) -> bool:
    with a.open("rb") as fa, b.open("rb") as fb:
        while True:
            ca, cb = fa.read(1 << 16), fb.read(1 << 16)
            if ca != cb:
                return False
            if not ca:
                return True


def sync_tree(src: Path, dest: Path) -> tuple[list[str], list[str]]:
    """Make ``dest`` hold ``src``'s installable files: copy the new and changed ones (each atomically,
    by a rename), delete the ones ``src`` no longer has. Returns (copied, removed), relative paths."""
    want = {p.relative_to(src): p for p in src.rglob("*") if p.is_file() and _installed(p.relative_to(src))}
    copied: list[str] = []
    for rel, path in sorted(want.items()):
        target = dest / rel
        st = path.stat()
        try:
            tst = target.stat()
            if tst.st_size == st.st_size:
                if tst.st_mtime_ns == st.st_mtime_ns:
                    continue
                if _same_content(path, target):  # e.g. the first import after pip installed the wheel
                    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
                    continue
        except OSError:
            pass
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        shutil.copy2(path, tmp)  # keeps the mtime: the next sync compares it
        os.replace(tmp, target)
        copied.append(str(rel))
    removed: list[str] = []
    if dest.is_dir():
        for p in sorted(dest.rglob("*"), reverse=True):
            rel = p.relative_to(dest)
            if p.is_file() and _installed(rel) and rel not in want:
                p.unlink()
                removed.append(str(rel))
            elif p.is_dir() and _installed(rel) and not any(p.iterdir()):
                p.rmdir()
    return copied, removed


def update_record(site_dir: Path, dest: Path, added: list[str], removed: list[str]) -> Path | None:
    """Record files the rebuild added to (or removed from) the installed package ``dest`` in the
    install record (``*.dist-info/RECORD`` under ``site_dir`` that lists ``dest``'s ``__init__.py``),
    so that ``pip uninstall`` removes them too. Returns the RECORD updated, if any."""
    try:
        pkg = dest.resolve().relative_to(Path(site_dir).resolve()).as_posix()
    except ValueError:
        return None
    for record in sorted(Path(site_dir).glob("*.dist-info/RECORD")):
        try:
            lines = record.read_text(encoding="utf-8").splitlines()
        except OSError:
            continue
        if not any(line.startswith(f"{pkg}/__init__.py,") for line in lines):
            continue
        gone = {f"{pkg}/{r}" for r in removed}
        listed = {line.split(",", 1)[0] for line in lines}
        kept = [line for line in lines if line.split(",", 1)[0] not in gone]
        kept += [f"{pkg}/{a},," for a in added if f"{pkg}/{a}" not in listed]
        if kept != lines:
            tmp = record.with_name(f".RECORD.{os.getpid()}.tmp")
            tmp.write_text("\n".join(kept) + "\n", encoding="utf-8")
            os.replace(tmp, record)
        return record
    return None


def describe(reports: dict[str, InstanceReport]) -> str:
    """``add_64 re-lowered + device kernels recompiled, mul_64 re-lowered (no output changed)``."""
    parts = []
    for name, r in sorted(reports.items()):
        did = []
        if r.lower == "lowered":
            did.append("re-lowered")
        elif r.lower == "cached":
            did.append("lowered from the cache")
        if r.compile == "compiled":
            did.append("host program recompiled")
        if r.warm_seconds:
            did.append("device kernels recompiled")
        if not did:
            continue
        same = " (no output changed)" if len(did) == 1 and r.lower != "up-to-date" else ""
        parts.append(f"{name} {' + '.join(did)}{same}")
    return ", ".join(parts) or "no instance rebuilt"


def _unavailable(package: str, why: str, stream: TextIO) -> RefreshResult:
    msg = f"tt-build: {package}: {why}; kernel edits are not rebuilt (reinstall: pip install --no-build-isolation -e PROJECT)"
    print(msg, file=stream, flush=True)
    return RefreshResult("unavailable", message=msg)


def _failed(package: str, text: str, t0: float, out: TextIO) -> RefreshResult:
    msg = f"tt-build: rebuilding {package} failed; importing its previous build"
    print(f"{text}\n{msg}" if text else msg, file=out, flush=True)
    return RefreshResult("failed", seconds=time.perf_counter() - t0, message=text)


@contextlib.contextmanager
def _project_lock(project_dir: str, bdir: Path, out: TextIO) -> Iterator[None]:
    """The project's build lock (``tt-build build`` and pip take it too), and this build directory's."""
    from tt_build.project import Project  # noqa: PLC0415

    with Project.load(project_dir).build_lock(out), FileLock(bdir / LOCK_NAME, timeout=float("inf")).held():
        yield


def _cmake_of(build_dir: Path) -> str | None:
    try:
        for line in (build_dir / "CMakeCache.txt").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("CMAKE_COMMAND:"):
                return line.split("=", 1)[1].strip()
    except OSError:
        return None
    return None


def refresh(*, package: str, project_dir: str, build_dir: str, output_dir: str, installed_dir: str,
            site_dir: str = "", stream: TextIO | None = None) -> RefreshResult:
    """Rebuild the editable package ``package`` if its project changed; install what changed.

    ``project_dir`` is the kernel project (named in messages); ``build_dir`` the build directory
    scikit-build-core configured; ``output_dir`` the package directory the build lays out in it;
    ``installed_dir`` the installed package; ``site_dir`` the directory of the install record
    (site-packages), whose ``RECORD`` gets the files the rebuild adds or removes.
    """
    from tt_build.build.builder import run_ninja  # noqa: PLC0415
    from tt_build.build.progress import Progress  # noqa: PLC0415

    out = stream or sys.stderr
    t0 = time.perf_counter()
    bdir, src, dest = Path(build_dir), Path(output_dir), Path(installed_dir)
    if not (bdir / "build.ninja").is_file():
        return _unavailable(package, f"the build directory of {project_dir} ({bdir}) is gone", out)
    cmake = _cmake_of(bdir)
    if cmake and not Path(cmake).is_file():
        # Configured by a temporary (isolated) build environment: Ninja could not re-run CMake.
        return _unavailable(package, f"the CMake that configured {bdir} ({cmake}) no longer exists "
                            "(an isolated build environment)", out)
    env = dict(os.environ)
    for var in (SKIP_ENV, _SKBUILD_SKIP_ENV):
        env[var] = os.pathsep.join(p for p in (env.get(var, ""), str(bdir)) if p)
    try:
        with _project_lock(project_dir, bdir, out):
            progress = Progress(out, events=False)  # a live status line on a terminal, nothing otherwise
            try:
                result = run_ninja(bdir, env, progress=progress)
            finally:
                progress.close()
            if result.returncode != 0:
                text = result.message()
                if "tt-build: kernel discovery failed" in text:
                    text = text.split("CMake Error", 1)[0].strip()
                return _failed(package, text, t0, out)
            if not src.is_dir():
                return _unavailable(package, f"the build left no package directory {src}", out)
            before = {str(f.relative_to(dest)) for f in dest.rglob("*") if f.is_file()} if dest.is_dir() else set()
            copied, removed = sync_tree(src, dest)
            if site_dir:
                update_record(Path(site_dir), dest, [c for c in copied if c not in before], removed)
    except TTBuildError as exc:  # the project or its lock could not be used
        return _failed(package, exc.user_message(), t0, out)
    except OSError as exc:
        return _failed(package, f"error: {exc}", t0, out)
    seconds = time.perf_counter() - t0
    if not result.steps:
        # Nothing was built. (The first import after pip installed the wheel may still copy the
        # build tree's kernel library over the installed one, which CMake's install rewrote.)
        return RefreshResult("up-to-date", seconds=seconds, copied=copied, removed=removed)
    what = describe(result.reports) if result.rebuilt else "no instance rebuilt"
    line = f"tt-build: rebuilt {package} for this import (editable install): {what}; {seconds:.1f} s"
    print(line, file=out, flush=True)
    return RefreshResult("rebuilt", seconds=seconds, message=line, copied=copied, removed=removed)
