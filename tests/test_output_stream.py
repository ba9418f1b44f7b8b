"""Output streaming: a T.gemm accumulator larger than DST reaches the writer sub-block by sub-block.

The IR properties (the output CB's ``stream`` and depth, the writer's waits and pops, compute's pushes), the
VerifyTTIR diagnostics of a broken stream, and the numbers on the mock device for a merged block, lock-step
blocks and a partial last block with a float32 output (plus the real-header check of one streamed GEMM).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest

from tests.conftest import REFERENCE_KERNELS
from tests.e2e import test_build_dir
from tests.transform.ir_builders import gemm_ir, kernel_roles
from tests.transform.ir_interp import trace
from tt_build.check import check_emitted_dir
from tt_build.driver import emit
from tt_build.errors import VerifyError
from tt_build.ir import Buffer, BufferRegion, Call, Evaluate, IntImm, IRModule, PrimFunc, Stmt, StmtExprMutator, seq
from tt_build.ir import attrs as A
from tt_build.matrix import MockRunner
from tt_build.transform import PassContext, lower
from tt_build.transform.verify_ttir import verify_structure
from tt_build.ttnn_wheel import ensure_ttnn

GEMM = REFERENCE_KERNELS / "gemm.py"
F32_KERNELS = Path(__file__).parent / "data" / "kernels" / "float32.py"
CB_OPS = ("cb_reserve_back", "cb_push_back", "cb_wait_front", "cb_pop_front")


def _runtime(f: PrimFunc, **values: int) -> dict[str, int]:
    """Every runtime argument (and semaphore) 0 — a multicast receiver — but those given."""
    sems = [n for a in f.attrs[A.COMPILE_TIME_ARGS] if a["kind"] == "semaphore" for n in (a["name"], a["name"] + "_ptr")]
    return {**dict.fromkeys(sems, 0), **{a["name"]: values.get(a["name"], 0) for a in f.attrs[A.RUNTIME_ARGS]}}


def _cb_calls(f: PrimFunc, cb: str, blocks: int = 1) -> list[tuple]:
    calls = trace(f, _runtime(f, start_block=0, num_blocks=blocks))
    return [c for c in calls if c[0] in CB_OPS and c[1] == cb]


def test_a_block_per_core_is_written_sub_block_by_sub_block_from_a_three_sub_block_cb() -> None:
    """1024³ at 128×128 on 8×8: one 4×4-tile block per core, fp32 accumulation (DST: 4 tiles). Compute pushes
    the block one 1×4 sub-block (a tile row) at a time in its last K step; the writer waits for each, writes
    its 4 pages, flushes and pops it; the CB holds three sub-blocks."""
    mod = lower(gemm_ir(1024, 1024, 1024, 128, 128, 32))
    roles = kernel_roles(mod)
    cb = roles["writer"].attrs[A.cb_key("C_local")]
    assert (cb["stream"], cb["block_pages"], cb["depth_pages"], cb["stages"]) == ([1, 4], 16, 12, 3)
    assert next(c for c in mod.attrs[A.HOST_PLAN]["cbs"] if c["name"] == "C_local")["depth_pages"] == 12
    assert _cb_calls(roles["compute"], "C_local") == [("cb_reserve_back", "C_local", 4),
                                                      ("cb_push_back", "C_local", 4)] * 4
    writer = trace(roles["writer"], _runtime(roles["writer"], start_block=9, num_blocks=1))  # block (1, 1)
    out = [c for c in writer if (c[0] in CB_OPS and c[1] == "C_local") or c[0] in (
        "noc_async_write_page", "noc_async_writes_flushed")]
    expected: list[tuple] = []
    for r in range(4):  # tile row 4 + r, columns 4..7 of C (32 tiles wide); the sub-block's pages from L1 page 0
        expected += [("cb_wait_front", "C_local", 4),
                     *(("noc_async_write_page", (4 + r) * 32 + 4 + c, "C", c * 2048) for c in range(4)),
                     ("noc_async_writes_flushed",), ("cb_pop_front", "C_local", 4)]
    assert out == expected


def test_lock_step_blocks_stream_into_a_one_block_cb() -> None:
    """2048×1024×512 with lock-step blocks (1×2 per core): the writer drains block i sub-block by sub-block
    while compute runs block i + 1's K steps; the CB holds one block (four sub-blocks)."""
    mod = lower(gemm_ir(2048, 1024, 512, 128, 128, 32), PassContext(config={"multicast_merge": False}))
    roles = kernel_roles(mod)
    assert {w["count"] for w in roles["writer"].attrs[A.WORK_PARTITION]} == {2}
    cb = roles["writer"].attrs[A.cb_key("C_local")]
    assert (cb["stream"], cb["depth_pages"], cb["stages"]) == ([1, 4], 16, 4)
    assert _cb_calls(roles["writer"], "C_local", blocks=2) == [("cb_wait_front", "C_local", 4),
                                                              ("cb_pop_front", "C_local", 4)] * 8
    assert _cb_calls(roles["compute"], "C_local", blocks=2) == [("cb_reserve_back", "C_local", 4),
                                                               ("cb_push_back", "C_local", 4)] * 8


