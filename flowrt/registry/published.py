"""Shape the schemas pydantic derives into the ones editors read well (``schemas/``).

Checked against Red Hat's yaml-language-server, which VS Code, JetBrains and Neovim use:

- A union of plain types, or an optional value, is a JSON Schema type list (``"type":
  ["string", "number"]``), not an ``anyOf`` of one-type schemas: a language server shows each
  branch's title on hover ("Eq || Eq || ..."), and the checker can say "text or a number"
  (:func:`type_lists`).
- A field that may also hold a ``${VAR}`` reference is a ``oneOf`` of its own schema and the
  reference's; its title, description, default and examples sit on the outer schema only, or a
  hover shows each of them twice (:func:`allow_reference`).
- An example that is a mapping or a list becomes a ``defaultSnippets`` entry, the language
  server's extension for structured completions: as an ``examples`` entry it would be completed
  as ``[object Object]`` (:func:`structured_examples`).
"""

from __future__ import annotations

import json
from typing import Any

ANNOTATIONS = ("title", "description", "default", "examples", "defaultSnippets")
"""The keys that describe a schema without constraining it."""

_PLAIN_KEYS = {"type", "items"}


def _plain_type(branch: Any) -> bool:
    """True for a branch that is only a type (an array's ``items`` allowed)."""
    return (
        isinstance(branch, dict)
        and set(branch) <= _PLAIN_KEYS
        and isinstance(branch.get("type"), str)
    )


def _nullable(branch: Any) -> bool:
    """True for a typed branch whose keywords all apply to its type only, so that adding null
    to its types means "or null"."""
    return (
        isinstance(branch, dict)
        and "type" in branch
        and not {"enum", "const", "anyOf", "oneOf", "allOf", "$ref", "not"} & set(branch)
        and not set(branch) & set(ANNOTATIONS)
    )


def type_lists(schema: Any) -> Any:
    """The schema with every ``anyOf`` of plain types made one type list, everywhere in it."""
    if isinstance(schema, list):
        return [type_lists(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: type_lists(value) for key, value in schema.items()}
    branches = out.get("anyOf")
    if not isinstance(branches, list) or not branches:
        return out
    if len(branches) == 2 and branches[1] == {"type": "null"} and _nullable(branches[0]):
        del out["anyOf"]  # an optional value: the type's own keywords leave null alone
        kinds = branches[0]["type"]
        return {**out, **branches[0], "type": [*(kinds if isinstance(kinds, list) else [kinds]),
                                               "null"]}
    if not all(map(_plain_type, branches)):
        return out
    items = [b["items"] for b in branches if b.get("items")]
    if len(items) > 1 or "type" in out:
        return out
    names = [b["type"] for b in branches]
    if "number" in names:
        names = [n for n in names if n != "integer"]
    del out["anyOf"]
    out["type"] = list(dict.fromkeys(names)) if len(names) > 1 else names[0]
    if items:
        out["items"] = items[0]
    return out


def allow_reference(prop: dict[str, Any], reference: dict[str, Any]) -> dict[str, Any]:
    """A field's schema that also accepts ``reference`` (a ``${VAR}``), annotated once.

    A field that takes any text already accepts one, and is left as it is. Otherwise the value
    is one of the two (``oneOf``: the field's own schema refuses a reference): a language
    server joins the titles of an ``anyOf``'s branches on hover ("Repeat || Repeat"), not a
    ``oneOf``'s."""
    if takes_any_text(prop):
        return prop
    outer = {k: prop[k] for k in ANNOTATIONS if k in prop}
    inner = {k: v for k, v in prop.items() if k not in ANNOTATIONS}
    return {**outer, "oneOf": [inner, reference]}


_TEXT_CONSTRAINTS = ("enum", "const", "pattern", "format", "minLength", "maxLength")


def takes_any_text(schema: Any) -> bool:
    """True when a schema accepts every string (so ``${NAME}`` too): a string type with no
    constraint on the text, or a union with such a branch."""
    if not isinstance(schema, dict):
        return False
    kinds = schema.get("type")
    if (kinds == "string" or isinstance(kinds, list) and "string" in kinds) and not any(
        key in schema for key in _TEXT_CONSTRAINTS
    ):
        return True
    return any(takes_any_text(b) for b in schema.get("anyOf", []) + schema.get("oneOf", []))


def structured_examples(prop: dict[str, Any]) -> dict[str, Any]:
    """A field's schema with its mapping and list examples moved to ``defaultSnippets``."""
    examples = prop.get("examples")
    if not isinstance(examples, list):
        return prop
    structured = [e for e in examples if isinstance(e, dict | list)]
    if not structured:
        return prop
    out = {k: v for k, v in prop.items() if k != "examples"}
    scalars = [e for e in examples if not isinstance(e, dict | list)]
    if scalars:
        out["examples"] = scalars
    out["defaultSnippets"] = [
        {"label": _label(e), "description": "An example.", "body": e} for e in structured
    ]
    return out


def _label(example: Any) -> str:
    text = json.dumps(example, separators=(", ", ": "))
    return text if len(text) <= 60 else text[:57] + "..."
