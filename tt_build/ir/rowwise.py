"""The row-wise element-wise forms: expression trees, broadcasts and reductions, defined once.

A ``T.Parallel`` store whose value :func:`tt_build.ir.eltwise.plan_store` (the DST-resident forms)
cannot compute is an *expression tree*: the destination fragment is then **staged** — held in a
circular buffer, one tile per 32×32 block tile (a 1-D fragment: one tile per 32 values, the values in
column 0 of each tile for a column vector ``v[i]``, in row 0 for a row vector ``v[j]``) — and every
store into it is evaluated tile by tile in DST and packed into its CB (see
``tt.InsertDSTManagementTT``). This module is what the front end checks stores against and what the
passes lower, so the two cannot disagree.

Tree nodes (``x``, ``y`` any tree):

* leaves: an element of an on-chip buffer (``s[i, j]``; a vector ``v[i]`` / ``v[j]`` broadcast over a
  2-D block), a numeric constant (``T.infinity`` included);
* ``x + y``, ``x - y``, ``x * y``, ``x / y``, ``T.max(x, y)``, ``T.min(x, y)``, ``-x``;
* ``T.exp/exp2/log/log2/sqrt/rsqrt/abs/sigmoid/tanh/gelu/silu/erf/relu(x)``, ``T.pow(x, c)`` and
  ``T.clamp(x, lo, hi)`` with constants, ``T.cast(x, dtype)``;
* ``T.if_then_else(a <cmp> b, x, y)`` / ``T.where(...)`` with ``<cmp>`` one of ``== != < <= > >=``.

Reductions ``T.reduce_sum/reduce_max(src, dst, dim, clear)`` read a 2-D block and write a 1-D
fragment (staged).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tt_build.ir.eltwise import EltwiseError, plan_store
from tt_build.ir.nodes import BinaryOp, Buffer, BufferLoad, BufferRegion, Call, Expr, FloatImm, IntImm

if TYPE_CHECKING:
    from tt_build.errors import SourceLocation

__all__ = [
    "CMP_OPS",
    "POOL_TYPES",
    "PREPARED_REDUCES",
    "TREE_BINARY",
    "TREE_UNARY",
    "TREE_FORMS",
    "check_store",
    "RowwiseError",
    "check_tree",
    "staged_analysis",
    "is_vector",
    "needs_tree",
    "tree_loads",
]

#: ``math.<name>`` unary ops of a tree (the SFPU op of each is ``<name>_tile`` unless noted in the backend).
TREE_UNARY = ("exp", "exp2", "log", "log2", "sqrt", "rsqrt", "abs", "sigmoid", "tanh", "gelu", "silu", "erf")
#: binary operators of a tree
TREE_BINARY = ("+", "-", "*", "/", "max", "min")
#: element comparisons (``math.cmp``) usable as a select condition
CMP_OPS = ("==", "!=", "<", "<=", ">", ">=")
#: T.reduce_<kind> → reduce_tile's PoolType
POOL_TYPES = {"sum": "SUM", "max": "MAX"}
#: reductions computed as a sum / max of a prepared copy of the source: kind -> (pool kind, the element op
#: applied to the source first, negate the result)
PREPARED_REDUCES = {"min": ("max", "neg", True), "abssum": ("sum", "abs", False), "absmax": ("max", "abs", False)}

TREE_FORMS = (
    "T.Parallel bodies compute expression trees over on-chip buffer elements (a 1-D buffer v read as v[i] or "
    "v[j] broadcasts over the block), constants, + - * /, T.max/T.min, T.exp/exp2/log/log2/sqrt/rsqrt/abs/"
    "sigmoid/tanh/gelu/silu/erf/relu, T.pow/T.clamp with constants, T.cast and T.if_then_else/T.where on an "
    "element comparison"
)


def is_vector(b: Buffer) -> bool:
    return len(b.shape) == 1


def _strip_cast(e: Any) -> Any:
    while isinstance(e, Call) and e.op == "math.cast":
        e = e.args[0]
    return e


def tree_loads(e: Any) -> list[BufferLoad]:
    """Every buffer element read by a tree, in evaluation order."""
    out: list[BufferLoad] = []

    def walk(x: Any) -> None:
        if isinstance(x, BufferLoad):
            out.append(x)
        elif isinstance(x, BinaryOp):
            walk(x.a)
            walk(x.b)
        elif isinstance(x, Call):
            for a in x.args:
                walk(a)

    walk(e)
    return out


def check_tree(dst: Buffer, value: Expr) -> None:
    """Raise :class:`EltwiseError` (located at the offending node) unless ``value`` is a tree this module
    defines, computable into ``dst``."""
    if dst.scope != "fragment":
        return  # plan_store's message (checked first) names the destination problem
    top = value
    if isinstance(top, Call) and top.op == "math.cast" and top.dtype == dst.dtype:
        top = top.args[0]  # rounding to dst's dtype is what packing into dst does
    _check(top, dst)


def _check(e: Any, dst: Buffer) -> None:  # noqa: C901 - one case per node kind
    if isinstance(e, (FloatImm, IntImm)):
        return
    if isinstance(e, BufferLoad):
        b = e.buffer
        if b.scope == "global":
            raise EltwiseError(f"a T.Parallel body cannot read tensor {b.name} directly", e.loc,
                               "T.copy the block into an on-chip buffer first")
        if is_vector(dst) and not is_vector(b):
            raise EltwiseError(f"the 1-D fragment {dst.name} cannot be computed from the 2-D block {b.name}", e.loc,
                               f"reduce {b.name} into a 1-D fragment first (T.reduce_sum/T.reduce_max)")
        return
    if isinstance(e, BinaryOp):
        if e.op not in TREE_BINARY:
            raise EltwiseError(f"element-wise operator `{e.op}` is not supported on Tenstorrent", e.loc, TREE_FORMS)
        _check(e.a, dst)
        _check(e.b, dst)
        return
    if isinstance(e, Call):
        op = e.op.removeprefix("math.")
        if op == "cast" and e.dtype in ("bfloat16", "float16") and getattr(e.args[0], "dtype", e.dtype) != e.dtype:
            raise EltwiseError(
                f"T.cast to {e.dtype} of a {e.args[0].dtype} value is only supported as the whole value stored into a "
                f"{e.dtype} buffer", e.loc,
                f"the backend rounds to {e.dtype} when it packs a result into a {e.dtype} buffer: store "
                f"T.cast(x, \"{e.dtype}\") (or x) into a {e.dtype} T.alloc_fragment")
        if op in TREE_UNARY or op == "cast":
            _check(e.args[0], dst)
            return
        if op in ("pow", "clamp"):
            _check(e.args[0], dst)
            return
        if op == "select":
            cond = e.args[0]
            if not (isinstance(cond, Call) and cond.op == "math.cmp"):
                raise EltwiseError("the condition of T.if_then_else must be an element comparison", e.loc, TREE_FORMS)
            for x in (*cond.args[1:], *e.args[1:]):
                _check(x, dst)
            return
        if op == "cmp":
            raise EltwiseError("an element comparison is only usable as the condition of T.if_then_else / T.where",
                               e.loc, "write T.if_then_else(a[i, j] > b[i, j], x, y)")
    raise EltwiseError(f"element-wise operation {getattr(e, 'op', type(e).__name__)} is not supported on "
                       "Tenstorrent", getattr(e, "loc", None), TREE_FORMS)


def needs_tree(dst: Buffer, value: Expr) -> bool:
    """True when the store is not one of the DST-resident forms of :mod:`tt_build.ir.eltwise` (so ``dst``
    is staged)."""
    if is_vector(dst) or any(is_vector(ld.buffer) or (ld.buffer.scope == "fragment" and ld.buffer is not dst)
                             for ld in tree_loads(value)):
        return True
    try:
        plan_store(dst, value)
    except EltwiseError:
        return True
    return False


def check_store(dst: Buffer, value: Expr, loc: SourceLocation | None = None) -> None:
    """The front end's check of a ``T.Parallel`` store: a DST-resident form or a tree."""
    if dst.scope != "fragment":
        plan_store(dst, value, loc)  # raises the destination diagnostic
    if not needs_tree(dst, value):
        return
    check_tree(dst, value)


