"""Reliability and security of the build (issue 10), fast part: no C++ compile, no CMake build.

Each section is one item of the issue: cache entries that must prove their key (1), text injection
into generated CMake/C++/Python (2, the full build is in test_security_build.py), name rules (3),
the build lock and a broken CMake configure (4, unit part), DRAM size limits (6), one-line errors
(7), runtime artifacts verified by hash (8, unit part), paths outside the project (9) and
deterministic kill points (10, unit part)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.packages.buildsupport import HERE, PY, build_env
from tt_build.build import cache as cache_mod
from tt_build.build.cache import COMMIT, LoweringCache
from tt_build.build.lower import lower_instance
from tt_build.build.settings import parse_settings
from tt_build.errors import CacheError, ConfigError, TTBuildError
from tt_build.project import Project

MINI = HERE / "mini"


def _spec(tmp: Path, name: str, cache_dir: Path, **extra: object) -> dict:
    from tt_build.driver import list_instances

    source = MINI / "kernels" / "eltwise.py"
    inst = next(i for i in list_instances(source) if i.name == name)
    return {"name": name, "source": str(source), "factory": inst.factory, "args": inst.args, "sdk": "mock",
            "arch": "wormhole_b0", "options": {}, "cache_dir": str(cache_dir),
            "out_dir": str(tmp / "out" / name), **extra}


# -- 1: a cache entry must prove it is the entry for its key ------------------------------------


def _commit(d: Path) -> dict:
    return json.loads((d / COMMIT).read_text())


def _rewrite_commit(d: Path, **changes: object) -> None:
    """Edit COMMIT and re-seal it with a valid self digest (what a careless tool or an old version would write)."""
    record = _commit(d)
    record.update(changes)
    record["self"] = cache_mod._commit_digest(record)
    (d / COMMIT).write_text(json.dumps(record))


def test_swapped_entries_are_misses_and_relowered(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    cache_dir = tmp_path / "cache"
    add, mul = (lower_instance(_spec(tmp_path, n, cache_dir)) for n in ("add_64", "mul_64"))
    assert (add["action"], mul["action"]) == ("lowered", "lowered")
    want = {n: (tmp_path / "out" / n / "compute.cpp").read_text() for n in ("add_64", "mul_64")}
    assert "add_tiles" in want["add_64"] and "mul_tiles" in want["mul_64"]
    cache = LoweringCache(cache_dir)
    da, dm = cache.entry_dir(add["key"]), cache.entry_dir(mul["key"])
    tmp = da.with_name("swap")
    da.rename(tmp)
    dm.rename(da)
    tmp.rename(dm)
    capfd.readouterr()
    for name in ("add_64", "mul_64"):
        rec = lower_instance(_spec(tmp_path, name, cache_dir, out_dir=str(tmp_path / "again" / name)))
        assert rec["action"] == "lowered", name  # a miss, not the other kernel's files
        assert (tmp_path / "again" / name / "compute.cpp").read_text() == want[name]
    err = capfd.readouterr().err.splitlines()
    assert len(err) == 2 and all(line.startswith("tt-build: warning: cache entry ") for line in err)
    assert "it records the key" in err[0] and err[0].endswith("; removed, lowering again")


@pytest.mark.parametrize(("damage", "reason"), [
    ("other_version", "written by tt-build 0.0.0-other, this is"),
    ("empty_file_list", "COMMIT lists no files"),
    ("missing_host", "COMMIT does not list host.cpp"),
    ("forged_inputs", "its recorded inputs do not hash to its key"),
    ("unsealed_edit", "COMMIT does not match its own digest"),
    ("old_format", "COMMIT of an unknown format"),
])
def test_entry_that_cannot_prove_its_key_is_a_miss(tmp_path: Path, capfd: pytest.CaptureFixture[str],
                                                    damage: str, reason: str) -> None:
    cache_dir = tmp_path / "cache"
    first = lower_instance(_spec(tmp_path, "add_64", cache_dir))
    d = LoweringCache(cache_dir).entry_dir(first["key"])
    good_host = (d / "host.cpp").read_bytes()
    if damage == "other_version":
        _rewrite_commit(d, tt_build="0.0.0-other")
    elif damage == "empty_file_list":
        (d / "host.cpp").write_bytes(good_host[: len(good_host) // 2])  # and a truncated host.cpp
        _rewrite_commit(d, files={})
    elif damage == "missing_host":
        files = _commit(d)["files"]
        del files["host.cpp"]
        _rewrite_commit(d, files=files)
    elif damage == "forged_inputs":
        inputs = _commit(d)["inputs"]
        inputs["instance"] = "mul_64"
        _rewrite_commit(d, inputs=inputs)
    elif damage == "unsealed_edit":
        record = _commit(d)
        record["key"] = "x" + record["key"][1:]
        (d / COMMIT).write_text(json.dumps(record))
    else:
        (d / COMMIT).write_text(json.dumps({"files": _commit(d)["files"], "time": 0}))  # the layout before v2
    capfd.readouterr()
    again = lower_instance(_spec(tmp_path, "add_64", cache_dir, out_dir=str(tmp_path / "again" / "add_64")))
    assert again["action"] == "lowered"
    assert (tmp_path / "again" / "add_64" / "host.cpp").read_bytes() == good_host
    (line,) = capfd.readouterr().err.splitlines()
    assert line.startswith(f"tt-build: warning: cache entry {d} is not valid for its key ({reason}")
    assert LoweringCache(cache_dir).lookup(first["key"]) is not None  # republished, valid


# -- 2: no injection into generated text ------------------------------------------------------

#: Strings CMake carries verbatim once escaped, and strings it cannot carry (rejected, never altered).
HOSTILE = ["x`touch {p}`", "q'uote", "ü-ñ", "sp ace", "@HOME@", "}}{{", "a&b", "(x)*?!%", "x" * 200]
_EXPANDS = "'$', which CMake and Ninja expand"
REJECTED = [('a"b', "a double quote"), ("d${{HOME}}x", _EXPANDS), ("$ENV{{HOME}}", _EXPANDS), ("$CACHE{{X}}", _EXPANDS),
            ("$<1:x>", _EXPANDS), ("x$(touch P)", _EXPANDS), ("$HOME", _EXPANDS), ("back\\slash", "a backslash"),
            ("a;b", "';'"), ("a#b", "'#'"), ("a>b", "'>'"), ("a<b", "'<'"), ("a|b", "'|'"), ("a\nb", "a line break"), ("a\rb", "a carriage return"),
            ("a\x00b", "a NUL character")]


def test_every_generated_text_escapes_hostile_strings(tmp_path: Path) -> None:
    """Render every template that takes a user string with hostile values; each result is parsed
    by its language's rules (CMake: the values come back verbatim from `cmake -P`; Python: ast;
    C++ comments: no line break inside)."""
    from tt_build._templates import render
    from tt_build.build.discover import package_init

    pwned = tmp_path / "pwned"
    values = [v.format(p=pwned) for v in HOSTILE]
    # CMake: instances.cmake with hostile paths everywhere, then print them back.
    text = render("project/instances.cmake.j2", instances=["add_64"], sdk="mock", arch="wormhole_b0",
                  cache_dir=values[0], warm=True, launcher=values[1], sources=[("add_64", values[2])],
                  mock_sdk_dir=values[3], mock_runtime=values[4], editable_files=values, depends=values)
    script = tmp_path / "t.cmake"
    script.write_text(text + textwrap.dedent("""
        foreach(v _tt_cache_dir _tt_launcher_setting _tt_source_add_64 _tt_mock_sdk_dir _tt_mock_runtime)
          message(STATUS "V=[${${v}}]")
        endforeach()
        foreach(v IN LISTS _tt_editable_files _tt_configure_depends)
          message(STATUS "D=[${v}]")
        endforeach()
    """))
    from tt_build.build.builder import find_tool

    out = subprocess.run([find_tool("cmake"), "-P", str(script)], capture_output=True, text=True, check=True,
                         cwd=tmp_path).stdout
    got = [line.split("=[", 1)[1][:-1] for line in out.splitlines() if line.startswith("-- ")]
    assert got == values[:5] + values + values
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.cmake"]  # nothing executed, nothing written
    # CMakeLists.txt: a hostile project name (comment) and root (quoted argument).
    project = Project(root=Path(f"/x`touch {pwned}` 'q' ü"), name="x\nexecute_process(COMMAND touch /tmp/pwned)\n#",
                      version="0", settings=parse_settings({"package": "r"}), pyproject={})
    from tt_build.build.cmakegen import cmakelists_text

    lists = cmakelists_text(project)
    assert len(lists.splitlines()) == len(render("project/CMakeLists.txt.j2", name="n", package="r", target="t",
                                                 root="/r").splitlines())
    assert "\nexecute_process" not in lists
    assert f'PROJECT_DIR "/x`touch {pwned}` \'q\' ü")' in lists
    # C++ / CMake comments of an instance (source file name, instance args).
    header = render("_header.j2", kernel="k\nint x;", instance="i", role="reader", source="s\\\n#include <x>",
                    instance_args="a='\n#define X'")
    assert len(header.splitlines()) == 4
    assert all(line.startswith("//") for line in header.splitlines())
    assert not any(line.rstrip().endswith("\\") for line in header.splitlines())  # no C++ line splice
    # Python: the package __init__ with a hostile library name is a string literal, not code.
    init = package_init(["add_64"], library="x'); import os; os.system('touch " + str(pwned) + "'); ('")
    tree = ast.parse(init)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert {ast.unparse(c.func) for c in calls} == {"_load_package"}
    assert not pwned.exists()


@pytest.mark.parametrize(("bad", "what"), REJECTED)
def test_strings_cmake_cannot_carry_are_a_clean_error(bad: str, what: str) -> None:
    from tt_build._templates import cmake_quoted

    value = "/tmp/" + bad.format()
    with pytest.raises(ConfigError) as exc:
        cmake_quoted(value)
    assert str(exc.value) == (f"{value!r} contains {what}: a CMake build cannot carry it in a path or setting; "
                              "rename or move it")


@pytest.mark.parametrize(("bad", "what"), REJECTED[:4])
def test_project_path_cmake_would_expand_is_rejected_before_any_cmake(tmp_path: Path, bad: str, what: str) -> None:
    """`d${HOME}x` used to be expanded by CMake (a directory outside the project was created)."""
    proj = tmp_path / bad.format() / "p"
    proj.mkdir(parents=True)
    (proj / "pyproject.toml").write_text('[project]\nname = "p"\n[tool.tt-build]\nsdk = "mock"\n')
    proc = subprocess.run([PY, "-m", "tt_build.cli", "build", str(proj)], env=build_env(tmp_path / "c"),
                          capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.strip() == (f"error: the project directory {str(proj)!r} contains {what}; a CMake build "
                                   "cannot use it: rename or move it")
    assert sorted(p.name for p in tmp_path.iterdir()) == [bad.format().split("/")[0]]
    assert sorted(p.name for p in proj.iterdir()) == ["pyproject.toml"]


def test_hostile_project_name_is_rejected_before_any_cmake(tmp_path: Path) -> None:
    proj = tmp_path / "p"
    proj.mkdir()
    (proj / "pyproject.toml").write_text(
        '[project]\nname = "x\\nexecute_process(COMMAND touch /tmp/pwned)\\n#"\n[tool.tt-build]\npackage = "r"\n')
    proc = subprocess.run([PY, "-m", "tt_build.cli", "build", str(proj)], env=build_env(tmp_path / "c"),
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        f"error: {proj / 'pyproject.toml'}: [project] name: 'x\\nexecute_process(COMMAND touch /tmp/pwned)\\n#' is "
        "not a valid project name (letters, digits, '-', '_' and '.', starting and ending with a letter or digit)")
    assert sorted(p.name for p in proj.iterdir()) == ["pyproject.toml"]


# -- 3: names -----------------------------------------------------------------------------------


def _project(tmp_path: Path, instances: str, pyproject_extra: str = "") -> Path:
    proj = tmp_path / "p"
    (proj / "kernels").mkdir(parents=True)
    for f in ("tiling.py",):
        (proj / "kernels" / f).write_text((MINI / "kernels" / f).read_text())
    src = (MINI / "kernels" / "eltwise.py").read_text()
    head = src[: src.index("INSTANCES = {")]
    (proj / "kernels" / "eltwise.py").write_text(head + f"INSTANCES = {{{instances}}}\n")
    (proj / "pyproject.toml").write_text(
        f'[project]\nname = "p"\nversion = "0"\n[tool.tt-build]\nsdk = "mock"\n{pyproject_extra}')
    return proj


@pytest.mark.parametrize(("key", "problem"), [
    ('"add_64\\n"', "'add_64\\n' is not an identifier ([A-Za-z_][A-Za-z0-9_]*)"),
    ('"None"', "'None' is a Python keyword"),
    ('"class"', "'class' is a Python keyword"),
    ('"True"', "'True' is a Python keyword"),
    ('"_pkg"', "'_pkg' collides with a name of the generated package's __init__.py; rename the instance"),
    ('"_load_package"', "'_load_package' collides with a name of the generated package's __init__.py; rename "
                        "the instance"),
    ('"__all__"', "'__all__' collides with a name of the generated package's __init__.py; rename the instance"),
    ('"a" * 301', "'aaaaaaaaaaaaaaaaaaaa'... is 301 characters long (at most 100)"),
])
def test_bad_instance_names_are_rejected_at_discovery(tmp_path: Path, key: str, problem: str) -> None:
    proj = _project(tmp_path, f'{key}: dict(M=64, N=64, op="add")')
    with pytest.raises(ConfigError) as exc:
        Project.load(proj).discover()
    assert str(exc.value) == f"{proj / 'kernels' / 'eltwise.py'}: INSTANCES key: instance name {problem}"


@pytest.mark.parametrize(("table", "message"), [
    ('package = "json"', "package: 'json' is not a valid Python import name: 'json' shadows the standard-library "
                         "module json; choose another name"),
    ('package = "None"', "package: 'None' is not a valid Python import name: 'None' is a Python keyword"),
    ('[tool.tt-build.instances.class]\nkernel = "kernels/eltwise.py"',
     "instances.class: instance name 'class' is a Python keyword"),
    ('[tool.tt-build.instances._pkg]\nkernel = "kernels/eltwise.py"',
     "instances._pkg: instance name '_pkg' collides with a name of the generated package's __init__.py; rename "
     "the instance"),
])
def test_bad_pyproject_names_name_the_file_and_key(tmp_path: Path, table: str, message: str) -> None:
    proj = _project(tmp_path, '"add_64": dict(M=64, N=64, op="add")', table + "\n")
    with pytest.raises(ConfigError) as exc:
        Project.load(proj).discover()
    assert str(exc.value) == f"{proj / 'pyproject.toml'}: [tool.tt-build] {message}"


def test_project_name_that_gives_a_stdlib_package_is_rejected(tmp_path: Path) -> None:
    proj = _project(tmp_path, '"add_64": dict(M=64, N=64, op="add")')
    (proj / "pyproject.toml").write_text((proj / "pyproject.toml").read_text().replace('name = "p"', 'name = "JSON"'))
    with pytest.raises(ConfigError) as exc:
        _ = Project.load(proj).package
    assert str(exc.value) == ("project name 'JSON' does not give a Python import name ('json' shadows the "
                              "standard-library module json; choose another name); set [tool.tt-build] package")


def test_generated_globals_are_the_ones_the_name_rules_reserve() -> None:
    """The reserved names are exactly the globals the package template defines (besides instances)."""
    from tt_build.build.discover import package_init
    from tt_build.build.names import GENERATED_GLOBALS

    tree = ast.parse(package_init(["k"]))
    defined = {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
    defined |= {a.asname or a.name for n in tree.body if isinstance(n, ast.ImportFrom) for a in n.names}
    imported = {n.module for n in tree.body if isinstance(n, ast.ImportFrom)}
    assert defined - {"k", "__all__"} | imported == GENERATED_GLOBALS


# -- 4: the build lock ---------------------------------------------------------------------------


def test_build_lock_serializes_builds_and_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proj = _project(tmp_path, '"add_64": dict(M=64, N=64, op="add")')
    holder = subprocess.Popen([PY, "-c", textwrap.dedent(f"""
        import sys, time
        from tt_build.project import Project
        with Project.load({str(proj)!r}).build_lock():
            print("held", flush=True)
            time.sleep(1.5)
    """)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    import time

    t0 = time.monotonic()
    with Project.load(proj).build_lock(sys.stdout):
        waited = time.monotonic() - t0
    holder.communicate(timeout=30)
    assert waited > 0.5
    assert capsys.readouterr().out == f"tt-build: waiting for another build of p ({proj / '.tt-build' / 'build.lock'})\n"


def test_pip_builds_take_the_same_lock(tmp_path: Path, capfd: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The PEP 517 hooks (build_wheel, build_editable) wait for a running `tt-build build` and vice versa."""
    import time

    from tt_build.build.pep517 import build_lock

    proj = _project(tmp_path, '"add_64": dict(M=64, N=64, op="add")')
    holder = subprocess.Popen([PY, "-c", textwrap.dedent(f"""
        import time
        from tt_build.project import Project
        with Project.load({str(proj)!r}).build_lock():
            print("held", flush=True)
            time.sleep(1.5)
    """)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    monkeypatch.chdir(proj)
    t0 = time.monotonic()
    with build_lock():
        waited = time.monotonic() - t0
    holder.communicate(timeout=30)
    assert waited > 0.5
    assert capfd.readouterr().err == (f"tt-build: waiting for another build of p "
                                      f"({proj / '.tt-build' / 'build.lock'})\n")


def test_broken_configure_is_detected(tmp_path: Path) -> None:
    from tt_build.build.cmakegen import CONFIGURED_STAMP, broken_configure, configured, reset_configure

    b = tmp_path / "b"
    (b / "CMakeFiles").mkdir(parents=True)
    assert broken_configure(b) is None  # nothing configured yet
    (b / "CMakeCache.txt").write_text("CMAKE_EXECUTABLE_FORMAT:INTERNAL=ELF\n")
    assert broken_configure(b) == "its last configure did not complete"
    configured(b, done=True)
    assert broken_configure(b) is None
    (b / "CMakeCache.txt").write_text("CMAKE_EXECUTABLE_FORMAT:INTERNAL=Unknown\n")
    assert broken_configure(b) == "CMAKE_EXECUTABLE_FORMAT is cached as Unknown"
    reset_configure(b)
    assert not (b / "CMakeCache.txt").exists() and not (b / "CMakeFiles").exists()
    assert not (b / CONFIGURED_STAMP).exists()


# -- 6: sizes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("arch", "args", "message"), [
    ("wormhole_b0", dict(M=65536, N=65536, K=65536),
     "error in pass InferTTLayout: the DRAM tensors of kernel gemm (A, B, C) need 24.00 GiB (25,769,803,776 bytes) "
     "together; a wormhole_b0 device has 12.00 GiB (12,884,901,888 bytes)"),
    ("blackhole", dict(M=131072, N=32, K=131072),
     "error in pass InferTTLayout: tensor A (131072 x 131072 bfloat16) needs 32.00 GiB (34,359,738,368 bytes) of "
     "device DRAM; a blackhole device has 31.88 GiB (34,225,520,640 bytes)"),
])
def test_tensor_larger_than_device_dram_is_a_located_error(tmp_path: Path, arch: str, args: dict,
                                                           message: str) -> None:
    import resource

    from tt_build.driver import emit

    gemm = HERE.parent.parent / "example_project" / "kernels" / "gemm.py"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(TTBuildError) as exc:
        emit(gemm, "matmul", args, "big", tmp_path / "out", options={"arch": arch})
    first = str(exc.value).splitlines()[0]
    line = next(i + 1 for i, t in enumerate(gemm.read_text().splitlines()) if "def gemm(" in t or "A: T.Tensor" in t)
    assert first.startswith(f"{gemm}:") and first.endswith(message)
    assert int(first.split(":")[1]) in (line, line + 1)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB: nothing sized by the tensors
    assert not (tmp_path / "out").exists()


