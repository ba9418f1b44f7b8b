"""Grids of any rank, tensors of rank 3 and 4, batched GEMM and element-wise kernels, T.Kernel without
`as`, the ignored GPU launch keywords and T.use_swizzle (issue 13, item 1): lowered, checked against the
real TT-Metalium headers and run on the mock against hand-written numpy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.e2e import assert_passes_real_header_check, assert_runs_like_numpy, test_build_dir
from tt_build.driver import build_primfunc, list_instances
from tt_build.ir import KernelLaunch
from tt_build.matrix import MockRunner
from tt_build.transform.pipeline import lower

KERNELS = Path(__file__).parent / "data" / "kernels" / "batched.py"
INSTANCES = {i.name: i for i in list_instances(KERNELS)}

#: instance -> outputs from float64 inputs, written by hand (independent of tt-build's IR)
EXPECTED = {
    "bgemm_3x64x96x64": lambda a, w: [np.einsum("bmk,bkn->bmn", a, w)],
    "bgemm_2x128_blocked": lambda a, w: [np.einsum("bmk,bkn->bmn", a, w)],
    "sgemm_2x64x64x96": lambda a, w: [a @ w],
    "badd_2x3x64x64": lambda x, y: [x + y],
    "bmul4_2x2x64x96": lambda x, y: [x * y],
    "whole_64x64": lambda x, y: [x + y],
}


@pytest.fixture(scope="session")
def runner() -> MockRunner:
    return MockRunner(test_build_dir())


def _func(name: str):
    inst = INSTANCES[name]
    func, _ = build_primfunc(inst.source, inst.factory, inst.args)
    return func


def test_every_instance_has_an_expected_output() -> None:
    assert sorted(INSTANCES) == sorted(EXPECTED)


def test_three_d_grid_and_batch_blocks_in_the_ir() -> None:
    func = _func("bgemm_3x64x96x64")
    launch = func.body
    assert isinstance(launch, KernelLaunch)
    assert [g.value for g in launch.grid] == [3, 2, 3]
    assert [v.name for v in launch.block_vars] == ["bx", "by", "bz"]
    mod = lower(func)
    reader = next(f for f in mod.functions.values() if f.attrs["tt.kernel_role"] == "reader")
    assert reader.attrs["tt.buffer.A"]["tiles"] == [6, 2]  # (3*64/32, 64/32): leading dims fold into rows
    assert reader.attrs["tt.buffer.A"]["shape"] == [3, 64, 64]
    assert sum(w["count"] for w in reader.attrs["tt.work_partition"]) == 18


def test_kernel_without_as_binds_anonymous_indices() -> None:
    func = _func("whole_64x64")
    assert isinstance(func.body, KernelLaunch)
    assert [g.value for g in func.body.grid] == [1]
    assert len(func.body.block_vars) == 1


@pytest.mark.compile
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_batched_kernels_run_correctly_on_mock(name: str, tmp_path: Path, runner: MockRunner) -> None:
    assert_runs_like_numpy(INSTANCES[name], tmp_path / name, runner, EXPECTED[name])


@pytest.mark.network
@pytest.mark.compile
@pytest.mark.parametrize("name", ["bgemm_3x64x96x64", "badd_2x3x64x64"])
def test_batched_kernels_pass_the_real_header_check(name: str, tmp_path: Path) -> None:
    assert_passes_real_header_check(INSTANCES[name], tmp_path / name)