class RowwiseError(Exception):
    """A kernel whose row-wise structure the backend cannot lower; ``loc`` is where."""

    def __init__(self, msg: str, loc: SourceLocation | None, hint: str | None = None) -> None:
        super().__init__(msg)
        self.msg = msg
        self.loc = loc
        self.hint = hint


def _walk(s: Any, nest: tuple[Any, ...], out: list[tuple[str, Any, tuple[Any, ...]]]) -> None:
    """(kind, node, parallel loop vars) of every store and tile call, in program order."""
    from tt_build.ir.nodes import Allocate, BufferStore, Evaluate, For, IfThenElse, KernelLaunch, LetStmt, SeqStmt  # noqa: PLC0415

    if isinstance(s, SeqStmt):
        for x in s.stmts:
            _walk(x, nest, out)
    elif isinstance(s, For):
        _walk(s.body, (*nest, s.var) if s.kind == "parallel" else nest, out)
    elif isinstance(s, (Allocate, LetStmt, KernelLaunch)):
        _walk(s.body, nest, out)
    elif isinstance(s, IfThenElse):
        _walk(s.then_case, nest, out)
        _walk(s.else_case, nest, out)
    elif isinstance(s, BufferStore):
        out.append(("store", s, nest))
    elif isinstance(s, Evaluate) and isinstance(s.value, Call) and s.value.op.startswith("tl."):
        out.append(("call", s.value, nest))


