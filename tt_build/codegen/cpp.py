"""IR → C++ statement printer for lowered device functions.

The templates in ``templates/`` own each file's structure (includes, ``kernel_main``, argument
prologue); this printer renders only the statement body of a lowered device function, one
statement per line. Buffers print as the names the prologue declares: a circular buffer as its
compile-time constant ``cb_<buffer>``, a tensor as its ``<tensor>_accessor``.
"""

from __future__ import annotations

from typing import Any

from tt_build.errors import PassError
from tt_build.ir import (
    BinaryOp,
    Buffer,
    Call,
    Evaluate,
    FloatImm,
    For,
    IfThenElse,
    IntImm,
    LetStmt,
    SeqStmt,
    Stmt,
    StringImm,
    Var,
)

__all__ = ["CppPrinter", "accessor_name", "cb_name"]

_PREC = {"or": 1, "and": 2, "==": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4, "+": 5, "-": 5, "*": 6, "//": 6, "%": 6}
_CPP_OP = {"//": "/", "and": "&&", "or": "||"}

#: IR ops whose C++ spelling differs from ``op[3:]`` (template arguments).
_SPELLING = {"tt.compute_kernel_hw_startup_reverse": "compute_kernel_hw_startup<SrcOrder::Reverse>"}


def cb_name(buf: Buffer) -> str:
    return f"cb_{buf.name}"


def accessor_name(buf: Buffer) -> str:
    return f"{buf.name}_accessor"


class CppPrinter:
    """Renders statements; ``indent`` is the depth of the body inside ``kernel_main``."""

    def __init__(self, indent: int = 1) -> None:
        self.base = indent
        self.lines: list[str] = []

    def expr(self, e: Any, prec: int = 0) -> str:  # noqa: PLR0911 - one case per node kind
        if isinstance(e, IntImm):
            return ("true" if e.value else "false") if e.dtype == "bool" else str(e.value)
        if isinstance(e, FloatImm):
            text = repr(float(e.value))
            return f"{text}f"
        if isinstance(e, StringImm):
            msg = "string immediates have no C++ form in kernels"
            raise PassError("CodegenTT", msg)
        if isinstance(e, Var):
            return e.name
        if isinstance(e, Buffer):
            return accessor_name(e) if e.scope == "global" else cb_name(e)
        if isinstance(e, BinaryOp):
            if e.op in ("min", "max"):
                return f"std::{e.op}({self.expr(e.a)}, {self.expr(e.b)})"
            p = _PREC[e.op]
            text = f"{self.expr(e.a, p)} {_CPP_OP.get(e.op, e.op)} {self.expr(e.b, p + 1)}"
            return f"({text})" if p < prec else text
        if isinstance(e, Call):
            if not e.op.startswith("tt."):
                msg = f"call {e.op} has no C++ lowering"
                raise PassError("CodegenTT", msg)
            name = _SPELLING.get(e.op, e.op[3:])
            return f"{name}({', '.join(self.expr(a) for a in e.args)})"
        msg = f"cannot print {type(e).__name__} as C++"
        raise PassError("CodegenTT", msg)

    def emit(self, depth: int, text: str) -> None:
        self.lines.append("    " * (self.base + depth) + text)

    def stmt(self, s: Stmt | None, depth: int = 0) -> None:
        if s is None:
            return
        if isinstance(s, SeqStmt):
            for x in s.stmts:
                self.stmt(x, depth)
        elif isinstance(s, Evaluate):
            self.emit(depth, self.expr(s.value) + ";")
        elif isinstance(s, LetStmt):
            self.emit(depth, f"const uint32_t {s.var.name} = {self.expr(s.value)};")
            self.stmt(s.body, depth)
        elif isinstance(s, For):
            lo = self.expr(s.min)
            hi = self.expr(s.min + s.extent) if not isinstance(s.min, IntImm) or s.min.value else self.expr(s.extent)
            v = s.var.name
            self.emit(depth, f"for (uint32_t {v} = {lo}; {v} < {hi}; ++{v}) {{")
            self.stmt(s.body, depth + 1)
            self.emit(depth, "}")
        elif isinstance(s, IfThenElse):
            self.emit(depth, f"if ({self.expr(s.cond)}) {{")
            self.stmt(s.then_case, depth + 1)
            if s.else_case is not None:
                self.emit(depth, "} else {")
                self.stmt(s.else_case, depth + 1)
            self.emit(depth, "}")
        else:
            msg = f"cannot print statement {type(s).__name__} as C++"
            raise PassError("CodegenTT", msg)

    def render(self, s: Stmt) -> str:
        self.lines = []
        self.stmt(s)
        return "\n".join(self.lines)
