"""Fault injection for the build tests (selected with TT_BUILD_TEST_EMITTER=slow_emitter:emit).

Wraps the real compiler (:func:`tt_build.driver.emit`): after writing part of the outputs it
touches ``$SLOW_EMIT_MARKER`` and sleeps ``$SLOW_EMIT_SECONDS``, so a test can SIGKILL the build
while an instance is half lowered.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from tt_build.driver import EmitResult
from tt_build.driver import emit as real_emit


def emit(source: Path, factory: str, args: dict[str, Any], name: str, out_dir: Path, *,
         options: dict[str, Any] | None = None) -> EmitResult:
    result = real_emit(source, factory, args, name, out_dir, options=options)
    Path(out_dir, "reader.cpp").write_text("// truncated by slow_emitter\n")  # a half-written output
    Path(os.environ["SLOW_EMIT_MARKER"]).write_text(name)
    time.sleep(float(os.environ.get("SLOW_EMIT_SECONDS", "60")))
    return result
