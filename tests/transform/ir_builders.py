"""Front-end-shaped IR built by hand, so pass tests do not depend on the parser; and small helpers that
pick apart or damage lowered modules (to show VerifyTTIR rejects the result)."""

from __future__ import annotations

from tt_build.ir import (
    Allocate,
    BinaryOp,
    Buffer,
    BufferLoad,
    BufferRegion,
    BufferStore,
    Call,
    Evaluate,
    FloatImm,
    For,
    IntImm,
    IRModule,
    KernelLaunch,
    PrimFunc,
    SeqStmt,
    StmtExprMutator,
    Var,
    seq,
)

from tt_build.ir import attrs as A

__all__ = ["drop_first", "eltwise_ir", "gemm_ir", "kernel_roles"]


def kernel_roles(mod: IRModule) -> dict[str, PrimFunc]:
    """The device kernels of a lowered module by ``tt.kernel_role``."""
    return {f.attrs[A.KERNEL_ROLE]: f for f in mod.functions.values()}


def drop_first(mod: IRModule, role: str, op: str) -> IRModule:
    """``mod`` with the first ``op`` call of the ``role`` kernel removed."""
    class Drop(StmtExprMutator):
        done = False

        def visit_Evaluate(self, node: Evaluate):  # noqa: N802, ANN202
            if not self.done and isinstance(node.value, Call) and node.value.op == op:
                self.done = True
                return SeqStmt([])
            return node

    funcs = dict(mod.functions)
    f = kernel_roles(mod)[role]
    funcs[f.name] = f.with_body(Drop().visit(f.body))
    return IRModule(funcs, dict(mod.attrs))


def _ceildiv(a: int, b: int) -> int:
    return (a + b - 1) // b


def gemm_ir(M: int, N: int, K: int, bm: int = 32, bn: int = 32, bk: int = 32, stages: int = 2,  # noqa: N803
            names: tuple[str, str, str] = ("A", "B", "C"), transpose_b: bool = False,
            accum: str = "float32") -> PrimFunc:
    a = Buffer(names[0], (M, K), "bfloat16")
    b = Buffer(names[1], (N, K) if transpose_b else (K, N), "bfloat16")
    c = Buffer(names[2], (M, N), "bfloat16")
    a_s = Buffer(names[0] + "_shared", (bm, bk), "bfloat16", "shared")
    b_s = Buffer(names[1] + "_shared", (bn, bk) if transpose_b else (bk, bn), "bfloat16", "shared")
    c_l = Buffer(names[2] + "_local", (bm, bn), accum, "fragment")
    bx, by, k = Var("bx"), Var("by"), Var("k")
    b_start = (bx * bn, k * bk) if transpose_b else (k * bk, bx * bn)
    body = seq(
        Evaluate(Call("tl.fill", (c_l, FloatImm(0.0)))),
        For(k, IntImm(0), IntImm(_ceildiv(K, bk)), "pipelined", seq(
            Evaluate(Call("tl.copy", (BufferRegion(a, (by * bm, k * bk), (bm, bk)), BufferRegion.full(a_s)))),
            Evaluate(Call("tl.copy", (BufferRegion(b, b_start, b_s.shape), BufferRegion.full(b_s)))),
            Evaluate(Call("tl.gemm", (a_s, b_s, c_l, IntImm(0, "bool"), IntImm(int(transpose_b), "bool")))),
        ), {"num_stages": stages}),
        Evaluate(Call("tl.copy", (BufferRegion.full(c_l), BufferRegion(c, (by * bm, bx * bn), (bm, bn))))),
    )
    body = Allocate(a_s, Allocate(b_s, Allocate(c_l, body)))
    launch = KernelLaunch((IntImm(_ceildiv(N, bn)), IntImm(_ceildiv(M, bm))), (bx, by), body)
    return PrimFunc("gemm", [a, b, c], launch)


def eltwise_ir(M: int, N: int, op: str = "add", bm: int = 32, bn: int = 32,  # noqa: N803
               unary: str | None = None) -> PrimFunc:
    a = Buffer("A", (M, N), "bfloat16")
    b = Buffer("B", (M, N), "bfloat16")
    c = Buffer("C", (M, N), "bfloat16")
    a_s = Buffer("A_shared", (bm, bn), "bfloat16", "shared")
    b_s = Buffer("B_shared", (bm, bn), "bfloat16", "shared")
    c_l = Buffer("C_local", (bm, bn), "bfloat16", "fragment")
    bx, by, i, j = Var("bx"), Var("by"), Var("i"), Var("j")
    sym = {"add": "+", "sub": "-", "mul": "*"}[op]
    value = BinaryOp(sym, BufferLoad(a_s, (i, j), "bfloat16"), BufferLoad(b_s, (i, j), "bfloat16"), "bfloat16")
    if unary == "exp":
        value = Call("math.exp", (value,), "bfloat16")
    elif unary == "relu":
        value = BinaryOp("max", value, FloatImm(0.0), "bfloat16")
    store = BufferStore(c_l, value, (i, j))
    body = seq(
        Evaluate(Call("tl.copy", (BufferRegion(a, (by * bm, bx * bn), (bm, bn)), BufferRegion.full(a_s)))),
        Evaluate(Call("tl.copy", (BufferRegion(b, (by * bm, bx * bn), (bm, bn)), BufferRegion.full(b_s)))),
        For(i, IntImm(0), IntImm(bm), "parallel", For(j, IntImm(0), IntImm(bn), "parallel", store)),
        Evaluate(Call("tl.copy", (BufferRegion.full(c_l), BufferRegion(c, (by * bm, bx * bn), (bm, bn))))),
    )
    body = Allocate(a_s, Allocate(b_s, Allocate(c_l, body)))
    launch = KernelLaunch((IntImm(_ceildiv(N, bn)), IntImm(_ceildiv(M, bm))), (bx, by), body)
    return PrimFunc("eltwise", [a, b, c], launch)
