"""2-D multicast GEMM: the plan (PlanMulticastTT), lock-step block order, role-specialised readers, the
sender/receiver protocol and VerifyTTIR's multicast checks."""

from __future__ import annotations

import copy
from collections import Counter

import pytest

from tests.transform.ir_builders import drop_first, eltwise_ir, gemm_ir, kernel_roles
from tests.transform.ir_interp import trace
from tt_build.errors import VerifyError
from tt_build.ir import IRModule
from tt_build.ir import attrs as A
from tt_build.transform import PassContext, lower
from tt_build.transform._analysis import collect_calls
from tt_build.transform._operand_pipeline import choose_pipeline
from tt_build.transform.verify_ttir import verify_structure

TILE_BYTES = 2048



def _lower(func, **config):  # noqa: ANN001, ANN202
    """Lowered with lock-step blocks unless a test asks for merged ones (multicast_merge=True)."""
    return lower(func, PassContext(config={"multicast_merge": False, **config}))


def _runtime(f, core_index: int) -> dict[str, int]:  # noqa: ANN001
    """The runtime values of one core as the host sets them (logical coordinates stand in for NOC ones)."""
    plan = f.attrs[A.MULTICAST]
    work = f.attrs[A.WORK_PARTITION][core_index]
    core = plan["cores"][core_index]
    assert core["core"] == work["core"]
    out: dict[str, int] = {}
    for a in f.attrs[A.RUNTIME_ARGS]:
        if a["kind"] == "buffer_addr":
            out[a["name"]] = 0
        elif a["kind"] in ("start", "count"):
            out[a["name"]] = work["start" if a["kind"] == "start" else "count"]
        else:
            m = core["groups"][a["group"]]
            field = a["field"]
            out[a["name"]] = {"sender": int(m["sender"]), "sender_x": m["sender_core"][0],
                              "sender_y": m["sender_core"][1], "dest_x0": m["dest"][0][0], "dest_y0": m["dest"][0][1],
                              "dest_x1": m["dest"][1][0], "dest_y1": m["dest"][1][1]}[field]
    for a in f.attrs[A.COMPILE_TIME_ARGS]:
        if a["kind"] == "semaphore":
            out[a["name"]] = 0x1000 + a["value"] * 16
            out[a["name"] + "_ptr"] = 0x1000 + a["value"] * 16
    return out


@pytest.mark.parametrize(("m", "n", "k", "grid", "rect"), [
    (1024, 1024, 1024, [8, 8], [1, 1]),
    (2048, 1024, 512, [8, 8], [1, 2]),
    (4096, 4096, 256, [8, 8], [4, 4]),
])
def test_plan_maps_blocks_onto_a_2d_core_grid(m: int, n: int, k: int, grid: list[int], rect: list[int]) -> None:
    mod = _lower(gemm_ir(m, n, k, 128, 128, 32))
    reader = kernel_roles(mod)["reader"]
    plan = reader.attrs[A.MULTICAST]
    assert plan["core_grid"] == grid
    assert plan["blocks_per_core"] == rect
    assert [(g["buffer"], g["tensor"], g["axis"], g["role"], g["num_dests"]) for g in plan["groups"]] == [
        ("A_shared", "A", "x", "reader", grid[0] - 1), ("B_shared", "B", "y", "writer", grid[1] - 1)]
    assert reader.attrs[A.CORE_RANGES] == [[[0, 0], [grid[0] - 1, grid[1] - 1]]]
    assert [w["count"] for w in reader.attrs[A.WORK_PARTITION]] == [rect[0] * rect[1]] * (grid[0] * grid[1])
    assert mod.attrs[A.HOST_PLAN]["multicast"] == plan


def test_groups_follow_dataflow_not_names() -> None:
    """Tensors named the other way round: the tensor indexed by the row block index is still the row group."""
    mod = _lower(gemm_ir(1024, 1024, 1024, 128, 128, 32, names=("B", "A", "X")))
    groups = kernel_roles(mod)["reader"].attrs[A.MULTICAST]["groups"]
    assert [(g["tensor"], g["axis"], g["role"]) for g in groups] == [("B", "x", "reader"), ("A", "y", "writer")]


@pytest.mark.parametrize(("func", "config"), [
    (gemm_ir(1024, 128, 1024, 128, 128, 32), {}),  # one block column: a 1-D grid
    (gemm_ir(128, 128, 1024, 128, 128, 32), {}),  # one block: single core
    (gemm_ir(1024, 1024, 1024, 128, 128, 32), {"multicast": False}),
    (gemm_ir(1024, 1024, 1024, 128, 128, 32), {"device_grid": (1, 8)}),
    (eltwise_ir(1024, 1024, "add", 128, 128), {}),  # no operand shared across cores
])
def test_kernels_without_2d_reuse_keep_the_plain_partition(func, config: dict) -> None:  # noqa: ANN001
    mod = _lower(func, **config)
    assert all(A.MULTICAST not in f.attrs for f in mod.functions.values())
    assert "multicast" not in mod.attrs[A.HOST_PLAN]
    assert not any(a["kind"] == "mcast" for f in mod.functions.values() for a in f.attrs[A.RUNTIME_ARGS])


