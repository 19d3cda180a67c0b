"""Node documentation generated from the declarations: the `flowrt nodes` listing and help pages."""

from __future__ import annotations

import json
from typing import Any

from flowrt.registry.spec import NodeSpec

CATEGORY_ORDER = ("source", "transform", "script", "sink", "connection")


def render_listing(specs: list[NodeSpec]) -> str:
    lines: list[str] = []
    width = max((len(s.type) for s in specs), default=0)
    for category in CATEGORY_ORDER:
        members = [s for s in specs if s.category == category]
        if not members:
            continue
        lines.append(f"{category}:")
        for spec in members:
            flag = "" if spec.stability == "stable" else f" [{spec.stability}]"
            lines.append(f"  {spec.type.ljust(width)}  {spec.summary}{flag}")
        lines.append("")
    if not lines:
        return "no node types installed"
    return "\n".join(lines).rstrip("\n")


def _type_of(prop: dict[str, Any]) -> str:
    if "enum" in prop:
        return " | ".join(json.dumps(v) for v in prop["enum"])
    if "const" in prop:
        return json.dumps(prop["const"])
    if "anyOf" in prop:
        return " or ".join(_type_of(p) for p in prop["anyOf"])
    if "$ref" in prop:
        return str(prop["$ref"]).rsplit("/", 1)[-1].split(".", 1)[-1]
    kind = prop.get("type", "any")
    if kind == "array" and isinstance(prop.get("items"), dict):
        return f"list of {_type_of(prop['items'])}"
    return str(kind)


def config_table(spec: NodeSpec) -> list[str]:
    rows = ["| field | type | default | description |", "|---|---|---|---|"]
    required = set(spec.required)
    for name, prop in spec.fields.items():
        default = "required" if name in required else json.dumps(prop.get("default"))
        notes = []
        if prop.get("x-secret"):
            notes.append("secret: give it as ${VAR}")
        if prop.get("x-connection"):
            notes.append(f"names a `{prop['x-connection']}` connection")
        if prop.get("x-advanced"):
            notes.append("advanced")
        if prop.get("x-since"):
            notes.append(f"since {prop['x-since']}")
        description = prop.get("description", "").replace("\n", " ").replace("|", "\\|")
        if notes:
            description += f" ({'; '.join(notes)})"
        kind = _type_of(prop).replace("|", "\\|")
        rows.append(f"| `{name}` | {kind} | {default} | {description} |")
    return rows if len(rows) > 2 else ["No configuration."]


def render_markdown(spec: NodeSpec) -> str:
    outputs = spec.cls.outputs
    lines = [
        f"# {spec.type}",
        "",
        spec.summary,
        "",
        f"Category: {spec.category}. Pack: {spec.pack}. Stability: {spec.stability}. "
        f"Inputs: {spec.inputs}. Outputs: {outputs}"
        + (" (depends on the configuration)." if _dynamic_outputs(spec) else "."),
        "",
        "## Configuration",
        "",
        *config_table(spec),
    ]
    if spec.details:
        lines += ["", spec.details]
    lines += ["", "## Schema", "", "```json", json.dumps(spec.config_schema, indent=2), "```"]
    return "\n".join(lines)


def _dynamic_outputs(spec: NodeSpec) -> bool:
    from flowrt.api import Node

    return spec.cls.output_count.__func__ is not Node.output_count.__func__  # type: ignore[attr-defined]
