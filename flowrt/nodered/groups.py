"""Node-RED groups <-> flowrt groups (the flow's ``groups:`` key, boxes drawn by the editor).

Import: a group on a tab becomes a group of that tab's flow, with its name as the label, its
fill as the colour, the flowrt nodes made from its member nodes (the nodes a member became,
all of them) and its parent group (``g``) as ``group:``. What a flowrt group has no key for (the
stroke and label styles, its environment, its notes) is reported. A group inside a subflow is
kept as a comment (flowrt's groups belong to flows), as before (containers.group_comments).

Export: each flowrt group becomes a Node-RED ``group`` node on the flow's tab, its members'
``g`` naming it, sized around its members' positions.
"""

from __future__ import annotations

import re
from typing import Any

from flowrt.nodered.flowfile import FlowOut, GroupOut
from flowrt.nodered.naming import Namer
from flowrt.nodered.report import Entry
from flowrt.nodered.state import ImportState

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_KEPT_STYLE = {"fill", "label"}
NODE_HALF_W, NODE_HALF_H, PAD = 60, 15, 20
"""The size Node-RED gives a node around its position, and the room a group leaves around."""


def place_groups(state: ImportState, flows: dict[str, FlowOut]) -> None:
    """Make the flowrt groups of the groups on tabs; each gets a report entry."""
    namers: dict[str, Namer] = {}
    made: dict[str, tuple[FlowOut, GroupOut]] = {}
    for group in state.export.groups:
        flow = flows.get(group.z)
        if flow is None:
            continue
        namer = namers.setdefault(group.z, Namer())
        out = GroupOut(namer.name(group.id, group.name, "group"), group.name or None,
                       nr_id=group.id)
        entry = Entry(group.id, "group", group.name, "group", out.id, "group", flow.file)
        style = group.get("style")
        if isinstance(style, dict):
            fill = style.get("fill")
            if isinstance(fill, str) and COLOUR.match(fill):
                out.color = fill.lower()
            elif fill not in (None, "none"):
                entry.notes.append(f"its fill {fill!r} is not a #rrggbb colour: not kept")
            extra = sorted(k for k in style if k not in _KEPT_STYLE)
            if extra:
                entry.notes.append(f"its style's {', '.join(extra)} not kept (flowrt groups have "
                                   "a label and a fill colour)")
        if group.get("env"):
            entry.notes.append("the group's environment variables are not imported")
        info = group.get("info")
        if isinstance(info, str) and info.strip():
            entry.notes.append("the group's notes (info) are not imported")
        state.entries[group.id] = entry
        made[group.id] = (flow, out)
    for nr_id, (flow, out) in made.items():
        parent = state.export.nodes[nr_id].get("g")
        if isinstance(parent, str) and parent in made and made[parent][0] is flow:
            out.parent = made[parent][1].id
        out.nodes = [n.id for n in flow.nodes.values()
                     if n.nr_id in state.export.nodes
                     and state.export.nodes[n.nr_id].get("g") == nr_id]
        flow.groups[out.id] = out


def export_groups(groups: dict[str, Any], layout: dict[str, Any], z: str,
                  node_ids: dict[str, dict[str, Any]], taken: set[str]) -> list[dict[str, Any]]:
    """The Node-RED group nodes of one flow's groups (``GroupDecl`` by id); sets ``g`` on the
    exported member nodes (``node_ids``: flowrt id -> the exported node). Group ids already in
    ``taken`` (another flow's, a node's) get the flow id in front."""
    ids: dict[str, str] = {}
    for gid in groups:
        nr_id = gid if gid not in taken else f"{z}.{gid}"
        taken.add(nr_id)
        ids[gid] = nr_id
    out: dict[str, dict[str, Any]] = {}
    for gid, decl in groups.items():
        style: dict[str, Any] = {"label": True}
        if decl.color:
            style["fill"] = decl.color
        members = [node_ids[m]["id"] for m, _ in decl.members if m in node_ids]
        node: dict[str, Any] = {"id": ids[gid], "type": "group", "z": z,
                                "name": decl.label or "", "style": style, "nodes": members}
        if decl.parent in ids:
            node["g"] = ids[decl.parent]
        for m, _ in decl.members:
            if m in node_ids:
                node_ids[m]["g"] = ids[gid]
        out[gid] = node
    for gid, decl in groups.items():
        if decl.parent in out:
            out[decl.parent]["nodes"].append(ids[gid])
    for gid in groups:
        _size(gid, groups, out, layout, node_ids)
    return list(out.values())


def _size(gid: str, groups: dict[str, Any], out: dict[str, dict[str, Any]],
          layout: dict[str, Any], node_ids: dict[str, dict[str, Any]],
          seen: frozenset[str] = frozenset()) -> tuple[float, float, float, float] | None:
    """Set x, y, w, h of a group around its members and nested groups; its box or None."""
    node = out[gid]
    if "w" in node:
        return node["x"], node["y"], node["x"] + node["w"], node["y"] + node["h"]
    boxes = []
    for m, _ in groups[gid].members:
        if m in node_ids:
            x, y = node_ids[m]["x"], node_ids[m]["y"]
            boxes.append((x - NODE_HALF_W, y - NODE_HALF_H, x + NODE_HALF_W, y + NODE_HALF_H))
    for cid, decl in groups.items():
        if decl.parent == gid and cid not in seen:
            box = _size(cid, groups, out, layout, node_ids, seen | {gid})
            if box:
                boxes.append(box)
    if not boxes:
        return None
    x1, y1 = min(b[0] for b in boxes) - PAD, min(b[1] for b in boxes) - PAD
    x2, y2 = max(b[2] for b in boxes) + PAD, max(b[3] for b in boxes) + PAD
    node.update(x=x1, y=y1, w=x2 - x1, h=y2 - y1)
    return x1, y1, x2, y2
