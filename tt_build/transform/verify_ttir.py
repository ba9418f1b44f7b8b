"""tt.VerifyTTIR — reject malformed TT IR, naming the pass that produced it.

Runs at the end of every pipeline (and, with the ``verify_each_pass`` option, after every pass, in
which case the pass that just ran is named). Checks on the three device functions:

* roles: exactly one reader, one compute and one writer; NOC calls only in data-movement kernels,
  tile math / DST / init calls only in compute (→ SplitDeviceKernel);
* circular buffers: unique ids below 32, at most 32 CBs, total bytes (with the shards of L1-sharded
  tensors) within the L1 budget (→ LowerSharedToCB); per loop iteration every ``cb_reserve_back`` is
  matched by ``cb_push_back`` and every ``cb_wait_front`` by ``cb_pop_front`` of the same page count, and
  per persistent iteration the producer kernel pushes exactly the pages the consumer kernel pops
  (→ LowerCBIntrinsics); an ``if`` on
  block/loop indices (the same condition in all three kernels) must balance each branch by itself, and
  the producer/consumer comparison holds on the then- and on the else-branches;
* DST: math only between ``tile_regs_acquire`` and ``tile_regs_commit``, ``pack_tile`` only between
  ``tile_regs_wait`` and ``tile_regs_release``, DST indices below the capacity (→ InsertDSTManagementTT);
* partial last blocks: every page transfer of a tensor with ``partial`` axes is guarded by a bounds check,
  the reader zero-fills the page of a tile outside the tensor, the writer skips it (→ LowerCBIntrinsics);
  the guarded transaction moves the same CB pages on both branches (the balance check covers ifs);
* sharded tensors: an L1-sharded tensor is moved only by local shard transfers
  (``noc_async_read/write_shard_page``, constant slots inside the shard), an interleaved one only through
  its accessor (→ LowerCBIntrinsics);
* element gathers (:mod:`tt_build.transform._verify_gather`): a gather reads a row-major tensor into an
  input CB with a proven run length and is tilized by compute; lowered, row-major tensors are read only by
  ``noc_async_read`` of whole 32-element runs of one stick (a guarded read zero-fills the same bytes
  otherwise) and every ``tilize_block`` runs outside DST live ranges inside its CB protocol;
* every variable is bound by a loop, a let, the runtime-argument list or a semaphore compile-time
  argument (→ FinalizePersistentSignatureTT);
* multicast (``tt.multicast``): semaphore ids unique below 16; every core's destination rectangle lies
  inside the core grid and the device grid, holds ``num_dests`` cores and not its sender, and every
  receiver lies in its sender's rectangle; each group's blocks start inside its tensor and, where the last
  one runs past the tensor's end, the tensor marks that axis partial (→ PlanMulticastTT); in the lowered
  kernels every sender waits
  for its receivers before ``noc_async_write_multicast`` and signals them with
  ``noc_semaphore_set_multicast`` after it, every receiver waits (``noc_semaphore_wait``) after counting in
  at its sender and before pushing the block, and each group has a sender and a receiver path
  (→ LowerCBIntrinsics / SplitDeviceKernel); with the plan's operand pipeline (``pipeline``), each group's
  buffer spans the pipeline's K step and its CB holds exactly ``stages`` (≥ 2) such steps, and its tail
  (the last ``tail_steps`` steps, waited for at once) fits the CB from its first slot (``tail_steps ≤
  stages``, ``steps − tail_steps`` a multiple of ``stages``); every input CB holds a whole number of its
  blocks (→ PlanMulticastTT / LowerSharedToCB); a kernel writes into CB pages it multicast from only
  after a ``noc_async_writes_flushed`` or ``noc_async_write_barrier`` following that multicast
  (:mod:`tt_build.transform._verify_flush`, → LowerCBIntrinsics).
* capacity and streams (:mod:`tt_build.transform._verify_stream`): no ``cb_reserve_back`` /
  ``cb_wait_front`` asks for more pages than its CB holds; a streamed output CB (``stream`` [rt, ct]) has
  sub-blocks that are runs of the block's row-major tiles and a depth of whole sub-blocks
  (→ LowerSharedToCB), and every kernel moves it exactly ``rt·ct`` pages at a time (→ InsertDSTManagementTT
  for compute's pushes, LowerCBIntrinsics for the writer's waits and pops; compute's transactions are
  checked once InsertDSTManagementTT has sized them, ``tt.compute_config`` present);
* staged fragments (kind ``staged``): per loop iteration pushes match pops (their waits re-wait a held
  block); reductions: every ``reduce_tile`` reads the reduce scaler CB and its source after waiting for
  them, after its own ``reduce_init``; the reader fills the scaler between ``cb_reserve_back`` and
  ``cb_push_back``; broadcasts: the vector operand of ``*_tiles_bcast_cols|rows`` / ``unary_bcast`` has
  that orientation (``vector`` col|row), the block operand is 2-D, both waited for before.
* unpacker formats: every tile call reading a CB (``copy_tile``, ``*_tiles``, broadcasts, dest-reuse ops,
  ``matmul_*``, ``reduce_tile``) unpacks it into a source register configured for that CB's data format
  by ``compute_kernel_hw_startup`` or a ``reconfig_data_format*`` call before it, on every path
  (→ InsertComputeInitTT); every ``pack_tile`` packs into a CB of the format the packer is configured for
  (the start-up's output CB, ``pack_reconfig_data_format``) (→ InsertDSTManagementTT).
"""

from __future__ import annotations


from tt_build.errors import VerifyError
from tt_build.ir import (
    Buffer,
    Call,
    Evaluate,
    For,
    IfThenElse,
    IntImm,
    IRModule,
    LetStmt,
    PrimFunc,
    SeqStmt,
    Stmt,
    StmtExprVisitor,
    Var,
)
from tt_build.ir import attrs as A
from tt_build.transform._analysis import TILE, collect_calls, flat_stmts
from tt_build.transform._unpack_formats import check_pack_formats, check_unpack_formats
from tt_build.transform._verify_flush import check_multicast_flush
from tt_build.transform._verify_stream import check_cb_requests, check_stream_cbs
from tt_build.transform._verify_gather import check_gather_blocks, check_gather_reads, check_tilize, is_gather_guard
from tt_build.transform.base import Pass, PassContext, l1_budget
from tt_build.transform.propagate_tt_layout import bounds
from tt_build.transform.plan_multicast_tt import block_of_step

