"""The attribute declarations of ``tt_build/ir/attrs.py`` are true, checked mechanically so they cannot drift.

* writers and value types: the whole pipeline runs on every reference kernel instance with an instrument
  that snapshots the attrs before each pass and, after it, records which keys the pass added or changed and
  checks every value against its declared schema and scope;
* readers: a static scan of each pass module (and of CodegenTT and the front end) for the attribute
  constants it uses — an ``A.<KEY>`` used as the subscript of an assignment target is a write, any other use
  a read.
"""

from __future__ import annotations

import ast
import copy
import importlib
from pathlib import Path
from typing import Any

import pytest

import tt_build.codegen
import tt_build.language
import tt_build.transform
from tests.conftest import REFERENCE_KERNELS
from tt_build.driver import build_primfunc, list_instances
from tt_build.ir import IRModule
from tt_build.ir import attrs as A
from tt_build.transform import lower
from tt_build.transform.base import Pass, PassContext, PassInstrument, Sequential

DATA_KERNELS = Path(__file__).resolve().parent.parent / "data" / "kernels"
KERNEL_FILES = sorted(REFERENCE_KERNELS.glob("*.py")) + sorted(DATA_KERNELS.glob("*.py"))

FRONT_END = "front end"


def _base(key: str) -> str:
    spec = A.spec_of(key)
    assert spec is not None, f"attribute {key} is not declared in tt_build/ir/attrs.py"
    return spec.key


class _Recorder(PassInstrument):
    """Records, per declared key, the passes that add or change it; checks values against the schemas."""

    def __init__(self, writes: dict[str, set[str]], problems: list[str]) -> None:
        self.writes = writes
        self.problems = problems
        self.before: tuple[dict[str, Any], dict[str, dict[str, Any]]] = ({}, {})

    def run_before_pass(self, pass_: Pass, mod: IRModule) -> None:
        if not isinstance(pass_, Sequential):
            self.before = (copy.deepcopy(mod.attrs), {n: copy.deepcopy(f.attrs) for n, f in mod.functions.items()})

    def _check(self, who: str, scope: str, key: str, value: Any) -> None:
        spec = A.spec_of(key)
        if spec is None:
            self.problems.append(f"{who} sets the undeclared attribute {key}")
            return
        if spec.scope != scope:
            self.problems.append(f"{key} is declared on the {spec.scope} but {who} left it on the {scope}")
        self.problems += [f"after {who}: {p}" for p in spec.schema.problems(value, key)]

    def record(self, who: str, scope: str, after: dict[str, Any], before: dict[str, Any]) -> None:
        for key, value in after.items():
            self._check(who, scope, key, value)
            if key not in before or before[key] != value:
                self.writes.setdefault(_base(key), set()).add(who)

    def run_after_pass(self, pass_: Pass, mod: IRModule) -> None:
        if isinstance(pass_, Sequential):
            return
        mod_before, funcs_before = self.before
        self.record(pass_.short_name, "module", mod.attrs, mod_before)
        merged: dict[str, Any] = {}
        for attrs in funcs_before.values():
            merged.update(attrs)
        for name, f in mod.functions.items():
            # a function the pass created (SplitDeviceKernel) is compared with the function(s) it came from
            self.record(pass_.short_name, "function", f.attrs, funcs_before.get(name, merged))
            if name not in funcs_before:
                carried = {k for k, v in merged.items() if A.spec_of(k) is not None and A.spec_of(k).carried}
                missing = carried - set(f.attrs)
                dropped = {k for k in f.attrs if k in merged and k not in carried and f.attrs[k] == merged[k]}
                if missing or dropped:
                    self.problems.append(f"{pass_.short_name}: {name} lacks the carried attrs {sorted(missing)} or "
                                         f"carries the non-carried {sorted(dropped)}")


@pytest.fixture(scope="module")
def observed() -> tuple[dict[str, set[str]], list[str]]:
    """(declared key → passes observed writing it, schema problems) over every reference kernel instance."""
    writes: dict[str, set[str]] = {}
    problems: list[str] = []
    instances = [i for f in KERNEL_FILES for i in list_instances(f)]
    assert len(instances) >= 20
    for inst in instances:
        func, _ = build_primfunc(inst.source, inst.factory, inst.args)
        rec = _Recorder(writes, problems)
        rec.record(FRONT_END, "function", func.attrs, {})
        with PassContext(instruments=[rec]) as ctx:
            lower(func, ctx)
    return writes, problems


def test_every_value_conforms_to_its_declared_schema_and_scope(observed: tuple[dict[str, set[str]], list[str]]) -> None:
    _, problems = observed
    assert problems == []


