"""Run built kernel instances from Python (numpy float32 / ``ml_dtypes.bfloat16`` / float16 arrays).

This file is copied verbatim into every built package as ``_tt_runtime.py``, so an installed
kernel package needs only numpy and ml_dtypes at run time (not tt-build). Keep it
self-contained: standard library + numpy + ml_dtypes, and import numpy lazily: the build's
warm-up step (:mod:`tt_build.build.warm`) runs kernels through :meth:`Kernel.run_raw` in an
environment without numpy.

Crash isolation: kernels are native code, and a kernel that dereferences a null pointer, writes
through a wild pointer, overflows its stack or calls ``abort()`` would end the process that runs it.
By default (``TT_KERNEL_ISOLATION=process``) a package's host library is therefore loaded in a
child process, the *device process*: this file run as a script (standard library only). It stays
alive between calls; the buffers travel through one shared memory file, the requests through a
pipe. When it dies, the call raises :class:`KernelError` with the mock runtime's one-line report
(core, processor, kernel file and signal; ``$TT_MOCK_FAULT_FD``) and the next call starts a new
one. ``TT_KERNEL_ISOLATION=off`` loads the library into the calling process instead.

Each instance's host program exports ``int tt_<name>_run(const void* const* inputs,
void* const* outputs, const char* kernel_dir, char* err, size_t err_len)`` with row-major
float bit patterns in each tensor's own type (16-bit bfloat16, IEEE float16 for a tensor declared float16,
32-bit IEEE float32 for one declared float32), in the order of the manifest's params with role
``input`` / ``output``.
"""

from __future__ import annotations

import atexit
import ctypes
import json
import mmap
import os
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Kernel", "KernelError", "KernelPackage", "load_package", "param_nbytes"]

_ERR_LEN = 16384
_ALIGN = 64  # byte alignment of every buffer in the shared memory file
_ISOLATION_MODES = ("process", "off")

try:  # the same class as tt_build.errors.KernelError when tt-build is installed
    from tt_build.errors import KernelError
except ImportError:  # an installed kernel package without tt-build (numpy + ml_dtypes only)

    class KernelError(RuntimeError):  # type: ignore[no-redef]
        """A kernel failed on the device (for the mock SDK: its diagnostic, e.g. a CB deadlock, or
        the fault that ended the device process)."""


def _bf16() -> Any:
    import numpy as np  # noqa: PLC0415

    try:
        import ml_dtypes  # noqa: PLC0415
    except ImportError as exc:  # pragma: no cover - declared dependency
        msg = "running kernels needs the ml_dtypes package (pip install ml_dtypes)"
        raise ImportError(msg) from exc
    return np.dtype(ml_dtypes.bfloat16)


