"""Link and complete nodes Node-RED accepts with nothing to link to or watch, and a link call
inside a subflow calling a tab's link in, behave in flowrt as in real Node-RED 4.

- a link out in link mode with no links sends nowhere (60-link.js: its wires are its links);
- a complete node with an empty or null scope never sends (Flow.js maps only the ids of
  `scope`);
- a link call inside a subflow calls a link in of a tab by id and gets the return (Subflow.js
  remaps only the subflow's own ids, and the link call finds any link in by id).

Run: `python -m pytest -q -p no:cacheprovider tests/nodered/test_same_behaviour_links.py`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.nodered.differential import fire_injects, run_flowrt, run_nodered
from tests.nodered.helpers import nodered_home


def _inject(node_id: str, z: str, payload: str, to: str) -> dict[str, Any]:
    return {"id": node_id, "type": "inject", "z": z, "name": "", "props": [{"p": "payload"}],
            "payload": payload, "payloadType": "num", "wires": [[to]]}


def _debug(node_id: str, z: str) -> dict[str, Any]:
    return {"id": node_id, "type": "debug", "z": z, "name": "", "wires": []}


NOWHERE: list[dict[str, Any]] = [
    {"id": "lt", "type": "tab", "label": "Links"},
    {"id": "l-go", "type": "inject", "z": "lt", "name": "", "props": [{"p": "payload"}],
     "payload": "1", "payloadType": "num", "wires": [["l-out", "l-seen"]]},
    {"id": "l-out", "type": "link out", "z": "lt", "name": "", "mode": "link", "links": [],
     "wires": []},
    {"id": "l-in", "type": "link in", "z": "lt", "name": "", "links": [], "wires": [["l-never"]]},
    _debug("l-never", "lt"),
    _debug("l-seen", "lt"),
]

NO_SCOPE: list[dict[str, Any]] = [
    {"id": "ct", "type": "tab", "label": "Complete"},
    _inject("c-go", "ct", "2", "c-work"),
    {"id": "c-work", "type": "change", "z": "ct", "name": "", "rules": [
        {"t": "set", "p": "topic", "pt": "msg", "to": "t", "tot": "str"}],
     "wires": [["c-seen"]]},
    _debug("c-seen", "ct"),
    {"id": "c-empty", "type": "complete", "z": "ct", "name": "", "scope": [],
     "uncaught": False, "wires": [["c-never"]]},
    {"id": "c-null", "type": "complete", "z": "ct", "name": "", "scope": None,
     "uncaught": False, "wires": [["c-never"]]},
    _debug("c-never", "ct"),
]

CALL_FROM_SUBFLOW: list[dict[str, Any]] = [
    {"id": "st", "type": "tab", "label": "Service"},
    {"id": "s-sub", "type": "subflow", "name": "caller",
     "in": [{"x": 40, "y": 40, "wires": [{"id": "s-call"}]}],
     "out": [{"x": 300, "y": 40, "wires": [{"id": "s-call", "port": 0}]}]},
    {"id": "s-call", "type": "link call", "z": "s-sub", "name": "", "links": ["s-in"],
     "linkType": "static", "timeout": "5", "x": 100, "y": 40, "wires": [[]]},
    _inject("s-go", "st", "21", "s-inst"),
    # x and y: without them Node-RED takes a node for a config node
    {"id": "s-inst", "type": "subflow:s-sub", "z": "st", "x": 200, "y": 100,
     "wires": [["s-seen"]]},
    {"id": "s-in", "type": "link in", "z": "st", "name": "", "links": [], "wires": [["s-dbl"]]},
    {"id": "s-dbl", "type": "change", "z": "st", "name": "", "rules": [
        {"t": "set", "p": "payload", "pt": "msg", "to": "payload * 2", "tot": "jsonata"}],
     "wires": [["s-back"]]},
    {"id": "s-back", "type": "link out", "z": "st", "name": "", "mode": "return", "links": [],
     "wires": []},
    _debug("s-seen", "st"),
]


def test_links_to_nothing_no_scope_and_calls_from_subflows_as_node_red(tmp_path: Path) -> None:
    given = {"nowhere": NOWHERE, "no scope": NO_SCOPE, "call": CALL_FROM_SUBFLOW}
    flows = {name: fire_injects(nodes) for name, nodes in given.items()}
    theirs = run_nodered(flows, nodered_home(), tmp_path, 3)
    assert theirs == {"nowhere": {"l-seen": [1]}, "no scope": {"c-seen": [2]},
                      "call": {"s-seen": [42]}}
    ours = {name: run_flowrt(nodes) for name, nodes in flows.items()}
    assert ours == theirs, json.dumps({"flowrt": ours, "node-red": theirs}, indent=1)