def test_bfloat16_accumulation_streams_whole_tile_rows() -> None:
    """A bfloat16 accumulator: DST holds 8 tiles, so the 4×4-tile block goes in sub-blocks of two whole tile
    rows (2×4), pages row-major within the sub-block."""
    mod = lower(gemm_ir(1024, 1024, 1024, 128, 128, 32, accum="bfloat16"))
    writer = kernel_roles(mod)["writer"]
    cb = writer.attrs[A.cb_key("C_local")]
    assert (cb["stream"], cb["depth_pages"]) == ([2, 4], 16)
    calls = [c for c in trace(writer, _runtime(writer, start_block=0, num_blocks=1))
             if c[0] == "noc_async_write_page" or (c[0] in CB_OPS and c[1] == "C_local")]
    assert calls[:10] == [("cb_wait_front", "C_local", 8),
                          *(("noc_async_write_page", r * 32 + c, "C", (r * 4 + c) * 2048)
                            for r in range(2) for c in range(4)),
                          ("cb_pop_front", "C_local", 8)]


def test_an_accumulator_that_fits_dst_is_not_streamed() -> None:
    mod = lower(gemm_ir(1024, 1024, 1024, 64, 64, 32), PassContext(config={"multicast": False}))
    cb = kernel_roles(mod)["writer"].attrs[A.cb_key("C_local")]
    assert "stream" not in cb and (cb["block_pages"], cb["depth_pages"]) == (4, 8)


def test_an_accumulator_copied_to_two_tensors_is_not_streamed() -> None:
    """Streaming needs the writer to drain the CB in one pass: an accumulator copied out twice keeps
    whole-block transactions (one wait before the first copy, one pop after the second)."""
    func = gemm_ir(1024, 1024, 1024, 128, 128, 32)
    c2 = Buffer("C2", (1024, 1024), "bfloat16")

    class AddCopy(StmtExprMutator):
        def visit_Evaluate(self, node: Evaluate) -> Stmt:  # noqa: N802
            c = node.value
            if isinstance(c, Call) and c.op == "tl.copy" and c.args[1].buffer.scope == "global" \
                    and c.args[1].buffer.name == "C":
                dst = c.args[1]
                again = Call("tl.copy", (c.args[0], BufferRegion(c2, dst.starts, dst.extents)), c.dtype, c.loc)
                return seq(node, Evaluate(again))
            return node

    func = PrimFunc(func.name, [*func.params, c2], AddCopy().visit(func.body), func.attrs, func.loc)
    writer = kernel_roles(lower(func))["writer"]
    cb = writer.attrs[A.cb_key("C_local")]
    assert "stream" not in cb and (cb["block_pages"], cb["depth_pages"]) == (16, 16)
    assert _cb_calls(writer, "C_local") == [("cb_wait_front", "C_local", 16), ("cb_pop_front", "C_local", 16)]


class _SetCount(StmtExprMutator):
    """Sets the page count of every wait / pop of one CB."""

    def __init__(self, cb: str, n: int) -> None:
        self.cb, self.n = cb, n

    def visit_Evaluate(self, node: Evaluate) -> Evaluate:  # noqa: N802
        c = node.value
        if isinstance(c, Call) and c.op in ("tt.cb_wait_front", "tt.cb_pop_front") and c.args[0].name == self.cb:
            return Evaluate(Call(c.op, (c.args[0], IntImm(self.n)), c.dtype, c.loc))
        return node


def test_verify_rejects_a_writer_waiting_for_a_whole_block_of_a_streamed_cb() -> None:
    mod = lower(gemm_ir(1024, 1024, 1024, 128, 128, 32))
    writer = kernel_roles(mod)["writer"]
    broken = IRModule({**mod.functions, writer.name: writer.with_body(_SetCount("C_local", 16).visit(writer.body))},
                      dict(mod.attrs))
    with pytest.raises(VerifyError) as err:
        verify_structure(broken)
    assert err.value.producer == "LowerCBIntrinsics"
    assert "gemm_writer: cb_wait_front(C_local, 16) asks for more pages than the CB holds (12); it would wait " \
           "forever" in err.value.problems
    assert "gemm_writer: cb_pop_front(C_local, 16) moves another granule than the CB's stream of 1x4-tile " \
           "sub-blocks (4 pages at a time)" in err.value.problems


def test_every_pass_leaves_a_streamed_gemm_verifiable() -> None:
    """With verify_each_pass, the stream checks hold after every pass (compute's block-level transactions
    are sized to the sub-blocks by InsertDSTManagementTT; they are checked from then on)."""
    mod = lower(gemm_ir(1024, 1024, 1024, 128, 128, 32), PassContext(config={"verify_each_pass": True}))
    assert kernel_roles(mod)["writer"].attrs[A.cb_key("C_local")]["stream"] == [1, 4]


