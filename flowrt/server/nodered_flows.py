"""One flow of a Node-RED configuration (``/flow/:id``), and the node sets ``/nodes`` lists.

The configuration is Node-RED's flat array of tabs, subflows, config nodes and nodes. As in
Node-RED, a flow is read out of it as ``{id, label, disabled, info, env, nodes, configs,
subflows}`` (``global``: the config nodes and subflows of no tab), and adding, replacing or
deleting a flow makes a new array, which is then deployed like a posted configuration.
"""

from __future__ import annotations

import copy
from typing import Any

from flowrt.nodered.naming import VALID_ID, Namer, slug
from flowrt.server.nodered_admin import AdminError

TAB_KEYS = ("label", "disabled", "info", "env")


def _kinds(flows: list[dict[str, Any]]) -> tuple[set[str], set[str], set[str]]:
    """Tab ids, subflow ids, and the ids of config nodes."""
    from flowrt.nodered.reader import read_data

    export = read_data(flows, "flows.json")
    return ({t.id for t in export.tabs}, {s.id for s in export.subflows},
            {c.id for c in export.configs})


def get_flow(flows: list[dict[str, Any]], flow_id: str) -> dict[str, Any]:
    """Node-RED's ``GET /flow/:id``: 404 ``not_found`` for no such tab."""
    tabs, subflows, configs = _kinds(flows)
    if flow_id != "global" and flow_id not in tabs:
        raise AdminError(404, "not_found", f"no flow '{flow_id}'")
    nodes = [copy.deepcopy(n) for n in flows if isinstance(n, dict)]
    for node in nodes:
        node.pop("credentials", None)
    result: dict[str, Any] = {"id": flow_id}
    if flow_id == "global":
        mine = [n for n in nodes if n.get("id") in configs
                and n.get("z") not in tabs | subflows]
        used = set(subflows)
    else:
        tab = next(n for n in nodes if n.get("id") == flow_id)
        result.update({k: tab[k] for k in TAB_KEYS if k in tab})
        result["nodes"] = [n for n in nodes if n.get("z") == flow_id
                           and n.get("id") not in configs]
        mine = [n for n in nodes if n.get("z") == flow_id and n.get("id") in configs]
        used = {str(n.get("type", ""))[8:] for n in result["nodes"]
                if str(n.get("type", "")).startswith("subflow:")} & subflows
    if mine:
        result["configs"] = mine
    defs = []
    for node in nodes:
        if node.get("type") == "subflow" and node.get("id") in used:
            sub = dict(node)
            sub["nodes"] = [n for n in nodes if n.get("z") == node["id"]
                            and n.get("id") not in configs]
            inner = [n for n in nodes if n.get("z") == node["id"] and n.get("id") in configs]
            if inner:
                sub["configs"] = inner
            defs.append(sub)
    if defs:
        result["subflows"] = defs
    return result


