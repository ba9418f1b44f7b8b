"""Small analyses shared by several passes (affine index arithmetic, tile-op discovery)."""

from __future__ import annotations

from typing import Any

from tt_build.ir import BinaryOp, Buffer, BufferRegion, Call, Evaluate, Expr, IntImm, Stmt, StmtExprVisitor, Var

__all__ = ["TILE", "collect_calls", "div_exact", "divisible", "eval_int", "flat_region", "guarded_range", "substitute", "tile_origin", "view_dims"]

TILE = 32


def divisible(e: Expr, d: int) -> bool:
    """True if ``e`` is provably a multiple of ``d`` for every value of its variables."""
    if isinstance(e, IntImm):
        return e.value % d == 0
    if isinstance(e, BinaryOp):
        if e.op in ("+", "-"):
            return divisible(e.a, d) and divisible(e.b, d)
        if e.op == "*":
            return divisible(e.a, d) or divisible(e.b, d)
    return False


def div_exact(e: Expr, d: int) -> Expr:
    """``e // d`` for an ``e`` with :func:`divisible` (``e``, ``d``) true, simplified structurally."""
    if isinstance(e, IntImm):
        return IntImm(e.value // d)
    if isinstance(e, BinaryOp):
        if e.op in ("+", "-"):
            a, b = div_exact(e.a, d), div_exact(e.b, d)
            return a + b if e.op == "+" else a - b
        if e.op == "*":
            if divisible(e.b, d):
                return e.a * div_exact(e.b, d)
            return div_exact(e.a, d) * e.b
    msg = f"expression is not divisible by {d}"
    raise ValueError(msg)


def view_dims(shape: tuple[int, ...] | list[int], nstarts: int) -> tuple[int, ...]:
    """The extents of the coordinates a region of a tensor of ``shape`` is given in: the shape itself, or
    for a region with two starts on a tensor of rank > 2 (a ``T.Tensor`` view) its 2-D row-major view."""
    if nstarts == len(shape) or nstarts != 2:  # noqa: PLR2004
        return tuple(shape)
    rows = 1
    for d in shape[:-1]:
        rows *= d
    return rows, shape[-1]


def flat_region(region: BufferRegion, vector: str | None = None) -> tuple[Expr, Expr, int, int]:
    """(first row, first column, rows, columns) of a tensor region in elements of the tensor's 2-D row-major view.

    A tensor of any rank ``(d0, ..., dn-2, dn-1)`` is stored as its ``(d0 * ... * dn-2) × dn-1`` row-major
    view (what ``tilize_nfaces`` of the host program pages). A region of a higher-rank tensor has extent 1 in
    every leading dimension (one batch element), so its rows are contiguous in that view.
    """
    shape = region.buffer.shape
    n = len(shape)
    if n == 1:  # a vector tensor (``vector``): one tile row (row: values in row 0) or column (col)
        if vector == "col":
            return region.starts[0], IntImm(0), region.extents[0], TILE
        return IntImm(0), region.starts[0], TILE, region.extents[0]
    if len(region.starts) == 2 and n > 2:  # noqa: PLR2004 - already in 2-D view coordinates (a T.Tensor view)
        return region.starts[0], region.starts[1], region.extents[0], region.extents[1]
    row: Expr = region.starts[n - 2]
    stride = shape[n - 2]
    for d in range(n - 3, -1, -1):  # leading dimensions, innermost first
        row = region.starts[d] * IntImm(stride) + row
        stride *= shape[d]
    return row, region.starts[n - 1], region.extents[n - 2], region.extents[n - 1]


def tile_origin(region: BufferRegion, vector: str | None = None) -> tuple[Expr, Expr, int, int]:
    """(first tile row, first tile column, tile rows, tile columns) of a tensor region in its page grid:
    tile (r, c) of the 2-D view (:func:`flat_region`) is page ``r * (dn-1 / 32) + c``."""
    row, col, rows, cols = flat_region(region, vector)
    return div_exact(row, TILE), div_exact(col, TILE), rows // TILE, cols // TILE


def eval_int(e: Any, env: dict[Var, int] | None = None) -> int:
    """Evaluate an integer expression with the variables in ``env`` bound."""
    env = env or {}
    if isinstance(e, int):
        return e
    if isinstance(e, IntImm):
        return e.value
    if isinstance(e, Var):
        if e not in env:
            msg = f"unbound variable {e.name}"
            raise KeyError(msg)
        return env[e]
    if isinstance(e, BinaryOp):
        a, b = eval_int(e.a, env), eval_int(e.b, env)
        ops = {
            "+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "//": lambda: a // b, "%": lambda: a % b,
            "min": lambda: min(a, b), "max": lambda: max(a, b), "<": lambda: int(a < b), "<=": lambda: int(a <= b),
            ">": lambda: int(a > b), ">=": lambda: int(a >= b), "==": lambda: int(a == b), "!=": lambda: int(a != b),
            "and": lambda: int(bool(a) and bool(b)), "or": lambda: int(bool(a) or bool(b)),
        }
        return ops[e.op]()
    msg = f"cannot evaluate {type(e).__name__} as an integer"
    raise TypeError(msg)


def free_vars(e: Any) -> list[Var]:
    """The variables of an index expression, in first-use order."""
    out: list[Var] = []

    def walk(x: Any) -> None:
        if isinstance(x, Var):
            if all(v is not x for v in out):
                out.append(x)
        elif isinstance(x, BinaryOp):
            walk(x.a)
            walk(x.b)

    walk(e)
    return out


def guarded_range(e: Expr, ranges: dict[Var, tuple[int, int]], guards: list[Expr],
                  limit: int = 1 << 16) -> tuple[int, int] | None:
    """[lo, hi] of ``e`` over every assignment of its (and the guards') variables, within their inclusive
    ``ranges``, for which every guard holds — by enumeration (None above ``limit`` assignments, when a
    variable has no range, or when no assignment satisfies the guards)."""
    import itertools  # noqa: PLC0415

    names: list[Var] = []
    for x in [e, *guards]:
        for v in free_vars(x):
            if all(v is not n for n in names):
                names.append(v)
    total = 1
    for v in names:
        if v not in ranges:
            return None
        total *= ranges[v][1] - ranges[v][0] + 1
    if total > limit:
        return None
    lo = hi = None
    for values in itertools.product(*(range(ranges[v][0], ranges[v][1] + 1) for v in names)):
        env = dict(zip(names, values))
        if not all(eval_int(g, env) for g in guards):
            continue
        x = eval_int(e, env)
        lo = x if lo is None else min(lo, x)
        hi = x if hi is None else max(hi, x)
    return None if lo is None else (lo, hi)


class _Calls(StmtExprVisitor):
    """The Evaluate(Call)s of a tree; only statements hold Evaluate nodes, so expressions (index
    arithmetic, regions) are not walked."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.out: list[Call] = []

    def visit(self, node: Any) -> None:
        if isinstance(node, (Stmt, list, tuple)):
            super().visit(node)

    def visit_Evaluate(self, node: Evaluate) -> None:  # noqa: N802 - visitor protocol
        if isinstance(node.value, Call) and node.value.op.startswith(self.prefix):
            self.out.append(node.value)


def collect_calls(stmt: Stmt, prefix: str = "") -> list[Call]:
    """Every ``Evaluate(Call)`` of the tree whose op starts with ``prefix``, in program order."""
    v = _Calls(prefix)
    StmtExprVisitor.visit(v, stmt)  # the root may be a function or a list
    return v.out


def substitute(e: Any, vmap: dict[Var, Expr]) -> Any:
    """Replace variables in an expression (or region / call argument) by expressions."""
    if isinstance(e, Var):
        return vmap.get(e, e)
    if isinstance(e, BinaryOp):
        a, b = substitute(e.a, vmap), substitute(e.b, vmap)
        if a is e.a and b is e.b:
            return e
        from tt_build.ir.nodes import _binop  # noqa: PLC0415 - folding constructor

        return _binop(e.op, a, b) if e.op not in ("min", "max") else BinaryOp(e.op, a, b, e.dtype)
    if isinstance(e, BufferRegion):
        return BufferRegion(e.buffer, tuple(substitute(s, vmap) for s in e.starts), e.extents, e.loc)
    if isinstance(e, Call):
        return Call(e.op, tuple(substitute(a, vmap) for a in e.args), e.dtype, e.loc)
    if isinstance(e, (Buffer, IntImm)) or not isinstance(e, Expr):
        return e
    return e
