"""Tile code of the staged block ops (``tt.tree_block``, ``tt.reduce_block``) for InsertDSTManagementTT.

Each output tile is computed in its own ``tile_regs_acquire`` … ``tile_regs_release``: the expression
tree is evaluated into DST register 0, using registers 1, 2, … for the operands it cannot compute in
place (a register allocation of the tree: the left operand stays in the register of its node, the right
one takes the next), and packed into the destination CB. Operations, cheapest first:

* a block element ``s[i, j]`` → ``copy_tile``; a vector broadcast over the block (``v[i]``, ``v[j]``) →
  ``unary_bcast<BroadcastType::COL|ROW>``;
* ``s ⊕ t`` of two blocks (⊕ in + - *) → ``add/sub/mul_tiles``; ``s ⊕ v`` of a block and a broadcast
  vector → ``add/sub/mul_tiles_bcast_cols|rows``; a computed value ⊕ a block (either side) →
  ``add/sub/mul_reuse_dest_tiles<DEST_TO_SRCA|DEST_TO_SRCB>`` (the value stays in its DST register);
* a value and a constant → the scalar SFPU ops (``add/sub/mul/div/rsub_unary_tile``,
  ``unary_max/min_tile``, ``power_tile``);
* two values → the SFPU binary ops (``add/sub/mul/div_binary_tile``, ``binary_max/min_tile``);
* unary math → its SFPU op (``exp_tile``, ``exp2_tile``, ``log_tile``, ``sqrt_tile``, ``rsqrt_tile``,
  ``recip_tile``, ``abs_tile``, ``sigmoid_tile``, ``tanh_tile``, ``gelu_tile``, ``silu_tile``,
  ``erf_tile``, ``relu_tile``, ``negative_tile``); ``log2`` = ``log_tile`` × 1/ln 2, ``clamp`` =
  ``unary_max_tile`` then ``unary_min_tile``;
* ``T.if_then_else(a <cmp> b, x, y)`` → ``gt/lt/ge/le/eq/ne_binary_tile`` (1.0 where the comparison
  holds, else 0.0) and ``where_tile``.

A tree needing more registers than DST holds is split before (:mod:`tt_build.transform._tree_staging`).
No attributes are read here: the pass passes the tile grids and vector orientations in.
"""

from __future__ import annotations

import math
import struct
from typing import TYPE_CHECKING, Any

from tt_build.ir import BinaryOp, Buffer, BufferLoad, Call, Expr, FloatImm, IntImm, Stmt, StringImm, seq
from tt_build.ir.rowwise import POOL_TYPES, tree_loads
from tt_build.transform.lower_cb_intrinsics import ev, tile_loop

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["TreeCodegen", "float_bits"]

_FPU = {"+": "add", "-": "sub", "*": "mul"}
_SFPU_BINARY = {"+": "add_binary_tile", "-": "sub_binary_tile", "*": "mul_binary_tile", "/": "div_binary_tile",
                "max": "binary_max_tile", "min": "binary_min_tile"}
_UNARY = {"exp": "exp_tile", "exp2": "exp2_tile", "log": "log_tile", "sqrt": "sqrt_tile", "rsqrt": "rsqrt_tile",
          "abs": "abs_tile", "sigmoid": "sigmoid_tile", "tanh": "tanh_tile", "gelu": "gelu_tile",
          "silu": "silu_tile", "erf": "erf_tile"}
_CMP = {">": "gt_binary_tile", "<": "lt_binary_tile", ">=": "ge_binary_tile", "<=": "le_binary_tile",
        "==": "eq_binary_tile", "!=": "ne_binary_tile"}


def float_bits(v: float) -> IntImm:
    """An fp32 value as the uint32 bit pattern the SFPU scalar parameters take."""
    return IntImm(struct.unpack("<I", struct.pack("<f", float(v)))[0], "uint32")


def _strip(e: Any) -> Any:
    while isinstance(e, Call) and e.op == "math.cast":
        e = e.args[0]
    return e


def _const(e: Any) -> float | None:
    e = _strip(e)
    return float(e.value) if isinstance(e, (FloatImm, IntImm)) else None


