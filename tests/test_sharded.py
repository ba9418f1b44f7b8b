"""Sharded layouts end to end (issue 13, item 6): ``T.annotate_layout`` with L1 height / block sharding on
the inputs and outputs of element-wise kernels and on a GEMM input. The work partition follows the shard grid,
every core reads and writes its own shard in its L1 (a local NOC transfer at the tensor's address, no
TensorAccessor), the host program creates sharded MeshBuffers. Numbers against numpy, DRAM traffic from the
mock's counters, located diagnostics for what cannot be sharded."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from tests.e2e import assert_passes_real_header_check, assert_runs_like_numpy, test_build_dir
from tt_build.driver import build_primfunc, list_instances
from tt_build.errors import PassError, VerifyError
from tt_build.ir import Call, IRModule, StmtExprMutator
from tt_build.matrix import MockRunner
from tt_build.transform._analysis import collect_calls
from tt_build.transform._shard_plan import plan_local_shard
from tt_build.transform.pipeline import lower
from tt_build.transform.verify_ttir import verify_structure

KERNELS = Path(__file__).parent / "data" / "kernels" / "sharded.py"
INSTANCES = {i.name: i for i in list_instances(KERNELS)}

EXPECTED = {
    "add_height_384x128": lambda x, y: [x + y],
    "add_block_256": lambda x, y: [x + y],
    "add_width_128x256": lambda x, y: [x + y],
    "gemm_shard_a_256x128x128": lambda a, b: [a @ b],
}


@pytest.fixture(scope="module")
def runner() -> MockRunner:
    return MockRunner(test_build_dir())


def _lowered(name: str, **args: object):
    inst = INSTANCES[name]
    func, _ = build_primfunc(inst.source, inst.factory, {**inst.args, **args})
    return lower(func)


def test_every_instance_has_an_expected_output() -> None:
    assert sorted(INSTANCES) == sorted(EXPECTED)


@pytest.mark.parametrize(("name", "cores", "ranges", "shards"), [
    # 2 x 12 blocks of 1x2 tiles: a height shard (full rows) needs both blocks of a row on one core
    ("add_height_384x128", 12, [[[0, 0], [7, 0]], [[0, 1], [3, 1]]], {"X": [1, 4], "Y": [1, 4], "Z": [1, 4]}),
    # 4 x 4 blocks of 2x2 tiles on a 4x4 rectangle of cores; Y is interleaved in DRAM
    ("add_block_256", 16, [[[0, 0], [3, 3]]], {"X": [2, 2], "Z": [2, 2]}),
    # 4 x 2 blocks of 2x2 tiles: a width shard (all rows) is a column of 2 blocks, run core by core
    ("add_width_128x256", 4, [[[0, 0], [3, 0]]], {"X": [4, 2], "Y": [4, 2], "Z": [4, 2]}),
    ("gemm_shard_a_256x128x128", 8, [[[0, 0], [7, 0]]], {"A": [1, 4]}),
])
def test_partition_follows_the_shard_grid(name: str, cores: int, ranges: list, shards: dict) -> None:
    mod = _lowered(name)
    plan = mod.attrs["tt.host_plan"]
    assert plan["partition_mode"] == "local_shard"
    assert len(plan["work_partition"]) == cores
    assert plan["core_ranges"] == ranges
    assert {p["name"]: p["shard_shape"] for p in plan["params"] if "shard_shape" in p} == shards
    for role in ("reader", "writer"):
        f = next(f for f in mod.functions.values() if f.attrs["tt.kernel_role"] == role)
        ops = [c for c in collect_calls(f.body, "tt.noc_async_") if c.op.endswith("_page")]
        assert ops
        # sharded tensors: only local shard transfers, no accessor (no TensorAccessorArgs for them)
        for c in ops:
            assert (c.op.endswith("_shard_page")) == (c.args[1].name in shards), (role, c.op, c.args[1].name)
        accessors = {a["buffer"] for a in f.attrs["tt.compile_time_args"] if a["kind"] == "tensor_accessor"}
        assert not accessors & set(shards)


@pytest.mark.compile
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sharded_kernels_match_numpy_with_no_dram_reads_of_the_sharded_tensors(
        runner: MockRunner, tmp_path: Path, name: str) -> None:
    inst = INSTANCES[name]
    stats = tmp_path / "stats.json"
    os.environ["TT_MOCK_STATS"] = str(stats)
    try:
        assert_runs_like_numpy(inst, tmp_path / name, runner, EXPECTED[name])
    finally:
        del os.environ["TT_MOCK_STATS"]
    totals = json.loads(stats.read_text())["workloads"][-1]["totals"]
    a = inst.args
    size = a["M"] * a["N"] * 2  # bytes of one M x N bf16 tensor
    # (DRAM read, DRAM write, L1 read, L1 write): the sharded tensors' pages move only inside each core's L1
    # (a NOC transfer to the core itself, counted as L1 bytes), once each; nothing crosses to another core
    if name in ("add_height_384x128", "add_width_128x256"):  # X, Y, Z sharded: no DRAM traffic at all
        want = (0, 0, 2 * size, size)
    elif name == "add_block_256":  # Y interleaved in DRAM, read once
        want = (size, 0, size, size)
    else:  # A sharded, read once per output block (its 32-row strip); B from DRAM once per block; C to DRAM
        blocks = (a["M"] // 32) * (a["N"] // 64)
        want = (blocks * a["K"] * 64 * 2, size, blocks * 32 * a["K"] * 2, 0)
    assert (totals["dram_read_bytes"], totals["dram_write_bytes"], totals["l1_read_bytes"],
            totals["l1_write_bytes"]) == want


@pytest.mark.compile
@pytest.mark.network
@pytest.mark.parametrize("name", ["add_height_384x128", "add_block_256", "gemm_shard_a_256x128x128"])
def test_sharded_kernels_pass_the_real_header_check(tmp_path: Path, name: str) -> None:
    assert_passes_real_header_check(INSTANCES[name], tmp_path / name)


@pytest.mark.parametrize(("name", "args", "msg", "line", "hint"), [
    # every output block of a row reads the same row of A: a width shard of A would live on several cores
    ("gemm_shard_a_256x128x128", {"layout_a": "l1_width_sharded"},
     "no partition of the 16 blocks over the 8x8 cores gives every core exactly one shard of each sharded tensor "
     "(with 16 cores of 1 block: tensor A: cores (0, 0) and (1, 0) both access its tile (0, 0), but a tile of a "
     "sharded tensor lives in one core's L1)", 27, "each core's blocks must access exactly its own shard"),
    # 64 cores with one 2x128-tile row pair of X, Y and Z each: 3 x 512 KiB of shards per core
    ("add_height_384x128", {"M": 4096, "N": 4096},
     "the shards of the sharded tensors (X, Y, Z) need 1572864 bytes of L1 per core; a core has", 9,
     "use more, smaller blocks (more cores), or an interleaved layout"),
    # 96 columns in blocks of 64: the last block of a row runs past the tensor
    ("add_height_384x128", {"N": 96},
     "tensor X has partial last blocks and cannot be height-sharded: shards are whole blocks of whole tiles", 9,
     "choose block sizes that divide the tensor, or use an interleaved layout"),
])
def test_what_cannot_be_sharded_is_a_located_diagnostic(name: str, args: dict, msg: str, line: int,
                                                         hint: str) -> None:
    with pytest.raises(PassError) as err:
        _lowered(name, **args)
    e = err.value
    assert e.pass_name == "LayoutAwareWorkPartitionTT"
    assert msg in e.msg
    assert (Path(e.loc.file).name, e.loc.line) == ("sharded.py", line)
    assert hint in (e.hint or "")


def test_verify_rejects_a_sharded_tensor_moved_through_an_accessor() -> None:
    mod = _lowered("add_block_256")

    class Interleave(StmtExprMutator):  # X's shard reads turned into accessor page reads
        def visit_Call(self, node: Call):  # noqa: N802
            if node.op == "tt.noc_async_read_shard_page":
                return Call("tt.noc_async_read_page", node.args[:3], node.dtype)
            return node

    funcs = {n: (f.with_body(Interleave().visit(f.body)) if f.attrs["tt.kernel_role"] == "reader" else f)
             for n, f in mod.functions.items()}
    with pytest.raises(VerifyError) as err:
        verify_structure(IRModule(funcs, dict(mod.attrs)))
    assert "noc_async_read_page of the sharded tensor X through an accessor; its pages are in the cores' own " \
           "shards" in str(err.value)


def test_shards_and_circular_buffers_share_the_l1_budget() -> None:
    # 64 cores, each holding a 1x224-tile row of X, Y and Z (1376256 bytes): the 24 KiB of CBs no longer fit
    with pytest.raises(PassError) as err:
        _lowered("add_height_384x128", M=2048, N=7168)
    e = err.value
    assert e.pass_name == "LowerSharedToCB"
    assert e.msg == ("circular buffers need 24576 bytes of L1 but only 20480 are available after the shards of "
                     "sharded tensors (1376256 bytes) (xs: 4 pages, ys: 4 pages, zl: 4 pages); the largest is xs")


def test_a_tile_two_cores_need_cannot_be_sharded() -> None:
    # a 1 x 2 grid of blocks over a 2 x 1-tile tensor: block 0 reads tiles (0, 0) and (1, 0) (it crosses the
    # two height shards), block 1 reads tile (1, 0); no split over two cores gives each core one shard
    plan, why, tensor = plan_local_shard(2, [1, 2], (8, 8), {"X": ("height", (2, 1))},
                                         {"X": {0: {(0, 0), (1, 0)}, 1: {(1, 0)}}})
    assert plan is None
    assert tensor == "X"
    assert why == ("with 2 cores of 1 block: tensor X: cores (0, 0) and (1, 0) both access its tile (1, 0), but a "
                   "tile of a sharded tensor lives in one core's L1")
