"""The mock's compute API beyond copy/add/matmul: reduce, broadcast, the SFPU ops, transpose, tilize and
untilize, each checked against numpy on one core (``tests/mock_programs/compute_ops_host.cpp``).

The unary SFPU ops and the transpose run ttnn's own kernels (``eltwise_sfpu.cpp`` with the
``SFPU_OP_CHAIN_0`` define ttnn's host sets, ``transpose_wh.cpp``) straight from the ttnn wheel; reduce,
broadcast, binary SFPU and tilize/untilize run the project's kernels in ``tests/mock_programs/kernels/ops``.
"""

from __future__ import annotations

import os
import struct
import subprocess
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest

from tt_build import mock_sdk
from tt_build.ttnn_wheel import ensure_ttnn

pytestmark = [pytest.mark.compile, pytest.mark.network]  # the host runs with TT_METAL_HOME at the ttnn wheel

PROGRAMS = Path(__file__).resolve().parent / "mock_programs"
OPS = PROGRAMS / "kernels" / "ops"
OPS_DIR = "ttnn/cpp/ttnn/operations"
TIMEOUT = 300


class Host:
    def __init__(self, root: Path, build: Path) -> None:
        self.root = root
        self.cache = root / "kernel-cache"
        self.exe = mock_sdk.compile_host_program([PROGRAMS / "compute_ops_host.cpp"], root / "ops_host",
                                                 build_dir=build)

    def run(self, kernel: Path, a: np.ndarray, b: np.ndarray | None, nout: int, *, out_cb: int = 16,
            ct: list[int] = (), rt: list[int] = (), defines: dict[str, str] | None = None,
            tmp: Path) -> np.ndarray:
        """a, b: (pages, 1024) float arrays, sent as bf16 pages; returns (nout, 1024) float32."""
        bf = ml_dtypes.bfloat16
        a.astype(bf).tofile(tmp / "a.bin")
        nb = 0
        if b is not None:
            b.astype(bf).tofile(tmp / "b.bin")
            nb = len(b)
        env = dict(os.environ)
        env.update(mock_sdk.runtime_env(self.cache))
        env["TT_METAL_HOME"] = str(ensure_ttnn())
        join = lambda v: ",".join(map(str, v)) or "-"  # noqa: E731
        defs = "|".join(f"{k}={v}" for k, v in (defines or {}).items()) or "-"
        proc = subprocess.run([str(self.exe), str(OPS), str(kernel), str(len(a)), str(nb), str(nout), str(out_cb), join(ct),
                               join(rt), defs, str(tmp / "a.bin"), str(tmp / "b.bin"), str(tmp / "out.bin")],
                              env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False)
        assert proc.returncode == 0, proc.stderr
        return np.fromfile(tmp / "out.bin", dtype=bf).astype(np.float32).reshape(nout, 1024)


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Host:
    return Host(tmp_path_factory.mktemp("compute_ops"), tmp_path_factory.getbasetemp() / "mock-runtime")


def faces(t: np.ndarray) -> np.ndarray:
    """A 32x32 row-major tile in the Tensix face layout (four 16x16 faces, row-major inside each)."""
    return np.concatenate([t[r:r + 16, c:c + 16].ravel() for r in (0, 16) for c in (0, 16)])


def unfaces(v: np.ndarray) -> np.ndarray:
    t = np.empty((32, 32), np.float32)
    for i, (r, c) in enumerate(((0, 0), (0, 16), (16, 0), (16, 16))):
        t[r:r + 16, c:c + 16] = v[i * 256:(i + 1) * 256].reshape(16, 16)
    return t


def bf16(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, np.float32).astype(ml_dtypes.bfloat16).astype(np.float32)


def tiles(rng: np.random.Generator, n: int, scale: float = 1.0) -> np.ndarray:
    return bf16(rng.standard_normal((n, 32, 32)) * scale)


def send(ts: np.ndarray) -> np.ndarray:
    return np.stack([faces(t) for t in ts])


def scaler_tile(s: float) -> np.ndarray:
    """ttnn's reduce scaler: the value in the first row of every face, zeros elsewhere."""
    v = np.zeros(1024, np.float32)
    for f in range(4):
        v[f * 256:f * 256 + 16] = s
    return v[None, :]


