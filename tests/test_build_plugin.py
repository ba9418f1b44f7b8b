"""The build plugin end to end: real compiler, real mock SDK, CMake and Ninja, driven through
``tt-build build`` and pip. Every successful build is checked by running its kernels against
numpy; every failure by its exact message and by what it left behind."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

from tests.packages.buildsupport import (
    HERE,
    PY,
    REPO,
    TIMEOUT,
    build,
    build_env,
    check_kernels,
    copy_project,
    edit_gemm,
    fake_metalium_home,
    per_instance,
    seed_mock_runtime,
    tt_build,
)
from tt_build.build.cache import LoweringCache

pytestmark = [pytest.mark.integration, pytest.mark.compile]

INSTANCES = ["add_64", "gemm_64", "mul_64"]


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A lowering cache shared by the tests that do not test the cache itself, seeded with the mock
    runtime."""
    cache = tmp_path_factory.mktemp("shared-cache")
    seed_mock_runtime(cache)
    return cache


def _package_parent(project: Path) -> Path:
    return project / "build" / "tt-build"


def _entries(cache_dir: Path) -> dict[str, bytes]:
    """Every committed cache entry's files, by relative path, with their content."""
    base = cache_dir / "v1" / "entries"
    return {str(p.relative_to(base)): p.read_bytes() for p in sorted(base.rglob("*")) if p.is_file()}


def _wait_for(path: Path, proc: subprocess.Popen[str], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"build ended (rc={proc.returncode}) before reaching the fault point:\n{out}\n{err}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {path}")
        time.sleep(0.05)


