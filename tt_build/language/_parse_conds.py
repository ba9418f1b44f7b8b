"""Parser: conditions on block and loop indices — ``if bx * block_M < M:``, ``T.if_then_else(cond, ...)`` on
indices, the bounds checks of TileLang's persistent kernels.

A comparison of index expressions is folded when the ranges of the block and loop variables prove it
(interval arithmetic over ``+ - *`` and ``//`` / ``%`` by constants, ``T.min`` / ``T.max``): the grid
``T.Kernel(T.ceildiv(M, bm))`` proves ``bx * bm < M``, so the usual guard costs nothing. A condition
the ranges do not decide stays a ``bool`` IR expression; an ``if`` on it becomes an ``IfThenElse`` that
every kernel (reader, compute, writer) evaluates the same way (see :mod:`tt_build.transform.split_device_kernel`).
"""

from __future__ import annotations

import ast
from typing import Any

from tt_build.ir.intervals import interval
from tt_build.ir.nodes import BinaryOp, Expr, IntImm
from tt_build.language._parse_base import ParserBase, _is_int, _is_static

_FLIP = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
_CMP_SYM = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}


def is_index_cond(v: Any) -> bool:
    """True for a runtime condition on indices (a bool comparison of index expressions; element comparisons
    are ``math.cmp`` calls)."""
    return isinstance(v, BinaryOp) and v.dtype == "bool"


class CondMixin(ParserBase):
    def interval(self, e: Any) -> tuple[int, int] | None:
        """[lo, hi] of an integer index expression over the ranges of the block and loop variables."""
        return interval(e, self.ranges)

    def index_compare(self, sym: str, a: Any, b: Any, node: ast.AST) -> Any:
        """``a <sym> b`` of index values: a Python bool when the ranges decide it, else a bool BinaryOp."""
        ea = IntImm(a, loc=self.loc(node)) if _is_int(a) else a
        eb = IntImm(b, loc=self.loc(node)) if _is_int(b) else b
        d = self.interval(BinaryOp("-", ea, eb, "int32"))
        if d is not None:
            lo, hi = d
            decided = {"<": (hi < 0, lo >= 0), "<=": (hi <= 0, lo > 0), ">": (lo > 0, hi <= 0),
                       ">=": (lo >= 0, hi < 0), "==": (lo == hi == 0, lo > 0 or hi < 0),
                       "!=": (lo > 0 or hi < 0, lo == hi == 0)}[sym]
            if decided[0]:
                return True
            if decided[1]:
                return False
        return BinaryOp(sym, ea, eb, "bool", loc=self.loc(node))

    def index_bool(self, is_and: bool, values: list[Any], node: ast.AST) -> Any:
        """``and`` / ``or`` of conditions, folding the constant ones."""
        out: Any = None
        for v in values:
            if _is_static(v):
                if bool(v) != is_and:
                    return bool(v)
                continue
            out = v if out is None else BinaryOp("and" if is_and else "or", out, v, "bool", loc=self.loc(node))
        return is_and if out is None else out

    def index_not(self, v: Expr, node: ast.AST) -> Expr:
        if isinstance(v, BinaryOp) and v.op in _FLIP:
            return BinaryOp(_FLIP[v.op], v.a, v.b, "bool", loc=self.loc(node))
        if isinstance(v, BinaryOp) and v.op in ("and", "or"):
            return BinaryOp("or" if v.op == "and" else "and", self.index_not(v.a, node), self.index_not(v.b, node),
                            "bool", loc=self.loc(node))
        return BinaryOp("==", v, IntImm(0), "bool", loc=self.loc(node))  # pragma: no cover - conditions are compares

    def is_index_value(self, v: Any) -> bool:
        return _is_int(v) or (isinstance(v, Expr) and v.dtype in ("int32", "uint32") and not isinstance(v, BinaryOp)
                              or isinstance(v, BinaryOp) and v.dtype in ("int32", "uint32"))
