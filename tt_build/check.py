"""Real-header check: type-check kernel sources against the device headers of the ``ttnn`` wheel.

The TT-Metalium JIT never compiles a kernel on its own: it writes a few files into the kernel's
build directory (``kernel_includes.hpp`` including the kernel source, ``chlkc_descriptors.h``
describing the circular buffers, for compute kernels also ``chlkc_{unpack,math,pack}.cpp`` and
``defines_generated.h``) and compiles the *firmware wrapper* of the processor the kernel runs on
(``brisck.cc`` for RISCV_0, ``ncrisck.cc`` for RISCV_1, ``trisck.cc`` three times for compute),
which includes them. This module does the same with the host compiler in ``-fsyntax-only`` mode,
against the headers shipped in the PyPI ``ttnn`` wheel (:func:`tt_build.ttnn_wheel.ensure_ttnn`).

The generated files come from jinja2 templates in ``templates/check/``; nothing from the wheel
is copied into tt-build. ``docs/real_header_check.md`` lists every flag and define and why.

Host-compiler adjustments (the JIT uses SFPI's riscv32 g++; we use an x86-64 g++):

* ``-fpermissive`` plus a diagnostic filter: the wormhole ``ncrisck.cc`` casts a pointer to
  ``uint32_t``, an error on an LP64 host only. Every ``[-fpermissive]`` diagnostic is still a
  failure unless it is such a pointer-to-32-bit cast ("loses precision").
* ``-Wno-attributes`` (the ``rvtt_*`` pointer attributes are unknown to x86 g++) and
  ``-Wno-int-to-pointer-cast`` (32-bit register addresses cast to 64-bit pointers).
* GCC < 13 lacks P2593R1 (``static_assert(false)`` in an uninstantiated template): headers that
  contain one are shadowed, in the temporary build directory only, by copies in which that
  assertion is made vacuous. With GCC >= 13 nothing is shadowed.
* The JIT builds with ``-Wall -Werror``; here warnings are enabled and a warning located in the
  kernel's own files is a failure (except the few the JIT keeps as warnings), while warnings in
  the wheel's headers are host artefacts and ignored.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tt_build.errors import ConfigError, ToolError, TTBuildError

__all__ = [
    "CBDesc",
    "CheckReport",
    "KernelCheck",
    "KernelCheckError",
    "ROLES",
    "check_emitted_dir",
    "check_kernels",
    "find_compiler",
    "find_sfpi_include",
    "read_manifest",
]

ROLES = ("reader", "writer", "compute")

#: tt-build's SFPI declaration headers (templates/check/sfpi/<name>.j2), used when no SFPI install is found.
SFPI_DECLARATION_HEADERS = ("sfpi.h", "lltt.h")

# --- Facts of the target (TT-Metalium 0.81 JIT, Wormhole B0) ---------------------------------------

#: Circular buffers per Tensix core on Wormhole (NUM_CIRCULAR_BUFFERS).
MAX_CBS = 32

#: ``tt::DataFormat`` enumerators (values of the wormhole ``tensix_types.h``).
DATA_FORMATS: dict[str, int] = {
    "Float32": 0, "Float16": 1, "Bfp8": 2, "Bfp4": 3, "Tf32": 4, "Float16_b": 5, "Bfp8_b": 6,
    "Bfp4_b": 7, "Int32": 8, "UInt16": 9, "Lf8": 10, "Bfp2": 11, "Int8": 14, "Bfp2_b": 15,
    "UInt32": 24, "UInt8": 30, "Invalid": 255,
}
_FORMAT_ALIASES = {
    "bfloat16": "Float16_b", "bf16": "Float16_b", "float16_b": "Float16_b", "float32": "Float32",
    "fp32": "Float32", "f32": "Float32", "float16": "Float16", "fp16": "Float16", "bfloat8_b": "Bfp8_b",
    "bfp8_b": "Bfp8_b", "bfloat4_b": "Bfp4_b", "bfp4_b": "Bfp4_b", "int32": "Int32", "uint32": "UInt32",
    "uint16": "UInt16", "uint8": "UInt8", "int8": "Int8",
}
# Bytes per datum for the plain formats; block-float formats carry one shared exponent per 16 data.
_DATUM_BYTES = {"Float32": 4, "Tf32": 4, "Int32": 4, "UInt32": 4, "Float16": 2, "Float16_b": 2, "UInt16": 2,
                "UInt8": 1, "Int8": 1, "Lf8": 1}
_BFP_MANTISSA_BITS = {"Bfp8": 8, "Bfp8_b": 8, "Bfp4": 4, "Bfp4_b": 4, "Bfp2": 2, "Bfp2_b": 2}

#: MathFidelity enumerators of ``llk_defs.h``.
MATH_FIDELITIES = {"LoFi": 0, "HiFi2": 2, "HiFi3": 3, "HiFi4": 4}

# Device defines the JIT derives from the opened device (bank counts, PCIe core). The values are
# those of a Wormhole n150: 12 DRAM banks (not a power of two), 64 L1 banks (8x8 worker grid), PCIe
# at NOC (0, 3). They only select code paths in the address generators; any valid set type-checks.
_DEVICE_DEFINES = (
    ("NUM_DRAM_BANKS", "12"), ("NUM_L1_BANKS", "64"), ("IS_NOT_POW2_NUM_DRAM_BANKS", "1"),
    ("LOG_BASE_2_OF_NUM_L1_BANKS", "6"), ("PCIE_NOC_X", "0"), ("PCIE_NOC_Y", "3"),
)
# JitBuildEnv defines, then the HAL's (hal_1xx_common + wh_hal), then JitBuildState's.
_COMMON_DEFINES = (("TENSIX_FIRMWARE", None), ("LOCAL_MEM_EN", "0"))
_ARCH_DEFINES = {"wormhole_b0": (("ARCH_WORMHOLE", None),)}
_STATE_DEFINES = (("PROGRAMMABLE_CORE_TYPE", "0"), ("DISPATCH_MESSAGE_ADDR", "0"), ("KERNEL_BUILD", None))
NOC_MODE_DM_DEDICATED = 0


@dataclass(frozen=True)
class _Processor:
    name: str
    wrapper: str  # firmware wrapper, relative to tt_metal/hw/firmware/src/tt-1xx
    index: int  # PROCESSOR_INDEX of the HAL (DM0, DM1, TRISC0..2)
    defines: tuple[tuple[str, str | None], ...]
    stage: str | None = None  # compute: unpack | math | pack


_BRISC = _Processor("brisc", "brisck.cc", 0, (("COMPILE_FOR_BRISC", None),))
_NCRISC = _Processor("ncrisc", "ncrisck.cc", 1, (("COMPILE_FOR_NCRISC", None),))
_TRISCS = tuple(
    _Processor(f"trisc{i}", "trisck.cc", 2 + i,
               ((f"UCK_CHLKC_{stage.upper()}", None), ("NAMESPACE", f"chlkc_{stage}"), ("COMPILE_FOR_TRISC", str(i))),
               stage)
    for i, stage in enumerate(("unpack", "math", "pack"))
)
#: Default processor and NOC of each data-movement role (reader on RISCV_0/NOC 0, writer on RISCV_1/NOC 1,
#: the defaults of tt-metal's ReaderDataMovementConfig / WriterDataMovementConfig).
_DM_ROLE = {"reader": (_BRISC, 0), "writer": (_NCRISC, 1)}

# Compiler flags of the JIT (JitBuildEnv::init) that matter to a syntax check. -Os, -flto, -ffast-math and
# -mcpu=tt-wh* are code-generation flags (the last is known to SFPI's g++ only) and are left out.
# The 0.81 JIT passes -std=c++17 plus SFPI g++'s -ftt-nttp -ftt-constinit -ftt-consteval, which enable
# those C++20 features in C++17 mode. Data-movement headers do not use them: DM kernels are checked as
# C++17. Compute kernels are checked as C++20, the host equivalent tt-metal's own kernel clang-tidy flow
# uses for these -ftt-* flags.
_STD = {"dm": "-std=c++17", "compute": "-std=c++20"}
_JIT_FLAGS = ("-fno-exceptions", "-fno-rtti", "-fno-use-cxa-atexit")
_JIT_WARNINGS = ("-Wall", "-Wno-unknown-pragmas", "-Wno-unused-variable", "-Wno-unused-function")
# Warnings the JIT keeps as warnings under -Werror (-Wno-error=...).
_JIT_NON_FATAL = frozenset({"-Wmultistatement-macros", "-Wparentheses", "-Wunused-but-set-variable"})
# Host-only adjustments, see the module docstring and docs/real_header_check.md.
_HOST_FLAGS = ("-fsyntax-only", "-fpermissive", "-Wno-attributes", "-Wno-int-to-pointer-cast",
               "-fdiagnostics-color=never")

_CONTINUATION_RE = re.compile(r"^\s+(\d+\s+)?\|")
_CONTEXT_RE = re.compile(r"^(In file included from |\s+from |[^\s:][^:]*: (In |At ))")
_DIAG_RE = re.compile(
    r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?:(?P<col>\d+):)? (?P<kind>fatal error|error|warning): "
    r"(?P<msg>.*?)(?: \[(?P<opt>-[^\]]+)\])?$"
)


# --- Public data types -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CBDesc:
    """One circular buffer of the program (what the host passes to CreateCircularBuffer)."""

    id: int
    data_format: str | int = "Float16_b"
    page_size: int = 2048
    num_pages: int = 2
    tile_shape: tuple[int, int] = (32, 32)

    @property
    def format_name(self) -> str:
        return data_format_name(self.data_format)


@dataclass
class KernelCheck:
    """Outcome of checking one kernel."""

    role: str
    source: Path | None
    status: str  # checked | skipped | failed
    processors: list[str] = field(default_factory=list)
    commands: list[list[str]] = field(default_factory=list)
    diagnostics: str = ""
    reason: str = ""
    seconds: float = 0.0

    @property
    def command(self) -> list[str]:
        """The (first) compiler command line; compute kernels have one per TRISC."""
        return self.commands[0] if self.commands else []

    def line(self) -> str:
        """One summary line for the CLI."""
        name = self.source.name if self.source else "-"
        where = "/".join(self.processors)
        if self.status == "checked":
            detail = f"checked ({where}, {self.seconds:.1f}s)"
        elif self.status == "failed":
            detail = f"FAILED ({where}): {self.reason}" if self.reason else f"FAILED ({where})"
        else:
            detail = f"skipped: {self.reason}"
        return f"{self.role:<8} {name:<24} {detail}"


@dataclass
class CheckReport:
    """Result of :func:`check_kernels`: one :class:`KernelCheck` per role, plus the environment used."""

    kernels: list[KernelCheck]
    compiler: str
    compiler_version: str
    ttnn_root: Path
    sfpi_include: Path | None
    notes: list[str] = field(default_factory=list)
    #: True when compute kernels were checked against tt-build's own SFPI declarations (templates/check/sfpi)
    sfpi_declarations: bool = False

    @property
    def ok(self) -> bool:
        return all(k.status != "failed" for k in self.kernels)

    @property
    def failed(self) -> list[KernelCheck]:
        return [k for k in self.kernels if k.status == "failed"]

    def kernel(self, role: str) -> KernelCheck:
        for k in self.kernels:
            if k.role == role:
                return k
        raise KeyError(role)

    @property
    def data_movement_only(self) -> bool:
        """True when a compute kernel was given but could not be checked (no SFPI include dir)."""
        return any(k.role == "compute" and k.status == "skipped" and k.source is not None for k in self.kernels)

    def summary(self) -> str:
        lines = [k.line() for k in self.kernels]
        lines.extend(self.notes)
        return "\n".join(lines)


class KernelCheckError(ToolError):
    """The real-header check rejected at least one kernel; carries the report and the diagnostics."""

    def __init__(self, report: CheckReport) -> None:
        self.report = report
        self.cmd = report.failed[0].command if report.failed else []
        self.returncode = 1
        parts = []
        for k in report.failed:
            where = k.source if k.source else k.role
            parts.append(f"real-header check failed for the {k.role} kernel {where}:\n{k.diagnostics.rstrip()}")
        self.output = "\n\n".join(parts)
        TTBuildError.__init__(self, f"error: {self.output}")


# --- Helpers ----------------------------------------------------------------------------------------


def data_format_name(fmt: str | int) -> str:
    """Canonical ``tt::DataFormat`` name of ``fmt`` (name, alias such as ``bfloat16``, or value)."""
    if isinstance(fmt, bool):
        raise ConfigError(f"invalid CB data format {fmt!r}")
    if isinstance(fmt, int):
        for name, value in DATA_FORMATS.items():
            if value == fmt:
                return name
        raise ConfigError(f"unknown CB data format value {fmt}")
    text = str(fmt).strip()
    for prefix in ("tt::tt_metal::DataFormat::", "tt::DataFormat::", "DataFormat::"):
        if text.startswith(prefix):
            text = text[len(prefix):]
    if text in DATA_FORMATS:
        return text
    alias = _FORMAT_ALIASES.get(text.lower())
    if alias:
        return alias
    for name in DATA_FORMATS:
        if name.lower() == text.lower():
            return name
    raise ConfigError(f"unknown CB data format {fmt!r} (expected one of {', '.join(DATA_FORMATS)} or bfloat16/float32)")


def tile_size_bytes(fmt: str, tile_shape: tuple[int, int] = (32, 32)) -> int:
    """Bytes of one tile of ``fmt`` (what the JIT puts in ``*_tile_size``)."""
    elems = tile_shape[0] * tile_shape[1]
    if fmt in _BFP_MANTISSA_BITS:
        return elems * _BFP_MANTISSA_BITS[fmt] // 8 + elems // 16
    return elems * _DATUM_BYTES.get(fmt, 2)


def _render(name: str, **ctx: Any) -> str:
    from tt_build._templates import render  # noqa: PLC0415

    return render(f"check/{name}", **ctx)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def find_compiler(cxx: str | None = None) -> tuple[str, str]:
    """The host C++ compiler to use and its version: ``cxx``, ``$TT_BUILD_CHECK_CXX``, else the newest g++."""
    candidates = [cxx] if cxx else []
    env = os.environ.get("TT_BUILD_CHECK_CXX")
    if env and not cxx:
        candidates.append(env)
    if not candidates:
        candidates = ["g++-15", "g++-14", "g++-13", "g++"]
    for cand in candidates:
        path = shutil.which(cand)
        if path:
            proc = subprocess.run([path, "-dumpfullversion", "-dumpversion"], capture_output=True, text=True, check=False)
            return path, proc.stdout.strip() or "unknown"
    raise ToolError([candidates[0]], 127, f"no host C++ compiler found (tried {', '.join(candidates)}); "
                                          "install g++ or set TT_BUILD_CHECK_CXX")


def find_sfpi_include(sfpi_inc: str | Path | None = None) -> Path | None:
    """SFPI's include directory (holding ``sfpi.h``), needed to check compute kernels, or None.

    Looked up in order: the argument, ``$SFPI_INC``, ``$TT_METAL_HOME/runtime/sfpi/include``,
    ``$TT_METAL_HOME/tt_metal/third_party/sfpi/include``, ``/opt/tenstorrent/sfpi/include``.
    """
    cands: list[Path] = []
    if sfpi_inc:
        cands.append(Path(sfpi_inc))
    if os.environ.get("SFPI_INC"):
        cands.append(Path(os.environ["SFPI_INC"]))
    home = os.environ.get("TT_METAL_HOME")
    if home:
        cands += [Path(home) / "runtime/sfpi/include", Path(home) / "tt_metal/third_party/sfpi/include"]
    cands.append(Path("/opt/tenstorrent/sfpi/include"))
    for c in cands:
        if (c / "sfpi.h").is_file():
            return c.resolve()
    return None


def _gcc_major(version: str, compiler: str) -> int | None:
    if "clang" in Path(compiler).name:
        return None
    m = re.match(r"(\d+)", version)
    return int(m.group(1)) if m else None


def _llk_dir(tm: Path, sub: str) -> Path:
    """``tt_metal/third_party/tt_llk/<sub>`` of a source tree; the wheel ships it as ``tt_metal/tt-llk/<sub>``."""
    jit_path = tm / "third_party/tt_llk" / sub
    return jit_path if jit_path.is_dir() else tm / "tt-llk" / sub


def _include_dirs(root: Path, compute: bool, sfpi: Path | None) -> list[Path]:
    """Include directories of a kernel build in the JIT's order: JitBuildEnv's base list, SFPI's include
    directory for compute kernels, then the wormhole HAL's (``HalJitBuildQueryWormhole::includes``)."""
    tm = root / "tt_metal"
    llk = _llk_dir(tm, "tt_llk_wormhole_b0")
    ck = tm / "hw/ckernels/wormhole_b0/metal"
    wh = tm / "hw/inc/internal/tt-1xx/wormhole"
    dirs = [root, root / "ttnn", root / "ttnn/cpp", tm, tm / "hw/inc", _llk_dir(tm, "common"),
            _llk_dir(tm, "tools/include"), tm / "hostdevcommon/api", tm / "api"]
    if compute and sfpi is not None:
        dirs.append(sfpi)
    dirs += [ck / "common", ck / "llk_io", tm / "hw/inc/internal/tt-1xx", wh, wh / "wormhole_b0_defines", wh / "noc",
             llk / "common/inc", llk / "llk_lib"]
    if compute:
        dirs += [ck / "llk_api", ck / "llk_api/llk_sfpu"]
    dirs.append(tm / "hw/firmware/src/tt-1xx")
    return dirs


