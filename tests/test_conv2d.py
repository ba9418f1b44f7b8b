"""Conv2D, TileLang's convolution example (issue 13, item 5): the im2col gather written as a T.Parallel store
lowers to a reader that assembles row-major rows from sticks of the NHWC input (zeros for the padding) and a
compute kernel that tilizes them before the matmul. Lowered (exact IR properties), real-header checked,
run on the mock against a direct numpy convolution, and the unsupported variants' diagnostics."""

from __future__ import annotations

import dataclasses
import zlib
from pathlib import Path

import numpy as np
import pytest

from tests.e2e import assert_passes_real_header_check, assert_runs_like_numpy, conv2d_nhwc, test_build_dir
from tt_build.driver import Instance, build_primfunc, list_instances, load_kernel_module
from tt_build.errors import FrontendError, PassError, VerifyError
from tt_build.ir import Call, Evaluate, IfThenElse, StickGather, StmtExprMutator
from tt_build.ir import attrs as A
from tt_build.matrix import MockRunner, make_inputs, reference_outputs
from tt_build.transform._analysis import collect_calls
from tt_build.transform.pipeline import lower
from tt_build.transform.verify_ttir import verify_structure

KERNELS = Path(__file__).parent / "data" / "kernels" / "conv2d.py"
INSTANCES = {i.name: i for i in list_instances(KERNELS)}
FACTORY = load_kernel_module(KERNELS)[0].convolution


def _lowered(name: str):  # noqa: ANN202
    inst = INSTANCES[name]
    return lower(build_primfunc(inst.source, inst.factory, inst.args)[0])


def _role(mod, role: str):  # noqa: ANN001, ANN202
    return next(f for f in mod.functions.values() if f.attrs.get(A.KERNEL_ROLE) == role)


@pytest.fixture(scope="session")
def runner() -> MockRunner:
    return MockRunner(test_build_dir())


def test_the_gather_is_a_stick_gather_of_a_row_major_input_tilized_before_the_matmul() -> None:
    mod = _lowered("conv2d_1x32x32x64_k3s1p1")
    reader, compute = _role(mod, "reader"), _role(mod, "compute")
    data = reader.attrs[A.buffer_key("data")]
    # the input is stored as sticks of its 64 channels: one 128-byte page per pixel
    assert (data["page_layout"], data["page_size"], data["num_pages"], data["role"]) == ("row_major", 128, 1024,
                                                                                         "input")
    assert "page_layout" not in reader.attrs[A.buffer_key("kernel")]  # the filter stays in tiles
    rm = reader.attrs[A.cb_key("data_shared_rm")]
    assert (rm["kind"], rm["block_pages"], rm["stages"]) == ("input", 2, 2)
    assert reader.attrs[A.cb_key("data_shared")]["kind"] == "intermediate"  # filled by compute (tilize)
    # reader: one 64-byte NOC read of a stick (32 channels) per im2col row, zeros where the tap is padding
    reads = [c for c in collect_calls(reader.body, "tt.") if c.op == "tt.noc_async_read"]
    assert len(reads) == 1 and reads[0].args[2].value == 64 and reads[0].args[0].op == "tt.tensor_noc_addr"
    guards = []

    class V(StmtExprMutator):
        def visit_IfThenElse(self, node: IfThenElse):  # noqa: ANN202, N802
            guards.append(node)
            return node

    V().visit(reader.body)
    assert [(g.then_case.value.op, g.else_case.value.op) for g in guards] == [("tt.noc_async_read", "tt.zero_page")]
    # the predicate is in unsigned form: `h - 1 >= 0` became `h >= 1`
    assert [c.op for c in _conjuncts(guards[0].cond)] == [">=", ">=", "<", "<"]
    assert all(c.b.value in (1, 33) for c in _conjuncts(guards[0].cond))
    ops = [c.op for c in collect_calls(compute.body, "tt.")]
    assert ops.count("tt.tilize_rows") == 3  # first, middle and last K iteration (the spill form peels the K loop)
    assert ops.index("tt.tilize_init") < ops.index("tt.tilize_rows") < ops.index("tt.tilize_uninit") < \
        ops.index("tt.matmul_block_init")
    assert [c.op for c in collect_calls(_role(mod, "writer").body, "tt.") if "noc" in c.op][0] == \
        "tt.noc_async_write_page"


def _conjuncts(e):  # noqa: ANN001, ANN202
    return _conjuncts(e.a) + _conjuncts(e.b) if e.op == "and" else [e]


@pytest.mark.parametrize(("name", "guarded"), [("conv2d_1x32x32x64_k3s2p1", True),
                                             ("conv2d_1x34x34x32_k3s1p0", False)])
def test_padding_the_ranges_exclude_needs_no_guard(name: str, guarded: bool) -> None:
    inst = INSTANCES[name]
    func = build_primfunc(inst.source, inst.factory, inst.args)[0]
    (g,) = [c.args[0] for c in collect_calls(func.body, "tl.") if c.op == "tl.gather"]
    assert isinstance(g, StickGather) and (g.pred is not None) == guarded  # no padding: the condition folds
    reader = _role(lower(func), "reader")
    ifs = []

    class V(StmtExprMutator):
        def visit_IfThenElse(self, node: IfThenElse):  # noqa: ANN202, N802
            ifs.append(node)
            return node

    V().visit(reader.body)
    assert len(ifs) == int(guarded)
    assert [c.args[2].value for c in collect_calls(reader.body, "tt.") if c.op == "tt.noc_async_read"] == [64]


