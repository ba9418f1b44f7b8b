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


def _weight(item: pytest.Item) -> int:
    if item.get_closest_marker("integration"):
        return 2
    return 1 if item.get_closest_marker("compile") else 0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Heaviest modules first: whole-project builds (``integration``), then compiling modules, then the
    rest, each module's tests in their own order (a module is weighed by its heaviest test; the sort is
    stable). Under pytest-xdist (``--dist worksteal``, pyproject addopts) the long tests then start while
    there is still short work to balance the workers with, instead of one starting last and alone."""
    module_weight: dict[str, int] = {}
    for item in items:
        module = item.nodeid.split("::", 1)[0]
        module_weight[module] = max(module_weight.get(module, 0), _weight(item))
    items.sort(key=lambda item: -module_weight[item.nodeid.split("::", 1)[0]])
