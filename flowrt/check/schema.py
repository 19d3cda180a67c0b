"""Schema checks: the file's structure, then each node against its type's schema.

The whole-file schema is validated in two steps, for speed and for sharper messages: the top level
(with nodes and connections only required to be mappings with a ``type``), then each node with a
validator compiled once per node type (jsonschema is imported with the first check, not with
this module, so that a process that never checks never loads it). A ``${VAR}`` reference passes
any schema here; its value is checked after substitution (see
``flowrt.check.values``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from functools import cache, partial
from typing import TYPE_CHECKING, Any

from flowrt.check.context import CheckContext, located
from flowrt.check.wording import LENGTH, RANGE, describe, expected_type, field_name
from flowrt.diagnostics import Diagnostic, diagnostic, suggest
from flowrt.load.document import Document
from flowrt.load.env import is_reference
from flowrt.load.yaml_io import is_mapping
from flowrt.registry.catalog import (
    COMMON_DEFS,
    FLOW_PROPERTIES,
    SUBFLOW_INSTANCE,
    SUBFLOW_SCHEMA,
    nested_defs,
    node_schema,
)
from flowrt.registry.spec import NodeSpec

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError


def _skip_references(keyword: Any) -> Any:
    def validate(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if is_reference(instance):
            return iter(())
        return keyword(validator, value, instance, schema) or iter(())

    return validate


@cache
def _env_validator() -> Any:
    """Draft 2020-12 with every keyword passing a ``${VAR}`` reference."""
    from jsonschema import Draft202012Validator, validators

    return validators.extend(
        Draft202012Validator,
        validators={k: _skip_references(v) for k, v in Draft202012Validator.VALIDATORS.items()},
    )


def _errors(validator: Callable[[], Any], instance: Any) -> list[ValidationError]:
    """jsonschema's errors of ``instance`` (``validator()`` is the compiled validator)."""
    return list(validator().iter_errors(instance))


_ENTRY = {
    "type": "object",
    "required": ["type"],
    "properties": {"type": {"type": "string"}},
}


def _top_schema() -> dict[str, Any]:
    props = copy.deepcopy(FLOW_PROPERTIES)
    nodes = {
        "type": "object",
        "propertyNames": {"type": "string", "pattern": COMMON_ID_PATTERN},
        "additionalProperties": _ENTRY,
    }
    props["nodes"] = nodes
    props["connections"]["additionalProperties"] = _ENTRY
    subflow = copy.deepcopy(SUBFLOW_SCHEMA)
    subflow["properties"]["nodes"] = nodes
    props["subflows"]["additionalProperties"] = subflow
    return {
        "type": "object",
        "required": ["flowrt", "nodes"],
        "properties": props,
        "additionalProperties": False,
        "$defs": copy.deepcopy(COMMON_DEFS),
    }


COMMON_ID_PATTERN = FLOW_PROPERTIES["connections"]["propertyNames"]["pattern"]


@cache
def _top() -> dict[str, Any]:
    return _top_schema()


@cache
def _node(spec: NodeSpec) -> dict[str, Any]:
    schema = node_schema(spec)
    schema["$defs"] = {**copy.deepcopy(COMMON_DEFS), **nested_defs(spec)}
    return schema


@cache
def _instance() -> dict[str, Any]:
    return {**SUBFLOW_INSTANCE, "$defs": copy.deepcopy(COMMON_DEFS)}


@cache
def _top_validator() -> Any:
    return _env_validator()(_top())


@cache
def _node_validator(spec: NodeSpec) -> Any:
    return _env_validator()(_node(spec))


@cache
def _instance_validator() -> Any:
    return _env_validator()(_instance())


def check_structure(doc: Document, ctx: CheckContext) -> list[Diagnostic]:
    return [_diagnostic(doc, e, (), "", "") for e in _errors(_top_validator, doc.data)]


