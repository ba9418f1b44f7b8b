"""``tt-build lower FILE[:factory]`` — run the compiler on one kernel file and show or emit the result."""

from __future__ import annotations

import argparse
import ast
import sys
import time
from pathlib import Path
from typing import Any

from tt_build.errors import ConfigError
from tt_build.transform.base import ARCH_GRIDS
from tt_build.transform.pipeline import PASS_NAMES

__all__ = ["parse_args_option", "register"]


def parse_args_option(text: str | None) -> dict[str, Any]:
    """``"M=256,N=128,op=add"`` → ``{"M": 256, "N": 128, "op": "add"}`` (Python literals, else strings)."""
    out: dict[str, Any] = {}
    if not text:
        return out
    for item in text.split(","):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip().isidentifier():
            raise ConfigError(f"--args expects NAME=VALUE[,NAME=VALUE...], got {item!r}")
        try:
            out[key.strip()] = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError):
            out[key.strip()] = value.strip()
    return out


def _unknown_pass_message(name: str) -> str:
    import difflib  # noqa: PLC0415

    close = difflib.get_close_matches(name, PASS_NAMES, n=1, cutoff=0.5)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"--print-ir-after: no pass named {name!r}{hint}; the passes are: {', '.join(PASS_NAMES)}"


def _time_report(name: str, elapsed: float, timing: Any, phases: list[tuple[str, float]], rest: str) -> str:
    """The per-pass table under a header that adds up: passes + every other phase = total."""
    in_passes = sum(timing.times.values())
    lines = [f"# {name}: {elapsed * 1e3:.1f} ms total"]
    lines.append(f"#   {in_passes * 1e3:9.1f} ms  in the {len(timing.times)} passes (table below)")
    accounted = in_passes
    for label, seconds in phases:
        lines.append(f"#   {seconds * 1e3:9.1f} ms  {label}")
        accounted += seconds
    lines.append(f"#   {max(elapsed - accounted, 0.0) * 1e3:9.1f} ms  {rest}")
    return "\n".join(lines) + "\n" + timing.report()


def _grid(text: str) -> tuple[int, int]:
    try:
        x, y = (int(v) for v in text.lower().split("x"))
    except ValueError:
        msg = f"--device-grid expects XxY (e.g. 8x8), got {text!r}"
        raise argparse.ArgumentTypeError(msg) from None
    return x, y


def register(sub: Any) -> None:
    p = sub.add_parser("lower", help="lower a kernel through the pipeline; print IR or emit C++",
                       description="Lower one kernel instance (or every INSTANCES entry of the file).")
    p.add_argument("target", help="kernel file, optionally FILE:factory")
    p.add_argument("--args", help="factory arguments, e.g. M=256,N=256,K=256")
    p.add_argument("--instance", help="name of an INSTANCES entry of the file")
    p.add_argument("--emit", type=Path, metavar="DIR", help="write reader/compute/writer/host/manifest into DIR")
    p.add_argument("--print-ir-after-all", action="store_true", help="print the IR after every pass")
    p.add_argument("--print-ir-after", action="append", default=[], metavar="PASS",
                   help=f"print the IR after PASS (one of: {', '.join(PASS_NAMES)})")
    p.add_argument("--dump-ir", type=Path, metavar="DIR", help="write NNN_<pass>.py IR dumps into DIR")
    p.add_argument("--time-passes", action="store_true", help="print per-pass wall time")
    p.add_argument("--arch", choices=sorted(ARCH_GRIDS), help="target architecture (default wormhole_b0: 8x8 grid; "
                   "blackhole: 13x10)")
    p.add_argument("--device-grid", type=_grid, help="device compute grid XxY (overrides --arch's grid)")
    p.set_defaults(run=_run)


def _run(ns: argparse.Namespace) -> int:
    from tt_build.codegen import emit_instance  # noqa: PLC0415
    from tt_build.driver import Instance, build_primfunc, list_instances, valid_instance_name  # noqa: PLC0415
    from tt_build.ir import script  # noqa: PLC0415
    from tt_build.transform import DumpIR, PassContext, PassTiming, PrintIRAfter, lower  # noqa: PLC0415

    file_text, _, factory = ns.target.partition(":")
    source = Path(file_text)
    if not source.is_file():
        raise ConfigError(f"kernel file {source} does not exist")
    if ns.args is not None or factory:
        if not factory:
            declared = list_instances(source)
            factories = sorted({i.factory for i in declared})
            if len(factories) != 1:
                raise ConfigError(f"cannot tell which kernel factory of {source} to call "
                                  f"({', '.join(factories) or 'INSTANCES names none'}): write {source}:FACTORY")
            factory = factories[0]
        name = ns.instance or factory
        if not valid_instance_name(name):
            raise ConfigError(f"instance name {name!r} is not an identifier")
        instances = [Instance(name, source.resolve(), factory, parse_args_option(ns.args))]
    else:
        instances = list_instances(source)
        if ns.instance:
            known = ", ".join(i.name for i in instances) or "none"
            instances = [i for i in instances if i.name == ns.instance]
            if not instances:
                raise ConfigError(f"no instance named {ns.instance!r} in the INSTANCES of {source} (known: {known})")
        if not instances:
            raise ConfigError(f"no INSTANCES in {source}: pass --args (and FILE:factory)")
    unknown = [name for name in ns.print_ir_after if name not in PASS_NAMES]
    if unknown:
        raise ConfigError(_unknown_pass_message(unknown[0]))
    config: dict[str, Any] = {}
    if ns.arch:
        config["arch"] = ns.arch
    if ns.device_grid:
        config["device_grid"] = ns.device_grid
    for index, inst in enumerate(instances):
        if len(instances) > 1 and not ns.emit:
            # Several modules follow one another: say which instance each one is.
            args = ", ".join(f"{k}={v!r}" for k, v in inst.args.items())
            print(f"{chr(10) if index else ''}# ==== instance {inst.name}: {inst.factory}({args}) ====", flush=True)
        timing = PassTiming()
        instruments: list[Any] = [timing]
        if ns.print_ir_after_all or ns.print_ir_after:
            instruments.append(PrintIRAfter(sys.stdout, None if ns.print_ir_after_all else ns.print_ir_after))
        if ns.dump_ir:
            instruments.append(DumpIR(ns.dump_ir / inst.name))
        start = time.perf_counter()
        phases: list[tuple[str, float]] = []
        if ns.emit:
            out = ns.emit if len(instances) == 1 else ns.emit / inst.name
            with PassContext(config=config, instruments=instruments):
                result = emit_instance(inst.source, inst.factory, inst.args, inst.name, out, options=config)
            print(f"{inst.name}: wrote {', '.join(sorted(p.name for p in result.files.values()))} to {out}")
            rest = "front end (parse, trace), code generation and writing the files"
        else:
            func, _ = build_primfunc(inst.source, inst.factory, inst.args)
            first = " (the first instance includes loading the compiler's modules)" if index == 0 else ""
            phases.append((f"front end: parse the kernel file, trace the factory, build the IR{first}",
                           time.perf_counter() - start))
            t_lower = time.perf_counter()
            mod = lower(func, PassContext(config=config, instruments=instruments))
            phases.append(("pass manager and instruments (outside the passes)",
                           time.perf_counter() - t_lower - sum(timing.times.values())))
            if not (ns.print_ir_after_all or ns.print_ir_after):
                print(script(mod))
            rest = "printing the IR"
        elapsed = time.perf_counter() - start
        if ns.time_passes:
            print(_time_report(inst.name, elapsed, timing, phases, rest))
    return 0
