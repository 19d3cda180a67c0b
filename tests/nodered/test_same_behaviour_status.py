"""Status nodes get the statuses Node-RED sends them: what a node set (a trigger's armed
``{fill, shape}`` without text, a cleared ``{}``; ``source.name`` only for a named node), and
nothing a node sets while the flow starts
or stops (a debug node showing its status sets an empty one at start, which Node-RED does not
route: its status nodes are wired only once every node is made).

Run: `python -m pytest -q -p no:cacheprovider tests/nodered/test_same_behaviour_status.py`.
"""

from __future__ import annotations

import json
from pathlib import Path

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