def _start_build(project: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([PY, "-m", "tt_build.cli", "build", str(project)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _kill(proc: subprocess.Popen[str]) -> None:
    """SIGKILL the build and every process it started, as a power cut would. Ninja starts each
    command in a process group of its own, so killing the build's group is not enough."""
    tree = [proc.pid, *_descendants(proc.pid)]
    for pid in tree:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGSTOP)  # freeze first: nothing forks or finishes while we collect
    tree += [p for p in _descendants(proc.pid) if p not in tree]
    for pid in tree:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    proc.communicate(timeout=60)


# -- incremental builds -----------------------------------------------------------------------


def test_cold_noop_and_edits_rebuild_only_what_changed(tmp_path: Path) -> None:
    proj = copy_project(tmp_path)
    env = build_env(tmp_path / "cache", seed=True)

    cold = build(proj, env)
    assert per_instance(cold, "lower") == dict.fromkeys(INSTANCES, "lowered")
    assert per_instance(cold, "compile") == dict.fromkeys(INSTANCES, "compiled")
    check_kernels(_package_parent(proj), env)
    commands = json.loads((proj / "build" / "tt-build" / "compile_commands.json").read_text())
    compiled = sorted(Path(c["file"]).parent.name for c in commands if c["file"].endswith("host.cpp"))
    assert compiled == INSTANCES  # for clangd & co: one entry per host program

    noop = build(proj, env)
    assert (noop["configured"], noop["lowered"], noop["cached"], noop["compiled"]) == (False, 0, 0, 0)

    # A change that alters the emitted code of one kernel: that kernel alone is lowered and compiled.
    edit_gemm(proj)
    edit = build(proj, env)
    assert per_instance(edit, "lower") == {"add_64": "up-to-date", "gemm_64": "lowered", "mul_64": "up-to-date"}
    assert per_instance(edit, "compile") == {"add_64": "up-to-date", "gemm_64": "compiled", "mul_64": "up-to-date"}
    check_kernels(_package_parent(proj), env)

    # The local helper every kernel imports (tracked through the depfiles): all re-lowered, but
    # the emitted files are unchanged, so restat prunes every compile.
    tiling = proj / "kernels" / "tiling.py"
    tiling.write_text(tiling.read_text() + "# a comment\n")
    helper = build(proj, env)
    assert per_instance(helper, "lower") == dict.fromkeys(INSTANCES, "lowered")
    assert helper["compiled"] == 0


def test_explain_names_the_changed_file(tmp_path: Path, shared_cache: Path) -> None:
    proj = copy_project(tmp_path, "my-kernels")  # a dashed directory name, as `tt-build new` suggests
    env = build_env(shared_cache)
    build(proj, env)
    eltwise = proj / "kernels" / "eltwise.py"
    eltwise.write_text(eltwise.read_text() + "# touched\n")
    out = tt_build("build", "--explain", str(proj), env=env).stdout
    table = out[out.index("---"):out.index("instance(s):")].splitlines()[1:-1]
    rows = {line.split()[0]: line for line in table if not line.startswith(" ")}
    assert sorted(rows) == INSTANCES  # one row per instance, nothing else
    assert "why: lowering: changed: source eltwise.py" in out
    assert rows["gemm_64"].split()[1] == "up-to-date"
    assert "why: up to date (no input of this instance changed)" in out


def test_lowering_cache_outlives_the_build_directory(tmp_path: Path, shared_cache: Path) -> None:
    proj = copy_project(tmp_path)
    env = build_env(shared_cache)
    build(proj, env)
    shutil.rmtree(proj / "build")
    again = build(proj, env)
    assert (again["lowered"], again["cached"], again["compiled"]) == (0, 3, 3)
    check_kernels(_package_parent(proj), env)


def test_project_cache_dir_is_used_by_default(tmp_path: Path) -> None:
    proj = copy_project(tmp_path)
    env = build_env(None)
    build(proj, env)
    cache = LoweringCache(proj / ".tt-build" / "cache")
    assert cache.info()["committed"] == 3
    assert "entries:       3 (3 committed)" in tt_build("cache", "info", str(proj), env=env).stdout


# -- reliability ----------------------------------------------------------------------------


def test_sigkill_during_lowering_then_rebuild_is_correct(tmp_path: Path) -> None:
    proj = copy_project(tmp_path)
    cache_dir = tmp_path / "cache"
    marker = tmp_path / "lowering.marker"
    proc = _start_build(proj, build_env(cache_dir, seed=True, TT_BUILD_TEST_EMITTER="slow_emitter:emit",
                                        SLOW_EMIT_MARKER=str(marker)))
    _wait_for(marker, proc)
    _kill(proc)
    # The instance being lowered wrote nothing outside its staging directory in the cache.
    killed = marker.read_text()
    assert not (proj / "build" / "tt-build" / "tt_mini_kernels" / "kernels" / killed / "reader.cpp").exists()
    assert killed not in json.dumps(list(_entries(cache_dir)))

    env = build_env(cache_dir)
    report = build(proj, env)
    assert report["lowered"] + report["cached"] == 3
    check_kernels(_package_parent(proj), env)
    # Every published entry verifies (a lookup checks each file against its recorded hash).
    cache = LoweringCache(cache_dir)
    assert cache.info()["committed"] == 3
    assert "truncated" not in json.dumps({k: v.decode(errors="replace") for k, v in _entries(cache_dir).items()})


def test_sigkill_during_compilation_then_rebuild_is_correct(tmp_path: Path, shared_cache: Path) -> None:
    proj = copy_project(tmp_path)
    pyproject = proj / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        'sdk = "mock"', f'sdk = "mock"\ncompiler-launcher = "{HERE / "slow_cc.py"}"'))
    marker = tmp_path / "compile.marker"
    env = build_env(shared_cache)
    env.pop("TT_BUILD_NO_LAUNCHER")
    proc = _start_build(proj, {**env, "SLOW_CC_MARKER": str(marker)})
    _wait_for(marker, proc)
    _kill(proc)  # leaves a truncated object file behind, as a compiler killed mid-write would

    report = build(proj, env)
    assert report["compiled"] == 3
    check_kernels(_package_parent(proj), env)


