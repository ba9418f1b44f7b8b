"""Front end (tt_build.language): reference kernels and every supported construct parse into exact IR."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

import tt_build.language as T
from tt_build.driver import list_instances, load_kernel_module
from tt_build.errors import FrontendError, TTBuildError
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
    IfThenElse,
    IntImm,
    KernelLaunch,
    Node,
    PrimFunc,
    Var,
    post_order,
    script,
    seq,
    structural_equal,
)
from tt_build.ir.attrs import LAYOUT_ANNOTATIONS, LAYOUT_LOCATIONS

from tests.conftest import REFERENCE_KERNELS as KERNELS

GEMM_PY = KERNELS / "gemm.py"
ELTWISE_PY = KERNELS / "eltwise.py"


def instance(path: Path, name: str) -> PrimFunc:
    module, _ = load_kernel_module(path)
    for inst in list_instances(path):
        if inst.name == name:
            return getattr(module, inst.factory)(**inst.args)
    raise KeyError(name)


# ----------------------------------------------------------------------------- expected IR, built by hand


def expected_gemm(M: int, N: int, K: int, bm: int, bn: int, bk: int, names: tuple[str, str, str] = ("A", "B", "C"),
                  stages: int = 2) -> PrimFunc:
    a, b, c = (Buffer(n, s, "bfloat16", "global") for n, s in zip(names, ((M, K), (K, N), (M, N))))
    bx, by, k = Var("bx"), Var("by"), Var("k")
    a_s = Buffer("A_shared", (bm, bk), "bfloat16", "shared")
    b_s = Buffer("B_shared", (bk, bn), "bfloat16", "shared")
    c_l = Buffer("C_local", (bm, bn), "float32", "fragment")
    loop = For(k, IntImm(0), IntImm(K // bk), "pipelined", seq(
        Evaluate(Call("tl.copy", (BufferRegion(a, (by * bm, k * bk), (bm, bk)), BufferRegion.full(a_s)))),
        Evaluate(Call("tl.copy", (BufferRegion(b, (k * bk, bx * bn), (bk, bn)), BufferRegion.full(b_s)))),
        Evaluate(Call("tl.gemm", (a_s, b_s, c_l, IntImm(0, "bool"), IntImm(0, "bool")))),
    ), {"num_stages": stages})
    body = seq(
        Evaluate(Call("tl.fill", (c_l, FloatImm(0.0)))),
        loop,
        Evaluate(Call("tl.copy", (BufferRegion.full(c_l), BufferRegion(c, (by * bm, bx * bn), (bm, bn))))),
    )
    launch = KernelLaunch((IntImm(N // bn), IntImm(M // bm)), (bx, by),
                          Allocate(a_s, Allocate(b_s, Allocate(c_l, body))))
    return PrimFunc("gemm", [a, b, c], launch, {})


def expected_eltwise(M: int, N: int, op: str, bm: int = 32, bn: int = 32) -> PrimFunc:
    a, b, c = (Buffer(n, (M, N), "bfloat16", "global") for n in "ABC")
    bx, by, i, j = Var("bx"), Var("by"), Var("i"), Var("j")
    a_s = Buffer("A_shared", (bm, bn), "bfloat16", "shared")
    b_s = Buffer("B_shared", (bm, bn), "bfloat16", "shared")
    c_l = Buffer("C_local", (bm, bn), "bfloat16", "fragment")
    value = BinaryOp(op, BufferLoad(a_s, (i, j), "bfloat16"), BufferLoad(b_s, (i, j), "bfloat16"), "bfloat16")
    loop = For(i, IntImm(0), IntImm(bm), "parallel",
               For(j, IntImm(0), IntImm(bn), "parallel", BufferStore(c_l, value, (i, j))))
    body = seq(
        Evaluate(Call("tl.copy", (BufferRegion(a, (by * bm, bx * bn), (bm, bn)), BufferRegion.full(a_s)))),
        Evaluate(Call("tl.copy", (BufferRegion(b, (by * bm, bx * bn), (bm, bn)), BufferRegion.full(b_s)))),
        loop,
        Evaluate(Call("tl.copy", (BufferRegion.full(c_l), BufferRegion(c, (by * bm, bx * bn), (bm, bn))))),
    )
    launch = KernelLaunch((IntImm(N // bn), IntImm(M // bm)), (bx, by),
                          Allocate(a_s, Allocate(b_s, Allocate(c_l, body))))
    return PrimFunc("eltwise", [a, b, c], launch, {})


# ----------------------------------------------------------------------------- reference instances


@pytest.mark.parametrize(("path", "name"), [
    (GEMM_PY, "gemm_256"), (GEMM_PY, "gemm_512"), (GEMM_PY, "gemm_1024"),
    (ELTWISE_PY, "eltwise_add_256"), (ELTWISE_PY, "eltwise_mul_256"),
])
def test_every_reference_instance_parses(path: Path, name: str) -> None:
    func = instance(path, name)
    assert isinstance(func, PrimFunc)
    assert [p.name for p in func.params] == ["A", "B", "C"]
    assert all(p.scope == "global" and p.dtype == "bfloat16" for p in func.params)
    assert isinstance(func.body, KernelLaunch)
    assert func.attrs == {}


def test_reference_instance_list_is_complete() -> None:
    names = {i.name for p in (GEMM_PY, ELTWISE_PY) for i in list_instances(p)}
    assert {"gemm_256", "gemm_512", "gemm_1024", "eltwise_add_256", "eltwise_mul_256"} <= names


@pytest.mark.parametrize(("name", "args"), [
    ("gemm_256", (256, 256, 256, 32, 32, 32)),
    ("gemm_512", (512, 512, 512, 32, 32, 32)),
    ("gemm_1024", (1024, 1024, 1024, 64, 64, 32)),
])
def test_gemm_exact_structure(name: str, args: tuple[int, ...]) -> None:
    assert structural_equal(instance(GEMM_PY, name), expected_gemm(*args))


def test_structural_equality_is_not_vacuous() -> None:
    func = instance(GEMM_PY, "gemm_256")
    assert not structural_equal(func, expected_gemm(256, 256, 256, 32, 32, 32, stages=3))
    assert not structural_equal(func, expected_gemm(256, 256, 512, 32, 32, 32))
    assert not structural_equal(func, expected_eltwise(256, 256, "+"))


@pytest.mark.parametrize(("name", "op"), [("eltwise_add_256", "+"), ("eltwise_mul_256", "*")])
def test_eltwise_exact_structure_and_folded_branch(name: str, op: str) -> None:
    func = instance(ELTWISE_PY, name)
    assert structural_equal(func, expected_eltwise(256, 256, op))
    other = "*" if op == "+" else "+"
    assert not structural_equal(func, expected_eltwise(256, 256, other))
    found: list[Node] = []
    post_order(func.body, lambda n: found.append(n) if isinstance(n, IfThenElse) else None)
    assert found == []  # `if op == "add"` is folded at parse time, never emitted


GEMM_256_SCRIPT = """\
@T.prim_func
def gemm(A: T.Tensor((256, 256), "bfloat16"), B: T.Tensor((256, 256), "bfloat16"), C: T.Tensor((256, 256), "bfloat16")):
    with T.Kernel(8, 8) as (bx, by):
        A_shared = T.alloc_shared((32, 32), "bfloat16")
        B_shared = T.alloc_shared((32, 32), "bfloat16")
        C_local = T.alloc_fragment((32, 32), "float32")
        T.fill(C_local, 0.0)
        for k in T.Pipelined(8, num_stages=2):
            T.copy(A[by * 32:by * 32 + 32, k * 32:k * 32 + 32], A_shared[0:32, 0:32])
            T.copy(B[k * 32:k * 32 + 32, bx * 32:bx * 32 + 32], B_shared[0:32, 0:32])
            T.gemm(A_shared, B_shared, C_local, False, False)
        T.copy(C_local[0:32, 0:32], C[by * 32:by * 32 + 32, bx * 32:bx * 32 + 32])
