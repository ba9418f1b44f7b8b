"""``tt-build tune``: the sweep (lowered, run on the mock, checked, ranked by modeled time), the stored winner,
and project discovery applying it (builds use the tuned factory arguments)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import REFERENCE_KERNELS
from tt_build.cli import main
from tt_build.errors import ConfigError
from tt_build.project import Project
from tt_build.tuning import TUNED_FILE, store_tuned

PYPROJECT = """[project]
name = "tuned-demo"
version = "0.1.0"

[tool.tt-build]
kernels = ["kernels/*.py"]
"""


def _project(tmp_path: Path) -> Path:
    (tmp_path / "kernels").mkdir()
    shutil.copy(REFERENCE_KERNELS / "gemm.py", tmp_path / "kernels" / "gemm.py")
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    return tmp_path


def _args(root: Path, name: str) -> dict:
    return next(s.args for s in Project.load(root).discover() if s.name == name)


def test_discovery_applies_the_stored_arguments(tmp_path: Path) -> None:
    root = _project(tmp_path)
    assert _args(root, "gemm_512") == {"M": 512, "N": 512, "K": 512}  # the factory's default blocks
    store_tuned(root, "gemm_512", root / "kernels" / "gemm.py", "matmul", {"block_M": 64, "block_N": 128}, 12.5,
                "wormhole_b0")
    assert _args(root, "gemm_512") == {"M": 512, "N": 512, "K": 512, "block_M": 64, "block_N": 128}
    assert _args(root, "gemm_256") == {"M": 256, "N": 256, "K": 256}


def test_stale_and_broken_tuned_files_are_clear_errors(tmp_path: Path) -> None:
    root = _project(tmp_path)
    store_tuned(root, "gemm_512", root / "kernels" / "gemm.py", "matmul", {"block_M": 64}, 1.0, "wormhole_b0")
    data = json.loads((root / TUNED_FILE).read_text())
    data["instances"]["gemm_9999"] = data["instances"].pop("gemm_512")
    (root / TUNED_FILE).write_text(json.dumps(data))
    with pytest.raises(ConfigError) as err:
        Project.load(root).discover()
    assert str(err.value) == (f"{root / TUNED_FILE}: instance 'gemm_9999' is not an instance of the project; remove "
                              "its entry (or run tt-build tune for an existing instance)")
    (root / TUNED_FILE).write_text("{not json")
    with pytest.raises(ConfigError, match=r"tt-build-tuned.json: not readable as JSON .*; fix it or delete it"):
        Project.load(root).discover()


@pytest.mark.compile
def test_tune_sweeps_checks_ranks_and_stores(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path)
    monkeypatch.chdir(root)
    from tests.e2e import test_build_dir  # noqa: PLC0415

    assert main(["tune", "kernels/gemm.py", "--instance", "gemm_256", "--space", "block_M=32,64",
                 "--space", "block_N=64", "--build-dir", str(test_build_dir())]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["block_M", "block_N", "modeled", "µs", "(est.)", "max", "rel", "err", "status"]
    rows = [line.split() for line in out[1:3]]
    assert sorted(r[0] for r in rows) == ["32", "64"] and all(r[-1] == "ok" for r in rows)
    times = [float(r[2]) for r in rows]
    assert times == sorted(times)  # fastest first
    stored = json.loads((root / TUNED_FILE).read_text())["instances"]["gemm_256"]
    assert stored["args"] == {"block_M": int(rows[0][0]), "block_N": 64}
    assert stored["modeled_us"] == pytest.approx(times[0], abs=0.05)
    assert _args(root, "gemm_256")["block_M"] == int(rows[0][0])


def test_tune_without_a_space_says_how_to_declare_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _project(tmp_path)
    assert main(["tune", str(root / "kernels" / "gemm.py"), "--instance", "gemm_256", "--no-store"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == (f"error: {root / 'kernels' / 'gemm.py'}: no TUNE_SPACE['matmul'] to sweep: declare TUNE_SPACE = "
                   "{'matmul': {\"block_M\": [64, 128], ...}} in the kernel file, or pass --space")
