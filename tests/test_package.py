from __future__ import annotations

import tt_build
from tt_build import _resources


def test_version_is_pep440() -> None:
    parts = tt_build.__version__.split(".")
    assert len(parts) == 3 and all(p.isdigit() for p in parts)


def test_data_dirs_exist() -> None:
    assert _resources.templates_dir().is_dir()
    assert _resources.cmake_dir().is_dir()
