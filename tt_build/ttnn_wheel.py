"""Download (once, cached) and unpack the PyPI ``ttnn`` wheel that carries the real device headers.

The headers are read at test/check time only; nothing from the wheel is copied into this repository.
Cache: ``$TT_BUILD_TTNN_CACHE`` or ``~/.cache/tt-build/ttnn-<version>``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from tt_build.errors import ToolError

__all__ = ["TTNN_VERSION", "ensure_ttnn", "tt_metal_root"]

TTNN_VERSION = "0.81.1"


def _cache_root() -> Path:
    env = os.environ.get("TT_BUILD_TTNN_CACHE")
    if env:
        return Path(env)
    return Path.home() / ".cache" / "tt-build" / f"ttnn-{TTNN_VERSION}"


def ensure_ttnn() -> Path:
    """Return the directory holding the unpacked ``ttnn`` package (downloads it on first use)."""
    root = _cache_root()
    done = root / ".complete"
    if done.exists():
        return root / "ttnn"
    root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root.parent, prefix=".ttnn-dl-") as tmp:
        cmd = [
            sys.executable, "-m", "pip", "download", "--no-deps", "--python-version", "3.10",
            "--only-binary=:all:", f"ttnn=={TTNN_VERSION}", "-d", tmp, "-q",
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise ToolError(cmd, proc.returncode, proc.stdout + proc.stderr)
        wheel = next(Path(tmp).glob("ttnn-*.whl"))
        stage = Path(tmp) / "unpacked"
        with zipfile.ZipFile(wheel) as zf:
            members = [m for m in zf.namelist() if m.startswith(("ttnn/tt_metal/", "ttnn/ttnn/operations/", "ttnn/ttnn/cpp/"))]
            zf.extractall(stage, members)
        if root.exists():
            shutil.rmtree(root)
        # rename is atomic: a concurrent or interrupted download never leaves a half tree behind
        os.replace(stage, root)
        done.write_text(TTNN_VERSION)
    return root / "ttnn"


def tt_metal_root() -> Path:
    """``.../ttnn/tt_metal`` of the unpacked wheel."""
    return ensure_ttnn() / "tt_metal"
