"""``tt-build matrix [FILE ...]`` — run kernel instances end to end and print the test-matrix table.

Each instance is lowered, its host program compiled against the mock SDK (``-Wall -Werror``), its
kernels type-checked against the real TT-Metalium headers (``--no-check`` skips this), run on the
mock device and compared with a numpy reference derived from the kernel's IR (or the kernel file's
``REFERENCE``; see :mod:`tt_build.matrix`). With no FILE, the instances of the project in the current
directory (``[tool.tt-build]``) are used. Exit status 1 when any instance fails.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from tt_build.errors import ConfigError

__all__ = ["register"]


def register(sub: Any) -> None:
    p = sub.add_parser(
        "matrix", help="run kernel instances end to end on the mock SDK and print the test-matrix table",
        description="For every instance of the given kernel files (their INSTANCES dicts), or of the project in "
                    "the current directory: lower, compile against the mock SDK, check against the real "
                    "TT-Metalium headers, run on the mock device and compare with numpy.")
    p.add_argument("files", nargs="*", type=Path, metavar="FILE",
                   help="kernel files with an INSTANCES dict (default: the project's kernels)")
    p.add_argument("--instance", action="append", default=[], metavar="NAME",
                   help="only this instance (repeatable)")
    p.add_argument("--build-dir", type=Path, metavar="DIR",
                   help="where emitted files, host libraries and kernel objects go (default: $TT_BUILD_MATRIX_DIR "
                        "or ~/.cache/tt-build/matrix); reruns reuse what is unchanged")
    p.add_argument("--emit-dir", type=Path, metavar="DIR",
                   help="where each instance's generated files go (DIR/<file>/<instance>; default: BUILD_DIR/instances)")
    p.add_argument("--no-check", action="store_true", help="skip the real-header check (needs the ttnn wheel)")
    p.add_argument("--arch", help="target architecture (pipeline option arch; default: the project's, else "
                                  "wormhole_b0)")
    p.add_argument("--min-pcc", type=float, default=0.999, help="PCC an instance needs to pass (default 0.999)")
    p.add_argument("--max-rel-err", type=float, default=2e-2,
                   help="largest max-abs-error / max-abs-reference to pass (default 0.02)")
    p.add_argument("--markdown", action="store_true", help="print a markdown table")
    p.add_argument("--json", type=Path, metavar="FILE", help="also write the rows as JSON")
    p.set_defaults(run=_run)


def _instances(ns: argparse.Namespace) -> tuple[list[Any], dict[str, Any]]:
    from tt_build.driver import Instance, list_instances  # noqa: PLC0415

    options: dict[str, Any] = {}
    if ns.files:
        instances = []
        for f in ns.files:
            if not f.is_file():
                raise ConfigError(f"kernel file {f} does not exist")
            found = list_instances(f)
            if not found:
                raise ConfigError(f"{f} declares no INSTANCES")
            instances.extend(found)
    else:
        from tt_build.project import Project  # noqa: PLC0415

        project = Project.load(Path.cwd())
        instances = [Instance(s.name, s.source, s.factory or "", dict(s.args)) for s in project.discover()]
        options = {"arch": project.settings.arch, **project.settings.options}
    if ns.instance:
        known = {i.name for i in instances}
        missing = sorted(set(ns.instance) - known)
        if missing:
            raise ConfigError(f"unknown instance(s) {', '.join(missing)} (known: {', '.join(sorted(known))})")
        instances = [i for i in instances if i.name in set(ns.instance)]
    if ns.arch:
        options["arch"] = ns.arch
    return instances, options


def _run(ns: argparse.Namespace) -> int:
    from tt_build.matrix import MatrixOptions, default_build_dir, format_table, run_matrix  # noqa: PLC0415

    instances, options = _instances(ns)
    opts = MatrixOptions(build_dir=(ns.build_dir or default_build_dir()).resolve(), check=not ns.no_check,
                         min_pcc=ns.min_pcc, max_rel_err=ns.max_rel_err, options=options,
                         emit_dir=ns.emit_dir.resolve() if ns.emit_dir else None)

    def progress(row: Any) -> None:
        print(f"  {row.instance:<24} {row.status}", file=sys.stderr, flush=True)

    rows = run_matrix(instances, opts, progress)
    print(format_table(rows, markdown=ns.markdown))
    failed = [r for r in rows if not r.ok]
    print(f"\n{len(rows) - len(failed)}/{len(rows)} instances ok"
          + ("" if opts.check else " (real-header check skipped)"))
    if ns.json:
        ns.json.write_text(json.dumps([r.to_json() for r in rows], indent=2) + "\n", encoding="utf-8")
    return 1 if failed else 0
