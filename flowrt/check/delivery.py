"""Delivery checks: sinks on an at-least-once path that cannot confirm (W109).

A source whose server waits for acknowledgements (amqp-in, mqtt-in with QoS 1) is at-least-once
unless it says ``guarantee: at-most-once``: the engine acknowledges a message only once every
branch it went down has finished. That promise holds only if each sink on the way returns from
``write`` once its server has the messages (:meth:`flowrt.api.Sink.confirms`). A sink that
cannot (mqtt-out with QoS 0) has its messages acknowledged on a hope; this check names it, the
source, why and what to do.

Messages are followed through the whole project, as the compiler wires it: wires and link edges
(the graphs :func:`flowrt.check.graph.flow_graph` makes), across files, and into each subflow
instance (expanded per instance, ``instance/inner``, so an instance's outputs lead only where
that instance is wired). Disabled flows and nodes carry nothing. A node whose configuration is
not known before run time (an unset ``${VAR}``, an invalid value) is left out: other checks
report it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from pydantic import ValidationError

from flowrt.api import Confirmation, Sink
from flowrt.check.context import CheckContext
from flowrt.check.graph import flow_graph
from flowrt.diagnostics import Diagnostic, diagnostic
from flowrt.load.document import Document, NodeDecl, SubflowDecl
from flowrt.load.env import make_lookup, parse_substituted, substitute

MAX_DEPTH = 16
"""Subflow instances nested deeper than this are not followed (the compiler refuses them)."""


@dataclass
class _Placed:
    """A node of the expanded project: its declaration and the variables it sees."""

    doc: Document
    node: NodeDecl
    env: dict[str, Any]


@dataclass
class _Project:
    graph: nx.DiGraph = field(default_factory=nx.DiGraph)
    placed: dict[str, _Placed] = field(default_factory=dict)
    """Expanded id (``instance/inner`` inside subflows) -> its declaration."""
    off: set[str] = field(default_factory=set)
    """Expanded ids of disabled nodes: nothing passes through them."""


def check_delivery(docs: list[Document], ctx: CheckContext) -> list[Diagnostic]:
    project = _Project()
    for doc in docs:
        if not doc.disabled:
            _expand(project, doc, doc.nodes, None, "", dict(doc.env), [], (), ctx)
    project.graph.remove_nodes_from(project.off)
    unconfirmed: dict[str, tuple[str, str] | None] = {}
    """Expanded id -> (why, what to do) when that node is a sink that cannot confirm."""
    reached: dict[int, tuple[_Placed, tuple[str, str], list[str]]] = {}
    """id() of a sink's declaration -> where it is, why, and the sources reaching it."""
    for source_id, source in project.placed.items():
        if source_id not in project.graph or not _at_least_once(source, ctx):
            continue
        for target in nx.descendants(project.graph, source_id):
            if target not in unconfirmed:
                sink = project.placed.get(target)
                unconfirmed[target] = None if sink is None else _cannot_confirm(sink, ctx)
            reason = unconfirmed[target]
            if reason is not None:
                entry = reached.setdefault(id(project.placed[target].node),
                                           (project.placed[target], reason, []))
                if source_id not in entry[2]:
                    entry[2].append(source_id)
    return [_warning(sink, reason, sources) for sink, reason, sources in reached.values()]


def _expand(
    project: _Project,
    doc: Document,
    nodes: dict[str, NodeDecl],
    sub: SubflowDecl | None,
    prefix: str,
    env: dict[str, Any],
    outer: list[list[str]],
    within: tuple[str, ...],
    ctx: CheckContext,
) -> None:
    """Add a flow's nodes, or one subflow instance's (ids prefixed ``instance/``), to the
    project graph. ``outer``: the expanded targets of the instance's output ports."""
    graph = flow_graph(doc, nodes, sub, ctx)
    graph = nx.relabel_nodes(graph, {n: prefix + n for n in nodes})
    lookup = make_lookup(env, dict(ctx.env))
    for node_id, node in nodes.items():
        gid = prefix + node_id
        project.placed[gid] = _Placed(doc, node, env)
        if node.disabled:
            project.off.add(gid)
        for wire in node.wires:
            port = wire.subflow_output
            if port is not None and port < len(outer):
                graph.add_edges_from((gid, target) for target in outer[port])
        name = node.subflow_type
        found = ctx.subflows.get(name) if name else None
        if found is None or name in within or len(within) >= MAX_DEPTH:
            continue
        sub_doc, inner = found
        ports: list[list[str]] = [[] for _ in range(inner.outputs)]
        for wire in node.wires:
            if wire.port >= inner.outputs:
                continue
            out = wire.subflow_output
            if out is None and wire.target in nodes:
                ports[wire.port].append(prefix + wire.target)
            elif out is not None and out < len(outer):
                ports[wire.port].extend(outer[out])
        graph.remove_edges_from(list(graph.out_edges(gid)))  # its outputs come from inside
        graph.add_edges_from((gid, f"{gid}/{w.target}") for w in inner.inputs)
        inner_env = {**env, **{k: p.get("default") for k, p in inner.params.items()}}
        inner_env.update(substitute(node.env, lookup))
        _expand(project, sub_doc, inner.nodes, inner, gid + "/", inner_env, ports,
                (*within, name or ""), ctx)
    project.graph.update(graph)


def _config(placed: _Placed, ctx: CheckContext) -> Any:
    """The node's parsed configuration, or None when it is not known before run time."""
    spec = ctx.registry.get(placed.node.type)
    if spec is None or placed.node.path in ctx.invalid:
        return None
    missing: list[str] = []
    lookup = make_lookup(placed.env, dict(ctx.env))
    try:
        config = parse_substituted(spec.parse_config, placed.node.config, lookup, missing)
    except (ValidationError, ValueError, TypeError):
        return None
    return None if missing else config


def _at_least_once(placed: _Placed, ctx: CheckContext) -> bool:
    spec = ctx.registry.get(placed.node.type)
    if spec is None or not spec.reads:
        return False
    config = _config(placed, ctx)
    return config is not None and spec.guarantee(config, placed.node.guarantee) == (
        "at-least-once"
    )


def _cannot_confirm(placed: _Placed, ctx: CheckContext) -> tuple[str, str] | None:
    """(why, what to do) for a sink that cannot confirm with its configuration, else None."""
    spec = ctx.registry.get(placed.node.type)
    if spec is None or not issubclass(spec.cls, Sink):
        return None
    config = _config(placed, ctx)
    if config is None:
        return None
    said = spec.cls.confirms(config)
    if isinstance(said, bool):  # a pack written when confirms() returned a bool
        said = Confirmation(said)
    if said.confirms:
        return None
    why = said.reason or (
        f"with this configuration a {spec.type} write returns before the server has the messages"
    )
    fix = said.fix or f"see `flowrt nodes show {spec.type}` for a setting that waits for the server"
    return why, fix


def _warning(sink: _Placed, reason: tuple[str, str], sources: list[str]) -> Diagnostic:
    why, fix = reason
    node = sink.node
    named = ", ".join(f"'{s}'" for s in sorted(sources))
    several = len(sources) > 1
    return diagnostic(
        "W109",
        f"is on the at-least-once path of source{'s' if several else ''} {named}, but cannot "
        f"confirm: {why}; so {named} may acknowledge a message this node never delivered",
        f"{fix}; or, if losing such a message is acceptable, set "
        f"`guarantee: at-most-once` on {named}",
        node=node.id,
        node_type=node.type,
        path=node.path,
        file=node.span.file,
        line=node.span.line,
        column=node.span.column,
    )
