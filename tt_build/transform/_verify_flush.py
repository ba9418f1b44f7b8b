"""VerifyTTIR's multicast flush rule: a kernel writes into CB pages it multicast from only after the
multicast has left L1.

A ``noc_async_write_multicast`` reads its block from the sender's L1 until its bytes have left; only
``noc_async_writes_flushed`` or ``noc_async_write_barrier`` guarantee that. The check follows each data-movement
kernel in program order with the set of multicasts not yet flushed, each as (CB, pages reserved in that CB
since): ``cb_reserve_back`` advances the CB's write pointer, a flush or barrier empties the set, a loop body
runs until the set no longer changes, each branch of an ``if`` runs on its own and both are joined — except an
``if`` on runtime arguments only (a core's multicast role), which takes the same branch all run long: the
kernel is followed once per combination of those conditions. A write into
the CB's reserved pages (``noc_async_read*`` / ``zero_page`` to an address from ``get_write_ptr``) while a
pending multicast of that CB read the same ring pages (its distance in pages below one block either way)
is reported.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from tt_build.ir import BinaryOp, Buffer, Call, Evaluate, Expr, For, IntImm, IfThenElse, LetStmt, PrimFunc, SeqStmt, Stmt, Var
from tt_build.transform._analysis import free_vars

__all__ = ["check_multicast_flush"]

#: NOC writes into this core's L1 at the address argument's index
_L1_WRITES = {"tt.noc_async_read_page": 2, "tt.noc_async_read": 1, "tt.noc_async_read_shard_page": 2,
              "tt.zero_page": 0}
_FLUSHES = ("tt.noc_async_writes_flushed", "tt.noc_async_write_barrier")

State = frozenset[tuple[str, int]]  # pending multicasts: (CB name, pages reserved in it since, modulo its depth)


def check_multicast_flush(f: PrimFunc, cbs: dict[str, dict[str, Any]], add: Callable[[str, str], None]) -> None:
    """``cbs``: the function's on-chip buffers' ``tt.cb.<name>`` records, by name."""
    reported: set[str] = set()

    def cb_of(e: Expr, env: dict[str, str]) -> str | None:
        return next((env[v.name] for v in free_vars(e) if v.name in env), None)

    def hazard(state: set[State], cb: str) -> bool:
        depth, block = cbs[cb]["depth_pages"], cbs[cb]["block_pages"]
        return any(name == cb and (d < block or d > depth - block)
                   for st in state for name, d in st)

    def call(c: Call, states: set[State], env: dict[str, str]) -> set[State]:
        if c.op in _FLUSHES:
            return {frozenset()}
        if c.op == "tt.cb_reserve_back" and isinstance(c.args[0], Buffer):
            name, n = c.args[0].name, int(c.args[1].value)
            depth = cbs.get(name, {}).get("depth_pages", 1)
            return {frozenset((b, (d + n) % depth if b == name else d) for b, d in st) for st in states}
        if c.op == "tt.noc_async_write_multicast":
            cb = cb_of(c.args[0], env)
            return {st | {(cb, 0)} for st in states} if cb is not None else states
        if c.op in _L1_WRITES:
            cb = cb_of(c.args[_L1_WRITES[c.op]], env)
            if cb is not None and cb not in reported and hazard(states, cb):
                reported.add(cb)
                add("LowerCBIntrinsics", f"{f.name}: writes into pages of CB {cb} that a noc_async_write_multicast "
                                         "from them may still be reading: call noc_async_writes_flushed() (or "
                                         "noc_async_write_barrier()) between the multicast and the next write "
                                         "into its pages")
        return states

    fixed: dict[str, bool] = {}

    def walk(s: Stmt | None, states: set[State], env: dict[str, str]) -> set[State]:  # noqa: C901
        if s is None:
            return states
        if isinstance(s, SeqStmt):
            for x in s.stmts:
                states = walk(x, states, env)
            return states
        if isinstance(s, LetStmt):
            v = s.value
            if isinstance(v, Call) and v.op in ("tt.get_write_ptr", "tt.get_read_ptr") and isinstance(v.args[0], Buffer):
                env = {**env, s.var.name: v.args[0].name}
            return walk(s.body, states, env)
        if isinstance(s, For):
            seen = set(states)
            while True:
                out = walk(s.body, seen, env)
                if out <= seen:
                    return seen
                seen |= out
        if isinstance(s, IfThenElse):
            key = repr(s.cond)
            if key in fixed:
                return walk(s.then_case if fixed[key] else s.else_case, states, env)
            return walk(s.then_case, states, env) | walk(s.else_case, states, env)
        if isinstance(s, Evaluate) and isinstance(s.value, Call):
            return call(s.value, states, env)
        return states

    bound: set[str] = set()
    invariant: dict[str, list[Var]] = {}

    def scan(s: Any) -> None:
        if isinstance(s, SeqStmt):
            for x in s.stmts:
                scan(x)
        elif isinstance(s, (For, LetStmt)):
            bound.add(s.var.name)
            scan(s.body)
        elif isinstance(s, IfThenElse):
            if _plain(s.cond) and free_vars(s.cond):
                invariant[repr(s.cond)] = free_vars(s.cond)
            scan(s.then_case)
            scan(s.else_case)

    scan(f.body)
    keys = [k for k, vs in invariant.items() if all(v.name not in bound for v in vs)][:4]
    for values in itertools.product((True, False), repeat=len(keys)):
        fixed.clear()
        fixed.update(zip(keys, values))
        walk(f.body, {frozenset()}, {})


def _plain(e: Any) -> bool:
    """An expression of variables, integers and operators only."""
    if isinstance(e, BinaryOp):
        return _plain(e.a) and _plain(e.b)
    return isinstance(e, (Var, IntImm))

