"""Rebuild times of example_project: cold, no-op (isolated pip, non-isolated pip, tt-build build),
a one-kernel edit, and the editable loop (`pip install --no-build-isolation -e`, edit one kernel,
next import + call), with the number of instances re-lowered and recompiled.

    python bench/rebuild.py [--repeat N] [--markdown]

Works on a copy of example_project in a temporary directory with its own lowering cache and a
throwaway virtual environment (tt-build is installed there from a wheel built from this checkout;
isolated builds get it through --find-links). "Cold" means: no build directory, an empty lowering
cache, a new isolated build environment, no compiled kernels anywhere. Times are wall-clock
medians of --repeat runs (the cold build runs once).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "example_project"
INSTANCES = 5  # example_project: gemm_256/512/1024, eltwise_add/mul_256


@dataclass
class Row:
    scenario: str
    seconds: float
    lowered: str
    compiled: str
    note: str = ""


def _run(cmd: list[str], env: dict[str, str], cwd: Path | None = None) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    log = proc.stdout + proc.stderr
    if proc.returncode != 0:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{log[-4000:]}")
    return seconds, log


def _counts(log: str) -> tuple[int, int]:
    """(instances lowered, host programs compiled) from a build log (pip -v or tt-build build)."""
    lowered = len(re.findall(r"tt-build: \S+\s+lowered\s", log))
    compiled = len(set(re.findall(r"kernels/([A-Za-z_]\w*)/host\.cpp\.o", log))
                   | set(re.findall(r"tt-build: (\S+)\s+compiled\s", log)))
    return lowered, compiled


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5, help="runs per no-op scenario (median)")
    ap.add_argument("--markdown", action="store_true", help="print a markdown table")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="tt-rebuild-bench-"))
    try:
        rows = _bench(tmp, args.repeat)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _print(rows, markdown=args.markdown)
    return 0


def _bench(tmp: Path, repeat: int) -> list[Row]:
    proj = tmp / "example_project"
    shutil.copytree(EXAMPLE, proj, ignore=shutil.ignore_patterns("build", ".tt-build", "__pycache__"))
    wheels = tmp / "wheels"
    venv = tmp / "venv"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TT_BUILD_", "TT_MOCK_"))}
    env["TT_BUILD_CACHE_DIR"] = str(tmp / "cache")
    env["PIP_FIND_LINKS"] = " ".join([str(wheels), *os.environ.get("PIP_FIND_LINKS", "").split()])
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"

    print("setting up: tt-build wheel, virtual environment ...", file=sys.stderr)
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(REPO)], env)
    _run([sys.executable, "-m", "venv", str(venv)], env)
    pip = [str(venv / "bin" / "python"), "-m", "pip"]
    _run([*pip, "install", "-q", "--upgrade", "pip"], env)  # a current pip, as README command 1 uses
    # The kernel package's run-time deps and tt-build itself (for the non-isolated scenarios).
    _run([*pip, "install", "-q", "numpy", "ml_dtypes", "tt-build"], env)
    tt_build = [str(venv / "bin" / "tt-build")]

    rows: list[Row] = []
    iso = [*pip, "install", "-v", "--no-deps", str(proj)]
    print("cold isolated build ...", file=sys.stderr)
    cold, log = _run(iso, env)
    lo, co = _counts(log)
    rows.append(Row("cold `pip install .` (isolated)", cold, f"{lo}/{INSTANCES}", f"{co}/{INSTANCES}"))

    def noop(name: str, cmd: list[str]) -> None:
        print(f"{name} ...", file=sys.stderr)
        quiet = [c for c in cmd if c != "-v"]  # timed as users run it; -v output costs time too
        _run(quiet, env)  # warm-up: the first run after switching front end reconfigures
        times = [_run(quiet, env)[0] for _ in range(repeat)]
        lo, co = _counts(_run(cmd, env)[1])  # one more, verbose, run for the counts
        med = statistics.median(times)
        rows.append(Row(name, med, f"{lo}/{INSTANCES}", f"{co}/{INSTANCES}", f"{100 * med / cold:.0f} % of cold"))

    noop("no-op `pip install .` (isolated)", iso)
    noop("no-op `pip install --no-build-isolation .`", [*pip, "install", "-v", "--no-deps", "--no-build-isolation",
                                                        str(proj)])
    noop("no-op `tt-build build`", [*tt_build, "build", str(proj)])

    # Edit one kernel file so its emitted code changes (eltwise.py: 2 of the 5 instances).
    kernel = proj / "kernels" / "eltwise.py"
    original = kernel.read_text()
    edited = original.replace("block_N=32", "block_N=64", 1)
    assert edited != original, "eltwise.py no longer has block_N=32"
    for name, cmd in (("edit eltwise.py, `tt-build build`", [*tt_build, "build", str(proj)]),
                      ("edit eltwise.py, `pip install .` (isolated)", iso)):
        kernel.write_text(edited)
        s, log = _run(cmd, env)
        lo, co = _counts(log)
        rows.append(Row(name, s, f"{lo}/{INSTANCES}", f"{co}/{INSTANCES}", "eltwise_add_256, eltwise_mul_256"))
        kernel.write_text(original)
        _run(cmd, env)  # back to the original state for the next scenario
    edit_build = rows[-2].seconds

    # The editable loop: install once, then edit -> next import (a fresh process) -> call.
    print("editable install ...", file=sys.stderr)
    _run([*pip, "install", "-q", "--no-deps", "--no-build-isolation", "-e", str(proj)], env)
    call = [str(venv / "bin" / "python"), "-c",
            "import numpy as np, tt_example_kernels as k; x = np.ones((256, 256), np.float32); k.eltwise_add_256(x, x)"]
    _run(call, env)  # the first import after install (copies the build tree's library once)
    times = [_run(call, env)[0] for _ in range(repeat)]
    rows.append(Row("editable: import + call, nothing changed", statistics.median(times), f"0/{INSTANCES}",
                    f"0/{INSTANCES}", "the import hook's no-op build"))
    kernel.write_text(edited)
    s, log = _run(call, env)
    line = next((ln for ln in log.splitlines() if ln.startswith("tt-build: rebuilt")), "")
    rebuilt = re.findall(r"(\w+) (?:re-lowered|lowered from the cache)", line)
    recompiled = re.findall(r"(\w+) [^,]*(?:host program|device kernels) recompiled", line)
    rebuild_s = float(re.search(r"; (\d+\.\d) s$", line).group(1)) if line else float("nan")
    rows.append(Row("edit eltwise.py, editable: next import + call", s, f"{len(rebuilt)}/{INSTANCES}",
                    f"{len(recompiled)}/{INSTANCES}",
                    f"{', '.join(rebuilt)}; rebuild {rebuild_s:.1f} s = {rebuild_s / edit_build:.2f} x the "
                    "`tt-build build` edit"))
    kernel.write_text(original)
    _run(call, env)
    return rows


def _print(rows: list[Row], *, markdown: bool) -> None:
    head = ("scenario", "seconds", "re-lowered", "recompiled", "note")
    body = [(r.scenario, f"{r.seconds:.2f}", r.lowered, r.compiled, r.note) for r in rows]
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    if markdown:
        print(f"Rebuild times of example_project ({machine}):\n")
        print("| " + " | ".join(head) + " |")
        print("|" + "|".join("---" for _ in head) + "|")
        for b in body:
            print("| " + " | ".join(b) + " |")
        return
    widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(head)]
    print(f"rebuild times of example_project ({machine})")
    print("  ".join(h.ljust(w) for h, w in zip(head, widths)))
    print("  ".join("-" * w for w in widths))
    for b in body:
        print("  ".join(c.ljust(w) for c, w in zip(b, widths)))


if __name__ == "__main__":
    sys.exit(main())
