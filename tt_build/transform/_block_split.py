"""Splitting the blocks of a GEMM-like kernel into smaller ones (used by PlanMulticastTT).

A kernel whose block ``(bx, by)`` computes an output block from operand panels — only ``T.copy`` between
a tensor and a whole on-chip buffer, ``T.gemm``, ``T.clear`` / ``T.fill`` and loops whose bounds do not
depend on the block — computes the same values with its blocks split ``s`` ways along ``by`` and ``t``
ways along ``bx``: block ``(bx', by')`` of the ``(gx·t, gy·s)`` grid then covers rows
``[by'·bM/s, (by'+1)·bM/s)`` and columns ``[bx'·bN/t, …)`` of every region indexed by ``by`` / ``bx``,
each output element gets the same products summed in the same order, and the on-chip buffers shrink
along those dimensions. Which dimension of which buffer follows ``by`` or ``bx`` comes from the
dataflow (a copy's region start ``e·by + c`` with extent ``e`` the buffer's size; ``T.gemm`` relating
A's rows and B's columns to the accumulator's), never from names. Anything else — another statement, a
region using a block index otherwise, a tensor with a partial last block — is not split.

The same rewrite merges blocks (``merge_kernel_blocks``: ``rx × ry`` blocks as one) or resizes them to
any whole number of tiles along each axis (``resize_kernel_blocks``: the grid then covers the extent
with ``⌈extent / new block⌉`` blocks, the last one partial where the new block does not divide it); only
which output rectangle a block covers changes, never the K loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tt_build.ir import (
    Allocate,
    Buffer,
    BufferRegion,
    Call,
    Evaluate,
    For,
    IntImm,
    KernelLaunch,
    PrimFunc,
    SeqStmt,
    Stmt,
    Var,
)
from tt_build.transform._analysis import TILE, eval_int
from tt_build.transform.split_device_kernel import uses_var

__all__ = ["kernel_block_extents", "merge_kernel_blocks", "resize_kernel_blocks", "split_kernel_blocks"]

_Marks = dict[tuple[str, int], tuple[str, int]]  # (on-chip buffer, dim) -> (axis "x" | "y", block extent)


def split_kernel_blocks(f: PrimFunc, launch: KernelLaunch, s: int,
                        t: int) -> tuple[Stmt, list[int], dict[str, Buffer]] | None:
    """``f``'s body with its blocks split ``s`` ways along ``by`` and ``t`` ways along ``bx`` (see the module
    doc), the new block grid and the resized on-chip buffers; None when the kernel is not of that form or
    a split block would not be whole tiles. The caller checks that no tensor has a partial last block."""
    return _reblock(f, launch, {"x": lambda e: e // t if e % t == 0 else -1,
                                "y": lambda e: e // s if e % s == 0 else -1})


def merge_kernel_blocks(f: PrimFunc, launch: KernelLaunch, rx: int, ry: int,
                        partial: dict[str, list[int]] | None = None,
                        ) -> tuple[Stmt, list[int], dict[str, Buffer], dict[str, list[int]]] | None:
    """``f``'s body with each ``rx × ry`` rectangle of blocks merged into one block (``rx`` block columns
    along ``bx``, ``ry`` block rows along ``by``), as if written with ``block_N·rx`` and ``block_M·ry``: the
    new block grid ``(⌈gx / rx⌉, ⌈gy / ry⌉)``, the resized on-chip buffers and, per tensor, the axes of its
    2-D page grid (0 rows, 1 columns) on which the last merged block now overhangs the tensor (a partial
    last block: the reader zero-pads it, the writer skips it). Each output element gets the same products
    summed in the same order. None when the kernel is not of the form above or a tensor is not 2-D.
    ``partial``: the tensors' partial axes as written (kept where no block index follows the axis)."""
    return _resized(f, launch, {"x": lambda e: e * rx, "y": lambda e: e * ry}, partial or {})


