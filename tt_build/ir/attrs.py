"""Every ``tt.*`` attribute key, declared once: its value type, the pass that writes it and the
passes that read it. Attributes are the contract between passes; values are plain JSON data.

Per-buffer keys are formed with :func:`buffer_key` / :func:`cb_key`; the buffer's name only makes the
key unique — no decision is ever taken from what a buffer is called.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ATTRS",
    "AttrSpec",
    "BUFFER_PREFIX",
    "CB_PREFIX",
    "COMPILE_TIME_ARGS",
    "COMPUTE_CONFIG",
    "CORE_GRID",
    "CORE_RANGES",
    "DEVICE_GRID",
    "GRID_BLOCKS",
    "GRID_TILES",
    "HOST_PLAN",
    "KERNEL_ROLE",
    "LAYOUT_ANNOTATIONS",
    "LAYOUT_LOCATIONS",
    "PARTITION_MODE",
    "PERSISTENT",
    "RUNTIME_ARGS",
    "TILE_DFG",
    "WORK_PARTITION",
    "buffer_key",
    "cb_key",
]


@dataclass(frozen=True)
class AttrSpec:
    key: str
    type: str
    writer: str
    readers: tuple[str, ...]
    doc: str


ATTRS: dict[str, AttrSpec] = {}


def _declare(key: str, type_: str, writer: str, readers: tuple[str, ...], doc: str) -> str:
    if key in ATTRS:  # pragma: no cover - guards this module against a duplicate declaration
        msg = f"attribute {key} declared twice"
        raise RuntimeError(msg)
    ATTRS[key] = AttrSpec(key, type_, writer, readers, doc)
    return key


BUFFER_PREFIX = _declare(
    "tt.buffer.", "dict{layout, dtype, shape, tile_shape, tiles, page_size, num_pages, memory, role, layout_loc?}",
    "InferTTLayout", ("PropagateTTLayout", "LayoutAwareWorkPartitionTT", "LowerCBIntrinsics", "CodegenTT"),
    "Per kernel tensor (suffix: buffer name): device layout and paging; role input|output from dataflow.",
)
CB_PREFIX = _declare(
    "tt.cb.", "dict{cb_id, kind, page_size, block_pages, depth_pages, data_format, stages, spills?}",
    "LowerSharedToCB (InsertDSTManagementTT adds <fragment>_partials)",
    ("LowerTTTileIntrinsics", "SplitDeviceKernel", "LowerCBIntrinsics", "VerifyTTIR", "CodegenTT"),
    "Per on-chip buffer (suffix: buffer name): its circular buffer. kind input|output|intermediate|dst; "
    "an intermediate CB holding the partial sums of a fragment larger than DST names it in spills.",
)
LAYOUT_ANNOTATIONS = _declare(
    "tt.layout_annotations", "dict{param_name: layout}", "front end (T.annotate_layout)", ("InferTTLayout",),
    "User-requested tensor layouts; absent tensors are DRAM interleaved.",
)
LAYOUT_LOCATIONS = _declare(
    "tt.layout_locations", "dict{param_name: [file, line, col, source_line]}", "front end (T.annotate_layout)",
    ("InferTTLayout",),
    "Where each layout of tt.layout_annotations was requested (the dict entry's value), for diagnostics; "
    "InferTTLayout copies it into tt.buffer.<param> as layout_loc.",
)
DEVICE_GRID = _declare(
    "tt.device_grid", "list[int, int]", "LayoutAwareWorkPartitionTT (option device_grid, else the grid of option arch)",
    ("LayoutAwareWorkPartitionTT",), "Compute grid (x, y) of the target device.",
)
GRID_BLOCKS = _declare(
    "tt.grid_blocks", "list[int]", "InferTTLayout", ("LayoutAwareWorkPartitionTT", "GridToCoreGrid"),
    "Extents of the T.Kernel grid (number of output blocks per grid dimension).",
)
GRID_TILES = _declare(
    "tt.grid_tiles", "list[int, int]", "LayoutAwareWorkPartitionTT", ("CodegenTT",),
    "Output tensor size in tiles (rows, cols).",
)
CORE_GRID = _declare(
    "tt.core_grid", "list[int, int]", "LayoutAwareWorkPartitionTT", ("GridToCoreGrid", "CodegenTT"),
    "Bounding box (x, y) of the cores that receive work.",
)
CORE_RANGES = _declare(
    "tt.core_ranges", "list[[[x0, y0], [x1, y1]]]", "LayoutAwareWorkPartitionTT", ("CodegenTT",),
    "Inclusive core ranges that run the kernels.",
)
PARTITION_MODE = _declare(
    "tt.partition_mode", "str: global | local_shard", "LayoutAwareWorkPartitionTT", ("GridToCoreGrid", "CodegenTT"),
    "global: any core reads any tile; local_shard: each core works on the shard in its own L1.",
)
WORK_PARTITION = _declare(
    "tt.work_partition", "list[dict{core: [x, y], start: int, count: int}]", "LayoutAwareWorkPartitionTT",
    ("GridToCoreGrid", "FinalizePersistentSignatureTT", "CodegenTT"),
    "Per core: first block id and number of blocks (contiguous, balanced within one block).",
)
PERSISTENT = _declare(
    "tt.persistent", "dict{start_var, count_var, block_vars}", "GridToCoreGrid",
    ("FinalizePersistentSignatureTT",), "Names of the runtime values driving the per-core persistent loop.",
)
TILE_DFG = _declare(
    "tt.tile_dfg", "dict{nodes: [...], edges: [...]}", "BuildTileDFGTT", ("SplitDeviceKernel",),
    "Tile dataflow graph: tensors, CBs and tile ops with producer/consumer edges and the role of each op.",
)
KERNEL_ROLE = _declare(
    "tt.kernel_role", "str: reader | compute | writer", "SplitDeviceKernel",
    ("LowerCBIntrinsics", "InsertDSTManagementTT", "InsertComputeInitTT", "VerifyTTIR", "CodegenTT"),
    "Which RISC-V processor program a device function is.",
)
RUNTIME_ARGS = _declare(
    "tt.runtime_args", "list[dict{name, kind, buffer?}]", "FinalizePersistentSignatureTT", ("VerifyTTIR", "CodegenTT"),
    "Per-core runtime argument layout, in order (kind: buffer_addr | start | count).",
)
COMPILE_TIME_ARGS = _declare(
    "tt.compile_time_args", "list[dict{name, kind, value?, buffer?}]", "FinalizePersistentSignatureTT",
    ("VerifyTTIR", "CodegenTT"),
    "Compile-time argument layout: CB ids first, then TensorAccessorArgs of each accessed tensor.",
)
COMPUTE_CONFIG = _declare(
    "tt.compute_config", "dict{fp32_dest_acc_en, math_fidelity, dst_capacity}", "InsertDSTManagementTT",
    ("InsertComputeInitTT", "CodegenTT"), "Compute kernel configuration and the DST capacity used.",
)
HOST_PLAN = _declare(
    "tt.host_plan", "dict{kernel, params, cbs, core_ranges, work_partition, kernels, signatures, compute_config}",
    "SplitDeviceKernel (InsertDSTManagementTT adds spill CBs, FinalizePersistentSignatureTT the signatures)",
    ("FinalizePersistentSignatureTT", "CodegenTT"), "Module attr: what the host program must set up.",
)


def buffer_key(name: str) -> str:
    return BUFFER_PREFIX + name


def cb_key(name: str) -> str:
    return CB_PREFIX + name
