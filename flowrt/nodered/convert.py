"""Node-RED export -> flowrt flow files: the import itself.

The steps, in order: plan the flows and subflows (containers.py); give every node a flowrt id
(naming.py); map config nodes to connections and flow nodes to flowrt nodes through the table
(catalog.py); wire them, folding junctions into the wires; connect subflow ports; place
connections in the files that use them; then check the result with flowrt's own checker. A node
whose mapped configuration the checker refuses is imported again as unsupported, with the
checker's reason, so the files an import writes always pass `flowrt validate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flowrt.nodered.builder import Builder
from flowrt.nodered.catalog import (
    CONNECTION_TYPES,
    FOLDED,
    GLOBAL_ENV,
    IMPORTERS,
    LOGIN_TYPES,
    PREPARERS,
    reason_for,
)
from flowrt.nodered.containers import (
    collect_groups,
    group_comments,
    plan_containers,
)
from flowrt.nodered.credentials import Credentials
from flowrt.nodered.expressions import note_legacy_expressions
from flowrt.nodered.flowfile import ConnectionOut, FlowOut, SubflowOut
from flowrt.nodered.groups import place_groups
from flowrt.nodered.mapping import Unsupported, apply
from flowrt.nodered.naming import Namer, Reserved, variable
from flowrt.nodered.reader import Export
from flowrt.nodered.report import Entry, Report
from flowrt.nodered.state import ImportState, NodeScope
from flowrt.nodered.values import escape_all

DEMOTING = {"E020", "E021", "E022", "E023", "E024", "E025", "E026", "E030", "E033", "E034",
            "E038", "E039"}
"""Checker codes that mean a mapped node's configuration is wrong: the node is demoted."""


@dataclass
class Conversion:
    flows: list[FlowOut]
    secrets: dict[str, str]
    report: Report
    origin: dict[tuple[str, str], str] = field(default_factory=dict)
    """(file, flowrt node id) -> Node-RED id."""

    def texts(self) -> dict[str, str]:
        """File name -> YAML text of each flow (for the editor and the API, which write
        nothing to disk)."""
        from flowrt.nodered.writer import render

        return {flow.file: render(flow) for flow in self.flows}


def convert(
    export: Export,
    credentials: Credentials | None = None,
    source: str = "flows.json",
    registry: Any = None,
    reserved: Reserved | None = None,
) -> Conversion:
    """Convert, check the result, demote what the checker refuses, and report. Ids in
    ``reserved`` (the project's own) are not handed out."""
    from flowrt.nodered.writer import check_flows

    for prepare in PREPARERS:
        prepare(export)
    forced: dict[str, str] = {}
    for _ in range(4):
        conversion = _build(export, credentials or {}, source, forced, registry,
                            reserved or Reserved())
        diagnostics = check_flows(conversion.flows, registry)
        new = {}
        for d in diagnostics:
            nr_id = conversion.origin.get((d.file, d.node))
            if d.severity == "error" and d.code in DEMOTING and nr_id and nr_id not in forced:
                new[nr_id] = f"flowrt refuses the mapped configuration: {d.message}"
        if not new:
            break
        forced.update(new)
    note_legacy_expressions(conversion.flows, conversion.report.entries, registry)
    conversion.report.diagnostics = [str(d) for d in diagnostics]
    return conversion


def _build(export: Export, credentials: Credentials, source: str, forced: dict[str, str],
           registry: Any, reserved: Reserved) -> Conversion:
    state = ImportState(export, credentials, reserved_flows=reserved.flows,
                        node_names=Namer(set(reserved.nodes)),
                        connection_names=Namer(set(reserved.connections)))
    stem = source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    flows, subflows = plan_containers(state, stem)
    namers: dict[str, Namer] = {sid: Namer() for sid in subflows}
    for node in export.flow_nodes:
        namer = namers.get(node.z, state.node_names)
        nr_id = node.id
        if node.z in subflows and nr_id.startswith(subflows[node.z].name + "."):
            nr_id = nr_id[len(subflows[node.z].name) + 1 :]
        state.ids[node.id] = namer.name(nr_id, node.name, _kind(node.type))
    collect_groups(state)
    _map_configs(state)
    builder = Builder(state, flows, subflows, forced, registry, namers)
    for node in export.flow_nodes:
        builder.add(node)
    for node in export.flow_nodes:
        builder.wire(node)
    for sub in export.subflows:
        builder.subflow_ports(sub)
    place_groups(state, flows)
    containers: list[FlowOut | SubflowOut] = [*flows.values(), *subflows.values()]
    for first, lines in group_comments(state).items():
        for container in containers:
            if first in container.nodes:
                container.nodes[first].comments[:0] = lines
                break
    _place_subflows(state, flows, subflows)
    _place_connections(state, flows)
    for node in export.junctions.values():
        state.entries[node.id] = Entry(node.id, "junction", "", "junction",
                                       flowrt_type="(folded into the wires through it)")
    return _finish(state, flows, source)


