"""A kernel counts as supported only when its emitted code compiles against the mock SDK with
-Wall -Werror and produces numerically correct results on the mock device (vs numpy)."""

from __future__ import annotations

import os
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest

from tests.conftest import SHARED_KERNELS
from tests.e2e import pcc, run_emitted
from tt_build.driver import emit, list_instances

EXTRA = Path(__file__).parent / "data" / "kernels" / "extra.py"
INSTANCES = {i.name: i for f in (SHARED_KERNELS / "gemm.py", SHARED_KERNELS / "eltwise.py", EXTRA)
             for i in list_instances(f)}


def _relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0)


def reference(name: str, args: dict, x: list[np.ndarray]) -> np.ndarray:  # noqa: PLR0911
    f = [v.astype(np.float32) for v in x]
    if name.startswith("gemm_tb"):
        out = f[0] @ f[1].T
        return _relu(out) if args.get("relu", True) else out
    if name.startswith("gemm"):
        return f[0] @ f[1]
    if name.startswith("eltwise"):
        return f[0] + f[1] if args["op"] == "add" else f[0] * f[1]
    if name.startswith("exp"):
        return np.exp(f[0])
    diff = f[0] - f[1]
    return {"exp": np.exp, "relu": _relu, "none": lambda v: v}[args["act"]](diff)


@pytest.fixture(scope="session")
def mock_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("mock")
    os.environ.setdefault("TT_MOCK_KERNEL_CACHE", str(d / "kernels"))
    return d


@pytest.mark.compile
@pytest.mark.parametrize("name", sorted(INSTANCES))
def test_instance_runs_correctly_on_mock(name: str, tmp_path: Path, mock_build: Path) -> None:
    inst = INSTANCES[name]
    result = emit(inst.source, inst.factory, inst.args, name, tmp_path / name)
    params = result.manifest["params"]
    rng = np.random.default_rng(sum(map(ord, name)))
    scale = 0.5 if "exp" in name else 1.0
    inputs = [(rng.standard_normal(p["shape"]) * scale).astype(ml_dtypes.bfloat16)
              for p in params if p["role"] == "input"]
    (got,) = run_emitted(tmp_path / name, inputs, mock_build)
    want = reference(name, inst.args, inputs)
    got32 = got.astype(np.float32)
    assert got.shape == want.shape
    assert pcc(got32, want) >= 0.999
    assert float(np.max(np.abs(got32 - want)) / np.max(np.abs(want))) <= 2e-2
