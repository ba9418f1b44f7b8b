"""File-system helpers: atomic, change-aware writes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_if_changed"]


def write_if_changed(path: Path, data: str | bytes) -> bool:
    """Write ``data`` to ``path`` atomically (temp file + rename) unless it already holds exactly that.

    Returns True when the file was (re)written. Leaving an identical file untouched keeps its
    mtime, so build tools with ``restat`` skip everything downstream of it.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        if path.read_bytes() == raw:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
        # os.replace is atomic on POSIX within one file system: readers see the old or the new file.
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True
