"""What the import report says of the JSONata expressions of the imported nodes.

An expression whose text names ``msg`` (``$number(msg.payload)``) is evaluated by Node-RED in
its legacy form, against ``{msg: message}``; flowrt does the same (see
:func:`flowrt.expressions.jsonata.uses_legacy_msg`), and the report says so for each node, since
the expression reads differently from the current form (``$number(payload)``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flowrt.expressions.jsonata import uses_legacy_msg
from flowrt.nodered.flowfile import FlowOut
from flowrt.nodered.report import Entry

_JSONATA = "code:jsonata"


def note_legacy_expressions(flows: list[FlowOut], entries: list[Entry], registry: Any) -> None:
    """Add a note to the entry of each mapped node with an expression in the legacy form."""
    if registry is None:
        from flowrt.registry import default_registry

        registry = default_registry()
    by_id = {e.nr_id: e for e in entries if not e.reason}
    for flow in flows:
        for node in flow.all_nodes():
            entry = by_id.get(node.nr_id)
            spec = registry.get(node.type)
            if entry is None or spec is None:
                continue
            schema = spec.config_schema
            for text in dict.fromkeys(jsonata_texts(node.config, schema, schema.get("$defs", {}))):
                if uses_legacy_msg(text):
                    shown = text if len(text) <= 60 else text[:57] + "..."
                    entry.notes.append(
                        f"JSONata `{shown}` names `msg`: as in Node-RED, it is evaluated "
                        "against {msg: message} (the legacy form); without `msg.` it would "
                        "read the message's properties directly (`msg.payload` is `payload`)")


def jsonata_texts(value: Any, schema: dict[str, Any], defs: dict[str, Any]) -> Iterator[str]:
    """The JSONata expressions in a configuration value: typed values of type ``jsonata`` and
    the texts where ``schema`` (a node's configuration schema) has an expression."""
    schemas = _alternatives(schema, defs)
    if isinstance(value, str):
        if any(s.get("x-format") == _JSONATA for s in schemas):
            yield value
    elif isinstance(value, dict):
        if value.get("type") == "jsonata" and isinstance(value.get("value"), str):
            yield value["value"]
            return
        for key, item in value.items():
            inner = [s["properties"][key] for s in schemas if key in s.get("properties", {})]
            yield from jsonata_texts(item, {"anyOf": inner}, defs)
    elif isinstance(value, list):
        inner = [s["items"] for s in schemas if isinstance(s.get("items"), dict)]
        for item in value:
            yield from jsonata_texts(item, {"anyOf": inner}, defs)


def _alternatives(schema: dict[str, Any], defs: dict[str, Any]) -> list[dict[str, Any]]:
    """``schema`` and every schema it refers to or offers as an alternative."""
    found, todo, seen = [], [schema], 0
    while todo and seen < 200:
        seen += 1
        current = todo.pop()
        ref = current.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            todo.append(defs.get(ref.removeprefix("#/$defs/"), {}))
        for key in ("anyOf", "oneOf", "allOf"):
            todo.extend(s for s in current.get(key, ()) if isinstance(s, dict))
        found.append(current)
    return found
