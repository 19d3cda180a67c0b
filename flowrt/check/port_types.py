"""Port types: what a port's payload is, how known outputs are inferred, when two types fit.

A :class:`PortType` is a JSON Schema with a name to show (an ontology's name, or a description
of an inferred type). The inference rules are the table :data:`INFERENCE`, one entry per node
type whose output is known from its configuration (and the type it receives); a node declaring
``out:`` needs none. The rule of :func:`mismatches` is deliberately simple, and documented in
docs/ontologies.md: the type sent must guarantee what the input requires.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flowrt.load.ontologies import SCHEMA_NAME_FIELDS, Ontologies

JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array",
              dict: "object", type(None): "null"}
TYPED_VALUES = {"str": "string", "num": "number", "bool": "boolean", "date": "number"}
"""A change rule's typed value ``{type: num, value: ...}`` -> the JSON type it sets."""


@dataclass(frozen=True)
class PortType:
    """The payload a port sends or an input takes: ``schema``, shown as ``name``."""

    name: str
    schema: Any


Infer = Callable[[dict[str, Any], PortType | None, Ontologies, int], PortType | None]
"""(raw configuration, the type the node receives or None, the ontologies, output port) -> the
type the port sends, or None when it is not known."""


def _on_payload(config: dict[str, Any], key: str = "property") -> bool:
    return bool(config.get(key, "payload") == "payload")


def _validate(config: dict[str, Any], given: PortType | None, ontologies: Ontologies,
              port: int) -> PortType | None:
    """validate: its valid port sends its schema; the invalid port what it received."""
    if not _on_payload(config):
        return given
    if port == 1:
        return given
    schema = config.get(SCHEMA_NAME_FIELDS["validate"])
    if isinstance(schema, str):
        return PortType(schema, ontologies.schema(schema)) if schema in ontologies.named else None
    if isinstance(schema, dict):
        return PortType("validate's inline schema", schema)
    return None


def _json(config: dict[str, Any], given: PortType | None, ontologies: Ontologies,
          port: int) -> PortType | None:
    """json: parsing gives an object; an object received is written as text."""
    if not _on_payload(config):
        return given
    action = config.get("action", "auto")
    if action == "string" or (action == "auto" and given is not None
                              and _types(given.schema) & {"object", "array"}):
        return PortType("JSON text (json)", {"type": "string"})
    return PortType("a parsed object (json)", {"type": "object"})


def _csv(config: dict[str, Any], given: PortType | None, ontologies: Ontologies,
         port: int) -> PortType | None:
    """csv: parsing gives an object per row (or an array of rows); rows received become text."""
    if given is not None and _types(given.schema) & {"object", "array"}:
        return PortType("CSV text (csv)", {"type": "string"})
    if config.get("output", "per_row") == "all":
        return PortType("rows (csv)", {"type": "array"})
    return PortType("a row (csv)", {"type": "object"})


def _template(config: dict[str, Any], given: PortType | None, ontologies: Ontologies,
              port: int) -> PortType | None:
    """template: text in the payload (unless it parses the text, or writes elsewhere)."""
    if not _on_payload(config) or config.get("scope", "msg") != "msg":
        return given
    if config.get("output", "text") == "text":
        return PortType("text (template)", {"type": "string"})
    return None


def _change(config: dict[str, Any], given: PortType | None, ontologies: Ontologies,
            port: int) -> PortType | None:
    """change: what it receives, with the properties its rules set or delete in the payload
    (not known when what it receives is not, unless it sets the whole payload)."""
    rules = config.get("rules")
    if not isinstance(rules, list):
        return None
    schema = given.schema if given is not None and isinstance(given.schema, dict) else None
    props: dict[str, Any] = dict(schema.get("properties", {})) if schema else {}
    required: list[str] = list(schema.get("required", [])) if schema else []
    touched: list[str] = []
    for rule in rules:
        if not isinstance(rule, dict):
            return None
        action = next((a for a in ("set", "delete", "move", "change") if a in rule), None)
        target = rule.get(action) if action else None
        if not isinstance(target, str) or not (target == "payload"
                                               or target.startswith("payload.")):
            if action == "move" and rule.get("to") == "payload":
                return None
            continue
        key = target.removeprefix("payload").removeprefix(".").split(".")[0].split("[")[0]
        if action == "change":
            continue  # the same property, its text or value replaced
        if not key or action == "move":
            if action == "set" and not key:
                return _literal_type(rule.get("to"))
            return None
        if action == "delete":
            props.pop(key, None)
            required = [r for r in required if r != key]
            continue
        nested = "." in target.removeprefix("payload.") or "[" in target
        props[key] = {"type": "object"} if nested else _value_schema(rule.get("to"))
        required = [*required, key] if key not in required else required
        touched.append(key)
    if given is None or schema is None:  # what else the payload holds is not known
        return None
    if not touched and props == schema.get("properties", {}) \
            and required == schema.get("required", []):
        return given
    base = {k: v for k, v in schema.items() if k not in ("properties", "required")}
    root = given.name.split(" + ")[0].removesuffix(" (change)")
    name = root + (" + " + ", ".join(touched) if touched else "") + " (change)"
    return PortType(name, {**base, "properties": props, "required": required})


