"""tt.PropagateTTLayout — carry tensor layouts to the on-chip buffers that stage them.

Requires: ``tt.buffer.<param>`` (InferTTLayout).
Produces: ``tt.buffer.<onchip>`` for every ``T.alloc_shared`` / ``T.alloc_fragment`` buffer: its tile
grid, element dtype, the data format its circular buffer will hold (a fragment is packed in the
format of the tensor it is copied to) and ``local`` when it stages a sharded tensor. A 1-D buffer (a
vector of n values) gets ``vector``: ``col`` — one value per row of a block (a ``dim=1`` reduction, read
as ``v[i]``), tiles ``[n/32, 1]`` — or ``row`` (``dim=0``, ``v[j]``), tiles ``[1, n/32]``, from its uses
(:func:`tt_build.ir.rowwise.staged_analysis`); a vector used both ways is a diagnostic.
Checks every ``T.copy`` between a tensor and an on-chip buffer: starts tile-aligned (multiples of
32 for all block/loop indices) and the region inside the tensor for every block and iteration — except
a partial last block: on the two tiled axes a block that starts inside the tensor may run past its end;
the tensor's ``partial`` lists those axes of its 2-D page grid (0 rows, 1 columns) and
LowerCBIntrinsics guards each tile transfer (a kernel with ``T.reduce_*`` rejects partial blocks: the
zero padding would be reduced).
Leaves alone: the body.
"""

from __future__ import annotations

from typing import Any

from tt_build.ir import (
    Allocate,
    BinaryOp,
    Buffer,
    Call,
    Evaluate,
    For,
    IfThenElse,
    IntImm,
    IRModule,
    KernelLaunch,
    LetStmt,
    PrimFunc,
    StmtExprVisitor,
    Var,
    dtype_bytes,
)
from tt_build.ir import attrs as A
from tt_build.ir.rowwise import RowwiseError, staged_analysis
from tt_build.transform._analysis import TILE, collect_calls, divisible, guarded_range, view_dims
from tt_build.transform.base import Pass, PassContext

__all__ = ["PropagateTTLayout", "bounds"]

_DATA_FORMAT = {"bfloat16": "Float16_b", "float16": "Float16", "float32": "Float32"}


def bounds(e: Any, ranges: dict[Var, tuple[int, int]]) -> tuple[int, int]:
    """Inclusive [lo, hi] of an integer expression given inclusive variable ranges."""
    if isinstance(e, IntImm):
        return e.value, e.value
    if isinstance(e, Var):
        return ranges.get(e, (0, 0))
    if isinstance(e, BinaryOp):
        a, b = bounds(e.a, ranges), bounds(e.b, ranges)
        if e.op == "+":
            return a[0] + b[0], a[1] + b[1]
        if e.op == "-":
            return a[0] - b[1], a[1] - b[0]
        if e.op == "*":
            c = [a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]]
            return min(c), max(c)
        if e.op == "//" and b[0] == b[1] and b[0] > 0:
            return a[0] // b[0], a[1] // b[0]
        if e.op == "%" and b[0] == b[1] and b[0] > 0:
            return 0, b[0] - 1
        if e.op in ("min", "max"):
            f = min if e.op == "min" else max
            return f(a[0], b[0]), f(a[1], b[1])
    msg = f"cannot bound expression {type(e).__name__}"
    raise TypeError(msg)