__all__ = ["VerifyTTIR", "verify_module", "verify_structure"]

_NOC = ("tt.noc_async_read_page", "tt.noc_async_write_page", "tt.noc_async_read_barrier",
        "tt.noc_async_write_barrier", "tt.get_write_ptr", "tt.get_read_ptr", "tt.noc_async_write_multicast",
        "tt.noc_semaphore_set_multicast", "tt.noc_semaphore_inc", "tt.noc_semaphore_wait", "tt.noc_semaphore_set",
        "tt.noc_async_writes_flushed", "tt.zero_page", "tt.noc_async_read_shard_page", "tt.noc_async_write_shard_page",
        "tt.noc_async_read", "tt.tensor_noc_addr")
_ROWWISE_MATH = (
    "tt.fill_tile_bitcast", "tt.power_tile", "tt.unary_max_tile", "tt.unary_min_tile", "tt.where_tile:Float32",
    "tt.where_tile:Float16_b",
    *(f"tt.{n}_tile" for n in ("exp2", "log", "sqrt", "rsqrt", "recip", "abs", "sigmoid", "tanh", "gelu", "silu",
                               "erf")),
    *(f"tt.{n}_unary_tile" for n in ("add", "sub", "mul", "div", "rsub")),
    *(f"tt.{n}_binary_tile" for n in ("add", "sub", "mul", "div", "gt", "lt", "ge", "le", "eq", "ne")),
    "tt.binary_max_tile", "tt.binary_min_tile",
    *(f"tt.{o}_tiles_bcast_{k}" for o in ("add", "sub", "mul") for k in ("cols", "rows")),
    "tt.unary_bcast:COL", "tt.unary_bcast:ROW",
    *(f"tt.{o}_reuse_dest_tiles:{k}" for o in ("add", "sub", "mul") for k in ("DEST_TO_SRCA", "DEST_TO_SRCB")),
    *(f"tt.reduce_tile:{p}:{d}" for p in ("SUM", "MAX") for d in ("REDUCE_ROW", "REDUCE_COL")),
)
_MATH = ("tt.matmul_tiles", "tt.matmul_subblock", "tt.add_tiles", "tt.sub_tiles", "tt.mul_tiles", "tt.copy_tile",
         "tt.transpose_tile", "tt.exp_tile", "tt.relu_tile", "tt.negative_tile", "tt.fill_tile", *_ROWWISE_MATH)
_COMPUTE_ONLY = (*_MATH, "tt.pack_tile", "tt.pack_tile_at", "tt.pack_reconfig_l1_acc", "tt.tile_regs_acquire",
                 "tt.tile_regs_commit", "tt.tile_regs_wait", "tt.tile_regs_release", "tt.reconfig_data_format_srca",
                 "tt.reconfig_data_format_srcb", "tt.reconfig_data_format", "tt.pack_reconfig_data_format",
                 "tt.tilize_rows")
_DST_INDEX_ARG = {"tt.matmul_tiles": 4, "tt.matmul_subblock": 4, "tt.add_tiles": 4, "tt.sub_tiles": 4, "tt.mul_tiles": 4,
                  "tt.copy_tile": 2, "tt.transpose_tile": 2, "tt.exp_tile": 0, "tt.relu_tile": 0, "tt.negative_tile": 0,
                  "tt.fill_tile": 0, "tt.pack_tile": 0, "tt.pack_tile_at": 0,
                  **{op: 0 for op in _ROWWISE_MATH if "bcast" not in op and "reduce" not in op
                     and "reuse_dest" not in op},
                  **{op: 4 for op in _ROWWISE_MATH if "_tiles_bcast_" in op or "reduce_tile" in op},
                  "tt.unary_bcast:COL": 2, "tt.unary_bcast:ROW": 2,
                  **{op: 2 for op in _ROWWISE_MATH if "_reuse_dest_tiles:" in op}}
_CB_OPS = {"tt.cb_reserve_back": "reserve", "tt.cb_push_back": "push", "tt.cb_wait_front": "wait",
           "tt.cb_pop_front": "pop"}


class _Problems:
    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, responsible: str, msg: str) -> None:
        self.items.append((responsible, msg))


def _check_roles(mod: IRModule, p: _Problems) -> list[PrimFunc]:
    roles = [f.attrs.get(A.KERNEL_ROLE) for f in mod.functions.values()]
    if sorted(r for r in roles if r) != ["compute", "reader", "writer"] or len(roles) != 3:  # noqa: PLR2004
        p.add("SplitDeviceKernel", f"expected one reader, one compute and one writer function, got {roles}")
    devs = [f for f in mod.functions.values() if f.attrs.get(A.KERNEL_ROLE)]
    for f in devs:
        role = f.attrs[A.KERNEL_ROLE]
        for c in collect_calls(f.body, "tt."):
            if role == "compute" and c.op in _NOC:
                p.add("SplitDeviceKernel", f"{f.name}: NOC call {c.op[3:]} in the compute kernel")
            if role != "compute" and c.op in _COMPUTE_ONLY:
                p.add("SplitDeviceKernel", f"{f.name}: compute call {c.op[3:]} in the {role} kernel")
            if c.op.endswith("_block") and A.RUNTIME_ARGS in f.attrs:
                p.add("InsertDSTManagementTT", f"{f.name}: block op {c.op[3:]} was not lowered to tile calls")
    return devs


