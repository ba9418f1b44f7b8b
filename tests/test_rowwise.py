"""Row-wise kernels (issue 12): dtypes, reductions, broadcasts, expression trees, the SFPU math library.

The kernels (tests/data/kernels/rowwise.py) are written as TileLang writes them. Each is lowered and its
IR checked for the properties the lowering promises (reduce scaler CB, broadcast operands, staged
fragments); on the mock device each is compared with a numpy reference written by hand here (not the IR
interpreter), with a tolerance per kernel justified next to it.
"""

from __future__ import annotations

import math
import zlib
from pathlib import Path
from typing import Any

import ml_dtypes
import numpy as np
import pytest

from tests.e2e import test_build_dir
from tt_build.driver import emit, list_instances, load_kernel_module
from tt_build.errors import FrontendError, PassError, VerifyError
from tt_build.ir import IRModule, PrimFunc, StmtExprMutator, Call, Evaluate, Stmt
from tt_build.ir import attrs as A
from tt_build.matrix import MockRunner, make_inputs, pcc, reference_outputs
from tt_build.transform import lower
from tt_build.transform._analysis import collect_calls
from tt_build.transform.verify_ttir import verify_structure

ROWWISE = Path(__file__).parent / "data" / "kernels" / "rowwise.py"
INSTANCES = {i.name: i for i in list_instances(ROWWISE)}


def _func(name: str) -> PrimFunc:
    module, _ = load_kernel_module(ROWWISE)
    inst = INSTANCES[name]
    return getattr(module, inst.factory)(**inst.args)


def _roles(mod: IRModule) -> dict[str, PrimFunc]:
    return {f.attrs[A.KERNEL_ROLE]: f for f in mod.functions.values()}


def _ops(f: PrimFunc) -> list[str]:
    return [c.op for c in collect_calls(f.body, "tt.")]


# ----------------------------------------------------------------------------------------- the front end


def test_dtype_aliases_and_factory_annotation() -> None:
    f = _func("softmax_256x1024")  # dtype: T.dtype = "bfloat16", accum_dtype: T.dtype = "float"
    bufs = {b.name: b for b in _allocs(f)}
    assert bufs["y"].dtype == "float32" and bufs["x"].dtype == "bfloat16"
    assert bufs["row_max"].shape == (32,)


def _allocs(f: PrimFunc) -> list[Any]:
    from tt_build.ir import Allocate, StmtExprVisitor  # noqa: PLC0415

    out = []

    class V(StmtExprVisitor):
        def visit_Allocate(self, node: Allocate) -> None:  # noqa: N802
            out.append(node.buffer)
            self.generic_visit(node)

    V().visit(f.body)
    return out


def _kernel(tmp_path: Path, body: str, extra: str = "") -> Path:
    src = f'''import tt_build.language as T
{extra}

def k(M=64, N=64):
    @T.prim_func
    def main(A: T.Tensor((M, N), "bfloat16"), C: T.Tensor((M, N), "bfloat16")):
        with T.Kernel(1, 2) as (bx, by):
            a = T.alloc_shared((32, 64), "bfloat16")
            c = T.alloc_fragment((32, 64), "float")
            v = T.alloc_fragment((32,), "float")
            T.copy(A[by * 32, 0], a)
{body}
            T.copy(c, C[by * 32, 0])

    return main
'''
    path = tmp_path / "k.py"
    path.write_text(src, encoding="utf-8")
    return path


def _diag(path: Path) -> FrontendError:
    module, _ = load_kernel_module(path)
    with pytest.raises(FrontendError) as err:
        module.k()
    return err.value


