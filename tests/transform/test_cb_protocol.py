"""Circular-buffer and DST protocol of kernel shapes beyond the reference matrix, asserted exactly on traces
of the lowered device functions: output coverage, CB id order, unused buffers, a zero fill inside the K
loop, one CB copied to two tensors, one fragment packed into two CBs, one block as both operands."""

from __future__ import annotations

import pytest

import tt_build.language as T
from tests.transform.ir_builders import gemm_ir
from tests.transform.ir_interp import trace, unblock
from tt_build.errors import PassError
from tt_build.ir import attrs as A
from tt_build.transform import lower
from tt_build.transform.layout_aware_work_partition_tt import output_coverage


def _roles(mod):  # noqa: ANN001, ANN202
    return {f.attrs[A.KERNEL_ROLE]: f for f in mod.functions.values()}


def _calls(mod, role: str, names: tuple[str, ...] | None = None) -> list[tuple]:  # noqa: ANN001
    f = _roles(mod)[role]
    args = {a["name"]: 0 for a in f.attrs[A.RUNTIME_ARGS]}
    calls = unblock(trace(f, {**args, "start_block": 0, "num_blocks": 1}))
    return [c for c in calls if names is None or c[0] in names]


# ----------------------------------------------------------------------------------------- output coverage

def _tiled_exp(halves: bool, cols: int):  # noqa: ANN202
    """C = exp(A) for a 64×128 tensor: grid (1, 2) and a loop over `cols` 32-column steps per block row; with
    ``halves`` the two halves of each block row are written by two separate copies."""
    @T.prim_func
    def k(A: T.Tensor((64, 128), "bfloat16"), C: T.Tensor((64, 128), "bfloat16")):
        with T.Kernel(1, 2) as (bx, by):
            a = T.alloc_shared((32, 64), "bfloat16")
            e = T.alloc_fragment((32, 64), "bfloat16")
            for c in T.serial(cols):
                T.copy(A[by * 32, c * 64], a)
                for i, j in T.Parallel(32, 64):
                    e[i, j] = T.exp(a[i, j])
                if halves:
                    T.copy(e, C[by * 32, c * 64])
                else:
                    T.copy(e, C[by * 32, bx * 64])
    return k


def test_coverage_counts_every_block_and_loop_iteration() -> None:
    func = _tiled_exp(True, 2)
    covered, copies, grid = output_coverage(func, "C")
    assert covered == {(r, c) for r in range(2) for c in range(4)} and len(copies) == 1 and grid == [1, 2]
    lower(func)  # the whole output is written


def test_output_tiles_no_block_writes_are_a_located_diagnostic() -> None:
    func = _tiled_exp(True, 1)  # the loop covers 64 of the 128 columns
    covered, _, _ = output_coverage(func, "C")
    assert covered == {(r, c) for r in range(2) for c in range(2)}
    with pytest.raises(PassError) as info:
        lower(func)
    err = info.value
    assert err.pass_name == "LayoutAwareWorkPartitionTT"
    assert err.msg == ("output tensor C is not fully written: 4 of its 8 tiles are never written, tile (0, 2) "
                       "(elements [0:32, 64:96]) and 3 others")
    assert err.loc is not None and err.loc.source_line.strip() == "T.copy(e, C[by * 32, c * 64])"


def test_coverage_of_the_reference_gemm_is_complete() -> None:
    covered, copies, grid = output_coverage(gemm_ir(256, 192, 64), "C")
    assert covered == {(r, c) for r in range(8) for c in range(6)} and len(copies) == 1 and grid == [6, 8]


# ---------------------------------------------------------------------------------------- CBs and DST

def test_cb_ids_follow_allocation_order_and_unused_buffers_get_no_cb_or_dst_mode() -> None:
    @T.prim_func
    def k(A: T.Tensor((32, 32), "bfloat16"), B: T.Tensor((32, 32), "bfloat16"), C: T.Tensor((32, 32), "bfloat16")):
        with T.Kernel(1) as bx:
            second = T.alloc_shared((32, 32), "bfloat16")  # allocated first, used second
            first = T.alloc_shared((32, 32), "bfloat16")
            unused = T.alloc_shared((32, 32), "bfloat16")
            unused_acc = T.alloc_fragment((32, 32), "float32")
            out = T.alloc_fragment((32, 32), "bfloat16")
            T.copy(A[0, 0], first)
            T.copy(B[0, 0], second)
            for i, j in T.Parallel(32, 32):
                out[i, j] = first[i, j] - second[i, j]
            T.copy(out, C[0, 0])

    mod = lower(k)
    cbs = {cb["name"]: cb["cb_id"] for cb in mod.attrs[A.HOST_PLAN]["cbs"]}
    assert cbs == {"second": 0, "first": 1, "out": 16}
    assert all(A.cb_key(n) not in f.attrs for f in mod.functions.values() for n in ("unused", "unused_acc"))
    # an unused float32 fragment does not switch DST to float32 (which would halve its capacity)
    assert mod.attrs[A.HOST_PLAN]["compute_config"] == {"fp32_dest_acc_en": False, "math_fidelity": "HiFi4",
                                                        "dst_capacity": 8, "transpose_b": False}


