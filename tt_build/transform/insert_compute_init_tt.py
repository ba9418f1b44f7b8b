"""tt.InsertComputeInitTT — emit the TT-Metalium 0.81 compute initialisation sequence.

Requires: tile calls in the compute function (InsertDSTManagementTT).
Produces: at the top of the compute kernel ``compute_kernel_hw_startup`` — the ``SrcOrder::Reverse``
form (``tt.compute_kernel_hw_startup_reverse``) with (in0, in1, out) for a matmul kernel, the
(in0, in1, out) form for binary eltwise, (in, out) for unary/copy — and before every group of tile
calls whose configuration differs from the one in force its short init: ``matmul_init(in0, in1,
transpose)`` (``matmul_block_init(in0, in1, transpose, ct, rt, kt)`` for ``matmul_block`` with those
block dimensions), ``add_init/sub_init/mul_init(in0, in1)``, ``copy_init(cb)``, ``exp_tile_init()``,
``relu_tile_init()``, ``negative_tile_init()``, ``fill_tile_init()``, ``tilize_init(icb, block, ocb)``
before the ``tilize_block`` of a gathered block (and ``tilize_uninit(icb, ocb)`` before the next op's
init); for expression trees the SFPU
inits (``<op>_tile_init``, ``<op>_binary_tile_init``, ``binop_with_scalar_tile_init``, …),
``<op>_bcast_cols|rows_init``, ``unary_bcast_init<…>`` and ``<op>_reuse_dest_init<…>``. A reduction
carries its own ``reduce_init`` (it names the output CB) and ends with ``reduce_uninit``, after which the
next call re-initialises. A loop whose body ends in
another configuration than it starts re-inits at the top of every iteration.
The removed 0.81 APIs (``mm_init``, ``binary_op_init_common``, ``add_tiles_init``) are never emitted.
Before an init whose operand CBs are in other data formats than the unpacker holds (a float32 tensor or
staged fragment next to a bfloat16 block), ``reconfig_data_format(a, b)`` / ``reconfig_data_format_srca(a)``
/ ``reconfig_data_format_srcb(b)`` (:mod:`tt_build.transform._unpack_formats`: matmuls unpack ``in1`` into
SrcA, row-sum reductions their scaler).
"""

from __future__ import annotations

from typing import Any

from tt_build.ir import Buffer, Call, Evaluate, For, IfThenElse, IntImm, IRModule, LetStmt, PrimFunc, SeqStmt, Stmt, seq
from tt_build.ir import attrs as A
from tt_build.transform._analysis import collect_calls
from tt_build.transform._unpack_formats import insert_unpack_reconfig
from tt_build.transform.base import Pass, PassContext
from tt_build.transform.lower_cb_intrinsics import ev

__all__ = ["InsertComputeInitTT", "init_for"]

_BINARY = ("tt.add_tiles", "tt.sub_tiles", "tt.mul_tiles")
_SFPU = {"tt.exp_tile": "tt.exp_tile_init", "tt.relu_tile": "tt.relu_tile_init", "tt.fill_tile": "tt.fill_tile_init",
         "tt.negative_tile": "tt.negative_tile_init"}


def init_for(c: Call, transpose: int = 0) -> tuple[tuple[Any, ...], Evaluate] | None:
    """(configuration key, init statement) a tile call needs, or None for calls needing no init."""
    if c.op == "tt.matmul_tiles":
        key = ("matmul", c.args[0].name, c.args[1].name, transpose)
        return key, ev("tt.matmul_init", c.args[0], c.args[1], IntImm(transpose))
    if c.op == "tt.matmul_subblock":  # (in0, in1, i0, i1, dst, transpose, ct, rt, kt): init for these block dims
        dims = tuple(a.value for a in c.args[5:9])
        return ("matmul_block", c.args[0].name, c.args[1].name, *dims), \
            ev("tt.matmul_block_init", c.args[0], c.args[1], *c.args[5:9])
    if c.op in _BINARY:
        name = c.op[3:-6]
        return (name, c.args[0].name, c.args[1].name), ev(f"tt.{name}_init", c.args[0], c.args[1])
    if c.op == "tt.copy_tile":
        return ("copy", c.args[0].name), ev("tt.copy_init", c.args[0])
    if c.op == "tt.transpose_tile":
        return ("transpose", c.args[0].name), ev("tt.transpose_init", c.args[0])
    if c.op in _SFPU:
        return (c.op,), ev(_SFPU[c.op])
    if c.op == "tt.tilize_rows":  # (rm, block, dst): tilize_init(icb, block, ocb); tilize_uninit when leaving
        rm, w, dst = c.args
        return ("tilize", rm.name, w.value, dst.name), ev("tt.tilize_init", rm, w, dst)
    return _rowwise_init(c)


