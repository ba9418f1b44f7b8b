"""The test-matrix report (``tt-build matrix``): the IR-derived numpy reference, the derived table
columns, the command on the reference kernels, and failure reporting."""

from __future__ import annotations

import json
import os
import textwrap
import zlib
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest

import tt_build.language as T
from tests.conftest import REFERENCE_KERNELS
from tests.e2e import expected_output, matrix_instances, test_build_dir
from tt_build.cli import main
from tt_build.driver import build_primfunc
from tt_build.matrix import (
    NumpyReferenceError,
    format_table,
    kernel_pattern,
    make_inputs,
    problem_size,
    reference_outputs,
    run_instance,
    tensor_roles,
)
from tt_build.transform import lower

INSTANCES = matrix_instances()

#: What the table shows for each instance, derived from the IR (never from the instance's name).
COLUMNS = {
    "eltwise_add_256": ("add", "256×256"),
    "eltwise_mul_256": ("mul", "256×256"),
    "gemm_256": ("matmul", "256×256×256"),
    "gemm_512": ("matmul", "512×512×512"),
    "gemm_1024": ("matmul", "1024×1024×1024"),
    "sub_exp_128": ("sub+exp", "128×256"),
    "sub_relu_blocked": ("sub+relu", "256×256"),
    "sub_64x128": ("sub", "256×512"),
    "gemm_tb_relu": ("matmul(Bᵀ)+relu", "128×192×256"),
    "gemm_tb_odd": ("matmul(Bᵀ)", "96×160×96"),
    "exp_256": ("exp", "256×256"),
    "gemm_l1_256": ("matmul", "256×256×256"),
    "gemm_l1_a_blocked": ("matmul", "256×256×256"),
    "add_l1_256": ("add", "256×256"),
    "gemm_names_128": ("matmul", "128×192×128"),
    "gemm_128x128_blocks": ("matmul", "256×256×256"),
    "gemm_96_bf16_accum": ("matmul", "192×192×128"),
    "gemm_128_one_k_step": ("matmul", "128×256×32"),
    "gemm_operands_twice": ("matmul", "64×96×128"),
    "conv2d_1x32x32x64_k3s1p1": ("tilize+matmul", "1×32×32×64×576"),
    "conv2d_1x32x32x64_k3s2p1": ("tilize+matmul", "1×16×16×64×576"),
    "conv2d_1x34x34x32_k3s1p0": ("tilize+matmul", "1×32×32×64×288"),
    "conv2d_groups2_1x32x32x64": ("tilize+matmul", "1×32×32×64×288"),
}


def _params(func):  # noqa: ANN001, ANN202
    ins, outs = tensor_roles(func)
    return [{"shape": list(p.shape), "role": "input"} for p in ins] + [
        {"shape": list(p.shape), "role": "output"} for p in outs]


@pytest.mark.parametrize("name", sorted(INSTANCES))
def test_ir_reference_agrees_with_handwritten_numpy(name: str) -> None:
    inst = INSTANCES[name]
    func, _ = build_primfunc(inst.source, inst.factory, inst.args)
    inputs = [x.astype(np.float32) for x in make_inputs(_params(func), zlib.crc32(name.encode()))]
    (got,) = reference_outputs(func, inputs)
    want = expected_output(inst, inputs)
    # the IR reference rounds the output to bfloat16 (the tensor's dtype); that is all that differs
    assert got.dtype == np.float32 and got.shape == want.shape
    assert np.array_equal(got, want.astype(ml_dtypes.bfloat16).astype(np.float32)) or \
        float(np.max(np.abs(got - want))) <= 2 ** -7 * float(np.max(np.abs(want)))


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_pattern_and_size_columns_come_from_the_ir(name: str) -> None:
    inst = INSTANCES[name]
    func, _ = build_primfunc(inst.source, inst.factory, inst.args)
    assert (kernel_pattern(lower(func)), problem_size(func)) == COLUMNS[name]


