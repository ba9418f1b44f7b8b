"""The tile IR of tt-build."""

from __future__ import annotations

from tt_build.ir.functor import StmtExprMutator, StmtExprVisitor, post_order
from tt_build.ir.nodes import (
    DTYPES,
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
    Node,
    PrimFunc,
    SeqStmt,
    StickGather,
    Stmt,
    StringImm,
    Var,
    as_expr,
    const,
    dtype_bytes,
    seq,
)
from tt_build.ir.printer import script
from tt_build.ir.structural import structural_equal

__all__ = [
    "DTYPES", "Allocate", "BinaryOp", "Buffer", "BufferLoad", "BufferRegion", "BufferStore", "Call", "Evaluate",
    "Expr", "FloatImm", "For", "IRModule", "IfThenElse", "IntImm", "KernelLaunch", "LetStmt", "MulticastCopy", "Node", "PrimFunc",
    "SeqStmt", "StickGather", "Stmt", "StmtExprMutator", "StmtExprVisitor", "StringImm", "Var", "as_expr", "const", "dtype_bytes",
    "post_order", "script", "seq", "structural_equal",
]
