"""Node-RED values from flowrt ones, for the export conversions of the family modules."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

Exporter = Callable[[dict[str, Any]], dict[str, Any]]
"""A flow file's node configuration -> the Node-RED node's properties (its ``type`` is the one
declared with the exporter)."""


class NoCounterpart(Exception):
    """This configuration cannot be expressed by the Node-RED node."""


def unescape(value: Any) -> Any:
    """flowrt text -> Node-RED text: ``$${`` (a literal ``${``) becomes ``${``."""
    if isinstance(value, str):
        return value.replace("$${", "${")
    if isinstance(value, list):
        return [unescape(v) for v in value]
    if isinstance(value, dict):
        return {k: unescape(v) for k, v in value.items()}
    return value


def typed(value: Any) -> tuple[str, str]:
    """A flowrt value -> Node-RED (value, type)."""
    value = unescape(value)
    if isinstance(value, dict) and "type" in value:
        kind, inner = value["type"], value.get("value")
        if kind == "json":
            return (inner if isinstance(inner, str) else json.dumps(inner)), "json"
        if kind == "bin":
            return (inner if isinstance(inner, str) else json.dumps(inner)), "bin"
        if kind == "date":
            return ("iso" if inner == "iso" else ""), "date"
        if kind == "bool":
            return ("true" if inner in (True, "true") else "false"), "bool"
        if kind == "re":
            return str(inner), "re"
        return ("" if inner is None else str(inner)), kind
    if isinstance(value, bool):
        return ("true" if value else "false"), "bool"
    if isinstance(value, int | float):
        return str(value), "num"
    if value is None or isinstance(value, list):
        return json.dumps(value), "json"
    return str(value), "str"


def target(value: Any) -> tuple[str, str]:
    """A change rule's target -> (p, pt)."""
    if isinstance(value, dict):
        return str(value.get("value")), str(value.get("type"))
    return str(value), "msg"


def seconds_ms(value: Any) -> str:
    number = float(value) * 1000
    return str(int(number)) if number.is_integer() else str(number)


def escape_separator(text: str) -> str:
    """A split or join separator as Node-RED's form writes it (the reverse of
    :func:`flowrt.nodered.values.unescape_separator`)."""
    return text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
