"""Tile IR nodes: expressions, statements, buffers, PrimFunc and IRModule.

Values (immediates, buffers' shapes) are plain data; :class:`Var` and :class:`Buffer` compare by
identity (two variables with the same name are different variables), which is what
:func:`tt_build.ir.structural_equal` maps when comparing two functions.

Every node may carry ``loc`` (a :class:`~tt_build.errors.SourceLocation`); it never takes part in
equality and is what diagnostics point at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tt_build.errors import SourceLocation

__all__ = [
    "DTYPES",
    "Allocate",
    "BinaryOp",
    "Buffer",
    "BufferLoad",
    "BufferRegion",
    "BufferStore",
    "Call",
    "Evaluate",
    "Expr",
    "FloatImm",
    "For",
    "IRModule",
    "IfThenElse",
    "IntImm",
    "KernelLaunch",
    "LetStmt",
    "MulticastCopy",
    "Node",
    "PrimFunc",
    "SeqStmt",
    "Stmt",
    "StickGather",
    "StringImm",
    "Var",
    "as_expr",
    "const",
    "dtype_bytes",
    "seq",
]

#: Data types the language accepts, with their size in bytes.
DTYPES: dict[str, int] = {"bfloat16": 2, "float16": 2, "float32": 4, "int32": 4, "uint32": 4, "bool": 1}


def dtype_bytes(dtype: str) -> int:
    return DTYPES[dtype]


class Node:
    """Base of all IR nodes. Subclasses are dataclasses; ``_children`` names the fields to traverse."""

    _children: ClassVar[tuple[str, ...]] = ()
    loc: SourceLocation | None

    def children(self) -> Iterator[Any]:
        for name in self._children:
            yield getattr(self, name)


# --------------------------------------------------------------------------- expressions


class Expr(Node):
    """An expression; ``dtype`` is its value type."""

    dtype: str

    # Operator sugar so passes can build index arithmetic naturally; constant folding happens here.
    def __add__(self, other: Expr | int) -> Expr:
        return _binop("+", self, as_expr(other))

    def __radd__(self, other: int) -> Expr:
        return _binop("+", as_expr(other), self)

    def __sub__(self, other: Expr | int) -> Expr:
        return _binop("-", self, as_expr(other))

    def __rsub__(self, other: int) -> Expr:
        return _binop("-", as_expr(other), self)

    def __mul__(self, other: Expr | int) -> Expr:
        return _binop("*", self, as_expr(other))

    def __rmul__(self, other: int) -> Expr:
        return _binop("*", as_expr(other), self)

    def __floordiv__(self, other: Expr | int) -> Expr:
        return _binop("//", self, as_expr(other))

    def __mod__(self, other: Expr | int) -> Expr:
        return _binop("%", self, as_expr(other))

    __hash__ = object.__hash__


@dataclass(eq=False)
class IntImm(Expr):
    value: int
    dtype: str = "int32"
    loc: SourceLocation | None = field(default=None, repr=False)


@dataclass(eq=False)
class FloatImm(Expr):
    value: float
    dtype: str = "float32"
    loc: SourceLocation | None = field(default=None, repr=False)


@dataclass(eq=False)
class StringImm(Expr):
    value: str
    dtype: str = "str"
    loc: SourceLocation | None = field(default=None, repr=False)


@dataclass(eq=False)
class Var(Expr):
    """A scalar variable (loop variable, block index, runtime argument). Compared by identity."""

    name: str
    dtype: str = "int32"
    loc: SourceLocation | None = field(default=None, repr=False)


BINARY_OPS = ("+", "-", "*", "//", "%", "min", "max", "<", "<=", ">", ">=", "==", "!=", "and", "or")


@dataclass(eq=False)
class BinaryOp(Expr):
    op: str
    a: Expr
    b: Expr
    dtype: str = "int32"
    loc: SourceLocation | None = field(default=None, repr=False)
    _children: ClassVar[tuple[str, ...]] = ("a", "b")


@dataclass(eq=False)
class Call(Expr):
    """An intrinsic call. ``op`` is qualified: ``tl.*`` (tile language), ``tt.*`` (TT-Metalium API)
    or ``math.*`` (elementwise scalar math). ``args`` may hold Exprs, Buffers and BufferRegions."""

    op: str
    args: tuple[Any, ...]
    dtype: str = "void"
    loc: SourceLocation | None = field(default=None, repr=False)
    _children: ClassVar[tuple[str, ...]] = ("args",)


@dataclass(eq=False)
class Buffer(Node):
    """A multi-dimensional buffer. ``scope``: ``global`` (a kernel tensor), ``shared`` (L1 tile
    storage, becomes a circular buffer), ``fragment`` (accumulator, lives in DST / a CB)."""

    name: str
    shape: tuple[int, ...]
    dtype: str
    scope: str = "global"
    loc: SourceLocation | None = field(default=None, repr=False)

    __hash__ = object.__hash__

    @property
    def nbytes(self) -> int:
        n = 1
        for s in self.shape:
            n *= s
        return n * dtype_bytes(self.dtype)


@dataclass(eq=False)
class BufferLoad(Expr):
    buffer: Buffer
    indices: tuple[Expr, ...]
    dtype: str = "float32"
    loc: SourceLocation | None = field(default=None, repr=False)
    _children: ClassVar[tuple[str, ...]] = ("buffer", "indices")


@dataclass(eq=False)
class BufferRegion(Node):
    """``buffer[starts[i] : starts[i] + extents[i], ...]`` with constant extents."""

    buffer: Buffer
    starts: tuple[Expr, ...]
    extents: tuple[int, ...]
    loc: SourceLocation | None = field(default=None, repr=False)
    _children: ClassVar[tuple[str, ...]] = ("buffer", "starts")

    @staticmethod
    def full(buffer: Buffer) -> BufferRegion:
        return BufferRegion(buffer, tuple(IntImm(0) for _ in buffer.shape), tuple(buffer.shape))


def as_expr(value: Expr | int | float | bool) -> Expr:
    if isinstance(value, Expr):
        return value
    if isinstance(value, bool):
        return IntImm(int(value), "bool")
    if isinstance(value, int):
        return IntImm(value)
    if isinstance(value, float):
        return FloatImm(value)
    msg = f"cannot convert {value!r} to an IR expression"
    raise TypeError(msg)


def const(value: int) -> IntImm:
    return IntImm(value)


def _binop(op: str, a: Expr, b: Expr) -> Expr:
    """Build ``a op b`` with light constant folding and identity simplification."""
    if isinstance(a, IntImm) and isinstance(b, IntImm):
        x, y = a.value, b.value
        if op == "+":
            return IntImm(x + y)
        if op == "-":
            return IntImm(x - y)
        if op == "*":
            return IntImm(x * y)
        if op == "//" and y != 0:
            return IntImm(x // y)
        if op == "%" and y != 0:
            return IntImm(x % y)
    if op == "+":
        if isinstance(b, IntImm) and b.value == 0:
            return a
        if isinstance(a, IntImm) and a.value == 0:
            return b
    if op == "-" and isinstance(b, IntImm) and b.value == 0:
        return a
    if op == "*":
        if isinstance(b, IntImm) and b.value == 1:
            return a
        if isinstance(a, IntImm) and a.value == 1:
            return b
        if (isinstance(b, IntImm) and b.value == 0) or (isinstance(a, IntImm) and a.value == 0):
            return IntImm(0)
    if op in ("//",) and isinstance(b, IntImm) and b.value == 1:
        return a
    if op == "%" and isinstance(b, IntImm) and b.value == 1:
        return IntImm(0)
    dtype = "bool" if op in ("<", "<=", ">", ">=", "==", "!=", "and", "or") else a.dtype
    return BinaryOp(op, a, b, dtype)


# --------------------------------------------------------------------------- statements


class Stmt(Node):
    """A statement."""

    __hash__ = object.__hash__


@dataclass(eq=False)
class SeqStmt(Stmt):
    stmts: list[Stmt]
    loc: SourceLocation | None = field(default=None, repr=False)
    _children: ClassVar[tuple[str, ...]] = ("stmts",)


def seq(*stmts: Stmt | None) -> Stmt:
    """Flatten nested sequences and drop ``None``; a single statement is returned as is."""
    out: list[Stmt] = []
    for s in stmts:
        if s is None:
            continue
        if isinstance(s, SeqStmt):
            out.extend(s.stmts)
        else:
            out.append(s)
    if len(out) == 1:
        return out[0]
    return SeqStmt(out)


@dataclass(eq=False)
class Evaluate(Stmt):
    value: Expr
    loc: SourceLocation | None = field(default=None, repr=False)
    _children: ClassVar[tuple[str, ...]] = ("value",)


@dataclass(eq=False)
class BufferStore(Stmt):
    buffer: Buffer
    value: Expr
    indices: tuple[Expr, ...]
    loc: SourceLocation | None = field(default=None, repr=False)
    _children: ClassVar[tuple[str, ...]] = ("buffer", "value", "indices")


@dataclass(eq=False)
class LetStmt(Stmt):
    var: Var
    value: Expr
    body: Stmt
    loc: SourceLocation | None = field(default=None, repr=False)
    _children: ClassVar[tuple[str, ...]] = ("var", "value", "body")


@dataclass(eq=False)
class For(Stmt):
    """``for var in range(min, min + extent)``. ``kind``: serial | parallel | pipelined | unrolled.
    ``annotations`` carry e.g. ``num_stages`` of a pipelined loop."""

    var: Var
    min: Expr
    extent: Expr
    kind: str
    body: Stmt
    annotations: dict[str, Any] = field(default_factory=dict)
    loc: SourceLocation | None = field(default=None, repr=False)
    _children: ClassVar[tuple[str, ...]] = ("var", "min", "extent", "body")

    KINDS: ClassVar[tuple[str, ...]] = ("serial", "parallel", "pipelined", "unrolled")


@dataclass(eq=False)
class IfThenElse(Stmt):
    cond: Expr
    then_case: Stmt
    else_case: Stmt | None = None
    loc: SourceLocation | None = field(default=None, repr=False)
    _children: ClassVar[tuple[str, ...]] = ("cond", "then_case", "else_case")


@dataclass(eq=False)
class Allocate(Stmt):
    """Declares an on-chip buffer (shared / fragment) live within ``body``."""

    buffer: Buffer
    body: Stmt
    loc: SourceLocation | None = field(default=None, repr=False)
    _children: ClassVar[tuple[str, ...]] = ("buffer", "body")


@dataclass(eq=False)
class KernelLaunch(Stmt):
    """``with T.Kernel(*grid) as block_vars``: the body runs once per block of the grid."""

    grid: tuple[Expr, ...]
    block_vars: tuple[Var, ...]
    body: Stmt
    loc: SourceLocation | None = field(default=None, repr=False)
    _children: ClassVar[tuple[str, ...]] = ("grid", "block_vars", "body")


@dataclass(eq=False)
class MulticastCopy(Stmt):
    """A block copy from a tensor region into a circular buffer shared by a line of cores.

    ``group`` names the multicast group of ``tt.multicast`` (the destination rectangle of every core and
    the two semaphores are that group's resources). ``role``: ``any`` until SplitDeviceKernel
    specialises it; then ``sender`` (reads ``src`` from memory into its own CB, waits until every
    receiver has reserved space, multicasts the block to the rectangle and signals its arrival) or
    ``receiver`` (reserves space, tells the sender it is ready, waits for the arrival signal; ``src``
    only says which block arrives). LowerCBIntrinsics expands it into the NOC / semaphore protocol.
    """

    src: BufferRegion
    dst: Buffer
    group: str
    role: str = "any"
    loc: SourceLocation | None = field(default=None, repr=False)
    _children: ClassVar[tuple[str, ...]] = ("src", "dst")

    ROLES: ClassVar[tuple[str, ...]] = ("any", "sender", "receiver")


@dataclass(eq=False)
class StickGather(Node):
    """An element gather into an on-chip block: ``dst[i, j] = src[indices] if pred else 0`` for every
    ``(i, j)`` of ``dst`` (``loop_vars``), TileLang's im2col written as a ``T.Parallel`` store.

    ``indices`` (one per dimension of the tensor ``src``) and ``pred`` (the padding predicate; ``None``:
    always inside) are index expressions of the loop variables and of the enclosing block / loop
    variables. Carried as the argument of ``tl.gather`` / ``tt.gather_block``. Lowered on the reader
    from row-major sticks of ``src`` (its last dimension is contiguous): each run of ``stick`` consecutive
    ``j`` is one NOC read of ``stick`` elements of one stick (``pred`` false: zeros), into ``dst``'s
    circular buffer in row-major order; compute tilizes it (``tl.tilize``). ``stick`` is 0 until
    LowerTTTileIntrinsics proves the run length (:mod:`tt_build.transform._gather`).
    """

    src: Buffer
    dst: Buffer
    loop_vars: tuple[Var, ...]
    indices: tuple[Expr, ...]
    pred: Expr | None = None
    stick: int = 0
    loc: SourceLocation | None = field(default=None, repr=False)
    _children: ClassVar[tuple[str, ...]] = ("src", "dst", "loop_vars", "indices", "pred")


# --------------------------------------------------------------------------- functions


@dataclass(eq=False)
class PrimFunc(Node):
    """A kernel function: tensor parameters, a body and the ``tt.*`` attribute contract."""

    name: str
    params: list[Buffer]
    body: Stmt
    attrs: dict[str, Any] = field(default_factory=dict)
    loc: SourceLocation | None = field(default=None, repr=False)
    _children: ClassVar[tuple[str, ...]] = ("params", "body")

    def with_attr(self, key: str, value: Any) -> PrimFunc:
        attrs = dict(self.attrs)
        attrs[key] = value
        return PrimFunc(self.name, self.params, self.body, attrs, self.loc)

    def with_body(self, body: Stmt) -> PrimFunc:
        return PrimFunc(self.name, self.params, body, dict(self.attrs), self.loc)


@dataclass(eq=False)
class IRModule(Node):
    """A set of functions by name (one kernel becomes three device functions) plus module attrs
    (the host plan)."""

    functions: dict[str, PrimFunc]
    attrs: dict[str, Any] = field(default_factory=dict)
    loc: SourceLocation | None = field(default=None, repr=False)

    def __getitem__(self, name: str) -> PrimFunc:
        return self.functions[name]

    def with_attr(self, key: str, value: Any) -> IRModule:
        attrs = dict(self.attrs)
        attrs[key] = value
        return IRModule(dict(self.functions), attrs, self.loc)