def resize_kernel_blocks(f: PrimFunc, launch: KernelLaunch, block_n: int, block_m: int,
                         partial: dict[str, list[int]] | None = None,
                         ) -> tuple[Stmt, list[int], dict[str, Buffer], dict[str, list[int]]] | None:
    """``f``'s body as if written with blocks of ``block_m`` rows (along ``by``) and ``block_n`` columns
    (along ``bx``), any multiples of the 32-wide tile, whether or not they are multiples of the kernel's own
    blocks: the new block grid ``(⌈N / block_n⌉, ⌈M / block_m⌉)`` (``N``, ``M`` the extents the kernel's
    grid covers), the resized on-chip buffers and the partial axes per tensor, as ``merge_kernel_blocks``
    (``partial`` as there: a kernel whose blocks are partial as written is resized too).
    Each output element gets the same products summed in the same order (only the output rectangle a
    block covers changes, never the K loop). None when the kernel is not of the form above, a tensor is not
    2-D or a size is not a positive multiple of the tile."""
    if min(block_n, block_m) <= 0 or block_n % TILE or block_m % TILE:
        return None
    return _resized(f, launch, {"x": lambda _: block_n, "y": lambda _: block_m}, partial or {})


def kernel_block_extents(f: PrimFunc, launch: KernelLaunch) -> dict[str, tuple[int, int]] | None:
    """Per axis (``"x"`` along ``bx``, ``"y"`` along ``by``): the kernel's block extent (that of the tensor
    regions whose start follows the block index) and the extent its grid covers (the grid's blocks, at
    most the largest such tensor dimension: less when the last block is partial). None when the kernel is
    not of the form above (or an axis has no such region)."""
    got = _marks(launch)
    if got is None:
        return None
    _, marks, body = got
    out: dict[str, int] = {}
    for axis, ext in marks.values():
        if out.setdefault(axis, ext) != ext:
            return None
    if set(out) != {"x", "y"}:
        return None
    cover = _cover(launch, body, out)
    return {a: (out[a], cover[a]) for a in ("x", "y")}


def _cover(launch: KernelLaunch, body: Stmt, extents: dict[str, int]) -> dict[str, int]:
    """The extent the grid's blocks cover along each axis of ``extents``: ``grid · block``, clipped to the
    largest tensor dimension indexed by that block index (the last block may be partial)."""
    bx, by = launch.block_vars
    gx, gy = (g.value for g in launch.grid)  # type: ignore[attr-defined]
    covered = {"x": gx * extents.get("x", 0), "y": gy * extents.get("y", 0)}
    largest = {"x": 0, "y": 0}
    for c in _copies_of(body):
        for r in c.args[:2]:
            if isinstance(r, BufferRegion) and r.buffer.scope == "global":
                for d, st in enumerate(r.starts):
                    for v, axis in ((bx, "x"), (by, "y")):
                        if uses_var(st, v):
                            largest[axis] = max(largest[axis], r.buffer.shape[d])
    return {a: min(covered[a], largest[a]) if largest[a] else covered[a] for a in ("x", "y")}


def _resized(f: PrimFunc, launch: KernelLaunch, size: dict[str, Callable[[int], int]],
             written: dict[str, list[int]]) -> tuple[Stmt, list[int], dict[str, Buffer],
                                                      dict[str, list[int]]] | None:
    """``_reblock`` plus the partial axes of every tensor a block-indexed region touches (see
    ``merge_kernel_blocks``): those of its partial axes as written (``written``) that no block index
    follows (a K extent not a multiple of ``block_K``), and those on which the new last block overhangs it."""
    out = _reblock(f, launch, size)
    if out is None:
        return None
    body, grid, resized = out
    partial: dict[str, set[int]] = {}
    for c in _copies_of(body):
        for r in c.args[:2]:
            if not (isinstance(r, BufferRegion) and r.buffer.scope == "global"):
                continue
            if len(r.starts) != 2:  # noqa: PLR2004 - 2-D tensors only
                return None
            block_dims = {d for d, st in enumerate(r.starts) if any(uses_var(st, v) for v in launch.block_vars)}
            if not block_dims:
                continue
            old = set(written.get(r.buffer.name, []))
            axes = partial.setdefault(r.buffer.name, old - block_dims)
            for d, st in enumerate(r.starts):
                for v, g in zip(launch.block_vars, grid):
                    if uses_var(st, v) and eval_int(st, {v: g - 1}) + r.extents[d] > r.buffer.shape[d]:
                        axes.add(d)
    return body, grid, resized, {k: sorted(v) for k, v in partial.items()}