def test_dram_figures_are_documented() -> None:
    from tt_build.transform.base import ARCH_DRAM_BYTES

    guide = (HERE.parent.parent / "docs" / "user-guide.md").read_text()
    for arch, n in ARCH_DRAM_BYTES.items():
        assert f"| `{arch}` | {n:,} bytes" in guide


# -- 7: one-line errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(("options", "message"), [
    ({"device_grid": "foo"}, "options.device_grid: expected a pair of positive integers [x, y], got 'foo'"),
    ({"device_grid": [0, 8]}, "options.device_grid: expected a pair of positive integers [x, y], got [0, 8]"),
    ({"device_gird": [8, 8]}, "options.device_gird: unknown compiler option; did you mean 'device_grid'? (known: "
                              "device_grid, l1_budget, dst_tiles_16bit, dst_tiles_fp32, default_stages, "
                              "verify_each_pass, math_fidelity, multicast, multicast_k_tiles, multicast_merge)"),
    ({"math_fidelity": "HiFi5"}, "options.math_fidelity: expected one of LoFi, HiFi2, HiFi3, HiFi4, got 'HiFi5'"),
    ({"multicast": "yes"}, "options.multicast: expected true or false, got 'yes'"),
    ({"l1_budget": -1}, "options.l1_budget: expected a positive integer (bytes), got -1"),
    ({"verify_each_pass": 1}, "options.verify_each_pass: expected true or false, got 1"),
    ({"arch": "blackhole"}, "options.arch: set it with the 'arch' key of [tool.tt-build], not in options"),
])
def test_bad_options_are_config_errors(options: dict, message: str) -> None:
    with pytest.raises(ConfigError) as exc:
        parse_settings({"options": options})
    assert str(exc.value) == f"[tool.tt-build] {message}"


