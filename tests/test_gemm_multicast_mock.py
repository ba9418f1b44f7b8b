"""The 2-D multicast GEMM on the mock device: numerically correct, and its DRAM / multicast traffic as
the mock counts it (``TT_MOCK_STATS``) is the plan's — each operand read from DRAM once per lock-step
column / row of blocks, each block multicast once from its sender."""

from __future__ import annotations

import json
import os
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest

from tests.conftest import REFERENCE_KERNELS
from tests.e2e import test_build_dir
from tt_build.check import check_emitted_dir
from tt_build.driver import emit
from tt_build.matrix import MockRunner
from tt_build.ttnn_wheel import ensure_ttnn

pytestmark = pytest.mark.compile

GEMM = REFERENCE_KERNELS / "gemm.py"
TILE = 32 * 32 * 2


@pytest.fixture(scope="module")
def runner() -> MockRunner:
    return MockRunner(test_build_dir())


def _run(runner: MockRunner, tmp_path: Path, m: int, n: int, k: int, options: dict | None = None,
         block: tuple[int, int, int] = (128, 128, 32)) -> tuple[np.ndarray, np.ndarray, dict]:
    name = f"gemm_{m}_{n}_{k}"
    args = {"M": m, "N": n, "K": k, "block_M": block[0], "block_N": block[1], "block_K": block[2]}
    # lock-step blocks unless a test asks for merged ones (multicast_merge=True)
    emit(GEMM, "matmul", args, name, tmp_path / name, options={"multicast_merge": False, **(options or {})})
    rng = np.random.default_rng(m + n + k)
    a = rng.standard_normal((m, k), dtype=np.float32).astype(ml_dtypes.bfloat16)
    b = rng.standard_normal((k, n), dtype=np.float32).astype(ml_dtypes.bfloat16)
    c, workload = _run_with_stats(runner, tmp_path / name, [a, b])
    ref = a.astype(np.float32) @ b.astype(np.float32)
    return c.astype(np.float32), ref, workload["totals"]


def _run_with_stats(runner: MockRunner, program: Path, inputs: list[np.ndarray]) -> tuple[np.ndarray, dict]:
    """Runs an emitted program on the mock; its output and the workload's TT_MOCK_STATS record."""
    stats = program.with_suffix(".stats.json")
    os.environ["TT_MOCK_STATS"] = str(stats)
    try:
        (c,) = runner.run(program, inputs)
    finally:
        del os.environ["TT_MOCK_STATS"]
    return c, json.loads(stats.read_text())["workloads"][-1]


@pytest.mark.parametrize(("m", "n", "k", "reads"), [
    (1024, 1024, 1024, (1, 1)),  # 8×8 blocks on 8×8 cores: A and B read once
    (2048, 1024, 512, (1, 2)),  # 8×16 blocks: each core runs 1×2 blocks; B is read once per block row step
])
def test_multicast_gemm_matches_numpy_and_reads_each_operand_once_per_step(
        runner: MockRunner, tmp_path: Path, m: int, n: int, k: int, reads: tuple[int, int]) -> None:
    got, ref, totals = _run(runner, tmp_path, m, n, k)
    assert float(np.abs(got - ref).max() / np.abs(ref).max()) < 1e-2
    a_bytes, b_bytes = m * k * 2, k * n * 2
    assert totals["dram_read_bytes"] == reads[0] * a_bytes + reads[1] * b_bytes
    assert totals["dram_write_bytes"] == m * n * 2
    # every block read from DRAM by a sender is multicast once (counted once, at the sender) to 7 cores
    assert totals["mcast_write_bytes"] == totals["dram_read_bytes"]
    assert totals["mcast_dest_bytes"] == 7 * totals["mcast_write_bytes"]


def test_multicast_off_reads_operands_per_core(runner: MockRunner, tmp_path: Path) -> None:
    got, ref, totals = _run(runner, tmp_path, 1024, 1024, 1024, {"multicast": False})
    assert float(np.abs(got - ref).max() / np.abs(ref).max()) < 1e-2
    assert totals["dram_read_bytes"] == 8 * (2 * 1024 * 1024 * 2)
    assert totals["mcast_write_bytes"] == 0


