"""Runs ttnn 0.81.1's own 2-D multicast matmul kernels (from the wheel, unmodified) on the mock SDK
through ``tests/mock_programs/ttnn_mcast_host.cpp``; shared by ``tests/test_mock_ttnn_kernels.py`` and
``bench/gemm_perf.py``.

The program config is the one ttnn derives for an interleaved DRAM matmul on a ``gx × gy`` grid
(``create_simple_matmul_program_config``): ``per_core_M = ceil(Mt / gy)``, ``per_core_N = ceil(Nt / gx)``,
``in0_block_w = 2`` (1 when Kt is odd) and the first output sub-block of ttnn's preference list that
divides the per-core block and fits DST (``get_matmul_subblock_params``).
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import ml_dtypes
import numpy as np

from tt_build import mock_sdk
from tt_build.ttnn_wheel import ensure_ttnn

HOST = Path(__file__).resolve().parent / "mock_programs" / "ttnn_mcast_host.cpp"
TIMEOUT = 900  # seconds; a hang fails instead of blocking

#: ttnn's output sub-block (h, w) choices, in its order of preference (largest DST use first)
SUBBLOCK_CHOICES = ((4, 2), (2, 4), (8, 1), (1, 8), (7, 1), (1, 7), (3, 2), (2, 3), (6, 1), (1, 6), (5, 1), (1, 5),
                    (2, 2), (4, 1), (1, 4), (3, 1), (1, 3), (2, 1), (1, 2), (1, 1))
GRIDS = {"wormhole_b0": (8, 8), "blackhole": (13, 10)}


@dataclass(frozen=True)
class Config:
    grid: tuple[int, int]
    in0_block_w: int
    out_subblock: tuple[int, int]
    fidelity: str = "HiFi4"
    fp32_dest_acc: bool = False
    packer_l1_acc: bool = True

    @property
    def args(self) -> list[object]:
        return [*self.grid, self.in0_block_w, *self.out_subblock, self.fidelity, int(self.fp32_dest_acc),
                int(self.packer_l1_acc)]


def ttnn_config(m: int, n: int, k: int, grid: tuple[int, int], fidelity: str = "HiFi4",
                fp32_dest_acc: bool = False, packer_l1_acc: bool = True) -> Config:
    """The 2-D multicast program config ttnn picks for an interleaved ``m × k @ k × n`` on ``grid``."""
    gx, gy = grid
    per_core_m, per_core_n = -(-m // 32 // gy), -(-n // 32 // gx)
    dst = 4 if fp32_dest_acc else 8
    sub = next((h, w) for h, w in SUBBLOCK_CHOICES if h * w <= dst and per_core_m % h == 0 and per_core_n % w == 0)
    return Config(grid, 2 if (k // 32) % 2 == 0 else 1, sub, fidelity, fp32_dest_acc, packer_l1_acc)


class Host:
    """ttnn_mcast_host.cpp built against the mock runtime, run with TT_METAL_HOME at the unpacked wheel."""

    def __init__(self, build: Path, exe: Path, kernel_cache: Path | None = None) -> None:
        self.ttnn = ensure_ttnn()
        self.cache = kernel_cache
        self.exe = mock_sdk.compile_host_program([HOST], exe, build_dir=build)

    def run(self, a: np.ndarray, b: np.ndarray, config: Config, work: Path, arch: str = "wormhole_b0",
            stats: Path | None = None, bias: np.ndarray | None = None) -> np.ndarray:
        """C = A @ B (+ bias, a vector added to every row: ttnn's fused bias) on the mock, bf16 in and out;
        raises RuntimeError with the host's message on failure."""
        (m, k), (_, n) = a.shape, b.shape
        work.mkdir(parents=True, exist_ok=True)
        a.astype(ml_dtypes.bfloat16).tofile(work / "a.bin")
        b.astype(ml_dtypes.bfloat16).tofile(work / "b.bin")
        if bias is not None:
            bias.astype(ml_dtypes.bfloat16).tofile(work / "bias.bin")
        env = dict(os.environ)
        for key in ("TT_MOCK_STATS", "TT_MOCK_KERNEL_PATH", "TT_MOCK_CXX", "TT_METAL_KERNEL_PATH"):
            env.pop(key, None)
        env.update(mock_sdk.runtime_env(self.cache, arch=arch))
        env["TT_METAL_HOME"] = str(self.ttnn)
        if stats is not None:
            env["TT_MOCK_STATS"] = str(stats)
        args = [*config.args[:2], m, k, n, *config.args[2:], work / "a.bin", work / "b.bin",
                "-" if bias is None else work / "bias.bin", work / "out.bin"]
        proc = subprocess.run([str(self.exe), *map(str, args)],
                              env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"ttnn_mcast_host failed ({proc.returncode}): {proc.stderr.strip()}")
        return np.fromfile(work / "out.bin", dtype=ml_dtypes.bfloat16).reshape(m, n)


def totals(stats: Path) -> dict:
    """The totals of the (single) workload of a TT_MOCK_STATS file."""
    (workload,) = json.loads(stats.read_text())["workloads"]
    return workload["totals"] | {"modeled_us": workload.get("modeled_us")}
