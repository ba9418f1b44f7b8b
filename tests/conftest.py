"""Shared fixtures of the tt-build test suite."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_KERNELS = REPO.parent / "shared" / "kernels"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO
