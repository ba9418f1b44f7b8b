"""Crash isolation of the runtime loader: a kernel that faults (null dereference, wild write, stack
overflow, abort(), endless loop) raises KernelError naming the core, kernel and fault, and the calling
process goes on running kernels; results are the same as in-process."""

from __future__ import annotations

import concurrent.futures
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest

from tests.e2e import mock_runtime_dir
from tt_build import mock_sdk
from tt_build.errors import KernelError, TTBuildError
from tt_build.runtime.loader import KernelPackage

pytestmark = pytest.mark.compile

PROGRAMS = Path(__file__).resolve().parent / "mock_programs"
SHAPE = (32, 64)
ROLES = {"reader": "reader_binary.cpp", "writer": "writer_unary.cpp", "compute": "compute_binary.cpp"}
READER = "RISCV_1 (NCRISC) data movement"
WRITER = "RISCV_0 (BRISC) data movement"
COMPUTE = "compute (TRISC)"

# instance -> (the kernel replaced by tests/mock_programs/faults/<instance>.cpp, its processor, the fault)
FAULTS = {
    "null_deref": ("reader", READER, "SIGSEGV (invalid memory access at address 0x0)"),
    "wild_write": ("writer", WRITER, "SIGSEGV (invalid memory access at address 0xfff0)"),
    "stack_overflow": ("compute", COMPUTE,
                       "SIGSEGV (stack overflow: the kernel needs more than its 512 KiB stack; set TT_MOCK_STACK_KB "
                       "for more)"),
    "abort_reader": ("reader", READER, "SIGABRT (the kernel called abort(), e.g. through a failed assert)"),
    "endless_loop": ("compute", COMPUTE,
                     "did not finish within 2 s (TT_MOCK_TIMEOUT): an endless loop that never calls the device API?"),
}


def _manifest(symbol: str = "tt_eltwise_add_run") -> dict[str, object]:
    return {"symbol": symbol, "params": [{"name": "a", "role": "input", "shape": list(SHAPE)},
                                         {"name": "b", "role": "input", "shape": list(SHAPE)},
                                         {"name": "out", "role": "output", "shape": list(SHAPE)}]}


