"""The test matrix: every kernel instance end to end on the mock SDK, checked against numpy.

For each instance :func:`run_instance` does what a release check of the compiler needs:

1. **lower** — front end, the 13-pass pipeline and CodegenTT (``reader/compute/writer/host.cpp`` and
   ``manifest.json``), timed in process;
2. **build** — compile the host program against the mock SDK with ``-Wall -Werror`` into a shared
   library (content-addressed: an unchanged ``host.cpp`` is not recompiled; the device kernels are
   compiled by the mock, also with ``-Wall -Werror``, when the host program creates them in step 4);
3. **check** — type-check the device kernels against the real TT-Metalium device headers of the
   ``ttnn`` wheel the way the JIT does (:func:`tt_build.check.check_emitted_dir`: reader, writer and
   compute, the last with SFPI's headers when installed, else with tt-build's SFPI declarations);
4. **run** — call the host entry point on seeded random bfloat16 inputs; the mock compiles the device
   kernels (cached by content in ``$TT_MOCK_KERNEL_CACHE``) and executes them, checking the CB/NOC/DST
   protocol;
5. **compare** — PCC and maximum relative error against a numpy reference.

The reference is never guessed from names. By default it is derived from the kernel's front-end IR
by :func:`reference_outputs`, a numpy interpreter of the TileLang semantics that shares nothing with
the lowering passes or the generated C++: ``T.copy`` is a slice assignment, ``T.gemm`` is
``C += op(A) @ op(B)``, ``T.fill``/``T.clear`` set a buffer, ``T.Parallel`` bodies evaluate
element-wise, every store rounds to the buffer's dtype (bfloat16 / float32). A kernel file may instead
provide its own: a module-level ``REFERENCE = {"<factory>": fn}`` where ``fn(*inputs, **instance_args)``
takes the inputs as float32 arrays (in parameter order) and returns the output array, or a tuple of
them in parameter order. (Keep such functions out of the module's public functions — a lambda in the
dict or a ``_name`` — so the file still defines exactly one public factory when INSTANCES rely on it.)

The pattern column comes from the lowered compute kernel (its tile operations, e.g. ``matmul``,
``sub+exp``), the size column from the output tensor (and the contraction length of a ``T.gemm``).
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import math
import os
import shutil
import subprocess
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ml_dtypes
import numpy as np

from tt_build.errors import ConfigError, ToolError, TTBuildError
from tt_build.ir import (
    Allocate,
    BinaryOp,
    Buffer,
    BufferLoad,
    BufferRegion,
    BufferStore,
    Call,
    Evaluate,
    FloatImm,
    For,
    IfThenElse,
    IntImm,
    KernelLaunch,
    LetStmt,
    PrimFunc,
    SeqStmt,
    Var,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from tt_build.driver import Instance
    from tt_build.ir import IRModule, Stmt

__all__ = [
    "MatrixOptions",
    "MatrixRow",
    "MockRunError",
    "MockRunner",
    "NumpyReferenceError",
    "default_build_dir",
    "format_table",
    "kernel_pattern",
    "make_inputs",
    "pcc",
    "problem_size",
    "reference_outputs",
    "run_instance",
    "run_matrix",
    "tensor_roles",
]

_BF16 = np.dtype(ml_dtypes.bfloat16)


def default_build_dir() -> Path:
    """``$TT_BUILD_MATRIX_DIR``, else ``$XDG_CACHE_HOME/tt-build/matrix`` (``~/.cache/tt-build/matrix``)."""
    env = os.environ.get("TT_BUILD_MATRIX_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tt-build" / "matrix"


# ----------------------------------------------------------------------------------------------
# numpy reference, derived from the front-end IR


class NumpyReferenceError(TTBuildError):
    """The front-end IR holds something the numpy reference interpreter cannot evaluate."""


def tensor_roles(func: PrimFunc) -> tuple[list[Buffer], list[Buffer]]:
    """(inputs, outputs) of a front-end kernel, in parameter order, from dataflow: a tensor that is the
    source of a ``T.copy`` or of an element gather is an input, one that is the destination is an output."""
    from tt_build.transform._analysis import collect_calls  # noqa: PLC0415

    calls = collect_calls(func.body, "tl.")
    copies = [c for c in calls if c.op == "tl.copy"]
    read = {id(c.args[0].buffer) for c in copies} | {id(c.args[0].src) for c in calls if c.op == "tl.gather"}
    written = {id(c.args[1].buffer) for c in copies}
    return ([p for p in func.params if id(p) in read and id(p) not in written],
            [p for p in func.params if id(p) in written])


def _round(x: Any, dtype: str) -> np.ndarray:
    """Values as stored in a buffer of ``dtype`` (kept in float64 for the arithmetic)."""
    arr = np.asarray(x, dtype=np.float64)
    if dtype == "bfloat16":
        return arr.astype(_BF16).astype(np.float64)
    if dtype == "float32":
        return arr.astype(np.float32).astype(np.float64)
    if dtype == "float16":
        return arr.astype(np.float16).astype(np.float64)
    msg = f"the numpy reference does not support dtype {dtype}"
    raise NumpyReferenceError(msg)


class _Interpreter:
    """Executes a front-end PrimFunc on numpy arrays (float64 storage, rounded on every store)."""

    def __init__(self, func: PrimFunc) -> None:
        self.func = func
        self.env: dict[int, Any] = {}  # id(Var) -> int, or an index array inside T.Parallel
        self.arrays: dict[int, np.ndarray] = {}  # id(Buffer) -> data

    def fail(self, what: str, node: Any = None) -> NumpyReferenceError:
        loc = getattr(node, "loc", None)
        where = f" at {loc}" if loc else ""
        return NumpyReferenceError(f"numpy reference of kernel {self.func.name}: {what}{where}")

    # -- expressions --------------------------------------------------------------------------
    def index(self, e: Any) -> Any:
        if isinstance(e, IntImm):
            return e.value
        if isinstance(e, Var):
            if id(e) not in self.env:
                raise self.fail(f"unbound variable {e.name}", e)
            return self.env[id(e)]
        if isinstance(e, BinaryOp):
            a, b = self.index(e.a), self.index(e.b)
            ops: dict[str, Callable[[Any, Any], Any]] = {
                "+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y,
                "//": lambda x, y: x // y, "%": lambda x, y: x % y, "min": np.minimum, "max": np.maximum,
                "<": lambda x, y: x < y, "<=": lambda x, y: x <= y, ">": lambda x, y: x > y,
                ">=": lambda x, y: x >= y, "==": lambda x, y: x == y, "!=": lambda x, y: x != y,
                "and": np.logical_and, "or": np.logical_or,
            }
            if e.op not in ops:
                raise self.fail(f"index operator {e.op}", e)
            return ops[e.op](a, b)
        raise self.fail(f"index expression {type(e).__name__}", e)

    def value(self, e: Any) -> Any:
        if isinstance(e, FloatImm):
            return e.value
        if isinstance(e, IntImm):
            return float(e.value)
        if isinstance(e, BufferLoad):
            idx = tuple(self.index(i) for i in e.indices)
            return self.arrays[id(e.buffer)][idx]
        if isinstance(e, BinaryOp):
            a, b = self.value(e.a), self.value(e.b)
            ops: dict[str, Callable[[Any, Any], Any]] = {
                "+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "max": np.maximum,
                "min": np.minimum,
            }
            if e.op not in ops:
                raise self.fail(f"element-wise operator {e.op}", e)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                return ops[e.op](a, b)
        if isinstance(e, Call) and e.op == "math.cast":
            return _round(self.value(e.args[0]), e.dtype)
        if isinstance(e, Call) and e.op.startswith("math."):
            return self.math(e)
        raise self.fail(f"element-wise expression {getattr(e, 'op', type(e).__name__)}", e)

    def math(self, e: Call) -> Any:
        op = e.op.removeprefix("math.")
        if op == "select":
            cond, a, b = e.args
            return np.where(self.value(cond), self.value(a), self.value(b))
        if op == "cmp":
            cmp = {"==": np.equal, "!=": np.not_equal, "<": np.less, "<=": np.less_equal, ">": np.greater,
                   ">=": np.greater_equal}[e.args[0].value]
            return cmp(self.value(e.args[1]), self.value(e.args[2]))
        x = self.value(e.args[0])
        erf = np.vectorize(math.erf)
        table: dict[str, Callable[[], Any]] = {
            "exp": lambda: np.exp(x), "exp2": lambda: np.exp2(x), "log": lambda: np.log(x), "log2": lambda: np.log2(x),
            "sqrt": lambda: np.sqrt(x), "rsqrt": lambda: 1.0 / np.sqrt(x), "abs": lambda: np.abs(x),
            "sigmoid": lambda: 1.0 / (1.0 + np.exp(-x)), "tanh": lambda: np.tanh(x),
            "gelu": lambda: 0.5 * x * (1.0 + erf(x / math.sqrt(2.0))), "silu": lambda: x / (1.0 + np.exp(-x)),
            "erf": lambda: erf(x), "pow": lambda: np.power(x, e.args[1].value),
            "clamp": lambda: np.clip(x, e.args[1].value, e.args[2].value),
        }
        if op not in table:
            raise self.fail(f"element-wise expression {e.op}", e)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return table[op]()

    def _view(self, r: BufferRegion) -> np.ndarray:
        """The array a region indexes: a tensor of rank > 2 addressed with two starts (a T.Tensor view) is seen
        as its 2-D row-major view (a numpy view: writes reach the tensor)."""
        arr = self.arrays[id(r.buffer)]
        if len(r.starts) == 2 and arr.ndim > 2:  # noqa: PLR2004
            return arr.reshape(-1, arr.shape[-1])
        return arr

    def region(self, r: BufferRegion) -> tuple[slice, ...]:
        starts = [int(self.index(s)) for s in r.starts]
        return tuple(slice(s, s + n) for s, n in zip(starts, r.extents))

    # -- statements ---------------------------------------------------------------------------
    def run(self, s: Stmt | None) -> None:  # noqa: C901, PLR0912 - one case per statement kind
        if s is None:
            return
        if isinstance(s, SeqStmt):
            for x in s.stmts:
                self.run(x)
        elif isinstance(s, KernelLaunch):
            extents = [int(self.index(g)) for g in s.grid]
            for linear in range(math.prod(extents)):
                rest = linear
                for v, n in zip(s.block_vars, extents):
                    self.env[id(v)] = rest % n
                    rest //= n
                self.run(s.body)
        elif isinstance(s, Allocate):
            self.arrays[id(s.buffer)] = np.zeros(s.buffer.shape, dtype=np.float64)
            self.run(s.body)
        elif isinstance(s, LetStmt):
            self.env[id(s.var)] = self.index(s.value)
            self.run(s.body)
        elif isinstance(s, For) and s.kind == "parallel":
            self.parallel(s)
        elif isinstance(s, For):
            lo, n = int(self.index(s.min)), int(self.index(s.extent))
            for i in range(lo, lo + n):
                self.env[id(s.var)] = i
                self.run(s.body)
        elif isinstance(s, IfThenElse):
            if bool(self.index(s.cond)):
                self.run(s.then_case)
            else:
                self.run(s.else_case)
        elif isinstance(s, BufferStore):
            idx = tuple(self.index(i) for i in s.indices)
            self.arrays[id(s.buffer)][idx] = _round(self.value(s.value), s.buffer.dtype)
        elif isinstance(s, Evaluate) and isinstance(s.value, Call):
            self.call(s.value)
        else:
            raise self.fail(f"statement {type(s).__name__}", s)

    def parallel(self, loop: For) -> None:
        """A nest of ``T.Parallel`` loops runs its body once, vectorized over index grids."""
        nest: list[For] = []
        node: Any = loop
        while isinstance(node, For) and node.kind == "parallel":
            nest.append(node)
            node = node.body
        ranges = [np.arange(int(self.index(f.min)), int(self.index(f.min)) + int(self.index(f.extent)))
                  for f in nest]
        grids = np.meshgrid(*ranges, indexing="ij")
        for f, g in zip(nest, grids):
            self.env[id(f.var)] = g
        stores = node.stmts if isinstance(node, SeqStmt) else [node]
        for st in stores:
            if not isinstance(st, BufferStore):
                raise self.fail(f"{type(st).__name__} inside a T.Parallel body", st)
            self.run(st)
        for f in nest:
            del self.env[id(f.var)]

    def call(self, c: Call) -> None:
        if c.op == "tl.copy":
            src, dst = c.args
            data = self._view(src)[self.region(src)]
            target = self._view(dst)[self.region(dst)]  # a view, clipped to a tensor's end
            if src.buffer.scope == "global":  # a partial last block reads zeros past the tensor's end
                full = np.zeros(src.extents, dtype=np.float64)
                full[tuple(slice(0, n) for n in data.shape)] = data
                data = full.reshape(target.shape)
            else:  # into a tensor: only the part inside it is written
                data = data.reshape(tuple(dst.extents))[tuple(slice(0, n) for n in target.shape)]
            target[...] = _round(data.reshape(target.shape), dst.buffer.dtype)
        elif c.op == "tl.gemm":
            a, b, acc, ta, tb = c.args
            x = self.arrays[id(a.buffer if isinstance(a, BufferRegion) else a)]
            y = self.arrays[id(b.buffer if isinstance(b, BufferRegion) else b)]
            cbuf = acc.buffer if isinstance(acc, BufferRegion) else acc
            x = x.T if ta.value else x
            y = y.T if tb.value else y
            self.arrays[id(cbuf)][...] = _round(self.arrays[id(cbuf)] + x @ y, cbuf.dtype)
        elif c.op == "tl.gather":  # dst[i, j] = src[indices] where the padding predicate holds, else 0
            g = c.args[0]
            grids = np.meshgrid(*(np.arange(n) for n in g.dst.shape), indexing="ij")
            for v, grid in zip(g.loop_vars, grids):
                self.env[id(v)] = grid
            keep = np.broadcast_to(np.asarray(self.index(g.pred), dtype=bool) if g.pred is not None else True,
                                   g.dst.shape)
            idx = tuple(np.where(keep, np.broadcast_to(self.index(e), g.dst.shape), 0) for e in g.indices)
            self.arrays[id(g.dst)][...] = np.where(keep, self.arrays[id(g.src)][idx], 0.0)
            for v in g.loop_vars:
                del self.env[id(v)]
        elif c.op == "tl.tilize":  # the row-major block becomes tiles: the same values
            src, dst = c.args
            self.arrays[id(dst)][...] = _round(self.arrays[id(src)], dst.dtype)
        elif c.op == "tl.transpose":
            src, dst = c.args
            self.arrays[id(dst)][...] = _round(self.arrays[id(src)].T, dst.dtype)
        elif c.op == "tl.fill":
            buf, value = c.args
            buf = buf.buffer if isinstance(buf, BufferRegion) else buf
            self.arrays[id(buf)][...] = _round(self.value(value), buf.dtype)
        elif c.op == "tl.reduce":
            src, dst, kind, dim, clear = c.args
            x = self.arrays[id(src)]
            k = kind.value
            x = np.abs(x) if k in ("abssum", "absmax") else x
            r = x.sum(axis=dim.value) if k in ("sum", "abssum") else x.min(axis=dim.value) if k == "min" \
                else x.max(axis=dim.value)
            if not clear.value:
                old = self.arrays[id(dst)]
                r = old + r if k in ("sum", "abssum") else np.minimum(old, r) if k == "min" else np.maximum(old, r)
            self.arrays[id(dst)][...] = _round(r, dst.dtype)
        else:
            raise self.fail(f"intrinsic {c.op}", c)


def reference_outputs(func: PrimFunc, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Run the front-end kernel ``func`` on numpy arrays; returns its outputs as float32 arrays.

    ``inputs`` are the input tensors in parameter order (see :func:`tensor_roles`); outputs start
    as zeros and are returned in parameter order.
    """
    ins, outs = tensor_roles(func)
    if len(inputs) != len(ins):
        msg = f"kernel {func.name} takes {len(ins)} inputs ({', '.join(p.name for p in ins)}), got {len(inputs)}"
        raise NumpyReferenceError(msg)
    interp = _Interpreter(func)
    for p, x in zip(ins, inputs):
        arr = np.asarray(x)
        if arr.shape != tuple(p.shape):
            msg = f"input {p.name} of kernel {func.name} must have shape {tuple(p.shape)}, got {arr.shape}"
            raise NumpyReferenceError(msg)
        interp.arrays[id(p)] = _round(arr.astype(np.float64), p.dtype)
    for p in outs:
        interp.arrays[id(p)] = np.zeros(p.shape, dtype=np.float64)
    interp.run(func.body)
    return [interp.arrays[id(p)].astype(np.float32) for p in outs]


