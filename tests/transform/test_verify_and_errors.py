"""Diagnostics of the passes and VerifyTTIR's rejection of malformed IR (naming the producer)."""

from __future__ import annotations

import dataclasses

import pytest

from tests.transform.ir_builders import drop_first, gemm_ir, kernel_roles
from tt_build.errors import PassError, VerifyError
from tt_build.ir import (
    Buffer,
    BufferRegion,
    Call,
    Evaluate,
    IntImm,
    IRModule,
    KernelLaunch,
    PrimFunc,
    SeqStmt,
    StmtExprMutator,
    Var,
    seq,
)
from tt_build.ir import Allocate
from tt_build.ir import attrs as A
from tt_build.transform import Pass, PassContext, Sequential, lower, pipeline
from tt_build.transform.verify_ttir import verify_structure



def _passthrough(n: int) -> PrimFunc:
    """n tensors copied through n shared buffers into n outputs (reader → writer, no compute)."""
    bx = Var("bx")
    ins = [Buffer(f"in{i}", (32, 32), "bfloat16") for i in range(n)]
    outs = [Buffer(f"out{i}", (32, 32), "bfloat16") for i in range(n)]
    shared = [Buffer(f"s{i}", (32, 32), "bfloat16", "shared") for i in range(n)]
    stmts = []
    for i in range(n):
        stmts.append(Evaluate(Call("tl.copy", (BufferRegion(ins[i], (bx * 32, IntImm(0)), (32, 32)),
                                              BufferRegion.full(shared[i])))))
        stmts.append(Evaluate(Call("tl.copy", (BufferRegion.full(shared[i]),
                                              BufferRegion(outs[i], (bx * 32, IntImm(0)), (32, 32))))))
    body = seq(*stmts)
    for s in reversed(shared):
        body = Allocate(s, body)
    return PrimFunc("copy", [*ins, *outs], KernelLaunch((IntImm(1),), (bx,), body))


def test_passthrough_copy_kernel_lowers() -> None:
    roles = kernel_roles(lower(_passthrough(2)))
    assert roles["compute"].body == SeqStmt([]) or not isinstance(roles["compute"].body, Evaluate)


def test_more_than_32_cbs_is_rejected() -> None:
    with pytest.raises(PassError) as err:
        lower(_passthrough(33))
    assert err.value.pass_name == "LowerSharedToCB"
    assert "needs 33 circular buffers; a Tensix core has at most 32" in str(err.value)


def test_l1_overflow_is_rejected_with_the_cb_sizes() -> None:
    with pytest.raises(PassError) as err:
        lower(gemm_ir(1024, 1024, 1024, 512, 512, 512, stages=3))
    msg = str(err.value)
    assert err.value.pass_name == "LowerSharedToCB"
    assert "circular buffers need" in msg and "A_shared: 768 pages" in msg
    assert "hint: reduce the block sizes or num_stages" in msg


@pytest.mark.parametrize(("config", "fits"), [({}, False), ({"arch": "wormhole_b0"}, False),
                                             ({"arch": "blackhole"}, True),
                                             ({"arch": "wormhole_b0", "l1_budget": 1417216}, True)])
def test_l1_budget_follows_the_architecture(config: dict, fits: bool) -> None:
    # 64x64x1824 blocks, 3 stages: A and B 3 * 2 * 57 pages each, C 2 * 4: 692 pages of 2 KiB = 1,417,216
    # bytes: more than Wormhole's 1,396,736, less than Blackhole's 1,470,464.
    func = gemm_ir(128, 128, 1824, 64, 64, 1824, stages=3)
    if fits:
        lower(func, config=config)
        return
    with pytest.raises(PassError) as err:
        lower(func, config=config)
    assert "circular buffers need 1417216 bytes of L1 but only 1396736 are available" in str(err.value)


def test_bf16_accumulator_gets_the_larger_dst() -> None:
    mod = lower(gemm_ir(256, 256, 256, 64, 128, 32, accum="bfloat16"))
    assert kernel_roles(mod)["compute"].attrs[A.COMPUTE_CONFIG]["dst_capacity"] == 8


