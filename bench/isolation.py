#!/usr/bin/env python3
"""Per-call cost of crash isolation: a kernel call through the device process vs in the calling process.

The runtime loader (``tt_build/runtime/loader.py``) runs a package's host library in a child
process by default (``TT_KERNEL_ISOLATION=process``) and in the calling process with
``TT_KERNEL_ISOLATION=off``. This script builds one host library (``bench/isolation_host.cpp`` with
``tests/mock_programs/lib_host.cpp``) in the layout of a built kernel package and times
``kernel(*inputs)`` from Python in both modes, alternating the two call by call:

* ``copy`` instances copy their input to their output and do no device work, so their time is the
  cost of a call alone: argument checks, float32 -> bfloat16 conversion, and for the device
  process the copies through shared memory and one request/reply on a pipe;
* ``add`` instances run an eltwise add on the mock device (hand-written kernels of
  ``tests/mock_programs/kernels``), for the overhead relative to a real workload.

Also timed: starting a device process (the first call of a package, and the first call after a
crash), as the time of a ``copy_32`` call right after ``KernelPackage.close()``. Wall times on a
busy machine mostly measure waiting for a core; the CPU columns (the work a call costs, whoever
waits) are steadier.

Usage: python bench/isolation.py [--runs N] [--markdown]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import ml_dtypes
import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tt_build import mock_sdk  # noqa: E402
from tt_build.runtime.loader import KernelPackage  # noqa: E402

PROGRAMS = REPO / "tests" / "mock_programs"
# instance -> (inputs, shape)
INSTANCES = {"copy_32": (1, (32, 32)), "copy_2048": (1, (2048, 2048)),
             "add_64": (2, (64, 64)), "add_1024": (2, (1024, 1024))}


def make_package(root: Path) -> Path:
    pkg = root / "pkg"
    mock_sdk.compile_host_program([REPO / "bench" / "isolation_host.cpp", PROGRAMS / "lib_host.cpp"],
                                  pkg / "_tt_kernels.so", build_dir=root / "build", extra_flags=["-fPIC", "-shared"],
                                  opt="-O2")
    for name, (n_in, shape) in INSTANCES.items():
        kdir = pkg / "kernels" / name
        kdir.mkdir(parents=True)
        for f in ("reader_binary.cpp", "writer_unary.cpp", "compute_binary.cpp"):
            shutil.copy(PROGRAMS / "kernels" / f, kdir / f)
        params = [{"name": f"in{i}", "role": "input", "shape": list(shape)} for i in range(n_in)]
        params.append({"name": "out", "role": "output", "shape": list(shape)})
        (kdir / "manifest.json").write_text(json.dumps({"symbol": f"tt_{name}_run", "params": params}))
    return pkg


def cpu_seconds(pid: int | None) -> float:
    """CPU time of the device process's main thread (ns resolution; 0 where there is no schedstat)."""
    if pid is None:
        return 0.0
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return 0.0


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=50, help="timed calls per instance and mode (large: a fifth)")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="tt-build-isolation-bench-") as tmp:
        root = Path(tmp)
        os.environ["TT_MOCK_KERNEL_CACHE"] = str(root / "kernel-cache")
        os.environ.pop("TT_MOCK_KERNEL_PATH", None)
        pkg_dir = make_package(root)
        names = tuple(INSTANCES)
        modes = {"off": KernelPackage(pkg_dir, names, isolation="off"),
                 "process": KernelPackage(pkg_dir, names, isolation="process")}
        rng = np.random.default_rng(7)
        rows = []
        for name, (n_in, shape) in INSTANCES.items():
            for dtype in (np.float32, ml_dtypes.bfloat16):
                inputs = [rng.standard_normal(shape).astype(np.float32).astype(dtype) for _ in range(n_in)]
                runs = args.runs if np.prod(shape) <= 64 * 64 else max(5, args.runs // 5)
                times: dict[str, list[float]] = {m: [] for m in modes}
                cpu: dict[str, float] = {m: 0.0 for m in modes}
                results = {}
                for mode, pkg in modes.items():  # first calls: start the process, compile the kernels
                    results[mode] = pkg.kernels[name](*inputs)
                np.testing.assert_array_equal(np.asarray(results["off"], np.float32),
                                              np.asarray(results["process"], np.float32))
                for _ in range(runs):
                    for mode, pkg in modes.items():
                        c0 = time.process_time() + cpu_seconds(pkg.device_pid)
                        t0 = time.perf_counter()
                        pkg.kernels[name](*inputs)
                        times[mode].append(time.perf_counter() - t0)
                        cpu[mode] += time.process_time() + cpu_seconds(pkg.device_pid) - c0
                med = {m: statistics.median(t) for m, t in times.items()}
                mb = np.prod(shape) * 2 * (n_in + 1) / 2**20
                moved = f"{mb:.3f}" if mb < 1 else f"{mb:.0f}"
                rows.append((name, "x".join(map(str, shape)), np.dtype(dtype).name, moved,
                             runs, med["off"], min(times["off"]), med["process"], min(times["process"]),
                             cpu["off"] / runs, cpu["process"] / runs))
        starts = []
        proc = modes["process"]
        x = np.zeros((32, 32), np.float32)
        for _ in range(5):
            proc.close()
            t0 = time.perf_counter()
            proc.kernels["copy_32"](x)
            starts.append(time.perf_counter() - t0)
        for pkg in modes.values():
            pkg.close()

    load = os.getloadavg()[0]
    head = (f"crash isolation per-call cost - {time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} "
            f"CPUs, Python {platform.python_version()}; wall: median (min) of the timed calls after one untimed "
            f"call, modes alternating call by call; CPU: mean per call, of the calling process (all threads) and "
            f"of the device process's main thread (/proc/<pid>/schedstat); load average after the run {load:.2f}")
    lines = [head, "",
             "| instance | tensor | input dtype | MiB moved | calls | in-process ms | device process ms | "
             "overhead ms | CPU ms in-process | CPU ms caller + device process | CPU overhead ms |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, shape, dtype, mb, runs, off_med, off_min, pr_med, pr_min, cpu_off, cpu_pr in rows:
        lines.append(f"| {name} | {shape} | {dtype} | {mb} | {runs} | {fmt_ms(off_med)} ({fmt_ms(off_min)}) | "
                     f"{fmt_ms(pr_med)} ({fmt_ms(pr_min)}) | {fmt_ms(pr_med - off_med)} | {fmt_ms(cpu_off)} | "
                     f"{fmt_ms(cpu_pr)} | {fmt_ms(cpu_pr - cpu_off)} |")
    lines += ["", f"starting a device process (first call of a package, or the first call after a crash; copy_32): "
              f"median {fmt_ms(statistics.median(starts))} ms, min {fmt_ms(min(starts))} ms over {len(starts)} starts"]
    print("\n".join(lines) if args.markdown else "\n".join(lines).replace("|", " "))
    return 0


if __name__ == "__main__":
    sys.exit(main())