def test_uneven_core_grid_multicast_gemm_matches_numpy(runner: MockRunner, tmp_path: Path) -> None:
    """7x5 blocks on a 4x4 device grid: 4x3 cores, 2x2 lock-step steps each, the last core column and row
    short (their padded steps repeat their last block column / row). Every operand panel a sender reads is
    multicast; the DRAM traffic is the plan's (a sender reads a panel at each of its 4 steps)."""
    m, n, k = 160, 224, 512
    got, ref, totals = _run(runner, tmp_path, m, n, k, {"device_grid": [4, 4]}, block=(32, 32, 32))
    assert float(np.abs(got - ref).max() / np.abs(ref).max()) < 1e-2
    panel = 32 * k * 2  # a 32-row A panel and a 32-column B panel over the whole K
    cx, cy, steps = 4, 3, 4
    assert totals["dram_read_bytes"] == (cy + cx) * steps * panel
    assert totals["mcast_write_bytes"] == totals["dram_read_bytes"]
    assert totals["mcast_dest_bytes"] == cy * steps * panel * (cx - 1) + cx * steps * panel * (cy - 1)
    assert totals["dram_write_bytes"] == cx * cy * steps * TILE  # one 32x32 block per step, padded ones again


def test_split_blocks_on_an_uneven_core_grid_match_numpy(runner: MockRunner, tmp_path: Path) -> None:
    """512x640x256 at 128x128 blocks on a 4x4 device grid: the plan splits each block into two of 128x64
    (a 10x4 grid of them) and runs them on 4x4 cores, 3x1 lock-step steps each, the last core column short
    (10 = 3 + 3 + 3 + 1). The split kernel computes the same sums (same products, same order)."""
    m, n, k = 512, 640, 256
    got, ref, totals = _run(runner, tmp_path, m, n, k, {"device_grid": [4, 4]})
    assert float(np.abs(got - ref).max() / np.abs(ref).max()) < 1e-2
    # the three kernels (split blocks, clamped padded steps) pass the real-header check
    report = check_emitted_dir(tmp_path / f"gemm_{m}_{n}_{k}", ttnn_root=ensure_ttnn())
    assert report.ok, report.summary()
    assert [report.kernel(r).status for r in ("reader", "writer", "compute")] == ["checked"] * 3
    cx, cy, steps = 4, 4, 3
    a_panel, b_panel = 128 * k * 2, 64 * k * 2
    assert totals["dram_read_bytes"] == cy * steps * a_panel + cx * steps * b_panel
    assert totals["dram_write_bytes"] == cx * cy * steps * 128 * 64 * 2


def test_fewer_blocks_than_cores_split_over_the_grid_match_numpy(runner: MockRunner, tmp_path: Path) -> None:
    """256x256x128 at 128x128 blocks on a 4x4 device grid: 2x2 blocks for 16 cores, so the plan splits them
    into 4x4 blocks of 64x64, one per core, A multicast along core rows and B along core columns."""
    m, n, k = 256, 256, 128
    got, ref, totals = _run(runner, tmp_path, m, n, k, {"device_grid": [4, 4]})
    assert float(np.abs(got - ref).max() / np.abs(ref).max()) < 1e-2
    assert totals["dram_read_bytes"] == m * k * 2 + k * n * 2  # each operand read once, by the senders
    assert totals["mcast_write_bytes"] == totals["dram_read_bytes"]
    assert totals["mcast_dest_bytes"] == 3 * totals["mcast_write_bytes"]
    assert totals["dram_write_bytes"] == m * n * 2


def test_merged_blocks_with_a_partial_last_block_match_numpy(runner: MockRunner, tmp_path: Path) -> None:
    """224x160x256 at 32x32 blocks on a 4x4 device grid: 5x7 blocks, each core's 2x2 rectangle merged into
    one 64x64 block on 3x4 cores (the last core column's and row's overhang N = 160 and M = 224: partial
    last blocks, zero-padded by the senders, skipped by the writer). A single pass over K: each operand is
    read from DRAM exactly once (lock-step blocks read each panel at every one of the 4 steps)."""
    m, n, k = 224, 160, 256
    got, ref, totals = _run(runner, tmp_path, m, n, k, {"device_grid": [4, 4], "multicast_merge": True},
                            block=(32, 32, 32))
    assert float(np.abs(got - ref).max() / np.abs(ref).max()) < 1e-2
    assert totals["dram_read_bytes"] == m * k * 2 + k * n * 2  # lock-step: 458752 bytes, 2.33x
    # the senders multicast whole 64-wide panels (the padding tiles too): 4 A and 3 B panels over K
    assert totals["mcast_write_bytes"] == (4 + 3) * 64 * k * 2
    assert totals["dram_write_bytes"] == m * n * 2
    report = check_emitted_dir(tmp_path / f"gemm_{m}_{n}_{k}", ttnn_root=ensure_ttnn())
    assert report.ok, report.summary()
    assert [report.kernel(r).status for r in ("reader", "writer", "compute")] == ["checked"] * 3


