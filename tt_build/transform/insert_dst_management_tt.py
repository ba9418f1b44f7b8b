"""tt.InsertDSTManagementTT — place DST acquire/commit/wait/release and expand block math to tiles.

Requires: compute function with CB protocol (LowerCBIntrinsics); options ``dst_tiles_16bit`` and
``dst_tiles_fp32``.
Produces: for every fragment, its DST live range — from the first op writing it to the pack that
drains it — becomes ``tile_regs_acquire`` … ``tile_regs_commit``, ``tile_regs_wait`` (just before the
pack's ``cb_reserve_back``) … ``tile_regs_release`` (after the ``cb_push_back``). A K loop that
accumulates into the fragment stays inside one acquire, so partial sums never leave DST. Block ops
become tile calls with DST indices: ``matmul_tiles``, ``add_tiles``/``sub_tiles``/``mul_tiles``,
``copy_tile``, ``exp_tile``/``relu_tile``, ``fill_tile`` (a fill with 0 emits nothing: DST is zero
after acquire) and ``pack_tile``. A fragment larger than the DST capacity (``dst_tiles_fp32`` when
accumulating in float32) is processed in sub-blocks when its live range has no loop; a matmul
accumulator above the capacity is a diagnostic. ``tt.compute_config`` records fp32 accumulation.
"""

from __future__ import annotations

from typing import Any

from tt_build.ir import (
    Buffer,
    Call,
    Evaluate,
    Expr,
    FloatImm,
    For,
    IntImm,
    IRModule,
    LetStmt,
    PrimFunc,
    SeqStmt,
    Stmt,
    StmtExprMutator,
    Var,
    seq,
)
from tt_build.ir import attrs as A
from tt_build.transform.base import Pass, PassContext
from tt_build.transform.lower_cb_intrinsics import ev, tile_loop

__all__ = ["InsertDSTManagementTT"]

_DST_WRITERS = ("tt.matmul_block", "tt.binary_block", "tt.copy_block", "tt.unary_block", "tt.fill_block")


def _frag_written(c: Call) -> Buffer | None:
    if c.op == "tt.matmul_block":
        return c.args[2]
    if c.op == "tt.binary_block":
        return c.args[3]
    if c.op == "tt.copy_block":
        return c.args[1]
    if c.op == "tt.unary_block":
        return c.args[1]
    if c.op == "tt.fill_block":
        return c.args[0]
    return None


def _writes_frag(s: Stmt, frag: Buffer) -> bool:
    from tt_build.transform._analysis import collect_calls  # noqa: PLC0415

    return any(_frag_written(c) is frag for c in collect_calls(s, "tt.") if c.op in _DST_WRITERS)


def _contains_loop(stmts: list[Stmt]) -> bool:
    return any(isinstance(s, (For, LetStmt)) for s in stmts)


