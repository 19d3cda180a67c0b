"""How the schema check words a value, a type and a field (:mod:`.schema`'s messages)."""

from __future__ import annotations

from typing import Any

from flowrt.load.yaml_io import is_mapping

RANGE = {
    "minimum": "at least",
    "exclusiveMinimum": "more than",
    "maximum": "at most",
    "exclusiveMaximum": "less than",
}
LENGTH = {
    "minLength": ("at least", "characters"),
    "maxLength": ("at most", "characters"),
    "minItems": ("at least", "items"),
    "maxItems": ("at most", "items"),
    "minProperties": ("at least", "entries"),
    "maxProperties": ("at most", "entries"),
}
TYPE_NAMES = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "null",
}


def describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else repr(value[:37] + "...")
    if is_mapping(value):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return str(value)


def expected_type(expected: Any, given: Any = None) -> str:
    """The types a value may have, in words ("text, a number or a list"); without null for a
    value that is set ("must be null" never helps)."""
    names = [TYPE_NAMES.get(str(n), str(n)) for n in (
        expected if isinstance(expected, list) else [expected])]
    if given is not None and len(names) > 1 and "null" in names:
        names.remove("null")
    return " or ".join([", ".join(names[:-1]), names[-1]] if len(names) > 2 else names)


def field_name(path: tuple[str | int, ...]) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text or "the file"
