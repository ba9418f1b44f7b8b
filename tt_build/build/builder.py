"""``tt-build build``: the same CMake/Ninja build as ``pip install .``, into the project's build dir.

Configures once (generated CMakeLists for zero-config projects), then runs Ninja directly (the
no-op path is: read pyproject, stat, ``ninja`` no-op). Prints one line per kernel as it is
lowered / taken from the cache / compiled, then a summary table with times. ``explain=True``
runs Ninja with ``-d explain`` and the lowering steps with ``TT_BUILD_EXPLAIN=1`` and prints why
each instance was or was not rebuilt.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from tt_build import _resources
from tt_build.build.cmakegen import LIBRARY_TARGET, broken_configure, generate_cmakelists, reset_configure
from tt_build.build.cmakegen import configured as mark_configured
from tt_build.errors import ToolError, TTBuildError
from tt_build.project import Project

__all__ = ["BuildReport", "InstanceReport", "build_project", "find_tool"]

_HOST_OBJ = re.compile(r"kernels/([A-Za-z_][A-Za-z0-9_]*)/host\.cpp\.o\b")
_STATUS = re.compile(r"^\[\d+/\d+\] ")
# An instance's directory or file in a path (lookahead: overlapping matches, so the last one is the
# innermost even when the package itself is called "kernels").
_EXPLAIN_INSTANCE = re.compile(r"(?<![\w.-])(?=(?:kernels|specs|deps|warm)/([A-Za-z_]\w*)(?:/|\.json|\.d|\.stamp))")


def find_tool(name: str) -> str:
    """cmake/ninja: the PyPI package's binary if installed, else the one on PATH."""
    try:
        mod = __import__(name)
        bin_dir = getattr(mod, "BIN_DIR", None) or getattr(mod, "CMAKE_BIN_DIR", None)
        if bin_dir and (Path(bin_dir) / name).is_file():
            return str(Path(bin_dir) / name)
    except ImportError:
        pass
    found = shutil.which(name)
    if not found:
        msg = f"{name} not found (pip install {name}, or put it on PATH)"
        raise TTBuildError(msg)
    return found


@dataclass
class InstanceReport:
    name: str
    lower: str = "up-to-date"
    lower_seconds: float = 0.0
    compile: str = "up-to-date"
    compile_seconds: float = 0.0
    warm_seconds: float = 0.0
    why: list[str] = field(default_factory=list)


@dataclass
class BuildReport:
    build_dir: Path
    package_dir: Path
    configured: bool
    configure_seconds: float
    build_seconds: float
    total_seconds: float
    instances: dict[str, InstanceReport]

    def count(self, attr: str, value: str) -> int:
        return sum(1 for r in self.instances.values() if getattr(r, attr) == value)

    @property
    def lowered(self) -> int:
        return self.count("lower", "lowered")

    @property
    def cached(self) -> int:
        return self.count("lower", "cached")

    @property
    def compiled(self) -> int:
        return self.count("compile", "compiled")


def _run_checked(cmd: list[str], env: dict[str, str], cwd: Path | None = None) -> str:
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        out = (proc.stdout + proc.stderr).strip()
        # CMake wraps our discovery error; show its message, not the CMake call stack.
        if "tt-build: kernel discovery failed" in proc.stderr:
            # Discovery printed its diagnostic verbatim on stderr, before CMake's error block.
            raise TTBuildError(proc.stderr.split("CMake Error", 1)[0].strip())
        errors = _cmake_errors(out)
        if errors:
            raise TTBuildError("\n".join(errors))
        raise ToolError(cmd, proc.returncode, out)
    return proc.stdout


def _configure(cmd: list[str], env: dict[str, str], bdir: Path) -> None:
    """Run CMake's configure; a failed one leaves no configure state behind (the next build starts
    afresh instead of building on a half-written CMakeCache.txt)."""
    mark_configured(bdir, done=False)
    try:
        _run_checked(cmd, env)
    except TTBuildError:
        reset_configure(bdir)
        raise
    mark_configured(bdir, done=True)


def _cmake_errors(output: str) -> list[str]:
    """The messages of CMake's ``CMake Error at <file>:<line> (message):`` blocks, unwrapped."""
    out = []
    for m in re.finditer(r"^CMake Error at [^\n]*:\n((?:  [^\n]*\n?|\n(?=  ))+)", output, re.M):
        text = " ".join(line.strip() for line in m.group(1).splitlines() if line.strip())
        out.append(text.removeprefix("tt-build: ") if text.startswith(("tt-build:", "tt_build")) else f"CMake: {text}")
    return out


