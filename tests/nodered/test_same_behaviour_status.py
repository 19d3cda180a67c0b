"""Status nodes get the statuses Node-RED sends them: what a node set (a trigger's armed
``{fill, shape}`` without text, a cleared ``{}``; ``source.name`` for a named node, and for
an unnamed one only of the types whose Node-RED node keeps an empty name, such as function),
and nothing a node sets while the flow starts
or stops (a debug node showing its status sets an empty one at start, which Node-RED does not
route: its status nodes are wired only once every node is made). A catch node's message keeps
the error it already had in ``_error``. ``source`` names an imported node by its Node-RED id and
type, inside a subflow instance by Node-RED's ``<instance id>-<inner id>``.

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


def _reports(node_id: str, z: str, fill: str, text: str) -> dict[str, Any]:
    """A function node (Node-RED's random-looking id) that sets a status, then fails."""
    return {"id": node_id, "type": "function", "z": z, "name": "", "outputs": 1,
            "func": f"node.status({{fill: '{fill}', shape: 'dot', text: '{text}'}});\n"
                    f"node.error('{text} failure', msg);\nreturn null;", "wires": [[]]}


NODE_RED_IDS = [
    {"id": "7a7a7a7a7a7a7a7a", "type": "tab", "label": "Ids"},
    {"id": "5b5b5b5b5b5b5b5b", "type": "subflow", "name": "fails inside",
     "in": [{"x": 40, "y": 40, "wires": [{"id": "2f2f2f2f2f2f2f2f"}]}],
     "out": [{"x": 300, "y": 40, "wires": [{"id": "3c3c3c3c3c3c3c3c", "port": 0}]}]},
    _reports("2f2f2f2f2f2f2f2f", "5b5b5b5b5b5b5b5b", "red", "inner"),
    {"id": "3c3c3c3c3c3c3c3c", "type": "status", "z": "5b5b5b5b5b5b5b5b", "name": "",
     "scope": None, "wires": [[]]},
    {"id": "1d1d1d1d1d1d1d1d", "type": "inject", "z": "7a7a7a7a7a7a7a7a", "name": "",
     "props": [{"p": "payload"}], "payload": "1", "payloadType": "num",
     "wires": [["4e4e4e4e4e4e4e4e"]]},
    _reports("4e4e4e4e4e4e4e4e", "7a7a7a7a7a7a7a7a", "green", "outer"),
    {"id": "1e1e1e1e1e1e1e1e", "type": "inject", "z": "7a7a7a7a7a7a7a7a", "name": "",
     "props": [{"p": "payload"}], "payload": "2", "payloadType": "num",
     "wires": [["6a6a6a6a6a6a6a6a"]]},
    # x and y: without them Node-RED takes a node for a config node, and the instance would
    # not start
    {"id": "6a6a6a6a6a6a6a6a", "type": "subflow:5b5b5b5b5b5b5b5b", "z": "7a7a7a7a7a7a7a7a",
     "x": 200, "y": 100, "wires": [["b6b6b6b6b6b6b6b6"]]},
    {"id": "8c8c8c8c8c8c8c8c", "type": "catch", "z": "7a7a7a7a7a7a7a7a", "name": "",
     "scope": None, "uncaught": False, "wires": [["c7c7c7c7c7c7c7c7"]]},
    {"id": "c7c7c7c7c7c7c7c7", "type": "change", "z": "7a7a7a7a7a7a7a7a", "name": "",
     "rules": [{"t": "set", "p": "payload", "pt": "msg", "to": "error.source", "tot": "msg"}],
     "wires": [["9e9e9e9e9e9e9e9e"]]},
    {"id": "9e9e9e9e9e9e9e9e", "type": "debug", "z": "7a7a7a7a7a7a7a7a", "name": "",
     "wires": []},
    {"id": "a5a5a5a5a5a5a5a5", "type": "status", "z": "7a7a7a7a7a7a7a7a", "name": "",
     "scope": None, "wires": [["b6b6b6b6b6b6b6b6"]]},
    {"id": "b6b6b6b6b6b6b6b6", "type": "debug", "z": "7a7a7a7a7a7a7a7a", "name": "",
     "wires": []},
]


def test_catch_and_status_name_an_imported_node_by_its_node_red_id_and_type(
        tmp_path: Path) -> None:
    """A node imported from Node-RED keeps its id and type: catch and status nodes get
    them as Node-RED's do, inside a subflow instance as `<instance id>-<inner id>`."""
    nodes = fire_injects(NODE_RED_IDS)
    ours = run_flowrt(nodes, keys=("status", "payload"))
    theirs = run_nodered({"ids": nodes}, nodered_home(), tmp_path, 4,
                         keys=("status", "payload"))["ids"]
    outer = {"id": "4e4e4e4e4e4e4e4e", "type": "function", "name": ""}
    inner = {"id": "6a6a6a6a6a6a6a6a-2f2f2f2f2f2f2f2f", "type": "function", "name": ""}
    assert theirs == {
        "9e9e9e9e9e9e9e9e": [{"payload": {**outer, "count": 1}},
                             {"payload": {**inner, "count": 1}}],
        "b6b6b6b6b6b6b6b6": [
            {"status": {"fill": "green", "shape": "dot", "text": "outer", "source": outer}},
            {"status": {"fill": "red", "shape": "dot", "text": "inner", "source": inner}}],
    }
    assert ours == theirs, json.dumps({"flowrt": ours, "node-red": theirs}, indent=1)
