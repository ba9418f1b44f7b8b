"""CodegenTT: lowered IR → TT-Metalium C++ (reader, compute, writer, host program) + manifest.

File structure comes from the jinja2 templates in ``templates/``; statement bodies from
:class:`~tt_build.codegen.cpp.CppPrinter`; everything else is plain data taken from the
``tt.*`` attributes the pipeline attached, so host and kernels agree on every argument by
construction.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tt_build import __version__
from tt_build._templates import environment
from tt_build.build.fs import atomic_write
from tt_build.codegen.cpp import CppPrinter
from tt_build.errors import PassError
from tt_build.ir import attrs as A
from tt_build.ir import dtype_bytes
from tt_build.transform._analysis import collect_calls
from tt_build.transform.finalize_persistent_signature_tt import used_buffers

if TYPE_CHECKING:
    from tt_build.driver import EmitResult
    from tt_build.ir import IRModule, PrimFunc

__all__ = ["KERNEL_FILES", "MANIFEST_SCHEMA", "emit_instance", "generate", "warm_templates"]

#: Version of manifest.json's layout; bump on any incompatible change.
MANIFEST_SCHEMA = 1

KERNEL_FILES = {"reader": "reader.cpp", "compute": "compute.cpp", "writer": "writer.cpp"}
_PROCESSOR = {"reader": ("RISCV_0", "RISCV_0_default"), "writer": ("RISCV_1", "RISCV_1_default")}
_OP_FAMILY = {
    "tt.matmul_tiles": "matmul", "tt.matmul_subblock": "matmul", "tt.add_tiles": "binary", "tt.sub_tiles": "binary", "tt.mul_tiles": "binary",
    "tt.copy_tile": "copy", "tt.exp_tile": "exp", "tt.relu_tile": "relu", "tt.negative_tile": "negative",
    "tt.fill_tile": "fill", "tt.zero_page": "zero_page", "tt.transpose_tile": "transpose", "tt.tilize_rows": "tilize",
    "tt.reconfig_data_format_srca": "reconfig", "tt.reconfig_data_format_srcb": "reconfig",
    "tt.reconfig_data_format": "reconfig", "tt.pack_reconfig_data_format": "reconfig",
    # expression trees and reductions (tt.tree_block / tt.reduce_block)
    "tt.fill_tile_bitcast": "fill", "tt.sqrt_tile": "sqrt", "tt.rsqrt_tile": "rsqrt", "tt.recip_tile": "recip",
    "tt.gelu_tile": "gelu", "tt.erf_tile": "erf", "tt.where_tile:Float32": "where",
    "tt.where_tile:Float16_b": "where", "tt.reduce_uninit": "reduce",
    **{f"tt.{n}_tile": "sfpu_api" for n in ("exp2", "log", "abs", "sigmoid", "silu", "tanh", "power", "unary_max",
                                             "unary_min")},
    **{f"tt.{n}_binary_tile": "binary_sfpu" for n in ("gt", "lt", "ge", "le", "eq", "ne")},
    **{f"tt.{n}_unary_tile": "binop_scalar" for n in ("add", "sub", "mul", "div", "rsub")},
    **{f"tt.{n}_binary_tile": "binary_sfpu" for n in ("add", "sub", "mul", "div")},
    "tt.binary_max_tile": "binary_max_min", "tt.binary_min_tile": "binary_max_min",
    **{f"tt.{o}_tiles_bcast_{k}": "bcast" for o in ("add", "sub", "mul") for k in ("cols", "rows")},
    **{f"tt.{o}_reuse_dest_tiles:{k}": "binary" for o in ("add", "sub", "mul") for k in ("DEST_TO_SRCA",
                                                                                            "DEST_TO_SRCB")},
    "tt.fill_scaler_tile": "scaler", "tt.unary_bcast:COL": "bcast", "tt.unary_bcast:ROW": "bcast",
    **{f"tt.reduce_tile:{p}:{d}": "reduce" for p in ("SUM", "MAX") for d in ("REDUCE_ROW", "REDUCE_COL")},
}


def warm_templates() -> None:
    """Load and compile every template now (benchmarks keep this one-time cost out of their figures)."""
    env = environment()
    for name in ("dataflow_kernel.cpp.j2", "compute_kernel.cpp.j2", "host.cpp.j2", "instance.cmake.j2"):
        env.get_template(name)


def _by_role(mod: IRModule) -> dict[str, PrimFunc]:
    return {f.attrs[A.KERNEL_ROLE]: f for f in mod.functions.values()}


def _kernel_context(f: PrimFunc, common: dict[str, Any]) -> dict[str, Any]:
    ct = f.attrs[A.COMPILE_TIME_ARGS]
    cbs = [{"const": a["name"], "index": i} for i, a in enumerate(ct) if a["kind"] == "cb_id"]
    accessors = []
    prev = None
    for i, a in enumerate(ct):
        if a["kind"] != "tensor_accessor":
            continue
        info = f.attrs[A.buffer_key(a["buffer"])]
        accessors.append({
            "args": a["name"],
            "offset": str(i) if prev is None else f"{prev}.next_compile_time_args_offset()",
            "accessor": f"{a['buffer']}_accessor",
            "addr": f"{a['buffer']}_addr",
            "page_size": info["page_size"],
        })
        prev = a["name"]
    ops = sorted({_OP_FAMILY[c.op] for c in collect_calls(f.body, "tt.") if c.op in _OP_FAMILY})
    cfg = f.attrs.get(A.COMPUTE_CONFIG, {})
    # (generated name, the buffer it is derived from) of every name the prologue declares
    owned = [(a["name"], a.get("buffer")) for a in f.attrs[A.RUNTIME_ARGS]]
    owned += [(a["name"], a["buffer"]) for a in ct if a["kind"] == "cb_id"]
    for a in ct:
        if a["kind"] == "tensor_accessor":
            owned += [(a["name"], a["buffer"]), (f"{a['buffer']}_accessor", a["buffer"])]
    owned += [(a["name"] + suffix, a["group"]) for a in ct if a["kind"] == "semaphore" for suffix in ("", "_ptr")]
    prologue = [n for n, _ in owned]
    clashes = sorted({n for n in prologue if prologue.count(n) > 1})
    if clashes:
        owners = [b for n, b in owned if n == clashes[0] and b is not None]
        buffers = {b.name: b for b in used_buffers(f)}
        culprit = buffers.get(owners[-1]) if owners else None
        kinds = {b: "tensor" if b in buffers and buffers[b].scope == "global" else "on-chip buffer" for b in owners}
        what = " and ".join(f"{kinds[b]} {b}" for b in dict.fromkeys(owners))
        raise PassError("CodegenTT", f"{f.name}: the generated argument name {clashes[0]} is derived from {what}",
                        (culprit.loc if culprit is not None else None) or f.loc,
                        hint="rename the kernel's tensors or on-chip buffers so that their cb_<buffer> / "
                             "<tensor>_args / <tensor>_accessor / <tensor>_addr names differ")
    sems = [{"name": a["name"], "index": i} for i, a in enumerate(ct) if a["kind"] == "semaphore"]
    return {
        **common,
        "role": f.attrs[A.KERNEL_ROLE],
        "runtime_args": f.attrs[A.RUNTIME_ARGS],
        "compile_time_args": ct,
        "cbs": cbs,
        "semaphores": sems,
        "accessors": accessors,
        "ops": ops,
        "dst_capacity": cfg.get("dst_capacity", 0),
        "fp32_dest_acc_en": cfg.get("fp32_dest_acc_en", False),
        "body": CppPrinter(indent=1, reserved=set(prologue)).render(f.body),
    }


def _host_context(mod: IRModule, common: dict[str, Any], entry: str) -> dict[str, Any]:
    plan = mod.attrs[A.HOST_PLAN]
    params = []
    for p in plan["params"]:
        elements = math.prod(p["shape"])
        rows, cols = elements // p["shape"][-1], p["shape"][-1]
        if p.get("vector") is not None:  # a 1-D tensor: a (32, n) / (n, 32) tensor with the values in row / column 0
            rows, cols = (32, elements) if p["vector"] == "row" else (elements, 32)
        params.append({**p, "vector": p.get("vector"), "page_layout": p.get("page_layout", "tile"), "elements": elements, "rows": rows, "cols": cols,
                       "stride": 1 if p.get("vector") != "col" else 32, "bytes": p["num_pages"] * p["page_size"],
                       # the host ABI passes each tensor's elements as bit patterns of its own width
                       "host_type": "uint32_t" if dtype_bytes(p["dtype"]) == 4 else "uint16_t",  # noqa: PLR2004
                       "buffer_type": "DRAM" if p["memory"] == "dram" else "L1",
                       "memory_layout": f"{p['sharding'].upper()}_SHARDED" if p["sharding"] else None,
                       "shard_shape": p.get("shard_shape")})
    kernels = []
    mplan = plan.get("multicast")
    mgroups = [g["group"] for g in mplan["groups"]] if mplan else []
    for role in ("reader", "writer", "compute"):
        sig = plan["signatures"][role]
        proc, noc = _PROCESSOR.get(role, ("", ""))
        kernels.append({
            "role": role,
            "file": KERNEL_FILES[role],
            "compile_values": [a for a in sig["compile_time_args"] if a["kind"] in ("cb_id", "semaphore")],
            "tensors": [a["buffer"] for a in sig["compile_time_args"] if a["kind"] == "tensor_accessor"],
            "runtime_args": [{**a, "index": mgroups.index(a["group"])} if a["kind"] == "mcast" else a
                             for a in sig["runtime_args"]],
            "processor": proc,
            "noc": noc,
        })
    multicast = None
    if mplan:
        by_core = {tuple(c["core"]): c["groups"] for c in mplan["cores"]}
        multicast = {
            "groups": [{"name": g["group"], "ready": g["ready_semaphore"], "valid": g["valid_semaphore"],
                        # NOC 1 routes the other way: its kernels name the rectangle end first (as ttnn does)
                        "reversed": _PROCESSOR[g["role"]][1] == "RISCV_1_default"} for g in mplan["groups"]],
            "cores": [[by_core[tuple(w["core"])][g] for g in mgroups] for w in plan["work_partition"]],
            "semaphores": sorted({s for g in mplan["groups"] for s in (g["ready_semaphore"], g["valid_semaphore"])}),
        }
    cbs = [{**cb, "total_bytes": cb["depth_pages"] * cb["page_size"]} for cb in plan["cbs"]]
    cfg = plan.get("compute_config", {})
    return {
        **common,
        "role": "host",
        "entry": entry,
        "params": params,
        "inputs": [p for p in params if p["role"] == "input"],
        "outputs": [p for p in params if p["role"] == "output"],
        "cbs": cbs,
        "kernels": kernels,
        "work": plan["work_partition"],
        "core_ranges": plan["core_ranges"],
        "num_cores": len(plan["work_partition"]),
        "multicast": multicast,
        "math_fidelity": cfg.get("math_fidelity", "HiFi4"),
        "fp32_dest_acc_en": cfg.get("fp32_dest_acc_en", False),
    }


def _manifest(mod: IRModule, name: str, entry: str, common: dict[str, Any], files: dict[str, str],
              source_hash: str, arch: str) -> dict[str, Any]:
    plan = mod.attrs[A.HOST_PLAN]
    return {
        "schema": MANIFEST_SCHEMA,
        "tt_build_version": __version__,
        "name": name,
        "arch": arch,
        "kernel": plan["kernel"],
        "entry": entry,
        "source": common["source"],
        "instance_args": common["instance_args_dict"],
        "params": [{k: p[k] for k in ("name", "shape", "dtype", "role", "layout", "page_size", "num_pages")}
                   for p in plan["params"]],
        "cbs": [{"name": cb["name"], "id": cb["cb_id"], "kind": cb["kind"], "page_size": cb["page_size"],
                 "num_pages": cb["depth_pages"], "block_pages": cb["block_pages"], "data_format": cb["data_format"]}
                for cb in plan["cbs"]],
        "core_grid": plan["core_grid"],
        "core_ranges": plan["core_ranges"],
        "partition_mode": plan["partition_mode"],
        "work_partition": plan["work_partition"],
        "kernels": {role: {"file": KERNEL_FILES[role], "function": sig["function"],
                           "runtime_args": sig["runtime_args"], "compile_time_args": sig["compile_time_args"]}
                    for role, sig in plan["signatures"].items()},
        "compile_time_args": {
            role: [a["value"] for a in sig["compile_time_args"] if a["kind"] == "cb_id"]
            for role, sig in plan["signatures"].items()
        },
        "compute_config": plan.get("compute_config", {}),
        "hashes": {"source": source_hash,
                   **{fname: hashlib.sha256(text.encode()).hexdigest() for fname, text in sorted(files.items())}},
    }


def generate(mod: IRModule, *, name: str, source: str = "<memory>", instance_args: dict[str, Any] | None = None,
             source_hash: str = "", arch: str = "wormhole_b0") -> tuple[dict[str, str], dict[str, Any]]:
    """Render every file of one instance; returns (file name → text, manifest dict)."""
    args = dict(instance_args or {})
    entry = f"tt_{name}_run"
    plan = mod.attrs[A.HOST_PLAN]
    common = {
        "version": __version__,
        "kernel": plan["kernel"],
        "instance": name,
        "source": source,
        "instance_args": ", ".join(f"{k}={v!r}" for k, v in args.items()) or "(defaults)",
        "instance_args_dict": args,
    }
    env = environment()
    roles = _by_role(mod)
    files: dict[str, str] = {}
    for role in ("reader", "writer"):
        files[KERNEL_FILES[role]] = env.get_template("dataflow_kernel.cpp.j2").render(_kernel_context(roles[role], common))
    files[KERNEL_FILES["compute"]] = env.get_template("compute_kernel.cpp.j2").render(
        _kernel_context(roles["compute"], common))
    files["host.cpp"] = env.get_template("host.cpp.j2").render(_host_context(mod, common, entry))
    files["instance.cmake"] = env.get_template("instance.cmake.j2").render(
        {**common, "entry": entry, "kernel_files": list(KERNEL_FILES.values())})
    manifest = _manifest(mod, name, entry, common, files, source_hash, arch)
    return files, manifest


def emit_instance(source: Path, factory: str, args: dict[str, Any], name: str, out_dir: Path, *,
                  options: dict[str, Any]) -> EmitResult:
    """Lower one kernel instance and write its files into ``out_dir`` (atomically, only if changed)."""
    from tt_build.driver import EmitResult, build_primfunc  # noqa: PLC0415 - driver imports codegen lazily
    from tt_build.transform import lower  # noqa: PLC0415

    func, deps = build_primfunc(source, factory, args)
    mod = lower(func, config=options)
    digest = hashlib.sha256()
    for dep in deps:
        digest.update(dep.read_bytes())
    files, manifest = generate(mod, name=name, source=str(Path(source).name), instance_args=args,
                               source_hash=digest.hexdigest(), arch=options.get("arch") or "wormhole_b0")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for fname, text in files.items():
        atomic_write(out_dir / fname, text)
    atomic_write(out_dir / "manifest.json", json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    roles = {"reader": "reader.cpp", "compute": "compute.cpp", "writer": "writer.cpp", "host": "host.cpp",
             "manifest": "manifest.json", "cmake": "instance.cmake"}
    for role, fname in roles.items():
        written[role] = out_dir / fname
    return EmitResult(files=written, deps=deps, manifest=manifest)
