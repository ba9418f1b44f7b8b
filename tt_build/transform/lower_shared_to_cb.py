"""tt.LowerSharedToCB — give every on-chip buffer its circular buffer (or DST residence).

Requires: ``tt.buffer.<onchip>`` (PropagateTTLayout); options ``default_stages``, ``l1_budget``.
Produces: ``tt.cb.<onchip>`` for each ``T.alloc_shared`` / ``T.alloc_fragment`` buffer, from dataflow:

* ``input``: filled by ``T.copy`` from a tensor or by an element gather (the reader produces it; a gather's
  ``<dst>_rm`` block holds row-major rows in tile-sized pages, compute tilizes it into ``<dst>``); depth = ``num_stages`` of
  the enclosing ``T.Pipelined`` loop (else ``default_stages``) × block pages (under a 2-D multicast plan the
  loop's stages are the plan's operand pipeline, PlanMulticastTT);
* ``output``: copied by ``T.copy`` to a tensor (the writer drains it); a fragment is packed into it
  from DST by compute; depth = ``default_stages`` × block pages, one block when the kernel runs a 2-D
  multicast plan (``tt.multicast``) with one block per core (nothing for a second stage to overlap).
  A ``T.gemm`` accumulator larger than DST (``dst_tiles_fp32`` / ``dst_tiles_16bit``) copied to a tensor by
  one ``T.copy`` is *streamed* (:mod:`tt_build.transform._output_stream`): ``stream`` = [rt, ct], the DST
  sub-block compute pushes it in (InsertDSTManagementTT) and the writer drains it in (LowerCBIntrinsics);
  depth = three sub-blocks when every core runs one block, else one block (``stages`` counts sub-blocks);
* ``intermediate``: written and read on chip only, held in a CB (shared buffers);
* ``dst``: a fragment only ever used in DST (no CB);
* ``staged``: a fragment computed by expression trees or reductions, or read by other statements
  (:func:`tt_build.ir.rowwise.staged_analysis`): compute fills and reads it, one block deep, in its own
  precision; one copied to a tensor also gets an ``output`` CB ``<fragment>_out`` (``drained_by`` /
  ``drains``) the writer drains; a staged fragment filled from a tensor or used as a ``T.gemm``
  accumulator is a diagnostic;
* ``scaler``: ``reduce_scaler``, the bfloat16 tile of 1.0s ``reduce_tile`` reads (two pages), when the
  kernel has a ``T.reduce_*``; a ``T.reduce_min`` / ``reduce_abssum`` / ``reduce_absmax`` also gets a staged
  float32 block ``<dst>_<kind>_src`` (``prepares`` / ``reduce``) for its negated / absolute source.

A buffer that is allocated but never used gets no ``tt.cb.*`` entry (no CB, no L1).

CB ids: inputs from 0, the scaler from 8, outputs from 16, intermediates and staged fragments from 24 (the
usual TT-Metalium convention), within each kind in allocation order (the order of the ``T.alloc_shared`` / ``T.alloc_fragment``
statements, not of first use), moved up when a range is full; more than 32 CBs is an error, so is a
CB total above the L1 budget (less the shards of L1-sharded tensors, which share each core's L1). The ``Allocate`` statements are removed: the attrs describe the buffers.
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
from tt_build.ir.rowwise import PREPARED_REDUCES, RowwiseError, staged_analysis
from tt_build.transform._analysis import TILE
from tt_build.transform._output_stream import dst_capacity, stream_depth, stream_rect
from tt_build.transform.base import Pass, PassContext, l1_budget

__all__ = ["MAX_CBS", "SCALER_NAME", "LowerSharedToCB"]

MAX_CBS = 32
_PAGE = {"Float16_b": TILE * TILE * 2, "Float16": TILE * TILE * 2, "Float32": TILE * TILE * 4}
_FORMAT = {"bfloat16": "Float16_b", "float16": "Float16", "float32": "Float32"}
#: name of the CB holding the reduce scaler tile (made unique against the kernel's buffers)
SCALER_NAME = "reduce_scaler"


class LowerSharedToCB(Pass):
    name = "tt.LowerSharedToCB"

    def transform(self, mod: IRModule, ctx: PassContext) -> IRModule:
        return IRModule({n: self._func(f, ctx) for n, f in mod.functions.items()}, dict(mod.attrs), mod.loc)

    def _func(self, f: PrimFunc, ctx: PassContext) -> PrimFunc:  # noqa: C901, PLR0912
        order: list[Buffer] = []
        filled: dict[Buffer, int] = {}  # buffer -> stages of the reader copy
        drained: dict[Buffer, int] = {}  # buffer -> number of copies to a tensor
        accumulators: set[Buffer] = set()  # T.gemm accumulators
        drains: dict[Buffer, Buffer] = {}  # staged fragment -> the output CB the writer drains
        reduces: list[Any] = []  # locations of the T.reduce_* calls
        prepared: dict[tuple[str, str], Buffer] = {}  # (dst, kind) of a reduce_min/abssum/absmax -> its source
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
                if isinstance(call, Call) and call.op == "tl.reduce":
                    reduces.append(call.loc)
                    if call.args[2].value in PREPARED_REDUCES:
                        prepared.setdefault((call.args[1].name, call.args[2].value), call.args[0])
                if isinstance(call, Call) and call.op == "tl.gather":  # the reader fills the row-major block
                    filled[call.args[0].dst] = self.stages[-1] if self.stages else default_stages
                if isinstance(call, Call) and call.op == "tl.copy":
                    src, dst = call.args
                    if isinstance(src, BufferRegion) and src.buffer.scope == "global":
                        filled[dst.buffer] = self.stages[-1] if self.stages else default_stages
                    if isinstance(dst, BufferRegion) and dst.buffer.scope == "global":
                        drained[src.buffer] = drained.get(src.buffer, 0) + 1
                if isinstance(call, Call) and call.op == "tl.gemm" and isinstance(call.args[2], Buffer):
                    accumulators.add(call.args[2])

        V().visit(f.body)
        used: set[Buffer] = set()

        class Uses(StmtExprVisitor):
            def visit_Allocate(self, node: Allocate) -> None:  # noqa: N802
                self.visit(node.body)

            def visit_Buffer(self, node: Buffer) -> None:  # noqa: N802
                used.add(node)

        Uses().visit(f.body)
        order = [b for b in order if b in used]  # a buffer the kernel never touches gets no CB

        try:
            staged, _ = staged_analysis(f.body)
        except RowwiseError as exc:
            raise self.error(exc.msg, exc.loc, hint=exc.hint) from None
        attrs = dict(f.attrs)
        taken = {b.name for b in names.values()} | {p.name for p in f.params}

        def fresh(base: str) -> str:
            name, n = base, 0
            while name in taken:
                n += 1
                name = f"{base}{n}"
            taken.add(name)
            return name

        kinds: dict[Buffer, str] = {}
        extra: list[Buffer] = []  # companion CBs: the output of a drained staged fragment, the reduce scaler
        prep_of: dict[Buffer, tuple[str, str]] = {}  # prepared reduce sources -> (dst, kind)
        for b in order:
            if b in staged:
                if b in filled:
                    raise self.error(f"fragment {b.name} is computed element-wise / reduced, so it cannot also be "
                                     "filled from a tensor by T.copy", b.loc,
                                     hint=f"T.copy the tensor block into a T.alloc_shared buffer and read that "
                                          f"(or T.copy it into {b.name})")
                kinds[b] = "staged"
                info = attrs[A.buffer_key(b.name)]
                if b in drained:
                    out = Buffer(fresh(f"{b.name}_out"), b.shape, b.dtype, "shared", b.loc)
                    attrs[A.buffer_key(out.name)] = {**info, "scope": "shared"}
                    kinds[out] = "output"
                    extra.append(out)
                    drains[b] = out
                info["data_format"] = _FORMAT[b.dtype]  # the staged tiles keep the fragment's own precision
                info["page_size"] = _PAGE[info["data_format"]]
                info.pop("pack_dtype", None)
            elif b in filled:
                kinds[b] = "input"
            elif b in drained:
                kinds[b] = "output"
            elif b.scope == "fragment":
                kinds[b] = "dst"
            else:
                kinds[b] = "intermediate"
        for (dst_name, kind), src in prepared.items():  # the negated / absolute source, in float32
            tmp = Buffer(fresh(f"{dst_name}_{kind}_src"), src.shape, "float32", "fragment", src.loc)
            sinfo = attrs[A.buffer_key(src.name)]
            attrs[A.buffer_key(tmp.name)] = {"scope": "fragment", "dtype": "float32", "shape": list(src.shape),
                                             "tiles": list(sinfo["tiles"]), "data_format": "Float32", "local": False,
                                             "page_size": _PAGE["Float32"]}
            kinds[tmp] = "staged"
            extra.append(tmp)
            prep_of[tmp] = (dst_name, kind)
        if reduces:
            sc = Buffer(fresh(SCALER_NAME), (TILE, TILE), "bfloat16", "shared", reduces[0])
            attrs[A.buffer_key(sc.name)] = {"scope": "shared", "dtype": "bfloat16", "shape": [TILE, TILE],
                                            "tiles": [1, 1], "data_format": "Float16_b", "local": False,
                                            "page_size": _PAGE["Float16_b"]}
            kinds[sc] = "scaler"
            extra.append(sc)
        order = order + extra
        next_id = {"input": 0, "output": 16, "intermediate": 24, "staged": 24, "scaler": 8}
        used: set[int] = set()
        total_bytes = 0
        with_cb = [b for b in order if kinds[b] != "dst"]
        if len(with_cb) > MAX_CBS:
            first_over = with_cb[MAX_CBS]
            raise self.error(f"kernel {f.name} needs {len(with_cb)} circular buffers; a Tensix core has at most "
                             f"{MAX_CBS} ({first_over.name} is number {MAX_CBS + 1})", first_over.loc or f.loc,
                             hint="use fewer T.alloc_shared / T.alloc_fragment buffers (reuse a buffer across "
                                  "T.copy calls, or split the kernel)")
        single_block = A.MULTICAST in attrs and all(w["count"] == 1 for w in attrs.get(A.WORK_PARTITION) or [{}])
        blocks_per_core = max((w["count"] for w in attrs.get(A.WORK_PARTITION) or []), default=1)
        cap = dst_capacity((attrs[A.buffer_key(b.name)]["dtype"] for b in order if b.scope == "fragment"),
                           int(ctx.get("dst_tiles_16bit")), int(ctx.get("dst_tiles_fp32")))
        for kind in ("input", "scaler", "output", "intermediate", "staged"):
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
                # compute holds / hands over one block; a multicast core running one block writes it once
                one_block = kind == "staged" or b in drains.values() or (kind == "output" and single_block)
                stages = filled.get(b, 2 if kind == "scaler" else 1 if one_block else default_stages)
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
                # a T.gemm accumulator larger than DST, drained by one copy, is pushed sub-block by sub-block
                # in its last K step: the writer drains it at that granule, the CB holds a few sub-blocks
                rect = stream_rect(*info["tiles"], cap) if kind == "output" and b in accumulators \
                    and drained.get(b) == 1 and len(info["tiles"]) == 2 else None  # noqa: PLR2004
                if rect is not None:
                    cb["stream"] = rect
                    cb["depth_pages"] = stream_depth(rect, tiles, blocks_per_core)
                    cb["stages"] = cb["depth_pages"] // (rect[0] * rect[1])
                if b in drains:
                    cb["drained_by"] = drains[b].name
                if b in prep_of:
                    cb["prepares"], cb["reduce"] = prep_of[b]
                if kind == "output" and b in drains.values():
                    cb["drains"] = next(k.name for k, v in drains.items() if v is b)
                total_bytes += cb["depth_pages"] * page
                attrs[A.cb_key(b.name)] = cb
        for b in (b for b in order if kinds[b] == "dst"):
            info = attrs[A.buffer_key(b.name)]
            attrs[A.cb_key(b.name)] = {"cb_id": None, "kind": "dst", "block_pages": info["tiles"][0] * info["tiles"][1],
                                       "data_format": info["data_format"]}
        # the shards of L1-sharded tensors (LayoutAwareWorkPartitionTT) share each core's L1 with the CBs
        shards = sum(v["shard_shape"][0] * v["shard_shape"][1] * v["page_size"] for k, v in attrs.items()
                     if k.startswith(A.BUFFER_PREFIX) and "shard_shape" in v)
        budget = l1_budget(ctx) - shards
        if total_bytes > budget:
            detail = ", ".join(f"{b.name}: {attrs[A.cb_key(b.name)]['depth_pages']} pages" for b in with_cb)
            largest = max(with_cb, key=lambda b: attrs[A.cb_key(b.name)]["depth_pages"]
                          * attrs[A.cb_key(b.name)]["page_size"])
            after = f" after the shards of sharded tensors ({shards} bytes)" if shards else ""
            raise self.error(f"circular buffers need {total_bytes} bytes of L1 but only {budget} are available"
                             f"{after} ({detail}); the largest is {largest.name}", largest.loc or f.loc,
                             hint="reduce the block sizes or num_stages")

        class Strip(StmtExprMutator):
            def visit_Allocate(self, node: Allocate) -> Any:  # noqa: N802
                return self.visit(node.body)

        return PrimFunc(f.name, f.params, Strip().visit(f.body), attrs, f.loc)