def test_reference_rounds_every_store_to_the_buffer_dtype() -> None:
    @T.prim_func
    def k(X: T.Tensor((32, 32), "bfloat16"), Y: T.Tensor((32, 32), "bfloat16"), Z: T.Tensor((32, 32), "bfloat16")):
        with T.Kernel(1) as bx:
            xs = T.alloc_shared((32, 32), "bfloat16")
            ys = T.alloc_shared((32, 32), "bfloat16")
            staged = T.alloc_shared((32, 32), "bfloat16")
            f = T.alloc_fragment((32, 32), "bfloat16")
            g = T.alloc_fragment((32, 32), "bfloat16")
            T.copy(X[0, bx * 32], xs)
            T.copy(Y[0, bx * 32], ys)
            for i, j in T.Parallel(32, 32):
                f[i, j] = xs[i, j] + ys[i, j]
            T.copy(f, staged)
            for i, j in T.Parallel(32, 32):
                g[i, j] = staged[i, j] - xs[i, j]
            T.copy(g, Z[0, bx * 32])

    x = np.ones((32, 32), dtype=np.float32)
    y = np.full((32, 32), 2.0 ** -9, dtype=np.float32)
    (z,) = reference_outputs(k, [x, y])
    # 1 + 2^-9 rounds to 1 in bfloat16 (8 significant bits), so the result is exactly 0
    assert np.array_equal(z, np.zeros((32, 32), dtype=np.float32))


def test_reference_roles_follow_dataflow_and_shapes_are_checked() -> None:
    @T.prim_func
    def k(Out: T.Tensor((32, 64), "bfloat16"), In: T.Tensor((32, 64), "bfloat16")):
        with T.Kernel(2) as bx:
            s = T.alloc_shared((32, 32), "bfloat16")
            T.copy(In[0, bx * 32], s)
            T.copy(s, Out[0, bx * 32])

    ins, outs = tensor_roles(k)
    assert ([p.name for p in ins], [p.name for p in outs]) == (["In"], ["Out"])
    x = np.arange(32 * 64, dtype=np.float32).reshape(32, 64) / 64
    (y,) = reference_outputs(k, [x])
    assert np.array_equal(y, x.astype(ml_dtypes.bfloat16).astype(np.float32))
    with pytest.raises(NumpyReferenceError, match=r"input In of kernel k must have shape \(32, 64\), got \(64, 32\)"):
        reference_outputs(k, [x.T])
    with pytest.raises(NumpyReferenceError, match=r"kernel k takes 1 inputs \(In\), got 2"):
        reference_outputs(k, [x, x])


def _rows(text: str) -> dict[str, dict[str, str]]:
    lines = text.splitlines()
    header = [h.strip() for h in lines[0].strip("|").split("|")]
    out = {}
    for line in lines[2:]:
        if not line.startswith("|"):
            break
        cells = dict(zip(header, (c.strip() for c in line.strip("|").split("|"))))
        out[cells["instance"]] = cells
    return out