def test_declared_writers_are_exactly_the_passes_that_write(observed: tuple[dict[str, set[str]], list[str]]) -> None:
    writes, _ = observed
    wrong = {key: (sorted(spec.writers), sorted(writes.get(key, set()))) for key, spec in A.ATTRS.items()
             if set(spec.writers) != writes.get(key, set())}
    assert wrong == {}, "declared writers vs observed writers"


# ------------------------------------------------------------------------------------------ static scan

def _constants() -> dict[str, str]:
    """Name in tt_build.ir.attrs → the declared key it stands for."""
    out = {name: getattr(A, name) for name in A.__all__ if isinstance(getattr(A, name), str)
           and getattr(A, name) in A.ATTRS}
    out["buffer_key"] = A.BUFFER_PREFIX
    out["cb_key"] = A.CB_PREFIX
    return out


def scan(path: Path) -> tuple[set[str], set[str]]:
    """(keys written, keys read) by the code of one module."""
    consts = _constants()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    aliases = {a.asname or "attrs" for n in ast.walk(tree)
               if isinstance(n, ast.ImportFrom) and n.module == "tt_build.ir" for a in n.names if a.name == "attrs"}
    imported = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                and n.module == "tt_build.ir.attrs" for a in n.names}

    def stored(node: ast.AST) -> bool:
        cur = node
        while cur in parents:
            parent = parents[cur]
            if isinstance(parent, ast.Subscript) and cur is parent.slice:
                return isinstance(parent.ctx, ast.Store)
            cur = parent
        return False

    writes: set[str] = set()
    reads: set[str] = set()
    for node in ast.walk(tree):
        name = None
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            name = node.attr
        elif isinstance(node, ast.Name) and node.id in imported and not isinstance(parents.get(node), ast.alias):
            name = node.id
        if name in consts:
            (writes if stored(node) else reads).add(consts[name])
    return writes, reads


def _modules() -> dict[str, list[Path]]:
    """Reader/writer name → the modules holding its code."""
    out: dict[str, list[Path]] = {}
    tdir = Path(tt_build.transform.__file__).resolve().parent
    for path in sorted(tdir.glob("*.py")):
        mod = importlib.import_module(f"tt_build.transform.{path.stem}")
        passes = {obj.name for obj in vars(mod).values() if isinstance(obj, type) and issubclass(obj, Pass)
                  and obj.__module__ == mod.__name__ and obj.name.startswith("tt.") and obj is not Sequential}
        if passes:
            assert len(passes) == 1, path
            out.setdefault(passes.pop().split(".", 1)[1], []).append(path)
        else:
            w, r = scan(path)
            assert not (w or r), f"{path.name} defines no pass but uses attributes {sorted(w | r)}"
    out["CodegenTT"] = sorted(Path(tt_build.codegen.__file__).resolve().parent.glob("*.py"))
    out[FRONT_END] = sorted(Path(tt_build.language.__file__).resolve().parent.glob("_pars*.py"))
    return out


def _static() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    writes: dict[str, set[str]] = {}
    reads: dict[str, set[str]] = {}
    for who, paths in _modules().items():
        for path in paths:
            w, r = scan(path)
            for k in w:
                writes.setdefault(k, set()).add(who)
            for k in r:
                reads.setdefault(k, set()).add(who)
    return writes, reads


def test_the_scan_sees_writes_and_reads() -> None:
    tdir = Path(tt_build.transform.__file__).resolve().parent
    w, r = scan(tdir / "lower_shared_to_cb.py")
    assert A.CB_PREFIX in w and A.BUFFER_PREFIX in r
    w, r = scan(tdir / "lower_tt_tile_intrinsics.py")
    assert A.CB_PREFIX in r and A.CB_PREFIX not in w


def test_declared_readers_are_the_modules_that_read() -> None:
    """Every non-writer that reads a key is declared; every declared reader really reads it."""
    static_writes, static_reads = _static()
    wrong = {}
    for key, spec in A.ATTRS.items():
        used = static_reads.get(key, set())
        need = used - set(spec.writers)
        if not need <= set(spec.readers) <= used:
            wrong[key] = {"declared": sorted(spec.readers), "read by": sorted(used), "writers": sorted(spec.writers)}
        assert static_writes.get(key, set()) <= set(spec.writers), (key, static_writes.get(key))
    assert wrong == {}


def test_every_key_has_a_writer_and_a_documented_type() -> None:
    for key, spec in A.ATTRS.items():
        assert spec.writers and spec.doc and spec.type, key
        assert spec.scope in ("function", "module"), key