def test_option_schema_matches_the_compiler_defaults() -> None:
    from tt_build.build.settings import OPTIONS
    from tt_build.transform.base import DEFAULT_CONFIG

    assert set(OPTIONS) == set(DEFAULT_CONFIG) - {"arch"}


def test_unknown_setting_suggests_the_known_one() -> None:
    with pytest.raises(ConfigError) as exc:
        parse_settings({"kernal": ["k/*.py"]})
    assert str(exc.value).startswith("[tool.tt-build] unknown key 'kernal'; did you mean 'kernels'? (known keys: ")


def test_cache_dir_that_is_a_file_or_read_only_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tt_build.build.cache import check_cache_dir

    f = tmp_path / "pyproject.toml"
    f.write_text("")
    hint = "set [tool.tt-build] cache-dir or TT_BUILD_CACHE_DIR to a writable directory"
    with pytest.raises(CacheError) as exc:
        check_cache_dir(f)
    assert str(exc.value) == f"the lowering cache directory {f} is a file, not a directory; {hint}"
    with pytest.raises(CacheError) as exc:
        check_cache_dir(f / "sub")
    assert str(exc.value) == f"the lowering cache directory {f / 'sub'} is not usable: Not a directory; {hint}"
    import errno
    import tempfile

    def erofs(*a: object, **k: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(tempfile, "mkstemp", erofs)
    with pytest.raises(CacheError) as exc:
        check_cache_dir(tmp_path / "ro")
    assert str(exc.value) == f"the lowering cache directory {tmp_path / 'ro'} is not usable: Read-only file system; {hint}"


def _cli(proj: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PY, "-m", "tt_build.cli", "build", *args, str(proj)], env=env, capture_output=True,
                          text=True, timeout=300, check=False)


