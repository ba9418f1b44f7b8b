"""The documentation is true to the code: generated pages are current, every ``T.*`` name and setting is
documented, the kernel examples in ``docs/`` lower (and, with a reference, run correctly on the mock
device), documented diagnostics are the exact text tt-build prints, and relative links resolve.

Markers (first line of a fenced ``python`` block in any ``docs/**/*.md``):

* ``# example: NAME`` — a complete kernel file. Every instance of its ``INSTANCES`` dict (or, without
  one, its only public function called with its defaults) must lower through the pipeline and
  CodegenTT. A line ``# reference: EXPR`` in the block makes the test also run the first instance on
  the mock device (:class:`tt_build.matrix.MockRunner`, as ``tt-build matrix`` does) and compare it with
  the numpy expression ``EXPR`` (names: ``np``, the kernel's input tensors by parameter name, the
  instance's arguments) and with the reference ``tt_build.matrix`` derives from the front-end IR.
* ``# diagnostic: NAME`` — a complete kernel file that must fail; the next fenced block holds the exact
  message (the kernel file is ``NAME.py``, so messages start with ``NAME.py:line:col``).
* ``# ir: NAME INSTANCE`` — the rest of the block is the front-end IR (``tt_build.ir.script``) of that
  instance of the example ``NAME``.

The element-wise tables of ``docs/language.md`` (``T.Parallel``) are checked row by row: each row's store
replaces the line marked ``# <- table rows`` in the example ``parallel_forms``; a supported row must parse
to exactly the documented tile calls, a rejected row must fail at that line with exactly the documented
message and hint.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from tests.conftest import REPO
from tests.e2e import test_build_dir
from tt_build.driver import Instance, build_primfunc, emit, list_instances, load_kernel_module
from tt_build.errors import TTBuildError
from tt_build.matrix import MockRunner, MockRunError, make_inputs, pcc, reference_outputs

DOCS = REPO / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
_MARKER = re.compile(r"^# (example|diagnostic|ir): (\S+)(.*)$")
_FENCE = re.compile(r"^(\s*)(```+|~~~+)(.*)$")


@dataclass(frozen=True)
class Block:
    page: Path
    line: int  # 1-based line of the opening fence
    lang: str
    text: str

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(REPO)}:{self.line}"


def fenced_blocks(page: Path) -> list[Block]:
    lines = page.read_text(encoding="utf-8").splitlines()
    out: list[Block] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, lang = m.group(1), m.group(2), m.group(3).strip()
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith(fence):
            body.append(lines[j][len(indent):] if lines[j].startswith(indent) else lines[j].lstrip())
            j += 1
        out.append(Block(page, i + 1, lang, "\n".join(body) + "\n"))
        i = j + 1
    return out


@dataclass(frozen=True)
class Marked:
    kind: str
    name: str
    extra: str
    block: Block
    expected: Block | None = None  # diagnostics: the block holding the message


def marked_blocks() -> list[Marked]:
    out: list[Marked] = []
    for page in PAGES:
        blocks = fenced_blocks(page)
        for k, b in enumerate(blocks):
            if b.lang != "python":
                continue
            m = _MARKER.match(b.text.splitlines()[0]) if b.text.strip() else None
            if not m:
                continue
            expected = blocks[k + 1] if m.group(1) == "diagnostic" and k + 1 < len(blocks) else None
            out.append(Marked(m.group(1), m.group(2), m.group(3).strip(), b, expected))
    return out


MARKED = marked_blocks()
EXAMPLES = {m.name: m for m in MARKED if m.kind == "example"}
DIAGNOSTICS = {m.name: m for m in MARKED if m.kind == "diagnostic"}
IR_LISTINGS = [m for m in MARKED if m.kind == "ir"]


def _reference(m: Marked) -> str | None:
    for line in m.block.text.splitlines():
        r = re.match(r"^\s*# reference: (.+)$", line)
        if r:
            return r.group(1).strip()
    return None


def _write(m: Marked, directory: Path) -> Path:
    path = directory / f"{m.name}.py"
    path.write_text(m.block.text, encoding="utf-8")
    return path


def _instances(path: Path) -> list[Instance]:
    declared = list_instances(path)
    if declared:
        return declared
    module, _ = load_kernel_module(path)
    funcs = [n for n, v in vars(module).items()
             if not n.startswith("_") and callable(v) and getattr(v, "__module__", None) == module.__name__]
    assert len(funcs) == 1, f"{path.name}: without INSTANCES the example must define exactly one function"
    return [Instance(funcs[0], path.resolve(), funcs[0], {})]


def _lower_and_generate(inst: Instance) -> Any:
    from tt_build.codegen import generate
    from tt_build.transform import lower

    func, _ = build_primfunc(inst.source, inst.factory, inst.args)
    mod = lower(func)
    generate(mod, name=inst.name)
    return mod


def test_markers_are_well_formed() -> None:
    names = [m.name for m in MARKED if m.kind != "ir"]
    assert len(names) == len(set(names)), f"duplicate example/diagnostic names: {sorted(names)}"
    for m in MARKED:
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", m.name), f"{m.block.where}: bad name {m.name!r}"
        if m.kind == "diagnostic":
            assert m.expected is not None and m.expected.lang in ("", "text"), \
                f"{m.block.where}: a diagnostic block must be followed by a ```text block with the message"
    assert EXAMPLES, "no example kernels found in docs/"
    assert DIAGNOSTICS, "no diagnostic examples found in docs/"


# -- (a) the pass reference ----------------------------------------------------------------------------
def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_pass_reference", DOCS / "gen_pass_reference.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_pass_reference", module)
    spec.loader.exec_module(module)
    return module


def test_every_pass_has_a_reference_page() -> None:
    from tt_build.transform import pipeline

    index = (DOCS / "passes" / "index.md").read_text(encoding="utf-8")
    for p in pipeline():
        module = type(p).__module__.rsplit(".", 1)[-1]
        page = DOCS / "passes" / f"{module}.md"
        assert page.is_file(), f"pass {p.short_name} has no reference page {page.relative_to(REPO)}"
        text = page.read_text(encoding="utf-8")
        for section in ("## Purpose", "## Requires", "## Reads and writes", "## Leaves alone"):
            assert f"\n{section}\n" in text, f"{page.name}: missing section {section!r}"
        assert "TODO" not in text, f"{page.name}: unfinished (TODO)"
        assert f"]({module}.md)" in index, f"passes/index.md does not link {module}.md"


def test_pass_reference_is_current() -> None:
    stale = _generator().stale_pages()
    rel = [str(p.relative_to(REPO)) for p in stale]
    assert not stale, f"pass reference out of date: {rel}; regenerate with: python docs/gen_pass_reference.py"


# -- (b) the kernel language reference -----------------------------------------------------------------
def _sections(text: str) -> list[tuple[str, str]]:
    """(heading line, section text up to the next heading of the same or a higher level)."""
    lines = text.splitlines()
    heads = [(i, len(re.match(r"^#+", line).group(0))) for i, line in enumerate(lines)  # type: ignore[union-attr]
             if re.match(r"^#{1,6} ", line)]
    out = []
    for k, (i, level) in enumerate(heads):
        end = next((j for j, lv in heads[k + 1:] if lv <= level), len(lines))
        out.append((lines[i], "\n".join(lines[i:end])))
    return out


def test_every_language_name_is_documented_with_an_example() -> None:
    import tt_build.language as T

    sections = _sections((DOCS / "language.md").read_text(encoding="utf-8"))
    missing = []
    for name in T.__all__:
        pat = re.compile(rf"`@?T\.{re.escape(name)}\b")
        hits = [body for head, body in sections if head.startswith("###") and pat.search(head)]
        if not hits or not any("```python" in body for body in hits):
            missing.append(name)
    assert not missing, f"docs/language.md: no ### heading with an example for T.{', T.'.join(missing)}"


# -- (c) the examples ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_kernel_lowers(name: str, tmp_path: Path) -> None:
    from tt_build.ir import attrs as A

    path = _write(EXAMPLES[name], tmp_path)
    instances = _instances(path)
    assert instances
    for inst in instances:
        mod = _lower_and_generate(inst)
        assert sorted(f.attrs[A.KERNEL_ROLE] for f in mod.functions.values()) == ["compute", "reader", "writer"]


#: Documented examples that do not run yet, each with the bug (listed in the page's "Known issues"). Strict:
#: an example that starts to pass fails the test until its entry is removed.
KNOWN_BUGS: dict[str, str] = {}
RUNNABLE = [pytest.param(n, marks=pytest.mark.xfail(raises=MockRunError, reason=KNOWN_BUGS[n], strict=True))
            if n in KNOWN_BUGS else n for n in sorted(n for n, m in EXAMPLES.items() if _reference(m))]


@pytest.fixture(scope="session")
def runner() -> MockRunner:
    # The mock runtime, host libraries and compiled device kernels are keyed by content and shared with
    # the end-to-end tests.
    return MockRunner(test_build_dir())


@pytest.mark.compile
@pytest.mark.parametrize("name", RUNNABLE)
def test_example_kernel_runs_on_mock(name: str, tmp_path: Path, runner: MockRunner) -> None:
    """The first instance runs on the mock and matches the page's numpy expression (an oracle written
    with the docs) and the numpy reference tt-build derives from the front-end IR (`tt-build matrix`)."""
    m = EXAMPLES[name]
    path = _write(m, tmp_path)
    inst = _instances(path)[0]
    out = tmp_path / "out"
    result = emit(inst.source, inst.factory, inst.args, inst.name, out)
    inputs = make_inputs(result.manifest["params"], zlib.crc32(name.encode()))
    (got,) = runner.run(out, inputs)
    got32 = got.astype(np.float32)
    floats = [x.astype(np.float32) for x in inputs]
    input_names = [p["name"] for p in result.manifest["params"] if p["role"] == "input"]
    names = {"np": np, **inst.args, **dict(zip(input_names, floats))}
    want = np.asarray(eval(_reference(m), names), dtype=np.float32)  # noqa: S307 - the docs' own expression
    func, _ = build_primfunc(inst.source, inst.factory, inst.args)
    (derived,) = reference_outputs(func, floats)
    for what, ref in (("the documented reference", want), ("the IR-derived reference", derived)):
        assert got32.shape == ref.shape, f"{m.block.where}: output shape {got32.shape} vs {what} {ref.shape}"
        if float(np.std(ref)) > 0:  # the correlation of a constant is undefined
            assert pcc(got32, ref) >= 0.999, f"{m.block.where}: {inst.name} differs from {what}"
        err = float(np.max(np.abs(got32 - ref)) / max(float(np.max(np.abs(ref))), 1e-30))
        assert err <= 2e-2, f"{m.block.where}: {inst.name} differs from {what} (max rel err {err:.3g})"


@pytest.mark.parametrize("name", sorted(DIAGNOSTICS))
def test_documented_diagnostic_is_exact(name: str, tmp_path: Path) -> None:
    m = DIAGNOSTICS[name]
    assert m.expected is not None
    path = _write(m, tmp_path)
    with pytest.raises(TTBuildError) as err:
        for inst in _instances(path)[:1]:
            _lower_and_generate(inst)
    got = str(err.value).replace(str(tmp_path) + os.sep, "")
    assert got == m.expected.text.rstrip("\n"), f"{m.block.where}: the documented message differs"


@pytest.mark.parametrize("listing", IR_LISTINGS, ids=[f"{m.name}-{m.extra}" for m in IR_LISTINGS])
def test_documented_ir_is_current(listing: Marked, tmp_path: Path) -> None:
    from tt_build.ir import script

    path = _write(EXAMPLES[listing.name], tmp_path)
    inst = next(i for i in _instances(path) if i.name == listing.extra.split()[0])
    func, _ = build_primfunc(inst.source, inst.factory, inst.args)
    body = listing.block.text.split("\n", 1)[1]
    assert body == script(func), f"{listing.block.where}: the documented IR differs from tt_build.ir.script"


# -- the element-wise forms of T.Parallel -----------------------------------------------------------------
ROW_MARK = "# <- table rows"
FORMS_TEMPLATE = "parallel_forms"
SUPPORTED_HEADER = "| form | store | compute kernel, per tile |"
REJECTED_HEADER = "| rejected form | store | message | hint |"
#: what the hint column says when the hint is the list of supported forms (``eltwise.SUPPORTED_FORMS``)
SUPPORTED_HINT = "the supported forms"


def _unquote(cell: str) -> str:
    """The text of a table cell holding one code span (```` `x` ```` or ```` `` x `` ````), else the cell."""
    m = re.fullmatch(r"(`+) ?(.*?) ?\1", cell.strip())
    return m.group(2) if m else cell.strip()


def _table(header: str) -> list[list[str]]:
    """The body rows (cells) of the table of docs/language.md whose header row is ``header``."""
    lines = (DOCS / "language.md").read_text(encoding="utf-8").splitlines()
    start = lines.index(header) + 2  # header, then the |---| line
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows


TREE_HEADER = "| tree form | store | compute kernel, per tile |"
SUPPORTED_ROWS = _table(SUPPORTED_HEADER)
TREE_ROWS = _table(TREE_HEADER)
REJECTED_ROWS = _table(REJECTED_HEADER)


def _form_kernel(store: str, tmp_path: Path) -> tuple[Path, int]:
    """The template example with its marked store replaced by ``store``; (file, line of the store)."""
    lines = EXAMPLES[FORMS_TEMPLATE].block.text.splitlines()
    (k,) = [i for i, line in enumerate(lines) if line.endswith(ROW_MARK)]
    indent = lines[k][: len(lines[k]) - len(lines[k].lstrip())]
    lines[k] = indent + store
    path = tmp_path / f"{FORMS_TEMPLATE}.py"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, k + 1


def test_element_wise_tables_are_found() -> None:
    assert len(SUPPORTED_ROWS) >= 8 and all(len(r) == 3 for r in SUPPORTED_ROWS), SUPPORTED_ROWS
    assert len(TREE_ROWS) >= 8 and all(len(r) == 3 for r in TREE_ROWS), TREE_ROWS
    assert len(REJECTED_ROWS) >= 4 and all(len(r) == 4 for r in REJECTED_ROWS), REJECTED_ROWS


@pytest.mark.parametrize("row", SUPPORTED_ROWS, ids=[r[0] for r in SUPPORTED_ROWS])
def test_documented_element_wise_form_is_supported(row: list[str], tmp_path: Path) -> None:
    """The front end accepts the store, and the backend's plan for it is the documented tile calls."""
    from tt_build.ir import BufferStore, StmtExprVisitor
    from tt_build.ir.eltwise import plan_store

    path, _ = _form_kernel(_unquote(row[1]), tmp_path)
    inst = _instances(path)[0]
    func, _ = build_primfunc(inst.source, inst.factory, inst.args)
    stores: list[BufferStore] = []

    class Stores(StmtExprVisitor):
        def visit_BufferStore(self, node: BufferStore) -> None:  # noqa: N802
            stores.append(node)

    Stores().visit(func.body)
    names = {"copy": "copy_tile", "fill": "fill_tile"}
    calls = [names.get(step.kind) or (f"{step.op}_tiles" if step.kind == "binary" else f"{step.op}_tile")
             for st in stores for step in plan_store(st.buffer, st.value, st.loc)]
    assert calls == re.findall(r"`([^`]+)`", row[2]), f"docs/language.md: row {row[0]!r}"