def _value_schema(value: Any) -> dict[str, Any]:
    if isinstance(value, dict) and "type" in value:
        kind = TYPED_VALUES.get(str(value["type"]))
        return {"type": kind} if kind else {}
    kind = JSON_TYPES.get(type(value))
    return {"type": kind} if kind and not _is_reference(value) else {}


def _is_reference(value: Any) -> bool:
    return isinstance(value, str) and "${" in value


def _literal_type(value: Any) -> PortType | None:
    schema = _value_schema(value)
    if not schema:
        return None
    if isinstance(value, dict) and "type" not in value:
        schema = {"type": "object", "properties": {k: _value_schema(v) for k, v in value.items()},
                  "required": list(value)}
    return PortType(f"a literal {schema['type']} (change)", schema)


def _same(config: dict[str, Any], given: PortType | None, ontologies: Ontologies,
          port: int) -> PortType | None:
    """Nodes that route or hold messages without changing their payload."""
    return given


INFERENCE: dict[str, Infer] = {
    "validate": _validate,
    "json": _json,
    "csv": _csv,
    "template": _template,
    "change": _change,
    "switch": _same,
    "delay": _same,
    "filter": _same,
}
"""Node type -> how its output ports' types follow from its configuration and its input."""


def _types(schema: Any) -> set[str]:
    if not isinstance(schema, dict):
        return set()
    kind = schema.get("type")
    if isinstance(kind, str):
        return {kind}
    if isinstance(kind, list):
        return {k for k in kind if isinstance(k, str)}
    if "const" in schema and type(schema["const"]) in JSON_TYPES:
        return {JSON_TYPES[type(schema["const"])]}
    return set()


def _fits(sent: set[str], wanted: set[str]) -> bool:
    """Every type sent is one wanted (an integer is a number)."""
    return not sent or not wanted or all(
        t in wanted or (t == "integer" and "number" in wanted) for t in sent)


@dataclass(frozen=True)
class Mismatch:
    """Why a type does not fit an input: ``missing`` required properties it does not
    guarantee, and ``conflicts``, each saying which type is sent where which is wanted."""

    missing: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.missing or self.conflicts)


def mismatches(sent: PortType, wanted: PortType) -> Mismatch:
    """How ``sent`` fails ``wanted``: its ``type`` must be one of the wanted types; each
    property ``wanted`` requires must be required by ``sent`` too; and a property both
    describe must have a type the wanted one accepts. Nothing else is compared."""
    if sent.name == wanted.name or sent.schema == wanted.schema:
        return Mismatch()
    if not isinstance(wanted.schema, dict):
        return Mismatch(conflicts=("it takes nothing",)) if wanted.schema is False else Mismatch()
    have = sent.schema if isinstance(sent.schema, dict) else {}
    conflicts: list[str] = []
    sent_types, wanted_types = _types(have), _types(wanted.schema)
    if not _fits(sent_types, wanted_types):
        conflicts.append(f"the payload is {_or(sent_types)} where {_or(wanted_types)} is "
                         "wanted")
        return Mismatch(conflicts=tuple(conflicts))
    have_props = have.get("properties", {}) if isinstance(have.get("properties"), dict) else {}
    want_props = wanted.schema.get("properties", {})
    want_props = want_props if isinstance(want_props, dict) else {}
    for key in sorted(set(have_props) & set(want_props)):
        sent_t, want_t = _types(have_props[key]), _types(want_props[key])
        if not _fits(sent_t, want_t):
            conflicts.append(f"'{key}' is {_or(sent_t)} where {_or(want_t)} is wanted")
    required = wanted.schema.get("required", [])
    have_required = set(have.get("required", [])) if isinstance(have.get("required"), list) \
        else set()
    missing = tuple(r for r in required if isinstance(r, str) and r not in have_required)
    return Mismatch(missing, tuple(conflicts))


def _or(types: set[str]) -> str:
    return " or ".join(sorted(types)) or "anything"