@pytest.fixture(scope="module")
def package_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A kernel package in the layout tt-build builds: one host library, one directory per instance."""
    root = tmp_path_factory.mktemp("isolation")
    pkg = root / "pkg"
    mock_sdk.compile_host_program([PROGRAMS / "lib_host.cpp", PROGRAMS / "pkg_host.cpp"], pkg / "_tt_kernels.so",
                                  build_dir=mock_runtime_dir(),
                                  extra_flags=["-fPIC", "-shared"])
    for name in ("sound", "no_symbol", "host_fault", *FAULTS):
        kdir = pkg / "kernels" / name
        kdir.mkdir(parents=True)
        for file in ROLES.values():
            shutil.copy(PROGRAMS / "kernels" / file, kdir / file)
        if name in FAULTS:
            shutil.copy(PROGRAMS / "faults" / f"{name}.cpp", kdir / ROLES[FAULTS[name][0]])
        symbols = {"no_symbol": "tt_no_such_run", "host_fault": "tt_host_fault_run"}
        manifest = _manifest(symbols.get(name, "tt_eltwise_add_run"))
        (kdir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return pkg


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, package_dir: Path) -> None:
    monkeypatch.setenv("TT_MOCK_KERNEL_CACHE", str(package_dir.parent / "kernel-cache"))
    monkeypatch.setenv("TT_MOCK_TIMEOUT", "2")
    monkeypatch.delenv("TT_MOCK_KERNEL_PATH", raising=False)
    monkeypatch.delenv("TT_KERNEL_ISOLATION", raising=False)


@pytest.fixture
def package(env: None, package_dir: Path) -> KernelPackage:
    del env
    pkg = KernelPackage(package_dir, ("sound", "no_symbol", "host_fault", *FAULTS))
    yield pkg
    pkg.close()


def _inputs(dtype: type = np.float32) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    a, b = (rng.standard_normal(SHAPE).astype(np.float32) for _ in range(2))
    return a.astype(dtype), b.astype(dtype)


def _expected(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    bf16 = ml_dtypes.bfloat16
    return (a.astype(bf16).astype(np.float32) + b.astype(bf16).astype(np.float32)).astype(bf16)


def _check_sound(pkg: KernelPackage) -> None:
    a, b = _inputs()
    out = pkg.kernels["sound"](a, b)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, _expected(a, b).astype(np.float32))


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_fault_raises_kernel_error_and_the_process_runs_on(package: KernelPackage, package_dir: Path,
                                                           name: str) -> None:
    _check_sound(package)
    first = package.device_pid
    role, processor, fault = FAULTS[name]
    kernel = package_dir / "kernels" / name / ROLES[role]
    with pytest.raises(KernelError) as info:
        package.kernels[name](*_inputs())
    assert str(info.value) == f"{name}: TT-Metalium mock: core (0,0) {processor} kernel '{kernel}': {fault}"
    assert isinstance(info.value, TTBuildError) and isinstance(info.value, RuntimeError)
    assert package.device_pid is None  # the device process died with the kernel ...
    _check_sound(package)  # ... and the next call runs in a new one
    assert package.device_pid not in (None, first)


def test_isolated_results_match_in_process(package: KernelPackage, package_dir: Path) -> None:
    inproc = KernelPackage(package_dir, ("sound",), isolation="off")
    for dtype in (np.float32, ml_dtypes.bfloat16):
        a, b = _inputs(dtype)
        got, ref = package.kernels["sound"](a, b), inproc.kernels["sound"](a, b)
        assert got.dtype == ref.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(got.astype(np.float32), ref.astype(np.float32))
        np.testing.assert_array_equal(got.astype(np.float32), _expected(a, b).astype(np.float32))
    # a non-contiguous float32 view converts like a contiguous copy
    a, b = _inputs()
    wide = np.zeros((SHAPE[0], SHAPE[1] * 2), np.float32)
    wide[:, ::2] = a
    np.testing.assert_array_equal(package.kernels["sound"](wide[:, ::2], b), inproc.kernels["sound"](a, b))


def test_run_raw_copies_through_the_device_process(package: KernelPackage) -> None:
    kernel = package.kernels["sound"]
    a, b = _inputs(ml_dtypes.bfloat16)
    bufs = [ctypes.create_string_buffer(a.tobytes(), a.nbytes), ctypes.create_string_buffer(b.tobytes(), b.nbytes),
            ctypes.create_string_buffer(a.nbytes)]
    kernel.run_raw([ctypes.addressof(bufs[0]), ctypes.addressof(bufs[1])], [ctypes.addressof(bufs[2])])
    out = np.frombuffer(bufs[2].raw, dtype=ml_dtypes.bfloat16).reshape(SHAPE)
    np.testing.assert_array_equal(out.astype(np.float32), _expected(a, b).astype(np.float32))


def test_device_process_killed_between_calls_is_replaced(package: KernelPackage) -> None:
    _check_sound(package)
    pid = package.device_pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)  # dead (the package reaps it)
    _check_sound(package)
    assert package.device_pid not in (None, pid)


def test_missing_symbol_is_a_kernel_error(package: KernelPackage) -> None:
    with pytest.raises(KernelError) as info:
        package.kernels["no_symbol"](*_inputs())
    assert str(info.value) == "no_symbol: the kernel library has no symbol tt_no_such_run (stale build?)"
    _check_sound(package)


def test_host_program_fault_is_a_kernel_error(package: KernelPackage) -> None:
    with pytest.raises(KernelError) as info:
        package.kernels["host_fault"](*_inputs())
    assert str(info.value) == ("host_fault: the device process died with SIGSEGV while no kernel was running (a "
                               "fault in the host program, or in memory a kernel corrupted earlier)")
    _check_sound(package)


def test_isolation_mode_is_validated(env: None, package_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    del env
    monkeypatch.setenv("TT_KERNEL_ISOLATION", "thread")
    with pytest.raises(ValueError, match=r"^TT_KERNEL_ISOLATION='thread': use one of process, off$"):
        KernelPackage(package_dir, ("sound",))
    monkeypatch.setenv("TT_KERNEL_ISOLATION", "off")
    assert KernelPackage(package_dir, ("sound",)).isolation == "off"


def test_in_process_fault_is_named_on_stderr(env: None, package_dir: Path) -> None:
    """Without isolation the process dies, but the mock's handler first names the kernel on stderr."""
    del env
    code = ("import numpy as np; from tt_build.runtime.loader import KernelPackage\n"
            f"p = KernelPackage({str(package_dir)!r}, ('null_deref',), isolation='off')\n"
            "p.kernels['null_deref'](np.zeros((32, 64), np.float32), np.zeros((32, 64), np.float32))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == -signal.SIGSEGV
    kernel = package_dir / "kernels" / "null_deref" / "reader_binary.cpp"
    assert proc.stderr.splitlines()[0] == (f"TT-Metalium mock: core (0,0) {READER} kernel '{kernel}': "
                                           "SIGSEGV (invalid memory access at address 0x0)")


def test_mock_settings_changed_between_calls_reach_the_device_process(package: KernelPackage, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _check_sound(package)  # the device process runs ...
    stats = tmp_path / "stats.json"
    monkeypatch.setenv("TT_MOCK_STATS", str(stats))  # ... before the caller asks for counters
    _check_sound(package)
    (workload,) = json.loads(stats.read_text(encoding="utf-8"))["workloads"]
    assert workload["totals"]["cores"] == 1
    assert workload["totals"]["tiles"]["add"] == SHAPE[0] * SHAPE[1] // 1024


def test_forked_caller_gets_its_own_device_process(env: None, package_dir: Path) -> None:
    """A fork of the caller (multiprocessing's default on Linux) must not share the caller's device process
    or shared memory: both go on computing correct results."""
    del env
    code = f"""
import os, sys, numpy as np, ml_dtypes
from tt_build.runtime.loader import KernelPackage
p = KernelPackage({str(package_dir)!r}, ('sound',))
rng = np.random.default_rng(os.getpid())
def check():
    a, b = (rng.standard_normal((32, 64)).astype(np.float32) for _ in range(2))
    bf = ml_dtypes.bfloat16
    want = (a.astype(bf).astype(np.float32) + b.astype(bf).astype(np.float32)).astype(bf).astype(np.float32)
    assert (p.kernels['sound'](a, b) == want).all()
    return p.device_pid
first = check()
child = os.fork()
if child == 0:
    os._exit(0 if check() not in (None, first) else 3)
mine = check()
_, status = os.waitpid(child, 0)
print(mine == first, os.waitstatus_to_exitcode(status))
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["True", "0"]


def test_device_process_ends_with_its_caller(env: None, package_dir: Path) -> None:
    """A caller that dies without cleaning up (os._exit, SIGKILL) leaves no device process behind."""
    del env
    code = ("import os, numpy as np; from tt_build.runtime.loader import KernelPackage\n"
            f"p = KernelPackage({str(package_dir)!r}, ('sound',))\n"
            "p.kernels['sound'](np.zeros((32, 64), np.float32), np.zeros((32, 64), np.float32))\n"
            "print(p.device_pid, flush=True)\n"
            "os._exit(0)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    pid = int(proc.stdout)
    deadline = time.monotonic() + 30
    while Path(f"/proc/{pid}").exists() and "Z" not in _state(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{pid}").exists() or "Z" in _state(pid)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"


def test_device_process_started_from_a_thread_outlives_the_thread(package: KernelPackage) -> None:
    """A package first called from a short-lived thread keeps its device process when the thread ends."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(_check_sound, package).result()
        pid = package.device_pid
    time.sleep(0.5)
    _check_sound(package)
    assert package.device_pid == pid