def test_out_of_bounds_copy_region_is_rejected() -> None:
    func = gemm_ir(256, 256, 256)
    # grid one block too wide: the last block column reads past N
    launch = func.body
    assert isinstance(launch, KernelLaunch)
    bad = dataclasses.replace(launch, grid=(IntImm(9), launch.grid[1]))
    with pytest.raises(PassError) as err:
        lower(func.with_body(bad))
    assert err.value.pass_name == "PropagateTTLayout"
    assert "outside the tensor of shape (256, 256)" in str(err.value)


#: the kernel's own block_K (no K coarsening by the multicast plan)
_K1 = {"multicast_k_tiles": 1}



def test_verify_rejects_unbalanced_cb_and_names_lower_cb_intrinsics() -> None:
    mod = drop_first(lower(gemm_ir(256, 256, 256), PassContext(config=_K1)), "compute", "tt.cb_pop_front")
    with pytest.raises(VerifyError) as err:
        verify_structure(mod)
    assert err.value.producer == "LowerCBIntrinsics"
    assert "gemm_compute: CB A_shared waits for 1 pages but pops 0 per loop over k" in err.value.problems
    assert "CB A_shared: producer pushes 8 pages but consumer pops 0 per persistent iteration" in err.value.problems


def test_verify_rejects_math_outside_acquire() -> None:
    mod = drop_first(lower(gemm_ir(256, 256, 256), PassContext(config=_K1)), "compute", "tt.tile_regs_acquire")
    with pytest.raises(VerifyError) as err:
        verify_structure(mod)
    assert err.value.producer == "InsertDSTManagementTT"
    assert any("matmul_subblock outside tile_regs_acquire/commit (DST idle)" in p for p in err.value.problems)


def test_verify_rejects_pack_before_wait() -> None:
    mod = drop_first(lower(gemm_ir(256, 256, 256), PassContext(config=_K1)), "compute", "tt.tile_regs_wait")
    with pytest.raises(VerifyError) as err:
        verify_structure(mod)
    assert any("pack_tile before tile_regs_wait (DST committed)" in p for p in err.value.problems)


class _DropReaderPush(Pass):
    name = "test.DropReaderPush"

    def transform(self, mod: IRModule, ctx: PassContext) -> IRModule:  # noqa: ARG002
        return drop_first(mod, "reader", "tt.cb_push_back")


def test_verify_each_pass_names_the_pass_that_broke_the_ir() -> None:
    passes = pipeline()
    at = [p.short_name for p in passes].index("LowerCBIntrinsics") + 1
    passes.insert(at, _DropReaderPush())
    ctx = PassContext(config={"verify_each_pass": True})
    with ctx, pytest.raises(VerifyError) as err:
        Sequential(passes)(IRModule({"gemm": gemm_ir(256, 256, 256)}), ctx)
    assert err.value.producer == "DropReaderPush"
    assert str(err.value).startswith("VerifyTTIR rejected the IR produced by DropReaderPush:")


class _Crash(Pass):
    name = "test.Crash"

    def transform(self, mod: IRModule, ctx: PassContext) -> IRModule:
        raise ValueError("boom")


def test_internal_errors_name_the_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TT_BUILD_DEBUG", raising=False)
    with pytest.raises(PassError) as err:
        _Crash()(IRModule({}), PassContext())
    assert str(err.value).startswith("error in pass Crash: internal compiler error: ValueError: boom")


def test_transpose_a_is_a_diagnostic() -> None:
    func = gemm_ir(64, 64, 64)

    class FlipA(StmtExprMutator):
        def visit_Call(self, c: Call):  # noqa: N802, ANN202
            if c.op == "tl.gemm":
                return Call(c.op, (*c.args[:3], IntImm(1, "bool"), c.args[4]), c.dtype)
            return c

    with pytest.raises(PassError, match=r"T.gemm\(transpose_A=True\) is not supported"):
        lower(func.with_body(FlipA().visit(func.body)))