@pytest.mark.parametrize(("c", "block_k", "stick"), [(64, 32, 32), (64, 64, 64), (32, 64, 32), (128, 64, 64)])
def test_the_run_length_is_proved_from_the_index_map(c: int, block_k: int, stick: int) -> None:
    # a block row of block_K columns is read in runs that never cross a filter tap (a stick of C channels)
    mod = lower(FACTORY(N=1, C=c, H=32, W=32, F=64, K=3, S=1, D=1, P=1, block_K=block_k))
    reader = _role(mod, "reader")
    sizes = [x.args[2].value for x in collect_calls(reader.body, "tt.") if x.op == "tt.noc_async_read"]
    assert sizes == [2 * stick]
    assert reader.attrs[A.buffer_key("data")]["page_size"] == 2 * c


def test_dilation_is_index_arithmetic_and_matches_numpy_in_the_ir_reference() -> None:
    func = FACTORY(N=1, C=32, H=36, W=36, F=32, K=3, S=1, D=2, P=0)  # 32x32 output
    lower(func)  # lowers and verifies
    inputs = make_inputs([{"shape": [1, 36, 36, 32], "role": "input"}, {"shape": [3, 3, 32, 32], "role": "input"}],
                         zlib.crc32(b"dilation"))
    (got,) = reference_outputs(func, inputs)
    want = conv2d_nhwc(*[np.asarray(x, dtype=np.float64) for x in inputs], stride=1, padding=0, dilation=2)
    assert float(np.max(np.abs(got - want)) / np.max(np.abs(want))) <= 2e-2


def test_unsupported_gathers_are_located_diagnostics(tmp_path: Path) -> None:
    with pytest.raises(PassError) as err:  # 16 channels: an im2col row of 32 columns spans two filter taps
        lower(FACTORY(N=1, C=16, H=33, W=33, F=64, K=2, S=1, D=1, P=0))
    assert err.value.pass_name == "InferTTLayout"
    assert err.value.msg == ("the element gather into data_shared_rm reads runs of the last dimension of data (extent "
                             "16) into a block of 32 columns; both must be multiples of 32")
    assert err.value.loc is not None and "T.if_then_else(in_bound" in err.value.loc.source_line

    def gather(store: str, dst: str = "S", pre: str = "pass") -> None:
        path = tmp_path / f"gather{len(list(tmp_path.iterdir()))}.py"
        path.write_text(f'''import tt_build.language as T


def f():
    @T.prim_func
    def k(X: T.Tensor((64, 64), "bfloat16"), Y: T.Tensor((64, 64), "bfloat16")):
        with T.Kernel(1, 2) as (bx, by):
            S = T.alloc_shared((32, 64), "bfloat16")
            F = T.alloc_fragment((32, 64), "float32")
            {pre}
            for i, j in T.Parallel(32, 64):
                {dst}[i, j] = {store}
            T.copy(S, Y[by * 32, 0])

    return k
''')
        build_primfunc(path, "f", {})

    with pytest.raises(FrontendError) as err:
        gather("T.if_then_else(i + by * 32 < 40, X[by * 32 + i, j], 1)")
    assert err.value.msg == "the padding value of an element gather must be 0, got `1`"
    with pytest.raises(FrontendError) as err:
        gather("X[by * 32 + i, j] * 2")
    assert err.value.msg == "tensor element `X[by * 32 + i, j]` cannot be computed with inside T.Parallel"
    with pytest.raises(FrontendError) as err:
        gather("V[by, i, j]", pre="V = T.Tensor((2, 32, 64), \"bfloat16\", X.data)")
    assert err.value.msg.startswith("an element gather reads a kernel tensor, not the T.Tensor view")
    with pytest.raises(FrontendError) as err:
        gather("X[by * 32 + i, j]", dst="F")
    assert err.value.msg == "an element gather of tensor X fills a T.alloc_shared block; F is a fragment"


def test_verify_rejects_a_gather_read_without_its_zero_fill() -> None:
    mod = _lowered("conv2d_1x32x32x64_k3s1p1")
    reader = _role(mod, "reader")

    class DropPad(StmtExprMutator):
        def visit_IfThenElse(self, node: IfThenElse):  # noqa: ANN202, N802
            return IfThenElse(node.cond, node.then_case,
                              Evaluate(Call("tt.zero_page", (node.else_case.value.args[0], node.then_case.value.args[2]
                                                             .__class__(32)))), node.loc)

    bad = dict(mod.functions)
    bad[reader.name] = reader.with_body(DropPad().visit(reader.body))
    with pytest.raises(VerifyError) as err:
        verify_structure(dataclasses.replace(mod, functions=bad))
    assert "a guarded gather read does not zero-fill the same L1 bytes when the padding predicate is false" in str(
        err.value)


# The instances of conv2d.py run on the mock against tests/e2e.conv2d_nhwc (a direct convolution) as rows of the test
# matrix: tests/test_end_to_end.py::test_instance_runs_correctly_on_mock.


@pytest.mark.compile
def test_dilated_conv2d_runs_like_numpy_on_the_mock(tmp_path: Path, runner: MockRunner) -> None:
    args = dict(N=1, C=32, H=36, W=36, F=32, K=3, S=1, D=2, P=0)
    inst = Instance("conv2d_dilated", KERNELS.resolve(), "convolution", args)
    assert_runs_like_numpy(inst, tmp_path / "dilated", runner,
                           lambda data, kernel: [conv2d_nhwc(data, kernel, stride=1, padding=0, dilation=2)])


@pytest.mark.network
@pytest.mark.compile
@pytest.mark.parametrize("name", ["conv2d_1x32x32x64_k3s1p1", "conv2d_1x32x32x64_k3s2p1", "conv2d_1x34x34x32_k3s1p0"])
def test_conv2d_passes_the_real_header_check(name: str, tmp_path: Path) -> None:
    assert_passes_real_header_check(INSTANCES[name], tmp_path / name)
