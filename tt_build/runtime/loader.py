"""Run built kernel instances from Python (numpy float32 / ``ml_dtypes.bfloat16`` / float16 arrays).

This file is copied verbatim into every built package as ``_tt_runtime.py``, so an installed
kernel package needs only numpy and ml_dtypes at run time (not tt-build). Keep it
self-contained: standard library + numpy + ml_dtypes, and import numpy lazily: the build's
warm-up step (:mod:`tt_build.build.warm`) runs kernels through :meth:`Kernel.run_raw` in an
environment without numpy.

Each instance's host program exports ``int tt_<name>_run(const uint16_t* const* inputs,
uint16_t* const* outputs, const char* kernel_dir, char* err, size_t err_len)`` with row-major
16-bit float bit patterns (bfloat16, or IEEE float16 for a tensor declared float16), in the order of the
manifest's params with role ``input`` / ``output``.
"""

from __future__ import annotations

import ctypes
import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Kernel", "KernelError", "KernelPackage", "load_package"]

_ERR_LEN = 16384


class KernelError(RuntimeError):
    """A kernel failed on the device (for the mock SDK: its diagnostic, e.g. a CB deadlock)."""


def _bf16() -> Any:
    import numpy as np  # noqa: PLC0415

    try:
        import ml_dtypes  # noqa: PLC0415
    except ImportError as exc:  # pragma: no cover - declared dependency
        msg = "running kernels needs the ml_dtypes package (pip install ml_dtypes)"
        raise ImportError(msg) from exc
    return np.dtype(ml_dtypes.bfloat16)


def _params(manifest: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    if "params" in manifest:
        params = manifest["params"]
        ins = [p for p in params if p.get("role") == "input"]
        outs = [p for p in params if p.get("role") == "output"]
    else:
        ins = list(manifest.get("inputs", []))
        outs = list(manifest.get("outputs", []))
    return ins, outs


def _prepend_env_path(var: str, path: Path) -> None:
    cur = os.environ.get(var, "")
    parts = [p for p in cur.split(os.pathsep) if p]
    if str(path) not in parts:
        os.environ[var] = os.pathsep.join([str(path), *parts])


class Kernel:
    """One kernel instance as a Python callable: ``outputs = kernel(*inputs)``."""

    def __init__(self, package: KernelPackage, name: str, kernel_dir: Path, manifest: dict[str, Any]) -> None:
        self.name = name
        self.kernel_dir = Path(kernel_dir)
        self.manifest = manifest
        self._package = package
        self.inputs, self.outputs = _params(manifest)
        self.__name__ = name
        self.__qualname__ = name
        sig = ", ".join(f"{p.get('name', f'in{i}')}: {p.get('dtype', 'bfloat16')}{list(p.get('shape', []))}"
                        for i, p in enumerate(self.inputs))
        res = ", ".join(f"{p.get('name', f'out{i}')}{list(p.get('shape', []))}" for i, p in enumerate(self.outputs))
        self.__doc__ = (f"{name}({sig}) -> {res}\n\nRuns on the {manifest.get('sdk', 'mock')} device. Inputs: numpy "
                        "float32 arrays or arrays of each tensor's own type (ml_dtypes.bfloat16, float16 for a float16 "
                        "tensor); outputs come back in their tensors' type when every input is given in its own, "
                        "float32 otherwise.")
        self._fn: Any = None

    def __repr__(self) -> str:
        return f"<tt-build kernel {self.name}: {self.__doc__.splitlines()[0] if self.__doc__ else ''}>"

    def _symbol(self) -> Any:
        if self._fn is None:
            lib = self._package.library()
            sym = self.manifest.get("symbol") or f"tt_{self.name}_run"
            try:
                fn = getattr(lib, sym)
            except AttributeError:
                msg = f"{self.name}: the kernel library has no symbol {sym} (stale build?)"
                raise KernelError(msg) from None
            fn.restype = ctypes.c_int
            fn.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_void_p), ctypes.c_char_p,
                           ctypes.c_char_p, ctypes.c_size_t]
            self._fn = fn
        return self._fn

    def _convert(self, i: int, value: Any, bf16: Any) -> tuple[np.ndarray, bool]:
        import numpy as np  # noqa: PLC0415

        spec = self.inputs[i]
        pname = spec.get("name", f"input {i}")
        if not isinstance(value, np.ndarray):
            msg = f"{self.name}: argument {i} ({pname}) must be a numpy array, got {type(value).__name__}"
            raise TypeError(msg)
        shape = tuple(int(d) for d in spec.get("shape", value.shape))
        if value.shape != shape:
            msg = f"{self.name}: argument {i} ({pname}) must have shape {shape}, got {value.shape}"
            raise ValueError(msg)
        # the tensor's 16-bit element type on the device: bfloat16, or float16 for a float16 tensor
        half = spec.get("dtype") == "float16"
        native = np.dtype(np.float16) if half else bf16
        if value.dtype == native:
            is_bf16 = True  # given in the device's own type: results come back in theirs
        elif value.dtype == np.float32:
            is_bf16 = False
        else:
            msg = (f"{self.name}: argument {i} ({pname}) must be float32 or "
                   f"{'float16' if half else 'ml_dtypes.bfloat16'}, got {value.dtype}")
            raise TypeError(msg)
        return np.ascontiguousarray(value.astype(native, copy=False)).view(np.uint16), is_bf16

    def run_raw(self, inputs: list[int], outputs: list[int]) -> None:
        """Run on raw buffers: addresses of row-major bfloat16 bit patterns, in manifest order.

        Raises :class:`KernelError` with the device's diagnostic when the run fails.
        """
        in_ptrs = (ctypes.c_void_p * max(len(inputs), 1))(*inputs)
        out_ptrs = (ctypes.c_void_p * max(len(outputs), 1))(*outputs)
        err = ctypes.create_string_buffer(_ERR_LEN)
        fn = self._symbol()
        with self._package.lock:
            rc = fn(in_ptrs, out_ptrs, str(self.kernel_dir).encode(), err, _ERR_LEN)
        if rc != 0:
            text = err.value.decode("utf-8", "replace").strip() or f"error code {rc}"
            msg = f"{self.name}: {text}"
            raise KernelError(msg)

    def __call__(self, *args: np.ndarray) -> Any:
        import numpy as np  # noqa: PLC0415

        if len(args) != len(self.inputs):
            names = ", ".join(p.get("name", "?") for p in self.inputs)
            msg = f"{self.name}() takes {len(self.inputs)} arrays ({names}), got {len(args)}"
            raise TypeError(msg)
        bf16 = _bf16()
        converted = [self._convert(i, a, bf16) for i, a in enumerate(args)]
        ins = [c[0] for c in converted]
        all_bf16 = bool(converted) and all(c[1] for c in converted)
        outs = [np.zeros(tuple(int(d) for d in p["shape"]), dtype=np.uint16) for p in self.outputs]
        self.run_raw([a.ctypes.data for a in ins], [a.ctypes.data for a in outs])
        natives = [np.dtype(np.float16) if p.get("dtype") == "float16" else bf16 for p in self.outputs]
        results = [o.view(t) if all_bf16 else o.view(t).astype(np.float32) for o, t in zip(outs, natives)]
        return results[0] if len(results) == 1 else tuple(results)


