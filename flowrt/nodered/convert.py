"""Node-RED export -> flowrt flow files: the import itself.

The steps, in order: plan the flows and subflows (containers.py); give every node a flowrt id
(naming.py); map config nodes to connections and flow nodes to flowrt nodes through the table
(mapping.py); wire them, folding junctions into the wires; connect subflow ports; place
connections in the files that use them; then check the result with flowrt's own checker. A node
whose mapped configuration the checker refuses is imported again as unsupported, with the
checker's reason, so the files an import writes always pass `flowrt validate`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from flowrt.nodered.containers import (
    collect_groups,
    group_comments,
    instance_env,
    plan_containers,
)
from flowrt.nodered.credentials import Credentials
from flowrt.nodered.flowfile import ConnectionOut, FlowOut, NodeOut, SubflowOut
from flowrt.nodered.mapping import Mapped, Unsupported, reason_for, table
from flowrt.nodered.mapping_network import FOLDED
from flowrt.nodered.naming import Namer
from flowrt.nodered.reader import Export, NrNode, Problem, as_number
from flowrt.nodered.report import Entry, Report
from flowrt.nodered.state import CONNECTION_TYPES, ImportState, NodeScope
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
) -> Conversion:
    """Convert, check the result, demote what the checker refuses, and report."""
    from flowrt.nodered.writer import check_flows

    forced: dict[str, str] = {}
    for _ in range(4):
        conversion = _build(export, credentials or {}, source, forced, registry)
        diagnostics = check_flows(conversion.flows, registry)
        new = {}
        for d in diagnostics:
            nr_id = conversion.origin.get((d.file, d.node))
            if d.severity == "error" and d.code in DEMOTING and nr_id and nr_id not in forced:
                new[nr_id] = f"flowrt refuses the mapped configuration: {d.message}"
        if not new:
            break
        forced.update(new)
    conversion.report.diagnostics = [str(d) for d in diagnostics]
    return conversion


def _build(export: Export, credentials: Credentials, source: str, forced: dict[str, str],
           registry: Any) -> Conversion:
    state = ImportState(export, credentials)
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
    builder = _Builder(state, flows, subflows, forced, registry, namers)
    for node in export.flow_nodes:
        builder.add(node)
    for node in export.flow_nodes:
        builder.wire(node)
    for sub in export.subflows:
        builder.subflow_ports(sub)
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
    mappers = table()
    for node in state.export.configs:
        entry = Entry(node.id, node.type, node.name, "config")
        state.entries[node.id] = entry
        if node.type in FOLDED:
            entry.flowrt_type = "(settings folded into the nodes using them)"
            continue
        if node.type == "global-config":
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
            mapped = mappers[node.type](node, scope)
        except Unsupported as exc:
            entry.reason = str(exc)
            state.connection_reasons[node.id] = entry.reason
            continue
        entry.flowrt_id, entry.flowrt_type, entry.notes = conn_id, mapped.type, scope.notes
        label = node.name if node.name and node.name != conn_id else None
        state.connections[node.id] = ConnectionOut(conn_id, mapped.type, escape_all(
            mapped.config, scope.note), label, nr_id=node.id)


class _Builder:
    """Adds the mapped nodes to their containers, then wires them."""

    def __init__(self, state: ImportState, flows: dict[str, FlowOut],
                 subflows: dict[str, SubflowOut], forced: dict[str, str], registry: Any,
                 namers: dict[str, Namer]) -> None:
        self.state, self.flows, self.subflows = state, flows, subflows
        self.forced, self.registry, self.namers = forced, registry, namers
        self.mappers = table()
        self.nodes: dict[str, NodeOut] = {}
        self.inputs: dict[str, str] = {}
        """Node-RED id -> the flowrt id its input wires go to (a prelude, else the node)."""
        """Node-RED id -> the node made from it."""
        self.outputs: dict[str, int | None] = {}

    def container(self, node: NrNode) -> FlowOut | SubflowOut:
        return self.subflows.get(node.z) or self.flows[node.z]

    def add(self, node: NrNode) -> None:
        state, flowrt_id = self.state, self.state.ids[node.id]
        container = self.container(node)
        where = container.file if isinstance(container, FlowOut) else container.name
        entry = Entry(node.id, node.type, node.name, "node", flowrt_id, flow=where)
        state.entries[node.id] = entry
        scope = NodeScope(state, node, where, flowrt_id)
        mapped: Mapped | None = None
        try:
            if node.id in self.forced:
                raise Unsupported(self.forced[node.id])
            mapped = self._map(node, scope)
        except Unsupported as exc:
            entry.reason = str(exc)
        entry.notes = scope.notes
        out = NodeOut(flowrt_id, "comment", label=node.name or None, disabled=node.disabled,
                      nr_id=node.id)
        if mapped is None:
            out.label = f"{node.name or node.type} (not imported)"
            out.config = {"text": escape_all(_unsupported_text(node, entry.reason))}
            self.outputs[node.id] = 0
        else:
            out.type, out.config = mapped.type, escape_all(mapped.config, scope.note)
            if mapped.type == "subflow-instance":
                out.type, out.config = mapped.config["type"], {}
                out.env = escape_all(mapped.config.get("env"), scope.note)
            if mapped.type != "comment" and isinstance(node.get("info"), str):
                out.info = node.get("info") or None
            self.outputs[node.id] = self._output_count(out)
        entry.flowrt_type = out.type
        labels = [node.get("inputLabels"), node.get("outputLabels")]
        for kind, items in zip(("input", "output"), labels, strict=True):
            if isinstance(items, list) and any(items):
                text = ", ".join(f"{i}: {v}" for i, v in enumerate(items) if v)
                out.comments.append(f"{kind} labels: {text}")
        self.inputs[node.id] = flowrt_id
        if mapped is not None and mapped.prelude is not None:
            namer = self.namers.get(node.z, state.node_names)
            pre = NodeOut(namer.take(f"{flowrt_id}-in"), mapped.prelude.type,
                          escape_all(mapped.prelude.config), f"{node.name or flowrt_id} (input)",
                          nr_id=node.id)
            pre.wire(0, flowrt_id)
            self._put(container, pre, node, offset=-60)
            self.inputs[node.id] = pre.id
        self._put(container, out, node)
        self.nodes[node.id] = out

    def _put(self, container: FlowOut | SubflowOut, out: NodeOut, node: NrNode,
             offset: int = 0) -> None:
        container.nodes[out.id] = out
        x, y = as_number(node.get("x")), as_number(node.get("y"))
        if x is not None and y is not None:
            container.layout[out.id] = [x + offset, y]

    def _map(self, node: NrNode, scope: NodeScope) -> Mapped:
        if node.type.startswith("subflow:"):
            sub = self.subflows.get(node.type[len("subflow:") :])
            if sub is None:
                raise Unsupported(f"its subflow `{node.type[8:]}` is not in the export")
            env = instance_env(node, self.state, scope.notes)
            config: dict[str, Any] = {"type": f"subflow:{sub.name}"}
            if env:
                config["env"] = env
            return Mapped("subflow-instance", config)
        mapper = self.mappers.get(node.type)
        if mapper is None:
            raise Unsupported(reason_for(node.type))
        return mapper(node, scope)

    def _output_count(self, out: NodeOut) -> int | None:
        if out.type.startswith("subflow:"):
            return None  # the definition's ports are known once it is wired
        spec = self._spec(out.type)
        if spec is None:
            return None
        try:
            return int(spec.cls.output_count(spec.cls.Config.model_validate(out.config)))
        except Exception:  # noqa: BLE001 - a config the checker will report; keep every wire
            return None

    def _spec(self, flowrt_type: str) -> Any:
        if self.registry is None:
            from flowrt.registry import default_registry

            self.registry = default_registry()
        return self.registry.get(flowrt_type)

    def _takes_input(self, out: NodeOut) -> bool:
        spec = self._spec(out.type)
        return spec is None or int(spec.cls.inputs) > 0

    def wire(self, node: NrNode) -> None:
        state = self.state
        source = self.nodes[node.id]
        entry = state.entries[node.id]
        allowed = self.outputs.get(node.id)
        for port, targets in enumerate(node.wires):
            for target in self._resolve(targets):
                target_node = state.export.nodes.get(target)
                if target_node is None or target not in state.ids:
                    state.problems.append(Problem(
                        f"a wire from `{node.id}` goes to `{target}`, which is not in the "
                        "export; it is dropped", node.id))
                    continue
                if target_node.z != node.z:
                    state.problems.append(Problem(
                        f"a wire from `{node.id}` crosses to another tab; it is dropped", node.id))
                    continue
                if allowed is not None and port >= allowed:
                    if source.type != "comment":
                        entry.notes.append(f"output {port + 1} has no flowrt counterpart: its "
                                           "wires are dropped")
                    continue
                target_out = self.nodes[target]
                if target_out.type == "comment":
                    if not state.entries[target].reason:
                        continue
                    entry.notes.append(f"the wire to '{target_out.id}' (not imported) is dropped")
                    continue
                if not self._takes_input(target_out):
                    entry.notes.append(f"the wire to '{target_out.id}' is dropped: a flowrt "
                                       f"{target_out.type} node has no input")
                    continue
                source.wire(port, self.inputs[target])

    def _resolve(self, targets: list[str], seen: frozenset[str] = frozenset()) -> list[str]:
        """Wire targets with junctions replaced by what they lead to."""
        found: list[str] = []
        for target in targets:
            junction = self.state.export.junctions.get(target)
            if junction is None:
                found.append(target)
            elif target not in seen:
                for port in junction.wires:
                    found.extend(self._resolve(port, seen | {target}))
        return list(dict.fromkeys(found))

    def subflow_ports(self, sub: NrNode) -> None:
        out = self.subflows[sub.id]
        entry = self.state.entries[sub.id]
        ports_in = sub.get("in") if isinstance(sub.get("in"), list) else []
        for port in ports_in[:1]:
            ids = [w.get("id") for w in port.get("wires", []) if isinstance(w, dict)]
            for target in self._resolve([i for i in ids if isinstance(i, str)]):
                if target in self.inputs and self.state.export.nodes[target].z == sub.id:
                    out.input.append(self.inputs[target])
        ports_out = sub.get("out") if isinstance(sub.get("out"), list) else []
        out.outputs = len(ports_out)
        for index, port in enumerate(ports_out):
            for wire in port.get("wires", []) if isinstance(port, dict) else []:
                source, source_port = wire.get("id"), int(as_number(wire.get("port")) or 0)
                if source == sub.id:
                    entry.notes.append(f"the input wired straight to output {index + 1} is "
                                       "dropped: put a node between them")
                elif isinstance(source, str) and source in self.state.ids:
                    self.nodes[source].wire(source_port, f"$out.{index}")
        if isinstance(sub.get("status"), dict) and sub.get("status", {}).get("wires"):
            entry.notes.append("the subflow's status output is not offered: status nodes "
                               "inside report on their own")


def _unsupported_text(node: NrNode, reason: str) -> str:
    raw = {k: v for k, v in node.raw.items() if k != "credentials"}
    return (f"Node-RED `{node.type}` node, not imported: {reason}.\n\n"
            f"```json\n{json.dumps(raw, indent=2, ensure_ascii=False)}\n```")


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
        if node.type == "global-config":
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
