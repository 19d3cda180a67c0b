"""Read a Node-RED export into a normalised, classified set of nodes.

Node-RED writes flows as a JSON array of node objects (``flows.json``, the editor's export), or
as an object with a ``flows`` array (the admin API's v2 form, with ``rev``). Real files carry
the marks of many Node-RED versions, and of hand edits:

- partial exports: nodes whose tab (``z``) is not in the file;
- config nodes of old versions with ``"z": ""``; inject nodes without ``props``;
- booleans written as strings (``"true"``, ``"false"``) and numbers as strings (``"5"``);
- empty, missing or duplicate ids; items that are not node objects at all;
- values nested absurdly deep (no Node-RED node does; the node is left out rather than
  exhaust the converter's stack or the flow file's nesting limit).

None of these stops the import: each becomes a :class:`Problem` in the report, and the
reader hands on a consistent :class:`Export` in which every node has a unique id.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flowrt.nodered.catalog import CONFIG_TYPES, IMPORTERS
from flowrt.nodered.nrnode import NrNode, as_bool, as_number

__all__ = [
    "Export", "NrNode", "Problem", "ReadError", "as_bool", "as_number", "is_config_node",
    "looks_generated", "read_data", "read_file", "read_text",
]

STRUCTURE_TYPES = frozenset({"tab", "subflow", "group", "junction"})
"""The objects of an export that are not nodes but hold or join them."""


@dataclass(frozen=True, slots=True)
class Problem:
    """Something about the input file as a whole (not one node's mapping)."""

    message: str
    node: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"message": self.message, "node": self.node}


@dataclass
class Export:
    """A Node-RED export, classified: tabs, subflows, groups, junctions, config and flow nodes."""

    nodes: dict[str, NrNode] = field(default_factory=dict)
    """Every node by (unique) id, in file order."""
    tabs: list[NrNode] = field(default_factory=list)
    subflows: list[NrNode] = field(default_factory=list)
    groups: list[NrNode] = field(default_factory=list)
    junctions: dict[str, NrNode] = field(default_factory=dict)
    configs: list[NrNode] = field(default_factory=list)
    flow_nodes: list[NrNode] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def by_container(self, container: str) -> list[NrNode]:
        return [n for n in self.flow_nodes if n.z == container]


class ReadError(ValueError):
    """The input is not a Node-RED export at all (not JSON, or not nodes)."""


def read_file(path: str | Path) -> Export:
    """Read and normalise an export file."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReadError(f"{path}: cannot read the file: {exc}") from exc
    return read_text(text, str(path))


def read_text(text: str, source: str = "<export>") -> Export:
    try:
        data = json.loads(text)
    except RecursionError:
        raise ReadError(
            f"{source}: not a Node-RED export: its JSON is nested too deeply to read"
        ) from None
    except json.JSONDecodeError as exc:
        raise ReadError(
            f"{source}:{exc.lineno}:{exc.colno}: not JSON ({exc.msg}); a Node-RED export is the "
            "JSON text of the editor's Export dialog or a flows.json file"
        ) from exc
    return read_data(data, source)


def read_data(data: Any, source: str = "<export>") -> Export:
    """Normalise parsed JSON: an array of nodes, ``{"flows": [...]}``, or one node object."""
    if isinstance(data, dict) and isinstance(data.get("flows"), list):
        items = data["flows"]
    elif isinstance(data, dict) and isinstance(data.get("type"), str):
        items = [data]
    elif isinstance(data, list):
        items = data
    else:
        raise ReadError(
            f"{source}: not a Node-RED export: expected an array of nodes or an object with a "
            "`flows` array"
        )
    export = Export()
    _collect(export, items)
    _classify(export)
    return export


_GENERATED_ID = re.compile(r"^[0-9a-f]{16}$|^[0-9a-f]{5,8}\.[0-9a-f]{1,8}$")


def looks_generated(node_id: str) -> bool:
    """True for ids Node-RED made up (hex), as opposed to readable ones (from a flowrt export)."""
    return bool(_GENERATED_ID.match(node_id))


def _collect(export: Export, items: list[Any]) -> None:
    counter = 0
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            export.problems.append(Problem(f"item {index} is not a node object; skipped"))
            continue
        type_ = item.get("type")
        if not isinstance(type_, str) or not type_:
            export.problems.append(
                Problem(f"item {index} has no type; skipped", str(item.get("id", "")))
            )
            continue
        if _nested_deeper(item, MAX_DEPTH):
            export.problems.append(Problem(
                f"item {index} ({type_}) nests values more than {MAX_DEPTH} levels deep; "
                "skipped", str(item.get("id", ""))[:80]))
            continue
        raw_id = item.get("id")
        node_id = raw_id if isinstance(raw_id, str) else str(raw_id) if raw_id else ""
        if not node_id.strip():
            counter += 1
            node_id = _fresh(export, f"{type_.replace(' ', '-')}-{counter}")
            export.problems.append(
                Problem(f"item {index} ({type_}) has no id; it was given id '{node_id}'", node_id)
            )
        elif node_id in export.nodes:
            fresh = _fresh(export, node_id)
            export.problems.append(
                Problem(
                    f"id '{node_id}' is used by more than one node; the {type_} node at item "
                    f"{index} was given id '{fresh}' (wires and references to '{node_id}' go to "
                    "the first node with that id)",
                    fresh,
                )
            )
            node_id = fresh
        export.nodes[node_id] = NrNode(node_id, type_, item)


MAX_DEPTH = 32
"""Levels of nested objects and arrays a node object may hold (Node-RED's own nodes need 4)."""


def _nested_deeper(value: Any, limit: int) -> bool:
    """True when ``value`` nests lists or dicts more than ``limit`` levels (iteratively: the
    value may be too deep for recursion)."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def _fresh(export: Export, base: str) -> str:
    candidate, n = base, 1
    while candidate in export.nodes:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def is_config_node(node: NrNode) -> bool:
    """Config nodes are known by type (flowrt/nodered/catalog.py); unknown types by having no
    wires and no position."""
    if node.type in CONFIG_TYPES:
        return True
    if node.type in STRUCTURE_TYPES or node.type.startswith("subflow:") or node.type in IMPORTERS:
        return False
    return "wires" not in node.raw and "x" not in node.raw and "y" not in node.raw


def _classify(export: Export) -> None:
    for node in export.nodes.values():
        if node.type == "tab":
            export.tabs.append(node)
        elif node.type == "subflow":
            export.subflows.append(node)
        elif node.type == "group":
            export.groups.append(node)
        elif node.type == "junction":
            export.junctions[node.id] = node
        elif is_config_node(node):
            export.configs.append(node)
        else:
            export.flow_nodes.append(node)
