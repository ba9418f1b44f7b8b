"""Partial last blocks (issue 13, item 2): tensor extents that are multiples of 32 but not of the block. The
reader zero-pads the tiles past the tensor's end in L1, the writer skips them, CB transactions stay whole
blocks; VerifyTTIR proves every transfer of such a tensor is bounds-guarded. Numbers against numpy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.e2e import assert_passes_real_header_check, assert_runs_like_numpy, test_build_dir
from tt_build.driver import build_primfunc, list_instances
from tt_build.errors import FrontendError, TTBuildError, VerifyError
from tt_build.ir import IfThenElse, IRModule, StmtExprMutator
from tt_build.matrix import MockRunner
from tt_build.transform._analysis import collect_calls
from tt_build.transform.base import PassContext
from tt_build.transform.pipeline import lower
from tt_build.transform.verify_ttir import verify_structure

KERNELS = Path(__file__).parent / "data" / "kernels" / "partial.py"
INSTANCES = {i.name: i for i in list_instances(KERNELS)}

EXPECTED = {
    "gemm_96x160x96_b64": lambda a, b: [a @ b],
    "gemm_64x64x160_b64": lambda a, b: [a @ b],
    "mul_96x224_b64": lambda a, b: [a * b],
    "bgemm_2x96x96x96_b64": lambda a, b: [np.einsum("bmk,bkn->bmn", a, b)],
}


@pytest.fixture(scope="session")
def runner() -> MockRunner:
    return MockRunner(test_build_dir())


def _lowered(name: str, **config: object) -> IRModule:
    inst = INSTANCES[name]
    func, _ = build_primfunc(inst.source, inst.factory, inst.args)
    return lower(func, PassContext(config=config))


def _role(mod: IRModule, role: str):
    return next(f for f in mod.functions.values() if f.attrs["tt.kernel_role"] == role)


def test_every_instance_has_an_expected_output() -> None:
    assert sorted(INSTANCES) == sorted(EXPECTED)


def test_partial_axes_and_guarded_transfers_in_the_ir() -> None:
    # the kernel's own 64x64 blocks (by default the multicast plan resizes them to one 32x32 tile per core)
    mod = _lowered("gemm_96x160x96_b64", multicast_merge=False)
    reader, writer = _role(mod, "reader"), _role(mod, "writer")
    assert reader.attrs["tt.buffer.A"]["partial"] == [0, 1]  # M=96 and K=96 over blocks of 64
    assert reader.attrs["tt.buffer.B"]["partial"] == [0, 1]  # K=96, N=160
    assert writer.attrs["tt.buffer.C"]["partial"] == [0, 1]
    # the CB transactions stay whole blocks: 4 pages per 64×64 block
    pages = {c.args[1].value for c in collect_calls(reader.body, "tt.cb_")}
    assert pages == {4}
    ops = [c.op for c in collect_calls(reader.body, "tt.")]
    assert ops.count("tt.zero_page") == ops.count("tt.noc_async_read_page") == 2  # one per tile loop nest (A, B)
    only_k = _lowered("gemm_64x64x160_b64", multicast_merge=False)
    assert _role(only_k, "reader").attrs["tt.buffer.B"]["partial"] == [0]  # K: rows of B
    assert _role(only_k, "reader").attrs["tt.buffer.A"]["partial"] == [1]  # K: columns of A
    assert "partial" not in _role(only_k, "writer").attrs["tt.buffer.C"]
    assert "tt.zero_page" not in [c.op for c in collect_calls(_role(only_k, "writer").body, "tt.")]


def test_verify_rejects_an_unguarded_transfer_of_a_partial_tensor() -> None:
    mod = _lowered("mul_96x224_b64")

    class Unguard(StmtExprMutator):
        def visit_IfThenElse(self, node: IfThenElse):  # noqa: N802
            return node.then_case

    funcs = {n: (f.with_body(Unguard().visit(f.body)) if f.attrs["tt.kernel_role"] == "reader" else f)
             for n, f in mod.functions.items()}
    with pytest.raises(VerifyError) as err:
        verify_structure(IRModule(funcs, dict(mod.attrs)))
    assert any("noc_async_read_page of A, which has partial last blocks, is not guarded by a bounds check" in m
               for m in err.value.problems)

    class NoPad(StmtExprMutator):
        def visit_IfThenElse(self, node: IfThenElse):  # noqa: N802
            return IfThenElse(node.cond, node.then_case, None)

    funcs = {n: (f.with_body(NoPad().visit(f.body)) if f.attrs["tt.kernel_role"] == "reader" else f)
             for n, f in mod.functions.items()}
    with pytest.raises(VerifyError) as err:
        verify_structure(IRModule(funcs, dict(mod.attrs)))
    assert any("a guarded read of A does not zero-fill its L1 page" in m for m in err.value.problems)


def test_block_starting_outside_the_tensor_is_still_an_error() -> None:
    import tt_build.language as T

    def f():
        @T.prim_func
        def k(A: T.Tensor((96, 64), "bfloat16"), B: T.Tensor((96, 64), "bfloat16")):
            with T.Kernel(1, 3) as (bx, by):
                S = T.alloc_shared((64, 64), "bfloat16")
                T.copy(A[by * 64, 0], S)
                T.copy(S, B[by * 64, 0])

    with pytest.raises(FrontendError) as err:
        f()
    assert err.value.msg.startswith("T.copy region of A is out of bounds in dimension 0: it covers 0..191 but the "
                                    "tensor has 96")


def test_partial_blocks_with_a_reduction_are_rejected() -> None:
    import tt_build.language as T

    def f():
        @T.prim_func
        def k(X: T.Tensor((64, 96), "bfloat16"), Y: T.Tensor((64, 96), "bfloat16")):
            with T.Kernel(2, 2) as (bx, by):
                x = T.alloc_shared((32, 64), "bfloat16")
                m = T.alloc_fragment((32,), "float")
                y = T.alloc_fragment((32, 64), "float")
                T.copy(X[by * 32, bx * 64], x)
                T.reduce_max(x, m, dim=1)
                for i, j in T.Parallel(32, 64):
                    y[i, j] = x[i, j] - m[i]
                T.copy(y, Y[by * 32, bx * 64])
        return k

    with pytest.raises(TTBuildError) as err:
        lower(f())
    assert "has a partial last block on axis 1 (blocks of 64 over 96 elements) in a kernel with T.reduce_*" in str(err.value)


@pytest.mark.compile
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_partial_blocks_run_correctly_on_mock(name: str, tmp_path: Path, runner: MockRunner) -> None:
    assert_runs_like_numpy(INSTANCES[name], tmp_path / name, runner, EXPECTED[name])


@pytest.mark.network
@pytest.mark.compile
@pytest.mark.parametrize("name", ["gemm_96x160x96_b64", "mul_96x224_b64"])
def test_partial_blocks_pass_the_real_header_check(name: str, tmp_path: Path) -> None:
    assert_passes_real_header_check(INSTANCES[name], tmp_path / name)
