"""The ``tt-build`` command line: exact output and exit codes of the papercut cases (no C++ build)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REFERENCE_KERNELS, REPO
from tt_build.cli import main
from tt_build.transform.pipeline import PASS_NAMES

GEMM = REFERENCE_KERNELS / "gemm.py"


def test_new_prints_next_commands_that_name_the_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["new", "myproj"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1:] == [
        "next: tt-build build myproj",
        "  or: pip install --no-build-isolation ./myproj   (uses the tt-build installed here)",
        "  or: pip install --find-links DIR ./myproj   (DIR holds the tt-build wheel: pip wheel --no-deps -w DIR "
        "<tt-build checkout>)",
    ]
    # Never a bare name, which pip looks up on the package index.
    assert not any(re.search(r"pip install (\S+ )*myproj\b", line) for line in lines)


def test_unknown_pass_name_is_an_error_listing_the_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lower", str(GEMM), "--print-ir-after", "InferTTLayuot"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == (f"error: --print-ir-after: no pass named 'InferTTLayuot' (did you mean "
                                    f"InferTTLayout?); the passes are: {', '.join(PASS_NAMES)}")
    assert main(["lower", str(GEMM), "--print-ir-after", "NoSuchPass"]) == 1
    assert "did you mean" not in capsys.readouterr().err


def test_closed_pipe_ends_quietly() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "tt_build.cli", "lower", str(GEMM)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=REPO)
    assert proc.stdout is not None and proc.stderr is not None
    head = [proc.stdout.readline() for _ in range(5)]
    proc.stdout.close()  # what `| head -5` does
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=120) == 141
    assert err == ""
    assert head[0].decode().startswith("# ==== instance gemm_256")


def test_lower_names_the_instance_of_each_module(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lower", str(GEMM)]) == 0
    out = capsys.readouterr().out
    headers = [line for line in out.splitlines() if line.startswith("# ==== instance")]
    assert headers == [
        "# ==== instance gemm_256: matmul(M=256, N=256, K=256) ====",
        "# ==== instance gemm_512: matmul(M=512, N=512, K=512) ====",
        "# ==== instance gemm_1024: matmul(M=1024, N=1024, K=1024, block_M=64, block_N=64, block_K=32) ====",
    ]
    # One instance alone needs no header.
    assert main(["lower", str(GEMM), "--instance", "gemm_256"]) == 0
    assert "# ==== instance" not in capsys.readouterr().out


def test_time_passes_header_adds_up(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lower", str(GEMM), "--instance", "gemm_256", "--time-passes"]) == 0
    lines = capsys.readouterr().out.splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"# gemm_256: [\d.]+ ms total$", line))
    total = float(lines[start].split()[2])
    parts = []
    for line in lines[start + 1:]:
        m = re.match(r"#\s+([\d.]+) ms  (.*)$", line)
        if not m:
            break
        parts.append((float(m.group(1)), m.group(2)))
    labels = [label for _, label in parts]
    assert labels[0] == f"in the {len(PASS_NAMES)} passes (table below)"
    assert labels[1].startswith("front end: parse the kernel file, trace the factory, build the IR")
    assert labels[-1] == "printing the IR"
    assert abs(sum(ms for ms, _ in parts) - total) <= 0.1 * len(parts)  # rounding of each row
    table_total = next(line for line in lines if line.startswith("total "))
    assert abs(float(table_total.split()[1]) - parts[0][0]) <= 0.1


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_build_of_a_path_that_is_not_a_directory(tmp_path: Path, kind: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nonexistent"
    if kind == "file":
        path.write_text("")
    assert main(["build", str(path)]) == 1
    what = "does not exist" if kind == "missing" else "is not a directory"
    assert capsys.readouterr().err.strip() == (
        f"error: project directory {path} {what} (tt-build build takes a kernel project's directory)")
