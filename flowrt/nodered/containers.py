"""Tabs become flow files, subflows become subflow definitions; their environment variables too.

A node whose tab is not in the export (a partial export, as the editor's "export selected
nodes" makes) goes to a flow named after the export file, one per missing tab.
"""

from __future__ import annotations

import json
from typing import Any

from flowrt.nodered.flowfile import FlowOut, SubflowOut
from flowrt.nodered.naming import Namer, slug
from flowrt.nodered.reader import NrNode, Problem, as_bool, as_number
from flowrt.nodered.report import Entry
from flowrt.nodered.state import ImportState
from flowrt.nodered.values import env_reference

_NAME_OK = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"


def plan_containers(
    state: ImportState, source_stem: str
) -> tuple[dict[str, FlowOut], dict[str, SubflowOut]]:
    """Flows keyed by Node-RED tab id (or missing tab id), subflows by Node-RED subflow id."""
    export = state.export
    names = Namer(set(state.reserved_flows))
    flows: dict[str, FlowOut] = {}
    for tab in export.tabs:
        label = tab.get("label") if isinstance(tab.get("label"), str) else ""
        flow_id = names.name(tab.id, label, "flow")
        entry = Entry(tab.id, "tab", label, "tab", flow_id, "flow", f"{flow_id}.yaml")
        shown = label if label and label != flow_id else None
        flow = FlowOut(flow_id, f"{flow_id}.yaml", shown, _text(tab.get("info")),
                       tab.disabled or tab.flag("disabled"), nr_id=tab.id)
        flow.env = convert_env(tab.get("env"), state, tab.id, entry.notes)
        flows[tab.id] = flow
        state.entries[tab.id] = entry
    subflow_ids = {s.id for s in export.subflows}
    orphans = [n.z for n in export.flow_nodes if n.z not in flows and n.z not in subflow_ids]
    missing = list(dict.fromkeys(orphans))
    for z in missing:
        base = slug(source_stem) or "imported"
        flow_id = names.name("", base if len(missing) == 1 else f"{base}-{z[:8]}", "flow")
        flows[z] = FlowOut(flow_id, f"{flow_id}.yaml", nr_id=z)
        count = orphans.count(z)
        why = f"tab `{z}` is not in the export" if z else "they belong to no tab"
        state.problems.append(Problem(f"{count} node(s) are put in flow '{flow_id}': {why} "
                                      "(a partial export)", z))
    subflows: dict[str, SubflowOut] = {}
    sub_names = Namer()
    for sub in export.subflows:
        label = sub.name
        name = sub_names.name(sub.id, label, "subflow")
        entry = Entry(sub.id, "subflow", label, "subflow", name, "subflow")
        subflows[sub.id] = SubflowOut(name, label or None, _text(sub.get("info")), nr_id=sub.id)
        subflows[sub.id].params = subflow_params(sub, state, entry.notes)
        _instance_params(sub.id, subflows[sub.id].params, state, entry.notes)
        state.entries[sub.id] = entry
    return flows, subflows


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def env_value(item: dict[str, Any], state: ImportState, owner: str,
              notes: list[str]) -> tuple[bool, Any]:
    """(ok, value) of one Node-RED environment entry ``{name, type, value}``."""
    name, kind, value = item.get("name"), item.get("type") or "str", item.get("value")
    if kind == "str":
        return True, "" if value is None else str(value)
    if kind == "num":
        number = as_number(value)
        return (True, number) if number is not None else (True, str(value))
    if kind == "bool":
        return True, as_bool(value)
    if kind == "json":
        notes.append(f"variable {name} (json) is its JSON text")
        return True, value if isinstance(value, str) else json.dumps(value)
    if kind == "env":
        ref = env_reference(str(value)) or str(value)
        return True, "${" + ref + "}"
    if kind == "cred":
        secret = state.creds(owner).get(str(name))
        if secret is not None:
            state.secrets[str(name)] = str(secret)
            notes.append(f"variable {name} is a credential: its value is in the secrets file")
        else:
            state.variables.append(str(name))
            notes.append(f"variable {name} is a credential: set it in the environment")
        return False, None
    notes.append(f"variable {name} of type `{kind}` is not imported: flowrt variables are "
                 "plain values")
    return False, None


