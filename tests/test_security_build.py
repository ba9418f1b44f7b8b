"""Reliability and security of the build (issue 10), full-build part: real CMake, Ninja, compiler and
mock SDK, every successful build checked against numpy (tests/packages/buildsupport.check_kernels).

Hostile paths through every generated file (2), concurrent builds and a broken configure (4), kill
points at every stage boundary of a build (10) and damaged runtime artifacts (8)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.packages.buildsupport import (
    PY,
    TIMEOUT,
    build,
    build_env,
    check_kernels,
    copy_project,
    edit_gemm,
    seed_mock_runtime,
    tt_build,
)
from tt_build.build.cache import COMMIT, LoweringCache

pytestmark = [pytest.mark.integration, pytest.mark.compile]

INSTANCES = ["add_64", "gemm_64", "mul_64"]


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = tmp_path_factory.mktemp("security-cache")
    seed_mock_runtime(cache)
    return cache


def _tree(root: Path, skip: list[Path]) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if not any(p.is_relative_to(s) for s in skip))


# -- 2: hostile paths through a whole build ---------------------------------------------------


def test_hostile_paths_build_correctly_and_nothing_executes(tmp_path: Path) -> None:
    """Project directory, kernel file name and cache directory full of shell, CMake and C++
    metacharacters CMake can carry: the build succeeds, the kernels are right, no command runs and
    nothing is written outside the project and the cache."""
    hostile = "x `touch PWNED1` 'q' @HOME@ ü {} %s & (x) * ? ! ~ = + ,"  # no ":": PYTHONPATH (check_kernels) splits on it
    proj = copy_project(tmp_path / hostile)
    kernel = proj / "kernels" / "e `touch PWNED3` && touch PWNED4 ü'.py"
    (proj / "kernels" / "eltwise.py").rename(kernel)
    cache = tmp_path / "c `touch PWNED5` && touch PWNED6 ü"
    pyproject = proj / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('sdk = "mock"', 'sdk = "mock"\ncompiler-launcher = "none"'))
    env = build_env(cache)
    before = _tree(tmp_path, [proj, cache])
    proc = subprocess.run([PY, "-m", "tt_build.cli", "build", "--json", str(proj)], env=env, capture_output=True,
                          text=True, timeout=TIMEOUT, check=False, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["lowered"] == 3
    check_kernels(proj / "build" / "tt-build", env)
    assert _tree(tmp_path, [proj, cache]) == before
    assert not [p for p in tmp_path.rglob("PWNED*")] and not list(Path.cwd().glob("PWNED*"))
    header = (proj / "build" / "tt-build" / "tt_mini_kernels" / "kernels" / "add_64" / "reader.cpp").read_text()
    assert "// source: e `touch PWNED3` && touch PWNED4 ü'.py\n" in header


# -- 4: concurrent builds of one project, broken configure ---------------------------------------


def test_concurrent_builds_of_one_project_serialize_and_all_succeed(tmp_path: Path, shared_cache: Path) -> None:
    proj = copy_project(tmp_path)
    env = build_env(shared_cache)
    procs = [subprocess.Popen([PY, "-m", "tt_build.cli", "build", "--json", str(proj)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outs = [p.communicate(timeout=TIMEOUT) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outs
    waiting = f"tt-build: waiting for another build of tt-mini-kernels ({proj / '.tt-build' / 'build.lock'})"
    assert sum(waiting in out + err for out, err in outs) >= 2  # the first build took the lock
    reports = [json.loads(out.strip().splitlines()[-1]) for out, _ in outs]
    assert sorted(r["configured"] for r in reports) == [False, False, True]
    check_kernels(proj / "build" / "tt-build", env)

    # A configure state left broken (as concurrent configures used to leave it): discarded, rebuilt.
    cmake_cache = proj / "build" / "tt-build" / "CMakeCache.txt"
    cmake_cache.write_text(cmake_cache.read_text().replace("CMAKE_EXECUTABLE_FORMAT:INTERNAL=ELF",
                                                           "CMAKE_EXECUTABLE_FORMAT:INTERNAL=Unknown"))
    proc = tt_build("build", "--reconfigure", str(proj), env=env)
    assert (f"tt-build: warning: discarding the CMake configure in {proj / 'build' / 'tt-build'} "
            "(CMAKE_EXECUTABLE_FORMAT is cached as Unknown); configuring again") in proc.stdout
    assert "CMAKE_EXECUTABLE_FORMAT:INTERNAL=ELF" in cmake_cache.read_text()
    check_kernels(proj / "build" / "tt-build", env)


# -- 10: kill points at every stage boundary of a build ------------------------------------------


def test_kill_points_then_the_next_build_is_correct(tmp_path: Path, shared_cache: Path) -> None:
    """A build killed (SIGKILL, -j1 so nothing else runs) at each stage boundary of a build; after each
    kill the cache holds only entries that prove their key, no instance has a manifest without its
    files, and the next build completes correctly (numpy-checked) and leaves nothing to do."""
    proj = copy_project(tmp_path)
    marker = tmp_path / "marker"
    env = build_env(shared_cache)
    pkg = proj / "build" / "tt-build" / "tt_mini_kernels"
    eltwise = proj / "kernels" / "eltwise.py"
    for n, point in enumerate(("lowered", "publish", "install", "compile")):
        marker.unlink(missing_ok=True)
        kill_env = {**env, "TT_BUILD_KILL_AT": point, "TT_BUILD_KILL_MARKER": str(marker)}
        if point == "compile":  # new emitted code for gemm_64: its host program is compiled again
            edit_gemm(proj)
        else:  # a new key for add_64 and mul_64: they are lowered again
            eltwise.write_text(eltwise.read_text() + f"# edit {n}\n")
        proc = tt_build("build", "-j", "1", str(proj), env=kill_env, check=False)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert marker.read_text() == f"{point}\n"
        assert "Traceback" not in proc.stdout + proc.stderr
        lowering = LoweringCache(shared_cache)
        for entry in lowering.entries():
            assert (entry / COMMIT).is_file() and lowering.lookup(entry.name) is not None
        for inst in pkg.glob("kernels/*"):
            if (inst / "manifest.json").exists():
                assert all((inst / f).is_file() for f in ("reader.cpp", "compute.cpp", "writer.cpp", "host.cpp"))
        build(proj, env)
        check_kernels(proj / "build" / "tt-build", env)
        noop = build(proj, env)
        assert (noop["lowered"], noop["cached"], noop["compiled"]) == (0, 0, 0)


# -- 8: damaged runtime artifacts -------------------------------------------------------------------


def test_damaged_runtime_artifacts_are_rebuilt_and_cache_clean_repairs(tmp_path: Path, shared_cache: Path) -> None:
    """Last in this module: it damages (and finally cleans) the module's shared cache."""
    proj = copy_project(tmp_path)
    cache = shared_cache
    env = build_env(cache)
    build(proj, env)
    (lib,) = (cache / "sdk").glob("mock-*/lib/mock-runtime-*/libtt_metal_mock.a")
    (header,) = (cache / "sdk").glob("mock-*/include/api/dataflow/dataflow_api.h")

    # Garbage in the runtime archive (a truncated staged header: test_security.py): a new build
    # directory verifies it, rebuilds it once, and links the sound one.
    lib.write_bytes(b"garbage" * 100)
    shutil.rmtree(proj / "build")
    report = build(proj, env)
    assert report["compiled"] == 3
    assert lib.read_bytes()[:8] == b"!<arch>\n"
    check_kernels(proj / "build" / "tt-build", env)

    # Garbage again: `tt-build cache clean --older-than` removes the damaged runtime build only,
    # `tt-build cache clean` every staged SDK (the next build stages and builds them as above).
    (lib,) = (cache / "sdk").glob("mock-*/lib/mock-runtime-*/libtt_metal_mock.a")
    lib.write_bytes(b"")
    assert tt_build("cache", "clean", str(proj), "--older-than", "30", env=env).returncode == 0
    assert not lib.parent.exists() and header.is_file()
    assert tt_build("cache", "clean", str(proj), env=env).returncode == 0
    assert not list((cache / "sdk").iterdir())

    # Empty and garbage kernel .so files in the run-time kernel cache: rebuilt once, results right.
    kcache = tmp_path / "kcache"
    run_env = {**env, "TT_MOCK_KERNEL_CACHE": str(kcache)}
    for d in (proj / "build" / "tt-build" / "tt_mini_kernels" / "kernels").glob("*/precompiled"):
        shutil.rmtree(d)  # make the kernels come from the kernel cache
    check_kernels(proj / "build" / "tt-build", run_env)
    sos = sorted(kcache.glob("*.so"))
    assert sos and all(Path(f"{so}.sum").is_file() for so in sos)
    for i, so in enumerate(sos):
        so.write_bytes(b"" if i % 2 else b"\x7fELF garbage")
    check_kernels(proj / "build" / "tt-build", run_env)
    assert sorted(kcache.glob("*.so")) == sos
    assert all(so.read_bytes()[:4] == b"\x7fELF" and len(so.read_bytes()) > 1000 for so in kcache.glob("*.so"))