def _shadow_static_assert_false(root: Path, include_dirs: Sequence[Path], out: Path, gcc_major: int) -> int:
    """Shadow the wheel's headers GCC < 13 rejects at definition time; return how many.

    Those are headers containing ``static_assert(false`` (no P2593R1) or ``#pragma GCC unroll N`` with N a
    template parameter. A shadow copy is written under ``out`` at the file's path relative to every include
    directory that holds it, so an include spelled relative to any of them (``api/core_local_mem.h``) finds
    the copy first: ``out`` comes right after the generated directory in the include path. A copy lives away
    from its siblings, so its ``#include "sibling.h"`` that the original resolves next to itself is rewritten
    to name that sibling (or the sibling's own shadow copy) by its absolute path.
    """
    shim = _render("static_assert_false_shim.j2", gcc_major=gcc_major).strip()
    pattern = re.compile(r"static_assert\s*\(\s*false\b")
    unroll = re.compile(r"^(\s*#\s*pragma\s+GCC\s+unroll\s+)([A-Za-z_]\w*)\s*$", re.M)
    quoted = re.compile(r'^(\s*#\s*include\s*)"([^"]+)"', re.M)
    dirs = [d for d in dict.fromkeys(include_dirs) if d.is_dir()]
    patched: dict[Path, str] = {}
    for dirpath, _dirnames, filenames in os.walk(root):
        for fn in filenames:
            if not fn.endswith((".h", ".hpp", ".inl")):
                continue
            path = Path(dirpath) / fn
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if not ("static_assert" in text and pattern.search(text)) and not ("unroll" in text and unroll.search(text)):
                continue
            patched[path] = unroll.sub(lambda m: f"{m.group(1)}8  /* tt-build check: was {m.group(2)} (GCC < 13) */",
                                       pattern.sub(lambda _m: shim, text))
    copies: dict[Path, Path] = {}
    for path in patched:
        for d in dirs:
            if _is_under(path, d):
                copies.setdefault(path, out / path.relative_to(d))

    def sibling(path: Path, m: re.Match[str]) -> str:
        target = path.parent / m.group(2)
        if not target.is_file():
            return m.group(0)
        return f'{m.group(1)}"{copies.get(target, target)}"'

    for path, text in patched.items():
        text = quoted.sub(lambda m, p=path: sibling(p, m), text)
        for d in dirs:
            if _is_under(path, d):
                _write(out / path.relative_to(d), text)
    return len(patched)