def _check_cbs(f: PrimFunc, budget: int, p: _Problems) -> None:
    cbs = [(k[len(A.CB_PREFIX):], v) for k, v in f.attrs.items() if k.startswith(A.CB_PREFIX) and v["kind"] != "dst"]
    ids = [v["cb_id"] for _, v in cbs]
    if len(cbs) > 32:  # noqa: PLR2004
        p.add("LowerSharedToCB", f"{len(cbs)} circular buffers; at most 32 exist")
    for name, v in cbs:
        if not 0 <= v["cb_id"] < 32:  # noqa: PLR2004
            p.add("LowerSharedToCB", f"CB {name} has id {v['cb_id']}, outside 0..31")
    if len(set(ids)) != len(ids):
        p.add("LowerSharedToCB", f"CB ids are not unique: {sorted(ids)}")
    total = sum(v["depth_pages"] * v["page_size"] for _, v in cbs)
    shards = sum(v["shard_shape"][0] * v["shard_shape"][1] * v["page_size"] for k, v in f.attrs.items()
                 if k.startswith(A.BUFFER_PREFIX) and "shard_shape" in v)
    if total + shards > budget:
        with_shards = f" and the shards of sharded tensors {shards}" if shards else ""
        p.add("LowerSharedToCB", f"CBs use {total} bytes of L1{with_shards}, budget {budget}")


def _cb_counts(s: Stmt | None, p: _Problems, fname: str, held: frozenset[str] = frozenset(),
               branch: str = "then") -> dict[tuple[str, str], int]:
    """Pages per (cb, action) for one execution of ``s`` taking the ``branch`` of every ``if``; checks each loop
    body and each branch of an ``if`` moving different pages is balanced."""
    out: dict[tuple[str, str], int] = {}
    if s is None:
        return out

    def add(d: dict[tuple[str, str], int], mult: int = 1) -> None:
        for k, v in d.items():
            out[k] = out.get(k, 0) + v * mult

    if isinstance(s, SeqStmt):
        for x in s.stmts:
            add(_cb_counts(x, p, fname, held, branch))
    elif isinstance(s, Evaluate) and isinstance(s.value, Call) and s.value.op in _CB_OPS:
        c = s.value
        n = c.args[1].value if isinstance(c.args[1], IntImm) else None
        if n is None:
            p.add("LowerCBIntrinsics", f"{fname}: {c.op[3:]} with a non-constant page count")
        else:
            out[(c.args[0].name, _CB_OPS[c.op])] = n
    elif isinstance(s, For):
        body = _cb_counts(s.body, p, fname, held, branch)
        _balanced(body, p, fname, f"loop over {s.var.name}", held)
        mult = s.extent.value if isinstance(s.extent, IntImm) else 1
        add(body, mult)
    elif isinstance(s, LetStmt):
        add(_cb_counts(s.body, p, fname, held, branch))
    elif isinstance(s, IfThenElse):
        # a runtime condition on block/loop indices: every kernel evaluates the same condition, so each branch
        # must be balanced by itself; across kernels both branches are compared (``branch``)
        a, b = _cb_counts(s.then_case, p, fname, held, branch), _cb_counts(s.else_case, p, fname, held, branch)
        if a != b:
            _balanced(a, p, fname, "then-branch of an if", held)
            _balanced(b, p, fname, "else-branch of an if", held)
        add(a if branch == "then" else b)
    return out


def _balanced(counts: dict[tuple[str, str], int], p: _Problems, fname: str, where: str,
              held: frozenset[str] = frozenset()) -> None:
    """Per loop iteration: reserves match pushes and waits match pops; for a CB compute both fills and reads
    (``held``: staged fragments, re-waited by every reader) pushes match pops instead."""
    cbs = {cb for cb, _ in counts}
    for cb in sorted(cbs):
        r, pu = counts.get((cb, "reserve"), 0), counts.get((cb, "push"), 0)
        w, po = counts.get((cb, "wait"), 0), counts.get((cb, "pop"), 0)
        if r != pu:
            p.add("LowerCBIntrinsics", f"{fname}: CB {cb} reserves {r} pages but pushes {pu} per {where}")
        if cb in held:
            if pu != po:
                p.add("LowerCBIntrinsics", f"{fname}: staged CB {cb} is pushed {pu} pages but popped {po} per {where}")
        elif w != po:
            p.add("LowerCBIntrinsics", f"{fname}: CB {cb} waits for {w} pages but pops {po} per {where}")


def _persistent_body(f: PrimFunc) -> Stmt | None:
    found: list[For] = []

    class V(StmtExprVisitor):
        def visit_For(self, node: For) -> None:  # noqa: N802
            if node.annotations.get("persistent"):
                found.append(node)
            else:
                self.generic_visit(node)

    V().visit(f.body)
    return found[0].body if found else None


def _check_dst(f: PrimFunc, p: _Problems) -> None:
    cap = f.attrs.get(A.COMPUTE_CONFIG, {}).get("dst_capacity", 16)
    ranges: dict[Var, tuple[int, int]] = {}
    state = ["idle"]

    def walk(s: Stmt | None) -> None:  # noqa: C901
        if s is None:
            return
        if isinstance(s, SeqStmt):
            for x in s.stmts:
                walk(x)
        elif isinstance(s, For):
            if isinstance(s.min, IntImm) and isinstance(s.extent, IntImm):
                ranges[s.var] = (s.min.value, s.min.value + s.extent.value - 1)
            before = state[0]
            walk(s.body)
            if state[0] != before:
                p.add("InsertDSTManagementTT", f"{f.name}: DST state changes from {before} to {state[0]} across "
                                               f"one iteration of the loop over {s.var.name}")
        elif isinstance(s, LetStmt):
            walk(s.body)
        elif isinstance(s, IfThenElse):
            walk(s.then_case)
            walk(s.else_case)
        elif isinstance(s, Evaluate) and isinstance(s.value, Call):
            op = s.value.op
            transitions = {"tt.tile_regs_acquire": ("idle", "acquired"), "tt.tile_regs_commit": ("acquired", "committed"),
                           "tt.tile_regs_wait": ("committed", "waited"), "tt.tile_regs_release": ("waited", "idle")}
            if op in transitions:
                need, nxt = transitions[op]
                if state[0] != need:
                    p.add("InsertDSTManagementTT", f"{f.name}: {op[3:]} while DST is {state[0]} (expected {need})")
                state[0] = nxt
            elif op in _MATH and state[0] != "acquired":
                p.add("InsertDSTManagementTT", f"{f.name}: {op[3:]} outside tile_regs_acquire/commit (DST {state[0]})")
            elif op in ("tt.pack_tile", "tt.pack_tile_at") and state[0] != "waited":
                p.add("InsertDSTManagementTT", f"{f.name}: pack_tile before tile_regs_wait (DST {state[0]})")
            if op in _DST_INDEX_ARG:
                idx = s.value.args[_DST_INDEX_ARG[op]]
                try:
                    _, hi = bounds(idx, ranges)
                except TypeError:
                    hi = None
                if hi is not None and op == "tt.matmul_subblock":  # writes rt × ct tiles from its index on
                    ct, rt = (getattr(a, "value", 1) for a in s.value.args[6:8])
                    hi += ct * rt - 1
                if hi is not None and hi >= cap:
                    p.add("InsertDSTManagementTT", f"{f.name}: {op[3:]} uses DST tile {hi}, capacity {cap}")

    walk(f.body)
    if state[0] != "idle":
        p.add("InsertDSTManagementTT", f"{f.name}: kernel ends with DST {state[0]}")


