"""Stage 2: every problem in a project, as Diagnostics, in one pass.

``check(project, registry)`` runs, per file: the structure schema, each node's schema, the graph
(wires, ports, reachability, cycles), references (connections, link targets, subflows, secrets,
layout), values (environment references, configuration after substitution), credentials
written as literals and nodes standing in for ones an import could not bring over (W110); and
across the project: duplicate ids, unused connections, delivery paths (sinks that cannot confirm
what an at-least-once source acknowledges), typed ports (ontologies, see
:mod:`flowrt.check.ports`) and the script policy (``scripts``: which nodes that
run a flow author's code may run, see :mod:`flowrt.check.policy`). It never raises for a
problem in the input.

The checks are imported when ``check`` is first called, not with this package: a process that
only needs :mod:`flowrt.check.policy` or :mod:`flowrt.check.report` (``flowrt run``, whose
check runs in a child process, :mod:`flowrt.compile.isolated`, or not at all when an earlier
run's is kept, :mod:`flowrt.compile.check_cache`) does not load the checker's libraries.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flowrt.diagnostics import Diagnostic

if TYPE_CHECKING:
    from flowrt.check.policy import ScriptPolicy
    from flowrt.load.document import Document
    from flowrt.load.project import Project
    from flowrt.registry.discover import Registry

__all__ = ["check", "has_errors"]


def check(
    project: Project,
    registry: Registry | None = None,
    *,
    env: Mapping[str, str] | None = None,
    strict: bool = False,
    scripts: ScriptPolicy = "allow",
    scripts_option: str = "--scripts",
) -> list[Diagnostic]:
    from flowrt.check.context import CheckContext
    from flowrt.check.credentials import check_credentials
    from flowrt.check.dashboard import check_dashboard
    from flowrt.check.delivery import check_delivery
    from flowrt.check.graph import check_graph
    from flowrt.check.groups import check_groups
    from flowrt.check.policy import check_policy
    from flowrt.check.ports import check_ports
    from flowrt.check.references import (
        check_duplicates,
        check_references,
        check_unused_connections,
    )
    from flowrt.check.schema import check_nodes, check_structure
    from flowrt.check.stand_ins import check_stand_ins
    from flowrt.check.structure import check_top_level
    from flowrt.check.values import check_values
    from flowrt.registry.discover import default_registry

    ctx = CheckContext(
        registry=registry or default_registry(),
        env=os.environ if env is None else env,
        strict=strict,
    )
    found: list[Diagnostic] = list(project.diagnostics)
    docs = []
    for doc in project.documents:
        top = check_top_level(doc)
        found.extend(top)
        if not top:
            docs.append(doc)
    ctx.index(docs)
    found.extend(check_duplicates(docs, ctx))
    for doc in docs:
        found.extend(check_structure(doc, ctx))
        found.extend(check_nodes(doc, ctx))
    for doc in docs:
        found.extend(check_graph(doc, ctx))
        found.extend(check_references(doc, ctx))
        found.extend(check_values(doc, ctx))
        found.extend(check_credentials(doc, ctx))
        found.extend(check_stand_ins(doc, ctx))
        found.extend(check_groups(doc))
        found.extend(check_dashboard(doc, ctx))
    found.extend(check_unused_connections(docs, ctx))
    found.extend(check_delivery(docs, ctx))
    found.extend(check_ports(docs, ctx))
    found.extend(check_policy(project, ctx.registry, scripts, scripts_option, env=ctx.env))
    if strict:
        found = [_strict(d) for d in found]
    return sorted(_unique(_name_origins(found, docs)), key=_order)


def _name_origins(found: list[Diagnostic], docs: list[Document]) -> list[Diagnostic]:
    """The diagnostics with the Node-RED id of each imported node they name (its origin), so
    a person can find it in Node-RED too."""
    from dataclasses import replace

    origins: dict[tuple[str, str], str] = {}
    for doc in docs:
        for node in doc.all_nodes():
            # a subflow's node may share its id with another node of the file: name neither
            key = (doc.file, node.id)
            origins[key] = "" if key in origins or node.origin is None else node.origin.id
    if not any(origins.values()):
        return found
    return [replace(d, nodered=origins[(d.file, d.node)]) if origins.get((d.file, d.node))
            else d for d in found]


def _strict(d: Diagnostic) -> Diagnostic:
    if d.severity != "warning":
        return d
    from dataclasses import replace

    return replace(d, severity="error")


def _unique(found: list[Diagnostic]) -> list[Diagnostic]:
    seen: set[Any] = set()
    out = []
    for d in found:
        key = (d.code, d.file, d.line, d.column, d.message)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def _order(d: Diagnostic) -> tuple[str, int, int, str]:
    return (d.file, d.line, d.column, d.code)


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.severity == "error" for d in diagnostics)