def _params(manifest: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    if "params" in manifest:
        params = manifest["params"]
        ins = [p for p in params if p.get("role") == "input"]
        outs = [p for p in params if p.get("role") == "output"]
    else:
        ins = list(manifest.get("inputs", []))
        outs = list(manifest.get("outputs", []))
    return ins, outs


def _prepend_path(cur: str, path: Path) -> str:
    parts = [p for p in cur.split(os.pathsep) if p]
    if str(path) not in parts:
        parts.insert(0, str(path))
    return os.pathsep.join(parts)


def _native(spec: dict[str, Any], bf16: Any) -> Any:
    """The numpy dtype of a tensor's elements on the device (and on the host ABI)."""
    import numpy as np  # noqa: PLC0415

    return {"float16": np.dtype(np.float16), "float32": np.dtype(np.float32)}.get(spec.get("dtype", ""), bf16)


def param_nbytes(spec: dict[str, Any]) -> int:
    n = 4 if spec.get("dtype") == "float32" else 2  # bytes per element on the host ABI
    for d in spec.get("shape", []):
        n *= int(d)
    return n


def _isolation_from_env() -> str:
    mode = os.environ.get("TT_KERNEL_ISOLATION", "process").strip().lower() or "process"
    if mode not in _ISOLATION_MODES:
        msg = f"TT_KERNEL_ISOLATION={mode!r}: use one of {', '.join(_ISOLATION_MODES)}"
        raise ValueError(msg)
    return mode


class Kernel:
    """One kernel instance as a Python callable: ``outputs = kernel(*inputs)``."""

    def __init__(self, package: KernelPackage, name: str, kernel_dir: Path, manifest: dict[str, Any]) -> None:
        self.name = name
        self.kernel_dir = Path(kernel_dir)
        self.manifest = manifest
        self._package = package
        self.inputs, self.outputs = _params(manifest)
        self.__name__ = name
        self.__qualname__ = name
        sig = ", ".join(f"{p.get('name', f'in{i}')}: {p.get('dtype', 'bfloat16')}{list(p.get('shape', []))}"
                        for i, p in enumerate(self.inputs))
        res = ", ".join(f"{p.get('name', f'out{i}')}{list(p.get('shape', []))}" for i, p in enumerate(self.outputs))
        self.__doc__ = (f"{name}({sig}) -> {res}\n\nRuns on the {manifest.get('sdk', 'mock')} device. Inputs: numpy "
                        "float32 arrays or arrays of each tensor's own type (ml_dtypes.bfloat16, float16 for a float16 "
                        "tensor, float32 for a float32 tensor); outputs come back in their tensors' type when every "
                        "input is given in its own, float32 otherwise.")
        self._fn: Any = None

    def __repr__(self) -> str:
        return f"<tt-build kernel {self.name}: {self.__doc__.splitlines()[0] if self.__doc__ else ''}>"

    @property
    def symbol(self) -> str:
        """The host library's entry point of this instance."""
        return str(self.manifest.get("symbol") or f"tt_{self.name}_run")

    def _symbol(self) -> Any:
        if self._fn is None:
            lib = self._package.library()
            try:
                fn = getattr(lib, self.symbol)
            except AttributeError:
                raise KernelError(self._missing_symbol()) from None
            fn.restype = ctypes.c_int
            fn.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_void_p), ctypes.c_char_p,
                           ctypes.c_char_p, ctypes.c_size_t]
            self._fn = fn
        return self._fn

    def _missing_symbol(self) -> str:
        return f"{self.name}: the kernel library has no symbol {self.symbol} (stale build?)"

    def _convert(self, i: int, value: Any, bf16: Any) -> tuple[np.ndarray, bool]:
        import numpy as np  # noqa: PLC0415

        spec = self.inputs[i]
        pname = spec.get("name", f"input {i}")
        if not isinstance(value, np.ndarray):
            msg = f"{self.name}: argument {i} ({pname}) must be a numpy array, got {type(value).__name__}"
            raise TypeError(msg)
        shape = tuple(int(d) for d in spec.get("shape", value.shape))
        if value.shape != shape:
            msg = f"{self.name}: argument {i} ({pname}) must have shape {shape}, got {value.shape}"
            raise ValueError(msg)
        # the tensor's element type on the device: bfloat16, float16 or float32, as declared
        native = _native(spec, bf16)
        if value.dtype == native:
            is_bf16 = True  # given in the device's own type: results come back in theirs
        elif value.dtype == np.float32:
            is_bf16 = False
        else:
            want = {"float16": "float32 or float16", "float32": "float32"}.get(spec.get("dtype", ""),
                                                                             "float32 or ml_dtypes.bfloat16")
            msg = f"{self.name}: argument {i} ({pname}) must be {want}, got {value.dtype}"
            raise TypeError(msg)
        bits = np.uint32 if native.itemsize == 4 else np.uint16  # noqa: PLR2004
        return np.ascontiguousarray(value.astype(native, copy=False)).view(bits), is_bf16

    def run_raw(self, inputs: list[int], outputs: list[int]) -> None:
        """Run on raw buffers: addresses of row-major bit patterns of each tensor's type, in manifest order.

        Raises :class:`KernelError` with the device's diagnostic when the run fails. With process
        isolation the buffers are copied to the device process's shared memory and back.
        """
        if self._package.isolation == "off":
            self._run_in_process(inputs, outputs)
            return
        with self._package.lock:
            device = self._package.device()
            ins, outs = device.layout([param_nbytes(p) for p in self.inputs], [param_nbytes(p) for p in self.outputs])
            for (off, n), src in zip(ins, inputs):
                ctypes.memmove(device.address + off, src, n)
            for off, n in outs:  # outputs start zero-filled, as in-process
                ctypes.memset(device.address + off, 0, n)
            reply = device.call(self.name, self.symbol, str(self.kernel_dir), [off for off, _ in ins],
                                [off for off, _ in outs])
            if reply.get("missing"):
                raise KernelError(self._missing_symbol())
            rc = int(reply["rc"])
            if rc != 0:
                text = str(reply.get("err", "")).strip() or f"error code {rc}"
                msg = f"{self.name}: {text}"
                raise KernelError(msg)
            for (off, n), dst in zip(outs, outputs):
                ctypes.memmove(dst, device.address + off, n)

    def _run_in_process(self, inputs: list[int], outputs: list[int]) -> None:
        in_ptrs = (ctypes.c_void_p * max(len(inputs), 1))(*inputs)
        out_ptrs = (ctypes.c_void_p * max(len(outputs), 1))(*outputs)
        err = ctypes.create_string_buffer(_ERR_LEN)
        fn = self._symbol()
        with self._package.lock:
            rc = fn(in_ptrs, out_ptrs, str(self.kernel_dir).encode(), err, _ERR_LEN)
        if rc != 0:
            text = err.value.decode("utf-8", "replace").strip() or f"error code {rc}"
            msg = f"{self.name}: {text}"
            raise KernelError(msg)

    def __call__(self, *args: np.ndarray) -> Any:
        import numpy as np  # noqa: PLC0415

        if len(args) != len(self.inputs):
            names = ", ".join(p.get("name", "?") for p in self.inputs)
            msg = f"{self.name}() takes {len(self.inputs)} arrays ({names}), got {len(args)}"
            raise TypeError(msg)
        bf16 = _bf16()
        converted = [self._convert(i, a, bf16) for i, a in enumerate(args)]
        ins = [c[0] for c in converted]
        all_bf16 = bool(converted) and all(c[1] for c in converted)
        natives = [_native(p, bf16) for p in self.outputs]
        outs = [np.zeros(tuple(int(d) for d in p["shape"]), dtype=t) for p, t in zip(self.outputs, natives)]
        self.run_raw([a.ctypes.data for a in ins], [a.ctypes.data for a in outs])
        results = [o if all_bf16 else o.astype(np.float32) for o in outs]
        return results[0] if len(results) == 1 else tuple(results)


