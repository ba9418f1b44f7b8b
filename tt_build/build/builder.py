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
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from tt_build import _resources
from tt_build.build.cmakegen import LIBRARY_TARGET, broken_configure, generate_cmakelists, reset_configure
from tt_build.build.cmakegen import configured as mark_configured
from tt_build.build.progress import EVENT, Progress
from tt_build.errors import ToolError, TTBuildError
from tt_build.project import Project

__all__ = ["BuildReport", "InstanceReport", "NinjaResult", "build_project", "find_tool", "run_ninja"]

_HOST_OBJ = re.compile(r"kernels/([A-Za-z_][A-Za-z0-9_]*)/host\.cpp\.o\b")
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


def _run_checked(cmd: list[str], env: dict[str, str], cwd: Path | None = None, out: TextIO | None = None) -> str:
    """Run CMake; its ``tt-build: `` progress lines (stderr) go to ``out`` as they come."""
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None and proc.stdout is not None
    stdout_lines: list[str] = []
    reader = threading.Thread(target=lambda: stdout_lines.extend(proc.stdout), daemon=True)  # type: ignore[arg-type]
    reader.start()
    err_lines = []
    for line in proc.stderr:
        if out is not None and _PROGRESS_LINE.match(line):
            print(line.rstrip("\n"), file=out, flush=True)
        else:
            err_lines.append(line)
    returncode = proc.wait()
    reader.join()
    stdout, stderr = "".join(stdout_lines), "".join(err_lines)
    if returncode != 0:
        out_text = (stdout + stderr).strip()
        # CMake wraps our discovery error; show its message, not the CMake call stack.
        if "tt-build: kernel discovery failed" in stderr:
            # Discovery printed its diagnostic verbatim on stderr, before CMake's error block.
            raise TTBuildError(stderr.split("CMake Error", 1)[0].strip())
        errors = _cmake_errors(out_text)
        if errors:
            raise TTBuildError("\n".join(errors))
        raise ToolError(cmd, returncode, out_text)
    return stdout


def _configure(cmd: list[str], env: dict[str, str], bdir: Path, out: TextIO | None = None) -> None:
    """Run CMake's configure; a failed one leaves no configure state behind (the next build starts
    afresh instead of building on a half-written CMakeCache.txt)."""
    mark_configured(bdir, done=False)
    try:
        _run_checked(cmd, env, out=out)
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


# Progress lines of the configure step (discovery, the mock runtime build), passed through live.
_PROGRESS_LINE = re.compile(r"^tt-build: (building|built|using) ")
_NINJA_STATUS = re.compile(r"^\[(\d+)/(\d+)(?: [\d.]+s)?\] ")
_NS_PAIR = re.compile(r"\((\d{12,}) vs (\d{12,})\)")


def _readable_explain(text: str) -> str:
    """Ninja's ``-d explain`` text with its raw nanosecond mtimes as a time difference."""
    def repl(m: re.Match[str]) -> str:
        a, b = int(m.group(1)), int(m.group(2))
        return f"(modified {abs(b - a) / 1e9:.3f} s {'earlier' if a < b else 'later'})"

    return _NS_PAIR.sub(repl, text)


@dataclass
class NinjaResult:
    """What one Ninja run did: per-instance reports, its exit code and the messages to show."""

    reports: dict[str, InstanceReport]
    returncode: int
    diagnostics: list[str]
    raw: list[str]

    @property
    def steps(self) -> int:
        """How many build steps Ninja ran."""
        return sum(1 for line in self.raw if _NINJA_STATUS.match(line))

    @property
    def rebuilt(self) -> bool:
        return any(r.lower != "up-to-date" or r.compile != "up-to-date" or r.warm_seconds
                   for r in self.reports.values())

    def message(self) -> str:
        return "\n".join(self.diagnostics).strip()

    def raise_for_failure(self, project: str, *, verbose: bool = False) -> None:
        text = self.message()
        if "tt-build: kernel discovery failed" in text:
            # A kernel file changed and the re-run of CMake (from ninja) could not discover its
            # instances: the diagnostic, without CMake's and ninja's wrapping of it.
            raise TTBuildError(text.split("CMake Error", 1)[0].strip())
        if text:
            print(text, file=sys.stderr, flush=True)
        if self.returncode != 0:
            more = "" if verbose else " (-v shows the tools' raw output)"
            msg = f"build of {project} failed; see the messages above{more}"
            raise TTBuildError(msg)