def _classify(stderr: str, kernel_files: set[Path], wheel_root: Path, wrapper: Path,
              allow_deprecated: bool) -> tuple[list[str], str]:
    """Apply the JIT's -Werror to the kernel's own diagnostics and drop host artefacts.

    Returns the diagnostics promoted to errors and the compiler output without the warnings that
    are artefacts of compiling RISC-V headers on an x86-64 host (warnings located in the wheel's
    files, and pointer-to-``uint32_t`` casts that "lose precision" on an LP64 host only).
    """
    promoted: list[str] = []
    lines = stderr.splitlines()
    drop: set[int] = set()
    for i, line in enumerate(lines):
        m = _DIAG_RE.match(line)
        if not m or m.group("kind") != "warning":
            continue
        opt = m.group("opt") or ""
        loc = Path(m.group("file"))
        try:
            loc = loc.resolve()
        except OSError:
            pass
        msg = m.group("msg")
        if opt == "-fpermissive":
            if "loses precision" in msg:  # pointer -> uint32_t: an LP64 host artefact (riscv32 is ILP32)
                drop.add(i)
            else:
                promoted.append(f"{line}  [tt-build: an error for the device compiler]")
            continue
        in_kernel = loc in kernel_files or not _is_under(loc, wheel_root)
        if loc == wrapper or not in_kernel:
            drop.add(i)
            continue
        if opt in _JIT_NON_FATAL:
            continue
        if opt == "-Wdeprecated-declarations" and allow_deprecated:
            continue
        why = "deprecated API" if opt == "-Wdeprecated-declarations" else "the JIT builds with -Werror"
        promoted.append(f"{line}  [tt-build: error, {why}]")
    # A dropped warning takes its source/caret lines along, and the context lines ("In function",
    # "In file included from") that introduce nothing but dropped warnings.
    keep = [True] * len(lines)
    for i in sorted(drop):
        keep[i] = False
        j = i + 1
        while j < len(lines) and _CONTINUATION_RE.match(lines[j]):
            keep[j] = False
            j += 1
    for i in range(len(lines) - 1, -1, -1):
        if _CONTEXT_RE.match(lines[i]):
            nxt = next((j for j in range(i + 1, len(lines)) if not _CONTEXT_RE.match(lines[j])), None)
            if nxt is not None and not keep[nxt]:
                keep[i] = False
    return promoted, "\n".join(ln for ln, k in zip(lines, keep) if k)


