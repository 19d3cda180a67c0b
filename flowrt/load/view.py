"""Build the typed view of a flow file from its round-trip data, leniently.

Whatever is malformed (a node that is not a mapping, a wire that is not a string) is left out of
the view; the schema check reports it with its position. So every later check can run on
whatever is well-formed, and a person sees every problem at once.
"""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import Any

from flowrt.load.document import (
    ConnectionDecl,
    Document,
    GroupDecl,
    NodeDecl,
    Origin,
    Span,
    SubflowDecl,
    Wire,
    locate,
)
from flowrt.load.yaml_io import is_mapping, is_sequence, to_plain

RESERVED_NODE_KEYS = (
    "type", "to", "label", "disabled", "info", "origin", "guarantee", "journal", "in", "out"
)
"""Keys a node may have besides its configuration (``guarantee`` and ``journal`` on source
types only; ``in`` and ``out`` type its ports, :mod:`flowrt.load.ontologies`); a node type's
configuration may not use them (:mod:`flowrt.registry.spec`). Their
schemas are :mod:`flowrt.registry.catalog`'s (a test holds the two lists together)."""


def build_document(file: str, text: str, data: Any) -> Document:
    stem = PurePath(file).name.split(".")[0] or "flow"
    if not is_mapping(data):
        return Document(file=file, text=text, data=data, id=stem)
    flow_id = data.get("id")
    doc = Document(
        file=file,
        text=text,
        data=data,
        id=flow_id if isinstance(flow_id, str) and flow_id else stem,
        label=_str(data.get("label")),
        disabled=data.get("disabled") is True,
    )
    doc.env = {"FLOW_DIR": flow_dir(file)}
    env = data.get("env")
    if is_mapping(env):
        doc.env.update({str(k): to_plain(v) for k, v in env.items()})
    doc.nodes = _nodes(doc, data.get("nodes"), ("nodes",), None)
    doc.connections = _connections(doc, data.get("connections"))
    subflows = data.get("subflows")
    if is_mapping(subflows):
        for name, raw in subflows.items():
            if isinstance(name, str) and is_mapping(raw):
                doc.subflows[name] = _subflow(doc, name, raw)
    layout = data.get("layout")
    if is_mapping(layout):
        doc.layout = {str(k): to_plain(v) for k, v in layout.items()}
    doc.groups = _groups(doc, data.get("groups"))
    return doc


def flow_dir(file: str) -> str:
    """``${FLOW_DIR}``: the directory of the flow file, so a flow can name files beside it."""
    if file.startswith("<"):
        return str(Path.cwd())
    return str(Path(file).resolve().parent)


def _str(value: Any) -> str | None:
    return str(value) if isinstance(value, str) else None


def _nodes(
    doc: Document, raw_nodes: Any, base: tuple[str | int, ...], subflow: str | None
) -> dict[str, NodeDecl]:
    nodes: dict[str, NodeDecl] = {}
    if not is_mapping(raw_nodes):
        return nodes
    for node_id, raw in raw_nodes.items():
        if not isinstance(node_id, str) or not is_mapping(raw):
            continue
        type_ = raw.get("type")
        if not isinstance(type_, str):
            continue
        path = (*base, node_id)
        config = {
            str(k): to_plain(v)
            for k, v in raw.items()
            if k not in RESERVED_NODE_KEYS and not (k == "env" and type_.startswith("subflow:"))
        }
        env = raw.get("env") if type_.startswith("subflow:") else None
        nodes[node_id] = NodeDecl(
            id=node_id,
            type=type_,
            config=config,
            wires=tuple(wires(doc, raw.get("to"), (*path, "to"))),
            span=locate(doc.file, doc.data, path, "key"),
            path=path,
            flow=doc.id,
            label=_str(raw.get("label")),
            disabled=raw.get("disabled") is True,
            env=to_plain(env) if is_mapping(env) else {},
            subflow=subflow,
            guarantee=_str(raw.get("guarantee")),
            journal=raw["journal"] if isinstance(raw.get("journal"), bool) else None,
            origin=_origin(raw.get("origin")),
        )
    return nodes