"""


def test_gemm_script_golden() -> None:
    assert script(instance(GEMM_PY, "gemm_256")) == GEMM_256_SCRIPT


def test_gemm_1024_script_uses_64_blocks() -> None:
    text = script(instance(GEMM_PY, "gemm_1024"))
    assert "with T.Kernel(16, 16) as (bx, by):" in text
    assert 'C_local = T.alloc_fragment((64, 64), "float32")' in text
    assert "for k in T.Pipelined(32, num_stages=2):" in text
    assert "T.copy(A[by * 64:by * 64 + 64, k * 32:k * 32 + 32], A_shared[0:64, 0:32])" in text


def _line_col(path: Path, needle: str) -> tuple[int, int, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    hits = [(n, line) for n, line in enumerate(lines, 1) if needle in line]
    assert len(hits) == 1, needle
    n, line = hits[0]
    return n, line.index(needle) + 1, line


def test_copy_node_location() -> None:
    func = instance(GEMM_PY, "gemm_256")
    loop = func.body.body.body.body.body.stmts[1]  # KernelLaunch/Allocate×3/Seq → For
    assert isinstance(loop, For)
    copy_a = loop.body.stmts[0]
    line, col, text = _line_col(GEMM_PY, "T.copy(A[by * block_M, k * block_K], A_shared)")
    assert copy_a.loc.file == str(GEMM_PY.resolve())
    assert (copy_a.loc.line, copy_a.loc.col) == (line, col)
    assert copy_a.loc.source_line == text
    call = copy_a.value
    assert (call.loc.line, call.loc.col) == (line, col)
    region = call.args[0]
    assert (region.loc.line, region.loc.col) == (line, col + len("T.copy("))
    assert (call.args[1].loc.line, call.args[1].loc.col) == (line, text.index("A_shared)") + 1)
    # the multiplication `by * block_M` is located at `by`
    start = region.starts[0]
    assert isinstance(start, BinaryOp)
    assert (start.loc.line, start.loc.col) == (line, text.index("by * block_M") + 1)


def test_loop_and_kernel_locations() -> None:
    func = instance(GEMM_PY, "gemm_256")
    line, col, _ = _line_col(GEMM_PY, "with T.Kernel(")
    assert (func.body.loc.line, func.body.loc.col) == (line, col)
    line, col, text = _line_col(GEMM_PY, "for k in T.Pipelined(")
    loop = func.body.body.body.body.body.stmts[1]
    assert (loop.loc.line, loop.loc.col) == (line, col)
    assert (loop.var.loc.line, loop.var.loc.col) == (line, text.index("k in") + 1)
    line, _, _ = _line_col(GEMM_PY, "def gemm(")
    assert func.loc.line == line  # the `def` line (not the decorator)


@pytest.mark.parametrize(("path", "name"), [(GEMM_PY, "gemm_1024"), (ELTWISE_PY, "eltwise_add_256")])
def test_every_node_has_a_location_in_the_kernel_file(path: Path, name: str) -> None:
    func = instance(path, name)
    missing: list[str] = []

    def check(n: Node) -> None:
        if n.loc is None or n.loc.file != str(path.resolve()) or n.loc.line < 1 or n.loc.col < 1:
            missing.append(repr(n)[:80])

    post_order(func, check)
    assert missing == []


# ----------------------------------------------------------------------------- renaming


def matmul_renamed(M, N, K, block_M=32, block_N=32, block_K=32, dtype="bfloat16", accum_dtype="float32"):
    @T.prim_func
    def gemm(
        x: T.Tensor((M, K), dtype),
        w: T.Tensor((K, N), dtype),
        out: T.Tensor((M, N), dtype),
    ):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            A_shared = T.alloc_shared((block_M, block_K), dtype)
            B_shared = T.alloc_shared((block_K, block_N), dtype)
            C_local = T.alloc_fragment((block_M, block_N), accum_dtype)
            T.clear(C_local)
            for k in T.Pipelined(T.ceildiv(K, block_K), num_stages=2):
                T.copy(x[by * block_M, k * block_K], A_shared)
                T.copy(w[k * block_K, bx * block_N], B_shared)
                T.gemm(A_shared, B_shared, C_local)
            T.copy(C_local, out[by * block_M, bx * block_N])

    return gemm


def test_renaming_tensors_gives_structurally_equal_ir() -> None:
    renamed = matmul_renamed(256, 256, 256)
    assert [p.name for p in renamed.params] == ["x", "w", "out"]
    assert structural_equal(renamed, instance(GEMM_PY, "gemm_256"))
    assert structural_equal(renamed, expected_gemm(256, 256, 256, 32, 32, 32, names=("x", "w", "out")))
    text = script(instance(GEMM_PY, "gemm_256"))
    for old, new in (("A[", "x["), ("B[", "w["), ("C[", "out["), ("A: ", "x: "), ("B: ", "w: "), ("C: ", "out: ")):
        text = text.replace(old, new)
    assert script(renamed) == text


# ----------------------------------------------------------------------------- the rest of the surface


def test_one_d_kernel_loops_and_threads_kwarg() -> None:
    def factory(n):
        @T.prim_func
        def k1(X: T.Tensor((32, n * 32), T.bfloat16)):
            with T.Kernel(n, threads=128) as bx:
                S = T.alloc_shared((32, 32), T.bfloat16)
                for a in T.serial(2, 6):
                    for b in T.unroll(3):
                        for c in range(4):
                            T.copy(X[0, bx * 32], S)
                for d in T.serial(5):
                    T.fill(S, 1)

        return k1

    func = factory(4)
    launch = func.body
    assert isinstance(launch, KernelLaunch)
    assert [g.value for g in launch.grid] == [4] and [v.name for v in launch.block_vars] == ["bx"]
    alloc = launch.body
    assert isinstance(alloc, Allocate) and alloc.buffer.scope == "shared"
    outer, tail = alloc.body.stmts
    assert (outer.kind, outer.min.value, outer.extent.value) == ("serial", 2, 4)
    assert (outer.body.kind, outer.body.extent.value) == ("unrolled", 3)
    assert (outer.body.body.kind, outer.body.body.extent.value) == ("serial", 4)
    assert outer.annotations == {} and tail.kind == "serial" and tail.extent.value == 5
    assert structural_equal(tail.body, Evaluate(Call("tl.fill", (alloc.buffer, FloatImm(1.0)))))
    assert "for a in T.serial(2, 6):" in script(func)


def test_parallel_math_temporaries_casts_and_several_stores() -> None:
    def factory():
        @T.prim_func
        def k2(X: T.Tensor((64, 64), "bfloat16"), Y: T.Tensor((64, 64), "float32")):
            with T.Kernel(2, 2) as (bx, by):
                S = T.alloc_shared((32, 32), "bfloat16")
                F = T.alloc_fragment((32, 32), "float32")
                T.copy(X[by * 32, bx * 32], S)
                for i, j in T.Parallel(32, 32):
                    t = S[i, j] * S[i, j]
                    F[i, j] = T.exp(t) if True else 0.0
                    F[i, j] = T.min(-T.relu(F[i, j]), 0)
                    F[i, j] = T.cast(-S[i, j], "float32")
                    F[i, j] = T.float32(S[i, j]) * T.cast(S[i, j], "float32")
                T.copy(F, Y[by * 32, bx * 32])

        return k2

    func = factory()
    s, f = func.body.body.buffer, func.body.body.body.buffer
    loop = func.body.body.body.body.stmts[1]
    assert loop.kind == "parallel" and loop.body.kind == "parallel"
    i, j = loop.var, loop.body.var
    store1, store2, store3, store4 = loop.body.body.stmts

    def load(b: Buffer) -> BufferLoad:
        return BufferLoad(b, (i, j), b.dtype)

    t = BinaryOp("*", load(s), load(s), "bfloat16")
    assert structural_equal(store1, BufferStore(f, Call("math.exp", (t,), "bfloat16"), (i, j)))
    relu = BinaryOp("max", load(f), FloatImm(0.0), "float32")
    v2 = BinaryOp("min", BinaryOp("-", FloatImm(0.0), relu, "float32"), FloatImm(0.0), "float32")
    assert structural_equal(store2, BufferStore(f, v2, (i, j)))
    neg = BinaryOp("-", FloatImm(0.0), load(s), "bfloat16")
    assert structural_equal(store3, BufferStore(f, Call("math.cast", (neg,), "float32"), (i, j)))
    v4 = BinaryOp("*", Call("math.cast", (load(s),), "float32"), Call("math.cast", (load(s),), "float32"),
                  "float32")
    assert structural_equal(store4, BufferStore(f, v4, (i, j)))


def test_gemm_transposes_policy_and_copy_forms() -> None:
    def factory():
        @T.prim_func
        def k3(A: T.Tensor((64, 32), "bfloat16"), B: T.Tensor((64, 64), "bfloat16"), C: T.Tensor((32, 64), "float32")):
            with T.Kernel(1) as b:
                As = T.alloc_shared((64, 32), "bfloat16")
                Bs = T.alloc_shared((64, 64), "bfloat16")  # (N, K): transposed
                Cl = T.alloc_fragment((32, 64), "float32")
                Cs = T.alloc_shared((32, 64), "float32")
                T.copy(A, As)
                T.copy(B[b * 64:b * 64 + 64, :], Bs)
                T.gemm(As, Bs, Cl, True, transpose_B=True, policy=None, k_pack=1)
                T.copy(Cl, Cs)
                T.copy(Cs, C[0:32, 0:64])

        return k3

    func = factory()
    stmts = func.body.body.body.body.body.body.stmts  # KernelLaunch/Allocate×4 → Seq
    a, b, c = func.params
    a_s, b_s = func.body.body.buffer, func.body.body.body.buffer
    assert structural_equal(stmts[0].value.args[0], BufferRegion(a, (IntImm(0), IntImm(0)), (64, 32)))
    bvar = func.body.block_vars[0]
    assert structural_equal(stmts[1].value.args[0], BufferRegion(b, (bvar * 64, IntImm(0)), (64, 64)))
    # transpose_A: A is transposed (transpose_tile) into an internal L1 block A_T first, then multiplied
    staged = stmts[2]
    assert isinstance(staged, Allocate) and staged.buffer.name == "As_T" and staged.buffer.shape == (32, 64)
    frag = staged.body
    assert isinstance(frag, Allocate) and frag.buffer.scope == "fragment"
    tr, pack, mm = frag.body.stmts
    assert tr.value.op == "tl.transpose" and tr.value.args == (a_s, frag.buffer)
    assert pack.value.op == "tl.copy" and [r.buffer for r in pack.value.args] == [frag.buffer, staged.buffer]
    gemm = mm.value
    assert gemm.op == "tl.gemm" and gemm.args[:2] == (staged.buffer, b_s)
    assert structural_equal(gemm.args[3:], (IntImm(0, "bool"), IntImm(1, "bool")))
    on_chip = stmts[3].value.args
    assert [r.buffer.scope for r in on_chip] == ["fragment", "shared"]
    assert structural_equal(stmts[4].value.args[1], BufferRegion(c, (IntImm(0), IntImm(0)), (32, 64)))


def test_annotate_layout_and_constant_prelude() -> None:
    def factory(layout, sharded):
        @T.prim_func
        def k4(A: T.Tensor((64, 64), "bfloat16"), C: T.Tensor((64, 64), "bfloat16")):
            """Docstrings are allowed."""
            rows = 32
            T.annotate_layout({A: layout})
            if sharded:
                T.annotate_layout({"C": "l1_block_sharded"})
            with T.Kernel(2, 64 // rows) as (bx, by):
                T.annotate_layout({A: layout})
                S = T.alloc_shared((rows, 32), "bfloat16")
                T.copy(A[by * rows, bx * 32], S)
                T.copy(S, C[by * rows, bx * 32])

        return k4

    func = factory("l1_height_sharded", True)
    assert func.attrs[LAYOUT_ANNOTATIONS] == {"A": "l1_height_sharded", "C": "l1_block_sharded"}
    assert LAYOUT_ANNOTATIONS == "tt.layout_annotations"
    # where each layout was first requested (the dict value), for diagnostics of later passes
    lines = Path(__file__).read_text(encoding="utf-8").splitlines()
    locs = func.attrs[LAYOUT_LOCATIONS]
    assert sorted(locs) == ["A", "C"]
    for name, text in (("A", "layout})"), ("C", '"l1_block_sharded"})')):
        file, line, col, source = locs[name]
        assert (file, source) == (__file__, lines[line - 1])
        assert source.index(text) + 1 == col
    assert set(func.attrs) == {LAYOUT_ANNOTATIONS, LAYOUT_LOCATIONS}
    assert factory("dram_interleaved", False).attrs[LAYOUT_ANNOTATIONS] == {"A": "dram_interleaved"}
    assert [g.value for g in func.body.grid] == [2, 2]


def test_constant_if_inside_kernel_splices_allocations() -> None:
    def factory(big):
        @T.prim_func
        def k5(A: T.Tensor((128, 128), "bfloat16")):
            with T.Kernel(2) as bx:
                if big:
                    S = T.alloc_shared((64, 64), "bfloat16")
                elif big is None:
                    S = T.alloc_shared((96, 96), "bfloat16")
                else:
                    S = T.alloc_shared((32, 32), "bfloat16")
                T.copy(A[bx * 64 if big else bx * 32, 0], S)

        return k5

    for big, shape in ((True, (64, 64)), (False, (32, 32))):
        func = factory(big)
        alloc = func.body.body
        assert isinstance(alloc, Allocate) and alloc.buffer.shape == shape
        assert isinstance(alloc.body, Evaluate)  # the copy lives inside the allocation
        assert alloc.body.value.args[0].extents == shape


def test_annotation_names_resolve_from_the_factory_locals() -> None:
    # With `from __future__ import annotations` (this file), names used only in annotations are not in the
    # kernel's closure; they resolve through the factory's locals at decoration time.
    def factory(rows, cols):
        ncols = cols * 2

        @T.prim_func
        def k6(A: T.Tensor((rows, ncols), "float32")):
            with T.Kernel(1) as bx:
                S = T.alloc_shared((32, 32), "float32")
                T.copy(A[0, bx * 32], S)

        return k6

    assert factory(32, 64).params[0].shape == (32, 128)


def test_prim_func_on_an_existing_primfunc_is_identity() -> None:
    func = matmul_renamed(64, 64, 64)
    assert T.prim_func(func) is func


# ----------------------------------------------------------------------------- the public surface

SURFACE = ["prim_func", "Tensor", "Kernel", "alloc_shared", "alloc_fragment", "copy", "gemm", "clear", "fill",
           "Parallel", "Pipelined", "serial", "unroll", "ceildiv", "exp", "max", "min", "relu", "cast",
           "annotate_layout", "bfloat16", "float32",
           # dtypes and the row-wise surface (docs/language.md, "Row-wise kernels")
           "float16", "float", "half", "dtype", "exp2", "log", "log2", "sqrt", "rsqrt", "abs", "sigmoid", "tanh",
           "gelu", "silu", "erf", "clamp", "pow", "infinity", "if_then_else", "where", "reduce_sum", "reduce_max",
           "reduce_min", "reduce_abssum", "reduce_absmax",
           # grids and batches (docs/language.md, "Grids, batches and tensors of any rank")
           "use_swizzle", "transpose"]


def test_public_surface_is_exactly_the_supported_one_and_documented() -> None:
    assert sorted(T.__all__) == sorted(SURFACE)
    for name in SURFACE:
        doc = inspect.getdoc(getattr(T, name))
        assert doc and len(doc) > 20, name
    assert T.bfloat16 == "bfloat16" and T.float32 == "float32"


def test_public_surface_is_documented_in_docs_language_md() -> None:
    doc = Path(__file__).resolve().parent.parent / "docs" / "language.md"
    text = doc.read_text(encoding="utf-8")
    for name in SURFACE:
        assert f"T.{name}" in text, name


@pytest.mark.parametrize("name", ["Kernel", "alloc_shared", "alloc_fragment", "copy", "gemm", "clear", "fill",
                                  "Parallel", "Pipelined", "serial", "unroll", "exp", "max", "min", "relu", "cast",
                                  "annotate_layout", "use_swizzle"])
def test_intrinsics_called_outside_a_kernel_raise(name: str) -> None:
    fn = getattr(T, name)
    nparams = len([p for p in inspect.signature(fn).parameters.values()
                   if p.default is inspect.Parameter.empty and p.kind is not p.VAR_POSITIONAL])
    with pytest.raises(TTBuildError) as err:
        fn(*([None] * nparams))
    assert isinstance(err.value, FrontendError)
    assert err.value.msg == f"T.{name} can only be used inside a @T.prim_func kernel"
    assert err.value.loc is not None and err.value.loc.file == __file__
    assert "fn(*([None] * nparams))" in err.value.loc.source_line


def test_python_level_helpers() -> None:
    assert T.ceildiv(257, 32) == 9 and T.ceildiv(256, 32) == 8
    with pytest.raises(FrontendError, match="expects two integers"):
        T.ceildiv(1.5, 2)
    spec = T.Tensor((32, 32), "float32")
    assert spec.shape == (32, 32) and spec.dtype == "float32"
    with pytest.raises(FrontendError, match="must decorate a function"):
        T.prim_func(42)


def test_parse_time_is_small() -> None:
    import time

    module, _ = load_kernel_module(GEMM_PY)
    module.matmul(256, 256, 256)
    start = time.perf_counter()
    for _ in range(20):
        module.matmul(256, 256, 256)
    assert (time.perf_counter() - start) / 20 < 0.05