def _is_under(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def _define_flags(defs: Iterable[tuple[str, str | None]]) -> list[str]:
    return [f"-D{k}" if v is None else f"-D{k}={v}" for k, v in defs]


def _descriptor_arrays(cbs: Sequence[CBDesc]) -> dict[str, list[tuple[str, str, list[int]]]]:
    by_id = {cb.id: cb for cb in cbs}
    fmt, size, nfaces, face_r, tile_r, tile_c, nf_r, nf_c = ([] for _ in range(8))
    for i in range(MAX_CBS):
        cb = by_id.get(i)
        shape = cb.tile_shape if cb else (32, 32)
        name = cb.format_name if cb else "Invalid"
        fr = min(16, shape[0])
        fmt.append(DATA_FORMATS[name])
        size.append(tile_size_bytes(name, shape) if cb else 0)
        tile_r.append(shape[0])
        tile_c.append(shape[1])
        face_r.append(fr)
        nf_r.append(max(1, shape[0] // fr))
        nf_c.append(max(1, shape[1] // 16))
        nfaces.append(nf_r[-1] * nf_c[-1])
    zeros = [0] * MAX_CBS
    arrays: dict[str, list[tuple[str, str, list[int]]]] = {}
    for side, fmt_type in (("unpack", "std::int32_t"), ("pack", "unsigned char")):
        arrays[side] = [
            (fmt_type, f"{side}_src_format", fmt),
            (fmt_type, f"{side}_dst_format", fmt),
            ("uint8_t", f"{side}_tile_num_faces", nfaces),
            ("uint8_t", f"{side}_partial_face", zeros),
            ("uint8_t", f"{side}_tile_face_r_dim", face_r),
            ("uint8_t", f"{side}_narrow_tile", zeros),
            ("uint8_t", f"{side}_tile_r_dim", tile_r),
            ("uint8_t", f"{side}_tile_c_dim", tile_c),
            ("uint16_t", f"{side}_tile_size", size),
            ("uint8_t", f"{side}_num_faces_r_dim", nf_r),
            ("uint8_t", f"{side}_num_faces_c_dim", nf_c),
        ]
    return arrays


def _validate_cbs(cbs: Sequence[CBDesc]) -> list[CBDesc]:
    out = []
    seen: set[int] = set()
    for cb in cbs:
        if not isinstance(cb, CBDesc):
            raise ConfigError(f"expected CBDesc, got {cb!r}")
        if not 0 <= cb.id < MAX_CBS:
            raise ConfigError(f"CB id {cb.id} out of range: Wormhole has {MAX_CBS} circular buffers (0..{MAX_CBS - 1})")
        if cb.id in seen:
            raise ConfigError(f"CB id {cb.id} described twice")
        seen.add(cb.id)
        data_format_name(cb.data_format)
        out.append(cb)
    return sorted(out, key=lambda c: c.id)


# --- The check ----------------------------------------------------------------------------------------


def check_kernels(
    reader: Path | str | None,
    writer: Path | str | None,
    compute: Path | str | None,
    *,
    compile_args: Mapping[str, Sequence[int]] | None = None,
    cbs: Sequence[CBDesc] = (),
    arch: str = "wormhole_b0",
    defines: Mapping[str, Mapping[str, str]] | None = None,
    noc_index: Mapping[str, int] | None = None,
    math_fidelity: str | int = "HiFi4",
    fp32_dest_acc_en: bool = False,
    math_approx_mode: bool = False,
    allow_deprecated: bool = False,
    cxx: str | None = None,
    sfpi_include: str | Path | None = None,
    ttnn_root: Path | None = None,
    build_dir: Path | None = None,
    timeout: float = 300.0,
    use_sfpi_declarations: bool = True,
    trisc_stages: Sequence[str] = ("unpack", "math", "pack"),
) -> CheckReport:
    """Type-check kernel sources the way the TT-Metalium JIT compiles them, against the ``ttnn`` wheel headers.

    ``compile_args`` maps a role to its compile-time args (``KERNEL_COMPILE_TIME_ARGS``); ``cbs``
    describes the program's circular buffers (rendered into ``chlkc_descriptors.h``); ``defines``
    maps a role to the kernel's own defines. A kernel given as None is reported as skipped. The
    compute kernel is compiled with SFPI's headers when an SFPI include directory is found
    (:func:`find_sfpi_include`), else with tt-build's own SFPI declarations (``templates/check/sfpi``:
    the compute API and LLK headers are the wheel's, SFPI's internals are not checked); with
    ``use_sfpi_declarations=False`` it is then skipped instead.

    Returns a :class:`CheckReport`; never raises for a kernel that fails to compile (see
    :func:`check_emitted_dir` / the CLI for the raising form). ``build_dir`` keeps the generated
    files there instead of a temporary directory.
    """
    if arch not in _ARCH_DEFINES:
        raise ConfigError(f"real-header check supports arch {', '.join(_ARCH_DEFINES)}; got {arch!r}")
    compile_args = dict(compile_args or {})
    defines = {k: dict(v) for k, v in (defines or {}).items()}
    for role in list(compile_args) + list(defines):
        if role not in ROLES:
            raise ConfigError(f"unknown kernel role {role!r} (expected one of {', '.join(ROLES)})")
    for role, vals in compile_args.items():
        for v in vals:
            if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < 2**32:
                raise ConfigError(f"compile-time arg {v!r} of the {role} kernel is not a uint32")
    cbs = _validate_cbs(cbs)
    stages = tuple(trisc_stages)
    if not stages or any(st not in ("unpack", "math", "pack") for st in stages):
        raise ConfigError(f"trisc_stages must name unpack, math and/or pack; got {stages!r}")
    fidelity = MATH_FIDELITIES.get(math_fidelity, math_fidelity) if isinstance(math_fidelity, str) else math_fidelity
    if not isinstance(fidelity, int):
        raise ConfigError(f"unknown math fidelity {math_fidelity!r} (expected one of {', '.join(MATH_FIDELITIES)})")

    if ttnn_root is None:
        from tt_build.ttnn_wheel import ensure_ttnn

        ttnn_root = ensure_ttnn()
    root = Path(ttnn_root).resolve()
    fw_dir = root / "tt_metal/hw/firmware/src/tt-1xx"
    if not (fw_dir / "brisck.cc").is_file():
        raise ToolError(["ensure_ttnn"], 1, f"{root} does not look like the ttnn wheel (no {fw_dir / 'brisck.cc'})")
    compiler, version = find_compiler(cxx)
    gcc_major = _gcc_major(version, compiler)
    sfpi = find_sfpi_include(sfpi_include)

    sources = {"reader": reader, "writer": writer, "compute": compute}
    own_tmp = build_dir is None
    base = Path(tempfile.mkdtemp(prefix="tt-build-check-")) if own_tmp else Path(build_dir)
    base.mkdir(parents=True, exist_ok=True)
    own_sfpi = sfpi is None and compute is not None and use_sfpi_declarations
    if own_sfpi:
        sfpi = base / "sfpi-declarations"
        for header in SFPI_DECLARATION_HEADERS:
            _write(sfpi / header, _render(f"sfpi/{header}.j2"))
    report = CheckReport([], compiler, version, root, sfpi, sfpi_declarations=own_sfpi)
    if own_sfpi:
        report.notes.append("note: compute kernels were type-checked against tt-build's SFPI declarations (no SFPI "
                            "install found): SFPI internals are not checked, see docs/real_header_check.md")
    try:
        overlay = base / "p2593_shadow"
        need_shadow = gcc_major is not None and gcc_major < 13
        if need_shadow:
            n = _shadow_static_assert_false(root, _include_dirs(root, compute is not None, sfpi), overlay,
                                            gcc_major)
            report.notes.append(f"note: g++ {gcc_major} lacks P2593R1: {n} wheel headers with static_assert(false) "
                                "or a template-dependent #pragma GCC unroll were read through shadow copies "
                                "(g++ >= 13 checks them unmodified)")
        descriptors = _render("chlkc_descriptors.h.j2", cbs=cbs, max_cbs=MAX_CBS, arrays=_descriptor_arrays(cbs),
            math_fidelity=fidelity, math_approx_mode=math_approx_mode, fp32_dest_acc_en=fp32_dest_acc_en,
            dst_full_sync_en=False,
        )
        for role in ROLES:
            src = sources[role]
            if src is None:
                report.kernels.append(KernelCheck(role, None, "skipped", reason="no kernel given"))
                continue
            src_path = Path(src).resolve()
            if not src_path.is_file():
                raise ConfigError(f"{role} kernel source not found: {src_path}")
            if role == "compute" and sfpi is None:
                report.kernels.append(KernelCheck(
                    role, src_path, "skipped",
                    reason="no SFPI include dir (set SFPI_INC or TT_METAL_HOME) and SFPI declarations disabled"))
                continue
            out = base / role
            _write(out / "chlkc_descriptors.h", descriptors)
            ctx = dict(
                root=root, fw_dir=fw_dir, out=out, src=src_path, arch=arch,
                ct_args=list(compile_args.get(role, [])), defines=defines.get(role, {}),
                overlay=overlay if need_shadow else None, compiler=compiler, allow_deprecated=allow_deprecated,
                timeout=timeout, sfpi=sfpi,
            )
            if role == "compute":
                report.kernels.append(_check_compute(**ctx, stages=stages))
            else:
                proc, noc = _DM_ROLE[role]
                if noc_index and role in noc_index:
                    noc = int(noc_index[role])
                report.kernels.append(_check_dm(role=role, proc=proc, noc=noc, **ctx))
        if any(k.role == "compute" and k.status == "skipped" and k.source is not None for k in report.kernels):
            report.notes.append("checked data-movement kernels only (no SFPI include dir, SFPI declarations disabled)")
    finally:
        if own_tmp:
            shutil.rmtree(base, ignore_errors=True)
    return report


def _base_command(compiler: str, out: Path, overlay: Path | None, root: Path, compute: bool, sfpi: Path | None,
                  src: Path) -> list[str]:
    cmd = [compiler, *_HOST_FLAGS, _STD["compute" if compute else "dm"], *_JIT_FLAGS, *_JIT_WARNINGS,
           "-Wdeprecated-declarations"]
    if compute:
        cmd.append("-Wno-volatile")  # C++20 deprecates volatile compound assignment; C++17 (the JIT's) does not
    cmd.append(f"-I{out}")
    if overlay is not None:
        cmd.append(f"-I{overlay}")
    cmd += [f"-I{d}" for d in _include_dirs(root, compute, sfpi)]
    cmd.append(f"-I{src.parent}")  # the JIT adds the kernel's own directory for relative includes
    return cmd


def _run(cmd: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise ToolError(cmd, -1, f"timed out after {timeout:.0f}s") from exc
    except OSError as exc:
        raise ToolError(cmd, 127, str(exc)) from exc


def _finish(check: KernelCheck, proc: subprocess.CompletedProcess[str], wrapper: Path, root: Path,
            allow_deprecated: bool) -> None:
    raw = (proc.stdout or "") + (proc.stderr or "")
    promoted, shown = _classify(raw, {check.source} if check.source else set(), root, wrapper, allow_deprecated)
    if proc.returncode != 0 or promoted:
        check.status = "failed"
        errors = [ln for ln in shown.splitlines() if _DIAG_RE.match(ln) and " error: " in ln]
        if errors:
            check.reason = _short(errors[0])
        elif promoted:
            tag = "deprecated API" if "deprecated API" in promoted[0] else "warning the JIT turns into an error"
            check.reason = f"{tag}: " + _short(promoted[0].rsplit("  [tt-build:", 1)[0])
        else:
            check.reason = f"compiler exit code {proc.returncode}"
        text = shown.rstrip()
        if promoted:
            text += ("\n" if text else "") + "\n".join(promoted)
        check.diagnostics = (check.diagnostics + "\n" if check.diagnostics else "") + text


def _short(diag: str) -> str:
    m = _DIAG_RE.match(diag)
    if not m:
        return diag.strip()[:200]
    return f"{Path(m.group('file')).name}:{m.group('line')}: {m.group('kind')}: {m.group('msg')}"[:240]


def _check_dm(*, role: str, proc: _Processor, noc: int, root: Path, fw_dir: Path, out: Path, src: Path,
              arch: str, ct_args: list[int], defines: Mapping[str, str], overlay: Path | None, compiler: str,
              allow_deprecated: bool, timeout: float, sfpi: Path | None) -> KernelCheck:
    _write(out / "kernel_includes.hpp",
           _render("kernel_includes.hpp.j2", role=role, processor=proc.name, kernel_path=str(src)))
    wrapper = fw_dir / proc.wrapper
    defs: list[tuple[str, str | None]] = [
        *_DEVICE_DEFINES, *_COMMON_DEFINES, ("PROCESSOR_INDEX", str(proc.index)), *proc.defines,
        *_ARCH_DEFINES[arch], *_STATE_DEFINES,
    ]
    # Data-movement kernels get their defines on the command line (process_defines_at_compile), then NOC_*.
    defs += [(k, str(v)) for k, v in defines.items()]
    defs += [("NOC_INDEX", str(noc)), ("NOC_MODE", str(NOC_MODE_DM_DEDICATED))]
    if ct_args:
        defs.append(("KERNEL_COMPILE_TIME_ARGS", ",".join(str(v) for v in ct_args)))
    cmd = _base_command(compiler, out, overlay, root, False, sfpi, src) + _define_flags(defs) + [str(wrapper)]
    check = KernelCheck(role, src, "checked", [proc.name], [cmd])
    t0 = time.monotonic()
    result = _run(cmd, out, timeout)
    check.seconds = time.monotonic() - t0
    _finish(check, result, wrapper, root, allow_deprecated)
    return check


def _check_compute(*, root: Path, fw_dir: Path, out: Path, src: Path, arch: str, ct_args: list[int],
                   defines: Mapping[str, str], overlay: Path | None, compiler: str, allow_deprecated: bool,
                   timeout: float, sfpi: Path | None, stages: Sequence[str]) -> KernelCheck:
    role = "compute"
    # Compute kernels get their defines (and a default NOC_MODE) through defines_generated.h.
    gen_defines = [(k, str(v)) for k, v in defines.items()] + [("NOC_MODE", str(NOC_MODE_DM_DEDICATED))]
    _write(out / "defines_generated.h", _render("defines_generated.h.j2", defines=gen_defines))
    wrapper = fw_dir / "trisck.cc"
    triscs = [p for p in _TRISCS if p.stage in stages]
    check = KernelCheck(role, src, "checked", [p.name for p in triscs])
    t0 = time.monotonic()
    for proc in _TRISCS:  # the JIT writes all three before compiling any
        _write(out / f"chlkc_{proc.stage}.cpp", _render("chlkc_trisc.cpp.j2", role=role, processor=proc.name,
                                                        stage=proc.stage, kernel_path=str(src)))
    for proc in triscs:
        defs: list[tuple[str, str | None]] = [
            *_DEVICE_DEFINES, *_COMMON_DEFINES, ("PROCESSOR_INDEX", str(proc.index)), *proc.defines,
            *_ARCH_DEFINES[arch], *_STATE_DEFINES,
        ]
        if ct_args:
            defs.append(("KERNEL_COMPILE_TIME_ARGS", ",".join(str(v) for v in ct_args)))
        cmd = _base_command(compiler, out, overlay, root, True, sfpi, src) + _define_flags(defs) + [str(wrapper)]
        check.commands.append(cmd)
        result = _run(cmd, out, timeout)
        before = check.status
        _finish(check, result, wrapper, root, allow_deprecated)
        if check.status == "failed" and before != "failed":
            check.diagnostics = f"[{proc.name}: {proc.stage}]\n{check.diagnostics}"
        if check.status == "failed":
            break  # the three TRISC builds share the kernel source; the first failure says it
    check.seconds = time.monotonic() - t0
    return check


# --- Emitted directories ---------------------------------------------------------------------------------


@dataclass
class EmittedManifest:
    """What the check reads from ``manifest.json`` of ``tt-build lower --emit DIR``."""

    cbs: list[CBDesc]
    compile_args: dict[str, list[int]]
    defines: dict[str, dict[str, str]]
    sources: dict[str, Path | None]
    compute_config: dict[str, Any]
    warnings: list[str]


def _ct_values(role: str, entries: Any, tensors: Mapping[str, Mapping[str, Any]], warnings: list[str]) -> list[int]:
    """Compile-time args of a role: ints, ``{"value": int}``, or layout entries of kind ``tensor_accessor``."""
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise ConfigError(f"manifest: compile_time_args.{role} must be a list, got {type(entries).__name__}")
    vals: list[int] = []
    for e in entries:
        if isinstance(e, bool):
            raise ConfigError(f"manifest: compile_time_args.{role}: invalid entry {e!r}")
        if isinstance(e, int):
            vals.append(e)
            continue
        if not isinstance(e, dict):
            raise ConfigError(f"manifest: compile_time_args.{role}: invalid entry {e!r}")
        if isinstance(e.get("values"), list):
            vals.extend(int(v) for v in e["values"])
        elif "value" in e and isinstance(e["value"], int) and not isinstance(e["value"], bool):
            vals.append(e["value"])
        elif e.get("kind") == "tensor_accessor":
            # Interleaved TensorAccessorArgs: [ArgConfig flags, aligned page size] (IsDram = 1 << 1).
            t = tensors.get(str(e.get("buffer", "")), {})
            mem = str(e.get("memory", t.get("memory", t.get("buffer_type", t.get("layout", "dram"))))).lower()
            page = e.get("page_size", t.get("page_size", 2048))
            if "shard" in mem:
                warnings.append(f"{role}: tensor {e.get('buffer')} is sharded; checked with interleaved accessor args")
            vals.extend([0 if "l1" in mem else 2, int(page)])
        else:
            raise ConfigError(f"manifest: compile_time_args.{role}: entry {e!r} has no value")
    return vals


def read_manifest(path: Path) -> EmittedManifest:
    """Read the keys the check needs from an emitted ``manifest.json`` (defensively, see the docs).

    Keys read: ``cbs`` (list of ``{id, page_size, num_pages, data_format}``; ``cb_id``/``index``,
    ``depth``, ``format``/``dtype`` accepted too), ``kernels.<role>.compile_time_args`` (the layout:
    ints, ``{"value": int}`` or ``{"kind": "tensor_accessor", "buffer": name}``), else
    ``compile_time_args.<role>``, else ``signatures.<role>.compile_time_args``; optional
    ``defines`` (``{role: {name: value}}``), ``kernels.<role>.source``/``file`` (default
    ``<role>.cpp``), ``compute_config`` (``math_fidelity``, ``fp32_dest_acc_en``, ``math_approx_mode``)
    and ``params``/``tensors`` (for ``tensor_accessor`` layout entries: memory and page size).
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"no manifest.json in {path.parent} (expected the output of `tt-build lower --emit`)") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: invalid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a JSON object")
    warnings: list[str] = []
    cbs: list[CBDesc] = []
    raw_cbs = data.get("cbs", [])
    if isinstance(raw_cbs, dict):  # {name: {...}} form
        raw_cbs = list(raw_cbs.values())
    for c in raw_cbs or []:
        if not isinstance(c, dict):
            raise ConfigError(f"{path}: cbs entries must be objects, got {c!r}")
        cid = next((c[k] for k in ("id", "cb_id", "index") if k in c), None)
        if not isinstance(cid, int):
            raise ConfigError(f"{path}: CB entry without an integer id: {c!r}")
        fmt = next((c[k] for k in ("data_format", "format", "dtype") if k in c), "Float16_b")
        page = int(c.get("page_size", 2048))
        depth = int(next((c[k] for k in ("num_pages", "depth", "num_tiles") if k in c), 2))
        cbs.append(CBDesc(cid, data_format_name(fmt), page, depth))
    kernels = data.get("kernels") if isinstance(data.get("kernels"), dict) else {}
    sigs = data.get("signatures") if isinstance(data.get("signatures"), dict) else {}
    tensors: dict[str, dict[str, Any]] = {}
    for key in ("params", "tensors"):
        items = data.get(key)
        if isinstance(items, list):
            tensors.update({str(p.get("name")): p for p in items if isinstance(p, dict)})
        elif isinstance(items, dict):
            tensors.update({str(k): v for k, v in items.items() if isinstance(v, dict)})
    raw_ct = data.get("compile_time_args") if isinstance(data.get("compile_time_args"), dict) else {}
    compile_args: dict[str, list[int]] = {}
    defines: dict[str, dict[str, str]] = {}
    sources: dict[str, Path | None] = {}
    raw_defs = data.get("defines") if isinstance(data.get("defines"), dict) else {}
    for role in ROLES:
        k = kernels.get(role) if isinstance(kernels.get(role), dict) else {}
        s = sigs.get(role) if isinstance(sigs.get(role), dict) else {}
        # The per-kernel layout (kernels.<role>.compile_time_args) is complete: it lists the CB ids and
        # the tensor accessors; the top-level compile_time_args.<role> may hold the CB ids only.
        entries = k.get("compile_time_args", raw_ct.get(role, s.get("compile_time_args")))
        compile_args[role] = _ct_values(role, entries, tensors, warnings)
        d = raw_defs.get(role, k.get("defines", {}))
        if isinstance(d, dict):
            defines[role] = {str(n): str(v) for n, v in d.items()}
        name = k.get("source") or k.get("file") or f"{role}.cpp"
        p = path.parent / str(name)
        sources[role] = p if p.is_file() else None
    cc = data.get("compute_config") if isinstance(data.get("compute_config"), dict) else {}
    return EmittedManifest(cbs, compile_args, defines, sources, cc, warnings)


def check_emitted_dir(directory: Path | str, **kwargs: Any) -> CheckReport:
    """Check the kernels of a directory written by ``tt-build lower … --emit DIR``.

    Reads ``reader.cpp``, ``writer.cpp``, ``compute.cpp`` and ``manifest.json`` (see
    :func:`read_manifest` for the keys). Returns the report; raises :class:`KernelCheckError` when a
    kernel fails and ``ConfigError`` when the directory holds no kernels or no manifest.
    """
    d = Path(directory)
    if not d.is_dir():
        raise ConfigError(f"not a directory: {d}")
    m = read_manifest(d / "manifest.json")
    if not any(m.sources.values()):
        raise ConfigError(f"{d} holds no kernel sources (reader.cpp, compute.cpp, writer.cpp)")
    cc = m.compute_config
    opts: dict[str, Any] = {}
    if "math_fidelity" in cc:
        opts["math_fidelity"] = cc["math_fidelity"]
    if "fp32_dest_acc_en" in cc:
        opts["fp32_dest_acc_en"] = bool(cc["fp32_dest_acc_en"])
    if "math_approx_mode" in cc:
        opts["math_approx_mode"] = bool(cc["math_approx_mode"])
    opts.update(kwargs)
    report = check_kernels(m.sources["reader"], m.sources["writer"], m.sources["compute"],
                           compile_args=m.compile_args, cbs=m.cbs, defines=m.defines, **opts)
    report.notes = [f"note: {w}" for w in m.warnings] + report.notes
    if not report.ok:
        raise KernelCheckError(report)
    return report
