"""The kernel-language parser: a kernel function's Python AST → a :class:`tt_build.ir.PrimFunc`.

Nothing in a kernel body is executed. Names resolve, at parse time, against (innermost first) the
kernel's own scopes (parameters, buffers, block/loop variables, temporaries), the function's
closure, the locals of the factory that applied ``@T.prim_func``, the module globals and the
builtins. Python values (ints, floats, strings, tuples, …) fold; block and loop variables become IR
``Var``s and arithmetic on them IR expressions. Every unsupported construct is a
:class:`~tt_build.errors.FrontendError` located at the offending node.
"""

from __future__ import annotations

import ast
import builtins
import difflib
import math
import operator
from collections.abc import Iterator
from dataclasses import dataclass
from types import FunctionType, ModuleType
from typing import Any, NoReturn

from tt_build.errors import FrontendError, TTBuildError
from tt_build.ir.attrs import LAYOUT_ANNOTATIONS, LAYOUT_LOCATIONS
from tt_build.ir.eltwise import SUPPORTED_FORMS, EltwiseError, plan_store
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
    IntImm,
    KernelLaunch,
    PrimFunc,
    SeqStmt,
    Stmt,
    Var,
    seq,
)
from tt_build.language import _surface as S
from tt_build.language._source import KernelSource

__all__ = ["parse_prim_func"]

TILE = 32
_FLOAT_DTYPES = ("bfloat16", "float32")
_REQ = object()  # marks a required argument in a signature
_UNBOUND = object()  # a closure cell not yet assigned when the kernel was defined

_LANGUAGE_MODULE = "tt_build.language"

# Python operator → (symbol, function) for folding constants.
_BINOPS: dict[type, tuple[str, Any]] = {
    ast.Add: ("+", operator.add),
    ast.Sub: ("-", operator.sub),
    ast.Mult: ("*", operator.mul),
    ast.Div: ("/", operator.truediv),
    ast.FloorDiv: ("//", operator.floordiv),
    ast.Mod: ("%", operator.mod),
    ast.Pow: ("**", operator.pow),
    ast.LShift: ("<<", operator.lshift),
    ast.RShift: (">>", operator.rshift),
    ast.BitOr: ("|", operator.or_),
    ast.BitXor: ("^", operator.xor),
    ast.BitAnd: ("&", operator.and_),
    ast.MatMult: ("@", operator.matmul),
}
_CMPOPS: dict[type, Any] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}
_INDEX_OPS = ("+", "-", "*", "//", "%", "max", "min")
_VALUE_OPS = ("+", "-", "*", "max", "min")

# Builtins that may be called on Python constants inside a kernel (they fold).
_STATIC_BUILTINS = frozenset({"abs", "bool", "float", "int", "len", "max", "min", "round", "str", "tuple", "divmod"})

_STMT_KEYWORDS: dict[str, str] = {
    "Try": "try", "TryStar": "try", "Raise": "raise", "Assert": "assert", "Import": "import",
    "ImportFrom": "from ... import", "Global": "global", "Nonlocal": "nonlocal", "FunctionDef": "def",
    "AsyncFunctionDef": "async def", "ClassDef": "class", "Delete": "del", "Break": "break",
    "Continue": "continue", "Match": "match", "AsyncFor": "async for", "AsyncWith": "async with",
    "AnnAssign": "annotated assignment", "While": "while", "Return": "return",
}

_STMT_HINT = ("kernel bodies are compiled, not executed: they may contain T.* statements, loops over "
              "T.Parallel/T.Pipelined/T.serial/T.unroll/range, buffer stores, assignments of constants and "
              "`if` on compile-time constants")


_REDUCE_HINT = ("tt-build has no reduction lowering yet (it needs reduce_init/reduce_tile from "
                "api/compute/reduce.h, which the mock SDK does not implement); reduce on the host, or {}")
#: TileLang intrinsics tt-build knows but cannot lower yet: name -> hint.
_NOT_YET: dict[str, str] = {
    "reduce_sum": _REDUCE_HINT.format("write a row sum as T.gemm(X, ones, acc) with a (cols × 32) "
                                      "ones buffer: every column of acc holds the row sums"),
    "reduce_max": _REDUCE_HINT.format("split the kernel so the maximum is taken on the host"),
    "reduce_min": _REDUCE_HINT.format("split the kernel so the minimum is taken on the host"),
    "reduce_abssum": _REDUCE_HINT.format("split the kernel so the reduction runs on the host"),
    "reduce_absmax": _REDUCE_HINT.format("split the kernel so the reduction runs on the host"),
}


def _fmt_shape(shape: tuple[int, ...] | list[int]) -> str:
    return "×".join(str(s) for s in shape)


def _is_static(v: Any) -> bool:
    if isinstance(v, (Expr, Buffer)):
        return False
    if isinstance(v, (tuple, list)):
        return all(_is_static(x) for x in v)
    return True


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_language(v: Any) -> bool:
    return isinstance(v, ModuleType) and v.__name__ == _LANGUAGE_MODULE


def _public_names() -> list[str]:
    import sys  # noqa: PLC0415

    mod = sys.modules.get(_LANGUAGE_MODULE)
    return list(getattr(mod, "__all__", []))


def _vars_in(e: Any) -> list[str]:
    names: list[str] = []

    def walk(x: Any) -> None:
        if isinstance(x, Var):
            if x.name not in names:
                names.append(x.name)
        elif isinstance(x, BinaryOp):
            walk(x.a)
            walk(x.b)
        elif isinstance(x, Call):
            for a in x.args:
                walk(a)
        elif isinstance(x, BufferLoad):
            names.append(f"{x.buffer.name}[...]")
        elif isinstance(x, (tuple, list)):
            for y in x:
                walk(y)

    walk(e)
    return names


def _linear(e: Expr) -> dict[Any, int] | None:
    """``e`` as {Var: coeff, None: const} when it is an integer-linear expression, else None."""
    if isinstance(e, IntImm):
        return {None: e.value}
    if isinstance(e, Var):
        return {e: 1}
    if isinstance(e, BinaryOp) and e.op in ("+", "-"):
        a, b = _linear(e.a), _linear(e.b)
        if a is None or b is None:
            return None
        sign = 1 if e.op == "+" else -1
        out = dict(a)
        for k, v in b.items():
            out[k] = out.get(k, 0) + sign * v
        return out
    if isinstance(e, BinaryOp) and e.op == "*":
        a, b = _linear(e.a), _linear(e.b)
        if a is None or b is None:
            return None
        if set(a) == {None}:
            a, b = b, a
        if set(b) == {None}:
            c = b[None]
            return {k: v * c for k, v in a.items()}
    return None


def _const_difference(hi: Expr, lo: Expr) -> int | None:
    a, b = _linear(hi), _linear(lo)
    if a is None or b is None:
        return None
    diff = dict(a)
    for k, v in b.items():
        diff[k] = diff.get(k, 0) - v
    if any(v != 0 for k, v in diff.items() if k is not None):
        return None
    return diff.get(None, 0)


@dataclass
class _Default:
    value: Any


@dataclass
class _Operand:
    """An operand of T.copy: a buffer, and for tensors how the region was written."""

    buffer: Buffer
    node: ast.expr
    kind: str  # whole | point | slice
    starts: tuple[Expr, ...] = ()
    extents: tuple[int, ...] | None = None


@dataclass
class _Binding:
    value: Any
    origin: str  # kernel | closure | caller | global | builtin


