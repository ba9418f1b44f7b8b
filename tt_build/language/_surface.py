"""The Python-level objects of the kernel language (``T.*``).

Kernel bodies are never executed: :func:`tt_build.language.prim_func` reads the kernel function's
source and the parser recognises these objects *by identity* when it resolves a name such as
``T.copy``. Called at Python level (outside a parsed kernel body) every intrinsic raises a
:class:`~tt_build.errors.FrontendError` pointing at the call. The exceptions are :func:`Tensor`
(parameter annotations are evaluated by Python when the ``def`` runs), :func:`ceildiv` (a plain
integer function, handy in factories) and the dtype constants.
"""

from __future__ import annotations

import linecache
import math
import sys
from dataclasses import dataclass
from typing import Any, NoReturn

from tt_build.errors import FrontendError, SourceLocation

__all__ = [
    "SUPPORTED_DTYPES",
    "SUPPORTED_LAYOUTS",
    "DType",
    "Kernel",
    "Parallel",
    "Pipelined",
    "TensorSpec",
    "alloc_fragment",
    "alloc_shared",
    "annotate_layout",
    "abs",
    "bfloat16",
    "cast",
    "ceildiv",
    "clear",
    "copy",
    "clamp",
    "dtype",
    "erf",
    "exp",
    "exp2",
    "fill",
    "float",
    "float16",
    "float32",
    "gelu",
    "gemm",
    "half",
    "if_then_else",
    "infinity",
    "log",
    "log2",
    "max",
    "min",
    "pow",
    "reduce_absmax",
    "reduce_abssum",
    "reduce_max",
    "reduce_min",
    "reduce_sum",
    "relu",
    "rsqrt",
    "serial",
    "sigmoid",
    "silu",
    "sqrt",
    "tanh",
    "transpose",
    "unroll",
    "use_swizzle",
    "where",
]

#: Element types a kernel buffer may have: bfloat16 and float16 (data) and float32 (data and accumulation).
SUPPORTED_DTYPES: tuple[str, ...] = ("bfloat16", "float16", "float32")

#: Spellings TileLang kernels use for the supported dtypes → the canonical name.
DTYPE_ALIASES: dict[str, str] = {"float": "float32", "half": "float16", "bf16": "bfloat16", "fp16": "float16",
                                 "fp32": "float32"}

#: Layouts :func:`annotate_layout` accepts for a kernel tensor.
SUPPORTED_LAYOUTS: tuple[str, ...] = (
    "dram_interleaved",
    "l1_interleaved",
    "l1_height_sharded",
    "l1_width_sharded",
    "l1_block_sharded",
)

