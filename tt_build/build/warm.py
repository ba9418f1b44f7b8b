"""Build step: precompile an instance's device kernels into the package.

``python -m tt_build.build.warm --package-dir DIR --library LIB --instance NAME --stamp FILE``

The mock SDK compiles kernels when the host program calls ``CreateKernel`` and caches the
objects by content in ``$TT_MOCK_KERNEL_CACHE``. Running the instance once on zero inputs with
that variable pointing at ``<package>/kernels/<instance>/precompiled`` (emptied first, so it
holds exactly the instance's current kernels) fills the cache that ships in the package; at run
time the package puts those directories on ``TT_MOCK_KERNEL_PATH`` (read-only, searched first),
so an installed package needs no C++ compiler.

The step depends on the kernel library, which is relinked whenever any instance changes or is
added. Its stamp records a digest of what the instance's precompiled kernels are made from (its
emitted files, the package's mock headers and the mock runtime, whose path names its compiler); when
that is unchanged and the kernels are there, the step only refreshes the stamp and prints nothing.
"""

from __future__ import annotations

import argparse
import ctypes
import hashlib
import os
import shutil
import sys
import time
from pathlib import Path

__all__ = ["PRECOMPILED_DIR", "inputs_digest", "main", "warm"]

#: Per-instance directory of precompiled device kernels (the loader's name for it must match).
PRECOMPILED_DIR = "precompiled"


def inputs_digest(package_dir: Path, instance: str, runtime: str = "") -> str:
    """Digest of everything the instance's precompiled device kernels are built from."""
    h = hashlib.sha256(f"runtime {runtime}\0".encode())
    kdir = package_dir / "kernels" / instance
    files = [kdir / f for f in ("reader.cpp", "compute.cpp", "writer.cpp", "host.cpp", "manifest.json")]
    include = package_dir / "mock_include"
    if include.is_dir():
        files += sorted(p for p in include.rglob("*") if p.is_file())
    for f in files:
        h.update(str(f.relative_to(package_dir)).encode() + b"\0")
        try:
            h.update(f.read_bytes())
        except OSError:
            h.update(b"<missing>")
        h.update(b"\0")
    return h.hexdigest()


def up_to_date(stamp: Path, digest: str, package_dir: Path, instance: str) -> bool:
    """The stamp records ``digest`` and the instance's precompiled kernels are in place."""
    try:
        recorded = stamp.read_text(encoding="utf-8").split()
    except OSError:
        return False
    cache = package_dir / "kernels" / instance / PRECOMPILED_DIR
    return len(recorded) >= 2 and recorded[1] == digest and cache.is_dir() and any(cache.glob("*.so"))


def warm(package_dir: Path, library: Path, instance: str) -> float:
    from tt_build.runtime.loader import KernelPackage, param_nbytes  # noqa: PLC0415

    cache = package_dir / "kernels" / instance / PRECOMPILED_DIR
    shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir(parents=True, exist_ok=True)
    os.environ["TT_MOCK_KERNEL_CACHE"] = str(cache)
    os.environ.pop("TT_MOCK_KERNEL_PATH", None)
    t0 = time.perf_counter()
    pkg = KernelPackage(package_dir, (instance,), library=library.name.split(".")[0])
    kernel = pkg.kernels[instance]
    # Zero-filled buffers (each tensor's element width) through ctypes: the build environment has no numpy. Lowering
    # rejects tensors larger than the device's DRAM; an entry that says otherwise is not run.
    from tt_build.transform.base import ARCH_DRAM_BYTES  # noqa: PLC0415

    need = sum(param_nbytes(p) for p in (*kernel.inputs, *kernel.outputs))
    if need > max(ARCH_DRAM_BYTES.values()):
        msg = f"its tensors need {need:,} bytes, more than any device's DRAM"
        raise ValueError(msg)
    buffers = [ctypes.create_string_buffer(param_nbytes(p)) for p in (*kernel.inputs, *kernel.outputs)]
    addrs = [ctypes.addressof(b) for b in buffers]
    kernel.run_raw(addrs[:len(kernel.inputs)], addrs[len(kernel.inputs):])
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tt_build.build.warm")
    p.add_argument("--package-dir", required=True)
    p.add_argument("--library", required=True)
    p.add_argument("--instance", required=True)
    p.add_argument("--stamp", required=True)
    p.add_argument("--runtime", default="", help="the mock runtime library the kernel library links")
    ns = p.parse_args(argv)
    stamp = Path(ns.stamp)
    digest = inputs_digest(Path(ns.package_dir), ns.instance, ns.runtime)
    if up_to_date(stamp, digest, Path(ns.package_dir), ns.instance):
        os.utime(stamp)  # newer than the relinked library: ninja considers the step done
        return 0
    from tt_build.build.progress import event_line  # noqa: PLC0415
    from tt_build.runtime.loader import KernelError  # noqa: PLC0415

    try:
        seconds = warm(Path(ns.package_dir), Path(ns.library), ns.instance)
    except (KernelError, ImportError, OSError, ValueError, TypeError) as exc:
        print(f"error: precompiling the device kernels of {ns.instance} failed: {exc}", file=sys.stderr)
        return 1
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(f"{seconds:.3f} {digest}\n", encoding="utf-8")
    print(event_line(ns.instance, "warmed", seconds, " (device kernels precompiled)"), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
