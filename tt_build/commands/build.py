"""``tt-build build [PROJECT]``: build a kernel project without pip, into its build directory."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "build", help="build a kernel project (lower, compile, package) into its build directory",
        description="Lower every kernel instance of the project (through the lowering cache), compile the "
                    "host programs and lay out the Python package in the project's build directory "
                    "([tool.tt-build] build-dir, default build/tt-build). Incremental: a no-op build "
                    "runs only ninja.")
    p.add_argument("project", nargs="?", default=".", help="project directory (default: .)")
    p.add_argument("--explain", action="store_true", help="show why each kernel was or was not rebuilt")
    p.add_argument("-j", "--jobs", type=int, default=None, help="parallel jobs (default: ninja's)")
    p.add_argument("-v", "--verbose", action="store_true", help="show every ninja step")
    p.add_argument("--reconfigure", action="store_true", help="re-run CMake configure first")
    p.add_argument("--json", action="store_true", help="print the report as JSON (for scripts)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import json  # noqa: PLC0415

    from tt_build.build.builder import build_project, print_summary  # noqa: PLC0415

    project = Path(args.project)
    if not project.is_dir():
        from tt_build.errors import ConfigError  # noqa: PLC0415

        what = "is not a directory" if project.exists() else "does not exist"
        msg = f"project directory {project} {what} (tt-build build takes a kernel project's directory)"
        raise ConfigError(msg)
    report = build_project(project, explain=args.explain, jobs=args.jobs, verbose=args.verbose,
                           reconfigure=args.reconfigure)
    if args.json:
        print(json.dumps({"total_seconds": report.total_seconds, "configured": report.configured,
                          "lowered": report.lowered, "cached": report.cached, "compiled": report.compiled,
                          "package_dir": str(report.package_dir),
                          "instances": {n: vars(r) for n, r in report.instances.items()}}))
    else:
        print_summary(report, explain=args.explain)
    return 0
