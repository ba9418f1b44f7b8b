"""``tt-build new NAME``: scaffold a zero-config kernel project."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from tt_build.errors import ConfigError

__all__ = ["register", "run"]

#: Scaffold files: path in the new project -> template (templates/new/).
_FILES = {
    "pyproject.toml": "new/pyproject.toml.j2",
    "kernels/add.py": "new/kernel_add.py.j2",
    "demo.py": "new/demo.py.j2",
    ".gitignore": "new/gitignore.j2",
}


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser("new", help="create a new kernel project",
                              description="Create NAME/ with pyproject.toml (build-backend tt_build.backend), "
                                          "kernels/add.py and demo.py.")
    p.add_argument("name", help="project name (directory and distribution name)")
    p.add_argument("--force", action="store_true", help="write into an existing, non-empty directory")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from tt_build.project import package_name  # noqa: PLC0415

    dest = Path(args.name)
    name = dest.name
    if not re.match(r"^[A-Za-z][A-Za-z0-9._-]*$", name):
        msg = f"project name {name!r}: use letters, digits, '-', '_' or '.', starting with a letter"
        raise ConfigError(msg)
    package = package_name(name)
    if dest.exists() and any(dest.iterdir()) and not args.force:
        msg = f"{dest} exists and is not empty (use --force)"
        raise ConfigError(msg)
    from tt_build._templates import render  # noqa: PLC0415

    for rel, template in _FILES.items():
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(template, name=name, package=package), encoding="utf-8")
    print(f"created {dest}/ (package {package}): pyproject.toml, kernels/add.py, demo.py")
    # Commands that work as printed: a path with a slash is a directory to pip, a bare name is a
    # package to look up on the index. tt-build is not on an index: pip's isolated build must find
    # its wheel, hence --find-links (or --no-build-isolation to use the tt-build installed here).
    target = dest.as_posix() if dest.is_absolute() or dest.parent != Path() else f"./{dest.as_posix()}"
    print(f"next: tt-build build {dest}")
    print(f"  or: pip install --no-build-isolation {target}   (uses the tt-build installed here)")
    print(f"  or: pip install --find-links DIR {target}   (DIR holds the tt-build wheel: "
          "pip wheel --no-deps -w DIR <tt-build checkout>)")
    return 0
