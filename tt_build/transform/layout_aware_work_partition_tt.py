"""tt.LayoutAwareWorkPartitionTT — assign the kernel's output blocks to Tensix cores.

Requires: ``tt.grid_blocks`` and ``tt.buffer.<param>`` (InferTTLayout); option ``device_grid`` (else the
grid of option ``arch``: ``wormhole_b0`` 8×8, ``blackhole`` 13×10).
Produces: ``tt.partition_mode`` (``local_shard`` when any tensor is L1-sharded, else ``global``),
``tt.work_partition`` (per core ``{core: [x, y], start, count}``: contiguous block ranges in
row-major block order, counts differing by at most one; in ``local_shard`` mode every core owns an
equal shard), ``tt.core_grid``, ``tt.core_ranges``, ``tt.grid_tiles`` and ``tt.device_grid``.
Cores are numbered row-major over the device grid: core ``c`` is ``(c % grid_x, c // grid_x)``.

Checks that the ``T.copy`` regions written to each output tensor, over every block of the grid and
every iteration of the enclosing loops that the enclosing runtime ``if`` conditions let through, cover all of its tiles: the host program does not initialise
output tensors, so a tile no block writes would hold whatever the device memory held (a partial
write is therefore a diagnostic, located at the copy into the tensor, not a silently wrong result).
Leaves alone: the body.
"""

from __future__ import annotations

import itertools
from typing import Any

from tt_build.errors import SourceLocation
from tt_build.ir import (
    BinaryOp,
    BufferRegion,
    Call,
    Evaluate,
    For,
    IfThenElse,
    IntImm,
    IRModule,
    KernelLaunch,
    Node,
    PrimFunc,
    Var,
)
from tt_build.ir import attrs as A
from tt_build.transform._analysis import TILE, eval_int, flat_region
from tt_build.transform._shard_plan import block_tiles, plan_local_shard
from tt_build.transform.base import ARCH_GRIDS, Pass, PassContext, l1_budget

__all__ = ["LayoutAwareWorkPartitionTT", "core_ranges", "output_coverage", "partition"]

