"""``tt-build new NAME``: scaffold a zero-config kernel project."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from tt_build import __version__
from tt_build.errors import ConfigError

__all__ = ["register", "run"]

_PYPROJECT = """\
[build-system]
requires = ["tt-build>={version}"]
build-backend = "tt_build.backend"

[project]
name = "{name}"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["numpy>=1.24", "ml_dtypes>=0.3"]

[tool.tt-build]
kernels = ["kernels/*.py"]   # each file declares its instances in an INSTANCES dict
sdk = "auto"                 # mock | metalium | auto (TT_METAL_HOME set -> metalium)
arch = "wormhole_b0"         # wormhole_b0 | blackhole
"""

_KERNEL = '''\
# An elementwise kernel in TileLang syntax; build with `tt-build build` or `pip install .`.
import tt_build.language as T


def add(M, N, block_M=32, block_N=32, dtype="bfloat16"):
    @T.prim_func
    def add_kernel(
        A: T.Tensor((M, N), dtype),
        B: T.Tensor((M, N), dtype),
        C: T.Tensor((M, N), dtype),
    ):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            A_shared = T.alloc_shared((block_M, block_N), dtype)
            B_shared = T.alloc_shared((block_M, block_N), dtype)
            C_local = T.alloc_fragment((block_M, block_N), dtype)
            T.copy(A[by * block_M, bx * block_N], A_shared)
            T.copy(B[by * block_M, bx * block_N], B_shared)
            for i, j in T.Parallel(block_M, block_N):
                C_local[i, j] = A_shared[i, j] + B_shared[i, j]
            T.copy(C_local, C[by * block_M, bx * block_N])

    return add_kernel


# Instance name -> factory arguments. Each instance becomes `{package}.<name>(A, B)`.
INSTANCES = {{
    "add_64": dict(M=64, N=64),
}}
'''

_DEMO = '''\
"""Run every kernel of {package} on the mock device and compare with numpy."""

import numpy as np

import {package}

a = np.random.default_rng(0).standard_normal((64, 64)).astype(np.float32)
b = np.random.default_rng(1).standard_normal((64, 64)).astype(np.float32)
c = {package}.add_64(a, b)
print("add_64 max abs err:", float(np.abs(c - (a + b)).max()))
'''

_GITIGNORE = "build/\n.tt-build/\n__pycache__/\n"


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser("new", help="create a new kernel project",
                              description="Create NAME/ with pyproject.toml (build-backend tt_build.backend), "
                                          "kernels/add.py and demo.py.")
    p.add_argument("name", help="project name (directory and distribution name)")
    p.add_argument("--force", action="store_true", help="write into an existing, non-empty directory")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from tt_build.project import package_name  # noqa: PLC0415

    dest = Path(args.name)
    name = dest.name
    if not re.match(r"^[A-Za-z][A-Za-z0-9._-]*$", name):
        msg = f"project name {name!r}: use letters, digits, '-', '_' or '.', starting with a letter"
        raise ConfigError(msg)
    package = package_name(name)
    if dest.exists() and any(dest.iterdir()) and not args.force:
        msg = f"{dest} exists and is not empty (use --force)"
        raise ConfigError(msg)
    (dest / "kernels").mkdir(parents=True, exist_ok=True)
    (dest / "pyproject.toml").write_text(_PYPROJECT.format(name=name, version=__version__), encoding="utf-8")
    (dest / "kernels" / "add.py").write_text(_KERNEL.format(package=package), encoding="utf-8")
    (dest / "demo.py").write_text(_DEMO.format(package=package), encoding="utf-8")
    (dest / ".gitignore").write_text(_GITIGNORE, encoding="utf-8")
    print(f"created {dest}/ (package {package}): pyproject.toml, kernels/add.py, demo.py")
    print(f"next: tt-build build {dest}   or   pip install {dest}")
    return 0
