"""Runtime conditions on block indices (issue 13, item 3): what the grid proves folds away; the rest becomes
an IfThenElse in all three kernels, each branch CB-balanced (VerifyTTIR). Persistent kernels as TileLang
writes them, on the mock against numpy."""

from __future__ import annotations

from pathlib import Path

import pytest

import tt_build.language as T
from tests.e2e import assert_passes_real_header_check, assert_runs_like_numpy, test_build_dir
from tt_build.driver import build_primfunc, list_instances
from tt_build.errors import FrontendError, VerifyError
from tt_build.ir import IfThenElse, IRModule, StmtExprMutator, StmtExprVisitor
from tt_build.matrix import MockRunner
from tt_build.transform.pipeline import lower
from tt_build.transform.verify_ttir import verify_structure

KERNELS = Path(__file__).parent / "data" / "kernels" / "conditions.py"
INSTANCES = {i.name: i for i in list_instances(KERNELS)}
EXPECTED = {
    "guarded_gemm_64x96": lambda a, b: [a @ b],
    "persistent_gemm_96x64": lambda a, b: [a @ b],
    "persistent_add_64x96": lambda x, y: [x + y],
}


@pytest.fixture(scope="session")
def runner() -> MockRunner:
    return MockRunner(test_build_dir())


def _func(name: str):
    inst = INSTANCES[name]
    return build_primfunc(inst.source, inst.factory, inst.args)[0]


def _ifs(stmt) -> list[IfThenElse]:
    found: list[IfThenElse] = []

    class V(StmtExprVisitor):
        def visit_IfThenElse(self, node: IfThenElse) -> None:  # noqa: N802
            found.append(node)
            self.generic_visit(node)

    V().visit(stmt)
    return found


def test_every_instance_has_an_expected_output() -> None:
    assert sorted(INSTANCES) == sorted(EXPECTED)


def test_condition_the_grid_proves_folds_away() -> None:
    assert _ifs(_func("guarded_gemm_64x96").body) == []


def test_runtime_condition_reaches_all_three_kernels() -> None:
    func = _func("persistent_gemm_96x64")
    (front,) = _ifs(func.body)
    # `by * block_N < N` is proven by the ranges (by = tile_id % 2) and dropped; `bx * block_M < M` is not
    assert front.cond.op == "<" and front.cond.b.value == 96
    mod = lower(func)
    for f in mod.functions.values():
        assert len(_ifs(f.body)) == 1, f.attrs["tt.kernel_role"]


def test_verify_proves_balance_per_branch() -> None:
    mod = lower(_func("persistent_add_64x96"))

    class Unwrap(StmtExprMutator):  # the writer forgets the condition: it drains blocks the others skip (2 waves)
        def visit_IfThenElse(self, node: IfThenElse):  # noqa: N802
            return node.then_case

    funcs = {n: (f.with_body(Unwrap().visit(f.body)) if f.attrs["tt.kernel_role"] == "writer" else f)
             for n, f in mod.functions.items()}
    with pytest.raises(VerifyError) as err:
        verify_structure(IRModule(funcs, dict(mod.attrs)))
    assert "CB Z_l: producer pushes 0 pages but consumer pops 2 per persistent iteration (else-branches of its ifs)" \
        in err.value.problems


def test_if_then_else_on_indices_folds_or_is_located() -> None:
    def ok():
        @T.prim_func
        def k(A: T.Tensor((64, 64), "bfloat16"), B: T.Tensor((64, 64), "bfloat16")):
            with T.Kernel(2, 2) as (bx, by):
                S = T.alloc_shared((32, 32), "bfloat16")
                F = T.alloc_fragment((32, 32), "bfloat16")
                T.copy(A[by * 32, bx * 32], S)
                for i, j in T.Parallel(32, 32):
                    F[i, j] = T.if_then_else(bx < 2, S[i, j], 0.0)
                T.copy(F, B[by * 32, bx * 32])
        return k

    func = ok()
    assert _ifs(func.body) == []

    def bad():
        @T.prim_func
        def k(A: T.Tensor((64, 64), "bfloat16"), B: T.Tensor((64, 64), "bfloat16")):
            with T.Kernel(2, 2) as (bx, by):
                S = T.alloc_shared((32, 32), "bfloat16")
                F = T.alloc_fragment((32, 32), "bfloat16")
                T.copy(A[by * 32, bx * 32], S)
                for i, j in T.Parallel(32, 32):
                    F[i, j] = T.if_then_else(bx < by, S[i, j], 0.0)
                T.copy(F, B[by * 32, bx * 32])

    with pytest.raises(FrontendError) as err:
        bad()
    assert err.value.msg == "the index condition `bx < by` of T.if_then_else is not decided by the grid and loop ranges"


@pytest.mark.compile
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_conditions_run_correctly_on_mock(name: str, tmp_path: Path, runner: MockRunner) -> None:
    assert_runs_like_numpy(INSTANCES[name], tmp_path / name, runner, EXPECTED[name])


@pytest.mark.network
@pytest.mark.compile
@pytest.mark.parametrize("name", ["persistent_gemm_96x64", "persistent_add_64x96"])
def test_conditions_pass_the_real_header_check(name: str, tmp_path: Path) -> None:
    assert_passes_real_header_check(INSTANCES[name], tmp_path / name)
