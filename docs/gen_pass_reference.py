"""Generate the machine-derived parts of the pass reference (docs/passes/*.md).

Usage::

    python docs/gen_pass_reference.py           # rewrite the generated sections in place
    python docs/gen_pass_reference.py --check   # exit 1 if a committed page differs (what the test does)

Everything between ``<!-- BEGIN GENERATED: <section> -->`` and ``<!-- END GENERATED: <section> -->``
in a page is produced here from the code as it is:

* the pipeline order and its ordering comments (``tt_build/transform/pipeline.py``), the pipeline
  options and their comments (``DEFAULT_CONFIG`` in ``tt_build/transform/base.py``) and the attribute
  contract (``tt_build/ir/attrs.py``, cross-checked against a static scan of the pass modules);
* per pass: the attribute keys and options its module uses (static scan), the diagnostics its
  module can raise (every ``error(...)`` / ``VerifyError`` / problem message, as written in the
  code) and the IR of the GEMM 256 reference instance before and after the pass, obtained by
  running the real pipeline with a :class:`~tt_build.transform.PassInstrument`.

The hand-written text outside the markers is left untouched. A page that does not exist yet is
created with a stub for the hand-written part.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent
PASSES_DIR = DOCS / "passes"
#: The GEMM reference kernel.
GEMM_FILE = REPO / "example_project" / "kernels" / "gemm.py"
GEMM_FACTORY = "matmul"
GEMM_INSTANCE = "gemm_256"
GEMM_ARGS: dict[str, Any] = {"M": 256, "N": 256, "K": 256}
REGEN_CMD = "python docs/gen_pass_reference.py"

#: In IR listings, attribute lines are cut to this many characters (see ``elide_ir``).
ATTR_LINE_LIMIT = 110
#: In the attribute table, types longer than this are listed below the table.
TYPE_CELL_LIMIT = 100
#: In attribute values, lists longer than this show their first ``LIST_KEEP`` entries only.
LIST_LIMIT = 8
LIST_KEEP = 4

if str(REPO) not in sys.path:  # running as a script from a checkout
    sys.path.insert(0, str(REPO))


# --------------------------------------------------------------------------------------------------
# Running the reference instance
# --------------------------------------------------------------------------------------------------
@dataclass
class PassRun:
    """One pass of the pipeline applied to the reference instance."""

    index: int
    name: str  # short name, e.g. InferTTLayout
    qualified: str  # tt.InferTTLayout
    module: str  # snake module name, e.g. infer_tt_layout
    before: Any  # IRModule
    after: Any  # IRModule


def reference_runs() -> list[PassRun]:
    """Lower the GEMM 256 instance through the real pipeline, recording the module around every pass."""
    from tt_build.driver import build_primfunc
    from tt_build.transform import PassContext, PassInstrument, Sequential, lower, pipeline

    order = pipeline()
    runs: list[PassRun] = []
    pending: dict[str, Any] = {}

    class Record(PassInstrument):
        def run_before_pass(self, pass_: Any, mod: Any) -> None:
            if not isinstance(pass_, Sequential):
                pending[pass_.short_name] = mod

        def run_after_pass(self, pass_: Any, mod: Any) -> None:
            if isinstance(pass_, Sequential):
                return
            i = len(runs)
            runs.append(PassRun(i, pass_.short_name, pass_.name, type(order[i]).__module__.rsplit(".", 1)[-1],
                                pending.pop(pass_.short_name), mod))

    func, _ = build_primfunc(GEMM_FILE, GEMM_FACTORY, dict(GEMM_ARGS))
    lower(func, PassContext(instruments=[Record()]))
    if [r.name for r in runs] != [p.short_name for p in order]:  # pragma: no cover - pipeline contract
        msg = f"pipeline ran {[r.name for r in runs]}, expected {[p.short_name for p in order]}"
        raise RuntimeError(msg)
    return runs


# --------------------------------------------------------------------------------------------------
# Rendering values and IR
# --------------------------------------------------------------------------------------------------
def _elide(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _elide(x) for k, x in v.items()}
    if isinstance(v, list):
        if len(v) > LIST_LIMIT:
            return [*(_elide(x) for x in v[:LIST_KEEP]), f"… {len(v) - LIST_KEEP} more"]
        return [_elide(x) for x in v]
    return v


def render_value(v: Any, indent: int = 0, width: int = 100) -> str:
    """Compact, deterministic JSON: a container goes on one line when it fits in ``width``."""
    flat = json.dumps(v, sort_keys=True, default=str, ensure_ascii=False)
    if len(flat) + indent <= width or not isinstance(v, (dict, list)) or not v:
        return flat
    pad = " " * (indent + 2)
    if isinstance(v, dict):
        items = [f"{pad}{json.dumps(k)}: {render_value(v[k], indent + 2, width)}" for k in sorted(v)]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + render_value(x, indent + 2, width) for x in v]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


_ATTR_LINE = re.compile(r"^(\s*)(T\.func_attr|I\.module_attr)\(")


def elide_ir(text: str) -> str:
    """Cut attribute lines longer than :data:`ATTR_LINE_LIMIT` characters (they end in ``…``)."""
    out = []
    for line in text.splitlines():
        if _ATTR_LINE.match(line) and len(line) > ATTR_LINE_LIMIT:
            line = line[: ATTR_LINE_LIMIT - 1] + "…"
        out.append(line)
    return "\n".join(out) + "\n"


def script(mod: Any) -> str:
    from tt_build.ir import script as _script

    return elide_ir(_script(mod))


def attr_changes(run: PassRun) -> list[tuple[str, str, str, Any]]:
    """(scope, key, what, value) for every attribute the pass added, changed or removed."""
    out: list[tuple[str, str, str, Any]] = []

    def diff(scope: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        for k in sorted(set(old) | set(new)):
            if k not in new:
                out.append((scope, k, "removed", None))
            elif k not in old:
                out.append((scope, k, "added", new[k]))
            elif json.dumps(old[k], sort_keys=True, default=str) != json.dumps(new[k], sort_keys=True, default=str):
                out.append((scope, k, "changed", new[k]))

    diff("module", run.before.attrs, run.after.attrs)
    before_funcs = run.before.functions
    for name, f in run.after.functions.items():
        base = before_funcs.get(name)
        if base is None and len(before_funcs) == 1:
            base = next(iter(before_funcs.values()))
        diff(f"function {name}", base.attrs if base is not None else {}, f.attrs)
    return out


# --------------------------------------------------------------------------------------------------
# Static scan of the pass modules: attribute keys, options, diagnostics
# --------------------------------------------------------------------------------------------------
def _attr_constants() -> dict[str, str]:
    """attrs-module constant name -> key (``BUFFER_PREFIX`` -> ``tt.buffer.``)."""
    from tt_build.ir import attrs

    out = {name: getattr(attrs, name) for name in attrs.__all__ if isinstance(getattr(attrs, name), str)}
    out["buffer_key"] = attrs.BUFFER_PREFIX
    out["cb_key"] = attrs.CB_PREFIX
    return out


def display_key(key: str) -> str:
    if key.endswith("."):
        return key + ("<buffer>" if key == "tt.buffer." else "<onchip>")
    return key


@dataclass
class ModuleScan:
    reads: set[str] = field(default_factory=set)
    writes: set[str] = field(default_factory=set)
    options: set[str] = field(default_factory=set)
    #: options read through a helper of ``base.py``: helper name -> the options it reads
    helper_options: dict[str, set[str]] = field(default_factory=dict)
    diagnostics: list[tuple[int, str, str, str | None]] = field(default_factory=list)  # (line, blamed, msg, hint)


def _fmt(node: ast.AST | None) -> str | None:
    """A message expression as text: f-string fields become ``{expr}``."""
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for v in node.values:
            if isinstance(v, ast.Constant):
                parts.append(str(v.value))
            elif isinstance(v, ast.FormattedValue):
                parts.append("{" + ast.unparse(v.value) + "}")
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _fmt(node.left), _fmt(node.right)
        if left is not None and right is not None:
            return left + right
    return "{" + ast.unparse(node) + "}"


def _reads_options(tree: ast.AST) -> set[str]:
    """Options read by ``<ctx>.get("<option>")`` calls in ``tree``."""
    from tt_build.transform.base import DEFAULT_CONFIG

    return {node.args[0].value for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
            and node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value in DEFAULT_CONFIG}


def option_helpers() -> dict[str, set[str]]:
    """Module-level functions of ``tt_build/transform/base.py`` that read options (``l1_budget``: the
    ``l1_budget`` option, else the budget of ``arch``) -> the options they read. A pass calling one
    reads those options."""
    tree = ast.parse((_transform_dir() / "base.py").read_text(encoding="utf-8"))
    out = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            opts = _reads_options(node)
            if opts:
                out[node.name] = opts
    return out


def scan_module(path: Path, pass_name: str) -> ModuleScan:
    from tt_build.transform.base import DEFAULT_CONFIG

    consts = _attr_constants()
    helpers = option_helpers() if path.name != "base.py" else {}
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    scan = ModuleScan()

    def stored(node: ast.AST) -> bool:
        cur = node
        while cur in parents:
            parent = parents[cur]
            if isinstance(parent, ast.Subscript) and cur is parent.slice:
                return isinstance(parent.ctx, ast.Store)
            cur = parent
        return False

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "A" \
                and node.attr in consts:
            (scan.writes if stored(node) else scan.reads).add(consts[node.attr])
        elif isinstance(node, ast.Name) and node.id in consts and node.id.isupper():  # imported by name
            (scan.writes if stored(node) else scan.reads).add(consts[node.id])
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "get" and node.args \
                and isinstance(node.args[0], ast.Constant) and node.args[0].value in DEFAULT_CONFIG:
            scan.options.add(node.args[0].value)
        if isinstance(func, ast.Name) and func.id in helpers:
            scan.helper_options[func.id] = helpers[func.id]
        if isinstance(func, ast.Attribute) and func.attr == "error" and node.args:
            hint = next((kw.value for kw in node.keywords if kw.arg == "hint"), None)
            scan.diagnostics.append((node.lineno, pass_name, _fmt(node.args[0]) or "", _fmt(hint)))
        elif isinstance(func, ast.Attribute) and func.attr == "add" and len(node.args) == 2 \
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            scan.diagnostics.append((node.lineno, node.args[0].value, _fmt(node.args[1]) or "", None))
        elif isinstance(func, ast.Name) and func.id == "VerifyError" and len(node.args) == 2 \
                and isinstance(node.args[1], ast.List):
            blamed = _fmt(node.args[0]) or ""
            for elt in node.args[1].elts:
                scan.diagnostics.append((node.lineno, blamed, _fmt(elt) or "", None))
        elif isinstance(func, ast.Name) and func.id == "PassError" and len(node.args) >= 2:
            hint = next((kw.value for kw in node.keywords if kw.arg == "hint"), None)
            scan.diagnostics.append((node.lineno, _fmt(node.args[0]) or "", _fmt(node.args[1]) or "", _fmt(hint)))
    scan.diagnostics.sort(key=lambda d: d[0])
    return scan


def _transform_dir() -> Path:
    import tt_build.transform as t

    return Path(t.__file__).resolve().parent


def _codegen_files() -> list[Path]:
    import tt_build.codegen as c

    return sorted(Path(c.__file__).resolve().parent.glob("*.py"))


# --------------------------------------------------------------------------------------------------
# Page sections
# --------------------------------------------------------------------------------------------------
def _code(text: str) -> str:
    """Inline code span that survives backticks in ``text``."""
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _fence(text: str, lang: str = "") -> str:
    return f"```{lang}\n{text.rstrip()}\n```"


def _keys(keys: set[str]) -> str:
    from tt_build.ir import attrs

    order = list(attrs.ATTRS)
    ks = sorted(keys, key=lambda k: order.index(k) if k in order else len(order))
    return ", ".join(_code(display_key(k)) for k in ks) or "none"


def pass_header(run: PassRun, runs: list[PassRun]) -> str:
    prev = runs[run.index - 1] if run.index > 0 else None
    nxt = runs[run.index + 1] if run.index + 1 < len(runs) else None
    nav = [f"pass {run.index + 1} of {len(runs)} in the [pipeline](index.md)"]
    nav.append(f"previous: [{prev.name}]({prev.module}.md)" if prev else "previous: the front end")
    nav.append(f"next: [{nxt.name}]({nxt.module}.md)" if nxt else "next: CodegenTT")
    return (f"# {run.name}\n\n`{run.qualified}` · module "
            f"[`tt_build/transform/{run.module}.py`](../../tt_build/transform/{run.module}.py) · "
            + " · ".join(nav))


def pass_reference(run: PassRun) -> str:
    scan = scan_module(_transform_dir() / f"{run.module}.py", run.name)
    out: list[str] = ["## Attribute keys and options in the code", ""]
    out.append("Static scan of the module (an `A.<KEY>` subscript that is assigned counts as a write, every "
               "other use as a read):")
    out.append("")
    out.append(f"- writes: {_keys(scan.writes)}")
    out.append(f"- reads: {_keys(scan.reads - scan.writes) if scan.reads - scan.writes else 'none'}"
               + (f" (and reads back {_keys(scan.reads & scan.writes)})" if scan.reads & scan.writes else ""))
    opts = [f"`{o}`" for o in sorted(scan.options)]
    opts += [f"{', '.join(f'`{o}`' for o in sorted(used))} (through `{helper}()` in `base.py`)"
             for helper, used in sorted(scan.helper_options.items())]
    out.append(f"- pipeline options (`PassContext.config`): {', '.join(opts) or 'none'}")
    out.append("")
    out.append("## Diagnostics")
    out.append("")
    if scan.diagnostics:
        out.append("Every message this module can raise, as written in the code (`{…}` is filled in with the "
                   "actual values). A pass error prints as "
                   "`<file>:<line>:<col>: error in pass <Pass>: <message>`, the kernel's source line with a caret "
                   "under the column, then `hint: <hint>` (no location, source line or caret when the IR node "
                   "has no location); a verifier problem prints as "
                   "`VerifyTTIR rejected the IR produced by <Pass>:` followed by one `  - <problem>` line "
                   "per problem.")
        out.append("")
        for _line, blamed, msg, hint in scan.diagnostics:
            who = "" if blamed == run.name else f" (blames {blamed})"
            line = f"- {_code(msg)}{who}"
            if hint:
                line += f"  \n  hint: {_code(hint)}"
            out.append(line)
    else:
        out.append("None: this pass has no failure mode of its own.")
    out.append("")
    extra = EXTRA_SECTIONS.get(run.name)
    if extra is not None:
        out.extend([extra(run), ""])
    out.append("## GEMM 256: what the pass does to the reference instance")
    out.append("")
    out.append(f"The `{GEMM_INSTANCE}` instance (`matmul(M=256, N=256, K=256)`, 32×32×32 blocks) of "
               "[`example_project/kernels/gemm.py`](../../example_project/kernels/gemm.py), lowered by the real "
               "pipeline (`tt-build lower example_project/kernels/gemm.py --instance gemm_256 "
               f"--print-ir-after {run.name}` prints the same module). Generated by "
               f"`{REGEN_CMD}`: in the listings, attribute lines longer than {ATTR_LINE_LIMIT} characters are "
               f"cut and end in `…`; in attribute values, lists longer than {LIST_LIMIT} entries show their "
               f"first {LIST_KEEP} and a `\"… N more\"` marker.")
    out.append("")
    changes = attr_changes(run)
    out.append("### Attributes added, changed or removed")
    out.append("")
    if not changes:
        out.append("None.")
    for scope, key, what, value in changes:
        out.append(f"- {scope}: `{key}` {what}" + (":" if what != "removed" else ""))
        if what != "removed":
            out.append("")
            out.append("  " + _fence(render_value(_elide(value)), "json").replace("\n", "\n  "))
    out.append("")
    before, after = script(run.before), script(run.after)
    out.append("### IR diff")
    out.append("")
    diff = list(difflib.unified_diff(before.splitlines(), after.splitlines(), "before", "after", lineterm="", n=2))
    out.append(_fence("\n".join(diff) if diff else "(the printed IR is unchanged)", "diff"))
    out.append("")
    out.append(f"<details><summary>IR before {run.name}</summary>\n\n{_fence(before, 'python')}\n\n</details>")
    out.append("")
    out.append(f"<details><summary>IR after {run.name}</summary>\n\n{_fence(after, 'python')}\n\n</details>")
    return "\n".join(out)


def _verify_example(run: PassRun) -> str:
    """VerifyTTIR on the final GEMM 256 module with one ``cb_pop_front`` deleted from the compute kernel."""
    from tt_build.errors import VerifyError
    from tt_build.ir import Call, Evaluate, IRModule, SeqStmt, StmtExprMutator
    from tt_build.ir import attrs as A
    from tt_build.transform import PassContext
    from tt_build.transform.verify_ttir import VerifyTTIR

    dropped: list[str] = []

    class DropFirstPop(StmtExprMutator):
        def visit_Evaluate(self, node: Evaluate) -> Any:  # noqa: N802
            c = node.value
            if not dropped and isinstance(c, Call) and c.op == "tt.cb_pop_front":
                dropped.append(c.args[0].name)
                return SeqStmt([])
            return node

    funcs = {n: (f.with_body(DropFirstPop().visit(f.body)) if f.attrs[A.KERNEL_ROLE] == "compute" else f)
             for n, f in run.after.functions.items()}
    try:
        VerifyTTIR()(IRModule(funcs, dict(run.after.attrs)), PassContext())
    except VerifyError as exc:
        message = str(exc)
    else:  # pragma: no cover - the verifier must reject the planted bug
        message = "(VerifyTTIR accepted the module)"
    return ("## Example: a planted protocol bug\n\n"
            f"The final GEMM 256 module with the first `cb_pop_front({dropped[0]}, 1)` deleted from `gemm_compute`, "
            "run through `VerifyTTIR` (generated):\n\n" + _fence(message, "text"))


EXTRA_SECTIONS = {"VerifyTTIR": _verify_example}


def _pipeline_comments() -> dict[str, str]:
    import importlib

    # (``tt_build.transform.pipeline`` the attribute is the function; the module is in sys.modules.)
    p = importlib.import_module("tt_build.transform.pipeline")
    out = {}
    for line in Path(p.__file__).read_text(encoding="utf-8").splitlines():
        m = re.match(r"\s*([A-Za-z]+)\(\),\s*(?:#\s*(.*))?$", line)
        if m:
            out[m.group(1)] = (m.group(2) or "").strip()
    return out


def _config_comments() -> dict[str, str]:
    import importlib

    b = importlib.import_module("tt_build.transform.base")

    out = {}
    comment: list[str] = []
    lines = Path(b.__file__).read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("DEFAULT_CONFIG"))
    for line in lines[start + 1:]:
        s = line.strip()
        if s.startswith("}"):
            break
        if s.startswith("#"):
            comment.append(s.lstrip("# ").strip())
            continue
        m = re.match(r'"([a-z_0-9]+)"\s*:', s)
        if m:
            # a comment above two keys applies to both
            out[m.group(1)] = " ".join(comment) if comment else list(out.values())[-1] if out else ""
            comment = []
    return out


def index_pipeline(runs: list[PassRun]) -> str:
    comments = _pipeline_comments()
    rows = ["| # | pass | module | ordering constraint (comment in `pipeline.py`) |", "|---|---|---|---|"]
    for r in runs:
        rows.append(f"| {r.index + 1} | [{r.name}]({r.module}.md) | `{r.module}.py` | {comments.get(r.name, '') or '—'} |")
    rows.append(f"| {len(runs) + 1} | CodegenTT | `tt_build/codegen/` | after the pipeline: reads the attributes, "
                "emits C++ (not a `Pass`) |")
    return "\n".join(rows)


def index_options() -> str:
    from tt_build.transform.base import DEFAULT_CONFIG

    users: dict[str, list[str]] = {}
    tdir = _transform_dir()
    helpers = option_helpers()
    for path in sorted(tdir.glob("*.py")):
        scan = scan_module(path, path.stem)
        through = {o: h for h, used in scan.helper_options.items() for o in used}
        if path.name == "base.py":  # a helper's own reads are attributed to the passes calling it
            scan.options -= {o for used in helpers.values() for o in used} - _reads_options(_outside_helpers(path))
        for opt in sorted(scan.options | set(through)):
            how = f" (`{through[opt]}()`)" if opt in through and opt not in scan.options else ""
            users.setdefault(opt, []).append(f"`{path.name}`{how}")
    comments = _config_comments()
    rows = ["| option | default | meaning (comment in `base.py`) | read in |", "|---|---|---|---|"]
    for key, value in DEFAULT_CONFIG.items():
        rows.append(f"| `{key}` | `{json.dumps(value)}` | {comments.get(key, '')} | {', '.join(users.get(key, [])) or '—'} |")
    return "\n".join(rows)


def _outside_helpers(path: Path) -> ast.Module:
    """``path``'s module without its option-reading helper functions (see :func:`option_helpers`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    helpers = option_helpers()
    tree.body = [n for n in tree.body if not (isinstance(n, ast.FunctionDef) and n.name in helpers)]
    return tree


