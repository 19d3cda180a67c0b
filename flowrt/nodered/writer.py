"""Write imported flows as YAML flow files, and the secrets file beside them.

The YAML is what a person would write: nodes as mapping keys, multi-line code and templates as
literal blocks, and comments for what the format has no key for (groups, port labels, where
the file came from). The text goes through flowrt's own dumper, so ``flowrt fmt --check``
finds nothing to change.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from flowrt.diagnostics import Diagnostic
from flowrt.load.yaml_io import dump
from flowrt.nodered.flowfile import FlowOut, NodeOut, SubflowOut

_LITERAL_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u0085\u2028\u2029\ufeff]|[ \t]\n|[ \t]$")


def _value(value: Any) -> Any:
    """Plain data as ruamel data: multi-line text as literal blocks where that is exact."""
    if isinstance(value, str):
        if "\n" in value and not _LITERAL_UNSAFE.search(value) and not value.startswith(" "):
            return LiteralScalarString(value)
        return value
    if isinstance(value, dict):
        out = CommentedMap()
        for k, v in value.items():
            out[k] = _value(v)
        if value and _small(value):
            out.fa.set_flow_style()
        return out
    if isinstance(value, list | tuple):
        seq = CommentedSeq(_value(v) for v in value)
        if all(isinstance(v, int | float | bool) for v in value) and value:
            seq.fa.set_flow_style()
        return seq
    return value


def _small(value: dict[str, Any]) -> bool:
    """A mapping short enough to read on one line: `{type: msg, value: payload}`."""
    scalars = all(
        isinstance(v, int | float | bool) or v is None
        or (isinstance(v, str) and "\n" not in v and len(v) <= 40)
        for v in value.values()
    )
    return scalars and len(value) <= 4 and len(repr(value)) <= 70


def _comment(target: CommentedMap, key: Any, lines: Sequence[str], indent: int) -> None:
    text = "\n".join(line.rstrip() for line in lines)
    target.yaml_set_comment_before_after_key(key, before=text, indent=indent)


def _nodes(nodes: dict[str, NodeOut], indent: int) -> CommentedMap:
    out = CommentedMap()
    for node_id, node in nodes.items():
        out[node_id] = _value(node.data())
        if node.comments:
            _comment(out, node_id, node.comments, indent)
    return out


def _layout(layout: dict[str, list[float]]) -> CommentedMap:
    out = CommentedMap()
    for node_id, position in layout.items():
        seq = CommentedSeq(position)
        seq.fa.set_flow_style()
        out[node_id] = seq
    return out


def _subflow(sub: SubflowOut) -> CommentedMap:
    out = CommentedMap()
    if sub.label:
        out["label"] = sub.label
    if sub.description:
        out["description"] = _value(sub.description)
    if sub.params:
        out["params"] = _value(sub.params)
    if sub.input:
        out["input"] = sub.input[0] if len(sub.input) == 1 else _value(sub.input)
    out["outputs"] = sub.outputs
    out["nodes"] = _nodes(sub.nodes, 6)
    if sub.layout:
        out["layout"] = _layout(sub.layout)
    return out


def flow_data(flow: FlowOut) -> CommentedMap:
    """The round-trip data of one flow file."""
    data = CommentedMap()
    data["flowrt"] = 1
    data["id"] = flow.id
    if flow.label:
        data["label"] = flow.label
    if flow.description:
        data["description"] = _value(flow.description)
    if flow.disabled:
        data["disabled"] = True
    if flow.env:
        data["env"] = _value(flow.env)
    if flow.connections:
        connections = CommentedMap()
        for conn_id, conn in flow.connections.items():
            connections[conn_id] = _value(conn.data())
            if conn.comments:
                _comment(connections, conn_id, conn.comments, 2)
        data["connections"] = connections
    if flow.subflows:
        data["subflows"] = CommentedMap(
            (name, _subflow(sub)) for name, sub in flow.subflows.items()
        )
    data["nodes"] = _nodes(flow.nodes, 2)
    if flow.layout:
        data["layout"] = _layout(flow.layout)
    if flow.groups:
        groups = CommentedMap()
        for group_id, group in flow.groups.items():
            value = group.data()
            members = CommentedSeq(value["nodes"])
            members.fa.set_flow_style()
            value["nodes"] = members
            groups[group_id] = CommentedMap(value)
        data["groups"] = groups
    if flow.header:
        data.yaml_set_start_comment("\n".join(flow.header))
    return data


def render(flow: FlowOut) -> str:
    return dump(flow_data(flow)).rstrip("\n") + "\n"


def check_flows(flows: list[FlowOut], registry: Any = None,
                env: dict[str, str] | None = None) -> list[Diagnostic]:
    """What `flowrt validate` says of the flows, as if they were written out."""
    from flowrt.check import check
    from flowrt.errors import LoadError
    from flowrt.load import Project, load_text

    project = Project()
    for flow in flows:
        try:
            project.documents.append(load_text(render(flow), flow.file))
        except LoadError as exc:
            project.diagnostics.extend(exc.diagnostics)
    return check(project, registry, env=env if env is not None else dict(os.environ))


def write_flows(flows: list[FlowOut], directory: str | Path) -> list[Path]:
    return write_texts({flow.file: render(flow) for flow in flows}, directory)


def write_texts(texts: Mapping[str, str], directory: str | Path) -> list[Path]:
    """Write each file name -> flow text into ``directory``; the paths written."""
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in texts.items():
        path = target / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def write_secrets(secrets: dict[str, str], path: str | Path) -> Path:
    """Write NAME: value pairs readable by the owner only (mode 600), for `--secrets`."""
    data = CommentedMap((name, value) for name, value in sorted(secrets.items()))
    data.yaml_set_start_comment(
        "Credentials imported from Node-RED. Keep this file out of version control;\n"
        "run the flows with `flowrt run --secrets " + Path(path).name + " ...`."
    )
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(dump(data))
    os.chmod(file, 0o600)
    return file