#: Above this many (block, iteration) combinations for one copy the coverage check is skipped.
_MAX_ENUMERATION = 1 << 20


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
        cx = gx
        shard_shapes: dict[str, tuple[int, int]] = {}
        rects = None
        if mode == "local_shard":
            ncores, cx, shard_shapes, rects = self._shard(f, total, (gx, gy), ctx)
        parts = partition(total, ncores)
        cores = [(c % cx, c // cx) for c in range(ncores)]
        work: list[dict[str, Any]] = [
            {"core": [x, y], "start": s, "count": n} for (x, y), (s, n) in zip(cores, parts)
        ]
        for p, t in zip(f.params, tensors):
            if t["role"] == "output":
                self._check_coverage(f, p.name, t["tiles"])
        out_tiles = next(t["tiles"] for t in tensors if t["role"] == "output")
        attrs = dict(f.attrs)
        for name, shape in shard_shapes.items():
            attrs[A.buffer_key(name)] = {**attrs[A.buffer_key(name)], "shard_shape": list(shape)}
        if rects is not None:
            attrs[A.SHARD_BLOCKS] = {"rect_grid": list(rects[:2]), "blocks_per_core": list(rects[2:])}
        attrs[A.DEVICE_GRID] = [gx, gy]
        attrs[A.PARTITION_MODE] = mode
        attrs[A.WORK_PARTITION] = work
        attrs[A.CORE_GRID] = [min(ncores, cx), (ncores + cx - 1) // cx]
        attrs[A.CORE_RANGES] = core_ranges(cores, cx)
        attrs[A.GRID_TILES] = list(out_tiles)
        return PrimFunc(f.name, f.params, f.body, attrs, f.loc)

    def _shard(self, f: PrimFunc, total: int, device: tuple[int, int],
               ctx: PassContext) -> tuple[int, int, dict[str, tuple[int, int]], tuple[int, int, int, int] | None]:
        """(cores, core-rectangle width, shard shape in tiles per sharded tensor) of a partition that follows
        the shard grids (see ``_shard_plan``), or a diagnostic at the tensor's ``T.annotate_layout`` entry."""
        kinds: dict[str, tuple[str, tuple[int, int]]] = {}
        tiles: dict[str, dict[int, set[tuple[int, int]]]] = {}
        locs: dict[str, SourceLocation | None] = {}
        for p in f.params:
            info = f.attrs[A.buffer_key(p.name)]
            if info["sharding"] is None:
                continue
            where = info.get("layout_loc")
            loc = SourceLocation(*where) if where else p.loc
            locs[p.name] = loc
            if info.get("vector") is not None:
                raise self.error(f"tensor {p.name} is a vector (1-D) and cannot be {info['sharding']}-sharded", loc,
                                 hint='use "l1_interleaved" or "dram_interleaved" for 1-D tensors')
            if info.get("partial"):
                raise self.error(f"tensor {p.name} has partial last blocks and cannot be {info['sharding']}-sharded: "
                                 "shards are whole blocks of whole tiles", loc,
                                 hint="choose block sizes that divide the tensor, or use an interleaved layout")
            per_block, copy = block_tiles(f, p.name)
            if per_block is None:
                raise self.error(f"cannot tell which tiles of the sharded tensor {p.name} each block accesses "
                                 "(a copy index that is not an integer expression of the block and loop variables, "
                                 "or too many combinations to enumerate)", (copy.loc if copy else None) or loc,
                                 hint="index sharded tensors with affine expressions of bx / by and loop variables")
            kinds[p.name] = (info["sharding"], (info["tiles"][0], info["tiles"][1]))
            tiles[p.name] = per_block
        plan, why, culprit = plan_local_shard(total, list(f.attrs[A.GRID_BLOCKS]), device, kinds, tiles)
        if plan is None:  # located at the annotation of the tensor the most-cores partition fails for
            raise self.error(
                f"no partition of the {total} blocks over the {device[0]}x{device[1]} cores gives every core exactly "
                f"one shard of each sharded tensor ({why})", locs.get(culprit) or f.loc,
                hint="each core's blocks must access exactly its own shard: choose blocks (and a grid) so that the "
                     "blocks of one core cover one height / width / block shard and no block crosses shards, or use "
                     "an interleaved layout")
        budget = l1_budget(ctx)
        need = sum(plan.shapes[n][0] * plan.shapes[n][1] * f.attrs[A.buffer_key(n)]["page_size"] for n in plan.shapes)
        if need > budget:
            raise self.error(f"the shards of the sharded tensors ({', '.join(plan.shapes)}) need {need} bytes of "
                             f"L1 per core; a core has {budget}", next(iter(locs.values())) or f.loc,
                             hint="use more, smaller blocks (more cores), or an interleaved layout")
        return plan.ncores, plan.cx, plan.shapes, plan.rects

    def _check_coverage(self, f: PrimFunc, name: str, tiles: list[int]) -> None:
        covered, copies, grid = output_coverage(f, name)
        if covered is None or not copies:
            return
        missing = [(r, c) for r in range(tiles[0]) for c in range(tiles[1]) if (r, c) not in covered]
        if not missing:
            return
        r, c = missing[0]
        total = tiles[0] * tiles[1]
        rows, cols = tiles[0] * TILE, tiles[1] * TILE
        others = f" and {len(missing) - 1} other{'s' if len(missing) > 2 else ''}" if len(missing) > 1 else ""
        kernel = f"T.Kernel({', '.join(str(g) for g in grid)})"
        raise self.error(
            f"output tensor {name} is not fully written: {len(missing)} of its {total} tiles are never written, "
            f"tile ({r}, {c}) (elements [{r * TILE}:{(r + 1) * TILE}, {c * TILE}:{(c + 1) * TILE}]){others}",
            copies[0].loc or f.loc,
            hint=f"output tensors are not initialised on the device, so every tile must be written: the grid "
                 f"{kernel} and the T.copy regions into {name} must cover all {rows}×{cols} elements (e.g. "
                 "T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) with blocks of block_M×block_N)")


def output_coverage(f: PrimFunc, name: str) -> tuple[set[tuple[int, int]] | None, list[Call], list[int]]:
    """(tiles of tensor ``name`` written by some block and iteration, the copies writing it, the grid).

    The tile set is None when a start index is not an integer expression of the block and loop
    variables or the enumeration would exceed ``_MAX_ENUMERATION`` combinations (not checked then).
    """
    copies: list[tuple[Call, dict[Var, range], list[Any]]] = []
    grid: list[int] = []

    def walk(s: Any, ranges: dict[Var, range], guards: list[Any]) -> None:
        if isinstance(s, KernelLaunch):
            grid.extend(int(getattr(g, "value", 0)) for g in s.grid)
            inner = dict(ranges)
            for v, g in zip(s.block_vars, s.grid):
                inner[v] = range(int(getattr(g, "value", 0)))
            walk(s.body, inner, guards)
        elif isinstance(s, For):
            inner = dict(ranges)
            if isinstance(s.min, IntImm) and isinstance(s.extent, IntImm):
                inner[s.var] = range(s.min.value, s.min.value + s.extent.value)
            walk(s.body, inner, guards)
        elif isinstance(s, IfThenElse):  # a runtime index condition: only the blocks it lets through write
            walk(s.then_case, ranges, [*guards, s.cond])
            if s.else_case is not None:
                walk(s.else_case, ranges, [*guards, BinaryOp("==", s.cond, IntImm(0), "bool")])
        elif isinstance(s, Evaluate):
            c = s.value
            if isinstance(c, Call) and c.op == "tl.copy" and isinstance(c.args[1], BufferRegion) \
                    and c.args[1].buffer.scope == "global" and c.args[1].buffer.name == name:
                copies.append((c, ranges, guards))
        else:
            for child in _kids(s):
                walk(child, ranges, guards)

    walk(f.body, {}, [])
    covered: set[tuple[int, int]] = set()
    for call, ranges, guards in copies:
        region: BufferRegion = call.args[1]
        used = [v for v in ranges if any(_uses(st, v) for st in region.starts) or any(_uses(g, v) for g in guards)]
        count = 1
        for v in used:
            count *= len(ranges[v])
        if count > _MAX_ENUMERATION:
            return None, [c for c, _, _ in copies], grid
        row, col, rows, cols = flat_region(region, f.attrs.get(A.buffer_key(name), {}).get("vector"))  # any rank
        rt, ct = rows // TILE, cols // TILE
        for values in itertools.product(*(ranges[v] for v in used)):
            env = dict(zip(used, values))
            try:
                if not all(eval_int(g, env) for g in guards):
                    continue
                r0, c0 = (eval_int(st, env) // TILE for st in (row, col))
            except (KeyError, TypeError):
                return None, [c for c, _, _ in copies], grid
            covered.update((r0 + dr, c0 + dc) for dr in range(rt) for dc in range(ct))
    return covered, [c for c, _, _ in copies], grid


def _kids(n: Any) -> list[Any]:
    """The child nodes of ``n`` (list and tuple fields flattened)."""
    out: list[Any] = []
    for c in n.children() if isinstance(n, Node) else ():
        out.extend(x for x in (c if isinstance(c, (list, tuple)) else [c]) if isinstance(x, Node))
    return out


def _uses(e: Any, v: Var) -> bool:
    return e is v or any(_uses(c, v) for c in _kids(e))