# ----------------------------------------------------------------------------------------------
# table columns derived from the IR

_PATTERN_OPS = {
    "tt.matmul_tiles": "matmul", "tt.matmul_subblock": "matmul", "tt.add_tiles": "add", "tt.sub_tiles": "sub",
    "tt.mul_tiles": "mul",
    "tt.exp_tile": "exp", "tt.relu_tile": "relu", "tt.negative_tile": "neg", "tt.copy_tile": "copy",
    "tt.transpose_tile": "transpose", "tt.tilize_rows": "tilize",
    "tt.fill_tile": "fill",
}


def kernel_pattern(mod: IRModule) -> str:
    """The compute kernel's tile operations in program order, e.g. ``matmul``, ``matmul(Bᵀ)+relu``, ``sub+exp``.

    ``copy``/``fill`` (DST staging) are listed only when the kernel does nothing else.
    """
    from tt_build.ir import attrs as A  # noqa: PLC0415
    from tt_build.transform._analysis import collect_calls  # noqa: PLC0415

    compute = next((f for f in mod.functions.values() if f.attrs.get(A.KERNEL_ROLE) == "compute"), None)
    if compute is None:
        return "?"
    seen: list[str] = []
    for c in collect_calls(compute.body, "tt."):
        name = _PATTERN_OPS.get(c.op)
        if name is not None and name not in seen:
            seen.append(name)
    main = [s for s in seen if s not in ("copy", "fill")] or seen or ["data movement"]
    if "matmul" in main and compute.attrs.get(A.COMPUTE_CONFIG, {}).get("transpose_b"):
        main[main.index("matmul")] = "matmul(Bᵀ)"
    return "+".join(main)


