"""Random kernels near the edge of what lowers: a base kernel (GEMM, element-wise, element-wise chain through
an on-chip buffer) with a few random mutations (statements inserted, deleted, duplicated, swapped, wrapped
in a loop; random element-wise expressions). Deterministic for a seed; rendered as kernel source text
(the front end parses source, so the kernels are written to a file and imported)."""

from __future__ import annotations

import random

__all__ = ["EXPRESSION_LEAVES", "expression", "fuzz_module"]

#: Operands of a random element-wise expression (a, b, s2: staged blocks; acc, f2: fragments).
EXPRESSION_LEAVES = ("a[i, j]", "b[i, j]", "acc[i, j]", "f2[i, j]", "2.0", "0")
_UNARY = ("T.exp({})", "T.relu({})", "-{}", "T.cast({}, 'float32')", "T.cast({}, 'bfloat16')", "T.max({}, 0)",
          "T.min({}, 0)")
_BINARY = ("{} + {}", "{} - {}", "{} * {}", "T.max({}, {})", "T.min({}, {})")
_STATEMENTS = (
    "T.copy(A[by * 32, bx * 32], a)", "T.copy(B[by * 32, bx * 32], b)", "T.clear(acc)", "T.fill(f2, 2.0)",
    "T.gemm(a, b, acc)", "T.copy(acc, s2)", "T.copy(s2, f2)", "T.copy(acc, C[by * 32, bx * 32])",
    "T.copy(f2, C[by * 32, bx * 32])", "T.copy(a, C[by * 32, bx * 32])", "T.copy(a, s2)", "T.copy(acc, f2)",
    "T.clear(a)",
)

Body = list  # of str | tuple[str, Body]


def expression(rng: random.Random, depth: int) -> str:
    r = rng.random()
    if depth == 0 or r < 0.35:  # noqa: PLR2004
        return rng.choice(EXPRESSION_LEAVES)
    if r < 0.65:  # noqa: PLR2004
        return rng.choice(_UNARY).format(expression(rng, depth - 1))
    return "(" + rng.choice(_BINARY).format(expression(rng, depth - 1), expression(rng, depth - 1)) + ")"


def _base(rng: random.Random) -> Body:
    kind = rng.choice(["gemm", "eltwise", "chain"])
    if kind == "gemm":
        body: Body = ["T.clear(acc)", ("for k in T.Pipelined(2, num_stages=2):", [
            "T.copy(A[by * 32, k * 32], a)", "T.copy(B[k * 32, bx * 32], b)", "T.gemm(a, b, acc)"])]
        if rng.random() < 0.5:  # noqa: PLR2004
            epilogue = rng.choice(["T.max(acc[i, j], 0)", "T.exp(acc[i, j])", "-acc[i, j]", "T.min(acc[i, j], 0)"])
            body.append(("for i, j in T.Parallel(32, 32):", [f"acc[i, j] = {epilogue}"]))
        return [*body, "T.copy(acc, C[by * 32, bx * 32])"]
    if kind == "eltwise":
        value = rng.choice(["a[i, j] + b[i, j]", "a[i, j] * b[i, j]", "T.exp(a[i, j] - b[i, j])"])
        return ["T.copy(A[by * 32, bx * 32], a)", "T.copy(B[by * 32, bx * 32], b)",
                ("for i, j in T.Parallel(32, 32):", [f"acc[i, j] = {value}"]), "T.copy(acc, C[by * 32, bx * 32])"]
    return ["T.copy(A[by * 32, bx * 32], a)", "T.copy(B[by * 32, bx * 32], b)",
            ("for i, j in T.Parallel(32, 32):", ["acc[i, j] = a[i, j] + b[i, j]"]), "T.copy(acc, s2)",
            ("for i, j in T.Parallel(32, 32):", ["f2[i, j] = T.exp(s2[i, j])"]), "T.copy(f2, C[by * 32, bx * 32])"]


def _positions(body: Body) -> list[tuple[Body, int]]:
    out = []
    for i, s in enumerate(body):
        out.append((body, i))
        if isinstance(s, tuple):
            out += _positions(s[1])
    return out


def _mutate(rng: random.Random, body: Body) -> None:
    lst, i = rng.choice(_positions(body))
    r = rng.random()
    if r < 0.2:  # noqa: PLR2004
        lst.insert(i, rng.choice(_STATEMENTS))
    elif r < 0.35 and len(lst) > 1:  # noqa: PLR2004
        del lst[i]
    elif r < 0.5:  # noqa: PLR2004
        lst.insert(i, lst[i] if not isinstance(lst[i], tuple) else (lst[i][0], list(lst[i][1])))
    elif r < 0.65:  # noqa: PLR2004
        j = rng.randrange(len(lst))
        lst[i], lst[j] = lst[j], lst[i]
    elif r < 0.8:  # noqa: PLR2004
        dst = rng.choice(["acc", "f2"])
        lst.insert(i, ("for i, j in T.Parallel(32, 32):", [f"{dst}[i, j] = {expression(rng, 2)}"]))
    else:
        lst.insert(i, ("for r in T.serial(2):", [lst.pop(i)]))


def _render(body: Body, indent: str) -> list[str]:
    out = []
    for s in body:
        if isinstance(s, tuple):
            out.append(indent + s[0])
            out += _render(s[1], indent + "    ") or [indent + "    pass"]
        else:
            out.append(indent + s)
    return out


def _kernel(rng: random.Random, idx: int) -> str:
    body = _base(rng)
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        _mutate(rng, body)
    acc_dtype, f2_dtype = rng.choice(["float32", "bfloat16"]), rng.choice(["float32", "bfloat16"])
    ind = " " * 12
    return "\n".join([
        f"def k{idx}():",
        "    @T.prim_func",
        "    def main(A: T.Tensor((64, 64), 'bfloat16'), B: T.Tensor((64, 64), 'bfloat16'),",
        "             C: T.Tensor((64, 64), 'bfloat16')):",
        "        with T.Kernel(2, 2) as (bx, by):",
        f"{ind}a = T.alloc_shared((32, 32), 'bfloat16')",
        f"{ind}b = T.alloc_shared((32, 32), 'bfloat16')",
        f"{ind}s2 = T.alloc_shared((32, 32), 'bfloat16')",
        f"{ind}acc = T.alloc_fragment((32, 32), '{acc_dtype}')",
        f"{ind}f2 = T.alloc_fragment((32, 32), '{f2_dtype}')",
        *_render(body, ind),
        "    return main",
        "",
    ])


def fuzz_module(seed: int, count: int) -> str:
    """Source of a module defining ``k0() … k<count-1>()``, each returning a parsed kernel."""
    rng = random.Random(seed)
    return "import tt_build.language as T\n\n\n" + "\n\n".join(_kernel(rng, i) for i in range(count))
