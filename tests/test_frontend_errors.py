"""Front end diagnostics: every malformed kernel gives a located FrontendError (never a raw traceback).

Each case in ``tests/data/bad_kernels/`` is a tiny kernel factory ``kernel(...)``; the test asserts the
exact message, file, line, column, source line and hint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import tt_build.language as T
from tt_build.driver import emit, load_kernel_module
from tt_build.errors import FrontendError, PassError
from tt_build.transform import lower

BAD = Path(__file__).resolve().parent / "data" / "bad_kernels"

_DTYPE_HINT = ("supported dtypes: 'bfloat16' (T.bfloat16), 'float16' ('half', T.float16) and 'float32' ('float', "
               "T.float32, T.float)")
_DATA_DEP_HINT = ("conditions must fold at compile time (factory arguments, constants) or compare block/loop index "
                  "expressions (`if bx * block_M < M:`); kernel bodies are compiled, not executed")
_ELTWISE_OPS_HINT = (
    "T.Parallel bodies compute expression trees over on-chip buffer elements (a 1-D buffer v read as v[i] or v[j] "
    "broadcasts over the block), constants, + - * /, T.max/T.min, T.exp/exp2/log/log2/sqrt/rsqrt/abs/sigmoid/tanh/"
    "gelu/silu/erf/relu, T.pow/T.clamp with constants, T.cast and T.if_then_else/T.where on an element comparison")
_STMT_HINT = ("kernel bodies are compiled, not executed: they may contain T.* statements, loops over "
              "T.Parallel/T.Pipelined/T.serial/T.unroll/range, buffer stores, assignments of constants and "
              "`if` on compile-time constants")


@dataclass(frozen=True)
class Case:
    file: str
    msg: str
    line: int
    col: int
    hint: str | None
    args: dict[str, Any] = field(default_factory=dict)
    id: str = ""


_CAST_HINT = ('the backend rounds to bfloat16 when it packs a result into a bfloat16 buffer: store '
              'T.cast(x, "bfloat16") (or x) into a bfloat16 T.alloc_fragment')


def _eltwise(form: str, msg: str, line: int, col: int, hint: str | None = None) -> Case:
    """An element-wise form of tests/data/bad_kernels/eltwise_unsupported.py the backend cannot compute."""
    return Case("eltwise_unsupported", msg, line, col, hint or _ELTWISE_OPS_HINT, {"form": form},
                id=f"eltwise_unsupported-{form}")


CASES = [
    Case("block_size_48", "the shape 48×32 of A_shared is not a multiple of the 32×32 tile", 13, 40,
         "block_M=48 is not a multiple of the 32×32 tile; use a multiple of 32 (e.g. 32 or 64)", {"block_M": 48}),
    # Below one tile there is one example, not "32 or 32".
    Case("block_size_48", "the shape 16×32 of A_shared is not a multiple of the 32×32 tile", 13, 40,
         "block_M=16 is not a multiple of the 32×32 tile; use a multiple of 32 (e.g. 32)", {"block_M": 16},
         id="block_size_16"),
    Case("block_size_literal", "the shape 32×40 of C_local is not a multiple of the 32×32 tile", 15, 50,
         "40 is not a multiple of the 32×32 tile; use a multiple of 32 (e.g. 32 or 64)"),
    Case("unknown_t_call", "unknown function T.foo", 16, 13,
         "the kernel language supports: abs, alloc_fragment, alloc_shared, annotate_layout, bfloat16, cast, ceildiv, "
         "clamp, clear, copy, dtype, erf, exp, exp2, fill, float, float16, float32, gelu, gemm, half, if_then_else, "
         "infinity, Kernel, log, log2, max, min, Parallel, Pipelined, pow, prim_func, reduce_absmax, reduce_abssum, "
         "reduce_max, reduce_min, reduce_sum, relu, rsqrt, serial, sigmoid, silu, sqrt, tanh, Tensor, transpose, "
         "unroll, use_swizzle, where"),
    Case("dtype_param", "unsupported dtype 'float64'", 10, 29, _DTYPE_HINT),
    Case("dtype_alloc", "unsupported dtype 'int8'", 14, 59, _DTYPE_HINT),
    Case("copy_shape_mismatch", "shape mismatch in T.copy: region 64×32 vs buffer 32×32", 18, 24,
         "the region of A must have the shape of A_shared (32×32)"),
    Case("gemm_shape_mismatch", "shape mismatch in T.gemm: A_shared 32×64, B_shared 32×32, C_local 32×32", 20, 17,
         "expected (M, K) × (K, N) → (M, N) with transpose_A=False, transpose_B=False"),
    Case("data_dependent_if", "data-dependent control flow is not supported: `bx % 2` depends on the runtime value bx",
         16, 16, _DATA_DEP_HINT),
    Case("data_dependent_ifexp",
         "data-dependent control flow is not supported: `by > 0` depends on the runtime value by", 16, 38,
         _DATA_DEP_HINT),
    Case("while_loop", "`while` loops are not supported (data-dependent Python control flow)", 16, 13,
         "use `for k in T.serial(n)` with a trip count that folds at compile time"),
    Case("nonconst_extent",
         "the extent of T.serial must be a compile-time constant (it depends on the runtime value bx)", 17, 31,
         "loop bounds, grid sizes and shapes must fold to integers at compile time: use factory arguments, "
         "constants and T.ceildiv of them"),
    Case("unknown_name", "unknown name 'blockN'", 19, 44, "did you mean 'block_N'?"),
    Case("try_stmt", "unsupported Python statement `try` in a kernel body", 16, 13, _STMT_HINT),
    Case("return_stmt", "`return` is not allowed in a kernel body", 22, 13,
         "a kernel writes its results into its output tensors with T.copy; remove the return"),
    Case("print_call", "unsupported call `print(...)` in a kernel body", 17, 13,
         "kernel bodies are compiled, not executed: only T.* intrinsics (and min/max/abs/int/float/len on Python "
         "constants) can be called"),
    Case("div_operator", "unsupported operator '//' in a T.Parallel body", 19, 33, _ELTWISE_OPS_HINT),
    Case("pow_operator", "unsupported operator '**' in a T.Parallel body", 19, 33, _ELTWISE_OPS_HINT),
    # tensor → tensor copies are staged through L1 (issue 13); start indices alone give no extent
    Case("copy_tensor_to_tensor", "a tensor → tensor T.copy needs the extent of A's region", 20, 20,
         "give it by slices (A[r0:r1, c0:c1]) or copy the whole tensor"),
    Case("copy_missing_buffer", "T.copy destination 'B_shard' is not a defined buffer", 17, 51,
         "did you mean 'B_shared'? buffers are the kernel's T.Tensor parameters and names assigned from "
         "T.alloc_shared/T.alloc_fragment"),
    Case("kernel_arity", "T.Kernel has 2 grid dimensions but the `as` clause binds 3 names", 12, 72,
         "bind one block index per grid extent, e.g. `with T.Kernel(gx, gy) as (bx, by):`"),
    # a T.Kernel without `as` is valid (issue 13); naming an index it does not bind is the error
    Case("kernel_without_as", "unknown name 'by'", 18, 26,
         "the T.Kernel block binds no block indices: write `with T.Kernel(...) as (bx, by):` to use them"),
    Case("parallel_indices",
         "T.Parallel body must write C_local at [i, j] (the loop variables in order), got `C_local[j, i]`", 19, 17,
         "element-wise bodies map loop variable k to dimension k of every buffer (a 1-D buffer may also be read as "
         "v[i] or v[j] in a 2-D loop: a broadcast); transposed, offset or constant indices are not supported"),
    Case("parallel_extent_mismatch", "T.Parallel extents 32×64 do not match the shape 32×32 of C_local", 19, 17,
         "a T.Parallel loop covers whole buffers: use the buffer's shape as extents"),
    Case("parallel_writes_tensor", "a T.Parallel body cannot write tensor C directly", 19, 17,
         "write an on-chip buffer and T.copy it to the tensor after the loop"),
    Case("store_outside_parallel", "element-wise store `C_local[0, 0] = ...` outside a T.Parallel loop", 18, 13,
         "wrap it in `for i, j in T.Parallel(rows, cols):`, or use T.copy/T.fill for whole tiles"),
    Case("loop_var_as_value", "`i` is an index value and cannot be mixed with buffer elements", 19, 50,
         "loop and block variables cannot be used as element values"),
    Case("exp_on_buffer",
         "T.exp works element-wise: index the buffer (A_shared[i, j]) inside a T.Parallel loop", 19, 39, None),
    Case("alloc_3d", "T.alloc_shared expects a 2-D shape (rows, cols) or a 1-D shape (n,); got a 3-D shape "
         "(2, 32, 32) for A_shared", 13, 39,
         "on-chip buffers are 2-D grids of 32×32 tiles, or row/column vectors (one tile per 32 values)"),
    Case("missing_annotation", "kernel parameter 'B' has no T.Tensor(shape, dtype) annotation", 9, 9,
         'write `B: T.Tensor((rows, cols), "bfloat16")`'),
    Case("keyword_typo", "T.Pipelined got an unexpected keyword argument 'num_stage'", 17, 57,
         "did you mean 'num_stages'?"),
    Case("unknown_gemm_kwarg", "T.gemm got an unexpected keyword argument 'tranpose_B'", 20, 53,
         "did you mean 'transpose_B'?"),
    Case("num_stages_negative", "num_stages of T.Pipelined must be at least 0, got -1", 17, 68,
         "0 or 1 = no overlap (a single-buffered CB), 2 = double buffering"),
    Case("nested_kernel", "nested T.Kernel blocks are not supported", 16, 13,
         "a kernel function has exactly one `with T.Kernel(...)` block; use loops inside it"),
    Case("two_kernels",
         "a kernel function must contain exactly one `with T.Kernel(...)` block; this is a second one", 21, 9,
         "put all the work of the kernel inside one T.Kernel block"),
    Case("no_kernel", "kernel function 'main' has no `with T.Kernel(...)` block", 7, 5,
         "wrap the body in `with T.Kernel(grid_x, grid_y) as (bx, by):`"),
    Case("global_loop", "unsupported statement before the T.Kernel block: `for k in range(4):`", 12, 9,
         "before `with T.Kernel(...)` only assignments of constants and T.annotate_layout are allowed; everything "
         "else goes inside the T.Kernel block"),
    Case("non_int_shape", "the shape of tensor A must contain positive integers, got 128.0 (float)", 8, 22,
         "128.0 is not an integer"),
    Case("bad_layout", "unsupported layout 'l1_diagonal_sharded' for tensor A", 13, 35,
         "supported layouts: dram_interleaved, l1_interleaved, l1_height_sharded, l1_width_sharded, l1_block_sharded"),
    Case("gemm_global_operand", "T.gemm operates on on-chip buffers; B is a kernel tensor", 20, 34,
         "copy the data into a T.alloc_shared/T.alloc_fragment buffer with T.copy first"),
    Case("copy_out_of_bounds",
         "T.copy region of A is out of bounds in dimension 0: it covers 0..511 but the tensor has 256 (at by=7)", 18,
         24, "every block must start inside the tensor: check the grid/loop extents against the tensor shape (a "
         "last block may be partial only on the two tiled axes of a tensor whose extents are multiples of 32)",
         {"block_M": 64}),
    Case("copy_nonconst_slice", "the extent of slice `0:by` of A must be a compile-time constant", 18, 26,
         "write `A[r:r + rows, c:c + cols]` with constant rows/cols"),
    Case("string_fill", "T.fill value must be a constant number, got `'zero'`", 16, 29,
         "the fill value must fold at compile time"),
    Case("duplicate_buffer", "'A_shared' is already a buffer of this kernel and cannot be reassigned", 18, 17,
         "use a different name"),
    Case("reduce_sum", "T.reduce_sum writes a 1-D T.alloc_fragment; C_local is a 2-D fragment buffer", 12, 36,
         'allocate it as T.alloc_fragment((32,), "float")'),
    _eltwise("cast_narrow", "T.cast to bfloat16 of a float32 value is only supported as the whole value stored into "
             "a bfloat16 buffer", 36, 39, _CAST_HINT),
    _eltwise("store_shared", "T.Parallel results must be stored into a T.alloc_fragment; a is a T.alloc_shared buffer",
             38, 21, "allocate a with T.alloc_fragment (and T.copy it to a T.alloc_shared buffer afterwards if "
             "another T.Parallel body must read it)"),
    Case("copy_outside", "T.copy can only be used inside a @T.prim_func kernel", 7, 5,
         "kernel bodies are parsed and compiled, never executed: write the call inside a function decorated with "
         "@T.prim_func (inside its `with T.Kernel(...)` block)"),
]


@dataclass(frozen=True)
class PassCase:
    """A kernel the front end accepts but a pass rejects; ``stage`` is ``lower`` (the pipeline) or ``emit``
    (pipeline + CodegenTT)."""

    file: str
    pass_name: str
    msg: str
    line: int
    col: int
    hint: str
    args: dict[str, Any] = field(default_factory=dict)
    stage: str = "lower"
    id: str = ""


_SHARDED_MSG = ("no partition of the 64 blocks over the 8x8 cores gives every core exactly one shard of each sharded "
                "tensor (with 64 cores of 1 block: tensor A: cores (0, 0) and (0, 1) both access its tile (0, 0), but a "
                "tile of a sharded tensor lives in one core's L1)")
_SHARDED_HINT = ("each core's blocks must access exactly its own shard: choose blocks (and a grid) so that the blocks "
                 "of one core cover one height / width / block shard and no block crosses shards, or use an "
                 "interleaved layout")

_FILL_HINT = ("circular buffers hand each block filled into an on-chip buffer to the reads that follow it in the "
              "same loop body, then free it: fill a in the loop body that reads it (copy the block again in every "
              "iteration)")


def _fill_read(form: str, msg: str, line: int, col: int, hint: str = _FILL_HINT) -> PassCase:
    """A fill/read pattern of tests/data/bad_kernels/cb_fill_read.py a circular buffer cannot hand over."""
    return PassCase("cb_fill_read", "BuildTileDFGTT", msg, line, col, hint, {"form": form}, id=f"cb_fill_read-{form}")


PASS_CASES = [
    PassCase("partial_grid", "LayoutAwareWorkPartitionTT",
             "output tensor C is not fully written: 4 of its 8 tiles are never written, tile (0, 2) (elements "
             "[0:32, 64:96]) and 3 others", 15, 13,
             "output tensors are not initialised on the device, so every tile must be written: the grid "
             "T.Kernel(2, 2) and the T.copy regions into C must cover all 64×128 elements (e.g. "
             "T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) with blocks of block_M×block_N)"),
    PassCase("partial_grid", "LayoutAwareWorkPartitionTT",
             "output tensor C is not fully written: 2 of its 4 tiles are never written, tile (0, 1) (elements "
             "[0:32, 32:64]) and 1 other", 15, 13,
             "output tensors are not initialised on the device, so every tile must be written: the grid "
             "T.Kernel(1, 2) and the T.copy regions into C must cover all 64×64 elements (e.g. "
             "T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) with blocks of block_M×block_N)",
             {"N": 64}, id="partial_grid-one_column"),
    PassCase("name_clash", "CodegenTT", "main_reader: the generated argument name cb_addr is derived from tensor cb "
             "and on-chip buffer addr", 10, 13,
             "rename the kernel's tensors or on-chip buffers so that their cb_<buffer> / <tensor>_args / "
             "<tensor>_accessor / <tensor>_addr names differ", stage="emit"),
    PassCase("gemm_mixed_transpose", "InsertDSTManagementTT",
             "one kernel mixes T.gemm with and without transpose_B (the first T.gemm is without it)", 18, 17,
             "split the kernel, or transpose one operand on the host"),
    PassCase("copy_nonaffine_index", "PropagateTTLayout",
             "cannot bound the start index of the T.copy region of A on axis 0", 11, 13,
             "index tensors with sums of block/loop variables times constants (by * block_M + k * block_K); // and % "
             "need a constant divisor"),
    PassCase("dst_overlap", "InsertDSTManagementTT",
             "fragments f and acc are both live in DST at the same time; tt-build keeps one fragment in DST at a time",
             14, 13, "compute acc after f is copied out (e.g. in a second loop or a second kernel)"),
    _fill_read("outside_loop", "on-chip buffer a is read in the loop over k but not filled in it (it is filled at "
               "line 16, outside the loop over k)", 19, 21),
    _fill_read("after_loop", "on-chip buffer a is filled in the loop over k but not read in it (it is read at line "
               "24)", 22, 21),
    _fill_read("unread", "on-chip buffer a is filled again before the block filled at line 26 is read", 27, 17,
               "remove the unused fill, or read a between the two fills"),
    _fill_read("twice", "on-chip buffer a is filled twice in the kernel body (first at line 31)", 34, 17,
               "use a separate on-chip buffer for the second block, or fill one buffer once per iteration of a loop"),
    PassCase("cb_fill_read", "BuildTileDFGTT", "fragment extra is computed but its result is never used (it is not "
             "copied to a tensor or to an on-chip buffer afterwards)", 43, 21,
             "T.copy extra into an output tensor (or into a T.alloc_shared buffer that is read), or remove the "
             "computation", {"form": "unused_fragment"}, id="cb_fill_read-unused_fragment"),
    PassCase("too_many_cbs", "LowerSharedToCB",
             "kernel main needs 33 circular buffers; a Tensix core has at most 32 (s32 is number 33)", 42, 13,
             "use fewer T.alloc_shared / T.alloc_fragment buffers (reuse a buffer across T.copy calls, or split "
             "the kernel)"),
    PassCase("l1_overflow", "LowerSharedToCB",
             "circular buffers need 1597440 bytes of L1 but only 1396736 are available (A_shared: 384 pages, "
             "B_shared: 384 pages, C_local: 12 pages); the largest is A_shared", 14, 13,
             "reduce the block sizes or num_stages", {"block_M": 256, "block_N": 256, "block_K": 512, "stages": 3},
             id="l1_overflow-cbs"),
    PassCase("l1_overflow", "InsertDSTManagementTT",
             "fragment C_local has 256 tiles, more than DST holds, and the 1048576-byte circular buffer for its "
             "partial sums does not fit in L1 (548864 of 1396736 bytes are already used by circular buffers)", 16, 13,
             "reduce block_M × block_N, block_K or num_stages", {"block_M": 512, "block_N": 512, "block_K": 128},
             id="l1_overflow-partials"),
    PassCase("two_accumulators", "InsertDSTManagementTT",
             "fragments C_local and C2_local are both live in DST at the same time; tt-build keeps one fragment in "
             "DST at a time", 15, 13,
             "compute C2_local after C_local is copied out (e.g. in a second loop or a second kernel)"),
    PassCase("sharded_layout", "LayoutAwareWorkPartitionTT", _SHARDED_MSG, 10, 31, _SHARDED_HINT,
             id="sharded_layout-height"),
]


def _raise(case: Case) -> FrontendError:
    path = BAD / f"{case.file}.py"
    module, _ = load_kernel_module(path)
    with pytest.raises(FrontendError) as err:
        module.kernel(**case.args)
    return err.value


@pytest.mark.parametrize("case", CASES, ids=[c.id or c.file for c in CASES])
def test_bad_kernel_diagnostic(case: Case) -> None:
    err = _raise(case)
    path = BAD / f"{case.file}.py"
    assert err.msg == case.msg
    assert err.loc is not None
    assert err.loc.file == str(path)
    assert (err.loc.line, err.loc.col) == (case.line, case.col)
    assert err.loc.source_line == path.read_text(encoding="utf-8").splitlines()[case.line - 1]
    assert err.hint == case.hint
    text = str(err)
    assert text.startswith(f"{path}:{case.line}:{case.col}: error: {case.msg}\n")
    caret_line = text.splitlines()[2]
    assert caret_line == "    " + " " * (case.col - 1) + "^"


@pytest.mark.parametrize("case", PASS_CASES, ids=[c.id or c.file for c in PASS_CASES])
def test_bad_kernel_pass_diagnostic(case: PassCase, tmp_path: Path) -> None:
    """Pass diagnostics on user kernels are located like front-end ones: file:line:col, source line, caret, hint."""
    path = BAD / f"{case.file}.py"
    with pytest.raises(PassError) as info:
        if case.stage == "emit":
            emit(path, "kernel", case.args, "bad", tmp_path)
        else:
            module, _ = load_kernel_module(path)
            lower(module.kernel(**case.args))
    err = info.value
    assert (err.pass_name, err.msg, err.hint) == (case.pass_name, case.msg, case.hint)
    assert err.loc is not None
    assert (err.loc.file, err.loc.line, err.loc.col) == (str(path), case.line, case.col)
    source_line = path.read_text(encoding="utf-8").splitlines()[case.line - 1]
    assert str(err).splitlines() == [
        f"{path}:{case.line}:{case.col}: error in pass {case.pass_name}: {case.msg}",
        "    " + source_line,
        "    " + " " * (case.col - 1) + "^",
        f"hint: {case.hint}",
    ]


def test_every_bad_kernel_file_has_a_case() -> None:
    assert sorted(p.stem for p in BAD.glob("*.py")) == sorted({c.file for c in [*CASES, *PASS_CASES]})
    assert len(CASES) + len(PASS_CASES) >= 18


def test_block_size_48_is_fine_with_32() -> None:
    module, _ = load_kernel_module(BAD / "block_size_48.py")
    assert module.kernel(block_M=32).name == "main"
    assert module.kernel(block_M=64).body.body.buffer.shape == (64, 32)


# ----------------------------------------------------------------------------- inline cases
# Smaller diagnostics, checked for message and the located source text.

def _err(factory: Any, *args: Any) -> FrontendError:
    with pytest.raises(FrontendError) as err:
        factory(*args)
    assert err.value.loc is not None and err.value.loc.file == __file__
    return err.value


def _at(err: FrontendError, text: str) -> None:
    """The error points at the first occurrence of ``text`` on its source line."""
    assert err.loc is not None
    assert err.loc.source_line.index(text) + 1 == err.loc.col, (err.loc.source_line, err.loc.col)


def test_gemm_clear_accum_is_rejected() -> None:
    def f():
        @T.prim_func
        def k(A: T.Tensor((32, 32), "bfloat16")):
            with T.Kernel(1) as bx:
                S = T.alloc_shared((32, 32), "bfloat16")
                F = T.alloc_fragment((32, 32), "float32")
                T.gemm(S, S, F, clear_accum=True)

    err = _err(f)
    assert err.msg == "T.gemm clear_accum=True is not supported"
    assert err.hint == "call T.clear(C) before the reduction loop instead"
    _at(err, "True)")


def test_gpu_only_constructs_are_rejected_as_such() -> None:
    """T.get_thread_binding, T.alloc_local, T.alloc_reducer, T.atomic_add and fp8 dtypes: located, GPU-only, with
    what to write instead (issue 13, item 7)."""
    def thread_binding():
        @T.prim_func
        def k(A: T.Tensor((32, 32), "bfloat16"), B: T.Tensor((32, 32), "bfloat16")):
            with T.Kernel(1) as bx:
                tx = T.get_thread_binding(0)

    err = _err(thread_binding)
    assert err.msg == "T.get_thread_binding is GPU-only: it has no Tenstorrent lowering"
    assert err.hint.startswith("a Tensix core computes on whole 32×32 tiles, not per thread")
    _at(err, "T.get_thread_binding(0)")

    def alloc_local():
        @T.prim_func
        def k(A: T.Tensor((32, 32), "bfloat16"), B: T.Tensor((32, 32), "bfloat16")):
            with T.Kernel(1) as bx:
                acc = T.alloc_local((32, 32), "float32")

    err = _err(alloc_local)
    assert err.msg == "T.alloc_local is GPU-only: it has no Tenstorrent lowering"
    assert err.hint.startswith("use T.alloc_fragment((rows, cols), dtype)")
    _at(err, "T.alloc_local((32")

    def reducer():
        @T.prim_func
        def k(A: T.Tensor((32, 32), "bfloat16"), B: T.Tensor((32, 32), "bfloat16")):
            with T.Kernel(1) as bx:
                r = T.alloc_reducer((32,), "float32", op="sum")

    err = _err(reducer)
    assert err.msg == "T.alloc_reducer is GPU-only: it has no Tenstorrent lowering"
    assert "T.reduce_sum" in err.hint

    def atomic():
        @T.prim_func
        def k(A: T.Tensor((32, 32), "bfloat16"), B: T.Tensor((32, 32), "bfloat16")):
            with T.Kernel(1) as bx:
                A_shared = T.alloc_shared((32, 32), "bfloat16")
                T.copy(A, A_shared)
                T.atomic_add(B[0, 0], A_shared)

    err = _err(atomic)
    assert err.msg == "T.atomic_add is GPU-only: it has no Tenstorrent lowering"
    assert err.hint.startswith("Tensix cores have no atomics on device tensors")
    _at(err, "T.atomic_add(B")

    def fp8_string():
        @T.prim_func
        def k(A: T.Tensor((32, 32), "float8_e4m3"), B: T.Tensor((32, 32), "bfloat16")):
            with T.Kernel(1) as bx:
                pass

    err = _err(fp8_string)
    assert err.msg == "dtype 'float8_e4m3' is GPU-only: Tensix has no fp8 element type"
    assert err.hint == "use 'bfloat16' (or 'float16' / 'float32')"
    _at(err, "\"float8")

    def fp8_attr():
        @T.prim_func
        def k(A: T.Tensor((32, 32), T.float8_e5m2), B: T.Tensor((32, 32), "bfloat16")):
            with T.Kernel(1) as bx:
                pass

    err = _err(fp8_attr)
    assert err.msg == "T.float8_e5m2 is GPU-only: it has no Tenstorrent lowering"
    assert err.hint == "use bfloat16 (Tensix has no fp8 element type)"


def test_launch_keywords_and_swizzle() -> None:
    def bad_kw():
        @T.prim_func
        def k(A: T.Tensor((32, 32), "bfloat16")):
            with T.Kernel(1, thread=128) as bx:
                pass

    err = _err(bad_kw)
    assert err.msg == "T.Kernel got an unexpected keyword argument 'thread'"
    assert err.hint == "did you mean 'threads'?"

    def bad_swizzle():
        @T.prim_func
        def k(A: T.Tensor((32, 32), "bfloat16")):
            with T.Kernel(1) as bx:
                T.use_swizzle(panel_size=0)

    err = _err(bad_swizzle)
    assert err.msg == "T.use_swizzle panel_size must be a positive integer constant, got `0`"


def test_tensor_inside_body_and_layout_on_shared_buffer() -> None:
    def f():
        @T.prim_func
        def k(A: T.Tensor((32, 32), "bfloat16")):
            with T.Kernel(1) as bx:
                X = T.Tensor((32, 32), "bfloat16")

    err = _err(f)
    assert err.msg == "T.Tensor is only valid as the annotation of a kernel parameter"

    def g():
        @T.prim_func
        def k(A: T.Tensor((32, 32), "bfloat16")):
            with T.Kernel(1) as bx:
                S = T.alloc_shared((32, 32), "bfloat16")
                T.annotate_layout({S: "l1_interleaved"})

    err = _err(g)
    assert err.msg == "T.annotate_layout applies to kernel tensors; S is a shared buffer"
    _at(err, "S: ")


def test_annotate_layout_inside_a_loop() -> None:
    def f():
        @T.prim_func
        def k(A: T.Tensor((32, 32), "bfloat16")):
            with T.Kernel(1) as bx:
                for t in T.serial(2):
                    T.annotate_layout({A: "l1_interleaved"})

    assert _err(f).msg == "T.annotate_layout must be at the top of the kernel body, not inside a loop"


def test_unbound_closure_variable() -> None:
    def f():
        @T.prim_func
        def k(A: T.Tensor((32, 32), "bfloat16")):
            with T.Kernel(later) as bx:
                pass

        later = 1  # noqa: F841 - assigned after the kernel is parsed

    err = _err(f)
    assert err.msg == "'later' is not yet assigned when the kernel is defined"
    _at(err, "later)")


def test_non_constant_pipelined_stages_and_range_step() -> None:
    def f():
        @T.prim_func
        def k(A: T.Tensor((32, 32), "bfloat16")):
            with T.Kernel(1) as bx:
                for t in range(0, 8, 2):
                    pass

    err = _err(f)
    assert err.msg == "range with a step of 2 is not supported in a kernel"
    _at(err, "2)")

    def g():
        @T.prim_func
        def k(A: T.Tensor((32, 32), "bfloat16")):
            with T.Kernel(4) as bx:
                for t in T.Pipelined(4, num_stages=bx):
                    pass

    err = _err(g)
    assert err.msg == "num_stages of T.Pipelined must be a compile-time constant (it depends on the runtime value bx)"


def test_parallel_inside_copy_and_pipelined_inside_parallel() -> None:
    def f():
        @T.prim_func
        def k(A: T.Tensor((32, 32), "bfloat16")):
            with T.Kernel(1) as bx:
                S = T.alloc_shared((32, 32), "bfloat16")
                for i, j in T.Parallel(32, 32):
                    T.copy(A[0, 0], S)

    err = _err(f)
    assert err.msg == "T.copy cannot be used inside a T.Parallel loop"

    def g():
        @T.prim_func
        def k(A: T.Tensor((32, 32), "bfloat16")):
            with T.Kernel(1) as bx:
                for i in T.Parallel(32):
                    for t in T.Pipelined(2):
                        pass

    err = _err(g)
    assert err.msg == "T.Pipelined loops cannot be nested inside a T.Parallel loop"


def test_parallel_arity_and_index_from_tensor() -> None:
    def f():
        @T.prim_func
        def k(A: T.Tensor((32, 32), "bfloat16")):
            with T.Kernel(1) as bx:
                for i, j, l in T.Parallel(32, 32):
                    pass

    err = _err(f)
    assert err.msg == "T.Parallel has 2 extents but the loop binds 3 variables"
    _at(err, "i, j, l")


def test_copy_region_out_of_bounds_and_wrong_rank() -> None:
    def f():
        @T.prim_func
        def k(A: T.Tensor((64, 64), "bfloat16")):
            with T.Kernel(1) as bx:
                S = T.alloc_shared((32, 32), "bfloat16")
                T.copy(A[48, 0], S)

    err = _err(f)
    assert err.msg == "T.copy region of A is out of bounds in dimension 0: it covers 48..79 but the tensor has 64"
    assert err.hint == ("every block must start inside the tensor: check the grid/loop extents against the tensor "
                        "shape (a last block may be partial only on the two tiled axes of a tensor whose extents "
                        "are multiples of 32)")
    _at(err, "A[48")

    def g():
        @T.prim_func
        def k(A: T.Tensor((64, 64), "bfloat16")):
            with T.Kernel(1) as bx:
                S = T.alloc_shared((32, 32), "bfloat16")
                T.copy(A[0], S)

    err = _err(g)
    assert err.msg == "tensor A is 2-D but `A[0]` has 1 index"


def test_negative_and_zero_shapes() -> None:
    def f(rows):
        @T.prim_func
        def k(A: T.Tensor((rows, 64), "bfloat16")):
            with T.Kernel(1) as bx:
                pass

    err = _err(f, 0)
    assert err.msg == "the shape of tensor A must contain positive integers, got 0"
    assert err.hint == "rows=0 is not positive"
    _at(err, "rows,")


def test_data_dependent_bool_ops_and_not() -> None:
    def f():
        @T.prim_func
        def k(A: T.Tensor((32, 32), "bfloat16")):
            with T.Kernel(2) as bx:
                if True and not bx:
                    pass

    err = _err(f)
    assert err.msg.startswith("data-dependent control flow is not supported")


def test_internal_errors_never_escape_as_raw_exceptions() -> None:
    # A user object whose attribute access explodes: reported as a located FrontendError.
    class Boom:
        @property
        def size(self) -> int:
            raise RuntimeError("boom")

    cfg = Boom()

    def f():
        @T.prim_func
        def k(A: T.Tensor((32, 32), "bfloat16")):
            with T.Kernel(cfg.size) as bx:
                pass

    err = _err(f)
    assert err.msg == "cannot evaluate `cfg.size`: RuntimeError: boom"
    _at(err, "cfg.size")
