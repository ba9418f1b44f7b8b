"""Helpers shared by the build-system tests (tests/test_build*.py, test_backend*.py, test_runtime*.py).

``fake_env`` configures a build to use the TEST DOUBLES in this directory: ``fake_emitter.py``
instead of the real compiler and ``fake_mock.cmake`` instead of the mock SDK library.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PY = sys.executable
SHARED_KERNELS = REPO.parent / "shared" / "kernels"


def fake_env(cache_dir: Path | None = None, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["TT_BUILD_TEST_EMITTER"] = "fake_emitter:emit"
    env["CMAKE_ARGS"] = f"-DCMAKE_PROJECT_TOP_LEVEL_INCLUDES={HERE / 'fake_mock.cmake'}"
    env["TT_BUILD_NO_LAUNCHER"] = "1"
    if cache_dir is not None:
        env["TT_BUILD_CACHE_DIR"] = str(cache_dir)
    env.update(extra)
    return env


def copy_package(name: str, dest: Path) -> Path:
    target = dest / name
    shutil.copytree(HERE / name, target, ignore=shutil.ignore_patterns("build", ".tt-build", "__pycache__"))
    return target


def tt_build(*args: str, env: dict[str, str], cwd: Path | None = None, check: bool = True,
             timeout: float = 300) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([PY, "-m", "tt_build.cli", *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"tt-build {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def run_python(code: str, env: dict[str, str], path: Path) -> subprocess.CompletedProcess[str]:
    env = dict(env)
    env["PYTHONPATH"] = os.pathsep.join([str(path), env.get("PYTHONPATH", "")])
    return subprocess.run([PY, "-c", code], env=env, capture_output=True, text=True, timeout=300, check=False)
