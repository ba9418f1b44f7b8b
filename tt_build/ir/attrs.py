"""Every ``tt.*`` attribute key, declared once: its value type, the passes that write it and the passes
that read it. Attributes are the contract between passes; values are plain JSON data.

Per-buffer keys are formed with :func:`buffer_key` / :func:`cb_key`; the buffer's name only makes the
key unique — no decision is ever taken from what a buffer is called.

What a declaration promises (``tests/transform/test_attrs_contract.py`` enforces it on every reference
kernel, so declarations and code cannot drift apart):

* ``writers``: exactly the passes (or ``front end``) that set the key or change its value. Carrying a
  kernel-wide key unchanged onto the device functions (SplitDeviceKernel, for keys with ``carried``) is
  not a write.
* ``readers``: passes (and ``CodegenTT``) whose code uses the key. Every pass that uses a key and does
  not write it is listed; a writer is listed too when it reads values an earlier pass wrote.
* ``schema``: every value the pipeline produces conforms to it (``type`` is its text form); ``scope``
  says whether the key lives on the functions or on the module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "ATTRS",
    "BOOL",
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
    "INT",
    "KERNEL_ROLE",
    "LAYOUT_ANNOTATIONS",
    "LAYOUT_LOCATIONS",
    "MULTICAST",
    "NULL",
    "PARTITION_MODE",
    "PERSISTENT",
    "RUNTIME_ARGS",
    "SHARD_BLOCKS",
    "STR",
    "TILE_DFG",
    "WORK_PARTITION",
    "AttrSpec",
    "Enum",
    "ListOf",
    "MapOf",
    "OneOf",
    "Record",
    "Schema",
    "Tuple",
    "buffer_key",
    "carried_keys",
    "cb_key",
    "spec_of",
]


# --------------------------------------------------------------------------------------------------
# Value schemas: a tiny type language for JSON values, with a text form for the docs


class Schema:
    """The type of an attribute value; :meth:`problems` lists where a value does not conform."""

    def problems(self, value: Any, path: str = "value") -> list[str]:
        raise NotImplementedError


@dataclass(frozen=True)
class _Scalar(Schema):
    name: str

    def problems(self, value: Any, path: str = "value") -> list[str]:
        ok = {"int": isinstance(value, int) and not isinstance(value, bool), "str": isinstance(value, str),
              "bool": isinstance(value, bool), "null": value is None}[self.name]
        return [] if ok else [f"{path} = {value!r} is not {self.name}"]

    def __str__(self) -> str:
        return self.name


INT = _Scalar("int")
STR = _Scalar("str")
BOOL = _Scalar("bool")
NULL = _Scalar("null")


class Enum(Schema):
    """One of the given strings."""

    def __init__(self, *values: str) -> None:
        self.values = values

    def problems(self, value: Any, path: str = "value") -> list[str]:
        return [] if value in self.values else [f"{path} = {value!r} is not one of {', '.join(self.values)}"]

    def __str__(self) -> str:
        return " | ".join(f"'{v}'" for v in self.values)


class ListOf(Schema):
    """A JSON list whose items all have one type."""

    def __init__(self, item: Schema) -> None:
        self.item = item

    def problems(self, value: Any, path: str = "value") -> list[str]:
        if not isinstance(value, list):
            return [f"{path} is a {type(value).__name__}, not a list"]
        return [p for i, x in enumerate(value) for p in self.item.problems(x, f"{path}[{i}]")]

    def __str__(self) -> str:
        return f"list[{self.item}]"


class Tuple(Schema):
    """A JSON list of fixed length, one type per position."""

    def __init__(self, *items: Schema) -> None:
        self.items = items

    def problems(self, value: Any, path: str = "value") -> list[str]:
        if not isinstance(value, list) or len(value) != len(self.items):
            return [f"{path} = {value!r} is not a list of {len(self.items)} items"]
        return [p for i, (s, x) in enumerate(zip(self.items, value)) for p in s.problems(x, f"{path}[{i}]")]

    def __str__(self) -> str:
        return "[" + ", ".join(str(s) for s in self.items) + "]"


class Record(Schema):
    """A JSON object with these keys (``optional`` ones may be absent) and no others."""

    def __init__(self, fields: dict[str, Schema], optional: dict[str, Schema] | None = None) -> None:
        self.fields = fields
        self.optional = optional or {}

    def extend(self, fields: dict[str, Schema]) -> Record:
        return Record({**fields, **self.fields}, self.optional)

    def problems(self, value: Any, path: str = "value") -> list[str]:
        if not isinstance(value, dict):
            return [f"{path} is a {type(value).__name__}, not an object"]
        out = [f"{path} has no key '{k}'" for k in self.fields if k not in value]
        out += [f"{path} has the undeclared key '{k}'" for k in value
                if k not in self.fields and k not in self.optional]
        for k, x in value.items():
            s = self.fields.get(k) or self.optional.get(k)
            if s is not None:
                out += s.problems(x, f"{path}.{k}")
        return out

    def __str__(self) -> str:
        parts = [f"{k}: {s}" for k, s in self.fields.items()] + [f"{k}?: {s}" for k, s in self.optional.items()]
        return "{" + ", ".join(parts) + "}"


class MapOf(Schema):
    """A JSON object from any string key to values of one type."""

    def __init__(self, value: Schema, key: str = "str") -> None:
        self.value = value
        self.key = key

    def problems(self, value: Any, path: str = "value") -> list[str]:
        if not isinstance(value, dict):
            return [f"{path} is a {type(value).__name__}, not an object"]
        out = [f"{path} has a non-string key {k!r}" for k in value if not isinstance(k, str)]
        return out + [p for k, x in value.items() for p in self.value.problems(x, f"{path}[{k!r}]")]

    def __str__(self) -> str:
        return f"dict[{self.key}, {self.value}]"


class OneOf(Schema):
    """A value of one of the given types."""

    def __init__(self, *options: Schema) -> None:
        self.options = options

    def problems(self, value: Any, path: str = "value") -> list[str]:
        found = [s.problems(value, path) for s in self.options]
        if any(not f for f in found):
            return []
        return [f"{path} matches none of: " + " / ".join("; ".join(f) for f in found)]

    def __str__(self) -> str:
        return " | ".join(f"({s})" if isinstance(s, OneOf) else str(s) for s in self.options)


# --------------------------------------------------------------------------------------------------
# Declarations


@dataclass(frozen=True)
class AttrSpec:
    """One attribute key (a ``tt.buffer.`` / ``tt.cb.`` prefix stands for every key it starts)."""

    key: str
    schema: Schema
    writers: tuple[str, ...]
    readers: tuple[str, ...]
    doc: str
    #: "function" (a PrimFunc attr) or "module" (an IRModule attr)
    scope: str = "function"
    #: copied unchanged by SplitDeviceKernel from the kernel to every device function
    carried: bool = False

    @property
    def type(self) -> str:
        """The schema in text form."""
        return str(self.schema)

    @property
    def writer(self) -> str:
        """The writers as one string."""
        return ", ".join(self.writers)


ATTRS: dict[str, AttrSpec] = {}


def _declare(key: str, schema: Schema, writers: tuple[str, ...], readers: tuple[str, ...], doc: str, *,
             scope: str = "function", carried: bool = False) -> str:
    if key in ATTRS:  # pragma: no cover - guards this module against a duplicate declaration
        msg = f"attribute {key} declared twice"
        raise RuntimeError(msg)
    ATTRS[key] = AttrSpec(key, schema, writers, readers, doc, scope, carried)
    return key


_LAYOUT = Enum("dram_interleaved", "l1_interleaved", "l1_height_sharded", "l1_width_sharded", "l1_block_sharded")
_DTYPE = Enum("bfloat16", "float16", "float32")
_FORMAT = Enum("Float16_b", "Float16", "Float32")
_LOCATION = Tuple(STR, INT, INT, STR)  # file, line, col, source line
_PAIR = Tuple(INT, INT)
_ROLE = Enum("reader", "compute", "writer")
_ROLE_DM = Enum("reader", "writer")
_TENSOR = Record(
    {"role": Enum("input", "output"), "layout": _LAYOUT, "memory": Enum("dram", "l1"),
     "sharding": OneOf(NULL, Enum("height", "width", "block")), "dtype": _DTYPE, "data_format": _FORMAT,
     "shape": ListOf(INT), "tile_shape": _PAIR, "tiles": _PAIR, "page_size": INT, "num_pages": INT},
    {"layout_loc": _LOCATION, "partial": ListOf(INT), "vector": Enum("col", "row"), "shard_shape": _PAIR,
     "page_layout": Enum("row_major")},
)
_ONCHIP = Record(
    {"scope": Enum("shared", "fragment"), "dtype": _DTYPE, "shape": ListOf(INT), "tiles": _PAIR,
     "data_format": _FORMAT, "local": BOOL},
    {"page_size": INT, "pack_dtype": _DTYPE, "vector": Enum("col", "row")},
)
_CB = Record(
    {"cb_id": INT, "kind": Enum("input", "output", "intermediate", "staged", "scaler"), "data_format": _FORMAT,
     "page_size": INT, "block_pages": INT, "stages": INT, "depth_pages": INT},
    {"spills": STR, "drains": STR, "drained_by": STR, "prepares": STR, "reduce": STR, "stages_for": STR,
     "stream": _PAIR},
)
_DST_FRAGMENT = Record({"cb_id": NULL, "kind": Enum("dst"), "block_pages": INT, "data_format": _FORMAT})
_WORK = ListOf(Record({"core": _PAIR, "start": INT, "count": INT}))
_CORE_RANGES = ListOf(Tuple(_PAIR, _PAIR))
#: Per-core values a multicast copy needs at run time (NOC coordinates come from the host's logical →
#: worker-core translation): whether this core is the group's sender, the sender's NOC x / y, and the
#: destination rectangle's NOC corners.
MCAST_FIELDS = ("sender", "sender_x", "sender_y", "dest_x0", "dest_y0", "dest_x1", "dest_y1")
_RUNTIME_ARGS = ListOf(OneOf(Record({"name": STR, "kind": Enum("buffer_addr"), "buffer": STR}),
                             Record({"name": STR, "kind": Enum("start", "count")}),
                             Record({"name": STR, "kind": Enum("mcast"), "group": STR,
                                     "field": Enum(*MCAST_FIELDS)})))
_COMPILE_TIME_ARGS = ListOf(OneOf(Record({"name": STR, "kind": Enum("cb_id"), "buffer": STR, "value": INT}),
                                  Record({"name": STR, "kind": Enum("semaphore"), "group": STR,
                                          "purpose": Enum("ready", "valid"), "value": INT}),
                                  Record({"name": STR, "kind": Enum("tensor_accessor"), "buffer": STR})))
_MCAST_GROUP = Record({"group": STR, "buffer": STR, "tensor": STR, "axis": Enum("x", "y"), "role": _ROLE_DM,
                       "num_dests": INT, "ready_semaphore": INT, "valid_semaphore": INT, "block_dim": INT})
_MCAST_CORE = Record({"core": _PAIR, "blocks": Tuple(_PAIR, _PAIR), "groups": MapOf(Record({"sender": BOOL, "sender_core": _PAIR,
                                                             "dest": Tuple(_PAIR, _PAIR)}), "group")})
_MULTICAST = Record({"core_grid": _PAIR, "block_grid": _PAIR, "blocks_per_core": _PAIR,
                     "groups": ListOf(_MCAST_GROUP), "cores": ListOf(_MCAST_CORE)},
                    {"pipeline": Record({"k_tiles": INT, "stages": INT, "steps": INT, "tail_steps": INT})})
_COMPUTE_CONFIG = Record({"fp32_dest_acc_en": BOOL, "math_fidelity": Enum("LoFi", "HiFi2", "HiFi3", "HiFi4"), "dst_capacity": INT,
                          "transpose_b": BOOL})

BUFFER_PREFIX = _declare(
    "tt.buffer.", OneOf(_TENSOR, _ONCHIP),
    ("InferTTLayout", "PropagateTTLayout", "LayoutAwareWorkPartitionTT", "PlanMulticastTT", "LowerSharedToCB",
     "InsertDSTManagementTT"),
    ("PropagateTTLayout", "LayoutAwareWorkPartitionTT", "PlanMulticastTT", "LowerSharedToCB", "SplitDeviceKernel",
     "LowerCBIntrinsics", "InsertDSTManagementTT", "FinalizePersistentSignatureTT", "VerifyTTIR", "CodegenTT"),
    "Per buffer (suffix: buffer name). A kernel tensor (InferTTLayout): device layout, paging and role "
    "input|output from dataflow; layout_loc is where T.annotate_layout asked for the layout; partial (PropagateTTLayout) "
    "lists the axes of its 2-D page grid (0 rows, 1 columns) on which a last block runs past its end; shard_shape "
    "(LayoutAwareWorkPartitionTT) is a sharded tensor's shard in tiles (one per core of tt.core_ranges); vector "
    "col|row for a 1-D tensor (stored as an (n, 32) / (32, n) tensor, values in column / row 0); page_layout row_major "
    "for a tensor read by element gathers (one page per stick of its last dimension). An on-chip buffer "
    "(PropagateTTLayout): tile grid, data format (of the tensor it is packed into), local when it stages a "
    "sharded tensor; vector col|row for a 1-D buffer (one value per row / per column: tiles [n/32, 1] / [1, n/32]); "
    "LowerSharedToCB adds the <fragment>_out buffer draining a staged fragment and the reduce scaler buffer; "
    "InsertDSTManagementTT adds the <fragment>_partials buffer of a spilled accumulator and the "
    "<fragment>_stage<n> buffers of a tree deeper than DST.",
    carried=True,
)
CB_PREFIX = _declare(
    "tt.cb.", OneOf(_CB, _DST_FRAGMENT),
    ("LowerSharedToCB", "InsertDSTManagementTT"),
    ("LowerTTTileIntrinsics", "BuildTileDFGTT", "SplitDeviceKernel", "LowerCBIntrinsics", "InsertDSTManagementTT",
     "InsertComputeInitTT", "FinalizePersistentSignatureTT", "VerifyTTIR"),
    "Per on-chip buffer (suffix: buffer name): its circular buffer, kind input|output|intermediate, "
    "staged (a fragment computed tile by tile from expression trees / reductions and read back by compute; "
    "drained_by names its output companion <fragment>_out, whose drains names it), scaler (the reduce "
    "scaler tile the reader fills; a staged <dst>_<kind>_src with prepares=<dst>, reduce=<kind> holds the "
    "negated / absolute source of a T.reduce_min / abssum / absmax), or kind dst for a fragment that only lives in DST (no CB). "
    "InsertDSTManagementTT adds the intermediate CB "
    "holding the partial sums of a fragment larger than DST (spills names the fragment) and the staged CBs "
    "<fragment>_stage<n> holding a subtree of an expression tree deeper than DST (stages_for names the fragment). stream [rt, ct] "
    "(LowerSharedToCB) marks an output CB moved sub-block by sub-block: compute pushes and the writer waits for / "
    "pops rt × ct tiles at a time, sub-blocks in row-major order of the block; depth_pages is a multiple of "
    "rt·ct and stages counts sub-blocks.",
    carried=True,
)
LAYOUT_ANNOTATIONS = _declare(
    "tt.layout_annotations", MapOf(_LAYOUT, "param_name"), ("front end",), ("InferTTLayout",),
    "User-requested tensor layouts (T.annotate_layout); absent tensors are DRAM interleaved.",
)
LAYOUT_LOCATIONS = _declare(
    "tt.layout_locations", MapOf(_LOCATION, "param_name"), ("front end",), ("InferTTLayout",),
    "Where each layout of tt.layout_annotations was requested ([file, line, col, source line] of the dict "
    "entry's value), for diagnostics; InferTTLayout copies it into tt.buffer.<param> as layout_loc.",
)
GRID_BLOCKS = _declare(
    "tt.grid_blocks", ListOf(INT), ("InferTTLayout",), ("LayoutAwareWorkPartitionTT", "PlanMulticastTT"),
    "Extents of the T.Kernel grid as written (number of blocks per grid dimension); when PlanMulticastTT "
    "splits the kernel's blocks, tt.multicast's block_grid is the grid of the split blocks.",
    carried=True,
)
DEVICE_GRID = _declare(
    "tt.device_grid", _PAIR, ("LayoutAwareWorkPartitionTT",), ("PlanMulticastTT", "VerifyTTIR"),
    "Compute grid (x, y) of the target device (option device_grid, else the grid of option arch).",
    carried=True,
)
GRID_TILES = _declare(
    "tt.grid_tiles", _PAIR, ("LayoutAwareWorkPartitionTT",), (),
    "Size in tiles (rows, cols) of the (first) output tensor; recorded for IR dumps, no pass reads it back.",
    carried=True,
)
CORE_GRID = _declare(
    "tt.core_grid", _PAIR, ("LayoutAwareWorkPartitionTT", "PlanMulticastTT"), ("SplitDeviceKernel",),
    "Bounding box (x, y) of the cores that receive work (copied into tt.host_plan).",
    carried=True,
)
CORE_RANGES = _declare(
    "tt.core_ranges", _CORE_RANGES, ("LayoutAwareWorkPartitionTT", "PlanMulticastTT"), ("SplitDeviceKernel",),
    "Inclusive core ranges [[x0, y0], [x1, y1]] that run the kernels (copied into tt.host_plan).",
    carried=True,
)
PARTITION_MODE = _declare(
    "tt.partition_mode", Enum("global", "local_shard"), ("LayoutAwareWorkPartitionTT",),
    ("PlanMulticastTT", "SplitDeviceKernel"),
    "global: any core reads any tile; local_shard: each core works on the shard in its own L1 (copied into "
    "tt.host_plan).",
    carried=True,
)
WORK_PARTITION = _declare(
    "tt.work_partition", _WORK, ("LayoutAwareWorkPartitionTT", "PlanMulticastTT"),
    ("LowerSharedToCB", "SplitDeviceKernel", "VerifyTTIR"),
    "Per core: first block id and number of blocks (contiguous, balanced within one block; copied into "
    "tt.host_plan).",
    carried=True,
)
MULTICAST = _declare(
    "tt.multicast", _MULTICAST, ("PlanMulticastTT",),
    ("GridToCoreGrid", "LowerSharedToCB", "BuildTileDFGTT", "SplitDeviceKernel", "LowerCBIntrinsics",
     "InsertDSTManagementTT", "FinalizePersistentSignatureTT", "VerifyTTIR"),
    "2-D multicast plan (absent when the kernel does not qualify): the core grid (x, y) the block grid is "
    "mapped onto, blocks_per_core (x, y): the lock-step steps every core runs with its row and column (a core "
    "of a short last column / row pads them by repeating its last block column / row), and per "
    "multicast group the on-chip buffer it fills, the tensor read, the dimension of the tensor (and of the "
    "buffer's tile grid, counted from the tensor's last two) whose region follows the block index (block_dim), "
    "the axis along which a line of cores "
    "shares the block (x: a core row, sender at x = 0; y: a core column, sender at y = 0), the data-movement "
    "kernel running it, the number of receivers and its two semaphores (ready: receivers count in at the "
    "sender; valid: the sender announces arrival); per core, for every group, whether it sends, its "
    "sender and the destination rectangle (logical core coordinates, inclusive), and the rectangle of blocks "
    "the core owns (blocks, inclusive [[bx0, by0], [bx1, by1]]); pipeline (when the plan sized the K loop): "
    "the tiles of K each step of the groups' circular buffers carries, the steps (stages) each holds, the K "
    "loop's steps and its tail (the last tail_steps steps the compute waits for at once and runs sub-block by "
    "sub-block; 1: none).",
    carried=True,
)
SHARD_BLOCKS = _declare(
    "tt.shard_blocks", Record({"rect_grid": _PAIR, "blocks_per_core": _PAIR}), ("LayoutAwareWorkPartitionTT",),
    ("GridToCoreGrid",),
    "local_shard partitions whose cores run rectangles of blocks that are not runs of the row-major block "
    "order (absent otherwise): the T.Kernel grid is cut into rect_grid (x, y) rectangles of blocks_per_core "
    "(x, y) blocks; block ids count the blocks core by core (core c runs rectangle (c % x, c // x)), row-major "
    "inside each rectangle.",
    carried=True,
)
PERSISTENT = _declare(
    "tt.persistent", Record({"start_var": STR, "count_var": STR, "block_vars": ListOf(STR), "block_var": STR}),
    ("GridToCoreGrid",), ("FinalizePersistentSignatureTT",),
    "Names of the runtime values driving the per-core persistent loop (start_var, count_var), of the loop "
    "variable (block_var) and of the T.Kernel block indices it computes (block_vars).",
    carried=True,
)
TILE_DFG = _declare(
    "tt.tile_dfg",
    Record({
        "nodes": ListOf(OneOf(Record({"id": STR, "kind": Enum("tensor", "input", "output", "intermediate", "dst",
                                                                    "staged", "scaler"),
                                      "buffer": STR}),
                              Record({"id": STR, "kind": Enum("op"), "op": STR, "role": _ROLE}))),
        "edges": ListOf(Tuple(STR, STR)),
        "ops": ListOf(Record({"id": STR, "op": STR, "role": _ROLE, "reads": ListOf(STR), "writes": ListOf(STR)})),
    }),
    ("BuildTileDFGTT",), ("SplitDeviceKernel",),
    "Tile dataflow graph: tensors, CBs and tile ops with producer/consumer edges and the role of each op.",
)
KERNEL_ROLE = _declare(
    "tt.kernel_role", _ROLE, ("SplitDeviceKernel",),
    ("LowerCBIntrinsics", "InsertDSTManagementTT", "InsertComputeInitTT", "FinalizePersistentSignatureTT",
     "VerifyTTIR", "CodegenTT"),
    "Which RISC-V processor program a device function is.",
)
COMPUTE_CONFIG = _declare(
    "tt.compute_config", _COMPUTE_CONFIG, ("InsertDSTManagementTT",),
    ("InsertComputeInitTT", "FinalizePersistentSignatureTT", "VerifyTTIR", "CodegenTT"),
    "Compute kernel configuration (on the compute function): fp32 accumulation in DST, math fidelity, the DST "
    "capacity used and whether T.gemm transposes B.",
)
RUNTIME_ARGS = _declare(
    "tt.runtime_args", _RUNTIME_ARGS, ("FinalizePersistentSignatureTT",), ("VerifyTTIR", "CodegenTT"),
    "Per-core runtime argument layout, in order (kind: buffer_addr | start | count).",
)
COMPILE_TIME_ARGS = _declare(
    "tt.compile_time_args", _COMPILE_TIME_ARGS, ("FinalizePersistentSignatureTT",), ("VerifyTTIR", "CodegenTT"),
    "Compile-time argument layout: CB ids first, then multicast semaphore ids, then TensorAccessorArgs of each "
    "accessed tensor.",
)
HOST_PLAN = _declare(
    "tt.host_plan",
    Record(
        {"kernel": STR, "params": ListOf(_TENSOR.extend({"name": STR})), "cbs": ListOf(_CB.extend({"name": STR})),
         "work_partition": _WORK, "core_ranges": _CORE_RANGES, "core_grid": _PAIR,
         "partition_mode": Enum("global", "local_shard"),
         "kernels": Record({"reader": STR, "compute": STR, "writer": STR})},
        {"signatures": MapOf(Record({"function": STR, "runtime_args": _RUNTIME_ARGS,
                                     "compile_time_args": _COMPILE_TIME_ARGS}), "role"),
         "compute_config": _COMPUTE_CONFIG, "multicast": _MULTICAST},
    ),
    ("SplitDeviceKernel", "InsertDSTManagementTT", "FinalizePersistentSignatureTT"),
    ("InsertDSTManagementTT", "FinalizePersistentSignatureTT", "CodegenTT"),
    "What the host program must set up: tensors, CBs (InsertDSTManagementTT adds spill CBs), the work "
    "partition and core ranges, and (FinalizePersistentSignatureTT) each kernel's argument signature and "
    "the compute configuration; multicast: the tt.multicast plan (semaphores to create, per-core multicast "
    "runtime values).",
    scope="module",
)


def buffer_key(name: str) -> str:
    return BUFFER_PREFIX + name


def cb_key(name: str) -> str:
    return CB_PREFIX + name


def spec_of(key: str) -> AttrSpec | None:
    """The declaration covering ``key`` (exact, or the ``tt.buffer.`` / ``tt.cb.`` prefix it starts with)."""
    if key in ATTRS:
        return ATTRS[key]
    return next((s for k, s in ATTRS.items() if k.endswith(".") and key.startswith(k)), None)


def carried_keys(attrs: dict[str, Any]) -> dict[str, Any]:
    """The attrs of ``attrs`` that every device function carries (declared ``carried``)."""
    out = {}
    for k, v in attrs.items():
        spec = spec_of(k)
        if spec is not None and spec.carried:
            out[k] = v
    return out
