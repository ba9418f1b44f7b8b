"""Editable installs (``pip install --no-build-isolation -e``): a kernel edit is rebuilt by the next
import in a fresh process, incrementally, with one line saying so; a broken edit prints its located
diagnostic and the previous build keeps running. Also: the callables' result dtype as documented."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.packages.buildsupport import PY, REPO, TIMEOUT, build_env, copy_project
from tt_build.runtime.editable import sync_tree, update_record

pytestmark = [pytest.mark.integration, pytest.mark.compile]

RUN = r"""
import json, sys
import ml_dtypes, numpy as np
import tt_mini_kernels as k
rng = np.random.default_rng(3)
x, y = (rng.standard_normal((64, 64)).astype(np.float32) for _ in range(2))
xb, yb = x.astype(ml_dtypes.bfloat16), y.astype(ml_dtypes.bfloat16)
out = k.add_64(x, y)
kinds = {name: str(k.add_64(*args).dtype) for name, args in
         {"f32": (x, y), "bf16": (xb, yb), "mixed": (x, yb)}.items()}
print(json.dumps({"file": k.__file__, "out": out.astype(np.float32).tolist(), "dtypes": kinds,
                  "doc": k.add_64.__doc__}))
"""


def _outer_site() -> str:
    import numpy  # noqa: PLC0415

    return str(Path(numpy.__file__).resolve().parent.parent)


def _run(vpy: Path, env: dict[str, str]) -> tuple[dict, list[str]]:
    proc = subprocess.run([str(vpy), "-c", RUN], env=env, capture_output=True, text=True, timeout=TIMEOUT,
                          check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1]), proc.stderr.splitlines()


def _expected(op: str) -> list[list[float]]:
    import ml_dtypes  # noqa: PLC0415
    import numpy as np  # noqa: PLC0415

    rng = np.random.default_rng(3)
    x, y = (rng.standard_normal((64, 64)).astype(np.float32).astype(ml_dtypes.bfloat16).astype(np.float32)
            for _ in range(2))
    return (x + y if op == "add" else x - y)


def _close(got: list[list[float]], want: object) -> bool:
    import numpy as np  # noqa: PLC0415

    got_a = np.asarray(got, np.float32)
    want_a = np.asarray(want, np.float32)
    return bool(np.abs(got_a - want_a).max() <= 2e-2 * np.abs(want_a).max())


def test_editable_install_rebuilds_edited_kernels_on_the_next_import(tmp_path: Path) -> None:
    proj = copy_project(tmp_path)
    venv = tmp_path / "venv"
    subprocess.run([PY, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=TIMEOUT)
    vpy = venv / "bin" / "python"
    # tt-build (this checkout) and its build requirements come from the test environment: an editable
    # kernel package needs tt-build at import time to rebuild, hence --no-build-isolation.
    env = build_env(tmp_path / "cache", seed=True)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), _outer_site()])
    install = subprocess.run([PY, "-m", "pip", "--python", str(vpy), "install", "--no-build-isolation",
                              "--no-deps", "-e", str(proj)], env=env, capture_output=True, text=True,
                             timeout=TIMEOUT, check=False)
    assert install.returncode == 0, install.stdout + install.stderr

    result, err = _run(vpy, env)
    assert Path(result["file"]).is_relative_to(venv)
    assert _close(result["out"], _expected("add"))
    assert err == []  # nothing changed: no rebuild, no line
    # Result dtypes as the docstring says.
    assert result["dtypes"] == {"f32": "float32", "bf16": "bfloat16", "mixed": "float32"}
    assert ("outputs come back in their tensors' type when every input is given in its own, float32 otherwise"
            in result["doc"])

    # Edit one kernel: the next import, in a fresh process, rebuilds that kernel file's instances only.
    kernel = proj / "kernels" / "eltwise.py"
    kernel.write_text(kernel.read_text().replace("a[i, j] + b[i, j]", "a[i, j] - b[i, j]"))
    result, err = _run(vpy, env)
    assert _close(result["out"], _expected("sub"))
    assert len(err) == 1, err
    m = re.fullmatch(r"tt-build: rebuilt tt_mini_kernels for this import \(editable install\): (.*); "
                     r"\d+\.\d s", err[0])
    assert m, err[0]
    rebuilt = dict(part.split(" ", 1) for part in m.group(1).split(", "))
    assert rebuilt["add_64"] == "re-lowered + device kernels recompiled"
    assert set(rebuilt) <= {"add_64", "mul_64"}  # gemm_64 (another file) untouched
    assert rebuilt.get("mul_64", "re-lowered").startswith("re-lowered")

    # A broken edit: the located diagnostic, and the previous build (the subtraction) still runs.
    text = kernel.read_text().replace("a[i, j] - b[i, j]", "a[i, j] - b[i, j] + undefined_name")
    kernel.write_text(text)
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "undefined_name" in s)
    col = text.splitlines()[line - 1].index("undefined_name") + 1
    result, err = _run(vpy, env)
    assert _close(result["out"], _expected("sub"))
    assert err[0] == f"{kernel}:{line}:{col}: error: unknown name 'undefined_name'"
    assert err[-1] == "tt-build: rebuilding tt_mini_kernels failed; importing its previous build"
    assert not any(s.startswith(("FAILED:", "ninja:", "Traceback")) or "tt_build.build.lower" in s for s in err)

    # Fixed again: rebuilt (from the lowering cache: this exact source was lowered before).
    kernel.write_text(text.replace(" + undefined_name", ""))
    result, err = _run(vpy, env)
    assert _close(result["out"], _expected("sub"))
    assert len(err) == 1 and err[0].startswith("tt-build: rebuilt tt_mini_kernels for this import"), err
    # TT_BUILD_EDITABLE_REBUILD=0 imports what is installed without building.
    kernel.write_text(kernel.read_text().replace("a[i, j] - b[i, j]", "a[i, j] + b[i, j]"))
    result, err = _run(vpy, {**env, "TT_BUILD_EDITABLE_REBUILD": "0"})
    assert _close(result["out"], _expected("sub")) and err == []


def test_sync_tree_copies_changes_and_removes_what_the_build_dropped(tmp_path: Path) -> None:
    src, dest = tmp_path / "build" / "pkg", tmp_path / "site" / "pkg"
    (src / "kernels" / "a").mkdir(parents=True)
    (src / "kernels" / "a" / "manifest.json").write_text("{}")
    (src / "kernels" / "a" / ".tt-key.json").write_text("{}")
    (src / "__init__.py").write_text("x = 1\n")
    assert sync_tree(src, dest) == (["__init__.py", "kernels/a/manifest.json"], [])
    assert not (dest / "kernels" / "a" / ".tt-key.json").exists()  # build-tree bookkeeping stays there
    assert sync_tree(src, dest) == ([], [])
    (dest / "__pycache__").mkdir()
    (dest / "__pycache__" / "x.pyc").write_bytes(b"")
    (src / "kernels" / "a" / "manifest.json").unlink()
    (src / "kernels" / "b").mkdir()
    (src / "kernels" / "b" / "manifest.json").write_text("{}")
    (src / "__init__.py").write_text("x = 22\n")
    assert sync_tree(src, dest) == (["__init__.py", "kernels/b/manifest.json"], ["kernels/a/manifest.json"])
    assert not (dest / "kernels" / "a").exists()
    assert (dest / "__init__.py").read_text() == "x = 22\n"
    assert (dest / "__pycache__" / "x.pyc").exists()



def test_install_record_lists_what_a_rebuild_added(tmp_path: Path) -> None:
    """`pip uninstall` removes what RECORD lists: files of instances added after the editable install too."""
    site = tmp_path / "site"
    pkg = site / "tt_mini_kernels"
    (pkg / "kernels" / "add_64").mkdir(parents=True)
    other = site / "other-1.0.dist-info"
    other.mkdir()
    (other / "RECORD").write_text("other/__init__.py,sha256=x,1\n")
    info = site / "tt_mini_kernels-0.1.0.dist-info"
    info.mkdir()
    (info / "RECORD").write_text("tt_mini_kernels/__init__.py,sha256=a,10\n"
                                 "tt_mini_kernels/kernels/add_64/manifest.json,sha256=b,2\n"
                                 "tt_mini_kernels-0.1.0.dist-info/RECORD,,\n")
    record = update_record(site, pkg, ["kernels/add_96/manifest.json", "kernels/add_96/host.cpp"],
                           ["kernels/add_64/manifest.json"])
    assert record == info / "RECORD"
    assert record.read_text().splitlines() == [
        "tt_mini_kernels/__init__.py,sha256=a,10",
        "tt_mini_kernels-0.1.0.dist-info/RECORD,,",
        "tt_mini_kernels/kernels/add_96/manifest.json,,",
        "tt_mini_kernels/kernels/add_96/host.cpp,,",
    ]
    assert (other / "RECORD").read_text() == "other/__init__.py,sha256=x,1\n"
    # Idempotent: listed files are not added twice.
    update_record(site, pkg, ["kernels/add_96/host.cpp"], [])
    assert record.read_text().count("add_96/host.cpp") == 1
