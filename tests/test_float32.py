"""float32 kernel tensors end to end (issue 12, item 1).

The kernels (tests/data/kernels/float32.py) declare float32 tensors, alone or next to bfloat16 ones. Checked:
the layout (``Float32`` tiles, 4096-byte pages), the unpacker reconfiguration when CBs of two formats meet
(and that VerifyTTIR catches its absence), the DRAM limit at 4 bytes per element, the package callables'
dtypes, the numbers on the mock against numpy (a float32 copy is bit-exact) and the real-header check.
"""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

import ml_dtypes
import numpy as np
import pytest

from tests.e2e import test_build_dir
from tt_build.driver import build_primfunc, emit, list_instances
from tt_build.errors import PassError, VerifyError
from tt_build.ir import PrimFunc
from tt_build.ir import attrs as A
from tt_build.matrix import MockRunner, make_inputs, pcc, reference_outputs
from tt_build.transform import lower
from tt_build.transform._analysis import collect_calls
from tt_build.transform.verify_ttir import verify_structure

KERNELS = Path(__file__).parent / "data" / "kernels" / "float32.py"
INSTANCES = {i.name: i for i in list_instances(KERNELS)}


def _lower(name: str) -> dict[str, PrimFunc]:
    inst = INSTANCES[name]
    mod = lower(build_primfunc(inst.source, inst.factory, inst.args)[0])
    return {f.attrs[A.KERNEL_ROLE]: f for f in mod.functions.values()}


def _cbs(f: PrimFunc) -> dict[str, dict[str, Any]]:
    return {k[len(A.CB_PREFIX):]: v for k, v in f.attrs.items() if k.startswith(A.CB_PREFIX)}


# ----------------------------------------------------------------------------------------- the lowering


def test_float32_tensors_are_float32_tiles_of_4096_byte_pages() -> None:
    comp = _lower("bf16_in_f32_out")["compute"]
    for name, dtype, fmt, page in (("A", "bfloat16", "Float16_b", 2048), ("C", "float32", "Float32", 4096)):
        info = comp.attrs[A.buffer_key(name)]
        assert (info["dtype"], info["data_format"], info["page_size"]) == (dtype, fmt, page)
    cbs = _cbs(comp)
    assert (cbs["a"]["data_format"], cbs["a"]["page_size"]) == ("Float16_b", 2048)
    assert (cbs["c_out"]["data_format"], cbs["c_out"]["page_size"]) == ("Float32", 4096)
    f32 = _lower("f32_gemm")["compute"]
    assert {n: (v["data_format"], v["page_size"]) for n, v in _cbs(f32).items()} == {
        "a": ("Float32", 4096), "b": ("Float32", 4096), "acc": ("Float32", 4096)}
    # fp32 accumulation: DST holds 4 tiles, so the 64×64 accumulator is one DST block
    assert f32.attrs[A.COMPUTE_CONFIG]["fp32_dest_acc_en"] and f32.attrs[A.COMPUTE_CONFIG]["dst_capacity"] == 4


def _calls(f: PrimFunc) -> list[tuple[str, list[str]]]:
    return [(c.op[3:], [getattr(a, "name", None) for a in c.args]) for c in collect_calls(f.body, "tt.")]


def test_operands_of_two_formats_reconfigure_the_unpacker_and_packer() -> None:
    calls = _calls(_lower("bf16_in_f32_out")["compute"])
    ops = [op for op, _ in calls]
    # the startup configures SrcA / SrcB for the bfloat16 blocks; the float32 staged fragment c is copied into
    # c_out (Float32 too) after reconfiguring SrcA for it; the next
    # block's tree reads the bfloat16 block a again: SrcA back to a, once per block (before its tile loop)
    assert calls[0] == ("compute_kernel_hw_startup", ["a", "b", "c"])
    reconfigs = [(i, args) for i, (op, args) in enumerate(calls) if op == "reconfig_data_format_srca"]
    assert [args for _, args in reconfigs] == [["a"], ["c"]]
    assert calls[reconfigs[0][0] + 1:reconfigs[0][0] + 3] == [("tile_regs_acquire", []), ("mul_init", ["a", "b"])]
    assert calls[reconfigs[1][0] + 1] == ("copy_init", ["c"])
    # the float32 tensor's CBs are all Float32: no reconfiguration at all
    assert not any(op.startswith("reconfig") for op, _ in _calls(_lower("f32_scale_add")["compute"]))
    # float32 blocks and staged fragment, bfloat16 output: only the packer changes format
    calls = _calls(_lower("f32_in_bf16_out")["compute"])
    at = calls.index(("pack_reconfig_data_format", ["c_out"]))
    assert ("pack_tile", [None, "c_out"]) in calls[at:] and not any(op.startswith("reconfig") for op, _ in calls)


