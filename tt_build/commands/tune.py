"""``tt-build tune FILE[:factory]`` — pick a kernel instance's block parameters by modeled device time.

The kernel file declares the space: ``TUNE_SPACE = {"<factory>": {"block_M": [64, 128], ...}}``
(or ``--space NAME=V1,V2`` on the command line). Every combination is lowered, run on the mock device
with random inputs, checked against the numpy reference derived from the kernel's IR, and timed by
the mock's device-time model (``modeled_us`` of ``TT_MOCK_STATS``, an estimate). The table of
candidates is printed; the fastest correct one is stored in the project's ``tt-build-tuned.json``
(the project in the current directory or ``--project``), which builds apply to that instance's
factory arguments (:func:`tt_build.tuning.apply_tuned`).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from tt_build.errors import ConfigError, TTBuildError

__all__ = ["register"]


def register(sub: Any) -> None:
    p = sub.add_parser(
        "tune", help="sweep a kernel's block parameters by modeled device time and store the winner",
        description="Lower, run (mock SDK) and check every point of the kernel's TUNE_SPACE for one instance; "
                    "print the candidates by modeled device time (an estimate) and store the fastest correct one "
                    "in the project's tt-build-tuned.json, which builds use.")
    p.add_argument("target", help="kernel file, optionally FILE:factory")
    p.add_argument("--instance", help="instance of the file's INSTANCES (default: the only one of the factory)")
    p.add_argument("--args", help="factory arguments instead of an INSTANCES entry, e.g. M=1024,N=1024,K=1024")
    p.add_argument("--space", action="append", default=[], metavar="NAME=V1,V2",
                   help="a parameter and its values (repeatable; replaces TUNE_SPACE)")
    p.add_argument("--arch", help="target architecture (default: the project's, else wormhole_b0)")
    p.add_argument("--project", type=Path, help="project directory to store the winner in (default: the current "
                                                "directory when it holds a pyproject.toml with [tool.tt-build])")
    p.add_argument("--no-store", action="store_true", help="only print the table")
    p.add_argument("--build-dir", type=Path, help="mock build directory (default: $TT_BUILD_MATRIX_DIR or "
                                                   "~/.cache/tt-build/matrix)")
    p.set_defaults(run=_run)


def _space(ns: argparse.Namespace, module: Any, factory: str, source: Path) -> dict[str, list[Any]]:
    from tt_build.commands.lower import parse_args_option  # noqa: PLC0415

    if ns.space:
        out: dict[str, list[Any]] = {}
        for item in ns.space:
            name, sep, values = item.partition("=")
            if not sep or not name.strip().isidentifier() or not values.strip():
                raise ConfigError(f"--space expects NAME=V1,V2,..., got {item!r}")
            out[name.strip()] = [parse_args_option(f"x={v}")["x"] for v in values.split(",") if v.strip()]
        return out
    table = getattr(module, "TUNE_SPACE", None)
    if not isinstance(table, dict) or not isinstance(table.get(factory), dict) or not table[factory]:
        raise ConfigError(f"{source}: no TUNE_SPACE[{factory!r}] to sweep: declare TUNE_SPACE = "
                          f"{{{factory!r}: {{\"block_M\": [64, 128], ...}}}} in the kernel file, or pass --space")
    space = table[factory]
    for name, values in space.items():
        if not isinstance(name, str) or not isinstance(values, (list, tuple)) or not values:
            raise ConfigError(f"{source}: TUNE_SPACE[{factory!r}][{name!r}] must be a non-empty list of values")
    return {k: list(v) for k, v in space.items()}


def _run(ns: argparse.Namespace) -> int:
    from tt_build.commands.lower import parse_args_option  # noqa: PLC0415
    from tt_build.driver import list_instances, load_kernel_module  # noqa: PLC0415
    from tt_build.tuning import TUNED_FILE, store_tuned  # noqa: PLC0415

    text, _, factory = ns.target.partition(":")
    source = Path(text)
    if not source.is_file():
        raise ConfigError(f"kernel file {source} does not exist")
    project = _project(ns)
    arch = ns.arch or (project.settings.arch if project is not None else "wormhole_b0")
    declared = list_instances(source)
    if ns.args is not None:
        if not factory:
            factories = sorted({i.factory for i in declared})
            if len(factories) != 1:
                raise ConfigError(f"cannot tell which kernel factory of {source} to tune: write {source}:FACTORY")
            factory = factories[0]
        name = ns.instance or factory
        base = parse_args_option(ns.args)
    else:
        cands = [i for i in declared if (not factory or i.factory == factory)
                 and (not ns.instance or i.name == ns.instance)]
        if len(cands) != 1:
            known = ", ".join(i.name for i in declared) or "none"
            raise ConfigError(f"tune one instance: pass --instance NAME (INSTANCES of {source}: {known}) or --args")
        name, factory, base = cands[0].name, cands[0].factory, dict(cands[0].args)
    module, _ = load_kernel_module(source.resolve())
    space = _space(ns, module, factory, source)
    rows = _sweep(source.resolve(), factory, base, space, arch, ns.build_dir)
    print(_table(rows, list(space)))
    ok = [r for r in rows if r["status"] == "ok"]
    if not ok:
        print(f"no candidate of {name} ran correctly; nothing stored", file=sys.stderr)
        return 1
    best = min(ok, key=lambda r: r["modeled_us"])
    choice = {k: best["args"][k] for k in space}
    print(f"fastest correct candidate for {name}: {choice} ({best['modeled_us']:.1f} µs modeled, estimate)")
    if ns.no_store:
        return 0
    if project is None:
        print(f"not stored: no kernel project here (pass --project DIR to store it in DIR/{TUNED_FILE})")
        return 0
    if ns.args is not None and not ns.instance:
        print("not stored: --args tunes arguments of no instance (name the project instance with --instance)")
        return 0
    path = store_tuned(project.root, name, source.resolve(), factory, choice, best["modeled_us"], arch)
    print(f"stored in {path}: builds of {project.name} use it for instance {name}")
    return 0


def _project(ns: argparse.Namespace) -> Any:
    from tt_build.project import Project  # noqa: PLC0415

    if ns.project is not None:
        return Project.load(ns.project)
    if ns.no_store:
        return None
    root = Path.cwd()
    try:
        return Project.load(root)
    except ConfigError:
        return None  # not a kernel project: the table is printed, nothing stored


def _sweep(source: Path, factory: str, base: dict[str, Any], space: dict[str, list[Any]], arch: str,
           build_dir: Path | None) -> list[dict[str, Any]]:
    import numpy as np  # noqa: PLC0415

    from tt_build.codegen import generate  # noqa: PLC0415
    from tt_build.driver import build_primfunc  # noqa: PLC0415
    from tt_build.matrix import MockRunner, default_build_dir, make_inputs, pcc, reference_outputs  # noqa: PLC0415
    from tt_build.transform import lower  # noqa: PLC0415

    runner = MockRunner(build_dir or default_build_dir())
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="tt-build-tune-") as tmp:
        for i, values in enumerate(itertools.product(*space.values())):
            args = {**base, **dict(zip(space, values))}
            row: dict[str, Any] = {"args": args, "modeled_us": None, "err": None, "status": "ok"}
            rows.append(row)
            try:
                func, _ = build_primfunc(source, factory, args)
                mod = lower(func, config={"arch": arch})
                files, manifest = generate(mod, name=f"tune{i}", arch=arch)
                out = Path(tmp) / f"c{i}"
                out.mkdir()
                for fname, text in files.items():
                    (out / fname).write_text(text)
                (out / "manifest.json").write_text(json.dumps(manifest))
                inputs = make_inputs(manifest["params"], 1234)
                stats = out / "stats.json"
                os.environ["TT_MOCK_STATS"] = str(stats)
                try:
                    got = runner.run(out, inputs)
                finally:
                    del os.environ["TT_MOCK_STATS"]
            except TTBuildError as exc:
                row["status"] = "rejected: " + exc.user_message().splitlines()[0].removeprefix("error: ")[:120]
                continue
            want = reference_outputs(func, inputs)
            errs = [float(np.max(np.abs(g.astype(np.float32) - w)) / max(float(np.max(np.abs(w))), 1e-30))
                    for g, w in zip(got, want)]
            row["err"] = max(errs)
            if row["err"] > 2e-2 or min(pcc(g.astype(np.float32), w) for g, w in zip(got, want)) < 0.999:  # noqa: PLR2004
                row["status"] = "wrong result"
            workloads = json.loads(stats.read_text())["workloads"]
            row["modeled_us"] = workloads[-1].get("modeled_us")
            if row["modeled_us"] is None:
                row["status"] = "no modeled time (the mock SDK reports none)"
    return rows


def _table(rows: list[dict[str, Any]], params: list[str]) -> str:
    head = [*params, "modeled µs (est.)", "max rel err", "status"]
    lines = [[*(str(r["args"][p]) for p in params),
              "-" if r["modeled_us"] is None else f"{r['modeled_us']:.1f}",
              "-" if r["err"] is None else f"{r['err']:.2e}", r["status"]]
             for r in sorted(rows, key=lambda r: (r["modeled_us"] is None, r["modeled_us"] or 0))]
    widths = [max(len(h), *(len(x[i]) for x in lines)) for i, h in enumerate(head)]
    out = ["  ".join(h.ljust(w) for h, w in zip(head, widths))]
    out += ["  ".join(c.ljust(w) for c, w in zip(x, widths)) for x in lines]
    return "\n".join(out)
