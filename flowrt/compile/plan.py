"""The execution plan: what the runtime instantiates, with every reference resolved.

A plan is flat. Subflow instances are expanded into their inner nodes (``instance/inner`` ids),
wires to an instance go to the subflow's input nodes, wires to ``$out.N`` go to the instance's
port N targets, and configurations are substituted and parsed into their typed models. Disabled
nodes and flows are left out, and so are wires to them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flowrt.load.document import Origin
from flowrt.protocols import DeclaredType
from flowrt.registry.spec import NodeSpec


@dataclass(frozen=True, slots=True)
class PlannedNode:
    id: str
    """Unique in the plan: the node id, or ``instance/inner`` inside subflow instances."""
    spec: NodeSpec
    config: Any
    """The typed configuration (the node type's Config model)."""
    flow: str
    wires: tuple[tuple[str, ...], ...]
    """Targets per output port, resolved to planned node ids."""
    env: dict[str, Any]
    """Variables the node sees: Node-RED's about the node (``NR_NODE_ID``...:
    :func:`flowrt.load.env.node_variables`), subflow parameters, then the flow's env (process
    env comes last)."""
    label: str = ""
    file: str = ""
    line: int = 0
    scope: tuple[str, ...] = ()
    """The subflow instances this node is inside, outermost first (empty for a flow's node)."""
    raw_id: str = ""
    """The id as written in its file (the inner id for nodes of a subflow)."""
    guarantee: str | None = None
    """For a source whose server waits for acknowledgements: ``at-least-once`` (acknowledged
    once every branch finished) or ``at-most-once`` (acknowledged as soon as it is read);
    None for every other node."""
    journal: bool = False
    """True for an at-least-once source read through a local journal (:mod:`flowrt.run.journal`)."""
    origin: Origin | None = None
    """The Node-RED id and type catch and status messages name the node by, for a node
    imported from Node-RED (its ``origin`` key); None for any other node. Inside subflow
    instances the id is Node-RED's ``<instance id>-<inner id>`` (each instance's own id made
    so in turn), and only when the instances holding the node have an origin too."""
    in_type: DeclaredType | None = None
    """The ontology the node's ``in:`` names (None: not declared, or not an ontology)."""
    out_types: Mapping[int, DeclaredType] = field(default_factory=dict)
    """Output port -> the ontology the node's ``out:`` names for it."""

    @property
    def type(self) -> str:
        return self.spec.type


@dataclass(frozen=True, slots=True)
class PlannedConnection:
    id: str
    spec: NodeSpec
    config: Any
    flow: str


@dataclass(slots=True)
class Plan:
    nodes: dict[str, PlannedNode] = field(default_factory=dict)
    connections: dict[str, PlannedConnection] = field(default_factory=dict)
    flows: dict[str, str] = field(default_factory=dict)
    """Flow id -> the file it came from."""
    flow_env: dict[str, dict[str, Any]] = field(default_factory=dict)

    def sources(self) -> list[PlannedNode]:
        return [n for n in self.nodes.values() if n.spec.category == "source"]

    def entries(self) -> list[str]:
        """Nodes that have an input that no node wires to (where tests inject messages)."""
        wired = {t for n in self.nodes.values() for port in n.wires for t in port}
        return [
            n.id
            for n in self.nodes.values()
            if n.spec.inputs > 0 and n.id not in wired and n.spec.category != "connection"
        ]
