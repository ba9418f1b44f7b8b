"""The element-wise (``T.Parallel``) forms the Tenstorrent backend compiles, defined once.

A ``T.Parallel`` store ``dst[i, j] = value`` runs on whole tiles: the value is computed in the DST
registers and packed into ``dst``'s circular buffer. :func:`plan_store` turns a store into the
sequence of block steps that computes it, or raises :class:`EltwiseError` located at the offending
sub-expression. The front end calls it on every store (so an unsupported form is a diagnostic at the
kernel's source line, never a late failure) and ``tt.LowerTTTileIntrinsics`` lowers the same plan, so
the two cannot disagree.

Supported (``SUPPORTED_FORMS``), with ``s``/``t`` staged blocks (``T.alloc_shared`` buffers) and ``x``
any supported value:

* ``s``, the destination fragment itself, a numeric constant;
* ``s + t``, ``s - t``, ``s * t`` (the FPU's ``add/sub/mul_tiles`` read both operands from circular
  buffers, so both must be staged blocks);
* ``T.exp(x)``, ``T.relu(x)`` = ``T.max(x, 0)``, ``T.min(x, 0)`` (``-relu(-x)``) and ``-x`` (SFPU ops
  on the value in DST);
* ``T.cast(x, "float32")``, and ``T.cast(x, "bfloat16")`` when ``x`` is already bfloat16 or the cast is
  the whole value stored into a bfloat16 buffer (the conversion happens when the result is packed).

Not supported (each rejected with this list): a scalar and a block in one binary operation
(``s * 2.0``), binary operations on anything but two staged blocks (``acc + s``, ``s + t + u``,
``T.exp(s) + t``), ``T.max``/``T.min`` other than against 0, reading a fragment other than the
destination, storing into anything but a ``T.alloc_fragment``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tt_build.ir.nodes import BinaryOp, Buffer, BufferLoad, Call, Expr, FloatImm, IntImm

if TYPE_CHECKING:
    from tt_build.errors import SourceLocation

__all__ = ["BINARY_OPS", "SUPPORTED_FORMS", "UNARY_OPS", "EltwiseError", "Step", "plan_store"]

#: Python operator of a block-by-block operation → the tile operation (``<name>_tiles``).
BINARY_OPS = {"+": "add", "-": "sub", "*": "mul"}
#: SFPU operations on a value in DST (``<name>_tile``).
UNARY_OPS = ("exp", "relu", "negative")

#: One-line summary of the supported forms (the hint of every element-wise diagnostic).
SUPPORTED_FORMS = (
    "T.Parallel bodies compute on Tenstorrent: s + t, s - t, s * t of two T.alloc_shared blocks s, t; T.exp(x), "
    "T.relu(x) = T.max(x, 0), T.min(x, 0) and -x, where x is a block, the destination fragment or one of these "
    "forms; T.cast(x, dtype); a numeric constant"
)


class EltwiseError(Exception):
    """An element-wise form the backend cannot compile; ``loc`` is the offending sub-expression's."""

    def __init__(self, msg: str, loc: SourceLocation | None, hint: str = SUPPORTED_FORMS) -> None:
        super().__init__(msg)
        self.msg = msg
        self.loc = loc
        self.hint = hint


@dataclass(frozen=True)
class Step:
    """One block step of a store, applied to the destination fragment's tiles in DST.

    ``kind``: ``copy`` (unpack staged block ``a`` into DST), ``fill`` (constant ``value``), ``binary``
    (``op`` in add/sub/mul of staged blocks ``a`` and ``b``), ``unary`` (``op`` in :data:`UNARY_OPS`).
    """

    kind: str
    op: str = ""
    a: Buffer | None = None
    b: Buffer | None = None
    value: float = 0.0
    loc: SourceLocation | None = None


def _is_zero(e: Any) -> bool:
    return isinstance(e, (FloatImm, IntImm)) and float(e.value) == 0.0


def _describe(e: Any, dst: Buffer) -> str:
    if isinstance(e, (FloatImm, IntImm)):
        return f"the constant {e.value!r}"
    if isinstance(e, BufferLoad):
        if e.buffer is dst:
            return f"the destination fragment {dst.name}"
        if e.buffer.scope == "fragment":
            return f"fragment {e.buffer.name}"
        return f"block {e.buffer.name}"
    if isinstance(e, Call) and e.op == "math.exp":
        return "a T.exp(...) result"
    if isinstance(e, Call) and e.op == "math.cast":
        return "a T.cast(...) result"
    if isinstance(e, BinaryOp):
        return f"a `{e.op}` result"
    return f"a {type(e).__name__}"


def _op_name(e: BinaryOp) -> str:
    return f"T.{e.op}" if e.op in ("max", "min") else f"`{e.op}`"