def test_a_row_sum_of_float32_data_reconfigures_both_source_registers() -> None:
    calls = _calls(_lower("f32_layernorm")["compute"])
    # REDUCE_ROW SUM unpacks the bfloat16 scaler into SrcA and the float32 block into SrcB
    at = next(i for i, (op, _) in enumerate(calls) if op == "reduce_init:SUM:REDUCE_ROW")
    assert calls[at - 1] == ("reconfig_data_format", ["reduce_scaler", "x"])


def test_a_staged_fragment_under_a_runtime_condition_keeps_its_cb_protocol() -> None:
    """Each branch of the `if` leaves the staged CB as it found it: filled, read and popped inside."""
    comp = _lower("mixed_persistent")["compute"]
    from tt_build.ir import IfThenElse, StmtExprVisitor  # noqa: PLC0415

    found: list[Any] = []

    class V(StmtExprVisitor):
        def visit_IfThenElse(self, node: IfThenElse) -> None:  # noqa: N802
            found.append(node)

    V().visit(comp.body)
    (cond,) = found
    protocol = [(c.op[6:], c.args[0].name) for c in collect_calls(cond.then_case, "tt.cb_")]
    assert [p for p in protocol if p[1] in ("z", "z_out")] == [
        ("reserve_back", "z"), ("push_back", "z"), ("wait_front", "z"), ("reserve_back", "z_out"),
        ("push_back", "z_out"), ("pop_front", "z")]


def test_verify_rejects_a_missing_unpacker_or_packer_reconfiguration() -> None:
    inst = INSTANCES["bf16_in_f32_out"]
    mod = lower(build_primfunc(inst.source, inst.factory, inst.args)[0])
    verify_structure(mod, budget=1 << 30)
    from tests.test_rowwise import _tamper  # noqa: PLC0415

    with pytest.raises(VerifyError) as err:
        verify_structure(_tamper(mod, "compute", lambda c: c.op == "tt.reconfig_data_format_srca"), budget=1 << 30)
    assert err.value.producer == "InsertComputeInitTT"
    assert "main_compute: copy_tile unpacks CB c (Float32) into SrcA, which is configured for Float16_b (no " \
           "reconfig_data_format before it)" in str(err.value)
    # the packer: c (Float32) is packed first, then c_out (bfloat16) after pack_reconfig_data_format
    inst = INSTANCES["f32_in_bf16_out"]
    mod = lower(build_primfunc(inst.source, inst.factory, inst.args)[0])
    with pytest.raises(VerifyError) as err:
        verify_structure(_tamper(mod, "compute", lambda c: c.op == "tt.pack_reconfig_data_format"
                                 and c.args[0].name == "c_out"), budget=1 << 30)
    assert err.value.producer == "InsertDSTManagementTT"
    assert "main_compute: pack_tile packs into CB c_out (Float16_b) with the packer configured for Float32 (no " \
           "pack_reconfig_data_format before it)" in str(err.value)


def _kernel(tmp_path: Path, body: str) -> PrimFunc:
    from tt_build.driver import load_kernel_module  # noqa: PLC0415

    path = tmp_path / "k.py"
    path.write_text(f"import tt_build.language as T\n\n\ndef k(dtype='float32'):\n{body}\n    return main\n",
                    encoding="utf-8")
    module, _ = load_kernel_module(path)
    return module.k


def test_dram_limit_counts_four_bytes_per_float32_element(tmp_path: Path) -> None:
    k = _kernel(tmp_path, """    @T.prim_func
    def main(X: T.Tensor((65536, 65536), dtype), Y: T.Tensor((32, 32), dtype)):
        with T.Kernel(1) as bx:
            x = T.alloc_shared((32, 32), dtype)
            T.copy(X[0, 0], x)
            T.copy(x, Y[0, 0])
""")
    lower(k(dtype="bfloat16"))  # 8 GiB as bfloat16: fits a Wormhole's 12 GiB
    with pytest.raises(PassError) as err:
        lower(k())
    assert err.value.pass_name == "InferTTLayout" and err.value.loc.line == 6
    assert err.value.msg == ("tensor X (65536 x 65536 float32) needs 16.00 GiB (17,179,869,184 bytes) of device DRAM; "
                             "a wormhole_b0 device has 12.00 GiB (12,884,901,888 bytes)")