@pytest.mark.parametrize(("m", "n", "k", "block", "arch", "planned"), [
    # 16 blocks on a 2x2 device grid: compute-bound either way (split or not), the plain partition is kept
    (512, 512, 512, 128, (2, 2), None),
    # 16 blocks on 64 cores: split into 64 blocks of 64x64, one per core of the 8x8 grid, with multicast
    # (test_fewer_blocks_than_cores_are_split_over_the_whole_grid)
    (512, 512, 512, 128, "wormhole_b0", [64, 64]),
    (1024, 1024, 1024, 128, "wormhole_b0", [128, 128]),  # plain reads 8x A+B: DRAM-bound, the plan wins
    # 32x32 blocks would take 3x4 steps on 11x8 cores (12 blocks where 7.9 balance 130 cores): split in
    # 128x64 blocks, 5x4 steps on 13x8 cores (10 of 128x128)
    (4096, 4096, 4096, 128, "blackhole", [128, 64]),
    (2048, 2048, 2048, 128, "blackhole", [128, 64]),  # 3x2 steps of 128x64 on 11x8 (2x2 of 128x128 before)
    (4096, 4096, 4096, 128, "wormhole_b0", [128, 128]),  # 32x32 blocks divide evenly over 8x8: not split
])
def test_plan_is_used_where_it_is_estimated_faster(m: int, n: int, k: int, block: int, arch: str | tuple,
                                                   planned: list[int] | None) -> None:
    mod = _lower(gemm_ir(m, n, k, block, block, 32), **({"arch": arch} if isinstance(arch, str) else
                                                         {"device_grid": arch}))
    reader = kernel_roles(mod)["reader"]
    if planned is None:
        assert A.MULTICAST not in reader.attrs
        return
    assert A.MULTICAST in reader.attrs
    # the plan's blocks (the kernel's, or split): the accumulator's shape
    assert reader.attrs[A.buffer_key("C_local")]["shape"] == planned


def test_fewer_blocks_than_cores_are_split_over_the_whole_grid() -> None:
    """512³ at 128x128 on Wormhole's 8x8: 4x4 blocks would leave 48 cores idle (and with 16 compute-bound
    cores the plain partition won); split into 8x8 blocks of 64x64 they fill all 64 cores, one block per
    core, A and B multicast along core rows and columns."""
    mod = _lower(gemm_ir(512, 512, 512, 128, 128, 32), arch="wormhole_b0")
    reader = kernel_roles(mod)["reader"]
    plan = reader.attrs[A.MULTICAST]
    assert (plan["block_grid"], plan["core_grid"], plan["blocks_per_core"]) == ([8, 8], [8, 8], [1, 1])
    assert len(reader.attrs[A.WORK_PARTITION]) == 64
    assert {g["buffer"]: (g["axis"], g["num_dests"]) for g in plan["groups"]} == {"A_shared": ("x", 7),
                                                                                   "B_shared": ("y", 7)}
    assert reader.attrs[A.buffer_key("A_shared")]["shape"][0] == 64
    assert reader.attrs[A.buffer_key("B_shared")]["shape"][1] == 64


@pytest.mark.parametrize(("arch", "m", "n", "grid", "rect", "last"), [
    # Blackhole's 13x10 cores, 64x64 blocks of 64: 5 block columns per core on 13 columns (the last gets
    # 4), 7 block rows per core on 10 rows (the last gets 1)
    ("blackhole", 4096, 4096, [13, 10], [5, 7], [[60, 63], [63, 63]]),
    # a prime block grid larger than the device grid: 13x13 blocks on Wormhole's 8x8, 2x2 per core on 7x7
    ("wormhole_b0", 1664, 1664, [7, 7], [2, 2], [[12, 12], [12, 12]]),
])
def test_plan_uses_uneven_rectangles_when_the_device_grid_does_not_divide_the_blocks(
        arch: str, m: int, n: int, grid: list[int], rect: list[int], last: list[list[int]]) -> None:
    block = 64 if arch == "blackhole" else 128
    mod = _lower(gemm_ir(m, n, 256, block, block, 32), arch=arch)
    reader = kernel_roles(mod)["reader"]
    plan = reader.attrs[A.MULTICAST]
    gx, gy = n // block, m // block
    assert (plan["block_grid"], plan["core_grid"], plan["blocks_per_core"]) == ([gx, gy], grid, rect)
    cores = {tuple(c["core"]): c for c in plan["cores"]}
    assert len(cores) == grid[0] * grid[1]
    assert cores[(grid[0] - 1, grid[1] - 1)]["blocks"] == last
    # the rectangles partition the block grid; a core row shares its block rows, a column its block columns
    owned = Counter((bx, by) for c in cores.values() for bx in range(c["blocks"][0][0], c["blocks"][1][0] + 1)
                    for by in range(c["blocks"][0][1], c["blocks"][1][1] + 1))
    assert owned == Counter({(bx, by): 1 for bx in range(gx) for by in range(gy)})
    for (x, y), c in cores.items():
        assert [r[1] for r in c["blocks"]] == [r[1] for r in cores[(0, y)]["blocks"]]
        assert [r[0] for r in c["blocks"]] == [r[0] for r in cores[(x, 0)]["blocks"]]
        assert c["groups"]["A_shared"]["dest"] == [[1, y], [grid[0] - 1, y]]
        assert c["groups"]["B_shared"]["dest"] == [[x, 1], [x, grid[1] - 1]]
    # every core runs the same number of lock-step steps, so the handshakes of a row / column pair up
    assert {w["count"] for w in reader.attrs[A.WORK_PARTITION]} == {rect[0] * rect[1]}
    assert [g["num_dests"] for g in plan["groups"]] == [grid[0] - 1, grid[1] - 1]


@pytest.mark.parametrize(("m", "n", "k"), [(1024, 1024, 256), (2048, 1024, 256), (1024, 2048, 128),
                                           (1664, 1664, 128)])
