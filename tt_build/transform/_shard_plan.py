"""Shard planning for LayoutAwareWorkPartitionTT's ``local_shard`` mode.

A sharded tensor lives in the L1 of the cores that work on it, one shard per core at the same L1
address, so the partition of the output blocks over the cores must follow the shard grid: the tiles of a
sharded tensor that the blocks of one core access (over every block and every iteration of the loops
around the copies) must be exactly one shard, and the shards of all cores must tile the tensor as
TT-Metalium lays them out (ROW_MAJOR shard orientation):

* height sharding: core ``k`` (in row-major core order) holds tile rows ``[k·sh, (k+1)·sh)``, every column;
* width sharding: core ``k`` holds tile columns ``[k·sw, (k+1)·sw)``, every row;
* block sharding: the cores form a ``cx × cy`` rectangle and core ``(x, y)`` holds tile rows
  ``[y·sh, (y+1)·sh)`` and columns ``[x·sw, (x+1)·sw)``.

:func:`plan_local_shard` tries the partitions of the blocks into equal parts (the most cores first):
for a 2-D ``T.Kernel`` grid every cut into equal rectangles of blocks (row strips for height sharding,
column strips for width sharding, tiles for block sharding), else contiguous runs of the row-major block
order; cores are placed row-major over the device grid, or for block sharding as the rectangle grid and returns the first one under which every sharded tensor has a valid shard
grid, else the reason the most-cores partition fails. A kernel of more than one block is split over at
least two cores (a single core holding the whole tensor is not a sharding).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tt_build.ir import BinaryOp, BufferRegion, Call, Evaluate, For, IfThenElse, IntImm, KernelLaunch, Node, Var
from tt_build.transform._analysis import TILE, eval_int, flat_region

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tt_build.ir import PrimFunc

__all__ = ["ShardPlan", "block_tiles", "plan_local_shard"]

#: Above this many (block, iteration) combinations for one copy the tiles are not enumerated.
_MAX_ENUMERATION = 1 << 20

Tile = tuple[int, int]


@dataclass
class ShardPlan:
    """A partition that follows the shard grids: ``ncores`` cores with ``total / ncores`` blocks each (a run
    of the row-major block order, or with ``rects`` a rectangle of the 2-D grid), core ``k`` at
    ``(k % cx, k // cx)``; ``shapes``: each sharded tensor's shard in tiles."""

    ncores: int
    cx: int
    shapes: dict[str, tuple[int, int]]
    rects: tuple[int, int, int, int] | None = None  # (nx, ny, rx, ry): see ``tt.shard_blocks``


def block_tiles(f: PrimFunc, name: str, vector: str | None = None) -> tuple[dict[int, set[Tile]] | None, Any]:
    """(linear block id → the tiles of tensor ``name`` the block reads or writes, the first copy of it).

    Block ids are row-major over the ``T.Kernel`` grid (first grid dimension fastest), as GridToCoreGrid
    numbers them. None when a copy's start is not an integer expression of the block and loop
    variables or the enumeration would be too large.
    """
    copies: list[tuple[Call, BufferRegion, dict[Var, range], list[Any]]] = []
    launch: list[KernelLaunch] = []

    def walk(s: Any, ranges: dict[Var, range], guards: list[Any]) -> None:
        if isinstance(s, KernelLaunch):
            launch.append(s)
            inner = dict(ranges)
            for v, g in zip(s.block_vars, s.grid):
                inner[v] = range(int(getattr(g, "value", 0)))
            walk(s.body, inner, guards)
        elif isinstance(s, For):
            inner = dict(ranges)
            if isinstance(s.min, IntImm) and isinstance(s.extent, IntImm):
                inner[s.var] = range(s.min.value, s.min.value + s.extent.value)
            walk(s.body, inner, guards)
        elif isinstance(s, IfThenElse):
            walk(s.then_case, ranges, [*guards, s.cond])
            if s.else_case is not None:
                walk(s.else_case, ranges, [*guards, BinaryOp("==", s.cond, IntImm(0), "bool")])
        elif isinstance(s, Evaluate):
            c = s.value
            if isinstance(c, Call) and c.op == "tl.copy":
                for region in c.args[:2]:
                    if isinstance(region, BufferRegion) and region.buffer.scope == "global" \
                            and region.buffer.name == name:
                        copies.append((c, region, ranges, guards))
        else:
            for child in _kids(s):
                walk(child, ranges, guards)

    walk(f.body, {}, [])
    first = copies[0][0] if copies else None
    if not launch:
        return None, first
    block_vars = list(launch[0].block_vars)
    extents = [int(getattr(g, "value", 0)) for g in launch[0].grid]
    out: dict[int, set[Tile]] = {}
    for call, region, ranges, guards in copies:
        loops = [v for v in ranges if v not in block_vars
                 and (any(_uses(st, v) for st in region.starts) or any(_uses(g, v) for g in guards))]
        count = 1
        for v in [*block_vars, *loops]:
            count *= len(ranges[v])
        if count > _MAX_ENUMERATION:
            return None, call
        row, col, rows, cols = flat_region(region, vector)
        rt, ct = rows // TILE, cols // TILE
        for bvals in itertools.product(*(range(e) for e in extents)):
            bid, stride = 0, 1
            for b, e in zip(bvals, extents):
                bid += b * stride
                stride *= e
            tiles = out.setdefault(bid, set())
            for lvals in itertools.product(*(ranges[v] for v in loops)):
                env = dict(zip(block_vars, bvals)) | dict(zip(loops, lvals))
                try:
                    if not all(eval_int(g, env) for g in guards):
                        continue
                    r0, c0 = (eval_int(st, env) // TILE for st in (row, col))
                except (KeyError, TypeError):
                    return None, call
                tiles.update((r0 + dr, c0 + dc) for dr in range(rt) for dc in range(ct))
    return out, first


def _fit(kind: str, k: int, core: Tile, ncores: int, cx: int, used: set[Tile], grid: tuple[int, int],
         shape: tuple[int, int] | None) -> tuple[tuple[int, int] | None, str]:
    """The shard shape core ``k`` implies for a tensor of ``grid`` tiles, or None and why not."""
    where = f"core ({core[0]}, {core[1]})"
    if not used:
        return None, f"{where} accesses none of its tiles"
    rows = [r for r, _ in used]
    cols = [c for _, c in used]
    r0, r1, c0, c1 = min(rows), max(rows) + 1, min(cols), max(cols) + 1
    box = (r1 - r0, c1 - c0)
    span = f"tile rows {r0}..{r1 - 1}, columns {c0}..{c1 - 1}"
    if len(used) != box[0] * box[1]:
        return None, (f"the tiles {where} accesses ({span}) are not one rectangular shard: some tiles inside "
                      "that range belong to other cores")
    if shape is not None and box != shape:
        return None, (f"{where} accesses a {box[0]}x{box[1]}-tile region ({span}), the cores before it "
                      f"{shape[0]}x{shape[1]}: shards are all of one shape")
    want = {"height": (k * box[0], 0), "width": (0, k * box[1]),
            "block": (core[1] * box[0], core[0] * box[1])}[kind]
    if kind == "height" and box[1] != grid[1]:
        return None, f"{where} accesses {span}, but a height shard spans all {grid[1]} tile columns"
    if kind == "width" and box[0] != grid[0]:
        return None, f"{where} accesses {span}, but a width shard spans all {grid[0]} tile rows"
    if (r0, c0) != want:
        return None, (f"{where} accesses {span}, but its {kind} shard starts at tile ({want[0]}, {want[1]}) "
                      f"(shards follow the cores in row-major order)")
    count = {"height": (ncores, 1), "width": (1, ncores), "block": ((ncores + cx - 1) // cx, cx)}[kind]
    if (box[0] * count[0], box[1] * count[1]) != grid:
        return None, (f"{ncores} {kind} shards of {box[0]}x{box[1]} tiles do not make up the "
                      f"{grid[0]}x{grid[1]}-tile tensor")
    return box, ""


def _partitions(total: int, grid: list[int], device: tuple[int, int], block: bool,
                least: int) -> Iterator[tuple[int, int, list[list[int]], tuple[int, int, int, int] | None]]:
    """Candidate partitions, most cores first: (cores, core-rectangle width on the device, block ids per core,
    the rectangle cut (nx, ny, rx, ry) of a 2-D grid when its core-by-core order is not the row-major one)."""
    gx, gy = device
    for ncores in sorted((n for n in range(least, min(total, gx * gy) + 1) if total % n == 0), reverse=True):
        if len(grid) != 2:  # noqa: PLR2004 - contiguous runs of the row-major block order
            per = total // ncores
            blocks = [list(range(k * per, (k + 1) * per)) for k in range(ncores)]
            if not block:
                yield ncores, min(ncores, gx), blocks, None
            for cx in (w for w in range(min(ncores, gx), 0, -1) if block and ncores % w == 0 and ncores // w <= gy):
                yield ncores, cx, blocks, None
            continue
        gbx, gby = grid
        cuts = [(nx, ncores // nx) for nx in range(1, ncores + 1)
                if ncores % nx == 0 and gbx % nx == 0 and gby % (ncores // nx) == 0]
        cuts.sort(key=lambda c: not (c[0] == 1 or gby // c[1] == 1))  # row-major-compatible cuts first
        for nx, ny in cuts:
            rx, ry = gbx // nx, gby // ny
            blocks = [[(k // nx * ry + j) * gbx + (k % nx) * rx + i for j in range(ry) for i in range(rx)]
                      for k in range(ncores)]
            rects = None if nx == 1 or ry == 1 else (nx, ny, rx, ry)
            if not block:
                yield ncores, min(ncores, gx), blocks, rects
            elif nx <= gx and ny <= gy:
                yield ncores, nx, blocks, rects


def plan_local_shard(total: int, grid: list[int], device: tuple[int, int],
                     tensors: dict[str, tuple[str, tuple[int, int]]],
                     tiles: dict[str, dict[int, set[Tile]]]) -> tuple[ShardPlan | None, str, str]:
    """The first partition (most cores first) under which every sharded tensor is validly sharded.

    ``grid``: the T.Kernel grid; ``tensors``: name → (kind height|width|block, tile grid); ``tiles``:
    name → row-major block id → tiles. Returns (plan, "", "") or (None, why the most-cores candidate fails,
    the tensor it fails for).
    """
    block = any(kind == "block" for kind, _ in tensors.values())
    # at least two shards unless the kernel has one block: one core holding a whole "sharded" tensor is not
    # what a sharded layout asks for (a diagnostic rather than a silent single-core run)
    least = 2 if total > 1 else 1
    first_reason, first_tensor = "", ""
    for ncores, cx, core_blocks, rects in _partitions(total, grid, device, block, least):
        per = total // ncores
        shapes: dict[str, tuple[int, int]] = {}
        reason = ""
        failed = ""
        for name, (kind, tgrid) in tensors.items():
            failed = name
            shape: tuple[int, int] | None = None
            owner: dict[Tile, int] = {}
            uses: list[set[Tile]] = []
            for k in range(ncores):  # first: no tile used by two cores (e.g. by a block crossing shards)
                used: set[Tile] = set()
                for b in core_blocks[k]:
                    used |= tiles[name].get(b, set())
                uses.append(used)
                for t in sorted(used):
                    if owner.setdefault(t, k) != k:
                        o = owner[t]
                        reason = (f"tensor {name}: cores ({o % cx}, {o // cx}) and ({k % cx}, {k // cx}) "
                                  f"both access its tile ({t[0]}, {t[1]}), but a tile of a sharded tensor lives "
                                  "in one core's L1")
                        break
                if reason:
                    break
            for k in range(ncores if not reason else 0):  # then: each core's tiles are its shard
                core = (k % cx, k // cx)
                shape, why = _fit(kind, k, core, ncores, cx, uses[k], tgrid, shape)
                if shape is None:
                    reason = f"tensor {name}: {why}"
                    break
            if reason:
                break
            shapes[name] = shape  # type: ignore[assignment]
        if not reason:
            return ShardPlan(ncores, cx, shapes, rects), "", ""
        if not first_reason:
            first_reason = f"with {ncores} cores of {per} block{'s' if per > 1 else ''}: {reason}"
            first_tensor = failed
    return None, first_reason, first_tensor


def _kids(n: Any) -> list[Any]:
    out: list[Any] = []
    for c in n.children() if isinstance(n, Node) else ():
        out.extend(x for x in (c if isinstance(c, (list, tuple)) else [c]) if isinstance(x, Node))
    return out


def _uses(e: Any, v: Var) -> bool:
    return e is v or any(_uses(c, v) for c in _kids(e))
