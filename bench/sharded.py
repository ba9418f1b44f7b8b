#!/usr/bin/env python3
"""Element-wise add with sharded vs interleaved tensors, on the mock's device-time model (estimates).

The kernel is ``add_sharded`` of ``tests/data/kernels/sharded.py`` (Z = X + Y, bf16, 32×N row blocks) at
M×N = 1024×1024 on Wormhole (8×8 cores), with all three tensors in one layout: DRAM interleaved, L1
interleaved, L1 height-sharded and L1 block-sharded (128×128 blocks). For each: the cores used, the DRAM
and core-to-core (L1) bytes the kernels moved, the modeled device time (``modeled_us`` of the mock's
``TT_MOCK_STATS``: an estimate, not a measurement) and the largest error against numpy. Host transfers
(tilize, upload, read-back) are not device time and are not counted: a sharded layout pays off when the
tensors stay in L1 between kernels.

Usage: python bench/sharded.py [--markdown]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import ml_dtypes
import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tt_build.driver import emit  # noqa: E402
from tt_build.matrix import MockRunner, default_build_dir  # noqa: E402

KERNEL = REPO / "tests" / "data" / "kernels" / "sharded.py"
M = N = 1024
CASES = [  # (label, layout, block_M, block_N)
    ("dram_interleaved", "dram_interleaved", 32, 1024),
    ("l1_interleaved", "l1_interleaved", 32, 1024),
    ("l1_height_sharded", "l1_height_sharded", 32, 1024),
    ("l1_block_sharded (128x128 blocks)", "l1_block_sharded", 128, 128),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print a markdown table")
    args = parser.parse_args()
    runner = MockRunner(default_build_dir())
    rng = np.random.default_rng(0)
    x = rng.standard_normal((M, N), dtype=np.float32).astype(ml_dtypes.bfloat16)
    y = rng.standard_normal((M, N), dtype=np.float32).astype(ml_dtypes.bfloat16)
    want = x.astype(np.float32) + y.astype(np.float32)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, layout, bm, bn in CASES:
            out = Path(tmp) / layout
            result = emit(KERNEL, "add_sharded", {"M": M, "N": N, "block_M": bm, "block_N": bn, "layout": layout},
                          f"add_{layout}", out)
            stats = Path(tmp) / f"{layout}.json"
            os.environ["TT_MOCK_STATS"] = str(stats)
            try:
                (z,) = runner.run(out, [x, y])
            finally:
                del os.environ["TT_MOCK_STATS"]
            w = json.loads(stats.read_text())["workloads"][-1]
            t = w["totals"]
            err = float(np.abs(z.astype(np.float32) - want).max() / np.abs(want).max())
            rows.append((label, len(result.manifest["work_partition"]), t["dram_read_bytes"], t["dram_write_bytes"],
                         t["l1_read_bytes"], t["l1_write_bytes"], w["modeled_us"], err))
    mib = 1024 * 1024
    if args.markdown:
        print("| layout (X, Y, Z) | cores | DRAM read MiB | DRAM write MiB | L1 read MiB | L1 write MiB | "
              "modeled µs (est.) | max rel err |")
        print("|---|---|---|---|---|---|---|---|")
        for label, cores, dr, dw, lr, lw, us, err in rows:
            print(f"| {label} | {cores} | {dr / mib:.2f} | {dw / mib:.2f} | {lr / mib:.2f} | {lw / mib:.2f} | "
                  f"{us:.1f} | {err:.2e} |")
    else:
        for r in rows:
            print(*r)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
