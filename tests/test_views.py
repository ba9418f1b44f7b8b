"""T.Tensor(shape, dtype, X.data) views (issue 13, item 4): a reshape of a kernel tensor that keeps its last
dimension is the same device pages; copies of a view are regions of the tensor in its 2-D row-major view.
TileLang's flattened filter/output, as its convolution example writes them, on the mock against numpy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import tt_build.language as T
from tests.e2e import assert_passes_real_header_check, assert_runs_like_numpy, test_build_dir
from tt_build.driver import build_primfunc, list_instances
from tt_build.errors import FrontendError
from tt_build.matrix import MockRunner
from tt_build.transform._analysis import collect_calls

KERNELS = Path(__file__).parent / "data" / "kernels" / "views.py"
INSTANCES = {i.name: i for i in list_instances(KERNELS)}
EXPECTED = {
    "conv1x1_2x8x8x64_f96": lambda d, k: [np.einsum("nhwc,cf->nhwf", d, k[0, 0])],
    "regroup_2x64x96": lambda x, y: [x + y],
}


@pytest.fixture(scope="session")
def runner() -> MockRunner:
    return MockRunner(test_build_dir())


def _func(name: str):
    inst = INSTANCES[name]
    return build_primfunc(inst.source, inst.factory, inst.args)[0]


def test_every_instance_has_an_expected_output() -> None:
    assert sorted(INSTANCES) == sorted(EXPECTED)


def test_view_regions_are_regions_of_the_parameter() -> None:
    func = _func("conv1x1_2x8x8x64_f96")
    data, kernel, out = func.params
    copies = [c for c in collect_calls(func.body, "tl.") if c.op == "tl.copy"]
    regions = [r for c in copies for r in c.args if r.buffer.scope == "global"]
    assert [r.buffer for r in regions] == [data, kernel, out]  # the parameters themselves: no new buffers
    assert [len(r.starts) for r in regions] == [2, 2, 2]  # (row, col) of each tensor's 2-D view
    assert [r.extents for r in regions] == [(64, 32), (32, 32), (64, 32)]


def test_bad_views_are_located() -> None:
    def wrong_last_dim():
        @T.prim_func
        def k(A: T.Tensor((64, 64), "bfloat16"), B: T.Tensor((64, 64), "bfloat16")):
            with T.Kernel(1) as bx:
                Av = T.Tensor((32, 128), "bfloat16", A.data)

    with pytest.raises(FrontendError) as err:
        wrong_last_dim()
    assert err.value.msg == "a view 32×128 of A 64×64 must keep its last dimension (64)"

    def wrong_size():
        @T.prim_func
        def k(A: T.Tensor((64, 64), "bfloat16"), B: T.Tensor((64, 64), "bfloat16")):
            with T.Kernel(1) as bx:
                Av = T.Tensor((32, 64), "bfloat16", A.data)

    with pytest.raises(FrontendError) as err:
        wrong_size()
    assert err.value.msg == "a view of A 64×64 must have 4096 elements; 32×64 has 2048"

    def not_data():
        @T.prim_func
        def k(A: T.Tensor((64, 64), "bfloat16"), B: T.Tensor((64, 64), "bfloat16")):
            with T.Kernel(1) as bx:
                Av = T.Tensor((64, 64), "bfloat16", A)

    with pytest.raises(FrontendError) as err:
        not_data()
    assert err.value.msg == "the data of a T.Tensor view must be a kernel tensor's .data, got `A`"


@pytest.mark.compile
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_views_run_correctly_on_mock(name: str, tmp_path: Path, runner: MockRunner) -> None:
    assert_runs_like_numpy(INSTANCES[name], tmp_path / name, runner, EXPECTED[name])


@pytest.mark.network
@pytest.mark.compile
def test_view_kernel_passes_the_real_header_check(tmp_path: Path) -> None:
    name = "conv1x1_2x8x8x64_f96"
    assert_passes_real_header_check(INSTANCES[name], tmp_path / name)
