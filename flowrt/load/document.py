"""The loaded flow file: its raw round-trip data, and a typed view of nodes, wires and connections.

The typed view is built leniently: whatever is malformed is left out of it, and the schema check
reports it. Every declaration keeps its :class:`Span` so diagnostics can point at it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ruamel.yaml.comments import CommentedMap, CommentedSeq

SUBFLOW_OUT = "$out"


@dataclass(frozen=True, slots=True)
class Span:
    """A place in a file; line and column count from 1 (0 when unknown)."""

    file: str
    line: int = 0
    column: int = 0


@dataclass(frozen=True, slots=True)
class Wire:
    """A wire from output ``port`` of its node to ``target`` (a node id, or ``$out.N``)."""

    port: int
    target: str
    span: Span

    @property
    def subflow_output(self) -> int | None:
        """The subflow output port this wire feeds, or None for an ordinary wire."""
        if self.target == SUBFLOW_OUT:
            return 0
        if self.target.startswith(SUBFLOW_OUT + "."):
            rest = self.target[len(SUBFLOW_OUT) + 1 :]
            return int(rest) if rest.isdecimal() else None
        return None


@dataclass(frozen=True, slots=True)
class Origin:
    """The Node-RED node a flowrt node was imported from (its ``origin`` key): the id and type
    name a Node-RED user knows (``a1b2c3d4e5f60718``, ``mqtt out``). catch and status messages
    name the node by them, and ``flowrt export nodered`` gives the node its id back."""

    id: str
    type: str


@dataclass(slots=True)
class NodeDecl:
    id: str
    type: str
    config: dict[str, Any]
    wires: tuple[Wire, ...]
    span: Span
    path: tuple[str | int, ...]
    flow: str
    label: str | None = None
    disabled: bool = False
    env: dict[str, Any] = field(default_factory=dict)
    subflow: str | None = None
    """The subflow definition this node belongs to, or None for a node of the flow itself."""
    guarantee: str | None = None
    """The ``guarantee`` key as written (a source's delivery guarantee), or None."""
    journal: bool | None = None
    """The ``journal`` key as written (whether a source reads through a journal), or None."""
    origin: Origin | None = None
    """The Node-RED node it was imported from (the ``origin`` key), or None."""

    @property
    def subflow_type(self) -> str | None:
        """For an instance of a subflow (type ``subflow:<name>``), the subflow's name."""
        return self.type[len("subflow:") :] if self.type.startswith("subflow:") else None


@dataclass(slots=True)
class ConnectionDecl:
    id: str
    type: str
    config: dict[str, Any]
    span: Span
    path: tuple[str | int, ...]
    flow: str


@dataclass(slots=True)
class SubflowDecl:
    name: str
    label: str | None
    params: dict[str, dict[str, Any]]
    inputs: tuple[Wire, ...]
    outputs: int
    nodes: dict[str, NodeDecl]
    span: Span
    path: tuple[str | int, ...]
    flow: str


@dataclass(slots=True)
class GroupDecl:
    """A named, coloured box the editor draws around some nodes (the ``groups:`` key). Groups
    have no meaning when the flow runs. ``members`` are the node ids as written, each with where
    it is written; ``parent`` is the group this one is drawn inside (``group:``), or None."""

    id: str
    label: str | None
    color: str | None
    members: tuple[tuple[str, Span], ...]
    parent: str | None
    span: Span
    path: tuple[str | int, ...]


@dataclass(slots=True)
class Document:
    """One flow file: the raw data (comments and order kept) and its typed view."""

    file: str
    text: str
    data: Any
    id: str
    label: str | None = None
    env: dict[str, Any] = field(default_factory=dict)
    nodes: dict[str, NodeDecl] = field(default_factory=dict)
    connections: dict[str, ConnectionDecl] = field(default_factory=dict)
    subflows: dict[str, SubflowDecl] = field(default_factory=dict)
    layout: dict[str, Any] = field(default_factory=dict)
    groups: dict[str, GroupDecl] = field(default_factory=dict)
    disabled: bool = False

    def span(self, path: Sequence[str | int], at: Literal["key", "value"] = "value") -> Span:
        return locate(self.file, self.data, path, at)

    def all_nodes(self) -> list[NodeDecl]:
        """The flow's nodes and the nodes inside its subflow definitions."""
        nodes = list(self.nodes.values())
        for sub in self.subflows.values():
            nodes.extend(sub.nodes.values())
        return nodes


def locate(
    file: str, data: Any, path: Sequence[str | int], at: Literal["key", "value"] = "value"
) -> Span:
    """The position of ``path`` in round-trip data; the nearest known ancestor if not found."""
    line, col = 0, 0
    node = data
    for i, step in enumerate(path):
        last = i == len(path) - 1
        if isinstance(node, CommentedMap) and step in node:
            pos = _position(node, step, key=last and at == "key")
            node = node[step]
        elif isinstance(node, CommentedMap) and str(step) in node:
            pos = _position(node, str(step))
            node = node[str(step)]
        elif isinstance(node, CommentedSeq) and isinstance(step, int) and 0 <= step < len(node):
            pos = _position(node, step)
            node = node[step]
        else:
            break
        if pos and pos[0] is not None:
            line, col = pos[0] + 1, pos[1] + 1
    if line == 0 and isinstance(data, CommentedMap | CommentedSeq):
        line, col = 1, 1
    return Span(file, line, col)


def _position(node: CommentedMap | CommentedSeq, step: str | int, key: bool = False) -> Any:
    """(line, column) from 0 of an entry's key or value; None for an entry with no position of
    its own, such as one brought in by a YAML merge key (``<<: *base``)."""
    if step not in node.lc.data:
        return None
    if isinstance(node, CommentedSeq):
        return node.lc.item(step)
    return node.lc.key(step) if key else node.lc.value(step)
