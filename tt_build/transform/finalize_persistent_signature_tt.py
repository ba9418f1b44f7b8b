"""tt.FinalizePersistentSignatureTT — fix the runtime and compile-time argument layout of each kernel.

Requires: device functions (SplitDeviceKernel … InsertComputeInitTT), ``tt.persistent``.
Produces, per device function:

* ``tt.runtime_args`` (per core, in order): the DRAM/L1 address of each tensor the kernel accesses
  (parameter order, kind ``buffer_addr``), then ``start_block`` (kind ``start``) and ``num_blocks``
  (kind ``count``) of the persistent loop, when the kernel still has one (a reader of a kernel
  without input tensors has an empty body and no runtime args);
  then, for each ``tt.multicast`` group the kernel runs, the per-core multicast values it uses (kind
  ``mcast``: sender flag, sender NOC x / y, destination rectangle NOC corners);
* ``tt.compile_time_args``: the id of each CB the kernel uses (ascending id, kind ``cb_id``), the id of
  each multicast semaphore it uses (kind ``semaphore``; the host creates them), then the
  ``TensorAccessorArgs`` of each accessed interleaved tensor (kind ``tensor_accessor``; the host appends
  them with ``TensorAccessorArgs(buffer).append_to``, the kernel chains ``next_compile_time_args_offset()``);
  an L1-sharded tensor has none: the kernel addresses its own shard from the tensor's address.

Host and kernels are generated from these two lists, so both sides agree by construction.
"""

from __future__ import annotations

from typing import Any

from tt_build.ir import Buffer, BufferRegion, Call, IRModule, PrimFunc, StmtExprVisitor, Var
from tt_build.ir import attrs as A
from tt_build.transform.base import Pass, PassContext
from tt_build.transform.split_device_kernel import mcast_arg_name, semaphore_name

__all__ = ["FinalizePersistentSignatureTT", "used_buffers"]


def used_var_names(node: Any) -> set[str]:
    names: set[str] = set()

    class V(StmtExprVisitor):
        def visit_Var(self, v: Var) -> None:  # noqa: N802
            names.add(v.name)

    V().visit(node)
    return names


def used_buffers(f: PrimFunc) -> list[Buffer]:
    found: list[Buffer] = []

    class V(StmtExprVisitor):
        def visit_Call(self, c: Call) -> None:  # noqa: N802
            for a in c.args:
                b = a.buffer if isinstance(a, BufferRegion) else a
                if isinstance(b, Buffer) and b not in found:
                    found.append(b)
            self.generic_visit(c)

    V().visit(f.body)
    return found


class FinalizePersistentSignatureTT(Pass):
    name = "tt.FinalizePersistentSignatureTT"

    def transform(self, mod: IRModule, ctx: PassContext) -> IRModule:  # noqa: ARG002
        funcs = {}
        plan = dict(mod.attrs.get(A.HOST_PLAN, {}))
        signatures: dict[str, Any] = {}
        for n, f in mod.functions.items():
            funcs[n] = self._func(f)
            signatures[f.attrs[A.KERNEL_ROLE]] = {
                "function": n,
                "runtime_args": funcs[n].attrs[A.RUNTIME_ARGS],
                "compile_time_args": funcs[n].attrs[A.COMPILE_TIME_ARGS],
            }
        plan["signatures"] = signatures
        compute = next((f for f in funcs.values() if f.attrs[A.KERNEL_ROLE] == "compute"), None)
        if compute is not None and A.COMPUTE_CONFIG in compute.attrs:
            plan["compute_config"] = compute.attrs[A.COMPUTE_CONFIG]
        attrs = dict(mod.attrs)
        attrs[A.HOST_PLAN] = plan
        return IRModule(funcs, attrs, mod.loc)

    def _func(self, f: PrimFunc) -> PrimFunc:
        used = used_buffers(f)
        tensors = [p for p in f.params if p in used]
        cbs = sorted((b for b in used if b.scope != "global" and f.attrs[A.cb_key(b.name)]["kind"] != "dst"),
                     key=lambda b: f.attrs[A.cb_key(b.name)]["cb_id"])
        persist = f.attrs.get(A.PERSISTENT)
        if persist is None:
            raise self.error(f"{f.name} has no persistent loop; GridToCoreGrid must run first", f.loc)
        rt: list[dict[str, Any]] = [{"name": f"{t.name}_addr", "kind": "buffer_addr", "buffer": t.name}
                                    for t in tensors]
        # The persistent loop's bounds, unless the kernel has no loop left (a reader with no input
        # tensor has nothing to do): no unused runtime args, no dead variables in the C++.
        names = used_var_names(f.body)
        if persist["start_var"] in names or persist["count_var"] in names:
            rt.append({"name": persist["start_var"], "kind": "start"})
            rt.append({"name": persist["count_var"], "kind": "count"})
        ct: list[dict[str, Any]] = [
            {"name": f"cb_{b.name}", "kind": "cb_id", "buffer": b.name, "value": f.attrs[A.cb_key(b.name)]["cb_id"]}
            for b in cbs
        ]
        for g in f.attrs.get(A.MULTICAST, {}).get("groups", []):
            rt.extend({"name": mcast_arg_name(g["group"], fld), "kind": "mcast", "group": g["group"], "field": fld}
                      for fld in A.MCAST_FIELDS if mcast_arg_name(g["group"], fld) in names)
            for purpose in ("ready", "valid"):
                sem = semaphore_name(g["group"], purpose)
                if sem in names or f"{sem}_ptr" in names:
                    ct.append({"name": sem, "kind": "semaphore", "group": g["group"], "purpose": purpose,
                               "value": g[f"{purpose}_semaphore"]})
        # a sharded tensor is addressed in the core's own shard (<tensor>_addr + slot * page), not through an accessor
        ct.extend({"name": f"{t.name}_args", "kind": "tensor_accessor", "buffer": t.name} for t in tensors
                  if f.attrs[A.buffer_key(t.name)].get("sharding") is None)
        attrs = dict(f.attrs)
        attrs[A.RUNTIME_ARGS] = rt
        attrs[A.COMPILE_TIME_ARGS] = ct
        return PrimFunc(f.name, f.params, f.body, attrs, f.loc)
