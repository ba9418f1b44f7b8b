"""``tt-build check DIR`` — type-check emitted kernels against the real TT-Metalium device headers.

DIR is a directory written by ``tt-build lower … --emit DIR``. Prints one line per kernel; on a
failure prints the compiler diagnostics and exits non-zero (through :class:`~tt_build.errors.TTBuildError`,
never a traceback). See ``docs/real_header_check.md``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["register"]


def register(sub: Any) -> None:
    p = sub.add_parser(
        "check", help="type-check emitted kernels against the real TT-Metalium headers (ttnn wheel)",
        description="Compile the reader, writer and compute kernels of an emitted directory the way "
                    "the TT-Metalium JIT does, in syntax-only mode, against the device headers of the ttnn wheel "
                    "(compute kernels with SFPI's headers when installed, else with tt-build's SFPI declarations).")
    p.add_argument("dir", type=Path, help="directory written by `tt-build lower ... --emit DIR`")
    p.add_argument("--cxx", help="host C++ compiler (default: $TT_BUILD_CHECK_CXX, else the newest g++ on PATH)")
    p.add_argument("--sfpi-include", type=Path, metavar="DIR",
                   help="SFPI include directory for compute kernels (default: $SFPI_INC, $TT_METAL_HOME/...)")
    p.add_argument("--allow-deprecated", action="store_true",
                   help="accept calls to [[deprecated]] TT-Metalium APIs (the JIT does; tt-build does not by default)")
    p.add_argument("--keep", type=Path, metavar="BUILD_DIR",
                   help="keep the generated JIT files (kernel_includes.hpp, chlkc_descriptors.h, ...) in BUILD_DIR")
    p.add_argument("-v", "--verbose", action="store_true", help="print the compiler command of each kernel")
    p.set_defaults(run=_run)


def _run(ns: argparse.Namespace) -> int:
    from tt_build.check import KernelCheckError, check_emitted_dir  # noqa: PLC0415

    try:
        report = check_emitted_dir(ns.dir, cxx=ns.cxx, sfpi_include=ns.sfpi_include,
                                   allow_deprecated=ns.allow_deprecated, build_dir=ns.keep)
    except KernelCheckError as exc:
        _print(exc.report, ns.verbose)
        raise
    _print(report, ns.verbose)
    return 0


def _print(report: Any, verbose: bool) -> None:
    print(f"real-header check: ttnn wheel headers at {report.ttnn_root}, {report.compiler} {report.compiler_version}")
    for k in report.kernels:
        print(k.line())
        if verbose:
            for cmd in k.commands:
                print("    " + " ".join(cmd))
    for note in report.notes:
        print(note)
    sys.stdout.flush()
