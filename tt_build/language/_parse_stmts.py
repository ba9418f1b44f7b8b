"""Parser: statements — blocks, assignments, the T.Kernel block, calls used as statements, loops and
T.Parallel stores.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Any, NoReturn

from tt_build.errors import FrontendError
from tt_build.ir.eltwise import SUPPORTED_FORMS as DST_FORMS
from tt_build.ir.eltwise import EltwiseError
from tt_build.ir.rowwise import check_store, needs_tree, tree_loads
from tt_build.ir.nodes import (
    Allocate,
    Buffer,
    BufferLoad,
    BufferStore,
    Evaluate,
    Expr,
    FloatImm,
    For,
    IfThenElse,
    IntImm,
    SeqStmt,
    Stmt,
    Var,
    seq,
)
from tt_build.language import _surface as S
from tt_build.language._parse_conds import is_index_cond
from tt_build.language._parse_gather import is_gather, is_tensor_element
from tt_build.language._parse_base import (
    _BINOPS,
    _FLOAT_DTYPES,
    _REQ,
    MAX_ERRORS,
    _STMT_HINT,
    ParserBase,
    _Default,
    _fmt_shape,
    _is_int,
    _is_number,
    _is_static,
    _vars_in,
)


class StmtMixin(ParserBase):
    # ------------------------------------------------------------------ statements

    def flatten(self, stmts: list[ast.stmt]) -> Iterator[ast.stmt]:
        """Yield statements, replacing each ``if`` on a compile-time constant by its taken branch (lazily,
        so conditions see the assignments before them)."""
        for s in stmts:
            if isinstance(s, ast.If):
                cond = self.eval(s.test)
                if is_index_cond(cond) and self.in_kernel and not self.parallel:
                    yield s  # a runtime condition on block/loop indices: an IfThenElse (stmt)
                    continue
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
                   "conditions must fold at compile time (factory arguments, constants) or compare block/loop "
                   "index expressions (`if bx * block_M < M:`); kernel bodies are compiled, not executed")

    def block(self, stmts: Iterator[ast.stmt], node: ast.AST) -> Stmt:
        out: list[Stmt] = []
        for s in stmts:
            if isinstance(s, ast.Assign) and self.is_alloc(s.value):
                buf = self.alloc(s)
                self.scopes[-1][buf.name] = buf
                rest = self.block(stmts, s)
                out.append(Allocate(buf, rest, loc=self.loc(s)))
                break
            try:
                r = self.stmt(s)
            except FrontendError as exc:
                # a statement that binds no name: report its error and go on with the next statement, so a
                # kernel's independent errors are all reported in one run (bounded)
                if not self.recoverable(s) or len(self.errors) + 1 >= MAX_ERRORS:
                    raise
                self.errors.append(exc)
                continue
            if r is not None:
                out.append(r)
        if not out:
            return SeqStmt([], loc=self.loc(node))
        result = seq(*out)
        if result.loc is None:
            result.loc = out[0].loc
        return result

    @staticmethod
    def recoverable(s: ast.stmt) -> bool:
        """A statement after whose error parsing can go on: it binds no name later statements use."""
        if isinstance(s, (ast.Expr, ast.For)):
            return True
        if isinstance(s, ast.Assign):
            return all(isinstance(t, ast.Subscript) for t in s.targets)
        return isinstance(s, ast.AugAssign) and isinstance(s.target, ast.Subscript)

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
        if isinstance(s, ast.If):  # only a runtime index condition reaches here (flatten folds the rest)
            cond = self.eval(s.test)
            self.guards.append(cond)
            try:
                then = self.scoped_block(s.body, s, {})
            finally:
                self.guards.pop()
            other = None
            if s.orelse:
                self.guards.append(self.index_not(cond, s))  # type: ignore[attr-defined]
                try:
                    other = self.scoped_block(s.orelse, s, {})
                finally:
                    self.guards.pop()
            return IfThenElse(cond, then, other, loc=self.loc(s))
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

    # ------------------------------------------------------------------ calls as statements

    def call_stmt(self, call: ast.Call, s: ast.stmt) -> Stmt | None:
        fn = self.resolve_callee(call.func)
        handlers = {S.copy: self.copy, S.gemm: self.gemm, S.clear: self.clear, S.fill: self.fill,
                    S.transpose: self.transpose,
                    **{getattr(S, f"reduce_{k}"): (lambda c, k=k: self.reduce(c, k))
                       for k in ("sum", "max", "min", "abssum", "absmax")}}
        if fn in handlers:
            name = "T." + fn.__name__
            if self.parallel:
                self.error(f"{name} cannot be used inside a T.Parallel loop", call,
                           "T.Parallel bodies are element-wise stores; put tile operations outside the loop")
            if not self.in_kernel:  # pragma: no cover - the top level rejects these statements earlier
                self.error(f"{name} must be used inside the T.Kernel block", call)
            value = handlers[fn](call)
            if isinstance(value, Stmt):  # a staged tensor → tensor copy / transpose: its own internal buffer
                return value
            return Evaluate(value, loc=self.loc(s))
        if fn is S.use_swizzle:
            self.use_swizzle(call)
            return None
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
        if fn in (S.exp, S.max, S.min, S.relu, S.cast, S.ceildiv, S.exp2, S.log, S.log2, S.sqrt, S.rsqrt, S.abs,
                  S.sigmoid, S.tanh, S.gelu, S.silu, S.erf, S.pow, S.clamp, S.if_then_else, S.where):
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
            if not _is_int(stages) or stages < 0:
                self.error(f"num_stages of T.Pipelined must be at least 0, got {stages}", stages_node,
                           "0 or 1 = no overlap (a single-buffered CB), 2 = double buffering")
            # TileLang's num_stages=0 (no software pipelining) is a single-buffered CB: the same as 1
            annotations["num_stages"] = max(stages, 1)
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
        parts = body.stmts if isinstance(body, SeqStmt) else [body]
        gathers = [x for x in parts if is_gather(x)]
        if gathers:  # the loop variables live in the gather node: no loop around it
            if len(parts) > 1:
                self.error("an element gather (a store of a tensor element) must be the only store of its "
                           "T.Parallel loop", s, "put the other stores in a T.Parallel loop of their own")
            return gathers[0]
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
        if not writing and len(buf.shape) == 1 and len(loop_vars) == 2 and len(idx) == 1 \
                and any(idx[0] is v for v in loop_vars):
            # a row/column vector broadcast over the block: v[i] (one value per row), v[j] (per column)
            axis = next(k for k, v in enumerate(loop_vars) if idx[0] is v)
            if buf.shape[0] != extents[axis]:
                self.error(f"{buf.name} has {buf.shape[0]} values but the T.Parallel extent of {loop_vars[axis].name} "
                           f"is {extents[axis]}", sub, "a broadcast vector has one value per row (v[i]) or per column "
                           "(v[j]) of the block")
            return (loop_vars[axis],)
        if len(idx) != len(loop_vars) or any(a is not b for a, b in zip(idx, loop_vars)):
            verb = "write" if writing else "read"
            self.error(f"T.Parallel body must {verb} {buf.name} at [{want}] (the loop variables in order), "
                       f"got `{self.text(sub)}`", sub,
                       "element-wise bodies map loop variable k to dimension k of every buffer (a 1-D buffer may "
                       "also be read as v[i] or v[j] in a 2-D loop: a broadcast); transposed, offset or constant "
                       "indices are not supported")
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
        if is_tensor_element(value):  # an element gather (im2col): _parse_gather
            return self.gather_store(buf, target, value, s, aug)  # type: ignore[attr-defined]
        if aug is not None:
            old = BufferLoad(buf, indices, buf.dtype, loc=self.loc(target))
            value = self.binop(aug, old, value, s, target, value_node)
        value = self.value_expr(value, value_node)
        if buf in self.gemm_accs and needs_tree(buf, value):
            self.error(f"{buf.name} is a T.gemm accumulator (it lives in DST): it can only be updated with the "
                       "DST-resident forms", s, DST_FORMS)
        for ld in tree_loads(value):
            if ld.buffer in self.gemm_accs and ld.buffer is not buf:
                raise FrontendError(f"a T.Parallel body that writes {buf.name} cannot read the T.gemm accumulator "
                                    f"{ld.buffer.name}", ld.loc or self.loc(s),
                                    f"accumulators live in DST: T.copy({ld.buffer.name}, S) into a T.alloc_shared "
                                    "buffer S first and read S")
        try:  # the backend's own definition of what a T.Parallel store can compute
            check_store(buf, value, self.loc(target))
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

