"""Compiler launcher of tt-build's host-program compiles: runs the compile, then reports it.

``python -m tt_build.build.compile_step -- [LAUNCHER] COMPILER ARGS...``

CMake puts this module in front of every compile of an instance's ``host.cpp`` (the target's
``CXX_COMPILER_LAUNCHER``, followed by the real launcher such as ccache, if any). It runs the
command unchanged, passing its output through, and when it succeeds prints the instance's
progress line (``tt-build: <instance> compiled 6.81 s``), so a ``pip install -v`` log shows the
compiles the same way ``tt-build build`` does.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time

from tt_build.build.progress import event_line

__all__ = ["instance_of", "main"]

_HOST = re.compile(r"(?:^|/)kernels/([A-Za-z_]\w*)/host\.cpp$")


def instance_of(command: list[str]) -> str | None:
    """The instance whose ``kernels/<instance>/host.cpp`` the compile command compiles."""
    for i, arg in enumerate(command):
        if arg == "-c" and i + 1 < len(command):
            m = _HOST.search(command[i + 1].replace("\\", "/"))
            if m:
                return m.group(1)
    return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print("usage: python -m tt_build.build.compile_step -- [LAUNCHER] COMPILER ARGS...", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    try:
        rc = subprocess.call(argv)
    except OSError as exc:
        print(f"error: cannot run {argv[0]}: {exc.strerror}", file=sys.stderr)
        return 1
    name = instance_of(argv)
    if rc == 0 and name is not None:
        print(event_line(name, "compiled", time.perf_counter() - t0), flush=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
