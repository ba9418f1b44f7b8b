"""The real-header check: kernels compiled through the ttnn 0.81.1 firmware wrappers with the host g++.

Tests marked ``network`` download the ttnn wheel once (cached, see tt_build.ttnn_wheel) and compile
against its headers. Compute kernels are checked against the wheel's api/compute and LLK headers with
SFPI's headers where installed, else with tt-build's own SFPI declarations (templates/check/sfpi): on a
machine without SFPI (CI) they are checked all the same (``test_compute_*``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tt_build.check import (
    CBDesc,
    KernelCheckError,
    check_emitted_dir,
    check_kernels,
    data_format_name,
    find_sfpi_include,
    read_manifest,
    tile_size_bytes,
)
from tests.conftest import REFERENCE_KERNELS
from tt_build.errors import ConfigError

DATA = Path(__file__).resolve().parent / "data" / "check"

# CBs of a binary eltwise program: two inputs and one output, bf16 tiles, double-buffered.
CBS = [CBDesc(0, "Float16_b", 2048, 2), CBDesc(1, "Float16_b", 2048, 2), CBDesc(16, "Float16_b", 2048, 2)]
# Interleaved DRAM TensorAccessorArgs: [ArgConfig::IsDram, aligned page size].
ACC = [2, 2048]
ARGS = {"reader": [0, *ACC], "writer": [16, *ACC], "compute": [0, 1, 16]}

network = pytest.mark.network
compile_ = pytest.mark.compile


@pytest.fixture(scope="session")
def ttnn_root() -> Path:
    if shutil.which("g++") is None:
        pytest.skip("no host g++: the real-header check needs one")
    from tt_build.ttnn_wheel import ensure_ttnn

    return ensure_ttnn()


@pytest.fixture()
def no_sfpi(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SFPI_INC", raising=False)
    monkeypatch.delenv("TT_METAL_HOME", raising=False)
    if find_sfpi_include() is not None:
        pytest.skip("an SFPI install is present on this machine")


def _check(ttnn_root: Path, reader: str | None = None, writer: str | None = None, compute: str | None = None,
           **kw):
    kw.setdefault("compile_args", ARGS)
    kw.setdefault("cbs", CBS)
    return check_kernels(reader and DATA / reader, writer and DATA / writer, compute and DATA / compute,
                         ttnn_root=ttnn_root, **kw)


# --- Positive: the codegen style and ttnn's own kernels --------------------------------------------------


@network
@compile_
def test_codegen_style_reader_and_writer_pass(ttnn_root: Path) -> None:
    report = _check(ttnn_root, "reader_tiles.cpp", "writer_tiles.cpp")
    assert report.ok, report.summary() + "\n" + "\n".join(k.diagnostics for k in report.failed)
    assert report.kernel("reader").status == "checked"
    assert report.kernel("writer").status == "checked"
    assert report.kernel("reader").processors == ["brisc"]
    assert report.kernel("writer").processors == ["ncrisc"]
    # compiled the way the JIT does: firmware wrapper + JIT defines, syntax only
    rcmd, wcmd = report.kernel("reader").command, report.kernel("writer").command
    assert rcmd[-1].endswith("tt_metal/hw/firmware/src/tt-1xx/brisck.cc")
    assert wcmd[-1].endswith("tt_metal/hw/firmware/src/tt-1xx/ncrisck.cc")
    for flag in ("-fsyntax-only", "-DKERNEL_BUILD", "-DARCH_WORMHOLE", "-DTENSIX_FIRMWARE", "-DNOC_MODE=0",
                 "-DKERNEL_COMPILE_TIME_ARGS=0,2,2048"):
        assert flag in rcmd
    assert {"-DCOMPILE_FOR_BRISC", "-DNOC_INDEX=0", "-DPROCESSOR_INDEX=0"} <= set(rcmd)
    assert {"-DCOMPILE_FOR_NCRISC", "-DNOC_INDEX=1", "-DPROCESSOR_INDEX=1"} <= set(wcmd)


@network
@compile_
def test_chained_tensor_accessor_args_pass(ttnn_root: Path) -> None:
    report = _check(ttnn_root, "reader_two_inputs.cpp", compile_args={"reader": [0, 1, *ACC, *ACC]})
    assert report.kernel("reader").status == "checked", report.kernel("reader").diagnostics


@network
@compile_
def test_ttnn_own_kernels_pass(ttnn_root: Path) -> None:
    """Positive control: ttnn's reader/writer from the same wheel compile through our JIT emulation."""
    ops = ttnn_root / "ttnn" / "cpp" / "ttnn" / "operations"
    reader = ops / "eltwise/binary/device/kernels/dataflow/reader_binary_interleaved_start_id.cpp"
    writer = ops / "eltwise/unary/device/kernels/dataflow/writer_unary_interleaved_start_id.cpp"
    report = check_kernels(reader, writer, None, ttnn_root=ttnn_root, cbs=CBS,
                           compile_args={"reader": [0, *ACC, *ACC], "writer": [16, *ACC]})
    assert report.ok, "\n".join(k.diagnostics for k in report.failed)
    assert [k.status for k in report.kernels] == ["checked", "checked", "skipped"]