def check_nodes(doc: Document, ctx: CheckContext) -> list[Diagnostic]:
    """Each node and connection against its type's schema; records which entries were valid."""
    found: list[Diagnostic] = []
    for node in doc.all_nodes():
        raw = _raw(doc, node.path)
        for key in SOURCE_KEYS:
            if is_mapping(raw) and key in raw:
                raw, misplaced = _source_key(doc, raw, key, node.path, node.id, node.type, ctx)
                found.extend(misplaced)
        if node.subflow_type is not None:
            errors = _errors(_instance_validator, raw)
            found.extend(_diagnostic(doc, e, node.path, node.id, node.type) for e in errors)
            continue
        spec = ctx.registry.get(node.type)
        if spec is None or spec.is_connection:
            found.append(_unknown_type(doc, node.path, node.id, node.type, ctx, spec is not None))
            continue
        errors = _errors(partial(_node_validator, spec), raw)
        if errors:
            ctx.invalid.add(node.path)
        found.extend(_diagnostic(doc, e, node.path, node.id, node.type) for e in errors)
    for conn in doc.connections.values():
        spec = ctx.registry.get(conn.type)
        if spec is None or not spec.is_connection:
            found.append(_unknown_type(doc, conn.path, conn.id, conn.type, ctx, spec is not None))
            continue
        errors = _errors(partial(_node_validator, spec), _raw(doc, conn.path))
        if errors:
            ctx.invalid.add(conn.path)
        found.extend(_diagnostic(doc, e, conn.path, conn.id, conn.type) for e in errors)
    return found


SOURCE_KEYS = {
    "guarantee": "at-least-once or at-most-once",
    "journal": "true or false",
}
"""Node keys offered on source types only (see docs/delivery.md), and their values."""


def _source_key(
    doc: Document,
    raw: Any,
    key: str,
    path: tuple[str | int, ...],
    ident: str,
    type_: str,
    ctx: CheckContext,
) -> tuple[Any, list[Diagnostic]]:
    """A node's ``guarantee`` or ``journal`` key: E043 on a node that reads no messages (the
    key is then left out of its schema check, which would only call it unknown), and no
    ``${VAR}`` (node keys are not substituted). Returns the entry to check against the schema,
    and the problems."""
    spec = ctx.registry.get(type_)
    key_path = (*path, key)
    where = {"node": ident, "node_type": type_}
    if spec is not None and spec.reads:
        if not is_reference(raw[key]):
            return raw, []
        return raw, [diagnostic(
            "E024",
            f"{key} must be {SOURCE_KEYS[key]}; node keys take no ${{VAR}}",
            "write the value itself",
            **where,
            **located(doc, key_path),
        )]
    if spec is None and not type_.startswith("subflow:"):
        return raw, []  # an unknown type is reported as such
    what = "a subflow instance" if type_.startswith("subflow:") else f"a {type_} node"
    return {k: v for k, v in raw.items() if k != key}, [diagnostic(
        "E043",
        f"`{key}` applies to nodes that read messages from a server; {what} reads none",
        "remove it, and set it on the source node (amqp-in, mqtt-in) whose messages this is",
        **where,
        **located(doc, key_path, "key"),
    )]


def _raw(doc: Document, path: tuple[str | int, ...]) -> Any:
    node = doc.data
    for step in path:
        node = node[step]
    return node


def _unknown_type(
    doc: Document,
    path: tuple[str | int, ...],
    ident: str,
    type_: str,
    ctx: CheckContext,
    wrong_kind: bool,
) -> Diagnostic:
    is_conn = path[0] == "connections"
    ctx.invalid.add(path)
    choices = ctx.registry.connection_types() if is_conn else ctx.registry.node_types()
    kind = "connection type" if is_conn else "node type"
    if wrong_kind:
        message = f"'{type_}' is a {'node' if is_conn else 'connection'} type, not a {kind}"
        hint = (
            "declare it under `nodes:`"
            if is_conn
            else "declare it under `connections:` and name it from the nodes that use it"
        )
    else:
        message = f"unknown {kind} '{type_}'"
        hint = suggest(type_, choices) or "run `flowrt nodes` to list the installed types"
    return diagnostic(
        "E030",
        message,
        hint,
        node=ident,
        **located(doc, (*path, "type")),
    )


def _diagnostic(
    doc: Document, error: ValidationError, base: tuple[str | int, ...], ident: str, type_: str
) -> Diagnostic:
    from jsonschema.exceptions import best_match

    from flowrt.check.unions import UNIONS, kinds, narrow, wrong_kind

    if error.validator in UNIONS and error.context:
        error = narrow(error)  # the branch of the value's kind, when one is
    if error.validator in UNIONS and error.context and not all(map(wrong_kind, error.context)):
        branches = error.context
        if error.instance is not None:  # "must be null" never helps for a value that is set
            branches = [e for e in branches if e.validator_value != "null"] or branches
        deepest = best_match(branches)
        if deepest.validator not in (*UNIONS, "pattern"):
            error = deepest
    rel = tuple(error.absolute_path)
    path = (*base, *rel)
    field_path = rel if base else path
    name = field_name(field_path)
    where = {"node": ident, "node_type": type_}
    kw, value, inst = error.validator, error.validator_value, error.instance
    if kw in UNIONS and error.context and all(map(wrong_kind, error.context)):
        kw, value = "type", kinds(error)  # of none of the kinds the union takes
    description = error.schema.get("description", "") if isinstance(error.schema, dict) else ""
    if kw == "required":
        missing = next((k for k in value if not is_mapping(inst) or k not in inst), value[0])
        prop = error.schema.get("properties", {}).get(missing, {})
        return diagnostic(
            "E021",
            f"missing required field '{missing}'" + (f" in {name}" if rel else ""),
            f"add `{missing}:`" + (f" ({prop['description']})" if prop.get("description") else ""),
            **where,
            **located(doc, path, "key"),
        )
    if kw == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        extras = [k for k in inst if k not in allowed] if is_mapping(inst) else []
        extra = extras[0] if extras else "?"
        hint = suggest(str(extra), allowed) or (
            "remove it; allowed here: " + ", ".join(sorted(allowed)) if allowed else "remove it"
        )
        key_path = (*path, extra)
        return diagnostic(
            "E023",
            f"unknown field '{extra}'" + (f" in {name}" if rel else ""),
            hint,
            **where,
            **located(doc, key_path, "key"),
        )
    if kw == "type":
        return diagnostic(
            "E022",
            f"{name} must be {expected_type(value, inst)}; got {describe(inst)}",
            description or f"write {expected_type(value, inst)} here",
            **where,
            **located(doc, path),
        )
    if kw in ("enum", "const"):
        options = value if kw == "enum" else [value]
        shown = ", ".join(describe(o) for o in options[:12])
        hint = suggest(str(inst), [str(o) for o in options]) if isinstance(inst, str) else ""
        return diagnostic(
            "E024",
            f"{name} must be one of: {shown}; got {describe(inst)}",
            hint or "pick one of the allowed values",
            **where,
            **located(doc, path),
        )
    if kw in RANGE:
        return diagnostic(
            "E025",
            f"{name} must be {RANGE[kw]} {value}; got {describe(inst)}",
            description or "change the value",
            **where,
            **located(doc, path),
        )
    if kw in LENGTH:
        bound, unit = LENGTH[kw]
        return diagnostic(
            "E025",
            f"{name} must have {bound} {value} {unit}",
            description or "change the value",
            **where,
            **located(doc, path),
        )
    if "propertyNames" in error.relative_schema_path:
        key_path = (*path, inst)
        if description:  # what the keys are: output port numbers
            return diagnostic(
                "E020", f"{name}: key {describe(inst)} must be {description}", "rename the key",
                **where, **located(doc, key_path, "key"),
            )
        what = "node id" if path[-1:] == ("nodes",) else "name"
        return diagnostic(
            "E020",
            f"{what} {describe(inst)} may hold only letters, digits, '_', '.' and '-'",
            "rename it; ids appear in wires, logs and URLs",
            **where,
            **located(doc, key_path, "key"),
        )
    if kw == "pattern":
        return diagnostic(
            "E020",
            f"{name} {describe(inst)} does not have the expected form",
            description or f"it must match {value}",
            **where,
            **located(doc, path),
        )
    message = error.message if len(error.message) < 160 else error.message[:157] + "..."
    if kw in UNIONS:  # the value fits several forms in part: say so, not its repr
        message = f"{describe(inst)} is none of the forms allowed here"
    return diagnostic(
        "E020",
        f"{name}: {message}",
        description or "see `flowrt schema` for what is allowed here",
        **where,
        **located(doc, path),
    )
