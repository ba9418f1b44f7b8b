"""tt.BuildTileDFGTT — build the tile dataflow graph and decide which processor runs each op.

Requires: block-level ``tt.*_block`` ops (LowerTTTileIntrinsics), ``tt.cb.*`` (LowerSharedToCB).
Produces: ``tt.tile_dfg`` = ``{"nodes": [...], "edges": [[src, dst], ...], "ops": [...]}``. Nodes are
tensors, circular buffers / DST fragments and ops (``op<N>`` in program order). An op that reads a
tensor runs on the reader, one that writes a tensor on the writer, every other op on compute — a
decision made from the graph, not from names (``tt.scaler_block`` fills an L1 tile: the reader) —
except the read filling a multicast group's buffer, which runs on the data-movement RISC the
``tt.multicast`` plan names (PlanMulticastTT puts the two operands of a 2-D multicast GEMM on the two
RISCs). A ``tt.tree_block`` reads the CBs of its tree's loads, a ``tt.reduce_block`` its source and the
scaler.

Checks, each a diagnostic located at the kernel construct (the circular-buffer protocol the later
passes emit is only correct under these rules, so nothing that breaks them reaches VerifyTTIR):

* every CB has a producer and a consumer, one processor each;
* fills and reads of a CB pair up within one statement sequence (one loop body): a read is preceded by
  a fill in its own loop body, a fill is read in its own loop body before the loop body ends or the CB
  is filled again, and a CB is filled at most once per loop body (a circular buffer hands each filled
  block to the reads that follow it, then frees it; a block filled outside a loop cannot be re-read in
  every iteration) — except staged fragments and the scaler, whose protocol LowerCBIntrinsics checks;
* a fragment is copied out (to a tensor or an on-chip buffer) after it is last computed (a computation
  whose result is never used is an error, not dead code the backend drops).

Leaves alone: the body.
"""

from __future__ import annotations

from typing import Any

from tt_build.ir import (
    Buffer,
    BufferRegion,
    Call,
    Evaluate,
    For,
    IfThenElse,
    IRModule,
    LetStmt,
    PrimFunc,
    SeqStmt,
    Stmt,
)
from tt_build.ir import attrs as A
from tt_build.ir.rowwise import tree_loads
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
    if op == "tt.tree_block":  # (dst, value)
        return list(dict.fromkeys(ld.buffer for ld in tree_loads(call.args[1]))), [call.args[0]]
    if op == "tt.reduce_block":  # (src, scaler, dst, kind, dim, clear)
        return [bufs[0], bufs[1], *([bufs[2]] if not call.args[5].value else [])], [bufs[2]]
    if op == "tt.scaler_block":
        return [], [bufs[0]]
    if op == "tt.gather_block":  # (StickGather): tensor -> its row-major block
        return [call.args[0].src], [call.args[0].dst]
    if op == "tt.tilize_block":  # (row-major CB, tiled CB)
        return [bufs[0]], [bufs[1]]
    msg = f"unknown block op {op}"
    raise ValueError(msg)


def cb_traffic(call: Call) -> tuple[list[Buffer], list[Buffer]]:
    """(CBs the op pops from, CBs the op pushes into); DST-side reads and writes are not CB traffic."""
    a = call.args
    if call.op in ("tt.tree_block", "tt.reduce_block"):
        reads, writes = op_io(call)
        return [b for b in reads if b not in writes], writes
    if call.op == "tt.gather_block":
        return [], [a[0].dst]
    consumed = {"tt.write_block": (0,), "tt.matmul_block": (0, 1), "tt.binary_block": (1, 2), "tt.copy_block": (0,),
                "tt.tilize_block": (0,)}
    produced = {"tt.read_block": (1,), "tt.pack_block": (1,), "tt.scaler_block": (0,), "tt.tilize_block": (1,)}
    return ([a[i] for i in consumed.get(call.op, ())], [a[i] for i in produced.get(call.op, ())])


