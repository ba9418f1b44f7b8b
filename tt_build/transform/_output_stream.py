"""Output streaming: the sub-block granule in which compute hands a large accumulator to the writer.

A ``T.gemm`` accumulator larger than DST is computed in DST sub-blocks (InsertDSTManagementTT keeps the
partial sums in L1 between K steps); in the last K step each sub-block is packed into the output CB and
pushed on its own. An output CB that is *streamed* (``stream`` [rt, ct] in its ``tt.cb.<name>``) is drained
by the writer at that granule, in the order compute produces it (sub-blocks in row-major order of the
block), so the DRAM writes overlap the rest of the last K step, and it only holds a few sub-blocks instead
of whole blocks.

One place decides the granule and the depth, read by LowerSharedToCB (which sizes the CB), PlanMulticastTT
(its L1 estimate), InsertDSTManagementTT (which pushes at that granule) and LowerCBIntrinsics (the writer's
waits and pops); VerifyTTIR checks that every kernel moves the CB's pages in that granule.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["STREAM_DEPTH_SUB_BLOCKS", "dst_capacity", "is_row_major_run", "rect_sub_block", "stream_depth", "stream_rect"]

#: Sub-blocks an output CB holds when its core runs one block: compute packs the next sub-block while the
#: writer sends the previous one, with one spare (on the mock's device-time model three are as fast as or
#: faster than two at every size of bench/gemm_perf.py — Wormhole 1024³ 43.7 against 44.1 µs — and a whole
#: block is no faster; nothing after the last K step needs more).
STREAM_DEPTH_SUB_BLOCKS = 3


def dst_capacity(fragment_dtypes: Iterable[str], dst_tiles_16bit: int, dst_tiles_fp32: int) -> int:
    """Tiles one ``tile_regs_acquire`` may use: the float32 capacity when any fragment accumulates in
    float32 (DST is then float32 for the whole kernel), else the 16-bit one."""
    return int(dst_tiles_fp32 if any(d == "float32" for d in fragment_dtypes) else dst_tiles_16bit)


def rect_sub_block(rows: int, cols: int, cap: int) -> int:
    """Tiles per DST sub-block of a ``rows × cols`` accumulator: the largest contiguous row-major range of at
    most ``cap`` tiles that is a rectangle (part of one row, ``ct | cols``, or whole rows, ``rt | rows``),
    so that ``matmul_block`` computes it in one call per K tile and packs it in the writer's order."""
    pieces = [ct for ct in range(1, min(cols, cap) + 1) if cols % ct == 0]
    pieces += [rt * cols for rt in range(1, rows + 1) if rows % rt == 0 and rt * cols <= cap]
    return max(pieces)


def stream_rect(rows: int, cols: int, cap: int) -> list[int] | None:
    """``[rt, ct]``: the sub-block (tiles) in which compute pushes a ``rows × cols`` ``T.gemm`` accumulator
    that does not fit in DST (``cap`` tiles), or None when it fits (one acquire, one push per block)."""
    if rows * cols <= cap:
        return None
    sub = rect_sub_block(rows, cols, cap)
    return [1, sub] if sub <= cols else [sub // cols, cols]


def stream_depth(rect: list[int], block_pages: int, blocks_per_core: int) -> int:
    """Pages of a streamed output CB: ``STREAM_DEPTH_SUB_BLOCKS`` sub-blocks when each core runs one block;
    one block when a core runs several (the writer drains block ``i`` while compute runs the K steps of block
    ``i + 1``, so compute never waits for it)."""
    sub = rect[0] * rect[1]
    if blocks_per_core <= 1:
        return min(block_pages, STREAM_DEPTH_SUB_BLOCKS * sub)
    return block_pages


def is_row_major_run(rect: Any, cols: int) -> bool:
    """True when sub-blocks of ``rect`` tiles, taken in row-major order, are contiguous runs of the block's
    row-major tiles (part of one row, or whole rows): the order compute packs them in."""
    return isinstance(rect, list) and len(rect) == 2 and rect[0] >= 1 and rect[1] >= 1 and (  # noqa: PLR2004
        rect[0] == 1 and cols % rect[1] == 0 or rect[1] == cols)