class _Planner:
    def __init__(self, dst: Buffer) -> None:
        self.dst = dst
        self.steps: list[Step] = []

    def strip(self, e: Any) -> Any:
        """``e`` without its value-preserving casts (checked: a narrowing cast inside is an error)."""
        while isinstance(e, Call) and e.op == "math.cast":
            inner = e.args[0]
            if e.dtype == "bfloat16" and getattr(inner, "dtype", "bfloat16") != "bfloat16":
                raise EltwiseError(
                    "T.cast to bfloat16 of a float32 value is only supported as the whole value stored into a "
                    "bfloat16 buffer", e.loc,
                    "the backend rounds to bfloat16 when it packs a result into a bfloat16 buffer: store "
                    "T.cast(x, \"bfloat16\") (or x) into a bfloat16 T.alloc_fragment")
            e = inner
        return e

    def operand(self, e: Any, parent: BinaryOp) -> Buffer:
        """A binary operation's operand: must be a staged (T.alloc_shared) block."""
        e = self.strip(e)
        if isinstance(e, BufferLoad) and e.buffer.scope == "shared":
            return e.buffer
        what = _describe(e, self.dst)
        raise EltwiseError(f"element-wise {_op_name(parent)} needs two T.alloc_shared blocks as operands; "
                           f"this operand is {what}", getattr(e, "loc", None) or parent.loc)

    def value(self, e: Any) -> None:  # noqa: C901, PLR0912 - one case per form
        """Append the steps leaving ``e`` in the destination's DST tiles."""
        e = self.strip(e)
        if isinstance(e, BufferLoad):
            buf = e.buffer
            if buf is self.dst:
                return  # already in DST
            if buf.scope == "shared":
                self.steps.append(Step("copy", a=buf, loc=e.loc))
                return
            if buf.scope == "fragment":
                raise EltwiseError(
                    f"a T.Parallel body that writes {self.dst.name} cannot read fragment {buf.name}", e.loc,
                    f"fragments live in DST one at a time: T.copy({buf.name}, S) into a T.alloc_shared buffer S "
                    f"first and read S, or compute {self.dst.name} from the blocks {buf.name} was computed from")
            raise EltwiseError(f"a T.Parallel body cannot read tensor {buf.name} directly", e.loc,
                               "T.copy the block into an on-chip buffer first")
        if isinstance(e, (FloatImm, IntImm)):
            self.steps.append(Step("fill", value=float(e.value), loc=e.loc))
            return
        if isinstance(e, BinaryOp) and e.op == "-" and _is_zero(e.a):
            self.value(e.b)  # -x (the front end spells a negation 0 - x)
            self.steps.append(Step("unary", "negative", loc=e.loc))
            return
        if isinstance(e, BinaryOp) and e.op in BINARY_OPS:
            a = self.operand(e.a, e)
            b = self.operand(e.b, e)
            self.steps.append(Step("binary", BINARY_OPS[e.op], a=a, b=b, loc=e.loc))
            return
        if isinstance(e, BinaryOp) and e.op in ("max", "min"):
            zero = next((i for i, x in enumerate((e.a, e.b)) if _is_zero(self.strip(x))), None)
            if zero is None:
                consts = [x for x in (e.a, e.b) if isinstance(self.strip(x), (FloatImm, IntImm))]
                what = (f"against the constant {self.strip(consts[0]).value!r}" if consts
                        else "of two values")
                raise EltwiseError(f"T.{e.op} {what} is not supported element-wise; only T.{e.op}(x, 0)", e.loc)
            other = e.b if zero == 0 else e.a
            self.value(other)
            if e.op == "max":
                self.steps.append(Step("unary", "relu", loc=e.loc))
            else:  # min(x, 0) = -max(-x, 0)
                self.steps += [Step("unary", "negative", loc=e.loc), Step("unary", "relu", loc=e.loc),
                               Step("unary", "negative", loc=e.loc)]
            return
        if isinstance(e, Call) and e.op == "math.exp":
            self.value(e.args[0])
            self.steps.append(Step("unary", "exp", loc=e.loc))
            return
        what = f"`{e.op}`" if isinstance(e, (BinaryOp, Call)) else type(e).__name__
        raise EltwiseError(f"element-wise operation {what} is not supported on Tenstorrent",
                           getattr(e, "loc", None))


def plan_store(dst: Buffer, value: Expr, loc: SourceLocation | None = None) -> list[Step]:
    """The block steps computing ``dst[...] = value`` in DST; raises :class:`EltwiseError`.

    ``loc`` locates the store itself (for a destination that is not a fragment).
    """
    if dst.scope != "fragment":
        what = "a T.alloc_shared buffer" if dst.scope == "shared" else "a kernel tensor"
        raise EltwiseError(
            f"T.Parallel results must be stored into a T.alloc_fragment; {dst.name} is {what}", loc,
            f"allocate {dst.name} with T.alloc_fragment (and T.copy it to a T.alloc_shared buffer afterwards if "
            "another T.Parallel body must read it)" if dst.scope == "shared"
            else "write an on-chip buffer and T.copy it to the tensor after the loop")
    planner = _Planner(dst)
    top = value
    if isinstance(top, Call) and top.op == "math.cast" and top.dtype == "bfloat16" and dst.dtype == "bfloat16":
        top = top.args[0]  # rounding to bfloat16 is what packing into dst does
    planner.value(top)
    return planner.steps
