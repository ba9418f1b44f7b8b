"""Run emitted instances on the mock device: compile host.cpp as a shared library against the mock
runtime (``-Wall -Werror``), call its C entry point through ctypes and return numpy outputs."""

from __future__ import annotations

import ctypes
import json
from pathlib import Path
from typing import Any

import ml_dtypes
import numpy as np

from tt_build import mock_sdk
from tt_build.errors import ToolError

__all__ = ["KERNEL_REF", "pcc", "run_emitted"]


def compile_host(directory: Path, build_dir: Path) -> Path:
    lib = mock_sdk.build_runtime(build_dir)
    out = directory / "host.so"
    cmd = [*mock_sdk.cxx(), *mock_sdk.compile_flags(), "-O1", "-fPIC", "-shared", "-Wall", "-Werror",
           str(directory / "host.cpp"), "-o", str(out), str(lib), *mock_sdk.LINK_LIBS]
    import subprocess  # noqa: PLC0415

    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode:
        raise ToolError(cmd, proc.returncode, proc.stdout + proc.stderr)
    return out


def run_emitted(directory: Path, inputs: list[np.ndarray], build_dir: Path) -> list[np.ndarray]:
    manifest = json.loads((directory / "manifest.json").read_text())
    outs = [p for p in manifest["params"] if p["role"] == "output"]
    lib = ctypes.CDLL(str(compile_host(directory, build_dir)))
    fn = getattr(lib, manifest["entry"])
    fn.restype = ctypes.c_int
    ins = [np.ascontiguousarray(x.astype(ml_dtypes.bfloat16)) for x in inputs]
    results = [np.zeros(p["shape"], dtype=ml_dtypes.bfloat16) for p in outs]
    ptr = ctypes.c_void_p
    err = ctypes.create_string_buffer(8192)
    rc = fn((ptr * len(ins))(*[x.ctypes.data for x in ins]), (ptr * len(results))(*[r.ctypes.data for r in results]),
            str(directory).encode(), err, ctypes.c_size_t(len(err)))
    if rc != 0:
        raise RuntimeError(err.value.decode())
    return results


def pcc(a: np.ndarray, b: np.ndarray) -> float:
    a64, b64 = a.astype(np.float64).ravel(), b.astype(np.float64).ravel()
    return float(np.corrcoef(a64, b64)[0, 1])


def _f(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=np.float32)


KERNEL_REF = {
    "gemm": lambda a, b: _f(a) @ _f(b),
    "eltwise_add": lambda a, b: _f(a) + _f(b),
    "eltwise_mul": lambda a, b: _f(a) * _f(b),
}
