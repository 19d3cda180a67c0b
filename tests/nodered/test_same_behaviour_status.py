"""Status nodes get the statuses Node-RED sends them: what a node set (a trigger's armed
``{fill, shape}`` without text, a cleared ``{}``; ``source.name`` for a named node, and for
an unnamed one only of the types whose Node-RED node keeps an empty name, such as function),
and nothing a node sets while the flow starts
or stops (a debug node showing its status sets an empty one at start, which Node-RED does not
route: its status nodes are wired only once every node is made). A catch node's message keeps
the error it already had in ``_error``.

Run: `python -m pytest -q -p no:cacheprovider tests/nodered/test_same_behaviour_status.py`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.nodered.differential import fire_injects, run_flowrt, run_nodered
from tests.nodered.helpers import nodered_home

FLOW = [
    {"id": "t", "type": "tab", "label": "Status"},
    {"id": "go", "type": "inject", "z": "t", "name": "", "props": [{"p": "payload"}],
     "payload": "1", "payloadType": "num", "wires": [["arm"]]},
    {"id": "arm", "type": "trigger", "z": "t", "name": "", "op1": "1", "op2": "0",
     "op1type": "str", "op2type": "str", "duration": "50", "extend": False, "units": "ms",
     "reset": "", "bytopic": "all", "outputs": 1, "wires": [[]]},
    {"id": "idle", "type": "debug", "z": "t", "name": "never fed", "active": True,
     "tosidebar": False, "console": False, "tostatus": True, "complete": "payload",
     "targetType": "msg", "statusVal": "payload", "statusType": "auto", "wires": []},
    {"id": "watch", "type": "status", "z": "t", "name": "", "scope": None,
     "wires": [["seen"]]},
    {"id": "seen", "type": "debug", "z": "t", "name": "", "wires": []},
]


def test_status_nodes_get_what_node_red_sends(tmp_path: Path) -> None:
    nodes = fire_injects(FLOW)
    ours = run_flowrt(nodes, keys=("status",))
    theirs = run_nodered({"status": nodes}, nodered_home(), tmp_path, 2, keys=("status",),
                         keep=("idle",))["status"]
    assert theirs == {"seen": [
        {"status": {"fill": "blue", "shape": "dot",
                    "source": {"id": "arm", "type": "trigger"}}},
        {"status": {"source": {"id": "arm", "type": "trigger"}}}]}
    assert ours == theirs, json.dumps({"flowrt": ours, "node-red": theirs}, indent=1)


def _fails(node_id: str, text: str) -> dict[str, Any]:
    return {"id": node_id, "type": "function", "z": "t", "name": "",
            "func": f"node.error({json.dumps(text)}, msg);\nreturn null;", "outputs": 1,
            "wires": [[]]}


CAUGHT_TWICE = [
    {"id": "t", "type": "tab", "label": "Errors"},
    {"id": "go", "type": "inject", "z": "t", "name": "", "props": [{"p": "payload"}],
     "payload": "1", "payloadType": "num", "wires": [["first"]]},
    _fails("first", "first failure"),
    {"id": "catch-first", "type": "catch", "z": "t", "name": "", "scope": ["first"],
     "uncaught": False, "wires": [["second"]]},
    _fails("second", "second failure"),
    {"id": "catch-second", "type": "catch", "z": "t", "name": "", "scope": ["second"],
     "uncaught": False, "wires": [["show"]]},
    {"id": "show", "type": "change", "z": "t", "name": "", "rules": [
        {"t": "set", "p": "shown.error", "pt": "msg", "to": "error.message", "tot": "msg"},
        {"t": "set", "p": "shown.earlier", "pt": "msg", "to": "_error.message", "tot": "msg"},
        {"t": "set", "p": "shown.source", "pt": "msg", "to": "_error.source", "tot": "msg"},
        {"t": "set", "p": "payload", "pt": "msg", "to": "shown", "tot": "msg"}],
     "wires": [["seen"]]},
    {"id": "seen", "type": "debug", "z": "t", "name": "", "wires": []},
]


def test_a_caught_message_keeps_its_earlier_error_in_underscore_error(tmp_path: Path) -> None:
    nodes = fire_injects(CAUGHT_TWICE)
    ours = run_flowrt(nodes)
    theirs = run_nodered({"errors": nodes}, nodered_home(), tmp_path, 1)["errors"]
    assert theirs == {"seen": [{"error": "second failure", "earlier": "first failure",
                                "source": {"id": "first", "type": "function", "name": "",
                                           "count": 1}}]}
    assert ours == theirs, json.dumps({"flowrt": ours, "node-red": theirs}, indent=1)
