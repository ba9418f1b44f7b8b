#!/usr/bin/env python3
"""Device-API coverage of the mock SDK for ttnn's own kernels (issue 11, item 4).

For each op family (eltwise, matmul, reduction, normalization, data_movement) a set of ttnn's production
kernels from the ttnn 0.81.1 wheel is scanned, together with the ttnn helper headers they include (files
under ``ttnn/``, followed transitively). The script lists

* every device-API include they use (a quoted include that resolves under ``tt_metal/hw/inc``), and whether
  the mock has a header at that path (``tt_build/mock_sdk/include``);
* every device-API name they call or name: identifiers of the kernel text that the real device headers
  (``tt_metal/hw/inc/{api,experimental}``) declare as functions, function-like macros or classes (calls of
  ``std::`` functions and of functions that ttnn's helper headers define themselves, such as the
  ``init()`` of kernel_lib's op structs, are not device API), plus the SFPU
  op calls ttnn's unary host injects through ``SFPU_OP_CHAIN_0`` for the ops listed in ``HOST_INJECTED``;
  and whether the mock declares the name (or defines it to fail with "not implemented in the mock: <name>",
  counted as covered and listed separately).

The figure is names covered / names used (includes likewise), per family and overall. Scanning is textual
(every ``#ifdef`` branch counts, comments are ignored), so it over-approximates what one configuration
compiles. Usage: python bench/mock_api_coverage.py [--markdown] [--missing]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tt_build.ttnn_wheel import TTNN_VERSION, ensure_ttnn  # noqa: E402

MOCK_INCLUDE = REPO / "tt_build" / "mock_sdk" / "include"
OPS = "ttnn/cpp/ttnn/operations"

FAMILIES: dict[str, list[str]] = {
    "eltwise": [
        "eltwise/unary/device/kernels/compute/eltwise_sfpu.cpp",
        "eltwise/unary/device/kernels/dataflow/reader_unary_interleaved_start_id.cpp",
        "eltwise/unary/device/kernels/dataflow/writer_unary_interleaved_start_id.cpp",
        "eltwise/binary/device/kernels/compute/eltwise_binary_kernel.cpp",
        "eltwise/binary/device/kernels/compute/eltwise_binary_sfpu_kernel.cpp",
        "eltwise/binary/device/kernels/dataflow/reader_binary_interleaved_start_id.cpp",
    ],
    "matmul": [
        "matmul/device/kernels/compute/bmm.cpp",
        "matmul/device/kernels/compute/bmm_large_block_zm.cpp",
        "matmul/device/kernels/compute/bmm_large_block_zm_fused_bias_activation.cpp",
        "matmul/device/kernels/dataflow/reader_bmm_8bank_output_tiles_partitioned.cpp",
        "matmul/device/kernels/dataflow/reader_bmm_tile_layout.cpp",
        "matmul/device/kernels/dataflow/writer_bmm_tile_layout.cpp",
        "matmul/device/kernels/dataflow/reader_bmm_tile_layout_in0_sender_padding.cpp",
        "matmul/device/kernels/dataflow/reader_bmm_tile_layout_in0_receiver.cpp",
        "matmul/device/kernels/dataflow/reader_bmm_tile_layout_in1_sender_writer_padding.cpp",
        "matmul/device/kernels/dataflow/reader_bmm_tile_layout_in1_receiver_writer_padding.cpp",
    ],
    "reduction": [
        "reduction/generic/device/kernels/compute/reduce.cpp",
        "reduction/generic/device/kernels/dataflow/reader_unary_reduce_universal_start_id.cpp",
        "eltwise/unary/device/kernels/dataflow/writer_unary_interleaved_start_id.cpp",
    ],
    "normalization": [
        "normalization/softmax/device/kernels/attention/compute/softmax.cpp",
        "normalization/softmax/device/kernels/attention/dataflow/reader_unary_interleaved_sm.cpp",
        "normalization/softmax/device/kernels/attention/dataflow/writer_unary_interleaved_start_id_blocked_sm.cpp",
        "normalization/layernorm/device/kernels/compute/layernorm.cpp",
        "normalization/layernorm/device/kernels/dataflow/reader_unary_interleaved_ln.cpp",
        "normalization/layernorm/device/kernels/dataflow/writer_unary_interleaved_start_id_blocked.cpp",
    ],
    "data_movement": [
        "data_movement/tilize/device/kernels/compute/tilize.cpp",
        "data_movement/tilize/device/kernels/dataflow/reader_unary_stick_layout_split_rows_multicore.cpp",
        "data_movement/untilize/device/kernels/compute/untilize.cpp",
        "data_movement/untilize/device/kernels/dataflow/reader_unary_start_id.cpp",
        "data_movement/untilize/device/kernels/dataflow/writer_unary_stick_layout_split_rows_multi_core.cpp",
        "data_movement/transpose/device/kernels/compute/transpose_wh.cpp",
        "data_movement/transpose/device/kernels/dataflow/reader_unary_transpose_wh_interleaved_start_id.cpp",
    ],
}

#: SFPU calls ttnn's unary/binary hosts put into SFPU_OP_CHAIN_0 / BINARY_SFPU_OP defines for the ops of the
#: eltwise family named in issue 11 (exp, exp2, log, sqrt, rsqrt, recip, abs, sigmoid, tanh, gelu, silu, erf,
#: relu/relu_max/relu_min, power, clamp variants, binary div/max/min and the other binary SFPU ops).
HOST_INJECTED = {
    "eltwise": [
        "exp_tile_init", "exp_tile", "exp2_tile_init", "exp2_tile", "log_tile_init", "log_tile", "sqrt_tile_init",
        "sqrt_tile", "rsqrt_tile_init", "rsqrt_tile", "recip_tile_init", "recip_tile", "abs_tile_init", "abs_tile",
        "sigmoid_tile_init", "sigmoid_tile", "tanh_tile_init", "tanh_tile", "gelu_tile_init", "gelu_tile",
        "silu_tile_init", "silu_tile", "erf_tile_init", "erf_tile", "relu_tile_init", "relu_tile",
        "relu_max_tile_init", "relu_max_tile", "relu_min_tile_init", "relu_min_tile", "power_tile_init",
        "power_tile", "clamp_tile_init", "clamp_tile", "hardtanh_tile_init", "hardtanh_tile",
        "div_binary_tile_init", "div_binary_tile", "binary_max_tile_init", "binary_max_tile",
        "binary_min_tile_init", "binary_min_tile", "add_binary_tile_init", "add_binary_tile",
        "sub_binary_tile_init", "sub_binary_tile", "mul_binary_tile_init", "mul_binary_tile",
        "power_binary_tile_init", "power_binary_tile", "rsub_binary_tile_init", "rsub_binary_tile",
    ],
}

_COMMENTS = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
_INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)
_DEF = re.compile(
    r"^[ \t]*(?:template\s*<[^;{}]*?>\s*)?(?:\[\[[^\]]*\]\]\s*)?"
    r"(?:(?:static|inline|constexpr|ALWI|FORCE_INLINE|extern)\s+)+[\w:<>,\s\*&]*?\b([A-Za-z_]\w*)\s*\(", re.M)
_PLAIN_DEF = re.compile(r"^[ \t]*(?:void|bool|auto|u?int\d+_t|std::u?int\d+_t|uint\d+_t)\s+([A-Za-z_]\w*)\s*\(", re.M)
_MACRO = re.compile(r"^\s*#\s*define\s+([A-Za-z_]\w*)\(", re.M)
_CLASS = re.compile(r"^\s*(?:template\s*<[^;{}]*>\s*)?(?:class|struct)\s+([A-Za-z_]\w*)\s*(?:final\s*)?[:{]", re.M)
_CALL = re.compile(r"\b([A-Za-z_]\w*)\s*(?:<[^;(){}]*>)?\s*\(")
_IDENT = re.compile(r"\b([A-Za-z_]\w*)\b")
_STD_CALL = re.compile(r"\bstd::\w+")  # std::get(...) is not the device API's get
_KEYWORDS = {"if", "for", "while", "switch", "return", "sizeof", "static_assert", "decltype", "defined", "alignof",
             "static_cast", "reinterpret_cast", "const_cast", "noexcept", "constexpr", "operator",
             "uint8_t", "uint16_t", "uint32_t", "uint64_t", "int8_t", "int16_t", "int32_t", "int64_t"}


def strip(text: str) -> str:
    return _COMMENTS.sub(" ", text)


def declared(files: list[Path], *, classes: bool = True) -> set[str]:
    names: set[str] = set()
    for f in files:
        t = strip(f.read_text(encoding="utf-8", errors="replace"))
        names.update(m.group(1) for m in _DEF.finditer(t))
        names.update(m.group(1) for m in _PLAIN_DEF.finditer(t))
        names.update(m.group(1) for m in _MACRO.finditer(t))
        if classes:
            names.update(m.group(1) for m in _CLASS.finditer(t))
    return names - _KEYWORDS


def mock_not_implemented() -> set[str]:
    out = set()
    for f in MOCK_INCLUDE.rglob("*.h"):
        out.update(re.findall(r'not_implemented\("([A-Za-z_]\w*)"\)', f.read_text(encoding="utf-8")))
    return out


def kernel_files(root: Path, kernel: Path) -> tuple[list[Path], set[str]]:
    """The kernel and the ttnn helper headers it includes (transitively); the device-API includes seen."""
    hw_inc = root / "tt_metal" / "hw" / "inc"
    seen: list[Path] = []
    api_includes: set[str] = set()
    todo = [kernel]
    while todo:
        f = todo.pop()
        if f in seen:
            continue
        seen.append(f)
        for inc in _INCLUDE.findall(strip(f.read_text(encoding="utf-8", errors="replace"))):
            if (hw_inc / inc).is_file():
                api_includes.add(inc)
                continue
            for base in (f.parent, root, root / "ttnn", root / "ttnn" / "cpp"):
                cand = (base / inc).resolve()
                if cand.is_file() and "ttnn" in cand.relative_to(root.resolve()).parts[:1]:
                    todo.append(cand)
                    break
    return seen, api_includes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--markdown", action="store_true", help="print the result as markdown for bench/RESULTS.md")
    ap.add_argument("--missing", action="store_true", help="list every missing include and name")
    ns = ap.parse_args(argv)

    root = ensure_ttnn()
    hw_inc = root / "tt_metal" / "hw" / "inc"
    real_api = declared([p for d in ("api", "experimental") for p in (hw_inc / d).rglob("*.h")])
    mock_api = declared(list(MOCK_INCLUDE.rglob("*.h")))
    stubs = mock_not_implemented()
    rows = []
    all_used: set[str] = set()
    all_cov: set[str] = set()
    all_inc: set[str] = set()
    all_inc_cov: set[str] = set()
    for family, kernels in FAMILIES.items():
        used: set[str] = set(HOST_INJECTED.get(family, []))
        incs: set[str] = set()
        for k in kernels:
            files, api_includes = kernel_files(root, root / OPS / k)
            incs |= api_includes
            own = declared(files[1:])  # names ttnn's helper headers define themselves
            for f in files:
                t = _STD_CALL.sub(" ", strip(f.read_text(encoding="utf-8", errors="replace")))
                used |= ({m.group(1) for m in _CALL.finditer(t)} & real_api) - own
                used |= {m.group(1) for m in _IDENT.finditer(t)} & {n for n in real_api if n[:1].isupper()}
        used -= _KEYWORDS
        covered = used & (mock_api | stubs)
        inc_cov = {i for i in incs if (MOCK_INCLUDE / i).is_file()}
        rows.append((family, len(kernels), incs, inc_cov, used, covered, used & stubs))
        all_used |= used
        all_cov |= covered
        all_inc |= incs
        all_inc_cov |= inc_cov

    def pct(a: int, b: int) -> str:
        return f"{100.0 * a / b:.0f} %" if b else "-"

    if ns.markdown:
        print(f"ttnn {TTNN_VERSION} kernels scanned by `python bench/mock_api_coverage.py`; a name counts as covered when "
              "the mock declares it (a call of one of the few the mock cannot emulate fails with \"not implemented "
              "in the mock: <name>\").\n")
        print("| family | kernels | api includes covered | device API names covered | not implemented (call-site error) |")
        print("|---|---|---|---|---|")
        for family, nk, incs, inc_cov, used, covered, stub in rows:
            print(f"| {family} | {nk} | {len(inc_cov)}/{len(incs)} ({pct(len(inc_cov), len(incs))}) | "
                  f"{len(covered)}/{len(used)} ({pct(len(covered), len(used))}) | {len(stub)} |")
        print(f"| **all** | {sum(r[1] for r in rows)} | {len(all_inc_cov)}/{len(all_inc)} "
              f"({pct(len(all_inc_cov), len(all_inc))}) | {len(all_cov)}/{len(all_used)} "
              f"({pct(len(all_cov), len(all_used))}) | {len(all_used & stubs)} |")
    else:
        for family, nk, incs, inc_cov, used, covered, stub in rows:
            print(f"{family:14s} {nk:2d} kernels  includes {len(inc_cov)}/{len(incs)}  "
                  f"names {len(covered)}/{len(used)} ({pct(len(covered), len(used))})")
        print(f"{'all':14s}             includes {len(all_inc_cov)}/{len(all_inc)}  names {len(all_cov)}/{len(all_used)} "
              f"({pct(len(all_cov), len(all_used))})")
    if ns.missing:
        for family, _nk, incs, inc_cov, used, covered, _stub in rows:
            print(f"\n{family}: missing includes: {', '.join(sorted(incs - inc_cov)) or 'none'}")
            print(f"{family}: missing names: {', '.join(sorted(used - covered)) or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
