#!/usr/bin/env python3
"""Mock-device execution benchmark: run times and NOC traffic of kernels on the mock SDK.

Workloads (bf16 in, bf16 out, 32x32 tiles, on the whole core grid of the simulated device: Wormhole
8x8 by default, Blackhole 13x10 with ``--arch blackhole``):

* tt-build-generated kernels: every instance of ``gemm.py`` (GEMM 256/512/1024) and ``eltwise.py``
  (eltwise add/mul 256) in the reference kernel directory, emitted with ``tt_build.driver.emit``; the
  host program is compiled as a shared library against the mock runtime and called through ctypes.
  The timed call covers everything the generated host does: open the device, create buffers and
  CBs, tilize and upload, find the compiled kernels in the cache, run, read back and untilize.
* the hand-written mock matmul (``tests/mock_programs``) at 1024^3 on all cores, and ttnn's own
  ``bmm.cpp`` from the ttnn 0.81.1 wheel at 1024^3 on all cores (``tests/mock_programs/ttnn_host.cpp``);
  both timed as whole processes (start, file I/O, tilize, run, write back).
* tt-lang-sim (``pip install tt-lang-sim``), if a ``tt-lang-sim`` launcher is found: the same problem
  sizes and blocking as a TT-Lang kernel on its 8x8 grid, timing only the operation call (Wormhole only).

The first call of each workload compiles its kernels (reported as "first run"); the timed runs that
follow use the kernel cache. Times are medians of ``--runs`` runs.

The traffic table compares the mock's counters (``TT_MOCK_STATS``, totals over cores) with the real
minimum of the problem: a GEMM reads bytes(A) + bytes(B) from DRAM (each operand once, shared on chip
between the cores that need it) and writes bytes(C); an eltwise op reads its two inputs and writes its
output once. A kernel without on-chip reuse reads each operand once per core that needs it.

Usage: python bench/mock_exec.py [--runs N] [--markdown] [--tt-lang-sim PATH|auto|off]
                                 [--install-tt-lang-sim] [--sim-runs N] [--kernels DIR]
                                 [--arch wormhole_b0|blackhole]
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ml_dtypes
import numpy as np

from tt_build import mock_sdk
from tt_build.driver import emit, list_instances

REPO = Path(__file__).resolve().parent.parent
PROGRAMS = REPO / "tests" / "mock_programs"
DEFAULT_KERNELS = REPO / "example_project" / "kernels"
TILE_BYTES = 2048
GRIDS = {"wormhole_b0": (8, 8), "blackhole": (13, 10)}
SIM_VENV = Path.home() / ".cache" / "tt-build" / "tt-lang-sim-venv"
BF16 = ml_dtypes.bfloat16


@dataclass
class Result:
    """One workload: its timings, correctness and per-core NOC/tile counters vs the analytic minimum."""

    name: str
    kind: str
    problem: tuple[int, ...]  # (M, K, N) for GEMM, (M, N) for eltwise
    block: tuple[int, int]  # output block in tiles (bm, bn)
    cores: int = 0
    first_s: float = float("nan")
    times: list[float] = field(default_factory=list)
    pcc: float = float("nan")
    noc_read: int = 0  # max over cores, bytes
    noc_read_min: int = 0
    noc_write: int = 0
    noc_write_min: int = 0
    tile_ops: int = 0  # max over cores of the main op (matmul / add / mul)
    tile_ops_min: int = 0
    at_minimum: bool = False  # every core's reads/writes/ops equal its own analytic minimum
    dram_read: int = 0  # totals over cores (TT_MOCK_STATS), bytes
    dram_write: int = 0
    mcast: int = 0
    tiles_total: int = 0
    op: str = "matmul"  # the counted tile op: matmul, add or mul
    sim_first_s: float = float("nan")
    sim_s: float = float("nan")
    sim_note: str = ""

    @property
    def blocking(self) -> str:
        bm, bn = self.block
        return f"{bm}x{bn} tiles/block" + (f", Kt={self.problem[1] // 32}" if len(self.problem) == 3 else "")

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")


def pcc(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.astype(np.float64).ravel(), b.astype(np.float64).ravel())[0, 1])


def run_cmd(cmd: list[str], **kw: Any) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, **kw)
    if proc.returncode != 0:
        msg = f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout}{proc.stderr}"
        raise RuntimeError(msg)
    return proc


# ---- analytic minimum --------------------------------------------------------------------------------


def expected_counters(kind: str, blocks_per_core: dict[tuple[int, int], int], bm: int, bn: int, kt: int
                      ) -> dict[tuple[int, int], tuple[int, int, int]]:
    """Per core: (NOC bytes read, NOC bytes written, main tile ops) that the blocking requires."""
    out = {}
    for core, n in blocks_per_core.items():
        if kind == "gemm":
            out[core] = (n * (bm + bn) * kt * TILE_BYTES, n * bm * bn * TILE_BYTES, n * bm * bn * kt)
        else:
            out[core] = (2 * n * bm * bn * TILE_BYTES, n * bm * bn * TILE_BYTES, n * bm * bn)
    return out


def apply_stats(res: Result, stats_file: Path, op: str,
                expected: dict[tuple[int, int], tuple[int, int, int]]) -> None:
    (workload,) = json.loads(stats_file.read_text())["workloads"]
    measured = {tuple(c["core"]): (c["noc_read_bytes"], c["noc_write_bytes"], c["tiles"][op])
                for c in workload["cores"]}
    busy = {core: m for core, m in measured.items() if any(m)}
    res.cores = len(busy)
    res.noc_read, res.noc_write, res.tile_ops = (max(m[i] for m in busy.values()) for i in range(3))
    res.noc_read_min, res.noc_write_min, res.tile_ops_min = (max(e[i] for e in expected.values()) for i in range(3))
    res.at_minimum = busy == {c: e for c, e in expected.items() if any(e)}
    totals = workload["totals"]
    res.dram_read = totals.get("dram_read_bytes", totals["noc_read_bytes"])
    res.dram_write = totals.get("dram_write_bytes", totals["noc_write_bytes"])
    res.mcast = totals.get("mcast_write_bytes", 0)
    res.tiles_total = totals["tiles"][op]


def real_minimum(res: Result) -> tuple[int, int, int]:
    """(DRAM bytes read, written, main tile ops) of the problem itself: every input element read from DRAM
    once (on-chip reuse across cores included), every output element written once."""
    if len(res.problem) == 3:
        m, k, n = res.problem
        return (m * k + k * n) * 2, m * n * 2, (m // 32) * (n // 32) * (k // 32)
    m, n = res.problem
    return 2 * m * n * 2, m * n * 2, (m // 32) * (n // 32)


# ---- tt-build-generated instances ---------------------------------------------------------------------


def compile_host_library(directory: Path, build_dir: Path, arch: str) -> Path:
    lib = mock_sdk.build_runtime(build_dir, arch=arch)  # a runtime that simulates `arch`
    out = directory / "host.so"
    run_cmd([*mock_sdk.cxx(), *mock_sdk.compile_flags(), "-O2", "-fPIC", "-shared", str(directory / "host.cpp"),
             "-o", str(out), str(lib), *mock_sdk.LINK_LIBS])
    return out


def bench_instance(inst: Any, work: Path, runs: int, arch: str) -> Result:
    directory = work / inst.name
    emitted = emit(inst.source, inst.factory, inst.args, inst.name, directory, options={"arch": arch})
    manifest = emitted.manifest
    fn = getattr(ctypes.CDLL(str(compile_host_library(directory, work / "build", arch))), manifest["entry"])
    fn.restype = ctypes.c_int
    args = inst.args
    is_gemm = "K" in args
    rng = np.random.default_rng(7)
    inputs = [np.ascontiguousarray(rng.standard_normal(p["shape"]).astype(BF16))
              for p in manifest["params"] if p["role"] == "input"]
    outputs = [np.zeros(p["shape"], dtype=BF16) for p in manifest["params"] if p["role"] == "output"]
    ptr = ctypes.c_void_p
    in_ptrs = (ptr * len(inputs))(*[x.ctypes.data for x in inputs])
    out_ptrs = (ptr * len(outputs))(*[x.ctypes.data for x in outputs])
    err = ctypes.create_string_buffer(8192)

    def call() -> float:
        t0 = time.perf_counter()
        rc = fn(in_ptrs, out_ptrs, str(directory).encode(), err, ctypes.c_size_t(len(err)))
        elapsed = time.perf_counter() - t0
        if rc != 0:
            raise RuntimeError(f"{inst.name}: {err.value.decode()}")
        return elapsed

    bm, bn = args.get("block_M", 32) // 32, args.get("block_N", 32) // 32
    kt = args["K"] // 32 if is_gemm else 0
    problem = (args["M"], args["K"], args["N"]) if is_gemm else (args["M"], args["N"])
    res = Result(inst.name, "tt-build generated", problem, (bm, bn), op="matmul" if is_gemm else args["op"])
    res.first_s = call()
    a, b = (x.astype(np.float32) for x in inputs)
    ref = a @ b if is_gemm else (a + b if args.get("op") == "add" else a * b)
    res.pcc = pcc(outputs[0].astype(np.float32), ref)
    res.times = [call() for _ in range(runs)]

    stats = work / f"{inst.name}.stats.json"
    os.environ["TT_MOCK_STATS"] = str(stats)
    try:
        call()
    finally:
        del os.environ["TT_MOCK_STATS"]
    blocks = {tuple(w["core"]): w["count"] for w in manifest["work_partition"]}
    apply_stats(res, stats, res.op, expected_counters("gemm" if is_gemm else "eltwise", blocks, bm, bn, kt))
    return res


# ---- whole host programs (hand-written mock matmul, ttnn's bmm.cpp) ------------------------------------


def split_work_col_major(units: int, grid: tuple[int, int]) -> dict[tuple[int, int], int]:
    """split_work_to_cores(grid, units) (column-major core order), as a core -> units map."""
    ncores = min(units, grid[0] * grid[1])
    base, extra = divmod(units, ncores)
    return {(i // grid[1], i % grid[1]): base + (1 if i < extra else 0) for i in range(ncores)}


def bench_program(name: str, kind: str, cmd: list[str], env: dict[str, str], work: Path, m: int, k: int, n: int,
                  runs: int, grid: tuple[int, int]) -> Result:
    res = Result(name, kind, (m, k, n), (1, 1))

    def call(extra: dict[str, str] | None = None) -> float:
        t0 = time.perf_counter()
        run_cmd(cmd, env={**env, **(extra or {})})
        return time.perf_counter() - t0

    res.first_s = call()
    a = np.fromfile(work / f"{name}.a.bin", dtype=BF16).reshape(m, k).astype(np.float32)
    b = np.fromfile(work / f"{name}.b.bin", dtype=BF16).reshape(k, n).astype(np.float32)
    out = np.fromfile(work / f"{name}.out.bin", dtype=BF16).reshape(m, n).astype(np.float32)
    res.pcc = pcc(out, a @ b)
    res.times = [call() for _ in range(runs)]
    stats = work / f"{name}.stats.json"
    call({"TT_MOCK_STATS": str(stats)})
    tiles = split_work_col_major((m // 32) * (n // 32), grid)
    apply_stats(res, stats, "matmul", expected_counters("gemm", tiles, 1, 1, k // 32))
    return res


def program_env(cache: Path, arch: str) -> dict[str, str]:
    env = dict(os.environ)
    for key in ("TT_MOCK_STATS", "TT_MOCK_KERNEL_PATH", "TT_METAL_KERNEL_PATH"):
        env.pop(key, None)
    env.update(mock_sdk.runtime_env(cache, arch=arch))
    return env


def write_inputs(work: Path, name: str, m: int, k: int, n: int) -> tuple[Path, Path, Path]:
    rng = np.random.default_rng(11)
    paths = (work / f"{name}.a.bin", work / f"{name}.b.bin", work / f"{name}.out.bin")
    rng.standard_normal((m, k)).astype(BF16).tofile(paths[0])
    rng.standard_normal((k, n)).astype(BF16).tofile(paths[1])
    return paths


def bench_handwritten(work: Path, runs: int, arch: str, size: int = 1024) -> Result:
    exe = mock_sdk.compile_host_program([PROGRAMS / "mock_host.cpp"], work / "mock_host", build_dir=work / "build",
                                        opt="-O2")
    name = f"handwritten_matmul_{size}"
    a, b, out = write_inputs(work, name, size, size, size)
    grid = GRIDS[arch]
    cmd = [str(exe), "matmul", str(PROGRAMS / "kernels"), str(size), str(size), str(size), str(grid[0] * grid[1]),
           str(a), str(b), str(out)]
    return bench_program(name, "hand-written (tests/mock_programs)", cmd, program_env(work / "kernel-cache", arch),
                         work, size, size, size, runs, grid)


def bench_ttnn_bmm(work: Path, runs: int, arch: str, size: int = 1024) -> Result | str:
    try:
        from tt_build.ttnn_wheel import ensure_ttnn  # noqa: PLC0415

        ttnn_root = ensure_ttnn()
    except Exception as exc:  # noqa: BLE001 - report and go on without this row
        return f"ttnn bmm.cpp row skipped: the ttnn 0.81.1 wheel is not available ({exc})"
    exe = mock_sdk.compile_host_program([PROGRAMS / "ttnn_host.cpp"], work / "ttnn_host", build_dir=work / "build",
                                        opt="-O2")
    name = f"ttnn_bmm_{size}"
    a, b, out = write_inputs(work, name, size, size, size)
    grid = GRIDS[arch]
    cmd = [str(exe), "matmul", str(grid[0]), str(grid[1]), "1", str(size), str(size), str(size), "1", str(size),
           str(a), str(b), str(out)]
    env = program_env(work / "kernel-cache", arch)
    env["TT_METAL_HOME"] = str(ttnn_root)
    return bench_program(name, "ttnn 0.81.1 bmm.cpp (wheel)", cmd, env, work, size, size, size, runs, grid)


# ---- tt-lang-sim -----------------------------------------------------------------------------------

# A TT-Lang program (run by the tt-lang-sim launcher, which provides its own ttl and ttnn modules):
# the same problem and blocking as the mock workload, on an 8x8 grid, output blocks split into
# contiguous ranges per node. Prints one JSON line: the operation-call times and the PCC vs torch.
TT_LANG_PROGRAM = '''
import json, statistics, sys, time
import torch
import ttnn
import ttl

torch.set_num_threads(1)

KIND = sys.argv[1]
M, K, N, BM, BN, BK, RUNS = (int(v) for v in sys.argv[2:9])
T = 32


@ttl.operation(grid=(8, 8))
def gemm(a: ttnn.Tensor, b: ttnn.Tensor, y: ttnn.Tensor) -> None:
    mb, nb, kb = M // T // BM, N // T // BN, K // T // BK
    gn, gm = ttl.grid_size(dims=2)
    per_node = -(-(mb * nb) // (gn * gm))
    a_dfb = ttl.make_dataflow_buffer_like(a, shape=(BM, BK), block_count=2)
    b_dfb = ttl.make_dataflow_buffer_like(b, shape=(BK, BN), block_count=2)
    acc_dfb = ttl.make_dataflow_buffer_like(y, shape=(BM, BN), block_count=2)
    y_dfb = ttl.make_dataflow_buffer_like(y, shape=(BM, BN), block_count=2)

    def my_blocks():
        n_, m_ = ttl.node(dims=2)
        first = (m_ * gn + n_) * per_node
        for blk in range(first, min(first + per_node, mb * nb)):
            yield blk // nb, blk % nb

    @ttl.datamovement()
    def read():
        for i, j in my_blocks():
            for k in range(kb):
                with a_dfb.reserve() as ab, b_dfb.reserve() as bb:
                    ta = ttl.copy(a[i * BM:(i + 1) * BM, k * BK:(k + 1) * BK], ab)
                    tb = ttl.copy(b[k * BK:(k + 1) * BK, j * BN:(j + 1) * BN], bb)
                    ta.wait()
                    tb.wait()

    @ttl.compute()
    def compute():
        for _ in my_blocks():
            with acc_dfb.reserve() as acc:
                acc.store(ttl.block.fill(0, shape=acc.shape))
            for _k in range(kb):
                with a_dfb.wait() as ab, b_dfb.wait() as bb, acc_dfb.wait() as pre:
                    with acc_dfb.reserve() as acc:
                        acc.store(pre + ab @ bb)
            with acc_dfb.wait() as acc, y_dfb.reserve() as yb:
                yb.store(acc)

    @ttl.datamovement()
    def write():
        for i, j in my_blocks():
            with y_dfb.wait() as yb:
                ttl.copy(yb, y[i * BM:(i + 1) * BM, j * BN:(j + 1) * BN]).wait()


@ttl.operation(grid=(8, 8))
def eltwise(a: ttnn.Tensor, b: ttnn.Tensor, y: ttnn.Tensor) -> None:
    mb, nb = M // T // BM, N // T // BN
    gn, gm = ttl.grid_size(dims=2)
    per_node = -(-(mb * nb) // (gn * gm))
    a_dfb = ttl.make_dataflow_buffer_like(a, shape=(BM, BN), block_count=2)
    b_dfb = ttl.make_dataflow_buffer_like(b, shape=(BM, BN), block_count=2)
    y_dfb = ttl.make_dataflow_buffer_like(y, shape=(BM, BN), block_count=2)

    def my_blocks():
        n_, m_ = ttl.node(dims=2)
        first = (m_ * gn + n_) * per_node
        for blk in range(first, min(first + per_node, mb * nb)):
            yield blk // nb, blk % nb

    @ttl.datamovement()
    def read():
        for i, j in my_blocks():
            with a_dfb.reserve() as ab, b_dfb.reserve() as bb:
                ta = ttl.copy(a[i * BM:(i + 1) * BM, j * BN:(j + 1) * BN], ab)
                tb = ttl.copy(b[i * BM:(i + 1) * BM, j * BN:(j + 1) * BN], bb)
                ta.wait()
                tb.wait()

    @ttl.compute()
    def compute():
        for _ in my_blocks():
            with a_dfb.wait() as ab, b_dfb.wait() as bb, y_dfb.reserve() as yb:
                yb.store(ab + bb if KIND == "add" else ab * bb)

    @ttl.datamovement()
    def write():
        for i, j in my_blocks():
            with y_dfb.wait() as yb:
                ttl.copy(yb, y[i * BM:(i + 1) * BM, j * BN:(j + 1) * BN]).wait()


device = ttnn.open_device(device_id=0)


def on_device(t):
    return ttnn.from_torch(t, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device,
                           memory_config=ttnn.DRAM_MEMORY_CONFIG)


torch.manual_seed(0)
a = torch.randn((M, K), dtype=torch.bfloat16)
b = torch.randn((K, N) if KIND == "gemm" else (M, N), dtype=torch.bfloat16)
if KIND != "gemm":
    a = torch.randn((M, N), dtype=torch.bfloat16)
ref = a.float() @ b.float() if KIND == "gemm" else (a.float() + b.float() if KIND == "add" else a.float() * b.float())
da, db = on_device(a), on_device(b)
op = gemm if KIND == "gemm" else eltwise
times = []
for r in range(RUNS + 1):  # times[0]: the first call, which warms the simulator up
    y = on_device(torch.zeros(ref.shape, dtype=torch.bfloat16))
    t0 = time.perf_counter()
    op(da, db, y)
    times.append(time.perf_counter() - t0)
out = ttnn.to_torch(y).float()
pcc = torch.corrcoef(torch.stack([out.flatten(), ref.flatten()]))[0, 1].item()
print("TT_LANG_SIM_RESULT " + json.dumps({"first": times[0], "times": times[1:], "pcc": pcc}))
ttnn.close_device(device)
'''


def find_tt_lang_sim(choice: str) -> tuple[str | None, str]:
    """The tt-lang-sim launcher to use, or None and the reason."""
    if choice == "off":
        return None, "disabled (--tt-lang-sim off)"
    if choice != "auto":
        return (choice, "") if Path(choice).is_file() else (None, f"--tt-lang-sim {choice}: no such file")
    for cand in (os.environ.get("TT_LANG_SIM"), shutil.which("tt-lang-sim"), str(SIM_VENV / "bin" / "tt-lang-sim")):
        if cand and Path(cand).is_file():
            return cand, ""
    return None, ("not installed here: no tt-lang-sim launcher on PATH, in $TT_LANG_SIM or in " + str(SIM_VENV) +
                  ". It is published on PyPI (pip install tt-lang-sim; Python >= 3.11, pulls torch and CUDA "
                  "wheels, about 5.5 GB): rerun with --install-tt-lang-sim to install it into that venv")


def install_tt_lang_sim() -> tuple[str | None, str]:
    """Create SIM_VENV and pip-install tt-lang-sim into it; returns the launcher or the reason it failed."""
    launcher = SIM_VENV / "bin" / "tt-lang-sim"
    if launcher.is_file():
        return str(launcher), ""
    if sys.version_info >= (3, 11):
        python = sys.executable
    else:
        python = shutil.which("python3.12") or shutil.which("python3.11") or ""
    if not python:
        return None, "not installable here: tt-lang-sim needs Python >= 3.11 and none was found"
    try:
        run_cmd([python, "-m", "venv", str(SIM_VENV)])
        run_cmd([str(SIM_VENV / "bin" / "python"), "-m", "pip", "install", "-q", "tt-lang-sim"])
    except RuntimeError as exc:
        return None, "not installable here: " + str(exc).strip().splitlines()[-1]
    return str(launcher), ""


def run_tt_lang_sim(launcher: str, res: Result, work: Path, sim_runs: int) -> None:
    script = work / "tt_lang_program.py"
    script.write_text(TT_LANG_PROGRAM)
    bm, bn = res.block
    if len(res.problem) == 3:
        m, k, n = res.problem
        kind = "gemm"
    else:
        (m, n), k = res.problem, 0
        kind = res.op
    cmd = [launcher, str(script), kind, str(m), str(k or 32), str(n), str(bm), str(bn), "1", str(sim_runs)]
    # one thread, like the mock: torch's intra-op thread pool makes timings swing by 10x and more
    # when other processes share the cores
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    try:
        proc = run_cmd(cmd, timeout=3600, env=env)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        res.sim_note = f"tt-lang-sim failed: {str(exc).strip().splitlines()[-1]}"
        return
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("TT_LANG_SIM_RESULT ")), None)
    if line is None:
        res.sim_note = "tt-lang-sim printed no result"
        return
    doc = json.loads(line.split(" ", 1)[1])
    res.sim_first_s = doc["first"]
    res.sim_s = statistics.median(doc["times"])
    if doc["pcc"] < 0.999:
        res.sim_note = f"tt-lang-sim PCC {doc['pcc']:.5f}"


# ---- output -------------------------------------------------------------------------------------------


def fmt_bytes(n: int) -> str:
    return f"{n / 1024:.0f} KiB" if n < 1 << 20 else f"{n / (1 << 20):.2f} MiB"


def table(headers: list[str], rows: list[list[str]], markdown: bool) -> str:
    if markdown:
        out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
        out += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(out)
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


def report(results: list[Result], notes: list[str], sim_status: str, runs: int, markdown: bool, arch: str) -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for ln in Path("/proc/cpuinfo").read_text().splitlines():
            if ln.startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    head = (f"mock SDK execution benchmark - {time.strftime('%Y-%m-%d')}, {cpu}, {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}; {arch} ({GRIDS[arch][0]}x{GRIDS[arch][1]} cores); "
            f"median of {runs} runs after a first (compiling) run")
    time_rows = []
    notes = list(notes)
    for r in results:
        shape = "x".join(map(str, r.problem))
        ran = r.sim_s == r.sim_s  # not NaN
        ratio = f"{r.sim_s / r.median:.1f}x" if ran else "-"
        sim_first, sim = (f"{r.sim_first_s:.3f}", f"{r.sim_s:.3f}") if ran else ("-", "-")
        if r.sim_note:
            notes.append(f"{r.name}: {r.sim_note}")
            sim = "see note" if not ran else sim
        time_rows.append([r.name, r.kind, shape, str(r.cores), f"{r.first_s:.3f}", f"{r.median:.3f}",
                          f"{min(r.times):.3f}", f"{r.pcc:.5f}", sim_first, sim, ratio])
    noc_rows = []
    for r in results:
        rd, wr, ops = real_minimum(r)
        noc_rows.append([r.name, r.blocking, str(r.cores), fmt_bytes(r.dram_read), fmt_bytes(rd),
                         f"{r.dram_read / rd:.2f}", fmt_bytes(r.dram_write), fmt_bytes(wr), fmt_bytes(r.mcast),
                         f"{r.tiles_total} / {ops}"])
    parts = [
        head, "",
        table(["workload", "kernels", "problem", "cores", "first run s", "median s", "min s", "PCC",
               "tt-lang-sim first s", "tt-lang-sim median s", "sim/mock (median)"], time_rows, markdown),
        "",
        "DRAM traffic and tile ops (totals over cores, mock counters) vs the real minimum of the problem: every "
        "input byte read from DRAM once (reuse across cores by multicast included), every output byte written "
        "once; multicast bytes are counted once, at the sender:",
        "",
        table(["workload", "blocking", "cores", "DRAM read", "min read", "read/min", "DRAM write", "min write",
               "multicast", "tile ops (meas / min)"], noc_rows, markdown),
        "",
        f"tt-lang-sim: {sim_status}",
    ]
    cube = [r for r in results if r.problem == (1024, 1024, 1024)]
    if cube:
        parts.append(f"1024^3 bf16 GEMM on {GRIDS[arch][0]}x{GRIDS[arch][1]} cores (target <= 2 s on 8x8; "
                     "tt-lang-sim's figure in the issue: 6.7 s): " +
                     ", ".join(f"{r.name} {r.median:.3f} s" for r in cube) + " (medians)")
    parts += notes
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="timed runs per workload (median is reported)")
    ap.add_argument("--markdown", action="store_true", help="print the tables as markdown")
    ap.add_argument("--tt-lang-sim", default="auto", metavar="PATH|auto|off",
                    help="tt-lang-sim launcher (auto: $TT_LANG_SIM, PATH, " + str(SIM_VENV) + ")")
    ap.add_argument("--install-tt-lang-sim", action="store_true",
                    help="pip-install tt-lang-sim into " + str(SIM_VENV) + " if it is not there yet")
    ap.add_argument("--sim-runs", type=int, default=3, help="timed tt-lang-sim runs per workload")
    ap.add_argument("--kernels", type=Path, default=DEFAULT_KERNELS, help="reference kernel directory")
    ap.add_argument("--keep", type=Path, help="work directory to keep (default: a temporary one)")
    ap.add_argument("--arch", choices=sorted(GRIDS), default="wormhole_b0",
                    help="simulated device (blackhole: 13x10 cores; tt-lang-sim is not run)")
    opts = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="tt-build-mock-bench-") as tmp:
        work = opts.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        # a fresh kernel cache: the first run of each workload compiles, the timed runs hit the cache
        os.environ["TT_MOCK_KERNEL_CACHE"] = str(work / "kernel-cache")
        os.environ.update(mock_sdk.runtime_env(work / "kernel-cache"))
        os.environ.pop("TT_MOCK_STATS", None)
        os.environ.pop("TT_MOCK_ARCH", None)  # the host libraries link a runtime built for --arch
        results: list[Result] = []
        notes: list[str] = []
        for path in (opts.kernels / "gemm.py", opts.kernels / "eltwise.py"):
            for inst in list_instances(path):
                print(f"running {inst.name} ...", file=sys.stderr)
                results.append(bench_instance(inst, work, opts.runs, opts.arch))
        print("running the hand-written mock matmul 1024^3 ...", file=sys.stderr)
        results.append(bench_handwritten(work, opts.runs, opts.arch))
        print("running ttnn's bmm.cpp 1024^3 ...", file=sys.stderr)
        ttnn_res = bench_ttnn_bmm(work, opts.runs, opts.arch)
        if isinstance(ttnn_res, str):
            notes.append(ttnn_res)
        else:
            results.append(ttnn_res)

        if opts.arch != "wormhole_b0":
            launcher, why = None, "not run: its TT-Lang programs use an 8x8 grid (--arch wormhole_b0)"
        elif opts.install_tt_lang_sim and opts.tt_lang_sim == "auto" and find_tt_lang_sim("auto")[0] is None:
            print(f"installing tt-lang-sim into {SIM_VENV} ...", file=sys.stderr)
            launcher, why = install_tt_lang_sim()
        else:
            launcher, why = find_tt_lang_sim(opts.tt_lang_sim)
        if launcher:
            sim_status = (f"{launcher}; one thread like the mock; same problem sizes and blocking on its 8x8 grid; "
                          "first = the first "
                          f"operation call (warms the simulator up), median of the {opts.sim_runs} calls after it "
                          "(inputs already on the simulated device); sim/mock = tt-lang-sim median / mock median")
            for r in results:
                if r.kind == "tt-build generated" or r.name.startswith("handwritten"):
                    print(f"running {r.name} on tt-lang-sim ...", file=sys.stderr)
                    run_tt_lang_sim(launcher, r, work, opts.sim_runs)
        else:
            sim_status = why
        print(report(results, notes, sim_status, opts.runs, opts.markdown, opts.arch))
    return 0


if __name__ == "__main__":
    sys.exit(main())