class TreeCodegen:
    """Expands staged block ops of one compute function into tile calls."""

    def __init__(self, tiles: Callable[[Buffer], tuple[int, int]], vector: Callable[[Buffer], str | None],
                 cap: int, error: Callable[..., Exception], *, fp32: bool = False) -> None:
        self.fp32 = fp32  # DST holds float32 (where_tile's data format)
        self.tiles = tiles
        self.vector = vector
        self.cap = cap
        self.error = error

    # -- tree_block --------------------------------------------------------------------------------
    def registers(self, dst: Buffer, value: Any) -> int:
        """DST registers the evaluation of ``value`` (stored into ``dst``) needs per output tile."""
        inplace = any(ld.buffer is dst for ld in tree_loads(value))
        self.used = 0
        zero = IntImm(0)
        self._gen(value, 0, [], dst, inplace, len(dst.shape) == 2, zero, zero, zero,  # noqa: PLR2004
                  Call("tt.tree_block", (dst, value)))
        return self.used + 1

    def tree_block(self, c: Call) -> Stmt:
        dst, value = c.args[0], c.args[1]
        rows, cols = self.tiles(dst)
        inplace = any(ld.buffer is dst for ld in tree_loads(value))
        two_d = len(dst.shape) == 2  # noqa: PLR2004

        def tile(r: Expr, col: Expr) -> Stmt:
            t = r * cols + col
            code: list[Stmt] = []
            self.used = 0
            self._gen(value, 0, code, dst, inplace, two_d, r, col, t, c)
            if self.used >= self.cap:  # pragma: no cover - InsertDSTManagementTT stages deeper trees first
                raise self.error(f"the expression stored into {dst.name} needs {self.used + 1} DST registers but "
                                 f"DST holds {self.cap} tiles here", c.loc)
            return self._pack(code, dst, inplace)

        return tile_loop("r", rows, lambda r: tile_loop("c", cols, lambda col: tile(r, col)))

    def _pack(self, code: list[Stmt], dst: Buffer, inplace: bool) -> Stmt:  # noqa: FBT001
        replace = [ev("tt.cb_pop_front", dst, IntImm(1)), ev("tt.cb_reserve_back", dst, IntImm(1))] if inplace else []
        push = [ev("tt.cb_push_back", dst, IntImm(1))] if inplace else []
        return seq(ev("tt.tile_regs_acquire"), *code, ev("tt.tile_regs_commit"), ev("tt.tile_regs_wait"), *replace,
                   ev("tt.pack_tile", IntImm(0), dst), *push, ev("tt.tile_regs_release"))

    def _index(self, b: Buffer, dst: Buffer, inplace: bool, two_d: bool, r: Expr, col: Expr, t: Expr) -> Expr:  # noqa: FBT001, PLR0913
        if b is dst and inplace:
            return IntImm(0)  # the tiles of dst are replaced one at a time: the current one is at the front
        if two_d and len(b.shape) == 1:
            return r if self.vector(b) == "col" else col
        return t

    def _slot(self, s: int) -> IntImm:
        self.used = max(self.used, s)
        return IntImm(s)

    def _gen(self, e: Any, s: int, code: list[Stmt], dst: Buffer, inplace: bool, two_d: bool,  # noqa: C901, PLR0912, PLR0913, PLR0915
             r: Expr, col: Expr, t: Expr, c: Call) -> None:
        e = _strip(e)
        slot = self._slot(s)

        def sub(x: Any, k: int) -> None:
            self._gen(x, k, code, dst, inplace, two_d, r, col, t, c)

        def idx(b: Buffer) -> Expr:
            return self._index(b, dst, inplace, two_d, r, col, t)

        def is_block(x: Any) -> bool:
            x = _strip(x)
            return isinstance(x, BufferLoad) and not (two_d and len(x.buffer.shape) == 1)

        def is_bcast(x: Any) -> bool:
            x = _strip(x)
            return isinstance(x, BufferLoad) and two_d and len(x.buffer.shape) == 1

        if isinstance(e, (FloatImm, IntImm)):
            v = float(e.value)
            if math.isfinite(v):
                code.append(ev("tt.fill_tile", slot, FloatImm(v)))
            else:
                code.append(ev("tt.fill_tile_bitcast", slot, float_bits(v)))
            return
        if isinstance(e, BufferLoad):
            b = e.buffer
            if is_bcast(e):
                code.append(ev(f"tt.unary_bcast:{'COL' if self.vector(b) == 'col' else 'ROW'}", b, idx(b), slot))
            else:
                code.append(ev("tt.copy_tile", b, idx(b), slot))
            return
        if isinstance(e, BinaryOp) and e.op == "-" and _const(e.a) == 0.0 and not isinstance(_strip(e.b), FloatImm):
            sub(e.b, s)
            code.append(ev("tt.negative_tile", slot))
            return
        if isinstance(e, BinaryOp):
            a, b = _strip(e.a), _strip(e.b)
            ca, cb = _const(a), _const(b)
            if e.op in _FPU and is_block(a) and is_block(b):
                code.append(ev(f"tt.{_FPU[e.op]}_tiles", a.buffer, b.buffer, idx(a.buffer), idx(b.buffer), slot))
                return
            if e.op in _FPU and is_bcast(a) and is_block(b) and e.op != "-":
                a, b = b, a
            if e.op in _FPU and is_block(a) and is_bcast(b):
                kind = "cols" if self.vector(b.buffer) == "col" else "rows"
                code.append(ev(f"tt.{_FPU[e.op]}_tiles_bcast_{kind}", a.buffer, b.buffer, idx(a.buffer),
                               idx(b.buffer), slot))
                return
            if e.op in _FPU and is_block(b) and cb is None and ca is None:  # value ⊕ block: b unpacked next to DST
                sub(a, s)
                code.append(ev(f"tt.{_FPU[e.op]}_reuse_dest_tiles:DEST_TO_SRCA", b.buffer, idx(b.buffer), slot))
                return
            if e.op in _FPU and is_block(a) and cb is None and ca is None:  # block ⊕ value
                sub(b, s)
                code.append(ev(f"tt.{_FPU[e.op]}_reuse_dest_tiles:DEST_TO_SRCB", a.buffer, idx(a.buffer), slot))
                return
            if cb is not None:
                sub(a, s)
                self._scalar(e.op, cb, slot, code, reverse=False)
                return
            if ca is not None:
                sub(b, s)
                self._scalar(e.op, ca, slot, code, reverse=True)
                return
            sub(a, s)
            sub(b, s + 1)
            code.append(ev(f"tt.{_SFPU_BINARY[e.op]}", slot, IntImm(s + 1), slot))
            return
        if isinstance(e, Call):
            op = e.op.removeprefix("math.")
            if op in _UNARY:
                sub(e.args[0], s)
                code.append(ev(f"tt.{_UNARY[op]}", slot))
                return
            if op == "log2":
                sub(e.args[0], s)
                code += [ev("tt.log_tile", slot), ev("tt.mul_unary_tile", slot, float_bits(1.0 / math.log(2.0)))]
                return
            if op == "pow":
                sub(e.args[0], s)
                code.append(ev("tt.power_tile", slot, float_bits(e.args[1].value)))
                return
            if op == "clamp":
                sub(e.args[0], s)
                code += [ev("tt.unary_max_tile", slot, float_bits(e.args[1].value)),
                         ev("tt.unary_min_tile", slot, float_bits(e.args[2].value))]
                return
            if op == "select":
                cond, x, y = e.args
                cmp = cond.args[0].value if isinstance(cond.args[0], StringImm) else "=="
                sub(cond.args[1], s)
                sub(cond.args[2], s + 1)
                code.append(ev(f"tt.{_CMP[cmp]}", slot, IntImm(s + 1), slot))  # 1.0 where true, else 0.0
                sub(x, s + 1)
                sub(y, s + 2)
                fmt = "Float32" if self.fp32 else "Float16_b"
                code.append(ev(f"tt.where_tile:{fmt}", slot, IntImm(s + 1), IntImm(s + 2), slot))
                return
        raise self.error(f"cannot compute {type(e).__name__} {getattr(e, 'op', '')} in a tile", c.loc)

    def _scalar(self, op: str, v: float, slot: IntImm, code: list[Stmt], *, reverse: bool) -> None:
        """``x <op> v`` (``v <op> x`` when ``reverse``) with x in ``slot``."""
        if op in ("max", "min"):
            if v == 0.0 and op == "max":
                code.append(ev("tt.relu_tile", slot))
            else:
                code.append(ev(f"tt.unary_{op}_tile", slot, float_bits(v)))
            return
        if op == "/" and reverse:  # v / x
            code.append(ev("tt.recip_tile", slot))
            if v != 1.0:
                code.append(ev("tt.mul_unary_tile", slot, float_bits(v)))
            return
        if op == "-" and reverse:
            code.append(ev("tt.rsub_unary_tile", slot, float_bits(v)))
            return
        name = {"+": "add", "-": "sub", "*": "mul", "/": "div"}[op]
        code.append(ev(f"tt.{name}_unary_tile", slot, float_bits(v)))

    # -- reduce_block ------------------------------------------------------------------------------
    def reduce_block(self, c: Call) -> Stmt:
        src, scaler, dst, kind, dim, clear = c.args
        rows, cols = self.tiles(src)
        pool = POOL_TYPES[kind.value]
        rdim = "REDUCE_ROW" if dim.value == 1 else "REDUCE_COL"
        inplace = not clear.value
        outer, inner = (rows, cols) if dim.value == 1 else (cols, rows)

        def one(o: Expr) -> Stmt:
            code: list[Stmt] = []
            if inplace:
                code.append(ev("tt.copy_tile", dst, IntImm(0), IntImm(0)))
            elif pool == "MAX":
                code.append(ev("tt.fill_tile_bitcast", IntImm(0), float_bits(-math.inf)))

            def red(i: Expr) -> Stmt:
                t = o * cols + i if dim.value == 1 else i * cols + o
                return ev(f"tt.reduce_tile:{pool}:{rdim}", src, scaler, t, IntImm(0), IntImm(0))

            code += [ev(f"tt.reduce_init:{pool}:{rdim}", src, scaler, dst), tile_loop("k", inner, red)]
            return self._pack(code, dst, inplace)

        return seq(tile_loop("o", outer, one), ev("tt.reduce_uninit"))