def _check_operand_pipeline(f: PrimFunc, p: _Problems) -> None:
    """Every input CB holds a whole number of its blocks (steps); with the plan's ``pipeline``, every
    multicast operand buffer's K extent is the pipeline's step, and its CB holds that step ``stages``
    (at least two) times."""
    for key, cb in f.attrs.items():
        if key.startswith(A.CB_PREFIX) and cb["kind"] == "input" and cb["depth_pages"] % cb["block_pages"]:
            p.add("LowerSharedToCB", f"CB {key[len(A.CB_PREFIX):]} holds {cb['depth_pages']} pages, not a whole "
                                     f"number of its {cb['block_pages']}-page steps")
    plan = f.attrs.get(A.MULTICAST) or {}
    pipe = plan.get("pipeline")
    if not pipe or A.cb_key(plan["groups"][0]["buffer"]) not in f.attrs:
        return
    kt, stages = pipe["k_tiles"], pipe["stages"]
    if stages < 2:  # noqa: PLR2004
        p.add("PlanMulticastTT", f"operand pipeline of {stages} stage(s): a multicast refill needs at least 2 "
                                 "(one slot for the math, one being filled)")
    tail, steps = pipe["tail_steps"], pipe["steps"]
    if not 1 <= tail <= steps or (tail > 1 and (tail > stages or (steps - tail) % stages)):
        p.add("PlanMulticastTT", f"operand pipeline tail of {tail} of {steps} K steps in {stages} stages: the tail "
                                 "must fit the CB and start at its first slot (tail <= stages, (steps - tail) a "
                                 "multiple of stages)")
    for g in plan["groups"]:
        name = g["buffer"]
        tiles = f.attrs[A.buffer_key(name)]["tiles"]
        cb = f.attrs[A.cb_key(name)]
        if (tiles[1] != kt) if g["axis"] == "x" else (kt not in tiles):  # B may be stored transposed ([N, K])
            p.add("PlanMulticastTT", f"multicast operand {name} holds {tiles[0]}x{tiles[1]} tiles, not the "
                                     f"pipeline's {kt} tiles of K per step")
        if cb["stages"] != stages or cb["depth_pages"] != stages * cb["block_pages"]:
            p.add("LowerSharedToCB", f"multicast operand CB {name} holds {cb['depth_pages']} pages "
                                     f"({cb['stages']} stages of {cb['block_pages']}), not the pipeline's {stages} "
                                     f"stages of its {cb['block_pages']}-page step")


