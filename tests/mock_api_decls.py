"""Namespace-scope declarations of the mock SDK's device API headers (``tt_build/mock_sdk/include/api``),
and a C++ "use" of each that compiles against any header offering the same API.

Used by ``tests/test_mock_api_subset.py`` (the mock's device API must be a subset of the real 0.81 one)
and ``bench/mock_api_coverage.py`` (which names the mock offers). The parser knows the mock's own header
style (one declaration per statement, ``namespace x {`` ... ``}  // namespace x``); it is not a C++ parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MOCK_API = Path(__file__).resolve().parent.parent / "tt_build" / "mock_sdk" / "include" / "api"
MOCK_INCLUDE = MOCK_API.parent

#: namespaces and name prefixes internal to the mock (not device API)
INTERNAL_NAMESPACES = {"tt_mock", "tt_mock_detail", "detail"}
INTERNAL_PREFIXES = ("tt_mock", "TT_MOCK")


@dataclass(frozen=True)
class Decl:
    header: str  # header_key(): relative to api/ ("compute/reduce.h"), or an LLK shim's include path
    line: int
    kind: str  # function | enumerator | type | constant | member
    name: str
    namespace: str  # "ckernel", "" (global), ...
    use: str  # a C++ expression statement using the declaration

    @property
    def where(self) -> str:
        return f"{include_path(self.header)}:{self.line}"


def _strip(text: str) -> str:
    """Comments and string literals blanked out, line structure kept."""
    def blank(m: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", m.group(0))
    return re.sub(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\])*"', blank, text, flags=re.S)


def _split_top(s: str, sep: str = ",") -> list[str]:
    out, depth, cur = [], 0, []
    for ch in s:
        if ch in "<([{":
            depth += 1
        elif ch in ">)]}":
            depth -= 1
        if ch == sep and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    if "".join(cur).strip():
        out.append("".join(cur))
    return [x.strip() for x in out]


_NAME_AT_END = re.compile(r"([A-Za-z_]\w*)\s*$")


def _param(p: str) -> tuple[str, bool]:
    """(type, has_default) of one parameter declaration (the name may be absent or commented out)."""
    has_default = "=" in p and not p.strip().startswith("=")
    decl = p.split("=", 1)[0].strip() if has_default else p.strip()
    decl = re.sub(r"\[\[[^\]]*\]\]", "", decl).strip()
    words = decl.split()
    if len(words) >= 2 and _NAME_AT_END.search(decl) and not decl.endswith(("&", "*", ">")):
        typ = decl[: _NAME_AT_END.search(decl).start()].strip()
        if typ and typ not in ("const", "unsigned", "signed", "long", "short"):
            return typ, has_default
    return decl, has_default


def _tmpl_arg(p: str) -> str | None:
    """A template argument for a template parameter without default (None: has a default)."""
    typ, has_default = _param(p)
    if has_default:
        return None
    if typ in ("typename", "class") or typ.startswith(("typename", "class")):
        return "std::uint32_t"
    if typ == "bool":
        return "false"
    if re.fullmatch(r"(std::)?u?int\d+_t|unsigned|int|uint32_t|std::uint32_t|std::size_t|size_t", typ):
        return "1"
    return f"{typ}{{}}"


def _arg(typ: str) -> str:
    return f"std::declval<{typ}>()"


def header_key(header: Path) -> str:
    """An api/ header's path relative to api/ ("compute/reduce.h"); an LLK shim's include path ("llk_defs.h")."""
    return (header.relative_to(MOCK_API) if MOCK_API in header.parents else header.relative_to(MOCK_INCLUDE)).as_posix()


def include_path(key: str) -> str:
    """The path a kernel includes the header of `key` by."""
    return key if key.startswith(("llk_", "internal/")) else f"api/{key}"


def declarations(header: Path) -> list[Decl]:
    rel = header_key(header)
    raw = header.read_text(encoding="utf-8")
    text = _strip(raw)
    decls: list[Decl] = []
    # walk statements at namespace scope: track braces, remember which are namespaces
    stack: list[str | None] = []  # namespace name, or None for any other brace
    i, n = 0, len(text)
    stmt_start = 0
    while i < n:
        ch = text[i]
        if ch == "#":  # preprocessor line
            j = text.find("\n", i)
            j = n if j < 0 else j
            while text[j - 1] == "\\" and j < n:
                j2 = text.find("\n", j + 1)
                j = n if j2 < 0 else j2
            i = j + 1
            stmt_start = i
            continue
        if ch == "{":
            head = text[stmt_start:i]
            m = re.search(r"\bnamespace\s+([A-Za-z_]\w*)?\s*$", head)
            in_ns = all(s is not None for s in stack)
            if in_ns and not m:
                _declare(rel, raw, text, stmt_start, i, stack, decls, body=True)
            stack.append(m.group(1) or "" if m else None)
            i += 1
            stmt_start = i
            if not m:  # skip the body
                depth = 1
                while i < n and depth:
                    depth += {"{": 1, "}": -1}.get(text[i], 0)
                    i += 1
                stack.pop()
                # a class/enum body ends at `};`
                while i < n and text[i] in " \t\n":
                    i += 1
                if i < n and text[i] == ";":
                    i += 1
                stmt_start = i
            continue
        if ch == "}":
            if stack:
                stack.pop()
            i += 1
            stmt_start = i
            continue
        if ch == ";":
            if all(s is not None for s in stack):
                _declare(rel, raw, text, stmt_start, i, stack, decls, body=False)
            i += 1
            stmt_start = i
            continue
        i += 1
    for name, use in MEMBER_USES.get(rel, []):
        method = name.rsplit("::", 1)[-1]
        m = re.search(rf"\b{re.escape(method)}\s*\(", text)
        if m is None:
            raise ValueError(f"{rel}: member {name} of MEMBER_USES is not declared")
        decls.append(Decl(rel, text.count("\n", 0, m.start()) + 1, "member", name, "", use))
    return decls


def _declare(rel: str, raw: str, text: str, start: int, end: int, stack: list[str | None], decls: list[Decl],
             body: bool) -> None:
    ns = "::".join(s for s in stack if s)
    if any(s in INTERNAL_NAMESPACES for s in stack if s):
        return
    stmt = text[start:end].strip()
    if not stmt or stmt.startswith(("using ", "typedef", "static_assert", "return")):
        return
    line = text.count("\n", 0, start + (len(text[start:end]) - len(text[start:end].lstrip()))) + 1
    q = f"{ns}::" if ns else "::"
    # enum (class) with its enumerators
    m = re.match(r"enum\s+(class\s+|struct\s+)?([A-Za-z_]\w*)?\s*(:[^{]*)?$", stmt)
    if m and body:
        body_text = text[end + 1: text.find("}", end)]
        scoped = bool(m.group(1))
        ename = m.group(2)
        if ename:
            decls.append(Decl(rel, line, "type", ename, ns, f"(void)sizeof({q}{ename});"))
        for e in _split_top(body_text):
            en = e.split("=")[0].strip()
            if en:
                ref = f"{q}{ename}::{en}" if scoped else f"{q}{en}"
                decls.append(Decl(rel, line, "enumerator", f"{ename + '::' if scoped else ''}{en}", ns,
                                  f"(void){ref};"))
        return
    m = re.match(r"(template\s*<.*>\s*)?(class|struct|union)\s+([A-Za-z_]\w*)\s*(<)?", stmt, re.S)
    if m and (body or stmt == m.group(0).strip()):  # a definition, or a forward declaration
        if m.group(4):  # a specialization declares no new name
            return
        # a template or a forward declaration: the name is checked; a complete class is sized
        use = f"using {q}{m.group(3)};" if m.group(1) or not body else f"(void)sizeof({q}{m.group(3)});"
        decls.append(Decl(rel, line, "type", m.group(3), ns, use))
        return
    # template parameters
    tparams: list[str] = []
    m = re.match(r"template\s*<", stmt)
    if m:
        depth, k = 1, m.end()
        while depth and k < len(stmt):
            depth += {"<": 1, ">": -1}.get(stmt[k], 0)
            k += 1
        tparams = _split_top(stmt[m.end(): k - 1])
        stmt = stmt[k:].strip()
    stmt = re.sub(r"\[\[[^\]]*\]\]|__attribute__\s*\(\(\w*\)\)", "", stmt).strip()
    # function: ... name(params) [const] ...
    m = re.match(r"(?:(?:inline|static|constexpr|ALWI|FORCE_INLINE|extern)\s+)*([\w:<>,\s\*&]+?)\b([A-Za-z_]\w*)\s*\(",
                 stmt, re.S)
    if m and not stmt.startswith(("if", "for", "while")):
        name = m.group(2)
        if name.startswith(INTERNAL_PREFIXES) or name in ("operator",):
            return
        depth, k = 1, m.end()
        while depth and k < len(stmt):
            depth += {"(": 1, ")": -1}.get(stmt[k], 0)
            k += 1
        params = [_param(p) for p in _split_top(stmt[m.end(): k - 1]) if p.strip() not in ("", "void")]
        tnames = {mm.group(1) for p in tparams if (mm := _NAME_AT_END.search(p.split("=", 1)[0]))}
        dependent = any(re.search(rf"\b{re.escape(t)}\b", typ) for t in tnames for typ, _ in params)
        if dependent or any(_param(p)[0].split()[0] in ("typename", "class") and not _param(p)[1] for p in tparams):
            # parameter types depend on the template parameters: no generic call exists, the name alone is checked
            decls.append(Decl(rel, line, "function", name, ns, f"using {q}{name};"))
            return
        targs = [_tmpl_arg(p) for p in tparams]
        explicit = ""
        if any(a is not None for a in targs):
            explicit = "<" + ", ".join(a for a in targs if a is not None) + ">"
            if None in targs[: max(i for i, a in enumerate(targs) if a is not None)]:
                return  # an explicit argument after a defaulted one: not expressible by position
        required = [t for t, d in params if not d]
        calls = {", ".join(_arg(t) for t in required), ", ".join(_arg(t) for t, _ in params)}
        use = " ".join(f"(void)sizeof(decltype({q}{name}{explicit}({c}))*);" for c in sorted(calls))
        decls.append(Decl(rel, line, "function", name, ns, use))
        return
    m = re.match(r"(?:inline\s+)?constexpr\s+[\w:<>\s]+?\b([A-Za-z_]\w*)\s*(=|\{|\[)", stmt)
    if m and not m.group(1).startswith(INTERNAL_PREFIXES):
        # named unqualified: the real API may spell a constant as a macro (NOC_MAX_BURST_SIZE)
        qual = f"{ns}::" if ns not in ("", "ckernel") else ""
        targs = [_tmpl_arg(p) for p in tparams]  # a variable template is named with its template arguments
        explicit = "<" + ", ".join(a or "std::uint32_t" for a in targs) + ">" if targs else ""
        decls.append(Decl(rel, line, "constant", m.group(1), ns, f"(void)({qual}{m.group(1)}{explicit});"))


#: Class members the namespace-scope walk does not see, used as a kernel calls them (with endpoint types
#: that both the mock and the real headers define: EXTRA_INCLUDES adds their headers to the unit).
_NOC = "std::declval<const Noc&>()"
_EP = "std::declval<const UnicastEndpoint&>()"
_EP_ARGS = "std::declval<const noc_traits_t<UnicastEndpoint>::src_args_type&>()"
_L1 = "std::declval<const CoreLocalMem<std::uint32_t>&>()"
_L1_ARGS = "std::declval<const noc_traits_t<CoreLocalMem<std::uint32_t>>::dst_args_type&>()"
_U32 = "std::declval<std::uint32_t>()"
_OPTS = "std::declval<const NocOptVals&>()"
MEMBER_USES: dict[str, list[tuple[str, str]]] = {
    "dataflow/noc.h": [
        ("Noc::set_async_read_state",
         f"(void)sizeof(decltype({_NOC}.set_async_read_state({_EP}, {_U32}, {_EP_ARGS}))*); "
         f"(void)sizeof(decltype({_NOC}.set_async_read_state<NocOptions::DEFAULT, 64>({_EP}, {_U32}, {_EP_ARGS}, "
         f"{_OPTS}))*);"),
        ("Noc::async_read_with_state",
         f"(void)sizeof(decltype({_NOC}.async_read_with_state({_EP}, {_L1}, {_U32}, {_EP_ARGS}, {_L1_ARGS}))*); "
         f"(void)sizeof(decltype({_NOC}.async_read_with_state<NocOptions::DEFAULT, 64>({_EP}, {_L1}, {_U32}, "
         f"{_EP_ARGS}, {_L1_ARGS}, {_OPTS}))*);"),
    ],
}
EXTRA_INCLUDES = {"dataflow/noc.h": ["api/dataflow/endpoints.h", "api/core_local_mem.h"]}


def mock_headers(sub: str = "") -> list[Path]:
    return sorted(p for p in (MOCK_API / sub).rglob("*.h"))


def internal_headers() -> list[Path]:
    """tt-metal's internal/ headers that ttnn's kernels include directly, at their real include paths."""
    return sorted((MOCK_INCLUDE / "internal").glob("*.h"))


def llk_headers() -> list[Path]:
    """The LLK functions ttnn's kernel_lib calls directly, as mock shims at their real include paths."""
    return sorted(MOCK_INCLUDE.glob("llk_*.h"))


