"""Compiler launcher of the ``compile`` kill point (``TT_BUILD_KILL_AT=compile``, see :mod:`.fs`).

``python -m tt_build.build.killcc COMPILER ARGS...``: a CMake configure that sees the ``compile``
kill point in ``$TT_BUILD_KILL_AT`` puts this launcher in front of the C++ compiler. While the
point is set, it writes the first half of what the compile would produce into the ``-o`` file (as a
compiler killed mid-write leaves it) and SIGKILLs itself; otherwise it runs the compiler unchanged.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tt_build.build.fs import KILL_ENV, kill_point


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m tt_build.build.killcc COMPILER ARGS...", file=sys.stderr)
        return 2
    if "compile" not in os.environ.get(KILL_ENV, "").split(",") or "-o" not in argv:
        os.execvp(argv[0], argv)
    out = Path(argv[argv.index("-o") + 1])
    rc = subprocess.run(argv, check=False).returncode
    if rc == 0 and out.is_file():
        data = out.read_bytes()
        out.write_bytes(data[: len(data) // 2])  # a truncated object file, then the kill
    kill_point("compile")
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