def convert_env(items: Any, state: ImportState, owner: str, notes: list[str]) -> dict[str, Any]:
    """A tab's, group's or subflow instance's ``env`` list as a flowrt ``env`` mapping."""
    env: dict[str, Any] = {}
    if not isinstance(items, list):
        return env
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        name = item["name"]
        if not _variable_name(name, notes):
            continue
        ok, value = env_value(item, state, owner, notes)
        if ok:
            env[name] = value
    return env


def _variable_name(name: str, notes: list[str]) -> bool:
    """Whether a Node-RED environment variable's name is one flowrt takes (noted if not)."""
    if not name or name[0].isdigit() or not set(name) <= set(_NAME_OK):
        notes.append(f"variable `{name}` is not a flowrt variable name (letters, digits, _)")
        return False
    return True


def subflow_params(sub: NrNode, state: ImportState, notes: list[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    items = sub.get("env")
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        if not _variable_name(item["name"], notes):
            continue
        ok, value = env_value(item, state, sub.id, notes)
        param: dict[str, Any] = {}
        if ok:
            param["default"] = value
        ui = item.get("ui")
        label = ui.get("label") if isinstance(ui, dict) else None
        if isinstance(label, dict) and label:
            text = label.get("en-US") or next(iter(label.values()))
            if isinstance(text, str) and text:
                param["description"] = text
        params[item["name"]] = param
    return params


def _instance_params(sub_id: str, params: dict[str, Any], state: ImportState,
                     notes: list[str]) -> None:
    """Declare the variables instances set that the subflow does not (Node-RED passes them to
    the subflow's nodes all the same), as parameters with no default."""
    added: list[str] = []
    for node in state.export.flow_nodes:
        items = node.get("env") if node.type == f"subflow:{sub_id}" else None
        for item in items if isinstance(items, list) else []:
            name = item.get("name") if isinstance(item, dict) else None
            if isinstance(name, str) and name not in params and name not in added \
                    and _variable_name(name, []):
                added.append(name)
    for name in added:
        params[name] = {}
    if added:
        notes.append(
            f"its instances set {', '.join(f'`{n}`' for n in added)}, which it does not "
            "declare: declared as parameters with no default (an instance that does not set "
            "one reads null, where Node-RED reads the flow's variable of that name)")


def instance_env(node: NrNode, state: ImportState, notes: list[str]) -> dict[str, Any]:
    """The parameter values of a subflow instance."""
    return convert_env(node.get("env"), state, node.id, notes)


def group_comments(state: ImportState) -> dict[str, list[str]]:
    """flowrt id of a group's first member -> comment lines describing the group: the groups
    that did not become flowrt groups (those inside subflows)."""
    comments: dict[str, list[str]] = {}
    for group in state.export.groups:
        if group.id in state.entries:
            continue  # made a flowrt group (groups.place_groups)
        members = state.groups.get(group.id, [])
        label = group.name or group.id
        entry = Entry(group.id, "group", group.name, "group", "", "comment")
        entry.notes.append("kept as a comment: a subflow definition has no groups")
        if group.get("env"):
            entry.notes.append("the group's environment variables are not imported")
        state.entries[group.id] = entry
        if not members:
            continue
        lines = [f"group '{label}': {', '.join(members)}"]
        info = group.get("info")
        if isinstance(info, str) and info.strip():
            lines.extend(f"  {line}" for line in info.strip().splitlines())
        comments.setdefault(members[0], []).extend(lines)
    return comments


def collect_groups(state: ImportState) -> None:
    """Fill ``state.groups``: group id -> flowrt ids of its nodes, nested groups included."""
    direct: dict[str, list[str]] = {g.id: [] for g in state.export.groups}
    parent: dict[str, str] = {}
    for group in state.export.groups:
        if isinstance(group.get("g"), str):
            parent[group.id] = group.get("g")
    for node in state.export.flow_nodes:
        group_id = node.get("g")
        if isinstance(group_id, str) and group_id in direct and node.id in state.ids:
            direct[group_id].append(state.ids[node.id])
    for group_id, members in direct.items():
        found = list(members)
        for child, up in parent.items():
            seen = {child}
            while up and up not in seen:
                if up == group_id:
                    found.extend(direct.get(child, []))
                    break
                seen.add(up)
                up = parent.get(up, "")
        state.groups[group_id] = found