# --- Negative: what the check must reject ----------------------------------------------------------------


@network
@compile_
@pytest.mark.parametrize(("role", "source", "expect"), [
    ("reader", "bad_reader_typo.cpp", "noc_async_read_tile_typo"),
    ("reader", "bad_reader_argcount.cpp", "no matching function for call to ‘noc_async_read_page"),
    ("writer", "bad_writer_argcount.cpp", "too few arguments to function ‘void cb_pop_front"),
    ("reader", "bad_reader_removed_api.cpp", "noc_async_read_tile_dram_sharded_set_state"),
])
def test_broken_kernels_fail_naming_the_kernel(ttnn_root: Path, role: str, source: str, expect: str) -> None:
    report = _check(ttnn_root, **{role: source})
    k = report.kernel(role)
    assert not report.ok
    assert k.status == "failed"
    assert source in k.reason and expect.split("‘")[-1] in k.reason
    assert f"{source}:" in k.diagnostics and expect in k.diagnostics
    assert "loses precision" not in k.diagnostics  # host (LP64) artefacts are not shown


@network
@compile_
def test_deprecated_api_rejected_unless_allowed(ttnn_root: Path) -> None:
    strict = _check(ttnn_root, "deprecated_reader_tile.cpp").kernel("reader")
    assert strict.status == "failed"
    assert strict.reason.startswith("deprecated API: deprecated_reader_tile.cpp:")
    assert "noc_async_read_tile" in strict.diagnostics
    lenient = _check(ttnn_root, "deprecated_reader_tile.cpp", allow_deprecated=True).kernel("reader")
    assert lenient.status == "checked", lenient.diagnostics


@network
@compile_
def test_compile_time_args_must_cover_the_accessor(ttnn_root: Path) -> None:
    """Host and kernel must agree on the compile-time arg layout: a missing accessor arg is an error."""
    k = _check(ttnn_root, writer="writer_tiles.cpp", compile_args={"writer": [16]}).kernel("writer")
    assert k.status == "failed"
    assert "Index out of range" in k.diagnostics


@network
@compile_
def test_warning_in_kernel_is_an_error_like_the_jit(ttnn_root: Path, tmp_path: Path) -> None:
    src = tmp_path / "reader_warn.cpp"
    text = (DATA / "reader_tiles.cpp").read_text()
    src.write_text(text.replace("    for (uint32_t tile", "    int32_t signed_count = 0;\n"
                                "    if (signed_count < num_tiles) {}\n    for (uint32_t tile", 1))
    report = check_kernels(src, None, None, ttnn_root=ttnn_root, cbs=CBS, compile_args=ARGS)
    k = report.kernel("reader")
    assert k.status == "failed"
    assert "-Wsign-compare" in k.diagnostics and "JIT builds with -Werror" in k.diagnostics


# --- Compute kernels -------------------------------------------------------------------------------------


