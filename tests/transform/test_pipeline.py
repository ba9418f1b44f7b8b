"""End-to-end structure of the lowered reference kernels: roles, CB ids, protocol order,
tile ids for sample cores and the DST sequence — asserted exactly, through an IR interpreter."""

from __future__ import annotations

import pytest

from tests.conftest import REFERENCE_KERNELS
from tests.transform.ir_interp import trace, unblock
from tests.transform.ir_builders import eltwise_ir, gemm_ir
from tt_build.driver import build_primfunc, list_instances
from tt_build.ir import attrs as A
from tt_build.ir import structural_equal
from tt_build.errors import PassError
from tt_build.transform import PassContext, lower
from tt_build.transform.layout_aware_work_partition_tt import partition

INSTANCES = {i.name: i for f in ("gemm.py", "eltwise.py") for i in list_instances(REFERENCE_KERNELS / f)}


def _lower(name: str, **config: object):
    inst = INSTANCES[name]
    func, _ = build_primfunc(inst.source, inst.factory, inst.args)
    return lower(func, PassContext(config=dict(config)))


def _roles(mod):
    return {f.attrs[A.KERNEL_ROLE]: f for f in mod.functions.values()}


@pytest.mark.parametrize("name", sorted(INSTANCES))
def test_every_reference_instance_splits_into_three_kernels(name: str) -> None:
    mod = _lower(name, multicast_merge=False)  # lock-step blocks: the kernel's own accumulator fits DST
    assert sorted(f.attrs[A.KERNEL_ROLE] for f in mod.functions.values()) == ["compute", "reader", "writer"]
    plan = mod.attrs[A.HOST_PLAN]
    assert [(cb["name"], cb["cb_id"], cb["kind"]) for cb in plan["cbs"]] == [
        (plan["cbs"][0]["name"], 0, "input"), (plan["cbs"][1]["name"], 1, "input"),
        (plan["cbs"][2]["name"], 16, "output")]
    # every output block is assigned to exactly one core
    blocks = sorted(b for w in plan["work_partition"] for b in range(w["start"], w["start"] + w["count"]))
    gx, gy = _roles(mod)["reader"].attrs[A.GRID_BLOCKS]
    assert blocks == list(range(gx * gy))
    counts = [w["count"] for w in plan["work_partition"]]
    assert max(counts) - min(counts) <= 1


def _block_xy(block: int, gx: int) -> tuple[int, int]:
    return block % gx, block // gx


@pytest.mark.parametrize(("name", "bm", "bn", "bk", "kdim"), [
    ("gemm_256", 1, 1, 1, 8), ("gemm_512", 1, 1, 1, 16), ("gemm_1024", 2, 2, 1, 32)])
def test_gemm_reader_reads_the_right_tiles_in_order(name: str, bm: int, bn: int, bk: int, kdim: int) -> None:
    mod = _lower(name, multicast=False)
    reader = _roles(mod)["reader"]
    gx, _ = reader.attrs[A.GRID_BLOCKS]
    kt_total = kdim * bk
    nt = gx * bn
    for w in (reader.attrs[A.WORK_PARTITION][0], reader.attrs[A.WORK_PARTITION][-1]):
        calls = trace(reader, {"A_addr": 0, "B_addr": 0, "start_block": w["start"], "num_blocks": w["count"]})
        expected = []
        for block in range(w["start"], w["start"] + w["count"]):
            bx, by = _block_xy(block, gx)
            for k in range(kdim):
                expected += [("cb_reserve_back", "A_shared", bm * bk), ("cb_reserve_back", "B_shared", bk * bn)]
                for r in range(bm):
                    for c in range(bk):
                        expected.append(("noc_async_read_page", (by * bm + r) * kt_total + k * bk + c, "A",
                                         (r * bk + c) * 2048))
                for r in range(bk):
                    for c in range(bn):
                        expected.append(("noc_async_read_page", (k * bk + r) * nt + bx * bn + c, "B",
                                         (r * bn + c) * 2048))
                expected += [("noc_async_read_barrier",), ("cb_push_back", "A_shared", bm * bk),
                             ("cb_push_back", "B_shared", bk * bn)]
        assert calls == expected


