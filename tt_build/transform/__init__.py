"""Passes of the v5 lowering pipeline (one module per pass) and the pass infrastructure."""

from __future__ import annotations

from tt_build.transform.base import (
    DEFAULT_CONFIG,
    DumpIR,
    FunctionPass,
    Pass,
    PassContext,
    PassInstrument,
    PassTiming,
    PrintIRAfter,
    Sequential,
)
from tt_build.transform.pipeline import PASS_NAMES, lower, pipeline

__all__ = [
    "DEFAULT_CONFIG", "PASS_NAMES", "DumpIR", "FunctionPass", "Pass", "PassContext", "PassInstrument", "PassTiming",
    "PrintIRAfter", "Sequential", "lower", "pipeline",
]