#: SFPU tile ops of expression trees → their init (the scalar binops share one)
_TREE_SFPU = {
    **{f"tt.{n}_tile": f"tt.{n}_tile_init" for n in (
        "exp2", "log", "sqrt", "rsqrt", "recip", "abs", "sigmoid", "tanh", "gelu", "silu", "erf", "power",
        "unary_max", "unary_min")},
    "tt.where_tile:Float32": "tt.where_tile_init", "tt.where_tile:Float16_b": "tt.where_tile_init",
    **{f"tt.{n}_binary_tile": f"tt.{n}_binary_tile_init" for n in ("add", "sub", "mul", "div", "gt", "lt", "ge",
                                                                   "le", "eq", "ne")},
    "tt.binary_max_tile": "tt.binary_max_tile_init", "tt.binary_min_tile": "tt.binary_min_tile_init",
    **{f"tt.{n}_unary_tile": "tt.binop_with_scalar_tile_init" for n in ("add", "sub", "mul", "div", "rsub")},
    "tt.fill_tile_bitcast": "tt.fill_tile_init",
}


def _rowwise_init(c: Call) -> tuple[tuple[Any, ...], Evaluate] | None:
    """Inits of the tile calls of expression trees and reductions (tt.tree_block / tt.reduce_block)."""
    op = c.op
    if op in _TREE_SFPU:
        init = _TREE_SFPU[op]
        return (init,), ev(init)
    if op.startswith("tt.unary_bcast:"):  # unary_bcast:<BroadcastType>(icb, itile, idst)
        kind = op.split(":")[1]
        return ("unary_bcast", kind, c.args[0].name), ev(f"tt.unary_bcast_init:{kind}", c.args[0])
    if "_reuse_dest_tiles:" in op:  # <op>_reuse_dest_tiles:<ReuseDestType>(icb, itile, idst)
        name, kind = op[3:].split("_reuse_dest_tiles:")
        return (op, c.args[0].name), ev(f"tt.{name}_reuse_dest_init:{kind}", c.args[0])
    if "_tiles_bcast_" in op:  # <op>_tiles_bcast_<cols|rows>(icb0, icb1, itile0, itile1, idst)
        name, kind = op[3:].split("_tiles_bcast_")
        return ((op, c.args[0].name, c.args[1].name),
                ev(f"tt.{name}_bcast_{kind}_init", c.args[0], c.args[1]))
    return None


def _first_need(s: Stmt, tr: int) -> tuple[tuple[Any, ...], Evaluate] | None:
    for c in collect_calls(s, "tt."):
        need = init_for(c, tr)
        if need is not None:
            return need
    return None


