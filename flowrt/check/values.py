"""Value checks: environment references, and each configuration after substitution.

A configuration that passed the schema check is substituted (flow ``env``, then the process
environment; inside subflows the parameters' defaults come first) and parsed by the node type's
config model, exactly as the compiler will. What fails here is a value that only goes wrong once
its ``${VAR}`` is known, or a rule the model checks beyond the schema.

Such a diagnostic shows what the value became (``got 'thirty'``), unless it is a secret: the
values of the references a configuration uses for secrets (:func:`secret_references`), and any
value registered with :mod:`flowrt.secrets.redact`, are shown as ``${NAME}``, whole or inside the
text.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from flowrt.check.context import CheckContext, located
from flowrt.diagnostics import Diagnostic, diagnostic
from flowrt.load.document import ConnectionDecl, Document, NodeDecl
from flowrt.load.env import (
    MISSING,
    Named,
    group_of,
    make_lookup,
    node_variables,
    parse_substituted,
    references,
    secret_references,
)
from flowrt.secrets.redact import SECRETS, Secrets


def check_values(doc: Document, ctx: CheckContext) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    flow_lookup = make_lookup(doc.env, dict(ctx.env))
    for node in doc.all_nodes():
        env = dict(doc.env)
        if node.subflow:
            sub = doc.subflows[node.subflow]
            params = {k: p.get("default") for k, p in sub.params.items()}
            env.update({k: v for k, v in params.items()})
        lookup = make_lookup(env | _variables(doc, node), dict(ctx.env))
        found.extend(_env_refs(doc, node, lookup, ctx, set(env)))
        spec = ctx.registry.get(node.type)
        if spec is None or node.path in ctx.invalid or node.subflow_type is not None:
            continue
        found.extend(_parsed(doc, node, spec, lookup))
    for conn in doc.connections.values():
        found.extend(_env_refs(doc, conn, flow_lookup, ctx, set(doc.env)))
        spec = ctx.registry.get(conn.type)
        if spec is not None and conn.path not in ctx.invalid:
            found.extend(_parsed(doc, conn, spec, flow_lookup))
    return found


def _variables(doc: Document, node: NodeDecl) -> dict[str, str]:
    """Node-RED's variables the node will have, as the compiler gives them (there, a subflow's
    node has its instance's; here, the subflow's name stands for it)."""
    node_id = node.origin.id if node.origin is not None else node.id
    me = Named(node_id, node.label or "", f"{doc.id}/{node_id}")
    if node.subflow is None:
        return node_variables(me, Named(doc.id, doc.label or doc.id), group_of(node.id, doc.groups))
    sub = doc.subflows[node.subflow]
    return node_variables(me, Named(doc.id, doc.label or doc.id), None,
                          Named(node.subflow, sub.label or "", f"{doc.id}/{node.subflow}"))


def _parsed(
    doc: Document, node: NodeDecl | ConnectionDecl, spec: Any, lookup: Any
) -> list[Diagnostic]:
    """Parse a substituted configuration with its model, as the compiler will."""
    found: list[Diagnostic] = []
    missing: list[str] = []
    try:
        parse_substituted(spec.parse_config, node.config, lookup, missing)
    except ValidationError as exc:
        if missing:
            return found  # reported as W104; the value is only known at run time
        had_refs = any(True for _ in references(node.config))
        hide = _hidden(node.config, spec, lookup)
        for err in exc.errors():
            loc = _at_value(err["loc"], node.config)
            path = (*node.path, *loc)
            found.append(
                diagnostic(
                    "E026" if had_refs else "E020",
                    f"{'.'.join(str(p) for p in loc) or 'configuration'}: "
                    f"{hide.text(err['msg'])}"
                    + (f"; got {_short(err.get('input'), hide)}" if had_refs else ""),
                    "check the value of the environment variable it references"
                    if had_refs
                    else _hint(err["msg"], node.type),
                    node=node.id,
                    node_type=node.type,
                    **located(doc, path),
                )
            )
    return found


def _at_value(loc: tuple[Any, ...], config: Any) -> tuple[Any, ...]:
    """Where an error of a typed value's text is written: its ``value``, rather than the
    typed value as a whole (``typed`` is the name of the union's branch, not a key)."""
    if not loc or loc[-1] != "typed":
        return loc
    held = config
    for key in loc[:-1]:
        try:
            held = held[key]
        except (KeyError, IndexError, TypeError):
            return loc
    return (*loc[:-1], "value") if isinstance(held, dict) and "value" in held else loc


def _hint(message: str, node_type: str) -> str:
    if "invalid JSONata expression" in message:
        return ("fix the expression (JSONata's syntax: https://docs.jsonata.org; its regular "
                "expressions are JavaScript's, with the flags i and m)")
    return "see `flowrt nodes show " + node_type + "`"


def _short(value: Any, hide: Secrets) -> str:
    shown = hide.value(value)
    if shown != (value if isinstance(value, str) else str(value)):
        return shown  # a secret, or text with one hidden in it
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _hidden(config: dict[str, Any], spec: Any, lookup: Any) -> Secrets:
    """The secret values of one configuration (the references it uses for secrets, as they
    resolve) and the process's registered ones: what its diagnostics must not show."""
    hide = Secrets()
    for name, value in SECRETS.values():
        hide.add(name, value)
    text_of = getattr(lookup, "text", None)
    for name in secret_references(config, spec.secret_fields):
        found = lookup(name)
        if found is not MISSING and found is not None and not isinstance(found, dict | list):
            hide.add(name, found if isinstance(found, str) else str(found))
        text = text_of(name) if text_of is not None else None
        if text is not None:  # as written too: `0042` read as 42, `Infinity` as inf
            hide.add(name, text)
    return hide


def _env_refs(
    doc: Document,
    node: NodeDecl | ConnectionDecl,
    lookup: Any,
    ctx: CheckContext,
    declared: set[str],
) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for key, value in node.config.items():
        for name, default in references(value):
            if default is not None or lookup(name) is not MISSING:
                continue
            found.append(
                diagnostic(
                    "W104",
                    f"{key} references ${{{name}}}, which has no value and no default",
                    f"set {name} in the environment, add it to the flow's `env:`, or write "
                    f"${{{name}:-default}}",
                    node=node.id,
                    node_type=node.type,
                    **located(doc, (*node.path, key)),
                )
            )
    return found