@pytest.mark.parametrize("row", TREE_ROWS, ids=[r[0] for r in TREE_ROWS])
def test_documented_expression_tree_is_supported(row: list[str], tmp_path: Path) -> None:
    """The front end accepts the store and the compute kernel evaluates it with the documented math calls
    (per output tile, inits and DST / CB protocol calls left out)."""
    from tt_build.ir import attrs as A
    from tt_build.transform import lower
    from tt_build.transform._analysis import collect_calls

    path, _ = _form_kernel(_unquote(row[1]), tmp_path)
    inst = _instances(path)[0]
    func, _ = build_primfunc(inst.source, inst.factory, inst.args)
    comp = next(f for f in lower(func).functions.values() if f.attrs[A.KERNEL_ROLE] == "compute")
    skip = ("tt.tile_regs_", "tt.cb_", "tt.pack_", "tt.compute_kernel_hw_startup")
    calls = [c.op[3:].split(":")[0] for c in collect_calls(comp.body, "tt.")
             if not c.op.startswith(skip) and "_init" not in c.op]
    assert calls[-1] == "copy_tile"  # the T.copy of z to Z (into z's output CB)
    assert calls[:-1] == re.findall(r"`([^`]+)`", row[2]), f"docs/language.md: row {row[0]!r}"