def test_cores_run_their_rectangle_in_lock_step(m: int, n: int, k: int) -> None:
    """Traced per core: every block is computed, by the core owning it; at every step the cores of a row
    write the same block row and the cores of a column the same block column (so one multicast serves them
    all); only a core of a short last column / row computes a block twice (its padded steps)."""
    mod = _lower(gemm_ir(m, n, k, 128, 128, 32))
    writer = kernel_roles(mod)["writer"]
    plan = writer.attrs[A.MULTICAST]
    cx, cy = plan["core_grid"]
    rx, ry = plan["blocks_per_core"]
    gx, gy = n // 128, m // 128
    steps: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for i, w in enumerate(writer.attrs[A.WORK_PARTITION]):
        pages = [c[1] for c in trace(writer, _runtime(writer, i)) if c[0] == "noc_async_write_page"]
        # first output tile of each block gives the block
        blocks = [(p % (n // 32) // 4, p // (n // 32) // 4) for p in pages[::16]]
        steps[tuple(w["core"])] = blocks
    assert {b for bl in steps.values() for b in bl} == {(bx, by) for bx in range(gx) for by in range(gy)}
    for (x, y), blocks in steps.items():
        assert len(blocks) == rx * ry
        assert [b[1] for b in blocks] == [b[1] for b in steps[(0, y)]]
        assert [b[0] for b in blocks] == [b[0] for b in steps[(x, 0)]]
        assert all(x * rx <= bx < (x + 1) * rx and y * ry <= by < (y + 1) * ry for bx, by in blocks)
        padded = (x + 1) * rx > gx or (y + 1) * ry > gy
        assert (len(set(blocks)) < len(blocks)) == padded
    assert len(steps) == cx * cy


def test_only_senders_read_dram_and_each_operand_tile_is_read_once() -> None:
    """1024³ at 128×128 blocks on 8×8: A and B are read from DRAM exactly once in total (bytes(A) + bytes(B));
    every block reaches the 7 other cores of its row / column by one multicast."""
    mod = _lower(gemm_ir(1024, 1024, 1024, 128, 128, 32))
    roles = kernel_roles(mod)
    reads: Counter = Counter()
    mcast_bytes = 0
    for role in ("reader", "writer"):
        f = roles[role]
        for i in range(len(f.attrs[A.WORK_PARTITION])):
            for c in trace(f, _runtime(f, i)):
                if c[0] == "noc_async_read_page":
                    reads[(c[2], c[1])] += 1
                if c[0] == "noc_async_write_multicast":
                    assert c[4] == 7
                    mcast_bytes += c[3]
    assert set(reads.values()) == {1}
    assert len(reads) == 2 * 32 * 32
    a_and_b = 2 * 1024 * 1024 * 2
    assert len(reads) * TILE_BYTES == a_and_b
    assert mcast_bytes == a_and_b  # each block multicast once, from its sender


def test_sender_and_receiver_protocol_order() -> None:
    mod = _lower(gemm_ir(1024, 1024, 1024, 128, 128, 32))
    reader = kernel_roles(mod)["reader"]
    # 2 K tiles per step (the plan's operand pipeline): 4 × 2 tiles of A per multicast
    sender = [c[0] for c in trace(reader, _runtime(reader, 0))[:16]]
    assert sender == ["cb_reserve_back", *["noc_async_read_page"] * 8, "noc_async_read_barrier",
                      "noc_semaphore_wait", "noc_semaphore_set", "noc_async_writes_flushed",
                      "noc_async_write_multicast", "noc_semaphore_set", "noc_semaphore_set_multicast"]
    receiver = trace(reader, _runtime(reader, 1))[:5]
    rt = _runtime(reader, 1)
    assert receiver == [
        ("cb_reserve_back", "A_shared", 8),
        ("noc_semaphore_set", rt["A_shared_valid_sem_ptr"], 0),
        ("noc_semaphore_inc", ("get_noc_addr", 0, 0, rt["A_shared_ready_sem"]), 1),
        ("noc_semaphore_wait", rt["A_shared_valid_sem_ptr"], 1),
        ("cb_push_back", "A_shared", 8),
    ]



SENDER_STEP = ["noc_async_read_barrier", "noc_semaphore_wait", "noc_semaphore_set"]
SIGNAL = ["noc_semaphore_set", "noc_semaphore_set_multicast", "cb_push_back"]


def _sender_steps(mod: IRModule, role: str) -> list[list[str]]:
    """The calls of core 0's sender steps (core 0 sends both groups), without the page reads, cut at each
    cb_reserve_back of the group's CB."""
    f = kernel_roles(mod)[role]
    cb = next(g["buffer"] for g in f.attrs[A.MULTICAST]["groups"] if g["role"] == role)
    steps: list[list[str]] = []
    for c in trace(f, _runtime(f, 0)):
        if c[0] == "cb_reserve_back" and c[1] == cb:
            steps.append([])
        if steps and c[0] != "noc_async_read_page" and not (c[0] == "cb_reserve_back" and c[1] == cb):
            steps[-1].append(c[0])
    return steps


def test_wormhole_sender_defers_its_flush_to_before_the_next_multicast() -> None:
    """Wormhole 512³: the sender does not flush after its multicast; it flushes right before the next one,
    which is before it reads into the first step's slot again (4 slots), and the kernel ends with the barrier."""
    mod = _lower(gemm_ir(512, 512, 512, 128, 128, 32))
    for role in ("reader", "writer"):
        steps = _sender_steps(mod, role)
        assert len(steps) == 4
        for step in steps[:3]:
            assert step[:8] == [*SENDER_STEP, "noc_async_writes_flushed", "noc_async_write_multicast", *SIGNAL]
        assert steps[-1][-1] == "noc_async_write_barrier"
        assert steps[-1].count("noc_async_writes_flushed") == 1 + (role == "writer")  # + the output drain


def test_blackhole_sender_flushes_between_the_multicast_and_its_signal() -> None:
    """Blackhole follows ttnn's senders under ARCH_BLACKHOLE: flush after the data, before the semaphore."""
    mod = _lower(gemm_ir(512, 512, 512, 128, 128, 32), arch="blackhole")
    steps = _sender_steps(mod, "reader")
    assert len(steps) >= 2
    assert all(step[:8] == [*SENDER_STEP, "noc_async_write_multicast", "noc_async_writes_flushed", *SIGNAL]
               for step in steps)


def _cb_records(f):  # noqa: ANN001, ANN202 - a PrimFunc's tt.cb.<name> records by name, as VerifyTTIR passes them
    return {k[len(A.CB_PREFIX):]: v for k, v in f.attrs.items() if k.startswith(A.CB_PREFIX)}


def test_sender_with_a_one_slot_cb_flushes_before_its_reads() -> None:
    """A CB holding one block: every step writes the slot the previous multicast read, so the flush comes
    before the reads; VerifyTTIR accepts it and rejects the two-slot placement there."""
    from tt_build.ir import PrimFunc  # noqa: PLC0415
    from tt_build.transform.base import Sequential  # noqa: PLC0415
    from tt_build.transform.lower_cb_intrinsics import LowerCBIntrinsics  # noqa: PLC0415
    from tt_build.transform.pipeline import pipeline  # noqa: PLC0415

    passes = pipeline()
    stop = [p.name for p in passes].index("tt.LowerCBIntrinsics")
    ctx = PassContext(config={"multicast_merge": False})

    def one_slot(f: PrimFunc) -> PrimFunc:
        attrs = dict(f.attrs)
        for k in ("tt.cb.A_shared", "tt.cb.B_shared"):
            attrs[k] = {**attrs[k], "depth_pages": attrs[k]["block_pages"]}
        return PrimFunc(f.name, f.params, f.body, attrs, f.loc)

    with ctx:
        mod = Sequential(passes[:stop])(IRModule({"gemm": gemm_ir(512, 512, 512, 128, 128, 32)}), ctx)
        mod = IRModule({n: one_slot(f) for n, f in mod.functions.items()}, dict(mod.attrs))
        lowered = LowerCBIntrinsics()(mod, ctx)
    reader = kernel_roles(lowered)["reader"]
    ops = [c.op[3:] for c in collect_calls(reader.body, "tt.") if c.op not in (
        "tt.get_write_ptr", "tt.get_noc_multicast_addr", "tt.get_noc_addr")]
    assert ops[:9] == ["cb_reserve_back", "noc_async_writes_flushed", "noc_async_read_page", *SENDER_STEP,
                       "noc_async_write_multicast", *SIGNAL[:2]]  # the sender path (one page read in its loop)
    from tt_build.transform._verify_flush import check_multicast_flush  # noqa: PLC0415
    problems: list[tuple[str, str]] = []
    check_multicast_flush(reader, _cb_records(reader), lambda who, msg: problems.append((who, msg)))
    assert problems == []
    # the flush where a CB of several slots has it (before the multicast) leaves the one slot unprotected
    two_slot = kernel_roles(_lower(gemm_ir(512, 512, 512, 128, 128, 32)))["reader"]
    bad = one_slot(two_slot)
    check_multicast_flush(bad, _cb_records(bad), lambda who, msg: problems.append((who, msg)))
    assert problems == [("LowerCBIntrinsics", FLUSH_MSG.format("gemm_reader", "A_shared"))]


FLUSH_MSG = ("{}: writes into pages of CB {} that a noc_async_write_multicast from them may still be reading: call "
             "noc_async_writes_flushed() (or noc_async_write_barrier()) between the multicast and the next write into "
             "its pages")


@pytest.mark.parametrize("arch", ["wormhole_b0", "blackhole"])
def test_verify_rejects_a_sender_that_overwrites_a_slot_it_multicast_from_without_a_flush(arch: str) -> None:
    mod = _lower(gemm_ir(512, 512, 512, 128, 128, 32), arch=arch)
    verify_structure(mod)
    bad = drop_first(mod, "reader", "tt.noc_async_writes_flushed")
    with pytest.raises(VerifyError) as err:
        verify_structure(bad)
    assert err.value.producer == "LowerCBIntrinsics"
    assert err.value.problems == [FLUSH_MSG.format("gemm_reader", "A_shared")]


def test_verify_rejects_a_receiver_that_does_not_wait() -> None:
    mod = lower(gemm_ir(1024, 1024, 1024, 128, 128, 32))
    # the first semaphore wait of the reader is the sender's; drop the receiver's (second one)
    bad = drop_first(drop_first(mod, "reader", "tt.noc_semaphore_wait"), "reader", "tt.noc_semaphore_wait")
    with pytest.raises(VerifyError) as err:
        verify_structure(bad)
    assert err.value.producer == "LowerCBIntrinsics"
    assert "gemm_reader: a multicast sender does not wait for its receivers (noc_semaphore_wait) before " \
           "noc_async_write_multicast" in err.value.problems
    assert "gemm_reader: a multicast receiver does not wait (noc_semaphore_wait) for the block before pushing it" \
        in err.value.problems


def test_verify_rejects_a_sender_that_does_not_signal() -> None:
    bad = drop_first(lower(gemm_ir(1024, 1024, 1024, 128, 128, 32)), "writer", "tt.noc_semaphore_set_multicast")
    with pytest.raises(VerifyError) as err:
        verify_structure(bad)
    assert err.value.problems == ["gemm_writer: a multicast sender does not signal its receivers "
                                  "(noc_semaphore_set_multicast) after noc_async_write_multicast"]


def test_verify_rejects_a_rectangle_outside_the_grid() -> None:
    mod = lower(gemm_ir(1024, 1024, 256, 128, 128, 32))
    funcs = {}
    for name, f in mod.functions.items():
        plan = copy.deepcopy(f.attrs[A.MULTICAST])
        plan["cores"][1]["groups"]["B_shared"]["dest"] = [[1, 1], [1, 8]]
        funcs[name] = f.with_attr(A.MULTICAST, plan)
    with pytest.raises(VerifyError) as err:
        verify_structure(IRModule(funcs, dict(mod.attrs)))
    assert err.value.producer == "PlanMulticastTT"
    assert err.value.problems == [
        "multicast group B_shared: destination rectangle [[1, 1], [1, 8]] of core [1, 0] is not inside the 8x8 "
        "core grid",
        "multicast group B_shared: rectangle [[1, 1], [1, 8]] holds 8 cores but the group has 7 receivers",
    ]


def test_verify_rejects_core_rectangles_that_break_the_row_sharing() -> None:
    """Two cores of core row 0 owning different block rows could not share one A multicast; the block their
    swap leaves unowned is reported too."""
    mod = _lower(gemm_ir(1664, 1664, 256, 128, 128, 32))
    funcs = {}
    for name, f in mod.functions.items():
        plan = copy.deepcopy(f.attrs[A.MULTICAST])
        plan["cores"][1]["blocks"] = [[2, 2], [3, 3]]  # core [1, 0] claims core [1, 1]'s blocks
        funcs[name] = f.with_attr(A.MULTICAST, plan)
    with pytest.raises(VerifyError) as err:
        verify_structure(IRModule(funcs, dict(mod.attrs)))
    assert err.value.producer == "PlanMulticastTT"
    assert err.value.problems == [
        "core [1, 0] owns block rows [2, 3], not those of its core row [0, 1]: one multicast along the row cannot "
        "serve it",
        "the lock-step steps of core [1, 0] do not run exactly its blocks [[2, 2], [3, 3]]",
        "8 block(s) of the 13x13 grid are not owned by exactly one core (first: [2, 0])",
    ]


def test_verify_rejects_a_missing_receiver_path() -> None:
    mod = lower(gemm_ir(1024, 1024, 256, 128, 128, 32))
    bad = drop_first(mod, "reader", "tt.noc_semaphore_inc")
    with pytest.raises(VerifyError) as err:
        verify_structure(bad)
    assert err.value.problems == ["gemm_reader: runs 1 multicast group(s) but has 1 sender and 0 receiver path(s)"]


@pytest.mark.parametrize(("k", "k_tiles", "steps", "a_shape"), [
    # 32 K steps of one tile fused 2 by 2: of the steps of 1, 2, 4, 8 tiles the estimate's least (the
    # 2-tile step's refill, ~2.0 µs, hides behind its 2.0 µs of math; one tile's does not, 4 fill longer)
    (1024, 8, 16, (128, 64)),
    (96, 4, 3, (128, 32)),  # 3 K steps: 3 tiles would fill for 2.7 µs, one tile's steps are refill-bound at 1.3
    (1024, 1, 32, (128, 32)),  # multicast_k_tiles = 1: the kernel's own block_K
])
def test_multicast_steps_fuse_k_iterations(k: int, k_tiles: int, steps: int, a_shape: tuple[int, int]) -> None:
    """Each multicast step moves the operand pipeline's K tiles (at most multicast_k_tiles): the K loop of the
    multicast GEMM runs `steps` times over A / B blocks `a_shape` / its transpose; the products and their
    order are the kernel's."""
    mod = _lower(gemm_ir(1024, 1024, k, 128, 128, 32), multicast_k_tiles=k_tiles)
    roles = kernel_roles(mod)
    info = roles["reader"].attrs[A.buffer_key("A_shared")]
    assert tuple(info["shape"]) == a_shape
    assert tuple(roles["reader"].attrs[A.buffer_key("B_shared")]["shape"]) == a_shape[::-1]
    reader = roles["reader"]
    calls = trace(reader, _runtime(reader, 9))  # core (1, 1): a receiver of A
    assert sum(1 for c in calls if c[0] == "noc_semaphore_inc") == steps
    sender = trace(reader, _runtime(reader, 8))  # core (0, 1): the sender of row 1
    pages = [c[1] for c in sender if c[0] == "noc_async_read_page"]
    kt = k // 32
    assert pages == [(4 + r) * kt + c for s in range(steps) for r in range(4)
                     for c in range(s * kt // steps, (s + 1) * kt // steps)]


@pytest.mark.parametrize(("arch", "m", "n", "k", "core_grid", "block", "partial"), [
    # 16x16 blocks of 128 on 8x8 cores: each core's 2x2 rectangle merged into one 256x256 block
    ("wormhole_b0", 2048, 2048, 256, [8, 8], [256, 256], {}),
    # 8x8 blocks of 128 on 8x8 cores: one each (the tile-granular 4x4 tiles per core are the same block)
    ("wormhole_b0", 1024, 1024, 256, [8, 8], [128, 128], {}),
])
def test_each_cores_rectangle_is_merged_into_one_block_when_it_fits_l1(
        arch: str, m: int, n: int, k: int, core_grid: list[int], block: list[int], partial: dict) -> None:
    mod = _lower(gemm_ir(m, n, k, 128, 128, 32), arch=arch, multicast_merge=True)
    reader = kernel_roles(mod)["reader"]
    plan = reader.attrs[A.MULTICAST]
    assert (plan["core_grid"], plan["block_grid"], plan["blocks_per_core"]) == (core_grid, core_grid, [1, 1])
    assert reader.attrs[A.buffer_key("C_local")]["shape"] == block
    assert {w["count"] for w in reader.attrs[A.WORK_PARTITION]} == {1}
    assert {t: reader.attrs[A.buffer_key(t)].get("partial") for t in ("A", "B", "C")
            if reader.attrs[A.buffer_key(t)].get("partial")} == partial
    # the merged kernel's circular buffers are the estimate's and fit the budget
    from tt_build.transform.base import ARCH_L1_BUDGET
    cbs = mod.attrs[A.HOST_PLAN]["cbs"]
    assert sum(c["depth_pages"] * c["page_size"] for c in cbs) <= ARCH_L1_BUDGET[arch]


@pytest.mark.parametrize(("m", "n", "k", "core_grid", "block", "partial"), [
    # 32x32 output tiles on Blackhole's 13x10 cores: ⌈32 / 10⌉ = 4 tile rows per core on 8 core rows and
    # ⌈32 / 13⌉ = 3 tile columns on 11 core columns, the last one 2 tiles wide (ttnn's 2-D multicast split;
    # before: whole 128x128 blocks on 8x8 cores, 16 tiles per core instead of 12)
    (1024, 1024, 1024, [11, 8], [128, 96], {"B": [1], "C": [1]}),
    # 64x64 tiles: 7x5 per core on all 13x10 cores, the last core row 1 tile high, the last column 4 wide
    # (before: 256x192 blocks of split 128x64 ones on 11x8 cores, 48 tiles per core instead of 35)
    (2048, 2048, 256, [13, 10], [224, 160], {"A": [0], "B": [1], "C": [0, 1]}),
    # 64x32 tiles: 7x3 per core on 11x10 cores (before: 256x128 blocks on 8x8 cores)
    (2048, 1024, 512, [11, 10], [224, 96], {"A": [0], "B": [1], "C": [0, 1]}),
    # 128x128 tiles: 13x10 per core on 13x10 cores, within L1 (before: 448x320 blocks, 140 tiles per core)
    (4096, 4096, 256, [13, 10], [416, 320], {"A": [0], "B": [1], "C": [0, 1]}),
])
def test_blackhole_per_core_blocks_are_tile_granular_over_the_whole_grid(
        m: int, n: int, k: int, core_grid: list[int], block: list[int], partial: dict) -> None:
    """One block per core of any number of tiles (not a multiple of the kernel's 128x128 blocks), the core
    grid ⌈Nt / tx⌉ x ⌈Mt / ty⌉ with a partial last core row / column; each operand panel read once by its
    sender (one lock-step step per core) and multicast along the core row / column."""
    mod = _lower(gemm_ir(m, n, k, 128, 128, 32), arch="blackhole", multicast_merge=True)
    reader = kernel_roles(mod)["reader"]
    plan = reader.attrs[A.MULTICAST]
    assert (plan["core_grid"], plan["block_grid"], plan["blocks_per_core"]) == (core_grid, core_grid, [1, 1])
    assert reader.attrs[A.buffer_key("C_local")]["shape"] == block
    assert reader.attrs[A.buffer_key("A_shared")]["shape"][0] == block[0]
    assert reader.attrs[A.buffer_key("B_shared")]["shape"][1] == block[1]
    assert {tuple(w["count"] for w in reader.attrs[A.WORK_PARTITION])} == {(1,) * (core_grid[0] * core_grid[1])}
    assert {t: reader.attrs[A.buffer_key(t)].get("partial") for t in ("A", "B", "C")
            if reader.attrs[A.buffer_key(t)].get("partial")} == partial
    # the last core column / row covers what is left of the output: the grid is as small as the split allows
    cols, rows = block[1] // 32, block[0] // 32
    assert (core_grid[0] - 1) * cols < n // 32 <= core_grid[0] * cols
    assert (core_grid[1] - 1) * rows < m // 32 <= core_grid[1] * rows
    from tt_build.transform.base import ARCH_L1_BUDGET
    cbs = mod.attrs[A.HOST_PLAN]["cbs"]
    assert sum(c["depth_pages"] * c["page_size"] for c in cbs) <= ARCH_L1_BUDGET["blackhole"]


@pytest.mark.parametrize(("config", "k", "bk", "core_grid", "block", "partial"), [
    # 320x416 at 128x128 has partial last blocks as written; on Blackhole one 32x32 tile per core, none partial
    ({"arch": "blackhole"}, 64, 32, [13, 10], [32, 32], {}),
    # on 3x3 cores 4x5 tiles each, the last row / column partial; K = 96 at block_K = 64 stays partial
    ({"device_grid": [3, 3]}, 96, 64, [3, 3], [128, 160], {"A": [0, 1], "B": [0, 1], "C": [0, 1]}),
])
def test_tile_granular_blocks_of_a_kernel_with_partial_blocks_as_written(
        config: dict, k: int, bk: int, core_grid: list[int], block: list[int], partial: dict) -> None:
    mod = _lower(gemm_ir(320, 416, k, 128, 128, bk), multicast_merge=True, **config)
    reader = kernel_roles(mod)["reader"]
    plan = reader.attrs[A.MULTICAST]
    assert (plan["core_grid"], plan["block_grid"], plan["blocks_per_core"]) == (core_grid, core_grid, [1, 1])
    assert reader.attrs[A.buffer_key("C_local")]["shape"] == block
    assert {t: reader.attrs[A.buffer_key(t)]["partial"] for t in ("A", "B", "C")
            if "partial" in reader.attrs[A.buffer_key(t)]} == partial


def test_tile_granular_plan_does_not_depend_on_buffer_names() -> None:
    plans = []
    for names in (("A", "B", "C"), ("out", "x", "w")):
        reader = kernel_roles(_lower(gemm_ir(1024, 1024, 256, 128, 128, 32, names=names), arch="blackhole",
                                     multicast_merge=True))["reader"]
        plan = reader.attrs[A.MULTICAST]
        partial = [reader.attrs[A.buffer_key(n)].get("partial") for n in names]
        plans.append((plan["core_grid"], [g["axis"] for g in plan["groups"]], partial))
    assert plans[0] == plans[1] == ([11, 8], ["x", "y"], [None, [1], [1]])


def test_a_merged_block_streams_its_output_and_coarsens_k_only_as_far_as_l1_allows() -> None:
    """4096³ at 128x128 on 8x8: a core's 4x4 rectangle merged is a 512x512 block (256 tiles: 1 MiB of fp32
    partial sums). Its output is streamed in 1x4-tile sub-blocks, three of them in the CB (24 KiB instead of a
    512 KiB block), so it fits. Its operand pipeline: 1-tile K steps (16 tiles of A and of B, 16 µs of math per
    step at HiFi4: the least fill), a tail of the last 4 of the 8 steps (the 32 MiB of output, 116 µs of DRAM
    writes, stream out over 65 µs of math instead of 16) in 4 stages (256 KiB): 1 MiB + 24 KiB + 256 KiB <=
    1364 KiB; K steps of 4 tiles, double-buffered (512 KiB), would not fit."""
    mod = _lower(gemm_ir(4096, 4096, 256, 128, 128, 32), multicast_merge=True)
    plan = kernel_roles(mod)["reader"].attrs[A.MULTICAST]
    assert (plan["block_grid"], plan["blocks_per_core"]) == ([8, 8], [1, 1])
    cbs = {c["name"]: c for c in mod.attrs[A.HOST_PLAN]["cbs"]}
    assert [(n, cbs[n]["block_pages"], cbs[n]["depth_pages"], cbs[n].get("stream")) for n in cbs] == [
        ("A_shared", 16, 64, None), ("B_shared", 16, 64, None), ("C_local", 256, 12, [1, 4]),
        ("C_local_partials", 256, 256, None)]
    assert kernel_roles(mod)["reader"].attrs[A.buffer_key("A_shared")]["tiles"] == [16, 1]
    assert plan["pipeline"] == {"k_tiles": 1, "stages": 4, "steps": 8, "tail_steps": 4}


def test_rectangles_too_large_for_l1_stay_lock_step() -> None:
    """With 1 MiB of L1 for circular buffers, the merged 512x512 block's fp32 partial sums alone (1 MiB) do
    not fit: lock-step blocks are kept."""
    mod = _lower(gemm_ir(4096, 4096, 256, 128, 128, 32), multicast_merge=True, l1_budget=1 << 20)
    plan = kernel_roles(mod)["reader"].attrs[A.MULTICAST]
    assert (plan["block_grid"], plan["blocks_per_core"]) == ([32, 32], [4, 4])


# -- the operand pipeline: K step and CB stages --------------------------------------------------
_WH_1024 = {"clock_hz": 1e9, "dram_bw": 288e9, "noc_bytes": 32, "dram_latency": 400, "tile_cycles": 64,
            "out_tiles": 16, "block_k_tiles": 1, "trips": 32, "panel_bytes_per_k_tile": {"x": 4 * 2048, "y": 4 * 2048},
            "senders": {"x": 8, "y": 8}, "max_k_tiles": 8, "min_stages": 2}


def test_choose_pipeline_trades_fill_against_refill() -> None:
    # 128x128 per core on 8x8 Wormhole cores, HiFi4: a 2-tile step's refill (16 senders share the DRAM for
    # 16 x 16 KiB, 400 cycles latency, 16 KiB through a 32 B/cycle port, 200 cycles handshake) just hides
    # behind its 2048 cycles of math; one tile's steps are refill-bound, 4 tiles fill longer
    p = choose_pipeline(**_WH_1024, fits=lambda g, s: True)
    refill = 16 * 16384 / 288e9 + (400 + 512 + 200) * 1e-9
    assert (p.k_tiles, p.stages) == (2, 3)
    assert p.refill_s == pytest.approx(refill)
    assert p.step_s == pytest.approx(2048e-9)
    assert p.estimate_s == pytest.approx(refill + 16 * 2048e-9)
    # 256x256 per core: four times the math per tile of K, so one-tile steps (the least fill)
    big = {**_WH_1024, "out_tiles": 64, "trips": 64, "panel_bytes_per_k_tile": {"x": 8 * 2048, "y": 8 * 2048}}
    got = choose_pipeline(**big, fits=lambda g, s: True)
    assert (got.k_tiles, got.stages) == (1, 3)
    # L1 room for two stages of one-tile steps only; for nothing at all
    tight = choose_pipeline(**_WH_1024, fits=lambda g, s: g == 1 and s <= 2)
    assert (tight.k_tiles, tight.stages) == (1, 2)
    assert choose_pipeline(**_WH_1024, fits=lambda g, s: False) is None
    # the kernel's num_stages is a floor; multicast_k_tiles a ceiling
    assert choose_pipeline(**{**_WH_1024, "min_stages": 4}, fits=lambda g, s: True).stages == 4
    assert choose_pipeline(**{**_WH_1024, "max_k_tiles": 1}, fits=lambda g, s: True).k_tiles == 1


def test_plan_sizes_operand_cbs_by_its_pipeline() -> None:
    mod = _lower(gemm_ir(1024, 1024, 1024, 128, 128, 32))
    host = mod.attrs[A.HOST_PLAN]
    # 16 steps of 2 K tiles; the streamed output (2 MiB, 7.3 µs of DRAM writes) overlaps a tail of the last 4
    # steps (8.2 µs of math), held in 6 stages (so the last step's refill starts before the tail: no stall)
    assert host["multicast"]["pipeline"] == {"k_tiles": 2, "stages": 6, "steps": 16, "tail_steps": 4}
    cbs = {cb["name"]: cb for cb in host["cbs"]}
    for name in ("A_shared", "B_shared"):  # 4 x 2 tiles per step, six steps
        assert (cbs[name]["block_pages"], cbs[name]["stages"], cbs[name]["depth_pages"]) == (8, 6, 48)
    assert roles_shape(mod) == ((128, 64), (64, 128))
    # operand CBs 3 x 32 KiB, the streamed output 2 x 8 KiB and the fp32 partials 64 KiB (176 KiB): no room for a
    # third stage under 170 KiB, so two, and no tail (two steps of it in two stages would stall for as long as
    # they gain)
    tight = _lower(gemm_ir(1024, 1024, 1024, 128, 128, 32), l1_budget=170 * 1024)
    assert tight.attrs[A.HOST_PLAN]["multicast"]["pipeline"] == {"k_tiles": 2, "stages": 2, "steps": 16,
                                                                   "tail_steps": 1}
    cbs = {cb["name"]: cb for cb in tight.attrs[A.HOST_PLAN]["cbs"]}
    assert cbs["A_shared"]["depth_pages"] == cbs["B_shared"]["depth_pages"] == 16


def roles_shape(mod: IRModule) -> tuple[tuple[int, ...], tuple[int, ...]]:
    reader = kernel_roles(mod)["reader"]
    return (tuple(reader.attrs[A.buffer_key("A_shared")]["shape"]),
            tuple(reader.attrs[A.buffer_key("B_shared")]["shape"]))


def test_choose_pipeline_adds_a_tail_where_the_output_drain_is_long() -> None:
    # 2048x1024x512 on 8x8 (256x128 per core): 4 MiB of output = 14.6 µs of DRAM writes, streamed out as the
    # last steps finish; 1-tile steps of 2 µs math: a tail of 8 steps (16 µs) hides them, in 8 stages (the
    # tail starts at the CB's first slot: 16 - 8 is a multiple of 8)
    args = {**_WH_1024, "out_tiles": 32, "trips": 16, "panel_bytes_per_k_tile": {"x": 8 * 2048, "y": 4 * 2048}}
    p = choose_pipeline(**args, fits=lambda g, s: True, drain_s=4 * 2**20 / 288e9)
    assert (p.k_tiles, p.stages, p.steps, p.tail_steps) == (1, 8, 16, 8)
    assert p.estimate_s == pytest.approx(2 * p.refill_s + 16 * p.step_s)  # the fill, the math, the tail's stall
    # no drain to overlap (the output not streamed): no tail
    p = choose_pipeline(**args, fits=lambda g, s: True)
    assert (p.k_tiles, p.stages, p.tail_steps) == (1, 3, 1)
    # L1 for 4 stages at most: a tail of 4 steps, 12 before it
    p = choose_pipeline(**args, fits=lambda g, s: s <= 4, drain_s=4 * 2**20 / 288e9)  # noqa: PLR2004
    assert (p.stages, p.tail_steps) == (4, 4)


def test_compute_waits_for_the_tail_at_once() -> None:
    # 1024³: 16 steps of 2 K tiles, a tail of 4 (6 stages): 12 single steps, then the last 4 in one wait, each
    # output sub-block computed over the tail's 8 K tiles
    from tt_build.transform._analysis import collect_calls  # noqa: PLC0415

    mod = _lower(gemm_ir(1024, 1024, 1024, 128, 128, 32))
    compute = kernel_roles(mod)["compute"]
    waits = Counter((c.args[0].name, c.args[1].value) for c in collect_calls(compute.body, "tt.cb_wait_front")
                    if c.args[0].name in ("A_shared", "B_shared"))
    assert waits == Counter({("A_shared", 8): 2, ("B_shared", 8): 2, ("A_shared", 32): 1, ("B_shared", 32): 1})
    tail = [c for c in collect_calls(compute.body, "tt.matmul_subblock")]
    assert len(tail) == 3  # the first step's, the middle steps', the tail's (in its loop over the tail's steps)


def test_resize_kernel_blocks_to_any_number_of_tiles() -> None:
    """_block_split.resize_kernel_blocks: 320x416 at 128x128 (partial as written: 3x4 blocks cover 384x512)
    resized to 128x160 blocks covers the tensors' 320x416 with 3x3 blocks; the buffers along N grow, the
    partial K axis (96 over block_K 64) stays, M / N are partial where 3 blocks overhang 320 / 416."""
    from tt_build.transform._block_split import kernel_block_extents, resize_kernel_blocks
    from tt_build.transform.plan_multicast_tt import _launch

    f = gemm_ir(320, 416, 96, 128, 128, 64)
    launch = _launch(f)
    assert kernel_block_extents(f, launch) == {"x": (128, 416), "y": (128, 320)}
    as_written = {"A": [0, 1], "B": [0, 1], "C": [0, 1]}
    _, grid, resized, partial = resize_kernel_blocks(f, launch, 160, 128, as_written)
    assert grid == [3, 3]
    assert {n: b.shape for n, b in resized.items()} == {"B_shared": (64, 160), "C_local": (128, 160)}
    assert partial == {"A": [0, 1], "B": [0, 1], "C": [0, 1]}
    # one tile per block: 13x10 blocks, none past the tensors, only the K axis partial
    _, grid, _, partial = resize_kernel_blocks(f, launch, 32, 32, as_written)
    assert grid == [13, 10]
    assert partial == {"A": [1], "B": [0], "C": []}
    assert resize_kernel_blocks(f, launch, 48, 128) is None  # not whole tiles


@pytest.mark.parametrize(("mutate", "problems"), [
    # B's last core column overhangs its 32 tile columns (11 x 3 = 33) but B is no longer marked partial (its
    # guarded, zero-padding reads are then out of place too)
    (lambda name, info: {k: v for k, v in info.items() if k != "partial"} if name == "B" else info,
     ["gemm_writer: zero_page outside the guard of a partial-block read",
      "multicast group B_shared: 11 blocks of 3 tiles run past the 32 tiles of B on axis 1, which is not marked "
      "partial (its last reads would not be guarded)"]),
    # blocks of 4 tile columns on 11 core columns: the last one would start at tile 40 of 32
    (lambda name, info: {**info, "tiles": [info["tiles"][0], 4]} if name == "B_shared" else info,
     ["multicast group B_shared: the last of 11 blocks of 4 tiles starts past the 32 tiles of B on axis 1"]),
])
def test_verify_checks_that_tile_granular_blocks_stay_inside_their_tensors(mutate, problems) -> None:  # noqa: ANN001
    mod = lower(gemm_ir(1024, 1024, 256, 128, 128, 32), PassContext(config={"arch": "blackhole"}))
    funcs = {}
    for fname, f in mod.functions.items():
        for key, info in f.attrs.items():
            if key.startswith(A.BUFFER_PREFIX):
                f = f.with_attr(key, mutate(key[len(A.BUFFER_PREFIX):], info))
        funcs[fname] = f
    with pytest.raises(VerifyError) as err:
        verify_structure(IRModule(funcs, dict(mod.attrs)))
    assert err.value.problems == problems
