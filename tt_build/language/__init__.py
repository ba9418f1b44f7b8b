"""The tt-build kernel language: TileLang's spelling, parsed (never executed) into the tile IR.

Use it as ``import tt_build.language as T``::

    def matmul(M, N, K, block_M=32, block_N=32, block_K=32, dtype="bfloat16", accum_dtype="float32"):
        @T.prim_func
        def gemm(A: T.Tensor((M, K), dtype), B: T.Tensor((K, N), dtype), C: T.Tensor((M, N), dtype)):
            with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
                ...
        return gemm

``@T.prim_func`` turns the kernel function into a :class:`tt_build.ir.PrimFunc` right away (when the
factory runs); factory arguments and other Python constants fold at that point. ``__all__`` is exactly
the supported surface; see ``docs/language.md`` for every construct, an example and its limits.
"""

from __future__ import annotations

import sys
from types import FunctionType
from typing import Any

from tt_build.errors import FrontendError
from tt_build.ir.nodes import PrimFunc
from tt_build.language._surface import (
    Kernel,
    Parallel,
    Pipelined,
    Tensor,
    abs,  # noqa: A004 - TileLang spelling
    alloc_fragment,
    alloc_shared,
    annotate_layout,
    bfloat16,
    cast,
    ceildiv,
    clamp,
    clear,
    copy,
    dtype,
    erf,
    exp,
    exp2,
    fill,
    float,  # noqa: A004 - TileLang spelling
    float16,
    float32,
    gelu,
    gemm,
    half,
    if_then_else,
    infinity,
    log,
    log2,
    max,  # noqa: A004 - TileLang spelling
    min,  # noqa: A004 - TileLang spelling
    pow,  # noqa: A004 - TileLang spelling
    reduce_absmax,
    reduce_abssum,
    reduce_max,
    reduce_min,
    reduce_sum,
    relu,
    rsqrt,
    serial,
    sigmoid,
    silu,
    sqrt,
    tanh,
    transpose,
    unroll,
    use_swizzle,
    where,
)

__all__ = [
    "Kernel",
    "Parallel",
    "Pipelined",
    "Tensor",
    "abs",
    "alloc_fragment",
    "alloc_shared",
    "annotate_layout",
    "bfloat16",
    "cast",
    "ceildiv",
    "clamp",
    "clear",
    "copy",
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
    "prim_func",
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


class UnknownLanguageName(FrontendError, AttributeError):
    """``T.<name>`` evaluated at Python level (a factory, a default argument) for a name the language lacks."""


#: dtype spellings of other frameworks that tt-build has no tile format for
_OTHER_DTYPES = ("float64", "double", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "bool",
                 "float8_e4m3", "float8_e4m3fn", "float8_e5m2", "int4", "uint4")


def __getattr__(name: str) -> Any:
    """``T.<unknown>`` outside a kernel body: a located diagnostic (the parser reports those inside one)."""
    if name.startswith("__"):
        raise AttributeError(name)
    from tt_build.language._surface import _caller_location  # noqa: PLC0415

    loc = _caller_location(1)
    if name in _OTHER_DTYPES:
        raise UnknownLanguageName(f"unsupported dtype T.{name}", loc,
                                  "supported dtypes: 'bfloat16' (T.bfloat16), 'float16' ('half', T.float16) and "
                                  "'float32' ('float', T.float32, T.float)")
    import difflib  # noqa: PLC0415

    close = difflib.get_close_matches(name, __all__, n=1)
    hint = f"did you mean T.{close[0]}?" if close else \
        f"the kernel language supports: {', '.join(sorted(__all__, key=str.lower))}"
    raise UnknownLanguageName(f"unknown name T.{name}", loc, hint)


def prim_func(func: Any) -> PrimFunc:
    """Decorator: parse a kernel function into a :class:`tt_build.ir.PrimFunc` (its body is never run).

    Apply it to the kernel ``def`` inside a factory; parsing happens when the factory runs, so the
    factory's arguments (the closure) fold as constants::

        @T.prim_func
        def gemm(A: T.Tensor((M, K), "bfloat16"), ...):
            with T.Kernel(...) as (bx, by):
                ...

    Every parameter is annotated ``T.Tensor(shape, dtype)``; the body is exactly one ``with T.Kernel``
    block (optionally preceded by constant assignments and ``T.annotate_layout``). Unsupported
    constructs raise :class:`tt_build.errors.FrontendError` with file:line:col and a hint.
    """
    if isinstance(func, PrimFunc):
        return func
    if not isinstance(func, FunctionType):
        raise FrontendError(f"@T.prim_func must decorate a function defined with `def`, got {type(func).__name__}",
                            hint="write `@T.prim_func` directly above the kernel's `def`")
    from tt_build.language._parser import parse_prim_func  # noqa: PLC0415 - keep the import graph acyclic
    from tt_build.language._source import kernel_source  # noqa: PLC0415

    caller_locals: dict[str, Any] | None = None
    try:
        frame = sys._getframe(1)  # noqa: SLF001 - the factory's locals resolve names of annotations
    except ValueError:  # pragma: no cover
        frame = None
    if frame is not None:
        if frame.f_locals is not frame.f_globals:
            caller_locals = dict(frame.f_locals)
        del frame
    return parse_prim_func(func, kernel_source(func), caller_locals)
