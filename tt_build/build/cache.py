"""Content-addressed lowering cache (Triton's ``FileCacheManager``, with types and a real lock).

Layout under the cache root::

    v1/entries/<k[:2]>/<k>/     one entry: the emitted files, meta.json, COMMIT (written last)
    v1/tmp/<pid>-<uuid>/        staging directories (a crash leaves only these behind)
    v1/locks/<k>.lock           per-key lock so concurrent builds lower an instance once

An entry is *published* by filling a staging directory, writing ``COMMIT`` (the sha256 of every
file) last, and renaming the directory into place with ``os.replace``; a rename within one file
system is atomic, so readers see either no entry or a complete one. A lookup hits only if
``COMMIT`` exists and every file matches its recorded hash; anything else (a truncated file, a
missing file, an unreadable marker) is a corrupted entry: it is removed and the lookup misses.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tt_build.build.fs import FileLock, remove_tree, sha256_file
from tt_build.errors import CacheError

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["CacheEntry", "LoweringCache", "default_cache_dir", "encode_key"]

COMMIT = "COMMIT"
META = "meta.json"
_VERSION = "v1"


def encode_key(digest: bytes) -> str:
    """Base32 form of a digest (shorter than hex, safe as a file name)."""
    return base64.b32encode(digest).decode("ascii").rstrip("=").lower()


def default_cache_dir(project_dir: Path, configured: str = "") -> Path:
    """``cache-dir`` setting, else ``$TT_BUILD_CACHE_DIR``, else ``<project>/.tt-build/cache``."""
    if configured:
        p = Path(os.path.expanduser(configured))
        return p if p.is_absolute() else (Path(project_dir) / p).resolve()
    env = os.environ.get("TT_BUILD_CACHE_DIR")
    if env:
        return Path(env).resolve()
    return (Path(project_dir) / ".tt-build" / "cache").resolve()


@dataclass(frozen=True)
class CacheEntry:
    """A committed, verified cache entry."""

    key: str
    path: Path
    files: dict[str, str]
    meta: dict[str, Any]

    def file(self, name: str) -> Path:
        return self.path / name


class LoweringCache:
    """The lowering cache rooted at ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.base = self.root / _VERSION

    # -- paths ---------------------------------------------------------------------------
    def entry_dir(self, key: str) -> Path:
        return self.base / "entries" / key[:2] / key

    def lock(self, key: str) -> FileLock:
        return FileLock(self.base / "locks" / f"{key}.lock")

    # -- lookup --------------------------------------------------------------------------
    def lookup(self, key: str) -> CacheEntry | None:
        """The committed entry for ``key``, or None (a corrupted entry is removed)."""
        d = self.entry_dir(key)
        marker = d / COMMIT
        if not d.is_dir():
            return None
        try:
            commit = json.loads(marker.read_text(encoding="utf-8"))
            files = commit["files"]
            if not isinstance(files, dict):
                raise TypeError("files")  # noqa: TRY301
            for name, digest in files.items():
                if "/" in name or name.startswith(".") or sha256_file(d / name) != digest:
                    raise ValueError(name)  # noqa: TRY301
            meta = json.loads((d / META).read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            # No COMMIT: a crash between rename and... cannot happen (COMMIT is written before
            # the rename), so this is a damaged entry: drop it and rebuild.
            remove_tree(d)
            return None
        with contextlib.suppress(OSError):
            os.utime(marker)  # last-use time, for `tt-build cache clean --older-than`
        return CacheEntry(key=key, path=d, files=files, meta=meta)

    # -- publish -------------------------------------------------------------------------
    @contextlib.contextmanager
    def staging(self) -> Iterator[Path]:
        """A fresh staging directory inside the cache (same file system as the entries)."""
        tmp = self.base / "tmp" / f"{os.getpid()}-{uuid.uuid4().hex}"
        try:
            tmp.mkdir(parents=True)
        except OSError as exc:
            msg = f"cannot create cache staging directory {tmp}: {exc.strerror}"
            raise CacheError(msg) from None
        try:
            yield tmp
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def publish(self, key: str, staged: Path, files: list[str], meta: dict[str, Any]) -> CacheEntry:
        """Commit ``files`` of the staging dir ``staged`` as the entry for ``key``."""
        (staged / META).write_text(json.dumps(meta, indent=1, sort_keys=True, default=str), encoding="utf-8")
        digests = {name: sha256_file(staged / name) for name in files}
        digests[META] = sha256_file(staged / META)
        # The commit marker is written last: an entry without it is never trusted.
        (staged / COMMIT).write_text(json.dumps({"files": digests, "time": time.time()}), encoding="utf-8")
        dest = self.entry_dir(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists():
            remove_tree(dest)  # damaged (lookup missed under the lock), replace it
        try:
            # Atomic: rename(2) of a directory onto a missing path on the same file system.
            os.replace(staged, dest)
        except OSError as exc:
            if self.lookup(key) is None:
                msg = f"cannot publish cache entry {dest}: {exc.strerror}"
                raise CacheError(msg) from None
        entry = self.lookup(key)
        if entry is None:
            msg = f"cache entry {dest} vanished right after publishing"
            raise CacheError(msg)
        return entry

    # -- maintenance ---------------------------------------------------------------------
    def entries(self) -> list[Path]:
        root = self.base / "entries"
        if not root.is_dir():
            return []
        return sorted(p for shard in root.iterdir() if shard.is_dir() for p in shard.iterdir() if p.is_dir())

    def info(self) -> dict[str, Any]:
        entries = self.entries()
        size = 0
        committed = 0
        for e in entries:
            committed += (e / COMMIT).is_file()
            for f in e.iterdir():
                with contextlib.suppress(OSError):
                    size += f.stat().st_size
        tmp = self.base / "tmp"
        stale_tmp = len(list(tmp.iterdir())) if tmp.is_dir() else 0
        return {"root": str(self.root), "entries": len(entries), "committed": committed, "bytes": size,
                "staging_dirs": stale_tmp}

    def clean(self, older_than: float | None = None) -> int:
        """Remove entries (all, or those unused for ``older_than`` seconds) and stale staging dirs."""
        removed = 0
        now = time.time()
        for e in self.entries():
            marker = e / COMMIT
            try:
                age = now - marker.stat().st_mtime
            except OSError:
                age = float("inf")
            if older_than is None or age > older_than:
                remove_tree(e)
                removed += 1
        tmp = self.base / "tmp"
        if tmp.is_dir():
            for d in tmp.iterdir():
                pid = d.name.split("-", 1)[0]
                if pid.isdigit() and _alive(int(pid)) and older_than is not None:
                    continue
                shutil.rmtree(d, ignore_errors=True)
        return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def digest_files(paths: list[Path]) -> dict[str, str]:
    return {str(p): hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths}
