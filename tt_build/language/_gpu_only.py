"""GPU-only TileLang constructs: what the kernel language rejects as such, and what to write instead.

TileLang kernels written for CUDA/HIP use thread-level constructs that have no Tensix counterpart (a
Tensix core runs a reader, a compute and a writer kernel over whole 32×32 tiles, not a block of threads).
The parser looks every ``T.<name>`` and dtype string up here first, so such a kernel gets a located
diagnostic saying the construct is GPU-only and what to write instead (never "unknown name").
"""

from __future__ import annotations

__all__ = ["GPU_ONLY", "GPU_ONLY_DTYPES", "gpu_only_dtype_hint"]

_NO_THREADS = ("a Tensix core computes on whole 32×32 tiles, not per thread: index blocks with the T.Kernel "
               "block indices and elements with T.Parallel loop variables")
_ATOMIC = ("Tensix cores have no atomics on device tensors: give each block its own output region (e.g. a "
           "split-K dimension of the grid) and add the partials in a second kernel, or keep the reduction "
           "inside one block with a T.Pipelined loop over K accumulating with T.gemm / +=")

#: T.<name> → what to write instead
GPU_ONLY: dict[str, str] = {
    "get_thread_binding": _NO_THREADS,
    "get_thread_bindings": _NO_THREADS,
    "get_block_binding": "bind the block indices with `with T.Kernel(gx, gy) as (bx, by):` and use those",
    "thread_binding": _NO_THREADS,
    "sync_threads": "cores synchronise through circular buffers, which tt-build inserts: remove the call",
    "alloc_local": "use T.alloc_fragment((rows, cols), dtype) for per-core tile storage (T.Parallel stores into it)",
    "alloc_reducer": "use a T.alloc_fragment((rows,), dtype) row vector with T.reduce_sum / T.reduce_max",
    "atomic_add": _ATOMIC,
    "atomic_max": _ATOMIC,
    "atomic_min": _ATOMIC,
    "atomic_addx2": _ATOMIC,
    "float8_e4m3": "use bfloat16 (Tensix has no fp8 element type)",
    "float8_e5m2": "use bfloat16 (Tensix has no fp8 element type)",
    "float8_e4m3fn": "use bfloat16 (Tensix has no fp8 element type)",
    "float8_e4m3fnuz": "use bfloat16 (Tensix has no fp8 element type)",
    "float8_e5m2fnuz": "use bfloat16 (Tensix has no fp8 element type)",
}

#: dtype strings that name GPU-only element types
GPU_ONLY_DTYPES = frozenset(n for n in GPU_ONLY if n.startswith("float8")) | {"e4m3_float8", "e5m2_float8",
                                                                               "fp8", "float8"}


def gpu_only_dtype_hint(name: str) -> str | None:
    """The hint for a GPU-only dtype name (fp8 variants), else None."""
    return "use bfloat16 (Tensix has no fp8 element type)" if name in GPU_ONLY_DTYPES else None
