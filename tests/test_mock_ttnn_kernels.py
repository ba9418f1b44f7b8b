"""ttnn's own production kernels, exactly as shipped in the ``ttnn`` 0.81.1 wheel, run unmodified on the
mock SDK and match numpy.

The wheel is downloaded once and cached (:func:`tt_build.ttnn_wheel.ensure_ttnn`); the kernel files are
compiled from there, never copied into this repository. ``tests/mock_programs/ttnn_host.cpp`` sets the
kernels up as ttnn's program factories do (same compile-time args, named compile-time args, defines,
circular buffers, work split and runtime args):

* matmul (``MatmulMultiCoreProgramFactory``): ``matmul/.../compute/bmm.cpp`` with
  ``matmul/.../dataflow/reader_bmm_8bank_output_tiles_partitioned.cpp`` and
  ``eltwise/unary/.../dataflow/writer_unary_interleaved_start_id.cpp``. The factory of the legacy
  (non-Metal-2.0) API pairs bmm.cpp and the reader with this eltwise/unary writer: the matmul
  directory's own ``writer_unary_interleaved_start_id.cpp`` in 0.81 is the Metal 2.0 port, whose
  arguments come from a generated ``kernel_args_generated.h`` (``args::``, ``dfb::``, ``tensor::``
  bindings of the ProgramSpec host API), which the mock does not provide.
* eltwise binary (``BinaryDeviceOperation::ElementWiseMultiCore``, interleaved):
  ``eltwise/binary/.../compute/eltwise_binary_kernel.cpp`` with
  ``eltwise/binary/.../dataflow/reader_binary_interleaved_start_id.cpp`` and the same unary writer, with
  ttnn's ``ELTWISE_OP`` / ``ELTWISE_OP_TYPE`` defines and its fused-activation variants.
* 2-D multicast matmul (``MatmulMultiCoreReuseMcast2DProgramFactory``), through
  ``tests/mock_programs/ttnn_mcast_host.cpp`` (``tests/ttnn_mcast.py``):
  ``compute/bmm_large_block_zm_fused_bias_activation.cpp`` with the four readers / writers
  ``reader_bmm_tile_layout_in0_sender_padding.cpp``, ``…_in0_receiver.cpp``,
  ``…_in1_sender_writer_padding.cpp`` and ``…_in1_receiver_writer_padding.cpp``.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest

from tests import ttnn_mcast
from tt_build import mock_sdk
from tt_build.ttnn_wheel import ensure_ttnn

pytestmark = [pytest.mark.compile, pytest.mark.network]

PROGRAMS = Path(__file__).resolve().parent / "mock_programs"
REPO = Path(__file__).resolve().parent.parent
TIMEOUT = 300  # seconds; a hang fails the test instead of blocking CI

KERNELS = {
    "bmm": "ttnn/cpp/ttnn/operations/matmul/device/kernels/compute/bmm.cpp",
    "bmm_reader": "ttnn/cpp/ttnn/operations/matmul/device/kernels/dataflow/reader_bmm_8bank_output_tiles_partitioned.cpp",
    "unary_writer": "ttnn/cpp/ttnn/operations/eltwise/unary/device/kernels/dataflow/writer_unary_interleaved_start_id.cpp",
    "eltwise_binary": "ttnn/cpp/ttnn/operations/eltwise/binary/device/kernels/compute/eltwise_binary_kernel.cpp",
    "binary_reader": "ttnn/cpp/ttnn/operations/eltwise/binary/device/kernels/dataflow/reader_binary_interleaved_start_id.cpp",
    **{name: f"ttnn/cpp/ttnn/operations/matmul/device/kernels/{name}.cpp" for name in (
        "compute/bmm_large_block_zm_fused_bias_activation", "dataflow/reader_bmm_tile_layout_in0_sender_padding",
        "dataflow/reader_bmm_tile_layout_in0_receiver", "dataflow/reader_bmm_tile_layout_in1_sender_writer_padding",
        "dataflow/reader_bmm_tile_layout_in1_receiver_writer_padding")},
}


class TTNNHost:
    """ttnn_host.cpp built against the mock runtime, run with TT_METAL_HOME at the unpacked wheel."""

    def __init__(self, root: Path, build: Path) -> None:
        self.ttnn = ensure_ttnn()
        self.cache = root / "kernel-cache"
        self.exe = mock_sdk.compile_host_program([PROGRAMS / "ttnn_host.cpp"], root / "ttnn_host", build_dir=build)

    def run(self, args: list[object], **extra: str) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ)
        for key in ("TT_MOCK_STATS", "TT_MOCK_KERNEL_PATH", "TT_MOCK_CXX", "TT_METAL_KERNEL_PATH"):
            env.pop(key, None)
        env.update(mock_sdk.runtime_env(self.cache))
        env["TT_METAL_HOME"] = str(self.ttnn)
        env.update(extra)
        return subprocess.run([str(self.exe), *map(str, args)], env=env, capture_output=True, text=True,
                              timeout=TIMEOUT, check=False)


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> TTNNHost:
    # the runtime archive is content-addressed: test modules of one session share its build directory
    return TTNNHost(tmp_path_factory.mktemp("ttnn_kernels"), tmp_path_factory.getbasetemp() / "mock-runtime")


def bf16(x: np.ndarray) -> np.ndarray:
    return x.astype(ml_dtypes.bfloat16)


def check_close(out: np.ndarray, ref: np.ndarray) -> None:
    out = out.astype(np.float32).ravel()
    ref = ref.astype(np.float32).ravel()
    pcc = np.corrcoef(out, ref)[0, 1]
    rel = np.abs(out - ref).max() / max(np.abs(ref).max(), 1e-6)
    assert pcc >= 0.999, f"PCC {pcc}"
    assert rel <= 2e-2, f"max relative error {rel}"


def test_the_kernels_come_from_the_wheel_and_are_not_copied(host: TTNNHost) -> None:
    contents = {name: (host.ttnn / path).read_bytes() for name, path in KERNELS.items()}
    assert all(b"void kernel_main()" in text for text in contents.values())
    own = [p for p in REPO.rglob("*") if p.is_file() and p.suffix in {".cpp", ".h", ".hpp"} and ".venv" not in p.parts]
    copies = [p for p in own if p.read_bytes() in contents.values()]
    assert not copies


# ---- matmul: bmm.cpp + reader_bmm_8bank_output_tiles_partitioned.cpp + unary writer --------------------

MATMUL_CASES = {
    # grid, batch, M, K, N, bcast_b, logical K
    "single-core-batched-bcast-b": ((1, 1), 2, 64, 96, 64, True, 96),
    "8x8-cores-uneven-split-batched": ((8, 8), 2, 256, 128, 288, False, 128),
    "single-core-k-padding": ((1, 1), 1, 64, 96, 96, True, 80),
    "8x8-cores-1024-cube": ((8, 8), 1, 1024, 1024, 1024, True, 1024),
}
# run with TT_MOCK_ARCH=blackhole
BLACKHOLE_MATMUL_CASES = {
    "13x10-cores-blackhole": ((13, 10), 1, 352, 96, 448, True, 96),
}


def run_ttnn_matmul(host: TTNNHost, tmp: Path, case: str, **env: str) -> tuple[np.ndarray, np.ndarray]:
    (gx, gy), batch, m, k, n, bcast_b, logical_k = {**MATMUL_CASES, **BLACKHOLE_MATMUL_CASES}[case]
    rng = np.random.default_rng(sum(map(ord, case)))
    a = bf16(rng.standard_normal((batch, m, k)))
    b = bf16(rng.standard_normal((1 if bcast_b else batch, k, n)))
    a.tofile(tmp / "a.bin")
    b.tofile(tmp / "b.bin")
    proc = host.run(["matmul", gx, gy, batch, m, k, n, int(bcast_b), logical_k,
                     tmp / "a.bin", tmp / "b.bin", tmp / "out.bin"], **env)
    assert proc.returncode == 0, proc.stderr
    out = np.fromfile(tmp / "out.bin", dtype=ml_dtypes.bfloat16).reshape(batch, m, n)
    ref = a[:, :, :logical_k].astype(np.float32) @ b[:, :logical_k, :].astype(np.float32)
    return out, ref


@pytest.mark.parametrize("case", sorted(MATMUL_CASES))
def test_ttnn_matmul_matches_numpy(host: TTNNHost, tmp_path: Path, case: str) -> None:
    out, ref = run_ttnn_matmul(host, tmp_path, case)
    check_close(out, ref)


def test_ttnn_matmul_on_the_blackhole_13x10_grid(host: TTNNHost, tmp_path: Path) -> None:
    stats = tmp_path / "stats.json"
    out, ref = run_ttnn_matmul(host, tmp_path, "13x10-cores-blackhole", TT_MOCK_ARCH="blackhole",
                               TT_MOCK_STATS=str(stats))
    check_close(out, ref)
    (workload,) = json.loads(stats.read_text())["workloads"]
    # 11 x 14 = 154 output tiles over 130 cores: 24 cores with 2 tiles, 106 with 1, column by column
    per_core = {tuple(c["core"]): c["tiles"]["pack"] for c in workload["cores"]}
    assert [per_core[(i // 10, i % 10)] for i in range(130)] == [2] * 24 + [1] * 106


def test_ttnn_matmul_reader_pads_the_last_k_tile(host: TTNNHost, tmp_path: Path) -> None:
    # A and B carry non-zero data past the logical K; only the reader's padding makes the result right
    out, ref = run_ttnn_matmul(host, tmp_path, "single-core-k-padding")
    a = np.fromfile(tmp_path / "a.bin", dtype=ml_dtypes.bfloat16).reshape(1, 64, 96).astype(np.float32)
    b = np.fromfile(tmp_path / "b.bin", dtype=ml_dtypes.bfloat16).reshape(1, 96, 96).astype(np.float32)
    unpadded = a @ b
    assert np.abs(unpadded - ref).max() > 1.0  # the padding matters for this data
    check_close(out, ref)


def test_ttnn_matmul_noc_and_tile_counters(host: TTNNHost, tmp_path: Path) -> None:
    stats = tmp_path / "stats.json"
    run_ttnn_matmul(host, tmp_path, "8x8-cores-uneven-split-batched", TT_MOCK_STATS=str(stats))
    (_, gy), batch, m, k, n, _, _ = MATMUL_CASES["8x8-cores-uneven-split-batched"]
    out_tiles, kt = batch * (m // 32) * (n // 32), k // 32
    (workload,) = json.loads(stats.read_text())["workloads"]
    total = workload["totals"]
    assert total["noc_read_bytes"] == out_tiles * kt * 2 * 2048  # one A and one B tile per k step
    assert total["noc_write_bytes"] == out_tiles * 2048
    assert total["tiles"]["matmul"] == out_tiles * kt
    assert total["tiles"]["pack"] == out_tiles
    # split_work_to_cores: 144 output tiles over 64 cores -> 16 cores with 3 tiles, 48 with 2,
    # assigned column by column (core = (i / grid_y, i % grid_y)) as ttnn's factory does
    assert out_tiles == 144
    per_core = {tuple(c["core"]): c["tiles"]["pack"] for c in workload["cores"]}
    assert len(per_core) == 64
    assert [per_core[(i // gy, i % gy)] for i in range(64)] == [3] * 16 + [2] * 48


# ---- eltwise binary: eltwise_binary_kernel.cpp + reader_binary_interleaved_start_id.cpp + unary writer ---

ELTWISE_CASES = {
    # grid, op, rows, cols, activation
    "add-single-core": ((1, 1), "add", 64, 96, "none"),
    "mul-8x8-cores-uneven-split": ((8, 8), "mul", 96, 800, "none"),
    "sub-8x8-cores": ((8, 8), "sub", 256, 256, "none"),
    "add-packer-relu": ((8, 8), "add", 128, 128, "pack_relu"),
    "mul-sfpu-relu-chain": ((1, 1), "mul", 64, 64, "relu_chain"),
    "add-relu-on-input-a": ((8, 8), "add", 96, 160, "pre_in0_relu"),
}


@pytest.mark.parametrize("case", sorted(ELTWISE_CASES))
def test_ttnn_eltwise_binary_matches_numpy_exactly(host: TTNNHost, tmp_path: Path, case: str) -> None:
    (gx, gy), op, rows, cols, activation = ELTWISE_CASES[case]
    rng = np.random.default_rng(sum(map(ord, case)))
    a = bf16(rng.standard_normal((rows, cols)))
    b = bf16(rng.standard_normal((rows, cols)))
    a.tofile(tmp_path / "a.bin")
    b.tofile(tmp_path / "b.bin")
    proc = host.run(["eltwise", gx, gy, op, rows, cols, activation, tmp_path / "a.bin", tmp_path / "b.bin",
                     tmp_path / "out.bin"])
    assert proc.returncode == 0, proc.stderr
    out = np.fromfile(tmp_path / "out.bin", dtype=ml_dtypes.bfloat16).reshape(rows, cols)
    fa, fb = a.astype(np.float32), b.astype(np.float32)
    if activation == "pre_in0_relu":
        fa = np.maximum(fa, 0)
    ref = {"add": np.add, "sub": np.subtract, "mul": np.multiply}[op](fa, fb)
    if activation in {"pack_relu", "relu_chain"}:
        ref = np.maximum(ref, 0)
        assert (ref == 0).mean() > 0.3  # the activation changes the result
    # fp32 math in DST, round-to-nearest-even to bf16 at pack: bit-identical to numpy's rounding
    assert np.array_equal(out.view(np.uint16), bf16(ref).view(np.uint16))


# ---- 2-D multicast matmul: bmm_large_block_zm_fused_bias_activation.cpp + the in0 / in1 sender / receiver pair ---

@pytest.fixture(scope="module")
def mcast_host(host: TTNNHost, tmp_path_factory: pytest.TempPathFactory) -> ttnn_mcast.Host:
    return ttnn_mcast.Host(tmp_path_factory.getbasetemp() / "mock-runtime", host.cache.parent / "ttnn_mcast_host",
                           host.cache)


MCAST_CASES = {
    # M, N, K, grid, arch, fused bias (FUSE_BIAS: a [1, N] bias added to every row)
    "256-cube-4x4-wormhole": (256, 256, 256, (4, 4), "wormhole_b0", False),
    # 10 x 10 tiles over 4 x 4 cores: blocks of 3 x 3 tiles, the last row and column of cores hold 1
    "partial-blocks-fused-bias-4x4-blackhole": (320, 320, 256, (4, 4), "blackhole", True),
}


@pytest.mark.parametrize("case", sorted(MCAST_CASES))
def test_ttnn_2d_multicast_matmul_matches_numpy_reading_each_operand_once(
        mcast_host: ttnn_mcast.Host, tmp_path: Path, case: str) -> None:
    m, n, k, grid, arch, fuse_bias = MCAST_CASES[case]
    rng = np.random.default_rng(sum(map(ord, case)))
    a, b = bf16(rng.standard_normal((m, k))), bf16(rng.standard_normal((k, n)))
    bias = bf16(4 * rng.standard_normal(n)) if fuse_bias else None
    ref = a.astype(np.float32) @ b.astype(np.float32)
    config = ttnn_mcast.ttnn_config(m, n, k, grid)
    assert config.in0_block_w == 2 and k // 32 // config.in0_block_w > 2  # packer L1 accumulation is on
    stats = tmp_path / "stats.json"
    out = mcast_host.run(a, b, config, tmp_path, arch, stats, bias)
    if bias is not None:
        assert np.abs(out.astype(np.float32) - ref).max() > 1.0  # the bias matters for this data
        ref = ref + bias.astype(np.float32)
    check_close(out, ref)
    (workload,) = json.loads(stats.read_text())["workloads"]
    total = workload["totals"]
    # one sender per core row reads A, one per core column reads B (and the bias: one 32 x N tile row), and
    # multicasts: each byte once
    bias_bytes = 32 * n * 2 if fuse_bias else 0
    assert total["dram_read_bytes"] == a.nbytes + b.nbytes + bias_bytes
    assert total["dram_write_bytes"] == m * n * 2
    cores = {tuple(c["core"]) for c in workload["cores"]}
    assert cores == {(x, y) for x in range(grid[0]) for y in range(grid[1])}  # every core computes a block
    # each row sender multicasts its A row-blocks, each column sender its B column-blocks, once each and at
    # full block size (a padded last block included): A and B exactly once when the blocks divide the matrix
    per_core_m, per_core_n = -(-m // 32 // grid[1]), -(-n // 32 // grid[0])
    bias_mcast = grid[0] * per_core_n * 2048 if fuse_bias else 0
    assert total["mcast_write_bytes"] == (grid[1] * per_core_m + grid[0] * per_core_n) * (k // 32) * 2048 + bias_mcast