#: What a header needs included before it, in the real SDK as in every kernel that uses it: the real
#: eltwise_unary/rdiv.h uses ckernel::sfpu::Converter without including its header (ttnn's
#: eltwise_sfpu.cpp includes other SFPU headers first). Guarded: the mock has no LLK headers.
PRELUDE = {
    "compute/eltwise_unary/rdiv.h": ['#if __has_include("sfpu/ckernel_sfpu_converter.h")',
                                     '#include "sfpu/ckernel_sfpu_converter.h"', "#endif"],
}


#: Defines a header's declarations need (passed on the command line, as the JIT does): the named
#: compile-time-argument lookups exist only when the host passed named arguments.
DEFINES = {"compile_time_args.h": {"KERNEL_COMPILE_TIME_ARG_MAP": '{"tt_build_arg", 1}'}}


def use_source(header: Path, decls: list[Decl]) -> str:
    """A kernel translation unit that includes `header` the way kernels do and uses every declaration."""
    rel = header_key(header)
    # an LLK header comes after the compute API in every kernel (the real ones rely on what it declares)
    prelude = PRELUDE.get(rel, ['#include "api/compute/common.h"'] if rel.startswith("llk_") else [])
    lines = ["// Generated by tests/mock_api_decls.py: every namespace-scope declaration of the mock's",
             f"// {include_path(rel)}, used (unevaluated) as a kernel would use it.", "#include <cstdint>",
             "#include <string_view>", "#include <utility>", *prelude, f'#include "{include_path(rel)}"',
             *(f'#include "{h}"' for h in EXTRA_INCLUDES.get(rel, [])), "",
             "namespace ckernel {}", "using namespace ckernel;", "", "void kernel_main() {}", "",
             "void tt_build_subset_uses() {"]
    for d in decls:
        lines.append(f"    {d.use}  // {d.where} {d.name}")
    lines.append("}")
    return "\n".join(lines) + "\n"