@pytest.mark.parametrize(("m", "n", "k", "block_k", "options", "tiles"), [
    # 3x3 device grid, 4x5 blocks of 128: 16x20 output tiles, ⌈16/3⌉ = 6 tile rows and ⌈20/3⌉ = 7 tile
    # columns per core (192x224, not a multiple of the kernel's blocks); the last core row runs 4 tile rows,
    # the last column 6 tile columns (partial last blocks)
    (512, 640, 64, 32, {"device_grid": [3, 3]}, (6, 7)),
    # Blackhole's 13x10 cores, 28x28 output tiles: 3x3 tiles per core on 10x10 cores, the last core row and
    # column one tile wide
    (896, 896, 64, 32, {"arch": "blackhole"}, (3, 3)),
    # the benchmark's Blackhole 1024³: 4x3 tiles per core on 11x8 cores (ttnn's split), the last column 2 wide
    (1024, 1024, 1024, 32, {"arch": "blackhole"}, (4, 3)),
    # 320x416 at 128x128 blocks has partial last blocks as written (3x4 blocks over 10x13 tiles): on
    # Blackhole's 13x10 cores one output tile per core, none partial any more
    (320, 416, 64, 32, {"arch": "blackhole"}, (1, 1)),
    # the same on a 3x3 grid with K = 96 at block_K = 64 (a partial last K block, kept): 4x5 tiles per core,
    # the last core row 2 tile rows, the last column 3 tile columns
    (320, 416, 96, 64, {"device_grid": [3, 3]}, (4, 5)),
])
def test_tile_granular_blocks_with_partial_last_core_row_and_column_match_numpy(
        runner: MockRunner, tmp_path: Path, m: int, n: int, k: int, block_k: int, options: dict,
        tiles: tuple[int, int]) -> None:
    """One block of ``tiles`` (rows, columns) per core, as ttnn's 2-D multicast split: numerically the
    kernel's GEMM, each operand read from DRAM once by its senders, the output written once."""
    got, ref, totals = _run(runner, tmp_path, m, n, k, {**options, "multicast_merge": True},
                            block=(128, 128, block_k))
    assert float(np.abs(got - ref).max() / np.abs(ref).max()) < 1e-2
    assert totals["dram_read_bytes"] == m * k * 2 + k * n * 2
    assert totals["dram_write_bytes"] == m * n * 2
    # the senders multicast whole panels (the padding tiles of the last row / column and of K too)
    rows, cols = -(-m // (32 * tiles[0])), -(-n // (32 * tiles[1]))
    padded_k = -(-k // block_k) * block_k
    assert totals["mcast_write_bytes"] == (rows * tiles[0] + cols * tiles[1]) * 32 * padded_k * 2
    if options.get("device_grid"):
        report = check_emitted_dir(tmp_path / f"gemm_{m}_{n}_{k}", ttnn_root=ensure_ttnn())
        assert report.ok, report.summary()
        assert [report.kernel(r).status for r in ("reader", "writer", "compute")] == ["checked"] * 3


def test_device_time_model_readers_wait_for_the_math_to_free_a_cb_slot(runner: MockRunner, tmp_path: Path) -> None:
    # one 128x128 block, K = 4096 on one core: the compute kernel pops an operand block only after the
    # math thread has started its last tile (SrcA / SrcB hold one op ahead of the math), so a reader with a
    # double-buffered CB cannot finish before the math has worked through all but the last two K steps —
    # not at its own DRAM pace (2 MiB through one NOC port: about 65 us against 131 us of HiFi4 math)
    name = "gemm_128_128_4096"
    emit(GEMM, "matmul", {"M": 128, "N": 128, "K": 4096, "block_M": 128, "block_N": 128, "block_K": 32}, name,
         tmp_path / name, options={"multicast": False})
    rng = np.random.default_rng(5)
    a = rng.standard_normal((128, 4096), dtype=np.float32).astype(ml_dtypes.bfloat16)
    b = rng.standard_normal((4096, 128), dtype=np.float32).astype(ml_dtypes.bfloat16)
    c, workload = _run_with_stats(runner, tmp_path / name, [a, b])
    ref = a.astype(np.float32) @ b.astype(np.float32)
    assert float(np.abs(c.astype(np.float32) - ref).max() / np.abs(ref).max()) < 1e-2
    (core,) = workload["cores"]
    by_risc = core["modeled_us_by_risc"]
    math_us = 16 * 128 * 64 / 1000  # 16 output tiles x 128 K tiles x 64 cycles (HiFi4) at 1 GHz
    assert by_risc["trisc"] >= math_us
    manifest = json.loads((tmp_path / name / "manifest.json").read_text())
    a_cb = next(cb for cb in manifest["cbs"] if cb["name"] == "A_shared")
    steps = 4096 // 32 // (a_cb["block_pages"] // 4)  # K steps of the reader (block_pages = 4 rows x k tiles)
    depth = a_cb["num_pages"] // a_cb["block_pages"]
    readers = min(by_risc["brisc"], by_risc["ncrisc"])
    assert readers >= math_us * (steps - depth) / steps


def test_operand_pipeline_tail_matches_numpy_and_passes_the_real_headers(runner: MockRunner, tmp_path: Path) -> None:
    """2048x1024x512 merged (256x128 per core on 8x8): 16 one-tile K steps, the last 8 waited for at once and
    computed sub-block by sub-block (the plan's tail, 8 stages) while the output streams out. Same sums as
    numpy; A and B read once; the three kernels pass the real-header check."""
    m, n, k = 2048, 1024, 512
    got, ref, totals = _run(runner, tmp_path, m, n, k, {"multicast_merge": True})
    assert float(np.abs(got - ref).max() / np.abs(ref).max()) < 1e-2
    assert totals["dram_read_bytes"] == m * k * 2 + k * n * 2
    manifest = json.loads((tmp_path / f"gemm_{m}_{n}_{k}" / "manifest.json").read_text())
    a_cb = next(cb for cb in manifest["cbs"] if cb["name"] == "A_shared")
    assert (a_cb["block_pages"], a_cb["num_pages"]) == (8, 8 * 8)
    compute = (tmp_path / f"gemm_{m}_{n}_{k}" / "compute.cpp").read_text()
    assert "cb_wait_front(cb_A_shared, 64);" in compute  # the tail's 8 steps at once
    report = check_emitted_dir(tmp_path / f"gemm_{m}_{n}_{k}", ttnn_root=ensure_ttnn())
    assert report.ok, report.summary()
    assert [report.kernel(r).status for r in ("reader", "writer", "compute")] == ["checked"] * 3


@pytest.mark.parametrize(("m", "n", "k", "per_core"), [
    (512, 512, 512, 1),  # Wormhole 512³: one 64×64 block per core of 8×8, 4 K steps through a 4-slot CB
    (2048, 1024, 256, 2),  # 1×2 blocks per core in lock-step, 4 K steps each through a 3-slot CB
])
def test_deferred_multicast_flush_matches_numpy(runner: MockRunner, tmp_path: Path, m: int, n: int, k: int,
                                               per_core: int) -> None:
    """The senders flush right before their next multicast instead of after each one: the same sums as numpy,
    the mock's device-time check of reads into pages a multicast has not left passes, and the emitted reader
    and writer flush before (never after) their multicast."""
    got, ref, totals = _run(runner, tmp_path, m, n, k)
    assert float(np.abs(got - ref).max() / np.abs(ref).max()) < 1e-2
    assert totals["mcast_write_bytes"] == totals["dram_read_bytes"]
    out = tmp_path / f"gemm_{m}_{n}_{k}"
    manifest = json.loads((out / "manifest.json").read_text())
    assert {w["count"] for w in manifest["work_partition"]} == {per_core}
    for role in ("reader", "writer"):
        lines = [ln.strip() for ln in (out / f"{role}.cpp").read_text().splitlines()]
        at = next(i for i, ln in enumerate(lines) if ln.startswith("noc_async_write_multicast("))
        assert lines[at - 1] == "noc_async_writes_flushed();"
        assert lines[at + 1].startswith("noc_semaphore_set(") and lines[at + 2].startswith("noc_semaphore_set_multicast(")
        assert lines[at + 3].startswith("cb_push_back(")
    if per_core == 1:
        report = check_emitted_dir(out, ttnn_root=ensure_ttnn())
        assert report.ok, report.summary()
        assert [report.kernel(r).status for r in ("reader", "writer", "compute")] == ["checked"] * 3