def test_overlong_instance_name_through_the_cli_is_one_line(tmp_path: Path) -> None:
    """A 301-character instance name used to end in ENAMETOOLONG deep in the build (a traceback)."""
    name = "k" * 301
    proj = _project(tmp_path, f'"{name}": dict(M=64, N=64, op="add")')
    proc = _cli(proj, build_env(tmp_path / "c"))
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == (
        f"error: {proj / 'kernels' / 'eltwise.py'}: INSTANCES key: instance name 'kkkkkkkkkkkkkkkkkkkk'... is 301 "
        "characters long (at most 100)")
    assert "Traceback" not in proc.stdout + proc.stderr


def test_read_only_cache_through_the_cli_is_one_line(tmp_path: Path) -> None:
    """A really read-only file system (a read-only bind mount in a private mount namespace)."""
    ro = tmp_path / "ro"
    ro.mkdir()
    probe = subprocess.run(["unshare", "-m", "sh", "-c", f"mount --bind {ro} {ro} && mount -o remount,bind,ro {ro} {ro}"],
                           capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip("needs unshare -m and mount (a private mount namespace) to make a read-only file system")
    proj = _project(tmp_path, '"add_64": dict(M=64, N=64, op="add")')
    env = build_env(ro)
    cmd = (f"mount --bind {ro} {ro} && mount -o remount,bind,ro {ro} {ro} && "
           f"exec {PY} -m tt_build.cli build {proj}")
    proc = subprocess.run(["unshare", "-m", "sh", "-c", cmd], env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == (
        f"error: the lowering cache directory {ro} is not usable: Read-only file system; set [tool.tt-build] "
        "cache-dir or TT_BUILD_CACHE_DIR to a writable directory")
    assert "Traceback" not in proc.stdout + proc.stderr


@pytest.mark.parametrize("setting", ['cache-dir = "pyproject.toml"', 'cache-dir = "pyproject.toml/x"'])
def test_cache_dir_file_through_the_cli_is_one_line(tmp_path: Path, setting: str) -> None:
    proj = _project(tmp_path, '"add_64": dict(M=64, N=64, op="add")', setting + "\n")
    proc = _cli(proj, build_env(None))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr and "CMake Error" not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith(f"error: the lowering cache directory {proj / 'pyproject.toml'}")


# -- 8: runtime artifacts (unit part; the build part is in test_security_build.py) -------------------


def test_staged_sdk_is_verified_and_restaged(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    from tt_build.build.discover import stage_mock_sdk, staged_sdk_problem

    dest = stage_mock_sdk(tmp_path)
    assert dest is not None and staged_sdk_problem(dest) is None
    header = dest / "include" / "api" / "dataflow" / "dataflow_api.h"
    good = header.read_bytes()
    header.write_bytes(good[:100])
    assert staged_sdk_problem(dest) == "include/api/dataflow/dataflow_api.h does not match its hash"
    capfd.readouterr()
    assert stage_mock_sdk(tmp_path) == dest
    assert header.read_bytes() == good
    assert capfd.readouterr().err == (f"tt-build: warning: staged mock SDK {dest} is damaged "
                                      "(include/api/dataflow/dataflow_api.h does not match its hash); staging it again\n")
    # `tt-build cache clean --older-than` keeps a sound stage and removes a damaged one.
    cache = LoweringCache(tmp_path)
    assert cache.repair_sdk() == 0 and dest.is_dir()
    header.write_bytes(b"")
    assert cache.repair_sdk() == 1 and not dest.exists()


# -- 9: what may be outside the project ---------------------------------------------------------------


@pytest.mark.parametrize(("value", "message"), [
    ("", "build-dir: '' must be a non-empty path relative to the project (e.g. \"build/tt-build\")"),
    ("/abs", "build-dir: '/abs' must be a non-empty path relative to the project (e.g. \"build/tt-build\")"),
    ("~/b", "build-dir: '~/b' must be a non-empty path relative to the project (e.g. \"build/tt-build\")"),
    ("../x", "build-dir: '../x' must name a directory inside the project, below its root"),
    ("a/../../x", "build-dir: 'a/../../x' must name a directory inside the project, below its root"),
    (".", "build-dir: '.' must name a directory inside the project, below its root"),
])
def test_build_dir_must_be_inside_the_project(value: str, message: str) -> None:
    with pytest.raises(ConfigError) as exc:
        parse_settings({"build-dir": value})
    assert str(exc.value) == f"[tool.tt-build] {message}"


def test_symlinked_build_dir_leading_outside_is_rejected(tmp_path: Path) -> None:
    proj = _project(tmp_path, '"add_64": dict(M=64, N=64, op="add")')
    (tmp_path / "elsewhere").mkdir()
    (proj / "build").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(ConfigError) as exc:
        _ = Project.load(proj).build_dir
    assert str(exc.value) == (f"{proj / 'pyproject.toml'}: [tool.tt-build] build-dir: 'build/tt-build' resolves to "
                              f"{tmp_path / 'elsewhere' / 'tt-build'}, which is not a directory inside the project")


def test_symlinked_kernel_file_outside_is_rejected(tmp_path: Path) -> None:
    proj = _project(tmp_path, '"add_64": dict(M=64, N=64, op="add")')
    outside = tmp_path / "outside.py"
    outside.write_text((proj / "kernels" / "eltwise.py").read_text().replace('"add_64"', '"evil_64"'))
    (proj / "kernels" / "evil.py").symlink_to(outside)
    with pytest.raises(ConfigError) as exc:
        Project.load(proj).discover()
    assert str(exc.value) == (f"{proj / 'pyproject.toml'}: [tool.tt-build] kernels: 'kernels/*.py' matches "
                              f"kernels/evil.py, which resolves to {outside}, outside the project (kernel files, also "
                              "through symlinks, must be inside the project directory)")
    # A symlink that stays inside the project is fine.
    (proj / "kernels" / "evil.py").unlink()
    (proj / "kernels" / "same.py").symlink_to(proj / "kernels" / "eltwise.py")
    assert [s.name for s in Project.load(proj).discover()] == ["add_64"]


# -- 10: kill points (unit part) -------------------------------------------------------------------


def test_kill_while_the_wheel_is_stored_never_reuses_a_half_stored_wheel(tmp_path: Path) -> None:
    from tt_build.build import wheel_reuse

    root = tmp_path / "p"
    (root / "dist").mkdir(parents=True)
    old = root / "dist" / "p-0-py3-none-any.whl"
    old.write_bytes(b"old wheel")
    wheel_reuse.remember(root, "key-1", old)
    assert wheel_reuse.reuse(root, "key-1", tmp_path / "w1") == old.name
    new = root / "dist" / "p-1-py3-none-any.whl"
    new.write_bytes(b"new wheel")
    marker = tmp_path / "marker"
    code = f"from pathlib import Path; from tt_build.build import wheel_reuse; " \
           f"wheel_reuse.remember(Path({str(root)!r}), 'key-2', Path({str(new)!r}))"
    proc = subprocess.run([PY, "-c", code], env={**os.environ, "TT_BUILD_KILL_AT": "wheel-store",
                                                 "TT_BUILD_KILL_MARKER": str(marker)}, check=False)
    assert proc.returncode == -9 and marker.read_text() == "wheel-store\n"
    # Neither the old key (its wheel is gone) nor the new one (no record) reuses anything.
    assert wheel_reuse.reuse(root, "key-1", tmp_path / "w2") is None
    assert wheel_reuse.reuse(root, "key-2", tmp_path / "w3") is None
    wheel_reuse.remember(root, "key-2", new)  # the next build stores it
    assert wheel_reuse.reuse(root, "key-2", tmp_path / "w4") == new.name
    assert (tmp_path / "w4" / new.name).read_bytes() == b"new wheel"


@pytest.mark.parametrize("point", ["lowered", "publish", "install"])
def test_kill_in_the_lowering_step_then_the_next_lowering_is_correct(tmp_path: Path, point: str) -> None:
    cache_dir = tmp_path / "cache"
    spec = _spec(tmp_path, "add_64", cache_dir)
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps(spec))
    marker = tmp_path / "marker"
    env = {**os.environ, "TT_BUILD_KILL_AT": point, "TT_BUILD_KILL_MARKER": str(marker)}
    proc = subprocess.run([PY, "-m", "tt_build.build.lower", str(spec_file)], env=env, capture_output=True,
                          check=False)
    assert proc.returncode == -9 and marker.read_text() == f"{point}\n"
    out = Path(spec["out_dir"])
    assert not (out / "manifest.json").exists()  # never a manifest for a half-installed instance
    cache = LoweringCache(cache_dir)
    committed = [e for e in cache.entries() if (e / COMMIT).exists()]
    assert len(committed) == (1 if point == "install" else 0)
    again = subprocess.run([PY, "-m", "tt_build.build.lower", str(spec_file)], capture_output=True, text=True,
                           check=True).stdout
    assert again.split()[1:3] == ["add_64", "cached" if point == "install" else "lowered"]
    # The same files as a lowering that was never interrupted (each in a fresh process, as in a build).
    ref_spec = tmp_path / "ref.json"
    reference = tmp_path / "ref" / "add_64"
    ref_spec.write_text(json.dumps(_spec(tmp_path, "add_64", tmp_path / "cache2", out_dir=str(reference))))
    subprocess.run([PY, "-m", "tt_build.build.lower", str(ref_spec)], capture_output=True, check=True)
    for f in ("reader.cpp", "compute.cpp", "writer.cpp", "host.cpp", "manifest.json"):
        assert (out / f).read_bytes() == (reference / f).read_bytes(), f
    (entry,) = cache.entries()
    assert cache.lookup(entry.name) is not None  # the one entry proves its key