@pytest.mark.parametrize(("name", "bm", "bn", "kdim"), [("gemm_256", 1, 1, 8), ("gemm_1024", 2, 2, 32)])
def test_gemm_compute_dst_sequence(name: str, bm: int, bn: int, kdim: int) -> None:
    mod = _lower(name, multicast_k_tiles=1, multicast_merge=False)  # the kernel's own block_K and blocks
    compute = _roles(mod)["compute"]
    calls = unblock(trace(compute, {"start_block": 5, "num_blocks": 2}))
    head = [("compute_kernel_hw_startup_reverse", "A_shared", "B_shared", "C_local"),
            ("matmul_init", "A_shared", "B_shared", 0)]
    per_block = [("tile_regs_acquire",)]
    for _ in range(kdim):
        per_block += [("cb_wait_front", "A_shared", bm), ("cb_wait_front", "B_shared", bn)]
        per_block += [("matmul_tiles", "A_shared", "B_shared", i, j, i * bn + j) for i in range(bm) for j in range(bn)]
        per_block += [("cb_pop_front", "A_shared", bm), ("cb_pop_front", "B_shared", bn)]
    per_block += [("tile_regs_commit",), ("tile_regs_wait",), ("cb_reserve_back", "C_local", bm * bn)]
    per_block += [("pack_tile", t, "C_local") for t in range(bm * bn)]
    per_block += [("cb_push_back", "C_local", bm * bn), ("tile_regs_release",)]
    assert calls == head + per_block * 2
    assert compute.attrs[A.COMPUTE_CONFIG]["fp32_dest_acc_en"] is True


def test_gemm_writer_writes_each_output_tile_once() -> None:
    mod = _lower("gemm_1024", multicast=False)
    writer = _roles(mod)["writer"]
    pages = []
    for w in writer.attrs[A.WORK_PARTITION]:
        for c in trace(writer, {"C_addr": 0, "start_block": w["start"], "num_blocks": w["count"]}):
            if c[0] == "noc_async_write_page":
                pages.append(c[1])
    assert sorted(pages) == list(range(32 * 32))


@pytest.mark.parametrize(("name", "api"), [("eltwise_add_256", "add"), ("eltwise_mul_256", "mul")])
def test_eltwise_compute_sequence(name: str, api: str) -> None:
    compute = _roles(_lower(name))["compute"]
    calls = trace(compute, {"start_block": 0, "num_blocks": 1})
    assert calls == [
        ("compute_kernel_hw_startup", "A_shared", "B_shared", "C_local"),
        (f"{api}_init", "A_shared", "B_shared"),
        ("cb_wait_front", "A_shared", 1), ("cb_wait_front", "B_shared", 1),
        ("tile_regs_acquire",), (f"{api}_tiles", "A_shared", "B_shared", 0, 0, 0),
        ("cb_pop_front", "A_shared", 1), ("cb_pop_front", "B_shared", 1),
        ("tile_regs_commit",), ("tile_regs_wait",), ("cb_reserve_back", "C_local", 1),
        ("pack_tile", 0, "C_local"), ("cb_push_back", "C_local", 1), ("tile_regs_release",),
    ]


def test_pipelined_stages_set_cb_depth() -> None:
    for stages in (1, 2, 3):  # the plain partition: the kernel's num_stages
        mod = lower(gemm_ir(256, 256, 256, 64, 64, 32, stages=stages), PassContext(config={"multicast": False}))
        cbs = {cb["name"]: cb for cb in mod.attrs[A.HOST_PLAN]["cbs"]}
        assert cbs["A_shared"]["depth_pages"] == stages * 2
        assert cbs["B_shared"]["depth_pages"] == stages * 2
        assert cbs["C_local"]["depth_pages"] == 2 * 4  # a double-buffered output block
    # the multicast plan: its operand pipeline's stages (one-tile steps, whose refill is long against their
    # math: the most stages, 4, above the kernel's 1), and one output block (4x4 blocks on 4x4 multicast cores,
    # one per core: nothing to double-buffer; the kernel's own 64x64 blocks — multicast_merge would resize them
    # to one tile per core on 8x8 cores)
    mod = lower(gemm_ir(256, 256, 256, 64, 64, 32, stages=1),
                PassContext(config={"multicast_k_tiles": 1, "multicast_merge": False}))
    assert mod.attrs[A.HOST_PLAN]["multicast"]["pipeline"] == {"k_tiles": 1, "stages": 4, "steps": 8, "tail_steps": 1}
    cbs = {cb["name"]: cb for cb in mod.attrs[A.HOST_PLAN]["cbs"]}
    assert (cbs["A_shared"]["depth_pages"], cbs["B_shared"]["depth_pages"]) == (4 * 2, 4 * 2)
    assert cbs["C_local"]["depth_pages"] == 4


