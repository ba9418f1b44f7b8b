"""Pass infrastructure: :class:`Pass`, :class:`Sequential`, :class:`PassContext` and instruments.

A pass maps an :class:`~tt_build.ir.IRModule` to a new one; it never mutates its input. Passes have
a qualified name ``tt.<PascalName>`` and live one per module under :mod:`tt_build.transform`.

``PassContext`` is a ``with`` block holding the options every pass reads (``config``), the
disabled/required pass names and the instruments (print IR after each pass, per-pass timing).
A pass that fails with anything but a :class:`~tt_build.errors.TTBuildError` is reported as an
internal error naming the pass (set ``TT_BUILD_DEBUG=1`` to get the original traceback).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TextIO

from tt_build.errors import PassError, TTBuildError
from tt_build.ir import IRModule, PrimFunc, script

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from tt_build.errors import SourceLocation

__all__ = [
    "ARCH_CLOCK_HZ",
    "ARCH_DRAM_BANDWIDTH",
    "ARCH_DRAM_BYTES",
    "ARCH_GRIDS",
    "ARCH_L1_BUDGET",
    "DEFAULT_CONFIG",
    "MATH_FIDELITIES",
    "MATMUL_TILE_CYCLES_PER_PHASE",
    "DumpIR",
    "FunctionPass",
    "Pass",
    "PassContext",
    "PassInstrument",
    "PassTiming",
    "PrintIRAfter",
    "Sequential",
    "dram_bytes",
    "l1_budget",
]

#: Compute grid (x, y) of each supported architecture.
ARCH_GRIDS: dict[str, tuple[int, int]] = {"wormhole_b0": (8, 8), "blackhole": (13, 10)}

#: L1 bytes per Tensix core left to circular buffers, per architecture: the core's L1 (Wormhole 1464 KiB,
#: Blackhole 1536 KiB) less 100 KiB for firmware, kernel binaries and runtime args. The mock SDK
#: enforces the same figures (docs/mock_sdk.md, "Architectures").
ARCH_L1_BUDGET: dict[str, int] = {"wormhole_b0": (1464 - 100) * 1024, "blackhole": (1536 - 100) * 1024}


#: Math fidelities of the FPU, fastest first: the number of multiplier passes per tile op (1 … 4) over the
#: operands' mantissa bits (docs/user-guide.md, "Math fidelity").
MATH_FIDELITIES = ("LoFi", "HiFi2", "HiFi3", "HiFi4")

#: Per architecture, for the compiler's coarse cost estimates (PlanMulticastTT): DRAM bandwidth in bytes
#: per second and the Tensix clock in Hz (Wormhole n150: 288 GB/s at 1.0 GHz; Blackhole p150: 512 GB/s
#: at 1.35 GHz), and the FPU cycles of one 32×32×32 tile matmul per fidelity phase (16: the matrix
#: engine's 8×16 × 16×16 per cycle, tt-metal's matrix-engine tech report).
ARCH_DRAM_BANDWIDTH: dict[str, float] = {"wormhole_b0": 288e9, "blackhole": 512e9}
ARCH_CLOCK_HZ: dict[str, float] = {"wormhole_b0": 1.0e9, "blackhole": 1.35e9}
MATMUL_TILE_CYCLES_PER_PHASE = 16


#: Device DRAM bytes per architecture (one chip): the number of DRAM channels times the bytes per
#: channel (``dram_bank_size``) in TT-Metalium's SoC descriptors (tt_metal/soc_descriptors/
#: wormhole_b0_80_arch.yaml: 6 channels x 2 GiB = 12 GiB, an n150 card; blackhole_140_arch.yaml:
#: 8 channels x 4,278,190,080 B = 31.9 GiB, a p150 card). No tensor, and no set of DRAM tensors of
#: one kernel together, can be larger.
ARCH_DRAM_BYTES: dict[str, int] = {"wormhole_b0": 6 * 2 * 1024**3, "blackhole": 8 * 4_278_190_080}


def dram_bytes(ctx: PassContext) -> int:
    """DRAM bytes of the ``arch`` option's device."""
    return ARCH_DRAM_BYTES.get(ctx.get("arch"), ARCH_DRAM_BYTES["wormhole_b0"])