@network
@compile_
def test_compute_checked_with_sfpi_declarations_without_sfpi(ttnn_root: Path, no_sfpi: None, tmp_path: Path) -> None:
    report = _check(ttnn_root, "reader_tiles.cpp", "writer_tiles.cpp", "compute_add.cpp", build_dir=tmp_path)
    assert report.ok, "\n".join(k.diagnostics for k in report.failed)
    assert [k.status for k in report.kernels] == ["checked", "checked", "checked"]
    assert report.sfpi_declarations and not report.data_movement_only
    assert report.sfpi_include == tmp_path / "sfpi-declarations"
    assert "type-checked against tt-build's SFPI declarations" in report.summary()
    assert "SFPI internals are not checked" in report.summary()
    # the declarations are tt-build's own (rendered from templates/check/sfpi), searched after the wheel's dirs
    assert f"-I{tmp_path / 'sfpi-declarations'}" in report.kernel("compute").command
    assert "namespace sfpi" in (tmp_path / "sfpi-declarations" / "sfpi.h").read_text()
    # opting out restores the old behaviour: compute skipped, and the report says why
    off = _check(ttnn_root, "reader_tiles.cpp", None, "compute_add.cpp", use_sfpi_declarations=False)
    assert off.kernel("compute").status == "skipped" and off.data_movement_only
    assert "SFPI declarations disabled" in off.kernel("compute").reason


@network
@compile_
def test_sfpu_compute_kernel_without_common_h_fails_naming_get_arg_val(ttnn_root: Path, no_sfpi: None) -> None:
    """Issue 11, bug 1: an SFPU-only kernel must include api/compute/common.h to read runtime args."""
    args = {"compute": [0, 16]}
    ok = _check(ttnn_root, compute="compute_exp.cpp", compile_args=args).kernel("compute")
    assert ok.status == "checked", ok.diagnostics
    bad = _check(ttnn_root, compute="bad_compute_missing_common.cpp", compile_args=args).kernel("compute")
    assert bad.status == "failed"
    assert "bad_compute_missing_common.cpp" in bad.reason and "get_arg_val" in bad.reason
    assert "‘get_arg_val’ was not declared in this scope" in bad.diagnostics


@network
@compile_
def test_compute_builds_three_trisc_tus(ttnn_root: Path, tmp_path: Path) -> None:
    """With an SFPI dir the compute kernel goes through trisck.cc once per TRISC, as the JIT compiles it.

    The SFPI dir here is a stand-in holding an empty sfpi.h, so the compile itself cannot succeed: the
    test checks the generated JIT files and command lines only.
    """
    fake = tmp_path / "sfpi-include"
    fake.mkdir()
    (fake / "sfpi.h").write_text("")
    build = tmp_path / "build"
    report = _check(ttnn_root, compute="compute_add.cpp", sfpi_include=fake, build_dir=build)
    k = report.kernel("compute")
    assert k.status != "skipped"
    assert k.processors == ["trisc0", "trisc1", "trisc2"]
    first = k.commands[0]
    assert first[-1].endswith("tt_metal/hw/firmware/src/tt-1xx/trisck.cc")
    assert {"-DUCK_CHLKC_UNPACK", "-DNAMESPACE=chlkc_unpack", "-DCOMPILE_FOR_TRISC=0", "-DPROCESSOR_INDEX=2",
            "-DKERNEL_COMPILE_TIME_ARGS=0,1,16", f"-I{fake.resolve()}"} <= set(first)
    for stage in ("unpack", "math", "pack"):
        text = (build / "compute" / f"chlkc_{stage}.cpp").read_text()
        assert f"#define TRISC_{stage.upper()}" in text
        assert f'#include "{DATA / "compute_add.cpp"}"' in text
    assert "#define NOC_MODE 0" in (build / "compute" / "defines_generated.h").read_text()


@network
@compile_
def test_compute_accepts_current_api_and_rejects_removed_form(ttnn_root: Path) -> None:
    ok = _check(ttnn_root, compute="compute_add.cpp").kernel("compute")
    assert ok.status == "checked", ok.diagnostics
    bad = _check(ttnn_root, compute="bad_compute_legacy.cpp").kernel("compute")
    assert bad.status == "failed"
    assert "bad_compute_legacy.cpp" in bad.diagnostics


# --- Generated JIT files ---------------------------------------------------------------------------------


