"""Element gathers (:class:`~tt_build.ir.StickGather`): which contiguous runs the reader can copy.

The reader of a gather reads the tensor as row-major *sticks* (one page per element of its leading
dimensions, the last dimension contiguous) and assembles each row of the destination block from runs
of ``stick`` consecutive columns: one NOC read of ``stick`` elements of one stick, or zeros where the
padding predicate is false. :func:`prove_stick` finds the longest run (a multiple of 32 dividing the
block's columns) for which this is exact, symbolically: over a run ``j0 <= j < j0 + L`` (``j0`` a
multiple of ``L``) every index expression is either constant or ``base + (j - j0)`` with ``base`` a known
multiple of some ``m``; ``x // d`` and ``x % d`` of such an ``x`` stay constant / affine when ``L``
divides ``gcd(m, d)`` (the run crosses no multiple of ``d``). The leading indices and the predicate must
be constant over a run and the last index must step by one from a multiple of 32 (64-byte aligned
reads). Every index is proved inside the tensor where the predicate holds: by interval arithmetic over
the loop and block ranges, by a conjunct of the predicate bounding that very expression (``h >= 0 and
h < H``), or by enumeration (:func:`tt_build.transform._analysis.guarded_range`).
"""

from __future__ import annotations

from math import gcd
from typing import Any

from tt_build.ir import BinaryOp, IntImm, StickGather, Var
from tt_build.transform._analysis import guarded_range

__all__ = ["GatherError", "check_unsigned_indices", "conjuncts", "interval", "prove_stick", "unsigned_form"]

_RUN = 32  # elements: runs are whole 32-element pieces (64-byte NOC reads of 16-bit data)


class GatherError(Exception):
    def __init__(self, msg: str, hint: str | None = None) -> None:
        super().__init__(msg)
        self.msg = msg
        self.hint = hint


class _Varies(Exception):  # noqa: N818 - internal signal: not constant / affine over a run
    pass


def interval(e: Any, ranges: dict[Var, tuple[int, int]]) -> tuple[int, int] | None:  # noqa: PLR0911
    """[lo, hi] of an integer index expression over inclusive variable ranges (None: unknown)."""
    if isinstance(e, IntImm):
        return e.value, e.value
    if isinstance(e, Var):
        return ranges.get(e)
    if not isinstance(e, BinaryOp) or e.dtype == "bool":
        return None
    a, b = interval(e.a, ranges), interval(e.b, ranges)
    if e.op == "%" and b is not None and b[0] == b[1] and b[0] > 0:
        if a is not None and a[0] >= 0 and a[1] < b[0]:
            return a
        return 0, b[0] - 1
    if a is None or b is None:
        return None
    if e.op == "+":
        return a[0] + b[0], a[1] + b[1]
    if e.op == "-":
        return a[0] - b[1], a[1] - b[0]
    if e.op == "*":
        prods = [x * y for x in a for y in b]
        return min(prods), max(prods)
    if e.op == "//" and b[0] == b[1] and b[0] > 0:
        return a[0] // b[0], a[1] // b[0]
    if e.op in ("min", "max"):
        f = min if e.op == "min" else max
        return f(a[0], b[0]), f(a[1], b[1])
    return None


def _same(a: Any, b: Any) -> bool:
    """The same index expression (the same variables, not up to renaming)."""
    if a is b:
        return True
    if isinstance(a, IntImm) and isinstance(b, IntImm):
        return a.value == b.value
    return isinstance(a, BinaryOp) and isinstance(b, BinaryOp) and a.op == b.op and _same(a.a, b.a) and \
        _same(a.b, b.b)


def conjuncts(e: Any) -> list[Any]:
    if isinstance(e, BinaryOp) and e.op == "and":
        return conjuncts(e.a) + conjuncts(e.b)
    return [] if e is None else [e]


