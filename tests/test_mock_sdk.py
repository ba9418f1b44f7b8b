"""Mock TT-Metalium SDK: hand-written kernels run on the CPU runtime and match numpy; the checker
reports planted protocol bugs with exact messages; results are deterministic; counters are exact."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest

from tests.e2e import mock_runtime_dir
from tt_build import mock_sdk
from tt_build.errors import TTBuildError

pytestmark = pytest.mark.compile

PROGRAMS = Path(__file__).resolve().parent / "mock_programs"
KERNELS = PROGRAMS / "kernels"
BUGS = PROGRAMS / "bugs"
TIMEOUT = 120  # seconds; a hang fails the test instead of blocking CI


class Mock:
    """The host programs built against the mock runtime, plus a shared kernel cache."""

    def __init__(self, root: Path, build: Path) -> None:
        self.root = root
        self.build = build
        self.cache = root / "kernel-cache"
        self.host = mock_sdk.compile_host_program([PROGRAMS / "mock_host.cpp"], root / "mock_host", build_dir=build)
        self.bug_host = mock_sdk.compile_host_program([PROGRAMS / "bug_host.cpp"], root / "bug_host", build_dir=build)

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(mock_sdk.runtime_env(self.cache))
        for key in ("TT_MOCK_STATS", "TT_MOCK_KERNEL_PATH", "TT_MOCK_CXX", "TT_MOCK_ARCH"):
            env.pop(key, None)
        env.update(extra)
        return env

    def run(self, args: list[str], cwd: Path | None = None, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(a) for a in args], env=self.env(**extra), cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT
        )


@pytest.fixture(scope="session")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Mock:
    # the runtime archive is content-addressed: test modules, workers and sessions share its build directory
    return Mock(tmp_path_factory.mktemp("mock_sdk"), mock_runtime_dir())


def bf16(x: np.ndarray) -> np.ndarray:
    return x.astype(ml_dtypes.bfloat16)


def check_close(out: np.ndarray, ref: np.ndarray) -> None:
    out = out.astype(np.float32).ravel()
    ref = ref.astype(np.float32).ravel()
    pcc = np.corrcoef(out, ref)[0, 1]
    rel = np.abs(out - ref).max() / max(np.abs(ref).max(), 1e-6)
    assert pcc >= 0.999, f"PCC {pcc}"
    assert rel <= 2e-2, f"max relative error {rel}"


def run_eltwise(mock: Mock, tmp: Path, op: int, rows: int, cols: int, ncores: int, post: str = "",
                kernels: Path = KERNELS, **env: str):
    rng = np.random.default_rng(op * 1000 + rows + cols + ncores)
    a = bf16(rng.standard_normal((rows, cols)))
    b = bf16(rng.standard_normal((rows, cols)))
    a.tofile(tmp / "a.bin")
    b.tofile(tmp / "b.bin")
    args = [mock.host, "eltwise", kernels, op, rows, cols, ncores, tmp / "a.bin", tmp / "b.bin", tmp / "out.bin"]
    if post:
        args.append(post)
    proc = mock.run(args, **env)
    assert proc.returncode == 0, proc.stderr
    out = np.fromfile(tmp / "out.bin", dtype=ml_dtypes.bfloat16).reshape(rows, cols)
    return a, b, out


def run_matmul(mock: Mock, tmp: Path, m: int, k: int, n: int, ncores: int, **env: str):
    rng = np.random.default_rng(m * 7 + k * 3 + n)
    a = bf16(rng.standard_normal((m, k)))
    b = bf16(rng.standard_normal((k, n)))
    a.tofile(tmp / "a.bin")
    b.tofile(tmp / "b.bin")
    proc = mock.run(
        [mock.host, "matmul", KERNELS, m, k, n, ncores, tmp / "a.bin", tmp / "b.bin", tmp / "out.bin"], **env
    )
    assert proc.returncode == 0, proc.stderr
    return a, b, np.fromfile(tmp / "out.bin", dtype=ml_dtypes.bfloat16).reshape(m, n)


# ---- numerics ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "ncores", "fn"),
    [(0, 1, np.add), (2, 1, np.multiply), (1, 1, np.subtract), (0, 64, np.add), (2, 5, np.multiply)],
    ids=["add-1core", "mul-1core", "sub-1core", "add-64cores", "mul-5cores"],
)
def test_eltwise_matches_numpy_bitwise(mock: Mock, tmp_path: Path, op: int, ncores: int, fn) -> None:
    a, b, out = run_eltwise(mock, tmp_path, op, 96, 160, ncores)
    ref = bf16(fn(a.astype(np.float32), b.astype(np.float32)))
    # fp32 math in DST, round-to-nearest-even to bf16 at pack: identical to numpy's rounding
    assert np.array_equal(out.view(np.uint16), ref.view(np.uint16))


@pytest.mark.parametrize(("post", "fn"), [("relu_tile", lambda x: np.maximum(x, 0)), ("exp_tile", np.exp)])
def test_eltwise_with_sfpu_post_op(mock: Mock, tmp_path: Path, post: str, fn) -> None:
    a, b, out = run_eltwise(mock, tmp_path, 0, 64, 64, 4, post)
    check_close(out, fn(a.astype(np.float32) + b.astype(np.float32)))


@pytest.mark.parametrize(("m", "k", "n", "ncores"), [(64, 128, 96, 1), (256, 256, 256, 64), (96, 64, 160, 7)])
def test_matmul_matches_numpy(mock: Mock, tmp_path: Path, m: int, k: int, n: int, ncores: int) -> None:
    a, b, out = run_matmul(mock, tmp_path, m, k, n, ncores)
    check_close(out, a.astype(np.float32) @ b.astype(np.float32))


# ---- determinism ---------------------------------------------------------------------------------


def test_same_program_twice_gives_identical_bytes(mock: Mock, tmp_path: Path) -> None:
    outs = []
    for i in range(2):
        d = tmp_path / str(i)
        d.mkdir()
        run_matmul(mock, d, 128, 96, 64, 64)
        outs.append((d / "out.bin").read_bytes())
    assert outs[0] == outs[1]


def test_same_error_text_every_run(mock: Mock) -> None:
    texts = {
        mock.run([mock.bug_host, "-", "deadlock_writer.cpp", "deadlock_compute.cpp", "0:2,16:2"], cwd=BUGS).stderr
        for _ in range(3)
    }
    assert len(texts) == 1
    assert "deadlock" in texts.pop()


# ---- planted bugs: one kernel per checker class ------------------------------------------------------

# Every message starts with this prefix and names core, processor and kernel file.
BRISC = "TT-Metalium mock: core (0,0) RISCV_0 (BRISC) data movement kernel"
TRISC = "TT-Metalium mock: core (0,0) compute (TRISC) kernel"
EMPTY_CB = "0 of 2 pages filled, 0 reserved by the producer, 0 waited by the consumer"
UNCONSUMED = (
    "TT-Metalium mock: circular buffers still hold pages when the program ends: every page pushed with cb_push_back "
    "must be popped with cb_pop_front (on the device the next program would read them as stale pages or wait forever)"
)

# case -> (bug_host arguments, the exact error text)
BUG_CASES = {
    "deadlock": (
        ["deadlock_reader.cpp", "-", "deadlock_compute.cpp", "0:2,16:2"],
        "TT-Metalium mock: deadlock: every unfinished executor is blocked\n"
        "  core (0,0) compute (TRISC) kernel 'deadlock_compute.cpp': blocked in cb_wait_front(cb=0, 2 pages): "
        "1 of 2 pages filled, 0 reserved by the producer, 0 waited by the consumer",
    ),
    "deadlock-two-waiters": (
        ["-", "deadlock_writer.cpp", "deadlock_compute.cpp", "0:2,16:2"],
        "TT-Metalium mock: deadlock: every unfinished executor is blocked\n"
        "  core (0,0) RISCV_1 (NCRISC) data movement kernel 'deadlock_writer.cpp': blocked in "
        f"cb_wait_front(cb=16, 1 pages): {EMPTY_CB}\n"
        f"  core (0,0) compute (TRISC) kernel 'deadlock_compute.cpp': blocked in cb_wait_front(cb=0, 2 pages): {EMPTY_CB}",
    ),
    "livelock-polling": (
        ["spin_forever.cpp", "-", "-", "0:2"],
        "TT-Metalium mock: deadlock: every unfinished executor is blocked\n"
        "  core (0,0) RISCV_0 (BRISC) data movement kernel 'spin_forever.cpp': polling (cb_pages_*_at_* loop) without "
        "progress",
    ),
    "over-reserve": (
        ["over_reserve.cpp", "-", "-", "0:2"],
        f"{BRISC} 'over_reserve.cpp': cb_reserve_back(cb=0, 4 pages): CB 0 holds only 2 pages: the reservation can "
        "never be satisfied",
    ),
    "pop-without-wait": (
        ["-", "-", "pop_without_wait.cpp", "0:2"],
        f"{TRISC} 'pop_without_wait.cpp': cb_pop_front(cb=0, 1 pages): only 0 pages were obtained with cb_wait_front "
        f"(pop without wait); {EMPTY_CB}",
    ),
    "pop-without-wait-dataflow-buffer": (
        ["-", "-", "dfb_pop_without_wait.cpp", "0:2"],
        f"{TRISC} 'dfb_pop_without_wait.cpp': cb_pop_front(cb=0, 1 pages): only 0 pages were obtained with "
        f"cb_wait_front (pop without wait); {EMPTY_CB}",
    ),
    "push-without-reserve": (
        ["push_without_reserve.cpp", "-", "-", "0:2"],
        f"{BRISC} 'push_without_reserve.cpp': cb_push_back(cb=0, 1 pages): only 0 pages are reserved (push without a "
        f"matching cb_reserve_back); {EMPTY_CB}",
    ),
    "dst-outside-acquire": (
        ["fill_inputs.cpp", "-", "dst_outside_acquire.cpp", "0:2,1:2"],
        f"{TRISC} 'dst_outside_acquire.cpp': add_tiles writes DST[0] outside tile_regs_acquire()/tile_regs_commit(): "
        "the math engine does not own the DST registers",
    ),
    "pack-before-wait": (
        ["fill_inputs.cpp", "-", "pack_before_wait.cpp", "0:2,1:2,16:1"],
        f"{TRISC} 'pack_before_wait.cpp': pack_tile(0) called before tile_regs_wait(): the packer does not own the "
        "DST registers",
    ),
    "release-before-commit": (
        ["fill_inputs.cpp", "-", "release_before_commit.cpp", "0:2,1:2,16:1"],
        f"{TRISC} 'release_before_commit.cpp': tile_regs_release() before the math thread's tile_regs_commit(): the "
        "pack thread waits in tile_regs_wait() for a commit that never comes (the kernel would hang on the device)",
    ),
    "dst-index": (
        ["fill_inputs.cpp", "-", "dst_index.cpp", "0:2,1:2"],
        f"{TRISC} 'dst_index.cpp': add_tiles: DST index 16 is out of range: DST holds 16 tiles",
    ),
    "noc-dram-read-oob": (
        ["noc_oob.cpp", "-", "-", "0:2"],
        f"{BRISC} 'noc_oob.cpp': noc_async_read: page 4 is out of range: the DRAM buffer at 0x40 has 4 pages",
    ),
    "noc-dram-write-oob-noc-object": (
        ["noc_write_oob.cpp", "-", "-", "0:2"],
        f"{BRISC} 'noc_write_oob.cpp': noc_async_write: page 4 is out of range: the DRAM buffer at 0x40 has 4 pages",
    ),
    "noc-l1-oob": (
        ["l1_oob.cpp", "-", "-", "0:2"],
        f"{BRISC} 'l1_oob.cpp': noc_async_read: local L1 range [0x1a800, 0x1b000) is outside every circular buffer, "
        "semaphore and L1 buffer of this core",
    ),
    "push-before-read-barrier": (
        ["push_before_barrier.cpp", "-", "-", "0:2"],
        f"{BRISC} 'push_before_barrier.cpp': cb_push_back(cb=0, 1 pages): a noc_async_read into these pages has not "
        "completed: call noc_async_read_barrier() before cb_push_back",
    ),
    "push-before-read-barrier-dataflow-buffer": (
        ["dfb_push_before_barrier.cpp", "-", "-", "0:2"],
        f"{BRISC} 'dfb_push_before_barrier.cpp': cb_push_back(cb=0, 1 pages): a noc_async_read into these pages has "
        "not completed: call noc_async_read_barrier() before cb_push_back",
    ),
    "cb-interface-pointer-inside-a-page": (
        ["cb_interface_rd_ptr.cpp", "-", "-", "0:2"],
        f"{BRISC} 'cb_interface_rd_ptr.cpp': get_local_cb_interface(0).fifo_rd_ptr = L1 0x19010: not the start "
        "of a page of CB 0 (its 2 pages of 2048 bytes start at L1 0x19000)",
    ),
    "missing-runtime-arg": (
        ["missing_arg.cpp", "-", "-", "0:2"],
        f"{BRISC} 'missing_arg.cpp': get_arg_val(5): only 1 runtime args were set for this kernel on this core "
        "(SetRuntimeArgs)",
    ),
    "unconsumed-pages": (
        ["push_three.cpp", "-", "pop_one.cpp", "0:2"],
        f"{UNCONSUMED}\n  core (0,0) CB 0: 2 of 2 pages filled: 3 pushed by RISCV_0 (BRISC) data movement kernel "
        "'push_three.cpp', 1 popped by compute (TRISC) kernel 'pop_one.cpp'",
    ),
    "unconsumed-pages-no-consumer": (
        ["-", "deadlock_reader.cpp", "-", "0:2,1:2"],
        f"{UNCONSUMED}\n  core (0,0) CB 0: 1 of 2 pages filled: 1 pushed by RISCV_1 (NCRISC) data movement kernel "
        "'deadlock_reader.cpp', 0 popped (no kernel pops CB 0)",
    ),
    "two-producers": (
        ["deadlock_reader.cpp", "deadlock_reader.cpp", "pop_one.cpp", "0:2"],
        "TT-Metalium mock: core (0,0) RISCV_1 (NCRISC) data movement kernel 'deadlock_reader.cpp': cb_push_back(cb=0, "
        "1 pages): CB 0 is also pushed by RISCV_0 (BRISC) data movement kernel 'deadlock_reader.cpp' on this core: a "
        "circular buffer has one producing processor (each processor keeps its own copy of the FIFO write pointer)",
    ),
    "two-consumers": (
        ["push_three.cpp", "pop_one_dm.cpp", "pop_one.cpp", "0:2"],
        f"{TRISC} 'pop_one.cpp': cb_pop_front(cb=0, 1 pages): CB 0 is also popped by RISCV_1 (NCRISC) data movement "
        "kernel 'pop_one_dm.cpp' on this core: a circular buffer has one consuming processor (each processor keeps "
        "its own copy of the FIFO read pointer)",
    ),
    "more-than-32-cbs": (
        ["noop.cpp", "-", "-", "0:1,32:1"],
        "TT-Metalium mock: CircularBufferConfig::set_page_size: CB index 32 is out of range (Wormhole has 32 circular "
        "buffers, c_0..c_31)",
    ),
    "l1-overflow": (
        ["noop.cpp", "-", "-", "0:400,1:400"],
        "TT-Metalium mock: CreateCircularBuffer: circular buffers on core (x=0,y=0) need 1638400 bytes of L1 but only "
        "1396736 bytes are available (Wormhole L1 of 1499136 bytes minus 102400 bytes reserved for firmware)",
    ),
    "core-outside-the-grid": (
        ["noop.cpp", "-", "-", "0:1", "8,0"],
        "TT-Metalium mock: core (x=8,y=0) is outside the 8x8 Wormhole compute grid",
    ),
}


@pytest.mark.parametrize("case", sorted(BUG_CASES))
def test_planted_bug_is_reported(mock: Mock, case: str) -> None:
    args, expected = BUG_CASES[case]
    proc = mock.run([mock.bug_host, *args], cwd=BUGS)  # a hang fails through the TIMEOUT of Mock.run
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.rstrip("\n") == expected


@pytest.mark.parametrize(
    ("kernel", "details"),
    [
        ("compile_error.cpp", ["undefined_function_xyz"]),
        # no named arguments at all: like on the device, get_named_compile_time_arg_val is not declared
        ("missing_named_arg.cpp", ["get_named_compile_time_arg_val", "was not declared in this scope"]),
    ],
)
def test_kernel_compile_error_names_the_kernel_and_shows_the_compiler_output(mock: Mock, kernel: str,
                                                                            details: list[str]) -> None:
    proc = mock.run([mock.bug_host, kernel, "-", "-", "0:2"], cwd=BUGS)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.startswith(f"TT-Metalium mock: kernel compilation failed for '{kernel}' ("), proc.stderr
    for text in details:
        assert text in proc.stderr, proc.stderr


def test_correct_program_passes_the_checker(mock: Mock) -> None:
    # every page pushed is popped: one pushed by the data-movement kernel, one popped by the compute kernel
    proc = mock.run([mock.bug_host, "deadlock_reader.cpp", "-", "pop_one.cpp", "0:2"], cwd=BUGS)
    assert proc.returncode == 0, proc.stderr


# ---- many host programs in one process -------------------------------------------------------------------

# Loads every library given on the command line (each a copy of lib_host.cpp's library, so each carries
# its own copy of the mock runtime, as every kernel package's _tt_kernels.so does), then runs them all in
# turn, twice, each on its own inputs and core count, and compares every output with numpy bit for bit.
MANY_LIBS_SCRIPT = """
import ctypes, sys
import ml_dtypes, numpy as np
kernels, paths = sys.argv[1].encode(), sys.argv[2:]
libs = [ctypes.CDLL(p) for p in paths]
rng = np.random.default_rng(7)
err = ctypes.create_string_buffer(4096)
runs = 0
for rnd in range(2):
    for i, lib in enumerate(libs):
        op, ncores = (i + rnd) % 3, 1 + (i * 5 + rnd) % 9
        a = rng.standard_normal((64, 96)).astype(ml_dtypes.bfloat16)
        b = rng.standard_normal((64, 96)).astype(ml_dtypes.bfloat16)
        out = np.zeros_like(a)
        rc = lib.tt_test_eltwise(ctypes.c_uint32(op), ctypes.c_void_p(a.ctypes.data), ctypes.c_void_p(b.ctypes.data),
                                 ctypes.c_void_p(out.ctypes.data), ctypes.c_uint32(64), ctypes.c_uint32(96),
                                 ctypes.c_uint32(ncores), kernels, err, ctypes.c_size_t(len(err)))
        if rc != 0:
            sys.exit(f"library {i} (round {rnd}): {err.value.decode()}")
        fn = (np.add, np.subtract, np.multiply)[op]
        ref = fn(a.astype(np.float32), b.astype(np.float32)).astype(ml_dtypes.bfloat16)
        if not np.array_equal(out.view(np.uint16), ref.view(np.uint16)):
            sys.exit(f"library {i} (round {rnd}): wrong result")
        runs += 1
print(runs)
"""


def test_many_host_libraries_each_with_its_own_runtime_run_in_one_process(mock: Mock, tmp_path: Path) -> None:
    lib = mock_sdk.compile_host_program([PROGRAMS / "lib_host.cpp"], tmp_path / "lib_host.so", build_dir=mock.build,
                                        extra_flags=["-fPIC", "-shared"])
    copies = []
    for i in range(24):  # copies under other names: the dynamic loader maps each one separately
        copies.append(tmp_path / f"lib_host_{i}.so")
        shutil.copyfile(lib, copies[-1])
    proc = subprocess.run([sys.executable, "-c", MANY_LIBS_SCRIPT, KERNELS, *copies], env=mock.env(),
                          capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.split() == [str(2 * len(copies))]


# ---- architectures: TT_MOCK_ARCH selects the device (the host program asks the device, as on hardware) ----

WORMHOLE_INFO = "arch=1 grid=8x8 dram_channels=12 l1=1499136 l1_base=102400 last_worker=25,25 dram_page_80_aligned=96"
BLACKHOLE_INFO = "arch=2 grid=13x10 dram_channels=8 l1=1572864 l1_base=102400 last_worker=30,27 dram_page_80_aligned=128"


@pytest.mark.parametrize(("arch", "line"), [(None, WORMHOLE_INFO), ("wormhole_b0", WORMHOLE_INFO),
                                            ("blackhole", BLACKHOLE_INFO)])
def test_device_reports_the_geometry_of_its_architecture(mock: Mock, arch: str | None, line: str) -> None:
    proc = mock.run([mock.host, "info"], **({"TT_MOCK_ARCH": arch} if arch else {}))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == line


def test_blackhole_matmul_on_all_13x10_cores_matches_numpy(mock: Mock, tmp_path: Path) -> None:
    stats = tmp_path / "stats.json"
    # 12 x 13 output tiles over the whole 13x10 grid (the host program asks the device for its grid)
    a, b, out = run_matmul(mock, tmp_path, 384, 96, 416, 130, TT_MOCK_ARCH="blackhole", TT_MOCK_STATS=str(stats))
    check_close(out, a.astype(np.float32) @ b.astype(np.float32))
    (wl,) = json.loads(stats.read_text())["workloads"]
    assert sorted(tuple(c["core"]) for c in wl["cores"]) == [(x, y) for x in range(13) for y in range(10)]
    assert wl["totals"]["tiles"]["matmul"] == 12 * 13 * 3


def test_blackhole_eltwise_on_all_13x10_cores_matches_numpy_bitwise(mock: Mock, tmp_path: Path) -> None:
    a, b, out = run_eltwise(mock, tmp_path, 2, 320, 448, 130, TT_MOCK_ARCH="blackhole")  # 140 tiles
    ref = bf16(a.astype(np.float32) * b.astype(np.float32))
    assert np.array_equal(out.view(np.uint16), ref.view(np.uint16))


# case -> (TT_MOCK_ARCH, bug_host arguments, exit code, the exact error text)
ARCH_CASES = {
    "blackhole-last-core": ("blackhole", ["noop.cpp", "-", "-", "0:1", "12,9"], 0, ""),
    "blackhole-core-outside-the-grid": (
        "blackhole", ["noop.cpp", "-", "-", "0:1", "13,0"], 2,
        "TT-Metalium mock: core (x=13,y=0) is outside the 13x10 Blackhole compute grid",
    ),
    "blackhole-cb-63": ("blackhole", ["high_cb.cpp", "-", "-", "0:1,63:1"], 0, ""),
    "blackhole-more-than-64-cbs": (
        "blackhole", ["noop.cpp", "-", "-", "0:1,64:1"], 2,
        "TT-Metalium mock: CircularBufferConfig::set_page_size: CB index 64 is out of range (Blackhole has 64 "
        "circular buffers, c_0..c_63)",
    ),
    "wormhole-cb-63": (
        "wormhole_b0", ["noop.cpp", "-", "-", "0:1,63:1"], 2,
        "TT-Metalium mock: CircularBufferConfig::set_page_size: CB index 63 is out of range (Wormhole has 32 "
        "circular buffers, c_0..c_31)",
    ),
    "blackhole-l1-overflow": (
        "blackhole", ["noop.cpp", "-", "-", "0:400,1:400"], 2,
        "TT-Metalium mock: CreateCircularBuffer: circular buffers on core (x=0,y=0) need 1638400 bytes of L1 but only "
        "1470464 bytes are available (Blackhole L1 of 1572864 bytes minus 102400 bytes reserved for firmware)",
    ),
    "unknown-arch": (
        "grayskull", ["noop.cpp", "-", "-", "0:1"], 2,
        "TT-Metalium mock: TT_MOCK_ARCH 'grayskull' names no architecture the mock models: use wormhole_b0 or "
        "blackhole",
    ),
}


@pytest.mark.parametrize("case", sorted(ARCH_CASES))
def test_architecture_limits(mock: Mock, case: str) -> None:
    arch, args, code, expected = ARCH_CASES[case]
    proc = mock.run([mock.bug_host, *args], cwd=BUGS, TT_MOCK_ARCH=arch)
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert proc.stderr.rstrip("\n") == expected


def test_runtime_built_for_blackhole_simulates_blackhole_unless_told_otherwise(mock: Mock, tmp_path: Path) -> None:
    # build_runtime(arch="blackhole") compiles the runtime with these flags; the architecture default
    # lives in host_api.cpp, so that object compiled with them, linked ahead of the archive, is enough
    flags = mock_sdk.runtime_flags(arch="blackhole")
    assert flags != mock_sdk.runtime_flags() == mock_sdk.runtime_flags(arch="wormhole_b0")  # part of the key
    obj, host = tmp_path / "host_api.o", tmp_path / "mock_host_bh"
    cxx = mock_sdk.cxx()
    subprocess.run([*cxx, *flags, "-c", str(mock_sdk.source_dir() / "host_api.cpp"), "-o", str(obj)], check=True)
    subprocess.run([*cxx, *mock_sdk.compile_flags(), "-O1", str(PROGRAMS / "mock_host.cpp"), str(obj), "-o", str(host),
                    str(mock_sdk.build_runtime(mock.build)), *mock_sdk.LINK_LIBS], check=True)
    assert mock.run([host, "info"]).stdout.strip() == BLACKHOLE_INFO
    assert mock.run([host, "info"], TT_MOCK_ARCH="wormhole_b0").stdout.strip() == WORMHOLE_INFO
    with pytest.raises(ValueError, match="unknown architecture 'grayskull'"):
        mock_sdk.build_runtime(tmp_path / "rt", arch="grayskull")


# ---- counters ------------------------------------------------------------------------------------------


def test_stats_json_counts_noc_bytes_and_tiles(mock: Mock, tmp_path: Path) -> None:
    m, k, n, ncores = 128, 160, 96, 64
    stats = tmp_path / "stats.json"
    run_matmul(mock, tmp_path, m, k, n, ncores, TT_MOCK_STATS=str(stats))
    doc = json.loads(stats.read_text())
    assert doc["schema"] == "tt-build-mock-stats/1"
    (wl,) = doc["workloads"]
    mt, kt, nt = m // 32, k // 32, n // 32
    tot = wl["totals"]
    assert tot["noc_read_bytes"] == mt * nt * kt * 2 * 2048  # A row + B column per output tile
    assert tot["noc_write_bytes"] == mt * nt * 2048
    assert tot["tiles"]["matmul"] == mt * nt * kt
    assert tot["tiles"]["pack"] == mt * nt
    assert tot["cores"] == len(wl["cores"]) == min(ncores, mt * nt)
    per_core = {tuple(c["core"]): c for c in wl["cores"]}
    assert sum(c["noc_read_bytes"] for c in per_core.values()) == tot["noc_read_bytes"]
    assert all(c["tiles"]["matmul"] % kt == 0 for c in per_core.values())
    # every byte went to or from DRAM; the host program runs its compute kernel at HiFi4
    assert tot["dram_read_bytes"] == tot["noc_read_bytes"] and tot["dram_write_bytes"] == tot["noc_write_bytes"]
    assert tot["tiles_by_fidelity"]["HiFi4"] == {"matmul": mt * nt * kt, "add": 0, "sub": 0, "mul": 0}
    assert tot["tiles_by_fidelity"]["LoFi"]["matmul"] == 0
    assert tot["semaphore_ops"] == {"set": 0, "inc": 0, "set_multicast": 0, "inc_multicast": 0, "set_remote": 0,
                                    "wait": 0}


def test_stateful_noc_reads_match_numpy_and_count_their_bytes(mock: Mock, tmp_path: Path) -> None:
    # the eltwise program with a reader that reads through Noc::set_async_read_state / async_read_with_state
    kdir = tmp_path / "kernels"
    shutil.copytree(KERNELS, kdir)
    shutil.copy(PROGRAMS / "noc_state" / "reader_binary.cpp", kdir / "reader_binary.cpp")
    rows, cols, ncores = 64, 96, 3
    stats = tmp_path / "stats.json"
    a, b, out = run_eltwise(mock, tmp_path, 0, rows, cols, ncores, kernels=kdir, TT_MOCK_STATS=str(stats))
    ref = bf16(a.astype(np.float32) + b.astype(np.float32))
    assert np.array_equal(out.view(np.uint16), ref.view(np.uint16))
    tot = json.loads(stats.read_text())["workloads"][0]["totals"]
    tiles = rows * cols // 1024
    assert tot["noc_read_bytes"] == tot["dram_read_bytes"] == 2 * tiles * 2048


def test_stateful_noc_read_without_its_state_is_reported(mock: Mock, tmp_path: Path) -> None:
    kdir = tmp_path / "kernels"
    shutil.copytree(KERNELS, kdir)
    src = (PROGRAMS / "noc_state" / "reader_binary.cpp").read_text()
    without = "\n".join(line for line in src.splitlines() if "set_async_read_state<" not in line
                         and "set_async_read_state(" not in line)
    (kdir / "reader_binary.cpp").write_text(without)
    rows = cols = 32
    for name in ("a.bin", "b.bin"):
        bf16(np.ones((rows, cols))).tofile(tmp_path / name)
    proc = mock.run([mock.host, "eltwise", kdir, 0, rows, cols, 1, tmp_path / "a.bin", tmp_path / "b.bin",
                     tmp_path / "out.bin"])
    assert proc.returncode != 0
    assert "Noc::async_read_with_state: no set_async_read_state on this core's NoC before it" in proc.stderr


def test_device_time_model_dram_bound_gemm(mock: Mock, tmp_path: Path) -> None:
    # 256^3 on 64 cores, every core reads its A row and B column per output tile: 2 MiB from DRAM for
    # 4 MFLOP of work, so the estimate is the DRAM time of 288 GB/s plus the pipeline's fill and drain
    stats = tmp_path / "stats.json"
    run_matmul(mock, tmp_path, 256, 256, 256, 64, TT_MOCK_STATS=str(stats))
    (wl,) = mock_sdk.load_stats(stats)
    assert wl["model"] == "estimate" and wl["arch"] == "wormhole_b0"
    tot = wl["totals"]
    dram_us = (tot["dram_read_bytes"] + tot["dram_write_bytes"]) / 288e3  # bytes / (288 GB/s) in microseconds
    assert wl["modeled_dram_busy_us"] == pytest.approx(dram_us, abs=1e-3)
    assert dram_us <= wl["modeled_us"] <= 1.25 * dram_us
    assert tot["modeled_us"] == wl["modeled_us"] == max(c["modeled_us"] for c in wl["cores"])
    for c in wl["cores"]:
        assert c["modeled_us"] == max(c["modeled_us_by_risc"].values())
        # the compute kernel cannot finish before the 8 tile matmuls at HiFi4 (64 cycles each) of its output tile
        assert c["modeled_us_by_risc"]["trisc"] >= 8 * 64 / 1000


def test_device_time_model_writes_flushed_waits_for_departure_not_arrival(mock: Mock, tmp_path: Path) -> None:
    # 64 page writes to DRAM, each followed by noc_async_writes_flushed(): the flush waits until the page
    # has left L1 through the core's injection port (64 cycles at 32 B/cycle, after the 32-cycle issue), not
    # for its arrival in DRAM (400 cycles of DRAM latency and the hops more), so the writes stay back to back
    stats = tmp_path / "stats.json"
    proc = mock.run([mock.bug_host, "flushed_writes.cpp", "-", "-", "1:4"], cwd=PROGRAMS / "model",
                    TT_MOCK_STATS=str(stats))
    assert proc.returncode == 0, proc.stderr
    (wl,) = mock_sdk.load_stats(stats)
    per_write = (2048 / 32 + 32) / 1000  # us: the port time and the issue of one page
    assert 64 * 2048 / 32 / 1000 <= wl["modeled_us"] <= 64 * per_write + 1.0


@pytest.mark.parametrize(("riscv0", "riscv1", "port_bytes"), [
    ("stream_reads.cpp", "stream_writes.cpp", 64 * 2048),  # reads on NOC 0, writes on NOC 1: one port's worth
    ("stream_reads.cpp", "stream_reads.cpp", 64 * 2048),  # both read, on NOC 0 and NOC 1: one port's worth each
])
def test_device_time_model_noc_ports_per_noc_and_direction(mock: Mock, tmp_path: Path, riscv0: str, riscv1: str,
                                                           port_bytes: int) -> None:
    # one core, each data-movement RISC moving 64 pages of 2 KiB to or from DRAM back to back: every core
    # has two NOCs, each with an injection and an ejection port one link (32 B/cycle) wide, so the two
    # RISCs' transfers do not queue behind each other (through one shared port they took twice as long)
    stats = tmp_path / "stats.json"
    proc = mock.run([mock.bug_host, riscv0, riscv1, "-", "0:4,1:4"], cwd=PROGRAMS / "model",
                    TT_MOCK_STATS=str(stats))
    assert proc.returncode == 0, proc.stderr
    (wl,) = mock_sdk.load_stats(stats)
    port_us = port_bytes / 32 / 1000
    assert port_us <= wl["modeled_us"] <= 1.15 * port_us


def test_load_stats_rejects_a_file_that_is_not_mock_statistics(tmp_path: Path) -> None:
    bad = tmp_path / "stats.json"
    bad.write_text('{"schema": "other"}')
    with pytest.raises(TTBuildError, match=r"stats.json is not a mock statistics file \(schema tt-build-mock-stats/1\)"):
        mock_sdk.load_stats(bad)
    bad.write_text("{")
    with pytest.raises(TTBuildError, match="cannot read mock statistics"):
        mock_sdk.load_stats(bad)


def test_device_time_model_compute_bound_is_fpu_cycles_by_fidelity(mock: Mock, tmp_path: Path) -> None:
    # one core, 32x1024 @ 1024x32: 32 tile matmuls at HiFi4 (64 cycles) on 1 GHz, while the reader's
    # 64 tile reads take longer: the estimate is bounded below by both
    stats = tmp_path / "stats.json"
    run_matmul(mock, tmp_path, 32, 1024, 32, 1, TT_MOCK_STATS=str(stats))
    wl = json.loads(stats.read_text())["workloads"][0]
    (core,) = wl["cores"]
    by_risc = core["modeled_us_by_risc"]
    assert by_risc["trisc"] >= 32 * 64 / 1000
    assert by_risc["trisc"] >= by_risc["ncrisc"]  # the compute kernel consumes what the reader brings
    assert wl["modeled_us"] == pytest.approx(max(by_risc.values()), abs=1e-3)


def test_stats_table_on_stderr(mock: Mock, tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    bf16(rng.standard_normal((32, 64))).tofile(tmp_path / "a.bin")
    bf16(rng.standard_normal((32, 64))).tofile(tmp_path / "b.bin")
    proc = mock.run(
        [mock.host, "eltwise", KERNELS, 0, 32, 64, 1, tmp_path / "a.bin", tmp_path / "b.bin", tmp_path / "o.bin"],
        TT_MOCK_STATS="-",
    )
    assert proc.returncode == 0, proc.stderr
    total = [line for line in proc.stderr.splitlines() if line.startswith("total")]
    assert total, proc.stderr
    fields = total[0].split()
    assert fields[1] == str(2 * 2 * 2048) and fields[2] == str(2 * 2048)  # 2 tiles in x2 inputs, 2 tiles out
    assert fields[4] == "2"  # add tiles
    assert fields[12] == str(2 * 2 * 2048) and fields[13] == str(2 * 2048)  # dram_rd_B, dram_wr_B
    assert float(fields[16]) > 0  # est_us
    assert "est_us: modeled device time, an estimate" in proc.stderr


# ---- kernel cache --------------------------------------------------------------------------------------


def test_kernel_cache_key_covers_local_headers_and_prebuilt_dirs_need_no_compiler(mock: Mock, tmp_path: Path) -> None:
    src = tmp_path / "k"
    shutil.copytree(PROGRAMS / "cache", src)
    cache = tmp_path / "cache"

    def run(**env: str) -> subprocess.CompletedProcess[str]:
        return mock.run([mock.bug_host, "uses_local_header.cpp", "-", "-", "0:1"], cwd=src, **env)

    assert run(TT_MOCK_KERNEL_CACHE=str(cache)).returncode == 0
    first = sorted(p.name for p in cache.glob("*.so"))
    assert len(first) == 1
    assert run(TT_MOCK_KERNEL_CACHE=str(cache)).returncode == 0
    assert sorted(p.name for p in cache.glob("*.so")) == first  # cache hit
    (src / "local_value.h").write_text("#define LOCAL_VALUE 2\n")
    assert run(TT_MOCK_KERNEL_CACHE=str(cache)).returncode == 0
    assert len(list(cache.glob("*.so"))) == 2  # the local header is part of the key
    assert not list(cache.glob(".tmp-*"))  # nothing half-written left behind
    # an installed package: prebuilt kernels, read-only cache, no compiler
    empty = tmp_path / "empty"
    proc = run(TT_MOCK_KERNEL_PATH=str(cache), TT_MOCK_KERNEL_CACHE=str(empty), TT_MOCK_CXX="/nonexistent/c++")
    assert proc.returncode == 0, proc.stderr
    assert not empty.exists()
    (src / "local_value.h").write_text("#define LOCAL_VALUE 3\n")
    proc = run(TT_MOCK_KERNEL_PATH=str(cache), TT_MOCK_KERNEL_CACHE=str(empty), TT_MOCK_CXX="/nonexistent/c++")
    assert proc.returncode == 2
    assert "no C++ compiler could be run" in proc.stderr


# ---- the benchmark problem (timing lives in bench/mock_exec.py) ------------------------------------------


def test_gemm_1024_on_8x8_cores_matches_numpy(mock: Mock, tmp_path: Path) -> None:
    a, b, out = run_matmul(mock, tmp_path, 1024, 1024, 1024, 64)
    check_close(out, a.astype(np.float32) @ b.astype(np.float32))


# ---- multicast and semaphores --------------------------------------------------------------------------

MCAST = PROGRAMS / "mcast"


@pytest.fixture(scope="session")
def mcast_host(mock: Mock) -> Path:
    return mock_sdk.compile_host_program([PROGRAMS / "mcast_host.cpp"], mock.root / "mcast_host", build_dir=mock.build)


def run_mcast(mock: Mock, host: Path, tmp: Path, axis: str, cols: int, rows: int, blocks: int, tiles: int,
              *opts: str, **env: str) -> tuple[subprocess.CompletedProcess[str], np.ndarray, np.ndarray]:
    lines, length = (rows, cols) if axis == "row" else (cols, rows)
    rng = np.random.default_rng(cols * 100 + rows * 10 + blocks)
    data = rng.integers(0, 2**16, size=(lines, blocks * tiles * 1024), dtype=np.uint16)
    data.tofile(tmp / "in.bin")
    proc = mock.run([host, MCAST, axis, cols, rows, blocks, tiles, tmp / "in.bin", tmp / "out.bin", *opts], **env)
    out = np.fromfile(tmp / "out.bin", dtype=np.uint16) if proc.returncode == 0 else np.zeros(0, np.uint16)
    return proc, data, out.reshape(lines, length, -1) if out.size else out


@pytest.mark.parametrize(
    ("axis", "cols", "rows", "opts"),
    [
        ("row", 8, 8, ()),  # every row of the 8x8 grid: the rectangle holds the receivers only
        ("row", 4, 3, ("incl",)),  # the rectangle includes the sender, which a plain multicast does not write
        ("col", 3, 5, ("loopback",)),  # loopback: the sender is written too, num_dests counts it
        ("row", 5, 2, ("noc1",)),  # on NOC 1 the rectangle is given bottom-right corner first
        ("row", 4, 2, ("object",)),  # the same with Noc, CircularBuffer, Semaphore, MulticastEndpoint
        ("col", 2, 3, ("object", "loopback")),  # NocOptions::MCAST_INCL_SRC
    ],
)
def test_multicast_reaches_every_core_of_the_rectangle(mock: Mock, mcast_host: Path, tmp_path: Path, axis: str,
                                                       cols: int, rows: int, opts: tuple[str, ...]) -> None:
    blocks, tiles = 3, 2
    stats = tmp_path / "stats.json"
    proc, data, out = run_mcast(mock, mcast_host, tmp_path, axis, cols, rows, blocks, tiles, *opts,
                                TT_MOCK_STATS=str(stats))
    assert proc.returncode == 0, proc.stderr
    lines, length = data.shape[0], out.shape[1]
    assert np.array_equal(out, np.broadcast_to(data[:, None, :], out.shape))  # every core got its line's bytes
    tot = json.loads(stats.read_text())["workloads"][0]["totals"]
    line_bytes = blocks * tiles * 2048
    receivers = length - 1 + (1 if "loopback" in opts else 0)
    assert tot["dram_read_bytes"] == lines * line_bytes  # each block read once, by its line's sender
    assert tot["dram_write_bytes"] == lines * length * line_bytes
    assert tot["mcast_write_bytes"] == lines * line_bytes  # counted once at the sender
    assert tot["mcast_writes"] == lines * blocks
    assert tot["mcast_dest_bytes"] == lines * line_bytes * receivers
    assert tot["l1_read_bytes"] == tot["l1_write_bytes"] == 0
    sem = tot["semaphore_ops"]
    assert sem["inc"] == lines * (length - 1) * blocks  # one ready signal per receiver and block
    assert sem["set_multicast"] == lines * blocks  # one VALID flag per block
    assert sem["wait"] == lines * length * blocks  # the sender waits once per block, each receiver too
    assert sem["set"] == lines * (1 + blocks) + lines * (length - 1) * blocks
    # device time: a receiver's writer cannot finish before the sender read the line's bytes from DRAM
    wl = json.loads(stats.read_text())["workloads"][0]
    assert wl["modeled_us"] >= wl["modeled_dram_busy_us"] > 0
    assert wl["modeled_dram_busy_us"] == pytest.approx((lines * line_bytes + lines * length * line_bytes) / 288e3,
                                                       abs=1e-3)


def test_multicast_counters_per_core(mock: Mock, mcast_host: Path, tmp_path: Path) -> None:
    stats = tmp_path / "stats.json"
    proc, _, _ = run_mcast(mock, mcast_host, tmp_path, "row", 4, 2, 2, 1, TT_MOCK_STATS=str(stats))
    assert proc.returncode == 0, proc.stderr
    cores = {tuple(c["core"]): c for c in json.loads(stats.read_text())["workloads"][0]["cores"]}
    for y in range(2):
        sender = cores[(0, y)]
        assert sender["dram_read_bytes"] == sender["mcast_write_bytes"] == 2 * 2048
        assert sender["noc_write_bytes"] == 2 * 2048 + 2 * 2048  # the multicast once + its own output
        assert sender["semaphore_ops"]["wait"] == 2 and sender["semaphore_ops"]["inc"] == 0
        for x in range(1, 4):
            receiver = cores[(x, y)]
            assert receiver["dram_read_bytes"] == receiver["mcast_write_bytes"] == 0
            assert receiver["semaphore_ops"]["inc"] == 2 and receiver["semaphore_ops"]["wait"] == 2


SENDER = "TT-Metalium mock: core (0,0) RISCV_0 (BRISC) data movement kernel '{}/sender.cpp'".format(MCAST)

MCAST_BUGS = {
    "bad_num_dests": (
        ("row", 4, 1, "bad_num_dests"),
        f"{SENDER}: noc_async_write_multicast: num_dests is 4 but the multicast rectangle (19,18)-(21,18) reaches 3 "
        "cores: on the device the write completes only after num_dests acknowledgements",
    ),
    "bad_num_dests_incl": (
        ("row", 4, 1, "incl", "bad_num_dests"),
        f"{SENDER}: noc_async_write_multicast: num_dests is 4 but the multicast rectangle (18,18)-(21,18) reaches 3 "
        "cores (the sender lies in it and a non-loopback multicast does not write it): on the device the write "
        "completes only after num_dests acknowledgements",
    ),
    "bad_order": (
        ("row", 4, 1, "bad_order"),
        f"{SENDER}: noc_async_write_multicast: the multicast rectangle (21,18)-(19,18) is given in the wrong order for "
        "NOC 0: on NOC 0 the start corner is the top-left one (start <= end in x and y), on NOC 1 the bottom-right "
        "one (start >= end)",
    ),
    "bad_order_noc1": (
        ("row", 4, 1, "noc1", "bad_order"),
        f"{SENDER}: noc_async_write_multicast: the multicast rectangle (19,18)-(21,18) is given in the wrong order for "
        "NOC 1: on NOC 0 the start corner is the top-left one (start <= end in x and y), on NOC 1 the bottom-right "
        "one (start >= end)",
    ),
}


def test_read_into_pages_a_multicast_has_not_left_is_reported(mock: Mock, mcast_host: Path, tmp_path: Path) -> None:
    """Without a flush the sender reads into the first page of the 4-page block it has just multicast; by the
    device-time model the read's bytes land before the multicast's have left L1 (the device would send them)."""
    proc, _, _ = run_mcast(mock, mcast_host, tmp_path, "row", 4, 1, 2, 4, "no_write_barrier")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.rstrip("\n") == (
        f"{SENDER}: noc_async_read: L1 range [0x19000, 0x19800) is the source of a noc_async_write issued by this "
        "processor that has not left L1 when the read's bytes land: call noc_async_writes_flushed() before writing "
        "into these pages again")


@pytest.mark.parametrize("case", sorted(MCAST_BUGS))
def test_multicast_misuse_is_reported(mock: Mock, mcast_host: Path, tmp_path: Path, case: str) -> None:
    (axis, cols, rows, *opts), expected = MCAST_BUGS[case]
    proc, _, _ = run_mcast(mock, mcast_host, tmp_path, axis, cols, rows, 2, 1, *opts)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.rstrip("\n") == expected


def test_semaphore_wait_that_can_never_be_satisfied_is_a_deadlock_naming_the_semaphore(
        mock: Mock, mcast_host: Path, tmp_path: Path) -> None:
    proc, _, _ = run_mcast(mock, mcast_host, tmp_path, "row", 3, 1, 2, 1, "bad_valid")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    kernel = f"data movement kernel '{MCAST}"
    assert proc.stderr.rstrip("\n") == (
        "TT-Metalium mock: deadlock: every unfinished executor is blocked\n"
        f"  core (0,0) RISCV_0 (BRISC) {kernel}/sender.cpp': blocked in noc_semaphore_wait(semaphore 0, until == 2): "
        "it holds 0\n"
        f"  core (0,0) RISCV_1 (NCRISC) {kernel}/writer.cpp': blocked in cb_wait_front(cb=0, 1 pages): 0 of 2 pages "
        "filled, 1 reserved by the producer, 0 waited by the consumer\n"
        f"  core (1,0) RISCV_0 (BRISC) {kernel}/receiver.cpp': blocked in noc_semaphore_wait(semaphore 1, until == 2): "
        "it holds 1\n"
        f"  core (1,0) RISCV_1 (NCRISC) {kernel}/writer.cpp': blocked in cb_wait_front(cb=0, 1 pages): 0 of 2 pages "
        "filled, 1 reserved by the producer, 0 waited by the consumer\n"
        f"  core (2,0) RISCV_0 (BRISC) {kernel}/receiver.cpp': blocked in noc_semaphore_wait(semaphore 1, until == 2): "
        "it holds 1\n"
        f"  core (2,0) RISCV_1 (NCRISC) {kernel}/writer.cpp': blocked in cb_wait_front(cb=0, 1 pages): 0 of 2 pages "
        "filled, 1 reserved by the producer, 0 waited by the consumer"
    )


# ---- L1 buffers addressed by kernels, banks, DEVICE_PRINT ----------------------------------------------------


@pytest.mark.parametrize("dprint", [False, True])
def test_kernel_uses_an_l1_buffer_address_as_a_pointer(mock: Mock, tmp_path: Path, dprint: bool) -> None:
    host = mock_sdk.compile_host_program([PROGRAMS / "l1_host.cpp"], mock.root / "l1_host", build_dir=mock.build)
    pages = 5  # over the 12 DRAM banks: get_noc_addr_from_bank_id picks each page's bank
    data = np.random.default_rng(5).integers(0, 2**16, size=pages * 1024, dtype=np.uint16)
    data.tofile(tmp_path / "in.bin")
    env = {"TT_METAL_DPRINT_CORES": "all"} if dprint else {}
    proc = mock.run([host, PROGRAMS / "l1", pages, tmp_path / "in.bin", tmp_path / "out.bin", tmp_path / "l1.bin"],
                    **env)
    assert proc.returncode == 0, proc.stderr
    expected = (data + 1).astype(np.uint16)
    assert np.array_equal(np.fromfile(tmp_path / "out.bin", dtype=np.uint16), expected)
    assert np.array_equal(np.fromfile(tmp_path / "l1.bin", dtype=np.uint16), expected)  # the L1 buffer holds it too
    line = (f"core (0,0) RISCV_0 (BRISC) data movement kernel '{PROGRAMS}/l1/l1_loopback.cpp': "
            f"core (18, 18) moved {pages} pages, {{done}}")
    assert proc.stdout.splitlines() == ([line] if dprint else [])


# ---- host API ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("arch", "dram_align"), [("wormhole_b0", 32), ("blackhole", 64)])
def test_host_api_reached_through_host_api_hpp(mock: Mock, arch: str, dram_align: int) -> None:
    host = mock_sdk.compile_host_program([PROGRAMS / "host_api_host.cpp"], mock.root / "host_api_host",
                                         build_dir=mock.build)
    proc = mock.run([host], TT_MOCK_ARCH=arch)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "core (x=3,y=4) tile 32x32 hw 1024",
        "range (x=1,y=0) (x=2,y=0) (x=1,y=1) (x=2,y=1) ",
        "    42|ab    |   1   |0003.142|0xff",
        "fatal TT_FATAL | core.x == 0",
        "info:",
        "core (x=3,y=4) is not in column 0",
        "throw info:",
        "unsupported thing",
        "bf16(3u)=3 pack=0xc0003f80",
        "random 32 16 in_range=1 same=1",
        f"backing address=64 same=true pages=2 dram_align={dram_align} l1_align=16",
        "shard pages 1 cores 2",
        "sharded layout 2 has_spec 1",
        "TT-Metalium mock: MeshBuffer::create: HEIGHT_SHARDED buffer: 2 shards do not fit the 1 cores of the shard grid",
    ]


def _shard_homes(layout: str, orientation: str, rows: int, cols: int, sr: int, sc: int, gx: int,
                 gy: int) -> dict[tuple[int, int, int], int]:
    """(core x, core y, slot) -> page id of every page of a sharded buffer, as TT-Metalium places them."""
    grid = [(x, y) for y in range(gy) for x in range(gx)] if orientation == "R" else \
           [(x, y) for x in range(gx) for y in range(gy)]
    homes = {}
    if layout == "N":  # ND: a 2 x rows/2 x cols tensor, 1 x sr x sc shards dealt round-robin over the grid's cores
        half = rows // 2
        grid_rows, grid_cols = -(-half // sr), -(-cols // sc)
        for page in range(rows * cols):
            b, rest = divmod(page, half * cols)
            r, c = divmod(rest, cols)
            shard = (b * grid_rows + r // sr) * grid_cols + c // sc
            core = grid[shard % len(grid)]
            homes[(*core, shard // len(grid) * sr * sc + (r % sr) * sc + c % sc)] = page
        return homes
    for page in range(rows * cols):
        r, c = divmod(page, cols)
        i, j = r // sr, c // sc  # the shard's row and column in the shard grid
        if layout == "B":
            core = (j, i) if orientation == "R" else (i, j)
        else:
            core = grid[i if layout == "H" else j]
        homes[(*core, (r % sr) * sc + c % sc)] = page
    return homes


@pytest.mark.parametrize(("layout", "orientation", "shape", "grid"), [
    ("H", "R", (7, 2, 2, 2), (2, 2)),  # a partial last shard (7 page rows in shards of 2)
    ("W", "C", (2, 6, 2, 2), (2, 2)),
    ("B", "R", (4, 6, 2, 2), (3, 2)),
    ("B", "C", (4, 6, 2, 2), (2, 3)),
    ("N", "R", (6, 5, 2, 2), (2, 1)),  # 2 x 3 x 5 pages in 1 x 2 x 2 shards: 12 shards, 6 per core, partial ones
], ids=["height-row", "width-col", "block-row", "block-col", "nd-row"])
def test_sharded_l1_buffer_places_pages_in_the_cores_shards(mock: Mock, tmp_path: Path, layout: str,
                                                            orientation: str, shape: tuple[int, ...],
                                                            grid: tuple[int, int]) -> None:
    host = mock_sdk.compile_host_program([PROGRAMS / "shard_host.cpp"], mock.root / "shard_host", build_dir=mock.build)
    rows, cols, sr, sc = shape
    data = np.random.default_rng(11).integers(0, 2**16, size=rows * cols * 1024, dtype=np.uint16)
    pages = data.view(np.uint32).reshape(rows * cols, 512)
    pages[:, 0] = np.arange(rows * cols)  # each page starts with its id
    data.tofile(tmp_path / "in.bin")
    proc = mock.run([host, PROGRAMS / "shard", layout, orientation, *shape, *grid, tmp_path / "in.bin",
                     tmp_path / "out.bin"], TT_METAL_DPRINT_CORES="all")
    assert proc.returncode == 0, proc.stderr
    seen = {}
    for line in proc.stdout.splitlines()[:-1]:
        m = re.match(r"core \((\d+),(\d+)\) .*: slot (\d+) holds (\d+)$", line)
        assert m, line
        seen[tuple(int(g) for g in m.groups()[:3])] = int(m.group(4))
    homes = _shard_homes(layout, orientation, *shape, *grid)
    assert {k: seen[k] for k in homes} == homes  # every page in its core's shard, at its slot
    kinds = {"H": 2, "W": 3, "B": 4, "N": 4}  # ND sharding reports BLOCK_SHARDED, as TT-Metalium's does
    slots = 6 * sr * sc if layout == "N" else sr * sc
    assert proc.stdout.splitlines()[-1] == f"layout {kinds[layout]} slots {slots} spec {int(layout != 'N')}"
    # the host read gathers every shard back into page order: the kernels' in-place update of every page
    assert np.array_equal(np.fromfile(tmp_path / "out.bin", dtype=np.uint16), (data + 1).astype(np.uint16))


# ---- ttnn's 2-D multicast matmul data-movement kernels compile against the mock ---------------------------------

MCAST_MATMUL_KERNELS = [
    "reader_bmm_tile_layout_in0_sender_padding.cpp",
    "reader_bmm_tile_layout_in0_receiver.cpp",
    "reader_bmm_tile_layout_in1_sender_writer_padding.cpp",
    "reader_bmm_tile_layout_in1_receiver_writer_padding.cpp",
]


@pytest.mark.network
@pytest.mark.parametrize("kernel", MCAST_MATMUL_KERNELS)
def test_ttnn_multicast_matmul_dataflow_kernel_compiles_against_the_mock(tmp_path: Path, kernel: str) -> None:
    # the kernel as the mock's kernel compiler wraps it (zero compile-time args), type-checked only
    from tt_build.ttnn_wheel import ensure_ttnn

    root = ensure_ttnn()
    src = root / "ttnn/cpp/ttnn/operations/matmul/device/kernels/dataflow" / kernel
    names = ["cb_in0", "cb_in1", "cb_sparsity", "num_active", "cb_out", "cb_bias", "cb_in0_sharded"]
    arg_map = ",".join('{"%s",%du}' % (n, i) for i, n in enumerate(names))
    wrapper = tmp_path / "wrapper.cpp"
    wrapper.write_text(
        "#define KERNEL_BUILD 1\n#define ARCH_WORMHOLE 1\n#define COMPILE_FOR_BRISC 1\n#define NOC_INDEX 0\n"
        f"#define KERNEL_COMPILE_TIME_ARGS {','.join(['0u'] * 64)}\n"
        f"#define KERNEL_COMPILE_TIME_ARG_MAP {arg_map}\n"
        f'#include "api/dataflow/dataflow_api.h"\n#include "{src}"\n'
    )
    proc = subprocess.run(
        [*mock_sdk.cxx(), "-std=c++20", "-fsyntax-only", f"-I{mock_sdk.include_dir()}", f"-I{root}", f"-I{root}/ttnn",
         f"-I{root}/ttnn/cpp", str(wrapper)],
        capture_output=True, text=True, timeout=TIMEOUT,
    )
    assert proc.returncode == 0, proc.stderr


# ---- a 2-D multicast GEMM (the scheme of ttnn's 2-D multicast matmul) ---------------------------------------


def fidelity_model(a: np.ndarray, b: np.ndarray, phases: int) -> np.ndarray:
    """a @ b as the FPU computes it over ``phases`` fidelity phases (docs/mock_sdk.md, "Math fidelity"): a (in0)
    is the SrcB operand, of which a phase sees the implicit 1 and 6 mantissa bits (phases 0, 1) or the next 4
    (phases 2, 3); b (in1) the SrcA operand: the implicit 1 and 4 mantissa bits (even phases) or the next 5
    (odd phases). Computed in float64."""
    def keep(x: np.ndarray, mask: int) -> np.ndarray:
        return (x.astype(np.float32).view(np.uint32) & np.uint32(mask)).view(np.float32).astype(np.float64)

    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    a_hi, a_lo = keep(a, 0xFFFE0000), a64 - keep(a, 0xFFFE1FFF)
    b_hi, b_lo = keep(b, 0xFFF80000), b64 - keep(b, 0xFFF83FFF)
    return sum(x @ y for x, y in [(a_hi, b_hi), (a_hi, b_lo), (a_lo, b_hi), (a_lo, b_lo)][:phases])


#: Per math fidelity: the documented bounds of the normwise error (rms(C - A@B) / rms(A@B)) of a bf16 GEMM
#: with bf16 output (and bf16 partial sums) on the mock, for standard-normal operands (docs/mock_sdk.md, "Math
#: fidelity"). The lower bounds fail a mock that computes a fidelity more precisely than the device.
FIDELITY_ERROR = {0: (1.5e-2, 4e-2), 2: (3.5e-3, 7e-3), 4: (0.0, 3.5e-3)}


@pytest.mark.parametrize(("m", "k", "n", "grid", "kb", "fidelity"),
                         [(256, 256, 256, 8, 2, 4), (512, 256, 384, 4, 4, 2), (128, 64, 128, 1, 1, 0)])
def test_2d_multicast_gemm_reads_each_operand_once(mock: Mock, tmp_path: Path, m: int, k: int, n: int, grid: int,
                                                   kb: int, fidelity: int) -> None:
    host = mock_sdk.compile_host_program([PROGRAMS / "gemm2d_host.cpp"], mock.root / "gemm2d_host",
                                         build_dir=mock.build)
    rng = np.random.default_rng(m + k + n)
    a = bf16(rng.standard_normal((m, k)))
    b = bf16(rng.standard_normal((k, n)))
    a.tofile(tmp_path / "a.bin")
    b.tofile(tmp_path / "b.bin")
    stats = tmp_path / "stats.json"
    proc = mock.run([host, PROGRAMS / "gemm2d", m, k, n, grid, kb, fidelity, tmp_path / "a.bin", tmp_path / "b.bin",
                     tmp_path / "out.bin"], TT_MOCK_STATS=str(stats))
    assert proc.returncode == 0, proc.stderr
    out = np.fromfile(tmp_path / "out.bin", dtype=ml_dtypes.bfloat16).reshape(m, n).astype(np.float64)
    ref = a.astype(np.float64) @ b.astype(np.float64)
    def normwise(x: np.ndarray, y: np.ndarray) -> float:
        return float(np.sqrt(((x - y) ** 2).mean() / (y**2).mean()))

    # the device's fidelity: the mock follows the per-phase model up to the rounding of its bf16 results
    assert normwise(out, fidelity_model(a, b, max(fidelity, 1))) <= FIDELITY_ERROR[4][1]
    lo, hi = FIDELITY_ERROR[fidelity]
    err = normwise(out, ref)
    assert lo <= err <= hi, f"normwise error {err:.2e} at MathFidelity {fidelity}, documented [{lo}, {hi}]"
    (wl,) = mock_sdk.load_stats(stats)
    tot = wl["totals"]
    assert tot["dram_read_bytes"] == (m * k + k * n) * 2  # A and B read once, shared on chip
    assert tot["dram_write_bytes"] == m * n * 2
    shared = (m * k + k * n) * 2 if grid > 1 else 0
    assert tot["mcast_write_bytes"] == shared  # every block multicast once, by its sender
    assert tot["mcast_dest_bytes"] == shared * (grid - 1)
    mt, kt, nt = m // 32, k // 32, n // 32
    name = {0: "LoFi", 2: "HiFi2", 4: "HiFi4"}[fidelity]
    assert tot["tiles_by_fidelity"][name]["matmul"] == tot["tiles"]["matmul"] == mt * kt * nt
    # the estimate is bounded below by the busiest core's FPU time at this fidelity (1 GHz)
    phases = max(fidelity, 1)
    assert wl["modeled_us"] >= (mt // grid) * (nt // grid) * kt * 16 * phases / 1000


def test_multicast_on_a_blackhole_row_of_13_cores(mock: Mock, mcast_host: Path, tmp_path: Path) -> None:
    stats = tmp_path / "stats.json"
    proc, data, out = run_mcast(mock, mcast_host, tmp_path, "row", 13, 2, 2, 1, TT_MOCK_ARCH="blackhole",
                                TT_MOCK_STATS=str(stats))
    assert proc.returncode == 0, proc.stderr
    assert np.array_equal(out, np.broadcast_to(data[:, None, :], out.shape))
    (wl,) = mock_sdk.load_stats(stats)
    assert wl["arch"] == "blackhole"
    tot = wl["totals"]
    assert tot["mcast_dest_bytes"] == 2 * 2 * 2048 * 12  # 2 rows x 2 blocks, 12 receivers each
    # DRAM time at Blackhole's 512 GB/s: 2 rows read + 26 cores write 2 tiles each
    assert wl["modeled_dram_busy_us"] == pytest.approx((2 * 2 + 26 * 2) * 2048 / 512e3, abs=1e-3)
