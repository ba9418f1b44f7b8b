"""Parser: element gathers — a ``T.Parallel`` store that reads a kernel tensor at computed indices, the
im2col of TileLang's convolution::

    for i, j in T.Parallel(block_M, block_K):
        ...index temporaries of i, j, the block and loop variables...
        data_shared[i, j] = T.if_then_else(in_bound, data[n, h, w, c], 0)

A tensor element read inside ``T.Parallel`` is a :class:`TensorElement` until the store takes it; the only
accepted forms are the element itself and ``T.if_then_else(<index condition>, element, 0)`` (either
branch order), stored as the whole value into a ``T.alloc_shared`` block of the same dtype, as the only
store of its loop. The store becomes

    Allocate(<dst>_rm, [tl.gather(StickGather(data → <dst>_rm)), tl.tilize(<dst>_rm, <dst>)])

— the reader assembles the row-major block ``<dst>_rm`` from sticks of the tensor, compute tilizes it
into ``<dst>`` (see :mod:`tt_build.transform._gather`). Anything else reading a tensor element is a
located diagnostic.
"""

from __future__ import annotations

import ast
from typing import Any

from tt_build.ir.nodes import Allocate, Buffer, BufferLoad, Call, Evaluate, Expr, IntImm, SeqStmt, StickGather, seq
from tt_build.language._parse_base import ParserBase, TensorElement, _is_int, _is_number

_GATHER_HINT = ("a tensor element read inside T.Parallel is an element gather (im2col): store it as is, or as "
                "T.if_then_else(<index condition>, tensor[...], 0), into a T.alloc_shared block "
                "(`data_shared[i, j] = T.if_then_else(in_bound, data[n, h, w, c], 0)`); compute on the block "
                "after the loop")


def is_tensor_element(v: Any) -> bool:
    return isinstance(v, TensorElement)


class GatherMixin(ParserBase):
    def tensor_element(self, base: Buffer, node: ast.Subscript) -> TensorElement:
        elts = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
        if len(elts) != len(base.shape):
            self.error(f"tensor {base.name} has {len(base.shape)} dimensions but `{self.text(node)}` gives "
                       f"{len(elts)} indices", node, "index every dimension of the tensor")
        idx: list[Expr] = []
        for e in elts:
            if isinstance(e, ast.Slice):
                self.error(f"slices are not supported in a T.Parallel body: `{self.text(node)}`", e,
                           "index every dimension with an index expression")
            v = self.eval(e)
            if _is_int(v):
                v = IntImm(v, loc=self.loc(e))
            if not self.is_index_value(v):  # type: ignore[attr-defined]
                self.error(f"`{self.text(e)}` is not an index expression (of the loop and block variables)", e,
                           "tensor indices are integer expressions of the T.Parallel, loop and block variables")
            idx.append(v)
        return TensorElement(BufferLoad(base, tuple(idx), base.dtype, loc=self.loc(node)), None, node)

    def padded_element(self, name: str, cond: Expr, a: Any, b: Any, args: dict[str, ast.AST]) -> TensorElement:
        """``T.if_then_else(cond, X[...], 0)`` (or ``(cond, 0, X[...])``) on an index condition."""
        if is_tensor_element(a) and _is_number(b) and float(b) == 0.0:
            elem, pred = a, cond
        elif is_tensor_element(b) and _is_number(a) and float(a) == 0.0:
            elem, pred = b, self.index_not(cond, args["cond"])  # type: ignore[attr-defined]
        else:
            bad = args["else_value"] if is_tensor_element(a) else args["then_value"]
            self.error(f"the padding value of an element gather must be 0, got `{self.text(bad)}`", bad,
                       f"write {name}(in_bound, tensor[...], 0): the reader fills the padding with zeros")
        if elem.pred is not None:
            self.error(f"{name} of an already padded tensor element", args["cond"],
                       "combine the conditions with `and` in one T.if_then_else")
        return TensorElement(elem.load, pred, elem.node)

    def no_tensor_element(self, v: Any, node: ast.AST) -> None:
        if is_tensor_element(v):
            self.error(f"tensor element `{self.text(v.node)}` cannot be computed with inside T.Parallel", v.node,
                       _GATHER_HINT)

    def gather_store(self, buf: Buffer, target: ast.Subscript, value: TensorElement, s: ast.stmt,
                     aug: str | None) -> Any:
        src = value.load.buffer
        if aug is not None:
            self.error(f"`{self.text(target)} {aug}= ...` of a tensor element: an element gather stores the "
                       "element as is", s, _GATHER_HINT)
        if buf.scope != "shared":
            self.error(f"an element gather of tensor {src.name} fills a T.alloc_shared block; {buf.name} is a "
                       f"{buf.scope}", target, f"gather into a T.alloc_shared block and T.copy / T.gemm from it")
        loop_vars = [v for v, _ in self.parallel]
        if len(loop_vars) != 2 or len(buf.shape) != 2:  # noqa: PLR2004
            self.error(f"an element gather fills a 2-D block with `for i, j in T.Parallel(rows, cols)`; "
                       f"{buf.name} is {len(buf.shape)}-D in a {len(loop_vars)}-D loop", target)
        self.parallel_indices(buf, target, writing=True)  # type: ignore[attr-defined]
        if src.dtype != buf.dtype:
            self.error(f"the element gather from {src.name} ({src.dtype}) into {buf.name} ({buf.dtype}) would convert "
                       "data in the reader", target, f"declare {buf.name} as {src.dtype}")
        loc = self.loc(s)
        name, n = f"{buf.name}_rm", 0
        while name in self.buffer_names or self.lookup(name) is not None:
            n += 1
            name = f"{buf.name}_rm{n}"
        rm = Buffer(name, tuple(buf.shape), buf.dtype, "shared", loc=loc)
        self.buffer_names[name] = rm
        g = StickGather(src, rm, tuple(loop_vars), value.load.indices, value.pred, loc=self.loc(value.node))
        return Allocate(rm, seq(Evaluate(Call("tl.gather", (g,), loc=loc), loc=loc),
                                Evaluate(Call("tl.tilize", (rm, buf), loc=loc), loc=loc)), loc=loc)


def is_gather(stmt: Any) -> bool:
    """True for the statement :meth:`GatherMixin.gather_store` returns."""
    return isinstance(stmt, Allocate) and isinstance(stmt.body, SeqStmt) and any(
        isinstance(x, Evaluate) and isinstance(x.value, Call) and x.value.op == "tl.gather" for x in stmt.body.stmts)


__all__ = ["GatherMixin", "TensorElement", "is_gather", "is_tensor_element"]