def _run_form(e: Any, j: Var, run: int) -> tuple[int, int]:  # noqa: C901, PLR0911, PLR0912
    """``(coef, div)`` of ``e`` over a run of ``run`` columns: ``e = base + coef * (j - j0)`` with ``base`` a
    multiple of ``div`` (0: base is 0; 1: nothing known). Raises :class:`_Varies` otherwise."""
    if isinstance(e, IntImm):
        return 0, abs(e.value)
    if isinstance(e, Var):
        return (1, run) if e is j else (0, 1)
    if not isinstance(e, BinaryOp):
        raise _Varies
    ca, ma = _run_form(e.a, j, run)
    if e.op in ("+", "-"):
        cb, mb = _run_form(e.b, j, run)
        return (ca + cb if e.op == "+" else ca - cb), gcd(ma, mb)
    if e.op == "*":
        cb, mb = _run_form(e.b, j, run)
        if ca and cb:
            raise _Varies
        k = e.b.value if isinstance(e.b, IntImm) else e.a.value if isinstance(e.a, IntImm) else None
        if ca or cb:
            if k is None:
                raise _Varies
            return (ca or cb) * k, (ma if ca else mb) * abs(k)
        return 0, ma * mb
    if e.op in ("//", "%"):
        if not isinstance(e.b, IntImm) or e.b.value <= 0:
            raise _Varies
        d = e.b.value
        if ca == 0:
            return (0, 1) if e.op == "//" else (0, gcd(ma, d))
        g = gcd(ma, d)
        if ca != 1 or g % run:  # the run may cross a multiple of d
            raise _Varies
        return (0, 1) if e.op == "//" else (1, g)
    cb, _ = _run_form(e.b, j, run)
    if ca or cb:  # comparisons, and/or, min/max of a varying value
        raise _Varies
    return 0, 1


def prove_stick(g: StickGather, ranges: dict[Var, tuple[int, int]]) -> int:
    """The run length (elements) the reader copies per NOC read; raises :class:`GatherError`."""
    rows, cols = g.dst.shape
    i, j = g.loop_vars
    ranges = {**ranges, i: (0, rows - 1), j: (0, cols - 1)}
    guards = conjuncts(g.pred)
    for d, (e, n) in enumerate(zip(g.indices, g.src.shape)):
        _check_bounds(g, d, e, n, ranges, guards)
    last = g.indices[-1]
    for run in (r for r in range(cols - cols % _RUN, 0, -_RUN) if cols % r == 0):
        try:
            if any(_run_form(e, j, run)[0] for e in g.indices[:-1]) or \
                    (g.pred is not None and _run_form(g.pred, j, run)[0]):
                continue
            coef, div = _run_form(last, j, run)
        except _Varies:
            continue
        if coef == 1 and div % _RUN == 0:
            return run
    if g.src.shape[-1] % _RUN or cols % _RUN:
        msg = (f"the element gather into {g.dst.name} reads runs of the last dimension of {g.src.name} (extent "
               f"{g.src.shape[-1]}) into a block of {cols} columns; both must be multiples of 32")
        raise GatherError(msg, "use a channel count (the tensor's last dimension) and block_K that are multiples "
                               "of 32 (pad the channels with zeros)")
    msg = (f"the element gather into {g.dst.name} does not read contiguous 32-element runs of {g.src.name}: along "
           "32 consecutive columns of the block the last index must step by one from a multiple of 32, the other "
           "indices and the padding condition unchanged")
    raise GatherError(msg, "gather whole rows of the tensor's last dimension (NHWC: `data[n, h, w, k % C]` with "
                           "k = k_iter * block_K + j)")


def _check_bounds(g: StickGather, d: int, e: Any, n: int, ranges: dict[Var, tuple[int, int]],
                  guards: list[Any]) -> None:
    lo_ok = hi_ok = False
    iv = interval(e, ranges)
    if iv is not None:
        lo_ok, hi_ok = iv[0] >= 0, iv[1] < n
    for c in guards:  # a conjunct bounding this very expression: `e >= 0`, `e < n`, `e <= n - 1`
        if not isinstance(c, BinaryOp) or not isinstance(c.b, IntImm) or not _same(c.a, e):
            continue
        if (c.op == ">=" and c.b.value >= 0) or (c.op == ">" and c.b.value >= -1):
            lo_ok = True
        if (c.op == "<" and c.b.value <= n) or (c.op == "<=" and c.b.value <= n - 1):
            hi_ok = True
    if lo_ok and hi_ok:
        return
    r = guarded_range(e, ranges, guards)
    if r is not None and r[0] >= 0 and r[1] < n:
        return
    where = f"index {d} of {g.src.name} (extent {n})"
    if r is not None:
        msg = f"the element gather reads {where} at {r[0] if r[0] < 0 else r[1]}, outside the tensor"
    else:
        msg = f"cannot prove that the element gather reads {where} inside the tensor"
    raise GatherError(msg, "make the T.if_then_else condition exclude every index outside the tensor "
                           "(`in_bound = (h >= 0) and (h < H) and ...`)")


