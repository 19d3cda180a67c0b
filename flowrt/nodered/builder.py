"""Adding mapped nodes to their flows and subflows, and wiring them (see convert.py).

Wires follow Node-RED's: junctions are folded into them, a wire to a node that is not in the
export, that crosses tabs, that leaves from an output flowrt's node does not have, or that goes
to a node with no input in flowrt is dropped and reported. A mapped node may bring a node in
front of it (a *prelude*, which its input wires go to) or after it (a *postlude*, which its
output wires leave from).
"""

from __future__ import annotations

from typing import Any

from flowrt.load.view import RESERVED_NODE_KEYS
from flowrt.nodered.catalog import IMPORTERS, STAND_IN, reason_for
from flowrt.nodered.containers import instance_env
from flowrt.nodered.flowfile import FlowOut, NodeOut, SubflowOut
from flowrt.nodered.mapping import Mapped, Unsupported, apply
from flowrt.nodered.naming import Namer
from flowrt.nodered.nrnode import NrNode, as_number
from flowrt.nodered.reader import Problem
from flowrt.nodered.report import Entry
from flowrt.nodered.state import ImportState, NodeScope
from flowrt.nodered.values import escape_all, escape_literal

KEPT_ELSEWHERE = ("id", "z", "x", "y", "wires", "g", "credentials")
"""Node-RED properties a stand-in node does not keep in ``nodered``: the flow file holds its
id, tab, position and wires; groups are comments; credentials are never written in a flow."""