def test_clear_inside_the_k_loop_is_a_real_fill_and_the_first_clear_is_free() -> None:
    @T.prim_func
    def k(A: T.Tensor((32, 64), "bfloat16"), B: T.Tensor((64, 32), "bfloat16"), C: T.Tensor((32, 32), "bfloat16")):
        with T.Kernel(1) as bx:
            a = T.alloc_shared((32, 32), "bfloat16")
            b = T.alloc_shared((32, 32), "bfloat16")
            acc = T.alloc_fragment((32, 32), "float32")
            T.clear(acc)
            for kk in T.serial(2):
                T.clear(acc)
                T.copy(A[0, kk * 32], a)
                T.copy(B[kk * 32, 0], b)
                T.gemm(a, b, acc)
            T.copy(acc, C[0, 0])

    calls = _calls(lower(k), "compute", ("tile_regs_acquire", "fill_tile", "matmul_tiles", "pack_tile"))
    assert [c[0] for c in calls] == ["tile_regs_acquire", "fill_tile", "matmul_tiles", "fill_tile", "matmul_tiles",
                                     "pack_tile"]
    assert [c[1:] for c in calls if c[0] == "fill_tile"] == [(0, 0.0), (0, 0.0)]
    gemm = _calls(lower(gemm_ir(32, 32, 64)), "compute", ("fill_tile",))
    assert gemm == []  # T.clear right after tile_regs_acquire: DST is already zero


def test_one_cb_copied_to_two_tensors_is_waited_and_popped_once() -> None:
    @T.prim_func
    def k(A: T.Tensor((32, 32), "bfloat16"), C: T.Tensor((32, 32), "bfloat16"), D: T.Tensor((32, 32), "bfloat16"),
          E: T.Tensor((32, 32), "bfloat16"), F: T.Tensor((32, 32), "bfloat16")):
        with T.Kernel(1) as bx:
            s = T.alloc_shared((32, 32), "bfloat16")
            t = T.alloc_shared((32, 32), "bfloat16")
            acc = T.alloc_fragment((32, 32), "bfloat16")
            T.copy(A[0, 0], s)
            T.copy(s, C[0, 0])
            T.copy(s, D[0, 0])
            T.copy(A[0, 0], t)
            for i, j in T.Parallel(32, 32):
                acc[i, j] = T.exp(t[i, j])
            T.copy(acc, E[0, 0])
            T.copy(acc, F[0, 0])

    mod = lower(k)
    cb_ops = ("cb_wait_front", "cb_pop_front", "noc_async_write_page")
    # the writer's four copies form one transaction: each CB waited for once and popped once
    assert [(c[0], c[1]) for c in _calls(mod, "writer", cb_ops)] == [
        ("cb_wait_front", "s"), ("cb_wait_front", "acc"), *[("noc_async_write_page", 0)] * 4,
        ("cb_pop_front", "s"), ("cb_pop_front", "acc")]
    packs = _calls(mod, "compute", ("pack_tile", "cb_push_back"))
    assert packs == [("pack_tile", 0, "acc"), ("cb_push_back", "acc", 1)]  # packed once, written twice


def test_fragment_packed_into_a_buffer_and_a_tensor_shares_one_dst_range() -> None:
    @T.prim_func
    def k(A: T.Tensor((32, 32), "bfloat16"), B: T.Tensor((32, 32), "bfloat16"), C: T.Tensor((32, 32), "bfloat16"),
          D: T.Tensor((32, 32), "bfloat16")):
        with T.Kernel(1) as bx:
            a = T.alloc_shared((32, 32), "bfloat16")
            b = T.alloc_shared((32, 32), "bfloat16")
            s = T.alloc_shared((32, 32), "bfloat16")
            acc = T.alloc_fragment((32, 32), "bfloat16")
            e = T.alloc_fragment((32, 32), "bfloat16")
            T.copy(A[0, 0], a)
            T.copy(B[0, 0], b)
            for i, j in T.Parallel(32, 32):
                acc[i, j] = a[i, j] * a[i, j]
            T.copy(acc, s)
            T.copy(acc, C[0, 0])
            for i, j in T.Parallel(32, 32):
                e[i, j] = s[i, j] + b[i, j]
            T.copy(e, D[0, 0])

    dst = ("tile_regs_acquire", "tile_regs_release", "mul_tiles", "add_tiles", "pack_tile", "cb_wait_front",
           "cb_pop_front")
    assert _calls(lower(k), "compute", dst) == [
        ("cb_wait_front", "a", 1), ("tile_regs_acquire",), ("mul_tiles", "a", "a", 0, 0, 0), ("cb_pop_front", "a", 1),
        ("pack_tile", 0, "s"), ("pack_tile", 0, "acc"), ("tile_regs_release",),
        ("cb_wait_front", "s", 1), ("cb_wait_front", "b", 1), ("tile_regs_acquire",), ("add_tiles", "s", "b", 0, 0, 0),
        ("cb_pop_front", "s", 1), ("cb_pop_front", "b", 1), ("pack_tile", 0, "e"), ("tile_regs_release",)]
