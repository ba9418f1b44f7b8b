"""tt.LayoutAwareWorkPartitionTT — assign the kernel's output blocks to Tensix cores.

Requires: ``tt.grid_blocks`` and ``tt.buffer.<param>`` (InferTTLayout); option ``device_grid`` (else the
grid of option ``arch``: ``wormhole_b0`` 8×8, ``blackhole`` 13×10).
Produces: ``tt.partition_mode`` (``local_shard`` when any tensor is L1-sharded, else ``global``),
``tt.work_partition`` (per core ``{core: [x, y], start, count}``: contiguous block ranges in
row-major block order, counts differing by at most one; in ``local_shard`` mode every core owns an
equal shard), ``tt.core_grid``, ``tt.core_ranges``, ``tt.grid_tiles`` and ``tt.device_grid``.
Cores are numbered row-major over the device grid: core ``c`` is ``(c % grid_x, c // grid_x)``.
Leaves alone: the body.
"""

from __future__ import annotations

from typing import Any

from tt_build.errors import SourceLocation
from tt_build.ir import IRModule, PrimFunc
from tt_build.ir import attrs as A
from tt_build.transform.base import ARCH_GRIDS, Pass, PassContext

__all__ = ["LayoutAwareWorkPartitionTT", "core_ranges", "partition"]


def partition(total: int, ncores: int) -> list[tuple[int, int]]:
    """Split ``total`` blocks into ``ncores`` contiguous (start, count) ranges, balanced within 1."""
    q, r = divmod(total, ncores)
    out = []
    start = 0
    for c in range(ncores):
        n = q + (1 if c < r else 0)
        out.append((start, n))
        start += n
    return out


def core_ranges(cores: list[tuple[int, int]], grid_x: int) -> list[list[list[int]]]:
    """Cover row-major-numbered cores with inclusive rectangles (full rows, then the partial row)."""
    n = len(cores)
    full_rows, rem = divmod(n, grid_x)
    ranges = []
    if full_rows:
        ranges.append([[0, 0], [grid_x - 1, full_rows - 1]])
    if rem:
        ranges.append([[0, full_rows], [rem - 1, full_rows]])
    return ranges


class LayoutAwareWorkPartitionTT(Pass):
    name = "tt.LayoutAwareWorkPartitionTT"

    def transform(self, mod: IRModule, ctx: PassContext) -> IRModule:
        return IRModule({n: self._func(f, ctx) for n, f in mod.functions.items()}, dict(mod.attrs), mod.loc)

    def _func(self, f: PrimFunc, ctx: PassContext) -> PrimFunc:
        grid_opt = ctx.get("device_grid")
        if grid_opt is None:
            arch = ctx.get("arch")
            if arch not in ARCH_GRIDS:
                raise self.error(f"unknown architecture {arch!r}", hint=f"arch is one of {', '.join(ARCH_GRIDS)}")
            grid_opt = ARCH_GRIDS[arch]
        gx, gy = (int(v) for v in grid_opt)
        if gx <= 0 or gy <= 0:
            raise self.error(f"device grid {gx}x{gy} is empty")
        grid = f.attrs[A.GRID_BLOCKS]
        total = 1
        for g in grid:
            total *= g
        tensors = [f.attrs[A.buffer_key(p.name)] for p in f.params]
        sharded = [t for t in tensors if t["sharding"] is not None]
        mode = "local_shard" if sharded else "global"
        ncores = min(total, gx * gy)
        if mode == "local_shard" and total % ncores:
            where = sharded[0].get("layout_loc")
            loc = SourceLocation(*where) if where else f.loc
            raise self.error(f"{total} output blocks cannot be sharded evenly over {ncores} cores", loc,
                             hint="choose a block size that divides the grid evenly, or use an interleaved layout")
        parts = partition(total, ncores)
        cores = [(c % gx, c // gx) for c in range(ncores)]
        work: list[dict[str, Any]] = [
            {"core": [x, y], "start": s, "count": n} for (x, y), (s, n) in zip(cores, parts)
        ]
        out_tiles = next(t["tiles"] for t in tensors if t["role"] == "output")
        attrs = dict(f.attrs)
        attrs[A.DEVICE_GRID] = [gx, gy]
        attrs[A.PARTITION_MODE] = mode
        attrs[A.WORK_PARTITION] = work
        attrs[A.CORE_GRID] = [min(ncores, gx), (ncores + gx - 1) // gx]
        attrs[A.CORE_RANGES] = core_ranges(cores, gx)
        attrs[A.GRID_TILES] = list(out_tiles)
        return PrimFunc(f.name, f.params, f.body, attrs, f.loc)
