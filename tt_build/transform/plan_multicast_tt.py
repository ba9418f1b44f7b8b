"""tt.PlanMulticastTT — map a 2-D block grid onto a 2-D core grid whose rows and columns share operands.

Requires: ``tt.work_partition`` / ``tt.grid_blocks`` (LayoutAwareWorkPartitionTT), ``tt.buffer.<param>``;
option ``multicast`` (default on).
Produces, when the kernel qualifies, ``tt.multicast`` and a new ``tt.work_partition``,
``tt.core_grid``, ``tt.core_ranges``:

* the block grid ``(gx, gy)`` is mapped onto a core grid ``(cx, cy)`` (the largest divisors of ``gx`` and
  ``gy`` within the device grid); core ``(x, y)`` runs the ``rx × ry`` rectangle of blocks
  ``bx ∈ [x·rx, (x+1)·rx)``, ``by ∈ [y·ry, (y+1)·ry)`` (``rx = gx / cx``, ``ry = gy / cy``) in lock-step
  with every other core: at step ``l`` each core runs block ``(x·rx + l % rx, y·ry + l // rx)``, so all
  cores of a core row work on the same ``by`` and all cores of a core column on the same ``bx``;
* an on-chip buffer filled by ``T.copy`` from an input tensor whose region depends on ``by`` and not on
  ``bx`` holds the same block on every core of a core row: it becomes a multicast group along ``x`` (the
  core at ``x = 0`` reads it from memory and multicasts it to cores ``x = 1 … cx-1`` of its row); one
  depending on ``bx`` only, a group along ``y`` (sender at ``y = 0``). Each group gets two semaphores
  (``ready``: receivers count in at the sender; ``valid``: the sender announces the block's arrival);
  the group along ``y`` runs on the writer's data-movement RISC, so the two operands are read by the two
  RISCs.

The decision comes from the dataflow (which block index a copy's source region uses), never from names.
A kernel qualifies when it has a 2-D ``T.Kernel`` grid, global partition mode, no branch whose condition
depends on a block index (the cores must issue the same circular-buffer operations in lock-step), at
least one group along each axis and a core grid of at least 2 × 2. Anything else (1-D grids, single
core, sharded tensors) keeps the plain partition of LayoutAwareWorkPartitionTT.
Leaves alone: the body.
"""

from __future__ import annotations

from typing import Any

from tt_build.ir import (
    BufferRegion,
    Call,
    Evaluate,
    For,
    IfThenElse,
    IRModule,
    KernelLaunch,
    PrimFunc,
    StmtExprVisitor,
    Var,
)
from tt_build.ir import attrs as A
from tt_build.transform.base import Pass, PassContext
from tt_build.transform.layout_aware_work_partition_tt import core_ranges
from tt_build.transform.split_device_kernel import uses_var

__all__ = ["PlanMulticastTT", "block_of_step", "largest_divisor_at_most"]


def largest_divisor_at_most(n: int, limit: int) -> int:
    """The largest divisor of ``n`` that is ``<= limit``."""
    return max(d for d in range(1, min(n, limit) + 1) if n % d == 0)


def block_of_step(core: tuple[int, int], step: int, rect: tuple[int, int]) -> tuple[int, int]:
    """The block (bx, by) core ``core`` runs at lock-step ``step`` when each core runs ``rect`` blocks."""
    rx, ry = rect
    return core[0] * rx + step % rx, core[1] * ry + step // rx


class PlanMulticastTT(Pass):
    name = "tt.PlanMulticastTT"

    def transform(self, mod: IRModule, ctx: PassContext) -> IRModule:
        if not ctx.get("multicast"):
            return mod
        return IRModule({n: self._func(f, ctx) for n, f in mod.functions.items()}, dict(mod.attrs), mod.loc)

    def _func(self, f: PrimFunc, ctx: PassContext) -> PrimFunc:  # noqa: ARG002
        if f.attrs.get(A.PARTITION_MODE) != "global":
            return f
        launch = _launch(f)
        grid = f.attrs[A.GRID_BLOCKS]
        if launch is None or len(grid) != 2 or _branches_on(launch, launch.block_vars):
            return f
        bx, by = launch.block_vars
        groups = self._groups(f, launch, bx, by)
        axes = {g["axis"] for g in groups}
        if axes != {"x", "y"}:
            return f
        dev_x, dev_y = f.attrs[A.DEVICE_GRID]
        gx, gy = grid
        cx, cy = largest_divisor_at_most(gx, dev_x), largest_divisor_at_most(gy, dev_y)
        if cx < 2 or cy < 2:  # noqa: PLR2004 - a 2-D grid needs two cores each way
            return f
        rx, ry = gx // cx, gy // cy
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
            mcores.append({"core": [x, y], "groups": entry})
        attrs = dict(f.attrs)
        attrs[A.MULTICAST] = {"core_grid": [cx, cy], "block_grid": [gx, gy], "blocks_per_core": [rx, ry],
                              "groups": groups, "cores": mcores}
        attrs[A.WORK_PARTITION] = work
        attrs[A.CORE_GRID] = [cx, cy]
        attrs[A.CORE_RANGES] = core_ranges(cores, cx)
        return PrimFunc(f.name, f.params, f.body, attrs, f.loc)

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
            groups.append({"group": name, "buffer": name, "tensor": src.buffer.name, "axis": axis,
                           "role": "reader" if axis == "x" else "writer"})
        # one group per axis: a second buffer along the same axis keeps its plain reads
        seen: set[str] = set()
        out = []
        for g in groups:
            if g["axis"] not in seen:
                seen.add(g["axis"])
                out.append(g)
        return out


def _launch(f: PrimFunc) -> KernelLaunch | None:
    found: list[KernelLaunch] = []

    class V(StmtExprVisitor):
        def visit_KernelLaunch(self, node: KernelLaunch) -> None:  # noqa: N802
            found.append(node)

    V().visit(f.body)
    return found[0] if len(found) == 1 else None


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