def test_renaming_buffers_changes_nothing_but_names() -> None:
    a = lower(gemm_ir(512, 512, 512))
    b = lower(gemm_ir(512, 512, 512, names=("x", "w", "out")))
    fa, fb = _roles(a), _roles(b)
    for role in ("reader", "compute", "writer"):
        assert structural_equal(fa[role].body, fb[role].body)
    ids_a = [(cb["cb_id"], cb["kind"], cb["depth_pages"]) for cb in a.attrs[A.HOST_PLAN]["cbs"]]
    ids_b = [(cb["cb_id"], cb["kind"], cb["depth_pages"]) for cb in b.attrs[A.HOST_PLAN]["cbs"]]
    assert ids_a == ids_b


def test_roles_follow_dataflow_not_parameter_order() -> None:
    """The output tensor declared first is still the writer's tensor."""
    func = gemm_ir(256, 256, 256)
    func.params[:] = [func.params[2], func.params[0], func.params[1]]
    roles = _roles(lower(func, PassContext(config={"multicast": False})))
    assert [a["buffer"] for a in roles["writer"].attrs[A.RUNTIME_ARGS] if a["kind"] == "buffer_addr"] == ["C"]
    assert [a["buffer"] for a in roles["reader"].attrs[A.RUNTIME_ARGS] if a["kind"] == "buffer_addr"] == ["A", "B"]


def test_transpose_b_reads_b_rows_and_inits_transposed() -> None:
    mod = lower(gemm_ir(64, 64, 64, transpose_b=True), PassContext(config={"multicast": False}))
    roles = _roles(mod)
    reader = trace(roles["reader"], {"A_addr": 0, "B_addr": 0, "start_block": 1, "num_blocks": 1})
    # block 1 = (bx=1, by=0): B is N x K, so the k-th B tile of output column 1 is page 1 * Kt + k
    assert [c[1] for c in reader if c[0] == "noc_async_read_page" and c[2] == "B"] == [2, 3]
    compute = trace(roles["compute"], {"start_block": 0, "num_blocks": 1})
    assert ("matmul_init", "A_shared", "B_shared", 1) in compute


def test_eltwise_block_larger_than_dst_is_split_into_sub_blocks() -> None:
    compute = _roles(lower(eltwise_ir(256, 256, "add", 128, 128)))["compute"]
    calls = trace(compute, {"start_block": 0, "num_blocks": 1})
    acquires = [i for i, c in enumerate(calls) if c[0] == "tile_regs_acquire"]
    assert len(acquires) == 2  # 16 bf16 tiles, 8 per acquire
    adds = [c for c in calls if c[0] == "add_tiles"]
    assert [c[3] for c in adds] == list(range(16))
    assert max(c[5] for c in adds) == 7
    packs = [c for c in calls if c[0] == "pack_tile"]
    assert [c[1] for c in packs] == list(range(8)) * 2


def test_unary_after_binary_uses_sfpu_init_and_reinit_each_block() -> None:
    compute = _roles(lower(eltwise_ir(64, 64, "sub", unary="exp")))["compute"]
    calls = [c[0] for c in trace(compute, {"start_block": 0, "num_blocks": 2})]
    # inputs are popped as soon as the FPU op consumed them; exp then runs on DST
    body = ["cb_wait_front", "cb_wait_front", "tile_regs_acquire", "sub_init", "sub_tiles", "cb_pop_front",
            "cb_pop_front", "exp_tile_init", "exp_tile", "tile_regs_commit", "tile_regs_wait", "cb_reserve_back",
            "pack_tile", "cb_push_back", "tile_regs_release"]
    assert calls == ["compute_kernel_hw_startup", *body, *body]