def _packs(s: Any) -> list[Call]:
    from tt_build.transform._analysis import collect_calls  # noqa: PLC0415

    return [c for c in collect_calls(s, "tt.") if c.op == "tt.pack_tile"]


def insert_pack_reconfig(body: Stmt, fmt: Callable[[Buffer], str | None], start: str | None) -> Stmt:
    """Put ``pack_reconfig_data_format(cb)`` before every ``pack_tile`` into a CB whose data format differs
    from the previous pack's (``start``: the format the packer is configured for at the top, by
    ``compute_kernel_hw_startup``). A loop whose body ends in another format than it starts with
    reconfigures at its first pack in every iteration."""
    from tt_build.ir import Evaluate, For, IfThenElse, LetStmt, SeqStmt  # noqa: PLC0415

    def first_pack(s: Any) -> str | None:
        from tt_build.transform._analysis import collect_calls  # noqa: PLC0415

        return next((fmt(c.args[1]) for c in collect_calls(s, "tt.") if c.op == "tt.pack_tile"), None)

    def walk(s: Any, state: str | None) -> tuple[Any, str | None]:
        if isinstance(s, SeqStmt):
            out = []
            for x in s.stmts:
                y, state = walk(x, state)
                out.append(y)
            return SeqStmt(out), state
        if isinstance(s, Evaluate) and isinstance(s.value, Call) and s.value.op == "tt.pack_tile":
            f = fmt(s.value.args[1])
            if f is None or f == state:
                return s, state
            return seq(ev("tt.pack_reconfig_data_format", s.value.args[1]), s), f
        if isinstance(s, For):
            first = first_pack(s.body)
            if first is None:
                return s, state
            body, end = walk(s.body, first)
            if end == first:  # one format from start to end of the body: configure once, before the loop
                loop = For(s.var, s.min, s.extent, s.kind, body, dict(s.annotations), s.loc)
                if state == first:
                    return loop, end
                cb = next(c.args[1] for c in _packs(s.body))
                return seq(ev("tt.pack_reconfig_data_format", cb), loop), end
            body, end = walk(s.body, "<loop>")  # re-entered in another format: reconfigure every iteration
            return For(s.var, s.min, s.extent, s.kind, body, dict(s.annotations), s.loc), end
        if isinstance(s, LetStmt):
            body, state = walk(s.body, state)
            return LetStmt(s.var, s.value, body, s.loc), state
        if isinstance(s, IfThenElse):
            a, sa = walk(s.then_case, state)
            b, sb = walk(s.else_case, state) if s.else_case is not None else (None, state)
            return IfThenElse(s.cond, a, b, s.loc), sa if sa == sb else "<if>"
        return s, state

    out, _ = walk(body, start)
    return out
