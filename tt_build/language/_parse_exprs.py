"""Parser: expressions — constant folding, names and attributes, operators, element loads and T.* math
calls.
"""

from __future__ import annotations

import ast
import builtins
import difflib
import math
import operator
from typing import Any

from tt_build.ir.rowwise import TREE_FORMS
from tt_build.ir.nodes import (
    BinaryOp,
    Buffer,
    BufferLoad,
    Call,
    Expr,
    FloatImm,
    IntImm,
    StringImm,
)
from tt_build.language import _surface as S
from tt_build.language._gpu_only import GPU_ONLY
from tt_build.language._parse_conds import _CMP_SYM, is_index_cond
from tt_build.language._parse_gather import is_tensor_element
from tt_build.language._parse_views import DataRef, View
from tt_build.language._parse_base import (
    _BINOPS,
    _CMPOPS,
    _FLOAT_DTYPES,
    _INDEX_OPS,
    _NOT_YET,
    _REQ,
    _STATIC_BUILTINS,
    _UNBOUND,
    _UNARY_MATH,
    _VALUE_CMPS,
    _VALUE_OPS,
    ParserBase,
    _Default,
    _is_int,
    _is_language,
    _is_number,
    _is_static,
    _public_names,
)


class ExprMixin(ParserBase):
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
            if node.attr in GPU_ONLY:
                self.error(f"T.{node.attr} is GPU-only: it has no Tenstorrent lowering", node, GPU_ONLY[node.attr])
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
            if node.attr == "data" and base.scope == "global":
                return DataRef(base)
            self.error(f"unsupported buffer attribute `{self.text(node)}`", node,
                       "buffers expose .shape, .dtype and .name (kernel tensors also .data, for a T.Tensor view)")
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
        self.no_tensor_element(a, na)  # type: ignore[attr-defined]
        self.no_tensor_element(b, nb)  # type: ignore[attr-defined]
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
                self.error(f"unsupported operator '{sym}' in a T.Parallel body", node, TREE_FORMS)
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
            if is_index_cond(v):
                return self.index_not(v, node)  # type: ignore[attr-defined]
            self.data_dependent(v, node)
        self.error(f"unsupported operator in `{self.text(node)}`", node)

    def e_Compare(self, node: ast.Compare) -> Any:  # noqa: N802
        left = self.eval(node.left)
        if isinstance(left, Expr) and left.dtype in _FLOAT_DTYPES and len(node.ops) == 1 \
                and type(node.ops[0]) in _VALUE_CMPS:
            right = self.eval(node.comparators[0])
            return self.value_compare(_VALUE_CMPS[type(node.ops[0])], left, right, node)
        if len(node.ops) == 1 and type(node.ops[0]) in _VALUE_CMPS:
            right = self.eval(node.comparators[0])
            if isinstance(right, Expr) and right.dtype in _FLOAT_DTYPES:
                return self.value_compare(_VALUE_CMPS[type(node.ops[0])], left, right, node)
        result = True
        conds: list[Any] = []
        for op, comp in zip(node.ops, node.comparators):
            right = self.eval(comp)
            if not (_is_static(left) and _is_static(right)):
                if type(op) in _CMP_SYM and self.is_index_value(left) and self.is_index_value(right):
                    conds.append(self.index_compare(_CMP_SYM[type(op)], left, right, node))  # type: ignore[attr-defined]
                    left = right
                    continue
                self.data_dependent(left if not _is_static(left) else right, node)
            try:
                ok = _CMPOPS[type(op)](left, right)
            except Exception as exc:  # noqa: BLE001 - user constants
                self.error(f"cannot evaluate `{self.text(node)}`: {exc}", node)
            if not ok:
                result = False
                break
            left = right
        if conds and result:
            return self.index_bool(True, conds, node)  # type: ignore[attr-defined]
        return result

    def e_BoolOp(self, node: ast.BoolOp) -> Any:  # noqa: N802
        is_and = isinstance(node.op, ast.And)
        v: Any = None
        conds: list[Any] = []
        for e in node.values:
            v = self.eval(e)
            if is_index_cond(v):
                conds.append(v)
                continue
            if not _is_static(v):
                self.data_dependent(v, node)
            if bool(v) != is_and:
                return v
        if conds:
            return self.index_bool(is_and, conds, node)  # type: ignore[attr-defined]
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
            if base.scope == "global":  # an element gather (im2col): only stored as is, see store()
                return self.tensor_element(base, node)
            indices = self.parallel_indices(base, node, writing=False)
            return BufferLoad(base, indices, base.dtype, loc=self.loc(node))
        if isinstance(base, View) and self.parallel:
            self.error(f"an element gather reads a kernel tensor, not the T.Tensor view {base.name}", node,
                       f"index {base.base.name} itself with one index per dimension")
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
        math_fn = next((n for n in _UNARY_MATH if getattr(S, n) is fn), None)
        if math_fn is not None and fn is not S.exp:
            name = "T." + math_fn
            args = self.bind(node, name, [("x", _REQ)])
            x = self.eval(args["x"])
            if _is_static(x):
                return self.fold_math(math_fn, x, args["x"], name)
            x = self.value_operand(x, args["x"], name)
            return Call("math." + math_fn, (x,), x.dtype, loc=self.loc(node))
        if fn is S.pow:
            args = self.bind(node, "T.pow", [("x", _REQ), ("exponent", _REQ)])
            x, e = self.eval(args["x"]), self.eval(args["exponent"])
            if not _is_number(e):
                self.error(f"T.pow needs a constant exponent, got `{self.text(args['exponent'])}`", args["exponent"],
                           "the exponent must fold at compile time (power_tile takes it as a parameter); write "
                           "T.exp2(y * T.log2(x)) for a per-element exponent")
            if _is_static(x):
                return self.fold_math("pow", x, args["x"], "T.pow", float(e))
            x = self.value_operand(x, args["x"], "T.pow")
            return Call("math.pow", (x, FloatImm(float(e), loc=self.loc(args["exponent"]))), x.dtype,
                        loc=self.loc(node))
        if fn is S.clamp:
            args = self.bind(node, "T.clamp", [("x", _REQ), ("min_val", _REQ), ("max_val", _REQ)])
            x = self.eval(args["x"])
            lo, hi = self.eval(args["min_val"]), self.eval(args["max_val"])
            for v, key in ((lo, "min_val"), (hi, "max_val")):
                if not _is_number(v):
                    self.error(f"T.clamp bounds must be constants, got `{self.text(args[key])}`", args[key],
                               "write T.min(T.max(x, lo), hi) for bounds that are buffer elements")
            if lo > hi:
                self.error(f"T.clamp bounds are reversed: min_val={lo!r} > max_val={hi!r}", node)
            if _is_static(x):
                return self.fold_math("clamp", x, args["x"], "T.clamp", float(lo), float(hi))
            x = self.value_operand(x, args["x"], "T.clamp")
            return Call("math.clamp", (x, FloatImm(float(lo)), FloatImm(float(hi))), x.dtype, loc=self.loc(node))
        if fn in (S.if_then_else, S.where):
            name = "T." + fn.__name__
            args = self.bind(node, name, [("cond", _REQ), ("then_value", _REQ), ("else_value", _REQ)])
            cond = self.eval(args["cond"])
            a, b = self.eval(args["then_value"]), self.eval(args["else_value"])
            if _is_static(cond):
                return a if cond else b
            if is_index_cond(cond) and (is_tensor_element(a) or is_tensor_element(b)):
                return self.padded_element(name, cond, a, b, args)
            if is_index_cond(cond):
                self.error(f"the index condition `{self.text(args['cond'])}` of {name} is not decided by the grid and "
                           "loop ranges", args["cond"],
                           "a condition on block/loop indices must fold at compile time here; to skip work at run "
                           "time write an `if` statement around the tile operations")
            if not (isinstance(cond, Call) and cond.op == "math.cmp"):
                self.error(f"the condition of {name} must compare buffer elements (x[i, j] > 0, a[i, j] < b[i, j]), "
                           f"got `{self.text(args['cond'])}`", args["cond"])
            vals = []
            for v, key in ((a, "then_value"), (b, "else_value")):
                if _is_number(v):
                    v = FloatImm(float(v), loc=self.loc(args[key]))
                vals.append(self.value_operand(v, args[key], name))
            dtype = vals[0].dtype if vals[0].dtype == vals[1].dtype else "float32"
            return Call("math.select", (cond, vals[0], vals[1]), dtype, loc=self.loc(node))
        if fn is S.infinity:
            args = self.bind(node, "T.infinity", [("dtype", "float32")])
            if not isinstance(args["dtype"], _Default):
                self.dtype(args["dtype"], node)
            return math.inf
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
            if len(node.args) >= 3 or any(k.arg == "data" for k in node.keywords):  # noqa: PLR2004
                return self.tensor_view(node)  # type: ignore[attr-defined]
            self.error("T.Tensor is only valid as the annotation of a kernel parameter", node,
                       "inside a kernel, T.Tensor(shape, dtype, X.data) is a view (reshape) of a kernel tensor X")
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

    def fold_math(self, fn: str, x: Any, node: ast.AST, name: str, *params: float) -> float:
        """T.<fn> applied to a Python constant folds."""
        if not _is_number(x):
            self.error(f"{name} expects a number, got {x!r}", node)
        v = float(x)
        try:
            table = {
                "exp2": lambda: 2.0 ** v, "log": lambda: math.log(v), "log2": lambda: math.log2(v),
                "sqrt": lambda: math.sqrt(v), "rsqrt": lambda: 1.0 / math.sqrt(v), "abs": lambda: abs(v),
                "sigmoid": lambda: 1.0 / (1.0 + math.exp(-v)), "tanh": lambda: math.tanh(v),
                "gelu": lambda: 0.5 * v * (1.0 + math.erf(v / math.sqrt(2.0))),
                "silu": lambda: v / (1.0 + math.exp(-v)), "erf": lambda: math.erf(v),
                "pow": lambda: v ** params[0], "clamp": lambda: min(max(v, params[0]), params[1]),
            }
            return float(table[fn]())
        except (ValueError, ZeroDivisionError, OverflowError) as exc:
            self.error(f"cannot evaluate {name}({v!r}): {exc}", node)

    def value_compare(self, op: str, a: Any, b: Any, node: ast.AST) -> Call:
        """An element comparison (only meaningful as the condition of T.if_then_else / T.where)."""
        ops = []
        for v in (a, b):
            if _is_number(v):
                v = FloatImm(float(v), loc=self.loc(node))
            ops.append(self.value_operand(v, node, f"comparison `{op}`"))
        return Call("math.cmp", (StringImm(op), ops[0], ops[1]), "bool", loc=self.loc(node))

    def value_operand(self, x: Any, node: ast.AST, name: str) -> Expr:
        self.no_tensor_element(x, node)
        if isinstance(x, Expr) and x.dtype in _FLOAT_DTYPES:
            return x
        if isinstance(x, Buffer):
            self.error(f"{name} works element-wise: index the buffer ({x.name}[i, j]) inside a T.Parallel loop", node)
        self.error(f"{name} expects a buffer element expression, got `{self.text(node)}`", node)