def l1_budget(ctx: PassContext) -> int:
    """The ``l1_budget`` option, else the budget of the ``arch`` option."""
    explicit = ctx.get("l1_budget")
    if explicit is not None:
        return int(explicit)
    return ARCH_L1_BUDGET.get(ctx.get("arch"), ARCH_L1_BUDGET["wormhole_b0"])


#: Options read by the passes (override through ``PassContext(config={...})``).
DEFAULT_CONFIG: dict[str, Any] = {
    # Target architecture: picks the compute grid when device_grid is not given (ARCH_GRIDS) and the
    # L1 budget when l1_budget is not given (ARCH_L1_BUDGET).
    "arch": "wormhole_b0",
    # Compute grid of the device (x, y); None: the grid of `arch` (Wormhole n150: 8x8, Blackhole: 13x10).
    "device_grid": None,
    # L1 bytes available to circular buffers per Tensix core; None: that of `arch` (ARCH_L1_BUDGET).
    "l1_budget": None,
    # DST tiles usable by one tile_regs_acquire (half-sync double buffering): bf16 / fp32 accumulation.
    "dst_tiles_16bit": 8,
    "dst_tiles_fp32": 4,
    # CB depth, in blocks, for tensors not read inside a T.Pipelined loop (double buffering).
    "default_stages": 2,
    # FPU math fidelity of the compute kernels (ComputeConfig.math_fidelity): LoFi | HiFi2 | HiFi3 | HiFi4.
    "math_fidelity": "HiFi4",
    # 2-D multicast of GEMM-like operands (PlanMulticastTT): a core row shares the blocks read with the
    # row's block index, a core column those read with the column's; off: every core reads its own.
    "multicast": True,
    # Most K tiles per multicast step: PlanMulticastTT picks the step (consecutive K iterations of a multicast
    # GEMM fused, like a larger block_K) and the operand CBs' stages by its estimate, up to this many tiles of
    # K (1: keep the kernel's block_K).
    "multicast_k_tiles": 8,
    # One merged block per core (PlanMulticastTT): each core's rectangle of blocks computed as one block in a
    # single pass over K (every operand panel read from DRAM once) where it fits in L1; off: lock-step blocks.
    "multicast_merge": True,
    # Run the structural part of VerifyTTIR after every pass (names the pass that broke the IR).
    "verify_each_pass": False,
}


class PassInstrument:
    """Hooks around every pass run inside a :class:`PassContext`."""

    def run_before_pass(self, pass_: Pass, mod: IRModule) -> None:  # noqa: B027 - optional hook
        """Called before ``pass_`` runs."""

    def run_after_pass(self, pass_: Pass, mod: IRModule) -> None:  # noqa: B027 - optional hook
        """Called after ``pass_`` returned ``mod``."""


class PrintIRAfter(PassInstrument):
    """Print the module after each (or each listed) pass to a stream."""

    def __init__(self, stream: TextIO, only: Sequence[str] | None = None) -> None:
        self.stream = stream
        self.only = set(only) if only else None

    def run_after_pass(self, pass_: Pass, mod: IRModule) -> None:
        if isinstance(pass_, Sequential) or (self.only is not None and pass_.short_name not in self.only):
            return
        self.stream.write(f"# IR after {pass_.name}\n{script(mod)}\n")


class DumpIR(PassInstrument):
    """Write the module after each pass as ``NNN_<pass>.py`` into a directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.count = 0

    def run_after_pass(self, pass_: Pass, mod: IRModule) -> None:
        if isinstance(pass_, Sequential):
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / f"{self.count:03d}_{pass_.short_name}.py").write_text(script(mod))
        self.count += 1


class PassTiming(PassInstrument):
    """Measure wall time per pass (seconds, accumulated by pass name)."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self._start: dict[int, float] = {}

    def run_before_pass(self, pass_: Pass, mod: IRModule) -> None:  # noqa: ARG002
        self._start[id(pass_)] = time.perf_counter()

    def run_after_pass(self, pass_: Pass, mod: IRModule) -> None:  # noqa: ARG002
        if isinstance(pass_, Sequential):
            return
        start = self._start.pop(id(pass_), None)
        if start is not None:
            self.times[pass_.short_name] = self.times.get(pass_.short_name, 0.0) + time.perf_counter() - start

    def report(self) -> str:
        total = sum(self.times.values()) or 1e-12
        rows = [f"{'pass':<32} {'ms':>9} {'%':>6}"]
        for name, t in self.times.items():
            rows.append(f"{name:<32} {t * 1e3:9.3f} {100 * t / total:6.1f}")
        rows.append(f"{'total':<32} {total * 1e3:9.3f} {100.0:6.1f}")
        return "\n".join(rows)


