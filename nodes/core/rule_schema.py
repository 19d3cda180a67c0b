"""The published schema of rule models whose keys say what the rule is (`set:`, `gt:` ...).

Such a model gives every key a default of None, meaning "not written". In the JSON Schema a
language server reads, a written key must have its real type, so the defaults and the null
branches come out.
"""

from __future__ import annotations

from typing import Any


def present_keys_only(target: dict[str, Any]) -> None:
    """Drop defaults and `null` alternatives from every property of a rule's object schema."""
    for prop in target.get("properties", {}).values():
        prop.pop("default", None)
        options = prop.get("anyOf", [])
        if {"type": "null"} in options and len(options) == 2:  # None only marks "absent"
            options.remove({"type": "null"})
            prop.update(options.pop())
            del prop["anyOf"]
    target["minProperties"] = 1
