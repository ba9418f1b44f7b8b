"""Tuned factory arguments of a kernel project: ``<project>/tt-build-tuned.json``.

``tt-build tune`` writes one entry per instance: the kernel file (relative to the project), the
factory, the chosen arguments, the modeled time and the architecture it was measured for. Project
discovery (:meth:`tt_build.project.Project.discover`) applies an instance's entry on top of its
declared arguments, so every build uses the tuned blocking; an entry that no longer matches an
instance (renamed, other kernel file or factory) is a configuration error naming the file. The
file is a dependency of the build's discovery step; when it is first created the project's
``pyproject.toml`` is touched so that an existing build directory picks it up.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tt_build.build.fs import atomic_write
from tt_build.errors import ConfigError

__all__ = ["TUNED_FILE", "apply_tuned", "load_tuned", "store_tuned"]

TUNED_FILE = "tt-build-tuned.json"
_SCHEMA = "tt-build-tuned/1"


def load_tuned(root: Path) -> dict[str, dict[str, Any]]:
    """The project's tuned entries by instance name ({} when there is no file)."""
    path = Path(root) / TUNED_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: not readable as JSON ({exc}); fix it or delete it and run tt-build tune again") \
            from None
    if not isinstance(data, dict) or data.get("schema") != _SCHEMA or not isinstance(data.get("instances"), dict):
        raise ConfigError(f"{path}: not a {_SCHEMA} file; delete it and run tt-build tune again")
    for name, entry in data["instances"].items():
        if not isinstance(entry, dict) or not isinstance(entry.get("args"), dict) \
                or not isinstance(entry.get("kernel"), str) or not isinstance(entry.get("factory"), str):
            raise ConfigError(f"{path}: instance {name!r}: expected kernel, factory and args; run tt-build tune again")
    return data["instances"]


def store_tuned(root: Path, name: str, source: Path, factory: str, args: dict[str, Any], modeled_us: float,
                arch: str) -> Path:
    """Record the tuned ``args`` of instance ``name`` (written atomically); returns the file."""
    root = Path(root).resolve()
    entries = load_tuned(root)
    try:
        kernel = str(Path(source).resolve().relative_to(root))
    except ValueError:
        raise ConfigError(f"{source} is not inside the project {root}: tune a kernel of the project") from None
    entries[name] = {"kernel": kernel, "factory": factory, "args": args, "modeled_us": round(modeled_us, 3),
                     "arch": arch}
    path = root / TUNED_FILE
    new = not path.is_file()
    atomic_write(path, json.dumps({"schema": _SCHEMA, "instances": dict(sorted(entries.items()))}, indent=2,
                                  sort_keys=True) + "\n")
    if new and (root / "pyproject.toml").is_file():
        # an existing build configured before the file existed does not watch it yet: touching the
        # project file it watches makes the next build discover the instances (and the file) again
        os.utime(root / "pyproject.toml")
    return path


def apply_tuned(root: Path, name: str, source: Path, factory: str | None, args: dict[str, Any]) -> dict[str, Any]:
    """``args`` with the tuned arguments of instance ``name`` applied (unchanged when it has none)."""
    entry = load_tuned(root).get(name)
    if entry is None:
        return args
    path = Path(root) / TUNED_FILE
    if (Path(root) / entry["kernel"]).resolve() != Path(source).resolve() or (factory and entry["factory"] != factory):
        raise ConfigError(f"{path}: instance {name!r} was tuned for {entry['kernel']}:{entry['factory']}, but the "
                          f"project declares it from {source}:{factory}; run tt-build tune again or remove the "
                          "entry")
    return {**args, **entry["args"]}