def op_role(call: Call) -> str:
    if call.op == "tt.scaler_block":
        return "reader"  # the reader writes the reduce scaler tile into L1 (no tensor involved)
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
        # a multicast group's read runs on the data-movement RISC its tt.multicast plan names
        mcast_role = {g["buffer"]: g["role"] for g in f.attrs.get(A.MULTICAST, {}).get("groups", [])}
        for i, call in enumerate(block_ops(f.body)):
            reads, writes = op_io(call)
            role = op_role(call)
            if call.op == "tt.read_block" and writes[0].name in mcast_role:
                role = mcast_role[writes[0].name]
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
        kinds = {k[len(A.CB_PREFIX):]: v["kind"] for k, v in f.attrs.items() if k.startswith(A.CB_PREFIX)}
        # staged fragments and the scaler follow their own protocol (LowerCBIntrinsics checks it)
        _FillCheck(self, {n for n, k in kinds.items() if k not in ("dst", "staged", "scaler")}, f.body).run()
        self._check_fragment_results(f)
        attrs = dict(f.attrs)
        attrs[A.TILE_DFG] = {"nodes": nodes, "edges": edges, "ops": ops}
        return PrimFunc(f.name, f.params, f.body, attrs, f.loc)

    def _check_fragment_results(self, f: PrimFunc) -> None:
        """A fragment written by an op must be packed (copied out) after its last write."""
        dirty: dict[str, Call] = {}  # fragment -> first op writing it since its last pack
        for call in block_ops(f.body):
            if call.op == "tt.pack_block":
                dirty.pop(call.args[0].name, None)
                continue
            _, writes = op_io(call)
            if call.op in ("tt.tree_block", "tt.reduce_block"):
                continue  # these pack their result into a CB themselves
            for b in writes:
                if b.scope == "fragment":
                    dirty.setdefault(b.name, call)
        if dirty:
            name, call = next(iter(dirty.items()))
            raise self.error(f"fragment {name} is computed but its result is never used (it is not copied to a "
                             "tensor or to an on-chip buffer afterwards)", call.loc or f.loc,
                             hint=f"T.copy {name} into an output tensor (or into a T.alloc_shared buffer that is "
                                  "read), or remove the computation")


def _flat(s: Stmt) -> list[Stmt]:
    """The statements of one sequence, nested sequences inlined (SplitDeviceKernel flattens them too)."""
    if isinstance(s, SeqStmt):
        return [x for st in s.stmts for x in _flat(st)]
    return [s]


def _line(call: Call | None) -> str:
    return f"line {call.loc.line}" if call is not None and call.loc is not None else "elsewhere"


def _loop_name(loop: For | None) -> str:
    return f"the loop over {loop.var.name}" if loop is not None else "the kernel body"