class InsertDSTManagementTT(Pass):
    name = "tt.InsertDSTManagementTT"

    def transform(self, mod: IRModule, ctx: PassContext) -> IRModule:
        funcs = {}
        for n, f in mod.functions.items():
            funcs[n] = self._func(f, ctx) if f.attrs.get(A.KERNEL_ROLE) == "compute" else f
        return IRModule(funcs, dict(mod.attrs), mod.loc)

    def _func(self, f: PrimFunc, ctx: PassContext) -> PrimFunc:
        frag_infos = {k[len(A.BUFFER_PREFIX):]: v for k, v in f.attrs.items()
                      if k.startswith(A.BUFFER_PREFIX) and v.get("scope") == "fragment"}
        fp32 = any(v["dtype"] == "float32" for v in frag_infos.values())
        cap = int(ctx.get("dst_tiles_fp32") if fp32 else ctx.get("dst_tiles_16bit"))
        pass_ = self

        class M(StmtExprMutator):
            def visit_SeqStmt(self, node: SeqStmt) -> Stmt:  # noqa: N802
                stmts = [self.visit(s) for s in node.stmts]
                return pass_._place(stmts, f, cap)  # noqa: SLF001

        body = M().visit(f.body)
        if not isinstance(f.body, SeqStmt):
            body = self._place([body], f, cap)
        from tt_build.transform._analysis import collect_calls  # noqa: PLC0415

        transposes = {int(c.args[3].value) for c in collect_calls(body, "tt.matmul_block")}
        if len(transposes) > 1:
            raise self.error("one kernel mixes T.gemm with and without transpose_B", f.loc,
                             hint="split the kernel, or transpose one operand on the host")
        body = _Expand(f, self).visit(body)
        attrs = dict(f.attrs)
        attrs[A.COMPUTE_CONFIG] = {"fp32_dest_acc_en": fp32, "math_fidelity": "HiFi4", "dst_capacity": cap,
                                   "transpose_b": bool(transposes and transposes.pop())}
        return PrimFunc(f.name, f.params, body, attrs, f.loc)

    def _place(self, stmts: list[Stmt], f: PrimFunc, cap: int) -> Stmt:
        """Wrap every fragment live range found at this sequence level."""
        i = 0
        out = list(stmts)
        while i < len(out):
            pack = _call_of(out[i])
            if pack is None or pack.op != "tt.pack_block":
                i += 1
                continue
            frag = pack.args[0]
            start = next((k for k in range(i) if _writes_frag(out[k], frag)), None)
            if start is None:
                raise self.error(f"fragment {frag.name} is packed but never computed", pack.loc)
            reserve = i - 1 if i > 0 and _op(out[i - 1]) == "tt.cb_reserve_back" else i
            push = i + 1 if i + 1 < len(out) and _op(out[i + 1]) == "tt.cb_push_back" else i
            tiles = f.attrs[A.cb_key(frag.name)]["block_pages"]
            if tiles <= cap:
                new = [
                    *out[:start], ev("tt.tile_regs_acquire"), *out[start:reserve],
                    ev("tt.tile_regs_commit"), ev("tt.tile_regs_wait"), *out[reserve:push + 1],
                    ev("tt.tile_regs_release"),
                ]
                i = len(new)
                out = new + out[push + 1:]
                continue
            region = out[start:push + 1]
            if _contains_loop(region) or any(_op(s) == "tt.matmul_block" for s in region):
                raise self.error(f"fragment {frag.name} has {tiles} tiles but DST holds {cap} here, and its "
                                 "accumulation spans a loop", frag.loc or pack.loc,
                                 hint="use a block_M × block_N of at most "
                                      f"{cap} tiles (e.g. 64×64 with float32 accumulation)")
            sub = max(d for d in range(1, cap + 1) if tiles % d == 0)
            pre = [s for s in region if _op(s) in ("tt.cb_wait_front", "tt.cb_reserve_back")]
            post = [s for s in region if _op(s) in ("tt.cb_pop_front", "tt.cb_push_back")]
            math = [s for s in region if _op(s) not in ("tt.cb_wait_front", "tt.cb_reserve_back",
                                                       "tt.cb_pop_front", "tt.cb_push_back")]
            sv = Var(f"sub_{frag.name}", "uint32")
            packs = [s for s in math if _op(s) == "tt.pack_block"]
            others = [s for s in math if _op(s) != "tt.pack_block"]
            tagged = [_with_range(s, sv * sub, sub) for s in others]
            tagged_packs = [_with_range(s, sv * sub, sub) for s in packs]
            loop_body = seq(ev("tt.tile_regs_acquire"), *tagged, ev("tt.tile_regs_commit"), ev("tt.tile_regs_wait"),
                            *tagged_packs, ev("tt.tile_regs_release"))
            loop = For(sv, IntImm(0), IntImm(tiles // sub), "serial", loop_body)
            new = [*out[:start], *pre, loop, *post]
            i = len(new)
            out = new + out[push + 1:]
        return seq(*out)


def _call_of(s: Stmt) -> Call | None:
    return s.value if isinstance(s, Evaluate) and isinstance(s.value, Call) else None


def _op(s: Stmt) -> str | None:
    c = _call_of(s)
    return c.op if c else None


def _with_range(s: Stmt, base: Expr, count: int) -> Stmt:
    """Tag a block op with the tile sub-range [base, base + count) it must process."""
    c = _call_of(s)
    assert c is not None
    return Evaluate(Call(c.op + "@range", (*c.args, base, IntImm(count)), c.dtype, c.loc), s.loc)


class _Expand(StmtExprMutator):
    """Block ops → tile calls. ``<op>@range`` ops carry (base, count) of a DST sub-block."""

    def __init__(self, f: PrimFunc, owner: Pass) -> None:
        self.f = f
        self.owner = owner

    def visit_SeqStmt(self, node: SeqStmt) -> Stmt:  # noqa: N802
        return seq(*(self.visit(s) for s in node.stmts)) if node.stmts else node

    def _tiles(self, b: Buffer) -> tuple[int, int]:
        r, c = self.f.attrs[A.buffer_key(b.name)]["tiles"]
        return r, c

    def visit_Evaluate(self, node: Evaluate) -> Stmt:  # noqa: N802, C901, PLR0911
        c = _call_of(node)
        if c is None or "_block" not in c.op:
            return node
        op, _, ranged = c.op.partition("@")
        args = list(c.args)
        if ranged:
            base, count = args[-2], args[-1].value
            args = args[:-2]
        frag = _frag_written(Call(op, tuple(args))) if op != "tt.pack_block" else args[0]
        assert frag is not None
        if not ranged:
            r, cc = self._tiles(frag)
            base, count = IntImm(0), r * cc

        def per_tile(make: Any) -> Stmt:
            return tile_loop("t", count, lambda t: make(base + t, t))

        if op == "tt.matmul_block":
            a, b, cfrag, tb = args
            bm, bk = self._tiles(a)
            bn = self._tiles(cfrag)[1]

            def mm(i: Expr, j: Expr, k: Expr) -> Stmt:
                b_idx = j * bk + k if tb.value else k * bn + j
                return ev("tt.matmul_tiles", a, b, i * bk + k, b_idx, i * bn + j)

            return tile_loop("i", bm, lambda i: tile_loop("j", bn, lambda j: tile_loop("kt", bk, lambda k: mm(i, j, k))))
        if op == "tt.binary_block":
            kind, a, b, _ = args
            return per_tile(lambda idx, t: ev(f"tt.{kind.value}_tiles", a, b, idx, idx, t))
        if op == "tt.copy_block":
            src = args[0]
            return per_tile(lambda idx, t: ev("tt.copy_tile", src, idx, t))
        if op == "tt.unary_block":
            name = args[0].value
            return per_tile(lambda idx, t: ev(f"tt.{name}_tile", t))  # noqa: ARG005
        if op == "tt.fill_block":
            value = args[1]
            if isinstance(value, FloatImm) and value.value == 0.0:
                return SeqStmt([])
            return per_tile(lambda idx, t: ev("tt.fill_tile", t, value))  # noqa: ARG005
        if op == "tt.pack_block":
            cb = args[1]
            return per_tile(lambda idx, t: ev("tt.pack_tile", t, cb))  # noqa: ARG005
        raise self.owner.error(f"cannot expand {op}", c.loc)