def test_verify_rejects_a_stream_depth_of_partial_sub_blocks() -> None:
    mod = lower(gemm_ir(1024, 1024, 1024, 128, 128, 32))
    key = A.cb_key("C_local")
    funcs = {n: PrimFunc(f.name, f.params, f.body, {**f.attrs, key: {**f.attrs[key], "depth_pages": 6}}, f.loc)
             for n, f in mod.functions.items()}
    with pytest.raises(VerifyError) as err:
        verify_structure(IRModule(funcs, dict(mod.attrs)))
    assert err.value.producer == "LowerSharedToCB"
    assert err.value.problems == ["streamed CB C_local holds 6 pages, not a whole number of its 4-page sub-blocks"]


# ----------------------------------------------------------------------------------------- on the mock


@pytest.fixture(scope="module")
def runner() -> MockRunner:
    return MockRunner(test_build_dir())


def _run(runner: MockRunner, out: Path, source: Path, args: dict, options: dict,
         out_dtype: type = ml_dtypes.bfloat16) -> tuple[float, dict, dict]:
    result = emit(source, "matmul", args, out.name, out, options=options)
    m, n, k = args["M"], args["N"], args["K"]
    rng = np.random.default_rng(m + n + k)
    a = rng.standard_normal((m, k), dtype=np.float32).astype(ml_dtypes.bfloat16)
    b = rng.standard_normal((k, n), dtype=np.float32).astype(ml_dtypes.bfloat16)
    stats = out.parent / f"{out.name}.json"
    os.environ["TT_MOCK_STATS"] = str(stats)
    try:
        (c,) = runner.run(out, [a, b])
    finally:
        del os.environ["TT_MOCK_STATS"]
    assert c.dtype == out_dtype
    ref = a.astype(np.float32) @ b.astype(np.float32)
    err = float(np.abs(c.astype(np.float32) - ref).max() / np.abs(ref).max())
    return err, json.loads(stats.read_text())["workloads"][-1]["totals"], result.manifest


@pytest.mark.compile
def test_streamed_merged_and_lock_step_gemms_match_numpy(runner: MockRunner, tmp_path: Path) -> None:
    """2048×2048×128 at 128×128 on 8×8 cores: each core's 2×2 blocks merged into one 256×256 block (64 tiles,
    streamed through a 12-page CB; each operand read from DRAM once), and the same as 2×2 lock-step blocks
    per core (a one-block CB). The merged kernels pass the real-header check."""
    args = {"M": 2048, "N": 2048, "K": 128, "block_M": 128, "block_N": 128, "block_K": 32}
    merged = tmp_path / "merged"
    err, totals, manifest = _run(runner, merged, GEMM, args, {"multicast_merge": True})
    assert err < 1e-2
    cb = next(c for c in manifest["cbs"] if c["name"] == "C_local")
    assert (cb["block_pages"], cb["num_pages"]) == (64, 12)
    assert totals["dram_read_bytes"] == (2048 * 128 + 128 * 2048) * 2
    assert totals["dram_write_bytes"] == 2048 * 2048 * 2
    report = check_emitted_dir(merged, ttnn_root=ensure_ttnn())
    assert report.ok, report.summary()
    assert [report.kernel(r).status for r in ("reader", "writer", "compute")] == ["checked"] * 3
    err, totals, manifest = _run(runner, tmp_path / "lock_step", GEMM, args, {"multicast_merge": False})
    assert err < 1e-2
    cb = next(c for c in manifest["cbs"] if c["name"] == "C_local")
    assert (cb["block_pages"], cb["num_pages"]) == (16, 16)
    assert totals["dram_write_bytes"] == 2048 * 2048 * 2


@pytest.mark.compile
def test_a_streamed_partial_last_block_with_a_float32_output_matches_numpy(runner: MockRunner,
                                                                           tmp_path: Path) -> None:
    """352×352×128 at 32×32 on a 4×4 device grid: 11×11 blocks, each core's 3×3 merged into a 96×96 block
    (9 tiles: streamed in 1×3 sub-blocks of float32 pages, the CB holding all three); the last core row / column overhangs the tensor
    (4 × 96 = 384 > 352): the writer skips the pages outside, so exactly C's bytes are written."""
    args = {"M": 352, "N": 352, "K": 128, "block_M": 32, "block_N": 32, "dtype": "bfloat16"}
    err, totals, manifest = _run(runner, tmp_path / "partial", F32_KERNELS, args,
                                 {"device_grid": [4, 4], "multicast_merge": True}, np.float32)
    assert err < 1e-5  # bfloat16 products summed in float32, a float32 result
    cb = next(c for c in manifest["cbs"] if c["kind"] == "output")
    assert (cb["block_pages"], cb["num_pages"], cb["page_size"]) == (9, 9, 4096)
    assert totals["dram_write_bytes"] == 352 * 352 * 4
    assert totals["dram_read_bytes"] == (352 * 128 + 128 * 352) * 2
