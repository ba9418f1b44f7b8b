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
Leaves alone: the body.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tt_build.ir import BufferRegion, IRModule, KernelLaunch, PrimFunc, StmtExprVisitor, dtype_bytes
from tt_build.ir import attrs as A
from tt_build.ir.rowwise import RowwiseError, staged_analysis
from tt_build.transform._analysis import TILE, collect_calls
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
        for call in collect_calls(f.body, "tl."):
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
            for dim, what in ((p.shape[-1], f"dimension {p.shape[-1]}"),
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
            if p.name in layout_locs:
                attrs[A.buffer_key(p.name)]["layout_loc"] = list(layout_locs[p.name])
            if vector is not None:
                attrs[A.buffer_key(p.name)]["vector"] = vector
        self._check_dram(f, attrs, ctx)
        attrs[A.GRID_BLOCKS] = grid
        return PrimFunc(f.name, f.params, f.body, attrs, f.loc)


def _gib(n: int) -> str:
    return f"{n / 1024**3:.2f} GiB ({n:,} bytes)"


