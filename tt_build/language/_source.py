"""Finding a kernel function's AST and mapping AST positions to absolute source locations."""

from __future__ import annotations

import ast
import hashlib
import inspect
import linecache
from dataclasses import dataclass
from types import FunctionType

from tt_build.errors import FrontendError, SourceLocation

__all__ = ["KernelSource", "kernel_source"]

# Whole-file parses, keyed by file name and a hash of its text (files rarely change within a process).
_TREE_CACHE: dict[tuple[str, str], ast.Module] = {}


@dataclass
class KernelSource:
    """The ``def`` node of a kernel function and how to turn its nodes into :class:`SourceLocation`.

    ``parsed_lines`` are the lines the tree was parsed from (possibly dedented); ``original_lines`` the
    file's lines at the same indices; ``line_delta``/``col_delta`` convert tree positions into absolute
    1-based file positions (zero when the whole file was parsed).
    """

    file: str
    node: ast.FunctionDef
    parsed_lines: list[str]
    original_lines: list[str]
    line_delta: int
    col_delta: int

    def loc(self, node: ast.AST) -> SourceLocation:
        lineno = getattr(node, "lineno", None) or self.node.lineno
        col_offset = getattr(node, "col_offset", 0) or 0
        idx = lineno - 1
        parsed = self.parsed_lines[idx] if 0 <= idx < len(self.parsed_lines) else ""
        original = self.original_lines[idx] if 0 <= idx < len(self.original_lines) else parsed
        # ast columns are UTF-8 byte offsets; SourceLocation columns are 1-based characters.
        chars = len(parsed.encode("utf-8")[:col_offset].decode("utf-8", errors="replace"))
        return SourceLocation(self.file, lineno + self.line_delta, chars + self.col_delta + 1,
                              original.rstrip("\r\n"))


def _first_line(node: ast.FunctionDef) -> int:
    return min([d.lineno for d in node.decorator_list] + [node.lineno])


def _from_file(func: FunctionType) -> KernelSource | None:
    code = func.__code__
    file = code.co_filename
    lines = linecache.getlines(file, func.__globals__)
    if not lines:
        return None
    text = "".join(lines)
    key = (file, hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest())
    tree = _TREE_CACHE.get(key)
    if tree is None:
        try:
            tree = ast.parse(text, filename=file)
        except SyntaxError:
            return None
        if len(_TREE_CACHE) > 256:  # pragma: no cover - bound the cache in long-running processes
            _TREE_CACHE.clear()
        _TREE_CACHE[key] = tree
    for node in ast.walk(tree):
        if (isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == func.__name__
                and _first_line(node) == code.co_firstlineno):
            if isinstance(node, ast.AsyncFunctionDef):
                return None
            plain = [ln.rstrip("\r\n") for ln in lines]
            return KernelSource(file, node, plain, plain, 0, 0)
    return None


def _from_getsource(func: FunctionType) -> KernelSource | None:
    try:
        lines, start = inspect.getsourcelines(func)
    except (OSError, TypeError):
        return None
    if not lines:
        return None
    first = lines[0]
    indent = len(first) - len(first.lstrip(" \t"))
    parsed = []
    for ln in lines:
        body = ln.rstrip("\r\n")
        parsed.append(body[indent:] if body[:indent].strip() == "" else body.lstrip(" \t"))
    try:
        tree = ast.parse("\n".join(parsed) + "\n")
    except SyntaxError:
        return None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == func.__name__:
            original = [ln.rstrip("\r\n") for ln in lines]
            return KernelSource(func.__code__.co_filename, node, parsed, original, start - 1, indent)
    return None


def kernel_source(func: FunctionType) -> KernelSource:
    """Locate the ``def`` of ``func``: in a parse of its whole file (exact positions), else in its dedented source."""
    found = _from_file(func) or _from_getsource(func)
    if found is None:
        code = func.__code__
        raise FrontendError(
            f"cannot read the source of kernel function '{func.__name__}'",
            SourceLocation(code.co_filename, code.co_firstlineno, 1),
            hint="@T.prim_func parses the kernel's Python source: define kernels in a .py file "
            "(not in an interactive session, lambda or exec string) and use a plain `def`",
        )
    return found
