"""Rules for the user-chosen names that become Python, C and file names (package and instance names).

One place for them, used by settings parsing (``[tool.tt-build]``), discovery (``INSTANCES`` dicts)
and the lowering step. A name is accepted only when

* it is an ASCII identifier, matched in full (``re.fullmatch``: ``"add_64\\n"`` is rejected);
* it is not a Python keyword (``None``, ``class``, ``True``: the package could not be imported);
* it is at most :data:`MAX_NAME` characters (it is a directory and file name: ``<name>.json``);
* an instance name does not collide with a global of the generated ``__init__.py``
  (:data:`GENERATED_GLOBALS`) and is not a dunder name;
* a package name does not shadow a standard-library module (``json``, ``os``, ...).
"""

from __future__ import annotations

import keyword
import re
import sys

__all__ = ["GENERATED_GLOBALS", "MAX_NAME", "instance_name_problem", "package_name_problem"]

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Longest accepted name: leaves room for suffixes in a 255-byte file name (``<name>.stamp``, a
#: ``.trash-<name>-<pid>-<id>`` sibling) and keeps C symbols readable.
MAX_NAME = 100
#: Module globals of the generated package ``__init__.py`` besides the instances
#: (templates/project/package_init.py.j2) and the submodule it imports (``_tt_runtime``).
GENERATED_GLOBALS = frozenset({"_pkg", "_load_package", "_tt_runtime"})


def _identifier_problem(name: object) -> str | None:
    if not isinstance(name, str):
        return f"{name!r} is not a string"
    if not _IDENT.fullmatch(name):
        shown = repr(name) if len(name) <= 60 else repr(name[:60]) + "..."
        return f"{shown} is not an identifier ([A-Za-z_][A-Za-z0-9_]*)"
    if len(name) > MAX_NAME:
        return f"{name[:20]!r}... is {len(name)} characters long (at most {MAX_NAME})"
    if keyword.iskeyword(name):
        return f"{name!r} is a Python keyword"
    return None


def instance_name_problem(name: object, library: str = "_tt_kernels") -> str | None:
    """Why ``name`` cannot be an instance name, or None when it can."""
    problem = _identifier_problem(name)
    if problem is not None:
        return problem
    assert isinstance(name, str)
    if name in GENERATED_GLOBALS or name == library or (name.startswith("__") and name.endswith("__")):
        return f"{name!r} collides with a name of the generated package's __init__.py; rename the instance"
    return None


def package_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be the generated package's import name, or None when it can."""
    problem = _identifier_problem(name)
    if problem is not None:
        return problem
    if name in sys.stdlib_module_names or name in sys.builtin_module_names:
        return f"{name!r} shadows the standard-library module {name}; choose another name"
    return None
