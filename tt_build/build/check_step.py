"""Build step of ``sdk = "metalium"``: type-check one instance's kernels against the real SDK.

``python -m tt_build.build.check_step --root DIR --instance-dir DIR --stamp FILE``

Compiles the emitted reader/writer (and, with an SFPI include directory, compute) kernels the way
the TT-Metalium JIT does, in syntax-only mode, against the device headers under ``--root``
(``$TT_METAL_HOME``: a TT-Metalium source tree, or the ``ttnn`` wheel's package directory, which
has the same layout). Writes the stamp only when every kernel passes; prints the compiler's
diagnostics and exits 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tt_build.build.check_step")
    p.add_argument("--root", required=True, help="TT-Metalium root (TT_METAL_HOME)")
    p.add_argument("--instance-dir", required=True)
    p.add_argument("--stamp", required=True)
    ns = p.parse_args(argv)
    from tt_build.check import check_emitted_dir  # noqa: PLC0415
    from tt_build.errors import TTBuildError  # noqa: PLC0415

    name = Path(ns.instance_dir).name
    try:
        report = check_emitted_dir(ns.instance_dir, ttnn_root=Path(ns.root))
    except TTBuildError as exc:
        print(exc.user_message(), file=sys.stderr)
        print(f"tt-build: {name}: kernels rejected by the TT-Metalium headers in {ns.root}", file=sys.stderr)
        return 1
    checked = ", ".join(f"{k.role} {k.status}" for k in report.kernels)
    print(f"tt-build: {name:<24} checked  ({checked})", flush=True)
    stamp = Path(ns.stamp)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(checked + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
