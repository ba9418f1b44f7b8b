"""tt.LowerTTTileIntrinsics — rewrite tile-language operations into block-level TT tile ops.

Requires: ``tt.cb.<onchip>`` (LowerSharedToCB).
Produces (each ``Evaluate(Call)``; buffers are passed as :class:`Buffer` arguments):

=====================================  ===============================================================
``tt.read_block(region, cb)``          copy tensor tiles into an input CB (reader side)
``tt.write_block(cb, region)``         copy a CB's tiles to tensor tiles (writer side)
``tt.pack_block(frag, cb)``            pack a DST-resident fragment into a CB
``tt.copy_block(cb, frag[, 1])``       unpack CB tiles into the fragment's DST tiles (``1``: transposed,
                                       ``T.transpose``: tile (i, j) of frag = transpose_tile of (j, i))
``tt.matmul_block(a, b, frag, tB)``    ``frag += a @ b`` tile by tile (``tB``: B tiles transposed)
``tt.binary_block(op, a, b, frag)``    ``frag = a <op> b`` for op in add / sub / mul
``tt.unary_block(op, frag)``           ``frag = op(frag)`` in DST, op in exp / relu / negative
``tt.fill_block(frag, value)``         ``frag = value`` (0 needs no instruction: DST is zeroed on acquire)
``tt.tree_block(dst, value)``          ``dst = value`` for a staged (or output) ``dst``: an expression tree
``tt.reduce_block(src, sc, dst, …)``   ``dst = reduce(src)`` (kind sum|max, dim, clear) with scaler CB ``sc``
``tt.scaler_block(sc)``                the reader fills the reduce scaler tile (once per persistent block)
``tt.gather_block(g)``                 the reader assembles an element gather's row-major block (``g``: a
                                       :class:`~tt_build.ir.StickGather` into its ``<dst>_rm`` CB)
``tt.tilize_block(rm, dst)``           compute tilizes the row-major block ``rm`` into the tiles of ``dst``
=====================================  ===============================================================

Stores into a staged fragment (``tt.cb.*`` kind ``staged``), ``T.fill`` of one and ``T.copy`` to / from
one become ``tt.tree_block`` (a copy to a tensor: into the fragment's ``<name>_out`` CB, then
``tt.write_block``); ``T.reduce_*`` becomes ``tt.reduce_block``, a ``T.reduce_min`` / ``reduce_abssum`` /
``reduce_absmax`` a ``tt.tree_block`` preparing ``-x`` / ``|x|`` in its ``<dst>_<kind>_src`` CB, the max / sum
reduction of that, and for a minimum the negation of ``dst`` (before too, with ``clear=False``).

Each store of a ``T.Parallel`` nest becomes the block steps :func:`tt_build.ir.eltwise.plan_store`
plans for it (the definition the front end checks stores against); stores run in program order.
A second ``T.copy`` of a fragment that is unchanged since its previous ``T.copy`` in the same statement
sequence reuses the packed block (no second pack).
Leaves alone: loops, lets and the persistent structure.
"""

from __future__ import annotations

from typing import Any

from tt_build.ir import (
    BinaryOp,
    Buffer,
    BufferLoad,
    BufferStore,
    Call,
    Evaluate,
    FloatImm,
    For,
    IntImm,
    IRModule,
    PrimFunc,
    SeqStmt,
    Stmt,
    StmtExprMutator,
    StringImm,
    Var,
    seq,
)
from tt_build.ir import attrs as A
from tt_build.ir.eltwise import EltwiseError, Step, plan_store
from tt_build.ir.rowwise import PREPARED_REDUCES, check_tree
from tt_build.transform._analysis import collect_calls
from tt_build.transform.base import Pass, PassContext

__all__ = ["LowerTTTileIntrinsics"]



def _ev(op: str, *args: Any, loc: Any = None) -> Evaluate:
    return Evaluate(Call(op, tuple(args), "void", loc), loc)


