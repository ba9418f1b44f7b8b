"""tt.InferTTLayout — give every kernel tensor a device layout and a role.

Requires: a front-end PrimFunc (one ``KernelLaunch``; tensors only touched through ``tl.copy``).
Produces: ``tt.buffer.<param>`` for every parameter — layout (``tt.layout_annotations`` or DRAM
interleaved), dtype (bfloat16 / float16: ``Float16_b`` / ``Float16`` tiles of 2048-byte pages; float32:
``Float32`` tiles of 4096-byte pages), shape (any rank ≥ 2; the last dimension and the product of the others multiples
of 32), 32×32 tile grid (of
the 2-D row-major view: ``[d0 * … * dn-2 / 32, dn-1 / 32]``, leading dimensions folded into the rows;
a 1-D tensor of n values is a vector: ``vector`` row (stored as a (32, n) tensor, the values in row 0 of
each tile; ``[1, n/32]``) or col (an (n, 32) tensor, values in column 0; ``[n/32, 1]``), the orientation
of the 1-D buffers it is copied to or from), page size/count and the role ``input`` (copied from) or
``output`` (copied to), decided from dataflow only, plus ``layout_loc`` (where ``T.annotate_layout``
requested the layout, from ``tt.layout_locations``) for annotated tensors; ``tt.grid_blocks`` (the
T.Kernel grid).
Rejects (located): a DRAM tensor larger than the device's DRAM, or DRAM tensors that together are
(``ARCH_DRAM_BYTES`` of option ``arch``).
Element gathers (``tl.gather``, TileLang's im2col): the gathered tensor is an input stored row-major
(``page_layout`` ``row_major``: one page per stick of its last dimension, ``num_pages`` = the product of
the leading dimensions, which need not be whole tiles); each gather's ``stick`` (the elements one NOC read
copies) is proved from its index map and padding predicate (:mod:`tt_build.transform._gather`: contiguous
32-element runs, every index inside the tensor where the predicate holds, else a located diagnostic) and
the predicate rewritten for the device's unsigned arithmetic (``h - 1 >= 0`` → ``h >= 1``). A
tensor both gathered and copied by ``T.copy`` is a diagnostic.
Leaves alone: the rest of the body.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import dataclasses

from tt_build.ir import (
    BufferRegion,
    For,
    IRModule,
    KernelLaunch,
    PrimFunc,
    StickGather,
    StmtExprMutator,
    StmtExprVisitor,
    Var,
    dtype_bytes,
)
from tt_build.ir import attrs as A
from tt_build.ir.rowwise import RowwiseError, staged_analysis
from tt_build.transform._analysis import TILE, collect_calls
from tt_build.transform._gather import GatherError, check_unsigned_indices, prove_stick, unsigned_form
from tt_build.transform.base import Pass, PassContext, dram_bytes

if TYPE_CHECKING:
    from tt_build.ir import Stmt

__all__ = ["LAYOUTS", "InferTTLayout", "find_launch"]

#: layout name -> (memory, sharding)
LAYOUTS = {
    "dram_interleaved": ("dram", None),
    "l1_interleaved": ("l1", None),
    "l1_height_sharded": ("l1", "height"),
    "l1_width_sharded": ("l1", "width"),
    "l1_block_sharded": ("l1", "block"),
}

_DATA_FORMAT = {"bfloat16": "Float16_b", "float16": "Float16", "float32": "Float32"}


def find_launch(stmt: Stmt) -> KernelLaunch | None:
    found: list[KernelLaunch] = []

    class V(StmtExprVisitor):
        def visit_KernelLaunch(self, node: KernelLaunch) -> None:  # noqa: N802
            found.append(node)

    V().visit(stmt)
    return found[0] if found else None


class InferTTLayout(Pass):
    name = "tt.InferTTLayout"

    def transform(self, mod: IRModule, ctx: PassContext) -> IRModule:
        return IRModule({n: self._func(f, ctx) for n, f in mod.functions.items()}, dict(mod.attrs), mod.loc)

    def _check_dram(self, f: PrimFunc, attrs: dict, ctx: PassContext) -> None:
        """Tensors in DRAM must fit the device's DRAM, each and all together (checked before any
        later step sizes host or device memory after them)."""
        limit = dram_bytes(ctx)
        arch = ctx.get("arch")
        total = 0
        for p in f.params:
            info = attrs[A.buffer_key(p.name)]
            if info["memory"] != "dram":
                continue
            size = info["num_pages"] * info["page_size"]
            total += size
            if size > limit:
                raise self.error(f"tensor {p.name} ({' x '.join(map(str, p.shape))} {p.dtype}) needs {_gib(size)} "
                                 f"of device DRAM; a {arch} device has {_gib(limit)}", p.loc,
                                 hint="split the problem into smaller kernel calls")
        if total > limit:
            names = ", ".join(p.name for p in f.params if attrs[A.buffer_key(p.name)]["memory"] == "dram")
            raise self.error(f"the DRAM tensors of kernel {f.name} ({names}) need {_gib(total)} together; a {arch} "
                             f"device has {_gib(limit)}", f.loc, hint="split the problem into smaller kernel calls")

    def _func(self, f: PrimFunc, ctx: PassContext) -> PrimFunc:
        launch = find_launch(f.body)
        if launch is None:
            raise self.error(f"kernel {f.name} has no `with T.Kernel(...)` block", f.loc)
        grid = []
        for g in launch.grid:
            value = getattr(g, "value", None)
            if not isinstance(value, int) or value <= 0:
                raise self.error("T.Kernel grid extents must be positive integer constants", launch.loc)
            grid.append(value)
        reads: set[int] = set()
        writes: set[int] = set()
        body, gathered = self._gathers(f.body, launch, grid)
        for call in collect_calls(f.body, "tl."):
            if call.op == "tl.gather":
                continue
            if call.op == "tl.copy":
                src, dst = call.args
                if isinstance(src, BufferRegion) and src.buffer.scope == "global":
                    reads.add(id(src.buffer))
                if isinstance(dst, BufferRegion) and dst.buffer.scope == "global":
                    writes.add(id(dst.buffer))
            else:
                for arg in call.args:
                    buf = arg.buffer if isinstance(arg, BufferRegion) else arg
                    if getattr(buf, "scope", None) == "global":
                        raise self.error(f"{call.op[3:]} cannot use tensor {buf.name} directly", call.loc,
                                         hint="copy a tile block into T.alloc_shared / T.alloc_fragment first")
        try:  # the orientation of 1-D tensors follows the 1-D buffers they are copied to / from
            _, vectors = staged_analysis(f.body)
        except RowwiseError as exc:
            raise self.error(exc.msg, exc.loc, hint=exc.hint) from None
        annotations = f.attrs.get(A.LAYOUT_ANNOTATIONS, {})
        layout_locs = f.attrs.get(A.LAYOUT_LOCATIONS, {})
        attrs = dict(f.attrs)
        for p in f.params:
            if id(p) in gathered and (id(p) in reads or id(p) in writes):
                raise self.error(f"tensor {p.name} is gathered element-wise and also copied by T.copy; a gathered "
                                 "tensor is stored row-major (sticks), a copied one in tiles", p.loc,
                                 hint="pass the tensor twice (two parameters) or gather every access")
            row_major = id(p) in gathered
            if row_major:
                reads.add(id(p))
            if id(p) in reads and id(p) in writes:
                raise self.error(f"tensor {p.name} is both read and written; in-place kernels are not supported",
                                 p.loc, hint="write the result into a separate output tensor")
            if id(p) not in reads and id(p) not in writes:
                raise self.error(f"tensor {p.name} is never read or written by the kernel", p.loc,
                                 hint="remove the unused parameter")
            vector = None
            if len(p.shape) == 1:  # a vector: one tile per 32 values, in row 0 (row) or column 0 (col) of each
                vector = vectors.get(p, "row")  # the orientation of the 1-D buffers it is copied to / from
                if p.shape[0] % TILE:
                    raise self.error(f"tensor {p.name} has {p.shape[0]} values, not a multiple of 32", p.loc,
                                     hint="pad the tensor to a multiple of 32")
            rows = 1 if vector is None else TILE
            for d in p.shape[:-1]:
                rows *= d
            # paged as its 2-D row-major view: the rows (leading dimensions multiplied) and the last dimension
            # must be whole tiles (a block of the tensor itself is checked against its own axes later)
            for dim, what in () if row_major else ((p.shape[-1], f"dimension {p.shape[-1]}"),
                              (rows, f"dimension {p.shape[-2]}" if len(p.shape) == 2  # noqa: PLR2004
                               else f"row count {rows} (the product of its leading dimensions)")):
                if dim % TILE:
                    raise self.error(f"tensor {p.name} {what} is not a multiple of the 32×32 tile", p.loc,
                                     hint="pad the tensor to a multiple of 32")
            layout = annotations.get(p.name, "dram_interleaved")
            memory, shard = LAYOUTS[layout]
            rows = 1
            for d in p.shape[:-1]:  # higher ranks: paged as the 2-D row-major view (leading dims fold into rows)
                rows *= d
            tiles = [rows // TILE, p.shape[-1] // TILE]
            if vector is not None:  # stored as a (32, n) / (n, 32) tensor holding the values in row / column 0
                tiles = [1, p.shape[0] // TILE] if vector == "row" else [p.shape[0] // TILE, 1]
            attrs[A.buffer_key(p.name)] = {
                "role": "input" if id(p) in reads else "output",
                "layout": layout,
                "memory": memory,
                "sharding": shard,
                "dtype": p.dtype,
                "data_format": _DATA_FORMAT[p.dtype],
                "shape": list(p.shape),
                "tile_shape": [TILE, TILE],
                "tiles": tiles,
                "page_size": TILE * TILE * dtype_bytes(p.dtype),
                "num_pages": tiles[0] * tiles[1],
            }
            if row_major:  # read by element gathers: one page per stick (the last dimension), row-major
                if memory != "dram":
                    raise self.error(f"tensor {p.name} is gathered element-wise (row-major sticks in DRAM); the "
                                     f"layout {layout} is not supported for it", p.loc,
                                     hint="leave the gathered tensor DRAM interleaved")
                attrs[A.buffer_key(p.name)].update({
                    "page_layout": "row_major", "tiles": [-(-rows // TILE), -(-p.shape[-1] // TILE)],
                    "page_size": p.shape[-1] * dtype_bytes(p.dtype), "num_pages": rows})
            if p.name in layout_locs:
                attrs[A.buffer_key(p.name)]["layout_loc"] = list(layout_locs[p.name])
            if vector is not None:
                attrs[A.buffer_key(p.name)]["vector"] = vector
        self._check_dram(f, attrs, ctx)
        attrs[A.GRID_BLOCKS] = grid
        return PrimFunc(f.name, f.params, body, attrs, f.loc)

    def _gathers(self, body: Stmt, launch: KernelLaunch, grid: list[int]) -> tuple[Stmt, set[int]]:
        """Prove the run length of every element gather (``stick``) and collect the gathered tensors."""
        gathered: set[int] = set()
        ranges: dict[Var, tuple[int, int]] = {v: (0, n - 1) for v, n in zip(launch.block_vars, grid)}
        pass_ = self

        class M(StmtExprMutator):
            def visit_For(self, node: For) -> Stmt:  # noqa: N802
                lo, n = getattr(node.min, "value", None), getattr(node.extent, "value", None)
                if isinstance(lo, int) and isinstance(n, int) and n > 0:
                    ranges[node.var] = (lo, lo + n - 1)
                return self.generic_visit(node)

            def visit_StickGather(self, node: StickGather) -> StickGather:  # noqa: N802
                try:
                    stick = prove_stick(node, ranges)
                    check_unsigned_indices(node)
                    pred = unsigned_form(node.pred)
                except GatherError as exc:
                    raise pass_.error(exc.msg, node.loc, hint=exc.hint) from None
                gathered.add(id(node.src))
                return dataclasses.replace(node, stick=stick, pred=pred)

        return M().visit(body), gathered


def _gib(n: int) -> str:
    return f"{n / 1024**3:.2f} GiB ({n:,} bytes)"


