"""tt.SplitDeviceKernel — split the kernel into reader, compute and writer device functions.

Requires: ``tt.tile_dfg`` (BuildTileDFGTT) whose ``ops`` list the block ops in program order with
their processor role.
Produces: exactly three PrimFuncs ``<kernel>_reader``, ``<kernel>_compute``, ``<kernel>_writer`` with
``tt.kernel_role``. Each keeps the loop nest of the original (persistent block loop, K loop …) around
the ops of its role only; loops left empty and ``let`` bindings no longer used are dropped. Each carries
the kernel-wide attrs declared ``carried`` in :mod:`tt_build.ir.attrs` (``tt.buffer.*``, ``tt.cb.*``, the
grid, the work partition, ``tt.persistent``, …); the others (``tt.tile_dfg``, the layout annotations)
stay behind. The module attr ``tt.host_plan`` records tensors, CBs and the work partition for the host
program.
"""

from __future__ import annotations

from typing import Any

from tt_build.ir import (
    Call,
    Evaluate,
    For,
    IfThenElse,
    IRModule,
    LetStmt,
    PrimFunc,
    SeqStmt,
    Stmt,
    StmtExprVisitor,
    Var,
    seq,
)
from tt_build.ir import attrs as A
from tt_build.transform.base import Pass, PassContext

__all__ = ["ROLES", "SplitDeviceKernel", "uses_var"]

ROLES = ("reader", "compute", "writer")


def uses_var(node: Any, var: Var) -> bool:
    found = False

    class V(StmtExprVisitor):
        def visit_Var(self, v: Var) -> None:  # noqa: N802
            nonlocal found
            if v is var:
                found = True

    V().visit(node)
    return found


class SplitDeviceKernel(Pass):
    name = "tt.SplitDeviceKernel"

    def transform(self, mod: IRModule, ctx: PassContext) -> IRModule:  # noqa: ARG002
        if len(mod.functions) != 1:
            raise self.error(f"expected one kernel function, got {len(mod.functions)}")
        (f,) = mod.functions.values()
        dfg = f.attrs.get(A.TILE_DFG)
        if dfg is None:
            raise self.error("tt.tile_dfg is missing; BuildTileDFGTT must run first", f.loc)
        roles = [op["role"] for op in dfg["ops"]]
        funcs: dict[str, PrimFunc] = {}
        for role in ROLES:
            counter = iter(range(len(roles)))
            body = self._filter(f.body, role, roles, counter) or SeqStmt([])
            attrs: dict[str, Any] = A.carried_keys(f.attrs)  # kernel-wide attrs (declared ``carried``)
            attrs[A.KERNEL_ROLE] = role
            funcs[f"{f.name}_{role}"] = PrimFunc(f"{f.name}_{role}", f.params, body, attrs, f.loc)
        plan = {
            "kernel": f.name,
            "params": [{"name": p.name, **f.attrs[A.buffer_key(p.name)]} for p in f.params],
            "cbs": sorted(
                ({"name": k[len(A.CB_PREFIX):], **v} for k, v in f.attrs.items()
                 if k.startswith(A.CB_PREFIX) and v["kind"] != "dst"),
                key=lambda c: c["cb_id"],
            ),
            "work_partition": f.attrs[A.WORK_PARTITION],
            "core_ranges": f.attrs[A.CORE_RANGES],
            "core_grid": f.attrs[A.CORE_GRID],
            "partition_mode": f.attrs[A.PARTITION_MODE],
            "kernels": {role: f"{f.name}_{role}" for role in ROLES},
        }
        attrs = dict(mod.attrs)
        attrs[A.HOST_PLAN] = plan
        return IRModule(funcs, attrs, mod.loc)

    def _filter(self, s: Stmt | None, role: str, roles: list[str], counter: Any) -> Stmt | None:  # noqa: PLR0911
        if s is None:
            return None
        if isinstance(s, SeqStmt):
            kept = [self._filter(x, role, roles, counter) for x in s.stmts]
            kept = [x for x in kept if x is not None]
            return seq(*kept) if kept else None
        if isinstance(s, Evaluate) and isinstance(s.value, Call) and s.value.op.endswith("_block"):
            idx = next(counter)
            return s if roles[idx] == role else None
        if isinstance(s, For):
            body = self._filter(s.body, role, roles, counter)
            if body is None:
                return None
            return For(s.var, s.min, s.extent, s.kind, body, dict(s.annotations), s.loc)
        if isinstance(s, LetStmt):
            body = self._filter(s.body, role, roles, counter)
            if body is None:
                return None
            if not uses_var(body, s.var):
                return body
            return LetStmt(s.var, s.value, body, s.loc)
        if isinstance(s, IfThenElse):
            then = self._filter(s.then_case, role, roles, counter)
            other = self._filter(s.else_case, role, roles, counter)
            if then is None and other is None:
                return None
            return IfThenElse(s.cond, then or SeqStmt([]), other, s.loc)
        return s