@dataclass
class PassContext:
    """Options, enabled/disabled passes and instruments for a pipeline run (a ``with`` block)."""

    config: dict[str, Any] = field(default_factory=dict)
    instruments: list[PassInstrument] = field(default_factory=list)
    disabled_pass: list[str] = field(default_factory=list)
    required_pass: list[str] = field(default_factory=list)
    # Name of the last pass that ran; VerifyTTIR reports it as the producer of bad IR.
    last_pass: str = "front end"

    _stack: ClassVar[list[PassContext]] = []

    def __enter__(self) -> PassContext:
        PassContext._stack.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        PassContext._stack.pop()

    @staticmethod
    def current() -> PassContext:
        if PassContext._stack:
            return PassContext._stack[-1]
        return PassContext()

    def get(self, key: str) -> Any:
        if key in self.config:
            return self.config[key]
        return DEFAULT_CONFIG[key]

    def pass_enabled(self, name: str) -> bool:
        if name in self.required_pass:
            return True
        return name not in self.disabled_pass


class Pass:
    """A module-to-module transformation. Subclasses set ``name`` and implement ``transform``."""

    name: ClassVar[str] = "tt.Pass"
    #: Passes that cannot be disabled (the pipeline is meaningless without them).
    required: ClassVar[bool] = True

    @property
    def short_name(self) -> str:
        return self.name.split(".", 1)[-1]

    def transform(self, mod: IRModule, ctx: PassContext) -> IRModule:
        raise NotImplementedError

    def __call__(self, mod: IRModule, ctx: PassContext | None = None) -> IRModule:
        ctx = ctx or PassContext.current()
        if not self.required and not ctx.pass_enabled(self.short_name):
            return mod
        for inst in ctx.instruments:
            inst.run_before_pass(self, mod)
        try:
            out = self.transform(mod, ctx)
        except TTBuildError:
            raise
        except Exception as exc:
            if os.environ.get("TT_BUILD_DEBUG"):
                raise
            raise PassError(self.short_name, f"internal compiler error: {type(exc).__name__}: {exc}",
                            hint="please report this kernel; set TT_BUILD_DEBUG=1 for the traceback") from None
        if not isinstance(self, Sequential):
            ctx.last_pass = self.short_name
            if ctx.get("verify_each_pass"):
                from tt_build.transform.verify_ttir import verify_structure  # noqa: PLC0415 - cycle

                verify_structure(out, ctx.last_pass)
        for inst in ctx.instruments:
            inst.run_after_pass(self, out)
        return out

    def error(self, msg: str, loc: SourceLocation | None = None, hint: str | None = None) -> PassError:
        """A diagnostic attributed to this pass, located at ``loc`` (shown with its source line)."""
        return PassError(self.short_name, msg, loc, hint)


class FunctionPass(Pass):
    """A pass applied to every function of the module independently."""

    def transform_function(self, func: PrimFunc, mod: IRModule, ctx: PassContext) -> PrimFunc:
        raise NotImplementedError

    def transform(self, mod: IRModule, ctx: PassContext) -> IRModule:
        funcs = {name: self.transform_function(f, mod, ctx) for name, f in mod.functions.items()}
        return IRModule(funcs, dict(mod.attrs), mod.loc)


class Sequential(Pass):
    """Run passes in order."""

    name = "tt.Sequential"

    def __init__(self, passes: Sequence[Pass]) -> None:
        self.passes = list(passes)

    def transform(self, mod: IRModule, ctx: PassContext) -> IRModule:
        for p in self.passes:
            mod = p(mod, ctx)
        return mod


