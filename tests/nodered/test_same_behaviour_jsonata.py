"""JSONata in a change node gives what it gives in real Node-RED: JavaScript's regular
expressions (tests/expressions/jsonata_cases.py's REGEX_CASES) and the legacy ``msg.`` form
(LEGACY_CASES), each case a message through its own change node, in one Node-RED and in flowrt.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.expressions.jsonata_cases import FAILS, LEGACY_CASES, REGEX_CASES, TOPIC
from tests.nodered.differential import fire_injects, run_flowrt, run_nodered
from tests.nodered.helpers import nodered_home

CASES = REGEX_CASES + LEGACY_CASES


def case_flow(index: int, expression: str, payload: Any) -> list[dict[str, Any]]:
    """An inject sending ``payload`` (and :data:`TOPIC`) through a change node setting
    ``msg.payload`` to ``expression``, into a debug node."""
    tab, kind = f"t{index}", "str" if isinstance(payload, str) else "json"
    shown = payload if kind == "str" else json.dumps(payload)
    return [
        {"id": tab, "type": "tab", "label": tab},
        {"id": f"i{index}", "type": "inject", "z": tab, "topic": TOPIC,
         "props": [{"p": "payload"}, {"p": "topic", "vt": "str"}],
         "payload": shown, "payloadType": kind, "wires": [[f"c{index}"]]},
        {"id": f"c{index}", "type": "change", "z": tab, "wires": [[f"d{index}"]],
         "rules": [{"t": "set", "p": "payload", "pt": "msg", "to": expression,
                    "tot": "jsonata"}]},
        {"id": f"d{index}", "type": "debug", "z": tab, "wires": []},
    ]


def results(received: dict[str, dict[str, list[Any]]]) -> dict[str, Any]:
    """Each case's expression and what its debug node got (FAILS for nothing)."""
    out = {}
    for index, (expression, _, _) in enumerate(CASES):
        got = received[f"case{index}"].get(f"d{index}", [])
        out[expression] = got[0] if len(got) == 1 else FAILS if not got else got
    return out


def test_jsonata_cases_give_what_node_red_gives(tmp_path: Path) -> None:
    flows = {f"case{index}": fire_injects(case_flow(index, expression, payload))
             for index, (expression, payload, _) in enumerate(CASES)}
    ours = results({name: run_flowrt(nodes) for name, nodes in flows.items()})
    expected = sum(1 for result in ours.values() if result != FAILS)
    theirs = results(run_nodered(flows, nodered_home(), tmp_path, expected))
    differing = {expression: {"flowrt": ours[expression], "node-red": theirs[expression]}
                 for expression in ours if ours[expression] != theirs[expression]}
    assert differing == {}, json.dumps(differing, indent=1, ensure_ascii=False)
    assert theirs == {expression: result for expression, _, result in CASES}