class _Parser:
    def __init__(self, func: FunctionType, src: KernelSource, caller_locals: dict[str, Any] | None) -> None:
        self.func = func
        self.src = src
        self.closure: dict[str, Any] = {}
        code = func.__code__
        for name, cell in zip(code.co_freevars, func.__closure__ or ()):
            try:
                self.closure[name] = cell.cell_contents
            except ValueError:
                self.closure[name] = _UNBOUND
        self.caller = caller_locals or {}
        self.globals = func.__globals__
        self.scopes: list[dict[str, Any]] = []
        self.buffer_names: dict[str, Buffer] = {}
        self.layouts: dict[str, str] = {}
        self.layout_locs: dict[str, list[Any]] = {}
        self.parallel: list[tuple[Var, int]] = []
        self.ranges: dict[Var, tuple[int, int]] = {}  # value range of every block / loop variable
        self.loop_depth = 0
        self.in_kernel = False
        self.kernel_params: list[Buffer] = []
        self.current: ast.AST = src.node  # the statement being parsed (for internal-error locations)

    # ------------------------------------------------------------------ helpers

    def error(self, msg: str, node: ast.AST, hint: str | None = None) -> NoReturn:
        raise FrontendError(msg, self.src.loc(node), hint)

    def loc(self, node: ast.AST) -> Any:
        return self.src.loc(node)

    def text(self, node: ast.AST) -> str:
        try:
            return ast.unparse(node)
        except Exception:  # noqa: BLE001 - only used for messages  # pragma: no cover
            return "<expr>"

    def lookup(self, name: str) -> _Binding | None:
        for scope in reversed(self.scopes):
            if name in scope:
                return _Binding(scope[name], "kernel")
        if name in self.closure:
            return _Binding(self.closure[name], "closure")
        if name in self.caller:
            return _Binding(self.caller[name], "caller")
        if name in self.globals:
            return _Binding(self.globals[name], "global")
        if hasattr(builtins, name):
            return _Binding(getattr(builtins, name), "builtin")
        return None

    def visible_names(self) -> list[str]:
        names: set[str] = set()
        for scope in self.scopes:
            names.update(scope)
        names.update(self.closure)
        names.update(self.caller)
        names.update(k for k in self.globals if not k.startswith("__"))
        return sorted(names)

    def unknown_name(self, name: str, node: ast.AST, what: str = "name") -> NoReturn:
        close = difflib.get_close_matches(name, self.visible_names(), n=1)
        if close:
            hint = f"did you mean '{close[0]}'?"
        else:
            hint = ("names in a kernel must be parameters, buffers, block/loop variables, factory arguments "
                    "or module globals")
        self.error(f"unknown {what} '{name}'", node, hint)

    def bind(self, call: ast.Call, fname: str, params: list[tuple[str, Any]],
             ignored: tuple[str, ...] = ()) -> dict[str, Any]:
        """Match ``call``'s arguments to ``params`` ([(name, default or _REQ)]); values are AST nodes or _Default."""
        names = [p for p, _ in params]
        out: dict[str, Any] = {}
        for a in call.args:
            if isinstance(a, ast.Starred):
                self.error(f"*-unpacking is not supported in the arguments of {fname}", a)
        if len(call.args) > len(params):
            self.error(f"{fname} takes at most {len(params)} positional argument{'s' if len(params) != 1 else ''} "
                       f"({', '.join(names)}), got {len(call.args)}", call.args[len(params)])
        for (p, _), a in zip(params, call.args):
            out[p] = a
        for kw in call.keywords:
            if kw.arg is None:
                self.error(f"**-unpacking is not supported in the arguments of {fname}", kw)
            if kw.arg in ignored:
                continue
            if kw.arg not in names:
                close = difflib.get_close_matches(kw.arg, names + list(ignored), n=1)
                hint = f"did you mean '{close[0]}'?" if close else (
                    f"{fname} accepts: {', '.join(names + list(ignored))}" if names or ignored
                    else f"{fname} takes no keyword arguments")
                self.error(f"{fname} got an unexpected keyword argument '{kw.arg}'", kw, hint)
            if kw.arg in out:
                self.error(f"{fname} got multiple values for argument '{kw.arg}'", kw)
            out[kw.arg] = kw.value
        for p, d in params:
            if p not in out:
                if d is _REQ:
                    self.error(f"{fname} is missing its argument '{p}'", call)
                out[p] = _Default(d)
        return out

    def arg_static(self, arg: Any) -> Any:
        if isinstance(arg, _Default):
            return arg.value
        return self.eval(arg)

    def arg_node(self, arg: Any, call: ast.AST) -> ast.AST:
        return call if isinstance(arg, _Default) else arg

    def static_int(self, node: ast.AST, what: str, *, positive: bool = True, minimum: int | None = None) -> int:
        v = self.eval(node)
        if not _is_static(v):
            names = _vars_in(v)
            plural = "s" if len(names) > 1 else ""
            detail = f" (it depends on the runtime value{plural} {', '.join(names)})" if names else ""
            self.error(f"{what} must be a compile-time constant{detail}", node,
                       "loop bounds, grid sizes and shapes must fold to integers at compile time: use factory "
                       "arguments, constants and T.ceildiv of them")
        if not _is_int(v):
            self.error(f"{what} must be an integer, got {v!r} ({type(v).__name__})", node,
                       self.provenance_hint(node, v, "is not an integer"))
        if positive and v <= 0:
            self.error(f"{what} must be positive, got {v}", node, self.provenance_hint(node, v, "is not positive"))
        if minimum is not None and v < minimum:
            self.error(f"{what} must be at least {minimum}, got {v}", node)
        return v

    def provenance_hint(self, node: ast.AST, value: Any, problem: str) -> str | None:
        if isinstance(node, ast.Name):
            b = self.lookup(node.id)
            if b is not None and b.origin != "builtin":
                return f"{node.id}={value!r} {problem}"
        return None

    def dtype(self, arg: Any, call: ast.AST) -> str:
        node = self.arg_node(arg, call)
        v = self.arg_static(arg)
        if isinstance(v, str) and str.__str__(v) in S.SUPPORTED_DTYPES:
            return str.__str__(v)
        shown = repr(str.__str__(v)) if isinstance(v, str) else (self.text(node) if not _is_static(v) else repr(v))
        self.error(f"unsupported dtype {shown}", node,
                   "supported dtypes: 'bfloat16' (T.bfloat16, data) and 'float32' (T.float32, accumulation)")

    def new_name(self, name: str, node: ast.AST) -> None:
        for scope in self.scopes:
            v = scope.get(name)
            if isinstance(v, (Buffer, Var)):
                kind = "a buffer" if isinstance(v, Buffer) else "a block/loop variable"
                self.error(f"'{name}' is already {kind} of this kernel and cannot be reassigned", node,
                           "use a different name")

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

    # ------------------------------------------------------------------ parameters

    def param(self, a: ast.arg) -> Buffer:
        ann = a.annotation
        hint = f"write `{a.arg}: T.Tensor((rows, cols), \"bfloat16\")`"
        if ann is None:
            self.error(f"kernel parameter '{a.arg}' has no T.Tensor(shape, dtype) annotation", a, hint)
        if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
            self.error(f"the annotation of kernel parameter '{a.arg}' is a string", ann, hint)
        if not isinstance(ann, ast.Call) or self.resolve_callee(ann.func) is not S.Tensor:
            self.error(f"kernel parameter '{a.arg}' must be annotated with T.Tensor(shape, dtype), "
                       f"got `{self.text(ann)}`", ann, hint)
        args = self.bind(ann, "T.Tensor", [("shape", _REQ), ("dtype", "bfloat16")])
        shape = self.shape(args["shape"], ann, f"tensor {a.arg}", rank=None, tile_aligned=False)
        dtype = self.dtype(args["dtype"], ann)
        return Buffer(a.arg, shape, dtype, "global", loc=self.loc(a))

    def shape(self, node: ast.AST, call: ast.AST, what: str, *, rank: int | None, tile_aligned: bool,
              fname: str = "") -> tuple[int, ...]:
        if isinstance(node, (ast.Tuple, ast.List)):
            elems = [(self.eval(e), e) for e in node.elts]
        else:
            v = self.eval(node)
            if _is_int(v):
                elems = [(v, node)]
            elif isinstance(v, (tuple, list)):
                elems = [(x, node) for x in v]
            else:
                self.error(f"the shape of {what} must be a tuple of integers, got {self.text(node)}", node)
        dims = []
        for v, n in elems:
            if not _is_static(v):
                self.error(f"the shape of {what} must fold to integers; `{self.text(n)}` is a runtime value", n,
                           "shapes are fixed at compile time: use factory arguments and constants")
            if not _is_int(v):
                hint = self.provenance_hint(n, v, "is not an integer") or f"{v!r} is not an integer"
                self.error(f"the shape of {what} must contain positive integers, got {v!r} ({type(v).__name__})",
                           n, hint)
            if v <= 0:
                hint = self.provenance_hint(n, v, "is not positive")
                self.error(f"the shape of {what} must contain positive integers, got {v}", n, hint)
            dims.append(v)
        if rank is not None and len(dims) != rank:
            self.error(f"{fname} expects a {rank}-D shape (rows, cols); got a {len(dims)}-D shape "
                       f"{tuple(dims)} for {what}", node,
                       "on-chip buffers are 2-D grids of 32×32 tiles")
        if tile_aligned:
            for v, n in elems:
                if v % TILE:
                    problem = f"is not a multiple of the {TILE}×{TILE} tile"
                    hint = self.provenance_hint(n, v, problem) or f"{v} {problem}"
                    below, above = v // TILE * TILE, (v // TILE + 1) * TILE
                    examples = f"{below} or {above}" if below else f"{above}"
                    self.error(f"the shape {_fmt_shape(dims)} of {what} is not a multiple of the {TILE}×{TILE} tile",
                               n, hint + f"; use a multiple of {TILE} (e.g. {examples})")
        return tuple(dims)

    # ------------------------------------------------------------------ statements

    def flatten(self, stmts: list[ast.stmt]) -> Iterator[ast.stmt]:
        """Yield statements, replacing each ``if`` on a compile-time constant by its taken branch (lazily,
        so conditions see the assignments before them)."""
        for s in stmts:
            if isinstance(s, ast.If):
                cond = self.eval(s.test)
                yield from self.flatten(s.body if self.truth(cond, s.test) else s.orelse)
            else:
                yield s

    def truth(self, value: Any, node: ast.AST) -> bool:
        if not _is_static(value):
            self.data_dependent(value, node)
        try:
            return bool(value)
        except Exception as exc:  # noqa: BLE001 - user value
            self.error(f"cannot use `{self.text(node)}` as a condition: {exc}", node)

    def data_dependent(self, value: Any, node: ast.AST) -> NoReturn:
        names = _vars_in(value) if not isinstance(value, Buffer) else [value.name]
        what = f" on the runtime value{'s' if len(names) > 1 else ''} {', '.join(names)}" if names else ""
        self.error(f"data-dependent control flow is not supported: `{self.text(node)}` depends{what}", node,
                   "conditions must be Python constants (factory arguments) that fold at compile time; "
                   "kernel bodies are compiled, not executed")

    def block(self, stmts: Iterator[ast.stmt], node: ast.AST) -> Stmt:
        out: list[Stmt] = []
        for s in stmts:
            if isinstance(s, ast.Assign) and self.is_alloc(s.value):
                buf = self.alloc(s)
                self.scopes[-1][buf.name] = buf
                rest = self.block(stmts, s)
                out.append(Allocate(buf, rest, loc=self.loc(s)))
                break
            r = self.stmt(s)
            if r is not None:
                out.append(r)
        if not out:
            return SeqStmt([], loc=self.loc(node))
        result = seq(*out)
        if result.loc is None:
            result.loc = out[0].loc
        return result

    def scoped_block(self, body: list[ast.stmt], node: ast.AST, names: dict[str, Any]) -> Stmt:
        self.scopes.append(dict(names))
        try:
            return self.block(self.flatten(body), node)
        finally:
            self.scopes.pop()

    def stmt(self, s: ast.stmt) -> Stmt | None:  # noqa: PLR0911 - one case per statement kind
        self.current = s
        if isinstance(s, ast.Pass):
            return None
        if isinstance(s, ast.Expr):
            if isinstance(s.value, ast.Constant) and isinstance(s.value.value, str):
                return None  # a string used as a comment
            if isinstance(s.value, ast.Call):
                return self.call_stmt(s.value, s)
            self.error(f"expression statement `{self.text(s)}` has no effect", s, _STMT_HINT)
        if isinstance(s, ast.Assign):
            return self.assign(s)
        if isinstance(s, ast.AugAssign):
            return self.aug_assign(s)
        if isinstance(s, ast.For):
            return self.for_(s)
        if isinstance(s, ast.With):
            if self.is_kernel_with(s):
                self.error("nested T.Kernel blocks are not supported", s,
                           "a kernel function has exactly one `with T.Kernel(...)` block; use loops inside it")
            self.error(f"unsupported `with` statement: `{self.text(s.items[0].context_expr)}`", s,
                       "the only context manager of the kernel language is T.Kernel")
        if isinstance(s, ast.While):
            self.error("`while` loops are not supported (data-dependent Python control flow)", s,
                       "use `for k in T.serial(n)` with a trip count that folds at compile time")
        if isinstance(s, ast.Return):
            self.error("`return` is not allowed in a kernel body", s,
                       "a kernel writes its results into its output tensors with T.copy; remove the return")
        self.error(f"unsupported Python statement {self.stmt_word(s)} in a kernel body", s, _STMT_HINT)

    def assign(self, s: ast.Assign) -> Stmt | None:
        if len(s.targets) != 1:
            self.error("chained assignment is not supported in a kernel body", s)
        target = s.targets[0]
        if isinstance(target, ast.Subscript):
            return self.store(target, s.value, s, None)
        value = self.eval(s.value)
        self.bind_target(target, value, s)
        return None

    def bind_target(self, target: ast.AST, value: Any, s: ast.AST) -> None:
        if isinstance(target, ast.Name):
            self.new_name(target.id, target)
            if isinstance(value, Buffer):
                self.error(f"cannot alias buffer {value.name} as '{target.id}'", target,
                           "use the buffer's own name")
            # Python values fold; IR expressions (index or element temporaries) are substituted.
            self.scopes[-1][target.id] = value
            return
        if isinstance(target, (ast.Tuple, ast.List)):
            if not isinstance(value, (tuple, list)) or len(value) != len(target.elts):
                self.error(f"cannot unpack `{self.text(s.value) if isinstance(s, ast.Assign) else ''}` into "
                           f"{len(target.elts)} names", target)
            for t, v in zip(target.elts, value):
                self.bind_target(t, v, s)
            return
        self.error(f"unsupported assignment target `{self.text(target)}`", target,
                   "assign to a name or to a buffer element inside T.Parallel")

    def aug_assign(self, s: ast.AugAssign) -> Stmt | None:
        sym = _BINOPS.get(type(s.op), ("?", None))[0]
        if isinstance(s.target, ast.Subscript):
            return self.store(s.target, s.value, s, sym)
        if isinstance(s.target, ast.Name):
            old = self.eval(ast.copy_location(ast.Name(s.target.id, ast.Load()), s.target))
            self.new_name(s.target.id, s.target)
            self.scopes[-1][s.target.id] = self.binop(sym, old, self.eval(s.value), s, s.target, s.value)
            return None
        self.error(f"unsupported assignment target `{self.text(s.target)}`", s.target)

    # ------------------------------------------------------------------ T.Kernel

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
            if kw.arg == "threads":
                continue  # TileLang compatibility: thread counts mean nothing on Tensix cores
            close = difflib.get_close_matches(kw.arg or "", ["threads"], n=1)
            self.error(f"T.Kernel got an unexpected keyword argument '{kw.arg}'", kw,
                       "did you mean 'threads'?" if close
                       else "T.Kernel accepts the grid extents and threads= (ignored)")
        if not call.args:
            self.error("T.Kernel needs at least one grid extent", call, "write `T.Kernel(grid_x, grid_y)`")
        if len(call.args) > 2:
            self.error(f"T.Kernel supports 1 or 2 grid dimensions, got {len(call.args)}", call.args[2],
                       "fold extra dimensions into the grid (e.g. batch × rows) or loop over them inside the kernel")
        grid = tuple(IntImm(self.static_int(a, "a T.Kernel grid extent"), loc=self.loc(a)) for a in call.args)
        target = item.optional_vars
        if target is None:
            self.error("T.Kernel must bind its block indices", s,
                       f"write `with T.Kernel(...) as {'(bx, by)' if len(grid) == 2 else 'bx'}:`")
        names = [target] if isinstance(target, ast.Name) else list(getattr(target, "elts", [target]))
        if not all(isinstance(n, ast.Name) for n in names):
            self.error(f"T.Kernel block indices must be plain names, got `{self.text(target)}`", target)
        if len(names) != len(grid):
            self.error(f"T.Kernel has {len(grid)} grid dimension{'s' if len(grid) != 1 else ''} but the `as` clause "
                       f"binds {len(names)} name{'s' if len(names) != 1 else ''}", target,
                       "bind one block index per grid extent, e.g. `with T.Kernel(gx, gy) as (bx, by):`")
        block_vars = []
        scope: dict[str, Any] = {}
        for n in names:
            assert isinstance(n, ast.Name)
            self.new_name(n.id, n)
            if n.id in scope:
                self.error(f"block index '{n.id}' is bound twice", n)
            v = Var(n.id, loc=self.loc(n))
            scope[n.id] = v
            block_vars.append(v)
            self.ranges[v] = (0, grid[len(block_vars) - 1].value - 1)
        self.in_kernel = True
        body = self.scoped_block(s.body, s, scope)
        self.in_kernel = False
        return KernelLaunch(grid, tuple(block_vars), body, loc=self.loc(s))

    # ------------------------------------------------------------------ allocation

    def is_alloc(self, node: ast.AST) -> bool:
        return isinstance(node, ast.Call) and \
            self.resolve_callee(node.func, soft=True) in (S.alloc_shared, S.alloc_fragment)

    def alloc(self, s: ast.Assign) -> Buffer:
        call = s.value
        assert isinstance(call, ast.Call)
        fn = self.resolve_callee(call.func)
        fname = "T.alloc_shared" if fn is S.alloc_shared else "T.alloc_fragment"
        if not self.in_kernel:
            self.error(f"{fname} must be used inside the T.Kernel block", call)
        if self.parallel:
            self.error(f"{fname} cannot be used inside a T.Parallel loop", call, "allocate buffers before the loop")
        if len(s.targets) != 1 or not isinstance(s.targets[0], ast.Name):
            self.error(f"the result of {fname} must be assigned to a single name", s,
                       f"write `X = {fname}((rows, cols), dtype)`")
        name = s.targets[0].id
        self.new_name(name, s.targets[0])
        if name in self.buffer_names:
            self.error(f"buffer name '{name}' is already used in this kernel", s.targets[0],
                       "every tensor and on-chip buffer of a kernel needs its own name")
        args = self.bind(call, fname, [("shape", _REQ), ("dtype", _REQ)])
        shape = self.shape(args["shape"], call, name, rank=2, tile_aligned=True, fname=fname)
        dtype = self.dtype(args["dtype"], call)
        scope = "shared" if fn is S.alloc_shared else "fragment"
        buf = Buffer(name, shape, dtype, scope, loc=self.loc(s))
        self.buffer_names[name] = buf
        return buf

    # ------------------------------------------------------------------ calls as statements

    def call_stmt(self, call: ast.Call, s: ast.stmt) -> Stmt | None:
        fn = self.resolve_callee(call.func)
        handlers = {S.copy: self.copy, S.gemm: self.gemm, S.clear: self.clear, S.fill: self.fill}
        if fn in handlers:
            name = "T." + fn.__name__
            if self.parallel:
                self.error(f"{name} cannot be used inside a T.Parallel loop", call,
                           "T.Parallel bodies are element-wise stores; put tile operations outside the loop")
            if not self.in_kernel:  # pragma: no cover - the top level rejects these statements earlier
                self.error(f"{name} must be used inside the T.Kernel block", call)
            value = handlers[fn](call)
            return Evaluate(value, loc=self.loc(s))
        if fn is S.annotate_layout:
            if self.loop_depth or self.parallel:
                self.error("T.annotate_layout must be at the top of the kernel body, not inside a loop", call)
            self.annotate_layout(call)
            return None
        if fn in (S.alloc_shared, S.alloc_fragment):
            self.error(f"the result of T.{fn.__name__} must be assigned to a name", call,
                       f"write `X = T.{fn.__name__}((rows, cols), dtype)`")
        if fn is S.Kernel:
            self.error("T.Kernel must be used as `with T.Kernel(...) as (bx, by):`", call)
        if fn in (S.exp, S.max, S.min, S.relu, S.cast, S.ceildiv):
            self.error(f"the result of T.{fn.__name__} is unused", call,
                       "element-wise math goes on the right-hand side of a store inside T.Parallel")
        if fn in (S.Parallel, S.Pipelined, S.serial, S.unroll):
            self.error(f"T.{fn.__name__} can only be used as the iterable of a for loop", call)
        self.unsupported_call(call, fn)

    def unsupported_call(self, call: ast.Call, fn: Any) -> NoReturn:
        name = self.text(call.func)
        self.error(f"unsupported call `{name}(...)` in a kernel body", call,
                   "kernel bodies are compiled, not executed: only T.* intrinsics (and min/max/abs/int/float/len "
                   "on Python constants) can be called")

    def resolve_callee(self, node: ast.AST, soft: bool = False) -> Any:
        """The Python object a call's function expression names (``T.copy`` → the copy stub)."""
        if soft:
            try:
                return self.eval(node)
            except FrontendError:
                return None
        return self.eval(node, callee=True)

    # ------------------------------------------------------------------ T.copy

    def copy(self, call: ast.Call) -> Call:
        args = self.bind(call, "T.copy", [("src", _REQ), ("dst", _REQ)],
                         ignored=("coalesced_width", "disable_tma", "eviction_policy"))
        src = self.copy_operand(args["src"], "source")
        dst = self.copy_operand(args["dst"], "destination")
        glob = [o for o in (src, dst) if o.buffer.scope == "global"]
        if len(glob) == 2:
            self.error(f"T.copy between two tensors ({src.buffer.name} and {dst.buffer.name}) is not supported", call,
                       "stage the data through an on-chip buffer: X = T.alloc_shared(...); "
                       "T.copy(src[...], X); T.copy(X, dst[...])")
        if not glob:
            if src.buffer.shape != dst.buffer.shape:
                self.error(f"shape mismatch in T.copy: buffer {_fmt_shape(src.buffer.shape)} vs buffer "
                           f"{_fmt_shape(dst.buffer.shape)}", call,
                           f"{src.buffer.name} is {_fmt_shape(src.buffer.shape)} and {dst.buffer.name} is "
                           f"{_fmt_shape(dst.buffer.shape)}; on-chip copies move whole buffers of the same shape")
            regions = [BufferRegion(o.buffer, tuple(IntImm(0, loc=self.loc(o.node)) for _ in o.buffer.shape),
                                    tuple(o.buffer.shape), loc=self.loc(o.node)) for o in (src, dst)]
            return Call("tl.copy", tuple(regions), loc=self.loc(call))
        g = glob[0]
        o = dst if g is src else src
        tensor = g.buffer
        if g.kind == "whole":
            starts = tuple(IntImm(0, loc=self.loc(g.node)) for _ in tensor.shape)
            extents = tuple(tensor.shape)
        elif g.kind == "point":
            if len(g.starts) != len(o.buffer.shape):
                self.error(f"T.copy region {tensor.name}[...] has {len(g.starts)} indices but {o.buffer.name} is "
                           f"{len(o.buffer.shape)}-D", g.node,
                           "give the start index of the block in every dimension of the tensor")
            starts = g.starts
            extents = tuple(o.buffer.shape)
        else:
            starts = g.starts
            assert g.extents is not None
            extents = g.extents
        if tuple(extents) != tuple(o.buffer.shape):
            self.error(f"shape mismatch in T.copy: region {_fmt_shape(extents)} vs buffer {_fmt_shape(o.buffer.shape)}",
                       g.node, f"the region of {tensor.name} must have the shape of {o.buffer.name} "
                       f"({_fmt_shape(o.buffer.shape)})")
        for d, (st, ext) in enumerate(zip(starts, extents)):
            b = self.bounds(st)
            if b is None:
                continue
            lo, hi, at_max = b
            if lo < 0 or hi + ext > tensor.shape[d]:
                where = ", ".join(f"{k}={v}" for k, v in at_max.items())
                self.error(f"T.copy region of {tensor.name} is out of bounds in dimension {d}: it covers "
                           f"{lo}..{hi + ext - 1} but the tensor has {tensor.shape[d]}"
                           + (f" (at {where})" if where and hi + ext > tensor.shape[d] else ""), g.node,
                           "the grid/loop extents and block sizes must tile the tensor exactly "
                           "(partial blocks are not supported)")
        region = BufferRegion(tensor, tuple(starts), tuple(extents), loc=self.loc(g.node))
        full = BufferRegion(o.buffer, tuple(IntImm(0, loc=self.loc(o.node)) for _ in o.buffer.shape),
                            tuple(o.buffer.shape), loc=self.loc(o.node))
        pair = (region, full) if g is src else (full, region)
        return Call("tl.copy", pair, loc=self.loc(call))

    def bounds(self, e: Expr) -> tuple[int, int, dict[str, int]] | None:
        """[min, max] of an integer-linear start index over the ranges of the block and loop variables, and
        the variable values reaching the maximum (None when the index is not linear)."""
        lin = _linear(e)
        if lin is None:
            return None
        lo = hi = lin.get(None, 0)
        at_max: dict[str, int] = {}
        for v, c in lin.items():
            if v is None or c == 0:
                continue
            if v not in self.ranges:
                return None
            vlo, vhi = self.ranges[v]
            lo += c * (vlo if c > 0 else vhi)
            hi += c * (vhi if c > 0 else vlo)
            at_max[v.name] = vhi if c > 0 else vlo
        return lo, hi, at_max

    def copy_operand(self, node: ast.AST, role: str) -> _Operand:
        if isinstance(node, _Default):  # pragma: no cover - both operands are required
            raise AssertionError
        if isinstance(node, ast.Name) and self.lookup(node.id) is None:
            close = difflib.get_close_matches(node.id, list(self.buffer_names), n=1)
            self.error(f"T.copy {role} '{node.id}' is not a defined buffer", node,
                       (f"did you mean '{close[0]}'? " if close else "") +
                       "buffers are the kernel's T.Tensor parameters and names assigned from "
                       "T.alloc_shared/T.alloc_fragment")
        if isinstance(node, ast.Subscript):
            base = self.eval(node.value)
            if not isinstance(base, Buffer):
                self.error(f"T.copy {role} must be a buffer or a tensor region, got `{self.text(node)}`", node)
            if base.scope != "global":
                self.error(f"the on-chip operand {base.name} of T.copy must be a whole buffer, not a region", node,
                           f"write `{base.name}`; only tensor operands are given by a start index or slices")
            elts = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
            slices = [isinstance(e, ast.Slice) for e in elts]
            if len(elts) != len(base.shape):
                self.error(f"tensor {base.name} is {len(base.shape)}-D but `{self.text(node)}` has {len(elts)} "
                           f"ind{'ices' if len(elts) != 1 else 'ex'}", node)
            if all(slices):
                starts, extents = [], []
                for d, e in enumerate(elts):
                    assert isinstance(e, ast.Slice)
                    if e.step is not None:
                        step = self.eval(e.step)
                        if step != 1:
                            self.error("strided slices are not supported in T.copy", e.step)
                    lo = self.index(e.lower) if e.lower is not None else IntImm(0, loc=self.loc(e))
                    hi = self.index(e.upper) if e.upper is not None else IntImm(base.shape[d], loc=self.loc(e))
                    ext = _const_difference(hi, lo)
                    if ext is None:
                        self.error(f"the extent of slice `{self.text(e)}` of {base.name} must be a compile-time "
                                   "constant", e, "write `A[r:r + rows, c:c + cols]` with constant rows/cols")
                    if ext <= 0:
                        self.error(f"slice `{self.text(e)}` of {base.name} is empty", e)
                    starts.append(lo)
                    extents.append(ext)
                return _Operand(base, node, "slice", tuple(starts), tuple(extents))
            if any(slices):
                self.error(f"`{self.text(node)}` mixes start indices and slices", node,
                           "give either the start index of every dimension (A[r, c]) or a slice for every "
                           "dimension (A[r:r + rows, c:c + cols])")
            return _Operand(base, node, "point", tuple(self.index(e) for e in elts))
        v = self.eval(node)
        if not isinstance(v, Buffer):
            shown = self.text(node)
            self.error(f"T.copy {role} must be a buffer or a tensor region, got `{shown}` "
                       f"({type(v).__name__ if _is_static(v) else 'a scalar expression'})", node)
        return _Operand(v, node, "whole")

    def index(self, node: ast.AST) -> Expr:
        v = self.eval(node)
        if _is_int(v):
            return IntImm(v, loc=self.loc(node))
        if isinstance(v, Expr) and v.dtype == "int32" and not isinstance(v, BufferLoad):
            return v
        if isinstance(v, Buffer):
            self.error(f"buffer {v.name} cannot be used as an index", node)
        self.error(f"index `{self.text(node)}` must be an integer expression of block/loop variables and constants",
                   node)

    # ------------------------------------------------------------------ T.gemm / clear / fill

    def onchip(self, arg: Any, call: ast.Call, fname: str, what: str) -> Buffer:
        node = self.arg_node(arg, call)
        v = self.eval(node)
        if not isinstance(v, Buffer):
            self.error(f"{fname} {what} must be an on-chip buffer, got `{self.text(node)}`", node)
        if v.scope == "global":
            self.error(f"{fname} operates on on-chip buffers; {v.name} is a kernel tensor", node,
                       "copy the data into a T.alloc_shared/T.alloc_fragment buffer with T.copy first")
        return v

    def gemm(self, call: ast.Call) -> Call:
        args = self.bind(call, "T.gemm", [("A", _REQ), ("B", _REQ), ("C", _REQ), ("transpose_A", False),
                                          ("transpose_B", False), ("clear_accum", False)],
                         ignored=("policy", "k_pack", "wg_wait"))
        a = self.onchip(args["A"], call, "T.gemm", "operand A")
        b = self.onchip(args["B"], call, "T.gemm", "operand B")
        c = self.onchip(args["C"], call, "T.gemm", "accumulator C")
        flags = []
        for name in ("transpose_A", "transpose_B"):
            v = self.arg_static(args[name])
            if not isinstance(v, (bool, int)) or v not in (0, 1):
                self.error(f"T.gemm {name} must be a constant True/False, got `{self.text(args[name])}`",
                           self.arg_node(args[name], call))
            flags.append(bool(v))
        clear = self.arg_static(args["clear_accum"])
        if clear:
            self.error("T.gemm clear_accum=True is not supported", self.arg_node(args["clear_accum"], call),
                       "call T.clear(C) before the reduction loop instead")
        ta, tb = flags
        m, k = (a.shape[1], a.shape[0]) if ta else a.shape
        k2, n = (b.shape[1], b.shape[0]) if tb else b.shape
        if k != k2 or c.shape != (m, n):
            self.error(f"shape mismatch in T.gemm: {a.name} {_fmt_shape(a.shape)}, {b.name} {_fmt_shape(b.shape)}, "
                       f"{c.name} {_fmt_shape(c.shape)}", call,
                       f"expected (M, K) × (K, N) → (M, N) with transpose_A={ta}, transpose_B={tb}")
        loc = self.loc(call)
        return Call("tl.gemm", (a, b, c, IntImm(int(ta), "bool", loc=loc), IntImm(int(tb), "bool", loc=loc)), loc=loc)

    def clear(self, call: ast.Call) -> Call:
        args = self.bind(call, "T.clear", [("buffer", _REQ)])
        buf = self.onchip(args["buffer"], call, "T.clear", "argument")
        return Call("tl.fill", (buf, FloatImm(0.0, loc=self.loc(call))), loc=self.loc(call))

    def fill(self, call: ast.Call) -> Call:
        args = self.bind(call, "T.fill", [("buffer", _REQ), ("value", _REQ)])
        buf = self.onchip(args["buffer"], call, "T.fill", "argument")
        v = self.eval(args["value"])
        if not _is_number(v):
            self.error(f"T.fill value must be a constant number, got `{self.text(args['value'])}`", args["value"],
                       "the fill value must fold at compile time")
        return Call("tl.fill", (buf, FloatImm(float(v), loc=self.loc(args["value"]))), loc=self.loc(call))

    # ------------------------------------------------------------------ T.annotate_layout

    def annotate_layout(self, call: ast.Call) -> None:
        args = self.bind(call, "T.annotate_layout", [("layouts", _REQ)])
        node = args["layouts"]
        if not isinstance(node, ast.Dict):
            self.error("T.annotate_layout expects a dict literal {tensor: layout}", node,
                       'write `T.annotate_layout({A: "l1_height_sharded"})`')
        for kn, vn in zip(node.keys, node.values):
            if kn is None:
                self.error("**-unpacking is not supported in T.annotate_layout", vn)
            key = self.eval(kn)
            if isinstance(key, Buffer):
                if key.scope != "global":
                    self.error(f"T.annotate_layout applies to kernel tensors; {key.name} is a {key.scope} buffer", kn,
                               "on-chip buffers always live in L1 circular buffers")
                name = key.name
            elif isinstance(key, str) and any(p.name == key for p in self.kernel_params):
                name = key
            else:
                self.error(f"T.annotate_layout key `{self.text(kn)}` is not a kernel tensor", kn,
                           f"keys are kernel parameters: {', '.join(p.name for p in self.kernel_params)}")
            value = self.eval(vn)
            if not isinstance(value, str) or value not in S.SUPPORTED_LAYOUTS:
                self.error(f"unsupported layout {value!r} for tensor {name}" if _is_static(value)
                           else f"unsupported layout `{self.text(vn)}` for tensor {name}", vn,
                           f"supported layouts: {', '.join(S.SUPPORTED_LAYOUTS)}")
            if name in self.layouts and self.layouts[name] != value:
                self.error(f"conflicting layouts for tensor {name}: {self.layouts[name]!r} and {value!r}", vn)
            if name not in self.layouts:
                where = self.loc(vn)
                self.layout_locs[name] = [where.file, where.line, where.col, where.source_line]
            self.layouts[name] = str(value)

    # ------------------------------------------------------------------ loops

    def for_(self, s: ast.For) -> Stmt:
        if s.orelse:
            self.error("for-else is not supported in a kernel body", s.orelse[0])
        if not self.in_kernel:  # pragma: no cover - the top level rejects loops earlier
            self.error("loops must be inside the T.Kernel block", s)
        it = s.iter
        fn = self.resolve_callee(it.func) if isinstance(it, ast.Call) else None
        kinds = {S.Pipelined: "pipelined", S.serial: "serial", S.unroll: "unrolled", range: "serial"}
        if fn is S.Parallel:
            return self.parallel_for(s, it)
        if fn not in kinds:
            self.error(f"unsupported loop iterable `{self.text(it)}`", it,
                       "iterate over T.Parallel(...), T.Pipelined(...), T.serial(...), T.unroll(...) or range(...)")
        assert isinstance(it, ast.Call)
        kind = kinds[fn]
        fname = "range" if fn is range else f"T.{fn.__name__}"
        if self.parallel:
            self.error(f"{fname} loops cannot be nested inside a T.Parallel loop", s,
                       "T.Parallel bodies are element-wise; put sequential loops outside")
        annotations: dict[str, Any] = {}
        if fn is S.Pipelined:
            args = self.bind(it, fname, [("start", _REQ), ("stop", None), ("num_stages", 1)])
            stages_node = self.arg_node(args["num_stages"], it)
            stages = self.arg_static(args["num_stages"]) if isinstance(args["num_stages"], _Default) else \
                self.static_int(stages_node, "num_stages of T.Pipelined", positive=False)
            if not _is_int(stages) or stages < 1:
                self.error(f"num_stages of T.Pipelined must be at least 1, got {stages}", stages_node,
                           "1 = no overlap, 2 = double buffering")
            annotations["num_stages"] = stages
        elif fn is range:
            args = self.bind(it, fname, [("start", _REQ), ("stop", None), ("step", 1)])
            step_node = self.arg_node(args["step"], it)
            step = self.arg_static(args["step"]) if isinstance(args["step"], _Default) else \
                self.static_int(step_node, "the step of range", positive=False)
            if step != 1:
                self.error(f"range with a step of {step} is not supported in a kernel", step_node,
                           "use a unit step and scale the index in the loop body")
        else:
            args = self.bind(it, fname, [("start", _REQ), ("stop", None)])
        if isinstance(args["stop"], _Default):
            lo, n = 0, self.static_int(args["start"], f"the extent of {fname}", positive=False)
            extent_node = args["start"]
        else:
            lo = self.static_int(args["start"], f"the start of {fname}", positive=False)
            hi = self.static_int(args["stop"], f"the stop of {fname}", positive=False)
            n, extent_node = hi - lo, args["stop"]
        if n <= 0:
            self.error(f"{fname} loop has no iterations (extent {n})", extent_node)
        if not isinstance(s.target, ast.Name):
            self.error(f"a {fname} loop binds exactly one loop variable, got `{self.text(s.target)}`", s.target)
        self.new_name(s.target.id, s.target)
        var = Var(s.target.id, loc=self.loc(s.target))
        self.ranges[var] = (lo, lo + n - 1)
        self.loop_depth += 1
        try:
            body = self.scoped_block(s.body, s, {var.name: var})
        finally:
            self.loop_depth -= 1
        loc = self.loc(s)
        return For(var, IntImm(lo, loc=loc), IntImm(n, loc=loc), kind, body, annotations, loc=loc)

    def parallel_for(self, s: ast.For, it: ast.Call) -> Stmt:
        for kw in it.keywords:
            self.error(f"T.Parallel got an unexpected keyword argument '{kw.arg}'", kw, "T.Parallel takes only extents")
        if not it.args:
            self.error("T.Parallel needs at least one extent", it)
        extents = [self.static_int(a, "a T.Parallel extent") for a in it.args]
        targets = [s.target] if isinstance(s.target, ast.Name) else list(getattr(s.target, "elts", [s.target]))
        if not all(isinstance(t, ast.Name) for t in targets):
            self.error(f"T.Parallel loop variables must be plain names, got `{self.text(s.target)}`", s.target)
        if len(targets) != len(extents):
            self.error(f"T.Parallel has {len(extents)} extent{'s' if len(extents) != 1 else ''} but the loop binds "
                       f"{len(targets)} variable{'s' if len(targets) != 1 else ''}", s.target,
                       "bind one loop variable per extent: `for i, j in T.Parallel(rows, cols):`")
        loc = self.loc(s)
        vars_: list[Var] = []
        for t in targets:
            assert isinstance(t, ast.Name)
            self.new_name(t.id, t)
            if any(v.name == t.id for v in vars_) or any(v.name == t.id for v, _ in self.parallel):
                self.error(f"T.Parallel loop variable '{t.id}' is bound twice", t)
            vars_.append(Var(t.id, loc=self.loc(t)))
            self.ranges[vars_[-1]] = (0, extents[len(vars_) - 1] - 1)
        depth = len(self.parallel)
        self.parallel.extend(zip(vars_, extents))
        self.loop_depth += 1
        try:
            body = self.scoped_block(s.body, s, {v.name: v for v in vars_})
        finally:
            del self.parallel[depth:]
            self.loop_depth -= 1
        for v, n in reversed(list(zip(vars_, extents))):
            body = For(v, IntImm(0, loc=loc), IntImm(n, loc=loc), "parallel", body, {}, loc=loc)
        return body

    # ------------------------------------------------------------------ T.Parallel bodies

    def parallel_indices(self, buf: Buffer, sub: ast.Subscript, writing: bool) -> tuple[Expr, ...]:
        elts = list(sub.slice.elts) if isinstance(sub.slice, ast.Tuple) else [sub.slice]
        for e in elts:
            if isinstance(e, ast.Slice):
                self.error(f"slices are not supported in a T.Parallel body: `{self.text(sub)}`", e,
                           "index with the loop variables: C[i, j]")
        loop_vars = [v for v, _ in self.parallel]
        extents = tuple(n for _, n in self.parallel)
        idx = [self.eval(e) for e in elts]
        want = ", ".join(v.name for v in loop_vars)
        if len(idx) != len(loop_vars) or any(a is not b for a, b in zip(idx, loop_vars)):
            verb = "write" if writing else "read"
            self.error(f"T.Parallel body must {verb} {buf.name} at [{want}] (the loop variables in order), "
                       f"got `{self.text(sub)}`", sub,
                       "element-wise bodies map loop variable k to dimension k of every buffer; transposed, "
                       "offset or constant indices are not supported")
        if tuple(buf.shape) != extents:
            self.error(f"T.Parallel extents {_fmt_shape(extents)} do not match the shape {_fmt_shape(buf.shape)} of "
                       f"{buf.name}", sub, "a T.Parallel loop covers whole buffers: use the buffer's shape as extents")
        return tuple(loop_vars)

    def store(self, target: ast.Subscript, value_node: ast.AST, s: ast.stmt, aug: str | None) -> Stmt:
        buf = self.eval(target.value)
        if not isinstance(buf, Buffer):
            self.error(f"cannot assign to `{self.text(target)}`: {self.text(target.value)} is not a buffer", target)
        if not self.parallel:
            self.error(f"element-wise store `{self.text(target)} = ...` outside a T.Parallel loop", s,
                       "wrap it in `for i, j in T.Parallel(rows, cols):`, or use T.copy/T.fill for whole tiles")
        if buf.scope == "global":
            self.error(f"a T.Parallel body cannot write tensor {buf.name} directly", target,
                       "write an on-chip buffer and T.copy it to the tensor after the loop")
        indices = self.parallel_indices(buf, target, writing=True)
        value = self.eval(value_node)
        if aug is not None:
            old = BufferLoad(buf, indices, buf.dtype, loc=self.loc(target))
            value = self.binop(aug, old, value, s, target, value_node)
        value = self.value_expr(value, value_node)
        try:  # the backend's own definition of what a T.Parallel store can compute
            plan_store(buf, value, self.loc(target))
        except EltwiseError as exc:
            raise FrontendError(exc.msg, exc.loc or self.loc(s), exc.hint) from None
        return BufferStore(buf, value, indices, loc=self.loc(s))

    def value_expr(self, v: Any, node: ast.AST) -> Expr:
        """Coerce the right-hand side of a store to a float expression."""
        if _is_number(v):
            return FloatImm(float(v), loc=self.loc(node))
        if isinstance(v, Expr) and v.dtype in _FLOAT_DTYPES:
            return v
        if isinstance(v, Buffer):
            self.error(f"buffer {v.name} used as a value; index it ({v.name}[...])", node)
        if isinstance(v, Expr):
            self.error(f"`{self.text(node)}` is an index expression; T.Parallel bodies compute on buffer elements",
                       node, "loop and block variables cannot be used as element values")
        self.error(f"cannot store `{self.text(node)}` ({type(v).__name__}) into a buffer element", node)

    # ------------------------------------------------------------------ expressions

    def eval(self, node: ast.AST, callee: bool = False) -> Any:
        if isinstance(node, ast.Attribute):
            return self.e_attribute(node, callee)
        m = getattr(self, "e_" + type(node).__name__, None)
        if m is None:
            self.error(f"unsupported expression `{self.text(node)}` in a kernel", node,
                       "kernel expressions are constants, names, arithmetic, indexing and T.* calls")
        return m(node)

    def e_Constant(self, node: ast.Constant) -> Any:  # noqa: N802
        return node.value

    def e_Name(self, node: ast.Name) -> Any:  # noqa: N802
        b = self.lookup(node.id)
        if b is None:
            self.unknown_name(node.id, node)
        if b.value is _UNBOUND:
            self.error(f"'{node.id}' is not yet assigned when the kernel is defined", node,
                       "assign it in the factory before the @T.prim_func function")
        return b.value

    def e_attribute(self, node: ast.Attribute, callee: bool) -> Any:
        base = self.eval(node.value)
        if _is_language(base):
            if node.attr in _NOT_YET:
                self.error(f"T.{node.attr} is not supported yet", node, _NOT_YET[node.attr])
            if node.attr not in _public_names():
                close = difflib.get_close_matches(node.attr, _public_names(), n=1)
                prefix = self.text(node.value)
                hint = (f"did you mean {prefix}.{close[0]}?" if close else
                        f"the kernel language supports: {', '.join(sorted(_public_names(), key=str.lower))}")
                what = "function" if callee else "name"
                self.error(f"unknown {what} {prefix}.{node.attr}", node, hint)
            return getattr(base, node.attr)
        if isinstance(base, Buffer):
            if node.attr in ("shape", "dtype", "name"):
                return getattr(base, node.attr)
            self.error(f"unsupported buffer attribute `{self.text(node)}`", node,
                       "buffers expose .shape, .dtype and .name")
        if isinstance(base, Expr):
            self.error(f"unsupported attribute `{self.text(node)}` of a runtime value", node)
        try:
            return getattr(base, node.attr)
        except AttributeError:
            self.error(f"`{self.text(node.value)}` has no attribute '{node.attr}'", node)
        except Exception as exc:  # noqa: BLE001 - user objects
            self.error(f"cannot evaluate `{self.text(node)}`: {type(exc).__name__}: {exc}", node)

    def e_Tuple(self, node: ast.Tuple) -> Any:  # noqa: N802
        for e in node.elts:
            if isinstance(e, ast.Starred):
                self.error("*-unpacking is not supported in a kernel", e)
        return tuple(self.eval(e) for e in node.elts)

    def e_List(self, node: ast.List) -> Any:  # noqa: N802
        return self.e_Tuple(node)  # type: ignore[arg-type]

    def e_Dict(self, node: ast.Dict) -> Any:  # noqa: N802
        out = {}
        for k, v in zip(node.keys, node.values):
            if k is None:
                self.error("**-unpacking is not supported in a kernel", v)
            out[self.eval(k)] = self.eval(v)
        return out

    def e_BinOp(self, node: ast.BinOp) -> Any:  # noqa: N802
        sym, fn = _BINOPS[type(node.op)]
        a = self.eval(node.left)
        b = self.eval(node.right)
        if _is_static(a) and _is_static(b):
            try:
                return fn(a, b)
            except Exception as exc:  # noqa: BLE001 - user constants
                self.error(f"cannot evaluate `{self.text(node)}`: {exc}", node)
        return self.binop(sym, a, b, node, node.left, node.right)

    def binop(self, sym: str, a: Any, b: Any, node: ast.AST, na: ast.AST, nb: ast.AST) -> Any:
        if _is_static(a) and _is_static(b):
            fn = {"+": operator.add, "-": operator.sub, "*": operator.mul, "//": operator.floordiv,
                  "%": operator.mod, "/": operator.truediv, "**": operator.pow, "max": max, "min": min}.get(sym)
            if fn is None:
                self.error(f"unsupported operator '{sym}'", node)
            try:
                return fn(a, b)
            except Exception as exc:  # noqa: BLE001 - user constants
                self.error(f"cannot evaluate `{self.text(node)}`: {exc}", node)
        for v, n in ((a, na), (b, nb)):
            if isinstance(v, Buffer):
                self.error(f"buffer {v.name} used as a value; index it ({v.name}[i, j]) inside a T.Parallel loop", n)
            if isinstance(v, (tuple, list)):
                self.error(f"`{self.text(n)}` is a tuple, not a number", n)
        is_value = any(isinstance(v, Expr) and v.dtype in _FLOAT_DTYPES for v in (a, b))
        if is_value:
            if sym not in _VALUE_OPS:
                self.error(f"unsupported operator '{sym}' in a T.Parallel body", node, SUPPORTED_FORMS)
            for v, n in ((a, na), (b, nb)):
                if isinstance(v, Expr) and v.dtype not in _FLOAT_DTYPES:
                    self.error(f"`{self.text(n)}` is an index value and cannot be mixed with buffer elements", n,
                               "loop and block variables cannot be used as element values")
                if _is_static(v) and not _is_number(v):
                    self.error(f"`{self.text(n)}` ({type(v).__name__}) cannot be used in element-wise arithmetic", n)
            ea = FloatImm(float(a), loc=self.loc(na)) if _is_static(a) else a
            eb = FloatImm(float(b), loc=self.loc(nb)) if _is_static(b) else b
            if _is_static(a):
                dtype = eb.dtype
            elif _is_static(b) or ea.dtype == eb.dtype:
                dtype = ea.dtype
            else:
                dtype = "float32"
            return BinaryOp(sym, ea, eb, dtype, loc=self.loc(node))
        # index arithmetic on block/loop variables
        if sym not in _INDEX_OPS:
            hint = "use // for integer division" if sym == "/" else \
                "index expressions support + - * // % and T.max/T.min"
            self.error(f"unsupported operator '{sym}' on the runtime value `{self.text(node)}`", node, hint)
        for v, n in ((a, na), (b, nb)):
            if _is_static(v) and not _is_int(v):
                self.error(f"`{self.text(n)}` = {v!r} is not an integer and cannot be used in an index expression", n)
        ea = IntImm(a, loc=self.loc(na)) if _is_static(a) else a
        eb = IntImm(b, loc=self.loc(nb)) if _is_static(b) else b
        if sym in ("max", "min"):
            return BinaryOp(sym, ea, eb, "int32", loc=self.loc(node))
        r = {"+": operator.add, "-": operator.sub, "*": operator.mul, "//": operator.floordiv,
             "%": operator.mod}[sym](ea, eb)  # Expr operator sugar: folds constants, drops identities
        if r is not ea and r is not eb and r.loc is None:
            r.loc = self.loc(node)
        return r

    def e_UnaryOp(self, node: ast.UnaryOp) -> Any:  # noqa: N802
        v = self.eval(node.operand)
        if _is_static(v):
            try:
                if isinstance(node.op, ast.USub):
                    return -v
                if isinstance(node.op, ast.UAdd):
                    return +v
                if isinstance(node.op, ast.Not):
                    return not v
                return ~v
            except Exception as exc:  # noqa: BLE001 - user constants
                self.error(f"cannot evaluate `{self.text(node)}`: {exc}", node)
        if isinstance(node.op, ast.UAdd):
            return v
        if isinstance(node.op, ast.USub) and isinstance(v, Expr):
            zero: Any = 0.0 if v.dtype in _FLOAT_DTYPES else 0
            return self.binop("-", zero, v, node, node, node.operand)
        if isinstance(node.op, ast.Not):
            self.data_dependent(v, node)
        self.error(f"unsupported operator in `{self.text(node)}`", node)

    def e_Compare(self, node: ast.Compare) -> Any:  # noqa: N802
        left = self.eval(node.left)
        result = True
        for op, comp in zip(node.ops, node.comparators):
            right = self.eval(comp)
            if not (_is_static(left) and _is_static(right)):
                self.data_dependent(left if not _is_static(left) else right, node)
            try:
                ok = _CMPOPS[type(op)](left, right)
            except Exception as exc:  # noqa: BLE001 - user constants
                self.error(f"cannot evaluate `{self.text(node)}`: {exc}", node)
            if not ok:
                result = False
                break
            left = right
        return result

    def e_BoolOp(self, node: ast.BoolOp) -> Any:  # noqa: N802
        is_and = isinstance(node.op, ast.And)
        v: Any = None
        for e in node.values:
            v = self.eval(e)
            if not _is_static(v):
                self.data_dependent(v, node)
            if bool(v) != is_and:
                return v
        return v

    def e_IfExp(self, node: ast.IfExp) -> Any:  # noqa: N802
        cond = self.eval(node.test)
        return self.eval(node.body) if self.truth(cond, node.test) else self.eval(node.orelse)

    def e_Subscript(self, node: ast.Subscript) -> Any:  # noqa: N802
        base = self.eval(node.value)
        if isinstance(base, Buffer):
            if not self.parallel:
                self.error(f"element access `{self.text(node)}` is only supported inside a T.Parallel loop", node,
                           "move whole tiles with T.copy; compute element-wise inside `for i, j in T.Parallel(...)`")
            if base.scope == "global":
                self.error(f"a T.Parallel body cannot read tensor {base.name} directly", node,
                           "T.copy the block into an on-chip buffer first")
            indices = self.parallel_indices(base, node, writing=False)
            return BufferLoad(base, indices, base.dtype, loc=self.loc(node))
        if not _is_static(base):
            self.error(f"cannot index the runtime value `{self.text(node.value)}`", node)
        key = self.eval(node.slice)
        if not _is_static(key):
            self.error(f"cannot index the constant `{self.text(node.value)}` with a runtime value", node.slice)
        try:
            return base[key]
        except Exception as exc:  # noqa: BLE001 - user constants
            self.error(f"cannot evaluate `{self.text(node)}`: {exc}", node)

    def e_Slice(self, node: ast.Slice) -> Any:  # noqa: N802
        parts = [self.eval(p) if p is not None else None for p in (node.lower, node.upper, node.step)]
        if not all(_is_static(p) for p in parts):
            self.error(f"slice `{self.text(node)}` is only supported as a T.copy region", node)
        return slice(*parts)

    def e_Call(self, node: ast.Call) -> Any:  # noqa: N802
        fn = self.resolve_callee(node.func)
        if fn is S.ceildiv:
            args = self.bind(node, "T.ceildiv", [("a", _REQ), ("b", _REQ)])
            a, b = self.eval(args["a"]), self.eval(args["b"])
            if _is_static(a) and _is_static(b):
                if not (_is_int(a) and _is_int(b)):
                    self.error(f"T.ceildiv expects integers, got {a!r} and {b!r}", node)
                if b <= 0:
                    self.error(f"T.ceildiv divisor must be positive, got {b}", args["b"])
                return -(-a // b)
            s1 = self.binop("+", a, b, node, args["a"], args["b"])
            s2 = self.binop("-", s1, 1, node, node, node)
            return self.binop("//", s2, b, node, node, args["b"])
        if fn in (S.max, S.min):
            name = "T." + fn.__name__
            args = self.bind(node, name, [("a", _REQ), ("b", _REQ)])
            a, b = self.eval(args["a"]), self.eval(args["b"])
            return self.binop(fn.__name__, a, b, node, args["a"], args["b"])
        if fn in (S.exp, S.relu):
            name = "T." + fn.__name__
            args = self.bind(node, name, [("x", _REQ)])
            x = self.eval(args["x"])
            if _is_static(x):
                if not _is_number(x):
                    self.error(f"{name} expects a number, got {x!r}", args["x"])
                return math.exp(x) if fn is S.exp else max(float(x), 0.0)
            x = self.value_operand(x, args["x"], name)
            if fn is S.exp:
                return Call("math.exp", (x,), x.dtype, loc=self.loc(node))
            return BinaryOp("max", x, FloatImm(0.0, loc=self.loc(node)), x.dtype, loc=self.loc(node))
        if fn is S.cast or isinstance(fn, S.DType):
            if fn is S.cast:
                args = self.bind(node, "T.cast", [("x", _REQ), ("dtype", _REQ)])
                dtype = self.dtype(args["dtype"], node)
                name = "T.cast"
            else:
                args = self.bind(node, f"T.{fn}", [("x", _REQ)])
                dtype, name = str.__str__(fn), f"T.{fn}"
            x = self.eval(args["x"])
            if _is_static(x):
                if not _is_number(x):
                    self.error(f"{name} expects a number, got {x!r}", args["x"])
                return float(x)
            x = self.value_operand(x, args["x"], name)
            return Call("math.cast", (x,), dtype, loc=self.loc(node))
        if fn in (S.copy, S.gemm, S.clear, S.fill, S.annotate_layout):
            self.error(f"T.{fn.__name__} does not produce a value; use it as a statement", node)
        if fn in (S.alloc_shared, S.alloc_fragment):
            self.error(f"T.{fn.__name__} must be assigned directly to a name (X = T.{fn.__name__}(...))", node)
        if fn is S.Tensor:
            self.error("T.Tensor is only valid as the annotation of a kernel parameter", node)
        if fn in (S.Kernel, S.Parallel, S.Pipelined, S.serial, S.unroll):
            self.error(f"T.{fn.__name__} can only be used in a "
                       f"{'`with` statement' if fn is S.Kernel else 'for loop'}", node)
        builtin_name = next((n for n in _STATIC_BUILTINS if getattr(builtins, n) is fn), None)
        if builtin_name is not None:
            vals = [self.eval(a) for a in node.args]
            kw = {k.arg: self.eval(k.value) for k in node.keywords if k.arg}
            if not all(_is_static(v) for v in [*vals, *kw.values()]):
                self.error(f"{builtin_name}() can only be applied to Python constants in a kernel", node,
                           f"use T.{builtin_name}(...) on runtime values" if builtin_name in ("max", "min") else None)
            try:
                return fn(*vals, **kw)
            except Exception as exc:  # noqa: BLE001 - user constants
                self.error(f"cannot evaluate `{self.text(node)}`: {exc}", node)
        self.unsupported_call(node, fn)

    def value_operand(self, x: Any, node: ast.AST, name: str) -> Expr:
        if isinstance(x, Expr) and x.dtype in _FLOAT_DTYPES:
            return x
        if isinstance(x, Buffer):
            self.error(f"{name} works element-wise: index the buffer ({x.name}[i, j]) inside a T.Parallel loop", node)
        self.error(f"{name} expects a buffer element expression, got `{self.text(node)}`", node)


def parse_prim_func(func: FunctionType, src: KernelSource, caller_locals: dict[str, Any] | None) -> PrimFunc:
    parser = _Parser(func, src, caller_locals)
    try:
        return parser.parse()
    except TTBuildError:
        raise
    except RecursionError:
        raise FrontendError("kernel too deeply nested for the front end", src.loc(src.node)) from None
    except Exception as exc:  # noqa: BLE001 - never show a raw traceback for a kernel
        raise FrontendError(f"internal error in the tt-build front end: {type(exc).__name__}: {exc}",
                            src.loc(parser.current), hint="this is a bug in tt-build; please report it with the kernel "
                            "source") from exc
