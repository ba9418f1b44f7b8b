"""tt.LowerSharedToCB — give every on-chip buffer its circular buffer (or DST residence).

Requires: ``tt.buffer.<onchip>`` (PropagateTTLayout); options ``default_stages``, ``l1_budget``.
Produces: ``tt.cb.<onchip>`` for each ``T.alloc_shared`` / ``T.alloc_fragment`` buffer, from dataflow:

* ``input``: filled by ``T.copy`` from a tensor (the reader produces it); depth = ``num_stages`` of
  the enclosing ``T.Pipelined`` loop (else ``default_stages``) × block pages;
* ``output``: copied by ``T.copy`` to a tensor (the writer drains it); a fragment is packed into it
  from DST by compute; depth = ``default_stages`` × block pages;
* ``intermediate``: written and read on chip only, held in a CB (shared buffers);
* ``dst``: a fragment only ever used in DST (no CB).

A buffer that is allocated but never used gets no ``tt.cb.*`` entry (no CB, no L1).

CB ids: inputs from 0, outputs from 16, intermediates from 24 (the usual TT-Metalium convention),
within each kind in allocation order (the order of the ``T.alloc_shared`` / ``T.alloc_fragment``
statements, not of first use), moved up when a range is full; more than 32 CBs is an error, so is a
CB total above the L1 budget. The ``Allocate`` statements are removed: the attrs describe the buffers.
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
    IRModule,
    PrimFunc,
    StmtExprMutator,
    StmtExprVisitor,
)
from tt_build.ir import attrs as A
from tt_build.transform._analysis import TILE
from tt_build.transform.base import Pass, PassContext, l1_budget

__all__ = ["MAX_CBS", "LowerSharedToCB"]

MAX_CBS = 32
_PAGE = {"Float16_b": TILE * TILE * 2, "Float32": TILE * TILE * 4}


class LowerSharedToCB(Pass):
    name = "tt.LowerSharedToCB"

    def transform(self, mod: IRModule, ctx: PassContext) -> IRModule:
        return IRModule({n: self._func(f, ctx) for n, f in mod.functions.items()}, dict(mod.attrs), mod.loc)

    def _func(self, f: PrimFunc, ctx: PassContext) -> PrimFunc:  # noqa: C901, PLR0912
        order: list[Buffer] = []
        filled: dict[Buffer, int] = {}  # buffer -> stages of the reader copy
        drained: set[Buffer] = set()
        default_stages = int(ctx.get("default_stages"))
        names: dict[str, Buffer] = {}
        pass_ = self

        class V(StmtExprVisitor):
            def __init__(self) -> None:
                self.stages: list[int] = []

            def visit_Allocate(self, node: Allocate) -> None:  # noqa: N802
                b = node.buffer
                if b.name in names and names[b.name] is not b:
                    raise pass_.error(f"on-chip buffer name {b.name} is allocated twice", node.loc,
                                      hint="give every T.alloc_shared / T.alloc_fragment its own variable name")
                names[b.name] = b
                order.append(b)
                self.generic_visit(node)

            def visit_For(self, node: For) -> None:  # noqa: N802
                pipelined = node.kind == "pipelined"
                if pipelined:
                    stages = int(node.annotations.get("num_stages", default_stages) or 1)
                    self.stages.append(max(stages, 1))
                self.generic_visit(node)
                if pipelined:
                    self.stages.pop()

            def visit_Evaluate(self, node: Evaluate) -> None:  # noqa: N802
                call = node.value
                if isinstance(call, Call) and call.op == "tl.copy":
                    src, dst = call.args
                    if isinstance(src, BufferRegion) and src.buffer.scope == "global":
                        filled[dst.buffer] = self.stages[-1] if self.stages else default_stages
                    if isinstance(dst, BufferRegion) and dst.buffer.scope == "global":
                        drained.add(src.buffer)

        V().visit(f.body)
        used: set[Buffer] = set()

        class Uses(StmtExprVisitor):
            def visit_Allocate(self, node: Allocate) -> None:  # noqa: N802
                self.visit(node.body)

            def visit_Buffer(self, node: Buffer) -> None:  # noqa: N802
                used.add(node)

        Uses().visit(f.body)
        order = [b for b in order if b in used]  # a buffer the kernel never touches gets no CB

        kinds: dict[Buffer, str] = {}
        for b in order:
            if b in filled:
                kinds[b] = "input"
            elif b in drained:
                kinds[b] = "output"
            elif b.scope == "fragment":
                kinds[b] = "dst"
            else:
                kinds[b] = "intermediate"
        next_id = {"input": 0, "output": 16, "intermediate": 24}
        used: set[int] = set()
        attrs = dict(f.attrs)
        total_bytes = 0
        with_cb = [b for b in order if kinds[b] != "dst"]
        if len(with_cb) > MAX_CBS:
            first_over = with_cb[MAX_CBS]
            raise self.error(f"kernel {f.name} needs {len(with_cb)} circular buffers; a Tensix core has at most "
                             f"{MAX_CBS} ({first_over.name} is number {MAX_CBS + 1})", first_over.loc or f.loc,
                             hint="use fewer T.alloc_shared / T.alloc_fragment buffers (reuse a buffer across "
                                  "T.copy calls, or split the kernel)")
        for kind in ("input", "output", "intermediate"):
            for b in (b for b in order if kinds[b] == kind):
                cb_id = next_id[kind]
                while cb_id in used:
                    cb_id += 1
                if cb_id >= MAX_CBS:  # a range overflowed: take the lowest free id
                    cb_id = min(set(range(MAX_CBS)) - used)
                used.add(cb_id)
                next_id[kind] = cb_id + 1
                info = attrs[A.buffer_key(b.name)]
                tiles = info["tiles"][0] * info["tiles"][1]
                stages = filled.get(b, default_stages)
                page = info.get("page_size", _PAGE[info["data_format"]])
                cb: dict[str, Any] = {
                    "cb_id": cb_id,
                    "kind": kind,
                    "data_format": info["data_format"],
                    "page_size": page,
                    "block_pages": tiles,
                    "stages": stages,
                    "depth_pages": stages * tiles,
                }
                total_bytes += cb["depth_pages"] * page
                attrs[A.cb_key(b.name)] = cb
        for b in (b for b in order if kinds[b] == "dst"):
            info = attrs[A.buffer_key(b.name)]
            attrs[A.cb_key(b.name)] = {"cb_id": None, "kind": "dst", "block_pages": info["tiles"][0] * info["tiles"][1],
                                       "data_format": info["data_format"]}
        budget = l1_budget(ctx)
        if total_bytes > budget:
            detail = ", ".join(f"{b.name}: {attrs[A.cb_key(b.name)]['depth_pages']} pages" for b in with_cb)
            largest = max(with_cb, key=lambda b: attrs[A.cb_key(b.name)]["depth_pages"]
                          * attrs[A.cb_key(b.name)]["page_size"])
            raise self.error(f"circular buffers need {total_bytes} bytes of L1 but only {budget} are available "
                             f"({detail}); the largest is {largest.name}", largest.loc or f.loc,
                             hint="reduce the block sizes or num_stages")

        class Strip(StmtExprMutator):
            def visit_Allocate(self, node: Allocate) -> Any:  # noqa: N802
                return self.visit(node.body)

        return PrimFunc(f.name, f.params, Strip().visit(f.body), attrs, f.loc)