class Builder:
    """Adds the mapped nodes to their containers, then wires them."""

    def __init__(self, state: ImportState, flows: dict[str, FlowOut],
                 subflows: dict[str, SubflowOut], forced: dict[str, str], registry: Any,
                 namers: dict[str, Namer]) -> None:
        self.state, self.flows, self.subflows = state, flows, subflows
        self.forced, self.registry, self.namers = forced, registry, namers
        self.nodes: dict[str, NodeOut] = {}
        """Node-RED id -> the node made from it."""
        self.inputs: dict[str, str] = {}
        """Node-RED id -> the flowrt id its input wires go to (a prelude, else the node)."""
        self.sources: dict[str, NodeOut] = {}
        """Node-RED id -> the node its output wires leave from, when not the node itself."""
        self.outputs: dict[str, int | None] = {}
        self.subflow_inputs: dict[str, list[str]] = {}
        """Node-RED subflow id -> the flowrt ids its input goes to (found once)."""

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
        except Exception as exc:  # noqa: BLE001 - a node the import trips over is one node lost
            entry.reason = f"the import failed on it ({type(exc).__name__}: {str(exc)[:200]})"
        entry.notes = scope.notes
        out = NodeOut(flowrt_id, STAND_IN, label=node.name or None, disabled=node.disabled,
                      nr_id=node.id, nr_type=node.type)
        if mapped is None:
            outputs = len(node.wires)
            out.config = {"reason": entry.reason, "nodered": escape_literal(
                {k: v for k, v in node.raw.items() if k not in KEPT_ELSEWHERE}),
                "outputs": outputs}
            self.outputs[node.id] = outputs
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
        if mapped is not None and mapped.postlude is not None:
            namer = self.namers.get(node.z, state.node_names)
            post = NodeOut(namer.take(f"{flowrt_id}-out"), mapped.postlude.type,
                           escape_all(mapped.postlude.config),
                           f"{node.name or flowrt_id} (output)", nr_id=node.id)
            out.wire(0, post.id)
            self._put(container, post, node, offset=60)
            self.sources[node.id] = post

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
        mapper = IMPORTERS.get(node.type)
        if mapper is None:
            raise Unsupported(reason_for(node.type))
        return apply(mapper, node, scope)

    def _output_count(self, out: NodeOut) -> int | None:
        if out.type.startswith("subflow:"):
            return None  # the definition's ports are known once it is wired
        spec = self._spec(out.type)
        if spec is None:
            return None
        config = {k: v for k, v in out.config.items() if k not in RESERVED_NODE_KEYS}
        try:
            return int(spec.cls.output_count(spec.cls.Config.model_validate(config)))
        except Exception:  # noqa: BLE001 - a config the checker will report; keep every wire
            return None

    def _spec(self, flowrt_type: str) -> Any:
        if self.registry is None:
            from flowrt.registry import default_registry

            self.registry = default_registry()
        return self.registry.get(flowrt_type)

    def _takes_input(self, out: NodeOut) -> bool:
        if out.type.startswith("subflow:"):
            sub = next((s for s in self.subflows.values() if f"subflow:{s.name}" == out.type),
                       None)
            node = self.state.export.nodes.get(sub.nr_id) if sub is not None else None
            return node is None or bool(self._subflow_input(node))
        spec = self._spec(out.type)
        return spec is None or int(spec.cls.inputs) > 0

    def wire(self, node: NrNode) -> None:
        state = self.state
        source = self.sources.get(node.id) or self.nodes[node.id]
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

    def _subflow_input(self, sub: NrNode) -> list[str]:
        """The flowrt ids a subflow's input goes to: the nodes wired to it that take input (a
        subflow whose input goes nowhere has none, and wires to its instances are dropped)."""
        if sub.id not in self.subflow_inputs:
            self.subflow_inputs[sub.id] = ["(being found)"]  # a subflow inside itself: E042
            found: list[str] = []
            ports_in = sub.get("in") if isinstance(sub.get("in"), list) else []
            for port in ports_in[:1]:
                ids = [w.get("id") for w in _wires_of(port) if isinstance(w, dict)]
                for target in self._resolve([i for i in ids if isinstance(i, str)]):
                    if (target in self.inputs and self.state.export.nodes[target].z == sub.id
                            and self._takes_input(self.nodes[target])):
                        found.append(self.inputs[target])
            self.subflow_inputs[sub.id] = found
        return self.subflow_inputs[sub.id]

    def subflow_ports(self, sub: NrNode) -> None:
        out = self.subflows[sub.id]
        entry = self.state.entries[sub.id]
        out.input.extend(self._subflow_input(sub))
        ports_out = sub.get("out") if isinstance(sub.get("out"), list) else []
        out.outputs = len(ports_out)
        for index, port in enumerate(ports_out):
            for wire in _wires_of(port):
                if not isinstance(wire, dict):
                    continue
                number = as_number(wire.get("port"))
                source = wire.get("id")
                source_port = int(number) if number is not None and 0 <= number < 1000 else 0
                if source == sub.id:
                    entry.notes.append(f"the input wired straight to output {index + 1} is "
                                       "dropped: put a node between them")
                elif isinstance(source, str) and source in self.state.ids:
                    origin = self.sources.get(source) or self.nodes[source]
                    if origin.type == STAND_IN:
                        origin.config["outputs"] = max(origin.config["outputs"], source_port + 1)
                    elif origin is self.nodes[source] and not _has_port(
                            self.outputs.get(source), source_port):
                        entry.notes.append(f"output {index + 1} is wired from an output "
                                           f"'{origin.id}' does not have: the wire is dropped")
                        continue
                    origin.wire(source_port, f"$out.{index}")
        if isinstance(sub.get("status"), dict) and sub.get("status", {}).get("wires"):
            entry.notes.append("the subflow's status output is not offered: status nodes "
                               "inside report on their own")


def _wires_of(port: Any) -> list[Any]:
    """The ``wires`` of a subflow port object, or none when the port is malformed."""
    found = port.get("wires") if isinstance(port, dict) else None
    return found if isinstance(found, list) else []



def _has_port(outputs: int | None, port: int) -> bool:
    """Whether a node of ``outputs`` ports (None: not known) has ``port``."""
    return outputs is None or port < outputs
