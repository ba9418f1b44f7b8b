"""Parser: kernel parameters, shapes, dtypes and on-chip allocations (T.Tensor, T.alloc_*).
"""

from __future__ import annotations

import ast
from typing import Any

from tt_build.ir.nodes import (
    Buffer,
)
from tt_build.language import _surface as S
from tt_build.language._gpu_only import gpu_only_dtype_hint
from tt_build.language._parse_base import (
    _REQ,
    TILE,
    ParserBase,
    _fmt_shape,
    _is_int,
    _is_static,
)


class AllocMixin(ParserBase):
    def dtype(self, arg: Any, call: ast.AST) -> str:
        node = self.arg_node(arg, call)
        v = self.arg_static(arg)
        if isinstance(v, str):
            name = S.DTYPE_ALIASES.get(str.__str__(v), str.__str__(v))
            if name in S.SUPPORTED_DTYPES:
                return name
        if isinstance(v, str) and gpu_only_dtype_hint(str.__str__(v)):
            self.error(f"dtype {str.__str__(v)!r} is GPU-only: Tensix has no fp8 element type", node,
                       "use 'bfloat16' (or 'float16' / 'float32')")
        shown = repr(str.__str__(v)) if isinstance(v, str) else (self.text(node) if not _is_static(v) else repr(v))
        self.error(f"unsupported dtype {shown}", node,
                   "supported dtypes: 'bfloat16' (T.bfloat16), 'float16' ('half', T.float16) and 'float32' "
                   "('float', T.float32, T.float)")


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

    def shape(self, node: ast.AST, call: ast.AST, what: str, *, rank: tuple[int, ...] | None, tile_aligned: bool,
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
        if rank is not None and len(dims) not in rank:
            self.error(f"{fname} expects a 2-D shape (rows, cols) or a 1-D shape (n,); got a {len(dims)}-D shape "
                       f"{tuple(dims)} for {what}", node,
                       "on-chip buffers are 2-D grids of 32×32 tiles, or row/column vectors (one tile per 32 values)")
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
        shape = self.shape(args["shape"], call, name, rank=(1, 2), tile_aligned=True, fname=fname)
        dtype = self.dtype(args["dtype"], call)
        scope = "shared" if fn is S.alloc_shared else "fragment"
        buf = Buffer(name, shape, dtype, scope, loc=self.loc(s))
        self.buffer_names[name] = buf
        return buf

