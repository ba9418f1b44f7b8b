"""VerifyTTIR's checks of element gathers (:class:`~tt_build.ir.StickGather`) and their tilize.

Block level (``tt.gather_block`` not yet lowered): the gather reads a kernel tensor stored row-major
(``page_layout`` ``row_major``, → InferTTLayout) of its own dtype with one index per dimension and a
``bool`` padding predicate, into a 2-D ``input`` CB of whole tiles (→ LowerSharedToCB), with a proven run
length ``stick`` (a multiple of 32 dividing the block's columns, → InferTTLayout); the compute function
tilizes that CB (``tt.tilize_block(rm, dst)``) into a CB of the same shape.

Lowered: a row-major tensor is never read with ``noc_async_read_page`` (tile pages), only with
``noc_async_read(<accessor>.get_noc_addr(stick, offset), l1, bytes)`` of whole 32-element runs within one
stick; a guarded read zero-fills the same L1 bytes on its else-branch (→ LowerCBIntrinsics). In the
compute kernel every ``tilize_block`` (``tt.tilize_rows``) runs outside a DST live range (it acquires DST
itself), tilizes one tile row of its row-major CB after ``cb_wait_front`` of those pages and
``cb_reserve_back`` of the tiled CB, and is followed by their ``cb_push_back`` / ``cb_pop_front``
(→ LowerCBIntrinsics / InsertDSTManagementTT).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tt_build.ir import BinaryOp, Call, Evaluate, IfThenElse, IntImm, LetStmt, SeqStmt, StickGather, Stmt
from tt_build.transform._analysis import TILE, collect_calls

if TYPE_CHECKING:
    from tt_build.ir import PrimFunc

#: what VerifyTTIR passes in for a device function: its role and the tensor / CB records by buffer name
#: (the ``tt.buffer.*`` and ``tt.cb.*`` attributes; this module reads no attribute itself)
Facts = dict[str, Any]

__all__ = ["check_gather_blocks", "check_gather_reads", "check_tilize", "is_gather_guard"]

_RUN = 32


def _row_major(facts: Facts, name: str) -> bool:
    return facts["buffers"].get(name, {}).get("page_layout") == "row_major"


def check_gather_blocks(f: PrimFunc, facts: Facts, add: Any) -> None:
    """Block-level gathers and tilizes of ``f`` (a front-end-shaped or device function)."""
    calls = collect_calls(f.body, "tt.")
    tilized = {c.args[0].name: c.args[1] for c in calls if c.op == "tt.tilize_block"}
    for c in calls:
        if c.op != "tt.gather_block":
            continue
        g = c.args[0]
        if not isinstance(g, StickGather):
            add("LowerTTTileIntrinsics", f"{f.name}: gather_block without a StickGather argument")
            continue
        where = f"{f.name}: gather into {g.dst.name}"
        if g.src.scope != "global" or not _row_major(facts, g.src.name):
            add("InferTTLayout", f"{where} reads {g.src.name}, which is not a row-major kernel tensor")
        if len(g.indices) != len(g.src.shape) or len(g.loop_vars) != 2:  # noqa: PLR2004
            add("front end", f"{where}: {len(g.indices)} indices for a {len(g.src.shape)}-D tensor, "
                             f"{len(g.loop_vars)} loop variables")
        if g.pred is not None and g.pred.dtype != "bool":
            add("front end", f"{where}: the padding predicate is not a bool expression")
        if g.src.dtype != g.dst.dtype:
            add("front end", f"{where}: converts {g.src.dtype} to {g.dst.dtype} in the reader")
        info = facts["cbs"].get(g.dst.name)
        rows, cols = g.dst.shape if len(g.dst.shape) == 2 else (0, 0)  # noqa: PLR2004
        if info is None or info.get("kind") != "input" or rows % TILE or cols % TILE or rows == 0:
            add("LowerSharedToCB", f"{where}: the block is not an input CB of whole tiles")
        if g.stick <= 0 or g.stick % _RUN or (cols and cols % g.stick):
            add("InferTTLayout", f"{where}: run length {g.stick} is not a multiple of 32 dividing {cols} columns")
        dst = tilized.get(g.dst.name)
        if dst is None and facts["role"] in (None, "compute"):
            add("front end", f"{where}: the row-major block is never tilized")
        elif dst is not None and tuple(dst.shape) != tuple(g.dst.shape):
            add("front end", f"{where}: tilized into {dst.name} of another shape")


def is_gather_guard(s: IfThenElse) -> bool:
    """``if pred: noc_async_read(..., l1, n) else: zero_page(l1, n)`` (the padding of a gather run)."""
    then, other = s.then_case, s.else_case
    if not (isinstance(then, Evaluate) and isinstance(then.value, Call) and then.value.op == "tt.noc_async_read"):
        return False
    if not (isinstance(other, Evaluate) and isinstance(other.value, Call) and other.value.op == "tt.zero_page"):
        return False
    _, addr, n = then.value.args
    z_addr, z_n = other.value.args
    return _same(addr, z_addr) and _same(n, z_n)


def check_gather_reads(f: PrimFunc, facts: Facts, add: Any) -> None:
    """Lowered reader / writer: how row-major tensors are read."""
    for c in collect_calls(f.body, "tt."):
        if c.op in ("tt.noc_async_read_page", "tt.noc_async_write_page"):
            t = c.args[1]
            if _row_major(facts, t.name):
                add("LowerCBIntrinsics", f"{f.name}: {c.op[3:]} of {t.name}, which is stored row-major (sticks)")
        if c.op != "tt.noc_async_read":
            continue
        src, _, n = c.args
        if not (isinstance(src, Call) and src.op == "tt.tensor_noc_addr" and len(src.args) == 3):  # noqa: PLR2004
            add("LowerCBIntrinsics", f"{f.name}: noc_async_read from an address not given by a tensor accessor's get_noc_addr")
            continue
        t = src.args[0]
        info = facts["buffers"].get(t.name, {})
        esize = info.get("page_size", 0) // max(t.shape[-1], 1)
        if not _row_major(facts, t.name):
            add("LowerCBIntrinsics", f"{f.name}: noc_async_read of {t.name}, which is not stored row-major")
        elif not isinstance(n, IntImm) or n.value <= 0 or n.value % (_RUN * esize) or n.value > info["page_size"]:
            add("LowerCBIntrinsics", f"{f.name}: a gather read of {t.name} moves {getattr(n, 'value', n)} bytes, not "
                                     f"whole 32-element runs within one {info['page_size']}-byte stick")
    _check_guards(f.body, f, add)


def _check_guards(s: Stmt | None, f: PrimFunc, add: Any) -> None:
    if s is None:
        return
    if isinstance(s, IfThenElse):
        else_zero = isinstance(s.else_case, Evaluate) and isinstance(s.else_case.value, Call) and \
            s.else_case.value.op == "tt.zero_page"
        then_read = isinstance(s.then_case, Evaluate) and isinstance(s.then_case.value, Call) and \
            s.then_case.value.op == "tt.noc_async_read"
        if then_read and s.else_case is not None and not is_gather_guard(s):
            add("LowerCBIntrinsics", f"{f.name}: a guarded gather read does not zero-fill the same L1 bytes when the "
                                     "padding predicate is false")
        if then_read or else_zero:
            return
    for child in s.children():
        for x in child if isinstance(child, (list, tuple)) else [child]:
            if isinstance(x, Stmt):
                _check_guards(x, f, add)


def check_tilize(f: PrimFunc, facts: Facts, add: Any) -> None:
    """Lowered compute: every ``tilize_block`` outside DST live ranges, inside its CB protocol."""
    in_dst = False
    for c in collect_calls(f.body, "tt."):
        if c.op == "tt.tile_regs_acquire":
            in_dst = True
        elif c.op == "tt.tile_regs_release":
            in_dst = False
        elif c.op == "tt.tilize_rows" and in_dst:
            add("InsertDSTManagementTT", f"{f.name}: tilize_block of {c.args[0].name} inside a DST live range "
                                         "(tilize_block acquires DST itself)")
    _check_tilize_seq(f.body, f, facts, add)


def _check_tilize_seq(s: Stmt | None, f: PrimFunc, facts: Facts, add: Any) -> None:
    if s is None:
        return
    if isinstance(s, SeqStmt):
        flat = _flat(s)
        for k, st in enumerate(flat):
            c = _call(st)
            if c is None or c.op != "tt.tilize_rows":
                continue
            rm, w, dst = c.args
            width = facts["buffers"].get(rm.name, {}).get("tiles", [0, 0])[1]
            if not isinstance(w, IntImm) or w.value != width:
                add("LowerCBIntrinsics", f"{f.name}: tilize_block of {rm.name} over {getattr(w, 'value', w)} tiles, "
                                         f"not one tile row ({width})")
            before = [(_call(x).op, _call(x).args[0].name) for x in flat[:k] if _call(x) is not None
                      and _call(x).op in ("tt.cb_wait_front", "tt.cb_reserve_back")]
            after = [(_call(x).op, _call(x).args[0].name) for x in flat[k + 1:] if _call(x) is not None
                     and _call(x).op in ("tt.cb_push_back", "tt.cb_pop_front")]
            if ("tt.cb_wait_front", rm.name) not in before or ("tt.cb_reserve_back", dst.name) not in before or \
                    ("tt.cb_push_back", dst.name) not in after or ("tt.cb_pop_front", rm.name) not in after:
                add("LowerCBIntrinsics", f"{f.name}: tilize_block of {rm.name} into {dst.name} outside its "
                                         "cb_wait_front / cb_reserve_back … cb_push_back / cb_pop_front")
        for st in flat:
            if not isinstance(st, (Evaluate, LetStmt)):
                _check_tilize_seq(st, f, facts, add)
        return
    if isinstance(s, Evaluate) and _call(s) is not None and _call(s).op == "tt.tilize_rows":
        add("LowerCBIntrinsics", f"{f.name}: tilize_block of {_call(s).args[0].name} outside its CB protocol")
        return
    for child in s.children():
        for x in child if isinstance(child, (list, tuple)) else [child]:
            if isinstance(x, Stmt):
                _check_tilize_seq(x, f, facts, add)


def _flat(s: Stmt) -> list[Stmt]:
    if isinstance(s, SeqStmt):
        return [x for st in s.stmts for x in _flat(st)]
    if isinstance(s, LetStmt):
        return [s, *_flat(s.body)]
    return [s]


def _call(s: Stmt) -> Call | None:
    return s.value if isinstance(s, Evaluate) and isinstance(s.value, Call) else None


def _same(a: object, b: object) -> bool:
    if isinstance(a, IntImm) and isinstance(b, IntImm):
        return a.value == b.value
    if isinstance(a, BinaryOp) and isinstance(b, BinaryOp):
        return a.op == b.op and _same(a.a, b.a) and _same(a.b, b.b)
    return a is b