class InsertComputeInitTT(Pass):
    name = "tt.InsertComputeInitTT"

    def transform(self, mod: IRModule, ctx: PassContext) -> IRModule:  # noqa: ARG002
        funcs = {}
        for n, f in mod.functions.items():
            funcs[n] = self._func(f) if f.attrs.get(A.KERNEL_ROLE) == "compute" else f
        return IRModule(funcs, dict(mod.attrs), mod.loc)

    def _func(self, f: PrimFunc) -> PrimFunc:
        calls = collect_calls(f.body, "tt.")
        if not any(init_for(c) or c.op.startswith("tt.reduce_init:") for c in calls):
            return f  # a compute kernel without math (pure data movement)
        transpose = self._transpose(f)
        packs = [c for c in calls if c.op in ("tt.pack_tile", "tt.pack_tile_at")]
        first = next(c for c in calls if init_for(c) is not None or c.op.startswith("tt.reduce_init:"))
        unpacking = [c for c in calls if c.op in ("tt.matmul_tiles", "tt.matmul_subblock", *_BINARY, "tt.copy_tile",
                                                  "tt.transpose_tile")
                     or "_tiles_bcast_" in c.op or "_reuse_dest_tiles:" in c.op
                     or c.op.startswith(("tt.unary_bcast:", "tt.reduce_init:"))]
        if first.op not in ("tt.matmul_tiles", "tt.matmul_subblock", *_BINARY) and unpacking:
            first = unpacking[0]  # an SFPU op first (a fill): configure for the first op unpacking a CB
        out_cb: Buffer | None = packs[0].args[1] if packs else None
        if out_cb is None:
            raise self.error("compute kernel computes but never packs a result", f.loc)
        if first.op in ("tt.matmul_tiles", "tt.matmul_subblock"):
            startup = ev("tt.compute_kernel_hw_startup_reverse", first.args[0], first.args[1], out_cb)
        elif first.op in _BINARY or "_tiles_bcast_" in first.op or first.op.startswith("tt.reduce_init:"):
            startup = ev("tt.compute_kernel_hw_startup", first.args[0], first.args[1], out_cb)
        else:
            src = next((c.args[0] for c in calls if c.op in ("tt.copy_tile", "tt.transpose_tile")
                        or c.op.startswith("tt.unary_bcast:")
                        or "_reuse_dest_tiles:" in c.op), out_cb)
            startup = ev("tt.compute_kernel_hw_startup", src, out_cb)
        self._tilize_cbs: dict[tuple[Any, ...], tuple[Buffer, Buffer]] = {  # tilize config -> (icb, ocb)
            init_for(c)[0]: (c.args[0], c.args[2]) for c in calls if c.op == "tt.tilize_rows"}  # type: ignore[index]
        body, _ = self._insert(f.body, None, transpose)

        def fmt(b: Buffer) -> str | None:
            return f.attrs.get(A.cb_key(b.name), {}).get("data_format")

        # operands of several data formats: reconfigure the unpacker before the inits that need it
        return f.with_body(insert_unpack_reconfig(seq(startup, body), fmt))

    def _uninit(self, state: Any, new: Any) -> list[Stmt]:
        """``tilize_uninit(icb, ocb)`` when the configuration in force is a tilize and ``new`` is another."""
        if new != state and isinstance(state, tuple) and state and state[0] == "tilize" and state in self._tilize_cbs:
            rm, dst = self._tilize_cbs[state]
            return [ev("tt.tilize_uninit", rm, dst)]
        return []

    @staticmethod
    def _transpose(f: PrimFunc) -> int:
        return int(f.attrs.get(A.COMPUTE_CONFIG, {}).get("transpose_b", False))

    def _insert(self, s: Stmt, state: Any, tr: int) -> tuple[Stmt, Any]:  # noqa: PLR0911
        if isinstance(s, SeqStmt):
            out = []
            for x in s.stmts:
                y, state = self._insert(x, state, tr)
                out.append(y)
            return SeqStmt(out), state
        if isinstance(s, Evaluate) and isinstance(s.value, Call):
            if s.value.op == "tt.reduce_uninit":
                return s, None  # the next op re-initialises the unpacker / math / packer
            if s.value.op.startswith("tt.reduce_init:"):  # emitted with its reduce (it names the output CB)
                return s, ("reduce", s.value.op, *(a.name for a in s.value.args))
            need = init_for(s.value, tr)
            if need is None or need[0] == state:
                return s, state
            return seq(*self._uninit(state, need[0]), need[1], s), need[0]
        if isinstance(s, For):
            first = _first_need(s.body, tr)
            if first is None:
                return s, state
            body, end = self._insert(s.body, first[0], tr)
            loop = For(s.var, s.min, s.extent, s.kind, body, dict(s.annotations), s.loc)
            if end == first[0]:
                # the body is stable in its first configuration: init once, before the loop
                if state == first[0]:
                    return loop, end
                return seq(*self._uninit(state, first[0]), first[1], loop), end
            # the body ends in another configuration: re-init at the top of every iteration
            body, _ = self._insert(s.body, ("<loop>", id(s)), tr)
            return seq(*self._uninit(state, first[0]), For(s.var, s.min, s.extent, s.kind, body, dict(s.annotations),
                                                            s.loc)), ("<after>", id(s))
        if isinstance(s, LetStmt):
            body, state = self._insert(s.body, state, tr)
            return LetStmt(s.var, s.value, body, s.loc), state
        if isinstance(s, IfThenElse):
            then, st1 = self._insert(s.then_case, state, tr)
            other, st2 = (self._insert(s.else_case, state, tr) if s.else_case else (None, state))
            return IfThenElse(s.cond, then, other, s.loc), (st1 if st1 == st2 else ("<if>", id(s)))
        return s, state
