"""tt.InsertDSTManagementTT — place DST acquire/commit/wait/release and expand block math to tiles.

Requires: compute function with CB protocol (LowerCBIntrinsics); options ``dst_tiles_16bit`` and
``dst_tiles_fp32``, and the L1 budget (``l1_budget`` / ``arch``) for the partial-sums CB of a
sub-blocked accumulator.
Produces: for every fragment, its DST live range — from the first op writing it to the pack that
drains it (or the last of several packs in a row, e.g. into an on-chip buffer and into a tensor) —
becomes ``tile_regs_acquire`` … ``tile_regs_commit``, ``tile_regs_wait`` (just before the pack's
``cb_reserve_back``) … ``tile_regs_release`` (after the ``cb_push_back``). A K loop that accumulates
into the fragment stays inside one acquire, so partial sums never leave DST. Block ops become tile
calls with DST indices: ``matmul_tiles``, ``add_tiles``/``sub_tiles``/``mul_tiles``, ``copy_tile``,
``exp_tile``/``relu_tile``/``negative_tile``, ``fill_tile`` (a fill with 0 directly after
``tile_regs_acquire`` emits nothing: DST is zero after acquire; anywhere else, e.g. a ``T.clear``
inside the K loop, it is a real ``fill_tile``) and ``pack_tile``. A fragment larger than the DST
capacity (``dst_tiles_fp32`` when accumulating in float32) is processed in sub-blocks when its live
range has no loop. A ``T.gemm``
accumulator above the capacity is sub-blocked too, its partial sums spilled to an intermediate CB
``<fragment>_partials`` (one block, in the accumulator's format; ``tt.cb.*``/``tt.buffer.*`` of every
device function and the host plan's CBs gain it) between K iterations: the K loop is peeled into a
first iteration (no reload), the middle ones (``copy_tile`` reload, then ``matmul_tiles``) and the last
one (epilogue, pack into the output CB, reserved and pushed one sub-block at a time: the granule of a
streamed output CB, ``stream`` in its ``tt.cb.*``, which the writer drains at the same pace), with
``reconfig_data_format_srca`` /
``pack_reconfig_data_format`` where the partials' format differs. Other shapes above the capacity are
a diagnostic. ``tt.tree_block`` / ``tt.reduce_block`` (staged fragments) are expanded tile by tile,
each output tile in its own acquire … release, by :mod:`tt_build.transform._tree_codegen`: the tree is
register-allocated over DST — a tree needing more registers than DST holds is split first
(:mod:`tt_build.transform._tree_staging`): subtrees are evaluated into internal staged CBs
``<fragment>_stage<n>`` (kind ``staged``, ``stages_for``: the fragment; one block, float32 when DST is;
``tt.cb.*``/``tt.buffer.*`` of every device function and the host plan's CBs gain them) with their
reserve / push / wait / pop protocol, and the tree reads them as blocks (an in-place tree whose deep parts
all read its fragment is a diagnostic) —, blocks use
the FPU (``add/sub/mul_tiles``, ``*_tiles_bcast_cols|rows``, ``*_reuse_dest_tiles``), values the SFPU;
a reduction is ``reduce_init`` / ``reduce_tile`` per tile of its row (column) / ``reduce_uninit``; an
in-place update pops, reserves and pushes one tile at a time. ``tt.compute_config`` records fp32
accumulation and the math fidelity (option ``math_fidelity``: LoFi | HiFi2 | HiFi3 | HiFi4, default
HiFi4).
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
    dtype_bytes,
    seq,
)
from tt_build.ir import attrs as A
from tt_build.transform._analysis import TILE
from tt_build.transform._output_stream import dst_capacity
from tt_build.transform._output_stream import rect_sub_block as _rect_sub_block
from tt_build.transform._tree_codegen import TreeCodegen, insert_pack_reconfig
from tt_build.transform._tree_staging import split_tree
from tt_build.transform.base import MATH_FIDELITIES, Pass, PassContext, l1_budget
from tt_build.transform.lower_cb_intrinsics import ev, tile_loop
from tt_build.transform.lower_shared_to_cb import MAX_CBS

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


def _has_inner_live_range(stmts: list[Stmt]) -> bool:
    """True when ``stmts`` hold a complete DST live range (already wrapped in tile_regs_acquire/release, or a
    ``tilize_block``, which acquires and releases DST itself)."""
    from tt_build.transform._analysis import collect_calls  # noqa: PLC0415

    return any(c.op in ("tt.tile_regs_acquire", "tt.tilize_rows") for s in stmts for c in collect_calls(s, "tt."))


def _writes_frag(s: Stmt, frag: Buffer) -> bool:
    from tt_build.transform._analysis import collect_calls  # noqa: PLC0415

    return any(_frag_written(c) is frag for c in collect_calls(s, "tt.") if c.op in _DST_WRITERS)


def _contains_loop(stmts: list[Stmt]) -> bool:
    return any(isinstance(s, (For, LetStmt)) for s in stmts)


class InsertDSTManagementTT(Pass):
    name = "tt.InsertDSTManagementTT"

    def transform(self, mod: IRModule, ctx: PassContext) -> IRModule:
        funcs = {}
        partials: dict[str, dict[str, Any]] = {}  # attrs of the spill CBs the compute kernel needs
        for n, f in mod.functions.items():
            funcs[n] = self._func(f, ctx, partials) if f.attrs.get(A.KERNEL_ROLE) == "compute" else f
        attrs = dict(mod.attrs)
        if partials:
            # A CB is a kernel-wide resource: every device function and the host plan describe it.
            funcs = {n: PrimFunc(f.name, f.params, f.body, {**f.attrs, **partials}, f.loc) for n, f in funcs.items()}
            if A.HOST_PLAN in attrs:
                plan = dict(attrs[A.HOST_PLAN])
                extra = [{"name": k[len(A.CB_PREFIX):], **v} for k, v in partials.items() if k.startswith(A.CB_PREFIX)]
                plan["cbs"] = sorted([*plan["cbs"], *extra], key=lambda c: c["cb_id"])
                attrs[A.HOST_PLAN] = plan
        return IRModule(funcs, attrs, mod.loc)

    def _func(self, f: PrimFunc, ctx: PassContext, partials: dict[str, dict[str, Any]]) -> PrimFunc:
        frag_infos = {k[len(A.BUFFER_PREFIX):]: v for k, v in f.attrs.items()  # used fragments (they have tt.cb.*)
                      if k.startswith(A.BUFFER_PREFIX) and v.get("scope") == "fragment"
                      and A.cb_key(k[len(A.BUFFER_PREFIX):]) in f.attrs}
        fp32 = any(v["dtype"] == "float32" for v in frag_infos.values())
        cap = dst_capacity((v["dtype"] for v in frag_infos.values()), int(ctx.get("dst_tiles_16bit")),
                           int(ctx.get("dst_tiles_fp32")))
        pass_ = self

        class M(StmtExprMutator):
            def visit_SeqStmt(self, node: SeqStmt) -> Stmt:  # noqa: N802
                stmts = [self.visit(s) for s in node.stmts]
                return pass_._place(stmts, f, cap, ctx, partials)  # noqa: SLF001

        body = M().visit(f.body)
        if not isinstance(f.body, SeqStmt):
            body = self._place([body], f, cap, ctx, partials)
        from tt_build.transform._analysis import collect_calls  # noqa: PLC0415

        matmuls = [c for c in collect_calls(body, "tt.matmul_block")]
        transposes = {int(c.args[3].value) for c in matmuls}
        if len(transposes) > 1:
            other = next(c for c in matmuls if c.args[3].value != matmuls[0].args[3].value)
            first = "with" if matmuls[0].args[3].value else "without"
            raise self.error(f"one kernel mixes T.gemm with and without transpose_B (the first T.gemm is {first} it)",
                             other.loc or f.loc, hint="split the kernel, or transpose one operand on the host")
        live = {**f.attrs, **partials}  # the attrs, with the internal CBs this pass adds
        trees = TreeCodegen(lambda b: tuple(live[A.buffer_key(b.name)]["tiles"]),  # type: ignore[arg-type]
                            lambda b: live[A.buffer_key(b.name)].get("vector"), cap, self.error, fp32=fp32)

        def new_stage(dst: Buffer, target: Any) -> Buffer:
            stage = self._stage_cb(dst, target, fp32, f, ctx, partials)
            live.update(partials)
            return stage

        class Split(StmtExprMutator):
            def visit_Evaluate(self, node: Evaluate) -> Stmt:  # noqa: N802
                c = _call_of(node)
                if c is None or c.op != "tt.tree_block":
                    return node
                return split_tree(c, cap, trees.registers, new_stage, pass_.error)

        body = Split().visit(body)
        body = _Expand(f, self, trees).visit(body)
        if any(v.get("kind") == "staged" for k, v in live.items() if k.startswith(A.CB_PREFIX)):
            # trees pack into CBs of several formats (float32 staged fragments, bfloat16 outputs)
            def fmt(b: Buffer) -> str | None:
                return live.get(A.cb_key(b.name), {}).get("data_format")

            body = insert_pack_reconfig(body, fmt, None)
        attrs = {**f.attrs, **partials}
        fidelity = ctx.get("math_fidelity")
        if fidelity not in MATH_FIDELITIES:
            raise self.error(f"unknown math fidelity {fidelity!r}",
                             hint=f"option math_fidelity is one of {', '.join(MATH_FIDELITIES)}")
        attrs[A.COMPUTE_CONFIG] = {"fp32_dest_acc_en": fp32, "math_fidelity": fidelity, "dst_capacity": cap,
                                   "transpose_b": bool(transposes and transposes.pop())}
        return PrimFunc(f.name, f.params, body, attrs, f.loc)

    def _place(self, stmts: list[Stmt], f: PrimFunc, cap: int, ctx: PassContext,
               partials: dict[str, dict[str, Any]]) -> Stmt:
        """Wrap every fragment live range found at this sequence level."""
        i = 0
        floor = 0  # statements before it belong to an earlier live range (their indices no longer move)
        since: dict[Buffer, int] = {}  # fragment -> index just after its previous live range
        out = list(stmts)
        while i < len(out):
            pack = _call_of(out[i])
            if pack is None or pack.op != "tt.pack_block":
                i += 1
                continue
            frag = pack.args[0]
            start = next((k for k in range(since.get(frag, 0), i) if _writes_frag(out[k], frag)), None)
            if start is None:
                raise self.error(f"fragment {frag.name} is packed but never computed", pack.loc)
            if start < floor:  # frag was written before another fragment's live range and packed after it
                self._check_single_live(out[start:floor], frag)
                raise self.error(f"fragment {frag.name} stays live in DST across another fragment's computation",
                                 pack.loc)  # pragma: no cover - _check_single_live names the other fragment
            reserve = i - 1 if i > 0 and _op(out[i - 1]) == "tt.cb_reserve_back" else i
            push = i + 1 if i + 1 < len(out) and _op(out[i + 1]) == "tt.cb_push_back" else i
            # the fragment packed into several CBs in a row (T.copy(acc, S); T.copy(acc, C)): one live range
            while True:
                nxt = [_op(x) for x in out[push + 1:push + 4]]
                if nxt != ["tt.cb_reserve_back", "tt.pack_block", "tt.cb_push_back"] or \
                        _call_of(out[push + 2]).args[0] is not frag:  # type: ignore[union-attr]
                    break
                push += 3
            tiles = f.attrs[A.cb_key(frag.name)]["block_pages"]
            if _has_inner_live_range(out[start:push + 1]):
                # another fragment's whole live range inside this accumulation (T.gemm(transpose_A=True)
                # transposes each A block in DST): keep the partial sums in L1 between K steps instead
                spilled = self._spill(out[start:push + 1], frag, pack, tiles, cap, f, ctx, partials)
                if spilled is not None:
                    new = [*out[:start], *spilled]
                    i = floor = since[frag] = len(new)
                    out = new + out[push + 1:]
                    continue
            self._check_single_live(out[start:push + 1], frag)
            if tiles <= cap:
                new = [
                    *out[:start], ev("tt.tile_regs_acquire"), *out[start:reserve],
                    ev("tt.tile_regs_commit"), ev("tt.tile_regs_wait"), *out[reserve:push + 1],
                    ev("tt.tile_regs_release"),
                ]
                i = floor = since[frag] = len(new)
                out = new + out[push + 1:]
                continue
            region = out[start:push + 1]
            spilled = self._spill(region, frag, pack, tiles, cap, f, ctx, partials)
            if spilled is not None:
                new = [*out[:start], *spilled]
                i = floor = since[frag] = len(new)
                out = new + out[push + 1:]
                continue
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
            i = floor = since[frag] = len(new)
            out = new + out[push + 1:]
        return seq(*out)


    def _check_single_live(self, region: list[Stmt], frag: Buffer) -> None:
        """One fragment lives in DST at a time: another one written inside ``frag``'s live range must be
        packed inside it too (a chain of element-wise ops), not carried past it (two accumulators); and
        ``frag`` cannot stay live across another fragment's whole live range (already wrapped in
        ``tile_regs_acquire`` … ``tile_regs_release``)."""
        from tt_build.transform._analysis import collect_calls  # noqa: PLC0415

        calls = [c for s in region for c in collect_calls(s, "tt.")]
        packed = {c.args[0] for c in calls if c.op == "tt.pack_block"}
        overlaps = any(c.op == "tt.tile_regs_acquire" for c in calls)  # another live range inside this one
        for c in calls:
            other = _frag_written(c) if c.op in _DST_WRITERS else None
            if other is not None and other is not frag and (other not in packed or overlaps):
                raise self.error(f"fragments {frag.name} and {other.name} are both live in DST at the same time; "
                                 "tt-build keeps one fragment in DST at a time", other.loc or c.loc,
                                 hint=f"compute {other.name} after {frag.name} is copied out (e.g. in a second "
                                      "loop or a second kernel)")

    # -- matmul accumulators larger than DST: spill partial sums to L1 ------------------------------
    def _spill(self, region: list[Stmt], frag: Buffer, pack: Call, tiles: int, cap: int, f: PrimFunc,
               ctx: PassContext, partials: dict[str, dict[str, Any]]) -> list[Stmt] | None:
        """Sub-block a matmul accumulator that does not fit in DST, keeping partial sums in a CB.

        Handles ``[fill] for k: (waits; matmul_block; pops) [epilogue] reserve; pack; push`` and returns
        the replacement, or None when the region has another shape. The K loop is peeled: iteration 0
        computes each sub-block of ``cap`` tiles from zero, iterations 1..K-1 first reload it from the
        partials CB (``copy_tile``), and every iteration but the last packs it back there; the last one
        applies the epilogue and packs it into the output CB, sub-block by sub-block (the block's tiles
        arrive in row-major order, as the writer expects).
        """
        loops = [s for s in region if isinstance(s, For)]
        if len(loops) != 1 or not isinstance(loops[0].extent, IntImm) or not isinstance(loops[0].min, IntImm):
            return None
        loop = loops[0]
        at = region.index(loop)
        pre, post = region[:at], region[at + 1:]
        fills = [s for s in pre if _op(s) == "tt.fill_block" and _frag_written(_call_of(s)) is frag]  # type: ignore[arg-type]
        if len(fills) != len(pre):
            return None
        body = loop.body.stmts if isinstance(loop.body, SeqStmt) else [loop.body]
        mms = [s for s in body if _op(s) == "tt.matmul_block"]
        if len(mms) != 1 or _call_of(mms[0]).args[2] is not frag:  # type: ignore[union-attr]
            return None
        k_at = body.index(mms[0])
        w_at = k_at
        while w_at > 0 and _op(body[w_at - 1]) == "tt.cb_wait_front":
            w_at -= 1
        # a prelude computing an operand of the matmul (a transposed A block: its own complete DST live range)
        prelude = body[:w_at]
        if prelude and not _has_inner_live_range(prelude):
            return None
        waits, pops = body[w_at:k_at], body[k_at + 1:]
        if any(_op(s) != "tt.cb_wait_front" for s in waits) or any(_op(s) != "tt.cb_pop_front" for s in pops):
            return None
        reserve_at = next((j for j, s in enumerate(post) if _op(s) == "tt.cb_reserve_back"), None)
        if reserve_at is None or post[reserve_at + 1:] != [*(x for x in post[reserve_at + 1:] if _op(x) in (
                "tt.pack_block", "tt.cb_push_back"))]:
            return None
        epilogue = post[:reserve_at]
        if any(_op(s) != "tt.unary_block" or _frag_written(_call_of(s)) is not frag for s in epilogue):  # type: ignore[arg-type]
            return None
        out_cb: Buffer = pack.args[1]
        mm = _call_of(mms[0])
        assert mm is not None
        in1: Buffer = mm.args[1]

        interm = self._partials_cb(frag, tiles, f, ctx, partials)
        cbinfo = partials[A.cb_key(interm.name)]
        fmt_of = {name[len(A.CB_PREFIX):]: v.get("data_format") for name, v in f.attrs.items()
                  if name.startswith(A.CB_PREFIX)}
        reconfig_src = cbinfo["data_format"] != fmt_of.get(in1.name)
        reconfig_pack = cbinfo["data_format"] != fmt_of.get(out_cb.name)
        sub = _rect_sub_block(*f.attrs[A.buffer_key(frag.name)]["tiles"], cap)
        stream = f.attrs[A.cb_key(out_cb.name)].get("stream")
        if stream is not None:  # a streamed output CB (LowerSharedToCB): the writer drains it at this granule
            sub = stream[0] * stream[1]
            if sub > cap or tiles % sub:
                raise self.error(f"output CB {out_cb.name} is streamed in sub-blocks of {stream[0]}x{stream[1]} "
                                 f"tiles, which do not divide the {tiles}-tile block into DST sub-blocks of at most "
                                 f"{cap} tiles; LowerSharedToCB sized it for another DST capacity", frag.loc)
        extent = loop.extent.value
        n = IntImm(sub)
        prelude_fmt = None
        if prelude:  # the prelude packs into its own CB: the packer may still be set up for the partials (a
            # previous K step) or for the output CB (the previous block)
            from tt_build.transform._analysis import collect_calls  # noqa: PLC0415

            targets = list(dict.fromkeys(c.args[1] for x in prelude for c in collect_calls(x, "tt.pack_block")))
            prelude_fmt = fmt_of.get(targets[0].name) if targets else None
            prior = {cbinfo["data_format"], fmt_of.get(out_cb.name)}
            prelude = [*(ev("tt.pack_reconfig_data_format", t) for t in targets[:1] if prior != {prelude_fmt}),
                       *prelude]

        # the plan's tail (PlanMulticastTT): the last `tail` K steps waited for at once and run sub-block by
        # sub-block, so each output sub-block is finished (and streamed out) over the whole tail
        pipe = (f.attrs.get(A.MULTICAST) or {}).get("pipeline") or {}
        tail = int(pipe.get("tail_steps", 1)) if pipe.get("steps") == extent and not prelude else 1

        def iteration(first: bool, last: bool) -> list[Stmt]:  # noqa: C901
            steps_in = tail if last else 1
            sv = Var(f"sub_{frag.name}", "uint32")
            base = sv * sub
            steps: list[Stmt] = [ev("tt.tile_regs_acquire")]
            if not first and last:
                if reconfig_src:
                    steps.append(ev("tt.reconfig_data_format_srca", in1, interm))
                steps += [ev("tt.cb_wait_front", interm, n),
                          _with_range(Evaluate(Call("tt.copy_block", (interm, frag))), IntImm(0), sub),
                          ev("tt.cb_pop_front", interm, n)]
                if reconfig_src:
                    steps.append(ev("tt.reconfig_data_format_srca", interm, in1))
            if first:
                steps += [_with_range(x, base, sub) for x in fills]
            if steps_in > 1:  # K step j of the tail: its pages follow step j-1's in the operand CBs
                jv = Var("tail_step", "uint32")
                c = _call_of(mms[0])
                assert c is not None
                mm_tail = Evaluate(Call(c.op + "@range@tail", (*c.args, jv, base, IntImm(sub)), c.dtype, c.loc))
                steps.append(For(jv, IntImm(0), IntImm(steps_in), "serial", mm_tail))
            else:
                steps.append(_with_range(mms[0], base, sub))
            if last:
                steps += [_with_range(x, base, sub) for x in epilogue]
            steps += [ev("tt.tile_regs_commit"), ev("tt.tile_regs_wait")]
            if last:
                steps += [ev("tt.cb_reserve_back", out_cb, n),
                          _with_range(Evaluate(Call("tt.pack_block", (frag, out_cb))), base, sub),
                          ev("tt.cb_push_back", out_cb, n)]
            else:
                # into the sub-block's own pages of the partials (reserved once, before the first
                # iteration): with packer L1 accumulation on, every later iteration adds onto them in place
                steps.append(_with_range(Evaluate(Call("tt.pack_block_at", (frag, interm))), base, sub))
            steps.append(ev("tt.tile_regs_release"))
            target = out_cb if last else interm
            target_fmt = fmt_of.get(out_cb.name) if last else cbinfo["data_format"]
            # back from the prelude's format, and between the partials' and the output's; a prelude packs
            # into its own CB (a tilize configures the packer for it), so the packer is set back to the
            # target after it; in the middle iterations the prelude's packs must not accumulate (packer L1
            # accumulation is off around it)
            after_prelude = prelude_fmt is not None and prelude_fmt != target_fmt
            packer = [ev("tt.pack_reconfig_data_format", target)] if after_prelude or (
                reconfig_pack and (first or last)) or (prelude and (reconfig_pack or target is interm)) else []
            pre = prelude
            if prelude and not first and not last:
                pre = [ev("tt.pack_reconfig_l1_acc", IntImm(0)), *prelude, ev("tt.pack_reconfig_l1_acc", IntImm(1))]
            head = [ev("tt.cb_reserve_back", interm, IntImm(tiles))] if first and not last else []
            sub_loop = For(sv, IntImm(0), IntImm(tiles // sub), "serial", seq(*steps))
            if steps_in > 1:
                return [*pre, *(_times(x, steps_in) for x in waits), *head, *packer, sub_loop,
                        *(_times(x, steps_in) for x in pops)]
            return [*pre, *waits, *head, *packer, sub_loop, *pops]

        head_steps = extent - tail + 1  # the iterations before the tail, and the tail as one
        if head_steps == 1:
            return iteration(True, True)
        stmts = iteration(True, False)
        if head_steps > 2:  # noqa: PLR2004
            stmts += [ev("tt.pack_reconfig_l1_acc", IntImm(1)),
                      For(loop.var, IntImm(loop.min.value + 1), IntImm(head_steps - 2), loop.kind,
                          seq(*iteration(False, False)), dict(loop.annotations), loop.loc),
                      ev("tt.pack_reconfig_l1_acc", IntImm(0))]
        return [*stmts, ev("tt.cb_push_back", interm, IntImm(tiles)), *iteration(False, True)]

    def _stage_cb(self, dst: Buffer, target: Any, fp32: bool, f: PrimFunc, ctx: PassContext,  # noqa: FBT001
                  partials: dict[str, dict[str, Any]]) -> Buffer:
        """A CB staging a subtree of the tree stored into ``dst`` (one block of ``dst``'s tiles, in float32 when
        DST is float32, else in ``dst``'s format); ``stages`` names ``dst``."""
        name = self._fresh_cb_name(f"{dst.name}_stage", f, partials)
        info = f.attrs[A.buffer_key(dst.name)]
        dtype = "float32" if fp32 else dst.dtype
        fmt = {"float32": "Float32", "float16": "Float16"}.get(dtype, "Float16_b")
        page = TILE * TILE * dtype_bytes(dtype)
        tiles = info["tiles"][0] * info["tiles"][1]
        cb_id, total, budget = self._cb_slot(f, ctx, partials)
        if cb_id is None:
            raise self.error(f"the expression stored into {dst.name} needs more DST registers than DST holds, and "
                             f"staging part of it needs a circular buffer, but all {MAX_CBS} are in use",
                             target.loc or dst.loc, hint="use fewer on-chip buffers, or split the expression")
        if total + tiles * page > budget:
            raise self.error(f"the expression stored into {dst.name} needs more DST registers than DST holds, and "
                             f"the {tiles * page}-byte circular buffer staging part of it does not fit in L1 "
                             f"({total} of {budget} bytes are already used by circular buffers)",
                             target.loc or dst.loc, hint="reduce the block size, or split the expression")
        partials[A.cb_key(name)] = {"cb_id": cb_id, "kind": "staged", "data_format": fmt, "page_size": page,
                                    "block_pages": tiles, "stages": 1, "depth_pages": tiles, "stages_for": dst.name}
        binfo = {"scope": "fragment", "dtype": dtype, "shape": list(dst.shape), "tiles": list(info["tiles"]),
                 "data_format": fmt, "local": False, "page_size": page}
        if "vector" in info:
            binfo["vector"] = info["vector"]
        partials[A.buffer_key(name)] = binfo
        return Buffer(name, tuple(dst.shape), dtype, "fragment", target.loc or dst.loc)

    @staticmethod
    def _fresh_cb_name(base: str, f: PrimFunc, partials: dict[str, dict[str, Any]]) -> str:
        taken = {k.split(".", 2)[2] for k in (*f.attrs, *partials) if k.startswith((A.CB_PREFIX, A.BUFFER_PREFIX))}
        taken |= {p.name for p in f.params}
        name, n = base, 0
        while name in taken:
            n += 1
            name = f"{base}{n}"
        return name

    @staticmethod
    def _cb_slot(f: PrimFunc, ctx: PassContext, partials: dict[str, dict[str, Any]]) -> tuple[int | None, int, int]:
        """(a free CB id — intermediates' range first — or None, bytes of L1 the CBs use, the L1 budget)."""
        cbs = {**{k: v for k, v in f.attrs.items() if k.startswith(A.CB_PREFIX)},
               **{k: v for k, v in partials.items() if k.startswith(A.CB_PREFIX)}}
        used = {v["cb_id"] for v in cbs.values() if v.get("cb_id") is not None}
        free = [i for i in range(24, MAX_CBS) if i not in used] or [i for i in range(MAX_CBS) if i not in used]
        total = sum(v["depth_pages"] * v["page_size"] for v in cbs.values() if v.get("cb_id") is not None)
        return (free[0] if free else None), total, l1_budget(ctx)

    def _partials_cb(self, frag: Buffer, tiles: int, f: PrimFunc, ctx: PassContext,
                     partials: dict[str, dict[str, Any]]) -> Buffer:
        """The intermediate CB holding ``frag``'s partial sums (one block, in the accumulator's format)."""
        taken = {k.split(".", 2)[2] for k in (*f.attrs, *partials) if k.startswith((A.CB_PREFIX, A.BUFFER_PREFIX))}
        name, n = f"{frag.name}_partials", 0
        while name in taken:
            n += 1
            name = f"{frag.name}_partials{n}"
        cbs = {**{k: v for k, v in f.attrs.items() if k.startswith(A.CB_PREFIX)},
               **{k: v for k, v in partials.items() if k.startswith(A.CB_PREFIX)}}
        used = {v["cb_id"] for v in cbs.values() if v.get("cb_id") is not None}
        free = [i for i in range(24, MAX_CBS) if i not in used] or [i for i in range(MAX_CBS) if i not in used]
        if not free:
            raise self.error(f"fragment {frag.name} does not fit in DST and spilling it needs a circular buffer, "
                             f"but all {MAX_CBS} are in use", frag.loc, hint="use fewer on-chip buffers")
        fmt = "Float32" if frag.dtype == "float32" else "Float16_b"
        page = TILE * TILE * dtype_bytes(frag.dtype)
        cb = {"cb_id": free[0], "kind": "intermediate", "data_format": fmt, "page_size": page, "block_pages": tiles,
              "stages": 1, "depth_pages": tiles, "spills": frag.name}
        budget = l1_budget(ctx)
        total = sum(v["depth_pages"] * v["page_size"] for v in cbs.values() if v.get("cb_id") is not None)
        if total + tiles * page > budget:
            raise self.error(f"fragment {frag.name} has {tiles} tiles, more than DST holds, and the {tiles * page}-byte "
                             f"circular buffer for its partial sums does not fit in L1 ({total} of {budget} bytes "
                             "are already used by circular buffers)", frag.loc,
                             hint="reduce block_M × block_N, block_K or num_stages")
        rows, cols = frag.shape[0] // TILE, frag.shape[1] // TILE
        partials[A.cb_key(name)] = cb
        partials[A.buffer_key(name)] = {"scope": "shared", "dtype": frag.dtype, "shape": list(frag.shape),
                                        "tiles": [rows, cols], "data_format": fmt, "local": False, "page_size": page}
        return Buffer(name, tuple(frag.shape), frag.dtype, "shared", frag.loc)


def _rect_of(count: int, cols: int) -> tuple[int, int] | None:
    """(rt, ct) of a sub-block of ``count`` row-major tiles in a block ``cols`` tiles wide, if a rectangle."""
    if count <= cols and cols % count == 0:
        return 1, count
    if count % cols == 0:
        return count // cols, cols
    return None


def _is_zero(e: Any) -> bool:
    return isinstance(e, FloatImm) and e.value == 0.0


def _call_of(s: Stmt) -> Call | None:
    return s.value if isinstance(s, Evaluate) and isinstance(s.value, Call) else None


def _op(s: Stmt) -> str | None:
    c = _call_of(s)
    return c.op if c else None


def _times(s: Stmt, n: int) -> Stmt:
    """A ``cb_wait_front`` / ``cb_pop_front`` of ``n`` times its pages (the tail's steps at once)."""
    c = _call_of(s)
    assert c is not None
    return ev(c.op, c.args[0], IntImm(c.args[1].value * n))


def _with_range(s: Stmt, base: Expr, count: int) -> Stmt:
    """Tag a block op with the tile sub-range [base, base + count) it must process."""
    c = _call_of(s)
    assert c is not None
    return Evaluate(Call(c.op + "@range", (*c.args, base, IntImm(count)), c.dtype, c.loc), s.loc)


class _Expand(StmtExprMutator):
    """Block ops → tile calls. ``<op>@range`` ops carry (base, count) of a DST sub-block."""

    def __init__(self, f: PrimFunc, owner: Pass, trees: TreeCodegen) -> None:
        self.f = f
        self.owner = owner
        self.trees = trees

    def visit_SeqStmt(self, node: SeqStmt) -> Stmt:  # noqa: N802
        if not node.stmts:
            return node
        out: list[Stmt] = []
        fresh = False  # DST is still all zeros: only tile_regs_acquire (and zero fills) so far in this sequence
        for s in node.stmts:
            op = _op(s)
            if op == "tt.tile_regs_acquire":
                fresh = True
            elif fresh and op is not None and op.partition("@")[0] == "tt.fill_block" \
                    and _is_zero(_call_of(s).args[1]):  # type: ignore[union-attr]
                continue  # zeroing DST right after the acquire needs no instruction
            else:
                fresh = False
            out.append(self.visit(s))
        return seq(*out)

    def _tiles(self, b: Buffer) -> tuple[int, int]:
        r, c = self.f.attrs[A.buffer_key(b.name)]["tiles"]
        return r, c

    def visit_Evaluate(self, node: Evaluate) -> Stmt:  # noqa: N802, C901, PLR0911
        c = _call_of(node)
        if c is None or "_block" not in c.op:
            return node
        if c.op == "tt.tree_block":
            return self.trees.tree_block(c)
        if c.op == "tt.reduce_block":
            return self.trees.reduce_block(c)
        op, _, ranged = c.op.partition("@")
        args = list(c.args)
        tail_step: Expr | None = None
        if ranged:
            base, count = args[-2], args[-1].value
            args = args[:-2]
            if ranged.endswith("@tail"):  # K step `tail_step` of a tail: operand pages offset by whole steps
                tail_step = args[-1]
                args = args[:-1]
        frag = _frag_written(Call(op, tuple(args))) if op not in ("tt.pack_block", "tt.pack_block_at") else args[0]
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

            def a_at(idx: Expr) -> Expr:  # a tail's step j reads A's pages j·(bm·bk) on
                return idx if tail_step is None else tail_step * (bm * bk) + idx

            def b_at(idx: Expr) -> Expr:
                return idx if tail_step is None else tail_step * (bk * bn) + idx

            def mm(i: Expr, j: Expr, k: Expr, dst: Expr) -> Stmt:
                b_idx = j * bk + k if tb.value else k * bn + j
                return ev("tt.matmul_tiles", a, b, a_at(i * bk + k), b_at(b_idx), dst)

            rect = _rect_of(count, bn) if ranged else (bm, bn)
            if rect is not None and not tb.value:
                # one matmul_block per K tile: the rt × ct output sub-block starting at tile `base` of the
                # block, into DST 0 .. rt·ct-1 (row-major, the order pack_tile drains it in)
                rt, ct = rect
                i0, j0 = (base // bn, base % bn) if ranged else (IntImm(0), IntImm(0))
                return tile_loop("kt", bk, lambda k: ev("tt.matmul_subblock", a, b, a_at(i0 * bk + k),
                                                        b_at(k * bn + j0), IntImm(0), IntImm(0), IntImm(ct),
                                                        IntImm(rt), IntImm(bk)))
            if ranged:  # output tiles base .. base+count-1 (row-major in the block) into DST 0 .. count-1
                return tile_loop("t", count, lambda t: tile_loop(
                    "kt", bk, lambda k: mm((base + t) // bn, (base + t) % bn, k, t)))
            return tile_loop("i", bm, lambda i: tile_loop(
                "j", bn, lambda j: tile_loop("kt", bk, lambda k: mm(i, j, k, i * bn + j))))
        if op == "tt.binary_block":
            kind, a, b, _ = args
            return per_tile(lambda idx, t: ev(f"tt.{kind.value}_tiles", a, b, idx, idx, t))
        if op == "tt.copy_block":
            src = args[0]
            if len(args) > 2 and args[2].value:  # T.transpose: DST tile (i, j) of frag ← tile (j, i) of src
                rows, cols = self._tiles(args[1])
                return per_tile(lambda idx, t: ev("tt.transpose_tile", src, idx % cols * rows + idx // cols, t))
            return per_tile(lambda idx, t: ev("tt.copy_tile", src, idx, t))
        if op == "tt.unary_block":
            name = args[0].value
            return per_tile(lambda idx, t: ev(f"tt.{name}_tile", t))  # noqa: ARG005
        if op == "tt.fill_block":  # a zero fill right after the acquire was dropped by visit_SeqStmt
            value = args[1]
            return per_tile(lambda idx, t: ev("tt.fill_tile", t, value))  # noqa: ARG005
        if op == "tt.pack_block":
            cb = args[1]
            return per_tile(lambda idx, t: ev("tt.pack_tile", t, cb))  # noqa: ARG005
        if op == "tt.pack_block_at":  # DST tile t into page `idx` of the reserved pages (out of order)
            cb = args[1]
            return per_tile(lambda idx, t: ev("tt.pack_tile_at", t, cb, idx))
        raise self.owner.error(f"cannot expand {op}", c.loc)