def test_a_float32_tensor_into_a_bfloat16_buffer_stays_rejected(tmp_path: Path) -> None:
    k = _kernel(tmp_path, """    @T.prim_func
    def main(X: T.Tensor((32, 32), dtype), Y: T.Tensor((32, 32), dtype)):
        with T.Kernel(1) as bx:
            x = T.alloc_shared((32, 32), "bfloat16")
            T.copy(X[0, 0], x)
            T.copy(x, Y[0, 0])
""")
    with pytest.raises(PassError) as err:
        lower(k())
    assert err.value.msg == "T.copy from X (float32) into x (bfloat16) would convert data in the reader"
    assert err.value.hint == "stage tensors in an on-chip buffer of the tensor's dtype" and err.value.loc.line == 9


# ----------------------------------------------------------------------------------------- the package API


def test_package_callables_take_and_return_float32_for_float32_tensors() -> None:
    """A float32 input travels as 32-bit patterns, a bfloat16 output comes back as bfloat16 (the host program
    is replaced by a stub writing 2 × X rounded to bfloat16 into Y)."""
    import ctypes  # noqa: PLC0415
    import threading  # noqa: PLC0415

    from tt_build.runtime.loader import Kernel, param_nbytes  # noqa: PLC0415

    manifest = {"params": [{"name": "X", "shape": [2, 3], "dtype": "float32", "role": "input"},
                           {"name": "Y", "shape": [2, 3], "dtype": "bfloat16", "role": "output"}]}

    class Pkg:
        lock = threading.Lock()

    kernel = Kernel(Pkg(), "mixed", Path("."), manifest)  # type: ignore[arg-type]
    assert [param_nbytes(p) for p in manifest["params"]] == [24, 12]

    def run_raw(ins: list[int], outs: list[int]) -> None:
        src = np.ctypeslib.as_array((ctypes.c_uint32 * 6).from_address(ins[0])).view(np.float32)
        dst = np.ctypeslib.as_array((ctypes.c_uint16 * 6).from_address(outs[0])).view(ml_dtypes.bfloat16)
        dst[:] = (src * np.float32(2)).astype(ml_dtypes.bfloat16)

    kernel.run_raw = run_raw  # type: ignore[method-assign]
    x = np.array([[0.1, -2.5, 3.0], [1e-3, 1000.0, -0.5]], dtype=np.float32)
    got = kernel(x)  # float32 is the tensor's own type: the bfloat16 output comes back as bfloat16
    assert got.dtype == ml_dtypes.bfloat16
    assert np.array_equal(got, (x * np.float32(2)).astype(ml_dtypes.bfloat16))
    with pytest.raises(TypeError) as err:
        kernel(x.astype(np.float64))
    assert str(err.value) == "mixed: argument 0 (X) must be float32, got float64"
    with pytest.raises(TypeError) as err:
        kernel(x.astype(ml_dtypes.bfloat16))
    assert str(err.value) == "mixed: argument 0 (X) must be float32, got bfloat16"


