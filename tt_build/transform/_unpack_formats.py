"""The unpacker's source-register data formats in a compute kernel (TT-Metalium 0.81).

The unpacker converts a CB's tiles into the SrcA / SrcB registers in the data format it is configured
for: ``compute_kernel_hw_startup`` configures both, ``reconfig_data_format[_srca|_srcb]`` change them. The
0.81 short inits (``copy_init``, ``add_init``, ``reduce_init``, …) do not (their ``state_configure`` only
acts in a kernel built with the compute-kernel sentinel), so a kernel whose operands come from CBs of
different formats (bfloat16 blocks, float32 tensors or staged fragments) reconfigures the unpacker
itself. Which CB feeds which register follows the 0.81 headers: the first operand of a one- or
two-operand op is SrcA's (unpacker 0, also for broadcasts and dest-reuse ops), the second SrcB's;
a matmul unpacks ``in1`` into SrcA and ``in0`` into SrcB (``SrcOrder::Reverse``), and a row sum
reduction its scaler into SrcA and the data into SrcB.

:func:`insert_unpack_reconfig` (InsertComputeInitTT) puts the reconfiguration before every init whose
operands are in other formats than the unpacker holds; :func:`check_unpack_formats` (VerifyTTIR) walks
the tile calls and proves every one reads its CBs in the formats the unpacker holds at that point.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tt_build.ir import Buffer, Call, Evaluate, For, IfThenElse, LetStmt, SeqStmt, Stmt, seq

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["check_unpack_formats", "configures", "init_operands", "insert_unpack_reconfig", "tile_operands"]

#: a (SrcA, SrcB) pair of data formats; None = not known here (after a loop / branch that changes it)
_State = tuple[str | None, str | None]
_UNKNOWN: _State = (None, None)


def _reduce_operands(op: str, src: Buffer, scaler: Buffer) -> tuple[Buffer, Buffer]:
    _, pool, dim = op.split(":")
    # REDUCE_ROW SUM / AVG multiply by the scaler with swapped operands (reduce.h): scaler in SrcA
    return (scaler, src) if dim == "REDUCE_ROW" and pool != "MAX" else (src, scaler)


def tile_operands(c: Call) -> tuple[Buffer | None, Buffer | None] | None:
    """(SrcA CB, SrcB CB) a tile call unpacks from, or None for a call that reads no CB."""
    op, a = c.op, c.args
    if op in ("tt.copy_tile", "tt.transpose_tile") or op.startswith("tt.unary_bcast:") or "_reuse_dest_tiles:" in op:
        return a[0], None
    if op in ("tt.add_tiles", "tt.sub_tiles", "tt.mul_tiles") or "_tiles_bcast_" in op:
        return a[0], a[1]
    if op in ("tt.matmul_tiles", "tt.matmul_subblock"):
        return a[1], a[0]
    if op.startswith("tt.reduce_tile:"):
        return _reduce_operands(op, a[0], a[1])
    return None


def init_operands(c: Call) -> tuple[Buffer | None, Buffer | None] | None:
    """(SrcA CB, SrcB CB) of the tile calls an init prepares, or None for an init reading no CB."""
    op, a = c.op, c.args
    if op in ("tt.copy_init", "tt.transpose_init") or op.startswith("tt.unary_bcast_init:") or \
            "_reuse_dest_init:" in op:
        return a[0], None
    if op in ("tt.add_init", "tt.sub_init", "tt.mul_init") or ("_bcast_" in op and op.endswith("_init")
                                                               and not op.startswith("tt.unary_bcast")):
        return a[0], a[1]
    if op in ("tt.matmul_init", "tt.matmul_block_init"):
        return a[1], a[0]
    if op.startswith("tt.reduce_init:"):
        return _reduce_operands(op, a[0], a[1])
    return None


def configures(c: Call, fmt: Callable[[Buffer], str | None], state: _State) -> _State | None:
    """The unpacker formats after ``c`` when it configures them (hardware start-up, reconfiguration), else None."""
    op, a = c.op, c.args
    if op == "tt.compute_kernel_hw_startup":
        return (fmt(a[0]), fmt(a[1])) if len(a) == 3 else (fmt(a[0]), fmt(a[0]))  # noqa: PLR2004
    if op == "tt.compute_kernel_hw_startup_reverse":
        return fmt(a[1]), fmt(a[0])
    if op == "tt.reconfig_data_format":  # (a, b) or (old a, a, old b, b)
        return (fmt(a[0]), fmt(a[1])) if len(a) == 2 else (fmt(a[1]), fmt(a[3]))  # noqa: PLR2004
    if op == "tt.reconfig_data_format_srca":
        return fmt(a[-1]), state[1]
    if op == "tt.reconfig_data_format_srcb":
        return state[0], fmt(a[-1])
    return None


_Visit = "Callable[[Evaluate, _State], tuple[Stmt, _State]]"
_Hoist = "Callable[[_State, _State], list[Stmt]] | None"


def _walk(s: Stmt, state: _State, visit: _Visit, hoist: _Hoist = None) -> tuple[Stmt, _State]:  # type: ignore[valid-type]
    """Program-order walk threading the unpacker state. A loop body that ends in another state than it starts
    with: with ``hoist`` (the inserter), when the body walked from its end state ends there again, ``hoist``
    gives the reconfiguration into that state before the loop (once, not per iteration); otherwise the body is
    walked again from the join of both (its later iterations start where it ends)."""
    if isinstance(s, SeqStmt):
        out = []
        for x in s.stmts:
            y, state = _walk(x, state, visit, hoist)
            out.append(y)
        return SeqStmt(out), state
    if isinstance(s, Evaluate) and isinstance(s.value, Call):
        return visit(s, state)
    if isinstance(s, For):
        body, end = _walk(s.body, state, visit, hoist)
        pre: list[Stmt] = []
        if end != state:
            joined, jend = _walk(s.body, _join(state, end), visit, hoist)
            again, end2 = _walk(s.body, end, visit, hoist) if hoist is not None and None not in end else (None, None)
            # entering in the end state costs one reconfiguration before the loop: worth it when the body then
            # needs fewer of them per iteration
            if again is not None and end2 == end and _reconfigs(again) < _reconfigs(joined):
                body, pre = again, hoist(state, end)
            else:
                body, end = joined, jend
        return seq(*pre, For(s.var, s.min, s.extent, s.kind, body, dict(s.annotations), s.loc)), end
    if isinstance(s, LetStmt):
        body, state = _walk(s.body, state, visit, hoist)
        return LetStmt(s.var, s.value, body, s.loc), state
    if isinstance(s, IfThenElse):
        a, sa = _walk(s.then_case, state, visit, hoist)
        b, sb = _walk(s.else_case, state, visit, hoist) if s.else_case is not None else (None, state)
        return IfThenElse(s.cond, a, b, s.loc), _join(sa, sb)
    return s, state


def _reconfigs(body: Stmt) -> int:
    """Unpacker reconfigurations in ``body`` (each runs once per iteration of the loop around it, or more)."""
    from tt_build.transform._analysis import collect_calls  # noqa: PLC0415

    return sum(c.op.startswith("tt.reconfig_data_format") for c in collect_calls(body, "tt."))


def _join(a: _State, b: _State) -> _State:
    return (a[0] if a[0] == b[0] else None, a[1] if a[1] == b[1] else None)


def insert_unpack_reconfig(body: Stmt, fmt: Callable[[Buffer], str | None]) -> Stmt:
    """Put ``reconfig_data_format(a, b)`` / ``reconfig_data_format_srca(a)`` / ``_srcb(b)`` before every init
    whose operand CBs are in other formats than the unpacker is configured for."""
    from tt_build.transform.lower_cb_intrinsics import ev  # noqa: PLC0415

    cb_of: dict[str, Buffer] = {}  # a CB of each format (named by a hoisted reconfiguration)

    def reconfig(state: _State, a: Buffer | None, b: Buffer | None) -> tuple[list[Stmt], _State]:
        fix_a = a is not None and fmt(a) != state[0]
        fix_b = b is not None and fmt(b) != state[1]
        if fix_a and fix_b:
            return [ev("tt.reconfig_data_format", a, b)], (fmt(a), fmt(b))
        if fix_a:
            return [ev("tt.reconfig_data_format_srca", a)], (fmt(a), state[1])
        if fix_b:
            return [ev("tt.reconfig_data_format_srcb", b)], (state[0], fmt(b))
        return [], state

    def visit(s: Evaluate, state: _State) -> tuple[Stmt, _State]:
        c = s.value
        assert isinstance(c, Call)
        for arg in c.args:
            if isinstance(arg, Buffer) and fmt(arg) is not None:
                cb_of.setdefault(fmt(arg), arg)  # type: ignore[arg-type]
        new = configures(c, fmt, state)
        if new is not None:
            return s, new
        need = init_operands(c)
        if need is None:
            return s, state
        pre, state = reconfig(state, *need)
        return seq(*pre, s), state

    def hoist(state: _State, into: _State) -> list[Stmt]:
        pre, _ = reconfig(state, *(cb_of[f] if f is not None else None for f in into))
        return pre

    out, _ = _walk(body, _UNKNOWN, visit, hoist)
    return out


def check_unpack_formats(body: Stmt, fmt: Callable[[Buffer], str | None]) -> list[tuple[Call, str, Buffer, Any]]:
    """Every tile call whose CB is unpacked in another format than the unpacker holds there: a list of
    (call, register "SrcA" / "SrcB", CB, the format held — None when it is not known)."""
    bad: list[tuple[Call, str, Buffer, Any]] = []
    seen: set[int] = set()

    def visit(s: Evaluate, state: _State) -> tuple[Stmt, _State]:
        c = s.value
        assert isinstance(c, Call)
        new = configures(c, fmt, state)
        if new is not None:
            return s, new
        ops = tile_operands(c)
        if ops is not None:
            for reg, cb, held in (("SrcA", ops[0], state[0]), ("SrcB", ops[1], state[1])):
                if cb is not None and fmt(cb) != held and id(c) not in seen:
                    seen.add(id(c))
                    bad.append((c, reg, cb, held))
        return s, state

    _walk(body, _UNKNOWN, visit)
    return bad
