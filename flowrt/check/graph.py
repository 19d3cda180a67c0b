"""Graph checks (networkx): wires, ports, reachability and cycles.

Each flow, and each subflow definition, is one directed graph of its nodes; wires are edges, and
link-out/link-call nodes add edges to the link-in nodes they name (across files).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx

from flowrt.check.context import CheckContext
from flowrt.diagnostics import Diagnostic, diagnostic, suggest
from flowrt.load.document import Document, NodeDecl, SubflowDecl
from flowrt.load.yaml_io import is_mapping

LINK_FIELD_TYPES = ("link-in",)


def check_graph(doc: Document, ctx: CheckContext) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    graph = nx.DiGraph()
    found.extend(_wire_checks(doc, doc.nodes, None, ctx, graph))
    _link_edges(doc.nodes.values(), ctx, graph)
    found.extend(_reachability(doc, doc.nodes, [], ctx, graph))
    found.extend(_cycles(doc, doc.nodes, ctx, graph))
    for sub in doc.subflows.values():
        sub_graph = nx.DiGraph()
        found.extend(_wire_checks(doc, sub.nodes, sub, ctx, sub_graph))
        found.extend(_subflow_inputs(doc, sub))
        entries = [w.target for w in sub.inputs if w.target in sub.nodes]
        found.extend(_reachability(doc, sub.nodes, entries, ctx, sub_graph))
        found.extend(_cycles(doc, sub.nodes, ctx, sub_graph))
    return found


def flow_graph(
    doc: Document, nodes: dict[str, NodeDecl], sub: SubflowDecl | None, ctx: CheckContext
) -> nx.DiGraph:
    """The graph of a flow's (or a subflow's) nodes that the checks here walk: its wires, and
    the edges from link-out and link-call nodes to the link-in nodes they name. For checks that
    follow messages further (delivery paths); the problems of the wires are check_graph's."""
    graph = nx.DiGraph()
    _wire_checks(doc, nodes, sub, ctx, graph)
    _link_edges(nodes.values(), ctx, graph)
    return graph


def _outputs(node: NodeDecl, ctx: CheckContext) -> int | None:
    if node.subflow_type is not None:
        found = ctx.subflows.get(node.subflow_type)
        return found[1].outputs if found else None
    spec = ctx.registry.get(node.type)
    if spec is None or node.path in ctx.invalid:
        return None
    return spec.output_count(node.config)


def _stands_in(node: NodeDecl, ctx: CheckContext) -> bool:
    spec = ctx.registry.get(node.type)
    return spec is not None and node.path not in ctx.invalid and bool(spec.stands_in(node.config))


def _inputs(node: NodeDecl, ctx: CheckContext) -> int | None:
    if node.subflow_type is not None:
        found = ctx.subflows.get(node.subflow_type)
        return (1 if found[1].inputs else 0) if found else None
    spec = ctx.registry.get(node.type)
    return spec.inputs if spec and not spec.is_connection else None


def _originates(node: NodeDecl, ctx: CheckContext) -> bool:
    """Whether the node sends messages of its own as well as those it receives (a dashboard
    button a person presses: its class says ``originates = True``)."""
    spec = ctx.registry.get(node.type)
    return spec is not None and bool(getattr(spec.cls, "originates", False))


def _wire_checks(
    doc: Document,
    nodes: dict[str, NodeDecl],
    sub: SubflowDecl | None,
    ctx: CheckContext,
    graph: nx.DiGraph,
) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    graph.add_nodes_from(nodes)
    declared = _declared(doc, sub)
    for node in nodes.values():
        where = {"node": node.id, "node_type": node.type}
        outputs = _outputs(node, ctx)
        for wire in node.wires:
            span = {"file": wire.span.file, "line": wire.span.line, "column": wire.span.column}
            path = (*node.path, "to")
            if outputs is not None and wire.port >= outputs:
                has = (
                    "no output ports"
                    if outputs == 0
                    else (f"{outputs} output port{'s' if outputs > 1 else ''} (0 to {outputs - 1})")
                )
                found.append(
                    diagnostic(
                        "E032",
                        f"wires output port {wire.port}, but a {node.type} node here has {has}",
                        "remove the wire"
                        if outputs == 0
                        else f"use a port from 0 to {outputs - 1}",
                        path=path,
                        **where,
                        **span,
                    )
                )
            out_port = wire.subflow_output
            if out_port is not None:
                if sub is None:
                    found.append(
                        diagnostic(
                            "E031",
                            f"wires to '{wire.target}', which exists only inside a subflow",
                            "wire to a node id of this flow",
                            path=path,
                            **where,
                            **span,
                        )
                    )
                elif out_port >= sub.outputs:
                    found.append(
                        diagnostic(
                            "E041",
                            f"wires to subflow output {out_port}, but subflow "
                            f"'{sub.name}' declares outputs: {sub.outputs}",
                            f"raise `outputs:` of subflow '{sub.name}' or wire to a lower port",
                            path=path,
                            **where,
                            **span,
                        )
                    )
                continue
            target = nodes.get(wire.target)
            if target is None:
                if wire.target not in declared:  # else malformed, as the schema check says
                    found.append(_unknown_target(node, wire.target, nodes, ctx, path, span))
                continue
            if _inputs(target, ctx) == 0:
                found.append(
                    diagnostic(
                        "E040",
                        f"wires to '{target.id}', a {target.type} node, which has no input",
                        "remove the wire; a node with no input only starts messages",
                        path=path,
                        **where,
                        **span,
                    )
                )
                continue
            graph.add_edge(node.id, target.id)
    return found


