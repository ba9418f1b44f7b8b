"""tt.GridToCoreGrid — turn the ``T.Kernel`` grid into a per-core persistent loop.

Requires: ``tt.work_partition`` (LayoutAwareWorkPartitionTT); reads ``tt.multicast`` and ``tt.shard_blocks``.
Produces: the ``KernelLaunch`` is replaced by ``for blk in T.serial(start, start + count)`` where
``start`` and ``count`` are runtime-argument variables of each core, and the block indices are
recovered from the linear block id in row-major grid order (``bx = blk % grid_x``,
``by = blk // grid_x``); ``tt.persistent`` names those variables.
With a ``tt.multicast`` plan (PlanMulticastTT), or a ``tt.shard_blocks`` rectangle partition of a sharded
kernel (LayoutAwareWorkPartitionTT), the linear block id counts lock-step steps core by core instead:
core ``c = blk // (rx·ry)`` (row-major over the plan's core grid ``(cx, cy)``) runs its ``rx × ry``
steps in lock-step order, ``l = blk % (rx·ry)``: ``bx = min((c % cx)·rx + l % rx, gx − 1)``,
``by = min((c // cx)·ry + l // rx, gy − 1)`` (the ``min`` only where the last core column / row of a
multicast plan is short: its padded steps repeat its last block column / row).
Leaves alone: everything inside the kernel body.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tt_build.ir import BinaryOp, For, IntImm, IRModule, KernelLaunch, LetStmt, PrimFunc, StmtExprMutator, Var
from tt_build.ir import attrs as A
from tt_build.transform.base import Pass, PassContext

if TYPE_CHECKING:
    from tt_build.ir import Stmt

__all__ = ["GridToCoreGrid"]


class GridToCoreGrid(Pass):
    name = "tt.GridToCoreGrid"

    def transform(self, mod: IRModule, ctx: PassContext) -> IRModule:  # noqa: ARG002
        return IRModule({n: self._func(f) for n, f in mod.functions.items()}, dict(mod.attrs), mod.loc)

    def _func(self, f: PrimFunc) -> PrimFunc:
        start = Var("start_block", "uint32")
        count = Var("num_blocks", "uint32")
        blk = Var("block", "uint32")
        names: list[str] = []
        plan = f.attrs.get(A.MULTICAST)
        if plan is None and A.SHARD_BLOCKS in f.attrs:  # the same core-by-core rectangle order
            rects = f.attrs[A.SHARD_BLOCKS]
            (cx, cy), (rx, ry) = rects["rect_grid"], rects["blocks_per_core"]  # rectangles tile the grid exactly
            plan = {"core_grid": [cx, cy], "blocks_per_core": [rx, ry], "block_grid": [cx * rx, cy * ry]}

        class M(StmtExprMutator):
            def visit_KernelLaunch(self, node: KernelLaunch) -> Stmt:  # noqa: N802
                body = node.body
                # innermost first: by = (blk // gx) % gy ... built from the last grid dim outward
                extents = [g.value for g in node.grid]  # type: ignore[attr-defined]
                lets: list[tuple[Var, object]] = []
                if plan is not None:
                    (cx, cy), (rx, ry), (gx, gy) = plan["core_grid"], plan["blocks_per_core"], plan["block_grid"]
                    core, step = (blk // IntImm(rx * ry), blk % IntImm(rx * ry)) if rx * ry > 1 else (blk, IntImm(0))
                    bx = core % IntImm(cx) * IntImm(rx) + step % IntImm(rx)
                    by = core // IntImm(cx) * IntImm(ry) + step // IntImm(rx)
                    if cx * rx > gx:  # a short last core column: its padded steps repeat its last block column
                        bx = BinaryOp("min", bx, IntImm(gx - 1), bx.dtype)
                    if cy * ry > gy:
                        by = BinaryOp("min", by, IntImm(gy - 1), by.dtype)
                    lets = [(node.block_vars[0], bx), (node.block_vars[1], by)]
                    names.extend(v.name for v in node.block_vars)
                    for v, value in reversed(lets):
                        body = LetStmt(v, value, body, node.loc)  # type: ignore[arg-type]
                    return For(blk, start, count, "serial", body, {"persistent": True}, node.loc)
                stride = 1
                for v, ext in zip(node.block_vars, extents):
                    value = blk if stride == 1 else blk // IntImm(stride)
                    if stride * ext < _total(extents):
                        value = value % IntImm(ext)
                    lets.append((v, value))
                    names.append(v.name)
                    stride *= ext
                for v, value in reversed(lets):
                    body = LetStmt(v, value, body, node.loc)  # type: ignore[arg-type]
                return For(blk, start, count, "serial", body, {"persistent": True}, node.loc)

        body = M().visit(f.body)
        attrs = dict(f.attrs)
        attrs[A.PERSISTENT] = {"start_var": start.name, "count_var": count.name, "block_vars": names,
                               "block_var": blk.name}
        return PrimFunc(f.name, f.params, body, attrs, f.loc)


def _total(extents: list[int]) -> int:
    n = 1
    for e in extents:
        n *= e
    return n
