"""The operand pipeline of a 2-D multicast GEMM (PlanMulticastTT): K tiles per circular-buffer step and
the number of steps (stages) each operand CB holds.

A multicast step is serial on its sender: read its panel of the step from DRAM (every sender of the
plan reads at the same time, so they share the DRAM bandwidth), wait for the receivers' ``ready``,
multicast the panel through its NOC port, signal ``valid``. Its time ``P(kt)`` for ``kt`` tiles of K:

    P = (Σ senders × panel bytes) / DRAM bandwidth + DRAM latency + panel bytes / NOC port + handshake

The math of one step takes ``T(kt) = output tiles × kt × FPU cycles per tile matmul``. The compute
starts after the first step arrived (the fill, ``P``) and then runs at the pace of the slower of the
two, so the plan's estimate for ``n = K / kt`` steps is ``P + n · max(T, P)`` (plus the drain the math
does not overlap, below): a smaller step cuts the fill, a step whose fixed costs (latency, handshake)
exceed its math makes every step wait. The step is the ``kt`` of least estimate (with its best tail;
ties: the larger step, fewer handshakes), among the multiples of the kernel's ``block_K`` that divide K,
up to ``multicast_k_tiles`` tiles.

Stages: while the math runs on one slot, ``⌈P / T⌉`` refills are in flight, and one more slot absorbs
the jitter of the shared DRAM and the handshakes: ``2 + ⌈P / T⌉`` slots, at most 4, at least the
kernel's ``num_stages``, then lowered (not below 2) until the circular buffers fit the L1 budget; a
step for which two stages do not fit is not a candidate.

Tail: when the core's one output block is streamed to DRAM sub-block by sub-block, its writes (the drain,
``D`` = the output's bytes over the DRAM bandwidth) can only start in the last step, whose ``T`` of math
they overlap; the rest comes after the math. Waiting for the last ``L`` steps at once and computing them
sub-block by sub-block (each output sub-block finished — and written — over the whole tail) overlaps
``L · T`` of it, at the cost of a stall of ``P`` when the circular buffers hold only the ``L`` tail steps
(the last step's slot frees only when the step before the tail is popped). The tail's steps must be
contiguous in the CB — ``stages ≥ L`` and ``(steps − L) % stages == 0``, so the tail starts at the CB's
first slot — and fit L1; ``L`` (at most 8) and the stages are those of the largest gain
``max(0, D − T) − max(0, D − L·T) − stall``, none without a gain of 1 % of the estimate.

Plans at TileLang's 128×128×32 blocks, HiFi4 (k_tiles / stages / tail steps): Wormhole 8×8 1024³ (128×128
per core) 2 / 6 / 4, 2048³ (256×256) 2 / 7 / 4, 4096³ (512×512) 1 / 4 / 4; Blackhole 13×10 4096³ (13×10
tiles per core) 2 / 8 / 8. The estimate's compute time of Wormhole 2048³ was within 1 % of the mock's
(264.2 against 265.1 µs, measured before the model's NOC ports were split per NOC and direction).

The constants are the mock's (docs/mock_sdk.md, "Device-time model"): estimates, not measurements.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["ARCH_DRAM_LATENCY_CYCLES", "ARCH_NOC_BYTES_PER_CYCLE", "HANDSHAKE_CYCLES", "MAX_STAGES", "MAX_TAIL_STEPS",
           "OperandPipeline", "choose_pipeline"]

#: NOC port bytes per cycle (Wormhole 256-bit, Blackhole 512-bit links) and DRAM read latency in cycles,
#: as the mock's device-time model has them (estimates).
ARCH_NOC_BYTES_PER_CYCLE: dict[str, int] = {"wormhole_b0": 32, "blackhole": 64}
ARCH_DRAM_LATENCY_CYCLES: dict[str, int] = {"wormhole_b0": 400, "blackhole": 500}
#: The semaphore round trip of a step (receivers count in, the sender signals): a few NOC issues and
#: router hops across the grid (estimate).
HANDSHAKE_CYCLES = 200
#: Most stages an operand CB gets from the plan (without a tail; with one, as many as the tail's steps).
MAX_STAGES = 4
#: Most K steps of a tail.
MAX_TAIL_STEPS = 8


@dataclass(frozen=True)
class OperandPipeline:
    """The chosen operand pipeline and the estimate behind it (seconds)."""

    k_tiles: int
    """Tiles of K per circular-buffer step (a multiple of the kernel's block_K tiles)."""
    stages: int
    """Steps each operand circular buffer holds."""
    step_s: float
    """Math time of one step."""
    refill_s: float
    """A sender's time for one step (DRAM read, handshake, multicast)."""
    estimate_s: float
    """Fill plus every step at the slower of the two, plus the drain the math does not overlap."""
    steps: int = 1
    """K steps of the loop."""
    tail_steps: int = 1
    """The last steps the compute waits for at once and runs sub-block by sub-block (1: no tail)."""


def choose_pipeline(*, clock_hz: float, dram_bw: float, noc_bytes: int, dram_latency: int, tile_cycles: float,
                    out_tiles: int, block_k_tiles: int, trips: int, panel_bytes_per_k_tile: dict[str, int],
                    senders: dict[str, int], max_k_tiles: int, min_stages: int,
                    fits: Callable[[int, int], bool], drain_s: float = 0.0) -> OperandPipeline | None:
    """The operand pipeline of least estimate (see the module docstring).

    ``panel_bytes_per_k_tile`` / ``senders``: per multicast axis, the bytes of one sender's panel per tile
    of K and the number of senders; ``trips``: the K loop's trip count at ``block_k_tiles`` tiles per
    iteration; ``fits(g, stages)``: whether the circular buffers fit L1 with ``g`` iterations fused per
    step and ``stages`` stages; ``drain_s``: the output's DRAM writes when they stream out during the last
    step (0: no tail). None when no step fits with two stages."""
    cycle = 1.0 / clock_hz
    best: OperandPipeline | None = None
    for g in range(1, trips + 1):
        kt = g * block_k_tiles
        if trips % g or (kt > max_k_tiles and g > 1):
            continue
        dram = sum(senders[a] * panel_bytes_per_k_tile[a] * kt for a in senders) / dram_bw
        mcast = max(panel_bytes_per_k_tile[a] * kt for a in senders) / noc_bytes
        refill = dram + (dram_latency + mcast + HANDSHAKE_CYCLES) * cycle
        step = out_tiles * kt * tile_cycles * cycle
        stages = min(MAX_STAGES, max(2 + math.ceil(refill / step), min_stages))
        while stages > 2 and not fits(g, stages):  # noqa: PLR2004 - double buffering is the floor
            stages -= 1
        if not fits(g, stages):
            continue
        est = refill + (trips // g) * max(step, refill) + max(0.0, drain_s - step)
        cand = OperandPipeline(kt, stages, step, refill, est, trips // g)
        if drain_s > 0:
            cand = _with_tail(cand, drain_s, fits, g)
        if best is None or cand.estimate_s <= best.estimate_s * (1 + 1e-9):
            best = cand
    return best


def _with_tail(p: OperandPipeline, drain_s: float, fits: Callable[[int, int], bool], g: int) -> OperandPipeline:
    """``p`` with the tail of largest gain (module docstring), if any gains."""
    n, step, best, gain0 = p.steps, p.step_s, p, 0.01 * p.estimate_s  # a tail must gain 1 % at least
    for tail in range(2, min(MAX_TAIL_STEPS, n) + 1):
        for stages in range(max(p.stages, tail), MAX_TAIL_STEPS + 1):
            if (n - tail) % stages or not fits(g, stages):
                continue
            stall = p.refill_s if stages == tail else 0.0
            gain = max(0.0, drain_s - step) - max(0.0, drain_s - tail * step) - stall
            if gain > gain0 * (1 + 1e-9):
                gain0 = gain
                best = OperandPipeline(p.k_tiles, stages, step, p.refill_s, p.estimate_s - gain, n, tail)
    return best