def declared_vs_code(spec: Any, writers: set[str], readers: set[str], read_back: set[str]) -> str:
    """The declaration of a key in ``attrs.py`` compared with the static scan.

    ``writers``: the modules that write the key; ``readers``: those that read it and do not write it;
    ``read_back``: writers that also read it. Like ``tests/transform/test_attrs_contract.py``, a declaration
    agrees with the code when its writers are the writers and its readers are every non-writer reader plus
    possibly writers that read back (a writer is declared a reader when it reads what an earlier pass wrote).
    """
    declared_w, declared_r = set(spec.writers), set(spec.readers)
    if declared_w == writers and declared_r == readers:
        return "same"
    if declared_w == writers and readers <= declared_r <= readers | read_back:
        back = [r for r in spec.readers if r not in readers]
        return f"same; also declared readers: {', '.join(back)} (writers that read back)"
    return f"**differs**: {', '.join(spec.writers)} → {', '.join(spec.readers)}"


def index_attrs(runs: list[PassRun]) -> str:
    from tt_build.ir import attrs

    names = {r.module: r.name for r in runs}
    writers: dict[str, set[str]] = {}
    readers: dict[str, set[str]] = {}
    read_back: dict[str, set[str]] = {}
    for path in sorted(_transform_dir().glob("*.py")):
        who = names.get(path.stem)
        if who is None:
            continue
        s = scan_module(path, who)
        for k in s.writes:
            writers.setdefault(k, set()).add(who)
        for k in s.reads - s.writes:
            readers.setdefault(k, set()).add(who)
        for k in s.reads & s.writes:
            read_back.setdefault(k, set()).add(who)
    import tt_build.language as lang

    s = scan_module(Path(lang.__file__).resolve().parent / "_parser.py", "front end")
    for k in s.writes:
        writers.setdefault(k, set()).add("front end")
    for path in _codegen_files():
        s = scan_module(path, "CodegenTT")
        for k in s.reads:
            readers.setdefault(k, set()).add("CodegenTT")
    first_set: dict[str, str] = {}
    for r in runs:
        for _scope, key, what, _ in attr_changes(r):
            base = next((p for p in attrs.ATTRS if p.endswith(".") and key.startswith(p)), key)
            if what != "removed":
                first_set.setdefault(base, r.name)
    order = ["front end"] + [r.name for r in runs] + ["CodegenTT"]

    def names_of(s: set[str]) -> str:
        return ", ".join(sorted(s, key=lambda n: order.index(n) if n in order else -1)) or "—"

    rows = ["| key | type | written by (code) | read by (code) | first set in the GEMM 256 run | "
            "declared in `attrs.py` (writers → readers) |", "|---|---|---|---|---|---|"]
    long_types: list[str] = []
    for key, spec in attrs.ATTRS.items():
        w, rd = writers.get(key, set()), readers.get(key, set())
        declared = declared_vs_code(spec, w, rd, read_back.get(key, set()))
        typ = _code(spec.type).replace("|", chr(92) + "|")
        if len(spec.type) > TYPE_CELL_LIMIT:
            long_types.append(f"- `{display_key(key)}`: {_code(spec.type)}")
            typ = "below the table"
        rows.append(f"| `{display_key(key)}` | {typ} | {names_of(w)} | {names_of(rd)} | "
                    f"{first_set.get(key, '— (not used by this kernel)')} | {declared} |")
    if long_types:
        rows += ["", f"Types longer than {TYPE_CELL_LIMIT} characters (`?` marks an optional field, `|` "
                 "separates alternatives):", "", *long_types]
    return "\n".join(rows)


