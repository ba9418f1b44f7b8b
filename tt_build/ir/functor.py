"""Generic visitor and mutator over the IR.

``StmtExprVisitor.visit(node)`` dispatches to ``visit_<ClassName>`` when a subclass defines it,
otherwise visits the node's children. ``StmtExprMutator`` does the same but rebuilds nodes whose
children changed (untouched subtrees are shared, not copied).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from tt_build.ir.nodes import Node

__all__ = ["StmtExprMutator", "StmtExprVisitor", "post_order"]


class StmtExprVisitor:
    """Walks every node; override ``visit_<ClassName>`` and call ``self.generic_visit(node)`` to recurse."""

    def visit(self, node: Any) -> None:
        if isinstance(node, (list, tuple)):
            for item in node:
                self.visit(item)
            return
        if not isinstance(node, Node):
            return
        method = getattr(self, "visit_" + type(node).__name__, None)
        if method is not None:
            method(node)
        else:
            self.generic_visit(node)

    def generic_visit(self, node: Node) -> None:
        for child in node.children():
            self.visit(child)


class StmtExprMutator:
    """Rebuilds the tree; override ``visit_<ClassName>`` returning the replacement node."""

    def visit(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.visit(x) for x in node]
        if isinstance(node, tuple):
            return tuple(self.visit(x) for x in node)
        if not isinstance(node, Node):
            return node
        method = getattr(self, "visit_" + type(node).__name__, None)
        if method is not None:
            return method(node)
        return self.generic_visit(node)

    def generic_visit(self, node: Node) -> Node:
        changes: dict[str, Any] = {}
        for name in type(node)._children:  # noqa: SLF001 - node protocol
            old = getattr(node, name)
            new = self.visit(old)
            if new is not old and not _same_seq(old, new):
                changes[name] = new
        if not changes:
            return node
        return dataclasses.replace(node, **changes)  # type: ignore[type-var]


def _same_seq(old: Any, new: Any) -> bool:
    if isinstance(old, (list, tuple)) and isinstance(new, (list, tuple)) and len(old) == len(new):
        return all(a is b for a, b in zip(old, new))
    return False


def post_order(node: Any, fn: Any) -> None:
    """Call ``fn`` on every node of the tree, children first."""

    class _V(StmtExprVisitor):
        def visit(self, n: Any) -> None:
            super().visit(n)
            if isinstance(n, Node):
                fn(n)

        def generic_visit(self, n: Node) -> None:
            for child in n.children():
                if isinstance(child, (list, tuple)):
                    for c in child:
                        self.visit(c)
                else:
                    self.visit(child)

    v = _V()
    v.visit(node)
