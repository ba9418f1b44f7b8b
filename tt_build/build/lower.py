"""The per-instance lowering step (one CMake custom command per instance runs this module).

``python -m tt_build.build.lower SPEC.json``

1. compute the cache key (:mod:`tt_build.build.fingerprint`);
2. on a hit, take the entry's files; on a miss, take the key's lock, lower the instance with
   :func:`tt_build.driver.emit` into a staging directory inside the cache and publish it
   atomically (:class:`~tt_build.build.cache.LoweringCache`);
3. install the files into the instance's output directory, each atomically and only when its
   content changed (so ninja's ``restat`` prunes the C++ compiles), ``manifest.json`` last;
4. write the depfile (the kernel file and every local module it imports).

A user error (bad kernel, bad instance) prints the clean message (``file:line:col: error: ...``)
and exits with status 1; nothing in the output directory or the cache is touched.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from tt_build.build.cache import LoweringCache, encode_key
from tt_build.build.fingerprint import KeyParts, key_parts
from tt_build.build.fs import atomic_write, copy_if_changed, kill_point
from tt_build.errors import ConfigError, TTBuildError

__all__ = ["ROLE_FILES", "lower_instance", "main"]

#: Emitted roles and their file names inside an instance's output directory.
ROLE_FILES = {"reader": "reader.cpp", "compute": "compute.cpp", "writer": "writer.cpp", "host": "host.cpp",
              "manifest": "manifest.json"}
#: Test seam: ``module:function`` used instead of :func:`tt_build.driver.emit` (tests only).
EMITTER_ENV = "TT_BUILD_TEST_EMITTER"
KEY_FILE = ".tt-key.json"


def _emitter() -> Any:
    spec = os.environ.get(EMITTER_ENV)
    if spec:
        mod, _, fn = spec.partition(":")
        return getattr(importlib.import_module(mod), fn)
    from tt_build.driver import emit  # noqa: PLC0415 - heavy import, only on a cache miss

    return emit


def _event(path: str | None, record: dict[str, Any]) -> None:
    if not path:
        return
    record["run"] = os.environ.get("TT_BUILD_RUN_ID", "")
    line = (json.dumps(record) + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)  # one O_APPEND write: lines from parallel steps never interleave
    finally:
        os.close(fd)


def _explain(name: str, out_dir: Path, parts: KeyParts) -> str:
    try:
        prev = json.loads((out_dir / KEY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "no previous build of this instance in this build directory"
    changed = []
    for k in sorted(set(prev) | set(parts)):
        if prev.get(k) == parts.get(k):
            continue
        if k == "source" and isinstance(prev.get(k), dict):
            old, new = prev[k], parts[k]
            files = sorted(f for f in set(old) | set(new) if old.get(f) != new.get(f))
            changed.append("source " + ", ".join(files))
        else:
            changed.append(k)
    return "changed: " + ", ".join(changed) if changed else "key unchanged (output files were missing or stale)"


def _dyn_deps_ok(meta: dict[str, Any], root: Path) -> bool:
    for rel, digest in meta.get("extra_deps", {}).items():
        p = root / rel
        try:
            if hashlib.sha256(p.read_bytes()).hexdigest() != digest:
                return False
        except OSError:
            return False
    return True


def lower_instance(spec: dict[str, Any]) -> dict[str, Any]:
    """Run the step for one instance spec; returns the event record."""
    t0 = time.perf_counter()
    from tt_build.build.names import instance_name_problem  # noqa: PLC0415 - light module

    name = spec["name"]
    problem = instance_name_problem(name)
    if problem is not None:
        msg = f"instance name {problem}"
        raise ConfigError(msg)
    source = Path(spec["source"]).resolve()
    out_dir = Path(spec["out_dir"])
    if out_dir.name != name:
        msg = f"output directory {out_dir} does not belong to instance {name}"
        raise ConfigError(msg)
    parts = key_parts(name=name, source=source, factory=spec.get("factory"), args=spec.get("args", {}),
                      sdk=spec["sdk"], arch=spec["arch"], options=spec.get("options", {}))
    key = encode_key(parts.digest())
    cache = LoweringCache(Path(spec["cache_dir"]))
    why = _explain(name, out_dir, parts) if os.environ.get("TT_BUILD_EXPLAIN") else ""
    root = source.parent

    required = tuple(ROLE_FILES.values())
    entry = cache.lookup(key, parts, required)
    if entry is not None and not _dyn_deps_ok(entry.meta, root):
        entry = None
    action = "cached"
    if entry is None:
        with cache.lock(key).held():
            entry = cache.lookup(key, parts, required)  # another build may have published it meanwhile
            if entry is not None and not _dyn_deps_ok(entry.meta, root):
                entry = None
            if entry is None:
                action = "lowered"
                emit = _emitter()
                options = dict(spec.get("options", {}))
                options.setdefault("arch", spec["arch"])
                options.setdefault("sdk", spec["sdk"])
                with cache.staging() as staged:
                    result = emit(source, spec.get("factory"), dict(spec.get("args", {})), name, staged,
                                  options=options)
                    names = []
                    for role, fname in ROLE_FILES.items():
                        produced = Path(result.files[role]) if role in result.files else None
                        if produced is None or not produced.is_file():
                            msg = f"{name}: the compiler produced no {role} file"
                            raise TTBuildError(msg)
                        if produced.resolve() != (staged / fname).resolve():
                            (staged / fname).write_bytes(produced.read_bytes())
                        names.append(fname)
                    static = set(parts["source"])
                    extra = {}
                    for dep in result.deps:
                        dep = Path(dep).resolve()
                        try:
                            rel = str(dep.relative_to(root))
                        except ValueError:
                            continue
                        if rel not in static and dep.is_file():
                            extra[rel] = hashlib.sha256(dep.read_bytes()).hexdigest()
                    meta = {"key_parts": parts, "extra_deps": extra, "instance": name,
                            "lower_seconds": round(time.perf_counter() - t0, 4)}
                    kill_point("lowered")
                    entry = cache.publish(key, staged, names, meta, inputs=parts)

    # Install into the build tree: each file atomically, only if changed; manifest last.
    changed = []
    for role, fname in ROLE_FILES.items():
        if role == "manifest":
            continue
        if copy_if_changed(entry.file(fname), out_dir / fname):
            changed.append(fname)
        kill_point("install")  # some files of the instance installed, its manifest not yet
    if copy_if_changed(entry.file(ROLE_FILES["manifest"]), out_dir / ROLE_FILES["manifest"]):
        changed.append(ROLE_FILES["manifest"])
    atomic_write(out_dir / KEY_FILE, json.dumps(parts, sort_keys=True, indent=1, default=str))

    deps = [root / rel for rel in parts["source"]] + [root / rel for rel in entry.meta.get("extra_deps", {})]
    depfile = spec.get("depfile")
    if depfile:
        target = _ninja_path(out_dir / ROLE_FILES["host"], spec.get("ninja_root", ""))
        body = _escape(target) + ": " + " \\\n  ".join(_escape(str(d)) for d in deps) + "\n"
        atomic_write(Path(depfile), body)
    seconds = time.perf_counter() - t0
    record = {"instance": name, "step": "lower", "action": action, "seconds": round(seconds, 4),
              "changed": changed, "key": key, "why": why}
    return record


def _ninja_path(path: Path, ninja_root: str) -> str:
    """``path`` as Ninja names it: relative to the top-level build directory when inside it.

    Ninja reads the depfile directly (CMP0116 OLD, see cmake/kernel_rules) and checks that it
    names the step's first output exactly as the build file does.
    """
    if ninja_root:
        try:
            return str(Path(path).relative_to(ninja_root))
        except ValueError:
            pass
    return str(path)


def _escape(path: str) -> str:
    return path.replace("\\", "\\\\").replace(" ", "\\ ").replace("#", "\\#").replace("$", "$$")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m tt_build.build.lower SPEC.json", file=sys.stderr)
        return 2
    spec = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    try:
        record = lower_instance(spec)
    except TTBuildError as exc:
        print(exc.user_message(), file=sys.stderr)
        print(f"tt-build: {spec.get('name')}: lowering failed", file=sys.stderr)
        return 1
    except TimeoutError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a file-system failure (read-only cache, name too long, full disk): one line
        print(f"error: {spec.get('name')}: {exc.strerror or exc}: {exc.filename}", file=sys.stderr)
        print(f"tt-build: {spec.get('name')}: lowering failed", file=sys.stderr)
        return 1
    _event(spec.get("events"), record)
    detail = f" ({record['why']})" if record["why"] else ""
    unchanged = "" if record["changed"] else ", outputs unchanged"
    print(f"tt-build: {record['instance']:<24} {record['action']:<8} {record['seconds']:6.2f} s{unchanged}{detail}",
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