class LowerTTTileIntrinsics(Pass):
    name = "tt.LowerTTTileIntrinsics"

    def transform(self, mod: IRModule, ctx: PassContext) -> IRModule:  # noqa: ARG002
        return IRModule({n: self._func(f) for n, f in mod.functions.items()}, dict(mod.attrs), mod.loc)

    def _func(self, f: PrimFunc) -> PrimFunc:
        kinds = {k[len(A.CB_PREFIX):]: v["kind"] for k, v in f.attrs.items() if k.startswith(A.CB_PREFIX)}
        pass_ = self
        self._f = f
        self._extra: dict[str, Buffer] = {}  # companion CBs (a staged fragment's output, the reduce scaler)
        self._kinds = kinds

        def kind(b: Buffer) -> str:
            return kinds.get(b.name, "global") if b.scope != "global" else "global"

        class M(StmtExprMutator):
            def visit_Evaluate(self, node: Evaluate) -> Stmt:  # noqa: N802
                call = node.value
                if not isinstance(call, Call) or not call.op.startswith("tl."):
                    return node
                return pass_._lower_call(call, kind)  # noqa: SLF001

            def visit_For(self, node: For) -> Stmt:  # noqa: N802
                if node.kind == "parallel":
                    return pass_._lower_parallel(node)  # noqa: SLF001
                out = self.generic_visit(node)
                scaler = pass_._scaler()  # noqa: SLF001
                if node.annotations.get("persistent") and scaler is not None and isinstance(out, For):
                    # the reader fills the reduce scaler tile once per block the core computes
                    body = seq(_ev("tt.scaler_block", scaler, loc=node.loc), out.body)
                    return For(out.var, out.min, out.extent, out.kind, body, dict(out.annotations), out.loc)
                return out

            def visit_SeqStmt(self, node: SeqStmt) -> Stmt:  # noqa: N802
                return _reuse_packs(seq(*(self.visit(s) for s in node.stmts)))

            def visit_BufferStore(self, node: BufferStore) -> Stmt:  # noqa: N802
                raise pass_.error(f"assignment to {node.buffer.name} outside a T.Parallel loop", node.loc,
                                  hint="write elementwise bodies as `for i, j in T.Parallel(M, N): ...`")

        return PrimFunc(f.name, f.params, M().visit(f.body), dict(f.attrs), f.loc)

    # -- staged fragments (expression trees, reductions) --------------------------------------------
    def _companion(self, name: str, like: Buffer) -> Buffer:
        if name not in self._extra:
            self._extra[name] = Buffer(name, like.shape, like.dtype, "shared", like.loc)
        return self._extra[name]

    def _scaler(self) -> Buffer | None:
        name = next((n for n, k in self._kinds.items() if k == "scaler"), None)
        if name is None:
            return None
        return self._companion(name, Buffer(name, (32, 32), "bfloat16", "shared"))

    def _staged_call(self, call: Call, kind: Any) -> Stmt | None:
        """The block op of a tile call touching a staged fragment, or None when none is staged."""
        loc = call.loc
        if call.op == "tl.reduce":
            src, dst, red, dim, clear = call.args
            scaler = self._scaler()
            assert scaler is not None
            if red.value not in PREPARED_REDUCES:
                return _ev("tt.reduce_block", src, scaler, dst, red, dim, clear, loc=loc)
            # min = -max(-x), abssum = sum(|x|), absmax = max(|x|): reduce a prepared copy of the source
            pool, prep, negate = PREPARED_REDUCES[red.value]
            name = next(n for n, v in self._f.attrs.items() if n.startswith(A.CB_PREFIX)
                        and v.get("prepares") == dst.name and v.get("reduce") == red.value)[len(A.CB_PREFIX):]
            tmp = self._extra.setdefault(name, Buffer(name, src.shape, "float32", "fragment", src.loc))
            x = BufferLoad(src, (), src.dtype, loc=loc)
            value = BinaryOp("-", FloatImm(0.0), x, "float32", loc) if prep == "neg" else \
                Call("math.abs", (x,), "float32", loc)
            d = BufferLoad(dst, (), dst.dtype, loc=loc)
            flip = _ev("tt.tree_block", dst, BinaryOp("-", FloatImm(0.0), d, dst.dtype, loc), loc=loc)
            ops = [_ev("tt.tree_block", tmp, value, loc=loc)]
            if negate and not clear.value:
                ops.append(flip)  # the running minimum, negated like the source
            ops.append(_ev("tt.reduce_block", tmp, scaler, dst, StringImm(pool), dim, clear, loc=loc))
            if negate:
                ops.append(flip)
            return seq(*ops)
        if call.op == "tl.fill" and kind(call.args[0]) == "staged":
            buf, value = call.args
            return _ev("tt.tree_block", buf, FloatImm(value.value, loc=value.loc), loc=loc)
        if call.op != "tl.copy":
            return None
        src, dst = call.args
        sk, dk = kind(src.buffer), kind(dst.buffer)
        if "staged" not in (sk, dk):
            return None
        load = BufferLoad(src.buffer, (), src.buffer.dtype, loc=src.loc)
        if dk == "global":
            out = self._companion(self._f.attrs[A.cb_key(src.buffer.name)]["drained_by"], src.buffer)
            return seq(_ev("tt.tree_block", out, load, loc=loc), _ev("tt.write_block", out, dst, loc=loc))
        if dst.buffer.shape != src.buffer.shape:  # pragma: no cover - the front end checks shapes
            raise self.error(f"T.copy between {src.buffer.name} and {dst.buffer.name} of different shapes", loc)
        return _ev("tt.tree_block", dst.buffer, load, loc=loc)

    def _lower_call(self, call: Call, kind: Any) -> Stmt:
        loc = call.loc
        staged = self._staged_call(call, kind)
        if staged is not None:
            return staged
        if call.op == "tl.copy":
            src, dst = call.args
            sk, dk = kind(src.buffer), kind(dst.buffer)
            if sk == "global":
                return _ev("tt.read_block", src, dst.buffer, loc=loc)
            if dk == "global":
                if src.buffer.scope == "fragment":
                    return seq(_ev("tt.pack_block", src.buffer, src.buffer, loc=loc),
                               _ev("tt.write_block", src.buffer, dst, loc=loc))
                return _ev("tt.write_block", src.buffer, dst, loc=loc)
            if src.buffer.scope == "fragment" and dst.buffer.scope == "shared":
                return _ev("tt.pack_block", src.buffer, dst.buffer, loc=loc)
            if src.buffer.scope == "shared" and dst.buffer.scope == "fragment":
                return _ev("tt.copy_block", src.buffer, dst.buffer, loc=loc)
            raise self.error(f"T.copy from {src.buffer.name} ({src.buffer.scope}) to {dst.buffer.name} "
                             f"({dst.buffer.scope}) is not supported", loc,
                             hint="copy tensor→shared, shared/fragment→tensor, fragment→shared or shared→fragment")
        if call.op == "tl.transpose":  # (shared src, fragment dst): unpack tile (j, i) transposed into DST (i, j)
            src, dst = call.args
            return _ev("tt.copy_block", src, dst, IntImm(1, "bool"), loc=loc)
        if call.op == "tl.gemm":
            a, b, c, ta, tb = call.args
            for buf, what in ((a, "A"), (b, "B")):
                if buf.scope != "shared" or kind(buf) == "dst":
                    raise self.error(f"T.gemm operand {what} ({buf.name}) must be a T.alloc_shared buffer", loc)
            if c.scope != "fragment":
                raise self.error(f"T.gemm accumulator {c.name} must be a T.alloc_fragment buffer", loc)
            if ta.value:
                raise self.error("T.gemm(transpose_A=True) is not supported by the matrix engine", loc,
                                 hint="pass A already transposed, or use transpose_B")
            return _ev("tt.matmul_block", a, b, c, IntImm(int(tb.value), "bool"), loc=loc)
        if call.op == "tl.fill":
            buf, value = call.args
            if buf.scope != "fragment":
                if kind(buf) != "intermediate":
                    raise self.error(f"T.fill/T.clear of {buf.name}: a shared buffer filled from a tensor cannot also "
                                     "be filled with a constant", loc,
                                     hint="fill a separate T.alloc_shared buffer, or a T.alloc_fragment")
                # a shared (L1) block of a constant: filled in DST tile by tile and packed into its own CB
                return seq(_ev("tt.fill_block", buf, value, loc=loc), _ev("tt.pack_block", buf, buf, loc=loc))
            return _ev("tt.fill_block", buf, value, loc=loc)
        if call.op == "tl.gather":  # the reader assembles the row-major block (LowerCBIntrinsics)
            return _ev("tt.gather_block", call.args[0], loc=loc)
        if call.op == "tl.tilize":  # (row-major shared, tiled shared): compute tilizes the gathered block
            return _ev("tt.tilize_block", *call.args, loc=loc)
        raise self.error(f"{call.op[3:]} is not supported on Tenstorrent yet", loc)

    def _lower_parallel(self, loop: For) -> Stmt:
        """A nest of ``T.Parallel`` loops → the block steps of each of its stores, in program order.

        Every index is the nest's loop variables in order, so element (i, j) of a store only touches element
        (i, j) of each buffer: running each store over the whole block before the next one is equivalent.
        """
        ops: list[Stmt] = []
        for store, lvars, extents in self._stores(loop, []):
            dst = store.buffer
            if extents != list(dst.shape) or not _is_identity(store.indices, lvars):
                raise self.error(f"T.Parallel must cover the whole fragment {dst.name}{tuple(dst.shape)} with "
                                 f"indices [{', '.join(v.name for v in lvars)}]", store.loc)
            if self._kinds.get(dst.name) == "staged":
                try:
                    check_tree(dst, store.value)
                except EltwiseError as exc:
                    raise self.error(exc.msg, exc.loc or store.loc, hint=exc.hint) from None
                ops.append(_ev("tt.tree_block", dst, store.value, loc=store.loc))
                continue
            self._check_indices(store.value, lvars)
            try:
                steps = plan_store(dst, store.value, store.loc)
            except EltwiseError as exc:
                raise self.error(exc.msg, exc.loc or store.loc, hint=exc.hint) from None
            ops.extend(_step_op(step, dst, store.loc or step.loc) for step in steps)
        return seq(*ops)

    def _stores(self, s: Stmt, nest: list[For]) -> list[tuple[BufferStore, list[Var], list[int | None]]]:
        if isinstance(s, For) and s.kind == "parallel":
            return self._stores(s.body, [*nest, s])
        if isinstance(s, SeqStmt):
            return [x for st in s.stmts for x in self._stores(st, nest)]
        if isinstance(s, BufferStore):
            extents = [lp.extent.value if isinstance(lp.extent, IntImm) else None for lp in nest]
            return [(s, [lp.var for lp in nest], extents)]
        raise self.error(f"a T.Parallel body may only hold element-wise stores, got {type(s).__name__}",
                         getattr(s, "loc", None) or nest[0].loc)

    def _check_indices(self, e: Any, lvars: list[Var]) -> None:
        if isinstance(e, BufferLoad):
            if not _is_identity(e.indices, lvars):
                raise self.error(f"{e.buffer.name} must be indexed exactly like the loop variables", e.loc)
        elif isinstance(e, BinaryOp):
            self._check_indices(e.a, lvars)
            self._check_indices(e.b, lvars)
        elif isinstance(e, Call):
            for a in e.args:
                self._check_indices(a, lvars)


