"""Every failure a user's kernel can cause is a located diagnostic, and what the front end accepts lowers.

* Random kernels near the edge of what lowers (tests/transform/kernel_fuzz.py) either lower or raise a
  FrontendError / PassError located at a line of that kernel — never a VerifyError, an internal error or an
  unlocated message. A sample of the ones that lower runs on the mock and matches the numpy reference
  interpreted from the front-end IR (silently wrong code is the worst outcome).
* Every element-wise expression up to depth 2 over the operand kinds is either rejected by the front end,
  located in its store, or lowered by the pipeline: the front end never accepts a form the backend cannot
  compile.
"""

from __future__ import annotations

import itertools
import zlib
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from tests.e2e import test_build_dir
from tests.transform.kernel_fuzz import EXPRESSION_LEAVES, fuzz_module
from tt_build.driver import emit, load_kernel_module
from tt_build.errors import FrontendError, PassError
from tt_build.matrix import MockRunner, make_inputs, pcc, reference_outputs
from tt_build.transform import lower

COUNT = 300
SEED = 2024


def _spans(src: str) -> dict[str, tuple[int, int]]:
    """Kernel factory name → (first, last) 1-based source line."""
    lines = src.splitlines()
    starts = [(i + 1, ln[4:ln.index("(")]) for i, ln in enumerate(lines) if ln.startswith("def k")]
    return {name: (lo, (starts[n + 1][0] - 1) if n + 1 < len(starts) else len(lines))
            for n, (lo, name) in enumerate(starts)}


@pytest.fixture(scope="module")
def fuzz(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, dict[str, str]]:
    """(kernel file, its source, factory → outcome: "ok" or "<Error>: message")."""
    src = fuzz_module(SEED, COUNT)
    path = tmp_path_factory.mktemp("fuzz") / "fuzz_kernels.py"
    path.write_text(src, encoding="utf-8")
    module, _ = load_kernel_module(path)
    lines = src.splitlines()
    spans = _spans(src)
    outcomes: dict[str, str] = {}
    for name, (lo, hi) in spans.items():
        try:
            lower(getattr(module, name)())
            outcomes[name] = "ok"
        except (FrontendError, PassError) as err:
            where = f"{name}: {err}"
            assert err.loc is not None, where
            assert err.loc.file == str(path), where
            assert lo <= err.loc.line <= hi, where
            assert err.loc.source_line == lines[err.loc.line - 1], where
            assert "internal" not in err.msg, where
            outcomes[name] = f"{type(err).__name__}: {err.msg}"
    return path, src, outcomes


def test_random_kernels_lower_or_fail_with_a_located_diagnostic(fuzz: tuple[Path, str, dict[str, str]]) -> None:
    _, _, outcomes = fuzz
    counts = Counter(o if o == "ok" else o.split(":")[0] for o in outcomes.values())
    # the generator reaches both sides of the edge: many kernels lower, many fail in the front end and in passes
    assert counts["ok"] >= 60 and counts["FrontendError"] >= 30 and counts["PassError"] >= 60, counts
    assert len({o for o in outcomes.values() if o.startswith("PassError")}) >= 10


@pytest.mark.compile
def test_random_kernels_that_lower_run_correctly_on_the_mock(fuzz: tuple[Path, str, dict[str, str]],
                                                             tmp_path: Path) -> None:
    path, src, outcomes = fuzz
    spans = _spans(src)
    lines = src.splitlines()
    module, _ = load_kernel_module(path)
    runner = MockRunner(test_build_dir())
    seen: set[str] = set()
    ran = 0
    for name, outcome in outcomes.items():
        lo, hi = spans[name]
        body = "\n".join(lines[lo:hi])
        if outcome != "ok" or body in seen:
            continue
        seen.add(body)
        func = getattr(module, name)()
        result = emit(path, name, {}, name, tmp_path / name)
        inputs = make_inputs(result.manifest["params"], zlib.crc32(name.encode()))
        (want,) = reference_outputs(func, [x.astype(np.float32) for x in inputs])
        (got,) = runner.run(tmp_path / name, inputs)
        got32 = got.astype(np.float32)
        assert np.all(np.isfinite(want)), name
        assert pcc(got32, want) >= 0.999, (name, body)
        assert float(np.max(np.abs(got32 - want))) <= 2e-2 * max(float(np.max(np.abs(want))), 1.0), (name, body)
        ran += 1
        if ran == 6:
            break
    assert ran == 6


# ---------------------------------------------------------------------------------- element-wise forms

_UNARY = ("T.exp({})", "T.relu({})", "-{}", "T.cast({}, 'float32')", "T.cast({}, 'bfloat16')", "T.max({}, 0)",
          "T.min({}, 0)", "T.max({}, 1.0)")