def test_every_independent_error_of_a_kernel_is_reported(tmp_path: Path) -> None:
    path = _kernel(tmp_path, "            T.reduce_sum(a, c, dim=1)\n"
                             "            for i, j in T.Parallel(32, 64):\n"
                             "                c[i, j] = a[i, j] // 2\n"
                             "            T.reduce_min(a, v, dim=2)\n")
    err = _diag(path)
    text = str(err)
    assert err.msg == "T.reduce_sum writes a 1-D T.alloc_fragment; c is a 2-D fragment buffer"
    assert [o.msg for o in err.others] == ["unsupported operator '//' in a T.Parallel body",
                                           "T.reduce_min dim must be 0, 1 or -1, got `2`"]
    assert [o.loc.line for o in err.others] == [14, 15]
    assert text.count(": error: ") == 3


def test_unknown_t_name_in_a_factory_is_located(tmp_path: Path) -> None:
    path = tmp_path / "k.py"
    path.write_text("import tt_build.language as T\n\n\ndef k():\n    acc = T.float8_e4m3\n    x = T.softmaxx\n",
                    encoding="utf-8")
    module, _ = load_kernel_module(path)
    with pytest.raises(FrontendError) as err:
        module.k()
    assert str(err.value).splitlines()[0] == f"{path}:5:11: error: unsupported dtype T.float8_e4m3"
    path.write_text("import tt_build.language as T\n\n\ndef k():\n    x = T.reduce_summ\n", encoding="utf-8")
    module, _ = load_kernel_module(path)
    with pytest.raises(FrontendError) as err:
        module.k()
    assert err.value.msg == "unknown name T.reduce_summ" and err.value.hint == "did you mean T.reduce_sum?"
    assert not hasattr(__import__("tt_build.language").language, "nope")  # still an AttributeError


def test_unsupported_dtype_at_import_time_gets_the_dtype_message(tmp_path: Path) -> None:
    path = tmp_path / "k.py"
    path.write_text("import tt_build.language as T\n\n\ndef k(dtype=T.float64):\n    pass\n", encoding="utf-8")
    with pytest.raises(FrontendError) as err:
        load_kernel_module(path)
    assert err.value.msg == "unsupported dtype T.float64" and err.value.loc.line == 4


@pytest.mark.parametrize(("body", "msg"), [
    ("            T.reduce_sum(a, v, dim=0)\n",
     "shape mismatch in T.reduce_sum: a is 32×64, so dim=0 gives 64 values (one per column), but v holds 32"),
    ("            T.reduce_max(a, v, dim=2)\n", "T.reduce_max dim must be 0, 1 or -1, got `2`"),
    ("            for i, j in T.Parallel(32, 64):\n                c[i, j] = T.pow(a[i, j], a[i, j])\n",
     "T.pow needs a constant exponent, got `a[i, j]`"),
    # an index condition the grid decides folds (issue 13); one it does not decide is located
    ("            for i, j in T.Parallel(32, 64):\n                c[i, j] = T.if_then_else(bx < by, a[i, j], 0)\n",
     "the index condition `bx < by` of T.if_then_else is not decided by the grid and loop ranges"),
    ("            T.reduce_max(a, v)\n            for i, j in T.Parallel(32, 64):\n                c[i, j] = v[j]\n",
     "v has 32 values but the T.Parallel extent of j is 64"),
])
def test_rowwise_diagnostics(tmp_path: Path, body: str, msg: str) -> None:
    err = _diag(_kernel(tmp_path, body))
    assert err.msg == msg
    assert err.loc is not None and err.loc.file == str(tmp_path / "k.py")


