"""tt.GridToCoreGrid — turn the ``T.Kernel`` grid into a per-core persistent loop.

Requires: ``tt.work_partition`` (LayoutAwareWorkPartitionTT); reads ``tt.multicast`` and ``tt.shard_blocks``.
Produces: the ``KernelLaunch`` is replaced by ``for blk in T.serial(start, start + count)`` where
``start`` and ``count`` are runtime-argument variables of each core, and the block indices are
recovered from the linear block id in row-major grid order (``bx = blk % grid_x``,
``by = blk // grid_x``); ``tt.persistent`` names those variables.
With a ``tt.multicast`` plan (PlanMulticastTT), or a ``tt.shard_blocks`` rectangle partition of a sharded
kernel (LayoutAwareWorkPartitionTT), the linear block id counts blocks core by core instead:
core ``c = blk // (rx·ry)`` (row-major over the plan's core grid ``(cx, cy)``) runs its ``rx × ry``
rectangle in lock-step order, ``l = blk % (rx·ry)``: ``bx = (c % cx)·rx + l % rx``,
``by = (c // cx)·ry + l // rx``.
Leaves alone: everything inside the kernel body.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tt_build.ir import For, IntImm, IRModule, KernelLaunch, LetStmt, PrimFunc, StmtExprMutator, Var
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
            plan = {"core_grid": rects["rect_grid"], "blocks_per_core": rects["blocks_per_core"]}

        class M(StmtExprMutator):
            def visit_KernelLaunch(self, node: KernelLaunch) -> Stmt:  # noqa: N802
                body = node.body
                # innermost first: by = (blk // gx) % gy ... built from the last grid dim outward
                extents = [g.value for g in node.grid]  # type: ignore[attr-defined]
                lets: list[tuple[Var, object]] = []
                if plan is not None:
                    (cx, _), (rx, ry) = plan["core_grid"], plan["blocks_per_core"]
                    core, step = (blk // IntImm(rx * ry), blk % IntImm(rx * ry)) if rx * ry > 1 else (blk, IntImm(0))
                    lets = [(node.block_vars[0], core % IntImm(cx) * IntImm(rx) + step % IntImm(rx)),
                            (node.block_vars[1], core // IntImm(cx) * IntImm(ry) + step // IntImm(rx))]
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