class _DeviceDied(Exception):
    pass


_LIVE_DEVICES: weakref.WeakSet[_DeviceProcess] = weakref.WeakSet()


class _DeviceProcess:
    """The child process that runs one package's host library (see the module docstring).

    Parent side. Requests and replies are length-prefixed JSON on two pipes; the buffers live in
    one shared memory file that grows as needed (both sides map it; the child remaps when a
    request names a new size). Not thread-safe: the package lock serializes its use.
    """

    def __init__(self, library: Path) -> None:
        self.library = library
        self._env: dict[str, str] = {}  # the TT_MOCK_* variables the child has
        self._proc: subprocess.Popen[bytes] | None = None
        self._pid = os.getpid()
        self._ctl = self._rep = self._fault = -1
        self._shm = -1
        self._size = 0
        self.buffer: mmap.mmap | None = None
        self._anchor: Any = None
        self.address = 0
        _LIVE_DEVICES.add(self)

    # -- shared memory -------------------------------------------------------------------------
    def _shm_fd(self) -> int:
        if self._shm < 0:
            if hasattr(os, "memfd_create"):
                self._shm = os.memfd_create("tt-build-device", 0)
            else:  # pragma: no cover - macOS
                fd, path = tempfile.mkstemp(prefix="tt-build-device-")
                os.unlink(path)
                self._shm = fd
        return self._shm

    def layout(self, in_sizes: list[int], out_sizes: list[int]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """(offset, size) of every input and output buffer; grows the shared memory to hold them."""
        if self._pid != os.getpid():  # a forked copy of the caller: the child and memory are the caller's
            self._forget()
            self._anchor = self.buffer = None
            if self._shm >= 0:
                os.close(self._shm)
            self._shm = -1
            self._size = 0
        cursor = 0
        placed: list[tuple[int, int]] = []
        for n in (*in_sizes, *out_sizes):
            placed.append((cursor, n))
            cursor += (n + _ALIGN - 1) // _ALIGN * _ALIGN
        if cursor > self._size or self.buffer is None:
            size = max(1 << 20, self._size)
            while size < cursor:
                size *= 2
            os.ftruncate(self._shm_fd(), size)
            # Views of the previous mapping may still be alive: let it go when they do.
            self.buffer = mmap.mmap(self._shm, size)
            self._anchor = (ctypes.c_char * size).from_buffer(self.buffer)
            self.address = ctypes.addressof(self._anchor)
            self._size = size
        return placed[:len(in_sizes)], placed[len(in_sizes):]

    # -- the child -----------------------------------------------------------------------------
    def _start(self) -> None:
        ctl_r, ctl_w = os.pipe()
        rep_r, rep_w = os.pipe()
        flt_r, flt_w = os.pipe()
        shm = self._shm_fd()
        self._env = _mock_env()
        env = {**os.environ, "TT_MOCK_FAULT_FD": str(flt_w)}
        # PR_SET_PDEATHSIG fires when the *thread* that started the child ends: only from the main thread
        # (otherwise the child ends when its request pipe closes, i.e. with the caller, after a kernel).
        pdeathsig = int(threading.current_thread() is threading.main_thread())
        cmd = [sys.executable, "-S", str(Path(__file__).resolve()), "--tt-device-process", str(os.getpid()),
               str(ctl_r), str(rep_w), str(shm), str(flt_w), str(pdeathsig), str(self.library)]
        try:
            self._proc = subprocess.Popen(cmd, pass_fds=(ctl_r, rep_w, shm, flt_w), env=env, stdin=subprocess.DEVNULL)
        finally:
            for fd in (ctl_r, rep_w, flt_w):
                os.close(fd)
        self._ctl, self._rep, self._fault = ctl_w, rep_r, flt_r
        try:
            hello = self._receive()
        except _DeviceDied:
            msg = f"cannot start the device process for {self.library}: {self._reap()}"
            raise OSError(msg) from None
        if "error" in hello:
            self.close()
            raise OSError(str(hello["error"]))

    def _send(self, obj: dict[str, Any]) -> None:
        data = json.dumps(obj).encode()
        _write_all(self._ctl, struct.pack("<I", len(data)) + data)

    def _receive(self) -> dict[str, Any]:
        head = _read_exact(self._rep, 4)
        if head is None:
            raise _DeviceDied
        body = _read_exact(self._rep, struct.unpack("<I", head)[0])
        if body is None:
            raise _DeviceDied
        reply: dict[str, Any] = json.loads(body)
        return reply

    def call(self, name: str, symbol: str, kernel_dir: str, ins: list[int], outs: list[int]) -> dict[str, Any]:
        """Runs ``symbol`` in the child on the buffers at the given offsets; returns its reply."""
        if self._proc is not None and self._proc.poll() is not None:  # died between calls (killed)
            self._reap()
        if self._proc is None:
            self._start()
        try:
            request: dict[str, Any] = {"symbol": symbol, "kernel_dir": kernel_dir, "size": self._size, "in": ins,
                                       "out": outs}
            env = _mock_env()
            if env != self._env:  # the runtime reads its settings when it runs: pass on changes
                request["env"] = env
                self._env = env
            self._send(request)
            return self._receive()
        except (_DeviceDied, BrokenPipeError):
            report = self._reap()
            raise KernelError(f"{name}: {report}") from None
        except BaseException:  # interrupted (Ctrl-C): the reply would answer the next request
            self.close(kill=True)
            raise

    def _reap(self) -> str:
        """After the child died: its exit, described (with the runtime's fault report when there is one)."""
        assert self._proc is not None
        rc = self._proc.wait()
        report = _read_available(self._fault).decode("utf-8", "replace").strip()
        self._forget()
        if report:
            return report.splitlines()[-1]
        if rc < 0:
            try:
                sig = signal.Signals(-rc).name
            except ValueError:
                sig = f"signal {-rc}"
            return (f"the device process died with {sig} while no kernel was running (a fault in the host "
                    "program, or in memory a kernel corrupted earlier)")
        if rc == 124:  # noqa: PLR2004 - the mock's watchdog
            return "the device process was stopped by the mock's watchdog (TT_MOCK_TIMEOUT) during the call"
        return f"the device process exited with code {rc} during the call"

    def _forget(self) -> None:
        for fd in (self._ctl, self._rep, self._fault):
            if fd >= 0:
                os.close(fd)
        self._ctl = self._rep = self._fault = -1
        self._proc = None
        self._pid = os.getpid()

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs."""
        return self._proc.pid if self._proc is not None and self._pid == os.getpid() else None

    def close(self, *, kill: bool = False) -> None:
        """Stops the child (it exits when its request pipe closes)."""
        proc = self._proc
        if proc is None or self._pid != os.getpid():
            return
        if kill:
            proc.kill()
        os.close(self._ctl)
        self._ctl = -1
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        self._forget()

    def release(self) -> None:
        """Stops the child and frees the shared memory (a later call starts over)."""
        self.close()
        self._anchor = None
        if self.buffer is not None:
            self.buffer.close()
            self.buffer = None
        if self._shm >= 0:
            os.close(self._shm)
        self._shm = -1
        self._size = 0
        self.address = 0

    def __del__(self) -> None:
        try:
            self.release()
        except Exception:  # noqa: BLE001, S110 - interpreter shutdown
            pass


def _mock_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith("TT_MOCK_") and k != "TT_MOCK_FAULT_FD"}


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _read_exact(fd: int, n: int) -> bytes | None:
    chunks = []
    while n > 0:
        chunk = os.read(fd, n)
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _read_available(fd: int) -> bytes:
    """Everything written to a pipe whose writers are gone (the child and its compilers)."""
    os.set_blocking(fd, False)
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def _close_devices() -> None:
    for device in list(_LIVE_DEVICES):
        device.close()


atexit.register(_close_devices)


class KernelPackage:
    """The kernel instances of one built package directory."""

    def __init__(self, package_dir: Path, names: tuple[str, ...], library: str = "_tt_kernels",
                 isolation: str | None = None) -> None:
        self.dir = Path(package_dir)
        self.library_name = library
        self.lock = threading.Lock()
        self._lib: Any = None
        self._device: _DeviceProcess | None = None
        if isolation is not None and isolation not in _ISOLATION_MODES:
            msg = f"isolation={isolation!r}: use one of {', '.join(_ISOLATION_MODES)}"
            raise ValueError(msg)
        #: ``process``: the host library runs in a device process; ``off``: in this process.
        self.isolation = isolation or _isolation_from_env()
        self.kernels: dict[str, Kernel] = {}
        for name in names:
            kdir = self.dir / "kernels" / name
            try:
                manifest = json.loads((kdir / "manifest.json").read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                msg = f"{name}: cannot read {kdir / 'manifest.json'}: {exc}"
                raise ImportError(msg) from None
            self.kernels[name] = Kernel(self, name, kdir, manifest)

    def _runtime_env(self) -> dict[str, str]:
        """The environment variables the host library reads (on top of ``os.environ``)."""
        env: dict[str, str] = {}
        # Device kernels precompiled at build time (tt_build.build.warm), searched first.
        path = os.environ.get("TT_MOCK_KERNEL_PATH", "")
        for kernel in self.kernels.values():
            precompiled = kernel.kernel_dir / "precompiled"
            if precompiled.is_dir():
                path = _prepend_path(path, precompiled)
        if path:
            env["TT_MOCK_KERNEL_PATH"] = path
        include = self.dir / "mock_include"
        if include.is_dir():
            # Headers for kernels that are not in the precompiled cache (compiled on first use).
            env["TT_MOCK_INCLUDE_DIR"] = str(include)
        if "TT_MOCK_KERNEL_CACHE" not in os.environ:
            base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
            env["TT_MOCK_KERNEL_CACHE"] = str(Path(base) / "tt-build" / "mock-kernels")
        return env

    def _library_path(self) -> Path:
        candidates = sorted(self.dir.glob(f"{self.library_name}*.so")) + sorted(
            self.dir.glob(f"{self.library_name}*.dylib"))
        if not candidates:
            msg = f"no kernel library {self.library_name}.so in {self.dir} (was the package built?)"
            raise ImportError(msg)
        return candidates[0]

    def library(self) -> Any:
        """The host library loaded into this process (``isolation="off"``)."""
        if self._lib is None:
            os.environ.update(self._runtime_env())
            self._lib = ctypes.CDLL(str(self._library_path()))
        return self._lib

    def device(self) -> _DeviceProcess:
        """The device process's parent-side handle (``isolation="process"``); started on first call."""
        if self._device is None:
            library = self._library_path()
            os.environ.update(self._runtime_env())  # as in-process: the device process inherits them
            self._device = _DeviceProcess(library)
        return self._device

    @property
    def device_pid(self) -> int | None:
        """The process id of the device process, while one runs (``isolation="process"``)."""
        return self._device.pid if self._device is not None else None

    def close(self) -> None:
        """Stops the device process and frees its shared memory (a later call starts a new one)."""
        with self.lock:
            if self._device is not None:
                self._device.release()


def load_package(module_name: str, init_file: str, names: tuple[str, ...], library: str = "_tt_kernels") -> KernelPackage:
    """Called by a built package's ``__init__.py``."""
    del module_name
    return KernelPackage(Path(init_file).resolve().parent, names, library)


# -- the device process (this file run as a script; standard library only) ---------------------


def _device_process(argv: list[str]) -> int:
    parent, ctl, rep, shm, fault, pdeathsig = (int(a) for a in argv[:6])
    library = argv[6]
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the caller's to handle
    for fd in (ctl, rep, shm, fault):
        os.set_inheritable(fd, False)  # not for the kernel compilers the runtime starts
    if pdeathsig:
        try:  # end with the caller even inside an endless kernel (Linux)
            ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (AttributeError, OSError):  # pragma: no cover - other systems
            pass
    try:  # glibc: keep freed memory like a long-running Python process does (measured: a 1024x1024
        # mock add page-faulted 4000 times per call in a fresh process, from trimming the heap)
        libc = ctypes.CDLL(None)
        libc.mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 256 << 20)  # M_TRIM_THRESHOLD
    except (AttributeError, OSError):  # pragma: no cover - other C libraries
        pass
    if os.getppid() != parent:
        return 0
    try:
        import resource  # noqa: PLC0415

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crashed kernel leaves no core file
    except (ImportError, ValueError, OSError):  # pragma: no cover
        pass

    def send(obj: dict[str, Any]) -> None:
        data = json.dumps(obj).encode()
        _write_all(rep, struct.pack("<I", len(data)) + data)

    try:
        lib = ctypes.CDLL(library)
    except OSError as exc:
        send({"error": f"cannot load kernel library {library}: {exc}"})
        return 1
    send({"ready": os.getpid()})
    fns: dict[str, Any] = {}
    size = 0
    base = 0
    anchor: Any = None
    mapping: mmap.mmap | None = None
    err = ctypes.create_string_buffer(_ERR_LEN)
    while True:
        head = _read_exact(ctl, 4)
        body = _read_exact(ctl, struct.unpack("<I", head)[0]) if head is not None else None
        if body is None:
            return 0
        req = json.loads(body)
        if "env" in req:  # the caller's TT_MOCK_* settings changed since the last call
            for key in [k for k in os.environ if k.startswith("TT_MOCK_") and k != "TT_MOCK_FAULT_FD"]:
                if key not in req["env"]:
                    del os.environ[key]
            os.environ.update(req["env"])
        if req["size"] != size:
            anchor = None
            if mapping is not None:
                mapping.close()
            size = int(req["size"])
            mapping = mmap.mmap(shm, size)
            anchor = (ctypes.c_char * size).from_buffer(mapping)
            base = ctypes.addressof(anchor)
        fn = fns.get(req["symbol"])
        if fn is None:
            try:
                fn = getattr(lib, req["symbol"])
            except AttributeError:
                send({"missing": True})
                continue
            fn.restype = ctypes.c_int
            fn.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_void_p), ctypes.c_char_p,
                           ctypes.c_char_p, ctypes.c_size_t]
            fns[req["symbol"]] = fn
        ins = (ctypes.c_void_p * max(len(req["in"]), 1))(*(base + o for o in req["in"]))
        outs = (ctypes.c_void_p * max(len(req["out"]), 1))(*(base + o for o in req["out"]))
        err.value = b""
        rc = fn(ins, outs, req["kernel_dir"].encode(), err, _ERR_LEN)
        send({"rc": rc, "err": err.value.decode("utf-8", "replace") if rc != 0 else ""})


if __name__ == "__main__" and sys.argv[1:2] == ["--tt-device-process"]:
    sys.exit(_device_process(sys.argv[2:]))