def _ninja_log(path: Path, offset: int) -> list[tuple[int, int, str]]:
    out = []
    try:
        with path.open("r", encoding="utf-8", errors="replace") as f:
            f.seek(offset)
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) >= 4 and parts[0].isdigit():
                    out.append((int(parts[0]), int(parts[1]), parts[3]))
    except OSError:
        pass
    return out


def build_project(project_dir: Path | str = ".", *, explain: bool = False, jobs: int | None = None,
                  verbose: bool = False, stream: TextIO | None = None, reconfigure: bool = False) -> BuildReport:
    """Build the project; raise :class:`TTBuildError` on failure."""
    t0 = time.perf_counter()
    project = Project.load(project_dir)
    with project.build_lock(stream):  # one build of a project at a time (pip builds take it too)
        return _build_locked(project, t0, explain=explain, jobs=jobs, verbose=verbose, stream=stream,
                             reconfigure=reconfigure)


def _build_locked(project: Project, t0: float, *, explain: bool, jobs: int | None, verbose: bool,
                  stream: TextIO | None, reconfigure: bool) -> BuildReport:
    out = stream or sys.stdout
    src = project.root if project.has_own_cmakelists else generate_cmakelists(project)
    bdir = project.build_dir
    bdir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    run_id = uuid.uuid4().hex
    env["TT_BUILD_RUN_ID"] = run_id
    if explain:
        env["TT_BUILD_EXPLAIN"] = "1"
    configured = False
    broken = broken_configure(bdir)
    if broken:
        print(f"tt-build: warning: discarding the CMake configure in {bdir} ({broken}); configuring again",
              file=out, flush=True)
        reset_configure(bdir)
    if reconfigure or not (bdir / "build.ninja").is_file() or not (bdir / "CMakeCache.txt").is_file():
        cmd = [find_tool("cmake"), "-S", str(src), "-B", str(bdir), "-G", "Ninja",
               f"-DCMAKE_MAKE_PROGRAM={find_tool('ninja')}", f"-DTTBuild_DIR={_resources.cmake_dir()}",
               f"-DPython_EXECUTABLE={sys.executable}", "-DCMAKE_BUILD_TYPE=Release",
               "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON", *shlex.split(env.get("CMAKE_ARGS", ""))]
        print(f"tt-build: configuring {project.name} in {bdir}", file=out, flush=True)
        _configure(cmd, env, bdir)
        configured = True
    t_conf = time.perf_counter()

    log = bdir / ".ninja_log"
    log_offset = log.stat().st_size if log.is_file() else 0
    cmd = [find_tool("ninja"), "-C", str(bdir)]
    if jobs:
        cmd += ["-j", str(jobs)]
    if explain:
        cmd += ["-d", "explain"]
    reports: dict[str, InstanceReport] = {}
    diagnostics: list[str] = []
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    assert proc.stdout is not None
    for line in proc.stdout:
        line = line.rstrip("\n")
        if line.startswith("ninja explain: "):
            text = line[len("ninja explain: "):]
            # The innermost path component naming an instance (the package dir may itself be
            # called ".../kernels/").
            names = _EXPLAIN_INSTANCE.findall(text)
            if names:
                reports.setdefault(names[-1], InstanceReport(names[-1])).why.append(text)
            continue
        if _STATUS.match(line):
            m = _HOST_OBJ.search(line)
            if m:
                reports.setdefault(m.group(1), InstanceReport(m.group(1))).compile = "compiled"
                print(f"tt-build: {m.group(1):<24} compiled", file=out, flush=True)
            elif verbose:
                print(line, file=out, flush=True)
            continue
        if line.startswith("ninja: no work to do") or line.startswith("ninja: Entering directory"):
            continue
        if line.startswith("tt-build: "):
            print(line, file=out, flush=True)
        elif verbose or (line.strip() and not line.startswith("-- ")):  # "-- ": CMake re-run status
            diagnostics.append(line)  # printed once ninja is done (see below)
    rc = proc.wait()
    t_build = time.perf_counter()
    text = "\n".join(diagnostics)
    if "tt-build: kernel discovery failed" in text:
        # A kernel file changed and the re-run of CMake (from ninja) could not discover its
        # instances: the diagnostic, without CMake's and ninja's wrapping of it.
        raise TTBuildError(text.split("CMake Error", 1)[0].strip())
    if text:
        print(text, file=sys.stderr, flush=True)
    if rc != 0:
        msg = f"build of {project.name} failed (ninja exit code {rc}); see the messages above"
        raise TTBuildError(msg)

    # Lowering results of this run.
    pkg_dir = bdir / project.package
    events = bdir / "_tt_build" / LIBRARY_TARGET / "events.jsonl"
    if project.has_own_cmakelists:
        events_files = list((bdir / "_tt_build").glob("*/events.jsonl")) if (bdir / "_tt_build").is_dir() else []
    else:
        events_files = [events]
    for ef in events_files:
        try:
            lines = ef.read_text(encoding="utf-8").splitlines()
        except OSError:
            continue
        for raw in lines:
            try:
                rec = json.loads(raw)
            except ValueError:
                continue
            if rec.get("run") != run_id:
                continue
            r = reports.setdefault(rec["instance"], InstanceReport(rec["instance"]))
            r.lower = rec["action"]
            r.lower_seconds = float(rec["seconds"])
            if rec.get("why"):
                r.why.insert(0, f"lowering: {rec['why']}")
    for start, end, path in _ninja_log(log, log_offset):
        m = _HOST_OBJ.search(path)
        if m:
            r = reports.setdefault(m.group(1), InstanceReport(m.group(1)))
            r.compile = "compiled"
            r.compile_seconds = (end - start) / 1000.0
        m = re.search(r"warm/([A-Za-z_][A-Za-z0-9_]*)\.stamp$", path)
        if m:
            reports.setdefault(m.group(1), InstanceReport(m.group(1))).warm_seconds = (end - start) / 1000.0
    # Instances untouched by this run.
    kdir = pkg_dir / "kernels"
    if kdir.is_dir():
        for d in sorted(kdir.iterdir()):
            if (d / "manifest.json").is_file():
                reports.setdefault(d.name, InstanceReport(d.name))
    report = BuildReport(build_dir=bdir, package_dir=pkg_dir, configured=configured,
                         configure_seconds=t_conf - t0, build_seconds=t_build - t_conf,
                         total_seconds=time.perf_counter() - t0, instances=dict(sorted(reports.items())))
    return report