def _with_cb_attrs(mod: IRModule, change) -> IRModule:  # noqa: ANN001
    """Apply ``change(cbs: dict[name, dict])`` to the tt.cb.* attrs of every device function."""
    funcs = {}
    for name, f in mod.functions.items():
        attrs = {k: dict(v) if k.startswith(A.CB_PREFIX) else v for k, v in f.attrs.items()}
        cbs = {k[len(A.CB_PREFIX):]: v for k, v in attrs.items() if k.startswith(A.CB_PREFIX)}
        change(cbs, attrs)
        funcs[name] = PrimFunc(f.name, f.params, f.body, attrs, f.loc)
    return IRModule(funcs, dict(mod.attrs))


def test_verify_rejects_too_many_cbs_and_names_lower_shared_to_cb() -> None:
    def add_cbs(cbs, attrs) -> None:  # noqa: ANN001
        for i in range(30):
            attrs[A.cb_key(f"extra{i}")] = {"cb_id": 2 + i, "kind": "intermediate", "page_size": 2048,
                                            "depth_pages": 1, "block_pages": 1}

    with pytest.raises(VerifyError) as err:
        verify_structure(_with_cb_attrs(lower(gemm_ir(256, 256, 256), PassContext(config=_K1)), add_cbs))
    assert err.value.producer == "LowerSharedToCB"
    assert "33 circular buffers; at most 32 exist" in err.value.problems
    assert any(p.startswith("CB ids are not unique") for p in err.value.problems)  # extra14 took id 16


def test_verify_rejects_bad_cb_ids_and_l1_overflow() -> None:
    def bad_id(cbs, attrs) -> None:  # noqa: ANN001
        cbs["A_shared"]["cb_id"] = 32

    with pytest.raises(VerifyError) as err:
        verify_structure(_with_cb_attrs(lower(gemm_ir(256, 256, 256), PassContext(config=_K1)), bad_id))
    assert err.value.producer == "LowerSharedToCB"
    assert err.value.problems == ["CB A_shared has id 32, outside 0..31"]

    mod = lower(gemm_ir(256, 256, 256), PassContext(config=_K1))
    with pytest.raises(VerifyError) as err:
        # the GEMM's CBs hold 4 + 4 + 1 pages of 2 KiB (the operand pipeline's 4 stages of one-tile steps; one
        # output block per multicast core: single-buffered)
        verify_structure(mod, budget=4 * 2048)
    assert err.value.producer == "LowerSharedToCB"
    assert err.value.problems == [f"CBs use {9 * 2048} bytes of L1, budget {4 * 2048}"]


def test_verify_rejects_noc_calls_in_compute_and_names_split_device_kernel() -> None:
    mod = lower(gemm_ir(256, 256, 256), PassContext(config=_K1))
    compute = kernel_roles(mod)["compute"]
    body = seq(Evaluate(Call("tt.noc_async_read_barrier", ())), compute.body)
    funcs = dict(mod.functions)
    funcs[compute.name] = compute.with_body(body)
    with pytest.raises(VerifyError) as err:
        verify_structure(IRModule(funcs, dict(mod.attrs)))
    assert err.value.producer == "SplitDeviceKernel"
    assert err.value.problems == ["gemm_compute: NOC call noc_async_read_barrier in the compute kernel"]


def test_verify_rejects_unbound_variables_and_names_finalize_persistent_signature() -> None:
    mod = lower(gemm_ir(256, 256, 256), PassContext(config=_K1))
    reader = kernel_roles(mod)["reader"]
    attrs = dict(reader.attrs)
    attrs[A.RUNTIME_ARGS] = [a for a in attrs[A.RUNTIME_ARGS] if a["kind"] != "start"]
    funcs = dict(mod.functions)
    funcs[reader.name] = PrimFunc(reader.name, reader.params, reader.body, attrs, reader.loc)
    with pytest.raises(VerifyError) as err:
        verify_structure(IRModule(funcs, dict(mod.attrs)))
    assert err.value.producer == "FinalizePersistentSignatureTT"
    assert set(err.value.problems) == {"gemm_reader: variable start_block is not bound"}