def test_blackhole_grid_partition() -> None:
    mod = lower(gemm_ir(1024, 1024, 1024), PassContext(config={"device_grid": (13, 10), "multicast": False}))
    plan = mod.attrs[A.HOST_PLAN]
    assert len(plan["work_partition"]) == 130
    counts = [w["count"] for w in plan["work_partition"]]
    assert sum(counts) == 32 * 32 and max(counts) == 8 and min(counts) == 7
    assert plan["work_partition"][-1]["core"] == [12, 9]
    assert plan["core_ranges"] == [[[0, 0], [12, 9]]]


@pytest.mark.parametrize("total", [1, 7, 63, 64, 65, 100, 129, 130, 131, 1024, 1031])
@pytest.mark.parametrize("ncores", [1, 3, 64, 130])
def test_partition_is_contiguous_complete_and_balanced(total: int, ncores: int) -> None:
    parts = partition(total, min(total, ncores))
    assert [s for s, _ in parts] == [sum(n for _, n in parts[:i]) for i in range(len(parts))]  # contiguous
    assert sum(n for _, n in parts) == total
    counts = [n for _, n in parts]
    assert max(counts) - min(counts) <= 1 and min(counts) >= 1


@pytest.mark.parametrize(("config", "grid", "ncores"), [
    ({}, [8, 8], 64), ({"arch": "blackhole"}, [13, 10], 130), ({"arch": "wormhole_b0"}, [8, 8], 64),
    ({"arch": "blackhole", "device_grid": (4, 2)}, [4, 2], 8)])
def test_arch_option_picks_the_device_grid(config: dict, grid: list[int], ncores: int) -> None:
    mod = lower(gemm_ir(1024, 1024, 1024), PassContext(config={**config, "multicast": False}))
    reader = _roles(mod)["reader"]
    assert reader.attrs[A.DEVICE_GRID] == grid
    assert len(reader.attrs[A.WORK_PARTITION]) == ncores


def test_unknown_arch_is_a_diagnostic() -> None:
    with pytest.raises(PassError) as err:
        lower(gemm_ir(256, 256, 256), PassContext(config={"arch": "grayskull"}))
    assert err.value.pass_name == "LayoutAwareWorkPartitionTT"
    assert err.value.msg == "unknown architecture 'grayskull'"
    assert err.value.hint == "arch is one of wormhole_b0, blackhole"


