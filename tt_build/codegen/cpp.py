"""IR → C++ statement printer for lowered device functions.

The templates in ``templates/`` own each file's structure (includes, ``kernel_main``, argument
prologue); this printer renders only the statement body of a lowered device function, one
statement per line. Buffers print as the names the prologue declares: a circular buffer as its
compile-time constant ``cb_<buffer>``, a tensor as its ``<tensor>_accessor``.

Variables are IR objects compared by identity, so two different variables may share a name (a
user's loop variable ``r`` and the tile-row loop ``r`` LowerCBIntrinsics adds inside it). The
printer gives every variable a loop or ``let`` binds a C++ name that is unique among the names
visible where it is declared: its own name when free, else ``<name>_1``, ``<name>_2``, ….
Unavailable are the names of every enclosing declaration, of earlier declarations in the same C++
block, the ``reserved`` names (the prologue's arguments and constants), C++ keywords and the
functions the body calls. Free variables (the runtime arguments) print as their own names.
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
    StmtExprVisitor,
    StringImm,
    Var,
)

__all__ = ["CppPrinter", "accessor_name", "cb_name"]

_PREC = {"or": 1, "and": 2, "==": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4, "+": 5, "-": 5, "*": 6, "//": 6, "%": 6}
_CPP_OP = {"//": "/", "and": "&&", "or": "||"}

#: IR ops whose C++ spelling differs from ``op[3:]`` (template arguments).
_SPELLING = {"tt.compute_kernel_hw_startup_reverse": "compute_kernel_hw_startup<SrcOrder::Reverse>",
             # the tile-level matmul_block call (the IR's tt.matmul_block is the block op it is expanded from)
             "tt.matmul_subblock": "matmul_block",
             # pack_tile into a given page of the reserved ones (out of order)
             "tt.pack_tile_at": "pack_tile<true>",
             # tilize_block of one tile row of a gathered row-major block (the IR's tt.tilize_block is the block op)
             "tt.tilize_rows": "tilize_block"}

#: IR ops that are member functions of their first argument: ``tt.tensor_noc_addr(tensor, page, offset)`` is
#: ``<tensor>_accessor.get_noc_addr(page, offset)`` (the free get_noc_addr(id, accessor) resolves to the
#: deprecated InterleavedAddrGen overload in 0.81)
_MEMBER = {"tt.tensor_noc_addr": "get_noc_addr"}

#: enum type of each template argument of the ops spelled ``tt.<name>:<arg>:<arg>``
_TEMPLATE_TYPES = {"reduce_init": ("PoolType", "ReduceDim"), "reduce_tile": ("PoolType", "ReduceDim"),
                   "unary_bcast": ("BroadcastType",), "unary_bcast_init": ("BroadcastType",),
                   "where_tile": ("DataFormat",),
                   **{f"{o}_reuse_dest_{k}": ("EltwiseBinaryReuseDestType",) for o in ("add", "sub", "mul")
                      for k in ("tiles", "init")}}

#: Names a kernel variable must never take: C++ keywords and the types / helpers of the kernel prologue.
CPP_RESERVED = frozenset("""
    alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t char16_t char32_t class
    compl concept const consteval constexpr constinit const_cast continue co_await co_return co_yield decltype
    default delete do double dynamic_cast else enum explicit export extern false float for friend goto if inline
    int long mutable namespace new noexcept not not_eq nullptr operator or or_eq private protected public register
    reinterpret_cast requires return short signed sizeof static static_assert static_cast struct switch template
    this thread_local throw true try typedef typeid typename union unsigned using virtual void volatile wchar_t
    while xor xor_eq
    std uint8_t uint16_t uint32_t uint64_t int32_t size_t kernel_main get_arg_val get_compile_time_arg_val
    TensorAccessor TensorAccessorArgs SrcOrder