def test_verify_rejects_operand_cbs_off_the_plan_pipeline() -> None:
    # pipeline under a 170 KiB budget: 16 steps of 2 K tiles in 2 stages, no tail
    mod = lower(gemm_ir(1024, 1024, 1024, 128, 128, 32), PassContext(config={"l1_budget": 170 * 1024}))

    def three_stages(cbs, attrs) -> None:  # noqa: ANN001
        cbs["A_shared"]["stages"], cbs["A_shared"]["depth_pages"] = 3, 24

    with pytest.raises(VerifyError) as err:
        verify_structure(_with_cb_attrs(mod, three_stages))
    assert err.value.producer == "LowerSharedToCB"
    assert err.value.problems == ["multicast operand CB A_shared holds 24 pages (3 stages of 8), not the "
                                  "pipeline's 2 stages of its 8-page step"]

    def ragged(cbs, attrs) -> None:  # noqa: ANN001
        cbs["B_shared"]["depth_pages"] = 20

    with pytest.raises(VerifyError) as err:
        verify_structure(_with_cb_attrs(mod, ragged))
    assert err.value.problems == [
        "CB B_shared holds 20 pages, not a whole number of its 8-page steps",
        "multicast operand CB B_shared holds 20 pages (2 stages of 8), not the pipeline's 2 stages of its "
        "8-page step"]

    def one_stage(cbs, attrs) -> None:  # noqa: ANN001
        attrs[A.MULTICAST] = {**attrs[A.MULTICAST], "pipeline": {"k_tiles": 2, "stages": 1, "steps": 16,
                                                                 "tail_steps": 1}}
        for name in ("A_shared", "B_shared"):
            cbs[name]["stages"], cbs[name]["depth_pages"] = 1, 8

    with pytest.raises(VerifyError) as err:
        verify_structure(_with_cb_attrs(mod, one_stage))
    assert err.value.producer == "PlanMulticastTT"
    assert err.value.problems == ["operand pipeline of 1 stage(s): a multicast refill needs at least 2 (one slot "
                                  "for the math, one being filled)"]

    def four_tiles(cbs, attrs) -> None:  # noqa: ANN001
        attrs[A.MULTICAST] = {**attrs[A.MULTICAST], "pipeline": {"k_tiles": 4, "stages": 2, "steps": 16,
                                                                 "tail_steps": 1}}

    with pytest.raises(VerifyError) as err:
        verify_structure(_with_cb_attrs(mod, four_tiles))
    # (B's K extent may be either dimension, B stored [K, N] or transposed [N, K]: 2x4 tiles hold 4 either way)
    assert err.value.problems == [
        "multicast operand A_shared holds 4x2 tiles, not the pipeline's 4 tiles of K per step"]

    def three_tiles(cbs, attrs) -> None:  # noqa: ANN001
        attrs[A.MULTICAST] = {**attrs[A.MULTICAST], "pipeline": {"k_tiles": 3, "stages": 2, "steps": 16,
                                                                 "tail_steps": 1}}

    with pytest.raises(VerifyError) as err:
        verify_structure(_with_cb_attrs(mod, three_tiles))
    assert err.value.problems == [
        "multicast operand A_shared holds 4x2 tiles, not the pipeline's 3 tiles of K per step",
        "multicast operand B_shared holds 2x4 tiles, not the pipeline's 3 tiles of K per step"]

    def ragged_tail(cbs, attrs) -> None:  # noqa: ANN001
        attrs[A.MULTICAST] = {**attrs[A.MULTICAST], "pipeline": {"k_tiles": 2, "stages": 2, "steps": 16,
                                                                 "tail_steps": 3}}

    with pytest.raises(VerifyError) as err:
        verify_structure(_with_cb_attrs(mod, ragged_tail))
    assert err.value.problems == [
        "operand pipeline tail of 3 of 16 K steps in 2 stages: the tail must fit the CB and start at its first "
        "slot (tail <= stages, (steps - tail) a multiple of stages)"]