# ----------------------------------------------------------------------------------------- on the mock


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _layernorm(x: np.ndarray, g: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    xc = x - x.mean(axis=1, keepdims=True)
    return xc / np.sqrt((xc * xc).mean(axis=1, keepdims=True) + eps) * g


def _scale_add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a * b + a * 0.5


#: The FPU's source registers hold float32 operands as TF32 (docs/mock_sdk.md, Math fidelity): at HiFi4 the
#: multiplier sees mantissa bits 22..14 of its SrcA operand and 22..13 of its SrcB operand (truncated). A
#: product is then off by at most 2**-9 + 2**-10 relative; sums of such products (GEMM, the reductions' scaler
#: products, softmax's normalisation) stay inside that bound relative to the largest output. Additions and
#: SFPU math stay float32 (2**-24 per op), negligible next to it.
_TF32 = 2.0**-9 + 2.0**-10
_SRCA_MASK, _SRCB_MASK = 0xFFFFC000, 0xFFFFE000


def _tf32(x: np.ndarray, mask: int) -> np.ndarray:
    return (np.asarray(x, dtype=np.float32).view(np.uint32) & np.uint32(mask)).view(np.float32)


#: instance → (numpy reference in float64, bound on max |got - want| / max |want|). A float32 tensor reaches
#: the mock bit for bit; an instance whose FPU multiplies float32 operands is bounded by TF32 (_TF32 above);
#: one whose FPU products take bfloat16 operands (exact in TF32) differs from the float64 reference only by
#: float32 rounding: one rounding per op (2**-24 relative) and, for a sum over n values (the GEMM's K = 128),
#: at most n of them: 128 × 2**-24 < 1e-5 (measured: below 5e-7). A bfloat16 output adds one rounding to 8 significant bits
#: (2**-8 relative): 4e-3 (measured 2.6e-3).
EXPECTED: dict[str, tuple[Any, float]] = {
    "f32_copy": (lambda x: x, 0.0),
    "f32_scale_add": (_scale_add, _TF32),
    "bf16_in_f32_out": (_scale_add, 1e-5),
    "f32_in_bf16_out": (_scale_add, 4e-3),
    "f32_softmax": (_softmax, _TF32),
    "f32_layernorm": (_layernorm, _TF32),
    "f32_gemm": (lambda a, b: a @ b, _TF32),
    "bf16_gemm_f32_out": (lambda a, b: a @ b, 1e-5),
    # exp(x) (float32 in DST) times y: an FPU product of float32 operands
    "mixed_persistent": (lambda x, y: np.exp(x) * y + x, _TF32),
}


def test_every_float32_instance_has_an_expected_output() -> None:
    assert sorted(EXPECTED) == sorted(INSTANCES)


@pytest.fixture(scope="module")
def runner() -> MockRunner:
    return MockRunner(test_build_dir())


@pytest.mark.compile
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_float32_kernel_matches_numpy_on_mock(name: str, tmp_path: Path, runner: MockRunner) -> None:
    inst = INSTANCES[name]
    result = emit(inst.source, inst.factory, inst.args, name, tmp_path / name)
    inputs = make_inputs(result.manifest["params"], zlib.crc32(name.encode()))
    params = {p["name"]: p for p in result.manifest["params"]}
    (got,) = runner.run(tmp_path / name, inputs)
    out = next(p for p in result.manifest["params"] if p["role"] == "output")
    assert got.dtype == (np.float32 if out["dtype"] == "float32" else ml_dtypes.bfloat16)
    assert [x.dtype for x in inputs] == [np.float32 if params[p]["dtype"] == "float32" else ml_dtypes.bfloat16
                                         for p in params if params[p]["role"] == "input"]
    ref, tol = EXPECTED[name]
    want = ref(*[np.asarray(x, dtype=np.float64) for x in inputs])
    if tol == 0.0:  # a float32 tensor through L1 and back: the same bits
        assert np.array_equal(got.view(np.uint32), np.asarray(inputs[0]).view(np.uint32))
        return
    got64 = got.astype(np.float64)
    assert got64.shape == want.shape and np.all(np.isfinite(got64))
    assert pcc(got64, want) >= 0.99999
    assert float(np.max(np.abs(got64 - want)) / np.max(np.abs(want))) <= tol, name
    if name == "f32_in_bf16_out":  # the packer rounds the float32 result to nearest bfloat16, exactly
        a, b = (np.asarray(x, dtype=np.float32) for x in inputs)
        product = _tf32(a, _SRCA_MASK) * _tf32(b, _SRCB_MASK)  # exact in float32 (10 x 11 significant bits)
        assert np.array_equal(got, (product + a * np.float32(0.5)).astype(ml_dtypes.bfloat16))
    # tt-build's IR reference interpreter agrees (it rounds every store to the buffer's dtype)
    (ref_out,) = reference_outputs(build_primfunc(inst.source, inst.factory, inst.args)[0], inputs)
    assert float(np.max(np.abs(ref_out - want)) / np.max(np.abs(want))) <= tol


# ----------------------------------------------------------------------------------------- real headers


@pytest.mark.network
@pytest.mark.compile
@pytest.mark.parametrize("name", ["bf16_in_f32_out", "f32_layernorm", "f32_gemm"])
def test_float32_kernels_pass_the_real_header_check(name: str, tmp_path: Path) -> None:
    """Reader, compute and writer compile against the ttnn 0.81 wheel's headers, reconfiguration calls included."""
    import shutil  # noqa: PLC0415

    from tests.e2e import assert_passes_real_header_check  # noqa: PLC0415

    if shutil.which("g++") is None:
        pytest.skip("no host g++: the real-header check needs one")
    assert_passes_real_header_check(INSTANCES[name], tmp_path / name)

