"""Reuse the last wheel of an unchanged project (the no-op path of an isolated ``pip install .``).

pip builds every isolated ``pip install .`` in a new temporary environment, and scikit-build-core
then resets its CMake cache; even with nothing to recompile, configuring CMake and packaging
again costs more than everything else in a no-op rebuild. A zero-config kernel project has
known inputs, so :func:`build_key` can spell them out (Triton-cache style) and the backend can
return the previous wheel when the key is unchanged:

* every file of the project directory outside its build, cache and hidden directories
  (path and content);
* tt-build itself (version, compiler, templates, CMake files: :func:`tt_build_fingerprint`),
  the mock SDK's content and scikit-build-core's version;
* the interpreter and platform (the wheel tag), the C++ compiler and CMake (``--version``);
* the config settings the build runs with, and the build-related environment variables
  (:data:`KEY_ENV_NAMES`, :data:`KEY_ENV_PREFIXES`).

Layout under ``<project>/.tt-build/wheels/``: the wheel and ``last.json`` (key, file name,
sha256), written last, so an interrupted build leaves either the previous record or none; a
stored wheel whose hash does not match is ignored (and rebuilt).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

from tt_build.build.fs import atomic_write, copy_if_changed, kill_point, sha256_file

__all__ = ["KEY_ENV_NAMES", "KEY_ENV_PREFIXES", "build_key", "remember", "reuse"]

KEY_ENV_NAMES = frozenset({"CC", "CXX", "CFLAGS", "CXXFLAGS", "CPPFLAGS", "LDFLAGS", "SOURCE_DATE_EPOCH",
                           "MACOSX_DEPLOYMENT_TARGET", "ARCHFLAGS"})
KEY_ENV_PREFIXES = ("CMAKE", "SKBUILD", "TT_BUILD_", "TT_METAL_", "TT_MOCK_", "NINJA")
#: Projects with more files than this are not hashed (a virtualenv inside the project, say).
MAX_FILES = 5000
_STORE = Path(".tt-build") / "wheels"
_RECORD = "last.json"


def _tool_version(cmd: list[str]) -> str:
    exe = shutil.which(cmd[0])
    if exe is None:
        return f"{cmd[0]}: not found"
    try:
        out = subprocess.run([exe, *cmd[1:]], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{exe}: {exc}"
    return f"{exe}\n{out.stdout}"


def _project_files(root: Path, skip: set[str]) -> list[Path] | None:
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel = Path(dirpath).relative_to(root)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__"
                             and not d.endswith(".egg-info") and (rel / d).as_posix() not in skip)
        files.extend(Path(dirpath) / f for f in sorted(filenames) if not f.endswith((".pyc", ".pyo")))
        if len(files) > MAX_FILES:
            return None
    return files


def build_key(root: Path, settings: dict[str, Any], skip_dirs: set[str]) -> str | None:
    """The key of a wheel build of the project at ``root``, or None when it cannot be computed."""
    from importlib.metadata import version  # noqa: PLC0415

    from tt_build.build.fingerprint import sdk_identity, tt_build_fingerprint  # noqa: PLC0415

    files = _project_files(root, skip_dirs)
    if files is None:
        return None
    h = hashlib.sha256()

    def add(label: str, value: str | bytes) -> None:
        h.update(label.encode() + b"\0")
        h.update(value if isinstance(value, bytes) else value.encode())
        h.update(b"\0")

    for f in files:
        add("file", f.relative_to(root).as_posix())
        add("content", f.read_bytes())
    add("tt-build", tt_build_fingerprint())
    add("mock-sdk", sdk_identity("mock", "any"))
    add("scikit-build-core", version("scikit-build-core"))
    add("python", f"{sys.implementation.cache_tag} {sysconfig.get_platform()} {sys.abiflags}")
    add("cxx", _tool_version([os.environ.get("CXX") or "c++", "--version"]))
    add("cmake", _tool_version(["cmake", "--version"]))
    add("settings", json.dumps(settings, sort_keys=True, default=str))
    env = {k: v for k, v in os.environ.items() if k in KEY_ENV_NAMES or k.startswith(KEY_ENV_PREFIXES)}
    add("env", json.dumps(env, sort_keys=True))
    return h.hexdigest()


def reuse(root: Path, key: str, wheel_directory: Path) -> str | None:
    """Copy the stored wheel into ``wheel_directory`` if it was built with ``key``; its file name."""
    store = root / _STORE
    try:
        record = json.loads((store / _RECORD).read_text(encoding="utf-8"))
        if record.get("key") != key:
            return None
        wheel = store / record["wheel"]
        if sha256_file(wheel) != record.get("sha256"):
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    wheel_directory.mkdir(parents=True, exist_ok=True)
    copy_if_changed(wheel, wheel_directory / wheel.name)
    return wheel.name


def remember(root: Path, key: str, wheel: Path) -> None:
    """Store ``wheel`` as the project's last wheel, built with ``key`` (record written last)."""
    store = root / _STORE
    store.mkdir(parents=True, exist_ok=True)
    (store / _RECORD).unlink(missing_ok=True)  # no record names a wheel while it is being replaced
    for old in store.glob("*.whl"):
        if old.name != wheel.name:
            old.unlink(missing_ok=True)
    copy_if_changed(wheel, store / wheel.name)
    kill_point("wheel-store")
    record = {"key": key, "wheel": wheel.name, "sha256": sha256_file(store / wheel.name)}
    atomic_write(store / _RECORD, json.dumps(record, indent=1))