@pytest.mark.parametrize("core_index", [0, 1, 57, 129])
def test_blackhole_gemm_1024_reads_and_writes_the_right_tiles_on_sample_cores(core_index: int) -> None:
    """Blocked GEMM (64×64×32: 2×2 output tiles per block, 16×16 blocks) over the 13×10 grid: 256 blocks on
    130 cores, so cores 0..125 get 2 blocks and 126..129 get 1; tile ids evaluated per core."""
    mod = lower(gemm_ir(1024, 1024, 1024, 64, 64, 32), PassContext(config={"arch": "blackhole", "multicast": False}))
    roles = _roles(mod)
    w = roles["reader"].attrs[A.WORK_PARTITION][core_index]
    assert w["core"] == [core_index % 13, core_index // 13]
    assert (w["start"], w["count"]) == ((2 * core_index, 2) if core_index < 126 else (252 + core_index - 126, 1))
    rt = {"A_addr": 0, "B_addr": 0, "C_addr": 0, "start_block": w["start"], "num_blocks": w["count"]}
    reads = [c[1:3] for c in trace(roles["reader"], rt) if c[0] == "noc_async_read_page"]
    writes = [c[1] for c in trace(roles["writer"], rt) if c[0] == "noc_async_write_page"]
    want_reads, want_writes = [], []
    for block in range(w["start"], w["start"] + w["count"]):
        bx, by = block % 16, block // 16
        for k in range(32):
            want_reads += [((by * 2 + r) * 32 + k, "A") for r in range(2)]
            want_reads += [(k * 32 + bx * 2 + c, "B") for c in range(2)]
        want_writes += [(by * 2 + r) * 32 + bx * 2 + c for r in range(2) for c in range(2)]
    assert reads == want_reads
    assert writes == want_writes


def test_layouts_set_memory_and_partition_mode() -> None:
    def annotated(layouts: dict[str, str]):  # noqa: ANN202
        func = eltwise_ir(256, 256)
        return func.with_attr(A.LAYOUT_ANNOTATIONS, layouts)

    mod = lower(annotated({"A": "l1_interleaved", "C": "l1_interleaved"}))
    params = {p["name"]: (p["layout"], p["memory"], p["sharding"]) for p in mod.attrs[A.HOST_PLAN]["params"]}
    assert params == {"A": ("l1_interleaved", "l1", None), "B": ("dram_interleaved", "dram", None),
                      "C": ("l1_interleaved", "l1", None)}
    assert mod.attrs[A.HOST_PLAN]["partition_mode"] == "global"
    # the partition follows B's shard grid (8x8 tiles, 8x8 blocks of one tile): a row of blocks per core
    # (height), a column of blocks per core (width: core-by-core rectangles, tt.shard_blocks), a block per core
    for layout, sharding, cores, shard, rects in (
            ("l1_height_sharded", "height", 8, [1, 8], None),
            ("l1_width_sharded", "width", 8, [8, 1], {"rect_grid": [8, 1], "blocks_per_core": [1, 8]}),
            ("l1_block_sharded", "block", 64, [1, 1], None)):
        mod = lower(annotated({"B": layout}))
        plan = mod.attrs[A.HOST_PLAN]
        assert plan["partition_mode"] == "local_shard"
        assert {p["name"]: p["sharding"] for p in plan["params"]} == {"A": None, "B": sharding, "C": None}
        assert {p["name"]: p.get("shard_shape") for p in plan["params"]} == {"A": None, "B": shard, "C": None}
        per = 64 // cores
        assert [(w["start"], w["count"]) for w in plan["work_partition"]] == [(c * per, per) for c in range(cores)]
        assert all(f.attrs.get(A.SHARD_BLOCKS) == rects for f in mod.functions.values())


def test_matmul_accumulator_larger_than_dst_spills_partials_to_l1() -> None:
    """128×128 fp32 accumulator = 16 tiles, DST holds 4: 4 sub-blocks (one tile row each) per K iteration,
    partial sums in a Float32 CB between iterations; the K loop (8 iterations) is peeled into first / middle /
    last: the partials are reserved once, every iteration but the last packs each sub-block into its own pages
    (pack_tile<true>), the middle ones with packer L1 accumulation on (pack_reconfig_l1_acc), and the last
    one reloads them into DST once and packs the result."""
    mod = lower(gemm_ir(256, 256, 256, 128, 128, 32), PassContext(config={"multicast": False}))
    plan = mod.attrs[A.HOST_PLAN]
    assert [(c["name"], c["cb_id"], c["kind"], c["data_format"], c["page_size"], c["depth_pages"])
            for c in plan["cbs"]] == [
        ("A_shared", 0, "input", "Float16_b", 2048, 8), ("B_shared", 1, "input", "Float16_b", 2048, 8),
        # the output is streamed in sub-blocks of 1x4 tiles: three of them (each core runs one block)
        ("C_local", 16, "output", "Float16_b", 2048, 12), ("C_local_partials", 24, "intermediate", "Float32", 4096, 16)]
    assert plan["cbs"][2]["stream"] == [1, 4]
    for f in mod.functions.values():  # every device function describes the new CB
        assert f.attrs[A.cb_key("C_local_partials")]["cb_id"] == 24
    compute = _roles(mod)["compute"]
    assert [a["name"] for a in compute.attrs[A.COMPILE_TIME_ARGS]] == [
        "cb_A_shared", "cb_B_shared", "cb_C_local", "cb_C_local_partials"]
    calls = unblock(trace(compute, {"start_block": 0, "num_blocks": 1}))

    def sub_block(s: int, first: bool, last: bool) -> list[tuple]:
        seq_ = [("tile_regs_acquire",)]
        if last:
            seq_ += [("reconfig_data_format_srca", "B_shared", "C_local_partials"),
                     ("cb_wait_front", "C_local_partials", 4)]
            seq_ += ([("copy_init", "C_local_partials")] + [("copy_tile", "C_local_partials", t, t) for t in range(4)])
            seq_ += [("cb_pop_front", "C_local_partials", 4),
                     ("reconfig_data_format_srca", "C_local_partials", "B_shared"),
                     ("matmul_init", "A_shared", "B_shared", 0)]
        tiles = [s * 4 + t for t in range(4)]
        seq_ += [("matmul_tiles", "A_shared", "B_shared", idx // 4, idx % 4, t) for t, idx in enumerate(tiles)]
        seq_ += [("tile_regs_commit",), ("tile_regs_wait",)]
        if last:
            seq_ += [("cb_reserve_back", "C_local", 4), *[("pack_tile", t, "C_local") for t in range(4)],
                     ("cb_push_back", "C_local", 4)]
        else:  # into the sub-block's own pages of the partials
            seq_ += [("pack_tile_at", t, "C_local_partials", s * 4 + t) for t in range(4)]
        return [*seq_, ("tile_regs_release",)]

    waits = [("cb_wait_front", "A_shared", 4), ("cb_wait_front", "B_shared", 4)]
    pops = [("cb_pop_front", "A_shared", 4), ("cb_pop_front", "B_shared", 4)]
    expected = [("compute_kernel_hw_startup_reverse", "A_shared", "B_shared", "C_local_partials"), *waits,
                ("cb_reserve_back", "C_local_partials", 16), ("pack_reconfig_data_format", "C_local_partials"),
                ("matmul_init", "A_shared", "B_shared", 0)]
    for s in range(4):
        expected += sub_block(s, True, False)
    expected += pops
    expected.append(("pack_reconfig_l1_acc", 1))
    for _ in range(6):
        expected += waits
        for s in range(4):
            expected += sub_block(s, False, False)
        expected += pops
    expected += [("pack_reconfig_l1_acc", 0), ("cb_push_back", "C_local_partials", 16), *waits,
                 ("pack_reconfig_data_format", "C_local")]
    for s in range(4):
        expected += sub_block(s, False, True)
    expected += pops
    assert calls == expected


def test_bf16_accumulator_spills_in_its_own_format_without_reconfig() -> None:
    # 9 tiles > 8: sub-blocks of 3
    mod = lower(gemm_ir(192, 192, 128, 96, 96, 64, accum="bfloat16"),
                PassContext(config={"multicast_k_tiles": 1, "multicast_merge": False}))  # the kernel's 96x96 blocks
    cbs = {c["name"]: c for c in mod.attrs[A.HOST_PLAN]["cbs"]}
    assert (cbs["C_local_partials"]["data_format"], cbs["C_local_partials"]["depth_pages"]) == ("Float16_b", 9)
    calls = unblock(trace(_roles(mod)["compute"], {"start_block": 0, "num_blocks": 1}))
    assert not [c for c in calls if "reconfig" in c[0]]
    # one matmul_block per k-tile over the 1×3 sub-block: 2 k-tiles per output tile
    assert [c[3:6] for c in calls if c[0] == "matmul_tiles"][:6] == [(0, 0, 0), (0, 1, 1), (0, 2, 2),
                                                                     (1, 3, 0), (1, 4, 1), (1, 5, 2)]
    assert sum(1 for c in calls if c == ("cb_push_back", "C_local", 3)) == 3
    assert sum(1 for c in calls if c == ("cb_push_back", "C_local_partials", 9)) == 1  # K: 2 iterations
    assert sum(1 for c in calls if c[0] == "pack_tile_at") == 9


@pytest.mark.parametrize("name", ["eltwise_add_256", "eltwise_mul_256"])
def test_eltwise_reader_and_writer_tile_ids_on_sample_cores(name: str) -> None:
    roles = _roles(_lower(name))
    work = roles["reader"].attrs[A.WORK_PARTITION]
    assert [(w["start"], w["count"]) for w in work] == [(c, 1) for c in range(64)]
    for w in (work[0], work[9], work[63]):
        rt = {"A_addr": 0, "B_addr": 0, "C_addr": 0, "start_block": w["start"], "num_blocks": w["count"]}
        bx, by = w["start"] % 8, w["start"] // 8
        page = by * 8 + bx
        assert trace(roles["reader"], rt) == [
            ("cb_reserve_back", "A_shared", 1), ("cb_reserve_back", "B_shared", 1),
            ("noc_async_read_page", page, "A", 0), ("noc_async_read_page", page, "B", 0),  # L1: write ptr + 0
            ("noc_async_read_barrier",), ("cb_push_back", "A_shared", 1), ("cb_push_back", "B_shared", 1)]
        assert trace(roles["writer"], rt) == [
            ("cb_wait_front", "C_local", 1), ("noc_async_write_page", page, "C", 0),
            ("noc_async_writes_flushed",), ("cb_pop_front", "C_local", 1), ("noc_async_write_barrier",)]