@pytest.mark.compile
@pytest.mark.network
def test_matrix_command_runs_the_reference_kernels(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rc = main(["matrix", str(REFERENCE_KERNELS / "gemm.py"), str(REFERENCE_KERNELS / "eltwise.py"), "--markdown",
               "--build-dir", str(test_build_dir()), "--emit-dir", str(tmp_path), "--json", str(tmp_path / "rows.json")])
    out = capsys.readouterr().out
    assert rc == 0, out
    rows = _rows(out)
    assert sorted(rows) == ["eltwise_add_256", "eltwise_mul_256", "gemm_1024", "gemm_256", "gemm_512"]
    for name, r in rows.items():
        assert (r["pattern"], r["size"], r["status"], r["ref"]) == (*COLUMNS[name], "ok", "IR"), r
        # data-movement kernels always; "all" when an SFPI include dir lets the compute kernel be checked too
        assert r["check"] in ("R+W", "all"), r
        assert float(r["PCC"]) >= 0.999 and float(r["max rel err"]) <= 2e-2, r
        assert float(r["lower ms"]) > 0 and float(r["run s"]) >= 0
    assert out.rstrip().endswith("5/5 instances ok")
    saved = json.loads((tmp_path / "rows.json").read_text())
    assert [(r["instance"], r["status"]) for r in saved] == [(n, "ok") for n in rows]


_BAD_REF = textwrap.dedent('''
    import tt_build.language as T

    def binary(M, N):
        @T.prim_func
        def add(A: T.Tensor((M, N), "bfloat16"), B: T.Tensor((M, N), "bfloat16"), C: T.Tensor((M, N), "bfloat16")):
            with T.Kernel(N // 32, M // 32) as (bx, by):
                a = T.alloc_shared((32, 32), "bfloat16")
                b = T.alloc_shared((32, 32), "bfloat16")
                c = T.alloc_fragment((32, 32), "bfloat16")
                T.copy(A[by * 32, bx * 32], a)
                T.copy(B[by * 32, bx * 32], b)
                for i, j in T.Parallel(32, 32):
                    c[i, j] = a[i, j] + b[i, j]
                T.copy(c, C[by * 32, bx * 32])
        return add

    INSTANCES = {"file_ref": dict(M=64, N=64)}
    REFERENCE = {"binary": lambda a, b, M, N: a SIGN b}
''')


@pytest.mark.compile
@pytest.mark.parametrize(("sign", "status"), [("+", "ok"), ("-", "FAIL (compare)")])
def test_file_reference_is_used_and_mismatches_fail(tmp_path: Path, sign: str, status: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    kfile = tmp_path / sign.replace("+", "plus").replace("-", "minus") / "kernel.py"
    kfile.parent.mkdir()
    kfile.write_text(_BAD_REF.replace("SIGN", sign))
    rc = main(["matrix", str(kfile), "--no-check", "--build-dir", str(test_build_dir()),
               "--emit-dir", str(tmp_path / "emit")])
    out = capsys.readouterr().out
    lines = out.splitlines()
    row = lines[2].split()
    assert row[:4] == ["add", "file_ref", "64×64", *status.split()[:1]]
    assert "file" in row
    if status == "ok":
        assert rc == 0 and out.rstrip().endswith("1/1 instances ok (real-header check skipped)")
    else:
        assert rc == 1
        assert "file_ref: outputs differ from the reference: PCC" in out
        assert out.rstrip().endswith("0/1 instances ok (real-header check skipped)")


def test_a_failing_lowering_is_a_row_not_a_crash(tmp_path: Path) -> None:
    from tt_build.driver import Instance  # noqa: PLC0415
    from tt_build.matrix import MatrixOptions, MockRunner  # noqa: PLC0415

    bad = Path(__file__).parent / "data" / "bad_kernels" / "l1_overflow.py"
    inst = Instance("too_big", bad, "kernel", {"block_M": 256, "block_N": 256, "block_K": 512, "stages": 3})
    row = run_instance(inst, MockRunner(test_build_dir()), MatrixOptions(build_dir=tmp_path, check=False))
    assert row.status == "FAIL (lower)"
    assert row.message.startswith(f"{bad}:14:13: error in pass LowerSharedToCB: circular buffers need")
    table = format_table([row])
    assert table.splitlines()[2].split()[:5] == ["?", "too_big", "?", "FAIL", "(lower)"]
    assert table.split("\n\n", 1)[1] == f"too_big: {row.message}"
    assert row.message.endswith("\nhint: reduce the block sizes or num_stages")


@pytest.mark.compile
def test_matrix_without_files_runs_the_project_in_the_current_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "kernels").mkdir()
    (tmp_path / "kernels" / "kernel.py").write_text(_BAD_REF.replace("SIGN", "+"))
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent('''
        [project]
        name = "proj"
        version = "0.1.0"

        [tool.tt-build]
        kernels = ["kernels/*.py"]
        sdk = "mock"
        options = { device_grid = [1, 2] }
    '''))
    monkeypatch.chdir(tmp_path)
    rc = main(["matrix", "--no-check", "--build-dir", str(test_build_dir()), "--emit-dir", str(tmp_path / "emit"),
               "--json", str(tmp_path / "rows.json")])
    out = capsys.readouterr().out
    assert rc == 0, out
    (row,) = json.loads((tmp_path / "rows.json").read_text())
    assert (row["instance"], row["status"], row["reference"]) == ("file_ref", "ok", "file")
    # the project's pipeline options reach the compiler: 4 output blocks on a 1×2 grid
    manifest = json.loads((tmp_path / "emit" / "kernel" / "file_ref" / "manifest.json").read_text())
    assert [(w["core"], w["count"]) for w in manifest["work_partition"]] == [([0, 0], 2), ([0, 1], 2)]


@pytest.mark.compile
def test_blackhole_instances_run_on_a_simulated_blackhole(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TT_MOCK_ARCH", "wormhole_b0")  # the manifest's arch wins for the run
    kfile = tmp_path / "bh" / "kernel.py"
    kfile.parent.mkdir()
    # 16x16 output blocks: 256 blocks over the 130 cores of a 13x10 Blackhole grid (cores x >= 8 used).
    kfile.write_text(_BAD_REF.replace("SIGN", "+").replace('dict(M=64, N=64)', 'dict(M=512, N=512)'))
    rc = main(["matrix", str(kfile), "--no-check", "--arch", "blackhole", "--build-dir", str(test_build_dir()),
               "--emit-dir", str(tmp_path / "emit")])
    out = capsys.readouterr().out
    assert rc == 0, out
    manifest = json.loads(next((tmp_path / "emit").rglob("manifest.json")).read_text())
    assert (manifest["arch"], manifest["core_grid"]) == ("blackhole", [13, 10])
    assert os.environ["TT_MOCK_ARCH"] == "wormhole_b0"  # restored after the run
