"""The mock's device API is a strict subset of the real TT-Metalium 0.81 one.

For every mock header under ``tt_build/mock_sdk/include/api``, and every LLK shim ``include/llk_*.h`` (the LLK
functions ttnn's kernel_lib calls, compiled after ``api/compute/common.h`` as in kernels), a kernel translation
unit includes that header (by the same path) and uses each of its namespace-scope declarations: functions are
called (unevaluated) with their required arguments and with all arguments, enumerators and constants are
named, types are sized. The unit must compile against the mock, and against the ttnn wheel's real headers
through the real-header check (compute headers on the math TRISC, packer LLK shims on the pack TRISC, the
others on BRISC): a declaration the real header lacks, or declares differently, fails the test naming the mock
header and line. One translation unit per header keeps the cost to one compile per header (see
tests/mock_api_decls.py for what counts as a declaration).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.mock_api_decls import (DEFINES, Decl, declarations, header_key, internal_headers, llk_headers, mock_headers,
                                  use_source)
from tt_build import mock_sdk
from tt_build.check import CBDesc, check_kernels

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


def test_uses_compile_against_the_mock(tmp_path: Path) -> None:
    if shutil.which("g++") is None:
        pytest.skip("no g++")
    for h, src, _ in _units(tmp_path):
        pre = ["-DCOMPILE_FOR_TRISC=1", "-DTRISC_MATH=1", "-DTRISC_PACK=1", "-DTRISC_UNPACK=1"] if _is_compute(h) else []
        pre += [f"-D{k}={v}" for k, v in DEFINES.get(header_key(h), {}).items()]
        proc = subprocess.run(["g++", "-std=c++20", "-fsyntax-only", "-Wno-deprecated-declarations", *pre,
                               f"-I{mock_sdk.include_dir()}", str(src)], capture_output=True, text=True, check=False)
        assert proc.returncode == 0, f"{h}:\n{proc.stderr[:3000]}"


def test_every_mock_declaration_compiles_against_the_real_headers(tmp_path: Path) -> None:
    from tt_build.ttnn_wheel import ensure_ttnn

    root = ensure_ttnn()
    units = _units(tmp_path)

    def check(unit: tuple[Path, Path, list[Decl]]) -> list[str]:
        h, src, decls = unit
        role = "compute" if _is_compute(h) else "reader"
        kw = {"compute": src} if role == "compute" else {"reader": src}
        defines = {role: DEFINES.get(header_key(h), {})}
        report = check_kernels(kw.get("reader"), None, kw.get("compute"), ttnn_root=root, cbs=CBS,
                               defines=defines, allow_deprecated=True, trisc_stages=_trisc_stage(h),
                               build_dir=tmp_path / src.stem)
        k = report.kernel(role)
        if k.status == "checked":
            return []
        return _offenders(k.diagnostics, src, decls) or [f"{h}: {k.reason}"]

    with ThreadPoolExecutor(2) as pool:
        failures = [f for fs in pool.map(check, units) for f in fs]
    assert not failures, "mock declarations the real 0.81 headers reject:\n" + "\n".join(failures)