def test_vector_used_both_ways_is_a_pass_diagnostic(tmp_path: Path) -> None:
    path = _kernel(tmp_path, "            T.reduce_max(a, v)\n            w = T.alloc_fragment((64,), 'float')\n"
                             "            T.reduce_sum(a, w, dim=0)\n"
                             "            for i, j in T.Parallel(32, 64):\n"
                             "                c[i, j] = a[i, j] - v[i] + w[j]\n")
    module, _ = load_kernel_module(path)
    mod = lower(module.k())  # a column vector and a row vector
    comp = _roles(mod)["compute"]
    assert comp.attrs[A.buffer_key("v")]["tiles"] == [1, 1] and comp.attrs[A.buffer_key("w")]["tiles"] == [1, 2]
    assert comp.attrs[A.buffer_key("w")]["vector"] == "row"
    assert "tt.add_binary_tile" in _ops(comp) and "tt.unary_bcast:ROW" in _ops(comp)
    src = """import tt_build.language as T


def k():
    @T.prim_func
    def main(A: T.Tensor((32, 32), "bfloat16"), C: T.Tensor((32, 32), "bfloat16")):
        with T.Kernel(1) as bx:
            a = T.alloc_shared((32, 32), "bfloat16")
            c = T.alloc_fragment((32, 32), "float")
            v = T.alloc_fragment((32,), "float")
            T.copy(A[0, 0], a)
            T.reduce_max(a, v, dim=1)
            for i, j in T.Parallel(32, 32):
                c[i, j] = a[i, j] * v[j]
            T.copy(c, C[0, 0])

    return main
"""
    path = tmp_path / "both.py"
    path.write_text(src, encoding="utf-8")
    module, _ = load_kernel_module(path)
    with pytest.raises(PassError) as err:
        lower(module.k())
    assert err.value.msg == ("1-D buffer v is used as a column vector (one value per row) and as a row vector (one "
                             "value per column)")
    assert err.value.loc.line == 14


def test_read_before_write_of_a_staged_fragment_is_a_diagnostic(tmp_path: Path) -> None:
    path = _kernel(tmp_path, "            for i, j in T.Parallel(32, 64):\n                c[i, j] = a[i, j] * v[i]\n"
                             "            T.reduce_max(a, v)\n")
    module, _ = load_kernel_module(path)
    with pytest.raises(PassError) as err:
        lower(module.k())
    assert err.value.msg.startswith("fragment v is read before it is written")
    assert err.value.loc.line == 13


# ----------------------------------------------------------------------------------------- the lowering


def test_softmax_lowers_to_reduce_and_bcast_with_the_scaler_cb() -> None:
    roles = _roles(lower(_func("softmax_256x1024")))
    comp, reader = roles["compute"], roles["reader"]
    ops = _ops(comp)
    cbs = {k[len(A.CB_PREFIX):]: v for k, v in comp.attrs.items() if k.startswith(A.CB_PREFIX)}
    assert cbs["reduce_scaler"]["kind"] == "scaler" and cbs["y"]["kind"] == "staged"
    assert cbs["y_out"]["kind"] == "output" and cbs["y_out"]["drains"] == "y" and cbs["y"]["drained_by"] == "y_out"
    assert comp.attrs[A.buffer_key("row_max")]["vector"] == "col"
    assert comp.attrs[A.buffer_key("row_max")]["tiles"] == [1, 1]
    assert "tt.reduce_init:MAX:REDUCE_ROW" in ops and "tt.reduce_tile:SUM:REDUCE_ROW" in ops
    assert ops.count("tt.reduce_uninit") == 2
    assert "tt.sub_tiles_bcast_cols" in ops and "tt.unary_bcast:COL" in ops and "tt.div_binary_tile" in ops
    assert "tt.fill_scaler_tile" in _ops(reader)
    # the reduce reads its scaler at tile 0 of the scaler CB
    red = next(c for c in collect_calls(comp.body, "tt.") if c.op.startswith("tt.reduce_tile:"))
    assert red.args[1].name == "reduce_scaler"


@pytest.mark.parametrize("name", sorted(INSTANCES))
def test_every_rowwise_instance_lowers_and_verifies(name: str) -> None:
    mod = lower(_func(name))
    comp = _roles(mod)["compute"]
    assert not any(c.op.endswith("_block") for c in collect_calls(comp.body, "tt."))
    assert comp.attrs[A.COMPUTE_CONFIG]["fp32_dest_acc_en"] == any(
        b.dtype == "float32" for b in _allocs(_func(name)) if b.scope == "fragment")


