"""Checking a YAML or JSON example as flowrt checks flow files: load, then check.

An example is a whole flow file (it has ``flowrt:``), or a fragment of one, as documentation
shows them: some top-level keys of a flow (``nodes:``, ``connections:``, ``subflows:``), or
nodes (and connections) by id. A fragment is checked as a flow holding just what it shows, so
the configuration of each node and connection in it must be valid; only references to what it
does not show (wire targets, connections, subflows, link targets) are not errors.
"""

from __future__ import annotations

import json
from typing import Any

from flowrt.check import check
from flowrt.errors import LoadError
from flowrt.load import Project, load_text
from flowrt.registry import default_registry

FLOW_KEYS = {"flowrt", "id", "label", "description", "disabled", "env", "connections", "nodes",
             "subflows", "layout"}
UNSHOWN = {"E031", "E033", "E037", "E038"}
"""Codes of references to nodes, connections, subflows or link targets: not errors in a
fragment, which shows a part of a flow."""


def as_flow(data: Any) -> tuple[dict[str, Any], bool] | None:
    """The flow an example is or is part of, and whether it is a fragment; None for an example
    that is no flow (a CI configuration, a secrets file)."""
    if not isinstance(data, dict) or not data:
        return None
    if "flowrt" in data:
        return data, False
    if set(data) <= FLOW_KEYS and set(data) & {"nodes", "connections", "subflows"}:
        return {"flowrt": 1, "nodes": {}, **data}, True
    if all(isinstance(v, dict) and isinstance(v.get("type"), str) for v in data.values()):
        registry = default_registry()
        kinds: dict[str, dict[str, Any]] = {"connections": {}, "nodes": {}}
        for key, value in data.items():
            spec = registry.get(value["type"])
            kinds["connections" if spec and spec.is_connection else "nodes"][key] = value
        return {"flowrt": 1, **{k: v for k, v in kinds.items() if v or k == "nodes"}}, True
    return None


def flow_errors(text: str, file: str, fragment: bool) -> list[str]:
    """The errors flowrt finds in a flow file's text (warnings are not errors: an example may
    name a variable it does not set)."""
    try:
        doc = load_text(text, file)
    except LoadError as exc:
        return [str(d) for d in exc.diagnostics]
    found = check(Project(documents=[doc]), env={})
    return [str(d) for d in found
            if d.severity == "error" and not (fragment and d.code in UNSHOWN)]


def example_errors(data: Any, text: str, file: str) -> list[str] | None:
    """The errors of an example already parsed as ``data``; None when it is no flow."""
    flow = as_flow(data)
    if flow is None:
        return None
    document, fragment = flow
    return flow_errors(json.dumps(document) if fragment else text, file, fragment)
