"""Build an execution plan from a checked project.

``build_plan`` checks the project first and refuses to plan a flow with errors (raising
CheckError with every diagnostic), so a plan is only ever made from a flow `flowrt validate`
accepts. Then it expands subflow instances, substitutes ``${VAR}`` references and parses each
configuration into its node type's model (a schema field naming an ontology gets the named
schema: :func:`flowrt.load.ontologies.with_named_schema`), and a node's ``in:`` and ``out:``
become its planned ``in_type`` and ``out_types`` (the ontologies they name).

Substituting is where a secret value first meets the flow: the values of the references a
configuration uses for secrets (a ``secret`` field, an address's password, a key or a name like
a credential: :func:`flowrt.load.env.secret_references`) are registered with
:mod:`flowrt.secrets.redact` here, so the runtime's errors, logs and events hide them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from flowrt.compile.plan import Plan, PlannedConnection, PlannedNode
from flowrt.compile.port_checks import declared_types
from flowrt.diagnostics import Diagnostic
from flowrt.errors import CheckError, CompileError
from flowrt.load.document import Document, NodeDecl, Origin, SubflowDecl
from flowrt.load.env import (
    MISSING,
    Lookup,
    Named,
    group_of,
    make_lookup,
    node_variables,
    parse_substituted,
    secret_references,
    substitute,
)
from flowrt.load.ontologies import (
    PortName,
    collect_ontologies,
    declared_ports,
    with_named_schema,
)
from flowrt.load.project import Project
from flowrt.protocols import DeclaredType
from flowrt.registry.discover import Registry, default_registry
from flowrt.secrets.redact import redact, register

MAX_SUBFLOW_DEPTH = 16


def build_plan(
    project: Project,
    registry: Registry | None = None,
    *,
    env: Mapping[str, str] | None = None,
    diagnostics: list[Diagnostic] | None = None,
) -> tuple[Plan, list[Diagnostic]]:
    """The plan of a project, and the warnings its check found. Raises CheckError on errors.

    ``diagnostics``: the project's check, when the caller already ran it (flowrt run checks in a
    child process, see :mod:`flowrt.compile.isolated`).
    """
    registry = registry or default_registry()
    process_env = dict(os.environ if env is None else env)
    if diagnostics is None:
        from flowrt.check import check

        diagnostics = check(project, registry, env=process_env)
    if any(d.severity == "error" for d in diagnostics) or project.unreadable:
        raise CheckError([d for d in diagnostics if d.severity == "error"])
    builder = _Builder(registry, process_env, project.documents)
    for doc in project.documents:
        if not doc.disabled:
            builder.add_document(doc)
    builder.resolve()
    return builder.plan, diagnostics


@dataclass
class _Pending:
    node: NodeDecl
    doc: Document
    id: str
    wires: list[list[str]]
    env: dict[str, Any]
    scope: tuple[str, ...]
    origin: Origin | None
    variables: dict[str, str]
    """Node-RED's variables for the node (:func:`flowrt.load.env.node_variables`)."""


@dataclass(frozen=True)
class _Within:
    """Where the nodes being expanded are: the flow (as its variables name it), the Node-RED
    path of the instances holding them (``/``-joined Node-RED ids; None when one has no
    origin), and the innermost instance (None on a flow itself)."""

    flow: Named
    nr_path: str | None = ""
    instance: Named | None = None