def _kind(nr_type: str) -> str:
    return "subflow" if nr_type.startswith("subflow:") else nr_type.replace(" ", "-")


def _map_configs(state: ImportState) -> None:
    for node in state.export.configs:
        entry = Entry(node.id, node.type, node.name, "config")
        state.entries[node.id] = entry
        if node.type in FOLDED:
            entry.flowrt_type = "(settings folded into the nodes using them)"
            continue
        if node.type in GLOBAL_ENV:
            entry.notes.append("global environment variables are copied into every flow's env")
            continue
        if node.type not in CONNECTION_TYPES:
            entry.reason = reason_for(node.type)
            state.connection_reasons[node.id] = entry.reason
            continue
        flowrt_type = CONNECTION_TYPES[node.type]
        conn_id = state.connection_names.name(node.id, node.name, flowrt_type)
        scope = NodeScope(state, node, "", conn_id)
        try:
            mapped = apply(IMPORTERS[node.type], node, scope)
        except Unsupported as exc:
            entry.reason = str(exc)
            state.connection_reasons[node.id] = entry.reason
            continue
        entry.flowrt_id, entry.flowrt_type, entry.notes = conn_id, mapped.type, scope.notes
        if node.type in LOGIN_TYPES and not state.creds(node.id):
            secret = "token" if mapped.config.get("version") == "2" else "password"
            entry.notes.append(
                f"no credentials were given for it: if the server needs a login, set "
                f"{'`token`' if secret == 'token' else '`username` and `password`'} "
                f"(`{secret}: ${{{variable(conn_id, secret)}}}`), or import again with "
                "--credentials")
        label = node.name if node.name and node.name != conn_id else None
        state.connections[node.id] = ConnectionOut(conn_id, mapped.type, escape_all(
            mapped.config, scope.note), label, nr_id=node.id)


def _place_subflows(state: ImportState, flows: dict[str, FlowOut],
                    subflows: dict[str, SubflowOut]) -> None:
    ordered = list(flows.values())
    for sub_id, sub in subflows.items():
        home = next((f for f in ordered for n in f.nodes.values()
                     if n.type == f"subflow:{sub.name}"), None)
        if home is None:
            home = _home(flows)
        home.subflows[sub.name] = sub
        state.entries[sub_id].flow = home.file


def _home(flows: dict[str, FlowOut]) -> FlowOut:
    if not flows:
        flows[""] = FlowOut("imported", "imported.yaml")
    return next(iter(flows.values()))


def _place_connections(state: ImportState, flows: dict[str, FlowOut]) -> None:
    by_container: dict[str, FlowOut] = {}
    for flow in flows.values():
        by_container[flow.file] = flow
        for sub in flow.subflows.values():
            by_container[sub.name] = flow
    for conn in [*state.connections.values(), *state.stubs.values()]:
        users = state.users.get(conn.id, [])
        config = state.export.nodes.get(conn.nr_id)
        home = flows.get(config.z) if config is not None and config.z else None
        if home is None:
            home = next((by_container[u] for u in users if u in by_container), None)
        if home is None:
            home = _home(flows)
        home.connections[conn.id] = conn
        if conn.nr_id in state.entries:
            state.entries[conn.nr_id].flow = home.file
        if not users and conn.nr_id in state.entries:
            state.entries[conn.nr_id].notes.append("no node uses it")


def _finish(state: ImportState, flows: dict[str, FlowOut], source: str) -> Conversion:
    global_env: dict[str, Any] = {}
    for node in state.export.configs:
        if node.type in GLOBAL_ENV:
            from flowrt.nodered.containers import convert_env

            global_env.update(convert_env(node.get("env"), state, node.id,
                                          state.entries[node.id].notes))
    for flow in flows.values():
        flow.env = {**global_env, **flow.env}
        flow.header.append(f"Imported from Node-RED ({source}) by `flowrt import nodered`; "
                           "see the import report for what differs.")
    report = Report(source, list(state.entries.values()), state.export.problems + state.problems)
    report.variables = list(dict.fromkeys(state.variables))
    origin = {(flow.file, n.id): n.nr_id for flow in flows.values() for n in flow.all_nodes()
              if n.nr_id}
    return Conversion(list(flows.values()), dict(state.secrets), report, origin)
