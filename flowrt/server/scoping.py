"""What a grant limited to some flow files sees of answers that span files: the routes declared
``filtered`` in :mod:`flowrt.server.access` call these.

A running node belongs to the file of the flow it runs in (a subflow's inner node to the file
of its instance's flow); that map is made from the running plans once per deploy
(:func:`running_files`). A node or flow that is not running is looked up in the files
(:func:`flow_file`); one found nowhere belongs to no file, so a limited grant never sees it.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import Any

from flowrt.server.deploy import Engine
from flowrt.server.events import View
from flowrt.server.roles import Grant
from flowrt.server.state import Server

_made: weakref.WeakKeyDictionary[Engine, tuple[tuple[int, int], dict[str, str],
                                                dict[str, str]]] = weakref.WeakKeyDictionary()


def running_files(engine: Engine) -> tuple[dict[str, str], dict[str, str]]:
    """Node id -> flow file and flow id -> flow file, of what runs now (file names as the
    API gives them)."""
    key = (engine.deploys, sum(len(u.runtime.plan.nodes) for u in engine.units))
    kept = _made.get(engine)
    if kept is not None and kept[0] == key:
        return kept[1], kept[2]
    nodes: dict[str, str] = {}
    flows: dict[str, str] = {}
    for unit in engine.units:
        plan = unit.runtime.plan
        for flow_id, file in plan.flows.items():
            flows[flow_id] = engine._name(file)
        for node_id, node in plan.nodes.items():
            nodes[node_id] = flows.get(node.flow) or engine._name(node.file)
    _made[engine] = (key, nodes, flows)
    return nodes, flows


def node_allowed(server: Server, grant: Grant, node_id: str) -> bool:
    return not grant.limited or grant.allows(running_files(server.engine)[0].get(node_id))


async def flow_file(server: Server, flow_id: str) -> str | None:
    """The file holding flow ``flow_id``: the running one's, else the files' (None: none)."""
    found = running_files(server.engine)[1].get(flow_id)
    if found is not None:
        return found
    return next((f["file"] for f in await server.flow_cache.listing()
                 if f.get("id") == flow_id), None)


def files_only(grant: Grant, entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entries (each with a ``file``) of the grant's files."""
    return [e for e in entries if grant.allows(e.get("file"))]


def snapshot_only(grant: Grant, snapshot: dict[str, str]) -> dict[str, str]:
    return {name: text for name, text in snapshot.items() if grant.allows(name)}


def state_only(server: Server, grant: Grant, state: dict[str, Any]) -> dict[str, Any]:
    """``/api/state`` with the nodes and flows of the grant's files only."""
    nodes, flows = running_files(server.engine)
    return {**state,
            "nodes": {n: v for n, v in state["nodes"].items() if grant.allows(nodes.get(n))},
            "flows": [f for f in state["flows"] if grant.allows(flows.get(f))],
            "connections": {c: v for c, v in state.get("connections", {}).items()
                            if grant.allows(flows.get(v["flow"]))}}


def event_view(server: Server, grant: Grant) -> View | None:
    """What a WebSocket client with ``grant`` sees of each event (None: everything)."""
    if not grant.limited:
        return None

    def view(event: dict[str, Any]) -> dict[str, Any] | None:
        if event.get("type") == "deploy":
            group = {"group": event["group"]} if "group" in event else {}
            return {"type": "deploy", "revision": event.get("revision"), **group}
        node = event.get("node")
        if isinstance(node, str):
            return event if node_allowed(server, grant, node) else None
        return None

    return view