def _declared(doc: Document, sub: SubflowDecl | None) -> set[str]:
    """The node ids written in a flow (or subflow), its malformed nodes (no type) among them."""
    scope: Any = doc.data
    for key in ("nodes",) if sub is None else ("subflows", sub.name, "nodes"):
        scope = scope.get(key) if is_mapping(scope) else None
    return {k for k in scope if isinstance(k, str)} if is_mapping(scope) else set()


def _unknown_target(
    node: NodeDecl,
    target: str,
    nodes: dict[str, NodeDecl],
    ctx: CheckContext,
    path: tuple[str | int, ...],
    span: dict[str, object],
) -> Diagnostic:
    elsewhere = ctx.nodes.get(target)
    if elsewhere is not None and node.subflow is None:
        hint = (
            f"'{target}' is in {elsewhere[0].file}; wires stay within a flow: "
            "connect flows with link-out and link-in nodes"
        )
    else:
        hint = suggest(target, set(nodes)) or "check the node id"
    return diagnostic(
        "E031",
        f"wires to '{target}', which is not a node of this "
        + ("subflow" if node.subflow else "flow"),
        hint,
        node=node.id,
        node_type=node.type,
        path=path,
        **span,
    )


def _link_edges(nodes: Iterable[NodeDecl], ctx: CheckContext, graph: nx.DiGraph) -> None:
    for node in nodes:
        spec = ctx.registry.get(node.type)
        if spec is None or node.path in ctx.invalid:
            continue
        for fname, ref_type in spec.node_ref_fields.items():
            if ref_type not in LINK_FIELD_TYPES:
                continue
            value = node.config.get(fname)
            for target in value if isinstance(value, list) else [value]:
                if isinstance(target, str) and target in ctx.nodes:
                    graph.add_edge(node.id, target)


def _subflow_inputs(doc: Document, sub: SubflowDecl) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for wire in sub.inputs:
        if wire.target not in sub.nodes:
            found.append(
                diagnostic(
                    "E041",
                    f"subflow '{sub.name}' sends its input to '{wire.target}', which is not "
                    "one of its nodes",
                    suggest(wire.target, set(sub.nodes)) or "check the node id",
                    file=wire.span.file,
                    line=wire.span.line,
                    column=wire.span.column,
                    path=(*sub.path, "input"),
                )
            )
    return found


def _reachability(
    doc: Document,
    nodes: dict[str, NodeDecl],
    entries: list[str],
    ctx: CheckContext,
    graph: nx.DiGraph,
) -> list[Diagnostic]:
    roots = set(entries)
    for node in nodes.values():
        if _inputs(node, ctx) == 0 or _stands_in(node, ctx) or _originates(node, ctx):
            roots.add(node.id)  # a stand-in may have been a source: what it feeds is not lost
        elif node.type not in ctx.registry and node.subflow_type is None:
            roots.add(node.id)  # unknown type: already an error, don't pile on
    reached: set[str] = set()
    for root in roots:
        if root in graph and root not in reached:
            reached.add(root)
            reached.update(nx.descendants(graph, root))
    found: list[Diagnostic] = []
    for node in nodes.values():
        if node.id not in reached:
            found.append(
                diagnostic(
                    "W101",
                    "no source can reach this node, so it never receives a message",
                    "wire a node to it (`to: " + node.id + "` on an upstream node) or remove it",
                    node=node.id,
                    node_type=node.type,
                    path=node.path,
                    file=node.span.file,
                    line=node.span.line,
                    column=node.span.column,
                )
            )
    return found


def _cycles(
    doc: Document, nodes: dict[str, NodeDecl], ctx: CheckContext, graph: nx.DiGraph
) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for component in nx.strongly_connected_components(graph):
        members = sorted(n for n in component if n in nodes)
        if not members:
            continue
        if len(component) == 1 and not graph.has_edge(members[0], members[0]):
            continue
        asynchronous = False
        for member in members:
            spec = ctx.registry.get(nodes[member].type)
            if spec is None or spec.asynchronous or nodes[member].subflow_type is not None:
                asynchronous = True
        if asynchronous:
            continue
        loop = [a for a, _ in nx.find_cycle(graph.subgraph(component))]
        first = nodes[loop[0]]
        found.append(
            diagnostic(
                "W102",
                "is in a cycle with no asynchronous node: "
                + " -> ".join(loop)
                + f" -> {loop[0]}; a message could loop forever without yielding",
                "put a delay node in the loop, or make sure a node in it stops the message",
                node=first.id,
                node_type=first.type,
                path=first.path,
                file=first.span.file,
                line=first.span.line,
                column=first.span.column,
            )
        )
    return found
