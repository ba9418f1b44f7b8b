"""The kernel-language parser: a kernel function's Python AST → a :class:`tt_build.ir.PrimFunc`.

Nothing in a kernel body is executed. Names resolve, at parse time, against (innermost first) the
kernel's own scopes (parameters, buffers, block/loop variables, temporaries), the function's
closure, the locals of the factory that applied ``@T.prim_func``, the module globals and the
builtins. Python values (ints, floats, strings, tuples, …) fold; block and loop variables become IR
``Var``s and arithmetic on them IR expressions. Every unsupported construct is a
:class:`~tt_build.errors.FrontendError` located at the offending node.

The parser is split by concern: :mod:`._parse_base` (state, lookup, errors), :mod:`._parse_allocs`
(parameters, shapes, dtypes, allocations), :mod:`._parse_stmts` (statements, loops, stores),
:mod:`._parse_kernel` (T.Kernel, T.use_swizzle), :mod:`._parse_conds` (conditions on indices), :mod:`._parse_views` (T.Tensor views), :mod:`._parse_copies` (T.copy / T.gemm / T.fill /
T.annotate_layout) and :mod:`._parse_exprs`
(expressions). This module composes them.
"""

from __future__ import annotations

import ast
from types import FunctionType
from typing import Any

from tt_build.errors import FrontendError, TTBuildError
from tt_build.ir.attrs import LAYOUT_ANNOTATIONS, LAYOUT_LOCATIONS
from tt_build.ir.nodes import (
    PrimFunc,
    Stmt,
)
from tt_build.language import _surface as S
from tt_build.language._parse_allocs import AllocMixin
from tt_build.language._parse_base import (
    _STMT_KEYWORDS,
    ParserBase,
)
from tt_build.language._parse_copies import CopyMixin
from tt_build.language._parse_exprs import ExprMixin
from tt_build.language._parse_gather import GatherMixin
from tt_build.language._parse_conds import CondMixin
from tt_build.language._parse_kernel import KernelMixin
from tt_build.language._parse_views import ViewMixin
from tt_build.language._parse_stmts import StmtMixin
from tt_build.language._source import KernelSource

__all__ = ["parse_prim_func"]


class _Parser(KernelMixin, CondMixin, ViewMixin, GatherMixin, StmtMixin, CopyMixin, AllocMixin, ExprMixin, ParserBase):
    # ------------------------------------------------------------------ entry

    def parse(self) -> PrimFunc:
        fdef = self.src.node
        args = fdef.args
        for bad, what in ((args.vararg, "*args"), (args.kwarg, "**kwargs")):
            if bad is not None:
                self.error(f"kernel functions cannot take {what}", bad, "declare one T.Tensor parameter per tensor")
        if args.kwonlyargs:
            self.error("kernel functions cannot take keyword-only parameters", args.kwonlyargs[0],
                       "declare one T.Tensor parameter per tensor")
        if args.defaults or args.kw_defaults:
            node = (args.defaults or [d for d in args.kw_defaults if d is not None])[0]
            self.error("kernel parameters cannot have default values", node)
        params = []
        self.scopes.append({})
        for a in [*args.posonlyargs, *args.args]:
            buf = self.param(a)
            if buf.name in self.scopes[0]:  # pragma: no cover - Python rejects duplicate parameters
                self.error(f"duplicate parameter '{buf.name}'", a)
            self.scopes[0][buf.name] = buf
            self.buffer_names[buf.name] = buf
            params.append(buf)
        self.kernel_params = params
        if not params:
            self.error("a kernel function needs at least one T.Tensor parameter", fdef)

        kernel: Stmt | None = None
        for stmt in self.flatten(self.body_without_docstring(fdef.body)):
            if isinstance(stmt, ast.Pass):
                continue
            if isinstance(stmt, ast.With) and self.is_kernel_with(stmt):
                if kernel is not None:
                    self.error("a kernel function must contain exactly one `with T.Kernel(...)` block; "
                               "this is a second one", stmt, "put all the work of the kernel inside one T.Kernel block")
                kernel = self.kernel(stmt)
                continue
            if kernel is not None:
                self.error(f"unsupported statement after the T.Kernel block: {self.stmt_word(stmt)}", stmt,
                           "the T.Kernel block must be the last statement of the kernel function")
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and \
                    self.resolve_callee(stmt.value.func) is S.annotate_layout:
                self.annotate_layout(stmt.value)
            elif isinstance(stmt, ast.Assign) and not self.is_alloc(stmt.value):
                self.assign(stmt)
            elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) \
                    and isinstance(stmt.value.value, str):
                continue
            else:
                self.error(f"unsupported statement before the T.Kernel block: {self.stmt_word(stmt)}", stmt,
                           "before `with T.Kernel(...)` only assignments of constants and T.annotate_layout are "
                           "allowed; everything else goes inside the T.Kernel block")
        if kernel is None:
            self.error(f"kernel function '{fdef.name}' has no `with T.Kernel(...)` block", fdef,
                       "wrap the body in `with T.Kernel(grid_x, grid_y) as (bx, by):`")
        attrs: dict[str, Any] = {}
        if self.layouts:
            attrs[LAYOUT_ANNOTATIONS] = dict(self.layouts)
            attrs[LAYOUT_LOCATIONS] = dict(self.layout_locs)
        return PrimFunc(fdef.name, params, kernel, attrs, loc=self.loc(fdef))

    def body_without_docstring(self, body: list[ast.stmt]) -> list[ast.stmt]:
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            return body[1:]
        return body

    def stmt_word(self, stmt: ast.stmt) -> str:
        name = type(stmt).__name__
        if name in _STMT_KEYWORDS:
            return f"`{_STMT_KEYWORDS[name]}`"
        text = self.text(stmt).splitlines()[0] if self.text(stmt) else name
        return f"`{text}`"


def parse_prim_func(func: FunctionType, src: KernelSource, caller_locals: dict[str, Any] | None) -> PrimFunc:
    parser = _Parser(func, src, caller_locals)
    try:
        result = parser.parse()
    except FrontendError as exc:
        if parser.errors:  # errors of earlier statements come first, in source order
            first, *rest = [*parser.errors, exc]
            raise FrontendError(first.msg, first.loc, first.hint, [*first.others, *rest]) from None
        raise
    except TTBuildError:
        raise
    except RecursionError:
        raise FrontendError("kernel too deeply nested for the front end", src.loc(src.node)) from None
    except Exception as exc:  # noqa: BLE001 - never show a raw traceback for a kernel
        raise FrontendError(f"internal error in the tt-build front end: {type(exc).__name__}: {exc}",
                            src.loc(parser.current), hint="this is a bug in tt-build; please report it with the kernel "
                            "source") from exc
    if parser.errors:
        first, *rest = parser.errors
        raise FrontendError(first.msg, first.loc, first.hint, [*first.others, *rest])
    return result
