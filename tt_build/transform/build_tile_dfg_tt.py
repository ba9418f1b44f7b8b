"""tt.BuildTileDFGTT — build the tile dataflow graph and decide which processor runs each op.

Requires: block-level ``tt.*_block`` ops (LowerTTTileIntrinsics), ``tt.cb.*`` (LowerSharedToCB).
Produces: ``tt.tile_dfg`` = ``{"nodes": [...], "edges": [[src, dst], ...], "ops": [...]}``. Nodes are
tensors, circular buffers / DST fragments and ops (``op<N>`` in program order). An op that reads a
tensor runs on the reader, one that writes a tensor on the writer, every other op on compute — a
decision made from the graph, not from names. Checks that every CB has a producer and a consumer
and that each CB is produced by one processor and consumed by one processor.
Leaves alone: the body.
"""

from __future__ import annotations

from typing import Any

from tt_build.ir import Buffer, BufferRegion, Call, IRModule, PrimFunc
from tt_build.ir import attrs as A
from tt_build.transform._analysis import collect_calls
from tt_build.transform.base import Pass, PassContext

__all__ = ["BuildTileDFGTT", "block_ops", "cb_traffic", "op_io", "op_role"]


def block_ops(body: Any) -> list[Call]:
    return [c for c in collect_calls(body, "tt.") if c.op.endswith("_block")]


def op_io(call: Call) -> tuple[list[Buffer], list[Buffer]]:
    """(reads, writes) of a block op, as buffers (tensor regions give their tensor)."""
    args = [a.buffer if isinstance(a, BufferRegion) else a for a in call.args]
    bufs = [a for a in args if isinstance(a, Buffer)]
    op = call.op
    if op == "tt.read_block":
        return [bufs[0]], [bufs[1]]
    if op == "tt.write_block":
        return [bufs[0]], [bufs[1]]
    if op in ("tt.pack_block", "tt.copy_block"):
        return [bufs[0]], [bufs[1]]
    if op == "tt.matmul_block":
        return [bufs[0], bufs[1], bufs[2]], [bufs[2]]
    if op == "tt.binary_block":
        return [bufs[0], bufs[1]], [bufs[2]]
    if op == "tt.unary_block":
        return [bufs[0]], [bufs[0]]
    if op == "tt.fill_block":
        return [], [bufs[0]]
    msg = f"unknown block op {op}"
    raise ValueError(msg)


def cb_traffic(call: Call) -> tuple[list[Buffer], list[Buffer]]:
    """(CBs the op pops from, CBs the op pushes into); DST-side reads and writes are not CB traffic."""
    a = call.args
    consumed = {"tt.write_block": (0,), "tt.matmul_block": (0, 1), "tt.binary_block": (1, 2), "tt.copy_block": (0,)}
    produced = {"tt.read_block": (1,), "tt.pack_block": (1,)}
    return ([a[i] for i in consumed.get(call.op, ())], [a[i] for i in produced.get(call.op, ())])


def op_role(call: Call) -> str:
    reads, writes = op_io(call)
    if any(b.scope == "global" for b in reads):
        return "reader"
    if any(b.scope == "global" for b in writes):
        return "writer"
    return "compute"


class BuildTileDFGTT(Pass):
    name = "tt.BuildTileDFGTT"

    def transform(self, mod: IRModule, ctx: PassContext) -> IRModule:  # noqa: ARG002
        return IRModule({n: self._func(f) for n, f in mod.functions.items()}, dict(mod.attrs), mod.loc)

    def _func(self, f: PrimFunc) -> PrimFunc:
        nodes: list[dict[str, Any]] = []
        edges: list[list[str]] = []
        ops: list[dict[str, Any]] = []
        seen: set[str] = set()
        producers: dict[str, set[str]] = {}
        consumers: dict[str, set[str]] = {}
        buffers: dict[str, Buffer] = {}

        def data_node(b: Buffer) -> str:
            nid = ("tensor:" if b.scope == "global" else "cb:") + b.name
            buffers.setdefault(b.name, b)
            if nid not in seen:
                seen.add(nid)
                kind = "tensor" if b.scope == "global" else f.attrs[A.cb_key(b.name)]["kind"]
                nodes.append({"id": nid, "kind": kind, "buffer": b.name})
            return nid

        for p in f.params:
            data_node(p)
        for i, call in enumerate(block_ops(f.body)):
            reads, writes = op_io(call)
            role = op_role(call)
            oid = f"op{i}"
            nodes.append({"id": oid, "kind": "op", "op": call.op[3:], "role": role})
            ops.append({"id": oid, "op": call.op[3:], "role": role,
                        "reads": [b.name for b in reads], "writes": [b.name for b in writes]})
            for b in reads:
                edges.append([data_node(b), oid])
            for b in writes:
                edges.append([oid, data_node(b)])
            consumes, produces = cb_traffic(call)
            for b in consumes:
                consumers.setdefault(b.name, set()).add(role)
            for b in produces:
                producers.setdefault(b.name, set()).add(role)
        for key, cb in f.attrs.items():
            if not key.startswith(A.CB_PREFIX) or cb["kind"] == "dst":
                continue
            name = key[len(A.CB_PREFIX):]
            prod, cons = producers.get(name, set()), consumers.get(name, set())
            buf = buffers.get(name)
            loc = (buf.loc if buf is not None else None) or f.loc
            if not prod:
                raise self.error(f"on-chip buffer {name} is read but never written", loc,
                                 hint=f"fill {name} first (T.copy from a tensor, or compute into it)")
            if not cons:
                raise self.error(f"on-chip buffer {name} is written but never read", loc,
                                 hint="remove the unused buffer or copy it to an output tensor")
            if len(prod) > 1 or len(cons) > 1:
                raise self.error(f"on-chip buffer {name} is produced by {sorted(prod)} and consumed by {sorted(cons)}; "
                                 "a circular buffer connects one producer and one consumer processor", loc,
                                 hint="use a separate on-chip buffer for each producer/consumer pair")
        attrs = dict(f.attrs)
        attrs[A.TILE_DFG] = {"nodes": nodes, "edges": edges, "ops": ops}
        return PrimFunc(f.name, f.params, f.body, attrs, f.loc)