_CMPS = ("<", "<=", ">", ">=", "==", "!=")


def _has_minus(e: Any) -> bool:
    if isinstance(e, IntImm):
        return e.value < 0
    if isinstance(e, BinaryOp):
        return e.op == "-" or _has_minus(e.a) or _has_minus(e.b)
    return False


def _terms(e: Any, sign: int, pos: list[Any], neg: list[Any]) -> None:
    """Flatten the sums and differences of ``e`` into positive and negative terms."""
    if isinstance(e, BinaryOp) and e.op in ("+", "-"):
        _terms(e.a, sign, pos, neg)
        _terms(e.b, sign if e.op == "+" else -sign, pos, neg)
        return
    if isinstance(e, IntImm) and e.value < 0:
        e, sign = IntImm(-e.value), -sign
    if _has_minus(e):
        msg = "an index expression of the element gather subtracts inside a product, quotient or remainder"
        raise GatherError(msg, "the device computes indices in unsigned 32-bit arithmetic: write offsets as "
                               "sums and differences of non-negative terms (`h * S + kh * D - P`)")
    (pos if sign > 0 else neg).append(e)


def _sum(terms: list[Any]) -> Any:
    consts = sum(t.value for t in terms if isinstance(t, IntImm))
    rest = [t for t in terms if not isinstance(t, IntImm)]
    out: Any = None
    for t in rest:
        out = t if out is None else BinaryOp("+", out, t, "int32")
    if out is None:
        return IntImm(consts)
    return BinaryOp("+", out, IntImm(consts), "int32") if consts else out


def unsigned_form(e: Any) -> Any:
    """``e`` (a padding predicate) rewritten so that unsigned 32-bit arithmetic evaluates it exactly: every
    comparison ``a cmp b`` becomes ``(positive terms of a - b) cmp (negative terms of a - b)`` (``h - 1 >= 0``
    → ``h >= 1``)."""
    if e is None:
        return None
    if isinstance(e, BinaryOp) and e.op in ("and", "or"):
        return BinaryOp(e.op, unsigned_form(e.a), unsigned_form(e.b), "bool", loc=e.loc)
    if isinstance(e, BinaryOp) and e.op in _CMPS:
        pos: list[Any] = []
        neg: list[Any] = []
        _terms(e.a, 1, pos, neg)
        _terms(e.b, -1, pos, neg)
        # constants gather on the side where they are positive
        c = sum(t.value for t in pos if isinstance(t, IntImm)) - sum(t.value for t in neg if isinstance(t, IntImm))
        pos = [t for t in pos if not isinstance(t, IntImm)] + ([IntImm(c)] if c > 0 else [])
        neg = [t for t in neg if not isinstance(t, IntImm)] + ([IntImm(-c)] if c < 0 else [])
        return BinaryOp(e.op, _sum(pos), _sum(neg), "bool", loc=e.loc)
    if _has_minus(e):
        msg = "the padding condition of the element gather is not a combination of comparisons"
        raise GatherError(msg)
    return e


def check_unsigned_indices(g: StickGather) -> None:
    """Index expressions: wrap-around of ``+ - *`` is exact for a non-negative result, ``//`` and ``%`` of a
    difference are not (a difference may be negative in unsigned arithmetic)."""
    def walk(e: Any) -> None:
        if isinstance(e, BinaryOp):
            if e.op in ("//", "%", *_CMPS, "min", "max") and (_has_minus(e.a) or _has_minus(e.b)):
                msg = (f"an index of the element gather from {g.src.name} divides, compares or takes the remainder of "
                       "a difference")
                raise GatherError(msg, "the device computes indices in unsigned 32-bit arithmetic: subtract "
                                       "offsets last (`m // OW * S + kw * D - P`)")
            walk(e.a)
            walk(e.b)

    for e in g.indices:
        walk(e)