@pytest.mark.parametrize(("name", "cap", "fmt", "stages"), [("deep_tree", 8, "Float16_b", 1),
                                                           ("deep_tree_fp32", 4, "Float32", 2)])
def test_a_tree_deeper_than_dst_is_staged_through_circular_buffers(name: str, cap: int, fmt: str, stages: int) -> None:
    """The tree needs 9 registers: InsertDSTManagementTT packs subtrees into internal staged CBs (one block of
    c's tiles, in DST's precision) and the tree reads them back; every DST index stays below the capacity."""
    mod = lower(_func(name))
    comp = _roles(mod)["compute"]
    assert comp.attrs[A.COMPUTE_CONFIG]["dst_capacity"] == cap
    cbs = {k[len(A.CB_PREFIX):]: v for k, v in comp.attrs.items() if k.startswith(A.CB_PREFIX)}
    staged = sorted(n for n, v in cbs.items() if v.get("stages_for") == "c")
    assert staged == ["c_stage", "c_stage1"][:stages]
    for n in staged:
        assert {k: cbs[n][k] for k in ("kind", "data_format", "block_pages", "depth_pages")} == {
            "kind": "staged", "data_format": fmt, "block_pages": 2, "depth_pages": 2}
        # a CB resource of the whole kernel: the host plan creates it, the compute kernel gets its id
        assert any(cb["name"] == n for cb in mod.attrs[A.HOST_PLAN]["cbs"])
        assert n in [a["buffer"] for a in comp.attrs[A.COMPILE_TIME_ARGS] if a["kind"] == "cb_id"]
    calls = collect_calls(comp.body, "tt.")
    for n in staged:
        protocol = [c.op[6:] for c in calls if c.op.startswith("tt.cb_") and c.args[0].name == n]
        assert protocol == ["reserve_back", "push_back", "wait_front", "pop_front"], n
        assert any(c.op == "tt.pack_tile" and c.args[1].name == n for c in calls)
    dst_index = {"tt.copy_tile": 2, "tt.mul_binary_tile": 0, "tt.add_binary_tile": 0, "tt.sub_binary_tile": 0}
    assert max(int(c.args[dst_index[c.op]].value) for c in calls if c.op in dst_index) == cap - 1
    assert max(int(c.args[1].value) for c in calls if c.op.endswith("_binary_tile")) <= cap - 1
    # VerifyTTIR checks the stage's CB balance
    dropped = _tamper(mod, "compute", lambda c: c.op == "tt.cb_pop_front" and c.args[0].name == "c_stage")
    with pytest.raises(VerifyError) as err:
        verify_structure(dropped, budget=1 << 30)
    assert "c_stage" in str(err.value) and err.value.producer == "LowerCBIntrinsics"


def test_an_in_place_tree_deeper_than_dst_stays_a_diagnostic(tmp_path: Path) -> None:
    """Every deep part reads the fragment it replaces tile by tile: nothing can be staged before it."""
    deep = "T.exp(c[i, j]) * (T.exp(c[i, j]) * (T.exp(c[i, j]) * (T.exp(c[i, j]) * T.exp(c[i, j]))))"
    path = _kernel(tmp_path, "            for i, j in T.Parallel(32, 64):\n                c[i, j] = a[i, j]\n"
                             f"            for i, j in T.Parallel(32, 64):\n                c[i, j] = {deep}\n")
    module, _ = load_kernel_module(path)
    with pytest.raises(PassError) as err:
        lower(module.k())
    assert err.value.msg == ("the expression stored into c needs 5 DST registers but DST holds 4 tiles here, and no "
                             "part of it can be staged through a circular buffer (an in-place update must keep "
                             "reading c)")
    assert err.value.loc.line == 15 and err.value.pass_name == "InsertDSTManagementTT"