def run_ninja(bdir: Path, env: dict[str, str], *, jobs: int | None = None, explain: bool = False,
              verbose: bool = False, progress: Progress | None = None) -> NinjaResult:
    """Run Ninja in the configured build directory ``bdir``; report per instance through ``progress``.

    Without ``verbose``, what a failing step printed is kept and Ninja's own wrapping of it (the
    ``FAILED:`` line, the step's command line, ``ninja: build stopped``) is dropped: a lowering
    error reads as its located diagnostic alone.
    """
    run_id = env.setdefault("TT_BUILD_RUN_ID", uuid.uuid4().hex)
    env["NINJA_STATUS"] = "[%f/%t] "  # parsed below
    cmd = [_ninja_of(bdir), "-C", str(bdir)]
    if jobs:
        cmd += ["-j", str(jobs)]
    if explain:
        cmd += ["-d", "explain"]
    reports: dict[str, InstanceReport] = {}
    diagnostics: list[str] = []
    raw: list[str] = []
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    assert proc.stdout is not None
    skip_command = False
    for line in proc.stdout:
        line = line.rstrip("\n")
        raw.append(line)
        if skip_command:  # the line after FAILED: is the failed step's command
            skip_command = False
            if not verbose:
                continue
        if line.startswith("ninja explain: "):
            text = _readable_explain(line[len("ninja explain: "):])
            # The innermost path component naming an instance (the package dir may itself be
            # called ".../kernels/").
            names = _EXPLAIN_INSTANCE.findall(text)
            if names:
                reports.setdefault(names[-1], InstanceReport(names[-1])).why.append(text)
            continue
        status = _NINJA_STATUS.match(line)
        if status:
            if progress is not None:
                progress.step(int(status.group(1)), int(status.group(2)))
            m = _HOST_OBJ.search(line)
            if m:
                reports.setdefault(m.group(1), InstanceReport(m.group(1))).compile = "compiled"
            elif verbose and progress is not None:
                progress.line(line)
            continue
        event = EVENT.match(line)
        if event:
            name, kind, seconds = event.group("instance"), event.group("kind"), float(event.group("seconds"))
            r = reports.setdefault(name, InstanceReport(name))
            if kind in ("lowered", "cached"):
                r.lower, r.lower_seconds = kind, seconds
            elif kind == "compiled":
                r.compile, r.compile_seconds = "compiled", seconds
            else:
                r.warm_seconds = seconds
            if progress is not None:
                progress.event(name, kind, seconds, event.group("detail"))
            continue
        if line.startswith(("ninja: no work to do", "ninja: Entering directory")):
            continue
        if line.startswith("FAILED: ") or line.startswith("ninja: build stopped"):
            skip_command = line.startswith("FAILED: ")
            if verbose:
                diagnostics.append(line)
            continue
        if line.startswith("tt-build: ") and not line.endswith(": lowering failed"):
            if progress is not None:
                progress.line(line)
        elif verbose or (line.strip() and not line.startswith("-- ")):  # "-- ": CMake re-run status
            diagnostics.append(line)  # printed once ninja is done
    rc = proc.wait()
    # The lowering steps' records of this run (why each was lowered, for --explain).
    work = bdir / "_tt_build"
    for ef in sorted(work.glob("*/events.jsonl")) if work.is_dir() else []:
        try:
            lines = ef.read_text(encoding="utf-8").splitlines()
        except OSError:
            continue
        for rec_text in lines:
            try:
                rec = json.loads(rec_text)
            except ValueError:
                continue
            if rec.get("run") != run_id or not rec.get("why"):
                continue
            r = reports.setdefault(rec["instance"], InstanceReport(rec["instance"]))
            r.why.insert(0, f"lowering: {rec['why']}")
    return NinjaResult(reports=reports, returncode=rc, diagnostics=diagnostics, raw=raw)


def _ninja_of(bdir: Path) -> str:
    """The Ninja the build directory was configured with (CMAKE_MAKE_PROGRAM), else :func:`find_tool`'s."""
    try:
        for line in (bdir / "CMakeCache.txt").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("CMAKE_MAKE_PROGRAM:"):
                path = line.split("=", 1)[1].strip()
                if Path(path).is_file():
                    return path
                break
    except OSError:
        pass
    return find_tool("ninja")


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
        _configure(cmd, env, bdir, out=out)
        configured = True
    t_conf = time.perf_counter()

    progress = Progress(out)
    try:
        result = run_ninja(bdir, env, jobs=jobs, explain=explain, verbose=verbose, progress=progress)
    finally:
        progress.close()
    t_build = time.perf_counter()
    result.raise_for_failure(project.name, verbose=verbose)
    reports = result.reports
    pkg_dir = bdir / project.package
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
