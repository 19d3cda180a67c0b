"""An imported stoptimer node does what node-red-contrib-stoptimer does: each case (the timing
differential's shape, tests/nodered/test_same_behaviour_timing.py: a script of messages into
the node, its two outputs to debug nodes) runs in real Node-RED 4 with the contrib package
(installed from npm on first use, see tests/nodered/contrib.py) and, imported, in flowrt on
simulated time; the same topics and payloads reach the same debug nodes, in the same order,
and output 1's messages carry `_timerpass: true` on both sides.

Run: `python -m pytest -q -p no:cacheprovider tests/nodered/test_same_behaviour_stoptimer.py`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.nodered.contrib import with_contrib
from tests.nodered.differential import run_flowrt, run_nodered
from tests.nodered.helpers import nodered_home
from tests.nodered.test_same_behaviour_timing import Case, _m, _shown, build

PACKAGE = "node-red-contrib-stoptimer"
KEYS = ("topic", "payload", "_timerpass")


def _stoptimer(**more: Any) -> dict[str, Any]:
    return {"type": "stoptimer", "duration": "500", "units": "Millisecond",
            "payloadtype": "num", "payloadval": "0", **more}


CASES = [
    Case("the last of a burst, on both outputs", _stoptimer(),
         [(0, [_m("a"), _m("b")]), (250, [_m("c", "t")])],
         [[["t", "c"]], [["t", 0]]], outputs=2),
    Case("stop cancels", _stoptimer(payloadtype="str", payloadval="off"),
         [(0, [_m("a")]), (250, [_m("stop", "s")])],
         [[], [["s", "stopped"]]], outputs=2),
    Case("after a stop a message that went through is ignored",
         _stoptimer(payloadtype="str", payloadval="on"),
         [(0, [_m("STOP")]), (200, [_m("loop", _timerpass=True)]), (400, [_m("fresh")])],
         [["fresh"], ["stopped", "on"]], outputs=2),
    Case("a second payload false is sent as true", _stoptimer(payloadtype="bool",
                                                               payloadval="false"),
         [(0, [_m(1)])], [[1], [True]], outputs=2),
    Case("seconds, and a number", _stoptimer(duration="1", units="Second", payloadval="42"),
         [(0, [_m(1)])], [[1], [42]], outputs=2),
]


def test_stoptimer_sends_what_node_red_sends(tmp_path: Path) -> None:
    home = nodered_home()
    with_contrib(tmp_path, PACKAGE)
    flows = {case.name: build(case, f"s{index}.") for index, case in enumerate(CASES)}
    prefixes = {case.name: f"s{index}." for index, case in enumerate(CASES)}
    ours_raw = {name: run_flowrt(nodes, KEYS) for name, nodes in flows.items()}
    expected = sum(len(v) for got in ours_raw.values() for v in got.values())
    theirs_raw = run_nodered(flows, home, tmp_path, expected, keys=KEYS)
    for case in CASES:
        prefix = prefixes[case.name]
        ours = _shown(ours_raw[case.name], prefix, case.outputs)
        theirs = _shown(theirs_raw[case.name], prefix, case.outputs)
        assert ours == theirs, json.dumps({case.name: {"flowrt": ours, "node-red": theirs}})
        assert ours == case.expected, json.dumps({case.name: ours})
        for side in (ours_raw[case.name], theirs_raw[case.name]):
            assert all(m.get("_timerpass") is True for m in side.get(f"{prefix}out0", []))