def problem_size(func: PrimFunc) -> str:
    """``M×N`` of the (first) output tensor; ``M×N×K`` when the kernel contracts with ``T.gemm`` (K from the
    tensor A is copied from, else from B's: a gathered A's K is the flattened filter's rows)."""
    ins, outs = tensor_roles(func)
    if not outs:
        return "?"
    size = "×".join(str(d) for d in outs[0].shape)
    from tt_build.transform._analysis import collect_calls  # noqa: PLC0415

    filled_from: dict[int, Buffer] = {}
    gemms: list[Call] = []
    for call in collect_calls(func.body, "tl."):
        if call.op == "tl.copy" and call.args[0].buffer in ins:
            filled_from[id(call.args[1].buffer)] = call.args[0].buffer
        elif call.op == "tl.gemm":
            gemms.append(call)
    for g in gemms:
        a = g.args[0].buffer if isinstance(g.args[0], BufferRegion) else g.args[0]
        src = filled_from.get(id(a))
        if src is not None:
            k = src.shape[0] if g.args[3].value else src.shape[1]
            return f"{size}×{k}"
        b = g.args[1].buffer if isinstance(g.args[1], BufferRegion) else g.args[1]
        src = filled_from.get(id(b))
        if src is not None and len(src.shape) >= 2:  # A gathered (im2col): K from B, e.g. a flattened filter
            k = src.shape[-1] if g.args[4].value else math.prod(src.shape[:-1])
            return f"{size}×{k}"
    return size