@network
@compile_
def test_generated_descriptors_describe_the_cbs(ttnn_root: Path, tmp_path: Path) -> None:
    cbs = [CBDesc(0, "bfloat16", 2048, 2), CBDesc(5, "Bfp8_b", 1088, 4), CBDesc(16, "float32", 4096, 1)]
    _check(ttnn_root, "reader_tiles.cpp", cbs=cbs, build_dir=tmp_path)
    text = (tmp_path / "reader" / "chlkc_descriptors.h").read_text()
    kernel_includes = (tmp_path / "reader" / "kernel_includes.hpp").read_text()
    assert f'#include "{DATA / "reader_tiles.cpp"}"' in kernel_includes

    def array(name: str) -> list[int]:
        body = text.split(f" {name}[32] = {{", 1)[1].split("};", 1)[0]
        return [int(v) for v in body.replace("\n", " ").split(",")]

    fmt = array("unpack_src_format")
    assert (fmt[0], fmt[5], fmt[16], fmt[1]) == (5, 6, 0, 255)  # Float16_b, Bfp8_b, Float32, unused
    assert array("pack_dst_format") == fmt
    size = array("unpack_tile_size")
    assert (size[0], size[5], size[16]) == (2048, 1088, 4096)
    assert set(array("unpack_tile_r_dim")) == {32} and set(array("unpack_tile_num_faces")) == {4}
    assert "#pragma once" in text.splitlines()


def test_data_formats_and_tile_sizes() -> None:
    assert data_format_name("bfloat16") == "Float16_b"
    assert data_format_name("tt::DataFormat::Bfp8_b") == "Bfp8_b"
    assert data_format_name(0) == "Float32"
    with pytest.raises(ConfigError, match="unknown CB data format"):
        data_format_name("float128")
    assert [tile_size_bytes(f) for f in ("Float16_b", "Float32", "Bfp8_b", "Bfp4_b")] == [2048, 4096, 1088, 576]


def test_invalid_inputs_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="out of range"):
        check_kernels(None, None, None, cbs=[CBDesc(32)], ttnn_root=tmp_path)
    with pytest.raises(ConfigError, match="unknown kernel role"):
        check_kernels(None, None, None, compile_args={"dispatch": [1]}, ttnn_root=tmp_path)
    with pytest.raises(ConfigError, match="not a uint32"):
        check_kernels(None, None, None, compile_args={"reader": [-1]}, ttnn_root=tmp_path)


# --- Emitted directories and the CLI ---------------------------------------------------------------------


def _manifest(reader_ct: list) -> dict:
    """A manifest in the shape `tt-build lower --emit` writes (only the keys the check reads)."""
    return {
        "schema": 1,
        "params": [{"name": "A", "layout": "dram_interleaved", "page_size": 2048, "dtype": "bfloat16"},
                   {"name": "C", "layout": "dram_interleaved", "page_size": 2048, "dtype": "bfloat16"}],
        "cbs": [{"id": 0, "name": "A_shared", "page_size": 2048, "num_pages": 2, "data_format": "Float16_b"},
                {"id": 16, "name": "C_local", "page_size": 2048, "num_pages": 2, "data_format": "Float16_b"}],
        "kernels": {
            "reader": {"file": "reader.cpp", "compile_time_args": reader_ct},
            "writer": {"file": "writer.cpp", "compile_time_args": [
                {"kind": "cb_id", "name": "cb_C_local", "value": 16},
                {"kind": "tensor_accessor", "name": "C_args", "buffer": "C"}]},
        },
        "compile_time_args": {"reader": [0], "writer": [16]},  # CB ids only: the check must not use these
    }


def _emitted(tmp_path: Path, reader: str = "reader_tiles.cpp") -> Path:
    d = tmp_path / "emit"
    d.mkdir(parents=True)
    shutil.copy(DATA / reader, d / "reader.cpp")
    shutil.copy(DATA / "writer_tiles.cpp", d / "writer.cpp")
    ct = [{"kind": "cb_id", "name": "cb_A_shared", "value": 0},
          {"kind": "tensor_accessor", "name": "A_args", "buffer": "A"}]
    (d / "manifest.json").write_text(json.dumps(_manifest(ct)))
    return d