def _flow_body(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise AdminError(400, "invalid_request", "the body must be a flow object")
    if not isinstance(body.get("nodes", []), list) or \
            not isinstance(body.get("configs", []), list):
        raise AdminError(400, "invalid_request", "`nodes` and `configs` must be arrays")
    for node in [*body.get("nodes", []), *body.get("configs", [])]:
        if not isinstance(node, dict) or not isinstance(node.get("id"), str):
            raise AdminError(400, "invalid_request", "each node must be an object with an id")
        if node.get("type") in ("tab", "subflow"):
            raise AdminError(400, "invalid_request", f"invalid node type: {node['type']}")
    return body


def new_flow_id(flows: list[dict[str, Any]], label: Any) -> str:
    """A readable id for an added flow (the importer keeps it, so ``GET /flow/:id`` finds
    it): the label as a slug, or ``flow``, made unique."""
    namer = Namer({str(n.get("id")) for n in flows if isinstance(n, dict)})
    wanted = slug(label) if isinstance(label, str) else ""
    return namer.take(wanted if wanted and VALID_ID.match(wanted) else "flow")


def add_flow(flows: list[dict[str, Any]], body: Any) -> tuple[str, list[dict[str, Any]]]:
    """Node-RED's ``POST /flow``: the new flow's id, and the configuration with it."""
    flow = _flow_body(body)
    if "nodes" not in flow:
        raise AdminError(400, "invalid_request", "missing nodes property")
    taken = {n.get("id") for n in flows if isinstance(n, dict)}
    flow_id = new_flow_id(flows, flow.get("label"))
    for node in [*flow["nodes"], *flow.get("configs", [])]:
        if node["id"] in taken:
            raise AdminError(400, "invalid_request", f"duplicate id: {node['id']}")
    return flow_id, [*flows, *_tab_and_nodes(flow_id, flow)]


def _tab_and_nodes(flow_id: str, flow: dict[str, Any]) -> list[dict[str, Any]]:
    tab = {"type": "tab", "id": flow_id, "label": flow.get("label"),
           **{k: flow[k] for k in TAB_KEYS[1:] if k in flow}}
    nodes = [{**n, "z": flow_id} for n in [*flow.get("nodes", []), *flow.get("configs", [])]]
    return [tab, *nodes]


def update_flow(flows: list[dict[str, Any]], flow_id: str, body: Any) -> list[dict[str, Any]]:
    """Node-RED's ``PUT /flow/:id`` (``global``: its config nodes and subflows)."""
    flow = _flow_body(body)
    tabs, subflows, _ = _kinds(flows)
    if flow_id == "global":
        kept = [n for n in flows if n.get("type") == "tab" or n.get("z") in tabs]
        added = list(flow.get("configs", []))
        for sub in flow.get("subflows", []) or []:
            if isinstance(sub, dict):
                sub = dict(sub)
                added += [*sub.pop("nodes", []), *sub.pop("configs", [])]
                added.append(sub)
        return [*kept, *added]
    if flow_id not in tabs:
        raise AdminError(404, "not_found", f"no flow '{flow_id}'")
    kept = [n for n in flows if n.get("z") != flow_id and n.get("id") != flow_id]
    return [*kept, *_tab_and_nodes(flow_id, flow)]


def delete_flow(flows: list[dict[str, Any]], flow_id: str) -> list[dict[str, Any]]:
    """Node-RED's ``DELETE /flow/:id``."""
    tabs, _, _ = _kinds(flows)
    if flow_id not in tabs:
        raise AdminError(404, "not_found", f"no flow '{flow_id}'")
    return [n for n in flows if n.get("z") != flow_id and n.get("id") != flow_id]


def node_sets(registry: Any, version: str) -> list[dict[str, Any]]:
    """``GET /nodes``: one node set per flowrt node pack, listing the Node-RED types that
    import into the pack's node types (the types a configuration deployed here may use)."""
    from flowrt.nodered.catalog import TYPES

    made_by: dict[str, list[str]] = {}
    for nr in TYPES.values():
        if nr.imports is not None:
            made_by.setdefault(nr.flowrt, []).append(nr.type)
        for variant, _ in nr.variants:
            made_by.setdefault(variant, []).append(nr.type)
    packs: dict[str, list[str]] = {}
    for spec in registry:
        pack = _pack_of(spec)
        for nr_type in made_by.get(spec.type, []):
            if nr_type not in packs.setdefault(pack, []):
                packs[pack].append(nr_type)
    return [{"id": f"flowrt/{pack}", "name": pack, "types": sorted(types), "enabled": True,
             "local": False, "user": False, "module": "flowrt", "version": version}
            for pack, types in sorted(packs.items()) if types]


def _pack_of(spec: Any) -> str:
    """The pack a node type comes from: ``core`` for flowrt_nodes.core.inject, else the
    top package of a pack installed on its own."""
    from flowrt.registry.discover import BUILTIN_PACKAGE

    parts = str(getattr(spec.cls, "__module__", "")).split(".")
    if parts[0] == BUILTIN_PACKAGE and len(parts) > 2:
        return parts[1]
    return parts[0] or "flowrt"