def assert_bf16_close(out: np.ndarray, ref: np.ndarray, ulps: float = 2) -> None:
    ref = bf16(ref)
    tol = ulps * 2.0 ** -7 * np.maximum(np.abs(ref), 1e-30)  # one bf16 ulp is at most 2^-7 relative
    bad = np.abs(out - ref) > tol
    assert not bad.any(), f"{bad.sum()} values differ, e.g. {out[bad][:4]} vs {ref[bad][:4]}"


# ---- reduce -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("op", "dim", "scale"), [
    ("SUM", "REDUCE_ROW", 1.0), ("SUM", "REDUCE_COL", 1.0), ("SUM", "REDUCE_SCALAR", 1.0),
    ("AVG", "REDUCE_ROW", 1 / 64), ("MAX", "REDUCE_ROW", 1.0), ("MAX", "REDUCE_COL", 1.0)])
def test_reduce_matches_numpy(host: Host, tmp_path: Path, op: str, dim: str, scale: float) -> None:
    ht, wt = 2, 2
    rng = np.random.default_rng(7)
    a = tiles(rng, ht * wt)
    full = a.reshape(ht, wt, 32, 32).transpose(0, 2, 1, 3).reshape(ht * 32, wt * 32)
    nout = {"REDUCE_ROW": ht, "REDUCE_COL": wt, "REDUCE_SCALAR": 1}[dim]
    out = host.run(OPS / "reduce.cpp", send(a), scaler_tile(scale), nout, ct=[ht, wt],
                   defines={"REDUCE_OP": f"PoolType::{op}", "REDUCE_DIM": f"ReduceDim::{dim}"}, tmp=tmp_path)
    got = np.stack([unfaces(v) for v in out])
    f = np.max if op == "MAX" else np.sum
    if dim == "REDUCE_ROW":
        ref = f(full * (1 if op == "MAX" else scale), axis=1).reshape(ht, 32)
        assert_bf16_close(got[:, :, 0], ref)
        assert not got[:, :, 1:].any()  # only column 0 carries the result
    elif dim == "REDUCE_COL":
        ref = f(full, axis=0).reshape(wt, 32) * (1 if op == "MAX" else scale)
        assert_bf16_close(got[:, 0, :], ref)
        assert not got[:, 1:, :].any()
    else:
        assert_bf16_close(got[0, 0, 0], full.sum() * scale * scale)
        assert np.count_nonzero(got) <= 1


def test_reduce_max_keeps_negative_maxima_and_uses_only_the_scalers_exponent(host: Host, tmp_path: Path) -> None:
    a = -np.abs(tiles(np.random.default_rng(3), 1)) - 1.0  # every row all-negative
    out = host.run(OPS / "reduce.cpp", send(a), scaler_tile(3.0), 1, ct=[1, 1],
                   defines={"REDUCE_OP": "PoolType::MAX", "REDUCE_DIM": "ReduceDim::REDUCE_ROW"}, tmp=tmp_path)
    # GMPOOL scales by 2^floor(log2 3) = 2
    assert_bf16_close(unfaces(out[0])[:, 0], a[0].max(axis=1) * 2.0)


# ---- broadcast ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("op", "dim"), [("add", "rows"), ("sub", "cols"), ("mul", "scalar"), ("mul", "cols"),
                                         ("sub", "rows")])
def test_bcast_matches_numpy(host: Host, tmp_path: Path, op: str, dim: str) -> None:
    rng = np.random.default_rng(11)
    a, b = tiles(rng, 3), tiles(rng, 1)
    out = host.run(OPS / "bcast.cpp", send(a), send(b), 3, rt=[3], defines={"BCAST_INIT": f"{op}_bcast_{dim}_init", "BCAST_TILES": f"{op}_tiles_bcast_{dim}"},
                   tmp=tmp_path)
    bb = {"rows": b[0][0:1, :], "cols": b[0][:, 0:1], "scalar": b[0][0, 0]}[dim]
    ref = {"add": np.add, "sub": np.subtract, "mul": np.multiply}[op](a, bb)
    assert np.array_equal(np.stack([unfaces(v) for v in out]), bf16(ref))  # one fp32 op, rounded once


# ---- SFPU: ttnn's eltwise_sfpu.cpp with ttnn's SFPU_OP_CHAIN_0 ------------------------------------------------

def f32bits(x: float) -> str:
    return "0x%08xu" % struct.unpack("<I", struct.pack("<f", x))[0]


