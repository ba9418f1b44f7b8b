"""The mock's device API is a strict subset of the real TT-Metalium 0.81 one.

For every mock header under ``tt_build/mock_sdk/include/api``, and every LLK shim ``include/llk_*.h`` (the LLK
functions ttnn's kernel_lib calls, compiled after ``api/compute/common.h`` as in kernels), a kernel translation
unit includes that header (by the same path) and uses each of its namespace-scope declarations: functions are
called (unevaluated) with their required arguments and with all arguments, enumerators and constants are
named, types are sized. The unit must compile against the mock, and against the ttnn wheel's real headers
through the real-header check (compute headers on the math TRISC, packer LLK shims on the pack TRISC, the
others on BRISC): a declaration the real header lacks, or declares differently, fails the test naming the mock
header and line. One translation unit per header, alone: a name must come from the header the mock declares it
in (see tests/mock_api_decls.py for what counts as a declaration).

Cost: the mock units compile in one compiler invocation per set of defines (each unit is compiled on its
own only when that invocation fails, to name the failing headers); the real-header check of a unit is one
firmware compile. A unit that passed is recorded under the tests' build directory (``tests/e2e.py``
``test_build_dir()``), keyed by the sha256 of everything the result depends on: the unit's text (which holds
every declaration's use), the mock headers or the check's own sources and templates, the compiler and its
version, the wheel version, the defines and the TRISC stage. Only a changed unit is compiled again; failures
are never recorded.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.e2e import test_build_dir
from tests.mock_api_decls import (DEFINES, Decl, declarations, header_key, internal_headers, llk_headers, mock_headers,
                                  use_source)
from tt_build import mock_sdk
from tt_build.check import CBDesc, check_kernels, find_compiler, find_sfpi_include

pytestmark = [pytest.mark.compile, pytest.mark.network]

# umbrellas of other headers (dataflow/noc_semaphore.h: api/semaphore.h), a header holding only a
# specialization, ones holding only macros (the debug headers): no new names
NO_DECLARATIONS = {"compute/eltwise_unary/sfpu_split_includes.h", "compute/layernorm.h", "compute/softmax.h",
                   "tensor/noc_traits.h", "debug/assert.h", "debug/device_print.h", "debug/dprint.h",
                   "dataflow/noc_semaphore.h", "llk_math_eltwise_binary_sfpu_macros.h"}
HEADERS = [h for h in [*mock_headers(), *internal_headers(), *llk_headers()] if header_key(h) not in NO_DECLARATIONS]
CBS = [CBDesc(i) for i in (0, 1, 2, 16)]


def _is_compute(header: Path) -> bool:
    key = header_key(header)
    return key.startswith(("compute/", "llk_"))


def _trisc_stage(header: Path) -> tuple[str, ...]:
    # a packer LLK header exists only on the pack TRISC (it names the packer's descriptor tables)
    return ("pack",) if header_key(header).startswith("llk_pack") else ("math",)


def _units(tmp: Path) -> list[tuple[Path, Path, list[Decl]]]:
    out = []
    for h in HEADERS:
        decls = declarations(h)
        src = tmp / (header_key(h).replace("/", "__").replace(".h", "_uses.cpp"))
        src.write_text(use_source(h, decls))
        out.append((h, src, decls))
    return out


def _offenders(diagnostics: str, src: Path, decls: list[Decl]) -> list[str]:
    """The mock declarations whose use lines carry an error."""
    lines = src.read_text().splitlines()
    bad = []
    for m in re.finditer(rf"{re.escape(src.name)}:(\d+):\d+: error: (.*)", diagnostics):
        text = lines[int(m.group(1)) - 1]
        where = text.rsplit("// ", 1)[-1]
        bad.append(f"{where}: {m.group(2)}")
    return sorted(set(bad))


def test_every_mock_header_declares_something_and_the_parser_sees_the_core_api() -> None:
    names = {d.name for h in HEADERS for d in declarations(h)}
    for name in ("reduce_tile", "add_tiles_bcast_rows", "transpose_tile", "tilize_block", "pack_untilize_block",
                 "exp_tile", "get_arg_val", "EltwiseBinaryType::ELWADD", "BroadcastType::ROW", "noc_async_read",
                 "Noc::set_async_read_state", "Noc::async_read_with_state", "tt_uint64_t", "L1WordCount"):
        assert name in names
    assert all(declarations(h) for h in HEADERS)


def _digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little") + data)
    return h.hexdigest()


def _tree_digest(*roots: Path) -> str:
    return _digest(*(f"{p.relative_to(root).as_posix()}\0".encode() + p.read_bytes()
                     for root in roots for p in sorted(root.rglob("*")) if p.is_file()))


def _passed(key: str) -> Path:
    """Where a unit that passed with this key is recorded."""
    return test_build_dir() / "mock-api-subset" / f"{key}.passed"


def _record_pass(key: str) -> None:
    marker = _passed(key)
    marker.parent.mkdir(parents=True, exist_ok=True)
    tmp = marker.with_name(f".{marker.name}.{os.getpid()}")
    tmp.write_text("passed\n")
    os.replace(tmp, marker)


MOCK_FLAGS = ["-std=c++20", "-fsyntax-only", "-Wno-deprecated-declarations"]


def _mock_defines(h: Path) -> list[str]:
    pre = ["-DCOMPILE_FOR_TRISC=1", "-DTRISC_MATH=1", "-DTRISC_PACK=1", "-DTRISC_UNPACK=1"] if _is_compute(h) else []
    return pre + [f"-D{k}={v}" for k, v in DEFINES.get(header_key(h), {}).items()]


@functools.cache
def _mock_harness(gxx: str) -> str:
    version = subprocess.run([gxx, "--version"], capture_output=True, text=True, check=False).stdout
    return _digest("mock", os.path.realpath(gxx), version, *MOCK_FLAGS, _tree_digest(mock_sdk.include_dir()))


def test_uses_compile_against_the_mock(tmp_path: Path) -> None:
    gxx = shutil.which("g++")
    if gxx is None:
        pytest.skip("no g++")
    groups: dict[tuple[str, ...], list[tuple[Path, Path, str]]] = {}
    for h, src, _ in _units(tmp_path):
        key = _digest(_mock_harness(gxx), src.name, src.read_text(), *_mock_defines(h))
        if not _passed(key).is_file():
            groups.setdefault(tuple(_mock_defines(h)), []).append((h, src, key))

    def compile_group(item: tuple[tuple[str, ...], list[tuple[Path, Path, str]]]) -> list[str]:
        defines, units = item

        def run(srcs: list[Path]) -> subprocess.CompletedProcess[str]:
            return subprocess.run([gxx, *MOCK_FLAGS, *defines, f"-I{mock_sdk.include_dir()}", *map(str, srcs)],
                                  capture_output=True, text=True, check=False)

        if run([src for _, src, _ in units]).returncode == 0:
            passed, failures = units, []
        else:  # name the failing headers: each unit on its own
            passed, failures = [], []
            for unit in units:
                proc = run([unit[1]])
                if proc.returncode == 0:
                    passed.append(unit)
                else:
                    failures.append(f"{unit[0]}:\n{proc.stderr[:3000]}")
        for _, _, key in passed:
            _record_pass(key)
        return failures

    with ThreadPoolExecutor(2) as pool:
        failures = [f for fs in pool.map(compile_group, groups.items()) for f in fs]
    assert not failures, "\n".join(failures)


@functools.cache
def _real_harness(root: Path) -> str:
    """Everything a real-header check result depends on but the unit itself: the check's sources and
    templates, the compiler, the SFPI headers, the wheel."""
    from tt_build import check  # noqa: PLC0415
    from tt_build._resources import templates_dir  # noqa: PLC0415
    from tt_build.ttnn_wheel import TTNN_VERSION  # noqa: PLC0415

    sfpi = find_sfpi_include()
    return _digest("real", Path(check.__file__).read_bytes(), _tree_digest(templates_dir() / "check"), *find_compiler(),
                   str(sfpi), _tree_digest(sfpi) if sfpi else "", TTNN_VERSION, str(root),
                   json.dumps([c.__dict__ for c in CBS], sort_keys=True, default=str))


def test_every_mock_declaration_compiles_against_the_real_headers(tmp_path: Path) -> None:
    from tt_build.ttnn_wheel import ensure_ttnn

    root = ensure_ttnn()
    harness = _real_harness(root)

    def check(unit: tuple[Path, Path, list[Decl]]) -> list[str]:
        h, src, decls = unit
        role = "compute" if _is_compute(h) else "reader"
        defines = {role: DEFINES.get(header_key(h), {})}
        key = _digest(harness, role, repr(_trisc_stage(h)), src.name, src.read_text(), json.dumps(defines, sort_keys=True))
        if _passed(key).is_file():
            return []
        kw = {"compute": src} if role == "compute" else {"reader": src}
        report = check_kernels(kw.get("reader"), None, kw.get("compute"), ttnn_root=root, cbs=CBS,
                               defines=defines, allow_deprecated=True, trisc_stages=_trisc_stage(h),
                               build_dir=tmp_path / src.stem)
        k = report.kernel(role)
        if k.status == "checked":
            _record_pass(key)
            return []
        return _offenders(k.diagnostics, src, decls) or [f"{h}: {k.reason}"]

    with ThreadPoolExecutor(2) as pool:
        failures = [f for fs in pool.map(check, _units(tmp_path)) for f in fs]
    assert not failures, "mock declarations the real 0.81 headers reject:\n" + "\n".join(failures)
