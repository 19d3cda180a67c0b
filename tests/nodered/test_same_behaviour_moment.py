"""An imported node-red-contrib-moment node does what the contrib does: each case is an inject
with a payload into a moment node with the case's properties into a debug node, run in real
Node-RED 4 with the contrib (installed from npm on first use, see tests/nodered/contrib.py)
and, imported, in flowrt; the debug nodes must receive the same payload, topic, `out` and
`settings`.

Every case names its input time zone, so neither side depends on the machine's. `fromNow`
depends on the clock, which flowrt's test run simulates: its words are checked against moment's
in tests/nodes/datetime/test_moment.py; `calendar` is compared on a date long past.

Run: `python -m pytest -q -p no:cacheprovider tests/nodered/test_same_behaviour_moment.py`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.nodered.contrib import with_contrib
from tests.nodered.differential import fire_injects, run_flowrt, run_nodered
from tests.nodered.helpers import nodered_home

PACKAGE = "node-red-contrib-moment"
KEYS = ("payload", "topic", "out", "settings")
UNRECOGNISED = "input_format"
"""For text neither reads, the contrib reports moment-parseformat's guess; flowrt none."""

CASES: list[tuple[Any, dict[str, Any]]] = [
    ("2024-03-05T10:20:30Z", {"inTz": "UTC", "outTz": "Europe/Berlin",
                              "format": "dddd, MMMM Do YYYY, h:mm:ss a z"}),
    ("2024-03-05 10:20", {"inTz": "Europe/Berlin"}),
    (1709633000000, {"inTz": "America/New_York",
                     "format": "LLLL [week] wo W gggg GGGG Z ZZ x X Qo DDDo e E"}),
    ("05/03/2024", {"inTz": "America/Chicago", "format": "YYYY-MM-DD"}),
    ("05/03/2024", {"inTz": "Europe/London", "format": "YYYY-MM-DD dd"}),
    ("2024-01-31T10:00:00", {"inTz": "UTC", "adjAmount": 1, "adjType": "M",
                             "format": "YYYY-MM-DD HH:mm"}),
    ("2024-03-31T12:00:00", {"inTz": "Europe/Berlin", "adjAmount": 36, "adjType": "hours",
                             "adjDir": "subtract", "format": "YYYY-MM-DD HH:mm Z"}),
    ("2024-03-30T12:00:00", {"inTz": "Europe/Berlin", "adjAmount": 1, "adjType": "days",
                             "format": "YYYY-MM-DD HH:mm Z"}),
    ("2024-03-05T10:20:30.5Z", {"inTz": "Asia/Tokyo", "format": "object"}),
    ("garbage", {"inTz": "UTC", "format": "YYYY"}),
    ("2024-03-05T18:20:00Z", {"inTz": "UTC", "locale": "en_GB", "format": "LLL l LTS"}),
    ("2001-02-03T04:05:06Z", {"inTz": "UTC", "format": "calendar"}),
    ("March 5, 2024", {"inTz": "UTC", "format": "x"}),
    ("2024-03-05T10:20:30.123456Z", {"inTz": "UTC", "format": "SSS SS S"}),
    ("5.3.2024 10:20:30", {"inTz": "Europe/Berlin", "format": "LTS [on] ll"}),
    ("2024/03/05", {"inTz": "Asia/Kolkata", "format": "Z z zz"}),
    ("2024-03-05T08:00:00Z", {"inTz": "UTC", "output": "out", "topic": "when",
                              "format": "hh:mm A k kk hmm Hmmss"}),
    ("ignored", {"inTz": "UTC", "input": "2024-12-25T08:00:00Z", "inputType": "str",
                 "format": "[Xmas] YYYY"}),
    ("Tue, 05 Mar 2024 10:20:30 GMT", {"inTz": "UTC", "format": "YYYY-MM-DD HH:mm:ss"}),
    ("2024-12-30", {"inTz": "UTC", "format": "gggg-[w]ww GGGG-[W]WW YY yyyy N"}),
    ("2024-06-15T12:00:00+05:30", {"inTz": "UTC", "outTz": "America/Los_Angeles",
                                   "format": "YYYY-MM-DDTHH:mm:ssZ \\h\\e\\l\\l\\o"}),
]


def case_flow(index: int, payload: Any, properties: dict[str, Any]) -> list[dict[str, Any]]:
    tab = f"t{index}"
    kind, shown = ("str", payload) if isinstance(payload, str) else ("json", json.dumps(payload))
    moment = {"name": "", "topic": "", "input": "", "inputType": "msg", "inTz": "",
              "adjAmount": 0, "adjType": "days", "adjDir": "add", "format": "", "locale": "C",
              "output": "payload", "outputType": "msg", "outTz": "", **properties}
    return [
        {"id": tab, "type": "tab", "label": tab},
        {"id": f"i{index}", "type": "inject", "z": tab, "props": [{"p": "payload"}],
         "payload": shown, "payloadType": kind, "wires": [[f"m{index}"]]},
        {"id": f"m{index}", "type": "moment", "z": tab, **moment, "wires": [[f"d{index}"]]},
        {"id": f"d{index}", "type": "debug", "z": tab, "wires": []},
    ]


def results(received: dict[str, dict[str, list[Any]]]) -> list[Any]:
    out = []
    for index, (payload, _) in enumerate(CASES):
        got = received[f"case{index}"].get(f"d{index}", [])
        if payload in ("garbage", "Tue, 05 Mar 2024 10:20:30 GMT"):
            for msg in got:
                msg.get("settings", {}).pop(UNRECOGNISED, None)
        out.append(got)
    return out


def test_moment_gives_what_node_red_contrib_moment_gives(tmp_path: Path) -> None:
    home = nodered_home()
    with_contrib(tmp_path, PACKAGE)
    flows = {f"case{index}": fire_injects(case_flow(index, *case))
             for index, case in enumerate(CASES)}
    ours = results({name: run_flowrt(nodes, KEYS) for name, nodes in flows.items()})
    assert all(len(got) == 1 for got in ours), ours
    theirs = results(run_nodered(flows, home, tmp_path, len(CASES), keys=KEYS))
    differing = {json.dumps(CASES[i]): {"flowrt": ours[i], "node-red": theirs[i]}
                 for i in range(len(CASES)) if ours[i] != theirs[i]}
    assert differing == {}, json.dumps(differing, indent=1)
    assert ours[0][0]["payload"] == "Tuesday, March 5th 2024, 11:20:30 am CET"