POS = {"log", "sqrt", "rsqrt", "recip", "power", "rpow", "cbrt"}
UNARY = {
    "exp": ("exp_tile_init(); exp_tile(0);", np.exp),
    "log": ("log_tile_init(); log_tile(0);", np.log),
    "sqrt": ("sqrt_tile_init(); sqrt_tile(0);", np.sqrt),
    "rsqrt": ("rsqrt_tile_init(); rsqrt_tile(0);", lambda x: 1 / np.sqrt(x)),
    "recip": ("recip_tile_init(); recip_tile(0);", lambda x: 1 / x),
    "sigmoid": ("sigmoid_tile_init(); sigmoid_tile(0);", lambda x: 1 / (1 + np.exp(-x))),
    "tanh": ("tanh_tile_init(); tanh_tile(0);", np.tanh),
    "silu": ("silu_tile_init(); silu_tile(0);", lambda x: x / (1 + np.exp(-x))),
    "abs_relu_max": (f"abs_tile_init(); abs_tile(0); relu_max_tile_init(); relu_max_tile(0, {f32bits(0.5)});",
                     lambda x: np.minimum(np.abs(x), 0.5)),
    "power": (f"power_tile_init(); power_tile(0, {f32bits(3.0)});", lambda x: x ** 3),
    "clamp": (f"clamp_tile_init(); clamp_tile(0, {f32bits(-0.25)}, {f32bits(0.75)});",
              lambda x: np.clip(x, -0.25, 0.75)),
    "rpow": (f"rpow_tile_init(); rpow_tile(0, {f32bits(2.0)});", lambda x: 2.0 ** x),
    "rdiv_sin": (f"rdiv_tile_init(); rdiv_tile(0, {f32bits(0.5)}); sin_tile_init(); sin_tile(0);",
                 lambda x: np.sin(0.5 / x)),
    "cbrt_log1p": ("cbrt_tile_init(); cbrt_tile(0); log1p_tile_init(); log1p_tile(0);",
                   lambda x: np.log1p(np.cbrt(x))),
    "softplus": (f"softplus_tile_init(); softplus_tile(0, {f32bits(2.0)}, {f32bits(0.5)}, {f32bits(1.0)});",
                 lambda x: np.where(2 * x > 1, x, 0.5 * np.log1p(np.exp(2 * x)))),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_ttnn_eltwise_sfpu_kernel_matches_numpy(host: Host, tmp_path: Path, name: str) -> None:
    chain, fn = UNARY[name]
    rng = np.random.default_rng(5)
    a = tiles(rng, 2)
    if any(name.startswith(p) for p in POS):
        a = bf16(np.abs(a) + 0.25)
    kernel = ensure_ttnn() / OPS_DIR / "eltwise/unary/device/kernels/compute/eltwise_sfpu.cpp"
    # the SFPU_OP_*_INCLUDE switches ttnn's host sets for these ops (the mock needs them like the device)
    incl = ("EXP", "SQRT", "RSQRT", "RECIP", "RELU_FAMILY", "TRIG_FAMILY", "CLAMP", "RPOW", "RDIV", "COMPUTE_KERNEL_API",
            "CBRT", "LOG1P", "SOFTPLUS")
    defines = {"SFPU_OP_CHAIN_0": chain, **{f"SFPU_OP_{i}_INCLUDE": "1" for i in incl}}
    out = host.run(kernel, send(a), None, 2, out_cb=2, rt=[2], defines=defines, tmp=tmp_path)
    ref = fn(a.astype(np.float64))
    assert_bf16_close(np.stack([unfaces(v) for v in out]), ref)


@pytest.mark.parametrize(("op", "fn"), [("div", np.divide), ("power", np.power), ("max", np.maximum),
                                        ("min", np.minimum)])
def test_binary_sfpu_ops_match_numpy(host: Host, tmp_path: Path, op: str, fn) -> None:
    rng = np.random.default_rng(9)
    a, b = tiles(rng, 2), tiles(rng, 2)
    if op == "power":
        a = bf16(np.abs(a) + 0.5)
    call = {"div": "div_binary_tile_init(); div_binary_tile(0, 1, 0);",
            "power": "power_binary_tile_init(); power_binary_tile(0, 1, 0);",
            "max": "binary_max_tile_init(); binary_max_tile(0, 1, 0);",
            "min": "binary_min_tile_init(); binary_min_tile(0, 1, 0);"}[op]
    out = host.run(OPS / "sfpu_binary.cpp", send(a), send(b), 2, rt=[2], defines={"SFPU_BINARY": call},
                   tmp=tmp_path)
    assert_bf16_close(np.stack([unfaces(v) for v in out]), fn(a.astype(np.float64), b.astype(np.float64)))


def test_packer_l1_accumulation_adds_to_the_packed_page(host: Host, tmp_path: Path) -> None:
    rng = np.random.default_rng(13)
    a, b = tiles(rng, 2), tiles(rng, 2)
    out = host.run(OPS / "l1_acc.cpp", send(a), send(b), 2, rt=[2], tmp=tmp_path)
    assert np.array_equal(np.stack([unfaces(v) for v in out]), bf16(a + b))  # both bf16: one rounding


# ---- transpose (ttnn's transpose_wh.cpp), tilize / untilize -------------------------------------------------

def test_ttnn_transpose_wh_kernel_transposes_each_tile(host: Host, tmp_path: Path) -> None:
    a = tiles(np.random.default_rng(2), 3)
    kernel = ensure_ttnn() / OPS_DIR / "data_movement/transpose/device/kernels/compute/transpose_wh.cpp"
    out = host.run(kernel, send(a), None, 3, rt=[3], tmp=tmp_path)
    assert np.array_equal(np.stack([unfaces(v) for v in out]), a.transpose(0, 2, 1))


@pytest.mark.parametrize("transpose", [False, True])
def test_tilize_then_untilize(host: Host, tmp_path: Path, transpose: bool) -> None:
    w, h = 3, 2
    rows = bf16(np.random.default_rng(4).standard_normal((h * 32, w * 32)))
    pages = rows.reshape(h * w, 1024)  # row-major rows, 1024 values a page
    out = host.run(OPS / "tilize_untilize.cpp", pages, None, h * w, ct=[w, h],
                   defines={"TRANSPOSE": "1"} if transpose else None, tmp=tmp_path)
    got = out.reshape(h * 32, w * 32)
    if transpose:
        ref = rows.reshape(h, 32, w, 32).transpose(0, 3, 2, 1).reshape(h * 32, w * 32)
        assert np.array_equal(got, ref)
    else:
        assert np.array_equal(got, rows)


def test_tilize_block_accumulates_with_packer_l1_acc(host: Host, tmp_path: Path) -> None:
    # as on the device, the packer's L1 accumulation applies to tilize_block's packs (the Conv2D K loop turns
    # it off around its tilize)
    rows = bf16(np.random.default_rng(5).standard_normal((32, 64)))
    out = host.run(OPS / "tilize_untilize.cpp", rows.reshape(2, 1024), None, 2, ct=[2, 1], defines={"L1_ACC": "1"},
                   tmp=tmp_path)
    assert np.array_equal(out.reshape(32, 64), 2 * rows)


def test_mock_rejects_get_arg_val_without_common_h_like_the_device(host: Host, tmp_path: Path) -> None:
    """Issue 11, bug 1: the mock no longer hides the missing api/compute/common.h of an SFPU-only kernel."""
    data = Path(__file__).resolve().parent / "data" / "check"
    a = send(tiles(np.random.default_rng(1), 1))
    ok = host.run(data / "compute_exp.cpp", a, None, 1, ct=[0, 16], rt=[1], tmp=tmp_path)
    assert_bf16_close(unfaces(ok[0]), np.exp(unfaces(a[0]).astype(np.float64)))
    with pytest.raises(AssertionError) as err:
        host.run(data / "bad_compute_missing_common.cpp", a, None, 1, ct=[0, 16], rt=[1], tmp=tmp_path)
    assert "bad_compute_missing_common.cpp" in str(err.value)
    assert "‘get_arg_val’ was not declared in this scope" in str(err.value)


def test_short_host_write_is_an_error_that_says_it_is_undefined_behaviour(host: Host, tmp_path: Path) -> None:
    env = dict(os.environ)
    env.update(mock_sdk.runtime_env(host.cache))
    proc = subprocess.run([str(host.exe), str(OPS), str(OPS / "reduce.cpp"), "1!", "0", "1", "16", "1,1", "-", "-",
                           "-", "-", str(tmp_path / "out.bin")], env=env, capture_output=True, text=True,
                          timeout=TIMEOUT, check=False)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "error: TT-Metalium mock: EnqueueWriteMeshBuffer: host data has 2 bytes but the buffer has 2048: on the device "
        "the copy would read past the end of the host data (undefined behaviour); pass exactly the buffer's size")