def test_concurrent_builds_share_one_cache(tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    projects = [copy_project(tmp_path / f"p{i}") for i in range(2)]
    env = build_env(cache_dir)
    procs = [subprocess.Popen([PY, "-m", "tt_build.cli", "build", "--json", str(p)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for p in projects]
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=TIMEOUT)
        assert proc.returncode == 0, err
        reports.append(json.loads(out.strip().splitlines()[-1]))
    # The per-key lock: each instance was lowered by exactly one of the two builds.
    assert sum(r["lowered"] for r in reports) == 3
    assert sum(r["cached"] for r in reports) == 3
    assert LoweringCache(cache_dir).info()["committed"] == 3
    for p in projects:
        check_kernels(_package_parent(p), env)


def test_kernel_syntax_error_names_file_and_line_and_keeps_other_entries(tmp_path: Path) -> None:
    proj = copy_project(tmp_path)
    cache_dir = tmp_path / "cache"
    env = build_env(cache_dir, seed=True)
    build(proj, env)
    before = _entries(cache_dir)
    add_dir = _package_parent(proj) / "tt_mini_kernels" / "kernels" / "add_64"
    add_files = {p.name: p.read_bytes() for p in add_dir.iterdir() if p.is_file()}

    gemm = proj / "kernels" / "gemm.py"
    good = gemm.read_text()
    lines = good.splitlines()
    bad_line = next(i for i, ln in enumerate(lines) if "T.gemm(" in ln)
    lines[bad_line] = lines[bad_line].replace("T.gemm(a, b, acc)", "T.gemm(a, b, acc")
    gemm.write_text("\n".join(lines) + "\n")
    proc = tt_build("build", str(proj), env=env, check=False)
    assert proc.returncode == 1
    text = proc.stdout + proc.stderr
    col = lines[bad_line].index("T.gemm(") + len("T.gemm(")
    assert text.strip().splitlines()[-4:] == [
        f"{gemm}:{bad_line + 1}:{col}: error: invalid Python syntax: '(' was never closed",
        f"    {lines[bad_line]}",
        "    " + " " * (col - 1) + "^",
        "hint: fix the syntax error; no kernel of this file can be built until then"]
    assert "CMake Error" not in text and "ninja:" not in text and "Traceback" not in text
    assert _entries(cache_dir) == before
    assert {p.name: p.read_bytes() for p in add_dir.iterdir() if p.is_file()} == add_files

    gemm.write_text(good)
    fixed = build(proj, env)
    assert fixed["lowered"] == 0  # the good source is still in the cache
    check_kernels(_package_parent(proj), env)


@pytest.mark.parametrize("where", ["pyproject", "INSTANCES"])
def test_instance_name_cannot_escape_the_build_tree(tmp_path: Path, where: str) -> None:
    root = tmp_path / "a" / "b"
    proj = copy_project(root)
    evil = "../../x"
    if where == "pyproject":
        with (proj / "pyproject.toml").open("a") as f:
            f.write(f'\n[tool.tt-build.instances."{evil}"]\nkernel = "kernels/gemm.py"\nargs = {{ M = 32, N = 32, K = 32 }}\n')
    else:
        eltwise = proj / "kernels" / "eltwise.py"
        eltwise.write_text(eltwise.read_text().replace('"mul_64":', f'"{evil}":'))
    cache_dir = tmp_path / "a" / "cache"

    def outside() -> list[Path]:  # everything under tmp_path but the project and its cache
        return sorted(p for p in tmp_path.rglob("*") if not p.is_relative_to(proj) and not p.is_relative_to(cache_dir))

    before = outside()
    proc = tt_build("build", str(proj), env=build_env(cache_dir), check=False)
    assert proc.returncode == 1
    assert f"instance name '{evil}' is not an identifier ([A-Za-z_][A-Za-z0-9_]*)" in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert outside() == before


# -- the runtime ----------------------------------------------------------------------------


def test_runtime_checks_arguments_and_raises_the_mock_diagnostic(tmp_path: Path, shared_cache: Path) -> None:
    proj = copy_project(tmp_path)
    env = build_env(shared_cache)
    build(proj, env)
    pkg = _package_parent(proj) / "tt_mini_kernels"
    # A device kernel that never pushes what it reserved: the mock must report the deadlock.
    reader = pkg / "kernels" / "add_64" / "reader.cpp"
    reader.write_text("\n".join(ln for ln in reader.read_text().splitlines() if "cb_push_back" not in ln) + "\n")
    shutil.rmtree(pkg / "kernels" / "add_64" / "precompiled")
    code = r"""
import numpy as np, ml_dtypes, tt_mini_kernels as k
x = np.zeros((64, 64), np.float32)
for bad, exc in (((np.zeros((64, 32), np.float32), x), ValueError), ((x.astype(np.float64), x), TypeError),
                 ((x,), TypeError)):
    try:
        k.mul_64(*bad)
    except exc as e:
        print(type(e).__name__, e)
try:
    k.add_64(x, x)
except RuntimeError as e:
    print(type(e).__name__, e)
"""
    run_env = {**env, "PYTHONPATH": f"{_package_parent(proj)}{os.pathsep}{env['PYTHONPATH']}",
               "TT_MOCK_KERNEL_CACHE": str(tmp_path / "kcache")}
    out = subprocess.run([PY, "-c", code], env=run_env, capture_output=True, text=True, timeout=TIMEOUT,
                         check=False)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "ValueError mul_64: argument 0 (A) must have shape (64, 64), got (64, 32)"
    assert lines[1] == "TypeError mul_64: argument 0 (A) must be float32 or ml_dtypes.bfloat16, got float64"
    assert lines[2] == "TypeError mul_64() takes 2 arrays (A, B), got 1"
    assert lines[3].startswith("KernelError add_64: ")
    assert "deadlock" in lines[3]


# -- pip and PEP 517 frontends --------------------------------------------------------------


@pytest.fixture(scope="module")
def tt_wheel_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tt-build's own wheel, so isolated builds can install it (it is not on PyPI)."""
    out = tmp_path_factory.mktemp("tt-build-wheel")
    subprocess.run([PY, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(REPO)], check=True,
                   capture_output=True, timeout=TIMEOUT)
    return out


def _find_links(wheel_dir: Path) -> str:
    """tt-build's wheel first, then whatever find-links the machine already has."""
    return " ".join([str(wheel_dir), *os.environ.get("PIP_FIND_LINKS", "").split()])


def _pip(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([PY, "-m", "pip", *args], env=env, capture_output=True, text=True, timeout=TIMEOUT,
                          check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def test_pip_wheel_isolated_builds_and_installed_package_needs_no_compiler(
        tmp_path: Path, tt_wheel_dir: Path, shared_cache: Path) -> None:
    proj = copy_project(tmp_path)
    env = {**build_env(shared_cache), "PIP_FIND_LINKS": _find_links(tt_wheel_dir)}
    cold = _pip("wheel", "-v", "--no-deps", "-w", str(tmp_path / "dist"), str(proj), env=env)
    # The same per-instance progress lines as `tt-build build`, behind Ninja's [step/total elapsed] status.
    log = cold.stdout + cold.stderr
    for inst in INSTANCES:
        # (the lowering cache is shared with this worker's other tests: an instance may come from it)
        for kind in ("(lowered|cached)", "compiled", "warmed"):
            assert re.search(rf"^\s*tt-build: {inst}\s+{kind}\s+\d+\.\d\d s", log, re.M), (inst, kind)
    assert re.search(r"^\s*\[\d+/\d+ \d+\.\d{3}s\] tt-build: lowering add_64 \(kernels/eltwise.py\)$", log, re.M), log
    (wheel,) = (tmp_path / "dist").glob("tt_mini_kernels-0.1.0-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for inst in INSTANCES:
        assert f"tt_mini_kernels/kernels/{inst}/manifest.json" in names
        assert any(n.startswith(f"tt_mini_kernels/kernels/{inst}/precompiled/") for n in names)
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    # No compiler and an empty kernel cache: the precompiled device kernels must be used.
    check_kernels(site, {**env, "TT_MOCK_CXX": str(tmp_path / "no-compiler"),
                         "TT_MOCK_KERNEL_CACHE": str(tmp_path / "empty-cache")})
    assert not (tmp_path / "empty-cache").exists()
    # With a compiler (spelled `c++`, where the build's environment said CXX=g++ or similar): still
    # the precompiled kernels, nothing compiled into the kernel cache.
    check_kernels(site, {**env, "TT_MOCK_KERNEL_CACHE": str(tmp_path / "empty-cache-2")})
    assert not (tmp_path / "empty-cache-2").exists()

    # A second isolated build of the unchanged project (new build environment): the last wheel
    # is reused, byte for byte.
    again = _pip("wheel", "-v", "--no-deps", "-w", str(tmp_path / "dist2"), str(proj), env=env)
    log = again.stdout + again.stderr  # pip shows the backend's output on stderr
    assert f"tt-build: no input of mini changed since its last wheel build: reusing .tt-build/wheels/{wheel.name}" in log
    assert (tmp_path / "dist2" / wheel.name).read_bytes() == wheel.read_bytes()
    # Without reuse, CMake runs again in the persistent build directory: nothing to rebuild.
    third = _pip("wheel", "-v", "--no-deps", "-w", str(tmp_path / "dist3"), str(proj),
                 env={**env, "TT_BUILD_REUSE_WHEEL": "0"})
    log = third.stdout + third.stderr
    assert "ninja: no work to do." in log
    assert "Building CXX object" not in log
    assert "tt-build: lowering" not in log
    # An edited kernel is never served from the stored wheel.
    edit_gemm(proj)
    fourth = _pip("wheel", "-v", "--no-deps", "-w", str(tmp_path / "dist4"), str(proj), env=env)
    log = fourth.stdout + fourth.stderr
    assert "reusing" not in log
    assert "tt-build: lowering gemm_64" in log
    assert "Building CXX object" in log and log.count("host.cpp.o") == 1
    host = zipfile.ZipFile(tmp_path / "dist4" / wheel.name).read("tt_mini_kernels/kernels/gemm_64/host.cpp")
    assert host != zipfile.ZipFile(wheel).read("tt_mini_kernels/kernels/gemm_64/host.cpp")


def test_wheel_reuse_key_covers_the_build_inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tt_build.build.wheel_reuse import build_key  # noqa: PLC0415

    proj = copy_project(tmp_path)
    for var in ("CXXFLAGS", "CMAKE_ARGS", "TT_BUILD_PIPELINE"):
        monkeypatch.delenv(var, raising=False)
    skip = {"build", "dist"}
    base = build_key(proj, {}, skip)
    assert base is not None and base == build_key(proj, {}, skip)
    (proj / "build").mkdir()
    (proj / "build" / "x.o").write_bytes(b"object")  # build outputs are not inputs
    (proj / ".tt-build").mkdir()
    (proj / ".tt-build" / "state").write_text("cache")
    assert build_key(proj, {}, skip) == base
    assert build_key(proj, {"build.verbose": "true"}, skip) != base
    monkeypatch.setenv("CXXFLAGS", "-O0")
    assert build_key(proj, {}, skip) != base
    monkeypatch.delenv("CXXFLAGS")
    (proj / "kernels" / "tiling.py").write_text("BLOCK = 32  # same value, new text\n")
    assert build_key(proj, {}, skip) != base
    (proj / "kernels" / "tiling.py").write_text((REPO / "tests/packages/mini/kernels/tiling.py").read_text())
    assert build_key(proj, {}, skip) == base
    (proj / "README.md").write_text("any project file counts")
    assert build_key(proj, {}, skip) != base


def test_python_m_build_makes_an_sdist_and_a_wheel_from_it(tmp_path: Path, tt_wheel_dir: Path,
                                                           shared_cache: Path) -> None:
    proj = copy_project(tmp_path)
    build(proj, build_env(shared_cache))  # leaves build/ and .tt-build/ behind: the sdist must not ship them
    env = {**build_env(shared_cache), "PIP_FIND_LINKS": _find_links(tt_wheel_dir)}
    proc = subprocess.run([PY, "-m", "build", "-o", str(tmp_path / "dist"), str(proj)], env=env,
                          capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (sdist,) = (tmp_path / "dist").glob("tt_mini_kernels-0.1.0.tar.gz")
    import tarfile  # noqa: PLC0415

    members = sorted(m.name.split("/", 1)[1] for m in tarfile.open(sdist).getmembers() if m.isfile())
    assert members == ["PKG-INFO", "kernels/eltwise.py", "kernels/gemm.py", "kernels/tiling.py", "pyproject.toml"]
    (wheel,) = (tmp_path / "dist").glob("tt_mini_kernels-0.1.0-*.whl")
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    check_kernels(site, env)


def test_editable_install(tmp_path: Path, tt_wheel_dir: Path, shared_cache: Path) -> None:
    proj = copy_project(tmp_path)
    venv = tmp_path / "venv"
    subprocess.run([PY, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=TIMEOUT)
    vpy = venv / "bin" / "python"
    env = {**build_env(shared_cache), "PIP_FIND_LINKS": _find_links(tt_wheel_dir)}
    _pip("--python", str(vpy), "install", "--no-deps", "-e", str(proj), env=env)
    # numpy / ml_dtypes come from the test environment; the kernels from the editable install.
    outer = subprocess.run([PY, "-c", "import numpy, os; print(os.path.dirname(os.path.dirname(numpy.__file__)))"],
                           capture_output=True, text=True, check=True).stdout.strip()
    code = ("import sys, json, tt_mini_kernels as k, numpy as np; x = np.ones((64, 64), np.float32); "
            "print(json.dumps([k.__file__, float(k.add_64(x, x).max())]))")
    out = subprocess.run([str(vpy), "-c", code], env={**env, "PYTHONPATH": outer}, capture_output=True, text=True,
                         timeout=TIMEOUT, check=False)
    assert out.returncode == 0, out.stderr
    path, value = json.loads(out.stdout)
    assert Path(path).is_relative_to(venv)
    assert value == 2.0


def test_isolated_build_with_a_bad_setting_is_one_clean_error(tmp_path: Path, tt_wheel_dir: Path) -> None:
    proj = copy_project(tmp_path)
    pyproject = proj / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('sdk = "mock"', 'sdk = "mock"\narch = "grayskull"'))
    env = {**build_env(tmp_path / "cache"), "PIP_FIND_LINKS": _find_links(tt_wheel_dir)}
    proc = subprocess.run([PY, "-m", "pip", "wheel", "--no-deps", "-w", str(tmp_path / "dist"), str(proj)],
                          env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert proc.returncode != 0
    assert (f"ERROR: tt-build: {pyproject}: [tool.tt-build] arch: expected one of wormhole_b0, blackhole, "
            "got 'grayskull'") in (
        proc.stdout + proc.stderr)
    assert "Traceback" not in proc.stdout + proc.stderr


def test_new_project_scaffold_builds_and_runs(tmp_path: Path, shared_cache: Path) -> None:
    env = build_env(shared_cache)
    out = tt_build("new", str(tmp_path / "my-kernels"), env=env).stdout
    assert out.splitlines()[0] == f"created {tmp_path / 'my-kernels'}/ (package my_kernels): pyproject.toml, kernels/add.py, demo.py"
    proj = tmp_path / "my-kernels"
    assert sorted(p.relative_to(proj).as_posix() for p in proj.rglob("*") if p.is_file()) == [
        ".gitignore", "demo.py", "kernels/add.py", "pyproject.toml"]
    report = build(proj, env)
    assert per_instance(report, "compile") == {"add_64": "compiled"}
    run = subprocess.run([PY, str(proj / "demo.py")], env={**env, "PYTHONPATH": str(proj / "build" / "tt-build")},
                         capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("add_64: max rel err ") and run.stdout.rstrip().endswith(" ok")
    again = tt_build("new", str(proj), env=env, check=False)
    assert again.returncode == 1
    assert again.stderr.strip() == f"error: {proj} exists and is not empty (use --force)"


@pytest.mark.network
def test_metalium_sdk_checks_kernels_against_the_real_headers(tmp_path: Path, shared_cache: Path) -> None:
    proj = copy_project(tmp_path)
    pyproject = proj / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('sdk = "mock"', 'sdk = "metalium"'))
    env = build_env(shared_cache, TT_METAL_HOME=str(fake_metalium_home(tmp_path)))
    out = tt_build("build", str(proj), env=env).stdout
    checked = sorted(line.split()[1] for line in out.splitlines() if " checked  (" in line)
    assert checked == INSTANCES
    assert "reader checked, writer checked" in out
    # A kernel the real headers reject fails the build with the compiler's diagnostic.
    reader = _package_parent(proj) / "tt_mini_kernels" / "kernels" / "add_64" / "reader.cpp"
    reader.write_text(reader.read_text().replace("noc_async_read_barrier();", "noc_async_read_barier();"))
    proc = tt_build("build", str(proj), env=env, check=False)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 1
    assert "reader.cpp" in text and "noc_async_read_barier" in text and "error:" in text
    assert f"tt-build: add_64: kernels rejected by the TT-Metalium headers in {env['TT_METAL_HOME']}" in text
    # Without TT_METAL_HOME the metalium SDK cannot be used: one clean configure error.
    shutil.rmtree(proj / "build")
    bad = tt_build("build", str(proj), env={k: v for k, v in env.items() if k != "TT_METAL_HOME"}, check=False)
    assert bad.returncode == 1
    assert "SDK 'metalium' needs TT_METAL_HOME" in bad.stdout + bad.stderr


def test_project_with_its_own_cmakelists(tmp_path: Path, shared_cache: Path, tt_wheel_dir: Path) -> None:
    proj = copy_project(tmp_path)
    (proj / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.20)\n"
        "project(tt_mini_kernels LANGUAGES CXX)\n"
        "find_package(TTBuild CONFIG REQUIRED)\n"
        "tt_build_add_kernels(TARGET _tt_kernels PACKAGE tt_mini_kernels\n"
        "                     SOURCES kernels/eltwise.py kernels/gemm.py OUT_INSTANCES names)\n"
        'message(STATUS "kernel instances: ${names}")\n')
    env = build_env(shared_cache)
    report = build(proj, env)
    assert per_instance(report, "compile") == dict.fromkeys(INSTANCES, "compiled")
    check_kernels(_package_parent(proj), env)
    # Through pip: scikit-build-core finds TTBuild via tt-build's cmake.root entry point.
    penv = {**env, "PIP_FIND_LINKS": _find_links(tt_wheel_dir)}
    out = _pip("wheel", "-v", "--no-deps", "-w", str(tmp_path / "dist"), str(proj), env=penv)
    assert "-- kernel instances: add_64;gemm_64;mul_64" in out.stdout + out.stderr
    (wheel,) = (tmp_path / "dist").glob("tt_mini_kernels-0.1.0-*.whl")
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    check_kernels(site, env)


def test_configure_prints_no_warnings(tmp_path: Path, shared_cache: Path) -> None:
    from tt_build._resources import cmake_dir  # noqa: PLC0415
    from tt_build.build.builder import find_tool  # noqa: PLC0415
    from tt_build.build.cmakegen import generate_cmakelists  # noqa: PLC0415
    from tt_build.project import Project  # noqa: PLC0415

    proj = copy_project(tmp_path)
    src = generate_cmakelists(Project.load(proj))
    cmakes = {find_tool("cmake"), shutil.which("cmake")} - {None}
    for i, cmake in enumerate(sorted(cmakes)):
        proc = subprocess.run([cmake, "-S", str(src), "-B", str(tmp_path / f"b{i}"), "-G", "Ninja",
                               f"-DCMAKE_MAKE_PROGRAM={find_tool('ninja')}", f"-DTTBuild_DIR={cmake_dir()}",
                               f"-DPython_EXECUTABLE={PY}"], env=build_env(shared_cache), capture_output=True,
                              text=True, timeout=TIMEOUT, check=False)
        assert proc.returncode == 0, proc.stderr
        assert "CMake Warning" not in proc.stdout + proc.stderr, (cmake, proc.stderr)


def test_blackhole_project_runs_on_a_simulated_blackhole(tmp_path: Path, shared_cache: Path) -> None:
    proj = copy_project(tmp_path)
    pyproject = proj / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('sdk = "mock"', 'sdk = "mock"\narch = "blackhole"') +
                         '\n[tool.tt-build.instances.add_big]\nkernel = "kernels/eltwise.py"\n'
                         'args = { M = 512, N = 512, op = "add" }\n')
    env = build_env(shared_cache)
    build(proj, env)  # the warm step already runs every instance on the simulated device
    manifest = json.loads((_package_parent(proj) / "tt_mini_kernels" / "kernels" / "add_big" / "manifest.json")
                          .read_text())
    assert manifest["core_grid"] == [13, 10]
    code = ("import json, numpy as np, ml_dtypes, tt_mini_kernels as k\n"
            "rng = np.random.default_rng(3)\n"
            "a, b = (rng.standard_normal((512, 512)).astype(ml_dtypes.bfloat16) for _ in range(2))\n"
            "got = k.add_big(a, b).astype(np.float32)\n"
            "want = (a.astype(np.float32) + b.astype(np.float32)).astype(ml_dtypes.bfloat16).astype(np.float32)\n"
            "print(json.dumps(float(np.abs(got - want).max())))\n")
    out = subprocess.run([PY, "-c", code], env={**env, "PYTHONPATH": str(_package_parent(proj))},
                         capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == 0.0  # bf16 add of bf16 inputs: exact
