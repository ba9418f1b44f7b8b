"""tt.PlanMulticastTT — map a 2-D block grid onto a 2-D core grid whose rows and columns share operands.

Requires: ``tt.work_partition`` / ``tt.grid_blocks`` (LayoutAwareWorkPartitionTT), ``tt.buffer.<param>``;
options ``multicast`` (default on), ``multicast_k_tiles`` (default 8), ``multicast_merge`` (default on),
``arch``, ``math_fidelity`` (the cost estimate), ``l1_budget`` and ``default_stages`` (the L1 estimate).
Produces, when the kernel qualifies, ``tt.multicast`` and a new ``tt.work_partition``,
``tt.core_grid``, ``tt.core_ranges``:

* the block grid ``(gx, gy)`` is mapped onto a core grid ``(cx, cy)`` as ttnn's 2-D multicast matmul maps
  its tiles: ``rx = ⌈gx / dev_x⌉`` block columns per core, ``cx = ⌈gx / rx⌉`` core columns (at most the
  device grid's; the last one runs the ``gx − (cx−1)·rx`` columns left), and the same along ``y``. Core
  ``(x, y)`` owns the rectangle ``bx ∈ [x·rx, min((x+1)·rx, gx))``, ``by ∈ [y·ry, min((y+1)·ry, gy))``
  and every core runs the same ``rx × ry`` lock-step steps: at step ``l`` it runs block
  ``(min(x·rx + l % rx, gx−1), min(y·ry + l // rx, gy−1))``, so all cores of a core row work on the same
  ``by`` and all cores of a core column on the same ``bx``. A core of the last (short) column or row
  pads its steps by repeating its last block column / row (the same values written again), so that it
  keeps taking part in its row's and column's multicasts and every core issues the same circular-buffer
  operations. Among the grids of least lock-step length ``rx·ry`` this one has the fewest padded steps
  (a ceil/floor split of the blocks over the whole device grid has the same length and more padding);
  the device grid need not divide the block grid;
* an on-chip buffer filled by ``T.copy`` from an input tensor whose region depends on ``by`` and not on
  ``bx`` holds the same block on every core of a core row: it becomes a multicast group along ``x`` (the
  core at ``x = 0`` reads it from memory and multicasts it to cores ``x = 1 … cx-1`` of its row); one
  depending on ``bx`` only, a group along ``y`` (sender at ``y = 0``). Each group gets two semaphores
  (``ready``: receivers count in at the sender; ``valid``: the sender announces the block's arrival);
  the group along ``y`` runs on the writer's data-movement RISC, so the two operands are read by the two
  RISCs.

* block splitting: where the kernel's blocks balance the cores badly (32 × 32 blocks on Blackhole's
  13 × 10 cores: 12 on the busiest core where 7.9 would balance them) or are fewer than the cores
  (512³ at 128 × 128 on 8 × 8: 16 blocks, split into 64 of 64 × 64 for all 64 cores), a GEMM-like kernel (only copies
  between a tensor and a whole on-chip buffer, ``T.gemm``, ``T.clear`` and loops not bounded by a block
  index) gets its blocks split ``s`` ways along ``by`` and ``t`` ways along ``bx`` (split blocks of at
  least 64 rows / columns), as if written with ``block_M / s`` and ``block_N / t``: the same products
  summed in the same order (``tt_build/transform/_block_split.py``). The split ranked best (below) is
  used when it ranks 5 % ahead of the unsplit plan; the resized buffers' ``tt.buffer.<name>`` are
  updated (``tt.grid_blocks`` stays the kernel's grid as written).

* one merged block per core (option ``multicast_merge``, default on): each candidate's (split or not)
  rectangle of ``rx × ry`` blocks per core is merged into one block, as if written with
  ``block_N·rx`` and ``block_M·ry`` (``_block_split.merge_kernel_blocks``: the same products summed in
  the same order), so every core makes a single pass over K and each operand panel is read from DRAM
  once (lock-step blocks read it at every step). A merged block that overhangs the tensor (the last
  core column / row) is a partial last block (``partial`` in the tensors' ``tt.buffer.<name>``: the
  senders zero-pad it, the writer skips it). Used where the merged kernel's circular buffers fit the L1
  budget (``l1_estimate``: input panels ``num_stages`` deep as written, the output block — single-buffered,
  one block per core, or three DST sub-blocks when it is a streamed ``T.gemm`` accumulator larger than DST
  (``_output_stream``) — and the fp32 partial sums) and it ranks ahead of the lock-step plans (Wormhole
  4096³ at 128 × 128: one 512 × 512 block per core, 1 MiB of partial sums, a 24 KiB output stream);
  neither splits nor merges are tried for a
  kernel with more than one ``T.gemm`` or whose buffers, as written, exceed L1 (its diagnostic must
  not depend on the plan).

* operand pipeline (``_operand_pipeline.py``): when the K loop's body is exactly the copies filling the
  groups' buffers and the ``T.gemm`` reading them (else the loop stays as written), it becomes a
  ``T.Pipelined`` loop whose steps carry ``k_tiles`` tiles of K (``g`` consecutive iterations fused, as if
  the kernel had been written with ``block_K·g``; the products and their summation order are unchanged)
  and whose operand circular buffers hold ``stages`` steps. Both come from an estimate: a sender's step (its share of the
  DRAM bandwidth, DRAM latency, the multicast through its NOC port, the handshake) against the step's
  math; the step of least fill + steps × max(math, refill), up to ``multicast_k_tiles`` (default 8)
  tiles; ``2 + ⌈refill / math⌉`` stages (at most 4, at least the kernel's ``num_stages``), fewer
  (not below 2) where the L1 budget (``l1_estimate``) has no room. With one block per core whose output
  is streamed (an accumulator larger than DST), a *tail*: the last ``tail_steps`` steps are waited for at
  once and computed sub-block by sub-block (InsertDSTManagementTT), so the output's DRAM writes overlap
  the whole tail's math instead of one step's; the tail must start at the CB's first slot (``stages ≥
  tail_steps``, ``steps − tail_steps`` a multiple of ``stages``). Recorded as ``pipeline`` (``k_tiles``,
  ``stages``, ``steps``, ``tail_steps``) in ``tt.multicast``; the resized buffers' ``tt.buffer.<name>``
  (shape, tiles) are updated. Wormhole 8×8, HiFi4, 128×128×32 blocks: 1024³ runs 16 steps of 2 tiles,
  a tail of 4, 6 stages; 2048×1024×512 16 steps of 1 tile, a tail of 8, 8 stages.

* tile-granular blocks (with ``multicast_merge``): one block per core of ``ty`` output tile rows and
  ``tx`` tile columns, any counts of 32-wide tiles (not multiples of the kernel's ``block_M`` /
  ``block_N``; ``_block_split.resize_kernel_blocks``), on ``⌈Nt / tx⌉ × ⌈Mt / ty⌉`` cores (``Mt × Nt``
  output tiles), the last core column / row partial — ttnn's 2-D multicast split (per-core block
  ``⌈Mt / dev_y⌉ × ⌈Nt / dev_x⌉`` tiles over the whole device grid) is the pair with the fewest tiles per
  core. The pairs ``tx = ⌈Nt / c⌉`` (``c`` = 2 … ``dev_x`` core columns) and ``ty`` likewise are taken in
  order of tiles per core (then more cores first); the first ``_TILE_CANDIDATES`` whose circular buffers
  fit L1 are ranked with the merged plans above (each reads every operand from DRAM once). Blackhole
  1024³ at 128 × 128: 4 × 3 tiles per core on 11 × 8 cores (the merged plan ran 4 × 4 on 8 × 8).

The decisions come from the dataflow (which block index a copy's source region uses), never from names.
The plan is used only where it is estimated faster than the plain partition (by 10 %): each is
bounded by its compute (matmul tile ops per core × FPU cycles at the math fidelity) and its DRAM reads
at the architecture's bandwidth — a compute-bound plain partition (small problems) gains nothing from
the multicast handshakes.

A kernel qualifies when it has a 2-D ``T.Kernel`` grid, global partition mode, no branch whose condition
depends on a block index (the cores must issue the same circular-buffer operations in lock-step), at
least one group along each axis and a core grid of at least 2 × 2. Anything else (1-D grids, single
core, sharded tensors) keeps the plain partition of LayoutAwareWorkPartitionTT.
Leaves alone: the body, except the K loop of a multicast GEMM (its step and stages).
"""