def _copies_of(st: Stmt) -> list[Call]:
    calls: list[Call] = []

    def walk(x: Stmt) -> None:
        if isinstance(x, SeqStmt):
            for y in x.stmts:
                walk(y)
        elif isinstance(x, (For, Allocate)):
            walk(x.body)
        elif isinstance(x, KernelLaunch):
            walk(x.body)
        elif isinstance(x, Evaluate) and isinstance(x.value, Call) and x.value.op == "tl.copy":
            calls.append(x.value)

    walk(st)
    return calls


def _marks(launch: KernelLaunch) -> tuple[list[Buffer], _Marks, Stmt] | None:
    """The launch's on-chip buffers, which of their dimensions follow a block index (with the block
    extent) and the body inside the allocations; None when the kernel is not of the form above."""
    bx, by = launch.block_vars
    allocs: list[Buffer] = []
    body = launch.body
    while isinstance(body, Allocate):
        allocs.append(body.buffer)
        body = body.body
    onchip = {b.name: b for b in allocs}
    calls: list[Call] = []
    if not _collect(body, calls, (bx, by)):
        return None
    marks: _Marks = {}
    for c in calls:
        if c.op == "tl.copy" and not _mark_copy(c, onchip, marks, bx, by):
            return None
    for c in calls:
        if c.op == "tl.gemm" and not _check_gemm(c, onchip, marks):
            return None
    return allocs, marks, body


