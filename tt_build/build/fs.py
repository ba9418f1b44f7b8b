"""File-system helpers: atomic writes that skip unchanged content, and an advisory file lock."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import signal
import tempfile
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["KILL_ENV", "FileLock", "atomic_write", "copy_if_changed", "kill_point", "remove_tree", "sha256_file"]

#: Deterministic interruption hook (tests; docs/user-guide.md, "Interrupted builds"): a comma-separated
#: list of kill points; a process reaching one of them SIGKILLs itself there, as a power cut would.
KILL_ENV = "TT_BUILD_KILL_AT"
#: File the hook appends the point's name to before the kill (tests wait for it).
KILL_MARKER_ENV = "TT_BUILD_KILL_MARKER"
#: Every kill point: where in the build each one is (stage boundaries of the build).
KILL_POINTS = {
    "lowered": "an instance is lowered into a cache staging directory, nothing published yet",
    "publish": "inside publishing: files and meta.json staged, COMMIT not yet written",
    "install": "after the first file of an instance is installed into the build tree, before its manifest",
    "compile": "mid-compile: the compiler launcher has written a partial object file",
    "wheel-store": "the wheel is copied into .tt-build/wheels for reuse, its record not yet written",
}


def kill_point(name: str) -> None:
    """SIGKILL this process if ``$TT_BUILD_KILL_AT`` names ``name`` (a no-op otherwise)."""
    wanted = os.environ.get(KILL_ENV)
    if not wanted or name not in wanted.split(","):
        return
    marker = os.environ.get(KILL_MARKER_ENV)
    if marker:
        with open(marker, "a", encoding="utf-8") as f:
            f.write(name + "\n")
    os.kill(os.getpid(), signal.SIGKILL)


def sha256_file(path: Path) -> str:
    import hashlib  # noqa: PLC0415

    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def atomic_write(path: Path, data: bytes | str) -> bool:
    """Write ``data`` to ``path`` atomically (temp file + ``os.replace``), only if it changed.

    Returns True if the file was (re)written. Readers never see a partial file, and an
    unchanged file keeps its mtime so ``restat`` can prune downstream work.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    path = Path(path)
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)  # atomic on POSIX within one file system
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return True


def copy_if_changed(src: Path, dst: Path) -> bool:
    """Atomically copy ``src`` to ``dst`` unless ``dst`` already has the same bytes."""
    return atomic_write(dst, Path(src).read_bytes())


def remove_tree(path: Path) -> None:
    """Remove a directory: rename it aside first (atomic), then delete the renamed copy."""
    path = Path(path)
    if not path.exists():
        return
    trash = path.with_name(f".trash-{path.name}-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        os.replace(path, trash)
    except OSError:
        trash = path
    shutil.rmtree(trash, ignore_errors=True)


class FileLock:
    """Exclusive advisory lock (``fcntl.flock``) on a lock file; released when the process dies."""

    def __init__(self, path: Path, timeout: float = 600.0) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self._fd: int | None = None

    def acquire(self, on_wait: Callable[[], None] | None = None) -> None:
        """Take the lock; ``on_wait`` is called once if another process holds it (then wait)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    os.close(fd)
                    raise
                if on_wait is not None:
                    on_wait()
                    on_wait = None
                if time.monotonic() > deadline:
                    os.close(fd)
                    msg = f"timed out after {self.timeout:.0f} s waiting for lock {self.path}"
                    raise TimeoutError(msg) from None
                time.sleep(0.02)
            else:
                self._fd = fd
                return

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    @contextlib.contextmanager
    def held(self, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
        self.acquire(on_wait)
        try:
            yield
        finally:
            self.release()
