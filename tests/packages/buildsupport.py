"""Helpers of the build-plugin tests (tests/test_build_plugin.py): copy a test project, build it
with ``tt-build build`` or pip in a subprocess, and run its kernels against numpy in another one.

Everything is real: the compiler, the mock SDK, CMake and Ninja. Fault injection goes through
``slow_emitter.py`` (the ``TT_BUILD_TEST_EMITTER`` seam) and ``slow_cc.py`` (a compiler launcher).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PY = sys.executable
TIMEOUT = 600

#: A script run in a fresh interpreter: imports the built package, runs every instance on random
#: inputs and prints {instance: [pcc, max_rel_err]} as JSON (numpy reference from the manifest's op).
CHECK_KERNELS = r"""
import importlib, json, sys
import ml_dtypes, numpy as np
pkg = importlib.import_module(sys.argv[1])
ref = {"add_64": np.add, "mul_64": np.multiply, "gemm_64": np.matmul}
rng = np.random.default_rng(7)
out = {}
for name in pkg.__all__:
    k = getattr(pkg, name)
    xs = [rng.standard_normal(tuple(p["shape"])).astype(np.float32) for p in k.inputs]
    got = k(*xs).astype(np.float32)
    want = ref[name](*[x.astype(ml_dtypes.bfloat16).astype(np.float32) for x in xs])
    pcc = float(np.corrcoef(got.ravel(), want.ravel())[0, 1])
    rel = float(np.abs(got - want).max() / np.abs(want).max())
    out[name] = [pcc, rel]
print(json.dumps(out))
"""


def copy_project(dest: Path, name: str = "mini") -> Path:
    target = dest / name
    shutil.copytree(HERE / "mini", target, ignore=shutil.ignore_patterns("build", ".tt-build", "__pycache__"))
    return target


def edit_gemm(project: Path) -> None:
    """An edit of the project's GEMM kernel that changes its emitted code but not its result: the two
    operand copies of the K loop swapped (the compiler's plan may deepen a K loop's ``num_stages``, so
    changing that alone need not change the code)."""
    gemm = project / "kernels" / "gemm.py"
    a = "                T.copy(A[by * block, k * block], a)\n"
    b = "                T.copy(B[k * block, bx * block], b)\n"
    text = gemm.read_text()
    assert a + b in text, "the mini project's GEMM kernel changed: update edit_gemm"
    gemm.write_text(text.replace(a + b, b + a))


def seed_mock_runtime(cache_dir: Path) -> None:
    """Put the staged mock SDK and its runtime (for the default compiler and architecture) into the
    fresh lowering cache ``cache_dir``, as a build that came before would have left them.

    Building the runtime (``libtt_metal_mock.a``, -O3) is about two thirds of a cold build's CPU time;
    the seed is built once per content (SDK sources and headers, compiler) into
    ``<test build dir>/seed-cache`` and copied. Both are keyed by content, not path (a staged SDK moved
    with its cache keeps its runtime), so the build that follows finds them as it would in a cache a
    CI runner restored. A cache that already has an ``sdk/`` directory is left alone.
    """
    from tt_build import mock_sdk  # noqa: PLC0415
    from tt_build.build.discover import mock_runtime, stage_mock_sdk  # noqa: PLC0415
    from tt_build.build.fs import FileLock  # noqa: PLC0415

    from tests.e2e import test_build_dir  # noqa: PLC0415

    if (cache_dir / "sdk").exists():
        return
    seed = test_build_dir() / "seed-cache"
    with FileLock(seed / ".lock").held():  # xdist workers: one builds, the others wait and copy
        staged = stage_mock_sdk(seed)
        assert staged is not None
        mock_runtime(staged, " ".join(mock_sdk.cxx()), "wormhole_b0")
    shutil.copytree(staged, cache_dir / "sdk" / staged.name)


def build_env(cache_dir: Path | None = None, *, seed: bool = False, **extra: str) -> dict[str, str]:
    """The environment of a build subprocess: no TT_MOCK_* / TT_BUILD_* variables of the caller, no
    compiler launcher, tests/packages on PYTHONPATH, the lowering cache ``cache_dir`` (None: the
    project's own ``.tt-build/cache``), then ``extra``.

    ``seed=True`` first puts the mock runtime into ``cache_dir`` unless it has an ``sdk/`` directory
    already (:func:`seed_mock_runtime`): for tests whose point is not building the runtime.
    """
    if seed and cache_dir is not None:
        seed_mock_runtime(cache_dir)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TT_MOCK_", "TT_BUILD_"))}
    env["TT_BUILD_NO_LAUNCHER"] = "1"
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    if cache_dir is not None:
        env["TT_BUILD_CACHE_DIR"] = str(cache_dir)
    env.update(extra)
    return env


def tt_build(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([PY, "-m", "tt_build.cli", *args], env=env, capture_output=True, text=True,
                          timeout=TIMEOUT, check=False)
    if check and proc.returncode != 0:
        msg = f"tt-build {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        raise AssertionError(msg)
    return proc


def build(project: Path, env: dict[str, str]) -> dict:
    """``tt-build build --json``; returns the report (lowered / cached / compiled counts, instances)."""
    proc = tt_build("build", "--json", str(project), env=env)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def per_instance(report: dict, field: str) -> dict[str, str]:
    return {name: r[field] for name, r in report["instances"].items()}


def check_kernels(package_parent: Path, env: dict[str, str], package: str = "tt_mini_kernels") -> dict:
    """Run every kernel of the built package in a fresh interpreter; assert they match numpy."""
    env = dict(env)
    env["PYTHONPATH"] = os.pathsep.join([str(package_parent), env.get("PYTHONPATH", "")])
    proc = subprocess.run([PY, "-c", CHECK_KERNELS, package], env=env, capture_output=True, text=True,
                          timeout=TIMEOUT, check=False)
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    for name, (pcc, rel) in results.items():
        assert pcc >= 0.999 and rel <= 2e-2, (name, pcc, rel)
    return results


def fake_metalium_home(dest: Path) -> Path:
    """A TT_METAL_HOME for the ``sdk = "metalium"`` tests: the real device headers and firmware
    sources of the ttnn wheel, plus the mock SDK's host headers standing in for TT-Metalium's host
    API (the wheel ships none; the mock's are at the same paths with the same signatures)."""
    from tt_build import mock_sdk  # noqa: PLC0415
    from tt_build.ttnn_wheel import ensure_ttnn  # noqa: PLC0415

    wheel = ensure_ttnn()
    home = dest / "tt-metal"
    host_api = home / "tt_metal" / "api" / "tt-metalium"
    host_api.mkdir(parents=True)
    for e in wheel.iterdir():
        if e.name != "tt_metal":
            (home / e.name).symlink_to(e)
    for e in (wheel / "tt_metal").iterdir():
        if e.name != "api":
            (home / "tt_metal" / e.name).symlink_to(e)
    for e in (wheel / "tt_metal" / "api").iterdir():
        if e.name != "tt-metalium":
            (home / "tt_metal" / "api" / e.name).symlink_to(e)
    for e in (mock_sdk.include_dir() / "tt-metalium").iterdir():
        (host_api / e.name).symlink_to(e)
    # the mock's minimal {fmt}, which its host headers include (a real TT-Metalium build gets fmt from its
    # third-party dependencies)
    (home / "tt_metal" / "api" / "fmt").symlink_to(mock_sdk.include_dir() / "fmt")
    for e in (wheel / "tt_metal" / "api" / "tt-metalium").iterdir():  # the real ones where the wheel has them
        (host_api / e.name).unlink(missing_ok=True)
        (host_api / e.name).symlink_to(e)
    return home
