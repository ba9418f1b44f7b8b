"""A tiny interpreter for lowered device functions: runs the loop nest with integer runtime args
and records every ``tt.*`` call with its evaluated arguments (tests compare these traces)."""

from __future__ import annotations

from typing import Any

from tt_build.ir import Buffer, Call, Evaluate, For, IfThenElse, LetStmt, PrimFunc, SeqStmt, Stmt, Var
from tt_build.transform._analysis import eval_int


def trace(func: PrimFunc, runtime: dict[str, int]) -> list[tuple[Any, ...]]:
    """Calls as tuples ``(api_name, *args)``; buffers appear by name, integers evaluated."""
    env: dict[Var, int] = {}
    by_name = dict(runtime)
    out: list[tuple[Any, ...]] = []

    def value(e: Any) -> Any:
        if isinstance(e, Buffer):
            return e.name
        if isinstance(e, Call):
            return (e.op[3:], *(value(a) for a in e.args))
        if isinstance(e, Var) and e not in env:
            return by_name[e.name]
        try:
            return eval_int(e, {**env, **{v: by_name[v.name] for v in _free_vars(e) if v not in env}})
        except (TypeError, KeyError):
            return getattr(e, "value", e)

    def run(s: Stmt | None) -> None:
        if s is None:
            return
        if isinstance(s, SeqStmt):
            for x in s.stmts:
                run(x)
        elif isinstance(s, Evaluate):
            out.append(value(s.value))
        elif isinstance(s, LetStmt):
            v = value(s.value)
            env[s.var] = v if isinstance(v, int) else 0
            run(s.body)
        elif isinstance(s, For):
            lo = value(s.min)
            n = value(s.extent)
            for i in range(lo, lo + n):
                env[s.var] = i
                run(s.body)
        elif isinstance(s, IfThenElse):
            run(s.then_case if value(s.cond) else s.else_case)

    run(func.body)
    return out


def _free_vars(e: Any) -> list[Var]:
    from tt_build.ir import StmtExprVisitor  # noqa: PLC0415

    found: list[Var] = []

    class V(StmtExprVisitor):
        def visit_Var(self, v: Var) -> None:  # noqa: N802
            found.append(v)

    V().visit(e)
    return found


def unblock(calls: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The trace with every ``matmul_block`` call (IR op ``matmul_subblock``: in0, in1, in0 index, in1 index,
    dst, transpose, ct, rt, kt) spelled as the ``matmul_tiles`` calls it performs (DST[dst + r·ct + c] +=
    in0[i0 + r·kt] · in1[i1 + c]), and ``matmul_block_init`` as ``matmul_init`` — so tests state the tile
    products a kernel computes whichever of the two APIs computes them."""
    out: list[tuple[Any, ...]] = []
    for c in calls:
        if c[0] == "matmul_subblock":
            _, a, b, i0, i1, dst, _tr, ct, rt, kt = c
            out += [("matmul_tiles", a, b, i0 + r * kt, i1 + cc, dst + r * ct + cc)
                    for r in range(rt) for cc in range(ct)]
        elif c[0] == "matmul_block_init":
            out.append(("matmul_init", c[1], c[2], c[3]))
        else:
            out.append(c)
    return out
