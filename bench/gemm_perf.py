#!/usr/bin/env python3
"""GEMM performance side by side, on the mock's device-time model (estimates, not measurements).

One run covers GEMM 512³, 1024³, 2048³, 4096³ and 2048×1024×512 (M×N×K) on Wormhole (8×8 cores) and
Blackhole (13×10), bf16 in and out, fp32 accumulation:

(a) the kernel tt-build generates from ``example_project/kernels/gemm.py`` at TileLang's example
    blocking (block_M = block_N = 128, block_K = 32) with the default options (the 2-D multicast plan
    where the compiler estimates it faster, else the plain partition), and the same kernel with
    ``multicast`` off (every core reads its own operands) for comparison;
(b) ttnn 0.81.1's own 2-D multicast matmul kernels from the wheel (reader_bmm_tile_layout_in0_sender_padding,
    …_in0_receiver, …_in1_sender_writer_padding, …_in1_receiver_writer_padding,
    bmm_large_block_zm_fused_bias_activation), unmodified, on the mock through
    ``tests/mock_programs/ttnn_mcast_host.cpp``, with the arguments ttnn's 2-D multicast program factory
    passes and the program config ttnn derives for interleaved DRAM operands (``tests/ttnn_mcast.py``);
    ttnn's compute defaults except the math fidelity (bf16 partials with packer L1 accumulation);
(c) the roofline bound: max(bytes(A) + bytes(B) + bytes(C) / DRAM bandwidth, matmul tile ops × FPU cycles
    per tile at the math fidelity / (cores × clock)).

For every run: DRAM bytes read and written, multicast bytes (counted once at the sender), the
modeled device time (``modeled_us`` of the mock's ``TT_MOCK_STATS``), the wall time of the mock run
and the largest error against numpy (relative to the largest |C|).

Usage: python bench/gemm_perf.py [--markdown] [--arch wormhole_b0|blackhole|all] [--sizes 512,1024,...]
                                 [--fidelity HiFi4] [--output FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ml_dtypes
import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tt_build.codegen import generate  # noqa: E402
from tt_build.driver import build_primfunc  # noqa: E402
from tt_build.ir import attrs as A  # noqa: E402
from tt_build.matrix import MockRunner, default_build_dir  # noqa: E402
from tt_build.transform import lower  # noqa: E402

GEMM = REPO / "example_project" / "kernels" / "gemm.py"
BLOCK = (128, 128, 32)
SIZES = {"512": (512, 512, 512), "1024": (1024, 1024, 1024), "2048": (2048, 2048, 2048),
         "4096": (4096, 4096, 4096), "2048x1024x512": (2048, 1024, 512)}
#: Per architecture: compute grid, DRAM bandwidth (bytes/s), Tensix clock (Hz). Public figures:
#: Wormhole n150 288 GB/s at 1.0 GHz, Blackhole p150 512 GB/s at 1.35 GHz (the 13×10 grid the mock simulates).
ARCH = {"wormhole_b0": ((8, 8), 288e9, 1.0e9), "blackhole": ((13, 10), 512e9, 1.35e9)}
#: FPU cycles per 32×32×32 bf16 tile matmul by math fidelity (one 16-cycle pass per fidelity phase).
CYCLES = {"LoFi": 16, "HiFi2": 32, "HiFi3": 48, "HiFi4": 64}
BF16 = 2


@dataclass
class Row:
    arch: str
    size: str
    impl: str
    dram_read: int | None = None
    dram_write: int | None = None
    mcast: int | None = None
    modeled_us: float | None = None
    wall_s: float | None = None
    err: float | None = None
    note: str = ""


def roofline_us(m: int, n: int, k: int, arch: str, fidelity: str) -> tuple[float, str]:
    (gx, gy), bw, clock = ARCH[arch]
    dram = (m * k + k * n + m * n) * BF16 / bw
    tiles = (m // 32) * (n // 32) * (k // 32)
    compute = tiles * CYCLES[fidelity] / (gx * gy * clock)
    return max(dram, compute) * 1e6, "compute" if compute >= dram else "DRAM"


def _totals(stats: Path) -> dict[str, Any]:
    data = json.loads(stats.read_text())
    workloads = data["workloads"] if "workloads" in data else [data]
    return workloads[-1]["totals"]


def _get(t: dict[str, Any], *names: str) -> Any:
    for name in names:
        cur: Any = t
        for part in name.split("."):
            cur = cur.get(part) if isinstance(cur, dict) else None
        if cur is not None:
            return cur
    return None


def run_generated(m: int, n: int, k: int, arch: str, fidelity: str, multicast: bool, runner: MockRunner,
                  work: Path, inputs: list[np.ndarray], ref: np.ndarray) -> Row:
    name = f"gemm_{m}x{n}x{k}_{arch}_{'mcast' if multicast else 'plain'}"
    row = Row(arch, f"{m}x{n}x{k}", f"generated {BLOCK[0]}x{BLOCK[1]}x{BLOCK[2]}" + ("" if multicast else
                                                                                   ", multicast off"))
    func, _ = build_primfunc(GEMM, "matmul", {"M": m, "N": n, "K": k, "block_M": BLOCK[0], "block_N": BLOCK[1],
                                              "block_K": BLOCK[2]})
    mod = lower(func, config={"arch": arch, "multicast": multicast, "math_fidelity": fidelity})
    if multicast:  # the compiler's choice: the multicast plan, or the plain partition where it estimates that faster
        row.impl += " (multicast plan)" if "multicast" in mod.attrs[A.HOST_PLAN] else " (plain partition chosen)"
    files, manifest = generate(mod, name=name, arch=arch)
    out = work / name
    out.mkdir(parents=True, exist_ok=True)
    for fname, text in files.items():
        (out / fname).write_text(text)
    (out / "manifest.json").write_text(json.dumps(manifest))
    runner.run(out, inputs)  # compile (host and kernels) outside the timed run
    stats = work / f"{name}.stats.json"
    os.environ["TT_MOCK_STATS"] = str(stats)
    try:
        t0 = time.perf_counter()
        (c,) = runner.run(out, inputs)
        row.wall_s = time.perf_counter() - t0
    finally:
        del os.environ["TT_MOCK_STATS"]
    row.err = float(np.abs(c.astype(np.float32) - ref).max() / np.abs(ref).max())
    _apply(row, _totals(stats))
    return row


def _apply(row: Row, t: dict[str, Any]) -> None:
    row.dram_read = _get(t, "dram_read_bytes")
    row.dram_write = _get(t, "dram_write_bytes")
    row.mcast = _get(t, "mcast_write_bytes", "multicast_bytes", "noc.mcast_write_bytes")
    row.modeled_us = _get(t, "modeled_us", "model.modeled_us")
    if row.dram_read is None:
        row.note = "the mock reports no DRAM/core-to-core split (TT_MOCK_STATS without dram_read_bytes)"


def run_ttnn(m: int, n: int, k: int, arch: str, fidelity: str, host: Any, work: Path, inputs: list[np.ndarray],
             ref: np.ndarray, fp32_acc: bool = False) -> Row:
    """ttnn's 2-D multicast program on the mock, through the project's host program (tests/ttnn_mcast.py)."""
    from tests import ttnn_mcast  # noqa: PLC0415 - next to the host program

    config = ttnn_mcast.ttnn_config(m, n, k, ARCH[arch][0], fidelity, fp32_dest_acc=fp32_acc)
    (gx, gy), (sh, sw) = config.grid, config.out_subblock
    per_core = (-(-m // 32 // gy), -(-n // 32 // gx))
    row = Row(arch, f"{m}x{n}x{k}", f"ttnn 0.81.1 2-D mcast kernels ({per_core[0]}x{per_core[1]} tiles per core, "
                                   f"in0_block_w {config.in0_block_w}, sub-block {sh}x{sw})")
    stats = work / f"ttnn_{m}x{n}x{k}_{arch}.stats.json"
    try:
        host.run(*inputs, config, work / "ttnn", arch)  # compile the kernels outside the timed run
        t0 = time.perf_counter()
        c = host.run(*inputs, config, work / "ttnn", arch, stats)
        row.wall_s = time.perf_counter() - t0
    except (RuntimeError, OSError) as exc:
        row.note = "not run: " + str(exc).splitlines()[0][:160]
        return row
    row.err = float(np.abs(c.astype(np.float32) - ref).max() / np.abs(ref).max())
    _apply(row, _totals(stats))
    cores = len(json.loads(stats.read_text())["workloads"][-1]["cores"])
    row.note = f"{cores} cores; " + ("fp32 accumulation and partials" if fp32_acc else
                                     "bf16 partials (packer L1 acc), ttnn's default")
    return row


#: tt-metal tech_reports/GEMM_FLOPS: ttnn's measured matmul utilisation on an N150 (8×8 Wormhole cores, bf16
#: in DRAM, out-of-box configuration, HiFi2, without trace), by M = K = N
PUBLISHED_N150_HIFI2 = {512: 19.04, 1024: 41.69, 2048: 66.74, 4096: 59.49}


def calibration(host: Any, work: Path) -> str:
    """The device-time model against ttnn's published N150 figures, with ttnn's own kernels on the mock."""
    from tests import ttnn_mcast  # noqa: PLC0415 - next to the host program

    rng = np.random.default_rng(0)
    lines = ["| M = K = N | published utilisation | published device time | modeled (estimate) | model error | "
             "mock wall s |", "|---|---|---|---|---|---|"]
    for size, util in PUBLISHED_N150_HIFI2.items():
        a = rng.standard_normal((size, size), dtype=np.float32).astype(ml_dtypes.bfloat16)
        b = rng.standard_normal((size, size), dtype=np.float32).astype(ml_dtypes.bfloat16)
        config = ttnn_mcast.ttnn_config(size, size, size, ARCH["wormhole_b0"][0], "HiFi2")
        print(f"calibration {size}: {config}", file=sys.stderr, flush=True)
        stats = work / f"calibration_{size}.json"
        host.run(a, b, config, work / "calibration")  # compile the kernels outside the timed run
        t0 = time.perf_counter()
        host.run(a, b, config, work / "calibration", "wormhole_b0", stats)
        wall = time.perf_counter() - t0
        modeled = _totals(stats)["modeled_us"]
        ideal_us = (size // 32) ** 3 * CYCLES["HiFi2"] / 64 / ARCH["wormhole_b0"][2] * 1e6
        published = ideal_us / (util / 100)
        lines.append(f"| {size} | {util:.2f} % | {published:.1f} µs | {modeled:.1f} µs | "
                     f"{(modeled / published - 1) * 100:+.0f} % | {wall:.1f} |")
    return "\n".join(lines)


def _mib(v: int | None) -> str:
    return "-" if v is None else f"{v / 2**20:.2f}"


def table(rows: list[Row], rooflines: dict[tuple[str, str], tuple[float, str]], ab: dict[tuple[str, str], int],
          markdown: bool) -> str:
    head = ["arch", "M×N×K", "implementation", "DRAM read MiB", "read / (A+B)", "DRAM write MiB",
            "multicast MiB", "modeled µs (est.)", "vs ttnn", "vs roofline", "mock wall s", "max rel err", "note"]
    ttnn = {(r.arch, r.size): r.modeled_us for r in rows if r.impl.startswith("ttnn") and r.modeled_us}
    lines = []
    for r in rows:
        roof, _ = rooflines[(r.arch, r.size)]
        t = ttnn.get((r.arch, r.size))
        lines.append([
            r.arch, r.size, r.impl, _mib(r.dram_read),
            "-" if r.dram_read is None else f"{r.dram_read / ab[(r.arch, r.size)]:.2f}",
            _mib(r.dram_write), _mib(r.mcast),
            "-" if r.modeled_us is None else f"{r.modeled_us:.1f}",
            "-" if r.modeled_us is None or not t else f"{r.modeled_us / t:.2f}",
            "-" if r.modeled_us is None else f"{r.modeled_us / roof:.2f}",
            "-" if r.wall_s is None else f"{r.wall_s:.2f}",
            "-" if r.err is None else f"{r.err:.2e}", r.note])
    for (arch, size), (roof, bound) in rooflines.items():
        lines.append([arch, size, "roofline bound", "-", "-", "-", "-", f"{roof:.1f}", "-", "1.00", "-", "-",
                      f"{bound}-bound"])
    if markdown:
        out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        out += ["| " + " | ".join(x) + " |" for x in lines]
        return "\n".join(out)
    widths = [max(len(h), *(len(x[i]) for x in lines)) for i, h in enumerate(head)]
    out = ["  ".join(h.ljust(w) for h, w in zip(head, widths))]
    out += ["  ".join(c.ljust(w) for c, w in zip(x, widths)) for x in lines]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--arch", default="all", choices=["all", *ARCH])
    p.add_argument("--sizes", default=",".join(SIZES), help=f"comma-separated, of {', '.join(SIZES)}")
    p.add_argument("--fidelity", default="HiFi4", choices=list(CYCLES))
    p.add_argument("--no-plain", action="store_true", help="skip the multicast-off runs")
    p.add_argument("--ttnn-fp32-acc", action="store_true",
                   help="run ttnn's kernels with fp32_dest_acc_en (fp32 partials) instead of ttnn's default")
    p.add_argument("--markdown", action="store_true")
    p.add_argument("--output", type=Path, help="also write the table to this file")
    p.add_argument("--calibration", action="store_true",
                   help="instead: ttnn's own kernels at M = K = N = 512 … 4096, HiFi2, 8×8 Wormhole against "
                        "ttnn's published N150 times (docs/mock_sdk.md#calibration)")
    ns = p.parse_args(argv)
    archs = list(ARCH) if ns.arch == "all" else [ns.arch]
    sizes = [s.strip() for s in ns.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        p.error(f"unknown size {unknown[0]!r}; sizes are {', '.join(SIZES)}")
    runner = MockRunner(default_build_dir())
    from tests import ttnn_mcast  # noqa: PLC0415 - next to the host program

    ttnn_host = ttnn_mcast.Host(default_build_dir(), default_build_dir() / "ttnn_mcast_host")
    if ns.calibration:
        with tempfile.TemporaryDirectory(prefix="tt-gemm-calibration-") as tmp:
            text = calibration(ttnn_host, Path(tmp))
        print(text)
        if ns.output:
            ns.output.write_text(text + "\n")
        return 0
    rows: list[Row] = []
    roofs: dict[tuple[str, str], tuple[float, str]] = {}
    ab: dict[tuple[str, str], int] = {}
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory(prefix="tt-gemm-perf-") as tmp:
        work = Path(tmp)
        for size in sizes:
            m, n, k = SIZES[size]
            a = rng.standard_normal((m, k), dtype=np.float32).astype(ml_dtypes.bfloat16)
            b = rng.standard_normal((k, n), dtype=np.float32).astype(ml_dtypes.bfloat16)
            ref = a.astype(np.float32) @ b.astype(np.float32)
            for arch in archs:
                key = (arch, f"{m}x{n}x{k}")
                roofs[key] = roofline_us(m, n, k, arch, ns.fidelity)
                ab[key] = (m * k + k * n) * BF16
                variants = [True] if ns.no_plain else [True, False]
                for mc in variants:
                    print(f"running generated {key} multicast={mc}", file=sys.stderr, flush=True)
                    rows.append(run_generated(m, n, k, arch, ns.fidelity, mc, runner, work, [a, b], ref))
                print(f"running ttnn {key}", file=sys.stderr, flush=True)
                rows.append(run_ttnn(m, n, k, arch, ns.fidelity, ttnn_host, work, [a, b], ref, ns.ttnn_fp32_acc))
    text = table(rows, roofs, ab, ns.markdown)
    print(text)
    if ns.output:
        ns.output.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