#: block op → index of the fragment (DST tiles) it writes
_WRITES_FRAGMENT = {"tt.copy_block": 1, "tt.binary_block": 3, "tt.unary_block": 1, "tt.fill_block": 0,
                    "tt.matmul_block": 2}


def _reuse_packs(s: Stmt) -> Stmt:
    """Drop a ``pack_block(frag, cb)`` that repeats the previous pack of ``frag`` into ``cb`` in this
    sequence when ``frag`` was not written in between (``T.copy(acc, C); T.copy(acc, D)``: one pack,
    two writes of the packed block)."""
    if not isinstance(s, SeqStmt):
        return s
    packed: dict[Buffer, Buffer] = {}
    out: list[Stmt] = []
    for st in s.stmts:
        c = st.value if isinstance(st, Evaluate) and isinstance(st.value, Call) else None
        if c is not None and c.op == "tt.pack_block":
            if packed.get(c.args[0]) is c.args[1]:
                continue
            packed[c.args[0]] = c.args[1]
        else:
            for call in collect_calls(st, "tt."):
                if call.op in _WRITES_FRAGMENT:
                    packed.pop(call.args[_WRITES_FRAGMENT[call.op]], None)
        out.append(st)
    return seq(*out)


def _step_op(step: Step, dst: Buffer, loc: Any) -> Stmt:
    """The block op of one element-wise step (see :func:`tt_build.ir.eltwise.plan_store`), located at ``loc``
    (the store it computes)."""
    if step.kind == "copy":
        return _ev("tt.copy_block", step.a, dst, loc=loc)
    if step.kind == "fill":
        return _ev("tt.fill_block", dst, FloatImm(step.value), loc=loc)
    if step.kind == "binary":
        return _ev("tt.binary_block", StringImm(step.op), step.a, step.b, dst, loc=loc)
    return _ev("tt.unary_block", StringImm(step.op), dst, loc=loc)


def _is_identity(indices: tuple[Any, ...], lvars: list[Var]) -> bool:
    return len(indices) == len(lvars) and all(i is v for i, v in zip(indices, lvars))