def _check_multicast_plan(f: PrimFunc, p: _Problems) -> None:
    """The tt.multicast plan is consistent: rectangles inside the core grid and the device grid, each
    sender outside its rectangle, every receiver inside its sender's rectangle, receivers = num_dests."""
    plan = f.attrs.get(A.MULTICAST)
    if not plan:
        return
    cx, cy = plan["core_grid"]
    dev = f.attrs.get(A.DEVICE_GRID, [cx, cy])
    sems = [s for g in plan["groups"] for s in (g["ready_semaphore"], g["valid_semaphore"])]
    if len(set(sems)) != len(sems) or any(not 0 <= s < 16 for s in sems):  # noqa: PLR2004 - 16 per core
        p.add("PlanMulticastTT", f"multicast semaphore ids {sems} are not unique ids in 0..15")
    cores = {tuple(c["core"]): c["groups"] for c in plan["cores"]}
    _check_multicast_blocks(f, plan, p)
    _check_multicast_cover(f, plan, p)
    for g in plan["groups"]:
        name = g["group"]
        for core, groups in cores.items():
            info = groups.get(name)
            if info is None:
                p.add("PlanMulticastTT", f"core {list(core)} has no role in multicast group {name}")
                continue
            (x0, y0), (x1, y1) = info["dest"]
            if not (0 <= x0 <= x1 < min(cx, dev[0]) and 0 <= y0 <= y1 < min(cy, dev[1])):
                p.add("PlanMulticastTT", f"multicast group {name}: destination rectangle {info['dest']} of core "
                                         f"{list(core)} is not inside the {cx}x{cy} core grid")
            inside = [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
            if len(inside) != g["num_dests"]:
                p.add("PlanMulticastTT", f"multicast group {name}: rectangle {info['dest']} holds {len(inside)} "
                                         f"cores but the group has {g['num_dests']} receivers")
            sender = tuple(info["sender_core"])
            if info["sender"] != (sender == core):
                p.add("PlanMulticastTT", f"multicast group {name}: core {list(core)} and its sender_core disagree")
            if sender in inside:
                p.add("PlanMulticastTT", f"multicast group {name}: sender {list(sender)} is inside its own "
                                         "destination rectangle")
            if not info["sender"]:
                s_info = cores.get(sender, {}).get(name)
                if s_info is None or not s_info["sender"] or core not in [
                        (x, y) for x in range(s_info["dest"][0][0], s_info["dest"][1][0] + 1)
                        for y in range(s_info["dest"][0][1], s_info["dest"][1][1] + 1)]:
                    p.add("PlanMulticastTT", f"multicast group {name}: receiver {list(core)} is not in the "
                                             f"destination rectangle of its sender {list(sender)}")


def _check_multicast_cover(f: PrimFunc, plan: dict, p: _Problems) -> None:
    """Each group's blocks (of the buffer's tiles along the group's ``block_dim``, one per line of cores of
    the block grid) start inside its tensor, and where the last one runs past the tensor's end the tensor
    lists that axis as ``partial`` (so that its reads are guarded and zero-padded: ``_check_partial``)."""
    for g in plan["groups"]:
        tensor, buf = f.attrs.get(A.buffer_key(g["tensor"])), f.attrs.get(A.buffer_key(g["buffer"]))
        if not tensor or not buf:
            continue
        shape, d = tensor["shape"], g["block_dim"]
        axis = d - (len(shape) - 2)  # the axis of the 2-D page grid (0 rows, 1 columns)
        if axis not in (0, 1):
            continue  # a batch dimension follows the block index: one block per index, no tiles to cover
        per, total = buf["tiles"][axis], -(-shape[d] // TILE)
        lines = plan["block_grid"][1 if g["axis"] == "x" else 0]
        if (lines - 1) * per >= total:
            p.add("PlanMulticastTT", f"multicast group {g['group']}: the last of {lines} blocks of {per} tiles "
                                     f"starts past the {total} tiles of {g['tensor']} on axis {d}")
        elif lines * per > total and axis not in tensor.get("partial", []):
            p.add("PlanMulticastTT", f"multicast group {g['group']}: {lines} blocks of {per} tiles run past the "
                                     f"{total} tiles of {g['tensor']} on axis {d}, which is not marked partial "
                                     "(its last reads would not be guarded)")


def _check_multicast_blocks(f: PrimFunc, plan: dict, p: _Problems) -> None:
    """The blocks of a tt.multicast plan: the cores' rectangles partition the block grid (each block owned
    by one core), the cores of a core row own the same block rows and those of a core column the same block
    columns (what lets one multicast serve a whole row / column), no rectangle exceeds the plan's lock-step
    rectangle, every core's lock-step steps stay inside its own rectangle and reach all of it (padded steps
    repeat its own blocks), and every core runs the same number of steps (the same circular-buffer and
    semaphore operations as its row and column)."""
    (gx, gy), (rx, ry) = plan["block_grid"], plan["blocks_per_core"]
    owner: dict[tuple[int, int], list[int]] = {}
    rows: dict[int, list] = {}
    cols: dict[int, list] = {}
    for c in plan["cores"]:
        x, y = c["core"]
        (x0, y0), (x1, y1) = c["blocks"]
        if not (0 <= x0 <= x1 < gx and 0 <= y0 <= y1 < gy) or x1 - x0 + 1 > rx or y1 - y0 + 1 > ry:
            p.add("PlanMulticastTT", f"core {[x, y]} owns blocks {c['blocks']}, not a non-empty rectangle of at most "
                                     f"{rx}x{ry} inside the {gx}x{gy} block grid")
            continue
        for bx in range(x0, x1 + 1):
            for by in range(y0, y1 + 1):
                owner.setdefault((bx, by), []).append(1)
        if rows.setdefault(y, [y0, y1]) != [y0, y1]:
            p.add("PlanMulticastTT", f"core {[x, y]} owns block rows {[y0, y1]}, not those of its core row "
                                     f"{rows[y]}: one multicast along the row cannot serve it")
        if cols.setdefault(x, [x0, x1]) != [x0, x1]:
            p.add("PlanMulticastTT", f"core {[x, y]} owns block columns {[x0, x1]}, not those of its core column "
                                     f"{cols[x]}: one multicast along the column cannot serve it")
        steps = {block_of_step((x, y), step, (rx, ry), (gx, gy)) for step in range(rx * ry)}
        if steps != {(bx, by) for bx in range(x0, x1 + 1) for by in range(y0, y1 + 1)}:
            p.add("PlanMulticastTT", f"the lock-step steps of core {[x, y]} do not run exactly its blocks "
                                     f"{c['blocks']}")
    missing = [(bx, by) for bx in range(gx) for by in range(gy) if len(owner.get((bx, by), [])) != 1]
    if missing:
        p.add("PlanMulticastTT", f"{len(missing)} block(s) of the {gx}x{gy} grid are not owned by exactly one core "
                                 f"(first: {list(missing[0])})")
    counts = {w["count"] for w in f.attrs.get(A.WORK_PARTITION, [])}
    if counts and counts != {rx * ry}:
        p.add("PlanMulticastTT", f"cores run {sorted(counts)} lock-step steps, not {rx * ry} each: the multicast "
                                 "handshakes of a row or column would not pair up")


def _op(s: Stmt) -> str | None:
    return s.value.op if isinstance(s, Evaluate) and isinstance(s.value, Call) else None


def _check_multicast_protocol(f: PrimFunc, p: _Problems) -> None:
    """Every sender waits for its receivers before multicasting and signals after it; every receiver counts
    in at its sender and then waits for the signal before pushing the block; each group of tt.multicast
    run by this kernel has both a sender and a receiver path."""
    role = f.attrs[A.KERNEL_ROLE]
    senders = receivers = 0
    seqs: list[list[Stmt]] = []

    def collect(s: Stmt | None) -> None:
        """Each statement sequence once (lets inlined), then the bodies of its loops and branches."""
        if s is None:
            return
        stmts = flat_stmts(s)
        seqs.append(stmts)
        for st in stmts:
            if isinstance(st, For):
                collect(st.body)
            elif isinstance(st, IfThenElse):
                collect(st.then_case)
                collect(st.else_case)

    collect(f.body)
    for stmts in seqs:
        ops = [_op(s) for s in stmts]
        for i, op in enumerate(ops):
            if op == "tt.noc_async_write_multicast":
                senders += 1
                if "tt.noc_semaphore_wait" not in ops[:i]:
                    p.add("LowerCBIntrinsics", f"{f.name}: a multicast sender does not wait for its receivers "
                                               "(noc_semaphore_wait) before noc_async_write_multicast")
                if "tt.noc_semaphore_set_multicast" not in ops[i + 1:]:
                    p.add("LowerCBIntrinsics", f"{f.name}: a multicast sender does not signal its receivers "
                                               "(noc_semaphore_set_multicast) after noc_async_write_multicast")
            if op == "tt.noc_semaphore_inc":
                receivers += 1
                rest = ops[i + 1:]
                if "tt.noc_semaphore_wait" not in rest or ("tt.cb_push_back" in rest and rest.index(
                        "tt.cb_push_back") < rest.index("tt.noc_semaphore_wait")):
                    p.add("LowerCBIntrinsics", f"{f.name}: a multicast receiver does not wait (noc_semaphore_wait) "
                                               "for the block before pushing it")
    groups = [g for g in f.attrs.get(A.MULTICAST, {}).get("groups", []) if g["role"] == role]
    if groups and (senders < len(groups) or receivers < len(groups)):
        p.add("SplitDeviceKernel", f"{f.name}: runs {len(groups)} multicast group(s) but has {senders} sender and "
                                   f"{receivers} receiver path(s)")


def _check_rowwise(f: PrimFunc, p: _Problems) -> None:
    """The operand protocols of reductions and broadcasts in the compute kernel (→ InsertDSTManagementTT /
    InsertComputeInitTT / LowerCBIntrinsics):

    * ``reduce_tile<P, D>(src, scaler, ...)``: ``scaler`` is the reduce scaler CB (kind ``scaler``), waited for
      before, and the last reduce init before it is ``reduce_init<P, D>`` of the same CBs (no other init in
      between); ``src`` is waited for before;
    * ``<op>_tiles_bcast_cols|rows(a, v, ...)`` and ``unary_bcast<COL|ROW>(v, ...)``: ``v`` is a 1-D buffer of
      that orientation (a column vector: one value per row), ``a`` a 2-D block; both waited for before.
    """
    kinds = {k[len(A.CB_PREFIX):]: v["kind"] for k, v in f.attrs.items() if k.startswith(A.CB_PREFIX)}
    waited: set[str] = set()
    last_init: list[Call | None] = [None]

    def vector(b: Buffer) -> str | None:
        return f.attrs.get(A.buffer_key(b.name), {}).get("vector")

    for c in collect_calls(f.body, "tt."):
        op = c.op
        if op == "tt.cb_wait_front":
            waited.add(c.args[0].name)
        elif op.startswith("tt.reduce_init:"):
            last_init[0] = c
        elif op.endswith("_init") or op.startswith("tt.unary_bcast_init:") or op == "tt.reduce_uninit":
            last_init[0] = None
        elif op.startswith("tt.reduce_tile:"):
            src, scaler = c.args[0], c.args[1]
            init = last_init[0]
            if kinds.get(scaler.name) != "scaler":
                p.add("LowerSharedToCB", f"{f.name}: reduce_tile reads its scaler from CB {scaler.name}, which is not "
                                         "the reduce scaler CB")
            for b in (src, scaler):
                if b.name not in waited:
                    p.add("LowerCBIntrinsics", f"{f.name}: reduce_tile reads CB {b.name} before waiting for it")
            if init is None or init.op.split(":")[1:] != op.split(":")[1:] or \
                    [a.name for a in init.args[:2]] != [src.name, scaler.name]:
                p.add("InsertComputeInitTT", f"{f.name}: {op[3:].replace(':', ' ')} is not preceded by its "
                                             "reduce_init")
        elif "_tiles_bcast_" in op or op.startswith("tt.unary_bcast:"):
            block, vec = (None, c.args[0]) if op.startswith("tt.unary_bcast:") else (c.args[0], c.args[1])
            want = "col" if op.endswith(("_cols", ":COL")) else "row"
            if vector(vec) != want:
                p.add("InsertDSTManagementTT", f"{f.name}: {op[3:]} broadcasts {vec.name}, which is not a "
                                               f"{'column' if want == 'col' else 'row'} vector")
            if block is not None and len(block.shape) != 2:  # noqa: PLR2004
                p.add("InsertDSTManagementTT", f"{f.name}: {op[3:]} combines {block.name}, which is not a 2-D block")
            for b in (block, vec):
                if b is not None and b.name not in waited:
                    p.add("LowerCBIntrinsics", f"{f.name}: {op[3:]} reads CB {b.name} before waiting for it")


def _check_unpack_formats(f: PrimFunc, p: _Problems) -> None:
    """Every tile call unpacks its CBs in the data formats the unpacker is configured for there (by
    ``compute_kernel_hw_startup`` and ``reconfig_data_format*``; → InsertComputeInitTT). Checked once the
    kernel has its start-up call."""
    calls = collect_calls(f.body, "tt.")
    if not any(c.op.startswith("tt.compute_kernel_hw_startup") for c in calls):
        return

    def fmt(b: Buffer) -> str | None:
        return f.attrs.get(A.cb_key(b.name), {}).get("data_format")

    for c, reg, cb, held in check_unpack_formats(f.body, fmt):
        state = f"configured for {held}" if held else "in a format not known at that point"
        p.add("InsertComputeInitTT", f"{f.name}: {c.op[3:]} unpacks CB {cb.name} ({fmt(cb)}) into {reg}, which is "
                                     f"{state} (no reconfig_data_format before it)")
    for c, cb, held in check_pack_formats(f.body, fmt):
        state = f"configured for {held}" if held else "in a format not known at that point"
        p.add("InsertDSTManagementTT", f"{f.name}: {c.op[3:]} packs into CB {cb.name} ({fmt(cb)}) with the packer "
                                       f"{state} (no pack_reconfig_data_format before it)")


def _check_scaler_fill(f: PrimFunc, p: _Problems) -> None:
    """The reader fills the reduce scaler CB (when the kernel has one) between a reserve and a push."""
    scalers = [k[len(A.CB_PREFIX):] for k, v in f.attrs.items() if k.startswith(A.CB_PREFIX) and v["kind"] == "scaler"]
    calls = collect_calls(f.body, "tt.")
    for name in scalers:
        fills = [i for i, c in enumerate(calls) if c.op == "tt.fill_scaler_tile" and c.args[0].name == name]
        if not fills:
            p.add("LowerCBIntrinsics", f"{f.name}: the reduce scaler CB {name} is never filled by the reader")
        for i in fills:
            if i == 0 or calls[i - 1].op != "tt.cb_reserve_back" or i + 1 >= len(calls) or \
                    calls[i + 1].op != "tt.cb_push_back":
                p.add("LowerCBIntrinsics", f"{f.name}: fill_scaler_tile of {name} is not between cb_reserve_back "
                                           "and cb_push_back")


def _check_partial(f: PrimFunc, p: _Problems) -> None:
    """A tensor with partial last blocks is only touched under a bounds guard: every page transfer of it is the
    then-branch of an ``if`` on its tile row / column; in the reader the else-branch zero-fills the same L1
    page (so compute sees whole blocks), in the writer there is none (a writer sending a multicast group
    reads too: its reads are checked as the reader's). Zero fills appear nowhere else."""
    partial = {k[len(A.BUFFER_PREFIX):] for k, v in f.attrs.items()
               if k.startswith(A.BUFFER_PREFIX) and v.get("partial")}
    apis = {"reader": ("tt.noc_async_read_page",),
            "writer": ("tt.noc_async_write_page", "tt.noc_async_read_page")}.get(f.attrs[A.KERNEL_ROLE])
    if apis is None:
        return

    def access(s: Stmt | None) -> Call | None:
        if isinstance(s, Evaluate) and isinstance(s.value, Call) and s.value.op in (*apis, "tt.zero_page"):
            return s.value
        return None

    def walk(s: Stmt | None, guarded: bool) -> None:
        if s is None:
            return
        if isinstance(s, IfThenElse):
            if is_gather_guard(s):  # the padding of an element gather (checked by check_gather_reads)
                return
            then, other = access(s.then_case), access(s.else_case)
            if then is not None and then.op in apis and then.args[1].name in partial:
                api = then.op
                if api == "tt.noc_async_read_page" and (other is None or other.op != "tt.zero_page"
                                                        or not _same(other.args[0], then.args[2])):
                    p.add("LowerCBIntrinsics", f"{f.name}: a guarded read of {then.args[1].name} does not zero-fill "
                                               "its L1 page when the tile is outside the tensor")
                if api == "tt.noc_async_write_page" and s.else_case is not None:
                    p.add("LowerCBIntrinsics", f"{f.name}: a guarded write of {then.args[1].name} has an else branch")
                return
            walk(s.then_case, guarded)
            walk(s.else_case, guarded)
            return
        c = access(s)
        if c is not None:
            if c.op == "tt.zero_page":
                p.add("LowerCBIntrinsics", f"{f.name}: zero_page outside the guard of a partial-block read")
            elif c.args[1].name in partial:
                p.add("LowerCBIntrinsics", f"{f.name}: {c.op[3:]} of {c.args[1].name}, which has partial last blocks, "
                                           "is not guarded by a bounds check (it would leave the tensor)")
            return
        for child in s.children():
            for x in child if isinstance(child, (list, tuple)) else [child]:
                if isinstance(x, Stmt):
                    walk(x, guarded)

    walk(f.body, False)


def _same(a: object, b: object) -> bool:
    """Structural equality of two small address expressions (same variables, same operations)."""
    if isinstance(a, IntImm) and isinstance(b, IntImm):
        return a.value == b.value
    if isinstance(a, Var) or isinstance(b, Var):
        return a is b
    if type(a) is not type(b) or not hasattr(a, "op"):
        return False
    return a.op == b.op and _same(a.a, b.a) and _same(a.b, b.b)  # type: ignore[attr-defined]


def _check_vars(f: PrimFunc, p: _Problems) -> None:
    bound: set[str] = {a["name"] for a in f.attrs.get(A.RUNTIME_ARGS, [])}
    for a in f.attrs.get(A.COMPILE_TIME_ARGS, []):
        if a["kind"] == "semaphore":  # the prologue declares the address and a pointer
            bound |= {a["name"], a["name"] + "_ptr"}
    if A.RUNTIME_ARGS not in f.attrs:
        return
    scopes: list[set[int]] = [set()]

    class V(StmtExprVisitor):
        def visit_For(self, node: For) -> None:  # noqa: N802
            self.visit(node.min)
            self.visit(node.extent)
            scopes[-1].add(id(node.var))
            self.visit(node.body)

        def visit_LetStmt(self, node: LetStmt) -> None:  # noqa: N802
            self.visit(node.value)
            scopes[-1].add(id(node.var))
            self.visit(node.body)

        def visit_Var(self, v: Var) -> None:  # noqa: N802
            if id(v) not in scopes[-1] and v.name not in bound:
                p.add("FinalizePersistentSignatureTT", f"{f.name}: variable {v.name} is not bound")

        def visit_Buffer(self, b: Buffer) -> None:  # noqa: N802
            return

    V().visit(f.body)


def _check_shards(f: PrimFunc, p: _Problems) -> None:
    """An L1-sharded tensor (``shard_shape``) is moved only inside the core's own shard
    (``noc_async_read/write_shard_page``, a slot below the shard's page count when it is a constant), an
    interleaved one only through its accessor (``noc_async_read/write_page``)."""
    for c in collect_calls(f.body, "tt.noc_async_"):
        if c.op not in ("tt.noc_async_read_page", "tt.noc_async_write_page", "tt.noc_async_read_shard_page",
                        "tt.noc_async_write_shard_page"):
            continue
        tensor = c.args[1]
        info = f.attrs.get(A.buffer_key(tensor.name), {})
        shard = info.get("shard_shape")
        local = c.op.endswith("_shard_page")
        if local and shard is None:
            p.add("LowerCBIntrinsics", f"{f.name}: {c.op[3:]} of {tensor.name}, which is not sharded")
        elif not local and shard is not None:
            p.add("LowerCBIntrinsics", f"{f.name}: {c.op[3:]} of the sharded tensor {tensor.name} through an "
                                       "accessor; its pages are in the cores' own shards")
        elif local and isinstance(c.args[0], IntImm) and not 0 <= c.args[0].value < shard[0] * shard[1]:
            p.add("LowerCBIntrinsics", f"{f.name}: {c.op[3:]} of {tensor.name} at slot {c.args[0].value}, outside "
                                       f"its {shard[0]}x{shard[1]}-tile shard")


def verify_structure(mod: IRModule, producer: str | None = None, budget: int | None = None) -> None:
    """Raise :class:`VerifyError` if ``mod`` breaks an invariant of its lowering stage."""
    p = _Problems()
    devs = [f for f in mod.functions.values() if f.attrs.get(A.KERNEL_ROLE)]
    if devs:
        _check_roles(mod, p)
        bud = budget if budget is not None else l1_budget(PassContext.current())
        _check_cbs(devs[0], bud, p)
        lowered = any(c.op in _CB_OPS for f in devs for c in collect_calls(f.body, "tt."))
        per_iter: dict[str, dict[tuple[str, str], int]] = {}
        per_iter_else: dict[str, dict[tuple[str, str], int]] = {}
        held = frozenset(k[len(A.CB_PREFIX):] for k, v in devs[0].attrs.items()
                         if k.startswith(A.CB_PREFIX) and v["kind"] == "staged")
        for f in devs:
            if lowered:
                counts = _cb_counts(f.body, p, f.name, held)
                del counts
                per_iter[f.attrs[A.KERNEL_ROLE]] = _cb_counts(_persistent_body(f), _Problems(), f.name, held)
                per_iter_else[f.attrs[A.KERNEL_ROLE]] = _cb_counts(_persistent_body(f), _Problems(), f.name, held,
                                                                   "else")
            if f.attrs[A.KERNEL_ROLE] == "compute":
                _check_rowwise(f, p)
                _check_unpack_formats(f, p)
            elif f.attrs[A.KERNEL_ROLE] == "reader":
                _check_scaler_fill(f, p)
            facts = {"role": f.attrs.get(A.KERNEL_ROLE),
                     "buffers": {k[len(A.BUFFER_PREFIX):]: v for k, v in f.attrs.items() if k.startswith(A.BUFFER_PREFIX)},
                     "cbs": {k[len(A.CB_PREFIX):]: v for k, v in f.attrs.items() if k.startswith(A.CB_PREFIX)}}
            check_gather_blocks(f, facts, p.add)
            if lowered:
                _check_partial(f, p)
                _check_shards(f, p)
                if f.attrs[A.KERNEL_ROLE] == "compute":
                    check_tilize(f, facts, p.add)
                else:
                    check_gather_reads(f, facts, p.add)
            if f.attrs[A.KERNEL_ROLE] == "compute" and any(c.op in _COMPUTE_ONLY
                                                           for c in collect_calls(f.body, "tt.")):
                _check_dst(f, p)
            _check_vars(f, p)
            if lowered and f.attrs[A.KERNEL_ROLE] != "compute":
                _check_multicast_protocol(f, p)
            # compute's CB transactions are block-level until InsertDSTManagementTT (which writes
            # tt.compute_config) sizes them to its DST sub-blocks
            sized = f.attrs[A.KERNEL_ROLE] != "compute" or A.COMPUTE_CONFIG in f.attrs
            if lowered and sized:
                check_cb_requests(f, facts, p.add)
            check_stream_cbs(f, facts, p.add, layout=f is devs[0], moves=sized)
        planned = len(p.items)
        _check_multicast_plan(devs[0], p)
        _check_operand_pipeline(devs[0], p)
        if lowered and len(p.items) == planned:  # the flush rule counts CB slots: only on the plan's CBs
            for f in devs:
                if f.attrs[A.KERNEL_ROLE] != "compute":
                    check_multicast_flush(f, {k[len(A.CB_PREFIX):]: v for k, v in f.attrs.items()
                                              if k.startswith(A.CB_PREFIX)}, p.add)
        for side, table in (("", per_iter), (" (else-branches of its ifs)", per_iter_else)):
            if not lowered or (side and table == per_iter):
                continue
            pushed: dict[str, int] = {}
            popped: dict[str, int] = {}
            for counts in table.values():
                for (cb, action), n in counts.items():
                    if action == "push":
                        pushed[cb] = pushed.get(cb, 0) + n
                    elif action == "pop":
                        popped[cb] = popped.get(cb, 0) + n
            for cb in sorted(set(pushed) | set(popped)):
                if cb in held:
                    continue  # compute both fills and reads it: checked per loop above
                if pushed.get(cb, 0) != popped.get(cb, 0):
                    p.add("LowerCBIntrinsics", f"CB {cb}: producer pushes {pushed.get(cb, 0)} pages but consumer "
                                               f"pops {popped.get(cb, 0)} per persistent iteration{side}")
    if p.items:
        raise VerifyError(producer or p.items[0][0], [msg for _, msg in p.items])


def verify_module(mod: IRModule, ctx: PassContext) -> None:
    verify_structure(mod, None, l1_budget(ctx))


class VerifyTTIR(Pass):
    name = "tt.VerifyTTIR"

    def transform(self, mod: IRModule, ctx: PassContext) -> IRModule:
        if len([f for f in mod.functions.values() if f.attrs.get(A.KERNEL_ROLE)]) == 0:
            raise VerifyError(ctx.last_pass, ["no device functions: the pipeline did not split the kernel"])
        verify_module(mod, ctx)
        return mod
