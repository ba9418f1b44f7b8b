"""Interval arithmetic over integer index expressions (shared by the front end and the passes)."""

from __future__ import annotations

from typing import Any

from tt_build.ir.nodes import BinaryOp, IntImm, Var

__all__ = ["interval"]


def interval(e: Any, ranges: dict[Var, tuple[int, int]]) -> tuple[int, int] | None:  # noqa: PLR0911
    """[lo, hi] of an integer index expression over inclusive variable ranges (None: unknown).

    A Python ``int`` (not ``bool``) is its own interval; an expression of another form is unknown.
    """
    if isinstance(e, int) and not isinstance(e, bool):
        return e, e
    if isinstance(e, IntImm):
        return e.value, e.value
    if isinstance(e, Var):
        return ranges.get(e)
    if not isinstance(e, BinaryOp) or e.dtype == "bool":
        return None
    a, b = interval(e.a, ranges), interval(e.b, ranges)
    if e.op == "%" and b is not None and b[0] == b[1] and b[0] > 0:
        if a is not None and a[0] >= 0 and a[1] < b[0]:
            return a
        return 0, b[0] - 1
    if a is None or b is None:
        return None
    if e.op == "+":
        return a[0] + b[0], a[1] + b[1]
    if e.op == "-":
        return a[0] - b[1], a[1] - b[0]
    if e.op == "*":
        prods = [x * y for x in a for y in b]
        return min(prods), max(prods)
    if e.op == "//" and b[0] == b[1] and b[0] > 0:
        return a[0] // b[0], a[1] // b[0]
    if e.op in ("min", "max"):
        f = min if e.op == "min" else max
        return f(a[0], b[0]), f(a[1], b[1])
    return None