def staged_analysis(body: Any) -> tuple[set[Buffer], dict[Buffer, str]]:
    """The staged fragments of a kernel body (see the module doc) and the orientation of every 1-D
    buffer: ``col`` (one value per row of a block: v[i], a dim=1 reduction) or ``row`` (per column).

    Raises :class:`RowwiseError` for a 1-D buffer used both ways or a staged fragment used where only a
    DST-resident one can be (a T.gemm accumulator).
    """
    events: list[tuple[str, Any, tuple[Any, ...]]] = []
    _walk(body, (), events)
    staged: set[Buffer] = set()
    orient: dict[Buffer, tuple[str, Any]] = {}
    same: list[tuple[Buffer, Buffer, Any]] = []

    def set_orient(b: Buffer, o: str, loc: Any) -> None:
        old = orient.get(b)
        if old is not None and old[0] != o:
            raise RowwiseError(f"1-D buffer {b.name} is used as a {_ODESC[old[0]]} and as a {_ODESC[o]}", loc,
                               "a 1-D buffer holds one value per row (v[i], T.reduce_*(x, v, dim=1)) or one per "
                               "column (v[j], dim=0), not both: use two buffers")
        orient[b] = (o, loc)

    gemm_acc: dict[Buffer, Any] = {}
    for kind, node, nest in events:
        if kind == "store":
            dst, value = node.buffer, node.value
            if dst.scope == "fragment" and needs_tree(dst, value):
                staged.add(dst)
            for ld in tree_loads(value):
                b = ld.buffer
                if b.scope == "fragment" and b is not dst:
                    staged.add(b)
                if is_vector(b):
                    if len(nest) == 2:  # noqa: PLR2004
                        set_orient(b, "col" if ld.indices[0] is nest[0] else "row", ld.loc)
                    elif is_vector(dst):
                        same.append((b, dst, ld.loc))
        elif node.op == "tl.reduce":
            src, dst, _, dim, _ = node.args
            staged.add(dst)
            if src.scope == "fragment":
                staged.add(src)
            set_orient(dst, "col" if dim.value == 1 else "row", node.loc)
        elif node.op == "tl.copy":
            src, dst = node.args
            s, d = src.buffer, dst.buffer
            if s.scope == "fragment" and d.scope == "fragment":
                staged.update((s, d))
            if is_vector(s) and is_vector(d):
                same.append((s, d, node.loc))
        elif node.op == "tl.gemm":
            gemm_acc[node.args[2]] = node.loc
    for kind, node, _ in events:  # every 1-D fragment is staged (it only exists as tiles in a CB)
        bufs = [node.buffer] if kind == "store" else \
            [a.buffer if isinstance(a, BufferRegion) else a for a in node.args]
        staged.update(b for b in bufs if isinstance(b, Buffer) and b.scope == "fragment" and is_vector(b))
    changed = True
    while changed:  # orientation flows through 1-D copies and 1-D stores
        changed = False
        for a, b, loc in same:
            for x, y in ((a, b), (b, a)):
                if x in orient and y not in orient:
                    orient[y] = (orient[x][0], loc)
                    changed = True
                elif x in orient and y in orient and orient[x][0] != orient[y][0]:
                    set_orient(y, orient[x][0], loc)
    for b, loc in gemm_acc.items():
        if b in staged:
            raise RowwiseError(f"T.gemm accumulator {b.name} is also used by an expression tree, a reduction or "
                               "another fragment; an accumulator lives in DST", loc,
                               f"T.copy {b.name} into a T.alloc_shared buffer after the K loop and compute from that")
    return staged, {b: o for b, (o, _) in orient.items()}


_ODESC = {"col": "column vector (one value per row)", "row": "row vector (one value per column)"}