""".split())


def cb_name(buf: Buffer) -> str:
    return f"cb_{buf.name}"


def accessor_name(buf: Buffer) -> str:
    return f"{buf.name}_accessor"


class CppPrinter:
    """Renders statements; ``indent`` is the depth of the body inside ``kernel_main``."""

    def __init__(self, indent: int = 1, reserved: frozenset[str] | set[str] = frozenset()) -> None:
        self.base = indent
        self.lines: list[str] = []
        self.reserved = set(reserved) | CPP_RESERVED
        self.names: dict[int, str] = {}  # id(Var) -> C++ name of a bound variable
        self.blocks: list[set[str]] = [set()]  # names declared per open C++ block

    def declare(self, var: Var) -> str:
        """Pick and record the C++ name of a variable declared in the current block."""
        base = var.name if var.name.isidentifier() else "v"
        taken = self.reserved.union(*self.blocks)
        name, n = base, 0
        while name in taken:
            n += 1
            name = f"{base}_{n}"
        self.names[id(var)] = name
        self.blocks[-1].add(name)
        return name

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
            return self.names.get(id(e), e.name)
        if isinstance(e, Buffer):
            return accessor_name(e) if e.scope == "global" else cb_name(e)
        if isinstance(e, BinaryOp):
            if e.op in ("min", "max"):  # index arithmetic is uint32_t (the let and loop variables')
                return f"std::{e.op}<uint32_t>({self.expr(e.a)}, {self.expr(e.b)})"
            p = _PREC[e.op]
            text = f"{self.expr(e.a, p)} {_CPP_OP.get(e.op, e.op)} {self.expr(e.b, p + 1)}"
            return f"({text})" if p < prec else text
        if isinstance(e, Call):
            if e.op in ("tt.noc_async_read_shard_page", "tt.noc_async_write_shard_page"):
                # (slot, tensor, l1, page_size): a page of this core's own shard, at <tensor>_addr + slot * page
                slot, tensor = self.expr(e.args[0], _PREC["*"] + 1), e.args[1]
                l1, page = self.expr(e.args[2]), self.expr(e.args[3])
                local = f"get_noc_addr({tensor.name}_addr + {slot} * {page})"
                if e.op == "tt.noc_async_read_shard_page":
                    return f"noc_async_read({local}, {l1}, {page})"
                return f"noc_async_write({l1}, {local}, {page})"
            if not e.op.startswith("tt."):
                msg = f"call {e.op} has no C++ lowering"
                raise PassError("CodegenTT", msg)
            if e.op in _MEMBER:  # a member function of the first argument (a tensor's accessor)
                obj, *rest = e.args
                return f"{self.expr(obj)}.{_MEMBER[e.op]}({', '.join(self.expr(a) for a in rest)})"
            name = _SPELLING.get(e.op, e.op[3:])
            if e.op not in _SPELLING and ":" in name:
                # template arguments: reduce_tile:SUM:REDUCE_ROW -> reduce_tile<PoolType::SUM, ReduceDim::REDUCE_ROW>
                base, *targs = name.split(":")
                types = _TEMPLATE_TYPES[base]
                name = f"{base}<{', '.join(f'{ty}::{a}' for ty, a in zip(types, targs))}>"
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
            value = self.expr(s.value)
            self.emit(depth, f"const uint32_t {self.declare(s.var)} = {value};")
            self.stmt(s.body, depth)
        elif isinstance(s, For):
            lo = self.expr(s.min)
            hi = self.expr(s.min + s.extent) if not isinstance(s.min, IntImm) or s.min.value else self.expr(s.extent)
            self.blocks.append(set())
            v = self.declare(s.var)
            self.emit(depth, f"for (uint32_t {v} = {lo}; {v} < {hi}; ++{v}) {{")
            self.stmt(s.body, depth + 1)
            self.blocks.pop()
            self.emit(depth, "}")
        elif isinstance(s, IfThenElse):
            self.emit(depth, f"if ({self.expr(s.cond)}) {{")
            self.block(s.then_case, depth + 1)
            if s.else_case is not None:
                self.emit(depth, "} else {")
                self.block(s.else_case, depth + 1)
            self.emit(depth, "}")
        else:
            msg = f"cannot print statement {type(s).__name__} as C++"
            raise PassError("CodegenTT", msg)

    def block(self, s: Stmt | None, depth: int) -> None:
        self.blocks.append(set())
        self.stmt(s, depth)
        self.blocks.pop()

    def render(self, s: Stmt) -> str:
        self.lines = []
        self.names = {}
        self.blocks = [set()]
        self.reserved |= {_SPELLING.get(c.op, c.op[3:]).split("<")[0].split(":")[0] for c in _calls(s)}
        self.stmt(s)
        return "\n".join(self.lines)


def _calls(s: Stmt) -> list[Call]:
    """Every ``tt.*`` call of ``s``, nested ones (``let p = get_write_ptr(cb)``) included."""
    out: list[Call] = []

    class V(StmtExprVisitor):
        def visit_Call(self, c: Call) -> None:  # noqa: N802 - visitor protocol
            if c.op.startswith("tt."):
                out.append(c)
            self.generic_visit(c)

    V().visit(s)
    return out
