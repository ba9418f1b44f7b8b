"""TEST DOUBLE of ``tt_build.driver.emit`` (tests only; selected with TT_BUILD_TEST_EMITTER).

Lets the build-system tests run without the real compiler and mock SDK: each kernel factory in
``tests/packages/fake_*`` returns ``{"op": "add" | "mul" | "fail", "shape": [M, N]}``, and this
writes a host program that computes it on the CPU (bf16 in/out) plus placeholder device kernels.
``FAKE_EMIT_SLEEP`` (seconds) slows emitting down so tests can kill a build mid-lowering.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from tt_build.driver import EmitResult, load_kernel_module
from tt_build.build.fs import atomic_write

HOST = """\
// fake host program for {name} (tests/fake_emitter.py)
#include <cstdint>
#include <cstring>
#include <cstdio>
static float bf(uint16_t v) {{ uint32_t u = uint32_t(v) << 16; float f; std::memcpy(&f, &u, 4); return f; }}
static uint16_t tobf(float f) {{ uint32_t u; std::memcpy(&u, &f, 4); u += 0x7FFF + ((u >> 16) & 1); return uint16_t(u >> 16); }}
extern "C" __attribute__((visibility("default")))
int tt_{name}_run(const uint16_t* const* in, uint16_t* const* out, const char* kernel_dir, char* err, size_t err_len) {{
  const char* op = "{op}";
  if (std::strcmp(op, "fail") == 0) {{
    std::snprintf(err, err_len, "mock: deadlock on core (0,0): compute kernel waits on CB 0 (0/1 tiles); kernel_dir=%s", kernel_dir);
    return 3;
  }}
  for (long i = 0; i < {n}L; ++i) {{
    float a = bf(in[0][i]), b = bf(in[1][i]);
    out[0][i] = tobf(std::strcmp(op, "add") == 0 ? a + b : a * b);
  }}
  return 0;
}}
"""


def emit(source: Path, factory: str, args: dict[str, Any], name: str, out_dir: Path, *,
         options: dict[str, Any] | None = None) -> EmitResult:
    module, deps = load_kernel_module(Path(source))
    desc = getattr(module, factory)(**args)
    delay = float(os.environ.get("FAKE_EMIT_SLEEP", "0") or 0)
    marker = os.environ.get("FAKE_EMIT_MARKER")
    if marker:
        Path(marker).write_text(name)
    M, N = desc["shape"]
    out_dir = Path(out_dir)
    files = {}
    for role in ("reader", "compute", "writer"):
        files[role] = out_dir / f"{role}.cpp"
        atomic_write(files[role], f"// {role} kernel of {name} ({desc['op']})\nvoid kernel_main() {{}}\n")
    if delay:
        time.sleep(delay)
    files["host"] = out_dir / "host.cpp"
    atomic_write(files["host"], HOST.format(name=name, op=desc["op"], n=M * N))
    manifest = {"name": name, "sdk": "fake", "symbol": f"tt_{name}_run", "params": [
        {"name": "A", "role": "input", "shape": [M, N], "dtype": "bfloat16"},
        {"name": "B", "role": "input", "shape": [M, N], "dtype": "bfloat16"},
        {"name": "C", "role": "output", "shape": [M, N], "dtype": "bfloat16"}]}
    files["manifest"] = out_dir / "manifest.json"
    atomic_write(files["manifest"], json.dumps(manifest, indent=1))
    return EmitResult(files=files, deps=deps, manifest=manifest)