# --------------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------------
_BEGIN = "<!-- BEGIN GENERATED: {name} (docs/gen_pass_reference.py; do not edit) -->"
_END = "<!-- END GENERATED: {name} -->"


def _replace(text: str, name: str, content: str, path: Path) -> str:
    begin, end = _BEGIN.format(name=name), _END.format(name=name)
    i, j = text.find(begin), text.find(end)
    if i < 0 or j < i:
        msg = f"{path}: missing the markers of the generated section '{name}' ({begin} … {end})"
        raise ValueError(msg)
    return text[: i + len(begin)] + "\n" + content.rstrip() + "\n" + text[j:]


_STUB = """{header_begin}
{header_end}

## Purpose

TODO

## Requires

TODO

## Reads and writes

TODO

## Leaves alone

TODO

{ref_begin}
{ref_end}
"""


def expected_pages() -> dict[Path, str]:
    """Every page of the pass reference with its generated sections filled in (from the current files)."""
    runs = reference_runs()
    pages: dict[Path, str] = {}
    for run in runs:
        path = PASSES_DIR / f"{run.module}.md"
        if path.is_file():
            text = path.read_text(encoding="utf-8")
        else:
            text = _STUB.format(header_begin=_BEGIN.format(name="header"), header_end=_END.format(name="header"),
                                ref_begin=_BEGIN.format(name="reference"), ref_end=_END.format(name="reference"))
        text = _replace(text, "header", pass_header(run, runs), path)
        text = _replace(text, "reference", pass_reference(run), path)
        pages[path] = text
    index = PASSES_DIR / "index.md"
    text = index.read_text(encoding="utf-8")
    text = _replace(text, "pipeline", index_pipeline(runs), index)
    text = _replace(text, "options", index_options(), index)
    text = _replace(text, "attributes", index_attrs(runs), index)
    pages[index] = text
    return pages


def stale_pages() -> list[Path]:
    """Pages whose committed text differs from what the generator produces."""
    return [p for p, text in expected_pages().items()
            if not p.is_file() or p.read_text(encoding="utf-8") != text]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="do not write; exit 1 when a page is out of date")
    ns = ap.parse_args(argv)
    pages = expected_pages()
    stale = [p for p, text in pages.items() if not p.is_file() or p.read_text(encoding="utf-8") != text]
    if ns.check:
        for p in stale:
            print(f"out of date: {p.relative_to(REPO)}")
        if stale:
            print(f"regenerate with: {REGEN_CMD}")
        return 1 if stale else 0
    for p in stale:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(pages[p], encoding="utf-8")
        print(f"wrote {p.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