from __future__ import annotations

from typing import Any

from tt_build.ir import (
    Allocate,
    Buffer,
    BufferRegion,
    Call,
    Evaluate,
    For,
    IfThenElse,
    IntImm,
    IRModule,
    KernelLaunch,
    PrimFunc,
    SeqStmt,
    Stmt,
    StmtExprMutator,
    StmtExprVisitor,
    Var,
    dtype_bytes,
    seq,
)
from tt_build.ir import attrs as A
from tt_build.transform._analysis import TILE, eval_int, substitute
from tt_build.transform._block_split import (
    kernel_block_extents,
    merge_kernel_blocks,
    resize_kernel_blocks,
    split_kernel_blocks,
)
from tt_build.transform._operand_pipeline import (
    ARCH_DRAM_LATENCY_CYCLES,
    ARCH_NOC_BYTES_PER_CYCLE,
    OperandPipeline,
    choose_pipeline,
)
from tt_build.transform._output_stream import dst_capacity, stream_depth, stream_rect
from tt_build.transform.base import (
    ARCH_CLOCK_HZ,
    ARCH_DRAM_BANDWIDTH,
    MATH_FIDELITIES,
    MATMUL_TILE_CYCLES_PER_PHASE,
    Pass,
    PassContext,
    l1_budget,
)
from tt_build.transform.layout_aware_work_partition_tt import core_ranges
from tt_build.transform.split_device_kernel import uses_var

__all__ = ["PlanMulticastTT", "block_of_step", "split_blocks"]

#: Tile-granular per-core blocks fitting L1 that PlanMulticastTT ranks (the fewest tiles per core first).
_TILE_CANDIDATES = 4


