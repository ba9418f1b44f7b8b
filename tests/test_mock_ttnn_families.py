"""ttnn's own kernels of the eltwise (unary SFPU, binary SFPU) and data-movement (transpose, tilize, untilize)
op families, exactly as shipped in the ``ttnn`` 0.81.1 wheel, run unmodified on the mock SDK and match numpy.

``tests/mock_programs/ttnn_families_host.cpp`` sets the kernels up as ttnn's program factories do (its header
comment names the kernels per mode, and the legacy ttnn data-movement kernel used where a 0.81 factory pairs
the compute kernel with a Metal 2.0 one). One host build per module; small shapes on one core.

``eltwise_binary_sfpu_kernel.cpp`` calls ``tile_regs_wait()`` right after ``tile_regs_acquire()`` and packs
before ``tile_regs_commit()`` in program order: on the device the pack thread blocks in ``tile_regs_wait()``
until the math thread commits. The mock defers the pack thread's calls to the commit, so the kernel runs.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest

from tt_build import mock_sdk
from tt_build.ttnn_wheel import ensure_ttnn

pytestmark = [pytest.mark.compile, pytest.mark.network]

PROGRAMS = Path(__file__).resolve().parent / "mock_programs"
TIMEOUT = 300  # seconds; a hang fails the test instead of blocking CI


class FamiliesHost:
    def __init__(self, root: Path, build: Path) -> None:
        self.ttnn = ensure_ttnn()
        self.cache = root / "kernel-cache"
        self.exe = mock_sdk.compile_host_program([PROGRAMS / "ttnn_families_host.cpp"], root / "ttnn_families_host",
                                                 build_dir=build)

    def run(self, *args: object) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ)
        for key in ("TT_MOCK_STATS", "TT_MOCK_KERNEL_PATH", "TT_MOCK_CXX", "TT_METAL_KERNEL_PATH"):
            env.pop(key, None)
        env.update(mock_sdk.runtime_env(self.cache))
        env["TT_METAL_HOME"] = str(self.ttnn)
        return subprocess.run([str(self.exe), *map(str, args)], env=env, capture_output=True, text=True,
                              timeout=TIMEOUT, check=False)


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> FamiliesHost:
    return FamiliesHost(tmp_path_factory.mktemp("ttnn_families"), tmp_path_factory.getbasetemp() / "mock-runtime")


def bf16(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float32).astype(ml_dtypes.bfloat16)


def bits(x: np.ndarray) -> np.ndarray:
    return bf16(x).view(np.uint16)


def read(path: Path, shape: tuple[int, ...]) -> np.ndarray:
    return np.fromfile(path, dtype=ml_dtypes.bfloat16).reshape(shape)


def tiled(x: np.ndarray) -> np.ndarray:
    """Row-major (rows, cols) -> ttnn's tile layout: tiles row by row, each as four 16x16 faces."""
    r, c = x.shape
    t = x.reshape(r // 32, 2, 16, c // 32, 2, 16)  # (tile row, face row, row, tile col, face col, col)
    return t.transpose(0, 3, 1, 4, 2, 5).reshape(r, c)


# ---- eltwise unary SFPU: eltwise_sfpu.cpp ------------------------------------------------------------------

UNARY = {"exp": np.exp, "sqrt": np.sqrt, "sigmoid": lambda x: 1.0 / (1.0 + np.exp(-x))}


@pytest.mark.parametrize("op", sorted(UNARY))
def test_ttnn_eltwise_sfpu_unary(host: FamiliesHost, tmp_path: Path, op: str) -> None:
    rng = np.random.default_rng(7)
    x = bf16(rng.uniform(0.05, 4.0, (64, 96)) if op == "sqrt" else rng.uniform(-4.0, 4.0, (64, 96)))
    x.tofile(tmp_path / "x.bin")
    proc = host.run("unary", op, 64, 96, tmp_path / "x.bin", tmp_path / "out.bin")
    assert proc.returncode == 0, proc.stderr
    out = read(tmp_path / "out.bin", (64, 96)).astype(np.float32)
    ref = UNARY[op](x.astype(np.float64))
    # the mock evaluates the SFPU op in fp32 (C library) and rounds once to bf16: within one bf16 ulp
    # (2^-8 relative) of the float64 reference
    assert np.all(np.abs(out - ref) <= np.abs(ref) * 2.0**-8 + 1e-30), np.abs(out - ref).max()


# ---- eltwise binary SFPU: eltwise_binary_sfpu_kernel.cpp ----------------------------------------------------

BINARY_SFPU = {"div": np.divide, "max": np.maximum, "min": np.minimum, "power": np.power}


@pytest.mark.parametrize("op", sorted(BINARY_SFPU))
def test_ttnn_eltwise_binary_sfpu(host: FamiliesHost, tmp_path: Path, op: str) -> None:
    rng = np.random.default_rng(11)
    shape = (64, 128)  # 8 tiles, blocks of 2: DST holds in0 and in1 tiles of a block at i*2, i*2+1
    if op == "power":
        a, b = bf16(rng.uniform(0.5, 2.0, shape)), bf16(rng.uniform(-3.0, 3.0, shape))
    else:
        a = bf16(rng.standard_normal(shape))
        b = bf16(rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape))
    a.tofile(tmp_path / "a.bin")
    b.tofile(tmp_path / "b.bin")
    proc = host.run("binary_sfpu", op, *shape, tmp_path / "a.bin", tmp_path / "b.bin", tmp_path / "out.bin")
    assert proc.returncode == 0, proc.stderr
    out = read(tmp_path / "out.bin", shape)
    ref = BINARY_SFPU[op](a.astype(np.float32), b.astype(np.float32))
    if op == "power":  # powf vs numpy's float32 power may differ in the last fp32 bit: within one bf16 ulp
        assert np.all(np.abs(out.astype(np.float32) - ref) <= np.abs(ref) * 2.0**-8)
    else:  # fp32 SFPU math, rounded once to bf16 at pack: bit-identical to numpy's float32 result rounded
        assert np.array_equal(out.view(np.uint16), bits(ref))