def _origin(value: Any) -> Origin | None:
    """The ``origin`` key's Node-RED id and type; None when it is missing or malformed."""
    if not is_mapping(value):
        return None
    nr_id, nr_type = value.get("id"), value.get("type")
    if isinstance(nr_id, str) and nr_id and isinstance(nr_type, str) and nr_type:
        return Origin(nr_id, nr_type)
    return None


def wires(doc: Document, to: Any, path: tuple[str | int, ...]) -> list[Wire]:
    """The wires of a ``to:`` value: a target, a list of targets, or port -> target(s)."""
    found: list[Wire] = []
    if to is None:
        return found
    if is_mapping(to):
        for port, targets in to.items():
            text = str(port)
            port_no = port if isinstance(port, int) else int(text) if text.isdecimal() else None
            if port_no is None or isinstance(port, bool):
                continue
            found.extend(_targets(doc, port_no, targets, (*path, port)))
    else:
        found.extend(_targets(doc, 0, to, path))
    return found


def _targets(doc: Document, port: int, targets: Any, path: tuple[str | int, ...]) -> list[Wire]:
    if isinstance(targets, str):
        return [Wire(port, targets, locate(doc.file, doc.data, path))]
    if is_sequence(targets):
        return [
            Wire(port, t, locate(doc.file, doc.data, (*path, i)))
            for i, t in enumerate(targets)
            if isinstance(t, str)
        ]
    return []


def _connections(doc: Document, raw_connections: Any) -> dict[str, ConnectionDecl]:
    found: dict[str, ConnectionDecl] = {}
    if not is_mapping(raw_connections):
        return found
    for conn_id, raw in raw_connections.items():
        if (
            not isinstance(conn_id, str)
            or not is_mapping(raw)
            or not isinstance(raw.get("type"), str)
        ):
            continue
        path = ("connections", conn_id)
        found[conn_id] = ConnectionDecl(
            id=conn_id,
            type=raw["type"],
            config={str(k): to_plain(v) for k, v in raw.items() if k not in ("type", "label")},
            span=locate(doc.file, doc.data, path, "key"),
            path=path,
            flow=doc.id,
        )
    return found


def _groups(doc: Document, raw_groups: Any) -> dict[str, GroupDecl]:
    """The editor's groups; a malformed one is left out (the schema check reports it)."""
    found: dict[str, GroupDecl] = {}
    if not is_mapping(raw_groups):
        return found
    for group_id, raw in raw_groups.items():
        if not isinstance(group_id, str) or not is_mapping(raw):
            continue
        path = ("groups", group_id)
        members = raw.get("nodes")
        parent = raw.get("group")
        found[group_id] = GroupDecl(
            id=group_id,
            label=_str(raw.get("label")),
            color=_str(raw.get("color")),
            members=tuple(
                (m, locate(doc.file, doc.data, (*path, "nodes", i)))
                for i, m in enumerate(members)
                if isinstance(m, str)
            ) if is_sequence(members) else (),
            parent=parent if isinstance(parent, str) else None,
            span=locate(doc.file, doc.data, path, "key"),
            path=path,
        )
    return found


def _subflow(doc: Document, name: str, raw: Any) -> SubflowDecl:
    path = ("subflows", name)
    params = raw.get("params")
    outputs = raw.get("outputs")
    return SubflowDecl(
        name=name,
        label=_str(raw.get("label")),
        # a malformed parameter keeps its name (the schema check reports its value)
        params={str(k): to_plain(v) if is_mapping(v) else {} for k, v in params.items()}
        if is_mapping(params) else {},
        inputs=tuple(wires(doc, raw.get("input"), (*path, "input"))),
        outputs=outputs if isinstance(outputs, int) and not isinstance(outputs, bool) else 0,
        nodes=_nodes(doc, raw.get("nodes"), (*path, "nodes"), name),
        span=locate(doc.file, doc.data, path, "key"),
        path=path,
        flow=doc.id,
    )


def node_span(doc: Document, node: NodeDecl, field: str | None = None) -> Span:
    """Where a node, or one of its fields, is written."""
    if field is None:
        return node.span
    return locate(doc.file, doc.data, (*node.path, field))
