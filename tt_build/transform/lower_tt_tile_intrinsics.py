"""tt.LowerTTTileIntrinsics — rewrite tile-language operations into block-level TT tile ops.

Requires: ``tt.cb.<onchip>`` (LowerSharedToCB).
Produces (each ``Evaluate(Call)``; buffers are passed as :class:`Buffer` arguments):

=====================================  ===============================================================
``tt.read_block(region, cb)``          copy tensor tiles into an input CB (reader side)
``tt.write_block(cb, region)``         copy a CB's tiles to tensor tiles (writer side)
``tt.pack_block(frag, cb)``            pack a DST-resident fragment into a CB
``tt.copy_block(cb, frag)``            unpack CB tiles into the fragment's DST tiles
``tt.matmul_block(a, b, frag, tB)``    ``frag += a @ b`` tile by tile (``tB``: B tiles transposed)
``tt.binary_block(op, a, b, frag)``    ``frag = a <op> b`` for op in add / sub / mul
``tt.unary_block(op, frag)``           ``frag = op(frag)`` in DST, op in exp / relu
``tt.fill_block(frag, value)``         ``frag = value`` (0 needs no instruction: DST is zeroed on acquire)
=====================================  ===============================================================

``T.Parallel`` nests are matched as whole-block elementwise expressions over on-chip buffers;
anything else is a diagnostic naming the construct.
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
    Stmt,
    StmtExprMutator,
    StringImm,
    Var,
    seq,
)
from tt_build.ir import attrs as A
from tt_build.transform.base import Pass, PassContext

__all__ = ["BINARY_OPS", "UNARY_OPS", "LowerTTTileIntrinsics"]

BINARY_OPS = {"+": "add", "-": "sub", "*": "mul"}
UNARY_OPS = ("exp", "relu")


def _ev(op: str, *args: Any, loc: Any = None) -> Evaluate:
    return Evaluate(Call(op, tuple(args), "void", loc), loc)


class LowerTTTileIntrinsics(Pass):
    name = "tt.LowerTTTileIntrinsics"

    def transform(self, mod: IRModule, ctx: PassContext) -> IRModule:  # noqa: ARG002
        return IRModule({n: self._func(f) for n, f in mod.functions.items()}, dict(mod.attrs), mod.loc)

    def _func(self, f: PrimFunc) -> PrimFunc:
        kinds = {k[len(A.CB_PREFIX):]: v["kind"] for k, v in f.attrs.items() if k.startswith(A.CB_PREFIX)}
        pass_ = self

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
                    return pass_._lower_parallel(node, kind)  # noqa: SLF001
                return self.generic_visit(node)

            def visit_BufferStore(self, node: BufferStore) -> Stmt:  # noqa: N802
                raise pass_.error(f"assignment to {node.buffer.name} outside a T.Parallel loop", node.loc,
                                  hint="write elementwise bodies as `for i, j in T.Parallel(M, N): ...`")

        return PrimFunc(f.name, f.params, M().visit(f.body), dict(f.attrs), f.loc)

    def _lower_call(self, call: Call, kind: Any) -> Stmt:
        loc = call.loc
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
                raise self.error(f"T.fill/T.clear of {buf.name}: only fragments (DST) can be filled", loc,
                                 hint="allocate the buffer with T.alloc_fragment")
            return _ev("tt.fill_block", buf, value, loc=loc)
        raise self.error(f"{call.op[3:]} is not supported on Tenstorrent yet", loc)

    def _lower_parallel(self, loop: For, kind: Any) -> Stmt:
        loops: list[For] = [loop]
        body = loop.body
        while isinstance(body, For) and body.kind == "parallel":
            loops.append(body)
            body = body.body
        if not isinstance(body, BufferStore):
            raise self.error("a T.Parallel body must be one elementwise assignment", loop.loc)
        store = body
        dst = store.buffer
        lvars = [lp.var for lp in loops]
        extents = [lp.extent.value if isinstance(lp.extent, IntImm) else None for lp in loops]
        if dst.scope != "fragment":
            raise self.error(f"T.Parallel writes {dst.name}; elementwise results must go to a T.alloc_fragment",
                             store.loc)
        if extents != list(dst.shape) or not _is_identity(store.indices, lvars):
            raise self.error(f"T.Parallel must cover the whole fragment {dst.name}{tuple(dst.shape)} with indices "
                             f"[{', '.join(v.name for v in lvars)}]", store.loc)
        ops: list[Stmt] = []
        self._compile(store.value, dst, lvars, kind, ops, top=True)
        return seq(*ops)

    def _compile(self, e: Any, dst: Buffer, lvars: list[Var], kind: Any, ops: list[Stmt], *, top: bool) -> str:
        """Emit block ops computing ``e`` into ``dst`` (in DST); return ``"cb:<name>"`` for an unconsumed
        CB leaf or ``"dst"`` once the value is in DST."""
        loc = e.loc
        if isinstance(e, BufferLoad):
            if not _is_identity(e.indices, lvars):
                raise self.error(f"{e.buffer.name} must be indexed exactly like the loop variables", loc)
            if e.buffer is dst:
                return "dst"
            if e.buffer.scope == "shared":
                if top:
                    ops.append(_ev("tt.copy_block", e.buffer, dst, loc=loc))
                    return "dst"
                return "cb"
            raise self.error(f"elementwise read of {e.buffer.name} ({kind(e.buffer)}) is not supported", loc,
                             hint="read T.alloc_shared buffers, or the destination fragment itself")
        if isinstance(e, (FloatImm, IntImm)) and top:
            ops.append(_ev("tt.fill_block", dst, FloatImm(float(e.value)), loc=loc))
            return "dst"
        if isinstance(e, BinaryOp) and e.op in BINARY_OPS:
            if isinstance(e.a, BufferLoad) and isinstance(e.b, BufferLoad):
                ka = self._compile(e.a, dst, lvars, kind, ops, top=False)
                kb = self._compile(e.b, dst, lvars, kind, ops, top=False)
                if ka == "cb" and kb == "cb":
                    ops.append(_ev("tt.binary_block", StringImm(BINARY_OPS[e.op]), e.a.buffer, e.b.buffer, dst,
                                   loc=loc))
                    return "dst"
            raise self.error(f"elementwise `{e.op}` needs two T.alloc_shared operands", loc,
                             hint="combine two staged input blocks, e.g. A_s[i, j] + B_s[i, j]")
        matched = _unary(e)
        if matched is not None:
            unary, inner = matched
            k = self._compile(inner, dst, lvars, kind, ops, top=True)
            if k != "dst":  # pragma: no cover - top=True always lands in DST
                raise self.error("unsupported elementwise operand", loc)
            ops.append(_ev("tt.unary_block", StringImm(unary), dst, loc=loc))
            return "dst"
        what = e.op if isinstance(e, (BinaryOp, Call)) else type(e).__name__
        raise self.error(f"elementwise operation `{what}` is not supported on Tenstorrent yet", loc,
                         hint="supported: a + b, a - b, a * b of staged blocks, T.exp, T.max(x, 0) (relu)")


def _unary(e: Any) -> tuple[str, Any] | None:
    """``(op, operand)`` when ``e`` is a supported unary function of one operand."""
    if isinstance(e, Call) and e.op == "math.exp":
        return "exp", e.args[0]
    if isinstance(e, BinaryOp) and e.op == "max":
        for zero, other in ((e.b, e.a), (e.a, e.b)):
            if isinstance(zero, (FloatImm, IntImm)) and float(zero.value) == 0.0:
                return "relu", other
    return None


def _is_identity(indices: tuple[Any, ...], lvars: list[Var]) -> bool:
    return len(indices) == len(lvars) and all(i is v for i, v in zip(indices, lvars))


