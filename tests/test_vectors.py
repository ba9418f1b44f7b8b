"""1-D tensors (issue 13, item 1): a vector is stored as one tile row (values in row 0, read as v[j]) or
one tile column (values in column 0, v[i] / a dim=1 reduction) — the orientation of the 1-D buffers it is
copied to or from; the host pads and unpads it. On the mock against numpy, and the real headers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e import assert_passes_real_header_check, assert_runs_like_numpy, test_build_dir
from tt_build.driver import build_primfunc, list_instances
from tt_build.matrix import MockRunner
from tt_build.transform.pipeline import lower

KERNELS = Path(__file__).parent / "data" / "kernels" / "vectors.py"
INSTANCES = {i.name: i for i in list_instances(KERNELS)}
EXPECTED = {
    "bias_add_64x128": lambda x, b: [x + b[None, :]],
    "row_sum_96x64": lambda x: [x.sum(axis=1)],
}


@pytest.fixture(scope="session")
def runner() -> MockRunner:
    return MockRunner(test_build_dir())


def _func(name: str):
    inst = INSTANCES[name]
    return build_primfunc(inst.source, inst.factory, inst.args)[0]


def test_every_instance_has_an_expected_output() -> None:
    assert sorted(INSTANCES) == sorted(EXPECTED)


def test_vector_orientation_and_pages() -> None:
    reader = next(f for f in lower(_func("bias_add_64x128")).functions.values()
                  if f.attrs["tt.kernel_role"] == "reader")
    assert reader.attrs["tt.buffer.Bias"]["vector"] == "row"
    assert reader.attrs["tt.buffer.Bias"]["tiles"] == [1, 4]
    writer = next(f for f in lower(_func("row_sum_96x64")).functions.values()
                  if f.attrs["tt.kernel_role"] == "writer")
    assert writer.attrs["tt.buffer.S"]["vector"] == "col"
    assert writer.attrs["tt.buffer.S"]["tiles"] == [3, 1]


@pytest.mark.compile
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_vectors_run_correctly_on_mock(name: str, tmp_path: Path, runner: MockRunner) -> None:
    assert_runs_like_numpy(INSTANCES[name], tmp_path / name, runner, EXPECTED[name])


@pytest.mark.network
@pytest.mark.compile
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_vectors_pass_the_real_header_check(name: str, tmp_path: Path) -> None:
    assert_passes_real_header_check(INSTANCES[name], tmp_path / name)
