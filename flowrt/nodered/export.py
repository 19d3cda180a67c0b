"""flowrt flow files -> Node-RED JSON (``flowrt export nodered``).

Each flow file becomes a tab, each connection a config node, each subflow a subflow
definition, each group a Node-RED group (groups.py), each node the Node-RED node with the same
behaviour (the export conversions of flowrt/nodered/families/, looked up in catalog.py). A node
imported from Node-RED gets its Node-RED id back (its ``origin``), any other its flowrt id
(export_ids.py), so importing the export again gives the same flows. A node standing in for one
an import could not map becomes that Node-RED node again, with the properties it kept. A node
type with no Node-RED counterpart becomes a comment node holding its configuration, and is
listed in the notes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from flowrt.load import Document, NodeDecl, SubflowDecl
from flowrt.nodered.catalog import EXPORTED, FINISHERS, STAND_IN
from flowrt.nodered.export_ids import NodeIds
from flowrt.nodered.export_values import NoCounterpart, unescape
from flowrt.nodered.groups import export_groups

SUBFLOW_OUT = "$out"


@dataclass
class ExportNotes:
    """What the export could not carry over, node by node."""

    items: list[str] = field(default_factory=list)

    def add(self, where: str, text: str) -> None:
        self.items.append(f"{where}: {text}")


class ExportError(ValueError):
    """The flow files could not be loaded; the message holds the diagnostics."""


def export_project(paths: list[str], registry: Any = None, dashboard: str | None = None
                   ) -> tuple[list[dict[str, Any]], ExportNotes]:
    from flowrt.load import load_project

    project = load_project(paths)
    if project.diagnostics or not project.documents:
        problems = "\n".join(str(d) for d in project.diagnostics) or "no flow files found"
        raise ExportError(problems)
    return export_documents(project.documents, registry, dashboard)


def export_documents(docs: list[Document], registry: Any = None, dashboard: str | None = None
                     ) -> tuple[list[dict[str, Any]], ExportNotes]:
    """The Node-RED nodes of ``docs`` and what could not be carried over. ``dashboard`` (``1``
    or ``2``) exports every dashboard as node-red-dashboard 3.x or FlowFuse Dashboard 2;
    without it, each as the package its widgets were imported from (3.x when none)."""
    if registry is None:
        from flowrt.registry import default_registry

        registry = default_registry()
    notes = ExportNotes()
    ids = NodeIds(docs)
    for (flow, inside, node_id), taken in ids.clashes.items():
        notes.add(f"{flow}/{inside + '/' if inside else ''}{node_id}",
                  f"its Node-RED id {taken} is another node's in this export; exported as "
                  f"{ids.of(flow, inside, node_id)}")
    nodes: list[dict[str, Any]] = []
    configs: list[dict[str, Any]] = []
    subflow_defs: list[dict[str, Any]] = []
    by_flowrt_id: dict[str, dict[str, dict[str, Any]]] = {}
    for doc in docs:
        tab: dict[str, Any] = {"id": doc.id, "type": "tab", "label": doc.label or doc.id,
                               "disabled": doc.disabled, "info": _description(doc)}
        env = _env_list(doc.env)
        if env:
            tab["env"] = env
        nodes.append(tab)
        for conn in doc.connections.values():
            config = dict(conn.config)
            config["label"] = _raw(doc, conn.path).get("label")
            configs.append(_node(conn.id, conn.type, config, "", None, notes, registry, doc.id))
        for sub in doc.subflows.values():
            subflow_defs.extend(_subflow(sub, doc, ids, notes, registry))
        made = _nodes(doc, doc.nodes, doc.id, doc.layout, ids, "", notes, registry)
        by_flowrt_id[doc.id] = dict(zip(doc.nodes, made, strict=True))
        nodes.extend(made)
    options = {"dashboard": dashboard, "notes": notes}
    for finish in FINISHERS:
        configs.extend(finish(docs, by_flowrt_id, options))
    configs = list({n["id"]: n for n in configs}.values())  # a finisher's replaces the first
    used = {n["id"] for n in nodes + subflow_defs + configs}
    for doc in docs:
        nodes.extend(export_groups(doc.groups, doc.layout, doc.id, by_flowrt_id[doc.id], used))
    links = _link_backrefs(nodes + subflow_defs)
    for node in nodes + subflow_defs:
        if node.get("type") == "link in":
            node["links"] = links.get(node["id"], [])
    return subflow_defs + nodes + configs, notes


def _description(doc: Document) -> str:
    text = doc.data.get("description") if hasattr(doc.data, "get") else None
    return text if isinstance(text, str) else ""


def _env_list(env: dict[str, Any]) -> list[dict[str, Any]]:
    items = []
    for name, value in env.items():
        if name == "FLOW_DIR":
            continue
        items.append(_env_item(name, value))
    return items


def _env_item(name: str, value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"name": name, "type": "bool", "value": "true" if value else "false"}
    if isinstance(value, int | float):
        return {"name": name, "type": "num", "value": str(value)}
    text = "" if value is None else str(value)
    if text.startswith("${") and text.endswith("}") and text.count("${") == 1:
        return {"name": name, "type": "env", "value": text[2:-1]}
    return {"name": name, "type": "str", "value": unescape(text)}


def _raw(doc: Document, path: tuple[str | int, ...]) -> Any:
    """The round-trip data at ``path`` (a mapping; empty when there is none)."""
    data = doc.data
    for step in path:
        data = data.get(step) if hasattr(data, "get") else None
    return data if hasattr(data, "get") else {}


def _nodes(doc: Document, decls: dict[str, NodeDecl], z: str, layout: dict[str, Any],
           ids: NodeIds, sub: str, notes: ExportNotes, registry: Any) -> list[dict[str, Any]]:
    out = []
    for index, decl in enumerate(decls.values()):
        position = layout.get(decl.id)
        if not (isinstance(position, list) and len(position) == 2):
            position = [120 + 200 * (index % 5), 80 + 80 * (index // 5)]
        node = _node(ids.of(doc.id, sub, decl.id), decl.type, dict(decl.config), z, decl, notes,
                     registry, doc.id)
        for key in ("links", "scope"):  # link targets, catch and status scopes: node ids
            if isinstance(node.get(key), list) and decl.type != STAND_IN:
                node[key] = [ids.ref(doc.id, sub, t) for t in node[key]]
        info = _raw(doc, decl.path).get("info")
        if isinstance(info, str) and info:
            node["info"] = info
        node["x"], node["y"] = position
        wires: list[list[str]] = [[] for _ in range(node.pop("_outputs", 0))]
        for wire in decl.wires:
            if wire.subflow_output is not None:
                continue
            while len(wires) <= wire.port:
                wires.append([])
            wires[wire.port].append(ids.ref(doc.id, sub, wire.target))
        node["wires"] = [] if node["type"] == "comment" else wires
        out.append(node)
    return out


def _node(node_id: str, type_: str, config: dict[str, Any], z: str, decl: NodeDecl | None,
          notes: ExportNotes, registry: Any, flow: str) -> dict[str, Any]:
    base: dict[str, Any] = {"id": node_id, "type": type_, "z": z}
    name = decl.label if decl is not None else config.pop("label", None)
    # Node-RED reads any property equal to a config node's id as a reference to it: a config
    # node named as its own id would depend on itself
    base["name"] = name if name and (decl is not None or name != node_id) else ""
    if decl is not None and decl.disabled:
        base["d"] = True
    if type_.startswith("subflow:"):
        base["env"] = [_env_item(k, v) for k, v in (decl.env if decl else {}).items()]
        base["_outputs"] = _outputs(decl, registry)
        return base
    counterpart = EXPORTED.get(type_)
    try:
        if type_ == STAND_IN:
            return _original(base, config, decl, registry)
        if counterpart is None or counterpart.exports is None:
            raise NoCounterpart(f"flowrt's `{type_}` has no Node-RED counterpart")
        made = counterpart.exports(config)
        base.update(made)
        base["type"] = made.get("type") or counterpart.type  # one flowrt type, several NR types
    except NoCounterpart as exc:
        notes.add(f"{flow}/{node_id}", f"{exc}; exported as a comment holding its configuration")
        base.update(type="comment", info=f"flowrt `{type_}` node (no Node-RED counterpart):\n\n"
                    f"```json\n{json.dumps(config, indent=2)}\n```")
        base["_outputs"] = 0
        return base
    if decl is not None:
        base["_outputs"] = _outputs(decl, registry)
    return base


def _original(base: dict[str, Any], config: dict[str, Any], decl: NodeDecl | None,
              registry: Any) -> dict[str, Any]:
    """The Node-RED node a stand-in kept, its properties as they were (id, tab, position and
    wires are the flow file's)."""
    kept = config.get("nodered")
    if not isinstance(kept, dict) or not isinstance(kept.get("type"), str):
        raise NoCounterpart("this `unsupported` node keeps no Node-RED node (`nodered.type`)")
    base.update({k: v for k, v in unescape(kept).items() if k not in ("id", "z")})
    base["_outputs"] = _outputs(decl, registry)
    return base


def _outputs(decl: NodeDecl | None, registry: Any) -> int:
    if decl is None:
        return 0
    wired = max((w.port + 1 for w in decl.wires), default=0)
    spec = registry.get(decl.type)
    if spec is None:
        return wired
    try:
        count = int(spec.cls.output_count(spec.cls.Config.model_validate(decl.config)))
    except Exception:  # noqa: BLE001 - an unchecked config: the wires tell the ports in use
        count = int(spec.cls.outputs)
    return max(count, wired)


def _subflow(sub: SubflowDecl, doc: Document, ids: NodeIds, notes: ExportNotes,
             registry: Any) -> list[dict[str, Any]]:
    params = []
    for name, param in sub.params.items():
        item = _env_item(name, param.get("default") if isinstance(param, dict) else None)
        description = param.get("description") if isinstance(param, dict) else None
        if description:
            item["ui"] = {"label": {"en-US": description}}
        params.append(item)
    outs: list[dict[str, Any]] = [{"x": 600, "y": 60 + 60 * i, "wires": []}
                                  for i in range(sub.outputs)]
    for decl in sub.nodes.values():
        for wire in decl.wires:
            index = wire.subflow_output
            if index is not None and index < len(outs):
                outs[index]["wires"].append({"id": ids.of(doc.id, sub.name, decl.id),
                                             "port": wire.port})
    raw = _raw(doc, sub.path)
    layout = raw.get("layout") or {}
    definition = {
        "id": sub.name, "type": "subflow", "name": sub.label or sub.name,
        "info": raw.get("description") or "",
        "in": [{"x": 60, "y": 60, "wires": [{"id": ids.ref(doc.id, sub.name, w.target)}
                                            for w in sub.inputs]}],
        "out": outs, "env": params,
    }
    inner = _nodes(doc, sub.nodes, sub.name, dict(layout) if layout else {}, ids, sub.name,
                   notes, registry)
    return [definition, *inner]


def _link_backrefs(nodes: list[dict[str, Any]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for node in nodes:
        if node.get("type") == "link out":
            for target in node.get("links", []):
                found.setdefault(target, []).append(node["id"])
    return found
