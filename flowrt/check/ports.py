"""Typed ports: ontology names that exist, and wires whose types fit (E070-E074, W113).

Each node's output ports get a type: the one its ``out:`` declares, else the one
:data:`flowrt.check.port_types.INFERENCE` infers from its configuration and the type it
receives (its ``in:``, else the one type every wire into it carries). Types flow along wires
until nothing changes. Then every wire into a node that declares ``in:`` is checked: a type that
does not fit is E073 (a type conflict) or E074 (a required property nothing upstream sets), at
the wire, naming both types. With ``--strict``, a wire whose type is not known into a typed
input is W113. Wires into subflow instances and link nodes are not followed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

from flowrt.check.context import CheckContext
from flowrt.check.port_types import INFERENCE, PortType, mismatches
from flowrt.diagnostics import Diagnostic, diagnostic, suggest
from flowrt.load.document import Document, NodeDecl, Wire
from flowrt.load.ontologies import (
    Ontologies,
    PortName,
    collect_ontologies,
    declared_ports,
    schema_name,
)

Key = tuple[str, tuple[str | int, ...]]
"""A node of the project: (file, path)."""


@dataclass
class _Typed:
    doc: Document
    node: NodeDecl
    input: PortType | None = None
    outputs: dict[int, PortType] = field(default_factory=dict)
    incoming: list[tuple[Key, int]] = field(default_factory=list)


def check_ports(docs: list[Document], ctx: CheckContext,
                ontologies: Ontologies | None = None) -> list[Diagnostic]:
    """The project's ontology problems, unknown names, and wires whose types do not fit
    (``ontologies``: when the caller already collected them)."""
    onto = collect_ontologies(docs) if ontologies is None else ontologies
    found = list(onto.diagnostics)
    typed: dict[Key, _Typed] = {}
    for doc in docs:
        for node in doc.all_nodes():
            declared = declared_ports(doc, node)
            refs = [declared.input, *declared.outputs.values(), schema_name(doc, node)]
            found.extend(_unknown(doc, node, ref, onto) for ref in refs
                         if ref is not None and ref.name not in onto.named)
            entry = _Typed(doc, node, _type(declared.input, onto))
            for port, ref in declared.outputs.items():
                out = _type(ref, onto)
                if out is not None:
                    entry.outputs[port] = out
            typed[(doc.file, node.path)] = entry
    declared_out = {key: set(t.outputs) for key, t in typed.items()}
    for key, entry in typed.items():
        for wire, target in _wires(entry, ctx):
            typed[target].incoming.append((key, wire.port))
    sent = _infer(typed, declared_out, onto, ctx)
    for key, entry in typed.items():
        for wire, target in _wires(entry, ctx):
            want = typed[target].input
            if want is not None:
                found.extend(_fit(entry, wire, typed[target].node, sent.get((key, wire.port)),
                                  want, ctx.strict))
    return found


def _type(ref: PortName | None, onto: Ontologies) -> PortType | None:
    if ref is None or ref.name not in onto.named:
        return None
    return PortType(ref.name, onto.schema(ref.name))


def _unknown(doc: Document, node: NodeDecl, ref: PortName, onto: Ontologies) -> Diagnostic:
    close = suggest(ref.name, set(onto.named))
    known = ", ".join(sorted(onto.named)) or "none"
    return diagnostic(
        "E070", f"'{ref.name}' names no ontology of the project (known: {known})",
        close or f"declare it under `ontologies:` in a flow file, or as "
        f"schemas/{ref.name}.schema.json beside the flows",
        file=doc.file, line=ref.span.line, column=ref.span.column, node=node.id,
        node_type=node.type, path=ref.path)


def _wires(entry: _Typed, ctx: CheckContext) -> Iterator[tuple[Wire, Key]]:
    """The node's wires to nodes of the project, with the target's key."""
    node, doc = entry.node, entry.doc
    if node.disabled:
        return
    for wire in node.wires:
        if wire.subflow_output is not None:
            continue
        if node.subflow is not None:
            sub = doc.subflows.get(node.subflow)
            target = sub.nodes.get(wire.target) if sub else None
            where = doc
        else:
            at = ctx.nodes.get(wire.target)
            where, target = at if at else (doc, None)
        if target is not None and not target.disabled:
            yield wire, (where.file, target.path)


def _infer(typed: dict[Key, _Typed], declared: dict[Key, set[int]], onto: Ontologies,
           ctx: CheckContext) -> dict[tuple[Key, int], PortType]:
    """Each output port's type, declared or inferred, passed along wires to a fixed point: a
    node is worked out again when what it receives changed (a loop gives up after a few
    rounds, leaving what it found)."""
    sent: dict[tuple[Key, int], PortType] = {
        (key, port): t for key, entry in typed.items() for port, t in entry.outputs.items()}
    targets: dict[Key, list[Key]] = {key: [] for key in typed}
    for key, entry in typed.items():
        for came, _ in entry.incoming:
            targets[came].append(key)
    todo = deque(key for key, entry in typed.items() if entry.node.type in INFERENCE)
    budget = 4 * (len(typed) + sum(len(t) for t in targets.values()))
    while todo and budget > 0:
        budget -= 1
        key = todo.popleft()
        entry = typed[key]
        rule = INFERENCE.get(entry.node.type)
        if rule is None or entry.node.path in ctx.invalid:
            continue
        given = entry.input or _received(entry, sent)
        changed = False
        for port in {w.port for w in entry.node.wires} - declared[key]:
            try:
                out = rule(entry.node.config, given, onto, port)
            except (TypeError, ValueError, AttributeError, KeyError):
                out = None  # a malformed configuration: the schema check reports it
            if out is None:
                changed |= sent.pop((key, port), None) is not None
            elif sent.get((key, port)) != out:
                sent[(key, port)] = out
                changed = True
        if changed:
            todo.extend(t for t in targets[key] if typed[t].node.type in INFERENCE)
    return sent


def _received(entry: _Typed, sent: dict[tuple[Key, int], PortType]) -> PortType | None:
    """The one type every wire into the node carries, or None."""
    types = [sent.get(came) for came in entry.incoming]
    first = types[0] if types else None
    return first if first is not None and all(t == first for t in types) else None


def _fit(entry: _Typed, wire: Wire, target: NodeDecl, sent: PortType | None, want: PortType,
         strict: bool) -> list[Diagnostic]:
    node = entry.node
    at = {"file": entry.doc.file, "line": wire.span.line, "column": wire.span.column,
          "node": node.id, "node_type": node.type, "path": (*node.path, "to")}
    where = f"wire from port {wire.port} to '{target.id}' (in: {want.name})"
    if sent is None:
        if not strict:
            return []
        return [diagnostic(
            "W113", f"{where}: the type this port sends is not known",
            f"declare `out: {want.name}` on '{node.id}' (or `out: {{{wire.port}: "
            f"{want.name}}}`), or put a validate node with `schema: {want.name}` before "
            f"'{target.id}'", **at)]
    problem = mismatches(sent, want)
    found = []
    if problem.conflicts:
        found.append(diagnostic(
            "E073", f"{where} sends {sent.name}: " + "; ".join(problem.conflicts),
            f"convert the payload on the way (a change or function node), or send '{target.id}' "
            f"a {want.name}: make '{node.id}' declare or produce one", **at))
    if problem.missing:
        props = ", ".join(f"'{p}'" for p in problem.missing)
        found.append(diagnostic(
            "E074", f"{where} sends {sent.name}: {want.name} requires {props}, which nothing "
            f"upstream sets ({sent.name} does not require it)",
            f"set {props} upstream (a change node: `set: payload.{problem.missing[0]}`), check "
            f"the payload with a validate node whose schema requires it, or make it optional "
            f"in {want.name}", **at))
    return found
