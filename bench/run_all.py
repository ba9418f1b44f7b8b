"""Run every benchmark and write bench/RESULTS.md (machine, date, versions, figures).

    python bench/run_all.py [--quick] [--output bench/RESULTS.md]

Runs ``compile_time.py``, ``rebuild.py``, ``mock_exec.py``, ``isolation.py``, ``gemm_perf.py`` and ``sharded.py`` with
``--markdown`` in turn (each in its own process, one after the other, so they do not compete for
the cores) and assembles their tables. ``--quick`` uses fewer repetitions (for a smoke run, not for
published figures). The load average before each benchmark is recorded next to its figures:
numbers taken on a busy machine are not comparable.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

BENCHES = (
    ("Compile time (front end + 14 passes + CodegenTT)", "compile_time.py", ["-n", "20"], ["-n", "5"]),
    ("Rebuild times (example_project)", "rebuild.py", ["--repeat", "5"], ["--repeat", "2"]),
    ("Mock-device execution", "mock_exec.py", ["--runs", "5"], ["--runs", "2"]),
    ("Crash isolation", "isolation.py", ["--runs", "50"], ["--runs", "10"]),
    ("GEMM performance: 2-D multicast (modeled device time, an estimate)", "gemm_perf.py", [],
     ["--sizes", "512,1024", "--arch", "wormhole_b0"]),
    ("Sharded layouts: element-wise add (modeled device time, an estimate)", "sharded.py", [], []),
)


def _version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=False).stdout
    except OSError:
        return "not found"
    return out.splitlines()[0].strip() if out.strip() else "not found"


def _machine() -> list[str]:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kib = int(next(ln for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal"))
                  .split()[1])
        mem = f", {kib / 2**20:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    sys.path.insert(0, str(REPO))
    from tt_build import __version__  # noqa: PLC0415

    return [
        f"- date: {dt.datetime.now(dt.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores ({cpu}){mem}, {platform.platform()}",
        f"- Python {platform.python_version()}; tt-build {__version__} "
        f"(git {_version(['git', '-C', str(REPO), 'rev-parse', '--short', 'HEAD'])})",
        f"- {_version(['c++', '--version'])}; {_version(['cmake', '--version'])}; ninja {_version(['ninja', '--version'])}",
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (smoke run)")
    ap.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    args = ap.parse_args()

    parts = ["# Benchmark results", "", "Produced by `python bench/run_all.py`; every figure below was measured by "
             "the scripts in bench/ in this run.", "", *_machine(), ""]
    for title, script, full, quick in BENCHES:
        load = os.getloadavg()[0]
        print(f"running {script} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, str(HERE / script), "--markdown", *(quick if args.quick else full)],
                              capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - t0
        parts += [f"## {title}", "", f"`python bench/{script} {' '.join(quick if args.quick else full)}` "
                  f"({seconds:.0f} s; 1-minute load average before the run: {load:.2f})", ""]
        if proc.returncode != 0:
            parts += ["**failed**:", "", "```", (proc.stdout + proc.stderr)[-3000:].rstrip(), "```", ""]
            continue
        parts += [proc.stdout.rstrip(), ""]
    args.output.write_text("\n".join(parts) + "\n", encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
