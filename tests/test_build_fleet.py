"""Builds as a kernel author and a CI fleet see them: progress lines, failures, incremental warm-up,
``--explain``; caches shared between build directories, compilers spelled differently, moved cache
directories and ccache. Real compiler, CMake and Ninja (see tests/packages/buildsupport.py)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.packages.buildsupport import build, build_env, check_kernels, copy_project, tt_build

pytestmark = [pytest.mark.integration, pytest.mark.compile]

INSTANCES = ["add_64", "gemm_64", "mul_64"]
_LINE = re.compile(r"^tt-build: (\w+)\s+(lowered|cached|compiled|warmed)\s+\d+\.\d\d s(?:,[^\[]*)?"
                   r"(?: \(device kernels precompiled\))?  \[(\d+)/(\d+) steps, (\d+\.\d) s\]$")


def _same_compiler_as(cxx: str, other: str) -> str:
    """``other`` when it runs the same compiler file as ``cxx`` on this machine, else ``cxx``."""
    a, b = shutil.which(cxx), shutil.which(other)
    return other if a and b and Path(a).resolve() == Path(b).resolve() else cxx


def _runtimes(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.glob("sdk/*/lib/mock-runtime-*") if p.is_dir())


def test_progress_lines_failures_warm_and_explain(tmp_path: Path) -> None:
    proj = copy_project(tmp_path)
    env = build_env(tmp_path / "cache", seed=True)
    out = tt_build("build", str(proj), env=env).stdout
    assert "\r" not in out and "\x1b" not in out  # not a terminal: plain lines, no status line
    events: dict[str, list[str]] = {}
    steps, elapsed = [], []
    for line in out.splitlines():
        m = _LINE.match(line)
        if m:
            events.setdefault(m.group(1), []).append(m.group(2))
            steps.append(int(m.group(3)))
            elapsed.append(float(m.group(5)))
            assert int(m.group(3)) <= int(m.group(4))
    # One line per instance and phase, as it happens, with the step count and the elapsed time.
    assert events == {name: ["lowered", "compiled", "warmed"] for name in INSTANCES}
    assert steps == sorted(steps) and elapsed == sorted(elapsed)
    check_kernels(proj / "build" / "tt-build", env)

    # A new instance: only it is lowered, compiled and warmed; the others' rows stay up to date.
    pyproject = proj / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.tt-build.instances.add_96]\nkernel = "kernels/eltwise.py"\n'
                         'factory = "binary"\nargs = { M = 96, N = 64, op = "add" }\n')
    report = build(proj, env)
    rows = {n: (r["lower"], r["compile"], r["warm_seconds"] > 0) for n, r in report["instances"].items()}
    assert rows == {"add_96": ("lowered", "compiled", True),
                    **{n: ("up-to-date", "up-to-date", False) for n in INSTANCES}}

    # --explain: why, with times as differences, not raw nanosecond mtimes.
    kernel = proj / "kernels" / "eltwise.py"
    kernel.write_text(kernel.read_text() + "\n# edited\n")
    explained = tt_build("build", "--explain", str(proj), env=env).stdout
    assert "why: lowering: changed: source eltwise.py" in explained
    assert not re.search(r"\d{12,}", explained), explained
    assert re.search(r"older than most recent input .*eltwise\.py \(older by \d+\.\d{3} s\)", explained), explained

    # A broken kernel: its located diagnostic alone, no ninja wrapping and no internal command line.
    text = kernel.read_text().replace("a[i, j] + b[i, j]", "a[i, j] + b[i, j] + undefined_name")
    kernel.write_text(text)
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "undefined_name" in s)
    col = text.splitlines()[line - 1].index("undefined_name") + 1
    failed = tt_build("build", str(proj), env=env, check=False)
    assert failed.returncode == 1
    err = failed.stderr.splitlines()
    assert err[0] == f"{kernel}:{line}:{col}: error: unknown name 'undefined_name'"
    assert err[-1] == ("error: build of tt-mini-kernels failed; see the messages above (-v shows the tools' "
                       "raw output)")
    both = failed.stdout + failed.stderr
    assert "FAILED:" not in both and "tt_build.build.lower" not in both and "ninja: build stopped" not in both
    verbose = tt_build("build", "-v", str(proj), env=env, check=False)
    assert verbose.returncode == 1
    assert "FAILED: " in verbose.stderr and "-m tt_build.build.lower" in verbose.stderr
    assert f"{kernel}:{line}:{col}: error: unknown name 'undefined_name'" in verbose.stderr


def test_mock_runtime_key_names_the_compiler_not_its_spelling_nor_the_sdk_path(tmp_path: Path) -> None:
    """`tt-build build`'s CMake picks c++ where an isolated pip build's picked g++: one compiler, so
    one mock runtime in a shared cache; and a staged SDK moved with its cache keeps its runtime."""
    from tt_build import mock_sdk  # noqa: PLC0415

    if shutil.which("g++") is None or shutil.which("c++") is None:
        pytest.skip("needs both c++ and g++ on PATH")
    if Path(shutil.which("g++") or "").resolve() != Path(shutil.which("c++") or "").resolve():
        pytest.skip("c++ and g++ are different compilers on this machine")
    sdk = tmp_path / "a" / "sdk"
    shutil.copytree(mock_sdk.source_dir().parent, sdk, ignore=shutil.ignore_patterns("__pycache__"))
    moved = tmp_path / "b" / "sdk"
    shutil.copytree(sdk, moved)

    key = mock_sdk.runtime_key
    assert key(["c++"], sdk_dir=sdk) == key(["g++"], sdk_dir=sdk) == key([shutil.which("g++") or ""], sdk_dir=moved)
    assert key(["c++"], sdk_dir=sdk) != key(["c++", "-O0"], sdk_dir=sdk)
    assert key(["c++"], sdk_dir=sdk) != key(["c++"], sdk_dir=sdk, arch="blackhole")
    (moved / "include" / "ckernel.h").write_text((moved / "include" / "ckernel.h").read_text() + "\n// changed\n")
    assert key(["c++"], sdk_dir=sdk) != key(["c++"], sdk_dir=moved)  # content still counts


def _ccache_stats(env: dict[str, str]) -> dict[str, int]:
    out = subprocess.run(["ccache", "--print-stats"], env=env, capture_output=True, text=True, check=True).stdout
    return {k: int(v) for k, v in (line.split("\t") for line in out.splitlines() if "\t" in line)
            if v.strip().isdigit()}


def test_ci_fleet_caches_relocate_and_ccache_compiles_nothing(tmp_path: Path) -> None:
    """What a CI runner restores: the lowering cache (with the staged mock SDK and its runtime), the
    mock kernel cache and ccache's directory, at another path, for a fresh checkout. Nothing is
    lowered, the mock runtime is not rebuilt, no device kernel is recompiled and, with ccache, no
    host program is compiled for real."""
    have_ccache = shutil.which("ccache") is not None
    cache, kcache = tmp_path / "cache", tmp_path / "kernels-cache"
    env = build_env(cache, seed=True, CXX="c++", TT_MOCK_KERNEL_CACHE=str(kcache), CCACHE_DIR=str(tmp_path / "ccache"),
                    CCACHE_BASEDIR=str(tmp_path), CCACHE_NOHASHDIR="1")
    if have_ccache:
        del env["TT_BUILD_NO_LAUNCHER"]  # the default launcher: ccache, found on PATH
    first = copy_project(tmp_path / "a")
    pyproject = first / "pyproject.toml"
    # No build-time precompile: the kernels compile on first run into the mock kernel cache.
    pyproject.write_text(pyproject.read_text().replace('sdk = "mock"', 'sdk = "mock"\nwarm = false'))
    assert build(first, env)["lowered"] == 3
    check_kernels(first / "build" / "tt-build", env)
    kernels = sorted(p.name for p in kcache.rglob("*.so"))
    assert len(kernels) >= 3 * len(INSTANCES)  # reader, compute, writer of each instance
    runtimes = _runtimes(cache)
    assert len(runtimes) == 1
    if have_ccache:
        assert _ccache_stats(env)["cache_miss"] == 3  # the three host programs, stored
        subprocess.run(["ccache", "--zero-stats"], env=env, check=True, capture_output=True)

    # Another runner: the caches restored where they were, a fresh checkout and build directory elsewhere.
    second = tmp_path / "b" / "mini"
    shutil.copytree(first, second, ignore=shutil.ignore_patterns("build", ".tt-build"))
    report = build(second, env)
    assert (report["lowered"], report["cached"], report["compiled"]) == (0, 3, 3)
    assert _runtimes(cache) == runtimes
    check_kernels(second / "build" / "tt-build", env)
    assert sorted(p.name for p in kcache.rglob("*.so")) == kernels  # no device kernel recompiled
    if have_ccache:
        stats = _ccache_stats(env)
        assert stats["cache_miss"] == 0
        assert stats["direct_cache_hit"] + stats["preprocessed_cache_hit"] == 3

    # The caches moved to another path (a runner with another home): still nothing re-lowered, the
    # same mock runtime, no device kernel recompiled. (ccache cannot hit here: the mock SDK's include
    # path on the compile command lines moved with the cache.)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.move(str(cache), elsewhere / "cache")
    shutil.move(str(kcache), elsewhere / "kernels-cache")
    third = tmp_path / "c" / "mini"
    shutil.copytree(first, third, ignore=shutil.ignore_patterns("build", ".tt-build"))
    # The compiler spelled g++ (the first two builds' CMake found c++): what an isolated pip build's
    # CMake picked next to `tt-build build`'s, which used to build a second mock runtime.
    env3 = {**env, "TT_BUILD_CACHE_DIR": str(elsewhere / "cache"),
            "TT_MOCK_KERNEL_CACHE": str(elsewhere / "kernels-cache"), "CXX": _same_compiler_as("c++", "g++")}
    report = build(third, env3)
    assert (report["lowered"], report["cached"]) == (0, 3)
    assert _runtimes(elsewhere / "cache") == runtimes
    check_kernels(third / "build" / "tt-build", env3)
    assert sorted(p.name for p in (elsewhere / "kernels-cache").rglob("*.so")) == kernels
    if not have_ccache:
        pytest.skip("ccache is not installed (apt-get install ccache; .ci/run installs it): the caches were "
                    "checked, the host-program compiles were not")
