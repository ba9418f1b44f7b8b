"""Print IR as TVMScript-like text (``T.*`` spelling) — for dumps, diffs and tests."""

from __future__ import annotations

import json
import math
from typing import Any

from tt_build.ir.nodes import (
    Allocate,
    BinaryOp,
    Buffer,
    BufferLoad,
    BufferRegion,
    BufferStore,
    Call,
    Evaluate,
    Expr,
    FloatImm,
    For,
    IfThenElse,
    IntImm,
    IRModule,
    KernelLaunch,
    LetStmt,
    MulticastCopy,
    PrimFunc,
    SeqStmt,
    StickGather,
    Stmt,
    StringImm,
    Var,
)

__all__ = ["script"]

_PREC = {"or": 1, "and": 2, "<": 3, "<=": 3, ">": 3, ">=": 3, "==": 3, "!=": 3, "+": 4, "-": 4, "*": 5, "/": 5, "//": 5,
         "%": 5}


def expr_str(e: Any, prec: int = 0) -> str:  # noqa: PLR0911 - one case per node kind
    if isinstance(e, IntImm):
        return str(e.value) if e.dtype != "bool" else str(bool(e.value))
    if isinstance(e, FloatImm):
        v = float(e.value)
        return repr(v) if math.isfinite(v) else ("T.infinity()" if v > 0 else "-T.infinity()" if v < 0 else "math.nan")
    if isinstance(e, StringImm):
        return json.dumps(e.value)
    if isinstance(e, Var):
        return e.name
    if isinstance(e, BinaryOp):
        if e.op in ("min", "max"):
            return f"T.{e.op}({expr_str(e.a)}, {expr_str(e.b)})"
        p = _PREC[e.op]
        text = f"{expr_str(e.a, p)} {e.op} {expr_str(e.b, p + 1)}"
        return f"({text})" if p < prec else text
    if isinstance(e, BufferLoad):
        return f"{e.buffer.name}[{', '.join(expr_str(i) for i in e.indices)}]"
    if isinstance(e, BufferRegion):
        parts = []
        for s, n in zip(e.starts, e.extents):
            st = expr_str(s)
            parts.append(f"{st}:{expr_str(s + n)}")
        return f"{e.buffer.name}[{', '.join(parts)}]"
    if isinstance(e, Buffer):
        return e.name
    if isinstance(e, StickGather):
        idx = ", ".join(expr_str(i) for i in e.indices)
        pred = "" if e.pred is None else f", pred={expr_str(e.pred)}"
        stick = f", stick={e.stick}" if e.stick else ""
        names = ", ".join(v.name for v in e.loop_vars)
        return f"{e.dst.name}[{names}] <- {e.src.name}[{idx}]{pred}{stick}"
    if isinstance(e, Call) and e.op == "tl.reduce" and len(e.args) == 5:  # noqa: PLR2004
        src, dst, kind, dim, clear = e.args
        return f"T.reduce_{kind.value}({src.name}, {dst.name}, dim={dim.value}, clear={bool(clear.value)})"
    if isinstance(e, Call):
        return f"{_call_name(e.op)}({', '.join(_arg_str(a) for a in e.args)})"
    if isinstance(e, (list, tuple)):
        return "(" + ", ".join(expr_str(x) for x in e) + ("," if len(e) == 1 else "") + ")"
    if isinstance(e, (int, float, str, bool)):
        return repr(e)
    return f"<{type(e).__name__}>"


def _call_name(op: str) -> str:
    head, _, rest = op.partition(".")
    if head == "tl":
        return f"T.{rest}"
    return f"T.{head}.{rest}" if rest else f"T.{head}"


def _arg_str(a: Any) -> str:
    if isinstance(a, tuple) and len(a) == 2 and isinstance(a[0], str) and not isinstance(a[1], (Expr, Buffer)):
        return f"{a[0]}={a[1]!r}"
    return expr_str(a)


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