@pytest.mark.parametrize("row", REJECTED_ROWS, ids=[r[0] for r in REJECTED_ROWS])
def test_documented_element_wise_form_is_rejected(row: list[str], tmp_path: Path) -> None:
    from tt_build.errors import FrontendError
    from tt_build.ir.rowwise import TREE_FORMS as SUPPORTED_FORMS

    path, line = _form_kernel(_unquote(row[1]), tmp_path)
    inst = _instances(path)[0]
    with pytest.raises(FrontendError) as err:
        build_primfunc(inst.source, inst.factory, inst.args)
    hint = SUPPORTED_FORMS if row[3] == SUPPORTED_HINT else _unquote(row[3])
    where = f"docs/language.md: row {row[0]!r}"
    assert (err.value.msg, err.value.hint) == (_unquote(row[2]), hint), where
    assert err.value.loc is not None and err.value.loc.line == line, where


def test_user_guide_shows_the_new_project_files() -> None:
    """kernels/add.py and the file list in the user guide are what `tt-build new my-kernels` writes."""
    from tt_build._templates import render
    from tt_build.commands import new

    block = EXAMPLES["new_project_add"].block.text.split("\n", 1)[1]
    kernel = render(new._FILES["kernels/add.py"], name="my-kernels", package="my_kernels")  # noqa: SLF001
    assert block == kernel, "docs/user-guide.md: kernels/add.py differs from `tt-build new`"
    guide = (DOCS / "user-guide.md").read_text(encoding="utf-8")
    for rel in new._FILES:  # noqa: SLF001
        assert f"\n  {rel} " in guide, f"docs/user-guide.md: the `tt-build new` tree does not list {rel}"


