"""``tt-build lower``: instances and ad-hoc factory arguments, the pass instruments, the target grid, errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REFERENCE_KERNELS
from tt_build.cli import main
from tt_build.transform import PASS_NAMES

GEMM = REFERENCE_KERNELS / "gemm.py"
BAD = Path(__file__).resolve().parent.parent / "data" / "bad_kernels"


def test_time_passes_lists_every_pass_in_pipeline_order(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lower", str(GEMM), "--instance", "gemm_256", "--time-passes"]) == 0
    out = capsys.readouterr().out
    table = out[out.index("# gemm_256: "):].splitlines()
    assert re.fullmatch(r"# gemm_256: \d+\.\d ms total", table[0])
    # the header breaks the total down (each line "#  <ms> ms  <what>") and adds up to it
    head = [line for line in table[1:] if line.startswith("#")]
    parts = [float(line.split()[1]) for line in head]
    assert abs(sum(parts) - float(table[0].split()[2])) < 0.2
    assert table[1 + len(head)].split() == ["pass", "ms", "%"]
    rows = [line.split() for line in table[2 + len(head):]]
    assert [r[0] for r in rows] == [*PASS_NAMES, "total"]
    assert abs(sum(float(r[1]) for r in rows[:-1]) - float(rows[-1][1])) < 1e-2


def test_print_ir_after_all_and_after_one_pass(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lower", str(GEMM), "--instance", "gemm_256", "--print-ir-after-all"]) == 0
    out = capsys.readouterr().out
    assert re.findall(r"^# IR after tt\.(\w+)$", out, re.MULTILINE) == PASS_NAMES
    assert main(["lower", str(GEMM), "--instance", "gemm_256", "--print-ir-after", "SplitDeviceKernel"]) == 0
    out = capsys.readouterr().out
    assert re.findall(r"^# IR after tt\.(\w+)$", out, re.MULTILINE) == ["SplitDeviceKernel"]
    assert [f for f in re.findall(r"def (gemm_\w+)\(", out)] == ["gemm_reader", "gemm_compute", "gemm_writer"]


# 16×16 blocks of 32×32: the 2-D multicast plan maps them onto the largest grid of divisors (8×8 on Blackhole's
# 13×10) so that core rows and columns run in lock-step; on 2×3 cores its 2×2 grid is estimated slower than
# the plain partition over all 6 cores (compute-bound), which is kept
@pytest.mark.parametrize(("opts", "grid", "cores"), [([], [8, 8], 64), (["--arch", "blackhole"], [13, 10], 64),
                                                     (["--device-grid", "2x3"], [2, 3], 6)])
def test_factory_arguments_and_target_grid(capsys: pytest.CaptureFixture[str], opts: list[str], grid: list[int],
                                           cores: int) -> None:
    assert main(["lower", f"{GEMM}:matmul", "--args", "M=512,N=512,K=64", *opts]) == 0
    out = capsys.readouterr().out
    assert re.findall(r"def (gemm_\w+)\(", out) == ["gemm_reader", "gemm_compute", "gemm_writer"]
    assert set(re.findall(r'"tt.device_grid": (\[\d+, \d+\])', out)) == {str(grid)}
    work = re.search(r'"tt.work_partition": (\[.*?\])\}\)', out)
    assert work is not None and work.group(1).count('"core"') == cores


def test_dump_ir_writes_one_file_per_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lower", str(GEMM), "--instance", "gemm_256", "--dump-ir", str(tmp_path)]) == 0
    capsys.readouterr()
    assert sorted(p.name for p in (tmp_path / "gemm_256").iterdir()) == [
        f"{i:03d}_{name}.py" for i, name in enumerate(PASS_NAMES)]


def test_errors_are_clean_messages(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["lower", str(tmp_path / "nope.py")]) == 1
    assert capsys.readouterr().err.strip() == f"error: kernel file {tmp_path / 'nope.py'} does not exist"
    assert main(["lower", str(GEMM), "--instance", "gemm_7"]) == 1
    assert capsys.readouterr().err.strip() == (f"error: no instance named 'gemm_7' in the INSTANCES of {GEMM} "
                                               "(known: gemm_256, gemm_512, gemm_1024)")
    assert main(["lower", f"{BAD / 'l1_overflow.py'}:kernel", "--args",
                 "block_M=256,block_N=256,block_K=512,stages=3"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{BAD / 'l1_overflow.py'}:14:13: error in pass LowerSharedToCB: circular buffers need")
    assert "Traceback" not in err