_BINARY = ("{} + {}", "{} - {}", "{} * {}", "T.max({}, {})", "T.min({}, {})")


def _expressions() -> list[str]:
    leaves = list(EXPRESSION_LEAVES)
    level1 = [u.format(x) for u in _UNARY for x in leaves] + [b.format(x, y) for b in _BINARY
                                                              for x, y in itertools.product(leaves, leaves)]
    level2 = [u.format(f"({x})") for u in _UNARY[:4] for x in level1[::11]]
    level2 += [b.format(f"({x})", y) for b in _BINARY[:3] for x in level1[::23] for y in ("a[i, j]", "2.0")]
    return leaves + level1 + level2


_TEMPLATE = """
def e{idx}():
    @T.prim_func
    def main(A: T.Tensor((32, 32), 'bfloat16'), B: T.Tensor((32, 32), 'bfloat16'), C: T.Tensor((32, 32), 'bfloat16'),
             D: T.Tensor((32, 32), 'bfloat16')):
        with T.Kernel(1, 1) as (bx, by):
            a = T.alloc_shared((32, 32), 'bfloat16')
            b = T.alloc_shared((32, 32), 'bfloat16')
            acc = T.alloc_fragment((32, 32), '{dtype}')
            f2 = T.alloc_fragment((32, 32), 'float32')
            T.copy(A[0, 0], a)
            T.copy(B[0, 0], b)
            T.clear(f2)
            T.gemm(a, b, f2)
            T.copy(f2, D[0, 0])
            T.clear(acc)
            for i, j in T.Parallel(32, 32):
                acc[i, j] = {expr}
            T.copy(acc, C[0, 0])
    return main
"""


def test_the_front_end_accepts_exactly_the_element_wise_forms_the_backend_compiles(tmp_path: Path) -> None:
    # the destination's dtype alternates (it matters for T.cast to bfloat16); the common forms get both
    exprs = [(e, ("float32", "bfloat16")[n % 2]) for n, e in enumerate(_expressions())]
    exprs += [(e, "float32") for e in ("-a[i, j]", "T.min(a[i, j], 0)", "T.cast(a[i, j], 'float32')",
                                       "a[i, j] * b[i, j]", "T.cast(a[i, j], 'bfloat16')",
                                       "T.exp(T.cast(acc[i, j], 'bfloat16'))")]
    exprs += [(e, "bfloat16") for e in ("T.cast(acc[i, j], 'bfloat16')",)]
    src = "import tt_build.language as T\n" + "".join(
        _TEMPLATE.format(idx=i, expr=e, dtype=dt) for i, (e, dt) in enumerate(exprs))
    path = tmp_path / "forms.py"
    path.write_text(src, encoding="utf-8")
    module, _ = load_kernel_module(path)
    lines = src.splitlines()
    accepted, rejected = [], []
    for i, (e, dt) in enumerate(exprs):
        try:
            func = getattr(module, f"e{i}")()
        except FrontendError as err:
            assert err.loc is not None and err.loc.file == str(path), (e, str(err))
            assert lines[err.loc.line - 1].strip() == f"acc[i, j] = {e}", (e, str(err))
            assert err.hint, e
            rejected.append(e)
            continue
        lower(func)  # a PassError here is a form the front end should have rejected
        accepted.append((e, dt))
    # expression trees: everything over the blocks and acc compiles; what stays rejected is reading the
    # T.gemm accumulator f2 (it lives in DST) and rounding to bfloat16 in the middle of a float32 computation
    assert len(accepted) >= 200 and len(rejected) >= 30, (len(accepted), len(rejected))
    for form in ("-a[i, j]", "T.min(a[i, j], 0)", "T.cast(a[i, j], 'float32')", "a[i, j] * b[i, j]",
                 "T.cast(a[i, j], 'bfloat16')"):
        assert (form, "float32") in accepted, form
    assert ("T.cast(acc[i, j], 'bfloat16')", "bfloat16") in accepted  # the rounding is the pack into acc
    for form in ("a[i, j] * 2.0", "T.max(a[i, j], b[i, j])", "T.min(a[i, j], b[i, j])", "acc[i, j] + a[i, j]",
                 "T.max(a[i, j], 1.0)"):
        assert form in {e for e, _ in accepted}, form
    assert "f2[i, j]" in rejected and "T.exp(T.cast(acc[i, j], 'bfloat16'))" in rejected
    assert all("f2" in e or "T.cast(" in e for e in rejected), [e for e in rejected if "f2" not in e][:5]