def _caller_location(depth: int) -> SourceLocation | None:
    """Location of the call expression ``depth`` frames above the caller of this function."""
    try:
        frame = sys._getframe(depth + 1)  # noqa: SLF001 - locating the user's call
    except ValueError:  # pragma: no cover - shallow stack
        return None
    code = frame.f_code
    line = frame.f_lineno
    text = linecache.getline(code.co_filename, line).rstrip("\n")
    col = len(text) - len(text.lstrip()) + 1 if text else 1
    positions = getattr(code, "co_positions", None)  # Python >= 3.11
    if positions is not None and frame.f_lasti >= 0:
        pos = list(positions())[frame.f_lasti // 2]
        if pos[0] == line and pos[2] is not None:
            col = len(text.encode("utf-8")[: pos[2]].decode("utf-8", errors="replace")) + 1
    return SourceLocation(code.co_filename, line, col, text)


def _outside(name: str) -> NoReturn:
    raise FrontendError(
        f"T.{name} can only be used inside a @T.prim_func kernel",
        _caller_location(2),
        hint="kernel bodies are parsed and compiled, never executed: write the call inside a function "
        "decorated with @T.prim_func (inside its `with T.Kernel(...)` block)",
    ) from None


class DType(str):
    """A dtype name usable as ``T.bfloat16`` / ``T.float32``; equal to (and hashing like) the plain string."""

    def __new__(cls, name: str, doc: str) -> DType:
        self = super().__new__(cls, name)
        self.__doc__ = doc
        return self

    def __repr__(self) -> str:
        return f"T.{str.__str__(self)}"

    def __reduce__(self) -> tuple[Any, ...]:
        return (str, (str.__str__(self),))


bfloat16 = DType(
    "bfloat16",
    """The bfloat16 data type (``"bfloat16"``): the default element type of kernel tensors and tiles.

    Usable wherever a dtype string is accepted (``T.Tensor((M, N), T.bfloat16)``); inside a
    ``T.Parallel`` body ``T.bfloat16(x)`` is the same as ``T.cast(x, "bfloat16")``.
    """,
)
float16 = DType(
    "float16",
    """The float16 data type (``"float16"``, alias ``"half"``): IEEE half precision; tensors and tiles in
    TT-Metalium's ``DataFormat::Float16`` (2048-byte tile pages). ``T.float16(x)`` is ``T.cast(x, "float16")``.
    """,
)
half = float16
float32 = DType(
    "float32",
    """The float32 data type (``"float32"``): the accumulation type (e.g. the ``T.alloc_fragment``
    accumulator of ``T.gemm``). Inside a ``T.Parallel`` body ``T.float32(x)`` is ``T.cast(x, "float32")``.
    """,
)
float = float32  # noqa: A001 - TileLang spelling (T.float)
#: ``dtype: T.dtype = "float16"``: the annotation TileLang factories give dtype arguments (a plain str).
dtype = str


@dataclass(frozen=True)
class TensorSpec:
    """What ``T.Tensor(shape, dtype)`` evaluates to at Python level (only used in annotations)."""

    shape: Any
    dtype: Any = "bfloat16"


def Tensor(shape: Any, dtype: Any = "bfloat16") -> TensorSpec:  # noqa: N802 - TileLang spelling
    """Annotation of a kernel parameter: a global (device DRAM/L1) tensor.

    ``A: T.Tensor((M, K), "bfloat16")``. ``shape`` is a tuple whose entries fold to positive integers
    (factory arguments, constants, ``T.ceildiv`` of them); ``dtype`` is ``"bfloat16"`` (default) or
    ``"float32"``. The parameter becomes ``Buffer(name, shape, dtype, scope="global")``.
    """
    return TensorSpec(shape, dtype)


def Kernel(*grid: Any, threads: Any = None, prelude: Any = None) -> NoReturn:  # noqa: N802 - TileLang spelling
    """Launch grid of the kernel: ``with T.Kernel(gx, gy, gz) as (bx, by, bz):`` (any number of dimensions,
    ``T.Kernel(gx) as bx`` for one).

    The body runs once per block; ``bx``/``by``/``bz`` are the block indices (``0 <= bx < gx``); blocks are
    numbered with ``bx`` fastest. Grid extents must fold to positive integers. The ``as`` clause may be
    left out when the body does not use the indices. The GPU launch keywords ``threads=`` and ``prelude=``
    are accepted for TileLang compatibility and ignored (a Tensix core runs one reader, one compute and one
    writer kernel, not a thread block). Exactly one ``T.Kernel`` block forms the kernel function's body.
    """
    _outside("Kernel")


def use_swizzle(panel_size: Any = 8, order: Any = "row", enable: Any = True) -> NoReturn:
    """``T.use_swizzle(panel_size, order="row", enable=True)``: accepted and a no-op.

    On a GPU it rasterizes thread blocks in panels for L2 reuse. On Tenstorrent every core gets a contiguous
    range of blocks in row-major grid order (LayoutAwareWorkPartitionTT) and there is no shared L2 to
    exploit, so the order is left unchanged. The arguments must still fold to constants.
    """
    _outside("use_swizzle")


def alloc_shared(shape: Any, dtype: Any) -> NoReturn:
    """``X = T.alloc_shared((rows, cols), dtype)``: an on-chip (L1) tile buffer, lowered to a circular buffer.

    The shape is 2-D and both dimensions are positive multiples of 32 (whole 32×32 tiles). The buffer
    is live for the rest of the enclosing block; its name (the assigned variable) must be unique.
    """
    _outside("alloc_shared")


def alloc_fragment(shape: Any, dtype: Any) -> NoReturn:
    """``X = T.alloc_fragment((rows, cols), dtype)``: an accumulator buffer (DST registers / a CB).

    Same rules as :func:`alloc_shared`; typically ``float32`` for a ``T.gemm`` accumulator.
    """
    _outside("alloc_fragment")


def copy(src: Any, dst: Any) -> NoReturn:
    """``T.copy(src, dst)``: move a block between a tensor and an on-chip buffer (or two on-chip buffers).

    A tensor operand is given by its start index, ``A[by * block_M, k * block_K]`` (the extent is the
    on-chip buffer's shape), by slices ``A[r0:r1, c0:c1]`` with constant extents, or whole (``A``).
    An on-chip operand is always a whole buffer. The region must have the on-chip buffer's shape.
    Copying tensor to tensor is not supported.
    """
    _outside("copy")


def gemm(A: Any, B: Any, C: Any, transpose_A: bool = False, transpose_B: bool = False) -> NoReturn:  # noqa: N803
    """``T.gemm(A, B, C, transpose_A=False, transpose_B=False)``: ``C += op(A) @ op(B)`` on on-chip buffers.

    Shapes must agree: (M, K) × (K, N) → (M, N) after the transposes. The TileLang performance hints
    ``policy=``, ``k_pack=`` and ``wg_wait=`` are accepted and ignored; ``clear_accum=True`` is rejected
    (call ``T.clear(C)`` instead).
    """
    _outside("gemm")


def transpose(src: Any, dst: Any) -> NoReturn:
    """``T.transpose(src, dst)``: ``dst = src.T`` for an on-chip block: ``src`` a ``T.alloc_shared`` (R, C) buffer,
    ``dst`` a ``T.alloc_fragment`` or ``T.alloc_shared`` (C, R) buffer. Tile (i, j) of ``dst`` is
    ``transpose_tile`` of tile (j, i) of ``src`` (``api/compute/transpose.h``, the transpose_wh unit).
    """
    _outside("transpose")


def clear(buffer: Any) -> NoReturn:
    """``T.clear(buf)``: set every element of an on-chip buffer to 0 (same as ``T.fill(buf, 0)``)."""
    _outside("clear")


def fill(buffer: Any, value: Any) -> NoReturn:
    """``T.fill(buf, value)``: set every element of an on-chip buffer to a compile-time constant number."""
    _outside("fill")


def Parallel(*extents: Any) -> NoReturn:  # noqa: N802 - TileLang spelling
    """``for i, j in T.Parallel(rows, cols):`` an element-wise loop nest over a whole tile buffer.

    One loop variable per extent (``i`` outermost); extents fold to positive integers. The body stores
    into a ``T.alloc_fragment`` indexed exactly by the loop variables (``C[i, j] = ...``; several stores
    run in order) and reads on-chip buffers the same way. Each stored value is one of the forms the
    Tenstorrent backend computes on whole tiles (see :mod:`tt_build.ir.eltwise`): ``s + t``, ``s - t``,
    ``s * t`` of two ``T.alloc_shared`` blocks; ``T.exp(x)``, ``T.relu(x)`` (= ``T.max(x, 0)``),
    ``T.min(x, 0)`` and ``-x`` where ``x`` is a block, the destination fragment or one of these forms;
    ``T.cast(x, dtype)``; a numeric constant. Anything else (a scalar times a block, ``T.max`` of two
    blocks, reading another fragment, ``acc[i, j] += ...``) is a located diagnostic listing these forms.
    Local temporaries (``t = A[i, j] - B[i, j]``) are substituted.
    """
    _outside("Parallel")


def Pipelined(start: Any, stop: Any = None, num_stages: int = 1) -> NoReturn:  # noqa: N802 - TileLang spelling
    """``for k in T.Pipelined(n, num_stages=s):`` a loop whose copies are software pipelined.

    ``T.Pipelined(n)`` iterates ``0 .. n-1`` (``T.Pipelined(a, b)``: ``a .. b-1``); bounds fold to
    integers. ``num_stages`` (integer ≥ 1, default 1) is the number of buffers in flight
    (2 = double buffering). Other TileLang keywords (``order``, ``stage``, ``sync``, ``group``) are rejected.
    """
    _outside("Pipelined")


def serial(start: Any, stop: Any = None) -> NoReturn:
    """``for k in T.serial(n):`` (or ``T.serial(a, b)``, or plain ``range``): a sequential loop.

    Bounds fold to integers; ``range`` accepts a step of 1 only.
    """
    _outside("serial")


def unroll(start: Any, stop: Any = None) -> NoReturn:
    """``for k in T.unroll(n):`` a sequential loop the backend unrolls; bounds fold to integers."""
    _outside("unroll")


def ceildiv(a: int, b: int) -> int:
    """``T.ceildiv(a, b)``: ``(a + b - 1) // b``, folded at parse time (also usable in plain Python).

    Inside a kernel it may also take index expressions of block/loop variables.
    """
    if isinstance(a, bool) or isinstance(b, bool) or not isinstance(a, int) or not isinstance(b, int):
        raise FrontendError(f"T.ceildiv expects two integers, got {a!r} and {b!r}", _caller_location(1))
    if b <= 0:
        raise FrontendError(f"T.ceildiv divisor must be positive, got {b}", _caller_location(1))
    return -(-a // b)


def exp(x: Any) -> NoReturn:
    """``T.exp(x)``: element-wise natural exponential inside a ``T.Parallel`` body (``math.exp``)."""
    _outside("exp")


def max(a: Any, b: Any) -> NoReturn:  # noqa: A001 - TileLang spelling
    """``T.max(a, b)``: maximum. In a ``T.Parallel`` body only ``T.max(x, 0)`` (a ReLU) compiles; in index
    expressions any two integers; on two constants it folds."""
    _outside("max")


def min(a: Any, b: Any) -> NoReturn:  # noqa: A001 - TileLang spelling
    """``T.min(a, b)``: minimum. In a ``T.Parallel`` body only ``T.min(x, 0)`` (``-relu(-x)``) compiles; in
    index expressions any two integers; on two constants it folds."""
    _outside("min")


def relu(x: Any) -> NoReturn:
    """``T.relu(x)``: ``T.max(x, 0.0)`` inside a ``T.Parallel`` body."""
    _outside("relu")


def cast(x: Any, dtype: Any) -> NoReturn:
    """``T.cast(x, dtype)``: element-wise conversion to ``"bfloat16"`` or ``"float32"`` inside a ``T.Parallel`` body.

    Values convert when they are packed into a buffer, so a cast to ``"float32"`` is always exact, and a cast
    to ``"bfloat16"`` is accepted when ``x`` is already bfloat16 or the cast is the whole value stored into a
    bfloat16 buffer (rounding in the middle of a float32 computation is a diagnostic).
    """
    _outside("cast")


def annotate_layout(layouts: Any) -> NoReturn:
    """``T.annotate_layout({A: "l1_height_sharded", ...})``: request a device layout per kernel tensor.

    Keys are kernel parameters (the tensors), values one of ``dram_interleaved`` (the default for
    unannotated tensors), ``l1_interleaved``, ``l1_height_sharded``, ``l1_width_sharded``,
    ``l1_block_sharded``. Write it at the top of the kernel body (before or inside the ``T.Kernel``
    block, outside loops). Recorded in the PrimFunc attr ``tt.layout_annotations``.
    """
    _outside("annotate_layout")



# -- element-wise math (T.Parallel bodies) -------------------------------------------------------------


def _math(name: str, doc: str) -> Any:
    def f(*args: Any, **kwargs: Any) -> NoReturn:  # noqa: ARG001 - signature documented in doc
        _outside(name)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc
    return f


exp2 = _math("exp2", "``T.exp2(x)``: element-wise 2**x (``exp2_tile``).")
log = _math("log", "``T.log(x)``: element-wise natural logarithm (``log_tile``).")
log2 = _math("log2", "``T.log2(x)``: element-wise base-2 logarithm (``log_with_base_tile``).")
sqrt = _math("sqrt", "``T.sqrt(x)``: element-wise square root (``sqrt_tile``).")
rsqrt = _math("rsqrt", "``T.rsqrt(x)``: element-wise 1/sqrt(x) (``rsqrt_tile``).")
abs = _math("abs", "``T.abs(x)``: element-wise absolute value (``abs_tile``).")  # noqa: A001
sigmoid = _math("sigmoid", "``T.sigmoid(x)``: element-wise 1/(1+exp(-x)) (``sigmoid_tile``).")
tanh = _math("tanh", "``T.tanh(x)``: element-wise hyperbolic tangent (``tanh_tile``).")
gelu = _math("gelu", "``T.gelu(x)``: element-wise GELU, x*Phi(x) (``gelu_tile``).")
silu = _math("silu", "``T.silu(x)``: element-wise x*sigmoid(x) (``silu_tile``).")
erf = _math("erf", "``T.erf(x)``: element-wise error function (``erf_tile``).")
clamp = _math("clamp", "``T.clamp(x, lo, hi)``: element-wise min(max(x, lo), hi) with constant bounds.")
pow = _math("pow", "``T.pow(x, e)``: element-wise x**e with a constant exponent e.")  # noqa: A001
if_then_else = _math("if_then_else", "``T.if_then_else(a <cmp> b, x, y)``: element-wise select (``where_tile``).")
where = _math("where", "``T.where(a <cmp> b, x, y)``: the same as ``T.if_then_else``.")


def infinity(dtype: Any = "float32") -> float:  # noqa: ARG001 - every float dtype has an infinity
    """``T.infinity(dtype)``: +inf (``-T.infinity(dtype)`` is -inf), a fill value (``T.fill(m, -T.infinity(...))``)."""
    return math.inf


# -- reductions ------------------------------------------------------------------------------------------


def _reduce(name: str, what: str) -> Any:
    def f(buffer: Any, out: Any, dim: int = -1, clear: bool = True) -> NoReturn:  # noqa: ARG001
        _outside(name)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = (f"``T.{name}(src, dst, dim=1, clear=True)``: {what} of the 2-D block ``src`` along ``dim`` into "
                 "the 1-D fragment ``dst`` (dim=1 / -1: one value per row; dim=0: one value per column); "
                 "``clear=False`` combines with the values already in ``dst`` (``reduce_tile``).")
    return f


reduce_sum = _reduce("reduce_sum", "sum")
reduce_max = _reduce("reduce_max", "maximum")
reduce_min = _reduce("reduce_min", "minimum")
reduce_abssum = _reduce("reduce_abssum", "sum of absolute values")
reduce_absmax = _reduce("reduce_absmax", "maximum of absolute values")
