"""Parser: tile statements — T.copy (regions, bounds), T.gemm, T.clear, T.fill, T.annotate_layout.
"""

from __future__ import annotations

import ast
import difflib
from typing import Any

from tt_build.ir.nodes import (
    Allocate,
    Buffer,
    BufferLoad,
    BufferRegion,
    Call,
    Evaluate,
    Expr,
    FloatImm,
    IntImm,
    Stmt,
    StringImm,
    seq,
)
from tt_build.language import _surface as S
from tt_build.language._parse_views import View
from tt_build.transform._analysis import guarded_range, view_dims
from tt_build.language._parse_base import (
    _REQ,
    ParserBase,
    _const_difference,
    _Default,
    _fmt_shape,
    _is_int,
    _is_number,
    _is_static,
    _linear,
    _Operand,
)


def _squeeze_leading(extents: tuple[int, ...], rank: int) -> tuple[int, ...]:
    """``extents`` without the leading extent-1 dimensions beyond ``rank`` (a block of a batched tensor)."""
    extents = tuple(extents)
    while len(extents) > rank and extents[0] == 1:
        extents = extents[1:]
    return extents


def _leading_points(slices: list[bool]) -> bool:
    """True when the single indices come first and the slices after them (A[b, r0:r1, c0:c1])."""
    first = slices.index(True) if True in slices else len(slices)
    return all(slices[first:])