class KernelPackage:
    """The kernel instances of one built package directory."""

    def __init__(self, package_dir: Path, names: tuple[str, ...], library: str = "_tt_kernels") -> None:
        self.dir = Path(package_dir)
        self.library_name = library
        self.lock = threading.Lock()
        self._lib: Any = None
        self.kernels: dict[str, Kernel] = {}
        for name in names:
            kdir = self.dir / "kernels" / name
            try:
                manifest = json.loads((kdir / "manifest.json").read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                msg = f"{name}: cannot read {kdir / 'manifest.json'}: {exc}"
                raise ImportError(msg) from None
            self.kernels[name] = Kernel(self, name, kdir, manifest)

    def library(self) -> Any:
        if self._lib is None:
            # Device kernels precompiled at build time (tt_build.build.warm), searched first.
            for kernel in self.kernels.values():
                precompiled = kernel.kernel_dir / "precompiled"
                if precompiled.is_dir():
                    _prepend_env_path("TT_MOCK_KERNEL_PATH", precompiled)
            include = self.dir / "mock_include"
            if include.is_dir():
                # Headers for kernels that are not in the precompiled cache (compiled on first use).
                os.environ["TT_MOCK_INCLUDE_DIR"] = str(include)
            if "TT_MOCK_KERNEL_CACHE" not in os.environ:
                base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
                os.environ["TT_MOCK_KERNEL_CACHE"] = str(Path(base) / "tt-build" / "mock-kernels")
            candidates = sorted(self.dir.glob(f"{self.library_name}*.so")) + sorted(
                self.dir.glob(f"{self.library_name}*.dylib"))
            if not candidates:
                msg = f"no kernel library {self.library_name}.so in {self.dir} (was the package built?)"
                raise ImportError(msg)
            self._lib = ctypes.CDLL(str(candidates[0]))
        return self._lib


def load_package(module_name: str, init_file: str, names: tuple[str, ...], library: str = "_tt_kernels") -> KernelPackage:
    """Called by a built package's ``__init__.py``."""
    del module_name
    return KernelPackage(Path(init_file).resolve().parent, names, library)
