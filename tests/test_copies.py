"""More copies (issue 13, item 4): tensor → tensor T.copy through an internal L1 block, T.transpose through
transpose_tile (into a fragment and into a shared buffer), num_stages=0, T.fill of a shared buffer. Lowered,
real-header checked, and run on the mock against numpy."""

from __future__ import annotations

from pathlib import Path

import pytest

import tt_build.language as T
from tests.e2e import assert_passes_real_header_check, assert_runs_like_numpy, test_build_dir
from tt_build.driver import build_primfunc, list_instances
from tt_build.errors import FrontendError
from tt_build.ir import Allocate
from tt_build.matrix import MockRunner
from tt_build.transform._analysis import collect_calls
from tt_build.transform.pipeline import lower

KERNELS = Path(__file__).parent / "data" / "kernels" / "copies.py"
INSTANCES = {i.name: i for i in list_instances(KERNELS)}
EXPECTED = {
    "tcopy_128x96": lambda a: [a],
    "transpose_128x96": lambda a: [a.T],
    "transpose_shared_64x96": lambda a: [a.T + a.T],
    "scaled_gemm_64": lambda a, b: [(a @ b) * 2],
    "gemm_ta_64x96x64": lambda a, b: [a.T @ b],
    "gemm_ta_128x64x96_b64": lambda a, b: [a.T @ b],
    "gemm_ta_64x64x192_b64": lambda a, b: [a.T @ b],
}


@pytest.fixture(scope="session")
def runner() -> MockRunner:
    return MockRunner(test_build_dir())


def _func(name: str):
    inst = INSTANCES[name]
    return build_primfunc(inst.source, inst.factory, inst.args)[0]


def _role(mod, role: str):
    return next(f for f in mod.functions.values() if f.attrs["tt.kernel_role"] == role)


def test_every_instance_has_an_expected_output() -> None:
    assert sorted(INSTANCES) == sorted(EXPECTED)


def test_tensor_copy_is_staged_through_an_internal_block() -> None:
    func = _func("tcopy_128x96")
    stage = func.body.body  # KernelLaunch → Allocate of the internal block
    assert isinstance(stage, Allocate) and stage.buffer.name == "B_stage" and stage.buffer.shape == (64, 32)
    mod = lower(func)
    assert _role(mod, "reader").attrs["tt.cb.B_stage"]["kind"] == "input"
    assert [c.op for c in collect_calls(_role(mod, "compute").body, "tt.")] == []  # compute is not involved


def test_transpose_lowers_to_transpose_tile() -> None:
    mod = lower(_func("transpose_128x96"))
    ops = [c.op for c in collect_calls(_role(mod, "compute").body, "tt.")]
    assert "tt.transpose_init" in ops and "tt.transpose_tile" in ops and "tt.copy_tile" not in ops


def test_gemm_transpose_a_transposes_each_a_block_in_l1() -> None:
    mod = lower(_func("gemm_ta_64x96x64"))
    compute = _role(mod, "compute")
    assert compute.attrs["tt.cb.A_s_T"]["kind"] == "intermediate"
    assert compute.attrs["tt.cb.C_l_partials"]["spills"] == "C_l"  # partial sums stay in L1 between K steps
    ops = [c.op for c in collect_calls(compute.body, "tt.")]
    # K = 2 steps, peeled; each a matmul_block over the DST-sized sub-block
    assert ops.count("tt.transpose_tile") == 2 and ops.count("tt.matmul_subblock") == 2


def test_num_stages_zero_is_a_single_buffered_cb() -> None:
    mod = lower(_func("scaled_gemm_64"))
    assert _role(mod, "reader").attrs["tt.cb.A_s"]["stages"] == 1


def test_copy_and_transpose_diagnostics() -> None:
    def point_regions():
        @T.prim_func
        def k(A: T.Tensor((64, 64), "bfloat16"), B: T.Tensor((64, 64), "bfloat16")):
            with T.Kernel(1) as bx:
                T.copy(A[0, 0], B[0:32, 0:32])

    with pytest.raises(FrontendError) as err:
        point_regions()
    assert err.value.msg == "a tensor → tensor T.copy needs the extent of A's region"

    def bad_shape():
        @T.prim_func
        def k(A: T.Tensor((64, 64), "bfloat16"), B: T.Tensor((64, 64), "bfloat16")):
            with T.Kernel(1) as bx:
                S = T.alloc_shared((64, 32), "bfloat16")
                F = T.alloc_fragment((64, 32), "bfloat16")
                T.copy(A[0, 0], S)
                T.transpose(S, F)

    with pytest.raises(FrontendError) as err:
        bad_shape()
    assert err.value.msg == "shape mismatch in T.transpose: S is 64×32 and F is 64×32"
    assert err.value.hint == "the destination of a transpose of a 64×32 block is 32×64"


@pytest.mark.compile
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_copies_run_correctly_on_mock(name: str, tmp_path: Path, runner: MockRunner) -> None:
    assert_runs_like_numpy(INSTANCES[name], tmp_path / name, runner, EXPECTED[name])


@pytest.mark.network
@pytest.mark.compile
@pytest.mark.parametrize("name", ["tcopy_128x96", "transpose_shared_64x96", "scaled_gemm_64", "gemm_ta_64x96x64"])
def test_copies_pass_the_real_header_check(name: str, tmp_path: Path) -> None:
    assert_passes_real_header_check(INSTANCES[name], tmp_path / name)
