"""The flow files an import produces, before they are written as YAML (writer.py).

Plain dataclasses holding what a flowrt flow file holds, plus the comments that carry what the
format has no key for (input and output labels, groups inside subflows). The Node-RED node each
node was made from is its ``origin`` key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class NodeOut:
    id: str
    type: str
    config: dict[str, Any] = field(default_factory=dict)
    label: str | None = None
    disabled: bool = False
    info: str | None = None
    env: dict[str, Any] | None = None
    to: dict[int, list[str]] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)
    nr_id: str = ""
    """The Node-RED node it was made from ("" for a node the import added)."""
    nr_type: str = ""
    """That node's Node-RED type; set on the node standing for it (not on a node put in front
    of it or after it), which keeps both as its ``origin``."""

    def wire(self, port: int, target: str) -> None:
        targets = self.to.setdefault(port, [])
        if target not in targets:
            targets.append(target)

    def data(self) -> dict[str, Any]:
        """The node as flow-file data: type, label, configuration, env, info, disabled,
        origin, to."""
        out: dict[str, Any] = {"type": self.type}
        if self.label:
            out["label"] = self.label
        out.update(self.config)
        if self.env:
            out["env"] = self.env
        if self.info:
            out["info"] = self.info
        if self.disabled:
            out["disabled"] = True
        if self.nr_id and self.nr_type:
            out["origin"] = {"id": self.nr_id, "type": self.nr_type}
        wiring = {port: targets for port, targets in sorted(self.to.items()) if targets}
        if list(wiring) == [0]:
            targets = wiring[0]
            out["to"] = targets[0] if len(targets) == 1 else targets
        elif wiring:
            out["to"] = {p: (t[0] if len(t) == 1 else t) for p, t in wiring.items()}
        return out


@dataclass
class ConnectionOut:
    id: str
    type: str
    config: dict[str, Any] = field(default_factory=dict)
    label: str | None = None
    comments: list[str] = field(default_factory=list)
    nr_id: str = ""

    def data(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type}
        if self.label:
            out["label"] = self.label
        out.update(self.config)
        return out


@dataclass
class SubflowOut:
    name: str
    label: str | None = None
    description: str | None = None
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    input: list[str] = field(default_factory=list)
    outputs: int = 0
    nodes: dict[str, NodeOut] = field(default_factory=dict)
    layout: dict[str, list[float]] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)
    nr_id: str = ""


@dataclass
class GroupOut:
    """A group of the flow (its ``groups:`` key): a box the editor draws around nodes."""

    id: str
    label: str | None = None
    color: str | None = None
    nodes: list[str] = field(default_factory=list)
    parent: str | None = None
    nr_id: str = ""

    def data(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.label:
            out["label"] = self.label
        if self.color:
            out["color"] = self.color
        out["nodes"] = list(self.nodes)
        if self.parent:
            out["group"] = self.parent
        return out


@dataclass
class FlowOut:
    id: str
    file: str
    label: str | None = None
    description: str | None = None
    disabled: bool = False
    env: dict[str, Any] = field(default_factory=dict)
    connections: dict[str, ConnectionOut] = field(default_factory=dict)
    nodes: dict[str, NodeOut] = field(default_factory=dict)
    subflows: dict[str, SubflowOut] = field(default_factory=dict)
    layout: dict[str, list[float]] = field(default_factory=dict)
    groups: dict[str, GroupOut] = field(default_factory=dict)
    header: list[str] = field(default_factory=list)
    nr_id: str = ""

    def all_nodes(self) -> list[NodeOut]:
        nodes = list(self.nodes.values())
        for sub in self.subflows.values():
            nodes.extend(sub.nodes.values())
        return nodes
