"""Lowering cache: atomic publish, commit marker, corruption detection, locking, key components."""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from pathlib import Path

import pytest

from tt_build.build.cache import COMMIT, LoweringCache, default_cache_dir, encode_key
from tt_build.build.fingerprint import key_parts, local_imports, tt_build_fingerprint
from tt_build.build.fs import FileLock, atomic_write


def _publish(cache: LoweringCache, key: str, content: str = "x") -> None:
    with cache.lock(key).held(), cache.staging() as st:
        (st / "host.cpp").write_text(content)
        (st / "manifest.json").write_text("{}")
        cache.publish(key, st, ["host.cpp", "manifest.json"], {"instance": "i"})


def test_publish_and_lookup(tmp_path: Path) -> None:
    cache = LoweringCache(tmp_path / "c")
    assert cache.lookup("abc") is None
    _publish(cache, "abc", "int x;")
    entry = cache.lookup("abc")
    assert entry is not None and entry.file("host.cpp").read_text() == "int x;"
    assert entry.meta["instance"] == "i"
    assert not list((cache.base / "tmp").iterdir())  # staging removed
    assert cache.info()["entries"] == 1


@pytest.mark.parametrize("damage", ["truncate", "delete_file", "delete_commit", "garbage_commit"])
def test_corrupted_entry_is_dropped(tmp_path: Path, damage: str) -> None:
    cache = LoweringCache(tmp_path / "c")
    _publish(cache, "abc", "int x = 1;")
    d = cache.entry_dir("abc")
    if damage == "truncate":
        (d / "host.cpp").write_text("int x")
    elif damage == "delete_file":
        (d / "host.cpp").unlink()
    elif damage == "delete_commit":
        (d / COMMIT).unlink()
    else:
        (d / COMMIT).write_text("{not json")
    assert cache.lookup("abc") is None
    assert not d.exists()
    _publish(cache, "abc", "int x = 1;")  # rebuilt
    assert cache.lookup("abc") is not None


def test_clean(tmp_path: Path) -> None:
    cache = LoweringCache(tmp_path / "c")
    _publish(cache, "k1")
    _publish(cache, "k2")
    (cache.base / "tmp" / "999999999-dead").mkdir(parents=True)
    assert cache.clean(older_than=3600) == 0
    assert cache.clean() == 2
    assert cache.info()["entries"] == 0 and cache.info()["staging_dirs"] == 0


def _hold(path: str, seconds: float, q: multiprocessing.Queue) -> None:
    with FileLock(Path(path)).held():
        q.put(time.monotonic())
        time.sleep(seconds)


def test_file_lock_excludes_other_processes(tmp_path: Path) -> None:
    q: multiprocessing.Queue = multiprocessing.Queue()
    p = multiprocessing.Process(target=_hold, args=(str(tmp_path / "l.lock"), 0.5, q))
    p.start()
    q.get(timeout=10)
    t0 = time.monotonic()
    with FileLock(tmp_path / "l.lock").held():
        waited = time.monotonic() - t0
    p.join()
    assert waited > 0.3


def test_atomic_write_keeps_mtime_when_unchanged(tmp_path: Path) -> None:
    f = tmp_path / "a.cpp"
    assert atomic_write(f, "x")
    os.utime(f, (1, 1))
    assert not atomic_write(f, "x")
    assert f.stat().st_mtime == 1
    assert atomic_write(f, "y") and f.read_text() == "y"
    assert [p.name for p in tmp_path.iterdir()] == ["a.cpp"]


def test_default_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TT_BUILD_CACHE_DIR", raising=False)
    assert default_cache_dir(tmp_path) == tmp_path / ".tt-build" / "cache"
    assert default_cache_dir(tmp_path, "c") == tmp_path / "c"
    monkeypatch.setenv("TT_BUILD_CACHE_DIR", str(tmp_path / "env"))
    assert default_cache_dir(tmp_path) == tmp_path / "env"


def _kernel_dir(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "tiles.py").write_text("T = 32\n")
    (tmp_path / "helpers.py").write_text("from pkg.tiles import T\n")
    (tmp_path / "k.py").write_text("import numpy\nfrom helpers import T\nimport os.path\n\ndef f(M):\n    return M\n")
    (tmp_path / "unrelated.py").write_text("")
    return tmp_path / "k.py"


def test_local_imports_are_followed(tmp_path: Path) -> None:
    k = _kernel_dir(tmp_path)
    names = sorted(str(p.relative_to(tmp_path)) for p in local_imports(k))
    assert names == ["helpers.py", "k.py", "pkg/__init__.py", "pkg/tiles.py"]


def test_key_changes_with_every_component(tmp_path: Path) -> None:
    k = _kernel_dir(tmp_path)
    base = dict(name="g", source=k, factory="f", args={"M": 32}, sdk="mock", arch="wormhole_b0", options={})
    key = encode_key(key_parts(**base).digest())
    assert key == encode_key(key_parts(**base).digest())  # deterministic
    variants = [dict(base, name="h"), dict(base, args={"M": 64}), dict(base, factory="g"),
                dict(base, arch="blackhole"), dict(base, options={"o": 1}), dict(base, sdk="metalium")]
    keys = {encode_key(key_parts(**v).digest()) for v in variants}
    assert key not in keys and len(keys) == len(variants)
    (tmp_path / "pkg" / "tiles.py").write_text("T = 64\n")  # a transitively imported local module
    assert encode_key(key_parts(**base).digest()) != key
    (tmp_path / "unrelated.py").write_text("x = 1\n")  # not imported: no effect
    k2 = encode_key(key_parts(**base).digest())
    (tmp_path / "unrelated.py").write_text("x = 2\n")
    assert encode_key(key_parts(**base).digest()) == k2


def test_key_is_independent_of_project_location(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for d in ("a", "b"):
        (tmp_path / d / "k.py").write_text("def f():\n    pass\n")
    ka = key_parts(name="g", source=tmp_path / "a" / "k.py", factory="f", args={}, sdk="mock", arch="wormhole_b0",
                   options={})
    kb = key_parts(name="g", source=tmp_path / "b" / "k.py", factory="f", args={}, sdk="mock", arch="wormhole_b0",
                   options={})
    assert ka.digest() == kb.digest()
    assert json.loads(json.dumps(ka))["tt_build"].endswith(tt_build_fingerprint())
