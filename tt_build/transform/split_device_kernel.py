"""tt.SplitDeviceKernel — split the kernel into reader, compute and writer device functions.

Requires: ``tt.tile_dfg`` (BuildTileDFGTT) whose ``ops`` list the block ops in program order with
their processor role.
Produces: exactly three PrimFuncs ``<kernel>_reader``, ``<kernel>_compute``, ``<kernel>_writer`` with
``tt.kernel_role``. Each keeps the loop nest of the original (persistent block loop, K loop …) around
the ops of its role only; loops left empty and ``let`` bindings no longer used are dropped. Each carries
the kernel-wide attrs declared ``carried`` in :mod:`tt_build.ir.attrs` (``tt.buffer.*``, ``tt.cb.*``, the
grid, the work partition, ``tt.persistent``, …); the others (``tt.tile_dfg``, the layout annotations)
stay behind. The module attr ``tt.host_plan`` records tensors, CBs and the work partition for the host
program (and the ``tt.multicast`` plan when there is one).

Reader specialisation by multicast role: a ``tt.read_block`` filling the buffer of a ``tt.multicast``
group becomes ``if <group>_mcast_sender == 1: MulticastCopy(role="sender") else:
MulticastCopy(role="receiver")`` in the kernel of the RISC the plan names; ``<group>_mcast_sender`` is a
per-core runtime value (true on the one sender of each core row / column).
"""

from __future__ import annotations

from typing import Any

from tt_build.ir import (
    BinaryOp,
    IntImm,
    Call,
    Evaluate,
    For,
    IfThenElse,
    IRModule,
    LetStmt,
    MulticastCopy,
    PrimFunc,
    SeqStmt,
    Stmt,
    StmtExprVisitor,
    Var,
    seq,
)
from tt_build.ir import attrs as A
from tt_build.transform.base import Pass, PassContext

__all__ = ["ROLES", "SplitDeviceKernel", "mcast_arg_name", "semaphore_name", "uses_var"]

ROLES = ("reader", "compute", "writer")


def mcast_arg_name(group: str, field: str) -> str:
    """The runtime-argument name of one per-core multicast value of ``group`` (see A.MCAST_FIELDS)."""
    return f"{group}_mcast_{field}"


def semaphore_name(group: str, purpose: str) -> str:
    """The compile-time-argument name of a multicast group's semaphore (purpose ``ready`` | ``valid``); the
    kernel prologue declares ``<name>`` (its L1 address) and ``<name>_ptr`` (a pointer to it)."""
    return f"{group}_{purpose}_sem"


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
        mplan = f.attrs.get(A.MULTICAST)
        self.mcast = {g["buffer"]: g["group"] for g in mplan["groups"]} if mplan else {}
        for role in ROLES:
            self.flags: dict[str, Var] = {}
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
        if mplan:
            plan["multicast"] = mplan
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
            if roles[idx] != role:
                return None
            group = self.mcast.get(s.value.args[1].name) if s.value.op == "tt.read_block" else None
            if group is None:
                return s
            # specialise the copy by the core's role in its multicast group (a runtime value per core)
            src, dst = s.value.args[0], s.value.args[1]
            flag = self.flags.setdefault(group, Var(mcast_arg_name(group, "sender"), "uint32"))
            return IfThenElse(BinaryOp("==", flag, IntImm(1, "uint32"), "bool"), MulticastCopy(src, dst, group, "sender", s.loc),
                              MulticastCopy(src, dst, group, "receiver", s.loc), s.loc)
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
