"""Parser: tensor views — ``X_flat = T.Tensor(shape, dtype, X.data)``, a reshape of a kernel parameter (as
TileLang's convolution example flattens its filter and output).

The device stores a tensor of any rank as the 2-D row-major view of its ``(d0 · … · dn-2) × dn-1``
elements (see :func:`tt_build.transform._analysis.flat_region`), so a view that keeps the last dimension
is the same pages. A ``T.copy`` block of a view becomes a region of the parameter itself given in those
2-D coordinates (two starts and extents for a tensor of rank > 2): no new buffer, no copy.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from tt_build.ir.nodes import Buffer, Expr, IntImm
from tt_build.language._parse_base import _REQ, ParserBase, _fmt_shape, _Operand


@dataclass(frozen=True)
class DataRef:
    """What ``X.data`` evaluates to: the storage of kernel tensor ``X``."""

    buffer: Buffer


@dataclass(frozen=True)
class View:
    """A reshape of a kernel tensor: ``base`` seen with ``shape`` (same dtype, same last dimension)."""

    base: Buffer
    shape: tuple[int, ...]
    name: str


class ViewMixin(ParserBase):
    def tensor_view(self, node: ast.Call) -> View:
        args = self.bind(node, "T.Tensor", [("shape", _REQ), ("dtype", "bfloat16"), ("data", _REQ)])
        data_node = self.arg_node(args["data"], node)
        ref = self.eval(data_node)
        if not isinstance(ref, DataRef):
            self.error(f"the data of a T.Tensor view must be a kernel tensor's .data, got `{self.text(data_node)}`",
                       data_node, "write `X_flat = T.Tensor((rows, cols), dtype, X.data)` with X a kernel parameter")
        base = ref.buffer
        shape = self.shape(args["shape"], node, f"the view of {base.name}", rank=None, tile_aligned=False)  # type: ignore[attr-defined]
        dtype = self.dtype(args["dtype"], node)  # type: ignore[attr-defined]
        if dtype != base.dtype:
            self.error(f"a view of {base.name} ({base.dtype}) cannot have dtype {dtype}", node,
                       "a view reinterprets the shape, not the element type")
        n = 1
        for d in shape:
            n *= d
        total = 1
        for d in base.shape:
            total *= d
        if n != total:
            self.error(f"a view of {base.name} {_fmt_shape(base.shape)} must have {total} elements; "
                       f"{_fmt_shape(shape)} has {n}", node)
        if len(shape) < 2 or shape[-1] != base.shape[-1]:  # noqa: PLR2004
            self.error(f"a view {_fmt_shape(shape)} of {base.name} {_fmt_shape(base.shape)} must keep its last "
                       f"dimension ({base.shape[-1]})", node,
                       "the device stores a tensor as rows of its last dimension: merge or split the leading "
                       "dimensions only, e.g. (N * H * W, C) for an (N, H, W, C) tensor")
        return View(base, tuple(shape), "")

    def view_operand(self, view: View, node: ast.Subscript, role: str) -> _Operand:
        """A ``T.copy`` operand indexing a view: the parameter's region in 2-D view coordinates."""
        elts = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
        shape = view.shape
        if len(elts) != len(shape):
            self.error(f"the view {self.text(node.value)} is {len(shape)}-D but `{self.text(node)}` has {len(elts)} "
                       f"ind{'ices' if len(elts) != 1 else 'ex'}", node)
        starts: list[Expr] = []
        extents: list[int | None] = []
        for e in elts:
            if isinstance(e, ast.Slice):
                lo = self.index(e.lower) if e.lower is not None else IntImm(0)  # type: ignore[attr-defined]
                if e.upper is None or e.step is not None:
                    self.error("a slice of a view needs an explicit end and no step", e)
                hi = self.index(e.upper)  # type: ignore[attr-defined]
                from tt_build.language._parse_base import _const_difference  # noqa: PLC0415

                ext = _const_difference(hi, lo)
                if ext is None or ext <= 0:
                    self.error(f"the extent of slice `{self.text(e)}` must be a positive compile-time constant", e)
                starts.append(lo)
                extents.append(ext)
            else:
                starts.append(self.index(e))  # type: ignore[attr-defined]
                extents.append(None)
        # leading view dimensions (all but the last two) take one index each: fold them into the row
        row: Expr = starts[-2]
        stride = shape[-2]
        for d in range(len(shape) - 3, -1, -1):
            if extents[d] not in (None, 1):
                self.error(f"a block of the view {self.text(node.value)} takes one index in each leading dimension",
                           node)
            row = starts[d] * IntImm(stride) + row
            stride *= shape[d]
        kind = "point" if extents[-1] is None and extents[-2] is None else "slice"
        if kind == "slice" and (extents[-1] is None or extents[-2] is None):
            self.error(f"`{self.text(node)}` mixes a start index and a slice in the last two dimensions", node)
        base = view.base
        if len(base.shape) == 2:  # noqa: PLR2004 - the view's 2-D coordinates are the tensor's own
            return _Operand(base, node, kind, (row, starts[-1]), None if kind == "point" else
                            (int(extents[-2]), int(extents[-1])))  # type: ignore[arg-type]
        return _Operand(base, node, kind, (row, starts[-1]), None if kind == "point" else
                        (int(extents[-2]), int(extents[-1])), view2d=True)  # type: ignore[arg-type]