class CopyMixin(ParserBase):
    # ------------------------------------------------------------------ T.copy

    def copy(self, call: ast.Call) -> Call:
        args = self.bind(call, "T.copy", [("src", _REQ), ("dst", _REQ)],
                         ignored=("coalesced_width", "disable_tma", "eviction_policy"))
        src = self.copy_operand(args["src"], "source")
        dst = self.copy_operand(args["dst"], "destination")
        glob = [o for o in (src, dst) if o.buffer.scope == "global"]
        if len(glob) == 2:
            return self.tensor_copy(call, src, dst)  # type: ignore[return-value]
        if not glob:
            if src.buffer.shape != dst.buffer.shape:
                self.error(f"shape mismatch in T.copy: buffer {_fmt_shape(src.buffer.shape)} vs buffer "
                           f"{_fmt_shape(dst.buffer.shape)}", call,
                           f"{src.buffer.name} is {_fmt_shape(src.buffer.shape)} and {dst.buffer.name} is "
                           f"{_fmt_shape(dst.buffer.shape)}; on-chip copies move whole buffers of the same shape")
            regions = [BufferRegion(o.buffer, tuple(IntImm(0, loc=self.loc(o.node)) for _ in o.buffer.shape),
                                    tuple(o.buffer.shape), loc=self.loc(o.node)) for o in (src, dst)]
            return Call("tl.copy", tuple(regions), loc=self.loc(call))
        g = glob[0]
        return self.region_copy(call, g, dst if g is src else src, g is src)

    def tensor_copy(self, call: ast.Call, src: _Operand, dst: _Operand) -> Allocate:
        """T.copy tensor → tensor: staged through an internal L1 block (the reader fills it, the writer drains
        it; compute is not involved). Both regions are 2-D blocks of whole tiles of the same shape."""
        shapes = []
        for op in (src, dst):
            if op.kind == "point":
                self.error(f"a tensor → tensor T.copy needs the extent of {op.buffer.name}'s region", op.node,
                           "give it by slices (A[r0:r1, c0:c1]) or copy the whole tensor")
            ext = tuple(op.buffer.shape) if op.kind == "whole" else tuple(op.extents or ())
            shapes.append(_squeeze_leading(ext, 2))
        if shapes[0] != shapes[1] or len(shapes[0]) != 2:  # noqa: PLR2004
            self.error(f"shape mismatch in T.copy: region {_fmt_shape(shapes[0])} of {src.buffer.name} vs region "
                       f"{_fmt_shape(shapes[1])} of {dst.buffer.name}", call,
                       "a tensor → tensor copy moves one 2-D block: both regions need the same rows × cols")
        if src.buffer.dtype != dst.buffer.dtype:
            self.error(f"T.copy from {src.buffer.name} ({src.buffer.dtype}) to {dst.buffer.name} ({dst.buffer.dtype}) "
                       "would convert data between tensors", call, "copy between tensors of the same dtype")
        for n in shapes[0]:
            if n % 32:
                self.error(f"a tensor → tensor T.copy moves whole 32×32 tiles; the region is {_fmt_shape(shapes[0])}",
                           call)
        loc = self.loc(call)
        stage = self.internal_buffer(f"{dst.buffer.name}_stage", shapes[0], src.buffer.dtype, "shared", loc)
        stage_op = _Operand(stage, call, "whole")
        first = self.region_copy(call, src, stage_op, True)
        second = self.region_copy(call, dst, stage_op, False)
        return Allocate(stage, seq(Evaluate(first, loc=loc), Evaluate(second, loc=loc)), loc=loc)

    def region_copy(self, call: ast.Call, g: _Operand, o: _Operand, g_is_src: bool) -> Call:
        """T.copy between the tensor operand ``g`` and the on-chip operand ``o``."""
        tensor = g.buffer
        if g.kind == "whole":
            starts = tuple(IntImm(0, loc=self.loc(g.node)) for _ in tensor.shape)
            extents = tuple(tensor.shape)
        elif g.kind == "point" and g.view2d:
            starts = g.starts
            extents = tuple(o.buffer.shape)[-2:] if len(o.buffer.shape) >= 2 else (1, o.buffer.shape[0])  # noqa: PLR2004
        elif g.kind == "point":
            if len(g.starts) < len(o.buffer.shape):
                self.error(f"T.copy region {tensor.name}[...] has {len(g.starts)} indices but {o.buffer.name} is "
                           f"{len(o.buffer.shape)}-D", g.node,
                           "give the start index of the block in every dimension of the tensor")
            starts = g.starts
            # a block of a higher-rank tensor: one index in each leading dimension (A[bz, r, c])
            extents = (1,) * (len(starts) - len(o.buffer.shape)) + tuple(o.buffer.shape)
        else:
            starts = g.starts
            assert g.extents is not None
            extents = g.extents
        if _squeeze_leading(extents, len(o.buffer.shape)) != tuple(o.buffer.shape):
            self.error(f"shape mismatch in T.copy: region {_fmt_shape(extents)} vs buffer {_fmt_shape(o.buffer.shape)}",
                       g.node, f"the region of {tensor.name} must have the shape of {o.buffer.name} "
                       f"({_fmt_shape(o.buffer.shape)})")
        dims = view_dims(tensor.shape, len(starts))  # the coordinates the region is given in
        for d, (st, ext) in enumerate(zip(starts, extents)):
            b = self.bounds(st)
            if self.guards:  # inside `if` on indices: only the blocks the conditions let through
                rng = guarded_range(st, self.ranges, self.guards)
                if rng is not None:
                    b = (rng[0], rng[1], {})
            if b is None:
                continue
            lo, hi, at_max = b
            # a partial last block: on the two tiled axes a block may run past the end of the tensor when every
            # block starts inside it and the tensor ends on a tile boundary (the reader zero-pads it in L1, the
            # writer skips the tiles outside: LowerCBIntrinsics)
            lin = _linear(st) or {}
            aligned = all(c % 32 == 0 for c in lin.values())
            partial_ok = (len(dims) >= 2 and d >= len(dims) - 2 and aligned and lo >= 0 and hi < dims[d]
                          and dims[d] % 32 == 0)
            if lo < 0 or (hi + ext > dims[d] and not partial_ok):
                where = ", ".join(f"{k}={v}" for k, v in at_max.items())
                self.error(f"T.copy region of {tensor.name} is out of bounds in dimension {d}: it covers "
                           f"{lo}..{hi + ext - 1} but the tensor has {dims[d]}"
                           + (f" (at {where})" if where and hi + ext > dims[d] else ""), g.node,
                           "every block must start inside the tensor: check the grid/loop extents against the "
                           "tensor shape (a last block may be partial only on the two tiled axes of a tensor whose "
                           "extents are multiples of 32)")
        region = BufferRegion(tensor, tuple(starts), tuple(extents), loc=self.loc(g.node))
        full = BufferRegion(o.buffer, tuple(IntImm(0, loc=self.loc(o.node)) for _ in o.buffer.shape),
                            tuple(o.buffer.shape), loc=self.loc(o.node))
        pair = (region, full) if g_is_src else (full, region)
        return Call("tl.copy", pair, loc=self.loc(call))

    def bounds(self, e: Expr) -> tuple[int, int, dict[str, int]] | None:
        """[min, max] of an integer-linear start index over the ranges of the block and loop variables, and
        the variable values reaching the maximum (None when the index is not linear)."""
        lin = _linear(e)
        if lin is None:
            return None
        lo = hi = lin.get(None, 0)
        at_max: dict[str, int] = {}
        for v, c in lin.items():
            if v is None or c == 0:
                continue
            if v not in self.ranges:
                return None
            vlo, vhi = self.ranges[v]
            lo += c * (vlo if c > 0 else vhi)
            hi += c * (vhi if c > 0 else vlo)
            at_max[v.name] = vhi if c > 0 else vlo
        return lo, hi, at_max

    def copy_operand(self, node: ast.AST, role: str) -> _Operand:
        if isinstance(node, _Default):  # pragma: no cover - both operands are required
            raise AssertionError
        if isinstance(node, ast.Name) and self.lookup(node.id) is None:
            close = difflib.get_close_matches(node.id, list(self.buffer_names), n=1)
            self.error(f"T.copy {role} '{node.id}' is not a defined buffer", node,
                       (f"did you mean '{close[0]}'? " if close else "") +
                       "buffers are the kernel's T.Tensor parameters and names assigned from "
                       "T.alloc_shared/T.alloc_fragment")
        if isinstance(node, ast.Subscript):
            base = self.eval(node.value)
            if isinstance(base, View):
                return self.view_operand(base, node, role)  # type: ignore[attr-defined]
            if not isinstance(base, Buffer):
                self.error(f"T.copy {role} must be a buffer or a tensor region, got `{self.text(node)}`", node)
            if base.scope != "global":
                self.error(f"the on-chip operand {base.name} of T.copy must be a whole buffer, not a region", node,
                           f"write `{base.name}`; only tensor operands are given by a start index or slices")
            elts = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
            slices = [isinstance(e, ast.Slice) for e in elts]
            if len(elts) != len(base.shape):
                self.error(f"tensor {base.name} is {len(base.shape)}-D but `{self.text(node)}` has {len(elts)} "
                           f"ind{'ices' if len(elts) != 1 else 'ex'}", node)
            if all(slices) or (any(slices) and _leading_points(slices)):
                starts, extents = [], []
                for d, e in enumerate(elts):
                    if not isinstance(e, ast.Slice):  # a point index in a leading dimension: extent 1
                        starts.append(self.index(e))
                        extents.append(1)
                        continue
                    if e.step is not None:
                        step = self.eval(e.step)
                        if step != 1:
                            self.error("strided slices are not supported in T.copy", e.step)
                    lo = self.index(e.lower) if e.lower is not None else IntImm(0, loc=self.loc(e))
                    hi = self.index(e.upper) if e.upper is not None else IntImm(base.shape[d], loc=self.loc(e))
                    ext = _const_difference(hi, lo)
                    if ext is None:
                        self.error(f"the extent of slice `{self.text(e)}` of {base.name} must be a compile-time "
                                   "constant", e, "write `A[r:r + rows, c:c + cols]` with constant rows/cols")
                    if ext <= 0:
                        self.error(f"slice `{self.text(e)}` of {base.name} is empty", e)
                    starts.append(lo)
                    extents.append(ext)
                return _Operand(base, node, "slice", tuple(starts), tuple(extents))
            if any(slices):
                self.error(f"`{self.text(node)}` mixes start indices and slices", node,
                           "give either the start index of every dimension (A[r, c]) or a slice for every "
                           "dimension (A[r:r + rows, c:c + cols]); single indices are allowed only in the leading "
                           "(batch) dimensions, before the sliced ones (A[b, r:r + rows, c:c + cols])")
            return _Operand(base, node, "point", tuple(self.index(e) for e in elts))
        v = self.eval(node)
        if not isinstance(v, Buffer):
            shown = self.text(node)
            self.error(f"T.copy {role} must be a buffer or a tensor region, got `{shown}` "
                       f"({type(v).__name__ if _is_static(v) else 'a scalar expression'})", node)
        return _Operand(v, node, "whole")

    def index(self, node: ast.AST) -> Expr:
        v = self.eval(node)
        if _is_int(v):
            return IntImm(v, loc=self.loc(node))
        if isinstance(v, Expr) and v.dtype == "int32" and not isinstance(v, BufferLoad):
            return v
        if isinstance(v, Buffer):
            self.error(f"buffer {v.name} cannot be used as an index", node)
        self.error(f"index `{self.text(node)}` must be an integer expression of block/loop variables and constants",
                   node)

    # ------------------------------------------------------------------ T.gemm / clear / fill

    def onchip(self, arg: Any, call: ast.Call, fname: str, what: str) -> Buffer:
        node = self.arg_node(arg, call)
        v = self.eval(node)
        if not isinstance(v, Buffer):
            self.error(f"{fname} {what} must be an on-chip buffer, got `{self.text(node)}`", node)
        if v.scope == "global":
            self.error(f"{fname} operates on on-chip buffers; {v.name} is a kernel tensor", node,
                       "copy the data into a T.alloc_shared/T.alloc_fragment buffer with T.copy first")
        return v

    def gemm(self, call: ast.Call) -> Call:
        args = self.bind(call, "T.gemm", [("A", _REQ), ("B", _REQ), ("C", _REQ), ("transpose_A", False),
                                          ("transpose_B", False), ("clear_accum", False)],
                         ignored=("policy", "k_pack", "wg_wait"))
        a = self.onchip(args["A"], call, "T.gemm", "operand A")
        b = self.onchip(args["B"], call, "T.gemm", "operand B")
        c = self.onchip(args["C"], call, "T.gemm", "accumulator C")
        flags = []
        for name in ("transpose_A", "transpose_B"):
            v = self.arg_static(args[name])
            if not isinstance(v, (bool, int)) or v not in (0, 1):
                self.error(f"T.gemm {name} must be a constant True/False, got `{self.text(args[name])}`",
                           self.arg_node(args[name], call))
            flags.append(bool(v))
        clear = self.arg_static(args["clear_accum"])
        if clear:
            self.error("T.gemm clear_accum=True is not supported", self.arg_node(args["clear_accum"], call),
                       "call T.clear(C) before the reduction loop instead")
        ta, tb = flags
        m, k = (a.shape[1], a.shape[0]) if ta else a.shape
        k2, n = (b.shape[1], b.shape[0]) if tb else b.shape
        if k != k2 or c.shape != (m, n):
            self.error(f"shape mismatch in T.gemm: {a.name} {_fmt_shape(a.shape)}, {b.name} {_fmt_shape(b.shape)}, "
                       f"{c.name} {_fmt_shape(c.shape)}", call,
                       f"expected (M, K) × (K, N) → (M, N) with transpose_A={ta}, transpose_B={tb}")
        loc = self.loc(call)
        self.gemm_accs.add(c)
        if ta:  # the matrix engine transposes B tiles only: A is transposed first (transpose_tile) into L1
            if a.scope != "shared":
                self.error(f"T.gemm(transpose_A=True) reads A from a T.alloc_shared block; {a.name} is a {a.scope}",
                           self.arg_node(args["A"], call))
            a_t = self.internal_buffer(f"{a.name}_T", (a.shape[1], a.shape[0]), a.dtype, "shared", loc)
            frag = Buffer(f"{a_t.name}_frag", a_t.shape, a.dtype, "fragment", loc=loc)
            self.buffer_names[frag.name] = frag
            full = [BufferRegion(x, tuple(IntImm(0) for _ in x.shape), tuple(x.shape), loc=loc) for x in (frag, a_t)]
            mm = Call("tl.gemm", (a_t, b, c, IntImm(0, "bool", loc=loc), IntImm(int(tb), "bool", loc=loc)), loc=loc)
            body = seq(Evaluate(Call("tl.transpose", (a, frag), loc=loc), loc=loc),
                       Evaluate(Call("tl.copy", tuple(full), loc=loc), loc=loc), Evaluate(mm, loc=loc))
            return Allocate(a_t, Allocate(frag, body, loc=loc), loc=loc)  # type: ignore[return-value]
        return Call("tl.gemm", (a, b, c, IntImm(int(ta), "bool", loc=loc), IntImm(int(tb), "bool", loc=loc)), loc=loc)

    def transpose(self, call: ast.Call) -> Stmt:
        """``T.transpose(src, dst)``: ``tl.transpose(src, dst)``; a shared destination is transposed into an
        internal fragment first and packed into it (``tl.copy`` fragment → shared)."""
        args = self.bind(call, "T.transpose", [("src", _REQ), ("dst", _REQ)])
        src = self.onchip(args["src"], call, "T.transpose", "source")
        dst = self.onchip(args["dst"], call, "T.transpose", "destination")
        if len(src.shape) != 2 or tuple(dst.shape) != (src.shape[1], src.shape[0]):  # noqa: PLR2004
            self.error(f"shape mismatch in T.transpose: {src.name} is {_fmt_shape(src.shape)} and {dst.name} is "
                       f"{_fmt_shape(dst.shape)}", call,
                       f"the destination of a transpose of a {_fmt_shape(src.shape)} block is "
                       f"{_fmt_shape(src.shape[::-1])}")
        if src.scope != "shared":
            self.error(f"T.transpose reads a T.alloc_shared block (a CB); {src.name} is a {src.scope}",
                       self.arg_node(args["src"], call), f"T.copy({src.name}, S) into a T.alloc_shared S first")
        loc = self.loc(call)
        if dst.scope == "fragment":
            return Evaluate(Call("tl.transpose", (src, dst), loc=loc), loc=loc)
        frag = self.internal_buffer(f"{dst.name}_t", dst.shape, dst.dtype, "fragment", loc)
        full = [BufferRegion(b, tuple(IntImm(0) for _ in b.shape), tuple(b.shape), loc=loc) for b in (frag, dst)]
        return Allocate(frag, seq(Evaluate(Call("tl.transpose", (src, frag), loc=loc), loc=loc),
                                  Evaluate(Call("tl.copy", tuple(full), loc=loc), loc=loc)), loc=loc)

    def clear(self, call: ast.Call) -> Call:
        args = self.bind(call, "T.clear", [("buffer", _REQ)])
        buf = self.onchip(args["buffer"], call, "T.clear", "argument")
        return Call("tl.fill", (buf, FloatImm(0.0, loc=self.loc(call))), loc=self.loc(call))

    def fill(self, call: ast.Call) -> Call:
        args = self.bind(call, "T.fill", [("buffer", _REQ), ("value", _REQ)])
        buf = self.onchip(args["buffer"], call, "T.fill", "argument")
        v = self.eval(args["value"])
        if not _is_number(v):
            self.error(f"T.fill value must be a constant number, got `{self.text(args['value'])}`", args["value"],
                       "the fill value must fold at compile time")
        return Call("tl.fill", (buf, FloatImm(float(v), loc=self.loc(args["value"]))), loc=self.loc(call))

    # ------------------------------------------------------------------ T.reduce_*

    def reduce(self, call: ast.Call, kind: str) -> Call:
        fname = f"T.reduce_{kind}"
        args = self.bind(call, fname, [("buffer", _REQ), ("out", _REQ), ("dim", -1), ("clear", True)])
        src = self.onchip(args["buffer"], call, fname, "source")
        if src in self.gemm_accs:
            self.error(f"{fname} cannot read the T.gemm accumulator {src.name} (it lives in DST)",
                       self.arg_node(args["buffer"], call),
                       f"T.copy({src.name}, S) into a T.alloc_shared buffer S first and reduce S")
        dst = self.onchip(args["out"], call, fname, "destination")
        dim = self.arg_static(args["dim"])
        dim_node = self.arg_node(args["dim"], call)
        if not _is_int(dim) or dim not in (-1, 0, 1):
            self.error(f"{fname} dim must be 0, 1 or -1, got `{self.text(dim_node)}`", dim_node,
                       "dim=1 (or -1) reduces each row to one value, dim=0 each column")
        dim = 1 if dim == -1 else dim
        clear = self.arg_static(args["clear"])
        if not isinstance(clear, (bool, int)) or clear not in (0, 1):
            node = self.arg_node(args["clear"], call)
            self.error(f"{fname} clear must be a constant True/False, got `{self.text(node)}`", node)
        if len(src.shape) != 2:  # noqa: PLR2004
            self.error(f"{fname} reduces a 2-D block; {src.name} is {_fmt_shape(src.shape)}",
                       self.arg_node(args["buffer"], call))
        if len(dst.shape) != 1 or dst.scope != "fragment":
            self.error(f"{fname} writes a 1-D T.alloc_fragment; {dst.name} is a {len(dst.shape)}-D {dst.scope} buffer",
                       self.arg_node(args["out"], call),
                       f"allocate it as T.alloc_fragment(({src.shape[1 - dim]},), \"float\")")
        if dst.shape[0] != src.shape[1 - dim]:
            what = "row" if dim == 1 else "column"
            self.error(f"shape mismatch in {fname}: {src.name} is {_fmt_shape(src.shape)}, so dim={dim} gives "
                       f"{src.shape[1 - dim]} values (one per {what}), but {dst.name} holds {dst.shape[0]}",
                       self.arg_node(args["out"], call))
        loc = self.loc(call)
        flags = (IntImm(dim, loc=loc), IntImm(int(bool(clear)), "bool", loc=loc))
        return Call("tl.reduce", (src, dst, StringImm(kind), *flags), loc=loc)

    # ------------------------------------------------------------------ T.annotate_layout

    def annotate_layout(self, call: ast.Call) -> None:
        args = self.bind(call, "T.annotate_layout", [("layouts", _REQ)])
        node = args["layouts"]
        if not isinstance(node, ast.Dict):
            self.error("T.annotate_layout expects a dict literal {tensor: layout}", node,
                       'write `T.annotate_layout({A: "l1_height_sharded"})`')
        for kn, vn in zip(node.keys, node.values):
            if kn is None:
                self.error("**-unpacking is not supported in T.annotate_layout", vn)
            key = self.eval(kn)
            if isinstance(key, Buffer):
                if key.scope != "global":
                    self.error(f"T.annotate_layout applies to kernel tensors; {key.name} is a {key.scope} buffer", kn,
                               "on-chip buffers always live in L1 circular buffers")
                name = key.name
            elif isinstance(key, str) and any(p.name == key for p in self.kernel_params):
                name = key
            else:
                self.error(f"T.annotate_layout key `{self.text(kn)}` is not a kernel tensor", kn,
                           f"keys are kernel parameters: {', '.join(p.name for p in self.kernel_params)}")
            value = self.eval(vn)
            if not isinstance(value, str) or value not in S.SUPPORTED_LAYOUTS:
                self.error(f"unsupported layout {value!r} for tensor {name}" if _is_static(value)
                           else f"unsupported layout `{self.text(vn)}` for tensor {name}", vn,
                           f"supported layouts: {', '.join(S.SUPPORTED_LAYOUTS)}")
            if name in self.layouts and self.layouts[name] != value:
                self.error(f"conflicting layouts for tensor {name}: {self.layouts[name]!r} and {value!r}", vn)
            if name not in self.layouts:
                where = self.loc(vn)
                self.layout_locs[name] = [where.file, where.line, where.col, where.source_line]
            self.layouts[name] = str(value)

