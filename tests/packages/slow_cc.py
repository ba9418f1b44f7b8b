#!/usr/bin/env python3
"""Fault injection for the build tests: a compiler launcher (``compiler-launcher`` setting).

With ``$SLOW_CC_MARKER`` set, the first compile writes a truncated object file where the real
one goes, touches the marker and sleeps, so a test can SIGKILL the build mid-compilation.
Otherwise it runs the compiler unchanged.
"""

import os
import sys
import time
from pathlib import Path

args = sys.argv[1:]
marker = os.environ.get("SLOW_CC_MARKER")
if marker and "-o" in args:
    Path(args[args.index("-o") + 1]).write_bytes(b"\x7fELF truncated")
    Path(marker).write_text(" ".join(args))
    time.sleep(float(os.environ.get("SLOW_CC_SECONDS", "60")))
os.execvp(args[0], args)