# -- settings and commands -----------------------------------------------------------------------------
def test_every_setting_and_command_is_in_the_user_guide() -> None:
    import dataclasses

    from tt_build.build.settings import TTBuildSettings
    from tt_build.cli import _parser

    guide = (DOCS / "user-guide.md").read_text(encoding="utf-8")
    for f in dataclasses.fields(TTBuildSettings):
        key = f.name.replace("_", "-")
        assert f"`{key}`" in guide, f"docs/user-guide.md does not document [tool.tt-build] {key}"
    sub = next(a for a in _parser()._actions if a.dest == "command")  # noqa: SLF001
    for cmd in sub.choices:  # type: ignore[union-attr]
        assert f"tt-build {cmd}" in guide, f"docs/user-guide.md does not mention `tt-build {cmd}`"


# -- (d) links -----------------------------------------------------------------------------------------
def _slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation other than ``-`` and ``_`` dropped, spaces to ``-``."""
    text = re.sub(r"<[^>]+>", "", heading.strip().lstrip("#").strip()).lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    out: set[str] = set()
    seen: dict[str, int] = {}
    in_fence = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        if in_fence or not re.match(r"^#{1,6} ", line):
            continue
        s = _slug(line)
        n = seen.get(s, 0)
        seen[s] = n + 1
        out.add(s if n == 0 else f"{s}-{n}")
    return out


def _links(page: Path) -> list[tuple[int, str]]:
    out = []
    in_fence = False
    for no, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        for target in re.findall(r"\]\(([^)\s]+)\)", re.sub(r"`[^`]*`", "", line)):
            out.append((no, target))
    return out


#: Files written by a command rather than committed with the code (`python bench/run_all.py` writes the
#: measured figures); a link to one may dangle until it exists, and is checked like any other once it does.
PENDING_FILES = {REPO / "bench" / "RESULTS.md"}


def test_relative_links_resolve() -> None:
    broken = []
    for page in PAGES:
        for no, target in _links(page):
            if re.match(r"^[a-z]+:", target):
                continue  # http:, https:, mailto:
            file, _, anchor = target.partition("#")
            dest = (page.parent / file).resolve() if file else page
            if not dest.exists():
                if dest in PENDING_FILES:
                    continue
                broken.append(f"{page.relative_to(REPO)}:{no}: {target} (no such file)")
            elif anchor and dest.suffix == ".md" and anchor not in _anchors(dest):
                broken.append(f"{page.relative_to(REPO)}:{no}: {target} (no such heading)")
    assert not broken, "broken links:\n" + "\n".join(broken)
