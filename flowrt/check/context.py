"""What the checks share: the registry, options, and project-wide indexes built once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from flowrt.load.document import ConnectionDecl, Document, NodeDecl, SubflowDecl
from flowrt.registry.discover import Registry


def located(
    doc: Document, path: Sequence[str | int], at: Literal["key", "value"] = "value"
) -> dict[str, Any]:
    """Where ``path`` is written in ``doc`` (its key or its value), as the ``file``, ``line``,
    ``column`` and ``path`` of a Diagnostic: ``diagnostic(code, ..., **located(doc, path))``."""
    span = doc.span(path, at)
    return {"file": doc.file, "line": span.line, "column": span.column, "path": tuple(path)}


@dataclass
class CheckContext:
    registry: Registry
    env: Mapping[str, str]
    strict: bool = False
    nodes: dict[str, tuple[Document, NodeDecl]] = field(default_factory=dict)
    """Flow-level nodes of the whole project by id (first declaration wins)."""
    connections: dict[str, tuple[Document, ConnectionDecl]] = field(default_factory=dict)
    subflows: dict[str, tuple[Document, SubflowDecl]] = field(default_factory=dict)
    invalid: set[tuple[str | int, ...]] = field(default_factory=set)
    """Paths of nodes and connections whose schema check failed (later checks skip their config)."""
    used_connections: set[str] = field(default_factory=set)

    def index(self, docs: list[Document]) -> None:
        for doc in docs:
            for node in doc.nodes.values():
                self.nodes.setdefault(node.id, (doc, node))
            for conn in doc.connections.values():
                self.connections.setdefault(conn.id, (doc, conn))
            for sub in doc.subflows.values():
                self.subflows.setdefault(sub.name, (doc, sub))