class _Builder:
    def __init__(self, registry: Registry, process_env: dict[str, str], docs: list[Document]):
        self.registry = registry
        self.process_env = process_env
        self.plan = Plan()
        self.pending: list[_Pending] = []
        self.entries: dict[str, list[str]] = {}
        """Subflow instance id -> the planned ids its input goes to."""
        self.subflows: dict[str, tuple[Document, SubflowDecl]] = {
            name: (doc, sub) for doc in docs for name, sub in doc.subflows.items()
        }
        self.ontologies = collect_ontologies(docs)
        self.declared = declared_types(registry, self.ontologies)

    def add_document(self, doc: Document) -> None:
        self.plan.flows[doc.id] = doc.file
        self.plan.flow_env[doc.id] = dict(doc.env)
        lookup = make_lookup(doc.env, self.process_env)
        for conn in doc.connections.values():
            spec = self.registry[conn.type]
            _record_secrets(conn.config, spec, lookup)
            config = self._parse(spec, conn.config, lookup, conn.id, doc.file)
            self.plan.connections[conn.id] = PlannedConnection(conn.id, spec, config, doc.id)
        within = _Within(Named(doc.id, doc.label or doc.id))
        self._expand(doc, doc.nodes, "", dict(doc.env), None, (), "", within)

    def _expand(
        self,
        doc: Document,
        nodes: dict[str, NodeDecl],
        prefix: str,
        env: dict[str, Any],
        outer: list[list[str]] | None,
        scope: tuple[str, ...],
        nr_prefix: str | None,
        within: _Within,
    ) -> None:
        """Plan ``nodes``; ``nr_prefix``: what Node-RED puts before the ids of nodes inside
        the subflow instance being expanded (``<instance id>-``; "" outside instances, None
        when an instance holding them was not imported from Node-RED)."""
        if len(scope) > MAX_SUBFLOW_DEPTH:
            raise CompileError(f"subflows nest deeper than {MAX_SUBFLOW_DEPTH} levels at {scope}")
        live = {nid for nid, n in nodes.items() if not n.disabled}
        for node in nodes.values():
            if node.disabled:
                continue
            gid = prefix + node.id
            wires: list[list[str]] = []
            for wire in node.wires:
                while len(wires) <= wire.port:
                    wires.append([])
                out = wire.subflow_output
                if out is not None:
                    if outer is not None and out < len(outer):
                        wires[wire.port].extend(outer[out])
                elif wire.target in live:
                    wires[wire.port].append(prefix + wire.target)
            origin = None
            if node.origin is not None and nr_prefix is not None:
                origin = Origin(nr_prefix + node.origin.id, node.origin.type)
            nr_path = (f"{within.nr_path}/{node.origin.id}" if node.origin is not None
                       and within.nr_path is not None else None)
            me = Named(origin.id if origin is not None else gid, node.label or "",
                       f"{within.flow.id}{nr_path}" if nr_path is not None and origin is not None
                       else f"{within.flow.id}/{gid}")
            sub_name = node.subflow_type
            if sub_name is None:
                group = group_of(node.id, doc.groups) if node.subflow is None else None
                variables = node_variables(me, within.flow, group, within.instance)
                self.pending.append(_Pending(node, doc, gid, wires, env, scope, origin,
                                             variables))
                continue
            sub_doc, sub = self.subflows[sub_name]
            inner_env = dict(env)
            for name, param in sub.params.items():
                inner_env[name] = param.get("default")
            lookup = make_lookup(env, self.process_env)
            inner_env.update(substitute(node.env, lookup))
            self.entries[gid] = [
                f"{gid}/{w.target}"
                for w in sub.inputs
                if w.target in sub.nodes and not sub.nodes[w.target].disabled
            ]
            self._expand(sub_doc, sub.nodes, gid + "/", inner_env, wires, (*scope, gid),
                         origin.id + "-" if origin is not None else None,
                         _Within(within.flow, nr_path, me))

    def _targets(self, target: str, seen: frozenset[str] = frozenset()) -> list[str]:
        if target not in self.entries:
            return [target]
        if target in seen:
            return []
        found: list[str] = []
        for t in self.entries[target]:
            found.extend(self._targets(t, seen | {target}))
        return found

    def resolve(self) -> None:
        known = {p.id for p in self.pending}
        for p in self.pending:
            spec = self.registry[p.node.type]
            env = p.env | p.variables  # Node-RED's NR_NODE_* come before any env of the same name
            lookup = make_lookup(env, self.process_env)
            _record_secrets(p.node.config, spec, lookup)
            raw = with_named_schema(spec.type, p.node.config, self.ontologies)
            config = self._parse(spec, raw, lookup, p.id, p.doc.file, p.node.span.line)
            count = spec.cls.output_count(config)
            ports = [list(dict.fromkeys(t for w in pw for t in self._targets(w))) for pw in p.wires]
            ports = (ports + [[] for _ in range(count)])[: max(count, 0)]
            declared = declared_ports(p.doc, p.node)
            self.plan.nodes[p.id] = PlannedNode(
                id=p.id,
                spec=spec,
                config=config,
                flow=p.node.flow,
                wires=tuple(tuple(t for t in port if t in known) for port in ports),
                env=env,
                label=p.node.label or "",
                file=p.doc.file,
                line=p.node.span.line,
                scope=p.scope,
                raw_id=p.node.id,
                guarantee=spec.guarantee(config, p.node.guarantee),
                journal=spec.journaled(config, p.node.guarantee, p.node.journal),
                origin=p.origin,
                in_type=self._type(declared.input),
                out_types={port: t for port, ref in declared.outputs.items()
                           if (t := self._type(ref)) is not None},
            )

    def _type(self, ref: PortName | None) -> DeclaredType | None:
        if ref is None or ref.name not in self.ontologies.named:
            return None
        return self.declared(ref.name)

    def _parse(
        self, spec: Any, raw: dict[str, Any], lookup: Lookup, ident: str, file: str,
        line: int = 0
    ) -> Any:
        try:
            return parse_substituted(spec.parse_config, raw, lookup)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "configuration"
            raise CompileError(
                f"{file}:{line}: node '{ident}' ({spec.type}): {where}: {redact(first['msg'])}"
            ) from exc


def _record_secrets(config: dict[str, Any], spec: Any, lookup: Lookup) -> None:
    """Register the values the configuration's secret references resolve to."""
    text_of = getattr(lookup, "text", None)
    for name in secret_references(config, spec.secret_fields):
        value = lookup(name)
        if value is not MISSING:
            register(name, value)
            text = text_of(name) if text_of is not None else None
            if text is not None:  # as written too: `0042` read as 42, `Infinity` as inf
                register(name, text)