def test_read_manifest_expands_the_layout(tmp_path: Path) -> None:
    d = _emitted(tmp_path)
    m = read_manifest(d / "manifest.json")
    assert m.compile_args == {"reader": [0, 2, 2048], "writer": [16, 2, 2048], "compute": []}
    assert [(c.id, c.format_name, c.page_size, c.num_pages) for c in m.cbs] == [(0, "Float16_b", 2048, 2),
                                                                              (16, "Float16_b", 2048, 2)]
    assert m.sources["reader"] == d / "reader.cpp" and m.sources["compute"] is None
    # L1 tensors have no IsDram flag; plain ints and {"value": n} pass through; aliases are accepted
    data = _manifest([{"value": 3}, 7, {"kind": "tensor_accessor", "buffer": "A"}])
    data["params"][0]["layout"] = "l1_interleaved"
    data["cbs"] = [{"cb_id": 3, "format": "bfloat16", "depth": 4, "page_size": 2048}]
    (d / "manifest.json").write_text(json.dumps(data))
    m = read_manifest(d / "manifest.json")
    assert m.compile_args["reader"] == [3, 7, 0, 2048]
    assert [(c.id, c.format_name, c.num_pages) for c in m.cbs] == [(3, "Float16_b", 4)]


def test_read_manifest_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no manifest.json"):
        read_manifest(tmp_path / "manifest.json")
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(ConfigError, match="invalid JSON"):
        read_manifest(tmp_path / "manifest.json")
    (tmp_path / "manifest.json").write_text(json.dumps({"cbs": [{"page_size": 2048}]}))
    with pytest.raises(ConfigError, match="without an integer id"):
        read_manifest(tmp_path / "manifest.json")


@network
@compile_
def test_check_emitted_dir(ttnn_root: Path, tmp_path: Path) -> None:
    report = check_emitted_dir(_emitted(tmp_path), ttnn_root=ttnn_root)
    assert [k.status for k in report.kernels] == ["checked", "checked", "skipped"]
    with pytest.raises(KernelCheckError) as err:
        check_emitted_dir(_emitted(tmp_path / "bad", "bad_reader_typo.cpp"), ttnn_root=ttnn_root)
    assert "reader kernel" in str(err.value) and "noc_async_read_tile_typo" in str(err.value)


@network
@compile_
def test_cli_check(ttnn_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tt_build.cli import main

    assert main(["check", str(_emitted(tmp_path))]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert any(ln.startswith("reader ") and "checked (brisc" in ln for ln in lines)
    assert any(ln.startswith("writer ") and "checked (ncrisc" in ln for ln in lines)
    assert any(ln.startswith("compute ") and "skipped" in ln for ln in lines)

    assert main(["check", str(_emitted(tmp_path / "bad", "bad_reader_argcount.cpp"))]) == 1
    cap = capsys.readouterr()
    assert any(ln.startswith("reader ") and "FAILED (brisc)" in ln for ln in cap.out.splitlines())
    assert "real-header check failed for the reader kernel" in cap.err
    assert "reader.cpp:23:" in cap.err and "noc_async_read_page" in cap.err
    assert "Traceback" not in cap.err + cap.out

    assert main(["check", str(tmp_path / "missing")]) == 1
    assert "error: not a directory" in capsys.readouterr().err


_DATA_KERNELS = Path(__file__).parent / "data" / "kernels"


@network
@compile_
@pytest.mark.parametrize(("instance", "source"), [
    ("eltwise_add_256", REFERENCE_KERNELS / "eltwise.py"), ("gemm_256", REFERENCE_KERNELS / "gemm.py"),
    # tensors in L1, variable names that collide with generated ones / C++ keywords
    ("gemm_l1_256", _DATA_KERNELS / "layouts.py"), ("gemm_names_128", _DATA_KERNELS / "layouts.py"),
    # sub-blocked accumulator with an L1 partials CB
    ("gemm_128x128_blocks", _DATA_KERNELS / "blocking.py"),
    # SFPU / copy-only compute kernels (issue 11, bug 1: they need api/compute/common.h), a fused relu
    ("exp_256", _DATA_KERNELS / "extra.py"), ("sub_relu_blocked", _DATA_KERNELS / "extra.py")])
def test_lowered_kernels_pass(ttnn_root: Path, tmp_path: Path, instance: str, source: Path) -> None:
    """End to end: `tt-build lower --emit` on a kernel of the test matrix, then the real-header check."""
    from tt_build.cli import main

    if not source.is_file():
        pytest.skip(f"reference kernel {source} not present")
    out = tmp_path / instance
    assert main(["lower", str(source), "--instance", instance, "--emit", str(out)]) == 0
    report = check_emitted_dir(out, ttnn_root=ttnn_root)
    assert [k.status for k in report.kernels] == ["checked", "checked", "checked"]