def test_packs_into_a_cb_of_another_format_reconfigure_the_packer() -> None:
    comp = _roles(lower(_func("layernorm_64x256")))["compute"]
    fmt = {k[len(A.CB_PREFIX):]: v["data_format"] for k, v in comp.attrs.items() if k.startswith(A.CB_PREFIX)}
    calls = [c for c in collect_calls(comp.body, "tt.") if c.op in ("tt.pack_tile", "tt.pack_reconfig_data_format")]
    current = fmt["mean"]  # the packer is configured for the first output CB by compute_kernel_hw_startup
    for c in calls:
        cb = c.args[0] if c.op == "tt.pack_reconfig_data_format" else c.args[1]
        if c.op == "tt.pack_reconfig_data_format":
            assert fmt[cb.name] != current or cb.name == "mean", cb.name
            current = fmt[cb.name]
        else:
            assert fmt[cb.name] == current, f"pack into {cb.name} ({fmt[cb.name]}) with the packer in {current}"
    assert {fmt["xc"], fmt["y"]} == {"Float32", "Float16_b"}


def test_fma_and_chains_use_fpu_then_sfpu() -> None:
    ops = _ops(_roles(lower(_func("fma_64x64")))["compute"])
    assert "tt.mul_tiles" in ops and "tt.add_reuse_dest_tiles:DEST_TO_SRCA" in ops and "tt.add_binary_tile" not in ops
    ops = _ops(_roles(lower(_func("chain_scale_shift")))["compute"])
    assert "tt.mul_unary_tile" in ops and "tt.sub_unary_tile" in ops and "tt.binop_with_scalar_tile_init" in ops
    ops = _ops(_roles(lower(_func("chain_select")))["compute"])
    assert {"tt.gt_binary_tile", "tt.where_tile:Float32", "tt.unary_max_tile"} <= set(ops)


class _Drop(StmtExprMutator):
    def __init__(self, pred: Any) -> None:
        self.pred = pred

    def visit_Evaluate(self, node: Evaluate) -> Stmt:  # noqa: N802
        if isinstance(node.value, Call) and self.pred(node.value):
            from tt_build.ir import SeqStmt  # noqa: PLC0415

            return SeqStmt([])
        return node


def _tamper(mod: IRModule, role: str, pred: Any) -> IRModule:
    funcs = {n: (f.with_body(_Drop(pred).visit(f.body)) if f.attrs[A.KERNEL_ROLE] == role else f)
             for n, f in mod.functions.items()}
    return IRModule(funcs, dict(mod.attrs), mod.loc)


def test_verify_checks_the_reduce_scaler_and_bcast_protocols() -> None:
    mod = lower(_func("rmsnorm_64x512"))
    verify_structure(mod, budget=1 << 30)
    with pytest.raises(VerifyError) as err:
        verify_structure(_tamper(mod, "compute", lambda c: c.op.startswith("tt.reduce_init:")), budget=1 << 30)
    assert "reduce_tile SUM REDUCE_ROW is not preceded by its reduce_init" in str(err.value)
    with pytest.raises(VerifyError) as err:
        verify_structure(_tamper(mod, "reader", lambda c: c.op == "tt.fill_scaler_tile"), budget=1 << 30)
    assert "the reduce scaler CB reduce_scaler is never filled by the reader" in str(err.value)
    with pytest.raises(VerifyError) as err:
        verify_structure(_tamper(mod, "compute", lambda c: c.op == "tt.cb_wait_front"
                                 and c.args[0].name == "reduce_scaler"), budget=1 << 30)
    assert "reduce_tile reads CB reduce_scaler before waiting for it" in str(err.value)
    # a broadcast of a vector attributed the wrong orientation
    mod = lower(_func("softmax_256x1024"))
    funcs = {}
    for n, f in mod.functions.items():
        attrs = dict(f.attrs)
        attrs[A.buffer_key("row_max")] = {**attrs[A.buffer_key("row_max")], "vector": "row"}
        funcs[n] = PrimFunc(f.name, f.params, f.body, attrs, f.loc)
    with pytest.raises(VerifyError) as err:
        verify_structure(IRModule(funcs, dict(mod.attrs), mod.loc), budget=1 << 30)
    assert "sub_tiles_bcast_cols broadcasts row_max, which is not a column vector" in str(err.value)