# ----------------------------------------------------------------------------------------------
# running on the mock device


def pcc(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation coefficient of two arrays (1.0 for two identical constant arrays)."""
    x, y = np.asarray(a, dtype=np.float64).ravel(), np.asarray(b, dtype=np.float64).ravel()
    if np.array_equal(x, y):
        return 1.0
    sx, sy = x.std(), y.std()
    if sx == 0 or sy == 0:
        return 0.0
    return float(np.mean((x - x.mean()) * (y - y.mean())) / (sx * sy))


def make_inputs(params: Sequence[dict[str, Any]], seed: int) -> list[np.ndarray]:
    """Uniform(-1, 1) arrays in each tensor's host dtype (:func:`host_dtype`) for the manifest params with role
    ``input``, from ``seed``."""
    rng = np.random.default_rng(seed)
    return [rng.uniform(-1.0, 1.0, size=tuple(p["shape"])).astype(host_dtype(p)) for p in params
            if p["role"] == "input"]


def host_dtype(param: dict[str, Any]) -> np.dtype:
    """The numpy dtype of a tensor's host data: its element type (``numpy.float32`` / ``numpy.float16`` for a
    tensor declared float32 / float16, ``ml_dtypes.bfloat16`` otherwise)."""
    return {"float16": np.dtype(np.float16), "float32": np.dtype(np.float32)}.get(param.get("dtype", ""), _BF16)


class MockRunner:
    """Compiles emitted host programs against the mock SDK and runs them from numpy.

    ``build_dir`` holds the mock runtime, the host libraries (``host/<sha256>.so``, keyed on the host
    source, the compiler and the runtime) and, unless ``$TT_MOCK_KERNEL_CACHE`` is set, the mock's
    compiled-kernel cache (``mock-kernels/``). Host programs and (unless ``$TT_MOCK_KERNEL_CXXFLAGS``
    says otherwise) device kernels are compiled with ``-Wall -Werror``.

    Host libraries link the runtime as one shared library (``libtt_metal_mock.so``, made from the
    mock SDK's static archive) instead of each carrying a static copy: one process can then run any
    number of instances, all on one simulated device (every static copy would map its own L1 arena
    below 4 GiB, and only about a dozen fit).
    """

    def __init__(self, build_dir: Path) -> None:
        self.build_dir = Path(build_dir)
        self._runtime: Path | None = None
        self._libs: dict[Path, Any] = {}
        # Set around each run (the mock reads them when the host program creates the kernels), unless
        # the user set them: this package's mock headers (the runtime is shared by content, so the
        # include directory baked into it may be another checkout's, since moved or deleted), where
        # compiled kernels are cached, and warnings are errors.
        from tt_build import mock_sdk  # noqa: PLC0415

        self.env = {**mock_sdk.runtime_env(self.build_dir / "mock-kernels"),
                    "TT_MOCK_KERNEL_CXXFLAGS": "-Wall -Werror"}

    def runtime(self) -> Path:
        """The shared mock runtime (built from the static archive on first use, cached next to it)."""
        from tt_build import mock_sdk  # noqa: PLC0415

        if self._runtime is None:
            archive = mock_sdk.build_runtime(self.build_dir)
            shared = archive.with_name("libtt_metal_mock.so")
            if not shared.is_file():
                tmp = shared.with_name(f".{shared.name}.{os.getpid()}.tmp")
                cmd = [*mock_sdk.cxx(), "-shared", "-o", str(tmp), "-Wl,--whole-archive", str(archive),
                       "-Wl,--no-whole-archive", *mock_sdk.LINK_LIBS]
                proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
                if proc.returncode:
                    tmp.unlink(missing_ok=True)
                    raise ToolError(cmd, proc.returncode, proc.stdout + proc.stderr)
                os.replace(tmp, shared)
            self._runtime = shared
        return self._runtime

    def compile(self, directory: Path) -> tuple[Path, bool]:
        """Compile ``directory/host.cpp`` into a shared library; returns (path, compiled now?)."""
        from tt_build import mock_sdk  # noqa: PLC0415

        lib = self.runtime()
        flags = [*mock_sdk.compile_flags(), "-O1", "-fPIC", "-shared", "-Wall", "-Werror"]
        key = hashlib.sha256("\0".join([*mock_sdk.cxx(), *flags, str(lib)]).encode()
                             + b"\0" + (Path(directory) / "host.cpp").read_bytes()).hexdigest()[:32]
        out = self.build_dir / "host" / f"{key}.so"
        if out.is_file():
            return out, False
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
        cmd = [*mock_sdk.cxx(), *flags, str(Path(directory) / "host.cpp"), "-o", str(tmp), str(lib),
               f"-Wl,-rpath,{lib.parent}", *mock_sdk.LINK_LIBS]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode:
            tmp.unlink(missing_ok=True)
            raise ToolError(cmd, proc.returncode, proc.stdout + proc.stderr)
        os.replace(tmp, out)
        return out, True

    def run(self, directory: Path, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Run the emitted instance in ``directory`` on ``inputs``; returns the outputs (each in its tensor's
        dtype, :func:`host_dtype`)."""
        directory = Path(directory)
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        so, _ = self.compile(directory)
        lib = self._libs.get(so)
        if lib is None:
            lib = self._libs[so] = ctypes.CDLL(str(so))
        fn = getattr(lib, manifest["entry"])
        fn.restype = ctypes.c_int
        in_params = [p for p in manifest["params"] if p["role"] == "input"]
        ins = [np.ascontiguousarray(np.asarray(x).astype(host_dtype(p))) for x, p in zip(inputs, in_params)]
        outs = [np.zeros(tuple(p["shape"]), dtype=host_dtype(p)) for p in manifest["params"] if p["role"] == "output"]
        ptr = ctypes.c_void_p
        err = ctypes.create_string_buffer(16384)
        # The simulated device is the chip the instance was lowered for (its grid, L1 size, banks),
        # whatever TT_MOCK_ARCH says: another chip could not run it.
        arch = {"TT_MOCK_ARCH": manifest.get("arch", "wormhole_b0")}
        added = {**{k: v for k, v in self.env.items() if k not in os.environ}, **arch}
        saved = {k: os.environ[k] for k in arch if k in os.environ}
        os.environ.update(added)
        try:
            rc = fn((ptr * max(len(ins), 1))(*[x.ctypes.data for x in ins]),
                    (ptr * max(len(outs), 1))(*[o.ctypes.data for o in outs]),
                    str(directory).encode(), err, ctypes.c_size_t(len(err)))
        finally:
            for k in added:
                os.environ.pop(k, None)
            os.environ.update(saved)
        if rc != 0:
            msg = err.value.decode("utf-8", "replace").strip() or f"error code {rc}"
            raise MockRunError(msg)
        return outs


class MockRunError(TTBuildError):
    """The host program or the mock device reported an error (e.g. a CB deadlock)."""


# ----------------------------------------------------------------------------------------------
# the matrix


@dataclass
class MatrixOptions:
    """How :func:`run_matrix` runs each instance."""

    build_dir: Path = field(default_factory=default_build_dir)
    #: real-header check of the emitted kernels (needs the ttnn wheel: downloaded once, cached)
    check: bool = True
    #: pass/fail thresholds against the reference
    min_pcc: float = 0.999
    max_rel_err: float = 2e-2
    #: pipeline options (e.g. ``{"arch": "wormhole_b0"}``)
    options: dict[str, Any] = field(default_factory=dict)
    #: where each instance's files are emitted (``<emit_dir>/<file stem>/<instance>``); default
    #: ``<build_dir>/instances``
    emit_dir: Path | None = None
    #: keep the emitted files (else only the host libraries and kernel objects stay cached)
    keep: bool = True


@dataclass
class MatrixRow:
    """One instance of the matrix. ``status``: ``ok``, or ``FAIL (<stage>)`` with ``message``."""

    file: str
    instance: str
    pattern: str = "?"
    size: str = "?"
    status: str = "ok"
    lower_ms: float | None = None
    build_s: float | None = None
    run_s: float | None = None
    check: str = "-"
    pcc: float | None = None
    max_rel_err: float | None = None
    reference: str = "-"
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_json(self) -> dict[str, Any]:
        return dict(vars(self))


def _file_reference(module: Any, factory: str) -> Callable[..., Any] | None:
    table = getattr(module, "REFERENCE", None)
    if table is None:
        return None
    if not isinstance(table, dict) or not all(callable(v) for v in table.values()):
        msg = f"{module.__file__}: REFERENCE must be a dict of factory name -> callable(*inputs, **args)"
        raise ConfigError(msg)
    return table.get(factory)


def _check_summary(report: Any) -> str:
    checked = [k.role for k in report.kernels if k.status == "checked"]
    if set(checked) >= {"reader", "compute", "writer"}:
        return "all"
    return "+".join(r[0].upper() for r in ("reader", "writer", "compute") if r in checked) or "none"


def run_instance(inst: Instance, runner: MockRunner, opts: MatrixOptions) -> MatrixRow:  # noqa: C901, PLR0915
    """Lower, build, check, run and compare one instance; never raises for a failure of the instance."""
    from tt_build.codegen import generate  # noqa: PLC0415
    from tt_build.driver import build_primfunc, load_kernel_module  # noqa: PLC0415
    from tt_build.transform import PassContext, lower  # noqa: PLC0415

    row = MatrixRow(file=Path(inst.source).name, instance=inst.name)
    out = (opts.emit_dir or opts.build_dir / "instances") / Path(inst.source).stem / inst.name
    stage = "lower"
    try:
        t0 = time.perf_counter()
        func, deps = build_primfunc(inst.source, inst.factory, inst.args)
        mod = lower(func, PassContext(config=dict(opts.options)))
        digest = hashlib.sha256(b"".join(d.read_bytes() for d in deps)).hexdigest()
        files, manifest = generate(mod, name=inst.name, source=Path(inst.source).name, instance_args=inst.args,
                                   source_hash=digest, arch=opts.options.get("arch") or "wormhole_b0")
        row.lower_ms = (time.perf_counter() - t0) * 1e3
        row.pattern, row.size = kernel_pattern(mod), problem_size(func)
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        for name, text in files.items():
            (out / name).write_text(text, encoding="utf-8")
        (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")

        stage = "build"
        t0 = time.perf_counter()
        runner.compile(out)
        row.build_s = time.perf_counter() - t0

        if opts.check:
            stage = "check"
            from tt_build.check import KernelCheckError, check_emitted_dir  # noqa: PLC0415

            try:
                row.check = _check_summary(check_emitted_dir(out))
            except KernelCheckError as exc:
                row.check = "FAILED"
                raise TTBuildError(exc.report.summary()) from None
            except ToolError as exc:  # the ttnn wheel could not be fetched: not the kernel's fault
                row.check = "n/a"
                row.message = f"real-header check unavailable: {str(exc).splitlines()[0]}"

        stage = "reference"
        module, _ = load_kernel_module(Path(inst.source))
        custom = _file_reference(module, inst.factory)
        inputs = make_inputs(manifest["params"], zlib.crc32(inst.name.encode()))
        floats = [x.astype(np.float32) for x in inputs]
        if custom is not None:
            try:
                got_ref = custom(*floats, **inst.args)
            except Exception as exc:  # noqa: BLE001 - user code; reported in the row
                raise TTBuildError(f"REFERENCE[{inst.factory!r}] raised {type(exc).__name__}: {exc}") from None
            want = [np.asarray(w, dtype=np.float32) for w in (got_ref if isinstance(got_ref, tuple) else (got_ref,))]
            row.reference = "file"
        else:
            want = reference_outputs(func, floats)
            row.reference = "IR"

        stage = "run"
        t0 = time.perf_counter()
        got = runner.run(out, inputs)
        row.run_s = time.perf_counter() - t0

        stage = "compare"
        if len(got) != len(want):
            raise TTBuildError(f"the kernel has {len(got)} outputs, the reference returned {len(want)}")
        worst_pcc, worst_err = 1.0, 0.0
        for g, w in zip(got, want):
            if g.shape != w.shape:
                raise TTBuildError(f"output shape {g.shape} differs from the reference's {w.shape}")
            g32 = g.astype(np.float32)
            worst_pcc = min(worst_pcc, pcc(g32, w))
            scale = float(np.max(np.abs(w))) or 1.0
            worst_err = max(worst_err, float(np.max(np.abs(g32 - w))) / scale)
        row.pcc, row.max_rel_err = worst_pcc, worst_err
        if not (worst_pcc >= opts.min_pcc and worst_err <= opts.max_rel_err):
            raise TTBuildError(f"outputs differ from the reference: PCC {worst_pcc:.6f} (need >= {opts.min_pcc}), "
                               f"max rel err {worst_err:.3g} (need <= {opts.max_rel_err})")
    except TTBuildError as exc:
        row.status = f"FAIL ({stage})"
        row.message = str(exc)
    finally:
        if not opts.keep and out.exists():
            shutil.rmtree(out, ignore_errors=True)
    return row


def run_matrix(instances: Sequence[Instance], opts: MatrixOptions | None = None,
               progress: Callable[[MatrixRow], None] | None = None) -> list[MatrixRow]:
    """Run every instance (see :func:`run_instance`); ``progress`` is called after each row."""
    import tt_build.language._parser  # noqa: F401, PLC0415 - imported by the first kernel otherwise
    from tt_build.codegen import warm_templates  # noqa: PLC0415

    opts = opts or MatrixOptions()
    runner = MockRunner(opts.build_dir)
    runner.runtime()  # one-time build of the mock runtime, not charged to the first instance
    warm_templates()  # likewise the template loading and the compiler's imports
    rows = []
    for inst in instances:
        row = run_instance(inst, runner, opts)
        rows.append(row)
        if progress is not None:
            progress(row)
    return rows


# ----------------------------------------------------------------------------------------------
# the table

#: lower ms: front end + pipeline + CodegenTT of the instance (including the first import of its kernel
#: file); build s: host program compile (about 0 when cached); run s: mock execution, including the JIT
#: compile of the device kernels on a kernel-cache miss.
COLUMNS = ("pattern", "instance", "size", "status", "lower ms", "build s", "run s", "check", "ref", "PCC",
           "max rel err")


def _cells(r: MatrixRow) -> list[str]:
    def num(v: float | None, fmt: str) -> str:
        return "-" if v is None else format(v, fmt)

    return [r.pattern, r.instance, r.size, r.status, num(r.lower_ms, ".1f"), num(r.build_s, ".2f"),
            num(r.run_s, ".2f"), r.check, r.reference, num(r.pcc, ".6f"), num(r.max_rel_err, ".2e")]


def format_table(rows: Sequence[MatrixRow], *, markdown: bool = False) -> str:
    """The matrix as a text table (or a markdown table), followed by one line per failure / note."""
    cells = [_cells(r) for r in rows]
    if markdown:
        lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join("---" for _ in COLUMNS) + "|"]
        lines += ["| " + " | ".join(c) + " |" for c in cells]
    else:
        widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(COLUMNS)]
        lines = ["  ".join(h.ljust(w) for h, w in zip(COLUMNS, widths)).rstrip()]
        lines.append("  ".join("-" * w for w in widths))
        lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    notes = [f"{r.instance}: {r.message}" for r in rows if r.message]
    if notes:
        lines.append("")
        lines.extend(notes)
    return "\n".join(lines)
