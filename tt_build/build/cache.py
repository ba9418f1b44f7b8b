"""Content-addressed lowering cache (Triton's ``FileCacheManager``, with types and a real lock).

Layout under the cache root::

    v1/entries/<k[:2]>/<k>/     one entry: the emitted files, meta.json, COMMIT (written last)
    v1/tmp/<pid>-<uuid>/        staging directories (a crash leaves only these behind)
    v1/locks/<k>.lock           per-key lock so concurrent builds lower an instance once

An entry is *published* by filling a staging directory, writing ``COMMIT`` last, and renaming the
directory into place with ``os.replace``; a rename within one file system is atomic, so readers see
either no entry or a complete one. ``COMMIT`` records the key, the inputs the key was computed from,
the tt-build version that wrote it, the sha256 of every file and a sha256 of its own content.

A lookup hits only if the entry *proves it is the entry for this key*: ``COMMIT`` parses and its own
digest matches, it names this key and this tt-build version, the recorded inputs hash to the key
(and equal the caller's inputs, when given), it lists every required file, and every listed file
matches its hash. Anything else (entries swapped between keys, a truncated file, an empty file list,
an entry of another tt-build version) is a miss: the entry is removed, a one-line warning says why,
and the instance is lowered again.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tt_build import __version__
from tt_build.build.fs import FileLock, kill_point, remove_tree, sha256_file
from tt_build.errors import CacheError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["CacheEntry", "LoweringCache", "check_cache_dir", "default_cache_dir", "encode_key"]

COMMIT = "COMMIT"
META = "meta.json"
_VERSION = "v1"
#: Layout of ``COMMIT``; an entry with another format is a miss.
COMMIT_FORMAT = 2


class _Mismatch(Exception):  # noqa: N818 - internal control flow
    """The entry on disk is not a valid entry for the key looked up (the message says why)."""


def _commit_digest(record: dict[str, Any]) -> str:
    body = {k: v for k, v in record.items() if k != "self"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


def _inputs_digest(inputs: object) -> str:
    """The key a recorded set of inputs hashes to (same encoding as ``KeyParts.digest``)."""
    blob = json.dumps(inputs, sort_keys=True, separators=(",", ":"), default=str).encode()
    return encode_key(hashlib.sha256(blob).digest())


def _warn(message: str) -> None:
    print(f"tt-build: warning: {message}", file=sys.stderr, flush=True)


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


def check_cache_dir(root: Path) -> Path:
    """Create the cache directory ``root`` if needed and prove it writable; a clean
    :class:`CacheError` otherwise (a file in its place, a read-only file system, no permission)."""
    root = Path(root)
    hint = "set [tool.tt-build] cache-dir or TT_BUILD_CACHE_DIR to a writable directory"
    if root.exists() and not root.is_dir():
        msg = f"the lowering cache directory {root} is a file, not a directory; {hint}"
        raise CacheError(msg)
    try:
        root.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=root, prefix=".write-test-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        msg = f"the lowering cache directory {root} is not usable: {exc.strerror or exc}; {hint}"
        raise CacheError(msg) from None
    return root


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

    def __init__(self, root: Path, warn: Callable[[str], None] | None = _warn) -> None:
        self.root = Path(root)
        self.base = self.root / _VERSION
        self.warn = warn

    # -- paths ---------------------------------------------------------------------------
    def entry_dir(self, key: str) -> Path:
        return self.base / "entries" / key[:2] / key

    def lock(self, key: str) -> FileLock:
        return FileLock(self.base / "locks" / f"{key}.lock")

    # -- lookup --------------------------------------------------------------------------
    def lookup(self, key: str, inputs: dict[str, Any] | None = None,
               required: tuple[str, ...] = ()) -> CacheEntry | None:
        """The committed entry for ``key``, or None.

        ``inputs``: the key's components (``KeyParts``), which the entry must have recorded;
        ``required``: files the entry must hold. An entry that fails any check is removed, with a
        one-line warning naming the entry and the reason.
        """
        d = self.entry_dir(key)
        marker = d / COMMIT
        if not d.is_dir():
            return None
        try:
            files, meta = self._verify(d, key, inputs, required)
        except _Mismatch as exc:
            if self.warn is not None:
                self.warn(f"cache entry {d} is not valid for its key ({exc}); removed, lowering again")
            remove_tree(d)
            return None
        with contextlib.suppress(OSError):
            os.utime(marker)  # last-use time, for `tt-build cache clean --older-than`
        return CacheEntry(key=key, path=d, files=files, meta=meta)

    @staticmethod
    def _verify(d: Path, key: str, inputs: dict[str, Any] | None,
                required: tuple[str, ...]) -> tuple[dict[str, str], dict[str, Any]]:
        try:
            record = json.loads((d / COMMIT).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise _Mismatch("no COMMIT marker") from None
        except (OSError, ValueError) as exc:
            raise _Mismatch(f"unreadable COMMIT: {exc}") from None
        if not isinstance(record, dict) or record.get("format") != COMMIT_FORMAT:
            raise _Mismatch("COMMIT of an unknown format")
        if record.get("self") != _commit_digest(record):
            raise _Mismatch("COMMIT does not match its own digest")
        if record.get("tt_build") != __version__:
            raise _Mismatch(f"written by tt-build {record.get('tt_build')}, this is {__version__}")
        if record.get("key") != key:
            raise _Mismatch(f"it records the key {str(record.get('key'))[:16]}..., not {key[:16]}...")
        recorded = record.get("inputs")
        if recorded is not None and _inputs_digest(recorded) != key:
            raise _Mismatch("its recorded inputs do not hash to its key")
        if inputs is not None and json.loads(json.dumps(inputs, default=str)) != recorded:
            raise _Mismatch("its recorded inputs differ from this build's")
        files = record.get("files")
        if not isinstance(files, dict) or not files:
            raise _Mismatch("COMMIT lists no files")
        missing = [f for f in (*required, META) if f not in files]
        if missing:
            raise _Mismatch(f"COMMIT does not list {', '.join(missing)}")
        for name, digest in files.items():
            if not isinstance(name, str) or "/" in name or name.startswith(".") or name == COMMIT:
                raise _Mismatch(f"COMMIT lists a bad file name {name!r}")
            try:
                actual = sha256_file(d / name)
            except OSError:
                raise _Mismatch(f"{name} is missing") from None
            if actual != digest:
                raise _Mismatch(f"{name} does not match its hash")
        try:
            meta = json.loads((d / META).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise _Mismatch(f"unreadable {META}") from None
        if not isinstance(meta, dict):
            raise _Mismatch(f"{META} is not an object")
        return files, meta

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

    def publish(self, key: str, staged: Path, files: list[str], meta: dict[str, Any],
                inputs: dict[str, Any] | None = None) -> CacheEntry:
        """Commit ``files`` of the staging dir ``staged`` as the entry for ``key`` (computed from
        ``inputs``, which the entry records so that a lookup can check it belongs to the key)."""
        if not files:
            msg = f"refusing to publish cache entry {key} without files"
            raise CacheError(msg)
        (staged / META).write_text(json.dumps(meta, indent=1, sort_keys=True, default=str), encoding="utf-8")
        digests = {name: sha256_file(staged / name) for name in files}
        digests[META] = sha256_file(staged / META)
        record: dict[str, Any] = {"format": COMMIT_FORMAT, "key": key, "tt_build": __version__, "files": digests,
                                  "time": time.time()}
        if inputs is not None:
            record["inputs"] = json.loads(json.dumps(inputs, default=str))
        record["self"] = _commit_digest(record)
        kill_point("publish")
        # The commit marker is written last: an entry without it is never trusted.
        (staged / COMMIT).write_text(json.dumps(record), encoding="utf-8")
        dest = self.entry_dir(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists():
            remove_tree(dest)  # damaged (lookup missed under the lock), replace it
        try:
            # Atomic: rename(2) of a directory onto a missing path on the same file system.
            os.replace(staged, dest)
        except OSError as exc:
            if self.lookup(key, inputs) is None:
                msg = f"cannot publish cache entry {dest}: {exc.strerror}"
                raise CacheError(msg) from None
        entry = self.lookup(key, inputs)
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

    def repair_sdk(self, remove_all: bool = False) -> int:
        """Remove staged mock SDKs (``<root>/sdk/mock-*``) and mock runtime builds that fail their hash
        check (all of them with ``remove_all``); the next build stages and builds them again."""
        from tt_build.build.discover import staged_sdk_problem  # noqa: PLC0415
        from tt_build.mock_sdk import _runtime_verified  # noqa: PLC0415

        removed = 0
        sdk = self.root / "sdk"
        if not sdk.is_dir():
            return 0
        for stage in sorted(sdk.iterdir()):
            if not stage.is_dir():
                continue
            if remove_all or stage.name.startswith(".") or staged_sdk_problem(stage) is not None:
                remove_tree(stage)
                removed += 1
                continue
            lib = stage / "lib"
            for build in sorted(lib.glob("mock-runtime-*")) if lib.is_dir() else []:
                if build.is_dir() and not _runtime_verified(build):
                    remove_tree(build)
                    removed += 1
        return removed

    def clean(self, older_than: float | None = None) -> int:
        """Remove entries (all, or those unused for ``older_than`` seconds) and stale staging dirs;
        damaged staged SDKs and runtime builds always, all of them without ``older_than``."""
        removed = 0
        self.repair_sdk(remove_all=older_than is None)
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