class _FillCheck:
    """Fills and reads of every circular buffer pair up within one statement sequence (see module doc)."""

    _HINT = ("circular buffers hand each block filled into an on-chip buffer to the reads that follow it in the "
             "same loop body, then free it: fill {name} in the loop body that reads it (copy the block again in "
             "every iteration)")

    def __init__(self, owner: BuildTileDFGTT, cbs: set[str], body: Stmt) -> None:
        self.owner = owner
        self.cbs = cbs
        self.body = body
        self.events = self._events(body)  # program order, with the enclosing user loop of each event

    def _events(self, s: Stmt | None, loop: For | None = None) -> list[tuple[str, str, Call, For | None]]:
        """(kind fill|read, cb name, op, innermost user loop) of every CB event under ``s``, in program order."""
        out: list[tuple[str, str, Call, For | None]] = []
        if s is None:
            return out
        if isinstance(s, SeqStmt):
            for x in s.stmts:
                out += self._events(x, loop)
        elif isinstance(s, For):
            out += self._events(s.body, loop if s.annotations.get("persistent") else s)
        elif isinstance(s, LetStmt):
            out += self._events(s.body, loop)
        elif isinstance(s, IfThenElse):
            out += self._events(s.then_case, loop) + self._events(s.else_case, loop)
        elif isinstance(s, Evaluate) and isinstance(s.value, Call) and s.value.op.endswith("_block"):
            consumes, produces = cb_traffic(s.value)
            out += [("read", b.name, s.value, loop) for b in consumes if b.name in self.cbs]
            out += [("fill", b.name, s.value, loop) for b in produces if b.name in self.cbs]
        return out

    def _elsewhere(self, kind: str, name: str, call: Call) -> tuple[Call, For | None] | None:
        """The first other ``kind`` event of ``name`` (for messages)."""
        for k, n, c, lp in self.events:
            if k == kind and n == name and c is not call:
                return c, lp
        return None

    def run(self) -> None:
        self._seq(self.body, None)

    def _seq(self, s: Stmt | None, loop: For | None) -> None:
        if s is None:
            return
        stmts = _flat(s)
        state: dict[str, tuple[str, Call]] = {}  # cb -> ("filled" | "read", the fill)
        fills: dict[str, Call] = {}  # cb -> fill seen in this sequence
        err = self.owner.error
        for st in stmts:
            if isinstance(st, Evaluate) and isinstance(st.value, Call) and st.value.op.endswith("_block"):
                call = st.value
                consumes, produces = cb_traffic(call)
                for b in consumes:
                    if b.name not in self.cbs:
                        continue
                    if b.name not in state:
                        other = self._elsewhere("fill", b.name, call)
                        where = ""
                        if other is not None:
                            where = (f" (it is filled at {_line(other[0])}, outside {_loop_name(loop)})"
                                     if other[1] is not loop else f" (it is filled at {_line(other[0])})")
                        raise err(f"on-chip buffer {b.name} is read in {_loop_name(loop)} but not filled in it"
                                  f"{where}", call.loc, hint=self._HINT.format(name=b.name))
                    state[b.name] = ("read", state[b.name][1])
                for b in produces:
                    if b.name not in self.cbs:
                        continue
                    if state.get(b.name, ("", None))[0] == "filled":
                        first = state[b.name][1]
                        raise err(f"on-chip buffer {b.name} is filled again before the block filled at "
                                  f"{_line(first)} is read", call.loc,
                                  hint=f"remove the unused fill, or read {b.name} between the two fills")
                    if b.name in fills:
                        raise err(f"on-chip buffer {b.name} is filled twice in {_loop_name(loop)} (first at "
                                  f"{_line(fills[b.name])})", call.loc,
                                  hint="use a separate on-chip buffer for the second block, or fill one buffer "
                                       "once per iteration of a loop")
                    fills[b.name] = call
                    state[b.name] = ("filled", call)
                continue
            inner = self._events(st, loop)
            touched = {n for _, n, _, _ in inner}
            for name in touched:
                if state.get(name, ("", None))[0] == "filled":
                    first = next(e for e in inner if e[1] == name)
                    if first[0] == "fill":
                        raise err(f"on-chip buffer {name} is filled again before the block filled at "
                                  f"{_line(state[name][1])} is read", first[2].loc,
                                  hint=f"remove the unused fill, or read {name} between the two fills")
                    lp = first[3] or loop
                    raise err(f"on-chip buffer {name} is read in {_loop_name(lp)} but not filled in it "
                              f"(it is filled at {_line(state[name][1])}, outside {_loop_name(lp)})",
                              first[2].loc, hint=self._HINT.format(name=name))
            self._nested(st, loop)
            for name in touched:  # the nested statement pairs its own fills and reads
                state.pop(name, None)
                fills.pop(name, None)
        for name, (kind, call) in state.items():
            if kind == "filled":
                other = self._elsewhere("read", name, call)
                where = f" (it is read at {_line(other[0])})" if other is not None else ""
                raise err(f"on-chip buffer {name} is filled in {_loop_name(loop)} but not read in it{where}",
                          call.loc, hint=self._HINT.format(name=name))

    def _nested(self, s: Stmt, loop: For | None) -> None:
        if isinstance(s, For):
            self._seq(s.body, loop if s.annotations.get("persistent") else s)
        elif isinstance(s, LetStmt):
            self._nested_body(s.body, loop)
        elif isinstance(s, IfThenElse):
            self._nested_body(s.then_case, loop)
            self._nested_body(s.else_case, loop)

    def _nested_body(self, s: Stmt | None, loop: For | None) -> None:
        if isinstance(s, (For, LetStmt, IfThenElse)):
            self._nested(s, loop)
        else:
            self._seq(s, loop)
