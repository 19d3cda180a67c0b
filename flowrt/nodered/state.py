"""What an import knows while it maps nodes: ids, credentials, connections, secrets, the report.

:class:`ImportState` is shared by the whole import; :class:`NodeScope` is the
:class:`~flowrt.nodered.mapping.MapContext` one mapping function sees, bound to the node it maps
and collecting that node's caveats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flowrt.nodered.catalog import CONNECTION_SOURCES, STUB_FIELDS
from flowrt.nodered.credentials import Credentials
from flowrt.nodered.flowfile import ConnectionOut
from flowrt.nodered.mapping import Unsupported
from flowrt.nodered.naming import Namer, variable
from flowrt.nodered.nrnode import NrNode
from flowrt.nodered.reader import Export, Problem
from flowrt.nodered.report import Entry


@dataclass
class ImportState:
    export: Export
    credentials: Credentials = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    """Node-RED id -> flowrt id, for flow nodes and for config nodes made connections."""
    container_of: dict[str, str] = field(default_factory=dict)
    """Node-RED id of a flow node -> the flowrt flow id or subflow name holding it."""
    entries: dict[str, Entry] = field(default_factory=dict)
    connections: dict[str, ConnectionOut] = field(default_factory=dict)
    """Node-RED config id -> the connection made from it."""
    connection_reasons: dict[str, str] = field(default_factory=dict)
    """Node-RED config id -> why it could not be made a connection."""
    stubs: dict[str, ConnectionOut] = field(default_factory=dict)
    """Connections the import made up for references to config nodes not in the export."""
    users: dict[str, list[str]] = field(default_factory=dict)
    """flowrt connection id -> the containers (flows, subflows) whose nodes use it."""
    secrets: dict[str, str] = field(default_factory=dict)
    variables: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    reserved_flows: frozenset[str] = frozenset()
    """Flow ids the project has already (see :class:`~flowrt.nodered.naming.Reserved`)."""
    node_names: Namer = field(default_factory=Namer)
    connection_names: Namer = field(default_factory=Namer)
    groups: dict[str, list[str]] = field(default_factory=dict)
    """Node-RED group id -> the flowrt ids of its member nodes (nested groups included)."""

    def creds(self, nr_id: str) -> dict[str, Any]:
        found = dict(self.credentials.get(nr_id, {}))
        node = self.export.nodes.get(nr_id)
        inline = node.get("credentials") if node else None
        if isinstance(inline, dict):
            for key, value in inline.items():
                if not key.startswith("has_") and value not in (None, ""):
                    found.setdefault(key, value)
        return found

    def secret(self, owner: str, name: str, value: Any) -> str:
        var = variable(owner, name)
        base, n = var, 1
        while var in self.secrets and self.secrets[var] != str(value):
            n += 1
            var = f"{base}_{n}"
        self.secrets[var] = str(value)
        return "${" + var + "}"

    def stub(self, nr_id: str, flowrt_type: str, why: str) -> str:
        """A connection standing in for a missing config node; its address is a variable."""
        key = f"missing:{nr_id or flowrt_type}"
        if key not in self.stubs:
            conn_id = self.connection_names.take(f"missing-{flowrt_type}")
            var = variable(conn_id, STUB_FIELDS[flowrt_type])
            self.stubs[key] = ConnectionOut(
                conn_id, flowrt_type, {STUB_FIELDS[flowrt_type]: "${" + var + "}"},
                comments=[f"Made by the import: {why}. Set {var}."],
            )
            self.variables.append(var)
            self.problems.append(Problem(f"{why}; connection '{conn_id}' stands in for it: "
                                         f"set {var}", nr_id))
        return self.stubs[key].id


class NodeScope:
    """The :class:`MapContext` of one node's mapping."""

    def __init__(self, state: ImportState, node: NrNode, container: str, flowrt_id: str) -> None:
        self.state = state
        self.node = node
        self.container = container
        self._flowrt_id = flowrt_id
        self.notes: list[str] = []

    @property
    def flowrt_id(self) -> str:
        return self._flowrt_id

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def node_ref(self, nr_id: Any, types: tuple[str, ...] = ()) -> str | None:
        if not isinstance(nr_id, str) or not nr_id:
            return None
        target = self.state.export.nodes.get(nr_id)
        if target is None or nr_id not in self.state.ids:
            self.note(f"refers to node `{nr_id}`, which is not in the export")
            return None
        if types and target.type not in types:
            self.note(f"refers to `{nr_id}`, a {target.type} node, where a "
                      f"{' or '.join(types)} node is expected")
            return None
        return self.state.ids[nr_id]

    def connection(self, nr_id: Any, flowrt_type: str, what: str) -> str | None:
        state = self.state
        types = CONNECTION_SOURCES[flowrt_type]
        config = state.export.nodes.get(nr_id) if isinstance(nr_id, str) and nr_id else None
        if config is None:
            why = (f"`{what}` config node `{nr_id}` is not in the export" if nr_id
                   else f"no `{what}` config node is set")
            self.note(why)
            conn_id = state.stub(nr_id if isinstance(nr_id, str) else "", flowrt_type, why)
        elif config.type not in types:
            why = f"`{what}` refers to `{nr_id}`, a {config.type} node"
            self.note(why)
            conn_id = state.stub(nr_id, flowrt_type, why)
        elif nr_id in state.connection_reasons:
            raise Unsupported(f"its {what} `{config.name or nr_id}` could not be imported: "
                              f"{state.connection_reasons[nr_id]}")
        else:
            conn_id = state.connections[nr_id].id
        users = state.users.setdefault(conn_id, [])
        if self.container not in users:
            users.append(self.container)
        return conn_id

    def back_links(self, nr_id: str, types: tuple[str, ...]) -> list[str]:
        """Node-RED ids of the nodes of ``types`` whose own `links` name this node."""
        return [n.id for n in self.state.export.flow_nodes
                if n.type in types and isinstance(n.get("links"), list)
                and nr_id in n.get("links")]

    def config_node(self, nr_id: Any) -> NrNode | None:
        return self.state.export.nodes.get(nr_id) if isinstance(nr_id, str) else None

    def export_nodes(self) -> list[NrNode]:
        return list(self.state.export.nodes.values())

    def credentials(self, nr_id: str | None = None) -> dict[str, Any]:
        return self.state.creds(nr_id or self.node.id)

    def secret(self, owner: str, name: str, value: Any) -> str:
        return self.state.secret(owner, name, value)

    def group_members(self, nr_id: str) -> list[str] | None:
        node = self.state.export.nodes.get(nr_id)
        group = node.get("g") if node else None
        if not isinstance(group, str) or group not in self.state.groups:
            self.note("scope `group` but the node is in no group: catches the whole flow")
            return None
        return [m for m in self.state.groups[group] if m != self.state.ids.get(nr_id)]
