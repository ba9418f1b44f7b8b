"""Parser: the launch — ``with T.Kernel(*grid) as (bx, by, ...)`` of any rank, the GPU launch keywords it
accepts and ignores, and ``T.use_swizzle`` (a no-op, see :func:`tt_build.language.use_swizzle`).
"""

from __future__ import annotations

import ast
import difflib
from typing import Any

from tt_build.ir.nodes import IntImm, KernelLaunch, Stmt, Var
from tt_build.language import _surface as S
from tt_build.language._parse_base import ParserBase, _is_int

#: GPU launch keywords of T.Kernel that mean nothing on Tensix cores (accepted, ignored)
IGNORED_LAUNCH_KEYWORDS = ("threads", "prelude")
#: names given to the block indices of a T.Kernel without `as` (never visible to the kernel body)
_ANON = ("bx", "by", "bz")


def _example(n: int, prefix: str) -> str:
    """``gx, gy`` / ``bx, by, bz`` / ... for an example with ``n`` grid dimensions."""
    return ", ".join(f"{prefix}{_ANON[d][1] if d < len(_ANON) else d}" for d in range(n))


class KernelMixin(ParserBase):
    def is_kernel_with(self, s: ast.With) -> bool:
        return any(isinstance(i.context_expr, ast.Call)
                   and self.resolve_callee(i.context_expr.func, soft=True) is S.Kernel for i in s.items)

    def kernel(self, s: ast.With) -> Stmt:
        if len(s.items) != 1:
            self.error("`with T.Kernel(...)` cannot be combined with other context managers", s)
        item = s.items[0]
        call = item.context_expr
        assert isinstance(call, ast.Call)
        for a in call.args:
            if isinstance(a, ast.Starred):
                self.error("*-unpacking is not supported in the arguments of T.Kernel", a)
        for kw in call.keywords:
            if kw.arg in IGNORED_LAUNCH_KEYWORDS:
                continue  # TileLang compatibility: thread counts / CUDA preludes mean nothing on Tensix cores
            close = difflib.get_close_matches(kw.arg or "", list(IGNORED_LAUNCH_KEYWORDS), n=1)
            self.error(f"T.Kernel got an unexpected keyword argument '{kw.arg}'", kw,
                       f"did you mean '{close[0]}'?" if close
                       else "T.Kernel accepts the grid extents, threads= and prelude= (both ignored)")
        if not call.args:
            self.error("T.Kernel needs at least one grid extent", call, "write `T.Kernel(grid_x, grid_y)`")
        grid = tuple(IntImm(self.static_int(a, "a T.Kernel grid extent"), loc=self.loc(a)) for a in call.args)
        target = item.optional_vars
        if target is None:  # indices unused: bind anonymous variables nothing in the body can name
            names: list[Any] = [None] * len(grid)
            self.anonymous_grid = len(grid)
        else:
            names = [target] if isinstance(target, ast.Name) else list(getattr(target, "elts", [target]))
            if not all(isinstance(n, ast.Name) for n in names):
                self.error(f"T.Kernel block indices must be plain names, got `{self.text(target)}`", target)
            if len(names) != len(grid):
                self.error(f"T.Kernel has {len(grid)} grid dimension{'s' if len(grid) != 1 else ''} but the `as` "
                           f"clause binds {len(names)} name{'s' if len(names) != 1 else ''}", target,
                           f"bind one block index per grid extent, e.g. `with T.Kernel({_example(len(grid), 'g')}) as "
                           f"({_example(len(grid), 'b')}):`")
        block_vars = []
        scope: dict[str, Any] = {}
        for d, n in enumerate(names):
            if n is None:
                v = Var(_ANON[d] if d < len(_ANON) else f"b{d}", loc=self.loc(call))
            else:
                assert isinstance(n, ast.Name)
                self.new_name(n.id, n)
                if n.id in scope:
                    self.error(f"block index '{n.id}' is bound twice", n)
                v = Var(n.id, loc=self.loc(n))
                scope[n.id] = v
            block_vars.append(v)
            self.ranges[v] = (0, grid[d].value - 1)
        self.in_kernel = True
        body = self.scoped_block(s.body, s, scope)  # type: ignore[attr-defined]
        self.in_kernel = False
        return KernelLaunch(grid, tuple(block_vars), body, loc=self.loc(s))

    def use_swizzle(self, call: ast.Call) -> None:
        """``T.use_swizzle(panel_size, order="row", enable=True)``: checked, then dropped (no IR)."""
        args = self.bind(call, "T.use_swizzle", [("panel_size", 8), ("order", "row"), ("enable", True)])
        panel = self.arg_static(args["panel_size"])
        if not _is_int(panel) or panel <= 0:
            self.error(f"T.use_swizzle panel_size must be a positive integer constant, got "
                       f"`{self.text(self.arg_node(args['panel_size'], call))}`", self.arg_node(args["panel_size"], call))
        order = self.arg_static(args["order"])
        if order not in ("row", "col", "column"):
            self.error(f"T.use_swizzle order must be \"row\" or \"col\", got {order!r}", self.arg_node(args["order"], call))
        enable = self.arg_static(args["enable"])
        if not isinstance(enable, (bool, int)):
            self.error("T.use_swizzle enable must be a constant True/False", self.arg_node(args["enable"], call))
        if not self.in_kernel:
            self.error("T.use_swizzle must be used inside the T.Kernel block", call)