class _Printer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def emit(self, depth: int, text: str) -> None:
        self.lines.append("    " * depth + text)

    def stmt(self, s: Stmt | None, d: int) -> None:  # noqa: C901, PLR0912 - one case per node kind
        if s is None:
            return
        if isinstance(s, SeqStmt):
            if not s.stmts:
                self.emit(d, "pass")
            for x in s.stmts:
                self.stmt(x, d)
        elif isinstance(s, Evaluate):
            self.emit(d, expr_str(s.value))
        elif isinstance(s, BufferStore):
            idx = ", ".join(expr_str(i) for i in s.indices)
            self.emit(d, f"{s.buffer.name}[{idx}] = {expr_str(s.value)}")
        elif isinstance(s, LetStmt):
            self.emit(d, f"{s.var.name}: T.{s.var.dtype} = {expr_str(s.value)}")
            self.stmt(s.body, d)
        elif isinstance(s, For):
            self._for(s, d)
        elif isinstance(s, IfThenElse):
            self.emit(d, f"if {expr_str(s.cond)}:")
            self.stmt(s.then_case, d + 1)
            if s.else_case is not None:
                self.emit(d, "else:")
                self.stmt(s.else_case, d + 1)
        elif isinstance(s, Allocate):
            b = s.buffer
            kind = {"shared": "alloc_shared", "fragment": "alloc_fragment"}.get(b.scope, f"alloc_{b.scope}")
            self.emit(d, f"{b.name} = T.{kind}({_shape(b.shape)}, \"{b.dtype}\")")
            self.stmt(s.body, d)
        elif isinstance(s, MulticastCopy):
            self.emit(d, f"T.tt.multicast_copy({expr_str(s.src)}, {s.dst.name}, group={s.group!r}, role={s.role!r})")
        elif isinstance(s, KernelLaunch):
            grid = ", ".join(expr_str(g) for g in s.grid)
            names = ", ".join(v.name for v in s.block_vars)
            self.emit(d, f"with T.Kernel({grid}) as ({names}):")
            self.stmt(s.body, d + 1)
        else:
            self.emit(d, f"<{type(s).__name__}>")

    def _for(self, s: For, d: int) -> None:
        ext = expr_str(s.extent)
        if s.kind == "pipelined":
            stages = s.annotations.get("num_stages", 0)
            head = f"T.Pipelined({ext}, num_stages={stages})"
        elif s.kind == "parallel":
            head = f"T.Parallel({ext})"
        elif s.kind == "unrolled":
            head = f"T.unroll({ext})"
        elif isinstance(s.min, IntImm) and s.min.value == 0:
            head = f"T.serial({ext})"
        else:
            head = f"T.serial({expr_str(s.min)}, {expr_str(s.min + s.extent)})"
        self.emit(d, f"for {s.var.name} in {head}:")
        self.stmt(s.body, d + 1)

    def func(self, f: PrimFunc, d: int = 0) -> None:
        params = ", ".join(f"{p.name}: T.Tensor({_shape(p.shape)}, \"{p.dtype}\")" for p in f.params)
        self.emit(d, "@T.prim_func")
        self.emit(d, f"def {f.name}({params}):")
        for key in sorted(f.attrs):
            self.emit(d + 1, f"T.func_attr({{{json.dumps(key)}: {json.dumps(f.attrs[key], sort_keys=True, default=str)}}})")
        self.stmt(f.body, d + 1)


def script(node: PrimFunc | IRModule | Stmt) -> str:
    """The text form of a function, module or statement."""
    p = _Printer()
    if isinstance(node, IRModule):
        p.emit(0, "@I.ir_module")
        p.emit(0, "class Module:")
        for key in sorted(node.attrs):
            p.emit(1, f"I.module_attr({{{json.dumps(key)}: {json.dumps(node.attrs[key], sort_keys=True, default=str)}}})")
        for name in node.functions:
            p.func(node.functions[name], 1)
    elif isinstance(node, PrimFunc):
        p.func(node)
    else:
        p.stmt(node, 0)
    return "\n".join(p.lines) + "\n"
