"""Build step: precompile an instance's device kernels into the package.

``python -m tt_build.build.warm --package-dir DIR --library LIB --instance NAME --stamp FILE``

The mock SDK compiles kernels when the host program calls ``CreateKernel`` and caches the
objects by content in ``$TT_MOCK_KERNEL_CACHE``. Running the instance once on zero inputs with
that variable pointing at ``<package>/kernels/<instance>/precompiled`` (emptied first, so it
holds exactly the instance's current kernels) fills the cache that ships in the package; at run
time the package puts those directories on ``TT_MOCK_KERNEL_PATH`` (read-only, searched first),
so an installed package needs no C++ compiler.
"""

from __future__ import annotations

import argparse
import ctypes
import math
import os
import shutil
import sys
import time
from pathlib import Path

__all__ = ["PRECOMPILED_DIR", "main", "warm"]

#: Per-instance directory of precompiled device kernels (the loader's name for it must match).
PRECOMPILED_DIR = "precompiled"


def warm(package_dir: Path, library: Path, instance: str) -> float:
    from tt_build.runtime.loader import KernelPackage  # noqa: PLC0415

    cache = package_dir / "kernels" / instance / PRECOMPILED_DIR
    shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir(parents=True, exist_ok=True)
    os.environ["TT_MOCK_KERNEL_CACHE"] = str(cache)
    os.environ.pop("TT_MOCK_KERNEL_PATH", None)
    t0 = time.perf_counter()
    pkg = KernelPackage(package_dir, (instance,), library=library.name.split(".")[0])
    kernel = pkg.kernels[instance]
    # Zero-filled bfloat16 buffers through ctypes: the build environment has no numpy. Lowering
    # rejects tensors larger than the device's DRAM; an entry that says otherwise is not run.
    from tt_build.transform.base import ARCH_DRAM_BYTES  # noqa: PLC0415

    need = sum(2 * math.prod(int(d) for d in p["shape"]) for p in (*kernel.inputs, *kernel.outputs))
    if need > max(ARCH_DRAM_BYTES.values()):
        msg = f"its tensors need {need:,} bytes, more than any device's DRAM"
        raise ValueError(msg)
    buffers = [ctypes.create_string_buffer(2 * math.prod(int(d) for d in p["shape"]))
               for p in (*kernel.inputs, *kernel.outputs)]
    addrs = [ctypes.addressof(b) for b in buffers]
    kernel.run_raw(addrs[:len(kernel.inputs)], addrs[len(kernel.inputs):])
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tt_build.build.warm")
    p.add_argument("--package-dir", required=True)
    p.add_argument("--library", required=True)
    p.add_argument("--instance", required=True)
    p.add_argument("--stamp", required=True)
    ns = p.parse_args(argv)
    from tt_build.runtime.loader import KernelError  # noqa: PLC0415

    try:
        seconds = warm(Path(ns.package_dir), Path(ns.library), ns.instance)
    except (KernelError, ImportError, OSError, ValueError, TypeError) as exc:
        print(f"error: precompiling the device kernels of {ns.instance} failed: {exc}", file=sys.stderr)
        return 1
    stamp = Path(ns.stamp)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(f"{seconds:.3f}\n", encoding="utf-8")
    print(f"tt-build: {ns.instance:<24} kernels  {seconds:6.2f} s (device kernels precompiled)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
