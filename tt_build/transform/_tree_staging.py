"""Staging of expression trees deeper than DST, for InsertDSTManagementTT.

An expression tree is evaluated per output tile in DST registers (:mod:`tt_build.transform._tree_codegen`):
the left operand of a node stays in the node's register, the right one takes the next. A tree whose
evaluation needs more registers than DST holds (8 tiles, 4 with float32 accumulation) is split: a subtree
is evaluated first, tile by tile, and packed into an internal *stage* CB (kind ``staged``, ``stages`` naming
the fragment it serves, one block of the fragment's tiles, in float32 when DST is float32, else in the
fragment's own format); the tree then reads the stage as a block (``copy_tile`` / an FPU operand) instead
of the subtree. Subtrees are chosen top-down: from the root, descend into the operand that still needs
more registers than DST holds; when none does, stage the operand needing the most registers (not a single
load or constant). This repeats until the tree fits, each stage's own tree fitting by construction.

The stage is an ordinary staged CB to the rest of the pipeline: the split emits its protocol
(``cb_reserve_back`` / the subtree's ``tt.tree_block`` / ``cb_push_back``, then ``cb_wait_front`` / the tree
/ ``cb_pop_front``), VerifyTTIR checks its balance and the unpacker / packer reconfiguration covers its
format. An in-place tree (``c[i, j] = f(c[i, j])``, which replaces the fragment tile by tile) never stages
a subtree reading the fragment itself: it must keep reading it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tt_build.ir import BinaryOp, Buffer, BufferLoad, Call, Evaluate, FloatImm, IntImm, Stmt, seq
from tt_build.ir.rowwise import tree_loads

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["split_tree"]


def _children(e: Any) -> list[Any]:
    if isinstance(e, BinaryOp):
        return [e.a, e.b]
    if isinstance(e, Call):
        return [a for a in e.args if isinstance(a, (BinaryOp, Call, BufferLoad, FloatImm, IntImm))]
    return []


def _leaf(e: Any) -> bool:
    while isinstance(e, Call) and e.op == "math.cast":
        e = e.args[0]
    return isinstance(e, (BufferLoad, FloatImm, IntImm))


def _replace(e: Any, target: Any, new: Any) -> Any:
    if e is target:
        return new
    if isinstance(e, BinaryOp):
        return BinaryOp(e.op, _replace(e.a, target, new), _replace(e.b, target, new), e.dtype, e.loc)
    if isinstance(e, Call):
        return Call(e.op, tuple(_replace(a, target, new) for a in e.args), e.dtype, e.loc)
    return e


def split_tree(c: Call, cap: int, registers: Callable[[Buffer, Any], int],
               new_stage: Callable[[Buffer, Any], Buffer], error: Callable[..., Exception]) -> Stmt:
    """``tt.tree_block(dst, value)`` as statements evaluating it within ``cap`` DST registers: the stages
    (each with its CB protocol) and the remaining tree, or the call itself when it fits."""
    dst, value = c.args[0], c.args[1]
    need = registers(dst, value)
    if need <= cap:
        return Evaluate(c)
    inplace = any(ld.buffer is dst for ld in tree_loads(value))
    before: list[Stmt] = []
    after: list[Stmt] = []
    while need > cap:
        target = _pick(value, dst, cap, registers, inplace)
        if target is None:
            raise error(f"the expression stored into {dst.name} needs {need} DST registers but DST holds {cap} "
                        "tiles here, and no part of it can be staged through a circular buffer (an in-place "
                        f"update must keep reading {dst.name})", c.loc,
                        hint="split the expression: store a part into another T.alloc_fragment first and read "
                             "that fragment in the next statement")
        stage = new_stage(dst, target)
        n = IntImm(_pages(stage))
        idx = next((ld.indices for ld in tree_loads(target) if len(ld.buffer.shape) == len(dst.shape)), ())
        before += [_ev("tt.cb_reserve_back", stage, n), Evaluate(Call("tt.tree_block", (stage, target), c.dtype,
                                                                      c.loc), c.loc),
                   _ev("tt.cb_push_back", stage, n), _ev("tt.cb_wait_front", stage, n)]
        after.insert(0, _ev("tt.cb_pop_front", stage, n))
        value = _replace(value, target, BufferLoad(stage, tuple(idx), target.dtype, target.loc))
        need = registers(dst, value)
    return seq(*before, Evaluate(Call(c.op, (dst, value, *c.args[2:]), c.dtype, c.loc), c.loc), *after)


def _pages(stage: Buffer) -> int:
    n = 1
    for d in stage.shape:
        n *= max(d // 32, 1)
    return n


def _ev(op: str, *args: Any) -> Stmt:
    from tt_build.transform.lower_cb_intrinsics import ev  # noqa: PLC0415

    return ev(op, *args)


def _pick(value: Any, dst: Buffer, cap: int, registers: Callable[[Buffer, Any], int], inplace: bool) -> Any:  # noqa: FBT001
    """The subtree to stage next (None when no subtree can be)."""
    node = value
    while True:
        kids = [k for k in _children(node) if not _leaf(k)]
        needs = [(registers(dst, k), k) for k in kids]
        deeper = [k for n, k in needs if n > cap]
        if deeper:
            node = deeper[0]
            continue
        stageable = [(n, k) for n, k in needs
                     if not (inplace and any(ld.buffer is dst for ld in tree_loads(k)))]
        if not stageable:
            return None
        return max(stageable, key=lambda t: t[0])[1]