def split_blocks(blocks: int, cores: int) -> tuple[int, int]:
    """``(n, per)``: ``blocks`` block rows (or columns) over at most ``cores`` core rows (columns), ``per`` =
    ⌈blocks / cores⌉ to each but the last of the ``n`` = ⌈blocks / per⌉ cores used, which gets the rest."""
    per = -(-blocks // cores)
    return -(-blocks // per), per


def block_of_step(core: tuple[int, int], step: int, rect: tuple[int, int],
                  grid: tuple[int, int] | None = None) -> tuple[int, int]:
    """The block (bx, by) core ``core`` runs at lock-step ``step`` when each core runs ``rect`` steps over a
    ``grid`` of blocks (a padded step of a last column / row repeats its last block)."""
    rx, ry = rect
    bx, by = core[0] * rx + step % rx, core[1] * ry + step // rx
    if grid is None:
        return bx, by
    return min(bx, grid[0] - 1), min(by, grid[1] - 1)


def core_blocks(core: tuple[int, int], rect: tuple[int, int], grid: tuple[int, int]) -> list[list[int]]:
    """The inclusive rectangle of blocks ``[[x0, y0], [x1, y1]]`` core ``core`` owns."""
    (x, y), (rx, ry), (gx, gy) = core, rect, grid
    return [[x * rx, y * ry], [min((x + 1) * rx, gx) - 1, min((y + 1) * ry, gy) - 1]]


class PlanMulticastTT(Pass):
    name = "tt.PlanMulticastTT"

    def transform(self, mod: IRModule, ctx: PassContext) -> IRModule:
        if not ctx.get("multicast"):
            return mod
        return IRModule({n: self._func(f, ctx) for n, f in mod.functions.items()}, dict(mod.attrs), mod.loc)

    def _func(self, f: PrimFunc, ctx: PassContext) -> PrimFunc:
        if f.attrs.get(A.PARTITION_MODE) != "global":
            return f
        launch = _launch(f)
        grid = f.attrs[A.GRID_BLOCKS]
        if launch is None or len(grid) != 2 or _branches_on(launch, launch.block_vars):
            return f
        orig = f
        dev = tuple(f.attrs[A.DEVICE_GRID])
        base = self._candidate(f, launch, ctx, dev)
        if base is None:
            return f
        plain, best = base[0], base[1:]
        if best[0] is None:
            return f
        # split the blocks to balance the cores, or to spread a kernel with fewer blocks than cores over more
        # of them (512³ at 128×128 on 8×8: 16 blocks → 64 blocks of 64×64, all 64 cores, with multicast)
        partial = any(f.attrs.get(A.buffer_key(p.name), {}).get("partial") for p in f.params)
        # reblocking is a performance choice: never for a kernel that, as written, has more than one T.gemm or
        # circular buffers over the L1 budget (its diagnostic must not depend on the plan)
        gemms = sum(1 for c in _calls(launch.body) if c.op == "tl.gemm")
        fits = l1_estimate(launch, f.attrs, int(ctx.get("default_stages")), dst_tiles=_dst_tiles(ctx)) <= l1_budget(ctx)
        lock_step = [best]
        if gemms == 1 and fits:
            merged: list[tuple] = []
            if not partial:
                for s, t in _split_factors(f, launch):
                    split = self._split(f, launch, s, t)
                    cand = None if split is None else self._candidate(split, _launch(split), ctx, dev)
                    if cand is not None and cand[1] is not None:
                        lock_step.append(cand[1:])
                        if cand[-1] < 0.95 * best[-1]:
                            best = cand[1:]
                # one merged block per core: each core's rectangle of (split) blocks as one block, a single
                # pass over K, so every operand panel is read from DRAM once — where it fits in L1
                merged = [m for c in lock_step if ctx.get("multicast_merge") and (m := self._merged(c, ctx, dev))]
            if ctx.get("multicast_merge"):  # one block per core of any number of tiles (partial last blocks too)
                merged += self._tile_granular(f, launch, ctx, dev)
            if merged:
                top = min(merged, key=lambda c: c[-1])
                if top[-1] < best[-1]:
                    best = top
        est, f, launch, groups, (cx, cy), (rx, ry), _ = best
        if not est < 0.9 * plain:  # noqa: PLR2004 - the plan must win by 10 %
            return orig
        gx, gy = (g.value for g in launch.grid)  # type: ignore[attr-defined]
        sem = 0
        for g in groups:
            g["num_dests"] = (cx if g["axis"] == "x" else cy) - 1
            g["ready_semaphore"], g["valid_semaphore"] = sem, sem + 1
            sem += 2
        per_core = rx * ry
        cores = [(x, y) for y in range(cy) for x in range(cx)]
        work = [{"core": [x, y], "start": (y * cx + x) * per_core, "count": per_core} for x, y in cores]
        mcores = []
        for x, y in cores:
            entry = {}
            for g in groups:
                if g["axis"] == "x":
                    entry[g["group"]] = {"sender": x == 0, "sender_core": [0, y], "dest": [[1, y], [cx - 1, y]]}
                else:
                    entry[g["group"]] = {"sender": y == 0, "sender_core": [x, 0], "dest": [[x, 1], [x, cy - 1]]}
            mcores.append({"core": [x, y], "blocks": core_blocks((x, y), (rx, ry), (gx, gy)), "groups": entry})
        attrs = dict(f.attrs)
        body = f.body
        plan: dict[str, Any] = {"core_grid": [cx, cy], "block_grid": [gx, gy], "blocks_per_core": [rx, ry],
                                "groups": groups, "cores": mcores}
        pipe, _ = self._pipeline(f, launch, groups, ctx, (cx, cy), single=per_core == 1)
        if pipe is not None:
            body, new_infos = self._apply_pipeline(f, launch, groups, pipe)
            attrs.update(new_infos)
            plan["pipeline"] = {"k_tiles": pipe.k_tiles, "stages": pipe.stages, "steps": pipe.steps,
                                "tail_steps": pipe.tail_steps}
        attrs[A.MULTICAST] = plan
        attrs[A.WORK_PARTITION] = work
        attrs[A.CORE_GRID] = [cx, cy]
        attrs[A.CORE_RANGES] = core_ranges(cores, cx)
        return PrimFunc(f.name, f.params, body, attrs, f.loc)

    def _groups(self, f: PrimFunc, launch: KernelLaunch, bx: Var, by: Var) -> list[dict[str, Any]]:
        """One group per on-chip buffer filled from an input tensor by a copy using exactly one block index."""
        fills: dict[str, list[Call]] = {}
        for c in _copies(launch.body):
            src, dst = c.args[0], c.args[1]
            if isinstance(src, BufferRegion) and isinstance(dst, BufferRegion) and src.buffer.scope == "global" \
                    and dst.buffer.scope == "shared":
                fills.setdefault(dst.buffer.name, []).append(c)
        groups = []
        for name, calls in fills.items():
            if len(calls) != 1:
                continue
            src = calls[0].args[0]
            if f.attrs[A.buffer_key(src.buffer.name)]["role"] != "input":
                continue
            uses_x, uses_y = (any(uses_var(s, v) for s in src.starts) for v in (bx, by))
            if uses_x == uses_y:
                continue  # both (no reuse across cores) or neither (every core reads the same block)
            axis = "x" if uses_y else "y"
            dims = [d for d, s in enumerate(src.starts) if uses_var(s, by if uses_y else bx)]
            if len(dims) != 1:
                continue  # the block index in more than one dimension of the region: no block panel
            groups.append({"group": name, "buffer": name, "tensor": src.buffer.name, "axis": axis,
                           "role": "reader" if axis == "x" else "writer", "block_dim": dims[0]})
        # one group per axis: a second buffer along the same axis keeps its plain reads
        seen: set[str] = set()
        out = []
        for g in groups:
            if g["axis"] not in seen:
                seen.add(g["axis"])
                out.append(g)
        return out


    @staticmethod
    def _split(f: PrimFunc, launch: KernelLaunch, s: int, t: int) -> PrimFunc | None:
        """``f`` with its blocks split (``_block_split.split_kernel_blocks``) and the resized buffers'
        ``tt.buffer.<name>`` updated (``tt.grid_blocks`` stays the kernel's grid as written; the split grid
        is the ``T.Kernel`` launch's and, later, ``tt.multicast``'s ``block_grid``)."""
        out = split_kernel_blocks(f, launch, s, t)
        if out is None:
            return None
        body, _, resized = out
        attrs = dict(f.attrs)
        for name, b in resized.items():
            info = dict(attrs[A.buffer_key(name)])
            info["shape"] = list(b.shape)
            info["tiles"] = [b.shape[0] // TILE, b.shape[1] // TILE]
            attrs[A.buffer_key(name)] = info
        return PrimFunc(f.name, f.params, body, attrs, f.loc)

    def _merged(self, cand: tuple, ctx: PassContext, dev: tuple[int, ...]) -> tuple | None:
        """The plan candidate (as ``_candidate``'s, without the plain estimate) of ``cand``'s kernel with each
        core's ``rx × ry`` rectangle of blocks merged into one block (``_block_split.merge_kernel_blocks``),
        when the merged kernel's circular buffers fit the L1 budget (``l1_estimate``); None otherwise or
        when every core already runs one block."""
        _, f, launch, _, _, (rx, ry), _ = cand
        if rx * ry == 1:
            return None
        return self._one_block_per_core(f, merge_kernel_blocks(f, launch, rx, ry, _partial_axes(f)), ctx, dev)

    def _tile_granular(self, f: PrimFunc, launch: KernelLaunch, ctx: PassContext,
                       dev: tuple[int, ...]) -> list[tuple]:
        """Plan candidates with one block per core whose size is any number of tiles, not a multiple of the
        kernel's blocks (``_block_split.resize_kernel_blocks``): ``tx`` output tile columns and ``ty`` tile
        rows per core, ``⌈Nt / tx⌉ × ⌈Mt / ty⌉`` cores (at most the device grid's, at least 2 × 2), the
        last core column / row partial — ttnn's 2-D multicast split when ``tx = ⌈Nt / dev_x⌉`` and
        ``ty = ⌈Mt / dev_y⌉``. The pairs are taken in order of tiles per core (the compute estimate; each
        operand is read from DRAM once by any of them), and the first ``_TILE_CANDIDATES`` whose circular
        buffers fit L1 are returned, for the caller to rank (a pair at least as large both ways as one that
        did not fit is not tried)."""
        got = kernel_block_extents(f, launch)
        if got is None:
            return []
        ext = {a: e for a, (e, _) in got.items()}
        nt, mt = (-(-got[a][1] // TILE) for a in ("x", "y"))

        def per_core(tiles: int, cores: int) -> list[int]:
            return sorted({-(-tiles // c) for c in range(2, min(cores, tiles) + 1)})

        pairs = sorted(((tx, ty) for tx in per_core(nt, dev[0]) for ty in per_core(mt, dev[1])),
                       key=lambda p: (p[0] * p[1], -(-nt // p[0]) * -(-mt // p[1])))
        out: list[tuple] = []
        misses: list[tuple[int, int]] = []  # a block at least as large as one that failed fails too (L1)
        for tx, ty in pairs:
            if (tx * TILE, ty * TILE) == (ext["x"], ext["y"]):
                continue  # the kernel's own blocks: not a resize
            if any(tx >= mx and ty >= my for mx, my in misses):
                continue
            resized = resize_kernel_blocks(f, launch, tx * TILE, ty * TILE, _partial_axes(f))
            cand = self._one_block_per_core(f, resized, ctx, dev)
            if cand is None:
                misses.append((tx, ty))
                continue
            out.append(cand)
            if len(out) == _TILE_CANDIDATES:
                break
        return out

    def _one_block_per_core(self, f: PrimFunc, out: tuple | None, ctx: PassContext,
                            dev: tuple[int, ...]) -> tuple | None:
        """The plan candidate of ``f`` reblocked to ``out`` (a ``merge_kernel_blocks`` /
        ``resize_kernel_blocks`` result) when it runs one block per core and its circular buffers fit the L1
        budget; None otherwise."""
        if out is None:
            return None
        body, _, resized, partial = out
        attrs = dict(f.attrs)
        for name, b in resized.items():
            info = dict(attrs[A.buffer_key(name)])
            info["shape"] = list(b.shape)
            info["tiles"] = [b.shape[0] // TILE, b.shape[1] // TILE]
            attrs[A.buffer_key(name)] = info
        for name, axes in partial.items():
            info = {k: v for k, v in attrs[A.buffer_key(name)].items() if k != "partial"}
            attrs[A.buffer_key(name)] = {**info, "partial": axes} if axes else info
        mf = PrimFunc(f.name, f.params, body, attrs, f.loc)
        ml = _launch(mf)
        got = self._candidate(mf, ml, ctx, dev)
        if got is None or got[1] is None or tuple(got[-2]) != (1, 1):
            return None
        # one block per core: its output block single-buffered (LowerSharedToCB); the operand pipeline must fit
        # with at least two stages (a K loop the plan cannot size: the kernel's circular buffers as written)
        pipe, sized = self._pipeline(mf, ml, got[4], ctx, got[5], single=True)
        if pipe is None and (sized or l1_estimate(ml, attrs, int(ctx.get("default_stages")), out_stages=1,
                                                  dst_tiles=_dst_tiles(ctx)) > l1_budget(ctx)):
            return None
        return got[1:]

    # -- cost estimate ---------------------------------------------------------------------------
    def _candidate(self, f: PrimFunc, launch: KernelLaunch, ctx: PassContext, dev: tuple[int, ...]) -> tuple | None:
        """(plain estimate, plan estimate, f, launch, groups, core grid, lock-step rectangle) of a kernel
        whose blocks can be shared along both axes; the plan estimate is None when the core grid would be
        narrower than 2 × 2. None when the kernel has no group along each axis."""
        bx, by = launch.block_vars
        groups = self._groups(f, launch, bx, by)
        if {g["axis"] for g in groups} != {"x", "y"}:
            return None
        gx, gy = (g.value for g in launch.grid)  # type: ignore[attr-defined]
        (cx, rx), (cy, ry) = split_blocks(gx, dev[0]), split_blocks(gy, dev[1])
        if cx < 2 or cy < 2:  # noqa: PLR2004 - a 2-D grid needs two cores each way
            return (0.0, None, f, launch, groups, (cx, cy), (rx, ry), None)
        plain, mcast, rank = self._estimates(f, launch, groups, ctx, (cx, cy), (rx, ry), (dev[0], dev[1]))
        return (plain, mcast, f, launch, groups, (cx, cy), (rx, ry), rank)

    def _estimates(self, f: PrimFunc, launch: KernelLaunch, groups: list[dict[str, Any]], ctx: PassContext,
                   grid: tuple[int, int], rect: tuple[int, int],
                   dev: tuple[int, int]) -> tuple[float, float, float]:
        """Estimated seconds of the plain partition and of the multicast plan, and the plan's rank among
        block splits. Each estimate is bounded by its compute (matmul tiles per core × FPU cycles at the
        math fidelity) and its DRAM reads (every block reading its operand blocks, vs each sender reading
        one operand panel per lock-step step) at the architecture's bandwidth. The plan is used where it
        wins by 10 %: with the plain partition compute-bound the multicast only adds its handshakes.
        Splits are ranked by the root-sum-square of the plan's compute and DRAM times: near DRAM
        saturation the two overlap less (on the mock's device-time model, Blackhole 4096³: 128×128
        blocks 1249 µs, 128×64 1058 µs, 64×64 1151 µs; the root-sum-squares 1255, 1137, 1183 µs rank them
        the same way, the maxima 1165, 971, 850 µs do not). A kernel whose K loop or operands this cannot
        size gets (1, 0, 0): the plan."""
        arch = ctx.get("arch") if ctx.get("arch") in ARCH_CLOCK_HZ else "wormhole_b0"
        fidelity = ctx.get("math_fidelity")
        phases = MATH_FIDELITIES.index(fidelity) + 1 if fidelity in MATH_FIDELITIES else 4
        loop = _k_loop(launch.body, {g["buffer"] for g in groups})
        if loop is None:
            return 1.0, 0.0, 0.0
        step_bytes = 0
        for c in _copies(loop.body):
            if c.args[1].buffer.name in {g["buffer"] for g in groups}:
                ext = c.args[0].extents
                step_bytes += ext[0] * ext[1] * dtype_bytes(c.args[0].buffer.dtype)
        shapes = {g["axis"]: f.attrs[A.buffer_key(g["buffer"])]["tiles"] for g in groups}
        rows, k_tiles = shapes["x"][0], shapes["x"][1]
        cols = shapes["y"][1] if shapes["y"][0] == k_tiles else shapes["y"][0]
        tiles = rows * cols * k_tiles * loop.extent.value  # matmul tile ops per block
        gx, gy = (g.value for g in launch.grid)  # type: ignore[attr-defined]
        blocks = gx * gy
        plain_cores = min(blocks, dev[0] * dev[1])
        cycle = 1.0 / ARCH_CLOCK_HZ[arch]
        bw = ARCH_DRAM_BANDWIDTH[arch]
        per_tile = phases * MATMUL_TILE_CYCLES_PER_PHASE * cycle
        plain = max(-(-blocks // plain_cores) * tiles * per_tile, blocks * step_bytes * loop.extent.value / bw)
        rx, ry = rect
        reads = sum(self._group_bytes(loop, groups, grid, rect))
        compute, dram = rx * ry * tiles * per_tile, reads / bw
        return plain, max(compute, dram), (compute**2 + dram**2) ** 0.5

    @staticmethod
    def _group_bytes(loop: For, groups: list[dict[str, Any]], grid: tuple[int, int],
                     rect: tuple[int, int]) -> list[float]:
        """DRAM bytes each group reads under the plan: the sender of each of the cy core rows reads an A
        panel (a block row's K extent) at every one of its rx·ry steps, the sender of each of the cx core
        columns a B panel at every step (padded steps included)."""
        (cx, cy), (rx, ry) = grid, rect
        out = []
        by_name = {g["buffer"]: g for g in groups}
        for c in _copies(loop.body):
            g = by_name.get(c.args[1].buffer.name)
            if g is None:
                continue
            ext = c.args[0].extents
            panel = ext[0] * ext[1] * dtype_bytes(c.args[0].buffer.dtype) * loop.extent.value
            out.append(panel * (cy if g["axis"] == "x" else cx) * rx * ry)
        return out

    # -- operand pipeline: K step and stages ----------------------------------------------------
    def _pipeline(self, f: PrimFunc, launch: KernelLaunch, groups: list[dict[str, Any]], ctx: PassContext,
                  grid: tuple[int, int], *, single: bool) -> tuple[OperandPipeline | None, bool]:
        """The operand pipeline (``_operand_pipeline.choose_pipeline``) of the plan's K loop on a ``grid`` of
        cores, and whether the loop could be sized at all (False: no constant K loop holding the groups'
        copies, or one whose body is more than the copies filling the groups' buffers and the ``T.gemm``
        reading them: ``_fusable``; such a loop keeps the kernel's block_K and num_stages). ``single``: one
        block per core (its output block single-buffered in the L1 estimate). The stages are at least the
        loop's ``num_stages`` (``default_stages`` for a loop without one)."""
        names = {g["buffer"] for g in groups}
        loop = _k_loop(launch.body, names)
        if loop is None or self._fusable(loop, names) is None:  # other statements in the loop: as written
            return None, False
        arch = ctx.get("arch") if ctx.get("arch") in ARCH_CLOCK_HZ else "wormhole_b0"
        fidelity = ctx.get("math_fidelity")
        phases = MATH_FIDELITIES.index(fidelity) + 1 if fidelity in MATH_FIDELITIES else 4
        by_name = {g["buffer"]: g for g in groups}
        shapes = {g["axis"]: f.attrs[A.buffer_key(g["buffer"])]["tiles"] for g in groups}
        rows, kb = shapes["x"]
        cols = shapes["y"][1] if shapes["y"][0] == kb else shapes["y"][0]
        panel: dict[str, int] = {}
        opnd = 0  # bytes of one stage of the groups' buffers at the kernel's block_K
        for c in _copies(loop.body):
            g = by_name.get(c.args[1].buffer.name)
            if g is not None:
                ext = c.args[0].extents
                nbytes = ext[0] * ext[1] * dtype_bytes(c.args[0].buffer.dtype)
                panel[g["axis"]] = nbytes // kb
                opnd += nbytes
        default_stages = int(ctx.get("default_stages"))
        cur = max(int(loop.annotations.get("num_stages", default_stages) or 1), 1) if loop.kind == "pipelined" \
            else default_stages
        base = l1_estimate(launch, f.attrs, default_stages, out_stages=1 if single else None,
                           dst_tiles=_dst_tiles(ctx)) - opnd * cur
        budget = l1_budget(ctx)
        max_k = int(ctx.get("multicast_k_tiles"))
        pipe = choose_pipeline(
            clock_hz=ARCH_CLOCK_HZ[arch], dram_bw=ARCH_DRAM_BANDWIDTH[arch], noc_bytes=ARCH_NOC_BYTES_PER_CYCLE[arch],
            dram_latency=ARCH_DRAM_LATENCY_CYCLES[arch], tile_cycles=phases * MATMUL_TILE_CYCLES_PER_PHASE,
            out_tiles=rows * cols, block_k_tiles=kb, trips=loop.extent.value, panel_bytes_per_k_tile=panel,
            senders={"x": grid[1], "y": grid[0]}, max_k_tiles=max_k, min_stages=cur,
            fits=lambda g, st: base + opnd * g * st <= budget, drain_s=self._drain_s(f, launch, ctx) if single else 0.0)
        return pipe, True

    @staticmethod
    def _drain_s(f: PrimFunc, launch: KernelLaunch, ctx: PassContext) -> float:
        """Seconds of DRAM writes of the output tensors when the single ``T.gemm``'s accumulator is streamed to
        the writer sub-block by sub-block (larger than DST: ``_output_stream``), else 0 (nothing to overlap
        with a tail)."""
        gemms = [c for c in _calls(launch.body) if c.op == "tl.gemm" and isinstance(c.args[2], Buffer)]
        if len(gemms) != 1:
            return 0.0
        acc = gemms[0].args[2]
        rows, cols = f.attrs[A.buffer_key(acc.name)]["tiles"]
        if stream_rect(rows, cols, dst_capacity([acc.dtype], *_dst_tiles(ctx))) is None:
            return 0.0
        arch = ctx.get("arch") if ctx.get("arch") in ARCH_DRAM_BANDWIDTH else "wormhole_b0"
        out = 0
        for prm in f.params:
            info = f.attrs.get(A.buffer_key(prm.name), {})
            if info.get("role") == "output":
                n = 1
                for d in prm.shape:
                    n *= int(d)
                out += n * dtype_bytes(prm.dtype)
        return out / ARCH_DRAM_BANDWIDTH[arch]

    @staticmethod
    def _fusable(loop: For, names: set[str]) -> dict[str, int] | None:
        """Per group buffer, the dimension along which consecutive iterations of ``loop`` read adjacent
        regions, when the loop's body is exactly the copies filling the groups' buffers and the ``T.gemm``
        reading them (what lets ``_apply_pipeline`` fuse iterations); None otherwise."""
        stmts = loop.body.stmts if isinstance(loop.body, SeqStmt) else [loop.body]
        copies = [st.value for st in stmts if _is_call(st, "tl.copy")]
        gemms = [st.value for st in stmts if _is_call(st, "tl.gemm")]
        if len(copies) != len(names) or len(gemms) != 1 or len(stmts) != len(copies) + 1:
            return None
        dims: dict[str, int] = {}
        operands = {a.name for a in gemms[0].args[:2] if isinstance(a, Buffer)}
        for c in copies:
            src, dst = c.args[0], c.args[1]
            if dst.buffer.name not in names or dst.buffer.name not in operands:
                return None
            dim = _advance_dim(src, loop.var)
            if dim is None:
                return None
            dims[dst.buffer.name] = dim
        return dims

    def _apply_pipeline(self, f: PrimFunc, launch: KernelLaunch, groups: list[dict[str, Any]],
                        pipe: OperandPipeline) -> tuple[Stmt, dict[str, Any]]:
        """The K loop made a ``T.Pipelined`` loop of ``pipe.stages`` stages whose steps carry ``pipe.k_tiles``
        tiles of K: ``g`` = k_tiles / block_K consecutive iterations fused into one, as if the kernel had been
        written with ``block_K·g`` (each multicast step moves ``g`` times more data, its fixed cost —
        DRAM latency, the semaphore round trip — paid ``g`` times less often; the products and their
        summation order are unchanged). Returns the new body and the updated ``tt.buffer.*`` of the
        resized buffers."""
        names = {g["buffer"] for g in groups}
        loop = _k_loop(launch.body, names)
        assert loop is not None  # noqa: S101 - _pipeline sized it
        stmts = loop.body.stmts if isinstance(loop.body, SeqStmt) else [loop.body]
        kb = f.attrs[A.buffer_key(next(g["buffer"] for g in groups if g["axis"] == "x"))]["tiles"][1]
        g = pipe.k_tiles // kb
        extent = loop.extent.value
        annotations = {**loop.annotations, "num_stages": pipe.stages}
        new_bufs: dict[str, Buffer] = {}
        infos: dict[str, Any] = {}
        new_stmts: list[Stmt] = list(stmts)
        k2 = loop.var
        if g > 1:
            dims = self._fusable(loop, names)
            assert dims is not None  # noqa: S101 - _pipeline fuses only a fusable loop
            for c in (st.value for st in stmts if _is_call(st, "tl.copy")):
                old = c.args[1].buffer
                shape = list(old.shape)
                shape[dims[old.name]] *= g
                new_bufs[old.name] = Buffer(old.name, tuple(shape), old.dtype, old.scope, old.loc)
                info = dict(f.attrs[A.buffer_key(old.name)])
                info["shape"] = shape
                info["tiles"] = [shape[0] // TILE, shape[1] // TILE]
                infos[A.buffer_key(old.name)] = info
            k2 = Var(loop.var.name, loop.var.dtype, loop.var.loc)
            new_stmts = []
            for st in stmts:
                c = st.value
                if c.op == "tl.copy":
                    src, dst = c.args[0], c.args[1]
                    dim = dims[dst.buffer.name]
                    starts = tuple(substitute(x, {loop.var: k2 * g}) for x in src.starts)
                    ext = list(src.extents)
                    ext[dim] *= g
                    region = BufferRegion(src.buffer, starts, tuple(ext), src.loc)
                    new_stmts.append(Evaluate(Call("tl.copy", (region, BufferRegion.full(new_bufs[dst.buffer.name])),
                                                   c.dtype, c.loc), st.loc))
                else:
                    args = tuple(new_bufs.get(a.name, a) if isinstance(a, Buffer) else a for a in c.args)
                    new_stmts.append(Evaluate(Call(c.op, args, c.dtype, c.loc), st.loc))
        new_loop = For(k2, loop.min, IntImm(extent // g), "pipelined", seq(*new_stmts), annotations, loop.loc)

        class M(StmtExprMutator):
            def visit_For(self, node: For) -> Stmt:  # noqa: N802
                return new_loop if node is loop else self.generic_visit(node)

            def visit_Allocate(self, node: Allocate) -> Stmt:  # noqa: N802
                body = self.visit(node.body)
                return Allocate(new_bufs.get(node.buffer.name, node.buffer) if node.buffer.scope == "shared"
                                else node.buffer, body, node.loc)

        return M().visit(f.body), infos


def l1_estimate(launch: KernelLaunch, infos: dict[str, Any], default_stages: int, out_stages: int | None = None,
                dst_tiles: tuple[int, int] | None = None) -> int:
    """Bytes of L1 the circular buffers of a GEMM-like kernel take (as LowerSharedToCB and
    InsertDSTManagementTT will size them): each on-chip buffer filled by a copy in a pipelined loop
    ``num_stages`` (else ``default_stages``) blocks deep; an accumulator copied to an output tensor one
    output block ``out_stages`` (else ``default_stages``) deep in the tensor's format plus, when larger than DST, one block of
    partial sums in its own format. With ``dst_tiles`` (the options ``dst_tiles_16bit``, ``dst_tiles_fp32``), a
    ``T.gemm`` accumulator larger than DST copied to a tensor by one copy has a streamed output CB
    (:mod:`tt_build.transform._output_stream`: three DST sub-blocks with ``out_stages`` 1, one core running one
    block, else one block). ``infos``: the ``tt.buffer.*`` attributes (shapes after K coarsening)."""
    total = 0
    stages: dict[str, int] = {}
    drains: dict[str, int] = {}
    accumulators: set[str] = set()

    class V(StmtExprVisitor):
        def __init__(self) -> None:
            self.depth = [default_stages]

        def visit_For(self, node: For) -> None:  # noqa: N802
            pipelined = node.kind == "pipelined"
            if pipelined:
                self.depth.append(max(int(node.annotations.get("num_stages", default_stages) or 1), 1))
            self.generic_visit(node)
            if pipelined:
                self.depth.pop()

        def visit_Evaluate(self, node: Evaluate) -> None:  # noqa: N802
            c = node.value
            if isinstance(c, Call) and c.op == "tl.copy" and isinstance(c.args[1], BufferRegion) \
                    and c.args[1].buffer.scope != "global":
                stages[c.args[1].buffer.name] = self.depth[-1]
            elif isinstance(c, Call) and c.op == "tl.copy" and isinstance(c.args[1], BufferRegion):
                stages.setdefault("@out:" + c.args[0].buffer.name, 0)
                drains[c.args[0].buffer.name] = drains.get(c.args[0].buffer.name, 0) + 1
                stages["@dtype:" + c.args[0].buffer.name] = dtype_bytes(c.args[1].buffer.dtype)  # type: ignore[assignment]
            if isinstance(c, Call) and c.op == "tl.gemm" and isinstance(c.args[2], Buffer):
                accumulators.add(c.args[2].name)

    V().visit(launch.body)
    allocs: list[Buffer] = []
    body: Any = launch.body
    while isinstance(body, Allocate):
        allocs.append(body.buffer)
        body = body.body
    cap = None if dst_tiles is None else dst_capacity((b.dtype for b in allocs if b.scope == "fragment"), *dst_tiles)
    for b in allocs:
        info = infos.get(A.buffer_key(b.name), {})
        shape = info.get("shape", list(b.shape))
        tiles = (shape[0] // TILE) * (shape[1] // TILE) if len(shape) == 2 else 0  # noqa: PLR2004
        if b.name in stages:  # filled from a tensor
            total += tiles * TILE * TILE * dtype_bytes(b.dtype) * stages[b.name]
        if "@out:" + b.name in stages:  # copied to a tensor: output CB + partial sums
            pages = tiles * (out_stages or default_stages)
            rect = stream_rect(shape[0] // TILE, shape[1] // TILE, cap) if cap is not None and len(shape) == 2 \
                and b.name in accumulators and drains.get(b.name) == 1 else None  # noqa: PLR2004
            if rect is not None:
                pages = stream_depth(rect, tiles, 1 if out_stages == 1 else 2)
            total += pages * TILE * TILE * int(stages["@dtype:" + b.name])
            if cap is None or tiles > cap:  # the partial sums of an accumulator larger than DST
                total += tiles * TILE * TILE * dtype_bytes(b.dtype)
    return total


def _dst_tiles(ctx: PassContext) -> tuple[int, int]:
    """The DST capacities (16-bit, float32 accumulation) of the options, for ``l1_estimate``."""
    return int(ctx.get("dst_tiles_16bit")), int(ctx.get("dst_tiles_fp32"))


def _partial_axes(f: PrimFunc) -> dict[str, list[int]]:
    """The partial axes of each tensor parameter (``tt.buffer.<name>``'s ``partial``), as written."""
    return {p.name: list(info["partial"]) for p in f.params
            if (info := f.attrs.get(A.buffer_key(p.name), {})).get("partial")}


def _split_factors(f: PrimFunc, launch: KernelLaunch) -> list[tuple[int, int]]:
    """Candidate block splits (s along by, t along bx) for PlanMulticastTT: each split block at least 64
    elements (two tiles) along the split axis, so that a multicast step keeps moving whole panels."""
    def divisors(n: int) -> list[int]:
        return [d for d in range(1, n + 1) if n % d == 0]

    out = []
    sizes = {}
    for c in _copies(launch.body):
        for r in c.args[:2]:
            if isinstance(r, BufferRegion) and r.buffer.scope == "global":
                for v, axis in zip(launch.block_vars, ("x", "y")):
                    dims = [d for d, st in enumerate(r.starts) if uses_var(st, v)]
                    if len(dims) == 1:
                        sizes.setdefault(axis, r.extents[dims[0]])
    bm, bn = sizes.get("y", TILE), sizes.get("x", TILE)
    for s in divisors(max(bm // (2 * TILE), 1)):
        for t in divisors(max(bn // (2 * TILE), 1)):
            if (s, t) != (1, 1):
                out.append((s, t))
    return out


def _is_call(st: Any, op: str) -> bool:
    return isinstance(st, Evaluate) and isinstance(st.value, Call) and st.value.op == op


def _k_loop(body: Any, names: set[str]) -> For | None:
    """The innermost loop holding the copies into every buffer of ``names`` (constant bounds, from 0)."""
    found: list[For] = []

    class V(StmtExprVisitor):
        def visit_For(self, node: For) -> None:  # noqa: N802
            inner = {c.args[1].buffer.name for c in _copies(node.body) if isinstance(c.args[1], BufferRegion)}
            if names <= inner:
                found.append(node)
            self.generic_visit(node)

    V().visit(body)
    if not found:
        return None
    loop = found[-1]
    if not (isinstance(loop.min, IntImm) and loop.min.value == 0 and isinstance(loop.extent, IntImm)):
        return None
    return loop


def _advance_dim(src: BufferRegion, k: Var) -> int | None:
    """The dimension along which iteration k + 1 reads the region right after iteration k's, if it is one."""
    dims = [i for i, st in enumerate(src.starts) if uses_var(st, k)]
    if len(dims) != 1:
        return None
    d = dims[0]
    env = {v: 0 for v in _free(src.starts[d]) if v is not k}
    try:
        steps = [eval_int(src.starts[d], {**env, k: i}) for i in range(3)]
    except (KeyError, TypeError):
        return None
    if steps[1] - steps[0] != src.extents[d] or steps[2] - steps[1] != src.extents[d]:
        return None
    return d


def _free(e: Any) -> list[Var]:
    out: list[Var] = []

    class V(StmtExprVisitor):
        def visit_Var(self, v: Var) -> None:  # noqa: N802
            out.append(v)

    V().visit(e)
    return out


def _launch(f: PrimFunc) -> KernelLaunch | None:
    found: list[KernelLaunch] = []

    class V(StmtExprVisitor):
        def visit_KernelLaunch(self, node: KernelLaunch) -> None:  # noqa: N802
            found.append(node)

    V().visit(f.body)
    return found[0] if len(found) == 1 else None


def _calls(body: Any) -> list[Call]:
    out: list[Call] = []

    class V(StmtExprVisitor):
        def visit_Evaluate(self, node: Evaluate) -> None:  # noqa: N802
            if isinstance(node.value, Call):
                out.append(node.value)

    V().visit(body)
    return out


def _copies(body: Any) -> list[Call]:
    out: list[Call] = []

    class V(StmtExprVisitor):
        def visit_Evaluate(self, node: Evaluate) -> None:  # noqa: N802
            if isinstance(node.value, Call) and node.value.op == "tl.copy":
                out.append(node.value)

    V().visit(body)
    return out


def _branches_on(body: Any, block_vars: tuple[Var, ...]) -> bool:
    """True when a branch condition or a loop bound depends on a block index (no lock-step then)."""
    hit = False

    class V(StmtExprVisitor):
        def visit_IfThenElse(self, node: IfThenElse) -> None:  # noqa: N802
            nonlocal hit
            if any(uses_var(node.cond, v) for v in block_vars):
                hit = True
            self.generic_visit(node)

        def visit_For(self, node: For) -> None:  # noqa: N802
            nonlocal hit
            if any(uses_var(e, v) for e in (node.min, node.extent) for v in block_vars):
                hit = True
            self.generic_visit(node)

    V().visit(body)
    return hit
