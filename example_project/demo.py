"""Run every kernel instance of the example project on the mock device and check it against numpy.

Usage: python example_project/demo.py   (after `pip install ./example_project`)
Prints one line per instance: PCC and max relative error vs. numpy on bf16-rounded inputs
(pass: PCC >= 0.999 and max rel err <= 2e-2). Exit status 1 if any instance fails.
"""

from __future__ import annotations

import sys
import time

import ml_dtypes
import numpy as np

import tt_example_kernels as kernels

PCC_MIN = 0.999
REL_MAX = 2e-2


def reference(name: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if name.startswith("gemm"):
        return a @ b
    if name.startswith("eltwise_add"):
        return a + b
    if name.startswith("eltwise_mul"):
        return a * b
    msg = f"no numpy reference for {name}"
    raise KeyError(msg)


def main() -> int:
    rng = np.random.default_rng(0)
    failed = 0
    print(f"{'instance':<18} {'shape':<28} {'time':>7}  {'PCC':>8}  {'max rel err':>11}  result")
    for name in kernels.__all__:
        kernel = getattr(kernels, name)
        inputs = [rng.standard_normal(tuple(p["shape"])).astype(np.float32) for p in kernel.inputs]
        t0 = time.perf_counter()
        out = kernel(*inputs)
        seconds = time.perf_counter() - t0
        # The device computes in bf16: compare against numpy on the same bf16-rounded inputs, in fp32.
        rounded = [x.astype(ml_dtypes.bfloat16).astype(np.float32) for x in inputs]
        ref = reference(name, *rounded)
        pcc = float(np.corrcoef(out.ravel(), ref.ravel())[0, 1])
        rel = float(np.abs(out - ref).max() / max(np.abs(ref).max(), 1e-30))
        ok = pcc >= PCC_MIN and rel <= REL_MAX
        failed += not ok
        shape = " x ".join(str(list(p["shape"])) for p in kernel.inputs)
        print(f"{name:<18} {shape:<28} {seconds:6.2f}s  {pcc:8.5f}  {rel:11.2e}  {'ok' if ok else 'FAIL'}")
    # Bfloat16 in -> bfloat16 out.
    a = rng.standard_normal((256, 256)).astype(ml_dtypes.bfloat16)
    c = kernels.gemm_256(a, a)
    print(f"gemm_256 on ml_dtypes.bfloat16 inputs returns {c.dtype}")
    print("all kernels match numpy" if not failed else f"{failed} kernel(s) FAILED")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
