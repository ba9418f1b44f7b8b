"""Shared state and helpers of the kernel-language parser: constants, value predicates, name lookup,
argument binding and located errors (see :mod:`tt_build.language._parser`).
"""

from __future__ import annotations

import ast
import builtins
import difflib
import operator
from dataclasses import dataclass
from types import FunctionType, ModuleType
from typing import Any, NoReturn

from tt_build.errors import FrontendError
from tt_build.ir.nodes import (
    BinaryOp,
    Buffer,
    BufferLoad,
    Call,
    Expr,
    IntImm,
    Var,
)
from tt_build.language._source import KernelSource

__all__ = ["ParserBase"]

TILE = 32
#: at most this many independent errors are reported for one kernel
MAX_ERRORS = 10
_FLOAT_DTYPES = ("bfloat16", "float16", "float32")
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
_VALUE_OPS = ("+", "-", "*", "/", "max", "min")
#: element comparisons usable as the condition of T.if_then_else / T.where
_VALUE_CMPS: dict[type, str] = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
#: T.<name> element-wise unary math → IR op ``math.<name>``
_UNARY_MATH = ("exp", "exp2", "log", "log2", "sqrt", "rsqrt", "abs", "sigmoid", "tanh", "gelu", "silu", "erf")

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


#: TileLang intrinsics tt-build knows but cannot lower yet: name -> hint.
_NOT_YET: dict[str, str] = {}


def _fmt_shape(shape: tuple[int, ...] | list[int]) -> str:
    return "×".join(str(s) for s in shape)


@dataclass(frozen=True)
class TensorElement:
    """``X[indices]`` of a kernel tensor inside ``T.Parallel`` (an element gather, :mod:`._parse_gather`),
    padded with zeros where ``pred`` is false."""

    load: Any
    pred: Any
    node: ast.AST


def _is_static(v: Any) -> bool:
    if isinstance(v, (Expr, Buffer, TensorElement)):
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
    view2d: bool = False  # starts/extents are (row, col) of the tensor's 2-D row-major view (a T.Tensor view)


@dataclass
class _Binding:
    value: Any
    origin: str  # kernel | closure | caller | global | builtin


class ParserBase:
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
        self.guards: list[Expr] = []  # runtime index conditions of the enclosing `if` statements
        self.anonymous_grid = 0  # grid rank of a T.Kernel without `as` (its indices cannot be named)
        self.gemm_accs: set[Buffer] = set()  # T.gemm accumulators so far (they live in DST)
        self.errors: list[FrontendError] = []  # independent errors so far (statements skipped after them)
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
        if self.anonymous_grid and self.in_kernel:
            ex = ", ".join(("bx", "by", "bz")[: min(self.anonymous_grid, 3)])
            hint = (f"the T.Kernel block binds no block indices: write `with T.Kernel(...) as "
                    f"{ex if self.anonymous_grid == 1 else f'({ex})'}:` to use them")
        elif close:
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

    def new_name(self, name: str, node: ast.AST) -> None:
        for scope in self.scopes:
            v = scope.get(name)
            if isinstance(v, (Buffer, Var)):
                kind = "a buffer" if isinstance(v, Buffer) else "a block/loop variable"
                self.error(f"'{name}' is already {kind} of this kernel and cannot be reassigned", node,
                           "use a different name")