# ---- data movement: transpose_wh.cpp, tilize.cpp, untilize.cpp ----------------------------------------------

def test_ttnn_transpose_wh(host: FamiliesHost, tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    x = bf16(rng.standard_normal((2, 64, 96)))
    x.tofile(tmp_path / "x.bin")
    proc = host.run("transpose", 2, 64, 96, tmp_path / "x.bin", tmp_path / "out.bin")
    assert proc.returncode == 0, proc.stderr
    out = read(tmp_path / "out.bin", (2, 96, 64))
    assert np.array_equal(out.view(np.uint16), x.transpose(0, 2, 1).view(np.uint16))  # a pure data movement


def test_ttnn_tilize(host: FamiliesHost, tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    x = bf16(rng.standard_normal((64, 128)))
    x.tofile(tmp_path / "x.bin")
    proc = host.run("tilize", 64, 128, tmp_path / "x.bin", tmp_path / "out.bin")
    assert proc.returncode == 0, proc.stderr
    out = read(tmp_path / "out.bin", (64, 128))
    assert np.array_equal(out.view(np.uint16), tiled(x).view(np.uint16))


def test_ttnn_untilize(host: FamiliesHost, tmp_path: Path) -> None:
    rng = np.random.default_rng(6)
    x = bf16(rng.standard_normal((64, 128)))
    tiled(x).tofile(tmp_path / "x.bin")
    proc = host.run("untilize", 64, 128, tmp_path / "x.bin", tmp_path / "out.bin")
    assert proc.returncode == 0, proc.stderr
    out = read(tmp_path / "out.bin", (64, 128))
    assert np.array_equal(out.view(np.uint16), x.view(np.uint16))


# ---- reduction: reduce.cpp (Metal 2.0) ----------------------------------------------------------------------

@pytest.mark.parametrize("op", ["sum", "max"])
@pytest.mark.parametrize("dim", ["w", "h"])
def test_ttnn_reduce(host: FamiliesHost, tmp_path: Path, op: str, dim: str) -> None:
    rng = np.random.default_rng(13)
    batch, rows, cols = 2, 64, 96
    x = bf16(rng.standard_normal((batch, rows, cols)))
    x.tofile(tmp_path / "x.bin")
    proc = host.run("reduce", op, dim, batch, rows, cols, tmp_path / "x.bin", tmp_path / "out.bin")
    assert proc.returncode == 0, proc.stderr
    f = x.astype(np.float32)
    axis = 2 if dim == "w" else 1
    ref = f.sum(axis=axis) if op == "sum" else f.max(axis=axis)
    if dim == "w":
        out = read(tmp_path / "out.bin", (batch, rows, 32)).astype(np.float32)[:, :, 0]
    else:
        out = read(tmp_path / "out.bin", (batch, 32, cols)).astype(np.float32)[:, 0, :]
    if op == "max":  # a selection: exact
        assert np.array_equal(out, ref)
    else:  # fp32 accumulation in DST, one bf16 rounding at pack: within half a bf16 ulp of the fp32 sum
        assert np.all(np.abs(out - ref) <= np.abs(ref) * 2.0**-8 + 1e-6), np.abs(out - ref).max()


# ---- normalization: softmax.cpp (Metal 2.0) -----------------------------------------------------------------

@pytest.mark.parametrize("variant", ["stable", "plain"])
def test_ttnn_softmax(host: FamiliesHost, tmp_path: Path, variant: str) -> None:
    rng = np.random.default_rng(17)
    x = bf16(rng.standard_normal((64, 96)) * 2.0)
    x.tofile(tmp_path / "x.bin")
    proc = host.run("softmax", variant, 64, 96, tmp_path / "x.bin", tmp_path / "out.bin")
    assert proc.returncode == 0, proc.stderr
    out = read(tmp_path / "out.bin", (64, 96)).astype(np.float32)
    f = x.astype(np.float64)
    e = np.exp(f - f.max(axis=1, keepdims=True))
    ref = e / e.sum(axis=1, keepdims=True)
    # the kernel passes its intermediates through bf16 CBs: (stable: x - max,) exp(x), the row sum, its
    # reciprocal and the output are each rounded once (2^-9 relative each): within 5 * 2^-9 < 2^-6 of the
    # float64 softmax; the rows sum to 1 within the same bound
    rel = np.abs(out - ref) / ref
    assert rel.max() <= 2.0**-6, rel.max()
    assert np.all(np.abs(out.sum(axis=1) - 1.0) <= 2.0**-6)
