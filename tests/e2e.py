"""Shared by the end-to-end tests: the kernel files of the test matrix, hand-written numpy references
for their factories (an oracle independent of tt-build's IR reference) and the build directory.

The mechanics (compile a host program against the mock SDK, run it from numpy, the IR-derived
reference) live in :mod:`tt_build.matrix`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from tests.conftest import REFERENCE_KERNELS
from tt_build.driver import Instance, list_instances

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["EXPECTED", "MATRIX_FILES", "assert_passes_real_header_check", "conv2d_nhwc", "assert_runs_like_numpy",
           "expected_output", "matrix_instances", "test_build_dir"]

DATA_KERNELS = Path(__file__).parent / "data" / "kernels"
#: The test matrix: the reference kernels, the extra kernels, the layout/naming kernels and the blockings.
MATRIX_FILES = (REFERENCE_KERNELS / "gemm.py", REFERENCE_KERNELS / "eltwise.py", DATA_KERNELS / "extra.py",
                DATA_KERNELS / "layouts.py", DATA_KERNELS / "blocking.py", DATA_KERNELS / "conv2d.py")


def test_build_dir() -> Path:
    """Build directory of the mock runtime, host libraries and kernel objects used by the tests.

    Everything in it is keyed by content (a change to the mock SDK, the compiler or a host program
    gives new keys), so it is shared across test sessions: ``$TT_BUILD_TEST_BUILD_DIR``, else
    ``~/.cache/tt-build/test-build``.
    """
    env = os.environ.get("TT_BUILD_TEST_BUILD_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tt-build" / "test-build"


test_build_dir.__test__ = False  # type: ignore[attr-defined] - a helper, not a pytest test


def matrix_instances() -> dict[str, Instance]:
    return {i.name: i for f in MATRIX_FILES for i in list_instances(f)}


def _relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0)


def _binary_act(args: dict[str, Any], x: list[np.ndarray]) -> np.ndarray:
    combined = x[0] - x[1] if args["op"] == "sub" or args["act"] != "exp" else x[0] + x[1]
    return {"exp": np.exp, "relu": _relu, "none": lambda v: v}[args["act"]](combined)


def _gemm_tb(args: dict[str, Any], x: list[np.ndarray]) -> np.ndarray:
    out = x[0] @ x[1].T
    return _relu(out) if args.get("relu", True) else out


def conv2d_nhwc(data: np.ndarray, kernel: np.ndarray, stride: int, padding: int, dilation: int = 1) -> np.ndarray:
    """Direct NHWC convolution with an (KH, KW, C, F) filter: a sum over the filter taps of strided, dilated
    windows of the zero-padded input (no im2col, nothing shared with tt-build)."""
    n, h, w, _ = data.shape
    kh, kw, _, f = kernel.shape
    oh = (h + 2 * padding - dilation * (kh - 1) - 1) // stride + 1
    ow = (w + 2 * padding - dilation * (kw - 1) - 1) // stride + 1
    x = np.pad(data, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    out = np.zeros((n, oh, ow, f))
    for a in range(kh):
        for b in range(kw):
            win = x[:, a * dilation:a * dilation + stride * (oh - 1) + 1:stride,
                    b * dilation:b * dilation + stride * (ow - 1) + 1:stride, :]
            out += np.einsum("nhwc,cf->nhwf", win, kernel[a, b])
    return out


def _grouped_conv2d(data: np.ndarray, kernel: np.ndarray, stride: int, padding: int, groups: int) -> np.ndarray:
    """Each group's output channels convolve that group's input channels only (filter (KH, KW, C/G, F))."""
    cg, fg = data.shape[-1] // groups, kernel.shape[-1] // groups
    return np.concatenate([conv2d_nhwc(data[..., g * cg:(g + 1) * cg], kernel[..., g * fg:(g + 1) * fg], stride,
                                       padding) for g in range(groups)], axis=-1)


#: (kernel file stem, factory) -> expected output from the instance args and float32 inputs.
EXPECTED: dict[tuple[str, str], Callable[[dict[str, Any], list[np.ndarray]], np.ndarray]] = {
    ("gemm", "matmul"): lambda a, x: x[0] @ x[1],
    ("eltwise", "binary"): lambda a, x: x[0] + x[1] if a["op"] == "add" else x[0] * x[1],
    ("extra", "binary_act"): _binary_act,
    ("extra", "gemm_tb_relu"): _gemm_tb,
    ("extra", "unary"): lambda a, x: np.exp(x[0]),
    ("layouts", "matmul_l1"): lambda a, x: x[0] @ x[1],
    ("layouts", "binary_l1"): lambda a, x: x[0] + x[1],
    ("layouts", "matmul_names"): lambda a, x: x[0] @ x[1],
    ("blocking", "matmul"): lambda a, x: x[0] @ x[1],
    ("blocking", "matmul_twice"): lambda a, x: 2 * (x[0] @ x[1]),
    ("conv2d", "convolution"): lambda a, x: conv2d_nhwc(x[0], x[1], a["S"], a["P"], a["D"]),
    ("conv2d", "grouped_convolution"): lambda a, x: _grouped_conv2d(x[0], x[1], a["S"], a["P"], a["G"]),
}


def expected_output(inst: Instance, inputs: list[np.ndarray]) -> np.ndarray:
    fn = EXPECTED[(Path(inst.source).stem, inst.factory)]
    return np.asarray(fn(inst.args, [np.asarray(v, dtype=np.float64) for v in inputs]), dtype=np.float32)


def assert_runs_like_numpy(inst: Instance, out_dir: Path, runner: Any, expected: Callable[..., list[Any]]) -> None:
    """Emit ``inst`` into ``out_dir``, run it on the mock with seeded inputs and compare every output with
    ``expected(*inputs)`` (numpy in float64, written independently of tt-build) and with tt-build's own IR
    reference interpreter: finite, same shape, PCC >= 0.999, max error <= 2 % of the largest value."""
    import zlib  # noqa: PLC0415

    from tt_build.driver import build_primfunc, emit  # noqa: PLC0415
    from tt_build.matrix import make_inputs, pcc, reference_outputs  # noqa: PLC0415

    result = emit(inst.source, inst.factory, inst.args, inst.name, out_dir)
    inputs = make_inputs(result.manifest["params"], zlib.crc32(inst.name.encode()))
    got = runner.run(out_dir, inputs)
    want = expected(*[np.asarray(x, dtype=np.float64) for x in inputs])
    ref = reference_outputs(build_primfunc(inst.source, inst.factory, inst.args)[0], inputs)
    assert len(got) == len(want) == len(ref)
    for g, w, r in zip(got, want, ref):
        g32, w32 = g.astype(np.float32), np.asarray(w, dtype=np.float32)
        assert g32.shape == w32.shape
        assert np.all(np.isfinite(g32))
        assert pcc(g32, w32) >= 0.999
        assert float(np.max(np.abs(g32 - w32)) / np.max(np.abs(w32))) <= 2e-2
        assert float(np.max(np.abs(r - w32)) / np.max(np.abs(w32))) <= 2e-2


def assert_passes_real_header_check(inst: Instance, out_dir: Path) -> None:
    """Emit ``inst`` into ``out_dir`` and type-check its reader, writer and compute kernels (the three
    TRISC builds, with SFPI or tt-build's stand-in declarations) against the ttnn wheel's real headers."""
    from tt_build.check import check_emitted_dir  # noqa: PLC0415
    from tt_build.driver import emit  # noqa: PLC0415
    from tt_build.ttnn_wheel import ensure_ttnn  # noqa: PLC0415

    emit(inst.source, inst.factory, inst.args, inst.name, out_dir)
    report = check_emitted_dir(out_dir, ttnn_root=ensure_ttnn())
    assert report.ok, report.summary()
    for role in ("reader", "writer", "compute"):
        assert report.kernel(role).status == "checked", report.kernel(role).diagnostics