# ----------------------------------------------------------------------------------------- on the mock


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _layernorm(x: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    xc = x - x.mean(axis=1, keepdims=True)
    return xc / np.sqrt((xc * xc).mean(axis=1, keepdims=True) + eps)


def _rmsnorm(x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    return x / np.sqrt((x * x).mean(axis=1, keepdims=True) + eps)


_erf = np.vectorize(math.erf)


def _deep(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    sig = _sigmoid
    return np.exp(a * 0.5) * (np.exp(b * 0.5) + (np.exp(a * 0.25) * (sig(b) - (np.exp(b * 0.25) * (np.tanh(a) + (
        np.exp(a * 0.5) * (sig(a) - (np.exp(b * 0.5) * np.tanh(b)))))))))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


#: instance → (numpy reference from float64 inputs, bound on max |got - want| / max |want|).
#: Every output is packed into a bfloat16 tensor: one rounding to 8 mantissa bits is a relative error of up to
#: 2**-9 (0.2%) of the value. The inputs are bfloat16 already; intermediates stay in float32 (DST in fp32 mode,
#: float32 staged fragments) and the mock's SFPU ops (exp, exp2, log, rsqrt, recip, sigmoid, tanh, silu, erf)
#: compute in float32 (docs/mock_sdk.md), so the float32 error of a chain (exp of a max-shifted row, 1/sum over
#: 4096 values, rsqrt of a mean) stays far below the output rounding: 1% bounds every kernel with 5x margin
#: over the 0.2% rounding (measured: 0.2-0.35%). bfloat16 staged fragments (y in rmsnorm / online softmax)
#: round once more in the middle: still within 1%.
EXPECTED: dict[str, tuple[Any, float]] = {
    "softmax_256x1024": (lambda x: _softmax(x), 1e-2),
    "softmax_128x4096": (lambda x: _softmax(x), 1e-2),
    # float16 tensors and on-chip block (DataFormat::Float16): output rounding to 11 bits, finer than bf16
    "softmax_half_64x256": (lambda x: _softmax(x), 1e-2),
    "online_softmax_64x512": (lambda x: _softmax(x), 1e-2),
    "layernorm_64x256": (lambda x: _layernorm(x), 1e-2),
    "rmsnorm_64x512": (lambda x: _rmsnorm(x), 1e-2),
    "fma_64x64": (lambda p, q, r: p * q + r, 1e-2),
    "chain_scale_shift": (lambda a, b: a * 0.5 + b * 2.0 - 1.0, 1e-2),
    "chain_mix": (lambda a, b: (a - b) * (a + b) / 4.0, 1e-2),
    "chain_acc": (lambda a, b: (a * 2.0 + b) * a, 1e-2),
    # the staged fragment is float16 (DataFormat::Float16 tiles): one more rounding, finer than bfloat16's
    "chain_mix_half": (lambda a, b: (a - b) * (a + b) / 4.0, 1e-2),
    "chain_act": (lambda a, b: _sigmoid(a) * np.tanh(b) + a * _sigmoid(a), 1e-2),
    "chain_select": (lambda a, b: np.where(a > b, a - b, np.maximum(b, 0.25)), 1e-2),
    "chain_clamp": (lambda a, b: np.clip(a * 3.0, -1.0, 1.0) + np.minimum(a, b), 1e-2),
    # the prepared reductions (min = -max(-x), abs-sum, abs-max over a float32 copy of the source)
    "reduce_min_rows": (lambda x: x - x.min(axis=1, keepdims=True), 1e-2),
    "reduce_abssum_rows": (lambda x: x - np.abs(x).sum(axis=1, keepdims=True), 1e-2),
    "reduce_absmax_cols": (lambda x: x - np.abs(x).max(axis=0, keepdims=True), 1e-2),
    # one op each: same bound (the mock's SFPU ops are float32-exact; see above)
    "math_exp2": (lambda a, b: np.exp2(a * 4.0), 1e-2),
    "math_log": (lambda a, b: np.log(np.abs(a) + 0.5), 1e-2),
    "math_log2": (lambda a, b: np.log2(np.abs(a) + 0.5), 1e-2),
    "math_sqrt": (lambda a, b: np.sqrt(np.abs(a)), 1e-2),
    "math_rsqrt": (lambda a, b: 1.0 / np.sqrt(np.abs(a) + 0.25), 1e-2),
    "math_recip": (lambda a, b: 1.0 / (np.abs(a) + 0.25), 1e-2),
    "math_div": (lambda a, b: a / (np.abs(b) + 0.5), 1e-2),
    "math_div_const": (lambda a, b: a / 3.0 - 2.0 / (b + 4.0), 1e-2),
    "math_abs_neg": (lambda a, b: np.abs(a) - b, 1e-2),
    "math_max_min": (lambda a, b: np.maximum(a, b) * 2.0 + np.minimum(a * 4.0, 1.5), 1e-2),
    "math_gelu": (lambda a, b: 0.5 * (3 * a) * (1.0 + _erf(3 * a / math.sqrt(2.0))), 1e-2),
    "math_erf": (lambda a, b: _erf(2.0 * a), 1e-2),
    "math_pow": (lambda a, b: a ** 3 + np.sqrt(np.abs(b) + 0.5), 1e-2),
    "math_where": (lambda a, b: np.where(a <= 0.25, np.exp(a), b * b), 1e-2),
    "math_sub_from_block": (lambda a, b: b - np.exp(a), 1e-2),
    # staged subtrees: one more rounding per stage (bfloat16 stages in 16-bit mode; float32 ones with fp32 DST)
    "deep_tree": (lambda a, b: _deep(a, b), 1e-2),
    "deep_tree_fp32": (lambda a, b: _deep(a, b), 1e-2),
}


def test_every_rowwise_instance_has_an_expected_output() -> None:
    assert sorted(EXPECTED) == sorted(INSTANCES)


def test_ir_reference_agrees_with_the_hand_written_one() -> None:
    """The matrix's IR interpreter (tl.reduce, broadcasts, tree math) matches the numpy formulas."""
    rng = np.random.default_rng(0)
    for name, (ref, _) in EXPECTED.items():
        f = _func(name)
        ins = [rng.standard_normal(p.shape).astype(ml_dtypes.bfloat16).astype(np.float64) for p in f.params[:-1]]
        (got,) = reference_outputs(f, ins)
        want = ref(*ins)
        assert np.max(np.abs(got - want)) <= 2e-2 * max(1.0, float(np.max(np.abs(want)))), name


@pytest.fixture(scope="module")
def runner() -> MockRunner:
    return MockRunner(test_build_dir())


@pytest.mark.compile
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_rowwise_kernel_matches_numpy_on_mock(name: str, tmp_path: Path, runner: MockRunner) -> None:
    inst = INSTANCES[name]
    result = emit(inst.source, inst.factory, inst.args, name, tmp_path / name)
    inputs = make_inputs(result.manifest["params"], zlib.crc32(name.encode()))
    (got,) = runner.run(tmp_path / name, inputs)
    assert got.dtype == (np.float16 if "half" in name and "chain" not in name else ml_dtypes.bfloat16)
    ref, tol = EXPECTED[name]
    want = ref(*[np.asarray(x, dtype=np.float64) for x in inputs])
    got32 = got.astype(np.float32)
    assert got32.shape == want.shape
    assert np.all(np.isfinite(got32))
    assert pcc(got32, want) >= 0.999
    err = float(np.max(np.abs(got32 - want)) / np.max(np.abs(want)))
    assert err <= tol, (name, err)
    assert math.isfinite(err)


# ----------------------------------------------------------------------------------------- real headers

#: instances whose kernels together use every tile call the row-wise lowering emits (reduce, bcast, unary
#: bcast, reuse-dest, the SFPU unary / scalar / binary ops, comparisons and where, pack reconfiguration)
HEADER_CHECKED = ("softmax_256x1024", "softmax_half_64x256", "online_softmax_64x512", "layernorm_64x256", "fma_64x64",
                  "chain_select",
                  "chain_act", "math_pow", "math_log2", "math_gelu", "math_erf", "math_sqrt", "math_recip",
                  "math_sub_from_block", "chain_clamp", "chain_scale_shift", "chain_mix_half", "reduce_absmax_cols",
                  "deep_tree", "deep_tree_fp32")


@pytest.mark.network
@pytest.mark.compile
@pytest.mark.parametrize("name", HEADER_CHECKED)
def test_rowwise_kernels_pass_the_real_header_check(name: str, tmp_path: Path) -> None:
    """Reader, compute and writer of each instance compile against the ttnn 0.81 wheel's device headers."""
    import shutil  # noqa: PLC0415

    from tt_build.check import check_emitted_dir  # noqa: PLC0415
    from tt_build.ttnn_wheel import ensure_ttnn  # noqa: PLC0415

    if shutil.which("g++") is None:
        pytest.skip("no host g++: the real-header check needs one")
    inst = INSTANCES[name]
    emit(inst.source, inst.factory, inst.args, name, tmp_path / name)
    report = check_emitted_dir(tmp_path / name, ttnn_root=ensure_ttnn())
    assert [k.status for k in report.kernels] == ["checked", "checked", "checked"], \
        "\n".join(k.diagnostics for k in report.kernels)


def test_package_callables_take_and_return_float16_for_float16_tensors() -> None:
    """The runtime loader converts each argument to its tensor's 16-bit type and returns outputs in theirs
    (the host program is replaced by a stub that doubles its input, element by element, in float16)."""
    import threading  # noqa: PLC0415

    from tt_build.runtime.loader import Kernel  # noqa: PLC0415

    manifest = {"params": [{"name": "X", "shape": [2, 3], "dtype": "float16", "role": "input"},
                           {"name": "Y", "shape": [2, 3], "dtype": "float16", "role": "output"}]}

    class Pkg:
        lock = threading.Lock()

    kernel = Kernel(Pkg(), "half_double", Path("."), manifest)  # type: ignore[arg-type]

    def run_raw(ins: list[int], outs: list[int]) -> None:
        import ctypes  # noqa: PLC0415

        src = np.ctypeslib.as_array((ctypes.c_uint16 * 6).from_address(ins[0])).view(np.float16)
        dst = np.ctypeslib.as_array((ctypes.c_uint16 * 6).from_address(outs[0])).view(np.float16)
        dst[:] = src * np.float16(2)

    kernel.run_raw = run_raw  # type: ignore[method-assign]
    x = np.array([[0.1, -2.5, 3.0], [1e-3, 1000.0, -0.5]])
    got = kernel(x.astype(np.float16))
    assert got.dtype == np.float16 and np.array_equal(got, (x.astype(np.float16) * np.float16(2)))
    got32 = kernel(x.astype(np.float32))
    assert got32.dtype == np.float32
    assert np.array_equal(got32, (x.astype(np.float16) * np.float16(2)).astype(np.float32))
    with pytest.raises(TypeError) as err:
        kernel(x.astype(ml_dtypes.bfloat16))
    assert str(err.value) == "half_double: argument 0 (X) must be float32 or float16, got bfloat16"
