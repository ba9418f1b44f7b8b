"""Structural equality: same shape of tree, same values, variables and buffers mapped consistently."""

from __future__ import annotations

from typing import Any

from tt_build.ir.nodes import Buffer, Node, Var

__all__ = ["structural_equal"]


class _Eq:
    def __init__(self) -> None:
        self.vmap: dict[int, Any] = {}

    def eq(self, a: Any, b: Any) -> bool:  # noqa: PLR0911 - one case per kind of value
        if isinstance(a, Var) or isinstance(b, Var):
            if not (isinstance(a, Var) and isinstance(b, Var)) or a.dtype != b.dtype:
                return False
            return self._bind(a, b)
        if isinstance(a, Buffer) or isinstance(b, Buffer):
            if not (isinstance(a, Buffer) and isinstance(b, Buffer)):
                return False
            if (a.shape, a.dtype, a.scope) != (b.shape, b.dtype, b.scope):
                return False
            return self._bind(a, b)
        if isinstance(a, Node):
            if type(a) is not type(b):
                return False
            import dataclasses  # noqa: PLC0415

            for f in dataclasses.fields(a):
                if f.name == "loc":
                    continue
                if not self.eq(getattr(a, f.name), getattr(b, f.name)):
                    return False
            return True
        if isinstance(a, (list, tuple)):
            if not isinstance(b, (list, tuple)) or len(a) != len(b):
                return False
            return all(self.eq(x, y) for x, y in zip(a, b))
        if isinstance(a, dict):
            if not isinstance(b, dict) or a.keys() != b.keys():
                return False
            return all(self.eq(a[k], b[k]) for k in a)
        return type(a) is type(b) and a == b

    def _bind(self, a: Any, b: Any) -> bool:
        if id(a) in self.vmap:
            return self.vmap[id(a)] is b
        if any(v is b for v in self.vmap.values()):
            return False
        self.vmap[id(a)] = b
        return True


def structural_equal(a: Any, b: Any) -> bool:
    """True when ``a`` and ``b`` are the same IR up to a consistent renaming of variables and buffers."""
    return _Eq().eq(a, b)