def print_summary(report: BuildReport, *, explain: bool = False, stream: TextIO | None = None) -> None:
    out = stream or sys.stdout
    w = max([len(n) for n in report.instances] + [8])
    print(f"\n{'instance':<{w}}  {'lowering':<10} {'time':>7}  {'compile':<10} {'time':>7}  {'kernels':>7}", file=out)
    print(f"{'-' * w}  {'-' * 10} {'-' * 7}  {'-' * 10} {'-' * 7}  {'-' * 7}", file=out)
    for r in report.instances.values():
        lt = f"{r.lower_seconds:6.2f}s" if r.lower != "up-to-date" else "      -"
        ct = f"{r.compile_seconds:6.2f}s" if r.compile != "up-to-date" else "      -"
        wt = f"{r.warm_seconds:6.2f}s" if r.warm_seconds else "      -"
        print(f"{r.name:<{w}}  {r.lower:<10} {lt:>7}  {r.compile:<10} {ct:>7}  {wt:>7}", file=out)
        if explain:
            if r.why:
                for why in r.why:
                    print(f"{'':<{w}}    why: {why}", file=out)
            else:
                print(f"{'':<{w}}    why: up to date (no input of this instance changed)", file=out)
    conf = " (configured)" if report.configured else ""
    print(f"{len(report.instances)} instance(s): {report.lowered} lowered, {report.cached} from cache, "
          f"{report.compiled} compiled; {report.total_seconds:.2f} s{conf}", file=out)
    if any(report.package_dir.glob("*.so")):
        print(f"package: {report.package_dir}  (PYTHONPATH={report.build_dir} python -c 'import "
              f"{report.package_dir.name}')", file=out)
    else:
        print(f"no runnable package in {report.package_dir}: the kernels were checked and the host programs "
              "compiled against TT_METAL_HOME, which provides no TT-Metalium library to link", file=out)
