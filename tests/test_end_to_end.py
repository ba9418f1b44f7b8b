"""A kernel counts as supported only when its emitted code compiles against the mock SDK with
-Wall -Werror and produces numerically correct results on the mock device (vs hand-written numpy).

Covers the test matrix: the reference GEMM/eltwise kernels, the extra kernels, tensors in L1
(``l1_interleaved``), and variable names that collide with generated names and C++ keywords."""

from __future__ import annotations

import zlib
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest

from tests.e2e import expected_output, matrix_instances, test_build_dir
from tt_build.driver import emit, list_instances
from tt_build.matrix import MockRunner, make_inputs, pcc

INSTANCES = matrix_instances()


@pytest.fixture(scope="session")
def runner() -> MockRunner:
    return MockRunner(test_build_dir())


@pytest.mark.compile
@pytest.mark.parametrize("name", sorted(INSTANCES))
def test_instance_runs_correctly_on_mock(name: str, tmp_path: Path, runner: MockRunner) -> None:
    inst = INSTANCES[name]
    result = emit(inst.source, inst.factory, inst.args, name, tmp_path / name)
    inputs = make_inputs(result.manifest["params"], zlib.crc32(name.encode()))
    (got,) = runner.run(tmp_path / name, inputs)
    want = expected_output(inst, inputs)
    got32 = got.astype(np.float32)
    assert got.shape == want.shape
    assert pcc(got32, want) >= 0.999
    assert float(np.max(np.abs(got32 - want)) / np.max(np.abs(want))) <= 2e-2


def test_l1_layouts_create_l1_buffers(tmp_path: Path) -> None:
    """The L1 instances really place their tensors in L1 (and the rest in DRAM)."""
    placements = {}
    for name in ("gemm_l1_256", "gemm_l1_a_blocked", "add_l1_256"):
        inst = INSTANCES[name]
        result = emit(inst.source, inst.factory, inst.args, name, tmp_path / name)
        host = (tmp_path / name / "host.cpp").read_text()
        placements[name] = {
            p["name"]: (p["layout"], f"{p['name']}_local{{.page_size = 2048, .buffer_type = BufferType::"
                        f"{'L1' if p['layout'] == 'l1_interleaved' else 'DRAM'}}};" in host)
            for p in result.manifest["params"]}
    assert placements == {
        "gemm_l1_256": {"A": ("l1_interleaved", True), "B": ("dram_interleaved", True),
                        "C": ("l1_interleaved", True)},
        "gemm_l1_a_blocked": {"A": ("l1_interleaved", True), "B": ("dram_interleaved", True),
                              "C": ("dram_interleaved", True)},
        "add_l1_256": {"X": ("l1_interleaved", True), "Y": ("l1_interleaved", True), "Z": ("l1_interleaved", True)},
    }


# ------------------------------------------------------------------------------- forms beyond the matrix
FORMS = Path(__file__).parent / "data" / "kernels" / "forms.py"


def _bf16(x: np.ndarray) -> np.ndarray:
    return x.astype(ml_dtypes.bfloat16).astype(np.float64)


#: instance → the outputs (in parameter order) from float64 inputs, written by hand.
FORM_EXPECTED = {
    "neg_min_64x96": lambda x, y: [np.minimum(-(x - y), 0)],
    "chain_128": lambda x, y: [-np.maximum(x * y, 0)],
    "cast_mul_64": lambda x, y: [x * y],
    "square_exp_64": lambda x: [np.exp(-(x * x))],
    "gemm_last_k_64": lambda a, b: [a[:, -32:] @ b[-32:, :]],  # T.clear inside the K loop: the last step only
    "two_outputs_64x128": lambda x, y: [x + y, x + y, np.exp(_bf16(x + y)), x],
}


@pytest.mark.compile
@pytest.mark.parametrize("name", sorted(FORM_EXPECTED))
def test_kernel_forms_run_correctly_on_mock(name: str, tmp_path: Path, runner: MockRunner) -> None:
    """Negation, T.min(x, 0), casts, one block as both operands, several stores per T.Parallel nest, a
    fragment copied into an on-chip buffer and two tensors, a shared block copied straight out, and a T.clear
    inside the K loop — each against hand-written numpy."""
    inst = {i.name: i for i in list_instances(FORMS)}[name]
    result = emit(inst.source, inst.factory, inst.args, name, tmp_path / name)
    inputs = make_inputs(result.manifest["params"], zlib.crc32(name.encode()))
    got = runner.run(tmp_path / name, inputs)
    want = FORM_EXPECTED[name](*[np.asarray(x, dtype=np.float64) for x in inputs])
    assert len(got) == len(want)
    for g, w in zip(got, want):
        g32, w32 = g.astype(np.float32), np.asarray(w, dtype=np.float32)
        assert g32.shape == w32.shape
        assert pcc(g32, w32) >= 0.999
        assert float(np.max(np.abs(g32 - w32)) / np.max(np.abs(w32))) <= 2e-2


def test_every_forms_instance_has_an_expected_output() -> None:
    assert sorted(i.name for i in list_instances(FORMS)) == sorted(FORM_EXPECTED)