def _reblock(f: PrimFunc, launch: KernelLaunch,
             size: dict[str, Callable[[int], int]]) -> tuple[Stmt, list[int], dict[str, Buffer]] | None:
    """The kernel with its block extent ``e`` along each axis replaced by ``size[axis](e)`` (a positive
    multiple of the tile; the same extent returns the axis unchanged)."""
    bx, by = launch.block_vars
    got = _marks(launch)
    if got is None:
        return None
    allocs, marks, body = got
    onchip = {b.name: b for b in allocs}
    extents = {axis: {e for (a, e) in marks.values() if a == axis} for axis in ("x", "y")}
    if any(len(v) > 1 for v in extents.values()):
        return None
    new_ext: dict[str, tuple[int, int]] = {}  # axis -> (old extent, new extent)
    for axis, ext in extents.items():
        if not ext:
            if size[axis](TILE) != TILE:
                return None
            continue
        old = next(iter(ext))
        new = size[axis](old)
        if new <= 0 or new % TILE:
            return None
        new_ext[axis] = (old, new)

    def scale(axis: str, d: int) -> int:
        old, new = new_ext[axis]
        return d * new // old

    new_bufs: dict[str, Buffer] = {}
    for name, b in onchip.items():
        shape = [scale(marks[(name, i)][0], d) if (name, i) in marks else d for i, d in enumerate(b.shape)]
        new_bufs[name] = Buffer(b.name, tuple(shape), b.dtype, b.scope, b.loc)
    var_axis = {bx: "x", by: "y"}

    def region(r: BufferRegion) -> BufferRegion:
        if r.buffer.scope != "global":
            return BufferRegion.full(new_bufs[r.buffer.name])
        starts, exts = list(r.starts), list(r.extents)
        for d, st in enumerate(r.starts):
            v = next((v for v in (bx, by) if uses_var(st, v)), None)
            if v is not None:
                exts[d] = scale(var_axis[v], exts[d])
                starts[d] = IntImm(eval_int(st, {v: 0})) + v * IntImm(exts[d])
        return BufferRegion(r.buffer, tuple(starts), tuple(exts), r.loc)

    def arg(a: Any) -> Any:
        if isinstance(a, BufferRegion):
            return region(a)
        if isinstance(a, Buffer) and a.name in new_bufs:
            return new_bufs[a.name]
        return a

    def rewrite(st: Stmt) -> Stmt:
        if isinstance(st, SeqStmt):
            return SeqStmt([rewrite(x) for x in st.stmts])
        if isinstance(st, For):
            return For(st.var, st.min, st.extent, st.kind, rewrite(st.body), dict(st.annotations), st.loc)
        c = st.value  # an Evaluate of a call (checked by _collect)
        return Evaluate(Call(c.op, tuple(arg(a) for a in c.args), c.dtype, c.loc), st.loc)

    new_body = rewrite(body)
    for b in reversed(allocs):
        new_body = Allocate(new_bufs[b.name], new_body, None)
    gx, gy = (g.value for g in launch.grid)  # type: ignore[attr-defined]
    # the grid covers g·old elements (less when its last block is partial): ⌈covered / new⌉ blocks, the last
    # one partial when new does not divide the covered extent
    cover = _cover(launch, body, {a: e[0] for a, e in new_ext.items()})
    grid = [-(-cover[a] // new_ext[a][1]) if a in new_ext else g for g, a in ((gx, "x"), (gy, "y"))]
    new_launch = KernelLaunch((IntImm(grid[0]), IntImm(grid[1])), launch.block_vars, new_body, launch.loc)
    resized = {n: b for n, b in new_bufs.items() if b.shape != onchip[n].shape}
    return _replace_launch(f.body, launch, new_launch), grid, resized


def _collect(st: Stmt, calls: list[Call], block_vars: tuple[Var, Var]) -> bool:
    """The calls of a body made only of copies, gemms, fills and loops not bounded by a block index."""
    if isinstance(st, SeqStmt):
        return all(_collect(x, calls, block_vars) for x in st.stmts)
    if isinstance(st, For):
        if any(uses_var(e, v) for e in (st.min, st.extent) for v in block_vars):
            return False
        return _collect(st.body, calls, block_vars)
    if isinstance(st, Evaluate) and isinstance(st.value, Call) and st.value.op in ("tl.copy", "tl.gemm", "tl.fill"):
        calls.append(st.value)
        return True
    return False


def _mark_copy(c: Call, onchip: dict[str, Buffer], marks: _Marks, bx: Var, by: Var) -> bool:
    """Record which dimensions of the copy's on-chip buffer follow a block index; False if the copy is not
    between a tensor region and a whole on-chip buffer, or uses a block index other than as ``e·b + c``."""
    src, dst = c.args[0], c.args[1]
    if not (isinstance(src, BufferRegion) and isinstance(dst, BufferRegion)):
        return False
    glob, local = (src, dst) if src.buffer.scope == "global" else (dst, src)
    if glob.buffer.scope != "global" or local.buffer.name not in onchip or len(glob.starts) != len(local.extents):
        return False
    buf = onchip[local.buffer.name]
    whole = list(local.extents) == list(buf.shape)
    if not whole or any(not (isinstance(x, IntImm) and x.value == 0) for x in local.starts):
        return False
    for d, st in enumerate(glob.starts):
        used = [v for v in (bx, by) if uses_var(st, v)]
        if not used:
            continue
        if len(used) > 1 or glob.extents[d] != buf.shape[d]:
            return False
        v = used[0]
        try:
            at = [eval_int(st, {v: i}) for i in range(3)]
        except (KeyError, TypeError):  # another variable in the start
            return False
        if at[1] - at[0] != glob.extents[d] or at[2] - at[1] != glob.extents[d]:
            return False
        mark = ("x" if v is bx else "y", glob.extents[d])
        if marks.setdefault((buf.name, d), mark) != mark:
            return False
    return True


def _check_gemm(c: Call, onchip: dict[str, Buffer], marks: _Marks) -> bool:
    """A's rows and the accumulator's rows follow the same block index (or none), B's columns and the
    accumulator's columns likewise, and the K dimensions none."""
    a, b, acc = c.args[0], c.args[1], c.args[2]
    if not all(isinstance(x, Buffer) and x.name in onchip for x in (a, b, acc)):
        return False
    trans_a, trans_b = (bool(getattr(x, "value", 0)) for x in c.args[3:5])
    m_dim, n_dim = (1 if trans_a else 0), (0 if trans_b else 1)
    return (marks.get((a.name, m_dim)) == marks.get((acc.name, 0))
            and marks.get((b.name, n_dim)) == marks.get((acc.name, 1))
            and (a.name, 1 - m_dim) not in marks and (b.name, 1 - n_dim) not in marks)


def _replace_launch(st: Stmt, old: KernelLaunch, new: KernelLaunch) -> Stmt:
    if st is old:
        return new
    if isinstance(st, SeqStmt):
        return SeqStmt([_replace_launch(x, old, new) for x in st.stmts])
    if isinstance(st, Allocate):
        return Allocate(st.buffer, _replace_launch(st.body, old, new), st.loc)
    return st
