"""Shared fixtures of the tt-build test suite."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# The reference kernels (GEMM, element-wise) the suite lowers and runs: the example project's own,
# so a clone with nothing beside it tests itself.
REFERENCE_KERNELS = REPO / "example_project" / "kernels"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO
