"""Reference checks across the project: ids, connections, node references, subflows, secrets.

Node ids, connection ids, subflow names and flow ids are each unique in a project (a directory of
flow files), so references may cross files.
"""

from __future__ import annotations

from typing import Any

from flowrt.check.context import CheckContext, located
from flowrt.diagnostics import Diagnostic, diagnostic, suggest
from flowrt.load.document import Document, NodeDecl
from flowrt.load.env import URL_PASSWORD, is_reference


def check_duplicates(docs: list[Document], ctx: CheckContext) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    flows: dict[str, Document] = {}
    for doc in docs:
        first = flows.setdefault(doc.id, doc)
        if first is not doc:
            found.append(
                diagnostic(
                    "E036",
                    f"flow id '{doc.id}' is also used by {first.file}",
                    "give each flow file its own `id:`",
                    **located(doc, ("id",)),
                )
            )
        for node in doc.nodes.values():
            owner = ctx.nodes[node.id]
            if owner[1] is not node:
                found.append(
                    diagnostic(
                        "E035",
                        f"node id '{node.id}' is also used in {owner[0].file}:{owner[1].span.line}",
                        "node ids are unique across a project; rename one",
                        node=node.id,
                        node_type=node.type,
                        **located(doc, node.path, "key"),
                    )
                )
        for conn in doc.connections.values():
            owner_c = ctx.connections[conn.id]
            if owner_c[1] is not conn:
                found.append(
                    diagnostic(
                        "E035",
                        f"connection id '{conn.id}' is also used in {owner_c[0].file}",
                        "connection ids are unique across a project; rename one, or keep one "
                        "declaration and use it from every file",
                        node=conn.id,
                        node_type=conn.type,
                        **located(doc, conn.path, "key"),
                    )
                )
        for sub in doc.subflows.values():
            owner_s = ctx.subflows[sub.name]
            if owner_s[1] is not sub:
                found.append(
                    diagnostic(
                        "E035",
                        f"subflow '{sub.name}' is also defined in {owner_s[0].file}",
                        "subflow names are unique across a project; rename one",
                        **located(doc, sub.path, "key"),
                    )
                )
    return found


def check_references(doc: Document, ctx: CheckContext) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for node in doc.all_nodes():
        if node.subflow_type is not None:
            found.extend(_subflow_instance(doc, node, ctx))
            continue
        spec = ctx.registry.get(node.type)
        if spec is None:
            continue
        for fname in spec.connection_fields:
            if isinstance(node.config.get(fname), str):
                ctx.used_connections.add(node.config[fname])
        if node.path in ctx.invalid:
            continue
        where = {"node": node.id, "node_type": node.type}
        for fname, conn_type in spec.connection_fields.items():
            value = node.config.get(fname)
            if not isinstance(value, str) or is_reference(value):
                continue
            target = ctx.connections.get(value)
            if target is None:
                hint = suggest(value, set(ctx.connections)) or (
                    f"declare it under `connections:` with `type: {conn_type}`"
                )
                found.append(
                    diagnostic(
                        "E033",
                        f"{fname} names connection '{value}', which is not declared",
                        hint,
                        **where,
                        **located(doc, (*node.path, fname)),
                    )
                )
            elif target[1].type != conn_type:
                found.append(
                    diagnostic(
                        "E034",
                        f"{fname} names connection '{value}', a {target[1].type}; a "
                        f"{node.type} node needs a {conn_type}",
                        f"name a connection of type {conn_type}",
                        **where,
                        **located(doc, (*node.path, fname)),
                    )
                )
        for fname, ref_type in spec.node_ref_fields.items():
            outside = fname in spec.refs_outside_subflow
            found.extend(_node_refs(doc, node, fname, ref_type, ctx, outside))
        found.extend(_secrets(doc, node.path, node.config, spec.secret_fields, where))
    for conn in doc.connections.values():
        spec = ctx.registry.get(conn.type)
        if spec is not None and conn.path not in ctx.invalid:
            where = {"node": conn.id, "node_type": conn.type}
            found.extend(_secrets(doc, conn.path, conn.config, spec.secret_fields, where))
    for node_id in doc.layout:
        if node_id not in doc.nodes:
            found.append(
                diagnostic(
                    "W105",
                    f"layout gives a position for '{node_id}', which is not a node of this flow",
                    "remove the entry",
                    **located(doc, ("layout", node_id), "key"),
                )
            )
    return found


def _node_refs(
    doc: Document, node: NodeDecl, fname: str, ref_type: str, ctx: CheckContext,
    outside: bool = False,
) -> list[Diagnostic]:
    """E038 for ids that name no node of the pool, or one of the wrong type: in a subflow, the
    subflow's nodes (and, with ``outside``, then the project's); elsewhere the project's."""
    value = node.config.get(fname)
    targets = value if isinstance(value, list) else [value] if isinstance(value, str) else []
    found: list[Diagnostic] = []
    if value == []:  # said on purpose (an absent list is the schema's to judge): a warning
        found.append(
            diagnostic(
                "W111",
                f"`{fname}` is empty: this {node.type} node names no node, so it never sends "
                "(as in Node-RED)",
                f"name the nodes in `{fname}`, or remove the node",
                node=node.id,
                node_type=node.type,
                **located(doc, (*node.path, fname)),
            )
        )
    scope = doc.subflows[node.subflow].nodes if node.subflow else None
    pool: dict[str, NodeDecl] = {}
    if scope is None or outside:
        pool = {k: v[1] for k, v in ctx.nodes.items()}
    pool.update(scope or {})
    for i, target in enumerate(targets):
        if not isinstance(target, str) or is_reference(target):
            continue
        path = (*node.path, fname, i) if isinstance(value, list) else (*node.path, fname)
        ref = pool.get(target)
        where = {"node": node.id, "node_type": node.type, **located(doc, path)}
        if ref is None:
            candidates = {k for k, v in pool.items() if ref_type == "*" or v.type == ref_type}
            found.append(
                diagnostic(
                    "E038",
                    f"{fname} names '{target}', which is not a node"
                    + (" of the project" if scope is None else " of this subflow or "
                       "of the project" if outside else " of this subflow"),
                    suggest(target, candidates) or "check the node id",
                    **where,
                )
            )
        elif ref_type != "*" and ref.type != ref_type:
            found.append(
                diagnostic(
                    "E038",
                    f"{fname} names '{target}', a {ref.type} node; it must be a {ref_type}",
                    f"name a {ref_type} node",
                    **where,
                )
            )
    return found


def _secrets(
    doc: Document,
    path: tuple[str | int, ...],
    config: dict[str, Any],
    secret_fields: frozenset[str],
    where: dict[str, str],
) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for fname, value in config.items():
        match = URL_PASSWORD.match(value) if isinstance(value, str) else None
        if match and not is_reference(match["password"]):
            var = f"{where['node']}_password".upper().replace("-", "_").replace(".", "_")
            found.append(
                diagnostic(
                    "E039",
                    f"{fname} is an address with a password written inline in the flow file",
                    f"write the password as a reference, `{match['head']}${{{var}}}@...`, and "
                    f"set {var} in the environment or a secrets file",
                    **where,
                    **located(doc, (*path, fname)),
                )
            )
    for fname in sorted(secret_fields):
        value = config.get(fname)
        if value in (None, "") or is_reference(value):
            continue
        if isinstance(value, dict):  # a mapping of secrets (tokens by name): each a reference
            found.extend(_secret_entries(doc, path, fname, value, where))
            continue
        var = f"{where['node']}_{fname}".upper().replace("-", "_").replace(".", "_")
        found.append(
            diagnostic(
                "E039",
                f"{fname} is a secret and is written inline in the flow file",
                f"write `{fname}: ${{{var}}}` and set {var} in the environment or a secrets file",
                **where,
                **located(doc, (*path, fname)),
            )
        )
    return found


def _secret_entries(doc: Document, path: tuple[str | int, ...], fname: str,
                    value: dict[Any, Any], where: dict[str, str]) -> list[Diagnostic]:
    """E039 for each entry of a secret mapping written inline (its values must be references)."""
    found = []
    for key, item in value.items():
        if is_reference(item):
            continue
        var = f"{where['node']}_{fname}_{key}".upper()
        var = "".join(c if c.isalnum() else "_" for c in var)
        found.append(diagnostic(
            "E039", f"{fname}.{key} is a secret and is written inline in the flow file",
            f"write `{key}: ${{{var}}}` and set {var} in the environment or a secrets file",
            **where, **located(doc, (*path, fname, key))))
    return found


def _subflow_instance(doc: Document, node: NodeDecl, ctx: CheckContext) -> list[Diagnostic]:
    name = node.subflow_type or ""
    where = {"node": node.id, "node_type": node.type}
    found_sub = ctx.subflows.get(name)
    if found_sub is None:
        return [
            diagnostic(
                "E037",
                f"unknown subflow '{name}'",
                suggest(name, set(ctx.subflows))
                or "define it under `subflows:` in a file of the project",
                **where,
                **located(doc, (*node.path, "type")),
            )
        ]
    sub = found_sub[1]
    if node.subflow == name:
        return [
            diagnostic(
                "E042",
                f"subflow '{name}' contains an instance of itself",
                "remove the instance",
                **where,
                **located(doc, (*node.path, "type")),
            )
        ]
    found: list[Diagnostic] = []
    for param in node.env:
        if param not in sub.params:
            found.append(
                diagnostic(
                    "E023",
                    f"subflow '{name}' has no parameter '{param}'",
                    suggest(param, set(sub.params))
                    or "declared parameters: " + (", ".join(sorted(sub.params)) or "none"),
                    **where,
                    **located(doc, (*node.path, "env", param), "key"),
                )
            )
    return found


def check_unused_connections(docs: list[Document], ctx: CheckContext) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for doc in docs:
        for conn in doc.connections.values():
            if conn.id not in ctx.used_connections and ctx.connections[conn.id][1] is conn:
                found.append(
                    diagnostic(
                        "W103",
                        f"connection '{conn.id}' is not used by any node",
                        "remove it, or name it from a node",
                        node=conn.id,
                        node_type=conn.type,
                        **located(doc, conn.path, "key"),
                    )
                )
    return found
