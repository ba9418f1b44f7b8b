"""tt.LowerCBIntrinsics — expand block transfers into the circular-buffer / NOC protocol.

Requires: device functions with ``tt.kernel_role`` (SplitDeviceKernel) and ``tt.cb.*``/``tt.buffer.*``.
Produces:

* reader: consecutive ``tt.read_block`` ops form one transaction —
  ``cb_reserve_back`` each CB → ``get_write_ptr`` → ``noc_async_read_page(tile_id, tensor, l1)`` per
  tile of the block → one ``noc_async_read_barrier`` → ``cb_push_back`` each CB;
* writer: consecutive ``tt.write_block`` ops form one transaction — ``cb_wait_front`` →
  ``get_read_ptr`` → ``noc_async_write_page`` per tile → ``noc_async_writes_flushed`` (the data has
  left L1, the pages may be reused) → ``cb_pop_front``; one ``noc_async_write_barrier`` at the end of
  every kernel that writes waits for all writes to complete;
  a CB copied to several tensors in one statement sequence is waited for before its first write and
  popped after its last one; a *streamed* output CB (``stream`` [rt, ct] in its ``tt.cb.*``: a ``T.gemm``
  accumulator larger than DST, LowerSharedToCB) is drained sub-block by sub-block, in the row-major
  order of the block in which compute pushes them: per sub-block ``cb_wait_front(rt·ct)`` →
  ``get_read_ptr`` → its ``rt × ct`` page writes (partial blocks: the same guards) →
  ``noc_async_writes_flushed`` → ``cb_pop_front(rt·ct)``, so the DRAM writes overlap the rest of the last
  K step;
* compute: ``cb_wait_front`` before the first and ``cb_pop_front`` after the last op of a statement
  sequence consuming a CB (usually one op: wait, op, pop) and ``cb_reserve_back``/``cb_push_back``
  around every pack into a CB (block ops stay block-level; DST handling is InsertDSTManagementTT's job);
* staged fragments (compute both fills and reads them): every reader waits for the held block, a
  redefinition pops the previous value first and reserves / pushes the block, an in-place update
  (``y = y / s``, ``T.reduce_max(x, m, clear=False)``) is replaced tile by tile by InsertDSTManagementTT; a
  loop body (and each branch of a runtime ``if``) pops a value it defined that it did not hold on entry;
  the persistent block loop waits for the
  reduce scaler at its top and pops it and every held value at its end. Reading a fragment before it is
  written is a diagnostic;
* reader: ``tt.gather_block`` (an element gather, :class:`~tt_build.ir.StickGather`) becomes
  ``cb_reserve_back`` → ``get_write_ptr`` → per row of the block and run of ``stick`` columns: ``if
  <padding predicate>: noc_async_read(tensor.get_noc_addr(stick page, byte offset), l1, bytes) else:
  zero_page(l1, bytes)`` → ``noc_async_read_barrier`` → ``cb_push_back`` (row-major rows in the CB's
  tile-sized pages); compute: ``tt.tilize_block(rm, dst)`` becomes, per 32-row strip, ``cb_wait_front(rm,
  w)``, ``cb_reserve_back(dst, w)``, ``tilize_block(rm, w, dst)`` (``tt.tilize_rows``), ``cb_push_back``,
  ``cb_pop_front`` (``w`` tiles per row of the block);
* reader: ``tt.scaler_block`` becomes ``cb_reserve_back``, ``fill_scaler_tile`` (zeros, 1.0 in row 0 of
  each face; the helper is in the dataflow template) and ``cb_push_back``.

* multicast copies (SplitDeviceKernel's specialisation by role, resources from ``tt.multicast``):
  sender — ``cb_reserve_back`` → ``get_write_ptr`` → the tile reads → ``noc_async_read_barrier`` →
  ``noc_semaphore_wait(ready, receivers)`` (every receiver has reserved the space) → reset ``ready`` →
  ``noc_async_write_multicast`` (linked) of the block to the same L1 address on the destination
  rectangle → set the local ``valid`` semaphore and ``noc_semaphore_set_multicast`` it to the
  rectangle (ordered after the data on the same NOC) → ``cb_push_back``. The multicast reads the
  block's pages until its bytes have left L1, so the sender writes into a CB slot again only after a
  ``noc_async_writes_flushed``, deferred to where it costs nothing: with two or more slots in the CB,
  right before each step's multicast (the previous step's multicast has had this step's reads to leave;
  the next step reads into another slot); with one slot, before the step's reads; on Blackhole
  (``arch``) between the multicast and the semaphore multicast, as ttnn's matmul senders do there
  (NOC latency exceeds the RISC's L1 latency); the kernel's final ``noc_async_write_barrier`` covers the
  last one;
  receiver — ``cb_reserve_back`` → ``valid = 0`` → ``noc_semaphore_inc`` of the sender's ``ready`` →
  ``noc_semaphore_wait(valid, 1)`` → ``cb_push_back``. Cores run their blocks in lock-step, so every
  core's CB write pointer is the same and the sender's address is valid on every receiver.

Tile ids: a region starting at element (r0, c0) of a tensor with ``Nt`` tile columns, tile (r, c) of
the block is page ``(r0/32 + r) * Nt + (c0/32 + c)``; block tiles are stored row-major in the CB. A
tensor of higher rank is paged as its 2-D row-major view (leading dimensions folded into the rows): a
block at ``[b, r0, c0]`` of a ``(B, M, N)`` tensor starts at tile row ``b * M/32 + r0/32``.

L1-sharded tensors (``shard_shape`` [sh, sw] tiles): tile (r, c) is slot ``(r % sh) * sw + (c % sw)`` of the
core's own shard; the reader / writer move it with ``noc_async_read_shard_page`` /
``noc_async_write_shard_page`` (slot, tensor, l1, page size): a NOC transfer to the core itself at
``<tensor>_addr + slot * page_size``, no accessor. Unused block-index ``let`` s are dropped afterwards.

Partial last blocks (the tensor's ``partial`` axes): every tile transfer is guarded by its tile row /
column being inside the tensor — the reader zero-fills the L1 page of a tile outside
(``zero_page``), the writer skips it. CB transactions stay whole blocks, so compute is unchanged and
every CB stays balanced; no NOC transfer leaves the tensor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tt_build.ir import (
    BinaryOp,
    Buffer,
    BufferRegion,
    Call,
    Evaluate,
    Expr,
    For,
    IfThenElse,
    IntImm,
    IRModule,
    LetStmt,
    MulticastCopy,
    PrimFunc,
    SeqStmt,
    StickGather,
    Stmt,
    StmtExprMutator,
    Var,
    dtype_bytes,
    seq,
)
from tt_build.ir import attrs as A
from tt_build.ir.rowwise import tree_loads
from tt_build.transform._analysis import TILE, collect_calls, div_exact, substitute, tile_origin, view_dims
from tt_build.transform.base import Pass, PassContext
from tt_build.transform.split_device_kernel import mcast_arg_name, semaphore_name, uses_var

__all__ = ["LowerCBIntrinsics", "call", "tile_loop"]


def call(op: str, *args: Any, dtype: str = "void") -> Call:
    return Call(op, tuple(args), dtype)


def ev(op: str, *args: Any) -> Evaluate:
    return Evaluate(call(op, *args))


def tile_loop(name: str, extent: int, body: Callable[[Expr], Stmt]) -> Stmt:
    """``for name in range(extent): body(name)``, or just ``body(0)`` when the extent is 1."""
    if extent == 1:
        return body(IntImm(0))
    v = Var(name, "uint32")
    return For(v, IntImm(0), IntImm(extent), "serial", body(v))


class LowerCBIntrinsics(Pass):
    name = "tt.LowerCBIntrinsics"

    def transform(self, mod: IRModule, ctx: PassContext) -> IRModule:
        # Blackhole: the sender flushes its multicast before signalling it (ttnn's matmul senders do so under
        # ARCH_BLACKHOLE: NOC latency exceeds the RISC's L1 latency there)
        bh = ctx.get("arch") == "blackhole"
        return IRModule({n: self._func(f, bh) for n, f in mod.functions.items()}, dict(mod.attrs), mod.loc)

    def _func(self, f: PrimFunc, flush_before_signal: bool) -> PrimFunc:
        role = f.attrs.get(A.KERNEL_ROLE)
        if role is None:
            raise self.error(f"{f.name} has no tt.kernel_role; SplitDeviceKernel must run first", f.loc)
        pass_ = self

        class M(StmtExprMutator):
            def visit_SeqStmt(self, node: SeqStmt) -> Stmt:  # noqa: N802
                return pass_._seq([self.visit(s) if not _is_block(s) else s for s in node.stmts], f, role)  # noqa: SLF001

            def visit_Evaluate(self, node: Evaluate) -> Stmt:  # noqa: N802
                if _is_block(node):
                    return pass_._seq([node], f, role)  # noqa: SLF001
                return node

            def visit_MulticastCopy(self, node: MulticastCopy) -> Stmt:  # noqa: N802
                return pass_._multicast(node, f, flush_before_signal)  # noqa: SLF001

        body = M().visit(f.body)
        if role == "compute":
            body = _StagedProtocol(self, f).run(body)
        if role != "compute":  # a block index a shard slot no longer needs (a one-tile-row shard: row % 1 == 0)
            body = _DropUnusedLets().visit(body)
        if any(c.op in ("tt.noc_async_write_page", "tt.noc_async_write_shard_page", "tt.noc_async_write_multicast")
               for c in collect_calls(body, "tt.")):
            # writes are flushed (their data has left L1) before their CB pages are freed; one barrier at
            # the end waits for every write to complete
            body = seq(body, ev("tt.noc_async_write_barrier"))
        return f.with_body(body)

    def _seq(self, stmts: list[Stmt], f: PrimFunc, role: str) -> Stmt:
        out: list[Stmt] = []
        # compute: a CB read by several block ops of this sequence is waited for before the first one
        # and popped after the last one (each op sees the same tiles)
        # (writer: a CB copied to several tensors is waited for once and popped once, likewise)
        first_use: dict[Buffer, int] = {}
        last_use: dict[Buffer, int] = {}
        for k, st in enumerate(stmts):
            op = _block_op(st)
            if (role == "compute" and op not in (None, "tt.read_block", "tt.write_block")) or \
                    (role == "writer" and op == "tt.write_block"):
                for b in self._consumed(st.value, f):  # type: ignore[attr-defined]
                    first_use.setdefault(b, k)
                    last_use[b] = k
        i = 0
        while i < len(stmts):
            s = stmts[i]
            op = _block_op(s)
            if op in ("tt.read_block", "tt.write_block"):
                j = i
                while j < len(stmts) and _block_op(stmts[j]) == op:
                    j += 1
                group = [stmts[k].value for k in range(i, j)]  # type: ignore[attr-defined]
                if op == "tt.read_block":
                    out.append(self._reads(group, f))
                else:
                    span = range(i, j)
                    out.append(self._writes(group, f, {b for b, k in first_use.items() if k in span},
                                            {b for b, k in last_use.items() if k in span}))
                i = j
                continue
            if op == "tt.scaler_block":  # reader: the reduce scaler tile, 1.0 as a pair of bfloat16
                sc = s.value.args[0]  # type: ignore[attr-defined]
                out += [ev("tt.cb_reserve_back", sc, IntImm(1)),
                        ev("tt.fill_scaler_tile", sc, IntImm(0x3F803F80, "uint32")),
                        ev("tt.cb_push_back", sc, IntImm(1))]
                i += 1
                continue
            if op == "tt.gather_block":  # reader: the row-major im2col block from sticks of the tensor
                out.append(self._gather(s.value.args[0], f))  # type: ignore[attr-defined]
                i += 1
                continue
            if op is not None and role == "compute":
                out.append(self._compute(s.value, f, {b for b, k in first_use.items() if k == i},  # type: ignore[attr-defined]
                                         {b for b, k in last_use.items() if k == i}))
            else:
                out.append(s)
            i += 1
        return seq(*out)

    # -- data movement -----------------------------------------------------------------------
    def _tile_io(self, region: BufferRegion, cb: Buffer, l1: Var, f: PrimFunc, api: str,
                 sub: tuple[Expr | int, Expr | int, int, int] | None = None) -> Stmt:
        """The page transfers of the block's tiles (``sub``: only the ``rt × ct`` tiles at block tile
        (row, col), stored row-major from ``l1``)."""
        tinfo = f.attrs[A.buffer_key(region.buffer.name)]
        cbinfo = f.attrs[A.cb_key(cb.name)]
        r0, c0, rows, cols = tile_origin(region, tinfo.get("vector"))  # any rank: the 2-D view's page grid
        nt = tinfo["tiles"][1]
        page = cbinfo["page_size"]
        partial = tinfo.get("partial", [])
        # a partial last block: tile (r, c) exists only while its row / column is inside the tensor (the row
        # within one matrix of a batched tensor: leading dimensions never overflow)
        if partial:
            mrow0 = div_exact(region.starts[-2], TILE)
            dims = view_dims(region.buffer.shape, len(region.starts))
            limits = (dims[-2] // TILE, dims[-1] // TILE)

        shard = tinfo.get("shard_shape")

        width = cols
        if sub is not None:  # block tile (row + r, col + c) at L1 page r * ct + c
            sub_r0, sub_c0, rows, width = sub

        def tile(r: Expr, c: Expr) -> Stmt:
            addr = l1 + (r * width + c) * page
            if sub is not None:
                r, c = sub_r0 + r, sub_c0 + c
            if shard is not None:  # the page's slot in this core's own shard (the core owns the tile)
                sh, sw = shard
                row, col = r0 + r, c0 + c
                local_row = row if sh == tinfo["tiles"][0] else row % IntImm(sh)
                local_col = col if sw == tinfo["tiles"][1] else col % IntImm(sw)
                return ev(_SHARD_API[api], local_row * sw + local_col, region.buffer, addr, IntImm(page))
            access = ev(api, (r0 + r) * nt + (c0 + c), region.buffer, addr)
            if not partial:
                return access
            conds = [BinaryOp("<", idx, IntImm(limits[ax]), "bool") for ax, idx in ((0, mrow0 + r), (1, c0 + c))
                     if ax in partial]
            cond = conds[0] if len(conds) == 1 else BinaryOp("and", conds[0], conds[1], "bool")
            # reader: the padding tiles are zeros (exact GEMM sums, finite element-wise values); writer: skipped
            pad = ev("tt.zero_page", addr, IntImm(page)) if api == "tt.noc_async_read_page" else None
            return IfThenElse(cond, access, pad)

        return tile_loop("r", rows, lambda r: tile_loop("c", width, lambda c: tile(r, c)))

    def _pages(self, cb: Buffer, f: PrimFunc) -> IntImm:
        return IntImm(f.attrs[A.cb_key(cb.name)]["block_pages"])

    def _reads(self, group: list[Call], f: PrimFunc) -> Stmt:
        reserves = [ev("tt.cb_reserve_back", c.args[1], self._pages(c.args[1], f)) for c in group]
        pushes = [ev("tt.cb_push_back", c.args[1], self._pages(c.args[1], f)) for c in group]
        ptrs = [Var(f"l1_write_{c.args[1].name}", "uint32") for c in group]
        reads = [self._tile_io(c.args[0], c.args[1], p, f, "tt.noc_async_read_page") for c, p in zip(group, ptrs)]
        body: Stmt = seq(*reads, ev("tt.noc_async_read_barrier"), *pushes)
        for c, p in reversed(list(zip(group, ptrs))):
            body = LetStmt(p, call("tt.get_write_ptr", c.args[1], dtype="uint32"), body)
        return seq(*reserves, body)

    def _writes(self, group: list[Call], f: PrimFunc, wait: set[Buffer], pop: set[Buffer]) -> Stmt:
        streamed = [c for c in group if f.attrs[A.cb_key(c.args[0].name)].get("stream") is not None]
        if not streamed:
            return self._write_transaction(group, f, wait, pop)
        # a streamed CB is drained sub-block by sub-block; the copies keep their order (compute packs in it),
        # the others form transactions between them (a CB waited for in the first, popped in the last one)
        pieces: list[list[Call] | Call] = []
        for c in group:
            if c in streamed:
                cb = c.args[0]
                if cb not in wait or cb not in pop or sum(1 for x in group if x.args[0] is cb) != 1:
                    raise self.error(f"{f.name}: the streamed output CB {cb.name} must be written to one tensor by "
                                     "one copy; LowerSharedToCB streams only such CBs", c.loc or f.loc)
                pieces.append(c)
            elif pieces and isinstance(pieces[-1], list):
                pieces[-1].append(c)
            else:
                pieces.append([c])
        runs = [i for i, x in enumerate(pieces) if isinstance(x, list)]
        first = {c.args[0]: i for i in reversed(runs) for c in pieces[i]}  # type: ignore[union-attr]
        last = {c.args[0]: i for i in runs for c in pieces[i]}  # type: ignore[union-attr]
        out = [self._write_stream(x, f) if isinstance(x, Call) else self._write_transaction(
            x, f, {b for b in wait if first.get(b) == i}, {b for b in pop if last.get(b) == i})
            for i, x in enumerate(pieces)]
        return seq(*out)

    def _write_stream(self, c: Call, f: PrimFunc) -> Stmt:
        """The writer side of a streamed output CB (``stream`` [rt, ct]): per sub-block of the block, in
        row-major order (the order compute pushes them), ``cb_wait_front(rt·ct)`` → ``get_read_ptr`` → the
        sub-block's page writes → ``noc_async_writes_flushed`` → ``cb_pop_front(rt·ct)``."""
        cb, region = c.args[0], c.args[1]
        rt, ct = f.attrs[A.cb_key(cb.name)]["stream"]
        rows, cols = f.attrs[A.buffer_key(cb.name)]["tiles"]
        n = IntImm(rt * ct)

        def sub_block(sr: Expr, sc: Expr) -> Stmt:
            l1 = Var(f"l1_read_{cb.name}", "uint32")
            writes = self._tile_io(region, cb, l1, f, "tt.noc_async_write_page", (sr * rt, sc * ct, rt, ct))
            body = seq(writes, ev("tt.noc_async_writes_flushed"), ev("tt.cb_pop_front", cb, n))
            return seq(ev("tt.cb_wait_front", cb, n), LetStmt(l1, call("tt.get_read_ptr", cb, dtype="uint32"), body))

        return tile_loop("sub_row", rows // rt, lambda sr: tile_loop("sub_col", cols // ct, lambda sc: sub_block(sr, sc)))

    def _write_transaction(self, group: list[Call], f: PrimFunc, wait: set[Buffer], pop: set[Buffer]) -> Stmt:
        cbs = list(dict.fromkeys(c.args[0] for c in group))
        waits = [ev("tt.cb_wait_front", cb, self._pages(cb, f)) for cb in cbs if cb in wait]
        pops = [ev("tt.cb_pop_front", cb, self._pages(cb, f)) for cb in cbs if cb in pop]
        ptrs = [Var(f"l1_read_{c.args[0].name}", "uint32") for c in group]
        writes = [self._tile_io(c.args[1], c.args[0], p, f, "tt.noc_async_write_page") for c, p in zip(group, ptrs)]
        body: Stmt = seq(*writes, ev("tt.noc_async_writes_flushed"), *pops)
        for c, p in reversed(list(zip(group, ptrs))):
            body = LetStmt(p, call("tt.get_read_ptr", c.args[0], dtype="uint32"), body)
        return seq(*waits, body)

    # -- multicast ----------------------------------------------------------------------------
    def _multicast(self, m: MulticastCopy, f: PrimFunc, flush_before_signal: bool) -> Stmt:
        """The sender / receiver protocol of one multicast block copy (see the module doc)."""
        plan = f.attrs.get(A.MULTICAST)
        group = next((g for g in (plan or {}).get("groups", []) if g["group"] == m.group), None)
        if group is None:
            raise self.error(f"{f.name}: multicast copy into {m.dst.name} names the group {m.group!r}, which "
                             "tt.multicast does not declare", m.loc or f.loc)
        n = self._pages(m.dst, f)
        dests = IntImm(group["num_dests"])
        ready, valid = (Var(semaphore_name(m.group, p), "uint32") for p in ("ready", "valid"))
        ready_ptr, valid_ptr = (Var(semaphore_name(m.group, p) + "_ptr", "ptr") for p in ("ready", "valid"))
        arg = {fld: Var(mcast_arg_name(m.group, fld), "uint32") for fld in A.MCAST_FIELDS}

        def rect(addr: Expr) -> Call:
            return call("tt.get_noc_multicast_addr", arg["dest_x0"], arg["dest_y0"], arg["dest_x1"], arg["dest_y1"],
                        addr, dtype="uint64")

        if m.role == "sender":
            l1 = Var(f"l1_write_{m.dst.name}", "uint32")
            cbinfo = f.attrs[A.cb_key(m.dst.name)]
            nbytes = IntImm(n.value * cbinfo["page_size"])
            flush = ev("tt.noc_async_writes_flushed")
            # The multicast reads the block from L1 until its bytes have left (noc_async_writes_flushed); the
            # pages may be written again only then. The flush is deferred to where it is free: with two or
            # more slots in the CB, before this step's multicast (the previous step's has had this step's
            # reads to leave; the next step's reads go to another slot); with one slot, before the reads.
            one_slot = cbinfo.get("depth_pages", n.value) < 2 * n.value
            signal = (flush,) if flush_before_signal else ()
            deferred = (flush,) if not signal and not one_slot else ()
            body = seq(
                *((flush,) if not signal and one_slot else ()),
                self._tile_io(m.src, m.dst, l1, f, "tt.noc_async_read_page"),
                ev("tt.noc_async_read_barrier"),
                ev("tt.noc_semaphore_wait", ready_ptr, dests),
                ev("tt.noc_semaphore_set", ready_ptr, IntImm(0)),
                *deferred,
                # linked: the semaphore multicast that follows takes the same path (same NOC, same VC),
                # so it arrives after the data
                ev("tt.noc_async_write_multicast", l1, rect(l1), nbytes, dests, IntImm(1, "bool")),
                *signal,
                ev("tt.noc_semaphore_set", valid_ptr, IntImm(1)),
                ev("tt.noc_semaphore_set_multicast", valid, rect(valid), dests),
                ev("tt.cb_push_back", m.dst, n),
            )
            return seq(ev("tt.cb_reserve_back", m.dst, n),
                       LetStmt(l1, call("tt.get_write_ptr", m.dst, dtype="uint32"), body))
        if m.role == "receiver":
            sender = call("tt.get_noc_addr", arg["sender_x"], arg["sender_y"], ready, dtype="uint64")
            return seq(
                ev("tt.cb_reserve_back", m.dst, n),
                ev("tt.noc_semaphore_set", valid_ptr, IntImm(0)),
                ev("tt.noc_semaphore_inc", sender, IntImm(1)),
                ev("tt.noc_semaphore_wait", valid_ptr, IntImm(1)),
                ev("tt.cb_push_back", m.dst, n),
            )
        raise self.error(f"{f.name}: multicast copy into {m.dst.name} has role {m.role!r}; SplitDeviceKernel "
                         "specialises it to sender or receiver", m.loc or f.loc)

    # -- compute ------------------------------------------------------------------------------
    @staticmethod
    def _consumed(c: Call, f: PrimFunc) -> list[Buffer]:
        """The CBs a compute block op reads (its FPU operands; the source of a copy)."""
        def is_cb(b: Any) -> bool:
            return isinstance(b, Buffer) and b.scope != "global" and f.attrs[A.cb_key(b.name)]["kind"] != "dst"

        if c.op == "tt.matmul_block":  # (a, b, acc, transpose_b)
            return list(dict.fromkeys(a for a in c.args[:2] if is_cb(a)))
        if c.op == "tt.binary_block":  # (op, a, b, dst): a and b may be the same CB
            return list(dict.fromkeys(a for a in c.args[1:3] if is_cb(a)))
        if c.op in ("tt.copy_block", "tt.write_block"):
            return [c.args[0]]
        if c.op in ("tt.tree_block", "tt.reduce_block"):  # staged fragments and the scaler: _StagedProtocol
            reads = [ld.buffer for ld in tree_loads(c.args[1])] if c.op == "tt.tree_block" else [c.args[0]]
            return list(dict.fromkeys(b for b in reads if is_cb(b)
                                      and f.attrs[A.cb_key(b.name)]["kind"] not in ("staged", "scaler")))
        return []

    def _gather(self, g: StickGather, f: PrimFunc) -> Stmt:
        """The reader side of an element gather: each row of the block from runs of ``g.stick`` elements,
        one NOC read from a stick of the tensor (``<accessor>.get_noc_addr(page, byte offset)``) or zeros where
        the padding predicate is false, into the reserved row-major pages."""
        rows, cols = g.dst.shape
        run = g.stick
        if run <= 0 or cols % run:
            raise self.error(f"{f.name}: the element gather into {g.dst.name} has no proven run length "
                             f"(stick={run}); InferTTLayout must prove it", g.loc or f.loc)
        esize = dtype_bytes(g.src.dtype)
        n = self._pages(g.dst, f)
        l1 = Var(f"l1_write_{g.dst.name}", "uint32")
        i, j = g.loop_vars

        def piece(r: Expr, c: Expr) -> Stmt:
            vmap = {i: r, j: c * run}
            idx = [substitute(e, vmap) for e in g.indices]
            page: Expr = idx[0]
            for e, d in zip(idx[1:-1], g.src.shape[1:-1]):
                page = page * d + e
            if len(idx) == 1:
                page = IntImm(0)
            addr = l1 + (r * cols + c * run) * esize
            nbytes = IntImm(run * esize)
            read = ev("tt.noc_async_read", call("tt.tensor_noc_addr", g.src, page, idx[-1] * esize, dtype="uint64"),
                      addr, nbytes)
            if g.pred is None:
                return read
            return IfThenElse(substitute(g.pred, vmap), read, ev("tt.zero_page", addr, nbytes))

        reads = tile_loop("r", rows, lambda r: tile_loop("c", cols // run, lambda c: piece(r, c)))
        body = seq(reads, ev("tt.noc_async_read_barrier"), ev("tt.cb_push_back", g.dst, n))
        return seq(ev("tt.cb_reserve_back", g.dst, n), LetStmt(l1, call("tt.get_write_ptr", g.dst, dtype="uint32"),
                                                             body))

    def _tilize(self, c: Call, f: PrimFunc) -> Stmt:
        """Compute: tilize the row-major block 32 rows at a time (``tilize_block`` of one tile row)."""
        rm, dst = c.args
        strips, width = f.attrs[A.buffer_key(rm.name)]["tiles"]
        w = IntImm(width)
        return tile_loop("strip", strips, lambda _: seq(
            ev("tt.cb_wait_front", rm, w), ev("tt.cb_reserve_back", dst, w), ev("tt.tilize_rows", rm, w, dst),
            ev("tt.cb_push_back", dst, w), ev("tt.cb_pop_front", rm, w)))

    def _compute(self, c: Call, f: PrimFunc, wait: set[Buffer], pop: set[Buffer]) -> Stmt:
        if c.op == "tt.tilize_block":
            return self._tilize(c, f)
        if c.op == "tt.pack_block":
            cb = c.args[1]
            n = self._pages(cb, f)
            return seq(ev("tt.cb_reserve_back", cb, n), Evaluate(c), ev("tt.cb_push_back", cb, n))
        consumed = self._consumed(c, f)
        waits = [ev("tt.cb_wait_front", b, self._pages(b, f)) for b in consumed if b in wait]
        pops = [ev("tt.cb_pop_front", b, self._pages(b, f)) for b in consumed if b in pop]
        return seq(*waits, Evaluate(c), *pops)


#: A sharded tensor's page is in the core's own L1: read / written with a local NOC transfer at
#: ``<tensor>_addr + slot * page_size`` (``get_noc_addr(addr)`` of this core), not through a TensorAccessor.
_SHARD_API = {"tt.noc_async_read_page": "tt.noc_async_read_shard_page",
              "tt.noc_async_write_page": "tt.noc_async_write_shard_page"}


class _DropUnusedLets(StmtExprMutator):
    """Removes ``let`` bindings whose variable the body no longer reads."""

    def visit_LetStmt(self, node: LetStmt) -> Stmt:  # noqa: N802 - visitor protocol
        body = self.visit(node.body)
        return body if not uses_var(body, node.var) else LetStmt(node.var, node.value, body, node.loc)


def _block_op(s: Stmt) -> str | None:
    if isinstance(s, Evaluate) and isinstance(s.value, Call) and s.value.op.endswith("_block"):
        return s.value.op
    return None


def _is_block(s: Stmt) -> bool:
    return _block_op(s) is not None


class _StagedProtocol:
    """The CB protocol of staged fragments (kind ``staged``) and the reduce scaler in the compute kernel.

    A staged fragment's CB holds one block: empty, or full with the fragment's current value. Every op
    reading it waits for the block (``cb_wait_front``, already there: compute pushed it); an op defining it
    pops the previous value first (when there is one), reserves the block and pushes it afterwards; an op
    reading and redefining it (``y[i, j] = y[i, j] / s[i]``, ``T.reduce_max(x, m, clear=False)``) replaces
    it tile by tile (InsertDSTManagementTT expands the per-tile pop / reserve / push). A loop body, and each
    branch of a runtime ``if``, must leave every CB as it found it: a value first defined inside is popped at
    its end. The persistent
    block loop starts with every staged CB empty, waits for the reduce scaler tile the reader fills for the
    block and pops everything still held (and the scaler) at its end. Reading a fragment before it is
    written is a diagnostic.
    """

    def __init__(self, owner: Pass, f: PrimFunc) -> None:
        self.owner = owner
        self.f = f
        self.kinds = {k[len(A.CB_PREFIX):]: v for k, v in f.attrs.items() if k.startswith(A.CB_PREFIX)}
        self.bufs: dict[str, Buffer] = {}

    def _kind(self, b: Any) -> str | None:
        if not isinstance(b, Buffer) or b.scope == "global":
            return None
        info = self.kinds.get(b.name)
        return info["kind"] if info else None

    def _n(self, b: Buffer) -> IntImm:
        return IntImm(self.kinds[b.name]["block_pages"])

    def run(self, body: Stmt) -> Stmt:
        out, state = self._stmt(body, {})
        if not self._found_persistent:
            out = seq(*self._scaler_wait(), out, *self._drain(state))
        return out

    _found_persistent = False

    def _scaler(self) -> Buffer | None:
        """The scaler CB's buffer, as the reductions of this function name it (one Buffer object)."""
        if "scaler" not in self.bufs:
            reds = collect_calls_named(self.f.body, "tt.reduce_block")
            if not reds:
                return None
            self.bufs["scaler"] = reds[0].args[1]
        return self.bufs["scaler"]

    def _scaler_wait(self) -> list[Stmt]:
        sc = self._scaler()
        return [ev("tt.cb_wait_front", sc, IntImm(1))] if sc is not None and self._uses_reduce else []

    _uses_reduce = False

    def _drain(self, state: dict[Buffer, bool]) -> list[Stmt]:
        pops = [ev("tt.cb_pop_front", b, self._n(b)) for b, full in state.items() if full]
        sc = self._scaler()
        if sc is not None and self._uses_reduce:
            pops.append(ev("tt.cb_pop_front", sc, IntImm(1)))
        return pops

    def _stmt(self, s: Stmt | None, state: dict[Buffer, bool]) -> tuple[Stmt | None, dict[Buffer, bool]]:
        if s is None:
            return None, state
        if isinstance(s, SeqStmt):
            out = []
            for x in s.stmts:
                y, state = self._stmt(x, state)
                if y is not None:
                    out.append(y)
            return seq(*out), state
        if isinstance(s, LetStmt):
            body, state = self._stmt(s.body, state)
            return LetStmt(s.var, s.value, body, s.loc), state
        if isinstance(s, For):
            if s.annotations.get("persistent"):
                self._found_persistent = True
                self._uses_reduce = bool(collect_calls_named(s.body, "tt.reduce_block"))
                body, end = self._stmt(s.body, {b: False for b in state})
                body = seq(*self._scaler_wait(), body, *self._drain(end))
                return For(s.var, s.min, s.extent, s.kind, body, dict(s.annotations), s.loc), state
            body, end = self._stmt(s.body, dict(state))
            local = [b for b, full in end.items() if full and not state.get(b, False)]
            if local:
                body = seq(body, *(ev("tt.cb_pop_front", b, self._n(b)) for b in local))
            after = dict(state)
            for b in end:
                after.setdefault(b, False)
            return For(s.var, s.min, s.extent, s.kind, body, dict(s.annotations), s.loc), after
        if isinstance(s, IfThenElse):  # a runtime condition: each branch leaves every CB as it found it
            branches = []
            ends: list[dict[Buffer, bool]] = []
            for case in (s.then_case, s.else_case):
                body, end = self._stmt(case, dict(state))
                local = [b for b, full in end.items() if full and not state.get(b, False)]
                if local:
                    body = seq(*([body] if body is not None else []),
                               *(ev("tt.cb_pop_front", b, self._n(b)) for b in local))
                branches.append(body)
                ends.append(end)
            after = dict(state)
            for end in ends:
                for b in end:
                    after.setdefault(b, False)
            return IfThenElse(s.cond, branches[0], branches[1], s.loc), after
        if isinstance(s, Evaluate) and isinstance(s.value, Call) and s.value.op in ("tt.tree_block", "tt.reduce_block"):
            return self._op(s.value, state)
        return s, state

    def _op(self, c: Call, state: dict[Buffer, bool]) -> tuple[Stmt, dict[Buffer, bool]]:
        if c.op == "tt.tree_block":
            dst, reads = c.args[0], [ld.buffer for ld in tree_loads(c.args[1])]
        else:
            dst, reads = c.args[2], [c.args[0], *([c.args[2]] if not c.args[5].value else [])]
        state = dict(state)
        pre: list[Stmt] = []
        post: list[Stmt] = []
        for b in dict.fromkeys(reads):
            if self._kind(b) != "staged":
                continue
            if not state.get(b, False):
                raise self.owner.error(f"fragment {b.name} is read before it is written (or after the loop that "
                                       "wrote it ended)", c.loc,
                                       hint=f"compute or T.fill {b.name} before this statement, in the same loop "
                                            "body or before the loop")
            pre.append(ev("tt.cb_wait_front", b, self._n(b)))
        inplace = dst in reads
        if not inplace:
            if self._kind(dst) == "staged" and state.get(dst, False):
                pre.append(ev("tt.cb_pop_front", dst, self._n(dst)))
            pre.append(ev("tt.cb_reserve_back", dst, self._n(dst)))
            post.append(ev("tt.cb_push_back", dst, self._n(dst)))
        if self._kind(dst) == "staged":
            state[dst] = True
        return seq(*pre, Evaluate(c), *post), state


def collect_calls_named(s: Any, op: str) -> list[Call]:
    from tt_build.transform._analysis import collect_calls  # noqa: PLC0415

    return [c for c in collect_calls(s, "tt.") if c.op == op]