class PropagateTTLayout(Pass):
    name = "tt.PropagateTTLayout"

    def transform(self, mod: IRModule, ctx: PassContext) -> IRModule:  # noqa: ARG002
        return IRModule({n: self._func(f) for n, f in mod.functions.items()}, dict(mod.attrs), mod.loc)

    def _func(self, f: PrimFunc) -> PrimFunc:
        attrs = dict(f.attrs)
        onchip: dict[Buffer, dict[str, Any]] = {}
        pass_ = self

        class V(StmtExprVisitor):
            def __init__(self) -> None:
                self.ranges: dict[Var, tuple[int, int]] = {}
                self.guards: list[Any] = []

            def visit_KernelLaunch(self, node: KernelLaunch) -> None:  # noqa: N802
                for v, g in zip(node.block_vars, node.grid):
                    self.ranges[v] = (0, g.value - 1)  # type: ignore[attr-defined]
                self.generic_visit(node)

            def visit_For(self, node: For) -> None:  # noqa: N802
                lo, _ = bounds(node.min, self.ranges)
                _, hi_ext = bounds(node.extent, self.ranges)
                self.ranges[node.var] = (lo, lo + hi_ext - 1)
                self.generic_visit(node)

            def visit_LetStmt(self, node: LetStmt) -> None:  # noqa: N802
                self.ranges[node.var] = bounds(node.value, self.ranges)
                self.generic_visit(node)

            def visit_IfThenElse(self, node: IfThenElse) -> None:  # noqa: N802
                # a copy under a runtime index condition only runs for the blocks the condition lets through
                self.guards.append(node.cond)
                self.visit(node.then_case)
                self.guards[-1] = BinaryOp("==", node.cond, IntImm(0), "bool")
                self.visit(node.else_case)
                self.guards.pop()

            def visit_Allocate(self, node: Allocate) -> None:  # noqa: N802
                b = node.buffer
                if len(b.shape) not in (1, 2) or any(s % TILE for s in b.shape):  # noqa: PLR2004
                    raise pass_.error(f"on-chip buffer {b.name} of shape {b.shape} is not a 1-D or 2-D multiple of "
                                      "the 32×32 tile", node.loc)
                if len(b.shape) == 1:  # a vector: one tile per 32 values, in column 0 (col) or row 0 (row)
                    o = vectors.get(b, "col")
                    tiles = [b.shape[0] // TILE, 1] if o == "col" else [1, b.shape[0] // TILE]
                else:
                    tiles = [b.shape[0] // TILE, b.shape[1] // TILE]
                onchip[b] = {
                    "scope": b.scope,
                    "dtype": b.dtype,
                    "shape": list(b.shape),
                    "tiles": tiles,
                    "data_format": _DATA_FORMAT[b.dtype],
                    "local": False,
                }
                if len(b.shape) == 1:
                    onchip[b]["vector"] = vectors.get(b, "col")
                self.generic_visit(node)

            def visit_Evaluate(self, node: Evaluate) -> None:  # noqa: N802
                call = node.value
                if isinstance(call, Call) and call.op == "tl.copy":
                    pass_._copy(call, attrs, onchip, self.ranges, self.guards)  # noqa: SLF001

        try:
            _, vectors = staged_analysis(f.body)
        except RowwiseError as exc:
            raise self.error(exc.msg, exc.loc, hint=exc.hint) from None
        self._reduces = any(c.op == "tl.reduce" for c in collect_calls(f.body, "tl."))
        V().visit(f.body)
        for buf, info in onchip.items():
            attrs[A.buffer_key(buf.name)] = info
        return PrimFunc(f.name, f.params, f.body, attrs, f.loc)

    def _copy(self, call: Call, attrs: dict[str, Any], onchip: dict[Buffer, dict[str, Any]],
              ranges: dict[Var, tuple[int, int]], guards: list[Any] = ()) -> None:  # type: ignore[assignment]
        src, dst = call.args
        tensor, local = (src, dst) if src.buffer.scope == "global" else (dst, src)
        if tensor.buffer.scope != "global":
            return  # on-chip to on-chip copy: no tensor layout involved
        if local.buffer.scope == "global":
            raise self.error("T.copy between two tensors is not supported", call.loc,
                             hint="stage the data through T.alloc_shared")
        tinfo = attrs[A.buffer_key(tensor.buffer.name)]
        rank = len(tensor.extents)
        dims = view_dims(tensor.buffer.shape, rank)  # a T.Tensor view's region: the 2-D row-major view
        for axis, (start, ext) in enumerate(zip(tensor.starts, tensor.extents)):
            if axis < rank - 2 and ext != 1:  # noqa: PLR2004
                raise self.error(f"T.copy region of {tensor.buffer.name} spans {ext} elements on its leading axis "
                                 f"{axis}; a block of a rank-{rank} tensor takes one index in each leading axis",
                                 call.loc, hint="index the batch axes with a block or loop variable "
                                 "(A[bz, by * block_M, k * block_K]) and copy one 2-D block per T.copy")
            if axis >= rank - 2 and (ext % TILE or not divisible(start, TILE)):  # noqa: PLR2004 - the tiled axes
                raise self.error(f"T.copy region of {tensor.buffer.name} is not aligned to 32×32 tiles on axis "
                                 f"{axis}", call.loc, hint="index tensors at multiples of the block size")
            try:
                lo, hi = bounds(start, ranges)
                if guards:  # under `if` on indices: the blocks the conditions let through
                    lo, hi = guarded_range(start, ranges, list(guards)) or (lo, hi)
            except TypeError:
                raise self.error(f"cannot bound the start index of the T.copy region of {tensor.buffer.name} on axis "
                                 f"{axis}", call.loc, hint="index tensors with sums of block/loop variables times "
                                 "constants (by * block_M + k * block_K); // and % need a constant divisor") from None
            size = dims[axis]
            if rank >= 2 and axis >= rank - 2 and lo >= 0 and hi < size and hi + ext > size:  # noqa: PLR2004
                # a partial last block (the tensor ends on a tile boundary: checked by InferTTLayout)
                if self._reduces:
                    raise self.error(f"T.copy region of {tensor.buffer.name} has a partial last block on axis {axis} "
                                     f"(blocks of {ext} over {size} elements) in a kernel with T.reduce_*: the "
                                     "zero padding of the partial block would take part in the reduction", call.loc,
                                     hint=f"use a block size that divides {size} on this axis")
                view_axis = 0 if axis == rank - 2 else 1  # rows / columns of the tensor's 2-D page grid
                key = A.buffer_key(tensor.buffer.name)
                attrs[key] = tinfo = {**tinfo, "partial": sorted({*tinfo.get("partial", []), view_axis})}
                continue
            if lo < 0 or hi + ext > size:
                raise self.error(f"T.copy region {tensor.buffer.name}[{lo}:{hi + ext}] on axis {axis} is outside the "
                                 f"tensor of shape {tuple(dims)}", call.loc,
                                 hint="check the T.Kernel grid and the block sizes against the tensor shape")
        info = onchip.get(local.buffer)
        if info is None:
            raise self.error(f"T.copy uses {local.buffer.name}, which is not allocated in the kernel", call.loc)
        if tinfo["sharding"] is not None:
            info["local"] = True
        if local is dst:
            if local.buffer.dtype != tensor.buffer.dtype:
                raise self.error(f"T.copy from {tensor.buffer.name} ({tensor.buffer.dtype}) into "
                                 f"{local.buffer.name} ({local.buffer.dtype}) would convert data in the reader",
                                 call.loc, hint="stage tensors in an on-chip buffer of the tensor's dtype")
        else:
            # The fragment/shared buffer is packed into the output tensor's format.
            info["data_format"] = tinfo["data_format"]
            info["pack_dtype"] = tensor.buffer.dtype
        info["page_size"] = TILE * TILE * dtype_bytes(tensor.buffer.dtype)
